//! "Meine Anträge" and the Postkorb, end to end with the real test provider
//! (`tests/common/login.rs`): the account's drafts and submissions, continuing a draft in a
//! second browser, deleting one, taking an anonymous draft into the account; the authority
//! posting messages (with a PDF) through the admin API, the notification without content
//! (the SMTP test server of `tests/common/smtp.rs`); and every new route tried by another
//! account and by an anonymous browser.

mod common;
#[path = "common/login.rs"]
mod login;
#[path = "common/smtp.rs"]
mod smtp;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Page, between};
use login::*;
use smtp::{Certs, Smtp};
use wegweiser::server::delivery::email::SmtpConfig;
use wegweiser::server::{self, AppState, Config, app};

const ADMIN: &str = "operator-secret";
const HUND: &str = "/f/hundeanmeldung/s/halter";

async fn konto_state(issuer: &str, smtp_port: Option<(u16, &Certs)>) -> AppState {
    konto_state_on(&common::sqlite_url(), issuer, smtp_port).await
}

async fn konto_state_on(url: &str, issuer: &str, smtp_port: Option<(u16, &Certs)>) -> AppState {
    let smtp = smtp_port.map(|(port, certs)| {
        let url = format!("smtp://{}@127.0.0.1:{port}", smtp::USER);
        SmtpConfig::new(
            &url,
            Some(smtp::PASSWORD.into()),
            "Stadt Test <antraege@stadt.example>",
            Some(&certs.ca_pem()),
            Duration::from_secs(5),
        )
        .unwrap()
    });
    let config = Config { admin_token: Some(ADMIN.into()), smtp, channel_env: BTreeMap::new(), ..common::config() };
    state_with_config(url, issuer, Duration::from_secs(600), config).await
}

/// A logged-in browser of `who`.
async fn logged_in(state: &AppState, who: &str) -> Browser {
    let mut b = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    let back = login(&mut b, &mut p, who, "/konto").await;
    assert_eq!(back.location.as_deref(), Some("/konto"), "{}", back.body);
    b
}

/// Anna fills in the Meldebescheinigung's first step (a draft of her account).
async fn start_melde(b: &mut Browser) {
    let page = b.get(MELDE).await;
    assert_eq!(b.post(MELDE, &post_fields(&page.csrf(), ANNA)).await.status, StatusCode::SEE_OTHER);
}

/// Walks the rest of the Meldebescheinigung and submits; the reference.
async fn submit_melde(b: &mut Browser) -> String {
    let zweck = b.get("/f/meldebescheinigung/s/zweck").await;
    b.post("/f/meldebescheinigung/s/zweck", &post_fields(&zweck.csrf(), &[("zweck", "Wohnungsgeberbestätigung")])).await;
    let summary = b.get("/f/meldebescheinigung/summary").await;
    let done = b.post("/f/meldebescheinigung/submit", &post_fields(&summary.csrf(), &[])).await;
    assert_eq!(done.location.as_deref(), Some("/f/meldebescheinigung/confirmation"), "{}", done.body);
    let page = b.get("/f/meldebescheinigung/confirmation").await;
    between(&page.body, "<strong class=\"reference\">", "<").expect("a reference")
}

/// The draft ids a `/konto` page names in the buttons of `action` (`fortsetzen` …).
fn draft_ids(body: &str, action: &str) -> Vec<String> {
    body.match_indices("/konto/entwuerfe/")
        .filter_map(|(i, _)| {
            let rest = &body[i + "/konto/entwuerfe/".len()..];
            let (id, tail) = rest.split_once('/')?;
            tail.starts_with(action).then(|| id.to_string())
        })
        .collect()
}

async fn admin_json(b: &mut Browser, reference: &str, token: &str, json: &str) -> Page {
    let req = Request::post(format!("/api/v1/submissions/{reference}/messages"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json.to_string()))
        .unwrap();
    b.send(req).await
}

async fn admin_multipart(b: &mut Browser, reference: &str, kind: &str, text: &str, file: (&str, &[u8])) -> Page {
    let boundary = "----postkorbboundary";
    let mut body = Vec::new();
    for (k, v) in [("kind", kind), ("text", text)] {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"{}\"\r\nContent-Type: application/pdf\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/api/v1/submissions/{reference}/messages"))
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    b.send(req).await
}

#[tokio::test]
async fn meine_antraege_lists_drafts_and_submissions_a_draft_continues_in_a_second_browser_and_is_deleted() {
    let (_node, issuer) = real_provider();
    let state = konto_state(&issuer, None).await;
    let mut a = logged_in(&state, "anna").await;
    let empty = a.get("/konto").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("<h1>Meine Anträge</h1>") && empty.body.contains("Sie haben keine begonnenen Anträge."));

    // Logged in, every page's header links to "Meine Anträge"; without a login none does.
    assert!(a.get("/f/hundeanmeldung").await.body.contains("<a href=\"/konto\">Meine Anträge</a>"));
    assert!(!Browser::new(app(state.clone())).get("/f/hundeanmeldung").await.body.contains("href=\"/konto\""));

    // Anna starts the Meldebescheinigung in browser A; /konto lists the draft.
    start_melde(&mut a).await;
    let listed = a.get("/konto").await;
    assert!(listed.body.contains("Meldebescheinigung beantragen"), "{}", listed.body);
    let ids = draft_ids(&listed.body, "fortsetzen");
    assert_eq!(ids.len(), 1, "{}", listed.body);

    // Browser B, the same account: the draft is listed there too and continues there.
    let mut b = logged_in(&state, "anna").await;
    let there = b.get("/konto").await;
    assert_eq!(draft_ids(&there.body, "fortsetzen"), ids);
    // Without the CSRF token nothing moves.
    let forged = b.post(&format!("/konto/entwuerfe/{}/fortsetzen", ids[0]), &[("_csrf".into(), "0".repeat(64))]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let go = b.post(&format!("/konto/entwuerfe/{}/fortsetzen", ids[0]), &post_fields(&there.csrf(), &[])).await;
    assert_eq!(go.location.as_deref(), Some("/f/meldebescheinigung"), "{}", go.body);
    // The answers of browser A are here: the second step is reachable, the first kept.
    assert_eq!(b.get("/f/meldebescheinigung/s/zweck").await.status, StatusCode::OK);
    let reference = submit_melde(&mut b).await;

    // Submitted: listed with its reference, date and PDF, and no longer as a draft.
    let after = a.get("/konto").await;
    assert!(after.body.contains(&format!("Aktenzeichen {reference}")), "{}", after.body);
    assert!(after.body.contains("Sie haben keine begonnenen Anträge."));
    assert!(after.body.contains("Nachrichten: 0"));
    let pdf = a.get(&format!("/konto/antraege/{reference}/antrag.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    let row: (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as("SELECT account_issuer, account_subject, account_email FROM submissions")
            .fetch_one(state.store.pool())
            .await
            .unwrap();
    assert_eq!(row, (Some(issuer.clone()), Some("anna".into()), Some("anna.beispiel@example.org".into())));

    // A second draft (the optional form, logged in) is deleted from /konto.
    let hund = a.get(HUND).await;
    a.post(HUND, &post_fields(&hund.csrf(), &[("name", "Beispiel"), ("hund", "Bello")])).await;
    let listed = a.get("/konto").await;
    let ids = draft_ids(&listed.body, "loeschen");
    assert_eq!(ids.len(), 1, "{}", listed.body);
    let gone = a.post(&format!("/konto/entwuerfe/{}/loeschen", ids[0]), &post_fields(&listed.csrf(), &[])).await;
    assert_eq!(gone.location.as_deref(), Some("/konto"));
    assert!(a.get("/konto").await.body.contains("Sie haben keine begonnenen Anträge."));
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM drafts WHERE id = $1").bind(&ids[0]).fetch_one(state.store.pool()).await.unwrap();
    assert_eq!(left, 0);
    let again = a.post(&format!("/konto/entwuerfe/{}/loeschen", ids[0]), &post_fields(&listed.csrf(), &[])).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_draft_started_without_login_is_taken_into_the_account() {
    let (_node, issuer) = real_provider();
    let state = konto_state(&issuer, None).await;
    let mut b = Browser::new(app(state.clone()));
    // Anonymous: /konto wants the login.
    let konto = b.get("/konto").await;
    assert_eq!((konto.status, konto.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login?next=%2Fkonto")));
    let hund = b.get(HUND).await;
    b.post(HUND, &post_fields(&hund.csrf(), &[("name", "Anonym"), ("hund", "Bello")])).await;

    let mut p = AtProvider::new();
    login(&mut b, &mut p, "anna", "/konto").await;
    let offered = b.get("/konto").await;
    assert!(offered.body.contains("Ohne Anmeldung begonnen") && offered.body.contains("In Ihr Konto übernehmen"), "{}", offered.body);
    let ids = draft_ids(&offered.body, "uebernehmen");
    assert_eq!(ids.len(), 1);
    // Logged in, the optional form does not see the anonymous draft yet.
    assert_eq!(field_value(&b.get(HUND).await.body, "hund"), "");

    // Ben, in his own browser, cannot take it (it is not his browser's).
    let mut ben = logged_in(&state, "ben").await;
    // (His /konto has no buttons: the token from a form page of his browser.)
    let ben_csrf = ben.get(HUND).await.csrf();
    let stolen = ben.post(&format!("/konto/entwuerfe/{}/uebernehmen", ids[0]), &post_fields(&ben_csrf, &[])).await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);

    let taken = b.post(&format!("/konto/entwuerfe/{}/uebernehmen", ids[0]), &post_fields(&offered.csrf(), &[])).await;
    assert_eq!(taken.location.as_deref(), Some("/konto"));
    let now = b.get("/konto").await;
    assert!(!now.body.contains("In Ihr Konto übernehmen"));
    assert_eq!(draft_ids(&now.body, "fortsetzen"), ids);
    assert_eq!(field_value(&b.get(HUND).await.body, "hund"), "Bello");
    // And another browser of Anna's continues it.
    let mut other = logged_in(&state, "anna").await;
    let there = other.get("/konto").await;
    assert_eq!(draft_ids(&there.body, "fortsetzen"), ids);
    // Ben neither sees nor continues nor deletes it.
    let ben_page = ben.get("/konto").await;
    assert!(draft_ids(&ben_page.body, "fortsetzen").is_empty());
    for action in ["fortsetzen", "loeschen", "uebernehmen"] {
        let r = ben.post(&format!("/konto/entwuerfe/{}/{action}", ids[0]), &post_fields(&ben_csrf, &[])).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(field_value(&b.get(HUND).await.body, "hund"), "Bello", "still Anna's, in her browser");
}

#[tokio::test]
async fn the_authority_posts_to_the_postkorb_the_citizen_reads_it_and_nobody_else_can() {
    postkorb_on(&common::sqlite_url(), "sqlite").await;
}

/// The same on PostgreSQL (migration 0007, the submission's account, the messages' bytes).
#[tokio::test]
async fn the_postkorb_on_postgres() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("DATABASE_URL is not set: the PostgreSQL Postkorb test is not run (.ci/run sets it)");
        return;
    };
    postkorb_on(&url, "pg").await;
}

async fn postkorb_on(url: &str, name: &str) {
    let (_node, issuer) = real_provider();
    let certs = Certs::make();
    let out = std::env::temp_dir().join(format!("wegweiser-postkorb-{name}-{}", std::process::id()));
    let mail = Smtp::start(smtp::free_port(), &certs, &out, &[]);
    let state = konto_state_on(url, &issuer, Some((mail.port, &certs))).await;
    // On a shared database each run's provider has its own issuer (its port), so the
    // accounts' lists hold only this run's rows.
    let mut a = logged_in(&state, "anna").await;
    start_melde(&mut a).await;
    let reference = submit_melde(&mut a).await;
    let mut admin = Browser::new(app(state.clone()));

    // Refusals: no token, an unknown reference, a bad kind, no text, HTML-free but too long, not a PDF.
    assert_eq!(admin_json(&mut admin, &reference, "wrong", r#"{"kind":"status","text":"x"}"#).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(admin_json(&mut admin, "NOPE-1", ADMIN, r#"{"kind":"status","text":"x"}"#).await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin_json(&mut admin, &reference, ADMIN, r#"{"kind":"html","text":"x"}"#).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(admin_json(&mut admin, &reference, ADMIN, r#"{"kind":"status","text":"  "}"#).await.status, StatusCode::BAD_REQUEST);
    let long = format!(r#"{{"kind":"message","text":"{}"}}"#, "a".repeat(10_001));
    assert_eq!(admin_json(&mut admin, &reference, ADMIN, &long).await.status, StatusCode::BAD_REQUEST);
    let png = b"\x89PNG\r\n\x1a\nnot a pdf".to_vec();
    let refused = admin_multipart(&mut admin, &reference, "message", "Anbei", ("bescheid.pdf", &png)).await;
    assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let none: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM messages m JOIN submissions s ON s.id = m.submission_id WHERE s.reference = $1")
            .bind(&reference)
            .fetch_one(state.store.pool())
            .await
            .unwrap();
    assert_eq!(none, 0, "nothing stored by a refused post");

    // A status as JSON, with markup that must come out as text; a message with a PDF.
    let forged = "Ihr Antrag ist eingegangen. <script>alert(1)</script> <a href=\"https://evil.example\">hier</a> & mehr";
    let posted = admin_json(&mut admin, &reference, ADMIN, &serde_json::json!({"kind": "status", "text": forged}).to_string()).await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let bescheid = common::pdf(2048);
    let with_pdf =
        admin_multipart(&mut admin, &reference, "message", "Guten Tag,\n\nanbei Ihr Bescheid.", ("Bescheid 2026.pdf", &bescheid)).await;
    assert_eq!(with_pdf.status, StatusCode::CREATED, "{}", with_pdf.body);
    let message_id = between(&with_pdf.body, "\"id\":\"", "\"").unwrap();

    // The notifications: one per message, to Anna's address, without the message's content.
    while server::delivery::deliver_due(&state).await > 0 {}
    let sent = mail.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(sent.len(), 2);
    for m in &sent {
        assert_eq!(m["rcpt_tos"], serde_json::json!(["anna.beispiel@example.org"]));
        let text = m["parts"][0]["text"].as_str().unwrap_or_default();
        assert_eq!(text.trim(), format!("Sie haben eine neue Nachricht zu Ihrem Antrag {reference}. Melden Sie sich an, um sie zu lesen."));
        let all = m.to_string();
        for secret in ["script", "evil.example", "Bescheid", "eingegangen"] {
            assert!(!all.contains(secret), "the notification carries no content: {secret}");
        }
        assert_eq!(m["parts"].as_array().unwrap().len(), 1, "no attachment");
    }

    // Anna sees two unread messages, reads them (escaped), and they are read.
    let listed = a.get("/konto").await;
    assert!(listed.body.contains("Nachrichten: 2 (2 ungelesen)"), "{}", listed.body);
    let page_url = format!("/konto/antraege/{reference}");
    let page = a.get(&page_url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Statusmitteilung vom") && page.body.contains("(neu)"));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;") && !page.body.contains("<script>alert"), "escaped");
    assert!(!page.body.contains("<a href=\"https://evil.example\""));
    assert!(page.body.contains("anbei Ihr Bescheid."));
    let pdf_url = format!("{page_url}/nachrichten/{message_id}.pdf");
    assert!(page.body.contains(&pdf_url), "{}", page.body);
    assert!(a.get("/konto").await.body.contains("Nachrichten: 2</li>"), "read now");
    assert!(!a.get(&page_url).await.body.contains("(neu)"));
    let got = a.get(&pdf_url).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body.as_bytes(), &bescheid[..]);
    assert!(got.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("Bescheid2026.pdf"));

    // Ben: the submission is not in his list, and every route of it is "not found".
    let mut ben = logged_in(&state, "ben").await;
    assert!(!ben.get("/konto").await.body.contains(&reference));
    for url in [page_url.clone(), format!("{page_url}/antrag.pdf"), pdf_url.clone()] {
        let r = ben.get(&url).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{url}");
        assert!(!r.body.contains("Bescheid") && !r.body.contains("%PDF"), "{url}");
    }
    // An anonymous browser: the page wants a login, the files are not found.
    let mut anon = Browser::new(app(state.clone()));
    let r = anon.get(&page_url).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location.unwrap().starts_with("/login?next="));
    for url in [format!("{page_url}/antrag.pdf"), pdf_url.clone()] {
        assert_eq!(anon.get(&url).await.status, StatusCode::NOT_FOUND, "{url}");
    }
    for action in ["fortsetzen", "loeschen", "uebernehmen"] {
        let r = anon.post(&format!("/konto/entwuerfe/x/{action}"), &post_fields(&"0".repeat(64), &[])).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
    }
    // Anna's own message id under another reference is not found either.
    assert_eq!(a.get(&format!("/konto/antraege/NOPE-1/nachrichten/{message_id}.pdf")).await.status, StatusCode::NOT_FOUND);
}

/// Two authorities: `kreis` offers the Meldebescheinigung, `stadt` the Waffenschein; each
/// has its own admin token.
async fn two_authorities(issuer: &str) -> AppState {
    let forms = login_forms();
    let mut tenants = Vec::new();
    for (id, name, form) in [("kreis", "Kreis Beispiel", "meldebescheinigung"), ("stadt", "Stadt Beispiel", "waffenschein")] {
        let source = format!(
            "name: {name}\naddress: {{ street: Markt 1, postcode: \"54290\", city: Trier }}\n\
             colours: {{ primary: \"#1d4f91\", on_primary: \"#ffffff\" }}\nforms:\n  {form}: {{}}\n"
        );
        let (authority, diags) = engine::authority::read_authority(id, &source, &forms.iter().collect::<Vec<_>>());
        assert!(diags.is_empty(), "{diags:?}");
        tenants.push(wegweiser::server::tenant::Tenant::load(&root(), authority.unwrap()).unwrap());
    }
    let store = wegweiser::server::Store::connect(&common::sqlite_url()).await.unwrap();
    let oidc = wegweiser::server::account::oidc::Oidc::discover(
        settings(issuer, Duration::from_secs(600)),
        wegweiser::server::account::wanted_attributes(&forms),
    )
    .await
    .unwrap();
    let tokens = [("kreis", "kreis-secret"), ("stadt", "stadt-secret")].into_iter().map(|(a, t)| (a.to_string(), t.to_string())).collect();
    let config =
        Config { today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22), authority_tokens: tokens, admin_token: None, ..common::config() };
    AppState::build(forms, tenants, store, config, Some(oidc))
}

#[tokio::test]
async fn under_an_authority_the_list_names_it_and_only_its_token_posts_to_the_postkorb() {
    const STEP: &str = "/kreis/f/meldebescheinigung/s/person";
    let (_node, issuer) = real_provider();
    let state = two_authorities(&issuer).await;
    let mut a = logged_in(&state, "anna").await;
    let page = a.get(STEP).await;
    a.post(STEP, &post_fields(&page.csrf(), ANNA)).await;
    // The draft continues under its authority's address.
    let mut b = logged_in(&state, "anna").await;
    let listed = b.get("/konto").await;
    assert!(listed.body.contains("Kreis Beispiel"), "{}", listed.body);
    let ids = draft_ids(&listed.body, "fortsetzen");
    let go = b.post(&format!("/konto/entwuerfe/{}/fortsetzen", ids[0]), &post_fields(&listed.csrf(), &[])).await;
    assert_eq!(go.location.as_deref(), Some("/kreis/f/meldebescheinigung"));
    let zweck = b.get("/kreis/f/meldebescheinigung/s/zweck").await;
    assert_eq!(zweck.status, StatusCode::OK, "{}", zweck.body);
    b.post("/kreis/f/meldebescheinigung/s/zweck", &post_fields(&zweck.csrf(), &[("zweck", "Wohnungsgeberbestätigung")])).await;
    let summary = b.get("/kreis/f/meldebescheinigung/summary").await;
    b.post("/kreis/f/meldebescheinigung/submit", &post_fields(&summary.csrf(), &[])).await;
    let reference = state.store.submissions().await.unwrap()[0].reference.clone();
    assert!(reference.starts_with("KREIS-"), "{reference}");
    let pdf = b.get(&format!("/konto/antraege/{reference}/antrag.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);

    // The other authority's token does not find the submission; its own does.
    let mut admin = Browser::new(app(state.clone()));
    let body = r#"{"kind":"status","text":"In Bearbeitung."}"#;
    assert_eq!(admin_json(&mut admin, &reference, "stadt-secret", body).await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin_json(&mut admin, &reference, "kreis-secret", body).await.status, StatusCode::CREATED);
    let read = b.get(&format!("/konto/antraege/{reference}")).await;
    assert!(read.body.contains("In Bearbeitung.") && read.body.contains("Kreis Beispiel"), "{}", read.body);
}
