-- Login with OpenID Connect (runtime-server/src/server/account/). The same SQL for SQLite and
-- PostgreSQL. Nothing here exists for a deployment without an identity provider: the
-- tables stay empty and the draft columns NULL.

-- A login under way: the state (only its SHA-256), bound to the browser session that started
-- it, with the nonce and the PKCE verifier the callback needs. Deleted when the callback
-- takes it (once: a replayed callback finds nothing) or after ten minutes.
CREATE TABLE login_attempts (
    state_hash TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_url TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A logged-in account (server-side session): the cookie holds a random id, this table only
-- its SHA-256. `claims` holds only the attributes some served form prefills, as JSON.
-- Idle and absolute lifetime: `last_seen_at` and `expires_at`.
CREATE TABLE account_sessions (
    id_hash TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    trust TEXT,
    claims TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX account_sessions_by_expiry ON account_sessions (expires_at);

-- The account a draft was started with (issuer and `sub`), for the later "Meine Anträge";
-- NULL for drafts started without a login. A submission's account is its draft's.
ALTER TABLE drafts ADD COLUMN account_issuer TEXT;
ALTER TABLE drafts ADD COLUMN account_subject TEXT;
CREATE INDEX drafts_by_account ON drafts (account_issuer, account_subject);
