//! The HTTP side of BOSH: explicit HTTP/1.1 connections (hyper's
//! `client::conn::http1`) over the crate's own [`Connection`], one request
//! at a time on each.
//!
//! BOSH keeps up to `requests` requests in flight at once, the server
//! holding one while the client sends on another (XEP-0124 §11), so the
//! transport owns its connections: each request takes an idle one or opens
//! a new one, and gives it back with the answer. A pooled client would
//! decide that itself and hide what the tests need to control.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep_until, timeout};

use super::super::{Connection, TransportError};
use super::BoshTarget;

/// One HTTP/1.1 connection's sending half.
pub(super) type Sender = SendRequest<Full<Bytes>>;

/// Why one request got no usable answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpFailure {
    #[error(transparent)]
    Connect(#[from] TransportError),
    #[error("HTTP failed: {0}")]
    Http(#[from] hyper::Error),
    #[error("the request could not be built: {0}")]
    Request(#[from] hyper::http::Error),
    #[error("reading the response failed: {0}")]
    Body(String),
    #[error("no HTTP response within {0:?} (the session's wait plus the run's timeout)")]
    Timeout(Duration),
}

/// Where requests go and how connections are opened: the target, the
/// run's TLS configuration for `https`, and the connect timeout.
#[derive(Debug)]
pub(super) struct Endpoint {
    pub target: BoshTarget,
    pub tls: Arc<rustls::ClientConfig>,
    pub timeout: Duration,
    /// The largest response body read (a few stanzas' worth).
    pub max_body: usize,
}

impl Endpoint {
    /// A new connection, TLS for `https`, with the HTTP/1.1 handshake
    /// done; the connection's driver runs as a task until the sender is
    /// dropped.
    pub async fn open(&self) -> Result<Sender, HttpFailure> {
        let target = &self.target;
        let conn: Connection = if target.secure {
            let tls = Arc::clone(&self.tls);
            super::super::connect_tls(&target.address, &target.host, tls, self.timeout).await?
        } else {
            super::super::connect(&target.address, self.timeout).await?
        };
        let (sender, driver) = http1::handshake(TokioIo::new(conn)).await?;
        tokio::spawn(async move {
            // Ends when the sender is dropped or the peer closes; its
            // error, if any, shows on the next request.
            let _ = driver.await;
        });
        Ok(sender)
    }
}

/// An answer to one request: the rid it carried, the connection to reuse
/// (when it is still open), and the status and body.
pub(super) struct Reply {
    pub rid: u64,
    pub sender: Option<Sender>,
    pub outcome: Result<(u16, Bytes), HttpFailure>,
    /// The response's Content-Type, if it had one.
    pub content_type: Option<String>,
    /// For a request a scenario sent as is (`bosh-send`): its place in
    /// the order responses are given back in.
    pub raw: Option<super::raw::Key>,
}

/// How long after the previous request went out the next one waits, if
/// it is not that long ago already (a request long after the last one
/// goes at once): two
/// requests on two connections could otherwise reach the server in the
/// other order, and a server may hold a request whose rid comes early
/// until the gap is filled (ejabberd 23.01 then never answered). 5 ms
/// still let that happen about once in ten runs of the ejabberd suite on
/// a busy loopback; 40 ms costs each request little next to the server's
/// own answer and made the stall disappear in every run since.
pub(super) const PACE: Duration = Duration::from_millis(40);

/// The order requests go out in: each waits for the one before it
/// (`after`, which gives the instant it went out) and tells the next
/// (`sent`).
pub(super) struct Turn {
    pub after: Option<oneshot::Receiver<Instant>>,
    pub sent: oneshot::Sender<Instant>,
}

/// POST `body` on `sender` (or a new connection) in its turn, within
/// `limit`.
pub(super) async fn exchange(
    endpoint: Arc<Endpoint>,
    sender: Option<Sender>,
    rid: u64,
    body: Bytes,
    limit: Duration,
    turn: Turn,
    raw: Option<super::raw::Key>,
) -> Reply {
    let failed = |e| Reply {
        rid,
        sender: None,
        outcome: Err(e),
        content_type: None,
        raw,
    };
    match timeout(limit, post(&endpoint, sender, body, turn)).await {
        Ok(Ok((sender, status, content_type, bytes))) => Reply {
            rid,
            sender: Some(sender),
            outcome: Ok((status, bytes)),
            content_type,
            raw,
        },
        Ok(Err(e)) => failed(e),
        Err(_) => failed(HttpFailure::Timeout(limit)),
    }
}

async fn post(
    endpoint: &Endpoint,
    sender: Option<Sender>,
    body: Bytes,
    turn: Turn,
) -> Result<(Sender, u16, Option<String>, Bytes), HttpFailure> {
    let mut sender = match sender {
        Some(s) if !s.is_closed() => s,
        _ => endpoint.open().await?,
    };
    sender.ready().await?;
    let target = &endpoint.target;
    let request = hyper::Request::post(target.path.as_str())
        .header(hyper::header::HOST, target.authority.as_str())
        .header(hyper::header::CONTENT_TYPE, "text/xml; charset=utf-8")
        .body(Full::new(body))?;
    if let Some(previous) = turn.after {
        // An error means the previous request ended without going out:
        // nothing to wait for.
        if let Ok(out) = previous.await {
            sleep_until(out + PACE).await;
        }
    }
    // hyper queues the request on the connection when called; the future
    // only waits for the response.
    let response = sender.send_request(request);
    let _ = turn.sent.send(Instant::now());
    let response = response.await?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let bytes = Limited::new(response.into_body(), endpoint.max_body)
        .collect()
        .await
        .map_err(|e| HttpFailure::Body(e.to_string()))?
        .to_bytes();
    Ok((sender, status, content_type, bytes))
}
