-- Schema of the professional-title evaluation app: calendar, annual batches, blacklist,
-- applications, materials, objections, the audit chain.
--
-- Every statement is idempotent (IF NOT EXISTS / OR IGNORE): real Spin applies this
-- file at every start of every trigger process (`spin up --sqlite @…`), HTTP and cron
-- each, so it must be safe to apply twice. The local host also records it in
-- schema_migrations and applies it once.

-- WAL is persistent in the file: readers never block the writer, and with
-- synchronous=FULL (set per connection by the host) a committed write survives a crash.
PRAGMA journal_mode = WAL;

-- 工作日历: the State Council schedule per published year (loaded by the province).
CREATE TABLE IF NOT EXISTS work_calendar_years (
    year   INTEGER PRIMARY KEY,
    notice TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS work_calendar_days (
    day  TEXT PRIMARY KEY,                                   -- YYYY-MM-DD
    kind TEXT NOT NULL CHECK (kind IN ('off', 'workday'))    -- holiday off / adjusted workday
);

-- 年度批次 (annex 2 §1.4.2): every deadline reads from here, not from constants.
CREATE TABLE IF NOT EXISTS annual_batches (
    year                        INTEGER PRIMARY KEY,
    material_cutoff             TEXT NOT NULL,              -- 二(三)
    voting_deadline             TEXT NOT NULL,              -- 二(四)
    unit_publicity_working_days INTEGER NOT NULL DEFAULT 5, -- 四(二)2, R11
    assessment_years            INTEGER NOT NULL DEFAULT 5, -- 三(四), R3
    quota_audit_deadline        TEXT,                       -- 三(二)1: 08-15 in 2024
    special_quota_start         TEXT,                       -- 三(二)2: 07-01 in 2024
    special_quota_end           TEXT,                       -- 三(二)2: 07-20 in 2024
    plan_lead_working_days_self  INTEGER NOT NULL DEFAULT 10, -- 五(一), R13
    plan_lead_working_days_other INTEGER NOT NULL DEFAULT 15, -- 五(一), R13
    result_publicity_open_working_days INTEGER NOT NULL DEFAULT 3, -- 六(一), R18
    result_publicity_working_days      INTEGER NOT NULL DEFAULT 5, -- 六(一), R18
    filing_working_days                INTEGER NOT NULL DEFAULT 15, -- 六(二), R19
    notice                      TEXT NOT NULL
);
INSERT OR IGNORE INTO annual_batches
    (year, material_cutoff, voting_deadline, unit_publicity_working_days, assessment_years,
     quota_audit_deadline, special_quota_start, special_quota_end, notice)
    VALUES (2024, '2024-09-30', '2024-12-15', 5, 5, '2024-08-15', '2024-07-01', '2024-07-20',
            '湘人社函〔2024〕72号');

-- 诚信档案 / 黑名单 (七(一), annex 3 §1.21): blocks submission while recorded (R5).
CREATE TABLE IF NOT EXISTS blacklist (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id    TEXT NOT NULL,
    name          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    recorded_on   TEXT NOT NULL,                             -- first day recorded
    expires_on    TEXT NOT NULL,                             -- last day recorded
    lifted_at     TEXT,
    lifted_reason TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS blacklist_by_citizen ON blacklist (citizen_id);

-- 申报
CREATE TABLE IF NOT EXISTS applications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    applicant_id     TEXT NOT NULL,                         -- token sub
    applicant_name   TEXT NOT NULL,
    batch_year       INTEGER NOT NULL REFERENCES annual_batches (year),
    unit_org         TEXT NOT NULL DEFAULT '',
    citizen_id       TEXT,
    series           TEXT NOT NULL DEFAULT '',              -- copied from the form for queries
    target_level     TEXT NOT NULL DEFAULT '',
    specialty        TEXT NOT NULL DEFAULT '',
    committee        TEXT NOT NULL DEFAULT '',
    method           TEXT NOT NULL DEFAULT 'review',        -- 评审 / 初定 / 认定
    path             TEXT,                                  -- JSON [PathStep] resolved at recommendation
    path_position    INTEGER,                               -- index of the step holding it
    holder_org       TEXT,                                  -- organisation holding it on the path now
    publicity_closed_on TEXT,                               -- unit publicity completed (R11)
    recommended_at   TEXT,                                  -- first recommendation (R10 counting)
    plan_id          INTEGER,                               -- the review plan it is judged in
    voted_on         TEXT,                                  -- date of the committee's vote (R18, R19)
    form             TEXT NOT NULL,                         -- JSON ApplicationForm
    flags            TEXT NOT NULL DEFAULT '[]',            -- JSON [Flag]
    state            TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,            -- compare-and-set
    publicity_start  TEXT,
    publicity_end    TEXT,                                  -- last day of unit publicity
    complaint_office TEXT,
    complaint_phone  TEXT,
    return_items     TEXT,                                  -- JSON of the latest return
    decision_reason  TEXT,
    submit_key       TEXT,                                  -- Idempotency-Key of the last submit
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    submitted_at     TEXT
);
CREATE INDEX IF NOT EXISTS applications_by_applicant ON applications (applicant_id, id);
CREATE INDEX IF NOT EXISTS applications_by_unit ON applications (unit_org, state, id);
CREATE INDEX IF NOT EXISTS applications_by_publicity_end ON applications (state, publicity_end);
CREATE INDEX IF NOT EXISTS applications_by_holder ON applications (holder_org, state, id);
CREATE INDEX IF NOT EXISTS applications_by_committee ON applications (committee, batch_year, state);

-- 申报材料: raw bytes with their SHA-256, in the same store (never lose a file).
CREATE TABLE IF NOT EXISTS materials (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    kind           TEXT NOT NULL,
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    content        BLOB NOT NULL,
    uploaded_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS materials_by_application ON materials (application_id, id);

-- 公示异议
CREATE TABLE IF NOT EXISTS objections (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    stage          TEXT NOT NULL,                           -- unit_publicity
    content        TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'dismissed')),
    finding        TEXT,
    resolved_by    TEXT,
    resolved_at    TEXT
);
CREATE INDEX IF NOT EXISTS objections_by_application ON objections (application_id, status);

-- 过程跟踪: the chained audit trail.
CREATE TABLE IF NOT EXISTS audit_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    org          TEXT NOT NULL,
    action       TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT,
    opinion      TEXT,
    detail       TEXT,
    at           TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS audit_events_by_subject ON audit_events (subject_kind, subject_id, seq);
