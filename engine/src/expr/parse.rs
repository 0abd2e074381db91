//! Reading an expression's text into an [`ast::Expr`].
//!
//! The grammar lives in `grammar.pest`. Before pest runs, a small scan refuses texts that
//! are too long or nested too deeply (so pest's recursion cannot exhaust the stack) and
//! reports unterminated texts and unbalanced brackets at the character that causes them.
//! pest's own failures are translated into plain sentences here: rule names never leave
//! this module.

use pest::Parser;
use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::ESpan;
use super::ast::{BinOp, Expr, ExprKind, UnOp};
use super::error::{self, ExprError};

/// The longest expression accepted, in characters.
pub const MAX_LEN: usize = 4_000;
/// The deepest nesting of parentheses, brackets and calls accepted.
pub const MAX_NESTING: usize = 64;
/// The deepest syntax tree accepted (long operator chains); keeps the checker's and
/// evaluator's recursion bounded.
pub const MAX_TREE_DEPTH: u32 = 256;
/// Significant digits of an exact decimal (docs/form-language.md#numbers).
const MAX_DIGITS: usize = 28;

mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "expr/grammar.pest"]
    pub(super) struct ExprParser;
}
use grammar::{ExprParser, Rule};

/// Parses an expression. Spans in the result and in the error are character offsets into `src`.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let len = src.chars().count();
    if len > MAX_LEN {
        return Err(ExprError::new(
            error::TOO_COMPLEX,
            (0, len as u32),
            format!("this expression is too long ({len} characters; at most {MAX_LEN} are allowed)"),
        )
        .with_help("split it up: move parts into `values` or computed fields"));
    }
    if src.trim().is_empty() {
        return Err(ExprError::new(error::SYNTAX, (0, len as u32), "the expression is empty")
            .with_help("write a value or a condition, e.g. `alter >= 18`"));
    }
    prescan(src)?;
    // Most expressions are read without pest; anything the fast reader is unsure of
    // (every error among it) is read by pest as before.
    if let Some((e, depth)) = super::descent::parse(src)
        && depth <= MAX_TREE_DEPTH
    {
        return Ok(e);
    }
    parse_pest(src)
}

/// [`parse`] by pest alone, after the pre-scan (the tests compare the two readers).
fn parse_pest(src: &str) -> Result<Expr, ExprError> {
    let offsets = CharOffsets::new(src);
    let mut pairs = ExprParser::parse(Rule::main, src).map_err(|e| pest_error(src, &offsets, e))?;
    let main = pairs.next().expect("main matched");
    let b = Builder { offsets: &offsets };
    let expr = main.into_inner().next().expect("main holds an expression");
    let (e, depth) = b.expr(expr)?;
    if depth > MAX_TREE_DEPTH {
        return Err(ExprError::new(
            error::TOO_COMPLEX,
            e.span,
            "this expression is too complex: it has too many operators inside each other",
        )
        .with_help("split it up: move parts into `values` or computed fields"));
    }
    Ok(e)
}

/// Finds unterminated texts, unbalanced brackets and too deep nesting before pest runs.
fn prescan(src: &str) -> Result<(), ExprError> {
    let mut stack: Vec<(char, u32)> = Vec::new();
    let mut chars = src.chars().enumerate();
    let total = src.chars().count() as u32;
    while let Some((i, c)) = chars.next() {
        let i = i as u32;
        match c {
            '"' | '\'' => {
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(ExprError::new(error::SYNTAX, (i, total), "unterminated text: add the closing quote")
                        .with_help(format!("the text starting here needs a closing {c}")));
                }
            }
            '(' | '[' => {
                stack.push((c, i));
                if stack.len() > MAX_NESTING {
                    return Err(ExprError::new(
                        error::TOO_COMPLEX,
                        (i, i + 1),
                        format!("this expression is nested too deeply (more than {MAX_NESTING} levels of brackets)"),
                    )
                    .with_help("split it up: move parts into `values` or computed fields"));
                }
            }
            ')' | ']' => {
                let open = if c == ')' { '(' } else { '[' };
                match stack.pop() {
                    Some((o, _)) if o == open => {}
                    Some((o, _)) => {
                        let close = if o == '(' { ')' } else { ']' };
                        return Err(ExprError::new(error::SYNTAX, (i, i + 1), format!("this `{c}` does not match the `{o}` before it"))
                            .with_help(format!("close the `{o}` with `{close}` first")));
                    }
                    None => {
                        return Err(ExprError::new(error::SYNTAX, (i, i + 1), format!("this `{c}` has no matching `{open}`")));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((o, i)) = stack.pop() {
        let (what, close) = if o == '(' { ("parenthesis", ')') } else { ("list", ']') };
        return Err(ExprError::new(error::SYNTAX, (i, i + 1), format!("unclosed {what}: add `{close}`")));
    }
    Ok(())
}

/// Byte offset to character offset, for pest's byte spans.
struct CharOffsets(Vec<u32>);

impl CharOffsets {
    fn new(src: &str) -> Self {
        let mut v = vec![0u32; src.len() + 1];
        let mut n = 0u32;
        for (b, c) in src.char_indices() {
            for k in 0..c.len_utf8() {
                v[b + k] = n;
            }
            n += 1;
        }
        v[src.len()] = n;
        CharOffsets(v)
    }

    fn at(&self, byte: usize) -> u32 {
        self.0[byte.min(self.0.len() - 1)]
    }

    fn span(&self, s: pest::Span<'_>) -> ESpan {
        (self.at(s.start()), self.at(s.end()))
    }
}

/// Turns pest's failure into a sentence about what was expected and what was found.
fn pest_error(src: &str, offsets: &CharOffsets, e: pest::error::Error<Rule>) -> ExprError {
    use pest::error::{ErrorVariant, InputLocation};
    let byte = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let positives = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let (mut value, mut operator, mut end, mut rparen, mut rbracket, mut comma) = (false, false, false, false, false, false);
    for r in &positives {
        match r {
            Rule::or_op | Rule::and_op | Rule::cmp_op | Rule::add_op | Rule::mul_op => operator = true,
            Rule::EOI => end = true,
            Rule::rparen => rparen = true,
            Rule::rbracket => rbracket = true,
            Rule::comma => comma = true,
            _ => value = true,
        }
    }
    if positives.is_empty() {
        value = true;
    }
    let mut expected: Vec<&str> = Vec::new();
    if value {
        expected.push("a value (a number, a text in quotes, a field name or a function call)");
    }
    if operator {
        expected.push("an operator");
    }
    if comma {
        expected.push("`,`");
    }
    if rparen {
        expected.push("`)`");
    }
    if rbracket {
        expected.push("`]`");
    }
    if end {
        expected.push("the end of the expression");
    }
    let expected = match expected.len() {
        0 => "something else".to_string(),
        1 => expected[0].to_string(),
        n => format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1]),
    };
    let rest = &src[byte.min(src.len())..];
    let found_char = rest.chars().next();
    let start = offsets.at(byte);
    let span = (start, start + u32::from(found_char.is_some()));
    let found = match found_char {
        None => "the end of the expression".to_string(),
        Some(c) => format!("`{c}`"),
    };
    let mut err = ExprError::new(error::SYNTAX, span, format!("expected {expected}, but found {found}"));
    let next = rest.chars().nth(1);
    if let Some(help) = decimal_comma(src, byte) {
        err.help = Some(help);
        return err;
    }
    err.help = match found_char {
        Some('=') if next != Some('=') => Some("to compare, write `==`".into()),
        Some('&') => Some("write `and` instead of `&&`".into()),
        Some('|') => Some("write `or` instead of `||`".into()),
        Some('!') if next != Some('=') => Some("write `not` instead of `!`".into()),
        Some(c) if operator && !value && (c.is_alphanumeric() || c == '"' || c == '\'') => {
            Some("is an operator such as `and`, `+` or `==` missing before it?".into())
        }
        None if value => Some("the expression ends too early: a value is missing".into()),
        _ => None,
    };
    err
}

/// A decimal comma as Germans write it (`0,5`) where pest stopped at the comma: the help
/// spells the number with a point. (Inside a call, `max(0,5)` reads as two arguments and
/// does not come here.)
fn decimal_comma(src: &str, byte: usize) -> Option<String> {
    let (before, after) = src.split_at_checked(byte)?;
    let after = after.strip_prefix(',')?;
    let int: String = before.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    let frac: String = after.chars().take_while(char::is_ascii_digit).collect();
    if int.is_empty() || frac.is_empty() {
        return None;
    }
    Some(format!("numbers in expressions are written with a decimal point: write `{int}.{frac}` instead of `{int},{frac}`"))
}

/// Builds the syntax tree from pest's pairs; each function also returns the tree's depth.
struct Builder<'a> {
    offsets: &'a CharOffsets,
}

type Built = Result<(Expr, u32), ExprError>;

impl Builder<'_> {
    fn span(&self, p: &Pair<'_, Rule>) -> ESpan {
        self.offsets.span(p.as_span())
    }

    fn expr(&self, p: Pair<'_, Rule>) -> Built {
        crate::stack::guarded(|| self.expr_node(p))
    }

    fn expr_node(&self, p: Pair<'_, Rule>) -> Built {
        match p.as_rule() {
            Rule::expr | Rule::conj | Rule::sum | Rule::term => self.fold_left(p),
            Rule::negation => self.negation(p),
            Rule::cmp => self.cmp(p),
            Rule::unary => self.unary(p),
            _ => self.atom(p),
        }
    }

    fn bin_op(p: &Pair<'_, Rule>) -> BinOp {
        match p.as_str() {
            "or" => BinOp::Or,
            "and" => BinOp::And,
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "in" => BinOp::In,
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            other => unreachable!("operator {other}"),
        }
    }

    /// Left-associative operator levels: `operand (op operand)*`.
    fn fold_left(&self, p: Pair<'_, Rule>) -> Built {
        let mut inner = p.into_inner();
        let (mut acc, mut depth) = self.expr(inner.next().expect("operand"))?;
        while let Some(op) = inner.next() {
            let (rhs, d) = self.expr(inner.next().expect("operand after operator"))?;
            acc = binary(Self::bin_op(&op), self.span(&op), acc, rhs);
            depth = depth.max(d) + 1;
        }
        Ok((acc, depth))
    }

    fn cmp(&self, p: Pair<'_, Rule>) -> Built {
        let mut inner = p.into_inner();
        let (lhs, d1) = self.expr(inner.next().expect("operand"))?;
        let Some(op) = inner.next() else {
            return Ok((lhs, d1));
        };
        let (rhs, d2) = self.expr(inner.next().expect("operand after operator"))?;
        if let Some(second) = inner.next() {
            return Err(ExprError::new(
                error::CHAINED_COMPARISON,
                self.span(&second),
                format!("comparisons do not chain: `{}` follows another comparison", second.as_str()),
            )
            .with_help("compare twice and join with `and`, e.g. `a < b and b < c`"));
        }
        Ok((binary(Self::bin_op(&op), self.span(&op), lhs, rhs), d1.max(d2) + 1))
    }

    fn negation(&self, p: Pair<'_, Rule>) -> Built {
        self.prefixed(p, Rule::not_op, UnOp::Not)
    }

    fn unary(&self, p: Pair<'_, Rule>) -> Built {
        self.prefixed(p, Rule::minus, UnOp::Neg)
    }

    /// `op* operand`: the operators apply innermost last-written first.
    fn prefixed(&self, p: Pair<'_, Rule>, op_rule: Rule, op: UnOp) -> Built {
        let mut ops = Vec::new();
        let mut operand = None;
        for q in p.into_inner() {
            if q.as_rule() == op_rule {
                ops.push(self.span(&q).0);
            } else {
                operand = Some(self.expr(q)?);
            }
        }
        let (mut e, mut depth) = operand.expect("operand");
        for start in ops.into_iter().rev() {
            let span = (start, e.span.1);
            e = Expr { kind: ExprKind::Unary(op, Box::new(e)), span };
            depth += 1;
        }
        Ok((e, depth))
    }

    fn atom(&self, p: Pair<'_, Rule>) -> Built {
        let span = self.span(&p);
        let leaf = |kind| Ok((Expr { kind, span }, 1));
        match p.as_rule() {
            Rule::paren => {
                let inner = p.into_inner().next().expect("parenthesised expression");
                let (mut e, d) = self.expr(inner)?;
                e.span = span;
                Ok((e, d))
            }
            Rule::list => {
                let mut items = Vec::new();
                let mut depth = 0;
                for q in p.into_inner().filter(|q| q.as_rule() == Rule::expr) {
                    let (e, d) = self.expr(q)?;
                    depth = depth.max(d);
                    items.push(e);
                }
                Ok((Expr { kind: ExprKind::List(items), span }, depth + 1))
            }
            Rule::call => {
                let mut inner = p.into_inner();
                let name = inner.next().expect("function name");
                let name_span = self.span(&name);
                let mut args = Vec::new();
                let mut depth = 0;
                for q in inner.filter(|q| q.as_rule() == Rule::expr) {
                    let (e, d) = self.expr(q)?;
                    depth = depth.max(d);
                    args.push(e);
                }
                let kind = ExprKind::Call { name: name.as_str().to_string(), name_span, args };
                Ok((Expr { kind, span }, depth + 1))
            }
            Rule::number => leaf(ExprKind::Number(number(p.as_str(), span)?)),
            Rule::text => leaf(ExprKind::Text(unescape(p.as_str(), span)?)),
            Rule::keyword_lit => leaf(match p.as_str() {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                _ => ExprKind::Index,
            }),
            Rule::name => leaf(ExprKind::Name(p.as_str().to_string())),
            other => unreachable!("unexpected rule {other:?}"),
        }
    }
}

fn binary(op: BinOp, op_span: ESpan, lhs: Expr, rhs: Expr) -> Expr {
    let span = (lhs.span.0, rhs.span.1);
    Expr { kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}

/// Reads a number literal exactly (never through binary floating point).
pub(super) fn number(s: &str, span: ESpan) -> Result<Decimal, ExprError> {
    let digits = s.replace('.', "");
    let significant = digits.trim_start_matches('0').len();
    if significant > MAX_DIGITS {
        return Err(ExprError::new(error::SYNTAX, span, format!("the number `{s}` has more than {MAX_DIGITS} significant digits"))
            .with_help("numbers are exact to 28 digits; shorten it"));
    }
    Decimal::from_str_exact(s).map_err(|_| {
        ExprError::new(error::SYNTAX, span, format!("the number `{s}` has too many decimal places"))
            .with_help("numbers are exact to 28 digits; shorten it")
    })
}

/// Resolves the escapes `\" \' \\ \n` of a text literal (quotes included in `raw`).
pub(super) fn unescape(raw: &str, span: ESpan) -> Result<String, ExprError> {
    let inner: Vec<char> = raw.chars().collect();
    let inner = &inner[1..inner.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c == '\\' {
            let next = inner[i + 1];
            out.push(match next {
                '"' => '"',
                '\'' => '\'',
                '\\' => '\\',
                'n' => '\n',
                other => {
                    let at = span.0 + 1 + i as u32;
                    return Err(ExprError::new(error::SYNTAX, (at, at + 2), format!("unknown escape `\\{other}` in a text")).with_help(
                        "inside quotes, a backslash may only come before `\"`, `'`, `\\` or `n`; write `\\\\` for a backslash",
                    ));
                }
            });
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sx(src: &str) -> String {
        parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}")).sexpr()
    }

    fn err(src: &str) -> ExprError {
        parse(src).expect_err(src)
    }

    #[test]
    fn precedence() {
        assert_eq!(sx("a or b and not c"), "(or a (and b (not c)))");
        assert_eq!(sx("a + b * c - d / e"), "(- (+ a (* b c)) (/ d e))");
        assert_eq!(sx("not a == 1 and b"), "(and (not (== a 1)) b)");
        assert_eq!(sx("-a * -2"), "(* (neg a) (neg 2))");
        assert_eq!(sx("(a + b) * c"), "(* (+ a b) c)");
        assert_eq!(sx("a - b - c"), "(- (- a b) c)");
        assert_eq!(sx("x + 1 >= y * 2"), "(>= (+ x 1) (* y 2))");
        assert_eq!(sx("\"hund\" in tiere or x"), "(or (in \"hund\" tiere) x)");
        assert_eq!(sx("not not a"), "(not (not a))");
        assert_eq!(sx("a and b or c and d"), "(or (and a b) (and c d))");
    }

    #[test]
    fn literals_and_calls() {
        assert_eq!(sx("3.50"), "3.50");
        assert_eq!(sx("'it\\'s' + \"a \\\"b\\\" \\\\ \\n\""), "(+ \"it's\" \"a \\\"b\\\" \\\\ \\n\")");
        assert_eq!(sx("[\"a\", 'b']"), "[\"a\" \"b\"]");
        assert_eq!(sx("[]"), "[]");
        assert_eq!(sx("true and false or index"), "(or (and true false) index)");
        assert_eq!(sx("date(\"2026-01-31\")"), "(date \"2026-01-31\")");
        assert_eq!(sx("today()"), "(today)");
        assert_eq!(sx("max(a, b + 1, 3)"), "(max a (+ b 1) 3)");
        assert_eq!(sx("if(x, 'a', 'b')"), "(if x \"a\" \"b\")");
        // Keywords are whole words only.
        assert_eq!(sx("android or indexed or notes or in_x"), "(or (or (or android indexed) notes) in_x)");
        assert_eq!(sx("Vorname"), "Vorname");
    }

    #[test]
    fn numbers_are_exact() {
        let e = parse("0.1").unwrap();
        assert_eq!(e.kind, ExprKind::Number(Decimal::new(1, 1)));
        assert!(parse("1234567890123456789012345678").is_ok());
        assert!(parse("0.0001234567890123456789012345").is_ok());
        assert!(err("0.00000000000000000000000000001").message.contains("too many decimal places"));
        let e = err("12345678901234567890123456789");
        assert_eq!(e.code, "E0201");
        assert!(e.message.contains("28 significant digits"), "{e:?}");
        assert_eq!(e.span, (0, 29));
    }

    #[test]
    fn spans_are_character_offsets() {
        let e = parse("größe > 3").unwrap();
        let ExprKind::Binary { lhs, rhs, op_span, .. } = &e.kind else { panic!() };
        assert_eq!(lhs.span, (0, 5));
        assert_eq!(op_span, &(6, 7));
        assert_eq!(rhs.span, (8, 9));
        assert_eq!(e.span, (0, 9));
        let e = parse("'ä' + len(x)").unwrap();
        let ExprKind::Binary { rhs, .. } = &e.kind else { panic!() };
        let ExprKind::Call { name_span, args, .. } = &rhs.kind else { panic!() };
        assert_eq!(rhs.span, (6, 12));
        assert_eq!(name_span, &(6, 9));
        assert_eq!(args[0].span, (10, 11));
        // Parenthesised expressions span their parentheses.
        assert_eq!(parse(" (a) ").unwrap().span, (1, 4));
    }

    #[test]
    fn syntax_errors_point_at_the_offending_character() {
        let e = err("ä y");
        assert_eq!(e.code, "E0201");
        assert_eq!(e.span, (2, 3));
        assert_eq!(e.message, "expected an operator or the end of the expression, but found `y`");
        let e = err("a +");
        assert_eq!(e.span, (3, 3));
        assert!(e.message.starts_with("expected a value"), "{e:?}");
        assert!(e.message.ends_with("but found the end of the expression"), "{e:?}");
        let e = err("a = 1");
        assert_eq!(e.span, (2, 3));
        assert_eq!(e.help.as_deref(), Some("to compare, write `==`"));
        let e = err("f(a b)");
        assert_eq!(e.span, (4, 5));
        assert_eq!(e.message, "expected an operator, `,` or `)`, but found `b`");
        let e = err("a && b");
        assert_eq!(e.help.as_deref(), Some("write `and` instead of `&&`"));
        let e = err("1.");
        assert_eq!(e.span, (1, 2));
        let e = err("   ");
        assert_eq!(e.message, "the expression is empty");
    }

    #[test]
    fn a_decimal_comma_gets_a_hint() {
        // Issue #20, point 10.
        let e = err("betrag > 0,5");
        assert_eq!((e.code, e.span), ("E0201", (10, 11)));
        assert_eq!(e.help.as_deref(), Some("numbers in expressions are written with a decimal point: write `0.5` instead of `0,5`"));
        assert_eq!(
            err("12,50").help.as_deref(),
            Some("numbers in expressions are written with a decimal point: write `12.50` instead of `12,50`")
        );
        // A comma that is not between digits keeps the general help.
        assert!(!err("a, 5").help.unwrap_or_default().contains("decimal point"));
        // Inside a call the comma separates arguments.
        assert!(parse("round(x, 2)").is_ok());
    }

    #[test]
    fn brackets_and_quotes() {
        let e = err("(a + (b)");
        assert_eq!((e.code, e.span, e.message.as_str()), ("E0201", (0, 1), "unclosed parenthesis: add `)`"));
        let e = err("[\"a\"");
        assert_eq!(e.message, "unclosed list: add `]`");
        let e = err("a)");
        assert_eq!((e.span, e.message.as_str()), ((1, 2), "this `)` has no matching `(`"));
        let e = err("(a]");
        assert_eq!(e.span, (2, 3));
        let e = err("x == \"abc");
        assert_eq!((e.span, e.message.as_str()), ((5, 9), "unterminated text: add the closing quote"));
        let e = err("x == 'a\\'");
        assert_eq!(e.message, "unterminated text: add the closing quote");
        let e = err("\"a\\tb\"");
        assert_eq!((e.code, e.span), ("E0201", (2, 4)));
        // Brackets inside texts do not count.
        assert_eq!(sx("\"(\" + ')'"), "(+ \"(\" \")\")");
    }

    #[test]
    fn comparisons_do_not_chain() {
        let e = err("a < b < c");
        assert_eq!(e.code, "E0207");
        assert_eq!(e.span, (6, 7));
        assert!(e.message.starts_with("comparisons do not chain"));
        assert_eq!(err("a == b != c").code, "E0207");
        assert_eq!(sx("(a < b) == c"), "(== (< a b) c)");
    }

    #[test]
    fn bounds() {
        let long = format!("a{}", " + a".repeat(1000));
        let e = err(&long);
        assert_eq!(e.code, "E0211");
        let deep = format!("{}a{}", "(".repeat(65), ")".repeat(65));
        let e = err(&deep);
        assert_eq!((e.code, e.span), ("E0211", (64, 65)));
        let ok = format!("{}a{}", "(".repeat(64), ")".repeat(64));
        assert_eq!(sx(&ok), "a");
        let calls = format!("{}x{}", "f(".repeat(64), ")".repeat(64));
        assert!(parse(&calls).is_ok());
        // Long flat chains are refused by tree depth, not by the stack.
        let chain = format!("a{}", " + a".repeat(300));
        assert_eq!(err(&chain).code, "E0211");
        let negs = format!("{}a", "-".repeat(300));
        assert_eq!(err(&negs).code, "E0211");
        let within = format!("a{}", " + a".repeat(200));
        assert!(parse(&within).is_ok());
    }

    /// The fast reader (`descent.rs`) and pest agree on every text the fast reader accepts:
    /// the same tree, spans and literals; and it accepts the common shapes (else the fast
    /// path would silently be gone).
    fn same_as_pest(src: &str) -> bool {
        if prescan(src).is_err() {
            return false;
        }
        let Some((fast, depth)) = super::super::descent::parse(src) else { return false };
        let pest = parse_pest(src);
        assert_eq!(format!("{pest:?}"), format!("{:?}", Ok::<_, ExprError>(fast)), "{src:?}");
        assert!(depth >= 1);
        true
    }

    #[test]
    fn the_fast_reader_builds_what_pest_builds() {
        let accepted = [
            "true",
            " false ",
            "0",
            "1000",
            "3.50",
            "007.10",
            "hub > 26",
            "f1>0",
            "not f4",
            "not not(a)",
            "notx and android or orb",
            "filled(f0) or f1_4",
            "filled (f0)",
            "age(f3) >= 18",
            "today()",
            "f1 * 12.5 + f2 - freibetrag / 12 + f0_8",
            "-a * -2",
            "- (a + b) * c",
            "a - -b",
            "a--b",
            "x in [1, 2, 3]",
            "\"hund\" in tiere or x",
            "'it\\'s' == \"a\\\"b\\\\c\\n\"",
            "count(kinder, alter < 18) + sum(kinder, betrag)",
            "[]",
            "max()",
            "(\n\ta\r\n)",
            "index + 1",
            "_x != trueish",
            "((((a))))",
        ];
        for src in accepted {
            assert!(same_as_pest(src), "the fast reader gave up on {src:?}");
        }
        // Errors and what the fast reader leaves to pest: pest's message stays.
        for src in [
            "a < b < c",
            "a = b",
            "a && b",
            "1.",
            "12x",
            "0,5",
            "true(1)",
            "in",
            "a and",
            "[1,]",
            "f(1,)",
            "größe > 1",
            "\"Müller\" == name",
            "\"a\\qb\"",
            "1234567890123456789012345678901",
            "a b",
            "!a",
        ] {
            assert!(!same_as_pest(src), "the fast reader accepted {src:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_reader_agrees_with_pest_on_token_soup(
            tokens in proptest::collection::vec(proptest::sample::select(vec![
                "a", "f1", "_x", "true", "false", "index", "not", "and", "or", "in", "android", "notx", "orb",
                "(", ")", "[", "]", ",", "+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "=", "!",
                "1", "1.5", "007", "1.", "2x", "\"t\"", "'x\\'y'", "\"\\n\"", "filled", "ä", " ", "  ", "\t", "\n",
            ]), 1..12),
            glue in proptest::collection::vec(proptest::bool::ANY, 12),
        ) {
            let mut src = String::new();
            for (t, g) in tokens.iter().zip(&glue) {
                src.push_str(t);
                if *g {
                    src.push(' ');
                }
            }
            same_as_pest(&src);
        }
    }
}
