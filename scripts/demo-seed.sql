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
-- 二(一): the online qualification audit ends on 09-30 unless the province sets another day
-- (migration 0009). The demo's 2026 batch keeps it open until 12-11, before the 12-15
-- voting deadline, so the walk-through in README (clock 2026-12-08) can be done.
INSERT OR IGNORE INTO batch_qualification_deadlines (year, committee_id, deadline, updated_by, updated_at)
    VALUES (2026, '', '2026-12-11', 'demo', '2026-01-01T00:00:00Z');

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
INSERT OR IGNORE INTO path_edges (id, lower_org, upper_org, level, method, step, status, created_by, created_at) VALUES
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

-- People and operators to sign in with (issue 11). DEVELOPMENT ONLY: every demo account's
-- password is `Demo-2026!` (the Argon2id hash below was computed with m=19456, t=2, p=1);
-- never load this file into a production database. Sign in with the phone number or the
-- ID number; organisation staff then switch to their operator membership.
INSERT OR IGNORE INTO people (id, id_hash, citizen_id, name, phone, password_hash, created_at, updated_at) VALUES
    ('P-DEMO-APPLICANT', '16109c76546da933a8db2462087c5adf5b665a07a8eb4534262ca32e2a248baf', '430102198503151236', '张三', '13800000001', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-HR', 'a602cf480d5cbc312bf685ad1558c150473c2145d2110cc3317fa57bb65a9d76', '430102198001010011', '王人事', '13800000002', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-HEALTH', 'a23454835d95031c23c9aefabac67d0b499f994fedd182ac6de5f07854d4c77c', '430102198102020024', '李审核', '13800000003', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-CITY', '01a1ae77ba22db75436ac430f653e1bb6b52c68332cadbf73c1349ded99ebbdb', '430102198203030037', '赵形审', '13800000004', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-CMT', '0a392c31d2ed5b896b123664bd199732c70467c4335c17690be3f2b31188ea61', '43010219830404004X', '孙复核', '13800000005', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-PROVINCE', '922e1955a36b92ea203e61e37b32c5e3552b628db28196bce23204dc583b3730', '430102198405050052', '周专技', '13800000006', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT OR IGNORE INTO operators (id, person_id, org, role, duty, valid_from, valid_until, note, created_by, created_at, updated_at) VALUES
    (1, 'P-DEMO-HR', 'ORG-DEMO-HOSPITAL', 'unit', 'admin', '2024-01-01', NULL, '演示管理员', 'demo', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    (2, 'P-DEMO-HEALTH', 'ORG-DEMO-HEALTH', 'dept', 'admin', '2024-01-01', NULL, '演示管理员', 'demo', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    (3, 'P-DEMO-CITY', 'ORG-DEMO-CITY-HR', 'dept', 'admin', '2024-01-01', NULL, '演示管理员', 'demo', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    (4, 'P-DEMO-CMT', 'ORG-DEMO-CMT-OFFICE', 'committee_org', 'admin', '2024-01-01', NULL, '演示管理员', 'demo', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    (5, 'P-DEMO-PROVINCE', 'ORG-PROVINCE', 'province', 'admin', '2024-01-01', NULL, '演示管理员', 'demo', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

-- Public publicity pages (issue 17): something to see at /public without signing in.
-- The demo hospital publicises two applicants it means to recommend (四(二)2) and the health
-- committee's office the two who passed its session voted on 2026-11-23 (六(一)); both
-- open on 2026-11-24 for 5 working days (to 12-01). Fixed ids from 9001 keep the rows apart
-- from what people create. The ID numbers are synthetic (check digit only) and never shown
-- publicly.
INSERT OR IGNORE INTO applications (id, applicant_id, applicant_name, batch_year, unit_org, citizen_id, series,
        target_level, specialty, committee, form, state, publicity_start, publicity_end, complaint_office,
        complaint_phone, created_at, updated_at, submitted_at, publicity_closed_on, voted_on) VALUES
    (9001, 'demo-pub-1', '刘思远', 2026, 'ORG-DEMO-HOSPITAL', '430102198604121239', '卫生', 'deputy_senior', '内科学', 'CMT-HEALTH',
     '{"citizen_id":"430102198604121239","unit_org":"ORG-DEMO-HOSPITAL","series":"卫生","target_level":"deputy_senior","specialty":"内科学","committee":"CMT-HEALTH"}',
     'unit_publicity', '2026-11-24', '2026-12-01', '演示医院人事处', '0731-84327000',
     '2026-11-20T01:00:00Z', '2026-11-24T01:00:00Z', '2026-11-20T01:00:00Z', NULL, NULL),
    (9002, 'demo-pub-2', '陈雨桐', 2026, 'ORG-DEMO-HOSPITAL', '430102198705202345', '卫生', 'deputy_senior', '外科学', 'CMT-HEALTH',
     '{"citizen_id":"430102198705202345","unit_org":"ORG-DEMO-HOSPITAL","series":"卫生","target_level":"deputy_senior","specialty":"外科学","committee":"CMT-HEALTH"}',
     'unit_publicity', '2026-11-24', '2026-12-01', '演示医院人事处', '0731-84327000',
     '2026-11-20T01:00:00Z', '2026-11-24T01:00:00Z', '2026-11-20T01:00:00Z', NULL, NULL),
    (9003, 'demo-pub-3', '黄建国', 2026, 'ORG-DEMO-HOSPITAL', '430102197809153459', '卫生', 'full_senior', '内科学', 'CMT-HEALTH',
     '{"citizen_id":"430102197809153459","unit_org":"ORG-DEMO-HOSPITAL","series":"卫生","target_level":"full_senior","specialty":"内科学","committee":"CMT-HEALTH"}',
     'result_publicity', '2026-08-03', '2026-08-07', '演示医院人事处', '0731-84327000',
     '2026-07-20T01:00:00Z', '2026-11-24T01:00:00Z', '2026-07-20T01:00:00Z', '2026-08-08', '2026-11-23'),
    (9004, 'demo-pub-4', '周敏', 2026, 'ORG-DEMO-HOSPITAL', '430102197603034569', '卫生', 'deputy_senior', '外科学', 'CMT-HEALTH',
     '{"citizen_id":"430102197603034569","unit_org":"ORG-DEMO-HOSPITAL","series":"卫生","target_level":"deputy_senior","specialty":"外科学","committee":"CMT-HEALTH"}',
     'result_publicity', '2026-08-03', '2026-08-07', '演示医院人事处', '0731-84327000',
     '2026-07-20T01:00:00Z', '2026-11-24T01:00:00Z', '2026-07-20T01:00:00Z', '2026-08-08', '2026-11-23');
INSERT OR IGNORE INTO result_publicities (id, committee, organising_org, batch_year, plan_id, voted_on, open_deadline,
        start_on, end_on, opened_late, complaint_office, complaint_phone, filing_deadline, status, opened_by, opened_at)
    VALUES (9001, 'CMT-HEALTH', 'ORG-DEMO-CMT-OFFICE', 2026, NULL, '2026-11-23', '2026-11-26', '2026-11-24', '2026-12-01', 0,
            '演示卫生高评会办公室', '0731-84320000', '2026-12-14', 'open', 'demo', '2026-11-23T08:00:00Z');
INSERT OR IGNORE INTO result_entries (application_id, publicity_id) VALUES (9003, 9001), (9004, 9001);

-- What a walk from a draft to a reported certificate needs (scripts/walkthrough): the titles of
-- the demo series in the title tree (certificates print them), the province as the issuing unit
-- (发证单位编码), and an expert pool for the draw: seven 内科学 experts of other hospitals, each
-- a person who signs in (13800000011..17, password Demo-2026!, DEVELOPMENT ONLY) and acts as judge.
INSERT OR IGNORE INTO titles (id, series, name, level, mohrss_title, mohrss_code, created_at, updated_at) VALUES
    (9001, '卫生', '副主任医师', 'deputy_senior', '副主任医师', '232', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    (9002, '卫生', '主任医师', 'full_senior', '主任医师', '231', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT OR IGNORE INTO issuing_units (id, code, org_id, name, status, created_by, created_at)
    VALUES (9001, '9900', 'ORG-PROVINCE', '湖南省人力资源和社会保障厅', 'active', 'demo', '2026-01-01T00:00:00Z');
INSERT OR IGNORE INTO people (id, id_hash, citizen_id, name, phone, password_hash, created_at, updated_at) VALUES
    ('P-DEMO-EXPERT-1', 'cd90deed1ba4ce67cae1cb3efb5ff4683391c57fe72a479d1b0e8ecc174826c9', '430102197001012100', '吴主任', '13800000011', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-EXPERT-2', 'fcbcbaea1322a0a36e111d38579bc3ebb2e6b2aeb0127d20984dd65339ff043f', '430102197102022113', '郑主任', '13800000012', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-EXPERT-3', '7f97b530a48cc3241545442ee4586ebb082f6669e7cc1ead2af8abf8fd63c5e5', '430102197203032126', '冯主任', '13800000013', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-EXPERT-4', '70cf2bfb51b6b79e3204e140c438e3cff9e0f757fb2642ff9487e0cc2836f57b', '430102197304042139', '陈主任', '13800000014', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-EXPERT-5', '805fae8ded22a56835db900a119457bc103dc3d3f6d6825a8457228b025e6dd1', '430102197405052141', '褚主任', '13800000015', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-EXPERT-6', '64d60c969d4bf831569f39ededed2efc2a37dae0f02603b73e1b87b82b9e233e', '430102197506062154', '卫主任', '13800000016', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('P-DEMO-EXPERT-7', '8c53a4c3a28c57a619498d98093f31f4f99a2a726c3316845439d1d7d45416a8', '430102197607072167', '蒋主任', '13800000017', '$argon2id$v=19$m=19456,t=2,p=1$n5wSUV7s06g4WWJrkmjMtg$XnVKwH/eZDFbB7+O8Cl09FSRFcUR3AuvXKWVip7U83Q', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT OR IGNORE INTO experts (id, name, person_hash, specialty, org, title, status, created_at) VALUES
    ('EXP-DEMO-1', '吴主任', 'cd90deed1ba4ce67cae1cb3efb5ff4683391c57fe72a479d1b0e8ecc174826c9', '内科学', 'ORG-XY-HOSPITAL', '主任医师', 'active', '2026-01-01T00:00:00Z'),
    ('EXP-DEMO-2', '郑主任', 'fcbcbaea1322a0a36e111d38579bc3ebb2e6b2aeb0127d20984dd65339ff043f', '内科学', 'ORG-PROV-HOSPITAL', '主任医师', 'active', '2026-01-01T00:00:00Z'),
    ('EXP-DEMO-3', '冯主任', '7f97b530a48cc3241545442ee4586ebb082f6669e7cc1ead2af8abf8fd63c5e5', '内科学', 'ORG-XY2-HOSPITAL', '主任医师', 'active', '2026-01-01T00:00:00Z'),
    ('EXP-DEMO-4', '陈主任', '70cf2bfb51b6b79e3204e140c438e3cff9e0f757fb2642ff9487e0cc2836f57b', '内科学', 'ORG-XY3-HOSPITAL', '主任医师', 'active', '2026-01-01T00:00:00Z'),
    ('EXP-DEMO-5', '褚主任', '805fae8ded22a56835db900a119457bc103dc3d3f6d6825a8457228b025e6dd1', '内科学', 'ORG-CANCER-HOSPITAL', '主任医师', 'active', '2026-01-01T00:00:00Z'),
    ('EXP-DEMO-6', '卫主任', '64d60c969d4bf831569f39ededed2efc2a37dae0f02603b73e1b87b82b9e233e', '内科学', 'ORG-CHILD-HOSPITAL', '主任医师', 'active', '2026-01-01T00:00:00Z'),
    ('EXP-DEMO-7', '蒋主任', '8c53a4c3a28c57a619498d98093f31f4f99a2a726c3316845439d1d7d45416a8', '内科学', 'ORG-CS-HOSPITAL', '主任医师', 'active', '2026-01-01T00:00:00Z');
