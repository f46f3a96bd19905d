//! Each client mechanism of [`crate::sasl`] driving each server mechanism,
//! as the engine will: the right password succeeds on both sides, a wrong
//! one is `not-authorized`, a deliberately wrong server proof is caught by
//! the client, and no byte string makes a server panic.

use proptest::prelude::*;

use super::*;
use crate::sasl::{
    Anonymous, Credentials, DigestMd5, MECHANISMS, Mechanism, SaslError, Scram, client,
    server_mechanism,
};

const DOMAIN: &str = "example.org";

#[derive(Debug)]
enum Outcome {
    /// Both sides agree: success, and who.
    Success(Identity),
    Server(SaslFailure),
    Client(SaslError),
}

/// One exchange; `skip_initial` leaves the initial response out, as a
/// client may (RFC 4422 §5), so the server must send an empty challenge.
fn run(c: &mut dyn Mechanism, s: &mut dyn ServerMechanism, skip_initial: bool) -> Outcome {
    let initial = if skip_initial {
        None
    } else {
        match c.initial_response() {
            Ok(i) => i,
            Err(e) => return Outcome::Client(e),
        }
    };
    let mut step = s.start(initial.as_deref()).expect("server start");
    for _ in 0..8 {
        step = match step {
            ServerStep::Challenge(ch) => match c.respond(&ch) {
                Ok(resp) => s.step(&resp).expect("server step"),
                Err(e) => return Outcome::Client(e),
            },
            ServerStep::Success(data) => {
                return match c.verify_success(data.as_deref()) {
                    Ok(()) => {
                        Outcome::Success(s.identity().expect("identity after success").clone())
                    }
                    Err(e) => Outcome::Client(e),
                };
            }
            ServerStep::Failure(f) => {
                assert!(s.identity().is_none());
                return Outcome::Server(f);
            }
        };
    }
    panic!("exchange did not end");
}

fn accounts(password: &str) -> Accounts {
    Accounts::new(
        DOMAIN,
        Credentials::new("juliet", password).with_authzid("admin@example.org"),
    )
}

fn options() -> ServerOptions {
    ServerOptions {
        offered: server_names().map(str::to_owned).collect(),
        ..ServerOptions::default()
    }
}

/// Every mechanism the server side implements, strongest first.
fn server_names() -> impl Iterator<Item = &'static str> {
    MECHANISMS
        .iter()
        .filter(|m| m.server.is_some())
        .map(|m| m.name)
}

fn server(name: &str, password: &str, options: &ServerOptions) -> Box<dyn ServerMechanism> {
    server_mechanism(name, &accounts(password), options).expect("offered")
}

/// The mechanisms that check a password.
const WITH_PASSWORD: [&str; 4] = ["SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5", "PLAIN"];

#[test]
fn every_client_succeeds_with_the_right_password() {
    for name in WITH_PASSWORD {
        for skip_initial in [false, true] {
            if skip_initial && name == "DIGEST-MD5" {
                continue; // server-first: there is no initial response to skip
            }
            let mut c = client(name, Credentials::new("juliet", "r0m30"), DOMAIN).unwrap();
            let mut s = server(name, "r0m30", &options());
            match run(c.as_mut(), s.as_mut(), skip_initial) {
                Outcome::Success(id) => {
                    assert_eq!(
                        id,
                        Identity::Account {
                            authcid: "juliet".into(),
                            authzid: None
                        },
                        "{name}"
                    );
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}

#[test]
fn a_wrong_password_is_not_authorized() {
    for name in WITH_PASSWORD {
        let mut c = client(name, Credentials::new("juliet", "badpass1"), DOMAIN).unwrap();
        let mut s = server(name, "r0m30", &options());
        match run(c.as_mut(), s.as_mut(), false) {
            Outcome::Server(f) => {
                assert_eq!(f.condition, FailureCondition::NotAuthorized, "{name}: {f}");
                assert!(
                    !f.detail.contains("r0m30") && !f.detail.contains("badpass1"),
                    "{f}"
                );
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn non_ascii_credentials_round_trip() {
    // ISO 8859-1 and beyond: DIGEST-MD5's charset conversion on both sides.
    for (user, password) in [("café", "pässwörd"), ("juliet", "日本語")] {
        for name in WITH_PASSWORD {
            let accounts = Accounts::new(DOMAIN, Credentials::new(user, password));
            let mut s = server_mechanism(name, &accounts, &options()).unwrap();
            let mut c = client(name, Credentials::new(user, password), DOMAIN).unwrap();
            let outcome = run(c.as_mut(), s.as_mut(), false);
            assert!(
                matches!(outcome, Outcome::Success(_)),
                "{name} {user}: {outcome:?}"
            );
        }
    }
}

#[test]
fn authzid_is_passed_on_or_refused() {
    for name in WITH_PASSWORD {
        for (authzid, ok) in [
            ("admin@example.org", true),
            ("juliet@example.org", true),
            ("romeo@example.org", false),
        ] {
            let creds = Credentials::new("juliet", "r0m30").with_authzid(authzid);
            let mut c = client(name, creds, DOMAIN).unwrap();
            let mut s = server(name, "r0m30", &options());
            match run(c.as_mut(), s.as_mut(), false) {
                Outcome::Success(id) if ok => assert_eq!(id.authzid(), Some(authzid), "{name}"),
                Outcome::Server(f) if !ok => {
                    assert_eq!(f.condition, FailureCondition::InvalidAuthzid, "{name}: {f}");
                }
                other => panic!("{name} {authzid}: {other:?}"),
            }
        }
    }
}

#[test]
fn anonymous_round_trip() {
    let mut s = server("ANONYMOUS", "r0m30", &options());
    match run(&mut Anonymous::new(Some("sirhc")), s.as_mut(), false) {
        Outcome::Success(Identity::Anonymous { trace }) => assert_eq!(trace, "sirhc"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn server_proof_placement_is_accepted_by_the_clients() {
    let mut o = options();
    o.digest_md5.proof_in = ProofIn::SuccessData;
    o.scram.proof_in = ProofIn::Challenge;
    for name in ["DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"] {
        let mut c = client(name, Credentials::new("juliet", "r0m30"), DOMAIN).unwrap();
        let outcome = run(c.as_mut(), server(name, "r0m30", &o).as_mut(), false);
        assert!(
            matches!(outcome, Outcome::Success(_)),
            "{name}: {outcome:?}"
        );
    }
}

#[test]
fn clients_detect_a_wrong_server_proof() {
    for proof_in in [ProofIn::Challenge, ProofIn::SuccessData] {
        let mut o = options();
        o.digest_md5.proof = ServerProof::Wrong;
        o.digest_md5.proof_in = proof_in;
        o.scram.proof = ServerProof::Wrong;
        o.scram.proof_in = proof_in;
        let mut c = DigestMd5::new(Credentials::new("juliet", "r0m30"), DOMAIN);
        match run(&mut c, server("DIGEST-MD5", "r0m30", &o).as_mut(), false) {
            Outcome::Client(SaslError::RspauthMismatch(_)) => {}
            other => panic!("DIGEST-MD5 {proof_in:?}: {other:?}"),
        }
        for (name, mut c) in [
            (
                "SCRAM-SHA-1",
                Scram::sha1(Credentials::new("juliet", "r0m30")),
            ),
            (
                "SCRAM-SHA-256",
                Scram::sha256(Credentials::new("juliet", "r0m30")),
            ),
        ] {
            match run(&mut c, server(name, "r0m30", &o).as_mut(), false) {
                Outcome::Client(SaslError::ServerSignatureMismatch { .. }) => {}
                other => panic!("{name} {proof_in:?}: {other:?}"),
            }
        }
    }
}

/// Cheap SCRAM (one iteration) and fixed nonces, so the property tests
/// can replay a valid exchange with mutations.
fn fixed_options() -> ServerOptions {
    let mut o = options();
    o.scram.iterations = 1;
    o.scram.nonce_suffix = Some("srv".into());
    o.scram.salt = Some(b"salt".to_vec());
    o.digest_md5.nonce = Some("nonce".into());
    o
}

/// The client messages of one successful exchange under [`fixed_options`]:
/// the initial response, then each response.
fn valid_messages(name: &str) -> (Option<Vec<u8>>, Vec<Vec<u8>>) {
    let mut c: Box<dyn Mechanism> = match name {
        "DIGEST-MD5" => {
            Box::new(DigestMd5::new(Credentials::new("juliet", "r0m30"), DOMAIN).with_cnonce("cn"))
        }
        "SCRAM-SHA-1" => {
            Box::new(Scram::sha1(Credentials::new("juliet", "r0m30")).with_client_nonce("cn"))
        }
        "SCRAM-SHA-256" => {
            Box::new(Scram::sha256(Credentials::new("juliet", "r0m30")).with_client_nonce("cn"))
        }
        _ => client(name, Credentials::new("juliet", "r0m30"), DOMAIN).unwrap(),
    };
    let mut s = server(name, "r0m30", &fixed_options());
    let initial = c.initial_response().unwrap();
    let mut step = s.start(initial.as_deref()).unwrap();
    let mut responses = Vec::new();
    while let ServerStep::Challenge(ch) = step {
        let resp = c.respond(&ch).unwrap();
        responses.push(resp.clone());
        step = s.step(&resp).unwrap();
    }
    assert!(matches!(step, ServerStep::Success(_)), "{name}: {step:?}");
    (initial, responses)
}

/// Replays `initial` and `responses` against a fresh server until it stops
/// asking; every call must be `Ok` (bad input is a failure, not an error).
fn replay(name: &str, initial: Option<&[u8]>, responses: &[Vec<u8>]) -> ServerStep {
    let mut s = server(name, "r0m30", &fixed_options());
    let mut step = s.start(initial).expect("start");
    for resp in responses {
        if !matches!(step, ServerStep::Challenge(_)) {
            break;
        }
        step = s.step(resp).expect("step");
    }
    step
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bytes anywhere: a failure or a challenge, never a panic,
    /// never an error, never success (but from ANONYMOUS).
    #[test]
    fn garbage_never_panics_or_succeeds(
        initial in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        responses in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..3),
    ) {
        for name in server_names() {
            let step = replay(name, initial.as_deref(), &responses);
            if name != "ANONYMOUS" {
                prop_assert!(!matches!(step, ServerStep::Success(_)), "{} accepted garbage", name);
            }
        }
    }

    /// A valid exchange with its last client message truncated or one byte
    /// changed: never a panic; for PLAIN and SCRAM never success either
    /// (DIGEST-MD5 may legitimately survive, e.g. losing `,charset=utf-8`
    /// for an ASCII account, or a directive name changing case).
    #[test]
    fn mutated_messages_never_panic(which in 0usize..4, cut in any::<prop::sample::Index>(), flip in 1u8.., truncate in any::<bool>()) {
        let name = WITH_PASSWORD[which];
        let (mut initial, mut responses) = valid_messages(name);
        // The message that proves the password: PLAIN's only one, SCRAM's
        // client-final, DIGEST-MD5's response (not the empty one after it).
        let target = match name {
            "PLAIN" => initial.as_mut().expect("PLAIN sends an initial response"),
            _ => &mut responses[0],
        };
        let at = cut.index(target.len());
        if truncate {
            target.truncate(at);
        } else {
            target[at] ^= flip;
        }
        let step = replay(name, initial.as_deref(), &responses);
        if name != "DIGEST-MD5" {
            prop_assert!(!matches!(step, ServerStep::Success(_)), "{} accepted a mutated message", name);
        }
    }
}
