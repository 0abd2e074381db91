//! Reading a rule's prose into its [`ast`](super::ast) with the pest grammar
//! (`grammar.pest`). A text the grammar cannot read comes back as a [`Stop`]: where pest
//! stopped and, in words, what it expected there, so that the report can say it.

use pest::Parser;
use pest::iterators::Pair;

use super::ast::{Cond, Consequence, DateTerm, Op, Quant, Ref, RuleText, Sentence, State, Unit, Value};

mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "rules/grammar.pest"]
    pub(super) struct ProseParser;
}
use grammar::{ProseParser, Rule};

/// The longest prose read, in characters (real rules have well under 3,000).
pub const MAX_LEN: usize = 20_000;
/// The deepest nesting of brackets read (pest recurses per bracket).
pub const MAX_NESTING: usize = 16;

/// Where the grammar stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// Character offset into the normalised prose.
    pub at: usize,
    /// The normalised prose from there (at most 40 characters).
    pub found: String,
    /// What the grammar expected there, in words.
    pub expected: Vec<String>,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.expected.is_empty() {
            write!(f, "the grammar stopped at character {} (\"{}\")", self.at, self.found)
        } else {
            write!(f, "the grammar stopped at character {} (\"{}\"), expecting {}", self.at, self.found, self.expected.join(", "))
        }
    }
}

/// Typographic quotes → `"`, `≠ ≤ ≥` → `<> <= >=`, dashes → `-`, whitespace collapsed.
pub fn normalise(prose: &str) -> String {
    let mut s = String::with_capacity(prose.len());
    for c in prose.chars() {
        match c {
            '„' | '“' | '”' | '»' | '«' | '″' => s.push('"'),
            '≠' => s.push_str("<>"),
            '≤' => s.push_str("<="),
            '≥' => s.push_str(">="),
            '–' | '—' | '−' => s.push('-'),
            _ => s.push(c),
        }
    }
    crate::xdf::collapse(&s)
}

/// Reads the prose of one rule.
pub fn parse(prose: &str) -> Result<RuleText, Stop> {
    let text = normalise(prose);
    let chars = text.chars().count();
    if chars > MAX_LEN {
        return Err(Stop { at: MAX_LEN, found: String::new(), expected: vec![format!("a text of at most {MAX_LEN} characters")] });
    }
    let mut depth = 0usize;
    for (i, c) in text.chars().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING {
            return Err(Stop { at: i, found: excerpt(&text, i), expected: vec![format!("at most {MAX_NESTING} nested brackets")] });
        }
    }
    let mut pairs = ProseParser::parse(Rule::text, &text).map_err(|e| stop(&text, e))?;
    let top = pairs.next().expect("the text rule");
    let mut sentences = Vec::new();
    for p in top.into_inner() {
        if p.as_rule() == Rule::sentence {
            sentences.extend(sentence(p));
        }
    }
    Ok(RuleText { sentences })
}

fn excerpt(text: &str, at: usize) -> String {
    let s: String = text.chars().skip(at).take(40).collect();
    s
}

fn stop(text: &str, e: pest::error::Error<Rule>) -> Stop {
    let byte = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((p, _)) => p,
    };
    let at = text[..byte.min(text.len())].chars().count();
    let mut expected: Vec<String> = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.iter().filter_map(|r| word(*r)).map(String::from).collect(),
        pest::error::ErrorVariant::CustomError { message } => vec![message.clone()],
    };
    expected.sort();
    expected.dedup();
    Stop { at, found: excerpt(text, at), expected }
}

/// A grammar rule in words (`None`: too internal to name).
fn word(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the text",
        Rule::k_wenn => "\"Wenn\"",
        Rule::k_dann => "\"dann\"",
        Rule::k_und => "\"UND\"",
        Rule::k_oder => "\"ODER\"",
        Rule::k_nicht => "\"nicht\"",
        Rule::k_muss | Rule::k_muessen => "\"muss\"",
        Rule::k_darf | Rule::k_duerfen => "\"darf\"",
        Rule::k_kann | Rule::k_koennen => "\"kann\"",
        Rule::k_sein => "\"sein\"",
        Rule::k_werden => "\"werden\"",
        Rule::k_ist | Rule::k_sind => "\"ist\"",
        Rule::k_wird | Rule::k_wurde => "\"wird\"",
        Rule::k_filled => "\"befüllt\"",
        Rule::state_word | Rule::state => "\"befüllt\", \"leer\", \"bejaht\" or \"verneint\"",
        Rule::k_zur_pflicht => "\"zur Pflichtangabe\"",
        Rule::k_zu => "\"zu\"",
        Rule::k_befuellen => "\"befüllen\"",
        Rule::k_angegeben => "\"angegeben\"",
        Rule::op => "a comparison (= <> < > <= >=)",
        Rule::value | Rule::quoted | Rule::code | Rule::bool_word | Rule::date => "a value",
        Rule::reference | Rule::quoted_reference | Rule::path | Rule::id | Rule::target | Rule::targets | Rule::target_value => {
            "a field or group id (F…/G…)"
        }
        Rule::kind => "\"Feld\" or \"Feldgruppe\"",
        Rule::label => "a label in quotes",
        Rule::unit => "\"Jahre\", \"Monate\", \"Wochen\" or \"Tage\"",
        Rule::whole => "a whole number",
        Rule::cond | Rule::conj | Rule::neg | Rule::atom | Rule::field_condition => "a condition",
        Rule::consequence
        | Rule::must_fill
        | Rule::must_not_be_empty
        | Rule::must_empty
        | Rule::may_fill
        | Rule::becomes_required
        | Rule::is_to_fill
        | Rule::activate
        | Rule::deactivate
        | Rule::make_required => "a consequence (\"muss … befüllt sein\", \"darf … nicht befüllt sein\", \"kann … befüllt werden\")",
        Rule::sentence | Rule::if_sentence | Rule::only_if_sentence | Rule::valid_date_sentence => "a sentence (\"Wenn …, dann …\")",
        Rule::k_mindestens => "\"mindestens\"",
        Rule::k_genau => "\"genau\"",
        Rule::k_aktuelles_datum => "\"aktuelles Datum\"",
        Rule::k_eines => "\"eines\"",
        Rule::k_der => "\"der\"",
        Rule::k_als => "\"als\"",
        Rule::k_feld | Rule::k_datenfeld => "\"Feld\"",
        _ => return None,
    })
}

/// A sentence: one [`Sentence`] per consequence (they share the condition and the text).
fn sentence(p: Pair<'_, Rule>) -> Vec<Sentence> {
    let text = p.as_str().trim().to_string();
    let inner = p.into_inner().next().expect("a sentence has a body");
    let one = |cond, then, text| vec![Sentence { cond, then, text, also: false }];
    match inner.as_rule() {
        Rule::valid_date_sentence => {
            let ts: Vec<Ref> = inner.into_inner().filter(|q| q.as_rule() == Rule::target).map(target).collect();
            let [d, m, y]: [Ref; 3] = ts.try_into().expect("the grammar reads three fields");
            one(None, Consequence::ValidDate(d, m, y), text)
        }
        Rule::if_sentence => {
            let mut cond_ = None;
            let mut thens: Vec<Consequence> = Vec::new();
            for q in inner.into_inner() {
                match q.as_rule() {
                    Rule::cond => cond_ = Some(cond(q)),
                    Rule::consequence => {
                        let prev = thens.last().map(Consequence::targets).unwrap_or_default();
                        thens.push(consequence(q, &prev));
                    }
                    _ => {}
                }
            }
            thens.into_iter().enumerate().map(|(k, then)| Sentence { cond: cond_.clone(), then, text: text.clone(), also: k > 0 }).collect()
        }
        Rule::only_if_sentence => {
            let mut targets_ = Vec::new();
            let mut cond_ = None;
            for q in inner.into_inner() {
                match q.as_rule() {
                    Rule::targets => targets_ = targets(q),
                    Rule::cond => cond_ = Some(cond(q)),
                    _ => {}
                }
            }
            one(cond_, Consequence::Shown(targets_), text)
        }
        _ => one(None, consequence(inner, &[]), text),
    }
}

/// A consequence; `prev` is what the one before named (for "mache es zu einer Pflichtangabe").
fn consequence(p: Pair<'_, Rule>, prev: &[Ref]) -> Consequence {
    let c = p.into_inner().next().expect("a consequence has a body");
    let rule = c.as_rule();
    let mut quant = None;
    let mut ts = Vec::new();
    let mut negated = false;
    for q in c.into_inner() {
        match q.as_rule() {
            Rule::quantifier => {
                quant = Some(match q.into_inner().next().map(|x| x.as_rule()) {
                    Some(Rule::exactly_one | Rule::either) => Quant::ExactlyOne,
                    _ => Quant::AtLeastOne,
                })
            }
            Rule::targets => ts = targets(q),
            Rule::k_nicht => negated = true,
            _ => {}
        }
    }
    match (rule, quant) {
        (Rule::make_required, _) if ts.is_empty() => Consequence::Required(prev.to_vec()),
        (Rule::make_required, _) => Consequence::Required(ts),
        (Rule::activate, _) => Consequence::Shown(ts),
        (Rule::deactivate, _) => Consequence::Empty(ts),
        (Rule::must_fill, Some(q)) => Consequence::Some(q, ts),
        (Rule::must_fill | Rule::must_not_be_empty | Rule::becomes_required, _) => Consequence::Required(ts),
        (Rule::is_to_fill, _) if !negated => Consequence::Required(ts),
        (Rule::must_empty | Rule::is_to_fill, _) => Consequence::Empty(ts),
        _ => Consequence::Shown(ts),
    }
}

fn targets(p: Pair<'_, Rule>) -> Vec<Ref> {
    p.into_inner().filter(|q| q.as_rule() == Rule::target).map(target).collect()
}

fn target(p: Pair<'_, Rule>) -> Ref {
    let r = p.into_inner().find(|q| q.as_rule() == Rule::reference).expect("a target has a reference");
    reference(r)
}

fn unquote(s: &str) -> String {
    let inner = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).or_else(|| s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
    inner.unwrap_or(s).trim().to_string()
}

fn reference(p: Pair<'_, Rule>) -> Ref {
    let mut path = Vec::new();
    let mut label = None;
    let visit = |q: Pair<'_, Rule>, path: &mut Vec<String>, label: &mut Option<String>| match q.as_rule() {
        Rule::path => *path = q.as_str().split('.').map(String::from).collect(),
        Rule::label => *label = Some(unquote(q.as_str())),
        Rule::label_words => *label = Some(q.as_str().trim().to_string()),
        _ => {}
    };
    for q in p.into_inner() {
        if q.as_rule() == Rule::quoted_reference {
            for x in q.into_inner() {
                visit(x, &mut path, &mut label);
            }
        } else {
            visit(q, &mut path, &mut label);
        }
    }
    Ref { path, label }
}

/// A reference written as `path label?` directly inside a rule (not wrapped in `reference`).
fn loose_reference(p: Pair<'_, Rule>) -> Ref {
    let mut path = Vec::new();
    let mut label = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::path => path = q.as_str().split('.').map(String::from).collect(),
            Rule::label => label = Some(unquote(q.as_str())),
            Rule::reference => return reference(q),
            _ => {}
        }
    }
    Ref { path, label }
}

fn op(p: &Pair<'_, Rule>) -> Op {
    match p.as_str() {
        "<>" | "!=" => Op::Ne,
        "<=" | "=<" => Op::Le,
        ">=" | "=>" => Op::Ge,
        "<" => Op::Lt,
        ">" => Op::Gt,
        _ => Op::Eq,
    }
}

fn value(p: Pair<'_, Rule>) -> Value {
    let mut it = p.into_inner();
    let v = it.next().expect("a value");
    match v.as_rule() {
        Rule::others => Value::Others,
        Rule::date => {
            let parts: Vec<u32> = v.as_str().split('.').filter_map(|x| x.parse().ok()).collect();
            match chrono::NaiveDate::from_ymd_opt(parts[2] as i32, parts[1], parts[0]) {
                Some(d) => Value::Date(d),
                None => Value::Quoted(v.as_str().to_string()),
            }
        }
        Rule::bool_word => {
            let w = v.as_str().to_lowercase();
            Value::Bool(w == "wahr" || w == "ja")
        }
        Rule::quoted => Value::Quoted(unquote(v.as_str())),
        _ => Value::Code(v.as_str().to_string(), it.next().map(|l| unquote(l.as_str()))),
    }
}

fn cond(p: Pair<'_, Rule>) -> Cond {
    // Track the subject of the last comparison, for "= 002 … ODER = 004 …".
    let mut last = None;
    cond_with(p, &mut last)
}

fn cond_with(p: Pair<'_, Rule>, last: &mut Option<Ref>) -> Cond {
    match p.as_rule() {
        Rule::cond | Rule::conj => {
            let is_or = p.as_rule() == Rule::cond;
            let parts: Vec<Cond> =
                p.into_inner().filter(|q| matches!(q.as_rule(), Rule::conj | Rule::neg)).map(|q| cond_with(q, last)).collect();
            if parts.len() == 1 {
                parts.into_iter().next().expect("one part")
            } else if is_or {
                Cond::Or(parts)
            } else {
                Cond::And(parts)
            }
        }
        Rule::neg => {
            let mut negated = false;
            let mut inner = None;
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::k_nicht => negated = true,
                    _ => inner = Some(cond_with(q, last)),
                }
            }
            let c = inner.expect("an atom");
            if negated { Cond::Not(Box::new(c)) } else { c }
        }
        Rule::atom => {
            let q = p.into_inner().next().expect("an atom has a body");
            atom(q, last)
        }
        _ => atom(p, last),
    }
}

fn atom(q: Pair<'_, Rule>, last: &mut Option<Ref>) -> Cond {
    match q.as_rule() {
        Rule::cond => cond_with(q, last),
        Rule::date_comparison => {
            let mut terms = Vec::new();
            let mut o = Op::Eq;
            let mut n = 0u32;
            let mut unit = Unit::Days;
            for x in q.into_inner() {
                match x.as_rule() {
                    Rule::date_term => {
                        let t = x.into_inner().find(|y| matches!(y.as_rule(), Rule::k_aktuelles_datum | Rule::reference));
                        terms.push(match t {
                            Some(y) if y.as_rule() == Rule::reference => DateTerm::Field(reference(y)),
                            _ => DateTerm::Today,
                        });
                    }
                    Rule::op => o = op(&x),
                    Rule::whole => n = x.as_str().parse().unwrap_or(u32::MAX),
                    Rule::unit => {
                        unit = match x.into_inner().next().map(|y| y.as_rule()) {
                            Some(Rule::k_jahre) => Unit::Years,
                            Some(Rule::k_monate) => Unit::Months,
                            Some(Rule::k_wochen) => Unit::Weeks,
                            _ => Unit::Days,
                        }
                    }
                    _ => {}
                }
            }
            let b = terms.pop().unwrap_or(DateTerm::Today);
            let a = terms.pop().unwrap_or(DateTerm::Today);
            Cond::DateDiff { a, b, op: o, n, unit }
        }
        Rule::any_member | Rule::only_member | Rule::other_member => {
            let which = q.as_rule();
            let mut refs = Vec::new();
            let mut o = Op::Eq;
            let mut v = None;
            for x in q.into_inner() {
                match x.as_rule() {
                    Rule::reference => refs.push(reference(x)),
                    Rule::target => refs.push(target(x)),
                    Rule::op => o = op(&x),
                    Rule::value => v = Some(value(x)),
                    _ => {}
                }
            }
            let value = v.expect("a value");
            let mut refs = refs.into_iter();
            let group = refs.next().expect("a group");
            match which {
                Rule::any_member => Cond::Members { group, field: None, only: false, op: o, value },
                Rule::only_member => Cond::Members { group, field: refs.next(), only: true, op: o, value },
                _ => Cond::Members { group, field: refs.next(), only: false, op: o, value },
            }
        }
        Rule::legacy_condition => {
            let mut subject = Ref { path: Vec::new(), label: None };
            let mut label = None;
            let mut negated = false;
            let mut v = None;
            for x in q.into_inner() {
                match x.as_rule() {
                    Rule::path => subject.path = x.as_str().split('.').map(String::from).collect(),
                    Rule::label => label = Some(unquote(x.as_str())),
                    Rule::legacy_value => {
                        for y in x.into_inner() {
                            match y.as_rule() {
                                Rule::k_nicht => negated = !negated,
                                Rule::value => v = Some(value(y)),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            subject.label = label;
            *last = Some(subject.clone());
            let c = Cond::Cmp { subject, op: Op::Eq, value: v.expect("a value") };
            if negated { legacy_not(c) } else { c }
        }
        Rule::field_condition => {
            let mut subject = None;
            let mut out = None;
            for x in q.into_inner() {
                match x.as_rule() {
                    Rule::target => subject = Some(target(x)),
                    Rule::state => {
                        let mut negated = false;
                        let mut st = State::Filled;
                        for y in x.into_inner() {
                            match y.as_rule() {
                                Rule::k_nicht => negated = true,
                                Rule::state_word => {
                                    st = match y.into_inner().next().map(|z| z.as_rule()) {
                                        Some(Rule::k_leer) => State::Empty,
                                        Some(Rule::k_bejaht) => State::Yes,
                                        Some(Rule::k_verneint) => State::No,
                                        _ => State::Filled,
                                    }
                                }
                                _ => {}
                            }
                        }
                        let s = subject.clone().expect("a subject");
                        *last = Some(s.clone());
                        out = Some(Cond::State { subject: s, state: st, negated });
                    }
                    Rule::comparison_tail => {
                        let s = subject.clone().expect("a subject");
                        *last = Some(s.clone());
                        out = Some(comparison(x, s));
                    }
                    _ => {}
                }
            }
            out.expect("a condition")
        }
        Rule::comparison_tail => match last.clone() {
            Some(s) => comparison(q, s),
            None => Cond::Unsupported("a comparison without a field before it".into()),
        },
        _ => Cond::Unsupported(format!("{:?}", q.as_rule())),
    }
}

/// The legacy "nicht … angegeben" means "answered, and not X" (`!=`); "nicht """ means filled.
fn legacy_not(c: Cond) -> Cond {
    match c {
        Cond::Cmp { subject, value, .. } => Cond::Cmp { subject, op: Op::Ne, value },
        other => Cond::Not(Box::new(other)),
    }
}

fn comparison(p: Pair<'_, Rule>, subject: Ref) -> Cond {
    let mut o = Op::Eq;
    let mut out = None;
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::op => o = op(&x),
            Rule::value => out = Some(Cond::Cmp { subject: subject.clone(), op: o, value: value(x) }),
            Rule::target_value => out = Some(Cond::CmpFields { a: subject.clone(), op: o, b: loose_reference(x) }),
            _ => {}
        }
    }
    out.expect("a comparison has a right side")
}
