//! What the grammar reads from a rule's prose: sentences of a condition and a consequence.
//! Nothing here is resolved against the schema yet (`translate.rs` does that).

/// A rule's prose: one or more sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleText {
    /// The sentences, in order.
    pub sentences: Vec<Sentence>,
}

/// "Wenn <cond>, dann <consequence>." (or a consequence alone).
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// When it applies; `None`: always.
    pub cond: Option<Cond>,
    /// What follows.
    pub then: Consequence,
    /// The sentence as written (normalised), the message of a check.
    pub text: String,
    /// A further consequence of the same condition ("… UND mache es zu einer Pflichtangabe").
    pub also: bool,
}

/// A reference to a field or group: its FIM id with the ids of groups before it
/// (`G1.G2.F3` → `["G1", "G2", "F3"]`) and the label written after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// Group ids, then the element's own id.
    pub path: Vec<String>,
    /// The label in quotes, if written.
    pub label: Option<String>,
}

impl Ref {
    /// The element's own id.
    pub fn id(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or("")
    }
}

/// The consequence of a sentence.
#[derive(Debug, Clone, PartialEq)]
pub enum Consequence {
    /// "muss … befüllt sein", "wird … zur Pflichtangabe".
    Required(Vec<Ref>),
    /// "darf … nicht befüllt sein".
    Empty(Vec<Ref>),
    /// "kann … befüllt werden", "… ist nur dann zu befüllen, wenn …".
    Shown(Vec<Ref>),
    /// "muss mindestens eines / genau eines der Felder … befüllt sein".
    Some(Quant, Vec<Ref>),
    /// "Wenn alle drei Felder D, M und J befüllt sind, muss die Validität des sich ergebenden
    /// Kalenderdatums sichergestellt werden": day, month and year make a real date.
    ValidDate(Ref, Ref, Ref),
}

impl Consequence {
    /// The fields and groups it names.
    pub fn targets(&self) -> Vec<Ref> {
        match self {
            Consequence::Required(r) | Consequence::Empty(r) | Consequence::Shown(r) | Consequence::Some(_, r) => r.clone(),
            Consequence::ValidDate(d, m, y) => vec![d.clone(), m.clone(), y.clone()],
        }
    }
}

/// "mindestens eines" or "genau eines".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quant {
    /// At least one.
    AtLeastOne,
    /// Exactly one.
    ExactlyOne,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    /// The form language's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// A value compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// In quotes: a code (`"02 Text"`), `"wahr"`, a text, a number or a date.
    Quoted(String),
    /// A bare number or code, with the label written after it (`003 "Ja, …"`).
    Code(String, Option<String>),
    /// `wahr`/`ja` or `falsch`/`nein`, without quotes.
    Bool(bool),
    /// `31.12.2020`.
    Date(chrono::NaiveDate),
    /// "alle anderen möglichen Ausprägungen der Codeliste": the options the rule names for the
    /// field elsewhere, negated.
    Others,
}

/// A unit of date arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Jahre.
    Years,
    /// Monate.
    Months,
    /// Wochen.
    Weeks,
    /// Tage.
    Days,
}

/// One side of a date difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateTerm {
    /// "aktuelles Datum".
    Today,
    /// A date field.
    Field(Ref),
}

/// The state of a field or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// befüllt.
    Filled,
    /// leer.
    Empty,
    /// bejaht.
    Yes,
    /// verneint.
    No,
}

/// A condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// ODER.
    Or(Vec<Cond>),
    /// UND.
    And(Vec<Cond>),
    /// NICHT.
    Not(Box<Cond>),
    /// `F1 = "wahr"`, `F1 <> 003 "…"`.
    Cmp {
        /// The field.
        subject: Ref,
        /// The operator.
        op: Op,
        /// The value.
        value: Value,
    },
    /// `F1 < F2`.
    CmpFields {
        /// Left.
        a: Ref,
        /// The operator.
        op: Op,
        /// Right.
        b: Ref,
    },
    /// `F1 befüllt`, `F1 nicht befüllt`, `F1 bejaht`.
    State {
        /// The field or group.
        subject: Ref,
        /// Which state.
        state: State,
        /// `nicht`.
        negated: bool,
    },
    /// `(a - b) op n unit`.
    DateDiff {
        /// Minuend.
        a: DateTerm,
        /// Subtrahend.
        b: DateTerm,
        /// The operator.
        op: Op,
        /// The amount.
        n: u32,
        /// Its unit.
        unit: Unit,
    },
    /// "mindestens ein Feld der Feldgruppe G = v"; with `field`: "mindestens ein weiteres Feld
    /// als F" or (`only`) "als einziges Feld F".
    Members {
        /// The group.
        group: Ref,
        /// The field singled out.
        field: Option<Ref>,
        /// "als einziges Feld".
        only: bool,
        /// The operator.
        op: Op,
        /// The value.
        value: Value,
    },
    /// Read, but not a condition the translation knows.
    Unsupported(String),
}
