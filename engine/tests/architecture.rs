//! `ARCHITECTURE.md` states which parts may not depend on which; these tests hold the
//! code to it, reading the rules from the document itself so that they cannot drift
//! apart:
//!
//! - "Must never depend on: `a`, `b`." under an engine module's heading (`#### `engine/src/x/``):
//!   no non-test source file of that module names `crate::a` (also inside `use crate::{…}`)
//!   or reaches it through `super::`.
//! - "May depend on: nothing of ours." / "May depend on: the engine …" under a crate's
//!   heading (`### `pdf/` (crate `wegweiser-pdf`, …)`): its `Cargo.toml` lists no other
//!   crate of the workspace under `[dependencies]` (dev targets aside), and its sources
//!   name no other workspace library.
//! - "The engine must (not|never) depend on it": the engine's `Cargo.toml` does not list
//!   that crate; "the server's core must not depend on it": no file under
//!   `runtime-server/src/server/` names its library.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

fn architecture() -> String {
    std::fs::read_to_string(workspace().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md")
}

/// The backticked names in `text` before the first `(` or end of sentence:
/// "`source`, `syntax`, `compile` (it works on a `Form` …)." → source, syntax, compile.
fn backticked_list(text: &str) -> Vec<String> {
    let end = text.find(['(', '.']).unwrap_or(text.len());
    text[..end].split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The paragraphs of a Markdown text, with the heading each belongs to; a paragraph's
/// lines are joined with spaces, so a rule may wrap.
fn paragraphs(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut para = String::new();
    for line in md.lines().chain([""]) {
        if line.starts_with('#') || line.trim().is_empty() {
            if !para.is_empty() {
                out.push((heading.clone(), std::mem::take(&mut para)));
            }
            if line.starts_with('#') {
                heading = line.to_string();
            }
        } else {
            if !para.is_empty() {
                para.push(' ');
            }
            para.push_str(line.trim());
        }
    }
    out
}

/// (module, forbidden modules) for each "Must never depend on:" under an engine module's
/// heading. The module is the heading's first path: `engine/src/source/` → `source`,
/// `engine/src/form.rs` → `form`.
fn module_rules(md: &str) -> Vec<(String, Vec<String>)> {
    let mut rules = Vec::new();
    for (heading, para) in paragraphs(md) {
        let Some(i) = para.find("Must never depend on:") else { continue };
        let Some(path) = heading.split('`').nth(1).and_then(|p| p.strip_prefix("engine/src/")) else {
            panic!("a \"Must never depend on\" rule under a heading that names no engine module: {heading}")
        };
        let module = path.trim_end_matches('/').trim_end_matches(".rs").to_string();
        let forbidden = backticked_list(&para[i + "Must never depend on:".len()..]);
        assert!(!forbidden.is_empty(), "the rule of {module} names no module: {para}");
        rules.push((module, forbidden));
    }
    rules
}

/// The Rust files below `p` (or `p` itself), leaving out test modules in files of their
/// own (`tests.rs`, `tests/`): the rules are about what the module's code uses.
fn rust_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_file() {
        out.push(p.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(p) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if p.is_dir() {
            if name != "tests" {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") && name != "tests.rs" {
            out.push(p);
        }
    }
}

/// The module path of an engine source file: `engine/src/session/env.rs` → [session, env],
/// `session/mod.rs` → [session], `form.rs` → [form].
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("a file of engine/src");
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    if last != "mod.rs" && last != "lib.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    parts
}

/// The code of a file before its first `#[cfg(test)]` or `#[cfg(all(test, …))]` (unit tests
/// may compile forms), with `//` comments removed (a doc comment may mention any module).
fn code(text: &str) -> Vec<(usize, String)> {
    let end = [text.find("#[cfg(test)]"), text.find("#[cfg(all(test")].into_iter().flatten().min();
    let text = end.map_or(text, |i| &text[..i]);
    text.lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.find("//").map_or(l, |i| &l[..i]).to_string()))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect()
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The top-level names inside a `{…}` group at the start of `s`: `{a::b, c, d::{e}}` →
/// a, c, d.
fn group_heads(s: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut start = true;
    for (i, c) in s.char_indices() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    start = true;
                    continue;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                start = true;
                continue;
            }
            _ => {}
        }
        if depth == 1 && start && !c.is_whitespace() {
            heads.push(ident(&s[i..]).to_string());
            start = false;
        }
    }
    heads
}

/// The top-level engine modules a line of `module`'s code refers to through `crate::` or
/// `super::` paths (grouped imports included).
fn referenced_modules(line: &str, module: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in line.match_indices("crate::").chain(line.match_indices("super::")) {
        // `super::` inside a longer path (`super::super::`, `crate::…::super`) is counted
        // at its start only.
        if i >= 2 && &line[i - 2..i] == "::" {
            continue;
        }
        if i > 0 && line[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `my_crate::`, `self_super::`
        }
        let mut rest = &line[i..];
        let mut base: Vec<String>;
        if let Some(r) = rest.strip_prefix("crate::") {
            base = Vec::new();
            rest = r;
        } else {
            base = module.to_vec();
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
        }
        let heads: Vec<String> = if rest.starts_with('{') { group_heads(rest) } else { vec![ident(rest).to_string()] };
        for h in heads {
            let top = if base.is_empty() { h } else { base[0].clone() };
            if !top.is_empty() && top != "self" {
                out.insert(top);
            }
        }
    }
    out
}

/// Every violation of the module rules in `ARCHITECTURE.md`, as `file:line: text`.
fn module_violations(md: &str, root: &Path) -> Vec<String> {
    let src = root.join("engine/src");
    let mut found = Vec::new();
    for (module, forbidden) in module_rules(md) {
        let mut files = Vec::new();
        for p in [src.join(&module), src.join(format!("{module}.rs"))] {
            rust_files(&p, &mut files);
        }
        assert!(!files.is_empty(), "ARCHITECTURE.md names engine/src/{module}, which has no source file");
        for f in files {
            let path = module_path(&src, &f);
            let text = std::fs::read_to_string(&f).expect("a source file");
            for (n, line) in code(&text) {
                for m in referenced_modules(&line, &path) {
                    if forbidden.contains(&m) {
                        found.push(format!(
                            "{}:{n}: `{module}` must never depend on `{m}`: {}",
                            f.strip_prefix(root).unwrap_or(&f).display(),
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    found
}

/// A crate section of `ARCHITECTURE.md`: its folder, package and library name, and the
/// text of its section up to the next crate's heading.
struct CrateSection {
    folder: String,
    package: String,
    library: String,
    text: String,
}

/// The `### `folder/` (crate `package`, library `lib`)` sections.
fn crate_sections(md: &str) -> Vec<CrateSection> {
    let mut out: Vec<CrateSection> = Vec::new();
    for line in md.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            let ticks: Vec<&str> = h.split('`').skip(1).step_by(2).collect();
            let crate_ = h.contains("(crate `");
            if crate_ && ticks.len() >= 2 {
                let package = ticks[1].to_string();
                let library = if h.contains("library `") { ticks[2].to_string() } else { package.replace('-', "_") };
                out.push(CrateSection { folder: ticks[0].trim_end_matches('/').to_string(), package, library, text: String::new() });
                continue;
            }
        }
        if let Some(c) = out.last_mut() {
            c.text.push_str(line);
            c.text.push('\n');
        }
    }
    out
}

/// The package names under `[dependencies]` and `[build-dependencies]` (also
/// `[target.….dependencies]`) of a `Cargo.toml`: what the crate's own code may use.
fn dependencies(cargo_toml: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut on = false;
    for line in cargo_toml.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            on = l == "[dependencies]" || l == "[build-dependencies]" || (l.starts_with("[target.") && l.ends_with(".dependencies]"));
            continue;
        }
        if on && !l.is_empty() && !l.starts_with('#') {
            let name = l.split(['=', '.', ' ']).next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// Whether a line of code names library `lib` as a path (`engine::`, `use fim::{…}`).
fn names_library(line: &str, lib: &str) -> bool {
    let pat = format!("{lib}::");
    line.match_indices(&pat).any(|(i, _)| {
        let before = &line[..i];
        !(before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') || before.ends_with("::"))
    })
}

/// Every violation of the crate rules in `ARCHITECTURE.md`.
fn crate_violations(md: &str, root: &Path) -> Vec<String> {
    let sections = crate_sections(md);
    assert!(sections.len() >= 6, "the crate sections of ARCHITECTURE.md: {}", sections.len());
    let ours: Vec<(&str, &str)> = sections.iter().map(|s| (s.package.as_str(), s.library.as_str())).collect();
    let manifest = |folder: &str| std::fs::read_to_string(root.join(folder).join("Cargo.toml")).expect("a Cargo.toml");
    let mut found = Vec::new();
    for s in &sections {
        let flat = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
        // The packages this crate may use: those its "May depend on:" sentence names ("the
        // engine", or a crate's folder, package or library in backticks); none for "nothing of
        // ours"; no rule for "everything" or without such a sentence.
        let allowed: Option<Vec<&str>> = flat.find("May depend on:").and_then(|i| {
            let rest = &flat[i + "May depend on:".len()..];
            let sentence = &rest[..rest.find(". ").unwrap_or(rest.len())];
            if sentence.contains("everything") {
                return None;
            }
            let named = |c: &CrateSection| {
                (c.folder == "engine" && sentence.contains("the engine"))
                    || [&c.folder, &c.package, &c.library].iter().any(|n| sentence.contains(&format!("`{n}`")))
            };
            Some(sections.iter().filter(|c| named(c)).map(|c| c.package.as_str()).collect())
        });
        if let Some(allowed) = allowed {
            let deps = dependencies(&manifest(&s.folder));
            let mut files = Vec::new();
            rust_files(&root.join(&s.folder).join("src"), &mut files);
            for (package, lib) in ours.iter().filter(|(p, _)| *p != s.package && !allowed.contains(p)) {
                if deps.contains(*package) {
                    found.push(format!("{}/Cargo.toml: `{}` may not depend on `{package}`", s.folder, s.package));
                }
                for f in &files {
                    let text = std::fs::read_to_string(f).expect("a source file");
                    for (n, line) in code(&text) {
                        if names_library(&line, lib) {
                            found.push(format!(
                                "{}:{n}: `{}` may not use `{lib}`: {}",
                                f.strip_prefix(root).unwrap_or(f).display(),
                                s.package,
                                line.trim()
                            ));
                        }
                    }
                }
            }
        }
        if s.folder != "engine"
            && (flat.contains("The engine must never depend on it") || flat.contains("The engine must not depend on it"))
            && dependencies(&manifest("engine")).contains(&s.package)
        {
            found.push(format!("engine/Cargo.toml: the engine must not depend on `{}`", s.package));
        }
        if flat.contains("the server's core must not depend on it") {
            let mut files = Vec::new();
            rust_files(&root.join("runtime-server/src/server"), &mut files);
            assert!(!files.is_empty(), "runtime-server/src/server has sources");
            for f in &files {
                let text = std::fs::read_to_string(f).expect("a source file");
                for (n, line) in code(&text) {
                    if names_library(&line, &s.library) {
                        found.push(format!(
                            "{}:{n}: the server's core may not use `{}`: {}",
                            f.strip_prefix(root).unwrap_or(f).display(),
                            s.library,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn engine_modules_keep_their_must_never_depend_on_lines() {
    let md = architecture();
    let rules = module_rules(&md);
    let modules: Vec<&str> = rules.iter().map(|(m, _)| m.as_str()).collect();
    for m in ["source", "syntax", "answers", "form", "expr", "checks", "session"] {
        assert!(modules.contains(&m), "the rules read from ARCHITECTURE.md: {modules:?}");
    }
    let found = module_violations(&md, &workspace());
    assert!(found.is_empty(), "ARCHITECTURE.md's \"Must never depend on\" lines are broken:\n{}", found.join("\n"));
}

#[test]
fn crates_keep_their_may_depend_on_lines() {
    let found = crate_violations(&architecture(), &workspace());
    assert!(found.is_empty(), "ARCHITECTURE.md's rules between the crates are broken:\n{}", found.join("\n"));
}

#[test]
fn a_planted_dependency_is_caught() {
    // A check that cannot fail proves nothing: the same scanners over planted lines.
    let session = ["session".to_string(), "env".to_string()];
    assert_eq!(referenced_modules("use crate::compile::Scope;", &session), BTreeSet::from(["compile".to_string()]));
    assert_eq!(referenced_modules("use crate::{form::Form, syntax};", &session), BTreeSet::from(["form".into(), "syntax".into()]));
    assert_eq!(referenced_modules("let x = super::super::source::read(s);", &session), BTreeSet::from(["source".to_string()]));
    assert_eq!(referenced_modules("use super::{Instance, paths};", &session), BTreeSet::from(["session".to_string()]));
    assert!(referenced_modules("use my_crate::compile;", &session).is_empty());
    assert_eq!(code("use crate::a; // crate::b\n#[cfg(test)]\nuse crate::c;"), [(1, "use crate::a; ".to_string())]);
    assert_eq!(code("use crate::a;\n#[cfg(all(test, feature = \"yaml\"))]\nuse crate::c;"), [(1, "use crate::a;".to_string())]);
    assert!(names_library("    let f = fim::import(x);", "fim"));
    assert!(!names_library("use engine::output::fim::layout;", "fim"));
    assert_eq!(backticked_list(" `source`, `syntax`, `compile` (it works on a `Form`)."), ["source", "syntax", "compile"]);
    assert_eq!(
        dependencies(
            "[dependencies]\nserde.workspace = true\nwegweiser-engine = { path = \"../engine\" }\n[dev-dependencies]\ninsta = \"1\""
        ),
        BTreeSet::from(["serde".into(), "wegweiser-engine".into()])
    );

    // And over the real tree with a rule it breaks: the session does use `checks`.
    let md = architecture().replacen(
        "Must never depend on: `source`, `syntax`, `compile` (it",
        "Must never depend on: `checks`, `compile` (it",
        1,
    );
    let found = module_violations(&md, &workspace());
    assert!(found.iter().any(|v| v.contains("engine/src/session/") && v.contains("must never depend on `checks`")), "{found:?}");
    // A rule that wraps onto the next line is read whole.
    let wrapped = "#### `engine/src/checks/`\n\nText. Must never depend\non: `compile`, `session`.\n";
    assert_eq!(module_rules(wrapped), [("checks".to_string(), vec!["compile".to_string(), "session".to_string()])]);
}
