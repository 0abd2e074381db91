//! Fields and steps: the first pass that collects every name, the ordering and checking
//! of computed fields and `values`, and the compilation of each field's and step's keys.

use crate::diag::codes;
use std::collections::HashMap;

use super::Compiler;
use super::scope::{RESERVED, Sym, is_field_id, is_step_id};
use crate::answers::Input;
use crate::checks::{CheckCode, parse_size};
use crate::diag::{Diagnostic, Span, did_you_mean};
use crate::expr::{self, CExpr, CheckCtx, Type, ast::Expr};
use crate::form::{Branch, ChoiceOption, Field, FieldType, Format, NamedValue, Repeat, Rule, Site, Step, StepKind, Target};
use crate::ids::{FieldId, StepId, ValueId};
use crate::pattern::{Pattern, describe_error};
use crate::source::{CoreType, Node, NodeKind};
use crate::syntax::ast::{FieldAst, NextAst, OptionAst, OptionsAst, RuleAst, Src, SrcScalar, StepAst};
use crate::value::Value;

const DISPLAYS: &[&str] = &["radios", "select", "checkboxes", "textarea"];

/// A calculation (computed field or `values` entry) before it is checked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Calc {
    Field(FieldId),
    Value(ValueId),
}

impl<'a> Compiler<'a> {
    /// First pass: step ids and every field (members too), in declaration order.
    pub(super) fn collect_steps(&mut self, steps: &'a [StepAst]) -> Vec<StepId> {
        let mut ids = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            let sid = StepId(i as u32);
            ids.push(sid);
            if let Some(id) = &s.id {
                if id.value == "summary" {
                    self.err(
                        Diagnostic::error(codes::E0107, id.span, "`summary` is reserved for the \"check your answers\" page")
                            .with_help("choose another step id; `goto: summary` jumps to the summary"),
                    );
                } else if !is_step_id(&id.value) {
                    self.err(
                        Diagnostic::error(codes::E0105, id.span, format!("`{}` is not a valid step id", id.value))
                            .with_help("use lower-case letters, digits, `_` and `-`, starting with a letter or digit"),
                    );
                }
                if self.steps.contains_key(&id.value) {
                    self.err(
                        Diagnostic::error(codes::E0106, id.span, format!("the step id `{}` is used twice", id.value))
                            .with_help("step ids must be unique"),
                    );
                } else {
                    self.steps.insert(id.value.clone(), sid);
                }
            }
            for f in &s.fields {
                self.collect_field(f, sid, None, None);
            }
        }
        ids
    }

    fn collect_field(&mut self, f: &'a FieldAst, step: StepId, parent: Option<FieldId>, repeat_group: Option<FieldId>) -> FieldId {
        let fid = FieldId(self.fields.len() as u32);
        let ty = f.ty.as_ref().and_then(|t| FieldType::parse(&t.value));
        self.fields.push(super::FieldSlot { ast: f, ty, step, parent, repeat_group, members: Vec::new() });
        if let Some(d) = super::limits::fields(self.fields.len(), f.span) {
            self.err(d);
        }
        if let Some(id) = &f.id {
            if !is_field_id(&id.value) {
                self.err(
                    Diagnostic::error(codes::E0105, id.span, format!("`{}` is not a valid field id", id.value))
                        .with_help("use lower-case letters, digits and `_`, starting with a letter or `_`, e.g. `geburtsdatum`"),
                );
            } else if RESERVED.contains(&id.value.as_str()) {
                self.err(
                    Diagnostic::error(codes::E0107, id.span, format!("`{}` is a reserved word and cannot be a field id", id.value))
                        .with_help("choose another id"),
                );
            }
            if self.names.map.contains_key(&id.value) {
                self.err(
                    Diagnostic::error(codes::E0106, id.span, format!("the field id `{}` is used twice", id.value))
                        .with_help("field ids must be unique in the whole form, group members included"),
                );
            } else {
                let sym = match ty {
                    Some(FieldType::Group) => Sym::Group { id: fid, repeated: f.repeat.is_some(), repeat_group },
                    Some(FieldType::Info) => Sym::Info,
                    Some(t) => Sym::Field { id: fid, ty: t.value_type(), repeat_group },
                    None => Sym::Field { id: fid, ty: None, repeat_group },
                };
                self.names.insert(id.value.clone(), sym);
            }
        }
        if matches!(ty, Some(FieldType::Choice | FieldType::MultiChoice)) {
            // Collected before any expression is checked, so that a condition may compare
            // a field written further down with one of its options. An unknown list is
            // reported when the field is compiled; without options nothing is checked.
            let options = match &f.options {
                Some(OptionsAst::Inline(opts)) => Some(opts),
                Some(OptionsAst::Named(name)) => self.lists.get(&name.value).map(|l| &l.options),
                None => None,
            };
            if let Some(opts) = options {
                self.names.options.insert(fid, opts.iter().map(|o| o.value.value.clone()).collect());
            }
        }
        if ty == Some(FieldType::Group) {
            if f.repeat.is_some()
                && let Some(outer) = repeat_group
            {
                let outer_id = self.fields[outer.ix()].ast.id.as_ref().map(|i| i.value.clone()).unwrap_or_default();
                self.err(
                    Diagnostic::error(
                        codes::E0310,
                        f.repeat.as_ref().map_or(f.span, |r| r.span),
                        "a repeated group may not contain another repeated group",
                    )
                    .with_help(format!("this group is inside the repeated group `{outer_id}`; make it a plain group, or move it out")),
                );
            }
            let inner_repeat = if f.repeat.is_some() && repeat_group.is_none() { Some(fid) } else { repeat_group };
            let members: Vec<FieldId> = f.fields.iter().map(|m| self.collect_field(m, step, Some(fid), inner_repeat)).collect();
            self.fields[fid.ix()].members = members;
        }
        fid
    }

    /// Orders computed fields and `values` by what they read, reports cycles, and checks
    /// them in that order so that each one's type is known before it is used.
    pub(super) fn check_calculations(&mut self, values: &[(Src, SrcScalar)]) -> (HashMap<FieldId, CExpr>, Vec<NamedValue>) {
        let mut calcs: Vec<(Calc, &SrcScalar, Option<Expr>)> = Vec::new();
        for (i, slot) in self.fields.iter().enumerate() {
            if slot.ty == Some(FieldType::Computed)
                && let Some(v) = &slot.ast.value
            {
                calcs.push((Calc::Field(FieldId(i as u32)), v, None));
            }
        }
        for (i, (_, v)) in values.iter().enumerate() {
            calcs.push((Calc::Value(ValueId(i as u32)), v, None));
        }
        for c in &mut calcs {
            match expr::parse(c.1.text()) {
                Ok(e) => c.2 = Some(e),
                Err(err) => {
                    let s = c.1.clone();
                    self.expr_err(&s, err);
                }
            }
        }
        let index_of: HashMap<Calc, usize> = calcs.iter().enumerate().map(|(i, c)| (c.0, i)).collect();
        // Edges: calculation → the calculations it names (with the span of the name).
        let edges: Vec<Vec<(usize, (u32, u32))>> = calcs
            .iter()
            .map(|(_, _, e)| {
                let Some(e) = e else { return Vec::new() };
                expr::refs(e)
                    .into_iter()
                    .filter_map(|(name, span)| {
                        let calc = match self.names.map.get(&name)? {
                            Sym::Field { id, .. } if self.fields[id.ix()].ty == Some(FieldType::Computed) => Calc::Field(*id),
                            Sym::Value { id, .. } => Calc::Value(*id),
                            _ => return None,
                        };
                        index_of.get(&calc).map(|&i| (i, span))
                    })
                    .collect()
            })
            .collect();
        // Depth-first ordering with cycle detection.
        let mut in_cycle = vec![false; calcs.len()];
        let mut cycles: Vec<(Vec<usize>, usize, (u32, u32))> = Vec::new();
        let order = super::cycles::dfs(
            &edges,
            |e| e.0,
            |stack, to| {
                let (node, k) = *stack.last().expect("a cycle has a node");
                cycles.push((stack.iter().map(|(x, _)| *x).collect(), to, edges[node][k - 1].1));
            },
        );
        for (chain, to, span) in cycles {
            for &c in &chain {
                in_cycle[c] = true;
            }
            let node = *chain.last().expect("a cycle has a node");
            let names: Vec<String> = chain.iter().chain(std::iter::once(&to)).map(|&c| self.calc_name(calcs[c].0, values)).collect();
            let s = calcs[node].1.clone();
            let span = self.sub_span(&s, span);
            let msg = if chain.len() == 1 {
                format!("`{}` depends on itself", names[0])
            } else {
                format!(
                    "`{}` depends on itself through {}",
                    names[0],
                    names[1..names.len() - 1].iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" → ")
                )
            };
            self.err(Diagnostic::error(codes::E0306, span, msg).with_help(format!(
                "the chain is {}; break it so that each calculation only uses values calculated before it",
                names.join(" → ")
            )));
        }
        let mut computed = HashMap::new();
        let mut named: Vec<Option<NamedValue>> = vec![None; values.len()];
        for i in order {
            let (calc, scalar, Some(e)) = &calcs[i] else { continue };
            if in_cycle[i] {
                continue;
            }
            let ctx = match calc {
                Calc::Field(f) => CheckCtx { group: self.fields[f.ix()].repeat_group },
                Calc::Value(_) => CheckCtx::default(),
            };
            let scalar = (*scalar).clone();
            let checked = match expr::check(e, &self.names, &ctx) {
                Ok(x) => Some(x),
                Err(errs) => {
                    for err in errs {
                        self.expr_err(&scalar, err);
                    }
                    None
                }
            };
            let Some((cexpr, mut ty)) = checked else { continue };
            match *calc {
                Calc::Field(f) => {
                    if let Some(fmt) = self.fields[f.ix()].ast.format.clone() {
                        let want = match fmt.value.as_str() {
                            "money" | "integer" => Some(Type::Number),
                            "date" => Some(Type::Date),
                            _ => {
                                let help = match did_you_mean(&fmt.value, ["money", "integer", "date"]) {
                                    Some(s) => format!("did you mean `{s}`?"),
                                    None => "use `money`, `integer` or `date`".to_string(),
                                };
                                self.err(
                                    Diagnostic::error(codes::E0108, fmt.span, format!("unknown format `{}`", fmt.value)).with_help(help),
                                );
                                None
                            }
                        };
                        if let Some(w) = want
                            && w != ty
                        {
                            self.err(
                                Diagnostic::error(
                                    codes::E0205,
                                    fmt.span,
                                    format!(
                                        "`format: {}` needs a {} value, but the calculation gives a {}",
                                        fmt.value,
                                        expr::type_name(w),
                                        expr::type_name(ty)
                                    ),
                                )
                                .with_help("change the format, or the calculation"),
                            );
                            ty = w;
                        }
                    }
                    if ty == Type::Group {
                        self.err(
                            Diagnostic::error(codes::E0208, scalar.span, "a computed field cannot be a group")
                                .with_help("calculate a number, text or date, e.g. `count(group)`"),
                        );
                    }
                    if let Some(id) = &self.fields[f.ix()].ast.id
                        && let Some(Sym::Field { ty: t, .. }) = self.names.map.get_mut(&id.value)
                    {
                        *t = Some(ty);
                    }
                    computed.insert(f, cexpr);
                }
                Calc::Value(v) => {
                    let name = values[v.ix()].0.value.clone();
                    if let Some(Sym::Value { ty: t, id }) = self.names.map.get_mut(&name)
                        && *id == v
                    {
                        *t = Some(ty);
                    }
                    named[v.ix()] = Some(NamedValue { id: name, expr: cexpr, ty });
                }
            }
        }
        let values = named
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                v.unwrap_or_else(|| NamedValue { id: values[i].0.value.clone(), expr: CExpr::Lit(Value::Empty), ty: Type::Number })
            })
            .collect();
        (computed, values)
    }

    fn calc_name(&self, c: Calc, values: &[(Src, SrcScalar)]) -> String {
        match c {
            Calc::Field(f) => self.fields[f.ix()].ast.id.as_ref().map(|i| i.value.clone()).unwrap_or_default(),
            Calc::Value(v) => values[v.ix()].0.value.clone(),
        }
    }

    /// Second pass: every field's keys.
    pub(super) fn compile_fields(&mut self, mut computed: HashMap<FieldId, CExpr>) -> Vec<Field> {
        let mut out = Vec::with_capacity(self.fields.len());
        for i in 0..self.fields.len() {
            let fid = FieldId(i as u32);
            let field = self.compile_field(fid, computed.remove(&fid));
            out.push(field);
        }
        out
    }

    fn compile_field(&mut self, fid: FieldId, value: Option<CExpr>) -> Field {
        let slot = &self.fields[fid.ix()];
        let a: &'a FieldAst = slot.ast;
        let ty = slot.ty.unwrap_or(FieldType::Text);
        let (step, parent, repeat_group, members) = (slot.step, slot.parent, slot.repeat_group, slot.members.clone());
        let ctx = CheckCtx { group: repeat_group };
        // A repeated group's label is inside the group: `Hund {{ index }}`.
        let inner = if a.repeat.is_some() && repeat_group.is_none() { CheckCtx { group: Some(fid) } } else { ctx };
        let id = a.id.as_ref().map(|i| i.value.clone()).unwrap_or_default();

        let label = a.label.as_ref().map(|t| self.text(t, inner));
        let hint = a.hint.as_ref().map(|t| self.text(t, inner));
        let text = a.text.as_ref().map(|t| self.text(t, ctx));
        let required =
            a.required.as_ref().and_then(|s| self.condition(s, ctx, Site::Required(fid))).filter(|c| *c != CExpr::Lit(Value::Bool(false)));
        let visible_if = a.visible_if.as_ref().and_then(|s| self.condition(s, ctx, Site::Visible(fid)));
        let bound_ty = match ty {
            FieldType::Date => Type::Date,
            _ => Type::Number,
        };
        let min = a.min.as_ref().and_then(|s| self.bound(s, ctx, bound_ty, ty, Site::Min(fid)));
        let max = a.max.as_ref().and_then(|s| self.bound(s, ctx, bound_ty, ty, Site::Max(fid)));
        if let (Some(CExpr::Lit(lo)), Some(CExpr::Lit(hi)), Some(ms)) = (&min, &max, &a.min) {
            let above = match (lo, hi) {
                (Value::Number(l), Value::Number(h)) => l > h,
                (Value::Date(l), Value::Date(h)) => l > h,
                _ => false,
            };
            if above {
                self.err(
                    Diagnostic::error(codes::E0308, ms.span, "`min` is above `max`: no answer can pass")
                        .with_label(a.max.as_ref().map_or(ms.span, |m| m.span), "`max` is here")
                        .with_help("swap the two bounds, or correct one of them"),
                );
            }
        }
        if let (Some((lo, span)), Some((hi, _))) = (a.min_length, a.max_length)
            && lo > hi
        {
            self.err(
                Diagnostic::error(codes::E0308, span, format!("`min_length` ({lo}) is above `max_length` ({hi}): no answer can pass"))
                    .with_help("correct one of the two"),
            );
        }
        if let Some((r, span)) = a.repeat.as_ref().map(|r| (r, r.span))
            && let (Some((lo, _)), Some((hi, _))) = (r.min, r.max)
            && lo > hi
        {
            self.err(
                Diagnostic::error(codes::E0308, span, format!("`repeat.min` ({lo}) is above `repeat.max` ({hi})"))
                    .with_help("correct one of the two"),
            );
        }
        if let Some(d) = a.repeat.as_ref().and_then(|r| r.max).and_then(|(max, span)| super::limits::entries(max, span)) {
            self.err(d);
        }
        if let Some(d) = a.max_length.and_then(|(max, span)| super::limits::answer_length(max, span)) {
            self.err(d);
        }
        let textarea = ty == FieldType::Textarea || a.display.as_ref().is_some_and(|d| d.value == "textarea");
        let max_length = a.max_length.map(|(n, _)| n).or(match ty {
            FieldType::Text | FieldType::Email | FieldType::Phone if !textarea => Some(500),
            FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone => Some(5000),
            _ => None,
        });
        let pattern =
            a.pattern.as_ref().and_then(|p| match self.patterns.get(p.text()).cloned().map_or_else(|| Pattern::new(p.text()), Ok) {
                Ok(compiled) => {
                    // Forms repeat patterns (postcodes, plates); build each regex once.
                    self.patterns.insert(p.text().to_string(), compiled.clone());
                    Some(compiled)
                }
                Err(e) => {
                    self.err(
                        Diagnostic::error(codes::E0209, p.span, format!("invalid regular expression: {}", describe_error(&e)))
                            .with_help("patterns use the syntax of the Rust `regex` crate: no look-around, no back-references"),
                    );
                    None
                }
            });
        let options = match &a.options {
            None => Vec::new(),
            Some(OptionsAst::Inline(opts)) => self.options(opts, fid, ctx),
            Some(OptionsAst::Named(name)) => match self.list(name) {
                Some(list) => self.options(&list.options, fid, ctx),
                None => Vec::new(),
            },
        };
        if let Some(d) = &a.display
            && !DISPLAYS.contains(&d.value.as_str())
        {
            let help = match did_you_mean(&d.value, DISPLAYS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("use one of: {}", DISPLAYS.join(", ")),
            };
            self.err(Diagnostic::error(codes::E0108, d.span, format!("unknown display `{}`", d.value)).with_help(help));
        }
        let default = a.default.as_ref().and_then(|n| self.default(n, ty));
        let rules: Vec<Rule> =
            a.rules.iter().enumerate().filter_map(|(n, r)| self.rule(r, ctx, Site::FieldRule(fid, n as u32), true)).collect();
        let mut messages = Vec::new();
        for (code, text) in &a.messages {
            let parsed: Option<CheckCode> = serde_json::from_value(serde_json::Value::String(code.value.clone())).ok();
            match parsed {
                Some(c) => {
                    let t = self.text(text, ctx);
                    messages.push((c, t));
                }
                None => {
                    let help = match did_you_mean(&code.value, CheckCode::ALL.iter().map(|c| c.as_str())) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => {
                            format!("the check codes are: {}", CheckCode::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))
                        }
                    };
                    self.err(Diagnostic::error(codes::E0108, code.span, format!("unknown check `{}`", code.value)).with_help(help));
                }
            }
        }
        let repeat = a.repeat.as_ref().map(|r| Repeat {
            min: r.min.map_or(0, |(n, _)| n),
            max: r.max.map(|(n, _)| n),
            add_label: r.add_label.as_ref().map(|t| self.text(t, inner)),
        });
        let max_size = a.max_size.as_ref().and_then(|s| match parse_size(&s.value) {
            Some(n) => Some(n),
            None => {
                self.err(
                    Diagnostic::error(codes::E0108, s.span, format!("`{}` is not a size", s.value))
                        .with_help("write bytes (`500000`) or a number with a unit: `5MB` (5,000,000 bytes) or `5MiB` (5,242,880 bytes)"),
                );
                None
            }
        });
        let format = a.format.as_ref().and_then(|f| match f.value.as_str() {
            "money" => Some(Format::Money),
            "integer" => Some(Format::Integer),
            "date" => Some(Format::Date),
            _ => None,
        });
        let value_type = match ty {
            FieldType::Computed => value.as_ref().and_then(|_| match self.names.map.get(&id) {
                Some(Sym::Field { ty, .. }) => *ty,
                _ => None,
            }),
            t => t.value_type(),
        };
        let field = Field {
            id,
            ty,
            value_type,
            step,
            parent,
            repeat_group,
            members,
            label,
            hint,
            required: required.map(Box::new),
            visible_if: visible_if.map(Box::new),
            min: min.map(Box::new),
            max: max.map(Box::new),
            min_length: a.min_length.map(|(n, _)| n),
            max_length,
            pattern: pattern.map(Box::new),
            options,
            display: a.display.as_ref().map(|d| d.value.clone()),
            default: default.map(Box::new),
            value: value.map(Box::new),
            format,
            rules,
            messages,
            autocomplete: a.autocomplete.as_ref().map(|d| d.value.clone()),
            repeat: repeat.map(Box::new),
            accept: a.accept.iter().map(|s| s.value.clone()).collect(),
            max_size,
            decimals: a.decimals.map(|(n, _)| n),
            allow_test_ids: a.allow_test_ids,
            text,
            fim: a.fim.as_ref().map(|f| f.value.clone()),
            prefill: None,
            locked: false,
        };
        // A default must pass the field's type, format and option checks, against all
        // options whatever their `if` (docs/form-language.md#default); bounds are not checked at compile time.
        if let (Some(d), Some(node)) = (&field.default, &a.default) {
            let lang = self.languages[0].clone();
            let checked = crate::fieldcheck::check_input(&field, Some(d), &lang, &Default::default(), &|_| true);
            if let Some(f) = checked.failures.iter().find(|f| matches!(f.code, CheckCode::Type | CheckCode::Format | CheckCode::Option)) {
                let why = crate::fieldcheck::message_for(f, "en");
                self.err(
                    Diagnostic::error(
                        codes::E0309,
                        node.span,
                        format!("this default fails the field's `{}` check: {why}", f.code.as_str()),
                    )
                    .with_help("write the default as a citizen would answer it in the form's default language"),
                );
            }
        }
        field
    }

    /// A condition (`visible_if`, `required`, `when`, `if`).
    pub(super) fn condition(&mut self, s: &SrcScalar, ctx: CheckCtx, site: Site) -> Option<CExpr> {
        let r = self.expr(s, ctx, true).map(|(c, _)| c);
        self.site_spans.insert(site, s.span);
        r
    }

    fn bound(&mut self, s: &SrcScalar, ctx: CheckCtx, want: Type, ty: FieldType, site: Site) -> Option<CExpr> {
        self.site_spans.insert(site, s.span);
        let t = s.text();
        // On a date field a value written exactly `YYYY-MM-DD` means `date("YYYY-MM-DD")`.
        if ty == FieldType::Date && t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
            return match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                Ok(d) => Some(CExpr::Lit(Value::Date(d))),
                Err(_) => {
                    self.err(
                        Diagnostic::error(codes::E0210, s.span, format!("`{t}` is not a real calendar date"))
                            .with_help("write a date that exists, e.g. `2026-02-28`"),
                    );
                    None
                }
            };
        }
        let (c, got) = self.expr(s, ctx, false)?;
        if got != want {
            self.err(
                Diagnostic::error(
                    codes::E0205,
                    s.span,
                    format!("this bound must be {}, but it is {}", expr::type_name(want), expr::type_name(got)),
                )
                .with_help(if want == Type::Date {
                    "write a date like `2026-01-31`, or an expression such as `today()`"
                } else {
                    "write a number, or an expression giving one"
                }),
            );
            return None;
        }
        Some(c)
    }

    fn options(&mut self, opts: &[OptionAst], fid: FieldId, ctx: CheckCtx) -> Vec<ChoiceOption> {
        let mut out: Vec<ChoiceOption> = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        for (n, o) in opts.iter().enumerate() {
            if let Some(first) = seen.get(&o.value.value) {
                self.err(
                    Diagnostic::error(codes::E0106, o.value.span, format!("the option value `{}` is used twice", o.value.value))
                        .with_label(*first, "first used here")
                        .with_help("option values must be unique within a field"),
                );
            }
            seen.insert(o.value.value.clone(), o.value.span);
            let label = o.label.as_ref().map(|t| self.text(t, ctx)).unwrap_or_default();
            let hint = o.hint.as_ref().map(|t| self.text(t, ctx));
            let cond = o.cond.as_ref().and_then(|s| self.condition(s, ctx, Site::OptionIf(fid, n as u32)));
            out.push(ChoiceOption { value: o.value.value.clone(), label, hint, cond: cond.map(Box::new) });
        }
        out
    }

    pub(super) fn rule(&mut self, r: &RuleAst, ctx: CheckCtx, site: Site, on_field: bool) -> Option<Rule> {
        let check = r.check.as_ref().and_then(|s| self.condition(s, ctx, site));
        let message = r.message.as_ref().map(|t| self.text(t, ctx)).unwrap_or_default();
        let mut field = None;
        if let Some(f) = &r.field {
            if on_field {
                self.err(
                    Diagnostic::error(codes::E0104, f.span, "`field` applies only to rules of a step")
                        .with_help("a field's own rules already belong to that field: remove `field:`"),
                );
            } else {
                match self.names.map.get(&f.value) {
                    Some(Sym::Field { id, .. }) | Some(Sym::Group { id, .. }) => field = Some(*id),
                    _ => {
                        let help =
                            did_you_mean(&f.value, self.names.map.keys().map(String::as_str)).map(|s| format!("did you mean `{s}`?"));
                        self.err(Diagnostic::error(codes::E0202, f.span, format!("unknown field `{}`", f.value)).with_help_opt(help));
                    }
                }
            }
        }
        let check = check?;
        let mut gate = Vec::new();
        check.gate_fields(&mut gate);
        Some(Rule { check, message, when_empty: r.when_empty, field, gate })
    }

    /// A `default:` read like a scenario answer (docs/form-language.md#default, docs/form-language.md#scenario-tests).
    fn default(&mut self, n: &Node, ty: FieldType) -> Option<Input> {
        let lang = self.languages[0].clone();
        match input_from_yaml(n, ty, &lang) {
            Some(i) => Some(i),
            None => {
                self.err(
                    Diagnostic::error(codes::E0309, n.span, format!("this default does not fit the field type `{}`", type_word(ty)))
                        .with_help(
                            "write the default as a citizen would answer: text, a number, `true`/`false`, or a list for `multi_choice`",
                        ),
                );
                None
            }
        }
    }

    /// Third pass: steps.
    pub(super) fn compile_steps(&mut self, steps: &'a [StepAst], ids: &[StepId]) -> Vec<Step> {
        let count = steps.len();
        let mut out = Vec::with_capacity(count);
        // Top-level fields per step, in one pass (forms have thousands of fields).
        let mut top: Vec<Vec<FieldId>> = vec![Vec::new(); count];
        for (i, slot) in self.fields.iter().enumerate() {
            if slot.parent.is_none() && slot.step.ix() < count {
                top[slot.step.ix()].push(FieldId(i as u32));
            }
        }
        for (i, s) in steps.iter().enumerate() {
            let sid = ids[i];
            let ctx = CheckCtx::default();
            let kind = match s.kind.as_ref().map(|k| k.value.as_str()) {
                None | Some("question") => StepKind::Question,
                Some("exit") => StepKind::Exit,
                Some(other) => {
                    let k = s.kind.as_ref().map(|k| k.span).unwrap_or(s.span);
                    self.err(
                        Diagnostic::error(codes::E0108, k, format!("unknown step kind `{other}`"))
                            .with_help("use `question` (the default) or `exit`"),
                    );
                    StepKind::Question
                }
            };
            if kind == StepKind::Exit {
                for (key, span) in [("fields", s.fields_key), ("rules", s.rules_key), ("next", s.next_key)] {
                    if let Some(span) = span {
                        self.err(
                            Diagnostic::error(codes::E0304, span, format!("an exit step cannot have `{key}`")).with_help(
                                "an exit step is a terminal page with `title` and `text` only; put questions on a `question` step",
                            ),
                        );
                    }
                }
            }
            let title = s.title.as_ref().map(|t| self.text(t, ctx));
            let text = s.text.as_ref().map(|t| self.text(t, ctx));
            let section = s.section.as_ref().map(|t| self.text(t, ctx));
            let when = s.when.as_ref().and_then(|w| self.condition(w, ctx, Site::When(sid))).map(Box::new);
            let fields = std::mem::take(&mut top[i]);
            let rules = s.rules.iter().enumerate().filter_map(|(n, r)| self.rule(r, ctx, Site::StepRule(sid, n as u32), false)).collect();
            let default_target = if i + 1 < count { Target::Step(StepId(i as u32 + 1)) } else { Target::Summary };
            let next = if kind == StepKind::Exit {
                Vec::new()
            } else {
                match &s.next {
                    None => vec![Branch { cond: None, target: default_target }],
                    Some(NextAst::Goto(g)) => vec![Branch { cond: None, target: self.target(g).unwrap_or(default_target) }],
                    Some(NextAst::Branches(bs)) => {
                        let mut out = Vec::new();
                        let mut closed = false;
                        for (n, b) in bs.iter().enumerate() {
                            if closed {
                                self.err(
                                    Diagnostic::error(
                                        codes::E0303,
                                        b.span,
                                        "this branch is never taken: the branch before it has no `if` and always applies",
                                    )
                                    .with_help("move the plain `goto` to the end of the list"),
                                );
                                continue;
                            }
                            let cond = b.cond.as_ref().and_then(|c| self.condition(c, ctx, Site::Next(sid, n as u32)));
                            if b.cond.is_none() {
                                closed = true;
                            }
                            let target = b.goto.as_ref().and_then(|g| self.target(g)).unwrap_or(default_target);
                            out.push(Branch { cond: cond.map(Box::new), target });
                        }
                        if !closed {
                            let span = bs.last().map_or(s.next_key.unwrap_or(s.span), |b| b.span);
                            self.err(Diagnostic::error(codes::E0303, span, "the `next` list has no plain `goto` at its end").with_help(
                                "add a last entry without `if`, e.g. `- goto: summary`, so that every citizen has somewhere to go",
                            ));
                            out.push(Branch { cond: None, target: default_target });
                        }
                        out
                    }
                }
            };
            out.push(Step {
                id: s.id.as_ref().map(|i| i.value.clone()).unwrap_or_default(),
                title,
                text,
                section,
                kind,
                when,
                fields,
                rules,
                next,
            });
        }
        out
    }

    fn target(&mut self, g: &Src) -> Option<Target> {
        if g.value == "summary" {
            return Some(Target::Summary);
        }
        match self.steps.get(&g.value) {
            Some(s) => Some(Target::Step(*s)),
            None => {
                let help = match did_you_mean(&g.value, self.steps.keys().map(String::as_str).chain(["summary"])) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "name a step id of this form, or `summary`".to_string(),
                };
                self.err(Diagnostic::error(codes::E0301, g.span, format!("unknown step `{}`", g.value)).with_help(help));
                None
            }
        }
    }
}

fn type_word(ty: FieldType) -> String {
    serde_json::to_value(ty).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

/// Reads a YAML node as a citizen's input for a field of type `ty` (docs/form-language.md#scenario-tests): a YAML number
/// is, for number types, the decimal in its source text whatever the language, and for
/// any other field its source text; `true`/`false` for yes/no fields; a list for
/// `multi_choice`; `{ name, size, type }` for a file. `None` when the shape does not fit.
pub fn input_from_yaml(n: &Node, ty: FieldType, lang: &str) -> Option<Input> {
    match &n.kind {
        NodeKind::Scalar(s) => match s.core_type() {
            CoreType::Null => None,
            CoreType::Bool(b) => match ty {
                FieldType::Boolean | FieldType::Consent => Some(Input::Bool(b)),
                _ => Some(Input::Text(s.value.clone())),
            },
            CoreType::Number if matches!(ty, FieldType::Number | FieldType::Integer | FieldType::Money) => {
                // A YAML number is a plain decimal with `.`; present it in the language's
                // notation so it reads back as the same value.
                match crate::checks::parse_plain_decimal(&s.value) {
                    Some(d) => {
                        let plain = crate::checks::canonical(&d);
                        Some(Input::Text(if lang == "de" { plain.replace('.', ",") } else { plain }))
                    }
                    None => Some(Input::Text(s.value.clone())),
                }
            }
            _ => Some(Input::Text(s.value.clone())),
        },
        NodeKind::Seq(items) => {
            if ty != FieldType::MultiChoice {
                return None;
            }
            items
                .iter()
                .map(|i| i.as_scalar().filter(|s| s.core_type() != CoreType::Null).map(|s| s.value.clone()))
                .collect::<Option<Vec<_>>>()
                .map(Input::List)
        }
        NodeKind::Map(pairs) => {
            if ty != FieldType::File {
                return None;
            }
            let get = |k: &str| pairs.iter().find(|(key, _)| key.as_str() == Some(k)).and_then(|(_, v)| v.as_str());
            Some(Input::File(Box::new(crate::value::FileRef {
                name: get("name")?.to_string(),
                size: get("size")?.parse().ok()?,
                mime: get("type")?.to_string(),
            })))
        }
    }
}
