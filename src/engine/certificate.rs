//! What RFC 6120 §13.7.1.1 asks of the end-entity certificate a server
//! presents, as far as the certificate itself shows: it is not a CA
//! certificate (its basicConstraints, if any, do not say cA) and its
//! subject is not empty. Chain and name validation are rustls's, during
//! the handshake; these two rules are not part of them.

use x509_parser::prelude::{FromDer, X509Certificate};

/// `Err` with what is wrong, worded to follow "the server's certificate".
pub(super) fn check(der: &[u8]) -> Result<(), String> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("cannot be read as X.509: {e}"))?;
    if cert.is_ca() {
        return Err("is a CA certificate (basicConstraints cA is true)".to_string());
    }
    if cert.subject().iter().next().is_none() {
        return Err("has an empty subject".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;
    use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair};

    fn der(params: CertificateParams) -> Vec<u8> {
        let key = KeyPair::generate().expect("key");
        params
            .self_signed(&key)
            .expect("certificate")
            .der()
            .to_vec()
    }

    fn leaf() -> CertificateParams {
        let mut p = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        p.distinguished_name = DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, "localhost");
        p
    }

    #[test]
    fn an_end_entity_with_a_subject_passes() {
        assert_eq!(check(&der(leaf())), Ok(()));
    }

    #[test]
    fn a_ca_certificate_fails() {
        let mut p = leaf();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        assert!(check(&der(p)).unwrap_err().contains("CA"));
    }

    #[test]
    fn an_empty_subject_fails() {
        let mut p = leaf();
        p.distinguished_name = DistinguishedName::new();
        assert!(check(&der(p)).unwrap_err().contains("empty subject"));
    }

    #[test]
    fn bytes_that_are_no_certificate_fail_without_panicking() {
        assert!(check(b"not a certificate").is_err());
    }
}
