//! Helper functions in placeholders: `{digest-md5-response($c1)}`.
//!
//! A scenario whose subject is a SASL exchange spells the exchange out line
//! by line, but some lines cannot be written down in advance: the client's
//! DIGEST-MD5 response depends on the server's nonce, and whether the
//! server's `rspauth` is right depends on the password. Functions compute
//! such values from captures and command-line variables.
//!
//! In a line the harness sends, a call is replaced by its value. In a
//! pattern, a call stands where the peer's text goes and *checks* it; its
//! capture arguments that have no value yet are bound to that text, so
//! `{digest-md5-challenge($c1)}` both captures the challenge as `$c1` and
//! checks its fields.
//!
//! This module knows the catalogue (names, arguments, which side) so that a
//! misspelt function or a function on the wrong side is a scenario-file
//! error with a did-you-mean; the values are computed by the engine
//! (`crate::engine`), which holds the per-connection state they need.

use std::fmt;

use crate::bindings::{Bindings, is_capture_name, is_variable_name};

/// One argument of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A command-line variable: `user`, `password`, `domain`, ….
    Var(String),
    /// A capture: `$c1`.
    Capture(String),
    /// A literal in single quotes: `'wrong-password'`.
    Literal(String),
}

/// `{name(arg, …)}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub function: Function,
    pub args: Vec<Arg>,
}

/// The functions scenarios can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `base64(arg, …)`: the base64 of the arguments joined (sent lines).
    Base64,
    /// `plain(authcid, password)`: a SASL PLAIN message, base64 (RFC 4616).
    Plain,
    /// `digest-md5-response($challenge)`: the DIGEST-MD5 response to a
    /// captured challenge, computed with `--user`/`--password`, base64.
    DigestMd5Response,
    /// `digest-md5-challenge($challenge)`: the text is a DIGEST-MD5 first
    /// challenge as RFC 6120 §6.5 shows it (nonce, qop with auth,
    /// charset=utf-8, algorithm=md5-sess).
    DigestMd5Challenge,
    /// `digest-md5-rspauth($challenge)`: the text is the second challenge,
    /// whose `rspauth` proves the server knows the password.
    DigestMd5Rspauth,
    /// `differs($earlier, …)`: the text is not empty and differs from each
    /// argument, a value captured before (the stream id of the stream
    /// before a restart: RFC 6120 §4.7.3, each stream has its own id) or a
    /// quoted text (an id the client offered and the server must ignore).
    Differs,
    /// `plain-authzid(authzid, authcid, password)`: a SASL PLAIN message
    /// with an authorization identity (RFC 4616 §2), base64.
    PlainAuthzid,
    /// `upper(arg)`: the argument in upper case (a JID part that must
    /// compare equal whatever its case, RFC 7622 §3.2, §3.3).
    Upper,
    /// `repeat(text, count)`: the text that many times, for a stanza
    /// larger than a scenario file should spell out (RFC 6120 §13.12).
    Repeat,
}

/// Where a function may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// In lines the harness sends: it produces text.
    Sent,
    /// In patterns: it checks the peer's text.
    Pattern,
}

/// What the catalogue says of one function.
struct Spec {
    function: Function,
    name: &'static str,
    side: Side,
    /// `None`: any number of arguments, at least one.
    arity: Option<usize>,
    /// Usage shown in errors.
    usage: &'static str,
}

const CATALOGUE: &[Spec] = &[
    Spec {
        function: Function::Base64,
        name: "base64",
        side: Side::Sent,
        arity: None,
        usage: "base64('n,,n=', user, ',r=abc')",
    },
    Spec {
        function: Function::Plain,
        name: "plain",
        side: Side::Sent,
        arity: Some(2),
        usage: "plain(user, 'wrong-password')",
    },
    Spec {
        function: Function::DigestMd5Response,
        name: "digest-md5-response",
        side: Side::Sent,
        arity: Some(1),
        usage: "digest-md5-response($c1)",
    },
    Spec {
        function: Function::DigestMd5Challenge,
        name: "digest-md5-challenge",
        side: Side::Pattern,
        arity: Some(1),
        usage: "digest-md5-challenge($c1)",
    },
    Spec {
        function: Function::DigestMd5Rspauth,
        name: "digest-md5-rspauth",
        side: Side::Pattern,
        arity: Some(1),
        usage: "digest-md5-rspauth($c1)",
    },
    Spec {
        function: Function::Differs,
        name: "differs",
        side: Side::Pattern,
        arity: None,
        usage: "differs($stream_id, 'client-id')",
    },
    Spec {
        function: Function::PlainAuthzid,
        name: "plain-authzid",
        side: Side::Sent,
        arity: Some(3),
        usage: "plain-authzid('juliet@example.org', user, password)",
    },
    Spec {
        function: Function::Upper,
        name: "upper",
        side: Side::Sent,
        arity: Some(1),
        usage: "upper(user)",
    },
    Spec {
        function: Function::Repeat,
        name: "repeat",
        side: Side::Sent,
        arity: Some(2),
        usage: "repeat('a', '70000')",
    },
];

/// The most bytes `repeat` makes: large enough to exceed any server's
/// stanza limit, small enough that a scenario cannot exhaust memory.
pub const REPEAT_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Every function name, for suggestions.
pub fn names() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().map(|s| s.name)
}

impl Function {
    fn spec(self) -> &'static Spec {
        // Every variant has exactly one entry (checked by a test).
        CATALOGUE
            .iter()
            .find(|s| s.function == self)
            .unwrap_or(&CATALOGUE[0])
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn side(self) -> Side {
        self.spec().side
    }

    pub fn usage(self) -> &'static str {
        self.spec().usage
    }
}

impl Call {
    /// Parse the inside of a placeholder that has the shape `name(…)`.
    /// `Ok(None)` when it does not have that shape at all.
    pub fn parse(inner: &str) -> Result<Option<Call>, String> {
        let Some(open) = inner.find('(') else {
            return Ok(None);
        };
        let name = inner[..open].trim();
        let Some(list) = inner[open + 1..].trim_end().strip_suffix(')') else {
            return Err(format!("`{inner}`: a call ends with `)`"));
        };
        let Some(spec) = CATALOGUE.iter().find(|s| s.name == name) else {
            return Err(format!("unknown function `{name}`"));
        };
        let args = parse_args(list)?;
        let count_ok = match spec.arity {
            Some(n) => args.len() == n,
            None => !args.is_empty(),
        };
        if !count_ok {
            return Err(format!(
                "`{name}` takes {} argument{}: {}",
                spec.arity
                    .map_or("at least one".to_owned(), |n| n.to_string()),
                if spec.arity == Some(1) { "" } else { "s" },
                spec.usage
            ));
        }
        if matches!(
            spec.function,
            Function::DigestMd5Response | Function::DigestMd5Challenge | Function::DigestMd5Rspauth
        ) && !matches!(args[0], Arg::Capture(_))
        {
            return Err(format!("`{name}` takes a capture, such as {}", spec.usage));
        }
        if spec.function == Function::Differs && args.iter().any(|a| matches!(a, Arg::Var(_))) {
            return Err(format!(
                "`{name}` takes captures and quoted texts, such as {}",
                spec.usage
            ));
        }
        if spec.function == Function::Repeat {
            let count = match &args[1] {
                Arg::Literal(n) => n.parse::<usize>().ok(),
                _ => None,
            };
            let unit = match &args[0] {
                Arg::Literal(t) => t.len(),
                _ => 0,
            };
            match count {
                Some(n) if unit > 0 && n.saturating_mul(unit) <= REPEAT_MAX_BYTES => {}
                _ => {
                    return Err(format!(
                        "`{name}` takes a quoted text and a quoted count, at most \
                         {REPEAT_MAX_BYTES} bytes in all, such as {}",
                        spec.usage
                    ));
                }
            }
        }
        Ok(Some(Call {
            function: spec.function,
            args,
        }))
    }

    /// Whether the value may reveal a secret: such sent lines are recorded
    /// as `[redacted]`. `plain` and `digest-md5-response` always carry a
    /// password (a deliberately wrong one too: it may be a near miss);
    /// `base64` when one of its arguments is a secret value.
    pub fn is_secret(&self, bindings: &Bindings) -> bool {
        match self.function {
            Function::Plain | Function::PlainAuthzid | Function::DigestMd5Response => true,
            Function::Base64 | Function::Upper => self
                .args
                .iter()
                .any(|a| matches!(a, Arg::Var(v) if bindings.is_secret(v))),
            Function::DigestMd5Challenge
            | Function::DigestMd5Rspauth
            | Function::Differs
            | Function::Repeat => false,
        }
    }
}

fn parse_args(list: &str) -> Result<Vec<Arg>, String> {
    let mut args = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        let (arg, after) = if let Some(quoted) = rest.strip_prefix('\'') {
            let Some(end) = quoted.find('\'') else {
                return Err(format!("unclosed quote in `{list}`"));
            };
            (Arg::Literal(quoted[..end].to_owned()), &quoted[end + 1..])
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let word = rest[..end].trim();
            let arg = if let Some(name) = word.strip_prefix('$') {
                if !is_capture_name(name) {
                    return Err(format!("invalid capture name `{word}`"));
                }
                Arg::Capture(name.to_owned())
            } else if is_variable_name(word) {
                Arg::Var(word.to_owned())
            } else {
                return Err(format!(
                    "`{word}` is not an argument: write a variable (`user`), a capture (`$c1`) or a quoted text (`'abc'`)"
                ));
            };
            (arg, &rest[end..])
        };
        args.push(arg);
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if after.is_empty() => after,
            None => return Err(format!("expected `,` between arguments in `{list}`")),
        };
    }
    Ok(args)
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Var(name) => f.write_str(name),
            Arg::Capture(name) => write!(f, "${name}"),
            Arg::Literal(text) => write!(f, "'{text}'"),
        }
    }
}

impl fmt::Display for Call {
    /// As written in a scenario, without the braces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.function.name())?;
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{arg}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_in_the_catalogue_once() {
        for f in [
            Function::Base64,
            Function::Plain,
            Function::DigestMd5Response,
            Function::DigestMd5Challenge,
            Function::DigestMd5Rspauth,
            Function::Differs,
            Function::PlainAuthzid,
            Function::Upper,
            Function::Repeat,
        ] {
            assert_eq!(CATALOGUE.iter().filter(|s| s.function == f).count(), 1);
            assert_eq!(f.spec().function, f);
        }
    }

    #[test]
    fn parses_calls_with_each_kind_of_argument() {
        let call = Call::parse("base64('n,,n=', user, ',r=x')").ok().flatten();
        assert_eq!(
            call,
            Some(Call {
                function: Function::Base64,
                args: vec![
                    Arg::Literal("n,,n=".into()),
                    Arg::Var("user".into()),
                    Arg::Literal(",r=x".into())
                ]
            })
        );
        let call = Call::parse("digest-md5-response( $c1 )").ok().flatten();
        assert_eq!(
            call.map(|c| c.to_string()).as_deref(),
            Some("digest-md5-response($c1)")
        );
        assert_eq!(Call::parse("domain"), Ok(None));
    }

    #[test]
    fn explains_bad_calls() {
        let e = |text: &str| Call::parse(text).err().unwrap_or_default();
        assert!(e("digest-md5-respons($c1)").contains("unknown function"));
        assert!(e("plain(user)").contains("takes 2 arguments"));
        assert!(e("base64()").contains("at least one"));
        assert!(e("digest-md5-response(user)").contains("takes a capture"));
        assert!(e("base64(usr)").contains("`usr` is not an argument"));
        assert!(e("base64('abc)").contains("unclosed quote"));
        assert!(e("base64('a' 'b')").contains("expected `,`"));
        assert!(e("base64('a'").contains("ends with `)`"));
        assert!(e("differs(user)").contains("captures and quoted texts"));
        assert!(e("repeat('a', 'many')").contains("quoted count"));
        assert!(e("repeat('ab', '4000000')").contains("at most"));
        assert!(e("repeat('', '3')").contains("quoted text"));
        assert!(Call::parse("differs($a, 'b', $c)").is_ok_and(|c| c.is_some()));
        assert!(Call::parse("repeat('ab', '10')").is_ok_and(|c| c.is_some()));
    }

    #[test]
    fn secrets() {
        let mut b = Bindings::new();
        b.set_var("user", "romeo");
        b.set_var("password", crate::sasl::Secret::new("x"));
        let secret_with = |b: &Bindings, text: &str| {
            Call::parse(text)
                .ok()
                .flatten()
                .is_some_and(|c| c.is_secret(b))
        };
        let secret = |text: &str| secret_with(&b, text);
        assert!(secret("plain(user, 'x')"));
        assert!(secret("digest-md5-response($c)"));
        assert!(secret("base64(user, password)"));
        assert!(!secret("base64(user, 'x')"));
        assert!(!secret("digest-md5-rspauth($c)"));
        assert!(secret("plain-authzid('juliet@example.org', user, 'x')"));
        assert!(!secret("upper(user)"));
        assert!(secret("upper(password)"));
        assert!(!secret("repeat('a', '3')"));
        // Secrecy follows the value, not the name.
        b.set_var("password", "not-secret");
        assert!(!secret_with(&b, "base64(user, password)"));
    }
}
