//! SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), without channel
//! binding: gs2 header `n,,` or `n,a=<authzid>,` (the `-PLUS` variants need
//! the TLS layer, which the transport does not expose yet).
//!
//! Client first. `initial_response` is client-first-message; the server's
//! first challenge is server-first; the response is client-final with the
//! ClientProof; server-final (`v=` ServerSignature, or `e=`) arrives either
//! as a second challenge, answered with an empty response, or as the
//! `<success/>` data (RFC 6120 §6.4.6, the common case). Success without a
//! verified ServerSignature is an error: mutual authentication is part of
//! what SCRAM promises.
//!
//! Every intermediate value is kept in [`ScramValues`] so a scenario can
//! spell the exchange out (or forge a wrong proof on purpose).
//!
//! Iteration count: RFC 7677 §4 says servers SHOULD use at least 4096.
//! The client accepts any count from 1 so it can still authenticate to, and
//! report on, a server below that ([`ScramValues::below_recommended_iterations`]);
//! it refuses counts above a cap ([`DEFAULT_MAX_ITERATIONS`], configurable),
//! because PBKDF2 time is linear in the count and a hostile or broken server
//! could otherwise pin a CPU for minutes with `i=4294967295`.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::scram_msg::{self, ServerFinal};
use super::{Credentials, Mechanism, SaslError, b64, random_nonce};

/// RFC 7677 §4's floor for servers: counts below it are accepted but flagged.
pub const RECOMMENDED_MIN_ITERATIONS: u32 = 4096;
/// Default cap on the server's iteration count: about a second of PBKDF2 in
/// a release build, and 244× RFC 7677's minimum.
pub const DEFAULT_MAX_ITERATIONS: u32 = 1_000_000;

/// The hash a SCRAM variant is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScramHash {
    Sha1,
    Sha256,
}

impl ScramHash {
    /// The SASL mechanism name.
    pub fn mechanism_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SCRAM-SHA-1",
            Self::Sha256 => "SCRAM-SHA-256",
        }
    }

    /// Output length of the hash in bytes: the length of every key, proof
    /// and signature.
    pub(super) fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
        }
    }

    fn h(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            // HMAC hashes long keys and pads short ones: no key length is
            // invalid, so this cannot fail (the same invariant pbkdf2 relies on).
            let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            Self::Sha1 => run::<Hmac<Sha1>>(key, data),
            Self::Sha256 => run::<Hmac<Sha256>>(key, data),
        }
    }

    /// Hi() of RFC 5802 §2.2, which is PBKDF2 with HMAC and one block.
    fn hi(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        match self {
            Self::Sha1 => {
                let mut out = [0u8; 20];
                pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, &mut out);
                out.to_vec()
            }
            Self::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
                out.to_vec()
            }
        }
    }
}

/// Every value of one SCRAM computation (RFC 5802 §3), for spelled-out
/// scenarios. `Debug` hides the password-equivalent keys (SaltedPassword,
/// ClientKey, StoredKey, ServerKey, ClientSignature: with the proof on the
/// wire the last one yields ClientKey); the fields themselves are public.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramValues {
    pub hash: ScramHash,
    pub gs2_header: String,
    pub client_first_bare: String,
    pub server_first: String,
    /// Client nonce followed by the server's.
    pub nonce: String,
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub client_final_without_proof: String,
    pub auth_message: String,
    pub salted_password: Vec<u8>,
    pub client_key: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub client_signature: Vec<u8>,
    pub client_proof: Vec<u8>,
    pub server_key: Vec<u8>,
    pub server_signature: Vec<u8>,
    /// client-final-message as sent.
    pub client_final: String,
}

impl ScramValues {
    /// True when the server's count is under RFC 7677 §4's 4096.
    pub fn below_recommended_iterations(&self) -> bool {
        self.iterations < RECOMMENDED_MIN_ITERATIONS
    }
}

impl fmt::Debug for ScramValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const R: &str = "[redacted]";
        f.debug_struct("ScramValues")
            .field("hash", &self.hash)
            .field("gs2_header", &self.gs2_header)
            .field("client_first_bare", &self.client_first_bare)
            .field("server_first", &self.server_first)
            .field("nonce", &self.nonce)
            .field("salt", &b64::encode(&self.salt))
            .field("iterations", &self.iterations)
            .field(
                "client_final_without_proof",
                &self.client_final_without_proof,
            )
            .field("auth_message", &self.auth_message)
            .field("salted_password", &R)
            .field("client_key", &R)
            .field("stored_key", &R)
            .field("client_signature", &R)
            .field("client_proof", &b64::encode(&self.client_proof))
            .field("server_key", &R)
            .field("server_signature", &b64::encode(&self.server_signature))
            .field("client_final", &self.client_final)
            .finish()
    }
}

#[derive(Debug)]
enum State {
    Start,
    AwaitServerFirst {
        gs2_header: String,
        client_first_bare: String,
        client_nonce: String,
    },
    AwaitServerFinal,
    /// server-final came as a challenge and was verified.
    Verified,
    Done,
    Failed,
}

/// A SCRAM client for one exchange.
#[derive(Debug)]
pub struct Scram {
    hash: ScramHash,
    credentials: Credentials,
    client_nonce: Option<String>,
    max_iterations: u32,
    state: State,
    values: Option<ScramValues>,
}

impl Scram {
    pub fn new(hash: ScramHash, credentials: Credentials) -> Self {
        Self {
            hash,
            credentials,
            client_nonce: None,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            state: State::Start,
            values: None,
        }
    }

    pub fn sha1(credentials: Credentials) -> Self {
        Self::new(ScramHash::Sha1, credentials)
    }

    pub fn sha256(credentials: Credentials) -> Self {
        Self::new(ScramHash::Sha256, credentials)
    }

    /// A fixed client nonce (printable ASCII, no `,`), for tests and
    /// spelled-out scenarios; otherwise 144 random bits, base64.
    pub fn with_client_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.client_nonce = Some(nonce.into());
        self
    }

    /// The largest iteration count accepted from the server.
    pub fn with_max_iterations(mut self, max: u32) -> Self {
        self.max_iterations = max;
        self
    }

    /// The computed values, once server-first has been answered.
    pub fn values(&self) -> Option<&ScramValues> {
        self.values.as_ref()
    }

    fn name(&self) -> &'static str {
        self.hash.mechanism_name()
    }

    fn client_first(&mut self) -> Result<Vec<u8>, SaslError> {
        let name = self.name();
        let authcid = &self.credentials.authcid;
        if authcid.is_empty() {
            return Err(SaslError::credentials(name, "authcid is empty"));
        }
        let client_nonce = match &self.client_nonce {
            Some(n) if !n.is_empty() && scram_msg::is_printable(n) => n.clone(),
            Some(_) => {
                return Err(SaslError::credentials(
                    name,
                    "client nonce must be non-empty printable ASCII without ','",
                ));
            }
            None => random_nonce(18)?,
        };
        let gs2_header = match self.credentials.authzid.as_deref() {
            Some(a) if !a.is_empty() => format!("n,a={},", scram_msg::escape_saslname(a)),
            _ => "n,,".to_owned(),
        };
        let client_first_bare =
            format!("n={},r={client_nonce}", scram_msg::escape_saslname(authcid));
        let message = format!("{gs2_header}{client_first_bare}").into_bytes();
        self.state = State::AwaitServerFirst {
            gs2_header,
            client_first_bare,
            client_nonce,
        };
        Ok(message)
    }

    fn client_final(
        &mut self,
        server_first: &[u8],
        gs2_header: String,
        client_first_bare: String,
        client_nonce: &str,
    ) -> Result<Vec<u8>, SaslError> {
        let name = self.name();
        let sf = scram_msg::parse_server_first(name, server_first, client_nonce)?;
        let iterations = u32::try_from(sf.iterations)
            .ok()
            .filter(|i| *i <= self.max_iterations)
            .ok_or(SaslError::IterationCount {
                mechanism: name,
                count: sf.iterations,
                max: self.max_iterations,
            })?;
        // parse_server_first checked UTF-8.
        let server_first = String::from_utf8_lossy(server_first).into_owned();
        let values = compute(
            self.hash,
            self.credentials.password.expose().as_bytes(),
            gs2_header,
            client_first_bare,
            server_first,
            sf.nonce,
            sf.salt,
            iterations,
        );
        let out = values.client_final.clone().into_bytes();
        self.values = Some(values);
        self.state = State::AwaitServerFinal;
        Ok(out)
    }

    fn check_server_final(&self, message: &[u8]) -> Result<(), SaslError> {
        let name = self.name();
        let expected = match &self.values {
            Some(v) => &v.server_signature,
            None => {
                return Err(SaslError::unexpected(
                    name,
                    "server-final before server-first",
                ));
            }
        };
        match scram_msg::parse_server_final(name, message)? {
            ServerFinal::Error(value) => Err(SaslError::ServerError {
                mechanism: name,
                value,
            }),
            ServerFinal::Verifier(v) if super::constant_time_eq(&v, expected) => Ok(()),
            ServerFinal::Verifier(_) => Err(SaslError::ServerSignatureMismatch {
                mechanism: name,
                detail: "v= does not match the value computed from the password and this exchange"
                    .to_owned(),
            }),
        }
    }

    fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let name = self.name();
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Start if challenge.is_empty() => self.client_first(),
            State::Start => Err(SaslError::malformed(
                name,
                "the first challenge must be empty when no initial response was sent",
            )),
            State::AwaitServerFirst {
                gs2_header,
                client_first_bare,
                client_nonce,
            } => self.client_final(challenge, gs2_header, client_first_bare, &client_nonce),
            State::AwaitServerFinal => {
                self.check_server_final(challenge)?;
                self.state = State::Verified;
                Ok(Vec::new())
            }
            State::Verified | State::Done => {
                Err(SaslError::unexpected(name, "challenge after server-final"))
            }
            State::Failed => Err(SaslError::unexpected(name, "challenge after an error")),
        }
    }

    fn success(&mut self, data: Option<&[u8]>) -> Result<(), SaslError> {
        let name = self.name();
        let data = data.filter(|d| !d.is_empty());
        match (std::mem::replace(&mut self.state, State::Failed), data) {
            (State::AwaitServerFinal, Some(d)) => self.check_server_final(d),
            (State::AwaitServerFinal, None) => Err(SaslError::MissingServerProof {
                mechanism: name,
                proof: "server signature",
            }),
            (State::Verified, None) => Ok(()),
            (State::Verified, Some(_)) => Err(SaslError::unexpected(
                name,
                "success data after server-final was already verified",
            )),
            (State::Start | State::AwaitServerFirst { .. }, _) => Err(SaslError::unexpected(
                name,
                "success before the exchange finished",
            )),
            (State::Done, _) => Err(SaslError::unexpected(name, "second success")),
            (State::Failed, _) => Err(SaslError::unexpected(name, "success after an error")),
        }
    }
}

/// The password-derived keys of RFC 5802 §3, shared by the client and the
/// server side (which knows the test account's password and so derives
/// them the same way). Password-equivalent: `Debug` prints nothing of them.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct ScramKeys {
    pub salted_password: Vec<u8>,
    pub client_key: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

impl fmt::Debug for ScramKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ScramKeys([redacted])")
    }
}

/// What one AuthMessage signs to, on both sides. No `Debug`: with the
/// proof on the wire, ClientSignature yields ClientKey.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Signatures {
    pub client_signature: Vec<u8>,
    pub client_proof: Vec<u8>,
    pub server_signature: Vec<u8>,
}

impl ScramKeys {
    /// SaltedPassword := Hi(password, salt, i), then ClientKey, StoredKey
    /// and ServerKey from it.
    pub(super) fn derive(hash: ScramHash, password: &[u8], salt: &[u8], iterations: u32) -> Self {
        let salted_password = hash.hi(password, salt, iterations);
        let client_key = hash.hmac(&salted_password, b"Client Key");
        let stored_key = hash.h(&client_key);
        let server_key = hash.hmac(&salted_password, b"Server Key");
        Self {
            salted_password,
            client_key,
            stored_key,
            server_key,
        }
    }

    /// ClientSignature, ClientProof (ClientKey XOR ClientSignature) and
    /// ServerSignature over `auth_message`.
    pub(super) fn sign(&self, hash: ScramHash, auth_message: &[u8]) -> Signatures {
        let client_signature = hash.hmac(&self.stored_key, auth_message);
        let client_proof = self
            .client_key
            .iter()
            .zip(&client_signature)
            .map(|(k, s)| k ^ s)
            .collect();
        let server_signature = hash.hmac(&self.server_key, auth_message);
        Signatures {
            client_signature,
            client_proof,
            server_signature,
        }
    }
}

/// AuthMessage := client-first-message-bare "," server-first-message ","
/// client-final-message-without-proof.
pub(super) fn auth_message(
    client_first_bare: &str,
    server_first: &str,
    client_final_without_proof: &str,
) -> String {
    format!("{client_first_bare},{server_first},{client_final_without_proof}")
}

/// RFC 5802 §3, every value in order.
#[allow(clippy::too_many_arguments)]
fn compute(
    hash: ScramHash,
    password: &[u8],
    gs2_header: String,
    client_first_bare: String,
    server_first: String,
    nonce: String,
    salt: Vec<u8>,
    iterations: u32,
) -> ScramValues {
    let client_final_without_proof = format!("c={},r={nonce}", b64::encode(gs2_header.as_bytes()));
    let auth_message = auth_message(
        &client_first_bare,
        &server_first,
        &client_final_without_proof,
    );
    let keys = ScramKeys::derive(hash, password, &salt, iterations);
    let sigs = keys.sign(hash, auth_message.as_bytes());
    let client_final = format!(
        "{client_final_without_proof},p={}",
        b64::encode(&sigs.client_proof)
    );
    ScramValues {
        hash,
        gs2_header,
        client_first_bare,
        server_first,
        nonce,
        salt,
        iterations,
        client_final_without_proof,
        auth_message,
        salted_password: keys.salted_password,
        client_key: keys.client_key,
        stored_key: keys.stored_key,
        client_signature: sigs.client_signature,
        client_proof: sigs.client_proof,
        server_key: keys.server_key,
        server_signature: sigs.server_signature,
        client_final,
    }
}

impl Mechanism for Scram {
    fn name(&self) -> &'static str {
        self.hash.mechanism_name()
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        let result = match self.state {
            State::Start => self.client_first().map(Some),
            _ => Err(SaslError::unexpected(
                self.name(),
                "second initial response",
            )),
        };
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        // step() leaves State::Failed behind unless it reaches a new state.
        self.step(challenge)
    }

    fn verify_success(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        let result = self.success(additional_data);
        if result.is_ok() {
            self.state = State::Done;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_pencil() -> Credentials {
        Credentials::new("user", "pencil")
    }

    use super::super::scram_vectors::*;

    fn rfc5802() -> Scram {
        Scram::sha1(user_pencil()).with_client_nonce(SHA1_NONCE)
    }

    fn rfc7677() -> Scram {
        Scram::sha256(user_pencil()).with_client_nonce(SHA256_NONCE)
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn rfc5802_example_with_server_final_in_success() {
        let mut m = rfc5802();
        assert_eq!(m.name(), "SCRAM-SHA-1");
        assert_eq!(
            text(m.initial_response().unwrap().unwrap()),
            SHA1_CLIENT_FIRST
        );
        assert_eq!(
            text(m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap()),
            SHA1_CLIENT_FINAL
        );
        m.verify_success(Some(SHA1_SERVER_FINAL.as_bytes()))
            .unwrap();
    }

    #[test]
    fn rfc7677_example_with_server_final_as_challenge() {
        let mut m = rfc7677();
        assert_eq!(m.name(), "SCRAM-SHA-256");
        assert_eq!(
            text(m.initial_response().unwrap().unwrap()),
            SHA256_CLIENT_FIRST
        );
        assert_eq!(
            text(m.respond(SHA256_SERVER_FIRST.as_bytes()).unwrap()),
            SHA256_CLIENT_FINAL
        );
        assert!(
            m.respond(SHA256_SERVER_FINAL.as_bytes())
                .unwrap()
                .is_empty()
        );
        m.verify_success(None).unwrap();
    }

    #[test]
    fn values_are_spelled_out() {
        let mut m = rfc7677();
        assert!(m.values().is_none());
        m.initial_response().unwrap();
        m.respond(SHA256_SERVER_FIRST.as_bytes()).unwrap();
        let v = m.values().unwrap();
        assert_eq!(
            v.auth_message,
            format!(
                "n=user,r={SHA256_NONCE},{SHA256_SERVER_FIRST},c=biws,r={}",
                &SHA256_SERVER_FIRST[2..SHA256_SERVER_FIRST.find(",s=").unwrap()]
            )
        );
        assert_eq!(v.gs2_header, "n,,");
        assert_eq!(v.iterations, 4096);
        assert!(!v.below_recommended_iterations());
        assert_eq!(
            format!("v={}", b64::encode(&v.server_signature)),
            SHA256_SERVER_FINAL
        );
        assert_eq!(v.client_final, SHA256_CLIENT_FINAL);
        assert_eq!(v.stored_key, ScramHash::Sha256.h(&v.client_key));
        let debug = format!("{v:?}");
        assert!(debug.contains("[redacted]"));
        assert!(!debug.contains(&b64::encode(&v.client_key)), "{debug}");
        assert!(
            !debug.contains(&format!("{:?}", v.salted_password)),
            "{debug}"
        );
    }

    #[test]
    fn wrong_server_signature_fails_naming_it() {
        // The RFC's signature with its last bits changed: still valid base64.
        let bad = "v=rmF9pqV8S7suAoZWja4dJRkFsKA=";
        for via_challenge in [false, true] {
            let mut m = rfc5802();
            m.initial_response().unwrap();
            m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap();
            let err = if via_challenge {
                m.respond(bad.as_bytes()).unwrap_err()
            } else {
                m.verify_success(Some(bad.as_bytes())).unwrap_err()
            };
            assert!(
                matches!(err, SaslError::ServerSignatureMismatch { .. }),
                "{err}"
            );
            assert!(err.to_string().contains("server signature"), "{err}");
            assert!(m.verify_success(None).is_err(), "finished after the error");
        }
        // The SHA-256 signature is not accepted for SHA-1, nor vice versa.
        let mut m = rfc7677();
        m.initial_response().unwrap();
        m.respond(SHA256_SERVER_FIRST.as_bytes()).unwrap();
        assert!(
            m.verify_success(Some(SHA1_SERVER_FINAL.as_bytes()))
                .is_err()
        );
    }

    #[test]
    fn success_without_server_signature_fails() {
        let mut m = rfc5802();
        m.initial_response().unwrap();
        m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap();
        let err = m.verify_success(None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SCRAM-SHA-1: success without server signature"
        );
        let mut m = rfc5802();
        m.initial_response().unwrap();
        m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap();
        assert!(m.verify_success(Some(b"")).is_err());
    }

    #[test]
    fn server_error_is_reported() {
        let mut m = rfc5802();
        m.initial_response().unwrap();
        m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap();
        let err = m.respond(b"e=invalid-proof").unwrap_err();
        assert_eq!(
            err,
            SaslError::ServerError {
                mechanism: "SCRAM-SHA-1",
                value: "invalid-proof".into()
            }
        );
    }

    #[test]
    fn nonce_must_extend_the_client_nonce() {
        let mut m = rfc5802();
        m.initial_response().unwrap();
        let err = m
            .respond(b"r=AAAAd2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
            .unwrap_err();
        assert!(matches!(err, SaslError::NonceMismatch { .. }), "{err}");
    }

    #[test]
    fn iteration_count_bounds() {
        let server_first = |i: &str| format!("r={SHA1_NONCE}srv,s=QSXCR+Q6sek8bf92,i={i}");
        // Low counts are accepted and flagged.
        let mut m = rfc5802();
        m.initial_response().unwrap();
        m.respond(server_first("1").as_bytes()).unwrap();
        assert!(m.values().unwrap().below_recommended_iterations());
        // Above the cap, and beyond u32, is refused before any hashing.
        for (count, cap) in [
            ("1000001", DEFAULT_MAX_ITERATIONS),
            ("4294967296", DEFAULT_MAX_ITERATIONS),
            ("5000", 4096),
        ] {
            let mut m = rfc5802().with_max_iterations(cap);
            m.initial_response().unwrap();
            let err = m.respond(server_first(count).as_bytes()).unwrap_err();
            assert!(
                matches!(err, SaslError::IterationCount { max, .. } if max == cap),
                "{err}"
            );
            assert!(err.to_string().contains(count), "{err}");
        }
        let mut m = rfc5802();
        m.initial_response().unwrap();
        let err = m.respond(server_first("0").as_bytes()).unwrap_err();
        assert!(matches!(err, SaslError::MalformedChallenge { .. }), "{err}");
    }

    #[test]
    fn mandatory_extension_is_refused() {
        let mut m = rfc5802();
        m.initial_response().unwrap();
        let err = m
            .respond(format!("m=x,{SHA1_SERVER_FIRST}").as_bytes())
            .unwrap_err();
        assert!(matches!(err, SaslError::Unsupported { .. }), "{err}");
    }

    #[test]
    fn authzid_and_saslname_escaping() {
        let creds = Credentials::new("us=er,x", "pencil").with_authzid("ad,min=");
        let mut m = Scram::sha1(creds).with_client_nonce(SHA1_NONCE);
        assert_eq!(
            text(m.initial_response().unwrap().unwrap()),
            format!("n,a=ad=2Cmin=3D,n=us=3Der=2Cx,r={SHA1_NONCE}")
        );
        let out = text(m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap());
        let c = &out[2..out.find(",r=").unwrap()];
        assert_eq!(b64::decode(c).unwrap(), b"n,a=ad=2Cmin=3D,");
    }

    #[test]
    fn no_initial_response_then_empty_challenge() {
        let mut m = rfc5802();
        assert_eq!(text(m.respond(b"").unwrap()), SHA1_CLIENT_FIRST);
        assert_eq!(
            text(m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap()),
            SHA1_CLIENT_FINAL
        );
    }

    #[test]
    fn random_client_nonce_by_default() {
        let a = text(
            Scram::sha256(user_pencil())
                .initial_response()
                .unwrap()
                .unwrap(),
        );
        let b = text(
            Scram::sha256(user_pencil())
                .initial_response()
                .unwrap()
                .unwrap(),
        );
        assert_ne!(a, b);
        assert!(a.starts_with("n,,n=user,r="));
        assert!(a.len() > "n,,n=user,r=".len() + 16);
    }

    #[test]
    fn bad_injected_nonce_or_empty_user_is_refused() {
        for nonce in ["", "a,b", "a b"] {
            let mut m = Scram::sha1(user_pencil()).with_client_nonce(nonce);
            assert!(matches!(
                m.initial_response(),
                Err(SaslError::InvalidCredentials { .. })
            ));
        }
        let mut m = Scram::sha1(Credentials::new("", "p"));
        assert!(m.initial_response().is_err());
    }

    #[test]
    fn out_of_order_messages() {
        let mut m = rfc5802();
        assert!(matches!(
            m.verify_success(None),
            Err(SaslError::UnexpectedStep { .. })
        ));

        let mut m = rfc5802();
        m.initial_response().unwrap();
        assert!(m.initial_response().is_err());

        let mut m = rfc5802();
        m.initial_response().unwrap();
        assert!(matches!(
            m.verify_success(None),
            Err(SaslError::UnexpectedStep { .. })
        ));

        let mut m = rfc5802();
        m.initial_response().unwrap();
        m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap();
        m.respond(SHA1_SERVER_FINAL.as_bytes()).unwrap();
        assert!(matches!(
            m.respond(b""),
            Err(SaslError::UnexpectedStep { .. })
        ));

        let mut m = rfc5802();
        m.initial_response().unwrap();
        m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap();
        m.respond(SHA1_SERVER_FINAL.as_bytes()).unwrap();
        assert!(
            m.verify_success(Some(SHA1_SERVER_FINAL.as_bytes()))
                .is_err()
        );

        let mut m = rfc5802();
        assert!(matches!(
            m.respond(b"r=x"),
            Err(SaslError::MalformedChallenge { .. })
        ));
    }

    #[test]
    fn garbage_never_panics() {
        let inputs: [&[u8]; 9] = [
            b"",
            b"\xff",
            b",",
            b"=",
            b"r",
            b"r=,s=,i=",
            b"v=",
            b"e=",
            b"r=\xc3",
        ];
        for input in inputs {
            let mut m = rfc5802();
            m.initial_response().unwrap();
            let _ = m.respond(input);
            let mut m = rfc5802();
            m.initial_response().unwrap();
            m.respond(SHA1_SERVER_FIRST.as_bytes()).unwrap();
            let _ = m.verify_success(Some(input));
        }
    }
}
