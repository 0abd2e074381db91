//! The scenario file (`foo.test.yaml`, docs/form-language.md#scenario-tests) read into types,
//! once: `wegweiser test` ([`super::run_scenarios`]), the project's end-to-end tests (which walk
//! a bundled form through the server with a scenario's answers) and the tools all start from
//! [`ScenarioFile::read`], so that a scenario's answers mean the same everywhere.
//!
//! Reading checks what can be checked without running a session: the file's shape, `today`,
//! the parameters (declared, fitting their type, none missing) and that each answer names a
//! field of the form and fits its type. An answer that does not is not an error of the file
//! but a failure of its scenario ([`Scenario::answer_failures`]), reported with the others.
//! `expect` is kept as written: what it means is decided by running the scenario.

use chrono::NaiveDate;

use crate::compile::{input_from_yaml, missing_parameters, parameter_values};
use crate::diag::{Diagnostic, LineIndex, Span, codes};
use crate::form::{FieldType, Form, ParameterValues};
use crate::ids::FieldId;
use crate::session::Input;
use crate::source::{Node, NodeKind, parse_yaml};

use super::Mismatch;

/// A scenario file, read against the form it tests.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// `today:`: the date every scenario runs on (the engine has no clock).
    pub today: NaiveDate,
    /// The scenarios, in the file's order.
    pub scenarios: Vec<Scenario>,
}

/// One scenario of a file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its `name` (`line N` when it has none).
    pub name: String,
    /// Where it starts (its `name`, else the item), for errors about it.
    pub span: Span,
    /// `language:` when the scenario sets one.
    pub language: Option<String>,
    /// The parameter values it runs with: the base a deployment gave, replaced by the file's
    /// `parameters:` and then by the scenario's own, name by name.
    pub parameters: ParameterValues,
    /// The entry lists of repeated groups, in the file's order.
    pub entries: Vec<ScenarioEntries>,
    /// The answers, in the file's order.
    pub answers: Vec<ScenarioAnswer>,
    /// Answers that name no field of the form or do not fit their field.
    pub answer_failures: Vec<Mismatch>,
    /// `expect:` as written (a map), when there is one.
    pub expect: Option<Node>,
}

/// A repeated group's entry list in a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioEntries {
    /// The group.
    pub group: FieldId,
    /// Its path (`hund`, or `a.0.b` inside an entry).
    pub path: String,
    /// How many entries the list has.
    pub count: u32,
}

/// One answer of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioAnswer {
    /// The field answered.
    pub field: FieldId,
    /// The instance's path (`hund.0.name`).
    pub path: String,
    /// The answer.
    pub input: Input,
}

impl ScenarioFile {
    /// Reads a scenario file's text against a compiled form. `base` holds a deployment's
    /// parameter values (an authority's; empty for the form's defaults).
    pub fn read(form: &Form, source: &str, base: &ParameterValues) -> Result<ScenarioFile, Vec<Diagnostic>> {
        let root = parse_yaml(source)?;
        let index = LineIndex::new(source);
        let err = |n: &Node, msg: &str| vec![Diagnostic::error(codes::E0501, n.span, msg.to_string())];
        let NodeKind::Map(top) = &root.kind else { return Err(err(&root, "a scenario file is a map with `today:` and `scenarios:`")) };
        let Some(today_node) = get(top, "today") else {
            return Err(vec![
                Diagnostic::error(codes::E0501, index.span(0, 0), "the scenario file needs `today:` (the engine has no clock)")
                    .with_help("add `today: 2026-11-22`"),
            ]);
        };
        let today = today_node
            .as_str()
            .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
            .ok_or_else(|| err(today_node, "`today` must be a date like 2026-11-22"))?;
        let mut file_params = base.clone();
        if let Some(p) = get(top, "parameters") {
            let (values, diags) = parameter_values(form, p);
            if !diags.is_empty() {
                return Err(diags);
            }
            file_params.extend(values);
        }
        let Some(list) = get(top, "scenarios") else { return Err(err(&root, "the scenario file needs `scenarios:`")) };
        let NodeKind::Seq(items) = &list.kind else { return Err(err(list, "`scenarios` must be a list")) };
        let mut scenarios = Vec::with_capacity(items.len());
        for item in items {
            let NodeKind::Map(pairs) = &item.kind else {
                return Err(err(item, "a scenario is a map with `name`, `answers` and `expect`"));
            };
            let name =
                get(pairs, "name").and_then(|n| n.as_str().map(String::from)).unwrap_or_else(|| format!("line {}", item.span.start.line));
            let language = get(pairs, "language").and_then(|n| n.as_str().map(String::from));
            let mut parameters = file_params.clone();
            if let Some(p) = get(pairs, "parameters") {
                let (values, diags) = parameter_values(form, p);
                if !diags.is_empty() {
                    return Err(diags);
                }
                parameters.extend(values);
            }
            let span = get(pairs, "name").map_or(item.span, |n| n.span);
            let missing = missing_parameters(form, &parameters, span, &format!("the scenario `{name}`"));
            if !missing.is_empty() {
                return Err(missing);
            }
            let mut scenario = Scenario {
                name,
                span,
                language,
                parameters,
                entries: Vec::new(),
                answers: Vec::new(),
                answer_failures: Vec::new(),
                expect: get(pairs, "expect").cloned(),
            };
            if let Some(answers) = get(pairs, "answers") {
                let lang = scenario.language.clone().unwrap_or_else(|| form.default_language().to_string());
                let read = answer_map(form, answers, &lang);
                scenario.answers = read.answers;
                scenario.entries = read.entries;
                scenario.answer_failures = read.answer_failures;
            }
            scenarios.push(scenario);
        }
        Ok(ScenarioFile { today, scenarios })
    }

    /// The first scenario whose name contains `part` and that sets no language: how the
    /// end-to-end tests pick a bundled form's complete application ("vollständig").
    pub fn named(&self, part: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name.contains(part) && s.language.is_none())
    }
}

/// Reads a map of answers (a scenario's `answers:`, or an answers file) in the language
/// `lang`: a scenario with only its answers, entry lists and failures filled in.
pub(super) fn answer_map(form: &Form, answers: &Node, lang: &str) -> Scenario {
    let mut out = Scenario {
        name: String::new(),
        span: answers.span,
        language: Some(lang.to_string()),
        parameters: ParameterValues::new(),
        entries: Vec::new(),
        answers: Vec::new(),
        answer_failures: Vec::new(),
        expect: None,
    };
    if let NodeKind::Map(a) = &answers.kind {
        for (k, v) in a {
            collect(form, k.as_str().unwrap_or_default(), None, v, lang, &mut out);
        }
    }
    out
}

fn get<'a>(pairs: &'a [(Node, Node)], key: &str) -> Option<&'a Node> {
    pairs.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
}

/// Reads the answer `key: v` (at the top, or inside the group instance `parent`) into the
/// scenario: entry lists of repeated groups, members of groups, answers of input fields.
fn collect(form: &Form, key: &str, parent: Option<(FieldId, String)>, v: &Node, lang: &str, out: &mut Scenario) {
    let (id, path) = match &parent {
        None => (form.field_by_id(key).filter(|f| form.field(*f).parent.is_none()), key.to_string()),
        Some((g, prefix)) => (form.field(*g).members.iter().copied().find(|m| form.field(*m).id == key), format!("{prefix}.{key}")),
    };
    // A dotted path (`hund.0.name`) as a key is also accepted.
    let Some(id) = id.or_else(|| form.field_by_id(key.split('.').next_back().unwrap_or(key)).filter(|_| key.contains('.'))) else {
        out.answer_failures.push(Mismatch {
            key: format!("answers {path}"),
            expected: "a field of the form".into(),
            actual: "no such field".into(),
        });
        return;
    };
    let path = if key.contains('.') { key.to_string() } else { path };
    let field = form.field(id);
    if v.is_null() {
        return;
    }
    match field.ty {
        FieldType::Group if field.is_repeated() => {
            let NodeKind::Seq(entries) = &v.kind else {
                out.answer_failures.push(Mismatch {
                    key: format!("answers {path}"),
                    expected: "a list of entries".into(),
                    actual: v.describe().into(),
                });
                return;
            };
            out.entries.push(ScenarioEntries { group: id, path: path.clone(), count: entries.len() as u32 });
            for (i, e) in entries.iter().enumerate() {
                if let NodeKind::Map(m) = &e.kind {
                    for (k, val) in m {
                        collect(form, k.as_str().unwrap_or_default(), Some((id, format!("{path}.{i}"))), val, lang, out);
                    }
                }
            }
        }
        FieldType::Group => {
            if let NodeKind::Map(m) = &v.kind {
                for (k, val) in m {
                    collect(form, k.as_str().unwrap_or_default(), Some((id, path.clone())), val, lang, out);
                }
            }
        }
        ty => match input_from_yaml(v, ty, lang) {
            Some(input) => out.answers.push(ScenarioAnswer { field: id, path, input }),
            None => out.answer_failures.push(Mismatch {
                key: format!("answers {path}"),
                expected: format!("an answer for a `{}` field", super::type_word(ty)),
                actual: v.describe().into(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = "wegweiser: 1\nid: t\ntitle: T\nsteps:\n  - id: a\n    fields:\n      - { id: name, type: text }\n      - { id: n, type: integer }\n  - id: b\n    fields:\n      - id: hund\n        type: group\n        repeat: { max: 3 }\n        fields:\n          - { id: rasse, type: text }\n";

    #[test]
    fn a_file_reads_into_entries_answers_and_failures_in_order() {
        let form = crate::compile(FORM).form.expect("the form compiles");
        let src = "today: 2026-11-22\nscenarios:\n  - name: vollständig\n    answers:\n      name: Anna\n      n: 3\n      hund: [{ rasse: Dackel }, { rasse: Pudel }]\n      katze: 1\n    expect: { path: [a, b] }\n  - name: vollständig englisch\n    language: en\n    answers: { hund.0.rasse: Mops }\n";
        let file = ScenarioFile::read(&form, src, &ParameterValues::new()).expect("reads");
        assert_eq!(file.today.to_string(), "2026-11-22");
        let first = &file.scenarios[0];
        let paths: Vec<&str> = first.answers.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["name", "n", "hund.0.rasse", "hund.1.rasse"]);
        assert_eq!(first.answers[1].input, Input::Text("3".into()));
        assert_eq!(first.entries, [ScenarioEntries { group: form.field_by_id("hund").unwrap(), path: "hund".into(), count: 2 }]);
        assert_eq!(first.answer_failures.len(), 1, "katze is no field");
        assert_eq!(first.answer_failures[0].key, "answers katze");
        assert!(first.expect.is_some());
        // A dotted path is accepted as a key; `named` skips scenarios with a language.
        let second = &file.scenarios[1];
        assert_eq!((second.language.as_deref(), second.answers[0].path.as_str()), (Some("en"), "hund.0.rasse"));
        assert_eq!(file.named("vollständig").map(|s| s.name.as_str()), Some("vollständig"));
        assert!(file.named("englisch").is_none());
    }
}
