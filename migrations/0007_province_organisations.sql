-- The provincial HR department (省人社厅) as organisations, so that province tokens carry
-- an organisation that exists (access policy: every organisation role is admitted only
-- with an active organisation of the right kind; `shared::access::admit`). The second row
-- is the desk that audits special review plans (plan_audit_desks, 0005).
-- Idempotent: `spin up --sqlite @file` applies it in every trigger process.
INSERT OR IGNORE INTO organisations (id, kind, name, region_code, public_institution, status, created_at, updated_at) VALUES
    ('ORG-PROVINCE', 'province', '湖南省人力资源和社会保障厅', '439900', 0, 'active',
     '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
    ('ORG-PROVINCE-SPECIAL', 'province', '湖南省人力资源和社会保障厅（专项评审审核）', '430000', 0, 'active',
     '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');
