//! The harness must not believe a server that cannot prove it knows the
//! password: a wrong DIGEST-MD5 `rspauth` or SCRAM server signature fails
//! the scenario, with a message naming the proof.
//!
//! No real server sends a wrong proof on demand, so this is one of the few
//! mocks: a small XMPP server in the test, built on the library's own
//! server-side SASL (`sasl::server`) with `ServerProof::Wrong`, and the
//! same server with a correct proof as the control.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::{text, xmpp_conform};
use xmpp_conform::sasl::server::{
    Accounts, ServerMechanism, ServerOptions, ServerProof, ServerStep, decode_auth,
    decode_response, encode_success_data,
};
use xmpp_conform::sasl::{Credentials, server_mechanism};
use xmpp_conform::xml::{NS_SASL, ParserConfig, StreamEvent, StreamParser};

const USER: &str = "romeo";
const PASSWORD: &str = "proof-test-Secret";

/// Start the mock on a free port; it serves every connection the same way.
fn mock_server(proof: ServerProof) -> String {
    support::serve_each_connection(move |stream| serve(stream, proof))
}

/// One client connection: stream header and features, then SASL with the
/// mechanism the client picks, answering each message through the
/// library's server mechanism. Ends at the client's close or any error.
fn serve(mut stream: TcpStream, proof: ServerProof) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let accounts = Accounts::new("localhost", Credentials::new(USER, PASSWORD));
    let mut options = ServerOptions::default();
    options.digest_md5.proof = proof;
    options.scram.proof = proof;
    let mechanisms: String = options
        .offered
        .iter()
        .map(|m| format!("<mechanism>{m}</mechanism>"))
        .collect();
    let mut parser = StreamParser::new(ParserConfig::default());
    let mut mechanism: Option<Box<dyn ServerMechanism>> = None;
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut events = Vec::new();
        parser.feed(&buf[..n], &mut events);
        for event in events {
            let reply = match event {
                StreamEvent::Open(_) => format!(
                    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
                     from='localhost' id='proof-test' version='1.0'>\
                     <stream:features><mechanisms xmlns='{NS_SASL}'>{mechanisms}</mechanisms></stream:features>"
                ),
                StreamEvent::Element(e) if e.name == "auth" => {
                    let name = e.attr("mechanism").unwrap_or_default().to_string();
                    let step = server_mechanism(&name, &accounts, &options).and_then(|mut m| {
                        let step = decode_auth(e.text().trim()).and_then(|initial| {
                            m.start(initial.as_deref())
                                .map_err(|err| panic!("server mechanism: {err}"))
                        });
                        mechanism = Some(m);
                        step
                    });
                    answer(step)
                }
                StreamEvent::Element(e) if e.name == "response" => {
                    let Some(m) = mechanism.as_mut() else { return };
                    let step = decode_response(e.text().trim())
                        .and_then(|r| m.step(&r).map_err(|err| panic!("server mechanism: {err}")));
                    answer(step)
                }
                _ => return,
            };
            if stream.write_all(reply.as_bytes()).is_err() {
                return;
            }
            if reply.starts_with("<success") {
                parser.reset();
            }
        }
    }
}

fn answer(step: Result<ServerStep, xmpp_conform::sasl::server::SaslFailure>) -> String {
    match step {
        Ok(ServerStep::Challenge(data)) => format!(
            "<challenge xmlns='{NS_SASL}'>{}</challenge>",
            xmpp_conform::sasl::b64::encode(&data)
        ),
        Ok(ServerStep::Success(data)) => format!(
            "<success xmlns='{NS_SASL}'>{}</success>",
            encode_success_data(data.as_deref())
        ),
        Ok(ServerStep::Failure(f)) | Err(f) => format!(
            "<failure xmlns='{NS_SASL}'><{}/></failure>",
            f.condition.element_name()
        ),
    }
}

fn run(addr: &str, scenario: &str) -> (Option<i32>, String) {
    let path = format!("tests/scenarios/server-proof/{scenario}.xmpp");
    let out = xmpp_conform(&[
        "--target",
        addr,
        "--domain",
        "localhost",
        "--user",
        USER,
        "--password",
        PASSWORD,
        "--timeout",
        "3s",
        "--scenarios",
        &path,
    ]);
    (out.status.code(), text(&out))
}

const SCENARIOS: [(&str, &str); 3] = [
    ("digest-md5-directive", "rspauth"),
    ("digest-md5-spelled-out", "rspauth"),
    ("scram-sha-256-directive", "server signature"),
];

#[test]
fn a_correct_server_proof_passes() {
    let addr = mock_server(ServerProof::Correct);
    for (scenario, _) in SCENARIOS {
        let (code, shown) = run(&addr, scenario);
        assert_eq!(code, Some(0), "{scenario}:\n{shown}");
    }
}

#[test]
fn a_wrong_server_proof_fails_naming_the_proof() {
    let addr = mock_server(ServerProof::Wrong);
    for (scenario, proof) in SCENARIOS {
        let (code, shown) = run(&addr, scenario);
        assert_eq!(code, Some(1), "{scenario}:\n{shown}");
        assert!(shown.contains("FAIL"), "{scenario}:\n{shown}");
        assert!(
            shown.contains(&format!("{proof} mismatch")),
            "{scenario} must name the {proof}:\n{shown}"
        );
        assert!(!shown.contains(PASSWORD), "{scenario} leaked the password");
    }
}
