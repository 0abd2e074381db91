//! Reads an XDatenfelder message (2.0 or 3.0.0) into a small neutral model: the schema (or
//! a single group or field), its structure with `anzahl`, fields with their constraints and
//! code list references, and the rules with their prose.

use roxmltree::{Document, Node, ParsingOptions};

use crate::ImportError;

/// Namespace of XDatenfelder 2.0.
pub const NS2: &str = "urn:xoev-de:fim:standard:xdatenfelder_2";
/// Namespace of XDatenfelder 3.0.0.
pub const NS3: &str = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0";

/// Deepest nesting of groups accepted (real schemas nest fewer than ten levels).
pub const MAX_DEPTH: usize = 64;
/// Most XML nodes accepted (the largest real schemas have well under a million).
const NODES_LIMIT: u32 = 5_000_000;

/// The XDatenfelder version of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XdfVersion {
    /// XDatenfelder 2.0.
    V2,
    /// XDatenfelder 3.0.0.
    V3,
}

impl XdfVersion {
    /// As written in reports: `2.0`, `3.0.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            XdfVersion::V2 => "2.0",
            XdfVersion::V3 => "3.0.0",
        }
    }
}

/// A whole message.
#[derive(Debug, Clone)]
pub struct Schema {
    /// XDatenfelder version.
    pub xdf: XdfVersion,
    /// `S…` (or `G…`/`F…` for a group or field message).
    pub id: String,
    /// The element's version.
    pub version: String,
    /// `name`.
    pub name: String,
    /// `bezeichnungEingabe` (XDF3: `bezeichnung`), or the name.
    pub label: String,
    /// `hilfetextEingabe` (XDF3: `hilfetext`).
    pub hint: String,
    /// Rules attached to the schema itself.
    pub rules: Vec<Rule>,
    /// The top-level structure.
    pub items: Vec<Item>,
}

/// One structure entry: an element with its `anzahl`.
#[derive(Debug, Clone)]
pub struct Item {
    /// Fewest occurrences.
    pub min: u32,
    /// Most occurrences; `None` is unbounded (`*`).
    pub max: Option<u32>,
    /// The field or group.
    pub element: Element,
}

/// A field or group.
#[derive(Debug, Clone)]
pub enum Element {
    /// `datenfeld`.
    Field(Box<Field>),
    /// `datenfeldgruppe`.
    Group(Group),
}

/// What fields and groups share.
#[derive(Debug, Clone, Default)]
pub struct Common {
    /// `F…`/`G…`.
    pub id: String,
    /// Version.
    pub version: String,
    /// `name`.
    pub name: String,
    /// `bezeichnungEingabe` (trimmed, whitespace collapsed; may be empty).
    pub label: String,
    /// `hilfetextEingabe`.
    pub hint: String,
    /// The rules attached here.
    pub rules: Vec<Rule>,
    /// Line in the source.
    pub line: u32,
}

impl Common {
    /// The label, or the name when there is none.
    pub fn title(&self) -> &str {
        if self.label.is_empty() { &self.name } else { &self.label }
    }
}

/// A `datenfeldgruppe`.
#[derive(Debug, Clone)]
pub struct Group {
    /// Ids and texts.
    pub common: Common,
    /// Members.
    pub items: Vec<Item>,
}

/// A `datenfeld`.
#[derive(Debug, Clone, Default)]
pub struct Field {
    /// Ids and texts.
    pub common: Common,
    /// `input`, `select`, `label`, `hidden`, `locked`.
    pub feldart: String,
    /// `text`, `text_latin`, `date`, `bool`, `num`, …
    pub datentyp: String,
    /// Constraints.
    pub prae: Praezisierung,
    /// `inhalt`.
    pub inhalt: String,
    /// `codelisteReferenz/genericodeIdentification`.
    pub codelist: Option<CodeRef>,
    /// XDF3 inline values (`werte/wert`): code, name, help.
    pub values: Vec<(String, String, String)>,
    /// XDF3 `maxSize` in bytes.
    pub max_size: Option<u64>,
    /// XDF3 `mediaType`.
    pub media_types: Vec<String>,
}

/// A reference to a genericode list.
#[derive(Debug, Clone, Default)]
pub struct CodeRef {
    /// `identifikation/id` (`C…`), if given.
    pub id: String,
    /// `canonicalIdentification`.
    pub canonical: String,
    /// `canonicalVersionUri`.
    pub version_uri: String,
}

/// `praezisierung`.
#[derive(Debug, Clone, Default)]
pub struct Praezisierung {
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `minValue`.
    pub min_value: Option<String>,
    /// `maxValue`.
    pub max_value: Option<String>,
    /// `pattern` (XML Schema regex).
    pub pattern: Option<String>,
    /// Text that could not be read (XDF2 text that is not the JSON form).
    pub unread: Option<String>,
}

/// A `regel`.
#[derive(Debug, Clone, Default)]
pub struct Rule {
    /// `R…`.
    pub id: String,
    /// Version.
    pub version: String,
    /// `name`.
    pub name: String,
    /// `definition` (XDF2) or `freitextRegel` (XDF3), whitespace collapsed.
    pub prose: String,
    /// Line in the source.
    pub line: u32,
}

/// Collapses runs of whitespace (carriage returns included) to one space and trims.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Reader<'a, 'i> {
    doc: &'a Document<'i>,
    ns: &'static str,
    xdf: XdfVersion,
}

/// Parses an XDatenfelder message.
pub fn parse(xml: &str) -> Result<Schema, ImportError> {
    let opts = ParsingOptions { allow_dtd: false, nodes_limit: NODES_LIMIT, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(xml, opts).map_err(|e| {
        let pos = e.pos();
        // A file that ends too early is reported at its end, not at its start.
        let (row, col) = if (pos.row, pos.col) == (1, 1) && xml.len() > 1 { end_pos(xml) } else { (pos.row, pos.col) };
        ImportError::at(row, col, format!("not well-formed XML: {e}"))
    })?;
    let root = doc.root_element();
    let ns_uri = root.tag_name().namespace().unwrap_or("");
    let (ns, xdf) = match ns_uri {
        NS2 => (NS2, XdfVersion::V2),
        NS3 => (NS3, XdfVersion::V3),
        other => {
            let (line, col) = pos_of(&doc, root);
            let shown = if other.is_empty() { "no namespace".to_string() } else { format!("namespace `{other}`") };
            return Err(ImportError::at(
                line,
                col,
                format!(
                    "`{}` in {shown} is not an XDatenfelder message: expected the namespace `{NS2}` (2.0) or `{NS3}` (3.0.0)",
                    root.tag_name().name()
                ),
            ));
        }
    };
    let r = Reader { doc: &doc, ns, xdf };
    let local = root.tag_name().name();
    let body = |name: &str| {
        r.child(root, name).ok_or_else(|| {
            let (line, col) = pos_of(&doc, root);
            ImportError::at(line, col, format!("`{local}` has no `{name}` element"))
        })
    };
    match local {
        "xdatenfelder.stammdatenschema.0102" => {
            let s = body("stammdatenschema")?;
            let (id, version) = r.ident(s);
            let name = r.text(s, "name");
            let label = if xdf == XdfVersion::V3 { r.text(s, "bezeichnung") } else { r.text(s, "bezeichnungEingabe") };
            let hint = if xdf == XdfVersion::V3 { r.text(s, "hilfetext") } else { r.text(s, "hilfetextEingabe") };
            let rules = r.rules(s);
            let items = r.structure(s, 0)?;
            if items.is_empty() {
                // Found by fuzzing: the form would have no steps (E0102).
                let (line, col) = pos_of(&doc, s);
                return Err(ImportError::at(line, col, "the schema has no `struktur`: there is no field or group to import".into()));
            }
            let label = if label.is_empty() { name.clone() } else { label };
            Ok(Schema { xdf, id, version, name, label, hint, rules, items })
        }
        "xdatenfelder.datenfeldgruppe.0103" => {
            let g = body("datenfeldgruppe")?;
            let group = r.group(g, 0)?;
            let c = group.common.clone();
            let item = Item { min: 1, max: Some(1), element: Element::Group(group) };
            Ok(Schema {
                xdf,
                id: c.id.clone(),
                version: c.version.clone(),
                name: c.name.clone(),
                label: c.title().to_string(),
                hint: c.hint.clone(),
                rules: Vec::new(),
                items: vec![item],
            })
        }
        "xdatenfelder.datenfeld.0104" => {
            let f = body("datenfeld")?;
            let field = r.field(f);
            let c = field.common.clone();
            let item = Item { min: 1, max: Some(1), element: Element::Field(Box::new(field)) };
            Ok(Schema {
                xdf,
                id: c.id.clone(),
                version: c.version.clone(),
                name: c.name.clone(),
                label: c.title().to_string(),
                hint: c.hint.clone(),
                rules: Vec::new(),
                items: vec![item],
            })
        }
        other => {
            let (line, col) = pos_of(&doc, root);
            Err(ImportError::at(
                line,
                col,
                format!(
                    "`{other}` is not supported: expected `xdatenfelder.stammdatenschema.0102`, `xdatenfelder.datenfeldgruppe.0103` or `xdatenfelder.datenfeld.0104`"
                ),
            ))
        }
    }
}

/// Line and column just after the last character.
fn end_pos(text: &str) -> (u32, u32) {
    let line = text.matches('\n').count() + 1;
    let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, col as u32)
}

fn pos_of(doc: &Document<'_>, n: Node<'_, '_>) -> (u32, u32) {
    let p = doc.text_pos_at(n.range().start);
    (p.row, p.col)
}

impl<'a, 'i> Reader<'a, 'i> {
    fn is(&self, n: Node<'_, '_>, name: &str) -> bool {
        n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(self.ns)
    }

    fn child(&self, n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
        n.children().find(|c| self.is(*c, name))
    }

    fn children<'s>(&'s self, n: Node<'a, 'i>, name: &'s str) -> impl Iterator<Item = Node<'a, 'i>> + 's {
        n.children().filter(move |c| self.is(*c, name))
    }

    /// All text below `n` (an element's text), collapsed.
    fn all_text(n: Node<'_, '_>) -> String {
        let mut s = String::new();
        for d in n.descendants().filter(|d| d.is_text()) {
            s.push_str(d.text().unwrap_or(""));
        }
        collapse(&s)
    }

    fn text(&self, n: Node<'a, 'i>, name: &str) -> String {
        self.child(n, name).map(Self::all_text).unwrap_or_default()
    }

    fn code(&self, n: Node<'a, 'i>, name: &str) -> String {
        // `<feldart><code>input</code></feldart>`: `code` is in no namespace.
        self.child(n, name)
            .and_then(|c| c.children().find(|x| x.is_element() && x.tag_name().name() == "code"))
            .map(Self::all_text)
            .unwrap_or_default()
    }

    fn line(&self, n: Node<'_, '_>) -> u32 {
        self.doc.text_pos_at(n.range().start).row
    }

    fn ident(&self, n: Node<'a, 'i>) -> (String, String) {
        match self.child(n, "identifikation") {
            Some(i) => (self.text(i, "id"), self.text(i, "version")),
            None => (String::new(), String::new()),
        }
    }

    fn common(&self, n: Node<'a, 'i>) -> Common {
        let (id, version) = self.ident(n);
        Common {
            id,
            version,
            name: self.text(n, "name"),
            label: self.text(n, "bezeichnungEingabe"),
            hint: self.text(n, "hilfetextEingabe"),
            rules: self.rules(n),
            line: self.line(n),
        }
    }

    fn rules(&self, n: Node<'a, 'i>) -> Vec<Rule> {
        self.children(n, "regel")
            .map(|r| {
                let (id, version) = self.ident(r);
                let prose = match self.xdf {
                    XdfVersion::V2 => self.text(r, "definition"),
                    XdfVersion::V3 => {
                        let t = self.text(r, "freitextRegel");
                        if t.is_empty() { self.text(r, "beschreibung") } else { t }
                    }
                };
                Rule { id, version, name: self.text(r, "name"), prose, line: self.line(r) }
            })
            .collect()
    }

    fn structure(&self, n: Node<'a, 'i>, depth: usize) -> Result<Vec<Item>, ImportError> {
        if depth > MAX_DEPTH {
            let (line, col) = pos_of(self.doc, n);
            return Err(ImportError::at(line, col, format!("groups are nested more than {MAX_DEPTH} levels deep")));
        }
        let mut items = Vec::new();
        for s in self.children(n, "struktur") {
            let anzahl = self.text(s, "anzahl");
            let (min, max) = parse_anzahl(&anzahl).ok_or_else(|| {
                let (line, col) = pos_of(self.doc, s);
                ImportError::at(line, col, format!("`anzahl` must be `min:max` (e.g. `1:1`, `0:*`), found `{anzahl}`"))
            })?;
            let Some(e) = self.child(s, "enthaelt") else { continue };
            for c in e.children().filter(|c| c.is_element()) {
                let element = if self.is(c, "datenfeld") {
                    Element::Field(Box::new(self.field(c)))
                } else if self.is(c, "datenfeldgruppe") {
                    Element::Group(self.group(c, depth + 1)?)
                } else {
                    continue;
                };
                items.push(Item { min, max, element });
            }
        }
        Ok(items)
    }

    fn group(&self, n: Node<'a, 'i>, depth: usize) -> Result<Group, ImportError> {
        Ok(Group { common: self.common(n), items: self.structure(n, depth)? })
    }

    fn field(&self, n: Node<'a, 'i>) -> Field {
        let common = self.common(n);
        let prae = match self.child(n, "praezisierung") {
            None => Praezisierung::default(),
            Some(p) => {
                let mut pr = Praezisierung::default();
                let num = |v: Option<&str>| v.and_then(|s| s.trim().parse::<u64>().ok());
                let s = |v: Option<&str>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
                pr.min_length = num(p.attribute("minLength"));
                pr.max_length = num(p.attribute("maxLength"));
                pr.min_value = s(p.attribute("minValue"));
                pr.max_value = s(p.attribute("maxValue"));
                pr.pattern = p.attribute("pattern").map(String::from);
                if self.xdf == XdfVersion::V2 {
                    let text: String = p.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
                    read_json_praezisierung(text.trim(), &mut pr);
                }
                pr
            }
        };
        let codelist = self.child(n, "codelisteReferenz").and_then(|c| {
            let id = self.child(c, "identifikation").map(|i| self.text(i, "id")).unwrap_or_default();
            let g = self.child(c, "genericodeIdentification").unwrap_or(c);
            let r = CodeRef { id, canonical: self.text(g, "canonicalIdentification"), version_uri: self.text(g, "canonicalVersionUri") };
            if r.id.is_empty() && r.canonical.is_empty() && r.version_uri.is_empty() { None } else { Some(r) }
        });
        let values = self
            .child(n, "werte")
            .map(|w| self.children(w, "wert").map(|v| (self.text(v, "code"), self.text(v, "name"), self.text(v, "hilfe"))).collect())
            .unwrap_or_default();
        let max_size = self.child(n, "maxSize").and_then(|m| Self::all_text(m).parse().ok());
        let media_types = self.children(n, "mediaType").map(Self::all_text).filter(|s| !s.is_empty()).collect();
        // `inhalt` may occur twice in sloppy files; the first non-empty one counts.
        let inhalt = self.children(n, "inhalt").map(Self::all_text).find(|s| !s.is_empty()).unwrap_or_default();
        Field {
            common,
            feldart: self.code(n, "feldart"),
            datentyp: self.code(n, "datentyp"),
            prae,
            inhalt,
            codelist,
            values,
            max_size,
            media_types,
        }
    }
}

/// `1:1`, `0:*`, `2:5`.
pub fn parse_anzahl(s: &str) -> Option<(u32, Option<u32>)> {
    let (a, b) = s.trim().split_once(':')?;
    let min = a.trim().parse().ok()?;
    let max = match b.trim() {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    if max.is_some_and(|m| m < min || m == 0) {
        return None;
    }
    Some((min, max))
}

/// XDF2 keeps constraints as a JSON object in the text:
/// `{"minLength":"5","maxLength":"5","pattern":"…","minValue":"…","maxValue":"…"}`.
fn read_json_praezisierung(text: &str, pr: &mut Praezisierung) {
    if text.is_empty() {
        return;
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        // A range written `1..31` (seen in real schemas) means minValue and maxValue.
        if let Some((a, b)) = text.split_once("..")
            && a.trim().parse::<i64>().is_ok()
            && b.trim().parse::<i64>().is_ok()
        {
            pr.min_value = Some(a.trim().to_string());
            pr.max_value = Some(b.trim().to_string());
            return;
        }
        pr.unread = Some(text.to_string());
        return;
    };
    let get = |k: &str| -> Option<String> {
        match map.get(k)? {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    if let Some(v) = get("minLength") {
        pr.min_length = v.parse().ok();
    }
    if let Some(v) = get("maxLength") {
        pr.max_length = v.parse().ok();
    }
    if let Some(v) = get("minValue") {
        pr.min_value = Some(v);
    }
    if let Some(v) = get("maxValue") {
        pr.max_value = Some(v);
    }
    if let Some(serde_json::Value::String(p)) = map.get("pattern") {
        pr.pattern = Some(p.clone());
    }
}
