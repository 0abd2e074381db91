//! The names of a form (fields, values, steps, lists) and name resolution for the type
//! checker.

use std::collections::HashMap;

use crate::expr::{Resolved, Scope, Type};
use crate::ids::{FieldId, ValueId};

/// What a field or value name stands for, as far as expressions are concerned.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sym {
    /// An input or computed field (type known once computed fields are checked).
    Field { id: FieldId, ty: Option<Type>, repeat_group: Option<FieldId> },
    /// A group.
    Group { id: FieldId, repeated: bool, repeat_group: Option<FieldId> },
    /// An info text: it has a name but no value.
    Info,
    /// A `values` entry.
    Value { id: ValueId, ty: Option<Type> },
}

/// All field and value names of a form.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Read freely; names are added through [`Names::insert`] (which keeps `sorted` true).
    pub map: HashMap<String, Sym>,
    /// The option values of each choice and multiple-choice field (inline or from its
    /// named list), for checking the texts compared with it (E0212).
    pub options: HashMap<FieldId, Vec<String>>,
    /// The names that suggestions are made from, sorted, made on the first unknown name:
    /// sorting them again for each unknown name was most of compiling a form with many.
    sorted: std::cell::OnceCell<Vec<String>>,
}

impl Names {
    /// Adds a name (the map's keys change only here).
    pub fn insert(&mut self, name: String, sym: Sym) {
        self.map.insert(name, sym);
        self.sorted = std::cell::OnceCell::new();
    }
}

impl Scope for Names {
    fn resolve(&self, name: &str) -> Resolved {
        match self.map.get(name) {
            // A computed field or value whose type is not known yet is part of a cycle
            // that is reported separately; a placeholder type keeps the checker going.
            Some(Sym::Field { id, ty, repeat_group }) => {
                Resolved::Field { id: *id, ty: ty.unwrap_or(Type::Number), repeat_group: *repeat_group }
            }
            Some(Sym::Group { id, repeated, repeat_group }) => {
                Resolved::Group { id: *id, repeated: *repeated, repeat_group: *repeat_group }
            }
            Some(Sym::Value { id, ty }) => Resolved::Value { id: *id, ty: ty.unwrap_or(Type::Number) },
            Some(Sym::Info) | None => Resolved::Unknown,
        }
    }

    fn names(&self) -> Vec<&str> {
        // Whether a name is an info text never changes after it is added.
        let sorted = self.sorted.get_or_init(|| {
            let mut v: Vec<String> = self.map.iter().filter(|(_, s)| !matches!(s, Sym::Info)).map(|(k, _)| k.clone()).collect();
            v.sort_unstable();
            v
        });
        sorted.iter().map(String::as_str).collect()
    }

    fn options(&self, field: FieldId) -> Option<&[String]> {
        self.options.get(&field).map(Vec::as_slice)
    }
}

/// `[a-z_][a-z0-9_]*`: field ids, `values` ids, list names.
pub(crate) fn is_field_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('a'..='z' | '_')) && c.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// `[a-z0-9][a-z0-9_-]*`: step ids.
pub(crate) fn is_step_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('a'..='z' | '0'..='9')) && c.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

/// `[a-z0-9][a-z0-9-]*`: form ids.
pub(crate) fn is_form_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('a'..='z' | '0'..='9')) && c.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-'))
}

/// Words that may not be field or value ids (docs/form-language.md#names).
pub(crate) const RESERVED: &[&str] = &["and", "or", "not", "in", "true", "false", "index"];
