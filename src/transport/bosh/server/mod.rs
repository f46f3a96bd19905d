//! XEP-0124 and XEP-0206 with the harness's crate as the connection
//! manager: the reference server's BOSH listener serves HTTP/1.1
//! connections through [`serve_connection`], and each new session comes
//! out of [`BoshService::accept`] as a [`Transport`] its session state
//! machine runs exactly as over TCP or WebSocket.
//!
//! The pieces: `request` reads and checks one `<body/>`, `core` keeps one
//! session's HTTP-side rules (rid window, held requests, replays, timing),
//! `stream` is the XMPP side the session reads and writes. This file holds
//! what joins them: the sessions by `sid`, creation with its checks
//! (`to`, `wait`, `hold`), and hyper's HTTP/1.1 server.
//!
//! [`Departures`] break chosen rules on purpose, for the reference
//! server's faults; the transport knows nothing of the faults themselves.

mod core;
#[cfg(test)]
mod core_tests;
mod departures;
mod request;
mod stream;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming as HttpBody};
use hyper::{Method, Request as HttpRequest, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::transport::{Connection, Transport};

use self::core::{Core, Params, Reply, attr, body_xml, header_from_request, terminate_body, xbosh};
pub use self::departures::Departures;
use self::request::{Kind, Request};
use self::stream::BoshStream;

/// The BOSH version this side speaks (XEP-0124 §7.2: the lower of the
/// client's and ours is answered).
const VERSION: (u64, u64) = (1, 11);
/// The default response content type (XEP-0124 §7.1).
const CONTENT_TYPE: &str = "text/xml; charset=utf-8";
/// Events waiting for the XMPP session, per session.
const EVENT_QUEUE: usize = 256;

/// How the server side serves.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The HTTP path (`/http-bind`); anything else is 404.
    pub path: String,
    /// The only `to` a creation request may name.
    pub domain: String,
    /// The longest `wait` granted, in seconds.
    pub max_wait: u64,
    /// The most requests held.
    pub max_hold: u64,
    /// `polling`, `inactivity` and `maxpause`, in seconds.
    pub polling: u64,
    pub inactivity: u64,
    pub maxpause: u64,
    /// The largest request body read.
    pub max_body: usize,
    /// Sessions at once; more are refused.
    pub max_sessions: usize,
    pub departures: Departures,
}

/// The sessions of one listener, and the way out for new ones.
pub struct BoshService {
    options: ServerOptions,
    sessions: Mutex<HashMap<String, Arc<Mutex<Core>>>>,
    new_sessions: mpsc::Sender<Box<dyn Transport>>,
}

impl BoshService {
    /// A service, and where its new sessions come out: each is a
    /// transport for a session state machine to run.
    pub fn new(options: ServerOptions) -> (Arc<BoshService>, mpsc::Receiver<Box<dyn Transport>>) {
        let (tx, rx) = mpsc::channel(16);
        let service = BoshService {
            options,
            sessions: Mutex::new(HashMap::new()),
            new_sessions: tx,
        };
        (Arc::new(service), rx)
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Mutex<Core>>>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The content type of responses (XEP-0124 §7.1: the client's
    /// `content`, else text/xml).
    fn content_type(&self, asked: Option<&str>) -> String {
        if self.options.departures.wrong_content_type {
            return "application/xml".to_owned();
        }
        asked.unwrap_or(CONTENT_TYPE).to_owned()
    }

    /// Answer one request body.
    async fn answer(&self, bytes: &[u8]) -> (String, String) {
        let plain = |body: String| (body, self.content_type(None));
        let request = match request::parse(bytes) {
            Ok(r) => r,
            Err(_) if self.options.departures.no_bad_request => {
                return plain(body_xml(Vec::new(), &[]));
            }
            Err(_) => return plain(terminate_body("bad-request", &[])),
        };
        if request.kind == Kind::Create {
            return self.create(request).await;
        }
        let sid = request.sid.clone().unwrap_or_default();
        let core = {
            let mut sessions = self.sessions();
            sessions.retain(|_, c| !c.lock().map(|c| c.is_gone()).unwrap_or(true));
            sessions.get(&sid).cloned()
        };
        let Some(core) = core else {
            return match self.options.departures.unknown_sid_answered {
                true => plain(body_xml(Vec::new(), &[])),
                false => plain(terminate_body("item-not-found", &[])),
            };
        };
        let (reply, wait, content_type) = {
            let mut c = core.lock().unwrap_or_else(|p| p.into_inner());
            let reply = c.receive(request.clone(), Instant::now());
            (reply, c.params.wait, c.content_type.clone())
        };
        let body = self.settle(&core, reply, request.rid, wait).await;
        (body, content_type)
    }

    /// Wait for a held request's answer, at most `wait` seconds.
    async fn settle(&self, core: &Mutex<Core>, reply: Reply, rid: u64, wait: u64) -> String {
        let mut rx = match reply {
            Reply::Now(body) => return body,
            Reply::Later(rx) => rx,
        };
        let limit = Duration::from_secs(wait.max(1));
        match tokio::time::timeout(limit, &mut rx).await {
            Ok(Ok(body)) => body,
            Ok(Err(_)) => terminate_body("item-not-found", &[]),
            Err(_) => {
                let (expired, ahead, inactivity) = {
                    let mut c = core.lock().unwrap_or_else(|p| p.into_inner());
                    (c.wait_over(rid), c.is_ahead(rid), c.params.inactivity)
                };
                if let Some(body) = expired {
                    return body;
                }
                if ahead {
                    // Ahead of a gap: answered once the gap is filled
                    // (§14.2), or the session ends for inactivity.
                    let limit = Duration::from_secs(inactivity.max(1));
                    if let Ok(Ok(body)) = tokio::time::timeout(limit, &mut rx).await {
                        return body;
                    }
                    let gone = core
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .gap_expired(rid);
                    if let Some(body) = gone {
                        return body;
                    }
                }
                rx.try_recv()
                    .unwrap_or_else(|_| terminate_body("item-not-found", &[]))
            }
        }
    }

    /// A session creation request (XEP-0124 §7.1, XEP-0206 §3): checked,
    /// registered, handed to the server as a new stream, and answered when
    /// the stream's features are written.
    async fn create(&self, request: Request) -> (String, String) {
        let options = &self.options;
        let departures = options.departures;
        let content_type = self.content_type(request.body.attr("content"));
        let refuse = |condition: &str| (terminate_body(condition, &[]), content_type.clone());
        if !departures.any_to {
            match request.body.attr("to").map(str::trim) {
                None | Some("") => return refuse("improper-addressing"),
                Some(to) if !to.eq_ignore_ascii_case(&options.domain) => {
                    return refuse("host-unknown");
                }
                Some(_) => {}
            }
        }
        // Checked by `request::parse`: numbers or absent.
        let asked_wait = request.number("wait").ok().flatten();
        let asked_hold = request.number("hold").ok().flatten();
        let wait = match asked_wait {
            Some(w) if departures.raise_wait => w + 1,
            Some(w) => w.min(options.max_wait),
            None => options.max_wait,
        };
        let hold = asked_hold.unwrap_or(1).min(options.max_hold);
        let ver = lower_version(request.body.attr("ver"));
        let params = Params {
            wait,
            hold: hold as usize,
            requests: hold as usize + 1,
            polling: options.polling,
            inactivity: options.inactivity,
            maxpause: options.maxpause,
            ack: true,
        };
        let sid = if departures.fixed_sid {
            "xmpp-conform-reference".to_owned()
        } else {
            new_sid()
        };
        let mut attrs = vec![attr("sid", &sid), attr("wait", wait)];
        if !departures.bare_creation {
            attrs.extend([
                attr("requests", params.requests),
                attr("hold", hold),
                attr("ver", &ver),
                attr("polling", params.polling),
                attr("inactivity", params.inactivity),
                attr("maxpause", params.maxpause),
                attr("ack", request.rid),
            ]);
        }
        if !departures.no_restartlogic {
            attrs.push(xbosh("restartlogic", "true"));
        }
        let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
        let header = header_from_request(&request.body);
        let core = Core::new(
            params,
            content_type.clone(),
            departures,
            &request,
            header,
            events_tx,
            Instant::now(),
        );
        let core = Arc::new(Mutex::new(core));
        {
            let mut sessions = self.sessions();
            sessions.retain(|_, c| !c.lock().map(|c| c.is_gone()).unwrap_or(true));
            if sessions.len() >= options.max_sessions {
                return refuse("internal-server-error");
            }
            sessions.insert(sid.clone(), Arc::clone(&core));
        }
        let rx = core
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .hold_creation(request.rid, attrs);
        let stream = BoshStream::new(Arc::clone(&core), events_rx, &sid);
        if self.new_sessions.send(Box::new(stream)).await.is_err() {
            return refuse("system-shutdown");
        }
        let body = self
            .settle(&core, Reply::Later(rx), request.rid, wait)
            .await;
        (body, content_type)
    }
}

/// The lower of the client's BOSH version and ours (XEP-0124 §7.2).
fn lower_version(asked: Option<&str>) -> String {
    let parse = |v: &str| {
        let (major, minor) = v.trim().split_once('.')?;
        Some((major.parse::<u64>().ok()?, minor.parse::<u64>().ok()?))
    };
    let (major, minor) = asked.and_then(parse).map_or(VERSION, |v| v.min(VERSION));
    format!("{major}.{minor}")
}

/// An unpredictable session id (XEP-0124 §7.2, §19.3).
fn new_sid() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Unique still, if not unpredictable.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        bytes[..8].copy_from_slice(&n.to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serve one accepted connection as HTTP/1.1 until the client closes it
/// (or `idle` passes without a request): POST on the path only.
pub async fn serve_connection(service: Arc<BoshService>, conn: Connection, idle: Duration) {
    let handler = hyper::service::service_fn(move |request: HttpRequest<HttpBody>| {
        let service = Arc::clone(&service);
        async move { Ok::<_, Infallible>(handle(&service, request).await) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .header_read_timeout(idle)
        .timer(hyper_util::rt::TokioTimer::new())
        .serve_connection(TokioIo::new(conn), handler);
    let _ = connection.await;
}

async fn handle(service: &BoshService, request: HttpRequest<HttpBody>) -> Response<Full<Bytes>> {
    let status = |code: StatusCode, text: &str| {
        let mut response = Response::new(Full::new(Bytes::from(text.to_owned())));
        *response.status_mut() = code;
        response
    };
    if request.uri().path() != service.options.path {
        return status(StatusCode::NOT_FOUND, "no BOSH endpoint here\n");
    }
    if request.method() != Method::POST {
        return status(StatusCode::METHOD_NOT_ALLOWED, "BOSH requests are POSTs\n");
    }
    let limited = Limited::new(request.into_body(), service.options.max_body);
    let bytes = match limited.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let body = terminate_body("bad-request", &[]);
            return xml_response(body, CONTENT_TYPE);
        }
    };
    let (body, content_type) = service.answer(&bytes).await;
    xml_response(body, &content_type)
}

fn xml_response(body: String, content_type: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}
