//! Answers from a login ([`Session::prefill`]): each field with `prefill:` takes the
//! account's value of its attribute, marked as from the account; a `locked` field keeps it
//! (every later answer to it is refused, and [`Session::answer_step`] does not read it).
//! The submission document names the answers that still hold the account's value and the
//! login's trust level.

use crate::account::{AccountMark, AccountValues, TrustLevel};
use crate::answers::Input;
use crate::ids::FieldId;

use super::{Instance, Session};

impl Session<'_> {
    /// Fills every field whose `prefill:` attribute the account has, as an answer, and
    /// remembers the login's trust level. Fields in repeated groups are never prefilled (the
    /// compiler refuses it). Replaces an earlier answer; returns the paths it filled.
    pub fn prefill(&mut self, account: &AccountValues) -> Vec<String> {
        let form = self.form;
        let mut mark = AccountMark { trust: account.trust, fields: Default::default() };
        let mut filled = Vec::new();
        for (i, field) in form.fields.iter().enumerate() {
            let Some(attr) = &field.prefill else { continue };
            let Some(value) = account.values.get(attr).filter(|v| !v.trim().is_empty()) else { continue };
            if field.repeat_group.is_some() || !field.ty.is_input() {
                continue;
            }
            let inst = Instance { field: FieldId(i as u32), entry: None };
            // A date as the citizen would type it in the form's language (the account
            // gives `YYYY-MM-DD`).
            let value = match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(d) if field.ty == crate::form::FieldType::Date && self.lang == "de" => d.format("%d.%m.%Y").to_string(),
                Ok(d) if field.ty == crate::form::FieldType::Date && self.lang == "en" => d.format("%d/%m/%Y").to_string(),
                _ => value.clone(),
            };
            self.store(inst, Some(Input::Text(value.clone())));
            let path = super::paths::path_of(form, inst);
            mark.fields.insert(path.clone(), value.clone());
            filled.push(path);
        }
        self.account = Some(mark);
        self.state.clear();
        self.recompute_path();
        filled
    }

    /// The trust level of the login this session was filled in with, if any.
    pub fn account_trust(&self) -> Option<TrustLevel> {
        self.account.as_ref().and_then(|a| a.trust)
    }

    /// Whether the session was filled in after a login.
    pub fn has_account(&self) -> bool {
        self.account.is_some()
    }

    /// Whether the answer at `path` is the value the account gave (the page and the
    /// summary mark it "aus Ihrem Konto").
    pub fn from_account(&self, path: &str) -> bool {
        let Some(a) = &self.account else { return false };
        match (a.fields.get(path), self.answers.get(path)) {
            (Some(v), Some(Input::Text(t))) => v == t,
            _ => false,
        }
    }

    /// Whether the field at `path` is locked to the account's value: `locked: true` and
    /// filled from the account. Without a value from the account it is an ordinary field.
    pub fn is_locked(&self, path: &str) -> bool {
        let Some(a) = &self.account else { return false };
        a.fields.contains_key(path) && super::paths::parse_path(self.form, path).is_some_and(|i| self.form.field(i.field).locked)
    }

    /// The paths whose answers came from the account and still hold its value, in path
    /// order.
    pub fn account_paths(&self) -> Vec<String> {
        let Some(a) = &self.account else { return Vec::new() };
        a.fields.keys().filter(|p| self.from_account(p)).cloned().collect()
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use chrono::NaiveDate;

    use crate::account::{AccountValues, TrustLevel};
    use crate::answers::{Input, PostedStep};
    use crate::form::Form;
    use crate::session::{AnswerError, Session};

    const FORM: &str = r#"
wegweiser: 1
id: probe
title: Probe
login: { mode: optional, trust: substantiell }
steps:
  - id: a
    fields:
      - { id: vorname, type: text, required: true, prefill: given_name }
      - { id: name, type: text, required: true, prefill: family_name, locked: true }
      - { id: geburt, type: date, prefill: birth_date, locked: true }
      - { id: mail, type: email, prefill: email }
"#;

    fn form() -> Form {
        let c = crate::compile(FORM);
        assert!(!c.has_errors(), "{:#?}", c.diagnostics);
        c.form.unwrap()
    }

    fn anna() -> AccountValues {
        AccountValues {
            trust: Some(TrustLevel::Hoch),
            values: [("given_name", "Anna"), ("family_name", "Muster"), ("birth_date", "1980-02-01")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn prefill_sets_marked_answers_and_locked_fields_refuse_changes() {
        let f = form();
        let mut s = Session::new(&f, "de", today());
        assert_eq!(s.prefill(&anna()), vec!["vorname", "name", "geburt"]);
        assert!(s.from_account("vorname") && s.from_account("geburt") && !s.from_account("mail"));
        assert!(s.is_locked("name") && !s.is_locked("vorname") && !s.is_locked("mail"));
        assert_eq!(s.set_answer("name", Some(Input::Text("Fremd".into()))), Err(AnswerError::Locked("name".into())));
        assert!(s.set_answers([("geburt".to_string(), None)]).is_err());
        // A forged post to the locked fields changes nothing; the other fields are read.
        let mut post = PostedStep::new();
        for (k, v) in [("vorname", "Anne"), ("name", "Fremd"), ("geburt", "2000-01-01"), ("mail", "a@example.org")] {
            post.push(k.to_string(), v.to_string());
        }
        s.answer_step(crate::ids::StepId(0), &post).unwrap();
        assert_eq!(s.answer("name"), Some(&Input::Text("Muster".into())));
        assert_eq!(s.answer("geburt"), Some(&Input::Text("01.02.1980".into())));
        assert_eq!(s.answer("vorname"), Some(&Input::Text("Anne".into())));
        assert_eq!(s.value(s.instance("geburt").unwrap()), crate::value::Value::Date(NaiveDate::from_ymd_opt(1980, 2, 1).unwrap()));
        // Changed by the citizen: no longer from the account.
        assert!(!s.from_account("vorname"));
        let sub = s.submission("2026-11-22T10:00:00Z", "P-1").unwrap();
        let account = sub.account.expect("filled in after a login");
        assert_eq!(account.trust, Some(TrustLevel::Hoch));
        assert_eq!(account.fields, vec!["geburt", "name"]);
        // The marks survive a snapshot: the restored draft is locked too.
        let (r, dropped) = Session::restore(&f, &s.snapshot(), today());
        assert!(dropped.is_empty());
        assert!(r.is_locked("name"));
        assert_eq!(r.submission("t", "r").unwrap().account, s.submission("t", "r").unwrap().account);
    }

    #[test]
    fn without_a_login_nothing_is_locked_or_marked() {
        let f = form();
        let mut s = Session::new(&f, "de", today());
        s.set_answer("name", Some(Input::Text("Muster".into()))).unwrap();
        assert!(!s.is_locked("name") && !s.from_account("name"));
        let sub = s.submission("t", "r").unwrap();
        assert!(sub.account.is_none());
        assert!(!serde_json::to_string(&sub).unwrap().contains("account"));
        assert!(!serde_json::to_string(&s.snapshot()).unwrap().contains("account"));
    }
}
