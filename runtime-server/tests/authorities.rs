//! One server for a Kreis and its Kommunen (docs/authorities.md): the bundled Hundesteuer
//! form served by Bitburg, Trier and Wittlich from one form file, each with its own rates,
//! branding and separated drafts, submissions and admin tokens.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use wegweiser::server::{AppState, Config, Store, app, tenant};

const FORM: &str = "hundesteuer-anmeldung";

/// The Kommunen with a postcode of each and the tax of one ordinary dog there
/// (authorities/<id>/hundesteuer.test.yaml).
const KOMMUNEN: &[(&str, &str, &str, &str, &str)] = &[
    ("bitburg", "Stadt Bitburg", "54634", "Bitburg", "90"),
    ("trier", "Stadt Trier", "54294", "Trier", "120"),
    ("wittlich", "Stadt Wittlich", "54516", "Wittlich", "75"),
];

/// The bundled Hundesteuer form, with a webhook so that its submissions go to the outbox
/// (the outbox does not run here: they stay pending, for the admin API's list).
fn hundesteuer() -> engine::Form {
    let src = std::fs::read_to_string(forms_dir().join("hundesteuer.yaml")).unwrap();
    let src =
        src.replace("  reference: HST-{year}-{seq:6}", "  reference: HST-{year}-{seq:6}\n  webhook:\n    url: https://127.0.0.1:9/hook");
    let c = engine::compile(&src);
    c.form.unwrap_or_else(|| panic!("compiles: {:?}", c.diagnostics))
}

fn tokens() -> BTreeMap<String, String> {
    [("trier", "trier-secret"), ("bitburg", "bitburg-secret")].into_iter().map(|(a, t)| (a.to_string(), t.to_string())).collect()
}

/// One server for the bundled forms folder: its three authorities, the Hundesteuer form and
/// one form no authority offers.
async fn kreis() -> AppState {
    kreis_on(&sqlite_url()).await
}

async fn kreis_on(url: &str) -> AppState {
    let form = hundesteuer();
    let other = compile("gewerbeanmeldung");
    let found = wegweiser::authority::load_dir(&forms_dir(), &[&form, &other]);
    assert!(!found.has_errors(), "{:?} {:?}", found.problems, found.files.iter().map(|f| &f.diagnostics).collect::<Vec<_>>());
    let tenants = tenant::tenants(&forms_dir(), &found).expect("servable");
    assert_eq!(tenants.len(), 3);
    let config = Config {
        admin_token: Some("operator-secret".into()),
        authority_tokens: tokens(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22),
        retry_base: Duration::from_millis(50),
        ..Config::default()
    };
    let store = serve_store(url).await;
    AppState::with_authorities(vec![form, other], tenants, store, config)
}

/// Posts a step's answers and expects the next step (or the summary).
async fn post_step(b: &mut Browser, url: &str, answers: &[(&str, &str)]) -> String {
    let page = b.get(url).await;
    assert_eq!(page.status, StatusCode::OK, "{url}: {:?} {}", page.location, page.body);
    let mut fields = vec![("_csrf".to_string(), page.csrf()), ("_action".to_string(), "continue".to_string())];
    fields.extend(answers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let r = b.post(url, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{url} not accepted: {}", error_summary(&r.body));
    r.location.unwrap()
}

/// One ordinary dog in `authority`, walked to the payment step; returns its URL.
async fn walk_to_payment(b: &mut Browser, authority: &str, plz: &str, ort: &str) -> String {
    let base = format!("/{authority}/f/{FORM}");
    let start = b.get(&base).await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.body);
    // A fresh session (no draft yet) has the authority's values too.
    let first = b.get(&format!("{base}/s/zustaendigkeit")).await;
    assert!(first.body.contains(&format!("Wohnen Sie in {ort}?")), "{authority}: {}", first.body);
    let next = post_step(b, &format!("{base}/s/zustaendigkeit"), &[("wohnsitz_bitburg", "true")]).await;
    assert_eq!(next, format!("{base}/s/halter"));
    let halter = [
        ("vorname", "Erika"),
        ("nachname", "Mustermann"),
        ("geburtsdatum", "02.04.1980"),
        ("strasse", "Hauptstraße 1"),
        ("plz", plz),
        ("ort", ort),
        ("email", "erika.mustermann@example.de"),
    ];
    let next = post_step(b, &next, &halter).await;
    let dog = [
        ("hund.0.hund_name", "Bello"),
        ("hund.0.rasse", "labrador"),
        ("hund.0.einzelfall_gefaehrlich", "false"),
        ("hund.0.haltung_seit", "01.10.2026"),
        ("hund.0.befreiung_beantragt", "false"),
    ];
    let next = post_step(b, &next, &dog).await;
    assert_eq!(next, format!("{base}/s/zahlung"));
    next
}

/// Walks one ordinary dog in `authority` to its confirmation; returns the reference.
async fn submit_one_dog(b: &mut Browser, authority: &str, plz: &str, ort: &str) -> String {
    let base = format!("/{authority}/f/{FORM}");
    let payment = walk_to_payment(b, authority, plz, ort).await;
    let next = post_step(b, &payment, &[("zahlungsweise", "ueberweisung")]).await;
    let next = post_step(b, &next, &[("richtigkeit", "true")]).await;
    assert_eq!(next, format!("{base}/summary"));
    let summary = b.get(&next).await;
    assert!(summary.body.contains(&format!("href=\"{base}/s/halter")), "the summary's edit links stay under the authority");
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    let r = b.post(&format!("{base}/submit"), &[("_csrf".into(), summary.csrf()), ("_idempotency".into(), idem)]).await;
    assert_eq!(r.location.as_deref(), Some(format!("{base}/confirmation").as_str()), "{}", r.body);
    let conf = b.get(&format!("{base}/confirmation")).await;
    assert_eq!(conf.status, StatusCode::OK);
    between(&conf.body, "class=\"reference\">", "<").unwrap()
}

#[tokio::test]
async fn the_same_answers_give_each_kommune_its_own_tax_from_one_form_file() {
    let state = kreis().await;
    for (id, name, plz, ort, tax) in KOMMUNEN {
        let mut b = Browser::new(app(state.clone()));
        let payment = walk_to_payment(&mut b, id, plz, ort).await;
        let page = b.get(&payment).await;
        // The server's own computation, as the page shows it …
        assert!(page.body.contains(&format!("Voraussichtlich zahlen Sie {tax},00 Euro im Jahr")), "{id}: {}", page.body);
        // … and the values the browser module computes with.
        let params = between(&page.body, "id=\"wegweiser-parameters\">", "</script>").expect("the parameters data block");
        let params: serde_json::Value = serde_json::from_str(&params).unwrap();
        assert_eq!(params["satz_erster"]["v"], *tax, "{id}");
        assert_eq!(params["gemeinde"]["v"], *ort, "{id}");
        // The step page is in the authority's name.
        assert!(
            page.body.contains(&format!("class=\"site-name\"><img src=\"/{id}/logo\" alt=\"\" class=\"brand-logo\">{name}</a>")),
            "{id}"
        );
        let reference = submit_one_dog(&mut b, id, plz, ort).await;
        // Each Kommune counts its own references; its id keeps them apart.
        assert_eq!(reference, format!("{}-HST-2026-000001", id.to_uppercase()));
        let conf = b.get(&format!("/{id}/f/{FORM}/confirmation")).await;
        assert!(conf.body.contains(&format!("<strong>{name}</strong>")), "{id}: the confirmation names the Kommune");
        let stored = state.store.submission_by_reference(&reference).await.unwrap().expect("stored");
        assert_eq!(stored.authority, *id);
        let doc: serde_json::Value = serde_json::from_str(&stored.document).unwrap();
        assert_eq!(doc["authority"]["id"], *id);
        assert_eq!(doc["authority"]["name"], *name);
        assert_eq!(doc["data"]["steuer_jahr"], format!("{tax}.00"), "{id}: {doc}");
        let pdf = b.get(&format!("/{id}/f/{FORM}/confirmation/antrag.pdf")).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
    }
}

#[tokio::test]
async fn the_pdf_names_the_kommune_with_its_address_and_its_rate() {
    let state = kreis().await;
    let mut b = Browser::new(app(state.clone()));
    let reference = submit_one_dog(&mut b, "wittlich", "54516", "Wittlich").await;
    let row = sqlx::query("SELECT snapshot FROM drafts WHERE reference = $1").bind(&reference).fetch_one(state.store.pool()).await.unwrap();
    let snapshot: engine::session::Snapshot = serde_json::from_str(&sqlx::Row::get::<String, _>(&row, 0)).unwrap();
    // The model `pdf::of_draft` renders for the download above.
    let scope = tenant::resolve(&state, Some("wittlich"), FORM).unwrap();
    let params = scope.parameters().unwrap();
    let (s, _) = engine::session::Session::restore_with_parameters(&scope.served.form, &snapshot, state.today(), u64::MAX, params).unwrap();
    let model = wegweiser::server::pdf::application(&s, scope, &reference, 0).unwrap();
    assert_eq!(model.authority.as_deref(), Some("Stadt Wittlich, Schloßstraße 11, 54516 Wittlich"));
    let rows: Vec<_> = model.sections.iter().flat_map(|s| &s.blocks).flat_map(|b| &b.rows).collect();
    assert!(rows.iter().any(|r| r.value.contains("75,00")), "Wittlich's rate: {rows:?}");
}

#[tokio::test]
async fn each_authority_has_its_branding() {
    let state = kreis().await;
    let mut b = Browser::new(app(state));
    for (id, name, colour) in
        [("bitburg", "Stadt Bitburg", "#005a9c"), ("trier", "Stadt Trier", "#b5121b"), ("wittlich", "Stadt Wittlich", "#1e6b3c")]
    {
        for url in [format!("/{id}/"), format!("/{id}/f/{FORM}")] {
            let page = b.get(&url).await;
            assert_eq!(page.status, StatusCode::OK, "{url}");
            assert!(page.body.contains(&format!("<link rel=\"stylesheet\" href=\"/{id}/brand.css\">")), "{url}");
            assert!(page.body.contains(&format!("<img src=\"/{id}/logo\" alt=\"\" class=\"brand-logo\">{name}")), "{url}");
            assert!(page.body.contains(&format!("<address class=\"brand-address\"><strong>{name}</strong>")), "{url}");
            assert!(page.body.contains(&format!("href=\"/{id}/impressum\"")), "{url}: the Kommune's own Impressum");
            // No inline style anywhere (the CSP forbids it).
            assert!(!page.body.contains("style="), "{url}");
        }
        let css = b.get(&format!("/{id}/brand.css")).await;
        assert_eq!(css.status, StatusCode::OK);
        assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
        assert!(css.body.contains(&format!("--brand: {colour};")), "{id}: {}", css.body);
        let logo = b.get(&format!("/{id}/logo")).await;
        assert_eq!(logo.status, StatusCode::OK);
        assert_eq!(logo.headers["content-type"], "image/svg+xml");
        let file = std::fs::read_to_string(forms_dir().join("authorities").join(id).join("logo.svg")).unwrap();
        assert_eq!(logo.body, file.replace("&#x2f;", "/"));
        let imprint = b.get(&format!("/{id}/impressum")).await;
        assert_eq!(imprint.status, StatusCode::OK);
        assert!(imprint.body.contains(&format!("Stadtverwaltung {}", &name[6..])), "{id}: {}", imprint.body);
    }
    // The server's own pages stay unbranded.
    let home = b.get("/").await;
    assert!(!home.body.contains("brand.css"));
}

#[tokio::test]
async fn the_start_page_lists_every_authority_with_its_services() {
    let state = kreis().await;
    let mut b = Browser::new(app(state));
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    for (id, name, ..) in KOMMUNEN {
        assert!(home.body.contains(&format!("<a href=\"/{id}/\">{name}</a>")), "{id}");
        assert!(home.body.contains(&format!("<a href=\"/{id}/f/{FORM}\">Anmeldung zur Hundesteuer</a>")), "{id}");
    }
    // The form no authority offers stays the operator's, unprefixed.
    assert!(home.body.contains("<a href=\"/f/gewerbeanmeldung\">"));
    let trier = b.get("/trier/").await;
    assert!(trier.body.contains(&format!("<a href=\"/trier/f/{FORM}\">")));
    assert!(!trier.body.contains("gewerbeanmeldung"));
}

#[tokio::test]
async fn forms_are_served_only_where_they_are_offered() {
    let state = kreis().await;
    let mut b = Browser::new(app(state));
    for url in [
        format!("/f/{FORM}"),
        format!("/f/{FORM}/s/halter"),
        format!("/nowhere/f/{FORM}"),
        "/trier/f/gewerbeanmeldung".to_string(),
        "/trier/f/gewerbeanmeldung/s/x".to_string(),
        format!("/trier/f/{FORM}/s/no-such-step"),
        "/nowhere/".to_string(),
        "/nowhere/logo".to_string(),
        "/nowhere/brand.css".to_string(),
        "/nowhere/impressum".to_string(),
    ] {
        assert_eq!(b.get(&url).await.status, StatusCode::NOT_FOUND, "{url}");
    }
    assert_eq!(b.get("/f/gewerbeanmeldung").await.status, StatusCode::OK);
    assert_eq!(b.get(&format!("/trier/f/{FORM}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_draft_of_one_kommune_is_never_opened_under_another() {
    let state = kreis().await;
    let mut b = Browser::new(app(state));
    let trier = format!("/trier/f/{FORM}");
    let next = post_step(&mut b, &format!("{trier}/s/zustaendigkeit"), &[("wohnsitz_bitburg", "true")]).await;
    let page = b.get(&next).await;
    let r = b
        .post(
            &next,
            &[
                ("_csrf".into(), page.csrf()),
                ("_action".into(), "save".into()),
                ("vorname".into(), "Trierischer Vorname".into()),
                ("plz".into(), "54294".into()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let link = between(&r.body, "/trier/resume/", "\"").map(|t| format!("/trier/resume/{t}")).expect("a resume link under Trier");
    assert!(b.get(&format!("{trier}/s/halter")).await.body.contains("Trierischer Vorname"));
    // The same browser, Bitburg's addresses: a fresh start, nothing of Trier's draft.
    let bitburg = format!("/bitburg/f/{FORM}");
    let r = b.get(&format!("{bitburg}/s/halter")).await;
    assert_eq!(r.location.as_deref(), Some(format!("{bitburg}/s/zustaendigkeit").as_str()));
    let r = b.get(&format!("{bitburg}/summary")).await;
    assert_eq!(r.location.as_deref(), Some(format!("{bitburg}/s/zustaendigkeit").as_str()));
    post_step(&mut b, &format!("{bitburg}/s/zustaendigkeit"), &[("wohnsitz_bitburg", "true")]).await;
    let r = b.get(&format!("{bitburg}/s/halter")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("Trierischer Vorname"));
    // Nor is Trier's resume link valid under Bitburg (or without an authority).
    let token = link.rsplit('/').next().unwrap();
    let mut other = Browser::new(b.app.clone());
    assert_eq!(other.get(&format!("/bitburg/resume/{token}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/resume/{token}")).await.status, StatusCode::NOT_FOUND);
    let page = other.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    let posted = other.post(&format!("/bitburg/resume/{token}"), &[("_csrf".into(), page.csrf())]).await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND, "the link does not move under Bitburg");
    let posted = other.post(&link, &[("_csrf".into(), page.csrf())]).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert!(posted.location.unwrap().starts_with(&format!("{trier}/s/")));
    assert!(other.get(&format!("{trier}/s/halter")).await.body.contains("Trierischer Vorname"));
}

async fn api(b: &mut Browser, url: &str, token: &str) -> (StatusCode, String) {
    let p = b.get_with(url, "authorization", &format!("Bearer {token}")).await;
    (p.status, p.body)
}

fn references(body: &str, key: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON: {body}"));
    v.as_array().unwrap().iter().map(|d| d[key].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_authoritys_token_sees_only_its_own_submissions_and_the_operators_sees_all() {
    let state = kreis().await;
    let mut b = Browser::new(app(state.clone()));
    let bitburg = submit_one_dog(&mut b, "bitburg", "54634", "Bitburg").await;
    let mut b2 = Browser::new(app(state.clone()));
    let trier = submit_one_dog(&mut b2, "trier", "54294", "Trier").await;
    let mut admin = Browser::new(app(state.clone()));

    // Trier's token: its own submission only, on every route.
    let (s, body) = api(&mut admin, "/api/v1/submissions", "trier-secret").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(references(&body, "reference"), vec![trier.clone()]);
    assert_eq!(api(&mut admin, &format!("/api/v1/submissions/{trier}"), "trier-secret").await.0, StatusCode::OK);
    assert_eq!(api(&mut admin, &format!("/api/v1/submissions/{bitburg}"), "trier-secret").await.0, StatusCode::NOT_FOUND);
    // Bitburg's reference as the cursor of a page is no submission to Trier either.
    let (s, _) = api(&mut admin, &format!("/api/v1/submissions?after={bitburg}"), "trier-secret").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, body) = api(&mut admin, "/api/v1/outbox", "trier-secret").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(references(&body, "reference"), vec![trier.clone()]);
    // The citizen's PDF route is the browser session's, not the admin's: a token opens nothing.
    let pdf = admin.get_with(&format!("/bitburg/f/{FORM}/confirmation/antrag.pdf"), "authorization", "Bearer trier-secret").await;
    assert_eq!(pdf.status, StatusCode::NOT_FOUND);

    // Bitburg's token: Bitburg's.
    let (_, body) = api(&mut admin, "/api/v1/submissions", "bitburg-secret").await;
    assert_eq!(references(&body, "reference"), vec![bitburg.clone()]);
    assert_eq!(api(&mut admin, &format!("/api/v1/submissions/{trier}"), "bitburg-secret").await.0, StatusCode::NOT_FOUND);

    // The operator's token sees both.
    let (_, body) = api(&mut admin, "/api/v1/submissions", "operator-secret").await;
    let mut all = references(&body, "reference");
    all.sort();
    assert_eq!(all, vec![bitburg.clone(), trier.clone()]);
    let (_, body) = api(&mut admin, "/api/v1/outbox", "operator-secret").await;
    assert_eq!(references(&body, "reference").len(), 2);
    assert_eq!(api(&mut admin, &format!("/api/v1/submissions/{bitburg}"), "operator-secret").await.0, StatusCode::OK);

    // Wittlich has no token: its name is no token, nor is a wrong one.
    assert_eq!(api(&mut admin, "/api/v1/submissions", "").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api(&mut admin, "/api/v1/submissions", "wittlich-secret").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_of_an_authority_that_is_not_served_opens_nothing() {
    let form = hundesteuer();
    let store = Store::connect(&sqlite_url()).await.unwrap();
    // A server without authorities, configured with an authority's token by mistake.
    let config = Config { admin_token: None, authority_tokens: tokens(), ..Config::default() };
    let state = AppState::new(vec![form], store, config);
    let mut admin = Browser::new(app(state));
    assert_eq!(api(&mut admin, "/api/v1/submissions", "trier-secret").await.0, StatusCode::UNAUTHORIZED);
}

/// The bundled forms folder copied to a temporary one, for breaking an authority file.
fn copied_folder() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wegweiser-kreis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.path().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    };
    copy(&forms_dir(), &dir);
    for a in ["bitburg", "trier", "wittlich"] {
        copy(&forms_dir().join("authorities").join(a), &dir.join("authorities").join(a));
    }
    dir
}

#[test]
fn a_wrong_parameter_value_keeps_the_server_from_starting_and_is_reported_with_line_and_column() {
    let dir = copied_folder();
    let file = dir.join("authorities/trier/authority.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("      satz_erster: 120 ", "      satz_erster: viel ")).unwrap();
    let line = text.lines().position(|l| l.starts_with("      satz_erster: 120")).unwrap() + 1;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wegweiser"))
        .args(["serve", dir.to_str().unwrap(), "--addr", "127.0.0.1:0", "--database", "sqlite::memory:"])
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("authorities/trier/authority.yaml:{line}:20")), "{stderr}");
    assert!(stderr.contains("E0603"), "{stderr}");
    assert!(stderr.contains("the server does not start"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The separation on PostgreSQL (`DATABASE_URL`, which `.ci/run` sets): the counters per
/// authority, the draft lookup and the admin API's filters in the other database's SQL.
#[tokio::test]
async fn the_kommunen_are_separated_on_postgres() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("DATABASE_URL is not set: PostgreSQL run not made (.ci/run sets it)");
        return;
    };
    let state = kreis_on(&url).await;
    let mut b = Browser::new(app(state.clone()));
    let trier = submit_one_dog(&mut b, "trier", "54294", "Trier").await;
    let mut b2 = Browser::new(app(state.clone()));
    let bitburg = submit_one_dog(&mut b2, "bitburg", "54634", "Bitburg").await;
    assert!(trier.starts_with("TRIER-HST-2026-") && bitburg.starts_with("BITBURG-HST-2026-"), "{trier} {bitburg}");
    // The database is shared with earlier runs: other submissions may be there too.
    let mut admin = Browser::new(app(state.clone()));
    let (_, body) = api(&mut admin, "/api/v1/submissions?limit=1000", "trier-secret").await;
    let refs = references(&body, "reference");
    assert!(refs.contains(&trier) && refs.iter().all(|r| r.starts_with("TRIER-")), "{refs:?}");
    assert_eq!(api(&mut admin, &format!("/api/v1/submissions/{bitburg}"), "trier-secret").await.0, StatusCode::NOT_FOUND);
    assert_eq!(api(&mut admin, &format!("/api/v1/submissions?after={bitburg}"), "trier-secret").await.0, StatusCode::BAD_REQUEST);
    let (_, body) = api(&mut admin, "/api/v1/outbox", "trier-secret").await;
    assert!(references(&body, "reference").iter().all(|r| r.starts_with("TRIER-")));
    assert_eq!(api(&mut admin, &format!("/api/v1/submissions/{bitburg}"), "operator-secret").await.0, StatusCode::OK);
    // A draft of Trier's is not Bitburg's, in the same browser.
    let r = b.get(&format!("/bitburg/f/{FORM}/confirmation")).await;
    assert_eq!(r.location.as_deref(), Some(format!("/bitburg/f/{FORM}").as_str()));
}
