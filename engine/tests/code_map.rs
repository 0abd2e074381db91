//! `ARCHITECTURE.md`'s code map names every module: each folder and `.rs` file under the
//! `src/` folders of the workspace's crates, so that a new module without a line in the
//! map fails here instead of leaving the map to rot. A file counts as named when the map
//! spells its path from the crate (`engine/src/session/env.rs`), or when a section of the
//! map (the text between two headings) names a folder above it (`engine/src/session/`)
//! and the rest of the path (`env.rs`, `answer_step/tests.rs`). A folder's `mod.rs` is
//! named with the folder.

use std::path::{Path, PathBuf};

/// The crates whose modules the map names.
const CRATES: [&str; 6] = ["engine", "runtime-server", "wasm", "fim-import", "pdf", "fitconnect"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

fn architecture() -> String {
    std::fs::read_to_string(workspace().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md")
}

/// The module paths below `crate/src`: each `.rs` file but `mod.rs` (`["session",
/// "env.rs"]`) and each folder holding one (`["session/"]`, `["session/", "answer_step/"]`).
fn modules(dir: &Path, prefix: &[String], out: &mut Vec<Vec<String>>) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    let mut has_rust = false;
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let p = e.path();
        if p.is_dir() {
            let mut path = prefix.to_vec();
            path.push(format!("{name}/"));
            let at = out.len();
            if modules(&p, &path, out) {
                out.insert(at, path);
                has_rust = true;
            }
        } else if name.ends_with(".rs") {
            has_rust = true;
            if name != "mod.rs" {
                let mut path = prefix.to_vec();
                path.push(name);
                out.push(path);
            }
        }
    }
    has_rust
}

/// Whether `text` holds `part` as a whole path segment: not inside a longer name
/// (`check.rs` is not in `precheck.rs` or `cli/check.rs`).
fn has_segment(text: &str, part: &str) -> bool {
    text.match_indices(part).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + part.len()..].chars().next();
        let name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        !before.is_some_and(|c| name(c) || c == '/' || c == '.') && (part.ends_with('/') || !after.is_some_and(name))
    })
}

/// The sections of a Markdown text: the text between two headings, each with its heading.
fn sections(md: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for line in md.lines() {
        if line.starts_with('#') {
            out.push(String::new());
        }
        let last = out.last_mut().expect("a section");
        last.push_str(line);
        last.push('\n');
    }
    out
}

/// Whether the map names module `parts` of crate `krate`.
fn named(md: &str, sections: &[String], krate: &str, parts: &[String]) -> bool {
    let src = format!("{krate}/src/");
    if md.contains(&format!("{src}{}", parts.concat())) {
        return true;
    }
    sections.iter().any(|s| {
        (0..parts.len()).any(|k| {
            let rest = &parts[k..];
            s.contains(&format!("{src}{}", parts[..k].concat()))
                && (has_segment(s, &rest.concat()) || rest.iter().all(|p| has_segment(s, p)))
        })
    })
}

/// The modules of the given crates that the map does not name, as paths.
fn unnamed(md: &str, crates: &[(String, Vec<Vec<String>>)]) -> Vec<String> {
    let sections = sections(md);
    let mut out = Vec::new();
    for (krate, mods) in crates {
        for m in mods {
            if !named(md, &sections, krate, m) {
                out.push(format!("{krate}/src/{}", m.concat()));
            }
        }
    }
    out
}

fn tree() -> Vec<(String, Vec<Vec<String>>)> {
    let root = workspace();
    CRATES
        .iter()
        .map(|c| {
            let mut mods = Vec::new();
            modules(&root.join(c).join("src"), &[], &mut mods);
            (c.to_string(), mods)
        })
        .collect()
}

#[test]
fn the_code_map_names_every_module() {
    let tree = tree();
    let count: usize = tree.iter().map(|(_, m)| m.len()).sum();
    assert!(count > 100, "the walk found the modules: {count}");
    let missing = unnamed(&architecture(), &tree);
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map does not name these modules (add a line for each):\n{}", missing.join("\n"));
}

#[test]
fn the_code_map_names_the_entry_points_and_they_exist() {
    let md = architecture();
    let root = workspace();
    // (as the map names it, the file that defines it, what the definition reads like)
    let entries = [
        ("engine::compile", "engine/src/compile/mod.rs", "pub fn compile("),
        ("Session::new", "engine/src/session/mod.rs", "pub fn new("),
        ("wegweiser::cli::run", "runtime-server/src/main.rs", "fn main("),
        ("`Guide`", "wasm/src/lib.rs", "pub struct Guide"),
        ("fim::import", "fim-import/src/lib.rs", "pub fn import("),
        ("pdf::render", "pdf/src/lib.rs", "pub fn render("),
        ("fitconnect::Sender", "fitconnect/src/sender.rs", "pub struct Sender"),
    ];
    for (name, file, definition) in entries {
        assert!(md.contains(name), "ARCHITECTURE.md does not name the entry point {name}");
        let src = std::fs::read_to_string(root.join(file)).expect(file);
        assert!(src.contains(definition), "{file} no longer defines {name} (`{definition}`)");
    }
}

#[test]
fn an_unnamed_module_is_caught() {
    // A check that cannot fail proves nothing: plant a module the map does not name, and
    // take a named one out of the map.
    let mut tree = tree();
    tree[0].1.push(vec!["session/".into(), "unmapped.rs".into()]);
    tree[0].1.push(vec!["unmapped/".into()]);
    assert_eq!(unnamed(&architecture(), &tree), ["engine/src/session/unmapped.rs", "engine/src/unmapped/"]);
    let md = architecture().replace("`paths.rs`", "`the paths`");
    assert_eq!(unnamed(&md, &self::tree()), ["engine/src/session/paths.rs"]);

    let md = "## A\n`engine/src/session/`: `env.rs`, `answer_step/tests.rs`\n## B\n`cache.rs`\n";
    let mods = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let crates = [(
        "engine".to_string(),
        vec![
            mods(&["session/"]),
            mods(&["session/", "env.rs"]),
            mods(&["session/", "answer_step/"]),
            mods(&["session/", "answer_step/", "tests.rs"]),
            mods(&["session/", "cache.rs"]),
        ],
    )];
    assert_eq!(unnamed(md, &crates), ["engine/src/session/cache.rs"], "named only in a section of its folder");
    assert!(!has_segment("`precheck.rs`, `cli/check.rs`", "check.rs"));
    assert!(has_segment("`check.rs`,", "check.rs"));
}
