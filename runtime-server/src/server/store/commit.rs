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
//! The batch itself is written with as few statements as it can, since each statement is a
//! round trip (with SQLite a hand-over to the connection's thread and back, and the thread
//! switches were what the server spent most on): the creates in multi-row `INSERT`s, the
//! saves in multi-row `UPDATE … FROM (VALUES …)`, 100 rows each; a batch of one statement
//! commits on its own (no `BEGIN`, no `COMMIT`). Several saves of one draft in a batch write
//! the last (as one by one would leave it); a save before the create of its draft in the
//! same batch makes the batch go one statement at a time, in order.
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
}

/// What the writer did so far (for tests and `/metrics`).
#[derive(Debug, Default)]
pub struct CommitStats {
    /// Transactions committed (each one sync to disk).
    pub commits: AtomicU64,
    /// Statements handed to the database for them, `BEGIN` and `COMMIT` included (each a
    /// round trip; with SQLite a hand-over to the connection's thread and back).
    pub statements: AtomicU64,
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

/// Writes `writes` in one transaction; when that fails, each on its own. One result per
/// write, in order: the row as written (`None`: no row matched).
pub async fn write_batch(pool: &AnyPool, writes: Vec<&DraftWrite>, stats: &CommitStats) -> Vec<Result<Option<Landed>>> {
    let n = writes.len() as u64;
    match retry(|| write_together(pool, &writes, stats)).await {
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
                let r = retry(|| write_together(pool, std::slice::from_ref(&w), stats)).await;
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

/// Writes `writes` atomically with as few statements as it can: every statement is a
/// hand-over to SQLite's connection thread and back (issue #19, third round), so the
/// creates go in multi-row `INSERT`s and the saves in multi-row `UPDATE … FROM (VALUES …)`,
/// [`ROWS_PER_STATEMENT`] rows each. One statement commits on its own (autocommit: no
/// `BEGIN`, no `COMMIT`); more run in one transaction.
async fn write_together(pool: &AnyPool, writes: &[&DraftWrite], stats: &CommitStats) -> Result<Vec<Option<Landed>>> {
    let Some(plan) = Plan::of(writes) else {
        return one_statement_each(pool, writes, stats).await;
    };
    let mut landed = Vec::new();
    if plan.statements() == 1 {
        stats.statements.fetch_add(1, Ordering::Relaxed);
        let (sql, binds) = plan.statement(writes, 0);
        landed.extend(rows(plan.is_create(0), binds.iter().fold(sqlx::query(&sql), |q, b| b.bind(q)).fetch_all(pool).await?));
    } else {
        stats.statements.fetch_add(1, Ordering::Relaxed);
        let mut tx = pool.begin().await?;
        for i in 0..plan.statements() {
            stats.statements.fetch_add(1, Ordering::Relaxed);
            let (sql, binds) = plan.statement(writes, i);
            landed.extend(rows(plan.is_create(i), binds.iter().fold(sqlx::query(&sql), |q, b| b.bind(q)).fetch_all(&mut *tx).await?));
        }
        // A commit that fails leaves the transaction open; dropping `tx` rolls it back.
        stats.statements.fetch_add(1, Ordering::Relaxed);
        tx.commit().await?;
    }
    Ok(plan.results(writes, landed))
}

/// The old way, kept for the one order the grouped statements cannot keep: a save that
/// comes before the create of the same draft in one batch (it must find no row).
async fn one_statement_each(pool: &AnyPool, writes: &[&DraftWrite], stats: &CommitStats) -> Result<Vec<Option<Landed>>> {
    stats.statements.fetch_add(1, Ordering::Relaxed);
    let mut tx = pool.begin().await?;
    let mut results = Vec::with_capacity(writes.len());
    for w in writes {
        let plan = Plan::of(std::slice::from_ref(w)).expect("one write is always a plan");
        stats.statements.fetch_add(1, Ordering::Relaxed);
        let (sql, binds) = plan.statement(std::slice::from_ref(w), 0);
        let landed = rows(plan.is_create(0), binds.iter().fold(sqlx::query(&sql), |q, b| b.bind(q)).fetch_all(&mut *tx).await?);
        results.extend(plan.results(std::slice::from_ref(w), landed));
    }
    stats.statements.fetch_add(1, Ordering::Relaxed);
    tx.commit().await?;
    Ok(results)
}

/// Most rows in one statement. SQLite allows 32,766 bound parameters (999 before 3.32),
/// PostgreSQL 65,535; a create binds 9, so 100 rows stay below every limit.
const ROWS_PER_STATEMENT: usize = 100;

/// Which writes of a batch go into which statement.
struct Plan {
    /// Indices of the creates, in order.
    creates: Vec<usize>,
    /// Indices of the saves that are written: of several saves of one draft in a batch only
    /// the last (one `UPDATE` cannot set a row twice in a defined order; sequentially the
    /// last one would stand), in order.
    saves: Vec<usize>,
}

/// A value bound to a statement.
enum Bind<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

impl<'a> Bind<'a> {
    fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>
    where
        'a: 'q,
    {
        match *self {
            Bind::Text(t) => q.bind(t),
            Bind::Int(i) => q.bind(i),
            Bind::Null => q.bind(None::<&str>),
        }
    }
}

impl Plan {
    /// The plan of `writes`; `None` when a save comes before the create of its draft.
    fn of(writes: &[&DraftWrite]) -> Option<Plan> {
        let mut creates = Vec::new();
        let mut last_save = std::collections::HashMap::new();
        for (i, w) in writes.iter().enumerate() {
            match w {
                DraftWrite::Create { .. } => creates.push(i),
                DraftWrite::Save { id, .. } => {
                    // Sequentially this save would find no row; the grouped creates run first.
                    if writes[i + 1..].iter().any(|l| matches!(l, DraftWrite::Create { id: c, .. } if c == id)) {
                        return None;
                    }
                    last_save.insert(id.as_str(), i);
                }
            }
        }
        let mut saves: Vec<usize> = last_save.into_values().collect();
        saves.sort_unstable();
        Some(Plan { creates, saves })
    }

    fn is_create(&self, statement: usize) -> bool {
        statement < self.create_statements()
    }

    fn create_statements(&self) -> usize {
        self.creates.len().div_ceil(ROWS_PER_STATEMENT)
    }

    /// How many statements write the batch.
    fn statements(&self) -> usize {
        self.create_statements() + self.saves.len().div_ceil(ROWS_PER_STATEMENT)
    }

    /// Statement `i`: its text and what it binds. The creates' statements come first.
    fn statement<'w>(&self, writes: &[&'w DraftWrite], i: usize) -> (String, Vec<Bind<'w>>) {
        use std::fmt::Write;
        let mut sql = String::new();
        let mut binds = Vec::new();
        if i < self.create_statements() {
            sql.push_str(
                "INSERT INTO drafts (id, session_hash, form, snapshot, resume_hash, reference, created_at, updated_at, \
                 expires_at, authority, account_issuer, account_subject) VALUES ",
            );
            for (k, &w) in self.creates.iter().skip(i * ROWS_PER_STATEMENT).take(ROWS_PER_STATEMENT).enumerate() {
                let DraftWrite::Create { id, session_hash, authority, form, snapshot, now, expires_at, account } = writes[w] else {
                    unreachable!("only creates are in `creates`")
                };
                let p = binds.len();
                let _ = write!(
                    sql,
                    "{}(${}, ${}, ${}, ${}, NULL, NULL, ${}, ${}, ${}, ${}, ${}, ${})",
                    if k > 0 { ", " } else { "" },
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8,
                    p + 9
                );
                binds.extend([Bind::Text(id), Bind::Text(session_hash), Bind::Text(form), Bind::Text(snapshot), Bind::Int(*now)]);
                binds.extend([Bind::Int(*expires_at), Bind::Text(authority)]);
                match account {
                    Some((issuer, subject)) => binds.extend([Bind::Text(issuer), Bind::Text(subject)]),
                    None => binds.extend([Bind::Null, Bind::Null]),
                }
            }
        } else {
            // `VALUES` names its columns column1, column2, … in SQLite and PostgreSQL alike.
            sql.push_str("UPDATE drafts SET snapshot = v.column2, updated_at = v.column3, expires_at = v.column4 FROM (VALUES ");
            let j = i - self.create_statements();
            for (k, &w) in self.saves.iter().skip(j * ROWS_PER_STATEMENT).take(ROWS_PER_STATEMENT).enumerate() {
                let DraftWrite::Save { id, snapshot, now, expires_at } = writes[w] else { unreachable!("only saves are in `saves`") };
                let p = binds.len();
                let _ = write!(sql, "{}(${}, ${}, ${}, ${})", if k > 0 { ", " } else { "" }, p + 1, p + 2, p + 3, p + 4);
                binds.extend([Bind::Text(id), Bind::Text(snapshot), Bind::Int(*now), Bind::Int(*expires_at)]);
            }
            sql.push_str(") AS v WHERE drafts.id = v.column1 AND drafts.reference IS NULL");
        }
        sql.push_str(" RETURNING id, session_hash, authority, form, expires_at");
        (sql, binds)
    }

    /// One result per write from the rows the statements returned (`true`: a create's),
    /// matched by id (a draft created and saved in one batch returns twice).
    fn results(&self, writes: &[&DraftWrite], landed: Vec<(bool, String, Landed)>) -> Vec<Option<Landed>> {
        let (mut created, mut saved) = (std::collections::HashMap::new(), std::collections::HashMap::new());
        for (create, id, l) in landed {
            if create {
                created.insert(id, l)
            } else {
                saved.insert(id, l)
            };
        }
        writes
            .iter()
            .map(|w| match w {
                DraftWrite::Create { id, .. } => created.get(id).cloned(),
                // Several saves of one draft: each gets the row as the last one left it.
                DraftWrite::Save { id, .. } => saved.get(id).cloned(),
            })
            .collect()
    }
}

/// The rows a statement returned, with their ids.
fn rows(create: bool, rows: Vec<sqlx::any::AnyRow>) -> Vec<(bool, String, Landed)> {
    use sqlx::Row;
    rows.into_iter()
        .map(|r| {
            let landed = Landed {
                session_hash: r.get("session_hash"),
                authority: r.get("authority"),
                form: r.get("form"),
                expires_at: r.get("expires_at"),
            };
            (create, r.get("id"), landed)
        })
        .collect()
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

    fn fresh_id(name: &str) -> String {
        let mut b = [0u8; 6];
        getrandom::fill(&mut b).unwrap();
        format!("{name}-{}", hex::encode(b))
    }

    fn save(id: &str, snapshot: &str, now: i64) -> DraftWrite {
        DraftWrite::Save { id: id.into(), snapshot: snapshot.into(), now, expires_at: i64::MAX - now }
    }

    /// The batch tests on SQLite and, when `DATABASE_URL` is set, on PostgreSQL.
    async fn stores() -> Vec<Store> {
        let mut stores = vec![store().await.0];
        match std::env::var("DATABASE_URL") {
            Ok(url) => stores.push(Store::connect(&url).await.unwrap()),
            Err(_) => eprintln!("DATABASE_URL is not set: the batch tests ran on SQLite only (.ci/run sets it)"),
        }
        stores
    }

    #[tokio::test]
    async fn a_batch_is_one_statement_per_kind_of_write_and_chunk_not_one_per_draft() {
        for store in stores().await {
            let stats = CommitStats::default();
            // 50 new drafts: one multi-row INSERT, committed on its own (no BEGIN, no COMMIT).
            let ids: Vec<String> = (0..50).map(|_| fresh_id("n")).collect();
            let creates: Vec<DraftWrite> = ids.iter().map(|id| create(id, "{}")).collect();
            let results = write_batch(store.pool(), creates.iter().collect(), &stats).await;
            assert!(results.iter().all(|r| matches!(r, Ok(Some(_)))));
            assert_eq!(stats.statements.load(Ordering::Relaxed), 1, "one statement for 50 creates");
            // 150 creates and 120 saves: BEGIN, INSERT of 100 rows, INSERT of 50, UPDATE of
            // 100, UPDATE of 20, COMMIT (one by one it was 272).
            let more: Vec<String> = (0..150).map(|_| fresh_id("m")).collect();
            let mut writes: Vec<DraftWrite> = more.iter().map(|id| create(id, "{}")).collect();
            writes.extend(ids.iter().chain(&more[..70]).map(|id| save(id, &format!("{{\"{id}\":1}}"), 5)));
            let results = write_batch(store.pool(), writes.iter().collect(), &stats).await;
            assert!(results.iter().all(|r| matches!(r, Ok(Some(_)))));
            assert_eq!(stats.statements.load(Ordering::Relaxed), 1 + 6);
            assert_eq!(stats.commits.load(Ordering::Relaxed), 2);
            assert_eq!(stats.writes.load(Ordering::Relaxed), 50 + 270);
            for id in ids.iter().chain(&more[..70]) {
                assert_eq!(snapshot(&store, id).await, Some(format!("{{\"{id}\":1}}")));
            }
            for id in &more[70..] {
                assert_eq!(snapshot(&store, id).await.as_deref(), Some("{}"));
            }
        }
    }

    #[tokio::test]
    async fn every_write_of_a_grouped_batch_gets_its_own_row_as_one_by_one_would() {
        for store in stores().await {
            let stats = CommitStats::default();
            let (open, submitted, twice, unknown, late) = (fresh_id("o"), fresh_id("s"), fresh_id("t"), fresh_id("u"), fresh_id("l"));
            for id in [&open, &submitted, &twice] {
                let d = NewDraft { id, session_hash: "s", authority: "", form: "f", snapshot: "{}", account: None, now: 1, ttl_ms: 1000 };
                store.create_draft(d).await.unwrap();
            }
            sqlx::query("UPDATE drafts SET reference = $1 WHERE id = $2")
                .bind(&submitted)
                .bind(&submitted)
                .execute(store.pool())
                .await
                .unwrap();
            let new = DraftWrite::Create {
                id: fresh_id("a"),
                session_hash: "owner".into(),
                authority: "bitburg".into(),
                form: "hund".into(),
                snapshot: "{\"new\":1}".into(),
                now: 3,
                expires_at: 99,
                account: Some(("issuer".into(), "subject".into())),
            };
            let writes = [
                save(&twice, "{\"first\":1}", 2),
                save(&open, "{\"open\":1}", 2),
                new.clone(),
                save(&submitted, "{\"late\":1}", 2),
                save(&unknown, "{}", 2),
                save(&twice, "{\"second\":1}", 4),
                create(&late, "{\"c\":1}"),
                save(&late, "{\"c\":2}", 6),
            ];
            let results: Vec<Option<Landed>> =
                write_batch(store.pool(), writes.iter().collect(), &stats).await.into_iter().map(Result::unwrap).collect();
            // BEGIN, one INSERT, one UPDATE, COMMIT.
            assert_eq!(stats.statements.load(Ordering::Relaxed), 4);
            let row = |expires_at| Some(Landed { session_hash: "s".into(), authority: String::new(), form: "f".into(), expires_at });
            assert_eq!(results[0], row(i64::MAX - 4), "a save overtaken in its batch: the row as the last one left it");
            assert_eq!(results[1], row(i64::MAX - 2));
            let owner = Landed { session_hash: "owner".into(), authority: "bitburg".into(), form: "hund".into(), expires_at: 99 };
            assert_eq!(results[2], Some(owner));
            assert_eq!(results[3], None, "a submitted draft is not saved");
            assert_eq!(results[4], None, "no such draft");
            assert_eq!(results[5], row(i64::MAX - 4));
            assert_eq!(results[6], row(i64::MAX), "created with the expiry it was given");
            assert_eq!(results[7], row(i64::MAX - 6), "saved after its create in the same batch");
            assert_eq!(snapshot(&store, &twice).await.as_deref(), Some("{\"second\":1}"));
            assert_eq!(snapshot(&store, &open).await.as_deref(), Some("{\"open\":1}"));
            assert_eq!(snapshot(&store, &submitted).await.as_deref(), Some("{}"));
            assert_eq!(snapshot(&store, &unknown).await, None);
            assert_eq!(snapshot(&store, &late).await.as_deref(), Some("{\"c\":2}"));
            let account: (String, String) = sqlx::query("SELECT account_issuer, account_subject FROM drafts WHERE id = $1")
                .bind(new.id())
                .fetch_one(store.pool())
                .await
                .map(|r| (r.get(0), r.get(1)))
                .unwrap();
            assert_eq!(account, ("issuer".into(), "subject".into()));
        }
    }

    #[tokio::test]
    async fn a_save_before_the_create_of_its_draft_in_one_batch_finds_no_row() {
        for store in stores().await {
            let stats = CommitStats::default();
            let id = fresh_id("e");
            let writes = [save(&id, "{\"early\":1}", 2), create(&id, "{\"c\":1}")];
            let results: Vec<Option<Landed>> =
                write_batch(store.pool(), writes.iter().collect(), &stats).await.into_iter().map(Result::unwrap).collect();
            assert_eq!(results[0], None);
            assert!(results[1].is_some());
            assert_eq!(snapshot(&store, &id).await.as_deref(), Some("{\"c\":1}"));
        }
    }
}
