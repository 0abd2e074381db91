//! `wegweiser test PATH...`: runs the scenario files (`*.test.yaml`, docs/form-language.md#scenario-tests) found in the
//! given files and folders against the form file beside each, and prints one line per
//! scenario, each failed expectation, and `N passed, N failed`.
//!
//! A form with parameters (docs/authorities.md) is tested once with its defaults (when
//! every parameter has one) and once for every authority of its folder that offers it,
//! with that authority's values, the authority named in brackets. A scenario file in an
//! authority's folder (`authorities/<id>/hundesteuer.test.yaml`) tests the form of the
//! same name in the forms folder for that authority only.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::Exit;
use crate::authority::{Authorities, DIR_NAME};
use engine::diag::render::render_text;
use engine::form::ParameterValues;

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
    // The authorities of each forms folder, loaded once.
    let mut authorities: std::collections::HashMap<PathBuf, Authorities> = std::collections::HashMap::new();
    let mut reported = std::collections::HashSet::new();
    for t in files {
        let own = own_authority(&t);
        let form_path = match &own {
            Some((forms_dir, _)) => {
                forms_dir.join(t.file_name().map(|n| n.to_string_lossy().replace(".test.yaml", ".yaml")).unwrap_or_default())
            }
            None => form_path_of(&t),
        };
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
        let forms_dir = crate::authority::dir_or_here(form_path.parent().unwrap_or(Path::new("")));
        let auths = authorities.entry(forms_dir.clone()).or_insert_with(|| {
            let forms = crate::authority::forms_of_dir(&forms_dir);
            crate::authority::load_dir(&forms_dir, &forms.iter().collect::<Vec<_>>())
        });
        // The runs of this file: (authority id, its parameter values).
        let mut runs: Vec<(Option<String>, ParameterValues)> = Vec::new();
        match &own {
            Some((_, id)) => match auths.get(id) {
                Some(a) if a.forms.contains_key(form.id()) => runs.push((Some(id.clone()), a.forms[form.id()].parameters.clone())),
                Some(_) => {
                    let _ = writeln!(out, "error: `{}`: the authority `{id}` does not offer the form `{}`", t.display(), form.id());
                    failed += 1;
                    continue;
                }
                None => {
                    let _ = writeln!(out, "error: `{}`: the authority `{id}` is not usable (see `wegweiser check`)", t.display());
                    failed += 1;
                    continue;
                }
            },
            None => {
                if form.parameters().iter().all(|p| p.default.is_some()) {
                    runs.push((None, ParameterValues::new()));
                }
                for a in auths.offering(form.id()) {
                    runs.push((Some(a.id.clone()), a.forms[form.id()].parameters.clone()));
                }
            }
        }
        if auths.has_errors() && reported.insert(forms_dir.clone()) {
            let _ = writeln!(
                out,
                "error: the authority files in `{}` have errors; those authorities are not tested (see `wegweiser check`)",
                forms_dir.join(DIR_NAME).display()
            );
            failed += 1;
        }
        if runs.is_empty() {
            let _ = writeln!(
                out,
                "error: `{}`: the form has parameters without a default and no authority offers it, so no scenario can run",
                t.display()
            );
            failed += 1;
        }
        for (authority, values) in runs {
            let label = match &authority {
                Some(a) => format!("{} [{a}]", t.display()),
                None => t.display().to_string(),
            };
            match engine::scenario::run_scenarios_with(&form, &test_src, &values) {
                Err(diags) => {
                    for d in &diags {
                        out.push_str(&render_text(d, &t.to_string_lossy(), &test_src, false));
                    }
                    if authority.is_some() {
                        let _ = writeln!(
                            out,
                            "         (with the parameter values of the authority `{}`)",
                            authority.as_deref().unwrap_or_default()
                        );
                    }
                    failed += 1;
                }
                Ok(outcomes) => {
                    if coverage {
                        let gaps = engine::scenario::uncovered(&form, &outcomes);
                        if gaps.is_empty() {
                            let _ = writeln!(out, "coverage {label}: every condition seen true and false");
                        } else {
                            let _ = writeln!(out, "coverage {label}: {} conditions not seen both true and false:", gaps.len());
                            for g in gaps {
                                let _ = writeln!(out, "         {g}");
                            }
                        }
                    }
                    for o in outcomes {
                        if o.failures.is_empty() {
                            passed += 1;
                            let _ = writeln!(out, "ok     {label} — {}", o.name);
                        } else {
                            failed += 1;
                            let _ = writeln!(out, "FAILED {label} — {}", o.name);
                            for m in o.failures {
                                let _ = writeln!(out, "         {}: expected {}, got {}", m.key, m.expected, m.actual);
                            }
                        }
                    }
                }
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    (out, if failed > 0 { Exit::Diagnostics } else { Exit::Ok })
}

/// For a scenario file in an authority's folder (`<forms>/authorities/<id>/x.test.yaml`):
/// the forms folder and the authority's id.
fn own_authority(t: &Path) -> Option<(PathBuf, String)> {
    let folder = t.parent()?;
    let authorities = folder.parent()?;
    if authorities.file_name()? != DIR_NAME {
        return None;
    }
    Some((authorities.parent()?.to_path_buf(), folder.file_name()?.to_string_lossy().into_owned()))
}

fn form_path_of(t: &Path) -> PathBuf {
    let s = t.to_string_lossy();
    PathBuf::from(format!("{}.yaml", s.strip_suffix(".test.yaml").unwrap_or(&s)))
}
