//! A connection's byte stream as hyper sees it, with two things hyper 1.x does not do:
//!
//! - **A write timeout.** A response must be handed to the client's socket within
//!   `write_timeout` of its first byte; a client that does not read (its socket buffer
//!   full) is cut off then, instead of holding the connection for ever.
//! - **The security headers on hyper's own answers.** A request hyper cannot parse (a bad
//!   request line: 400; a URI too long: 414; headers too large: 431) is answered by hyper
//!   itself, before the router and its header layer; hyper offers no hook for it. Such an
//!   answer is recognised here and replaced by one with the same status, the security
//!   headers, `Connection: close` and a short text.
//!
//! Recognising it: the service wrapper of `listen` counts the responses in flight (from
//! the call of the router to the drop of the response body, [`InFlight`]). Hyper flushes
//! each response completely before it reads the next request head, and only writes on its
//! own when it failed to parse one; so bytes written while no response is in flight and
//! after everything before was flushed are the head of hyper's own answer. (Its head also
//! lacks `content-security-policy`, which every router response has; both must hold.)

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::{Body, Bytes};
use hyper::body::Frame;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use crate::server::security::SECURITY_HEADERS;

/// Responses of one connection that the router produced and hyper has not finished
/// taking (shared by the service wrapper and the [`Wire`]).
#[derive(Debug, Default)]
pub struct InFlight(AtomicUsize);

impl InFlight {
    /// A response is on its way: counted until the returned body is dropped.
    pub fn track(self: &Arc<Self>, body: Body) -> Body {
        self.0.fetch_add(1, Ordering::SeqCst);
        Body::new(Tracked { body, in_flight: self.clone() })
    }

    fn none(&self) -> bool {
        self.0.load(Ordering::SeqCst) == 0
    }
}

/// A response body that counts as in flight until hyper drops it.
struct Tracked {
    body: Body,
    in_flight: Arc<InFlight>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.in_flight.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// The stream of one connection (see the module's documentation).
pub struct Wire<T> {
    io: T,
    write_timeout: Duration,
    /// Armed by the first write of a response, cleared once it is flushed.
    deadline: Option<Pin<Box<Sleep>>>,
    in_flight: Arc<InFlight>,
    /// Everything written so far was flushed while no response was in flight: the next
    /// write starts a message hyper wrote on its own.
    at_boundary: bool,
    /// Our replacement of hyper's own answer, and how much of it is written.
    own: Option<(Vec<u8>, usize)>,
}

impl<T> Wire<T> {
    /// Wraps a connection's stream.
    pub fn new(io: T, write_timeout: Duration, in_flight: Arc<InFlight>) -> Wire<T> {
        Wire { io, write_timeout, deadline: None, in_flight, at_boundary: true, own: None }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "the client did not take the response in time")
}

impl<T: AsyncWrite + Unpin> Wire<T> {
    /// True when the write deadline has passed (registers the waker for it otherwise).
    /// `arm`: a write starts the deadline when none runs; a flush only looks at it (a
    /// flush while a handler still works must not start the clock of its response).
    fn expired(&mut self, cx: &mut Context<'_>, arm: bool) -> bool {
        if arm && self.deadline.is_none() {
            self.deadline = Some(Box::pin(tokio::time::sleep(self.write_timeout)));
        }
        self.deadline.as_mut().is_some_and(|d| d.as_mut().poll(cx).is_ready())
    }

    /// Runs one operation on the socket under the deadline (`arm`: see [`Self::expired`]).
    fn bounded<R>(
        &mut self,
        cx: &mut Context<'_>,
        arm: bool,
        op: impl FnOnce(Pin<&mut T>, &mut Context<'_>) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if self.expired(cx, arm) {
            return Poll::Ready(Err(timed_out()));
        }
        match op(Pin::new(&mut self.io), cx) {
            Poll::Pending if self.expired(cx, arm) => Poll::Ready(Err(timed_out())),
            other => other,
        }
    }

    /// Writes what is left of our replacement answer.
    fn poll_own(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let Some((bytes, done)) = self.own.take() else { return Poll::Ready(Ok(())) };
            if done == bytes.len() {
                self.own = Some((bytes, done));
                return Poll::Ready(Ok(()));
            }
            let n = match self.bounded(cx, true, |io, cx| io.poll_write(cx, &bytes[done..])) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    self.own = Some((bytes, done));
                    return Poll::Pending;
                }
            };
            self.own = Some((bytes, done + n));
        }
    }

    /// Before a write of hyper's: true when hyper's bytes are to be swallowed (they are its
    /// own answer, replaced by ours).
    fn replaces(&mut self, first: &[u8]) -> bool {
        if self.own.is_some() {
            return true;
        }
        if first.is_empty() {
            return false;
        }
        if self.at_boundary && self.in_flight.none() {
            self.own = own_answer(first).map(|a| (a, 0));
        }
        self.at_boundary = false;
        self.own.is_some()
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Wire<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Wire<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replaces(buf) {
            // Hyper's bytes go nowhere; ours are written (here and when hyper flushes).
            if let Poll::Ready(Err(e)) = this.poll_own(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        this.bounded(cx, true, |io, cx| io.poll_write(cx, buf))
    }

    fn poll_write_vectored(self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..]);
        if this.replaces(first) {
            if let Poll::Ready(Err(e)) = this.poll_own(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        this.bounded(cx, true, |io, cx| io.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_own(cx))?;
        ready!(this.bounded(cx, false, |io, cx| io.poll_flush(cx)))?;
        // Hyper flushes only once its buffer is empty: with no response in flight, the
        // last one is out, and the next write starts a new message.
        if this.in_flight.none() && this.own.is_none() {
            this.at_boundary = true;
            this.deadline = None;
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_own(cx))?;
        this.bounded(cx, false, |io, cx| io.poll_shutdown(cx))
    }
}

/// Our answer in place of hyper's own, when `head` is the start of one: an HTTP status
/// line of a 4xx or 5xx without the security headers.
fn own_answer(head: &[u8]) -> Option<Vec<u8>> {
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    let mut words = line.splitn(3, ' ');
    let version = words.next().filter(|v| v.starts_with("HTTP/1."))?;
    let status: u16 = words.next()?.parse().ok()?;
    if !(400..600).contains(&status) {
        return None;
    }
    let head_end = head.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(head.len());
    if String::from_utf8_lossy(&head[..head_end]).to_ascii_lowercase().contains("content-security-policy") {
        return None;
    }
    let reason = axum::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    let text = match status {
        400 => "The request could not be read.\n",
        414 => "The address is too long.\n",
        431 => "The request headers are too large.\n",
        _ => "The request could not be answered.\n",
    };
    let mut out = format!("{version} {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n", text.len());
    for (name, value) in SECURITY_HEADERS {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("cache-control: no-store\r\nconnection: close\r\n\r\n");
    out.push_str(text);
    Some(out.into_bytes())
}

/// The answer to a connection refused by the [`super::gate::Gate`], written without
/// waiting (it fits any socket buffer) before the connection is closed.
pub fn busy_answer() -> Vec<u8> {
    let text = "Too many connections. Please try again in a moment.\n";
    let mut out = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nretry-after: 10\r\n",
        text.len()
    );
    for (name, value) in SECURITY_HEADERS {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("cache-control: no-store\r\nconnection: close\r\n\r\n");
    out.push_str(text);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_own_answers_are_replaced_and_router_answers_are_not() {
        let hyper_own = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Sun, 06 Dec 2026 10:00:00 GMT\r\n\r\n";
        let ours = String::from_utf8(own_answer(hyper_own).unwrap()).unwrap();
        assert!(ours.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "{ours}");
        assert!(ours.contains("\r\nx-frame-options: DENY\r\n") && ours.contains("frame-ancestors 'none'"), "{ours}");
        assert!(ours.contains("\r\nconnection: close\r\n"), "{ours}");
        let body = ours.split_once("\r\n\r\n").unwrap().1;
        assert!(ours.contains(&format!("content-length: {}\r\n", body.len())), "{ours}");
        let routed = b"HTTP/1.1 400 Bad Request\r\ncontent-security-policy: default-src 'self'\r\n\r\n";
        assert!(own_answer(routed).is_none(), "an answer of the router already has the headers");
        assert!(own_answer(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
        assert!(own_answer(b"<!doctype html>").is_none());
    }
}
