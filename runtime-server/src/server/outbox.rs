//! Delivery of submissions: a background task claims due rows of the outbox table and
//! POSTs each submission document to the form's webhook with
//! `X-Wegweiser-Signature: sha256=<hex HMAC-SHA256 of the body>` (the secret from the
//! environment variable the form names). A failure (an error status, a redirect, no
//! connection, no answer within the webhook timeout, the secret variable unset) is
//! recorded in `outbox.last_error` and retried with exponential backoff
//! (base × 2^attempts, at most an hour) until a 2xx; the table survives restarts.
//!
//! Delivery is **at least once**: a server killed after the receiver got a document but
//! before it recorded the 2xx sends it again after the restart. Every attempt of one
//! delivery carries the same `X-Wegweiser-Delivery` id (and `X-Wegweiser-Reference`), so
//! the receiver can drop a repeat; `X-Wegweiser-Attempt` counts from 1.
//!
//! Redirects are never followed (the client has `redirect::Policy::none()`): a 301 would
//! turn the delivery into a bodiless GET, a 307 would send the signed document wherever
//! the target points. A 3xx is a failure like a 500, with the redirect in its reason.
//!
//! Throughput: deliveries run concurrently, at most [`Config::outbox_in_flight`] at
//! once (a target that hangs holds one slot until its timeout and the others go on).
//! The loop claims as many due rows as it has free slots, in one statement, and then
//! waits until a slot frees, a submission is stored ([`wake`], called by the submit
//! handler) or the poll interval passes; so a backlog drains as fast as the target
//! answers, not one batch per poll. A claimed row's due time is moved past the timeout
//! (a lease) before it is sent, so neither the next round nor a second server process
//! sends it at the same time, and a process killed mid-delivery leaves it due again.
//!
//! [`Config::outbox_in_flight`]: super::Config::outbox_in_flight

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::AppState;
use super::store::OutboxItem;

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

/// Tells the outbox that something may be due now (a submission was stored), so it does
/// not wait for its next poll.
pub fn wake(state: &AppState) {
    state.outbox_wake.notify_one();
}

/// How long a claimed row is left alone: longer than one attempt can take (the HTTP
/// timeout), with a margin for the database writes around it.
fn lease_ms(state: &AppState) -> i64 {
    let timeout = state.config.webhook_timeout.as_millis().min(i64::MAX as u128 / 4) as i64;
    timeout * 2 + 1_000
}

/// Claims up to `limit` due rows.
async fn claim_due(state: &AppState, limit: usize) -> Vec<OutboxItem> {
    let now = state.now_ms();
    match state.store.outbox_claim_due(now, now + lease_ms(state), limit as i64).await {
        Ok(items) => items,
        Err(e) => {
            tracing::error!(error = %e, "claiming due deliveries failed");
            Vec::new()
        }
    }
}

/// Sends what is due now (at most the in-flight bound), concurrently, and waits for
/// every attempt; returns how many were delivered.
pub async fn deliver_due(state: &AppState) -> usize {
    let mut attempts = JoinSet::new();
    for item in claim_due(state, state.config.outbox_in_flight.max(1)).await {
        let state = state.clone();
        attempts.spawn(async move { deliver(&state, item).await });
    }
    let mut delivered = 0;
    while let Some(r) = attempts.join_next().await {
        delivered += usize::from(matches!(r, Ok(true)));
    }
    delivered
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

/// One attempt of one claimed row; true when the target answered 2xx.
async fn deliver(state: &AppState, item: OutboxItem) -> bool {
    let Ok(Some(sub)) = state.store.submission(&item.submission_id).await else { return false };
    // A named secret that is missing never becomes an empty key: nothing is sent
    // (`wegweiser serve` refuses to start without it; this covers rows stored before,
    // by a server started without the check or with a form no longer served).
    let secret = match item.secret_env.as_deref() {
        None => String::new(),
        Some(var) => match std::env::var(var) {
            Ok(s) if !s.is_empty() => s,
            _ => return failed(state, &item, &sub.reference, format!("secret variable {var} unset, not sent")).await,
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
    let error = match result {
        Ok(r) if r.status().is_success() => None,
        Ok(r) if r.status().is_redirection() => {
            Some(redirect_reason(r.status().as_u16(), &item.url, r.headers().get(reqwest::header::LOCATION)))
        }
        Ok(r) => Some(format!("HTTP {}", r.status().as_u16())),
        Err(e) => Some(if e.is_timeout() { "timeout".to_string() } else { "connection failed".to_string() }),
    };
    match error {
        None => {
            if let Err(e) = state.store.outbox_delivered_now(&item.id, state.now_ms()).await {
                // Sent but not recorded: the lease runs out and it is sent again (at least
                // once; the receiver drops the repeat by its delivery id).
                tracing::error!(reference = %sub.reference, error = %e, "recording a delivery failed");
            }
            tracing::info!(reference = %sub.reference, "submission delivered");
            true
        }
        Some(e) => failed(state, &item, &sub.reference, e).await,
    }
}

/// Records a failed attempt with its reason and the time of the next one; false.
async fn failed(state: &AppState, item: &OutboxItem, reference: &str, reason: String) -> bool {
    let base = state.config.retry_base.as_millis() as i64;
    let delay = base.saturating_mul(1i64 << item.attempts.clamp(0, 20)).min(3_600_000);
    if let Err(e) = state.store.outbox_failed(&item.id, state.now_ms() + delay, &reason).await {
        tracing::error!(reference = %reference, error = %e, "recording a failed delivery failed");
    }
    tracing::warn!(reference = %reference, attempts = item.attempts + 1, error = %reason, "delivery failed, will retry");
    false
}

/// Delivers the outbox and deletes expired drafts, forever. Each claimed row is sent in
/// a task of its own; the loop does not wait for it. Between rounds it waits for a free
/// slot, a stored submission ([`wake`]) or `every` (retries that came due, rows stored
/// by another server), whichever comes first.
pub async fn run(state: AppState, every: Duration) {
    let slots = Arc::new(Semaphore::new(state.config.outbox_in_flight.max(1)));
    let mut last_cleanup = 0i64;
    loop {
        let free = slots.available_permits();
        if free > 0 {
            for item in claim_due(&state, free).await {
                // Only this loop takes slots, and it claimed at most `free` rows.
                let Ok(slot) = slots.clone().acquire_owned().await else { break };
                let state = state.clone();
                tokio::spawn(async move {
                    deliver(&state, item).await;
                    drop(slot);
                    // A slot is free: the loop claims the next due row at once.
                    wake(&state);
                });
            }
        }
        let now = state.now_ms();
        if now - last_cleanup > 60_000 {
            last_cleanup = now;
            match state.store.delete_expired(now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(drafts = n, "expired drafts deleted"),
                Err(e) => tracing::error!(error = %e, "deleting expired drafts failed"),
            }
        }
        // `Notify` keeps one wake-up when nobody waits, so none is lost between the claim
        // above and this wait.
        tokio::select! {
            () = state.outbox_wake.notified() => {}
            () = tokio::time::sleep(every) => {}
        }
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
