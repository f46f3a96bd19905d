//! `sasl MECHANISM… [option…]`: the arguments, and the rule that testing a
//! server allows only one mechanism and no option.

use super::super::error::ScenarioError;
use super::super::model::{Action, Peer, SaslOption, SaslSpec};
use super::super::suggest::did_you_mean;
use super::args::Args;
use super::{Misuse, Parsed};

/// Options of `sasl` for client scenarios (the harness plays the server).
const OPTIONS: &[&str] = &[
    "wrong-proof",
    "proof-in-success",
    "proof-in-challenge",
    "challenge=",
    "no-authzid",
    "no-plain",
];

/// Mechanisms are upper case (RFC 4422 §3.1), options lower case, so each
/// word says which it is.
pub(super) fn parse(args: &Args) -> Result<Parsed, ScenarioError> {
    let supported = crate::sasl::SUPPORTED;
    let mut spec = SaslSpec::default();
    for (at, word) in args.words() {
        if let Some(m) = supported.iter().find(|m| **m == word) {
            spec.mechanisms.push((*m).to_string());
            continue;
        }
        match word {
            "wrong-proof" => spec.options.push(SaslOption::WrongProof),
            "proof-in-success" => spec.options.push(SaslOption::ProofInSuccess),
            "proof-in-challenge" => spec.options.push(SaslOption::ProofInChallenge),
            "no-authzid" => spec.options.push(SaslOption::NoAuthzid),
            "no-plain" => spec.options.push(SaslOption::NoPlain),
            _ if word.starts_with("challenge=") => {
                let b64 = &word["challenge=".len()..];
                let bytes = crate::sasl::b64::decode(b64).map_err(|e| {
                    args.at(at, word.len(), format!("`challenge=` is not base64: {e}"))
                        .with_help(
                            "write the challenge's bytes in base64, as they go in <challenge/>",
                        )
                })?;
                spec.options.push(SaslOption::Challenge(bytes));
            }
            _ => return Err(unknown_word(args, at, word)),
        }
    }
    if spec.mechanisms.is_empty() {
        return Err(args
            .at_name("`sasl` needs a mechanism")
            .with_help(format!("one of {}", supported.join(", "))));
    }
    Ok(Parsed::Step(Action::Sasl(spec)))
}

fn unknown_word(args: &Args, at: usize, word: &str) -> ScenarioError {
    let supported = crate::sasl::SUPPORTED;
    let is_option = word.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let (what, candidates): (&str, &[&str]) = if is_option {
        ("option", OPTIONS)
    } else {
        ("mechanism", &supported)
    };
    let e = args.at(at, word.len(), format!("unknown SASL {what} `{word}`"));
    match did_you_mean(word, candidates) {
        Some(m) => e.with_help(format!("did you mean `{m}`?")),
        None => e.with_help(format!("one of {}", candidates.join(", "))),
    }
}

/// Testing a server, the harness is the client: it uses one mechanism,
/// and the options only make sense for the harness as SASL server.
pub(super) fn check(action: &Action, peer: Peer) -> Result<(), Misuse> {
    match action {
        Action::Sasl(spec)
            if peer == Peer::Server && (spec.mechanisms.len() > 1 || !spec.options.is_empty()) =>
        {
            Err(Misuse {
                width: "sasl".len(),
                message: "testing a server, `sasl` takes exactly one mechanism and no option"
                    .into(),
                help: "several mechanisms and options such as `wrong-proof` are for client \
                       scenarios (peer = \"client\")"
                    .into(),
            })
        }
        _ => Ok(()),
    }
}
