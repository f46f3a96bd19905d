//! EXTERNAL (RFC 4422 Appendix A), server side, over an identity the TLS
//! layer established: the client certificate's account (XEP-0178 §2).
//!
//! The message is the authorization identity, possibly empty. Empty (the
//! `=` initial response): the account the certificate names is the one
//! authenticated (RFC 4422 Appendix A.1, XEP-0178 §2). Otherwise it must
//! be an identity that account may act as, the account's own bare JID at
//! least ([`Accounts::authorize`]); anything else is `invalid-authzid`
//! (RFC 6120 §6.5.6). Bytes that are not UTF-8 are `malformed-request`.
//!
//! Which account the certificate names is the caller's business (the
//! reference server reads its XmppAddr); this mechanism is only built
//! when there is one, as EXTERNAL is only offered then.

use super::failure::{SaslFailure, SaslServerError};
use super::single_message::SingleMessage;
use super::{Accounts, Identity, ServerMechanism, ServerStep};

const NAME: &str = "EXTERNAL";

/// An EXTERNAL server for one exchange, for the account `authcid` that
/// the client certificate vouches for.
#[derive(Debug)]
pub struct ExternalServer {
    accounts: Accounts,
    authcid: String,
    exchange: SingleMessage,
    /// False only for a server broken on purpose: an empty authzid fails.
    derive_identity: bool,
}

impl ExternalServer {
    pub fn new(accounts: Accounts, authcid: impl Into<String>) -> Self {
        Self {
            accounts,
            authcid: authcid.into(),
            exchange: SingleMessage::new(NAME),
            derive_identity: true,
        }
    }

    /// A broken server that insists on an authzid, never taking the
    /// account from the certificate alone (the reference server's
    /// `external-derives-identity` fault).
    pub fn requiring_authzid(accounts: Accounts, authcid: impl Into<String>) -> Self {
        Self {
            derive_identity: false,
            ..Self::new(accounts, authcid)
        }
    }
}

fn verify(
    accounts: &Accounts,
    authcid: &str,
    derive_identity: bool,
    message: &[u8],
) -> Result<Identity, SaslFailure> {
    let authzid = std::str::from_utf8(message)
        .map_err(|e| SaslFailure::malformed(format!("EXTERNAL authzid is not UTF-8: {e}")))?;
    if authzid.is_empty() && !derive_identity {
        return Err(SaslFailure::new(
            super::FailureCondition::InvalidAuthzid,
            "EXTERNAL: an authzid is required",
        ));
    }
    let authzid = (!authzid.is_empty()).then(|| authzid.to_owned());
    accounts.authorize(NAME, authcid, authzid.as_deref())?;
    Ok(Identity::Account {
        authcid: authcid.to_owned(),
        authzid,
    })
}

impl ServerMechanism for ExternalServer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn start(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslServerError> {
        let (accounts, authcid, derive) = (&self.accounts, &self.authcid, self.derive_identity);
        self.exchange
            .start(initial_response, |m| verify(accounts, authcid, derive, m))
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslServerError> {
        let (accounts, authcid, derive) = (&self.accounts, &self.authcid, self.derive_identity);
        self.exchange
            .step(response, |m| verify(accounts, authcid, derive, m))
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

    fn accounts() -> Accounts {
        Accounts::new("example.org", Credentials::new("romeo", "secret"))
            .with_account(Credentials::new("juliet", "secret"))
    }

    fn condition(step: ServerStep) -> Option<FailureCondition> {
        match step {
            ServerStep::Failure(f) => Some(f.condition),
            _ => None,
        }
    }

    #[test]
    fn an_empty_authzid_takes_the_certificate_account() {
        let mut s = ExternalServer::new(accounts(), "romeo");
        assert_eq!(s.start(Some(b"")).unwrap(), ServerStep::Success(None));
        assert_eq!(s.identity().and_then(Identity::authcid), Some("romeo"));
    }

    #[test]
    fn the_account_own_jid_succeeds_after_an_empty_challenge() {
        let mut s = ExternalServer::new(accounts(), "romeo");
        assert_eq!(s.start(None).unwrap(), ServerStep::Challenge(Vec::new()));
        assert_eq!(
            s.step(b"romeo@example.org").unwrap(),
            ServerStep::Success(None)
        );
        assert_eq!(
            s.identity().and_then(Identity::authzid),
            Some("romeo@example.org")
        );
    }

    #[test]
    fn another_authzid_is_invalid() {
        let mut s = ExternalServer::new(accounts(), "romeo");
        let step = s.start(Some(b"juliet@example.org")).unwrap();
        assert_eq!(condition(step), Some(FailureCondition::InvalidAuthzid));
        assert!(s.identity().is_none());
        let mut s = ExternalServer::new(accounts(), "romeo");
        let step = s.start(Some(b"\xff")).unwrap();
        assert_eq!(condition(step), Some(FailureCondition::MalformedRequest));
    }

    #[test]
    fn the_fault_refuses_an_empty_authzid_only() {
        let mut s = ExternalServer::requiring_authzid(accounts(), "romeo");
        let step = s.start(Some(b"")).unwrap();
        assert_eq!(condition(step), Some(FailureCondition::InvalidAuthzid));
        let mut s = ExternalServer::requiring_authzid(accounts(), "romeo");
        assert_eq!(
            s.start(Some(b"romeo@example.org")).unwrap(),
            ServerStep::Success(None)
        );
    }
}
