//! The rules of XEP-0124/0206 the server side can break on purpose: its
//! own file so that the session core and the service both read it
//! without depending on each other.

/// Rules of XEP-0124/0206 the server side breaks on purpose (the
/// reference server's faults); none by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Departures {
    /// The creation response grants a `wait` longer than the client
    /// asked for (§7.2).
    pub raise_wait: bool,
    /// The creation response leaves out `requests`, `hold`, `ver`,
    /// `polling` and `inactivity` (§7.2 SHOULD).
    pub bare_creation: bool,
    /// No `xmpp:restartlogic='true'` (XEP-0206 §4).
    pub no_restartlogic: bool,
    /// `xmpp:restart='true'` does not restart the stream (XEP-0206 §5).
    pub no_restart: bool,
    /// Every session gets the same `sid` (§7.2: unique).
    pub fixed_sid: bool,
    /// A request for an unknown `sid` gets an empty `<body/>` (§17.2).
    pub unknown_sid_answered: bool,
    /// Any rid is taken as the next one (§14.2).
    pub any_rid: bool,
    /// A request ahead of a gap is processed at once (§14.2).
    pub no_rid_order: bool,
    /// A repeated rid is not answered from the buffer (§14.3).
    pub no_replay: bool,
    /// Requests are answered at once, never held (§8).
    pub no_hold: bool,
    /// No `policy-violation` for too many requests (§11).
    pub no_overactivity: bool,
    /// No `policy-violation` for polling too often (§12).
    pub no_polling_check: bool,
    /// Sessions never time out (§10).
    pub no_inactivity: bool,
    /// A stream error goes out as a payload, not as `remote-stream-error`
    /// (XEP-0206 §6).
    pub stream_error_as_payload: bool,
    /// A request that cannot be read gets an empty `<body/>`, not
    /// `bad-request` (§17.2).
    pub no_bad_request: bool,
    /// A creation request without `to`, or for another domain, starts a
    /// session anyway (§17.2: `improper-addressing`, `host-unknown`).
    pub any_to: bool,
    /// The payloads of a `type='terminate'` request are dropped (§13).
    pub drop_terminate_payloads: bool,
    /// Responses are `application/xml`, not `text/xml; charset=utf-8`
    /// (§7.1).
    pub wrong_content_type: bool,
    /// A `pause` attribute is ignored: the request is an ordinary one
    /// (§10: held requests answered at once, the inactivity period set to
    /// the pause).
    pub no_pause: bool,
    /// `ack` is on the creation response only, not on the responses
    /// after it (§9: once advertised, on every response).
    pub no_ack: bool,
    /// A request whose `key` does not match is refused with
    /// `item-not-found`, but the session goes on (§15: it MUST end).
    pub key_mismatch_keeps_session: bool,
}
