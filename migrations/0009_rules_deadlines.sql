-- The notice's rules and deadlines, round two (issue 12): the online qualification-audit
-- deadline (二(一)), explicit recorded exceptions to a deadline (二(五) committees with
-- their own schedule, an extension or a late act the province allows, with who and why).
-- Idempotent (IF NOT EXISTS): real Spin applies it at every start. Never ALTERs a table of
-- an earlier migration: what a batch gains here lives in tables keyed by it.

-- 二(一): cities, departments and provincial units finish the online qualification audit
-- (申报审核) and hand the results to the committee by this day. One row per year for the
-- whole batch (committee_id = '') and, where a committee keeps its own schedule (二(五)),
-- one per committee. No row ⇒ the notice's value, 09-30 of the year.
CREATE TABLE IF NOT EXISTS batch_qualification_deadlines (
    year         INTEGER NOT NULL REFERENCES annual_batches (year),
    committee_id TEXT NOT NULL DEFAULT '',
    deadline     TEXT NOT NULL,                          -- YYYY-MM-DD, last allowed day
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (year, committee_id)
);

-- An exception to a deadline, recorded by the province (who, when, why):
--   qualification_audit_extension: the audit steps of `org_id` (or of every organisation
--     when ''), for committee `committee_id` (or every committee when ''), may act until
--     `until` (二(一) 延期);
--   late_result_publicity: the session of `committee_id` voted on `voted_on` may open its
--     result publicity until `until` although past the 3 working days (六(一), R18).
CREATE TABLE IF NOT EXISTS rule_exceptions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('qualification_audit_extension', 'late_result_publicity')),
    year         INTEGER NOT NULL REFERENCES annual_batches (year),
    committee_id TEXT NOT NULL DEFAULT '',
    org_id       TEXT NOT NULL DEFAULT '',
    voted_on     TEXT,
    until        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    granted_by   TEXT NOT NULL,
    granted_org  TEXT NOT NULL,
    granted_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rule_exceptions_by_kind ON rule_exceptions (kind, year, committee_id);

-- Conditions per series and, inside a series, per specialty (R7 三(三), R8 八(二)).
-- 八(二) names fields (领域: 卫生、教育、农业、林业、水利), not series: education is the
-- 中小学教师 series, forestry and water are specialties of the 工程 series. A row applies
-- to the series' specialties starting with `specialty_prefix` ('' = every specialty);
-- the longest matching prefix wins. Replaces the reading of `series_rules` (0003), whose
-- keys 教育/林业/水利 matched no series. The province maintains these rows.
CREATE TABLE IF NOT EXISTS field_rules (
    series                      TEXT NOT NULL,
    specialty_prefix            TEXT NOT NULL DEFAULT '',
    field                       TEXT NOT NULL DEFAULT '',   -- 领域 (八(二)), '' if none
    ce_hours_required           INTEGER NOT NULL DEFAULT 0, -- R7, 三(三)
    grassroots_service_required INTEGER NOT NULL DEFAULT 0, -- R8, 八(二)
    updated_by                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    PRIMARY KEY (series, specialty_prefix)
);
INSERT OR IGNORE INTO field_rules (series, specialty_prefix, field, ce_hours_required, grassroots_service_required,
                                   updated_by, updated_at) VALUES
    ('卫生', '', '卫生', 0, 1, 'migration:0009', '2024-01-01T00:00:00Z'),
    ('中小学教师', '', '教育', 0, 1, 'migration:0009', '2024-01-01T00:00:00Z'),
    ('农业', '', '农业', 0, 1, 'migration:0009', '2024-01-01T00:00:00Z'),
    ('工程', '林业', '林业', 0, 1, 'migration:0009', '2024-01-01T00:00:00Z'),
    ('工程', '水利', '水利', 0, 1, 'migration:0009', '2024-01-01T00:00:00Z');

-- 三(二)1: the auditor (市州人社局 / 省直厅局) may approve fewer posts than requested, within
-- the vacant posts. A row here is the number approved when it differs from `requested`.
CREATE TABLE IF NOT EXISTS quota_approvals (
    quota_id INTEGER PRIMARY KEY REFERENCES review_quotas (id),
    approved INTEGER NOT NULL CHECK (approved >= 1)
);

-- 五(三) (R15): 继续实行通过率控制. The province sets the pass rate per series or per
-- committee (a committee's row wins over its series'); a plan carries its own rate, which
-- may only be lower unless the plan declares the exception and the province approves it
-- in the plan audit (recorded here, with who and when).
CREATE TABLE IF NOT EXISTS pass_rate_limits (
    scope      TEXT NOT NULL CHECK (scope IN ('series', 'committee')),
    key        TEXT NOT NULL,
    percent    INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 100),
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS plan_pass_rate_approvals (
    plan_id        INTEGER PRIMARY KEY,
    province_limit INTEGER NOT NULL,
    plan_rate      INTEGER NOT NULL,
    approved_by    TEXT NOT NULL,
    approved_at    TEXT NOT NULL
);
