//! The HTML pages: the list of forms, a form's start page, one page per step, the
//! summary, the submission, the confirmation and the resume link.
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
    let mut res = next.run(req).await;
    if new {
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
pub(super) fn with_language(state: &AppState, headers: &HeaderMap, q: &LangQuery, page: impl FnOnce(&str) -> Response) -> Response {
    let lang = language(state, headers, q, &["de".into(), "en".into()]);
    with_cookie(page(&lang.code), &lang)
}

/// The language of a page: `?lang=` (remembered in a cookie), the cookie, or the default.
struct Lang {
    code: String,
    set_cookie: Option<String>,
}

fn language(state: &AppState, headers: &HeaderMap, q: &LangQuery, offered: &[String]) -> Lang {
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

fn with_cookie(mut res: Response, lang: &Lang) -> Response {
    if let Some(c) = &lang.set_cookie
        && let Ok(v) = HeaderValue::from_str(c)
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn render(state: &AppState, name: &str, ctx: minijinja::Value) -> Response {
    match state.templates.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template error");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "internal error");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// The page for a storage error: 507 when the disk is full, 503 (with `Retry-After`)
/// when the database is busy or away. Never a 500: the citizen can do something (wait,
/// try again), and the answers saved before are untouched.
fn storage_error(state: &AppState, e: sqlx::Error) -> Response {
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
fn too_many(state: &AppState) -> Response {
    let mut res = message_page(state, StatusCode::TOO_MANY_REQUESTS, "too_many", "too_many_text");
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res
}

/// Links to the same page in each language.
fn lang_links(path: &str, offered: &[String], current: &str) -> Vec<minijinja::Value> {
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
pub(super) fn base(state: &AppState, tenant: Option<&Tenant>, lang: &str, sid: &Sid, path: &str, offered: &[String]) -> minijinja::Value {
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

pub(super) fn page(state: &AppState, name: &str, base: minijinja::Value, extra: minijinja::Value) -> Response {
    render(state, name, minijinja::context! { ..extra, ..base })
}

fn message(state: &AppState, status: StatusCode, lang: &str, sid: &Sid, title_key: &str, text_key: &str) -> Response {
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

fn form_not_found(state: &AppState, sid: &Sid) -> Response {
    message(state, StatusCode::NOT_FOUND, "de", sid, "not_found", "not_found_text")
}

/// The 404 page, for the authorities' pages.
pub(super) fn not_found_page(state: &AppState, sid: &Sid) -> Response {
    form_not_found(state, sid)
}

/// The answer to a request whose evaluation budget ran out (`Config::eval_budget`): the
/// engine's query said [`BudgetExhausted`], so its answers to "what is visible, what is
/// wrong, what comes next" cannot be trusted: a 503 page instead of acting on them. Nothing
/// of the request is stored (the draft keeps the answers saved before it).
fn over_budget(state: &AppState, sid: &Sid, lang: &str, s: &Session<'_>, _: BudgetExhausted) -> Response {
    budget_page(state, sid, lang, s.form().id())
}

/// The 503 page of [`over_budget`], for the form `form`.
fn budget_page(state: &AppState, sid: &Sid, lang: &str, form: &str) -> Response {
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
struct Loaded<'f> {
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
async fn load<'f>(state: &AppState, scope: Scope<'f>, sid: &Sid, account: Option<&Account>, lang: &str) -> Result<Loaded<'f>, Response> {
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

async fn save(state: &AppState, sid: &Sid, l: &mut Loaded<'_>) -> Result<String, Response> {
    let snap = serde_json::to_string(&l.session.snapshot()).map_err(internal)?;
    save_json(state, sid, l, &snap).await
}

/// [`save`] with the snapshot already serialised (the step POST measures it first).
async fn save_json(state: &AppState, sid: &Sid, l: &mut Loaded<'_>, snap: &str) -> Result<String, Response> {
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
fn reachable(s: &Session<'_>, step: StepId) -> Result<bool, BudgetExhausted> {
    let path = s.path()?;
    let Some(pos) = path.iter().position(|p| *p == step) else { return Ok(false) };
    Ok(match s.first_incomplete_step()? {
        Some(first) => path.iter().position(|p| *p == first).is_none_or(|f| pos <= f),
        None => true,
    })
}

/// Where to send a citizen who asked for a step they cannot be on.
fn resume_target(scope: Scope<'_>, s: &Session<'_>) -> Result<String, BudgetExhausted> {
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
fn authority_name(scope: Scope<'_>, s: &Session<'_>) -> Option<String> {
    match scope.tenant {
        Some(t) => Some(t.authority.name.clone()),
        None => scope.served.form.authority().map(|a| s.render(a, None)),
    }
}

/// `GET /f/{form}`: the start page.
pub async fn start(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let lang = language(&state, &headers, &q, served.form.languages());
    let s = match scope.session(&lang.code, state.today()) {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    let title = s.render(served.form.title(), None);
    let description = served.form.description().map(|d| s.render(d, None));
    let authority = authority_name(scope, &s);
    // A new session has no evaluation budget (only a loaded draft's request sets one).
    let first = s.path().ok().and_then(|p| p.first().map(|st| scope.step_url(&served.form.step(*st).id))).unwrap_or_default();
    let account = account::for_form(&served.form, acc.0.as_ref());
    if let Some(a) = account
        && account::session::too_low(&served.form, a)
    {
        return account::session::trust_page(&state, &sid, scope, a, &lang.code);
    }
    // The login button only where a provider is configured (`serve` refuses a `required`
    // form without one; a test state may still have one: it then shows no button). After
    // the login the citizen lands on the first step of this scope (under its authority).
    let login = (served.form.login().mode != engine::account::LoginMode::None && state.oidc.is_some()).then(|| {
        minijinja::context! {
            required => served.form.login().mode == engine::account::LoginMode::Required,
            level => served.form.login().trust.map(engine::account::TrustLevel::as_str),
            url => format!("/login?next={}", form_urlencoded::byte_serialize(first.as_bytes()).collect::<String>()),
            logged_in => account.is_some(),
        }
    });
    let b = base(&state, scope.tenant, &lang.code, &sid, &scope.form_url(), served.form.languages());
    let ctx = minijinja::context! { title => title, description => description, authority => authority, start => first, login => login };
    with_cookie(page(&state, "start.html", b, ctx), &lang)
}

/// `GET /f/{form}/s/{step}`.
pub async fn step_get(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<StepPath>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let Some(step) = served.form.step_by_id(&p.step) else { return form_not_found(&state, &sid) };
    let lang = language(&state, &headers, &q, served.form.languages());
    if let Some(r) = account::gate(&state, &sid, scope, account::for_form(&served.form, acc.0.as_ref()), &lang.code) {
        return r;
    }
    let l = match load(&state, scope, &sid, acc.0.as_ref(), &lang.code).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let s = &l.session;
    let refuse = |e| over_budget(&state, &sid, &lang.code, s, e);
    match reachable(s, step) {
        Ok(true) => {}
        Ok(false) => return resume_target(scope, s).map_or_else(refuse, |to| Redirect::to(&to).into_response()),
        Err(e) => return refuse(e),
    }
    match step_page(&state, scope, &sid, s, step, &HashMap::new(), Vec::new(), Vec::new()) {
        Ok(page) => with_cookie(page, &lang),
        Err(e) => refuse(e),
    }
}

/// One entry of the error summary.
#[derive(Debug, serde::Serialize)]
struct ErrorLink {
    href: String,
    message: String,
}

#[allow(clippy::too_many_arguments)]
fn step_page(
    state: &AppState,
    scope: Scope<'_>,
    sid: &Sid,
    s: &Session<'_>,
    step: StepId,
    errors: &HashMap<String, String>,
    summary: Vec<ErrorLink>,
    new_questions: Vec<engine::view::NewQuestion>,
) -> Result<Response, BudgetExhausted> {
    let form = s.form();
    let st = form.step(step);
    let lang = s.language().to_string();
    let v = s.step_view(step)?;
    let form_title = s.render(form.title(), None);
    let fields = view::step_fields(&v, errors);
    // Asked after the view, so that its outcome is in these answers too.
    let path = s.path()?.to_vec();
    let position = path.iter().position(|p| *p == step).map_or(0, |p| p + 1);
    let back = match s.previous_step(step)? {
        Some(p) => scope.step_url(&form.step(p).id),
        None => scope.form_url(),
    };
    let exit = v.exit;
    let multipart = v.instances().iter().any(|f| f.kind == engine::view::FieldKind::File);
    let url = scope.step_url(&st.id);
    let b = base(state, scope.tenant, &lang, sid, &url, form.languages());
    // Both escaped for a <script> element already (`<` as \u003c …), so not escaped again.
    let form_json = scope.served.browser_json.as_str();
    let snapshot_json = super::script_safe_json(&serde_json::to_string(&s.snapshot()).unwrap_or_default());
    // The parameter values the session evaluates with (the authority's, else the form's
    // defaults), so the browser module computes what the server does.
    let parameters_json = super::script_safe_json(&serde_json::to_string(&s.parameters()).unwrap_or_default());
    let ctx = minijinja::context! {
        form_id => form.id(), form_title => form_title, title => v.title, text => v.text, section => v.section,
        // Focus goes to the error summary when there is one, else to the first question
        // the post revealed (announced by the notice above the form).
        focus => if summary.is_empty() { new_questions.first().map(|q| q.path.clone()) } else { None },
        fields => fields, errors => summary, new_questions => new_questions, action => url, back => back, exit => exit,
        multipart => multipart, position => position, total => path.len(),
        step_id => st.id, today => state.today().format("%Y-%m-%d").to_string(),
        form_json => minijinja::Value::from_safe_string(form_json.to_string()),
        snapshot_json => minijinja::Value::from_safe_string(snapshot_json),
        parameters_json => minijinja::Value::from_safe_string(parameters_json),
    };
    Ok(page(state, "step.html", b, ctx))
}

/// A parsed post: the text fields (in order, repeated names kept) and the uploads.
#[derive(Default)]
struct Posted {
    fields: Vec<(String, String)>,
    files: HashMap<String, (String, Vec<u8>)>,
}

impl Posted {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Reads a post within the [`Limits`](super::Limits): more parts or file parts than allowed,
/// or a body over `max_body`, is refused with 413 before anything is stored.
async fn read_post(state: &AppState, req: Request) -> Result<Posted, Response> {
    let multipart =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
    let too_large = || message_page(state, StatusCode::PAYLOAD_TOO_LARGE, "too_large", "too_large_text");
    let refused =
        |status: StatusCode| if status == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { (status, "bad request").into_response() };
    let limits = &state.config.limits;
    let mut posted = Posted::default();
    if multipart {
        let mut mp =
            Multipart::from_request(super::multipart::clean_part_headers(req), state).await.map_err(IntoResponse::into_response)?;
        let (mut parts, mut uploads) = (0usize, 0usize);
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(refused(e.status())),
            };
            parts += 1;
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(str::to_string);
            if file_name.is_some() {
                uploads += 1;
            }
            if parts > limits.max_parts || uploads > limits.max_uploads {
                return Err(too_large());
            }
            let bytes = field.bytes().await.map_err(|e| refused(e.status()))?;
            match file_name {
                // One file per field: a second part for the same field is refused rather
                // than silently replacing the first.
                Some(f) if !f.is_empty() && !bytes.is_empty() => {
                    if posted.files.insert(name, (f, bytes.to_vec())).is_some() {
                        return Err((StatusCode::BAD_REQUEST, "bad request").into_response());
                    }
                }
                Some(_) => {}
                None => posted.fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
    } else {
        let limit = state.config.max_body;
        let body = axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| too_large())?;
        // Stop collecting at the first pair over the limit (a body of `a&a&a&…`).
        posted.fields = form_urlencoded::parse(&body).into_owned().take(limits.max_parts + 1).collect();
        if posted.fields.len() > limits.max_parts {
            return Err(too_large());
        }
    }
    Ok(posted)
}

fn csrf_ok(headers: &HeaderMap, sid: &Sid, posted: &Posted) -> bool {
    let expected = security::csrf_token(&sid.0);
    security::same_origin(headers) && posted.get("_csrf").is_some_and(|t| security::ct_eq(t, &expected))
}

fn forbidden(state: &AppState, sid: &Sid) -> Response {
    message(state, StatusCode::FORBIDDEN, "de", sid, "forbidden", "forbidden_text")
}

/// `POST /f/{form}/s/{step}`.
pub async fn step_post(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(p): Path<StepPath>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let step_id = p.step;
    let Some(step) = served.form.step_by_id(&step_id) else { return form_not_found(&state, &sid) };
    let posted = match read_post(&state, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !csrf_ok(&headers, &sid, &posted) {
        return forbidden(&state, &sid);
    }
    let lang = language(&state, &headers, &LangQuery { lang: None }, served.form.languages());
    if let Some(r) = account::gate(&state, &sid, scope, account::for_form(&served.form, acc.0.as_ref()), &lang.code) {
        return r;
    }
    let mut l = match load(&state, scope, &sid, acc.0.as_ref(), &lang.code).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    match reachable(&l.session, step) {
        Ok(true) => {}
        Ok(false) => {
            return resume_target(scope, &l.session)
                .map_or_else(|e| over_budget(&state, &sid, &lang.code, &l.session, e), |to| Redirect::to(&to).into_response());
        }
        Err(e) => return over_budget(&state, &sid, &lang.code, &l.session, e),
    }
    // The first save creates the draft: new drafts are rate-limited per client.
    if l.draft.is_none() {
        if state.drafts.blocked(ip) {
            return too_many(&state);
        }
        state.drafts.count(ip);
    }
    // One write per step (issue #19): the draft is written once, below, with the answers
    // applied. A new draft gets its id now; only a post with uploads (stored under the
    // draft) creates it first.
    let draft_id = if let Some(id) = l.draft.clone() {
        id
    } else if posted.files.is_empty() {
        l.reserved.insert(Store::new_draft_id()).clone()
    } else {
        match save(&state, &sid, &mut l).await {
            Ok(id) => id,
            Err(r) => return r,
        }
    };
    let pristine = l.session.clone();
    let refused = match apply(&state, &sid, &mut l.session, step, &posted, &draft_id).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    // A draft has an overall size limit, answers and files together (issue #17.1): a post
    // that would outgrow it changes nothing and says so.
    let max_draft = state.config.limits.max_draft_bytes;
    // Serialised once: measured here, saved below when no entry is added or removed.
    let snap = match serde_json::to_string(&l.session.snapshot()) {
        Ok(j) => j,
        Err(e) => return internal(e),
    };
    let answers = snap.len();
    // A form without file fields keeps no files: no query for them on every step.
    let has_files = served.form.fields().iter().any(|f| f.ty == FieldType::File);
    let files = match if has_files { state.store.files_size(&draft_id, "").await } else { Ok(0) } {
        Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Err(e) => return storage_error(&state, e),
    };
    if refused.too_large || answers.saturating_add(files) > max_draft {
        l.session = pristine;
        let message = draft_too_large(&view::texts(&lang.code), max_draft);
        let first = match l.session.step_view(step) {
            Ok(v) => v.shown_paths().first().map(|p| p.to_string()).unwrap_or_default(),
            Err(e) => return over_budget(&state, &sid, &lang.code, &l.session, e),
        };
        let summary = vec![ErrorLink { href: format!("#{first}"), message }];
        let mut res = match step_page(&state, scope, &sid, &l.session, step, &HashMap::new(), summary, Vec::new()) {
            Ok(res) => res,
            Err(e) => return over_budget(&state, &sid, &lang.code, &l.session, e),
        };
        *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return res;
    }
    let form = &served.form;
    let url = scope.step_url(&step_id);
    let action = posted.get("_action").unwrap_or("continue").to_string();
    if let Some(group) = action.strip_prefix("add:") {
        // Only a group of this step is named in the redirect: the posted text never
        // reaches the `Location` header (CR LF in it would not even be a header value;
        // found by the attack tests and by fuzzing, where it made a 500).
        let mut target = url.clone();
        if let Some(g) = form.field_by_id(group).filter(|g| form.field(*g).is_repeated() && form.field(*g).step == step) {
            l.session.add_entry(g);
            target = format!("{url}#{}", form.field(g).id);
        }
        if let Err(r) = save(&state, &sid, &mut l).await {
            return r;
        }
        return Redirect::to(&target).into_response();
    }
    if let Some(entry) = action.strip_prefix("remove:") {
        if let Some((group, n)) = entry.rsplit_once('.')
            && let (Some(g), Ok(n)) = (form.field_by_id(group), n.parse::<u32>())
            && form.field(g).is_repeated()
            && form.field(g).step == step
            && n < l.session.entry_count(g)
        {
            // The stored uploads follow their entries, by the rule the session uses for
            // the answers: the removed entry's files go, later entries' move up.
            let stored = match state.store.file_paths(&draft_id).await {
                Ok(p) => p,
                Err(e) => return storage_error(&state, e),
            };
            let moves: Vec<(String, Option<String>)> = stored
                .into_iter()
                .filter_map(|p| match l.session.renumbered(g, n, &p) {
                    Renumbered::Same => None,
                    Renumbered::Removed => Some((p, None)),
                    Renumbered::Moved(to) => Some((p, Some(to))),
                })
                .collect();
            if let Err(e) = state.store.move_files(&draft_id, &moves).await {
                return storage_error(&state, e);
            }
            l.session.remove_entry(g, n);
        }
        if let Err(r) = save(&state, &sid, &mut l).await {
            return r;
        }
        return Redirect::to(&url).into_response();
    }
    if let Err(r) = save_json(&state, &sid, &mut l, &snap).await {
        return r;
    }
    if action == "save" && refused.errors.is_empty() {
        return saved_page(&state, scope, &sid, &mut l, &draft_id).await;
    }
    let s = &l.session;
    let refuse = |e| over_budget(&state, &sid, &lang.code, s, e);
    let problems = match s.step_problems(step) {
        Ok(p) => p,
        Err(e) => return refuse(e),
    };
    if problems.is_empty() && refused.errors.is_empty() {
        let next = match s.next_step(step) {
            Ok(Some(Target::Step(n))) => Ok(scope.step_url(&form.step(n).id)),
            Ok(Some(Target::Summary)) => Ok(format!("{}/summary", scope.form_url())),
            Ok(None) => resume_target(scope, s),
            Err(e) => Err(e),
        };
        return next.map_or_else(refuse, |to| Redirect::to(&to).into_response());
    }
    // Errors of fields the citizen has not seen yet (revealed by this post) wait. With the
    // browser module the citizen saw them before posting: the page says which fields it
    // showed (`_shown`), which decides only whether their errors are shown now.
    let shown_by_browser: BTreeSet<&str> = posted.get("_shown").unwrap_or_default().split_whitespace().collect();
    let revealed: BTreeSet<&str> = refused.revealed.iter().map(String::as_str).filter(|p| !shown_by_browser.contains(p)).collect();
    let now = match l.session.step_view(step) {
        Ok(v) => v,
        Err(e) => return over_budget(&state, &sid, &lang.code, &l.session, e),
    };
    let new_questions = now.new_questions(&revealed);
    let first_field = now.shown_paths().first().map(|p| p.to_string()).unwrap_or_default();
    let mut errors = HashMap::new();
    let mut summary = Vec::new();
    // The server's own refusals first: they replace the engine's word on those fields
    // (which judged the earlier answer).
    let mut own: Vec<(String, String)> = refused.errors.into_iter().collect();
    own.sort();
    for (f, message) in own {
        summary.push(ErrorLink { href: format!("#{f}"), message: message.clone() });
        errors.insert(f, message);
    }
    for p in problems {
        match &p.field {
            Some(f) if revealed.contains(f.as_str()) => continue,
            Some(f) => {
                if errors.contains_key(f) {
                    continue;
                }
                errors.insert(f.clone(), p.message.clone());
                summary.push(ErrorLink { href: format!("#{f}"), message: p.message });
            }
            None => summary.push(ErrorLink { href: format!("#{first_field}"), message: p.message }),
        }
    }
    let mut res = match step_page(&state, scope, &sid, s, step, &errors, summary, new_questions) {
        Ok(res) => res,
        Err(e) => return refuse(e),
    };
    if refused.full {
        *res.status_mut() = StatusCode::INSUFFICIENT_STORAGE;
    }
    res
}

/// What reading a post did, beyond the answers: the fields whose answer was refused (by the
/// engine's rule: not an option, over `max_answer_chars`; or by the server: an upload the
/// store could not keep), with their messages; they keep their earlier answers and the step
/// is shown again with these errors. And the fields the post revealed.
#[derive(Default)]
struct Refused {
    errors: HashMap<String, String>,
    /// The disk is full (the step is answered with 507).
    full: bool,
    /// The draft would outgrow its size limit (the step is answered with 413).
    too_large: bool,
    /// Paths of the step shown after the post but not before it, in page order.
    revealed: Vec<String>,
}

/// The message for an answer that would make the draft larger than `max` bytes.
fn draft_too_large(t: &std::collections::BTreeMap<&str, &str>, max: usize) -> String {
    t["draft_too_large"].replace("{n}", &(max / (1024 * 1024)).max(1).to_string())
}

/// The message for an answer the engine refused.
fn refusal_message(t: &std::collections::BTreeMap<&str, &str>, r: Refusal) -> String {
    match r {
        Refusal::AnswerTooLong { max } => t["answer_too_long"].replace("{n}", &max.to_string()),
        // `not_an_option`, and any refusal a later engine adds: the answer is not taken.
        _ => t["not_an_option"].to_string(),
    }
}

/// A file name as the citizen's system gave it, made safe to show and to pass on: control
/// characters (CR, LF: header injection) become `_`, and it is cut to 255 characters.
pub(super) fn clean_file_name(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    name.chars().map(|c| if c.is_control() { '_' } else { c }).take(255).collect()
}

/// One upload of a post, read before the engine sees it.
struct Upload<'p> {
    bytes: &'p [u8],
    name: String,
    mime: &'static str,
    /// Whether the engine will accept it, by size and by the type its content shows (never
    /// the name or the browser's word): only such a file is stored.
    keep: bool,
}

/// Reads the step from the post by the engine's rule ([`Session::answer_step`]: only the
/// step's shown input fields, blank versus default, options, the length limit). The server's
/// own part is the uploads: it sniffs each file, hands the engine its metadata, and stores
/// the files the engine took; when one cannot be stored, the step is read again without it
/// from the answers before the post, so no answer names a file that is not stored. A read
/// that runs out of the evaluation budget answers the 503 page: the post is not saved.
async fn apply(
    state: &AppState,
    sid: &Sid,
    s: &mut Session<'_>,
    step: StepId,
    posted: &Posted,
    draft_id: &str,
) -> Result<Refused, Response> {
    let form = s.form();
    let t = view::texts(s.language());
    let limits = &state.config.limits;
    let mut typed = PostedStep::new().with_max_chars(limits.max_answer_chars);
    for (name, value) in posted.fields.iter().filter(|(n, _)| !n.starts_with('_')) {
        typed.push(name.clone(), value.clone());
    }
    let mut uploads: HashMap<&str, Upload<'_>> = HashMap::new();
    for (path, (name, bytes)) in &posted.files {
        let Some(field) = s.instance(path).map(|i| form.field(i.field)).filter(|f| f.ty == FieldType::File) else { continue };
        let mime = engine::checks::sniff_mime(bytes).unwrap_or("application/octet-stream");
        let size = bytes.len() as u64;
        let keep =
            field.max_size.is_none_or(|m| size <= m) && (field.accept.is_empty() || engine::checks::mime_matches(&field.accept, mime));
        let name = clean_file_name(name);
        typed.file(path.clone(), FileRef { name: name.clone(), size, mime: mime.to_string() });
        uploads.insert(path, Upload { bytes, name, mime, keep });
    }
    let before = (!uploads.is_empty()).then(|| s.clone());
    let mut answer = s.answer_step(step, &typed).map_err(|e| over_budget(state, sid, s.language(), s, e))?;
    let mut refused = Refused::default();
    let mut failed: Vec<String> = Vec::new();
    // Only a post with an upload to keep needs the answers' size (serialised once).
    let mut answers_len: Option<u64> = None;
    for path in &answer.read {
        let Some(up) = uploads.get(path.as_str()).filter(|u| u.keep) else { continue };
        let answers_len = *answers_len.get_or_insert_with(|| serde_json::to_string(&s.snapshot()).map_or(0, |j| j.len()) as u64);
        // The draft's size limit counts the files it keeps (issue #17.1).
        let others = state.store.files_size(draft_id, path).await.map_err(|e| storage_error(state, e))?;
        let total = u64::try_from(others).unwrap_or(0).saturating_add(up.bytes.len() as u64).saturating_add(answers_len);
        if total > limits.max_draft_bytes as u64 {
            refused.errors.insert(path.clone(), draft_too_large(&t, limits.max_draft_bytes));
            refused.too_large = true;
            failed.push(path.clone());
            continue;
        }
        if let Err(e) = state.store.put_file(draft_id, path, &up.name, up.mime, up.bytes).await {
            if Fault::of(&e) == Fault::Full {
                tracing::error!(error = %e, "upload not stored: storage full");
                refused.errors.insert(path.clone(), t["upload_failed"].to_string());
                refused.full = true;
                failed.push(path.clone());
                continue;
            }
            return Err(storage_error(state, e));
        }
    }
    if let Some(before) = before.filter(|_| !failed.is_empty()) {
        // Only uploads the engine took the first time and that are stored (or never stored:
        // refused by the engine's checks) go in again.
        typed.files.retain(|p, _| answer.read.contains(p) && !failed.contains(p));
        *s = before;
        answer = s.answer_step(step, &typed).map_err(|e| over_budget(state, sid, s.language(), s, e))?;
    }
    for (path, r) in answer.refused {
        refused.errors.insert(path, refusal_message(&t, r));
    }
    refused.revealed = answer.revealed;
    Ok(refused)
}

async fn saved_page(state: &AppState, scope: Scope<'_>, sid: &Sid, l: &mut Loaded<'_>, draft_id: &str) -> Response {
    let token = security::random_hex(16);
    if let Err(e) = state.store.set_resume_hash(draft_id, &security::sha256_hex(&token)).await {
        return storage_error(state, e);
    }
    let s = &l.session;
    let form = s.form();
    let lang = s.language().to_string();
    let next = match resume_target(scope, s) {
        Ok(next) => next,
        Err(e) => return over_budget(state, sid, &lang, s, e),
    };
    let until = chrono::Local::now() + chrono::Duration::from_std(state.config.draft_ttl).unwrap_or_default();
    let until = if lang == "en" { until.format("%d/%m/%Y").to_string() } else { until.format("%d.%m.%Y").to_string() };
    let b = base(state, scope.tenant, &lang, sid, &scope.form_url(), form.languages());
    let ctx = minijinja::context! {
        form_title => s.render(form.title(), None), link => format!("{}/resume/{token}", scope.prefix()), until => until,
        next => next,
    };
    page(state, "saved.html", b, ctx)
}

/// Only well-formed tokens reach the database.
fn well_formed_token(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /resume/{token}`: asks whether to continue the saved application here. Opening
/// a link moves nothing: a GET can be made by any page the citizen visits (an image, a
/// prefetch), so binding a draft to a browser takes the POST of this page, with CSRF.
///
/// Guessing is pointless (128 random bits) and rate-limited: a client with too many
/// failed links in a minute gets 429 without a lookup.
pub async fn resume(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(ResumePath { authority, token }): Path<ResumePath>,
) -> Response {
    if state.lookups.blocked(ip) {
        return too_many(&state);
    }
    // A link works only under the authority its draft was started under.
    let owner = authority.as_deref().unwrap_or_default();
    let found = if well_formed_token(&token) {
        state.store.resume_form(&security::sha256_hex(&token), owner, state.now_ms()).await
    } else {
        Ok(None)
    };
    match found {
        Ok(Some(form_id)) => match tenant::resolve(&state, authority.as_deref(), &form_id) {
            Some(scope) => {
                let served = scope.served;
                let lang = served.form.default_language().to_string();
                let s = match scope.session(&lang, state.today()) {
                    Ok(s) => s,
                    Err(e) => return internal(e),
                };
                let b = base(&state, scope.tenant, &lang, &sid, "/", served.form.languages());
                let action = format!("{}/resume/{token}", scope.prefix());
                let ctx = minijinja::context! { form_title => s.render(served.form.title(), None), action => action };
                let mut res = page(&state, "resume.html", b, ctx);
                // The token is in the URL: no cache keeps the page.
                res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                res
            }
            None => message(&state, StatusCode::NOT_FOUND, "de", &sid, "expired", "not_found_text"),
        },
        Ok(None) => {
            state.lookups.failed(ip);
            message(&state, StatusCode::NOT_FOUND, "de", &sid, "expired", "not_found_text")
        }
        Err(e) => storage_error(&state, e),
    }
}

/// `POST /resume/{token}`: moves the draft to this browser and spends the link, so that
/// a link cannot be used again, by anyone, to read what was typed after it was opened
/// (issue #17.3: a planted link).
pub async fn resume_post(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(ResumePath { authority, token }): Path<ResumePath>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let posted = match read_post(&state, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !csrf_ok(&headers, &sid, &posted) {
        return forbidden(&state, &sid);
    }
    if state.lookups.blocked(ip) {
        return too_many(&state);
    }
    let owner = authority.as_deref().unwrap_or_default();
    let found = if well_formed_token(&token) {
        let hash = security::sha256_hex(&token);
        // A draft started while logged in moves only to a browser where the same account is
        // logged in (another account, or none, gets a refusal and the link stays valid); and
        // only under the authority it was started under (`resume_form` and `resume` match it).
        let form = match state.store.resume_form(&hash, owner, state.now_ms()).await {
            Ok(f) => f,
            Err(e) => return storage_error(&state, e),
        };
        match form.and_then(|f| tenant::resolve(&state, authority.as_deref(), &f)) {
            Some(scope) => {
                let account = account::for_form(&scope.served.form, acc.0.as_ref());
                let drafted = match state.store.resume_account(&hash).await {
                    Ok(a) => a.flatten(),
                    Err(e) => return storage_error(&state, e),
                };
                if drafted.as_ref().map(|(i, s)| (i.as_str(), s.as_str())) != account.map(|a| (a.issuer.as_str(), a.subject.as_str())) {
                    return forbidden(&state, &sid);
                }
                state.store.resume(&hash, &sid.owner(account), owner, state.now_ms()).await
            }
            None => Ok(None),
        }
    } else {
        Ok(None)
    };
    match found {
        Ok(Some(form_id)) => match tenant::resolve(&state, authority.as_deref(), &form_id) {
            Some(scope) => {
                let l = match load(&state, scope, &sid, acc.0.as_ref(), scope.served.form.default_language()).await {
                    Ok(l) => l,
                    Err(r) => return r,
                };
                let s = &l.session;
                resume_target(scope, s)
                    .map_or_else(|e| over_budget(&state, &sid, s.language(), s, e), |to| Redirect::to(&to).into_response())
            }
            None => message(&state, StatusCode::NOT_FOUND, "de", &sid, "expired", "not_found_text"),
        },
        Ok(None) => {
            state.lookups.failed(ip);
            message(&state, StatusCode::NOT_FOUND, "de", &sid, "expired", "not_found_text")
        }
        Err(e) => storage_error(&state, e),
    }
}

/// `GET /f/{form}/summary`: check your answers.
pub async fn summary(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let lang = language(&state, &headers, &q, served.form.languages());
    if let Some(r) = account::gate(&state, &sid, scope, account::for_form(&served.form, acc.0.as_ref()), &lang.code) {
        return r;
    }
    let l = match load(&state, scope, &sid, acc.0.as_ref(), &lang.code).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let s = &l.session;
    let refuse = |e| over_budget(&state, &sid, &lang.code, s, e);
    match s.is_submittable() {
        Ok(true) => {}
        Ok(false) => return resume_target(scope, s).map_or_else(refuse, |to| Redirect::to(&to).into_response()),
        Err(e) => return refuse(e),
    }
    let form = &served.form;
    let form_url = scope.form_url();
    let form_title = s.render(form.title(), None);
    // The summary's reads end with a path query: their outcome is in its answer.
    let steps = match view::summary(s, &form_url) {
        Ok(steps) => steps,
        Err(e) => return refuse(e),
    };
    let back = match s.path() {
        Ok(path) => path.last().map(|st| scope.step_url(&form.step(*st).id)).unwrap_or_default(),
        Err(e) => return refuse(e),
    };
    let url = format!("{form_url}/summary");
    let b = base(&state, scope.tenant, &lang.code, &sid, &url, form.languages());
    let ctx = minijinja::context! {
        form_title => form_title, steps => steps, back => back,
        action => format!("{form_url}/submit"), idempotency => l.draft.clone().unwrap_or_default(),
    };
    with_cookie(page(&state, "summary.html", b, ctx), &lang)
}

/// The reference number from the form's pattern: `{year}`, `{seq}` and `{seq:N}`.
pub fn reference(pattern: &str, year: i32, seq: i64) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let key = &rest[open + 1..open + close];
        match key.split_once(':') {
            _ if key == "year" => out.push_str(&year.to_string()),
            _ if key == "seq" => out.push_str(&seq.to_string()),
            Some(("seq", n)) => {
                let w: usize = n.parse().unwrap_or(1);
                out.push_str(&format!("{seq:0w$}"));
            }
            _ => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The stored submission document: the engine's, and under an authority its id, name and
/// address (`"authority"`), so that every delivery says whose it is.
fn document_of(scope: Scope<'_>, submission: &impl serde::Serialize) -> String {
    let mut doc = serde_json::to_value(submission).unwrap_or_default();
    if let (Some(t), Some(map)) = (scope.tenant, doc.as_object_mut()) {
        let a = &t.authority;
        map.insert(
            "authority".into(),
            serde_json::json!({ "id": a.id, "name": a.name, "address": { "street": a.address.street, "postcode": a.address.postcode, "city": a.address.city } }),
        );
    }
    serde_json::to_string(&doc).unwrap_or_default()
}

/// `POST /f/{form}/submit`: re-validates the whole path, stores the submission once and
/// queues its delivery.
pub async fn submit(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let form_id = p.form;
    let form_url = scope.form_url();
    let posted = match read_post(&state, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !csrf_ok(&headers, &sid, &posted) {
        return forbidden(&state, &sid);
    }
    let lang = language(&state, &headers, &LangQuery { lang: None }, served.form.languages());
    if let Some(r) = account::gate(&state, &sid, scope, account::for_form(&served.form, acc.0.as_ref()), &lang.code) {
        return r;
    }
    let l = match load(&state, scope, &sid, acc.0.as_ref(), &lang.code).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let confirmation = format!("{form_url}/confirmation");
    let Some(draft_id) = l.draft.clone() else {
        // No open draft: already submitted (a second click), or nothing to submit.
        return match state
            .store
            .submitted_draft(&sid.owner(account::for_form(&served.form, acc.0.as_ref())), scope.authority_id(), &form_id)
            .await
        {
            Ok(Some(_)) => Redirect::to(&confirmation).into_response(),
            Ok(None) => Redirect::to(&form_url).into_response(),
            Err(e) => storage_error(&state, e),
        };
    };
    if posted.get("_idempotency").is_some_and(|k| k != draft_id) {
        return Redirect::to(&confirmation).into_response();
    }
    let s = &l.session;
    let refuse = |e| over_budget(&state, &sid, &lang.code, s, e);
    match s.is_submittable() {
        Ok(true) => {}
        Ok(false) => return resume_target(scope, s).map_or_else(refuse, |to| Redirect::to(&to).into_response()),
        Err(e) => return refuse(e),
    }
    let form = &served.form;
    let today = state.today();
    let year = chrono::Datelike::year(&today);
    let submitted_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // One outbox row per channel; the confirmation's address is read here, while the
    // session is at hand (and only when lettre's parser takes it as an address).
    let deliveries = super::delivery::rows_for(form, s);
    // Exactly the uploads of active answers go with the submission (issue #17.5); the
    // document is built once, before the store numbers it (its reference is set per try),
    // and asked last, so that its outcome covers the reads above.
    let files = s.submitted_files().map(|files| {
        files.into_iter().map(|(path, f)| (path, f.name, i64::try_from(f.size).unwrap_or(i64::MAX))).collect::<Vec<(String, String, i64)>>()
    });
    let (files, submission) = match files.and_then(|files| Ok((files, s.submission(&submitted_at, "")?))) {
        Ok(built) => built,
        Err(e) => return refuse(e),
    };
    let document = |r: &str| {
        let mut submission = submission.clone();
        submission.reference = r.to_string();
        document_of(scope, &submission)
    };
    // Each authority counts its own references; its id in front keeps them apart (the
    // admin API and the webhooks name a submission by its reference).
    let make_ref = |seq: i64| match scope.tenant {
        Some(t) => format!("{}-{}", t.id().to_uppercase(), reference(&form.submission().reference, year, seq)),
        None => reference(&form.submission().reference, year, seq),
    };
    let outcome = state
        .store
        .submit(NewSubmission {
            draft_id: &draft_id,
            authority: scope.authority_id(),
            form: &form_id,
            year: year as i64,
            reference: &make_ref,
            document: &document,
            deliveries: &deliveries,
            files: &files,
            // The account's address, for the Postkorb's notifications (only with a login).
            account_email: l.account.as_ref().and_then(|a| a.values.values.get("email")).map(String::as_str),
            now: state.now_ms(),
        })
        .await;
    match outcome {
        Ok(SubmitOutcome::Stored(_)) => {
            tracing::info!(form = %form_id, "submission stored");
            super::delivery::wake(&state);
            Redirect::to(&confirmation).into_response()
        }
        Ok(SubmitOutcome::AlreadySubmitted) => Redirect::to(&confirmation).into_response(),
        Err(e) => storage_error(&state, e),
    }
}

/// `GET /f/{form}/confirmation`.
pub async fn confirmation(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let (served, form_id, form_url) = (scope.served, p.form, scope.form_url());
    let lang = language(&state, &headers, &q, served.form.languages());
    let draft = match state
        .store
        .submitted_draft(&sid.owner(account::for_form(&served.form, acc.0.as_ref())), scope.authority_id(), &form_id)
        .await
    {
        Ok(Some(d)) => d,
        Ok(None) => return Redirect::to(&form_url).into_response(),
        Err(e) => return storage_error(&state, e),
    };
    // The PDF is written here the first time (its size goes into the link); without it the
    // page still confirms the submission.
    let pdf_kb = match super::pdf::of_draft(&state, scope, &draft).await {
        Ok(bytes) => Some(bytes.len().div_ceil(1024)),
        Err(e) => {
            tracing::error!(form = %form_id, error = %e, "no PDF of the submission");
            None
        }
    };
    let s = match scope.session(&lang.code, state.today()) {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    let url = format!("{form_url}/confirmation");
    let b = base(&state, scope.tenant, &lang.code, &sid, &url, served.form.languages());
    let authority = authority_name(scope, &s);
    let ctx = minijinja::context! {
        form_title => s.render(served.form.title(), None), authority => authority, reference => draft.reference,
        pdf_url => pdf_kb.map(|_| format!("{url}/antrag.pdf")), pdf_kb => pdf_kb,
    };
    with_cookie(page(&state, "confirmation.html", b, ctx), &lang)
}

/// `GET /f/{form}/confirmation/antrag.pdf`: the PDF of this browser session's own submission
/// of the form (the same check as the confirmation page); 404 for any other browser.
pub async fn confirmation_pdf(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let account = account::for_form(&scope.served.form, acc.0.as_ref());
    let draft = match state.store.submitted_draft(&sid.owner(account), scope.authority_id(), &p.form).await {
        Ok(Some(d)) => d,
        Ok(None) => return message(&state, StatusCode::NOT_FOUND, "de", &sid, "not_found", "not_found_text"),
        Err(e) => return storage_error(&state, e),
    };
    match super::pdf::of_draft(&state, scope, &draft).await {
        Ok(bytes) => {
            let name = super::pdf::file_name(draft.reference.as_deref().unwrap_or_default());
            let disposition =
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).unwrap_or(HeaderValue::from_static("attachment"));
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
        Err(super::pdf::PdfFault::Storage(e)) => storage_error(&state, e),
        Err(super::pdf::PdfFault::OverBudget(_)) => budget_page(&state, &sid, "de", &p.form),
        Err(e) => internal(e),
    }
}

/// `GET /impressum`.
pub async fn impressum(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    legal_page(&state, None, &sid, &headers, &q, "imprint")
}

/// `GET /datenschutz`.
pub async fn datenschutz(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    legal_page(&state, None, &sid, &headers, &q, "privacy")
}

/// `GET /barrierefreiheit`: the operator's statement, or the built-in one (BITV 2.0).
pub async fn barrierefreiheit(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    legal_page(&state, None, &sid, &headers, &q, "accessibility")
}

/// One of the footer's pages (`key`: its title in the interface texts): a redirect to the
/// operator's address, their text, the built-in accessibility statement, or a 404 page
/// that says the operator has not given it (`--production` refuses to start so).
///
/// Under an authority (`tenant`), its own Impressum and Datenschutzerklärung replace the
/// server's, and the page is in its branding.
pub(super) fn legal_page(state: &AppState, tenant: Option<&Tenant>, sid: &Sid, headers: &HeaderMap, q: &LangQuery, key: &str) -> Response {
    use super::legal::Source;
    let offered = vec!["de".to_string(), "en".to_string()];
    let lang = language(state, headers, q, &offered);
    let legal = &state.config.legal;
    let (server, own, path) = match key {
        "imprint" => (&legal.impressum, tenant.and_then(|t| t.imprint.as_ref()), "/impressum"),
        "privacy" => (&legal.datenschutz, tenant.and_then(|t| t.privacy.as_ref()), "/datenschutz"),
        _ => (&legal.barrierefreiheit, None, "/barrierefreiheit"),
    };
    let source = own.or(server.as_ref());
    let t = view::texts(&lang.code);
    let path = format!("{}{path}", tenant.map_or_else(String::new, |t| format!("/{}", t.id())));
    let b = base(state, tenant, &lang.code, sid, &path, &offered);
    let res = match source {
        Some(Source::Url(url)) => Redirect::to(url).into_response(),
        Some(Source::Text(blocks)) => page(state, "legal.html", b, minijinja::context! { title => t[key], blocks => blocks }),
        None if key == "accessibility" => {
            let a = &legal.accessibility;
            let date = a.date.map(|d| engine::checks::display_date(d, &lang.code));
            let ctx = minijinja::context! {
                title => t[key], operator => a.operator, contact => a.contact, date => date,
                known_issues => a.known_issues, conciliation => a.conciliation,
            };
            page(state, "barrierefreiheit.html", b, ctx)
        }
        None => {
            let mut res = page(state, "legal.html", b, minijinja::context! { title => t[key], missing => true });
            *res.status_mut() = StatusCode::NOT_FOUND;
            res
        }
    };
    with_cookie(res, &lang)
}

/// `GET /assets/wasm/{file}`: the browser module's files under their folder's name too.
pub async fn wasm_asset(state: State<AppState>, file: Path<String>) -> Response {
    asset(state, file).await
}

/// `GET /assets/{file}`: the stylesheet (an authority's `assets/` in `--templates DIR`
/// first), and the browser module's files built into the binary (`server/embedded.rs`; a 404
/// in a build without them: the pages work without them).
pub async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    const BUILTIN: &[(&str, &str, &[u8])] = &[
        ("wegweiser.css", "text/css; charset=utf-8", include_bytes!("../../assets/wegweiser.css")),
        ("theme.css", "text/css; charset=utf-8", include_bytes!("../../assets/theme.css")),
    ];
    let mime = |f: &str| match f.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    };
    let ok_name = !file.contains('/') && !file.contains("..") && !file.starts_with('.');
    if ok_name
        && let Some(dir) = &state.config.templates
        && let Ok(bytes) = std::fs::read(dir.join("assets").join(&file))
    {
        return ([(header::CONTENT_TYPE, mime(&file)), (header::CACHE_CONTROL, "public, max-age=3600")], Body::from(bytes)).into_response();
    }
    if let Some(bytes) = super::embedded::file(&file) {
        return ([(header::CONTENT_TYPE, mime(&file)), (header::CACHE_CONTROL, "public, max-age=3600")], Body::from(bytes)).into_response();
    }
    match BUILTIN.iter().find(|(n, _, _)| *n == file) {
        Some((_, m, bytes)) => {
            ([(header::CONTENT_TYPE, *m), (header::CACHE_CONTROL, "public, max-age=3600")], Body::from(*bytes)).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
