//! Regular expressions of the form language: `pattern:` on fields (whole value) and
//! `matches(text, "regex")` in expressions (a part of the value).
//!
//! Two builds, one meaning. With the `regex-build` feature (the server, the CLI: every
//! native build by default) a [`Pattern`] is compiled from its source with the `regex`
//! crate, and the server decides with it. A compiled form is serialised as
//! `{"source": …, "dfa": …}`: `dfa` is the pattern compiled once more, on the server, into a
//! sparse DFA of `regex-automata` (the engine underneath `regex`, same syntax, same
//! semantics), serialised little-endian and base64-encoded. The browser build (no
//! `regex-build`) only deserialises and searches that DFA: no parser, no compiler, a few
//! kilobytes of code instead of some 270 KB gzip for `regex`.
//!
//! A pattern whose DFA would be larger than [`DFA_CAP`] (Unicode classes such as `\w{20}`
//! explode) or cannot be built (a Unicode `\b`) ships without `dfa`; the browser then does
//! not check it (`None` from the `is_match_*` methods: no pattern error, and `matches()` is
//! empty) and the server decides when the step is posted. A `\b` DFA gives up on non-ASCII
//! text the same way.
//!
//! Size and nesting limits keep a hostile form from making the compiler slow.

use std::fmt;

#[cfg(feature = "regex-build")]
use regex::{Regex, RegexBuilder};
use regex_automata::dfa::sparse;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest compiled program accepted, in bytes.
#[cfg(feature = "regex-build")]
const SIZE_LIMIT: usize = 1 << 20;
/// Deepest nesting of groups and repetitions accepted.
#[cfg(feature = "regex-build")]
const NEST_LIMIT: u32 = 64;
/// Largest serialised DFA shipped to the browser, in bytes (before base64). The form's JSON
/// is part of every step page, so this is page weight; the bundled forms' patterns are
/// between a few hundred bytes and a few kilobytes.
pub const DFA_CAP: usize = 16 * 1024;

/// The browser's automaton: searches only, deserialised from the bytes the server made.
type Dfa = sparse::DFA<Vec<u8>>;

/// A compiled regular expression that remembers its source.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    /// Finds the pattern anywhere in a value.
    #[cfg(feature = "regex-build")]
    compiled: Regex,
    /// The same pattern anchored at both ends, for whole-value matching: `^…$` around an
    /// alternation would only anchor its first and last branch, so the source is grouped.
    #[cfg(feature = "regex-build")]
    whole: Regex,
    /// The serialised DFA for the browser, made when the form is first serialised. Shared by
    /// the clones (the compiler clones one pattern into every field that uses it), so it is
    /// built once per pattern, not once per field.
    #[cfg(feature = "regex-build")]
    shipped: std::sync::Arc<std::sync::OnceLock<Option<String>>>,
    /// The DFA the server shipped, if it did (boxed: expressions hold patterns inline).
    #[cfg(not(feature = "regex-build"))]
    dfa: Option<Box<Dfa>>,
}

#[cfg(feature = "regex-build")]
impl Pattern {
    /// Compiles `src` (syntax of the Rust `regex` crate).
    pub fn new(src: &str) -> Result<Pattern, regex::Error> {
        let compiled = RegexBuilder::new(src).size_limit(SIZE_LIMIT).nest_limit(NEST_LIMIT).build()?;
        // One more level for the added group.
        let whole = RegexBuilder::new(&format!("^(?:{src})$")).size_limit(SIZE_LIMIT).nest_limit(NEST_LIMIT + 1).build()?;
        Ok(Pattern { source: src.to_string(), compiled, whole, shipped: Default::default() })
    }

    /// True when the pattern matches a part of `text` (`matches`). Always decided natively.
    pub fn is_match_part(&self, text: &str) -> Option<bool> {
        Some(self.compiled.is_match(text))
    }

    /// True when the pattern matches all of `text` (`pattern:` of a field). Always decided
    /// natively.
    pub fn is_match_whole(&self, text: &str) -> Option<bool> {
        Some(self.whole.is_match(text))
    }

    /// The serialised DFA (base64) the browser receives, or `None` when it is over
    /// [`DFA_CAP`] or cannot be built. Made once per pattern.
    pub fn shipped_dfa(&self) -> Option<&str> {
        self.shipped.get_or_init(|| build_dfa(&self.source).map(|b| base64::encode(&b))).as_deref()
    }
}

/// The pattern as a DFA that answers both questions: every match kept (`MatchKind::All`), so
/// an anchored search reaches the end of the text whenever any branch matches all of it.
/// Unanchored starts too when that fits under the cap; Unicode classes (`\d`, `\w`) mix the
/// unanchored prefix into every state and grow ten times larger, so such a pattern ships
/// anchored only and the browser tries each start position for `matches()`. The same syntax
/// settings as `regex` (Unicode, UTF-8).
#[cfg(feature = "regex-build")]
fn build_dfa(src: &str) -> Option<Vec<u8>> {
    use regex_automata::dfa::StartKind;
    [StartKind::Both, StartKind::Anchored].into_iter().find_map(|kind| build_dfa_with(src, kind))
}

#[cfg(feature = "regex-build")]
fn build_dfa_with(src: &str, start: regex_automata::dfa::StartKind) -> Option<Vec<u8>> {
    use regex_automata::MatchKind;
    use regex_automata::dfa::dense;
    use regex_automata::nfa::thompson;
    use regex_automata::util::syntax;

    let dense = dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::All)
                .start_kind(start)
                .minimize(true)
                // A `\b` is Unicode-aware in `regex`; the DFA gives up on non-ASCII text
                // rather than answer differently.
                .unicode_word_boundary(true)
                // Bounds the work for a pattern that will not fit anyway.
                .dfa_size_limit(Some(16 * DFA_CAP))
                .determinize_size_limit(Some(SIZE_LIMIT)),
        )
        .syntax(syntax::Config::new().nest_limit(NEST_LIMIT))
        .thompson(thompson::Config::new().nfa_size_limit(Some(SIZE_LIMIT)))
        .build(src)
        .ok()?;
    let bytes = dense.to_sparse().ok()?.to_bytes_little_endian();
    (bytes.len() <= DFA_CAP).then_some(bytes)
}

#[cfg(not(feature = "regex-build"))]
impl Pattern {
    /// A pattern received without a DFA (or made in a test): the browser does not check it.
    pub fn unchecked(src: &str) -> Pattern {
        Pattern { source: src.to_string(), dfa: None }
    }

    /// True when the pattern matches a part of `text` (`matches`); `None` when the server
    /// shipped no DFA or the DFA gave up on this text (`\b` and non-ASCII).
    pub fn is_match_part(&self, text: &str) -> Option<bool> {
        dfa_match_part(self.dfa.as_ref()?, text)
    }

    /// True when the pattern matches all of `text` (`pattern:` of a field); `None` as for
    /// [`Pattern::is_match_part`].
    pub fn is_match_whole(&self, text: &str) -> Option<bool> {
        dfa_match_whole(self.dfa.as_ref()?, text)
    }

    /// Whether the browser can check this pattern.
    pub fn is_checked(&self) -> bool {
        self.dfa.is_some()
    }
}

/// Reads a shipped DFA (base64 of the little-endian bytes); the bytes are validated.
#[cfg_attr(feature = "regex-build", allow(dead_code))]
fn decode_dfa(b64: &str) -> Result<Dfa, String> {
    let bytes = base64::decode(b64).ok_or("the pattern's DFA is not base64")?;
    let (dfa, _) = sparse::DFA::from_bytes(&bytes).map_err(|e| format!("the pattern's DFA: {e}"))?;
    Ok(dfa.to_owned())
}

/// `matches()` with a shipped DFA: a match anywhere. `None` when the DFA gives up (`\b`
/// and non-ASCII text).
#[cfg_attr(feature = "regex-build", allow(dead_code))]
fn dfa_match_part(dfa: &Dfa, text: &str) -> Option<bool> {
    use regex_automata::dfa::{Automaton, StartKind};
    use regex_automata::{Anchored, Input};
    if dfa.start_kind() != StartKind::Anchored {
        return dfa.try_search_fwd(&Input::new(text).earliest(true)).ok().map(|m| m.is_some());
    }
    // An anchored-only DFA (see `build_dfa`): a match starting at any character. The input
    // keeps the whole text, so `^` and `\b` see what comes before the start.
    let starts = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    for start in starts {
        let input = Input::new(text).range(start..).anchored(Anchored::Yes).earliest(true);
        if dfa.try_search_fwd(&input).ok()?.is_some() {
            return Some(true);
        }
    }
    Some(false)
}

/// `pattern:` with a shipped DFA: all of the text. The DFA keeps every match, so the last
/// match of an anchored search ends at the end of the text exactly when one branch matches
/// it all.
#[cfg_attr(feature = "regex-build", allow(dead_code))]
fn dfa_match_whole(dfa: &Dfa, text: &str) -> Option<bool> {
    use regex_automata::dfa::Automaton;
    use regex_automata::{Anchored, Input};
    let found = dfa.try_search_fwd(&Input::new(text).anchored(Anchored::Yes)).ok()?;
    Some(found.is_some_and(|m| m.offset() == text.len()))
}

impl Pattern {
    /// The regular expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// The regex crate's error in plain words, without its ASCII-art pointer.
#[cfg(feature = "regex-build")]
pub fn describe_error(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(s) => {
            s.lines().rev().find_map(|l| l.trim().strip_prefix("error: ")).unwrap_or("it is not a valid regular expression").to_string()
        }
        regex::Error::CompiledTooBig(_) => "it is too large".to_string(),
        _ => e.to_string(),
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Pattern {}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// How a pattern travels: its source, and the DFA when there is one.
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    source: std::borrow::Cow<'a, str>,
    #[serde(default, skip_serializing_if = "crate::form::binary::json_omits_none", borrow)]
    dfa: Option<std::borrow::Cow<'a, str>>,
}

/// Either the wire object or, as forms were serialised before, the source alone.
#[derive(Deserialize)]
#[serde(untagged)]
enum AnyWire<'a> {
    Source(String),
    #[serde(borrow)]
    Wire(Wire<'a>),
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[cfg(feature = "regex-build")]
        let dfa = self.shipped_dfa().map(std::borrow::Cow::Borrowed);
        // The browser build cannot serialise its DFA (that code is the builder's): a form it
        // serialises carries the sources only.
        #[cfg(not(feature = "regex-build"))]
        let dfa = None;
        Wire { source: std::borrow::Cow::Borrowed(&self.source), dfa }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `untagged` needs a self-describing format: the binary encoding (`form/binary.rs`)
        // has only ever written the wire object.
        let wire = if d.is_human_readable() { AnyWire::deserialize(d)? } else { AnyWire::Wire(Wire::deserialize(d)?) };
        let (src, dfa) = match wire {
            AnyWire::Source(s) => (s, None),
            AnyWire::Wire(w) => (w.source.into_owned(), w.dfa),
        };
        #[cfg(feature = "regex-build")]
        {
            // The server trusts only its own compilation: the shipped DFA is made again.
            let _ = dfa;
            Pattern::new(&src).map_err(|e| serde::de::Error::custom(describe_error(&e)))
        }
        #[cfg(not(feature = "regex-build"))]
        {
            let dfa = dfa.map(|b64| decode_dfa(&b64).map(Box::new)).transpose().map_err(serde::de::Error::custom)?;
            Ok(Pattern { source: src, dfa })
        }
    }
}

/// Base64 (standard alphabet, padded) for the DFA bytes in JSON: a few lines instead of a
/// dependency.
mod base64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// Encodes `bytes`.
    #[cfg_attr(not(any(test, feature = "regex-build")), allow(dead_code))]
    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Decodes `text`; `None` when it is not padded base64.
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let text = text.as_bytes();
        if !text.len().is_multiple_of(4) {
            return None;
        }
        let mut out = Vec::with_capacity(text.len() / 4 * 3);
        for chunk in text.chunks(4) {
            let pad = chunk.iter().rev().take_while(|c| **c == b'=').count();
            if pad > 2 {
                return None;
            }
            let mut n = 0u32;
            for (i, c) in chunk.iter().enumerate() {
                let v = if i >= 4 - pad { 0 } else { ALPHABET.iter().position(|a| a == c)? as u32 };
                n |= v << (18 - 6 * i);
            }
            out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
        }
        Some(out)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn round_trip() {
            for len in 0..10 {
                let bytes: Vec<u8> = (0..len).map(|i| (i * 97 + 13) as u8).collect();
                let text = super::encode(&bytes);
                assert_eq!(super::decode(&text), Some(bytes));
            }
            assert_eq!(super::encode(b"Man"), "TWFu");
            assert_eq!(super::encode(b"Ma"), "TWE=");
            assert_eq!(super::decode("TQ=="), Some(b"M".to_vec()));
            assert_eq!(super::decode("TQ="), None);
            assert_eq!(super::decode("T!=="), None);
        }
    }
}

#[cfg(all(test, feature = "regex-build"))]
mod tests {
    use super::*;

    #[test]
    fn part_and_whole() {
        let p = Pattern::new("[0-9]{5}").unwrap();
        assert_eq!(p.is_match_part("PLZ 12345"), Some(true));
        assert_eq!(p.is_match_whole("PLZ 12345"), Some(false));
        assert_eq!(p.is_match_whole("12345"), Some(true));
        // The anchors cover every branch of an alternation.
        let p = Pattern::new("a|b").unwrap();
        assert_eq!(p.is_match_whole("a"), Some(true));
        assert_eq!(p.is_match_whole("ab"), Some(false));
        assert_eq!(p.is_match_part("xbx"), Some(true));
    }

    #[test]
    fn serde_is_the_source_and_the_dfa() {
        let p = Pattern::new("^a+$").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.starts_with(r#"{"source":"^a+$","dfa":""#), "{json}");
        let back: Pattern = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.is_match_part("aaa"), Some(true));
        // Forms serialised before the DFA was shipped.
        let old: Pattern = serde_json::from_str("\"^a+$\"").unwrap();
        assert_eq!(old, p);
        let err = serde_json::from_str::<Pattern>("\"(a\"").unwrap_err();
        assert!(err.to_string().contains("unclosed group"), "{err}");
    }

    /// A clone (each field that uses a pattern holds one) shares the DFA made for the
    /// browser: serialising a form builds it once per pattern.
    #[test]
    fn clones_share_the_shipped_dfa() {
        let p = Pattern::new("[0-9]{5}").unwrap();
        let q = p.clone();
        let a = p.shipped_dfa().expect("fits under the cap");
        let b = q.shipped_dfa().expect("fits under the cap");
        assert!(std::ptr::eq(a, b), "the clone built its own DFA");
    }

    #[test]
    fn dfa_over_the_cap_is_not_shipped() {
        assert!(Pattern::new("[0-9]{5}").unwrap().shipped_dfa().is_some());
        // Ten Unicode word characters: over the cap even anchored.
        let p = Pattern::new(r"\w{10}").unwrap();
        assert_eq!(p.shipped_dfa(), None);
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"source":"\\w{10}"}"#);
    }

    /// The browser's answers (the shipped DFA) are the server's (`regex`), for patterns of
    /// every kind and texts around them; `None` only where the DFA gives up.
    #[test]
    fn shipped_dfa_agrees_with_regex() {
        let patterns = [
            "[0-9]{5}",
            "^HRA",
            "a|ab",
            "(HRA|HRB|GnR|VR|GsR) ?[0-9]{1,6}( ?[A-Z]{1,2})?",
            "[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2} ?[1-9][0-9]{0,3}[EH]?",
            "https?://[^ ]+",
            r"\d{5}",
            r"\w+",
            "[a-z]+@[a-z]+",
            r"(?i)straße",
            r"\bfoo\b",
            "x*",
            "^$",
            r"\p{Lu}[a-zäöüß]+",
            r"[^\s]{2,4}",
            "ab$",
        ];
        let texts = [
            "",
            "12345",
            "123456",
            "PLZ 12345 Berlin",
            "HRA 123",
            "HRB12345 AB",
            "xHRA",
            "a",
            "ab",
            "abc",
            "B-AB 123",
            "Ä-X 9E",
            "M-Z1234",
            "https://example.org/a",
            "http://x y",
            "１２３４５",
            "٣٤٥٦٧",
            "jo@example",
            "Jörg@beispiel",
            "STRASSE",
            "Straße",
            "STRAẞE",
            "foo",
            "a foo b",
            "föo foo",
            "foox",
            "Müller",
            "ÖL",
            "  ",
            "x\ny",
            "cab",
            "ab\n",
        ];
        for src in patterns {
            let p = Pattern::new(src).unwrap();
            let dfa = decode_dfa(p.shipped_dfa().unwrap_or_else(|| panic!("{src}: no DFA"))).unwrap();
            for t in texts {
                // The DFA may give up only where it must (a `\b` before non-ASCII text); when
                // it answers, it answers as `regex` does.
                let may_give_up = src.contains(r"\b") && !t.is_ascii();
                for (dfa_says, regex_says, what) in
                    [(dfa_match_part(&dfa, t), p.is_match_part(t), "part"), (dfa_match_whole(&dfa, t), p.is_match_whole(t), "whole")]
                {
                    match dfa_says {
                        None => assert!(may_give_up, "{what}: {src} on {t:?} not decided"),
                        Some(_) => assert_eq!(dfa_says, regex_says, "{what}: {src} on {t:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn unicode_classes_ship_anchored() {
        use regex_automata::dfa::StartKind;
        let p = Pattern::new(r"\d{5}").unwrap();
        let dfa = decode_dfa(p.shipped_dfa().unwrap()).unwrap();
        assert_eq!(dfa.start_kind(), StartKind::Anchored);
        let p = Pattern::new("[0-9]{5}").unwrap();
        assert_eq!(decode_dfa(p.shipped_dfa().unwrap()).unwrap().start_kind(), StartKind::Both);
        assert!(decode_dfa("AAAA").is_err());
        assert!(decode_dfa("!").is_err());
    }

    #[test]
    fn errors_and_limits() {
        let e = Pattern::new("(abc").unwrap_err();
        assert_eq!(describe_error(&e), "unclosed group");
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(Pattern::new(&deep).is_err());
        assert!(Pattern::new("a{1000}{1000}").is_err());
        assert_eq!(format!("{:?}", Pattern::new("x").unwrap()), "Pattern(\"x\")");
    }
}
