//! The reference server's errors: why it could not start ([`StartError`]),
//! and the RFC 6120 conditions it sends a client: stream errors
//! ([`StreamCondition`], §4.9.3) and stanza errors ([`StanzaCondition`],
//! §8.3.3). A client's mistakes are never Rust errors: they become one of
//! these conditions on the wire.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use crate::transport::TlsError;
use crate::xml::Condition;

/// Why [`super::ReferenceServer::start`] failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the reference server needs at least one account")]
    NoAccount,
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: io::Error },
    #[error("cannot make a folder for the certificate: {0}")]
    CertDir(io::Error),
    #[error("TLS for the reference server: {0}")]
    Tls(#[from] TlsError),
}

/// The stream error conditions the server sends (RFC 6120 §4.9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamCondition {
    BadFormat,
    BadNamespacePrefix,
    Conflict,
    ConnectionTimeout,
    HostUnknown,
    InternalServerError,
    InvalidNamespace,
    NotAuthorized,
    NotWellFormed,
    PolicyViolation,
    RestrictedXml,
    SystemShutdown,
    UnsupportedEncoding,
    UnsupportedStanzaType,
    UnsupportedVersion,
}

impl StreamCondition {
    /// The element inside `<stream:error/>`.
    pub fn element_name(self) -> &'static str {
        match self {
            Self::BadFormat => "bad-format",
            Self::BadNamespacePrefix => "bad-namespace-prefix",
            Self::Conflict => "conflict",
            Self::ConnectionTimeout => "connection-timeout",
            Self::HostUnknown => "host-unknown",
            Self::InternalServerError => "internal-server-error",
            Self::InvalidNamespace => "invalid-namespace",
            Self::NotAuthorized => "not-authorized",
            Self::NotWellFormed => "not-well-formed",
            Self::PolicyViolation => "policy-violation",
            Self::RestrictedXml => "restricted-xml",
            Self::SystemShutdown => "system-shutdown",
            Self::UnsupportedEncoding => "unsupported-encoding",
            Self::UnsupportedStanzaType => "unsupported-stanza-type",
            Self::UnsupportedVersion => "unsupported-version",
        }
    }
}

/// The parser decides these by itself; each has a stream error of the
/// same name.
impl From<Condition> for StreamCondition {
    fn from(c: Condition) -> Self {
        match c {
            Condition::BadFormat => Self::BadFormat,
            Condition::BadNamespacePrefix => Self::BadNamespacePrefix,
            Condition::InvalidNamespace => Self::InvalidNamespace,
            Condition::NotWellFormed => Self::NotWellFormed,
            Condition::PolicyViolation => Self::PolicyViolation,
            Condition::RestrictedXml => Self::RestrictedXml,
            Condition::UnsupportedEncoding => Self::UnsupportedEncoding,
            Condition::UnsupportedStanzaType => Self::UnsupportedStanzaType,
            Condition::UnsupportedVersion => Self::UnsupportedVersion,
        }
    }
}

impl fmt::Display for StreamCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.element_name())
    }
}

/// A stream error to send: the condition and a human-readable `<text/>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamFault {
    pub condition: StreamCondition,
    pub text: String,
}

impl StreamFault {
    pub fn new(condition: StreamCondition, text: impl Into<String>) -> Self {
        StreamFault {
            condition,
            text: text.into(),
        }
    }
}

/// The stanza error conditions the server sends (RFC 6120 §8.3.3), each
/// with the error type the RFC gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StanzaCondition {
    BadRequest,
    /// No such roster item (RFC 6121 §2.5.3); also what two faults send
    /// where the RFCs want another condition.
    ItemNotFound,
    JidMalformed,
    NotAllowed,
    RemoteServerNotFound,
    ResourceConstraint,
    ServiceUnavailable,
    /// RFC 6121 §2.3.3: a roster set from someone who may not change it.
    Forbidden,
    /// RFC 6121 §2.3.3: a roster item the server will not store.
    NotAcceptable,
    /// Only what a fault sends: it tells that the account is offline
    /// (RFC 6120 §8.3.3.13 forbids it where that leaks presence).
    RecipientUnavailable,
}

impl StanzaCondition {
    pub fn element_name(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::ItemNotFound => "item-not-found",
            Self::JidMalformed => "jid-malformed",
            Self::NotAllowed => "not-allowed",
            Self::RemoteServerNotFound => "remote-server-not-found",
            Self::ResourceConstraint => "resource-constraint",
            Self::ServiceUnavailable => "service-unavailable",
            Self::Forbidden => "forbidden",
            Self::NotAcceptable => "not-acceptable",
            Self::RecipientUnavailable => "recipient-unavailable",
        }
    }

    /// The `type` of `<error/>` (RFC 6120 §8.3.2): what the sender may do.
    pub fn error_type(self) -> &'static str {
        match self {
            Self::BadRequest | Self::JidMalformed | Self::NotAcceptable => "modify",
            Self::NotAllowed
            | Self::RemoteServerNotFound
            | Self::ServiceUnavailable
            | Self::ItemNotFound => "cancel",
            Self::Forbidden => "auth",
            Self::ResourceConstraint | Self::RecipientUnavailable => "wait",
        }
    }
}

impl fmt::Display for StanzaCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.element_name())
    }
}
