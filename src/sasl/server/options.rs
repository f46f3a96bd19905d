//! How the server side behaves: every knob in one place, for the scenario
//! layer. Which mechanisms exist, which are offered by default and how each
//! is built is the catalogue's (`sasl::catalogue`), which sits above this
//! file: it also implements `Default` for [`ServerOptions`].
//!
//! The defaults are a plain, conforming server: the catalogue's automatic
//! mechanisms offered (not ANONYMOUS, which authenticates nobody in
//! particular, so it is only offered when a scenario asks), random nonces and
//! salts, 4096 SCRAM iterations (RFC 7677 §4's floor), DIGEST-MD5's
//! `rspauth` in a second challenge as in RFC 3920 §6.5's example, SCRAM's
//! server-final in the `<success/>` data (RFC 6120 §6.4.6), correct proofs.

use super::digest_md5::FixedChallenge;
use crate::sasl::RECOMMENDED_MIN_ITERATIONS;

/// Where the server sends its proof (DIGEST-MD5's `rspauth`, SCRAM's
/// server-final): RFC 6120 §6.4.6 allows both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofIn {
    /// A last `<challenge/>`, which the client answers with an empty
    /// `<response/>`; then `<success/>` without data.
    Challenge,
    /// The additional data of `<success/>`.
    SuccessData,
}

/// Whether the server proves it knows the password, or sends a proof that
/// is well-formed but wrong to see whether the client checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerProof {
    #[default]
    Correct,
    Wrong,
}

/// How the DIGEST-MD5 server behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestMd5Options {
    /// The nonce of the default first challenge; 144 random bits if `None`.
    pub nonce: Option<String>,
    /// Sent instead of the default first challenge.
    pub first_challenge: Option<FixedChallenge>,
    /// Where `rspauth` goes; RFC 3920 §6.5's example uses a challenge.
    pub proof_in: ProofIn,
    pub proof: ServerProof,
}

impl Default for DigestMd5Options {
    fn default() -> Self {
        Self {
            nonce: None,
            first_challenge: None,
            proof_in: ProofIn::Challenge,
            proof: ServerProof::Correct,
        }
    }
}

/// How the SCRAM servers behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramOptions {
    /// Appended to the client nonce: printable ASCII without `,`; 144
    /// random bits (base64) if `None`.
    pub nonce_suffix: Option<String>,
    /// 16 random bytes if `None`.
    pub salt: Option<Vec<u8>>,
    /// At least 1; RFC 7677 §4's 4096 by default.
    pub iterations: u32,
    /// Where server-final goes; the `<success/>` data by default.
    pub proof_in: ProofIn,
    pub proof: ServerProof,
}

impl Default for ScramOptions {
    fn default() -> Self {
        Self {
            nonce_suffix: None,
            salt: None,
            iterations: RECOMMENDED_MIN_ITERATIONS,
            proof_in: ProofIn::SuccessData,
            proof: ServerProof::Correct,
        }
    }
}

/// Everything configurable about the server side. `Default` (in
/// `sasl::catalogue`): the catalogue's default offer, default options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// The mechanisms offered, in `<mechanisms/>` order. A client choosing
    /// another one gets `invalid-mechanism`.
    pub offered: Vec<String>,
    pub digest_md5: DigestMd5Options,
    pub scram: ScramOptions,
    /// PLAIN lets a known account in whatever password it sends: a server
    /// broken on purpose (the reference server's `password-checked`
    /// fault). Off by default.
    pub plain_any_password: bool,
}
