//! The certificate `--listen` presents when no `--cert`/`--key` is given:
//! the one an earlier run wrote to `--cert-dir`, while it is still good,
//! else a new one.
//!
//! A client under test is told to trust (or pins) `--cert-dir/ca.pem`. A
//! new CA on every run would break such a client between runs, so the set
//! an earlier run wrote (CA, certificate and key) is reused as long as the
//! certificate still chains to that CA, names the domain and stays valid
//! for at least a day. The CA's key is never kept (see
//! `transport::tls::generate_server_identity`), so reuse means reusing the
//! whole set rather than signing a new certificate.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};

use crate::transport::tls::{self, GeneratedIdentity, ServerIdentity, TlsError};

/// How long a reused certificate must stay valid: a run that starts with
/// it must not see it expire, and a client's clock may be ahead.
const MARGIN: Duration = Duration::from_secs(24 * 60 * 60);

/// Where the certificate came from.
#[derive(Debug)]
pub(super) enum Origin {
    /// An earlier run's set in `--cert-dir`, still good.
    Reused,
    /// Made now; there was no earlier set.
    New,
    /// Made now, replacing an earlier set that could not be used.
    Replaced(NotReusable),
}

/// Why an earlier run's set cannot be used again.
#[derive(Debug, thiserror::Error)]
pub(super) enum NotReusable {
    #[error("cannot read {0}: {1}")]
    Unreadable(String, String),
    #[error("{0} holds no certificate")]
    Empty(String),
    #[error("the certificate does not verify against the CA for {domain}: {reason}")]
    Invalid { domain: String, reason: String },
    #[error("the certificate and key do not make a server configuration: {0}")]
    Unusable(TlsError),
}

/// The server identity for `domain` in `dir`: reused if an earlier run's
/// is still good, else generated (and written) now.
pub(super) fn listen_identity(
    domain: &str,
    dir: &Path,
) -> Result<(GeneratedIdentity, Origin), TlsError> {
    let earlier = GeneratedIdentity {
        identity: ServerIdentity {
            cert: dir.join(format!("{domain}.crt")),
            key: dir.join(format!("{domain}.key")),
        },
        wrong_name: tls::wrong_name_identity(domain, dir),
        ca: dir.join("ca.pem"),
    };
    let origin = if earlier.ca.exists() {
        match still_good(domain, &earlier) {
            Ok(()) => return Ok((earlier, Origin::Reused)),
            Err(why) => Origin::Replaced(why),
        }
    } else {
        Origin::New
    };
    tls::generate_server_identity(domain, dir).map(|g| (g, origin))
}

/// Whether `set` can be presented again: the key fits the certificate,
/// which chains to the CA and is valid for `domain` a day from now.
fn still_good(domain: &str, set: &GeneratedIdentity) -> Result<(), NotReusable> {
    let certs = |path: &Path| -> Result<Vec<CertificateDer<'static>>, NotReusable> {
        let shown = path.display().to_string();
        let unreadable =
            |e: rustls_pki_types::pem::Error| NotReusable::Unreadable(shown.clone(), e.to_string());
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(unreadable)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(unreadable)?;
        if certs.is_empty() {
            return Err(NotReusable::Empty(shown.clone()));
        }
        Ok(certs)
    };
    let invalid = |reason: String| NotReusable::Invalid {
        domain: domain.to_owned(),
        reason,
    };
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(certs(&set.ca)?);
    let chain = certs(&set.identity.cert)?;
    let (leaf, intermediates) = chain
        .split_first()
        .ok_or_else(|| NotReusable::Empty(set.identity.cert.display().to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| invalid(e.to_string()))?;
    let name = tls::server_name(domain).map_err(|e| invalid(e.to_string()))?;
    let later = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| invalid("the system clock is before 1970".to_owned()))?
        + MARGIN;
    verifier
        .verify_server_cert(
            leaf,
            intermediates,
            &name,
            &[],
            UnixTime::since_unix_epoch(later),
        )
        .map_err(|e| invalid(e.to_string()))?;
    tls::server_config(&set.identity).map_err(NotReusable::Unusable)?;
    // An earlier version wrote no wrong-name certificate: a set without a
    // usable one is made anew.
    tls::server_config(&set.wrong_name).map_err(NotReusable::Unusable)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_set_is_reused_and_a_broken_one_replaced() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (first, origin) =
            listen_identity("localhost", dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(origin, Origin::New), "{origin:?}");
        let ca = std::fs::read(&first.ca).unwrap_or_else(|e| panic!("{e}"));
        let (again, origin) =
            listen_identity("localhost", dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(origin, Origin::Reused), "{origin:?}");
        assert_eq!(again, first);
        assert_eq!(std::fs::read(&again.ca).ok(), Some(ca.clone()));
        // Another domain: the certificate does not name it.
        std::fs::copy(
            dir.path().join("localhost.crt"),
            dir.path().join("example.org.crt"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(
            dir.path().join("localhost.key"),
            dir.path().join("example.org.key"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (_, origin) =
            listen_identity("example.org", dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(origin, Origin::Replaced(NotReusable::Invalid { .. })),
            "{origin:?}"
        );
        assert_ne!(std::fs::read(dir.path().join("ca.pem")).ok(), Some(ca));
    }
}
