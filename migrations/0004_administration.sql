-- Provincial administration (issue 6): the specialty and title trees, acceptance
-- institutions, the committee details the audit chain does not need, unit registration,
-- per-committee batch dates, Excel imports, and version columns for tables that have
-- none. Idempotent (IF NOT EXISTS / OR IGNORE): real Spin applies it at every start.
-- Never ALTERs a table of an earlier migration: extra columns live in tables keyed by
-- the row they extend.

-- 职称专业 (annex 3 §1.1): codes and names under fixed category roots ("不支持新增栏目大类").
-- Identity across the system is the name (committee_specialties.specialty and an
-- application's form.specialty name it), so names are unique, as are codes.
CREATE TABLE IF NOT EXISTS specialties (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id  INTEGER REFERENCES specialties (id),
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE,
    is_root    INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS specialties_by_parent ON specialties (parent_id, code);
-- The roots: the 14 discipline categories (学科门类) of the national catalogue
-- 《研究生教育学科专业目录（2022年）》; children extend their parent's code (08 → 0801).
INSERT OR IGNORE INTO specialties (id, parent_id, code, name, is_root, created_at, updated_at) VALUES
    (1, NULL, '01', '哲学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (2, NULL, '02', '经济学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (3, NULL, '03', '法学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (4, NULL, '04', '教育学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (5, NULL, '05', '文学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (6, NULL, '06', '历史学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (7, NULL, '07', '理学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (8, NULL, '08', '工学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (9, NULL, '09', '农学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (10, NULL, '10', '医学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (11, NULL, '11', '军事学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (12, NULL, '12', '管理学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (13, NULL, '13', '艺术学', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    (14, NULL, '14', '交叉学科', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');

-- 职称树 (annex 3 §1.2): the series (系列) are the fixed roots; titles hang below them with
-- their level and the MOHRSS title they map to (对应人社部职称, GB/T 8561 code where one
-- exists). `name` is the short series name applications use (form.series).
CREATE TABLE IF NOT EXISTS title_series (
    name      TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    position  INTEGER NOT NULL
);
-- The national professional-title series (职称系列).
INSERT OR IGNORE INTO title_series (name, full_name, position) VALUES
    ('高校教师', '高等学校教师', 1),
    ('哲学社会科学研究', '哲学社会科学研究人员', 2),
    ('自然科学研究', '自然科学研究人员', 3),
    ('卫生', '卫生技术人员', 4),
    ('工程', '工程技术人员', 5),
    ('农业', '农业技术人员', 6),
    ('新闻', '新闻专业人员', 7),
    ('出版', '出版专业人员', 8),
    ('图书资料', '图书资料专业人员', 9),
    ('文物博物', '文物博物专业人员', 10),
    ('档案', '档案专业人员', 11),
    ('工艺美术', '工艺美术专业人员', 12),
    ('技工院校教师', '技工院校教师', 13),
    ('体育', '体育专业人员', 14),
    ('翻译', '翻译专业人员', 15),
    ('播音主持', '播音主持专业人员', 16),
    ('会计', '会计专业人员', 17),
    ('统计', '统计专业人员', 18),
    ('经济', '经济专业人员', 19),
    ('实验技术', '实验技术人才', 20),
    ('中等职业学校教师', '中等职业学校教师', 21),
    ('中小学教师', '中小学教师', 22),
    ('艺术', '艺术专业人员', 23),
    ('公共法律服务', '公共法律服务专业人员', 24),
    ('船舶', '船舶专业技术人员', 25),
    ('民用航空飞行技术', '民用航空飞行技术人员', 26),
    ('审计', '审计专业人员', 27),
    ('社会工作', '社会工作专业人员', 28);
CREATE TABLE IF NOT EXISTS titles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    series       TEXT NOT NULL REFERENCES title_series (name),
    name         TEXT NOT NULL,
    level        TEXT NOT NULL CHECK (level IN ('junior', 'assistant', 'intermediate', 'deputy_senior', 'full_senior')),
    mohrss_title TEXT NOT NULL,                 -- 对应人社部职称
    mohrss_code  TEXT,                          -- GB/T 8561 code, where it has one
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (series, name)
);

-- 职称初定/认定受理机构 (annex 3 §1.3).
CREATE TABLE IF NOT EXISTS acceptance_institutions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    node_type        TEXT NOT NULL CHECK (node_type IN ('province', 'city_hr', 'dept', 'public_hr_service')),
    org_id           TEXT NOT NULL REFERENCES organisations (id),
    certificate_name TEXT NOT NULL,             -- 打在职称证书上的机构名称
    level            TEXT NOT NULL CHECK (level IN ('junior', 'assistant', 'intermediate', 'deputy_senior', 'full_senior')),
    method           TEXT NOT NULL CHECK (method IN ('initial', 'recognition')),
    notice           TEXT NOT NULL DEFAULT '',  -- 申报须知
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    cancel_reason    TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS acceptance_institutions_one_active
    ON acceptance_institutions (org_id, level, method) WHERE status = 'active';

-- 评委会 details (annex 3 §1.10) beyond what the audit chain reads from `committees`:
-- the operator (联系人 and ID number: the person who signs in for the committee), the
-- organising units (组建单位, several; committees.organising_org is the first), fees.
CREATE TABLE IF NOT EXISTS committee_details (
    committee_id        TEXT PRIMARY KEY REFERENCES committees (id),
    operator_name       TEXT NOT NULL,
    operator_citizen_id TEXT NOT NULL,
    operator_phone      TEXT NOT NULL,
    remarks             TEXT NOT NULL DEFAULT '',
    updated_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS committee_organisers (
    committee_id TEXT NOT NULL REFERENCES committees (id),
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (committee_id, org_id)
);
CREATE TABLE IF NOT EXISTS committee_fees (
    committee_id TEXT NOT NULL REFERENCES committees (id),
    item         TEXT NOT NULL CHECK (item IN ('review', 'interview', 'other')),
    amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),   -- in 分 (no floating point money)
    PRIMARY KEY (committee_id, item)
);

-- 年度批次 dates that differ for one committee (二(五): self-review units, primary and
-- secondary school teachers and the grassroots series keep their own schedule).
CREATE TABLE IF NOT EXISTS committee_batches (
    year            INTEGER NOT NULL REFERENCES annual_batches (year),
    committee_id    TEXT NOT NULL REFERENCES committees (id),
    material_cutoff TEXT,
    voting_deadline TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (year, committee_id)
);

-- Compare-and-set versions for rows of tables created without a version column
-- (annual_batches, audit_path_edges, blacklist). A missing row means version 1.
CREATE TABLE IF NOT EXISTS admin_row_versions (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);

-- 公服账号注册 (annex 3 §1.25): a unit registers (its organisation is created `pending`);
-- the competent HR office approves (organisation `active`) or rejects with an opinion that
-- tells the unit what to fix; the unit corrects and resubmits. One registration per unit.
CREATE TABLE IF NOT EXISTS unit_registrations (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id               TEXT NOT NULL UNIQUE REFERENCES organisations (id),
    credit_code          TEXT NOT NULL,
    name                 TEXT NOT NULL,
    region_code          TEXT NOT NULL,
    public_institution   INTEGER NOT NULL DEFAULT 0,
    legal_representative TEXT NOT NULL,
    contact_name         TEXT NOT NULL,
    contact_phone        TEXT NOT NULL,
    address              TEXT NOT NULL DEFAULT '',
    review_org           TEXT NOT NULL REFERENCES organisations (id),  -- the competent HR office
    registrant_sub       TEXT NOT NULL,                               -- token sub of the registrant
    registrant_name      TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'rejected', 'approved')),
    opinion              TEXT,
    reviewed_by          TEXT,
    reviewed_at          TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unit_registrations_by_registrant ON unit_registrations (registrant_sub, id);
CREATE INDEX IF NOT EXISTS unit_registrations_by_reviewer ON unit_registrations (review_org, status, id);
CREATE TABLE IF NOT EXISTS unit_registration_attachments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id INTEGER NOT NULL REFERENCES unit_registrations (id),
    kind            TEXT NOT NULL,
    filename        TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    content         BLOB NOT NULL,
    uploaded_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unit_registration_attachments_by_registration
    ON unit_registration_attachments (registration_id, id);

-- Excel imports: validated first (every row checked, the report kept), committed on
-- confirmation (the valid rows re-checked and written; rows that no longer pass are
-- reported, not written).
CREATE TABLE IF NOT EXISTS admin_imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('validated', 'committed')),
    filename      TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL,
    rows          TEXT NOT NULL,                -- JSON [{row, input}] of the rows that passed
    report        TEXT NOT NULL,                -- JSON validation report
    commit_report TEXT,                         -- JSON commit report
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    committed_at  TEXT
);

-- The blacklist lifter's scan: unlifted records by their last day.
CREATE INDEX IF NOT EXISTS blacklist_unlifted_by_expiry ON blacklist (expires_on) WHERE lifted_at IS NULL;
