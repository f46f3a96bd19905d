//! TLS configuration: STARTTLS (RFC 6120 §5) upgrades a plain connection
//! in place; direct TLS (XEP-0368) starts with the handshake.
//!
//! As a client, the server's certificate is verified by default, against
//! the system's roots plus any `--ca` file, for the XMPP domain (not the
//! target's host: RFC 6120 §13.7.2 names the domain as the reference
//! identity). `--insecure` skips verification and the transcript says so.
//!
//! As a server (`--listen`), the harness presents `--cert`/`--key`, or a
//! certificate it generates at run time ([`generate_server_identity`]),
//! signed by a CA of its own that the client under test is told to trust.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use super::trust::CaFileVerifier;

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

/// The harness's own certificate chain and key (PEM files), presented to
/// the client under test when the harness plays the server (`--listen`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerIdentity {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// What [`generate_server_identity`] wrote: the server's certificate and
/// key, and the CA certificate that signed it, which the client under test
/// must trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedIdentity {
    pub identity: ServerIdentity,
    /// A certificate the same CA signed for [`WRONG_NAME`] only, not for
    /// the domain: client scenarios present it to see that the client
    /// checks the name (RFC 6120 §13.9.5).
    pub wrong_name: ServerIdentity,
    pub ca: PathBuf,
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
    #[error("cannot read server certificate or key {path}: {reason}")]
    ServerIdentity { path: String, reason: String },
    #[error("cannot generate the server certificate: {0}")]
    Generate(String),
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
    /// What the peer sent where its first TLS record should be is not TLS
    /// (`<` of clear-text XML, typically): it never started TLS.
    #[error("the peer sent bytes that are not TLS where the TLS handshake should be ({0})")]
    NotTls(String),
    /// The peer's data after the STARTTLS exchange was already there, in
    /// clear text, when the handshake was to begin.
    #[error(
        "the peer sent more data in clear text after the STARTTLS exchange, before the TLS handshake"
    )]
    ClearTextBeforeHandshake,
    #[error("the {0} transport has no TLS")]
    NotSupported(super::TransportKind),
}

impl TlsError {
    /// Why the server's certificate failed verification, when that is what
    /// ended the handshake: a problem of the run's trust settings rather
    /// than of the server's TLS.
    pub fn invalid_certificate(&self) -> Option<String> {
        let TlsError::Handshake(e) = self else {
            return None;
        };
        match e.get_ref()?.downcast_ref::<rustls::Error>()? {
            rustls::Error::InvalidCertificate(reason) => Some(format!("{reason:?}")),
            _ => None,
        }
    }
}

/// The error of a failed handshake: [`TlsError::NotTls`] when rustls
/// found no TLS record at all (an unknown content type: the peer is still
/// talking XML, say), so the report can say the peer did not start TLS
/// rather than that TLS went wrong; else [`TlsError::Handshake`].
pub(super) fn handshake_error(e: std::io::Error) -> TlsError {
    let not_tls = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .is_some_and(|inner| {
            matches!(
                inner,
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)
            )
        });
    if not_tls {
        TlsError::NotTls(e.to_string())
    } else {
        TlsError::Handshake(e)
    }
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
        Verification::WithCa(path) => {
            let pinned = ca_file(path)?;
            let mut roots = system_roots(None)?;
            let (added, _) = roots.add_parsable_certificates(pinned.iter().cloned());
            if added == 0 {
                return Err(TlsError::EmptyCaFile {
                    path: path.display().to_string(),
                });
            }
            let verifier = CaFileVerifier::new(roots, pinned, Arc::clone(&provider))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
        }
    };
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some(id) => {
            let (chain, key) = read_identity(&id.cert, &id.key, |path, reason| {
                TlsError::ClientIdentity { path, reason }
            })?;
            builder.with_client_auth_cert(chain, key)?
        }
    };
    Ok(Arc::new(config))
}

/// A server configuration presenting `identity` that also asks, without
/// insisting, for a client certificate issued by the CA in `client_ca`
/// (RFC 6120 §13.8, XEP-0178 §2): a client that presents none goes on as
/// before; one that presents a certificate not chaining to that CA fails
/// the handshake. What the client proved is then
/// [`crate::transport::Transport::peer_certificate`], for SASL EXTERNAL.
pub fn server_config_with_client_ca(
    identity: &ServerIdentity,
    client_ca: &Path,
) -> Result<Arc<ServerConfig>, TlsError> {
    let unreadable = |path, reason| TlsError::ServerIdentity { path, reason };
    let (chain, key) = read_identity(&identity.cert, &identity.key, unreadable)?;
    let mut roots = RootCertStore::empty();
    for cert in ca_file(client_ca)? {
        roots.add(cert)?;
    }
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
            .allow_unauthenticated()
            .build()
            .map_err(|e| TlsError::Config(rustls::Error::General(e.to_string())))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| unreadable(identity.key.display().to_string(), e.to_string()))?;
    Ok(Arc::new(config))
}

/// A server configuration presenting `identity`, asking for no client
/// certificate.
pub fn server_config(identity: &ServerIdentity) -> Result<Arc<ServerConfig>, TlsError> {
    let unreadable = |path, reason| TlsError::ServerIdentity { path, reason };
    let (chain, key) = read_identity(&identity.cert, &identity.key, unreadable)?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        // A key that does not fit the certificate, or of a kind the
        // provider cannot sign with: the key file is the one to look at.
        .with_single_cert(chain, key)
        .map_err(|e| unreadable(identity.key.display().to_string(), e.to_string()))?;
    Ok(Arc::new(config))
}

/// The certificate chain in `cert` and the private key in `key` (PEM), or
/// the error `unreadable` makes from the file's path and the reason.
fn read_identity(
    cert: &Path,
    key: &Path,
    unreadable: impl Fn(String, String) -> TlsError,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let fail = |path: &Path, reason: String| unreadable(path.display().to_string(), reason);
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| fail(cert, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(fail(cert, "no certificate in it".to_string()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| fail(key, e.to_string()))?;
    Ok((chain, key))
}

/// The only name of the generated wrong-name certificate: under `.invalid`
/// (RFC 2606), so it can be no one's domain.
pub const WRONG_NAME: &str = "wrong-name.invalid";

/// Where [`generate_server_identity`] writes the wrong-name certificate and
/// key for `domain`'s set in `dir`.
pub fn wrong_name_identity(domain: &str, dir: &Path) -> ServerIdentity {
    ServerIdentity {
        cert: dir.join(format!("{domain}.wrong-name.crt")),
        key: dir.join(format!("{domain}.wrong-name.key")),
    }
}

/// Make a CA ("xmpp-conform CA") and a certificate for `domain` signed by
/// it, for `--listen` without `--cert`/`--key`. Writes `dir/ca.pem`,
/// `dir/<domain>.crt` and `dir/<domain>.key` (creating `dir`); the CA's key
/// is not kept, so the CA can sign nothing else.
pub fn generate_server_identity(domain: &str, dir: &Path) -> Result<GeneratedIdentity, TlsError> {
    generate_identity(domain, dir, LeafSubject::CommonName)
}

/// The subject of a generated server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafSubject {
    /// `CN=<domain>`.
    CommonName,
    /// None at all, which RFC 6120 §13.7.1.1 forbids: for the reference
    /// server's `certificate-subject` fault.
    Empty,
}

/// [`generate_server_identity`], with the leaf's subject chosen.
pub fn generate_identity(
    domain: &str,
    dir: &Path,
    subject: LeafSubject,
) -> Result<GeneratedIdentity, TlsError> {
    generate_identity_with_clients(domain, dir, subject, &[])
}

/// Where [`generate_identity_with_clients`] writes the client certificate
/// and key of the bare JID `jid`: `dir/<jid>.client.crt` and `.key`.
pub fn issued_client_identity(dir: &Path, jid: &str) -> ClientIdentity {
    ClientIdentity {
        cert: dir.join(format!("{jid}.client.crt")),
        key: dir.join(format!("{jid}.client.key")),
    }
}

/// The object identifier id-on-xmppAddr (RFC 6120 §13.7.1.4), under which
/// a certificate's subjectAltName otherName carries a JID.
pub const ID_ON_XMPP_ADDR: [u64; 9] = [1, 3, 6, 1, 5, 5, 7, 8, 5];

/// [`generate_identity`], and besides a client certificate from the same
/// CA for each bare JID in `clients` (at [`issued_client_identity`]): the
/// JID as an XmppAddr in the subjectAltName (RFC 6120 §13.7.1.4), the
/// extended key usage id-kp-clientAuth, the shape XEP-0178 §2 describes.
/// The reference server issues them so a run can use SASL EXTERNAL.
pub fn generate_identity_with_clients(
    domain: &str,
    dir: &Path,
    subject: LeafSubject,
    clients: &[String],
) -> Result<GeneratedIdentity, TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    // The domain names files too: refuse what no certificate could carry
    // (and a `/` that would lead out of `dir`).
    server_name(domain)?;
    let rcgen = |e: rcgen::Error| TlsError::Generate(e.to_string());

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(rcgen)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "xmpp-conform CA");
    // Each run's CA gets a name of its own. Verifiers find the issuer by
    // name: a client still trusting an earlier run's CA of the same name
    // would report a bad signature (or some stores would keep the old one)
    // instead of an unknown issuer.
    ca_params
        .distinguished_name
        .push(DnType::OrganizationalUnitName, generation_tag(domain)?);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    set_validity(&mut ca_params)?;
    let ca_key = KeyPair::generate().map_err(rcgen)?;
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(rcgen)?;

    // The IP address lets a client that connects to 127.0.0.1 without
    // naming a domain verify too; it costs nothing otherwise.
    let mut names = vec![domain.to_string()];
    if domain != "127.0.0.1" {
        names.push("127.0.0.1".to_string());
    }
    let mut leaf_params = CertificateParams::new(names).map_err(rcgen)?;
    leaf_params.distinguished_name = rcgen::DistinguishedName::new();
    if subject == LeafSubject::CommonName {
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, domain);
    }
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    set_validity(&mut leaf_params)?;
    let leaf_key = KeyPair::generate().map_err(rcgen)?;
    let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(rcgen)?;

    // The same CA's certificate for another name (no IP address either,
    // so a client that matches 127.0.0.1 cannot accept it that way).
    let mut wrong_params = CertificateParams::new(vec![WRONG_NAME.to_string()]).map_err(rcgen)?;
    wrong_params
        .distinguished_name
        .push(DnType::CommonName, WRONG_NAME);
    wrong_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    wrong_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    set_validity(&mut wrong_params)?;
    let wrong_key = KeyPair::generate().map_err(rcgen)?;
    let wrong = wrong_params.signed_by(&wrong_key, &ca).map_err(rcgen)?;

    std::fs::create_dir_all(dir)
        .map_err(|e| TlsError::Generate(format!("cannot create {}: {e}", dir.display())))?;
    let generated = GeneratedIdentity {
        identity: ServerIdentity {
            cert: dir.join(format!("{domain}.crt")),
            key: dir.join(format!("{domain}.key")),
        },
        wrong_name: wrong_name_identity(domain, dir),
        ca: dir.join("ca.pem"),
    };
    write_file(&generated.ca, &ca.pem(), false)?;
    write_file(&generated.identity.cert, &leaf.pem(), false)?;
    write_file(&generated.identity.key, &leaf_key.serialize_pem(), true)?;
    write_file(&generated.wrong_name.cert, &wrong.pem(), false)?;
    write_file(&generated.wrong_name.key, &wrong_key.serialize_pem(), true)?;
    for jid in clients {
        let mut params = CertificateParams::default();
        params.subject_alt_names.push(rcgen::SanType::OtherName((
            ID_ON_XMPP_ADDR.to_vec(),
            jid.as_str().into(),
        )));
        params.distinguished_name.push(DnType::CommonName, jid);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        set_validity(&mut params)?;
        let key = KeyPair::generate().map_err(rcgen)?;
        let cert = params.signed_by(&key, &ca).map_err(rcgen)?;
        let at = issued_client_identity(dir, jid);
        write_file(&at.cert, &cert.pem(), false)?;
        write_file(&at.key, &key.serialize_pem(), true)?;
    }
    Ok(generated)
}

/// A server configuration presenting a certificate that no client can
/// validate: self-signed, made now (and never written) for `domain` and
/// 127.0.0.1, so its names are right and only its issuer is unknown. For
/// client scenarios about certificate validation (RFC 6120 §13.7.2): a
/// client that trusts the run's CA must still refuse this one.
pub fn untrusted_server_config(domain: &str) -> Result<Arc<ServerConfig>, TlsError> {
    use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose};
    server_name(domain)?;
    let rcgen = |e: rcgen::Error| TlsError::Generate(e.to_string());
    let mut params =
        CertificateParams::new(vec![domain.to_string(), "127.0.0.1".to_string()]).map_err(rcgen)?;
    params.distinguished_name.push(DnType::CommonName, domain);
    params
        .distinguished_name
        .push(DnType::OrganizationalUnitName, "xmpp-conform untrusted");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    set_validity(&mut params)?;
    let key = KeyPair::generate().map_err(rcgen)?;
    let cert = params.self_signed(&key).map_err(rcgen)?;
    let key = PrivateKeyDer::try_from(key.serialize_der())
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    Ok(Arc::new(config))
}

/// Valid from yesterday (a client whose clock is a little behind still
/// accepts it) to a year from now. rcgen's default, 1975 to 4096, breaks
/// some TLS stacks: ejabberd 23.01's certificate store arms an Erlang timer
/// for the expiry, which `erlang:start_timer` refuses two thousand years
/// away. rcgen's dates are `time::OffsetDateTime`s, which add a
/// `std::time::Duration`, so the `time` crate is not needed directly.
fn set_validity(params: &mut rcgen::CertificateParams) -> Result<(), TlsError> {
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);
    let since_epoch = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| TlsError::Generate("the system clock is before 1970".to_string()))?;
    let now = rcgen::date_time_ymd(1970, 1, 1) + since_epoch;
    params.not_before = now - DAY;
    params.not_after = now + 365 * DAY;
    Ok(())
}

/// `for <domain>, generated at <seconds.nanoseconds since 1970>`, unique
/// enough to tell one run's CA from another's.
fn generation_tag(domain: &str) -> Result<String, TlsError> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| TlsError::Generate("the system clock is before 1970".to_string()))?;
    Ok(format!(
        "for {domain}, generated at {}.{:09}",
        now.as_secs(),
        now.subsec_nanos()
    ))
}

/// Write `contents` to `path`, readable by the owner only if `private`
/// (on Unix; elsewhere with the default permissions).
fn write_file(path: &Path, contents: &str, private: bool) -> Result<(), TlsError> {
    use std::io::Write;
    let failed =
        |e: std::io::Error| TlsError::Generate(format!("cannot write {}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(failed)?;
    // `mode` applies to a new file only; a key left by an earlier run may
    // have been readable by others.
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(failed)?;
    }
    #[cfg(not(unix))]
    let _ = private;
    file.write_all(contents.as_bytes()).map_err(failed)
}

/// The system's roots (unreadable ones are skipped), plus `extra`.
fn system_roots(extra: Option<&Path>) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = extra {
        let (added, _) = roots.add_parsable_certificates(ca_file(path)?);
        if added == 0 {
            return Err(TlsError::EmptyCaFile {
                path: path.display().to_string(),
            });
        }
    }
    Ok(roots)
}

/// The certificates of a `--ca` file (PEM): CAs, a bundle of them, or a
/// server's own self-signed certificate.
fn ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let unreadable = |reason: String| TlsError::CaFile {
        path: path.display().to_string(),
        reason,
    };
    CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(e.to_string()))
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

    fn generated(dir: &Path) -> GeneratedIdentity {
        generate_server_identity("localhost", dir).expect("generate a server identity")
    }

    #[test]
    fn generated_files_are_where_the_identity_says() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let made = dir.path().join("reports");
        let generated = generated(&made);
        assert_eq!(generated.ca, made.join("ca.pem"));
        assert_eq!(generated.identity.cert, made.join("localhost.crt"));
        assert_eq!(generated.identity.key, made.join("localhost.key"));
        let read = |p: &Path| std::fs::read_to_string(p).expect("generated file");
        assert!(read(&generated.ca).starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(read(&generated.identity.cert).starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(read(&generated.identity.key).starts_with("-----BEGIN PRIVATE KEY-----"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&generated.identity.key)
                .expect("key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        server_config(&generated.identity).expect("a usable server identity");
    }

    /// The leaf verifies against the CA for the domain and for 127.0.0.1,
    /// from yesterday to a year ahead, and not outside that window.
    #[test]
    fn the_generated_certificate_is_valid_for_a_year_from_yesterday() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let generated = generated(dir.path());
        let mut roots = RootCertStore::empty();
        for ca in CertificateDer::pem_file_iter(&generated.ca).expect("CA file") {
            roots.add(ca.expect("CA certificate")).expect("a usable CA");
        }
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .expect("verifier");
        let leaf = CertificateDer::from_pem_file(&generated.identity.cert).expect("certificate");
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("clock");
        const DAY: Duration = Duration::from_secs(24 * 60 * 60);
        let check = |name: &str, at: Duration| {
            let name = server_name(name).expect("name");
            verifier.verify_server_cert(&leaf, &[], &name, &[], UnixTime::since_unix_epoch(at))
        };
        assert!(check("localhost", now).is_ok());
        assert!(check("127.0.0.1", now).is_ok());
        assert!(check("localhost", now - DAY + Duration::from_secs(60)).is_ok());
        assert!(check("localhost", now + 364 * DAY).is_ok());
        let refused = |result: Result<ServerCertVerified, rustls::Error>| match result {
            Err(rustls::Error::InvalidCertificate(e)) => format!("{e:?}"),
            other => panic!("not refused: {other:?}"),
        };
        assert!(refused(check("localhost", now - 2 * DAY)).contains("NotValidYet"));
        assert!(refused(check("localhost", now + 366 * DAY)).contains("Expired"));
        assert!(refused(check("example.org", now)).contains("NotValidForName"));
    }

    #[test]
    fn a_domain_that_cannot_name_a_certificate_is_refused() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let err = generate_server_identity("../etc", dir.path()).err();
        assert!(matches!(err, Some(TlsError::ServerName(_))), "{err:?}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("folder").count(), 0);
    }

    #[test]
    fn a_missing_server_identity_is_named() {
        let id = ServerIdentity {
            cert: PathBuf::from("/nonexistent/server.crt"),
            key: PathBuf::from("/nonexistent/server.key"),
        };
        let shown = server_config(&id)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            shown.starts_with("cannot read server certificate or key /nonexistent/server.crt"),
            "{shown}"
        );
    }

    #[test]
    fn a_key_that_does_not_fit_the_certificate_names_the_key_file() {
        let (one, two) = (tempfile::tempdir(), tempfile::tempdir());
        let (one, two) = (one.expect("folder"), two.expect("folder"));
        let id = ServerIdentity {
            cert: generated(one.path()).identity.cert,
            key: generated(two.path()).identity.key,
        };
        let err = server_config(&id).err();
        let Some(TlsError::ServerIdentity { path, reason }) = err else {
            panic!("not refused as a server identity: {err:?}");
        };
        assert_eq!(path, id.key.display().to_string());
        assert!(!reason.is_empty());
    }
}
