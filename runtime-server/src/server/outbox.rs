//! Delivery of submissions: a background task polls the outbox table and POSTs each
//! submission document to the form's webhook with
//! `X-Wegweiser-Signature: sha256=<hex HMAC-SHA256 of the body>` (the secret from the
//! environment variable the form names). A failure (an error status, no connection, no
//! answer within the webhook timeout) is retried with exponential backoff
//! (base × 2^attempts, at most an hour) until a 2xx; the table survives restarts.
//!
//! Delivery is **at least once**: a server killed after the receiver got a document but
//! before it recorded the 2xx sends it again after the restart. Every attempt of one
//! delivery carries the same `X-Wegweiser-Delivery` id (and `X-Wegweiser-Reference`), so
//! the receiver can drop a repeat; `X-Wegweiser-Attempt` counts from 1.
//!
//! Deliveries run concurrently (at most [`IN_FLIGHT`] at once), so a target that hangs
//! holds one slot until its timeout and the others go on. A due row is claimed (its due
//! time moved past the timeout) before it is sent, so neither the next poll nor a second
//! server process sends it at the same time.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::AppState;
use super::store::OutboxItem;

/// Most deliveries in flight at once.
pub const IN_FLIGHT: usize = 16;

/// The signature header's value for a body.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
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
    let Ok(items) = state.store.outbox_due(now, limit as i64).await else { return Vec::new() };
    let until = now + lease_ms(state);
    let mut claimed = Vec::new();
    for item in items {
        if matches!(state.store.outbox_claim(&item, until).await, Ok(true)) {
            claimed.push(item);
        }
    }
    claimed
}

/// Sends what is due now, concurrently, and waits for every attempt; returns how many
/// were delivered.
pub async fn deliver_due(state: &AppState) -> usize {
    let mut attempts = JoinSet::new();
    for item in claim_due(state, 20).await {
        let state = state.clone();
        attempts.spawn(async move { deliver(&state, item).await });
    }
    let mut delivered = 0;
    while let Some(r) = attempts.join_next().await {
        delivered += usize::from(matches!(r, Ok(true)));
    }
    delivered
}

/// One attempt of one claimed row; true when the target answered 2xx.
async fn deliver(state: &AppState, item: OutboxItem) -> bool {
    let Ok(Some(sub)) = state.store.submission(&item.submission_id).await else { return false };
    let secret = item.secret_env.as_deref().and_then(|v| std::env::var(v).ok()).unwrap_or_default();
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
        Ok(r) => Some(format!("HTTP {}", r.status().as_u16())),
        Err(e) => Some(if e.is_timeout() { "timeout".to_string() } else { "connection failed".to_string() }),
    };
    let now = state.now_ms();
    match error {
        None => {
            let _ = state.store.outbox_delivered_now(&item.id, now).await;
            tracing::info!(reference = %sub.reference, "submission delivered");
            true
        }
        Some(e) => {
            let base = state.config.retry_base.as_millis() as i64;
            let delay = base.saturating_mul(1i64 << item.attempts.clamp(0, 20)).min(3_600_000);
            let _ = state.store.outbox_failed(&item.id, now + delay, &e).await;
            tracing::warn!(reference = %sub.reference, attempts = item.attempts + 1, error = %e, "delivery failed, will retry");
            false
        }
    }
}

/// Polls the outbox and deletes expired drafts, forever. Each claimed row is sent in a
/// task of its own; the loop does not wait for it.
pub async fn run(state: AppState, every: Duration) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
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
        tokio::time::sleep(every).await;
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
