use super::*;

#[test]
fn strongest_offered_wins() {
    let all = [
        "PLAIN",
        "DIGEST-MD5",
        "SCRAM-SHA-1",
        "SCRAM-SHA-256",
        "ANONYMOUS",
    ];
    let pick = |offered: &[&str]| select(offered, None, true).map(|m| m.name);
    assert_eq!(pick(&all), Some("SCRAM-SHA-256"));
    assert_eq!(pick(&all[..3]), Some("SCRAM-SHA-1"));
    assert_eq!(pick(&all[..2]), Some("DIGEST-MD5"));
    assert_eq!(pick(&["PLAIN", "X-OAUTH2"]), Some("PLAIN"));
    assert_eq!(pick(&["SCRAM-SHA-1-PLUS", "X-OAUTH2"]), None);
    assert_eq!(pick(&[]), None);
}

#[test]
fn plain_only_on_a_confidential_stream_unless_demanded() {
    let offered = ["PLAIN", "X-OAUTH2"];
    assert!(select(&offered, None, false).is_none());
    assert_eq!(
        select(&offered, Some("PLAIN"), false).map(|m| m.name),
        Some("PLAIN")
    );
    let hashed = ["PLAIN", "DIGEST-MD5"];
    assert_eq!(
        select(&hashed, None, false).map(|m| m.name),
        Some("DIGEST-MD5")
    );
}

#[test]
fn anonymous_and_external_only_on_request() {
    assert!(select(&["ANONYMOUS", "EXTERNAL"], None, true).is_none());
    for name in ["ANONYMOUS", "EXTERNAL"] {
        let offered = [name, "PLAIN"];
        assert_eq!(
            select(&offered, Some(name), true).map(|m| m.name),
            Some(name)
        );
    }
}

#[test]
fn preference_is_a_demand() {
    let offered = ["SCRAM-SHA-256", "PLAIN"];
    let pick = |want| select(&offered, Some(want), true).map(|m| m.name);
    assert_eq!(pick("PLAIN"), Some("PLAIN"));
    assert_eq!(pick("DIGEST-MD5"), None);
    assert!(select(&["X-FOO"], Some("X-FOO"), true).is_none(), "unknown");
}

#[test]
fn names_compare_exactly() {
    assert!(select(&["plain", " PLAIN"], None, true).is_none());
    assert!(find("plain").is_none());
}

#[test]
fn supported_lists_the_table_in_order() {
    let names: Vec<&str> = MECHANISMS.iter().map(|m| m.name).collect();
    assert_eq!(SUPPORTED.as_slice(), names.as_slice());
}

#[test]
fn only_anonymous_and_external_go_without_a_password() {
    for m in &MECHANISMS {
        let expected = !matches!(m.name, "ANONYMOUS" | "EXTERNAL");
        assert_eq!(m.needs_password, expected, "{}", m.name);
    }
    assert!(needs_password("X-UNKNOWN"), "unknown names need one");
}

#[test]
fn client_builds_each_mechanism() {
    for name in SUPPORTED {
        let m = client(name, Credentials::new("u", "p"), "example.com").unwrap();
        assert_eq!(m.name(), name);
    }
    assert!(client("CRAM-MD5", Credentials::new("u", "p"), "d").is_none());
}

fn accounts() -> Accounts {
    Accounts::new("example.org", Credentials::new("u", "p"))
}

#[test]
fn builds_every_server_when_offered() {
    let with_server: Vec<&str> = MECHANISMS
        .iter()
        .filter(|m| m.server.is_some())
        .map(|m| m.name)
        .collect();
    let options = ServerOptions {
        offered: with_server.iter().map(|s| (*s).to_owned()).collect(),
        ..ServerOptions::default()
    };
    for name in with_server {
        let m = server_mechanism(name, &accounts(), &options).unwrap();
        assert_eq!(m.name(), name);
    }
}

#[test]
fn anonymous_is_not_offered_by_default() {
    let options = ServerOptions::default();
    assert_eq!(
        options.offered,
        ["SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5", "PLAIN"]
    );
    let Err(f) = server_mechanism("ANONYMOUS", &accounts(), &options) else {
        panic!("ANONYMOUS built without being offered");
    };
    assert_eq!(f.condition, FailureCondition::InvalidMechanism);
    assert!(f.detail.contains("'ANONYMOUS' was not offered"), "{f}");
    assert!(f.detail.contains("SCRAM-SHA-256, SCRAM-SHA-1"), "{f}");
}

#[test]
fn unknown_miscased_or_serverless_names_are_invalid_mechanism() {
    let mut options = ServerOptions::default();
    options.offered.extend(["X-FOO".into(), "EXTERNAL".into()]);
    for name in ["plain", "CRAM-MD5", "", "X-FOO", "EXTERNAL"] {
        let Err(f) = server_mechanism(name, &accounts(), &options) else {
            panic!("{name} built");
        };
        assert_eq!(f.condition, FailureCondition::InvalidMechanism, "{name}");
    }
}

#[test]
fn proofs_are_placed_by_their_own_options() {
    let mut options = ServerOptions::default();
    options.digest_md5.proof_in = ProofIn::SuccessData;
    options.scram.proof_in = ProofIn::Challenge;
    let placed = |name| {
        find(name)
            .and_then(|m| m.server_proof)
            .map(|p| (p.placed)(&options))
    };
    assert_eq!(placed("DIGEST-MD5"), Some(ProofIn::SuccessData));
    assert_eq!(placed("SCRAM-SHA-1"), Some(ProofIn::Challenge));
    assert_eq!(placed("PLAIN"), None);
}
