//! Pins the in-memory sizes of the compiled form's types (issue #19: the live form's
//! memory in the browser, docs/performance.md "Load and memory with the binary form"). A
//! `Form` is mostly its `Field`s, and a field mostly what it holds inline, so a type that
//! grows shows here before it shows in the bench. The bounds are the native sizes (8-byte
//! pointers, `regex-build`); the browser's wasm32 build is smaller still.

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use crate::answers::Input;
    use crate::expr::CExpr;
    use crate::form::{Branch, ChoiceOption, Field, Form, NamedValue, Rule, Step, TPart};
    use crate::value::Value;

    /// Rarely present parts are boxed (`Option<Box<_>>` is one pointer), `CExpr` holds no
    /// pattern and `Value` and `Input` no file reference inline. Before: `Field` 1,240 bytes,
    /// `Step` 304, `Rule` 192, `CExpr` 128, `Value` 56, `Input` 56, `ChoiceOption` 200,
    /// `Branch` 136.
    #[test]
    fn the_form_s_types_stay_small() {
        let sizes = [
            ("Field", size_of::<Field>(), 448),
            ("Step", size_of::<Step>(), 184),
            ("Rule", size_of::<Rule>(), 104),
            ("CExpr", size_of::<CExpr>(), 40),
            ("Value", size_of::<Value>(), 32),
            ("TPart", size_of::<TPart>(), 48),
            ("ChoiceOption", size_of::<ChoiceOption>(), 80),
            ("Branch", size_of::<Branch>(), 16),
            ("NamedValue", size_of::<NamedValue>(), 72),
            ("Input", size_of::<Input>(), 32),
        ];
        for (name, size, _) in sizes {
            eprintln!("size_of::<{name}>() = {size}");
        }
        for (name, size, most) in sizes {
            assert!(size <= most, "size_of::<{name}>() is {size} bytes, more than {most}: box what is rarely present");
        }
    }

    /// The index by id (a sorted list of field ids, no copies of the ids' text) finds every
    /// field, members of groups too, and nothing else.
    #[test]
    fn field_by_id_finds_every_field() {
        let c = crate::compile(
            r#"wegweiser: 1
id: t
title: T
steps:
  - id: s
    fields:
      - { id: zeta, type: text, label: Z }
      - { id: alpha, type: text, label: A }
      - id: hunde
        type: group
        label: H
        repeat: { max: 3 }
        fields:
          - { id: mid, type: text, label: M }
"#,
        );
        let form: Form = c.form.unwrap_or_else(|| panic!("compiles: {:#?}", c.diagnostics));
        assert!(form.fields.len() >= 4);
        for (i, f) in form.fields.iter().enumerate() {
            assert_eq!(form.field_by_id(&f.id).map(|id| id.ix()), Some(i), "{}", f.id);
        }
        for missing in ["", "a", "alphb", "zz", "mi", "hunde.mid"] {
            assert_eq!(form.field_by_id(missing), None, "{missing}");
        }
    }
}
