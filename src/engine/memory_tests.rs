//! The engine against the reference server over the in-memory transport,
//! with no socket: both sides run the one stream code
//! ([`crate::transport::ByteStream`]), and the transport is the one module
//! `transport/memory.rs`.

use std::sync::Arc;
use std::time::Duration;

use crate::bindings::Bindings;
use crate::reference::{Config, ReferenceServer};
use crate::scenario::{self, Peer, Scenario};
use crate::transport::{MemoryConnector, tls};
use crate::xml::ParserConfig;

use super::{RunConfig, Status, TlsMode, run_all};

fn server_scenarios() -> Vec<Scenario> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/server");
    let files = scenario::discover(&[root]).expect("list the built-in scenarios");
    files
        .iter()
        .map(|(root, file)| scenario::load(file, root).expect("a built-in scenario loads"))
        .filter(|s| s.meta.peer == Peer::Server)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_in_scenarios_run_over_the_memory_transport() {
    let config = crate::accounts::CAST
        .iter()
        .fold(Config::new("localhost"), |c, name| {
            c.with_account(*name, "secret")
        });
    let server = Arc::new(ReferenceServer::start(config).await.expect("start"));
    let serving = Arc::clone(&server);
    let connector = MemoryConnector::new(move |pipe| {
        serving.serve(pipe);
    });
    let mut bindings = Bindings::new();
    bindings.set_var("domain", "localhost");
    bindings.set_var("user", "romeo");
    bindings.set_var("jid", "romeo@localhost");
    bindings.set_var("password", crate::sasl::Secret::new("secret"));
    let run = RunConfig {
        target: "memory".into(),
        connector: Some(Arc::new(connector)),
        accounts: crate::accounts::cast("localhost", "secret"),
        timeout: Duration::from_secs(5),
        bindings,
        parser: ParserConfig::default(),
        // The pipe has no TLS: scenarios that need it are skipped.
        tls: TlsMode::None,
        tls_config: tls::client_config(&tls::Verification::Insecure, None).expect("config"),
        mechanism: None,
        snapshots: None,
        client_certificate: false,
        server_tls: None,
        wrong_name_tls: None,
    };
    let verdicts = run_all(server_scenarios(), Arc::new(run), 4, |_| {}).await;
    let status = |id: &str| {
        verdicts
            .iter()
            .find(|v| v.id == id)
            .map(|v| (v.status, v.failure.as_ref().map(|f| f.message.clone())))
    };
    // A whole stream, opened and closed, went through the pipe both ways.
    assert_eq!(
        status("rfc6120/stream/basic-session"),
        Some((Status::Pass, None))
    );
    // The parser of the server side answered broken XML with its error.
    assert_eq!(
        status("rfc6120/stream/invalid-namespace").map(|s| s.0),
        Some(Status::Pass)
    );
    // Bytes as written are a byte-stream transport's, declared by the
    // scenario and refused with the reason elsewhere.
    let (skipped, why) = status("rfc6120/xml/restricted-comment").expect("the scenario ran");
    assert_eq!(skipped, Status::Skip);
    assert!(
        why.as_deref()
            .is_some_and(|w| w.contains("needs the tcp transport") && w.contains("memory")),
        "{why:?}"
    );
    // Four sessions of three users, each its own pipe, routed by the
    // server between them.
    assert_eq!(
        status("rfc6121/messages/between-users"),
        Some((Status::Pass, None))
    );
    let wrong: Vec<_> = verdicts
        .iter()
        .filter(|v| matches!(v.status, Status::Fail | Status::NonStrict | Status::Error))
        .map(|v| format!("{} {:?} {:?}", v.id, v.status, v.failure))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    let passed = verdicts.iter().filter(|v| v.status == Status::Pass).count();
    assert!(passed >= 5, "only {passed} passed: {verdicts:#?}");
}
