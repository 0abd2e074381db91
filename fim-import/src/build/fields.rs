//! One FIM data field → one node: its type, lengths, pattern, bounds, code list (as a
//! `lists:` entry or inline options), default, file types, and the comments that say what
//! was left out.

use crate::naming::{slug, valid_field_id};
use crate::sample;
use crate::xdf::{Field, Item};
use crate::yaml::Ans;

use super::{Builder, NamedList, Node, fmt_max};

/// The permitted characters of DIN 91379 / XÖV String.Latin 1.1 (`latinchars.xsd`), in Rust
/// syntax: the single characters and the combining sequences.
pub const LATIN_PATTERN: &str = r"(?:[\t\n\r -~¡-¬®-ćĊ-ěĞ-ģĦ-ıĴ-śŞ-ūŮ-žƏƠ-ơƯ-ưƷǍ-ǔǞ-ǟǤ-ǰǴ-ǵǺ-ǿȘ-țȞ-ȟȪ-ȫȮ-ȳəʒḂ-ḃḊ-ḋḐ-ḑḞ-ḡḤ-ḧḰ-ḱṀ-ṁṄ-ṅṖ-ṗṠ-ṣṪ-ṫẀ-ẅẌ-ẓẞẠ-ầẪ-ậẮ-ềỄ-ồỖ-ờỤ-ỹ€]|M\x{302}|N\x{302}|m\x{302}|n\x{302}|D\x{302}|d\x{302}|J\x{30C}|L\x{302}|l\x{302})*";

impl Builder<'_> {
    pub(crate) fn field_item(&mut self, f: &Field, item: &Item, parent: Option<usize>, in_repeat: bool) -> usize {
        let w0 = self.warnings.len();
        let i = self.field_item_inner(f, item, parent, in_repeat);
        self.note(w0, i);
        i
    }

    /// The warnings since `w0` also become comments on node `i`, where a reviewer sees them.
    pub(crate) fn note(&mut self, w0: usize, i: usize) {
        let notes: Vec<String> = self.warnings[w0..].iter().map(|w| format!("Import: {w}")).collect();
        self.nodes[i].comments.extend(notes);
    }

    pub(crate) fn field_item_inner(&mut self, f: &Field, item: &Item, parent: Option<usize>, in_repeat: bool) -> usize {
        if item.max == Some(1) || f.feldart == "label" {
            return self.field(f, item.min, parent);
        }
        if in_repeat {
            self.warnings.push(format!(
                "{} \"{}\" ({}:{}) is a repeated field inside a repeated group: it became a single field",
                f.common.id,
                f.common.title(),
                item.min,
                fmt_max(item.max)
            ));
            return self.field(f, item.min, parent);
        }
        let repeat = self.bounded_repeat(&format!("{} \"{}\"", f.common.id, f.common.title()), item.min, item.max);
        let w = self.push(Node {
            ty: "group",
            label: f.common.title().to_string(),
            title: f.common.title().to_string(),
            parent,
            wrapper: true,
            least: item.min,
            repeat: Some(repeat),
            ..Node::default()
        });
        self.field(f, 1, Some(w));
        w
    }

    pub(crate) fn field(&mut self, f: &Field, min: u32, parent: Option<usize>) -> usize {
        let c = &f.common;
        let mut n = Node {
            fim: c.id.clone(),
            label: c.title().to_string(),
            hint: c.hint.clone(),
            title: c.title().to_string(),
            name: c.name.clone(),
            parent,
            least: min,
            ..Node::default()
        };
        let p = &f.prae;
        let what = format!("{} \"{}\"", c.id, c.title());
        if f.feldart == "label" {
            n.ty = "info";
            n.text = [&f.inhalt, &c.hint, &n.label].into_iter().find(|s| !s.is_empty()).cloned().unwrap_or_default();
            if n.text == n.label {
                n.label.clear();
            }
            n.hint.clear();
            let i = self.push(n);
            self.field_rules(f, i);
            return i;
        }
        if matches!(f.feldart.as_str(), "hidden" | "locked") {
            self.warnings.push(format!("{what}: feldart `{}` has no equivalent; it became an ordinary input field", f.feldart));
        }
        let multi = p.pattern.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case("Mehrfachauswahl"));
        let is_select = f.feldart == "select" || !f.values.is_empty();
        if is_select {
            n.ty = if multi { "multi_choice" } else { "choice" };
            if !f.values.is_empty() {
                // Like a code list's rows: a code given twice would make two options with one
                // value (E0106), so the first one wins (found by fuzzing).
                for v in &f.values {
                    // The engine trims what is chosen, so a code is trimmed too, and a blank
                    // one could never be chosen.
                    let code = v.0.trim();
                    if code.is_empty() {
                        self.warnings.push(format!("{what}: a value without a code left out"));
                    } else if n.inline.iter().any(|(c, _, _)| c == code) {
                        self.warnings.push(format!("{what}: duplicate value code `{code}` left out"));
                    } else {
                        n.inline.push((code.to_string(), v.1.clone(), v.2.clone()));
                    }
                }
                if n.inline.is_empty() {
                    self.warnings.push(format!("{what}: no value with a code is left: it became a text field"));
                    n.ty = "text";
                }
            } else if let Some(r) = &f.codelist {
                match self.list_for(r) {
                    Some(name) => n.list = Some(name),
                    None => {
                        self.warnings.push(format!(
                            "{what}: code list {} (`{}`) not found{}: it became a text field",
                            if r.id.is_empty() { "?" } else { &r.id },
                            if r.version_uri.is_empty() { &r.canonical } else { &r.version_uri },
                            if self.opts.codelists.is_empty() { " (no --codelists given)" } else { "" }
                        ));
                        n.ty = "text";
                        n.lost_options = true;
                    }
                }
            } else {
                self.warnings.push(format!("{what}: a select without code list or values: it became a text field"));
                n.ty = "text";
            }
            if n.ty != "text"
                && let Some(pat) = p.pattern.as_deref().filter(|_| !multi)
            {
                self.warnings.push(format!("{what}: the pattern `{pat}` of a selection is not used"));
            }
        } else {
            n.ty = match f.datentyp.as_str() {
                "text" | "text_latin" | "" => "text",
                "date" => "date",
                "bool" => "boolean",
                "num" => "number",
                "num_int" => "integer",
                "num_currency" => "money",
                "file" => "file",
                other => {
                    self.warnings.push(format!("{what}: datentyp `{other}` is not supported: it became a text field"));
                    "text"
                }
            };
        }
        match n.ty {
            "text" => {
                n.min_length = p.min_length.filter(|&m| m > 1);
                n.max_length = p.max_length;
                // The engine allows at most MAX_ANSWER_LENGTH characters (E0311; found by
                // fuzzing, like the repetition bound).
                let cap = u64::from(engine::compile::limits::MAX_ANSWER_LENGTH);
                for (k, v) in [("minLength", &mut n.min_length), ("maxLength", &mut n.max_length)] {
                    if let Some(m) = v.filter(|&m| m > cap) {
                        self.warnings.push(format!("{what}: {k} {m} is above the {cap} characters an answer may have; {cap} is used"));
                        *v = Some(cap);
                    }
                }
                // A minimum above the maximum lets no answer pass (E0308): the form would not
                // compile, so the minimum is dropped (found by fuzzing).
                if let (Some(lo), Some(hi)) = (n.min_length, n.max_length)
                    && lo > hi
                {
                    self.warnings.push(format!("{what}: minLength {lo} is above maxLength {hi}; the minimum is left out"));
                    n.min_length = None;
                }
                if let Some(pat) = p.pattern.as_deref().filter(|_| !is_select) {
                    match crate::xsd_regex::convert(pat) {
                        Ok(r) => n.pattern = Some(r),
                        Err(e) => self.warnings.push(format!("{what}: pattern `{pat}` not converted ({e}); the field has no pattern")),
                    }
                    if f.datentyp == "text_latin" {
                        self.warnings.push(format!("{what}: text_latin with its own pattern: only the pattern is checked"));
                    }
                } else if f.datentyp == "text_latin" {
                    n.pattern = Some(LATIN_PATTERN.to_string());
                }
                // Pattern and lengths that no text satisfies would make the field impossible
                // to answer (found by fuzzing: `[0-9]{5}` with maxLength 2). The lengths go
                // first, then the pattern: the pattern usually says more about the answer.
                if sample::text(n.pattern.as_deref(), n.min_length, n.max_length).is_none() {
                    if sample::text(n.pattern.as_deref(), None, None).is_none() {
                        let longest = Some(sample::ANSWER_MAX);
                        if let Some(shortest) = sample::text(n.pattern.as_deref(), None, longest) {
                            // Only texts longer than a text field allows without `max_length`
                            // (500) match (found by fuzzing): allow as many as the language does.
                            self.warnings.push(format!(
                                "{what}: the pattern needs at least {} characters; max_length is set to {}",
                                shortest.chars().count(),
                                sample::ANSWER_MAX
                            ));
                            n.min_length = None;
                            n.max_length = longest;
                        } else if let Some(pat) = n.pattern.take() {
                            self.warnings
                                .push(format!("{what}: no answer that can be typed matches the pattern `{pat}`; the pattern is left out"));
                        }
                    }
                    // (Also `maxLength` 0 without a pattern, found by fuzzing.)
                    if sample::text(n.pattern.as_deref(), n.min_length, n.max_length).is_none() {
                        self.warnings.push(format!(
                            "{what}: no text of {}..{} characters {}; the length limits are left out",
                            n.min_length.unwrap_or(1),
                            n.max_length.map(|m| m.to_string()).unwrap_or_default(),
                            if n.pattern.is_some() { "matches the pattern" } else { "can be typed" }
                        ));
                        n.min_length = None;
                        n.max_length = None;
                    }
                }
            }
            "number" | "integer" | "money" => {
                n.min = p.min_value.clone().filter(|v| is_decimal(v));
                n.max = p.max_value.clone().filter(|v| is_decimal(v));
                for (k, v) in [("minValue", &p.min_value), ("maxValue", &p.max_value)] {
                    if let Some(v) = v.as_ref().filter(|v| !is_decimal(v)) {
                        self.warnings.push(format!("{what}: {k} `{v}` is not a number; not used"));
                    }
                }
                // As for lengths: a minimum above the maximum lets no answer pass (E0308).
                let num = |v: &Option<String>| v.as_deref().and_then(engine::checks::parse_plain_decimal);
                if let (Some(lo), Some(hi)) = (num(&n.min), num(&n.max))
                    && lo > hi
                {
                    self.warnings.push(format!("{what}: minValue {lo} is above maxValue {hi}; the minimum is left out"));
                    n.min = None;
                }
                // An integer between 1.2 and 1.8 (or an amount between 0.001 and 0.009): no
                // answer fits both bounds.
                if sample::number(n.ty, n.min.as_deref(), n.max.as_deref()).is_none() {
                    self.warnings.push(format!(
                        "{what}: no {} lies between minValue {} and maxValue {}; the minimum is left out",
                        if n.ty == "integer" { "whole number" } else { "amount in cents" },
                        n.min.as_deref().unwrap_or_default(),
                        n.max.as_deref().unwrap_or_default()
                    ));
                    n.min = None;
                }
                if p.min_length.is_some_and(|m| m > 1) || p.max_length.is_some() || p.pattern.is_some() {
                    self.warnings.push(format!("{what}: length or pattern constraints on a {} field are not checked", n.ty));
                }
            }
            "date" => {
                n.min = p.min_value.clone().filter(|v| is_date(v));
                n.max = p.max_value.clone().filter(|v| is_date(v));
                // ISO dates compare as text.
                if let (Some(lo), Some(hi)) = (&n.min, &n.max)
                    && lo > hi
                {
                    self.warnings.push(format!("{what}: minValue {lo} is after maxValue {hi}; the minimum is left out"));
                    n.min = None;
                }
            }
            "file" => {
                for t in &f.media_types {
                    if is_media_type(t) {
                        n.accept.push(t.clone());
                    } else {
                        self.warnings.push(format!("{what}: `{t}` is no media type (type/subtype); left out"));
                    }
                }
                if !f.media_types.is_empty() && n.accept.is_empty() {
                    self.warnings.push(format!("{what}: no valid media type is left, so every file type is accepted"));
                }
                // No file has 0 bytes and passes `required` (found by fuzzing).
                n.max_size = f.max_size.filter(|&m| m > 0);
                if f.max_size == Some(0) {
                    self.warnings.push(format!("{what}: maxSize 0 admits no file; no size limit is set"));
                }
            }
            _ => {}
        }
        if let Some(u) = &p.unread {
            self.warnings.push(format!("{what}: praezisierung `{u}` not understood; not used"));
        }
        if !f.inhalt.is_empty() {
            n.default = default_for(&n, &f.inhalt, &self.lists).filter(|d| match d {
                // A default must also pass the length and pattern checks.
                Ans::Text(t) if n.ty == "text" => sample::fits(t, n.pattern.as_deref(), n.min_length, n.max_length),
                // And the bounds (and be a whole number, an amount in cents): a default
                // outside them would be a problem on every form nobody changes it on.
                Ans::Plain(v) if matches!(n.ty, "number" | "integer" | "money") => {
                    let d = engine::checks::parse_plain_decimal(v);
                    let fits_type = sample::is_number_of(n.ty, v);
                    let bound = |b: &Option<String>| b.as_deref().and_then(engine::checks::parse_plain_decimal);
                    fits_type
                        && bound(&n.min).is_none_or(|lo| d.is_some_and(|d| d >= lo))
                        && bound(&n.max).is_none_or(|hi| d.is_some_and(|d| d <= hi))
                }
                Ans::Text(t) if n.ty == "date" => {
                    n.min.as_deref().is_none_or(|lo| t.as_str() >= lo) && n.max.as_deref().is_none_or(|hi| t.as_str() <= hi)
                }
                _ => true,
            });
            if n.default.is_none() {
                self.warnings.push(format!("{what}: inhalt `{}` is no valid answer for this {} field; not used", f.inhalt, n.ty));
            } else if self.in_optional_group(parent) {
                // A default is a value, so `filled(group)` would hold from the start and the
                // optional group's required members would always be required (found by
                // fuzzing).
                self.warnings.push(format!(
                    "{what}: inhalt `{}` is not used as a default: in an optional group it would make the group count as started",
                    f.inhalt
                ));
                n.default = None;
            }
        }
        let i = self.push(n);
        self.field_rules(f, i);
        i
    }

    pub(crate) fn field_rules(&mut self, f: &Field, i: usize) {
        for r in &f.common.rules {
            self.add_rule(r, Some(i));
        }
    }

    pub(crate) fn list_for(&mut self, r: &crate::xdf::CodeRef) -> Option<String> {
        let key = if r.version_uri.is_empty() { r.canonical.clone() } else { r.version_uri.clone() };
        if let Some(&i) = self.list_by_uri.get(&key) {
            return Some(self.lists[i].name.clone());
        }
        let found =
            self.opts.codelists.iter().find(|l| !r.version_uri.is_empty() && l.canonical_version_uri == r.version_uri).or_else(|| {
                let l = self.opts.codelists.iter().find(|l| !r.canonical.is_empty() && l.canonical_uri == r.canonical)?;
                self.warnings.push(format!(
                    "code list `{}`: version `{}` not found, used `{}` instead",
                    r.canonical, r.version_uri, l.canonical_version_uri
                ));
                Some(l)
            })?;
        let base = if !r.id.is_empty() { slug(&found.short_name, 3).chars().take(30).collect::<String>() } else { String::new() };
        let base = if base.is_empty() { valid_field_id(&slug(&r.id, 1), "liste") } else { valid_field_id(&base, "liste") };
        let mut name = base.clone();
        let mut k = 2;
        while self.lists.iter().any(|l| l.name == name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        let mut rows: Vec<(String, String)> = Vec::new();
        for (code, label) in &found.rows {
            let code = code.trim();
            if code.is_empty() {
                self.warnings.push(format!("code list `{}`: a row without a code left out", found.canonical_version_uri));
            } else if rows.iter().any(|(c, _)| c == code) {
                self.warnings.push(format!("code list `{}`: duplicate code `{code}` left out", found.canonical_version_uri));
            } else {
                rows.push((code.to_string(), label.clone()));
            }
        }
        if rows.is_empty() {
            // A choice needs options (E0102): the caller makes it a text field.
            self.warnings.push(format!("code list `{}` has no codes", found.canonical_version_uri));
            return None;
        }
        self.lists.push(NamedList { name: name.clone(), rows });
        self.list_by_uri.insert(key, self.lists.len() - 1);
        Some(name)
    }
}

/// A plain decimal (`-12.5`) that the engine can hold exactly: at most 28 significant
/// digits (found by fuzzing: a longer bound made the form fail to compile, E0201).
pub(crate) fn is_decimal(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (a, b) = body.split_once('.').unwrap_or((body, "0"));
    !a.is_empty()
        && !b.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.bytes().all(|c| c.is_ascii_digit())
        && engine::checks::parse_plain_decimal(s).is_some()
}

/// `YYYY-MM-DD` of a day that exists (not `2021-02-30`: found by fuzzing, the engine
/// refuses such a bound).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if !(s.len() == 10 && b[4] == b'-' && b[7] == b'-' && s.bytes().filter(u8::is_ascii_digit).count() == 8) {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (s[..4].parse::<u32>(), s[5..7].parse::<u32>(), s[8..].parse::<u32>()) else { return false };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// `type/subtype` (or `type/*`, `*/*`) in the characters RFC 6838 allows in names.
fn is_media_type(s: &str) -> bool {
    let name = |p: &str| !p.is_empty() && p.len() <= 127 && p.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&c));
    match s.split_once('/') {
        Some(("*", "*")) => true,
        Some((ty, "*")) => name(ty),
        Some((ty, sub)) => name(ty) && name(sub),
        None => false,
    }
}

fn default_for(n: &Node, inhalt: &str, lists: &[NamedList]) -> Option<Ans> {
    let v = inhalt.trim();
    match n.ty {
        "text" => Some(Ans::Text(v.to_string())),
        "number" | "integer" | "money" => is_decimal(v).then(|| Ans::Plain(v.to_string())),
        "date" => is_date(v).then(|| Ans::Text(v.to_string())),
        "boolean" => match v.to_lowercase().as_str() {
            "true" | "ja" => Some(Ans::Plain("true".into())),
            "false" | "nein" => Some(Ans::Plain("false".into())),
            _ => None,
        },
        "choice" => {
            let known = match &n.list {
                Some(l) => lists.iter().any(|x| &x.name == l && x.rows.iter().any(|(c, _)| c == v)),
                None => n.inline.iter().any(|(c, _, _)| c == v),
            };
            known.then(|| Ans::Text(v.to_string()))
        }
        _ => None,
    }
}
