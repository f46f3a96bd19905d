//! Matching one attribute value or text against a template such as
//! `{$user}@{domain}/{*}`.
//!
//! Variables and captures already bound are plain text; `{*}` and captures
//! seen for the first time are wildcards. Templates are short, so a small
//! backtracking matcher is enough; each wildcard tries the shortest text
//! first, and only the positions where the literal after it occurs, which
//! keeps `{*}` over a long value linear.

use crate::bindings::Bindings;
use crate::scenario::functions::Arg;
use crate::scenario::template::{Segment, Template};

/// Why a value does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueError {
    /// The value is different.
    Differs,
    /// The template uses a variable or capture that has no value.
    Unbound(String),
}

#[derive(Debug)]
enum Token<'a> {
    Text(&'a str),
    /// A wildcard; `Some(name)` captures what it covers.
    Wild(Option<&'a str>),
    /// A capture bound earlier in this same value.
    Again(&'a str),
}

/// Match `value` against `template`. On success new captures are added to
/// `bindings`; on failure it is unchanged.
pub(crate) fn match_value(
    template: &Template,
    value: &str,
    bindings: &mut Bindings,
) -> Result<(), ValueError> {
    // A call covers text like a wildcard; it captures under a name no
    // scenario can write (`#0`, `#1`, …) so the text can be found after.
    let call_slots: Vec<String> = (0..template.segments.len())
        .map(|i| format!("#{i}"))
        .collect();
    let mut tokens = Vec::with_capacity(template.segments.len());
    let mut fresh: Vec<&str> = Vec::new();
    for (index, segment) in template.segments.iter().enumerate() {
        tokens.push(match segment {
            Segment::Literal(text) => Token::Text(text),
            Segment::Var(name) => Token::Text(
                bindings
                    .var(name)
                    .ok_or_else(|| ValueError::Unbound(name.clone()))?,
            ),
            Segment::Capture(name) => match bindings.capture(name) {
                Some(v) => Token::Text(v),
                None if fresh.contains(&name.as_str()) => Token::Again(name),
                None => {
                    fresh.push(name);
                    Token::Wild(Some(name))
                }
            },
            Segment::Any => Token::Wild(None),
            Segment::Call(_) => Token::Wild(Some(&call_slots[index])),
            // Bytes and `{absent}` are rejected in patterns at load time;
            // should one get here, it matches nothing rather than anything.
            Segment::Bytes(_) | Segment::Absent => return Err(ValueError::Differs),
        });
    }
    let mut captured: Vec<(&str, &str)> = Vec::new();
    if !walk(&tokens, value, &mut captured) {
        return Err(ValueError::Differs);
    }
    let owned: Vec<(String, String)> = captured
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    for (name, v) in owned {
        let call = name
            .strip_prefix('#')
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| match template.segments.get(i) {
                Some(Segment::Call(call)) => Some(call),
                _ => None,
            });
        match call {
            Some(call) => {
                // Capture arguments without a value take the text the
                // call covers: `{digest-md5-challenge($c1)}` captures $c1.
                for arg in &call.args {
                    if let Arg::Capture(c) = arg
                        && bindings.capture(c).is_none()
                    {
                        bindings.set_capture(c.clone(), v.clone());
                    }
                }
                bindings.push_check(call.clone(), v);
            }
            None => bindings.set_capture(name, v),
        }
    }
    Ok(())
}

fn walk<'a>(tokens: &[Token<'a>], input: &'a str, captured: &mut Vec<(&'a str, &'a str)>) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return input.is_empty();
    };
    match first {
        Token::Text(t) => input
            .strip_prefix(*t)
            .is_some_and(|r| walk(rest, r, captured)),
        Token::Again(name) => {
            let Some(v) = captured.iter().find(|(n, _)| n == name).map(|(_, v)| *v) else {
                return false;
            };
            input
                .strip_prefix(v)
                .is_some_and(|r| walk(rest, r, captured))
        }
        Token::Wild(name) => {
            for end in candidate_ends(rest.first(), input) {
                if let Some(n) = name {
                    captured.push((n, &input[..end]));
                }
                if walk(rest, &input[end..], captured) {
                    return true;
                }
                if name.is_some() {
                    captured.pop();
                }
            }
            false
        }
    }
}

/// Where a wildcard may end, shortest first.
fn candidate_ends(next: Option<&Token<'_>>, input: &str) -> Vec<usize> {
    match next {
        None => vec![input.len()],
        Some(Token::Text(t)) if !t.is_empty() => input.match_indices(*t).map(|(i, _)| i).collect(),
        _ => input
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(input.len()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Template {
        Template::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn bindings() -> Bindings {
        let mut b = Bindings::new();
        b.set_var("domain", "example.org");
        b.set_var("user", "romeo");
        b
    }

    #[test]
    fn literals_and_vars() {
        let mut b = bindings();
        assert_eq!(match_value(&t("result"), "result", &mut b), Ok(()));
        assert_eq!(
            match_value(&t("result"), "error", &mut b),
            Err(ValueError::Differs)
        );
        assert_eq!(match_value(&t("{domain}"), "example.org", &mut b), Ok(()));
        assert_eq!(
            match_value(&t("{domain}"), "example.net", &mut b),
            Err(ValueError::Differs)
        );
        assert_eq!(
            match_value(&t("{resource}"), "x", &mut b),
            Err(ValueError::Unbound("resource".into()))
        );
    }

    #[test]
    fn any_and_captures_mixed() {
        let mut b = bindings();
        assert_eq!(
            match_value(
                &t("{$local}@{domain}/{*}"),
                "juliet@example.org/balcony",
                &mut b
            ),
            Ok(())
        );
        assert_eq!(b.capture("local"), Some("juliet"));
        assert_eq!(match_value(&t("{*}"), "", &mut b), Ok(()));
        assert_eq!(match_value(&t("a{*}b{*}c"), "aXbYbZc", &mut b), Ok(()));
        assert_eq!(
            match_value(&t("a{*}b"), "aXc", &mut b),
            Err(ValueError::Differs)
        );
    }

    #[test]
    fn bound_capture_is_compared() {
        let mut b = bindings();
        b.set_capture("id", "abc");
        assert_eq!(match_value(&t("{$id}"), "abc", &mut b), Ok(()));
        assert_eq!(
            match_value(&t("{$id}"), "abd", &mut b),
            Err(ValueError::Differs)
        );
    }

    #[test]
    fn repeated_fresh_capture_must_agree() {
        let mut b = bindings();
        assert_eq!(match_value(&t("{$x}-{$x}"), "ab-ab", &mut b), Ok(()));
        assert_eq!(b.capture("x"), Some("ab"));
        let mut b = bindings();
        assert_eq!(
            match_value(&t("{$x}-{$x}"), "ab-cd", &mut b),
            Err(ValueError::Differs)
        );
        assert_eq!(b.capture("x"), None, "no binding left after a failure");
    }

    #[test]
    fn shortest_split_wins() {
        let mut b = bindings();
        assert_eq!(match_value(&t("{$a}@{$b}"), "x@y@z", &mut b), Ok(()));
        assert_eq!((b.capture("a"), b.capture("b")), (Some("x"), Some("y@z")));
    }

    #[test]
    fn adjacent_wildcards_on_multibyte_text() {
        let mut b = bindings();
        assert_eq!(match_value(&t("{$a}{$b}é"), "ééé", &mut b), Ok(()));
        assert_eq!((b.capture("a"), b.capture("b")), (Some(""), Some("éé")));
    }
}
