-- 三(二)2: special-case review quotas of public institutions are checked first and
-- summarised by the city HR bureau or the provincial department (初核汇总), which submits
-- a special report (专项报告) with its requests to the province between 07-01 and 07-20;
-- only then does the province audit them.

-- One summary submitted by a checking organisation.
CREATE TABLE IF NOT EXISTS special_quota_reports (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org             TEXT NOT NULL,      -- the city HR bureau / department that summarised
    year            INTEGER NOT NULL,
    report          TEXT NOT NULL,      -- 专项报告 (its summary text)
    quota_count     INTEGER NOT NULL,
    requested_total INTEGER NOT NULL,
    submitted_by    TEXT NOT NULL,
    submitted_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS special_quota_reports_by_org ON special_quota_reports (org, year);

-- The first check of one special request: passed (then summarised into a report) or not
-- (the request is rejected with the checker's opinion).
CREATE TABLE IF NOT EXISTS special_quota_prechecks (
    quota_id   INTEGER PRIMARY KEY REFERENCES review_quotas (id),
    org        TEXT NOT NULL,
    passed     INTEGER NOT NULL CHECK (passed IN (0, 1)),
    opinion    TEXT,
    checked_by TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    report_id  INTEGER REFERENCES special_quota_reports (id)
);
CREATE INDEX IF NOT EXISTS special_quota_prechecks_by_report ON special_quota_prechecks (report_id);
