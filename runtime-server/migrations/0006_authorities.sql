-- One server for several authorities (docs/authorities.md): every draft and submission
-- belongs to the authority under whose address it was started; '' is the server without
-- authorities (and the forms no authority offers). A draft is only ever opened under its
-- own authority's addresses, and the admin API shows an authority's token only its own
-- submissions.
ALTER TABLE drafts ADD COLUMN authority TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN authority TEXT NOT NULL DEFAULT '';
CREATE INDEX submissions_by_authority ON submissions (authority, created_at, reference);

-- Reference numbers are counted per authority, form and year: each Kommune's Hundesteuer
-- starts at 1. The key of `counters` changes, which SQLite can only do by a new table.
CREATE TABLE counters_by_authority (
    authority TEXT NOT NULL DEFAULT '',
    form TEXT NOT NULL,
    year BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (authority, form, year)
);
INSERT INTO counters_by_authority (authority, form, year, n) SELECT '', form, year, n FROM counters;
DROP TABLE counters;
ALTER TABLE counters_by_authority RENAME TO counters;
