//! Scenarios that define the same account never run at the same time.
//!
//! A scansion script names its accounts itself (`[Client]` blocks, kept
//! as `Meta::own_accounts`), and scripts routinely share them
//! (`user@localhost` in every one of Prosody's). Two of them at once on
//! one server would see each other: presence broadcast to the other's
//! resources, a roster push, a message to the bare JID delivered to the
//! wrong session. So, whatever `--jobs` says, a scenario whose own
//! accounts share a bare JID with an earlier scenario's waits until that
//! one has finished, and the server sees each account's scenarios in the
//! same order as with `--jobs 1`: what one leaves behind (a roster
//! entry, in-memory storage) is what the next one finds either way.
//! Scenarios without accounts of their own are not held back.

use std::collections::HashSet;

use tokio::sync::watch;

use crate::scenario::Scenario;

/// Who waits for whom, decided once from the scenarios' accounts.
pub(super) struct Order {
    /// Each scenario's accounts, as lower-cased bare JIDs.
    keys: Vec<HashSet<String>>,
    /// Each scenario's "finished" signal, to hand out to later ones.
    signals: Vec<watch::Receiver<bool>>,
    senders: Vec<Option<watch::Sender<bool>>>,
}

/// A scenario's promise to say it has finished (also when dropped, so a
/// panicking scenario does not hold the others forever).
pub(super) struct Done(watch::Sender<bool>);

impl Done {
    pub fn finish(self) {
        let _ = self.0.send(true);
    }
}

impl Order {
    pub fn new(scenarios: &[Scenario]) -> Order {
        let keys: Vec<HashSet<String>> = scenarios
            .iter()
            .map(|s| {
                s.meta
                    .own_accounts
                    .iter()
                    .map(|a| a.jid().to_lowercase())
                    .collect()
            })
            .collect();
        let (senders, signals) = keys
            .iter()
            .map(|_| {
                let (tx, rx) = watch::channel(false);
                (Some(tx), rx)
            })
            .unzip();
        Order {
            keys,
            signals,
            senders,
        }
    }

    /// For scenario `index`: the signals of the earlier scenarios it
    /// shares an account with, and its own signal to give.
    pub fn turn(&mut self, index: usize) -> (Vec<watch::Receiver<bool>>, Done) {
        let mine = &self.keys[index];
        let after = (0..index)
            .filter(|&j| !mine.is_disjoint(&self.keys[j]))
            .map(|j| self.signals[j].clone())
            .collect();
        let (fallback, _) = watch::channel(false);
        let tx = self.senders[index].take().unwrap_or(fallback);
        (after, Done(tx))
    }
}

/// Wait until each of `after` has finished (or gone: a task that ended
/// without saying so releases its followers too).
pub(super) async fn wait(after: Vec<watch::Receiver<bool>>) {
    for mut rx in after {
        let _ = rx.wait_for(|done| *done).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_str;

    fn scenario(id: &str, jids: &[&str]) -> Scenario {
        let mut front = String::from("+++\ntitle = \"t\"\nspec = [\"x\"]\n");
        for (i, jid) in jids.iter().enumerate() {
            front.push_str(&format!(
                "[own-accounts.a{i}]\njid = \"{jid}\"\npassword = \"p\"\n"
            ));
        }
        front.push_str("+++\nC: <presence/>\n");
        parse_str(&front, std::path::Path::new("t.xmpp"), id).unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn shared_accounts_wait_in_order_and_others_do_not() {
        let scenarios = vec![
            scenario("a", &["romeo@localhost"]),
            scenario("b", &["juliet@localhost"]),
            scenario("c", &["Romeo@localhost/phone", "nurse@localhost"]),
            scenario("d", &[]),
        ];
        let mut order = Order::new(&scenarios);
        let turns: Vec<_> = (0..4).map(|i| order.turn(i)).collect();
        let waits: Vec<usize> = turns.iter().map(|(after, _)| after.len()).collect();
        assert_eq!(waits, [0, 0, 1, 0], "only c waits, for a (same bare JID)");
        let mut turns = turns.into_iter();
        let (_, a_done) = turns.next().unwrap_or_else(|| panic!("a"));
        let (_, _b) = turns.next().unwrap_or_else(|| panic!("b"));
        let (c_after, _c) = turns.next().unwrap_or_else(|| panic!("c"));
        let waiting = tokio::spawn(wait(c_after));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "c must wait while a runs");
        a_done.finish();
        tokio::time::timeout(std::time::Duration::from_secs(1), waiting)
            .await
            .unwrap_or_else(|_| panic!("c still waits after a finished"))
            .unwrap_or_else(|e| panic!("{e}"));
    }

    #[tokio::test]
    async fn a_dropped_signal_releases_its_followers() {
        let scenarios = vec![
            scenario("a", &["romeo@localhost"]),
            scenario("b", &["romeo@localhost"]),
        ];
        let mut order = Order::new(&scenarios);
        let (_, a_done) = order.turn(0);
        let (b_after, _) = order.turn(1);
        drop(a_done);
        tokio::time::timeout(std::time::Duration::from_secs(1), wait(b_after))
            .await
            .unwrap_or_else(|_| panic!("b waits for a scenario that is gone"));
    }
}
