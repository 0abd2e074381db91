//! `wegweiser test PATH...`: runs the scenario files (`*.test.yaml`, §11) found in the
//! given files and folders against the form file beside each, and prints one line per
//! scenario, each failed expectation, and `N passed, N failed`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::Exit;
use super::render::render_text;

/// Arguments of `wegweiser test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files (`foo.test.yaml`), form files (`foo.yaml`) or folders to search.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Also list, per form, every condition the scenarios never saw both true and false.
    #[arg(long)]
    pub coverage: bool,
}

/// Runs the command and prints its report.
pub fn run(args: &Args) -> Exit {
    let (out, exit) = test(&args.paths, args.coverage);
    print!("{out}");
    exit
}

/// Finds the scenario files below `paths`.
fn scenario_files(paths: &[PathBuf], out: &mut String) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut ok = true;
    for p in paths {
        if p.is_dir() {
            let mut stack = vec![p.clone()];
            while let Some(d) = stack.pop() {
                let Ok(rd) = std::fs::read_dir(&d) else { continue };
                let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
                entries.sort();
                for e in entries {
                    if e.is_dir() {
                        stack.push(e);
                    } else if e.to_string_lossy().ends_with(".test.yaml") {
                        files.push(e);
                    }
                }
            }
        } else if p.to_string_lossy().ends_with(".test.yaml") && p.is_file() {
            files.push(p.clone());
        } else if p.is_file() {
            let s = p.to_string_lossy();
            let t = PathBuf::from(format!("{}.test.yaml", s.strip_suffix(".yaml").unwrap_or(&s)));
            if t.is_file() {
                files.push(t);
            } else {
                let _ = writeln!(out, "error: no scenario file `{}` next to `{}`", t.display(), p.display());
                ok = false;
            }
        } else {
            let _ = writeln!(out, "error: `{}` does not exist", p.display());
            ok = false;
        }
    }
    files.sort();
    if ok { Some(files) } else { None }
}

/// Runs every scenario file; returns the report and the exit status.
pub fn test(paths: &[PathBuf], coverage: bool) -> (String, Exit) {
    let mut out = String::new();
    let Some(files) = scenario_files(paths, &mut out) else { return (out, Exit::Failure) };
    let (mut passed, mut failed) = (0usize, 0usize);
    for t in files {
        let form_path = form_path_of(&t);
        let Ok(src) = std::fs::read_to_string(&form_path) else {
            let _ = writeln!(out, "error: cannot read the form `{}` for `{}`", form_path.display(), t.display());
            failed += 1;
            continue;
        };
        let compiled = engine::compile(&src);
        let Some(form) = compiled.form else {
            let _ = writeln!(out, "✗ {}: the form does not compile", form_path.display());
            for d in compiled.diagnostics.iter().filter(|d| d.is_error()) {
                out.push_str(&render_text(d, &form_path.to_string_lossy(), &src, false));
            }
            failed += 1;
            continue;
        };
        let Ok(test_src) = std::fs::read_to_string(&t) else {
            let _ = writeln!(out, "error: cannot read `{}`", t.display());
            failed += 1;
            continue;
        };
        match engine::scenario::run_scenarios(&form, &test_src) {
            Err(diags) => {
                for d in &diags {
                    out.push_str(&render_text(d, &t.to_string_lossy(), &test_src, false));
                }
                failed += 1;
            }
            Ok(outcomes) => {
                if coverage {
                    let gaps = engine::scenario::uncovered(&form, &outcomes);
                    if gaps.is_empty() {
                        let _ = writeln!(out, "coverage {}: every condition seen true and false", form_path.display());
                    } else {
                        let _ = writeln!(out, "coverage {}: {} conditions not seen both true and false:", form_path.display(), gaps.len());
                        for g in gaps {
                            let _ = writeln!(out, "         {g}");
                        }
                    }
                }
                for o in outcomes {
                    if o.failures.is_empty() {
                        passed += 1;
                        let _ = writeln!(out, "ok     {} — {}", t.display(), o.name);
                    } else {
                        failed += 1;
                        let _ = writeln!(out, "FAILED {} — {}", t.display(), o.name);
                        for m in o.failures {
                            let _ = writeln!(out, "         {}: expected {}, got {}", m.key, m.expected, m.actual);
                        }
                    }
                }
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    (out, if failed > 0 { Exit::Diagnostics } else { Exit::Ok })
}

fn form_path_of(t: &Path) -> PathBuf {
    let s = t.to_string_lossy();
    PathBuf::from(format!("{}.yaml", s.strip_suffix(".test.yaml").unwrap_or(&s)))
}
