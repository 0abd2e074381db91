-- One outbox row per delivery channel of a submission (issue #13): which channel it is, what
-- it goes to, a permanent failure (a refusal that no retry will change), and the receipt
-- the channel gave (an SMTP Message-ID, a FIT-Connect submission id). Rows written before
-- this migration are webhook rows. Plain `ADD COLUMN`s: the same statements on SQLite and
-- PostgreSQL.
--
-- channel: webhook | email | email-confirmation | fitconnect
-- target:  email: the environment variable with the authority's address(es);
--          email-confirmation: the citizen's address; fitconnect: the variable with the
--          destination id; webhook: unused (the URL is in `url`, which is '' for the others)
-- detail:  fitconnect: the LeiKa key
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook';
ALTER TABLE outbox ADD COLUMN target TEXT;
ALTER TABLE outbox ADD COLUMN detail TEXT;
ALTER TABLE outbox ADD COLUMN failed_at BIGINT;
ALTER TABLE outbox ADD COLUMN receipt TEXT;
CREATE INDEX outbox_by_submission ON outbox (submission_id);
