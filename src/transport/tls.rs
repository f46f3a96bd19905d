//! TLS on the client side: STARTTLS (RFC 6120 §5) upgrades a plain
//! connection in place; direct TLS (XEP-0368) starts with the handshake.
//!
//! The server's certificate is verified by default, against the system's
//! roots plus any `--ca` file, for the XMPP domain (not the target's host:
//! RFC 6120 §13.7.2 names the domain as the reference identity).
//! `--insecure` skips verification and the transcript says so.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

/// How the server's certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Verification {
    /// System roots, plus the certificates in these PEM files.
    #[default]
    Verify,
    /// System roots and this extra CA file.
    WithCa(PathBuf),
    /// No verification at all (`--insecure`).
    Insecure,
}

/// A client certificate and its key (PEM files), presented when the server
/// asks for one: what SASL EXTERNAL (RFC 6120 §6.4, XEP-0178) authenticates
/// with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Why TLS could not be set up or negotiated.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("no usable certificate in CA file {path}")]
    EmptyCaFile { path: String },
    #[error("cannot read client certificate or key {path}: {reason}")]
    ClientIdentity { path: String, reason: String },
    #[error("`{0}` is not a valid TLS server name")]
    ServerName(String),
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
    #[error("TLS handshake failed: {0}")]
    Handshake(std::io::Error),
    #[error("TLS handshake did not finish within {0:?}")]
    HandshakeTimeout(std::time::Duration),
    #[error("TLS is already on for this connection")]
    AlreadyTls,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration for this verification policy, presenting
/// `identity` when the server asks for a client certificate.
pub fn client_config(
    verification: &Verification,
    identity: Option<&ClientIdentity>,
) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?;
    let builder = match verification {
        Verification::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate {
                algorithms: provider.signature_verification_algorithms,
            })),
        Verification::Verify => builder.with_root_certificates(system_roots(None)?),
        Verification::WithCa(path) => builder.with_root_certificates(system_roots(Some(path))?),
    };
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some(id) => {
            let (chain, key) = read_identity(id)?;
            builder.with_client_auth_cert(chain, key)?
        }
    };
    Ok(Arc::new(config))
}

/// The certificate chain and private key of `--client-cert`/`--client-key`.
fn read_identity(
    id: &ClientIdentity,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let unreadable = |path: &Path, reason: String| TlsError::ClientIdentity {
        path: path.display().to_string(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(&id.cert)
        .map_err(|e| unreadable(&id.cert, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(&id.cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(unreadable(&id.cert, "no certificate in it".to_string()));
    }
    let key =
        PrivateKeyDer::from_pem_file(&id.key).map_err(|e| unreadable(&id.key, e.to_string()))?;
    Ok((chain, key))
}

/// The system's roots (unreadable ones are skipped), plus `extra`.
fn system_roots(extra: Option<&Path>) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = extra {
        let display = path.display().to_string();
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| TlsError::CaFile {
                path: display.clone(),
                reason: e.to_string(),
            })?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::CaFile {
                path: display.clone(),
                reason: e.to_string(),
            })?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(TlsError::EmptyCaFile { path: display });
        }
    }
    Ok(roots)
}

/// The name the certificate must be valid for.
pub fn server_name(domain: &str) -> Result<ServerName<'static>, TlsError> {
    ServerName::try_from(domain.to_string()).map_err(|_| TlsError::ServerName(domain.to_string()))
}

/// `--insecure`: accepts any certificate, but still checks that the
/// handshake's signatures are made with the certificate's key, so the
/// session is at least internally consistent.
#[derive(Debug)]
struct AcceptAnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_client_identity_is_named() {
        let id = ClientIdentity {
            cert: PathBuf::from("/nonexistent/client.pem"),
            key: PathBuf::from("/nonexistent/client.key"),
        };
        let err = client_config(&Verification::Insecure, Some(&id)).err();
        let shown = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            shown.starts_with("cannot read client certificate or key /nonexistent/client.pem"),
            "{shown}"
        );
    }

    #[test]
    fn a_certificate_file_without_certificates_is_refused() {
        let dir = std::env::temp_dir().join(format!("xc-tls-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let empty = dir.join("empty.pem");
        let _ = std::fs::write(&empty, "not a certificate\n");
        let id = ClientIdentity {
            cert: empty.clone(),
            key: empty,
        };
        let shown = client_config(&Verification::Insecure, Some(&id))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(shown.contains("no certificate in it"), "{shown}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
