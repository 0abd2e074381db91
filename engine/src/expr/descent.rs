//! A hand-written recursive-descent reader of `grammar.pest` for expressions that parse
//! without an error: the fast path of [`super::parse::parse`].
//!
//! pest took a third of compiling a large form (about 20,000 instructions per expression,
//! issue #19); most expressions are short (`true`, `0`, `hub > 26`, `filled(f0)`). This reader
//! follows the same grammar (loosest operator first, the same atoms in the same order) and
//! builds the same [`Expr`], spans and depth included, through the same literal readers
//! (`number`, `unescape`). It gives up (`None`) on anything it is not sure of: any syntax
//! error, any non-ASCII text, a chained comparison, a literal the readers refuse, deep
//! nesting. pest then parses the text again and produces the error exactly as before, so
//! every message stays pest's. `parse::tests` holds the two readers to the same trees.

use super::ESpan;
use super::ast::{BinOp, Expr, ExprKind, UnOp};

/// Bracket nesting beyond which this reader leaves the text to pest (whose builder grows
/// the stack for deep trees).
const MAX_DEPTH: u32 = 24;

/// The expression of `src`, or `None` when pest should read it. `src` has passed the
/// length and bracket pre-scan.
pub(super) fn parse(src: &str) -> Option<(Expr, u32)> {
    if !src.is_ascii() {
        return None;
    }
    let mut r = Reader { s: src.as_bytes(), i: 0, nesting: 0 };
    r.ws();
    let e = r.expr()?;
    r.ws();
    (r.i == r.s.len()).then_some(e)
}

type Built = Option<(Expr, u32)>;

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
    nesting: u32,
}

/// `ident_char` for ASCII: `XID_CONTINUE | "_"`.
fn ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn binary(op: BinOp, op_span: ESpan, lhs: Expr, rhs: Expr) -> Expr {
    let span = (lhs.span.0, rhs.span.1);
    Expr { kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}

impl Reader<'_> {
    /// pest's implicit `WHITESPACE` between the tokens of a non-atomic rule.
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\r' | b'\n') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, i: usize) -> u32 {
        i as u32
    }

    /// A word operator (`or`, `and`, `not`, `in`) at the current position, not followed by
    /// an identifier character.
    fn word(&self, w: &[u8]) -> bool {
        self.s[self.i..].starts_with(w) && !self.s.get(self.i + w.len()).is_some_and(|&b| ident_char(b))
    }

    /// `operand (op operand)*`, left-associative, as `parse::Builder::fold_left`.
    fn fold(&mut self, operand: fn(&mut Self) -> Built, op: fn(&Self) -> Option<(BinOp, usize)>) -> Built {
        let (mut acc, mut depth) = operand(self)?;
        loop {
            let save = self.i;
            self.ws();
            let Some((o, len)) = op(self) else {
                self.i = save;
                break;
            };
            let op_span = (self.at(self.i), self.at(self.i + len));
            self.i += len;
            self.ws();
            let (rhs, d) = operand(self)?;
            acc = binary(o, op_span, acc, rhs);
            depth = depth.max(d) + 1;
        }
        Some((acc, depth))
    }

    fn expr(&mut self) -> Built {
        self.fold(Self::conj, |r| r.word(b"or").then_some((BinOp::Or, 2)))
    }

    fn conj(&mut self) -> Built {
        self.fold(Self::negation, |r| r.word(b"and").then_some((BinOp::And, 3)))
    }

    /// `not_op* ~ cmp`.
    fn negation(&mut self) -> Built {
        let mut ops = Vec::new();
        while self.word(b"not") {
            ops.push(self.at(self.i));
            self.i += 3;
            self.ws();
        }
        let (mut e, mut depth) = self.cmp()?;
        for start in ops.into_iter().rev() {
            let span = (start, e.span.1);
            e = Expr { kind: ExprKind::Unary(UnOp::Not, Box::new(e)), span };
            depth += 1;
        }
        Some((e, depth))
    }

    fn cmp_op(&self) -> Option<(BinOp, usize)> {
        let rest = &self.s[self.i..];
        let two = |a: u8, b: u8| rest.len() >= 2 && rest[0] == a && rest[1] == b;
        if two(b'=', b'=') {
            Some((BinOp::Eq, 2))
        } else if two(b'!', b'=') {
            Some((BinOp::Ne, 2))
        } else if two(b'<', b'=') {
            Some((BinOp::Le, 2))
        } else if two(b'>', b'=') {
            Some((BinOp::Ge, 2))
        } else if rest.first() == Some(&b'<') {
            Some((BinOp::Lt, 1))
        } else if rest.first() == Some(&b'>') {
            Some((BinOp::Gt, 1))
        } else if self.word(b"in") {
            Some((BinOp::In, 2))
        } else {
            None
        }
    }

    /// `sum ~ (cmp_op ~ sum)*` with at most one comparison (a second is an error: pest's).
    fn cmp(&mut self) -> Built {
        let (lhs, d1) = self.sum()?;
        let save = self.i;
        self.ws();
        let Some((op, len)) = self.cmp_op() else {
            self.i = save;
            return Some((lhs, d1));
        };
        let op_span = (self.at(self.i), self.at(self.i + len));
        self.i += len;
        self.ws();
        let (rhs, d2) = self.sum()?;
        let save = self.i;
        self.ws();
        if self.cmp_op().is_some() {
            return None;
        }
        self.i = save;
        Some((binary(op, op_span, lhs, rhs), d1.max(d2) + 1))
    }

    fn sum(&mut self) -> Built {
        self.fold(Self::term, |r| match r.peek() {
            Some(b'+') => Some((BinOp::Add, 1)),
            Some(b'-') => Some((BinOp::Sub, 1)),
            _ => None,
        })
    }

    fn term(&mut self) -> Built {
        self.fold(Self::unary, |r| match r.peek() {
            Some(b'*') => Some((BinOp::Mul, 1)),
            Some(b'/') => Some((BinOp::Div, 1)),
            _ => None,
        })
    }

    /// `minus* ~ atom`.
    fn unary(&mut self) -> Built {
        let mut ops = Vec::new();
        while self.peek() == Some(b'-') {
            ops.push(self.at(self.i));
            self.i += 1;
            self.ws();
        }
        let (mut e, mut depth) = self.atom()?;
        for start in ops.into_iter().rev() {
            let span = (start, e.span.1);
            e = Expr { kind: ExprKind::Unary(UnOp::Neg, Box::new(e)), span };
            depth += 1;
        }
        Some((e, depth))
    }

    /// `expr ~ (comma ~ expr)*` up to `close`, the brackets' contents; the position is after
    /// `close`. Returns the items and their greatest depth.
    fn items(&mut self, close: u8) -> Option<(Vec<Expr>, u32)> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return None;
        }
        let mut items = Vec::new();
        let mut depth = 0;
        self.ws();
        if self.peek() == Some(close) {
            self.i += 1;
            self.nesting -= 1;
            return Some((items, depth));
        }
        loop {
            let (e, d) = self.expr()?;
            depth = depth.max(d);
            items.push(e);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b) if b == close => {
                    self.i += 1;
                    self.nesting -= 1;
                    return Some((items, depth));
                }
                _ => return None,
            }
        }
    }

    /// `paren | list | number | text | call | keyword_lit | name`.
    fn atom(&mut self) -> Built {
        let start = self.i;
        let leaf = |kind, end: usize| Some((Expr { kind, span: (start as u32, end as u32) }, 1));
        match self.peek()? {
            b'(' => {
                self.i += 1;
                self.nesting += 1;
                if self.nesting > MAX_DEPTH {
                    return None;
                }
                self.ws();
                let (mut e, d) = self.expr()?;
                self.ws();
                if self.peek() != Some(b')') {
                    return None;
                }
                self.i += 1;
                self.nesting -= 1;
                e.span = (start as u32, self.i as u32);
                Some((e, d))
            }
            b'[' => {
                self.i += 1;
                let (items, depth) = self.items(b']')?;
                Some((Expr { kind: ExprKind::List(items), span: (start as u32, self.i as u32) }, depth + 1))
            }
            b'0'..=b'9' => {
                while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    self.i += 1;
                }
                if self.peek() == Some(b'.') && self.s.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                    while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                        self.i += 1;
                    }
                }
                if self.peek().is_some_and(ident_char) {
                    return None;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                let span = (start as u32, self.i as u32);
                let n = super::parse::number(text, span).ok()?;
                leaf(ExprKind::Number(n), self.i)
            }
            q @ (b'"' | b'\'') => {
                self.i += 1;
                loop {
                    match self.peek()? {
                        b'\\' => {
                            self.s.get(self.i + 1)?;
                            self.i += 2;
                        }
                        b if b == q => break,
                        _ => self.i += 1,
                    }
                }
                self.i += 1;
                let raw = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                let text = super::parse::unescape(raw, (start as u32, self.i as u32)).ok()?;
                leaf(ExprKind::Text(text), self.i)
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                while self.peek().is_some_and(ident_char) {
                    self.i += 1;
                }
                let word = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                let end = self.i;
                match word {
                    "true" => return leaf(ExprKind::Bool(true), end),
                    "false" => return leaf(ExprKind::Bool(false), end),
                    "index" => return leaf(ExprKind::Index, end),
                    // Operators where a value belongs: a syntax error, pest's to report.
                    "and" | "or" | "not" | "in" => return None,
                    _ => {}
                }
                // `call = name ~ "(" ~ …`: whitespace may stand between the name and `(`.
                self.ws();
                if self.peek() == Some(b'(') {
                    self.i += 1;
                    let (args, depth) = self.items(b')')?;
                    let kind = ExprKind::Call { name: word.to_string(), name_span: (start as u32, end as u32), args };
                    return Some((Expr { kind, span: (start as u32, self.i as u32) }, depth + 1));
                }
                self.i = end;
                leaf(ExprKind::Name(word.to_string()), end)
            }
            _ => None,
        }
    }
}
