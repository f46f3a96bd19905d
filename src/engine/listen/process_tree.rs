//! Stopping everything a `--exec` client started, not only its process
//! group.
//!
//! A client is started in a process group of its own, but programs leave
//! groups on their own: `timeout` puts itself in a new group, `setsid` and
//! `script` in a new session, a daemon forks and lets its parent exit (its
//! child is then reparented to init, out of any parent chain). One such
//! process left running spun at 100% CPU after a run. So a stop finds
//! the client's processes two ways, on Linux's `/proc`:
//!
//! - by parent: every process whose parent chain leads to the client;
//! - by mark: every process whose environment carries the client's
//!   [`MARK_VAR`] value, set when it was started and inherited by what it
//!   starts (reparented or not), unless a program clears its environment.
//!
//! Found processes are frozen with SIGSTOP first, so that none can fork
//! while the search repeats, until a search finds nothing new (bounded by
//! [`MAX_ROUNDS`]); then all get SIGKILL. Frozen processes cannot exit, so
//! their pids cannot be reused by an unrelated process before the kill.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use rustix::process::{Pid, Signal, kill_process, kill_process_group};

/// The environment variable that marks a client's processes.
pub(super) const MARK_VAR: &str = "XMPP_CONFORM_CLIENT";

/// Searches for new processes before killing what was found: each round
/// freezes what it finds, so only a process forked between a round's scan
/// and its SIGSTOP can be missed by the next one.
const MAX_ROUNDS: usize = 16;

/// Most of a process's environment read to look for the mark.
const ENVIRON_LIMIT: u64 = 1024 * 1024;

/// A mark value unique to one client of this harness process.
pub(super) fn new_mark() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// SIGKILL to `root` (if still running) and to every process descended
/// from it or carrying `mark`. Returns how many processes got the signal.
pub(super) fn kill_tree(root: Option<u32>, mark: &str) -> usize {
    let needle = format!("{MARK_VAR}={mark}");
    let mut found: BTreeSet<u32> = BTreeSet::new();
    for _ in 0..MAX_ROUNDS {
        let now = members(Path::new("/proc"), root, needle.as_bytes());
        let new: Vec<u32> = now.difference(&found).copied().collect();
        if new.is_empty() {
            break;
        }
        for &pid in &new {
            signal(pid, Signal::STOP);
        }
        found.extend(new);
    }
    found
        .iter()
        .filter(|&&pid| signal(pid, Signal::KILL))
        .count()
}

/// SIGKILL to the process group the client was started in: what a
/// system without `/proc` still gets, and a last net on Linux.
pub(super) fn kill_group(leader: u32) {
    if leader <= 1 || leader == std::process::id() {
        return;
    }
    if let Some(pid) = i32::try_from(leader).ok().and_then(Pid::from_raw) {
        let _ = kill_process_group(pid, Signal::KILL);
    }
}

/// Send `sig` to `pid`, never to init or to this process. Whether it was
/// delivered (a process that is gone already is not an error here).
fn signal(pid: u32, sig: Signal) -> bool {
    if pid <= 1 || pid == std::process::id() {
        return false;
    }
    i32::try_from(pid)
        .ok()
        .and_then(Pid::from_raw)
        .is_some_and(|p| kill_process(p, sig).is_ok())
}

/// The processes under `proc` (a `/proc`) that are `root`, descend from
/// it, or have `needle` (`VAR=value`) in their environment.
fn members(proc: &Path, root: Option<u32>, needle: &[u8]) -> BTreeSet<u32> {
    let Ok(entries) = std::fs::read_dir(proc) else {
        return BTreeSet::new();
    };
    let mut parent_of: HashMap<u32, u32> = HashMap::new();
    let mut out = BTreeSet::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(ppid) = parent(&entry.path()) {
            parent_of.insert(pid, ppid);
        }
        if Some(pid) == root || marked(&entry.path(), needle) {
            out.insert(pid);
        }
    }
    if let Some(root) = root {
        for &pid in parent_of.keys() {
            if descends(pid, root, &parent_of) {
                out.insert(pid);
            }
        }
    }
    out.remove(&std::process::id());
    out
}

/// Whether `pid`'s parent chain reaches `root` (bounded: a chain longer
/// than the table is a cycle from pids read at different moments).
fn descends(mut pid: u32, root: u32, parent_of: &HashMap<u32, u32>) -> bool {
    for _ in 0..parent_of.len() {
        match parent_of.get(&pid) {
            Some(&ppid) if ppid == root => return true,
            Some(&ppid) if ppid > 1 => pid = ppid,
            _ => return false,
        }
    }
    false
}

/// The parent pid in `dir/stat`: the fourth field, counted after the
/// command name's closing parenthesis (the name may hold spaces and `)`).
fn parent(dir: &Path) -> Option<u32> {
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Whether `dir/environ` (NUL-separated `VAR=value`s) holds `needle`.
/// Processes of other users cannot be read, and are not ours to stop.
fn marked(dir: &Path, needle: &[u8]) -> bool {
    let Ok(file) = std::fs::File::open(dir.join("environ")) else {
        return false;
    };
    let mut environ = Vec::new();
    if file.take(ENVIRON_LIMIT).read_to_end(&mut environ).is_err() {
        return false;
    }
    environ.split(|&b| b == 0).any(|var| var == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake `/proc`: `(pid, ppid, environment)` per process.
    fn fake_proc(processes: &[(u32, u32, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (pid, ppid, env) in processes {
            let p = dir.path().join(pid.to_string());
            std::fs::create_dir(&p).unwrap_or_else(|e| panic!("{e}"));
            let stat = format!("{pid} (a (tricky) name) S {ppid} {pid} {pid} 0 -1");
            std::fs::write(p.join("stat"), stat).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(p.join("environ"), env.replace(' ', "\0"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::create_dir(dir.path().join("self")).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn members_are_found_by_parent_chain_and_by_mark() {
        let proc = fake_proc(&[
            (1, 0, "PATH=/bin"),
            (100, 1, "PATH=/bin"),
            // The client, its child in a new group, a grandchild.
            (200, 100, "XMPP_CONFORM_CLIENT=7-0"),
            (201, 200, "XMPP_CONFORM_CLIENT=7-0"),
            (202, 201, "PATH=/bin"),
            // Reparented to init after its parent exited: found by mark.
            (300, 1, "A=b XMPP_CONFORM_CLIENT=7-0"),
            // Another client's, and a stranger.
            (400, 1, "XMPP_CONFORM_CLIENT=7-1"),
            (500, 100, "XMPP_CONFORM_CLIENT=7-00"),
        ]);
        let found = members(proc.path(), Some(200), b"XMPP_CONFORM_CLIENT=7-0");
        assert_eq!(found, BTreeSet::from([200, 201, 202, 300]));
        // After the client itself exited, the mark still finds the rest.
        let found = members(proc.path(), None, b"XMPP_CONFORM_CLIENT=7-0");
        assert_eq!(found, BTreeSet::from([200, 201, 300]));
    }

    #[test]
    fn a_parent_cycle_ends() {
        let parent_of = HashMap::from([(5, 6), (6, 5)]);
        assert!(!descends(5, 9, &parent_of));
    }
}
