-- From result to certificate (issue 5): result publicity (六(一), R18), filing (六(二), R19),
-- issuing-unit codes (annex 3 §1.9), certificate numbers and their pools (§1.16), sealed
-- electronic certificates (§1.17, §1.29, 六(三)), revocation (§1.19, R21) and the outbox
-- that reports certificates and revocations to the national registry (MOHRSS, §1.18).
-- Idempotent (IF NOT EXISTS): real Spin applies it at every start. Never ALTERs a table of
-- an earlier migration: what an application gains here lives in tables keyed by it.

-- 评审结果公示 (六(一), annex 2 §1.2.6): one per session (committee, plan, vote date),
-- opened within 3 working days of the vote, lasting at least 5 working days.
CREATE TABLE IF NOT EXISTS result_publicities (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    committee        TEXT NOT NULL REFERENCES committees (id),
    organising_org   TEXT NOT NULL REFERENCES organisations (id),
    batch_year       INTEGER NOT NULL,
    plan_id          INTEGER,                         -- NULL: a session entered without a plan
    voted_on         TEXT NOT NULL,                   -- YYYY-MM-DD (Asia/Shanghai)
    open_deadline    TEXT NOT NULL,                   -- last day to open (R18: 3 working days)
    start_on         TEXT NOT NULL,
    end_on           TEXT NOT NULL,                   -- last day of publicity (R18: >= 5 working days)
    opened_late      INTEGER NOT NULL DEFAULT 0,      -- flagged: opened after open_deadline
    complaint_office TEXT NOT NULL,
    complaint_phone  TEXT NOT NULL,
    filing_deadline  TEXT NOT NULL,                   -- last day to request filing (R19: 15 working days)
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_on        TEXT,
    opened_by        TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS result_publicities_by_status ON result_publicities (status, end_on);
CREATE INDEX IF NOT EXISTS result_publicities_by_org ON result_publicities (organising_org, id);

-- Who is in which publicity, and the latest filing request that carried them.
CREATE TABLE IF NOT EXISTS result_entries (
    application_id INTEGER PRIMARY KEY REFERENCES applications (id),
    publicity_id   INTEGER NOT NULL REFERENCES result_publicities (id),
    filing_id      INTEGER
);
CREATE INDEX IF NOT EXISTS result_entries_by_publicity ON result_entries (publicity_id, application_id);

-- Sessions flagged by the publicity timer: publicity not opened within 3 working days of
-- the vote (R18), filing not requested within 15 working days (R19). One row per flag.
CREATE TABLE IF NOT EXISTS result_session_flags (
    committee  TEXT NOT NULL,
    plan_key   TEXT NOT NULL,                         -- plan id, or '' without a plan
    voted_on   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('publicity_not_opened', 'filing_overdue')),
    deadline   TEXT NOT NULL,
    flagged_on TEXT NOT NULL,
    PRIMARY KEY (committee, plan_key, voted_on, kind)
);

-- 备案 (六(二), annex 2 §1.2.7, annex 3 §1.15): the organising unit requests, the province
-- audits with the filing document number (备案文号) and date, or rejects with an opinion.
CREATE TABLE IF NOT EXISTS filing_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    publicity_id   INTEGER NOT NULL REFERENCES result_publicities (id),
    committee      TEXT NOT NULL,
    organising_org TEXT NOT NULL,
    batch_year     INTEGER NOT NULL,
    deadline       TEXT NOT NULL,
    late           INTEGER NOT NULL DEFAULT 0,        -- flagged: requested after the deadline
    separate       INTEGER NOT NULL DEFAULT 0,        -- 另行备案: people whose objection was dismissed
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    doc_no         TEXT,                              -- 备案文号
    filed_on       TEXT,                              -- 备案时间
    opinion        TEXT,
    requested_by   TEXT NOT NULL,
    requested_at   TEXT NOT NULL,
    audited_by     TEXT,
    audited_at     TEXT,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS filing_requests_by_status ON filing_requests (status, id);
CREATE INDEX IF NOT EXISTS filing_requests_by_doc_no ON filing_requests (doc_no);
CREATE TABLE IF NOT EXISTS filing_entries (
    filing_id      INTEGER NOT NULL REFERENCES filing_requests (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    PRIMARY KEY (filing_id, application_id)
);
CREATE INDEX IF NOT EXISTS filing_entries_by_application ON filing_entries (application_id);

-- 发证单位编码 (annex 3 §1.9): normally the last 4 digits of the organisation's region code.
CREATE TABLE IF NOT EXISTS issuing_units (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    name          TEXT NOT NULL,                      -- printed on the certificate as the issuer
    status        TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    cancel_reason TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    cancelled_at  TEXT,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX IF NOT EXISTS issuing_units_one_active_code ON issuing_units (code) WHERE status = 'active';
CREATE UNIQUE INDEX IF NOT EXISTS issuing_units_one_active_org ON issuing_units (org_id) WHERE status = 'active';

-- The certificate number format (§1.16): segments as JSON; absent row = the default.
CREATE TABLE IF NOT EXISTS certificate_number_format (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    config     TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- 证书编号库 (§1.16): ranges of serials per scope (the number with its serial left out);
-- `next_serial` only grows; an exhausted scope gets a new range by itself.
CREATE TABLE IF NOT EXISTS certificate_number_pools (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    scope        TEXT NOT NULL,
    start_serial INTEGER NOT NULL,
    end_serial   INTEGER NOT NULL,
    next_serial  INTEGER NOT NULL,
    origin       TEXT NOT NULL CHECK (origin IN ('manual', 'auto')),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    CHECK (start_serial >= 1 AND end_serial >= start_serial AND next_serial >= start_serial)
);
CREATE INDEX IF NOT EXISTS certificate_number_pools_by_scope ON certificate_number_pools (scope, start_serial);

-- The public halves of the seal keys that signed certificates (published for verification).
CREATE TABLE IF NOT EXISTS seal_keys (
    key_id        TEXT PRIMARY KEY,
    algorithm     TEXT NOT NULL,
    distid        TEXT NOT NULL,
    public_key    TEXT NOT NULL,                      -- hex, uncompressed SEC1 point (04 || x || y)
    first_used_at TEXT NOT NULL
);

-- 电子职称证书: the sealed canonical JSON and the columns queries need. A revoked
-- certificate keeps its row, so its number is never issued again.
CREATE TABLE IF NOT EXISTS certificates (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    certificate_no     TEXT NOT NULL UNIQUE,
    application_id     INTEGER UNIQUE REFERENCES applications (id),  -- NULL: imported
    source             TEXT NOT NULL CHECK (source IN ('application', 'import')),
    holder_sub         TEXT,                          -- the applicant's token sub, when known
    citizen_id         TEXT NOT NULL,                 -- full; shown masked only
    name               TEXT NOT NULL,
    series             TEXT NOT NULL,
    level              TEXT NOT NULL,
    specialty          TEXT NOT NULL,
    committee          TEXT NOT NULL,                 -- committee id ('' when imported without one)
    unit_org           TEXT NOT NULL DEFAULT '',
    approval_doc_no    TEXT NOT NULL,
    issuer_code        TEXT NOT NULL,
    issued_on          TEXT NOT NULL,
    payload            TEXT NOT NULL,                 -- the canonical JSON that is sealed
    seal_key_id        TEXT NOT NULL REFERENCES seal_keys (key_id),
    signature          TEXT NOT NULL,                 -- hex r || s (SM2 over SM3)
    verification_code  TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),
    revoked_at         TEXT,
    revoked_by         TEXT,
    revocation_reason  TEXT,
    revocation_fraud   INTEGER NOT NULL DEFAULT 0,
    job_id             INTEGER,
    import_id          INTEGER,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS certificates_by_holder ON certificates (holder_sub, id);
CREATE INDEX IF NOT EXISTS certificates_by_citizen ON certificates (citizen_id);
CREATE INDEX IF NOT EXISTS certificates_by_doc_no ON certificates (approval_doc_no, id);
CREATE INDEX IF NOT EXISTS certificates_by_committee ON certificates (committee, id);

-- Generation jobs (§1.29: by document number, by selection, by query), with progress.
CREATE TABLE IF NOT EXISTS certificate_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    mode        TEXT NOT NULL CHECK (mode IN ('doc_no', 'selection', 'query')),
    selector    TEXT NOT NULL,                        -- JSON of the request
    issuer_code TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done')),
    total       INTEGER NOT NULL,
    issued      INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS certificate_job_items (
    job_id         INTEGER NOT NULL REFERENCES certificate_jobs (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'issued', 'skipped', 'failed')),
    certificate_id INTEGER,
    reason         TEXT,
    PRIMARY KEY (job_id, application_id)
);
CREATE INDEX IF NOT EXISTS certificate_job_items_pending ON certificate_job_items (job_id, status, application_id);

-- Excel imports of certificates (§1.29 4–6): validated per row first, committed on confirmation.
CREATE TABLE IF NOT EXISTS certificate_imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    status        TEXT NOT NULL CHECK (status IN ('validated', 'committed')),
    filename      TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL,
    rows          TEXT NOT NULL,                      -- JSON of the rows that passed
    report        TEXT NOT NULL,                      -- JSON validation report
    commit_report TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    committed_at  TEXT,
    version       INTEGER NOT NULL DEFAULT 1
);

-- The MOHRSS outbox (§1.18): one record per certificate and per revocation, queued in the
-- transaction that creates it; `record_key` is the record's idempotency key at the registry.
-- Status: pending → sent (in a batch, outcome not yet known) → acknowledged; failed is the
-- dead letter (too many tries, or refused by the registry), requeued by "report selected/all".
CREATE TABLE IF NOT EXISTS mohrss_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('issue', 'revoke')),
    certificate_id  INTEGER NOT NULL REFERENCES certificates (id),
    record_key      TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'acknowledged', 'failed')),
    batch_id        INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,       -- sends of the batches that carried it
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    acknowledged_at TEXT,
    receipt         TEXT                              -- the registry's id for the record
);
CREATE INDEX IF NOT EXISTS mohrss_outbox_by_status ON mohrss_outbox (status, batch_id, id);
CREATE INDEX IF NOT EXISTS mohrss_outbox_by_certificate ON mohrss_outbox (certificate_id, id);

-- Batches: `batch_key` (the batch's idempotency key) is derived from its records, so a
-- resent batch carries the same key. `lease_until` covers a send whose outcome was never
-- recorded (the host died): after it, the batch is sent again.
CREATE TABLE IF NOT EXISTS mohrss_batches (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_key       TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'retry', 'acknowledged', 'failed')),
    record_count    INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_attempt_at TEXT,
    acknowledged_at TEXT
);
CREATE INDEX IF NOT EXISTS mohrss_batches_due ON mohrss_batches (status, next_attempt_at);
