//! What real servers sent, kept verbatim for the lint's unit tests: each
//! passes every rule, and each test breaks a copy of one.
//!
//! Prosody 0.12.3 and ejabberd 23.01 (Debian's packages), started by
//! `tests/support/mod.rs` (`Prosody::start_with_tls`,
//! `Ejabberd::start_with_tls`) with the cast registered, and the built-in
//! server suite run against them with `--json`: the elements are the
//! `received` entries of the transcripts of the scenario named beside each
//! (as the transcript shows them: the parsed element written back, prefixes
//! and declarations as they came). The headers with their XML declaration
//! are the first bytes each server sent on a plain TCP connection after the
//! harness's own header, read raw from the socket, since a transcript does
//! not show the declaration.

// --- Prosody 0.12.3 ---------------------------------------------------------

/// The declaration and response header, raw bytes from the socket.
pub const PROSODY_HEADER: &str = "<?xml version='1.0'?><stream:stream xml:lang='en' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' \
    version='1.0' id='4f200e2d-ecc9-4733-8e35-6582c732a3a0'>";

/// `rfc6120/bind/client-chosen`: the bind answer.
pub const PROSODY_BIND_RESULT: &str = "<iq xmlns='jabber:client' type='result' id='bind-2'><bind \
    xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>romeo@localhost/xmpp-conform-chosen</jid></bind></iq>";

/// `rfc6120/stanzas/iq-unknown-namespace`.
pub const PROSODY_SERVICE_UNAVAILABLE: &str = "<iq xmlns='jabber:client' type='error' \
    id='unknown-1' to='romeo@localhost/_3liq--Dotwt' from='localhost'><error \
    type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>";

/// `rfc6120/stream/bad-xml`.
pub const PROSODY_NOT_WELL_FORMED: &str = "<stream:error \
    xmlns:stream='http://etherx.jabber.org/streams'><not-well-formed \
    xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>";

/// `rfc6120/stream/host-unknown`: a stream error with `<text/>`.
pub const PROSODY_HOST_UNKNOWN: &str = "<stream:error \
    xmlns:stream='http://etherx.jabber.org/streams'><host-unknown \
    xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text \
    xmlns='urn:ietf:params:xml:ns:xmpp-streams'>This server does not serve \
    unknown.invalid</text></stream:error>";

/// `rfc6121/messages/between-users`: a message delivered to a full JID.
pub const PROSODY_CHAT: &str = "<message xmlns='jabber:client' type='chat' \
    to='romeo@localhost/N32CjVlGHi8_' from='juliet@localhost/HBhKgRjJWWhw' xml:lang='en' \
    id='to-full'><body>Wherefore art thou</body></message>";

/// `rfc6121/messages/between-users`: available presence broadcast.
pub const PROSODY_PRESENCE: &str = "<presence xmlns='jabber:client' xml:lang='en' \
    from='juliet@localhost/HBhKgRjJWWhw'/>";

/// `rfc6120/sasl/stanza-before-auth`: an error message.
pub const PROSODY_MESSAGE_ERROR: &str = "<message xmlns='jabber:client' type='error' \
    id='before-auth' from='localhost'><error type='cancel'><service-unavailable \
    xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>";

/// `rfc6120/sasl/scram-sha-1`: the features after TLS.
pub const PROSODY_FEATURES: &str = "<stream:features \
    xmlns:stream='http://etherx.jabber.org/streams'><mechanisms \
    xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>";

/// `rfc6120/sasl/scram-sha-1`: the server-first-message (RFC 5802 §5).
pub const PROSODY_SCRAM_CHALLENGE: &str = "<challenge \
    xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>cj1CZWFOdGlhb29FWjQ2TlNVbjhJL2ROT3dlNjYyMWExNC0zZDJjLTRmZDktOTkwOC0zNWI4YzExMmJiOWQscz1ZVEJtT1dRMFpUa3RPRE14WWkwME5XVXdMVGhtTXpndE1qRTVabU0yWW1GbE5URXosaT0xMDAwMA==</challenge>";

/// `rfc6120/sasl/scram-sha-1`: success with the server's signature.
pub const PROSODY_SCRAM_SUCCESS: &str = "<success \
    xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1NNGk2b3Z3UG8vT1pjbXcrU0RKOTROMzlwNjg9</success>";

// --- ejabberd 23.01 ---------------------------------------------------------

/// The declaration and response header, raw bytes from the socket.
pub const EJABBERD_HEADER: &str = "<?xml version='1.0'?><stream:stream \
    id='15006149646933655986' version='1.0' xml:lang='en' \
    xmlns:stream='http://etherx.jabber.org/streams' from='localhost' xmlns='jabber:client'>";

/// `rfc6120/stanzas/iq-unknown-namespace`: an error iq with the request,
/// a condition and a `<text/>` after it.
pub const EJABBERD_SERVICE_UNAVAILABLE: &str = "<iq xmlns='jabber:client' xml:lang='en' \
    to='romeo@localhost/120651370634788361521650' from='localhost' type='error' \
    id='unknown-1'><query xmlns='urn:xmpp-conform:no-such-namespace'/><error \
    type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text \
    xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>No module is handling this \
    query</text></error></iq>";

/// `rfc6120/bind/conflict`: a stream error with a `<text xml:lang/>`.
pub const EJABBERD_CONFLICT: &str = "<stream:error \
    xmlns:stream='http://etherx.jabber.org/streams'><conflict \
    xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text \
    xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>Replaced by new \
    connection</text></stream:error>";

/// `rfc6121/messages/between-users`: a message delivered to a full JID.
pub const EJABBERD_CHAT: &str = "<message xmlns='jabber:client' xml:lang='en' \
    to='romeo@localhost/47871173188452815921266' from='juliet@localhost/121676920999664123911314' \
    type='chat' id='to-full'><body>Wherefore art thou</body></message>";

/// `rfc6121/messages/between-users`: unavailable presence of a session
/// the conflict replaced.
pub const EJABBERD_UNAVAILABLE: &str = "<presence xmlns='jabber:client' \
    to='romeo@localhost/47871173188452815921266' from='romeo@localhost/xmpp-conform-conflict' \
    type='unavailable'/>";

/// `rfc6120/stanzas/iq-response-id`: an empty iq result.
pub const EJABBERD_PING_RESULT: &str = "<iq xmlns='jabber:client' xml:lang='en' \
    to='romeo@localhost/47832597600244983001618' from='localhost' type='result' \
    id='xmpp-conform-ping-1'/>";

/// Every element fixture, for the test that they all pass.
pub const ELEMENTS: &[&str] = &[
    PROSODY_BIND_RESULT,
    PROSODY_SERVICE_UNAVAILABLE,
    PROSODY_NOT_WELL_FORMED,
    PROSODY_HOST_UNKNOWN,
    PROSODY_CHAT,
    PROSODY_PRESENCE,
    PROSODY_MESSAGE_ERROR,
    PROSODY_FEATURES,
    PROSODY_SCRAM_CHALLENGE,
    PROSODY_SCRAM_SUCCESS,
    EJABBERD_SERVICE_UNAVAILABLE,
    EJABBERD_CONFLICT,
    EJABBERD_CHAT,
    EJABBERD_UNAVAILABLE,
    EJABBERD_PING_RESULT,
];

/// Both headers.
pub const HEADERS: &[&str] = &[PROSODY_HEADER, EJABBERD_HEADER];
