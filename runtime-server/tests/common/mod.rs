//! Helpers shared by the HTTP tests (`server.rs`, `faults.rs`, `attacks.rs`): a browser
//! without JavaScript over `app(state)` + `oneshot`, a small probe form, databases.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use engine::form::Form;
use tower::ServiceExt;
use wegweiser::server::{AppState, Config, Store};

/// A one-page form with every kind of input the bounds concern: a text, a file
/// (PDF or PNG, at most 1 MB), a repeated group (at most 3 entries), then a consent.
pub const PROBE: &str = r#"
wegweiser: 1
id: probe
version: "1"
languages: [de, en]
title: { de: Probe, en: Probe }
steps:
  - id: eins
    title: { de: Eins, en: One }
    fields:
      - id: name
        type: text
        label: { de: Name, en: Name }
        required: true
      - id: nachweis
        type: file
        label: { de: Nachweis, en: Proof }
        accept: [application/pdf, image/png]
        max_size: 1MB
      - id: eintrag
        type: group
        label: { de: "Eintrag {{ index }}", en: "Entry {{ index }}" }
        repeat:
          min: 0
          max: 3
        fields:
          - id: wert
            type: text
            label: { de: Wert, en: Value }
  - id: zwei
    title: { de: Zwei, en: Two }
    fields:
      - id: richtig
        type: consent
        label: { de: Richtig, en: Correct }
        required: true
submission:
  reference: PRB-{year}-{seq:4}
"#;

pub const STEP1: &str = "/f/probe/s/eins";
pub const STEP2: &str = "/f/probe/s/zwei";

/// The probe form, compiled.
pub fn probe() -> Form {
    let c = engine::compile(PROBE);
    c.form.unwrap_or_else(|| panic!("the probe form compiles: {:?}", c.diagnostics))
}

pub fn forms_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../form-definitions")
}

/// A bundled form, compiled.
pub fn compile(name: &str) -> Form {
    let src = std::fs::read_to_string(forms_dir().join(format!("{name}.yaml"))).unwrap();
    engine::compile(&src).form.expect("the bundled form compiles")
}

/// A fresh SQLite file in the temp dir (its path, its URL).
pub fn sqlite_file() -> (PathBuf, String) {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let p = std::env::temp_dir().join(format!("wegweiser-test-{}.db", hex::encode(b)));
    let url = format!("sqlite://{}", p.display());
    (p, url)
}

pub fn sqlite_url() -> String {
    sqlite_file().1
}

pub fn config() -> Config {
    Config { admin_token: Some("admin-secret".into()), retry_base: Duration::from_millis(50), ..Config::default() }
}

/// The store as `wegweiser serve` connects it: with the draft cache on an SQLite file (one
/// process), so that every walk of the tests goes through it.
pub async fn serve_store(url: &str) -> Store {
    let options = wegweiser::server::store::StoreOptions {
        draft_cache: wegweiser::server::store::cache::entries_for(url, false, None),
        ..Default::default()
    };
    Store::connect_with(url, &options).await.expect("database")
}

pub async fn state_with(url: &str, forms: Vec<Form>, config: Config) -> AppState {
    let store = serve_store(url).await;
    AppState::new(forms, store, config)
}

/// A browser without JavaScript: keeps cookies, reads the CSRF token; `ip` is the peer
/// address the server sees (as `axum::serve` with connect info would give it).
pub struct Browser {
    pub app: Router,
    pub cookies: HashMap<String, String>,
    pub ip: Option<SocketAddr>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn csrf(&self) -> String {
        between(&self.body, "name=\"_csrf\" value=\"", "\"").expect("a CSRF token on the page")
    }
}

pub fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(s[i..j].to_string())
}

impl Browser {
    pub fn new(app: Router) -> Browser {
        Browser { app, cookies: HashMap::new(), ip: None }
    }

    pub fn from(app: Router, ip: &str) -> Browser {
        Browser { app, cookies: HashMap::new(), ip: Some(format!("{ip}:40000").parse().unwrap()) }
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Page {
        if let Some(ip) = self.ip {
            req.extensions_mut().insert(ConnectInfo(ip));
        }
        let res = self.app.clone().oneshot(req).await.unwrap();
        for c in res.headers().get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            self.cookies.insert(k.to_string(), v.to_string());
        }
        let status = res.status();
        let location = res.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_string());
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        // minijinja escapes `/` in attributes as `&#x2f;`, which browsers read as `/`.
        Page { status, location, headers, body: String::from_utf8_lossy(&body).replace("&#x2f;", "/") }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        let req = Request::get(uri).header(header::COOKIE, self.cookie_header()).body(Body::empty()).unwrap();
        self.send(req).await
    }

    pub async fn get_with(&mut self, uri: &str, name: &str, value: &str) -> Page {
        let req = Request::get(uri).header(header::COOKIE, self.cookie_header()).header(name, value).body(Body::empty()).unwrap();
        self.send(req).await
    }

    pub async fn post(&mut self, uri: &str, fields: &[(String, String)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let req = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A multipart post; files are `(field, file name, content)`.
    pub async fn post_multipart(&mut self, uri: &str, fields: &[(String, String)], files: &[(String, String, Vec<u8>)]) -> Page {
        let boundary = "----wegweiserboundary7d3";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
        }
        for (k, name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.post_raw_multipart(uri, boundary, body).await
    }

    /// A multipart body written by hand (crafted part headers).
    pub async fn post_raw_multipart(&mut self, uri: &str, boundary: &str, body: Vec<u8>) -> Page {
        let req = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

/// A PDF of `size` bytes (by its content).
pub fn pdf(size: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n".to_vec();
    v.resize(size.max(16), b' ');
    v
}

/// The error summary of a page (for assertion messages).
pub fn error_summary(body: &str) -> String {
    between(body, "class=\"error-summary\"", "</div>").unwrap_or_else(|| body.chars().take(2000).collect())
}

/// The probe's first step answered (name, no file); returns the CSRF token.
pub async fn answer_step1(b: &mut Browser) -> String {
    let csrf = b.get(STEP1).await.csrf();
    let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika".into())]).await;
    assert_eq!(r.location.as_deref(), Some(STEP2), "{}", error_summary(&r.body));
    csrf
}

/// Walks the probe to its confirmation: name, consent, submit. Returns the final response.
pub async fn submit_probe(b: &mut Browser) -> Page {
    let csrf = answer_step1(b).await;
    let r = b.post(STEP2, &[("_csrf".into(), csrf.clone()), ("richtig".into(), "true".into())]).await;
    assert_eq!(r.location.as_deref(), Some("/f/probe/summary"), "{}", error_summary(&r.body));
    let summary = b.get("/f/probe/summary").await;
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    b.post("/f/probe/submit", &[("_csrf".into(), csrf), ("_idempotency".into(), idem)]).await
}
