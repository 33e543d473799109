-- Certificate jobs sealed on every core (issue 14). A runner of a job claims a chunk of
-- its pending items in one short transaction, each with the number it will carry, signs
-- them outside any transaction (so runners seal side by side while another writes), and
-- writes the certificates in a second transaction. The claim is a lease: a runner that
-- dies between the two leaves its claims, which any runner takes over once they expire,
-- with the same numbers (so a crash skips none). A number reserved for an item that can no
-- longer be issued (its application left 已备案待发证 in between) is recorded as voided,
-- so every number taken from a pool is accounted for: on a certificate, claimed, or voided.
-- Never ALTERs a table of an earlier migration. Idempotent (IF NOT EXISTS): real Spin
-- applies it at every start.

CREATE TABLE IF NOT EXISTS certificate_job_claims (
    job_id         INTEGER NOT NULL REFERENCES certificate_jobs (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    certificate_no TEXT NOT NULL UNIQUE,   -- the number reserved for the item
    claimed_until  TEXT NOT NULL,          -- end of the lease (UTC, RFC 3339 with milliseconds)
    PRIMARY KEY (job_id, application_id)
);
-- A runner does not claim a person a runner of another job holds.
CREATE INDEX IF NOT EXISTS certificate_job_claims_application ON certificate_job_claims (application_id);

CREATE TABLE IF NOT EXISTS certificate_voided_numbers (
    certificate_no TEXT PRIMARY KEY,
    job_id         INTEGER REFERENCES certificate_jobs (id),
    application_id INTEGER REFERENCES applications (id),
    reason         TEXT NOT NULL,
    voided_by      TEXT NOT NULL,
    voided_at      TEXT NOT NULL
);
