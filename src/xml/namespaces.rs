//! Every XML namespace the crate names, defined once. The parser, the
//! engine, the reference server and the snapshots compare element names by
//! namespace URI, so a misspelt copy would silently stop matching; one
//! definition per URI rules that out. `xml` re-exports them all, so users
//! write `crate::xml::NS_SASL`.

/// `http://etherx.jabber.org/streams`, the namespace of `<stream:stream>`.
pub const NS_STREAMS: &str = "http://etherx.jabber.org/streams";
/// `urn:ietf:params:xml:ns:xmpp-streams`, the namespace of stream error
/// conditions (RFC 6120 §4.9.3).
pub const NS_STREAM_ERRORS: &str = "urn:ietf:params:xml:ns:xmpp-streams";
/// `jabber:client`, the content namespace of client-to-server streams.
pub const NS_CLIENT: &str = "jabber:client";
/// `jabber:server`, the content namespace of server-to-server streams.
pub const NS_SERVER: &str = "jabber:server";
/// `urn:ietf:params:xml:ns:xmpp-framing`: the `<open/>` and `<close/>`
/// that stand for the stream's opening and closing tags over WebSocket
/// (RFC 7395 §3.3.2).
pub const NS_FRAMING: &str = "urn:ietf:params:xml:ns:xmpp-framing";
/// `http://jabber.org/protocol/httpbind`: BOSH's `<body/>` wrapper
/// (XEP-0124 §4).
pub const NS_HTTPBIND: &str = "http://jabber.org/protocol/httpbind";
/// `urn:xmpp:xbosh`: the XMPP attributes of a BOSH `<body/>`
/// (`xmpp:version`, `xmpp:restart`, `xmpp:restartlogic`; XEP-0206).
pub const NS_XBOSH: &str = "urn:xmpp:xbosh";

/// The harness's own namespace for an HTTP response a scenario asked for
/// with `bosh-send`: `<response status=… content-type=… rid=…>` around the
/// `<body/>` received. No peer ever sends it.
pub const NS_HARNESS_HTTP: &str = "urn:xmpp-conform:http";
/// The namespace bound to the `xml` prefix by definition.
pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";
/// `http://www.w3.org/2000/xmlns/`, bound to `xmlns` by definition; no
/// declaration may bind it (Namespaces in XML 1.0 §3).
pub const NS_XMLNS: &str = "http://www.w3.org/2000/xmlns/";

/// `urn:ietf:params:xml:ns:xmpp-tls`: STARTTLS (RFC 6120 §5).
pub const NS_TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
/// `urn:ietf:params:xml:ns:xmpp-sasl`: SASL negotiation (RFC 6120 §6).
pub const NS_SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
/// `urn:ietf:params:xml:ns:xmpp-bind`: resource binding (RFC 6120 §7).
pub const NS_BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
/// `urn:ietf:params:xml:ns:xmpp-session`: RFC 3921's session
/// establishment, still listed by some servers (RFC 6121 Appendix E).
pub const NS_SESSION: &str = "urn:ietf:params:xml:ns:xmpp-session";
/// `urn:ietf:params:xml:ns:xmpp-stanzas`: stanza error conditions (RFC
/// 6120 §8.3.3).
pub const NS_STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";

/// `urn:xmpp:ping`: XEP-0199 ping.
pub const NS_PING: &str = "urn:xmpp:ping";
/// `jabber:iq:version`: XEP-0092 software version.
pub const NS_VERSION: &str = "jabber:iq:version";
/// `http://jabber.org/protocol/disco#info`: XEP-0030 service discovery.
pub const NS_DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
/// The namespace xmpp-conform binds the `scansion` prefix to in patterns
/// of scansion scripts (`scansion:strict='false'`); scansion's scripts use
/// the prefix without declaring it, so any URI of our own will do.
pub const NS_SCANSION: &str = "https://matthewwild.co.uk/projects/scansion";
/// `jabber:iq:roster`: the roster (RFC 6121 §2).
pub const NS_ROSTER: &str = "jabber:iq:roster";
/// `urn:xmpp:features:pre-approval`: the stream feature of subscription
/// pre-approval (RFC 6121 §3.4).
pub const NS_PRE_APPROVAL: &str = "urn:xmpp:features:pre-approval";
/// `jabber:server:dialback`, Server Dialback (XEP-0220), the one namespace
/// besides the stream's own a server-to-server header declares.
pub const NS_DIALBACK: &str = "jabber:server:dialback";
