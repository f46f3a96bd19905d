//! The order scenarios start in when several run at once.
//!
//! With `--jobs N`, a run lasts at least as long as its slowest scenario,
//! and longer when that one starts last: a scenario that must sit out a
//! server's timer (a BOSH `inactivity`, a `silence`) started after all the
//! quick ones adds its whole pause to the run. Starting the longest waits
//! first (longest-processing-time scheduling) lets the quick scenarios
//! fill the other slots meanwhile. Only the start order changes: verdicts
//! are still reported in file order, and scenarios sharing an account
//! still wait for each other (`isolation`).

use std::time::Duration;

use crate::scenario::{Action, Scenario};

/// What a `silence` whose length comes from the peer (`silence
/// {$inactivity}s 1s`) is taken to cost when ordering: such values are a
/// server's timers, seconds long.
const PEER_TIMED_PAUSE: Duration = Duration::from_secs(2);

/// The indices of `scenarios`, those with the longest known pauses first,
/// file order among equals.
pub(super) fn start_order(scenarios: &[Scenario]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scenarios.len()).collect();
    // A stable sort keeps file order among scenarios that pause alike.
    order.sort_by_key(|&i| std::cmp::Reverse(known_pauses(&scenarios[i])));
    order
}

/// The time a scenario is bound to spend waiting on purpose, whatever the
/// peer does.
fn known_pauses(scenario: &Scenario) -> Duration {
    scenario
        .steps
        .iter()
        .map(|step| match &step.action {
            Action::Silence(d) => *d,
            Action::SilenceFor(_) => PEER_TIMED_PAUSE,
            _ => Duration::ZERO,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_str;

    fn scenario(id: &str, body: &str) -> Scenario {
        let text = format!("+++\ntitle = \"t\"\nspec = [\"RFC 6120 §4.1\"]\n+++\n{body}");
        parse_str(&text, std::path::Path::new("test.xmpp"), id).expect("a valid scenario")
    }

    #[test]
    fn longest_pauses_start_first_and_equals_keep_file_order() {
        let quick = "C: <presence/>\n";
        let scenarios = vec![
            scenario("a", quick),
            scenario("b", "silence 100ms\n"),
            scenario("c", quick),
            scenario("d", "silence 1s\nsilence 500ms\n"),
            scenario("e", "S: <message id='{$n}'/>\nsilence {$n}s 1s\n"),
        ];
        assert_eq!(start_order(&scenarios), vec![4, 3, 1, 0, 2]);
    }
}
