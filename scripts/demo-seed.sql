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

-- A demo health-series province, so the whole chain can be tried: the demo hospital (a
-- public institution) → the health commission (上级审核) → Changsha HR (形式审查) → the
-- health committee's office (材料复核), for 副高级 and 正高级, with an approved 2026 quota.
INSERT OR IGNORE INTO organisations (id, kind, name, region_code, public_institution, status, created_at, updated_at) VALUES
    ('ORG-DEMO-HOSPITAL', 'unit', '演示医院', '430102', 1, 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('ORG-DEMO-HEALTH', 'dept', '演示卫生健康委', '430100', 0, 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('ORG-DEMO-CITY-HR', 'city_hr', '演示市人社局', '430100', 0, 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('ORG-DEMO-CMT-OFFICE', 'committee_org', '演示卫生高评会办公室', '430000', 0, 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT OR IGNORE INTO committees (id, name, organising_org, series, max_level, is_final, valid_until, status, created_at, updated_at)
    VALUES ('CMT-HEALTH', '演示卫生系列高级职称评审委员会', 'ORG-DEMO-CMT-OFFICE', '卫生', 'full_senior', 1, '2027-12-31', 'active',
            '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT OR IGNORE INTO committee_specialties (committee_id, specialty) VALUES ('CMT-HEALTH', '内科学'), ('CMT-HEALTH', '外科学');
INSERT OR IGNORE INTO audit_path_edges (id, lower_org, upper_org, level, method, step, status, created_by, created_at) VALUES
    (1, 'ORG-DEMO-HOSPITAL', 'ORG-DEMO-HEALTH', 'deputy_senior', 'review', 'audit', 'active', 'demo', '2026-01-01T00:00:00Z'),
    (2, 'ORG-DEMO-HEALTH', 'ORG-DEMO-CITY-HR', 'deputy_senior', 'review', 'formal_review', 'active', 'demo', '2026-01-01T00:00:00Z'),
    (3, 'ORG-DEMO-CITY-HR', 'ORG-DEMO-CMT-OFFICE', 'deputy_senior', 'review', 'audit', 'active', 'demo', '2026-01-01T00:00:00Z'),
    (4, 'ORG-DEMO-HOSPITAL', 'ORG-DEMO-HEALTH', 'full_senior', 'review', 'audit', 'active', 'demo', '2026-01-01T00:00:00Z'),
    (5, 'ORG-DEMO-HEALTH', 'ORG-DEMO-CITY-HR', 'full_senior', 'review', 'formal_review', 'active', 'demo', '2026-01-01T00:00:00Z'),
    (6, 'ORG-DEMO-CITY-HR', 'ORG-DEMO-CMT-OFFICE', 'full_senior', 'review', 'audit', 'active', 'demo', '2026-01-01T00:00:00Z');
INSERT OR IGNORE INTO review_quotas (id, unit_org, year, series, level, kind, vacant_posts, requested, status, auditor_org,
                                     opinion, declared_by, declared_at, audited_at)
    VALUES (1, 'ORG-DEMO-HOSPITAL', 2026, '卫生', 'deputy_senior', 'normal', 5, 3, 'approved', 'ORG-DEMO-HEALTH', '演示数据',
            'demo', '2026-07-01T00:00:00Z', '2026-07-02T00:00:00Z');
