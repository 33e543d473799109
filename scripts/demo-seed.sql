-- Demo dataset for `scripts/dev` (NOT a migration; never applied in production).
-- Idempotent: applied at every start of the dev host.
--
-- The notice fixes the 2024 batch (migration 0001). So that a newcomer can try the app
-- today, the 2025 and 2026 batches are configured here with the same dates as 2024
-- (material cutoff 09-30, voting deadline 12-15); the province sets the real ones.
INSERT OR IGNORE INTO annual_batches
    (year, material_cutoff, voting_deadline, unit_publicity_working_days, assessment_years,
     quota_audit_deadline, special_quota_start, special_quota_end, notice)
    VALUES (2025, '2025-09-30', '2025-12-15', 5, 5, '2025-08-15', '2025-07-01', '2025-07-20', '演示数据（参照湘人社函〔2024〕72号）');
INSERT OR IGNORE INTO annual_batches
    (year, material_cutoff, voting_deadline, unit_publicity_working_days, assessment_years,
     quota_audit_deadline, special_quota_start, special_quota_end, notice)
    VALUES (2026, '2026-09-30', '2026-12-15', 5, 5, '2026-08-15', '2026-07-01', '2026-07-20', '演示数据（参照湘人社函〔2024〕72号）');

-- A fictitious person recorded in the integrity file until 2027-05-31: submitting with
-- this ID number is refused (R5). The number is synthetic (valid check digit only).
INSERT OR IGNORE INTO blacklist (id, citizen_id, name, reason, recorded_on, expires_on, created_at)
    VALUES (1, '430602197908084564', '演示黑名单人员', '2024年申报提供虚假论文（演示）',
            '2024-06-01', '2027-05-31', '2024-06-01T00:00:00Z');
