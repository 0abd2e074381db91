//! A generator of large, realistic form definitions for the compile benchmark and its test.
//!
//! `generate_form(n)` writes a form with `n` fields (group members and info fields counted)
//! on `n / 20` question steps of 20 fields each, plus one exit step. Every tenth step holds a
//! repeated group whose entries are counted and summed by a computed field. The form compiles
//! without errors; it has warnings (mostly texts without an English translation).
//!
//! `generate_answers(n)` fills that form completely and validly, `generate_scenarios(n)` is
//! its scenario file (the session benchmark and `wegweiser test` run them).

// Each user (the compile and session benchmarks, the test) takes only some of the functions.
#![allow(dead_code)]

use std::fmt::Write as _;

/// Fields per question step.
pub const FIELDS_PER_STEP: usize = 20;

/// A form with `fields` fields (rounded down to a multiple of 20, at least one step).
pub fn generate_form(fields: usize) -> String {
    let steps = (fields / FIELDS_PER_STEP).max(1);
    let mut y = String::with_capacity(fields * 170 + 1024);
    y.push_str(
        "wegweiser: 1\n\
         id: benchmark-antrag\n\
         version: \"2026-bench\"\n\
         languages: [de, en]\n\
         title: { de: \"Antrag auf Leistungen (Lasttest)\", en: \"Application for benefits (load test)\" }\n\
         description: Ein generiertes Formular mit vielen Schritten.\n\
         authority: Stadt Musterstadt, Sozialamt\n\
         lists:\n  \
         familienstand:\n    \
         - { value: ledig, label: { de: ledig, en: single } }\n    \
         - { value: verheiratet, label: { de: verheiratet, en: married } }\n    \
         - { value: geschieden, label: geschieden }\n\
         values:\n  \
         grenze: 500\n  \
         freibetrag: 1200.50\n\
         steps:\n",
    );
    for s in 0..steps {
        step(&mut y, s, steps);
    }
    y.push_str(
        "  - id: nicht-zustaendig\n    \
         kind: exit\n    \
         title: { de: \"Wir sind nicht zuständig\", en: \"We are not responsible\" }\n    \
         text: Bitte wenden Sie sich an Ihre Gemeinde.\n\
         submission:\n  \
         reference: BEN-{year}-{seq:6}\n",
    );
    y
}

fn step(y: &mut String, s: usize, steps: usize) {
    let f = |k: usize| format!("f{s}_{k}");
    let prev = s.checked_sub(1).map(|p| format!("f{p}_8"));
    let _ = writeln!(y, "  - id: s{s}");
    let _ = writeln!(y, "    title: {{ de: \"Schritt {n}\", en: \"Step {n}\" }}", n = s + 1);
    if s % 5 == 3 {
        let _ = writeln!(y, "    section: Angaben zu Teil {}", s / 5 + 1);
        let _ = writeln!(y, "    when: filled(f{}_0) or f{}_4", s - 1, s - 1);
    }
    if s % 7 == 2 {
        let _ = writeln!(y, "    text: \"Bitte prüfen Sie Ihre Angaben, {{{{ f{}_0 }}}}.\"", s - 1);
    }
    y.push_str("    fields:\n");

    // 0: text with max_length and pattern
    let _ = writeln!(
        y,
        "      - {{ id: {}, type: text, label: {{ de: \"Aktenzeichen {s}\", en: \"File number {s}\" }}, required: true, max_length: 20, pattern: '[A-Z]{{2}}-[0-9]{{1,6}}' }}",
        f(0)
    );
    // 1: integer with bounds
    let _ =
        writeln!(y, "      - {{ id: {}, type: integer, label: {{ de: Anzahl, en: Number }}, required: true, min: 0, max: 1000 }}", f(1));
    // 2: money
    let _ = writeln!(y, "      - {{ id: {}, type: money, label: {{ de: Betrag, en: Amount }}, min: 0, hint: in Euro }}", f(2));
    // 3: date with max today() and a field rule
    let _ = writeln!(
        y,
        "      - id: {d}\n        type: date\n        label: {{ de: Geburtsdatum, en: Date of birth }}\n        max: today()\n        rules:\n          \
         - {{ check: age({d}) >= 18, message: {{ de: \"Sie müssen volljährig sein.\", en: \"You must be of age.\" }} }}",
        d = f(3)
    );
    // 4: boolean
    let _ = writeln!(
        y,
        "      - {{ id: {}, type: boolean, label: {{ de: \"Leben Sie allein?\", en: \"Do you live alone?\" }}, required: true }}",
        f(4)
    );
    // 5: choice with inline options, visible_if on the same step
    let _ = writeln!(
        y,
        "      - id: {}\n        type: choice\n        label: Wohnform\n        visible_if: not {}\n        display: radios\n        options:\n          \
         - {{ value: miete, label: {{ de: Miete, en: Rent }} }}\n          \
         - {{ value: eigentum, label: {{ de: Eigentum, en: Ownership }} }}\n          \
         - {{ value: sonstige, label: Sonstige, if: {} > 0 }}",
        f(5),
        f(4),
        f(1)
    );
    // 6: email, required if
    let _ =
        writeln!(y, "      - {{ id: {}, type: email, label: {{ de: E-Mail, en: Email }}, required: {}, autocomplete: email }}", f(6), f(4));
    // 7: plz
    let _ = writeln!(y, "      - {{ id: {}, type: plz, label: Postleitzahl, required: true, autocomplete: postal-code }}", f(7));
    // 8: computed arithmetic over earlier numeric fields (a running total across steps)
    let carry = prev.map(|p| format!(" + {p}")).unwrap_or_default();
    let _ = writeln!(
        y,
        "      - {{ id: {}, type: computed, label: {{ de: Zwischensumme, en: Subtotal }}, value: {} * 12.5 + {} - freibetrag / 12{carry}, format: money }}",
        f(8),
        f(1),
        f(2)
    );
    // 9: textarea with a placeholder
    let _ = writeln!(
        y,
        "      - {{ id: {}, type: textarea, label: \"Begründung zu {{{{ {} }}}}\", max_length: 2000, visible_if: filled({}) }}",
        f(9),
        f(0),
        f(0)
    );
    if s % 10 == 9 {
        group_block(y, s);
    } else {
        // 10: integer shown on a condition
        let _ = writeln!(
            y,
            "      - {{ id: {}, type: integer, label: {{ de: Kinder, en: Children }}, visible_if: {} > 10, min: 0, max: 20 }}",
            f(10),
            f(1)
        );
        // 11: number with decimals
        let _ = writeln!(y, "      - {{ id: {}, type: number, label: Fläche in m², decimals: 2, min: 1, max: 10000 }}", f(11));
        // 12: choice from a list
        let _ = writeln!(y, "      - {{ id: {}, type: choice, options: familienstand, label: Familienstand, display: select }}", f(12));
        // 13: phone
        let _ = writeln!(y, "      - {{ id: {}, type: phone, label: {{ de: Telefon, en: Phone }}, autocomplete: tel }}", f(13));
        // 14: info with a placeholder
        let _ = writeln!(
            y,
            "      - {{ id: {}, type: info, visible_if: filled({}), text: {{ de: \"Zwischensumme: {{{{ {} }}}} Euro\", en: \"Subtotal: {{{{ {} }}}} euros\" }} }}",
            f(14),
            f(8),
            f(8),
            f(8)
        );
        // 15: multi_choice with a count bound
        let _ = writeln!(
            y,
            "      - {{ id: {}, type: multi_choice, label: Nachweise, max: 2, options: [{{ value: a, label: Ausweis }}, {{ value: b, label: Bescheid }}, {{ value: c, label: Vertrag }}] }}",
            f(15)
        );
    }
    // 16: text shown on a choice, required
    let _ = writeln!(
        y,
        "      - {{ id: {}, type: text, label: Vermieter, visible_if: {} == \"miete\", required: true, max_length: 80 }}",
        f(16),
        f(5)
    );
    // 17: date bounded by an earlier field
    let _ = writeln!(
        y,
        "      - {{ id: {}, type: date, label: {{ de: Einzugsdatum, en: Moving-in date }}, min: {}, max: today() }}",
        f(17),
        f(3)
    );
    // 18: integer with a field rule reading another field
    let _ = writeln!(
        y,
        "      - id: {a}\n        type: integer\n        label: Davon minderjährig\n        required: {r}\n        rules:\n          \
         - {{ check: {a} <= {b}, message: \"Höchstens {{{{ {b} }}}} Personen.\" }}",
        a = f(18),
        b = f(1),
        r = match s {
            0 => "false".to_string(),
            _ => format!("f{}_4", s - 1),
        }
    );
    // 19: computed over this step's numbers (and the group on group steps)
    let extra = if s % 10 == 9 { format!("count(g{s}) + sum(g{s}, g{s}_anzahl)") } else { format!("if({}, {}, 0)", f(4), f(10)) };
    let _ = writeln!(y, "      - {{ id: {}, type: computed, label: Personen, value: '{extra} + {} + 1', format: integer }}", f(19), f(18));

    // a step rule
    let _ = writeln!(
        y,
        "    rules:\n      - {{ check: {} <= {} * 100 + 1000, field: {}, message: {{ de: Zu hoch, en: Too high }} }}",
        f(2),
        f(1),
        f(2)
    );

    // next branches
    if s + 1 == steps {
        y.push_str("    next: summary\n");
    } else {
        y.push_str("    next:\n");
        if s == 0 {
            let _ = writeln!(y, "      - {{ if: {} == 1000, goto: nicht-zustaendig }}", f(1));
        }
        let skip = if s + 2 < steps { format!("s{}", s + 2) } else { "summary".to_string() };
        let _ = writeln!(y, "      - {{ if: {} and {} > grenze, goto: {skip} }}", f(4), f(1));
        let _ = writeln!(y, "      - goto: s{}", s + 1);
    }
}

/// Slots 10..=15 of every tenth step: a repeated group with four members and a computed field.
fn group_block(y: &mut String, s: usize) {
    let g = format!("g{s}");
    let _ = writeln!(
        y,
        "      - id: {g}\n        type: group\n        label: {{ de: \"Person {{{{ index }}}}\", en: \"Person {{{{ index }}}}\" }}\n        \
         repeat: {{ min: 0, max: 10, add_label: Weitere Person hinzufügen }}\n        fields:\n          \
         - {{ id: {g}_name, type: text, label: {{ de: Name, en: Name }}, required: true, max_length: 60 }}\n          \
         - {{ id: {g}_anzahl, type: integer, label: \"Einkünfte von {{{{ {g}_name }}}}\", min: 0, max: 99 }}\n          \
         - {{ id: {g}_betrag, type: money, label: Betrag, visible_if: {g}_anzahl > 0, required: true }}\n          \
         - {{ id: {g}_seit, type: date, label: Seit, max: today() }}"
    );
    let _ = writeln!(
        y,
        "      - {{ id: {g}_summe, type: computed, label: {{ de: Gesamteinkommen, en: Total income }}, value: 'sum({g}, {g}_betrag) + count({g}, {g}_anzahl > 2) * 10', format: money }}"
    );
}

/// One answer of the generated workload: a field path and what a citizen gives, as the
/// scenario file writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A text (numbers and dates as a German speaker types them).
    Text(String),
    /// A yes/no.
    Bool(bool),
    /// Ticked options.
    List(Vec<String>),
}

/// A complete and valid set of answers for `generate_form(fields)`: every step stays on the
/// path (no skip, no exit), the repeated groups get two entries each, and the whole form is
/// submittable. In the order a citizen fills the form.
pub fn generate_answers(fields: usize) -> Vec<(String, Answer)> {
    let steps = (fields / FIELDS_PER_STEP).max(1);
    let t = |s: &str| Answer::Text(s.to_string());
    let mut out = Vec::with_capacity(fields);
    for s in 0..steps {
        let f = |k: usize| format!("f{s}_{k}");
        out.push((f(0), Answer::Text(format!("AB-{s}"))));
        // 5: at most `grenze` (no skip), not 1000 (no exit), below 10 (slot 10 hidden).
        out.push((f(1), t("5")));
        out.push((f(2), t("100")));
        out.push((f(3), t("01.05.1980")));
        out.push((f(4), Answer::Bool(false)));
        out.push((f(5), t("miete")));
        out.push((f(6), t("person@example.org")));
        out.push((f(7), t("10115")));
        out.push((f(9), t("Weil es nötig ist.")));
        if s % 10 == 9 {
            for e in 0..2 {
                let m = |k: &str| format!("g{s}.{e}.g{s}_{k}");
                out.push((m("name"), t(if e == 0 { "Anna" } else { "Ben" })));
                out.push((m("anzahl"), t("1")));
                out.push((m("betrag"), t("50")));
                out.push((m("seit"), t("01.01.2020")));
            }
        } else {
            out.push((f(11), t("12,5")));
            out.push((f(12), t("ledig")));
            out.push((f(13), t("030 1234567")));
            out.push((f(15), Answer::List(vec!["a".into(), "b".into()])));
        }
        out.push((f(16), t("Hausverwaltung Muster")));
        out.push((f(17), t("01.01.2020")));
        out.push((f(18), t("2")));
    }
    out
}

/// A scenario file (`.test.yaml`) for `generate_form(fields)`: the complete application
/// (every answer of [`generate_answers`], submittable, the whole path), the empty form, the
/// exit on the first step, and a skipped step. `today` is 2026-11-22.
pub fn generate_scenarios(fields: usize) -> String {
    let steps = (fields / FIELDS_PER_STEP).max(1);
    let mut y = String::with_capacity(fields * 40 + 1024);
    y.push_str("today: 2026-11-22\nscenarios:\n");
    y.push_str("  - name: vollständig ausgefüllt\n    answers:\n");
    let mut groups: Vec<GroupAnswers> = Vec::new();
    for (path, answer) in generate_answers(fields) {
        let text = match answer {
            Answer::Text(t) => format!("\"{t}\""),
            Answer::Bool(b) => b.to_string(),
            Answer::List(l) => format!("[{}]", l.join(", ")),
        };
        let parts: Vec<&str> = path.split('.').collect();
        if let [g, e, m] = parts[..] {
            let e: usize = e.parse().expect("an entry number");
            if groups.last().is_none_or(|(last, _)| last != g) {
                groups.push((g.to_string(), Vec::new()));
            }
            let entries = &mut groups.last_mut().expect("pushed above").1;
            if entries.len() <= e {
                entries.push(Vec::new());
            }
            entries[e].push((m.to_string(), text));
        } else {
            // A group's entries are written once its step is done (its members come first).
            flush_groups(&mut y, &mut groups);
            let _ = writeln!(y, "      {path}: {text}");
        }
    }
    flush_groups(&mut y, &mut groups);
    let path: Vec<String> = (0..steps).map(|s| format!("s{s}")).collect();
    let _ = writeln!(y, "    expect:\n      submittable: true\n      path: [{}]", path.join(", "));
    y.push_str("      no_errors: [f0_0, f0_1]\n      values: { f0_19: 3 }\n");
    y.push_str("  - name: leer\n    expect:\n      submittable: false\n      errors: { f0_0: required, f0_1: required }\n");
    y.push_str("  - name: nicht zuständig\n    answers: { f0_1: 1000 }\n    expect:\n      path: [s0, nicht-zustaendig]\n");
    if steps > 2 {
        y.push_str(
            "  - name: ein Schritt übersprungen\n    answers: { f0_1: 600, f0_4: true }\n    expect:\n      inactive: [f1_0]\n      active: [f2_0]\n",
        );
    }
    y
}

/// A repeated group's id and its entries, each a list of (member id, YAML value).
type GroupAnswers = (String, Vec<Vec<(String, String)>>);

fn flush_groups(y: &mut String, groups: &mut Vec<GroupAnswers>) {
    for (g, entries) in groups.drain(..) {
        let _ = writeln!(y, "      {g}:");
        for entry in entries {
            let items: Vec<String> = entry.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let _ = writeln!(y, "        - {{ {} }}", items.join(", "));
        }
    }
}
