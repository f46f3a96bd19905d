//! A small, strictly conforming XMPP server: the suite's known-good
//! baseline, not a product.
//!
//! Why it exists: a scenario is only trustworthy if a server that follows
//! the RFCs passes it, and the real servers the tests use (Prosody,
//! ejabberd) each break a rule or two. This one is built to pass every
//! built-in server scenario (`xmpp-conform demo` shows it), and to fail
//! them in known ways when told to break a rule on purpose ([`Faults`]),
//! which shows that each scenario tests what it claims to.
//!
//! What it does, in RFC 6120's order: stream headers checked (`to`,
//! version, namespaces), STARTTLS offered but not required (a generated
//! rcgen certificate), SASL PLAIN (over TLS only), DIGEST-MD5 and
//! SCRAM-SHA-1/256 against in-memory accounts, EXTERNAL (XEP-0178) for a
//! client that presented a certificate the server's CA issued for one of
//! them (`certificate`), resource binding (the
//! server's choice or the client's, a taken resource taken over), then
//! message, presence and iq routing among its own clients, rosters and
//! presence subscriptions in memory (RFC 6121 §2, §3: `roster`,
//! `roster_iq`, `subscription`, `presence`), and ping, version and disco
//! answered by the server. No offline storage, no server-to-server.
//!
//! It reuses the crate's parts, so that what the suite trusts and what it
//! tests with are the same code: the streaming parser ([`crate::xml`]),
//! TLS ([`crate::transport`]), and the server side of SASL
//! ([`crate::sasl::server`]).
//!
//! Robustness: a client can make it do nothing unbounded. Every read has
//! the idle timeout, every write and TLS handshake their own, stanzas the
//! parser's size limit, per-session queues a length, the server a
//! connection cap; nothing a client sends can make it panic (a test throws
//! random bytes at it).
//!
//! The modules, in the order a connection meets them: `server` (listener,
//! accept loop, handle), `session` (one connection's state machine),
//! `negotiate` (its TLS, SASL and binding steps), `link` (bytes in and
//! out, bounded), `stream` (headers, features, stream
//! errors), `sasl` (with `certificate`: the account a client certificate
//! names), `bind`, `stanza` (stamping and routing), `iq` (what the
//! server answers itself), `router` (who is connected), `jid`, `config`,
//! `error`.

mod bind;
mod bosh_listener;
mod certificate;
mod config;
mod error;
mod iq;
mod jid;
mod link;
mod negotiate;
mod presence;
mod reply;
mod roster;
mod roster_iq;
mod roster_push;
mod router;
mod sasl;
mod server;
mod session;
mod stanza;
mod stream;
mod subscription;

use std::sync::Arc;

pub use config::{BOSH_PATH, BoshTimings, Config, Faults, Limits, Rule, WEBSOCKET_PATH};
pub use error::{StanzaCondition, StartError, StreamCondition};
pub use jid::{Jid, JidError};
pub use server::{ReferenceServer, ServerHandle, Stats};

use crate::sasl::server::Accounts;

/// What every session of one server shares.
struct Shared {
    /// Lower-case.
    domain: String,
    accounts: Accounts,
    limits: Limits,
    faults: Faults,
    direct_tls: bool,
    tls: Arc<rustls::ServerConfig>,
    router: Arc<router::Router>,
    /// Every account's roster (RFC 6121 §2), shared with the router.
    rosters: Arc<roster::Rosters>,
    stats: Arc<server::Counters>,
}
