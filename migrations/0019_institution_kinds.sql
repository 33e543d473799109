-- 八(六), issue 13: the institution kind (机构类别) of a unit, recorded by the province, so that
-- a 中小学教师 declaration from a unit outside the series' scope (普通中小学, 幼儿园, 特殊教育学校,
-- 专门学校, the education departments' 教研机构, 电化教育机构, 少年宫 …) is refused at
-- submission. A unit without a recorded kind is flagged for the reviewers, never refused.
CREATE TABLE IF NOT EXISTS institution_kinds (
    org_id     TEXT PRIMARY KEY REFERENCES organisations (id),
    kind       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
