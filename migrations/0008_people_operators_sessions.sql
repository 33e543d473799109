-- People, operators and sign-in (issue 11).
--
-- A person is identified by their ID number (GB 11643): stored as a SHA-256 hash for
-- look-ups and, until the hardening issue encrypts it, in clear for binding applications.
-- Individuals act for themselves (role `applicant`; as experts, `judge`); organisations act
-- through operators: a person, an organisation, a role there and a duty (经办人 clerk /
-- 审核人 reviewer / 管理员 admin), within a validity window. Sessions make sign-out and a
-- disabled operator take effect at once: every access token names its session.
-- Idempotent: `spin up --sqlite @file` applies it in every trigger process.

CREATE TABLE IF NOT EXISTS people (
    id              TEXT PRIMARY KEY,                 -- 'P' + 16 hex digits, also the token `sub`
    id_hash         TEXT NOT NULL UNIQUE,             -- SHA-256 of the ID number (hex)
    citizen_id      TEXT NOT NULL,                    -- full; shown masked only
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,                    -- Argon2id, PHC string
    must_change     INTEGER NOT NULL DEFAULT 0,       -- after a reset by an administrator
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Failed sign-ins per account string (ID number or phone, hashed) whether or not such an
-- account exists, so lockout behaves the same for unknown accounts (no enumeration).
CREATE TABLE IF NOT EXISTS login_failures (
    account_hash  TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    locked_until  TEXT,
    updated_at    TEXT NOT NULL
);

-- Failed sign-ins per client address within a window (throttling, GB/T 22239 8.1.4.1).
CREATE TABLE IF NOT EXISTS login_throttle (
    client        TEXT PRIMARY KEY,
    window_start  TEXT NOT NULL,
    failures      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS operators (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id       TEXT NOT NULL REFERENCES people (id),
    org             TEXT NOT NULL REFERENCES organisations (id),
    role            TEXT NOT NULL CHECK (role IN ('unit', 'dept', 'committee_org', 'province')),
    duty            TEXT NOT NULL CHECK (duty IN ('clerk', 'reviewer', 'admin')),
    valid_from      TEXT NOT NULL,                    -- YYYY-MM-DD (Asia/Shanghai)
    valid_until     TEXT,                             -- last valid day; NULL: open-ended
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    delegated_from  INTEGER REFERENCES operators (id), -- a delegation for an absence
    note            TEXT,
    created_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS operators_by_person ON operators (person_id);
CREATE INDEX IF NOT EXISTS operators_by_org ON operators (org);

CREATE TABLE IF NOT EXISTS sessions (
    id            TEXT PRIMARY KEY,                   -- random, the token's `sid`
    person_id     TEXT NOT NULL REFERENCES people (id),
    refresh_hash  TEXT NOT NULL UNIQUE,               -- SHA-256 of the current refresh token
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,                      -- idle timeout counts from here
    expires_at    TEXT NOT NULL,                      -- absolute end
    revoked_at    TEXT
);
