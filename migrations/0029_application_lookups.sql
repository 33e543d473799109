-- Lookups of applications that ran inside write transactions without an index, so each
-- scanned every application of a unit, or all of them, while holding the write lock
-- (issue 14, found when the benchmark set up 100,000 filed passers):
-- - R16 (plan creation, per participant): has this person failed a review this year?
--   A full scan of applications for each participant: a plan of 1,000 people over 50,000
--   applications read 50 million rows.
-- - R10 (recommendation, per application; the tally's quota double control, per unit):
--   how many of the unit's applications for this year, series and level are recommended
--   or passed? A scan of all the unit's applications by the (unit_org, state, id) index.
-- The second index also holds the state and the recommendation time, so the counts read the
-- index alone, not each application's row.
-- Never ALTERs a table of an earlier migration. Idempotent (IF NOT EXISTS): real Spin
-- applies it at every start.

CREATE INDEX IF NOT EXISTS applications_by_person_year ON applications (citizen_id, batch_year);
CREATE INDEX IF NOT EXISTS applications_by_unit_quota ON applications
    (unit_org, batch_year, series, target_level, state, recommended_at);
