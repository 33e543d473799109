-- 告知承诺 and federated sign-in (issue 11).
--
-- batch_commitments: the province's wording of a year's commitment text (notice 四(一));
-- a year without a row uses the notice's default wording. The submit event records the
-- SHA-256 of the text the applicant accepted and when.
-- federated_identities: a subject of a configured identity provider (the province's unified
-- identity service) mapped to a person, found by the ID number the provider asserts.
-- Idempotent: `spin up --sqlite @file` applies it in every trigger process.

CREATE TABLE IF NOT EXISTS batch_commitments (
    year         INTEGER PRIMARY KEY,
    text         TEXT NOT NULL,
    text_sha256  TEXT NOT NULL,
    set_by       TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    set_at       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS federated_identities (
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    person_id     TEXT NOT NULL REFERENCES people (id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
