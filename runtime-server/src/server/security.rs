//! Tokens, hashes, cookies, CSRF and the security headers.
//!
//! - The browser session is a random 128-bit token in an HttpOnly, SameSite=Lax cookie;
//!   the database only sees its SHA-256. The cookie carries the token with an HMAC tag
//!   under the server's session key ([`session_cookie_value`]), so an id the client made up
//!   is never adopted ([`verified_session`]).
//! - The CSRF token is derived from the session token (SHA-256 with a label): a page of
//!   another site can neither read the cookie nor the token.
//! - Resume tokens are 128 random bits; only their hash is stored.
//! - Guessing (resume links, the admin token) is rate-limited per client address
//!   ([`Limiter`]); tokens are compared in constant time ([`ct_eq`]).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "ww_session";
/// The name of the language cookie.
pub const LANG_COOKIE: &str = "ww_lang";

/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
                       frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The security headers of every response (also of the answers the router never sees:
/// hyper's own 400/414/431, the 503 of a refused connection; see `listen`).
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
];

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system's random number generator");
    hex::encode(buf)
}

/// SHA-256 as hex.
pub fn sha256_hex(s: &str) -> String {
    sha256_bytes_hex(s.as_bytes())
}

/// SHA-256 of bytes, as hex.
pub fn sha256_bytes_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// The CSRF token of a session.
pub fn csrf_token(session: &str) -> String {
    sha256_hex(&format!("wegweiser-csrf:{session}"))
}

/// The tag of a session id: the first 128 bits of HMAC-SHA256 under the server's key, hex.
fn session_tag(key: &[u8], id: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(b"wegweiser-session:");
    mac.update(id.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The session cookie's value for a session id: `{id}.{tag}`.
pub fn session_cookie_value(key: &[u8], id: &str) -> String {
    format!("{id}.{}", session_tag(key, id))
}

/// The session id in a cookie value, when this server (or one with the same key) issued
/// it: 32 hex digits and the right tag. A value the client made up gives `None`.
pub fn verified_session(key: &[u8], value: &str) -> Option<String> {
    let (id, tag) = value.split_once('.')?;
    let hex32 = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex32(id) && hex32(tag) && ct_eq(tag, &session_tag(key, id))).then(|| id.to_string())
}

/// Equality in constant time (for tokens). Both sides are hashed first, so that neither
/// the position of the first difference nor the length of the secret shows in the time
/// the comparison takes.
pub fn ct_eq(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    bool::from(a.as_slice().ct_eq(b.as_slice()))
}

/// The address a request came from: the `client_ip_header` set by a trusted proxy (its
/// last entry: the one the proxy added), else the peer of the connection, else
/// unspecified (a request built in a test).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// Reads the client's address from a request.
    pub fn of(req: &Request, header: Option<&str>) -> ClientIp {
        if let Some(h) = header
            && let Some(ip) = req
                .headers()
                .get_all(h)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .rev()
                .find_map(|v| v.trim().parse::<IpAddr>().ok())
        {
            return ClientIp(ip);
        }
        match req.extensions().get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(addr)) => ClientIp(addr.ip()),
            None => ClientIp(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        }
    }
}

/// Counts events per client in a fixed window (failed attempts; new drafts); a client
/// over the limit is refused until its window ends. In memory: each server process counts on its own (the
/// operator adds a limit at the proxy for a farm of servers).
#[derive(Debug)]
pub struct Limiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Clients remembered at most; older windows are dropped first when it fills.
const LIMITER_CLIENTS: usize = 100_000;

impl Limiter {
    /// A limit of `max` failures per `window`.
    pub fn new(max: u32, window: Duration) -> Limiter {
        Limiter { max, window, seen: Mutex::new(HashMap::new()) }
    }

    /// True when the client has used up its failures in the current window.
    pub fn blocked(&self, ip: ClientIp) -> bool {
        let Ok(seen) = self.seen.lock() else { return false };
        seen.get(&ip.0).is_some_and(|(start, n)| start.elapsed() < self.window && *n >= self.max)
    }

    /// Counts a failure of the client.
    pub fn failed(&self, ip: ClientIp) {
        self.count(ip);
    }

    /// Counts an event of the client (one more towards its limit).
    pub fn count(&self, ip: ClientIp) {
        let Ok(mut seen) = self.seen.lock() else { return };
        if seen.len() >= LIMITER_CLIENTS {
            let window = self.window;
            seen.retain(|_, (start, _)| start.elapsed() < window);
        }
        let e = seen.entry(ip.0).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= self.window {
            *e = (Instant::now(), 0);
        }
        e.1 = e.1.saturating_add(1);
    }
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// A `Set-Cookie` value.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age_s}; HttpOnly; SameSite=Lax{}", if secure { "; Secure" } else { "" })
}

/// True when a POST comes from this site: `Sec-Fetch-Site` (when sent) is `same-origin`
/// or `none`, and `Origin` (when sent) names the `Host` the request went to.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
        let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
        return rest == Some(host);
    }
    true
}

/// Adds the security headers to every response.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("example.org"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://example.org"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&h));
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn only_session_ids_with_the_servers_tag_are_adopted() {
        let key = b"a key of the server";
        let id = random_hex(16);
        let value = session_cookie_value(key, &id);
        assert_eq!(verified_session(key, &value).as_deref(), Some(id.as_str()));
        assert_eq!(verified_session(b"another key", &value), None, "a tag of another key");
        let made_up = format!("{id}.{}", "0".repeat(32));
        assert_eq!(verified_session(key, &made_up), None, "a made-up tag");
        assert_eq!(verified_session(key, &id), None, "an id without a tag");
        let other = session_cookie_value(key, &random_hex(16));
        let swapped = format!("{id}.{}", other.split_once('.').unwrap().1);
        assert_eq!(verified_session(key, &swapped), None, "a tag of another id");
    }

    #[test]
    fn tokens_are_128_bits_and_differ() {
        let a = random_hex(16);
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_hex(16));
        assert!(ct_eq(&a, &a.clone()));
        assert!(!ct_eq(&a, "x"));
    }

    #[test]
    fn ct_eq_compares_digests_with_subtle() {
        // Equal only for equal strings, whatever the lengths and the shared prefix.
        assert!(ct_eq("admin-secret", "admin-secret"));
        assert!(!ct_eq("admin-secret", "admin-secreT"));
        assert!(!ct_eq("admin-secret", "admin-"));
        assert!(!ct_eq("admin-secret", "admin-secret-and-more"));
        assert!(!ct_eq("", "admin-secret"));
        assert!(ct_eq("", ""));
        // The comparison itself is `subtle`'s constant-time equality over two digests of
        // the same length: the code path has no early exit on length or content.
        let src = include_str!("security.rs");
        let body = src.split("pub fn ct_eq").nth(1).unwrap().split("\n}").next().unwrap();
        assert!(body.contains("Sha256::digest") && body.contains(".ct_eq("), "{body}");
        assert!(!body.contains("==") && !body.contains("len()"), "no early exit: {body}");
    }

    #[test]
    fn limiter_blocks_after_max_failures_per_client() {
        let l = Limiter::new(3, Duration::from_secs(60));
        let (a, b) = (ClientIp("192.0.2.1".parse().unwrap()), ClientIp("192.0.2.2".parse().unwrap()));
        for _ in 0..3 {
            assert!(!l.blocked(a));
            l.failed(a);
        }
        assert!(l.blocked(a));
        assert!(!l.blocked(b), "another client is not affected");
        let short = Limiter::new(1, Duration::ZERO);
        short.failed(a);
        assert!(!short.blocked(a), "the window is over");
    }

    #[test]
    fn client_ip_from_a_trusted_header_takes_the_last_entry() {
        let req = Request::builder().header("x-forwarded-for", "203.0.113.9, 198.51.100.7").body(axum::body::Body::empty()).unwrap();
        assert_eq!(ClientIp::of(&req, Some("x-forwarded-for")).0, "198.51.100.7".parse::<IpAddr>().unwrap());
        assert_eq!(ClientIp::of(&req, None).0, IpAddr::V4(Ipv4Addr::UNSPECIFIED), "the header is not trusted unless configured");
    }
}
