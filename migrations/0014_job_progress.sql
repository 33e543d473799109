-- Progress of certificate generation jobs while they run (issue 14): after each chunk a
-- running job records how many items this run has done, in how long, and the rate and
-- time left that follow, so the job resource shows done / total, rate and ETA.
-- Never ALTERs a table of an earlier migration: a table keyed by the job's id.
-- Idempotent (IF NOT EXISTS): real Spin applies it at every start.

CREATE TABLE IF NOT EXISTS certificate_job_progress (
    job_id     INTEGER PRIMARY KEY REFERENCES certificate_jobs (id),
    run_done   INTEGER NOT NULL,          -- items done by the latest run so far
    run_ms     INTEGER NOT NULL,          -- how long that run has been running
    rate_per_s REAL,                      -- run_done per second of run_ms
    eta_s      INTEGER,                   -- pending items at that rate; NULL when unknown
    updated_at TEXT NOT NULL
);
