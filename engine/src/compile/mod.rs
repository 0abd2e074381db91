//! Syntax tree → compiled [`Form`]: name resolution, type checking, the step graph, the
//! dependency graph and the graph checks. Collects every diagnostic; never stops at the
//! first error.

mod cycles;
mod fields;
mod fim;
pub use fields::input_from_yaml;
mod graph;
pub mod limits;
mod params;
pub use params::{missing_parameters, parameter_value, parameter_values};
mod login;
mod scope;
mod used;

use crate::diag::codes;
use std::collections::HashMap;

use crate::diag::{Diagnostic, LineIndex, Span, did_you_mean};
use crate::expr::{self, CExpr, CheckCtx, ExprError, Type};
use crate::form::{
    Channel, Display, EmailChannel, Field, FieldType, FimSchema, FitConnectChannel, Form, SubmissionConfig, TPart, Text, Webhook,
};
use crate::ids::{FieldId, StepId};
use crate::syntax::ast::{ChannelAst, FieldAst, FormAst, ListAst, SrcScalar, TextAst};
use scope::{Names, RESERVED, Sym, is_field_id, is_form_id};

/// The outcome of compiling a form file.
#[derive(Debug)]
pub struct Compiled {
    /// The form, when it has no errors (warnings are allowed).
    pub form: Option<Form>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Compiles a form file's text.
pub fn compile(source: &str) -> Compiled {
    let index = LineIndex::new(source);
    let root = match crate::source::parse_yaml_indexed(source, &index) {
        Err(diagnostics) => return Compiled { form: None, diagnostics },
        Ok(root) => root,
    };
    let (ast, diags) = crate::syntax::lower(&root);
    let mut c = Compiler {
        index,
        diags,
        languages: Vec::new(),
        names: Names::default(),
        fields: Vec::new(),
        steps: HashMap::new(),
        lists: HashMap::new(),
        used_lists: used::UsedLists::default(),
        site_spans: HashMap::new(),
        patterns: HashMap::new(),
        money_params: Vec::new(),
    };
    let form = c.form(&ast);
    let mut diagnostics = c.diags;
    diagnostics.sort_by_key(|d| (d.span.start.offset, d.span.end.offset));
    diagnostics.dedup();
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    Compiled { form: if ok { form } else { None }, diagnostics }
}

/// One field as collected in the first pass.
pub(crate) struct FieldSlot<'a> {
    pub ast: &'a FieldAst,
    pub ty: Option<FieldType>,
    pub step: StepId,
    pub parent: Option<FieldId>,
    pub repeat_group: Option<FieldId>,
    pub members: Vec<FieldId>,
}

pub(crate) struct Compiler<'a> {
    pub index: LineIndex,
    pub diags: Vec<Diagnostic>,
    pub languages: Vec<String>,
    pub names: Names,
    pub fields: Vec<FieldSlot<'a>>,
    pub steps: HashMap<String, StepId>,
    pub lists: HashMap<String, &'a ListAst>,
    pub used_lists: used::UsedLists,
    /// Where each condition is written, for diagnostics about the graph.
    pub site_spans: HashMap<crate::form::Site, Span>,
    /// Regular expressions built so far, by source.
    pub patterns: HashMap<String, crate::pattern::Pattern>,
    /// The `values` entries that carry a `money` parameter (shown with two places).
    pub money_params: Vec<crate::ids::ValueId>,
}

impl<'a> Compiler<'a> {
    pub(crate) fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn form(&mut self, ast: &'a FormAst) -> Option<Form> {
        if let Some(w) = &ast.wegweiser
            && w.value != "1"
        {
            self.err(
                Diagnostic::error(codes::E0108, w.span, format!("unknown language version `{}`", w.value))
                    .with_help("this engine reads version 1: write `wegweiser: 1`"),
            );
        }
        let id = ast.id.as_ref().map(|i| i.value.clone()).unwrap_or_default();
        if let Some(i) = &ast.id
            && !is_form_id(&i.value)
        {
            self.err(
                Diagnostic::error(codes::E0105, i.span, format!("`{}` is not a valid form id", i.value))
                    .with_help("use lower-case letters, digits and `-`, starting with a letter or digit, e.g. `hundesteuer-anmeldung`"),
            );
        }
        self.languages = if ast.languages.is_empty() { vec!["de".to_string()] } else { Vec::new() };
        for l in &ast.languages {
            if !(l.value.len() == 2 && l.value.bytes().all(|b| b.is_ascii_lowercase())) {
                self.err(
                    Diagnostic::error(codes::E0108, l.span, format!("`{}` is not a language code", l.value))
                        .with_help("use two-letter ISO 639-1 codes such as `de` and `en`"),
                );
            } else if self.languages.contains(&l.value) {
                self.err(Diagnostic::error(codes::E0106, l.span, format!("the language `{}` is listed twice", l.value)));
            } else {
                self.languages.push(l.value.clone());
            }
        }
        if self.languages.is_empty() {
            self.languages.push("de".into());
        }

        for list in &ast.lists {
            if !is_field_id(&list.name.value) {
                self.err(
                    Diagnostic::error(codes::E0105, list.name.span, format!("`{}` is not a valid list name", list.name.value))
                        .with_help("use lower-case letters, digits and `_`, starting with a letter"),
                );
            }
            self.lists.insert(list.name.value.clone(), list);
        }

        // First pass: every name, so that expressions may refer forwards.
        if let Some(d) = ast.steps.get(limits::MAX_STEPS).and_then(|s| limits::steps(ast.steps.len(), s.span)) {
            self.err(d);
        }
        let steps = self.collect_steps(&ast.steps);
        self.collect_values(&ast.values);
        let parameters = self.collect_parameters(&ast.parameters, ast.values.len());
        // Computed fields and values, in dependency order, so that their types are known.
        let (computed, mut values) = self.check_calculations(&ast.values);
        // Each parameter is a `values` entry after the author's own; its expression is its
        // default, which a session replaces by the value it was created with.
        values.extend(parameters.iter().map(|p| crate::form::NamedValue {
            id: p.id.clone(),
            expr: CExpr::Lit(p.default.clone().unwrap_or_default()),
            ty: p.ty.value_type(),
        }));

        let ctx = CheckCtx::default();
        let title = ast.title.as_ref().map(|t| self.text(t, ctx)).unwrap_or_default();
        let description = ast.description.as_ref().map(|t| self.text(t, ctx));
        let authority = ast.authority.as_ref().map(|t| self.text(t, ctx));

        let mut fields = self.compile_fields(computed);
        let login = self.login(ast);
        self.prefill(login, &mut fields);
        let steps = self.compile_steps(&ast.steps, &steps);
        for (name, list) in &self.lists.clone() {
            if !self.used_lists.contains(name) {
                self.diags.push(
                    Diagnostic::warning(codes::W0403, list.name.span, format!("the list `{name}` is not used by any field"))
                        .with_help("remove it, or name it in a choice field's `options:`"),
                );
            }
        }
        let submission = self.submission(ast, &id, &fields);
        let fim = ast.fim.as_ref().map(|(s, v)| FimSchema { schema: s.value.clone(), version: v.as_ref().map(|v| v.value.clone()) });
        let mut form = Form {
            id,
            version: ast.version.as_ref().map(|v| v.value.clone()),
            languages: self.languages.clone(),
            title,
            description,
            authority,
            steps,
            fields,
            values,
            parameters,
            submission,
            fim,
            login,
            deps: Default::default(),
            field_index: Default::default(),
        };
        graph::check_graph(self, ast, &mut form);
        fim::check_fim(self, &form);
        Some(form)
    }

    fn submission(&mut self, ast: &FormAst, id: &str, fields: &[Field]) -> SubmissionConfig {
        let mut cfg = SubmissionConfig { reference: format!("{}-{{year}}-{{seq:6}}", id.to_uppercase()), channels: Vec::new() };
        if let Some(s) = &ast.submission {
            if let Some(r) = &s.reference {
                if let Err(msg) = check_reference(&r.value) {
                    self.err(
                        Diagnostic::error(codes::E0108, r.span, format!("invalid reference pattern: {msg}")).with_help(
                            "write letters, digits and `-`, with `{year}` and `{seq:N}` placeholders, e.g. `HST-{year}-{seq:6}`",
                        ),
                    );
                }
                cfg.reference = r.value.clone();
            }
            if let Some((url, secret)) = &s.webhook {
                let w = self.webhook(url, secret.as_ref());
                cfg.channels.push(Channel::Webhook(w));
            }
            if let (Some(key), Some((_, deliver))) = (s.webhook_key, &s.deliver) {
                self.err(
                    Diagnostic::error(codes::E0106, key, "`submission` has both `webhook` and `deliver`")
                        .with_label(*deliver, "the channels are listed here")
                        .with_help("move the webhook into `deliver:` as `- webhook: { url: …, secret_env: … }`"),
                );
            }
            let mut seen: Vec<(&'static str, Span)> = Vec::new();
            for c in s.deliver.iter().flat_map(|(list, _)| list) {
                let (channel, key) = match c {
                    ChannelAst::Webhook { url, secret_env, key } => (Channel::Webhook(self.webhook(url, secret_env.as_ref())), *key),
                    ChannelAst::Email { to_env, confirmation_to, key } => {
                        let confirmation_to = confirmation_to.as_ref().and_then(|f| self.confirmation_field(f, fields));
                        (Channel::Email(EmailChannel { to_env: to_env.value.clone(), confirmation_to }), *key)
                    }
                    ChannelAst::FitConnect { destination_env, leika, key } => {
                        if leika.value.len() != 14 || !leika.value.bytes().all(|b| b.is_ascii_digit()) {
                            self.err(
                                Diagnostic::error(codes::E0103, leika.span, format!("`{}` is not a LeiKa key", leika.value))
                                    .with_help("a LeiKa key has 14 digits, e.g. `99108009000000`; quote it if it starts with 0"),
                            );
                        }
                        let c = FitConnectChannel { destination_env: destination_env.value.clone(), leika: leika.value.clone() };
                        (Channel::FitConnect(c), *key)
                    }
                };
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == channel.kind()) {
                    self.err(
                        Diagnostic::error(codes::E0106, key, format!("the channel `{}` is listed twice", channel.kind()))
                            .with_label(*first, "first listed here")
                            .with_help("each channel is delivered once per submission: keep one entry"),
                    );
                    continue;
                }
                seen.push((channel.kind(), key));
                cfg.channels.push(channel);
            }
        }
        cfg
    }

    fn webhook(&mut self, url: &crate::syntax::ast::Src, secret: Option<&crate::syntax::ast::Src>) -> Webhook {
        if !(url.value.starts_with("https://") || url.value.starts_with("http://")) {
            self.err(
                Diagnostic::error(codes::E0108, url.span, "the webhook `url` must start with `https://`")
                    .with_help("the authority's receiving address, e.g. `https://fachverfahren.example.de/eingang`"),
            );
        }
        Webhook { url: url.value.clone(), secret_env: secret.map(|s| s.value.clone()) }
    }

    /// The field of `confirmation_to`: an `email` field outside repeated groups.
    fn confirmation_field(&mut self, name: &crate::syntax::ast::Src, fields: &[Field]) -> Option<FieldId> {
        let Some(i) = fields.iter().position(|f| f.id == name.value) else {
            let help = match did_you_mean(&name.value, fields.iter().filter(|f| f.ty == FieldType::Email).map(|f| f.id.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "name a field of type `email` that asks for the citizen's address".to_string(),
            };
            self.err(
                Diagnostic::error(codes::E0202, name.span, format!("`confirmation_to` names no field: `{}`", name.value)).with_help(help),
            );
            return None;
        };
        let f = &fields[i];
        if f.ty != FieldType::Email {
            self.err(
                Diagnostic::error(
                    codes::E0205,
                    name.span,
                    format!("`confirmation_to` must name an `email` field, but `{}` is not one", f.id),
                )
                .with_help("the confirmation goes to the address the citizen typed into a field of type `email`"),
            );
            return None;
        }
        if f.repeat_group.is_some() {
            self.err(
                Diagnostic::error(codes::E0208, name.span, format!("`{}` is inside a repeated group: which entry's address?", f.id))
                    .with_help("name an `email` field that is asked once"),
            );
            return None;
        }
        Some(FieldId(i as u32))
    }

    fn collect_values(&mut self, values: &[(crate::syntax::ast::Src, SrcScalar)]) {
        for (i, (name, _)) in values.iter().enumerate() {
            if !is_field_id(&name.value) {
                self.err(
                    Diagnostic::error(codes::E0105, name.span, format!("`{}` is not a valid name for a value", name.value))
                        .with_help("use lower-case letters, digits and `_`, starting with a letter or `_`"),
                );
            }
            if RESERVED.contains(&name.value.as_str()) {
                self.err(
                    Diagnostic::error(codes::E0107, name.span, format!("`{}` is a reserved word and cannot name a value", name.value))
                        .with_help("choose another name"),
                );
            }
            if self.names.map.contains_key(&name.value) {
                self.err(
                    Diagnostic::error(codes::E0106, name.span, format!("the name `{}` is already used by a field or value", name.value))
                        .with_help("fields and values share one set of names: rename one of them"),
                );
                continue;
            }
            self.names.insert(name.value.clone(), Sym::Value { id: crate::ids::ValueId(i as u32), ty: None });
        }
    }

    /// Compiles an expression written in `s`; errors are reported at their place in the file.
    pub(crate) fn expr(&mut self, s: &SrcScalar, ctx: CheckCtx, condition: bool) -> Option<(CExpr, Type)> {
        let ast = match expr::parse(s.text()) {
            Ok(a) => a,
            Err(e) => {
                self.expr_err(s, e);
                return None;
            }
        };
        let r = if condition {
            expr::check_condition(&ast, &self.names, &ctx).map(|c| (c, Type::Bool))
        } else {
            expr::check(&ast, &self.names, &ctx)
        };
        match r {
            Ok(x) => Some(x),
            Err(errs) => {
                for e in errs {
                    self.expr_err(s, e);
                }
                None
            }
        }
    }

    pub(crate) fn expr_err(&mut self, s: &SrcScalar, e: ExprError) {
        let span = self.sub_span(s, e.span);
        self.err(Diagnostic::error(e.code, span, e.message).with_help_opt(e.help));
    }

    /// The file span of characters `[a, b)` of a scalar's value.
    pub(crate) fn sub_span(&self, s: &SrcScalar, (a, b): (u32, u32)) -> Span {
        let start = s.scalar.offset_of(a);
        let end = s.scalar.end_offset_of(b.max(a + 1)).max(start + 1);
        self.index.span(start, end)
    }

    /// Compiles a text: languages, placeholders, translations.
    pub(crate) fn text(&mut self, t: &TextAst, ctx: CheckCtx) -> Text {
        let default = self.languages[0].clone();
        let mut langs: Vec<(String, crate::form::Template)> = Vec::new();
        for (lang, s) in &t.values {
            let code = if lang.value.is_empty() { default.clone() } else { lang.value.clone() };
            if !self.languages.contains(&code) {
                let help =
                    format!("the form's languages are {}; add `{code}` to `languages:` or remove this text", self.languages.join(", "));
                self.err(
                    Diagnostic::error(codes::E0108, lang.span, format!("`{code}` is not one of the form's languages")).with_help(help),
                );
                continue;
            }
            let template = self.template(s, ctx);
            langs.push((code, template));
        }
        if !langs.iter().any(|(l, _)| *l == default) && !t.values.is_empty() {
            self.err(
                Diagnostic::error(codes::E0109, t.span, format!("this text has no `{default}` version, the form's default language"))
                    .with_help(format!("add `{default}: …`")),
            );
        }
        let missing: Vec<&String> = self.languages.iter().filter(|l| !langs.iter().any(|(x, _)| x == *l)).collect();
        if !missing.is_empty() && langs.iter().any(|(l, _)| *l == default) {
            let list = missing.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ");
            self.diags.push(
                Diagnostic::warning(codes::W0402, t.span, format!("this text has no translation for {list}")).with_help(format!(
                    "citizens who chose {list} read the `{default}` text; write `{{ {default}: …, {}: … }}`",
                    missing[0]
                )),
            );
        }
        // The default language first, so a fallback is always `langs[0]`.
        langs.sort_by_key(|(l, _)| self.languages.iter().position(|x| x == l));
        Text { langs }
    }

    fn template(&mut self, s: &SrcScalar, ctx: CheckCtx) -> crate::form::Template {
        let parts = match expr::parse_template(s.text()) {
            Ok(p) => p,
            Err(e) => {
                self.expr_err(s, e);
                return vec![TPart::Lit(s.text().to_string())];
            }
        };
        let mut out = Vec::new();
        for p in parts {
            match p {
                expr::TemplatePart::Text(t) => out.push(TPart::Lit(t)),
                expr::TemplatePart::Expr { expr: e, .. } => match expr::check(&e, &self.names, &ctx) {
                    Ok((c, ty)) => {
                        if ty == Type::Group {
                            self.err(
                                Diagnostic::error(codes::E0208, self.sub_span(s, e.span), "a group cannot be shown in a text")
                                    .with_help("show a member, or `count(group)`"),
                            );
                        }
                        let display = self.display_of(&c);
                        out.push(TPart::Expr(c, display));
                    }
                    Err(errs) => {
                        for err in errs {
                            self.expr_err(s, err);
                        }
                    }
                },
            }
        }
        out
    }

    fn display_of(&self, c: &CExpr) -> Display {
        let id = match c {
            CExpr::Field(id) | CExpr::Member(id) => *id,
            // A money parameter reads like a money field: `{{ satz_erster }}` is `90,00`.
            CExpr::Value(v) => {
                return if self.money_params.contains(v) { Display::Money } else { Display::Plain };
            }
            _ => return Display::Plain,
        };
        let slot = &self.fields[id.ix()];
        match slot.ty {
            Some(FieldType::Choice | FieldType::MultiChoice) => Display::Choice(id),
            Some(FieldType::Money) => Display::Money,
            Some(FieldType::Computed) if slot.ast.format.as_ref().is_some_and(|f| f.value == "money") => Display::Money,
            _ => Display::Plain,
        }
    }

    /// Resolves a list name, reporting an unknown one.
    pub(crate) fn list(&mut self, name: &crate::syntax::ast::Src) -> Option<&'a ListAst> {
        match self.lists.get(&name.value) {
            Some(l) => {
                self.used_lists.mark(&name.value);
                Some(*l)
            }
            None => {
                let suggestion = did_you_mean(&name.value, self.lists.keys().map(String::as_str));
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if self.lists.is_empty() => "define it under `lists:` at the top of the form".to_string(),
                    None => format!("the lists are: {}", self.lists.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
                };
                self.err(Diagnostic::error(codes::E0305, name.span, format!("unknown list `{}`", name.value)).with_help(help));
                None
            }
        }
    }
}

/// Checks a reference pattern: text with `{year}` and `{seq:N}` (N from 1 to 12).
fn check_reference(p: &str) -> Result<(), String> {
    let mut rest = p;
    let mut has_seq = false;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else { return Err("a `{` is not closed".into()) };
        let ph = &after[..j];
        if ph == "year" {
        } else if let Some(n) = ph.strip_prefix("seq:") {
            match n.parse::<u32>() {
                Ok(1..=12) => has_seq = true,
                _ => return Err(format!("`{{{ph}}}` needs a width from 1 to 12, e.g. `{{seq:6}}`")),
            }
        } else if ph == "seq" {
            has_seq = true;
        } else {
            return Err(format!("unknown placeholder `{{{ph}}}`; use `{{year}}` and `{{seq:N}}`"));
        }
        rest = &after[j + 1..];
    }
    if !has_seq {
        return Err("it needs `{seq:N}` so that every submission gets its own number".into());
    }
    Ok(())
}
