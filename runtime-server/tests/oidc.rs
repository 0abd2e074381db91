//! Login with OpenID Connect, end to end: the server (`app(state)`, no socket) logs citizens
//! in at a real provider, the certified `oidc-provider` npm package that
//! `tests/oidc/provider.mjs` starts with two test accounts (`npm ci` in `tests/oidc`, as
//! `.ci/run` does), over HTTP: discovery, the code flow with PKCE, the token request and the
//! ID token's keys. And at a hostile provider written here (axum, RS256 signed by hand with a
//! test key) that issues every kind of bad token: each is refused with a page and no session.

mod common;
#[path = "common/login.rs"]
mod login;

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Browser, Page, between};
use login::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wegweiser::server::account;
use wegweiser::server::account::oidc::Oidc;
use wegweiser::server::{AppState, Config, Store, app};

#[tokio::test]
async fn login_prefills_the_form_locked_fields_ignore_a_forged_post_and_the_submission_names_the_account() {
    let (_node, issuer) = real_provider();
    let state = state_for(&issuer, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    // Without a login the form's start page offers it; its steps send back to the start page.
    let start = b.get("/f/meldebescheinigung").await;
    assert!(start.body.contains("Mit BundID / Servicekonto anmelden") && start.body.contains("href=\"/login?next="), "{}", start.body);
    assert_eq!(b.get(MELDE).await.location.as_deref(), Some("/f/meldebescheinigung"));

    let mut p = AtProvider::new();
    let back = login(&mut b, &mut p, "anna", MELDE).await;
    assert_eq!((back.status, back.location.as_deref()), (StatusCode::SEE_OTHER, Some(MELDE)), "{}", back.body);
    assert_eq!(state.store.account_session_count().await.unwrap(), 1);

    let page = b.get(MELDE).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for (id, value) in ANNA {
        assert_eq!(field_value(&page.body, id), *value, "{id}");
    }
    assert!(page.body.contains("Aus Ihrem Konto übernommen."));
    let locked = &page.body[page.body.find("id=\"familienname\"").unwrap()..];
    assert!(locked[..locked.find('>').unwrap()].contains("readonly"), "the locked field is read-only");

    // A forged post: another family name and birth date, a changed first name.
    let forged = post_fields(
        &page.csrf(),
        &[
            ("vorname", "Anne"),
            ("familienname", "Fremd"),
            ("geburtsdatum", "01.01.2000"),
            ("strasse", "Rathausplatz 1"),
            ("plz", "48653"),
            ("ort", "Coesfeld"),
            ("email", "anna.beispiel@example.org"),
        ],
    );
    let next = b.post(MELDE, &forged).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let again = b.get(MELDE).await;
    assert_eq!(field_value(&again.body, "familienname"), "Beispiel");
    assert_eq!(field_value(&again.body, "geburtsdatum"), "12.04.1985");
    assert_eq!(field_value(&again.body, "vorname"), "Anne");

    let zweck = b.get("/f/meldebescheinigung/s/zweck").await;
    let done = b.post("/f/meldebescheinigung/s/zweck", &post_fields(&zweck.csrf(), &[("zweck", "Wohnungsgeberbestätigung")])).await;
    assert_eq!(done.location.as_deref(), Some("/f/meldebescheinigung/summary"));
    let summary = b.get("/f/meldebescheinigung/summary").await;
    assert!(summary.body.contains("(Aus Ihrem Konto übernommen.)"), "{}", summary.body);
    // No change link for a locked answer.
    assert!(!summary.body.contains("/f/meldebescheinigung/s/person#familienname"));
    let submit = b.post("/f/meldebescheinigung/submit", &post_fields(&summary.csrf(), &[])).await;
    assert_eq!(submit.location.as_deref(), Some("/f/meldebescheinigung/confirmation"), "{}", submit.body);

    let subs = state.store.submissions().await.unwrap();
    let doc: Value = serde_json::from_str(&subs[0].document).unwrap();
    assert_eq!(doc["data"]["familienname"], "Beispiel");
    assert_eq!(doc["data"]["vorname"], "Anne");
    assert_eq!(doc["account"]["trust"], "hoch");
    // The answers still as the account gave them; `vorname` was changed.
    assert_eq!(doc["account"]["fields"], json!(["email", "familienname", "geburtsdatum", "ort", "plz", "strasse"]));
    // The draft names the account (issuer and `sub`) for "Meine Anträge".
    let row: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT account_issuer, account_subject FROM drafts").fetch_one(state.store.pool()).await.unwrap();
    assert_eq!(row, (Some(issuer.clone()), Some("anna".into())));
}

#[tokio::test]
async fn logout_ends_the_session_and_the_draft_is_not_readable_without_the_account() {
    let (_node, issuer) = real_provider();
    let state = state_for(&issuer, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    login(&mut b, &mut p, "anna", MELDE).await;
    let page = b.get(MELDE).await;
    b.post(MELDE, &post_fields(&page.csrf(), ANNA)).await;
    assert_eq!(b.get("/f/meldebescheinigung/s/zweck").await.status, StatusCode::OK);

    // Logout needs the CSRF token.
    let refused = b.post("/logout", &[("_csrf".to_string(), "0".repeat(64))]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(state.store.account_session_count().await.unwrap(), 1);
    let out = b.post("/logout", &post_fields(&page.csrf(), &[])).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.body.contains("Sie sind abgemeldet"));
    assert_eq!(state.store.account_session_count().await.unwrap(), 0);
    // The same browser without the account: the steps send it to the start page, the
    // summary and the confirmation too; the optional form knows no draft of it.
    for path in [MELDE, "/f/meldebescheinigung/s/zweck", "/f/meldebescheinigung/summary"] {
        assert_eq!(b.get(path).await.location.as_deref(), Some("/f/meldebescheinigung"), "{path}");
    }
    // An old account cookie replayed after the logout is nobody.
    let mut replay = Browser::new(app(state.clone()));
    replay.cookies.insert("ww_account".into(), "0123456789abcdef0123456789abcdef".into());
    assert_eq!(replay.get(MELDE).await.location.as_deref(), Some("/f/meldebescheinigung"));
}

#[tokio::test]
async fn another_account_in_the_same_browser_cannot_read_or_resume_the_draft() {
    let (_node, issuer) = real_provider();
    let state = state_for(&issuer, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    login(&mut b, &mut p, "anna", MELDE).await;
    let page = b.get(MELDE).await;
    // Anna saves and gets a resume link.
    let mut save = post_fields(&page.csrf(), ANNA);
    save.push(("_action".into(), "save".into()));
    let saved = b.post(MELDE, &save).await;
    let link = between(&saved.body, "/resume/", "<").or_else(|| between(&saved.body, "/resume/", "\"")).expect("a resume link");
    let link = format!("/resume/{}", &link[..32]);
    b.post("/logout", &post_fields(&page.csrf(), &[])).await;

    // Ben logs in in the same browser: his own data, not Anna's draft.
    let mut p = AtProvider::new();
    login(&mut b, &mut p, "ben", MELDE).await;
    let ben = b.get(MELDE).await;
    assert_eq!(field_value(&ben.body, "familienname"), "Muster");
    assert_eq!(field_value(&ben.body, "geburtsdatum"), "03.11.1990");
    assert_eq!(field_value(&ben.body, "vorname"), "Ben");
    // Nor can Ben take over Anna's draft with her link.
    let ask = b.get(&link).await;
    assert_eq!(ask.status, StatusCode::OK);
    let taken = b.post(&link, &post_fields(&ask.csrf(), &[])).await;
    assert_eq!(taken.status, StatusCode::FORBIDDEN);
    // An anonymous browser neither.
    let mut anon = Browser::new(app(state.clone()));
    let ask = anon.get(&link).await;
    assert_eq!(anon.post(&link, &post_fields(&ask.csrf(), &[])).await.status, StatusCode::FORBIDDEN);
    // Anna, logged in on another browser, can: the link still works.
    let mut b2 = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    login(&mut b2, &mut p, "anna", "/").await;
    let ask = b2.get(&link).await;
    let resumed = b2.post(&link, &post_fields(&ask.csrf(), &[])).await;
    assert_eq!(resumed.location.as_deref(), Some("/f/meldebescheinigung/s/zweck"), "{}", resumed.body);
}

#[tokio::test]
async fn a_login_below_the_forms_trust_level_gets_a_page_that_says_what_is_needed() {
    let (_node, issuer) = real_provider();
    let state = state_for(&issuer, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    // Ben's ELSTER login is substantiell: enough for the Meldebescheinigung, not for the
    // Waffenschein (hoch).
    login(&mut b, &mut p, "ben", "/f/waffenschein/s/person").await;
    assert_eq!(b.get(MELDE).await.status, StatusCode::OK);
    for path in ["/f/waffenschein", "/f/waffenschein/s/person", "/f/waffenschein/summary"] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("Eine sicherere Anmeldung ist nötig"), "{}", page.body);
        assert!(page.body.contains("„hoch“ (Online-Ausweis)") && page.body.contains("„substantiell“"), "{}", page.body);
        assert!(page.body.contains("Online-Ausweis"));
    }
    let page = b.get("/f/waffenschein/s/person").await;
    let post = b.post("/f/waffenschein/s/person", &post_fields(&page.csrf(), &[("familienname", "Muster")])).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    // Anna's eID login (hoch) may.
    let mut a = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    login(&mut a, &mut p, "anna", "/f/waffenschein/s/person").await;
    assert_eq!(a.get("/f/waffenschein/s/person").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_account_session_expires_after_its_idle_time() {
    let (_node, issuer) = real_provider();
    let state = state_for(&issuer, Duration::from_secs(2)).await;
    let mut b = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    login(&mut b, &mut p, "anna", MELDE).await;
    assert_eq!(b.get(MELDE).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let page = b.get(MELDE).await;
    assert_eq!(page.location.as_deref(), Some("/f/meldebescheinigung"));
    assert_eq!(state.store.account_session_count().await.unwrap(), 0, "the expired session is deleted");
}

#[tokio::test]
async fn an_optional_login_is_offered_and_a_form_without_login_ignores_the_account() {
    let (_node, issuer) = real_provider();
    let state = state_for(&issuer, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    let start = b.get("/f/hundeanmeldung").await;
    assert!(start.body.contains("Mit BundID / Servicekonto anmelden") && start.body.contains("Jetzt starten"));
    // Without a login the form is filled in as before.
    let page = b.get("/f/hundeanmeldung/s/halter").await;
    assert_eq!(field_value(&page.body, "name"), "");
    let mut p = AtProvider::new();
    login(&mut b, &mut p, "ben", "/f/hundeanmeldung/s/halter").await;
    let page = b.get("/f/hundeanmeldung/s/halter").await;
    assert_eq!(field_value(&page.body, "name"), "Muster");
    // Not locked: the citizen may change it.
    let post = b.post("/f/hundeanmeldung/s/halter", &post_fields(&page.csrf(), &[("name", "Muster-Schmidt"), ("hund", "Bello")])).await;
    assert_eq!(post.location.as_deref(), Some("/f/hundeanmeldung/summary"));
    assert_eq!(field_value(&b.get("/f/hundeanmeldung/s/halter").await.body, "name"), "Muster-Schmidt");
}

#[tokio::test]
async fn login_sends_only_to_local_pages() {
    let (_node, issuer) = real_provider();
    let state = state_for(&issuer, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    let back = login(&mut b, &mut p, "anna", "https://evil.example/").await;
    assert_eq!(back.location.as_deref(), Some("/"));
}

// ---------------------------------------------------------------------------------------
// A hostile provider.

/// How the hostile provider misbehaves.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bad {
    Nothing,
    Issuer,
    Audience,
    Expired,
    Nonce,
    Unsigned,
    OtherKey,
    /// Hands out the ID token of the previous login again.
    ReplayedToken,
    /// Sends the browser back with another `state`.
    State,
}

struct Hostile {
    base: String,
    bad: Mutex<Bad>,
    key: RsaPrivateKey,
    other: RsaPrivateKey,
    /// Code → nonce of the authorization request.
    codes: Mutex<HashMap<String, String>>,
    last_token: Mutex<Option<String>>,
}

fn key(name: &str) -> RsaPrivateKey {
    let pem = std::fs::read_to_string(root().join(format!("runtime-server/tests/fixtures/oidc/test-key-{name}.pem"))).unwrap();
    RsaPrivateKey::from_pkcs8_pem(&pem).unwrap()
}

/// An RS256 JWS by hand: PKCS#1 v1.5 over the SHA-256 DigestInfo.
fn jws(key: &RsaPrivateKey, header: &Value, claims: &Value) -> String {
    const SHA256_PREFIX: [u8; 19] =
        [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut info = SHA256_PREFIX.to_vec();
    info.extend_from_slice(&Sha256::digest(input.as_bytes()));
    let sig = key.sign(Pkcs1v15Sign::new_unprefixed(), &info).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// A JSON answer (axum's `Json` is not built: the server needs no JSON extractor).
fn json_body(v: Value) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

async fn discovery(State(h): State<Arc<Hostile>>) -> Response {
    json_body(json!({
        "issuer": h.base,
        "authorization_endpoint": format!("{}/auth", h.base),
        "token_endpoint": format!("{}/token", h.base),
        "jwks_uri": format!("{}/jwks", h.base),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "none"],
    }))
}

async fn jwks(State(h): State<Arc<Hostile>>) -> Response {
    let public = h.key.to_public_key();
    json_body(json!({ "keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1",
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()), "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    }]}))
}

async fn authorize(State(h): State<Arc<Hostile>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let code = wegweiser::server::security::random_hex(16);
    h.codes.lock().unwrap().insert(code.clone(), q["nonce"].clone());
    let state = if *h.bad.lock().unwrap() == Bad::State { "forged-state".to_string() } else { q["state"].clone() };
    Redirect::to(&format!("{}?code={code}&state={state}", q["redirect_uri"])).into_response()
}

async fn token(State(h): State<Arc<Hostile>>, axum::Form(f): axum::Form<HashMap<String, String>>) -> Response {
    let Some(nonce) = h.codes.lock().unwrap().remove(&f["code"]) else {
        let mut r = json_body(json!({ "error": "invalid_grant" }));
        *r.status_mut() = StatusCode::BAD_REQUEST;
        return r;
    };
    let bad = *h.bad.lock().unwrap();
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": h.base, "aud": "wegweiser", "sub": "mallory", "iat": now, "exp": now + 300, "nonce": nonce,
        "acr": "STORK-QAA-Level-4", "family_name": "Mallory",
    });
    match bad {
        Bad::Issuer => claims["iss"] = json!("http://127.0.0.1:1"),
        Bad::Audience => claims["aud"] = json!("another-client"),
        Bad::Expired => {
            claims["iat"] = json!(now - 900);
            claims["exp"] = json!(now - 600);
        }
        Bad::Nonce => claims["nonce"] = json!("not-the-nonce"),
        _ => {}
    }
    let header = json!({ "alg": "RS256", "kid": "k1", "typ": "JWT" });
    let id_token = match bad {
        Bad::Unsigned => {
            let h = json!({ "alg": "none", "typ": "JWT" });
            format!("{}.{}.", URL_SAFE_NO_PAD.encode(h.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()))
        }
        Bad::OtherKey => jws(&h.other, &header, &claims),
        Bad::ReplayedToken => h.last_token.lock().unwrap().clone().expect("an earlier login"),
        _ => jws(&h.key, &header, &claims),
    };
    *h.last_token.lock().unwrap() = Some(id_token.clone());
    json_body(json!({ "access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token }))
}

async fn hostile() -> Arc<Hostile> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let h = Arc::new(Hostile {
        base,
        bad: Mutex::new(Bad::Nothing),
        key: key("provider"),
        other: key("other"),
        codes: Mutex::new(HashMap::new()),
        last_token: Mutex::new(None),
    });
    let router = axum::Router::new()
        .route("/.well-known/openid-configuration", axum::routing::get(discovery))
        .route("/jwks", axum::routing::get(jwks))
        .route("/auth", axum::routing::get(authorize))
        .route("/token", axum::routing::post(token))
        .with_state(h.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    h
}

/// A login at the hostile provider (which redirects straight back).
async fn hostile_login(b: &mut Browser, next: &str) -> Page {
    let page = b.get(&format!("/login?next={next}")).await;
    let (_, location, _) = AtProvider::new()
        .send(reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap().get(page.location.unwrap()))
        .await;
    b.get(location.unwrap().strip_prefix(SITE).unwrap()).await
}

/// Logs in at the hostile provider misbehaving as `bad`: refused with the page, and no
/// account session exists.
async fn refused(bad: Bad) {
    let h = hostile().await;
    let state = state_for(&h.base, Duration::from_secs(600)).await;
    if bad == Bad::ReplayedToken {
        // A first, good login gives the token the provider hands out again.
        let mut first = Browser::new(app(state.clone()));
        assert_eq!(hostile_login(&mut first, MELDE).await.location.as_deref(), Some(MELDE));
        sqlx::query("DELETE FROM account_sessions").execute(state.store.pool()).await.unwrap();
    }
    *h.bad.lock().unwrap() = bad;
    let mut b = Browser::new(app(state.clone()));
    let page = hostile_login(&mut b, MELDE).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{bad:?}: {}", page.body);
    assert!(page.body.contains("Die Anmeldung hat nicht geklappt"), "{bad:?}");
    assert!(!b.cookies.contains_key("ww_account"), "{bad:?}: no account cookie");
    assert_eq!(state.store.account_session_count().await.unwrap(), 0, "{bad:?}: no account session");
    assert_eq!(b.get(MELDE).await.location.as_deref(), Some("/f/meldebescheinigung"), "{bad:?}: not logged in");
}

#[tokio::test]
async fn login_logout_and_a_replayed_callback_on_postgres() {
    // The same statements on PostgreSQL (migration 0005, the attempt taken once with
    // `DELETE … RETURNING`, the account sessions, the draft's account).
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("DATABASE_URL is not set: the PostgreSQL login test is not run (.ci/run sets it)");
        return;
    };
    let (_node, issuer) = real_provider();
    let state = state_on(&url, &issuer, Duration::from_secs(600)).await;
    let sessions = state.store.account_session_count().await.unwrap();
    let mut b = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    login(&mut b, &mut p, "anna", MELDE).await;
    assert_eq!(state.store.account_session_count().await.unwrap(), sessions + 1);
    let page = b.get(MELDE).await;
    assert_eq!(field_value(&page.body, "familienname"), "Beispiel");
    let forged = post_fields(&page.csrf(), &[("familienname", "Fremd")]);
    b.post(MELDE, &forged).await;
    assert_eq!(field_value(&b.get(MELDE).await.body, "familienname"), "Beispiel");
    let draft: (Option<String>,) =
        sqlx::query_as("SELECT account_subject FROM drafts WHERE account_issuer = $1 ORDER BY created_at DESC LIMIT 1")
            .bind(&issuer)
            .fetch_one(state.store.pool())
            .await
            .unwrap();
    assert_eq!(draft.0.as_deref(), Some("anna"));
    b.post("/logout", &post_fields(&page.csrf(), &[])).await;
    assert_eq!(state.store.account_session_count().await.unwrap(), sessions);

    let h = hostile().await;
    let state = state_on(&url, &h.base, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    let page = b.get(&format!("/login?next={MELDE}")).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let (_, location, _) = AtProvider::new().send(http.get(page.location.unwrap())).await;
    let callback = location.unwrap().strip_prefix(SITE).unwrap().to_string();
    assert_eq!(b.get(&callback).await.location.as_deref(), Some(MELDE));
    assert_eq!(b.get(&callback).await.status, StatusCode::FORBIDDEN);
    assert_eq!(state.store.account_session_count().await.unwrap(), sessions + 1);
}

#[tokio::test]
async fn the_hostile_provider_logs_in_when_it_behaves() {
    // The control: without misbehaving, the same provider's login works (so each refusal
    // below is the refusal of its one fault).
    let h = hostile().await;
    let state = state_for(&h.base, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    assert_eq!(hostile_login(&mut b, MELDE).await.location.as_deref(), Some(MELDE));
    assert_eq!(field_value(&b.get(MELDE).await.body, "familienname"), "Mallory");
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    refused(Bad::Issuer).await;
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    refused(Bad::Audience).await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    refused(Bad::Expired).await;
}

#[tokio::test]
async fn a_token_with_another_nonce_is_refused() {
    refused(Bad::Nonce).await;
}

#[tokio::test]
async fn an_unsigned_token_is_refused() {
    refused(Bad::Unsigned).await;
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    refused(Bad::OtherKey).await;
}

#[tokio::test]
async fn a_replayed_token_is_refused() {
    refused(Bad::ReplayedToken).await;
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused() {
    refused(Bad::State).await;
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let h = hostile().await;
    let state = state_for(&h.base, Duration::from_secs(600)).await;
    let mut b = Browser::new(app(state.clone()));
    let page = b.get(&format!("/login?next={MELDE}")).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let (_, location, _) = AtProvider::new().send(http.get(page.location.unwrap())).await;
    let callback = location.unwrap().strip_prefix(SITE).unwrap().to_string();
    assert_eq!(b.get(&callback).await.location.as_deref(), Some(MELDE));
    assert_eq!(state.store.account_session_count().await.unwrap(), 1);
    // The same callback again (in this browser, or in an attacker's): the state is spent.
    let again = b.get(&callback).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    let mut other = Browser::new(app(state.clone()));
    assert_eq!(other.get(&callback).await.status, StatusCode::FORBIDDEN);
    assert_eq!(state.store.account_session_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_callback_in_another_browser_is_refused() {
    // The login started in one browser; its callback URL opened in another (a link an
    // attacker makes a victim open, to log them in as the attacker) is refused.
    let h = hostile().await;
    let state = state_for(&h.base, Duration::from_secs(600)).await;
    let mut attacker = Browser::new(app(state.clone()));
    let page = attacker.get(&format!("/login?next={MELDE}")).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let (_, location, _) = AtProvider::new().send(http.get(page.location.unwrap())).await;
    let mut victim = Browser::new(app(state.clone()));
    let page = victim.get(location.unwrap().strip_prefix(SITE).unwrap()).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(state.store.account_session_count().await.unwrap(), 0);
}

#[tokio::test]
async fn without_an_identity_provider_nothing_changes_and_a_required_form_is_refused() {
    // The routes do not exist for citizens, an optional form offers no login.
    let store = Store::connect(&common::sqlite_url()).await.unwrap();
    let state = AppState::new(login_forms(), store, common::config());
    let mut b = Browser::new(app(state));
    assert_eq!(b.get("/login?next=/").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/login/callback?code=x&state=y").await.status, StatusCode::NOT_FOUND);
    let start = b.get("/f/hundeanmeldung").await;
    assert!(!start.body.contains("/login"), "{}", start.body);
    assert!(!b.cookies.contains_key("ww_account"));
    // `serve` refuses forms that need a login.
    let out = Command::new(env!("CARGO_BIN_EXE_wegweiser"))
        .args(["serve", "--forms", "tests/fixtures/login", "--addr", "127.0.0.1:0", "--database", &common::sqlite_url()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("form `meldebescheinigung` needs a login") && err.contains("--oidc-issuer"), "{err}");
}

/// The login forms offered by one authority, `kreis` (docs/authorities.md), with a provider:
/// every form is then served only under `/kreis/f/{form}`.
async fn kreis_with_login(issuer: &str) -> AppState {
    let _ = tracing_subscriber::fmt().with_env_filter("wegweiser=info").with_test_writer().try_init();
    let forms = login_forms();
    let source = "name: Kreis Beispiel\n\
                  address: { street: Markt 1, postcode: \"54290\", city: Trier }\n\
                  colours: { primary: \"#1d4f91\", on_primary: \"#ffffff\" }\n\
                  forms:\n  meldebescheinigung: {}\n  waffenschein: {}\n";
    let (authority, diags) = engine::authority::read_authority("kreis", source, &forms.iter().collect::<Vec<_>>());
    assert!(diags.is_empty(), "{diags:?}");
    let tenant = wegweiser::server::tenant::Tenant::load(&root(), authority.unwrap()).unwrap();
    let store = Store::connect(&common::sqlite_url()).await.unwrap();
    let oidc = Oidc::discover(settings(issuer, Duration::from_secs(600)), account::wanted_attributes(&forms)).await.expect("discovery");
    let config = Config { today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22), ..common::config() };
    AppState::build(forms, vec![tenant], store, config, Some(oidc))
}

#[tokio::test]
async fn under_an_authority_the_login_comes_back_to_its_address_and_the_draft_is_the_accounts_and_the_authoritys() {
    const STEP: &str = "/kreis/f/meldebescheinigung/s/person";
    let (_node, issuer) = real_provider();
    let state = kreis_with_login(&issuer).await;
    let mut b = Browser::new(app(state.clone()));
    // The form is the authority's: not served unprefixed; without a login its steps send
    // back to the authority's start page, which offers the login with the way back to it.
    assert_eq!(b.get("/f/meldebescheinigung").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get(STEP).await.location.as_deref(), Some("/kreis/f/meldebescheinigung"));
    let start = b.get("/kreis/f/meldebescheinigung").await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(start.body.contains("href=\"/login?next=%2Fkreis%2Ff%2Fmeldebescheinigung%2Fs%2Fperson\""), "{}", start.body);
    assert!(start.body.contains("/kreis/brand.css"), "in the authority's branding");

    let mut p = AtProvider::new();
    let back = login(&mut b, &mut p, "anna", STEP).await;
    assert_eq!((back.status, back.location.as_deref()), (StatusCode::SEE_OTHER, Some(STEP)), "{}", back.body);
    let page = b.get(STEP).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(field_value(&page.body, "familienname"), "Beispiel", "prefilled from the account");
    let mut save = post_fields(&page.csrf(), ANNA);
    save.push(("_action".into(), "save".into()));
    let saved = b.post(STEP, &save).await;
    let token = between(&saved.body, "/kreis/resume/", "<").or_else(|| between(&saved.body, "/kreis/resume/", "\"")).expect("a link");
    let link = format!("/kreis/resume/{}", &token[..32]);
    // The draft is stored under the authority, with the account.
    let row: (String, Option<String>) =
        sqlx::query_as("SELECT authority, account_subject FROM drafts").fetch_one(state.store.pool()).await.unwrap();
    assert_eq!(row, ("kreis".to_string(), Some("anna".to_string())));

    // Another browser: the link works for Anna under the authority's address only.
    let mut other = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    login(&mut other, &mut p, "anna", STEP).await;
    let unprefixed = other.get(&format!("/resume/{}", &token[..32])).await;
    assert_eq!(unprefixed.status, StatusCode::NOT_FOUND);
    let ask = other.get(&link).await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    let moved = other.post(&link, &post_fields(&ask.csrf(), &[])).await;
    assert_eq!(moved.location.as_deref(), Some("/kreis/f/meldebescheinigung/s/zweck"), "{}", moved.body);
    let zweck = other.get("/kreis/f/meldebescheinigung/s/zweck").await;
    let done =
        other.post("/kreis/f/meldebescheinigung/s/zweck", &post_fields(&zweck.csrf(), &[("zweck", "Wohnungsgeberbestätigung")])).await;
    assert_eq!(done.location.as_deref(), Some("/kreis/f/meldebescheinigung/summary"));
    let summary = other.get("/kreis/f/meldebescheinigung/summary").await;
    let submit = other.post("/kreis/f/meldebescheinigung/submit", &post_fields(&summary.csrf(), &[])).await;
    assert_eq!(submit.location.as_deref(), Some("/kreis/f/meldebescheinigung/confirmation"), "{}", submit.body);
    assert_eq!(other.get("/kreis/f/meldebescheinigung/confirmation").await.status, StatusCode::OK);
    let subs = state.store.submissions().await.unwrap();
    let doc: Value = serde_json::from_str(&subs[0].document).unwrap();
    assert_eq!((doc["authority"]["id"].as_str(), doc["account"]["trust"].as_str()), (Some("kreis"), Some("hoch")));
    assert_eq!(doc["data"]["familienname"], "Beispiel");

    // Ben's login is below the Waffenschein's level: the page says so, in the authority's
    // branding.
    let mut ben = Browser::new(app(state.clone()));
    let mut p = AtProvider::new();
    login(&mut ben, &mut p, "ben", "/kreis/f/waffenschein/s/person").await;
    let low = ben.get("/kreis/f/waffenschein/s/person").await;
    assert_eq!(low.status, StatusCode::FORBIDDEN);
    assert!(low.body.contains("/kreis/brand.css"), "{}", low.body);
}
