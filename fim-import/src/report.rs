//! The import report (`--report REPORT.json`).

use serde::Serialize;

/// What became of the schema.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    /// The FIM id of the schema (or group).
    pub schema: String,
    /// Its version.
    pub version: String,
    /// The XDatenfelder version (`2.0`, `3.0.0`).
    pub xdatenfelder: String,
    /// One entry per field occurrence.
    pub fields: Vec<FieldEntry>,
    /// One entry per rule.
    pub rules: Vec<RuleEntry>,
    /// Everything that was not mapped exactly.
    pub warnings: Vec<String>,
}

/// A field occurrence.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldEntry {
    /// `F…`.
    pub fim: String,
    /// Its path in the form: group ids and its own id joined by `.`, `[]` after a repeated group.
    pub path: String,
}

/// What became of a rule.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleEntry {
    /// `R…`.
    pub fim: String,
    /// `translated` or `todo`.
    pub status: &'static str,
    /// The condition, when translated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// The field paths that got the condition, when translated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
    /// The prose.
    pub prose: String,
    /// Why it is left to a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Report {
    /// Rules translated.
    pub fn translated(&self) -> usize {
        self.rules.iter().filter(|r| r.status == "translated").count()
    }

    /// `134 fields, 44 rules: 31 translated, 13 to do, 2 warnings`.
    pub fn summary(&self) -> String {
        let t = self.translated();
        format!(
            "{} fields, {} rules: {t} translated, {} to do, {} warnings",
            self.fields.len(),
            self.rules.len(),
            self.rules.len() - t,
            self.warnings.len()
        )
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises")
    }
}
