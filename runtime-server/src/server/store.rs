//! Storage: drafts, uploads, submissions, reference counters, the delivery outbox and
//! the state the servers of one database share (`server_state`: the session key, the
//! health probe's row).
//!
//! One code path for SQLite and PostgreSQL through sqlx's `Any` driver and one set of
//! migrations (`runtime-server/migrations`). No `query!` macros, so building needs no
//! database. Every statement uses `$n` placeholders, which both drivers accept.
//!
//! Faults: a busy SQLite file (another process or pool writing) is waited for
//! (`busy_timeout`) and write transactions are retried on a busy or serialisation error
//! ([`retry`]); a database that is away (PostgreSQL restarting) makes `acquire` fail after
//! [`StoreOptions::acquire_timeout`] instead of hanging, and the PostgreSQL pool tests
//! connections before use, so it reconnects by itself once the database is back (an
//! SQLite file does not go away: no test there, it cost a round trip to the connection's
//! thread per query). [`Fault`] tells the pages which clear message to show.
//!
//! The drafts' writes (one per step POST) go through one writer task that commits all
//! writes waiting at once in one transaction ([`commit`]: group commit, one sync for many
//! POSTs, each answered after its write is durable), which keeps what it wrote in the
//! draft cache ([`cache`]: one process on an SQLite file; the next page of a citizen reads
//! its draft from memory).

pub mod cache;
pub mod commit;
pub mod file_lock;

use std::future::Future;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

/// A storage error (never carries answers: statements bind values as parameters).
pub type Result<T> = std::result::Result<T, sqlx::Error>;

/// The database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// The key of the session cookies' tags (`server_state.session_key`, made by the first
    /// server on this database).
    session_key: std::sync::Arc<[u8]>,
    /// The writer of the drafts (group commit).
    committer: commit::Committer,
    /// The open drafts the writer wrote last (off unless [`StoreOptions::draft_cache`]).
    cache: std::sync::Arc<cache::DraftCache>,
    /// On an SQLite file: the lock that says whether this process may cache (`file_lock`).
    _lock: Option<std::sync::Arc<file_lock::FileLock>>,
}

/// How the store connects.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a request waits for a connection (the database is away: it gets a clear
    /// "unavailable" page after this instead of hanging).
    pub acquire_timeout: Duration,
    /// Connections in the pool (default: 3 for SQLite, 16 for PostgreSQL).
    pub max_connections: Option<u32>,
    /// Open drafts kept in memory ([`cache`]); 0 (the default) reads every draft from the
    /// database. Only for the one process on a database: [`cache::entries_for`].
    pub draft_cache: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { acquire_timeout: Duration::from_secs(5), max_connections: None, draft_cache: 0 }
    }
}

/// What kind of storage error happened, for the message the citizen gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The disk (or the database's size limit) is full: nothing was stored.
    Full,
    /// Busy or away (a lock held too long, a restart, no connection): try again later.
    Unavailable,
}

impl Fault {
    /// Classifies a storage error.
    pub fn of(e: &sqlx::Error) -> Fault {
        match e {
            // SQLite: SQLITE_FULL (13, extended codes share the low byte); PostgreSQL: 53100 disk_full.
            sqlx::Error::Database(d) if d.code().is_some_and(|c| c == "53100" || sqlite_primary(&c) == Some(13)) => Fault::Full,
            _ => Fault::Unavailable,
        }
    }
}

/// The primary result code of an SQLite error code (`517` → `5`). SQLite's codes have at
/// most four digits; PostgreSQL's SQLSTATEs always five characters, so they never match.
fn sqlite_primary(code: &str) -> Option<i64> {
    if code.len() > 4 {
        return None;
    }
    code.parse::<i64>().ok().map(|c| c & 0xff)
}

/// True for errors that go away when the transaction is simply run again: SQLite busy or
/// locked past the busy timeout, PostgreSQL serialisation failures and deadlocks.
fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.code().is_some_and(|c| matches!(sqlite_primary(&c), Some(5 | 6)) || c == "40001" || c == "40P01"),
        _ => false,
    }
}

/// How often a write is tried when the database is busy (on top of SQLite's own
/// `busy_timeout` of 5 s per statement).
const WRITE_ATTEMPTS: u32 = 5;

/// Runs a write (a whole transaction) again when it failed on a busy database, with a
/// short growing pause; any other error is returned at once.
pub async fn retry<T, F, Fut>(mut write: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 1;
    loop {
        match write().await {
            Err(e) if attempt < WRITE_ATTEMPTS && is_transient(&e) => {
                tracing::warn!(attempt, "database busy, retrying the write");
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                attempt += 1;
            }
            r => return r,
        }
    }
}

/// The shared value `name` of `server_state`, set to `initial` by the first server that
/// asks (two servers starting at once agree on the one written first).
async fn shared_value(pool: &AnyPool, name: &str, initial: &str) -> Result<String> {
    retry(|| {
        sqlx::query("INSERT INTO server_state (name, value, updated_at) VALUES ($1, $2, 0) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(initial)
            .execute(pool)
    })
    .await?;
    Ok(sqlx::query("SELECT value FROM server_state WHERE name = $1").bind(name).fetch_one(pool).await?.get(0))
}

/// A stored draft.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Its id.
    pub id: String,
    /// The engine's `Snapshot`, as JSON.
    pub snapshot: String,
    /// The reference number once submitted.
    pub reference: Option<String>,
    /// When it expires (Unix ms).
    pub expires_at: i64,
}

/// A stored submission.
#[derive(Debug, Clone)]
pub struct StoredSubmission {
    /// Its id.
    pub id: String,
    /// The form's id.
    pub form: String,
    /// The reference number.
    pub reference: String,
    /// The submission document (JSON).
    pub document: String,
    /// The authority it was submitted to (`""` without authorities).
    pub authority: String,
}

/// A submission with its PDF, if written ([`Store::submission_pdf`]).
#[derive(Debug, Clone)]
pub struct SubmissionPdf {
    /// The submission's id.
    pub id: String,
    /// When it was stored (Unix ms).
    pub created_at: i64,
    /// The PDF, once written.
    pub pdf: Option<Vec<u8>>,
}

/// An outbox row claimed for an attempt.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    /// Its id (the delivery id a receiver drops repeats by).
    pub id: String,
    /// The submission's id.
    pub submission_id: String,
    /// The channel: `webhook`, `email`, `email-confirmation`, `fitconnect`.
    pub channel: String,
    /// The webhook URL (`''` for the other channels).
    pub url: String,
    /// The environment variable with the HMAC secret (webhook).
    pub secret_env: Option<String>,
    /// What the channel sends to (see [`NewDelivery::target`]).
    pub target: Option<String>,
    /// The channel's extra setting (see [`NewDelivery::detail`]).
    pub detail: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
}

/// One outbox row to write with a submission: one per channel of its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The channel: `webhook`, `email`, `email-confirmation`, `fitconnect`.
    pub channel: &'static str,
    /// The webhook URL (`''` for the other channels).
    pub url: String,
    /// The environment variable with the webhook's HMAC secret.
    pub secret_env: Option<String>,
    /// email: the environment variable with the authority's address(es);
    /// email-confirmation: the citizen's address; fitconnect: the environment variable
    /// with the destination id.
    pub target: Option<String>,
    /// fitconnect: the LeiKa key.
    pub detail: Option<String>,
}

impl NewDelivery {
    /// A webhook row.
    pub fn webhook(url: &str, secret_env: Option<&str>) -> NewDelivery {
        NewDelivery { channel: "webhook", url: url.into(), secret_env: secret_env.map(Into::into), target: None, detail: None }
    }

    /// A row of another channel.
    pub fn other(channel: &'static str, target: String, detail: Option<String>) -> NewDelivery {
        NewDelivery { channel, url: String::new(), secret_env: None, target: Some(target), detail }
    }
}

/// The state of one channel of a submission, as the admin API shows it.
#[derive(Debug, Clone)]
pub struct ChannelState {
    /// The outbox row's id (the delivery id).
    pub id: String,
    /// The channel.
    pub channel: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When the next attempt is due (Unix ms), while pending.
    pub next_attempt_at: i64,
    /// Delivered (Unix ms).
    pub delivered_at: Option<i64>,
    /// Given up for good (Unix ms).
    pub failed_at: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// What the channel gave back (an SMTP Message-ID, a FIT-Connect submission id).
    pub receipt: Option<String>,
}

impl ChannelState {
    /// `pending`, `delivered` or `failed`.
    pub fn status(&self) -> &'static str {
        match (self.delivered_at, self.failed_at) {
            (Some(_), _) => "delivered",
            (None, Some(_)) => "failed",
            (None, None) => "pending",
        }
    }
}

/// A delivery not done yet (pending or failed for good), as the admin API shows it (no
/// URL: it may carry a token; no address: it is personal data).
#[derive(Debug, Clone)]
pub struct PendingDelivery {
    /// The outbox row's id (the `X-Wegweiser-Delivery` header).
    pub id: String,
    /// The channel.
    pub channel: String,
    /// Given up for good (Unix ms).
    pub failed_at: Option<i64>,
    /// The submission's reference.
    pub reference: String,
    /// The form's id.
    pub form: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When the next attempt is due (Unix ms; a claimed row: when its lease ends).
    pub next_attempt_at: i64,
    /// Why the last attempt failed; `None` before the first attempt.
    pub last_error: Option<String>,
}

/// The outcome of [`Store::submit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Stored now, with this reference.
    Stored(String),
    /// The draft was submitted before (a double click): nothing was stored.
    AlreadySubmitted,
}

/// A new draft ([`Store::create_draft`]).
#[derive(Debug, Clone, Copy)]
pub struct NewDraft<'a> {
    /// Its id ([`Store::new_draft_id`]).
    pub id: &'a str,
    /// The owner: the browser session's hash (with the account the form sees).
    pub session_hash: &'a str,
    /// The authority (`""` without authorities).
    pub authority: &'a str,
    /// The form's id.
    pub form: &'a str,
    /// The engine's `Snapshot`, as JSON.
    pub snapshot: &'a str,
    /// The account (issuer, subject) it is started with, when logged in.
    pub account: Option<(&'a str, &'a str)>,
    /// Now (Unix ms).
    pub now: i64,
    /// How long it lives without a save (ms).
    pub ttl_ms: i64,
}

/// What [`Store::submit`] stores.
pub struct NewSubmission<'a> {
    /// The draft.
    pub draft_id: &'a str,
    /// The authority (`""` without authorities): its own reference counter.
    pub authority: &'a str,
    /// The form's id.
    pub form: &'a str,
    /// The year for the `{year}` counter.
    pub year: i64,
    /// Builds the reference from the sequence number.
    pub reference: &'a (dyn Fn(i64) -> String + Sync),
    /// Builds the document from the reference.
    pub document: &'a (dyn Fn(&str) -> String + Sync),
    /// The outbox rows: one per delivery channel of the form.
    pub deliveries: &'a [NewDelivery],
    /// The uploads the document carries (`Session::submitted_files`): path, name, size.
    /// Only stored files that match one of them are linked to the submission; the
    /// draft's other files (removed entries, inactive fields) are deleted with it.
    pub files: &'a [(String, String, i64)],
    /// The account's e-mail address when the submission is made while logged in and the
    /// login gave one (the Postkorb's notification goes there).
    pub account_email: Option<&'a str>,
    /// Now (Unix ms).
    pub now: i64,
}

impl Store {
    /// Connects and runs the migrations. `sqlite:` URLs create the file if needed.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    /// Connects with options and runs the migrations.
    pub async fn connect_with(url: &str, options: &StoreOptions) -> Result<Store> {
        install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        // Before anything is read: a cache is only correct in the one process on the file.
        let lock = match file_lock::lock_path(url) {
            Some(path) => Some(file_lock::acquire(path, options.draft_cache > 0).map_err(|e| sqlx::Error::Configuration(Box::new(e)))?),
            None => None,
        };
        let draft_cache = match &lock {
            Some(l) if !l.exclusive && options.draft_cache > 0 => {
                tracing::warn!("draft cache off: another wegweiser server uses this SQLite file");
                0
            }
            _ => options.draft_cache,
        };
        let url = if sqlite && !url.contains("mode=") && !url.contains(":memory:") {
            format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
        } else {
            url.to_string()
        };
        // SQLite: each connection is a thread of its own that every query is handed to;
        // more threads than cores only add switching, and writers queue for one lock
        // anyway (the drafts' writes go through one writer: `commit`).
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections.unwrap_or(if sqlite { 3 } else { 16 }))
            .acquire_timeout(options.acquire_timeout)
            // A PostgreSQL connection broken by a database restart is noticed and replaced
            // here. An SQLite file has nothing to reconnect to.
            .test_before_acquire(!sqlite)
            .connect(&url)
            .await?;
        if sqlite {
            // WAL lets readers go on while one writer submits; sqlx waits on a busy database.
            sqlx::query("PRAGMA journal_mode=WAL").execute(&pool).await?;
        }
        sqlx::migrate!("./migrations").run(&pool).await?;
        let session_key = hex::decode(shared_value(&pool, "session_key", &super::security::random_hex(32)).await?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?
            .into();
        let cache = std::sync::Arc::new(cache::DraftCache::new(draft_cache, cache::DEFAULT_BYTES));
        let committer = commit::Committer::start(pool.clone(), cache.clone());
        Ok(Store { pool, session_key, committer, cache, _lock: lock })
    }

    /// The key of the session cookies' tags (the same for every server on this database).
    pub fn session_key(&self) -> &[u8] {
        &self.session_key
    }

    /// Writes the health probe's row (a committed write): fails when the database takes
    /// no writes (disk full, read-only, away).
    pub async fn write_probe(&self, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO server_state (name, value, updated_at) VALUES ('health_probe', 'ok', $1) \
             ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The connection pool (for operators' tools and fault tests; the server goes through
    /// the methods).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The open (not submitted, not expired) draft of a browser session for a form of an
    /// authority (`""` without authorities): a draft started under one authority is never
    /// opened under another's addresses.
    /// The draft cache answers for a draft this process wrote last (same key, same expiry).
    pub async fn open_draft(&self, session_hash: &str, authority: &str, form: &str, now: i64) -> Result<Option<Draft>> {
        if let Some(d) = self.cache.get(session_hash, authority, form, now) {
            return Ok(Some(d));
        }
        let row = sqlx::query(
            "SELECT id, snapshot, reference, expires_at FROM drafts \
             WHERE session_hash = $1 AND form = $2 AND reference IS NULL AND expires_at > $3 AND authority = $4 \
             ORDER BY updated_at DESC LIMIT 1",
        )
        .bind(session_hash)
        .bind(form)
        .bind(now)
        .bind(authority)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(draft_of))
    }

    /// The latest submitted draft of a browser session for a form of an authority.
    pub async fn submitted_draft(&self, session_hash: &str, authority: &str, form: &str) -> Result<Option<Draft>> {
        let row = sqlx::query(
            "SELECT id, snapshot, reference, expires_at FROM drafts \
             WHERE session_hash = $1 AND form = $2 AND reference IS NOT NULL AND authority = $3 ORDER BY updated_at DESC LIMIT 1",
        )
        .bind(session_hash)
        .bind(form)
        .bind(authority)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(draft_of))
    }

    /// A new draft's id (random, made by the server: the draft is first written with the
    /// answers of its first step, [`Store::create_draft`]).
    pub fn new_draft_id() -> String {
        super::security::random_hex(16)
    }

    /// Creates a draft (one write, group-committed; returns when it is durable).
    pub async fn create_draft(&self, d: NewDraft<'_>) -> Result<()> {
        self.committer
            .write(commit::DraftWrite::Create {
                id: d.id.to_string(),
                session_hash: d.session_hash.to_string(),
                authority: d.authority.to_string(),
                form: d.form.to_string(),
                snapshot: d.snapshot.to_string(),
                now: d.now,
                expires_at: d.now + d.ttl_ms,
                account: d.account.map(|(i, s)| (i.to_string(), s.to_string())),
            })
            .await
    }

    /// Saves a draft's snapshot (only while it is open); the expiry moves on. One write,
    /// group-committed: returns when it is durable.
    pub async fn save_draft(&self, id: &str, snapshot: &str, now: i64, ttl_ms: i64) -> Result<()> {
        self.committer
            .write(commit::DraftWrite::Save { id: id.to_string(), snapshot: snapshot.to_string(), now, expires_at: now + ttl_ms })
            .await
    }

    /// What the drafts' writer did so far (transactions committed, writes in them).
    pub fn commit_stats(&self) -> &commit::CommitStats {
        self.committer.stats()
    }

    /// The draft cache (for tests and `/metrics`).
    pub fn draft_cache(&self) -> &cache::DraftCache {
        &self.cache
    }

    /// Takes draft `id` out of the draft cache after a write outside the drafts' writer
    /// committed (submitted, moved to another owner, deleted), after the writer's fills of
    /// earlier commits ([`cache`]). A draft moved to `to` (owner, authority, form) is now
    /// that owner's latest: whatever the cache held for `to` goes too.
    pub async fn forget_draft(&self, id: &str, to: Option<(&str, &str, &str)>) {
        if self.cache.enabled() {
            let _gate = self.cache.gate.lock().await;
            self.cache.remove(id);
            if let Some((owner, authority, form)) = to {
                self.cache.remove_key(owner, authority, form);
            }
        }
    }

    /// Stores the hash of a new resume token for a draft.
    pub async fn set_resume_hash(&self, id: &str, hash: &str) -> Result<()> {
        retry(|| sqlx::query("UPDATE drafts SET resume_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(&self.pool)).await?;
        Ok(())
    }

    /// The form of the open draft of `authority` with this resume-token hash (the link is
    /// valid, and opened under the draft's own authority); moves nothing.
    pub async fn resume_form(&self, resume_hash: &str, authority: &str, now: i64) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT form FROM drafts WHERE resume_hash = $1 AND reference IS NULL AND expires_at > $2 AND authority = $3")
                .bind(resume_hash)
                .bind(now)
                .bind(authority)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.get::<String, _>("form")))
    }

    /// Moves the open draft with this resume-token hash to another browser session and
    /// spends the token (a link works once); returns the draft's form. Only a draft of
    /// `authority` moves (a link opened under another authority's address is no link).
    pub async fn resume(&self, resume_hash: &str, session_hash: &str, authority: &str, now: i64) -> Result<Option<String>> {
        let row = retry(|| {
            sqlx::query(
                "UPDATE drafts SET session_hash = $1, updated_at = $2, resume_hash = NULL \
                 WHERE resume_hash = $3 AND reference IS NULL AND expires_at > $2 AND authority = $4 RETURNING id, form",
            )
            .bind(session_hash)
            .bind(now)
            .bind(resume_hash)
            .bind(authority)
            .fetch_optional(&self.pool)
        })
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (id, form): (String, String) = (row.get("id"), row.get("form"));
        self.forget_draft(&id, Some((session_hash, authority, &form))).await;
        Ok(Some(form))
    }

    /// Deletes expired drafts that were never submitted, and their files; returns how many.
    pub async fn delete_expired(&self, now: i64) -> Result<u64> {
        retry(|| self.delete_expired_once(now)).await
    }

    async fn delete_expired_once(&self, now: i64) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM files WHERE submission_id IS NULL AND draft_id IN \
             (SELECT id FROM drafts WHERE expires_at <= $1 AND reference IS NULL)",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let n = sqlx::query("DELETE FROM drafts WHERE expires_at <= $1 AND reference IS NULL").bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(n.rows_affected())
    }

    /// Stores (or replaces) the upload of a field of a draft.
    pub async fn put_file(&self, draft_id: &str, path: &str, name: &str, mime: &str, content: &[u8]) -> Result<()> {
        retry(|| self.put_file_once(draft_id, path, name, mime, content)).await
    }

    async fn put_file_once(&self, draft_id: &str, path: &str, name: &str, mime: &str, content: &[u8]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM files WHERE draft_id = $1 AND field_path = $2 AND submission_id IS NULL")
            .bind(draft_id)
            .bind(path)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO files (id, draft_id, field_path, name, size, mime, content, submission_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(super::security::random_hex(16))
        .bind(draft_id)
        .bind(path)
        .bind(name)
        .bind(content.len() as i64)
        .bind(mime)
        .bind(content.to_vec())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The field paths of a draft's stored uploads.
    pub async fn file_paths(&self, draft_id: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT field_path FROM files WHERE draft_id = $1 AND submission_id IS NULL ORDER BY field_path")
            .bind(draft_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| r.get::<String, _>("field_path")).collect())
    }

    /// The bytes of a draft's stored uploads, without the one at `except` (which a new
    /// upload is about to replace).
    pub async fn files_size(&self, draft_id: &str, except: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS total FROM files \
             WHERE draft_id = $1 AND submission_id IS NULL AND field_path <> $2",
        )
        .bind(draft_id)
        .bind(except)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get::<i64, _>("total"))
    }

    /// Moves a draft's uploads with their entries: `None` deletes the file at a path
    /// (its entry was removed), `Some(to)` moves it there. Moves are made in two rounds
    /// (through a path no field has) so that they never collide on the way.
    pub async fn move_files(&self, draft_id: &str, moves: &[(String, Option<String>)]) -> Result<()> {
        if moves.is_empty() {
            return Ok(());
        }
        retry(|| self.move_files_once(draft_id, moves)).await
    }

    async fn move_files_once(&self, draft_id: &str, moves: &[(String, Option<String>)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (from, to) in moves {
            let q = match to {
                None => sqlx::query("DELETE FROM files WHERE draft_id = $1 AND field_path = $2 AND submission_id IS NULL")
                    .bind(draft_id)
                    .bind(from),
                Some(_) => {
                    sqlx::query("UPDATE files SET field_path = $3 WHERE draft_id = $1 AND field_path = $2 AND submission_id IS NULL")
                        .bind(draft_id)
                        .bind(from)
                        .bind(format!("#moving#{from}"))
                }
            };
            q.execute(&mut *tx).await?;
        }
        for (from, to) in moves {
            if let Some(to) = to {
                sqlx::query("UPDATE files SET field_path = $3 WHERE draft_id = $1 AND field_path = $2 AND submission_id IS NULL")
                    .bind(draft_id)
                    .bind(format!("#moving#{from}"))
                    .bind(to)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await
    }

    /// Stores a submission exactly once per draft, in one transaction: the counter row,
    /// the document, the draft's reference, its files and the outbox entry.
    pub async fn submit(&self, new: NewSubmission<'_>) -> Result<SubmitOutcome> {
        retry(|| self.submit_once(&new)).await
    }

    async fn submit_once(&self, new: &NewSubmission<'_>) -> Result<SubmitOutcome> {
        let mut tx = self.pool.begin().await?;
        // A write first: SQLite takes the write lock here (so two submissions queue
        // instead of failing to upgrade a read lock); PostgreSQL locks the counter row.
        sqlx::query(
            "INSERT INTO counters (authority, form, year, n) VALUES ($3, $1, $2, 0) ON CONFLICT (authority, form, year) DO NOTHING",
        )
        .bind(new.form)
        .bind(new.year)
        .bind(new.authority)
        .execute(&mut *tx)
        .await?;
        let seq: i64 = sqlx::query("UPDATE counters SET n = n + 1 WHERE form = $1 AND year = $2 AND authority = $3 RETURNING n")
            .bind(new.form)
            .bind(new.year)
            .bind(new.authority)
            .fetch_one(&mut *tx)
            .await?
            .get("n");
        let reference = (new.reference)(seq);
        let document = (new.document)(&reference);
        let id = super::security::random_hex(16);
        // The submission records its draft's account (migration 0007); `WHERE 1 = 1` keeps
        // SQLite from reading `ON CONFLICT` as part of the SELECT.
        let inserted = sqlx::query(
            "INSERT INTO submissions (id, draft_id, form, reference, document, created_at, authority, \
             account_issuer, account_subject, account_email) \
             SELECT $1, $2, $3, $4, $5, $6, $7, \
             (SELECT account_issuer FROM drafts WHERE id = $2), (SELECT account_subject FROM drafts WHERE id = $2), \
             CASE WHEN (SELECT account_subject FROM drafts WHERE id = $2) IS NULL THEN NULL ELSE $8 END \
             WHERE 1 = 1 ON CONFLICT (draft_id) DO NOTHING RETURNING id",
        )
        .bind(&id)
        .bind(new.draft_id)
        .bind(new.form)
        .bind(&reference)
        .bind(&document)
        .bind(new.now)
        .bind(new.authority)
        .bind(new.account_email)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            tx.rollback().await?;
            return Ok(SubmitOutcome::AlreadySubmitted);
        }
        sqlx::query("UPDATE drafts SET reference = $1, updated_at = $2 WHERE id = $3")
            .bind(&reference)
            .bind(new.now)
            .bind(new.draft_id)
            .execute(&mut *tx)
            .await?;
        for (path, name, size) in new.files {
            sqlx::query(
                "UPDATE files SET submission_id = $1 \
                 WHERE draft_id = $2 AND field_path = $3 AND name = $4 AND size = $5 AND submission_id IS NULL",
            )
            .bind(&id)
            .bind(new.draft_id)
            .bind(path)
            .bind(name)
            .bind(*size)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM files WHERE draft_id = $1 AND submission_id IS NULL").bind(new.draft_id).execute(&mut *tx).await?;
        for d in new.deliveries {
            sqlx::query(
                "INSERT INTO outbox (id, submission_id, channel, url, secret_env, target, detail, attempts, next_attempt_at, \
                 delivered_at, failed_at, last_error, receipt) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, NULL, NULL, NULL, NULL)",
            )
            .bind(super::security::random_hex(16))
            .bind(&id)
            .bind(d.channel)
            .bind(&d.url)
            .bind(d.secret_env.as_deref())
            .bind(d.target.as_deref())
            .bind(d.detail.as_deref())
            .bind(new.now)
            .execute(&mut *tx)
            .await?;
        }
        super::fault::point("submit-before-commit").await;
        tx.commit().await?;
        // Submitted: no longer the owner's open draft.
        self.forget_draft(new.draft_id, None).await;
        super::fault::point("submit-after-commit").await;
        Ok(SubmitOutcome::Stored(reference))
    }

    /// All submissions, oldest first.
    pub async fn submissions(&self) -> Result<Vec<StoredSubmission>> {
        let rows = sqlx::query("SELECT id, form, reference, document, authority FROM submissions ORDER BY created_at, reference")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(submission_of).collect())
    }

    /// At most `limit` submissions, oldest first, after the one with the reference `after`
    /// (a page of the admin list); `None` when there is no submission `after`. With
    /// `authority`, only that authority's submissions (`after` must be one of them too).
    pub async fn submissions_after(
        &self,
        authority: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Option<Vec<StoredSubmission>>> {
        // `$a = 1` lets every authority's rows through (the operator's view); one statement
        // for both, so both databases type the parameters alike.
        let (all, only) = match authority {
            None => (1_i64, ""),
            Some(a) => (0_i64, a),
        };
        let rows = match after {
            None => {
                sqlx::query(
                    "SELECT id, form, reference, document, authority FROM submissions \
                     WHERE ($2 = 1 OR authority = $3) ORDER BY created_at, reference LIMIT $1",
                )
                .bind(limit)
                .bind(all)
                .bind(only)
                .fetch_all(&self.pool)
                .await?
            }
            Some(reference) => {
                let Some(row) = sqlx::query("SELECT created_at FROM submissions WHERE reference = $1 AND ($2 = 1 OR authority = $3)")
                    .bind(reference)
                    .bind(all)
                    .bind(only)
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    return Ok(None);
                };
                let at: i64 = row.get(0);
                sqlx::query(
                    "SELECT id, form, reference, document, authority FROM submissions \
                     WHERE (created_at > $1 OR (created_at = $1 AND reference > $2)) AND ($4 = 1 OR authority = $5) \
                     ORDER BY created_at, reference LIMIT $3",
                )
                .bind(at)
                .bind(reference)
                .bind(limit)
                .bind(all)
                .bind(only)
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(Some(rows.into_iter().map(submission_of).collect()))
    }

    /// One submission by reference.
    pub async fn submission_by_reference(&self, reference: &str) -> Result<Option<StoredSubmission>> {
        let row = sqlx::query("SELECT id, form, reference, document, authority FROM submissions WHERE reference = $1")
            .bind(reference)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(submission_of))
    }

    /// One submission by id.
    pub async fn submission(&self, id: &str) -> Result<Option<StoredSubmission>> {
        let row = sqlx::query("SELECT id, form, reference, document, authority FROM submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(submission_of))
    }

    /// A submission's id, when it was stored (Unix ms) and its PDF if one was written.
    pub async fn submission_pdf(&self, reference: &str) -> Result<Option<SubmissionPdf>> {
        let row = sqlx::query(
            "SELECT s.id, s.created_at, p.pdf FROM submissions s LEFT JOIN submission_pdfs p ON p.submission_id = s.id \
             WHERE s.reference = $1",
        )
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| SubmissionPdf { id: r.get("id"), created_at: r.get("created_at"), pdf: r.get("pdf") }))
    }

    /// The size in bytes of a submission's PDF (by reference), once written.
    pub async fn submission_pdf_size(&self, reference: &str) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT CAST(LENGTH(p.pdf) AS BIGINT) AS n FROM submissions s JOIN submission_pdfs p ON p.submission_id = s.id \
             WHERE s.reference = $1",
        )
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.get("n")))
    }

    /// Stores a submission's PDF; one written before (by a concurrent request) is kept.
    pub async fn put_submission_pdf(&self, submission_id: &str, pdf: &[u8], now: i64) -> Result<()> {
        retry(|| async {
            sqlx::query(
                "INSERT INTO submission_pdfs (submission_id, pdf, created_at) VALUES ($1, $2, $3) ON CONFLICT (submission_id) DO NOTHING",
            )
            .bind(submission_id)
            .bind(pdf)
            .bind(now)
            .execute(&self.pool)
            .await
        })
        .await?;
        Ok(())
    }

    /// Number of submissions.
    pub async fn submission_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM submissions").fetch_one(&self.pool).await?.get("n"))
    }

    /// Outbox entries not delivered yet and not given up.
    pub async fn outbox_pending(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL")
            .fetch_one(&self.pool)
            .await?
            .get("n"))
    }

    /// Outbox entries by channel and status (`pending`, `retrying`: pending after a failed
    /// attempt, `delivered`, `failed`: given up), for `/metrics`.
    pub async fn outbox_by_channel(&self) -> Result<Vec<(String, &'static str, i64)>> {
        let rows = sqlx::query(
            "SELECT channel, CAST(CASE WHEN delivered_at IS NOT NULL THEN 1 WHEN failed_at IS NOT NULL THEN 2 \
             WHEN last_error IS NOT NULL THEN 3 ELSE 0 END AS BIGINT) AS status, COUNT(*) AS n FROM outbox GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let status = match r.get::<i64, _>("status") {
                    1 => "delivered",
                    2 => "failed",
                    3 => "retrying",
                    _ => "pending",
                };
                (r.get("channel"), status, r.get("n"))
            })
            .collect())
    }

    /// The channels of a submission (by reference), in the order they were written.
    pub async fn channels_of(&self, reference: &str) -> Result<Vec<ChannelState>> {
        let rows = sqlx::query(
            "SELECT o.id, o.channel, o.attempts, o.next_attempt_at, o.delivered_at, o.failed_at, o.last_error, o.receipt \
             FROM outbox o JOIN submissions s ON s.id = o.submission_id WHERE s.reference = $1 ORDER BY o.channel, o.id",
        )
        .bind(reference)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ChannelState {
                id: r.get("id"),
                channel: r.get("channel"),
                attempts: r.get("attempts"),
                next_attempt_at: r.get("next_attempt_at"),
                delivered_at: r.get("delivered_at"),
                failed_at: r.get("failed_at"),
                last_error: r.get("last_error"),
                receipt: r.get("receipt"),
            })
            .collect())
    }

    /// A submission's uploads as they were submitted: (file name, MIME type, bytes), in the
    /// order of their field paths.
    pub async fn submission_files(&self, submission_id: &str) -> Result<Vec<(String, String, Vec<u8>)>> {
        let rows = sqlx::query("SELECT name, mime, content FROM files WHERE submission_id = $1 ORDER BY field_path")
            .bind(submission_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| (r.get("name"), r.get("mime"), r.get("content"))).collect())
    }

    /// A draft by id, whatever its state (the PDF worker reads the submitted one).
    pub async fn draft(&self, id: &str) -> Result<Option<Draft>> {
        let row =
            sqlx::query("SELECT id, snapshot, reference, expires_at FROM drafts WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(draft_of))
    }

    /// The draft a submission was made from (its snapshot renders the PDF).
    pub async fn draft_of_submission(&self, submission_id: &str) -> Result<Option<Draft>> {
        let row = sqlx::query(
            "SELECT d.id, d.snapshot, d.reference, d.expires_at FROM drafts d JOIN submissions s ON s.draft_id = d.id WHERE s.id = $1",
        )
        .bind(submission_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(draft_of))
    }

    /// When a submission was stored (Unix ms).
    pub async fn submission_created_at(&self, submission_id: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT created_at FROM submissions WHERE id = $1").bind(submission_id).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.get("created_at")))
    }

    /// Outbox entries delivered.
    pub async fn outbox_delivered(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NOT NULL").fetch_one(&self.pool).await?.get("n"))
    }

    /// Outbox entries not delivered yet whose last attempt failed (an error status, a
    /// redirect, no connection, a timeout, no secret): the ones an operator looks at.
    pub async fn outbox_failing(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND last_error IS NOT NULL")
            .fetch_one(&self.pool)
            .await?
            .get("n"))
    }

    /// The deliveries not done yet, soonest due first (at most `limit`), with their
    /// submission's reference and form, for the admin API.
    /// With `authority`, only the deliveries of its submissions.
    pub async fn outbox_undelivered(&self, authority: Option<&str>, limit: i64) -> Result<Vec<PendingDelivery>> {
        let (all, only) = match authority {
            None => (1_i64, ""),
            Some(a) => (0_i64, a),
        };
        let rows = sqlx::query(
            "SELECT o.id, o.channel, o.failed_at, s.reference, s.form, o.attempts, o.next_attempt_at, o.last_error \
             FROM outbox o JOIN submissions s ON s.id = o.submission_id \
             WHERE o.delivered_at IS NULL AND ($2 = 1 OR s.authority = $3) ORDER BY o.next_attempt_at, o.id LIMIT $1",
        )
        .bind(limit)
        .bind(all)
        .bind(only)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PendingDelivery {
                id: r.get("id"),
                channel: r.get("channel"),
                failed_at: r.get("failed_at"),
                reference: r.get("reference"),
                form: r.get("form"),
                attempts: r.get("attempts"),
                next_attempt_at: r.get("next_attempt_at"),
                last_error: r.get("last_error"),
            })
            .collect())
    }

    /// Claims up to `limit` due entries in one statement: their due time moves to `until`
    /// (a lease longer than one attempt), so neither this process's next round nor
    /// another server sends them meanwhile. A process killed with claimed rows leaves
    /// them due again when the lease ends: that is what makes delivery survive a crash.
    ///
    /// Two servers claiming at once (PostgreSQL, read committed) may pick the same ids
    /// in the inner select; the outer `next_attempt_at <= now` is checked again on the
    /// row the first one updated, so the second one skips it. SQLite serialises writers.
    pub async fn outbox_claim_due(&self, now: i64, until: i64, limit: i64) -> Result<Vec<OutboxItem>> {
        let rows = retry(|| {
            sqlx::query(
                "UPDATE outbox SET next_attempt_at = $1 \
                 WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                              ORDER BY next_attempt_at LIMIT $3) \
                   AND delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                 RETURNING id, submission_id, channel, url, secret_env, target, detail, attempts",
            )
            .bind(until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
        })
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxItem {
                id: r.get("id"),
                submission_id: r.get("submission_id"),
                channel: r.get("channel"),
                url: r.get("url"),
                secret_env: r.get("secret_env"),
                target: r.get("target"),
                detail: r.get("detail"),
                attempts: r.get("attempts"),
            })
            .collect())
    }

    /// Marks an entry delivered, with what the channel gave back.
    pub async fn outbox_delivered_now(&self, id: &str, now: i64, receipt: Option<&str>) -> Result<()> {
        retry(|| {
            sqlx::query("UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL, receipt = $2 WHERE id = $3")
                .bind(now)
                .bind(receipt)
                .bind(id)
                .execute(&self.pool)
        })
        .await?;
        Ok(())
    }

    /// Gives an entry up for good (a refusal no retry changes): never claimed again.
    pub async fn outbox_gave_up(&self, id: &str, now: i64, error: &str) -> Result<()> {
        retry(|| {
            sqlx::query("UPDATE outbox SET attempts = attempts + 1, failed_at = $1, last_error = $2 WHERE id = $3")
                .bind(now)
                .bind(error)
                .bind(id)
                .execute(&self.pool)
        })
        .await?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn outbox_failed(&self, id: &str, next: i64, error: &str) -> Result<()> {
        retry(|| {
            sqlx::query("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3")
                .bind(next)
                .bind(error)
                .bind(id)
                .execute(&self.pool)
        })
        .await?;
        Ok(())
    }
}

fn draft_of(r: sqlx::any::AnyRow) -> Draft {
    Draft { id: r.get("id"), snapshot: r.get("snapshot"), reference: r.get("reference"), expires_at: r.get("expires_at") }
}

fn submission_of(r: sqlx::any::AnyRow) -> StoredSubmission {
    StoredSubmission {
        id: r.get("id"),
        form: r.get("form"),
        reference: r.get("reference"),
        document: r.get("document"),
        authority: r.get("authority"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A store on a fresh SQLite file with one connection that never waits for a lock
    /// (`busy_timeout = 0`), so that a lock gives SQLITE_BUSY at once.
    async fn impatient_store() -> (Store, String) {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let url = format!("sqlite://{}", std::env::temp_dir().join(format!("wegweiser-store-{}.db", hex::encode(b))).display());
        let store = Store::connect_with(&url, &StoreOptions { max_connections: Some(1), ..StoreOptions::default() }).await.unwrap();
        sqlx::query("PRAGMA busy_timeout = 0").execute(store.pool()).await.unwrap();
        (store, url)
    }

    #[tokio::test]
    async fn a_busy_write_is_classified_transient_and_retried_until_the_lock_is_gone() {
        let (store, url) = impatient_store().await;
        let other = Store::connect(&url).await.unwrap();
        let mut lock = other.pool().acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *lock).await.unwrap();
        // A real SQLITE_BUSY: transient, not "full".
        let d = NewDraft { id: "d", session_hash: "s", authority: "", form: "f", snapshot: "{}", account: None, now: 0, ttl_ms: 1 };
        let e = store.create_draft(d).await.err();
        // `create_draft` retried it WRITE_ATTEMPTS times and gave up: the lock never went.
        let e = e.expect("busy while the lock is held");
        assert!(is_transient(&e), "{e}");
        assert_eq!(Fault::of(&e), Fault::Unavailable);
        // Now the lock goes away between the first and the second attempt.
        let lock = Arc::new(tokio::sync::Mutex::new(Some(lock)));
        let attempts = Arc::new(AtomicU32::new(0));
        let written = retry(|| {
            let (lock, attempts, store) = (lock.clone(), attempts.clone(), store.clone());
            async move {
                if attempts.fetch_add(1, Ordering::SeqCst) == 1
                    && let Some(mut c) = lock.lock().await.take()
                {
                    sqlx::query("COMMIT").execute(&mut *c).await?;
                }
                sqlx::query("INSERT INTO counters (form, year, n) VALUES ('f', 2026, 0)").execute(store.pool()).await
            }
        })
        .await;
        assert!(written.is_ok(), "{written:?}");
        assert_eq!(attempts.load(Ordering::SeqCst), 2, "failed once on the lock, then went through");
    }

    #[tokio::test]
    async fn a_full_database_is_classified_full_and_not_retried() {
        let (store, _) = impatient_store().await;
        let pages: i64 = sqlx::query("PRAGMA page_count").fetch_one(store.pool()).await.unwrap().get(0);
        sqlx::query(&format!("PRAGMA max_page_count = {pages}")).execute(store.pool()).await.unwrap();
        let attempts = AtomicU32::new(0);
        let big = vec![7u8; 200_000];
        let e = retry(|| {
            attempts.fetch_add(1, Ordering::SeqCst);
            store.put_file_once("d", "p", "n", "application/pdf", &big)
        })
        .await
        .expect_err("SQLITE_FULL");
        assert_eq!(Fault::of(&e), Fault::Full, "{e}");
        assert!(!is_transient(&e));
        assert_eq!(attempts.load(Ordering::SeqCst), 1);
    }

    /// A store as `serve` connects it to an SQLite file: with the draft cache.
    async fn cached_store() -> Store {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let url = format!("sqlite://{}", std::env::temp_dir().join(format!("wegweiser-cache-{}.db", hex::encode(b))).display());
        Store::connect_with(&url, &StoreOptions { draft_cache: 100, ..StoreOptions::default() }).await.unwrap()
    }

    #[tokio::test]
    async fn a_second_server_on_an_sqlite_file_never_runs_beside_a_cache() {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let path = std::env::temp_dir().join(format!("wegweiser-two-{}.db", hex::encode(b)));
        let url = format!("sqlite://{}", path.display());
        let lock = file_lock::lock_path(&url).unwrap();
        let cached = StoreOptions { draft_cache: 100, ..StoreOptions::default() };
        // Another process with its cache on the file (a lock of its own): refused.
        let other = file_lock::lock_file(lock.clone(), true).unwrap();
        let e = Store::connect_with(&url, &cached).await.expect_err("a second server beside a cache");
        assert!(e.to_string().contains("--draft-cache 0"), "{e}");
        assert!(Store::connect_with(&url, &StoreOptions::default()).await.is_err());
        drop(other);
        // Another process without a cache: this one starts, without its cache.
        let other = file_lock::lock_file(lock.clone(), false).unwrap();
        let late = Store::connect_with(&url, &cached).await.unwrap();
        assert!(!late.draft_cache().enabled(), "a cache beside another server would serve its stale drafts");
        drop((other, late));
        // Alone on the file: the cache, and the file held alone while the store lives.
        let alone = Store::connect_with(&url, &cached).await.unwrap();
        assert!(alone.draft_cache().enabled());
        assert!(matches!(file_lock::lock_file(lock, false), Err(file_lock::LockError::Cached(_))));
        drop(alone);
    }

    fn new_draft<'a>(id: &'a str, owner: &'a str, snapshot: &'a str) -> NewDraft<'a> {
        NewDraft { id, session_hash: owner, authority: "a", form: "f", snapshot, account: None, now: 1, ttl_ms: 1_000_000 }
    }

    async fn submit_draft(store: &Store, id: &str) -> SubmitOutcome {
        let (reference, document) = (|n: i64| format!("R-{n}"), |r: &str| format!("{{\"reference\":\"{r}\"}}"));
        let new = NewSubmission {
            draft_id: id,
            authority: "a",
            form: "f",
            year: 2026,
            reference: &reference,
            document: &document,
            deliveries: &[],
            files: &[],
            account_email: None,
            now: 2,
        };
        store.submit(new).await.unwrap()
    }

    #[tokio::test]
    async fn the_draft_cache_serves_what_the_writer_committed_and_never_a_draft_submitted_or_moved() {
        let store = cached_store().await;
        store.create_draft(new_draft("d1", "owner", "{\"v\":1}")).await.unwrap();
        assert_eq!(store.open_draft("owner", "a", "f", 2).await.unwrap().unwrap().snapshot, "{\"v\":1}");
        // Served from memory: a change behind the writer's back (what another process on
        // the database would do) is not seen. That is why only one process may cache.
        sqlx::query("UPDATE drafts SET snapshot = 'other process'").execute(store.pool()).await.unwrap();
        assert_eq!(store.open_draft("owner", "a", "f", 2).await.unwrap().unwrap().snapshot, "{\"v\":1}");
        store.save_draft("d1", "{\"v\":2}", 3, 1_000_000).await.unwrap();
        assert_eq!(store.open_draft("owner", "a", "f", 4).await.unwrap().unwrap().snapshot, "{\"v\":2}");
        // The same rules as the database read: owner, authority, form, expiry.
        assert!(store.open_draft("someone else", "a", "f", 4).await.unwrap().is_none());
        assert!(store.open_draft("owner", "b", "f", 4).await.unwrap().is_none());
        assert!(store.open_draft("owner", "a", "f", 3 + 1_000_000).await.unwrap().is_none());
        // Submitted: not open any more, in memory as in the database.
        assert_eq!(submit_draft(&store, "d1").await, SubmitOutcome::Stored("R-1".into()));
        assert!(store.open_draft("owner", "a", "f", 4).await.unwrap().is_none());
        // A save that comes after the submission writes nothing and is not kept.
        store.save_draft("d1", "{\"v\":3}", 5, 1_000_000).await.unwrap();
        assert!(store.open_draft("owner", "a", "f", 6).await.unwrap().is_none());
        // A resume link moves a draft to another browser: the old one no longer has it; the
        // new one gets it, not the draft of its own the cache held.
        store.create_draft(new_draft("d2", "owner", "{\"v\":4}")).await.unwrap();
        store.create_draft(new_draft("d3", "new", "{\"mine\":1}")).await.unwrap();
        store.set_resume_hash("d2", "h").await.unwrap();
        assert_eq!(store.resume("h", "new", "a", 10).await.unwrap().as_deref(), Some("f"));
        assert!(store.open_draft("owner", "a", "f", 11).await.unwrap().is_none());
        assert_eq!(store.open_draft("new", "a", "f", 11).await.unwrap().unwrap().id, "d2");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_draft_submitted_while_it_is_saved_is_never_served_from_the_cache() {
        let store = cached_store().await;
        for i in 0..40 {
            let (id, owner) = (format!("d{i}"), format!("o{i}"));
            store.create_draft(new_draft(&id, &owner, "{}")).await.unwrap();
            let (a, b) = (store.clone(), store.clone());
            let (id2, id3) = (id.clone(), id.clone());
            let save = tokio::spawn(async move { a.save_draft(&id2, "{\"late\":1}", 2, 1_000_000).await.unwrap() });
            let submit = tokio::spawn(async move { submit_draft(&b, &id3).await });
            save.await.unwrap();
            assert!(matches!(submit.await.unwrap(), SubmitOutcome::Stored(_)));
            assert!(store.open_draft(&owner, "a", "f", 3).await.unwrap().is_none(), "draft {i} was submitted");
        }
    }

    #[test]
    fn postgres_states_never_pass_for_sqlite_codes() {
        assert_eq!(sqlite_primary("517"), Some(5));
        assert_eq!(sqlite_primary("13"), Some(13));
        assert_eq!(sqlite_primary("53100"), None);
        assert_eq!(sqlite_primary("40001"), None);
    }
}
