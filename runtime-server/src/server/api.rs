//! Health, metrics and the admin API (`Authorization: Bearer $WEGWEISER_ADMIN_TOKEN`):
//! submissions, and the deliveries the outbox has not done yet.
//!
//! With authorities, each may have a token of its own (`WEGWEISER_ADMIN_TOKEN_<ID>`,
//! docs/operations.md) that sees only its submissions and deliveries: another authority's
//! submission is "not found" to it, exactly like one that does not exist. The operator's
//! token sees everything.
//!
//! The token is compared in constant time; a client that sends wrong tokens too often
//! gets 429 for the rest of the minute, so it can neither time nor guess its way in.

use std::fmt::Write as _;

use axum::Extension;
use axum::extract::{FromRequest, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::security::{ClientIp, ct_eq};
use super::{AppState, delivery};

/// How long `/healthz` reports degraded after a request was answered with 507.
pub const FULL_REPORTED_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// `GET /healthz`: 200 `ok` when the database answers and takes a write; else 503 with
/// what is wrong: `database unavailable`, or `degraded: …` when reads work but writes do
/// not (the probe's write failed, or a write found the storage full in the last minute).
pub async fn healthz(State(state): State<AppState>) -> Response {
    let unhealthy = |text: String| (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], text).into_response();
    if state.store.submission_count().await.is_err() {
        return unhealthy("database unavailable".into());
    }
    if let Err(e) = state.store.write_probe(state.now_ms()).await {
        tracing::error!(error = %e, "health probe: the database takes no writes");
        let why = match super::store::Fault::of(&e) {
            super::store::Fault::Full => "storage full",
            super::store::Fault::Unavailable => "the database refuses writes",
        };
        return unhealthy(format!("degraded: {why}"));
    }
    let full_ago = state.last_full.lock().ok().and_then(|t| *t).map(|t| t.elapsed()).filter(|ago| *ago < FULL_REPORTED_FOR);
    if let Some(ago) = full_ago {
        return unhealthy(format!("degraded: storage full (a write failed {} s ago)", ago.as_secs()));
    }
    (StatusCode::OK, "ok").into_response()
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
    let _ = writeln!(
        out,
        "# HELP wegweiser_outbox_deliveries Outbox rows by channel and status (pending: not tried yet; retrying: the last \
         attempt failed; delivered; failed: refused for good).\n# TYPE wegweiser_outbox_deliveries gauge"
    );
    for (channel, status, n) in state.store.outbox_by_channel().await.unwrap_or_default() {
        let channel: String = channel.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let _ = writeln!(out, "wegweiser_outbox_deliveries{{channel=\"{channel}\",status=\"{status}\"}} {n}");
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
}

/// Whose submissions a request of the admin API may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// The operator (`WEGWEISER_ADMIN_TOKEN`): every authority's.
    Operator,
    /// An authority's token: only that authority's.
    Authority(String),
}

impl Viewer {
    /// The authority whose rows the store returns (`None`: all).
    fn only(&self) -> Option<&str> {
        match self {
            Viewer::Operator => None,
            Viewer::Authority(a) => Some(a),
        }
    }

    /// Whether it may see a submission of `authority`.
    fn sees(&self, authority: &str) -> bool {
        self.only().is_none_or(|a| a == authority)
    }
}

/// Whose token the request carries. Every configured token is compared (in constant time
/// each), whichever matches, so the time does not tell which one came close.
fn authorised(state: &AppState, headers: &HeaderMap) -> Option<Viewer> {
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    let mut found = None;
    if let Some(expected) = state.config.admin_token.as_deref().filter(|t| !t.is_empty())
        && ct_eq(given, expected)
    {
        found = Some(Viewer::Operator);
    }
    for (id, expected) in &state.config.authority_tokens {
        // An authority that is not served has no token either.
        if !expected.is_empty() && ct_eq(given, expected) && found.is_none() && state.tenants.contains_key(id) {
            found = Some(Viewer::Authority(id.clone()));
        }
    }
    found
}

/// Who may use the API; else the refusal: 429 while the client is over its limit of
/// failures, 401 (counted) for a missing or wrong token.
// The refusal is answered at once by the caller, never carried further: its size is moot.
#[allow(clippy::result_large_err)]
fn refuse(state: &AppState, headers: &HeaderMap, ip: ClientIp) -> Result<Viewer, Response> {
    if state.lookups.blocked(ip) {
        return Err((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "60")], "too many attempts").into_response());
    }
    if let Some(v) = authorised(state, headers) {
        return Ok(v);
    }
    state.lookups.failed(ip);
    Err((StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "unauthorized").into_response())
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Submissions per page of the list when `limit` is not given.
pub const PAGE_DEFAULT: i64 = 100;
/// The most submissions one page of the list holds, whatever `limit` asks for.
pub const PAGE_MAX: i64 = 1000;

/// `?limit=&after=` of the list.
#[derive(Debug, serde::Deserialize)]
pub struct Page {
    limit: Option<i64>,
    after: Option<String>,
}

/// `GET /api/v1/submissions[?limit=N][&after=REFERENCE]`: the submission documents,
/// oldest first, at most `limit` (default [`PAGE_DEFAULT`], at most [`PAGE_MAX`]) after
/// the one with the reference `after`. When there may be more, a `Link: <…>; rel="next"`
/// header names the next page (a full page is followed by one more request that may be
/// empty). An unknown `after` is 400.
pub async fn list(
    State(state): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let viewer = match refuse(&state, &headers, ip) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Ok(Query(page)) = page else { return (StatusCode::BAD_REQUEST, "limit must be a number").into_response() };
    let limit = page.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    match state.store.submissions_after(viewer.only(), page.after.as_deref(), limit).await {
        Ok(Some(subs)) => {
            let docs: Vec<serde_json::Value> = subs.iter().filter_map(|s| serde_json::from_str(&s.document).ok()).collect();
            let mut res = json(serde_json::to_string(&docs).unwrap_or_default());
            if let Some(last) = subs.last().filter(|_| subs.len() as i64 == limit) {
                let after: String = form_urlencoded::byte_serialize(last.reference.as_bytes()).collect();
                let link = format!("</api/v1/submissions?limit={limit}&after={after}>; rel=\"next\"");
                if let Ok(v) = header::HeaderValue::from_str(&link) {
                    res.headers_mut().insert(header::LINK, v);
                }
            }
            res
        }
        Ok(None) => (StatusCode::BAD_REQUEST, "no submission with the reference in `after`").into_response(),
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
    let viewer = match refuse(&state, &headers, ip) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match state.store.submission_by_reference(&reference).await {
        Ok(Some(s)) if viewer.sees(&s.authority) => json(s.document),
        Ok(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "database unavailable").into_response(),
    }
}

/// `GET /api/v1/outbox`: the deliveries not done yet (at most 1,000, soonest due first):
/// pending ones and those refused for good (`status: failed`), each with its channel,
/// reference, form, attempts, next attempt and the reason the last one failed. No URL (a
/// webhook URL may carry a token), no address (personal data).
pub async fn outbox(State(state): State<AppState>, Extension(ip): Extension<ClientIp>, headers: HeaderMap) -> Response {
    let viewer = match refuse(&state, &headers, ip) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match state.store.outbox_undelivered(viewer.only(), 1_000).await {
        Ok(rows) => {
            let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "delivery": d.id, "channel": d.channel, "status": if d.failed_at.is_some() { "failed" } else { "pending" },
                        "reference": d.reference, "form": d.form, "attempts": d.attempts,
                        "next_attempt_at": if d.failed_at.is_some() { None } else { at(d.next_attempt_at) },
                        "failed_at": d.failed_at.and_then(at), "last_error": d.last_error,
                    })
                })
                .collect();
            json(serde_json::to_string(&list).unwrap_or_default())
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "database unavailable").into_response(),
    }
}

/// `GET /api/v1/submissions/{reference}/channels`: each delivery channel of one submission
/// with its status (`pending`, `delivered`, `failed`), attempts, the reason the last
/// attempt failed, when it was delivered or given up and the receipt (an e-mail's
/// Message-ID; for FIT-Connect `{"submission_id", "case_id"}`). A delivered FIT-Connect row
/// also has `case`: the case's latest event about the submission, read from its event log at
/// the Zustelldienst now (`{"case_id", "events", "latest": {"event": "submit" | "accept" |
/// "reject" | …, "issued_at", "problems": [{"type", "title", "detail"}]}}`, or `{"case_id",
/// "error"}` when the log cannot be read). 404 for an unknown reference.
pub async fn channels(
    State(state): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    let viewer = match refuse(&state, &headers, ip) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let unavailable = || (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "database unavailable").into_response();
    // An authority's token sees only its own submissions' channels: another's is 404.
    match state.store.submission_by_reference(&reference).await {
        Ok(Some(s)) if viewer.sees(&s.authority) => {}
        Ok(_) => return (StatusCode::NOT_FOUND, "not found").into_response(),
        Err(_) => return unavailable(),
    }
    let Ok(rows) = state.store.channels_of(&reference).await else { return unavailable() };
    let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let mut list: Vec<serde_json::Value> = Vec::with_capacity(rows.len());
    for c in &rows {
        let mut row = serde_json::json!({
            "delivery": c.id, "channel": c.channel, "status": c.status(), "attempts": c.attempts,
            "next_attempt_at": if c.status() == "pending" { at(c.next_attempt_at) } else { None },
            "delivered_at": c.delivered_at.and_then(at), "failed_at": c.failed_at.and_then(at),
            "last_error": c.last_error, "receipt": c.receipt,
        });
        // A delivered FIT-Connect submission: its case's latest event, read now.
        if c.channel == "fitconnect"
            && c.status() == "delivered"
            && let Some(receipt) = c.receipt.as_deref()
            && let Some(case) = delivery::fitconnect::case_status(&state, receipt).await
        {
            row["case"] = case;
        }
        list.push(row);
    }
    json(serde_json::to_string(&serde_json::json!({ "reference": reference, "channels": list })).unwrap_or_default())
}

/// What `POST /api/v1/submissions/{reference}/messages` takes as JSON.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PostedMessage {
    kind: String,
    text: String,
}

/// `POST /api/v1/submissions/{reference}/messages`: posts a status (`kind: status`) or a
/// message (`kind: message`) to the submission's Postkorb, as JSON `{"kind", "text"}` or as
/// `multipart/form-data` with the parts `kind`, `text` and optionally `pdf` (a file: it
/// must start with `%PDF-` and be at most 10 MB, like an upload). The text is plain text
/// (at most 10,000 characters; the page escapes it). An authority's token reaches only its
/// own submissions (another's is 404). When the submission was made with a login whose
/// account gave an e-mail address and SMTP is configured, an outbox row `notification`
/// sends it a note without the message's content. 201 with `{"id"}`.
pub async fn post_message(
    State(state): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    Path(reference): Path<String>,
    req: axum::extract::Request,
) -> Response {
    use super::account::postkorb::{MAX_PDF_BYTES, MAX_TEXT_CHARS, NewMessage};
    let viewer = match refuse(&state, req.headers(), ip) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let unavailable = || (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "database unavailable").into_response();
    let bad = |why: &str| (StatusCode::BAD_REQUEST, why.to_string()).into_response();
    let sub = match state.store.submission_by_reference(&reference).await {
        Ok(Some(s)) if viewer.sees(&s.authority) => s,
        Ok(_) => return (StatusCode::NOT_FOUND, "not found").into_response(),
        Err(_) => return unavailable(),
    };
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let (kind, text, pdf) = if content_type.starts_with("multipart/form-data") {
        let mut mp = match axum::extract::Multipart::from_request(super::multipart::clean_part_headers(req), &state).await {
            Ok(m) => m,
            Err(e) => return e.into_response(),
        };
        let (mut kind, mut text, mut pdf) = (None, None, None);
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return (e.status(), "bad multipart body").into_response(),
            };
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(super::pages::clean_file_name);
            let Ok(bytes) = field.bytes().await else { return bad("bad multipart body") };
            match name.as_str() {
                "kind" => kind = Some(String::from_utf8_lossy(&bytes).into_owned()),
                "text" => match String::from_utf8(bytes.to_vec()) {
                    Ok(t) => text = Some(t),
                    Err(_) => return bad("text must be UTF-8"),
                },
                "pdf" if pdf.is_none() => pdf = Some((file_name.unwrap_or_else(|| "nachricht.pdf".into()), bytes.to_vec())),
                _ => return bad("unknown or repeated part: only kind, text and pdf"),
            }
        }
        match (kind, text) {
            (Some(k), Some(t)) => (k, t, pdf),
            _ => return bad("kind and text are needed"),
        }
    } else {
        let Ok(body) = axum::body::to_bytes(req.into_body(), MAX_TEXT_CHARS * 4 + 1024).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
        };
        match serde_json::from_slice::<PostedMessage>(&body) {
            Ok(m) => (m.kind, m.text, None),
            Err(_) => return bad("expected JSON {\"kind\": \"status\" | \"message\", \"text\": \"…\"}"),
        }
    };
    if kind != "status" && kind != "message" {
        return bad("kind must be status or message");
    }
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return bad("text must be 1 to 10000 characters");
    }
    // Plain text: line breaks and tabs stay, other control characters go.
    let text: String = text.replace("\r\n", "\n").chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
    if let Some((_, bytes)) = &pdf {
        if bytes.len() > MAX_PDF_BYTES {
            return (StatusCode::PAYLOAD_TOO_LARGE, "the PDF is larger than 10 MB").into_response();
        }
        if engine::checks::sniff_mime(bytes) != Some("application/pdf") {
            return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "the attachment is not a PDF").into_response();
        }
    }
    let notify = match state.store.submission_account_email(&sub.id).await {
        Ok(a) => a.filter(|_| state.config.smtp.is_some()),
        Err(_) => return unavailable(),
    };
    let new = NewMessage {
        submission_id: &sub.id,
        kind: &kind,
        text: &text,
        pdf: pdf.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        notify: notify.as_deref(),
        now: state.now_ms(),
    };
    match state.store.add_message(&new).await {
        Ok(id) => {
            if notify.is_some() {
                delivery::wake(&state);
            }
            tracing::info!(reference = %reference, kind = %kind, "Postkorb message posted");
            (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], serde_json::json!({ "id": id }).to_string()).into_response()
        }
        Err(_) => unavailable(),
    }
}
