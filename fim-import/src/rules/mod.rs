//! FIM rules: a pest grammar of the German rule prose (`grammar.pest`), read into an
//! [`ast`] by [`parse`], and translated into the form language by `translate.rs`
//! (`required`, `visible_if` and rules, with the generated scenarios' answers).

pub mod ast;
pub mod parse;
pub mod translate;

pub use parse::{Stop, normalise, parse};

#[cfg(test)]
mod tests {
    use super::ast::{Cond, Consequence, DateTerm, Op, Quant, Ref, State, Unit, Value};
    use super::parse;

    fn r(path: &str, label: Option<&str>) -> Ref {
        Ref { path: path.split('.').map(String::from).collect(), label: label.map(String::from) }
    }

    fn one(prose: &str) -> (Option<Cond>, Consequence) {
        let t = parse(prose).unwrap_or_else(|e| panic!("{prose}: {e}"));
        assert_eq!(t.sentences.len(), 1, "{prose}");
        let s = t.sentences.into_iter().next().unwrap();
        (s.cond, s.then)
    }

    #[test]
    fn at_least_one_and_exactly_one_of_the_fields() {
        let (c, t) = one("Es muss mindestens eines der Felder F1 \"Telefon\", F2 \"Telefax\" oder F3 \"E-Mail\" befüllt sein.");
        assert_eq!(c, None);
        assert_eq!(
            t,
            Consequence::Some(Quant::AtLeastOne, vec![r("F1", Some("Telefon")), r("F2", Some("Telefax")), r("F3", Some("E-Mail"))])
        );
        let (_, t) = one("es muss genau eines der Felder F1 und F2 ausgefüllt werden");
        assert_eq!(t, Consequence::Some(Quant::ExactlyOne, vec![r("F1", None), r("F2", None)]));
        let (_, t) = one("Es muss entweder Feldgruppe G1 \"A\" oder Feldgruppe G2 \"B\" befüllt werden.");
        assert_eq!(t, Consequence::Some(Quant::ExactlyOne, vec![r("G1", Some("A")), r("G2", Some("B"))]));
    }

    #[test]
    fn two_sentences_required_and_must_stay_empty() {
        let t = parse(
            "Wenn das Feld F4 \"Vorhanden\" = \"wahr\", dann muss das Feld F5 \"Träger\" befüllt sein. \
             Wenn das Feld F4 \"Vorhanden\" <> \"wahr\", dann darf das Feld F5 \"Träger\" nicht befüllt sein.",
        )
        .unwrap();
        assert_eq!(t.sentences.len(), 2);
        let eq = |op| Cond::Cmp { subject: r("F4", Some("Vorhanden")), op, value: Value::Quoted("wahr".into()) };
        assert_eq!(t.sentences[0].cond, Some(eq(Op::Eq)));
        assert_eq!(t.sentences[0].then, Consequence::Required(vec![r("F5", Some("Träger"))]));
        assert_eq!(t.sentences[1].cond, Some(eq(Op::Ne)));
        assert_eq!(t.sentences[1].then, Consequence::Empty(vec![r("F5", Some("Träger"))]));
    }

    #[test]
    fn only_then_to_fill_with_id_and_label_in_one_pair_of_quotes() {
        let (c, t) = one("„F1 Krankenversicherungsträger“ ist nur dann zu befüllen, wenn „F2 Krankenversicherung vorhanden“ bejaht wurde.");
        assert_eq!(t, Consequence::Shown(vec![r("F1", Some("Krankenversicherungsträger"))]));
        assert_eq!(c, Some(Cond::State { subject: r("F2", Some("Krankenversicherung vorhanden")), state: State::Yes, negated: false }));
    }

    #[test]
    fn groups_paths_and_states() {
        let (c, t) = one("Wenn die Feldgruppe G1 \"Vertretung\" befüllt ist, dann muss die Datenfeldgruppe G2 \"Vollmacht\" befüllt sein.");
        assert_eq!(c, Some(Cond::State { subject: r("G1", Some("Vertretung")), state: State::Filled, negated: false }));
        assert_eq!(t, Consequence::Required(vec![r("G2", Some("Vollmacht"))]));
        let (c, _) = one("Wenn das Feld G1.G2.F3 \"X\" nicht befüllt ist, dann kann das Feld F4 befüllt werden.");
        assert_eq!(c, Some(Cond::State { subject: r("G1.G2.F3", Some("X")), state: State::Filled, negated: true }));
        let (c, _) = one("Wenn F3 leer ist, dann muss F4 befüllt sein.");
        assert_eq!(c, Some(Cond::State { subject: r("F3", None), state: State::Empty, negated: false }));
        let (c, _) = one("Wenn das Feld F3 verneint wurde, dann muss F4 befüllt sein.");
        assert_eq!(c, Some(Cond::State { subject: r("F3", None), state: State::No, negated: false }));
    }

    #[test]
    fn und_oder_nicht_brackets_and_a_shared_subject() {
        let (c, _) = one(
            "WENN (das Feld F1 = 003 \"Ja, juristisch.\" ODER = 005 \"Ja, bevollmächtigt.\") UND NICHT das Feld F2 = falsch, dann muss F3 befüllt sein",
        );
        let code = |c: &str, l: &str| Value::Code(c.into(), Some(l.into()));
        assert_eq!(
            c,
            Some(Cond::And(vec![
                Cond::Or(vec![
                    Cond::Cmp { subject: r("F1", None), op: Op::Eq, value: code("003", "Ja, juristisch.") },
                    Cond::Cmp { subject: r("F1", None), op: Op::Eq, value: code("005", "Ja, bevollmächtigt.") },
                ]),
                Cond::Not(Box::new(Cond::Cmp { subject: r("F2", None), op: Op::Eq, value: Value::Bool(false) })),
            ]))
        );
        // A stray comma before UND, an unquoted wahr, typographic quotes, odd spacing.
        let (c, _) = one("Wenn  das Feld F1 „A“ <>  wahr, UND das Feld F2 ≥ 10,5 dann muss das Feld F3 befüllt werden.");
        assert_eq!(
            c,
            Some(Cond::And(vec![
                Cond::Cmp { subject: r("F1", Some("A")), op: Op::Ne, value: Value::Bool(true) },
                Cond::Cmp { subject: r("F2", None), op: Op::Ge, value: Value::Code("10,5".into(), None) },
            ]))
        );
    }

    #[test]
    fn date_arithmetic_and_dates() {
        let (c, _) = one("Wenn (aktuelles Datum - G1.F2 \"Einreichung\") > 6 Jahre, dann muss die Feldgruppe G3 befüllt sein.");
        assert_eq!(
            c,
            Some(Cond::DateDiff {
                a: DateTerm::Today,
                b: DateTerm::Field(r("G1.F2", Some("Einreichung"))),
                op: Op::Gt,
                n: 6,
                unit: Unit::Years
            })
        );
        let (c, _) = one("Wenn (F2 - aktuelles Datum) <= 14 Tage, dann muss F3 befüllt sein.");
        assert_eq!(c, Some(Cond::DateDiff { a: DateTerm::Field(r("F2", None)), b: DateTerm::Today, op: Op::Le, n: 14, unit: Unit::Days }));
        let (c, _) = one("Wenn das Feld F2 < 01.07.2024, dann muss F3 befüllt sein.");
        let d = chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        assert_eq!(c, Some(Cond::Cmp { subject: r("F2", None), op: Op::Lt, value: Value::Date(d) }));
        let (c, _) = one("Wenn das Feld F1 > das Feld F2, dann muss F3 befüllt sein.");
        assert_eq!(c, Some(Cond::CmpFields { a: r("F1", None), op: Op::Gt, b: r("F2", None) }));
    }

    #[test]
    fn members_of_a_group() {
        let (c, _) = one("Wenn mindestens ein Feld der Feldgruppe G1 \"T\" = \"wahr\", dann muss G2 befüllt sein.");
        assert!(matches!(c, Some(Cond::Members { field: None, only: false, .. })), "{c:?}");
        let (c, _) = one("Wenn aus der Feldgruppe G1 \"T\" als einziges Feld das Feld G1.F2 \"X\" = \"wahr\", dann muss G2 befüllt sein.");
        assert!(matches!(c, Some(Cond::Members { field: Some(_), only: true, .. })), "{c:?}");
        let (c, _) =
            one("Wenn aus der Feldgruppe G1 mindestens ein weiteres Feld als das Feld G1.F2 = \"wahr\", dann darf G2 nicht befüllt sein.");
        assert!(matches!(c, Some(Cond::Members { field: Some(_), only: false, .. })), "{c:?}");
    }

    #[test]
    fn the_shapes_prose_rs_read_still_read() {
        let (c, t) = one(
            "Wenn bei F05001047 \"02 Das Fahrzeug ist auf einen anderen Halter zugelassen.\" angegeben wird, dann\n wird G05000499 zur Pflichtangabe.",
        );
        assert_eq!(
            c,
            Some(Cond::Cmp {
                subject: r("F05001047", None),
                op: Op::Eq,
                value: Value::Quoted("02 Das Fahrzeug ist auf einen anderen Halter zugelassen.".into())
            })
        );
        assert_eq!(t, Consequence::Required(vec![r("G05000499", None)]));
        let (c, t) = one("Wenn im Datenfeld F00000123 nicht der Wert \"ja\" angegeben wurde, dann soll F00000001 zum Pflichtfeld werden.");
        assert_eq!(c, Some(Cond::Cmp { subject: r("F00000123", None), op: Op::Ne, value: Value::Quoted("ja".into()) }));
        assert_eq!(t, Consequence::Required(vec![r("F00000001", None)]));
        let (c, t) = one("Wenn bei F1 \"\" angegeben wird, dann werden F2 und G3 zur Pflichtangabe.");
        assert_eq!(c, Some(Cond::Cmp { subject: r("F1", None), op: Op::Eq, value: Value::Quoted(String::new()) }));
        assert_eq!(t, Consequence::Required(vec![r("F2", None), r("G3", None)]));
        let (c, _) = one("Wenn bei F1 „Art“ \"02\" angegeben wird, dann wird das Feld F2 \"Name\" zur Pflichtangabe.");
        assert_eq!(c, Some(Cond::Cmp { subject: r("F1", Some("Art")), op: Op::Eq, value: Value::Quoted("02".into()) }));
        let (c, _) = one("Wenn das Feld F7 befüllt ist, dann wird F8 zur Pflichtangabe.");
        assert_eq!(c, Some(Cond::State { subject: r("F7", None), state: State::Filled, negated: false }));
    }

    #[test]
    fn shapes_of_s00000094() {
        // A stray opening quote before the id, the label in its own quotes.
        let t = parse(
            "Wenn das Feld F00002483 \"E-Mail Personalangelegenheit\" befüllt wurde, dann muss das Feld \"F00002408 \"Einverständnis E-Mail\" befüllt sein.",
        )
        .unwrap();
        assert_eq!(t.sentences[0].then, Consequence::Required(vec![r("F00002408", Some("Einverständnis E-Mail"))]));
        // "nicht leer" without "ist"; "darf … nicht leer sein" is required.
        let (c, t) = one("Wenn F60000231 \"Tag (ohne Monat und Jahr)\" nicht leer, dann darf F60000232 \"Monat\" nicht leer sein.");
        assert_eq!(c, Some(Cond::State { subject: r("F60000231", Some("Tag (ohne Monat und Jahr)")), state: State::Empty, negated: true }));
        assert_eq!(t, Consequence::Required(vec![r("F60000232", Some("Monat"))]));
        // "<>" written against the code.
        let (c, _) = one("Wenn Feld F1 \"Status\" <>002 \"stillend\", dann darf das Feld F2 \"Termin\" nicht befüllt werden.");
        assert_eq!(
            c,
            Some(Cond::Cmp { subject: r("F1", Some("Status")), op: Op::Ne, value: Value::Code("002".into(), Some("stillend".into())) })
        );
        // The id and its label in one pair of quotes still read as before.
        let (_, t) = one("„F1 Träger“ ist nur dann zu befüllen, wenn „F2“ bejaht wurde.");
        assert_eq!(t, Consequence::Shown(vec![r("F1", Some("Träger"))]));
    }

    #[test]
    fn a_valid_calendar_date_of_three_fields_and_a_closing_remark() {
        let prose = "Wenn alle drei Felder F60000231 \"Tag (ohne Monat und Jahr)\", F60000232 \"Monat\" und F60000233 \"Jahr\" befüllt \
                     sind, muss die Validität des sich ergebenden Kalenderdatums sichergestellt werden. D.h. es muss z.B. 30.02.2019 \
                     oder der 31.11.1968 verhindert werden, da diese keine korrekten Datumsangaben sind.";
        let (c, t) = one(prose);
        assert_eq!(c, None);
        assert_eq!(
            t,
            Consequence::ValidDate(
                r("F60000231", Some("Tag (ohne Monat und Jahr)")),
                r("F60000232", Some("Monat")),
                r("F60000233", Some("Jahr"))
            )
        );
        // A "D.h." that goes on with another rule is not passed over.
        let e = parse("Wenn F1 befüllt ist, dann muss F2 befüllt sein. D.h. wenn F3 befüllt ist, dann muss F4 befüllt sein.").unwrap_err();
        assert!(e.found.starts_with("wenn F3 befüllt"), "{e:?}");
    }

    #[test]
    fn aktiviere_deaktiviere_and_mache_es_zu_einer_pflichtangabe() {
        let t = parse(
            "WENN F1 'Status der Frau (schwanger / stillend)' = 001 'schwanger', DANN aktiviere F2 '(voraussichtlicher) Entbindungstermin' \
             UND mache es zu einer Pflichtangabe UND deaktiviere F3 'tatsächlicher Entbindungstermin'.\n\n\
             WENN F1 'Status' = 002 'stillend', DANN deaktiviere G4 'Anschrift' und mache sie zu einer Pflichtangabe.",
        )
        .unwrap();
        let c1 = Cond::Cmp {
            subject: r("F1", Some("Status der Frau (schwanger / stillend)")),
            op: Op::Eq,
            value: Value::Code("001".into(), Some("schwanger".into())),
        };
        let thens: Vec<(&Consequence, bool)> = t.sentences.iter().map(|s| (&s.then, s.also)).collect();
        assert_eq!(
            thens,
            [
                (&Consequence::Shown(vec![r("F2", Some("(voraussichtlicher) Entbindungstermin"))]), false),
                (&Consequence::Required(vec![r("F2", Some("(voraussichtlicher) Entbindungstermin"))]), true),
                (&Consequence::Empty(vec![r("F3", Some("tatsächlicher Entbindungstermin"))]), true),
                (&Consequence::Empty(vec![r("G4", Some("Anschrift"))]), false),
                (&Consequence::Required(vec![r("G4", Some("Anschrift"))]), true),
            ]
        );
        assert!(t.sentences[..3].iter().all(|s| s.cond.as_ref() == Some(&c1)));
    }

    #[test]
    fn alle_anderen_auspraegungen_are_the_values_the_rule_names_elsewhere() {
        let mut t = parse(
            "WENN F1 'Art' = 999 'Sonstiges', DANN aktiviere F2 'Beschreibung'. \
             WENN F1 'Art' = alle anderen möglichen Ausprägungen der Codeliste , DANN deaktiviere F2 'Beschreibung'.",
        )
        .unwrap();
        assert_eq!(t.sentences[1].cond, Some(Cond::Cmp { subject: r("F1", Some("Art")), op: Op::Eq, value: Value::Others }));
        super::translate::resolve_others(&mut t);
        assert_eq!(
            t.sentences[1].cond,
            Some(Cond::And(vec![Cond::Cmp {
                subject: r("F1", Some("Art")),
                op: Op::Ne,
                value: Value::Code("999".into(), Some("Sonstiges".into()))
            }]))
        );
        // With no value named elsewhere it stays (and is reported when translated).
        let mut t = parse("WENN F1 = alle anderen Ausprägungen, DANN deaktiviere F2.").unwrap();
        super::translate::resolve_others(&mut t);
        assert_eq!(t.sentences[0].cond, Some(Cond::Cmp { subject: r("F1", None), op: Op::Eq, value: Value::Others }));
    }

    #[test]
    fn a_short_xdf2_id_has_one_xdf3_form() {
        use super::translate::long_id;
        assert_eq!(long_id("G60000086").as_deref(), Some("G60000000086"));
        assert_eq!(long_id("F00002408").as_deref(), Some("F00000002408"));
        assert_eq!(long_id("G60000000086"), None);
        assert_eq!(long_id("R60000019"), None);
        assert_eq!(long_id("G6000008x"), None);
    }

    #[test]
    fn a_text_the_grammar_cannot_read_says_where_it_stopped() {
        let e = parse("Wenn bei F1 \"02\" angegeben wird, dann wird G2 zur Pflichtangabe, sofern F3 leer ist.").unwrap_err();
        // (after the comma a further consequence "UND …" could follow)
        assert_eq!(e.at, 65);
        assert!(e.found.starts_with("sofern"), "{e:?}");
        assert!(e.expected.iter().any(|x| x.contains("UND")), "{e:?}");
        let e = parse("Die Felder müssen plausibel sein.").unwrap_err();
        assert!(e.to_string().starts_with("the grammar stopped at character 11 (\"müssen"), "{e}");
        // Deep brackets are refused before pest recurses.
        let deep = format!("Wenn {}F1 befüllt ist{}, dann muss F2 befüllt sein.", "(".repeat(40), ")".repeat(40));
        assert!(parse(&deep).unwrap_err().expected[0].contains("nested brackets"));
    }
}
