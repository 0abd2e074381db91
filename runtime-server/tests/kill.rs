//! Exactly once, the hard way: the real `wegweiser serve` binary, killed with SIGKILL in
//! the middle of submitting and started again on the same SQLite file.
//!
//! The kill lands where the test wants it, not where a sleep happens to end: the fault
//! points of `server::fault` (`WEGWEISER_FAULT`, testing only) stop a submission before
//! or after its transaction commits and say so on standard error, and a webhook receiver
//! run by the test holds a delivery open (got it, no answer yet) for as long as it is
//! told to. Only the load run kills at a random moment (seeded; the seed is printed and
//! `KILL_SEED` replays it).
//!
//! What a receiver sees: delivery is at least once, with the same `X-Wegweiser-Delivery`
//! id and reference on every attempt (see `server::delivery`); what must hold is one stored
//! submission per draft and one *distinct* delivered reference per submission.
//!
//! The load run's form has three channels, the webhook, e-mail to a real SMTP server
//! (`tests/smtp/server.py`, STARTTLS and AUTH) and FIT-Connect to the stand-in Zustelldienst
//! (`fitconnect::standin`, run by the test, outside the killed process; the load form gets
//! FIM ids for it): every acknowledged submission must reach all three, a repeated e-mail
//! carries the same `Message-ID` and `X-Wegweiser-Delivery`, and a repeated FIT-Connect
//! submission the same `senderReference`.

#[path = "common/smtp.rs"]
mod smtp;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use engine::scenario::ScenarioFile;
use engine::session::Input;
use fitconnect::standin::{StandIn, StandInConfig};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use tokio::sync::mpsc;

/// The form every test submits (the bundled one, with a webhook to the test's receiver).
const FORM: &str = "hundesteuer-anmeldung";
/// Liveness bound of every wait (a hang fails the test instead of blocking CI).
const PATIENCE: Duration = Duration::from_secs(40);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn temp_dir(name: &str) -> PathBuf {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let d = std::env::temp_dir().join(format!("wegweiser-kill-{name}-{}", hex::encode(b)));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

// ---------------------------------------------------------------------------------------
// The webhook receiver.

/// How the receiver answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// 200.
    Accept,
    /// 503 (a target that is down).
    Refuse,
    /// Records the delivery and never answers (until the connection closes).
    Hold,
}

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Seen {
    reference: String,
    delivery: String,
    attempt: u32,
    /// Answered 200.
    accepted: bool,
}

#[derive(Clone)]
struct Receiver {
    url: String,
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Told about every request as it arrives.
    arrived: Arc<tokio::sync::Notify>,
}

impl Receiver {
    async fn start(mode: Mode) -> Receiver {
        let r = Receiver {
            url: String::new(),
            mode: Arc::new(Mutex::new(mode)),
            seen: Arc::default(),
            arrived: Arc::new(tokio::sync::Notify::new()),
        };
        let r2 = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let r = r2.clone();
                async move {
                    let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    // The header and the document agree on the reference.
                    assert_eq!(doc["reference"].as_str().unwrap_or_default(), h("x-wegweiser-reference"));
                    let mode = *r.mode.lock().unwrap();
                    r.seen.lock().unwrap().push(Seen {
                        reference: h("x-wegweiser-reference"),
                        delivery: h("x-wegweiser-delivery"),
                        attempt: h("x-wegweiser-attempt").parse().unwrap_or(0),
                        accepted: mode == Mode::Accept,
                    });
                    r.arrived.notify_waiters();
                    match mode {
                        Mode::Accept => StatusCode::OK,
                        Mode::Refuse => StatusCode::SERVICE_UNAVAILABLE,
                        Mode::Hold => std::future::pending().await,
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, ..r }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits until `cond` holds for what the receiver has seen.
    async fn wait_until(&self, what: &str, cond: impl Fn(&[Seen]) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let notified = self.arrived.notified();
            if cond(&self.seen()) {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("the receiver never saw {what}; it saw {:?}", self.seen());
            }
        }
    }

    /// Distinct references answered 200, with how many times each.
    fn accepted(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for s in self.seen().into_iter().filter(|s| s.accepted) {
            *m.entry(s.reference).or_insert(0) += 1;
        }
        m
    }
}

// ---------------------------------------------------------------------------------------
// The server process.

/// A folder with the bundled form, its webhook pointed at the receiver.
fn forms_with_webhook(dir: &Path, hook: &str) -> PathBuf {
    let forms = dir.join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let src = std::fs::read_to_string(repo().join("form-definitions/hundesteuer.yaml")).unwrap();
    let line = "  reference: HST-{year}-{seq:6}\n";
    assert!(src.contains(line), "the bundled form's submission block changed");
    let src = src.replace(line, &format!("{line}  webhook:\n    url: {hook}\n"));
    std::fs::write(forms.join("hundesteuer.yaml"), src).unwrap();
    forms
}

/// The SMTP server the e-mail channel of the served form sends to.
struct Mail {
    port: u16,
    ca: PathBuf,
}

/// The variable with the authority's address in the load run's form.
const MAIL_TO_VAR: &str = "KILL_TEST_MAIL_TO";
const MAIL_TO: &str = "eingang@amt.example";

/// The variable with the FIT-Connect destination id in the load run's form.
const DESTINATION_VAR: &str = "KILL_TEST_DESTINATION";
const DESTINATION: &str = "0d7f3b52-9a4e-4c61-8f0b-6e2d9c1a7b35";
const LEIKA: &str = "99036012000000";

/// The bundled form delivering to the webhook, by e-mail and by FIT-Connect, with FIM ids on
/// the keeper's name and address (the Fachdaten are the FIM-keyed data) and a FIM schema
/// whose `$id` is the `schemaUri` (test-only ids: the bundled form has none).
fn load_form_source(hook: &str) -> String {
    let mut src = std::fs::read_to_string(repo().join("form-definitions/hundesteuer.yaml")).unwrap();
    let line = "  reference: HST-{year}-{seq:6}\n";
    assert!(src.contains(line), "the bundled form's submission block changed");
    let deliver = format!(
        "{line}  deliver:\n    - webhook: {{ url: \"{hook}\" }}\n    - email: {{ to_env: {MAIL_TO_VAR} }}\n    \
         - fitconnect: {{ destination_env: {DESTINATION_VAR}, leika: \"{LEIKA}\" }}\n"
    );
    src = src.replace(line, &deliver);
    let version = "version: \"2026-11\"\n";
    assert!(src.contains(version), "the bundled form's version changed");
    src = src.replace(version, &format!("{version}fim: {{ schema: S99000001, version: \"1.0\" }}\n"));
    for (field, fim) in [("vorname", "F99000001"), ("nachname", "F99000002"), ("email", "F99000003")] {
        let id = format!("      - id: {field}\n");
        assert!(src.contains(&id), "the bundled form's field {field} moved");
        src = src.replace(&id, &format!("{id}        fim: {fim}\n"));
    }
    src
}

/// A folder with the load form (see [`load_form_source`]).
fn forms_for_load(dir: &Path, hook: &str) -> PathBuf {
    let forms = dir.join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    std::fs::write(forms.join("hundesteuer.yaml"), load_form_source(hook)).unwrap();
    forms
}

/// The stand-in Zustelldienst for the load form: its LeiKa key, its FIM schema.
async fn standin_for(forms: &Path) -> StandIn {
    let form = engine::compile(&std::fs::read_to_string(forms.join("hundesteuer.yaml")).unwrap()).form.expect("the load form compiles");
    let schema = engine::fim_schema(&form).expect("the load form has FIM ids");
    let uri = schema["$id"].as_str().unwrap().to_string();
    StandIn::start(StandInConfig::new(DESTINATION, LEIKA, &uri, schema)).await.unwrap()
}

struct Server {
    child: Child,
    base: String,
    /// Lines of the server's standard error.
    stderr: mpsc::UnboundedReceiver<String>,
}

impl Server {
    /// Starts `wegweiser serve` on a fresh port with the database in `dir`; returns once
    /// `/healthz` answers.
    async fn start(dir: &Path, forms: &Path, fault: Option<&str>) -> Server {
        Server::start_with(dir, forms, fault, None, None).await
    }

    /// [`Server::start`], with the e-mail channel's SMTP server when `mail` is given and the
    /// FIT-Connect client of the stand-in when `fit` is.
    async fn start_with(dir: &Path, forms: &Path, fault: Option<&str>, mail: Option<&Mail>, fit: Option<&fitconnect::Config>) -> Server {
        let port = free_port();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wegweiser"));
        cmd.arg("serve")
            .arg("--forms")
            .arg(forms)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .arg("--database")
            .arg(format!("sqlite://{}", dir.join("wegweiser.db").display()))
            // The scenario's day; quick polls and retries so that the test is short.
            .args(["--today", "2026-11-22", "--outbox-every-ms", "50", "--retry-base-ms", "200", "--webhook-timeout", "2"])
            // All citizens of the load run come from 127.0.0.1 (each walk with a new HTTP
            // client, whose connection stays open until the server's idle timeout).
            .args(["--new-drafts-per-minute", "100000", "--max-connections-per-client", "100000"])
            .env("WEGWEISER_ADMIN_TOKEN", "kill-test")
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .env_remove(wegweiser::server::fault::VAR)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::piped());
        if let Some(f) = fault {
            cmd.env(wegweiser::server::fault::VAR, f);
        }
        if let Some(m) = mail {
            cmd.args(["--smtp-url", &format!("smtp://{}@127.0.0.1:{}", smtp::USER, m.port)])
                .args(["--smtp-from", "antraege@stadt.example", "--smtp-timeout", "2"])
                .arg("--smtp-ca-file")
                .arg(&m.ca)
                .env("WEGWEISER_SMTP_PASSWORD", smtp::PASSWORD)
                .env(MAIL_TO_VAR, MAIL_TO);
        }
        if let Some(f) = fit {
            // Plain http:// is allowed to a loopback address only (the stand-in).
            cmd.args(["--fitconnect-token-url", &f.token_url, "--fitconnect-api-url", &f.api_url, "--fitconnect-timeout", "2"])
                .env("WEGWEISER_FITCONNECT_CLIENT_ID", &f.client_id)
                .env("WEGWEISER_FITCONNECT_CLIENT_SECRET", &f.client_secret)
                .env(DESTINATION_VAR, DESTINATION);
        }
        let mut child = cmd.spawn().expect("wegweiser serve starts");
        let (tx, stderr) = mpsc::unbounded_channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("  [server] {line}");
                let _ = tx.send(line);
            }
        });
        let server = Server { child, base: format!("http://127.0.0.1:{port}"), stderr };
        let http = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Ok(r) = http.get(format!("{}/healthz", server.base)).send().await
                && r.status().is_success()
            {
                return server;
            }
            assert!(tokio::time::Instant::now() < deadline, "the server did not come up");
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    /// Waits until the server reports that it reached the fault point.
    async fn wait_for_fault(&mut self, name: &str) {
        let needle = format!("fault point `{name}` reached");
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = self.stderr.recv().await {
                if line.contains(&needle) {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(found, Ok(true), "the server never reached `{name}`");
    }

    /// SIGKILL (`Child::kill` sends SIGKILL on Unix): no shutdown code runs.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// The stored submissions (admin API): references.
    async fn stored(&self) -> Vec<String> {
        let r = reqwest::Client::new()
            .get(format!("{}/api/v1/submissions", self.base))
            .bearer_auth("kill-test")
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let docs: Vec<serde_json::Value> = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        docs.iter().map(|d| d["reference"].as_str().unwrap().to_string()).collect()
    }

    /// A metric's value from `/metrics`.
    async fn metric(&self, name: &str) -> i64 {
        let text = reqwest::get(format!("{}/metrics", self.base)).await.unwrap().text().await.unwrap();
        text.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).unwrap().trim().parse().unwrap()
    }

    /// Waits until the outbox has nothing left to deliver.
    async fn wait_outbox_empty(&self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while self.metric("wegweiser_outbox_pending").await > 0 {
            assert!(tokio::time::Instant::now() < deadline, "the outbox never emptied");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// A citizen: a browser without JavaScript (cookies, CSRF token, 303s), over real HTTP.

/// What a citizen posts on which step: the answers of the form's complete scenario.
struct Plan {
    /// (step, path, input).
    answers: Vec<(String, String, Input)>,
    /// (step, group path, entries).
    entries: Vec<(String, String, u32)>,
}

fn plan() -> Plan {
    let form_src = std::fs::read_to_string(repo().join("form-definitions/hundesteuer.yaml")).unwrap();
    let form = engine::compile(&form_src).form.unwrap();
    let src = std::fs::read_to_string(repo().join("form-definitions/hundesteuer.test.yaml")).unwrap();
    let file = ScenarioFile::read(&form, &src, &Default::default()).unwrap();
    let complete = file.named("vollständig").expect("a complete scenario");
    let step_of = |f: engine::ids::FieldId| form.step(form.field(f).step).id.clone();
    Plan {
        answers: complete.answers.iter().map(|a| (step_of(a.field), a.path.clone(), a.input.clone())).collect(),
        entries: complete.entries.iter().map(|e| (step_of(e.group), e.path.clone(), e.count)).collect(),
    }
}

struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(s[i..j].to_string())
}

/// Why a walk stopped: the server went away (a kill), or it answered wrongly (a bug).
#[derive(Debug)]
enum Stop {
    Transport,
    Wrong(String),
}

#[derive(Clone)]
struct Citizen {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Citizen {
    fn new() -> Citizen {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(PATIENCE).build().unwrap();
        Citizen { http, cookies: HashMap::new() }
    }

    async fn send(&mut self, base: &str, path: &str, post: Option<(&[(String, String)], bool)>) -> Result<Page, Stop> {
        let url = format!("{base}{path}");
        let mut req = match post {
            None => self.http.get(&url),
            Some((fields, false)) => {
                let b: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
                self.http
                    .post(&url)
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header("sec-fetch-site", "same-origin")
                    .body(b)
            }
            Some((fields, true)) => {
                let boundary = "----wegweiserkill";
                let mut b = String::new();
                for (k, v) in fields {
                    b.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
                }
                b.push_str(&format!("--{boundary}--\r\n"));
                self.http
                    .post(&url)
                    .header(CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
                    .header("sec-fetch-site", "same-origin")
                    .body(b)
            }
        };
        if !self.cookies.is_empty() {
            req = req.header(COOKIE, self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "));
        }
        let res = req.send().await.map_err(|_| Stop::Transport)?;
        for c in res.headers().get_all(SET_COOKIE) {
            let kv = c.to_str().unwrap_or_default().split(';').next().unwrap_or_default();
            if let Some((k, v)) = kv.split_once('=') {
                self.cookies.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        let status = res.status().as_u16();
        let location = res.headers().get(LOCATION).and_then(|l| l.to_str().ok()).map(String::from);
        let body = res.text().await.map_err(|_| Stop::Transport)?;
        if status >= 400 {
            return Err(Stop::Wrong(format!("{path}: HTTP {status}")));
        }
        Ok(Page { status, location, body: body.replace("&#x2f;", "/") })
    }

    /// From the start page to the summary.
    async fn walk_to_summary(&mut self, base: &str, plan: &Plan) -> Result<Page, Stop> {
        let wrong = |m: &str| Stop::Wrong(m.to_string());
        let start = self.send(base, &format!("/f/{FORM}"), None).await?;
        let prefix = format!("/f/{FORM}/s/");
        let mut url = start
            .body
            .split("href=\"")
            .find(|s| s.starts_with(&prefix))
            .and_then(|s| s.split('"').next())
            .ok_or_else(|| wrong("no first step"))?
            .to_string();
        for _ in 0..40 {
            if url.ends_with("/summary") {
                return self.send(base, &url, None).await;
            }
            let mut page = self.send(base, &url, None).await?;
            let step = url.rsplit('/').next().unwrap().to_string();
            for (_, group, n) in plan.entries.iter().filter(|(s, _, _)| *s == step) {
                let mut shown = page.body.matches(&format!("class=\"fieldset entry\" id=\"{group}.")).count() as u32;
                while shown < *n {
                    let fields = [("_csrf".into(), csrf(&page)?), ("_action".into(), format!("add:{group}"))];
                    self.send(base, &url, Some((&fields, false))).await?;
                    page = self.send(base, &url, None).await?;
                    shown += 1;
                }
            }
            let mut moved = false;
            for _ in 0..4 {
                let mut fields = vec![("_csrf".to_string(), csrf(&page)?), ("_action".to_string(), "continue".to_string())];
                for (_, path, input) in plan.answers.iter().filter(|(s, p, _)| *s == step && page.body.contains(&format!("name=\"{p}\""))) {
                    match input {
                        Input::Text(t) => fields.push((path.clone(), t.clone())),
                        Input::Bool(v) => fields.push((path.clone(), v.to_string())),
                        Input::List(l) => fields.extend(l.iter().map(|v| (path.clone(), v.clone()))),
                        Input::File(_) => return Err(wrong("the scenario has a file")),
                    }
                }
                let multipart = page.body.contains("multipart/form-data");
                let r = self.send(base, &url, Some((&fields, multipart))).await?;
                if r.status == 200 {
                    page = r;
                    continue;
                }
                url = r.location.ok_or_else(|| wrong("303 without Location"))?;
                moved = true;
                break;
            }
            if !moved {
                return Err(Stop::Wrong(format!("step {step} not accepted")));
            }
        }
        Err(wrong("no summary after 40 pages"))
    }

    /// Posts the summary; Ok(true) when the server acknowledged the submission (303 to
    /// the confirmation).
    async fn submit(&mut self, base: &str, summary: &Page) -> Result<bool, Stop> {
        let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").ok_or(Stop::Wrong("no idempotency key".into()))?;
        let fields = [("_csrf".into(), csrf(summary)?), ("_idempotency".into(), idem)];
        let r = self.send(base, &format!("/f/{FORM}/submit"), Some((&fields, false))).await?;
        Ok(r.status == 303 && r.location.as_deref() == Some(&format!("/f/{FORM}/confirmation")))
    }

    /// The reference number on the confirmation page.
    async fn reference(&mut self, base: &str) -> Result<String, Stop> {
        let c = self.send(base, &format!("/f/{FORM}/confirmation"), None).await?;
        between(&c.body, "class=\"reference\">", "<").ok_or(Stop::Wrong(format!("confirmation without a reference: {}", c.status)))
    }
}

fn csrf(p: &Page) -> Result<String, Stop> {
    between(&p.body, "name=\"_csrf\" value=\"", "\"").ok_or(Stop::Wrong("no CSRF token".into()))
}

// ---------------------------------------------------------------------------------------
// The tests.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_the_submission_commits_the_draft_is_intact_and_submits_once() {
    let dir = temp_dir("before-commit");
    let hook = Receiver::start(Mode::Accept).await;
    let forms = forms_with_webhook(&dir, &hook.url);
    let plan = plan();

    let mut server = Server::start(&dir, &forms, Some("submit-before-commit")).await;
    let mut citizen = Citizen::new();
    let summary = citizen.walk_to_summary(&server.base, &plan).await.unwrap();
    let base = server.base.clone();
    let mut c2 = citizen.clone();
    let submitting = tokio::spawn(async move { c2.submit(&base, &summary).await });
    server.wait_for_fault("submit-before-commit").await;
    server.kill();
    assert!(matches!(submitting.await.unwrap(), Err(Stop::Transport)), "the citizen got no answer");

    let server = Server::start(&dir, &forms, None).await;
    assert!(server.stored().await.is_empty(), "nothing was committed");
    // The draft is intact: the summary shows it as it was, and submitting works once.
    let summary = citizen.send(&server.base, &format!("/f/{FORM}/summary"), None).await.unwrap();
    assert_eq!(summary.status, 200, "the draft is still complete: the summary shows, no redirect to a step");
    assert!(summary.body.contains("Bello"), "the answers survived");
    assert!(citizen.submit(&server.base, &summary).await.unwrap());
    assert!(citizen.submit(&server.base, &summary).await.unwrap(), "a second click lands on the confirmation too");
    let reference = citizen.reference(&server.base).await.unwrap();
    assert_eq!(server.stored().await, std::slice::from_ref(&reference));
    server.wait_outbox_empty().await;
    assert_eq!(hook.accepted(), BTreeMap::from([(reference, 1)]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_the_commit_before_delivery_stores_once_and_delivers_once() {
    let dir = temp_dir("after-commit");
    // The target is down until the restart: whatever the outbox tries before the kill
    // is not a delivery.
    let hook = Receiver::start(Mode::Refuse).await;
    let forms = forms_with_webhook(&dir, &hook.url);
    let plan = plan();

    let mut server = Server::start(&dir, &forms, Some("submit-after-commit")).await;
    let mut citizen = Citizen::new();
    let summary = citizen.walk_to_summary(&server.base, &plan).await.unwrap();
    let base = server.base.clone();
    let mut c2 = citizen.clone();
    let submitting = tokio::spawn(async move { c2.submit(&base, &summary).await });
    server.wait_for_fault("submit-after-commit").await;
    server.kill();
    assert!(matches!(submitting.await.unwrap(), Err(Stop::Transport)), "the citizen got no answer");
    assert!(hook.accepted().is_empty());

    hook.set(Mode::Accept);
    let server = Server::start(&dir, &forms, None).await;
    let stored = server.stored().await;
    assert_eq!(stored.len(), 1, "committed before the kill: stored once");
    // The citizen never saw the confirmation; coming back, they find it (the draft is
    // submitted).
    let reference = citizen.reference(&server.base).await.unwrap();
    assert_eq!(stored, std::slice::from_ref(&reference));
    server.wait_outbox_empty().await;
    assert_eq!(server.stored().await.len(), 1);
    assert_eq!(hook.accepted(), BTreeMap::from([(reference, 1)]), "delivered exactly once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_the_webhook_holds_the_delivery_redelivers_with_the_same_delivery_id() {
    let dir = temp_dir("during-delivery");
    let hook = Receiver::start(Mode::Hold).await;
    let forms = forms_with_webhook(&dir, &hook.url);
    let plan = plan();

    let server = Server::start(&dir, &forms, None).await;
    let mut citizen = Citizen::new();
    let summary = citizen.walk_to_summary(&server.base, &plan).await.unwrap();
    assert!(citizen.submit(&server.base, &summary).await.unwrap());
    let reference = citizen.reference(&server.base).await.unwrap();
    // The receiver has the document; the server waits for its answer: kill it now.
    hook.wait_until("the first delivery", |s| !s.is_empty()).await;
    server.kill();
    hook.set(Mode::Accept);

    let server = Server::start(&dir, &forms, None).await;
    // The claim of the killed attempt runs out (2 × the 2 s timeout + 1 s), then it is sent again.
    server.wait_outbox_empty().await;
    assert_eq!(server.stored().await, std::slice::from_ref(&reference), "one stored submission");
    let seen = hook.seen();
    assert_eq!(seen.len(), 2, "got it once, unacknowledged, then once more: {seen:?}");
    assert!(seen.iter().all(|s| s.reference == reference));
    assert!(!seen[0].delivery.is_empty());
    assert_eq!(seen[0].delivery, seen[1].delivery, "the same delivery id, so the receiver can drop the repeat");
    assert_eq!((seen[0].attempt, seen[1].attempt), (1, 1), "the killed attempt was never recorded");
    let distinct: BTreeSet<&str> = seen.iter().filter(|s| s.accepted).map(|s| s.reference.as_str()).collect();
    assert_eq!(distinct.len(), 1, "one distinct delivered reference");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small deterministic generator (splitmix64): the kill moment is replayable.
fn splitmix(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What one citizen of the load run did.
#[derive(Default)]
struct Outcome {
    /// Citizens (by cookie jar) whose submission was acknowledged with the 303.
    acknowledged: Vec<Citizen>,
    /// Answers that were wrong (not a dropped connection).
    wrong: Vec<String>,
    /// The kill cut the answer to the submit.
    cut_in_submit: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_a_random_moment_of_a_load_run_every_acknowledged_submission_is_stored_once_and_delivered() {
    let seed = std::env::var("KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        u64::from_le_bytes(b)
    });
    println!("KILL_SEED={seed} (set it to replay this run)");
    let mut rng = seed;
    const CITIZENS: usize = 16;
    let dir = temp_dir("load");
    let hook = Receiver::start(Mode::Accept).await;
    let forms = forms_for_load(&dir, &hook.url);
    let plan = Arc::new(plan());
    let certs = smtp::Certs::make();
    let smtp_server = smtp::Smtp::start(smtp::free_port(), &certs, &dir.join("mail"), &[]);
    let mail = Mail { port: smtp_server.port, ca: certs.ca() };
    let standin = standin_for(&forms).await;
    let fit = standin.sender_config();

    let server = Server::start_with(&dir, &forms, None, Some(&mail), Some(&fit)).await;
    // Wait for a random number of acknowledged submissions (and a random extra moment),
    // so the kill lands while citizens are at every stage of their walk, submits and
    // deliveries included.
    let kill_after = 5 + splitmix(&mut rng) % 40;
    let extra = Duration::from_millis(splitmix(&mut rng) % 200);
    println!("killing after {kill_after} acknowledged submissions + {extra:?}");
    let acks = Arc::new(tokio::sync::Semaphore::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CITIZENS {
        let (base, plan, acks) = (server.base.clone(), plan.clone(), acks.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            loop {
                let mut c = Citizen::new();
                let summary = match c.walk_to_summary(&base, &plan).await {
                    Ok(s) => s,
                    Err(Stop::Transport) => return out,
                    Err(Stop::Wrong(e)) => {
                        out.wrong.push(e);
                        return out;
                    }
                };
                match c.submit(&base, &summary).await {
                    Ok(true) => {
                        out.acknowledged.push(c.clone());
                        acks.add_permits(1);
                    }
                    Ok(false) => out.wrong.push("submit not acknowledged".into()),
                    Err(Stop::Transport) => {
                        out.cut_in_submit += 1;
                        return out;
                    }
                    Err(Stop::Wrong(e)) => out.wrong.push(e),
                }
            }
        }));
    }
    let got = tokio::time::timeout(PATIENCE, acks.acquire_many(kill_after as u32)).await;
    assert!(got.is_ok(), "the citizens did not get {kill_after} submissions through");
    tokio::time::sleep(extra).await;
    let delivered_before = hook.accepted().len();
    let mailed_before = smtp_server.messages().len();
    let sent_before = standin.received().len();
    server.kill();
    let (mut acknowledged, mut cut) = (Vec::new(), 0);
    for t in tasks {
        let out = t.await.unwrap();
        assert!(out.wrong.is_empty(), "wrong answers before the kill: {:?}", out.wrong);
        acknowledged.extend(out.acknowledged);
        cut += out.cut_in_submit;
    }
    println!(
        "{} acknowledged submissions, {cut} submits cut by the kill, {delivered_before} delivered, {mailed_before} mailed and \
         {sent_before} sent by FIT-Connect before it",
        acknowledged.len()
    );

    let server = Server::start_with(&dir, &forms, None, Some(&mail), Some(&fit)).await;
    let stored = server.stored().await;
    let distinct: BTreeSet<&String> = stored.iter().collect();
    assert_eq!(distinct.len(), stored.len(), "a reference stored twice");
    // Every acknowledged citizen finds their reference, and it is stored exactly once.
    let mut theirs = BTreeSet::new();
    for mut c in acknowledged.clone() {
        let r = c.reference(&server.base).await.unwrap();
        assert_eq!(stored.iter().filter(|s| **s == r).count(), 1, "{r} stored once");
        assert!(theirs.insert(r.clone()), "two citizens with one reference {r}");
    }
    assert_eq!(theirs.len(), acknowledged.len());
    // Stored but not acknowledged is allowed (the kill cut the answer), never the reverse.
    assert!(stored.len() >= acknowledged.len());
    server.wait_outbox_empty().await;
    let accepted = hook.accepted();
    let delivered: BTreeSet<&String> = accepted.keys().collect();
    assert_eq!(delivered, distinct, "every stored submission delivered, nothing else");
    // Repeats of one document (killed mid-delivery) carry one delivery id.
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in hook.seen() {
        ids.entry(s.reference).or_default().insert(s.delivery);
    }
    assert!(ids.values().all(|d| d.len() == 1), "one delivery id per submission: {ids:?}");
    // The e-mail channel: every stored submission mailed to the authority, each with one
    // Message-ID and delivery id however often it was sent, and nothing else.
    let mut mailed: BTreeMap<String, (BTreeSet<String>, usize)> = BTreeMap::new();
    for m in smtp_server.messages() {
        assert_eq!(m["rcpt_tos"], serde_json::json!([MAIL_TO]));
        let reference = smtp::header(&m, "X-Wegweiser-Reference").unwrap();
        let id = smtp::header(&m, "Message-ID").unwrap();
        let delivery = smtp::header(&m, "X-Wegweiser-Delivery").unwrap();
        assert_eq!(id, format!("<{delivery}@stadt.example>"), "the Message-ID is the delivery id");
        let parts: Vec<&str> = m["parts"].as_array().unwrap().iter().map(|p| p["content_type"].as_str().unwrap()).collect();
        assert_eq!(parts, ["text/plain", "application/pdf", "application/json"]);
        let e = mailed.entry(reference).or_default();
        e.0.insert(id);
        e.1 += 1;
    }
    let mailed_refs: BTreeSet<&String> = mailed.keys().collect();
    assert_eq!(mailed_refs, distinct, "every stored submission mailed, nothing else");
    assert!(mailed.values().all(|(ids, _)| ids.len() == 1), "one Message-ID per submission: {mailed:?}");
    let mail_repeats: usize = mailed.values().map(|(_, n)| n - 1).sum();
    // FIT-Connect: every stored submission reached the stand-in (which decrypted it and
    // checked its metadata and Fachdaten), at least once; a repeat (a kill after the submit,
    // before it was recorded) carries the same senderReference, and nothing else arrived.
    let received = standin.received();
    let mut sent: BTreeMap<String, usize> = BTreeMap::new();
    for r in &received {
        let reference = r.metadata["additionalReferenceInfo"]["senderReference"].as_str().unwrap().to_string();
        assert_eq!(r.data["F99000001"], "Erika", "the FIM-keyed Fachdaten of {reference}: {}", r.data);
        assert_eq!(r.attachments[0].purpose, "form");
        assert!(r.attachments[0].bytes.starts_with(b"%PDF-"));
        *sent.entry(reference).or_default() += 1;
    }
    for reference in &distinct {
        assert!(standin.count_by_reference(reference) >= 1, "{reference} never reached the stand-in");
    }
    let sent_refs: BTreeSet<&String> = sent.keys().collect();
    assert_eq!(sent_refs, distinct, "every stored submission sent by FIT-Connect, nothing else");
    assert!(theirs.iter().all(|r| sent.contains_key(r)), "every acknowledged submission sent by FIT-Connect");
    let fit_repeats: usize = sent.values().map(|n| n - 1).sum();
    // And in the database: no draft with two submissions.
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&format!("sqlite://{}", dir.join("wegweiser.db").display())).await.unwrap();
    let doubled: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) AS n FROM (SELECT draft_id FROM submissions GROUP BY draft_id HAVING COUNT(*) > 1) AS d")
            .fetch_one(&db)
            .await
            .unwrap(),
        "n",
    );
    assert_eq!(doubled, 0, "drafts submitted twice");
    db.close().await;
    let repeats: usize = accepted.values().map(|n| n - 1).sum();
    println!(
        "after the restart: {} stored ({} acknowledged), {} delivered, {repeats} repeated deliveries, {} mailed, {mail_repeats} \
         repeated e-mails, {} sent by FIT-Connect, {fit_repeats} repeated submissions",
        stored.len(),
        acknowledged.len(),
        delivered.len(),
        mailed.len(),
        sent.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_help_hides_the_testing_only_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_wegweiser")).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("--webhook-timeout"), "{help}");
    for hidden in ["--today", "--outbox-every-ms", "--retry-base-ms"] {
        assert!(!help.contains(hidden), "{hidden} is for tests only: {help}");
    }
    // Hidden, not absent.
    let out = Command::new(env!("CARGO_BIN_EXE_wegweiser")).args(["serve", "--today", "22.11.2026"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a date like 2026-11-22"));
}
