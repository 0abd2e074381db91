//! The open drafts this process wrote last, kept in memory so that the next page of the
//! same citizen does not read its draft from the database (issue #19: with SQLite every read
//! is handed to a connection's thread and back, most of the server's kernel time).
//!
//! Rules that keep it exactly as true as the database read it replaces
//! ([`super::Store::open_draft`]):
//!
//! - **Filled only by the drafts' writer**, after its transaction committed, with what the
//!   database says the row is at that commit (`RETURNING session_hash, authority, form`):
//!   never from a read, which could race a write and put an older snapshot back.
//! - **Looked up by the same key as the database read**: owner (browser session with
//!   account), authority and form; an entry past its `expires_at` is not served. An entry
//!   names its draft's id, so the writes that are not the writer's (a submission, a resume
//!   link, "Meine Anträge" moving, adopting or deleting a draft) remove it by id.
//! - **Ordered with those writes**: the writer holds [`DraftCache::gate`] from before its
//!   commit until its entries are in; the other writers take the gate after their commit
//!   to remove theirs. Whichever committed first, the removal comes after the fill, so a
//!   submitted or moved draft is never served from here.
//! - **One process per database**: a write by another process would not reach this cache.
//!   `serve` turns the cache on only for SQLite and never with `--reuse-port`
//!   ([`entries_for`]); PostgreSQL, where several processes are the point, reads every
//!   time.
//! - **Bounded**: at most `max_entries` drafts and `max_bytes` of snapshots; the oldest
//!   written goes first. A miss is only a database read.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use super::Draft;

/// Entries by default with SQLite (`serve --draft-cache`).
pub const DEFAULT_ENTRIES: usize = 10_000;

/// Bytes of snapshots kept at most (a draft may be up to `--max-draft-mib`).
pub const DEFAULT_BYTES: usize = 64 * 1024 * 1024;

/// How many drafts a server keeps: `requested` (the default when not given) for one process
/// on an SQLite file, none on PostgreSQL or with `--reuse-port` (several processes on one
/// database: another one's write would not reach this cache).
pub fn entries_for(database_url: &str, reuse_port: bool, requested: Option<usize>) -> usize {
    if reuse_port || !database_url.starts_with("sqlite:") {
        return 0;
    }
    requested.unwrap_or(DEFAULT_ENTRIES)
}

/// The key of the database read: owner, authority, form.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    owner: String,
    authority: String,
    form: String,
}

struct Entry {
    key: Key,
    snapshot: Arc<str>,
    expires_at: i64,
    /// When it was written (a counter): eviction order.
    written: u64,
}

#[derive(Default)]
struct Drafts {
    by_id: HashMap<String, Entry>,
    by_key: HashMap<Key, String>,
    /// (id, written) in the order written; stale pairs (rewritten or removed since) are
    /// skipped when they come up.
    order: VecDeque<(String, u64)>,
    bytes: usize,
    clock: u64,
}

impl Drafts {
    fn remove(&mut self, id: &str) {
        if let Some(e) = self.by_id.remove(id) {
            self.bytes -= e.snapshot.len();
            if self.by_key.get(&e.key).is_some_and(|i| i == id) {
                self.by_key.remove(&e.key);
            }
        }
    }
}

/// The cache (no `Debug` of its content: snapshots hold answers).
pub struct DraftCache {
    drafts: Mutex<Drafts>,
    max_entries: usize,
    max_bytes: usize,
    /// Orders the writer's fills with the other writers' removals (see the module docs).
    pub gate: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for DraftCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftCache").field("max_entries", &self.max_entries).field("max_bytes", &self.max_bytes).finish()
    }
}

impl DraftCache {
    /// A cache of at most `max_entries` drafts and `max_bytes` of snapshots; `0` entries:
    /// off (every lookup misses, nothing is kept).
    pub fn new(max_entries: usize, max_bytes: usize) -> DraftCache {
        DraftCache { drafts: Mutex::default(), max_entries, max_bytes, gate: tokio::sync::Mutex::new(()) }
    }

    /// Whether anything is kept.
    pub fn enabled(&self) -> bool {
        self.max_entries > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Drafts> {
        // A panic while holding the lock left a consistent map (every method is a few
        // plain map operations); go on with it.
        self.drafts.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The open draft of `owner` for `form` under `authority`, not expired at `now`, if this
    /// process wrote it last.
    pub fn get(&self, owner: &str, authority: &str, form: &str, now: i64) -> Option<Draft> {
        if !self.enabled() {
            return None;
        }
        let d = self.lock();
        let key = Key { owner: owner.to_string(), authority: authority.to_string(), form: form.to_string() };
        let id = d.by_key.get(&key)?;
        let e = d.by_id.get(id)?;
        (e.expires_at > now && e.key == key).then(|| Draft {
            id: id.clone(),
            snapshot: e.snapshot.to_string(),
            reference: None,
            expires_at: e.expires_at,
        })
    }

    /// Keeps draft `id` as the writer just committed it (the caller holds [`Self::gate`]).
    /// It becomes the owner's draft of that form: the database read would pick it too, as
    /// the most recently written.
    pub fn put(&self, id: &str, owner: &str, authority: &str, form: &str, snapshot: &str, expires_at: i64) {
        if !self.enabled() {
            return;
        }
        let mut d = self.lock();
        d.remove(id);
        if snapshot.len() > self.max_bytes {
            return;
        }
        let key = Key { owner: owner.to_string(), authority: authority.to_string(), form: form.to_string() };
        if let Some(other) = d.by_key.get(&key).cloned() {
            d.remove(&other);
        }
        d.clock += 1;
        let written = d.clock;
        d.bytes += snapshot.len();
        d.by_key.insert(key.clone(), id.to_string());
        d.by_id.insert(id.to_string(), Entry { key, snapshot: snapshot.into(), expires_at, written });
        d.order.push_back((id.to_string(), written));
        while d.by_id.len() > self.max_entries || d.bytes > self.max_bytes {
            let Some((old, at)) = d.order.pop_front() else { break };
            if d.by_id.get(&old).is_some_and(|e| e.written == at) {
                d.remove(&old);
            }
        }
        // Rewrites leave stale pairs behind: drop them before they outgrow the entries.
        if d.order.len() > 2 * self.max_entries.max(16) {
            let Drafts { order, by_id, .. } = &mut *d;
            order.retain(|(i, at)| by_id.get(i).is_some_and(|e| e.written == *at));
        }
    }

    /// Forgets draft `id` (submitted, moved to another owner, deleted, or its write failed).
    pub fn remove(&self, id: &str) {
        if self.enabled() {
            self.lock().remove(id);
        }
    }

    /// Forgets the draft kept for `owner`'s `form` under `authority` (another draft was
    /// moved to that owner and is now the one the database read picks).
    pub fn remove_key(&self, owner: &str, authority: &str, form: &str) {
        if self.enabled() {
            let mut d = self.lock();
            let key = Key { owner: owner.to_string(), authority: authority.to_string(), form: form.to_string() };
            if let Some(id) = d.by_key.get(&key).cloned() {
                d.remove(&id);
            }
        }
    }

    /// Drafts kept now (for tests).
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_served_only_under_the_key_of_the_database_read_and_before_it_expires() {
        let c = DraftCache::new(10, 1 << 20);
        c.put("d1", "owner", "bitburg", "hund", "{\"a\":1}", 1_000);
        let hit = c.get("owner", "bitburg", "hund", 999).expect("written last by this process");
        assert_eq!((hit.id.as_str(), hit.snapshot.as_str(), hit.reference), ("d1", "{\"a\":1}", None));
        // Another browser session, another authority, another form: not this draft.
        assert!(c.get("other", "bitburg", "hund", 999).is_none());
        assert!(c.get("owner", "", "hund", 999).is_none());
        assert!(c.get("owner", "bitburg", "kita", 999).is_none());
        // Expired (the database read's `expires_at > now`).
        assert!(c.get("owner", "bitburg", "hund", 1_000).is_none());
        // Removed (submitted, moved, deleted).
        c.remove("d1");
        assert!(c.get("owner", "bitburg", "hund", 0).is_none());
        assert!(c.is_empty());
    }

    #[test]
    fn a_draft_written_under_a_new_owner_leaves_the_old_owner() {
        let c = DraftCache::new(10, 1 << 20);
        c.put("d1", "old", "", "f", "1", 10);
        c.put("d1", "new", "", "f", "2", 10);
        assert!(c.get("old", "", "f", 0).is_none());
        assert_eq!(c.get("new", "", "f", 0).unwrap().snapshot, "2");
        // A second draft of the same owner and form replaces the first (the newest wins,
        // as `ORDER BY updated_at DESC` does).
        c.put("d2", "new", "", "f", "3", 10);
        assert_eq!(c.get("new", "", "f", 0).unwrap().id, "d2");
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn it_keeps_at_most_its_entries_and_bytes_and_drops_the_oldest_first() {
        let c = DraftCache::new(3, 1 << 20);
        for i in 0..5 {
            c.put(&format!("d{i}"), &format!("o{i}"), "", "f", "x", 10);
            // Rewriting the first keeps it young.
            c.put("d0", "o0", "", "f", "y", 10);
        }
        assert_eq!(c.len(), 3);
        assert!(c.get("o0", "", "f", 0).is_some(), "rewritten every time: the youngest");
        assert!(c.get("o1", "", "f", 0).is_none() && c.get("o2", "", "f", 0).is_none());
        assert!(c.get("o4", "", "f", 0).is_some());
        // Bytes: 10 at most; a snapshot larger than all is not kept at all.
        let c = DraftCache::new(100, 10);
        c.put("a", "a", "", "f", "12345", 10);
        c.put("b", "b", "", "f", "12345", 10);
        c.put("c", "c", "", "f", "12345", 10);
        assert_eq!(c.len(), 2);
        assert!(c.get("a", "", "f", 0).is_none());
        c.put("d", "d", "", "f", "12345678901", 10);
        assert!(c.get("d", "", "f", 0).is_none());
        // The queue of write order does not grow with rewrites.
        let c = DraftCache::new(2, 1 << 20);
        for _ in 0..1_000 {
            c.put("a", "a", "", "f", "1", 10);
        }
        assert!(c.lock().order.len() <= 32);
    }

    #[test]
    fn off_keeps_nothing() {
        let c = DraftCache::new(0, 1 << 20);
        c.put("d1", "o", "", "f", "1", 10);
        assert!(c.get("o", "", "f", 0).is_none());
        assert!(c.is_empty());
    }

    #[test]
    fn only_one_process_on_sqlite_caches() {
        assert_eq!(entries_for("sqlite://w.db", false, None), DEFAULT_ENTRIES);
        assert_eq!(entries_for("sqlite://w.db", false, Some(7)), 7);
        assert_eq!(entries_for("sqlite://w.db", true, Some(7)), 0, "--reuse-port: several processes");
        assert_eq!(entries_for("postgres://db/w", false, Some(7)), 0, "PostgreSQL: several processes");
    }
}
