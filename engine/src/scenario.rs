//! Scenario tests for form authors (docs/form-language.md#scenario-tests): `foo.test.yaml` next to `foo.yaml`. Used by
//! `wegweiser test` and by the project's own tests of the bundled forms.

use crate::diag::codes;
use serde_json::Value as Json;

use crate::diag::Diagnostic;
use crate::form::{FieldType, Form, ParameterValues};
use crate::session::{AnswerError, BudgetExhausted, Session};
use crate::source::{CoreType, Node, NodeKind};

mod file;

pub use file::{Scenario, ScenarioAnswer, ScenarioEntries, ScenarioFile};

/// The outcome of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The scenario's name.
    pub name: String,
    /// The expectations that did not hold.
    pub failures: Vec<Mismatch>,
    /// Every condition with whether it held after the scenario's answers (for `--coverage`).
    pub conditions: Vec<(crate::form::Site, bool)>,
    /// Expressions the scenario evaluated ([`Session::evaluations`]); tests use it to show
    /// that its answers cost one walk of the path per batch, not one per answer.
    pub evaluations: u64,
    /// The submission's `data` when the answers are submittable, else `None`: what tests of
    /// the documents derived from it (the FIM data) start from.
    pub submission: Option<Json>,
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The `expect` key and the item (`errors hund.0.wesenstest`).
    pub key: String,
    /// What the scenario expected.
    pub expected: String,
    /// What came out.
    pub actual: String,
}

/// Runs every scenario of a test file's text against a compiled form, with the form's
/// parameter defaults and the `parameters:` the file and each scenario set.
pub fn run_scenarios(form: &Form, source: &str) -> Result<Vec<Outcome>, Vec<Diagnostic>> {
    run_scenarios_with(form, source, &ParameterValues::new())
}

/// [`run_scenarios`] for one deployment: `base` holds its parameter values (an
/// authority's), which the file's top-level `parameters:` and then each scenario's own
/// replace name by name. An undeclared parameter or a value that does not fit is an error
/// located in the scenario file, as is a parameter without default that nothing sets.
pub fn run_scenarios_with(form: &Form, source: &str, base: &ParameterValues) -> Result<Vec<Outcome>, Vec<Diagnostic>> {
    let file = ScenarioFile::read(form, source, base)?;
    let mut out = Vec::with_capacity(file.scenarios.len());
    for sc in &file.scenarios {
        let lang = sc.language.as_deref().unwrap_or_else(|| form.default_language());
        let mut s = Session::with_parameters(form, lang, file.today, &sc.parameters)
            .map_err(|e| vec![Diagnostic::error(codes::E0603, sc.span, e.to_string())])?;
        let mut failures = sc.answer_failures.clone();
        set_answers(&mut s, &sc.answers, &sc.entries, &mut failures);
        // A scenario's session has no evaluation budget (each expression keeps its own), so
        // `BudgetExhausted` cannot come; were it to, it is the scenario's failure.
        let evaluated = (|| {
            if let Some(expect) = &sc.expect
                && let NodeKind::Map(ex) = &expect.kind
            {
                for (k, v) in ex {
                    check(&s, k.as_str().unwrap_or_default(), v, &mut failures)?;
                }
            }
            let submission = if s.is_submittable()? { Some(s.submission_data()?) } else { None };
            Ok::<_, BudgetExhausted>((s.condition_outcomes()?, submission))
        })();
        let (conditions, submission) = evaluated.unwrap_or_else(|e| {
            failures.push(Mismatch { key: "evaluation".into(), expected: "within the budget".into(), actual: e.to_string() });
            (Vec::new(), None)
        });
        let evaluations = s.evaluations();
        out.push(Outcome { name: sc.name.clone(), failures, conditions, evaluations, submission });
    }
    Ok(out)
}

/// Sets a scenario's answers and entry lists on a session; answers the session refuses
/// become failures.
fn set_answers(s: &mut Session<'_>, answers: &[ScenarioAnswer], entries: &[ScenarioEntries], failures: &mut Vec<Mismatch>) {
    // The entries and then the answers are set in one batch each, each walking the
    // path once: one walk per answer (and per listed group) made a scenario cost
    // answers × path. The result is the same as in the file's order: what a session
    // holds is a function of its answers and entry counts, and both an entry list
    // (entries added up to its length, stopping at `max`: the count becomes
    // max(count, min(length, max))) and an answer (the count becomes at least its
    // entry + 1) only raise a count to a bound of their own, which commute.
    let mut batch = Vec::with_capacity(answers.len());
    for a in answers {
        match s.check_answer(&a.path, Some(&a.input)) {
            Ok(()) => batch.push((a.path.clone(), Some(a.input.clone()))),
            Err(e) => failures.push(answer_mismatch(&a.path, &e)),
        }
    }
    s.add_entries(entries.iter().map(|e| (e.group, e.count)));
    if !batch.is_empty()
        && let Err(e) = s.set_answers(batch)
    {
        failures.push(answer_mismatch("", &e));
    }
}

/// Sets the answers of an answers file on a session (`wegweiser show --answers`): a YAML map
/// of answers by field, written like a scenario's `answers:` (`hund: [{ hund_name: Bello }]`,
/// `hund.0.rasse: dackel`) and read by the same reader ([`ScenarioFile`]). Returns the
/// answers that do not fit the form (no such field, a value of the wrong kind); the others
/// are set.
pub fn read_answers(s: &mut Session<'_>, source: &str) -> Result<Vec<Mismatch>, Vec<Diagnostic>> {
    // No answers at all (the YAML reader calls an empty text an empty *form* file).
    if source.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(Vec::new());
    }
    let root = crate::source::parse_yaml(source)?;
    match &root.kind {
        NodeKind::Map(_) => {}
        _ if root.is_null() => return Ok(Vec::new()),
        _ => {
            return Err(vec![Diagnostic::error(
                codes::E0501,
                root.span,
                "an answers file is a map of answers by field, like a scenario's `answers:`",
            )]);
        }
    }
    let read = file::answer_map(s.form(), &root, s.language());
    let mut failures = read.answer_failures;
    set_answers(s, &read.answers, &read.entries, &mut failures);
    Ok(failures)
}

fn answer_mismatch(path: &str, e: &AnswerError) -> Mismatch {
    let expected = match e {
        AnswerError::WrongKind(_) => "an answer this field can hold",
        _ => "an input field",
    };
    Mismatch { key: format!("answers {path}").trim_end().to_string(), expected: expected.into(), actual: e.to_string() }
}

fn type_word(ty: FieldType) -> String {
    serde_json::to_value(ty).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

fn scalar_text(n: &Node) -> Option<String> {
    n.as_scalar().filter(|s| s.core_type() != CoreType::Null).map(|s| s.value.clone())
}

fn list_of(n: &Node) -> Vec<String> {
    match &n.kind {
        NodeKind::Seq(items) => items.iter().filter_map(scalar_text).collect(),
        _ => scalar_text(n).into_iter().collect(),
    }
}

fn check(s: &Session<'_>, key: &str, v: &Node, failures: &mut Vec<Mismatch>) -> Result<(), BudgetExhausted> {
    let form = s.form();
    match key {
        "path" => {
            let expected = list_of(v);
            let actual: Vec<String> = s.path()?.iter().map(|id| form.step(*id).id.clone()).collect();
            if expected != actual {
                failures.push(Mismatch {
                    key: "path".into(),
                    expected: format!("[{}]", expected.join(", ")),
                    actual: format!("[{}]", actual.join(", ")),
                });
            }
        }
        "active" | "inactive" => {
            for p in list_of(v) {
                let actual = s.instance(&p).map(|i| s.is_active(i));
                let want = key == "active";
                if actual != Some(want) {
                    failures.push(Mismatch {
                        key: format!("{key} {p}"),
                        expected: key.into(),
                        actual: match actual {
                            None => "no such field".into(),
                            Some(true) => "active".into(),
                            Some(false) => "inactive".into(),
                        },
                    });
                }
            }
        }
        "errors" | "no_errors" => {
            let problems = s.problems()?;
            let items: Vec<(String, Option<String>)> = match &v.kind {
                NodeKind::Map(m) => m.iter().map(|(k, c)| (k.as_str().unwrap_or_default().to_string(), scalar_text(c))).collect(),
                _ => list_of(v).into_iter().map(|p| (p, None)).collect(),
            };
            for (target, code) in items {
                let step_id = target
                    .strip_prefix("step:")
                    .map(String::from)
                    .or_else(|| (s.instance(&target).is_none() && form.step_by_id(&target).is_some()).then(|| target.clone()));
                let mine: Vec<&crate::session::Problem> = problems
                    .iter()
                    .filter(|p| match &step_id {
                        Some(st) => p.field.is_none() && p.step == *st,
                        None => p.field.as_deref() == Some(target.as_str()),
                    })
                    .collect();
                let codes: Vec<&str> = mine.iter().map(|p| p.check.as_str()).collect();
                let ok = if key == "errors" {
                    match &code {
                        Some(c) => codes.contains(&c.as_str()),
                        None => !codes.is_empty(),
                    }
                } else {
                    codes.is_empty()
                };
                if !ok {
                    failures.push(Mismatch {
                        key: format!("{key} {target}"),
                        expected: if key == "errors" { code.unwrap_or_else(|| "a problem".into()) } else { "no problem".into() },
                        actual: if mine.is_empty() {
                            "no problem".into()
                        } else {
                            mine.iter().map(|p| format!("{} ({})", p.check.as_str(), p.message)).collect::<Vec<_>>().join(", ")
                        },
                    });
                }
            }
        }
        "values" => {
            if let NodeKind::Map(m) = &v.kind {
                for (k, want) in m {
                    let name = k.as_str().unwrap_or_default();
                    let actual = if let Some(inst) = s.instance(name) {
                        let val = s.value(inst);
                        crate::session::canonical_json(form.field(inst.field), &val)
                    } else if let Some(i) = form.values.iter().position(|x| x.id == name) {
                        let val = s.named_value(crate::ids::ValueId(i as u32));
                        crate::session::value_json(&val, None)
                    } else {
                        failures.push(Mismatch {
                            key: format!("values {name}"),
                            expected: "a field or value".into(),
                            actual: "no such name".into(),
                        });
                        continue;
                    };
                    let expected = scalar_text(want);
                    let actual_text = json_text(&actual);
                    if expected != actual_text {
                        failures.push(Mismatch {
                            key: format!("values {name}"),
                            expected: expected.unwrap_or_else(|| "empty".into()),
                            actual: actual_text.unwrap_or_else(|| "empty".into()),
                        });
                    }
                }
            }
        }
        "submittable" => {
            let want = matches!(v.as_scalar().map(|s| s.core_type()), Some(CoreType::Bool(true)));
            let actual = s.is_submittable()?;
            if want != actual {
                let why = if actual {
                    String::new()
                } else {
                    let problems = s.problems()?;
                    let end = match s.path_end()? {
                        crate::form::Target::Summary => String::new(),
                        crate::form::Target::Step(st) => format!("; the path ends at the exit step `{}`", form.step(st).id),
                    };
                    format!(
                        " ({} problems{}{})",
                        problems.len(),
                        end,
                        problems
                            .first()
                            .map(|p| format!("; first: {} {} {}", p.field.clone().unwrap_or(p.step.clone()), p.check.as_str(), p.message))
                            .unwrap_or_default()
                    )
                };
                failures.push(Mismatch { key: "submittable".into(), expected: want.to_string(), actual: format!("{actual}{why}") });
            }
        }
        "submission" => {
            let data = s.submission_data()?;
            partial_match("submission", v, &data, failures);
        }
        "not_submitted" => {
            let data = s.submission_data()?;
            for p in list_of(v) {
                let mut cur = Some(&data);
                for seg in p.split('.') {
                    cur = cur.and_then(|c| match c {
                        Json::Object(m) => m.get(seg),
                        Json::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                        _ => None,
                    });
                }
                if let Some(found) = cur {
                    failures.push(Mismatch {
                        key: format!("not_submitted {p}"),
                        expected: "not in the submission".into(),
                        actual: found.to_string(),
                    });
                }
            }
        }
        other => failures.push(Mismatch {
            key: other.into(),
            expected: "one of path, active, inactive, errors, no_errors, values, submittable, submission, not_submitted".into(),
            actual: "an unknown expect key".into(),
        }),
    }
    Ok(())
}

fn json_text(j: &Json) -> Option<String> {
    match j {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

fn partial_match(at: &str, want: &Node, got: &Json, failures: &mut Vec<Mismatch>) {
    match (&want.kind, got) {
        (NodeKind::Map(m), Json::Object(o)) => {
            for (k, w) in m {
                let key = k.as_str().unwrap_or_default();
                match o.get(key) {
                    Some(g) => partial_match(&format!("{at}.{key}"), w, g, failures),
                    None if w.is_null() => {}
                    None => failures.push(Mismatch { key: format!("{at}.{key}"), expected: node_text(w), actual: "missing".into() }),
                }
            }
        }
        (NodeKind::Seq(items), Json::Array(a)) => {
            if items.len() != a.len() {
                failures.push(Mismatch {
                    key: at.into(),
                    expected: format!("{} entries", items.len()),
                    actual: format!("{} entries", a.len()),
                });
            }
            for (i, (w, g)) in items.iter().zip(a).enumerate() {
                partial_match(&format!("{at}.{i}"), w, g, failures);
            }
        }
        (NodeKind::Scalar(_), g) => {
            let expected = scalar_text(want);
            let actual = json_text(g);
            if expected != actual {
                failures.push(Mismatch {
                    key: at.into(),
                    expected: expected.unwrap_or_else(|| "empty".into()),
                    actual: actual.unwrap_or_else(|| "empty".into()),
                });
            }
        }
        _ => failures.push(Mismatch { key: at.into(), expected: node_text(want), actual: got.to_string() }),
    }
}

fn node_text(n: &Node) -> String {
    match &n.kind {
        NodeKind::Scalar(s) => s.value.clone(),
        NodeKind::Seq(_) => "a list".into(),
        NodeKind::Map(_) => "a map".into(),
    }
}

/// The conditions that the scenarios never saw both true and false, described for the
/// author, in the form's order.
pub fn uncovered(form: &Form, outcomes: &[Outcome]) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<crate::form::Site, (bool, bool)> = std::collections::BTreeMap::new();
    for (site, e) in form.sites() {
        // A constant (`required: true`) has no branch to cover.
        if matches!(e, crate::expr::CExpr::Lit(_)) {
            continue;
        }
        if !matches!(
            site,
            crate::form::Site::Min(_) | crate::form::Site::Max(_) | crate::form::Site::Computed(_) | crate::form::Site::Value(_)
        ) {
            seen.insert(site, (false, false));
        }
    }
    for o in outcomes {
        for (site, holds) in &o.conditions {
            if let Some(e) = seen.get_mut(site) {
                if *holds { e.0 = true } else { e.1 = true }
            }
        }
    }
    seen.into_iter()
        .filter(|(_, (t, f))| !(*t && *f))
        .map(|(site, (t, f))| {
            let never = match (t, f) {
                (false, false) => "never evaluated",
                (true, false) => "never false",
                _ => "never true",
            };
            format!("{} — {never}", site.describe(form))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Input;
    use chrono::NaiveDate;

    /// `wegweiser show --answers` reads an answers file as a scenario's `answers:`: lists
    /// of entries, dotted paths, and what does not fit reported, not set.
    #[test]
    fn an_answers_file_is_read_as_a_scenarios_answers() {
        let src = "wegweiser: 1\nid: a\ntitle: A\nsteps:\n  - id: s\n    fields:\n      - { id: n, type: integer }\n      - id: g\n        type: group\n        repeat: { min: 0 }\n        fields:\n          - { id: m, type: text }\n";
        let form = crate::compile(src).form.expect("compiles");
        let mut s = Session::new(&form, "de", NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        let missed = read_answers(&mut s, "n: 2\ng: [{ m: a }, { m: b }]\ng.2.m: c\nnope: 1\n").unwrap();
        assert_eq!(missed.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(), ["answers nope"]);
        assert_eq!(s.answer("n"), Some(&Input::Text("2".into())));
        assert_eq!(s.answer("g.1.m"), Some(&Input::Text("b".into())));
        assert_eq!(s.answer("g.2.m"), Some(&Input::Text("c".into())));
        assert!(read_answers(&mut s, "- a\n").is_err());
        assert!(read_answers(&mut s, "").unwrap().is_empty());
        assert!(read_answers(&mut s, "# nothing yet\n").unwrap().is_empty());
    }

    const PARAMS: &str = "wegweiser: 1\nid: t\ntitle: T\nparameters:\n  satz: { type: money, default: 90 }\n  weiterer: { type: money }\nvalues:\n  steuer: n * satz + weiterer\nsteps:\n  - id: s\n    fields:\n      - { id: n, type: integer }\n";

    #[test]
    fn scenarios_set_parameters_for_the_file_and_each_scenario() {
        let form = crate::compile(PARAMS).form.expect("the form compiles");
        let src = "today: 2026-11-22\nparameters: { weiterer: 10 }\nscenarios:\n  - name: file\n    answers: { n: 2 }\n    expect: { values: { steuer: \"190\", weiterer: \"10\" } }\n  - name: own\n    parameters: { satz: 120 }\n    answers: { n: 2 }\n    expect: { values: { steuer: \"250\" } }\n";
        let out = run_scenarios(&form, src).expect("runs");
        assert!(out.iter().all(|o| o.failures.is_empty()), "{out:#?}");
        // An authority's values are the base the file and the scenario replace.
        let base: ParameterValues = [("satz".to_string(), crate::value::Value::Number(100.into()))].into();
        let out = run_scenarios_with(&form, src, &base).expect("runs");
        assert_eq!(out[0].failures[0].actual, "210", "2 × 100 + 10");
        assert!(out[1].failures.is_empty());
    }

    #[test]
    fn unknown_missing_and_wrong_parameters_in_scenarios_are_located_errors() {
        let form = crate::compile(PARAMS).form.expect("the form compiles");
        let e = |src: &str| run_scenarios(&form, src).expect_err(src).remove(0);
        let d = e("today: 2026-11-22\nscenarios:\n  - name: a\n    parameters: { satzz: 1, weiterer: 1 }\n");
        assert_eq!((d.code, d.span.start.line, d.span.start.column), ("E0601", 4, 19));
        assert_eq!(d.help.as_deref(), Some("did you mean `satz`?"));
        let d = e("today: 2026-11-22\nscenarios:\n  - name: a\n    answers: {}\n");
        assert_eq!((d.code, d.span.start.line), ("E0602", 3));
        assert!(d.message.contains("`weiterer`"), "{}", d.message);
        let d = e("today: 2026-11-22\nparameters: { weiterer: ja }\nscenarios: []\n");
        assert_eq!((d.code, d.span.start.line, d.span.start.column), ("E0603", 2, 25));
    }

    #[test]
    fn e0501_unreadable_scenario_files() {
        let form = crate::compile(
            "wegweiser: 1\nid: t\ntitle: T\nsteps:\n  - id: s\n    fields:\n      - { id: name, type: text, label: Name }\n",
        )
        .form
        .expect("the form compiles");
        let e = |src: &str| run_scenarios(&form, src).expect_err(src).remove(0);
        let d = e("scenarios: []\n");
        assert_eq!((d.code, d.message.as_str()), ("E0501", "the scenario file needs `today:` (the engine has no clock)"));
        let d = e("today: 22.11.2026\nscenarios: []\n");
        assert_eq!((d.code, d.span.start.line, d.span.start.column), ("E0501", 1, 8));
        assert_eq!(e("today: 2026-11-22\n").message, "the scenario file needs `scenarios:`");
        assert_eq!(e("today: 2026-11-22\nscenarios: x\n").message, "`scenarios` must be a list");
        assert_eq!(e("[1]\n").code, "E0501");
        assert_eq!(e("today: 2026-11-22\nscenarios: [x]\n").code, "E0501");
        assert!(run_scenarios(&form, "today: 2026-11-22\nscenarios: []\n").is_ok());
    }

    /// A form of `steps` steps whose `when` reads the step before, each with a repeated
    /// group, and a scenario answering every field of it (two entries per group).
    fn chain(steps: usize) -> (Form, String) {
        let mut form = String::from("wegweiser: 1\nid: kette\ntitle: Kette\nsteps:\n");
        let mut test = String::from("today: 2026-11-22\nscenarios:\n  - name: alles\n    answers:\n");
        for s in 0..steps {
            form.push_str(&format!("  - id: s{s}\n"));
            if s > 0 {
                form.push_str(&format!("    when: filled(a{})\n", s - 1));
            }
            form.push_str(&format!("    fields:\n      - {{ id: a{s}, type: text, required: true }}\n"));
            form.push_str(&format!("      - {{ id: b{s}, type: integer, visible_if: filled(a{s}) }}\n"));
            form.push_str(&format!("      - {{ id: g{s}, type: group, repeat: {{ max: 3 }}, fields: [{{ id: n{s}, type: text }}] }}\n"));
            test.push_str(&format!("      a{s}: Antwort\n      b{s}: {s}\n      g{s}: [{{ n{s}: x }}, {{}}]\n"));
        }
        test.push_str("    expect:\n      submittable: true\n");
        (crate::compile(&form).form.expect("the form compiles"), test)
    }

    /// Each answer of a scenario once re-walked the path (answers × steps: the 10,000-field
    /// workload ran for minutes), and so did each entry added for a listed group; set in
    /// one batch, ten times the answers cost about ten times the evaluations.
    #[test]
    fn a_scenario_sets_its_answers_in_one_batch() {
        let evaluations = |steps: usize| {
            let (form, test) = chain(steps);
            let outcomes = run_scenarios(&form, &test).expect("readable");
            assert!(outcomes[0].failures.is_empty(), "{:?}", outcomes[0].failures);
            outcomes[0].evaluations
        };
        let (small, large) = (evaluations(10), evaluations(100));
        assert!(large <= 12 * small, "evaluations grew from {small} to {large}");
    }

    /// Entry lists and answers set in one batch count entries as in the file's order: a
    /// list adds entries up to its length but not beyond `max`, an answer beyond `max` adds
    /// its entry (and the count check reports it), whichever comes first in the file.
    #[test]
    fn entries_of_a_batch_count_as_in_order() {
        let form = crate::compile(
            "wegweiser: 1\nid: t\ntitle: T\nsteps:\n  - id: s\n    fields:\n      - { id: g, type: group, repeat: { max: 2 }, fields: [{ id: n, type: text }] }\n",
        )
        .form
        .expect("the form compiles");
        let run = |answers: &str, expect: &str| {
            let test = format!("today: 2026-11-22\nscenarios:\n  - name: x\n    answers: {answers}\n    expect: {expect}\n");
            let outcomes = run_scenarios(&form, &test).expect("readable");
            assert!(outcomes[0].failures.is_empty(), "{answers}: {:?}", outcomes[0].failures);
        };
        // Three listed, the third empty: two entries (max), no count problem.
        run("{ g: [{ n: a }, { n: b }, {}] }", "{ no_errors: [g], values: { g.1.n: b } }");
        // Three listed and answered: the answer makes the third entry, beyond max.
        run("{ g: [{ n: a }, { n: b }, { n: c }] }", "{ errors: { g: count } }");
        // A dotted answer beyond max before the list, and after it.
        run("{ g.2.n: c, g: [{ n: a }, { n: b }] }", "{ errors: { g: count } }");
        run("{ g: [{ n: a }, { n: b }], g.2.n: c }", "{ errors: { g: count } }");
        // An entry left empty does not count (docs/form-language.md#groups-and-repeated-groups).
        run("{ g: [{ n: a }], g.2.n: c }", "{ no_errors: [g] }");
    }

    /// A refused answer is reported on its own and the others of the batch are still set.
    #[test]
    fn a_refused_answer_in_a_batch_is_reported_alone() {
        let (form, _) = chain(3);
        let test = "today: 2026-11-22\nscenarios:\n  - name: x\n    answers: { a0: ja, a0.b0: 1, a1: ja }\n    expect:\n      path: [s0, s1, s2]\n";
        let outcomes = run_scenarios(&form, test).expect("readable");
        let keys: Vec<&str> = outcomes[0].failures.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["answers a0.b0"]);
    }
}
