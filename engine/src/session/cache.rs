//! The per-field caches of a session (value, activity, problems), one slot per field and
//! entry. A field outside repeated groups has one result, so its slot holds it inline: a
//! map per field made a cold validation allocate and hash once per field and cache.

use std::hash::{BuildHasherDefault, Hasher};

use crate::ids::FieldId;

/// The hasher of the session's maps keyed by field instance (ids and entry numbers, not
/// text): a multiply-and-rotate over the few integers of a key. The default SipHash was a
/// twentieth of a validation. The keys are bounded by the form (fields, at most
/// [`super::MAX_ENTRIES`] entries), so a client cannot choose colliding ones at will.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdHasher(u64);

impl Default for IdHasher {
    /// Not zero: from zero, a leading 0 (field 0) would leave the state at zero, and
    /// (field 0, entry 0) would hash like (field 1, no entry).
    fn default() -> Self {
        IdHasher(0x243f_6a88_85a3_08d3)
    }
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        // The constant of FxHash (rustc's hasher).
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// [`IdHasher`] for a `HashMap`.
pub(super) type BuildIdHasher = BuildHasherDefault<IdHasher>;

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
    fn instances_hash_apart() {
        use std::hash::BuildHasher;
        let h = |field: u32, entry: Option<u32>| BuildIdHasher::default().hash_one(super::super::Instance { field: FieldId(field), entry });
        let all: std::collections::HashSet<u64> = (0..50).flat_map(|f| [None, Some(0), Some(1), Some(199)].map(|e| h(f, e))).collect();
        assert_eq!(all.len(), 200);
    }

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
