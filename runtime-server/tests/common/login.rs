//! Logging in at the real test provider (`tests/oidc/provider.mjs`, the certified
//! `oidc-provider` npm package with the test accounts `anna` and `ben`), for the tests that
//! need a logged-in citizen (`oidc.rs`, `konto.rs`): start the provider, a server state
//! with it, a browser's side at the provider, and the login walk.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::StatusCode;
use engine::form::Form;
use wegweiser::server::account::oidc::Oidc;
use wegweiser::server::account::{self, OidcSettings};
use wegweiser::server::{AppState, Config};

use super::common::{self, Browser, Page, between};

/// Where the provider sends the browser back (the test browser calls `app` with its path).
pub const SITE: &str = "http://wegweiser.test";
pub const CALLBACK: &str = "http://wegweiser.test/login/callback";
pub const SECRET: &str = "wegweiser-test-secret";
pub const MELDE: &str = "/f/meldebescheinigung/s/person";

pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The forms of `tests/fixtures/login`: `meldebescheinigung` (required, substantiell),
/// `waffenschein` (required, hoch), `hundeanmeldung` (optional).
pub fn login_forms() -> Vec<Form> {
    let dir = root().join("runtime-server/tests/fixtures/login");
    let mut forms = Vec::new();
    for name in ["meldebescheinigung", "waffenschein", "hundesteuer-anmeldung"] {
        let src = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).unwrap();
        let c = engine::compile(&src);
        forms.push(c.form.unwrap_or_else(|| panic!("{name}: {:?}", c.diagnostics)));
    }
    forms
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The `oidc-provider` process; ended when dropped.
pub struct Node(pub Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tests/oidc/provider.mjs` and waits until it listens; returns it and its issuer.
pub fn real_provider() -> (Node, String) {
    let dir = root().join("tests/oidc");
    assert!(
        dir.join("node_modules/oidc-provider").is_dir(),
        "the test provider needs its npm packages: run `npm ci` in tests/oidc (as .ci/run does)"
    );
    let port = free_port();
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .arg(port.to_string())
        .arg(CALLBACK)
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node (Node.js 20 or later) runs tests/oidc/provider.mjs");
    let stdout = child.stdout.take().unwrap();
    let node = Node(child);
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    // Keep reading: a closed pipe would end the provider at its next line of output.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let issuer = line.trim().strip_prefix("ready ").unwrap_or_else(|| panic!("the provider did not start: {line:?}")).to_string();
    (node, issuer)
}

pub fn settings(issuer: &str, idle: Duration) -> OidcSettings {
    OidcSettings {
        issuer: issuer.to_string(),
        client_id: "wegweiser".into(),
        client_secret: Some(SECRET.into()),
        redirect_url: CALLBACK.into(),
        scopes: ["profile", "email", "address", "phone"].map(String::from).to_vec(),
        trust_claim: "acr".into(),
        trust_map: account::default_trust_map(),
        idle,
        absolute: Duration::from_secs(3600),
    }
}

pub async fn state_for(issuer: &str, idle: Duration) -> AppState {
    state_on(&common::sqlite_url(), issuer, idle).await
}

pub async fn state_on(url: &str, issuer: &str, idle: Duration) -> AppState {
    state_with_config(url, issuer, idle, common::config()).await
}

/// [`state_on`] with a configuration of the test's own (SMTP, an admin token).
pub async fn state_with_config(url: &str, issuer: &str, idle: Duration, config: Config) -> AppState {
    // The server's log (the reason of a refused login) in the test's output.
    let _ = tracing_subscriber::fmt().with_env_filter("wegweiser=info").with_test_writer().try_init();
    let forms = login_forms();
    let store = common::serve_store(url).await;
    let oidc = Oidc::discover(settings(issuer, idle), account::wanted_attributes(&forms)).await.expect("discovery");
    AppState::with_oidc(forms, store, Config { today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22), ..config }, Some(oidc))
}

/// A browser's side at the provider: its own cookies, no automatic redirects.
pub struct AtProvider {
    pub http: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl AtProvider {
    pub fn new() -> AtProvider {
        AtProvider {
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            cookies: HashMap::new(),
        }
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> (StatusCode, Option<String>, String) {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let res = req.header("cookie", cookie).send().await.unwrap();
        for c in res.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let kv = c.split(';').next().unwrap();
            if let Some((k, v)) = kv.split_once('=') {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let status = StatusCode::from_u16(res.status().as_u16()).unwrap();
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        (status, location, res.text().await.unwrap())
    }
}

/// Logs `b` in as `account` at the provider (following its redirects and pressing the
/// account's button on its login page) and returns the server's answer to the callback.
pub async fn login(b: &mut Browser, p: &mut AtProvider, account: &str, next: &str) -> Page {
    let page = b.get(&format!("/login?next={next}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mut url = page.location.unwrap();
    for _ in 0..10 {
        if let Some(path) = url.strip_prefix(SITE) {
            return b.get(path).await;
        }
        let (status, location, body) = p.send(p.http.get(&url)).await;
        if let Some(l) = location {
            url = absolute(&url, &l);
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{body}");
        let action = between(&body, "action=\"", "\"").expect("the provider's login page");
        let (_, location, body) = p.send(p.http.post(absolute(&url, &action)).form(&[("account", account)])).await;
        url = absolute(&url, &location.unwrap_or_else(|| panic!("no redirect after the login: {body}")));
    }
    panic!("no way back from the provider");
}

pub fn absolute(base: &str, l: &str) -> String {
    if l.starts_with("http") {
        return l.to_string();
    }
    let origin: String = base.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    format!("{origin}{l}")
}

pub fn field_value(body: &str, id: &str) -> String {
    let at = body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no field {id}"));
    between(&body[at..], "value=\"", "\"").unwrap_or_default()
}

pub fn post_fields(csrf: &str, pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = vec![("_csrf".to_string(), csrf.to_string())];
    v.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    v
}

pub const ANNA: &[(&str, &str)] = &[
    ("vorname", "Anna"),
    ("familienname", "Beispiel"),
    ("geburtsdatum", "12.04.1985"),
    ("strasse", "Rathausplatz 1"),
    ("plz", "48653"),
    ("ort", "Coesfeld"),
    ("email", "anna.beispiel@example.org"),
];
