//! What went wrong in a scenario run, typed: the one place where a cause
//! becomes a verdict.
//!
//! Every step that does not go as the scenario says ends in a [`Failure`]
//! whose [`FailureKind`] names the cause. [`FailureKind::status`] maps it to
//! the verdict: a peer is failed only for what it did (a timeout, a close,
//! a mismatch...), a missing optional feature is *unsupported*, what the
//! run cannot provide is *skip*, and the harness's own trouble is *error*.
//! Reports show the kind (`failure.kind` in JSON, the failure's `type` in
//! JUnit).

use crate::scenario::{Level, Location};

use super::status::Status;

/// The cause of a failed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// Nothing (or not the awaited thing) arrived within the timeout.
    Timeout,
    /// The peer closed or reset the connection where the scenario went on.
    PeerClosed,
    /// The peer sent bytes that are not XMPP's XML.
    NotXml,
    /// An element (or header) arrived that does not match the pattern.
    Mismatch,
    /// Traffic the step did not allow: another kind of event, anything
    /// during a silence, a connection left open that must close.
    Unexpected,
    /// A SASL exchange failed; the failure names the mechanism.
    Sasl,
    /// The TLS handshake failed or timed out.
    Tls,
    /// A value computed from the peer's data (a function such as
    /// `digest-md5-response`) could not be computed or did not verify.
    Check,
    /// The pinned snapshot of the received stream differs.
    Snapshot,
    /// An element or stream header the peer sent broke a MUST rule of the
    /// passive lint ([`crate::lint`]), whatever the scenario was about.
    Lint,
    /// What the peer sent broke only SHOULD rules of the passive lint.
    LintShould,
    /// Sending to the peer failed.
    Send,
    /// Reading from the peer failed for another reason than a close.
    Read,
    /// The peer lacks an optional feature the scenario is about (a SASL
    /// mechanism it does not offer): its choice.
    Unsupported,
    /// The run cannot provide what the scenario needs (credentials, a
    /// client certificate, a transport, accounts).
    NeedsUnmet,
    /// The peer could not be reached (or no client connected).
    Connect,
    /// The run's set-up is missing something a step needs (a server
    /// certificate), or a snapshot file could not be written.
    Setup,
    /// The scenario uses a value it never defined.
    ScenarioBug,
    /// The harness itself failed (no implementation for a mechanism it
    /// lists, a task that panicked).
    HarnessBug,
}

impl FailureKind {
    /// The verdict for a failure of this kind in a scenario of `level`:
    /// what the peer did wrong fails a MUST and is non-strict for a SHOULD
    /// or MAY; the other kinds say nothing about the peer's conformance.
    pub fn status(self, level: Level) -> Status {
        use FailureKind::*;
        match self {
            Timeout | PeerClosed | NotXml | Mismatch | Unexpected | Sasl | Tls | Check | Send
            | Read => match level {
                Level::Must => Status::Fail,
                Level::Should | Level::May => Status::NonStrict,
            },
            // The peer's stream changed from what was pinned: a regression
            // whatever the level of the rule the scenario is about. A lint
            // rule has its own level, whatever the scenario's: a MUST
            // fails, a SHOULD is non-strict.
            Snapshot | Lint => Status::Fail,
            LintShould => Status::NonStrict,
            Unsupported => Status::Unsupported,
            NeedsUnmet => Status::Skip,
            Connect | Setup | ScenarioBug | HarnessBug => Status::Error,
        }
    }

    /// The kebab-case name reports use.
    pub fn as_str(self) -> &'static str {
        use FailureKind::*;
        match self {
            Timeout => "timeout",
            PeerClosed => "peer-closed",
            NotXml => "not-xml",
            Mismatch => "mismatch",
            Unexpected => "unexpected",
            Sasl => "sasl",
            Tls => "tls",
            Check => "check",
            Snapshot => "snapshot",
            Lint => "lint",
            LintShould => "lint-should",
            Send => "send",
            Read => "read",
            Unsupported => "unsupported",
            NeedsUnmet => "needs-unmet",
            Connect => "connect",
            Setup => "setup",
            ScenarioBug => "scenario-bug",
            HarnessBug => "harness-bug",
        }
    }
}

/// What went wrong, with enough to act on it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// One line: what the peer did against what the scenario required.
    pub message: String,
    /// Where the failing step is written (`path:line:col`).
    pub step: Option<String>,
    /// The SASL mechanism of a [`FailureKind::Sasl`] failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<String>,
    /// The condition the peer gave, when it gave one (`not-authorized` in
    /// a SASL `<failure/>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The pattern (or patterns) that were expected, as written.
    pub expected: Option<String>,
    /// What arrived instead, pretty-printed.
    pub received: Option<String>,
    /// Unified diff of expected against received, when both are elements.
    pub diff: Option<String>,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
            step: None,
            mechanism: None,
            condition: None,
            expected: None,
            received: None,
            diff: None,
        }
    }

    /// A failed SASL exchange with `mechanism`.
    pub fn sasl(mechanism: &str, message: impl Into<String>) -> Self {
        Failure {
            mechanism: Some(mechanism.to_string()),
            ..Failure::new(FailureKind::Sasl, message)
        }
    }

    /// The failure of the step written at `loc`, as a step returns it:
    /// boxed, since it carries text and is made at most once per scenario.
    pub fn at(mut self, loc: &Location) -> Box<Self> {
        self.step = Some(loc.to_string());
        Box::new(self)
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn received(mut self, received: impl Into<String>) -> Self {
        self.received = Some(received.into());
        self
    }
}
