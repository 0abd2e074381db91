//! Serving the router on a TCP socket, with the limits `axum::serve` does not set:
//!
//! - a client gets `header_read_timeout` to send a request's headers, also between the
//!   requests of a kept-alive connection (hyper's timer), then the connection is closed
//!   (slow-loris: a header trickling in byte by byte would otherwise hold a connection
//!   and a task for ever; an idle connection likewise);
//! - a response must be taken by the client within `write_timeout` ([`wire`]);
//! - at most `max_connections` connections, at most `max_connections_per_client` from
//!   one address ([`gate`]); a connection over a bound gets a short 503 and is closed at
//!   once, so `accept` never runs out of file descriptors and one client cannot lock the
//!   others out;
//! - hyper's own answers to requests it cannot parse carry the security headers too
//!   ([`wire`]).
//!
//! The body is bounded by the router's own `request_timeout` (see [`super::app`]). Each
//! connection is its own task, so slow clients never hold up others. The handlers see the
//! peer's address as `ConnectInfo<SocketAddr>` (the rate limits count per client).

pub mod gate;
pub mod wire;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

use self::gate::{Gate, Refused};
use self::wire::{InFlight, Wire};
use super::Config;

/// How long connections get to finish their requests after shutdown was asked for.
const DRAIN: Duration = Duration::from_secs(10);

/// The connection bounds of [`serve`] (from [`Config`]: [`Listen::of`]).
#[derive(Debug, Clone)]
pub struct Listen {
    /// Time to send a request's headers, and to start the next request on a kept-alive
    /// connection.
    pub header_read_timeout: Duration,
    /// Time for a response to be taken by the client, from its first byte.
    pub write_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
    /// Open connections from one address at most; `None`: no such bound.
    pub max_connections_per_client: Option<usize>,
}

impl Listen {
    /// The bounds a configuration asks for. Behind a proxy (`client_ip_header` set) every
    /// connection comes from the proxy, so there is no bound per address: the proxy
    /// bounds its clients' connections.
    pub fn of(config: &Config) -> Listen {
        Listen {
            header_read_timeout: config.header_read_timeout,
            write_timeout: config.write_timeout,
            max_connections: config.max_connections,
            max_connections_per_client: match config.client_ip_header {
                Some(_) => None,
                None => Some(config.max_connections_per_client),
            },
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets
/// open requests finish (at most 10 s) and returns.
pub async fn serve(listener: TcpListener, app: Router, limits: Listen, shutdown: impl Future<Output = ()>) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    let gate = Gate::new(limits.max_connections, limits.max_connections_per_client);
    let mut last_warning = None;
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ticket = match gate.admit(peer.ip()) {
            Ok(t) => t,
            Err(why) => {
                // Said without waiting (a few hundred bytes fit any socket buffer), then
                // closed: the refusal costs no task and no time.
                let _ = stream.try_write(&wire::busy_answer());
                drop(stream);
                // At most one warning in 10 s: a flood must not flood the log too. The
                // address is not logged (personal data; the proxy's log has it).
                if last_warning.is_none_or(|t: Instant| t.elapsed() >= Duration::from_secs(10)) {
                    last_warning = Some(Instant::now());
                    match why {
                        Refused::Total => tracing::warn!(max = limits.max_connections, "connection limit reached; new connections get 503"),
                        Refused::Client => tracing::warn!("a client reached its connection limit; its new connections get 503"),
                    }
                }
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let in_flight = Arc::new(InFlight::default());
        let tracker = in_flight.clone();
        let service = app
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            })
            .map_response(move |res: axum::response::Response| res.map(|body| tracker.track(body)));
        let mut stop = stop_rx.clone();
        let io = TokioIo::new(Wire::new(stream, limits.write_timeout, in_flight));
        let header_read_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout)
                .serve_connection(io, TowerToHyperService::new(service));
            let mut conn = pin!(conn);
            let mut stopping = false;
            loop {
                tokio::select! {
                    done = conn.as_mut() => {
                        if let Err(e) = done {
                            // Timeouts and clients that went away; no request data in it.
                            tracing::debug!(error = %e, "connection ended");
                        }
                        break;
                    }
                    changed = stop.changed(), if !stopping => {
                        let _ = changed;
                        stopping = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(stop);
            drop(ticket);
        });
    }
    drop(stop_rx);
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(DRAIN, stop_tx.closed()).await;
}
