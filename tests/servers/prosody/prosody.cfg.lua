-- Prosody as xmpp-conform's tests run it: in the foreground, as the test's
-- child, on 127.0.0.1 only. The test copies this file into a temporary
-- folder and fills in @C2S_PORT@, @DATA@, and, for TLS, @DIRECT_TLS_PORT@
-- and @SSL@ (a certificate made at test time); without TLS both are empty.
-- For XMPP over WebSocket (RFC 7395), @HTTP_PORT@ and @HTTP_MODULES@
-- ("websocket") serve /xmpp-websocket in plain HTTP; otherwise both are
-- empty and Prosody opens no HTTP port.

run_as_root = true          -- CI runs as root; Prosody would otherwise refuse
pidfile = "@DATA@/prosody.pid"
data_path = "@DATA@"
log = {
	{ levels = { min = "debug" }, to = "file", filename = "@DATA@/prosody.log" };
}

-- Nagle off, as an operator tuning for latency would: with Prosody's
-- default (nagle = true) each stream restarted after TLS stalls about 40 ms,
-- its features held back until the client's delayed ACK of the header
-- (measured by scripts/bench-suite: 53 ms per simple scenario, 7 ms
-- without). Verdicts are the same either way; the suite runs faster.
network_settings = { nagle = false }

interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { @C2S_PORT@ }
c2s_direct_tls_ports = { @DIRECT_TLS_PORT@ }
s2s_ports = { }
http_ports = { @HTTP_PORT@ }
http_interfaces = { "127.0.0.1" }
https_ports = { }

-- No server-to-server: the tests speak client-to-server only.
modules_disabled = { "s2s" }
modules_enabled = {
	"tls"; "roster"; "saslauth"; "disco"; "ping"; "version"; "time"; "uptime";
	@HTTP_MODULES@
}

-- STARTTLS is offered when the test gives a certificate, never required.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
storage = "internal"

@SSL@

VirtualHost "localhost"
