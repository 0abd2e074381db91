//! The runtime server over HTTP without a socket (`app(state)` + `oneshot`), the way a
//! browser without JavaScript uses it: GET a page, read the CSRF token, POST the form,
//! follow the 303.
//!
//! Each bundled form is walked from its start page to the confirmation with the answers
//! of its complete scenario (`*.test.yaml`), on SQLite, and on PostgreSQL when
//! `DATABASE_URL` is set (`.ci/run` sets it).

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use engine::form::Form;
use engine::session::Input;
use sqlx::Row;
use tower::ServiceExt;
use wegweiser::server::{self, AppState, Config, Store, app};

mod common;
#[path = "common/walk.rs"]
mod walk;
use common::{Browser, between, compile, error_summary, forms_dir, sqlite_url};
use walk::*;

async fn state_for(url: &str, forms: Vec<Form>, today: Option<chrono::NaiveDate>) -> AppState {
    let store = common::serve_store(url).await;
    let config = Config { today, admin_token: Some("admin-secret".into()), retry_base: Duration::from_millis(50), ..Config::default() };
    AppState::new(forms, store, config)
}

const FORMS: &[&str] = &["bewohnerparkausweis", "gewerbeanmeldung", "hundesteuer", "kita-anmeldung", "sondernutzung"];

async fn walk_all(url: &str) {
    for name in FORMS {
        let form = compile(name);
        let sc = scenario(&form, name);
        let state = state_for(url, vec![form.clone()], Some(sc.today)).await;
        let mut b = Browser::new(app(state.clone()));
        let summary = walk_to_summary(&mut b, &form, &sc).await;
        assert!(summary.body.contains("Prüfen Sie Ihre Angaben"));
        let r = submit(&mut b, form.id(), &summary).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some(format!("/f/{}/confirmation", form.id()).as_str()));
        let conf = b.get(&format!("/f/{}/confirmation", form.id())).await;
        let prefix = form.submission().reference.split('{').next().unwrap();
        let reference = between(&conf.body, "class=\"reference\">", "<").unwrap();
        assert!(reference.starts_with(prefix), "{name}: {reference}");
        let doc = state.store.submission_by_reference(&reference).await.unwrap().expect("stored");
        let doc: serde_json::Value = serde_json::from_str(&doc.document).unwrap();
        assert_eq!(doc["form"], form.id());
        assert_eq!(doc["reference"], reference.as_str());
        assert!(doc["data"].as_object().is_some_and(|d| !d.is_empty()));
    }
}

#[tokio::test]
async fn every_bundled_form_walks_to_confirmation_on_sqlite() {
    walk_all(&sqlite_url()).await;
}

#[tokio::test]
async fn every_bundled_form_walks_to_confirmation_on_postgres() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("DATABASE_URL is not set: PostgreSQL walk not run (.ci/run sets it)");
        return;
    };
    walk_all(&url).await;
    double_submit(&url, false).await;
}

async fn hundesteuer(url: &str) -> (Form, Scenario, AppState) {
    let form = compile("hundesteuer");
    let sc = scenario(&form, "hundesteuer");
    let state = state_for(url, vec![form.clone()], Some(sc.today)).await;
    (form, sc, state)
}

async fn double_submit(url: &str, fresh: bool) {
    let (form, sc, state) = hundesteuer(url).await;
    let before = state.store.submission_count().await.unwrap();
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    let fields = [("_csrf".to_string(), summary.csrf()), ("_idempotency".to_string(), idem)];
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
    let req = || {
        Request::post("/f/hundesteuer-anmeldung/submit")
            .header(header::COOKIE, b.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let (r1, r2) = tokio::join!(app(state.clone()).oneshot(req()), app(state.clone()).oneshot(req()));
    assert_eq!(r1.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(r2.unwrap().status(), StatusCode::SEE_OTHER);
    let after = state.store.submission_count().await.unwrap();
    assert_eq!(after - before, 1, "two concurrent submissions stored {} documents", after - before);
    if fresh {
        assert_eq!(after, 1);
    }
}

#[tokio::test]
async fn two_concurrent_submissions_store_one() {
    double_submit(&sqlite_url(), true).await;
}

#[tokio::test]
async fn security_headers_on_every_page() {
    let (_, _, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    for uri in ["/", "/f/hundesteuer-anmeldung", "/f/hundesteuer-anmeldung/s/zustaendigkeit", "/nowhere"] {
        let p = b.get(uri).await;
        let csp = p.headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{uri}");
        assert_eq!(p.headers["x-content-type-options"], "nosniff");
        assert_eq!(p.headers["referrer-policy"], "same-origin");
        assert_eq!(p.headers["x-frame-options"], "DENY");
        assert!(!p.body.contains("style="), "{uri}: no inline style");
        // Scripts only from files, or data blocks that are never executed.
        for tag in p.body.split("<script").skip(1).map(|rest| &rest[..rest.find('>').unwrap()]) {
            assert!(tag.contains(" src=\"/assets/") || tag.contains(r#"type="application/json""#), "{uri}: inline script <script{tag}>");
        }
    }
    let c = b.get("/").await;
    let _ = c;
    let fresh = Browser::new(b.app.clone()).get("/").await;
    let cookie = fresh.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn post_without_or_with_wrong_csrf_token_is_403() {
    let (_, _, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    let url = "/f/hundesteuer-anmeldung/s/zustaendigkeit";
    let page = b.get(url).await;
    let r = b.post(url, &[("wohnsitz_bitburg".into(), "true".into())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b.post(url, &[("_csrf".into(), "0".repeat(64)), ("wohnsitz_bitburg".into(), "true".into())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A right token from another site is refused too.
    let body = format!("_csrf={}&wohnsitz_bitburg=true", page.csrf());
    let req = Request::post(url)
        .header(header::COOKIE, b.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(b.send(req).await.status, StatusCode::FORBIDDEN);
    let r = b.post("/f/hundesteuer-anmeldung/submit", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Found by fuzzing (`scripts/fuzz server_step`): the posted group name of `add:` went into
/// the Location header unchecked, and a name with a control character made a 500.
#[tokio::test]
async fn add_action_with_a_control_character_in_the_group_name_redirects_to_the_step() {
    let (_, _, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    let url = "/f/hundesteuer-anmeldung/s/zustaendigkeit";
    let csrf = b.get(url).await.csrf();
    for action in ["add:7ki\0nder", "add:hund\r\nSet-Cookie: x=1", "add:nicht_da"] {
        let r = b.post(url, &[("_csrf".into(), csrf.clone()), ("_action".into(), action.into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action:?}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some(url), "{action:?}");
    }
}

#[tokio::test]
async fn oversized_body_is_413() {
    let form = compile("hundesteuer");
    let store = Store::connect(&sqlite_url()).await.unwrap();
    let state = AppState::new(vec![form], store, Config { max_body: 10_000, ..Config::default() });
    let mut b = Browser::new(app(state));
    let url = "/f/hundesteuer-anmeldung/s/zustaendigkeit";
    let csrf = b.get(url).await.csrf();
    let r = b.post(url, &[("_csrf".into(), csrf), ("vorname".into(), "x".repeat(20_000))]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn answers_are_escaped_in_the_step_and_the_summary() {
    let (form, mut sc, state) = hundesteuer(&sqlite_url()).await;
    let xss = "<script>alert(1)</script>";
    for (p, i) in sc.answers.iter_mut() {
        if p == "nachname" {
            *i = Input::Text(xss.into());
        }
    }
    let mut b = Browser::new(app(state));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    assert!(!summary.body.contains(xss));
    assert!(summary.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let step = b.get("/f/hundesteuer-anmeldung/s/halter").await;
    assert!(!step.body.contains(xss));
    assert!(step.body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn skipping_steps_submits_nothing() {
    let (_, _, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get("/f/hundesteuer-anmeldung/s/zustaendigkeit").await.csrf();
    // A later step: redirected to the first incomplete one.
    let r = b
        .post("/f/hundesteuer-anmeldung/s/zahlung", &[("_csrf".into(), csrf.clone()), ("zahlungsweise".into(), "ueberweisung".into())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/f/hundesteuer-anmeldung/s/zustaendigkeit"));
    let r = b.get("/f/hundesteuer-anmeldung/s/zahlung").await;
    assert_eq!(r.location.as_deref(), Some("/f/hundesteuer-anmeldung/s/zustaendigkeit"));
    // The submission with an incomplete path.
    let r = b.post("/f/hundesteuer-anmeldung/submit", &[("_csrf".into(), csrf.clone())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_ne!(r.location.as_deref(), Some("/f/hundesteuer-anmeldung/confirmation"));
    let r = b.get("/f/hundesteuer-anmeldung/summary").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(state.store.submission_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_value_posted_for_a_computed_field_is_ignored() {
    let (form, mut sc, state) = hundesteuer(&sqlite_url()).await;
    // `steuer_jahr` is computed (90.00 for one dog); the walk posts `0,01` on its step.
    sc.answers.push(("steuer_jahr".into(), Input::Text("0,01".into())));
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    let r = submit(&mut b, "hundesteuer-anmeldung", &summary).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let subs = state.store.submissions().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(&subs[0].document).unwrap();
    assert_eq!(doc["data"]["steuer_jahr"], "90.00");
}

#[tokio::test]
async fn a_draft_survives_a_restart_and_moves_with_the_resume_link() {
    let url = sqlite_url();
    let (form, sc, state) = hundesteuer(&url).await;
    let mut b = Browser::new(app(state));
    let step = "/f/hundesteuer-anmeldung/s/zustaendigkeit";
    let csrf = b.get(step).await.csrf();
    let r = b.post(step, &[("_csrf".into(), csrf), ("wohnsitz_bitburg".into(), "true".into())]).await;
    assert_eq!(r.location.as_deref(), Some("/f/hundesteuer-anmeldung/s/halter"));
    // A new server over the same database.
    let state2 = state_for(&url, vec![form.clone()], Some(sc.today)).await;
    b.app = app(state2.clone());
    let p = b.get("/f/hundesteuer-anmeldung/s/halter").await;
    assert_eq!(p.status, StatusCode::OK, "the draft is still there after a restart");
    // Save and continue later; the link opens the draft in another browser.
    let csrf = p.csrf();
    let saved = b
        .post(
            "/f/hundesteuer-anmeldung/s/halter",
            &[("_csrf".into(), csrf), ("_action".into(), "save".into()), ("vorname".into(), "Erika".into())],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    let link = between(&saved.body, "class=\"resume-link\"><a href=\"", "\"").unwrap();
    let token = link.rsplit('/').next().unwrap();
    assert_eq!(token.len(), 32, "128 bits");
    let mut other = Browser::new(app(state2.clone()));
    // Opening the link asks first; its button (a POST) moves the draft.
    let page = other.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    let r = other.post(&link, &[("_csrf".into(), page.csrf())]).await;
    assert_eq!(r.location.as_deref(), Some("/f/hundesteuer-anmeldung/s/halter"));
    let p = other.get("/f/hundesteuer-anmeldung/s/halter").await;
    assert!(p.body.contains("value=\"Erika\""));
    // The first browser no longer has it.
    let p = b.get("/f/hundesteuer-anmeldung/s/halter").await;
    assert_eq!(p.location.as_deref(), Some("/f/hundesteuer-anmeldung/s/zustaendigkeit"));
}

#[tokio::test]
async fn step_with_errors_snapshot() {
    let (_, _, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    let url = "/f/hundesteuer-anmeldung/s/halter";
    let csrf = b.get("/f/hundesteuer-anmeldung/s/zustaendigkeit").await.csrf();
    b.post("/f/hundesteuer-anmeldung/s/zustaendigkeit", &[("_csrf".into(), csrf.clone()), ("wohnsitz_bitburg".into(), "true".into())])
        .await;
    let r = b.post(url, &[("_csrf".into(), csrf.clone()), ("vorname".into(), "Erika".into()), ("plz".into(), "5463".into())]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<title>Fehler: "));
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert!(r.body.contains("value=\"Erika\""), "input is never cleared");
    let main = between(&r.body, "<main id=\"main\" tabindex=\"-1\">", "</main>").unwrap().replace(&csrf, "[csrf]");
    insta::assert_snapshot!("halter_with_errors", without_data_blocks(&main));
}

/// The page with the contents of the browser module's JSON data blocks left out (tested
/// on their own in `the_step_page_carries_the_compiled_form_and_the_answers`), and the
/// compiled form's address (a content hash: it changes with the form and its encoding).
fn without_data_blocks(html: &str) -> String {
    let mut out = html.to_string();
    if let Some(url) = between(&out, "data-wegweiser-form=\"", "\"") {
        out = out.replace(&url, "[form-url]");
    }
    for id in ["wegweiser-snapshot", "wegweiser-parameters"] {
        let open = format!("id=\"{id}\">");
        if let Some(block) = between(&out, &open, "</script>") {
            out = out.replace(&format!("{open}{block}</script>"), &format!("{open}[{id}]</script>"));
        }
    }
    out
}

#[tokio::test]
async fn the_step_page_carries_the_compiled_form_and_the_answers() {
    let (form, sc, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    walk(&mut b, &form, &sc, Some("halter")).await;
    let page = b.get("/f/hundesteuer-anmeldung/s/hunde").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"data-wegweiser-step="hunde" data-today="2026-11-22""#), "{}", page.body);
    assert!(page.body.contains(r#"<script type="module" src="/assets/wegweiser.js"></script>"#));
    // The compiled form is not in the page (it was 537 KiB of JSON at 1,000 fields) but an
    // immutable asset the module fetches, preloaded from the head.
    assert!(!page.body.contains(r#"id="wegweiser-form""#), "no JSON copy of the form");
    let url = between(&page.body, r#"data-wegweiser-form=""#, "\"").unwrap();
    assert!(url.starts_with("/assets/forms/") && url.ends_with(".bin"), "{url}");
    let head = between(&page.body, "<head>", "</head>").unwrap();
    assert!(head.contains(&format!(r#"<link rel="preload" href="{url}" as="fetch" crossorigin>"#)), "{head}");
    let snapshot: serde_json::Value =
        serde_json::from_str(&between(&page.body, r#"<script type="application/json" id="wegweiser-snapshot">"#, "</script>").unwrap())
            .unwrap();
    assert_eq!(snapshot["answers"]["vorname"], serde_json::json!("Erika"), "{snapshot}");
    // The parameter values the server evaluates with (no authorities: the form's defaults),
    // as the module's `Guide` reads them.
    let block = between(&page.body, r#"<script type="application/json" id="wegweiser-parameters">"#, "</script>").unwrap();
    let params: engine::form::ParameterValues = serde_json::from_str(&block).unwrap();
    let defaults: engine::form::ParameterValues =
        form.parameters().iter().map(|p| (p.id.clone(), p.default.clone().unwrap_or_default())).collect();
    assert_eq!(params, defaults);
}

/// `GET` of a served form's binary encoding, as the module's `fetch` sends it (no cookie).
async fn get_asset(router: &Router, uri: &str, if_none_match: Option<&str>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    if let Some(tag) = if_none_match {
        req = req.header(header::IF_NONE_MATCH, tag);
    }
    let res = router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec())
}

#[tokio::test]
async fn the_compiled_form_is_served_as_an_immutable_asset_that_decodes_to_the_form() {
    let (form, sc, state) = hundesteuer(&sqlite_url()).await;
    let router = app(state);
    let mut b = Browser::new(router.clone());
    walk(&mut b, &form, &sc, Some("halter")).await;
    let page = b.get("/f/hundesteuer-anmeldung/s/hunde").await;
    let url = between(&page.body, r#"data-wegweiser-form=""#, "\"").unwrap();

    let (status, headers, bytes) = get_asset(&router, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/octet-stream");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert!(headers.get(header::SET_COOKIE).is_none(), "a publicly cached response sets no cookie");
    // The name is the content's hash, and so is the ETag.
    let hash = url.trim_start_matches("/assets/forms/").trim_end_matches(".bin");
    assert_eq!(hash, &wegweiser::server::security::sha256_bytes_hex(&bytes)[..32]);
    assert_eq!(headers[header::ETAG], format!("\"{hash}\""));
    // The module's CSP allows the fetch: same origin (`default-src 'self'`, no `connect-src`).
    let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && !csp.contains("connect-src"), "{csp}");

    // What the module decodes is the form the server evaluates, patterns with their DFA.
    let decoded = Form::from_bytes(&bytes).expect("the asset decodes");
    assert_eq!(serde_json::to_value(&decoded).unwrap(), serde_json::to_value(&form).unwrap());
    assert!(serde_json::to_string(&decoded).unwrap().contains(r#""source":"[0-9]{15}","dfa":""#), "the chip number's pattern has a DFA");
    assert!(bytes.len() * 2 < serde_json::to_string(&form).unwrap().len(), "{} bytes", bytes.len());

    // A revalidation with the ETag is a 304 without the bytes.
    let (status, headers, body) = get_asset(&router, &url, Some(&format!("\"{hash}\""))).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    // An unknown hash (another form, or one no longer served) is a 404.
    let other = format!("/assets/forms/{}.bin", "0".repeat(32));
    assert_eq!(get_asset(&router, &other, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_asset(&router, &url.replace(".bin", ".json"), None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn inactive_fields_are_on_the_page_hidden_and_their_posted_values_are_ignored() {
    let (form, sc, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    walk(&mut b, &form, &sc, Some("halter")).await;
    let url = "/f/hundesteuer-anmeldung/s/hunde";
    let page = b.get(url).await;
    // Rendered, hidden, with the wrapper the module shows and hides.
    assert!(page.body.contains(r#"<div class="form-group" data-field="hund.0.rasse_sonstige" hidden>"#), "{}", page.body);
    assert!(page.body.contains(r#"name="hund.0.rasse_sonstige""#));
    assert!(!page.body.contains(r#"data-field="hund.0.rasse" hidden"#));
    // A value posted for it while it is inactive is not taken.
    let fields = [
        ("_csrf".to_string(), page.csrf()),
        ("_action".to_string(), "save".to_string()),
        ("hund.0.rasse".to_string(), "dackel".to_string()),
        ("hund.0.rasse_sonstige".to_string(), "Geheimrasse".to_string()),
    ];
    b.post(url, &fields).await;
    let again = b.get(url).await;
    assert!(again.body.contains(r#"<option value="dackel" selected>"#));
    assert!(!again.body.contains("Geheimrasse"), "the inactive field's value was not stored");
}

#[tokio::test]
async fn language_switch_sets_a_cookie() {
    let (_, _, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    let p = b.get("/f/hundesteuer-anmeldung/s/zustaendigkeit").await;
    assert!(p.body.contains("href=\"/f/hundesteuer-anmeldung/s/zustaendigkeit?lang=en\""));
    let p = b.get("/f/hundesteuer-anmeldung/s/zustaendigkeit?lang=en").await;
    assert!(p.body.contains("<html lang=\"en\">") && p.body.contains("Continue"));
    let p = b.get("/f/hundesteuer-anmeldung/s/zustaendigkeit").await;
    assert!(p.body.contains("<html lang=\"en\">"), "remembered");
}

#[tokio::test]
async fn admin_api_needs_the_token() {
    let (form, sc, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    submit(&mut b, "hundesteuer-anmeldung", &summary).await;
    let r = b.get("/api/v1/submissions").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let req = Request::get("/api/v1/submissions").header(header::AUTHORIZATION, "Bearer admin-secret").body(Body::empty()).unwrap();
    let r = b.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    let docs: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let reference = docs[0]["reference"].as_str().unwrap().to_string();
    assert!(reference.starts_with("HST-2026-"));
    let req = Request::get(format!("/api/v1/submissions/{reference}"))
        .header(header::AUTHORIZATION, "Bearer admin-secret")
        .body(Body::empty())
        .unwrap();
    assert_eq!(b.send(req).await.status, StatusCode::OK);
    let m = b.get("/metrics").await;
    assert!(m.body.contains("wegweiser_submissions_total 1"));
    assert!(m.body.contains("wegweiser_http_requests_total{route=\"/f/{form}/s/{step}\",status=\"303\"}"));
    assert_eq!(b.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn webhook_down_then_up_delivers_once_with_a_valid_signature() {
    use std::sync::{Arc, Mutex};
    // A local receiver that fails the first call and accepts the next.
    // (signature header, body) of every delivery the receiver accepted.
    type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;
    let seen: Seen = Arc::default();
    let calls = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let (seen2, calls2) = (seen.clone(), calls.clone());
    let receiver = Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let (seen, calls) = (seen2.clone(), calls2.clone());
            async move {
                if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let sig = headers["x-wegweiser-signature"].to_str().unwrap().to_string();
                seen.lock().unwrap().push((sig, body.to_vec()));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let mut form = compile("hundesteuer");
    form = form.with_channels(vec![engine::form::Channel::Webhook(engine::form::Webhook {
        url: format!("http://{addr}/hook"),
        secret_env: Some("CARGO_PKG_NAME".into()),
    })]);
    // The secret comes from the environment variable the form names; `cargo test` sets
    // this one (setting a variable is unsafe in edition 2024, and unsafe is forbidden).
    let secret = std::env::var("CARGO_PKG_NAME").unwrap();
    let sc = scenario(&form, "hundesteuer");
    let state = state_for(&sqlite_url(), vec![form.clone()], Some(sc.today)).await;
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    submit(&mut b, "hundesteuer-anmeldung", &summary).await;
    assert_eq!(server::outbox::deliver_due(&state).await, 0, "the receiver is down");
    assert_eq!(state.store.outbox_pending().await.unwrap(), 1);
    tokio::time::sleep(Duration::from_millis(120)).await;
    let mut delivered = 0;
    for _ in 0..20 {
        delivered += server::outbox::deliver_due(&state).await;
        if delivered > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert_eq!(delivered, 1);
    for _ in 0..3 {
        assert_eq!(server::outbox::deliver_due(&state).await, 0, "delivered once");
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, server::outbox::signature(secret.as_bytes(), &seen[0].1));
    assert_eq!(state.store.outbox_pending().await.unwrap(), 0);
}

#[tokio::test]
async fn a_default_is_shown_as_the_answer_and_a_blank_answer_clears_it() {
    // The bundled form has no default town (several Kommunen offer it): this test gives
    // `ort` the default a single town's copy would have.
    let src = std::fs::read_to_string(forms_dir().join("hundesteuer.yaml")).unwrap();
    let src = src.replace(
        "        max_length: 60\n        autocomplete: address-level2",
        "        max_length: 60\n        default: Bitburg\n        autocomplete: address-level2",
    );
    let c = engine::compile(&src);
    let form = c.form.unwrap_or_else(|| panic!("{:?}", c.diagnostics));
    assert!(form.fields().iter().any(|f| f.id == "ort" && f.default.is_some()), "the test's copy has the default");
    let mut sc = scenario(&form, "hundesteuer");
    let state = state_for(&sqlite_url(), vec![form.clone()], Some(sc.today)).await;
    sc.answers.retain(|(p, _)| p != "ort");
    let mut b = Browser::new(app(state));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    assert!(summary.body.contains("Bitburg"), "the default counts as the answer");
    let step = b.get("/f/hundesteuer-anmeldung/s/halter").await;
    assert!(step.body.contains("name=\"ort\" value=\"Bitburg\""), "and is shown in its input");
    // The citizen empties the field: the default no longer stands in, `ort` is required.
    let mut fields = vec![("_csrf".to_string(), step.csrf()), ("_action".to_string(), "continue".to_string())];
    for (p, i) in &sc.answers {
        if let Input::Text(t) = i
            && step.body.contains(&format!("name=\"{p}\""))
        {
            fields.push((p.clone(), t.clone()));
        }
    }
    fields.push(("ort".into(), String::new()));
    let r = b.post("/f/hundesteuer-anmeldung/s/halter", &fields).await;
    assert_eq!(r.status, StatusCode::OK, "shown again with the error");
    assert!(r.body.contains("href=\"#ort\""), "{}", error_summary(&r.body));
    assert!(r.body.contains("name=\"ort\" value=\"\""), "the blank answer is kept, not replaced by the default");
}

/// Issue 8's proof: the shared FIM schema of the Bewohnerparkausweis, imported, is completed
/// by a citizen in the server, and its rule works there: choosing "02" (another vehicle
/// keeper) makes the keeper's data required on the keeper's step.
#[tokio::test]
async fn an_imported_fim_form_is_completed_in_the_server_and_its_rule_works() {
    let dir = fim_material().join("xdf2/bewohnerparken");
    let xml = std::fs::read_to_string(dir.join("S05000058V1.0_xdf2.xml")).unwrap();
    let mut warnings = Vec::new();
    let codelists = fim::genericode::load_dir(&dir, &mut warnings).unwrap();
    let imported = fim::import(&xml, &fim::Options { codelists, source_name: None }).unwrap();
    let form = engine::compile(&imported.yaml).form.expect("the imported form compiles");

    let complete = scenario_named(&form, &imported.test_yaml, "Alle Pflichtangaben");
    let state = state_for(&sqlite_url(), vec![form.clone()], Some(complete.today)).await;
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &complete).await;
    let r = submit(&mut b, form.id(), &summary).await;
    assert_eq!(r.location.as_deref(), Some(format!("/f/{}/confirmation", form.id()).as_str()));
    assert_eq!(state.store.submission_count().await.unwrap(), 1);

    let other_keeper = scenario_named(&form, &imported.test_yaml, "R05000281: Bedingung erfüllt");
    let mut b = Browser::new(app(state));
    let r = walk(&mut b, &form, &other_keeper, Some("fahrzeughalterin-fahrzeughalter")).await;
    assert_eq!(r.status, StatusCode::OK, "the keeper's step is shown again with errors");
    assert!(
        r.body.contains("href=\"#fahrzeughalterin_fahrzeughalter.fahrzeughalterin_fahrzeughalter_familienname\""),
        "{}",
        error_summary(&r.body)
    );
}

fn fim_material() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("WEGWEISER_FIM_MATERIAL") {
        return p.into();
    }
    let beside = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fim");
    [beside, std::path::PathBuf::from("/work/shared/fim")]
        .into_iter()
        .find(|p| p.join("README.md").exists())
        .expect("the FIM material (shared/fim)")
}

/// #9: a webhook target that accepts the connection and never answers is timed out and
/// retried with backoff, and the outbox goes on delivering the others meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_webhook_times_out_and_is_retried_while_the_others_are_delivered() {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    // (reference, delivery id, attempt, when it arrived, answered 200).
    type Delivery = (String, String, u32, Instant, bool);
    type Seen = Arc<Mutex<Vec<Delivery>>>;
    type Cond = Box<dyn Fn(&[Delivery]) -> bool + Send>;
    let seen: Seen = Arc::default();
    // The first reference that arrives is the hanging one: its first attempt never gets
    // an answer; later attempts do.
    let hanging: Arc<Mutex<Option<String>>> = Arc::default();
    let (seen2, hanging2) = (seen.clone(), hanging.clone());
    let receiver = Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let (seen, hanging) = (seen2.clone(), hanging2.clone());
            async move {
                let h = |k: &str| headers[k].to_str().unwrap().to_string();
                let (reference, attempt) = (h("x-wegweiser-reference"), h("x-wegweiser-attempt").parse::<u32>().unwrap());
                let hang = hanging.lock().unwrap().get_or_insert_with(|| reference.clone()) == &reference && attempt == 1;
                seen.lock().unwrap().push((reference, h("x-wegweiser-delivery"), attempt, Instant::now(), !hang));
                if hang {
                    std::future::pending::<()>().await;
                }
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let mut form = compile("hundesteuer");
    form = form.with_channels(vec![engine::form::Channel::Webhook(engine::form::Webhook {
        url: format!("http://{addr}/hook"),
        secret_env: None,
    })]);
    let sc = scenario(&form, "hundesteuer");
    let url = sqlite_url();
    let store = Store::connect(&url).await.unwrap();
    let (timeout, retry_base) = (Duration::from_secs(5), Duration::from_millis(200));
    let config = Config { today: Some(sc.today), retry_base, webhook_timeout: timeout, ..Config::default() };
    let state = AppState::new(vec![form.clone()], store, config);
    tokio::spawn(server::outbox::run(state.clone(), Duration::from_millis(20)));

    // Four citizens at the summary; the first submits, and its delivery hangs.
    let mut citizens = Vec::new();
    for _ in 0..4 {
        let mut b = Browser::new(app(state.clone()));
        let summary = walk_to_summary(&mut b, &form, &sc).await;
        citizens.push((b, summary));
    }
    let wait_for = |what: &'static str, cond: Cond| {
        let seen = seen.clone();
        async move {
            for _ in 0..600 {
                if cond(&seen.lock().unwrap()) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            panic!("never: {what}; seen {:?}", seen.lock().unwrap());
        }
    };
    let mut it = citizens.iter_mut();
    let (b, summary) = it.next().unwrap();
    submit(b, "hundesteuer-anmeldung", summary).await;
    wait_for("the first delivery arrives", Box::new(|s| s.len() == 1)).await;
    let first = seen.lock().unwrap()[0].clone();
    // The other three are delivered while the first still hangs.
    for (b, summary) in it {
        submit(b, "hundesteuer-anmeldung", summary).await;
    }
    wait_for("three others delivered", Box::new(|s| s.iter().filter(|d| d.4).count() == 3)).await;
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&url).await.unwrap();
    let attempts_of_first: i64 =
        sqlx::Row::get(&sqlx::query("SELECT attempts FROM outbox WHERE id = $1").bind(&first.1).fetch_one(&db).await.unwrap(), "attempts");
    assert_eq!(attempts_of_first, 0, "the others were delivered while the first attempt was still waiting (not after its timeout)");
    // Then the hanging one times out, and the retry delivers it.
    wait_for("the hanging one delivered", Box::new(|s| s.iter().filter(|d| d.4).count() == 4)).await;
    let seen = seen.lock().unwrap().clone();
    let of_first: Vec<_> = seen.iter().filter(|d| d.0 == first.0).collect();
    assert_eq!(of_first.len(), 2, "{seen:?}");
    assert_eq!((of_first[0].2, of_first[1].2), (1, 2));
    assert_eq!(of_first[0].1, of_first[1].1, "one delivery id for both attempts");
    // Not before the timeout plus the first backoff step.
    assert!(of_first[1].3 - of_first[0].3 >= timeout + retry_base);
    let (error, attempts): (Option<String>, i64) = {
        let r = sqlx::query("SELECT last_error, attempts FROM outbox WHERE id = $1").bind(&first.1).fetch_one(&db).await.unwrap();
        (sqlx::Row::get(&r, "last_error"), sqlx::Row::get(&r, "attempts"))
    };
    assert_eq!((error, attempts), (None, 2));
    assert_eq!(state.store.outbox_pending().await.unwrap(), 0);
    assert_eq!(seen.iter().filter(|d| d.0 != first.0).count(), 3, "the others were sent once each");
}

#[test]
fn the_bundled_forms_use_a_small_share_of_the_request_budget() {
    let budget = engine::session::REQUEST_STEP_BUDGET;
    for name in FORMS {
        let form = compile(name);
        let sc = scenario(&form, name);
        let mut s = engine::session::Session::new(&form, "de", sc.today);
        s.set_answers(sc.answers.iter().map(|(p, i)| (p.clone(), Some(i.clone())))).unwrap();
        // A request: restore the draft, decide everything, build the document.
        let (s, _) = engine::session::Session::restore_with_budget(&form, &s.snapshot(), sc.today, budget);
        assert_eq!(s.is_submittable(), Ok(true), "{name}");
        let document = s.submission("2026-11-23T10:00:00Z", "REF-1");
        let used = budget - s.steps_left();
        println!("{name}: {used} evaluation steps for a complete pass");
        assert!(document.is_ok(), "within the budget");
        assert!(used > 0 && used * 100 < budget, "{name} uses {used} of {budget} steps");
    }
}

#[tokio::test]
async fn a_request_that_exhausts_the_evaluation_budget_gets_a_503_page_and_submits_nothing() {
    let (form, sc, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    // The same server with a budget far below what the form needs, on the same database.
    let config = Config { today: Some(sc.today), eval_budget: 20, ..Config::default() };
    let poor = AppState::new(vec![form.clone()], state.store.clone(), config);
    let mut p = Browser { app: app(poor), cookies: b.cookies.clone(), ip: None };
    let first = &form.steps()[0].id;
    let page = p.get(&format!("/f/{}/s/{first}", form.id())).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains("Das Formular kann gerade nicht berechnet werden"), "{}", page.body);
    assert!(page.body.contains("Ihre bisherigen Angaben sind gespeichert"));
    let r = p.get(&format!("/f/{}/summary", form.id())).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let r = submit(&mut p, form.id(), &summary).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(state.store.submission_count().await.unwrap(), 0, "nothing submitted");
    // With the normal budget the draft is intact and submits.
    let r = submit(&mut b, form.id(), &summary).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(state.store.submission_count().await.unwrap(), 1);
}

#[tokio::test]
async fn no_pdf_is_written_from_a_session_over_the_evaluation_budget() {
    let (form, sc, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    assert_eq!(submit(&mut b, form.id(), &summary).await.status, StatusCode::SEE_OTHER);
    // The background worker wrote it; as if it had not (a restart, its queue full):
    wait_for_pdf(&state).await.expect("written in the background");
    sqlx::query("DELETE FROM submission_pdfs").execute(state.store.pool()).await.unwrap();
    // The same server with a budget far below what the form needs is asked for the PDF
    // before anything wrote it: its summary would be empty values, so there is none.
    let config = Config { today: Some(sc.today), eval_budget: 20, ..Config::default() };
    let poor = AppState::new(vec![form.clone()], state.store.clone(), config);
    let mut p = Browser { app: app(poor), cookies: b.cookies.clone(), ip: None };
    let pdf = format!("/f/{}/confirmation/antrag.pdf", form.id());
    let r = p.get(&pdf).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("Das Formular kann gerade nicht berechnet werden"), "{}", r.body);
    // With the normal budget it is written and served.
    assert_eq!(b.get(&pdf).await.status, StatusCode::OK);
}

// --- What a citizen sees (issue #20) ---

/// Hundesteuer with the scenario of four dogs (two dangerous), paid by direct debit.
async fn hundesteuer_four_dogs() -> (Form, Scenario, AppState) {
    let form = compile("hundesteuer");
    let src = std::fs::read_to_string(forms_dir().join("hundesteuer.test.yaml")).unwrap();
    let sc = scenario_named(&form, &src, "befreiter Hund, Lastschrift");
    let state = state_for(&sqlite_url(), vec![form.clone()], Some(sc.today)).await;
    (form, sc, state)
}

/// The summary of the complete Hundesteuer scenario: each dog a block with its heading
/// and change link (no "(Eintrag N)" on every row), money as "1.746,00 €", the IBAN in
/// groups of four that never break inside, dates in German.
#[tokio::test]
async fn the_summary_shows_each_entry_as_a_block_with_euros_iban_groups_and_german_dates() {
    let (form, sc, state) = hundesteuer_four_dogs().await;
    let mut b = Browser::new(app(state));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    let main = between(&summary.body, "<main id=\"main\" tabindex=\"-1\">", "</main>").unwrap().replace(&summary.csrf(), "[csrf]");
    let main = main.replace(&between(&main, "name=\"_idempotency\" value=\"", "\"").unwrap(), "[idempotency]");
    assert!(!main.contains("Eintrag"), "no generic entry words: {main}");
    assert!(main.contains("<h3>Hund 1</h3>") && main.contains("<h3>Hund 4</h3>"), "{main}");
    assert!(main.contains("href=\"/f/hundesteuer-anmeldung/s/hunde#hund.1\""), "a change link per entry");
    assert!(main.contains("1.746,00\u{a0}€"), "money with the euro sign");
    assert!(main.contains("<span class=\"nowrap\">DE89</span> <span class=\"nowrap\">3704</span>"), "IBAN groups");
    assert!(main.contains("15.09.2026"), "dates in German");
    insta::assert_snapshot!("hundesteuer_summary", main);
}

/// `Hund {{ index }}` is the legend of each entry ("Hund 1"), not "Hund : Eintrag 1".
#[tokio::test]
async fn entry_legends_are_the_authors_label() {
    let (form, sc, state) = hundesteuer_four_dogs().await;
    let mut b = Browser::new(app(state));
    walk(&mut b, &form, &sc, Some("hunde")).await;
    let page = b.get("/f/hundesteuer-anmeldung/s/hunde").await;
    assert!(page.body.contains("<legend>Hund 1</legend>"), "{}", page.body);
    assert!(page.body.contains("<legend>Hund 2</legend>"));
    assert!(!page.body.contains("Hund :"), "no empty placeholder before a colon");
    assert!(!page.body.contains("Eintrag 1"));
    assert!(page.body.contains("(Hund 2)</span>"), "the remove button names its entry");
}

/// The error summary says which field each message is about.
#[tokio::test]
async fn error_messages_name_their_field() {
    let (_, _, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    let csrf = b.get("/f/hundesteuer-anmeldung/s/zustaendigkeit").await.csrf();
    b.post("/f/hundesteuer-anmeldung/s/zustaendigkeit", &[("_csrf".into(), csrf.clone()), ("wohnsitz_bitburg".into(), "true".into())])
        .await;
    let r = b.post("/f/hundesteuer-anmeldung/s/halter", &[("_csrf".into(), csrf), ("geburtsdatum".into(), "31.02.1980".into())]).await;
    assert_eq!(r.status, StatusCode::OK);
    let summary = error_summary(&r.body);
    assert!(summary.contains("Bitte geben Sie „Nachname“ an."), "{summary}");
    assert!(!summary.contains("dieses Feld"), "{summary}");
    assert!(summary.contains("Diesen Tag gibt es nicht"), "31.02. is no such day: {summary}");
    assert!(!summary.contains("TT.MM.JJJJ"), "not a format problem: {summary}");
}

/// Without JavaScript, a post that reveals questions says so and puts the focus on the
/// first new one, without an error for it; with the browser module (which showed the
/// question before the post and says so in `_shown`) its error is shown.
#[tokio::test]
async fn revealed_questions_are_announced_and_their_errors_kept_when_the_browser_showed_them() {
    let (form, sc, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    walk(&mut b, &form, &sc, Some("zahlung")).await;
    let url = "/f/hundesteuer-anmeldung/s/zahlung";
    let csrf = b.get(url).await.csrf();
    let post = |shown: Option<&str>| {
        let mut f = vec![("_csrf".to_string(), csrf.clone()), ("zahlungsweise".to_string(), "lastschrift".to_string())];
        if let Some(s) = shown {
            f.push(("_shown".into(), s.into()));
        }
        f
    };
    let r = b.post(url, &post(None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Neue Fragen"), "{}", r.body);
    assert!(r.body.contains("<li><a href=\"#iban\">IBAN</a></li>"));
    assert!(r.body.contains("id=\"iban\" name=\"iban\" value=\"\" autofocus"), "focus on the first new question");
    assert!(!r.body.contains("id=\"iban-error\""), "no error for a question not seen yet");
    // The citizen saw the question (the module showed it) and left it blank: its error.
    let r = b.post(url, &post(Some("zahlungsweise iban kontoinhaber sepa_mandat"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"iban-error\""), "{}", error_summary(&r.body));
    assert!(!r.body.contains("Neue Fragen"));
}

/// The confirmation names the form and the authority, shows the reference and says what
/// happens next.
#[tokio::test]
async fn the_confirmation_names_the_form_and_the_authority() {
    let (form, sc, state) = hundesteuer(&sqlite_url()).await;
    let mut b = Browser::new(app(state));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    submit(&mut b, form.id(), &summary).await;
    let conf = b.get("/f/hundesteuer-anmeldung/confirmation").await;
    let s = engine::session::Session::new(&form, "de", sc.today);
    let title = s.render(form.title(), None);
    let authority = s.render(form.authority().expect("the form names its authority"), None);
    let main = between(&conf.body, "<main id=\"main\" tabindex=\"-1\">", "</main>").unwrap();
    assert!(main.contains(&format!("<p class=\"panel-form\">{title}</p>")), "{main}");
    assert!(main.contains(&format!("<strong>{authority}</strong>")), "{main}");
    assert!(main.contains("class=\"reference\""));
    assert!(main.contains("Wie geht es weiter?"));
}

/// Impressum, Datenschutz and Barrierefreiheit from the configuration: an operator's text
/// (escaped, never HTML), an address (a redirect), the built-in accessibility statement;
/// a page that is not configured says so with a 404.
#[tokio::test]
async fn footer_pages_come_from_the_configuration() {
    use wegweiser::server::legal::{Accessibility, Legal, Source, blocks};
    let legal = Legal {
        impressum: Some(Source::Text(blocks("# Anbieter\nStadt Bitburg\nRathausplatz 1\n\n<script>alert(1)</script>"))),
        datenschutz: Some(Source::Url("https://www.bitburg.de/datenschutz".into())),
        barrierefreiheit: None,
        accessibility: Accessibility {
            operator: Some("Stadt Bitburg".into()),
            contact: Some("barrierefrei@bitburg.de".into()),
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
            known_issues: vec!["Hochgeladene PDF-Dateien werden nicht geprüft.".into()],
            conciliation: None,
        },
    };
    let store = Store::connect(&sqlite_url()).await.unwrap();
    let state = AppState::new(vec![compile("hundesteuer")], store, Config { legal, ..Config::default() });
    let mut b = Browser::new(app(state));
    let i = b.get("/impressum").await;
    assert_eq!(i.status, StatusCode::OK);
    assert!(i.body.contains("<h2>Anbieter</h2>") && i.body.contains("Stadt Bitburg<br>Rathausplatz 1"), "{}", i.body);
    assert!(i.body.contains("&lt;script&gt;") && !i.body.contains("<script>alert"), "the operator's text is escaped");
    let d = b.get("/datenschutz").await;
    assert_eq!(d.status, StatusCode::SEE_OTHER);
    assert_eq!(d.location.as_deref(), Some("https://www.bitburg.de/datenschutz"));
    let a = b.get("/barrierefreiheit").await;
    assert_eq!(a.status, StatusCode::OK);
    for section in [
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Nicht barrierefreie Inhalte",
        "Erstellung dieser Erklärung zur Barrierefreiheit",
        "Feedback und Kontaktangaben",
        "Schlichtungsverfahren",
    ] {
        assert!(a.body.contains(&format!("<h2>{section}</h2>")), "{section}: {}", a.body);
    }
    assert!(a.body.contains("teilweise mit den Anforderungen") && a.body.contains("Hochgeladene PDF-Dateien"));
    assert!(a.body.contains("barrierefrei@bitburg.de") && a.body.contains("am 01.11.2026"));
    // Not configured: a 404 page that says so (production mode refuses to start so).
    let store = Store::connect(&sqlite_url()).await.unwrap();
    let mut b = Browser::new(app(AppState::new(vec![compile("hundesteuer")], store, Config::default())));
    let i = b.get("/impressum").await;
    assert_eq!(i.status, StatusCode::NOT_FOUND);
    assert!(i.body.contains("noch nicht hinterlegt"));
}

/// `serve --production` does not start without the legal pages.
#[test]
fn production_mode_refuses_to_start_without_the_legal_pages() {
    let dir = std::env::temp_dir().join(format!("wegweiser-legal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let imprint = dir.join("impressum.txt");
    std::fs::write(&imprint, "Stadt Bitburg\nRathausplatz 1").unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["serve", "--production", "--forms", "form-definitions", "--addr", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_wegweiser"))
            .args(&args)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Impressum"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["--impressum", imprint.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Datenschutz"));
    let out = run(&["--impressum", imprint.to_str().unwrap(), "--datenschutz", "https://example.org/ds"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--accessibility-contact"));
    let out = run(&["--impressum", dir.join("missing.txt").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

/// The confirmation page links the PDF of the application with its size; the download is
/// `application/pdf` with the reference as its file name and holds every answer of the
/// summary page (four dogs, euros, an IBAN, German dates, an upload's name); another
/// browser gets a 404, and the stored PDF is served again unchanged.
#[tokio::test]
async fn the_confirmation_offers_the_application_as_a_pdf_to_its_owner_only() {
    let (form, sc, state) = hundesteuer_four_dogs().await;
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    let rows = summary_texts(&summary.body);
    assert!(rows.len() > 20, "{rows:?}");
    submit(&mut b, form.id(), &summary).await;
    // Written in the background right after the submission: then the link has its size.
    wait_for_pdf(&state).await.expect("written in the background");
    let conf = b.get("/f/hundesteuer-anmeldung/confirmation").await;
    let reference = between(&conf.body, "class=\"reference\">", "<").unwrap();
    let url = "/f/hundesteuer-anmeldung/confirmation/antrag.pdf";
    assert!(conf.body.contains(&format!("<a href=\"{url}\" download>")), "{}", conf.body);
    let kb: usize = between(&conf.body, "(PDF, ", " KB)").expect("the link says its size").parse().unwrap();
    let get = |cookie: String| {
        let app = app(state.clone());
        async move {
            let res = app.oneshot(Request::get(url).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await.unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            (status, headers, axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec())
        }
    };
    let (status, headers, pdf) = get(b.cookie_header()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(headers[header::CONTENT_DISPOSITION].to_str().unwrap(), format!("attachment; filename=\"{reference}.pdf\""));
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pdf.len().div_ceil(1024), kb);
    // docs/delivery.md's picture of the first page is made from this file.
    if let Some(path) = std::env::var_os("WEGWEISER_SAMPLE_PDF") {
        std::fs::write(path, &pdf).unwrap();
    }
    if let Some(text) = pdftotext(&pdf) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in rows.iter().chain([&reference, &"Hund 4".to_string()]) {
            assert!(text.contains(needle.as_str()), "{needle:?} is not in the PDF:\n{text}");
        }
    }
    // Stored once: the second download is the same file.
    assert_eq!(get(b.cookie_header()).await.2, pdf);
    // Another browser, with a session of its own: no PDF.
    let mut other = Browser::new(app(state.clone()));
    other.get("/f/hundesteuer-anmeldung").await;
    let (status, headers, _) = get(other.cookie_header()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap()), Some("application/pdf"));
    let (status, _, _) = get(String::new()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The stored PDFs (a fresh database per test: at most the one submission's).
async fn stored_pdfs(state: &AppState) -> Vec<Vec<u8>> {
    sqlx::query("SELECT pdf FROM submission_pdfs").fetch_all(state.store.pool()).await.unwrap().into_iter().map(|r| r.get(0)).collect()
}

/// The PDF the background worker writes after a submission, once it is there (30 s at most:
/// it renders at the lowest priority, behind whatever else the machine runs).
async fn wait_for_pdf(state: &AppState) -> Option<Vec<u8>> {
    for _ in 0..3000 {
        if let Some(pdf) = stored_pdfs(state).await.pop() {
            return Some(pdf);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// Issue #19: the PDF is written by a background worker right after the submission, not in
/// the submit request nor in the confirmation's. While it is not there (the worker's queue
/// was full, the server restarted), the confirmation says it is being made without making
/// it, and the download waits for it: it renders it then, stores it, and serves what is
/// stored, so the citizen's file and the one every delivery gets are one document.
#[tokio::test]
async fn the_pdf_is_written_in_the_background_and_the_download_waits_for_it_while_it_is_not() {
    let (form, sc, state) = hundesteuer_four_dogs().await;
    let mut b = Browser::new(app(state.clone()));
    let summary = walk_to_summary(&mut b, &form, &sc).await;
    submit(&mut b, form.id(), &summary).await;
    // Nobody asked for the confirmation or the PDF: the worker writes it.
    let background = wait_for_pdf(&state).await.expect("written in the background");
    assert!(background.starts_with(b"%PDF-"));
    // Now as if the worker had not got to it yet.
    sqlx::query("DELETE FROM submission_pdfs").execute(state.store.pool()).await.unwrap();
    let confirmation = "/f/hundesteuer-anmeldung/confirmation";
    let url = "/f/hundesteuer-anmeldung/confirmation/antrag.pdf";
    let conf = b.get(confirmation).await;
    assert_eq!(conf.status, StatusCode::OK);
    assert!(
        conf.body.contains(&format!("<a href=\"{url}\" download>Ihren Antrag herunterladen (PDF, wird gerade erstellt)</a>")),
        "{}",
        conf.body
    );
    assert!(stored_pdfs(&state).await.is_empty(), "the confirmation page renders no PDF");
    // The download waits for it.
    let res =
        app(state.clone()).oneshot(Request::get(url).header(header::COOKIE, b.cookie_header()).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let downloaded = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec();
    assert!(downloaded.starts_with(b"%PDF-"));
    assert_eq!(stored_pdfs(&state).await, vec![downloaded.clone()], "served what is stored, for every channel alike");
    let conf = b.get(confirmation).await;
    assert!(conf.body.contains(&format!("(PDF, {} KB)", downloaded.len().div_ceil(1024))), "{}", conf.body);
}

/// Row writes to `drafts` since the triggers were made (issue #19: one write per step POST).
async fn draft_writes(state: &AppState) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM draft_writes").fetch_one(state.store.pool()).await.unwrap().get(0)
}

#[tokio::test]
async fn a_step_post_writes_its_draft_once_and_the_write_is_durable_when_answered() {
    use common::{STEP1, STEP2, probe};
    let url = sqlite_url();
    let state = state_for(&url, vec![probe()], None).await;
    // Every INSERT and UPDATE of a draft row is counted by the database itself.
    for sql in [
        "CREATE TABLE draft_writes (kind TEXT)",
        "CREATE TRIGGER count_insert AFTER INSERT ON drafts BEGIN INSERT INTO draft_writes VALUES ('insert'); END",
        "CREATE TRIGGER count_update AFTER UPDATE ON drafts BEGIN INSERT INTO draft_writes VALUES ('update'); END",
    ] {
        sqlx::query(sql).execute(state.store.pool()).await.unwrap();
    }
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    assert_eq!(draft_writes(&state).await, 0, "a GET writes nothing");
    // The first step of a new draft: one INSERT, with the answers.
    let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika".into())]).await;
    assert_eq!(r.location.as_deref(), Some(STEP2), "{}", error_summary(&r.body));
    assert_eq!(draft_writes(&state).await, 1);
    // Visible to another connection (another server on the file) once the POST returned.
    // (A plain connection: a second `Store` would be a second server, which the file lock
    // refuses beside this one's draft cache.)
    let other = sqlx::AnyPool::connect(&url).await.unwrap();
    let snap: String = sqlx::query("SELECT snapshot FROM drafts").fetch_one(&other).await.unwrap().get(0);
    assert!(snap.contains("Erika"), "{snap}");
    // An open draft: one UPDATE per step POST, whatever the action.
    let r =
        b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika M".into()), ("_action".into(), "add:eintrag".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(draft_writes(&state).await, 2);
    let r =
        b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika M".into()), ("eintrag.0.wert".into(), "w".into())]).await;
    assert_eq!(r.location.as_deref(), Some(STEP2), "{}", error_summary(&r.body));
    assert_eq!(draft_writes(&state).await, 3);
    let r = b.post(STEP2, &[("_csrf".into(), csrf.clone())]).await;
    assert_eq!(r.status, StatusCode::OK, "the consent is missing: the step again, its answers saved");
    assert_eq!(draft_writes(&state).await, 4);
    let snap: String = sqlx::query("SELECT snapshot FROM drafts").fetch_one(&other).await.unwrap().get(0);
    assert!(snap.contains("Erika M") && snap.contains("\"w\""), "{snap}");
    let kinds: Vec<String> =
        sqlx::query("SELECT kind FROM draft_writes").fetch_all(state.store.pool()).await.unwrap().into_iter().map(|r| r.get(0)).collect();
    assert_eq!(kinds, ["insert", "update", "update", "update"]);
}
