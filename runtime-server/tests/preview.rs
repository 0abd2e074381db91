//! The authors' preview reloads a form when its file changes and shows the diagnostics in
//! the page while it does not compile.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;
use wegweiser::server::{Config, Store, preview::Preview};

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let r = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = r.status();
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

const GOOD: &str = "wegweiser: 1\nid: vorschau\ntitle: Vorschau-Formular\nsteps:\n  - id: start\n    title: Erste Frage\n    fields:\n      - { id: name, type: text, label: Name }\n";

#[tokio::test]
async fn reloads_on_change_and_shows_diagnostics_while_broken() {
    let dir = std::env::temp_dir().join(format!("wegweiser-preview-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("vorschau.yaml");
    std::fs::write(&file, GOOD).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("p.db").display())).await.unwrap();
    let app = Preview::new(file.clone(), store, Config::default()).router();

    let (status, body) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Vorschau-Formular"), "{body}");

    // The author breaks the form: the page shows the diagnostic, escaped, and reloads itself.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&file, GOOD.replace("label: Name", "labl: \"<b>Name</b>\"")).unwrap();
    bump(&file);
    let (_, body) = get(&app, "/f/vorschau").await;
    assert!(body.contains("error[E0101]: unknown key `labl` in a field"), "{body}");
    assert!(body.contains("did you mean `label`?"), "{body}");
    assert!(body.contains("&lt;b&gt;Name&lt;/b&gt;") && !body.contains("<b>Name</b>"), "escaped: {body}");
    assert!(body.contains("http-equiv=\"refresh\""));

    // Fixed: the form is served again, with the new title.
    std::fs::write(&file, GOOD.replace("Vorschau-Formular", "Neuer Titel")).unwrap();
    bump(&file);
    let (status, body) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Neuer Titel"), "{body}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Moves the file's modification time forward so that a change within the file system's
/// time resolution is still seen.
fn bump(file: &std::path::Path) {
    let f = std::fs::File::options().write(true).open(file).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1 + rand_secs());
    f.set_modified(later).unwrap();
}

fn rand_secs() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
