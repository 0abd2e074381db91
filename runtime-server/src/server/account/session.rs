//! The account of a request: [`account_session`] reads the account cookie, checks the
//! session's idle and absolute lifetime in the database and hands the handlers a
//! [`CurrentAccount`]; [`gate`] is what a form's `login:` asks before a step, the summary or
//! the submission is served.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use engine::account::{AccountValues, LoginMode, TrustLevel};
use engine::form::Form;

use super::super::AppState;
use super::super::pages::Sid;
use super::super::security;
use super::super::tenant::Scope;
use super::{ACCOUNT_COOKIE, Account};

/// The request's account, if a citizen is logged in (always `None` without an identity
/// provider).
#[derive(Debug, Clone, Default)]
pub struct CurrentAccount(pub Option<Account>);

tokio::task_local! {
    /// Whether the request being answered has a logged-in account: the page header links
    /// to "Meine Anträge" then ([`logged_in`]), without every handler passing it down.
    static LOGGED_IN: bool;
}

/// Whether the request being answered has a logged-in account (false outside a request).
pub fn logged_in() -> bool {
    LOGGED_IN.try_with(|v| *v).unwrap_or(false)
}

/// Idle time is written back at most this often (not on every request).
const TOUCH_EVERY_MS: i64 = 60_000;

/// Finds the account session of the account cookie; an expired one is deleted and its
/// cookie cleared. Without an identity provider it does nothing (no database read).
pub async fn account_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Assets, the health probe and the metrics need no account: no database read for them.
    let path = req.uri().path();
    let needs = !(path.starts_with("/assets/") || path == "/healthz" || path == "/metrics");
    let Some(oidc) = state.oidc.as_ref().filter(|_| needs) else {
        req.extensions_mut().insert(CurrentAccount(None));
        return next.run(req).await;
    };
    let mut clear = false;
    let mut account = None;
    if let Some(id) = security::cookie(req.headers(), ACCOUNT_COOKIE).filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        let id_hash = security::sha256_hex(&id);
        let now = state.now_ms();
        match state.store.account_session(&id_hash).await {
            Ok(Some(s)) => {
                let idle = oidc.settings.idle.as_millis() as i64;
                if now >= s.expires_at || now - s.last_seen_at >= idle {
                    let _ = state.store.delete_account_session(&id_hash).await;
                    clear = true;
                } else {
                    if now - s.last_seen_at >= TOUCH_EVERY_MS.min(idle / 2) {
                        let _ = state.store.touch_account_session(&id_hash, now).await;
                    }
                    let values = AccountValues {
                        trust: s.trust.as_deref().and_then(TrustLevel::parse),
                        values: serde_json::from_str(&s.claims).unwrap_or_default(),
                    };
                    account = Some(Account { issuer: s.issuer, subject: s.subject, values });
                }
            }
            Ok(None) => clear = true,
            Err(e) => {
                tracing::error!(error = %e, "storage error reading the account session");
                return super::super::pages::message_page(&state, StatusCode::SERVICE_UNAVAILABLE, "unavailable", "unavailable_text");
            }
        }
    }
    let logged_in = account.is_some();
    req.extensions_mut().insert(CurrentAccount(account));
    let mut res = LOGGED_IN.scope(logged_in, next.run(req)).await;
    if clear {
        let c = security::set_cookie(ACCOUNT_COOKIE, "", 0, state.config.secure_cookies);
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// What a form's `login:` says of a request for one of its steps, its summary or its
/// submission: `Some` response when it may not go on. A `required` form without a login
/// goes back to its start page (which offers the login); a login below the form's trust
/// level gets the page that says which level is needed. Both stay under the authority the
/// form is asked for under (`scope`).
pub fn gate(state: &AppState, sid: &Sid, scope: Scope<'_>, account: Option<&Account>, lang: &str) -> Option<Response> {
    let form = &scope.served.form;
    match (form.login().mode, account) {
        (LoginMode::None, _) => None,
        (LoginMode::Required, None) => Some(Redirect::to(&scope.form_url()).into_response()),
        (LoginMode::Optional, None) => None,
        (_, Some(a)) => too_low(form, a).then(|| trust_page(state, sid, scope, a, lang)),
    }
}

/// Whether the account's login is below the form's trust level.
pub fn too_low(form: &Form, a: &Account) -> bool {
    form.login().trust.is_some_and(|need| a.values.trust.is_none_or(|have| have < need))
}

/// The page for a login whose trust level is too low (403).
pub fn trust_page(state: &AppState, sid: &Sid, scope: Scope<'_>, a: &Account, lang: &str) -> Response {
    let form = &scope.served.form;
    let need = form.login().trust.map(TrustLevel::as_str).unwrap_or_default();
    let have = a.values.trust.map(TrustLevel::as_str);
    let mut res =
        super::super::pages::account_page(state, sid, scope, lang, "trust.html", minijinja::context! { need => need, have => have });
    *res.status_mut() = StatusCode::FORBIDDEN;
    res
}
