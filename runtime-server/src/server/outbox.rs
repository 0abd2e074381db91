//! Delivery of submissions: a background task polls the outbox table and POSTs each
//! submission document to the form's webhook with
//! `X-Wegweiser-Signature: sha256=<hex HMAC-SHA256 of the body>` (the secret from the
//! environment variable the form names). A failure is retried with exponential backoff
//! (base × 2^attempts, at most an hour) until a 2xx; the table survives restarts.
//! A due row is claimed (its due time moved on) before it is sent, so two server
//! processes do not send it at the same time.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::AppState;

/// The signature header's value for a body.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Sends what is due now; returns how many were delivered.
pub async fn deliver_due(state: &AppState) -> usize {
    let now = state.now_ms();
    let Ok(items) = state.store.outbox_due(now, 20).await else { return 0 };
    let mut delivered = 0;
    for item in items {
        // A lease as long as the HTTP timeout, plus a margin.
        if !matches!(state.store.outbox_claim(&item, now + 60_000).await, Ok(true)) {
            continue;
        }
        let Ok(Some(sub)) = state.store.submission(&item.submission_id).await else { continue };
        let secret = item.secret_env.as_deref().and_then(|v| std::env::var(v).ok()).unwrap_or_default();
        let body = sub.document.into_bytes();
        let result = state
            .http
            .post(&item.url)
            .header("content-type", "application/json")
            .header("x-wegweiser-signature", signature(secret.as_bytes(), &body))
            .header("x-wegweiser-reference", &sub.reference)
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
                delivered += 1;
                let _ = state.store.outbox_delivered_now(&item.id, now).await;
                tracing::info!(reference = %sub.reference, "submission delivered");
            }
            Some(e) => {
                let base = state.config.retry_base.as_millis() as i64;
                let delay = base.saturating_mul(1i64 << item.attempts.clamp(0, 20)).min(3_600_000);
                let _ = state.store.outbox_failed(&item.id, now + delay, &e).await;
                tracing::warn!(reference = %sub.reference, attempts = item.attempts + 1, error = %e, "delivery failed, will retry");
            }
        }
    }
    delivered
}

/// Polls the outbox and deletes expired drafts, forever.
pub async fn run(state: AppState, every: Duration) {
    let mut last_cleanup = 0i64;
    loop {
        deliver_due(&state).await;
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
