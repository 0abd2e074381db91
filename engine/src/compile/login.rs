//! `login:` and the fields' `prefill:` / `locked:`: the login mode and trust level must be
//! known names, a field names an attribute of the one vocabulary (`account::ATTRIBUTES`,
//! with "did you mean") that fits its type, outside repeated groups, and `locked` needs
//! `prefill`.

use super::Compiler;
use crate::account::{ATTRIBUTES, Login, LoginMode, TrustLevel, attribute};
use crate::diag::{Diagnostic, codes, did_you_mean};
use crate::form::Field;
use crate::syntax::ast::FormAst;

impl Compiler<'_> {
    /// The form's `login:`.
    pub(super) fn login(&mut self, ast: &FormAst) -> Login {
        let mut login = Login::default();
        let Some(l) = &ast.login else { return login };
        if let Some(m) = &l.mode {
            match LoginMode::parse(&m.value) {
                Some(mode) => login.mode = mode,
                None => {
                    let help = match did_you_mean(&m.value, LoginMode::NAMES) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "write `none`, `optional` or `required`".to_string(),
                    };
                    self.err(Diagnostic::error(codes::E0108, m.span, format!("unknown login mode `{}`", m.value)).with_help(help));
                }
            }
        }
        if let Some(t) = &l.trust {
            match TrustLevel::parse(&t.value) {
                Some(level) => login.trust = Some(level),
                None => {
                    let help = match did_you_mean(&t.value, TrustLevel::ALL.map(TrustLevel::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "the levels are `basis`, `substantiell` and `hoch` (eIDAS low, substantial, high)".to_string(),
                    };
                    self.err(Diagnostic::error(codes::E0108, t.span, format!("unknown trust level `{}`", t.value)).with_help(help));
                }
            }
        }
        login
    }

    /// Each field's `prefill:` and `locked:`, checked and copied into the compiled fields.
    pub(super) fn prefill(&mut self, login: Login, fields: &mut [Field]) {
        for (i, field) in fields.iter_mut().enumerate() {
            let a = self.fields[i].ast;
            let ty = field.ty;
            if let Some(p) = &a.prefill {
                match attribute(&p.value) {
                    None => {
                        let help = match did_you_mean(&p.value, ATTRIBUTES.iter().map(|a| a.name)) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("the attributes are: {}", ATTRIBUTES.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")),
                        };
                        self.err(
                            Diagnostic::error(codes::E0801, p.span, format!("unknown account attribute `{}`", p.value)).with_help(help),
                        );
                    }
                    Some(attr) if !attr.types.contains(&ty) => {
                        self.err(
                            Diagnostic::error(codes::E0802, p.span, format!("the attribute `{}` cannot fill a `{ty}` field", attr.name))
                                .with_help(format!(
                                    "`{}` fills a field of type: {}",
                                    attr.name,
                                    attr.types.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
                                )),
                        );
                    }
                    Some(_) if field.repeat_group.is_some() => {
                        self.err(
                            Diagnostic::error(codes::E0802, p.span, "a field in a repeated group cannot be prefilled")
                                .with_help("the account has one value per attribute: move the field out of the repeated group"),
                        );
                    }
                    Some(attr) => {
                        field.prefill = Some(attr.name.to_string());
                        if login.mode == LoginMode::None {
                            self.diags.push(
                                Diagnostic::warning(codes::W0804, p.span, "this form offers no login, so `prefill` never fills the field")
                                    .with_help("add `login: { mode: optional }` (or `required`) to the form"),
                            );
                        }
                    }
                }
            }
            if let Some((locked, span)) = a.locked {
                if locked && a.prefill.is_none() {
                    self.err(
                        Diagnostic::error(codes::E0803, span, "`locked` needs `prefill`")
                            .with_help("name the account attribute that fills the field, e.g. `prefill: family_name`"),
                    );
                }
                field.locked = locked && field.prefill.is_some();
            }
        }
    }
}
