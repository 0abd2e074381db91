//! Pins the in-memory sizes of the compiled form's types (issue #19: the live form's
//! memory in the browser). A `Form` is mostly its `Field`s, and a field mostly what it
//! holds inline, so a type that grows shows here before it shows in the bench.

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use crate::answers::Input;
    use crate::expr::CExpr;
    use crate::form::{Branch, ChoiceOption, Field, Form, NamedValue, Rule, Step, TPart, Text};
    use crate::pattern::Pattern;
    use crate::value::Value;

    #[test]
    fn print_sizes() {
        for (n, s) in [
            ("Form", size_of::<Form>()),
            ("Field", size_of::<Field>()),
            ("Step", size_of::<Step>()),
            ("Rule", size_of::<Rule>()),
            ("CExpr", size_of::<CExpr>()),
            ("Value", size_of::<Value>()),
            ("Pattern", size_of::<Pattern>()),
            ("Text", size_of::<Text>()),
            ("TPart", size_of::<TPart>()),
            ("Input", size_of::<Input>()),
            ("ChoiceOption", size_of::<ChoiceOption>()),
            ("Branch", size_of::<Branch>()),
            ("NamedValue", size_of::<NamedValue>()),
            ("Option<Text>", size_of::<Option<Text>>()),
            ("Option<CExpr>", size_of::<Option<CExpr>>()),
            ("Option<Pattern>", size_of::<Option<Pattern>>()),
            ("Option<Input>", size_of::<Option<Input>>()),
            ("FieldType", size_of::<crate::form::FieldType>()),
        ] {
            eprintln!("{n}: {s}");
        }
    }
}
