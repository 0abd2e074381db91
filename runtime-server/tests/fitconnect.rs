//! The FIT-Connect channel against the stand-in Zustelldienst of the `fitconnect` crate
//! (feature `standin`), which decrypts what it gets and checks it as a subscriber would (the
//! official metadata schema, the Fachdaten against the form's FIM schema, every hash):
//!
//! - the bundled form with FIM ids, delivering by FIT-Connect and e-mail, walked to its
//!   submission: the stand-in gets one submission whose Fachdaten are `fim_data` of the
//!   stored document, whose PDF is the one the citizen downloads and holds every answer,
//!   with the upload as an attachment; the SMTP server gets the e-mail;
//! - a 503 is retried and delivers once; a 400 problem fails the row for good with the
//!   problem's title, never sent again;
//! - acceptance and rejection of the case show in the admin API.

mod common;
#[path = "common/smtp.rs"]
mod smtp;
#[path = "common/walk.rs"]
mod walk;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use engine::form::Form;
use fitconnect::standin::{StandIn, StandInConfig};
use serde_json::Value;
use tower::ServiceExt;
use walk::*;
use wegweiser::server::delivery::email::SmtpConfig;
use wegweiser::server::delivery::fitconnect::FitConnectConfig;
use wegweiser::server::{self, AppState, Config, app};

const DESTINATION: &str = "7b7c3a9e-4c1e-4f7a-9d55-0a6f1e2b3c4d";
const LEIKA: &str = "99108009000000";
const AUTHORITY: &str = "eingang@amt.example";
const PATIENCE: Duration = Duration::from_secs(20);
/// The FIT-Connect timeout of the tests' server (the hang test waits for it).
const TIMEOUT: Duration = Duration::from_secs(2);

/// The bundled form with FIM ids, delivering by FIT-Connect and e-mail (the bundled file
/// itself has no channel: `serve` would refuse it without their settings).
pub fn fim_form_source() -> String {
    let src = std::fs::read_to_string(forms_dir().join("bewohnerparkausweis.yaml")).unwrap();
    let line = "  reference: BPA-{year}-{seq:6}\n";
    assert!(src.contains(line), "the bundled form's submission block changed");
    src.replace(
        line,
        &format!(
            "{line}  deliver:\n    - fitconnect: {{ destination_env: TEST_DESTINATION, leika: \"{LEIKA}\" }}\n    - email: {{ to_env: TEST_MAIL_TO }}\n"
        ),
    )
}

fn fim_form() -> Form {
    let c = engine::compile(&fim_form_source());
    c.form.unwrap_or_else(|| panic!("{:?}", c.diagnostics))
}

/// The stand-in for the form: its LeiKa key, its FIM schema as the one accepted Fachdaten schema.
async fn standin(form: &Form) -> StandIn {
    let schema = engine::fim_schema(form).expect("FIM ids");
    let uri = schema["$id"].as_str().unwrap().to_string();
    StandIn::start(StandInConfig::new(DESTINATION, LEIKA, &uri, schema)).await.unwrap()
}

struct Setup {
    state: AppState,
    form: Form,
    sc: Scenario,
    standin: StandIn,
    mail: smtp::Smtp,
}

async fn setup(name: &str) -> Setup {
    setup_with(name, fim_form()).await
}

async fn setup_with(name: &str, form: Form) -> Setup {
    let sc = scenario(&form, "bewohnerparkausweis");
    let standin = standin(&fim_form()).await;
    let certs = smtp::Certs::make();
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let out = std::env::temp_dir().join(format!("wegweiser-fitconnect-{name}-{}", hex::encode(b)));
    let mail = smtp::Smtp::start(smtp::free_port(), &certs, &out, &[]);
    let c = standin.sender_config();
    let fitconnect = FitConnectConfig {
        token_url: c.token_url,
        api_url: c.api_url,
        client_id: c.client_id,
        client_secret: c.client_secret,
        timeout: TIMEOUT,
    };
    let smtp_config = SmtpConfig::new(
        &format!("smtp://{}@127.0.0.1:{}", smtp::USER, mail.port),
        Some(smtp::PASSWORD.into()),
        "Stadt Test <antraege@stadt.example>",
        Some(&certs.ca_pem()),
        Duration::from_secs(5),
    )
    .unwrap();
    let config = Config {
        today: Some(sc.today),
        fitconnect: Some(fitconnect),
        smtp: Some(smtp_config),
        channel_env: BTreeMap::from([
            ("TEST_DESTINATION".to_string(), DESTINATION.to_string()),
            ("TEST_MAIL_TO".to_string(), AUTHORITY.to_string()),
        ]),
        ..config()
    };
    let state = state_with(&sqlite_url(), vec![form.clone()], config).await;
    Setup { state, form, sc, standin, mail }
}

/// Walks the complete scenario and submits; the browser, the summary page's answers and
/// the reference.
async fn walk_and_submit(s: &Setup) -> (Browser, Vec<String>, String) {
    let mut b = Browser::new(app(s.state.clone()));
    let summary = walk_to_summary(&mut b, &s.form, &s.sc).await;
    let answers = summary_answers(&summary.body);
    let r = submit(&mut b, s.form.id(), &summary).await;
    assert_eq!(r.location.as_deref(), Some("/f/bewohnerparkausweis/confirmation"), "{}", error_summary(&r.body));
    let conf = b.get("/f/bewohnerparkausweis/confirmation").await;
    let reference = between(&conf.body, "class=\"reference\">", "<").unwrap();
    (b, answers, reference)
}

/// Runs the outbox until `n` were delivered or nothing more happens within `PATIENCE`.
async fn deliver(state: &AppState, n: usize) -> usize {
    let start = std::time::Instant::now();
    let mut delivered = 0;
    while delivered < n && start.elapsed() < PATIENCE {
        delivered += server::delivery::deliver_due(state).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    delivered
}

async fn channels(b: &mut Browser, reference: &str) -> Vec<Value> {
    let r = b.get_with(&format!("/api/v1/submissions/{reference}/channels"), "authorization", "Bearer admin-secret").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    v["channels"].as_array().unwrap().clone()
}

fn channel(list: &[Value], name: &str) -> Value {
    list.iter().find(|c| c["channel"] == name).cloned().unwrap_or_else(|| panic!("no channel {name} in {list:?}"))
}

async fn get_bytes(b: &Browser, uri: &str) -> Vec<u8> {
    let req = Request::get(uri).header(header::COOKIE, b.cookie_header()).body(Body::empty()).unwrap();
    let res = b.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stand_in_gets_the_fim_data_the_pdf_with_every_answer_and_the_upload_and_the_authority_the_email() {
    let s = setup("content").await;
    let (mut b, answers, reference) = walk_and_submit(&s).await;
    assert!(answers.len() > 10, "{answers:?}");
    assert_eq!(deliver(&s.state, 2).await, 2, "FIT-Connect and e-mail");

    let received = s.standin.received();
    assert_eq!(received.len(), 1, "one submission");
    let got = &received[0];
    // The Fachdaten: the FIM-keyed data of the stored document (the stand-in validated them
    // against the form's FIM schema, and the metadata against the official schema).
    let stored = s.state.store.submission_by_reference(&reference).await.unwrap().unwrap();
    let document: Value = serde_json::from_str(&stored.document).unwrap();
    assert_eq!(got.data, engine::fim_data(&s.form, &document["data"]).unwrap());
    assert!(got.data.to_string().contains("Mustermann"), "{}", got.data);
    let m = &got.metadata;
    assert_eq!(m["publicServiceType"]["identifier"], format!("urn:de:fim:leika:leistung:{LEIKA}"));
    assert_eq!(m["publicServiceType"]["name"], "Bewohnerparkausweis beantragen");
    assert_eq!(m["additionalReferenceInfo"]["senderReference"], reference.as_str());
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    assert_eq!(m["additionalReferenceInfo"]["applicationDate"], today.as_str(), "the day it was stored");
    assert_eq!(m["replyChannel"]["eMail"]["address"], "erika.mustermann@example.de", "the form's e-mail field");
    let schema = engine::fim_schema(&s.form).unwrap();
    assert_eq!(m["contentStructure"]["data"]["submissionSchema"]["schemaUri"], schema["$id"]);
    assert_eq!(schema["$id"], "https://schema.fitko.de/fim/s05000058_1.0.schema.json");

    // The attachments: the PDF the citizen downloads, then the upload.
    assert_eq!(got.attachments.len(), 2, "{:?}", got.attachments.iter().map(|a| &a.filename).collect::<Vec<_>>());
    let pdf = get_bytes(&b, "/f/bewohnerparkausweis/confirmation/antrag.pdf").await;
    let form_part = &got.attachments[0];
    assert_eq!((form_part.purpose.as_str(), form_part.mime_type.as_str()), ("form", "application/pdf"));
    assert_eq!(form_part.filename.as_deref(), Some(format!("{reference}.pdf").as_str()));
    assert!(form_part.bytes == pdf, "the very bytes the citizen downloads");
    if let Some(text) = pdftotext(&form_part.bytes) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in answers.iter().chain([&reference]) {
            assert!(text.contains(needle.as_str()), "{needle:?} is not in the PDF:\n{text}");
        }
    }
    let upload = &got.attachments[1];
    assert_eq!((upload.purpose.as_str(), upload.mime_type.as_str()), ("attachment", "application/pdf"));
    assert_eq!(upload.filename.as_deref(), Some("fahrzeugschein.pdf"));
    assert!(upload.bytes == file_content("application/pdf", 420_000), "the uploaded bytes");

    // The admin API: delivered once, the receipt names the submission and the case, whose
    // latest event is the submission.
    let list = channels(&mut b, &reference).await;
    let f = channel(&list, "fitconnect");
    assert_eq!((f["status"].as_str(), f["attempts"].as_i64()), (Some("delivered"), Some(1)), "{f}");
    let receipt: Value = serde_json::from_str(f["receipt"].as_str().unwrap()).unwrap();
    assert_eq!(receipt["submission_id"], got.submission_id.as_str());
    assert_eq!(receipt["case_id"], got.case_id.as_str());
    assert_eq!(f["case"]["latest"]["event"], "submit", "{f}");

    // The e-mail to the authority, with the same PDF.
    let msgs = s.mail.wait_for(1, PATIENCE).await;
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    assert_eq!(msgs[0]["rcpt_tos"], serde_json::json!([AUTHORITY]));
    assert_eq!(smtp::header(&msgs[0], "X-Wegweiser-Reference").unwrap(), reference);
    assert_eq!(channel(&list, "email")["status"], "delivered");

    // Nothing is due any more; the stand-in got nothing else.
    assert_eq!(server::delivery::deliver_due(&s.state).await, 0);
    assert_eq!(s.standin.received().len(), 1);
    assert_eq!(s.standin.count_by_reference(&reference), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_is_retried_and_delivers_once() {
    let s = setup("retry").await;
    let (mut b, _, reference) = walk_and_submit(&s).await;
    s.standin.fail_next("POST /submissions", 1);
    // First round: e-mail delivered, FIT-Connect failed (retryable).
    assert_eq!(server::delivery::deliver_due(&s.state).await, 1);
    let f = channel(&channels(&mut b, &reference).await, "fitconnect");
    assert_eq!(f["status"], "pending", "{f}");
    assert!(f["last_error"].as_str().unwrap().contains("503"), "{f}");
    assert!(s.standin.received().is_empty());
    // After the backoff: delivered, once.
    assert_eq!(deliver(&s.state, 1).await, 1);
    let f = channel(&channels(&mut b, &reference).await, "fitconnect");
    assert_eq!((f["status"].as_str(), f["attempts"].as_i64()), (Some("delivered"), Some(2)), "{f}");
    assert_eq!(s.standin.received().len(), 1);
    assert_eq!(s.standin.count_by_reference(&reference), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server::delivery::deliver_due(&s.state).await, 0);
}

/// A Zustelldienst that never answers the upload of an attachment: the attempt ends at the
/// timeout and is retried; the retry delivers a new submission, the abandoned one never
/// reaches the authority.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_zustelldienst_times_out_and_the_retry_delivers() {
    let s = setup("hang").await;
    let (mut b, _, reference) = walk_and_submit(&s).await;
    s.standin.hang_next("PUT /submissions/");
    let started = std::time::Instant::now();
    assert_eq!(server::delivery::deliver_due(&s.state).await, 1, "only the e-mail");
    assert!(started.elapsed() >= TIMEOUT, "{:?}", started.elapsed());
    let f = channel(&channels(&mut b, &reference).await, "fitconnect");
    assert_eq!(f["status"], "pending", "{f}");
    assert!(f["last_error"].as_str().unwrap().contains("timeout"), "{f}");
    assert_eq!(deliver(&s.state, 1).await, 1);
    let creates = s.standin.requests().iter().filter(|r| *r == "POST /submissions").count();
    assert_eq!(creates, 2, "a new submission on the retry");
    assert_eq!(s.standin.received().len(), 1, "the abandoned one was never submitted");
    assert_eq!(s.standin.count_by_reference(&reference), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_400_problem_fails_the_row_for_good_with_its_title() {
    let s = setup("problem").await;
    let (mut b, _, reference) = walk_and_submit(&s).await;
    s.standin.problem_next("POST /submissions", 400, "request-invalid", "Anfrage ungültig", "destinationId fehlt");
    assert_eq!(server::delivery::deliver_due(&s.state).await, 1, "only the e-mail");
    let f = channel(&channels(&mut b, &reference).await, "fitconnect");
    assert_eq!(f["status"], "failed", "{f}");
    assert!(f["failed_at"].is_string(), "{f}");
    let reason = f["last_error"].as_str().unwrap();
    assert!(reason.contains("HTTP 400") && reason.contains("Anfrage ungültig"), "{reason}");
    assert!(!reason.contains("Mustermann"), "no answer in the reason: {reason}");
    // Not retried: even after the backoff nothing is sent again.
    let creates = |s: &StandIn| s.requests().iter().filter(|r| *r == "POST /submissions").count();
    assert_eq!(creates(&s.standin), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server::delivery::deliver_due(&s.state).await, 0);
    assert_eq!(creates(&s.standin), 1);
    assert!(s.standin.received().is_empty());
    let metrics = b.get("/metrics").await.body;
    assert!(metrics.contains("wegweiser_outbox_deliveries{channel=\"fitconnect\",status=\"failed\"} 1"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acceptance_and_rejection_of_the_case_show_in_the_admin_api() {
    let s = setup("case").await;
    let (mut b1, _, accepted) = walk_and_submit(&s).await;
    let (mut b2, _, rejected) = walk_and_submit(&s).await;
    assert_eq!(deliver(&s.state, 4).await, 4);
    let case_of = |reference: &str| {
        s.standin.received().into_iter().find(|r| r.metadata["additionalReferenceInfo"]["senderReference"] == reference).unwrap().case_id
    };
    s.standin.accept(&case_of(&accepted));
    s.standin.reject(
        &case_of(&rejected),
        &[fitconnect::Problem {
            kind: "https://schema.fitko.de/fit-connect/events/problems/missing-data".into(),
            title: "Angaben fehlen".into(),
            detail: Some("Der Fahrzeugschein ist unleserlich.".into()),
        }],
    );
    let f = channel(&channels(&mut b1, &accepted).await, "fitconnect");
    assert_eq!(f["case"]["latest"]["event"], "accept", "{f}");
    assert_eq!(f["case"]["latest"]["problems"], serde_json::json!([]));
    assert_eq!(f["case"]["events"], 2, "submit, accept: {f}");
    let f = channel(&channels(&mut b2, &rejected).await, "fitconnect");
    assert_eq!(f["case"]["latest"]["event"], "reject", "{f}");
    assert_eq!(f["case"]["latest"]["problems"][0]["title"], "Angaben fehlen", "{f}");
    assert_eq!(f["case"]["latest"]["problems"][0]["detail"], "Der Fahrzeugschein ist unleserlich.");
    // A forged event refuses the log: the operator sees why, not a status.
    s.standin.push_raw_event(&case_of(&accepted), "eyJhbGciOiJub25lIn0.e30.".into());
    let f = channel(&channels(&mut b1, &accepted).await, "fitconnect");
    assert!(f["case"]["error"].as_str().unwrap().contains("refused"), "{f}");
    assert!(f["case"].get("latest").is_none(), "{f}");
}

/// A row of a form that cannot deliver by FIT-Connect (stored before `serve` refused such
/// forms, say) fails for good with the reason, and nothing reaches the Zustelldienst.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_row_of_a_form_without_a_fim_schema_fails_for_good_and_sends_nothing() {
    let src = fim_form_source().replace("fim: { schema: S05000058, version: \"1.0\" }\n", "");
    let s = setup_with("nofim", engine::compile(&src).form.unwrap()).await;
    let (mut b, _, reference) = walk_and_submit(&s).await;
    assert_eq!(server::delivery::deliver_due(&s.state).await, 1, "only the e-mail");
    let f = channel(&channels(&mut b, &reference).await, "fitconnect");
    assert_eq!(f["status"], "failed", "{f}");
    assert!(f["last_error"].as_str().unwrap().contains("names no FIM schema"), "{f}");
    assert!(s.standin.requests().is_empty(), "{:?}", s.standin.requests());
}

/// `serve` refuses a FIT-Connect channel on a form without FIM ids; the FIM form with its
/// settings starts.
#[test]
fn a_fitconnect_form_without_fim_ids_is_refused_and_one_with_them_is_not() {
    let with = fim_form();
    let without_src = fim_form_source().replace("fim: { schema: S05000058, version: \"1.0\" }\n", "");
    let without_schema = engine::compile(&without_src).form.unwrap();
    let forms = vec![
        server::LoadedForm { file: "with.yaml".into(), form: with },
        server::LoadedForm { file: "without.yaml".into(), form: without_schema },
    ];
    let env = |k: &str| {
        [("TEST_DESTINATION", DESTINATION), ("TEST_MAIL_TO", AUTHORITY)].iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    };
    let config = Config {
        fitconnect: Some(FitConnectConfig {
            token_url: "https://auth.example/token".into(),
            api_url: "https://api.example".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            timeout: Duration::from_secs(5),
        }),
        smtp: Some(SmtpConfig::new("smtp://mail.example", None, "a@stadt.example", None, Duration::from_secs(5)).unwrap()),
        ..Config::default()
    };
    let missing = server::missing_channel_settings(&forms, &[], &config, env);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(
        missing[0].starts_with("form `bewohnerparkausweis` (without.yaml): delivers by FIT-Connect, but names no FIM schema"),
        "{missing:?}"
    );
}
