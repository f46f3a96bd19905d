//! Base64 as XMPP carries SASL payloads (RFC 6120 §6.4).
//!
//! Mechanisms work on raw bytes; the engine wraps them in `<auth/>`,
//! `<response/>` and reads `<challenge/>`, `<success/>` with these helpers.
//!
//! Decoding is strict: the standard alphabet (RFC 4648 §4), canonical `=`
//! padding, no whitespace or line breaks, no non-zero trailing bits. RFC 6120
//! §6.4.2 makes the receiving entity answer `<incorrect-encoding/>` for data
//! that is not correct base64, so a harness that tolerated sloppiness would
//! hide exactly the server bugs it exists to find.
//!
//! Empty payloads: an empty element means "no data", so RFC 6120 §6.4.2
//! requires a *zero-length initial response* in `<auth/>` to be sent as a
//! single `=` ("present but empty"), and §6.4.6 does the same for
//! zero-length additional data in `<success/>`. [`encode_initial_response`]
//! and [`decode_additional_data`] implement that convention; [`encode`] and
//! [`decode`] are plain base64 (empty ⇔ empty), which is what `<response/>`
//! and `<challenge/>` use.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::SaslError;

/// Plain base64 with padding; empty input gives the empty string.
pub fn encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Strict base64 decoding; the empty string gives no bytes.
pub fn decode(text: &str) -> Result<Vec<u8>, SaslError> {
    STANDARD
        .decode(text)
        .map_err(|e| SaslError::Base64(format!("{e} in {:?}", abbreviate(text))))
}

/// The text of an `<auth/>` carrying `response`: `=` when it is empty.
pub fn encode_initial_response(response: &[u8]) -> String {
    if response.is_empty() {
        "=".to_owned()
    } else {
        encode(response)
    }
}

/// The additional data of `<success/>`: `""` is none, `"="` is present but
/// empty, anything else strict base64.
pub fn decode_additional_data(text: &str) -> Result<Option<Vec<u8>>, SaslError> {
    match text {
        "" => Ok(None),
        "=" => Ok(Some(Vec::new())),
        _ => decode(text).map(Some),
    }
}

/// The same convention for an `<auth/>` the harness reads back (a scenario
/// may want to check what it sent).
pub fn decode_initial_response(text: &str) -> Result<Option<Vec<u8>>, SaslError> {
    decode_additional_data(text)
}

/// Errors quote the offending text, but not a megabyte of it.
fn abbreviate(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(encode(b"n,,"), "biws");
        assert_eq!(encode(b""), "");
        assert_eq!(decode("biws").unwrap(), b"n,,");
        assert_eq!(decode("").unwrap(), b"");
        assert_eq!(decode("YQ==").unwrap(), b"a");
    }

    #[test]
    fn rejects_whitespace_and_line_breaks() {
        for bad in ["bi ws", " biws", "biws\n", "bi\r\nws", "\tbiws"] {
            assert!(matches!(decode(bad), Err(SaslError::Base64(_))), "{bad:?}");
        }
    }

    #[test]
    fn rejects_bad_padding_and_alphabet() {
        for bad in [
            "YQ", "YQ=", "YQ===", "Y===", "=", "==", "biws=", "YQ==YQ==", "b!ws", "bi-s", "bi_s",
            // Non-zero trailing bits: "YR==" would also decode to "a".
            "YR==",
        ] {
            assert!(matches!(decode(bad), Err(SaslError::Base64(_))), "{bad:?}");
        }
    }

    #[test]
    fn equals_sign_convention() {
        assert_eq!(encode_initial_response(b""), "=");
        assert_eq!(encode_initial_response(b"\0u\0p"), "AHUAcA==");
        assert_eq!(decode_additional_data("").unwrap(), None);
        assert_eq!(decode_additional_data("=").unwrap(), Some(vec![]));
        assert_eq!(decode_additional_data("YQ==").unwrap(), Some(b"a".to_vec()));
        assert!(decode_additional_data("==").is_err());
        assert_eq!(decode_initial_response("=").unwrap(), Some(vec![]));
    }

    #[test]
    fn error_quotes_at_most_a_prefix() {
        let long = "!".repeat(10_000);
        let msg = decode(&long).unwrap_err().to_string();
        assert!(msg.len() < 200, "{msg}");
        assert!(msg.starts_with("incorrect-encoding"), "{msg}");
    }
}
