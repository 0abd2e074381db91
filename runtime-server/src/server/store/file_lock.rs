//! Which servers may share an SQLite file, held by a lock on a file beside it.
//!
//! The draft cache (`cache.rs`) is only correct when its process is the only one writing
//! the database: another process's write would not reach it, and it would serve an older
//! draft. `serve` leaves the cache off with `--reuse-port` and on PostgreSQL, but two
//! processes on one SQLite file behind some other proxy would each keep one. So every
//! server on an SQLite file holds a lock on `<file>-wegweiser.lock` for as long as it
//! runs: shared without a cache, exclusive with one. A server that wants its cache while
//! others run goes without it (and says so); a server that finds a caching one running is
//! refused, with a message that says what to do. The operating system drops the lock when
//! the process ends, however it ends.
//!
//! Within one process the lock is taken once per file and shared ([`acquire`]): a process
//! that opens its file again (a test that "restarts" its server while the first one's
//! background tasks still run) is the same process, not a second writer behind its back.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};

/// A held lock (released when dropped).
#[derive(Debug)]
pub struct FileLock {
    _file: File,
    /// Whether this process holds it alone (and may keep a draft cache).
    pub exclusive: bool,
}

/// The lock file of an SQLite URL; `None` for an in-memory database (no other process
/// can open it) and for other databases.
pub fn lock_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory") {
        return None;
    }
    Some(PathBuf::from(format!("{path}-wegweiser.lock")))
}

/// Why a server may not use the file.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another server holds the file alone (it keeps a draft cache).
    #[error(
        "another wegweiser server uses the SQLite file with its draft cache ({0}); run one server per SQLite file, or start every server on it with --draft-cache 0"
    )]
    Cached(PathBuf),
    /// The lock file could not be opened or locked.
    #[error("the lock file {0} cannot be used: {1}")]
    Io(PathBuf, std::io::Error),
}

/// The locks this process holds, by file.
static HELD: Mutex<BTreeMap<PathBuf, Weak<FileLock>>> = Mutex::new(BTreeMap::new());

/// This process's lock on the file: the one it holds already, or [`lock_file`]'s.
pub fn acquire(path: PathBuf, want_exclusive: bool) -> Result<Arc<FileLock>, LockError> {
    let key = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
    let mut held = HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(lock) = held.get(&key).and_then(Weak::upgrade) {
        return Ok(lock);
    }
    held.retain(|_, l| l.strong_count() > 0);
    let lock = Arc::new(lock_file(path, want_exclusive)?);
    held.insert(key, Arc::downgrade(&lock));
    Ok(lock)
}

/// Takes the lock on the file (a lock of its own, as another process would): exclusive
/// when `want_exclusive` and no other server runs on the file, else shared.
pub fn lock_file(path: PathBuf, want_exclusive: bool) -> Result<FileLock, LockError> {
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| LockError::Io(path.clone(), e))?;
    if want_exclusive {
        match file.try_lock() {
            Ok(()) => return Ok(FileLock { _file: file, exclusive: true }),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(LockError::Io(path, e)),
        }
    }
    match file.try_lock_shared() {
        Ok(()) => Ok(FileLock { _file: file, exclusive: false }),
        Err(TryLockError::WouldBlock) => Err(LockError::Cached(path)),
        Err(TryLockError::Error(e)) => Err(LockError::Io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("wegweiser-lock-{}-{name}", std::process::id()))
    }

    #[test]
    fn the_lock_file_sits_beside_the_database_and_memory_has_none() {
        assert_eq!(lock_path("sqlite:///var/lib/w.db?mode=rwc"), Some(PathBuf::from("/var/lib/w.db-wegweiser.lock")));
        assert_eq!(lock_path("sqlite:w.db"), Some(PathBuf::from("w.db-wegweiser.lock")));
        assert_eq!(lock_path("sqlite::memory:"), None);
        assert_eq!(lock_path("sqlite://x.db?mode=memory&cache=shared"), None);
        assert_eq!(lock_path("postgres://h/db"), None);
    }

    #[test]
    fn a_caching_server_is_alone_and_a_later_one_is_refused() {
        let p = temp("alone");
        let first = lock_file(p.clone(), true).unwrap();
        assert!(first.exclusive);
        assert!(matches!(lock_file(p.clone(), true), Err(LockError::Cached(_))));
        assert!(matches!(lock_file(p.clone(), false), Err(LockError::Cached(_))));
        drop(first);
        assert!(lock_file(p.clone(), false).is_ok(), "the lock goes with its holder");
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn servers_without_a_cache_share_and_a_later_one_goes_without_its_cache() {
        let p = temp("shared");
        let a = lock_file(p.clone(), false).unwrap();
        let b = lock_file(p.clone(), false).unwrap();
        let c = lock_file(p.clone(), true).unwrap();
        assert!(!a.exclusive && !b.exclusive && !c.exclusive);
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn one_process_holds_one_lock_per_file_while_it_is_used() {
        let p = temp("process");
        let first = acquire(p.clone(), true).unwrap();
        let again = acquire(p.clone(), false).unwrap();
        assert!(Arc::ptr_eq(&first, &again) && again.exclusive, "the same process shares its lock");
        assert!(matches!(lock_file(p.clone(), false), Err(LockError::Cached(_))), "another process is still refused");
        drop((first, again));
        assert!(!acquire(p.clone(), false).unwrap().exclusive, "taken afresh once the last user is gone");
        let _ = std::fs::remove_file(p);
    }
}
