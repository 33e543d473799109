-- Issue 16: an organisation's administrative parent (上级主管单位) as the province keeps it,
-- so the organisation table reads as a tree. Apart from the audit paths (审核路径), which
-- say who reviews whom per level and method and are changed through their own edges.
-- A side table: migrations create, never alter. Idempotent.
CREATE TABLE IF NOT EXISTS organisation_parents (
    org_id     TEXT PRIMARY KEY REFERENCES organisations (id),
    parent_id  TEXT NOT NULL REFERENCES organisations (id),
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS organisation_parents_by_parent ON organisation_parents (parent_id);
