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
    let r = open_resume(&mut phone, &token).await;
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
        for f in form.fields() {
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
    form = form.with_channels(vec![engine::form::Channel::Webhook(engine::form::Webhook {
        url: format!("http://{addr}/hook"),
        secret_env: None,
    })]);
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
    let impatient = AppState::new(vec![probe()], state.store.clone(), Config { request_timeout: Duration::from_millis(300), ..config() });
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

// ---- Issue #17: what the outside attack found -----------------------------------------

/// A form with the inputs issue #17 concerns: a choice and a multi_choice, a repeated group
/// whose entries carry a file, and a file that only applies while a box is ticked.
const ATTACKED: &str = r#"
wegweiser: 1
id: angriff
version: "1"
languages: [de]
title: { de: Angriff }
steps:
  - id: eins
    title: { de: Eins }
    fields:
      - id: farbe
        type: choice
        label: { de: Farbe }
        options:
          - { value: rot, label: { de: Rot } }
          - { value: blau, label: { de: Blau } }
      - id: arten
        type: multi_choice
        label: { de: Arten }
        options:
          - { value: a, label: { de: A } }
          - { value: b, label: { de: B } }
          - { value: c, label: { de: C } }
      - id: notiz
        type: textarea
        label: { de: Notiz }
      - id: hund
        type: group
        label: { de: "Hund {{ index }}" }
        repeat: { min: 0, max: 5 }
        fields:
          - id: name
            type: text
            label: { de: Name }
            max_length: 10000
          - id: bild
            type: file
            label: { de: Bild }
            accept: [application/pdf]
            max_size: 1MB
      - id: mit_nachweis
        type: boolean
        label: { de: Mit Nachweis }
      - id: nachweis
        type: file
        label: { de: Nachweis }
        visible_if: mit_nachweis
        accept: [application/pdf]
        max_size: 1MB
submission:
  reference: ANG-{seq}
"#;

const ANG: &str = "/f/angriff/s/eins";

async fn attacked_state(config: Config) -> AppState {
    let c = engine::compile(ATTACKED);
    let form = c.form.unwrap_or_else(|| panic!("the form compiles: {:?}", c.diagnostics));
    state_with(&sqlite_url(), vec![form], config).await
}

/// Adds `n` entries to the group `hund` (its add button, pressed `n` times).
async fn add_dogs(b: &mut Browser, csrf: &str, n: usize) {
    for _ in 0..n {
        let r = b.post(ANG, &[("_csrf".into(), csrf.to_string()), ("_action".into(), "add:hund".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", error_summary(&r.body));
    }
}

async fn snapshot_of_only_draft(state: &AppState) -> String {
    let rows = sqlx::query("SELECT snapshot FROM drafts").fetch_all(state.store.pool()).await.unwrap();
    assert_eq!(rows.len(), 1, "one draft");
    rows[0].get::<String, _>(0)
}

#[tokio::test]
async fn forged_choice_values_are_never_stored_and_a_multi_choice_holds_each_option_once() {
    let state = attacked_state(config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(ANG).await.csrf();
    // 500 forged values of 10,000 characters for one multi_choice (the attack sent 2,000).
    let forged = "x".repeat(10_000);
    let mut fields = vec![("_csrf".to_string(), csrf.clone()), ("notiz".into(), "vorher".into())];
    fields.extend((0..500).map(|i| ("arten".to_string(), format!("{forged}{i}"))));
    let r = b.post(ANG, &fields).await;
    assert_eq!(r.status, StatusCode::OK, "the step comes back with an error");
    assert!(r.body.contains("Bitte wählen Sie nur aus den angebotenen Möglichkeiten."), "{}", error_summary(&r.body));
    let snap = snapshot_of_only_draft(&state).await;
    assert!(!snap.contains("xxxxxxxxxx"), "no forged value is stored");
    assert!(snap.len() < 2_000, "the draft stays small: {} bytes", snap.len());
    // A valid option mixed with a forged one: the whole answer is refused.
    let r = b.post(ANG, &[("_csrf".into(), csrf.clone()), ("arten".into(), "a".into()), ("arten".into(), "zz".into())]).await;
    assert!(r.body.contains("angebotenen Möglichkeiten"));
    assert!(!snapshot_of_only_draft(&state).await.contains("\"zz\""));
    // Real options sent many times are stored once each: the size is bounded by the options.
    let mut fields = vec![("_csrf".to_string(), csrf.clone())];
    fields.extend((0..600).map(|i| ("arten".to_string(), ["a", "b", " c "][i % 3].to_string())));
    let r = b.post(ANG, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", error_summary(&r.body));
    let snap: serde_json::Value = serde_json::from_str(&snapshot_of_only_draft(&state).await).unwrap();
    assert_eq!(snap["answers"]["arten"], serde_json::json!(["a", "b", "c"]), "{snap}");
    // A single choice is an option or nothing, too.
    let r = b.post(ANG, &[("_csrf".into(), csrf.clone()), ("farbe".into(), "grün".repeat(2_000))]).await;
    assert!(r.body.contains("angebotenen Möglichkeiten"));
    assert!(!snapshot_of_only_draft(&state).await.contains("grün"));
    let r = b.post(ANG, &[("_csrf".into(), csrf), ("farbe".into(), "blau".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(snapshot_of_only_draft(&state).await.contains("\"blau\""));
}

#[tokio::test]
async fn a_draft_has_an_overall_size_limit_for_answers_and_files_with_a_clear_message() {
    let limits = Limits { max_draft_bytes: 50 * 1024, ..Limits::default() };
    let state = attacked_state(Config { limits, ..config() }).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(ANG).await.csrf();
    add_dogs(&mut b, &csrf, 5).await;
    // Answers: five entries of 9,000 characters fit in 50 KiB; another 9,000 do not.
    let text = |n: usize| -> Vec<(String, String)> {
        let mut f = vec![("_csrf".to_string(), csrf.clone())];
        f.extend((0..n).map(|i| (format!("hund.{i}.name"), "n".repeat(9_000))));
        f
    };
    let r = b.post(ANG, &[text(5), vec![("notiz".into(), "kurz".into())]].concat()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", error_summary(&r.body));
    let before = snapshot_of_only_draft(&state).await;
    let r = b.post(ANG, &[text(5), vec![("notiz".into(), "m".repeat(9_000))]].concat()).await;
    let r2 = b.post(ANG, &[text(4), vec![("hund.4.name".into(), "o".repeat(9_999)), ("notiz".into(), "p".repeat(9_999))]].concat()).await;
    for r in [&r, &r2] {
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", error_summary(&r.body));
        assert!(r.body.contains("Ihr Antrag ist zu umfangreich geworden"), "{}", error_summary(&r.body));
    }
    assert_eq!(snapshot_of_only_draft(&state).await, before, "nothing of the refused posts is stored");
    // Files count too: a file that would take the draft over the limit is refused and not kept.
    let r = b
        .post_multipart(
            ANG,
            &[text(5), vec![("mit_nachweis".into(), "true".into())]].concat(),
            &[("nachweis".into(), "n.pdf".into(), pdf(30 * 1024))],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", error_summary(&r.body));
    assert_eq!(count(&state, "SELECT COUNT(*) FROM files").await, 0);
    let r = b
        .post_multipart(
            ANG,
            &[text(5), vec![("mit_nachweis".into(), "true".into())]].concat(),
            &[("nachweis".into(), "n.pdf".into(), pdf(4 * 1024))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a file that fits is kept: {}", error_summary(&r.body));
    assert_eq!(count(&state, "SELECT COUNT(*) FROM files").await, 1);
}

/// Opens a resume link as a citizen does: the page, then its button.
async fn open_resume(b: &mut Browser, token: &str) -> Page {
    let page = b.get(&format!("/resume/{token}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    b.post(&format!("/resume/{token}"), &[("_csrf".into(), csrf)]).await
}

#[tokio::test]
async fn a_resume_link_moves_the_draft_only_by_a_post_and_works_once() {
    let state = probe_state(config()).await;
    let mut owner = Browser::new(app(state.clone()));
    let token = resume_token(&mut owner).await;
    let mut phone = Browser::new(app(state.clone()));
    // Opening the link (a GET: a prefetch, an image on another site) moves nothing.
    let page = phone.get(&format!("/resume/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Gespeicherten Antrag fortsetzen") && page.body.contains("method=\"post\""), "{}", page.body);
    assert_eq!(page.headers["cache-control"], "no-store");
    let r = phone.get(STEP2).await;
    assert_eq!(r.location.as_deref(), Some(STEP1), "the phone has no draft yet");
    let r = owner.get(STEP2).await;
    assert_eq!(r.status, StatusCode::OK, "the owner still has it");
    // The POST needs the CSRF token of the phone's session and a same-origin request.
    let r = phone.post(&format!("/resume/{token}"), &[("_csrf".into(), "0".repeat(64))]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let csrf = phone.get(&format!("/resume/{token}")).await.csrf();
    let cross = Request::post(format!("/resume/{token}"))
        .header(header::COOKIE, phone.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(format!("_csrf={csrf}")))
        .unwrap();
    assert_eq!(phone.send(cross).await.status, StatusCode::FORBIDDEN);
    // The button moves it.
    let r = phone.post(&format!("/resume/{token}"), &[("_csrf".into(), csrf)]).await;
    assert_eq!(r.location.as_deref(), Some(STEP2));
    assert_eq!(phone.get(STEP2).await.status, StatusCode::OK);
    // And the link is spent: neither page nor button works again, for anyone.
    for b in [&mut phone, &mut owner] {
        let r = b.get(&format!("/resume/{token}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("Der Link ist ungültig oder abgelaufen"));
    }
    let csrf = owner.get(STEP1).await.csrf();
    assert_eq!(owner.post(&format!("/resume/{token}"), &[("_csrf".into(), csrf)]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_planted_resume_link_cannot_be_used_to_read_what_the_victim_typed() {
    let state = probe_state(config()).await;
    // The attacker starts a draft, saves it and sends the link to the victim.
    let mut attacker = Browser::from(app(state.clone()), "203.0.113.9");
    let token = resume_token(&mut attacker).await;
    // The victim opens it and continues, typing what the attacker wants to read.
    let mut victim = Browser::from(app(state.clone()), "198.51.100.7");
    let r = open_resume(&mut victim, &token).await;
    assert_eq!(r.location.as_deref(), Some(STEP2));
    let csrf = victim.get(STEP1).await.csrf();
    let r = victim.post(STEP1, &[("_csrf".into(), csrf), ("name".into(), "Geheim Opfer".into())]).await;
    assert_eq!(r.location.as_deref(), Some(STEP2), "{}", error_summary(&r.body));
    // The attacker tries the link again, with a GET and with the button's POST…
    let r = attacker.get(&format!("/resume/{token}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let csrf = attacker.get(STEP1).await.csrf();
    let r = attacker.post(&format!("/resume/{token}"), &[("_csrf".into(), csrf)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // … and the attacker's own pages show nothing of the victim's.
    for path in [STEP1, STEP2, "/f/probe/summary"] {
        let r = attacker.get(path).await;
        assert!(!r.body.contains("Geheim Opfer"), "{path} shows the victim's answer");
    }
    // The victim's answers stay the victim's.
    assert!(victim.get(STEP1).await.body.contains("Geheim Opfer"));
}

/// The stored uploads of the only submission: (path, name).
async fn submitted_files(state: &AppState) -> Vec<(String, String)> {
    let rows = sqlx::query("SELECT field_path, name FROM files WHERE submission_id IS NOT NULL ORDER BY field_path")
        .fetch_all(state.store.pool())
        .await
        .unwrap();
    rows.iter().map(|r| (r.get::<String, _>(0), r.get::<String, _>(1))).collect()
}

#[tokio::test]
async fn uploads_follow_their_entries_and_the_submission_holds_exactly_the_active_files() {
    let state = attacked_state(config()).await;
    let mut b = Browser::new(app(state.clone()));
    let csrf = b.get(ANG).await.csrf();
    let c = || ("_csrf".to_string(), csrf.clone());
    add_dogs(&mut b, &csrf, 3).await;
    // Three dogs with a picture each, and a proof while the box is ticked.
    let r = b
        .post_multipart(
            ANG,
            &[
                c(),
                ("hund.0.name".into(), "Bello".into()),
                ("hund.1.name".into(), "Rex".into()),
                ("hund.2.name".into(), "Fiffi".into()),
                ("mit_nachweis".into(), "true".into()),
            ],
            &[
                ("hund.0.bild".into(), "bello.pdf".into(), pdf(100)),
                ("hund.1.bild".into(), "rex.pdf".into(), pdf(200)),
                ("hund.2.bild".into(), "fiffi.pdf".into(), pdf(300)),
                ("nachweis".into(), "nachweis.pdf".into(), pdf(400)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", error_summary(&r.body));
    // Bello is removed: Rex and Fiffi move up, with their pictures.
    let r = b.post(ANG, &[c(), ("_action".into(), "remove:hund.0".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The proof no longer applies.
    let r = b.post(ANG, &[c(), ("hund.0.name".into(), "Rex".into()), ("hund.1.name".into(), "Fiffi".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", error_summary(&r.body));
    let summary = b.get("/f/angriff/summary").await;
    assert_eq!(summary.status, StatusCode::OK, "{:?}", summary.location);
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    let r = b.post("/f/angriff/submit", &[c(), ("_idempotency".into(), idem)]).await;
    assert_eq!(r.location.as_deref(), Some("/f/angriff/confirmation"));
    // The document and the stored files say the same: Rex's picture under Rex's entry.
    let files = submitted_files(&state).await;
    assert_eq!(files, vec![("hund.0.bild".to_string(), "rex.pdf".to_string()), ("hund.1.bild".to_string(), "fiffi.pdf".to_string())]);
    let doc: serde_json::Value = serde_json::from_str(
        &sqlx::query("SELECT document FROM submissions").fetch_one(state.store.pool()).await.unwrap().get::<String, _>(0),
    )
    .unwrap();
    assert_eq!(doc["data"]["hund"][0]["bild"]["name"], "rex.pdf", "{doc}");
    assert_eq!(doc["data"]["hund"][1]["bild"]["name"], "fiffi.pdf");
    assert!(doc["data"].get("nachweis").is_none());
    assert_eq!(count(&state, "SELECT COUNT(*) FROM files WHERE submission_id IS NULL").await, 0, "no file left behind unlinked");
}

// ---- Webhook delivery (#17) -------------------------------------------------------------

#[path = "common/receiver.rs"]
mod receiver;

/// The admin API's view of the deliveries not done yet.
async fn pending_deliveries(state: &AppState) -> Vec<serde_json::Value> {
    let (status, body) = api(&app(state.clone()), "203.0.113.40", "/api/v1/outbox", Some("Bearer admin-secret")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn metric(state: &AppState, name: &str) -> i64 {
    let (_, text) = api(&app(state.clone()), "203.0.113.41", "/metrics", None).await;
    text.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).unwrap_or_else(|| panic!("{name} in {text}")).trim().parse().unwrap()
}

/// #17.4: a 301 would turn the delivery into a bodiless GET that counts as delivered, a
/// 307 would re-send the signed document wherever the target points. Neither is followed:
/// the document never reaches the second host, the row stays undelivered with the
/// redirect as its reason (admin API, `/metrics`) and is retried with backoff.
#[tokio::test]
async fn webhook_redirects_are_never_followed_and_fail_visibly_and_are_retried() {
    let elsewhere = receiver::Receiver::start().await;
    let target = receiver::Receiver::start().await;
    // The Location carries a path and a token: neither may show in the reason.
    target.answer(301, Some(&elsewhere.url("/steal?token=geheim")));
    let state = probe_state(config()).await;
    let r301 = receiver::store_submissions(&state, 1, &target.url("/hook-301"), None).await;
    assert_eq!(server::outbox::deliver_due(&state).await, 0, "a 301 is not a delivery");
    target.answer(307, Some(&elsewhere.url("/steal?token=geheim")));
    let r307 = receiver::store_submissions(&state, 1, &target.url("/hook-307"), None).await;
    assert_eq!(server::outbox::deliver_due(&state).await, 0, "a 307 is not a delivery");

    assert!(elsewhere.got().is_empty(), "the redirect target never hears of the document: {:?}", elsewhere.got());
    let got = target.got();
    assert_eq!(got.len(), 2, "one attempt each: {got:?}");
    assert!(got.iter().all(|g| g.method == "POST" && !g.body.is_empty()));
    assert_eq!(state.store.outbox_pending().await.unwrap(), 2, "neither counts as delivered");

    let host = elsewhere.addr.to_string();
    let pending = pending_deliveries(&state).await;
    assert_eq!(pending.len(), 2, "{pending:?}");
    for (reference, status) in [(&r301[0], 301), (&r307[0], 307)] {
        let row = pending.iter().find(|p| p["reference"] == reference.as_str()).unwrap_or_else(|| panic!("{reference} in {pending:?}"));
        assert_eq!(row["last_error"], format!("redirect {status} to {host} not followed"), "{row}");
        assert_eq!(row["attempts"], 1);
        assert!(!row.to_string().contains("geheim") && !row.to_string().contains("/steal"), "{row}");
    }
    assert_eq!(metric(&state, "wegweiser_outbox_failing").await, 2);
    assert_eq!(metric(&state, "wegweiser_outbox_pending").await, 2);

    // Retried after the backoff (50 ms here), still not followed.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(server::outbox::deliver_due(&state).await, 0);
    assert_eq!(target.count(), 4, "both retried");
    assert!(target.got()[2..].iter().all(|g| g.header("x-wegweiser-attempt") == "2"));
    assert!(elsewhere.got().is_empty());
    assert!(pending_deliveries(&state).await.iter().all(|p| p["attempts"] == 2));

    // Once the target answers 2xx, both are delivered and nothing is failing.
    target.answer(200, None);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(server::outbox::deliver_due(&state).await, 2);
    assert!(elsewhere.got().is_empty());
    assert_eq!(metric(&state, "wegweiser_outbox_failing").await, 0);
    assert!(pending_deliveries(&state).await.is_empty());
}

/// #17.6: a webhook secret variable that is unset or empty would sign with an empty key.
/// `wegweiser serve` refuses to start (exit code 2), naming the form, its file and the
/// variable.
#[tokio::test]
async fn serve_refuses_to_start_when_a_webhook_secret_variable_is_unset_or_empty() {
    const VAR: &str = "WEGWEISER_TEST_HOOK_SECRET_17_6";
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let dir = std::env::temp_dir().join(format!("wegweiser-secret-{}", hex::encode(b)));
    std::fs::create_dir_all(&dir).unwrap();
    let line = "  reference: PRB-{year}-{seq:4}\n";
    assert!(PROBE.contains(line));
    let src = PROBE.replace(line, &format!("{line}  webhook:\n    url: http://127.0.0.1:9/hook\n    secret_env: {VAR}\n"));
    let file = dir.join("probe.yaml");
    std::fs::write(&file, &src).unwrap();
    for value in [None, Some("")] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wegweiser"));
        cmd.arg("serve")
            .arg("--forms")
            .arg(&dir)
            .args(["--addr", "127.0.0.1:0"])
            .arg("--database")
            .arg(format!("sqlite://{}", dir.join("w.db").display()))
            .env_remove(VAR)
            .env_remove("DATABASE_URL")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        if let Some(v) = value {
            cmd.env(VAR, v);
        }
        let mut child = cmd.spawn().unwrap();
        // A server that starts anyway serves forever: give it 20 s, then it failed.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break Some(s);
            }
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                child.wait().unwrap();
                break None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.and_then(|s| s.code()), Some(2), "{value:?}: refused with exit code 2; stderr: {err}");
        assert!(err.contains(VAR) && err.contains("form `probe`") && err.contains(&file.display().to_string()), "{value:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);

    // The check itself: set (to anything but empty) it passes.
    let form = engine::compile(&src).form.expect("compiles");
    let forms = vec![server::LoadedForm { file, form }];
    assert!(server::missing_secrets(&forms, |v| (v == VAR).then(|| "s3cret".to_string())).is_empty());
    assert_eq!(server::missing_secrets(&forms, |_| None).len(), 1);
}

/// #17.6, at delivery: a row whose secret variable is missing (its form no longer served,
/// or the variable gone) is not sent with an empty key; it fails with the variable's
/// name and is retried.
#[tokio::test]
async fn a_delivery_whose_secret_variable_is_missing_is_not_sent() {
    let target = receiver::Receiver::start().await;
    let state = probe_state(config()).await;
    receiver::store_submissions(&state, 1, &target.url("/hook"), Some("WEGWEISER_TEST_NEVER_SET_17_6")).await;
    assert_eq!(server::outbox::deliver_due(&state).await, 0);
    assert!(target.got().is_empty(), "nothing signed with an empty key: {:?}", target.got());
    let pending = pending_deliveries(&state).await;
    assert_eq!(pending[0]["last_error"], "secret variable WEGWEISER_TEST_NEVER_SET_17_6 unset, not sent", "{pending:?}");
    assert_eq!(metric(&state, "wegweiser_outbox_failing").await, 1);
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
    // Two servers on one SQLite file run without the draft cache (store/file_lock.rs).
    let url = sqlite_url();
    let one = AppState::new(vec![probe()], wegweiser::server::store::Store::connect(&url).await.unwrap(), config());
    let two = AppState::new(vec![probe()], wegweiser::server::store::Store::connect(&url).await.unwrap(), config());
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
