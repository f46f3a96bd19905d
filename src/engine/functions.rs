//! The values of scenario functions (`{digest-md5-response($c1)}`), and
//! the checks of those used in patterns. See `crate::scenario::functions`
//! for the catalogue.
//!
//! State lives here, one `Helpers` per scenario run: the DIGEST-MD5 client
//! that computed a response is kept, keyed by the challenge's capture
//! name, so that `digest-md5-rspauth($c1)` checks the server's proof with
//! the very cnonce and hashes that response used, through the same code
//! the `sasl` directive runs.

use std::collections::HashMap;

use crate::bindings::Bindings;
use crate::sasl::{Credentials, DigestMd5, Mechanism, b64, directives};
use crate::scenario::functions::{Arg, Call, Function};

/// Per-run state of the helper functions.
#[derive(Default)]
pub(super) struct Helpers {
    /// DIGEST-MD5 exchanges in progress, by challenge capture name.
    digest_md5: HashMap<String, DigestMd5>,
}

impl Helpers {
    /// The text a call in a sent line stands for. `Err` says why it cannot
    /// be computed, in words for the report.
    pub fn evaluate(&mut self, call: &Call, bindings: &Bindings) -> Result<String, String> {
        match call.function {
            Function::Base64 => {
                let mut joined = Vec::new();
                for arg in &call.args {
                    joined.extend_from_slice(value(arg, bindings)?.as_bytes());
                }
                Ok(b64::encode(&joined))
            }
            Function::Plain => {
                let authcid = value(&call.args[0], bindings)?;
                let password = value(&call.args[1], bindings)?;
                Ok(b64::encode(format!("\0{authcid}\0{password}").as_bytes()))
            }
            Function::DigestMd5Response => {
                let (name, challenge) = captured_challenge(call, bindings)?;
                let credentials = Credentials::new(
                    bindings.var("user").ok_or("needs --user")?,
                    bindings.var("password").ok_or("needs --password")?,
                );
                let domain = bindings.var("domain").unwrap_or_default();
                let mut client = DigestMd5::new(credentials, domain);
                let response = client.respond(&challenge).map_err(|e| e.to_string())?;
                self.digest_md5.insert(name, client);
                Ok(b64::encode(&response))
            }
            Function::PlainAuthzid => {
                let authzid = value(&call.args[0], bindings)?;
                let authcid = value(&call.args[1], bindings)?;
                let password = value(&call.args[2], bindings)?;
                Ok(b64::encode(
                    format!("{authzid}\0{authcid}\0{password}").as_bytes(),
                ))
            }
            Function::Upper => Ok(value(&call.args[0], bindings)?.to_uppercase()),
            Function::Repeat => {
                let text = value(&call.args[0], bindings)?;
                // The count was checked when the file was loaded.
                let count: usize = value(&call.args[1], bindings)?
                    .parse()
                    .map_err(|_| "the count is not a number".to_string())?;
                Ok(text.repeat(count))
            }
            Function::DigestMd5Challenge | Function::DigestMd5Rspauth | Function::Differs => {
                Err(format!(
                    "`{}` checks what the peer sends; it has no value to send",
                    call.function.name()
                ))
            }
        }
    }

    /// Check `text`, which a pattern's call covered in the peer's element.
    pub fn check(&mut self, call: &Call, text: &str, bindings: &Bindings) -> Result<(), String> {
        match call.function {
            Function::DigestMd5Challenge => {
                let bytes = b64::decode(text.trim()).map_err(|e| e.to_string())?;
                check_digest_md5_challenge(&bytes)
            }
            Function::DigestMd5Rspauth => {
                let name = capture_name(call);
                let Some(client) = self.digest_md5.get_mut(name) else {
                    return Err(format!(
                        "no DIGEST-MD5 response was computed for ${name}; send `{{digest-md5-response(${name})}}` first"
                    ));
                };
                let bytes = b64::decode(text.trim()).map_err(|e| e.to_string())?;
                // The client checks rspauth when it answers the second
                // challenge; its answer (empty) is not needed here.
                client.respond(&bytes).map(drop).map_err(|e| e.to_string())
            }
            Function::Differs => {
                let now = text.trim();
                if now.is_empty() {
                    return Err("empty".to_string());
                }
                for arg in &call.args {
                    match arg {
                        // A capture not bound before this line is bound to
                        // the text by the matcher, and so equals it.
                        Arg::Capture(name) => {
                            let earlier = bindings.capture(name).unwrap_or_default();
                            if now == earlier.trim() {
                                return Err(format!(
                                    "`{now}` is the value of ${name} again (or ${name} was first captured here)"
                                ));
                            }
                        }
                        Arg::Literal(earlier) | Arg::Var(earlier) if now == earlier.trim() => {
                            return Err(format!("`{now}` is the value it must differ from"));
                        }
                        Arg::Literal(_) | Arg::Var(_) => {}
                    }
                }
                Ok(())
            }
            Function::Base64
            | Function::Plain
            | Function::PlainAuthzid
            | Function::Upper
            | Function::Repeat
            | Function::DigestMd5Response => {
                // Rejected in patterns when the file is loaded; compare the
                // value should one get here anyway.
                let expected = self.evaluate(call, bindings)?;
                if expected == text.trim() {
                    Ok(())
                } else {
                    Err(format!("expected `{expected}`"))
                }
            }
        }
    }
}

fn value<'a>(arg: &'a Arg, bindings: &'a Bindings) -> Result<&'a str, String> {
    match arg {
        Arg::Literal(text) => Ok(text),
        Arg::Var(name) => bindings
            .var(name)
            .ok_or_else(|| format!("`{name}` has no value (set it on the command line)")),
        Arg::Capture(name) => bindings
            .capture(name)
            .ok_or_else(|| format!("`${name}` has not been captured yet")),
    }
}

fn capture_name(call: &Call) -> &str {
    match call.args.first() {
        Some(Arg::Capture(name)) => name,
        _ => "",
    }
}

/// The decoded challenge a DIGEST-MD5 function's capture holds.
fn captured_challenge(call: &Call, bindings: &Bindings) -> Result<(String, Vec<u8>), String> {
    let name = capture_name(call);
    let text = bindings
        .capture(name)
        .ok_or_else(|| format!("`${name}` has not been captured yet"))?;
    let bytes = b64::decode(text.trim())
        .map_err(|e| format!("the captured challenge ${name} is not base64: {e}"))?;
    Ok((name.to_owned(), bytes))
}

/// The fields RFC 6120's DIGEST-MD5 example (§6.5 of RFC 3920, carried
/// into RFC 6120 §9.2) shows and RFC 2831 §2.1.1 requires: a nonce, `auth`
/// among the qop options, `charset=utf-8` (XMPP is UTF-8 throughout) and
/// `algorithm=md5-sess`.
fn check_digest_md5_challenge(bytes: &[u8]) -> Result<(), String> {
    let list = directives::parse(bytes)
        .map_err(|e| format!("not a DIGEST-MD5 challenge (RFC 2831 §7.1): {e}"))?;
    let get = |name: &str| -> Vec<String> {
        list.iter()
            .filter(|d| d.name == name)
            .map(|d| String::from_utf8_lossy(&d.value).into_owned())
            .collect()
    };
    let once = |name: &str| -> Result<Option<String>, String> {
        match get(name).as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            _ => Err(format!("`{name}` appears more than once (RFC 2831 §2.1.1)")),
        }
    };
    match once("nonce")? {
        Some(n) if !n.is_empty() => {}
        _ => return Err("no nonce (RFC 2831 §2.1.1: nonce is required)".to_owned()),
    }
    match once("qop")? {
        Some(q)
            if directives::split_list(q.as_bytes())
                .iter()
                .any(|o| o == "auth") => {}
        Some(q) => return Err(format!("qop=\"{q}\" does not offer auth")),
        None => {
            return Err(
                "no qop directive (RFC 2831 defaults it to auth, but RFC 6120's flow sends qop=\"auth\")"
                    .to_owned(),
            );
        }
    }
    match once("charset")? {
        Some(c) if c.eq_ignore_ascii_case("utf-8") => {}
        Some(c) => {
            return Err(format!(
                "charset={c}; the only value RFC 2831 allows is utf-8"
            ));
        }
        None => return Err("no charset=utf-8 (XMPP strings are UTF-8)".to_owned()),
    }
    match once("algorithm")? {
        Some(a) if a.eq_ignore_ascii_case("md5-sess") => Ok(()),
        Some(a) => Err(format!("algorithm={a}; RFC 2831 §2.1.1 requires md5-sess")),
        None => Err(
            "no algorithm directive (RFC 2831 §2.1.1: algorithm=md5-sess is required)".to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::functions::Call;

    fn call(text: &str) -> Call {
        match Call::parse(text) {
            Ok(Some(c)) => c,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn bindings() -> Bindings {
        let mut b = Bindings::new();
        b.set_var("user", "romeo");
        b.set_var("password", "secret");
        b.set_var("domain", "example.com");
        b
    }

    /// RFC 6120's example challenge (from RFC 3920 §6.5), decoded.
    const RFC_CHALLENGE: &[u8] = b"realm=\"somerealm\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess";

    #[test]
    fn base64_and_plain() {
        let b = bindings();
        let mut h = Helpers::default();
        assert_eq!(
            h.evaluate(&call("base64('n,,n=', user, ',r=x')"), &b),
            Ok(b64::encode(b"n,,n=romeo,r=x"))
        );
        assert_eq!(
            h.evaluate(&call("plain(user, 'wrong')"), &b),
            Ok(b64::encode(b"\0romeo\0wrong"))
        );
        assert!(h.evaluate(&call("base64($nothing)"), &b).is_err());
    }

    #[test]
    fn the_rfc_challenge_passes_the_field_checks() {
        assert_eq!(check_digest_md5_challenge(RFC_CHALLENGE), Ok(()));
        let with_newline = [RFC_CHALLENGE, b"\n"].concat();
        assert_eq!(check_digest_md5_challenge(&with_newline), Ok(()));
    }

    #[test]
    fn each_missing_field_is_named() {
        let cases: &[(&[u8], &str)] = &[
            (b"qop=\"auth\",charset=utf-8,algorithm=md5-sess", "no nonce"),
            (b"nonce=\"x\",charset=utf-8,algorithm=md5-sess", "no qop"),
            (
                b"nonce=\"x\",qop=\"auth-int\",charset=utf-8,algorithm=md5-sess",
                "does not offer auth",
            ),
            (b"nonce=\"x\",qop=\"auth\",algorithm=md5-sess", "no charset"),
            (b"nonce=\"x\",qop=\"auth\",charset=utf-8", "no algorithm"),
            (
                b"nonce=\"x\",qop=\"auth\",charset=utf-8,algorithm=md5",
                "requires md5-sess",
            ),
            (
                b"nonce=\"x\",nonce=\"y\",qop=\"auth\",charset=utf-8,algorithm=md5-sess",
                "more than once",
            ),
            (b"nonce", "not a DIGEST-MD5 challenge"),
        ];
        for (input, why) in cases {
            let result = check_digest_md5_challenge(input);
            assert!(
                result.as_ref().is_err_and(|e| e.contains(why)),
                "{}: {result:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn response_then_rspauth_uses_one_exchange() {
        let mut b = bindings();
        b.set_capture("c1", b64::encode(RFC_CHALLENGE));
        let mut h = Helpers::default();
        let response = h.evaluate(&call("digest-md5-response($c1)"), &b);
        let decoded = response
            .as_deref()
            .ok()
            .and_then(|r| b64::decode(r).ok())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&decoded).into_owned();
        assert!(text.contains("username=\"romeo\""), "{text}");
        assert!(text.contains("digest-uri=\"xmpp/example.com\""), "{text}");
        // A wrong rspauth is refused, with a message naming rspauth.
        let wrong = b64::encode(b"rspauth=00000000000000000000000000000000");
        let result = h.check(&call("digest-md5-rspauth($c1)"), &wrong, &b);
        assert!(result.is_err_and(|e| e.contains("rspauth")));
    }

    #[test]
    fn differs_refuses_the_earlier_value_and_nothing() {
        let mut b = bindings();
        b.set_capture("stream_id", "s1".to_string());
        let mut h = Helpers::default();
        let differs = call("differs($stream_id)");
        assert_eq!(h.check(&differs, "s2", &b), Ok(()));
        assert!(
            h.check(&differs, "s1", &b)
                .is_err_and(|e| e.contains("$stream_id"))
        );
        assert!(h.check(&differs, " ", &b).is_err());
    }

    #[test]
    fn differs_refuses_each_argument() {
        let mut b = bindings();
        b.set_capture("a", "s1".to_string());
        b.set_capture("b", "s2".to_string());
        let mut h = Helpers::default();
        let differs = call("differs($a, $b, 'client-id')");
        assert_eq!(h.check(&differs, "s3", &b), Ok(()));
        for same in ["s1", "s2", "client-id"] {
            assert!(h.check(&differs, same, &b).is_err(), "{same}");
        }
    }

    #[test]
    fn plain_authzid_upper_and_repeat() {
        let b = bindings();
        let mut h = Helpers::default();
        let plain = h.evaluate(&call("plain-authzid('juliet@x', user, password)"), &b);
        let decoded = b64::decode(plain.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(decoded, b"juliet@x\0romeo\0secret");
        assert_eq!(h.evaluate(&call("upper(user)"), &b).as_deref(), Ok("ROMEO"));
        assert_eq!(
            h.evaluate(&call("repeat('ab', '3')"), &b).as_deref(),
            Ok("ababab")
        );
    }

    #[test]
    fn rspauth_without_a_response_says_what_to_do() {
        let b = bindings();
        let mut h = Helpers::default();
        let result = h.check(&call("digest-md5-rspauth($c9)"), "cnNwYXV0aD0x", &b);
        assert!(result.is_err_and(|e| e.contains("digest-md5-response($c9)")));
    }
}
