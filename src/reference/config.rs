//! What a reference server is started with: its domain, its accounts,
//! where it listens, its limits, and the faults it is told to have.
//!
//! Every wait and every buffer of the server has its bound here, so that a
//! hostile or broken client costs a known amount and never hangs it.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::sasl::Credentials;

/// How a [`super::ReferenceServer`] is set up. [`Config::new`] gives a
/// conforming server on a loopback port the OS picks, with no accounts.
#[derive(Debug, Clone)]
pub struct Config {
    /// The XMPP domain it serves: the only `to` its stream headers accept,
    /// the domainpart of every JID it binds, the name in its certificate.
    pub domain: String,
    /// The accounts clients log in with (username and password, compared
    /// exactly: no SASLprep, no case folding).
    pub accounts: Vec<Credentials>,
    /// Where to listen; port 0 lets the OS choose (the default, on
    /// 127.0.0.1).
    pub listen: SocketAddr,
    /// Where the generated CA (`ca.pem`) and server certificate are
    /// written; `None`: a fresh temporary folder, removed on shutdown.
    pub cert_dir: Option<PathBuf>,
    /// TLS from the first byte (XEP-0368) instead of STARTTLS.
    pub direct_tls: bool,
    /// Where the WebSocket listener (RFC 7395, on [`WEBSOCKET_PATH`])
    /// listens; `None`: no WebSocket. By default another port the OS
    /// picks on 127.0.0.1, so every server serves both transports.
    pub websocket: Option<SocketAddr>,
    /// Where the BOSH listener (XEP-0124/0206, on [`BOSH_PATH`]) listens;
    /// `None`: no BOSH. By default another port the OS picks.
    pub bosh: Option<SocketAddr>,
    pub limits: Limits,
    /// Rules the server breaks on purpose; none by default.
    pub faults: Faults,
}

impl Config {
    /// A conforming server for `domain` on `127.0.0.1:0`.
    pub fn new(domain: impl Into<String>) -> Self {
        Config {
            domain: domain.into(),
            accounts: Vec::new(),
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            cert_dir: None,
            direct_tls: false,
            websocket: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            bosh: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            limits: Limits::default(),
            faults: Faults::default(),
        }
    }

    /// One more account.
    pub fn with_account(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.accounts
            .push(Credentials::new(user.into(), password.into()));
        self
    }
}

/// The HTTP path of the WebSocket endpoint, Prosody's.
pub const WEBSOCKET_PATH: &str = "/xmpp-websocket";

/// The HTTP path of the BOSH endpoint, Prosody's.
pub const BOSH_PATH: &str = "/http-bind";

/// BOSH's timing, in seconds, as the creation response announces it
/// (XEP-0124 §7.2). Small on purpose: the suite's scenarios about polling
/// and inactivity wait for these, so the reference keeps them to a few
/// seconds where real servers use a minute. `wait` is only an upper bound
/// (the scenarios about holding ask for 1 or 2 s themselves); it is 10 s
/// so that a request the client leaves held stays unanswered for a while
/// however loaded the machine (`xep0206/too-many-requests` counts on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoshTimings {
    /// The longest `wait` granted (a client asking for less gets less).
    pub max_wait: u64,
    /// `polling`: the shortest interval between empty requests (§12).
    pub polling: u64,
    /// `inactivity`: how long a session may go without a request (§10).
    pub inactivity: u64,
    /// `maxpause`: the longest `pause` granted (§10).
    pub maxpause: u64,
}

impl Default for BoshTimings {
    fn default() -> Self {
        BoshTimings {
            max_wait: 10,
            polling: 1,
            inactivity: 2,
            maxpause: 10,
        }
    }
}

/// The bounds on what one client can cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// A client that sends no byte for this long gets the
    /// `connection-timeout` stream error (RFC 6120 §4.9.3.4). Whitespace
    /// keepalives count as bytes.
    pub idle_timeout: Duration,
    /// The TLS handshake must finish within this.
    pub tls_handshake_timeout: Duration,
    /// Each write must be taken by the client within this, else the
    /// connection is dropped: a client that does not read cannot make the
    /// server buffer without end.
    pub write_timeout: Duration,
    /// After its closing tag the server reads (and discards) what the
    /// client still sends for at most this long before it drops the
    /// connection, so the client reads the error rather than a reset.
    pub close_linger: Duration,
    /// Connections served at once; more are closed as soon as accepted.
    pub max_connections: usize,
    /// Largest first-level element, in bytes (RFC 6120 §13.12 asks for at
    /// least 10000), before `policy-violation`.
    pub max_stanza_bytes: usize,
    /// SASL failures on one stream before the server gives up with a
    /// `policy-violation` stream error (RFC 6120 §6.4.5: at least 2
    /// retries, so at least 3).
    pub max_auth_failures: u32,
    /// Stanzas waiting for one session; past this, a sender gets
    /// `resource-constraint` (RFC 6120 §8.3.3.18).
    pub queue_len: usize,
    pub bosh: BoshTimings,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            idle_timeout: Duration::from_secs(300),
            tls_handshake_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            close_linger: Duration::from_secs(1),
            max_connections: 256,
            max_stanza_bytes: 64 * 1024,
            max_auth_failures: 3,
            queue_len: 128,
            bosh: BoshTimings::default(),
        }
    }
}

/// The RFC rules the reference server enforces, one per place in the code
/// where it does. Breaking one skips that check (or, where a rule is an
/// action, leaves the action out or does it wrongly), which turns the
/// server into a known-bad one: a scenario that still passes against it
/// does not test that rule. `serve --fault NAME` and `demo --fault NAME`
/// break one by its [`Rule::name`]; `serve --list-faults` prints
/// [`Rule::ALL`] with [`Rule::fault`] and [`Rule::spec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The content namespace must be `jabber:client` (RFC 6120 §4.8.2).
    ContentNamespace,
    /// Version negotiation (RFC 6120 §4.7.5): the response header carries
    /// the lower of the client's version and 1.0, and a major version
    /// other than 1 is refused (§4.9.3.25).
    Version,
    /// `to` must name the served domain (RFC 6120 §4.9.3.6).
    HostKnown,
    /// A stream header without 'to' is accepted, as RFC 6120 §4.7.2 asks
    /// receivers to be liberal about headers of older implementations.
    ToRequired,
    /// A stream error is followed by the closing tag and the TCP close
    /// (RFC 6120 §4.9.1.1).
    CloseAfterError,
    /// STARTTLS is offered before TLS (RFC 6120 §5.3.1).
    OfferStartTls,
    /// STARTTLS is not offered again once TLS is on (RFC 6120 §5.4.3.3).
    NoStartTlsAfterTls,
    /// After `<proceed/>` TLS begins at once: no further XML in clear text
    /// until TLS negotiation is complete (RFC 6120 §5.4.2.3, §5.4.3.1).
    TlsAfterProceed,
    /// PLAIN is offered only over TLS (RFC 6120 §13.8, RFC 4616 §6).
    PlainOnlyOverTls,
    /// Stanzas before authentication get `<not-authorized/>` (RFC 6120
    /// §4.9.3.12).
    AuthBeforeStanzas,
    /// A resource already bound is taken over, the old session ending with
    /// a `<conflict/>` stream error (RFC 6120 §7.7.2.2).
    ResourceConflict,
    /// The server stamps `from` with the sender's full JID (RFC 6120
    /// §8.1.2.1).
    StampFrom,
    /// An iq get/set the server does not understand gets an error
    /// (RFC 6120 §8.4).
    IqErrors,
    /// The response stream header carries a stream id (RFC 6120 §4.7.3).
    StreamId,
    /// The server's stream header is qualified by
    /// `http://etherx.jabber.org/streams` (RFC 6120 §4.8.1).
    StreamNamespace,
    /// XML the parser refuses gets a stream error before the close
    /// (RFC 6120 §4.9.1.1, §4.9.3.13).
    ErrorOnBadXml,
    /// Comments and processing instructions are refused (RFC 6120 §11.1).
    RestrictedXml,
    /// XML that is not well-formed gets `<not-well-formed/>` (RFC 6120
    /// §4.9.3.13), not `<bad-format/>`.
    NotWellFormed,
    /// DIGEST-MD5's `rspauth` proves the server knows the password
    /// (RFC 2831 §2.1.3).
    DigestMd5Rspauth,
    /// SCRAM's `v=` is the ServerSignature (RFC 5802 §3, §5.1).
    ScramServerSignature,
    /// A wrong password fails with `<not-authorized/>` (RFC 6120 §6.4.5,
    /// §6.5.10).
    PasswordChecked,
    /// A SASL failure names its condition (RFC 6120 §6.5): `aborted`,
    /// `incorrect-encoding`, `invalid-mechanism`, ...
    SaslFailureConditions,
    /// The bound JID is the account's, at the served domain (RFC 6120
    /// §7.6.1).
    BindJid,
    /// An iq response carries the request's id (RFC 6120 §8.2.3).
    IqResponseId,
    /// The client's closing tag is answered with the server's (RFC 6120
    /// §4.4).
    AnswerClose,
    /// The WebSocket handshake echoes the `xmpp` subprotocol (RFC 7395
    /// §3.1).
    WebSocketSubprotocol,
    /// No STARTTLS over WebSocket (RFC 7395 §3.9).
    WebSocketNoStartTls,
    /// `<open/>` and `<close/>` outside the framing namespace are
    /// `invalid-namespace` (RFC 7395 §3.3.2).
    WebSocketFramingNamespace,
    /// One complete element per message: a message holding more, or
    /// less, is an error (RFC 7395 §3.3.3).
    WebSocketOneElement,
    /// Text messages only (RFC 7395 §3.2).
    WebSocketTextOnly,
    /// A WebSocket ping is answered with a pong (RFC 6455 §5.5.2).
    WebSocketPing,
    /// The BOSH `wait` granted is no more than the client asked for
    /// (XEP-0124 §7.2).
    BoshWait,
    /// The BOSH creation response announces `requests`, `hold`, `ver`,
    /// `polling` and `inactivity` (XEP-0124 §7.2).
    BoshSessionAttributes,
    /// The BOSH creation response announces `xmpp:restartlogic`
    /// (XEP-0206 §4).
    BoshRestartLogic,
    /// `xmpp:restart='true'` restarts the stream (XEP-0206 §5).
    BoshRestart,
    /// Each BOSH session has its own `sid` (XEP-0124 §7.2).
    BoshSidUnique,
    /// An unknown `sid` is `item-not-found` (XEP-0124 §17.2).
    BoshUnknownSid,
    /// A `rid` beyond the window is `item-not-found` (XEP-0124 §14.2).
    BoshRidWindow,
    /// Requests are processed in `rid` order (XEP-0124 §14.2).
    BoshRidOrder,
    /// A repeated `rid` gets the response sent before (XEP-0124 §14.3).
    BoshReplay,
    /// An empty BOSH request is held until there is something to send or
    /// `wait` passes (XEP-0124 §8).
    BoshHold,
    /// More simultaneous requests than `requests` is `policy-violation`
    /// (XEP-0124 §11).
    BoshOveractivity,
    /// Polling more often than `polling` is `policy-violation` (XEP-0124
    /// §12).
    BoshPolling,
    /// A BOSH session idle past `inactivity` ends (XEP-0124 §10).
    BoshInactivity,
    /// A stream error over BOSH is `type='terminate'` with
    /// `remote-stream-error` (XEP-0206 §6).
    BoshRemoteStreamError,
    /// A request that cannot be read is `bad-request` (XEP-0124 §17.2).
    BoshBadRequest,
    /// A creation request without `to` is `improper-addressing`, one for
    /// another host `host-unknown` (XEP-0124 §17.2).
    BoshAddressing,
    /// The payloads of a `type='terminate'` request are forwarded
    /// (XEP-0124 §13).
    BoshTerminatePayload,
    /// Responses are `text/xml; charset=utf-8` unless the client asked
    /// otherwise (XEP-0124 §7.1).
    BoshContentType,
    /// A `pause` request gets every held request answered at once and
    /// sets the inactivity period to the pause (XEP-0124 §10).
    BoshPause,
    /// Once the creation response has `ack`, every response has it
    /// (XEP-0124 §9).
    BoshAck,
    /// A request whose `key` does not hash to the previous `newkey` or
    /// `key` ends the session with `item-not-found` (XEP-0124 §15).
    BoshKey,
    /// A WebSocket Close frame is answered with a Close frame (RFC 6455
    /// §5.5.1, the closing handshake RFC 7395 §3.6 asks for).
    WebSocketCloseHandshake,
    /// Every response header carries a stream id of its own, on each restart
    /// and each connection (RFC 6120 §4.7.3).
    StreamIdFresh,
    /// An `id` on the client's header is ignored: the stream id is the
    /// server's (RFC 6120 §4.7.3).
    ClientStreamId,
    /// The response header's `to` is the client's `from`, and absent
    /// without one (RFC 6120 §4.7.2).
    ResponseTo,
    /// The response header carries `xml:lang` (RFC 6120 §4.7.4).
    ResponseLang,
    /// A first-level element that is no stanza gets
    /// `<unsupported-stanza-type/>` (RFC 6120 §4.9.3.24).
    UnsupportedStanzaType,
    /// Data the client sent along with `<starttls/>` is never processed
    /// (RFC 6120 §5.4.2.3, §5.4.3.1).
    StartTlsPipelined,
    /// An authorization identity the account may not act for fails
    /// (RFC 6120 §6.3.8, §6.5.6).
    AuthzidChecked,
    /// Failed SASL attempts are limited; past the limit the stream ends
    /// with a stream error (RFC 6120 §6.4.5).
    AuthRetries,
    /// Resource binding is offered only after SASL (RFC 6120 §7.4).
    BindAfterAuth,
    /// Stanzas after SASL but before binding get `<not-authorized/>`
    /// (RFC 6120 §7.1, §4.9.3.12).
    BindBeforeStanzas,
    /// Nothing a client sends before authentication is routed (RFC 6120
    /// §4.3.5, §4.9.3.12).
    UnauthenticatedRouting,
    /// A requested resource that is no valid resourcepart is refused
    /// (RFC 6120 §7.7.2.1, RFC 7622 §3.4).
    ResourcePrep,
    /// A malformed `to` gets `jid-malformed` (RFC 6120 §8.3.3.8, RFC 7622
    /// §3).
    JidMalformed,
    /// Localparts compare without case (RFC 7622 §3.3.1).
    JidCase,
    /// A routed stanza keeps its `xml:lang` (RFC 6120 §8.1.5).
    StanzaLang,
    /// The server's own replies name it in `from` (RFC 6120 §8.1.2.1).
    ReplyFrom,
    /// An iq or presence of an undefined type gets `bad-request`
    /// (RFC 6120 §8.2.3, §8.3.3.1).
    StanzaType,
    /// An iq result or error is never answered (RFC 6120 §8.2.3).
    NoReplyToResponse,
    /// Routed stanzas keep extended content the server does not know
    /// (RFC 6120 §8.4).
    ExtendedContent,
    /// Stanzas of up to 10000 bytes are accepted (RFC 6120 §13.12).
    StanzaSizeFloor,
    /// An iq to an account that does not exist gets `service-unavailable`
    /// (RFC 6120 §10.5.3.1).
    NoSuchUser,
    /// Stanzas to an unreachable domain get `remote-server-not-found`
    /// (RFC 6120 §10.4.3, §8.3.3.16).
    RemoteDomain,
    /// A roster change is pushed to every interested resource (RFC 6121 §2.3.2).
    RosterPush,
    /// Removing a JID not in the roster gets `item-not-found` (RFC 6121 §2.5.3).
    RosterItemNotFound,
    /// A roster set holds exactly one item, else `bad-request` (RFC 6121 §2.1.5, §2.3.3).
    RosterOneItem,
    /// Only the account itself reads or changes its roster (RFC 6121 §2, §2.1.5).
    RosterAccess,
    /// An update replaces the item whole (RFC 6121 §2.4.1).
    RosterItemWhole,
    /// Subscription presence carries the sender's bare JID (RFC 6121 §3).
    SubscriptionFromBare,
    /// An outbound request is pushed as pending (RFC 6121 §3.1.2).
    SubscriptionPending,
    /// Requests wait for the contact's answer (RFC 6121 §3.1.3).
    AutoApprove,
    /// A request is kept until the contact is available (RFC 6121 §3.1.3).
    SubscriptionStored,
    /// An approval makes the requester's item 'to' and brings the contact's presence (RFC 6121 §3.1.6).
    SubscriptionApproval,
    /// A pre-approval is noted in the roster, not routed (RFC 6121 §3.4.2).
    PreApproval,
    /// Cancelling and unsubscribing end the subscription on both sides (RFC 6121 §3.2, §3.3).
    Cancellation,
    /// Broadcast presence goes to the subscribers (RFC 6121 §4.2.2, §4.4.2, §4.5.2).
    PresenceBroadcast,
    /// A new presence session gets the contacts' current presence (RFC 6121 §4.2.2, §4.3.2).
    PresenceProbe,
    /// Presence goes to subscribers only (RFC 6121 §4.4.2, §11).
    PresenceLeak,
    /// Directed presence does not add its recipient to broadcasts (RFC 6121 §4.6.3).
    DirectedPresence,
    /// The server announces a session that ends without unavailable presence (RFC 6121 §4.5.2).
    UnavailableOnClose,
    /// A bare-JID message goes to the most available resource (RFC 6121 §8.5.2.1.1).
    MessageToBare,
    /// No bare-JID message reaches a negative priority (RFC 6121 §8.5.2.1.1).
    NegativePriority,
    /// A bare-JID headline goes to every non-negative resource (RFC 6121 §8.5.2.1.1).
    HeadlineToAll,
    /// Groupchat to a user's bare JID is refused (RFC 6121 §8.5.2.1.1).
    GroupchatToBare,
    /// A bare-JID message keeps its 'to' (RFC 6121 §8.5.2.1.1).
    BareToKept,
    /// An empty roster is an empty result, not an error (RFC 6121 §2.1.4).
    RosterEmpty,
    /// Duplicate or empty groups get `not-acceptable` (RFC 6121 §2.3.3).
    RosterGroups,
    /// A probe reveals presence to subscribers only (RFC 6121 §4.3.2, §11).
    ProbeLeak,
    /// An error for a message or presence keeps its `id` (RFC 6120 §8.3.1).
    ErrorId,
    /// Unknown parts of a message or presence are ignored (RFC 6120 §8.4).
    UnknownExtension,
    /// Errors tell nobody whether an account is online (RFC 6120 §8.3.3.19, §13.10.2).
    AvailabilityLeak,
    /// Payloads are recognised by namespace, whatever the prefix (RFC 6120 §8.4).
    PrefixDependent,
    /// A language added to a stanza is the sender's stream's (RFC 6120 §4.7.4).
    OwnLang,
    /// Answers for the account come from no one or its bare JID (RFC 6120 §8.1.2.1).
    AccountReplyFrom,
    /// A message without 'to' goes to the sender's bare JID (RFC 6120 §10.3.1).
    MessageWithoutTo,
    /// The timing of a stanza's parts means nothing (RFC 6120 §8).
    PartialStanza,
    /// A request is carried out before what follows it (RFC 6120 §10.1).
    RosterSetDeferred,
    /// The header before `host-unknown` names one of the server's own domains, or none (RFC 6120 §4.9.1.3).
    HostUnknownFrom,
    /// U+FEFF in a stanza is a character, kept as it is (RFC 6120 §11.6).
    Zwnbsp,
    /// SCRAM-SHA-1 is offered, as §13.8 makes it mandatory (RFC 6120 §13.8.1, §13.8.3).
    ScramSha1,
    /// Past the bind retry limit the stream closes with `policy-violation` (RFC 6120 §7.7.3).
    BindRetries,
    /// No features are offered once negotiation is complete (RFC 6120 §4.3.5).
    FeaturesAfterNegotiation,
    /// What the client said before TLS is forgotten after it (RFC 6120 §5.4.3.3).
    ClearTextForgotten,
    /// A declaration with standalone='no' is ignored or refused with a stream error (RFC 6120 §11.5).
    Standalone,
    /// First-level elements in another namespace are never routed (RFC 6120 §4.8.4).
    ForeignNamespaceRouted,
    /// Stanzas written with a prefix for the content namespace are passed on without it (RFC 6120 §4.8.5).
    PrefixCorrected,
    /// A stream over TLS ends with TLS close_notify before TCP closes (RFC 6120 §4.4).
    CloseNotify,
    /// The certificate presented has a subject (RFC 6120 §13.7.1.1).
    CertificateSubject,
    /// STARTTLS is marked `<required/>` whenever TLS is mandatory in effect (RFC 6120 §5.4.1).
    RequiredAdvertised,
    /// SASL EXTERNAL without an authorization identity (`=`) authenticates
    /// the account the client certificate names (XEP-0178 §2, RFC 4422
    /// Appendix A).
    ExternalDerivesIdentity,
}

impl Rule {
    /// Every rule, in the order `serve --list-faults` prints them.
    pub const ALL: [Rule; 122] = [
        Rule::StreamNamespace,
        Rule::StreamId,
        Rule::Version,
        Rule::HostKnown,
        Rule::ToRequired,
        Rule::ContentNamespace,
        Rule::AnswerClose,
        Rule::ErrorOnBadXml,
        Rule::CloseAfterError,
        Rule::NotWellFormed,
        Rule::RestrictedXml,
        Rule::OfferStartTls,
        Rule::NoStartTlsAfterTls,
        Rule::TlsAfterProceed,
        Rule::PlainOnlyOverTls,
        Rule::PasswordChecked,
        Rule::SaslFailureConditions,
        Rule::DigestMd5Rspauth,
        Rule::ScramServerSignature,
        Rule::AuthBeforeStanzas,
        Rule::BindJid,
        Rule::ResourceConflict,
        Rule::StampFrom,
        Rule::IqErrors,
        Rule::IqResponseId,
        Rule::WebSocketSubprotocol,
        Rule::WebSocketFramingNamespace,
        Rule::WebSocketOneElement,
        Rule::WebSocketTextOnly,
        Rule::WebSocketPing,
        Rule::WebSocketNoStartTls,
        Rule::BoshWait,
        Rule::BoshSessionAttributes,
        Rule::BoshRestartLogic,
        Rule::BoshRestart,
        Rule::BoshSidUnique,
        Rule::BoshUnknownSid,
        Rule::BoshRidWindow,
        Rule::BoshRidOrder,
        Rule::BoshReplay,
        Rule::BoshHold,
        Rule::BoshOveractivity,
        Rule::BoshPolling,
        Rule::BoshInactivity,
        Rule::BoshRemoteStreamError,
        Rule::BoshBadRequest,
        Rule::BoshAddressing,
        Rule::BoshTerminatePayload,
        Rule::BoshContentType,
        Rule::BoshPause,
        Rule::BoshAck,
        Rule::BoshKey,
        Rule::WebSocketCloseHandshake,
        Rule::StreamIdFresh,
        Rule::ClientStreamId,
        Rule::ResponseTo,
        Rule::ResponseLang,
        Rule::UnsupportedStanzaType,
        Rule::StartTlsPipelined,
        Rule::AuthzidChecked,
        Rule::AuthRetries,
        Rule::BindAfterAuth,
        Rule::BindBeforeStanzas,
        Rule::UnauthenticatedRouting,
        Rule::ResourcePrep,
        Rule::JidMalformed,
        Rule::JidCase,
        Rule::StanzaLang,
        Rule::ReplyFrom,
        Rule::StanzaType,
        Rule::NoReplyToResponse,
        Rule::ExtendedContent,
        Rule::StanzaSizeFloor,
        Rule::NoSuchUser,
        Rule::RemoteDomain,
        Rule::RosterPush,
        Rule::RosterItemNotFound,
        Rule::RosterOneItem,
        Rule::RosterAccess,
        Rule::RosterItemWhole,
        Rule::SubscriptionFromBare,
        Rule::SubscriptionPending,
        Rule::AutoApprove,
        Rule::SubscriptionStored,
        Rule::SubscriptionApproval,
        Rule::PreApproval,
        Rule::Cancellation,
        Rule::PresenceBroadcast,
        Rule::PresenceProbe,
        Rule::PresenceLeak,
        Rule::DirectedPresence,
        Rule::UnavailableOnClose,
        Rule::MessageToBare,
        Rule::NegativePriority,
        Rule::HeadlineToAll,
        Rule::GroupchatToBare,
        Rule::BareToKept,
        Rule::RosterEmpty,
        Rule::RosterGroups,
        Rule::ProbeLeak,
        Rule::ErrorId,
        Rule::UnknownExtension,
        Rule::AvailabilityLeak,
        Rule::PrefixDependent,
        Rule::OwnLang,
        Rule::AccountReplyFrom,
        Rule::MessageWithoutTo,
        Rule::PartialStanza,
        Rule::RosterSetDeferred,
        Rule::HostUnknownFrom,
        Rule::Zwnbsp,
        Rule::ScramSha1,
        Rule::BindRetries,
        Rule::FeaturesAfterNegotiation,
        Rule::ClearTextForgotten,
        Rule::Standalone,
        Rule::ForeignNamespaceRouted,
        Rule::PrefixCorrected,
        Rule::CloseNotify,
        Rule::CertificateSubject,
        Rule::RequiredAdvertised,
        Rule::ExternalDerivesIdentity,
    ];

    /// The fault's name on the command line (`--fault NAME`): kebab-case.
    pub fn name(self) -> &'static str {
        self.about().0
    }

    /// What the server does wrong when it breaks this rule, in one line.
    pub fn fault(self) -> &'static str {
        self.about().1
    }

    /// Where the rule is written.
    pub fn spec(self) -> &'static str {
        self.about().2
    }

    /// The rule named `name` ([`Rule::name`]).
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    fn about(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Rule::ContentNamespace => (
                "content-namespace",
                "any content namespace is accepted, not only jabber:client",
                "RFC 6120 §4.8.2, §4.9.3.10",
            ),
            Rule::Version => (
                "version",
                "the client's version is echoed in the response header and never refused",
                "RFC 6120 §4.7.5, §4.9.3.25",
            ),
            Rule::HostKnown => (
                "host-known",
                "a header whose 'to' names another domain is accepted",
                "RFC 6120 §4.9.3.6",
            ),
            Rule::ToRequired => (
                "to-required",
                "a header without 'to' is refused with host-unknown instead of accepted",
                "RFC 6120 §4.7.2",
            ),
            Rule::CloseAfterError => (
                "close-after-error",
                "a stream error is not followed by the closing tag and the close",
                "RFC 6120 §4.9.1.1",
            ),
            Rule::OfferStartTls => (
                "offer-starttls",
                "STARTTLS is not offered",
                "RFC 6120 §5.3.1",
            ),
            Rule::NoStartTlsAfterTls => (
                "no-starttls-after-tls",
                "STARTTLS is still offered once TLS is on",
                "RFC 6120 §5.4.3.3",
            ),
            Rule::TlsAfterProceed => (
                "tls-after-proceed",
                "after <proceed/> the server sends its features again in clear text, not TLS",
                "RFC 6120 §5.4.2.3, §5.4.3.1",
            ),
            Rule::PlainOnlyOverTls => (
                "plain-only-over-tls",
                "PLAIN is offered and accepted without TLS",
                "RFC 4616 §6, RFC 6120 §13.8",
            ),
            Rule::AuthBeforeStanzas => (
                "auth-before-stanzas",
                "stanzas before authentication are dropped silently, the stream stays open",
                "RFC 6120 §4.9.3.12",
            ),
            Rule::ResourceConflict => (
                "resource-conflict",
                "a session whose resource is taken over is closed without <conflict/>",
                "RFC 6120 §7.7.2.2",
            ),
            Rule::StampFrom => (
                "stamp-from",
                "routed stanzas keep the sender's 'from' (or none) instead of its full JID",
                "RFC 6120 §8.1.2.1",
            ),
            Rule::IqErrors => (
                "iq-errors",
                "an iq request the server does not understand gets no answer",
                "RFC 6120 §8.4",
            ),
            Rule::StreamId => (
                "stream-id",
                "the response stream header has no id",
                "RFC 6120 §4.7.3",
            ),
            Rule::StreamNamespace => (
                "stream-namespace",
                "the server's stream header uses a wrong stream namespace",
                "RFC 6120 §4.8.1",
            ),
            Rule::ErrorOnBadXml => (
                "error-on-bad-xml",
                "XML the parser refuses closes the stream without a stream error",
                "RFC 6120 §4.9.1.1, §4.9.3.13",
            ),
            Rule::RestrictedXml => (
                "restricted-xml",
                "comments and processing instructions are dropped silently",
                "RFC 6120 §11.1",
            ),
            Rule::NotWellFormed => (
                "not-well-formed",
                "XML that is not well-formed gets <bad-format/> instead of <not-well-formed/>",
                "RFC 6120 §4.9.3.13",
            ),
            Rule::DigestMd5Rspauth => (
                "digest-md5-rspauth",
                "DIGEST-MD5's rspauth is wrong",
                "RFC 2831 §2.1.3",
            ),
            Rule::ScramServerSignature => (
                "scram-server-signature",
                "SCRAM's server signature (v=) is wrong",
                "RFC 5802 §3, §5.1",
            ),
            Rule::PasswordChecked => (
                "password-checked",
                "PLAIN succeeds with any password of a known account",
                "RFC 6120 §6.4.5, §6.5.10",
            ),
            Rule::SaslFailureConditions => (
                "sasl-failure-conditions",
                "every SASL failure is <not-authorized/>, whatever went wrong",
                "RFC 6120 §6.5",
            ),
            Rule::BindJid => (
                "bind-jid",
                "the bound JID names another domain",
                "RFC 6120 §7.6.1",
            ),
            Rule::IqResponseId => (
                "iq-response-id",
                "the server's iq results carry another id than the request",
                "RFC 6120 §8.2.3",
            ),
            Rule::AnswerClose => (
                "answer-close",
                "the client's closing tag is answered by dropping the connection, without </stream:stream>",
                "RFC 6120 §4.4",
            ),
            Rule::WebSocketSubprotocol => (
                "websocket-subprotocol",
                "the WebSocket handshake response does not echo the xmpp subprotocol",
                "RFC 7395 §3.1",
            ),
            Rule::WebSocketNoStartTls => (
                "websocket-no-starttls",
                "STARTTLS is offered over WebSocket",
                "RFC 7395 §3.9",
            ),
            Rule::WebSocketFramingNamespace => (
                "websocket-framing-namespace",
                "an <open/> outside the framing namespace is taken as the stream header",
                "RFC 7395 §3.3.2",
            ),
            Rule::WebSocketOneElement => (
                "websocket-one-element",
                "WebSocket messages are read as one byte stream: several elements in one are taken, half of one waits for the rest",
                "RFC 7395 §3.3.3",
            ),
            Rule::WebSocketPing => (
                "websocket-ping",
                "a WebSocket ping is answered by hanging up, without a pong",
                "RFC 6455 §5.5.2, RFC 7395 §3.8",
            ),
            Rule::WebSocketTextOnly => (
                "websocket-text-only",
                "a binary WebSocket message is read as if it were text",
                "RFC 7395 §3.2",
            ),
            Rule::BoshWait => (
                "bosh-wait",
                "the BOSH creation response grants a wait one second longer than the client asked for",
                "XEP-0124 §7.2",
            ),
            Rule::BoshSessionAttributes => (
                "bosh-session-attributes",
                "the BOSH creation response has no requests, hold, ver, polling or inactivity",
                "XEP-0124 §7.2",
            ),
            Rule::BoshRestartLogic => (
                "bosh-restart-logic",
                "the BOSH creation response has no xmpp:restartlogic='true'",
                "XEP-0206 §4",
            ),
            Rule::BoshRestart => (
                "bosh-restart",
                "a BOSH xmpp:restart='true' request does not restart the stream",
                "XEP-0206 §5",
            ),
            Rule::BoshSidUnique => (
                "bosh-sid-unique",
                "every BOSH session gets the same sid",
                "XEP-0124 §7.2",
            ),
            Rule::BoshUnknownSid => (
                "bosh-unknown-sid",
                "a BOSH request for an unknown sid gets an empty <body/>, not item-not-found",
                "XEP-0124 §17.2",
            ),
            Rule::BoshRidWindow => (
                "bosh-rid-window",
                "any BOSH rid is taken as the next one, however far beyond the window",
                "XEP-0124 §14.2",
            ),
            Rule::BoshRidOrder => (
                "bosh-rid-order",
                "a BOSH request that comes ahead of a missing rid is processed at once",
                "XEP-0124 §14.2",
            ),
            Rule::BoshReplay => (
                "bosh-replay",
                "a repeated BOSH rid gets item-not-found, not the response sent before",
                "XEP-0124 §14.3",
            ),
            Rule::BoshHold => (
                "bosh-hold",
                "BOSH requests are answered at once, never held",
                "XEP-0124 §8",
            ),
            Rule::BoshOveractivity => (
                "bosh-overactivity",
                "more BOSH requests than 'requests' at once are served, not refused",
                "XEP-0124 §11",
            ),
            Rule::BoshPolling => (
                "bosh-polling",
                "BOSH empty requests closer than 'polling' are served, not refused",
                "XEP-0124 §12",
            ),
            Rule::BoshInactivity => (
                "bosh-inactivity",
                "a BOSH session never times out",
                "XEP-0124 §10",
            ),
            Rule::BoshRemoteStreamError => (
                "bosh-remote-stream-error",
                "a stream error over BOSH is a plain payload, not type='terminate' with remote-stream-error",
                "XEP-0206 §6, XEP-0124 §17.2",
            ),
            Rule::BoshBadRequest => (
                "bosh-bad-request",
                "a BOSH request that cannot be read gets an empty <body/>, not bad-request",
                "XEP-0124 §17.2",
            ),
            Rule::BoshAddressing => (
                "bosh-addressing",
                "a BOSH creation request without 'to', or for another host, is not refused at the BOSH level",
                "XEP-0124 §17.2",
            ),
            Rule::BoshTerminatePayload => (
                "bosh-terminate-payload",
                "the payloads of a BOSH type='terminate' request are dropped",
                "XEP-0124 §13",
            ),
            Rule::BoshContentType => (
                "bosh-content-type",
                "BOSH responses are application/xml, not text/xml; charset=utf-8",
                "XEP-0124 §7.1",
            ),
            Rule::BoshPause => (
                "bosh-pause",
                "a BOSH pause request is served as an ordinary one: held requests are not answered at once, the inactivity period is not the pause",
                "XEP-0124 §10",
            ),
            Rule::BoshAck => (
                "bosh-ack",
                "a BOSH session creation response has 'ack', later responses do not",
                "XEP-0124 §9",
            ),
            Rule::BoshKey => (
                "bosh-key",
                "a BOSH request whose key does not match the key sequence is refused, but the session goes on",
                "XEP-0124 §15",
            ),
            Rule::WebSocketCloseHandshake => (
                "websocket-close-handshake",
                "a WebSocket Close frame is answered by dropping the connection, without a Close frame",
                "RFC 6455 §5.5.1, RFC 7395 §3.6",
            ),
            Rule::StreamIdFresh => (
                "stream-id-fresh",
                "every stream header carries the same id, on every restart and connection",
                "RFC 6120 §4.7.3",
            ),
            Rule::ClientStreamId => (
                "client-stream-id",
                "an id on the client's stream header is echoed as the stream id",
                "RFC 6120 §4.7.3",
            ),
            Rule::ResponseTo => (
                "response-to",
                "the response header's 'to' is the server's own domain, not the client's 'from' (or nothing)",
                "RFC 6120 §4.7.2",
            ),
            Rule::ResponseLang => (
                "response-lang",
                "the response stream header has no xml:lang",
                "RFC 6120 §4.7.4",
            ),
            Rule::UnsupportedStanzaType => (
                "unsupported-stanza-type",
                "a first-level element that is not a stanza is ignored, the stream stays open",
                "RFC 6120 §4.9.3.24",
            ),
            Rule::StartTlsPipelined => (
                "starttls-pipelined",
                "stanzas sent with <starttls/> are kept and processed on the stream after TLS",
                "RFC 6120 §5.4.2.3, §5.4.3.1",
            ),
            Rule::AuthzidChecked => (
                "authzid-checked",
                "PLAIN succeeds whatever authorization identity comes with the credentials",
                "RFC 6120 §6.3.8, §6.5.6",
            ),
            Rule::AuthRetries => (
                "auth-retries",
                "failed authentication attempts are never limited: the stream stays open after any number",
                "RFC 6120 §6.4.5",
            ),
            Rule::BindAfterAuth => (
                "bind-after-auth",
                "resource binding is offered in the features before authentication",
                "RFC 6120 §7.4",
            ),
            Rule::BindBeforeStanzas => (
                "bind-before-stanzas",
                "stanzas between SASL success and binding are dropped silently, the stream stays open",
                "RFC 6120 §7.1, §4.9.3.12",
            ),
            Rule::UnauthenticatedRouting => (
                "unauthenticated-routing",
                "a message sent before authentication is delivered to the session it names",
                "RFC 6120 §4.3.5, §4.9.3.12",
            ),
            Rule::ResourcePrep => (
                "resource-prep",
                "a requested resource is bound as sent, control characters and over-long ones included",
                "RFC 6120 §7.7.2.1, RFC 7622 §3.4",
            ),
            Rule::JidMalformed => (
                "jid-malformed",
                "a malformed 'to' is not refused: it is handled as an address that does not exist",
                "RFC 6120 §8.3.3.8, RFC 7622 §3",
            ),
            Rule::JidCase => (
                "jid-case",
                "localparts compare case-sensitively",
                "RFC 7622 §3.3.1",
            ),
            Rule::StanzaLang => (
                "stanza-lang",
                "routed stanzas lose their xml:lang",
                "RFC 6120 §8.1.5",
            ),
            Rule::ReplyFrom => (
                "reply-from",
                "the server's own iq results carry no 'from'",
                "RFC 6120 §8.1.2.1",
            ),
            Rule::StanzaType => (
                "stanza-type",
                "an iq or presence of a type RFC 6120 does not define is handled as a known one",
                "RFC 6120 §8.2.3, §8.3.3.1",
            ),
            Rule::NoReplyToResponse => (
                "no-reply-to-response",
                "an iq result or error sent to the server is answered with an error",
                "RFC 6120 §8.2.3",
            ),
            Rule::ExtendedContent => (
                "extended-content",
                "child elements in namespaces the server does not know are stripped from routed stanzas",
                "RFC 6120 §8.4",
            ),
            Rule::StanzaSizeFloor => (
                "stanza-size-floor",
                "stanzas over 4 KiB are refused, below the 10000 bytes every server must take",
                "RFC 6120 §13.12",
            ),
            Rule::NoSuchUser => (
                "no-such-user",
                "an iq to an account that does not exist gets item-not-found, which tells the account is missing",
                "RFC 6120 §10.5.3.1",
            ),
            Rule::RemoteDomain => (
                "remote-domain",
                "stanzas to a domain the server cannot reach are dropped without an error",
                "RFC 6120 §10.4.3, §8.3.3.16",
            ),
            Rule::RosterPush => (
                "roster-push",
                "a roster set is answered, but no roster push goes to the interested resources",
                "RFC 6121 §2.3.2, §2.2",
            ),
            Rule::RosterItemNotFound => (
                "roster-item-not-found",
                "removing a JID that is not in the roster is answered with a result",
                "RFC 6121 §2.5.3",
            ),
            Rule::RosterOneItem => (
                "roster-one-item",
                "a roster set with several items is carried out on the first",
                "RFC 6121 §2.1.5, §2.3.3",
            ),
            Rule::RosterAccess => (
                "roster-access",
                "another account's roster is read and changed by whoever asks",
                "RFC 6121 §2, §2.1.5",
            ),
            Rule::RosterItemWhole => (
                "roster-item-whole",
                "an update keeps the groups the roster set left out",
                "RFC 6121 §2.4.1",
            ),
            Rule::SubscriptionFromBare => (
                "subscription-from-bare",
                "subscription presence is stamped with the sender's full JID",
                "RFC 6121 §3, §3.1.2",
            ),
            Rule::SubscriptionPending => (
                "subscription-pending",
                "no roster push with ask='subscribe' follows an outbound request",
                "RFC 6121 §3.1.2",
            ),
            Rule::AutoApprove => (
                "auto-approve",
                "subscription requests are approved by the server on the contact's behalf",
                "RFC 6121 §3.1.3",
            ),
            Rule::SubscriptionStored => (
                "subscription-stored",
                "a request to a contact with no available resource is dropped",
                "RFC 6121 §3.1.3",
            ),
            Rule::SubscriptionApproval => (
                "subscription-approval",
                "an approval reaches the requester but changes neither its roster nor sends the contact's presence",
                "RFC 6121 §3.1.6",
            ),
            Rule::PreApproval => (
                "pre-approval",
                "a pre-approval is routed to the contact instead of noted",
                "RFC 6121 §3.4.2",
            ),
            Rule::Cancellation => (
                "cancellation",
                "an inbound unsubscribe or unsubscribed changes no subscription",
                "RFC 6121 §3.2.3, §3.3.3",
            ),
            Rule::PresenceBroadcast => (
                "presence-broadcast",
                "broadcast presence goes to the account's own resources but to no subscriber",
                "RFC 6121 §4.2.2, §4.4.2, §4.5.2",
            ),
            Rule::PresenceProbe => (
                "presence-probe",
                "a resource that becomes available is not sent its contacts' presence",
                "RFC 6121 §4.2.2, §4.3.2",
            ),
            Rule::PresenceLeak => (
                "presence-leak",
                "broadcast presence goes to every roster contact, subscribed or not",
                "RFC 6121 §4.4.2, §11",
            ),
            Rule::DirectedPresence => (
                "directed-presence",
                "an entity sent directed presence gets the later broadcasts too",
                "RFC 6121 §4.6.3",
            ),
            Rule::UnavailableOnClose => (
                "unavailable-on-close",
                "a session that ends without unavailable presence is announced to its own account only",
                "RFC 6121 §4.5.2, §4.6.3",
            ),
            Rule::MessageToBare => (
                "message-to-bare",
                "a message to a bare JID goes to the available resource with the lowest priority",
                "RFC 6121 §8.5.2.1.1",
            ),
            Rule::NegativePriority => (
                "negative-priority",
                "resources with negative priority get messages sent to the bare JID",
                "RFC 6121 §8.5.2.1.1",
            ),
            Rule::HeadlineToAll => (
                "headline-to-all",
                "a headline to a bare JID reaches one resource only",
                "RFC 6121 §8.5.2.1.1",
            ),
            Rule::GroupchatToBare => (
                "groupchat-to-bare",
                "a groupchat message to a user's bare JID is delivered instead of bounced",
                "RFC 6121 §8.5.2.1.1, §8.5.2.2.1",
            ),
            Rule::BareToKept => (
                "bare-to-kept",
                "a bare-JID message is delivered with 'to' rewritten to the resource's full JID",
                "RFC 6121 §8.5.2.1.1",
            ),
            Rule::RosterEmpty => (
                "roster-empty",
                "a roster get on a roster with no items gets item-not-found",
                "RFC 6121 §2.1.4",
            ),
            Rule::RosterGroups => (
                "roster-groups",
                "a roster item naming a group twice, or an empty group, is stored",
                "RFC 6121 §2.3.3",
            ),
            Rule::ProbeLeak => (
                "probe-leak",
                "a probe from an entity with no subscription is answered with the contact's presence",
                "RFC 6121 §4.3.2, §11",
            ),
            Rule::ErrorId => (
                "error-id",
                "the error for a message or presence leaves out the id the stanza had",
                "RFC 6120 §8.3.1",
            ),
            Rule::UnknownExtension => (
                "unknown-extension",
                "a message or presence carrying an element in a namespace other than jabber:client is refused with bad-request",
                "RFC 6120 §8.4",
            ),
            Rule::AvailabilityLeak => (
                "availability-leak",
                "a stanza to an existing account's resource that is not connected gets item-not-found (iq) or recipient-unavailable (message), unlike one to its bare JID",
                "RFC 6120 §8.3.3.19, §13.10.2",
            ),
            Rule::PrefixDependent => (
                "prefix-dependent",
                "an iq payload written with a namespace prefix is not recognised and gets service-unavailable",
                "RFC 6120 §8.4",
            ),
            Rule::OwnLang => (
                "own-lang",
                "a routed stanza without xml:lang gets the server's language, 'en', not the sender's stream's",
                "RFC 6120 §4.7.4",
            ),
            Rule::AccountReplyFrom => (
                "account-reply-from",
                "the server's answer to an iq without 'to' comes from its domain, not from the account",
                "RFC 6120 §8.1.2.1, §10.3.3",
            ),
            Rule::MessageWithoutTo => (
                "message-without-to",
                "a message without 'to' is taken as addressed to the server and refused with service-unavailable",
                "RFC 6120 §10.3.1",
            ),
            Rule::PartialStanza => (
                "partial-stanza",
                "a stanza whose rest comes 100 ms after its start ends the stream with <connection-timeout/>",
                "RFC 6120 §8",
            ),
            Rule::RosterSetDeferred => (
                "roster-set-deferred",
                "a roster set is carried out only after the element that follows it in the same read, as if its write were queued",
                "RFC 6120 §10.1",
            ),
            Rule::HostUnknownFrom => (
                "host-unknown-from",
                "the header sent before <host-unknown/> names the unknown host the client asked for as its 'from'",
                "RFC 6120 §4.9.1.3",
            ),
            Rule::Zwnbsp => (
                "zwnbsp",
                "U+FEFF in routed stanzas is taken for a byte order mark and dropped",
                "RFC 6120 §11.6",
            ),
            Rule::ScramSha1 => (
                "scram-sha1",
                "SCRAM-SHA-1 is not offered",
                "RFC 6120 §13.8.1, §13.8.3",
            ),
            Rule::BindRetries => (
                "bind-retries",
                "past the bind retry limit the stream is closed with <not-authorized/> instead of <policy-violation/>",
                "RFC 6120 §7.7.3",
            ),
            Rule::FeaturesAfterNegotiation => (
                "features-after-negotiation",
                "after resource binding, a further <stream:features/> offers a new feature",
                "RFC 6120 §4.3.5",
            ),
            Rule::ClearTextForgotten => (
                "clear-text-forgotten",
                "the 'from' of the client's header before TLS is kept, and answered as 'to' on the stream over TLS",
                "RFC 6120 §5.4.3.3",
            ),
            Rule::Standalone => (
                "standalone",
                "a declaration with standalone='no' makes the server hang up, without a stream error",
                "RFC 6120 §11.5",
            ),
            Rule::ForeignNamespaceRouted => (
                "foreign-namespace-routed",
                "a first-level element in another namespace with a 'to' is delivered to that full JID",
                "RFC 6120 §4.8.4",
            ),
            Rule::PrefixCorrected => (
                "prefix-corrected",
                "a stanza written with a prefix for jabber:client is routed with that prefix",
                "RFC 6120 §4.8.5",
            ),
            Rule::CloseNotify => (
                "close-notify",
                "a stream over TLS is closed by ending TCP, without TLS close_notify",
                "RFC 6120 §4.4",
            ),
            Rule::CertificateSubject => (
                "certificate-subject",
                "the TLS certificate presented has an empty subject",
                "RFC 6120 §13.7.1.1",
            ),
            Rule::RequiredAdvertised => (
                "required-advertised",
                "no SASL mechanism is offered before TLS, yet <starttls/> carries no <required/>",
                "RFC 6120 §5.4.1",
            ),
            Rule::ExternalDerivesIdentity => (
                "external-derives-identity",
                "EXTERNAL without an authzid fails: the account is not taken from the client certificate",
                "XEP-0178 §2, RFC 4422 Appendix A",
            ),
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The rules this server breaks on purpose. Empty (the default): a
/// conforming server, the suite's known-good baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    broken: BTreeSet<Rule>,
}

impl Faults {
    /// These faults and `rule` broken too.
    pub fn breaking(mut self, rule: Rule) -> Self {
        self.broken.insert(rule);
        self
    }

    /// Whether the server breaks `rule`.
    pub fn breaks(&self, rule: Rule) -> bool {
        self.broken.contains(&rule)
    }

    /// Whether the server breaks no rule at all.
    pub fn is_empty(&self) -> bool {
        self.broken.is_empty()
    }

    /// The rules broken, in [`Rule`]'s order.
    pub fn rules(&self) -> impl Iterator<Item = Rule> + '_ {
        self.broken.iter().copied()
    }
}

impl FromIterator<Rule> for Faults {
    fn from_iter<I: IntoIterator<Item = Rule>>(rules: I) -> Self {
        Faults {
            broken: rules.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_listed_once_with_a_kebab_case_name() {
        let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        for rule in Rule::ALL {
            // The name is the variant's, in kebab-case.
            let variant = format!("{rule:?}");
            let mut kebab = String::new();
            for (i, c) in variant.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    kebab.push('-');
                }
                kebab.push(c.to_ascii_lowercase());
            }
            let kebab = kebab
                .replace("start-tls", "starttls")
                .replace("web-socket", "websocket");
            assert_eq!(rule.name(), kebab, "{variant}");
            assert_eq!(Rule::from_name(rule.name()), Some(rule));
            assert!(
                !rule.fault().is_empty()
                    && (rule.spec().starts_with("RFC ") || rule.spec().starts_with("XEP-"))
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len(), "a rule is listed twice");
        assert_eq!(Rule::from_name("no-such-fault"), None);
    }
}
