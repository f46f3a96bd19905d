//! Checking a client's DIGEST-MD5 `digest-response` (RFC 2831 §2.1.2)
//! against the challenge the server sent.
//!
//! Checked in this order, so the detail names the first real problem: a
//! challenge without a usable nonce (a [`super::FixedChallenge`]: nothing
//! can be right then); syntax (the shared directive parser), directives repeated or missing
//! (RFC 2831: "MUST be present exactly once; otherwise, authentication
//! fails"), `charset` and `qop` not offered, `nc` and `response` syntax —
//! all `malformed-request`; then the values, `not-authorized` when wrong:
//! username, realm, nonce echoed, `nc=00000001`, digest-uri `xmpp/<domain>`,
//! the response hash; last the authzid (`invalid-authzid`), once the
//! password is proven.
//!
//! The hash is computed by the client side's code ([`compute`]), from the
//! test account's password and the values as the client sent them, so the
//! two sides cannot drift apart.

use super::failure::SaslFailure;
use super::{Accounts, Identity, quoted};
use crate::sasl::digest_md5::{Inputs, NC, compute, hash_form, server_realm_hash_form};
use crate::sasl::{constant_time_eq, directives};

const NAME: &str = "DIGEST-MD5";

/// Directives of a response that may appear at most once.
const SINGLE: [&str; 12] = [
    "username",
    "realm",
    "nonce",
    "cnonce",
    "nc",
    "qop",
    "digest-uri",
    "response",
    "maxbuf",
    "charset",
    "cipher",
    "authzid",
];

/// What the first challenge offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Offered {
    /// The nonce, or why there is none (a fixed challenge without one).
    pub nonce: Result<Vec<u8>, String>,
    pub realms: Vec<Vec<u8>>,
    /// `charset=utf-8` was offered.
    pub utf8: bool,
}

/// A response that proved the password.
#[derive(Debug)]
pub(super) struct Verified {
    pub identity: Identity,
    /// The server's proof, 32 lowercase hex digits.
    pub rspauth: String,
    /// What was checked, for the transcript: the response hash computed
    /// here, equal to the client's, and the inputs it came from.
    pub summary: String,
}

fn malformed(detail: impl std::fmt::Display) -> SaslFailure {
    SaslFailure::malformed(format!("{NAME}: {detail}"))
}

fn not_authorized(detail: impl std::fmt::Display) -> SaslFailure {
    SaslFailure::not_authorized(format!("{NAME}: {detail}"))
}

fn is_lhex(value: &[u8], len: usize) -> bool {
    value.len() == len && value.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Username and authzid as text: UTF-8 with `charset=utf-8`, else ISO
/// 8859-1 (RFC 2831 §2.1.2), which any byte string is.
fn text(field: &str, value: &[u8], utf8: bool) -> Result<String, SaslFailure> {
    if utf8 {
        std::str::from_utf8(value)
            .map(str::to_owned)
            .map_err(|e| malformed(format!("{field} is not UTF-8 although charset=utf-8: {e}")))
    } else {
        Ok(value.iter().map(|&b| char::from(b)).collect())
    }
}

fn list(items: &[Vec<u8>]) -> String {
    let quoted: Vec<String> = items.iter().map(|r| quoted(r)).collect();
    quoted.join(", ")
}

pub(super) fn verify(
    response: &[u8],
    offered: &Offered,
    accounts: &Accounts,
) -> Result<Verified, SaslFailure> {
    // A challenge without a usable nonce is the first thing wrong.
    let expected_nonce = offered.nonce.as_ref().map_err(not_authorized)?;
    let parsed = directives::parse(response).map_err(malformed)?;
    for name in SINGLE {
        if parsed.iter().filter(|d| d.name == name).count() > 1 {
            return Err(malformed(format!(
                "directive {name} appears more than once (RFC 2831 §2.1.2)"
            )));
        }
    }
    let get = |name: &str| {
        parsed
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_slice())
    };
    let require = |name: &str| {
        get(name)
            .ok_or_else(|| malformed(format!("no {name} directive (required, RFC 2831 §2.1.2)")))
    };
    let (username, nonce, cnonce) = (require("username")?, require("nonce")?, require("cnonce")?);
    let (nc, digest_uri, hash) = (require("nc")?, require("digest-uri")?, require("response")?);

    // Quoted strings in ABNF are case-insensitive (RFC 5234 §2.3).
    let utf8 = match get("charset") {
        None => false,
        Some(c) if c.eq_ignore_ascii_case(b"utf-8") && offered.utf8 => true,
        Some(c) if c.eq_ignore_ascii_case(b"utf-8") => {
            return Err(malformed(
                "charset=utf-8, but the challenge did not offer it",
            ));
        }
        Some(other) => {
            return Err(malformed(format!(
                "charset is {}; the only value is utf-8",
                quoted(other)
            )));
        }
    };
    if let Some(qop) = get("qop").filter(|q| !q.eq_ignore_ascii_case(b"auth")) {
        return Err(malformed(format!(
            "qop is {}; only auth was offered",
            quoted(qop)
        )));
    }
    if nc != NC.as_bytes() && !is_lhex(nc, 8) {
        return Err(malformed(format!(
            "nc is {}, not 8 lowercase hex digits",
            quoted(nc)
        )));
    }
    if !is_lhex(hash, 32) {
        return Err(malformed(format!(
            "response is {}, not 32 lowercase hex digits (LHEX)",
            quoted(hash)
        )));
    }
    if cnonce.is_empty() {
        return Err(malformed("cnonce is empty"));
    }

    let authcid = text("username", username, utf8)?;
    let account = accounts.user(NAME, &authcid)?;
    let realm = get("realm");
    match realm {
        None if !offered.realms.is_empty() => {
            return Err(malformed(format!(
                "no realm directive, required because the challenge offered {}",
                list(&offered.realms)
            )));
        }
        _ => {}
    }
    // "its value SHOULD be one of those realms" (RFC 2831 §2.1.2): another
    // realm breaks no MUST, and the hash covers it, so it is checked with
    // the realm the client sent and the choice is noted, not refused.
    let foreign_realm = realm
        .filter(|r| !offered.realms.is_empty() && !offered.realms.iter().any(|o| o == r))
        .map(|r| {
            format!(
                "; note: the client's realm {} is not the offered {} (RFC 2831 §2.1.2: it SHOULD be one of them), so the hashes were computed with the client's",
                quoted(r),
                list(&offered.realms)
            )
        });
    if nonce != expected_nonce.as_slice() {
        return Err(not_authorized(format!(
            "nonce is {}, expected the challenge's {}",
            quoted(nonce),
            quoted(expected_nonce)
        )));
    }
    if nc != NC.as_bytes() {
        return Err(not_authorized(format!(
            "nc is {}, expected {NC} (the first response to this nonce)",
            quoted(nc)
        )));
    }
    let expected_uri = format!("xmpp/{}", accounts.domain());
    if digest_uri != expected_uri.as_bytes() {
        return Err(not_authorized(format!(
            "digest-uri is {}, expected {}",
            quoted(digest_uri),
            quoted(expected_uri.as_bytes())
        )));
    }

    let Some(password) = hash_form(account.password.expose(), utf8) else {
        return Err(not_authorized(
            "the test account's password is not representable in ISO 8859-1 and the client did not send charset=utf-8",
        ));
    };
    let user_hash = hash_form(&authcid, utf8).unwrap_or_else(|| username.to_vec());
    let realm_hash = realm
        .map(|r| server_realm_hash_form(r, utf8))
        .unwrap_or_default();
    let authzid = get("authzid");
    let (expected, rspauth) = compute(&Inputs {
        username: &user_hash,
        realm: &realm_hash,
        password: &password,
        nonce,
        cnonce,
        authzid,
        digest_uri,
    });
    if !constant_time_eq(hash, expected.as_bytes()) {
        return Err(not_authorized(format!(
            "response hash: expected {expected}, received {}; computed from username {}, realm {}, nonce {}, cnonce {}, nc {NC}, qop auth, digest-uri {}, {}, {} and the test account's password",
            String::from_utf8_lossy(hash),
            quoted(username),
            realm.map_or("none".to_owned(), quoted),
            quoted(nonce),
            quoted(cnonce),
            quoted(digest_uri),
            authzid.map_or("no authzid".to_owned(), |a| format!(
                "authzid {}",
                quoted(a)
            )),
            if utf8 { "charset utf-8" } else { "ISO 8859-1" },
        )));
    }
    let authzid = authzid
        .map(|a| text("authzid", a, utf8))
        .transpose()?
        .filter(|a| !a.is_empty());
    accounts.authorize(NAME, &authcid, authzid.as_deref())?;
    let summary = format!(
        "{NAME} response verified: computed {expected} from username {}, realm {}, nonce {}, cnonce {}, nc {NC}, qop auth, digest-uri {} and the password; the client sent {}",
        quoted(username),
        realm.map_or("none".to_owned(), quoted),
        quoted(nonce),
        quoted(cnonce),
        quoted(digest_uri),
        String::from_utf8_lossy(hash),
    ) + foreign_realm.as_deref().unwrap_or_default();
    Ok(Verified {
        identity: Identity::Account { authcid, authzid },
        rspauth,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::super::FailureCondition::{self, InvalidAuthzid, MalformedRequest, NotAuthorized};
    use super::*;
    use crate::sasl::Credentials;

    fn accounts() -> Accounts {
        Accounts::new("example.org", Credentials::new("juliet", "r0m30"))
    }

    fn offered(utf8: bool) -> Offered {
        Offered {
            nonce: Ok(b"N".to_vec()),
            realms: vec![b"example.org".to_vec()],
            utf8,
        }
    }

    /// A correct response, edited; `response="AUTO"` is replaced by the
    /// hash of whatever the edited directives say.
    fn response(edit: impl FnOnce(&mut Vec<(&'static str, String)>)) -> Vec<u8> {
        let mut list: Vec<(&str, String)> = [
            ("username", "juliet"),
            ("realm", "example.org"),
            ("nonce", "N"),
            ("cnonce", "C"),
            ("nc", "00000001"),
            ("qop", "auth"),
            ("digest-uri", "xmpp/example.org"),
            ("response", "AUTO"),
            ("charset", "utf-8"),
        ]
        .map(|(n, v)| (n, v.to_owned()))
        .to_vec();
        edit(&mut list);
        let get = |n: &str| list.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
        let (hash, _) = compute(&Inputs {
            username: get("username").unwrap_or_default().as_bytes(),
            realm: get("realm").unwrap_or_default().as_bytes(),
            password: b"r0m30",
            nonce: get("nonce").unwrap_or_default().as_bytes(),
            cnonce: get("cnonce").unwrap_or_default().as_bytes(),
            authzid: get("authzid").as_deref().map(str::as_bytes),
            digest_uri: get("digest-uri").unwrap_or_default().as_bytes(),
        });
        let mut out = Vec::new();
        for (name, value) in &list {
            if !out.is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(format!("{name}=").as_bytes());
            let value = if value == "AUTO" { &hash } else { value };
            directives::quote(&mut out, value.as_bytes());
        }
        out
    }

    fn set(name: &'static str, value: &str) -> impl FnOnce(&mut Vec<(&'static str, String)>) {
        let value = value.to_owned();
        move |l| match l.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => l.push((name, value)),
        }
    }

    fn remove(name: &'static str) -> impl FnOnce(&mut Vec<(&'static str, String)>) {
        move |l| l.retain(|(n, _)| *n != name)
    }

    fn fails(resp: &[u8], offered: &Offered) -> SaslFailure {
        verify(resp, offered, &accounts()).expect_err("verified")
    }

    #[test]
    fn a_correct_response_proves_the_password() {
        let v = verify(&response(|_| {}), &offered(true), &accounts()).unwrap();
        assert_eq!(
            v.identity,
            Identity::Account {
                authcid: "juliet".into(),
                authzid: None
            }
        );
        assert_eq!(v.rspauth.len(), 32);
        // Without charset, ISO 8859-1; the same bytes for ASCII.
        verify(&response(remove("charset")), &offered(false), &accounts()).unwrap();
        // Missing qop means auth; names and literals in any case; extra
        // directives ignored.
        verify(&response(remove("qop")), &offered(true), &accounts()).unwrap();
        verify(
            &response(set("charset", "UTF-8")),
            &offered(true),
            &accounts(),
        )
        .unwrap();
        verify(&response(set("qop", "Auth")), &offered(true), &accounts()).unwrap();
        let mut upper = response(set("maxbuf", "65536"));
        upper[..8].copy_from_slice(b"USERNAME");
        verify(&upper, &offered(true), &accounts()).unwrap();
    }

    #[test]
    fn each_problem_is_named() {
        let cases: Vec<(Vec<u8>, FailureCondition, &str)> = vec![
            (b"username".to_vec(), MalformedRequest, "has no '='"),
            (
                response(set("x", "1"))
                    .into_iter()
                    .chain(*b",realm=\"a\"")
                    .collect(),
                MalformedRequest,
                "realm appears more than once",
            ),
            (
                response(remove("username")),
                MalformedRequest,
                "no username directive",
            ),
            (
                response(remove("nonce")),
                MalformedRequest,
                "no nonce directive",
            ),
            (
                response(remove("cnonce")),
                MalformedRequest,
                "no cnonce directive",
            ),
            (response(remove("nc")), MalformedRequest, "no nc directive"),
            (
                response(remove("digest-uri")),
                MalformedRequest,
                "no digest-uri directive",
            ),
            (
                response(remove("response")),
                MalformedRequest,
                "no response directive",
            ),
            (
                response(set("charset", "latin1")),
                MalformedRequest,
                "charset is 'latin1'",
            ),
            (
                response(set("qop", "auth-int")),
                MalformedRequest,
                "qop is 'auth-int'; only auth",
            ),
            (
                response(set("nc", "1")),
                MalformedRequest,
                "nc is '1', not 8 lowercase hex",
            ),
            (
                response(set("response", "D388DAD90D4BBD760A152321F2143AF7")),
                MalformedRequest,
                "LHEX",
            ),
            (
                response(set("cnonce", "")),
                MalformedRequest,
                "cnonce is empty",
            ),
            (
                response(set("username", "jul\u{e9}"))
                    .into_iter()
                    .map(|b| if b == 0xc3 { 0xff } else { b })
                    .collect(),
                MalformedRequest,
                "username is not UTF-8",
            ),
            (
                response(set("username", "romeo")),
                NotAuthorized,
                "unknown username 'romeo'; the test account is 'juliet'",
            ),
            (
                response(remove("realm")),
                MalformedRequest,
                "no realm directive, required because the challenge offered 'example.org'",
            ),
            (
                response(set("nonce", "X")),
                NotAuthorized,
                "nonce is 'X', expected the challenge's 'N'",
            ),
            (
                response(set("nc", "00000002")),
                NotAuthorized,
                "nc is '00000002', expected 00000001",
            ),
            (
                response(set("digest-uri", "xmpp/localhost")),
                NotAuthorized,
                "digest-uri is 'xmpp/localhost', expected 'xmpp/example.org'",
            ),
            (
                response(set("authzid", "romeo@example.org")),
                InvalidAuthzid,
                "authzid 'romeo@example.org' is not permitted",
            ),
        ];
        for (resp, condition, want) in cases {
            let f = fails(&resp, &offered(true));
            assert_eq!(f.condition, condition, "{f}");
            assert!(
                f.detail.contains(want),
                "{:?}: {f}",
                String::from_utf8_lossy(&resp)
            );
            assert!(f.detail.starts_with("DIGEST-MD5: "), "{f}");
            assert!(!f.detail.contains("r0m30"), "{f}");
        }
        let f = fails(&response(|_| {}), &offered(false));
        assert!(f.detail.contains("did not offer it"), "{f}");
    }

    #[test]
    fn hash_mismatch_shows_expected_received_and_inputs() {
        let right = verify(&response(|_| {}), &offered(true), &accounts());
        assert!(right.is_ok());
        let (expected, _) = compute(&Inputs {
            username: b"juliet",
            realm: b"example.org",
            password: b"r0m30",
            nonce: b"N",
            cnonce: b"C",
            authzid: None,
            digest_uri: b"xmpp/example.org",
        });
        let f = fails(&response(set("response", &"0".repeat(32))), &offered(true));
        assert_eq!(f.condition, NotAuthorized);
        assert!(
            f.detail.starts_with(&format!(
                "DIGEST-MD5: response hash: expected {expected}, received {}",
                "0".repeat(32)
            )),
            "{f}"
        );
        for part in [
            "username 'juliet'",
            "realm 'example.org'",
            "cnonce 'C'",
            "digest-uri 'xmpp/example.org'",
            "no authzid",
        ] {
            assert!(f.detail.contains(part), "{part}: {f}");
        }
    }

    #[test]
    fn no_usable_nonce_is_not_authorized_with_the_reason() {
        let o = Offered {
            nonce: Err("the fixed first challenge has no single nonce".into()),
            realms: vec![],
            utf8: true,
        };
        let f = fails(&response(|_| {}), &o);
        assert_eq!(f.condition, NotAuthorized);
        assert!(f.detail.contains("no single nonce"), "{f}");
        // No realm offered: the client's own realm is accepted, or none.
        let o = Offered {
            nonce: Ok(b"N".to_vec()),
            realms: vec![],
            utf8: true,
        };
        verify(&response(set("realm", "mine")), &o, &accounts()).unwrap();
        verify(&response(remove("realm")), &o, &accounts()).unwrap();
    }

    /// Issue 12, item 12: a realm other than the offered one is a SHOULD
    /// (RFC 2831 §2.1.2), not a refusal: the hash is checked with the
    /// client's realm and the summary says so. A wrong hash for that realm
    /// is still refused.
    #[test]
    fn another_realm_is_checked_with_the_clients_realm_and_noted() {
        let v = verify(
            &response(set("realm", "other")),
            &offered(true),
            &accounts(),
        )
        .expect("a SHOULD is not a refusal");
        assert!(v.summary.contains("realm 'other'"), "{}", v.summary);
        assert!(v.summary.contains("SHOULD be one of them"), "{}", v.summary);
        let wrong = |l: &mut Vec<(&'static str, String)>| {
            set("realm", "other")(l);
            set("response", &"0".repeat(32))(l);
        };
        assert_eq!(
            fails(&response(wrong), &offered(true)).condition,
            NotAuthorized
        );
        // The offered realm gets no note.
        let v = verify(&response(|_| {}), &offered(true), &accounts()).unwrap();
        assert!(!v.summary.contains("SHOULD"), "{}", v.summary);
    }
}
