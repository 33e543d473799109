-- Issue 10: anchors of the audit chain (过程跟踪). At every publicity close, filing audit
-- and certificate batch the chain's head — the last event's sequence number and hash — is
-- signed with the seal key (SM2 with SM3, as certificates are sealed) and kept here, apart
-- from the chain; the province exports them (GET /api/jobs/audit-anchors) and every report
-- to the national registry carries the latest. Deleting the chain's last rows then no
-- longer leaves a chain that verifies: the verifier checks the chain against the anchors.
CREATE TABLE IF NOT EXISTS audit_anchors (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    head_seq    INTEGER NOT NULL,
    head_hash   TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('publicity_close', 'filing', 'certificate_batch')),
    reference   TEXT NOT NULL,
    at          TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    signature   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_anchors_by_head ON audit_anchors (head_seq);
