-- One schema for SQLite and PostgreSQL (the server talks to both through sqlx's `Any`
-- driver). Times are Unix milliseconds in BIGINT; binary data is BYTEA, which SQLite
-- stores unchanged (a BLOB in a column of NUMERIC affinity).

CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    form TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    resume_hash TEXT,
    reference TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX drafts_by_session ON drafts (session_hash, form);
CREATE UNIQUE INDEX drafts_by_resume ON drafts (resume_hash);
CREATE INDEX drafts_by_expiry ON drafts (expires_at);

CREATE TABLE files (
    id TEXT PRIMARY KEY,
    draft_id TEXT NOT NULL,
    field_path TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    content BYTEA NOT NULL,
    submission_id TEXT
);
CREATE UNIQUE INDEX files_by_draft_field ON files (draft_id, field_path);

CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    draft_id TEXT NOT NULL UNIQUE,
    form TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    document TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE counters (
    form TEXT NOT NULL,
    year BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (form, year)
);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    url TEXT NOT NULL,
    secret_env TEXT,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);
