//! xmpp-conform: replay RFC-style XMPP transcripts against a live server
//! (or client) and say, with spec references, where it departs from the
//! protocol.
//!
//! The map, in the order data flows (see ARCHITECTURE.md):
//!
//! - [`scenario`]: scenario files become typed [`scenario::Scenario`]s.
//! - [`bindings`]: the values of `{domain}`-style variables and `{$captures}`.
//! - [`accounts`]: the named accounts a run logs in as (`--account`).
//! - [`engine`]: runs one scenario over a [`transport`], step by step; its
//!   preflight checks the run's set-up first, and failures are typed.
//! - [`transport`]: one XMPP stream to the peer behind the `Transport` trait,
//!   either role: TCP with TLS (STARTTLS or direct), an in-memory pipe for
//!   the tests; the engine and the reference server share it.
//! - [`xml`]: the streaming parser turning received bytes into events.
//! - [`matching`]: compares received elements with the scenario's patterns.
//! - [`lint`]: rules of RFC 6120 every received stanza is held to, in every
//!   scenario.
//! - [`sasl`]: SASL mechanisms as I/O-free state machines, client and server
//!   side.
//! - [`snapshot`]: the normalized received stream, pinned in insta-format
//!   `.snap` files and reviewed.
//! - [`report`]: console, JUnit and JSON output of the verdicts.
//! - [`reference`]: a small conforming XMPP server, the suite's known-good
//!   baseline (`xmpp-conform demo`, `serve`).
//! - [`cli`]: the command line; `main.rs` only calls it.
//! - [`corpus`]: fuzzing seeds made from the scenarios, and the fuzz targets' input formats.
//! - [`spec`]: the inventory of the RFCs' normative statements (`spec/*.toml`),
//!   what scenarios `cover`, and the coverage report.

pub mod accounts;
pub mod bindings;
pub mod cli;
pub mod corpus;
pub mod engine;
pub mod lint;
pub mod matching;
pub mod reference;
pub mod report;
pub mod sasl;
pub mod scenario;
pub mod snapshot;
pub mod spec;
pub(crate) mod suggest;
pub mod transport;
pub mod xml;
