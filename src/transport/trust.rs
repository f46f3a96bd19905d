//! What `--ca FILE` trusts: the certificate authorities in the file, and
//! also a server certificate that the file holds itself.
//!
//! Operators test servers whose certificate is self-signed
//! (`openssl req -x509 …`, Prosody's `prosodyctl cert generate`), and the
//! natural thing is to hand that certificate to `--ca`. WebPKI refuses it:
//! a self-signed certificate is a CA, and a CA may not be an end entity
//! (`CaUsedAsEndEntity`). A file the user gave is an explicit statement of
//! trust in exactly those certificates, so a server certificate that is
//! byte for byte one of them is accepted, once its name matches the XMPP
//! domain (RFC 6120 §13.7.2: the domain is the reference identity). A
//! file of CAs (a bundle) is verified as WebPKI always does.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// WebPKI over the system roots and the file's certificates, with the
/// file's own certificates also accepted as server certificates.
#[derive(Debug)]
pub(super) struct CaFileVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    /// The certificates of the `--ca` file.
    pinned: Vec<CertificateDer<'static>>,
}

impl CaFileVerifier {
    pub(super) fn new(
        roots: RootCertStore,
        pinned: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<CaFileVerifier, Error> {
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| Error::General(e.to_string()))?;
        Ok(CaFileVerifier { webpki, pinned })
    }

    fn is_pinned(&self, cert: &CertificateDer<'_>) -> bool {
        self.pinned.iter().any(|p| p.as_ref() == cert.as_ref())
    }
}

impl ServerCertVerifier for CaFileVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            // What a self-signed certificate gets: no known issuer, or
            // webpki's CaUsedAsEndEntity (carried as `Other`). Expiry,
            // revocation and a wrong name still fail.
            Err(Error::InvalidCertificate(
                CertificateError::UnknownIssuer | CertificateError::Other(_),
            )) if self.is_pinned(end_entity) => {
                let parsed = ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}
