//! Every SASL mechanism the harness knows, in one table: what the rest of
//! the crate needs to know about a mechanism besides its state machines.
//!
//! The order of [`MECHANISMS`] is the order of strength: `login` picks the
//! first one offered, and the harness's server side offers them in this
//! order. Adding a mechanism means writing its state machine(s) in a file
//! of their own and adding one entry here; the engine (`login`, `needs`,
//! the `sasl` step, client mode) and the reference server read the table
//! and name no mechanism themselves.
//!
//! Names compare exactly: RFC 4422 §3.1 makes them upper-case ASCII, and a
//! server advertising `plain` or ` PLAIN ` is a finding, not a match.

use super::server::{
    Accounts, AnonymousServer, DigestMd5Options, DigestMd5Server, FailureCondition, PlainServer,
    ProofIn, SaslFailure, ScramOptions, ScramServer, ServerMechanism, ServerOptions, quoted,
};
use super::{Anonymous, Credentials, DigestMd5, External, Mechanism, Plain, Scram, ScramHash};

/// One mechanism: its name, the facts about it that decide when it is
/// used, and how to build each side.
pub struct MechanismEntry {
    /// The IANA name, as in `<mechanism/>` and `<auth mechanism='…'/>`.
    pub name: &'static str,
    /// Where the mechanism's exchange (and a client's duty to check the
    /// server's proof) is written: what a failure of it cites.
    pub spec: &'static str,
    /// Chosen by `login` and offered by the harness's servers without being
    /// asked for by name. Not for ANONYMOUS, which authenticates nobody in
    /// particular, nor EXTERNAL, which needs a client certificate: a
    /// scenario about them says so.
    pub automatic: bool,
    /// Authenticates with the account's password, so a run without
    /// `--user`/`--password` cannot use it.
    pub needs_password: bool,
    /// Sends the password itself: used and offered only over TLS (RFC 6120
    /// §13.9.4: confidentiality before PLAIN).
    pub password_in_clear: bool,
    /// The server proves that it knows the password too (mutual
    /// authentication); `None` when the mechanism has no such proof.
    pub server_proof: Option<ServerProofEntry>,
    /// The client: `credentials` to authenticate with, `domain` the
    /// server's XMPP domain (DIGEST-MD5's digest-uri).
    pub client: BuildClient,
    /// The server side checking a client, if the harness has one.
    pub server: Option<BuildServer>,
}

/// Builds a mechanism's client: credentials, and the server's XMPP domain.
pub type BuildClient = fn(Credentials, &str) -> Box<dyn Mechanism>;

/// Builds a mechanism's server side for one exchange.
pub type BuildServer = fn(Accounts, &ServerOptions) -> Box<dyn ServerMechanism>;

/// A mechanism's proof that the server knows the password.
#[derive(Clone, Copy)]
pub struct ServerProofEntry {
    /// What verdicts call it, with where it is defined.
    pub name: &'static str,
    /// Where the harness's server sends it under these options (RFC 6120
    /// §6.4.6 allows a last challenge or the `<success/>` data).
    pub placed: fn(&ServerOptions) -> ProofIn,
}

/// Every mechanism, strongest first.
pub const MECHANISMS: [MechanismEntry; 6] = [
    MechanismEntry {
        name: "SCRAM-SHA-256",
        spec: "RFC 5802 §5.1, RFC 7677",
        automatic: true,
        needs_password: true,
        password_in_clear: false,
        server_proof: Some(SCRAM_SIGNATURE),
        client: |credentials, _| Box::new(Scram::sha256(credentials)),
        server: Some(|accounts, options| {
            Box::new(ScramServer::new(
                ScramHash::Sha256,
                accounts,
                options.scram.clone(),
            ))
        }),
    },
    MechanismEntry {
        name: "SCRAM-SHA-1",
        spec: "RFC 5802 §5.1",
        automatic: true,
        needs_password: true,
        password_in_clear: false,
        server_proof: Some(SCRAM_SIGNATURE),
        client: |credentials, _| Box::new(Scram::sha1(credentials)),
        server: Some(|accounts, options| {
            Box::new(ScramServer::new(
                ScramHash::Sha1,
                accounts,
                options.scram.clone(),
            ))
        }),
    },
    MechanismEntry {
        name: "DIGEST-MD5",
        spec: "RFC 2831 §2.1.2, §2.1.3",
        automatic: true,
        needs_password: true,
        password_in_clear: false,
        server_proof: Some(ServerProofEntry {
            name: "rspauth (RFC 2831 §2.1.3)",
            placed: |options| options.digest_md5.proof_in,
        }),
        client: |credentials, domain| Box::new(DigestMd5::new(credentials, domain)),
        server: Some(|accounts, options| {
            Box::new(DigestMd5Server::new(accounts, options.digest_md5.clone()))
        }),
    },
    MechanismEntry {
        name: "PLAIN",
        spec: "RFC 4616 §2",
        automatic: true,
        needs_password: true,
        password_in_clear: true,
        server_proof: None,
        client: |credentials, _| Box::new(Plain::new(credentials)),
        server: Some(|accounts, options| {
            if options.plain_any_password {
                Box::new(PlainServer::accepting_any_password(accounts))
            } else {
                Box::new(PlainServer::new(accounts))
            }
        }),
    },
    MechanismEntry {
        name: "ANONYMOUS",
        spec: "RFC 4505 §2",
        automatic: false,
        needs_password: false,
        password_in_clear: false,
        server_proof: None,
        // No trace token: nothing in a scenario run needs one.
        client: |_, _| Box::new(Anonymous::new(None)),
        server: Some(|_, _| Box::new(AnonymousServer::new())),
    },
    MechanismEntry {
        name: "EXTERNAL",
        spec: "RFC 4422 Appendix A",
        automatic: false,
        needs_password: false,
        password_in_clear: false,
        server_proof: None,
        // The certificate authenticates; the message is the authzid, if any.
        client: |credentials, _| Box::new(External::new(credentials.authzid.as_deref())),
        // The account comes from the TLS layer, which this constructor
        // cannot see: a server that has it builds `ExternalServer` itself
        // (the reference server, `reference/sasl.rs`).
        server: None,
    },
];

/// SCRAM's ServerSignature (`v=`), the same for every hash.
const SCRAM_SIGNATURE: ServerProofEntry = ServerProofEntry {
    name: "server signature (RFC 5802 §5.1)",
    placed: |options| options.scram.proof_in,
};

/// The names of [`MECHANISMS`], in order: what the scenario format and
/// `--mechanism` accept.
pub const SUPPORTED: [&str; MECHANISMS.len()] = {
    let mut names = [""; MECHANISMS.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = MECHANISMS[i].name;
        i += 1;
    }
    names
};

/// The entry for `name`, compared exactly.
pub fn find(name: &str) -> Option<&'static MechanismEntry> {
    MECHANISMS.iter().find(|m| m.name == name)
}

/// Whether using `name` takes the account's password. An unknown name
/// counts as needing it: the run cannot know better, and the step using it
/// reports the unknown mechanism anyway.
pub fn needs_password(name: &str) -> bool {
    find(name).is_none_or(|m| m.needs_password)
}

/// The mechanism to use among `offered`.
///
/// A `preferred` mechanism is an explicit demand (`--mechanism`, "log in
/// with DIGEST-MD5"): when the server does not offer it there is no
/// fallback — the answer is `None`, so the engine reports the missing
/// mechanism instead of quietly testing a different one. Without one, the
/// strongest offered [`MechanismEntry::automatic`] mechanism, and one that
/// sends the password in clear only if the stream is `confidential` (TLS).
pub fn select<S: AsRef<str>>(
    offered: &[S],
    preferred: Option<&str>,
    confidential: bool,
) -> Option<&'static MechanismEntry> {
    let is_offered = |m: &&MechanismEntry| offered.iter().any(|o| o.as_ref() == m.name);
    match preferred {
        Some(want) => find(want).filter(is_offered),
        None => MECHANISMS
            .iter()
            .filter(|m| m.automatic && (confidential || !m.password_in_clear))
            .find(is_offered),
    }
}

/// A client for mechanism `name`, or `None` if the harness has none.
/// `domain` is the server's XMPP domain.
pub fn client(name: &str, credentials: Credentials, domain: &str) -> Option<Box<dyn Mechanism>> {
    find(name).map(|m| (m.client)(credentials, domain))
}

/// The server side's defaults offer every automatic mechanism it has a
/// server for, strongest first. Implemented here, not beside
/// [`ServerOptions`], because the offer is a column of this table and the
/// table needs the options type: this way `options.rs` stays below the
/// catalogue.
impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            offered: MECHANISMS
                .iter()
                .filter(|m| m.automatic && m.server.is_some())
                .map(|m| m.name.to_owned())
                .collect(),
            digest_md5: DigestMd5Options::default(),
            scram: ScramOptions::default(),
            plain_any_password: false,
        }
    }
}

/// The server for the mechanism the client named in `<auth/>`, or the
/// `invalid-mechanism` failure to send (RFC 6120 §6.5.7) when it was not
/// offered or the harness has no server for it.
pub fn server_mechanism(
    name: &str,
    accounts: &Accounts,
    options: &ServerOptions,
) -> Result<Box<dyn ServerMechanism>, SaslFailure> {
    if !options.offered.iter().any(|o| o == name) {
        return Err(SaslFailure::new(
            FailureCondition::InvalidMechanism,
            format!(
                "mechanism {} was not offered (offered: {})",
                quoted(name.as_bytes()),
                options.offered.join(", ")
            ),
        ));
    }
    match find(name).and_then(|m| m.server) {
        Some(build) => Ok(build(accounts.clone(), options)),
        None => Err(SaslFailure::new(
            FailureCondition::InvalidMechanism,
            format!(
                "mechanism {} is offered, but this harness has no server for it",
                quoted(name.as_bytes())
            ),
        )),
    }
}

#[cfg(test)]
#[path = "catalogue_tests.rs"]
mod tests;
