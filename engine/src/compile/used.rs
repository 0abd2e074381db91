//! The named lists (`lists:`) that some field uses, for W0403 ("the list is not used").
//!
//! Looked up by hashing: a form generated from a catalogue has a list per choice field, and
//! looking each use up in a scanned list of the lists used so far was quadratic (4,000 lists:
//! 28 % of the compile). The tests count the names compared.

use std::collections::HashSet;

/// The names of the lists used so far.
#[derive(Debug, Default)]
pub(crate) struct UsedLists(HashSet<ListName>);

impl UsedLists {
    /// Records that a field uses the list `name`.
    pub fn mark(&mut self, name: &str) {
        self.0.insert(ListName(name.to_string()));
    }

    /// Whether some field uses the list `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(&ListName(name.to_string()))
    }
}

/// A list's name; comparing two is counted in tests (no `Borrow<str>`, so that every lookup
/// compares through here).
#[derive(Debug, Eq)]
struct ListName(String);

impl std::hash::Hash for ListName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for ListName {
    fn eq(&self, other: &Self) -> bool {
        #[cfg(test)]
        tests::COMPARED.with(|c| c.set(c.get() + 1));
        self.0 == other.0
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    thread_local! {
        pub(super) static COMPARED: Cell<u64> = const { Cell::new(0) };
    }

    /// A form with `n` lists and a choice field for each.
    fn form(n: usize) -> String {
        let mut y = String::from("wegweiser: 1\nid: lists\ntitle: T\nlists:\n");
        for i in 0..n {
            y.push_str(&format!("  l{i}:\n    - {{ value: a, label: A }}\n"));
        }
        y.push_str("steps:\n  - id: s\n    title: S\n    fields:\n");
        for i in 0..n {
            y.push_str(&format!("      - {{ id: f{i}, type: choice, label: L, options: l{i} }}\n"));
        }
        y
    }

    fn names_compared(n: usize) -> u64 {
        let src = form(n);
        COMPARED.with(|c| c.set(0));
        let compiled = crate::compile(&src);
        assert!(compiled.form.is_some() && compiled.diagnostics.is_empty(), "{:?}", compiled.diagnostics.first());
        COMPARED.with(Cell::get)
    }

    #[test]
    fn marking_and_finding_used_lists_is_linear_in_the_lists() {
        let (small, large) = (names_compared(100), names_compared(1_000));
        assert!(small >= 100, "each use looks its list up: {small}");
        assert!(large <= small * 12, "10× the lists, {large} names compared against {small}");
    }
}
