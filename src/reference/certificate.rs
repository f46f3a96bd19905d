//! Which account a client certificate vouches for, for SASL EXTERNAL
//! (RFC 6120 §6.4, XEP-0178 §2). rustls has already checked that the
//! certificate chains to the server's CA during the handshake; this reads
//! the JID it carries: the subjectAltName otherName id-on-xmppAddr
//! (RFC 6120 §13.7.1.4), a UTF8String.

use x509_parser::asn1_rs::{Any, FromDer, Utf8String};
use x509_parser::prelude::{GeneralName, X509Certificate};

use crate::sasl::server::Accounts;
use crate::transport::tls::ID_ON_XMPP_ADDR;

/// The account (its authcid, the JID's localpart) of `der`'s one
/// XmppAddr, when that is a bare JID of `accounts`' domain naming one of
/// its accounts. `None` otherwise — no XmppAddr, several (XEP-0178 §2
/// leaves the choice to the client's authzid; this server does not offer
/// EXTERNAL then), another domain, an unknown account, or bytes that are
/// no certificate — and then EXTERNAL is not offered.
pub(super) fn account(der: &[u8], accounts: &Accounts) -> Option<String> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let san = cert.subject_alternative_name().ok()??;
    let mut addrs = san.value.general_names.iter().filter_map(xmpp_addr);
    let jid = addrs.next()?;
    if addrs.next().is_some() {
        return None;
    }
    let (local, domain) = jid.split_once('@')?;
    if !domain.eq_ignore_ascii_case(accounts.domain()) {
        return None;
    }
    accounts.lookup(local).map(|a| a.authcid.clone())
}

/// The JID of an otherName id-on-xmppAddr: `[0] EXPLICIT UTF8String`.
fn xmpp_addr(name: &GeneralName<'_>) -> Option<String> {
    let GeneralName::OtherName(oid, value) = name else {
        return None;
    };
    let arcs: Vec<u64> = oid.iter()?.collect();
    if arcs != ID_ON_XMPP_ADDR {
        return None;
    }
    let (_, explicit) = Any::from_der(value).ok()?;
    let (_, text) = Utf8String::from_der(explicit.data).ok()?;
    Some(text.string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::Credentials;
    use rcgen::{CertificateParams, KeyPair, SanType};

    fn der(sans: Vec<SanType>) -> Vec<u8> {
        let mut params = CertificateParams::default();
        params.subject_alt_names = sans;
        let key = KeyPair::generate().expect("key");
        params
            .self_signed(&key)
            .expect("certificate")
            .der()
            .to_vec()
    }

    fn xmpp(jid: &str) -> SanType {
        SanType::OtherName((ID_ON_XMPP_ADDR.to_vec(), jid.into()))
    }

    fn accounts() -> Accounts {
        Accounts::new("example.org", Credentials::new("romeo", "secret"))
            .with_account(Credentials::new("juliet", "secret"))
    }

    #[test]
    fn the_one_xmpp_addr_names_the_account() {
        let a = accounts();
        assert_eq!(
            account(&der(vec![xmpp("romeo@example.org")]), &a).as_deref(),
            Some("romeo")
        );
        assert_eq!(
            account(&der(vec![xmpp("romeo@EXAMPLE.org")]), &a).as_deref(),
            Some("romeo")
        );
    }

    #[test]
    fn no_usable_xmpp_addr_names_none() {
        let a = accounts();
        for sans in [
            vec![],
            vec![SanType::DnsName(
                "romeo@example.org".try_into().expect("name"),
            )],
            vec![xmpp("romeo@example.com")],
            vec![xmpp("tybalt@example.org")],
            vec![xmpp("example.org")],
            vec![xmpp("romeo@example.org"), xmpp("juliet@example.org")],
        ] {
            assert_eq!(account(&der(sans.clone()), &a), None, "{sans:?}");
        }
        assert_eq!(account(b"not a certificate", &a), None);
    }
}
