//! FIM-keyed data: a submission's answers keyed by the FIM ids of its fields and groups,
//! and the JSON Schema (draft 2020-12) of that document (docs/fim.md, "FIM-keyed data").
//!
//! FIM's JSON (the schemas schema.fitko.de publishes for FIT-Connect, generated from
//! XDatenfelder Stammdatenschemata) names each property by the element's id without its
//! version (`F60000227`), nests a group's members in an object under the group's id
//! (`G60000086`), makes a repeated element an array, and writes numbers as JSON numbers,
//! yes/no as booleans, dates as `YYYY-MM-DD` strings and selections as their codes.
//!
//! Both functions here work from the compiled [`Form`] and the stored document's `data`
//! (keyed by field ids, docs/form-language.md#the-submission), never from a session: a delivery that runs later has only
//! the stored document. How the form's fields map to FIM keys is decided once, by
//! [`layout`], which the compiler's checks (W0405, W0406) use too:
//!
//! - a field or group with `fim:` is the property of that name;
//! - a group without `fim:` that is not repeated is transparent: its members sit in the
//!   object around it (a group only for the page layout);
//! - a repeated group without `fim:` whose only member has one is that member repeated,
//!   an array of its values under the member's id (the importer writes a repeated FIM
//!   field `1:*` that way, as a group `<name>_liste`);
//! - everything else without `fim:` is left out (info fields always are: they hold no
//!   answer).

use serde_json::{Map, Number, Value as Json, json};

use super::schema::{DRAFT, plain};
use crate::expr::{CExpr, Type};
use crate::form::{Field, FieldType, Form, Format, StepKind, Target};
use crate::ids::{FieldId, StepId};
use crate::value::Value;

/// One property of an object of the FIM data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The property name: the FIM id.
    pub key: String,
    /// Where its value comes from.
    pub kind: SlotKind,
    /// The transparent groups (without `fim:`) between the object and the field, outermost
    /// first: the path to the value in the `data` document, which nests every group.
    pub via: Vec<FieldId>,
}

/// What a [`Slot`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    /// A field's value (an input or computed field with `fim:`).
    Value(FieldId),
    /// A group with `fim:`: an object, or an array of objects when it is repeated.
    Group(FieldId),
    /// A repeated group without `fim:` whose only member (the second id) has one: an array
    /// of that member's values.
    Repeated(FieldId, FieldId),
}

/// The properties of one object of the FIM data, built from these sibling fields (a step's
/// top-level fields, or a group's members), in order; and the fields whose answers are left
/// out because nothing gives them a FIM key (input fields, and repeated groups without
/// `fim:` that are no single repeated field).
pub fn layout(form: &Form, fields: &[FieldId]) -> (Vec<Slot>, Vec<FieldId>) {
    let mut slots = Vec::new();
    let mut left_out = Vec::new();
    level(form, fields, &mut Vec::new(), &mut slots, &mut left_out);
    (slots, left_out)
}

fn level(form: &Form, fields: &[FieldId], via: &mut Vec<FieldId>, slots: &mut Vec<Slot>, left_out: &mut Vec<FieldId>) {
    for &f in fields {
        let field = form.field(f);
        let slot = |key: &str, kind| Slot { key: key.to_string(), kind, via: via.clone() };
        match (field.ty, &field.fim) {
            (FieldType::Info, _) => {}
            (FieldType::Group, Some(key)) => slots.push(slot(key, SlotKind::Group(f))),
            (FieldType::Group, None) if field.is_repeated() => match field.members.as_slice() {
                [m] if form.field(*m).fim.is_some() && is_value(form.field(*m)) => {
                    slots.push(slot(form.field(*m).fim.as_deref().unwrap_or_default(), SlotKind::Repeated(f, *m)))
                }
                _ => left_out.push(f),
            },
            (FieldType::Group, None) => {
                via.push(f);
                level(form, &field.members, via, slots, left_out);
                via.pop();
            }
            (_, Some(key)) => slots.push(slot(key, SlotKind::Value(f))),
            (ty, None) => {
                if ty.is_input() {
                    left_out.push(f);
                }
            }
        }
    }
}

/// A field that holds one value (not a group, not an info text).
fn is_value(field: &Field) -> bool {
    !matches!(field.ty, FieldType::Group | FieldType::Info)
}

/// Whether any field of the form carries a FIM id.
pub fn has_fim_ids(form: &Form) -> bool {
    form.fields.iter().any(|f| f.fim.is_some() && f.ty != FieldType::Info)
}

/// The top-level fields of every question step, in order: the `data` document's top level.
fn top_level(form: &Form) -> Vec<FieldId> {
    form.steps.iter().filter(|s| s.kind == StepKind::Question).flat_map(|s| s.fields.iter().copied()).collect()
}

/// The submission `data` (keyed by field ids, as stored) keyed by FIM ids instead; `None`
/// when no field of the form has a FIM id. Fields without a FIM key are left out (see the
/// module documentation); when two fields share a key in one object (W0406), the first
/// one's value is kept. Numbers become JSON numbers: integers exactly, decimals as the
/// nearest double (exact up to 15 significant digits; the `data` document keeps them exact).
pub fn fim_data(form: &Form, data: &Json) -> Option<Json> {
    if !has_fim_ids(form) {
        return None;
    }
    let (slots, _) = layout(form, &top_level(form));
    Some(Json::Object(object(form, &slots, data)))
}

fn object(form: &Form, slots: &[Slot], data: &Json) -> Map<String, Json> {
    let mut out = Map::new();
    for slot in slots {
        if out.contains_key(&slot.key) {
            continue;
        }
        let Some(parent) = slot.via.iter().try_fold(data, |d, g| d.get(&form.field(*g).id)) else { continue };
        let value = match slot.kind {
            SlotKind::Value(f) => parent.get(&form.field(f).id).map(|v| value(form.field(f), v)),
            SlotKind::Group(g) => {
                let field = form.field(g);
                let (members, _) = layout(form, &field.members);
                match parent.get(&field.id) {
                    Some(Json::Array(entries)) => {
                        let list: Vec<Json> =
                            entries.iter().map(|e| object(form, &members, e)).filter(|o| !o.is_empty()).map(Json::Object).collect();
                        (!list.is_empty()).then_some(Json::Array(list))
                    }
                    Some(entry @ Json::Object(_)) => {
                        let o = object(form, &members, entry);
                        (!o.is_empty()).then_some(Json::Object(o))
                    }
                    _ => None,
                }
            }
            SlotKind::Repeated(g, m) => match parent.get(&form.field(g).id) {
                Some(Json::Array(entries)) => {
                    let member = form.field(m);
                    let list: Vec<Json> = entries.iter().filter_map(|e| e.get(&member.id)).map(|v| value(member, v)).collect();
                    (!list.is_empty()).then_some(Json::Array(list))
                }
                _ => None,
            },
        };
        if let Some(v) = value {
            out.insert(slot.key.clone(), v);
        }
    }
    out
}

/// How FIM types a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Number,
    Other,
}

fn kind(field: &Field) -> Kind {
    match field.ty {
        FieldType::Integer => Kind::Integer,
        FieldType::Number | FieldType::Money => Kind::Number,
        FieldType::Computed if field.value_type == Some(Type::Number) => {
            if field.format == Some(Format::Integer) {
                Kind::Integer
            } else {
                Kind::Number
            }
        }
        _ => Kind::Other,
    }
}

/// One stored value as FIM writes it: canonical decimal strings become JSON numbers;
/// everything else is already in FIM's form (ISO dates, codes, booleans).
fn value(field: &Field, v: &Json) -> Json {
    let Json::String(s) = v else { return v.clone() };
    if kind(field) == Kind::Other {
        return v.clone();
    }
    if let Ok(i) = s.parse::<i64>() {
        return Json::Number(i.into());
    }
    // `Number::from_f64` is `None` only for NaN and infinities, which no canonical decimal
    // parses to; keep the text rather than lose the answer if it ever did.
    s.parse::<f64>().ok().and_then(Number::from_f64).map_or_else(|| v.clone(), Json::Number)
}

/// The address schema.fitko.de gives the JSON Schema of a Stammdatenschema:
/// `https://schema.fitko.de/fim/s00000092_1.0.schema.json` (id in lower case, `_` and the
/// version).
pub fn schema_uri(schema: &str, version: Option<&str>) -> String {
    let id = schema.to_ascii_lowercase();
    match version {
        Some(v) => format!("https://schema.fitko.de/fim/{id}_{v}.schema.json"),
        None => format!("https://schema.fitko.de/fim/{id}.schema.json"),
    }
}

/// The JSON Schema (draft 2020-12) of [`fim_data`]'s documents for this form; `None` when
/// no field has a FIM id. `$id` names the form's Stammdatenschema (`fim: { schema,
/// version }`) the way schema.fitko.de does. A property is `required` only when every
/// submission has it: its field is `required: true` without `visible_if` (nor one on an
/// enclosing group), and at the top level its step is on every path to the summary.
pub fn fim_schema(form: &Form) -> Option<Json> {
    if !has_fim_ids(form) {
        return None;
    }
    let lang = form.default_language();
    let mut s = Map::new();
    s.insert("$schema".into(), json!(DRAFT));
    if let Some(fim) = &form.fim {
        s.insert("$id".into(), json!(schema_uri(&fim.schema, fim.version.as_deref())));
    }
    s.insert("title".into(), json!(plain(&form.title, lang)));
    let mut description = format!("FIM-keyed submission data of the form `{}`", form.id);
    if let Some(fim) = &form.fim {
        description.push_str(&format!(" (Stammdatenschema {}", fim.schema));
        if let Some(v) = &fim.version {
            description.push_str(&format!(" version {v}"));
        }
        description.push(')');
    }
    description.push_str(", written by Wegweiser.");
    s.insert("description".into(), json!(description));
    let mandatory = mandatory_steps(form);
    let (slots, _) = layout(form, &top_level(form));
    object_schema(form, &slots, lang, &|f| mandatory[form.field(f).step.ix()], &mut s);
    Some(Json::Object(s))
}

/// `type`, `properties`, `required` and `additionalProperties` of one object into `s`.
/// `present(f)` says whether the object always contains its top-level field `f` when the
/// field is always required within it (a step on every path; inside a group: always).
fn object_schema(form: &Form, slots: &[Slot], lang: &str, present: &dyn Fn(FieldId) -> bool, s: &mut Map<String, Json>) {
    let mut props = Map::new();
    let mut required = Vec::new();
    for slot in slots {
        if props.contains_key(&slot.key) {
            continue;
        }
        let (anchor, schema, always) = match slot.kind {
            SlotKind::Value(f) => {
                let field = form.field(f);
                (f, titled(value_schema(field), field, lang), always_required(field))
            }
            SlotKind::Group(g) => {
                let field = form.field(g);
                let (members, _) = layout(form, &field.members);
                let mut entry = Map::new();
                object_schema(form, &members, lang, &|_| true, &mut entry);
                entry.insert("minProperties".into(), json!(1));
                let (schema, always) = match &field.repeat {
                    Some(r) => (array(Json::Object(entry), r.min, r.max), r.min >= 1 && field.visible_if.is_none()),
                    // A group is submitted when one of its members is answered, so it is
                    // always there when a member always is.
                    None => {
                        let always = field.visible_if.is_none() && entry.get("required").is_some();
                        (Json::Object(entry), always)
                    }
                };
                (g, titled(schema, field, lang), always)
            }
            SlotKind::Repeated(g, m) => {
                let (group, member) = (form.field(g), form.field(m));
                let r = group.repeat.as_ref();
                let (min, max) = (r.map_or(0, |r| r.min), r.and_then(|r| r.max));
                let schema = array(titled(value_schema(member), member, lang), min, max);
                (g, titled(schema, group, lang), min >= 1 && group.visible_if.is_none() && always_required(member))
            }
        };
        let enclosing_shown = slot.via.iter().all(|g| form.field(*g).visible_if.is_none());
        if always && enclosing_shown && present(anchor) {
            required.push(json!(slot.key));
        }
        props.insert(slot.key.clone(), schema);
    }
    s.insert("type".into(), json!("object"));
    s.insert("properties".into(), Json::Object(props));
    if !required.is_empty() {
        s.insert("required".into(), Json::Array(required));
    }
    s.insert("additionalProperties".into(), json!(false));
}

/// `required: true`, and shown whenever its object is.
fn always_required(field: &Field) -> bool {
    field.visible_if.is_none() && matches!(field.required.as_deref(), Some(CExpr::Lit(Value::Bool(true))))
}

/// An array of at least one entry (empty entries and empty groups are not submitted).
fn array(items: Json, min: u32, max: Option<u32>) -> Json {
    let mut s = Map::new();
    s.insert("type".into(), json!("array"));
    s.insert("items".into(), items);
    s.insert("minItems".into(), json!(min.max(1)));
    if let Some(max) = max {
        s.insert("maxItems".into(), json!(max));
    }
    Json::Object(s)
}

/// The schema of one field's value in FIM's types.
fn value_schema(field: &Field) -> Json {
    let options = || field.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>();
    match field.ty {
        FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone => {
            // As in `wegweiser schema`: no `pattern:` (Rust regex syntax, not ECMA-262).
            let mut s = Map::new();
            s.insert("type".into(), json!("string"));
            if let Some(n) = field.min_length {
                s.insert("minLength".into(), json!(n));
            }
            if let Some(n) = field.max_length {
                s.insert("maxLength".into(), json!(n));
            }
            Json::Object(s)
        }
        FieldType::Plz => json!({ "type": "string", "pattern": "^[0-9]{5}$" }),
        FieldType::Iban => json!({ "type": "string", "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$" }),
        FieldType::SteuerId => json!({ "type": "string", "pattern": "^[0-9]{11}$" }),
        FieldType::Integer => json!({ "type": "integer" }),
        FieldType::Number | FieldType::Money => json!({ "type": "number" }),
        FieldType::Date => json!({ "type": "string", "format": "date" }),
        FieldType::Boolean => json!({ "type": "boolean" }),
        FieldType::Consent => json!({ "const": true }),
        FieldType::Choice => json!({ "type": "string", "enum": options() }),
        FieldType::MultiChoice => {
            json!({ "type": "array", "items": { "type": "string", "enum": options() }, "uniqueItems": true, "minItems": 1 })
        }
        // The upload itself travels beside the data (an attachment); the data names it.
        FieldType::File => json!({
            "type": "object",
            "properties": { "name": { "type": "string" }, "size": { "type": "integer", "minimum": 0 }, "type": { "type": "string" } },
            "required": ["name", "size", "type"],
        }),
        FieldType::Computed => match (field.value_type, kind(field)) {
            (_, Kind::Integer) => json!({ "type": "integer" }),
            (_, Kind::Number) => json!({ "type": "number" }),
            (Some(Type::Date), _) => json!({ "type": "string", "format": "date" }),
            (Some(Type::Bool), _) => json!({ "type": "boolean" }),
            (Some(Type::Text), _) => json!({ "type": "string" }),
            (Some(Type::List), _) => json!({ "type": "array", "items": { "type": "string" } }),
            _ => json!({}),
        },
        FieldType::Info | FieldType::Group => json!({}),
    }
}

/// The schema with the field's label as its `title`.
fn titled(schema: Json, field: &Field, lang: &str) -> Json {
    match (schema, &field.label) {
        (Json::Object(mut s), Some(label)) => {
            s.insert("title".into(), json!(plain(label, lang)));
            Json::Object(s)
        }
        (s, _) => s,
    }
}

/// For each step, whether every path from the first step to the summary shows it: it has
/// no `when` and the summary cannot be reached without it. Every branch counts as possible
/// (an over-approximation of the paths, so "mandatory" is never claimed wrongly).
pub fn mandatory_steps(form: &Form) -> Vec<bool> {
    let n = form.steps.len();
    (0..n)
        .map(|s| {
            let step = &form.steps[s];
            step.kind == StepKind::Question && step.when.is_none() && !summary_reachable(form, Some(s))
        })
        .collect()
}

/// Whether the summary can be reached from the first step, avoiding step `avoid`.
fn summary_reachable(form: &Form, avoid: Option<usize>) -> bool {
    let n = form.steps.len();
    if n == 0 {
        return false;
    }
    let mut seen = vec![false; n];
    let mut todo = vec![0usize];
    while let Some(s) = todo.pop() {
        if Some(s) == avoid || seen[s] {
            continue;
        }
        seen[s] = true;
        let step = &form.steps[s];
        // A shown exit step ends the walk without a submission; one with `when` may be
        // skipped, and the walk goes on.
        if step.kind == StepKind::Exit && step.when.is_none() {
            continue;
        }
        let mut targets: Vec<Target> = step.next.iter().map(|b| b.target).collect();
        if step.next.is_empty() {
            targets.push(if s + 1 < n { Target::Step(StepId((s + 1) as u32)) } else { Target::Summary });
        }
        for t in targets {
            match t {
                Target::Summary => return true,
                Target::Step(t) => todo.push(t.ix()),
            }
        }
    }
    false
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    /// Every way a field reaches the FIM data: plain fields, a group with an id, a
    /// transparent group, a repeated group with an id, a repeated FIM field (the importer's
    /// `_liste`), fields without an id, a step that not every path shows.
    const FORM: &str = r#"
wegweiser: 1
id: fim-test
title: FIM-Test
fim: { schema: S00000123, version: "1.2" }
steps:
  - id: person
    title: Person
    fields:
      - { id: familienname, type: text, label: Familienname, required: true, max_length: 60, fim: F60000227 }
      - id: vorname_liste
        type: group
        label: Vornamen
        repeat: { min: 1, max: 3 }
        fields:
          - { id: vorname, type: text, label: Vorname, required: true, fim: F60000228 }
      - { id: geburtsdatum, type: date, label: Geburtsdatum, required: true, fim: F60000233 }
      - { id: notiz, type: text, label: Notiz }
      - id: layout
        type: group
        label: Kontakt
        fields:
          - { id: email, type: email, label: E-Mail, fim: F60000242 }
      - id: anschrift
        type: group
        label: Anschrift
        fim: G60000086
        fields:
          - { id: strasse, type: text, label: Straße, required: true, fim: F60000243 }
          - { id: plz, type: plz, label: PLZ, fim: F60000246 }
      - { id: hinweis, type: info, text: Nur ein Hinweis, fim: F00000001 }
    next:
      - if: familienname == "Kurz"
        goto: ende
      - goto: angaben
  - id: angaben
    title: Angaben
    fields:
      - { id: hunde, type: integer, label: Hunde, required: true, fim: F00000010 }
      - { id: betrag, type: money, label: Betrag, fim: F00000011 }
      - { id: faktor, type: number, label: Faktor, fim: F00000012 }
      - { id: halter, type: boolean, label: Halter, required: true, fim: F00000013 }
      - id: art
        type: choice
        label: Art
        required: true
        fim: F00000014
        options: [{ value: "01", label: Neu }, { value: "02", label: Verlängerung }]
      - { id: doppelt, type: computed, value: hunde * 2, format: integer, label: Doppelt, fim: F00000015 }
      - id: kinder
        type: group
        label: Kind
        fim: G00000020
        repeat: { min: 0, max: 5 }
        fields:
          - { id: kind_name, type: text, label: Name, required: true, fim: F60000227 }
          - { id: kind_alter, type: integer, label: Alter, fim: F00000021 }
  - id: ende
    title: Ende
    fields:
      - { id: ok, type: consent, label: Richtig, required: true, fim: F00000030 }
"#;

    const SCENARIO: &str = r#"
today: 2026-11-22
scenarios:
  - name: alles
    answers:
      familienname: Mustermann
      vorname_liste: [{ vorname: Erika }, { vorname: Maria }]
      geburtsdatum: 1980-04-02
      notiz: nicht in den FIM-Daten
      layout: { email: erika@example.de }
      anschrift: { strasse: Hauptstraße 1, plz: "72070" }
      hunde: "2"
      betrag: "12,50"
      faktor: "0,125"
      halter: false
      art: "02"
      kinder: [{ kind_name: Max, kind_alter: "7" }, { kind_name: Mia }]
      ok: true
    expect:
      submittable: true
"#;

    fn form() -> Form {
        let c = crate::compile(FORM);
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // `notiz` has no FIM id (W0405); the info text's id is no answer's.
        let warnings: Vec<_> = c.diagnostics.iter().map(|d| (d.code, d.message.as_str())).collect();
        assert_eq!(warnings, [(crate::diag::codes::W0405, "`notiz` has no FIM id: its answers are left out of the FIM data")]);
        c.form.unwrap()
    }

    fn data(form: &Form) -> Json {
        let outcomes = crate::scenario::run_scenarios(form, SCENARIO).unwrap();
        assert!(outcomes[0].failures.is_empty(), "{:#?}", outcomes[0].failures);
        outcomes[0].submission.clone().expect("the scenario is submittable")
    }

    #[test]
    fn data_is_keyed_by_fim_ids_and_nested_by_groups() {
        let form = form();
        let fim = fim_data(&form, &data(&form)).unwrap();
        assert_eq!(
            fim,
            json!({
                "F60000227": "Mustermann",
                "F60000228": ["Erika", "Maria"],
                "F60000233": "1980-04-02",
                "F60000242": "erika@example.de",
                "G60000086": { "F60000243": "Hauptstraße 1", "F60000246": "72070" },
                "F00000010": 2,
                "F00000011": 12.5,
                "F00000012": 0.125,
                "F00000013": false,
                "F00000014": "02",
                "F00000015": 4,
                "G00000020": [{ "F60000227": "Max", "F00000021": 7 }, { "F60000227": "Mia" }],
                "F00000030": true,
            })
        );
        // The order is the form's, as in `data`.
        let keys: Vec<&String> = fim.as_object().unwrap().keys().collect();
        assert_eq!(keys[..3], ["F60000227", "F60000228", "F60000233"]);
    }

    #[test]
    fn the_data_validates_against_the_schema_and_a_wrong_document_does_not() {
        let form = form();
        let schema = fim_schema(&form).unwrap();
        let validator = jsonschema::draft202012::new(&schema).expect("a valid 2020-12 schema");
        let fim = fim_data(&form, &data(&form)).unwrap();
        let errors: Vec<String> = validator.iter_errors(&fim).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{fim:#}");

        let mut wrong = fim.clone();
        wrong["F00000010"] = json!("2"); // a number as text
        assert!(!validator.is_valid(&wrong));
        let mut wrong = fim.clone();
        wrong["G00000020"][0]["F00000021"] = json!(7.5); // not a whole number
        assert!(!validator.is_valid(&wrong));
        let mut wrong = fim.clone();
        wrong["F00000014"] = json!("03"); // no option
        assert!(!validator.is_valid(&wrong));
        let mut wrong = fim.clone();
        wrong.as_object_mut().unwrap().remove("F60000227"); // required on the first step
        assert!(!validator.is_valid(&wrong));
        let mut wrong = fim.clone();
        wrong["G60000086"].as_object_mut().unwrap().remove("F60000243"); // required in its group
        assert!(!validator.is_valid(&wrong));
        let mut wrong = fim;
        wrong["notiz"] = json!("x"); // no such key
        assert!(!validator.is_valid(&wrong));
    }

    #[test]
    fn required_only_where_every_submission_has_it() {
        let form = form();
        let schema = fim_schema(&form).unwrap();
        // `angaben` is skipped when the path jumps to `ende`: its fields are not required,
        // even `hunde` (`required: true`); `ende` and `person` are on every path.
        assert_eq!(schema["required"], json!(["F60000227", "F60000228", "F60000233", "G60000086", "F00000030"]));
        assert_eq!(schema["properties"]["G00000020"]["items"]["required"], json!(["F60000227"]));
        assert_eq!(schema["properties"]["F60000228"]["minItems"], json!(1));
        assert_eq!(schema["properties"]["F60000228"]["maxItems"], json!(3));
        assert_eq!(schema["$id"], json!("https://schema.fitko.de/fim/s00000123_1.2.schema.json"));
        insta::assert_json_snapshot!(schema);
    }

    #[test]
    fn a_form_without_fim_ids_has_no_fim_data() {
        let c = crate::compile(
            "wegweiser: 1\nid: ohne\ntitle: Ohne\nsteps:\n  - id: a\n    title: A\n    fields:\n      - { id: x, type: text, label: X }\n",
        );
        let form = c.form.unwrap();
        assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
        assert_eq!(fim_data(&form, &json!({ "x": "y" })), None);
        assert_eq!(fim_schema(&form), None);
    }

    #[test]
    fn decimals_become_json_numbers() {
        let field = |ty| Field { ty, ..form().fields[0].clone() };
        assert_eq!(value(&field(FieldType::Integer), &json!("-12")), json!(-12));
        assert_eq!(value(&field(FieldType::Money), &json!("120.00")), json!(120.0));
        assert_eq!(value(&field(FieldType::Number), &json!("0.1")), json!(0.1));
        assert_eq!(value(&field(FieldType::Text), &json!("0.1")), json!("0.1"));
        assert_eq!(value(&field(FieldType::Date), &json!("2026-01-01")), json!("2026-01-01"));
    }
}
