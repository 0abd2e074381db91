//! The German prose of FIM rules, read for the few sentence shapes that say "required if":
//!
//! - `Wenn (im Datenfeld|bei) F… ("Name")? (nicht)? (der Wert)? "X" (nicht)? angegeben wird|wurde,
//!   dann (wird|soll) F…/G… (zur Pflichtangabe|zum Pflichtfeld|eine Pflichtangabe) …`
//! - `Wenn (das Feld)? F… (nicht)? (befüllt|ausgefüllt|angegeben) (ist|wird), dann wird F…/G… zur Pflichtangabe.`
//!
//! Anything else is left to a person (the importer keeps it as a comment and reports it).

use std::sync::LazyLock;

use regex::Regex;

/// The condition of a "required if" rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// `field` has (or, negated, has not) the value; `""` means empty.
    Equals {
        /// The FIM id of the field.
        field: String,
        /// The value as written in the prose (`02 Das Fahrzeug …`).
        value: String,
        /// `nicht`.
        negated: bool,
    },
    /// `field` is (or, negated, is not) filled.
    Filled {
        /// The FIM id of the field or group.
        field: String,
        /// `nicht`.
        negated: bool,
    },
}

/// A rule read from prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredIf {
    /// When.
    pub cond: Cond,
    /// The FIM ids of the fields and groups that become required.
    pub targets: Vec<String>,
}

const ID: &str = r"[FG][0-9A-Za-z][0-9A-Za-z-]*";
const THEN: &str = r"\s*,?\s*(?:dann\s+)?(?:wird|werden|soll|sollen|ist|sind)\s+(?P<t>.+?)\s+(?:zur|zum|eine|ein|als)\s+(?:Pflichtangabe|Pflichtfeld|Pflichtfeldgruppe|Pflicht)\b(?:\s+\w+)?\s*\.?$";

static VALUE_RULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)^wenn\s+(?:(?:im|in\s+dem|in|bei\s+dem|beim|bei)\s+)?(?:(?:daten)?feld\s+)?(?P<f>F[0-9A-Za-z][0-9A-Za-z-]*)\s+(?:"[^"]*"\s+)??(?:(?P<n1>nicht)\s+)?(?:der\s+wert\s+|die\s+angabe\s+)?(?:"(?P<v>[^"]*)"|(?P<u>[^\s",]+))\s+(?:(?P<n2>nicht)\s+)?(?:angegeben|ausgewählt|gewählt|eingetragen|eingegeben|gesetzt)\s+(?:wird|wurde|ist){THEN}"#
    ))
    .expect("the rule pattern compiles")
});

static FILLED_RULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)^wenn\s+(?:(?:das|die|der)\s+)?(?:(?:daten)?feld(?:gruppe)?\s+|gruppe\s+)?(?P<f>{ID})(?:\s+"[^"]*")?\s+(?:(?P<n>nicht)\s+)?(?:befüllt|ausgefüllt|angegeben|gefüllt)\s+(?:ist|wird|wurde){THEN}"#
    ))
    .expect("the rule pattern compiles")
});

static TARGET_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\b{ID}\b")).expect("compiles"));
/// What may stand between the target ids: articles, `Datenfeld`, `Feldgruppe`, names in quotes.
static TARGET_FILLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^(?:\s|,|und|sowie|das|die|der|den|(?:daten)?feld(?:gruppe)?|gruppe|felder|"[^"]*")*$"#).expect("compiles")
});

/// Normalises typographic quotes and whitespace.
pub fn normalise(prose: &str) -> String {
    let s: String = prose.chars().map(|c| if matches!(c, '„' | '“' | '”' | '»' | '«') { '"' } else { c }).collect();
    crate::xdf::collapse(&s)
}

/// Reads a "required if" rule, if the prose has one of the known shapes.
pub fn parse(prose: &str) -> Option<RequiredIf> {
    let p = normalise(prose);
    let (cond, t) = if let Some(c) = VALUE_RULE.captures(&p) {
        let negated = c.name("n1").is_some() ^ c.name("n2").is_some();
        let value = c.name("v").or(c.name("u")).map(|m| m.as_str().trim().to_string()).unwrap_or_default();
        (Cond::Equals { field: c["f"].to_string(), value, negated }, c.name("t")?.as_str().to_string())
    } else if let Some(c) = FILLED_RULE.captures(&p) {
        (Cond::Filled { field: c["f"].to_string(), negated: c.name("n").is_some() }, c.name("t")?.as_str().to_string())
    } else {
        return None;
    };
    let targets: Vec<String> = TARGET_ID.find_iter(&t).map(|m| m.as_str().to_string()).collect();
    let rest = TARGET_ID.replace_all(&t, "");
    if targets.is_empty() || !TARGET_FILLER.is_match(&rest) {
        return None;
    }
    Some(RequiredIf { cond, targets })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(field: &str, value: &str, negated: bool) -> Cond {
        Cond::Equals { field: field.into(), value: value.into(), negated }
    }

    #[test]
    fn shapes_of_the_material() {
        let r = parse("Wenn bei F05001047 \"02 Das Fahrzeug ist auf einen anderen Halter zugelassen.\" angegeben wird, dann\n wird G05000499 zur Pflichtangabe.").unwrap();
        assert_eq!(r.cond, eq("F05001047", "02 Das Fahrzeug ist auf einen anderen Halter zugelassen.", false));
        assert_eq!(r.targets, vec!["G05000499"]);
        let r = parse("Wenn bei F05001347 \"02 eine Erneuerung einer bereits erteilten Genehmigung (Verlängerung).\" angegeben wird, dann wird G05000599 eine Pflichtangabe.").unwrap();
        assert_eq!(r.targets, vec!["G05000599"]);
    }

    #[test]
    fn other_shapes() {
        let r = parse("Wenn im Datenfeld F00000123 nicht der Wert \"ja\" angegeben wurde, dann soll F00000001 zum Pflichtfeld werden.")
            .unwrap();
        assert_eq!(r.cond, eq("F00000123", "ja", true));
        let r = parse("Wenn bei F1 \"\" angegeben wird, dann werden F2 und G3 zur Pflichtangabe.").unwrap();
        assert_eq!(r.cond, eq("F1", "", false));
        assert_eq!(r.targets, vec!["F2", "G3"]);
        let r = parse("Wenn bei F1 „Art“ \"02\" angegeben wird, dann wird das Feld F2 \"Name\" zur Pflichtangabe.").unwrap();
        assert_eq!(r.cond, eq("F1", "02", false));
        let r = parse("Wenn das Feld F7 befüllt ist, dann wird F8 zur Pflichtangabe.").unwrap();
        assert_eq!(r.cond, Cond::Filled { field: "F7".into(), negated: false });
        assert!(parse("Es muss entweder Feldgruppe G1 oder Feldgruppe G2 befüllt werden.").is_none());
        assert!(parse("Wenn bei F1 \"02\" angegeben wird, dann wird G2 zur Pflichtangabe, sofern F3 leer ist.").is_none());
    }
}
