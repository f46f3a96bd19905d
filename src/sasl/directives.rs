//! The `name=value` lists of DIGEST-MD5 challenges (RFC 2831 §7.1, the
//! HTTP/1.1 `#rule`).
//!
//! Tolerated, because the grammar allows it or real servers send it:
//! linear whitespace (SP, HT, CR, LF) around names, `=` and commas; empty
//! list elements (`a=1,,b=2`); a trailing newline or whitespace (RFC 3920
//! §6.5's example challenge); values as tokens or quoted strings, with
//! `\`-escapes and commas inside quotes; names in any case.
//!
//! Rejected, with what was wrong: a name without `=`, an empty value, an
//! unterminated quoted string, text after a value that is not a comma.
//!
//! Values stay bytes: without `charset=utf-8` the strings are ISO 8859-1,
//! and the server's realm and nonce go into the hash exactly as received.
//! Which directives may repeat is the mechanism's business, not the parser's.

/// One directive, name lowercased, value unquoted and unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directive {
    pub name: String,
    pub value: Vec<u8>,
}

/// HTTP/1.1 separators (RFC 2616 §2.2), which cannot appear in a token.
fn is_separator(b: u8) -> bool {
    b"()<>@,;:\\\"/[]?={} \t".contains(&b)
}

fn is_token_byte(b: u8) -> bool {
    b > 0x20 && b != 0x7f && !is_separator(b)
}

fn is_lws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

struct Cursor<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_lws(&mut self) {
        while self.peek().is_some_and(is_lws) {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> &[u8] {
        let start = self.pos;
        while self.peek().is_some_and(is_token_byte) {
            self.pos += 1;
        }
        &self.input[start..self.pos]
    }

    /// After the opening quote: up to and past the closing one.
    fn quoted(&mut self) -> Result<Vec<u8>, String> {
        let start = self.pos;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(format!("unterminated quoted string at byte {}", start - 1)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b) => {
                            out.push(b);
                            self.pos += 1;
                        }
                        None => {
                            return Err(format!(
                                "unterminated quoted string at byte {}",
                                start - 1
                            ));
                        }
                    }
                }
                Some(b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }
}

/// Parses a whole challenge. The error says what was wrong and where.
pub(crate) fn parse(input: &[u8]) -> Result<Vec<Directive>, String> {
    let mut c = Cursor { input, pos: 0 };
    let mut out = Vec::new();
    loop {
        c.skip_lws();
        match c.peek() {
            None => return Ok(out),
            Some(b',') => {
                c.pos += 1;
                continue;
            }
            Some(_) => {}
        }
        let at = c.pos;
        let name = c.token().to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!(
                "expected a directive name at byte {at}, found {}",
                describe(c.peek())
            ));
        }
        // Token bytes are ASCII, so this is lossless.
        let name = String::from_utf8_lossy(&name).into_owned();
        c.skip_lws();
        if c.peek() != Some(b'=') {
            return Err(format!("directive {name:?} has no '=' (byte {})", c.pos));
        }
        c.pos += 1;
        c.skip_lws();
        let value = if c.peek() == Some(b'"') {
            c.pos += 1;
            c.quoted()?
        } else {
            let v = c.token().to_vec();
            if v.is_empty() {
                return Err(format!(
                    "directive {name:?} has an empty value (found {} at byte {})",
                    describe(c.peek()),
                    c.pos
                ));
            }
            v
        };
        out.push(Directive { name, value });
        c.skip_lws();
        match c.peek() {
            None => return Ok(out),
            Some(b',') => c.pos += 1,
            Some(other) => {
                return Err(format!(
                    "expected ',' after directive {:?}, found {} at byte {}",
                    out.last().map_or("", |d| d.name.as_str()),
                    describe(Some(other)),
                    c.pos
                ));
            }
        }
    }
}

/// Splits a `qop-options` value (`auth,auth-int`) into lowercased tokens.
pub(crate) fn split_list(value: &[u8]) -> Vec<String> {
    value
        .split(|&b| b == b',')
        .map(|item| String::from_utf8_lossy(item.trim_ascii()).to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

fn describe(b: Option<u8>) -> String {
    match b {
        None => "end of input".to_owned(),
        Some(b) if b.is_ascii_graphic() => format!("'{}'", char::from(b)),
        Some(b) => format!("byte 0x{b:02x}"),
    }
}

/// Writes `value` as a quoted string, escaping `"` and `\`.
pub(crate) fn quote(out: &mut Vec<u8>, value: &[u8]) {
    out.push(b'"');
    for &b in value {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(input: &str) -> Vec<(String, String)> {
        parse(input.as_bytes())
            .unwrap()
            .into_iter()
            .map(|d| (d.name, String::from_utf8(d.value).unwrap()))
            .collect()
    }

    fn p(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn tokens_and_quoted_strings() {
        assert_eq!(
            pairs(
                r#"realm="somerealm",nonce="OA6MG9tEQGm2hh",qop="auth",charset=utf-8,algorithm=md5-sess"#
            ),
            vec![
                p("realm", "somerealm"),
                p("nonce", "OA6MG9tEQGm2hh"),
                p("qop", "auth"),
                p("charset", "utf-8"),
                p("algorithm", "md5-sess"),
            ]
        );
    }

    #[test]
    fn escapes_and_commas_inside_quotes() {
        assert_eq!(
            pairs(r#"realm="a\"b\\c,d",nonce="x\yz""#),
            vec![p("realm", r#"a"b\c,d"#), p("nonce", "xyz")]
        );
    }

    #[test]
    fn whitespace_empty_elements_and_trailing_newline() {
        assert_eq!(
            pairs(" Realm = \"r\" ,\t,\r\n NONCE=\"n\" , ,algorithm=md5-sess\n"),
            vec![p("realm", "r"), p("nonce", "n"), p("algorithm", "md5-sess")]
        );
        assert_eq!(pairs(""), vec![]);
        assert_eq!(pairs(" \n"), vec![]);
        assert_eq!(pairs("a=\"\""), vec![p("a", "")]);
    }

    #[test]
    fn errors_say_what_was_wrong() {
        let err = |s: &str| parse(s.as_bytes()).unwrap_err();
        assert!(err("realm").contains("no '='"), "{}", err("realm"));
        assert!(err("realm=").contains("empty value"));
        assert!(err("realm=,nonce=x").contains("empty value"));
        assert!(err(r#"realm="abc"#).contains("unterminated"));
        assert!(err(r#"realm="abc\"#).contains("unterminated"));
        assert!(err(r#"realm="a" nonce="b""#).contains("expected ','"));
        assert!(err("=x").contains("directive name"));
        assert!(err("a=b;c=d").contains("expected ','"));
    }

    #[test]
    fn non_ascii_bytes_survive_inside_quotes() {
        let d = parse(b"realm=\"caf\xe9\"").unwrap();
        assert_eq!(d[0].value, b"caf\xe9");
    }

    #[test]
    fn list_splitting() {
        assert_eq!(
            split_list(b"auth, Auth-Int ,,auth-conf"),
            vec!["auth", "auth-int", "auth-conf"]
        );
        assert!(split_list(b" ").is_empty());
    }

    #[test]
    fn quoting_escapes() {
        let mut out = Vec::new();
        quote(&mut out, br#"a"b\c"#);
        assert_eq!(out, br#""a\"b\\c""#);
        let round = parse(&[b"x=".as_slice(), &out].concat()).unwrap();
        assert_eq!(round[0].value, br#"a"b\c"#);
    }
}
