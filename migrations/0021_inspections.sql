-- 七 (last paragraph), issue 13: 职称巡查. The province inspects, during the year's evaluation,
-- a share ("按一定比例") of the committees (policy execution, material review, judging) and,
-- with the industry departments, of the self-evaluating units; special inspections (专项巡查)
-- are opened from a complaint. A sampling run is drawn verifiably like the judge draw (R14):
-- the SHA-256 commitment of a secret seed is recorded first, the seed is revealed at the draw,
-- and the sample is a deterministic function of the seed and the recorded population
-- snapshot, so anyone replays it.
--
-- inspections.status: committed (sampling run, seed not yet revealed) → open (drawn, or a
-- special inspection) → closed.
CREATE TABLE IF NOT EXISTS inspections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('sampling', 'special')),
    year            INTEGER NOT NULL,
    title           TEXT NOT NULL,
    ratio_percent   INTEGER,            -- sampling: the share drawn, 1..=100
    departments     TEXT,               -- sampling: the industry departments taking part
    seed_commitment TEXT,               -- sampling: SHA-256 hex of the seed, recorded first
    seed            TEXT,               -- sampling: revealed at the draw
    snapshot        TEXT,               -- sampling: the population drawn from (JSON)
    snapshot_hash   TEXT,
    sample          TEXT,               -- sampling: the drawn targets per stratum (JSON)
    complaint_id    INTEGER REFERENCES public_objections (id), -- special: its complaint
    reason          TEXT,               -- special: why
    status          TEXT NOT NULL CHECK (status IN ('committed', 'open', 'closed')),
    conclusion      TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    drawn_at        TEXT,
    closed_by       TEXT,
    closed_at       TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS inspections_by_year ON inspections (year, id);

-- One inspected item: a committee in one aspect, a self-evaluating unit, or an application.
-- `office_org` is who answers (the committee's organising unit, the unit itself).
-- status: pending → compliant (no finding) | rectifying (finding, deadline in working days)
-- → responded → rectified, or back to rectifying with a new deadline.
CREATE TABLE IF NOT EXISTS inspection_items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id   INTEGER NOT NULL REFERENCES inspections (id),
    target_kind     TEXT NOT NULL CHECK (target_kind IN ('committee', 'unit', 'application')),
    target_ref      TEXT NOT NULL,
    aspect          TEXT NOT NULL CHECK (aspect IN
                      ('policy_execution', 'material_review', 'judging', 'self_evaluation', 'complaint')),
    office_org      TEXT NOT NULL REFERENCES organisations (id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'compliant', 'rectifying', 'responded', 'rectified')),
    finding         TEXT,
    requirement     TEXT,               -- 整改要求
    working_days    INTEGER,
    deadline        TEXT,               -- the last day to respond (working days after the request)
    response        TEXT,
    responded_by    TEXT,
    responded_at    TEXT,
    decided_by      TEXT,
    decided_at      TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS inspection_items_by_inspection ON inspection_items (inspection_id, id);
CREATE INDEX IF NOT EXISTS inspection_items_by_office ON inspection_items (office_org, id);
