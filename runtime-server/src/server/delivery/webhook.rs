//! The webhook channel: POSTs the submission document to the form's URL with
//! `X-Wegweiser-Signature: sha256=<hex HMAC-SHA256 of the body>` (the secret from the
//! environment variable the form names), `X-Wegweiser-Reference`, `X-Wegweiser-Delivery`
//! (the outbox row's id, the same on every attempt) and `X-Wegweiser-Attempt` (from 1).
//!
//! Redirects are never followed (the client has `redirect::Policy::none()`): a 301 would
//! turn the delivery into a bodiless GET, a 307 would send the signed document wherever
//! the target points. A 3xx is a failure like a 500, with the redirect in its reason.
//! Every failure is retried (an authority's receiver that answers 4xx today may be fixed
//! tomorrow; the operator sees the reason in the admin API).

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Attempt;
use crate::server::AppState;
use crate::server::store::{OutboxItem, StoredSubmission};

/// The signature header's value for a body.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The HTTP client of the outbox: the webhook timeout per attempt, and no redirects.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder().timeout(timeout).redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client")
}

/// Why an attempt that got a redirect failed: the status and the host it pointed to
/// (never its path or query, which may carry a token).
fn redirect_reason(status: u16, url: &str, location: Option<&reqwest::header::HeaderValue>) -> String {
    let target = location.and_then(|l| l.to_str().ok()).and_then(|l| reqwest::Url::parse(url).ok()?.join(l).ok()).and_then(|u| {
        Some(match u.port() {
            Some(p) => format!("{}:{p}", u.host_str()?),
            None => u.host_str()?.to_string(),
        })
    });
    match target {
        Some(host) => format!("redirect {status} to {host} not followed"),
        None => format!("redirect {status} not followed"),
    }
}

/// One attempt.
pub async fn send(state: &AppState, item: &OutboxItem, sub: StoredSubmission) -> Attempt {
    // A named secret that is missing never becomes an empty key: nothing is sent
    // (`wegweiser serve` refuses to start without it; this covers rows stored before,
    // by a server started without the check or with a form no longer served).
    let secret = match item.secret_env.as_deref() {
        None => String::new(),
        Some(var) => match std::env::var(var) {
            Ok(s) if !s.is_empty() => s,
            _ => return Attempt::Retry(format!("secret variable {var} unset, not sent")),
        },
    };
    let body = sub.document.into_bytes();
    let result = state
        .http
        .post(&item.url)
        .header("content-type", "application/json")
        .header("x-wegweiser-signature", signature(secret.as_bytes(), &body))
        .header("x-wegweiser-reference", &sub.reference)
        .header("x-wegweiser-delivery", &item.id)
        .header("x-wegweiser-attempt", (item.attempts + 1).to_string())
        .body(body)
        .send()
        .await;
    match result {
        Ok(r) if r.status().is_success() => Attempt::Delivered(None),
        Ok(r) if r.status().is_redirection() => {
            Attempt::Retry(redirect_reason(r.status().as_u16(), &item.url, r.headers().get(reqwest::header::LOCATION)))
        }
        Ok(r) => Attempt::Retry(format!("HTTP {}", r.status().as_u16())),
        Err(e) => Attempt::Retry(if e.is_timeout() { "timeout".to_string() } else { "connection failed".to_string() }),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231, test case 2.
        let s = super::signature(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(s, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
