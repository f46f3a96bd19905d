//! Snapshot assertions: the normalized stream a peer sent, pinned in a
//! file and compared on every run.
//!
//! A pattern says what the protocol requires; a snapshot pins what this
//! particular implementation sent, so any change in its behaviour shows up
//! as a reviewable diff. The flow, per scenario run with `--snapshots DIR`:
//!
//! 1. the session logs what it received ([`Log`]);
//! 2. [`normalize`] prints it canonically (namespaces resolved, attributes
//!    sorted, indented, whitespace-only text dropped) with volatile values
//!    redacted ([`redact`]: stream ids, SASL data, server-made iq ids,
//!    timestamps, resources, plus the scenario's own `redact` paths);
//! 3. [`store`] compares it with `DIR/<id>.snap`, in insta's `.snap` format
//!    so people who know insta read it at once, and writes `.snap.new`
//!    beside it when it differs;
//! 4. `xmpp-conform snapshots review DIR` accepts or rejects the pending
//!    `.snap.new` files ([`review`]).

mod file;
mod log;
mod normalize;
pub mod redact;
pub mod review;
mod store;

pub use file::{SnapFile, parse as parse_snap, render as render_snap};
pub use log::{Item, Log};
pub use normalize::normalize;
pub use store::{Mode, Outcome, SnapshotConfig, check};
