//! # Wegweiser engine
//!
//! Compiles a form definition (YAML, `docs/form-language.md`) into an immutable,
//! type-checked [`Form`], and evaluates one citizen's answers against it in a [`Session`]:
//! which step comes next, what is shown, what is wrong and why, what the submission
//! document is. The engine does no I/O: sources, today's date and the language are passed
//! in; it runs unchanged in a server, in WebAssembly and in other Rust programs.
//!
//! This page is the whole public API an embedding needs:
//!
//! - [`compile`] a form's source into a [`Compiled`]: the [`Form`], or [`Diagnostic`]s with
//!   file positions, stable codes and help texts;
//! - a [`Session`] per citizen: answers go in ([`Session::set_answer`] with an [`Input`], or
//!   a whole posted step with [`Session::answer_step`]), and it answers what a front end
//!   asks ([`Session::path`], [`Session::next_step`], [`Session::problems`],
//!   [`Session::is_submittable`], [`Session::submission`]), or says [`BudgetExhausted`]
//!   when the evaluation budget ran out in that call; a [`Snapshot`] stores it;
//! - what a page shows, as data: [`Session::step_view`] and [`Session::summary_view`] (the
//!   module [`view`]), which the server's templates, the browser module and
//!   `wegweiser show` all render;
//! - [`ScenarioFile`] and [`run_scenarios`]: the scenario tests (`*.test.yaml`) of a form;
//! - [`fim_data`] and [`fim_schema`]: the submission keyed by FIM ids.
//!
//! ```
//! use chrono::NaiveDate;
//! use engine::{Input, Session, compile};
//!
//! let source = r#"
//! wegweiser: 1
//! id: hund
//! title: Hundesteuer
//! steps:
//!   - id: halter
//!     fields:
//!       - { id: name, type: text, label: Ihr Name, required: true }
//!       - { id: hunde, type: integer, label: Wie viele Hunde?, required: true, min: 1 }
//! "#;
//! let compiled = compile(source);
//! let form = compiled.form.expect("the form compiles");
//! let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
//! let mut session = Session::new(&form, "de", today);
//!
//! // Nothing answered yet: the required name is a problem. A query that evaluates says
//! // `BudgetExhausted` when an evaluation budget (`Session::set_step_budget`) ran out.
//! assert!(!session.is_submittable()?);
//! session.set_answer("name", Some(Input::Text("Anna Schmidt".into()))).unwrap();
//! session.set_answer("hunde", Some(Input::Text("0".into()))).unwrap();
//! let problems = session.problems()?;
//! assert_eq!(problems.len(), 1);
//! assert_eq!(problems[0].field.as_deref(), Some("hunde"));
//!
//! session.set_answer("hunde", Some(Input::Text("2".into()))).unwrap();
//! assert!(session.is_submittable()?);
//! assert_eq!(session.submission_data()?["hunde"], "2"); // numbers are exact decimals
//! # Ok::<(), engine::BudgetExhausted>(())
//! ```
//!
//! Everything else (the YAML reader, the expression language, the checks, the caches) is
//! internal. The project's own front ends (the server, the browser module, the FIM import,
//! the fuzzers) reach it through the feature `internals`, which makes those modules public
//! under the same paths; nothing outside the workspace should need it.
#![deny(missing_docs)]
// Without `internals` the modules below are private, and parts that only the internal
// API reaches are unused in that build.
#![cfg_attr(not(feature = "internals"), allow(dead_code, unused_imports))]

/// Declares modules that are public with the feature `internals` and private without it.
macro_rules! internal {
    ($($(#[$meta:meta])* mod $name:ident;)*) => {
        $(
            $(#[$meta])*
            #[cfg(feature = "internals")]
            pub mod $name;
            $(#[$meta])*
            #[cfg(not(feature = "internals"))]
            mod $name;
        )*
    };
}

internal! {
    mod account;
    mod analysis;
    mod answers;
    #[cfg(feature = "yaml")]
    mod authority;
    mod checks;
    #[cfg(feature = "yaml")]
    mod compile;
    mod diag;
    mod expr;
    mod field_type;
    mod fieldcheck;
    mod form;
    mod ids;
    mod output;
    mod pattern;
    #[cfg(feature = "yaml")]
    mod scenario;
    mod session;
    #[cfg(feature = "yaml")]
    mod source;
    #[cfg(feature = "yaml")]
    mod syntax;
    mod value;
}
mod stack;
pub mod view;

pub use answers::{Input, PostedStep, Refusal, StepAnswer};
pub use checks::CheckCode;
#[cfg(feature = "yaml")]
pub use compile::{Compiled, compile};
pub use diag::{Diagnostic, Pos, Severity, Span};
pub use field_type::FieldType;
pub use form::{Form, FormError, StepKind, Target};
pub use ids::{FieldId, StepId};
pub use output::{fim_data, fim_schema};
#[cfg(feature = "yaml")]
pub use scenario::{Mismatch, Outcome, Scenario, ScenarioAnswer, ScenarioEntries, ScenarioFile, run_scenarios, run_scenarios_with};
pub use session::{AnswerError, BudgetExhausted, Changes, Instance, ParameterError, Problem, Session, Snapshot, Submission};
pub use value::{FileRef, Value};
