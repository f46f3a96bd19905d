//! SCRAM message syntax (RFC 5802 §7): saslname escaping and the two
//! server messages, parsed strictly. A conformance harness reports what a
//! server got wrong, so attribute order, `m=`, nonce characters and number
//! syntax are all checked, each with its own message.

use super::{SaslError, b64};

/// RFC 5802 §5.1: `,` → `=2C` and `=` → `=3D` in a saslname.
pub(crate) fn escape_saslname(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            ',' => out.push_str("=2C"),
            '=' => out.push_str("=3D"),
            c => out.push(c),
        }
    }
    out
}

/// The inverse of [`escape_saslname`], checking RFC 5802 §7's grammar:
/// `saslname = 1*(value-safe-char / "=2C" / "=3D")`, where a value-safe
/// char is any UTF-8 but NUL, `=` and `,`. The error says what is wrong;
/// the caller names the field.
pub(crate) fn unescape_saslname(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '=' if rest.starts_with("=2C") => {
                out.push(',');
                rest = &rest[3..];
            }
            '=' if rest.starts_with("=3D") => {
                out.push('=');
                rest = &rest[3..];
            }
            '=' => {
                let seq: String = rest.chars().take(3).collect();
                return Err(format!(
                    "has {seq:?}: '=' must be followed by 2C or 3D (RFC 5802 §5.1)"
                ));
            }
            '\0' => return Err("contains NUL".to_owned()),
            ',' => return Err("contains an unescaped ','".to_owned()),
            c => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    Ok(out)
}

/// `printable = %x21-2B / %x2D-7E` (RFC 5802 §7): visible ASCII but `,`.
pub(crate) fn is_printable(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, 0x21..=0x2b | 0x2d..=0x7e))
}

/// The fields of server-first-message the client uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerFirst {
    pub nonce: String,
    pub salt: Vec<u8>,
    pub iterations: u64,
}

/// What server-final-message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerFinal {
    Verifier(Vec<u8>),
    Error(String),
}

/// Splits `a=x,b=y` into (`a`, `x`) pairs; each attribute is one ALPHA,
/// `=`, then the value (which may itself contain `=`).
fn attributes<'a>(mech: &'static str, text: &'a str) -> Result<Vec<(char, &'a str)>, SaslError> {
    text.split(',')
        .enumerate()
        .map(|(i, part)| {
            let mut chars = part.chars();
            match (chars.next(), chars.next()) {
                (Some(a), Some('=')) if a.is_ascii_alphabetic() => Ok((a, &part[2..])),
                _ => Err(SaslError::malformed(
                    mech,
                    format!(
                        "attribute {} is {:.40?}, not a letter followed by '='",
                        i + 1,
                        part
                    ),
                )),
            }
        })
        .collect()
}

fn utf8<'a>(mech: &'static str, what: &str, bytes: &'a [u8]) -> Result<&'a str, SaslError> {
    std::str::from_utf8(bytes)
        .map_err(|e| SaslError::malformed(mech, format!("{what} is not UTF-8: {e}")))
}

/// `server-first-message = [reserved-mext ","] nonce "," salt ","
/// iteration-count ["," extensions]`.
///
/// The iteration count is returned as parsed (any `posit-number` that fits
/// a u64); its range is the caller's policy.
pub(crate) fn parse_server_first(
    mech: &'static str,
    message: &[u8],
    client_nonce: &str,
) -> Result<ServerFirst, SaslError> {
    let text = utf8(mech, "server-first-message", message)?;
    let attrs = attributes(mech, text)?;
    if let Some(('m', _)) = attrs.first() {
        return Err(SaslError::Unsupported {
            mechanism: mech,
            detail: "server-first-message starts with m= (a mandatory extension this client does not know, RFC 5802 §5.1)".to_owned(),
        });
    }
    let mut it = attrs.iter();
    let mut expect = |name: char, what: &str| -> Result<&str, SaslError> {
        match it.next() {
            Some((n, v)) if *n == name => Ok(*v),
            Some((n, _)) => Err(SaslError::malformed(
                mech,
                format!("expected {what} ({name}=) in server-first-message, found {n}="),
            )),
            None => Err(SaslError::malformed(
                mech,
                format!("server-first-message has no {what} ({name}=)"),
            )),
        }
    };
    let nonce = expect('r', "nonce")?;
    let salt = expect('s', "salt")?;
    let count = expect('i', "iteration count")?;

    if !is_printable(nonce) || nonce.is_empty() {
        return Err(SaslError::malformed(
            mech,
            format!("nonce {nonce:.64?} is empty or has characters outside printable ASCII"),
        ));
    }
    if !nonce.starts_with(client_nonce) {
        return Err(SaslError::NonceMismatch {
            mechanism: mech,
            detail: format!(
                "server nonce {nonce:.64?} does not start with the client nonce {client_nonce:?}"
            ),
        });
    }
    if nonce.len() == client_nonce.len() {
        return Err(SaslError::NonceMismatch {
            mechanism: mech,
            detail: "server nonce is the client nonce alone; the server added no nonce of its own"
                .to_owned(),
        });
    }
    let salt = b64::decode(salt)
        .map_err(|e| SaslError::malformed(mech, format!("salt (s=) is not base64: {e}")))?;
    let iterations = parse_count(count).ok_or_else(|| {
        SaslError::malformed(
            mech,
            format!("iteration count {count:.40?} is not a positive decimal number"),
        )
    })?;
    Ok(ServerFirst {
        nonce: nonce.to_owned(),
        salt,
        iterations,
    })
}

/// `posit-number = %x31-39 *DIGIT`; saturates at u64::MAX so a huge count
/// is reported as a count, not as garbage.
fn parse_count(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'1'..=b'9') if bytes.iter().all(u8::is_ascii_digit) => {
            Some(bytes.iter().fold(0u64, |n, d| {
                n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            }))
        }
        _ => None,
    }
}

/// `server-final-message = (server-error / verifier) ["," extensions]`.
pub(crate) fn parse_server_final(
    mech: &'static str,
    message: &[u8],
) -> Result<ServerFinal, SaslError> {
    let text = utf8(mech, "server-final-message", message)?;
    let attrs = attributes(mech, text)?;
    match attrs.first() {
        Some(('e', value)) => Ok(ServerFinal::Error((*value).to_owned())),
        Some(('v', value)) => b64::decode(value).map(ServerFinal::Verifier).map_err(|e| {
            SaslError::malformed(mech, format!("server signature (v=) is not base64: {e}"))
        }),
        Some((n, _)) => Err(SaslError::malformed(
            mech,
            format!("server-final-message starts with {n}=, expected v= (server signature) or e="),
        )),
        None => Err(SaslError::malformed(mech, "empty server-final-message")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "SCRAM-SHA-1";
    const CN: &str = "fyko+d2lbbFgONRv9qkxdawL";

    #[test]
    fn saslname_escaping() {
        assert_eq!(escape_saslname("user"), "user");
        assert_eq!(escape_saslname("a,b=c"), "a=2Cb=3Dc");
        assert_eq!(escape_saslname("=,"), "=3D=2C");
        assert_eq!(escape_saslname("café"), "café");
    }

    #[test]
    fn saslname_unescaping() {
        assert_eq!(unescape_saslname("user").unwrap(), "user");
        assert_eq!(unescape_saslname("a=2Cb=3Dc").unwrap(), "a,b=c");
        assert_eq!(unescape_saslname("café").unwrap(), "café");
        for name in ["us=er,x", "=", ",", "=,=3D"] {
            assert_eq!(unescape_saslname(&escape_saslname(name)).unwrap(), name);
        }
        for (bad, want) in [
            ("", "empty"),
            ("a=2c", "2C or 3D"),
            ("a=", "2C or 3D"),
            ("a=3", "2C or 3D"),
            ("a\0b", "NUL"),
            ("a,b", "unescaped ','"),
        ] {
            let err = unescape_saslname(bad).unwrap_err();
            assert!(err.contains(want), "{bad:?}: {err}");
        }
    }

    #[test]
    fn server_first_rfc5802() {
        let sf = parse_server_first(
            M,
            b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            CN,
        )
        .unwrap();
        assert_eq!(sf.nonce, "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j");
        assert_eq!(sf.salt, b64::decode("QSXCR+Q6sek8bf92").unwrap());
        assert_eq!(sf.iterations, 4096);
    }

    #[test]
    fn server_first_extensions_after_count_are_ignored() {
        let sf = parse_server_first(
            M,
            b"r=fyko+d2lbbFgONRv9qkxdawLX,s=QQ==,i=1,x=future,y=a=b",
            CN,
        )
        .unwrap();
        assert_eq!(sf.iterations, 1);
    }

    #[test]
    fn server_first_errors() {
        let cases: [(&[u8], &str); 15] = [
            (b"m=ext,r=fyko+d2lbbFgONRv9qkxdawLX,s=QQ==,i=1", "m="),
            (b"s=QQ==,r=fyko+d2lbbFgONRv9qkxdawLX,i=1", "expected nonce"),
            (b"r=fyko+d2lbbFgONRv9qkxdawLX,i=1,s=QQ==", "expected salt"),
            (b"r=fyko+d2lbbFgONRv9qkxdawLX,s=QQ==", "no iteration count"),
            (b"r=fyko+d2lbbFgONRv9qkxdawLX", "no salt"),
            (b"", "attribute 1"),
            (b"r=fyko+d2lbbFgONRv9qkxdawLX,,s=QQ==,i=1", "attribute 2"),
            (
                b"r=fyko+d2lbbFgONRv9qkxdawLX,s=Q Q==,i=1",
                "salt (s=) is not base64",
            ),
            (b"r=fyko+d2lbbFgONRv9qkxdawLX,s=QQ==,i=0", "not a positive"),
            (
                b"r=fyko+d2lbbFgONRv9qkxdawLX,s=QQ==,i=04096",
                "not a positive",
            ),
            (b"r=fyko+d2lbbFgONRv9qkxdawLX,s=QQ==,i=-1", "not a positive"),
            (b"r=fyko+d2lbbFgONRv9qkxdawLX,s=QQ==,i=", "not a positive"),
            (
                b"r=XXXXfyko+d2lbbFgONRv9qkxdawL,s=QQ==,i=1",
                "does not start with the client nonce",
            ),
            (b"r=fyko+d2lbbFgONRv9qkxdawL,s=QQ==,i=1", "added no nonce"),
            (b"r=fyko+d2lbbFgONRv9qkxdawL\x01,s=QQ==,i=1", "printable"),
        ];
        for (msg, want) in cases {
            let err = parse_server_first(M, msg, CN).unwrap_err().to_string();
            assert!(
                err.contains(want),
                "{:?}: {err}",
                String::from_utf8_lossy(msg)
            );
        }
        let err = parse_server_first(M, b"r=\xff", CN)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not UTF-8"), "{err}");
    }

    #[test]
    fn huge_counts_saturate() {
        let sf = parse_server_first(
            M,
            b"r=fyko+d2lbbFgONRv9qkxdawLX,s=QQ==,i=99999999999999999999999999",
            CN,
        )
        .unwrap();
        assert_eq!(sf.iterations, u64::MAX);
    }

    #[test]
    fn server_final_forms() {
        assert_eq!(
            parse_server_final(M, b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap(),
            ServerFinal::Verifier(b64::decode("rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap())
        );
        assert_eq!(
            parse_server_final(M, b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,x=ext").unwrap(),
            ServerFinal::Verifier(b64::decode("rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap())
        );
        assert_eq!(
            parse_server_final(M, b"e=invalid-proof").unwrap(),
            ServerFinal::Error("invalid-proof".into())
        );
        for (msg, want) in [
            (&b"v=rmF9 pqV8S7suAoZWja4dJRkFsKQ="[..], "not base64"),
            (b"x=1", "expected v="),
            (b"", "attribute 1"),
            (b"v", "attribute 1"),
        ] {
            let err = parse_server_final(M, msg).unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        }
    }
}
