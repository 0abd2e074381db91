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

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

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

/// Takes the lock: exclusive when `want_exclusive` and no other server runs on the file,
/// else shared.
pub fn acquire(path: PathBuf, want_exclusive: bool) -> Result<FileLock, LockError> {
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
        let first = acquire(p.clone(), true).unwrap();
        assert!(first.exclusive);
        assert!(matches!(acquire(p.clone(), true), Err(LockError::Cached(_))));
        assert!(matches!(acquire(p.clone(), false), Err(LockError::Cached(_))));
        drop(first);
        assert!(acquire(p.clone(), false).is_ok(), "the lock goes with its holder");
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn servers_without_a_cache_share_and_a_later_one_goes_without_its_cache() {
        let p = temp("shared");
        let a = acquire(p.clone(), false).unwrap();
        let b = acquire(p.clone(), false).unwrap();
        let c = acquire(p.clone(), true).unwrap();
        assert!(!a.exclusive && !b.exclusive && !c.exclusive);
        let _ = std::fs::remove_file(p);
    }
}
