//! `parameters:`: the declarations (name, type, default, options), each readable in
//! expressions like a `values` entry, and the one reader of a parameter's value as written
//! in YAML, shared by the form's `default:`, scenario files and authority files.

use super::Compiler;
use super::scope::{RESERVED, Sym, is_field_id};
use crate::diag::{Diagnostic, Span, codes, did_you_mean};
use crate::expr::CheckCtx;
use crate::form::{ParamType, Parameter, ParameterValues};
use crate::ids::ValueId;
use crate::source::{CoreType, Node, NodeKind};
use crate::syntax::ast::{OptionsAst, ParameterAst};
use crate::value::Value;

impl<'a> Compiler<'a> {
    /// Declares every parameter as a name of the form (after the `values`, whose ids come
    /// first) and checks its declaration. `first` is the number of `values` entries.
    pub(super) fn collect_parameters(&mut self, params: &'a [ParameterAst], first: usize) -> Vec<Parameter> {
        let mut out = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let name = &p.name;
            if !is_field_id(&name.value) {
                self.err(
                    Diagnostic::error(codes::E0105, name.span, format!("`{}` is not a valid name for a parameter", name.value))
                        .with_help("use lower-case letters, digits and `_`, starting with a letter or `_`"),
                );
            }
            if RESERVED.contains(&name.value.as_str()) {
                self.err(
                    Diagnostic::error(codes::E0107, name.span, format!("`{}` is a reserved word and cannot name a parameter", name.value))
                        .with_help("choose another name"),
                );
            }
            let ty = p.ty.as_ref().and_then(|t| {
                let parsed = ParamType::parse(&t.value);
                if parsed.is_none() {
                    let help = match did_you_mean(&t.value, ParamType::NAMES.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("the parameter types are: {}", ParamType::NAMES.join(", ")),
                    };
                    self.err(Diagnostic::error(codes::E0108, t.span, format!("unknown parameter type `{}`", t.value)).with_help(help));
                }
                parsed
            });
            let options: Vec<String> = match &p.options {
                Some(OptionsAst::Inline(opts)) => opts.iter().map(|o| o.value.value.clone()).collect(),
                Some(OptionsAst::Named(list)) => {
                    self.list(list).map(|l| l.options.iter().map(|o| o.value.value.clone()).collect()).unwrap_or_default()
                }
                None => Vec::new(),
            };
            if let (Some(t), Some(o)) = (ty, &p.options)
                && t != ParamType::Choice
            {
                let span = match o {
                    OptionsAst::Named(n) => n.span,
                    OptionsAst::Inline(v) => v.first().map_or(p.span, |x| x.span),
                };
                self.err(
                    Diagnostic::error(codes::E0104, span, format!("`options` does not apply to a `{}` parameter", t.name()))
                        .with_help("only a `choice` parameter has options"),
                );
            }
            if ty == Some(ParamType::Choice) && p.options.is_none() {
                self.err(
                    Diagnostic::error(codes::E0102, p.name.span, format!("the choice parameter `{}` needs `options:`", name.value))
                        .with_help("add `options:` with a list of `{ value, label }`, or the name of a list under `lists:`"),
                );
            }
            // Labels are for the people who set the values, not for citizens: a missing
            // translation is no finding (W0402 is dropped), everything else is.
            let before = self.diags.len();
            let label = p.label.as_ref().map(|t| self.text(t, CheckCtx::default()));
            let description = p.description.as_ref().map(|t| self.text(t, CheckCtx::default()));
            let mut k = before;
            while k < self.diags.len() {
                if self.diags[k].code == codes::W0402 {
                    self.diags.remove(k);
                } else {
                    k += 1;
                }
            }
            let id = ValueId((first + i) as u32);
            let Some(ty) = ty else { continue };
            let mut param = Parameter { id: name.value.clone(), value: id, ty, default: None, options, label, description };
            if let Some(d) = &p.default {
                match parameter_value(&param, d) {
                    Ok(v) => param.default = Some(v),
                    Err(why) => self.err(
                        Diagnostic::error(
                            codes::E0312,
                            d.span,
                            format!("the default of the `{}` parameter `{}` does not fit: {why}", ty.name(), name.value),
                        )
                        .with_help("write a default of the parameter's type, or leave it out to make every authority set one"),
                    ),
                }
            }
            if self.names.map.contains_key(&name.value) {
                self.err(
                    Diagnostic::error(codes::E0106, name.span, format!("the name `{}` is already used by a field or value", name.value))
                        .with_help("fields, values and parameters share one set of names: rename one of them"),
                );
                continue;
            }
            self.names.insert(name.value.clone(), Sym::Value { id, ty: Some(ty.value_type()) });
            if ty == ParamType::Money {
                self.money_params.push(id);
            }
            out.push(param);
        }
        out
    }
}

/// Reads a parameter's value as written in YAML (a `default:`, a scenario's or an
/// authority's `parameters:`), or says in words why it does not fit. Numbers are read as
/// written (never through a float); a quoted number is a text, not a number.
pub fn parameter_value(p: &Parameter, node: &Node) -> Result<Value, String> {
    let describe = || format!("this is {}", node.describe());
    let NodeKind::Scalar(s) = &node.kind else { return Err(format!("{}; {}", p.refuses(&Value::Empty).unwrap_or_default(), describe())) };
    let v = match (p.ty, s.core_type()) {
        (_, CoreType::Null) => Value::Empty,
        (ParamType::Number | ParamType::Money | ParamType::Integer, CoreType::Number) => {
            crate::checks::parse_plain_decimal(&s.value).map_or(Value::Empty, Value::Number)
        }
        (ParamType::Boolean, CoreType::Bool(b)) => Value::Bool(b),
        (ParamType::Date, CoreType::Str) => chrono::NaiveDate::parse_from_str(&s.value, "%Y-%m-%d").map_or(Value::Empty, Value::Date),
        (ParamType::Text | ParamType::Choice, _) => Value::text(s.value.clone()),
        _ => Value::Empty,
    };
    match p.refuses(&v) {
        None => Ok(v),
        Some(why) if v.is_empty() => Err(format!("{why}; {}", describe())),
        Some(why) => Err(why),
    }
}

/// Reads a map of parameter values (`parameters:` of a scenario or of an authority's form)
/// against the form's declarations: each name must be declared (E0601, with "did you mean")
/// and each value fit its declaration (E0603). Returns the values that could be read.
pub fn parameter_values(form: &crate::form::Form, node: &Node) -> (ParameterValues, Vec<Diagnostic>) {
    let mut values = ParameterValues::new();
    let mut diags = Vec::new();
    let NodeKind::Map(pairs) = &node.kind else {
        if !node.is_null() {
            diags.push(
                Diagnostic::error(
                    codes::E0103,
                    node.span,
                    format!("`parameters` must be a map from names to values, but this is {}", node.describe()),
                )
                .with_help("e.g. `parameters: { satz_erster: 90 }`"),
            );
        }
        return (values, diags);
    };
    for (k, v) in pairs {
        let name = k.as_str().unwrap_or_default();
        let Some(p) = form.parameter(name) else {
            let help = match did_you_mean(name, form.parameters.iter().map(|p| p.id.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None if form.parameters.is_empty() => format!("the form `{}` declares no parameters", form.id),
                None => format!("the parameters of `{}` are: {}", form.id, names(form)),
            };
            diags
                .push(Diagnostic::error(codes::E0601, k.span, format!("the form `{}` has no parameter `{name}`", form.id)).with_help(help));
            continue;
        };
        match parameter_value(p, v) {
            Ok(x) => {
                values.insert(name.to_string(), x);
            }
            Err(why) => diags.push(
                Diagnostic::error(
                    codes::E0603,
                    v.span,
                    format!("the value of the `{}` parameter `{name}` does not fit: {why}", p.ty.name()),
                )
                .with_help(format!("write a value of type `{}`, as declared under the form's `parameters:`", p.ty.name())),
            ),
        }
    }
    (values, diags)
}

/// E0602 for each parameter of `form` without a default that `values` does not set,
/// located at `at` (the map that should set it).
pub fn missing_parameters(form: &crate::form::Form, values: &ParameterValues, at: Span, what: &str) -> Vec<Diagnostic> {
    form.parameters
        .iter()
        .filter(|p| p.default.is_none() && !values.contains_key(&p.id))
        .map(|p| {
            Diagnostic::error(codes::E0602, at, format!("{what} does not set the parameter `{}`, which has no default", p.id))
                .with_help(format!("add `{}: …` (a `{}`) under `parameters:`", p.id, p.ty.name()))
        })
        .collect()
}

fn names(form: &crate::form::Form) -> String {
    form.parameters.iter().map(|p| format!("`{}`", p.id)).collect::<Vec<_>>().join(", ")
}
