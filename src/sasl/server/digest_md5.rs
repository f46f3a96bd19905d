//! DIGEST-MD5 (RFC 2831), server side, `qop=auth` only, in the flow of
//! RFC 3920 §6.5's example (which RFC 6120 still allows):
//!
//! 1. `<auth/>` without data (server first; data is `malformed-request`,
//!    RFC 6120 §6.5.8's own example);
//! 2. challenge `realm="<domain>",nonce="…",qop="auth",charset=utf-8,algorithm=md5-sess`;
//! 3. the client's response, checked by [`super::digest_response`];
//! 4. challenge `rspauth=…`, answered by an empty response, then success
//!    — or, with [`ProofIn::SuccessData`], `rspauth` in the `<success/>`.
//!
//! For testing clients: a fixed nonce, a fixed first challenge given as
//! bytes ([`FixedChallenge`]: the response is then checked against the
//! nonce, realms and charset parsed from those bytes), and a wrong
//! `rspauth` on purpose ([`ServerProof::Wrong`]).

use super::digest_response::{self, Offered};
use super::failure::{SaslFailure, SaslServerError};
use super::{
    Accounts, DigestMd5Options, Identity, ProofIn, ServerMechanism, ServerProof, ServerStep,
};
use crate::sasl::{directives, random_nonce};

const NAME: &str = "DIGEST-MD5";

/// A first challenge sent byte for byte (RFC examples keep their trailing
/// newline). Whatever it says is what the response is checked against; if
/// it has no usable nonce the client should have failed, and any response
/// is `not-authorized` saying so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedChallenge {
    bytes: Vec<u8>,
    offered: Offered,
}

impl FixedChallenge {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes = bytes.into();
        let offered = match directives::parse(&bytes) {
            Err(e) => Offered {
                nonce: Err(format!(
                    "the fixed first challenge does not parse ({e}), so no response can be right"
                )),
                realms: Vec::new(),
                utf8: false,
            },
            Ok(list) => {
                let mut nonces = list.iter().filter(|d| d.name == "nonce");
                let nonce = match (nonces.next(), nonces.next()) {
                    (Some(n), None) => Ok(n.value.clone()),
                    _ => Err("the fixed first challenge has no single nonce, so no response can be right".to_owned()),
                };
                Offered {
                    nonce,
                    realms: list
                        .iter()
                        .filter(|d| d.name == "realm")
                        .map(|d| d.value.clone())
                        .collect(),
                    utf8: list
                        .iter()
                        .any(|d| d.name == "charset" && d.value.eq_ignore_ascii_case(b"utf-8")),
                }
            }
        };
        Self { bytes, offered }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[derive(Debug)]
enum State {
    Start,
    AwaitResponse(Offered),
    /// `rspauth` was sent as a challenge; an empty response must follow.
    AwaitEmpty(Identity),
    Done(Identity),
    Failed,
}

/// A DIGEST-MD5 server for one exchange.
#[derive(Debug)]
pub struct DigestMd5Server {
    accounts: Accounts,
    options: DigestMd5Options,
    state: State,
    /// Set once the response proved the password.
    verified: Option<String>,
}

impl DigestMd5Server {
    pub fn new(accounts: Accounts, options: DigestMd5Options) -> Self {
        Self {
            accounts,
            options,
            state: State::Start,
            verified: None,
        }
    }

    fn first_challenge(&self) -> Result<(Vec<u8>, Offered), SaslServerError> {
        if let Some(fixed) = &self.options.first_challenge {
            return Ok((fixed.bytes.clone(), fixed.offered.clone()));
        }
        let nonce = match &self.options.nonce {
            Some(n) => n.clone(),
            None => random_nonce(18).map_err(|e| SaslServerError::Random(e.to_string()))?,
        };
        let realm = self.accounts.domain().as_bytes();
        let mut out = b"realm=".to_vec();
        directives::quote(&mut out, realm);
        out.extend_from_slice(b",nonce=");
        directives::quote(&mut out, nonce.as_bytes());
        out.extend_from_slice(b",qop=\"auth\",charset=utf-8,algorithm=md5-sess");
        let offered = Offered {
            nonce: Ok(nonce.into_bytes()),
            realms: vec![realm.to_vec()],
            utf8: true,
        };
        Ok((out, offered))
    }

    fn rspauth_message(&self, rspauth: &str) -> Vec<u8> {
        let value: String = match self.options.proof {
            ServerProof::Correct => rspauth.to_owned(),
            // Still 32 lowercase hex digits, every one of them wrong.
            ServerProof::Wrong => rspauth
                .chars()
                .map(|c| {
                    c.to_digit(16)
                        .and_then(|d| char::from_digit((d + 1) % 16, 16))
                        .unwrap_or('0')
                })
                .collect(),
        };
        format!("rspauth={value}").into_bytes()
    }

    fn fail(&mut self, failure: SaslFailure) -> ServerStep {
        self.state = State::Failed;
        ServerStep::Failure(failure)
    }
}

impl ServerMechanism for DigestMd5Server {
    fn name(&self) -> &'static str {
        NAME
    }

    fn start(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslServerError> {
        if !matches!(self.state, State::Start) {
            return Err(SaslServerError::unexpected(NAME, "start()", "twice"));
        }
        if let Some(data) = initial_response {
            let what = if data.is_empty() {
                "an empty initial response ('=')".to_owned()
            } else {
                format!("{} bytes of initial response", data.len())
            };
            return Ok(self.fail(SaslFailure::malformed(format!(
                "{NAME} is server-first (RFC 2831 §2.1): <auth/> must carry no data, it carried {what}"
            ))));
        }
        let (challenge, offered) = self.first_challenge()?;
        self.state = State::AwaitResponse(offered);
        Ok(ServerStep::Challenge(challenge))
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslServerError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::AwaitResponse(offered) => {
                let verified = match digest_response::verify(response, &offered, &self.accounts) {
                    Ok(v) => v,
                    Err(f) => return Ok(self.fail(f)),
                };
                let message = self.rspauth_message(&verified.rspauth);
                self.verified = Some(verified.summary);
                Ok(match self.options.proof_in {
                    ProofIn::Challenge => {
                        self.state = State::AwaitEmpty(verified.identity);
                        ServerStep::Challenge(message)
                    }
                    ProofIn::SuccessData => {
                        self.state = State::Done(verified.identity);
                        ServerStep::Success(Some(message))
                    }
                })
            }
            State::AwaitEmpty(identity) if response.is_empty() => {
                self.state = State::Done(identity);
                Ok(ServerStep::Success(None))
            }
            State::AwaitEmpty(_) => Ok(self.fail(SaslFailure::malformed(format!(
                "{NAME}: expected an empty response to rspauth (RFC 2831 §2.1.3), received {} bytes",
                response.len()
            )))),
            state @ State::Start => {
                self.state = state;
                Err(SaslServerError::unexpected(NAME, "step()", "before start()"))
            }
            state @ (State::Done(_) | State::Failed) => {
                self.state = state;
                Err(SaslServerError::unexpected(NAME, "step()", "after the outcome"))
            }
        }
    }

    fn verification(&self) -> Option<&str> {
        self.verified.as_deref()
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
    use super::super::FailureCondition;
    use super::*;
    use crate::sasl::{Credentials, DigestMd5, Mechanism};

    /// RFC 3920 §6.5's first challenge, decoded, trailing newline included.
    const RFC3920_CHALLENGE: &[u8] = b"realm=\"somerealm\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess\n";

    fn server(options: DigestMd5Options) -> DigestMd5Server {
        DigestMd5Server::new(
            Accounts::new("example.com", Credentials::new("somenode", "secret")),
            options,
        )
    }

    fn fixed_nonce() -> DigestMd5Options {
        DigestMd5Options {
            nonce: Some("OA6MG9tEQGm2hh".into()),
            ..DigestMd5Options::default()
        }
    }

    fn client() -> DigestMd5 {
        DigestMd5::new(Credentials::new("somenode", "secret"), "example.com")
            .with_cnonce("OA6MHXh6VqTrRk")
    }

    #[test]
    fn rfc_flow_challenge_rspauth_empty_success() {
        let mut s = server(fixed_nonce());
        assert_eq!(s.name(), "DIGEST-MD5");
        let first = s.start(None).unwrap().into_challenge();
        assert_eq!(
            first,
            b"realm=\"example.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess"
        );
        let mut c = client();
        let rspauth = s
            .step(&c.respond(&first).unwrap())
            .unwrap()
            .into_challenge();
        assert!(rspauth.starts_with(b"rspauth="), "{rspauth:?}");
        assert!(s.identity().is_none(), "not before the empty response");
        let empty = c.respond(&rspauth).unwrap();
        assert_eq!(s.step(&empty).unwrap(), ServerStep::Success(None));
        c.verify_success(None).unwrap();
        assert_eq!(s.identity().and_then(Identity::authcid), Some("somenode"));
        assert!(s.step(b"").is_err(), "finished");
    }

    #[test]
    fn fixed_rfc3920_challenge_is_sent_and_verified_against() {
        let options = DigestMd5Options {
            first_challenge: Some(FixedChallenge::new(RFC3920_CHALLENGE)),
            ..DigestMd5Options::default()
        };
        let mut s = server(options);
        let first = s.start(None).unwrap().into_challenge();
        assert_eq!(first, RFC3920_CHALLENGE);
        let mut c = client();
        let rspauth = s
            .step(&c.respond(&first).unwrap())
            .unwrap()
            .into_challenge();
        assert_eq!(
            s.step(&c.respond(&rspauth).unwrap()).unwrap(),
            ServerStep::Success(None)
        );
    }

    #[test]
    fn fixed_challenge_without_nonce_fails_every_response() {
        for bytes in [
            &b"realm=\"r\",algorithm=md5-sess"[..],
            b"nonce=\"a\",nonce=\"b\"",
            b"nonce",
        ] {
            let options = DigestMd5Options {
                first_challenge: Some(FixedChallenge::new(bytes)),
                ..DigestMd5Options::default()
            };
            let mut s = server(options);
            assert_eq!(s.start(None).unwrap().into_challenge(), bytes);
            let mut ok = server(fixed_nonce());
            let resp = client()
                .respond(&ok.start(None).unwrap().into_challenge())
                .unwrap();
            let ServerStep::Failure(f) = s.step(&resp).unwrap() else {
                panic!("verified against {bytes:?}");
            };
            assert_eq!(f.condition, FailureCondition::NotAuthorized);
            assert!(f.detail.contains("no response can be right"), "{f}");
        }
    }

    #[test]
    fn rspauth_in_success_data_and_wrong_rspauth() {
        let mut s = server(DigestMd5Options {
            proof_in: ProofIn::SuccessData,
            ..fixed_nonce()
        });
        let mut c = client();
        let first = s.start(None).unwrap().into_challenge();
        let ServerStep::Success(Some(data)) = s.step(&c.respond(&first).unwrap()).unwrap() else {
            panic!("no success data");
        };
        c.verify_success(Some(&data)).unwrap();
        assert!(s.identity().is_some());

        let mut s = server(DigestMd5Options {
            proof: ServerProof::Wrong,
            ..fixed_nonce()
        });
        let first = s.start(None).unwrap().into_challenge();
        let wrong = s
            .step(&client().respond(&first).unwrap())
            .unwrap()
            .into_challenge();
        let value = &wrong[b"rspauth=".len()..];
        assert_eq!(value.len(), 32);
        assert!(
            value
                .iter()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    #[test]
    fn initial_response_and_nonempty_last_response_are_malformed() {
        for ir in [&b""[..], b"username=\"x\""] {
            let mut s = server(fixed_nonce());
            let ServerStep::Failure(f) = s.start(Some(ir)).unwrap() else {
                panic!("accepted an initial response");
            };
            assert_eq!(f.condition, FailureCondition::MalformedRequest);
            assert!(f.detail.contains("server-first"), "{f}");
            assert!(s.step(b"").is_err());
        }
        let mut s = server(fixed_nonce());
        let first = s.start(None).unwrap().into_challenge();
        s.step(&client().respond(&first).unwrap()).unwrap();
        let ServerStep::Failure(f) = s.step(b"x").unwrap() else {
            panic!("accepted a non-empty response after rspauth");
        };
        assert!(f.detail.contains("expected an empty response"), "{f}");
    }

    #[test]
    fn random_nonces_and_call_order() {
        let mut a = server(DigestMd5Options::default());
        let mut b = server(DigestMd5Options::default());
        assert_ne!(
            a.start(None).unwrap().into_challenge(),
            b.start(None).unwrap().into_challenge()
        );
        assert!(a.start(None).is_err(), "started twice");
        assert!(
            server(fixed_nonce()).step(b"").is_err(),
            "step before start"
        );
    }
}
