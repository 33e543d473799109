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
