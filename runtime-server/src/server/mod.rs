//! The runtime server (`wegweiser serve`): citizens fill in forms step by step in any
//! browser without JavaScript; every step is posted, validated by the engine and either
//! shown again with its errors or followed by a 303 to the next step.
//!
//! - [`app`] builds the router from an [`AppState`]; tests call it without a socket.
//! - [`pages`] has the HTML handlers (start, steps, summary, submission, resume);
//!   [`view`] turns a session into the templates' context; [`store`] is the database;
//!   [`delivery`] delivers submissions by the forms' channels (webhook, e-mail,
//!   FIT-Connect; [`outbox`] is its older name); [`security`] has tokens, CSRF, headers
//!   and the rate limits; [`legal`] has the footer's pages (Impressum, Datenschutz,
//!   Barrierefreiheit); [`listen`] serves the router on a socket with the timeouts
//!   against slow clients and the connection limits; [`multipart`] cleans the part
//!   headers of uploads; [`tenant`] serves the forms of several authorities, each under
//!   `/{authority}/` with its parameter values and branding; [`account`] logs citizens in
//!   with OpenID Connect (only with `--oidc-issuer`) and holds what a form's `login:` asks
//!   of a request.
//!
//! Invariants: the server never takes the browser's view of the form (only active input
//! fields of the posted step are read); nothing but route templates and status codes is
//! logged (never an answer, a token or a URL with a token).

pub mod account;
pub mod api;
pub mod delivery;
pub mod embedded;
pub mod fault;
pub mod legal;
pub mod listen;
pub mod multipart;
pub mod pages;
pub mod pdf;
pub mod preview;
pub mod security;
pub mod store;
pub mod tenant;
pub mod view;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use engine::Form;

pub use delivery as outbox;
pub use store::Store;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a draft lives after its last change.
    pub draft_ttl: Duration,
    /// Add `Secure` to cookies (behind TLS).
    pub secure_cookies: bool,
    /// The bearer token of the admin API (`WEGWEISER_ADMIN_TOKEN`): the operator's, which
    /// sees every submission. No API without it or an authority's token.
    pub admin_token: Option<String>,
    /// The admin tokens of authorities by authority id (`WEGWEISER_ADMIN_TOKEN_<ID>`): each
    /// sees only its authority's submissions and deliveries.
    pub authority_tokens: BTreeMap<String, String>,
    /// Largest request body in bytes (uploads included).
    pub max_body: usize,
    /// A directory whose templates (and `assets/`) replace the built-in ones.
    pub templates: Option<PathBuf>,
    /// A fixed "today" (tests); the clock's date otherwise.
    pub today: Option<NaiveDate>,
    /// First retry delay of a webhook delivery; doubles per attempt (at most an hour).
    pub retry_base: Duration,
    /// How long one webhook delivery may take before it counts as failed (and is retried).
    pub webhook_timeout: Duration,
    /// Most webhook deliveries in flight at once (`--outbox-in-flight`).
    pub outbox_in_flight: usize,
    /// Evaluation steps one request may use (`Session::set_step_budget`); beyond it the
    /// request gets a 503 page and nothing of it is acted on.
    pub eval_budget: u64,
    /// How long a client may take to send a request's headers (slow-loris); the
    /// connection is closed after it; also the time a kept-alive connection may stay
    /// idle. Only used by [`listen::serve`].
    pub header_read_timeout: Duration,
    /// How long a client may take to receive one response, from its first byte (a client
    /// that never reads); the connection is closed after it. Only used by [`listen::serve`].
    pub write_timeout: Duration,
    /// Open connections at most; over it, a new connection gets a 503 and is closed.
    /// Keep it below the process's file limit (`ulimit -n`) with room for the database
    /// and the outbox. Only used by [`listen::serve`].
    pub max_connections: usize,
    /// Open connections from one address at most (not applied with `client_ip_header`:
    /// behind a proxy every connection comes from it). Only used by [`listen::serve`].
    pub max_connections_per_client: usize,
    /// How long one request may take from its headers to the response, reading the body
    /// included (a body trickling in); answered with 408 after it.
    pub request_timeout: Duration,
    /// Bounds on what one request may carry (answers, uploads).
    pub limits: Limits,
    /// Failed resume-link and admin-token attempts a client may make per minute before
    /// it gets 429 (guessing).
    pub failed_lookups_per_minute: u32,
    /// New drafts a client may start per minute before it gets 429 (filling the database).
    pub new_drafts_per_minute: u32,
    /// A request header that carries the client's address when the server is behind a
    /// proxy (`X-Forwarded-For`: its last entry, `X-Real-IP`); the peer address otherwise.
    pub client_ip_header: Option<String>,
    /// Impressum, Datenschutz and Barrierefreiheit (the footer's pages).
    pub legal: legal::Legal,
    /// The SMTP server of the `email` channel (`--smtp-url`, `--smtp-from`).
    pub smtp: Option<delivery::email::SmtpConfig>,
    /// The FIT-Connect client of the `fitconnect` channel.
    pub fitconnect: Option<delivery::fitconnect::FitConnectConfig>,
    /// Values of the variables that channels name (`email.to_env`,
    /// `fitconnect.destination_env`) that replace the process environment's (tests set
    /// them here: the environment of a running process is not safely writable).
    pub channel_env: BTreeMap<String, String>,
}

impl Config {
    /// The value of a variable a channel names: [`Config::channel_env`], else the process
    /// environment.
    pub fn channel_var(&self, name: &str) -> Option<String> {
        self.channel_env.get(name).cloned().or_else(|| std::env::var(name).ok())
    }
}

/// Bounds on one request, so that neither a citizen's mistake nor an attacker can make the
/// server store or evaluate unbounded input.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The longest text answer in characters; a longer one is refused with a field error
    /// and never stored.
    pub max_answer_chars: usize,
    /// The most file parts in one post (a step rarely has more than a few file fields).
    pub max_uploads: usize,
    /// The most parts (fields and files) in one multipart post.
    pub max_parts: usize,
    /// The largest a draft may grow, in bytes: its answers (as stored) and its uploads
    /// together. A post beyond it changes nothing and gets 413 with a message.
    pub max_draft_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_answer_chars: 10_000, max_uploads: 20, max_parts: 2_000, max_draft_bytes: 20 * 1024 * 1024 }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            draft_ttl: Duration::from_secs(30 * 24 * 3600),
            secure_cookies: false,
            admin_token: None,
            authority_tokens: BTreeMap::new(),
            max_body: 25 * 1024 * 1024,
            templates: None,
            today: None,
            retry_base: Duration::from_secs(5),
            webhook_timeout: Duration::from_secs(30),
            outbox_in_flight: 16,
            eval_budget: engine::session::REQUEST_STEP_BUDGET,
            header_read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(60),
            max_connections: 512,
            max_connections_per_client: 64,
            request_timeout: Duration::from_secs(60),
            limits: Limits::default(),
            failed_lookups_per_minute: 20,
            new_drafts_per_minute: 60,
            client_ip_header: None,
            legal: legal::Legal::default(),
            smtp: None,
            fitconnect: None,
            channel_env: BTreeMap::new(),
        }
    }
}

/// A form the server offers.
#[derive(Debug)]
pub struct Served {
    /// The compiled form.
    pub form: Form,
    /// The compiled form in its binary encoding for the browser module (`Form::to_bytes`, with
    /// each pattern's DFA), made once per form and served as an immutable asset at
    /// [`Served::browser_url`] (`pages::form_asset`); the step pages carry only the URL.
    pub browser_bytes: axum::body::Bytes,
    /// `/assets/forms/{content hash}.bin`: a new form (or a new encoding) gets a new URL, so
    /// browsers may cache each one for good.
    pub browser_url: String,
}

impl Served {
    /// Serves `form`.
    pub fn new(form: Form) -> Served {
        let bytes = form.to_bytes();
        let hash = security::sha256_bytes_hex(&bytes);
        // 128 bits of the hash name the asset: unique among the forms of any server.
        let browser_url = format!("{FORM_ASSETS}{}.bin", &hash[..32]);
        Served { form, browser_bytes: bytes.into(), browser_url }
    }

    /// The asset's ETag: its content hash, quoted.
    pub fn browser_etag(&self) -> String {
        let name = self.browser_url.trim_start_matches(FORM_ASSETS).trim_end_matches(".bin");
        format!("\"{name}\"")
    }
}

/// Where the compiled forms' binary encodings are served (`GET /assets/forms/{hash}.bin`).
pub const FORM_ASSETS: &str = "/assets/forms/";

/// JSON made safe to embed in a `<script>` element: `<`, `>` and `&` as `\u003c` … (JSON
/// allows these escapes only inside strings, which is the only place they occur), so no
/// text of the form can close the element or open a comment.
pub fn script_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Line and paragraph separators are line ends in older JavaScript.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// The shared state behind [`AppState`].
pub struct Inner {
    /// The forms by id.
    pub forms: BTreeMap<String, Served>,
    /// The authorities by id; none for a server without `authorities/`.
    pub tenants: BTreeMap<String, tenant::Tenant>,
    /// The database.
    pub store: Store,
    /// The templates.
    pub templates: minijinja::Environment<'static>,
    /// The configuration.
    pub config: Config,
    /// Requests by route and status.
    pub requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// The HTTP client of the outbox (no redirects: [`delivery::client`]).
    pub http: reqwest::Client,
    /// The FIT-Connect sender (one per server: its token cache), when configured.
    pub fitconnect: Option<fitconnect::Sender>,
    /// Wakes the outbox when a submission is stored ([`delivery::wake`]).
    pub outbox_wake: tokio::sync::Notify,
    /// Failed resume and admin lookups by client (guessing is rate-limited).
    pub lookups: security::Limiter,
    /// New drafts by client (rate-limited).
    pub drafts: security::Limiter,
    /// When a request was last answered with 507 (storage full): `/healthz` reports
    /// degraded for a while after it.
    pub last_full: Mutex<Option<std::time::Instant>>,
    /// The OpenID Connect relying party, when an identity provider is configured.
    pub oidc: Option<account::oidc::Oidc>,
    /// Submissions whose PDF the background worker writes ([`pdf::run`]).
    pub pdf_queue: tokio::sync::mpsc::Sender<pdf::Job>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state from compiled forms and a connected store.
    pub fn new(forms: Vec<Form>, store: Store, config: Config) -> AppState {
        AppState::build(forms, Vec::new(), store, config, None)
    }

    /// Builds the state of a server for several authorities ([`tenant`]); with none, the
    /// server of [`AppState::new`].
    pub fn with_authorities(forms: Vec<Form>, tenants: Vec<tenant::Tenant>, store: Store, config: Config) -> AppState {
        AppState::build(forms, tenants, store, config, None)
    }

    /// [`AppState::new`] with an identity provider ([`account::oidc::Oidc::discover`]).
    pub fn with_oidc(forms: Vec<Form>, store: Store, config: Config, oidc: Option<account::oidc::Oidc>) -> AppState {
        AppState::build(forms, Vec::new(), store, config, oidc)
    }

    /// The state with everything: authorities ([`tenant`], none for a single forms
    /// folder) and an identity provider (`None` without login).
    pub fn build(
        forms: Vec<Form>,
        tenants: Vec<tenant::Tenant>,
        store: Store,
        config: Config,
        oidc: Option<account::oidc::Oidc>,
    ) -> AppState {
        let tenants = tenants.into_iter().map(|t| (t.authority.id.clone(), t)).collect();
        let templates = view::environment(config.templates.clone());
        let forms = forms.into_iter().map(|f| (f.id().to_string(), Served::new(f))).collect();
        let http = delivery::client(config.webhook_timeout);
        let fitconnect = config.fitconnect.as_ref().map(delivery::fitconnect::FitConnectConfig::sender);
        let lookups = security::Limiter::new(config.failed_lookups_per_minute, Duration::from_secs(60));
        let drafts = security::Limiter::new(config.new_drafts_per_minute, Duration::from_secs(60));
        let (pdf_queue, pdf_jobs) = pdf::channel();
        let inner = Arc::new(Inner {
            forms,
            tenants,
            store,
            templates,
            config,
            requests: Mutex::new(BTreeMap::new()),
            http,
            fitconnect,
            outbox_wake: tokio::sync::Notify::new(),
            lookups,
            drafts,
            last_full: Mutex::new(None),
            oidc,
            pdf_queue,
        });
        pdf::start(&inner, pdf_jobs);
        AppState(inner)
    }

    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
    }

    /// Today's date (the engine has no clock).
    pub fn today(&self) -> NaiveDate {
        self.config.today.unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// A form compiled from a file of the forms folder.
#[derive(Debug)]
pub struct LoadedForm {
    /// The file it was read from.
    pub file: PathBuf,
    /// The compiled form.
    pub form: Form,
}

/// Why the forms of a directory cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory or a file in it could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Two files define a form with the same id: one would shadow the other.
    #[error("`{}` and `{}` both define the form `{id}`; give each form its own id", first.display(), second.display())]
    DuplicateId {
        /// The id.
        id: String,
        /// The file read first (in name order).
        first: PathBuf,
        /// The other file.
        second: PathBuf,
    },
}

/// Compiles every `*.yaml` form (not `*.test.yaml`) in a directory. Forms with errors are
/// reported and skipped; two forms with the same id are an error (naming both files).
pub fn load_forms(dir: &Path) -> Result<(Vec<LoadedForm>, Vec<String>), LoadError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let s = p.to_string_lossy();
            (s.ends_with(".yaml") || s.ends_with(".yml")) && !s.ends_with(".test.yaml")
        })
        .collect();
    files.sort();
    let (mut forms, mut errors) = (Vec::new(), Vec::new());
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for f in files {
        let src = std::fs::read_to_string(&f)?;
        match engine::compile(&src).form {
            Some(form) => {
                if let Some(first) = seen.insert(form.id().to_string(), f.clone()) {
                    return Err(LoadError::DuplicateId { id: form.id().to_string(), first, second: f });
                }
                forms.push(LoadedForm { file: f, form });
            }
            None => errors.push(format!("{}: the form has errors (see `wegweiser check`)", f.display())),
        }
    }
    Ok((forms, errors))
}

/// The webhook secrets that `env` (the process environment, in `wegweiser serve`) does
/// not have: one message per form whose webhook's `secret_env` names a variable that is
/// unset or empty, naming the form, its file and the variable. The server must not start
/// with any: it would sign deliveries with an empty key.
pub fn missing_secrets(forms: &[LoadedForm], env: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut missing = Vec::new();
    for LoadedForm { file, form } in forms {
        let Some(var) = form.submission().webhook().and_then(|w| w.secret_env.as_deref()) else { continue };
        if env(var).is_none_or(|v| v.is_empty()) {
            missing.push(format!(
                "form `{}` ({}): the webhook secret variable `{var}` (submission.webhook.secret_env) is unset or empty",
                form.id(),
                file.display()
            ));
        }
    }
    missing
}

/// What the forms' other channels need and the configuration or `env` lacks: the SMTP
/// server and the address variable of an `email` channel, the FIT-Connect client and the
/// destination variable of a `fitconnect` channel. One plain message each; the server must
/// not start with any (the submissions would pile up undeliverable).
///
/// With authorities, an authority's `delivery:` entry for a form (its e-mail address, its
/// FIT-Connect destination) takes the place of the form's variable under that authority;
/// the variable is needed only where some scope serving the form has no such entry.
pub fn missing_channel_settings(
    forms: &[LoadedForm],
    tenants: &[tenant::Tenant],
    config: &Config,
    env: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    use engine::form::Channel;
    let mut missing = Vec::new();
    for LoadedForm { file, form } in forms {
        let at = format!("form `{}` ({})", form.id(), file.display());
        let offering: Vec<&tenant::Tenant> = tenants.iter().filter(|t| t.authority.forms.contains_key(form.id())).collect();
        // Some scope serving the form has no `delivery:` value of this kind: it reads the variable.
        let needs_var = |has: &dyn Fn(&engine::authority::Delivery) -> bool| {
            offering.is_empty() || offering.iter().any(|t| !t.authority.delivery.get(form.id()).is_some_and(has))
        };
        for c in &form.submission().channels {
            match c {
                Channel::Email(e) => {
                    if config.smtp.is_none() {
                        missing.push(format!("{at}: delivers by e-mail, but no SMTP server is configured (--smtp-url and --smtp-from)"));
                    }
                    if !needs_var(&|d| d.email.is_some()) {
                        continue;
                    }
                    if let Err(why) = delivery::email::authority_addresses(&e.to_env, env(&e.to_env)) {
                        missing.push(format!("{at}: the e-mail channel's {why} (submission.deliver email.to_env)"));
                    }
                }
                Channel::FitConnect(f) => {
                    if config.fitconnect.is_none() {
                        missing.push(format!(
                            "{at}: delivers by FIT-Connect, but no FIT-Connect client is configured (--fitconnect-token-url, \
                             --fitconnect-api-url, WEGWEISER_FITCONNECT_CLIENT_ID, WEGWEISER_FITCONNECT_CLIENT_SECRET)"
                        ));
                    }
                    if let Some(why) = delivery::fitconnect::fim_problem(form) {
                        missing.push(format!("{at}: {why}"));
                    }
                    if needs_var(&|d| d.fit_connect.is_some()) && env(&f.destination_env).is_none_or(|v| v.trim().is_empty()) {
                        missing.push(format!(
                            "{at}: the FIT-Connect destination variable `{}` (fitconnect.destination_env) is unset or empty",
                            f.destination_env
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    missing
}

/// The router.
pub fn app(state: AppState) -> Router {
    let max_body = state.config.max_body;
    let mut router = Router::new();
    if state.tenants.is_empty() {
        router = router.route("/", get(pages::index));
    } else {
        // The same handlers under each authority's prefix (they read `{authority}` from the
        // path: `tenant::FormPath`), and the authorities' own pages. Registered only with
        // authorities, so that a server without them has exactly its routes of before.
        router = router
            .route("/", get(tenant::home))
            .route("/{authority}", get(tenant::authority_home))
            .route("/{authority}/", get(tenant::authority_home))
            .route("/{authority}/logo", get(tenant::logo))
            .route("/{authority}/brand.css", get(tenant::brand_stylesheet))
            .route("/{authority}/impressum", get(tenant::legal_page))
            .route("/{authority}/datenschutz", get(tenant::legal_page))
            .route("/{authority}/barrierefreiheit", get(tenant::legal_page))
            .route("/{authority}/f/{form}", get(pages::start))
            .route("/{authority}/f/{form}/s/{step}", get(pages::step_get).post(pages::step_post))
            .route("/{authority}/f/{form}/summary", get(pages::summary))
            .route("/{authority}/f/{form}/submit", post(pages::submit))
            .route("/{authority}/f/{form}/confirmation", get(pages::confirmation))
            .route("/{authority}/f/{form}/confirmation/antrag.pdf", get(pages::confirmation_pdf))
            .route("/{authority}/resume/{token}", get(pages::resume).post(pages::resume_post));
    }
    router
        .route("/f/{form}", get(pages::start))
        .route("/f/{form}/s/{step}", get(pages::step_get).post(pages::step_post))
        .route("/f/{form}/summary", get(pages::summary))
        .route("/f/{form}/submit", post(pages::submit))
        .route("/f/{form}/confirmation", get(pages::confirmation))
        .route("/f/{form}/confirmation/antrag.pdf", get(pages::confirmation_pdf))
        .route("/resume/{token}", get(pages::resume).post(pages::resume_post))
        .route("/impressum", get(pages::impressum))
        .route("/datenschutz", get(pages::datenschutz))
        .route("/barrierefreiheit", get(pages::barrierefreiheit))
        .route("/login", get(account::oidc::login))
        .route("/login/callback", get(account::oidc::callback))
        .route("/logout", post(account::oidc::logout))
        .route("/konto", get(account::konto::overview))
        .route("/konto/entwuerfe/{id}/fortsetzen", post(account::konto::resume))
        .route("/konto/entwuerfe/{id}/loeschen", post(account::konto::delete))
        .route("/konto/entwuerfe/{id}/uebernehmen", post(account::konto::adopt))
        .route("/konto/antraege/{reference}", get(account::konto::submission))
        .route("/konto/antraege/{reference}/antrag.pdf", get(account::konto::submission_pdf))
        .route("/konto/antraege/{reference}/nachrichten/{attachment}", get(account::konto::message_pdf))
        .route("/assets/{file}", get(pages::asset))
        .route("/assets/wasm/{file}", get(pages::wasm_asset))
        .route("/assets/forms/{file}", get(pages::form_asset))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/api/v1/submissions", get(api::list))
        .route("/api/v1/submissions/{reference}", get(api::one))
        .route("/api/v1/submissions/{reference}/channels", get(api::channels))
        .route("/api/v1/submissions/{reference}/messages", post(api::post_message))
        .route("/api/v1/outbox", get(api::outbox))
        .route_layer(middleware::from_fn_with_state(state.clone(), count_requests))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), account::session::account_session))
        .layer(middleware::from_fn_with_state(state.clone(), pages::browser_session))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), request_timeout))
        .layer(middleware::from_fn(security::headers))
        .with_state(state)
}

/// Counts requests by route template and status, and logs them (route template only:
/// a URL can carry a resume token).
async fn count_requests(axum::extract::State(state): axum::extract::State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().clone();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    tracing::info!(%method, route = %route, status, ms = started.elapsed().as_millis() as u64, "request");
    if let Ok(mut m) = state.requests.lock() {
        *m.entry((route, status)).or_insert(0) += 1;
    }
    // 507 is answered only when a write found the storage full (`pages::storage_error`,
    // an upload that could not be stored): remembered for `/healthz`.
    if status == 507
        && let Ok(mut t) = state.last_full.lock()
    {
        *t = Some(std::time::Instant::now());
    }
    res
}

/// Cuts off a request that takes longer than `request_timeout` (a body trickling in, or a
/// database that does not answer) with 408, so that it frees its task and connection.
async fn request_timeout(axum::extract::State(state): axum::extract::State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.config.request_timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!("request timed out");
            let mut res = pages::message_page(&state, axum::http::StatusCode::REQUEST_TIMEOUT, "timeout", "timeout_text");
            // The rest of a trickling body is not read: close the connection.
            res.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
            res
        }
    }
}
