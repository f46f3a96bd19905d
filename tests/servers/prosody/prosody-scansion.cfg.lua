-- Prosody as scansion setups run it (after Prosody's own
-- spec/scansion/prosody.cfg.lua: open authentication, in-memory storage,
-- no TLS, PLAIN allowed in the clear), for tests/scansion.rs. The test
-- copies this file into a temporary folder and fills in @C2S_PORT@,
-- @DATA@ and @MODULES@ (extra modules: "scansion_record" for the recorder
-- round trip, else empty). Foreground, 127.0.0.1 only.

run_as_root = true          -- CI runs as root; Prosody would otherwise refuse
pidfile = "@DATA@/prosody.pid"
data_path = "@DATA@"
log = {
	{ levels = { min = "debug" }, to = "file", filename = "@DATA@/prosody.log" };
}

interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { @C2S_PORT@ }
c2s_direct_tls_ports = { }
s2s_ports = { }
http_ports = { }
https_ports = { }

modules_disabled = { "s2s" }
modules_enabled = {
	"roster"; "saslauth"; "disco"; "ping"; "version"; "time"; "uptime";
	"private"; "blocklist"; "offline"; "lastactivity";
	@MODULES@
}

-- TLS is not used: no certificate, nothing required.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true

-- Any user logs in with any password, as in scansion's CI.
authentication = "insecure"
insecure_open_authentication = "Yes please, I know what I'm doing!"
storage = "memory"
allow_registration = false

VirtualHost "localhost"
hide_os_type = true
