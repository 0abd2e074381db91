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

/// Listens on `addr` (`host:port`). With `reuse_port` the socket is opened with
/// `SO_REUSEPORT`, so several server processes on one database listen on one address and
/// the kernel spreads the new connections over them (scale-out without a balancer; each
/// process must set it).
pub async fn bind(addr: &str, reuse_port: bool) -> std::io::Result<TcpListener> {
    if !reuse_port {
        return TcpListener::bind(addr).await;
    }
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let socket = if a.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
        // What `TcpListener::bind` sets too: a restarted server binds at once.
        socket.set_reuseaddr(true)?;
        #[cfg(unix)]
        socket.set_reuseport(true)?;
        match socket.bind(a) {
            Ok(()) => return socket.listen(1024),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "the address resolves to nothing")))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn with_reuse_port_two_servers_listen_on_one_address_and_both_take_connections() {
        let first = bind("127.0.0.1:0", true).await.unwrap();
        let addr = first.local_addr().unwrap().to_string();
        // Without the option a second bind fails, with it on both sockets it succeeds.
        assert!(bind(&addr, false).await.is_err(), "the port is taken");
        let second = bind(&addr, true).await.unwrap();
        assert_eq!(second.local_addr().unwrap().to_string(), addr);
        // The kernel spreads connections over both (by a hash of the client's port): with
        // enough of them, each listener gets some.
        let mut clients = Vec::new();
        for _ in 0..64 {
            clients.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
        }
        let accepted = |l: &TcpListener| {
            let mut n = 0;
            while let Some(Ok(_)) = accept_now(l) {
                n += 1;
            }
            n
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (a, b) = (accepted(&first), accepted(&second));
        assert_eq!(a + b, 64);
        assert!(a > 0 && b > 0, "{a} and {b}");
    }

    /// One accept that is ready now, without waiting.
    fn accept_now(l: &TcpListener) -> Option<std::io::Result<(tokio::net::TcpStream, SocketAddr)>> {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        match l.poll_accept(&mut cx) {
            std::task::Poll::Ready(r) => Some(r),
            std::task::Poll::Pending => None,
        }
    }
}
