//! What a [`Form`] promises everyone who evaluates it, checked when a form arrives from
//! outside the compiler ([`Form::from_json`], [`Form::from_bytes`]: the browser module
//! receives the compiled form in its binary encoding, `form/binary.rs`).
//!
//! The compiler only ever builds forms that keep these promises; a form read from JSON could
//! break them (a page's data block edited by hand, a truncated or stale copy) and then a
//! session would index out of bounds deep inside an evaluation. So every id the form holds
//! — in steps, fields, groups, branches, expressions, texts, parameters and the dependency
//! graph — is checked to name something that exists, and the tree of steps, groups and
//! members to be consistent, before the form is handed out.

use crate::expr::{CExpr, Dep};
use crate::ids::{FieldId, StepId, ValueId};

use super::{Form, Site, TPart, Target, Text};

/// Why a form read from JSON or its binary encoding was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormError {
    /// Not the JSON (or the binary encoding) of a compiled form.
    #[error("the compiled form is not readable: {0}")]
    Unreadable(String),
    /// Readable, but a promise of a compiled form does not hold.
    #[error("the compiled form is inconsistent: {0}")]
    Inconsistent(String),
    /// A binary encoding of another format version (`form/binary.rs`): a stale copy, or a
    /// module older or newer than the server that encoded it.
    #[error("the compiled form is in binary format version {found}, but this engine reads version {expected} (a stale copy: reload the page)")]
    Version {
        /// The version in the bytes' header.
        found: u16,
        /// The version this engine reads.
        expected: u16,
    },
}

impl Form {
    /// Reads a compiled form from its JSON (what the server embeds in a page) and checks
    /// that it keeps the promises of a compiled form (`form/invariants.rs`); the only way
    /// a front end should receive a form it did not compile itself.
    pub fn from_json(json: &str) -> Result<Form, FormError> {
        let form: Form = serde_json::from_str(json).map_err(|e| FormError::Unreadable(e.to_string()))?;
        form.check_invariants().map_err(FormError::Inconsistent)?;
        Ok(form)
    }

    /// Checks every promise; the first broken one, described.
    pub(crate) fn check_invariants(&self) -> Result<(), String> {
        let (nf, ns, nv) = (self.fields.len(), self.steps.len(), self.values.len());
        let field = |id: FieldId, at: &str| if id.ix() < nf { Ok(()) } else { Err(format!("{at} names field #{} of {nf}", id.ix())) };
        let step = |id: StepId, at: &str| if id.ix() < ns { Ok(()) } else { Err(format!("{at} names step #{} of {ns}", id.ix())) };
        let value = |id: ValueId, at: &str| if id.ix() < nv { Ok(()) } else { Err(format!("{at} names value #{} of {nv}", id.ix())) };
        if self.languages.is_empty() {
            return Err("the form has no language".into());
        }
        if self.steps.is_empty() {
            return Err("the form has no step".into());
        }
        for (i, s) in self.steps.iter().enumerate() {
            let at = format!("step `{}`", s.id);
            if self.steps[..i].iter().any(|t| t.id == s.id) {
                return Err(format!("{at} is there twice"));
            }
            for &f in &s.fields {
                field(f, &at)?;
                let fd = &self.fields[f.ix()];
                if fd.step.ix() != i || fd.parent.is_some() {
                    return Err(format!("{at} lists `{}`, which is not one of its own fields", fd.id));
                }
            }
            for b in &s.next {
                if let Target::Step(t) = b.target {
                    step(t, &at)?;
                }
            }
        }
        for (i, f) in self.fields.iter().enumerate() {
            let at = format!("field `{}`", f.id);
            step(f.step, &at)?;
            if let Some(p) = f.parent {
                field(p, &at)?;
                if !self.fields[p.ix()].members.contains(&FieldId(i as u32)) {
                    return Err(format!("{at} is not a member of its group"));
                }
            } else if !self.steps[f.step.ix()].fields.contains(&FieldId(i as u32)) {
                return Err(format!("{at} is not on its step"));
            }
            if let Some(g) = f.repeat_group {
                field(g, &at)?;
            }
            for &m in &f.members {
                field(m, &at)?;
                if self.fields[m.ix()].parent != Some(FieldId(i as u32)) {
                    return Err(format!("{at} lists a member of another group"));
                }
            }
            for r in &f.rules {
                if let Some(g) = r.field {
                    field(g, &at)?;
                }
                r.gate.iter().try_for_each(|&g| field(g, &at))?;
            }
        }
        for p in &self.parameters {
            value(p.value, &format!("parameter `{}`", p.id))?;
        }
        let check_expr = |e: &CExpr, at: &str| -> Result<(), String> {
            let mut deps = Vec::new();
            e.deps(&mut deps);
            deps.into_iter().try_for_each(|d| match d {
                Dep::Field(f) => field(f, at),
                Dep::Value(v) => value(v, at),
                Dep::Today => Ok(()),
            })
        };
        let check_site = |site: Site| -> Result<(), String> {
            let at = "the dependency graph";
            match site {
                Site::Visible(f) | Site::Required(f) | Site::Min(f) | Site::Max(f) | Site::Computed(f) => field(f, at),
                Site::OptionIf(f, n) => field(f, at).and_then(|()| {
                    ((n as usize) < self.fields[f.ix()].options.len()).then_some(()).ok_or_else(|| format!("{at} names option #{n}"))
                }),
                Site::FieldRule(f, n) => field(f, at).and_then(|()| {
                    ((n as usize) < self.fields[f.ix()].rules.len()).then_some(()).ok_or_else(|| format!("{at} names rule #{n}"))
                }),
                Site::StepRule(s, n) => step(s, at).and_then(|()| {
                    ((n as usize) < self.steps[s.ix()].rules.len()).then_some(()).ok_or_else(|| format!("{at} names rule #{n}"))
                }),
                Site::When(s) => step(s, at),
                Site::Next(s, n) => step(s, at).and_then(|()| {
                    ((n as usize) < self.steps[s.ix()].next.len()).then_some(()).ok_or_else(|| format!("{at} names branch #{n}"))
                }),
                Site::Value(v) => value(v, at),
            }
        };
        // The dependency graph first: `sites()` reads through the sites it is checked against.
        if self.deps.field_readers.len() != nf || self.deps.value_readers.len() != nv {
            return Err("the dependency graph does not fit the fields and values".into());
        }
        self.deps.field_readers.iter().chain(&self.deps.value_readers).flatten().chain(&self.deps.today_readers).try_for_each(|s| check_site(*s))?;
        for (site, e) in self.sites() {
            check_site(site)?;
            check_expr(e, &format!("{site:?}"))?;
        }
        for (text, at) in self.texts() {
            for (_, template) in &text.langs {
                for part in template {
                    if let TPart::Expr(e, _) = part {
                        check_expr(e, at)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every text of the form, with what it belongs to (placeholders read fields and values).
    fn texts(&self) -> Vec<(&Text, &'static str)> {
        let mut out: Vec<(&Text, &'static str)> = vec![(&self.title, "the title")];
        out.extend(self.description.iter().map(|t| (t, "the description")));
        out.extend(self.authority.iter().map(|t| (t, "the authority")));
        for s in &self.steps {
            out.extend([&s.title, &s.text, &s.section].into_iter().flatten().map(|t| (t, "a step's text")));
            out.extend(s.rules.iter().map(|r| (&r.message, "a step rule's message")));
        }
        for f in &self.fields {
            out.extend([&f.label, &f.hint, &f.text].into_iter().flatten().map(|t| (t, "a field's text")));
            out.extend(f.options.iter().flat_map(|o| std::iter::once(&o.label).chain(&o.hint)).map(|t| (t, "an option's text")));
            out.extend(f.rules.iter().map(|r| (&r.message, "a field rule's message")));
            out.extend(f.messages.iter().map(|(_, t)| (t, "a field's message")));
            out.extend(f.repeat.iter().filter_map(|r| r.add_label.as_ref()).map(|t| (t, "an add label")));
        }
        out.extend(self.parameters.iter().filter_map(|p| p.label.as_ref()).map(|t| (t, "a parameter's label")));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = "wegweiser: 1\nid: t\ntitle: T\nsteps:\n  - id: a\n    fields:\n      - { id: n, type: integer, label: \"N {{ n }}\" }\n      - { id: m, type: integer, visible_if: n > 1 }\n    next:\n      - { if: n > 2, goto: b }\n      - goto: summary\n  - id: b\n    fields:\n      - id: hund\n        type: group\n        repeat: { max: 3 }\n        fields:\n          - { id: rasse, type: text }\n";

    fn json() -> serde_json::Value {
        serde_json::to_value(crate::compile(FORM).form.expect("compiles")).unwrap()
    }

    #[test]
    fn a_compiled_form_keeps_its_promises_through_json() {
        let form = Form::from_json(&json().to_string()).expect("the compiler's form is consistent");
        assert_eq!(form.id(), "t");
    }

    #[test]
    fn a_form_with_a_broken_promise_is_refused() {
        let refused = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut j = json();
            edit(&mut j);
            Form::from_json(&j.to_string()).expect_err("refused")
        };
        // An expression (the visible_if of m) reading a field that does not exist.
        let e = refused(&|j| j["fields"][1]["visible_if"]["Binary"][1]["Field"] = 99.into());
        assert!(matches!(&e, FormError::Inconsistent(m) if m.contains("field #99")), "{e}");
        // A placeholder in a label reading a value that does not exist.
        let e = refused(&|j| j["fields"][0]["label"]["langs"][0][1][1]["Expr"][0] = serde_json::json!({ "Value": 7 }));
        assert!(matches!(&e, FormError::Inconsistent(m) if m.contains("value #7")), "{e}");
        // A branch to a step that does not exist.
        let e = refused(&|j| j["steps"][0]["next"][0]["target"] = serde_json::json!({ "Step": 5 }));
        assert!(matches!(&e, FormError::Inconsistent(m) if m.contains("step #5")), "{e}");
        // A member claimed by a group it does not belong to.
        let e = refused(&|j| j["fields"][3]["parent"] = 0.into());
        assert!(matches!(&e, FormError::Inconsistent(_)), "{e}");
        // A dependency graph of the wrong size.
        let e = refused(&|j| j["deps"]["field_readers"] = serde_json::json!([]));
        assert!(matches!(&e, FormError::Inconsistent(_)), "{e}");
        assert!(matches!(Form::from_json("{}"), Err(FormError::Unreadable(_))));
    }
}
