//! Field paths: `vorname`, `adresse.strasse`, `hund.0.name` ↔ a field and its entry.

use serde::{Deserialize, Serialize};

use crate::form::Form;
use crate::ids::FieldId;

/// One field in one entry of its repeated group (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Instance {
    /// The field.
    pub field: FieldId,
    /// The entry of its repeated group, counting all entries shown from 0.
    pub entry: Option<u32>,
}

/// Reads a field path. Inside a repeated group the entry number follows the group id.
pub fn parse_path(form: &Form, path: &str) -> Option<Instance> {
    let mut parts = path.split('.');
    let mut entry = None;
    let mut current: Option<FieldId> = None;
    while let Some(seg) = parts.next() {
        let id = match current {
            None => form.field_by_id(seg).filter(|f| form.field(*f).parent.is_none())?,
            Some(g) => *form.field(g).members.iter().find(|m| form.field(**m).id == seg)?,
        };
        if form.field(id).is_repeated() {
            match parts.next() {
                Some(n) => {
                    // Plain decimal digits only: no sign, no leading `+`, bounded.
                    if n.is_empty() || n.len() > 4 || !n.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    entry = Some(n.parse().ok()?);
                }
                None => return Some(Instance { field: id, entry: None }),
            }
        }
        current = Some(id);
    }
    current.map(|field| Instance { field, entry })
}

/// The path of a field instance.
pub fn path_of(form: &Form, inst: Instance) -> String {
    let mut chain = vec![inst.field];
    let mut p = form.field(inst.field).parent;
    while let Some(g) = p {
        chain.push(g);
        p = form.field(g).parent;
    }
    let mut out = String::new();
    for f in chain.into_iter().rev() {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&form.field(f).id);
        if form.field(f).is_repeated()
            && f != inst.field
            && let Some(e) = inst.entry
        {
            out.push('.');
            out.push_str(&e.to_string());
        }
    }
    out
}
