//! "Meine Anträge" (`/konto`): the logged-in citizen's open drafts (continue on this browser,
//! delete), the drafts this browser started without a login (take them into the account),
//! the submissions (reference, date, form, authority, each channel's delivery status, the
//! PDF) and each submission's Postkorb (the messages the authority posted through the admin
//! API, with their PDFs).
//!
//! Only for a logged-in account: without one `/konto` goes to the login, and the other
//! routes answer 404 (GET) or 403 (POST). Every lookup names the account
//! ([`super::postkorb`]), so another account's draft, submission or message is "not found",
//! exactly like one that does not exist. Every POST checks the CSRF token and the origin.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::TimeZone;

use super::super::AppState;
use super::super::pages::{self, Sid};
use super::super::security;
use super::super::tenant;
use super::postkorb::ListedSubmission;
use super::{Account, CurrentAccount, owner_hash};

/// Unix ms as German local date and time.
fn when(ms: i64) -> String {
    chrono::Local.timestamp_millis_opt(ms).single().map_or_else(String::new, |t| t.format("%d.%m.%Y, %H:%M Uhr").to_string())
}

/// The authority's name (`""`: none).
fn authority_name(state: &AppState, authority: &str) -> Option<String> {
    state.tenants.get(authority).map(|t| t.authority.name.clone())
}

/// A channel's status in plain German.
fn channel_text(channel: &str, status: &str) -> Option<(&'static str, &'static str)> {
    let name = match channel {
        "webhook" | "fitconnect" => "Übermittlung an die Behörde",
        "email" => "E-Mail an die Behörde",
        "email-confirmation" => "Eingangsbestätigung an Sie per E-Mail",
        // The Postkorb's own notifications are no delivery of the application.
        _ => return None,
    };
    let text = match status {
        "delivered" => "zugestellt",
        "failed" => "nicht zugestellt – bitte wenden Sie sich an die Behörde",
        _ => "wird übermittelt",
    };
    Some((name, text))
}

fn not_found(state: &AppState, sid: &Sid) -> Response {
    pages::not_found_page(state, sid)
}

fn storage(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "storage error in Meine Anträge");
    (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "database unavailable").into_response()
}

fn render(state: &AppState, sid: &Sid, template: &str, path: &str, extra: minijinja::Value) -> Response {
    let b = pages::base(state, None, "de", sid, path, &[]);
    pages::page(state, template, b, extra)
}

/// The logged-in account, else the response for a request without one.
#[allow(clippy::result_large_err)]
fn logged_in(state: &AppState, sid: &Sid, acc: CurrentAccount, page: Option<&str>) -> Result<Account, Response> {
    match acc.0 {
        Some(a) => Ok(a),
        // Without an identity provider there is no account page at all.
        None if state.oidc.is_none() => Err(not_found(state, sid)),
        None => Err(match page {
            Some(next) => {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
            None => not_found(state, sid),
        }),
    }
}

/// The form title and the continue address of a draft's form under its authority.
fn draft_context(state: &AppState, d: &super::postkorb::ListedDraft) -> minijinja::Value {
    let title = super::super::delivery::email::form_title(state, &d.form);
    minijinja::context! {
        id => d.id, title => title, authority => authority_name(state, &d.authority), updated => when(d.updated_at),
    }
}

/// Whether a form offers the login (only then can its draft belong to an account).
fn takes_login(state: &AppState, form: &str) -> bool {
    state.forms.get(form).is_some_and(|s| s.form.login().mode != engine::account::LoginMode::None)
}

/// `GET /konto`: "Meine Anträge".
pub async fn overview(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
) -> Response {
    let a = match logged_in(&state, &sid, acc, Some("/konto")) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let now = state.now_ms();
    let anonymous_owner = owner_hash(&sid.0, None);
    let (drafts, anonymous, subs) = match tokio::try_join!(
        state.store.account_drafts(&a.issuer, &a.subject, now),
        state.store.anonymous_drafts(&anonymous_owner, now),
        state.store.account_submissions(&a.issuer, &a.subject),
    ) {
        Ok(x) => x,
        Err(e) => return storage(e),
    };
    // Only a draft of a form that offers the login can belong to an account (a form without
    // `login:` never sees one, so the moved draft could never be opened again).
    let anonymous: Vec<_> = anonymous.iter().filter(|d| takes_login(&state, &d.form)).map(|d| draft_context(&state, d)).collect();
    let drafts: Vec<_> = drafts.iter().map(|d| draft_context(&state, d)).collect();
    let mut submissions = Vec::with_capacity(subs.len());
    for s in &subs {
        submissions.push(match submission_context(&state, s).await {
            Ok(c) => c,
            Err(r) => return r,
        });
    }
    render(
        &state,
        &sid,
        "konto.html",
        "/konto",
        minijinja::context! { drafts => drafts, anonymous => anonymous, submissions => submissions },
    )
}

async fn submission_context(state: &AppState, s: &ListedSubmission) -> Result<minijinja::Value, Response> {
    let channels = state.store.channels_of(&s.reference).await.map_err(storage)?;
    let channels: Vec<_> = channels
        .iter()
        .filter_map(|c| channel_text(&c.channel, c.status()))
        .map(|(name, status)| minijinja::context! { name => name, status => status })
        .collect();
    let path: String = form_urlencoded::byte_serialize(s.reference.as_bytes()).collect();
    Ok(minijinja::context! {
        reference => s.reference, url => format!("/konto/antraege/{path}"), date => when(s.created_at),
        title => super::super::delivery::email::form_title(state, &s.form), authority => authority_name(state, &s.authority),
        channels => channels, messages => s.messages, unread => s.unread,
    })
}

/// `GET /konto/antraege/{reference}`: one submission and its Postkorb; its messages are
/// marked read.
pub async fn submission(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(reference): Path<String>,
) -> Response {
    let here = format!("/konto/antraege/{}", form_urlencoded::byte_serialize(reference.as_bytes()).collect::<String>());
    let a = match logged_in(&state, &sid, acc, Some(&here)) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let s = match state.store.account_submission(&reference, &a.issuer, &a.subject).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&state, &sid),
        Err(e) => return storage(e),
    };
    let messages = match state.store.messages_of(&s.id).await {
        Ok(m) => m,
        Err(e) => return storage(e),
    };
    if s.unread > 0
        && let Err(e) = state.store.mark_messages_read(&s.id, state.now_ms()).await
    {
        return storage(e);
    }
    let ctx = match submission_context(&state, &s).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let messages: Vec<_> = messages
        .iter()
        .map(|m| {
            minijinja::context! {
                date => when(m.created_at), status => m.kind == "status", new => m.read_at.is_none(),
                // Plain text: the template escapes it and keeps its line breaks.
                paragraphs => m.text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>(),
                pdf_url => m.pdf_name.as_ref().map(|_| format!("{here}/nachrichten/{}.pdf", m.id)),
                pdf_name => m.pdf_name, pdf_kb => m.pdf_size.map(|b| (b as u64).div_ceil(1024)),
            }
        })
        .collect();
    render(&state, &sid, "konto_antrag.html", &here, minijinja::context! { s => ctx, messages => messages })
}

fn pdf_response(name: &str, bytes: Vec<u8>) -> Response {
    let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// `GET /konto/antraege/{reference}/antrag.pdf`: the submission's PDF, for its own account only.
pub async fn submission_pdf(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(reference): Path<String>,
) -> Response {
    let a = match logged_in(&state, &sid, acc, None) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let s = match state.store.account_submission(&reference, &a.issuer, &a.subject).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&state, &sid),
        Err(e) => return storage(e),
    };
    let authority = (!s.authority.is_empty()).then_some(s.authority.as_str());
    let Some(scope) = tenant::resolve(&state, authority, &s.form) else { return not_found(&state, &sid) };
    let draft = match state.store.draft_of_submission(&s.id).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(&state, &sid),
        Err(e) => return storage(e),
    };
    match super::super::pdf::of_draft(&state, scope, &draft).await {
        Ok(bytes) => pdf_response(&super::super::pdf::file_name(&s.reference), bytes),
        Err(super::super::pdf::PdfFault::Storage(e)) => storage(e),
        Err(super::super::pdf::PdfFault::Render(e)) => {
            tracing::warn!(error = %e, "no PDF of the submission");
            super::super::pages::message(&state, StatusCode::UNPROCESSABLE_ENTITY, "de", &sid, "pdf_unavailable", "pdf_unavailable_text")
        }
        Err(e) => {
            tracing::error!(error = %e, "no PDF of the submission");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// `GET /konto/antraege/{reference}/nachrichten/{id}.pdf`: a message's PDF, for the
/// submission's own account only.
pub async fn message_pdf(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path((reference, attachment)): Path<(String, String)>,
) -> Response {
    let a = match logged_in(&state, &sid, acc, None) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(id) = attachment.strip_suffix(".pdf") else { return not_found(&state, &sid) };
    let s = match state.store.account_submission(&reference, &a.issuer, &a.subject).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&state, &sid),
        Err(e) => return storage(e),
    };
    match state.store.message_pdf(&s.id, id).await {
        Ok(Some((name, bytes))) => pdf_response(&name, bytes),
        Ok(None) => not_found(&state, &sid),
        Err(e) => storage(e),
    }
}

/// The CSRF-checked POST of a `/konto` button; the account, else the refusal.
#[allow(clippy::result_large_err)]
async fn checked_post(state: &AppState, sid: &Sid, acc: CurrentAccount, req: Request) -> Result<Account, Response> {
    let forbidden = || pages::message_page(state, StatusCode::FORBIDDEN, "forbidden", "forbidden_text");
    let Some(a) = acc.0 else { return Err(forbidden()) };
    let headers: HeaderMap = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 4096).await.map_err(|_| forbidden())?;
    let token = form_urlencoded::parse(&body).find(|(k, _)| k == "_csrf").map(|(_, v)| v.into_owned());
    let expected = security::csrf_token(&sid.0);
    if security::same_origin(&headers) && token.is_some_and(|t| security::ct_eq(&t, &expected)) { Ok(a) } else { Err(forbidden()) }
}

/// Where a draft's form starts under its authority.
fn form_url(state: &AppState, form: &str, authority: &str) -> String {
    let authority = (!authority.is_empty()).then_some(authority);
    tenant::resolve(state, authority, form).map_or_else(|| "/konto".to_string(), |s| s.form_url())
}

/// `POST /konto/entwuerfe/{id}/fortsetzen`: continue a draft of the account in this browser
/// (it moves here; any device where the same account is logged in can take it).
pub async fn resume(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let a = match checked_post(&state, &sid, acc, req).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match state.store.take_account_draft(&id, &a.issuer, &a.subject, &owner_hash(&sid.0, Some(&a)), state.now_ms()).await {
        Ok(Some((form, authority))) => Redirect::to(&form_url(&state, &form, &authority)).into_response(),
        Ok(None) => not_found(&state, &sid),
        Err(e) => storage(e),
    }
}

/// `POST /konto/entwuerfe/{id}/loeschen`: deletes a draft of the account.
pub async fn delete(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let a = match checked_post(&state, &sid, acc, req).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match state.store.delete_account_draft(&id, &a.issuer, &a.subject).await {
        Ok(true) => Redirect::to("/konto").into_response(),
        Ok(false) => not_found(&state, &sid),
        Err(e) => storage(e),
    }
}

/// `POST /konto/entwuerfe/{id}/uebernehmen`: takes a draft this browser started without a
/// login into the account.
pub async fn adopt(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let a = match checked_post(&state, &sid, acc, req).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (anonymous, owner) = (owner_hash(&sid.0, None), owner_hash(&sid.0, Some(&a)));
    // Only what the page offers: a draft of a form that offers the login (a form without
    // `login:` never sees the account, so its draft would be lost in it).
    let offered = match state.store.anonymous_drafts(&anonymous, state.now_ms()).await {
        Ok(d) => d.iter().any(|d| d.id == id && takes_login(&state, &d.form)),
        Err(e) => return storage(e),
    };
    if !offered {
        return not_found(&state, &sid);
    }
    match state.store.adopt_draft(&id, &anonymous, &a.issuer, &a.subject, &owner, state.now_ms()).await {
        Ok(Some(_)) => Redirect::to("/konto").into_response(),
        Ok(None) => not_found(&state, &sid),
        Err(e) => storage(e),
    }
}
