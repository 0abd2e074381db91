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

/// Where an answer's path goes when entry `index` of the repeated group `group` is
/// removed: the same path (another field), gone (the removed entry), or one entry up
/// (a later entry). One rule for the session's answers and for what a front end keeps
/// beside them under the same paths (a server's stored uploads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renumbered {
    /// Not in the group: unchanged.
    Same,
    /// In the removed entry.
    Removed,
    /// In a later entry, now one up: the new path.
    Moved(String),
}

/// [`Renumbered`] for `path`.
pub fn renumbered(form: &Form, group: FieldId, index: u32, path: &str) -> Renumbered {
    let prefix = format!("{}.", path_of(form, Instance { field: group, entry: None }));
    let Some(rest) = path.strip_prefix(&prefix) else { return Renumbered::Same };
    let Some((n, tail)) = rest.split_once('.') else { return Renumbered::Same };
    let Ok(n) = n.parse::<u32>() else { return Renumbered::Same };
    match n.cmp(&index) {
        std::cmp::Ordering::Less => Renumbered::Same,
        std::cmp::Ordering::Equal => Renumbered::Removed,
        std::cmp::Ordering::Greater => Renumbered::Moved(format!("{prefix}{}.{tail}", n - 1)),
    }
}
