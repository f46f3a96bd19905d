//! One test per construct of the scansion format (docs/scansion.md).

use std::path::Path;

use crate::bindings::Bindings;
use crate::matching::{self, Mode};
use crate::scenario::{Action, Expectation, Scenario};
use crate::xml::{NS_CLIENT, NamespaceScope, parse_element};

use super::{parse_str, to_xmpp};

const CLIENTS: &str = "[Client] Romeo\n\tjid: romeo@localhost\n\tpassword: pw\n\n\
[Client] Juliet's phone\n\tjid: juliet@localhost\n\tpassword: pw\n\tresource: phone\n\n-----\n\n";

fn script(body: &str) -> Scenario {
    parse_str(&format!("{CLIENTS}{body}"), Path::new("t.scs"), "t")
        .unwrap_or_else(|e| panic!("{e}"))
}

fn error(text: &str) -> String {
    match parse_str(text, Path::new("t.scs"), "t") {
        Ok(s) => panic!("parsed: {:?}", s.steps),
        Err(e) => e.to_string(),
    }
}

fn kinds(s: &Scenario) -> Vec<String> {
    s.steps
        .iter()
        .map(|st| match &st.action {
            Action::Connection { name, account } => format!("connection {name} {account:?}"),
            Action::Login { .. } => "login".into(),
            Action::Send(t) => format!("send {}", t.shown(&Bindings::new())),
            Action::Expect(_) => "expect".into(),
            Action::Silence(d) => format!("silence {d:?}"),
            Action::ExpectClose { .. } => "expect-close".into(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn title_description_and_tags() {
    let s = parse_str(
        "# Title here\n# first line\n# second line\n## slow\n## status: stable\n\n[Client] A\n\tjid: a@localhost\n\n-----\nA connects\n",
        Path::new("x/t.scs"),
        "t",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.meta.title, "Title here");
    assert_eq!(
        s.meta.description.as_deref(),
        Some("first line\nsecond line")
    );
    assert_eq!(s.meta.tags, ["slow", "status: stable"]);
    assert_eq!(s.meta.matching, Mode::Scansion);
    assert_eq!(s.meta.ignore, ["presence"]);
}

#[test]
fn untitled_script_is_named_by_its_file() {
    let s = parse_str(
        "[Client] A\n\tjid: a@localhost\nA connects\n",
        Path::new("d/basic.scs"),
        "t",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.meta.title, "scansion script basic");
}

#[test]
fn client_blocks_become_own_accounts() {
    let s = parse_str(
        "[Client] Juliet's phone\n\tjid: juliet@localhost/x\n\tpassword: pw\n\tresource: phone\n\tconnect_host: 127.0.0.1\n\tconnect_port: 5333\n\n[Client] Romeo\n\tjid: romeo@localhost/orchard\n-----\nRomeo connects\n",
        Path::new("t.scs"),
        "t",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let a = &s.meta.own_accounts;
    assert_eq!(a[0].name, "juliet-s-phone");
    assert_eq!(a[0].jid(), "juliet@localhost");
    assert_eq!(
        a[0].resource.as_deref(),
        Some("phone"),
        "`resource` wins over the JID's"
    );
    assert_eq!(a[0].connect_host.as_deref(), Some("127.0.0.1"));
    assert_eq!(a[0].connect_port, Some(5333));
    assert_eq!(
        a[1].resource.as_deref(),
        Some("orchard"),
        "a full JID's resource"
    );
    assert_eq!(
        a[1].password.expose(),
        "",
        "no password: empty, as scansion"
    );
}

#[test]
fn connects_and_disconnects() {
    let s = script("Romeo connects\nRomeo disconnects\nRomeo connects\n");
    assert_eq!(
        kinds(&s),
        [
            "connection romeo None",
            "login",
            "send </stream:stream>",
            "expect-close",
            "connection romeo-2 Some(\"romeo\")",
            "login"
        ]
    );
}

#[test]
fn sends_with_variables_and_literal_braces() {
    let s = script(
        "Romeo connects\nJuliet's phone connects\nRomeo sends:\n\t<message to=\"${Juliet's phone's full JID}\">\n\t\t<body>{x} ${Romeo's JID}</body>\n\t</message>\n",
    );
    let mut b = Bindings::new();
    b.set_capture("juliet-s-phone.jid", "juliet@localhost/phone");
    for a in &s.meta.own_accounts {
        b.set_account(a);
    }
    let sent = s.steps.iter().find_map(|st| match &st.action {
        Action::Send(t) => t.render(&b).ok(),
        _ => None,
    });
    assert_eq!(
        sent.map(|v| String::from_utf8_lossy(&v).into_owned())
            .as_deref(),
        Some(
            "<message to=\"juliet@localhost/phone\">\n   \t<body>{x} romeo@localhost</body>\n   </message>"
        )
    );
}

fn expectations(s: &Scenario) -> Vec<&matching::ElementPattern> {
    s.steps
        .iter()
        .filter_map(|st| match &st.action {
            Action::Expect(alts) => match &alts[0].expectation {
                Expectation::Element(p) => Some(p),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn received(xml: &str) -> crate::xml::Element {
    let scope: NamespaceScope = vec![(None, NS_CLIENT.into())];
    parse_element(xml.as_bytes(), &scope).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn receives_several_stanzas_and_nothing() {
    let s = script(
        "Romeo connects\nRomeo receives:\n\t<iq type='result' id='a'/>\n\n\t<iq type='set' id='b'/>\nRomeo receives: nothing\n",
    );
    assert_eq!(
        expectations(&s).len(),
        2,
        "a blank line does not end the block"
    );
    assert!(kinds(&s).contains(&"silence 500ms".to_owned()));
}

#[test]
fn any_and_capture() {
    let s = script(
        "Romeo connects\nRomeo receives:\n\t<iq id='{scansion:any}' ver='{scansion:capture:v}'/>\nRomeo receives:\n\t<iq ver='{scansion:capture:v}'/>\n",
    );
    let p = expectations(&s);
    let mut b = Bindings::new();
    let found = matching::match_element(p[0], &received("<iq id='x' ver='7'/>"), &b);
    let found = found.unwrap_or_else(|m| panic!("{m}"));
    found.commit(&mut b);
    assert_eq!(b.capture("v"), Some("7"));
    assert!(matching::match_element(p[1], &received("<iq ver='7'/>"), &b).is_ok());
    assert!(matching::match_element(p[1], &received("<iq ver='8'/>"), &b).is_err());
    assert!(
        matching::match_element(p[0], &received("<iq ver='7'/>"), &b).is_err(),
        "any still needs the attribute"
    );
}

#[test]
fn default_namespace_is_non_strict_own_namespace_strict() {
    let s = script(
        "Romeo connects\nRomeo receives:\n\t<iq type='result'>\n\t\t<query xmlns='urn:q'><item a='1'/></query>\n\t\t<x xmlns='urn:x' scansion:strict='false'><y/></x>\n\t</iq>\n",
    );
    let p = expectations(&s)[0];
    let b = Bindings::new();
    let ok = "<iq type='result' id='extra'><x xmlns='urn:x' more='1'><z/><y extra='2'/></x><query xmlns='urn:q'><item a='1'/></query><other/></iq>";
    assert!(
        matching::match_element(p, &received(ok), &b).is_ok(),
        "non-strict iq: extra attributes, children, any order"
    );
    let extra_attr = "<iq type='result'><query xmlns='urn:q'><item a='1' b='2'/></query><x xmlns='urn:x'><y/></x></iq>";
    let m = matching::match_element(p, &received(extra_attr), &b).err();
    assert!(
        m.is_some_and(|m| m.reason.contains("unexpected attribute `b`")),
        "strict query: its item inherits strictness"
    );
    let extra_child = "<iq type='result'><query xmlns='urn:q'><item a='1'/><item a='2'/></query><x xmlns='urn:x'><y/></x></iq>";
    assert!(matching::match_element(p, &received(extra_child), &b).is_err());
    let text = "<iq type='result'><query xmlns='urn:q'><item a='1'>t</item></query><x xmlns='urn:x'><y/></x></iq>";
    assert!(
        matching::match_element(p, &received(text), &b).is_err(),
        "strict: no text where the script has none"
    );
}

#[test]
fn strict_true_on_a_default_namespace_element() {
    let s = script(
        "Romeo connects\nRomeo receives:\n\t<message scansion:strict='true' type='chat'/>\n",
    );
    let p = expectations(&s)[0];
    let b = Bindings::new();
    assert!(matching::match_element(p, &received("<message type='chat'/>"), &b).is_ok());
    assert!(matching::match_element(p, &received("<message type='chat' id='1'/>"), &b).is_err());
}

#[test]
fn comments_and_separator() {
    let s = script("# a comment\n// another\n-- and another\nRomeo connects\n");
    assert_eq!(kinds(&s), ["connection romeo None", "login"]);
}

#[test]
fn errors_point_at_the_line_with_a_caret() {
    let e = error("[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo conects\n");
    assert!(
        e.contains("t.scs:4:1")
            && e.contains("4 | Romeo conects")
            && e.contains("did you mean `connects`?"),
        "{e}"
    );
    let e = error("[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomoe connects\n");
    assert!(
        e.contains("no client is called `Romoe`") && e.contains("did you mean `Romeo`?"),
        "{e}"
    );
    let e = error("[Client] Romeo\n\tjdi: romeo@localhost\n");
    assert!(
        e.contains("unknown client property `jdi`") && e.contains("t.scs:2:2"),
        "{e}"
    );
    let e = error(
        "[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo connects\nRomeo sends:\n\t<a x='${Juliet's JID}'/>\n",
    );
    assert!(
        e.contains("t.scs:6:8") && e.contains("no client is called `Juliet`"),
        "{e}"
    );
    let e = error(
        "[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo connects\nRomeo receives:\n\t<a>\n\t</b>\n",
    );
    assert!(
        e.contains("not well-formed") && e.contains("t.scs:7:"),
        "{e}"
    );
    let e = error("[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo sends:\n\t<a/>\n");
    assert!(e.contains("not connected"), "{e}");
    let e = error(
        "[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo connects\nRomeo sends:\n\t<a id='{scansion:any}'/>\n",
    );
    assert!(e.contains("only be used in what a client receives"), "{e}");
    let e = error(
        "[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo connects\nRomeo receives:\n\t<a scansion:strict='maybe'/>\n",
    );
    assert!(e.contains("'true' or 'false'"), "{e}");
    let e = error("[Component] Nurse\n\tjid: n@localhost\n");
    assert!(e.contains("unknown class `[Component]`"), "{e}");
}

#[test]
fn convert_gives_an_xmpp_scenario_with_the_same_steps() {
    let text = format!(
        "# T\n{CLIENTS}Romeo connects\nJuliet's phone connects\nRomeo sends:\n\t<message to=\"${{Juliet's phone's full JID}}\"><body>{{hi}}</body></message>\nJuliet's phone receives:\n\t<message from=\"${{Romeo's full JID}}\" id=\"{{scansion:any}}\"/>\nRomeo receives: nothing\nRomeo disconnects\n"
    );
    let xmpp = to_xmpp(&text, Path::new("t.scs")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        xmpp.contains("matching = \"scansion\"") && xmpp.contains("[own-accounts.juliet-s-phone]"),
        "{xmpp}"
    );
    let converted = crate::scenario::parse_str(&xmpp, Path::new("t.xmpp"), "t")
        .unwrap_or_else(|e| panic!("{e}\n{xmpp}"));
    let original = parse_str(&text, Path::new("t.scs"), "t").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kinds(&converted), kinds(&original));
    let sorted = |s: &Scenario| {
        let mut a = s.meta.own_accounts.clone();
        a.sort_by(|x, y| x.name.cmp(&y.name));
        a
    };
    assert_eq!(sorted(&converted), sorted(&original));
    assert_eq!(
        expectations(&converted)[0].source(),
        expectations(&original)[0].source()
    );
}
