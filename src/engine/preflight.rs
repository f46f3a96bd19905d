//! One look at the target before the suite: is it an XMPP server this run
//! can talk to at all?
//!
//! A wrong port, a certificate the run does not trust or a refused
//! password is a problem of the run's set-up, not a departure of the server
//! from the protocol. Found by the scenarios, it would fail each of them
//! (blaming the server for the user's mistake), and a silent target would
//! cost every scenario its whole timeout. So one connection checks it
//! first, and the run stops with one message and its fix:
//!
//! 1. the target answers a stream header with a stream header within
//!    `--timeout` (else: what arrived instead, shown safely);
//! 2. when the run uses TLS, the server's certificate is trusted;
//! 3. each account the run was given is accepted by the server (a
//!    `<not-authorized/>` on a mechanism it offers means a wrong password
//!    or a missing account).
//!
//! Anything else the server gets wrong is left to the scenarios, which
//! judge it against the rule.

use tokio::time::Instant;

use futures_util::StreamExt;

use crate::accounts::Account;
use crate::scenario::{Location, Meta};
use crate::transport::{TlsError, TransportError};
use crate::xml::{NS_TLS, StreamEvent};

use super::failure::{Failure, FailureKind};
use super::session::{Received, Session};
use super::transcript::Transcript;
use super::{RunConfig, TlsMode, login, open};

/// Why the run cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    #[error(transparent)]
    Unreachable(TransportError),
    #[error("{target} does not answer as an XMPP server: {what}")]
    NotXmpp { target: String, what: String },
    #[error("the server's certificate is not trusted: {reason}")]
    Untrusted { reason: String },
    #[error("the server refused {jid}: SASL {mechanism} answered <{condition}/>")]
    Refused {
        jid: String,
        /// Which option gave the account: `--user/--password`, `--account juliet`.
        given_by: String,
        mechanism: String,
        condition: String,
    },
}

impl PreflightError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            PreflightError::Unreachable(_) => {
                "is the server running, and is --target right?".to_string()
            }
            PreflightError::NotXmpp { .. } => "--target must name the server's client-to-server \
                 port (5222; 5223 with --tls direct for TLS from the first byte)"
                .to_string(),
            PreflightError::Untrusted { .. } => "pass --ca FILE with the CA that signed it (or \
                 the server's own certificate), or --insecure to skip verification"
                .to_string(),
            PreflightError::Refused { given_by, .. } => {
                format!("check {given_by}: the account must exist on the server with that password")
            }
        }
    }
}

/// The checks above, each bounded by the run's timeout.
///
/// `used`: the names of the accounts the scenarios about to run log in as
/// (their `accounts`); others given on the command line are not tried.
pub async fn preflight(
    config: &RunConfig,
    used: &std::collections::BTreeSet<String>,
) -> Result<(), PreflightError> {
    let mut session = match connect(config).await {
        // It answered, against a rule of its transport (a WebSocket
        // handshake without the `xmpp` subprotocol): a finding each
        // scenario reports with its rule, not a set-up problem.
        Err(PreflightError::Unreachable(e)) if e.is_peer_violation() => return Ok(()),
        other => other?,
    };
    stream_header(&mut session, config).await?;
    // The features, for STARTTLS and login; a server that sends none is
    // the scenarios' to judge (RFC 6120 §4.3.2).
    let deadline = Instant::now() + config.timeout;
    if !matches!(
        session.wait(deadline, &meta().ignore).await,
        Ok(Received::Event(StreamEvent::Element(_)))
    ) {
        return Ok(());
    }
    let default = config.accounts.default_account().cloned();
    match config.tls {
        TlsMode::StartTls => starttls(&mut session, config).await?,
        // Direct TLS was negotiated (and its certificate checked) when
        // connecting; no TLS: nothing to trust.
        TlsMode::Direct | TlsMode::None => {}
    }
    if let Some(account) = default {
        session.account = Some(account.clone());
        authenticate(&mut session, config, &account, "--user/--password").await?;
    }
    session.shutdown().await;
    // Only the accounts the run's scenarios log in as, a few at a time: a
    // cast of dozens checked one by one cost a BOSH run half a minute.
    let named = config
        .accounts
        .iter()
        .filter(|a| a.name != crate::accounts::DEFAULT_ACCOUNT && used.contains(&a.name));
    let mut checks = futures_util::stream::iter(named)
        .map(|account| check_account(config, account))
        .buffer_unordered(ACCOUNTS_AT_ONCE);
    while let Some(checked) = checks.next().await {
        checked?;
    }
    Ok(())
}

/// Accounts whose login preflight tries at the same time: a login is a
/// few round trips (over BOSH, paced HTTP requests), and the RFC 6121
/// scenarios bring dozens of accounts.
const ACCOUNTS_AT_ONCE: usize = 32;

/// A login as `account` on a connection of its own.
async fn check_account(config: &RunConfig, account: &Account) -> Result<(), PreflightError> {
    let mut session = connect(config).await?;
    session.account = Some(account.clone());
    let given_by = format!("--account {}", account.name);
    authenticate(&mut session, config, account, &given_by).await?;
    session.shutdown().await;
    Ok(())
}

/// A new connection; a direct TLS handshake the certificate fails is
/// [`PreflightError::Untrusted`].
async fn connect(config: &RunConfig) -> Result<Session, PreflightError> {
    match open(config).await {
        Ok(stream) => Ok(Session::new(stream, Transcript::default())),
        Err(TransportError::Tls(e)) => {
            Err(untrusted(&e)
                .unwrap_or_else(|| PreflightError::Unreachable(TransportError::Tls(e))))
        }
        Err(e) => Err(PreflightError::Unreachable(e)),
    }
}

/// Send a stream header; the answer must be one, within the timeout.
async fn stream_header(session: &mut Session, config: &RunConfig) -> Result<(), PreflightError> {
    let not_xmpp = |session: &Session, what: String| PreflightError::NotXmpp {
        target: config.target.clone(),
        what: format!("{what}{}", first_bytes(session.received_prefix())),
    };
    let header = login::stream_header(config);
    if let Err(e) = session.send(header.as_bytes(), config.timeout).await {
        return Err(not_xmpp(
            session,
            format!("sending a stream header failed ({e})"),
        ));
    }
    let deadline = Instant::now() + config.timeout;
    let waited = session
        .wait(deadline, &[])
        .await
        .map_err(|f| not_xmpp(session, f.message))?;
    match waited {
        Received::Event(StreamEvent::Open(_)) => Ok(()),
        Received::Event(StreamEvent::Error(e)) => Err(not_xmpp(
            session,
            format!("it answered with bytes that are not XMPP's XML ({e})"),
        )),
        Received::Event(_) => Err(not_xmpp(
            session,
            "it answered without a stream header".to_string(),
        )),
        Received::Eof => Err(not_xmpp(
            session,
            "it closed the connection without a stream header".to_string(),
        )),
        Received::Timeout => Err(not_xmpp(
            session,
            format!("no stream header within {:?}", config.timeout),
        )),
    }
}

/// STARTTLS when the features offer it: the one thing checked is that the
/// certificate is trusted; the rest is the scenarios' to judge.
async fn starttls(session: &mut Session, config: &RunConfig) -> Result<(), PreflightError> {
    let offered = session
        .features
        .as_ref()
        .is_some_and(|f| f.child(NS_TLS, "starttls").is_some());
    if !offered {
        return Ok(());
    }
    let request = format!("<starttls xmlns='{NS_TLS}'/>");
    if session
        .send(request.as_bytes(), config.timeout)
        .await
        .is_err()
    {
        return Ok(());
    }
    let deadline = Instant::now() + config.timeout;
    if !matches!(
        session.wait(deadline, &meta().ignore).await,
        Ok(Received::Event(StreamEvent::Element(ref e))) if e.is(NS_TLS, "proceed")
    ) {
        return Ok(());
    }
    let upgrade = config.client_tls();
    match session.start_tls(upgrade, config.timeout).await {
        Err(e) => untrusted(&e).map_or(Ok(()), Err),
        Ok(_) => {
            // login, next, opens the new stream.
            session.features = None;
            Ok(())
        }
    }
}

/// Log in as `account` without binding: a `<not-authorized/>` refuses it.
async fn authenticate(
    session: &mut Session,
    config: &RunConfig,
    account: &Account,
    given_by: &str,
) -> Result<(), PreflightError> {
    let mut bindings = config.bindings.clone();
    let outcome = login::run(session, config, &meta(), &mut bindings, false, &location()).await;
    match outcome {
        Err(failure) if is_refusal(&failure) => Err(PreflightError::Refused {
            jid: account.jid(),
            given_by: given_by.to_string(),
            mechanism: failure.mechanism.clone().unwrap_or_default(),
            condition: failure.condition.clone().unwrap_or_default(),
        }),
        Err(failure) if failure.kind == FailureKind::Tls => {
            // A direct TLS connection checked its certificate already;
            // this is STARTTLS inside login, after a server that did not
            // offer it at first.
            Ok(())
        }
        // Anything else is the scenarios' to judge, against its rule.
        Err(_) | Ok(()) => Ok(()),
    }
}

/// SASL's answer to credentials it does not accept (RFC 6120 §6.5.10).
fn is_refusal(failure: &Failure) -> bool {
    failure.kind == FailureKind::Sasl && failure.condition.as_deref() == Some("not-authorized")
}

/// The reason when `e` is the certificate failing verification.
fn untrusted(e: &TlsError) -> Option<PreflightError> {
    e.invalid_certificate()
        .map(|reason| PreflightError::Untrusted { reason })
}

/// `; the first bytes: "HTTP/1.1 400 …"`, or nothing when none came.
fn first_bytes(prefix: &[u8]) -> String {
    if prefix.is_empty() {
        return String::new();
    }
    let shown: String = prefix
        .iter()
        .map(|&b| match b {
            b'\n' => "\\n".to_string(),
            b'\r' => "\\r".to_string(),
            b'"' => "\\\"".to_string(),
            0x20..=0x7e => (b as char).to_string(),
            _ => format!("\\x{b:02x}"),
        })
        .collect();
    format!("; the first bytes: \"{shown}\"")
}

/// The front matter the checks run under.
fn meta() -> Meta {
    Meta::harness("preflight")
}

fn location() -> Location {
    Location {
        path: std::sync::Arc::new("preflight".into()),
        line: 0,
        column: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::first_bytes;

    #[test]
    fn what_arrived_is_shown_safely() {
        assert_eq!(first_bytes(b""), "");
        assert_eq!(
            first_bytes(b"HTTP/1.1 400 Bad\r\n"),
            "; the first bytes: \"HTTP/1.1 400 Bad\\r\\n\""
        );
        assert_eq!(
            first_bytes(&[0x15, 0x03, 0x03, 0x00, 0x02]),
            "; the first bytes: \"\\x15\\x03\\x03\\x00\\x02\""
        );
    }
}
