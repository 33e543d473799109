-- 七(一), issue 13: fraud records reported to the national credit platform (全国信用信息共享
-- 平台), like certificates to the MOHRSS registry: one row per record, written in the
-- transaction of the revocation or blacklisting; `record_key` is its idempotency key at the
-- platform. Status: pending → sent (on the wire, outcome not recorded yet) → acknowledged;
-- failed is the dead letter (too many tries, or refused), requeued by the province.
CREATE TABLE IF NOT EXISTS credit_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('fraud_revocation', 'blacklist')),
    subject_ref     TEXT NOT NULL,      -- the certificate number / the blacklist record id
    record_key      TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'acknowledged', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    acknowledged_at TEXT,
    receipt         TEXT
);
CREATE INDEX IF NOT EXISTS credit_outbox_due ON credit_outbox (status, next_attempt_at, id);
