//! Target `server_step`: an HTTP POST of a step → the server's decoding and step handling,
//! through `wegweiser::server::app(state)` without a socket.
//!
//! One tokio runtime and one `AppState` (SQLite in a temp file, the bundled forms) live
//! for the whole run. The input is `[form, step, flags, body…]`: flags bit 0 starts from a
//! draft holding the form's complete scenario (so every step is reachable), bit 1 sends
//! the body as `multipart/form-data` (boundary [`BOUNDARY`]) instead of
//! `application/x-www-form-urlencoded`, bit 2 asks for English, bit 3 leaves out the CSRF
//! token. Each input gets a browser session of its own (a fresh cookie, tagged with the
//! server's session key as the server would issue it); its CSRF token is
//! taken from the step page the first time and computed the way the server does
//! afterwards. The body is posted after a valid `_csrf` field (unless bit 3); a redirect to
//! a page of the form is followed with a GET, which renders the posted answers.
//! Checks: no panic, no 5xx, and a page or a redirect for every request.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use engine::Form;
use engine::scenario::ScenarioFile;
use engine::session::Session;
use tower::ServiceExt;
use wegweiser::server::store::NewDraft;
use wegweiser::server::{AppState, Config, Store, app, security};

/// The multipart boundary the body is sent with when flags bit 1 is set.
pub const BOUNDARY: &str = "wwfuzz";

struct Server {
    rt: tokio::runtime::Runtime,
    state: AppState,
    app: Router,
    forms: Vec<Form>,
    /// The complete scenario's draft (a snapshot as JSON) by form id.
    drafts: BTreeMap<String, String>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        let dir = std::env::var_os("WEGWEISER_FUZZ_DB_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| {
            let shm = std::path::Path::new("/dev/shm");
            if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() }
        });
        let db = dir.join(format!("wegweiser-fuzz-{}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let forms = crate::forms::compile_all();
        let mut drafts = BTreeMap::new();
        for ((_, _, scenarios), form) in crate::forms::BUNDLED.iter().zip(&forms) {
            drafts.insert(form.id().to_string(), complete_draft(form, scenarios));
        }
        let config = Config { today: Some(crate::forms::today()), ..Config::default() };
        let url = format!("sqlite://{}", db.display());
        let store = rt.block_on(Store::connect(&url)).expect("the fuzz database");
        // Forms with the same id (the contract's Hundesteuer) are served once; keep the first.
        let mut served: Vec<Form> = Vec::new();
        for f in &forms {
            if !served.iter().any(|s| s.id() == f.id()) {
                served.push(f.clone());
            }
        }
        let state = AppState::new(served.clone(), store, config);
        let app = app(state.clone());
        let s = Server { rt, state, app, forms: served, drafts };
        s.rt.block_on(check_csrf_mechanism(&s));
        s
    })
}

/// The harness computes CSRF tokens with `security::csrf_token`; make sure that is what
/// the pages carry, so a harness out of date with the server does not fuzz the 403 page.
async fn check_csrf_mechanism(s: &Server) {
    let sid = "0123456789abcdef0123456789abcdef";
    let form = &s.forms[0];
    let req = Request::get(format!("/f/{}/s/{}", form.id(), form.steps()[0].id))
        .header(
            header::COOKIE,
            format!("{}={}", security::SESSION_COOKIE, security::session_cookie_value(s.state.store.session_key(), sid)),
        )
        .body(Body::empty())
        .expect("a request");
    let res = s.app.clone().oneshot(req).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::OK, "the first step page of {}", form.id());
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("a body");
    let page = String::from_utf8_lossy(&body);
    let token = security::csrf_token(sid);
    assert!(page.contains(&format!("name=\"_csrf\" value=\"{token}\"")), "the step page carries the CSRF token of its session");
}

/// A snapshot (JSON) of a session with the answers of the form's complete scenario: the
/// first scenario named `…vollständig…` without a language, else the first scenario without
/// one. Read by the engine's scenario reader, as `wegweiser test` reads it.
fn complete_draft(form: &Form, scenarios: &str) -> String {
    let mut s = Session::new(form, form.default_language(), crate::forms::today());
    if let Ok(file) = ScenarioFile::read(form, scenarios, &Default::default())
        && let Some(sc) = file.named("vollständig").or_else(|| file.scenarios.iter().find(|sc| sc.language.is_none()))
    {
        s.add_entries(sc.entries.iter().map(|e| (e.group, e.count)));
        let fitting: Vec<_> = sc
            .answers
            .iter()
            .filter(|a| s.check_answer(&a.path, Some(&a.input)).is_ok())
            .map(|a| (a.path.clone(), Some(a.input.clone())))
            .collect();
        let _ = s.set_answers(fitting);
    }
    serde_json::to_string(&s.snapshot()).expect("a snapshot serialises")
}

/// Runs the check on one input.
pub fn check(data: &[u8]) {
    let [form, step, flags, body @ ..] = data else { return };
    let s = server();
    let form = &s.forms[usize::from(*form) % s.forms.len()];
    let step = &form.steps()[usize::from(*step) % form.steps().len()];
    let (prefill, multipart, english, no_csrf) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0, flags & 8 != 0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let sid = format!("{n:032x}");
    let token = security::csrf_token(&sid);
    s.rt.block_on(async {
        // Drafts pile up in the database: clear them now and then.
        if n % 512 == 511 {
            s.state.store.delete_expired(i64::MAX).await.expect("deleting drafts");
        }
        if prefill {
            let snap = &s.drafts[form.id()];
            s.state
                .store
                .create_draft(NewDraft {
                    id: &Store::new_draft_id(),
                    session_hash: &security::sha256_hex(&sid),
                    authority: "",
                    form: form.id(),
                    snapshot: snap,
                    account: None,
                    now: s.state.now_ms(),
                    ttl_ms: 3_600_000,
                })
                .await
                .expect("creating the draft");
        }
        // A session the server issued: the cookie carries the id with the server's tag.
        let mut cookie = format!("{}={}", security::SESSION_COOKIE, security::session_cookie_value(s.state.store.session_key(), &sid));
        if english {
            cookie.push_str(&format!("; {}=en", security::LANG_COOKIE));
        }
        let uri = format!("/f/{}/s/{}", form.id(), step.id);
        let (content_type, payload) = if multipart {
            let mut p = Vec::new();
            if !no_csrf {
                p.extend_from_slice(
                    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n").as_bytes(),
                );
            }
            p.extend_from_slice(body);
            (format!("multipart/form-data; boundary={BOUNDARY}"), p)
        } else {
            let mut p = Vec::new();
            if !no_csrf {
                p.extend_from_slice(format!("_csrf={token}&").as_bytes());
            }
            p.extend_from_slice(body);
            ("application/x-www-form-urlencoded".to_string(), p)
        };
        let req = Request::post(&uri)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, content_type)
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(payload))
            .expect("a request");
        let res = s.app.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let location = res.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).map(str::to_string);
        let page = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("a body");
        assert!(!status.is_server_error(), "POST {uri} answered {status}: {}", String::from_utf8_lossy(&page));
        if let Some(loc) = location.filter(|l| l.starts_with("/f/")) {
            let loc = loc.split('#').next().unwrap_or_default().to_string();
            let req = Request::get(&loc).header(header::COOKIE, &cookie).body(Body::empty()).expect("a request");
            let res = s.app.clone().oneshot(req).await.expect("infallible");
            let status = res.status();
            let page = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("a body");
            assert!(!status.is_server_error(), "GET {loc} after POST {uri} answered {status}: {}", String::from_utf8_lossy(&page));
        }
    });
}
