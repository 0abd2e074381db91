//! Writes the form's YAML (through `yaml.rs`): the header, the code lists, the steps and
//! each field with its checks, conditions and the comments of what was left out.

use crate::naming::step_slug;
use crate::xdf::Schema;
use crate::yaml::{comment, quote};

use super::Builder;

impl Builder<'_> {
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
