//! Applying the translated FIM rules (`rules/translate.rs`) to the nodes: `required` and
//! `visible_if` conditions and step rules, with the report's entry for each rule; a rule
//! sent back to "to do" stays out.

use std::collections::HashMap;

use crate::report::RuleEntry;
use crate::rules::translate::{Effect, Kind};
use crate::xdf::Rule;

use super::{Builder, Translated, scenario_today};

impl Builder<'_> {
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
}

fn regex_ids(prose: &str) -> Vec<String> {
    prose
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.len() > 3 && (w.starts_with('F') || w.starts_with('G')) && w[1..].starts_with(|c: char| c.is_ascii_digit()))
        .map(String::from)
        .collect()
}
