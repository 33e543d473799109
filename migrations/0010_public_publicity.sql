-- Public publicity pages (issue 17): what people who never sign in may do — read the open
-- publicity notices (四(二)2 unit publicity, 六(一) result publicity) and object to a listed
-- person. Idempotent (IF NOT EXISTS / OR IGNORE): real Spin applies it at every start.
-- Never ALTERs a table of an earlier migration.

-- The configuration of the public pages (one row): how long a closed notice stays
-- public, and how many objections one client address may file per hour. The province
-- changes it with an UPDATE of this row (no API yet).
CREATE TABLE IF NOT EXISTS public_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    retention_days       INTEGER NOT NULL CHECK (retention_days >= 0),        -- calendar days after the last day
    objections_per_hour  INTEGER NOT NULL CHECK (objections_per_hour >= 1)    -- per client address
);
INSERT OR IGNORE INTO public_settings (id, retention_days, objections_per_hour) VALUES (1, 30, 5);

-- 公众异议: an objection filed on a public page, against one listed person of one open
-- publicity. It is a letter to the office (the unit for its publicity, the committee's
-- organising unit for result publicity), which reads it and, after checking, records the
-- formal objection (`…/objections`, which holds the person). Filing one changes no
-- application. The client address is kept only as a salted hash, for the rate limit.
CREATE TABLE IF NOT EXISTS public_objections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_no      TEXT NOT NULL UNIQUE,                  -- 回执编号 given to the filer
    kind            TEXT NOT NULL CHECK (kind IN ('unit', 'result')),
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    publicity_id    INTEGER REFERENCES result_publicities (id), -- result publicity only
    office_org      TEXT NOT NULL,                         -- who receives it
    content         TEXT NOT NULL,
    contact_name    TEXT,                                  -- optional; never public
    contact_phone   TEXT,                                  -- optional; never public
    client_key      TEXT NOT NULL,                         -- SHA-256 of the client address
    received_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS public_objections_by_client ON public_objections (client_key, received_at);
CREATE INDEX IF NOT EXISTS public_objections_by_office ON public_objections (office_org, id);
CREATE INDEX IF NOT EXISTS public_objections_by_application ON public_objections (application_id, id);
