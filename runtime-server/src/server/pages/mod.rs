//! The HTML pages: the list of forms, a form's start page, one page per step, the
//! summary, the submission, the confirmation and the resume link. This file holds what
//! every page shares (the browser session, the language, rendering, messages, loading and
//! saving a draft); `step.rs`, `resume.rs`, `submit.rs`, `legal.rs` and `assets.rs` the
//! pages by concern.
//!
//! The post of a step (no JavaScript) is read by the engine (`Session::answer_step`), the
//! same rule the browser module follows: only the active input fields of that step are
//! read from the body (anything else is ignored); fields that become active through the
//! post are read too, but shown without an error the first time; a valid step answers
//! with a 303 to the next step on the path. The server's own part is the uploads.

use std::collections::{BTreeSet, HashMap};

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use engine::answers::{PostedStep, Refusal};
use engine::form::{FieldType, Target};
use engine::ids::StepId;
use engine::session::{BudgetExhausted, Renumbered, Session, Snapshot};
use engine::value::FileRef;
use serde::Deserialize;

use super::AppState;
use super::account::{self, Account, CurrentAccount};
use super::security::{self, ClientIp, LANG_COOKIE, SESSION_COOKIE};
use super::store::{Fault, NewDraft, NewSubmission, Store, SubmitOutcome};
use super::tenant::{self, FormPath, ResumePath, Scope, StepPath, Tenant};
use super::view;

mod assets;
mod legal;
mod resume;
mod step;
mod submit;

pub use assets::*;
pub use legal::*;
pub use resume::*;
pub use step::*;
pub use submit::*;

/// The browser session of a request (the cookie's token).
#[derive(Clone, Debug)]
pub struct Sid(pub String);

impl Sid {
    /// The SHA-256 of the session token (what the database sees).
    pub fn hash(&self) -> String {
        security::sha256_hex(&self.0)
    }

    /// The key of this browser session's drafts of a form, with the account the form sees
    /// ([`account::owner_hash`]).
    fn owner(&self, account: Option<&Account>) -> String {
        account::owner_hash(&self.0, account)
    }
}

/// A message page for the login routes (German, the default language).
pub fn account_message(state: &AppState, sid: &Sid, status: StatusCode, title_key: &str, text_key: &str) -> Response {
    message(state, status, "de", sid, title_key, text_key)
}

/// A page about a form's login (the trust-level page) with the page's usual context, in the
/// branding of the authority the form is asked for under.
pub fn account_page(state: &AppState, sid: &Sid, scope: Scope<'_>, lang: &str, template: &str, extra: minijinja::Value) -> Response {
    let form = &scope.served.form;
    let lang = form.languages().iter().find(|l| *l == lang).map_or(form.default_language(), String::as_str);
    let b = base(state, scope.tenant, lang, sid, &scope.form_url(), form.languages());
    page(state, template, b, extra)
}

/// Gives every request a browser session; sets the cookie when it is new. Only a cookie
/// this server issued is adopted (its tag is checked): an id the client made up gets a
/// fresh session instead.
pub async fn browser_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let key = state.store.session_key();
    let existing = security::cookie(req.headers(), SESSION_COOKIE).and_then(|v| security::verified_session(key, &v));
    let (sid, new) = match existing {
        Some(s) => (s, false),
        None => (security::random_hex(16), true),
    };
    req.extensions_mut().insert(Sid(sid.clone()));
    let ip = ClientIp::of(&req, state.config.client_ip_header.as_deref());
    req.extensions_mut().insert(ip);
    // An asset needs no session, and a response that caches publicly must not set a cookie.
    let asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    if new && !asset {
        let max_age = state.config.draft_ttl.as_secs() as i64;
        let c = security::set_cookie(SESSION_COOKIE, &security::session_cookie_value(key, &sid), max_age, state.config.secure_cookies);
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// `?lang=`.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// A page in German or English (`?lang=`, the cookie), with the language cookie set when
/// it was chosen now.
pub(crate) fn with_language(state: &AppState, headers: &HeaderMap, q: &LangQuery, page: impl FnOnce(&str) -> Response) -> Response {
    let lang = language(state, headers, q, &["de".into(), "en".into()]);
    with_cookie(page(&lang.code), &lang)
}

/// The language of a page: `?lang=` (remembered in a cookie), the cookie, or the default.
pub(crate) struct Lang {
    code: String,
    set_cookie: Option<String>,
}

pub(crate) fn language(state: &AppState, headers: &HeaderMap, q: &LangQuery, offered: &[String]) -> Lang {
    let ok = |l: &str| offered.iter().any(|o| o == l);
    if let Some(l) = q.lang.as_deref().filter(|l| ok(l)) {
        let c = security::set_cookie(LANG_COOKIE, l, 365 * 24 * 3600, state.config.secure_cookies);
        return Lang { code: l.to_string(), set_cookie: Some(c) };
    }
    if let Some(l) = security::cookie(headers, LANG_COOKIE).filter(|l| ok(l)) {
        return Lang { code: l, set_cookie: None };
    }
    Lang { code: offered.first().cloned().unwrap_or_else(|| "de".into()), set_cookie: None }
}

pub(crate) fn with_cookie(mut res: Response, lang: &Lang) -> Response {
    if let Some(c) = &lang.set_cookie
        && let Ok(v) = HeaderValue::from_str(c)
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub(crate) fn render(state: &AppState, name: &str, ctx: minijinja::Value) -> Response {
    match state.templates.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template error");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "internal error");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// The page for a storage error: 507 when the disk is full, 503 (with `Retry-After`)
/// when the database is busy or away. Never a 500: the citizen can do something (wait,
/// try again), and the answers saved before are untouched.
pub(crate) fn storage_error(state: &AppState, e: sqlx::Error) -> Response {
    let fault = Fault::of(&e);
    // The error names no answer: statements bind values as parameters.
    tracing::error!(error = %e, ?fault, "storage error");
    match fault {
        Fault::Full => message_page(state, StatusCode::INSUFFICIENT_STORAGE, "storage_full", "storage_full_text"),
        Fault::Unavailable => {
            let mut res = message_page(state, StatusCode::SERVICE_UNAVAILABLE, "unavailable", "unavailable_text");
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            res
        }
    }
}

/// A plain message page in German (the default language) for a request that has no
/// form context: timeouts, storage errors, too many attempts.
pub fn message_page(state: &AppState, status: StatusCode, title_key: &str, text_key: &str) -> Response {
    message(state, status, "de", &Sid(String::new()), title_key, text_key)
}

/// 429 for a client that guessed too often.
pub(crate) fn too_many(state: &AppState) -> Response {
    let mut res = message_page(state, StatusCode::TOO_MANY_REQUESTS, "too_many", "too_many_text");
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res
}

/// Links to the same page in each language.
pub(crate) fn lang_links(path: &str, offered: &[String], current: &str) -> Vec<minijinja::Value> {
    offered
        .iter()
        .filter(|l| *l != current)
        .map(|l| {
            let name = match l.as_str() {
                "de" => "Deutsch",
                "en" => "English",
                other => other,
            };
            minijinja::context! { code => l, name => name, href => format!("{path}?lang={l}") }
        })
        .collect()
}

/// The context every page has; with `tenant`, in the authority's branding (header, footer,
/// stylesheet).
pub(crate) fn base(state: &AppState, tenant: Option<&Tenant>, lang: &str, sid: &Sid, path: &str, offered: &[String]) -> minijinja::Value {
    let _ = state;
    minijinja::context! {
        lang => lang,
        t => view::texts(lang),
        csrf => security::csrf_token(&sid.0),
        languages => lang_links(path, offered, lang),
        brand => tenant.map(Tenant::brand),
        logged_in => account::session::logged_in(),
    }
}

pub(crate) fn page(state: &AppState, name: &str, base: minijinja::Value, extra: minijinja::Value) -> Response {
    render(state, name, minijinja::context! { ..extra, ..base })
}

pub(crate) fn message(state: &AppState, status: StatusCode, lang: &str, sid: &Sid, title_key: &str, text_key: &str) -> Response {
    let t = view::texts(lang);
    let b = base(state, None, lang, sid, "/", &["de".into(), "en".into()]);
    let mut res = page(state, "message.html", b, minijinja::context! { title => t[title_key], text => t[text_key] });
    *res.status_mut() = status;
    res
}

/// 404.
pub async fn not_found(State(state): State<AppState>, headers: HeaderMap, req: Request) -> Response {
    let sid = req.extensions().get::<Sid>().cloned().unwrap_or(Sid(String::new()));
    let lang = language(&state, &headers, &LangQuery { lang: None }, &["de".into(), "en".into()]);
    message(&state, StatusCode::NOT_FOUND, &lang.code, &sid, "not_found", "not_found_text")
}

pub(crate) fn form_not_found(state: &AppState, sid: &Sid) -> Response {
    message(state, StatusCode::NOT_FOUND, "de", sid, "not_found", "not_found_text")
}

/// The 404 page, for the authorities' pages.
pub(crate) fn not_found_page(state: &AppState, sid: &Sid) -> Response {
    form_not_found(state, sid)
}

/// The answer to a request whose evaluation budget ran out (`Config::eval_budget`): the
/// engine's query said [`BudgetExhausted`], so its answers to "what is visible, what is
/// wrong, what comes next" cannot be trusted: a 503 page instead of acting on them. Nothing
/// of the request is stored (the draft keeps the answers saved before it).
pub(crate) fn over_budget(state: &AppState, sid: &Sid, lang: &str, s: &Session<'_>, _: BudgetExhausted) -> Response {
    budget_page(state, sid, lang, s.form().id())
}

/// The 503 page of [`over_budget`], for the form `form`.
pub(crate) fn budget_page(state: &AppState, sid: &Sid, lang: &str, form: &str) -> Response {
    tracing::error!(form = %form, budget = state.config.eval_budget, "evaluation budget of the request exhausted; the form is too costly");
    message(state, StatusCode::SERVICE_UNAVAILABLE, lang, sid, "too_complex", "too_complex_text")
}

/// `GET /`: the forms.
pub async fn index(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let offered = vec!["de".to_string(), "en".to_string()];
    let lang = language(&state, &headers, &q, &offered);
    let mut forms = Vec::new();
    for (id, served) in &state.forms {
        let s = Session::new(&served.form, &lang.code, state.today());
        let title = s.render(served.form.title(), None);
        let description = served.form.description().map(|d| s.render(d, None));
        forms.push(minijinja::context! { id => id, title => title, description => description });
    }
    let b = base(&state, None, &lang.code, &sid, "/", &offered);
    with_cookie(page(&state, "index.html", b, minijinja::context! { forms => forms }), &lang)
}

/// A session loaded for a request.
pub(crate) struct Loaded<'f> {
    session: Session<'f>,
    draft: Option<String>,
    /// The authority the draft belongs to (`""` without one).
    authority: String,
    /// The account the form sees (none for a form without `login:`).
    account: Option<Account>,
    /// The id a new draft will be created with (the step POST needs it before the draft's
    /// one write).
    reserved: Option<String>,
}

/// The request's session: the browser session's open draft of this form under this
/// authority (a draft of another authority is never opened here), or a new one, with the
/// authority's parameter values. The draft's owner is the browser session together with
/// the account the form sees ([`Sid::owner`]).
pub(crate) async fn load<'f>(
    state: &AppState,
    scope: Scope<'f>,
    sid: &Sid,
    account: Option<&Account>,
    lang: &str,
) -> Result<Loaded<'f>, Response> {
    let now = state.now_ms();
    let served = scope.served;
    let account = account::for_form(&served.form, account);
    let draft = state
        .store
        .open_draft(&sid.owner(account), scope.authority_id(), served.form.id(), now)
        .await
        .map_err(|e| storage_error(state, e))?;
    let budget = state.config.eval_budget;
    // A new draft of a logged-in citizen starts with the answers from the account.
    let fresh = || {
        let mut s = scope.session(lang, state.today())?;
        s.set_step_budget(budget);
        if let Some(a) = account {
            s.prefill(&a.values);
        }
        Ok(s)
    };
    // The budget is set once, before the draft's answers are first evaluated: renewing it
    // afterwards would double the allowance and forget an exhaustion during the restore.
    let restored = match draft.as_ref().map(|d| serde_json::from_str::<Snapshot>(&d.snapshot)) {
        Some(Ok(snap)) => match scope.parameters() {
            Some(p) => Session::restore_with_parameters(&served.form, &snap, state.today(), budget, p).map(|r| r.0),
            None => Ok(Session::restore_with_budget(&served.form, &snap, state.today(), budget).0),
        },
        Some(Err(_)) | None => fresh(),
    };
    // The values were checked when the authority was read: an error here is the server's.
    let mut session = restored.map_err(internal)?;
    // The walk of the restored (or prefilled) answers decides the path: a path that ran out
    // of budget is refused before anything acts on it.
    if let Err(e) = session.path() {
        return Err(over_budget(state, sid, lang, &session, e));
    }
    session.set_language(lang);
    Ok(Loaded {
        session,
        draft: draft.map(|d| d.id),
        authority: scope.authority_id().to_string(),
        account: account.cloned(),
        reserved: None,
    })
}

pub(crate) async fn save(state: &AppState, sid: &Sid, l: &mut Loaded<'_>) -> Result<String, Response> {
    let snap = serde_json::to_string(&l.session.snapshot()).map_err(internal)?;
    save_json(state, sid, l, &snap).await
}

/// [`save`] with the snapshot already serialised (the step POST measures it first).
pub(crate) async fn save_json(state: &AppState, sid: &Sid, l: &mut Loaded<'_>, snap: &str) -> Result<String, Response> {
    let ttl = state.config.draft_ttl.as_millis() as i64;
    let now = state.now_ms();
    match &l.draft {
        Some(id) => {
            state.store.save_draft(id, snap, now, ttl).await.map_err(|e| storage_error(state, e))?;
            Ok(id.clone())
        }
        None => {
            let owner = sid.owner(l.account.as_ref());
            // The id the step POST already handed out (one write per step), else a new one.
            let id = l.reserved.take().unwrap_or_else(Store::new_draft_id);
            let draft = NewDraft {
                id: &id,
                session_hash: &owner,
                authority: &l.authority,
                form: l.session.form().id(),
                snapshot: snap,
                account: l.account.as_ref().map(|a| (a.issuer.as_str(), a.subject.as_str())),
                now,
                ttl_ms: ttl,
            };
            state.store.create_draft(draft).await.map_err(|e| storage_error(state, e))?;
            l.draft = Some(id.clone());
            Ok(id)
        }
    }
}

/// Where a citizen may be: the steps on the path up to the first incomplete one.
pub(crate) fn reachable(s: &Session<'_>, step: StepId) -> Result<bool, BudgetExhausted> {
    let path = s.path()?;
    let Some(pos) = path.iter().position(|p| *p == step) else { return Ok(false) };
    Ok(match s.first_incomplete_step()? {
        Some(first) => path.iter().position(|p| *p == first).is_none_or(|f| pos <= f),
        None => true,
    })
}

/// Where to send a citizen who asked for a step they cannot be on.
pub(crate) fn resume_target(scope: Scope<'_>, s: &Session<'_>) -> Result<String, BudgetExhausted> {
    let form = s.form();
    Ok(match s.first_incomplete_step()? {
        Some(st) => scope.step_url(&form.step(st).id),
        None => match s.path_end()? {
            Target::Step(st) => scope.step_url(&form.step(st).id),
            Target::Summary => format!("{}/summary", scope.form_url()),
        },
    })
}

/// Who receives the application: the authority it is made under, else the form's
/// `authority:` text.
pub(crate) fn authority_name(scope: Scope<'_>, s: &Session<'_>) -> Option<String> {
    match scope.tenant {
        Some(t) => Some(t.authority.name.clone()),
        None => scope.served.form.authority().map(|a| s.render(a, None)),
    }
}
