-- 一: the qualification-review materials (资格审查材料) are submitted online, signed and
-- sealed, then scanned; the applicant's submission is refused while any material the
-- catalogue (资格审查材料目录) requires for the series and level is missing. The province
-- keeps the catalogue per series and level ('' = every series / every level); these rows
-- are the minimal defaults every declaration needs, to which the province adds its year's
-- catalogue through `PUT /api/admin/required-materials`.
CREATE TABLE IF NOT EXISTS required_materials (
    series     TEXT NOT NULL DEFAULT '',
    level      TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    label      TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT 'migration',
    updated_at TEXT NOT NULL DEFAULT '2024-01-01T00:00:00Z',
    PRIMARY KEY (series, level, kind)
);
INSERT OR IGNORE INTO required_materials (series, level, kind, label) VALUES
    ('', '', 'evaluation_form', '专业技术职称评审表（实名签字、加盖公章后扫描）'),
    ('', '', 'degree', '学历学位证书');

-- 二(二): the paper performance materials (业绩评审纸质材料) handed in at the province's
-- collection point in the last two working days of the third quarter; the receipt is
-- recorded against the application.
CREATE TABLE IF NOT EXISTS paper_material_receipts (
    application_id INTEGER PRIMARY KEY REFERENCES applications (id),
    received_on    TEXT NOT NULL,
    pieces         INTEGER NOT NULL,
    note           TEXT,
    in_window      INTEGER CHECK (in_window IN (0, 1)),   -- NULL: that year's calendar not loaded
    received_by    TEXT NOT NULL,
    received_org   TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
