//! Starting and stopping the server: the listener, the accept loop with
//! its connection cap, the certificate, and the handle a caller keeps.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::sasl::server::Accounts;
use crate::transport::websocket::{self, Departures, ServerOptions};
use crate::transport::{ByteIo, Connection, Transport, tls};

use super::bosh_listener;
use super::config::{BOSH_PATH, Config, Rule, WEBSOCKET_PATH};
use super::error::StartError;
use super::roster::Rosters;
use super::router::Router;
use super::{Shared, session};

/// How long [`ServerHandle::shutdown`] lets sessions say goodbye before
/// it stops them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// The reference server: [`ReferenceServer::start`] runs one.
pub struct ReferenceServer;

impl ReferenceServer {
    /// Generate a certificate for the domain, bind the listener and start
    /// accepting connections on the current tokio runtime (which must be
    /// multi-threaded, or be driven, for the server to make progress).
    pub async fn start(config: Config) -> Result<ServerHandle, StartError> {
        let mut accounts = config.accounts.iter().cloned();
        let first = accounts.next().ok_or(StartError::NoAccount)?;
        let accounts = accounts.fold(Accounts::new(&config.domain, first), Accounts::with_account);
        let cert_dir = match &config.cert_dir {
            Some(dir) => CertDir::Kept(dir.clone()),
            None => CertDir::Temporary(temporary_dir().map_err(StartError::CertDir)?),
        };
        // RFC 6120 §13.7.1.1: the certificate has a subject; the fault
        // presents one without.
        let subject = if config.faults.breaks(Rule::CertificateSubject) {
            tls::LeafSubject::Empty
        } else {
            tls::LeafSubject::CommonName
        };
        // A client certificate for every account, from the same CA, asked
        // for (not required) in the handshake: SASL EXTERNAL (XEP-0178).
        let clients: Vec<String> = accounts
            .authcids()
            .map(|a| format!("{a}@{}", config.domain))
            .collect();
        let generated = tls::generate_identity_with_clients(
            &config.domain,
            cert_dir.path(),
            subject,
            &clients,
        )?;
        let tls = tls::server_config_with_client_ca(&generated.identity, &generated.ca)?;
        let (listener, addr) = bind(config.listen).await?;
        let websocket = match config.websocket {
            Some(at) => Some(bind(at).await?),
            None => None,
        };
        let websocket_url = websocket
            .as_ref()
            .map(|(_, addr)| format!("ws://{addr}{WEBSOCKET_PATH}"));
        let bosh = match config.bosh {
            Some(at) => Some(bind(at).await?),
            None => None,
        };
        let bosh_url = bosh
            .as_ref()
            .map(|(_, addr)| format!("http://{addr}{BOSH_PATH}"));
        let stats = Arc::new(Counters::default());
        let rosters = Arc::new(Rosters::default());
        let domain = config.domain.to_ascii_lowercase();
        let router = Router::with_rosters(&domain, Arc::clone(&rosters), config.faults.clone());
        let shared = Arc::new(Shared {
            domain: config.domain.to_ascii_lowercase(),
            accounts,
            limits: config.limits.clone(),
            faults: config.faults.clone(),
            direct_tls: config.direct_tls,
            tls,
            router: Arc::new(router),
            rosters,
            stats: Arc::clone(&stats),
        });
        let (stop, stopped) = watch::channel(false);
        let listeners = Listeners {
            tcp: listener,
            websocket: websocket.map(|(l, _)| l),
            bosh: bosh.map(|(l, _)| (l, bosh_listener::service(&shared))),
        };
        let accepting = tokio::spawn(accept_loop(listeners, Arc::clone(&shared), stopped.clone()));
        Ok(ServerHandle {
            shared,
            stopped,
            addr,
            websocket_url,
            bosh_url,
            ca: generated.ca,
            domain: config.domain,
            stop,
            accepting: Some(accepting),
            stats,
            _cert_dir: cert_dir,
        })
    }
}

/// A running reference server. Dropping it stops accepting too, but only
/// [`ServerHandle::shutdown`] waits for the sessions to end.
pub struct ServerHandle {
    shared: Arc<Shared>,
    /// What sessions watch to learn of the shutdown.
    stopped: watch::Receiver<bool>,
    addr: SocketAddr,
    websocket_url: Option<String>,
    bosh_url: Option<String>,
    ca: PathBuf,
    domain: String,
    stop: watch::Sender<bool>,
    accepting: Option<tokio::task::JoinHandle<()>>,
    stats: Arc<Counters>,
    _cert_dir: CertDir,
}

impl ServerHandle {
    /// Where it listens (the port the OS chose for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The WebSocket endpoint (`ws://127.0.0.1:PORT/xmpp-websocket`), if
    /// the server has one: what `--target` takes for RFC 7395.
    pub fn websocket_url(&self) -> Option<&str> {
        self.websocket_url.as_deref()
    }

    /// The BOSH endpoint (`http://127.0.0.1:PORT/http-bind`), if the
    /// server has one: what `--target` takes for XEP-0206.
    pub fn bosh_url(&self) -> Option<&str> {
        self.bosh_url.as_deref()
    }

    /// The CA certificate (PEM) that signed the server's certificate: what
    /// a client must trust (`--ca`).
    pub fn ca_path(&self) -> &Path {
        &self.ca
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The client certificate and key (PEM) the server's CA issued for the
    /// account `authcid` (its bare JID as an XmppAddr): what
    /// `--client-cert`/`--client-key` take for SASL EXTERNAL. The files
    /// exist as long as the server runs; `None` for an unknown account.
    pub fn client_identity(&self, authcid: &str) -> Option<tls::ClientIdentity> {
        self.shared.accounts.lookup(authcid)?;
        let dir = self.ca.parent()?;
        Some(tls::issued_client_identity(
            dir,
            &format!("{authcid}@{}", self.domain),
        ))
    }

    /// Serve one client over `io`, a pipe that did not come through the
    /// listener (the in-memory transport of the tests), as a session of
    /// this server: same accounts, router, faults and limits, but outside
    /// the connection cap and the counts.
    pub fn serve<IO: ByteIo>(&self, io: IO) -> tokio::task::JoinHandle<()> {
        let shared = Arc::clone(&self.shared);
        tokio::spawn(session::serve(io, shared, self.stopped.clone()))
    }

    /// Counts so far.
    pub fn stats(&self) -> Stats {
        let c = &self.stats;
        Stats {
            accepted: c.accepted.load(Ordering::Relaxed),
            refused: c.refused.load(Ordering::Relaxed),
            panicked: c.panicked.load(Ordering::Relaxed),
        }
    }

    /// Stop accepting, end every session with `<system-shutdown/>`
    /// (RFC 6120 §4.9.3.20), wait for them (a few seconds at most), and
    /// remove a temporary certificate folder.
    pub async fn shutdown(mut self) -> Stats {
        let _ = self.stop.send(true);
        if let Some(accepting) = self.accepting.take() {
            let _ = tokio::time::timeout(SHUTDOWN_GRACE * 2, accepting).await;
        }
        self.stats()
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// What the server has seen, for tests and the `serve` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Connections accepted and served.
    pub accepted: u64,
    /// Connections closed at once, over the connection cap.
    pub refused: u64,
    /// Sessions that panicked: a bug, whatever the client sent.
    pub panicked: u64,
}

#[derive(Default)]
pub(super) struct Counters {
    accepted: AtomicU64,
    refused: AtomicU64,
    panicked: AtomicU64,
}

/// What the server accepts connections on.
struct Listeners {
    tcp: TcpListener,
    websocket: Option<TcpListener>,
    /// The BOSH listener, its service, and where the service's new
    /// sessions come out.
    bosh: Option<(TcpListener, bosh_listener::Service)>,
}

/// Which listener a connection came through.
enum Via {
    Tcp,
    WebSocket,
    Bosh,
}

async fn accept_loop(listeners: Listeners, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let cap = Arc::new(Semaphore::new(shared.limits.max_connections.max(1)));
    let mut sessions = JoinSet::new();
    let websocket = listeners.websocket.as_ref();
    let (bosh, mut bosh_sessions) = match listeners.bosh {
        Some((l, (service, sessions))) => (Some((l, service)), Some(sessions)),
        None => (None, None),
    };
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => break,
            Some(done) = sessions.join_next(), if !sessions.is_empty() => {
                note(&shared, done);
                continue;
            }
            Some(stream) = async { match bosh_sessions.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            } } => {
                // A BOSH session: no connection of its own, so no permit;
                // the service bounds how many there are.
                let shared = Arc::clone(&shared);
                let stream: Box<dyn Transport> = stream;
                sessions.spawn(session::serve_stream(stream, shared, stop.clone()));
                continue;
            }
            accepted = async { match &bosh {
                Some((l, _)) => l.accept().await,
                None => std::future::pending().await,
            } } => (Via::Bosh, accepted),
            accepted = listeners.tcp.accept() => (Via::Tcp, accepted),
            accepted = async { match websocket {
                Some(l) => l.accept().await,
                None => std::future::pending().await,
            } } => (Via::WebSocket, accepted),
        };
        let (via, Ok((tcp, _peer))) = accepted else {
            // Out of file descriptors, say: wait a little rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Ok(permit) = Arc::clone(&cap).try_acquire_owned() else {
            shared.stats.refused.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        shared.stats.accepted.fetch_add(1, Ordering::Relaxed);
        let _ = tcp.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let stop = stop.clone();
        let service = bosh.as_ref().map(|(_, s)| Arc::clone(s));
        sessions.spawn(async move {
            let conn = Connection::Plain(tcp);
            match via {
                Via::Tcp => session::serve(conn, shared, stop).await,
                Via::WebSocket => {
                    let options = websocket_options(&shared);
                    // A failed upgrade has had its HTTP answer: nothing
                    // more to say.
                    if let Ok(stream) = websocket::accept(conn, &options).await {
                        session::serve_stream(stream, shared, stop).await;
                    }
                }
                Via::Bosh => {
                    if let Some(service) = service {
                        let idle = shared.limits.idle_timeout;
                        crate::transport::bosh::serve_connection(service, conn, idle).await;
                    }
                }
            }
            drop(permit);
        });
    }
    drop(listeners.tcp);
    drop(listeners.websocket);
    drop(bosh);
    drop(bosh_sessions);
    let grace = tokio::time::sleep(SHUTDOWN_GRACE);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            _ = &mut grace => break,
            done = sessions.join_next() => match done {
                Some(done) => note(&shared, done),
                None => break,
            },
        }
    }
    sessions.abort_all();
    while let Some(done) = sessions.join_next().await {
        note(&shared, done);
    }
}

/// The WebSocket side of the server: its path, its bounds, and the
/// faults that are the transport's.
fn websocket_options(shared: &Shared) -> ServerOptions {
    let faults = &shared.faults;
    ServerOptions {
        path: WEBSOCKET_PATH.to_owned(),
        handshake_timeout: shared.limits.tls_handshake_timeout,
        max_message_bytes: shared.limits.max_stanza_bytes,
        departures: Departures {
            no_subprotocol_echo: faults.breaks(Rule::WebSocketSubprotocol),
            any_framing_namespace: faults.breaks(Rule::WebSocketFramingNamespace),
            messages_as_bytes: faults.breaks(Rule::WebSocketOneElement),
            binary_as_text: faults.breaks(Rule::WebSocketTextOnly),
            no_pong: faults.breaks(Rule::WebSocketPing),
            no_close_frame: faults.breaks(Rule::WebSocketCloseHandshake),
        },
    }
}

fn note(shared: &Shared, done: Result<(), tokio::task::JoinError>) {
    if done.is_err_and(|e| e.is_panic()) {
        shared.stats.panicked.fetch_add(1, Ordering::Relaxed);
    }
}

/// Where the certificate files are; a temporary folder is removed with it.
enum CertDir {
    Kept(PathBuf),
    Temporary(PathBuf),
}

impl CertDir {
    fn path(&self) -> &Path {
        match self {
            CertDir::Kept(p) | CertDir::Temporary(p) => p,
        }
    }
}

impl Drop for CertDir {
    fn drop(&mut self) {
        if let CertDir::Temporary(dir) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A listener on `at` and the address it got (port 0: the OS picks).
async fn bind(at: SocketAddr) -> Result<(TcpListener, SocketAddr), StartError> {
    let listener = TcpListener::bind(at)
        .await
        .map_err(|source| StartError::Listen { addr: at, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Listen { addr: at, source })?;
    Ok((listener, addr))
}

/// A new folder of our own under the system's temporary folder.
fn temporary_dir() -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("xmpp-conform-reference-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}
