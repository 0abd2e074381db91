//! The registry of diagnostic codes (`engine::diag::codes`) is the one place a code is
//! defined: `docs/diagnostics.md` documents exactly its codes (the table with the same
//! titles, and one section each), every registered code is raised somewhere, and no
//! raise site in the workspace spells a code as a literal.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use engine::diag::codes;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

fn docs() -> String {
    std::fs::read_to_string(workspace().join("docs/diagnostics.md")).expect("docs/diagnostics.md")
}

/// True for `E0202`, `W0401`: a letter and four digits.
fn is_code(s: &str) -> bool {
    s.len() == 5 && (s.starts_with('E') || s.starts_with('W')) && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The rows of the docs' summary table: `| [E0202](#e0202) | title |`.
fn table_rows(docs: &str) -> Vec<(String, String)> {
    docs.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("| [")?;
            let (code, rest) = rest.split_once("](#")?;
            let (anchor, rest) = rest.split_once(") | ")?;
            let title = rest.strip_suffix(" |")?;
            assert_eq!(anchor, code.to_lowercase(), "the link of {code} in the table");
            is_code(code).then(|| (code.to_string(), title.to_string()))
        })
        .collect()
}

/// The codes that have a section of their own: `### E0202`.
fn sections(docs: &str) -> Vec<String> {
    docs.lines().filter_map(|l| l.strip_prefix("### ")).filter(|h| is_code(h.trim())).map(|h| h.trim().to_string()).collect()
}

#[test]
fn docs_list_exactly_the_registered_codes_with_their_titles() {
    let docs = docs();
    let registry: Vec<(String, String)> = codes::ALL.iter().map(|c| (c.code.to_string(), c.title.to_string())).collect();
    assert_eq!(table_rows(&docs), registry, "the table of docs/diagnostics.md and engine/src/diag/codes.rs differ");
    let registered: Vec<String> = codes::ALL.iter().map(|c| c.code.to_string()).collect();
    assert_eq!(sections(&docs), registered, "the `### CODE` sections of docs/diagnostics.md and the registry differ");
}

#[test]
fn the_table_parser_sees_extra_and_missing_codes() {
    // A check that cannot fail proves nothing: an undocumented or unregistered code shows.
    let docs = docs();
    let extra = docs.replacen("| [E0001](#e0001) |", "| [E0999](#e0999) | new |\n| [E0001](#e0001) |", 1);
    assert_eq!(table_rows(&extra).len(), codes::ALL.len() + 1);
    let missing = docs.replacen("### E0501", "### The scenario error", 1);
    assert_eq!(sections(&missing).len(), codes::ALL.len() - 1);
}

/// The Rust files below `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a source file before its first test module (tests may compare with
/// literal codes; raise sites may not).
fn non_test_code(p: &Path) -> String {
    let s = std::fs::read_to_string(p).expect("a source file");
    match s.find("#[cfg(test)]") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Every `"E0202"`-like literal in `src`.
fn code_literals(src: &str) -> Vec<String> {
    src.match_indices('"')
        .filter_map(|(i, _)| src.get(i + 1..i + 7))
        .filter(|s| s.ends_with('"') && is_code(&s[..5]))
        .map(|s| s[..5].to_string())
        .collect()
}

#[test]
fn raise_sites_name_registered_constants_never_literals() {
    let root = workspace();
    let mut files = Vec::new();
    for dir in ["engine/src", "runtime-server/src", "wasm/src", "fim-import/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "the walk found the sources: {}", files.len());
    let registry_file = root.join("engine/src/diag/codes.rs");
    let mut used = BTreeSet::new();
    for f in &files {
        if *f == registry_file {
            continue;
        }
        let src = non_test_code(f);
        let literals = code_literals(&src);
        assert!(literals.is_empty(), "{} spells {:?} as a literal: name `codes::…` instead", f.display(), literals);
        for c in codes::ALL {
            if src.contains(&format!("codes::{}", c.code)) {
                used.insert(c.code);
            }
        }
    }
    let unused: Vec<&str> = codes::ALL.iter().map(|c| c.code).filter(|c| !used.contains(c)).collect();
    assert!(unused.is_empty(), "registered but never raised: {unused:?}");
    assert_eq!(code_literals(r#"Diagnostic::error("E0101", span, "x")"#), ["E0101"]);
}
