//! The language reference (`docs/form-language.md`) is the contract: code and docs cite
//! its sections by their explicit anchors (`docs/form-language.md#empty-values`), never by
//! the section numbers ("§6") of the original contract, which is not in the repository.
//! These tests fail on a "§N" citation anywhere in the workspace's sources and docs, and
//! on a cited anchor (or a link inside the reference) that the reference does not have.
//! `scripts/cite-docs` rewrites "§N" citations with the map of the reference's table
//! "Contract sections".

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const DOC: &str = "docs/form-language.md";

/// This file, whose scanner tests plant citations on purpose.
const SELF: &str = "engine/tests/doc_citations.rs";

/// File kinds that hold citations: code, grammar, docs, forms, templates.
const EXTENSIONS: [&str; 8] = ["rs", "md", "mjs", "js", "pest", "yaml", "toml", "html"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

/// The files below `dir` with one of `EXTENSIONS`, leaving out build output, installed
/// packages and hidden folders.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                files(&p, out);
            }
        } else if p.extension().is_some_and(|x| EXTENSIONS.iter().any(|e| x == *e)) {
            out.push(p);
        }
    }
}

/// The explicit anchors of the reference: `<a id="empty-values"></a>`.
fn anchors(doc: &str) -> BTreeSet<String> {
    doc.match_indices("<a id=\"").filter_map(|(i, m)| doc[i + m.len()..].split_once('"')).map(|(id, _)| id.to_string()).collect()
}

/// Citations of the original contract's sections: "§" directly followed by a digit ("§6",
/// "§4 `email`"). Legal citations have a space ("§ 14 GewO", "§§ 187(2) BGB").
fn section_citations(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.match_indices('§').any(|(i, m)| l[i + m.len()..].starts_with(|c: char| c.is_ascii_digit())))
        .map(|(n, l)| (n + 1, l.trim().to_string()))
        .collect()
}

/// The anchors cited as `form-language.md#anchor` (`docs/form-language.md#…` in code,
/// `](form-language.md#…)` in the docs), with their line numbers.
fn cited_anchors(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, l) in text.lines().enumerate() {
        for (i, m) in l.match_indices("form-language.md#") {
            let rest = &l[i + m.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
            out.push((n + 1, rest[..end].to_string()));
        }
    }
    out
}

/// The links inside the reference to its own sections: `](#empty-values)`.
fn internal_links(doc: &str) -> Vec<String> {
    doc.match_indices("](#").filter_map(|(i, m)| doc[i + m.len()..].split_once(')')).map(|(a, _)| a.to_string()).collect()
}

fn read(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok() // a fixture in another encoding cites nothing
}

#[test]
fn no_source_cites_a_section_number_of_the_contract() {
    let root = workspace();
    let mut all = Vec::new();
    files(&root, &mut all);
    assert!(all.len() > 100, "the walk found the workspace's files: {}", all.len());
    let mut found = Vec::new();
    for f in &all {
        if f.ends_with(DOC) || f.ends_with(SELF) {
            continue; // the reference's table "Contract sections" maps the numbers to the anchors
        }
        let Some(text) = read(f) else { continue };
        for (line, l) in section_citations(&text) {
            found.push(format!("{}:{line}: {l}", f.strip_prefix(&root).unwrap_or(f).display()));
        }
    }
    assert!(
        found.is_empty(),
        "cite docs/form-language.md#anchor, not a section of the contract (scripts/cite-docs rewrites them):\n{}",
        found.join("\n")
    );
}

#[test]
fn every_cited_anchor_exists_in_the_reference() {
    let root = workspace();
    let doc = read(&root.join(DOC)).expect("docs/form-language.md");
    let anchors = anchors(&doc);
    assert!(anchors.len() > 40, "the reference's anchors: {anchors:?}");
    let mut all = Vec::new();
    files(&root, &mut all);
    let mut missing = Vec::new();
    let mut cited = 0;
    for f in all.iter().filter(|f| !f.ends_with(SELF)) {
        let Some(text) = read(f) else { continue };
        for (line, a) in cited_anchors(&text) {
            cited += 1;
            if !anchors.contains(&a) {
                missing.push(format!("{}:{line}: #{a}", f.strip_prefix(&root).unwrap_or(f).display()));
            }
        }
    }
    assert!(cited > 100, "the walk found the citations: {cited}");
    for a in internal_links(&doc) {
        if !anchors.contains(&a) {
            missing.push(format!("{DOC}: a link to #{a}"));
        }
    }
    assert!(missing.is_empty(), "anchors that docs/form-language.md does not have (add `<a id=\"…\"></a>`):\n{}", missing.join("\n"));
}

#[test]
fn the_anchors_of_the_reference_are_unique() {
    let doc = read(&workspace().join(DOC)).expect("docs/form-language.md");
    let ids: Vec<&str> = doc.match_indices("<a id=\"").filter_map(|(i, m)| doc[i + m.len()..].split_once('"')).map(|(id, _)| id).collect();
    let mut seen = BTreeSet::new();
    let twice: Vec<&str> = ids.iter().copied().filter(|id| !seen.insert(*id)).collect();
    assert!(twice.is_empty(), "anchors defined twice: {twice:?}");
}

#[test]
fn the_scanners_see_what_they_look_for() {
    // A check that cannot fail proves nothing: each scanner finds a planted case and lets
    // the legal citations pass.
    assert_eq!(section_citations("a\n// empty (§6).\n"), [(2, "// empty (§6).".to_string())]);
    assert_eq!(section_citations("x (§4 `email`)").len(), 1);
    assert!(section_citations("nach § 14 GewO; §§ 187(2), 188 BGB; § 139b AO").is_empty());
    assert_eq!(
        cited_anchors("see (docs/form-language.md#empty-values), [x](form-language.md#no-such-anchor)."),
        [(1, "empty-values".to_string()), (1, "no-such-anchor".to_string())]
    );
    assert_eq!(anchors("<a id=\"x\"></a>\n\n## X\n<a id=\"y-z\"></a>"), BTreeSet::from(["x".to_string(), "y-z".to_string()]));
    assert_eq!(internal_links("[a](#x) and [b](#y)"), ["x", "y"]);
}
