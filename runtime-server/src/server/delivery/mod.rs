//! Delivery of submissions: one outbox row per channel of the form (`webhook`, `email`,
//! `email-confirmation`, `fitconnect`), written in the submission's transaction; and a
//! `notification` row per Postkorb message when the account has an e-mail address
//! ([`email::notify`]). A
//! background task claims due rows and hands each to its channel's module
//! ([`webhook`], [`email`], [`fitconnect`]); the attempt's outcome is recorded here: a
//! delivery (with the channel's receipt), a failure that is retried with exponential
//! backoff (base × 2^attempts, at most an hour) until it succeeds, or a refusal that no
//! retry changes (the row is `failed` for good, with its reason). The table survives
//! restarts.
//!
//! Delivery is **at least once** per channel: a server killed after the receiver got a
//! document but before it recorded the success sends it again after the restart. Every
//! attempt of one row carries the same delivery id (the row's id: `X-Wegweiser-Delivery`
//! on webhooks and e-mails, the e-mail's `Message-ID`), so each receiver can drop a
//! repeat.
//!
//! Throughput: deliveries run concurrently, at most [`Config::outbox_in_flight`] at
//! once (a target that hangs holds one slot until its timeout and the others go on).
//! The loop claims as many due rows as it has free slots, in one statement, and then
//! waits until a slot frees, a submission is stored ([`wake`], called by the submit
//! handler) or the poll interval passes; so a backlog drains as fast as the targets
//! answer, not one batch per poll. A claimed row's due time is moved past the timeout
//! (a lease) before it is sent, so neither the next round nor a second server process
//! sends it at the same time, and a process killed mid-delivery leaves it due again.
//!
//! [`Config::outbox_in_flight`]: super::Config::outbox_in_flight

pub mod email;
pub mod fitconnect;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use engine::form::{Channel, Form};
use engine::session::{Instance, Session};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::AppState;
use super::store::{NewDelivery, OutboxItem};

pub use webhook::{client, signature};

/// The outcome of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Delivered; what the channel gave back (a Message-ID, a submission id).
    Delivered(Option<String>),
    /// Failed; tried again later. The reason (no answers, no tokens).
    Retry(String),
    /// Refused for good: sending it again would get the same answer.
    GiveUp(String),
}

/// The outbox rows of a submission: one per channel of its form, and a confirmation row
/// when the `email` channel names a `confirmation_to` field whose answer is an address
/// (an invalid or missing one gets no row: the citizen has the confirmation page).
pub fn rows_for(form: &Form, session: &Session<'_>) -> Vec<NewDelivery> {
    let mut rows = Vec::new();
    for c in &form.submission().channels {
        match c {
            Channel::Webhook(w) => rows.push(NewDelivery::webhook(&w.url, w.secret_env.as_deref())),
            Channel::Email(e) => {
                rows.push(NewDelivery::other("email", e.to_env.clone(), None));
                if let Some(field) = e.confirmation_to
                    && let engine::value::Value::Text(answer) = session.value(Instance { field, entry: None })
                    && let Some(address) = email::citizen_address(&answer)
                {
                    rows.push(NewDelivery::other("email-confirmation", address, None));
                }
            }
            Channel::FitConnect(f) => rows.push(NewDelivery::other("fitconnect", f.destination_env.clone(), Some(f.leika.clone()))),
            // A channel this server does not know yet (the enum grows): stored, not delivered.
            _ => tracing::error!(form = %form.id(), channel = c.kind(), "a delivery channel this server cannot send"),
        }
    }
    rows
}

/// Tells the outbox that something may be due now (a submission was stored), so it does
/// not wait for its next poll.
pub fn wake(state: &AppState) {
    state.outbox_wake.notify_one();
}

/// How long a claimed row is left alone: longer than one attempt can take (the HTTP
/// timeout), with a margin for the database writes around it.
fn lease_ms(state: &AppState) -> i64 {
    let smtp = state.config.smtp.as_ref().map_or(Duration::ZERO, |s| s.timeout);
    let fitconnect = state.config.fitconnect.as_ref().map_or(Duration::ZERO, |f| f.timeout);
    let timeout = state.config.webhook_timeout.max(smtp).max(fitconnect).as_millis().min(i64::MAX as u128 / 4) as i64;
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

/// One attempt of one claimed row; true when it was delivered.
async fn deliver(state: &AppState, item: OutboxItem) -> bool {
    let Ok(Some(sub)) = state.store.submission(&item.submission_id).await else { return false };
    let reference = sub.reference.clone();
    let attempt = match item.channel.as_str() {
        "webhook" => webhook::send(state, &item, sub).await,
        "email" | "email-confirmation" => email::send(state, &item, sub).await,
        "notification" => email::notify(state, &item, sub).await,
        "fitconnect" => fitconnect::send(state, &item, sub).await,
        other => Attempt::Retry(format!("unknown channel `{other}`")),
    };
    let now = state.now_ms();
    match attempt {
        Attempt::Delivered(receipt) => {
            if let Err(e) = state.store.outbox_delivered_now(&item.id, now, receipt.as_deref()).await {
                // Sent but not recorded: the lease runs out and it is sent again (at least
                // once; the receiver drops the repeat by its delivery id).
                tracing::error!(reference = %reference, channel = %item.channel, error = %e, "recording a delivery failed");
            }
            tracing::info!(reference = %reference, channel = %item.channel, "submission delivered");
            true
        }
        Attempt::Retry(reason) => failed(state, &item, &reference, reason).await,
        Attempt::GiveUp(reason) => {
            if let Err(e) = state.store.outbox_gave_up(&item.id, now, &reason).await {
                tracing::error!(reference = %reference, error = %e, "recording a refused delivery failed");
            }
            tracing::error!(reference = %reference, channel = %item.channel, error = %reason, "delivery refused for good, not retried");
            false
        }
    }
}

/// Records a failed attempt with its reason and the time of the next one; false.
async fn failed(state: &AppState, item: &OutboxItem, reference: &str, reason: String) -> bool {
    let base = state.config.retry_base.as_millis() as i64;
    let delay = base.saturating_mul(1i64 << item.attempts.clamp(0, 20)).min(3_600_000);
    if let Err(e) = state.store.outbox_failed(&item.id, state.now_ms() + delay, &reason).await {
        tracing::error!(reference = %reference, error = %e, "recording a failed delivery failed");
    }
    tracing::warn!(reference = %reference, channel = %item.channel, attempts = item.attempts + 1, error = %reason, "delivery failed, will retry");
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
