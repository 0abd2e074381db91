//! The browser module is built into the binary (`runtime-server/build.rs`): the server serves
//! the module, its glue and the enhancement script from memory, with the right content types,
//! and together they stay within the gzip budget that `scripts/build-wasm` checks (156 KiB).
mod common;

use std::io::Write;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;
use wegweiser::server::{app, embedded};

/// The budget of `scripts/build-wasm`, in bytes of gzip -9: what the module, glue and script
/// measured (156,956 with GNU gzip, 157,591 with flate2 here, on 2026-12-07 after the second
/// round of issue #19; wasm/README.md "Size") and a few KB, so that a change that makes the browser's download larger fails
/// here and is a decision, not an accident.
const BUDGET: usize = 156 * 1024;

fn gzip_len(parts: &[&[u8]]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for p in parts {
        gz.write_all(p).unwrap();
    }
    gz.finish().unwrap().len()
}

#[tokio::test]
async fn the_binary_serves_its_browser_module_within_the_budget() {
    match embedded::STATUS {
        // Asked for explicitly (a fast development build): nothing to serve, nothing to test.
        "skipped" => {
            eprintln!("built with WEGWEISER_WASM=skip: no browser module to test");
            return;
        }
        "embedded" => {}
        other => panic!("the browser module was not built into the binary ({other}); see the build's warnings"),
    }
    let state = common::state_with(&common::sqlite_url(), vec![common::probe()], common::config()).await;
    let router = app(state);
    let mut served = Vec::new();
    for (file, mime) in [
        ("wegweiser.js", "text/javascript; charset=utf-8"),
        ("wegweiser_wasm.js", "text/javascript; charset=utf-8"),
        ("wegweiser_wasm_bg.wasm", "application/wasm"),
    ] {
        for uri in [format!("/assets/{file}"), format!("/assets/wasm/{file}")] {
            let res = router.clone().oneshot(Request::get(&uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{uri}");
            assert_eq!(res.headers()[header::CONTENT_TYPE], mime, "{uri}");
            let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec();
            assert_eq!(Some(body.as_slice()), embedded::file(file), "{uri}");
        }
        served.push(embedded::file(file).unwrap());
    }
    let [script, glue, module] = served[..] else { unreachable!() };
    assert!(module.starts_with(b"\0asm"), "a WebAssembly module");
    // The script loads the glue beside it, and the glue the module beside it (its default path).
    assert!(String::from_utf8_lossy(script).contains("./wegweiser_wasm.js"));
    assert!(String::from_utf8_lossy(glue).contains("wegweiser_wasm_bg.wasm"));
    assert_eq!(script, std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../wasm/js/wegweiser.js")).unwrap(), "the script as in wasm/js");
    // Counted as scripts/build-wasm counts: the module, then glue and script as one stream.
    let total = gzip_len(&[module]) + gzip_len(&[glue, script]);
    eprintln!("browser module: {total} bytes gzip (budget {BUDGET})");
    assert!(total <= BUDGET, "the browser module is {total} bytes gzip, over the budget of {BUDGET}");
}

#[tokio::test]
async fn a_file_outside_the_module_is_not_found() {
    let state = common::state_with(&common::sqlite_url(), vec![common::probe()], common::config()).await;
    let router = app(state);
    for uri in ["/assets/wasm_assets.rs", "/assets/wegweiser_wasm.d.ts", "/assets/wasm/..%2Fbuild.rs", "/assets/wasm/wegweiser.css.map"] {
        let res = router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{uri}");
    }
}

/// A step page fetches what guidance needs at once, in parallel: the form's bytes always, and the
/// module's files when the binary has them (a build without them preloads nothing that 404s).
#[tokio::test]
async fn a_step_page_preloads_the_form_and_the_module_it_has() {
    let state = common::state_with(&common::sqlite_url(), vec![common::probe()], common::config()).await;
    let mut b = common::Browser::new(app(state));
    let page = b.get("/f/probe/s/eins").await;
    assert_eq!(page.status, StatusCode::OK);
    let head = common::between(&page.body, "<head>", "</head>").unwrap();
    let url = common::between(&page.body, r#"data-wegweiser-form=""#, "\"").unwrap();
    assert!(head.contains(&format!(r#"<link rel="preload" href="{url}" as="fetch" crossorigin>"#)), "{head}");
    let module = [
        r#"<link rel="modulepreload" href="/assets/wegweiser.js">"#,
        r#"<link rel="modulepreload" href="/assets/wegweiser_wasm.js">"#,
        r#"<link rel="preload" href="/assets/wegweiser_wasm_bg.wasm" as="fetch" crossorigin>"#,
    ];
    for link in module {
        assert_eq!(head.contains(link), embedded::has_module(), "{link} in {head}");
    }
}
