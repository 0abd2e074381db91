//! Regular expressions of the form language: `pattern:` on fields (whole value) and
//! `matches(text, "regex")` in expressions (a part of the value).
//!
//! A [`Pattern`] is serialised as its source text only, so a compiled form ships it to the
//! browser as a plain string; deserialising compiles it again and fails on an invalid one.
//! Size and nesting limits keep a hostile form from making the compiler slow.

use std::fmt;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest compiled program accepted, in bytes.
const SIZE_LIMIT: usize = 1 << 20;
/// Deepest nesting of groups and repetitions accepted.
const NEST_LIMIT: u32 = 64;

/// A compiled regular expression that remembers its source.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    /// Finds the pattern anywhere in a value.
    compiled: Regex,
    /// The same pattern anchored at both ends, for whole-value matching: `^…$` around an
    /// alternation would only anchor its first and last branch, so the source is grouped.
    whole: Regex,
}

impl Pattern {
    /// Compiles `src` (syntax of the Rust `regex` crate).
    pub fn new(src: &str) -> Result<Pattern, regex::Error> {
        let compiled = RegexBuilder::new(src).size_limit(SIZE_LIMIT).nest_limit(NEST_LIMIT).build()?;
        // One more level for the added group.
        let whole = RegexBuilder::new(&format!("^(?:{src})$")).size_limit(SIZE_LIMIT).nest_limit(NEST_LIMIT + 1).build()?;
        Ok(Pattern { source: src.to_string(), compiled, whole })
    }

    /// The regular expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the pattern matches a part of `text` (`matches`).
    pub fn is_match_part(&self, text: &str) -> bool {
        self.compiled.is_match(text)
    }

    /// True when the pattern matches all of `text` (`pattern:` of a field).
    pub fn is_match_whole(&self, text: &str) -> bool {
        self.whole.is_match(text)
    }
}

/// The regex crate's error in plain words, without its ASCII-art pointer.
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

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let src = String::deserialize(d)?;
        Pattern::new(&src).map_err(|e| serde::de::Error::custom(describe_error(&e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_and_whole() {
        let p = Pattern::new("[0-9]{5}").unwrap();
        assert!(p.is_match_part("PLZ 12345"));
        assert!(!p.is_match_whole("PLZ 12345"));
        assert!(p.is_match_whole("12345"));
        // The anchors cover every branch of an alternation.
        let p = Pattern::new("a|b").unwrap();
        assert!(p.is_match_whole("a"));
        assert!(!p.is_match_whole("ab"));
        assert!(p.is_match_part("xbx"));
    }

    #[test]
    fn serde_is_the_source() {
        let p = Pattern::new("^a+$").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"^a+$\"");
        let back: Pattern = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert!(back.is_match_part("aaa"));
        let err = serde_json::from_str::<Pattern>("\"(a\"").unwrap_err();
        assert!(err.to_string().contains("unclosed group"), "{err}");
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
