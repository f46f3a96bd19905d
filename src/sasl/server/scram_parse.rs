//! The two SCRAM client messages (RFC 5802 §7), parsed strictly; every
//! violation is `malformed-request` naming the attribute.
//!
//! ```text
//! client-first-message = gs2-header client-first-message-bare
//! gs2-header  = gs2-cbind-flag "," [ "a=" saslname ] ","
//! gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
//! client-first-message-bare = [reserved-mext ","] "n=" saslname "," "r=" c-nonce ["," extensions]
//! client-final-message = "c=" base64 "," "r=" nonce ["," extensions] "," "p=" base64
//! ```
//!
//! `p=` (channel binding) is refused here: the server side offers no
//! `-PLUS` mechanism, and RFC 5802 §6 makes a `p` flag under a non-PLUS
//! name a failure. `y` ("I could bind, but you seem unable to") is the
//! right flag against this server and is accepted.

use super::failure::SaslFailure;
use super::quoted;
use crate::sasl::b64;
use crate::sasl::scram_msg::{is_printable, unescape_saslname};

/// client-first-message, split up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClientFirst {
    /// As received, e.g. `n,,` or `y,a=admin,`: `c=` must carry exactly this.
    pub gs2_header: String,
    pub authzid: Option<String>,
    /// client-first-message-bare as received, for the AuthMessage.
    pub bare: String,
    pub username: String,
    pub nonce: String,
}

/// client-final-message, split up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClientFinal {
    /// `c=`, decoded.
    pub channel_binding: Vec<u8>,
    pub nonce: String,
    /// client-final-message-without-proof as received, for the AuthMessage.
    pub without_proof: String,
    pub proof: Vec<u8>,
}

fn malformed(mech: &'static str, detail: impl std::fmt::Display) -> SaslFailure {
    SaslFailure::malformed(format!("{mech}: {detail}"))
}

fn utf8<'a>(mech: &'static str, what: &str, bytes: &'a [u8]) -> Result<&'a str, SaslFailure> {
    std::str::from_utf8(bytes).map_err(|e| malformed(mech, format!("{what} is not UTF-8: {e}")))
}

/// `name=value` for one single-letter attribute, or the failure naming it.
fn attribute<'a>(
    mech: &'static str,
    message: &str,
    part: Option<&'a str>,
    name: char,
    what: &str,
) -> Result<&'a str, SaslFailure> {
    match part {
        Some(p) => p
            .strip_prefix(name)
            .and_then(|v| v.strip_prefix('='))
            .ok_or_else(|| {
                malformed(
                    mech,
                    format!(
                        "{message}: expected {what} ({name}=), found {}",
                        quoted(p.as_bytes())
                    ),
                )
            }),
        None => Err(malformed(
            mech,
            format!("{message} has no {what} ({name}=)"),
        )),
    }
}

pub(super) fn parse_client_first(
    mech: &'static str,
    bytes: &[u8],
) -> Result<ClientFirst, SaslFailure> {
    const MSG: &str = "client-first-message";
    let text = utf8(mech, MSG, bytes)?;
    let mut parts = text.splitn(3, ',');
    let (flag, authzid_part, bare) = match (parts.next(), parts.next(), parts.next()) {
        (Some(f), Some(a), Some(b)) => (f, a, b),
        _ => {
            return Err(malformed(
                mech,
                format!("{MSG} {} has no gs2 header (e.g. 'n,,')", quoted(bytes)),
            ));
        }
    };
    match flag {
        "n" | "y" => {}
        f if f.starts_with("p=") => {
            return Err(malformed(
                mech,
                format!(
                    "gs2 header asks for channel binding ({}), but {mech} without -PLUS was chosen and no -PLUS mechanism is offered (RFC 5802 §6)",
                    quoted(f.as_bytes())
                ),
            ));
        }
        f => {
            return Err(malformed(
                mech,
                format!(
                    "gs2 channel-binding flag is {}, expected n, y or p=",
                    quoted(f.as_bytes())
                ),
            ));
        }
    }
    // Both parts and their commas are one contiguous prefix of `text`.
    let gs2_header = text[..flag.len() + authzid_part.len() + 2].to_owned();
    let authzid = match authzid_part {
        "" => None,
        a => {
            let name = a.strip_prefix("a=").ok_or_else(|| {
                malformed(
                    mech,
                    format!(
                        "gs2 authzid is {}, expected a=<saslname>",
                        quoted(a.as_bytes())
                    ),
                )
            })?;
            Some(unescape_saslname(name).map_err(|e| malformed(mech, format!("gs2 authzid {e}")))?)
        }
    };
    let mut attrs = bare.split(',');
    let first = attrs.next();
    if first.is_some_and(|a| a.starts_with("m=")) {
        return Err(malformed(
            mech,
            "client-first-message-bare starts with m= (a mandatory extension this server does not support, RFC 5802 §5.1)",
        ));
    }
    let username = attribute(mech, "client-first-message-bare", first, 'n', "username")?;
    let username =
        unescape_saslname(username).map_err(|e| malformed(mech, format!("username {e}")))?;
    let nonce = attribute(
        mech,
        "client-first-message-bare",
        attrs.next(),
        'r',
        "nonce",
    )?;
    if nonce.is_empty() || !is_printable(nonce) {
        return Err(malformed(
            mech,
            format!(
                "client nonce {} is empty or not printable ASCII without ','",
                quoted(nonce.as_bytes())
            ),
        ));
    }
    Ok(ClientFirst {
        gs2_header,
        authzid,
        bare: bare.to_owned(),
        username,
        nonce: nonce.to_owned(),
    })
}

pub(super) fn parse_client_final(
    mech: &'static str,
    bytes: &[u8],
) -> Result<ClientFinal, SaslFailure> {
    const MSG: &str = "client-final-message";
    let text = utf8(mech, MSG, bytes)?;
    let (without_proof, proof) = match text.rsplit_once(',') {
        Some((head, last)) if last.starts_with("p=") => (head, &last[2..]),
        _ => {
            return Err(malformed(
                mech,
                format!("{MSG} does not end with the proof (p=): {}", quoted(bytes)),
            ));
        }
    };
    let mut attrs = without_proof.split(',');
    let channel_binding = attribute(mech, MSG, attrs.next(), 'c', "channel binding")?;
    let nonce = attribute(mech, MSG, attrs.next(), 'r', "nonce")?;
    let channel_binding = b64::decode(channel_binding)
        .map_err(|e| malformed(mech, format!("channel binding (c=) is not base64: {e}")))?;
    let proof = b64::decode(proof)
        .map_err(|e| malformed(mech, format!("proof (p=) is not base64: {e}")))?;
    Ok(ClientFinal {
        channel_binding,
        nonce: nonce.to_owned(),
        without_proof: without_proof.to_owned(),
        proof,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "SCRAM-SHA-1";

    #[test]
    fn client_first_forms() {
        let cf = parse_client_first(M, b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL").unwrap();
        assert_eq!(cf.gs2_header, "n,,");
        assert_eq!(cf.authzid, None);
        assert_eq!(cf.bare, "n=user,r=fyko+d2lbbFgONRv9qkxdawL");
        assert_eq!(cf.username, "user");
        assert_eq!(cf.nonce, "fyko+d2lbbFgONRv9qkxdawL");

        let cf = parse_client_first(M, b"y,a=ad=2Cmin,n=us=3Der,r=abc,x=ext").unwrap();
        assert_eq!(cf.gs2_header, "y,a=ad=2Cmin,");
        assert_eq!(cf.authzid.as_deref(), Some("ad,min"));
        assert_eq!(cf.username, "us=er");
        assert_eq!(cf.bare, "n=us=3Der,r=abc,x=ext");
    }

    #[test]
    fn client_first_errors() {
        let cases: [(&[u8], &str); 13] = [
            (b"", "no gs2 header"),
            (b"n=user,r=abc", "no gs2 header"),
            (
                b"p=tls-unique,,n=user,r=abc",
                "channel binding ('p=tls-unique')",
            ),
            (b"x,,n=user,r=abc", "flag is 'x'"),
            (b"n,admin,n=user,r=abc", "expected a=<saslname>"),
            (b"n,a=,n=user,r=abc", "gs2 authzid is empty"),
            (b"n,,m=x,n=user,r=abc", "m="),
            (b"n,,r=abc,n=user", "expected username (n=)"),
            (b"n,,n=us=er,r=abc", "username has \"=er\""),
            (b"n,,n=user", "no nonce (r=)"),
            (b"n,,n=user,r=", "client nonce '' is empty"),
            (b"n,,n=user,r=a\x01", "not printable"),
            (b"n,,n=\xff,r=a", "not UTF-8"),
        ];
        for (msg, want) in cases {
            let f = parse_client_first(M, msg).unwrap_err();
            assert!(
                f.detail.contains(want),
                "{:?}: {f}",
                String::from_utf8_lossy(msg)
            );
            assert!(f.detail.starts_with("SCRAM-SHA-1: "), "{f}");
        }
    }

    #[test]
    fn client_final_forms() {
        let cf = parse_client_final(
            M,
            b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        )
        .unwrap();
        assert_eq!(cf.channel_binding, b"n,,");
        assert_eq!(cf.nonce, "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j");
        assert_eq!(
            cf.without_proof,
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j"
        );
        assert_eq!(cf.proof.len(), 20);
        let cf = parse_client_final(M, b"c=eSws,r=n,x=ext,p=AAAA").unwrap();
        assert_eq!(cf.channel_binding, b"y,,");
        assert_eq!(cf.without_proof, "c=eSws,r=n,x=ext");
    }

    #[test]
    fn client_final_errors() {
        for (msg, want) in [
            (&b""[..], "does not end with the proof"),
            (b"c=biws,r=n", "does not end with the proof"),
            (b"p=AAAA", "does not end with the proof"),
            (b"r=n,c=biws,p=AAAA", "expected channel binding (c=)"),
            (b"c=biws,p=AAAA", "no nonce (r=)"),
            (b"c=bi ws,r=n,p=AAAA", "channel binding (c=) is not base64"),
            (b"c=biws,r=n,p=AAA", "proof (p=) is not base64"),
            (b"c=biws,r=\xc3,p=AAAA", "not UTF-8"),
        ] {
            let f = parse_client_final(M, msg).unwrap_err();
            assert!(
                f.detail.contains(want),
                "{:?}: {f}",
                String::from_utf8_lossy(msg)
            );
        }
    }
}
