//! The expression language (docs/form-language.md#expressions): grammar, syntax tree, static type
//! checker, evaluator and `{{ }}` placeholders.
//!
//! The pipeline is: text --[`parse`]--> [`ast::Expr`] --[`check`] with a [`Scope`]-->
//! [`CExpr`] (names resolved to ids, serde-serialisable, shipped to the browser)
//! --[`eval`] with an [`Env`]--> [`Value`].
//!
//! Spans in this module are character offsets `(start, end)` into the expression text;
//! the compiler shifts them into the form file.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{FieldId, ValueId};
use crate::value::Value;

pub mod ast;
pub mod cexpr;
#[cfg(feature = "yaml")]
mod descent;
#[cfg(feature = "yaml")]
pub mod check;
pub mod error;
pub mod eval;
pub(crate) mod exact;
pub mod functions;
#[cfg(feature = "yaml")]
pub mod parse;
#[cfg(feature = "yaml")]
pub mod template;

pub use cexpr::{CExpr, Dep};
#[cfg(feature = "yaml")]
pub use check::{CheckCtx, check, check_condition, refs, type_name};
pub use error::ExprError;
pub use eval::{BudgetExceeded, EVAL_BUDGET, eval, eval_with_budget};
pub use functions::Func;
#[cfg(feature = "yaml")]
pub use parse::{MAX_LEN, MAX_NESTING, MAX_TREE_DEPTH, parse};
#[cfg(feature = "yaml")]
pub use template::{TemplatePart, parse_template};

/// A character range `[start, end)` in an expression's text.
pub type ESpan = (u32, u32);

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    /// Text (also choice answers).
    Text,
    /// Exact decimal.
    Number,
    /// Yes/no.
    Bool,
    /// Calendar date.
    Date,
    /// List of texts.
    List,
    /// A group (usable only in `count`, `sum`, `filled`, `empty`).
    Group,
    /// An uploaded file.
    File,
}

/// What a name means at the place where it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// An input or computed field. `repeat_group` is the repeated group it belongs to, if any.
    Field {
        /// The field.
        id: FieldId,
        /// Its value type.
        ty: Type,
        /// The repeated group the field is a member of.
        repeat_group: Option<FieldId>,
    },
    /// A group field.
    Group {
        /// The group.
        id: FieldId,
        /// True for `repeat:` groups.
        repeated: bool,
        /// The repeated group this (non-repeated) group is nested in, if any.
        repeat_group: Option<FieldId>,
    },
    /// A `values` entry.
    Value {
        /// The value.
        id: ValueId,
        /// Its type.
        ty: Type,
    },
    /// No such name.
    Unknown,
}

/// Name resolution for the type checker, provided by the compiler.
pub trait Scope {
    /// What `name` means.
    fn resolve(&self, name: &str) -> Resolved;
    /// Every name, for "did you mean" suggestions.
    fn names(&self) -> Vec<&str>;
    /// The option values of a `choice` or `multi_choice` field (all of them, whatever
    /// their `if`), so that a text compared with the field can be checked against them
    /// (E0212). `None` for other fields, or when the options are not known.
    fn options(&self, _field: FieldId) -> Option<&[String]> {
        None
    }
}

/// Values for the evaluator, provided by the session.
pub trait Env {
    /// The value of a field. `entry` is the entry index (counting all entries as shown,
    /// from 0) when the field is a member of a repeated group, else `None`.
    fn field(&mut self, id: FieldId, entry: Option<u32>) -> Value;
    /// Whether [`Env::field`] is not empty (`filled(x)`, `empty(x)`); an environment that
    /// keeps values overrides it to answer without copying one.
    fn field_filled(&mut self, id: FieldId, entry: Option<u32>) -> bool {
        !self.field(id, entry).is_empty()
    }
    /// The value of a `values` entry.
    fn value(&mut self, id: ValueId) -> Value;
    /// The indices of the non-empty entries of a repeated group; none when it is inactive.
    fn entries(&mut self, group: FieldId) -> Vec<u32>;
    /// Whether a group is filled (docs/form-language.md#groups-and-repeated-groups): a repeated group has a non-empty entry, a
    /// non-repeated group has a filled input member. `entry` as in [`Env::field`].
    fn group_filled(&mut self, group: FieldId, entry: Option<u32>) -> bool;
    /// Today's date, from the caller.
    fn today(&self) -> NaiveDate;
    /// Takes one evaluation step from a budget the environment keeps across expressions
    /// (a session's per-request budget, shared by nested evaluations); `false` when it is
    /// used up, which stops the evaluation. The default has no such budget.
    fn spend_step(&mut self) -> bool {
        true
    }
}
