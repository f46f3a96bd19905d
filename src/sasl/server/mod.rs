//! SASL mechanisms, server side: the harness checking a client's answers
//! against a known test account (RFC 6120 §6, RFC 4422).
//!
//! Groundwork for `--listen` mode, where the harness plays the server to
//! test XMPP clients, and for the embedded reference server. Same style as
//! the client side: each mechanism is a small state machine with an
//! explicit `enum State`, no I/O and no XML. The engine decodes `<auth/>`
//! and `<response/>` ([`decode_auth`], [`decode_response`]), hands the bytes
//! over, and wraps what comes back in `<challenge/>`, `<success/>` or
//! `<failure/>`.
//!
//! # Why this API
//!
//! - **One trait object, [`ServerMechanism`]**, for the reason the client
//!   side has one: the client picks the mechanism at run time and the
//!   engine drives all of them with one loop (`start`, then `step` while
//!   the answer is a challenge).
//! - **`start` apart from `step`**: RFC 6120 §6.4.2 distinguishes no
//!   initial response (`<auth/>` empty: send an empty challenge, or fail
//!   for DIGEST-MD5's server-first exchange) from an empty one (`=`); an
//!   `Option` says which, and a separate call makes "initial response in
//!   the middle of an exchange" impossible to express.
//! - **Two kinds of "no"**: `Ok(ServerStep::Failure(_))` is the client
//!   under test getting something wrong; it becomes `<failure/>` and the
//!   verdict. `Err(SaslServerError)` is the harness's own problem (called
//!   out of order, unusable options, no randomness), which must not be
//!   blamed on the client. Bad client input never reaches `Err` and never
//!   panics.
//! - **[`SaslFailure`] carries a detail for people**, naming the field and
//!   the expected and received values ("digest-uri is 'xmpp/example.org',
//!   expected 'xmpp/localhost'"), because the verdict is read by the
//!   client's developer. The password itself is never shown, but
//!   password-derived expected values are (DIGEST-MD5's `response`,
//!   SCRAM's ClientProof with the AuthMessage it signs): they are what a
//!   developer needs to find a hash construction bug, and the account is
//!   a test account that exists for this run. Do not point the server
//!   side at real accounts.
//! - **The outcome**: after `Success`, [`ServerMechanism::identity`] gives
//!   who authenticated (authcid, and the authzid if the client asked for
//!   one), so the engine can bind a JID and scenarios can check it.
//! - **Options to test clients** ([`ServerOptions`]): fixed nonces and
//!   salts (to replay the RFCs' examples byte for byte), a fixed first
//!   DIGEST-MD5 challenge, where the server's proof goes (a challenge or
//!   the `<success/>` data, both allowed by RFC 6120 §6.4.6), and a
//!   deliberately wrong server proof, to see whether a client checks it.
//!
//! Credentials compare as given, without SASLprep, as on the client side.

mod accounts;
mod anonymous;
mod digest_md5;
mod digest_response;
mod external;
mod failure;
mod options;
mod plain;
mod scram;
mod scram_parse;
mod single_message;
#[cfg(test)]
mod tests;

pub use accounts::Accounts;
pub use anonymous::AnonymousServer;
pub use digest_md5::{DigestMd5Server, FixedChallenge};
pub use external::ExternalServer;
pub use failure::{FailureCondition, SaslFailure, SaslServerError};
pub use options::{DigestMd5Options, ProofIn, ScramOptions, ServerOptions, ServerProof};
pub use plain::PlainServer;
pub use scram::ScramServer;

use super::b64;

/// One server-side SASL exchange.
///
/// `Send` so the engine can hold a `Box<dyn ServerMechanism>` across
/// awaits on the multi-thread runtime.
pub trait ServerMechanism: Send {
    /// The IANA name, as the client chose it.
    fn name(&self) -> &'static str;

    /// The `<auth/>`: `None` when it carried no data, `Some(&[])` for `=`.
    fn start(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslServerError>;

    /// One `<response/>`, decoded.
    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslServerError>;

    /// Who authenticated, once the mechanism answered `Success`.
    fn identity(&self) -> Option<&Identity>;

    /// What the mechanism verified of the client's proof, in words, once
    /// it did (DIGEST-MD5: the response hash computed and received), for
    /// the transcript. `None` where there is nothing to show.
    fn verification(&self) -> Option<&str> {
        None
    }
}

/// What the server sends next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStep {
    /// `<challenge/>` with these bytes (empty: an empty element).
    Challenge(Vec<u8>),
    /// `<success/>`, with additional data if any ([`encode_success_data`]).
    Success(Option<Vec<u8>>),
    /// `<failure/>`; the mechanism is finished.
    Failure(SaslFailure),
}

#[cfg(test)]
impl ServerStep {
    /// The challenge, in tests that expect one.
    fn into_challenge(self) -> Vec<u8> {
        match self {
            Self::Challenge(c) => c,
            other => panic!("expected a challenge, got {other:?}"),
        }
    }

    /// The failure, in tests that expect one.
    fn into_failure(self) -> SaslFailure {
        match self {
            Self::Failure(f) => f,
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

/// The authenticated identity, after success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A test account; `authzid` as the client sent it, if it sent one.
    Account {
        authcid: String,
        authzid: Option<String>,
    },
    /// ANONYMOUS (RFC 4505), with the trace the client sent (lossy UTF-8).
    Anonymous { trace: String },
}

impl Identity {
    pub fn authcid(&self) -> Option<&str> {
        match self {
            Self::Account { authcid, .. } => Some(authcid),
            Self::Anonymous { .. } => None,
        }
    }

    pub fn authzid(&self) -> Option<&str> {
        match self {
            Self::Account { authzid, .. } => authzid.as_deref(),
            Self::Anonymous { .. } => None,
        }
    }
}

/// The text of a received `<auth/>`: `""` is no initial response, `"="` an
/// empty one, anything else strict base64, else `incorrect-encoding`
/// (RFC 6120 §6.4.2, §6.5.3).
pub fn decode_auth(text: &str) -> Result<Option<Vec<u8>>, SaslFailure> {
    b64::decode_initial_response(text).map_err(encoding_failure)
}

/// The text of a received `<response/>`: strict base64, else
/// `incorrect-encoding`.
pub fn decode_response(text: &str) -> Result<Vec<u8>, SaslFailure> {
    b64::decode(text).map_err(encoding_failure)
}

/// The text of `<success/>`: empty for no additional data, `=` for present
/// but empty (RFC 6120 §6.4.6).
pub fn encode_success_data(data: Option<&[u8]>) -> String {
    data.map(b64::encode_initial_response).unwrap_or_default()
}

fn encoding_failure(e: super::SaslError) -> SaslFailure {
    let text = e.to_string();
    let detail = text.strip_prefix("incorrect-encoding: ").unwrap_or(&text);
    SaslFailure::new(
        FailureCondition::IncorrectEncoding,
        format!("not strict base64 (RFC 4648 §4): {detail}"),
    )
}

/// Client-supplied text for a failure detail: single-quoted, invalid UTF-8
/// replaced, control characters escaped, at most 64 characters.
pub(crate) fn quoted(bytes: &[u8]) -> String {
    quoted_max(bytes, 64)
}

/// [`quoted`] with another bound, for longer values (a SCRAM AuthMessage).
fn quoted_max(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::from("'");
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() || c == '\'' || c == '\\' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod helper_tests {
    use super::*;

    #[test]
    fn base64_helpers_follow_rfc6120() {
        assert_eq!(decode_auth("").unwrap(), None);
        assert_eq!(decode_auth("=").unwrap(), Some(vec![]));
        assert_eq!(decode_auth("AHUAcA==").unwrap(), Some(b"\0u\0p".to_vec()));
        assert_eq!(decode_response("").unwrap(), b"");
        for bad in ["AHUAcA", "bi ws", "="] {
            let f = decode_response(bad).unwrap_err();
            assert_eq!(f.condition, FailureCondition::IncorrectEncoding, "{bad}");
            assert!(f.detail.starts_with("not strict base64"), "{f}");
        }
        assert_eq!(
            decode_auth("%%").unwrap_err().condition,
            FailureCondition::IncorrectEncoding
        );
        assert_eq!(encode_success_data(None), "");
        assert_eq!(encode_success_data(Some(b"")), "=");
        assert_eq!(encode_success_data(Some(b"v=x")), "dj14");
    }

    #[test]
    fn quoting_is_bounded_and_escaped() {
        assert_eq!(quoted(b"juliet"), "'juliet'");
        assert_eq!(quoted(b"a'b\\c\n\0"), "'a\\'b\\\\c\\n\\u{0}'");
        assert_eq!(quoted(b"\xff"), "'\u{fffd}'");
        let long = quoted(&[b'x'; 1000]);
        assert!(long.chars().count() < 70 && long.ends_with("…'"), "{long}");
    }

    #[test]
    fn identity_accessors() {
        let a = Identity::Account {
            authcid: "juliet".into(),
            authzid: Some("admin@example.org".into()),
        };
        assert_eq!(a.authcid(), Some("juliet"));
        assert_eq!(a.authzid(), Some("admin@example.org"));
        let anon = Identity::Anonymous { trace: "x".into() };
        assert_eq!(anon.authcid(), None);
        assert_eq!(anon.authzid(), None);
    }
}
