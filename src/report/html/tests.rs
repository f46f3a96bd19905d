use std::time::{Duration, SystemTime};

use crate::engine::transcript::{Direction, Transcript};
use crate::engine::{Failure, FailureKind, Status, Verdict};
use crate::scenario::Level;

use super::{RunInfo, build};

fn verdict(id: &str, status: Status, failure: Option<Failure>) -> Verdict {
    let mut transcript = Transcript::default();
    transcript.record(Direction::Note, "connected: tcp 127.0.0.1:5222");
    transcript.record(Direction::Sent, "<stream:stream to='localhost'>");
    transcript.record(
        Direction::Received,
        "<stream:stream from='localhost' id='<x>'>",
    );
    transcript.record(Direction::Note, "TLS established: TLSv1_3");
    Verdict {
        id: id.to_string(),
        title: "A title with <markup> & quotes \"\"".to_string(),
        spec: vec!["RFC 6120 §4.9.3.13".to_string(), "XEP-0178 §4".to_string()],
        level: Level::Must,
        path: format!("scenarios/server/{id}.xmpp"),
        peer_is_server: true,
        status,
        failure,
        transcript,
        duration: Duration::from_millis(3),
    }
}

fn run() -> RunInfo<'static> {
    RunInfo {
        target: "127.0.0.1:5222",
        domain: "localhost",
        options: vec!["--tls starttls".to_string()],
        started: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        wall_time: Duration::from_millis(1234),
        strict: false,
        baseline_differences: None,
    }
}

fn page() -> String {
    let failure = Failure {
        diff: Some("--- expected\n+++ received\n-<a/>\n+<b/>\n".to_string()),
        ..Failure::new(FailureKind::Mismatch, "expected <a>, received <b>")
    };
    build(
        &[
            verdict("rfc6120/stream/basic-session", Status::Pass, None),
            verdict("rfc6120/stream/bad-xml", Status::Fail, Some(failure)),
        ],
        &run(),
    )
}

#[test]
fn the_page_counts_links_and_escapes() {
    let page = page();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("data-count=\"pass\">1<"), "pass count");
    assert!(page.contains("data-count=\"fail\">1<"), "fail count");
    assert!(
        page.contains("href=\"https://datatracker.ietf.org/doc/html/rfc6120#section-4.9.3.13\"")
    );
    assert!(page.contains("href=\"https://xmpp.org/extensions/xep-0178.html\""));
    assert!(page.contains("A title with &lt;markup&gt; &amp; quotes &quot;&quot;"));
    assert!(!page.contains("<markup>"));
    assert!(
        page.contains("id=&#39;&lt;x&gt;&#39;"),
        "transcript text escaped"
    );
    assert!(
        page.contains("<span class=\"del\">-&lt;a/&gt;</span>"),
        "diff lines marked"
    );
    assert!(page.contains("<span class=\"kind\">mismatch</span>"));
    assert!(page.contains("2027-01-15T08:00:00Z"), "the run's date");
    assert!(
        page.contains("<dt>transport</dt><dd>TCP</dd>"),
        "the transport"
    );
}

#[test]
fn the_conversation_has_two_columns_and_marks() {
    let page = page();
    assert!(page.contains("<td class=\"client\"><pre>&lt;stream:stream to="));
    assert!(page.contains("<td></td><td class=\"server\"><pre>&lt;stream:stream from="));
    assert!(page.contains("class=\"note tls\""));
}

#[test]
fn nothing_is_fetched_from_elsewhere() {
    let page = page();
    for needle in [
        "src=",
        "<link",
        "@import",
        "url(",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!page.contains(needle), "`{needle}` in the page");
    }
    // Every external URL is a link's target.
    for (i, _) in page.match_indices("https://") {
        let before = &page[..i];
        assert!(before.ends_with("href=\""), "a non-link URL at {i}");
    }
}
