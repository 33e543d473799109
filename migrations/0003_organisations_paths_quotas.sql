-- The qualification audit chain: organisations, committees, audit paths, quotas,
-- recognised titles, integrity records and the rollback log. Idempotent.

-- 组织机构: units (用人单位), supervising departments (主管部门/省直厅局), city HR bureaus
-- (市州人社局), public HR service agencies (公共人力资源服务机构), committee organising
-- units (高评会组建单位) and the province (省人社厅). The id is what tokens carry in `org`.
CREATE TABLE IF NOT EXISTS organisations (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN
                         ('unit', 'dept', 'city_hr', 'public_hr_service', 'committee_org', 'province')),
    name               TEXT NOT NULL,
    credit_code        TEXT,                        -- 统一社会信用代码 (GB 32100)
    region_code        TEXT NOT NULL,               -- 行政区划代码 (GB/T 2260), 6 digits
    public_institution INTEGER NOT NULL DEFAULT 0,  -- 事业单位 (R6, R10)
    self_review        INTEGER NOT NULL DEFAULT 0,  -- 自主评审单位 (R13)
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active', 'rejected', 'cancelled')),
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS organisations_by_credit_code ON organisations (credit_code) WHERE credit_code IS NOT NULL;

-- 评委会 (annex 3 §1.10): what it may review, until when, whether it is a final authority.
CREATE TABLE IF NOT EXISTS committees (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    organising_org TEXT NOT NULL REFERENCES organisations (id),
    series         TEXT NOT NULL,
    max_level      TEXT NOT NULL CHECK (max_level IN ('deputy_senior', 'full_senior')),
    is_final       INTEGER NOT NULL DEFAULT 1,      -- 终审机构
    valid_until    TEXT NOT NULL,                   -- R20
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    cancel_reason  TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS committee_specialties (
    committee_id TEXT NOT NULL REFERENCES committees (id),
    specialty    TEXT NOT NULL,
    PRIMARY KEY (committee_id, specialty)
);

-- 审核路径 (annex 3 §1.4–1.8): lower → upper per title level and acquisition method
-- (review 评审 / initial 初定 / recognition 认定), kept by the upper (指定下级). `step` is
-- what the upper does: an upper audit (上级审核) or the formal review (形式审查). The path
-- ends at the organising unit of the application's committee, which rechecks (材料复核).
CREATE TABLE IF NOT EXISTS audit_path_edges (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    lower_org     TEXT NOT NULL REFERENCES organisations (id),
    upper_org     TEXT NOT NULL REFERENCES organisations (id),
    level         TEXT NOT NULL CHECK (level IN ('deputy_senior', 'full_senior')),
    method        TEXT NOT NULL CHECK (method IN ('review', 'initial', 'recognition')),
    step          TEXT NOT NULL CHECK (step IN ('audit', 'formal_review')),
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    cancelled_at  TEXT,
    cancel_reason TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS audit_path_edges_one_upper
    ON audit_path_edges (lower_org, level, method) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS audit_path_edges_by_upper ON audit_path_edges (upper_org, status);

-- Per-series conditions: continuing-education hours (R7, 三(三)) and whether grassroots
-- service is required for 副高级 and above (R8, 八(二)).
CREATE TABLE IF NOT EXISTS series_rules (
    series                      TEXT PRIMARY KEY,
    ce_hours_required           INTEGER NOT NULL DEFAULT 0,
    grassroots_service_required INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO series_rules (series, ce_hours_required, grassroots_service_required) VALUES
    ('卫生', 0, 1), ('教育', 0, 1), ('农业', 0, 1), ('林业', 0, 1), ('水利', 0, 1);

-- 评审职数 (三(二), annex 2 §1.5, annex 3 §1.22): normal declarations within vacant posts,
-- audited by the upper organisation; special-case requests (the four categories of
-- 三(二)2) to the province within the batch's window.
CREATE TABLE IF NOT EXISTS review_quotas (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_org         TEXT NOT NULL REFERENCES organisations (id),
    year             INTEGER NOT NULL,
    series           TEXT NOT NULL,
    level            TEXT NOT NULL CHECK (level IN ('deputy_senior', 'full_senior')),
    kind             TEXT NOT NULL CHECK (kind IN ('normal', 'special')),
    special_category TEXT,
    vacant_posts     INTEGER NOT NULL,
    requested        INTEGER NOT NULL,
    reason           TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    auditor_org      TEXT NOT NULL,
    opinion          TEXT,
    declared_by      TEXT NOT NULL,
    declared_at      TEXT NOT NULL,
    audited_at       TEXT,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS review_quotas_by_unit ON review_quotas (unit_org, year, series, level, status);

-- Reversible operations of the final authority (annex 3 §1.26): the exact prior state of
-- what each operation changed, undone latest first, one at a time.
CREATE TABLE IF NOT EXISTS reversible_operations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    kind           TEXT NOT NULL,
    actor          TEXT NOT NULL,
    org            TEXT NOT NULL,
    before_state   TEXT NOT NULL,   -- JSON snapshot of the rows the operation changed
    after_version  INTEGER NOT NULL,
    at             TEXT NOT NULL,
    undone_at      TEXT,
    undone_by      TEXT
);
CREATE INDEX IF NOT EXISTS reversible_operations_by_application ON reversible_operations (application_id, id);
