//! The mapping: the XDatenfelder model → nodes (fields, groups, steps) → YAML, the smoke
//! scenarios and the report. See `docs/fim.md` for the table.
//!
//! This file holds the nodes, the builder and the loop that runs every translated rule's
//! scenarios through the engine and sends a failing rule back to "to do"; the steps of one
//! build are by concern: `groups.rs` (the tree and the steps), `fields.rs` (one field),
//! `names.rs` (ids, paths, lookups), `rules.rs` (the translated rules applied), `write.rs`
//! (the YAML) and `scenarios.rs` (the smoke scenarios).

mod fields;
mod groups;
mod names;
mod rules;
mod scenarios;
mod write;

pub(crate) use fields::is_decimal;

use std::collections::{HashMap, HashSet};

use crate::report::{FieldEntry, Report, RuleEntry};
use crate::rules::translate::Effect;
use crate::xdf::{Rule, Schema};
use crate::yaml::Ans;
use crate::{Import, Options};

#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub(crate) fim: String,
    pub(crate) ty: &'static str,
    pub(crate) label: String,
    pub(crate) hint: String,
    pub(crate) text: String,
    pub(crate) title: String,
    /// The FIM `name` (what rules usually quote after an id).
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) parent: Option<usize>,
    pub(crate) children: Vec<usize>,
    /// A top-level `1:1` group whose members went onto its step.
    pub(crate) flattened: bool,
    /// The repeated group around a repeated field.
    pub(crate) wrapper: bool,
    /// `anzahl` min (for a member of a wrapper: 1).
    pub(crate) least: u32,
    pub(crate) optional_group: bool,
    pub(crate) repeat: Option<(u32, Option<u32>)>,
    pub(crate) rule_conds: Vec<String>,
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) pattern: Option<String>,
    pub(crate) min: Option<String>,
    pub(crate) max: Option<String>,
    pub(crate) list: Option<String>,
    pub(crate) inline: Vec<(String, String, String)>,
    pub(crate) default: Option<Ans>,
    pub(crate) accept: Vec<String>,
    pub(crate) max_size: Option<u64>,
    pub(crate) comments: Vec<String>,
    /// A selection whose code list is missing (it became a text field).
    pub(crate) lost_options: bool,
    /// `visible_if` conditions from rules (joined with `and`).
    pub(crate) visible: Vec<String>,
    /// Answered in every scenario (a field a "mindestens eines" rule names first).
    pub(crate) base_answer: bool,
}

impl Node {
    pub(crate) fn min_val(&self) -> Option<&str> {
        self.min.as_deref()
    }
    pub(crate) fn is_input(&self) -> bool {
        !matches!(self.ty, "group" | "info")
    }
    pub(crate) fn emitted(&self) -> bool {
        !self.flattened
    }
}

pub(crate) struct Step {
    title: String,
    id: String,
    comments: Vec<String>,
    fields: Vec<usize>,
    /// Step rules from FIM rules: (check, message, field).
    rules: Vec<(String, String, String)>,
}

pub(crate) struct NamedList {
    name: String,
    rows: Vec<(String, String)>,
}

pub(crate) struct Builder<'a> {
    pub(crate) opts: &'a Options,
    pub(crate) nodes: Vec<Node>,
    pub(crate) steps: Vec<Step>,
    pub(crate) lists: Vec<NamedList>,
    pub(crate) list_by_uri: HashMap<String, usize>,
    pub(crate) warnings: Vec<String>,
    pub(crate) rules: Vec<(Rule, Option<usize>)>,
    pub(crate) rule_ids: HashSet<String>,
    pub(crate) form_comments: Vec<String>,
    pub(crate) rule_entries: Vec<RuleEntry>,
}

/// Scenario names with their expectations.
type Case = Vec<(String, String)>;

/// A translated rule, for the generated scenarios.
pub(crate) struct Translated {
    rule: String,
    effects: Vec<Effect>,
}

/// Builds the form, its scenarios and the report. Every translated rule's scenarios are run
/// through the engine; a rule whose scenarios fail (or whose form does not compile) is
/// built again as "to do", so what is written always passes.
pub fn build(schema: &Schema, opts: &Options) -> Import {
    let mut demoted: HashMap<String, String> = HashMap::new();
    loop {
        let (import, translated) = build_once(schema, opts, &demoted);
        if translated.is_empty() {
            return import;
        }
        let failures = verify(&import);
        if failures.is_empty() {
            return import;
        }
        let mut blamed = false;
        for (scenario, why) in &failures {
            if let Some(id) = translated.iter().find(|id| scenario.starts_with(&format!("{id}:"))) {
                demoted.entry(id.clone()).or_insert_with(|| format!("its generated scenario failed ({why})"));
                blamed = true;
            }
        }
        if !blamed {
            // Not one rule's scenario: the last translated rule goes back, until it passes.
            let last = translated.last().expect("not empty").clone();
            demoted.insert(last, format!("with it the form fails ({})", failures[0].1));
        }
    }
}

/// Compile errors and failed scenarios of an import: (scenario name, what failed).
fn verify(out: &Import) -> Vec<(String, String)> {
    let c = engine::compile(&out.yaml);
    let Some(form) = c.form.filter(|_| !c.diagnostics.iter().any(|d| d.is_error())) else {
        let first = c.diagnostics.iter().find(|d| d.is_error()).map(|d| format!("{}: {}", d.code, d.message)).unwrap_or_default();
        return vec![(String::new(), format!("the form does not compile: {first}"))];
    };
    match engine::scenario::run_scenarios(&form, &out.test_yaml) {
        Err(d) => vec![(String::new(), format!("the scenarios do not load: {}", d.first().map(|d| d.message.clone()).unwrap_or_default()))],
        Ok(outcomes) => {
            outcomes.into_iter().filter(|o| !o.failures.is_empty()).map(|o| (o.name.clone(), format!("{:?}", o.failures[0]))).collect()
        }
    }
}

fn build_once(schema: &Schema, opts: &Options, demoted: &HashMap<String, String>) -> (Import, Vec<String>) {
    let mut b = Builder {
        opts,
        nodes: Vec::new(),
        steps: Vec::new(),
        lists: Vec::new(),
        list_by_uri: HashMap::new(),
        warnings: Vec::new(),
        rules: Vec::new(),
        rule_ids: HashSet::new(),
        form_comments: Vec::new(),
        rule_entries: Vec::new(),
    };
    for r in &schema.rules {
        b.add_rule(r, None);
    }
    b.top(&schema.items);
    b.name();
    let translated = b.apply_rules(demoted);
    let yaml = b.emit(schema);
    let test_yaml = b.scenarios(&translated, &yaml);
    let mut report = Report {
        schema: schema.id.clone(),
        version: schema.version.clone(),
        xdatenfelder: schema.xdf.as_str().to_string(),
        fields: Vec::new(),
        rules: Vec::new(),
        warnings: Vec::new(),
    };
    for (i, n) in b.nodes.iter().enumerate() {
        if !n.fim.is_empty() && n.fim.starts_with('F') && !matches!(n.ty, "group") {
            report.fields.push(FieldEntry { fim: n.fim.clone(), path: b.path(i, "[]") });
        }
    }
    report.rules = std::mem::take(&mut b.rule_entries);
    let mut seen = HashSet::new();
    report.warnings = b.warnings.into_iter().filter(|w| seen.insert(w.clone())).collect();
    (Import { yaml, test_yaml, report }, translated.into_iter().map(|t| t.rule).collect())
}

impl Builder<'_> {
    pub(crate) fn add_rule(&mut self, r: &Rule, host: Option<usize>) {
        if self.rule_ids.insert(r.id.clone()) {
            self.rules.push((r.clone(), host));
        }
    }
}

/// The day the generated scenarios are run on (`today:`), so that date bounds relative to
/// today give the same result every year.
fn scenario_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default()
}

fn fmt_max(m: Option<u32>) -> String {
    m.map(|m| m.to_string()).unwrap_or_else(|| "*".into())
}
