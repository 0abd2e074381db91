//! The per-field caches of a session (value, activity, problems), one slot per field and
//! entry. A field outside repeated groups has one result, so its slot holds it inline: a
//! map per field made a cold validation allocate and hash once per field and cache.

use crate::ids::FieldId;

/// Results by field and entry.
#[derive(Debug, Clone)]
pub(super) struct Slots<V> {
    slots: Vec<Slot<V>>,
}

#[derive(Debug, Clone)]
struct Slot<V> {
    /// The result without an entry (every field outside a repeated group).
    plain: Option<V>,
    /// The results by entry (members of a repeated group), grown on demand.
    entries: Vec<Option<V>>,
}

impl<V> Slots<V> {
    pub fn new(fields: usize) -> Self {
        Slots { slots: (0..fields).map(|_| Slot { plain: None, entries: Vec::new() }).collect() }
    }

    pub fn get(&self, f: FieldId, entry: Option<u32>) -> Option<&V> {
        let slot = &self.slots[f.ix()];
        match entry {
            None => slot.plain.as_ref(),
            Some(e) => slot.entries.get(e as usize)?.as_ref(),
        }
    }

    /// Caches a result; one for an entry beyond [`super::MAX_ENTRIES`] (which no session
    /// has) is not kept, so a stray entry number cannot make the cache grow.
    pub fn insert(&mut self, f: FieldId, entry: Option<u32>, v: V) {
        let slot = &mut self.slots[f.ix()];
        match entry {
            None => slot.plain = Some(v),
            Some(e) if e < super::MAX_ENTRIES => {
                let e = e as usize;
                if slot.entries.len() <= e {
                    slot.entries.resize_with(e + 1, || None);
                }
                slot.entries[e] = Some(v);
            }
            Some(_) => {}
        }
    }

    /// Forgets a field's results (keeping the room for its entries).
    pub fn clear_field(&mut self, f: FieldId) {
        let slot = &mut self.slots[f.ix()];
        slot.plain = None;
        slot.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_by_field_and_entry() {
        let mut s: Slots<u8> = Slots::new(2);
        let (a, b) = (FieldId(0), FieldId(1));
        s.insert(a, None, 1);
        s.insert(b, Some(3), 2);
        s.insert(b, None, 3);
        assert_eq!(
            (s.get(a, None), s.get(a, Some(0)), s.get(b, Some(3)), s.get(b, Some(2)), s.get(b, None)),
            (Some(&1), None, Some(&2), None, Some(&3))
        );
        s.insert(b, Some(super::super::MAX_ENTRIES), 4);
        assert_eq!(s.get(b, Some(super::super::MAX_ENTRIES)), None);
        s.clear_field(b);
        assert_eq!((s.get(b, Some(3)), s.get(b, None), s.get(a, None)), (None, None, Some(&1)));
    }
}
