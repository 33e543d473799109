-- The committee's evaluation: review plans, the expert pool, the verifiable draw, judges'
-- work, anonymous ballots and results. Idempotent.

-- 评审方案 (五(一), annex 2 §1.2.2, annex 3 §1.13–1.14, §1.23).
CREATE TABLE IF NOT EXISTS review_plans (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id            TEXT NOT NULL REFERENCES committees (id),
    organising_org          TEXT NOT NULL,
    batch_year              INTEGER NOT NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('normal', 'special')),
    offline                 INTEGER NOT NULL DEFAULT 0,   -- met offline: results entered directly
    review_start            TEXT NOT NULL,                -- 开评日期
    judging_end             TEXT NOT NULL,                -- last day of the judging window
    place                   TEXT NOT NULL,
    pass_numerator          INTEGER NOT NULL DEFAULT 2,   -- affirmative ≥ 2/3 of judges present
    pass_denominator        INTEGER NOT NULL DEFAULT 3,
    pass_rate_limit_percent INTEGER,                      -- R15
    pass_rate_exception     INTEGER NOT NULL DEFAULT 0,   -- declared in advance
    exception_reason        TEXT,
    scoring_rules           TEXT NOT NULL DEFAULT '[]',   -- JSON [{item, weight}] (R22)
    expert_needs            TEXT NOT NULL DEFAULT '[]',   -- JSON [{specialty, count}]
    seed_commitment         TEXT,                         -- SHA-256 of the secret draw seed
    seed                    TEXT,                         -- revealed at the draw
    status                  TEXT NOT NULL CHECK (status IN
                              ('draft', 'submitted', 'approved', 'rejected', 'drawn', 'tallied')),
    audit_opinion           TEXT,
    audited_by              TEXT,
    submitted_at            TEXT,
    audited_at              TEXT,
    tallied_on              TEXT,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_by              TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_plans_by_org ON review_plans (organising_org, batch_year, status);

CREATE TABLE IF NOT EXISTS plan_participants (
    plan_id        INTEGER NOT NULL REFERENCES review_plans (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    PRIMARY KEY (plan_id, application_id)
);

-- Which province desk audits which kind of plan (normal and special by different auditors).
CREATE TABLE IF NOT EXISTS plan_audit_desks (
    kind TEXT PRIMARY KEY CHECK (kind IN ('normal', 'special')),
    org  TEXT NOT NULL
);
INSERT OR IGNORE INTO plan_audit_desks (kind, org) VALUES ('normal', 'ORG-PROVINCE'), ('special', 'ORG-PROVINCE-SPECIAL');

-- 评审专家库 (annex 2 §1.4.1).
CREATE TABLE IF NOT EXISTS experts (
    id          TEXT PRIMARY KEY,                -- also the judge's token `sub`
    name        TEXT NOT NULL,
    person_hash TEXT NOT NULL,                   -- SHA-256 of the expert's ID number
    specialty   TEXT NOT NULL,
    org         TEXT NOT NULL,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS expert_relations (
    expert_id      TEXT NOT NULL REFERENCES experts (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    relation       TEXT NOT NULL,
    PRIMARY KEY (expert_id, application_id)
);

-- 评委抽取 (五(二), R14): the revealed seed, the pool snapshot and the panel.
CREATE TABLE IF NOT EXISTS plan_draws (
    plan_id       INTEGER PRIMARY KEY REFERENCES review_plans (id),
    seed          TEXT NOT NULL,
    snapshot      TEXT NOT NULL,                 -- JSON [PoolExpert] sorted by id
    snapshot_hash TEXT NOT NULL,
    recusal       TEXT NOT NULL,                 -- JSON Recusal
    panel         TEXT NOT NULL,                 -- JSON [[expert id]] per need
    supervisor    TEXT NOT NULL,                 -- 监督人 (纪委)
    drawn_by      TEXT NOT NULL,
    drawn_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_judges (
    plan_id       INTEGER NOT NULL REFERENCES review_plans (id),
    expert_id     TEXT NOT NULL REFERENCES experts (id),
    need_index    INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('drawn', 'declined')),
    substitute_of TEXT,
    PRIMARY KEY (plan_id, expert_id)
);

-- 面试答辩通知 (annex 2 §1.2.4).
CREATE TABLE IF NOT EXISTS interview_notices (
    plan_id        INTEGER NOT NULL REFERENCES review_plans (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    scheduled_at   TEXT NOT NULL,
    place          TEXT NOT NULL,
    notified_at    TEXT NOT NULL,
    PRIMARY KEY (plan_id, application_id)
);

-- 评委评审: material re-review, interview score, material scores, opinion — one row per
-- judge, participant and kind; confidential (R16).
CREATE TABLE IF NOT EXISTS judge_reviews (
    plan_id        INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    expert_id      TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('material_review', 'interview_score', 'material_score', 'opinion')),
    value          TEXT NOT NULL,                -- JSON
    at             TEXT NOT NULL,
    PRIMARY KEY (plan_id, application_id, expert_id, kind)
);

-- 无记名投票 (五(四), R16): anonymous by schema. A ballot has no reference to a judge and
-- no time; its key is random and the table has no rowid, so neither storage order nor
-- any column ties it to the participation record that makes each judge vote once.
CREATE TABLE IF NOT EXISTS ballots (
    ballot_id      TEXT PRIMARY KEY,             -- random
    plan_id        INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    choice         TEXT NOT NULL CHECK (choice IN ('agree', 'disagree', 'abstain'))
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ballot_participation (
    plan_id        INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    expert_id      TEXT NOT NULL,
    PRIMARY KEY (plan_id, application_id, expert_id)
) WITHOUT ROWID;

-- 评审结果 (annex 2 §1.2.5).
CREATE TABLE IF NOT EXISTS review_results (
    plan_id        INTEGER NOT NULL REFERENCES review_plans (id),
    application_id INTEGER NOT NULL REFERENCES applications (id),
    agree          INTEGER NOT NULL,
    disagree       INTEGER NOT NULL,
    abstain        INTEGER NOT NULL,
    present        INTEGER NOT NULL,
    score          REAL NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('passed', 'failed_vote', 'over_pass_rate', 'over_quota')),
    rank           INTEGER NOT NULL,
    voted_on       TEXT NOT NULL,
    offline        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_id, application_id)
);
