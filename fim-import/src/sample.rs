//! Sample answers for the generated smoke scenarios: a text that matches a pattern and the
//! length limits, a number and a date within bounds.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A text matching `pattern` (whole value) within the lengths, if one is found.
pub fn text(pattern: Option<&str>, min_len: Option<u64>, max_len: Option<u64>) -> Option<String> {
    let min = min_len.unwrap_or(0) as usize;
    let max = max_len.unwrap_or(500) as usize;
    let fits = |s: &str| {
        let n = s.chars().count();
        n >= min.max(1) && n <= max && s.trim() == s
    };
    let whole = match pattern {
        Some(p) => Some(regex::Regex::new(&format!("^(?:{p})$")).ok()?),
        None => None,
    };
    let ok = |s: &str| fits(s) && whole.as_ref().is_none_or(|r| r.is_match(s));
    let mut plain = "Muster".to_string();
    while plain.chars().count() < min {
        plain.push('x');
    }
    let plain: String = plain.chars().take(max).collect();
    if ok(&plain) {
        return Some(plain);
    }
    let hir = regex_syntax::parse(pattern?).ok()?;
    (0..=64).map(|extra| generate(&hir, extra)).find(|s| ok(s))
}

/// True when `s` passes a text field's pattern and length checks.
pub fn fits(s: &str, pattern: Option<&str>, min_len: Option<u64>, max_len: Option<u64>) -> bool {
    let n = s.chars().count() as u64;
    n >= min_len.unwrap_or(0)
        && n <= max_len.unwrap_or(500)
        && pattern.is_none_or(|p| regex::Regex::new(&format!("^(?:{p})$")).is_ok_and(|r| r.is_match(s)))
}

fn generate(h: &Hir, extra: u32) -> String {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => String::new(),
        HirKind::Literal(l) => String::from_utf8_lossy(&l.0).into_owned(),
        HirKind::Class(Class::Unicode(c)) => {
            let contains = |ch: char| c.ranges().iter().any(|r| r.start() <= ch && ch <= r.end());
            ['a', 'A', '1', 'x', '0', 'M']
                .into_iter()
                .find(|&ch| contains(ch))
                .or_else(|| {
                    c.ranges().iter().find_map(|r| {
                        let start = if r.start() < '!' { '!' } else { r.start() };
                        (start <= r.end()).then_some(start)
                    })
                })
                .map(String::from)
                .unwrap_or_default()
        }
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .find_map(|r| (r.start().max(b'!') <= r.end()).then(|| (r.start().max(b'!') as char).to_string()))
            .unwrap_or_default(),
        HirKind::Repetition(r) => {
            let n = r.max.map_or(r.min + extra, |m| (r.min + extra).min(m));
            let one = generate(&r.sub, extra);
            one.repeat(n as usize)
        }
        HirKind::Capture(c) => generate(&c.sub, extra),
        HirKind::Concat(v) => v.iter().map(|x| generate(x, extra)).collect(),
        HirKind::Alternation(v) => v.first().map(|x| generate(x, extra)).unwrap_or_default(),
    }
}

fn int(s: Option<&str>) -> Option<i128> {
    let s = s?;
    let whole = s.split('.').next()?;
    whole.parse().ok()
}

/// A number within the bounds: the minimum, else 1 (or the maximum, when it is below 1).
pub fn number(min: Option<&str>, max: Option<&str>) -> String {
    if let Some(m) = min {
        return m.to_string();
    }
    match (int(max), max) {
        (Some(x), Some(s)) if x < 1 => s.to_string(),
        _ => "1".into(),
    }
}

/// A date within the bounds, written `YYYY-MM-DD`.
pub fn date(min: Option<&str>, max: Option<&str>) -> String {
    match (min, max) {
        (Some(m), _) => m.to_string(),
        (None, Some(x)) if x < "2000-01-01" => x.to_string(),
        _ => "2000-01-01".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples() {
        assert_eq!(text(None, None, None).unwrap(), "Muster");
        assert_eq!(text(None, Some(8), None).unwrap(), "Musterxx");
        assert_eq!(text(None, None, Some(2)).unwrap(), "Mu");
        assert_eq!(text(Some("([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}"), Some(5), Some(5)).unwrap(), "01111");
        assert_eq!(text(Some(r"[\p{L}0-9. ]*"), Some(1), Some(2)).unwrap(), "Mu");
        assert_eq!(text(Some("[A-Z]{2}-[0-9]+"), None, None).unwrap(), "AA-1");
        assert_eq!(number(Some("1850"), Some("2025")), "1850");
        assert_eq!(number(None, Some("-5")), "-5");
        assert_eq!(date(None, None), "2000-01-01");
    }
}
