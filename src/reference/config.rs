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
        }
    }
}

/// The RFC rules the reference server enforces, one per place in the code
/// where it does. Breaking one skips that check (or, where a rule is an
/// action, leaves the action out), which turns the server into a known-bad
/// one: a scenario that still passes against it does not test that rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The content namespace must be `jabber:client` (RFC 6120 §4.8.2).
    ContentNamespace,
    /// The major version must be 1 (RFC 6120 §4.7.5, §4.9.3.25).
    Version,
    /// `to` must name the served domain (RFC 6120 §4.9.3.6).
    HostKnown,
    /// A stream error is followed by the closing tag and the TCP close
    /// (RFC 6120 §4.9.1.1).
    CloseAfterError,
    /// STARTTLS is offered before TLS (RFC 6120 §5.3.1).
    OfferStartTls,
    /// STARTTLS is not offered again once TLS is on (RFC 6120 §5.4.3.3).
    NoStartTlsAfterTls,
    /// PLAIN is offered only over TLS (RFC 6120 §13.8, RFC 4616 §6).
    PlainOnlyOverTls,
    /// Stanzas before authentication get `<not-authorized/>` (RFC 6120
    /// §4.9.3.12).
    AuthBeforeStanzas,
    /// A resource already bound is taken over, the old session ending with
    /// `<conflict/>` (RFC 6120 §7.7.2.2).
    ResourceConflict,
    /// The server stamps `from` with the sender's full JID (RFC 6120
    /// §8.1.2.1).
    StampFrom,
    /// An iq get/set the server does not understand gets an error
    /// (RFC 6120 §8.4).
    IqErrors,
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
}
