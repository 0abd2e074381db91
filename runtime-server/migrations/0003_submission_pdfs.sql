-- The PDF of each submission (pdf/), written once (the first time the citizen's
-- confirmation page or a delivery channel needs it) and kept with the submission, so that
-- every later download and every channel gets the same bytes.
CREATE TABLE submission_pdfs (
    submission_id TEXT PRIMARY KEY,
    pdf BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
