//! JUnit XML: one testsuite per scenario folder, one testcase per scenario.
//!
//! Spec references, the requirement level and the verdict go in each
//! testcase's `<properties>` (why quick-junit: junit-report 0.9 cannot write
//! them). The transcript goes in `<system-out>`; a failure's message is its
//! one-line reason and its text the diff and location.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::engine::{Status, Verdict};

use super::suite_of;

/// Build the report. A SHOULD broken is a failure only when `strict`.
pub fn build(verdicts: &[Verdict], wall_time: Duration, strict: bool) -> Report {
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for v in verdicts {
        let suite_name = suite_of(&v.id);
        let suite = suites.entry(suite_name).or_insert_with(|| {
            let name = if suite_name.is_empty() {
                "scenarios"
            } else {
                suite_name
            };
            TestSuite::new(name)
        });
        suite.add_test_case(test_case(v, strict));
    }
    let mut report = Report::new("xmpp-conform");
    report.set_time(wall_time);
    report.add_test_suites(suites.into_values().map(|mut s| {
        let time = s.test_cases.iter().filter_map(|c| c.time).sum();
        s.set_time(time);
        s
    }));
    report
}

fn test_case(v: &Verdict, strict: bool) -> TestCase {
    let status = match v.status {
        Status::Pass => TestCaseStatus::success(),
        Status::NonStrict if !strict => TestCaseStatus::success(),
        Status::Fail | Status::NonStrict => non_success(NonSuccessKind::Failure, v),
        Status::Error => non_success(NonSuccessKind::Error, v),
        Status::Skip | Status::Unsupported => {
            let mut s = TestCaseStatus::skipped();
            if let Some(f) = &v.failure {
                s.set_message(format!("{}: {}", v.status.as_str(), f.message));
            }
            s
        }
    };
    let mut case = TestCase::new(v.id.clone(), status);
    case.set_classname(suite_of(&v.id).replace('/', "."));
    case.set_time(v.duration);
    case.add_property(Property::new("title", v.title.clone()));
    case.add_property(Property::new("level", level(v)));
    case.add_property(Property::new("verdict", v.status.as_str()));
    if let Some(f) = &v.failure {
        case.add_property(Property::new("failure-kind", f.kind.as_str()));
    }
    case.add_property(Property::new("file", v.path.clone()));
    for spec in &v.spec {
        case.add_property(Property::new("spec", spec.clone()));
    }
    case.set_system_out(v.transcript.render(v.peer_is_server));
    if let (Status::NonStrict, false, Some(f)) = (v.status, strict, &v.failure) {
        case.set_system_err(format!(
            "non-strict: a SHOULD is broken (fails only with --strict): {}\n{}",
            f.message,
            details(f)
        ));
    }
    case
}

fn non_success(kind: NonSuccessKind, v: &Verdict) -> TestCaseStatus {
    let mut s = TestCaseStatus::non_success(kind);
    s.set_type(level(v));
    if let Some(f) = &v.failure {
        s.set_message(f.message.clone());
        s.set_description(details(f));
    }
    s
}

fn level(v: &Verdict) -> &'static str {
    super::level_name(v.level)
}

/// Location, expected, received and diff as plain text.
fn details(f: &crate::engine::Failure) -> String {
    let mut out = String::new();
    if let Some(step) = &f.step {
        out.push_str(&format!("at {step}\n"));
    }
    if let Some(diff) = &f.diff {
        out.push_str("diff (- expected, + received):\n");
        out.push_str(diff);
    } else {
        if let Some(e) = &f.expected {
            out.push_str(&format!("expected:\n{e}\n"));
        }
        if let Some(r) = &f.received {
            out.push_str(&format!("received:\n{r}\n"));
        }
    }
    out
}

/// Serialize the report to a string.
/// The JUnit report of a live fuzz run: one passing testcase for the run
/// (cases and rate in its output) and one failing testcase per finding,
/// naming its reproducer scenario.
pub fn fuzz(report: &crate::engine::fuzz::FuzzReport, target: &str) -> Report {
    let mut suite = TestSuite::new("fuzz");
    let mut run = TestCase::new(format!("fuzz {target}"), TestCaseStatus::success());
    run.set_time(report.elapsed);
    run.set_system_out(format!(
        "{} cases in {:.1}s ({:.0} cases/s), {} findings",
        report.cases,
        report.elapsed.as_secs_f64(),
        report.cases_per_second(),
        report.findings.len()
    ));
    suite.add_test_case(run);
    for (i, finding) in report.findings.iter().enumerate() {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(finding.summary());
        if let Some(path) = &finding.scenario {
            status.set_description(format!(
                "reproduce with: xmpp-conform --target {target} --scenarios {}",
                path.display()
            ));
        }
        suite.add_test_case(TestCase::new(format!("finding-{}", i + 1), status));
    }
    let mut out = Report::new("xmpp-conform fuzz");
    out.set_time(report.elapsed);
    out.add_test_suite(suite);
    out
}

pub fn to_string(report: &Report) -> Result<String, quick_junit::SerializeError> {
    report.to_string()
}
