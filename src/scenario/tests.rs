//! Whole-file tests: front matter, sides, `or:`, includes, ids, and the
//! rendered text of errors as a reader sees them.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::template::Segment;
use super::*;

const HEAD: &str = "+++\ntitle = \"t\"\nspec = [\"RFC 6120 §4\"]\n+++\n";

fn parse(body: &str) -> Result<Scenario, ScenarioError> {
    parse_str(
        &format!("{HEAD}{body}"),
        Path::new("scenarios/server/t.xmpp"),
        "t",
    )
}

fn ok(body: &str) -> Scenario {
    parse(body).unwrap_or_else(|e| panic!("{e}"))
}

fn err(body: &str) -> ScenarioError {
    match parse(body) {
        Ok(s) => panic!("parsed: {:?}", s.steps),
        Err(e) => e,
    }
}

fn sent(step: &Step) -> String {
    match &step.action {
        Action::Send(t) => t.to_string(),
        other => panic!("not a send: {other:?}"),
    }
}

fn alternatives(step: &Step) -> &[Alternative] {
    match &step.action {
        Action::Expect(a) => a,
        other => panic!("not an expect: {other:?}"),
    }
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn server_peer_sends_client_lines_and_matches_server_lines() {
    let s = ok(
        "C: <?xml version='1.0'?>\n   <stream:stream to='{domain}' xmlns='jabber:client'\n       \
                xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>\n\
                S: <stream:stream from='{domain}' id='{$sid}' xmlns='jabber:client'\n       \
                xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>\n\
                S: <stream:features>…</stream:features>\n\
                C: <message xml:lang='en'><body>Bad XML, no closing body tag!</message>\n\
                S: <stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>\n\
                S: </stream:stream>\n\
                expect-close\n",
    );
    assert_eq!(s.meta.peer, Peer::Server);
    assert_eq!(s.steps.len(), 7);
    assert_eq!(
        sent(&s.steps[0]),
        "<?xml version='1.0'?>\n   <stream:stream to='{domain}' xmlns='jabber:client'\n       \
         xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
    );
    assert!(matches!(
        alternatives(&s.steps[1])[0].expectation,
        Expectation::Open(_)
    ));
    assert!(matches!(
        alternatives(&s.steps[2])[0].expectation,
        Expectation::Element(_)
    ));
    // Broken XML is sent as written, never parsed.
    assert_eq!(
        sent(&s.steps[3]),
        "<message xml:lang='en'><body>Bad XML, no closing body tag!</message>"
    );
    assert!(matches!(
        alternatives(&s.steps[5])[0].expectation,
        Expectation::Close
    ));
    assert!(matches!(s.steps[6].action, Action::ExpectClose { .. }));
    // Locations are the lines of the file (front matter is 4 lines).
    let lines: Vec<u32> = s.steps.iter().map(|st| st.loc.line).collect();
    assert_eq!(lines, vec![5, 8, 10, 11, 12, 13, 14]);
    assert_eq!(s.steps[1].loc.to_string(), "scenarios/server/t.xmpp:8:1");
    assert_eq!(
        alternatives(&s.steps[4])[0].source,
        "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
    );
}

#[test]
fn client_peer_reverses_the_sides() {
    let text = format!("{HEAD}S: <stream:features/>\nC: <iq type='get' id='{{$id}}'/>\n");
    let s = parse_str(&text, Path::new("scenarios/client/x.xmpp"), "x")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.meta.peer, Peer::Client);
    assert_eq!(sent(&s.steps[0]), "<stream:features/>");
    assert!(matches!(
        alternatives(&s.steps[1])[0].expectation,
        Expectation::Element(_)
    ));
    // `peer` in the front matter wins over the path.
    let text = "+++\ntitle = \"t\"\nspec = [\"x\"]\npeer = \"server\"\n+++\nC: <a/>\n";
    let s = parse_str(text, Path::new("scenarios/client/x.xmpp"), "x")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.meta.peer, Peer::Server);
    // With a client under test, `or:` extends `C:` lines.
    let text = format!("{HEAD}C: <a/>\nor: <b/>\nS: <c/>\nor: <d/>\n");
    let e = parse_str(&text, Path::new("client/x.xmpp"), "x").err();
    assert_eq!(
        e.map(|e| (e.line, e.message)),
        Some((8, "`or:` must follow a `C:` line".to_owned()))
    );
}

#[test]
fn crlf_files_send_lf_joined_text() {
    let text = format!("{HEAD}C: <a\r\n   b='1'/>\r\nS: <c/>\r\n")
        .replace('\n', "\r\n")
        .replace("\r\r", "\r");
    let s = parse_str(&text, Path::new("t.xmpp"), "t").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sent(&s.steps[0]), "<a\n   b='1'/>");
    assert_eq!(s.steps[1].loc.line, 7);
}

#[test]
fn consecutive_expected_lines_are_separate_steps_and_or_adds_alternatives() {
    let s = ok("S: <a/>\nS: <b/>\nor: <c/>\nor: </stream:stream>\n");
    assert_eq!(s.steps.len(), 2);
    assert_eq!(alternatives(&s.steps[0]).len(), 1);
    let alts = alternatives(&s.steps[1]);
    assert_eq!(alts.len(), 3);
    assert_eq!(alts[1].loc.line, 7);
    assert!(matches!(alts[2].expectation, Expectation::Close));
}

#[test]
fn or_must_follow_an_expected_line() {
    let e = err("C: <a/>\nor: <b/>\n");
    assert_eq!((e.line, e.column, e.width), (6, 1, 3));
    assert_eq!(e.message, "`or:` must follow an `S:` line");
    let e = err("S: <a/>\nrestart\nor: <b/>\n");
    assert_eq!(e.line, 7);
    assert!(err("or: <b/>\n").message.contains("must follow"));
    // Blank lines and comments in between are fine.
    assert_eq!(
        alternatives(&ok("S: <a/>\n\n# alt\nor: <b/>\n").steps[0]).len(),
        2
    );
}

#[test]
fn directives_become_steps() {
    let s = ok("restart\nsilence 250ms\nexpect-close\n");
    assert!(matches!(s.steps[0].action, Action::Restart));
    assert!(matches!(s.steps[1].action, Action::Silence(d) if d == Duration::from_millis(250)));
    assert!(matches!(s.steps[2].action, Action::ExpectClose { .. }));
}

#[test]
fn sent_lines_reject_pattern_only_placeholders() {
    let e = err("C: <iq id='{*}'/>\n");
    assert_eq!((e.line, e.column, e.width), (5, 12, 3));
    assert_eq!(e.message, "`{*}` can only be used in patterns");
    let e = err("C: <iq\n     type='{absent}'/>\n");
    assert_eq!((e.line, e.column, e.width), (6, 12, 8));
    let s = ok("C: {hex:EB 80}<a id='{$id}'/>\n");
    match &s.steps[0].action {
        Action::Send(t) => assert_eq!(t.segments[0], Segment::Bytes(vec![0xEB, 0x80])),
        other => panic!("{other:?}"),
    }
}

#[test]
fn rendered_unknown_variable_error() {
    let e = err("C: <stream:stream to='{domian}'>\n");
    assert_eq!(
        e.to_string(),
        "error: unknown variable `{domian}`
 --> scenarios/server/t.xmpp:5:23
  |
5 | C: <stream:stream to='{domian}'>
  |                       ^^^^^^^^ did you mean `{domain}`?"
    );
}

#[test]
fn rendered_pattern_error_on_a_continuation_line() {
    let e = err(
        "S: <iq type='result'>\n     <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\n   </iq>\n",
    );
    assert_eq!(e.line, 7, "{e}");
    assert!(
        e.message.starts_with("pattern is not well-formed XML"),
        "{e}"
    );
    let shown = e.to_string();
    assert!(shown.contains("\n7 |    </iq>\n"), "{shown}");
}

#[test]
fn missing_front_matter_and_empty_body() {
    let e = parse_str("C: <a/>\n", Path::new("x.xmpp"), "x").err();
    let e = e.unwrap_or_else(|| panic!("parsed"));
    assert_eq!(e.line, 1);
    assert!(e.message.contains("front matter"), "{e}");
    let e = err("# nothing\n");
    assert_eq!(
        (e.line, e.message.as_str()),
        (4, "the scenario has no steps after its front matter")
    );
}

#[test]
fn includes_inline_steps_nested_and_skip_front_matter() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    write(
        &root.join("_include/open.xmpp"),
        "+++\ntitle = \"frag\"\n+++\nC: <open/>\ninclude features.xmpp\n",
    );
    write(
        &root.join("_include/features.xmpp"),
        "S: <stream:features>…</stream:features>\n",
    );
    let main = root.join("server/a.xmpp");
    write(
        &main,
        &format!("{HEAD}include ../_include/open.xmpp\nC: <after/>\n"),
    );
    let s = load(&main, root).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.id, "server/a");
    assert_eq!(s.steps.len(), 3);
    assert_eq!(sent(&s.steps[0]), "<open/>");
    assert!(s.steps[0].loc.path.ends_with("_include/open.xmpp"));
    assert_eq!(s.steps[0].loc.line, 4);
    assert!(s.steps[1].loc.path.ends_with("_include/features.xmpp"));
    assert_eq!(sent(&s.steps[2]), "<after/>");
}

#[test]
fn include_errors_point_at_the_include_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let main = root.join("a.xmpp");
    write(&main, &format!("{HEAD}C: <x/>\ninclude nope.xmpp\n"));
    let e = load(&main, root).err().unwrap_or_else(|| panic!("loaded"));
    assert_eq!((e.line, e.column, e.width), (6, 9, 9));
    assert!(e.message.starts_with("cannot include `nope.xmpp`: "), "{e}");

    // A cycle through two files.
    write(&root.join("_i/b.xmpp"), "include c.xmpp\n");
    write(&root.join("_i/c.xmpp"), "C: <c/>\ninclude b.xmpp\n");
    write(&main, &format!("{HEAD}include _i/b.xmpp\n"));
    let e = load(&main, root).err().unwrap_or_else(|| panic!("loaded"));
    assert_eq!(e.message, "include cycle: b.xmpp → c.xmpp → b.xmpp");
    assert!(e.path.ends_with("_i/c.xmpp"));
    assert_eq!((e.line, e.column), (2, 9));
    assert_eq!(e.notes.len(), 2, "{e}");
    assert!(
        e.notes[0].starts_with("included from ") && e.notes[0].ends_with("b.xmpp:1"),
        "{e}"
    );
    assert!(e.notes[1].ends_with("a.xmpp:5"), "{e}");

    // Including itself.
    write(&main, &format!("{HEAD}include a.xmpp\n"));
    let e = load(&main, root).err().unwrap_or_else(|| panic!("loaded"));
    assert_eq!(e.message, "include cycle: a.xmpp → a.xmpp");
}

#[test]
fn errors_inside_an_included_file_name_that_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    write(&root.join("_i/bad.xmpp"), "C: <a/>\nrestrat\n");
    let main = root.join("a.xmpp");
    write(&main, &format!("{HEAD}include _i/bad.xmpp\n"));
    let e = load(&main, root).err().unwrap_or_else(|| panic!("loaded"));
    assert!(e.path.ends_with("_i/bad.xmpp"));
    assert_eq!(e.line, 2);
    let shown = e.to_string();
    assert!(
        shown.ends_with(&format!("= note: included from {}:5", main.display())),
        "{shown}"
    );
}

#[test]
fn ids_from_paths() {
    assert_eq!(
        parse::scenario_id(Path::new("s/rfc6120/stream/bad-xml.xmpp"), Path::new("s")),
        "rfc6120/stream/bad-xml"
    );
    assert_eq!(parse::scenario_id(Path::new("x.xmpp"), Path::new("")), "x");
    assert_eq!(
        parse::scenario_id(Path::new("/a/b.xmpp"), Path::new("/c")),
        "a/b"
    );
}

#[test]
fn load_reports_unreadable_files() {
    let e = load(Path::new("/nonexistent/x.xmpp"), Path::new("/nonexistent")).err();
    let e = e.unwrap_or_else(|| panic!("loaded"));
    assert_eq!(e.line, 0);
    assert!(e.message.starts_with("cannot read the file"), "{e}");
}

#[test]
fn discover_then_load_every_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root: PathBuf = dir.path().join("scenarios");
    write(&root.join("server/one.xmpp"), &format!("{HEAD}C: <a/>\n"));
    write(&root.join("client/two.xmpp"), &format!("{HEAD}C: <a/>\n"));
    write(&root.join("_include/frag.xmpp"), "C: <a/>\n");
    let found = discover(std::slice::from_ref(&root)).unwrap_or_else(|e| panic!("{e}"));
    let loaded: Vec<(String, Peer)> = found
        .iter()
        .map(|(r, f)| {
            load(f, r)
                .map(|s| (s.id, s.meta.peer))
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    assert_eq!(
        loaded,
        vec![
            ("client/two".to_owned(), Peer::Client),
            ("server/one".to_owned(), Peer::Server)
        ]
    );
}

/// Pieces of scenario files, valid and broken, for the property below.
fn scenario_piece() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        Just("+++\n".to_owned()),
        Just("title = \"t\"\n".to_owned()),
        Just("spec = [\"RFC 6120 §4\"]\n".to_owned()),
        Just("level = \"SHOULD\"\n".to_owned()),
        Just("peer = \"client\"\n".to_owned()),
        Just("needs = [\"tls\", \"mechanism:PLAIN\"]\n".to_owned()),
        Just("C: ".to_owned()),
        Just("S: ".to_owned()),
        Just("or: ".to_owned()),
        Just("\n".to_owned()),
        Just("\n   ".to_owned()),
        Just("<stream:stream to='{domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>".to_owned()),
        Just("<message><body>{$b}</body></message>".to_owned()),
        Just("<a x='{absent}'>{*}</a>".to_owned()),
        Just("<a>…</a>".to_owned()),
        Just("</stream:stream>".to_owned()),
        Just("{digest-md5-response($c1)}".to_owned()),
        Just("{hex:EB 80}".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("<".to_owned()),
        Just("restart\n".to_owned()),
        Just("starttls\n".to_owned()),
        Just("sasl DIGEST-MD5 challenge=cmVhbG09Ing=\n".to_owned()),
        Just("silence 1ms\n".to_owned()),
        Just("expect-close\n".to_owned()),
        Just("login\n".to_owned()),
        Just("connection second\n".to_owned()),
        Just("include _include/starttls.xmpp\n".to_owned()),
        Just("# comment\n".to_owned()),
        "\\PC{0,8}",
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Any text, and any sequence of scenario pieces after valid front
    /// matter, gives a scenario or an error that renders: never a panic
    /// (the fuzz target `scenario_file` checks the same at length).
    #[test]
    fn arbitrary_text_gives_a_scenario_or_an_error(
        text in "\\PC*",
        pieces in proptest::collection::vec(scenario_piece(), 0..24),
    ) {
        let path = Path::new("scenarios/server/t.xmpp");
        for text in [text, format!("{HEAD}{}", pieces.concat())] {
            if let Err(e) = parse_str(&text, path, "t") {
                let _ = e.to_string();
            }
        }
    }
}

#[test]
fn an_include_of_a_device_or_a_huge_file_is_refused() {
    let dir = std::env::temp_dir().join(format!("xc-include-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let big = dir.join("big.xmpp");
    let _ = std::fs::write(&big, vec![b'#'; 5 * 1024 * 1024]);
    for (target, why) in [
        ("/dev/zero", "not a regular file"),
        ("big.xmpp", "larger than 4 MiB"),
    ] {
        let text = format!("+++\ntitle = \"t\"\nspec = [\"x\"]\n+++\ninclude {target}\n");
        let e = crate::scenario::parse_str(&text, &dir.join("s.xmpp"), "s").err();
        let shown = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(shown.contains(why), "{target}: {shown}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
