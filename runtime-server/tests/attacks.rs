//! The server's bounds and its security checks, each tried the way an attacker would
//! (issue #9, parts B and C): huge answers, too many uploads and entries, guessing
//! resume links and the admin token, files that lie about their type, CR/LF in answers
//! and file names, open redirects, framing. See `docs/security.md` for the threat model.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use sqlx::Row;
use wegweiser::server::{self, AppState, Config, Limits, app};

async fn probe_state(config: Config) -> AppState {
    state_with(&sqlite_url(), vec![probe()], config).await
}

async fn count(state: &AppState, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(state.store.pool()).await.unwrap().get(0)
}

// ---- B. Bounds ------------------------------------------------------------------------

#[tokio::test]
async fn a_one_megabyte_answer_is_refused_with_a_field_error_and_never_stored() {
    let state = probe_state(config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    let huge = "x".repeat(1_000_000);
    let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), huge.clone())]).await;
    assert_eq!(r.status, StatusCode::OK, "shown again with the error");
    assert!(r.body.contains("Die Eingabe ist zu lang: erlaubt sind höchstens 10000 Zeichen."), "{}", error_summary(&r.body));
    assert!(r.body.contains("href=\"#name\""));
    assert!(!r.body.contains(&huge[..20_000]), "not echoed back either");
    let longest = count(&state, "SELECT COALESCE(MAX(LENGTH(snapshot)), 0) FROM drafts").await;
    assert!(longest < 10_000, "the draft holds no megabyte: {longest}");
    // In a repeated group's member too, and in any language.
    let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("_action".into(), "add:eintrag".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = b.post(STEP1, &[("_csrf".into(), csrf), ("name".into(), "Erika".into()), ("eintrag.0.wert".into(), huge)]).await;
    assert!(r.body.contains("href=\"#eintrag.0.wert\""), "{}", error_summary(&r.body));
    let longest = count(&state, "SELECT COALESCE(MAX(LENGTH(snapshot)), 0) FROM drafts").await;
    assert!(longest < 10_000, "{longest}");
}

#[tokio::test]
async fn uploads_are_bounded_per_field_and_per_request() {
    let limits = Limits { max_uploads: 3, ..Limits::default() };
    let state = probe_state(Config { limits, ..config() }).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    let fields = [("_csrf".to_string(), csrf.clone()), ("name".to_string(), "Erika".to_string())];
    // More file parts than allowed in one post: 413 with a page, nothing stored.
    let many: Vec<_> = (0..4).map(|i| (format!("f{i}"), format!("{i}.pdf"), pdf(100))).collect();
    let r = b.post_multipart(STEP1, &fields, &many).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("Die Anfrage ist zu groß"), "{}", r.body);
    // Two files for one field: refused, not one silently kept.
    let twice = [("nachweis".to_string(), "a.pdf".to_string(), pdf(100)), ("nachweis".to_string(), "b.pdf".to_string(), pdf(100))];
    let r = b.post_multipart(STEP1, &fields, &twice).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A file over the field's `max_size` (1 MB): a field error, and it is not stored.
    let r = b.post_multipart(STEP1, &fields, &[("nachweis".into(), "gross.pdf".into(), pdf(1_100_000))]).await;
    assert_eq!(r.status, StatusCode::OK, "shown again with the error");
    assert!(r.body.contains("href=\"#nachweis\""), "{}", error_summary(&r.body));
    assert_eq!(count(&state, "SELECT COUNT(*) FROM files").await, 0);
    // A file that fits is stored once; a replacement replaces it.
    let r = b.post_multipart(STEP1, &fields, &[("nachweis".into(), "a.pdf".into(), pdf(1000))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", error_summary(&r.body));
    let csrf = b.get(STEP1).await.csrf();
    let fields = [("_csrf".to_string(), csrf), ("name".to_string(), "Erika".to_string())];
    let r = b.post_multipart(STEP1, &fields, &[("nachweis".into(), "b.pdf".into(), pdf(2000))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&state, "SELECT COUNT(*) FROM files").await, 1);
    assert_eq!(count(&state, "SELECT SUM(size) FROM files").await, 2000);
}

#[tokio::test]
async fn too_many_fields_in_one_post_is_413_in_either_encoding() {
    let limits = Limits { max_parts: 10, ..Limits::default() };
    let state = probe_state(Config { limits, ..config() }).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    let mut fields = vec![("_csrf".to_string(), csrf.clone()), ("name".to_string(), "Erika".to_string())];
    fields.extend((0..9).map(|i| (format!("x{i}"), "a".to_string())));
    let r = b.post(STEP1, &fields).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("Die Anfrage ist zu groß"));
    let r = b.post_multipart(STEP1, &fields, &[]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&state, "SELECT COUNT(*) FROM drafts").await, 0, "nothing was stored");
    // Within the limit, the same post goes through.
    fields.truncate(10);
    let r = b.post(STEP1, &fields).await;
    assert_eq!(r.location.as_deref(), Some(STEP2), "{}", error_summary(&r.body));
}

#[tokio::test]
async fn the_request_body_is_bounded_for_multipart_posts_too() {
    let state = probe_state(Config { max_body: 50_000, ..config() }).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    let fields = [("_csrf".to_string(), csrf), ("name".to_string(), "Erika".to_string())];
    let r = b.post_multipart(STEP1, &fields, &[("nachweis".into(), "a.pdf".into(), pdf(200_000))]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("Die Anfrage ist zu groß"), "a page, not a bare status: {}", r.body);
    assert_eq!(count(&state, "SELECT COUNT(*) FROM files").await, 0);
}

#[tokio::test]
async fn group_entries_stop_at_the_forms_max_and_at_the_engines_max_entries() {
    // The probe allows 3 entries; a crafted client asks for 10.
    let state = probe_state(config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    for _ in 0..10 {
        let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("_action".into(), "add:eintrag".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let page = b.get(STEP1).await;
    assert_eq!(page.body.matches("name=\"eintrag.").count(), 3, "three entries, not ten");
    // Answers for entries that do not exist are never read.
    let r =
        b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika".into()), ("eintrag.150.wert".into(), "x".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let snap: String = sqlx::query("SELECT snapshot FROM drafts").fetch_one(state.store.pool()).await.unwrap().get(0);
    assert!(!snap.contains("eintrag.150"), "{snap}");

    // Without a `max`, the engine's MAX_ENTRIES (200) bounds the entries.
    let unbounded = engine::compile(&PROBE.replace("          max: 3\n", "")).form.expect("compiles without max");
    let state = state_with(&sqlite_url(), vec![unbounded], config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    for _ in 0..(engine::session::MAX_ENTRIES + 10) {
        let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("_action".into(), "add:eintrag".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let page = b.get(STEP1).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("name=\"eintrag.").count() as u32, engine::session::MAX_ENTRIES);
}

// ---- C. Security ----------------------------------------------------------------------

/// Saves the probe's first step for later; returns the resume link's token.
async fn resume_token(b: &mut Browser) -> String {
    let csrf = b.get(STEP1).await.csrf();
    let saved = b.post(STEP1, &[("_csrf".into(), csrf), ("_action".into(), "save".into()), ("name".into(), "Erika".into())]).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", error_summary(&saved.body));
    let link = between(&saved.body, "class=\"resume-link\"><a href=\"", "\"").expect("a resume link");
    link.strip_prefix("/resume/").unwrap().to_string()
}

#[tokio::test]
async fn issued_tokens_are_128_random_bits_and_only_their_hash_is_stored() {
    let state = probe_state(config()).await;
    let mut tokens = Vec::new();
    for _ in 0..40 {
        let mut b = Browser::new(app(state.clone()));
        let t = resume_token(&mut b).await;
        // The cookie is `{id}.{tag}`: the id is the token, the tag the server's HMAC of it.
        let session = b.cookies["ww_session"].split_once('.').expect("a tagged session cookie").0.to_string();
        for t in [&t, &session] {
            assert_eq!(t.len(), 32, "128 bits as hex: {t}");
            assert!(t.bytes().all(|c| c.is_ascii_hexdigit()));
        }
        tokens.push(t);
        tokens.push(session);
    }
    let mut distinct = tokens.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), tokens.len(), "no token is issued twice");
    // Roughly half of all bits are set (a counter or a timestamp would not be).
    let ones: u32 = tokens.iter().map(|t| hex::decode(t).unwrap().iter().map(|b| b.count_ones()).sum::<u32>()).sum();
    let share = f64::from(ones) / (tokens.len() as f64 * 128.0);
    assert!((0.45..0.55).contains(&share), "share of set bits {share}");
    // The database holds hashes, never a token.
    let rows = sqlx::query("SELECT resume_hash, session_hash FROM drafts").fetch_all(state.store.pool()).await.unwrap();
    let stored: Vec<String> = rows.iter().flat_map(|r| [r.get::<String, _>(0), r.get::<String, _>(1)]).collect();
    for t in &tokens {
        assert!(!stored.contains(t), "a token in the database");
    }
    assert!(stored.contains(&server::security::sha256_hex(&tokens[0])));
}

#[tokio::test]
async fn guessing_resume_links_is_rate_limited_per_client() {
    let state = probe_state(Config { failed_lookups_per_minute: 5, ..config() }).await;
    let mut owner = Browser::from(app(state.clone()), "198.51.100.1");
    let token = resume_token(&mut owner).await;

    let mut guesser = Browser::from(app(state.clone()), "203.0.113.66");
    for i in 0..5 {
        let guess = format!("{i:032x}");
        let r = guesser.get(&format!("/resume/{guess}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "guess {i}");
        assert!(r.body.contains("Der Link ist ungültig oder abgelaufen"));
    }
    let r = guesser.get("/resume/0123456789abcdef0123456789abcdef").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Zu viele Versuche"), "a plain page: {}", r.body);
    assert_eq!(r.headers["retry-after"], "60");
    // Even the right token does not help the guesser now (no lookup is made at all).
    let r = guesser.get(&format!("/resume/{token}")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Malformed tokens count as failures too and never reach the database.
    let mut other = Browser::from(app(state.clone()), "203.0.113.67");
    for _ in 0..5 {
        assert_eq!(other.get("/resume/'%20OR%201=1--").await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(other.get("/resume/x").await.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client (the citizen on their phone) is not affected.
    let mut phone = Browser::from(app(state), "198.51.100.2");
    let r = phone.get(&format!("/resume/{token}")).await;
    assert_eq!(r.location.as_deref(), Some(STEP2), "the real link still works from another address");
}

#[tokio::test]
async fn behind_a_proxy_the_configured_header_names_the_client() {
    let config = Config { failed_lookups_per_minute: 2, client_ip_header: Some("x-forwarded-for".into()), ..config() };
    let state = probe_state(config).await;
    // All requests come from the proxy's address; the header tells the clients apart.
    let mut b = Browser::from(app(state), "10.0.0.1");
    for _ in 0..2 {
        assert_eq!(b.get_with("/resume/00", "x-forwarded-for", "203.0.113.5").await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(b.get_with("/resume/00", "x-forwarded-for", "203.0.113.5").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b.get_with("/resume/00", "x-forwarded-for", "203.0.113.6").await.status, StatusCode::NOT_FOUND);
}

async fn api(app: &Router, ip: &str, path: &str, auth: Option<&str>) -> (StatusCode, String) {
    let mut b = Browser::from(app.clone(), ip);
    let mut req = Request::get(path);
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    let p = b.send(req.body(Body::empty()).unwrap()).await;
    (p.status, p.body)
}

#[tokio::test]
async fn reference_numbers_and_wrong_admin_tokens_read_nothing_and_guessing_is_limited() {
    let state = probe_state(Config { failed_lookups_per_minute: 6, ..config() }).await;
    let mut citizen = Browser::new(app(state.clone()));
    let r = submit_probe(&mut citizen).await;
    assert_eq!(r.location.as_deref(), Some("/f/probe/confirmation"));
    let conf = citizen.get("/f/probe/confirmation").await;
    let reference = between(&conf.body, "class=\"reference\">", "<").unwrap();
    let app = app(state.clone());
    let one = format!("/api/v1/submissions/{reference}");

    // Knowing the reference number reads nothing: not through the API without the right
    // token (missing, wrong of equal length, a prefix, the token with something appended),
    // not through the confirmation page of another browser, not as a resume link.
    for auth in [None, Some("Bearer admin-secreT"), Some("Bearer admin-"), Some("Bearer admin-secret-"), Some("admin-secret")] {
        let (status, body) = api(&app, "203.0.113.10", &one, auth).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(!body.contains("Erika") && !body.contains(&reference), "{auth:?}: {body}");
    }
    let mut stranger = Browser::new(app.clone());
    let p = stranger.get("/f/probe/confirmation").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "no confirmation without the session");
    assert_eq!(stranger.get(&format!("/resume/{reference}")).await.status, StatusCode::NOT_FOUND);

    // Six failures from that client: the seventh attempt is 429, even with the right token.
    let (status, _) = api(&app, "203.0.113.10", &one, Some("Bearer wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = api(&app, "203.0.113.10", &one, Some("Bearer admin-secret")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = api(&app, "203.0.113.10", "/api/v1/submissions", Some("Bearer admin-secret")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The operator, from elsewhere, reads it.
    let (status, body) = api(&app, "192.0.2.50", &one, Some("Bearer admin-secret")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&reference));
}

#[tokio::test]
async fn the_admin_token_is_compared_in_constant_time() {
    // The comparison the API uses: digests of both sides compared with `subtle`.
    use wegweiser::server::security::ct_eq;
    assert!(ct_eq("admin-secret", "admin-secret"));
    for wrong in ["admin-secreT", "Admin-secret", "admin-", "", "admin-secret\0", "admin-secretadmin-secret"] {
        assert!(!ct_eq(wrong, "admin-secret"), "{wrong:?}");
    }
    let src = include_str!("../src/server/api.rs");
    let authorised = src.split("fn authorised").nth(1).unwrap().split("\n}").next().unwrap();
    assert!(authorised.contains("ct_eq(given, expected)"), "the API compares through ct_eq: {authorised}");
    assert!(!authorised.contains("=="), "and nothing else: {authorised}");
}

#[tokio::test]
async fn uploads_whose_content_does_not_match_their_name_are_refused_and_never_served() {
    let state = probe_state(config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    let fields = [("_csrf".to_string(), csrf), ("name".to_string(), "Erika".to_string())];
    let zip = {
        // A zip archive (a "bomb" would be one whose entries inflate to gigabytes).
        let mut z = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
        z.resize(512, 0);
        z
    };
    let lies: [(&str, Vec<u8>); 5] = [
        ("bescheid.pdf", b"#!/bin/sh\nrm -rf / --no-preserve-root\n".to_vec()),
        ("bescheid.pdf", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec()),
        ("bild.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec()),
        ("bild.svg", b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec()),
        ("archiv.pdf", zip),
    ];
    for (name, content) in lies {
        let r = b.post_multipart(STEP1, &fields, &[("nachweis".into(), name.into(), content)]).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: refused, shown again");
        assert!(r.body.contains("href=\"#nachweis\""), "{name}: {}", error_summary(&r.body));
        assert_eq!(count(&state, "SELECT COUNT(*) FROM files").await, 0, "{name}: not stored");
    }
    // No bundled form accepts a type that a browser would run or that inflates: SVG,
    // HTML, archives.
    for name in ["bewohnerparkausweis", "gewerbeanmeldung", "hundesteuer", "kita-anmeldung", "sondernutzung"] {
        let form = compile(name);
        for f in &form.fields {
            for a in &f.accept {
                assert!(!a.contains("svg") && !a.contains("html") && !a.contains("zip") && a != "*/*", "{name}: {} accepts {a}", f.id);
            }
        }
    }
    // And the server has no route that serves an upload back (so nothing is ever served
    // inline from citizens' files); the admin API returns documents, not files.
    let src = include_str!("../src/server/mod.rs");
    let routes: Vec<&str> = src.lines().filter(|l| l.trim_start().starts_with(".route(")).collect();
    assert!(!routes.is_empty());
    // (`/assets/…/{file}` serves the built-in stylesheet and the browser module only.)
    assert!(routes.iter().all(|r| !r.contains("file") || r.contains("\"/assets/")), "{routes:?}");
}

#[tokio::test]
async fn crlf_in_answers_and_file_names_never_becomes_a_header() {
    use std::sync::{Arc, Mutex};
    // A webhook receiver that records every header it gets.
    // (headers, body) of every delivery.
    type Seen = Arc<Mutex<Vec<(axum::http::HeaderMap, Vec<u8>)>>>;
    let seen: Seen = Arc::default();
    let seen2 = seen.clone();
    let receiver = Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let seen = seen2.clone();
            async move {
                seen.lock().unwrap().push((headers, body.to_vec()));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let mut form = probe();
    form.submission.webhook = Some(engine::form::Webhook { url: format!("http://{addr}/hook"), secret_env: None });
    let state = state_with(&sqlite_url(), vec![form], config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    let evil = "Erika\r\nX-Injected: 1\r\n\r\n<html>";
    let boundary = "----b";
    // A file name with CR LF cannot even be posted as such: the part's header ends there.
    let mut body = Vec::new();
    for (k, v) in [("_csrf", csrf.as_str()), ("name", "Erika")] {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"nachweis\"; filename=\"x.pdf\r\nX-Injected: 1\"\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&pdf(100));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = b.post_raw_multipart(STEP1, boundary, body).await;
    assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!r.headers.contains_key("x-injected"));
    // An answer with CR LF, and a file name with a tab (a control character a multipart
    // header may carry).
    let mut body = Vec::new();
    for (k, v) in [("_csrf", csrf.as_str()), ("name", evil)] {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"nachweis\"; filename=\"a\tb.pdf\"\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(&pdf(100));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = b.post_raw_multipart(STEP1, boundary, body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", error_summary(&r.body));
    assert!(!r.headers.contains_key("x-injected"));
    let name: String = sqlx::query("SELECT name FROM files").fetch_one(state.store.pool()).await.unwrap().get(0);
    assert_eq!(name, "a_b.pdf", "control characters never leave the server");

    let csrf = b.get(STEP2).await.csrf();
    let r = b.post(STEP2, &[("_csrf".into(), csrf.clone()), ("richtig".into(), "true".into())]).await;
    assert_eq!(r.location.as_deref(), Some("/f/probe/summary"));
    let summary = b.get("/f/probe/summary").await;
    assert!(!summary.body.contains("<html>") && summary.body.contains("&lt;html&gt;"), "escaped in the page");
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    let r = b.post("/f/probe/submit", &[("_csrf".into(), csrf), ("_idempotency".into(), idem)]).await;
    assert_eq!(r.location.as_deref(), Some("/f/probe/confirmation"));
    assert!(!r.headers.contains_key("x-injected"));
    assert_eq!(server::outbox::deliver_due(&state).await, 1);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (headers, body) = &seen[0];
    assert!(!headers.contains_key("x-injected"), "the webhook's headers are the server's own: {headers:?}");
    let doc: serde_json::Value = serde_json::from_slice(body).expect("the body is one JSON document");
    assert_eq!(doc["data"]["name"], evil, "the answer travels intact, as JSON string data");
}

#[tokio::test]
async fn redirect_parameters_never_lead_off_site() {
    let state = probe_state(config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = answer_step1(&mut b).await;
    let evil = ["https://evil.example/", "//evil.example", "/\\evil.example", "https:evil.example", "%2F%2Fevil.example"];
    let pages = ["/", "/f/probe", STEP1, STEP2, "/f/probe/summary", "/f/probe/confirmation", "/resume/00"];
    for page in pages {
        for e in evil {
            for param in ["next", "return", "return_to", "redirect", "lang"] {
                let p = b.get(&format!("{page}?{param}={e}")).await;
                if let Some(loc) = &p.location {
                    assert!(loc.starts_with('/') && !loc.starts_with("//") && !loc.starts_with("/\\"), "{page}?{param}={e} → {loc}");
                }
                assert!(!p.body.contains("evil.example"), "{page}?{param}={e} echoed the target");
            }
        }
    }
    // Posted actions and redirect fields are not followed either.
    for e in evil {
        for (k, v) in [("_action", format!("add:{e}")), ("_action", format!("remove:{e}.0")), ("next", e.to_string())] {
            let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika".into()), (k.into(), v.clone())]).await;
            let loc = r.location.unwrap_or_default();
            assert!(loc.is_empty() || (loc.starts_with('/') && !loc.starts_with("//")), "{k}={v} → {loc}");
            assert!(!loc.contains("evil"), "{k}={v} → {loc}");
        }
    }
    // CR LF in an action is neither reflected into `Location` nor a 500 (axum answers an
    // invalid `Location` with 500).
    let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("_action".into(), "add:eintrag\r\nX-Injected: 1".into())]).await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some(STEP1)));
    assert!(!r.headers.contains_key("x-injected"));
    // A path that looks like a host is a page of this site (404), not a redirect.
    let p = b.get("//evil.example/").await;
    assert!(p.location.is_none() && p.status == StatusCode::NOT_FOUND, "{:?} {:?}", p.status, p.location);
}

/// The framing and sniffing headers of a response.
fn assert_unframeable(p: &Page, what: &str) {
    let csp = p.headers.get("content-security-policy").map(|v| v.to_str().unwrap()).unwrap_or("");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(p.headers.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"), "{what}");
    assert_eq!(p.headers.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
}

#[tokio::test]
async fn every_page_type_forbids_framing() {
    let url = sqlite_url();
    let state = state_with(&url, vec![probe()], Config { max_body: 20_000, failed_lookups_per_minute: 2, ..config() }).await;
    let mut b = Browser::new(app(state.clone()));
    let mut seen = std::collections::BTreeSet::new();
    let mut check = |p: &Page, what: &str| {
        assert_unframeable(p, what);
        seen.insert(p.status.as_u16());
    };
    for uri in ["/", "/f/probe", STEP1, "/nowhere", "/f/nowhere", "/assets/wegweiser.css", "/healthz", "/metrics", "/api/v1/submissions"] {
        let p = b.get(uri).await;
        check(&p, uri);
    }
    let csrf = b.get(STEP1).await.csrf();
    check(&b.post(STEP1, &[("_csrf".into(), csrf.clone())]).await, "step with errors");
    check(&b.post(STEP1, &[("name".into(), "x".into())]).await, "403");
    check(&b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "x".repeat(30_000))]).await, "413");
    check(&b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("_action".into(), "save".into()), ("name".into(), "E".into())]).await, "saved");
    check(&b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika".into())]).await, "303");
    let p = b.post(STEP2, &[("_csrf".into(), csrf.clone()), ("richtig".into(), "true".into())]).await;
    check(&p, "303 to the summary");
    let summary = b.get("/f/probe/summary").await;
    check(&summary, "summary");
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    check(&b.post("/f/probe/submit", &[("_csrf".into(), csrf), ("_idempotency".into(), idem)]).await, "submitted");
    check(&b.get("/f/probe/confirmation").await, "confirmation");
    check(&b.get("/resume/00").await, "resume 404");
    check(&b.get("/resume/00").await, "resume 429");
    // A body that never ends: 408 (a server with a short request timeout on the same database).
    let impatient = state_with(&url, vec![probe()], Config { request_timeout: Duration::from_millis(300), ..config() }).await;
    let mut b = Browser { app: app(impatient.clone()), cookies: b.cookies.clone(), ip: None };
    let never = Body::new(Never);
    let req = Request::post(STEP1)
        .header(header::COOKIE, b.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(never)
        .unwrap();
    check(&b.send(req).await, "408");
    // The database gone: 503.
    impatient.store.pool().close().await;
    check(&b.get(STEP1).await, "503");
    let statuses: Vec<u16> = seen.into_iter().collect();
    assert_eq!(statuses, vec![200, 303, 401, 403, 404, 408, 413, 429, 503], "every kind of answer was checked");
}

/// A request body that never yields a byte (a client that stopped sending).
struct Never;

impl hyper::body::Body for Never {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Pending
    }
}

// ---- Issue #17 ----------------------------------------------------------------------------

#[tokio::test]
async fn new_drafts_are_rate_limited_per_client() {
    let state = probe_state(Config { new_drafts_per_minute: 3, ..config() }).await;
    let start = |ip: &str| Browser::from(app(state.clone()), ip);
    let mut first = start("203.0.113.80");
    answer_step1(&mut first).await;
    for _ in 0..2 {
        answer_step1(&mut start("203.0.113.80")).await;
    }
    assert_eq!(count(&state, "SELECT COUNT(*) FROM drafts").await, 3);
    // The fourth new draft from that address in the minute: 429 with a page, nothing stored.
    let mut fourth = start("203.0.113.80");
    let csrf = fourth.get(STEP1).await.csrf();
    let r = fourth.post(STEP1, &[("_csrf".into(), csrf), ("name".into(), "Erika".into())]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Zu viele Versuche"), "{}", r.body);
    assert_eq!(r.headers["retry-after"], "60");
    assert_eq!(count(&state, "SELECT COUNT(*) FROM drafts").await, 3);
    // Drafts already started go on; another address starts its own.
    let csrf = first.get(STEP2).await.csrf();
    let r = first.post(STEP2, &[("_csrf".into(), csrf), ("richtig".into(), "true".into())]).await;
    assert_eq!(r.location.as_deref(), Some("/f/probe/summary"));
    answer_step1(&mut start("203.0.113.81")).await;
    assert_eq!(count(&state, "SELECT COUNT(*) FROM drafts").await, 4);
}

#[tokio::test]
async fn a_session_id_made_up_by_the_client_is_not_adopted() {
    let state = probe_state(config()).await;
    let made_up = "0123456789abcdef0123456789abcdef".to_string();
    for cookie in [made_up.clone(), format!("{made_up}.{}", "f".repeat(32))] {
        let mut b = Browser::new(app(state.clone()));
        b.cookies.insert("ww_session".into(), cookie.clone());
        let p = b.get(STEP1).await;
        let issued = b.cookies["ww_session"].clone();
        assert!(p.headers.contains_key("set-cookie"), "a fresh session is issued for {cookie}");
        assert_ne!(issued, cookie);
        assert!(!issued.starts_with(&made_up), "{issued}");
        // The draft belongs to the issued session, never to the made-up one.
        answer_step1(&mut b).await;
        let hashes: Vec<String> =
            sqlx::query("SELECT session_hash FROM drafts").fetch_all(state.store.pool()).await.unwrap().iter().map(|r| r.get(0)).collect();
        assert!(!hashes.contains(&server::security::sha256_hex(&made_up)), "{hashes:?}");
        assert!(hashes.contains(&server::security::sha256_hex(issued.split_once('.').unwrap().0)));
    }
    // An issued cookie is kept: no new session on the next request, also on another server
    // of the same database (the key is shared through it).
    let mut b = Browser::new(app(state.clone()));
    answer_step1(&mut b).await;
    let again = b.get(STEP2).await;
    assert!(!again.headers.contains_key("set-cookie"));
    let url = sqlite_url();
    let one = state_with(&url, vec![probe()], config()).await;
    let two = state_with(&url, vec![probe()], config()).await;
    let mut b = Browser::new(app(one));
    answer_step1(&mut b).await;
    b.app = app(two);
    let p = b.get(STEP2).await;
    assert_eq!(p.status, StatusCode::OK, "the other server knows the session: {:?}", p.location);
    assert!(!p.headers.contains_key("set-cookie"));
}

#[tokio::test]
async fn control_characters_in_a_file_name_are_cleaned_not_refused() {
    let state = probe_state(config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(STEP1).await.csrf();
    let boundary = "----b";
    let mut body = Vec::new();
    for (k, v) in [("_csrf", csrf.as_str()), ("name", "Erika")] {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    // A tab, a DEL, an escape and a bell in the name.
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"nachweis\"; filename=\"a\tb\x7fc\x1bd\x07e.pdf\"\r\n\r\n")
            .as_bytes(),
    );
    // The content keeps its bytes, DEL included.
    let mut content = pdf(100);
    content.extend_from_slice(b"\x7f\x1b\x01");
    body.extend_from_slice(&content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = b.post_raw_multipart(STEP1, boundary, body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the post is read: {}", error_summary(&r.body));
    assert_eq!(r.location.as_deref(), Some(STEP2));
    let row = sqlx::query("SELECT name, size FROM files").fetch_one(state.store.pool()).await.unwrap();
    assert_eq!(row.get::<String, _>(0), "a_b_c_d_e.pdf");
    assert_eq!(row.get::<i64, _>(1), content.len() as i64);
}

#[tokio::test]
async fn the_admin_list_is_paged_with_a_bound() {
    let state = probe_state(config()).await;
    // 1,005 submissions (written directly: walking the form 1,005 times is not the point).
    let mut tx = state.store.pool().begin().await.unwrap();
    for i in 0..1005 {
        let reference = format!("PRB-2026-{i:04}");
        sqlx::query("INSERT INTO submissions (id, draft_id, form, reference, document, created_at) VALUES ($1, $2, 'probe', $3, $4, $5)")
            .bind(format!("s{i}"))
            .bind(format!("d{i}"))
            .bind(&reference)
            .bind(format!("{{\"reference\":\"{reference}\"}}"))
            // Two submissions per millisecond: the cursor orders by time, then reference.
            .bind(1_000 + i64::from(i / 2))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let app = app(state.clone());
    let get = |path: String| {
        let app = app.clone();
        async move {
            let mut b = Browser::from(app, "192.0.2.50");
            b.send(Request::get(path).header(header::AUTHORIZATION, "Bearer admin-secret").body(Body::empty()).unwrap()).await
        }
    };
    let refs = |p: &Page| -> Vec<String> {
        let docs: Vec<serde_json::Value> = serde_json::from_str(&p.body).unwrap();
        docs.iter().map(|d| d["reference"].as_str().unwrap().to_string()).collect()
    };
    // Without `limit`: the first 100, and a link to the next page.
    let p = get("/api/v1/submissions".into()).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(refs(&p).len(), 100);
    assert_eq!(p.headers["link"], "</api/v1/submissions?limit=100&after=PRB-2026-0099>; rel=\"next\"");
    // A larger `limit` is cut to 1,000.
    let p = get("/api/v1/submissions?limit=100000".into()).await;
    let all = refs(&p);
    assert_eq!(all.len(), 1000);
    assert_eq!(all[999], "PRB-2026-0999");
    // Following the links walks every submission once, in order.
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/submissions?limit=300".to_string());
    while let Some(path) = next {
        let p = get(path).await;
        assert_eq!(p.status, StatusCode::OK);
        seen.extend(refs(&p));
        next = p.headers.get("link").map(|l| between(l.to_str().unwrap(), "<", ">").unwrap());
    }
    let expected: Vec<String> = (0..1005).map(|i| format!("PRB-2026-{i:04}")).collect();
    assert_eq!(seen, expected);
    // An unknown cursor or a limit that is not a number: 400. Without the token: 401.
    assert_eq!(get("/api/v1/submissions?after=nope".into()).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(get("/api/v1/submissions?limit=x".into()).await.status, StatusCode::BAD_REQUEST);
    let (status, _) = api(&app, "192.0.2.51", "/api/v1/submissions?limit=1", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
