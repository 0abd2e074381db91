//! Sample answers for the generated smoke scenarios: a text that matches a pattern and the
//! length limits, a number and a date within bounds.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Longest text answer the engine accepts (`max_length` cannot be larger, E0311).
pub const ANSWER_MAX: u64 = engine::compile::limits::MAX_ANSWER_LENGTH as u64;

/// What a `text` field allows without `max_length` (docs/form-language.md#min-length-max-length; found by fuzzing: a pattern that
/// needs more characters).
pub const TEXT_DEFAULT_MAX: u64 = 500;

/// How many lengths past the minimum the search tries before it gives up.
const LENGTHS_PAST_MIN: usize = 4096;

/// A text that a text field with this pattern and these length limits accepts, if one is
/// found: "Muster" when that fits, else the shortest text the pattern's automaton accepts
/// within the limits (see [`search`]).
pub fn text(pattern: Option<&str>, min_len: Option<u64>, max_len: Option<u64>) -> Option<String> {
    let min = usize::try_from(min_len.unwrap_or(0)).unwrap_or(usize::MAX).max(1);
    let max = usize::try_from(max_len.unwrap_or(TEXT_DEFAULT_MAX)).unwrap_or(usize::MAX);
    if min > max {
        return None;
    }
    let mut plain = "Muster".to_string();
    while plain.chars().count() < min {
        plain.push('x');
    }
    let plain: String = plain.chars().take(max).collect();
    if fits(&plain, pattern, min_len, max_len) {
        return Some(plain);
    }
    let found = match pattern {
        Some(p) => match search(p, min, max) {
            Ok(found) => found?,
            // A pattern the automaton cannot be built for (too large): the first strings the
            // expression's structure suggests.
            Err(TooLarge) => {
                let hir = regex_syntax::parse(p).ok()?;
                (0..=64).map(|extra| generate(&hir, extra)).find(|s| s.chars().all(usable) && fits(s, pattern, min_len, max_len))?
            }
        },
        None => return None,
    };
    fits(&found, pattern, min_len, max_len).then_some(found)
}

/// True when a text field with this pattern and these length limits accepts `s` as it is:
/// the engine's normalisation (NFC, trimmed) leaves it unchanged, its length in characters is
/// within the limits, and the pattern matches all of it.
pub fn fits(s: &str, pattern: Option<&str>, min_len: Option<u64>, max_len: Option<u64>) -> bool {
    let n = engine::checks::char_len(s) as u64;
    engine::checks::normalize_text(s) == s
        && n >= min_len.unwrap_or(0).max(1)
        && n <= max_len.unwrap_or(TEXT_DEFAULT_MAX)
        && pattern.is_none_or(|p| regex::Regex::new(&format!("^(?:{p})$")).is_ok_and(|r| r.is_match(s)))
}

/// The shortest text of `min..=max` characters that the pattern matches whole, found by a
/// breadth-first walk over the states of its DFA (one layer per character), preferring
/// letters and digits. No control characters, no combining marks (NFC would change the
/// text), no whitespace at either end (the engine trims). `None` when no text is accepted
/// within the limits (or within [`LENGTHS_PAST_MIN`] characters past the minimum);
/// [`TooLarge`] when the DFA cannot be built within a few megabytes.
fn search(pattern: &str, min: usize, max: usize) -> Result<Option<String>, TooLarge> {
    use regex_automata::dfa::Automaton;
    use regex_automata::dfa::dense;
    use regex_automata::nfa::thompson;
    use regex_automata::util::primitives::StateID;
    use regex_automata::util::syntax;
    use regex_automata::{Anchored, Input};

    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(regex_automata::dfa::StartKind::Anchored)
                .unicode_word_boundary(true)
                .dfa_size_limit(Some(4 << 20))
                .determinize_size_limit(Some(4 << 20)),
        )
        .syntax(syntax::Config::new().nest_limit(64))
        .thompson(thompson::Config::new().nfa_size_limit(Some(1 << 20)))
        .build(pattern)
        .map_err(|_| TooLarge)?;
    let start = dfa.start_state_forward(&Input::new("").anchored(Anchored::Yes)).map_err(|_| TooLarge)?;
    let live = |s: StateID| !dfa.is_dead_state(s) && !dfa.is_quit_state(s);

    // The characters that lead out of each state, one per (next state, is whitespace).
    let mut successors: std::collections::HashMap<StateID, Vec<(char, StateID)>> = Default::default();
    let mut out_of = |s: StateID| -> Vec<(char, StateID)> {
        successors
            .entry(s)
            .or_insert_with(|| {
                let mut out: Vec<(char, StateID)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                let mut add = |c: char, t: StateID| {
                    if seen.insert((t, c.is_whitespace())) {
                        out.push((c, t));
                    }
                };
                for b in PREFERRED.bytes().chain(0x20..0x7f) {
                    let t = dfa.next_state(s, b);
                    if live(t) {
                        add(b as char, t);
                    }
                }
                // Multi-byte characters: a lead byte, then continuation bytes; the DFA
                // only accepts valid UTF-8, so dead ends are cut off as they come.
                let mut stack: Vec<(StateID, Vec<u8>)> = Vec::new();
                let mut visited = std::collections::HashSet::new();
                // Pushed in reverse, so that the lowest code points come out first.
                for lead in (0xc2u8..=0xf4).rev() {
                    let t = dfa.next_state(s, lead);
                    if live(t) {
                        stack.push((t, vec![lead]));
                    }
                }
                while let Some((t, bytes)) = stack.pop() {
                    let need = match bytes[0] {
                        0xc2..=0xdf => 2,
                        0xe0..=0xef => 3,
                        _ => 4,
                    };
                    if bytes.len() == need {
                        if let Some(c) = std::str::from_utf8(&bytes).ok().and_then(|x| x.chars().next())
                            && usable(c)
                        {
                            add(c, t);
                        }
                        continue;
                    }
                    if !visited.insert((t, bytes.len(), need)) {
                        continue;
                    }
                    for cont in (0x80u8..=0xbf).rev() {
                        let u = dfa.next_state(t, cont);
                        if live(u) {
                            let mut more = bytes.clone();
                            more.push(cont);
                            stack.push((u, more));
                        }
                    }
                }
                out
            })
            .clone()
    };

    // layers[n]: the (state, ends in whitespace) reached with n characters, each with the
    // entry of layer n-1 it came from and the character taken.
    let mut layers: Vec<Vec<(StateID, bool, usize, char)>> = vec![vec![(start, false, 0, '\0')]];
    let limit = max.min(min.saturating_add(LENGTHS_PAST_MIN));
    for n in 1..=limit {
        let mut next = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, &(s, _, _, _)) in layers[n - 1].iter().enumerate() {
            for (c, t) in out_of(s) {
                let space = c.is_whitespace();
                if (n == 1 && space) || !seen.insert((t, space)) {
                    continue;
                }
                next.push((t, space, i, c));
            }
        }
        if next.is_empty() {
            return Ok(None);
        }
        let done =
            (n >= min).then(|| next.iter().position(|&(t, space, _, _)| !space && dfa.is_match_state(dfa.next_eoi_state(t)))).flatten();
        layers.push(next);
        if let Some(mut i) = done {
            let mut chars = Vec::with_capacity(n);
            for layer in layers[1..].iter().rev() {
                let (_, _, from, c) = layer[i];
                chars.push(c);
                i = from;
            }
            return Ok(Some(chars.into_iter().rev().collect()));
        }
    }
    Ok(None)
}

/// The pattern's DFA would be too large to search.
struct TooLarge;

/// Tried first, so that samples read like words and numbers.
const PREFERRED: &str = "MusterAa1x0";

/// A character a sample may contain: no control character, and one that NFC leaves alone
/// on its own and does not combine with what comes before it.
fn usable(c: char) -> bool {
    use unicode_normalization::UnicodeNormalization;
    !c.is_control() && !unicode_normalization::char::is_combining_mark(c) && c.to_string().nfc().eq(std::iter::once(c))
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

/// A number of the field type `ty` (`number`, `integer`, `money`) within the bounds: the
/// smallest allowed value (for `integer` the minimum rounded up to a whole number, for `money`
/// to the cent), else 1 (or the largest allowed value, when that is below 1). `None` when no
/// such value exists (`integer` between 1.2 and 1.8).
pub fn number(ty: &str, min: Option<&str>, max: Option<&str>) -> Option<String> {
    use rust_decimal::{Decimal, RoundingStrategy};
    let places = match ty {
        "integer" => Some(0),
        "money" => Some(2),
        _ => None,
    };
    let bound = |v: Option<&str>, up: bool| -> Option<Decimal> {
        let d = engine::checks::parse_plain_decimal(v?)?;
        Some(match places {
            Some(p) => {
                d.round_dp_with_strategy(p, if up { RoundingStrategy::ToPositiveInfinity } else { RoundingStrategy::ToNegativeInfinity })
            }
            None => d,
        })
    };
    let (lo, hi) = (bound(min, true), bound(max, false));
    let pick = match (lo, hi) {
        (Some(lo), Some(hi)) if lo > hi => return None,
        (Some(lo), _) => lo,
        (None, Some(hi)) if hi < Decimal::ONE => hi,
        _ => Decimal::ONE,
    };
    Some(engine::checks::canonical(&pick))
}

/// Whether the plain decimal `v` is an answer a field of type `ty` (`number`, `integer`,
/// `money`) holds: a whole number for `integer`, at most cents for `money`.
pub fn is_number_of(ty: &str, v: &str) -> bool {
    let exact = engine::checks::parse_plain_decimal(v);
    exact.is_some() && number(ty, Some(v), Some(v)).is_some_and(|x| engine::checks::parse_plain_decimal(&x) == exact)
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
        assert_eq!(text(Some("([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}"), Some(5), Some(5)).unwrap(), "11111");
        assert_eq!(text(Some(r"[\p{L}0-9. ]*"), Some(1), Some(2)).unwrap(), "Mu");
        assert_eq!(text(Some("[A-Z]{2}-[0-9]+"), None, None).unwrap(), "MM-1");
        // Found by fuzzing: the first strings of the expression were too short or too long.
        assert_eq!(text(Some("[A-ZÄÖÜ]{1,3}-[A-Z]{1,2}[0-9]{1,4}"), Some(6), Some(12)).unwrap(), "MMM-M1");
        assert_eq!(text(Some("[ÄÖÜ]+"), Some(2), None).unwrap(), "ÄÄ");
        assert_eq!(text(Some("(ab|c)+"), Some(4), Some(4)).unwrap(), "abab");
        // Whitespace only inside: the engine trims what is typed.
        assert_eq!(text(Some(" ?[0-9] [0-9] ?"), None, None).unwrap(), "1 1");
        // No answer exists: the pattern needs 5 characters, at most 2 are allowed; the
        // pattern needs a control character; the pattern matches nothing.
        assert_eq!(text(Some("[0-9]{5}"), None, Some(2)), None);
        assert_eq!(text(Some("[A-Z]{1,3}max_length-[A-Z]{1,2}[0-9]{1,4}"), Some(3), Some(12)), None);
        assert_eq!(text(Some("\\x{7f}+"), None, None), None);
        assert_eq!(text(Some("[a&&b]"), None, None), None);
        assert_eq!(text(None, Some(3), Some(2)), None);
        assert_eq!(number("integer", Some("1850"), Some("2025")).unwrap(), "1850");
        assert_eq!(number("number", None, Some("-5")).unwrap(), "-5");
        // Found by fuzzing: the bound itself is no whole number or no amount in cents.
        assert_eq!(number("integer", Some("1.5"), None).unwrap(), "2");
        assert_eq!(number("money", Some("0.001"), Some("1")).unwrap(), "0.01");
        assert_eq!(number("integer", None, Some("-0.5")).unwrap(), "-1");
        assert_eq!(number("integer", Some("1.2"), Some("1.8")), None);
        assert_eq!(number("number", Some("1.2"), Some("1.8")).unwrap(), "1.2");
        assert!(is_number_of("integer", "2.0") && !is_number_of("integer", "1.5"));
        assert!(is_number_of("money", "1.5") && !is_number_of("money", "1.555"));
        assert!(is_number_of("number", "1.555") && !is_number_of("number", "x"));
        assert_eq!(date(None, None), "2000-01-01");
    }
}
