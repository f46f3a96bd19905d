//! SASL mechanisms, client side: the harness authenticating to a server
//! under test (RFC 6120 §6, RFC 4422).
//!
//! Each mechanism is a small state machine behind the [`Mechanism`] trait.
//! It does no I/O and knows nothing of XML: the engine puts the bytes it
//! returns into `<auth/>` / `<response/>` (base64 via [`b64`]) and hands it
//! the decoded `<challenge/>` and `<success/>` payloads. So every mechanism
//! can be tested with the RFCs' own examples, byte for byte, without a
//! server.
//!
//! Why a trait with a state enum inside each mechanism, and not a
//! typestate per protocol step (rustls-style): the mechanism is chosen at
//! run time from the server's `<mechanisms/>`, and the engine drives all of
//! them with one loop (auth → challenge* → success), so it needs one object
//! type, `Box<dyn Mechanism>`. Inside, each mechanism keeps an explicit
//! `enum State`; a message in the wrong state is
//! [`SaslError::UnexpectedStep`], never a panic, and after any error the
//! mechanism refuses to continue.
//!
//! Driving it:
//!
//! 1. `initial_response()`: `Some(bytes)` goes in `<auth/>` (an empty one as
//!    `=`, see [`b64::encode_initial_response`]); `None` sends `<auth/>`
//!    empty and waits for a challenge (DIGEST-MD5). A client-first mechanism
//!    also answers an empty first challenge with its initial response, so a
//!    scenario may skip the initial response on purpose (RFC 4422 §5).
//! 2. `respond(challenge)` for each `<challenge/>`, sending the result in
//!    `<response/>`.
//! 3. `verify_success(data)` on `<success/>`: DIGEST-MD5 and SCRAM fail
//!    here when the server never proved it knows the password (mutual
//!    authentication is part of what is being tested).
//!
//! The other role, the harness checking a client's answers (for testing
//! XMPP clients and the reference server), is in [`server`]; it shares the
//! DIGEST-MD5 hashes, SCRAM key derivation and message syntax with this side.
//!
//! Which mechanisms exist, their order of strength, what each needs and
//! how each side is built: [`catalogue`], the one table the engine and the
//! reference server read.
//!
//! Credentials are used as given, UTF-8, without SASLprep (RFC 4013): the
//! harness's test accounts are ASCII, for which SASLprep is the identity.
//! Passwords live in a [`Secret`] that prints `[redacted]`.

mod anonymous;
pub mod b64;
pub mod catalogue;
mod credentials;
mod digest_md5;
pub(crate) mod directives;
mod error;
mod external;
mod plain;
mod scram;
mod scram_msg;
#[cfg(test)]
mod scram_vectors;
pub mod server;
mod single_step;

pub use anonymous::Anonymous;
pub use catalogue::{
    MECHANISMS, MechanismEntry, SUPPORTED, client, find, needs_password, select, server_mechanism,
};
pub use credentials::{Credentials, Secret};
pub use digest_md5::DigestMd5;
pub use error::SaslError;
pub use external::External;
pub use plain::Plain;
pub use scram::{
    DEFAULT_MAX_ITERATIONS, RECOMMENDED_MIN_ITERATIONS, Scram, ScramHash, ScramValues,
};

/// One client-side SASL exchange.
///
/// `Send` so the engine can hold a `Box<dyn Mechanism>` across awaits on
/// the multi-thread runtime.
pub trait Mechanism: Send {
    /// The IANA name sent in `<auth mechanism='…'/>`.
    fn name(&self) -> &'static str;

    /// The initial response, if this mechanism sends one (client-first).
    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError>;

    /// The answer to one server challenge (decoded bytes).
    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError>;

    /// Checks `<success/>` and its additional data, if any. `Ok` means the
    /// server is authenticated to us as well, where the mechanism can tell.
    fn verify_success(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError>;
}

/// Lowercase hex, as DIGEST-MD5 writes hashes (`LHEX`).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// `len` random bytes from the OS, base64-encoded: printable, no `,` or
/// `"`, so usable as a SCRAM nonce or a DIGEST-MD5 cnonce unquoted or quoted.
fn random_nonce(len: usize) -> Result<String, SaslError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| SaslError::Random(e.to_string()))?;
    Ok(b64::encode(&bytes))
}

/// Equality in time independent of where the inputs differ, for comparing a
/// server's proof with ours.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn random_nonces_differ_and_are_safe() {
        let a = random_nonce(18).unwrap();
        let b = random_nonce(18).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 24);
        assert!(!a.contains([',', '"', '=']), "{a}");
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    /// The clients of the RFC examples, with the examples' server messages
    /// (first challenge, then the proof): RFC 2831 §4, RFC 5802 §5,
    /// RFC 7677 §3.
    fn rfc_exchanges() -> Vec<(Box<dyn Mechanism>, &'static str, &'static str)> {
        vec![
            (
                Box::new(
                    DigestMd5::new(Credentials::new("chris", "secret"), "elwood.innosoft.com")
                        .with_service("imap")
                        .with_cnonce("OA6MHXh6VqTrRk"),
                ),
                r#"realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8"#,
                "rspauth=ea40f60335c427b5527b84dbabcdfffd",
            ),
            (
                Box::new(
                    Scram::sha1(Credentials::new("user", "pencil"))
                        .with_client_nonce("fyko+d2lbbFgONRv9qkxdawL")
                        .with_max_iterations(4096),
                ),
                "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
            ),
            (
                Box::new(
                    Scram::sha256(Credentials::new("user", "pencil"))
                        .with_client_nonce("rOprNGfwEbeRWgbNEkqO")
                        .with_max_iterations(4096),
                ),
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
            ),
        ]
    }

    /// Drive `m` as the engine does with these server messages; an error
    /// must end the exchange.
    fn drive(m: &mut dyn Mechanism, first: &[u8], second: &[u8], as_success: bool) {
        if m.initial_response().is_err() {
            return;
        }
        if m.respond(first).is_err() {
            assert!(m.respond(second).is_err(), "went on after an error");
            assert!(m.verify_success(None).is_err(), "succeeded after an error");
            return;
        }
        if as_success {
            let _ = m.verify_success(Some(second));
        } else if m.respond(second).is_ok() {
            let _ = m.verify_success(None);
        } else {
            assert!(m.verify_success(None).is_err(), "succeeded after an error");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Any server messages: an answer or an error, never a panic, and
        /// nothing after an error (the fuzz target `sasl_challenges` checks
        /// the same at length).
        #[test]
        fn arbitrary_challenges_never_panic(
            first in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96),
            second in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96),
            as_success in proptest::prelude::any::<bool>(),
        ) {
            for (mut m, _, _) in rfc_exchanges() {
                drive(m.as_mut(), &first, &second, as_success);
            }
        }

        /// The RFC examples' messages with one byte changed or cut short:
        /// every directive and attribute parser is reached this way.
        #[test]
        fn mutated_rfc_challenges_never_panic(
            which in 0usize..3,
            second_too in proptest::prelude::any::<bool>(),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            flip in 1u8..,
            truncate in proptest::prelude::any::<bool>(),
            as_success in proptest::prelude::any::<bool>(),
        ) {
            let (mut m, first, second) = rfc_exchanges().swap_remove(which);
            let (mut first, mut second) = (first.as_bytes().to_vec(), second.as_bytes().to_vec());
            let target = if second_too { &mut second } else { &mut first };
            let i = at.index(target.len());
            if truncate {
                target.truncate(i);
            } else {
                target[i] ^= flip;
            }
            drive(m.as_mut(), &first, &second, as_success);
        }
    }
}
