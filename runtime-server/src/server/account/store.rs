//! The database side of login (migration 0005): login attempts (state, nonce, PKCE
//! verifier, used once), account sessions (only the hash of their id is stored), and the
//! account a draft was started with.

use sqlx::Row;

use super::super::store::{Result, Store, retry};

/// A login under way, as the callback takes it.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The browser session that started it (hash).
    pub session_hash: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier.
    pub pkce_verifier: String,
    /// Where to go afterwards (a local path).
    pub next_url: String,
    /// When it started (Unix ms).
    pub created_at: i64,
}

/// A stored account session.
#[derive(Debug, Clone)]
pub struct StoredAccount {
    /// Issuer.
    pub issuer: String,
    /// Subject.
    pub subject: String,
    /// Trust level as written (`basis` …), if any.
    pub trust: Option<String>,
    /// The kept attributes as JSON.
    pub claims: String,
    /// Last request (Unix ms).
    pub last_seen_at: i64,
    /// End of the absolute lifetime (Unix ms).
    pub expires_at: i64,
}

/// How long a login may take at the provider before its state is forgotten.
pub const ATTEMPT_TTL_MS: i64 = 10 * 60 * 1000;

impl Store {
    /// Stores a login attempt under the hash of its state (and forgets stale ones).
    pub async fn put_login_attempt(&self, state_hash: &str, a: &Attempt) -> Result<()> {
        retry(|| async {
            let mut tx = self.pool().begin().await?;
            sqlx::query("DELETE FROM login_attempts WHERE created_at < $1").bind(a.created_at - ATTEMPT_TTL_MS).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO login_attempts (state_hash, session_hash, nonce, pkce_verifier, next_url, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(state_hash)
            .bind(&a.session_hash)
            .bind(&a.nonce)
            .bind(&a.pkce_verifier)
            .bind(&a.next_url)
            .bind(a.created_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })
        .await
    }

    /// Takes (deletes and returns) the login attempt with this state hash: a second
    /// callback with the same state finds nothing.
    pub async fn take_login_attempt(&self, state_hash: &str) -> Result<Option<Attempt>> {
        let row = retry(|| {
            sqlx::query(
                "DELETE FROM login_attempts WHERE state_hash = $1 \
                 RETURNING session_hash, nonce, pkce_verifier, next_url, created_at",
            )
            .bind(state_hash)
            .fetch_optional(self.pool())
        })
        .await?;
        Ok(row.map(|r| Attempt {
            session_hash: r.get("session_hash"),
            nonce: r.get("nonce"),
            pkce_verifier: r.get("pkce_verifier"),
            next_url: r.get("next_url"),
            created_at: r.get("created_at"),
        }))
    }

    /// Creates an account session under the hash of its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_account_session(
        &self,
        id_hash: &str,
        issuer: &str,
        subject: &str,
        trust: Option<&str>,
        claims: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        retry(|| async {
            let mut tx = self.pool().begin().await?;
            sqlx::query("DELETE FROM account_sessions WHERE expires_at <= $1").bind(now).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO account_sessions (id_hash, issuer, subject, trust, claims, created_at, last_seen_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
            )
            .bind(id_hash)
            .bind(issuer)
            .bind(subject)
            .bind(trust)
            .bind(claims)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })
        .await
    }

    /// The account session with this id hash, if it exists.
    pub async fn account_session(&self, id_hash: &str) -> Result<Option<StoredAccount>> {
        let row = sqlx::query("SELECT issuer, subject, trust, claims, last_seen_at, expires_at FROM account_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| StoredAccount {
            issuer: r.get("issuer"),
            subject: r.get("subject"),
            trust: r.get("trust"),
            claims: r.get("claims"),
            last_seen_at: r.get("last_seen_at"),
            expires_at: r.get("expires_at"),
        }))
    }

    /// Notes a request of an account session (its idle time starts again).
    pub async fn touch_account_session(&self, id_hash: &str, now: i64) -> Result<()> {
        retry(|| {
            sqlx::query("UPDATE account_sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(id_hash).execute(self.pool())
        })
        .await?;
        Ok(())
    }

    /// Ends an account session (logout, or expired).
    pub async fn delete_account_session(&self, id_hash: &str) -> Result<()> {
        retry(|| sqlx::query("DELETE FROM account_sessions WHERE id_hash = $1").bind(id_hash).execute(self.pool())).await?;
        Ok(())
    }

    /// How many account sessions are stored (tests, metrics).
    pub async fn account_session_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM account_sessions").fetch_one(self.pool()).await?.get(0))
    }

    /// The account (issuer, subject) of the open draft with this resume-token hash; `None`
    /// inside when it was started without a login. The outer `None`: no such draft.
    pub async fn resume_account(&self, resume_hash: &str) -> Result<Option<Option<(String, String)>>> {
        let row = sqlx::query("SELECT account_issuer, account_subject FROM drafts WHERE resume_hash = $1 AND reference IS NULL")
            .bind(resume_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| {
            let (i, s): (Option<String>, Option<String>) = (r.get("account_issuer"), r.get("account_subject"));
            i.zip(s)
        }))
    }
}
