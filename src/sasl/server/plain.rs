//! PLAIN (RFC 4616), server side: `[authzid] NUL authcid NUL passwd`.
//!
//! A message that breaks that grammar (not exactly two NULs, an empty
//! authcid or password, invalid UTF-8) is `malformed-request`, not
//! `incorrect-encoding`: its base64 was fine, the mechanism's syntax was
//! not (see [`super::failure`]). An unknown user or a wrong password is
//! `not-authorized`; the detail never echoes either password, only their
//! lengths.
//!
//! Without an initial response the server sends an empty challenge and
//! takes the message as the response (RFC 6120 §6.4.2, RFC 4422 §5).

use super::failure::{SaslFailure, SaslServerError};
use super::single_message::SingleMessage;
use super::{Accounts, Identity, ServerMechanism, ServerStep, quoted};
use crate::sasl::constant_time_eq;

const NAME: &str = "PLAIN";

/// A PLAIN server for one exchange.
#[derive(Debug)]
pub struct PlainServer {
    accounts: Accounts,
    exchange: SingleMessage,
    /// False only for a server broken on purpose.
    check_password: bool,
}

impl PlainServer {
    pub fn new(accounts: Accounts) -> Self {
        Self {
            accounts,
            exchange: SingleMessage::new(NAME),
            check_password: true,
        }
    }

    /// A broken server that lets a known account in with any password
    /// (the reference server's `password-checked` fault).
    pub fn accepting_any_password(accounts: Accounts) -> Self {
        Self {
            check_password: false,
            ..Self::new(accounts)
        }
    }
}

/// The message's grammar, the account and (unless `check_password` is off)
/// its password.
fn verify(
    accounts: &Accounts,
    check_password: bool,
    message: &[u8],
) -> Result<Identity, SaslFailure> {
    let fields: Vec<&[u8]> = message.split(|&b| b == 0).collect();
    let [authzid, authcid, password] = fields[..] else {
        return Err(SaslFailure::malformed(format!(
            "PLAIN message has {} NUL separators, expected 2 (authzid NUL authcid NUL passwd, RFC 4616 §2)",
            fields.len().saturating_sub(1)
        )));
    };
    let text = |field: &str, bytes| {
        std::str::from_utf8(bytes)
            .map_err(|e| SaslFailure::malformed(format!("PLAIN {field} is not UTF-8: {e}")))
    };
    let (authzid, authcid) = (text("authzid", authzid)?, text("authcid", authcid)?);
    text("password", password)?;
    if authcid.is_empty() {
        return Err(SaslFailure::malformed(
            "PLAIN authcid is empty (RFC 4616 §2: authcid = 1*SAFE)",
        ));
    }
    if password.is_empty() {
        return Err(SaslFailure::malformed(
            "PLAIN password is empty (RFC 4616 §2: passwd = 1*SAFE)",
        ));
    }
    let account = accounts.user(NAME, authcid)?;
    let expected = account.password.expose().as_bytes();
    if check_password && !constant_time_eq(password, expected) {
        return Err(SaslFailure::not_authorized(format!(
            "PLAIN password for {} is wrong (received {} bytes, the test account's has {})",
            quoted(authcid.as_bytes()),
            password.len(),
            expected.len()
        )));
    }
    let authzid = (!authzid.is_empty()).then(|| authzid.to_owned());
    accounts.authorize(NAME, authcid, authzid.as_deref())?;
    Ok(Identity::Account {
        authcid: authcid.to_owned(),
        authzid,
    })
}

impl ServerMechanism for PlainServer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn start(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslServerError> {
        let (accounts, check_password) = (&self.accounts, self.check_password);
        self.exchange
            .start(initial_response, |m| verify(accounts, check_password, m))
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslServerError> {
        let (accounts, check_password) = (&self.accounts, self.check_password);
        self.exchange
            .step(response, |m| verify(accounts, check_password, m))
    }

    fn identity(&self) -> Option<&Identity> {
        self.exchange.identity()
    }
}

#[cfg(test)]
mod tests {
    use super::super::FailureCondition;
    use super::*;
    use crate::sasl::Credentials;

    fn server() -> PlainServer {
        PlainServer::new(Accounts::new(
            "example.org",
            Credentials::new("juliet", "r0m30myr0m30"),
        ))
    }

    #[test]
    fn accepts_the_account() {
        let mut s = server();
        assert_eq!(s.name(), "PLAIN");
        assert!(s.identity().is_none());
        let step = s.start(Some(b"\0juliet\0r0m30myr0m30")).unwrap();
        assert_eq!(step, ServerStep::Success(None));
        assert_eq!(
            s.identity(),
            Some(&Identity::Account {
                authcid: "juliet".into(),
                authzid: None
            })
        );
        assert!(s.step(b"").is_err(), "finished");
        assert!(s.start(None).is_err(), "started twice");
    }

    #[test]
    fn empty_challenge_without_initial_response() {
        let mut s = server();
        assert!(s.step(b"").is_err(), "step before start");
        let mut s = server();
        assert_eq!(s.start(None).unwrap(), ServerStep::Challenge(vec![]));
        let step = s.step(b"juliet@example.org\0juliet\0r0m30myr0m30").unwrap();
        assert_eq!(step, ServerStep::Success(None));
        assert_eq!(s.identity().unwrap().authzid(), Some("juliet@example.org"));
    }

    #[test]
    fn wrong_credentials_are_not_authorized_without_echoing_passwords() {
        for (msg, want) in [
            (
                &b"\0juliet\0wrongpassword"[..],
                "password for 'juliet' is wrong (received 13 bytes, the test account's has 12)",
            ),
            (b"\0romeo\0r0m30myr0m30", "unknown username 'romeo'"),
            (b"\0Juliet\0r0m30myr0m30", "unknown username 'Juliet'"),
        ] {
            let f = server().start(Some(msg)).unwrap().into_failure();
            assert_eq!(f.condition, FailureCondition::NotAuthorized, "{f}");
            assert!(f.detail.contains(want), "{f}");
            assert!(
                !f.detail.contains("r0m30") && !f.detail.contains("wrongpassword"),
                "{f}"
            );
        }
    }

    #[test]
    fn grammar_violations_are_malformed_request() {
        for (msg, want) in [
            (&b""[..], "0 NUL separators"),
            (b"juliet", "0 NUL separators"),
            (b"\0juliet", "1 NUL separators"),
            (b"\0juliet\0r0m30\0x", "3 NUL separators"),
            (b"\0\0r0m30myr0m30", "authcid is empty"),
            (b"\0juliet\0", "password is empty"),
            (b"\0jul\xffiet\0p", "authcid is not UTF-8"),
            (b"\xc3\0juliet\0p", "authzid is not UTF-8"),
            (b"\0juliet\0\xff", "password is not UTF-8"),
        ] {
            let mut s = server();
            let f = s.start(Some(msg)).unwrap().into_failure();
            assert_eq!(f.condition, FailureCondition::MalformedRequest, "{f}");
            assert!(f.detail.contains(want), "{msg:?}: {f}");
            assert!(s.identity().is_none());
            assert!(s.step(msg).is_err(), "finished after a failure");
        }
    }

    #[test]
    fn foreign_authzid_is_invalid_authzid() {
        let f = server()
            .start(Some(b"romeo@example.org\0juliet\0r0m30myr0m30"))
            .unwrap()
            .into_failure();
        assert_eq!(f.condition, FailureCondition::InvalidAuthzid, "{f}");
    }
}
