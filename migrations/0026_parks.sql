-- 五好园区 (八(三), issue 13): a park that meets the conditions receives delegated authority
-- for a dedicated session (专场). Its committee is a committee of kind park — the park's
-- management organises it, within its scope and validity (committees.valid_until) —
-- created by the province with the delegation document number. Idempotent.
CREATE TABLE IF NOT EXISTS park_delegations (
    committee_id      TEXT PRIMARY KEY REFERENCES committees (id),
    delegation_doc_no TEXT NOT NULL,   -- 下放专场评审权限的文号
    scope             TEXT NOT NULL,   -- 评审范围 (besides the committee's specialties)
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);

-- 一人一议 (八(三)): the green channel for a high-level talent the park introduced — an
-- individual evaluation plan (a special plan, 专场) with one participant, approved by the
-- province like every plan, with its own recorded justification, outside quota counting.
CREATE TABLE IF NOT EXISTS individual_plans (
    plan_id        INTEGER PRIMARY KEY REFERENCES review_plans (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    justification  TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

-- Self-evaluating units (自主评审单位: 高校, 医院, 企业; 二(五), 三(一)). A unit with
-- delegated evaluation authority (organisations.self_review) runs its own committee under
-- the same flow and may set conditions higher than the province's — never lower — checked
-- at submission: its filed standard (经备案的高于省标的标准条件) per series.
CREATE TABLE IF NOT EXISTS unit_rule_overlays (
    unit_org          TEXT NOT NULL REFERENCES organisations (id),
    series            TEXT NOT NULL,
    ce_hours_required INTEGER NOT NULL,            -- 继续教育学时, ≥ the province's (R7)
    min_achievements  INTEGER NOT NULL DEFAULT 0,  -- 业绩成果 at least this many
    filing_doc_no     TEXT NOT NULL,               -- the standard's filing (备案) number
    updated_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (unit_org, series)
);

-- 报备的年度评审方案 (二(五)): a self-evaluating unit files its annual evaluation plan with
-- the province, which records receipt and approves or returns it with an opinion.
CREATE TABLE IF NOT EXISTS self_review_plans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_org     TEXT NOT NULL REFERENCES organisations (id),
    year         INTEGER NOT NULL,
    title        TEXT NOT NULL,
    content      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned')),
    opinion      TEXT,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    audited_by   TEXT,
    audited_at   TEXT,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX IF NOT EXISTS self_review_plans_one_open
    ON self_review_plans (unit_org, year) WHERE status <> 'returned';
