//! One field instance as a citizen sees it ([`FieldView`]), built from a session: its kind,
//! texts rendered, value as shown, options, problems and entry controls. Every front end
//! (server templates, browser module, CLI) renders this; none walks the session itself.

use serde::{Deserialize, Serialize};

use super::words;
use crate::checks::CheckCode;
use crate::form::{Display, Field, FieldType, Format, TPart, Text};
use crate::ids::FieldId;
use crate::session::{Input, Instance, MAX_ENTRIES, Problem, Session};

/// How a field is shown: its type, with a choice split by how it is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    Textarea,
    /// A decimal.
    Number,
    /// A whole number.
    Integer,
    /// An amount of money.
    Money,
    /// A date.
    Date,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A German postcode.
    Plz,
    /// An IBAN.
    Iban,
    /// A German tax id.
    SteuerId,
    /// Yes/no, offered as two options.
    Boolean,
    /// A single checkbox.
    Consent,
    /// One of the options, as radio buttons.
    Radios,
    /// One of the options, as a drop-down list (`display: select`).
    Select,
    /// Several of the options, as checkboxes.
    Checkboxes,
    /// An upload.
    File,
    /// A calculated value, shown, not asked.
    Computed,
    /// A static text.
    Info,
    /// A group of members.
    Group,
    /// A repeated group: entries of members.
    Repeat,
}

impl FieldKind {
    /// The kind of a compiled field.
    pub fn of(field: &Field) -> FieldKind {
        match field.ty {
            FieldType::Text => FieldKind::Text,
            FieldType::Textarea => FieldKind::Textarea,
            FieldType::Number => FieldKind::Number,
            FieldType::Integer => FieldKind::Integer,
            FieldType::Money => FieldKind::Money,
            FieldType::Date => FieldKind::Date,
            FieldType::Email => FieldKind::Email,
            FieldType::Phone => FieldKind::Phone,
            FieldType::Plz => FieldKind::Plz,
            FieldType::Iban => FieldKind::Iban,
            FieldType::SteuerId => FieldKind::SteuerId,
            FieldType::Boolean => FieldKind::Boolean,
            FieldType::Consent => FieldKind::Consent,
            FieldType::Choice if field.display.as_deref() == Some("select") => FieldKind::Select,
            FieldType::Choice => FieldKind::Radios,
            FieldType::MultiChoice => FieldKind::Checkboxes,
            FieldType::File => FieldKind::File,
            FieldType::Computed => FieldKind::Computed,
            FieldType::Info => FieldKind::Info,
            FieldType::Group if field.is_repeated() => FieldKind::Repeat,
            FieldType::Group => FieldKind::Group,
        }
    }

    /// Whether the citizen answers it (not a computed value, a text or a group).
    pub fn is_input(self) -> bool {
        !matches!(self, FieldKind::Computed | FieldKind::Info | FieldKind::Group | FieldKind::Repeat)
    }
}

/// One field instance of a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldView {
    /// The field's id in the form.
    pub id: String,
    /// The instance's path (`hund.0.name`): the input's name and the anchor of its errors.
    pub path: String,
    /// How it is shown.
    pub kind: FieldKind,
    /// Shown to the citizen now. A field that is not is still in the view (a page may
    /// render it hidden and show it without a round trip).
    pub shown: bool,
    /// The label (the legend of groups and options), rendered; empty without one, and for
    /// a repeated group whose label names each entry (`Hund {{ index }}`): the entries'
    /// legends carry it.
    pub label: String,
    /// The hint, rendered (a date field without one: how to write a date).
    pub hint: Option<String>,
    /// An input field that need not be answered (marked "optional").
    pub optional: bool,
    /// The value as shown: the text as typed (until answered, the default), `true`/`false`
    /// for yes/no and consent, the chosen option's value, a file's name, a computed value
    /// formatted (money with two places and the euro sign). Empty without one.
    pub value: String,
    /// The ticked options of checkboxes.
    pub values: Vec<String>,
    /// The options of a choice, yes/no included (shown ones and those whose `if` does not
    /// hold now).
    pub options: Vec<OptionView>,
    /// The instance's problems, in order (none while it is not active).
    pub problems: Vec<FieldProblem>,
    /// The text of an info field (its label without one).
    pub text: Option<String>,
    /// Most characters.
    pub maxlength: Option<u32>,
    /// Accepted file types.
    pub accept: Vec<String>,
    /// The author's autocomplete token.
    pub autocomplete: Option<String>,
    /// The answer came from the citizen's account.
    pub from_account: bool,
    /// Locked to the account's value: it cannot be changed.
    pub locked: bool,
    /// Members of a group.
    pub members: Vec<FieldView>,
    /// Entries of a repeated group.
    pub entries: Vec<EntryView>,
    /// A repeated group may get another entry.
    pub can_add: bool,
    /// The author's label of the add button of a repeated group, rendered.
    pub add_label: Option<String>,
}

/// One option of a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionView {
    /// The value posted.
    pub value: String,
    /// The label, rendered.
    pub label: String,
    /// The hint, rendered.
    pub hint: Option<String>,
    /// Chosen now.
    pub checked: bool,
    /// Offered now (its `if` holds).
    pub shown: bool,
}

/// One problem of a field, in the session's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// The stable check code.
    pub code: CheckCode,
    /// The message.
    pub message: String,
}

/// One entry of a repeated group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    /// The entry's number, from 1.
    pub number: u32,
    /// Its legend (see [`entry_legend`]).
    pub legend: String,
    /// The entry's path (`hund.0`).
    pub path: String,
    /// Its fields.
    pub fields: Vec<FieldView>,
    /// It may be removed (more entries than `repeat.min`, and more than one).
    pub removable: bool,
}

impl FieldView {
    /// This field and every field below it (members, entries' fields), in page order.
    pub fn walk(&self) -> Vec<&FieldView> {
        let mut out = Vec::new();
        self.walk_into(&mut out);
        out
    }

    pub(super) fn walk_into<'a>(&'a self, out: &mut Vec<&'a FieldView>) {
        out.push(self);
        for m in &self.members {
            m.walk_into(out);
        }
        for e in &self.entries {
            for f in &e.fields {
                f.walk_into(out);
            }
        }
    }
}

/// A text rendered for an entry, `None` when absent or empty.
pub(super) fn text(s: &Session<'_>, t: &Option<Text>, entry: Option<u32>) -> Option<String> {
    t.as_ref().map(|t| s.render(t, entry)).filter(|t| !t.is_empty())
}

/// Whether a text has `{{ }}` placeholders (its words depend on answers or the entry).
pub(super) fn has_placeholder(t: &Text) -> bool {
    t.langs.iter().any(|(_, parts)| parts.iter().any(|p| matches!(p, TPart::Expr(..))))
}

/// The view of field `f` (entry `entry`) and everything below it; `problems` are the
/// step's problems, of which the instance's own are picked by path.
pub(super) fn field_view(s: &Session<'_>, f: FieldId, entry: Option<u32>, problems: &[Problem]) -> FieldView {
    let form = s.form();
    let field = form.field(f);
    let inst = Instance { field: f, entry };
    let path = s.path_of(inst);
    let kind = FieldKind::of(field);
    let mut v = FieldView {
        id: field.id.clone(),
        shown: s.is_shown(inst),
        label: text(s, &field.label, entry).unwrap_or_default(),
        hint: text(s, &field.hint, entry),
        optional: field.ty.is_input() && field.required.is_none() && field.ty != FieldType::Consent,
        value: String::new(),
        values: Vec::new(),
        options: Vec::new(),
        problems: problems
            .iter()
            .filter(|p| p.field.as_deref() == Some(path.as_str()))
            .map(|p| FieldProblem { code: p.check, message: p.message.clone() })
            .collect(),
        text: None,
        maxlength: field.max_length,
        accept: field.accept.clone(),
        autocomplete: field.autocomplete.clone(),
        from_account: s.from_account(&path),
        locked: s.is_locked(&path),
        members: Vec::new(),
        entries: Vec::new(),
        can_add: false,
        add_label: None,
        kind,
        path,
    };
    // Until the citizen answers, the field's default is the answer (docs/form-language.md#default): show it.
    match s.answer(&v.path).or(field.default.as_deref()) {
        Some(Input::Text(t)) => v.value = t.clone(),
        Some(Input::Bool(b)) => v.value = b.to_string(),
        Some(Input::List(l)) => v.values = l.clone(),
        Some(Input::File(file)) => v.value = file.name.clone(),
        None => {}
    }
    match kind {
        FieldKind::Info => v.text = text(s, &field.text, entry).or_else(|| Some(v.label.clone())),
        FieldKind::Computed => v.value = computed_display(s, inst),
        FieldKind::Repeat => {
            let min = field.repeat.as_ref().map_or(0, |r| r.min);
            let max = field.repeat.as_ref().and_then(|r| r.max).unwrap_or(MAX_ENTRIES);
            let count = s.entry_count(f);
            for e in 0..count {
                let fields = field.members.iter().map(|m| field_view(s, *m, Some(e), problems)).collect();
                let legend = entry_legend(s, f, e);
                v.entries.push(EntryView { number: e + 1, legend, path: format!("{}.{e}", v.path), fields, removable: count > min.max(1) });
            }
            if field.label.as_ref().is_some_and(has_placeholder) {
                v.label = String::new();
            }
            v.can_add = count < max;
            v.add_label = field.repeat.as_ref().and_then(|r| text(s, &r.add_label, entry));
        }
        FieldKind::Group => v.members = field.members.iter().map(|m| field_view(s, *m, entry, problems)).collect(),
        FieldKind::Boolean => {
            let lang = s.language().to_string();
            for b in [true, false] {
                let value = b.to_string();
                let checked = v.value == value;
                v.options.push(OptionView { label: crate::checks::display_bool(b, &lang), value, hint: None, checked, shown: true });
            }
        }
        FieldKind::Radios | FieldKind::Select | FieldKind::Checkboxes => {
            for (i, o) in field.options.iter().enumerate() {
                let shown = s.option_shown(f, entry, i);
                let checked = if kind == FieldKind::Checkboxes { v.values.contains(&o.value) } else { v.value == o.value };
                let label = s.render(&o.label, entry);
                let hint = text(s, &o.hint, entry);
                v.options.push(OptionView { value: o.value.clone(), label, hint, checked, shown });
            }
        }
        FieldKind::Date if v.hint.is_none() => v.hint = Some(words::date_hint(s.language()).to_string()),
        _ => {}
    }
    v
}

/// A computed field's value as shown (money with two places and the euro sign).
pub fn computed_display(s: &Session<'_>, inst: Instance) -> String {
    let how = if s.form().field(inst.field).format == Some(Format::Money) { Display::Euro } else { Display::Plain };
    let val = s.value(inst);
    s.display(&val, how, inst.entry)
}

/// The heading of one entry of a repeated group, on the step page and the summary: the
/// author's label rendered for the entry (`Hund {{ index }}` → "Hund 1"); a label without
/// placeholders (the same for every entry) followed by "Eintrag N"; "Eintrag N" without a
/// label.
pub fn entry_legend(s: &Session<'_>, group: FieldId, entry: u32) -> String {
    let generic = format!("{} {}", words::entry(s.language()), entry + 1);
    let label = s.form().field(group).label.as_ref();
    match label {
        Some(t) => {
            let l = s.render(t, Some(entry));
            let l = l.trim();
            if l.is_empty() {
                generic
            } else if has_placeholder(t) {
                l.to_string()
            } else {
                format!("{l}: {generic}")
            }
        }
        None => generic,
    }
}
