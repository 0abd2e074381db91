//! Checks of a form's FIM ids against the FIM-keyed data they produce
//! (`output::fim::layout`): W0405 for fields whose answers that data leaves out, in a form
//! that names its Stammdatenschema (`fim: { schema, version }`), and W0406 for two fields
//! under one FIM id in one object, where only the first one's answer is kept.

use std::collections::HashMap;

use super::Compiler;
use crate::diag::{Diagnostic, Span, codes};
use crate::form::{Form, StepKind};
use crate::ids::FieldId;
use crate::output::fim::{Slot, SlotKind, has_fim_ids, layout};

pub(crate) fn check_fim(c: &mut Compiler, form: &Form) {
    if !has_fim_ids(form) && form.fim.is_none() {
        return;
    }
    let top: Vec<FieldId> = form.steps.iter().filter(|s| s.kind == StepKind::Question).flat_map(|s| s.fields.iter().copied()).collect();
    let mut left_out = Vec::new();
    object(c, form, &top, &mut left_out);
    if form.fim.is_none() {
        return;
    }
    // One warning for the form, at the first field, naming all of them: a form built by
    // hand around a Stammdatenschema often has several questions of its own.
    let Some(&first) = left_out.first() else { return };
    let names: Vec<String> = left_out.iter().map(|f| format!("`{}`", form.field(*f).id)).collect();
    let message = match names.as_slice() {
        [one] => format!("{one} has no FIM id: its answers are left out of the FIM data"),
        many => format!("{} fields have no FIM id: their answers are left out of the FIM data: {}", many.len(), many.join(", ")),
    };
    let mut d = Diagnostic::warning(codes::W0405, span(c, first), message).with_help(
        "give each the id of its FIM element (`fim: F…`, a group `fim: G…`) where the Stammdatenschema has one; \
         a repeated group without an id is kept only when its one member has an id (that field repeated)",
    );
    for &f in &left_out[1..] {
        d = d.with_label(span(c, f), format!("`{}` has no FIM id", form.field(f).id));
    }
    c.diags.push(d);
}

/// One object's properties: W0406 for keys used twice; collects the left-out fields.
fn object(c: &mut Compiler, form: &Form, fields: &[FieldId], left_out: &mut Vec<FieldId>) {
    let (slots, out) = layout(form, fields);
    left_out.extend(out);
    let mut first: HashMap<&str, FieldId> = HashMap::new();
    for slot in &slots {
        let f = anchor(slot);
        if let Some(&earlier) = first.get(slot.key.as_str()) {
            let (a, b) = (form.field(earlier).id.clone(), form.field(f).id.clone());
            let d = Diagnostic::warning(
                codes::W0406,
                span(c, f),
                format!("`{b}` has the FIM id {} that `{a}` has in the same object: only `{a}`'s answer is in the FIM data", slot.key),
            )
            .with_label(span(c, earlier), format!("`{a}` has it first"))
            .with_help(
                "put one of them in a group with the FIM id of the group it belongs to (`type: group`, `fim: G…`), or correct the id",
            );
            c.diags.push(d);
        } else {
            first.insert(slot.key.as_str(), f);
        }
        if let SlotKind::Group(g) = slot.kind {
            object(c, form, &form.field(g).members, left_out);
        }
    }
}

fn anchor(slot: &Slot) -> FieldId {
    match slot.kind {
        SlotKind::Value(f) | SlotKind::Group(f) | SlotKind::Repeated(f, _) => f,
    }
}

fn span(c: &Compiler, f: FieldId) -> Span {
    let ast = c.fields[f.ix()].ast;
    ast.fim.as_ref().or(ast.id.as_ref()).map_or(ast.span, |s| s.span)
}
