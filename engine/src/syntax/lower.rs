//! Lowers the positioned YAML tree into the [`FormAst`], checking every map against the
//! key table (unknown keys with "did you mean", missing keys, keys that do not apply to a
//! field's type) and the shape of every value. Collects all diagnostics.

use super::ast::*;
use super::keys::{self, KeyDef, Shape};
use crate::diag::codes;
use crate::diag::{Diagnostic, Span, did_you_mean};
use crate::field_type::FieldType;
use crate::source::{CoreType, Node, NodeKind, Scalar};

/// Lowers a form file's tree. Returns the syntax tree (as complete as the errors allow)
/// and the diagnostics found on the way.
pub fn lower(root: &Node) -> (FormAst, Vec<Diagnostic>) {
    let mut l = Lowerer { diags: Vec::new() };
    let form = l.form(root);
    (form, l.diags)
}

struct Lowerer {
    diags: Vec<Diagnostic>,
}

/// The entries of a map that passed the key check.
struct Entries<'n> {
    entries: Vec<(&'static KeyDef, &'n Node, &'n Node)>,
}

impl<'n> Entries<'n> {
    fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(k, _, _)| k.name == name).map(|(_, _, v)| *v)
    }

    fn entry(&self, name: &str) -> Option<(&'static KeyDef, &'n Node)> {
        self.entries.iter().find(|(k, _, _)| k.name == name).map(|(d, _, v)| (*d, *v))
    }

    fn key_span(&self, name: &str) -> Option<Span> {
        self.entries.iter().find(|(k, _, _)| k.name == name).map(|(_, k, _)| k.span)
    }
}

/// A key's value, read by the shape the key table declares for it ([`KeyDef::shape`],
/// [`Lowerer::read`]): the lowering never picks a reader of its own, so what the table (and
/// with it the reference and the editor schema) says a key takes is what the lowering
/// accepts. Shapes with a structure of their own are read by the caller from the node.
enum Read {
    /// The key is not in the map.
    Missing,
    /// `Shape::Text`.
    Text(Option<TextAst>),
    /// `Shape::Id`, `Shape::Str`, `Shape::Size`.
    Str(Option<Src>),
    /// `Shape::Expr`, `Shape::Cond`, `Shape::Regex`: the scalar with its characters' positions.
    Expr(Option<SrcScalar>),
    /// `Shape::UInt`.
    UInt(Option<(u32, Span)>),
    /// `Shape::Bool`.
    Bool(bool),
    /// `Shape::StrList`.
    List(Vec<Src>),
    /// `Nested`, `ListOf`, `MapOf`, `Next`, `Options`, `Any`.
    Structure,
}

impl Read {
    /// A read of the wrong shape is a mistake in this file, never in a form: the same key
    /// always has the same shape. Tests (debug builds) stop on it; a release build treats
    /// the key as absent.
    fn wrong<T>(&self, wanted: &str) -> Option<T> {
        debug_assert!(matches!(self, Read::Missing), "a key of another shape read as {wanted}");
        None
    }

    fn text(self) -> Option<TextAst> {
        match self {
            Read::Text(t) => t,
            other => other.wrong("text"),
        }
    }

    fn str(self) -> Option<Src> {
        match self {
            Read::Str(t) => t,
            other => other.wrong("a string"),
        }
    }

    fn expr(self) -> Option<SrcScalar> {
        match self {
            Read::Expr(t) => t,
            other => other.wrong("an expression"),
        }
    }

    fn uint(self) -> Option<(u32, Span)> {
        match self {
            Read::UInt(t) => t,
            other => other.wrong("a whole number"),
        }
    }

    fn boolean(self) -> bool {
        match self {
            Read::Bool(b) => b,
            other => other.wrong::<()>("true/false").is_some(),
        }
    }

    fn list(self) -> Vec<Src> {
        match self {
            Read::List(l) => l,
            other => other.wrong::<Vec<Src>>("a list").unwrap_or_default(),
        }
    }
}

fn src(value: impl Into<String>, span: Span) -> Src {
    Src { value: value.into(), span }
}

impl Lowerer {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Reads a key's value by the shape its [`KeyDef`] declares.
    fn read(&mut self, def: &KeyDef, v: &Node) -> Read {
        let before = self.diags.len();
        let read = self.read_shape(def, v);
        // A value of the wrong shape: the table's sentence on the key says what it takes
        // (`wegweiser: eins` → "Language version; always `1`.").
        for d in &mut self.diags[before..] {
            if d.help.is_none() {
                d.help = Some(format!("`{}`: {}", def.name, def.doc));
            }
        }
        read
    }

    fn read_shape(&mut self, def: &KeyDef, v: &Node) -> Read {
        match def.shape {
            Shape::Text => Read::Text(self.text(v, def.name)),
            Shape::Id | Shape::Str | Shape::Size => Read::Str(self.string(v, def.name)),
            Shape::Expr | Shape::Cond | Shape::Regex => Read::Expr(self.scalar(v, def.name)),
            Shape::UInt => Read::UInt(self.uint(v, def.name)),
            Shape::Bool => Read::Bool(self.boolean(v, def.name)),
            Shape::StrList => Read::List(self.str_list(v, def.name)),
            Shape::Any | Shape::Nested(_) | Shape::ListOf(_) | Shape::MapOf(_) | Shape::Next | Shape::Options => Read::Structure,
        }
    }

    /// [`Lowerer::read`] of the key `name` of a checked map ([`Read::Missing`] without it).
    fn key(&mut self, e: &Entries<'_>, name: &str) -> Read {
        match e.entry(name) {
            Some((def, v)) => self.read(def, v),
            None => Read::Missing,
        }
    }

    /// Checks a map's keys against `table`; `what` names the map in messages ("a step").
    fn map<'n>(&mut self, node: &'n Node, table: &'static [KeyDef], what: &str) -> Option<Entries<'n>> {
        let NodeKind::Map(pairs) = &node.kind else {
            self.err(
                Diagnostic::error(
                    codes::E0103,
                    node.span,
                    format!("{what} must be a map of `key: value` pairs, but this is {}", node.describe()),
                )
                .with_help(format!("write {what} as indented `key: value` lines, e.g. `{}: …`", table[0].name)),
            );
            return None;
        };
        let mut entries = Vec::new();
        for (k, v) in pairs {
            let Some(name) = k.as_str() else {
                self.err(Diagnostic::error(codes::E0103, k.span, "a key must be a plain word"));
                continue;
            };
            match table.iter().find(|d| d.name == name) {
                Some(def) => entries.push((def, k, v)),
                None => {
                    let suggestion = did_you_mean(name, table.iter().map(|d| d.name));
                    let help = match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("{what} accepts: {}", table.iter().map(|d| format!("`{}`", d.name)).collect::<Vec<_>>().join(", ")),
                    };
                    self.err(Diagnostic::error(codes::E0101, k.span, format!("unknown key `{name}` in {what}")).with_help(help));
                }
            }
        }
        for def in table.iter().filter(|d| d.required) {
            if !entries.iter().any(|(d, _, _)| d.name == def.name) {
                self.err(
                    Diagnostic::error(codes::E0102, head_span(node), format!("{what} needs the key `{}`", def.name))
                        .with_help(format!("add `{}: …` — {}", def.name, def.doc)),
                );
            }
        }
        Some(Entries { entries })
    }

    fn string(&mut self, node: &Node, key: &str) -> Option<Src> {
        match &node.kind {
            NodeKind::Scalar(s) if s.core_type() != CoreType::Null => Some(src(s.value.clone(), node.span)),
            _ => {
                self.err(Diagnostic::error(codes::E0103, node.span, format!("`{key}` must be a text, but this is {}", node.describe())));
                None
            }
        }
    }

    fn scalar(&mut self, node: &Node, key: &str) -> Option<SrcScalar> {
        match &node.kind {
            NodeKind::Scalar(s) if s.core_type() != CoreType::Null => Some(SrcScalar { scalar: s.clone(), span: node.span }),
            _ => {
                self.err(
                    Diagnostic::error(codes::E0103, node.span, format!("`{key}` must be an expression, but this is {}", node.describe()))
                        .with_help("write the expression on one line, e.g. `alter >= 18`, quoted if it contains `: ` or `#`"),
                );
                None
            }
        }
    }

    fn uint(&mut self, node: &Node, key: &str) -> Option<(u32, Span)> {
        if let Some(s) = node.as_scalar()
            && s.core_type() == CoreType::Number
            && let Ok(n) = s.value.parse::<u32>()
        {
            return Some((n, node.span));
        }
        self.err(Diagnostic::error(
            codes::E0103,
            node.span,
            format!("`{key}` must be a whole number like `5`, but this is {}", node.describe()),
        ));
        None
    }

    fn boolean(&mut self, node: &Node, key: &str) -> bool {
        match node.as_scalar().map(Scalar::core_type) {
            Some(CoreType::Bool(b)) => b,
            _ => {
                self.err(Diagnostic::error(
                    codes::E0103,
                    node.span,
                    format!("`{key}` must be `true` or `false`, but this is {}", node.describe()),
                ));
                false
            }
        }
    }

    fn str_list(&mut self, node: &Node, key: &str) -> Vec<Src> {
        match &node.kind {
            NodeKind::Seq(items) => items.iter().filter_map(|i| self.string(i, key)).collect(),
            _ => {
                self.err(
                    Diagnostic::error(codes::E0103, node.span, format!("`{key}` must be a list, but this is {}", node.describe()))
                        .with_help(format!("write it as `{key}: [a, b]`")),
                );
                Vec::new()
            }
        }
    }

    fn seq<'n>(&mut self, node: &'n Node, key: &str) -> &'n [Node] {
        match &node.kind {
            NodeKind::Seq(items) => items,
            _ if node.is_null() => &[],
            _ => {
                self.err(
                    Diagnostic::error(codes::E0103, node.span, format!("`{key}` must be a list, but this is {}", node.describe()))
                        .with_help("start each entry on its own line with `- `"),
                );
                &[]
            }
        }
    }

    fn text(&mut self, node: &Node, key: &str) -> Option<TextAst> {
        match &node.kind {
            NodeKind::Scalar(s) if s.core_type() != CoreType::Null => {
                Some(TextAst { values: vec![(src("", node.span), SrcScalar { scalar: s.clone(), span: node.span })], span: node.span })
            }
            NodeKind::Map(pairs) => {
                let mut values = Vec::new();
                for (k, v) in pairs {
                    let lang = k.as_str().unwrap_or_default().to_string();
                    match v.as_scalar() {
                        Some(s) if s.core_type() != CoreType::Null => {
                            values.push((src(lang, k.span), SrcScalar { scalar: s.clone(), span: v.span }))
                        }
                        _ => self.err(Diagnostic::error(codes::E0103, v.span, format!("the `{lang}` text of `{key}` must be a text"))),
                    }
                }
                Some(TextAst { values, span: node.span })
            }
            _ => {
                self.err(
                    Diagnostic::error(codes::E0103, node.span, format!("`{key}` must be a text, but this is {}", node.describe()))
                        .with_help("write a text, or one text per language: `{ de: …, en: … }`"),
                );
                None
            }
        }
    }

    fn form(&mut self, root: &Node) -> FormAst {
        let mut f = FormAst {
            wegweiser: None,
            id: None,
            version: None,
            languages: Vec::new(),
            title: None,
            description: None,
            authority: None,
            lists: Vec::new(),
            values: Vec::new(),
            parameters: Vec::new(),
            steps: Vec::new(),
            submission: None,
            fim: None,
            login: None,
            span: root.span,
        };
        let Some(e) = self.map(root, keys::FORM, "the form") else { return f };
        for (def, k, v) in &e.entries {
            match def.name {
                "wegweiser" => f.wegweiser = self.read(def, v).uint().map(|(n, span)| src(n.to_string(), span)),
                "id" => f.id = self.read(def, v).str(),
                "version" => f.version = self.read(def, v).str(),
                "languages" => f.languages = self.read(def, v).list(),
                "title" => f.title = self.read(def, v).text(),
                "description" => f.description = self.read(def, v).text(),
                "authority" => f.authority = self.read(def, v).text(),
                "lists" => f.lists = self.lists(v),
                "values" => f.values = self.values(v),
                "parameters" => f.parameters = self.parameters(v),
                "steps" => {
                    let items = self.seq(v, "steps");
                    if items.is_empty() {
                        self.err(
                            Diagnostic::error(codes::E0102, k.span, "the form has no steps")
                                .with_help("add at least one step with `- id: …`"),
                        );
                    }
                    f.steps = items.iter().map(|s| self.step(s)).collect();
                }
                "submission" => f.submission = self.submission(v),
                "fim" => {
                    if let Some(m) = self.map(v, keys::FIM_SCHEMA, "`fim`") {
                        let schema = self.key(&m, "schema").str();
                        let version = self.key(&m, "version").str();
                        f.fim = schema.map(|s| (s, version));
                    }
                }
                "login" => {
                    if let Some(m) = self.map(v, keys::LOGIN, "`login`") {
                        let mode = self.key(&m, "mode").str();
                        let trust = self.key(&m, "trust").str();
                        f.login = Some(LoginAst { mode, trust, span: v.span });
                    }
                }
                _ => {}
            }
        }
        f
    }

    fn lists(&mut self, node: &Node) -> Vec<ListAst> {
        let NodeKind::Map(pairs) = &node.kind else {
            self.err(
                Diagnostic::error(codes::E0103, node.span, "`lists` must be a map from list names to option lists")
                    .with_help("write `lists:` and below it `name:` followed by the options"),
            );
            return Vec::new();
        };
        pairs
            .iter()
            .filter_map(|(k, v)| {
                let name = self.string(k, "list name")?;
                let options = self.option_list(v);
                Some(ListAst { name, options })
            })
            .collect()
    }

    fn values(&mut self, node: &Node) -> Vec<(Src, SrcScalar)> {
        let NodeKind::Map(pairs) = &node.kind else {
            self.err(
                Diagnostic::error(codes::E0103, node.span, "`values` must be a map from names to expressions")
                    .with_help("e.g. `values: { grundbetrag: 96 }`"),
            );
            return Vec::new();
        };
        pairs.iter().filter_map(|(k, v)| Some((self.string(k, "value name")?, self.scalar(v, "values")?))).collect()
    }

    fn parameters(&mut self, node: &Node) -> Vec<ParameterAst> {
        let NodeKind::Map(pairs) = &node.kind else {
            self.err(
                Diagnostic::error(codes::E0103, node.span, "`parameters` must be a map from names to declarations")
                    .with_help("e.g. `parameters: { satz_erster: { type: money, default: 90 } }`"),
            );
            return Vec::new();
        };
        pairs
            .iter()
            .filter_map(|(k, v)| {
                let name = self.string(k, "parameter name")?;
                let e = self.map(v, keys::PARAMETER, "a parameter")?;
                Some(ParameterAst {
                    name,
                    ty: self.key(&e, "type").str(),
                    default: e.get("default").cloned(),
                    options: e.get("options").and_then(|n| match &n.kind {
                        NodeKind::Scalar(_) => self.string(n, "options").map(OptionsAst::Named),
                        _ => Some(OptionsAst::Inline(self.option_list(n))),
                    }),
                    label: self.key(&e, "label").text(),
                    description: self.key(&e, "description").text(),
                    span: v.span,
                })
            })
            .collect()
    }

    fn option_list(&mut self, node: &Node) -> Vec<OptionAst> {
        let items = self.seq(node, "options");
        items
            .iter()
            .filter_map(|o| {
                let e = self.map(o, keys::OPTION, "an option")?;
                Some(OptionAst {
                    value: self.key(&e, "value").str().unwrap_or_else(|| src("", o.span)),
                    label: self.key(&e, "label").text(),
                    hint: self.key(&e, "hint").text(),
                    cond: self.key(&e, "if").expr(),
                    span: o.span,
                })
            })
            .collect()
    }

    fn step(&mut self, node: &Node) -> StepAst {
        let mut s = StepAst {
            id: None,
            title: None,
            text: None,
            section: None,
            kind: None,
            when: None,
            fields: Vec::new(),
            fields_key: None,
            rules: Vec::new(),
            rules_key: None,
            next: None,
            next_key: None,
            span: node.span,
        };
        let Some(e) = self.map(node, keys::STEP, "a step") else { return s };
        for (def, k, v) in &e.entries {
            match def.name {
                "id" => s.id = self.read(def, v).str(),
                "title" => s.title = self.read(def, v).text(),
                "text" => s.text = self.read(def, v).text(),
                "section" => s.section = self.read(def, v).text(),
                "kind" => s.kind = self.read(def, v).str(),
                "when" => s.when = self.read(def, v).expr(),
                "fields" => {
                    s.fields_key = Some(k.span);
                    s.fields = self.seq(v, "fields").iter().map(|f| self.field(f)).collect();
                }
                "rules" => {
                    s.rules_key = Some(k.span);
                    s.rules = self.rules(v);
                }
                "next" => {
                    s.next_key = Some(k.span);
                    s.next = self.next(v);
                }
                _ => {}
            }
        }
        s
    }

    fn next(&mut self, node: &Node) -> Option<NextAst> {
        match &node.kind {
            NodeKind::Scalar(_) => self.string(node, "next").map(NextAst::Goto),
            NodeKind::Seq(items) => Some(NextAst::Branches(
                items
                    .iter()
                    .filter_map(|b| {
                        let e = self.map(b, keys::BRANCH, "a `next` branch")?;
                        Some(BranchAst { cond: self.key(&e, "if").expr(), goto: self.key(&e, "goto").str(), span: b.span })
                    })
                    .collect(),
            )),
            NodeKind::Map(_) => {
                self.err(
                    Diagnostic::error(codes::E0103, node.span, "`next` must be a step id or a list of branches")
                        .with_help("write `next: step-id`, or a list: `- { if: …, goto: … }` ending in `- goto: …`"),
                );
                None
            }
        }
    }

    fn rules(&mut self, node: &Node) -> Vec<RuleAst> {
        self.seq(node, "rules")
            .iter()
            .filter_map(|r| {
                let e = self.map(r, keys::RULE, "a rule")?;
                Some(RuleAst {
                    check: self.key(&e, "check").expr(),
                    message: self.key(&e, "message").text(),
                    when_empty: self.key(&e, "when_empty").boolean(),
                    field: self.key(&e, "field").str(),
                    span: r.span,
                })
            })
            .collect()
    }

    fn field(&mut self, node: &Node) -> FieldAst {
        let mut f = FieldAst {
            id: None,
            ty: None,
            label: None,
            hint: None,
            required: None,
            visible_if: None,
            min: None,
            max: None,
            min_length: None,
            max_length: None,
            pattern: None,
            options: None,
            display: None,
            default: None,
            value: None,
            rules: Vec::new(),
            messages: Vec::new(),
            autocomplete: None,
            fields: Vec::new(),
            repeat: None,
            accept: Vec::new(),
            max_size: None,
            decimals: None,
            allow_test_ids: false,
            format: None,
            text: None,
            fim: None,
            prefill: None,
            locked: None,
            span: node.span,
        };
        let Some(e) = self.map(node, keys::FIELD, "a field") else { return f };
        f.ty = self.key(&e, "type").str();
        let ty = f.ty.as_ref().and_then(|t| FieldType::parse(&t.value));
        if let Some(t) = &f.ty
            && ty.is_none()
        {
            let help = match did_you_mean(&t.value, FieldType::names()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the field types are: {}", FieldType::names().collect::<Vec<_>>().join(", ")),
            };
            self.err(Diagnostic::error(codes::E0108, t.span, format!("unknown field type `{}`", t.value)).with_help(help));
        }
        for (def, k, v) in &e.entries {
            if let Some(ty) = ty
                && !def.applies_to(ty)
            {
                let hint = if def.name == "default" && matches!(ty, FieldType::Consent | FieldType::File) {
                    if ty == FieldType::Consent {
                        "a pre-ticked consent is no consent: the citizen must tick it".to_string()
                    } else {
                        "a file cannot have a default".to_string()
                    }
                } else {
                    format!("`{}` applies to: {}", def.name, def.type_names().join(", "))
                };
                self.err(
                    Diagnostic::error(codes::E0104, k.span, format!("`{}` does not apply to a `{ty}` field", def.name)).with_help(hint),
                );
                continue;
            }
            match def.name {
                "id" => f.id = self.read(def, v).str(),
                "label" => f.label = self.read(def, v).text(),
                "hint" => f.hint = self.read(def, v).text(),
                "required" => f.required = self.read(def, v).expr(),
                "visible_if" => f.visible_if = self.read(def, v).expr(),
                "min" => f.min = self.read(def, v).expr(),
                "max" => f.max = self.read(def, v).expr(),
                "min_length" => f.min_length = self.read(def, v).uint(),
                "max_length" => f.max_length = self.read(def, v).uint(),
                "pattern" => f.pattern = self.read(def, v).expr(),
                "options" => {
                    f.options = match &v.kind {
                        NodeKind::Scalar(_) => self.string(v, "options").map(OptionsAst::Named),
                        _ => Some(OptionsAst::Inline(self.option_list(v))),
                    }
                }
                "display" => f.display = self.read(def, v).str(),
                "default" => f.default = Some((*v).clone()),
                "value" => f.value = self.read(def, v).expr(),
                "rules" => f.rules = self.rules(v),
                "messages" => {
                    if let NodeKind::Map(pairs) = &v.kind {
                        for (mk, mv) in pairs {
                            if let (Some(code), Some(text)) = (self.string(mk, "messages"), self.text(mv, "messages")) {
                                f.messages.push((code, text));
                            }
                        }
                    } else {
                        self.err(
                            Diagnostic::error(codes::E0103, v.span, "`messages` must be a map from check codes to texts")
                                .with_help("e.g. `messages: { required: Bitte geben Sie Ihren Namen an. }`"),
                        );
                    }
                }
                "autocomplete" => f.autocomplete = self.read(def, v).str(),
                "fields" => f.fields = self.seq(v, "fields").iter().map(|m| self.field(m)).collect(),
                "repeat" => {
                    if let Some(r) = self.map(v, keys::REPEAT, "`repeat`") {
                        f.repeat = Some(RepeatAst {
                            min: self.key(&r, "min").uint(),
                            max: self.key(&r, "max").uint(),
                            add_label: self.key(&r, "add_label").text(),
                            span: v.span,
                        });
                    }
                }
                "accept" => f.accept = self.read(def, v).list(),
                "max_size" => f.max_size = self.read(def, v).str(),
                "decimals" => f.decimals = self.read(def, v).uint(),
                "allow_test_ids" => f.allow_test_ids = self.read(def, v).boolean(),
                "format" => f.format = self.read(def, v).str(),
                "text" => f.text = self.read(def, v).text(),
                "fim" => f.fim = self.read(def, v).str(),
                "prefill" => f.prefill = self.read(def, v).str(),
                "locked" => f.locked = Some((self.read(def, v).boolean(), k.span)),
                _ => {}
            }
        }
        if ty == Some(FieldType::Group) && f.fields.is_empty() {
            self.err(
                Diagnostic::error(codes::E0102, head_span(node), "a group needs members under `fields:`")
                    .with_help("add `fields:` with at least one field"),
            );
        }
        if ty == Some(FieldType::Computed) && f.value.is_none() {
            self.err(
                Diagnostic::error(codes::E0102, head_span(node), "a computed field needs `value:`")
                    .with_help("add `value: …` with the calculation"),
            );
        }
        if matches!(ty, Some(FieldType::Choice | FieldType::MultiChoice)) && f.options.is_none() {
            self.err(
                Diagnostic::error(codes::E0102, head_span(node), "a choice field needs `options:`")
                    .with_help("add `options:` with a list of `{ value, label }`, or the name of a list under `lists:`"),
            );
        }
        if ty == Some(FieldType::Info) && f.text.is_none() && f.label.is_none() {
            self.err(
                Diagnostic::error(codes::E0102, head_span(node), "an info field needs `text:`")
                    .with_help("add `text: …` with what the citizen should read"),
            );
        }
        f
    }

    fn submission(&mut self, node: &Node) -> Option<SubmissionAst> {
        let e = self.map(node, keys::SUBMISSION, "`submission`")?;
        let reference = self.key(&e, "reference").str();
        let webhook = e.get("webhook").and_then(|w| self.webhook(w));
        let webhook_key = e.key_span("webhook");
        let deliver = e.get("deliver").map(|d| {
            let channels = self.seq(d, "deliver").iter().filter_map(|c| self.channel(c)).collect();
            (channels, e.key_span("deliver").unwrap_or(d.span))
        });
        Some(SubmissionAst { reference, webhook, webhook_key, deliver })
    }

    fn webhook(&mut self, node: &Node) -> Option<(Src, Option<Src>)> {
        let m = self.map(node, keys::WEBHOOK, "`webhook`")?;
        let url = self.key(&m, "url").str()?;
        Some((url, self.key(&m, "secret_env").str()))
    }

    /// One entry of `deliver`: a map with exactly one key, the channel.
    fn channel(&mut self, node: &Node) -> Option<ChannelAst> {
        let e = self.map(node, keys::CHANNEL, "a delivery channel")?;
        if e.entries.len() != 1 {
            // Unknown keys were reported by `map`; an entry with none left names no channel.
            if e.entries.len() > 1 || matches!(&node.kind, NodeKind::Map(p) if p.is_empty()) {
                self.err(
                    Diagnostic::error(codes::E0103, node.span, "each entry of `deliver` names exactly one channel")
                        .with_help("write one list entry per channel, e.g. `- webhook: { url: … }` and `- email: { to_env: … }`"),
                );
            }
            return None;
        }
        let (def, k, v) = e.entries[0];
        match def.name {
            "webhook" => {
                let (url, secret_env) = self.webhook(v)?;
                Some(ChannelAst::Webhook { url, secret_env, key: k.span })
            }
            "email" => {
                let m = self.map(v, keys::EMAIL, "an `email` channel")?;
                let to_env = self.key(&m, "to_env").str()?;
                let confirmation_to = self.key(&m, "confirmation_to").str();
                Some(ChannelAst::Email { to_env, confirmation_to, key: k.span })
            }
            _ => {
                let m = self.map(v, keys::FITCONNECT, "a `fitconnect` channel")?;
                let destination_env = self.key(&m, "destination_env").str();
                let leika = self.key(&m, "leika").str();
                Some(ChannelAst::FitConnect { destination_env: destination_env?, leika: leika?, key: k.span })
            }
        }
    }
}

/// The span of a map's first key, so that "missing key" points at the start of the
/// entry rather than underlining the whole block.
fn head_span(node: &Node) -> Span {
    match &node.kind {
        NodeKind::Map(pairs) if !pairs.is_empty() => {
            let (k, v) = &pairs[0];
            if k.span.start.line == v.span.end.line { Span { start: k.span.start, end: v.span.end } } else { k.span }
        }
        _ => node.span,
    }
}

/// The keys a map of shape `table` takes, for suggestions elsewhere.
pub fn key_names(table: &'static [KeyDef]) -> impl Iterator<Item = &'static str> {
    table.iter().map(|d| d.name)
}

#[cfg(test)]
mod tests {
    /// A value of the wrong shape is an E0103 whose help is the key table's sentence on the
    /// key, so `wegweiser: eins` still says which version to write.
    #[test]
    fn a_value_of_the_wrong_shape_gets_the_keys_sentence_as_help() {
        let c = crate::compile("wegweiser: eins\nid: t\ntitle: T\nsteps:\n  - id: s\n    fields:\n      - { id: n, type: text, max_length: viele }\n");
        let helps: Vec<(&str, Option<&str>)> = c.diagnostics.iter().map(|d| (d.code, d.help.as_deref())).collect();
        assert_eq!(
            helps,
            [
                ("E0103", Some("`wegweiser`: Language version; always `1`.")),
                ("E0103", Some("`max_length`: Most characters (default 500, `textarea` 5,000).")),
            ]
        );
    }
}
