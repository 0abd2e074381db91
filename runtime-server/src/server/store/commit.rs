//! Group commit of the drafts' writes (issue #19).
//!
//! A step POST writes its draft once (a new draft: one `INSERT` with the answers; an open
//! one: one `UPDATE`). Written one by one, every write is its own transaction and its own
//! sync to disk, and SQLite takes one writer at a time: the syncs, not the work, bound the
//! steps per second. Here one task (the writer) takes every draft write from a queue,
//! runs all that are waiting in one transaction, commits once (one sync for all of them)
//! and only then answers each caller. A POST is therefore still answered only after its
//! write is durable (`synchronous=FULL`, the SQLite default, is kept); while one batch
//! syncs, the next one gathers.
//!
//! A batch that fails (a member's statement, or the commit) is rolled back as a whole and
//! its members are written again one by one, each in its own transaction: a failing member
//! gets its own error, and the others are not lost. Busy or serialisation errors are
//! retried like every other write ([`super::retry`]).
//!
//! After a commit, and before the next batch begins, the writer puts what it wrote into the
//! draft cache ([`super::cache`]) with the owner, authority and form the database returned
//! for each row, holding the cache's gate throughout (the order the cache relies on).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::cache::DraftCache;
use super::{Result, retry};

/// Most writes in one transaction (a bound on how long the write lock is held and on how
/// much one failing batch has to redo).
const MAX_BATCH: usize = 256;

/// Writes waiting at most: a caller beyond it waits for room (back pressure, no memory
/// growing without bound).
const QUEUE: usize = 4096;

/// One write of a draft (no `Debug`: it holds a citizen's answers).
#[derive(Clone)]
pub enum DraftWrite {
    /// A new draft, with its answers and, when started while logged in, its account.
    Create {
        /// Its id (made by the server: [`super::Store::new_draft_id`]).
        id: String,
        /// The owner (the browser session's hash, with the account's).
        session_hash: String,
        /// The authority (`""` without authorities).
        authority: String,
        /// The form's id.
        form: String,
        /// The engine's `Snapshot`, as JSON.
        snapshot: String,
        /// Now (Unix ms).
        now: i64,
        /// When it expires (Unix ms).
        expires_at: i64,
        /// The account (issuer, subject) it was started with.
        account: Option<(String, String)>,
    },
    /// The snapshot of an open draft (a submitted one is left as it is); the expiry moves on.
    Save {
        /// Its id.
        id: String,
        /// The engine's `Snapshot`, as JSON.
        snapshot: String,
        /// Now (Unix ms).
        now: i64,
        /// When it expires (Unix ms).
        expires_at: i64,
    },
}

/// A draft row as the database has it after a write: whose it is, for the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landed {
    /// The owner (browser session with account).
    pub session_hash: String,
    /// The authority.
    pub authority: String,
    /// The form.
    pub form: String,
    /// When it expires (Unix ms).
    pub expires_at: i64,
}

impl DraftWrite {
    /// The draft's id.
    pub fn id(&self) -> &str {
        match self {
            DraftWrite::Create { id, .. } | DraftWrite::Save { id, .. } => id,
        }
    }

    /// The snapshot written.
    pub fn snapshot(&self) -> &str {
        match self {
            DraftWrite::Create { snapshot, .. } | DraftWrite::Save { snapshot, .. } => snapshot,
        }
    }

    /// Runs the statement; the row as written, `None` when no row was (a `Save` of a draft
    /// submitted meanwhile).
    async fn execute(&self, conn: &mut sqlx::AnyConnection) -> Result<Option<Landed>> {
        use sqlx::Row;
        let row = match self {
            DraftWrite::Create { id, session_hash, authority, form, snapshot, now, expires_at, account } => {
                sqlx::query(
                    "INSERT INTO drafts (id, session_hash, form, snapshot, resume_hash, reference, created_at, updated_at, \
                     expires_at, authority, account_issuer, account_subject) \
                     VALUES ($1, $2, $3, $4, NULL, NULL, $5, $5, $6, $7, $8, $9) \
                     RETURNING session_hash, authority, form, expires_at",
                )
                .bind(id)
                .bind(session_hash)
                .bind(form)
                .bind(snapshot)
                .bind(now)
                .bind(expires_at)
                .bind(authority)
                .bind(account.as_ref().map(|a| a.0.as_str()))
                .bind(account.as_ref().map(|a| a.1.as_str()))
                .fetch_optional(conn)
                .await?
            }
            DraftWrite::Save { id, snapshot, now, expires_at } => {
                sqlx::query(
                    "UPDATE drafts SET snapshot = $1, updated_at = $2, expires_at = $3 WHERE id = $4 AND reference IS NULL \
                     RETURNING session_hash, authority, form, expires_at",
                )
                .bind(snapshot)
                .bind(now)
                .bind(expires_at)
                .bind(id)
                .fetch_optional(conn)
                .await?
            }
        };
        Ok(row.map(|r| Landed {
            session_hash: r.get("session_hash"),
            authority: r.get("authority"),
            form: r.get("form"),
            expires_at: r.get("expires_at"),
        }))
    }
}

/// What the writer did so far (for tests and `/metrics`).
#[derive(Debug, Default)]
pub struct CommitStats {
    /// Transactions committed (each one sync to disk).
    pub commits: AtomicU64,
    /// Draft writes made durable by them.
    pub writes: AtomicU64,
}

struct Job {
    write: DraftWrite,
    done: oneshot::Sender<Result<()>>,
}

/// The queue to the writer task. Cloned with the store; the writer ends when the last
/// clone is gone.
#[derive(Debug, Clone)]
pub struct Committer {
    queue: mpsc::Sender<Job>,
    stats: Arc<CommitStats>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the snapshot: it holds a citizen's answers.
        f.write_str("Job")
    }
}

impl Committer {
    /// Starts the writer task on the current tokio runtime; it fills `cache`.
    pub fn start(pool: AnyPool, cache: Arc<DraftCache>) -> Committer {
        let (queue, rx) = mpsc::channel(QUEUE);
        let stats = Arc::new(CommitStats::default());
        tokio::spawn(run(pool, rx, stats.clone(), cache));
        Committer { queue, stats }
    }

    /// Writes `write` with the next batch; returns once that batch is committed (or the
    /// write failed).
    pub async fn write(&self, write: DraftWrite) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.queue.send(Job { write, done }).await.map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }

    /// What the writer did so far.
    pub fn stats(&self) -> &CommitStats {
        &self.stats
    }
}

async fn run(pool: AnyPool, mut rx: mpsc::Receiver<Job>, stats: Arc<CommitStats>, cache: Arc<DraftCache>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    // Waits for the first write, then takes every other one already waiting.
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let batch: Vec<Job> = std::mem::take(&mut jobs);
        // Held from before the commit until the cache has the rows: a submission or a move
        // committed after this batch removes its draft after these fills, not before.
        let gate = if cache.enabled() { Some(cache.gate.lock().await) } else { None };
        let results = write_batch(&pool, batch.iter().map(|j| &j.write).collect(), &stats).await;
        for (job, r) in batch.iter().zip(&results) {
            match r {
                Ok(Some(l)) => cache.put(job.write.id(), &l.session_hash, &l.authority, &l.form, job.write.snapshot(), l.expires_at),
                _ => cache.remove(job.write.id()),
            }
        }
        drop(gate);
        for (job, r) in batch.into_iter().zip(results) {
            // The caller may have gone (its request was cancelled): its write stands.
            let _ = job.done.send(r.map(|_| ()));
        }
    }
}

/// Writes `writes` in one transaction; when that fails, each in its own. One result per
/// write, in order: the row as written (`None`: no row matched).
pub async fn write_batch(pool: &AnyPool, writes: Vec<&DraftWrite>, stats: &CommitStats) -> Vec<Result<Option<Landed>>> {
    let n = writes.len() as u64;
    match retry(|| in_one_transaction(pool, &writes)).await {
        Ok(rows) => {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats.writes.fetch_add(n, Ordering::Relaxed);
            rows.into_iter().map(Ok).collect()
        }
        Err(e) if writes.len() == 1 => vec![Err(e)],
        Err(e) => {
            tracing::warn!(error = %e, writes = n, "a batch of draft writes failed; writing them one by one");
            let mut results = Vec::with_capacity(writes.len());
            for w in writes {
                let r = retry(|| in_one_transaction(pool, std::slice::from_ref(&w))).await;
                if r.is_ok() {
                    stats.commits.fetch_add(1, Ordering::Relaxed);
                    stats.writes.fetch_add(1, Ordering::Relaxed);
                }
                results.push(r.map(|mut rows| rows.pop().flatten()));
            }
            results
        }
    }
}

async fn in_one_transaction(pool: &AnyPool, writes: &[&DraftWrite]) -> Result<Vec<Option<Landed>>> {
    let mut tx = pool.begin().await?;
    let mut rows = Vec::with_capacity(writes.len());
    for w in writes {
        rows.push(w.execute(&mut tx).await?);
    }
    // A commit that fails leaves the transaction open; dropping `tx` rolls it back.
    tx.commit().await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::Row;

    use super::*;
    use crate::server::store::{NewDraft, Store, StoreOptions};

    async fn store() -> (Store, String) {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let url = format!("sqlite://{}", std::env::temp_dir().join(format!("wegweiser-commit-{}.db", hex::encode(b))).display());
        (Store::connect(&url).await.unwrap(), url)
    }

    fn create(id: &str, snapshot: &str) -> DraftWrite {
        DraftWrite::Create {
            id: id.into(),
            session_hash: "s".into(),
            authority: String::new(),
            form: "f".into(),
            snapshot: snapshot.into(),
            now: 1,
            expires_at: i64::MAX,
            account: None,
        }
    }

    async fn snapshot(store: &Store, id: &str) -> Option<String> {
        sqlx::query("SELECT snapshot FROM drafts WHERE id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await
            .unwrap()
            .map(|r| r.get::<String, _>(0))
    }

    #[tokio::test]
    async fn a_failing_member_of_a_batch_gets_its_error_and_the_others_are_written() {
        let (store, _) = store().await;
        let d = NewDraft { id: "a", session_hash: "s", authority: "", form: "f", snapshot: "{}", account: None, now: 1, ttl_ms: 1000 };
        store.create_draft(d).await.unwrap();
        let stats = CommitStats::default();
        let save = DraftWrite::Save { id: "a".into(), snapshot: "{\"x\":1}".into(), now: 2, expires_at: i64::MAX };
        // The second member breaks the primary key: the whole transaction cannot commit.
        let (dup, fresh) = (create("a", "dup"), create("b", "{\"y\":2}"));
        let results = write_batch(store.pool(), vec![&save, &dup, &fresh], &stats).await;
        assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
        let e = results[1].as_ref().expect_err("a duplicate id");
        assert!(matches!(e, sqlx::Error::Database(_)), "{e}");
        assert_eq!(snapshot(&store, "a").await.as_deref(), Some("{\"x\":1}"));
        assert_eq!(snapshot(&store, "b").await.as_deref(), Some("{\"y\":2}"));
        // Written again one by one: two commits for the two that went through.
        assert_eq!(stats.commits.load(Ordering::Relaxed), 2);
        assert_eq!(stats.writes.load(Ordering::Relaxed), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_a_commit_and_each_is_visible_when_its_call_returns() {
        let (store, url) = store().await;
        // Someone else holds the write lock for a while: the writes pile up behind it.
        let other = Store::connect_with(&url, &StoreOptions { max_connections: Some(1), ..StoreOptions::default() }).await.unwrap();
        let mut lock = other.pool().acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *lock).await.unwrap();
        let mut writers = tokio::task::JoinSet::new();
        for i in 0..50 {
            let store = store.clone();
            writers.spawn(async move {
                let id = format!("d{i}");
                let snap = format!("{{\"n\":{i}}}");
                let d =
                    NewDraft { id: &id, session_hash: "s", authority: "", form: "f", snapshot: &snap, account: None, now: 1, ttl_ms: 1000 };
                store.create_draft(d).await.unwrap();
                // Durable and visible to any other connection once the call returned.
                let seen: Option<String> = sqlx::query("SELECT snapshot FROM drafts WHERE id = $1")
                    .bind(&id)
                    .fetch_optional(store.pool())
                    .await
                    .unwrap()
                    .map(|r| r.get(0));
                assert_eq!(seen, Some(snap));
            });
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(store.commit_stats().writes.load(Ordering::Relaxed), 0, "nothing committed while the lock is held");
        sqlx::query("COMMIT").execute(&mut *lock).await.unwrap();
        while let Some(r) = writers.join_next().await {
            r.unwrap();
        }
        let stats = store.commit_stats();
        assert_eq!(stats.writes.load(Ordering::Relaxed), 50);
        // The first write waited for the lock alone; the 49 behind it went in one commit.
        let commits = stats.commits.load(Ordering::Relaxed);
        assert!(commits <= 3, "{commits} commits for 50 writes");
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM drafts").fetch_one(store.pool()).await.unwrap().get(0);
        assert_eq!(n, 50);
    }
}
