//! The database side of "Meine Anträge" and the Postkorb (migration 0007): an account's
//! drafts and submissions, taking a draft to another browser of the same account or into
//! the account, and the messages an authority posts to a submission.
//!
//! Every statement that reads or changes a citizen's row names the account (issuer and
//! subject) in its `WHERE`: a row of another account is simply not found, on every route.

use sqlx::Row;

use super::super::store::{Result, Store, retry};

/// The most characters a message's text may have.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// The largest PDF a message may carry (bytes).
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;

/// An open draft as "Meine Anträge" lists it.
#[derive(Debug, Clone)]
pub struct ListedDraft {
    /// Its id (the buttons name it; only the owner's requests find it).
    pub id: String,
    /// The form's id.
    pub form: String,
    /// The authority (`""` without one).
    pub authority: String,
    /// Last change (Unix ms).
    pub updated_at: i64,
}

/// A submission as "Meine Anträge" lists it.
#[derive(Debug, Clone)]
pub struct ListedSubmission {
    /// Its id.
    pub id: String,
    /// The reference number.
    pub reference: String,
    /// The form's id.
    pub form: String,
    /// The authority (`""` without one).
    pub authority: String,
    /// When it was stored (Unix ms).
    pub created_at: i64,
    /// Messages in its Postkorb.
    pub messages: i64,
    /// Of them not read yet.
    pub unread: i64,
}

/// A Postkorb message.
#[derive(Debug, Clone)]
pub struct Message {
    /// Its id.
    pub id: String,
    /// When it was posted (Unix ms).
    pub created_at: i64,
    /// `status` or `message`.
    pub kind: String,
    /// Plain text.
    pub text: String,
    /// The attachment's file name, if it has one.
    pub pdf_name: Option<String>,
    /// The attachment's size in bytes.
    pub pdf_size: Option<i64>,
    /// When the citizen first opened it.
    pub read_at: Option<i64>,
}

/// A new message as the admin API posts it.
pub struct NewMessage<'a> {
    /// The submission's id.
    pub submission_id: &'a str,
    /// `status` or `message`.
    pub kind: &'a str,
    /// Plain text.
    pub text: &'a str,
    /// A checked PDF: file name and bytes.
    pub pdf: Option<(&'a str, &'a [u8])>,
    /// The address to notify (an outbox row `notification`), if any.
    pub notify: Option<&'a str>,
    /// Now (Unix ms).
    pub now: i64,
}

fn listed_draft(r: sqlx::any::AnyRow) -> ListedDraft {
    ListedDraft { id: r.get("id"), form: r.get("form"), authority: r.get("authority"), updated_at: r.get("updated_at") }
}

impl Store {
    /// The open drafts of an account, latest change first.
    pub async fn account_drafts(&self, issuer: &str, subject: &str, now: i64) -> Result<Vec<ListedDraft>> {
        let rows = sqlx::query(
            "SELECT id, form, authority, updated_at FROM drafts \
             WHERE account_issuer = $1 AND account_subject = $2 AND reference IS NULL AND expires_at > $3 \
             ORDER BY updated_at DESC, id",
        )
        .bind(issuer)
        .bind(subject)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(listed_draft).collect())
    }

    /// The open drafts a browser session started without a login (`session_hash` is the
    /// hash of the browser session alone).
    pub async fn anonymous_drafts(&self, session_hash: &str, now: i64) -> Result<Vec<ListedDraft>> {
        let rows = sqlx::query(
            "SELECT id, form, authority, updated_at FROM drafts \
             WHERE session_hash = $1 AND account_subject IS NULL AND reference IS NULL AND expires_at > $2 \
             ORDER BY updated_at DESC, id",
        )
        .bind(session_hash)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(listed_draft).collect())
    }

    /// Moves an open draft of the account to `owner` (this browser session with the
    /// account): "continue" on any device. Returns its form and authority; `None` when the
    /// account has no such draft.
    pub async fn take_account_draft(
        &self,
        id: &str,
        issuer: &str,
        subject: &str,
        owner: &str,
        now: i64,
    ) -> Result<Option<(String, String)>> {
        let row = retry(|| {
            sqlx::query(
                "UPDATE drafts SET session_hash = $1, updated_at = $2 \
                 WHERE id = $3 AND account_issuer = $4 AND account_subject = $5 AND reference IS NULL AND expires_at > $2 \
                 RETURNING form, authority",
            )
            .bind(owner)
            .bind(now)
            .bind(id)
            .bind(issuer)
            .bind(subject)
            .fetch_optional(self.pool())
        })
        .await?;
        let moved: Option<(String, String)> = row.map(|r| (r.get("form"), r.get("authority")));
        // Another owner now: out of the draft cache (and whatever it held for `owner`).
        if let Some((form, authority)) = &moved {
            self.forget_draft(id, Some((owner, authority, form))).await;
        }
        Ok(moved)
    }

    /// Takes a draft this browser session started without a login (`anonymous`) into the
    /// account: its owner becomes `owner` and it records the account. `None` when there is
    /// no such draft (another browser's, already in an account, submitted, expired).
    #[allow(clippy::too_many_arguments)]
    pub async fn adopt_draft(
        &self,
        id: &str,
        anonymous: &str,
        issuer: &str,
        subject: &str,
        owner: &str,
        now: i64,
    ) -> Result<Option<(String, String)>> {
        let row = retry(|| {
            sqlx::query(
                "UPDATE drafts SET session_hash = $1, account_issuer = $2, account_subject = $3, updated_at = $4 \
                 WHERE id = $5 AND session_hash = $6 AND account_subject IS NULL AND reference IS NULL AND expires_at > $4 \
                 RETURNING form, authority",
            )
            .bind(owner)
            .bind(issuer)
            .bind(subject)
            .bind(now)
            .bind(id)
            .bind(anonymous)
            .fetch_optional(self.pool())
        })
        .await?;
        let moved: Option<(String, String)> = row.map(|r| (r.get("form"), r.get("authority")));
        if let Some((form, authority)) = &moved {
            self.forget_draft(id, Some((owner, authority, form))).await;
        }
        Ok(moved)
    }

    /// Deletes an open draft of the account and its uploads; false when it has none such.
    pub async fn delete_account_draft(&self, id: &str, issuer: &str, subject: &str) -> Result<bool> {
        let deleted = retry(|| async {
            let mut tx = self.pool().begin().await?;
            let n = sqlx::query("DELETE FROM drafts WHERE id = $1 AND account_issuer = $2 AND account_subject = $3 AND reference IS NULL")
                .bind(id)
                .bind(issuer)
                .bind(subject)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                sqlx::query("DELETE FROM files WHERE draft_id = $1 AND submission_id IS NULL").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
        .await?;
        if deleted {
            self.forget_draft(id, None).await;
        }
        Ok(deleted)
    }

    /// The submissions of an account, latest first, with their messages counted.
    pub async fn account_submissions(&self, issuer: &str, subject: &str) -> Result<Vec<ListedSubmission>> {
        let rows = sqlx::query(
            "SELECT s.id, s.reference, s.form, s.authority, s.created_at, \
             CAST((SELECT COUNT(*) FROM messages m WHERE m.submission_id = s.id) AS BIGINT) AS messages, \
             CAST((SELECT COUNT(*) FROM messages m WHERE m.submission_id = s.id AND m.read_at IS NULL) AS BIGINT) AS unread \
             FROM submissions s WHERE s.account_issuer = $1 AND s.account_subject = $2 ORDER BY s.created_at DESC, s.reference DESC",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(listed_submission).collect())
    }

    /// One submission of an account by reference; `None` for another account's or none.
    pub async fn account_submission(&self, reference: &str, issuer: &str, subject: &str) -> Result<Option<ListedSubmission>> {
        let row = sqlx::query(
            "SELECT s.id, s.reference, s.form, s.authority, s.created_at, \
             CAST((SELECT COUNT(*) FROM messages m WHERE m.submission_id = s.id) AS BIGINT) AS messages, \
             CAST((SELECT COUNT(*) FROM messages m WHERE m.submission_id = s.id AND m.read_at IS NULL) AS BIGINT) AS unread \
             FROM submissions s WHERE s.reference = $1 AND s.account_issuer = $2 AND s.account_subject = $3",
        )
        .bind(reference)
        .bind(issuer)
        .bind(subject)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(listed_submission))
    }

    /// The address a submission's notifications go to (the account's e-mail when known).
    pub async fn submission_account_email(&self, submission_id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT account_email FROM submissions WHERE id = $1 AND account_subject IS NOT NULL")
            .bind(submission_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|r| r.get("account_email")))
    }

    /// Stores a message, and in the same transaction its notification's outbox row.
    /// Returns the message's id.
    pub async fn add_message(&self, m: &NewMessage<'_>) -> Result<String> {
        let id = super::super::security::random_hex(16);
        retry(|| async {
            let mut tx = self.pool().begin().await?;
            sqlx::query(
                "INSERT INTO messages (id, submission_id, created_at, kind, text, pdf, pdf_name, read_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
            )
            .bind(&id)
            .bind(m.submission_id)
            .bind(m.now)
            .bind(m.kind)
            .bind(m.text)
            .bind(m.pdf.map(|(_, b)| b.to_vec()))
            .bind(m.pdf.map(|(n, _)| n))
            .execute(&mut *tx)
            .await?;
            if let Some(to) = m.notify {
                sqlx::query(
                    "INSERT INTO outbox (id, submission_id, channel, url, secret_env, target, detail, attempts, next_attempt_at, \
                     delivered_at, failed_at, last_error, receipt) VALUES ($1, $2, 'notification', '', NULL, $3, $4, 0, $5, NULL, NULL, NULL, NULL)",
                )
                .bind(super::super::security::random_hex(16))
                .bind(m.submission_id)
                .bind(to)
                .bind(&id)
                .bind(m.now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        })
        .await?;
        Ok(id)
    }

    /// A submission's messages, oldest first (without the PDFs' bytes).
    pub async fn messages_of(&self, submission_id: &str) -> Result<Vec<Message>> {
        let rows = sqlx::query(
            "SELECT id, created_at, kind, text, pdf_name, CAST(LENGTH(pdf) AS BIGINT) AS pdf_size, read_at FROM messages \
             WHERE submission_id = $1 ORDER BY created_at, id",
        )
        .bind(submission_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Message {
                id: r.get("id"),
                created_at: r.get("created_at"),
                kind: r.get("kind"),
                text: r.get("text"),
                pdf_name: r.get("pdf_name"),
                pdf_size: r.get("pdf_size"),
                read_at: r.get("read_at"),
            })
            .collect())
    }

    /// Marks a submission's unread messages read.
    pub async fn mark_messages_read(&self, submission_id: &str, now: i64) -> Result<()> {
        retry(|| {
            sqlx::query("UPDATE messages SET read_at = $1 WHERE submission_id = $2 AND read_at IS NULL")
                .bind(now)
                .bind(submission_id)
                .execute(self.pool())
        })
        .await?;
        Ok(())
    }

    /// A message's PDF (file name, bytes), when the message belongs to the submission.
    pub async fn message_pdf(&self, submission_id: &str, message_id: &str) -> Result<Option<(String, Vec<u8>)>> {
        let row = sqlx::query("SELECT pdf_name, pdf FROM messages WHERE id = $1 AND submission_id = $2 AND pdf IS NOT NULL")
            .bind(message_id)
            .bind(submission_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| (r.get::<Option<String>, _>("pdf_name").unwrap_or_else(|| "nachricht.pdf".into()), r.get("pdf"))))
    }
}

fn listed_submission(r: sqlx::any::AnyRow) -> ListedSubmission {
    ListedSubmission {
        id: r.get("id"),
        reference: r.get("reference"),
        form: r.get("form"),
        authority: r.get("authority"),
        created_at: r.get("created_at"),
        messages: r.get("messages"),
        unread: r.get("unread"),
    }
}
