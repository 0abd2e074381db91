-- Small values the servers of one database share: the session key (so that every server
-- accepts the session cookies any of them issued, also after a restart) and the health
-- probe's row (`/healthz` writes it to find out whether the database takes writes).
CREATE TABLE server_state (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
