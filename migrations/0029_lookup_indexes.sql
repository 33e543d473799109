-- Lookups that ran without an index, each scanning a table that grows with the province's
-- year, most of them once per item inside a write transaction (so with the write lock held)
-- (issue 14, found when the benchmark set up 100,000 filed passers):
-- - R16 (plan creation, per participant): has this person failed a review this year? A
--   scan of every application: a plan of 1,000 over 50,000 applications read 50 million rows.
-- - plan creation, per participant: is the application already in another plan? A scan of
--   every plan's participants (5.6 s for the 50th plan of 2,000 at 100,000).
-- - the tally, per participant: the participant's ballots. A scan of every ballot cast.
-- - R10 (recommendation, per application; the tally's quota double control, per unit): how
--   many of the unit's applications for this year, series and level are recommended or
--   passed? A scan of all the unit's applications (75 ms each at 100,000 in one unit). The
--   index also holds the recommendation time and the state, so the counts read the index
--   alone, and the count of recommended applications reads the recommended ones only.
-- - an applicant's interview notices; every session of a person (password change).
-- The ballots' index orders them by plan, participant and their random key: no more tied to
-- the judge or the time of voting than the table itself (0005).
-- Never ALTERs a table of an earlier migration. Idempotent (IF NOT EXISTS): real Spin
-- applies it at every start.

CREATE INDEX IF NOT EXISTS applications_by_person_year ON applications (citizen_id, batch_year);
CREATE INDEX IF NOT EXISTS applications_by_unit_quota ON applications
    (unit_org, batch_year, series, target_level, recommended_at, state);
CREATE INDEX IF NOT EXISTS plan_participants_by_application ON plan_participants (application_id);
CREATE INDEX IF NOT EXISTS ballots_by_participant ON ballots (plan_id, application_id);
CREATE INDEX IF NOT EXISTS interview_notices_by_application ON interview_notices (application_id);
CREATE INDEX IF NOT EXISTS sessions_by_person ON sessions (person_id);
