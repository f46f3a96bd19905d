//! Server messages to the SASL clients (`xmpp_conform::corpus::SaslInput`):
//! the DIGEST-MD5 challenge parser (RFC 2831 §2.1.1) and rspauth check,
//! SCRAM's server-first and server-final parsers (RFC 5802 §7), through
//! the public API as the engine drives it: never a panic, and after an
//! error the mechanism refuses to go on.
//!
//! The clients are set up as in the RFC examples
//! (`xmpp_conform::corpus::sasl_client`), so the examples' messages, in the
//! seeds, run whole exchanges to success and mutations of them reach every
//! check.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_conform::corpus::{SaslInput, sasl_client};

fuzz_target!(|data: &[u8]| {
    let input = SaslInput::decode(data);
    let mut m = sasl_client(input.profile);
    if m.initial_response().is_err() {
        return;
    }
    if m.respond(input.first).is_err() {
        assert!(m.respond(input.second).is_err(), "went on after an error");
        assert!(m.verify_success(None).is_err(), "succeeded after an error");
        return;
    }
    if input.second_is_success {
        let _ = m.verify_success(Some(input.second));
    } else if m.respond(input.second).is_ok() {
        let _ = m.verify_success(None);
    } else {
        assert!(m.verify_success(None).is_err(), "succeeded after an error");
    }
});
