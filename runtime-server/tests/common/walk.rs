//! Walking a bundled form like a browser without JavaScript with the answers of one of
//! its scenarios (`*.test.yaml`): shared by `server.rs` and `fitconnect.rs`.
#![allow(dead_code)]

use std::collections::HashMap;

use axum::http::StatusCode;
use engine::form::Form;
use engine::scenario::ScenarioFile;
use engine::session::Input;

use crate::common::{Browser, Page, between, error_summary, forms_dir};

/// A scenario: today and the answers by path.
pub struct Scenario {
    pub today: chrono::NaiveDate,
    pub answers: Vec<(String, Input)>,
    pub entries: HashMap<String, u32>,
}

pub fn scenario(form: &Form, name: &str) -> Scenario {
    let src = std::fs::read_to_string(forms_dir().join(format!("{name}.test.yaml"))).unwrap();
    scenario_named(form, &src, "vollständig")
}

/// The scenario of a scenario file whose name contains `name_part` (and sets no language).
pub fn scenario_named(form: &Form, src: &str, name_part: &str) -> Scenario {
    let file = ScenarioFile::read(form, src, &Default::default()).unwrap();
    let sc = file.named(name_part).expect("a complete scenario");
    Scenario {
        today: file.today,
        answers: sc.answers.iter().map(|a| (a.path.clone(), a.input.clone())).collect(),
        entries: sc.entries.iter().map(|e| (e.path.clone(), e.count)).collect(),
    }
}

/// Bytes of an upload of this type and size that the server's content sniffing accepts.
pub fn file_content(mime: &str, size: u64) -> Vec<u8> {
    let mut v: Vec<u8> = match mime {
        "image/png" => b"\x89PNG\r\n\x1a\n".to_vec(),
        "image/jpeg" => b"\xff\xd8\xff\xe0".to_vec(),
        _ => b"%PDF-1.4\n".to_vec(),
    };
    v.resize(size.max(16) as usize, b' ');
    v
}

/// Walks a form from its start page to the summary with the scenario's answers; returns
/// the browser on the summary page.
pub async fn walk_to_summary(b: &mut Browser, form: &Form, sc: &Scenario) -> Page {
    walk(b, form, sc, None).await
}

/// Walks a form like a citizen; with `stop`, returns the response to posting that step.
pub async fn walk(b: &mut Browser, form: &Form, sc: &Scenario, stop: Option<&str>) -> Page {
    let start = b.get(&format!("/f/{}", form.id())).await;
    assert_eq!(start.status, StatusCode::OK);
    let mut url = start
        .body
        .split("href=\"")
        .find(|s| s.starts_with(&format!("/f/{}/s/", form.id())))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    for _ in 0..40 {
        if url.ends_with("/summary") {
            let page = b.get(&url).await;
            assert_eq!(page.status, StatusCode::OK, "summary of {}: {}", form.id(), page.body);
            return page;
        }
        let page = b.get(&url).await;
        assert_eq!(page.status, StatusCode::OK, "{url} of {}: {:?} {}", form.id(), page.location, page.body);
        let step_id = url.rsplit('/').next().unwrap().to_string();
        let step = form.step_by_id(&step_id).unwrap();
        let mut csrf = page.csrf();
        let mut with_entries = None;
        // Enough entries for the repeated groups of this step (the add button, no JS).
        for (group, n) in &sc.entries {
            let g = form.field_by_id(group).unwrap();
            if form.field(g).step != step {
                continue;
            }
            let mut shown = page.body.matches(&format!("class=\"fieldset entry\" id=\"{group}.")).count() as u32;
            while shown < *n {
                let r = b.post(&url, &[("_csrf".into(), csrf.clone()), ("_action".into(), format!("add:{group}"))]).await;
                assert_eq!(r.status, StatusCode::SEE_OTHER);
                shown += 1;
            }
            // The page again, with the new entries' inputs (their answers are posted too).
            let again = b.get(&url).await;
            csrf = again.csrf();
            with_entries = Some(again.body);
        }
        // Like a browser: post only what the page offers; a post that reveals new fields
        // shows the step again with them, and the citizen answers and posts again.
        let mut html = with_entries.unwrap_or_else(|| page.body.clone());
        let mut r = None;
        for _ in 0..4 {
            let csrf_now = between(&html, "name=\"_csrf\" value=\"", "\"").unwrap_or_else(|| csrf.clone());
            let mut fields = vec![("_csrf".to_string(), csrf_now), ("_action".to_string(), "continue".to_string())];
            let mut files = Vec::new();
            for (path, input) in &sc.answers {
                let inst = engine::session::Session::new(form, form.default_language(), sc.today).instance(path).unwrap();
                if form.field(inst.field).step != step || !html.contains(&format!("name=\"{path}\"")) {
                    continue;
                }
                match input {
                    Input::Text(t) => fields.push((path.clone(), t.clone())),
                    Input::Bool(v) => fields.push((path.clone(), v.to_string())),
                    Input::List(l) => fields.extend(l.iter().map(|v| (path.clone(), v.clone()))),
                    Input::File(f) => files.push((path.clone(), f.name.clone(), file_content(&f.mime, f.size))),
                }
            }
            let multipart = html.contains("multipart/form-data");
            let resp = if multipart { b.post_multipart(&url, &fields, &files).await } else { b.post(&url, &fields).await };
            if resp.status == StatusCode::OK {
                html = resp.body.clone();
                r = Some(resp);
                continue;
            }
            r = Some(resp);
            break;
        }
        let r = r.expect("posted");
        if stop == Some(step_id.as_str()) {
            return r;
        }
        assert_eq!(r.status, StatusCode::SEE_OTHER, "step {step_id} of {} not accepted: {}", form.id(), error_summary(&r.body));
        url = r.location.unwrap();
    }
    panic!("{}: no summary after 40 pages", form.id())
}

pub async fn submit(b: &mut Browser, form_id: &str, summary: &Page) -> Page {
    let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"").unwrap();
    b.post(&format!("/f/{form_id}/submit"), &[("_csrf".into(), summary.csrf()), ("_idempotency".into(), idem)]).await
}

/// The text of a PDF by poppler's `pdftotext` (`.ci/run` installs poppler-utils); `None`
/// with a note on a developer machine without it.
pub fn pdftotext(bytes: &[u8]) -> Option<String> {
    let file = std::env::temp_dir().join(format!("wegweiser-server-pdf-{}.pdf", std::process::id()));
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&file).arg("-").output();
    let _ = std::fs::remove_file(&file);
    match out {
        Ok(o) => {
            assert!(o.status.success(), "pdftotext: {}", String::from_utf8_lossy(&o.stderr));
            Some(String::from_utf8(o.stdout).unwrap())
        }
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("pdftotext not available ({e}): PDF text not checked; install poppler-utils");
            None
        }
        Err(e) => panic!("pdftotext is needed in CI: {e}"),
    }
}

/// Every `<dt>` and answer `<dd>` of the summary page, as text.
pub fn summary_texts(html: &str) -> Vec<String> {
    texts_of(html, &[("<dt>", "</dt>"), ("<dd>", "</dd>")])
}

/// Every answer (`<dd>`) of the summary page, as text.
pub fn summary_answers(html: &str) -> Vec<String> {
    texts_of(html, &[("<dd>", "</dd>")])
}

fn texts_of(html: &str, elements: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in elements.iter().copied() {
        for part in html.split(open).skip(1) {
            let inner = part.split(close).next().unwrap_or_default();
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            let text = text.replace("&quot;", "\"").replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
            out.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}
