//! Matching one attribute value or text against a template such as
//! `{$user}@{domain}/{*}`, compiled into [`ValuePattern`] pieces.
//!
//! Variables and captures already bound are plain text; `{*}` and captures
//! seen for the first time are wildcards. Templates are short, so a small
//! backtracking matcher is enough; each wildcard tries the shortest text
//! first, and only the positions where the literal after it occurs, which
//! keeps `{*}` over a long value linear.

use crate::scenario::functions::Arg;

use super::found::State;
use super::pattern::{Piece, ValuePattern};

/// Why a value does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueError {
    /// The value is different.
    Differs,
    /// The pattern uses a variable that has no value.
    Unbound(String),
}

#[derive(Debug)]
enum Token<'a> {
    Text(&'a str),
    /// A wildcard; `Some(i)` records what it covers for piece `i` (a new
    /// capture or a call).
    Wild(Option<usize>),
    /// A capture first met at piece `i` of this same value.
    Again(usize),
}

/// Match `value` against `pattern`. On success new captures and the
/// checks of calls are added to `state`; on failure it is unchanged.
pub(crate) fn match_value(
    pattern: &ValuePattern,
    value: &str,
    state: &mut State<'_>,
) -> Result<(), ValueError> {
    let covered = cover(&pattern.pieces, value, state)?;
    for (index, text) in covered {
        match pattern.pieces.get(index) {
            Some(Piece::Capture(name)) => state.set_capture(name, text),
            Some(Piece::Call(call)) => {
                // Capture arguments without a value take the text the
                // call covers: `{digest-md5-challenge($c1)}` captures $c1.
                for arg in &call.args {
                    if let Arg::Capture(c) = arg
                        && state.capture(c).is_none()
                    {
                        state.set_capture(c, text.clone());
                    }
                }
                state.check(call, text);
            }
            _ => {}
        }
    }
    Ok(())
}

/// What each new capture and call covers, by piece index, in order.
fn cover(
    pieces: &[Piece],
    value: &str,
    state: &State<'_>,
) -> Result<Vec<(usize, String)>, ValueError> {
    let mut tokens = Vec::with_capacity(pieces.len());
    let mut fresh: Vec<(&str, usize)> = Vec::new();
    for (index, piece) in pieces.iter().enumerate() {
        tokens.push(match piece {
            Piece::Literal(text) => Token::Text(text),
            Piece::Var(name) => Token::Text(
                state
                    .var(name)
                    .ok_or_else(|| ValueError::Unbound(name.clone()))?,
            ),
            Piece::Capture(name) => match state.capture(name) {
                Some(v) => Token::Text(v),
                None => match fresh.iter().find(|(n, _)| n == name) {
                    Some(&(_, first)) => Token::Again(first),
                    None => {
                        fresh.push((name, index));
                        Token::Wild(Some(index))
                    }
                },
            },
            Piece::Any => Token::Wild(None),
            Piece::Call(_) => Token::Wild(Some(index)),
        });
    }
    let mut captured: Vec<(usize, &str)> = Vec::new();
    if !walk(&tokens, value, &mut captured) {
        return Err(ValueError::Differs);
    }
    Ok(captured
        .into_iter()
        .map(|(i, text)| (i, text.to_owned()))
        .collect())
}

fn walk<'a>(tokens: &[Token<'_>], input: &'a str, captured: &mut Vec<(usize, &'a str)>) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return input.is_empty();
    };
    match first {
        Token::Text(t) => input
            .strip_prefix(*t)
            .is_some_and(|r| walk(rest, r, captured)),
        Token::Again(first) => {
            let Some(v) = captured.iter().find(|(i, _)| i == first).map(|(_, v)| *v) else {
                return false;
            };
            input
                .strip_prefix(v)
                .is_some_and(|r| walk(rest, r, captured))
        }
        Token::Wild(slot) => {
            for end in candidate_ends(rest.first(), input) {
                if let Some(i) = slot {
                    captured.push((*i, &input[..end]));
                }
                if walk(rest, &input[end..], captured) {
                    return true;
                }
                if slot.is_some() {
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
    use crate::bindings::Bindings;
    use crate::matching::found::Matched;
    use crate::scenario::template::{Segment, Template};

    /// A value pattern as `compile` makes it, for the kinds tested here.
    fn t(text: &str) -> ValuePattern {
        let template = Template::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let pieces = template
            .segments
            .into_iter()
            .map(|s| match s {
                Segment::Literal(l) => Piece::Literal(l),
                Segment::Var(v) => Piece::Var(v),
                Segment::Capture(c) => Piece::Capture(c),
                Segment::Any => Piece::Any,
                Segment::Call(c) => Piece::Call(c),
                other => panic!("{other:?} is not a pattern piece"),
            })
            .collect();
        ValuePattern {
            written: text.to_owned(),
            pieces,
        }
    }

    fn bindings() -> Bindings {
        let mut b = Bindings::new();
        b.set_var("domain", "example.org");
        b.set_var("user", "romeo");
        b
    }

    /// Match and return what was found.
    fn run(b: &Bindings, pattern: &str, value: &str) -> Result<Matched, ValueError> {
        let mut state = State::new(b);
        match_value(&t(pattern), value, &mut state).map(|()| state.into_matched())
    }

    fn captures(found: &Result<Matched, ValueError>) -> Vec<(&str, &str)> {
        found
            .as_ref()
            .map(|m| {
                m.captures
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn literals_and_vars() {
        let b = bindings();
        assert!(run(&b, "result", "result").is_ok());
        assert_eq!(run(&b, "result", "error"), Err(ValueError::Differs));
        assert!(run(&b, "{domain}", "example.org").is_ok());
        assert_eq!(run(&b, "{domain}", "example.net"), Err(ValueError::Differs));
        assert_eq!(
            run(&b, "{resource}", "x"),
            Err(ValueError::Unbound("resource".into()))
        );
    }

    #[test]
    fn any_and_captures_mixed() {
        let b = bindings();
        let found = run(&b, "{$local}@{domain}/{*}", "juliet@example.org/balcony");
        assert_eq!(captures(&found), [("local", "juliet")]);
        assert!(run(&b, "{*}", "").is_ok());
        assert!(run(&b, "a{*}b{*}c", "aXbYbZc").is_ok());
        assert_eq!(run(&b, "a{*}b", "aXc"), Err(ValueError::Differs));
    }

    #[test]
    fn bound_capture_is_compared() {
        let mut b = bindings();
        b.set_capture("id", "abc");
        assert_eq!(run(&b, "{$id}", "abc"), Ok(Matched::default()));
        assert_eq!(run(&b, "{$id}", "abd"), Err(ValueError::Differs));
    }

    #[test]
    fn a_capture_found_earlier_in_the_match_is_compared() {
        let b = bindings();
        let mut state = State::new(&b);
        assert_eq!(match_value(&t("{$x}"), "1", &mut state), Ok(()));
        assert_eq!(
            match_value(&t("{$x}"), "2", &mut state),
            Err(ValueError::Differs)
        );
        assert_eq!(b.capture("x"), None, "the bindings are only read");
    }

    #[test]
    fn repeated_fresh_capture_must_agree() {
        let b = bindings();
        let found = run(&b, "{$x}-{$x}", "ab-ab");
        assert_eq!(captures(&found), [("x", "ab")]);
        assert_eq!(run(&b, "{$x}-{$x}", "ab-cd"), Err(ValueError::Differs));
    }

    #[test]
    fn shortest_split_wins() {
        let b = bindings();
        let found = run(&b, "{$a}@{$b}", "x@y@z");
        assert_eq!(captures(&found), [("a", "x"), ("b", "y@z")]);
    }

    #[test]
    fn adjacent_wildcards_on_multibyte_text() {
        let b = bindings();
        let found = run(&b, "{$a}{$b}é", "ééé");
        assert_eq!(captures(&found), [("a", ""), ("b", "éé")]);
    }

    #[test]
    fn a_call_covers_text_binds_its_capture_and_leaves_a_check() {
        let b = bindings();
        let found = run(&b, "x{digest-md5-challenge($c1)}", "xbm9uY2U9");
        assert_eq!(captures(&found), [("c1", "bm9uY2U9")]);
        let checks = found.map(|m| m.checks).unwrap_or_default();
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].call.to_string(), "digest-md5-challenge($c1)");
        assert_eq!(checks[0].text, "bm9uY2U9");
    }
}
