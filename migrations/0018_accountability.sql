-- 七(二)–(四), issue 13: accountability. The province suspends an expert from the pool for a
-- period, or removes them (取消评委资格), with the reason; a suspension ends on its last day
-- (lifted at the next draw or listing) or when the province reinstates the expert. Judges' and
-- staff members' integrity records: who, what, the decision, and its period.
CREATE TABLE IF NOT EXISTS expert_suspensions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    expert_id   TEXT NOT NULL REFERENCES experts (id),
    kind        TEXT NOT NULL CHECK (kind IN ('suspend', 'remove')),
    reason      TEXT NOT NULL,
    from_on     TEXT NOT NULL,
    until_on    TEXT,               -- suspend: the last day; remove: NULL
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    lifted_at   TEXT,
    lifted_by   TEXT,
    lift_reason TEXT
);
CREATE INDEX IF NOT EXISTS expert_suspensions_open ON expert_suspensions (expert_id, lifted_at);

CREATE TABLE IF NOT EXISTS integrity_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('judge', 'staff')),
    subject_ref  TEXT NOT NULL,     -- the expert id (judge) or the person / operator (staff)
    subject_name TEXT NOT NULL,
    org          TEXT NOT NULL,
    conduct      TEXT NOT NULL,     -- what happened
    decision     TEXT NOT NULL,     -- 处理决定
    from_on      TEXT NOT NULL,
    until_on     TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
