-- Issue 13: the other paths of annex 3 besides the 高评会 (§1.8) — 初定 (§1.4), 认定 (§1.5),
-- 初评会 (§1.6) and 中评会 (§1.7) — and the lower unit's confirmation of its designation
-- (annex 2 §1.6.2). Idempotent; new tables only (no ALTER TABLE).

-- 审核路径, every level (员级 … 正高级) and acquisition method. Replaces audit_path_edges,
-- whose CHECK admits only the senior levels: its rows are copied once (same ids, so the
-- sequence continues after them) and the code reads and writes this table only.
-- `confirmation`: a lower designated by an upper confirms or declines the designation
-- (审核层级配置单位确认); a declined edge breaks the path where it stands. Rows copied from
-- the old table, and edges the province configures, are confirmed.
CREATE TABLE IF NOT EXISTS path_edges (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    lower_org      TEXT NOT NULL REFERENCES organisations (id),
    upper_org      TEXT NOT NULL REFERENCES organisations (id),
    level          TEXT NOT NULL CHECK (level IN ('junior', 'assistant', 'intermediate', 'deputy_senior', 'full_senior')),
    method         TEXT NOT NULL CHECK (method IN ('review', 'initial', 'recognition')),
    step           TEXT NOT NULL CHECK (step IN ('audit', 'formal_review')),
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    confirmation   TEXT NOT NULL DEFAULT 'confirmed' CHECK (confirmation IN ('pending', 'confirmed', 'declined')),
    confirmed_by   TEXT,
    confirmed_at   TEXT,
    decline_reason TEXT,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    cancelled_at   TEXT,
    cancel_reason  TEXT
);
INSERT OR IGNORE INTO path_edges (id, lower_org, upper_org, level, method, step, status, created_by, created_at,
                                  cancelled_at, cancel_reason)
    SELECT id, lower_org, upper_org, level, method, step, status, created_by, created_at, cancelled_at, cancel_reason
    FROM audit_path_edges;
CREATE UNIQUE INDEX IF NOT EXISTS path_edges_one_upper
    ON path_edges (lower_org, level, method) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS path_edges_by_upper ON path_edges (upper_org, status);

-- The tier of a committee (评委会类别): 初评会 (员级、助理级), 中评会 (中级), 高评会 (副高级、
-- 正高级). A committee without a row is a 高评会. `max_level` here is the committee's real
-- highest level: committees.max_level admits only the senior levels, so a 初评会 or 中评会
-- keeps 'deputy_senior' there and this row is what path resolution (R20) reads.
CREATE TABLE IF NOT EXISTS committee_tiers (
    committee_id TEXT PRIMARY KEY REFERENCES committees (id),
    tier         TEXT NOT NULL CHECK (tier IN ('junior', 'intermediate', 'senior')),
    max_level    TEXT NOT NULL CHECK (max_level IN ('junior', 'assistant', 'intermediate', 'deputy_senior', 'full_senior'))
);

-- 初定 / 认定 核准 (annex 3 §1.4–1.5): no committee vote; the acceptance institution that
-- rechecked approves with a document number, which the certificate carries (as a filing's
-- 备案文号 for titles by review), and the certificate names the institution (§1.3).
CREATE TABLE IF NOT EXISTS title_approvals (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL UNIQUE REFERENCES applications (id),
    method         TEXT NOT NULL CHECK (method IN ('initial', 'recognition')),
    institution_id INTEGER NOT NULL REFERENCES acceptance_institutions (id),
    doc_no         TEXT NOT NULL,
    approved_on    TEXT NOT NULL,
    approved_by    TEXT NOT NULL,
    org            TEXT NOT NULL,
    approved_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS title_approvals_by_doc_no ON title_approvals (doc_no);
