//! Who may authenticate to the harness when it plays the server: test
//! accounts, and the server's domain (DIGEST-MD5's realm and digest-uri
//! host, the bare JID an authzid may name).
//!
//! Client tests need one account; the reference server (`crate::reference`)
//! may hold several, so that two users can talk to each other. Mechanisms
//! go through [`Accounts::lookup`] and never see the list.
//!
//! Authorization identities (RFC 6120 §6.3.8): the client may send none,
//! the account's own configured authzid, or its own bare JID
//! (`authcid@domain`). RFC 6120 says a client acting for itself MUST NOT
//! send an authzid, but a client that does so is harmless, and failing it
//! here would block every later test of that client; the authzid is kept
//! in the [`super::Identity`] so a scenario can check it and report it.

use super::failure::{FailureCondition, SaslFailure};
use super::quoted;
use crate::sasl::Credentials;

/// The accounts the server side knows: test accounts in one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accounts {
    domain: String,
    /// Never empty; authcids are unique.
    accounts: Vec<Credentials>,
}

impl Accounts {
    /// `account.authzid`, if set, is an identity the account may act as.
    pub fn new(domain: impl Into<String>, account: Credentials) -> Self {
        Self {
            domain: domain.into(),
            accounts: vec![account],
        }
    }

    /// One more account; it replaces an account of the same authcid.
    pub fn with_account(mut self, account: Credentials) -> Self {
        self.accounts.retain(|a| a.authcid != account.authcid);
        self.accounts.push(account);
        self
    }

    /// The usernames, in the order they were added.
    pub fn authcids(&self) -> impl Iterator<Item = &str> {
        self.accounts.iter().map(|a| a.authcid.as_str())
    }

    /// The server's XMPP domain.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The account whose authcid is exactly `authcid` (no case folding:
    /// the client is expected to send the username it was configured with).
    pub fn lookup(&self, authcid: &str) -> Option<&Credentials> {
        self.accounts.iter().find(|a| a.authcid == authcid)
    }

    /// [`Self::lookup`], or the `not-authorized` failure naming the
    /// account that does exist.
    pub(super) fn user(
        &self,
        mechanism: &'static str,
        authcid: &str,
    ) -> Result<&Credentials, SaslFailure> {
        self.lookup(authcid).ok_or_else(|| {
            let known: Vec<String> = self.authcids().map(|a| quoted(a.as_bytes())).collect();
            SaslFailure::not_authorized(format!(
                "{mechanism}: unknown username {}; the test {} {}",
                quoted(authcid.as_bytes()),
                if known.len() == 1 {
                    "account is"
                } else {
                    "accounts are"
                },
                known.join(", ")
            ))
        })
    }

    /// Whether `authcid` may act as `authzid` (see the module docs). Call
    /// only once the password was proven: the failure names the accepted
    /// identities.
    pub(super) fn authorize(
        &self,
        mechanism: &'static str,
        authcid: &str,
        authzid: Option<&str>,
    ) -> Result<(), SaslFailure> {
        let Some(authzid) = authzid.filter(|a| !a.is_empty()) else {
            return Ok(());
        };
        let own_jid = format!("{authcid}@{}", self.domain);
        let configured = self
            .lookup(authcid)
            .and_then(|c| c.authzid.as_deref())
            .filter(|a| !a.is_empty());
        if authzid == own_jid || configured == Some(authzid) {
            return Ok(());
        }
        let mut accepted = format!("none or {}", quoted(own_jid.as_bytes()));
        if let Some(c) = configured {
            accepted.push_str(&format!(" or {}", quoted(c.as_bytes())));
        }
        Err(SaslFailure::new(
            FailureCondition::InvalidAuthzid,
            format!(
                "{mechanism}: authzid {} is not permitted for {} (accepted: {accepted})",
                quoted(authzid.as_bytes()),
                quoted(authcid.as_bytes())
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts() -> Accounts {
        Accounts::new(
            "example.org",
            Credentials::new("juliet", "r0m30").with_authzid("admin@example.org"),
        )
    }

    #[test]
    fn lookup_is_exact() {
        let a = accounts();
        assert_eq!(a.domain(), "example.org");
        assert!(a.lookup("juliet").is_some());
        assert!(a.lookup("Juliet").is_none());
        let err = a.user("PLAIN", "romeo").unwrap_err();
        assert_eq!(err.condition, FailureCondition::NotAuthorized);
        assert!(err.detail.contains("'romeo'"), "{err}");
        assert!(err.detail.contains("'juliet'"), "{err}");
        assert!(!err.detail.contains("r0m30"), "{err}");
    }

    #[test]
    fn authzid_policy() {
        let a = accounts();
        for ok in [
            None,
            Some(""),
            Some("juliet@example.org"),
            Some("admin@example.org"),
        ] {
            a.authorize("PLAIN", "juliet", ok).unwrap();
        }
        let err = a
            .authorize("PLAIN", "juliet", Some("romeo@example.org"))
            .unwrap_err();
        assert_eq!(err.condition, FailureCondition::InvalidAuthzid);
        assert!(err.detail.contains("'romeo@example.org'"), "{err}");
        assert!(err.detail.contains("'admin@example.org'"), "{err}");
        let plain = Accounts::new("example.org", Credentials::new("juliet", "p"));
        assert!(
            plain
                .authorize("PLAIN", "juliet", Some("admin@example.org"))
                .is_err()
        );
    }

    #[test]
    fn several_accounts() {
        let a = accounts()
            .with_account(Credentials::new("romeo", "secret"))
            .with_account(Credentials::new("romeo", "other"));
        assert_eq!(a.authcids().collect::<Vec<_>>(), ["juliet", "romeo"]);
        assert_eq!(
            a.lookup("romeo").map(|c| c.password.expose()),
            Some("other")
        );
        assert!(a.lookup("juliet").is_some());
        let err = a.user("PLAIN", "tybalt").unwrap_err();
        assert!(
            err.detail.contains("accounts are 'juliet', 'romeo'"),
            "{err}"
        );
    }
}
