-- "Meine Anträge" and the Postkorb (runtime-server/src/server/account/konto.rs, postkorb.rs).
-- The same SQL for SQLite and PostgreSQL.

-- The account a submission was made with (its draft's account, copied when it is stored),
-- and the account's e-mail address when the login gave one (for the notification of a new
-- message; never the message itself). NULL for submissions without a login.
ALTER TABLE submissions ADD COLUMN account_issuer TEXT;
ALTER TABLE submissions ADD COLUMN account_subject TEXT;
ALTER TABLE submissions ADD COLUMN account_email TEXT;
CREATE INDEX submissions_by_account ON submissions (account_issuer, account_subject);

-- The Postkorb: what the authority posts to a submission through the admin API. `kind` is
-- `status` or `message`; `text` is plain text (at most 10,000 characters, shown escaped);
-- `pdf` an optional attachment checked like an upload (`%PDF-`, size limit). `read_at`:
-- when the citizen first opened it.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    pdf BYTEA,
    pdf_name TEXT,
    read_at BIGINT
);
CREATE INDEX messages_by_submission ON messages (submission_id, created_at);
