//! Health, metrics and the admin API (`Authorization: Bearer $WEGWEISER_ADMIN_TOKEN`):
//! submissions, and the deliveries the outbox has not done yet.
//!
//! The token is compared in constant time; a client that sends wrong tokens too often
//! gets 429 for the rest of the minute, so it can neither time nor guess its way in.

use std::fmt::Write as _;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::security::{ClientIp, ct_eq};

/// `GET /healthz`: the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.submission_count().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP wegweiser_http_requests_total HTTP requests by route and status.\n");
    out.push_str("# TYPE wegweiser_http_requests_total counter\n");
    if let Ok(m) = state.requests.lock() {
        for ((route, status), n) in m.iter() {
            let _ = writeln!(out, "wegweiser_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}", route.replace('"', "'"));
        }
    }
    let submissions = state.store.submission_count().await.unwrap_or(0);
    let pending = state.store.outbox_pending().await.unwrap_or(0);
    let delivered = state.store.outbox_delivered().await.unwrap_or(0);
    let _ = writeln!(out, "# HELP wegweiser_submissions_total Submissions stored.\n# TYPE wegweiser_submissions_total counter");
    let _ = writeln!(out, "wegweiser_submissions_total {submissions}");
    let _ = writeln!(out, "# HELP wegweiser_outbox_pending Deliveries waiting in the outbox.\n# TYPE wegweiser_outbox_pending gauge");
    let _ = writeln!(out, "wegweiser_outbox_pending {pending}");
    let _ = writeln!(out, "# HELP wegweiser_outbox_delivered_total Deliveries done.\n# TYPE wegweiser_outbox_delivered_total counter");
    let _ = writeln!(out, "wegweiser_outbox_delivered_total {delivered}");
    let failing = state.store.outbox_failing().await.unwrap_or(0);
    let _ = writeln!(
        out,
        "# HELP wegweiser_outbox_failing Deliveries whose last attempt failed (see /api/v1/outbox).\n# TYPE wegweiser_outbox_failing gauge"
    );
    let _ = writeln!(out, "wegweiser_outbox_failing {failing}");
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
}

fn authorised(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(expected) = state.config.admin_token.as_deref().filter(|t| !t.is_empty()) else { return false };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    ct_eq(given, expected)
}

/// `None` when the request may use the API; else the refusal: 429 while the client is
/// over its limit of failures, 401 (counted) for a missing or wrong token.
fn refuse(state: &AppState, headers: &HeaderMap, ip: ClientIp) -> Option<Response> {
    if state.lookups.blocked(ip) {
        return Some((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "60")], "too many attempts").into_response());
    }
    if authorised(state, headers) {
        return None;
    }
    state.lookups.failed(ip);
    Some((StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "unauthorized").into_response())
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `GET /api/v1/submissions`: every submission document.
pub async fn list(State(state): State<AppState>, Extension(ip): Extension<ClientIp>, headers: HeaderMap) -> Response {
    if let Some(r) = refuse(&state, &headers, ip) {
        return r;
    }
    match state.store.submissions().await {
        Ok(subs) => {
            let docs: Vec<serde_json::Value> = subs.iter().filter_map(|s| serde_json::from_str(&s.document).ok()).collect();
            json(serde_json::to_string(&docs).unwrap_or_default())
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "database unavailable").into_response(),
    }
}

/// `GET /api/v1/submissions/{reference}`.
pub async fn one(
    State(state): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    if let Some(r) = refuse(&state, &headers, ip) {
        return r;
    }
    match state.store.submission_by_reference(&reference).await {
        Ok(Some(s)) => json(s.document),
        Ok(None) => (StatusCode::NOT_FOUND, "not found").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "database unavailable").into_response(),
    }
}

/// `GET /api/v1/outbox`: the deliveries not done yet (at most 1,000, soonest due first),
/// each with its reference, form, attempts, next attempt and the reason the last one
/// failed. No URL: a webhook URL may carry a token.
pub async fn outbox(State(state): State<AppState>, Extension(ip): Extension<ClientIp>, headers: HeaderMap) -> Response {
    if let Some(r) = refuse(&state, &headers, ip) {
        return r;
    }
    match state.store.outbox_undelivered(1_000).await {
        Ok(rows) => {
            let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "delivery": d.id, "reference": d.reference, "form": d.form, "attempts": d.attempts,
                        "next_attempt_at": at(d.next_attempt_at), "last_error": d.last_error,
                    })
                })
                .collect();
            json(serde_json::to_string(&list).unwrap_or_default())
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "database unavailable").into_response(),
    }
}
