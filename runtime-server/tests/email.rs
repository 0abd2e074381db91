//! The e-mail channel against a real SMTP server (aiosmtpd, `tests/smtp/server.py`) with
//! STARTTLS and AUTH required: what arrives (both attachments, the PDF's exact bytes),
//! that answers reach no header and no recipient, outages and refusals, and that
//! `wegweiser serve` does not start without the channel's settings.

mod common;
#[path = "common/receiver.rs"]
mod receiver;
#[path = "common/smtp.rs"]
mod smtp;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use common::*;
use sha2::{Digest, Sha256};
use smtp::{Certs, Smtp};
use tower::ServiceExt;
use wegweiser::server::delivery::email::SmtpConfig;
use wegweiser::server::{self, AppState, Config, app};

const FORM: &str = r#"
wegweiser: 1
id: post
version: "1"
title: Antrag auf Post
steps:
  - id: eins
    title: Eins
    fields:
      - { id: name, type: text, label: Name, required: true }
      - { id: mail, type: email, label: E-Mail, required: true }
      - { id: notiz, type: textarea, label: Notiz }
  - id: zwei
    title: Zwei
    fields:
      - { id: richtig, type: consent, label: Richtig, required: true }
submission:
  reference: PST-{year}-{seq:4}
  deliver:
    - email: { to_env: TEST_MAIL_TO, confirmation_to: mail }
"#;

const AUTHORITY: &str = "eingang@amt.example";
const PATIENCE: Duration = Duration::from_secs(20);

fn form() -> engine::form::Form {
    let c = engine::compile(FORM);
    c.form.unwrap_or_else(|| panic!("{:?}", c.diagnostics))
}

fn smtp_config(port: u16, password: &str, certs: &Certs) -> SmtpConfig {
    let url = format!("smtp://{}@127.0.0.1:{port}", smtp::USER);
    SmtpConfig::new(&url, Some(password.into()), "Stadt Test <antraege@stadt.example>", Some(&certs.ca_pem()), Duration::from_secs(5))
        .unwrap()
}

async fn state(port: u16, password: &str, certs: &Certs) -> AppState {
    state_on(&sqlite_url(), port, password, certs).await
}

async fn state_on(url: &str, port: u16, password: &str, certs: &Certs) -> AppState {
    let config = Config {
        smtp: Some(smtp_config(port, password, certs)),
        channel_env: BTreeMap::from([("TEST_MAIL_TO".to_string(), AUTHORITY.to_string())]),
        ..config()
    };
    state_with(url, vec![form()], config).await
}

/// Walks the form with these answers and submits; the reference.
async fn submit(state: &AppState, b: &mut Browser, name: &str, mail: &str) -> String {
    let csrf = b.get("/f/post/s/eins").await.csrf();
    let fields = [
        ("_csrf".into(), csrf.clone()),
        ("name".into(), name.into()),
        ("mail".into(), mail.into()),
        ("notiz".into(), "Hund heißt Bello".into()),
    ];
    let r = b.post("/f/post/s/eins", &fields).await;
    assert_eq!(r.location.as_deref(), Some("/f/post/s/zwei"), "{}", error_summary(&r.body));
    let r = b.post("/f/post/s/zwei", &[("_csrf".into(), csrf.clone()), ("richtig".into(), "true".into())]).await;
    assert_eq!(r.location.as_deref(), Some("/f/post/summary"));
    let summary = b.get("/f/post/summary").await;
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    let r = b.post("/f/post/submit", &[("_csrf".into(), csrf), ("_idempotency".into(), idem)]).await;
    assert_eq!(r.location.as_deref(), Some("/f/post/confirmation"));
    state.store.submissions().await.unwrap().last().unwrap().reference.clone()
}

/// Delivers until nothing is due any more within `PATIENCE` or `n` were delivered.
async fn deliver(state: &AppState, n: usize) -> usize {
    let start = std::time::Instant::now();
    let mut delivered = 0;
    while delivered < n && start.elapsed() < PATIENCE {
        delivered += server::delivery::deliver_due(state).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    delivered
}

/// The admin API's channels of a submission.
async fn channels(b: &mut Browser, reference: &str) -> Vec<serde_json::Value> {
    let r = b.get_with(&format!("/api/v1/submissions/{reference}/channels"), "authorization", "Bearer admin-secret").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v["channels"].as_array().unwrap().clone()
}

fn channel<'a>(list: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    list.iter().find(|c| c["channel"] == name).unwrap_or_else(|| panic!("no channel {name} in {list:?}"))
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The bytes of a GET (the browser's cookies).
async fn get_bytes(b: &Browser, uri: &str) -> Vec<u8> {
    let req = Request::get(uri).header(header::COOKIE, b.cookie_header()).body(Body::empty()).unwrap();
    let res = b.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), 200);
    axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()
}

fn temp_out(name: &str) -> std::path::PathBuf {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    std::env::temp_dir().join(format!("wegweiser-mail-{name}-{}", hex::encode(b)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authority_gets_the_pdf_and_the_json_and_the_citizen_a_confirmation_without_answers() {
    let certs = Certs::make();
    let mail = Smtp::start(smtp::free_port(), &certs, &temp_out("arrives"), &[]);
    let state = state(mail.port, smtp::PASSWORD, &certs).await;
    let mut b = Browser::new(app(state.clone()));
    let reference = submit(&state, &mut b, "Erika Mustermann", "erika@example.org").await;
    // The PDF is not written yet (the confirmation page was not shown): the channel
    // renders and stores it.
    assert_eq!(deliver(&state, 2).await, 2);
    let msgs = mail.wait_for(2, PATIENCE).await;
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    let to_authority = msgs.iter().find(|m| m["rcpt_tos"] == serde_json::json!([AUTHORITY])).expect("a message to the authority");
    let to_citizen = msgs.iter().find(|m| m["rcpt_tos"] == serde_json::json!(["erika@example.org"])).expect("a confirmation");

    // To the authority: subject, sender, ids, a text and both attachments.
    assert_eq!(smtp::header(to_authority, "Subject").unwrap(), format!("Antrag auf Post – {reference}"));
    assert_eq!(to_authority["mail_from"], "antraege@stadt.example");
    let list = channels(&mut b, &reference).await;
    let email = channel(&list, "email");
    assert_eq!(email["status"], "delivered");
    assert_eq!(email["attempts"], 1);
    let delivery = email["delivery"].as_str().unwrap();
    assert_eq!(smtp::header(to_authority, "X-Wegweiser-Delivery").unwrap(), delivery);
    assert_eq!(smtp::header(to_authority, "X-Wegweiser-Reference").unwrap(), reference);
    let message_id = format!("<{delivery}@stadt.example>");
    assert_eq!(smtp::header(to_authority, "Message-ID").unwrap(), message_id);
    assert_eq!(email["receipt"], message_id.as_str(), "the receipt is the Message-ID");
    let parts = to_authority["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 3, "{parts:#?}");
    assert_eq!(parts[0]["content_type"], "text/plain");
    let body = parts[0]["text"].as_str().unwrap();
    assert!(body.contains(&reference) && body.contains("Antrag auf Post"), "{body}");
    assert!(!body.contains("Erika") && !body.contains("Bello"), "no answer in the body: {body}");
    let pdf = get_bytes(&b, "/f/post/confirmation/antrag.pdf").await;
    assert_eq!(parts[1]["content_type"], "application/pdf");
    assert_eq!(parts[1]["filename"], format!("{reference}.pdf"));
    assert_eq!(parts[1]["sha256"], sha256(&pdf), "the very bytes the citizen downloads");
    assert_eq!(parts[1]["size"], pdf.len());
    let document = state.store.submission_by_reference(&reference).await.unwrap().unwrap().document;
    assert_eq!(parts[2]["content_type"], "application/json");
    assert_eq!(parts[2]["filename"], format!("{reference}.json"));
    assert_eq!(parts[2]["sha256"], sha256(document.as_bytes()));

    // To the citizen: the reference, no answers, no attachment.
    let confirmation = channel(&list, "email-confirmation");
    assert_eq!(confirmation["status"], "delivered");
    assert_eq!(smtp::header(to_citizen, "X-Wegweiser-Delivery").unwrap(), confirmation["delivery"].as_str().unwrap());
    let parts = to_citizen["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 1, "no attachment: {parts:#?}");
    let text = parts[0]["text"].as_str().unwrap();
    assert!(text.contains(&reference), "{text}");
    for answer in ["Erika", "Mustermann", "Bello"] {
        assert!(!text.contains(answer), "the answer {answer} in the confirmation: {text}");
        for h in to_citizen["headers"].as_array().unwrap() {
            assert!(!h[1].as_str().unwrap().contains(answer), "{h:?}");
        }
    }

    // Delivered once: nothing more is due, nothing more arrives.
    assert_eq!(server::delivery::deliver_due(&state).await, 0);
    let metrics = b.get("/metrics").await.body;
    assert!(metrics.contains("wegweiser_outbox_deliveries{channel=\"email\",status=\"delivered\"} 1"), "{metrics}");
    assert!(metrics.contains("wegweiser_outbox_deliveries{channel=\"email-confirmation\",status=\"delivered\"} 1"), "{metrics}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(mail.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_with_line_breaks_inject_no_header_and_no_recipient() {
    let certs = Certs::make();
    let mail = Smtp::start(smtp::free_port(), &certs, &temp_out("inject"), &[]);
    let state = state(mail.port, smtp::PASSWORD, &certs).await;
    let mut b = Browser::new(app(state.clone()));
    // In the e-mail field the engine refuses it: it is not an address.
    let csrf = b.get("/f/post/s/eins").await.csrf();
    let evil = "erika@example.org\r\nBcc: evil@x";
    let fields = [("_csrf".into(), csrf), ("name".into(), "Erika".into()), ("mail".into(), evil.into())];
    let r = b.post("/f/post/s/eins", &fields).await;
    assert_eq!(r.status, 200, "refused with a message, not accepted");
    // In the name field it is an answer like any other; it reaches neither a header nor
    // the envelope.
    let reference = submit(&state, &mut b, "Erika\r\nBcc: evil@x\r\nSubject: gehackt", "erika@example.org").await;
    assert_eq!(deliver(&state, 2).await, 2);
    let msgs = mail.wait_for(2, PATIENCE).await;
    for m in &msgs {
        let rcpt: Vec<&str> = m["rcpt_tos"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert!(rcpt == [AUTHORITY] || rcpt == ["erika@example.org"], "{rcpt:?}");
        for h in m["raw_headers"].as_array().unwrap() {
            let (name, value) = (h[0].as_str().unwrap(), h[1].as_str().unwrap());
            assert!(!name.eq_ignore_ascii_case("bcc") && !name.eq_ignore_ascii_case("cc"), "{h:?}");
            assert!(!value.contains("evil") && !value.contains("gehackt"), "{h:?}");
        }
        assert_eq!(smtp::header(m, "Subject").iter().count(), 1);
        assert!(smtp::header(m, "Subject").unwrap().ends_with(&reference));
    }
    // The answer is in the attached document, as typed.
    let to_authority = msgs.iter().find(|m| m["rcpt_tos"] == serde_json::json!([AUTHORITY])).unwrap();
    let document = state.store.submission_by_reference(&reference).await.unwrap().unwrap().document;
    assert!(document.contains("Bcc: evil@x"), "{document}");
    assert_eq!(to_authority["parts"][2]["sha256"], sha256(document.as_bytes()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_outage_is_retried_and_each_message_is_sent_once_when_the_server_is_back() {
    outage(&sqlite_url()).await;
}

/// The same on PostgreSQL (the outbox's channel columns, the admin API's and the metrics'
/// queries), when `DATABASE_URL` is set (`.ci/run` sets it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_outage_is_retried_and_each_message_is_sent_once_when_the_server_is_back_on_postgres() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("DATABASE_URL is not set: PostgreSQL run not made (.ci/run sets it)");
        return;
    };
    outage(&url).await;
}

async fn outage(url: &str) {
    let certs = Certs::make();
    let port = smtp::free_port();
    let state = state_on(url, port, smtp::PASSWORD, &certs).await;
    let mut b = Browser::new(app(state.clone()));
    let reference = submit(&state, &mut b, "Erika", "erika@example.org").await;
    // Nothing listens on the port.
    assert_eq!(server::delivery::deliver_due(&state).await, 0);
    let list = channels(&mut b, &reference).await;
    for c in &list {
        assert_eq!(c["status"], "pending", "{c}");
        assert_eq!(c["attempts"], 1);
        assert_eq!(c["last_error"], "SMTP connection failed", "{c}");
    }
    let metrics = b.get("/metrics").await.body;
    // (On a shared PostgreSQL database other tests' rows count too: at least this one.)
    let retrying = metrics.lines().find_map(|l| l.strip_prefix("wegweiser_outbox_deliveries{channel=\"email\",status=\"retrying\"} "));
    assert!(retrying.is_some_and(|n| n.parse::<i64>().unwrap() >= 1), "{metrics}");
    // The server comes up; the retries deliver each message once.
    let out = temp_out("outage");
    let mail = Smtp::start(port, &certs, &out, &[]);
    assert_eq!(deliver(&state, 2).await, 2);
    let msgs = mail.wait_for(2, PATIENCE).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server::delivery::deliver_due(&state).await, 0);
    assert_eq!(mail.messages().len(), 2, "{msgs:#?}");
    for c in channels(&mut b, &reference).await {
        assert_eq!(c["status"], "delivered", "{c}");
        assert_eq!(c["attempts"], 2);
        assert_eq!(c["last_error"], serde_json::Value::Null);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_smtp_password_is_retried_with_the_reason_in_the_admin_api() {
    let certs = Certs::make();
    let mail = Smtp::start(smtp::free_port(), &certs, &temp_out("password"), &[]);
    let state = state(mail.port, "not-the-password", &certs).await;
    let mut b = Browser::new(app(state.clone()));
    let reference = submit(&state, &mut b, "Erika", "erika@example.org").await;
    assert_eq!(server::delivery::deliver_due(&state).await, 0);
    let email = channel(&channels(&mut b, &reference).await, "email").clone();
    // A deployment's mistake, which the operator fixes: retried, not given up.
    assert_eq!(email["status"], "pending", "{email}");
    let reason = email["last_error"].as_str().unwrap();
    assert!(reason.starts_with("SMTP 535") && reason.contains("password"), "{reason}");
    let r = b.get_with("/api/v1/outbox", "authorization", "Bearer admin-secret").await;
    assert!(r.body.contains("SMTP 535") && r.body.contains("\"channel\":\"email\""), "{}", r.body);
    assert!(!r.body.contains("erika@example.org"), "no address in the outbox list: {}", r.body);
    assert!(mail.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_gives_the_row_up_and_it_is_not_sent_again() {
    let certs = Certs::make();
    let mail = Smtp::start(smtp::free_port(), &certs, &temp_out("refused"), &["erika@example.org"]);
    let state = state(mail.port, smtp::PASSWORD, &certs).await;
    let mut b = Browser::new(app(state.clone()));
    let reference = submit(&state, &mut b, "Erika", "erika@example.org").await;
    assert_eq!(deliver(&state, 1).await, 1, "the authority's message");
    // Even when its due time has come, a failed row is never claimed again.
    sqlx::query("UPDATE outbox SET next_attempt_at = 0").execute(state.store.pool()).await.unwrap();
    assert_eq!(server::delivery::deliver_due(&state).await, 0);
    let list = channels(&mut b, &reference).await;
    assert_eq!(channel(&list, "email")["status"], "delivered");
    let c = channel(&list, "email-confirmation");
    assert_eq!(c["status"], "failed", "{c}");
    assert_eq!(c["attempts"], 1, "never tried again: {c}");
    assert!(c["last_error"].as_str().unwrap().starts_with("SMTP 550"), "{c}");
    assert!(c["failed_at"].is_string());
    let metrics = b.get("/metrics").await.body;
    assert!(metrics.contains("wegweiser_outbox_deliveries{channel=\"email-confirmation\",status=\"failed\"} 1"), "{metrics}");
    assert!(metrics.contains("wegweiser_outbox_pending 0"), "a failed row is not pending: {metrics}");
    assert_eq!(mail.messages().len(), 1);
}

/// `wegweiser serve` with a form that delivers by e-mail: refuses to start without the
/// SMTP server or the address variable, each with a plain message.
#[test]
fn serve_refuses_to_start_when_a_channel_lacks_its_settings() {
    let dir = temp_out("serve");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("post.yaml"), FORM).unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wegweiser"));
        cmd.arg("serve").arg("--forms").arg(&dir).args(["--addr", "127.0.0.1:0", "--database"]);
        cmd.arg(format!("sqlite://{}", dir.join("db.sqlite").display())).args(args);
        for v in ["WEGWEISER_SMTP_URL", "WEGWEISER_SMTP_FROM", "WEGWEISER_SMTP_PASSWORD", "TEST_MAIL_TO"] {
            cmd.env_remove(v);
        }
        cmd.envs(env.iter().copied());
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run(&[], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("form `post`") && err.contains("no SMTP server is configured"), "{err}");
    assert!(err.contains("address variable TEST_MAIL_TO unset"), "{err}");
    let smtp = ["--smtp-url", "smtps://mail.example", "--smtp-from", "antraege@stadt.example"];
    let (code, err) = run(&smtp, &[("TEST_MAIL_TO", "not an address")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(!err.contains("no SMTP server"), "{err}");
    assert!(err.contains("TEST_MAIL_TO holds something that is not an address"), "{err}");
    let (code, err) =
        run(&["--smtp-url", "smtp://u@mail.example", "--smtp-from", "antraege@stadt.example"], &[("TEST_MAIL_TO", "a@b.example")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("WEGWEISER_SMTP_PASSWORD"), "{err}");
    let (code, err) =
        run(&["--smtp-url", "http://mail.example", "--smtp-from", "antraege@stadt.example"], &[("TEST_MAIL_TO", "a@b.example")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("smtp://"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each channel has its own row and status: a webhook delivered, while the FIT-Connect
/// channel (no client configured in this state) stays pending with its reason, retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_channel_has_its_own_outbox_row_and_status() {
    let target = receiver::Receiver::start().await;
    let src = FORM.replace(
        "    - email: { to_env: TEST_MAIL_TO, confirmation_to: mail }\n",
        &format!(
            "    - webhook: {{ url: \"{}\" }}\n    - fitconnect: {{ destination_env: TEST_DESTINATION, leika: \"99108009000000\" }}\n",
            target.url("/hook")
        ),
    );
    let c = engine::compile(&src);
    let form = c.form.unwrap_or_else(|| panic!("{:?}", c.diagnostics));
    assert_eq!(form.submission().channels.iter().map(|c| c.kind()).collect::<Vec<_>>(), ["webhook", "fitconnect"]);
    let state = state_with(&sqlite_url(), vec![form], config()).await;
    let mut b = Browser::new(app(state.clone()));
    let reference = submit(&state, &mut b, "Erika", "erika@example.org").await;
    assert_eq!(server::delivery::deliver_due(&state).await, 1, "the webhook");
    assert_eq!(target.got()[0].header("x-wegweiser-reference"), reference, "the webhook as before");
    let list = channels(&mut b, &reference).await;
    assert_eq!(list.len(), 2, "no confirmation row without an e-mail channel: {list:?}");
    assert_eq!(channel(&list, "webhook")["status"], "delivered");
    assert_eq!(channel(&list, "webhook")["receipt"], serde_json::Value::Null);
    let f = channel(&list, "fitconnect");
    assert_eq!(f["status"], "pending");
    assert!(f["last_error"].as_str().unwrap().contains("no FIT-Connect client configured"), "{f}");
    assert!(f["next_attempt_at"].is_string(), "retried: {f}");
    let r = b.get_with("/api/v1/submissions/XYZ-0/channels", "authorization", "Bearer admin-secret").await;
    assert_eq!(r.status, 404);
    let r = b.get(&format!("/api/v1/submissions/{reference}/channels")).await;
    assert_eq!(r.status, 401, "the admin token is needed");
}

/// A form with a FIT-Connect channel needs the FIT-Connect client, its destination
/// variable and FIM ids (the Fachdaten are the FIM-keyed data); with a complete
/// configuration only the missing FIM ids are left.
#[test]
fn a_fitconnect_channel_needs_its_client_and_destination() {
    let src = FORM.replace(
        "    - email: { to_env: TEST_MAIL_TO, confirmation_to: mail }\n",
        "    - fitconnect: { destination_env: TEST_DESTINATION, leika: \"99108009000000\" }\n",
    );
    let forms = vec![server::LoadedForm { file: "post.yaml".into(), form: engine::compile(&src).form.unwrap() }];
    let missing = server::missing_channel_settings(&forms, &[], &Config::default(), |_| None);
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(missing[0].contains("no FIT-Connect client is configured"), "{missing:?}");
    assert!(missing[1].contains("no field has a FIM id"), "{missing:?}");
    assert!(missing[2].contains("`TEST_DESTINATION`"), "{missing:?}");
    let env = |k: &str| {
        [("WEGWEISER_FITCONNECT_CLIENT_ID", "id"), ("WEGWEISER_FITCONNECT_CLIENT_SECRET", "secret"), ("TEST_DESTINATION", "d-1")]
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    };
    let fitconnect = server::delivery::fitconnect::FitConnectConfig::from_parts(
        Some("https://auth.example/token"),
        Some("https://api.example/submission-api"),
        env,
    )
    .unwrap();
    let config = Config { fitconnect, ..Config::default() };
    let missing = server::missing_channel_settings(&forms, &[], &config, env);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("form `post` (post.yaml): delivers by FIT-Connect, but no field has a FIM id"), "{missing:?}");
}

/// The measurement in `docs/delivery.md`: 100 submissions walked and stored, then the
/// outbox started: how long until all 200 messages (authority and confirmation; the PDF
/// rendered by the channel) are accepted by the local SMTP server.
/// `cargo test -p wegweiser --test email -- --ignored --nocapture a_burst_of_100`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run by hand"]
async fn a_burst_of_100_submissions_by_email() {
    let certs = Certs::make();
    let mail = Smtp::start(smtp::free_port(), &certs, &temp_out("burst"), &[]);
    let config = Config {
        smtp: Some(smtp_config(mail.port, smtp::PASSWORD, &certs)),
        channel_env: BTreeMap::from([("TEST_MAIL_TO".to_string(), AUTHORITY.to_string())]),
        new_drafts_per_minute: 10_000,
        ..config()
    };
    let state = state_with(&sqlite_url(), vec![form()], config).await;
    for i in 0..100 {
        let mut b = Browser::new(app(state.clone()));
        submit(&state, &mut b, &format!("Erika {i}"), "erika@example.org").await;
    }
    let started = std::time::Instant::now();
    tokio::spawn(server::delivery::run(state.clone(), Duration::from_secs(2)));
    mail.wait_for(200, Duration::from_secs(300)).await;
    let took = started.elapsed();
    while state.store.outbox_pending().await.unwrap() > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!("200 messages (100 PDFs rendered) in {:.2} s = {:.0} messages/s", took.as_secs_f64(), 200.0 / took.as_secs_f64());
}

/// A folder with the test form and two authorities offering it: `nord` names its own
/// address for the form in `delivery:`, `sued` names none (the form's variable applies).
fn authority_folder(name: &str, sued_address: bool) -> std::path::PathBuf {
    let dir = temp_out(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("post.yaml"), FORM).unwrap();
    let file = |id: &str, town: &str, delivery: &str| {
        let d = dir.join("authorities").join(id);
        std::fs::create_dir_all(&d).unwrap();
        let yaml = format!(
            "name: Gemeinde {town}\naddress: {{ street: Markt 1, postcode: \"12345\", city: {town} }}\n\
             colours: {{ primary: \"#1d4f91\", on_primary: \"#ffffff\" }}\nforms:\n  post: {{}}\n{delivery}"
        );
        std::fs::write(d.join("authority.yaml"), yaml).unwrap();
    };
    file("nord", "Nord", "delivery:\n  post: { email: poststelle@nord.example }\n");
    file("sued", "Sued", if sued_address { "delivery:\n  post: { email: poststelle@sued.example }\n" } else { "" });
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authoritys_own_address_comes_before_the_forms_variable_and_the_message_names_it() {
    let certs = Certs::make();
    let mail = Smtp::start(smtp::free_port(), &certs, &temp_out("own-address"), &[]);
    let dir = authority_folder("own-address-forms", false);
    let form = form();
    let found = wegweiser::authority::load_dir(&dir, &[&form]);
    assert!(!found.has_errors(), "{:?}", found.files.iter().map(|f| &f.diagnostics).collect::<Vec<_>>());
    let tenants = server::tenant::tenants(&dir, &found).expect("servable");

    // `sued` has no address of its own: the form's variable is needed; with one, it is not.
    let loaded = vec![server::LoadedForm { file: dir.join("post.yaml"), form: form.clone() }];
    let smtp = Config { smtp: Some(smtp_config(mail.port, smtp::PASSWORD, &certs)), ..Config::default() };
    let missing = server::missing_channel_settings(&loaded, &tenants, &smtp, |_| None);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("TEST_MAIL_TO"), "{missing:?}");
    let both = authority_folder("own-address-both", true);
    let found_both = wegweiser::authority::load_dir(&both, &[&form]);
    let tenants_both = server::tenant::tenants(&both, &found_both).expect("servable");
    assert!(server::missing_channel_settings(&loaded, &tenants_both, &smtp, |_| None).is_empty());

    let config = Config {
        smtp: Some(smtp_config(mail.port, smtp::PASSWORD, &certs)),
        channel_env: BTreeMap::from([("TEST_MAIL_TO".to_string(), AUTHORITY.to_string())]),
        ..config()
    };
    let store = server::Store::connect(&sqlite_url()).await.unwrap();
    let state = AppState::with_authorities(vec![form], tenants, store, config);
    let mut nord = Browser::new(app(state.clone()));
    let mut sued = Browser::new(app(state.clone()));
    let r_nord = submit_at(&state, &mut nord, "/nord/f/post", "Erika Nord", "erika@example.org").await;
    let r_sued = submit_at(&state, &mut sued, "/sued/f/post", "Emil Sued", "emil@example.org").await;
    assert_eq!(deliver(&state, 4).await, 4);
    let msgs = mail.wait_for(4, PATIENCE).await;
    let to =
        |addr: &str| msgs.iter().find(|m| m["rcpt_tos"] == serde_json::json!([addr])).unwrap_or_else(|| panic!("to {addr}: {msgs:#?}"));
    let body = |m: &serde_json::Value| m["parts"][0]["text"].as_str().unwrap().to_string();
    let m = to("poststelle@nord.example");
    assert_eq!(smtp::header(m, "X-Wegweiser-Reference").unwrap(), r_nord);
    assert!(body(m).contains("Behörde: Gemeinde Nord"), "{}", body(m));
    let m = to(AUTHORITY);
    assert_eq!(smtp::header(m, "X-Wegweiser-Reference").unwrap(), r_sued);
    assert!(body(m).contains("Behörde: Gemeinde Sued"), "{}", body(m));
    assert!(body(to("erika@example.org")).contains("Gemeinde Nord"));
}

/// Walks the test form under `base` and submits; the reference.
async fn submit_at(state: &AppState, b: &mut Browser, base: &str, name: &str, mail: &str) -> String {
    let csrf = b.get(&format!("{base}/s/eins")).await.csrf();
    let fields = [("_csrf".into(), csrf.clone()), ("name".into(), name.into()), ("mail".into(), mail.into())];
    let r = b.post(&format!("{base}/s/eins"), &fields).await;
    assert_eq!(r.location, Some(format!("{base}/s/zwei")), "{}", error_summary(&r.body));
    let r = b.post(&format!("{base}/s/zwei"), &[("_csrf".into(), csrf.clone()), ("richtig".into(), "true".into())]).await;
    assert_eq!(r.location, Some(format!("{base}/summary")));
    let summary = b.get(&format!("{base}/summary")).await;
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    let r = b.post(&format!("{base}/submit"), &[("_csrf".into(), csrf), ("_idempotency".into(), idem)]).await;
    assert_eq!(r.location, Some(format!("{base}/confirmation")));
    state.store.submissions().await.unwrap().last().unwrap().reference.clone()
}
