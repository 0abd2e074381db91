//! `wegweiser serve`: serves every form in a folder over HTTP (see [`crate::server`]).
//! Without flags: the bundled `form-definitions/` on 127.0.0.1:8080 with an SQLite file.
//! A folder with `authorities/` is served per authority (`/{authority}/f/{form}`,
//! docs/authorities.md); an authority file with errors keeps the server from starting.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;

use super::Exit;
use crate::server::{self, AppState, Config, Store};

/// Arguments of `wegweiser serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder with the forms (`*.yaml`; `*.test.yaml` are skipped) and, if any, their
    /// authorities (`authorities/<id>/authority.yaml`).
    #[arg(long, default_value = "form-definitions")]
    pub forms: PathBuf,
    /// The same as `--forms FOLDER`.
    #[arg(value_name = "FOLDER", conflicts_with = "forms")]
    pub folder: Option<PathBuf>,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Share the address with other `wegweiser serve` processes on one database
    /// (`SO_REUSEPORT`: the kernel spreads new connections over them; Linux and the BSDs).
    #[arg(long)]
    pub reuse_port: bool,
    /// Open drafts kept in memory, so a citizen's next page does not read its draft from
    /// the database (default 10000). Only for the one process on an SQLite file: off on
    /// PostgreSQL and with `--reuse-port` (another process's write would not reach it);
    /// never start a second process on the same SQLite file without `--reuse-port`
    /// while it is on. 0 turns it off.
    #[arg(long)]
    pub draft_cache: Option<usize>,
    /// The database: `sqlite://FILE` or `postgres://…` (default: `DATABASE_URL`, else
    /// `sqlite://wegweiser.db`).
    #[arg(long)]
    pub database: Option<String>,
    /// A folder whose templates and `assets/` replace the built-in ones.
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Days a draft is kept after its last change.
    #[arg(long, default_value_t = 30)]
    pub draft_days: u64,
    /// Mark cookies `Secure` (when served over TLS or behind a TLS proxy).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Largest request body in MiB (uploads included).
    #[arg(long, default_value_t = 25)]
    pub max_body_mib: usize,
    /// Largest a draft may grow in MiB: its answers and uploads together.
    #[arg(long, default_value_t = 20)]
    pub max_draft_mib: usize,
    /// Seconds one webhook delivery may take before it is given up and retried later.
    #[arg(long, default_value_t = 30.0, value_parser = positive_seconds)]
    pub webhook_timeout: f64,
    /// Testing only (hidden): a fixed "today" for the forms' date rules, so that a
    /// scenario written for one day can be walked in a browser on any day.
    #[arg(long, hide = true, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Most webhook deliveries in flight at once (each waits for its target's answer).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub outbox_in_flight: u64,
    /// Testing only (hidden): how often the outbox looks for due deliveries when nothing
    /// wakes it (retries, submissions stored by another server), in milliseconds.
    #[arg(long, hide = true, default_value_t = 2000)]
    pub outbox_every_ms: u64,
    /// Testing only (hidden): the first retry delay of a failed delivery, in milliseconds.
    #[arg(long, hide = true, default_value_t = 5000)]
    pub retry_base_ms: u64,
    /// Seconds a client gets to send a request's headers (slow clients are cut off).
    #[arg(long, default_value_t = 10)]
    pub header_timeout_s: u64,
    /// Seconds one request may take, its body included (answered with 408 after it).
    #[arg(long, default_value_t = 60)]
    pub request_timeout_s: u64,
    /// Seconds a client may take to receive one response (a client that does not read is
    /// cut off after it).
    #[arg(long, default_value_t = 60)]
    pub write_timeout_s: u64,
    /// Open connections at most (keep it below `ulimit -n`, with room for the database);
    /// over it, new connections get a 503 and are closed.
    #[arg(long, default_value_t = 512)]
    pub max_connections: usize,
    /// Open connections from one address at most (not applied with `--client-ip-header`:
    /// then limit connections per client at the proxy).
    #[arg(long, default_value_t = 64)]
    pub max_connections_per_client: usize,
    /// New drafts one client address may start per minute (429 after it).
    #[arg(long, default_value_t = 60)]
    pub new_drafts_per_minute: u32,
    /// The header in which a trusted reverse proxy passes the client's address
    /// (`X-Forwarded-For`, `X-Real-IP`), for the rate limit of guesses. Only set it when
    /// every request comes through that proxy.
    #[arg(long)]
    pub client_ip_header: Option<String>,
    /// The Impressum (§ 5 DDG): an `https://` address (the page redirects there) or a
    /// plain-text file (paragraphs between blank lines, `# ` starts a heading; shown
    /// escaped, never as HTML).
    #[arg(long, value_name = "URL|FILE")]
    pub impressum: Option<String>,
    /// The Datenschutzerklärung (Art. 13 DSGVO): an address or a plain-text file.
    #[arg(long, value_name = "URL|FILE")]
    pub datenschutz: Option<String>,
    /// The Erklärung zur Barrierefreiheit: an address or a plain-text file. Without it the
    /// built-in statement (BITV 2.0 structure) is shown, filled from the
    /// `--accessibility-*` flags and `--operator`.
    #[arg(long, value_name = "URL|FILE")]
    pub barrierefreiheit: Option<String>,
    /// Who runs the service ("Stadt Bitburg"), named in the built-in accessibility statement.
    #[arg(long)]
    pub operator: Option<String>,
    /// Where citizens report barriers (an e-mail address, phone or postal address).
    #[arg(long)]
    pub accessibility_contact: Option<String>,
    /// The day the accessibility statement was written or last reviewed (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub accessibility_date: Option<NaiveDate>,
    /// Content known not to be accessible, for the built-in statement (repeatable).
    #[arg(long = "accessibility-issue")]
    pub accessibility_issues: Vec<String>,
    /// The conciliation body for the built-in statement (the federal one by default).
    #[arg(long)]
    pub accessibility_conciliation: Option<String>,
    /// The SMTP server of forms that deliver by e-mail (also `WEGWEISER_SMTP_URL`):
    /// `smtp://USER@HOST:587` (STARTTLS required) or `smtps://USER@HOST:465` (TLS from the
    /// start). The password in the URL or, better, in `WEGWEISER_SMTP_PASSWORD`.
    #[arg(long, value_name = "URL")]
    pub smtp_url: Option<String>,
    /// The sender of the e-mails (also `WEGWEISER_SMTP_FROM`), e.g.
    /// `"Stadt Bitburg – Online-Anträge <antraege@bitburg.example>"`.
    #[arg(long, value_name = "ADDRESS")]
    pub smtp_from: Option<String>,
    /// A PEM file with CA certificates to trust for the SMTP server's certificate besides
    /// the public ones (an authority's own CA).
    #[arg(long, value_name = "FILE")]
    pub smtp_ca_file: Option<PathBuf>,
    /// Seconds one e-mail may take (connect, TLS, login, send) before it is retried later.
    #[arg(long, default_value_t = 60.0, value_parser = positive_seconds)]
    pub smtp_timeout: f64,
    /// The OAuth token address of FIT-Connect, for forms that deliver by FIT-Connect (the
    /// client id and secret in `WEGWEISER_FITCONNECT_CLIENT_ID` / `_SECRET`).
    #[arg(long, value_name = "URL")]
    pub fitconnect_token_url: Option<String>,
    /// The FIT-Connect Submission API's address.
    #[arg(long, value_name = "URL")]
    pub fitconnect_api_url: Option<String>,
    /// Seconds one FIT-Connect delivery may take (all its calls) before it is retried later.
    #[arg(long, default_value_t = 120.0, value_parser = positive_seconds)]
    pub fitconnect_timeout: f64,
    /// Login with OpenID Connect: the issuer of the identity provider (e.g. a Keycloak realm
    /// brokering BundID). Without it no login is offered, and forms with
    /// `login: { mode: required }` refuse to be served. The client secret comes from
    /// `WEGWEISER_OIDC_CLIENT_SECRET`.
    #[arg(long, value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// The client id registered at the identity provider.
    #[arg(long, default_value = "wegweiser")]
    pub oidc_client_id: String,
    /// The address of `/login/callback` as registered at the provider (default: from
    /// `--addr`, `http://ADDR/login/callback`; behind a proxy give the public one).
    #[arg(long, value_name = "URL")]
    pub oidc_redirect_url: Option<String>,
    /// The scopes asked for, besides `openid` (space- or comma-separated).
    #[arg(long, default_value = "profile email address phone")]
    pub oidc_scopes: String,
    /// The claim of the ID token that carries the trust level.
    #[arg(long, default_value = "acr")]
    pub oidc_trust_claim: String,
    /// A value of the trust claim and the level it means, `VALUE=basis|substantiell|hoch`
    /// (repeatable; replaces the built-in mapping of BundID's STORK-QAA and eIDAS values).
    #[arg(long = "oidc-trust-map", value_parser = server::account::parse_trust_mapping)]
    pub oidc_trust_map: Vec<(String, engine::account::TrustLevel)>,
    /// Minutes an account session may stay without a request before it ends.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub login_idle_minutes: u64,
    /// Minutes an account session lasts at most after the login.
    #[arg(long, default_value_t = 240, value_parser = clap::value_parser!(u64).range(1..=10080))]
    pub login_max_minutes: u64,
    /// Production mode (also `WEGWEISER_PRODUCTION=1`): refuse to start without an
    /// Impressum, a Datenschutzerklärung and an accessibility statement or contact.
    #[arg(long)]
    pub production: bool,
}

/// The footer's pages from the flags; in production mode all of them must be there.
pub fn legal_pages(args: &Args) -> Result<server::legal::Legal, server::legal::LegalError> {
    use server::legal::{Accessibility, Legal, Source};
    let page = |name: &'static str, arg: &Option<String>| arg.as_deref().map(|a| Source::from_arg(name, a)).transpose();
    let legal = Legal {
        impressum: page("the Impressum", &args.impressum)?,
        datenschutz: page("the Datenschutzerklärung", &args.datenschutz)?,
        barrierefreiheit: page("the accessibility statement", &args.barrierefreiheit)?,
        accessibility: Accessibility {
            operator: args.operator.clone(),
            contact: args.accessibility_contact.clone(),
            date: args.accessibility_date,
            known_issues: args.accessibility_issues.clone(),
            conciliation: args.accessibility_conciliation.clone(),
        },
    };
    let production = args.production || std::env::var("WEGWEISER_PRODUCTION").is_ok_and(|v| v == "1" || v == "true");
    if production {
        legal.check_production()?;
    }
    Ok(legal)
}

/// The e-mail channel's SMTP server from the flags and the environment; `Ok(None)` when
/// neither URL nor sender is given.
pub fn smtp_config(args: &Args, env: impl Fn(&str) -> Option<String>) -> Result<Option<server::delivery::email::SmtpConfig>, String> {
    let url = args.smtp_url.clone().or_else(|| env("WEGWEISER_SMTP_URL")).filter(|v| !v.is_empty());
    let from = args.smtp_from.clone().or_else(|| env("WEGWEISER_SMTP_FROM")).filter(|v| !v.is_empty());
    let (url, from) = match (url, from) {
        (None, None) => return Ok(None),
        (Some(u), Some(f)) => (u, f),
        (None, Some(_)) => return Err("--smtp-from is given without --smtp-url (or WEGWEISER_SMTP_URL)".into()),
        (Some(_), None) => return Err("--smtp-url is given without --smtp-from (or WEGWEISER_SMTP_FROM): who sends the e-mails?".into()),
    };
    let ca = match &args.smtp_ca_file {
        Some(f) => Some(std::fs::read(f).map_err(|e| format!("cannot read --smtp-ca-file `{}`: {e}", f.display()))?),
        None => None,
    };
    let timeout = Duration::from_secs_f64(args.smtp_timeout);
    server::delivery::email::SmtpConfig::new(&url, env("WEGWEISER_SMTP_PASSWORD"), &from, ca.as_deref(), timeout).map(Some)
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` is not a date like 2026-11-22"))
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!("`{s}` is not a number of seconds between 0 and 3600")),
    }
}

/// The variable with an authority's admin token: `WEGWEISER_ADMIN_TOKEN_` and its id in
/// capitals, `-` as `_` (`bernkastel-kues` → `WEGWEISER_ADMIN_TOKEN_BERNKASTEL_KUES`).
pub fn token_variable(authority: &str) -> String {
    format!("WEGWEISER_ADMIN_TOKEN_{}", authority.to_ascii_uppercase().replace('-', "_"))
}

/// The authorities of the forms folder, ready to serve; none without `authorities/`. Any
/// error in an authority file (or a logo that cannot be served) is printed with its line
/// and column and keeps the server from starting: a Kommune served with wrong rates or
/// without its branding is worse than no server.
fn authorities(dir: &std::path::Path, forms: &[server::LoadedForm]) -> Result<Vec<server::tenant::Tenant>, Exit> {
    let refs: Vec<&engine::Form> = forms.iter().map(|f| &f.form).collect();
    let found = crate::authority::load_dir(dir, &refs);
    if found.has_errors() {
        let color = super::ColorChoice::Auto.enabled();
        for f in &found.files {
            for d in &f.diagnostics {
                eprint!("{}", engine::diag::render::render_text(d, &f.path.display().to_string(), &f.source, color));
            }
        }
        for p in &found.problems {
            eprintln!("{p}");
        }
        eprintln!("error: the authorities in `{}` have errors; the server does not start", dir.join(crate::authority::DIR_NAME).display());
        return Err(Exit::Diagnostics);
    }
    server::tenant::tenants(dir, &found).map_err(|e| {
        eprintln!("error: {e}");
        Exit::Failure
    })
}

/// Runs the server until Ctrl-C.
pub fn run(args: &Args) -> Exit {
    // The log goes to standard output; colour codes only belong on a terminal, not in a
    // log file or a journal (and never with `NO_COLOR`).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_ansi(super::ColorChoice::Auto.enabled())
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return Exit::Failure;
        }
    };
    runtime.block_on(serve(args))
}

async fn serve(args: &Args) -> Exit {
    // Checked first: a production server without its legal pages does not start at all.
    let legal = match legal_pages(args) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Failure;
        }
    };
    let dir = args.folder.as_ref().unwrap_or(&args.forms);
    let (forms, errors) = match server::load_forms(dir) {
        Ok(f) => f,
        Err(server::LoadError::Io(e)) => {
            eprintln!("error: cannot read `{}`: {e}", dir.display());
            return Exit::Failure;
        }
        Err(e @ server::LoadError::DuplicateId { .. }) => {
            eprintln!("error: {e}");
            return Exit::Failure;
        }
    };
    for e in &errors {
        tracing::error!("{e}");
    }
    if forms.is_empty() {
        eprintln!("error: no form to serve in `{}`", dir.display());
        return Exit::Diagnostics;
    }
    // A webhook secret that is not there would sign every delivery with an empty key.
    let missing = server::missing_secrets(&forms, |v| std::env::var(v).ok());
    if !missing.is_empty() {
        for m in &missing {
            eprintln!("error: {m}");
        }
        eprintln!(
            "help: set each variable to the secret the receiver checks (e.g. `openssl rand -hex 32`), or take the form out of `{}`",
            dir.display()
        );
        return Exit::Failure;
    }
    let env = |v: &str| std::env::var(v).ok();
    let smtp = match smtp_config(args, env) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Failure;
        }
    };
    let fitconnect = match server::delivery::fitconnect::FitConnectConfig::from_parts(
        args.fitconnect_token_url.as_deref(),
        args.fitconnect_api_url.as_deref(),
        env,
    ) {
        Ok(f) => {
            f.map(|f| server::delivery::fitconnect::FitConnectConfig { timeout: Duration::from_secs_f64(args.fitconnect_timeout), ..f })
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Failure;
        }
    };
    for f in &forms {
        if f.form.submission().webhook().is_some_and(|w| w.secret_env.is_none()) {
            tracing::warn!(form = %f.form.id(), "the webhook names no secret_env: its deliveries are signed with an empty key, so the receiver cannot trust them");
        }
    }
    let tenants = match authorities(dir, &forms) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let channels = Config { smtp, fitconnect, ..Config::default() };
    let missing = server::missing_channel_settings(&forms, &tenants, &channels, env);
    if !missing.is_empty() {
        for m in &missing {
            eprintln!("error: {m}");
        }
        eprintln!("help: see docs/delivery.md for what each channel needs, or take the form out of `{}`", args.forms.display());
        return Exit::Failure;
    }
    let authority_tokens = tenants
        .iter()
        .filter_map(|t| std::env::var(token_variable(t.id())).ok().filter(|v| !v.is_empty()).map(|v| (t.id().to_string(), v)))
        .collect();
    let forms: Vec<_> = forms.into_iter().map(|f| f.form).collect();
    // A form that needs a login cannot be served without an identity provider.
    if args.oidc_issuer.is_none() {
        let needing = server::account::forms_needing_login(&forms);
        if !needing.is_empty() {
            for m in &needing {
                eprintln!("error: {m}");
            }
            eprintln!(
                "help: start with `--oidc-issuer URL` (see docs/operations.md, \"Login\"), or take the form out of `{}`",
                args.forms.display()
            );
            return Exit::Failure;
        }
    }
    let url = args.database.clone().or_else(|| std::env::var("DATABASE_URL").ok()).unwrap_or_else(|| "sqlite://wegweiser.db".into());
    let options = server::store::StoreOptions {
        draft_cache: server::store::cache::entries_for(&url, args.reuse_port, args.draft_cache),
        ..server::store::StoreOptions::default()
    };
    let store = match Store::connect_with(&url, &options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot open the database: {e}");
            return Exit::Failure;
        }
    };
    let config = Config {
        draft_ttl: Duration::from_secs(args.draft_days * 24 * 3600),
        secure_cookies: args.secure_cookies,
        admin_token: std::env::var("WEGWEISER_ADMIN_TOKEN").ok().filter(|t| !t.is_empty()),
        authority_tokens,
        max_body: args.max_body_mib * 1024 * 1024,
        templates: args.templates.clone(),
        today: args.today,
        retry_base: Duration::from_millis(args.retry_base_ms),
        webhook_timeout: Duration::from_secs_f64(args.webhook_timeout),
        outbox_in_flight: args.outbox_in_flight as usize,
        header_read_timeout: Duration::from_secs(args.header_timeout_s.max(1)),
        request_timeout: Duration::from_secs(args.request_timeout_s.max(1)),
        write_timeout: Duration::from_secs(args.write_timeout_s.max(1)),
        max_connections: args.max_connections.max(1),
        max_connections_per_client: args.max_connections_per_client.max(1),
        new_drafts_per_minute: args.new_drafts_per_minute.max(1),
        client_ip_header: args.client_ip_header.clone(),
        limits: server::Limits { max_draft_bytes: args.max_draft_mib.max(1) * 1024 * 1024, ..server::Limits::default() },
        legal,
        ..channels
    };
    let n = forms.len();
    let listen = server::listen::Listen::of(&config);
    let oidc = match &args.oidc_issuer {
        None => None,
        Some(issuer) => {
            let settings = server::account::OidcSettings {
                issuer: issuer.clone(),
                client_id: args.oidc_client_id.clone(),
                client_secret: std::env::var("WEGWEISER_OIDC_CLIENT_SECRET").ok().filter(|s| !s.is_empty()),
                redirect_url: args.oidc_redirect_url.clone().unwrap_or_else(|| format!("http://{}/login/callback", args.addr)),
                scopes: args.oidc_scopes.split([' ', ',']).filter(|s| !s.is_empty() && *s != "openid").map(str::to_string).collect(),
                trust_claim: args.oidc_trust_claim.clone(),
                trust_map: if args.oidc_trust_map.is_empty() { server::account::default_trust_map() } else { args.oidc_trust_map.clone() },
                idle: Duration::from_secs(args.login_idle_minutes * 60),
                absolute: Duration::from_secs(args.login_max_minutes * 60),
            };
            match server::account::oidc::Oidc::discover(settings, server::account::wanted_attributes(&forms)).await {
                Ok(o) => Some(o),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Exit::Failure;
                }
            }
        }
    };
    let authorities = tenants.len();
    let state = AppState::build(forms, tenants, store, config, oidc);
    tokio::spawn(server::outbox::run(state.clone(), Duration::from_millis(args.outbox_every_ms.max(1))));
    let listener = match server::listen::bind(&args.addr, args.reuse_port).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.addr);
            return Exit::Failure;
        }
    };
    tracing::info!(forms = n, authorities, addr = %args.addr, "serving on http://{}/", args.addr);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    server::listen::serve(listener, server::app(state), listen, shutdown).await;
    Exit::Ok
}
