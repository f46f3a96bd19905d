//! SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), server side,
//! without channel binding (no `-PLUS`).
//!
//! client-first (initial response, or the answer to an empty challenge) →
//! server-first `r=<client nonce><server nonce>,s=<salt>,i=<count>` →
//! client-final, checked: `c=` must carry exactly the gs2 header the client
//! sent (`biws` for `n,,`, `eSws` for `y,,`), `r=` the whole nonce, `p=`
//! the ClientProof over the AuthMessage → server-final `v=` in the
//! `<success/>` data, or as a last challenge answered by an empty response
//! ([`ProofIn`]).
//!
//! Keys come from the client side's derivation ([`ScramKeys`]): the server
//! knows the test account's password, so it derives SaltedPassword as a
//! client would and compares proofs directly, and the RFC vectors test
//! both sides with the same code.

use super::failure::{SaslFailure, SaslServerError};
use super::scram_parse::{ClientFirst, parse_client_final, parse_client_first};
use super::{
    Accounts, Identity, ProofIn, ScramOptions, ServerMechanism, ServerProof, ServerStep, quoted,
    quoted_max,
};
use crate::sasl::scram::{ScramKeys, auth_message};
use crate::sasl::scram_msg::is_printable;
use crate::sasl::{ScramHash, b64, constant_time_eq, random_nonce};

/// Between server-first and client-final.
#[derive(Debug)]
struct Pending {
    first: ClientFirst,
    server_first: String,
    nonce: String,
    keys: ScramKeys,
}

#[derive(Debug)]
enum State {
    Start,
    AwaitClientFirst,
    AwaitClientFinal(Box<Pending>),
    /// server-final was sent as a challenge; an empty response must follow.
    AwaitEmpty(Identity),
    Done(Identity),
    Failed,
}

/// A SCRAM server for one exchange.
#[derive(Debug)]
pub struct ScramServer {
    hash: ScramHash,
    accounts: Accounts,
    options: ScramOptions,
    state: State,
}

impl ScramServer {
    pub fn new(hash: ScramHash, accounts: Accounts, options: ScramOptions) -> Self {
        Self {
            hash,
            accounts,
            options,
            state: State::Start,
        }
    }

    fn invalid(&self, detail: &str) -> SaslServerError {
        SaslServerError::InvalidOptions {
            mechanism: self.hash.mechanism_name(),
            detail: detail.to_owned(),
        }
    }

    fn check_options(&self) -> Result<(), SaslServerError> {
        if self.options.iterations == 0 {
            return Err(self.invalid("iterations must be at least 1"));
        }
        match &self.options.nonce_suffix {
            Some(s) if s.is_empty() || !is_printable(s) => {
                Err(self.invalid("nonce suffix must be non-empty printable ASCII without ','"))
            }
            _ => Ok(()),
        }
    }

    /// client-first checked, and server-first computed: the inner `Err` is
    /// the client's failure, the outer one the harness's (no randomness).
    fn server_first(
        &self,
        message: &[u8],
    ) -> Result<Result<Pending, SaslFailure>, SaslServerError> {
        let name = self.hash.mechanism_name();
        let first = match parse_client_first(name, message) {
            Ok(f) => f,
            Err(f) => return Ok(Err(f)),
        };
        let account = match self.accounts.user(name, &first.username) {
            Ok(a) => a,
            Err(f) => return Ok(Err(f)),
        };
        let random = |e: crate::sasl::SaslError| SaslServerError::Random(e.to_string());
        let suffix = match &self.options.nonce_suffix {
            Some(s) => s.clone(),
            None => random_nonce(18).map_err(random)?,
        };
        let salt = match &self.options.salt {
            Some(s) => s.clone(),
            None => {
                let mut salt = vec![0u8; 16];
                getrandom::fill(&mut salt).map_err(|e| SaslServerError::Random(e.to_string()))?;
                salt
            }
        };
        let nonce = format!("{}{suffix}", first.nonce);
        let iterations = self.options.iterations;
        let server_first = format!("r={nonce},s={},i={iterations}", b64::encode(&salt));
        let keys = ScramKeys::derive(
            self.hash,
            account.password.expose().as_bytes(),
            &salt,
            iterations,
        );
        Ok(Ok(Pending {
            first,
            server_first,
            nonce,
            keys,
        }))
    }

    /// client-final checked; the server-final message to send.
    fn verify(&self, p: &Pending, message: &[u8]) -> Result<Vec<u8>, SaslFailure> {
        let name = self.hash.mechanism_name();
        let fail = |detail: String| SaslFailure::not_authorized(format!("{name}: {detail}"));
        let cf = parse_client_final(name, message)?;
        if cf.channel_binding != p.first.gs2_header.as_bytes() {
            return Err(fail(format!(
                "channel binding (c=) decodes to {}, expected the gs2 header of client-first, {} (c={})",
                quoted(&cf.channel_binding),
                quoted(p.first.gs2_header.as_bytes()),
                b64::encode(p.first.gs2_header.as_bytes())
            )));
        }
        if cf.nonce != p.nonce {
            return Err(fail(format!(
                "nonce (r=) is {}, expected server-first's {}",
                quoted(cf.nonce.as_bytes()),
                quoted(p.nonce.as_bytes())
            )));
        }
        let auth = auth_message(&p.first.bare, &p.server_first, &cf.without_proof);
        let sigs = p.keys.sign(self.hash, auth.as_bytes());
        if cf.proof.len() != self.hash.output_len() {
            return Err(fail(format!(
                "proof (p=) is {} bytes, expected {}",
                cf.proof.len(),
                self.hash.output_len()
            )));
        }
        if !constant_time_eq(&cf.proof, &sigs.client_proof) {
            return Err(fail(format!(
                "ClientProof: expected {}, received {}; computed over AuthMessage {} with the test account's password",
                b64::encode(&sigs.client_proof),
                b64::encode(&cf.proof),
                quoted_max(auth.as_bytes(), 512)
            )));
        }
        self.accounts
            .authorize(name, &p.first.username, p.first.authzid.as_deref())?;
        let mut signature = sigs.server_signature;
        if self.options.proof == ServerProof::Wrong {
            // Same length and still base64, but not the signature.
            if let Some(b) = signature.first_mut() {
                *b ^= 0xff;
            }
        }
        Ok(format!("v={}", b64::encode(&signature)).into_bytes())
    }

    fn on_client_first(&mut self, message: &[u8]) -> Result<ServerStep, SaslServerError> {
        Ok(match self.server_first(message)? {
            Ok(pending) => {
                let challenge = pending.server_first.clone().into_bytes();
                self.state = State::AwaitClientFinal(Box::new(pending));
                ServerStep::Challenge(challenge)
            }
            Err(f) => self.fail(f),
        })
    }

    fn fail(&mut self, failure: SaslFailure) -> ServerStep {
        self.state = State::Failed;
        ServerStep::Failure(failure)
    }
}

impl ServerMechanism for ScramServer {
    fn name(&self) -> &'static str {
        self.hash.mechanism_name()
    }

    fn start(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslServerError> {
        if !matches!(self.state, State::Start) {
            return Err(SaslServerError::unexpected(self.name(), "start()", "twice"));
        }
        self.check_options()?;
        match initial_response {
            Some(message) => self.on_client_first(message),
            None => {
                self.state = State::AwaitClientFirst;
                Ok(ServerStep::Challenge(Vec::new()))
            }
        }
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslServerError> {
        let name = self.name();
        match std::mem::replace(&mut self.state, State::Failed) {
            State::AwaitClientFirst => self.on_client_first(response),
            State::AwaitClientFinal(pending) => Ok(match self.verify(&pending, response) {
                Err(f) => self.fail(f),
                Ok(server_final) => {
                    let identity = Identity::Account {
                        authcid: pending.first.username,
                        authzid: pending.first.authzid,
                    };
                    match self.options.proof_in {
                        ProofIn::SuccessData => {
                            self.state = State::Done(identity);
                            ServerStep::Success(Some(server_final))
                        }
                        ProofIn::Challenge => {
                            self.state = State::AwaitEmpty(identity);
                            ServerStep::Challenge(server_final)
                        }
                    }
                }
            }),
            State::AwaitEmpty(identity) if response.is_empty() => {
                self.state = State::Done(identity);
                Ok(ServerStep::Success(None))
            }
            State::AwaitEmpty(_) => Ok(self.fail(SaslFailure::malformed(format!(
                "{name}: expected an empty response to server-final, received {} bytes",
                response.len()
            )))),
            state @ State::Start => {
                self.state = state;
                Err(SaslServerError::unexpected(
                    name,
                    "step()",
                    "before start()",
                ))
            }
            state @ (State::Done(_) | State::Failed) => {
                self.state = state;
                Err(SaslServerError::unexpected(
                    name,
                    "step()",
                    "after the outcome",
                ))
            }
        }
    }

    fn identity(&self) -> Option<&Identity> {
        match &self.state {
            State::Done(identity) => Some(identity),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::FailureCondition::{MalformedRequest, NotAuthorized};
    use super::*;
    use crate::sasl::Credentials;

    use crate::sasl::scram_vectors::*;

    fn rfc_server(hash: ScramHash, options: ScramOptions) -> ScramServer {
        ScramServer::new(
            hash,
            Accounts::new("example.org", Credentials::new("user", "pencil")),
            options,
        )
    }

    fn rfc5802(options: ScramOptions) -> ScramServer {
        rfc_server(
            ScramHash::Sha1,
            ScramOptions {
                nonce_suffix: Some("3rfcNHYJY1ZVvWVs7j".into()),
                salt: Some(b64::decode("QSXCR+Q6sek8bf92").unwrap()),
                ..options
            },
        )
    }

    fn rfc7677(options: ScramOptions) -> ScramServer {
        rfc_server(
            ScramHash::Sha256,
            ScramOptions {
                nonce_suffix: Some("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".into()),
                salt: Some(b64::decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap()),
                ..options
            },
        )
    }

    fn challenge(step: ServerStep) -> String {
        String::from_utf8(step.into_challenge()).unwrap()
    }

    /// The RFC's client-final with these bytes in place of the proof.
    fn after_server_first(s: &mut ScramServer, client_final: &str) -> ServerStep {
        assert_eq!(
            challenge(s.start(Some(SHA1_CLIENT_FIRST.as_bytes())).unwrap()),
            SHA1_SERVER_FIRST
        );
        s.step(client_final.as_bytes()).unwrap()
    }

    #[test]
    fn rfc5802_vector_byte_for_byte() {
        let mut s = rfc5802(ScramOptions::default());
        assert_eq!(s.name(), "SCRAM-SHA-1");
        let step = after_server_first(&mut s, SHA1_CLIENT_FINAL);
        assert_eq!(
            step,
            ServerStep::Success(Some(SHA1_SERVER_FINAL.as_bytes().to_vec()))
        );
        assert_eq!(
            s.identity(),
            Some(&Identity::Account {
                authcid: "user".into(),
                authzid: None
            })
        );
        assert!(s.step(b"").is_err(), "finished");
    }

    #[test]
    fn rfc7677_vector_with_server_final_as_challenge() {
        let mut s = rfc7677(ScramOptions {
            proof_in: ProofIn::Challenge,
            ..ScramOptions::default()
        });
        assert_eq!(s.name(), "SCRAM-SHA-256");
        // No initial response: an empty challenge first.
        assert_eq!(challenge(s.start(None).unwrap()), "");
        assert_eq!(
            challenge(s.step(SHA256_CLIENT_FIRST.as_bytes()).unwrap()),
            SHA256_SERVER_FIRST
        );
        assert_eq!(
            challenge(s.step(SHA256_CLIENT_FINAL.as_bytes()).unwrap()),
            SHA256_SERVER_FINAL
        );
        assert!(s.identity().is_none());
        assert_eq!(s.step(b"").unwrap(), ServerStep::Success(None));
        assert!(s.identity().is_some());

        let mut s = rfc7677(ScramOptions {
            proof_in: ProofIn::Challenge,
            ..ScramOptions::default()
        });
        s.start(Some(SHA256_CLIENT_FIRST.as_bytes())).unwrap();
        s.step(SHA256_CLIENT_FINAL.as_bytes()).unwrap();
        assert!(
            s.step(b"x")
                .unwrap()
                .into_failure()
                .detail
                .contains("expected an empty response")
        );
    }

    #[test]
    fn wrong_server_signature_on_purpose() {
        let mut s = rfc5802(ScramOptions {
            proof: ServerProof::Wrong,
            ..ScramOptions::default()
        });
        let ServerStep::Success(Some(v)) = after_server_first(&mut s, SHA1_CLIENT_FINAL) else {
            panic!("no server-final");
        };
        let v = String::from_utf8(v).unwrap();
        assert_ne!(v, SHA1_SERVER_FINAL);
        assert_eq!(b64::decode(&v[2..]).unwrap().len(), 20);
    }

    #[test]
    fn wrong_proof_shows_expected_received_and_auth_message() {
        let bad = SHA1_CLIENT_FINAL.replace("p=v0X8", "p=AAAA");
        let f = after_server_first(&mut rfc5802(ScramOptions::default()), &bad).into_failure();
        assert_eq!(f.condition, NotAuthorized);
        assert!(
            f.detail.starts_with("SCRAM-SHA-1: ClientProof: expected v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=, received AAAAv3Bz2T0CJGbJQyF0X+HI4Ts="),
            "{f}"
        );
        let auth = format!(
            "n=user,r=fyko+d2lbbFgONRv9qkxdawL,{SHA1_SERVER_FIRST},c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j"
        );
        assert!(f.detail.contains(&format!("AuthMessage '{auth}'")), "{f}");
        assert!(!f.detail.contains("pencil"));
    }

    #[test]
    fn client_final_mismatches() {
        let nonce = "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j";
        for (client_final, condition, want) in [
            (
                format!("c=eSws,r={nonce},p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="),
                NotAuthorized,
                "c=) decodes to 'y,,', expected the gs2 header of client-first, 'n,,' (c=biws)",
            ),
            (
                format!("c=biws,r={nonce}X,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="),
                NotAuthorized,
                "expected server-first's",
            ),
            (
                format!("c=biws,r={nonce},p=AAAA"),
                NotAuthorized,
                "proof (p=) is 3 bytes, expected 20",
            ),
            (
                format!("c=biws,r={nonce}"),
                MalformedRequest,
                "does not end with the proof",
            ),
        ] {
            let f = after_server_first(&mut rfc5802(ScramOptions::default()), &client_final)
                .into_failure();
            assert_eq!(f.condition, condition, "{f}");
            assert!(f.detail.contains(want), "{client_final}: {f}");
        }
    }

    #[test]
    fn client_first_failures() {
        for (client_first, condition, want) in [
            (
                "p=tls-unique,,n=user,r=abc",
                MalformedRequest,
                "no -PLUS mechanism is offered",
            ),
            (
                "n,,n=juliet,r=abc",
                NotAuthorized,
                "unknown username 'juliet'; the test account is 'user'",
            ),
            ("", MalformedRequest, "no gs2 header"),
        ] {
            let mut s = rfc5802(ScramOptions::default());
            let f = s
                .start(Some(client_first.as_bytes()))
                .unwrap()
                .into_failure();
            assert_eq!(f.condition, condition, "{f}");
            assert!(f.detail.contains(want), "{f}");
            assert!(s.step(b"").is_err(), "finished after a failure");
        }
    }

    #[test]
    fn options_the_server_cannot_use_are_harness_errors() {
        for options in [
            ScramOptions {
                iterations: 0,
                ..ScramOptions::default()
            },
            ScramOptions {
                nonce_suffix: Some("a,b".into()),
                ..ScramOptions::default()
            },
            ScramOptions {
                nonce_suffix: Some(String::new()),
                ..ScramOptions::default()
            },
        ] {
            let err = rfc_server(ScramHash::Sha1, options)
                .start(None)
                .unwrap_err();
            assert!(
                matches!(err, SaslServerError::InvalidOptions { .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn random_nonce_and_salt_by_default_and_call_order() {
        let first = |s: &mut ScramServer| challenge(s.start(Some(b"n,,n=user,r=abc")).unwrap());
        let options = ScramOptions {
            iterations: 1,
            ..ScramOptions::default()
        };
        let a = first(&mut rfc_server(ScramHash::Sha256, options.clone()));
        let b = first(&mut rfc_server(ScramHash::Sha256, options.clone()));
        assert_ne!(a, b);
        assert!(a.starts_with("r=abc") && a.ends_with(",i=1"), "{a}");
        let mut s = rfc_server(ScramHash::Sha1, options);
        assert!(s.step(b"").is_err(), "step before start");
        s.start(None).unwrap();
        assert!(s.start(None).is_err(), "started twice");
    }
}
