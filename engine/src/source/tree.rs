//! Builds [`Node`]s from `saphyr-parser` events.

use std::collections::HashMap;

use crate::diag::codes;
use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use crate::diag::{Diagnostic, LineIndex, Span};

/// Bounds on form files: an author's mistake or a hostile file is refused with a clear
/// message instead of eating the memory.
pub struct Limits {
    /// Largest form file, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of maps and lists.
    pub max_depth: usize,
    /// Most nodes in a file.
    pub max_nodes: usize,
}

/// The limits used by [`parse_yaml`].
pub const LIMITS: Limits = Limits { max_bytes: 2 * 1024 * 1024, max_depth: 48, max_nodes: 500_000 };

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `foo`
    Plain,
    /// `'foo'`
    SingleQuoted,
    /// `"foo"`
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

/// What the YAML 1.2 core schema resolves a scalar to. Only used to decide how to read
/// it; the source text is always kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreType {
    /// `~`, `null`, or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer or float as written.
    Number,
    /// Anything else.
    Str,
}

/// A scalar with its value and where each of its characters came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value after YAML unescaping and folding.
    pub value: String,
    /// How it was written.
    pub style: Style,
    /// Forced to be a string by a `!!str` tag.
    pub tagged_str: bool,
    /// Character offset in the file of each character of `value`, plus one past the end;
    /// empty when the value is written exactly as it reads (most plain scalars), then
    /// character `i` is at `start + i`.
    offsets: Vec<u32>,
    /// File offset of the first character.
    start: u32,
    /// Number of characters of the value.
    len: u32,
}

impl Scalar {
    /// The core-schema type of the scalar (docs/form-language.md#yaml-basics: YAML 1.2 core schema).
    pub fn core_type(&self) -> CoreType {
        if self.style != Style::Plain || self.tagged_str {
            return CoreType::Str;
        }
        let v = self.value.as_str();
        match v {
            "" | "~" | "null" | "Null" | "NULL" => CoreType::Null,
            "true" | "True" | "TRUE" => CoreType::Bool(true),
            "false" | "False" | "FALSE" => CoreType::Bool(false),
            _ if is_core_number(v) => CoreType::Number,
            _ => CoreType::Str,
        }
    }

    /// The file offset of character `i` of the value (clamped).
    pub fn offset_of(&self, i: u32) -> u32 {
        if self.offsets.is_empty() {
            return self.start + i.min(self.len);
        }
        let i = (i as usize).min(self.offsets.len() - 1);
        self.offsets[i]
    }

    /// The end offset in the file of the character range ending before value character `i`.
    pub fn end_offset_of(&self, i: u32) -> u32 {
        if i == 0 {
            return self.offset_of(0);
        }
        self.offset_of(i - 1) + 1
    }
}

/// Core-schema ints and floats (`12`, `-3`, `0x1F`, `0o7`, `1.5`, `1e3`, `.inf`, `.nan`).
fn is_core_number(v: &str) -> bool {
    let re_int = |s: &str| {
        let s = s.strip_prefix(['-', '+']).unwrap_or(s);
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
    };
    if re_int(v) {
        return true;
    }
    if let Some(h) = v.strip_prefix("0x") {
        return !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(o) = v.strip_prefix("0o") {
        return !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if matches!(v, ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let s = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if let Some(e) = exp {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    match frac {
        None => !int.is_empty() && digits(int),
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
    }
}

/// A node of the positioned tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Where it is in the file.
    pub span: Span,
}

/// The kinds of nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A scalar.
    Scalar(Scalar),
    /// A list.
    Seq(Vec<Node>),
    /// A map, in source order; keys are unique (duplicates are reported).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's value, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.value.as_str())
    }

    /// True for a null scalar.
    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(|s| s.core_type() == CoreType::Null)
    }

    /// A word for the kind of node, for messages ("a list", "a map", "a text").
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a map",
            NodeKind::Scalar(s) => match s.core_type() {
                CoreType::Null => "nothing",
                CoreType::Bool(_) => "true/false",
                CoreType::Number => "a number",
                CoreType::Str => "a text",
            },
        }
    }
}

enum Frame {
    Seq {
        start: u32,
        items: Vec<Node>,
    },
    /// `index` maps each text key to its entry once the map is large ([`KEY_INDEX_FROM`]
    /// entries): finding a duplicate by scanning made a scenario's answer map of 9,000
    /// keys take most of `wegweiser test` on a 10,000-field form.
    Map {
        start: u32,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        index: Option<HashMap<String, usize>>,
    },
}

/// Entries from which a map's keys are looked up in an index rather than scanned.
const KEY_INDEX_FROM: usize = 32;

/// Parses a form file into a tree, or returns the diagnostics that prevent it.
pub fn parse_yaml(text: &str) -> Result<Node, Vec<Diagnostic>> {
    parse_yaml_indexed(text, &LineIndex::new(text))
}

/// [`parse_yaml`] with the text's line index made by the caller, who needs it too (the
/// compiler): a large form's text is indexed once.
pub fn parse_yaml_indexed(text: &str, index: &LineIndex) -> Result<Node, Vec<Diagnostic>> {
    if text.len() > LIMITS.max_bytes {
        return Err(vec![
            Diagnostic::error(
                codes::E0002,
                index.span(0, 0),
                format!("the form file is too large ({} bytes; at most {} are allowed)", text.len(), LIMITS.max_bytes),
            )
            .with_help("split long texts or remove unused parts; a form this large is hard to maintain"),
        ]);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut builder = Builder { chars: &chars, index, line: 0, stack: Vec::new(), root: None, nodes: 0, docs: 0 };
    let mut parser = Parser::new_from_str(text).keep_tags(true);
    loop {
        match parser.next_event() {
            None => break,
            Some(Err(e)) => {
                let at = e.marker().index() as u32;
                return Err(vec![super::hints::yaml_error(&chars, index, at, e.info())]);
            }
            Some(Ok((event, span))) => {
                if let Err(d) = builder.event(event, span) {
                    return Err(vec![*d]);
                }
                if builder.docs > 1 {
                    let at = span.start.index() as u32;
                    return Err(vec![
                        Diagnostic::error(
                            codes::E0001,
                            index.span(at, at + 3),
                            "a form file holds exactly one form, but this file has several YAML documents",
                        )
                        .with_help("put each form in its own file"),
                    ]);
                }
            }
        }
    }
    builder.root.ok_or_else(|| {
        vec![Diagnostic::error(codes::E0001, index.span(0, 0), "the form file is empty").with_help("start with `wegweiser: 1`")]
    })
}

struct Builder<'a> {
    chars: &'a [char],
    index: &'a LineIndex,
    /// The line of the last span made ([`LineIndex::span_near`]): events come in file order.
    line: usize,
    stack: Vec<Frame>,
    root: Option<Node>,
    nodes: usize,
    docs: usize,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: YSpan) -> Result<(), Box<Diagnostic>> {
        let start = span.start.index() as u32;
        let end = span.end.index() as u32;
        match event {
            Event::DocumentStart(_) => self.docs += 1,
            Event::Alias(_) => {
                return Err(Box::new(
                    Diagnostic::error(
                        codes::E0002,
                        self.index.span(start, end.max(start + 1)),
                        "aliases (`*name`) are not allowed in form files",
                    )
                    .with_help("write the value out, or use a named option list under `lists:` to reuse options"),
                ));
            }
            Event::Scalar(value, style, _anchor, tag) => {
                let tagged_str = match tag.as_deref() {
                    None => false,
                    Some(t) if t.handle == "tag:yaml.org,2002:" && t.suffix == "str" => true,
                    Some(t) if t.handle == "!!" && t.suffix == "str" => true,
                    Some(t) => {
                        return Err(Box::new(
                            Diagnostic::error(
                                codes::E0002,
                                self.index.span(start, end),
                                format!("the YAML tag `{}{}` is not supported", t.handle, t.suffix),
                            )
                            .with_help("remove the tag; write texts in quotes if they must stay texts"),
                        ));
                    }
                };
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                // Quoted scalars in flow context may carry trailing blanks in their span.
                let end = self.trim_end(start, end);
                let raw = &self.chars[(start as usize).min(self.chars.len())..(end as usize).min(self.chars.len())];
                let len = value.chars().count() as u32;
                // Plain scalars usually read exactly as written: no offset table needed.
                let identity = style == Style::Plain && raw.len() as u32 == len && raw.iter().copied().eq(value.chars());
                let offsets = if identity { Vec::new() } else { align(&value, raw, start, style) };
                let node = Node {
                    kind: NodeKind::Scalar(Scalar { value: value.into_owned(), style, tagged_str, offsets, start, len }),
                    span: self.index.span_near(start, end, &mut self.line),
                };
                self.push(node)?;
            }
            Event::SequenceStart(..) => {
                self.open()?;
                self.stack.push(Frame::Seq { start, items: Vec::new() });
            }
            Event::MappingStart(..) => {
                self.open()?;
                self.stack.push(Frame::Map { start, entries: Vec::new(), key: None, index: None });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { start: s, items }) = self.stack.pop() {
                    let bracket = self.chars.get(start as usize) == Some(&']');
                    let e = if bracket { self.trim_end(start, end) } else { items.last().map_or(end, |n| n.span.end.offset).max(s) };
                    let node = Node { kind: NodeKind::Seq(items), span: self.index.span_near(s, e, &mut self.line) };
                    self.push(node)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map { start: s, entries, .. }) = self.stack.pop() {
                    // A flow map `{ … }` ends at its brace; a block map at its last value.
                    let brace = self.chars.get(start as usize) == Some(&'}');
                    let e = if brace { self.trim_end(start, end) } else { entries.last().map_or(end, |(_, v)| v.span.end.offset.max(s)) };
                    let node = Node { kind: NodeKind::Map(entries), span: self.index.span_near(s, e, &mut self.line) };
                    self.push(node)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Flow collections and quoted scalars may carry trailing blanks in their span.
    fn trim_end(&self, start: u32, mut end: u32) -> u32 {
        while end > start && self.chars.get(end as usize - 1).is_some_and(|c| c.is_whitespace()) {
            end -= 1;
        }
        end
    }

    fn open(&mut self) -> Result<(), Box<Diagnostic>> {
        if self.stack.len() >= LIMITS.max_depth {
            let at = self.stack.last().map_or(0, |f| match f {
                Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
            });
            return Err(Box::new(
                Diagnostic::error(
                    codes::E0002,
                    self.index.span(at, at + 1),
                    format!("the form nests maps and lists more than {} levels deep", LIMITS.max_depth),
                )
                .with_help("a form needs only a few levels: steps, fields, groups and their members"),
            ));
        }
        Ok(())
    }

    fn push(&mut self, node: Node) -> Result<(), Box<Diagnostic>> {
        self.nodes += 1;
        if self.nodes > LIMITS.max_nodes {
            return Err(Box::new(
                Diagnostic::error(codes::E0002, node.span, format!("the form file has more than {} YAML nodes", LIMITS.max_nodes))
                    .with_help("split the form; a form this large is hard for citizens and authors alike"),
            ));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, index, .. }) => match key.take() {
                None => {
                    let first = match index {
                        Some(ix) => node.as_str().and_then(|k| ix.get(k)).map(|i| &entries[*i]),
                        None => entries.iter().find(|(k, _)| k.as_str().is_some() && k.as_str() == node.as_str()),
                    };
                    if let Some((first, _)) = first {
                        return Err(Box::new(
                            Diagnostic::error(
                                codes::E0106,
                                node.span,
                                format!("the key `{}` appears twice in this map", node.as_str().unwrap_or_default()),
                            )
                            .with_label(first.span, "first written here")
                            .with_help("remove one of them; YAML would silently keep only the last"),
                        ));
                    }
                    *key = Some(node);
                }
                Some(k) => {
                    entries.push((k, node));
                    match index {
                        Some(ix) => {
                            let i = entries.len() - 1;
                            if let Some(k) = entries[i].0.as_str() {
                                ix.insert(k.to_string(), i);
                            }
                        }
                        None if entries.len() >= KEY_INDEX_FROM => {
                            let ix = entries.iter().enumerate().filter_map(|(i, (k, _))| Some((k.as_str()?.to_string(), i))).collect();
                            *index = Some(ix);
                        }
                        None => {}
                    }
                }
            },
        }
        Ok(())
    }
}

/// Maps each character of a scalar's value to its character offset in the file, by
/// walking the source text of the scalar alongside the value: characters that YAML
/// removed (quotes, escapes, indentation, line folds) are skipped.
fn align(value: &str, raw: &[char], start: u32, style: Style) -> Vec<u32> {
    let mut out = Vec::with_capacity(value.len() + 1);
    let mut j = 0usize;
    // Skip the opening quote; the span of a block scalar starts at its content.
    if matches!(style, Style::SingleQuoted | Style::DoubleQuoted) {
        j = 1.min(raw.len());
    }
    for c in value.chars() {
        // Look ahead a bounded distance for the character; escapes and folds are short.
        let found = raw[j.min(raw.len())..].iter().take(256).position(|&r| r == c || (c == ' ' && r == '\n'));
        match found {
            Some(k) => {
                out.push(start + (j + k) as u32);
                j += k + 1;
            }
            None => out.push(start + j.min(raw.len()) as u32),
        }
    }
    out.push(start + j.min(raw.len()) as u32);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse_yaml(text).unwrap()
    }

    fn slice(text: &str, s: u32, e: u32) -> String {
        text.chars().skip(s as usize).take((e - s) as usize).collect()
    }

    #[test]
    fn keeps_scalar_source_and_positions() {
        let text = "a: 01067\nb: '1.10'\n";
        let NodeKind::Map(entries) = root(text).kind else { panic!() };
        let (k, v) = &entries[0];
        assert_eq!(k.as_str(), Some("a"));
        assert_eq!(v.as_str(), Some("01067"));
        assert_eq!(v.as_scalar().unwrap().core_type(), CoreType::Number);
        assert_eq!((v.span.start.line, v.span.start.column), (1, 4));
        let v2 = &entries[1].1;
        assert_eq!(v2.as_str(), Some("1.10"));
        assert_eq!(v2.as_scalar().unwrap().core_type(), CoreType::Str);
    }

    #[test]
    fn maps_value_offsets_in_quoted_and_block_scalars() {
        let text = "c: \"größe > \\\"x\\\"\"\nd: |\n  a and\n  bcd\n";
        let NodeKind::Map(entries) = root(text).kind else { panic!() };
        let s = entries[0].1.as_scalar().unwrap();
        assert_eq!(s.value, "größe > \"x\"");
        let i = s.value.chars().position(|c| c == 'x').unwrap() as u32;
        assert_eq!(slice(text, s.offset_of(i), s.end_offset_of(i + 1)), "x");
        let b = entries[1].1.as_scalar().unwrap();
        let i = b.value.chars().position(|c| c == 'b').unwrap() as u32;
        assert_eq!(slice(text, b.offset_of(i), b.end_offset_of(i + 3)), "bcd");
    }

    #[test]
    fn refuses_aliases_duplicates_and_deep_nesting() {
        let e = parse_yaml("a: &x [1]\nb: *x\n").unwrap_err();
        assert_eq!(e[0].code, "E0002");
        let e = parse_yaml("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e[0].code, "E0106");
        assert_eq!(e[0].span.start.line, 2);
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse_yaml(&deep).unwrap_err()[0].code, "E0002");
        let e = parse_yaml("a: [1\n").unwrap_err();
        assert_eq!(e[0].code, "E0001");
    }

    /// A duplicate key is found in a large map too (looked up in its index), pointing at
    /// the first one.
    #[test]
    fn duplicate_keys_in_a_large_map() {
        for (n, dup) in [(40, 3), (40, 35), (31, 30), (32, 31), (33, 0)] {
            let mut y: String = (0..n).map(|i| format!("k{i}: {i}\n")).collect();
            y.push_str(&format!("k{dup}: again\n"));
            let e = parse_yaml(&y).unwrap_err();
            assert_eq!(e[0].code, "E0106", "{n} {dup}");
            assert_eq!((e[0].span.start.line, e[0].labels[0].span.start.line), (n as u32 + 1, dup as u32 + 1), "{n} {dup}");
        }
        let unique: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        assert!(parse_yaml(&unique).is_ok());
    }

    #[test]
    fn refuses_oversized_files_too_many_nodes_and_billion_laughs() {
        // Over 2 MiB: one clear diagnostic, without reading the YAML at all.
        let big = format!("title: \"{}\"\n", "x".repeat(LIMITS.max_bytes));
        let e = parse_yaml(&big).unwrap_err();
        assert_eq!((e.len(), e[0].code), (1, "E0002"));
        assert!(e[0].message.contains("too large"), "{}", e[0].message);
        // More nodes than allowed (a flow list of 600,000 one-character items fits in 2 MiB).
        let many = format!("a: [{}]\n", vec!["1"; 600_000].join(","));
        assert!(many.len() < LIMITS.max_bytes);
        let e = parse_yaml(&many).unwrap_err();
        assert_eq!(e[0].code, "E0002");
        assert!(e[0].message.contains("500000 YAML nodes"), "{}", e[0].message);
        // "Billion laughs": each level would repeat the one before ten times. The first
        // alias is refused, nothing is expanded.
        let mut lol = String::from("a0: &a0 [lol]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            lol.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let e = parse_yaml(&lol).unwrap_err();
        assert!(e.iter().all(|d| d.code == "E0002"), "{e:?}");
        assert!(e[0].message.contains("alias"), "{}", e[0].message);
    }

    #[test]
    fn core_schema_types() {
        let t = |s: &str| root(&format!("k: {s}\n"));
        let ct = |s: &str| match t(s).kind {
            NodeKind::Map(e) => e[0].1.as_scalar().unwrap().core_type(),
            _ => panic!(),
        };
        assert_eq!(ct("no"), CoreType::Str);
        assert_eq!(ct("on"), CoreType::Str);
        assert_eq!(ct("2026-01-31"), CoreType::Str);
        assert_eq!(ct("true"), CoreType::Bool(true));
        assert_eq!(ct("~"), CoreType::Null);
        assert_eq!(ct("1e3"), CoreType::Number);
        assert_eq!(ct("0x1F"), CoreType::Number);
        assert_eq!(ct("\"12\""), CoreType::Str);
    }
}
