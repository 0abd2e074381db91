//! The table of built-in functions (docs/form-language.md#functions): names, number of arguments and how they are
//! called. The argument types are checked in `check.rs`; this table is what error messages
//! and "did you mean" suggestions are made from.

use serde::{Deserialize, Serialize};

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Func {
    /// `filled(x)` → bool
    Filled,
    /// `empty(x)` → bool
    Empty,
    /// `len(text | list)` → number
    Len,
    /// `today()` → date
    Today,
    /// `date(text)` → date
    Date,
    /// `age(date)` → number
    Age,
    /// `years_between(date, date)` → number
    YearsBetween,
    /// `months_between(date, date)` → number
    MonthsBetween,
    /// `days_between(date, date)` → number
    DaysBetween,
    /// `add_days(date, number)` → date
    AddDays,
    /// `add_months(date, number)` → date
    AddMonths,
    /// `add_years(date, number)` → date
    AddYears,
    /// `floor(number)` → number
    Floor,
    /// `ceil(number)` → number
    Ceil,
    /// `count(group)`, `count(group, bool)` → number
    Count,
    /// `sum(group, number)` → number
    Sum,
    /// `min(a, b, …)`: numbers or dates
    Min,
    /// `max(a, b, …)`: numbers or dates
    Max,
    /// `round(number, places)` → number
    Round,
    /// `matches(text, "regex")` → bool
    Matches,
    /// `contains(text, part)` → bool
    Contains,
    /// `lower(text)` → text
    Lower,
    /// `upper(text)` → text
    Upper,
    /// `if(bool, T, T)` → T
    If,
    /// `if_empty(T, T)` → T
    IfEmpty,
    /// `number(text)` → number
    Number,
}

/// How a function is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuncInfo {
    /// The function.
    pub func: Func,
    /// Its name in expressions.
    pub name: &'static str,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments; `None` for any number.
    pub max_args: Option<usize>,
    /// How it is called, for help texts.
    pub usage: &'static str,
}

const fn f(func: Func, name: &'static str, min_args: usize, max_args: Option<usize>, usage: &'static str) -> FuncInfo {
    FuncInfo { func, name, min_args, max_args, usage }
}

/// Every built-in function.
pub const FUNCTIONS: &[FuncInfo] = &[
    f(Func::Filled, "filled", 1, Some(1), "filled(x)"),
    f(Func::Empty, "empty", 1, Some(1), "empty(x)"),
    f(Func::Len, "len", 1, Some(1), "len(text or list)"),
    f(Func::Today, "today", 0, Some(0), "today()"),
    f(Func::Date, "date", 1, Some(1), "date(\"YYYY-MM-DD\")"),
    f(Func::Age, "age", 1, Some(1), "age(date)"),
    f(Func::YearsBetween, "years_between", 2, Some(2), "years_between(date, date)"),
    f(Func::MonthsBetween, "months_between", 2, Some(2), "months_between(date, date)"),
    f(Func::DaysBetween, "days_between", 2, Some(2), "days_between(date, date)"),
    f(Func::AddDays, "add_days", 2, Some(2), "add_days(date, number)"),
    f(Func::AddMonths, "add_months", 2, Some(2), "add_months(date, number)"),
    f(Func::AddYears, "add_years", 2, Some(2), "add_years(date, number)"),
    f(Func::Floor, "floor", 1, Some(1), "floor(number)"),
    f(Func::Ceil, "ceil", 1, Some(1), "ceil(number)"),
    f(Func::Count, "count", 1, Some(2), "count(group) or count(group, condition)"),
    f(Func::Sum, "sum", 2, Some(2), "sum(group, number)"),
    f(Func::Min, "min", 2, None, "min(a, b, …) with numbers or dates"),
    f(Func::Max, "max", 2, None, "max(a, b, …) with numbers or dates"),
    f(Func::Round, "round", 2, Some(2), "round(number, places)"),
    f(Func::Matches, "matches", 2, Some(2), "matches(text, \"regular expression\")"),
    f(Func::Contains, "contains", 2, Some(2), "contains(text, part)"),
    f(Func::Lower, "lower", 1, Some(1), "lower(text)"),
    f(Func::Upper, "upper", 1, Some(1), "upper(text)"),
    f(Func::If, "if", 3, Some(3), "if(condition, value if yes, value if no)"),
    f(Func::IfEmpty, "if_empty", 2, Some(2), "if_empty(value, fallback)"),
    f(Func::Number, "number", 1, Some(1), "number(text)"),
];

/// The function called `name`.
pub fn lookup(name: &str) -> Option<&'static FuncInfo> {
    FUNCTIONS.iter().find(|i| i.name == name)
}

impl Func {
    /// The function's table entry.
    pub fn info(self) -> &'static FuncInfo {
        FUNCTIONS.iter().find(|i| i.func == self).expect("every function is in the table")
    }

    /// Its name in expressions.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for i in FUNCTIONS {
            assert_eq!(lookup(i.name), Some(i));
            assert_eq!(i.func.name(), i.name);
            assert_eq!(serde_json::to_string(&i.func).unwrap(), format!("\"{}\"", i.name));
        }
        assert!(lookup("lenght").is_none());
    }
}
