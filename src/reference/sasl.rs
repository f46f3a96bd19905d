//! SASL negotiation (RFC 6120 §6) over the crate's server-side mechanisms
//! (`sasl::server`): which mechanisms are offered, and the answer to each
//! `<auth/>`, `<response/>` and `<abort/>`.
//!
//! Failure conditions follow RFC 6120 §6.5 as `sasl::server` decides
//! them; this layer adds `aborted` (§6.4.5), `invalid-mechanism` (§6.4.2),
//! `malformed-request` for a `<response/>` outside an exchange, and the
//! retry bound (§6.4.5). `<failure/>` carries no `<text/>`: the
//! mechanisms' details name accounts and password-derived values, which a
//! server must not tell a client.

use crate::sasl::server::{
    self, Accounts, ExternalServer, FailureCondition, SaslFailure, ServerMechanism, ServerOptions,
    ServerProof, ServerStep,
};
use crate::sasl::{MECHANISMS, b64};
use crate::xml::{Element, NS_SASL};

use super::Shared;
use super::config::{Faults, Rule};

/// The password mechanisms offered, strongest first: the catalogue's
/// automatic ones with a server side (so not ANONYMOUS: every session
/// belongs to an account; EXTERNAL is added per stream, see
/// [`Negotiation::for_stream`]), and one that sends the password itself
/// only over TLS (RFC 6120 §13.8).
pub(super) fn offered(tls: bool, faults: &Faults) -> Vec<String> {
    let clear_allowed = tls || faults.breaks(Rule::PlainOnlyOverTls);
    MECHANISMS
        .iter()
        .filter(|m| m.automatic && m.server.is_some())
        .filter(|m| clear_allowed || !m.password_in_clear)
        // §13.8: SCRAM-SHA-1 is mandatory; the fault leaves it out.
        .filter(|m| m.name != "SCRAM-SHA-1" || !faults.breaks(Rule::ScramSha1))
        .map(|m| m.name.to_owned())
        .collect()
}

/// What the session does after one SASL element.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Send this and wait for the client's next element.
    Reply(String),
    /// Send this `<success/>`; the client is `authcid` and a new stream
    /// starts (§6.4.6).
    Success { reply: String, authcid: String },
    /// Send this `<failure/>`, then end the stream: too many failures.
    GiveUp(String),
}

/// The SASL state of one stream.
pub(super) struct Negotiation {
    accounts: Accounts,
    options: ServerOptions,
    exchange: Option<Box<dyn ServerMechanism>>,
    failures: u32,
    max_failures: u32,
    /// Every failure is `not-authorized` (the `sasl-failure-conditions`
    /// fault).
    one_condition: bool,
    /// PLAIN's authzid is dropped unread (the `authzid-checked` fault).
    ignore_authzid: bool,
    /// The account the client's TLS certificate vouches for: EXTERNAL is
    /// offered, for it alone, when there is one (XEP-0178 §2).
    certificate: Option<String>,
    /// EXTERNAL insists on an authzid (the `external-derives-identity`
    /// fault).
    external_requires_authzid: bool,
}

impl Negotiation {
    pub fn new(
        accounts: Accounts,
        offered: Vec<String>,
        max_failures: u32,
        faults: &Faults,
    ) -> Self {
        let mut options = ServerOptions {
            offered,
            ..ServerOptions::default()
        };
        // RFC 2831 §2.1.3: rspauth proves that the server knows the
        // password too; the fault sends a wrong one.
        if faults.breaks(Rule::DigestMd5Rspauth) {
            options.digest_md5.proof = ServerProof::Wrong;
        }
        // RFC 5802 §3: the ServerSignature (v=) proves the same for SCRAM.
        if faults.breaks(Rule::ScramServerSignature) {
            options.scram.proof = ServerProof::Wrong;
        }
        // RFC 6120 §6.4.5, §6.5.10: a wrong password is not-authorized;
        // the fault lets PLAIN in with any password of a known account.
        options.plain_any_password = faults.breaks(Rule::PasswordChecked);
        Negotiation {
            accounts,
            options,
            exchange: None,
            failures: 0,
            max_failures,
            one_condition: faults.breaks(Rule::SaslFailureConditions),
            ignore_authzid: faults.breaks(Rule::AuthzidChecked),
            certificate: None,
            external_requires_authzid: faults.breaks(Rule::ExternalDerivesIdentity),
        }
    }

    /// EXTERNAL for the account `authcid`, whom the client certificate
    /// presented in the TLS handshake names, offered first (it is the
    /// strongest: no password crosses the stream).
    pub fn with_certificate(mut self, authcid: String) -> Self {
        self.options.offered.insert(0, "EXTERNAL".to_owned());
        self.certificate = Some(authcid);
        self
    }

    /// The mechanisms this stream offers, in the order of the features.
    pub fn offered(&self) -> &[String] {
        &self.options.offered
    }

    /// SASL for a new stream of the reference server, offering what its
    /// transport allows: EXTERNAL too when the TLS client presented a
    /// certificate (`peer_certificate`, its DER; rustls checked that it
    /// chains to the server's CA) naming one of the accounts.
    pub fn for_stream(shared: &Shared, tls: bool, peer_certificate: Option<&[u8]>) -> Self {
        // RFC 6120 §6.4.5: failures are limited; the fault never gives up.
        let max_failures = if shared.faults.breaks(Rule::AuthRetries) {
            u32::MAX
        } else {
            shared.limits.max_auth_failures.max(1)
        };
        let negotiation = Negotiation::new(
            shared.accounts.clone(),
            offered(tls, &shared.faults),
            max_failures,
            &shared.faults,
        );
        match peer_certificate
            .filter(|_| tls)
            .and_then(|der| super::certificate::account(der, &shared.accounts))
        {
            Some(authcid) => negotiation.with_certificate(authcid),
            None => negotiation,
        }
    }

    /// Answer a first-level element in the SASL namespace.
    pub fn handle(&mut self, element: &Element) -> Outcome {
        let step = match element.name.as_str() {
            "auth" => self.auth(element),
            "response" => match self.exchange.as_mut() {
                None => Err(SaslFailure::malformed("no exchange is in progress")),
                Some(m) => server::decode_response(element.text().trim())
                    .and_then(|data| m.step(&data).map_err(internal)?.into_result()),
            },
            "abort" => Err(SaslFailure::aborted()),
            _ => Err(SaslFailure::malformed("not a SASL request")),
        };
        match step {
            Ok(Step::Challenge(data)) => Outcome::Reply(format!(
                "<challenge xmlns='{NS_SASL}'>{}</challenge>",
                b64::encode(&data)
            )),
            Ok(Step::Success(data)) => {
                let authcid = self
                    .exchange
                    .take()
                    .and_then(|m| m.identity().and_then(|i| i.authcid()).map(str::to_owned))
                    .unwrap_or_default();
                let data = server::encode_success_data(data.as_deref());
                Outcome::Success {
                    reply: format!("<success xmlns='{NS_SASL}'>{data}</success>"),
                    authcid,
                }
            }
            Err(failure) => {
                self.exchange = None;
                self.failures += 1;
                // RFC 6120 §6.5: the failure names what went wrong; the
                // fault says not-authorized whatever it was.
                let condition = if self.one_condition {
                    FailureCondition::NotAuthorized
                } else {
                    failure.condition
                };
                let reply = format!(
                    "<failure xmlns='{NS_SASL}'><{}/></failure>",
                    condition.element_name()
                );
                if self.failures >= self.max_failures {
                    Outcome::GiveUp(reply)
                } else {
                    Outcome::Reply(reply)
                }
            }
        }
    }

    /// `<auth/>`: a new exchange (one in progress is dropped: the client
    /// started over).
    fn auth(&mut self, element: &Element) -> Result<Step, SaslFailure> {
        self.exchange = None;
        let name = element.attr("mechanism").unwrap_or_default();
        let mut mechanism = match (name, &self.certificate) {
            ("EXTERNAL", Some(authcid)) if self.external_requires_authzid => Box::new(
                ExternalServer::requiring_authzid(self.accounts.clone(), authcid.clone()),
            ),
            ("EXTERNAL", Some(authcid)) => {
                Box::new(ExternalServer::new(self.accounts.clone(), authcid.clone()))
            }
            _ => crate::sasl::server_mechanism(name, &self.accounts, &self.options)?,
        };
        let mut initial = server::decode_auth(element.text().trim())?;
        // RFC 6120 §6.3.8: the authzid is checked against the account; the
        // fault throws it away, so the authcid's credentials are enough.
        if self.ignore_authzid && name == "PLAIN" {
            initial = initial.map(|m| match m.iter().position(|&b| b == 0) {
                Some(at) => m[at..].to_vec(),
                None => m,
            });
        }
        let step = mechanism
            .start(initial.as_deref())
            .map_err(internal)?
            .into_result();
        self.exchange = Some(mechanism);
        step
    }
}

/// A challenge or success; failures are the `Err` side.
enum Step {
    Challenge(Vec<u8>),
    Success(Option<Vec<u8>>),
}

trait IntoResult {
    fn into_result(self) -> Result<Step, SaslFailure>;
}

impl IntoResult for ServerStep {
    fn into_result(self) -> Result<Step, SaslFailure> {
        match self {
            ServerStep::Challenge(c) => Ok(Step::Challenge(c)),
            ServerStep::Success(d) => Ok(Step::Success(d)),
            ServerStep::Failure(f) => Err(f),
        }
    }
}

/// The server's own trouble (no randomness, say): RFC 6120 §6.5.12's
/// `temporary-auth-failure`, never blamed on the client.
fn internal(e: server::SaslServerError) -> SaslFailure {
    SaslFailure::new(FailureCondition::TemporaryAuthFailure, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::Credentials;
    use crate::xml::{NamespaceScope, parse_element};

    fn negotiation() -> Negotiation {
        let accounts = Accounts::new("example.org", Credentials::new("romeo", "secret"));
        Negotiation::new(
            accounts,
            offered(true, &Faults::default()),
            3,
            &Faults::default(),
        )
    }

    fn element(xml: &str) -> Element {
        parse_element(xml.as_bytes(), &NamespaceScope::new()).expect("test XML")
    }

    fn auth(mechanism: &str, data: &str) -> Element {
        element(&format!(
            "<auth xmlns='{NS_SASL}' mechanism='{mechanism}'>{data}</auth>"
        ))
    }

    fn failure(outcome: &Outcome) -> &str {
        match outcome {
            Outcome::Reply(r) | Outcome::GiveUp(r) => r
                .strip_prefix(&format!("<failure xmlns='{NS_SASL}'><"))
                .and_then(|r| r.strip_suffix("/></failure>"))
                .unwrap_or(r),
            Outcome::Success { reply, .. } => reply,
        }
    }

    #[test]
    fn plain_only_over_tls() {
        assert!(!offered(false, &Faults::default()).contains(&"PLAIN".to_owned()));
        assert!(offered(true, &Faults::default()).contains(&"PLAIN".to_owned()));
    }

    #[test]
    fn plain_success_and_failures() {
        let mut n = negotiation();
        let good = b64::encode(b"\0romeo\0secret");
        let Outcome::Success { authcid, reply } = n.handle(&auth("PLAIN", &good)) else {
            panic!("PLAIN with the right password failed");
        };
        assert_eq!(authcid, "romeo");
        assert_eq!(reply, format!("<success xmlns='{NS_SASL}'></success>"));
        let mut n = negotiation();
        let bad = b64::encode(b"\0romeo\0wrong");
        assert_eq!(failure(&n.handle(&auth("PLAIN", &bad))), "not-authorized");
        assert_eq!(
            failure(&n.handle(&auth("PLAIN", "!!not*base64!!"))),
            "incorrect-encoding"
        );
        // The third failure ends the stream (RFC 6120 §6.4.5 bound).
        assert!(matches!(
            n.handle(&auth("X-NOPE", "")),
            Outcome::GiveUp(r) if r.contains("invalid-mechanism")
        ));
    }

    #[test]
    fn abort_and_stray_response() {
        let mut n = negotiation();
        let first = b64::encode(b"n,,n=romeo,r=abcdefgh");
        assert!(matches!(
            n.handle(&auth("SCRAM-SHA-1", &first)),
            Outcome::Reply(r) if r.starts_with("<challenge")
        ));
        let abort = element(&format!("<abort xmlns='{NS_SASL}'/>"));
        assert_eq!(failure(&n.handle(&abort)), "aborted");
        let response = element(&format!("<response xmlns='{NS_SASL}'/>"));
        assert_eq!(failure(&n.handle(&response)), "malformed-request");
    }

    #[test]
    fn missing_mechanism_attribute_is_invalid_mechanism() {
        let mut n = negotiation();
        let e = element(&format!("<auth xmlns='{NS_SASL}'/>"));
        assert_eq!(failure(&n.handle(&e)), "invalid-mechanism");
    }

    #[test]
    fn external_only_for_a_certificate_and_only_for_its_account() {
        // No certificate: not offered, and refused as a mechanism.
        let mut n = negotiation();
        assert!(!n.offered().contains(&"EXTERNAL".to_owned()));
        assert_eq!(
            failure(&n.handle(&auth("EXTERNAL", "="))),
            "invalid-mechanism"
        );
        // romeo's certificate: offered first; '=' and romeo's JID succeed.
        for data in ["=", &b64::encode(b"romeo@example.org")] {
            let mut n = negotiation().with_certificate("romeo".to_owned());
            assert_eq!(n.offered()[0], "EXTERNAL");
            assert!(matches!(
                n.handle(&auth("EXTERNAL", data)),
                Outcome::Success { authcid, .. } if authcid == "romeo"
            ));
        }
        // Someone else's JID: invalid-authzid (RFC 6120 §6.5.6).
        let mut n = negotiation().with_certificate("romeo".to_owned());
        let other = b64::encode(b"juliet@example.org");
        assert_eq!(
            failure(&n.handle(&auth("EXTERNAL", &other))),
            "invalid-authzid"
        );
        // The fault: '=' no longer takes the certificate's account.
        let accounts = Accounts::new("example.org", Credentials::new("romeo", "secret"));
        let faults = Faults::default().breaking(Rule::ExternalDerivesIdentity);
        let mut n = Negotiation::new(accounts, offered(true, &faults), 3, &faults)
            .with_certificate("romeo".to_owned());
        assert_eq!(
            failure(&n.handle(&auth("EXTERNAL", "="))),
            "invalid-authzid"
        );
    }

    #[test]
    fn faults_break_the_password_check_and_the_conditions() {
        let accounts = Accounts::new("example.org", Credentials::new("romeo", "secret"));
        let faults = Faults::default()
            .breaking(Rule::PasswordChecked)
            .breaking(Rule::SaslFailureConditions);
        let mut n = Negotiation::new(accounts, offered(true, &faults), 3, &faults);
        let bad = b64::encode(b"\0romeo\0wrong");
        assert!(matches!(
            n.handle(&auth("PLAIN", &bad)),
            Outcome::Success { authcid, .. } if authcid == "romeo"
        ));
        assert_eq!(failure(&n.handle(&auth("X-NOPE", ""))), "not-authorized");
    }
}
