//! Genericode 1.0 code lists: the identification and the rows as (code, label).

use std::path::Path;

use roxmltree::{Document, Node, ParsingOptions};

use crate::ImportError;

/// One code list.
#[derive(Debug, Clone, Default)]
pub struct CodeList {
    /// `Identification/ShortName`.
    pub short_name: String,
    /// `Identification/CanonicalUri`.
    pub canonical_uri: String,
    /// `Identification/CanonicalVersionUri`.
    pub canonical_version_uri: String,
    /// The rows: the value of the key column and a label.
    pub rows: Vec<(String, String)>,
    /// The file it came from.
    pub file: String,
}

fn el<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn els<'a, 'i: 'a>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn text(n: Option<Node<'_, '_>>) -> String {
    n.map(|n| crate::xdf::collapse(&n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect::<String>()))
        .unwrap_or_default()
}

/// Parses a genericode file. The code column is the one the first `ColumnSet/Key` names;
/// the label column the one a second key names, else a column called `name`/`beschreibung`,
/// else the first other column.
pub fn parse(xml: &str, file: &str) -> Result<CodeList, ImportError> {
    let doc = Document::parse_with_options(xml, ParsingOptions { allow_dtd: false, nodes_limit: 5_000_000, ..ParsingOptions::default() })
        .map_err(|e| ImportError::at(e.pos().row, e.pos().col, format!("not well-formed XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "CodeList" {
        return Err(ImportError::at(1, 1, format!("`{}` is not a genericode `CodeList`", root.tag_name().name())));
    }
    let ident = el(root, "Identification");
    let get = |name: &str| text(ident.and_then(|i| el(i, name)));
    let cols = el(root, "ColumnSet").ok_or_else(|| ImportError::at(1, 1, "the code list has no `ColumnSet`".to_string()))?;
    let columns: Vec<String> = els(cols, "Column").filter_map(|c| c.attribute("Id").map(String::from)).collect();
    let keys: Vec<String> =
        els(cols, "Key").filter_map(|k| el(k, "ColumnRef").and_then(|r| r.attribute("Ref")).map(String::from)).collect();
    let code_col = keys.first().cloned().or_else(|| columns.first().cloned()).unwrap_or_default();
    let label_col = keys
        .iter()
        .skip(1)
        .find(|k| **k != code_col)
        .cloned()
        .or_else(|| columns.iter().find(|c| matches!(c.to_lowercase().as_str(), "name" | "beschreibung" | "wert" | "value")).cloned())
        .or_else(|| columns.iter().find(|c| **c != code_col).cloned())
        .unwrap_or_else(|| code_col.clone());
    let mut rows = Vec::new();
    if let Some(list) = el(root, "SimpleCodeList") {
        for row in els(list, "Row") {
            let mut code = None;
            let mut label = None;
            for (i, v) in els(row, "Value").enumerate() {
                let col = v.attribute("ColumnRef").map(String::from).or_else(|| columns.get(i).cloned()).unwrap_or_default();
                let t = text(el(v, "SimpleValue"));
                if col == code_col {
                    code = Some(t.clone());
                }
                if col == label_col {
                    label = Some(t);
                }
            }
            if let Some(code) = code.filter(|c| !c.is_empty()) {
                let label = label.filter(|l| !l.is_empty()).unwrap_or_else(|| code.clone());
                rows.push((code, label));
            }
        }
    }
    Ok(CodeList {
        short_name: get("ShortName"),
        canonical_uri: get("CanonicalUri"),
        canonical_version_uri: get("CanonicalVersionUri"),
        rows,
        file: file.to_string(),
    })
}

/// Reads every `*.xml` file of a folder that is a genericode list; other files are
/// skipped with a warning.
pub fn load_dir(dir: &Path, warnings: &mut Vec<String>) -> std::io::Result<Vec<CodeList>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    let mut out = Vec::new();
    for p in entries {
        if p.extension().is_none_or(|e| !e.eq_ignore_ascii_case("xml")) {
            continue;
        }
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Ok(text) = std::fs::read_to_string(&p) else {
            warnings.push(format!("code lists: cannot read `{name}`"));
            continue;
        };
        if !text.contains("CodeList") {
            continue;
        }
        match parse(&text, &name) {
            Ok(list) => out.push(list),
            Err(e) => warnings.push(format!("code lists: `{name}` skipped: {e}")),
        }
    }
    Ok(out)
}
