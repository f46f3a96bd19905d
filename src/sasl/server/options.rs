//! Which mechanisms the server side offers, how they behave (every knob in
//! one place, for the scenario layer), and building the one a client chose.
//!
//! The defaults are a plain, conforming server: every mechanism but
//! ANONYMOUS offered (it authenticates nobody in particular, so it is only
//! offered when a scenario asks, as on the client side), random nonces and
//! salts, 4096 SCRAM iterations (RFC 7677 §4's floor), DIGEST-MD5's
//! `rspauth` in a second challenge as in RFC 3920 §6.5's example, SCRAM's
//! server-final in the `<success/>` data (RFC 6120 §6.4.6), correct proofs.

use super::digest_md5::{DigestMd5Server, FixedChallenge};
use super::failure::{FailureCondition, SaslFailure};
use super::scram::ScramServer;
use super::{Accounts, AnonymousServer, PlainServer, ServerMechanism, quoted};
use crate::sasl::{RECOMMENDED_MIN_ITERATIONS, ScramHash};

/// Every mechanism the server side implements, strongest first: the
/// default `<mechanisms/>` order.
pub const SERVER_MECHANISMS: [&str; 5] = [
    "SCRAM-SHA-256",
    "SCRAM-SHA-1",
    "DIGEST-MD5",
    "PLAIN",
    "ANONYMOUS",
];

/// How many of [`SERVER_MECHANISMS`] are offered by default.
const OFFERED_BY_DEFAULT: usize = 4;

/// Where the server sends its proof (DIGEST-MD5's `rspauth`, SCRAM's
/// server-final): RFC 6120 §6.4.6 allows both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofIn {
    /// A last `<challenge/>`, which the client answers with an empty
    /// `<response/>`; then `<success/>` without data.
    Challenge,
    /// The additional data of `<success/>`.
    SuccessData,
}

/// Whether the server proves it knows the password, or sends a proof that
/// is well-formed but wrong to see whether the client checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerProof {
    #[default]
    Correct,
    Wrong,
}

/// How the DIGEST-MD5 server behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestMd5Options {
    /// The nonce of the default first challenge; 144 random bits if `None`.
    pub nonce: Option<String>,
    /// Sent instead of the default first challenge.
    pub first_challenge: Option<FixedChallenge>,
    /// Where `rspauth` goes; RFC 3920 §6.5's example uses a challenge.
    pub proof_in: ProofIn,
    pub proof: ServerProof,
}

impl Default for DigestMd5Options {
    fn default() -> Self {
        Self {
            nonce: None,
            first_challenge: None,
            proof_in: ProofIn::Challenge,
            proof: ServerProof::Correct,
        }
    }
}

/// How the SCRAM servers behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramOptions {
    /// Appended to the client nonce: printable ASCII without `,`; 144
    /// random bits (base64) if `None`.
    pub nonce_suffix: Option<String>,
    /// 16 random bytes if `None`.
    pub salt: Option<Vec<u8>>,
    /// At least 1; RFC 7677 §4's 4096 by default.
    pub iterations: u32,
    /// Where server-final goes; the `<success/>` data by default.
    pub proof_in: ProofIn,
    pub proof: ServerProof,
}

impl Default for ScramOptions {
    fn default() -> Self {
        Self {
            nonce_suffix: None,
            salt: None,
            iterations: RECOMMENDED_MIN_ITERATIONS,
            proof_in: ProofIn::SuccessData,
            proof: ServerProof::Correct,
        }
    }
}

/// Everything configurable about the server side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// The mechanisms offered, in `<mechanisms/>` order. A client choosing
    /// another one gets `invalid-mechanism`.
    pub offered: Vec<String>,
    pub digest_md5: DigestMd5Options,
    pub scram: ScramOptions,
    /// PLAIN lets a known account in whatever password it sends: a server
    /// broken on purpose (the reference server's `password-checked`
    /// fault). Off by default.
    pub plain_any_password: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            offered: SERVER_MECHANISMS[..OFFERED_BY_DEFAULT]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            digest_md5: DigestMd5Options::default(),
            scram: ScramOptions::default(),
            plain_any_password: false,
        }
    }
}

/// The server for the mechanism the client named in `<auth/>`, or the
/// `invalid-mechanism` failure to send (RFC 6120 §6.5.7) when it was not
/// offered or the harness has no server for it. Names compare exactly:
/// RFC 4422 §3.1 makes them upper-case, and `plain` is not `PLAIN`.
pub fn server_mechanism(
    name: &str,
    accounts: &Accounts,
    options: &ServerOptions,
) -> Result<Box<dyn ServerMechanism>, SaslFailure> {
    if !options.offered.iter().any(|o| o == name) {
        return Err(SaslFailure::new(
            FailureCondition::InvalidMechanism,
            format!(
                "mechanism {} was not offered (offered: {})",
                quoted(name.as_bytes()),
                options.offered.join(", ")
            ),
        ));
    }
    let accounts = accounts.clone();
    Ok(match name {
        "SCRAM-SHA-256" => Box::new(ScramServer::new(
            ScramHash::Sha256,
            accounts,
            options.scram.clone(),
        )),
        "SCRAM-SHA-1" => Box::new(ScramServer::new(
            ScramHash::Sha1,
            accounts,
            options.scram.clone(),
        )),
        "DIGEST-MD5" => Box::new(DigestMd5Server::new(accounts, options.digest_md5.clone())),
        "PLAIN" if options.plain_any_password => {
            Box::new(PlainServer::accepting_any_password(accounts))
        }
        "PLAIN" => Box::new(PlainServer::new(accounts)),
        "ANONYMOUS" => Box::new(AnonymousServer::new()),
        _ => {
            return Err(SaslFailure::new(
                FailureCondition::InvalidMechanism,
                format!(
                    "mechanism {} is offered, but this harness has no server for it",
                    quoted(name.as_bytes())
                ),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::Credentials;

    fn accounts() -> Accounts {
        Accounts::new("example.org", Credentials::new("u", "p"))
    }

    #[test]
    fn builds_every_mechanism_when_offered() {
        let options = ServerOptions {
            offered: SERVER_MECHANISMS.iter().map(|s| (*s).to_owned()).collect(),
            ..ServerOptions::default()
        };
        for name in SERVER_MECHANISMS {
            let m = server_mechanism(name, &accounts(), &options).unwrap();
            assert_eq!(m.name(), name);
        }
    }

    #[test]
    fn anonymous_is_not_offered_by_default() {
        let options = ServerOptions::default();
        assert_eq!(options.offered, SERVER_MECHANISMS[..4]);
        let Err(f) = server_mechanism("ANONYMOUS", &accounts(), &options) else {
            panic!("ANONYMOUS built without being offered");
        };
        assert_eq!(f.condition, FailureCondition::InvalidMechanism);
        assert!(f.detail.contains("'ANONYMOUS' was not offered"), "{f}");
        assert!(f.detail.contains("SCRAM-SHA-256, SCRAM-SHA-1"), "{f}");
    }

    #[test]
    fn unknown_or_miscased_names_are_invalid_mechanism() {
        let mut options = ServerOptions::default();
        options.offered.push("X-FOO".into());
        for name in ["plain", "CRAM-MD5", "", "X-FOO"] {
            let Err(f) = server_mechanism(name, &accounts(), &options) else {
                panic!("{name} built");
            };
            assert_eq!(f.condition, FailureCondition::InvalidMechanism, "{name}");
        }
    }
}
