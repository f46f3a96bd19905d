//! The directives of a scenario body, in one table.
//!
//! Everything the format knows about a directive is in its row: the word,
//! its arguments, the sides under test that may use it, its description
//! for the reference, and the function that turns its arguments into the
//! engine's [`Action`]. The line reader and the builder only consult the
//! table, and the table of docs/scenario-format.md is generated from it,
//! so a new directive is one row, its parser and its engine step.

mod args;
mod reference;
mod sasl;

pub(crate) use args::Args;
pub(crate) use reference::markdown_table;

use super::error::ScenarioError;
use super::model::{Action, Peer, Presented, WsMessage};
use super::suggest::did_you_mean;
use super::template::Template;

/// What a directive line becomes.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// A step the engine runs.
    Step(Action),
    /// `include PATH`: the builder inlines another file's steps. The path
    /// as written, and its byte offset on the line for errors about it.
    Include { path: String, start: usize },
}

/// A directive used in a scenario whose side under test does not allow it
/// (or not with these arguments); the builder turns it into an error at
/// the directive's line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Misuse {
    /// How many bytes from column 1 to underline.
    pub width: usize,
    pub message: String,
    pub help: String,
}

/// Turns a directive's arguments into what the builder adds.
pub(crate) type ParseFn = fn(&Args) -> Result<Parsed, ScenarioError>;

/// Checks parsed arguments against the side under test.
pub(crate) type CheckFn = fn(&Action, Peer) -> Result<(), Misuse>;

/// One row of the table.
#[derive(Debug)]
pub(crate) struct Directive {
    /// The word at column 1.
    pub name: &'static str,
    /// The arguments as the reference shows them (`DURATION`); empty for a
    /// directive that takes none.
    pub args: &'static str,
    /// The sides under test whose scenarios may use it.
    pub peers: &'static [Peer],
    /// What it does: the reference's description (Markdown).
    pub help: &'static str,
    /// Its arguments, straight into the step it runs as. Called while the
    /// lines are read, before the side under test is looked at.
    pub parse: ParseFn,
    /// Rules on the parsed arguments that depend on the side under test,
    /// for a directive whose arguments differ between the two.
    pub check: Option<CheckFn>,
}

const BOTH: &[Peer] = &[Peer::Server, Peer::Client];
const SERVER: &[Peer] = &[Peer::Server];

/// Every directive, in the order error messages and the reference list
/// them.
pub(crate) static TABLE: &[Directive] = &[
    Directive {
        name: "restart",
        args: "",
        peers: BOTH,
        help: "a new stream starts (after TLS or SASL success): the parser of the peer's bytes \
               is reset and expects a new stream header",
        parse: |a| a.none(Action::Restart),
        check: None,
    },
    Directive {
        name: "starttls",
        args: "[or-close / untrusted / wrong-name]",
        peers: BOTH,
        help: "the harness runs the TLS handshake now (write it after the server's \
               `<proceed/>`), verifying the certificate for `{domain}` unless `--insecure`; \
               then, as with `restart`, a new stream is expected (RFC 6120 §5.4.3.3). The \
               transcript records the TLS version and cipher suite. A failed handshake fails \
               the scenario with the TLS reason; a server that sends XML after \
               `<proceed/>` instead of starting TLS fails it at once (RFC 6120 §5.4.2.3, \
               §5.4.3.1). Under `--tls direct` a scenario that opens with the STARTTLS \
               exchange runs without it (see below). Testing a client, the harness runs the \
               server side of the handshake. `starttls or-close`, testing a server: a server \
               that closes the connection instead of completing the handshake, or right \
               after it before answering on the new stream, passes too, and the scenario ends \
               there (data the client sent with `<starttls/>` stood \
               where its ClientHello had to be, RFC 6120 §5.4.3.2); anything else is judged \
               as without it. `starttls untrusted`, testing a client: the harness presents a \
               certificate for `{domain}` that no CA vouches for (self-signed, made for the \
               run); the client must end the session, by failing the handshake or closing \
               right after it, and the scenario ends there; a client that goes on over TLS \
               fails (RFC 6120 §13.7.2, §5.4.3.1). `starttls wrong-name`: likewise with a \
               certificate the run's CA signed for `wrong-name.invalid` only (RFC 6120 \
               §13.9.5: the client checks the domain against it); skipped with `--cert`",
        parse: starttls,
        check: Some(starttls_check),
    },
    Directive {
        name: "sasl",
        args: "MECHANISM… [option…]",
        peers: BOTH,
        help: "testing a server, a whole SASL exchange (RFC 6120 §6) with \
               `--user`/`--password`, with exactly one MECHANISM and no option: `<auth/>`, \
               challenges and responses, `<success/>` with the server's proof checked (SCRAM \
               server signature, DIGEST-MD5 rspauth); then a new stream is expected, as after \
               `restart`. A mechanism the last `<stream:features>` did not offer makes the \
               scenario *unsupported*. Payloads are shown as `[redacted]` in every report. \
               One of SCRAM-SHA-256, SCRAM-SHA-1, DIGEST-MD5, PLAIN, ANONYMOUS, EXTERNAL \
               (a misspelt one gets a suggestion). <br> Testing a client (`peer = \"client\"`), \
               the harness is the SASL server: the client must choose one of the named \
               mechanisms, and its answers are checked against `--user`/`--password` (a wrong \
               one gets `<failure/>` and fails the scenario with what was wrong; a DIGEST-MD5 \
               response is checked hash by hash and the transcript shows both hashes). \
               Options: `wrong-proof` (send a well-formed but wrong rspauth or server \
               signature; the scenario passes only if the client gives up), \
               `proof-in-success` (the proof in `<success/>` instead of a last challenge), \
               `proof-in-challenge` (the proof in a last challenge, answered with an empty \
               `<response/>`, then `<success/>` without data), \
               `challenge=BASE64` (DIGEST-MD5: this exact first challenge), `no-authzid` (the \
               client acts for itself: any authorization identity, even its own bare JID, \
               fails the scenario, RFC 6120 §6.3.8), `no-plain` (PLAIN is listed beside \
               stronger mechanisms, and a client that picks it fails, RFC 6120 §13.8.3). A \
               client that \
               closes without choosing any mechanism makes the scenario *unsupported*",
        parse: sasl::parse,
        check: Some(sasl::check),
    },
    Directive {
        name: "login",
        args: "",
        peers: SERVER,
        help: "everything a client does before its first stanza, for scenarios whose subject \
               comes after: open a stream (unless one is open), STARTTLS if offered (and the \
               run uses STARTTLS), SASL with the strongest mechanism offered (SCRAM-SHA-256, \
               SCRAM-SHA-1, DIGEST-MD5, then PLAIN over TLS only) or `--mechanism`, restart, \
               and bind a resource (`--resource`, or the server's choice). The bound full JID \
               becomes the capture `{$jid}`. A mandatory RFC 3921 `<session/>` is established \
               too. Each step is checked; a server that breaks one fails the scenario there",
        parse: |a| a.none(Action::Login { bind: true }),
        check: None,
    },
    Directive {
        name: "authenticate",
        args: "",
        peers: SERVER,
        help: "`login` without the resource binding: the next line is usually the scenario's \
               own bind request",
        parse: |a| a.none(Action::Login { bind: false }),
        check: None,
    },
    Directive {
        name: "connection",
        args: "NAME [as ACCOUNT]",
        peers: BOTH,
        help: "the following lines use the connection called `NAME` (letters, digits, `-`, \
               `_`), opened now if new (testing a client: the client's next connection); the \
               first one is `main`. It logs in as `ACCOUNT`, else as the account called `NAME` \
               if the front matter's `accounts` lists it, else as the default account. For \
               scenarios about several users or sessions. The transcript labels each \
               connection's lines",
        parse: connection,
        check: None,
    },
    Directive {
        name: "expect-close",
        args: "[abrupt / close-notify]",
        peers: BOTH,
        help: "the peer must close the connection (after a stream error and its \
               `</stream:stream>`, if any) within the timeout. `expect-close abrupt`: with \
               no stream error and no closing tag before the close (bytes that are not XML, \
               a TLS alert, may come first), as after a failed TLS handshake (RFC 6120 \
               §5.4.3.2). `expect-close close-notify`: over TLS, the close must come after \
               the peer's TLS close_notify alert, not as a bare end of the TCP connection \
               (RFC 6120 §4.4). Testing a client, a client that closes its stream gets the \
               harness's `</stream:stream>` in reply (unless that was the harness's last \
               write), so one that waits for it as RFC 6120 §4.4 says can end the connection",
        parse: |a| {
            let (abrupt, close_notify) = match a.text {
                "" => (false, false),
                "abrupt" => (true, false),
                "close-notify" => (false, true),
                _ => {
                    return Err(
                        a.at_text("`expect-close` takes nothing, `abrupt` or `close-notify`")
                    );
                }
            };
            Ok(Parsed::Step(Action::ExpectClose {
                abrupt,
                close_notify,
            }))
        },
        check: None,
    },
    Directive {
        name: "tls-certificate",
        args: "",
        peers: SERVER,
        help: "the end-entity certificate the server presented in this connection's TLS \
               handshake must be one RFC 6120 §13.7.1.1 allows: not a CA certificate \
               (basicConstraints cA is not true) and with a non-empty subject. Write it after \
               `starttls` (or anywhere under `--tls direct`); on a connection without TLS it is \
               a scenario bug",
        parse: |a| a.none(Action::TlsCertificate),
        check: None,
    },
    Directive {
        name: "silence",
        args: "DURATION",
        peers: BOTH,
        help: "nothing may arrive from the peer for that long: `silence 500ms`, `silence 2s`, \
               `silence 1m 30s`. A placeholder reads the duration when the step runs, from a \
               value the peer announced: `silence {$inactivity}s 1s` (at most 5 minutes; a \
               value that is no duration is a check failure)",
        parse: silence,
        check: None,
    },
    Directive {
        name: "ws-send",
        args: "text|binary|ping|close LINE",
        peers: SERVER,
        help: "the line (placeholders substituted, as in `C:` lines) as one WebSocket \
               message of that kind, sent as is: no `<open/>` translation, no namespace \
               added. For RFC 7395's rules about messages themselves (a binary message, two \
               elements in one, half of one). `ping`: a ping carrying the line, whose pong (RFC 6455 \
               §5.5.2) must come back within the timeout. `close`: a Close frame (code 1000, \
               the line its reason) starting the closing handshake, whose answering Close \
               (RFC 6455 §5.5.1) must come back within the timeout. On other transports the \
               scenario is skipped",
        parse: ws_send,
        check: None,
    },
    Directive {
        name: "bosh-send",
        args: "LINE",
        peers: SERVER,
        help: "the line (placeholders substituted) as one BOSH request body, sent as is in an \
               HTTP POST of its own: the transport adds nothing and stops its own \
               long-polling on this connection. A `rid` written `+N` is N after the rid the \
               transport would have used next when the connection's first `bosh-send` ran \
               (`+1` then `+0` sends the later rid first); any other value is sent as \
               written. Each response comes back as one element, \
               `<response xmlns='urn:xmpp-conform:http' rid=… status=… content-type=…>` \
               around the `<body/>` received (its text if it is not XML; an `error` \
               attribute if none came), in `rid` order (XEP-0124 §14.2), so `S:` lines match \
               status, content type and body. For XEP-0124's rules about requests \
               themselves. On other transports the scenario is skipped",
        parse: bosh_send,
        check: None,
    },
    Directive {
        name: "unsupported-unless",
        args: "$NAME REASON",
        peers: BOTH,
        help: "ends the scenario as `unsupported`, with the reason, if the capture `$NAME` \
               was not made: for rules that hold only when the peer advertises an optional \
               feature. An `S:` line captures the value in one alternative and matches \
               without it in an `or:` one (`maxpause='{$maxpause}'`, or no `maxpause`); the \
               steps after this one run only if the feature was advertised",
        parse: unsupported_unless,
        check: None,
    },
    Directive {
        name: "include",
        args: "PATH",
        peers: BOTH,
        help: "the steps of another file, inlined here (see below)",
        parse: include,
        check: None,
    },
];

/// The row for `name`, if it is a directive.
pub(crate) fn find(name: &str) -> Option<&'static Directive> {
    TABLE.iter().find(|d| d.name == name)
}

/// The directive a line at column 1 names, with its arguments parsed;
/// an unknown word is an error with a suggestion.
pub(crate) fn parse(args: &Args) -> Result<(&'static Directive, Parsed), ScenarioError> {
    let Some(directive) = find(args.name) else {
        return Err(unknown(args));
    };
    Ok((directive, (directive.parse)(args)?))
}

/// Whether a directive parsed as `parsed` may be used testing `peer`.
pub(crate) fn check(directive: &Directive, parsed: &Parsed, peer: Peer) -> Result<(), Misuse> {
    if !directive.peers.contains(&peer) {
        return Err(wrong_side(peer));
    }
    match (directive.check, parsed) {
        (Some(check), Parsed::Step(action)) => check(action, peer),
        _ => Ok(()),
    }
}

fn names() -> Vec<&'static str> {
    TABLE.iter().map(|d| d.name).collect()
}

fn unknown(args: &Args) -> ScenarioError {
    let word = args.name;
    let e = args.at_name(format!("unknown directive `{word}`"));
    match did_you_mean(word, &names()) {
        Some(s) => e.with_help(format!("did you mean `{s}`?")),
        None if word.starts_with('<') => e.with_help("lines of XML start with `C:` or `S:`"),
        None => e.with_help(format!(
            "lines start with `C:`, `S:`, `or:`, `#`, or a directive: {}",
            names().join(", ")
        )),
    }
}

/// All the directives the side under test rules out, named in one
/// message: a scenario that uses one probably has its `peer` wrong.
fn wrong_side(peer: Peer) -> Misuse {
    let names: Vec<String> = TABLE
        .iter()
        .filter(|d| !d.peers.contains(&peer))
        .map(|d| format!("`{}`", d.name))
        .collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    };
    let verb = if names.len() == 1 { "is" } else { "are" };
    let (other, help) = match peer {
        Peer::Client => (
            "server",
            "testing a client, the client under test logs in; write its lines with `C:`",
        ),
        Peer::Server => (
            "client",
            "testing a server, the server under test answers; write its lines with `S:`",
        ),
    };
    Misuse {
        width: 1,
        message: format!("{list} {verb} for {other} scenarios"),
        help: help.into(),
    }
}

fn silence(args: &Args) -> Result<Parsed, ScenarioError> {
    if args.text.is_empty() {
        return Err(args
            .at_name("`silence` needs a duration")
            .with_help("e.g. `silence 500ms` or `silence 2s`"));
    }
    if args.text.contains('{') {
        let template = Template::parse(args.text).map_err(|e| {
            let err = args.at(args.start + e.offset, e.len, e.message);
            match e.help {
                Some(h) => err.with_help(h),
                None => err,
            }
        })?;
        return Ok(Parsed::Step(Action::SilenceFor(template)));
    }
    humantime::parse_duration(args.text)
        .map(|d| Parsed::Step(Action::Silence(d)))
        .map_err(|e| {
            args.at_text(format!("invalid duration `{}`: {e}", args.text))
                .with_help("e.g. `500ms`, `2s`, `1m 30s`")
        })
}

/// `unsupported-unless $NAME REASON`.
fn unsupported_unless(args: &Args) -> Result<Parsed, ScenarioError> {
    let help = "e.g. `unsupported-unless $maxpause the server advertises no maxpause`";
    let mut words = args.words();
    let Some((at, name)) = words.next() else {
        return Err(args
            .at_name("`unsupported-unless` needs a capture and a reason")
            .with_help(help));
    };
    let capture = name.strip_prefix('$').unwrap_or_default();
    if capture.is_empty()
        || !capture
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(args
            .at(
                at,
                name.len(),
                format!("`{name}` is not a capture name like `$maxpause`"),
            )
            .with_help(help));
    }
    let reason = args.text[at - args.start + name.len()..].trim();
    if reason.is_empty() {
        return Err(args
            .at_name("`unsupported-unless` needs a reason after the capture")
            .with_help(help));
    }
    Ok(Parsed::Step(Action::UnsupportedUnless {
        capture: capture.to_owned(),
        reason: reason.to_owned(),
    }))
}

/// `ws-send text LINE` or `ws-send binary LINE`.
fn ws_send(args: &Args) -> Result<Parsed, ScenarioError> {
    let help = "e.g. `ws-send binary <presence xmlns='jabber:client'/>` or `ws-send text <a/><b/>`";
    let Some((at, kind)) = args.words().next() else {
        return Err(args
            .at_name("`ws-send` needs `text` or `binary` and a line")
            .with_help(help));
    };
    let kind_of = match kind {
        "text" => WsMessage::Text,
        "binary" => WsMessage::Binary,
        "ping" => WsMessage::Ping,
        "close" => WsMessage::Close,
        _ => {
            return Err(args
                .at(at, kind.len(), format!("`{kind}` is not a message kind"))
                .with_help("`text`, `binary`, `ping` or `close`"));
        }
    };
    let rest = &args.text[at + kind.len() - args.start..];
    let line_at = at + kind.len() + (rest.len() - rest.trim_start().len());
    let text = rest.trim_start();
    if text.is_empty() {
        return Err(args
            .at(at, kind.len(), "`ws-send` needs a line to send")
            .with_help(help));
    }
    let line = Template::parse(text).map_err(|e| {
        let err = args.at(line_at + e.offset, e.len, e.message);
        match e.help {
            Some(h) => err.with_help(h),
            None => err,
        }
    })?;
    Ok(Parsed::Step(Action::WsSend {
        kind: kind_of,
        line,
    }))
}

/// `bosh-send LINE`.
fn bosh_send(args: &Args) -> Result<Parsed, ScenarioError> {
    if args.text.is_empty() {
        return Err(args
            .at_name("`bosh-send` needs a line to send")
            .with_help("e.g. `bosh-send <body rid='+0' sid='{$sid}' xmlns='http://jabber.org/protocol/httpbind'/>`"));
    }
    let line = Template::parse(args.text).map_err(|e| {
        let err = args.at(args.start + e.offset, e.len, e.message);
        match e.help {
            Some(h) => err.with_help(h),
            None => err,
        }
    })?;
    Ok(Parsed::Step(Action::BoshSend { line }))
}

/// `connection NAME` or `connection NAME as ACCOUNT`, names of letters,
/// digits, `-` and `_`.
fn connection(args: &Args) -> Result<Parsed, ScenarioError> {
    let is_name = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let words: Vec<(usize, &str)> = args.words().collect();
    let help = "e.g. `connection second`, or `connection juliet-phone as juliet`; the first \
                connection is `main`";
    match words.as_slice() {
        [(_, name)] if is_name(name) => Ok(Parsed::Step(Action::Connection {
            name: (*name).to_owned(),
            account: None,
        })),
        [(_, name), (_, "as"), (at, account)] if is_name(name) => {
            if crate::accounts::is_account_name(account) {
                Ok(Parsed::Step(Action::Connection {
                    name: (*name).to_owned(),
                    account: Some((*account).to_owned()),
                }))
            } else {
                let message = "an account name starts with a letter and has letters, \
                               digits, `-` or `_`";
                Err(args.at(*at, account.len(), message).with_help(help))
            }
        }
        [] => Err(args
            .at_name("`connection` needs a name of letters, digits, `-` or `_`")
            .with_help(help)),
        [_] | [_, (_, "as"), _] => Err(args
            .at_text("`connection` needs a name of letters, digits, `-` or `_`")
            .with_help(help)),
        _ => Err(args
            .at_text("expected `connection NAME` or `connection NAME as ACCOUNT`")
            .with_help(help)),
    }
}

fn include(args: &Args) -> Result<Parsed, ScenarioError> {
    if args.text.is_empty() {
        return Err(args
            .at_name("`include` needs a path")
            .with_help("e.g. `include ../_include/open-stream.xmpp`"));
    }
    Ok(Parsed::Include {
        path: args.text.to_owned(),
        start: args.start,
    })
}

/// `starttls [or-close / untrusted / wrong-name]`.
fn starttls(a: &Args) -> Result<Parsed, ScenarioError> {
    let (or_close, presented) = match a.text {
        "" => (false, Presented::Own),
        "or-close" => (true, Presented::Own),
        "untrusted" => (false, Presented::Untrusted),
        "wrong-name" => (false, Presented::WrongName),
        _ => {
            return Err(a.at_text(
                "`starttls` takes nothing, `or-close`, `untrusted` or `wrong-name`".to_string(),
            ));
        }
    };
    Ok(Parsed::Step(Action::StartTls {
        or_close,
        presented,
    }))
}

/// `untrusted` and `wrong-name` choose what the harness presents as the
/// TLS server: client scenarios only.
fn starttls_check(action: &Action, peer: Peer) -> Result<(), Misuse> {
    match action {
        Action::StartTls { presented, .. }
            if peer == Peer::Server && *presented != Presented::Own =>
        {
            Err(Misuse {
                width: "starttls".len(),
                message: "`starttls untrusted` and `starttls wrong-name` are for client scenarios"
                    .into(),
                help: "testing a server, the harness verifies the server's certificate; \
                       these make the harness present one (peer = \"client\")"
                    .into(),
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::source::SourceFile;
    use super::*;

    fn parse_line(line: &str) -> Result<(&'static str, Parsed), ScenarioError> {
        let src = SourceFile::new("t.xmpp".into(), line);
        parse(&Args::split(&src, 1, &src.lines[0])).map(|(d, p)| (d.name, p))
    }

    #[test]
    fn names_are_unique_lowercase_words() {
        for (i, d) in TABLE.iter().enumerate() {
            assert!(
                d.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                d.name
            );
            assert!(find(d.name).is_some_and(|f| std::ptr::eq(f, &TABLE[i])));
        }
    }

    /// What the `args` column promises holds for every row: a directive
    /// without arguments refuses one, a directive with some needs them.
    #[test]
    fn arguments_as_the_table_says() {
        for d in TABLE {
            let alone = parse_line(d.name);
            let with_word = parse_line(&format!("{} x", d.name));
            if d.args.is_empty() {
                assert!(alone.is_ok(), "{}", d.name);
                let e = with_word.expect_err(d.name);
                assert_eq!(e.message, format!("`{}` takes no argument", d.name));
            } else if let Some(words) = d.args.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
                // One optional word (or one of `a / b`): alone, or with
                // it, and nothing else.
                assert!(alone.is_ok(), "{}", d.name);
                for word in words.split(" / ") {
                    assert!(
                        parse_line(&format!("{} {word}", d.name)).is_ok(),
                        "{} {word}",
                        d.name
                    );
                }
                let e = with_word.expect_err(d.name);
                match words.split_once(" / ") {
                    None => {
                        assert_eq!(
                            e.message,
                            format!("`{}` takes nothing or `{words}`", d.name)
                        );
                    }
                    Some(_) => assert!(
                        e.message
                            .starts_with(&format!("`{}` takes nothing, ", d.name)),
                        "{e}"
                    ),
                }
            } else {
                let e = alone.expect_err(d.name);
                assert!(e.message.contains("needs"), "{e}");
            }
        }
    }

    #[test]
    fn misspellings_find_the_directive() {
        for d in TABLE {
            let mut swapped: Vec<char> = d.name.chars().collect();
            swapped.swap(1, 2);
            let typo: String = swapped.into_iter().collect();
            let e = parse_line(&typo).expect_err(d.name);
            assert_eq!(e.help, Some(format!("did you mean `{}`?", d.name)));
        }
    }

    #[test]
    fn every_name_is_listed_when_nothing_is_close() {
        let e = parse_line("frobnicate now").expect_err("unknown");
        let listed = e
            .help
            .as_deref()
            .and_then(|h| {
                h.strip_prefix("lines start with `C:`, `S:`, `or:`, `#`, or a directive: ")
            })
            .map(|l| l.split(", ").collect::<Vec<_>>());
        assert_eq!(listed, Some(names()));
    }

    #[test]
    fn server_only_directives_are_refused_testing_a_client() {
        let (_, parsed) = parse_line("login").expect("login");
        let login = find("login").expect("login");
        assert!(check(login, &parsed, Peer::Server).is_ok());
        let m = check(login, &parsed, Peer::Client).expect_err("refused");
        assert_eq!(
            m.message,
            "`login`, `authenticate`, `tls-certificate`, `ws-send` and `bosh-send` are for \
             server scenarios"
        );
        assert_eq!(m.width, 1);
    }

    #[test]
    fn sasl_options_are_for_client_scenarios() {
        let sasl = find("sasl").expect("sasl");
        let (_, one) = parse_line("sasl PLAIN").expect("one");
        let (_, two) = parse_line("sasl PLAIN SCRAM-SHA-1 wrong-proof").expect("two");
        assert!(check(sasl, &one, Peer::Server).is_ok());
        assert!(check(sasl, &two, Peer::Client).is_ok());
        let m = check(sasl, &two, Peer::Server).expect_err("refused");
        assert_eq!(
            (m.width, m.message.as_str()),
            (
                4,
                "testing a server, `sasl` takes exactly one mechanism and no option"
            )
        );
    }
}
