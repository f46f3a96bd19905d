//! The typed form of a scenario file: what the engine runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::accounts::Account;
use crate::matching::{ElementPattern, HeaderPattern, Mode};

use super::template::Template;

/// One scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Stable id: the path below the scenarios root, without `.xmpp`, with
    /// `/` separators (`rfc6120/stream/bad-xml`).
    pub id: String,
    pub path: PathBuf,
    pub meta: Meta,
    pub steps: Vec<Step>,
}

/// The TOML front matter.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub title: String,
    /// References such as `RFC 6120 §4.9.3.13`.
    pub spec: Vec<String>,
    /// The inventoried statements the scenario checks
    /// (`rfc6120/4.7.3/2`, see `crate::spec`): it fails when a peer breaks
    /// them.
    pub covers: Vec<String>,
    pub level: Level,
    pub tags: Vec<String>,
    /// What the run must provide (`tls`, `credentials`, `mechanism:X`);
    /// the scenario is skipped with the reason when it cannot.
    pub needs: Vec<String>,
    /// The accounts the scenario logs in as, by the names the run gives
    /// them (`--account romeo=...`); it is skipped when the run lacks one.
    pub accounts: Vec<String>,
    /// The side under test; the harness plays the other one.
    pub peer: Peer,
    /// First-level elements that are skipped while waiting for a pattern
    /// (default: `presence`), because a server may send them unasked.
    pub ignore: Vec<String>,
    /// Extra values to redact in snapshots of the received stream, as paths
    /// (`iq/query/@ver`, `message/body`); see `crate::snapshot`.
    pub redact: Vec<String>,
    /// Which matching rules the patterns were compiled under: the
    /// format's own, or scansion's for `.scs` scripts (`matching =
    /// "scansion"` in a converted one).
    pub matching: Mode,
    /// A longer description (a scansion script's comment lines after its
    /// title).
    pub description: Option<String>,
    /// Accounts the scenario defines itself (scansion's `[Client]` blocks;
    /// `[own-accounts.NAME]` in the front matter): they need no
    /// `--account`, and they are the scenario's, so scenarios sharing one
    /// never run at the same time (see `engine::run_all`).
    pub own_accounts: Vec<Account>,
}

impl Meta {
    /// The front matter of the harness's own sessions, which no file
    /// describes (the preflight, the live fuzzer): a MUST, testing a
    /// server, unsolicited presence skipped as scenarios skip it by
    /// default.
    pub fn harness(title: &str) -> Meta {
        Meta {
            title: title.to_string(),
            spec: vec![],
            covers: vec![],
            level: Level::Must,
            tags: vec![],
            needs: vec![],
            accounts: vec![],
            peer: Peer::Server,
            ignore: vec!["presence".to_string()],
            redact: vec![],
            matching: Mode::Rfc,
            description: None,
            own_accounts: vec![],
        }
    }
}

/// RFC 2119 requirement level of the rule a scenario checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Must,
    Should,
    May,
}

/// The side under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Peer {
    Server,
    Client,
}

/// Where a step was written: `path:line:column`, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: Arc<PathBuf>,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    pub loc: Location,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub enum Action {
    /// The harness sends these bytes (after substitution), as written.
    Send(Template),
    /// The peer must send one of these; the first that matches wins.
    Expect(Vec<Alternative>),
    /// A new stream starts (after TLS or SASL success): the receiving parser
    /// is reset and expects a new stream header.
    Restart,
    /// The harness runs the TLS handshake on the connection now (after the
    /// peer's `<proceed/>`), then expects a new stream, as `restart` does
    /// (RFC 6120 §5.4.3.3). `or_close` (`starttls or-close`): a server
    /// that closes the connection instead of completing the handshake
    /// also passes, and the scenario ends there. `presented`, testing a
    /// client: which certificate the harness shows; with any but its own
    /// the client must end the session (RFC 6120 §13.7.2), and the
    /// scenario ends there.
    StartTls {
        or_close: bool,
        presented: Presented,
    },
    /// A whole SASL exchange (RFC 6120 §6) with the run's credentials; on
    /// success a new stream is expected, as after `restart`. Payloads are
    /// redacted in every report. Testing a server, the harness is the
    /// client and uses the one mechanism named; testing a client, the
    /// harness is the server and the client must pick one of those named.
    Sasl(SaslSpec),
    /// The peer must close the TCP connection (after its `</stream:stream>`
    /// if any) within the timeout. `abrupt` (`expect-close abrupt`): with
    /// no stream error and no closing tag before the close (bytes that
    /// are not XML, a TLS alert, may come), as after a failed TLS
    /// handshake (RFC 6120 §5.4.3.2). `close_notify`
    /// (`expect-close close-notify`): over TLS, the peer must end TLS with
    /// its close_notify alert before the TCP connection closes (RFC 6120
    /// §4.4).
    ExpectClose { abrupt: bool, close_notify: bool },
    /// `tls-certificate`: the end-entity certificate the server presented
    /// in the connection's TLS handshake is one RFC 6120 §13.7.1.1 allows:
    /// not a CA certificate, and with a subject.
    TlsCertificate,
    /// Nothing may arrive from the peer for this long.
    Silence(Duration),
    /// `silence` with a placeholder (`silence {$inactivity}s 1s`): the
    /// duration is known only once the value is captured, such as a
    /// BOSH server's own `inactivity`; read when the step runs, at most
    /// [`MAX_SILENCE`].
    SilenceFor(Template),
    /// `ws-send text|binary|ping LINE`: the line, placeholders
    /// substituted, as one WebSocket message of that kind (a ping's pong
    /// must come back within the timeout), with no framing translation
    /// (RFC 7395's rules about messages themselves: a binary message, two
    /// elements in one, half of one). Transports without messages refuse
    /// it, which skips the scenario.
    WsSend { kind: WsMessage, line: Template },
    /// `bosh-send LINE`: the line, placeholders substituted, as one BOSH
    /// request body sent as is in an HTTP POST of its own (a `rid` written
    /// `+N` made absolute); its response comes back as a `<response/>`
    /// element in `urn:xmpp-conform:http`. For XEP-0124's rules about
    /// requests themselves (rid windows, unknown sids, several requests in
    /// flight, bodies that cannot be read). Other transports refuse it,
    /// which skips the scenario.
    BoshSend { line: Template },
    /// `unsupported-unless $NAME REASON`: the scenario ends as
    /// unsupported, with the reason, when the capture was not made (an
    /// optional feature the peer did not advertise).
    UnsupportedUnless { capture: String, reason: String },
    /// `login` (`bind: true`) and `authenticate` (`bind: false`): open a
    /// stream if none is open, STARTTLS if offered, SASL with the best
    /// offered mechanism (or `--mechanism`), restart; then for `login`,
    /// bind a resource and capture the full JID as `$jid`. For scenarios
    /// whose subject comes after.
    Login { bind: bool },
    /// The following steps use the connection of this name, opened now if
    /// it is new (the first connection is `main`): testing a server, the
    /// harness connects again; testing a client, it accepts the client's
    /// next connection. A connection logs in as `account` if given, else
    /// as the account of its own name if the scenario lists one, else as
    /// the run's default account.
    Connection {
        name: String,
        account: Option<String>,
    },
}

/// One acceptable answer of an `Expect` step.
#[derive(Debug, Clone)]
pub struct Alternative {
    pub loc: Location,
    /// The pattern as written, for reports.
    pub source: String,
    pub expectation: Expectation,
}

#[derive(Debug, Clone)]
pub enum Expectation {
    /// A stream header: the pattern's attributes and namespace
    /// declarations, compiled.
    Open(HeaderPattern),
    /// A first-level element, compiled.
    Element(ElementPattern),
    /// `</stream:stream>`.
    Close,
}

/// What a `sasl` line says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaslSpec {
    /// One when testing a server; the acceptable ones when testing a client.
    pub mechanisms: Vec<String>,
    /// Only when testing a client (the harness plays the server).
    pub options: Vec<SaslOption>,
}

/// The certificate the harness presents in a client scenario's `starttls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// The run's own, for the domain, which the client is told to trust.
    Own,
    /// `untrusted`: self-signed for the domain; no CA vouches for it.
    Untrusted,
    /// `wrong-name`: signed by the run's CA, for another name only.
    WrongName,
}

/// How the harness behaves as the SASL server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslOption {
    /// Send a well-formed but wrong server proof (DIGEST-MD5 rspauth, SCRAM
    /// server signature): the client must notice and give up.
    WrongProof,
    /// Put the server's proof in `<success/>` rather than a last challenge
    /// (RFC 6120 §6.3.10 allows both).
    ProofInSuccess,
    /// Put the server's proof in a last challenge, which the client answers
    /// with an empty `<response/>`, then `<success/>` without data: the
    /// less efficient mode that RFC 6120 §6.3.10 requires clients to
    /// support too (SCRAM's default is the success data).
    ProofInChallenge,
    /// DIGEST-MD5: send these bytes as the first challenge, exactly.
    Challenge(Vec<u8>),
    /// The client acts for itself, so it must send no authorization
    /// identity (RFC 6120 §6.3.8), not even its own bare JID, which the
    /// harness otherwise accepts.
    NoAuthzid,
    /// PLAIN is offered beside stronger mechanisms: a client that picks it
    /// breaks RFC 6120 §13.8.3 (it MUST prefer them to PLAIN).
    NoPlain,
}

/// The longest `silence` whose duration comes from a captured value.
pub const MAX_SILENCE: Duration = Duration::from_secs(300);

/// The kind of WebSocket message `ws-send` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsMessage {
    Text,
    Binary,
    /// A ping control frame (RFC 6455 §5.5.2): its pong must come back.
    Ping,
    /// A Close frame, the line its reason (RFC 6455 §5.5.1): the peer's
    /// Close must come back.
    Close,
}
