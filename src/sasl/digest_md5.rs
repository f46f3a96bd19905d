//! DIGEST-MD5 (RFC 2831), `qop=auth` only: no integrity or confidentiality
//! layer. Obsoleted by RFC 6331, but XMPP servers still offer it and RFC
//! 3920 required it, so the harness speaks it.
//!
//! Server first: `<auth/>` is empty, the first challenge carries realm(s),
//! nonce, qop, charset and algorithm; the response proves the password; the
//! second challenge (or the `<success/>` data, RFC 6120 §6.4.6) carries
//! `rspauth`, the server's proof, which must be checked before success is
//! believed.

use md5::{Digest, Md5};

use super::{Credentials, Mechanism, SaslError, directives, hex, random_nonce};

const NAME: &str = "DIGEST-MD5";
/// RFC 2831 §2.1.2: the client's first response in a session.
pub(super) const NC: &str = "00000001";

#[derive(Debug)]
enum State {
    Start,
    AwaitRspauth { expected: String },
    AwaitSuccess,
    Done,
    Failed,
}

/// A DIGEST-MD5 client for one exchange.
#[derive(Debug)]
pub struct DigestMd5 {
    credentials: Credentials,
    serv_type: String,
    host: String,
    realm: Option<String>,
    cnonce: Option<String>,
    state: State,
}

/// What the first challenge says, once checked.
#[derive(Debug)]
struct Challenge {
    realms: Vec<Vec<u8>>,
    nonce: Vec<u8>,
    utf8: bool,
}

impl DigestMd5 {
    /// `domain` is the server's XMPP domain: digest-uri `xmpp/<domain>`.
    pub fn new(credentials: Credentials, domain: impl Into<String>) -> Self {
        Self {
            credentials,
            serv_type: "xmpp".to_owned(),
            host: domain.into(),
            realm: None,
            cnonce: None,
            state: State::Start,
        }
    }

    /// The digest-uri's serv-type (`xmpp` by default; RFC 2831's own
    /// example uses `imap`).
    pub fn with_service(mut self, serv_type: impl Into<String>) -> Self {
        self.serv_type = serv_type.into();
        self
    }

    /// The realm to answer with. Without it: the domain if the server offers
    /// it, else the first realm offered, else none (an empty realm in the
    /// hash, no `realm` directive: RFC 2831 §2.1.2).
    pub fn with_realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// A fixed cnonce, for tests and spelled-out scenarios; otherwise 144
    /// random bits.
    pub fn with_cnonce(mut self, cnonce: impl Into<String>) -> Self {
        self.cnonce = Some(cnonce.into());
        self
    }

    fn digest_uri(&self) -> String {
        format!("{}/{}", self.serv_type, self.host)
    }

    fn first_response(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let ch = read_challenge(challenge)?;
        let cnonce = match &self.cnonce {
            Some(c) => c.clone(),
            None => random_nonce(18)?,
        };
        let utf8 = ch.utf8;
        let encode = |field: &str, value: &str| -> Result<(Vec<u8>, Vec<u8>), SaslError> {
            // (bytes on the wire, bytes in the hash)
            let hashed = hash_form(value, utf8).ok_or_else(|| {
                SaslError::credentials(
                    NAME,
                    format!(
                        "{field} is not representable in ISO 8859-1 and the server did not offer charset=utf-8"
                    ),
                )
            })?;
            let wire = if utf8 {
                value.as_bytes().to_vec()
            } else {
                hashed.clone()
            };
            Ok((wire, hashed))
        };
        let (user_wire, user_hash) = encode("username", &self.credentials.authcid)?;
        let (_, pass_hash) = encode("password", self.credentials.password.expose())?;
        let realm: Option<(Vec<u8>, Vec<u8>)> = match &self.realm {
            Some(r) => Some(encode("realm", r)?),
            None => {
                let chosen = ch
                    .realms
                    .iter()
                    .find(|r| r.as_slice() == self.host.as_bytes())
                    .or_else(|| ch.realms.first());
                chosen.map(|r| (r.clone(), server_realm_hash_form(r, utf8)))
            }
        };
        let authzid = self
            .credentials
            .authzid
            .as_deref()
            .filter(|a| !a.is_empty());
        let digest_uri = self.digest_uri();
        let (response, rspauth) = compute(&Inputs {
            username: &user_hash,
            realm: realm.as_ref().map_or(&[][..], |(_, h)| h),
            password: &pass_hash,
            nonce: &ch.nonce,
            cnonce: cnonce.as_bytes(),
            authzid: authzid.map(str::as_bytes),
            digest_uri: digest_uri.as_bytes(),
        });

        let mut out = Vec::new();
        out.extend_from_slice(b"username=");
        directives::quote(&mut out, &user_wire);
        if let Some((wire, _)) = &realm {
            out.extend_from_slice(b",realm=");
            directives::quote(&mut out, wire);
        }
        out.extend_from_slice(b",nonce=");
        directives::quote(&mut out, &ch.nonce);
        out.extend_from_slice(b",cnonce=");
        directives::quote(&mut out, cnonce.as_bytes());
        out.extend_from_slice(format!(",nc={NC},qop=auth,digest-uri=").as_bytes());
        directives::quote(&mut out, digest_uri.as_bytes());
        out.extend_from_slice(format!(",response={response}").as_bytes());
        if utf8 {
            out.extend_from_slice(b",charset=utf-8");
        }
        if let Some(a) = authzid {
            out.extend_from_slice(b",authzid=");
            directives::quote(&mut out, a.as_bytes());
        }
        self.state = State::AwaitRspauth { expected: rspauth };
        Ok(out)
    }

    fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        match &self.state {
            State::Start => self.first_response(challenge),
            State::AwaitRspauth { expected } => {
                check_rspauth(challenge, expected)?;
                self.state = State::AwaitSuccess;
                // RFC 2831 §2.1.3: the client answers rspauth with an empty response.
                Ok(Vec::new())
            }
            State::AwaitSuccess | State::Done => Err(SaslError::unexpected(
                NAME,
                "challenge after rspauth was verified",
            )),
            State::Failed => Err(SaslError::unexpected(NAME, "challenge after an error")),
        }
    }

    fn success(&mut self, data: Option<&[u8]>) -> Result<(), SaslError> {
        let data = data.filter(|d| !d.is_empty());
        match (&self.state, data) {
            (State::AwaitRspauth { expected }, Some(d)) => check_rspauth(d, expected),
            (State::AwaitRspauth { .. }, None) => Err(SaslError::MissingServerProof {
                mechanism: NAME,
                proof: "rspauth",
            }),
            (State::AwaitSuccess, None) => Ok(()),
            (State::AwaitSuccess, Some(d)) => Err(SaslError::malformed(
                NAME,
                format!(
                    "success carries {} bytes of data after rspauth was already verified",
                    d.len()
                ),
            )),
            (State::Start, _) => Err(SaslError::unexpected(NAME, "success before any challenge")),
            (State::Done, _) => Err(SaslError::unexpected(NAME, "second success")),
            (State::Failed, _) => Err(SaslError::unexpected(NAME, "success after an error")),
        }
    }
}

impl Mechanism for DigestMd5 {
    fn name(&self) -> &'static str {
        NAME
    }

    /// None: DIGEST-MD5 is server-first (RFC 2831 §2.1).
    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        match self.state {
            State::Start => Ok(None),
            _ => {
                self.state = State::Failed;
                Err(SaslError::unexpected(
                    NAME,
                    "initial response requested mid-exchange",
                ))
            }
        }
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let result = self.step(challenge);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    fn verify_success(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        let result = self.success(additional_data);
        self.state = if result.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        result
    }
}

/// RFC 2831 §2.1.1, checked: directives that must not repeat, a nonce, the
/// required `algorithm=md5-sess`, and `auth` among the qop options
/// (missing qop means `auth`). Unknown directives are ignored, as required.
fn read_challenge(bytes: &[u8]) -> Result<Challenge, SaslError> {
    let list = directives::parse(bytes).map_err(|d| SaslError::malformed(NAME, d))?;
    let mut realms = Vec::new();
    let mut once: Vec<(&str, &[u8])> = Vec::new();
    for d in &list {
        match d.name.as_str() {
            "realm" => realms.push(d.value.clone()),
            name @ ("nonce" | "qop" | "stale" | "maxbuf" | "charset" | "algorithm" | "cipher") => {
                if once.iter().any(|(n, _)| *n == name) {
                    return Err(SaslError::malformed(
                        NAME,
                        format!("directive {name} appears more than once (RFC 2831 §2.1.1)"),
                    ));
                }
                once.push((name, &d.value));
            }
            _ => {}
        }
    }
    let get = |name: &str| once.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);

    let nonce = match get("nonce") {
        Some(n) if !n.is_empty() => n.to_vec(),
        Some(_) => return Err(SaslError::malformed(NAME, "empty nonce")),
        None => return Err(SaslError::malformed(NAME, "no nonce directive")),
    };
    match get("algorithm") {
        Some(a) if a.eq_ignore_ascii_case(b"md5-sess") => {}
        Some(a) => {
            return Err(SaslError::Unsupported {
                mechanism: NAME,
                detail: format!(
                    "algorithm={}; RFC 2831 defines only md5-sess",
                    String::from_utf8_lossy(a)
                ),
            });
        }
        None => {
            return Err(SaslError::malformed(
                NAME,
                "no algorithm directive (required, RFC 2831 §2.1.1)",
            ));
        }
    }
    if let Some(q) = get("qop") {
        let offered = directives::split_list(q);
        if !offered.iter().any(|o| o == "auth") {
            return Err(SaslError::Unsupported {
                mechanism: NAME,
                detail: format!("qop offers {offered:?}; this client does auth only"),
            });
        }
    }
    let utf8 = match get("charset") {
        None => false,
        Some(c) if c.eq_ignore_ascii_case(b"utf-8") => true,
        Some(c) => {
            return Err(SaslError::malformed(
                NAME,
                format!(
                    "charset={}; the only value is utf-8",
                    String::from_utf8_lossy(c)
                ),
            ));
        }
    };
    Ok(Challenge {
        realms,
        nonce,
        utf8,
    })
}

/// The server's second message: exactly one `rspauth`, 32 lowercase hex
/// digits, equal to ours.
fn check_rspauth(message: &[u8], expected: &str) -> Result<(), SaslError> {
    let list = directives::parse(message).map_err(|d| SaslError::malformed(NAME, d))?;
    let mut found = list.iter().filter(|d| d.name == "rspauth");
    let value = match (found.next(), found.next()) {
        (Some(d), None) => &d.value,
        (None, _) => {
            return Err(SaslError::malformed(
                NAME,
                "expected rspauth, found no rspauth directive",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(SaslError::malformed(NAME, "rspauth appears more than once"));
        }
    };
    if super::constant_time_eq(value, expected.as_bytes()) {
        return Ok(());
    }
    let shown = String::from_utf8_lossy(value);
    if value.eq_ignore_ascii_case(expected.as_bytes()) {
        return Err(SaslError::malformed(
            NAME,
            format!("rspauth {shown} is not lowercase hex (LHEX)"),
        ));
    }
    Err(SaslError::RspauthMismatch(format!(
        "the server's rspauth {shown:.64} does not match the value computed from the password and this exchange"
    )))
}

/// ISO 8859-1 bytes if every character fits (RFC 2831 §2.1.2.1 converts
/// such strings before hashing even with charset=utf-8), else UTF-8 if the
/// server allows it, else nothing. Shared with the server side, which must
/// hash exactly as a conforming client does.
pub(super) fn hash_form(value: &str, utf8: bool) -> Option<Vec<u8>> {
    let latin1: Option<Vec<u8>> = value.chars().map(|c| u8::try_from(c).ok()).collect();
    match latin1 {
        Some(bytes) => Some(bytes),
        None if utf8 => Some(value.as_bytes().to_vec()),
        None => None,
    }
}

/// A realm as the server sent it: converted like ours when it is UTF-8 that
/// fits ISO 8859-1 and charset=utf-8 is in force, otherwise as received.
pub(super) fn server_realm_hash_form(realm: &[u8], utf8: bool) -> Vec<u8> {
    match std::str::from_utf8(realm) {
        Ok(s) if utf8 => hash_form(s, true).unwrap_or_else(|| realm.to_vec()),
        _ => realm.to_vec(),
    }
}

/// Everything the two hashes depend on, in hash form.
pub(super) struct Inputs<'a> {
    pub username: &'a [u8],
    pub realm: &'a [u8],
    pub password: &'a [u8],
    pub nonce: &'a [u8],
    pub cnonce: &'a [u8],
    pub authzid: Option<&'a [u8]>,
    pub digest_uri: &'a [u8],
}

fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// RFC 2831 §2.1.2.1: returns (`response`, `rspauth`). One computation
/// for both sides: the client sends `response` and expects `rspauth`, the
/// server expects `response` and sends `rspauth`.
///
/// A1 = H(user ":" realm ":" pass) ":" nonce ":" cnonce [":" authzid]
/// A2 = "AUTHENTICATE:" digest-uri (for rspauth: ":" digest-uri)
/// response = HEX(H(HEX(H(A1)) ":" nonce ":" nc ":" cnonce ":" qop ":" HEX(H(A2))))
pub(super) fn compute(i: &Inputs<'_>) -> (String, String) {
    let secret = md5(&[i.username, b":", i.realm, b":", i.password]);
    let mut a1: Vec<&[u8]> = vec![&secret, b":", i.nonce, b":", i.cnonce];
    if let Some(a) = i.authzid {
        a1.extend([b":".as_slice(), a]);
    }
    let ha1 = hex(&md5(&a1));
    let kd = |a2_prefix: &[u8]| {
        let ha2 = hex(&md5(&[a2_prefix, i.digest_uri]));
        hex(&md5(&[
            ha1.as_bytes(),
            b":",
            i.nonce,
            b":",
            NC.as_bytes(),
            b":",
            i.cnonce,
            b":auth:",
            ha2.as_bytes(),
        ]))
    };
    (kd(b"AUTHENTICATE:"), kd(b":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2831 §4's IMAP example, server's first challenge.
    const RFC2831_CHALLENGE: &str = r#"realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8"#;
    /// RFC 3920 §6.5's example challenge, base64-decoded, with its trailing
    /// newline.
    const RFC3920_CHALLENGE: &str = "realm=\"somerealm\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess\n";

    fn rfc2831_client() -> DigestMd5 {
        DigestMd5::new(Credentials::new("chris", "secret"), "elwood.innosoft.com")
            .with_service("imap")
            .with_cnonce("OA6MHXh6VqTrRk")
    }

    fn directive(response: &[u8], name: &str) -> Option<Vec<u8>> {
        directives::parse(response)
            .unwrap()
            .into_iter()
            .find(|d| d.name == name)
            .map(|d| d.value)
    }

    #[test]
    fn rfc2831_example_hashes() {
        let (response, rspauth) = compute(&Inputs {
            username: b"chris",
            realm: b"elwood.innosoft.com",
            password: b"secret",
            nonce: b"OA6MG9tEQGm2hh",
            cnonce: b"OA6MHXh6VqTrRk",
            authzid: None,
            digest_uri: b"imap/elwood.innosoft.com",
        });
        assert_eq!(response, "d388dad90d4bbd760a152321f2143af7");
        assert_eq!(rspauth, "ea40f60335c427b5527b84dbabcdfffd");
    }

    #[test]
    fn rfc2831_example_full_exchange() {
        let mut m = rfc2831_client();
        assert_eq!(m.name(), "DIGEST-MD5");
        assert_eq!(m.initial_response().unwrap(), None);
        let resp = m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(resp).unwrap(),
            r#"username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",cnonce="OA6MHXh6VqTrRk",nc=00000001,qop=auth,digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,charset=utf-8"#
        );
        let empty = m
            .respond(b"rspauth=ea40f60335c427b5527b84dbabcdfffd")
            .unwrap();
        assert!(empty.is_empty());
        m.verify_success(None).unwrap();
    }

    #[test]
    fn rspauth_in_success_data() {
        let mut m = rfc2831_client();
        m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        m.verify_success(Some(b"rspauth=ea40f60335c427b5527b84dbabcdfffd"))
            .unwrap();
    }

    #[test]
    fn wrong_rspauth_fails_naming_rspauth() {
        let mut m = rfc2831_client();
        m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        let err = m
            .respond(b"rspauth=ea40f60335c427b5527b84dbabcdfffe")
            .unwrap_err();
        assert!(matches!(err, SaslError::RspauthMismatch(_)), "{err}");
        assert!(err.to_string().contains("rspauth"), "{err}");
        assert!(!err.to_string().contains("secret"));
        // Finished after the error.
        assert!(m.verify_success(None).is_err());

        let mut m = rfc2831_client();
        m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        let err = m.verify_success(Some(b"rspauth=00")).unwrap_err();
        assert!(matches!(err, SaslError::RspauthMismatch(_)), "{err}");
    }

    #[test]
    fn success_without_rspauth_fails() {
        let mut m = rfc2831_client();
        m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        let err = m.verify_success(None).unwrap_err();
        assert_eq!(err.to_string(), "DIGEST-MD5: success without rspauth");
    }

    #[test]
    fn rspauth_message_problems() {
        for (msg, want) in [
            (&b"nonce=\"x\""[..], "no rspauth"),
            (b"rspauth=ea40f60335c427b5527b84dbabcdfffd,rspauth=ea40f60335c427b5527b84dbabcdfffd", "more than once"),
            (b"rspauth=EA40F60335C427B5527B84DBABCDFFFD", "lowercase"),
            (b"rspauth=\"unterminated", "unterminated"),
        ] {
            let mut m = rfc2831_client();
            m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
            let err = m.respond(msg).unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn rfc3920_challenge_with_trailing_newline() {
        let creds = Credentials::new("somenode", "secret");
        let mut m = DigestMd5::new(creds, "example.com").with_cnonce("OA6MHXh6VqTrRk");
        let resp = m.respond(RFC3920_CHALLENGE.as_bytes()).unwrap();
        let d = directives::parse(&resp).unwrap();
        let get = |n: &str| {
            d.iter()
                .find(|x| x.name == n)
                .map(|x| String::from_utf8(x.value.clone()).unwrap())
        };
        assert_eq!(get("realm").as_deref(), Some("somerealm"));
        assert_eq!(get("digest-uri").as_deref(), Some("xmpp/example.com"));
        assert_eq!(get("charset").as_deref(), Some("utf-8"));
        assert_eq!(get("nc").as_deref(), Some("00000001"));
        assert_eq!(get("qop").as_deref(), Some("auth"));
        // The hash is recomputable from the same inputs.
        let (response, _) = compute(&Inputs {
            username: b"somenode",
            realm: b"somerealm",
            password: b"secret",
            nonce: b"OA6MG9tEQGm2hh",
            cnonce: b"OA6MHXh6VqTrRk",
            authzid: None,
            digest_uri: b"xmpp/example.com",
        });
        assert_eq!(get("response"), Some(response));
    }

    #[test]
    fn robust_challenge_forms() {
        let ok = [
            // whitespace around commas and '=', CRLF, empty elements
            " realm = \"a\" ,\r\n nonce=\"n\" , , qop=\"auth\",algorithm=md5-sess \r\n",
            // missing qop means auth; no realm at all
            "nonce=\"n\",algorithm=md5-sess",
            // qop list with auth not first, unquoted qop, upper-case names and values
            "NONCE=\"n\",QOP=\"auth-int, auth\",ALGORITHM=MD5-SESS,CHARSET=UTF-8",
            // unknown directives ignored; commas and escapes inside quotes
            "nonce=\"n\\\"x,y\",algorithm=md5-sess,x-future=\"a,b\",maxbuf=65536,stale=true",
        ];
        for ch in ok {
            let mut m = DigestMd5::new(Credentials::new("u", "p"), "example.com").with_cnonce("c");
            m.respond(ch.as_bytes())
                .unwrap_or_else(|e| panic!("{ch:?}: {e}"));
        }
    }

    #[test]
    fn escaped_nonce_is_hashed_unescaped_and_sent_escaped() {
        let mut m = DigestMd5::new(Credentials::new("u", "p"), "example.com").with_cnonce("c");
        let resp = m.respond(br#"nonce="a\"b",algorithm=md5-sess"#).unwrap();
        let text = String::from_utf8(resp.clone()).unwrap();
        assert!(text.contains(r#"nonce="a\"b""#), "{text}");
        assert!(!text.contains("realm="), "no realm offered: {text}");
        assert!(!text.contains("charset"), "not offered: {text}");
        let (want, _) = compute(&Inputs {
            username: b"u",
            realm: b"",
            password: b"p",
            nonce: br#"a"b"#,
            cnonce: b"c",
            authzid: None,
            digest_uri: b"xmpp/example.com",
        });
        assert_eq!(directive(&resp, "response"), Some(want.into_bytes()));
    }

    #[test]
    fn multiple_realms_prefer_the_domain_then_the_first() {
        let ch = br#"realm="other",realm="example.com",nonce="n",algorithm=md5-sess"#;
        let mut m = DigestMd5::new(Credentials::new("u", "p"), "example.com").with_cnonce("c");
        let resp = m.respond(ch).unwrap();
        assert_eq!(directive(&resp, "realm"), Some(b"example.com".to_vec()));

        let mut m = DigestMd5::new(Credentials::new("u", "p"), "elsewhere").with_cnonce("c");
        let resp = m.respond(ch).unwrap();
        assert_eq!(directive(&resp, "realm"), Some(b"other".to_vec()));

        let mut m = DigestMd5::new(Credentials::new("u", "p"), "elsewhere")
            .with_cnonce("c")
            .with_realm("mine");
        let resp = m.respond(ch).unwrap();
        assert_eq!(directive(&resp, "realm"), Some(b"mine".to_vec()));
    }

    #[test]
    fn bad_challenges_are_rejected_with_the_reason() {
        let cases = [
            (
                r#"nonce="a",nonce="b",algorithm=md5-sess"#,
                "nonce appears more than once",
            ),
            (
                r#"nonce="a",qop="auth",qop="auth",algorithm=md5-sess"#,
                "qop appears more than once",
            ),
            (
                r#"nonce="a",algorithm=md5-sess,algorithm=md5-sess"#,
                "algorithm appears more than once",
            ),
            (
                r#"nonce="a",charset=utf-8,charset=utf-8,algorithm=md5-sess"#,
                "charset appears more than once",
            ),
            (r#"realm="r",algorithm=md5-sess"#, "no nonce"),
            (r#"nonce="",algorithm=md5-sess"#, "empty nonce"),
            (r#"nonce="a""#, "no algorithm"),
            (r#"nonce="a",algorithm=md5"#, "md5-sess"),
            (
                r#"nonce="a",qop="auth-int,auth-conf",algorithm=md5-sess"#,
                "auth only",
            ),
            (r#"nonce="a",charset=latin1,algorithm=md5-sess"#, "utf-8"),
            (r#"nonce="a,algorithm=md5-sess"#, "unterminated"),
            ("nonce", "no '='"),
        ];
        for (ch, want) in cases {
            let mut m = DigestMd5::new(Credentials::new("u", "p"), "d").with_cnonce("c");
            let err = m.respond(ch.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(want), "{ch:?}: {err}");
            assert!(err.starts_with("DIGEST-MD5"), "{err}");
        }
    }

    #[test]
    fn authzid_goes_into_a1_and_the_response() {
        let creds = Credentials::new("chris", "secret").with_authzid("admin");
        let mut m = DigestMd5::new(creds, "elwood.innosoft.com")
            .with_service("imap")
            .with_cnonce("OA6MHXh6VqTrRk");
        let resp = m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        assert_eq!(directive(&resp, "authzid"), Some(b"admin".to_vec()));
        let response = directive(&resp, "response").unwrap();
        assert_ne!(
            response, b"d388dad90d4bbd760a152321f2143af7",
            "authzid must change A1"
        );
    }

    #[test]
    fn latin1_conversion() {
        assert_eq!(hash_form("café", true), Some(b"caf\xe9".to_vec()));
        assert_eq!(hash_form("café", false), Some(b"caf\xe9".to_vec()));
        assert_eq!(hash_form("日本", true), Some("日本".as_bytes().to_vec()));
        assert_eq!(hash_form("日本", false), None);
        // Without charset=utf-8 a password outside ISO 8859-1 cannot be used.
        let mut m = DigestMd5::new(Credentials::new("u", "日本"), "d").with_cnonce("c");
        let err = m.respond(b"nonce=\"n\",algorithm=md5-sess").unwrap_err();
        assert!(matches!(err, SaslError::InvalidCredentials { .. }), "{err}");
        assert!(!err.to_string().contains("日本"));
    }

    #[test]
    fn random_cnonce_by_default() {
        let mut a = DigestMd5::new(Credentials::new("u", "p"), "d");
        let mut b = DigestMd5::new(Credentials::new("u", "p"), "d");
        let ch = b"nonce=\"n\",algorithm=md5-sess";
        let ca = directive(&a.respond(ch).unwrap(), "cnonce").unwrap();
        let cb = directive(&b.respond(ch).unwrap(), "cnonce").unwrap();
        assert_ne!(ca, cb);
        assert!(ca.len() >= 16);
    }

    #[test]
    fn out_of_order_messages() {
        let mut m = rfc2831_client();
        assert!(matches!(
            m.verify_success(None),
            Err(SaslError::UnexpectedStep { .. })
        ));

        let mut m = rfc2831_client();
        m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        m.respond(b"rspauth=ea40f60335c427b5527b84dbabcdfffd")
            .unwrap();
        assert!(matches!(
            m.respond(b""),
            Err(SaslError::UnexpectedStep { .. })
        ));

        let mut m = rfc2831_client();
        m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        m.respond(b"rspauth=ea40f60335c427b5527b84dbabcdfffd")
            .unwrap();
        assert!(m.verify_success(Some(b"rspauth=x")).is_err());

        let mut m = rfc2831_client();
        m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
        assert!(m.initial_response().is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let inputs: [&[u8]; 8] = [
            b"",
            b"\xff\xfe\x00",
            b"=\"",
            b"\\",
            b",,,,",
            b"nonce=\"\\",
            b"a=b=c",
            b"\"\"\"",
        ];
        for input in inputs {
            let _ = rfc2831_client().respond(input);
            let mut m = rfc2831_client();
            m.respond(RFC2831_CHALLENGE.as_bytes()).unwrap();
            let _ = m.respond(input);
        }
    }
}
