//! Ids and paths: every node gets a readable, unique id (from its label, `naming.rs`), and
//! the lookups the rules and scenarios need (a node's path, its repeated group, the nodes
//! of one FIM id, a group's required members, a field's options).

use std::collections::HashSet;

use crate::naming::{resolve, slug, step_slug, valid_field_id};

use super::Builder;

impl Builder<'_> {
    /// Assigns field ids (unique, readable) and step ids.
    pub(crate) fn name(&mut self) {
        let mut cands = Vec::new();
        let mut which = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if !n.emitted() {
                continue;
            }
            let own = if n.wrapper {
                let base = slug(&n.title, 4);
                valid_field_id(&format!("{base}_liste"), "liste")
            } else {
                valid_field_id(&slug(&n.title, 4), if n.ty == "group" { "gruppe" } else { "feld" })
            };
            let mut anc = Vec::new();
            let mut p = n.parent;
            while let Some(pi) = p {
                let pn = &self.nodes[pi];
                if !pn.wrapper {
                    let s = slug(&pn.title, 2);
                    if !s.is_empty() && !own.starts_with(&s) && !anc.contains(&s) {
                        anc.push(s);
                    }
                }
                p = pn.parent;
            }
            let mut c = vec![own.clone()];
            for a in &anc {
                c.push(valid_field_id(&format!("{a}_{own}"), "feld"));
            }
            if anc.len() > 1 {
                let mut chain: Vec<&str> = anc.iter().rev().map(String::as_str).collect();
                chain.push(&own);
                c.push(valid_field_id(&chain.join("_"), "feld"));
            }
            cands.push(c);
            which.push(i);
        }
        let ids = resolve(&cands, &HashSet::new());
        for (k, i) in which.into_iter().enumerate() {
            self.nodes[i].id = ids[k].clone();
        }
        let mut used = HashSet::new();
        for s in &mut self.steps {
            let base = step_slug(&s.title);
            let base = if base.is_empty() || base == "summary" { "schritt".to_string() } else { base };
            let mut id = base.clone();
            let mut k = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}-{k}");
                k += 1;
            }
            s.id = id;
        }
    }

    /// The field path: `.`-joined ids of the enclosing groups; after a repeated group `rep`
    /// (`[]` in the report, `.0` in scenarios).
    pub(crate) fn path(&self, i: usize, rep: &str) -> String {
        let mut parts = vec![self.nodes[i].id.clone()];
        let mut p = self.nodes[i].parent;
        while let Some(pi) = p {
            let pn = &self.nodes[pi];
            if pn.emitted() {
                if pn.repeat.is_some() {
                    parts.push(format!("{}{rep}", pn.id));
                } else {
                    parts.push(pn.id.clone());
                }
            }
            p = pn.parent;
        }
        parts.reverse();
        parts.join(".")
    }

    pub(crate) fn repeat_scope(&self, i: usize) -> Option<usize> {
        let mut p = self.nodes[i].parent;
        while let Some(pi) = p {
            if self.nodes[pi].repeat.is_some() {
                return Some(pi);
            }
            p = self.nodes[pi].parent;
        }
        None
    }

    pub(crate) fn is_within(&self, i: usize, anc: usize) -> bool {
        let mut p = Some(i);
        while let Some(pi) = p {
            if pi == anc {
                return true;
            }
            p = self.nodes[pi].parent;
        }
        false
    }

    /// Occurrences of a FIM id, those near the rule's host first.
    pub(crate) fn occurrences(&self, fim: &str, host: Option<usize>) -> Vec<usize> {
        let all: Vec<usize> = (0..self.nodes.len()).filter(|&i| self.nodes[i].fim == fim).collect();
        if let Some(h) = host {
            let scope = if self.nodes[h].ty == "group" { Some(h) } else { self.nodes[h].parent };
            if let Some(s) = scope {
                let near: Vec<usize> = all.iter().copied().filter(|&i| self.is_within(i, s)).collect();
                if !near.is_empty() {
                    return near;
                }
            }
        }
        all
    }

    /// Members of a group that are required whenever the group is: `1:1` all the way down,
    /// not into repeated groups.
    pub(crate) fn required_members(&self, g: usize, out: &mut Vec<usize>) {
        for &c in &self.nodes[g].children {
            let n = &self.nodes[c];
            if n.least == 0 || n.repeat.is_some() {
                continue;
            }
            if n.ty == "group" {
                self.required_members(c, out);
            } else if n.is_input() {
                out.push(c);
            }
        }
    }

    pub(crate) fn options_of(&self, i: usize) -> Vec<(String, String)> {
        let n = &self.nodes[i];
        if let Some(l) = &n.list {
            self.lists.iter().find(|x| &x.name == l).map(|x| x.rows.clone()).unwrap_or_default()
        } else {
            n.inline.iter().map(|(c, l, _)| (c.clone(), l.clone())).collect()
        }
    }
}
