//! The tree of an import: FIM groups and fields become nodes, top-level groups become
//! steps (a `1:1` group's members go onto its step), repeated groups get their bounds.

use crate::xdf::{Element, Group, Item};

use super::{Builder, Node, Step, fmt_max};

impl Builder<'_> {
    pub(crate) fn new_step(&mut self, title: &str) -> usize {
        self.steps.push(Step { title: title.to_string(), id: String::new(), comments: Vec::new(), fields: Vec::new(), rules: Vec::new() });
        self.steps.len() - 1
    }

    pub(crate) fn top(&mut self, items: &[Item]) {
        let mut run: Option<usize> = None;
        for item in items {
            match &item.element {
                Element::Group(g) if item.min >= 1 && item.max == Some(1) => {
                    run = None;
                    let s = self.new_step(g.common.title());
                    let n = self.group(g, item, None, false, true);
                    self.steps[s].comments.push(format!("{} {}", g.common.id, g.common.name));
                    let kids = self.nodes[n].children.clone();
                    self.steps[s].fields.extend(kids);
                    // Rule comments of the flattened group itself go to the step (see emit).
                    self.steps[s].fields.insert(0, usize::MAX - n);
                }
                Element::Group(g) => {
                    run = None;
                    let s = self.new_step(g.common.title());
                    let n = self.group(g, item, None, false, false);
                    self.steps[s].fields.push(n);
                }
                Element::Field(f) => {
                    let s = match run {
                        Some(s) => s,
                        None => {
                            let title = if self.steps.is_empty() { "Allgemeine Angaben" } else { "Weitere Angaben" };
                            let s = self.new_step(title);
                            run = Some(s);
                            s
                        }
                    };
                    let n = self.field_item(f, item, None, false);
                    self.steps[s].fields.push(n);
                }
            }
        }
    }

    pub(crate) fn push(&mut self, node: Node) -> usize {
        let parent = node.parent;
        self.nodes.push(node);
        let i = self.nodes.len() - 1;
        if let Some(p) = parent {
            self.nodes[p].children.push(i);
        }
        i
    }

    pub(crate) fn group(&mut self, g: &Group, item: &Item, parent: Option<usize>, in_repeat: bool, flattened: bool) -> usize {
        let c = &g.common;
        let w0 = self.warnings.len();
        let repeated = item.max != Some(1);
        let mut repeat = None;
        if repeated && in_repeat {
            self.warnings.push(format!(
                "{} \"{}\" ({}:{}) is repeated inside a repeated group, which the form language does not allow: it became a single entry",
                c.id,
                c.title(),
                item.min,
                fmt_max(item.max)
            ));
        } else if repeated {
            repeat = Some(self.bounded_repeat(&format!("{} \"{}\"", c.id, c.title()), item.min, item.max));
        }
        let node = Node {
            fim: c.id.clone(),
            ty: "group",
            label: c.label.clone(),
            hint: c.hint.clone(),
            title: c.title().to_string(),
            name: c.name.clone(),
            parent,
            flattened,
            least: item.min,
            optional_group: repeat.is_none() && item.min == 0,
            repeat,
            ..Node::default()
        };
        let n = self.push(node);
        self.note(w0, n);
        for r in &c.rules {
            self.add_rule(r, Some(n));
        }
        let inner = in_repeat || repeat.is_some();
        for it in &g.items {
            match &it.element {
                Element::Group(sub) => {
                    self.group(sub, it, Some(n), inner, false);
                }
                Element::Field(f) => {
                    self.field_item(f, it, Some(n), inner);
                }
            }
        }
        // The form language needs members in a group (E0102; found by fuzzing): a group
        // without fields (or only with such groups) is left out.
        if self.is_empty_group(n) {
            let w0 = self.warnings.len();
            self.warnings.push(format!("{} \"{}\" has no fields; it is left out", c.id, c.title()));
            self.note(w0, n);
        }
        // An entry counts only when something in it is answered (empty entries do not count
        // toward `min`), so a group without input fields could never have its minimum
        // (found by fuzzing).
        if self.nodes[n].repeat.is_some_and(|(min, _)| min > 0) && self.first_input(n).is_none() {
            if let Some((min, _)) = &mut self.nodes[n].repeat {
                *min = 0;
            }
            let w0 = self.warnings.len();
            self.warnings.push(format!(
                "{} \"{}\": a repeated group without input fields cannot have a minimum number of entries; none is set",
                c.id,
                c.title()
            ));
            self.note(w0, n);
        }
        n
    }

    /// Whether `p` or a group around it is an optional (`0:1`) group.
    pub(crate) fn in_optional_group(&self, mut p: Option<usize>) -> bool {
        while let Some(i) = p {
            if self.nodes[i].optional_group {
                return true;
            }
            p = self.nodes[i].parent;
        }
        false
    }

    /// A group with nothing to show: no members, or only groups like that.
    pub(crate) fn is_empty_group(&self, i: usize) -> bool {
        let n = &self.nodes[i];
        n.ty == "group" && n.children.iter().all(|&c| self.is_empty_group(c))
    }

    /// The first input field in `g`'s subtree, one without a default if there is one: the
    /// answer that makes an entry of a repeated group count.
    pub(crate) fn first_input(&self, g: usize) -> Option<usize> {
        fn walk(b: &Builder<'_>, i: usize, out: &mut Vec<usize>) {
            for &c in &b.nodes[i].children {
                if b.nodes[c].is_input() {
                    out.push(c);
                }
                walk(b, c, out);
            }
        }
        let mut all = Vec::new();
        walk(self, g, &mut all);
        all.iter().copied().find(|&i| self.nodes[i].default.is_none()).or(all.first().copied())
    }

    /// `anzahl` as `repeat` bounds within the engine's limit of entries (E0311; found by
    /// fuzzing: `0:871`); a bound above it becomes the limit, with a warning.
    pub(crate) fn bounded_repeat(&mut self, what: &str, min: u32, max: Option<u32>) -> (u32, Option<u32>) {
        let cap = engine::session::MAX_ENTRIES;
        if min > cap || max.is_some_and(|m| m > cap) {
            self.warnings.push(format!(
                "{what} ({min}:{}): a repeated group may have at most {cap} entries; the bounds above it are set to {cap}",
                fmt_max(max)
            ));
        }
        (min.min(cap), max.map(|m| m.min(cap)))
    }
}
