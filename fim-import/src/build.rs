//! The mapping: the XDatenfelder model → nodes (fields, groups, steps) → YAML, the smoke
//! scenarios and the report. See `docs/fim.md` for the table.

use std::collections::{HashMap, HashSet};

use crate::naming::{resolve, slug, step_slug, valid_field_id};
use crate::report::{FieldEntry, Report, RuleEntry};
use crate::rules::translate::{Effect, Kind, Val};
use crate::sample;
use crate::xdf::{Element, Field, Group, Item, Rule, Schema};
use crate::yaml::{Ans, comment, quote};
use crate::{Import, Options};

/// The permitted characters of DIN 91379 / XÖV String.Latin 1.1 (`latinchars.xsd`), in Rust
/// syntax: the single characters and the combining sequences.
pub const LATIN_PATTERN: &str = r"(?:[\t\n\r -~¡-¬®-ćĊ-ěĞ-ģĦ-ıĴ-śŞ-ūŮ-žƏƠ-ơƯ-ưƷǍ-ǔǞ-ǟǤ-ǰǴ-ǵǺ-ǿȘ-țȞ-ȟȪ-ȫȮ-ȳəʒḂ-ḃḊ-ḋḐ-ḑḞ-ḡḤ-ḧḰ-ḱṀ-ṁṄ-ṅṖ-ṗṠ-ṣṪ-ṫẀ-ẅẌ-ẓẞẠ-ầẪ-ậẮ-ềỄ-ồỖ-ờỤ-ỹ€]|M\x{302}|N\x{302}|m\x{302}|n\x{302}|D\x{302}|d\x{302}|J\x{30C}|L\x{302}|l\x{302})*";

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

    pub(crate) fn new_step(&mut self, title: &str) -> usize {
        self.steps.push(Step { title: title.to_string(), id: String::new(), comments: Vec::new(), fields: Vec::new(), rules: Vec::new() });
        self.steps.len() - 1
    }

    pub(crate) fn top(&mut self, items: &[Item]) {
        let mut run: Option<usize> = None;
        for item in items {
            match &item.element {
                Element::Group(g) if item.min >= 1 && item.max == Some(1) => {
                    run = None;
                    let s = self.new_step(g.common.title());
                    let n = self.group(g, item, None, false, true);
                    self.steps[s].comments.push(format!("{} {}", g.common.id, g.common.name));
                    let kids = self.nodes[n].children.clone();
                    self.steps[s].fields.extend(kids);
                    // Rule comments of the flattened group itself go to the step (see emit).
                    self.steps[s].fields.insert(0, usize::MAX - n);
                }
                Element::Group(g) => {
                    run = None;
                    let s = self.new_step(g.common.title());
                    let n = self.group(g, item, None, false, false);
                    self.steps[s].fields.push(n);
                }
                Element::Field(f) => {
                    let s = match run {
                        Some(s) => s,
                        None => {
                            let title = if self.steps.is_empty() { "Allgemeine Angaben" } else { "Weitere Angaben" };
                            let s = self.new_step(title);
                            run = Some(s);
                            s
                        }
                    };
                    let n = self.field_item(f, item, None, false);
                    self.steps[s].fields.push(n);
                }
            }
        }
    }

    pub(crate) fn push(&mut self, node: Node) -> usize {
        let parent = node.parent;
        self.nodes.push(node);
        let i = self.nodes.len() - 1;
        if let Some(p) = parent {
            self.nodes[p].children.push(i);
        }
        i
    }

    pub(crate) fn group(&mut self, g: &Group, item: &Item, parent: Option<usize>, in_repeat: bool, flattened: bool) -> usize {
        let c = &g.common;
        let w0 = self.warnings.len();
        let repeated = item.max != Some(1);
        let mut repeat = None;
        if repeated && in_repeat {
            self.warnings.push(format!(
                "{} \"{}\" ({}:{}) is repeated inside a repeated group, which the form language does not allow: it became a single entry",
                c.id,
                c.title(),
                item.min,
                fmt_max(item.max)
            ));
        } else if repeated {
            repeat = Some(self.bounded_repeat(&format!("{} \"{}\"", c.id, c.title()), item.min, item.max));
        }
        let node = Node {
            fim: c.id.clone(),
            ty: "group",
            label: c.label.clone(),
            hint: c.hint.clone(),
            title: c.title().to_string(),
            name: c.name.clone(),
            parent,
            flattened,
            least: item.min,
            optional_group: repeat.is_none() && item.min == 0,
            repeat,
            ..Node::default()
        };
        let n = self.push(node);
        self.note(w0, n);
        for r in &c.rules {
            self.add_rule(r, Some(n));
        }
        let inner = in_repeat || repeat.is_some();
        for it in &g.items {
            match &it.element {
                Element::Group(sub) => {
                    self.group(sub, it, Some(n), inner, false);
                }
                Element::Field(f) => {
                    self.field_item(f, it, Some(n), inner);
                }
            }
        }
        // The form language needs members in a group (E0102; found by fuzzing): a group
        // without fields (or only with such groups) is left out.
        if self.is_empty_group(n) {
            let w0 = self.warnings.len();
            self.warnings.push(format!("{} \"{}\" has no fields; it is left out", c.id, c.title()));
            self.note(w0, n);
        }
        // An entry counts only when something in it is answered (empty entries do not count
        // toward `min`), so a group without input fields could never have its minimum
        // (found by fuzzing).
        if self.nodes[n].repeat.is_some_and(|(min, _)| min > 0) && self.first_input(n).is_none() {
            if let Some((min, _)) = &mut self.nodes[n].repeat {
                *min = 0;
            }
            let w0 = self.warnings.len();
            self.warnings.push(format!(
                "{} \"{}\": a repeated group without input fields cannot have a minimum number of entries; none is set",
                c.id,
                c.title()
            ));
            self.note(w0, n);
        }
        n
    }

    /// Whether `p` or a group around it is an optional (`0:1`) group.
    pub(crate) fn in_optional_group(&self, mut p: Option<usize>) -> bool {
        while let Some(i) = p {
            if self.nodes[i].optional_group {
                return true;
            }
            p = self.nodes[i].parent;
        }
        false
    }

    /// A group with nothing to show: no members, or only groups like that.
    pub(crate) fn is_empty_group(&self, i: usize) -> bool {
        let n = &self.nodes[i];
        n.ty == "group" && n.children.iter().all(|&c| self.is_empty_group(c))
    }

    /// The first input field in `g`'s subtree, one without a default if there is one: the
    /// answer that makes an entry of a repeated group count.
    pub(crate) fn first_input(&self, g: usize) -> Option<usize> {
        fn walk(b: &Builder<'_>, i: usize, out: &mut Vec<usize>) {
            for &c in &b.nodes[i].children {
                if b.nodes[c].is_input() {
                    out.push(c);
                }
                walk(b, c, out);
            }
        }
        let mut all = Vec::new();
        walk(self, g, &mut all);
        all.iter().copied().find(|&i| self.nodes[i].default.is_none()).or(all.first().copied())
    }

    /// `anzahl` as `repeat` bounds within the engine's limit of entries (E0311; found by
    /// fuzzing: `0:871`); a bound above it becomes the limit, with a warning.
    pub(crate) fn bounded_repeat(&mut self, what: &str, min: u32, max: Option<u32>) -> (u32, Option<u32>) {
        let cap = engine::session::MAX_ENTRIES;
        if min > cap || max.is_some_and(|m| m > cap) {
            self.warnings.push(format!(
                "{what} ({min}:{}): a repeated group may have at most {cap} entries; the bounds above it are set to {cap}",
                fmt_max(max)
            ));
        }
        (min.min(cap), max.map(|m| m.min(cap)))
    }

    pub(crate) fn field_item(&mut self, f: &Field, item: &Item, parent: Option<usize>, in_repeat: bool) -> usize {
        let w0 = self.warnings.len();
        let i = self.field_item_inner(f, item, parent, in_repeat);
        self.note(w0, i);
        i
    }

    /// The warnings since `w0` also become comments on node `i`, where a reviewer sees them.
    pub(crate) fn note(&mut self, w0: usize, i: usize) {
        let notes: Vec<String> = self.warnings[w0..].iter().map(|w| format!("Import: {w}")).collect();
        self.nodes[i].comments.extend(notes);
    }

    pub(crate) fn field_item_inner(&mut self, f: &Field, item: &Item, parent: Option<usize>, in_repeat: bool) -> usize {
        if item.max == Some(1) || f.feldart == "label" {
            return self.field(f, item.min, parent);
        }
        if in_repeat {
            self.warnings.push(format!(
                "{} \"{}\" ({}:{}) is a repeated field inside a repeated group: it became a single field",
                f.common.id,
                f.common.title(),
                item.min,
                fmt_max(item.max)
            ));
            return self.field(f, item.min, parent);
        }
        let repeat = self.bounded_repeat(&format!("{} \"{}\"", f.common.id, f.common.title()), item.min, item.max);
        let w = self.push(Node {
            ty: "group",
            label: f.common.title().to_string(),
            title: f.common.title().to_string(),
            parent,
            wrapper: true,
            least: item.min,
            repeat: Some(repeat),
            ..Node::default()
        });
        self.field(f, 1, Some(w));
        w
    }

    pub(crate) fn field(&mut self, f: &Field, min: u32, parent: Option<usize>) -> usize {
        let c = &f.common;
        let mut n = Node {
            fim: c.id.clone(),
            label: c.title().to_string(),
            hint: c.hint.clone(),
            title: c.title().to_string(),
            name: c.name.clone(),
            parent,
            least: min,
            ..Node::default()
        };
        let p = &f.prae;
        let what = format!("{} \"{}\"", c.id, c.title());
        if f.feldart == "label" {
            n.ty = "info";
            n.text = [&f.inhalt, &c.hint, &n.label].into_iter().find(|s| !s.is_empty()).cloned().unwrap_or_default();
            if n.text == n.label {
                n.label.clear();
            }
            n.hint.clear();
            let i = self.push(n);
            self.field_rules(f, i);
            return i;
        }
        if matches!(f.feldart.as_str(), "hidden" | "locked") {
            self.warnings.push(format!("{what}: feldart `{}` has no equivalent; it became an ordinary input field", f.feldart));
        }
        let multi = p.pattern.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case("Mehrfachauswahl"));
        let is_select = f.feldart == "select" || !f.values.is_empty();
        if is_select {
            n.ty = if multi { "multi_choice" } else { "choice" };
            if !f.values.is_empty() {
                // Like a code list's rows: a code given twice would make two options with one
                // value (E0106), so the first one wins (found by fuzzing).
                for v in &f.values {
                    // The engine trims what is chosen, so a code is trimmed too, and a blank
                    // one could never be chosen.
                    let code = v.0.trim();
                    if code.is_empty() {
                        self.warnings.push(format!("{what}: a value without a code left out"));
                    } else if n.inline.iter().any(|(c, _, _)| c == code) {
                        self.warnings.push(format!("{what}: duplicate value code `{code}` left out"));
                    } else {
                        n.inline.push((code.to_string(), v.1.clone(), v.2.clone()));
                    }
                }
                if n.inline.is_empty() {
                    self.warnings.push(format!("{what}: no value with a code is left: it became a text field"));
                    n.ty = "text";
                }
            } else if let Some(r) = &f.codelist {
                match self.list_for(r) {
                    Some(name) => n.list = Some(name),
                    None => {
                        self.warnings.push(format!(
                            "{what}: code list {} (`{}`) not found{}: it became a text field",
                            if r.id.is_empty() { "?" } else { &r.id },
                            if r.version_uri.is_empty() { &r.canonical } else { &r.version_uri },
                            if self.opts.codelists.is_empty() { " (no --codelists given)" } else { "" }
                        ));
                        n.ty = "text";
                        n.lost_options = true;
                    }
                }
            } else {
                self.warnings.push(format!("{what}: a select without code list or values: it became a text field"));
                n.ty = "text";
            }
            if n.ty != "text"
                && let Some(pat) = p.pattern.as_deref().filter(|_| !multi)
            {
                self.warnings.push(format!("{what}: the pattern `{pat}` of a selection is not used"));
            }
        } else {
            n.ty = match f.datentyp.as_str() {
                "text" | "text_latin" | "" => "text",
                "date" => "date",
                "bool" => "boolean",
                "num" => "number",
                "num_int" => "integer",
                "num_currency" => "money",
                "file" => "file",
                other => {
                    self.warnings.push(format!("{what}: datentyp `{other}` is not supported: it became a text field"));
                    "text"
                }
            };
        }
        match n.ty {
            "text" => {
                n.min_length = p.min_length.filter(|&m| m > 1);
                n.max_length = p.max_length;
                // The engine allows at most MAX_ANSWER_LENGTH characters (E0311; found by
                // fuzzing, like the repetition bound).
                let cap = u64::from(engine::compile::limits::MAX_ANSWER_LENGTH);
                for (k, v) in [("minLength", &mut n.min_length), ("maxLength", &mut n.max_length)] {
                    if let Some(m) = v.filter(|&m| m > cap) {
                        self.warnings.push(format!("{what}: {k} {m} is above the {cap} characters an answer may have; {cap} is used"));
                        *v = Some(cap);
                    }
                }
                // A minimum above the maximum lets no answer pass (E0308): the form would not
                // compile, so the minimum is dropped (found by fuzzing).
                if let (Some(lo), Some(hi)) = (n.min_length, n.max_length)
                    && lo > hi
                {
                    self.warnings.push(format!("{what}: minLength {lo} is above maxLength {hi}; the minimum is left out"));
                    n.min_length = None;
                }
                if let Some(pat) = p.pattern.as_deref().filter(|_| !is_select) {
                    match crate::xsd_regex::convert(pat) {
                        Ok(r) => n.pattern = Some(r),
                        Err(e) => self.warnings.push(format!("{what}: pattern `{pat}` not converted ({e}); the field has no pattern")),
                    }
                    if f.datentyp == "text_latin" {
                        self.warnings.push(format!("{what}: text_latin with its own pattern: only the pattern is checked"));
                    }
                } else if f.datentyp == "text_latin" {
                    n.pattern = Some(LATIN_PATTERN.to_string());
                }
                // Pattern and lengths that no text satisfies would make the field impossible
                // to answer (found by fuzzing: `[0-9]{5}` with maxLength 2). The lengths go
                // first, then the pattern: the pattern usually says more about the answer.
                if sample::text(n.pattern.as_deref(), n.min_length, n.max_length).is_none() {
                    if sample::text(n.pattern.as_deref(), None, None).is_none() {
                        let longest = Some(sample::ANSWER_MAX);
                        if let Some(shortest) = sample::text(n.pattern.as_deref(), None, longest) {
                            // Only texts longer than a text field allows without `max_length`
                            // (500) match (found by fuzzing): allow as many as the language does.
                            self.warnings.push(format!(
                                "{what}: the pattern needs at least {} characters; max_length is set to {}",
                                shortest.chars().count(),
                                sample::ANSWER_MAX
                            ));
                            n.min_length = None;
                            n.max_length = longest;
                        } else if let Some(pat) = n.pattern.take() {
                            self.warnings
                                .push(format!("{what}: no answer that can be typed matches the pattern `{pat}`; the pattern is left out"));
                        }
                    }
                    // (Also `maxLength` 0 without a pattern, found by fuzzing.)
                    if sample::text(n.pattern.as_deref(), n.min_length, n.max_length).is_none() {
                        self.warnings.push(format!(
                            "{what}: no text of {}..{} characters {}; the length limits are left out",
                            n.min_length.unwrap_or(1),
                            n.max_length.map(|m| m.to_string()).unwrap_or_default(),
                            if n.pattern.is_some() { "matches the pattern" } else { "can be typed" }
                        ));
                        n.min_length = None;
                        n.max_length = None;
                    }
                }
            }
            "number" | "integer" | "money" => {
                n.min = p.min_value.clone().filter(|v| is_decimal(v));
                n.max = p.max_value.clone().filter(|v| is_decimal(v));
                for (k, v) in [("minValue", &p.min_value), ("maxValue", &p.max_value)] {
                    if let Some(v) = v.as_ref().filter(|v| !is_decimal(v)) {
                        self.warnings.push(format!("{what}: {k} `{v}` is not a number; not used"));
                    }
                }
                // As for lengths: a minimum above the maximum lets no answer pass (E0308).
                let num = |v: &Option<String>| v.as_deref().and_then(engine::checks::parse_plain_decimal);
                if let (Some(lo), Some(hi)) = (num(&n.min), num(&n.max))
                    && lo > hi
                {
                    self.warnings.push(format!("{what}: minValue {lo} is above maxValue {hi}; the minimum is left out"));
                    n.min = None;
                }
                // An integer between 1.2 and 1.8 (or an amount between 0.001 and 0.009): no
                // answer fits both bounds.
                if sample::number(n.ty, n.min.as_deref(), n.max.as_deref()).is_none() {
                    self.warnings.push(format!(
                        "{what}: no {} lies between minValue {} and maxValue {}; the minimum is left out",
                        if n.ty == "integer" { "whole number" } else { "amount in cents" },
                        n.min.as_deref().unwrap_or_default(),
                        n.max.as_deref().unwrap_or_default()
                    ));
                    n.min = None;
                }
                if p.min_length.is_some_and(|m| m > 1) || p.max_length.is_some() || p.pattern.is_some() {
                    self.warnings.push(format!("{what}: length or pattern constraints on a {} field are not checked", n.ty));
                }
            }
            "date" => {
                n.min = p.min_value.clone().filter(|v| is_date(v));
                n.max = p.max_value.clone().filter(|v| is_date(v));
                // ISO dates compare as text.
                if let (Some(lo), Some(hi)) = (&n.min, &n.max)
                    && lo > hi
                {
                    self.warnings.push(format!("{what}: minValue {lo} is after maxValue {hi}; the minimum is left out"));
                    n.min = None;
                }
            }
            "file" => {
                for t in &f.media_types {
                    if is_media_type(t) {
                        n.accept.push(t.clone());
                    } else {
                        self.warnings.push(format!("{what}: `{t}` is no media type (type/subtype); left out"));
                    }
                }
                if !f.media_types.is_empty() && n.accept.is_empty() {
                    self.warnings.push(format!("{what}: no valid media type is left, so every file type is accepted"));
                }
                // No file has 0 bytes and passes `required` (found by fuzzing).
                n.max_size = f.max_size.filter(|&m| m > 0);
                if f.max_size == Some(0) {
                    self.warnings.push(format!("{what}: maxSize 0 admits no file; no size limit is set"));
                }
            }
            _ => {}
        }
        if let Some(u) = &p.unread {
            self.warnings.push(format!("{what}: praezisierung `{u}` not understood; not used"));
        }
        if !f.inhalt.is_empty() {
            n.default = default_for(&n, &f.inhalt, &self.lists).filter(|d| match d {
                // A default must also pass the length and pattern checks.
                Ans::Text(t) if n.ty == "text" => sample::fits(t, n.pattern.as_deref(), n.min_length, n.max_length),
                // And the bounds (and be a whole number, an amount in cents): a default
                // outside them would be a problem on every form nobody changes it on.
                Ans::Plain(v) if matches!(n.ty, "number" | "integer" | "money") => {
                    let d = engine::checks::parse_plain_decimal(v);
                    let fits_type = sample::is_number_of(n.ty, v);
                    let bound = |b: &Option<String>| b.as_deref().and_then(engine::checks::parse_plain_decimal);
                    fits_type
                        && bound(&n.min).is_none_or(|lo| d.is_some_and(|d| d >= lo))
                        && bound(&n.max).is_none_or(|hi| d.is_some_and(|d| d <= hi))
                }
                Ans::Text(t) if n.ty == "date" => {
                    n.min.as_deref().is_none_or(|lo| t.as_str() >= lo) && n.max.as_deref().is_none_or(|hi| t.as_str() <= hi)
                }
                _ => true,
            });
            if n.default.is_none() {
                self.warnings.push(format!("{what}: inhalt `{}` is no valid answer for this {} field; not used", f.inhalt, n.ty));
            } else if self.in_optional_group(parent) {
                // A default is a value, so `filled(group)` would hold from the start and the
                // optional group's required members would always be required (found by
                // fuzzing).
                self.warnings.push(format!(
                    "{what}: inhalt `{}` is not used as a default: in an optional group it would make the group count as started",
                    f.inhalt
                ));
                n.default = None;
            }
        }
        let i = self.push(n);
        self.field_rules(f, i);
        i
    }

    pub(crate) fn field_rules(&mut self, f: &Field, i: usize) {
        for r in &f.common.rules {
            self.add_rule(r, Some(i));
        }
    }

    pub(crate) fn list_for(&mut self, r: &crate::xdf::CodeRef) -> Option<String> {
        let key = if r.version_uri.is_empty() { r.canonical.clone() } else { r.version_uri.clone() };
        if let Some(&i) = self.list_by_uri.get(&key) {
            return Some(self.lists[i].name.clone());
        }
        let found =
            self.opts.codelists.iter().find(|l| !r.version_uri.is_empty() && l.canonical_version_uri == r.version_uri).or_else(|| {
                let l = self.opts.codelists.iter().find(|l| !r.canonical.is_empty() && l.canonical_uri == r.canonical)?;
                self.warnings.push(format!(
                    "code list `{}`: version `{}` not found, used `{}` instead",
                    r.canonical, r.version_uri, l.canonical_version_uri
                ));
                Some(l)
            })?;
        let base = if !r.id.is_empty() { slug(&found.short_name, 3).chars().take(30).collect::<String>() } else { String::new() };
        let base = if base.is_empty() { valid_field_id(&slug(&r.id, 1), "liste") } else { valid_field_id(&base, "liste") };
        let mut name = base.clone();
        let mut k = 2;
        while self.lists.iter().any(|l| l.name == name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        let mut rows: Vec<(String, String)> = Vec::new();
        for (code, label) in &found.rows {
            let code = code.trim();
            if code.is_empty() {
                self.warnings.push(format!("code list `{}`: a row without a code left out", found.canonical_version_uri));
            } else if rows.iter().any(|(c, _)| c == code) {
                self.warnings.push(format!("code list `{}`: duplicate code `{code}` left out", found.canonical_version_uri));
            } else {
                rows.push((code.to_string(), label.clone()));
            }
        }
        if rows.is_empty() {
            // A choice needs options (E0102): the caller makes it a text field.
            self.warnings.push(format!("code list `{}` has no codes", found.canonical_version_uri));
            return None;
        }
        self.lists.push(NamedList { name: name.clone(), rows });
        self.list_by_uri.insert(key, self.lists.len() - 1);
        Some(name)
    }

    /// Assigns field ids (unique, readable) and step ids.
    pub(crate) fn name(&mut self) {
        let mut cands = Vec::new();
        let mut which = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if !n.emitted() {
                continue;
            }
            let own = if n.wrapper {
                let base = slug(&n.title, 4);
                valid_field_id(&format!("{base}_liste"), "liste")
            } else {
                valid_field_id(&slug(&n.title, 4), if n.ty == "group" { "gruppe" } else { "feld" })
            };
            let mut anc = Vec::new();
            let mut p = n.parent;
            while let Some(pi) = p {
                let pn = &self.nodes[pi];
                if !pn.wrapper {
                    let s = slug(&pn.title, 2);
                    if !s.is_empty() && !own.starts_with(&s) && !anc.contains(&s) {
                        anc.push(s);
                    }
                }
                p = pn.parent;
            }
            let mut c = vec![own.clone()];
            for a in &anc {
                c.push(valid_field_id(&format!("{a}_{own}"), "feld"));
            }
            if anc.len() > 1 {
                let mut chain: Vec<&str> = anc.iter().rev().map(String::as_str).collect();
                chain.push(&own);
                c.push(valid_field_id(&chain.join("_"), "feld"));
            }
            cands.push(c);
            which.push(i);
        }
        let ids = resolve(&cands, &HashSet::new());
        for (k, i) in which.into_iter().enumerate() {
            self.nodes[i].id = ids[k].clone();
        }
        let mut used = HashSet::new();
        for s in &mut self.steps {
            let base = step_slug(&s.title);
            let base = if base.is_empty() || base == "summary" { "schritt".to_string() } else { base };
            let mut id = base.clone();
            let mut k = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}-{k}");
                k += 1;
            }
            s.id = id;
        }
    }

    /// The field path: `.`-joined ids of the enclosing groups; after a repeated group `rep`
    /// (`[]` in the report, `.0` in scenarios).
    pub(crate) fn path(&self, i: usize, rep: &str) -> String {
        let mut parts = vec![self.nodes[i].id.clone()];
        let mut p = self.nodes[i].parent;
        while let Some(pi) = p {
            let pn = &self.nodes[pi];
            if pn.emitted() {
                if pn.repeat.is_some() {
                    parts.push(format!("{}{rep}", pn.id));
                } else {
                    parts.push(pn.id.clone());
                }
            }
            p = pn.parent;
        }
        parts.reverse();
        parts.join(".")
    }

    pub(crate) fn repeat_scope(&self, i: usize) -> Option<usize> {
        let mut p = self.nodes[i].parent;
        while let Some(pi) = p {
            if self.nodes[pi].repeat.is_some() {
                return Some(pi);
            }
            p = self.nodes[pi].parent;
        }
        None
    }

    pub(crate) fn is_within(&self, i: usize, anc: usize) -> bool {
        let mut p = Some(i);
        while let Some(pi) = p {
            if pi == anc {
                return true;
            }
            p = self.nodes[pi].parent;
        }
        false
    }

    /// Occurrences of a FIM id, those near the rule's host first.
    pub(crate) fn occurrences(&self, fim: &str, host: Option<usize>) -> Vec<usize> {
        let all: Vec<usize> = (0..self.nodes.len()).filter(|&i| self.nodes[i].fim == fim).collect();
        if let Some(h) = host {
            let scope = if self.nodes[h].ty == "group" { Some(h) } else { self.nodes[h].parent };
            if let Some(s) = scope {
                let near: Vec<usize> = all.iter().copied().filter(|&i| self.is_within(i, s)).collect();
                if !near.is_empty() {
                    return near;
                }
            }
        }
        all
    }

    /// Members of a group that are required whenever the group is: `1:1` all the way down,
    /// not into repeated groups.
    pub(crate) fn required_members(&self, g: usize, out: &mut Vec<usize>) {
        for &c in &self.nodes[g].children {
            let n = &self.nodes[c];
            if n.least == 0 || n.repeat.is_some() {
                continue;
            }
            if n.ty == "group" {
                self.required_members(c, out);
            } else if n.is_input() {
                out.push(c);
            }
        }
    }

    pub(crate) fn options_of(&self, i: usize) -> Vec<(String, String)> {
        let n = &self.nodes[i];
        if let Some(l) = &n.list {
            self.lists.iter().find(|x| &x.name == l).map(|x| x.rows.clone()).unwrap_or_default()
        } else {
            n.inline.iter().map(|(c, l, _)| (c.clone(), l.clone())).collect()
        }
    }

    pub(crate) fn apply_rules(&mut self, demoted: &HashMap<String, String>) -> Vec<Translated> {
        let mut done = Vec::new();
        let mut entries = Vec::new();
        let rules = std::mem::take(&mut self.rules);
        for (rule, host) in &rules {
            let mut warnings = Vec::new();
            let outcome = match demoted.get(&rule.id) {
                Some(why) => Err(why.clone()),
                None => self.translate(rule, *host, &mut warnings),
            };
            self.warnings.extend(warnings);
            match outcome {
                Ok(effects) => {
                    let mut targets = Vec::new();
                    let mut exprs = Vec::new();
                    for e in &effects {
                        // A `required` condition is written as is (as before the grammar); the
                        // others say what they became.
                        exprs.push(match e.kind {
                            Kind::Required => e.expr.clone(),
                            Kind::Hidden | Kind::Shown => format!("visible_if: {}", e.expr),
                            Kind::Check => format!("rule: {}", e.expr),
                        });
                        for &t in &e.targets {
                            match e.kind {
                                Kind::Required => self.nodes[t].rule_conds.push(e.expr.clone()),
                                Kind::Hidden | Kind::Shown => self.nodes[t].visible.push(e.expr.clone()),
                                Kind::Check => {}
                            }
                            let p = self.path(t, "[]");
                            if !targets.contains(&p) {
                                targets.push(p);
                            }
                        }
                        if e.kind == Kind::Check {
                            for m in self.probe_answers(e.probe) {
                                self.nodes[m].base_answer = true;
                            }
                            let step = self.step_of(e.probe);
                            let field = self.nodes[e.probe].id.clone();
                            self.steps[step].rules.push((e.expr.clone(), format!("{} ({})", e.message, rule.id), field));
                        }
                    }
                    let first = effects.first().map(|e| e.anchor);
                    if let Some(t) = first {
                        let desc = if effects.iter().all(|e| e.kind == Kind::Required) {
                            format!("required when `{}`", exprs.join("` / `"))
                        } else {
                            format!("`{}`", exprs.join("`; `"))
                        };
                        self.nodes[t].comments.push(format!("{} (FIM rule, translated: {desc}): {}", rule.id, rule.prose));
                    }
                    entries.push(RuleEntry {
                        fim: rule.id.clone(),
                        status: "translated",
                        expression: Some(exprs.join("; ")),
                        targets: Some(targets),
                        prose: rule.prose.clone(),
                        reason: None,
                    });
                    done.push(Translated { rule: rule.id.clone(), effects });
                }
                Err(reason) => {
                    let text = format!("TODO {} (FIM rule, not translated: {reason}): {}", rule.id, rule.prose);
                    // Where it applies: the first element the prose names, else where it sits.
                    let named = regex_ids(&rule.prose).into_iter().find_map(|id| self.occurrences(&id, *host).first().copied());
                    match named.or(*host) {
                        Some(n) => self.nodes[n].comments.push(text),
                        None => self.form_comments.push(text),
                    }
                    entries.push(RuleEntry {
                        fim: rule.id.clone(),
                        status: "todo",
                        expression: None,
                        targets: None,
                        prose: rule.prose.clone(),
                        reason: Some(reason),
                    });
                }
            }
        }
        self.rules = rules;
        self.rule_entries = entries;
        done
    }

    /// The step a node is on.
    pub(crate) fn step_of(&self, i: usize) -> usize {
        self.steps
            .iter()
            .position(|s| {
                s.fields.iter().any(|&f| if f < self.nodes.len() { self.is_within(i, f) } else { self.is_within(i, usize::MAX - f) })
            })
            .unwrap_or(0)
    }

    /// Reads the prose with the grammar and translates every sentence (all or nothing).
    pub(crate) fn translate(&self, rule: &Rule, host: Option<usize>, warnings: &mut Vec<String>) -> Result<Vec<Effect>, String> {
        if rule.prose.is_empty() {
            return Err("the rule has no prose".into());
        }
        let mut parsed = crate::rules::parse(&rule.prose).map_err(|s| s.to_string())?;
        crate::rules::translate::resolve_others(&mut parsed);
        let mut effects = Vec::new();
        for s in &parsed.sentences {
            effects.extend(self.sentence_effects(s, host, &rule.id, scenario_today(), warnings)?);
        }
        if effects.is_empty() {
            return Err("the rule says nothing the form language can check".into());
        }
        Ok(effects)
    }

    pub(crate) fn required(&self, i: usize) -> Option<String> {
        let n = &self.nodes[i];
        let mut ors: Vec<String> = n.rule_conds.clone();
        if n.least >= 1 {
            let mut conds = Vec::new();
            let mut p = n.parent;
            while let Some(pi) = p {
                let pn = &self.nodes[pi];
                if pn.repeat.is_some() {
                    break;
                }
                if pn.optional_group {
                    conds.push(format!("filled({})", pn.id));
                }
                p = pn.parent;
            }
            if conds.is_empty() {
                return Some("true".into());
            }
            conds.reverse();
            ors.push(conds.join(" and "));
        }
        if ors.is_empty() { None } else { Some(ors.join(" or ")) }
    }

    // ---- output ----

    pub(crate) fn emit(&self, schema: &Schema) -> String {
        let mut o = String::new();
        o.push_str("# yaml-language-server: $schema=https://wegweiser.example/form-language.schema.json\n");
        let src = self.opts.source_name.as_deref().map(|s| format!(", file {s}")).unwrap_or_default();
        comment(
            &mut o,
            0,
            &format!(
                "Imported by `wegweiser import fim` from FIM {} {} version {} (XDatenfelder {}){src}. \"TODO\" comments mark rules that still need a person.",
                if schema.id.starts_with('S') { "Stammdatenschema" } else { "element" },
                schema.id,
                schema.version,
                schema.xdf.as_str()
            ),
        );
        o.push_str("wegweiser: 1\n");
        let mut form_id = step_slug_long(&schema.name);
        if form_id.is_empty() {
            form_id = step_slug_long(&schema.id);
        }
        if form_id.is_empty() {
            // Found by fuzzing: a schema without a usable name or id.
            form_id = "formular".to_string();
        }
        o.push_str(&format!("id: {form_id}\n"));
        if !schema.version.is_empty() {
            o.push_str(&format!("version: {}\n", quote(&schema.version)));
        }
        o.push_str("languages: [de]\n");
        o.push_str(&format!("title: {}\n", text(&schema.label)));
        if !schema.hint.is_empty() {
            o.push_str(&format!("description: {}\n", text(&schema.hint)));
        }
        o.push_str(&format!("fim: {{ schema: {}", quote(&schema.id)));
        if !schema.version.is_empty() {
            o.push_str(&format!(", version: {}", quote(&schema.version)));
        }
        o.push_str(" }\n");
        if !self.lists.is_empty() {
            o.push_str("\nlists:\n");
            for l in &self.lists {
                o.push_str(&format!("  {}:\n", l.name));
                for (code, label) in &l.rows {
                    o.push_str(&format!("    - {{ value: {}, label: {} }}\n", quote(code), text(label)));
                }
            }
        }
        o.push_str("\nsteps:\n");
        for c in &self.form_comments {
            comment(&mut o, 2, c);
        }
        for s in &self.steps {
            for c in &s.comments {
                comment(&mut o, 2, c);
            }
            let mut fields = Vec::new();
            for &f in &s.fields {
                if f > self.nodes.len() {
                    for c in &self.nodes[usize::MAX - f].comments {
                        comment(&mut o, 2, c);
                    }
                } else if self.is_empty_group(f) {
                    for c in &self.nodes[f].comments {
                        comment(&mut o, 2, c);
                    }
                } else {
                    fields.push(f);
                }
            }
            o.push_str(&format!("  - id: {}\n", s.id));
            o.push_str(&format!("    title: {}\n", text(&s.title)));
            if fields.is_empty() {
                o.push_str("    text: \"(Diese Gruppe hat keine Felder.)\"\n");
                continue;
            }
            o.push_str("    fields:\n");
            for f in fields {
                self.emit_field(&mut o, f, 6);
            }
            if !s.rules.is_empty() {
                o.push_str("    rules:\n");
                for (check, message, field) in &s.rules {
                    o.push_str(&format!(
                        "      - check: {}\n        message: {}\n        when_empty: true\n        field: {field}\n",
                        quote(check),
                        text(message)
                    ));
                }
            }
        }
        o
    }

    pub(crate) fn emit_field(&self, o: &mut String, i: usize, ind: usize) {
        let n = &self.nodes[i];
        let pad = " ".repeat(ind);
        let pad2 = " ".repeat(ind + 2);
        for c in &n.comments {
            comment(o, ind, c);
        }
        if self.is_empty_group(i) {
            return;
        }
        o.push_str(&format!("{pad}- id: {}\n", n.id));
        o.push_str(&format!("{pad2}type: {}\n", n.ty));
        if !n.fim.is_empty() {
            // Element ids are plain (`F05000059`, `F00-4cb0…`); anything else is quoted, so a
            // schema cannot break the YAML (`F1:`, `,9` were found by fuzzing).
            let plain = n.fim.starts_with(|c: char| c.is_ascii_alphanumeric())
                && n.fim.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            let fim = if plain { n.fim.clone() } else { quote(&n.fim) };
            o.push_str(&format!("{pad2}fim: {fim}\n"));
        }
        if !n.label.is_empty() {
            o.push_str(&format!("{pad2}label: {}\n", text(&n.label)));
        }
        if !n.hint.is_empty() {
            o.push_str(&format!("{pad2}hint: {}\n", text(&n.hint)));
        }
        if !n.visible.is_empty() {
            let v = if n.visible.len() == 1 {
                n.visible[0].clone()
            } else {
                n.visible.iter().map(|v| format!("({v})")).collect::<Vec<_>>().join(" and ")
            };
            o.push_str(&format!("{pad2}visible_if: {}\n", quote(&v)));
        }
        if n.is_input()
            && let Some(r) = self.required(i)
        {
            if r == "true" {
                o.push_str(&format!("{pad2}required: true\n"));
            } else {
                o.push_str(&format!("{pad2}required: {}\n", quote(&r)));
            }
        }
        if let Some(d) = &n.default {
            o.push_str(&format!("{pad2}default: {}\n", d.flow()));
        }
        if let Some(v) = n.min_length {
            o.push_str(&format!("{pad2}min_length: {v}\n"));
        }
        if let Some(v) = n.max_length {
            o.push_str(&format!("{pad2}max_length: {v}\n"));
        }
        if let Some(v) = &n.pattern {
            o.push_str(&format!("{pad2}pattern: {}\n", quote(v)));
        }
        if let Some(v) = n.min_val() {
            o.push_str(&format!("{pad2}min: {v}\n"));
        }
        if let Some(v) = &n.max {
            o.push_str(&format!("{pad2}max: {v}\n"));
        }
        if let Some(l) = &n.list {
            o.push_str(&format!("{pad2}options: {l}\n"));
        } else if !n.inline.is_empty() {
            o.push_str(&format!("{pad2}options:\n"));
            for (code, label, help) in &n.inline {
                let label = if label.is_empty() { code } else { label };
                o.push_str(&format!("{pad2}  - {{ value: {}, label: {}", quote(code), text(label)));
                if !help.is_empty() {
                    o.push_str(&format!(", hint: {}", text(help)));
                }
                o.push_str(" }\n");
            }
        }
        if !n.accept.is_empty() {
            o.push_str(&format!("{pad2}accept: [{}]\n", n.accept.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ")));
        }
        if let Some(s) = n.max_size {
            o.push_str(&format!("{pad2}max_size: {s}\n"));
        }
        if n.ty == "info" {
            o.push_str(&format!("{pad2}text: {}\n", text(&n.text)));
        }
        if let Some((min, max)) = n.repeat {
            let mut parts = Vec::new();
            let required_scope = self.required_chain(i);
            if min > 0 && required_scope {
                parts.push(format!("min: {min}"));
            } else if min > 0 {
                // (warned when built)
            }
            if let Some(m) = max {
                parts.push(format!("max: {m}"));
            }
            parts.push("add_label: \"Weiteren Eintrag hinzufügen\"".to_string());
            o.push_str(&format!("{pad2}repeat: {{ {} }}\n", parts.join(", ")));
        }
        if n.ty == "group" {
            o.push_str(&format!("{pad2}fields:\n"));
            for &c in &n.children {
                self.emit_field(o, c, ind + 4);
            }
        }
    }

    /// True when no optional group encloses `i`: a repeated group's `min` applies.
    pub(crate) fn required_chain(&self, i: usize) -> bool {
        let mut p = self.nodes[i].parent;
        while let Some(pi) = p {
            if self.nodes[pi].optional_group {
                return false;
            }
            p = self.nodes[pi].parent;
        }
        true
    }

    // ---- scenarios ----

    pub(crate) fn scenarios(&self, translated: &[Translated], yaml: &str) -> String {
        // Values to avoid in the sample answers: those that make a rule's condition hold.
        let mut avoid: HashMap<usize, Vec<Ans>> = HashMap::new();
        for t in translated {
            for e in &t.effects {
                for (&n, v) in &e.holds {
                    if !e.fails.get(&n).is_some_and(|f| f == v) {
                        avoid.entry(n).or_default().push(v.ans());
                    }
                }
            }
        }
        let tops: Vec<usize> = self.steps.iter().flat_map(|s| s.fields.iter().copied().filter(|&f| f < self.nodes.len())).collect();
        let mut o = String::new();
        o.push_str("# Smoke scenarios generated by `wegweiser import fim`; run them with `wegweiser test`.\n");
        o.push_str(&format!("today: {}\nscenarios:\n", scenario_today()));
        // 1. The empty form: what the engine reports for it. Whether it is submittable
        // depends on defaults and on rule conditions that hold for empty answers
        // (`empty(telefon)`), which the engine decides; the scenario pins it, so that a later
        // edit that changes it is noticed.
        // (The session has no evaluation budget: `BudgetExhausted` does not come.)
        let empty = engine::compile(yaml).form.and_then(|form| {
            let session = engine::session::Session::new(&form, "de", scenario_today());
            let submittable = session.is_submittable().ok()?;
            let first = session.problems().ok()?.into_iter().find(|p| p.check == engine::checks::CheckCode::Required).and_then(|p| p.field);
            Some((submittable, first))
        });
        let (submittable, first) = empty.unwrap_or((false, None));
        let name = if submittable { "Leeres Formular ist absendbar" } else { "Leeres Formular ist nicht absendbar" };
        o.push_str(&format!("  - name: \"{name}\"\n    answers: {{}}\n    expect:\n      submittable: {submittable}\n"));
        if let Some(path) = first.filter(|_| !submittable) {
            o.push_str(&format!("      errors: {{ {path}: required }}\n"));
        }
        // 2. Every required field answered.
        let none = HashSet::new();
        let base = self.answers(&tops, &avoid, &HashMap::new(), &none);
        o.push_str("  - name: \"Alle Pflichtangaben mit Beispieldaten\"\n    answers:");
        if base.is_empty() {
            o.push_str(" {}\n");
        } else {
            o.push('\n');
            Ans::block(&base, 6, &mut o);
        }
        o.push_str("    expect:\n      submittable: true\n");
        // 3. Each translated consequence: once with its condition holding, once not.
        for t in translated {
            for (k, e) in t.effects.iter().enumerate() {
                let label = if t.effects.len() > 1 { format!("{}: {}. Folge", t.rule, k + 1) } else { t.rule.clone() };
                let probe = self.path(e.probe, ".0");
                // What the condition reads is answered only as the scenario says.
                let mut exclude: HashSet<usize> = HashSet::new();
                for &r in &e.reads {
                    exclude.insert(r);
                }
                for &g in &e.reads {
                    // (members of a group whose "befüllt" the condition reads; a field read
                    // is itself only: its siblings keep their sample answers, so that the
                    // scenario reaches the rule's step with every earlier step complete)
                    let mut ms = Vec::new();
                    self.inputs_under(g, &mut ms);
                    exclude.extend(ms);
                }
                let targets: HashSet<usize> = e.targets.iter().copied().collect();
                // (scenario name, expectation) with the condition holding, and not.
                let (holds, fails): (Case, Case) = match e.kind {
                    Kind::Required => (
                        vec![(
                            "Bedingung erfüllt, Angaben fehlen".into(),
                            format!("      submittable: false\n      errors: {{ {probe}: required }}\n"),
                        )],
                        vec![("Bedingung nicht erfüllt".into(), format!("      no_errors: [{probe}]\n"))],
                    ),
                    Kind::Hidden => (
                        vec![("Bedingung erfüllt, ausgeblendet".into(), format!("      inactive: [{probe}]\n"))],
                        vec![("Bedingung nicht erfüllt, sichtbar".into(), format!("      active: [{probe}]\n"))],
                    ),
                    Kind::Shown => (
                        vec![("Bedingung erfüllt, sichtbar".into(), format!("      active: [{probe}]\n"))],
                        vec![("Bedingung nicht erfüllt, ausgeblendet".into(), format!("      inactive: [{probe}]\n"))],
                    ),
                    Kind::Check => (
                        vec![("Regel verletzt".into(), format!("      errors: {{ {probe}: rule }}\n"))],
                        vec![("Regel erfüllt".into(), format!("      no_errors: [{probe}]\n"))],
                    ),
                };
                #[allow(clippy::type_complexity)]
                let cases: Vec<(&HashMap<usize, Val>, &(String, String), bool)> = match e.kind {
                    // A check is violated where its condition holds and no field is answered,
                    // and satisfied where the first field is answered too.
                    Kind::Check => match &e.satisfied {
                        Some(sat) => vec![(&e.holds, &holds[0], false), (sat, &fails[0], false)],
                        None => vec![(&e.holds, &holds[0], false), (&e.holds, &fails[0], true)],
                    },
                    _ => vec![(&e.holds, &holds[0], false), (&e.fails, &fails[0], false)],
                };
                for (vals, (name, expect), answer_probe) in cases {
                    let mut set: HashMap<usize, Ans> = vals.iter().map(|(&n, v)| (n, v.ans())).collect();
                    let mut ex = exclude.clone();
                    ex.retain(|n| !set.contains_key(n));
                    ex.extend(targets.iter().copied());
                    if e.kind == Kind::Check {
                        // (a group target stays empty only when its members do)
                        ex.extend(e.targets.iter().flat_map(|&t| self.probe_answers(t)));
                    }
                    if answer_probe {
                        // (a group is answered through its members: those required whenever
                        // it is, else its first field)
                        for m in self.probe_answers(e.probe) {
                            ex.remove(&m);
                            set.insert(m, self.sample(m, &[]));
                        }
                    }
                    let answers = self.answers(&tops, &avoid, &set, &ex);
                    o.push_str(&format!("  - name: \"{label}: {name}\"\n    answers:"));
                    if answers.is_empty() {
                        o.push_str(" {}\n");
                    } else {
                        o.push('\n');
                        Ans::block(&answers, 6, &mut o);
                    }
                    o.push_str("    expect:\n");
                    o.push_str(expect);
                }
            }
        }
        o
    }

    /// The fields to answer so that `p` counts as filled.
    pub(crate) fn probe_answers(&self, p: usize) -> Vec<usize> {
        if self.nodes[p].ty != "group" {
            return vec![p];
        }
        let mut ms = Vec::new();
        self.required_members(p, &mut ms);
        if ms.is_empty() {
            ms.extend(self.first_input(p));
        }
        ms
    }

    /// Input fields under `g` (all depths).
    fn inputs_under(&self, g: usize, out: &mut Vec<usize>) {
        for &c in &self.nodes[g].children {
            if self.nodes[c].is_input() {
                out.push(c);
            }
            self.inputs_under(c, out);
        }
    }

    /// Whether the scenario answers something in `i`'s subtree: a set answer, or a field
    /// that a rule can make required (so the sample answers satisfy every rule).
    pub(crate) fn subtree_has(&self, i: usize, set: &HashMap<usize, Ans>, exclude: &HashSet<usize>) -> bool {
        set.contains_key(&i)
            || ((!self.nodes[i].rule_conds.is_empty() || self.nodes[i].base_answer) && !exclude.contains(&i))
            || self.nodes[i].children.iter().any(|&c| self.subtree_has(c, set, exclude))
    }

    /// Sample answers for every field that is `required: true` (in an entry: its members), and
    /// the answers in `set`.
    pub(crate) fn answers(
        &self,
        list: &[usize],
        avoid: &HashMap<usize, Vec<Ans>>,
        set: &HashMap<usize, Ans>,
        exclude: &HashSet<usize>,
    ) -> Vec<(String, Ans)> {
        let mut out = Vec::new();
        for &i in list {
            let n = &self.nodes[i];
            if let Some(v) = set.get(&i) {
                out.push((n.id.clone(), v.clone()));
                continue;
            }
            match n.ty {
                "info" => {}
                "group" => {
                    if let Some((min, _)) = n.repeat {
                        let count = if min > 0 && self.required_chain(i) { min } else { 0 };
                        if count > 0 {
                            // An entry counts only when an answer in it differs from its
                            // default: a required member without a default, or else one
                            // answered on purpose.
                            let counted = self.has_required_answer(i);
                            let mut with_anchor;
                            let mut set = set;
                            if !counted && let Some(a) = self.first_input(i) {
                                let mut not = avoid.get(&a).cloned().unwrap_or_default();
                                not.extend(self.nodes[a].default.clone());
                                with_anchor = set.clone();
                                with_anchor.insert(a, self.sample(a, &not));
                                set = &with_anchor;
                            }
                            let entry = self.answers(&n.children, avoid, set, exclude);
                            out.push((n.id.clone(), Ans::List((0..count).map(|_| Ans::Map(entry.clone())).collect())));
                        }
                    } else if !n.optional_group || self.subtree_has(i, set, exclude) {
                        let m = self.answers(&n.children, avoid, set, exclude);
                        if !m.is_empty() {
                            out.push((n.id.clone(), Ans::Map(m)));
                        }
                    }
                }
                _ => {
                    // Required (members of an optional group, when something in it is answered).
                    let req = self.required(i);
                    let within_filled_group = n.least >= 1 && req.is_some();
                    let by_rule = (!n.rule_conds.is_empty() || n.base_answer) && !exclude.contains(&i);
                    let in_filled = within_filled_group && n.parent.is_some_and(|p| self.subtree_has(p, set, exclude));
                    if exclude.contains(&i) {
                        // Left unanswered, a field with a default has its default: answering
                        // blank clears it (docs/form-language.md#blank-versus-default), so the target is really empty (found by
                        // fuzzing).
                        if n.default.is_some() {
                            out.push((n.id.clone(), Ans::Text(String::new())));
                        }
                        continue;
                    }
                    if req.as_deref() == Some("true") || by_rule || in_filled {
                        out.push((n.id.clone(), self.sample(i, avoid.get(&i).map(Vec::as_slice).unwrap_or(&[]))));
                    }
                }
            }
        }
        out
    }

    /// Whether an entry of repeated group `g` always has a required member without a
    /// default among the sample answers.
    pub(crate) fn has_required_answer(&self, g: usize) -> bool {
        let mut members = Vec::new();
        self.required_members(g, &mut members);
        members.iter().any(|&m| self.nodes[m].default.is_none() && self.required(m).as_deref() == Some("true"))
    }

    pub(crate) fn sample(&self, i: usize, avoid: &[Ans]) -> Ans {
        let n = &self.nodes[i];
        match n.ty {
            "choice" | "multi_choice" => {
                let opts = self.options_of(i);
                let pick = opts
                    .iter()
                    .find(|(c, _)| !avoid.iter().any(|a| *a == Ans::Text(c.clone()) || *a == Ans::List(vec![Ans::Text(c.clone())])))
                    .or(opts.first())
                    .map(|(c, _)| c.clone())
                    .unwrap_or_default();
                if n.ty == "multi_choice" { Ans::List(vec![Ans::Text(pick)]) } else { Ans::Text(pick) }
            }
            "boolean" => {
                let t = Ans::Plain("true".into());
                if avoid.contains(&t) { Ans::Plain("false".into()) } else { t }
            }
            "number" | "integer" | "money" => {
                Ans::Plain(sample::number(n.ty, n.min.as_deref(), n.max.as_deref()).unwrap_or_else(|| "1".into()))
            }
            "date" => Ans::Text(sample::date(n.min.as_deref(), n.max.as_deref())),
            "file" => {
                let ty = n
                    .accept
                    .first()
                    .map(|a| match a.as_str() {
                        "*/*" => "application/pdf".to_string(),
                        _ if a.ends_with("/*") => a.replace('*', "png"),
                        _ => a.clone(),
                    })
                    .unwrap_or_else(|| "application/pdf".into());
                let ext = ty.rsplit('/').next().unwrap_or("pdf");
                let size = n.max_size.map_or(1000, |m| m.min(1000));
                Ans::Map(vec![
                    ("name".into(), Ans::Text(format!("nachweis.{ext}"))),
                    ("size".into(), Ans::Plain(size.to_string())),
                    ("type".into(), Ans::Text(ty)),
                ])
            }
            _ => Ans::Text(sample::text(n.pattern.as_deref(), n.min_length, n.max_length).unwrap_or_else(|| "Muster".into())),
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

/// A form id: every word, `-`-joined.
fn step_slug_long(s: &str) -> String {
    let w = crate::naming::words(s);
    let id = w.join("-");
    let _ = step_slug; // same rules as step ids, but keeping all words
    id.chars().take(60).collect::<String>().trim_end_matches('-').to_string()
}

/// A text: quoted; `{{` would start a placeholder, so it is broken up.
fn text(s: &str) -> String {
    // A FIM text is never a placeholder: break every `{{` and `}}` apart, also in runs
    // such as `{{{`, where one pass of `replace` leaves a `{{` behind (found by fuzzing).
    let mut t = s.to_string();
    while t.contains("{{") || t.contains("}}") {
        t = t.replace("{{", "{ {").replace("}}", "} }");
    }
    quote(&t)
}

/// A plain decimal (`-12.5`) that the engine can hold exactly: at most 28 significant
/// digits (found by fuzzing: a longer bound made the form fail to compile, E0201).
pub(crate) fn is_decimal(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (a, b) = body.split_once('.').unwrap_or((body, "0"));
    !a.is_empty()
        && !b.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.bytes().all(|c| c.is_ascii_digit())
        && engine::checks::parse_plain_decimal(s).is_some()
}

/// `YYYY-MM-DD` of a day that exists (not `2021-02-30`: found by fuzzing, the engine
/// refuses such a bound).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if !(s.len() == 10 && b[4] == b'-' && b[7] == b'-' && s.bytes().filter(u8::is_ascii_digit).count() == 8) {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (s[..4].parse::<u32>(), s[5..7].parse::<u32>(), s[8..].parse::<u32>()) else { return false };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// `type/subtype` (or `type/*`, `*/*`) in the characters RFC 6838 allows in names.
fn is_media_type(s: &str) -> bool {
    let name = |p: &str| !p.is_empty() && p.len() <= 127 && p.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&c));
    match s.split_once('/') {
        Some(("*", "*")) => true,
        Some((ty, "*")) => name(ty),
        Some((ty, sub)) => name(ty) && name(sub),
        None => false,
    }
}

fn default_for(n: &Node, inhalt: &str, lists: &[NamedList]) -> Option<Ans> {
    let v = inhalt.trim();
    match n.ty {
        "text" => Some(Ans::Text(v.to_string())),
        "number" | "integer" | "money" => is_decimal(v).then(|| Ans::Plain(v.to_string())),
        "date" => is_date(v).then(|| Ans::Text(v.to_string())),
        "boolean" => match v.to_lowercase().as_str() {
            "true" | "ja" => Some(Ans::Plain("true".into())),
            "false" | "nein" => Some(Ans::Plain("false".into())),
            _ => None,
        },
        "choice" => {
            let known = match &n.list {
                Some(l) => lists.iter().any(|x| &x.name == l && x.rows.iter().any(|(c, _)| c == v)),
                None => n.inline.iter().any(|(c, _, _)| c == v),
            };
            known.then(|| Ans::Text(v.to_string()))
        }
        _ => None,
    }
}

fn regex_ids(prose: &str) -> Vec<String> {
    prose
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.len() > 3 && (w.starts_with('F') || w.starts_with('G')) && w[1..].starts_with(|c: char| c.is_ascii_digit()))
        .map(String::from)
        .collect()
}
