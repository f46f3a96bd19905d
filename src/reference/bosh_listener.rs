//! The reference server's BOSH side (XEP-0124, XEP-0206): the
//! transport's server role ([`crate::transport::bosh::BoshService`]) set
//! up with this server's domain, limits and timing, and its faults mapped
//! onto the transport's neutral departures. The session state machine is
//! the same as over TCP and WebSocket: each BOSH session reaches it as a
//! `Transport`.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::transport::Transport;
use crate::transport::bosh::{BoshDepartures, BoshServerOptions, BoshService};

use super::Shared;
use super::config::{BOSH_PATH, Rule};

/// The service, and where its new sessions come out.
pub(super) type Service = (Arc<BoshService>, mpsc::Receiver<Box<dyn Transport>>);

pub(super) fn service(shared: &Shared) -> Service {
    let faults = &shared.faults;
    let timings = &shared.limits.bosh;
    let departures = BoshDepartures {
        raise_wait: faults.breaks(Rule::BoshWait),
        bare_creation: faults.breaks(Rule::BoshSessionAttributes),
        no_restartlogic: faults.breaks(Rule::BoshRestartLogic),
        no_restart: faults.breaks(Rule::BoshRestart),
        fixed_sid: faults.breaks(Rule::BoshSidUnique),
        unknown_sid_answered: faults.breaks(Rule::BoshUnknownSid),
        any_rid: faults.breaks(Rule::BoshRidWindow),
        no_rid_order: faults.breaks(Rule::BoshRidOrder),
        no_replay: faults.breaks(Rule::BoshReplay),
        no_hold: faults.breaks(Rule::BoshHold),
        no_overactivity: faults.breaks(Rule::BoshOveractivity),
        no_polling_check: faults.breaks(Rule::BoshPolling),
        no_inactivity: faults.breaks(Rule::BoshInactivity),
        stream_error_as_payload: faults.breaks(Rule::BoshRemoteStreamError),
        no_bad_request: faults.breaks(Rule::BoshBadRequest),
        any_to: faults.breaks(Rule::BoshAddressing),
        drop_terminate_payloads: faults.breaks(Rule::BoshTerminatePayload),
        wrong_content_type: faults.breaks(Rule::BoshContentType),
        no_pause: faults.breaks(Rule::BoshPause),
        no_ack: faults.breaks(Rule::BoshAck),
        key_mismatch_keeps_session: faults.breaks(Rule::BoshKey),
    };
    BoshService::new(BoshServerOptions {
        path: BOSH_PATH.to_owned(),
        domain: shared.domain.clone(),
        max_wait: timings.max_wait,
        max_hold: 1,
        polling: timings.polling,
        inactivity: timings.inactivity,
        maxpause: timings.maxpause,
        max_body: shared.limits.max_stanza_bytes.saturating_mul(4),
        max_sessions: shared.limits.max_connections.max(1),
        departures,
    })
}
