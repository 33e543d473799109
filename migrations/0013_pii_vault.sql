-- Personal data at rest (issue 10; PIPL art. 28, GB/T 35273). Tables that used to hold
-- the resident ID number in clear now hold a token `pii1:<masked>:<index>` (index =
-- HMAC-SHA256 under `pii_index_key`); the number itself is sealed here once per person
-- with AES-256-GCM under `pii_key` (`<kid>:<base64(nonce ‖ ciphertext ‖ tag)>`).
-- Existing clear rows are moved by `shared::pii::reseal`, which needs the keys and so
-- runs in a component (host start, the daily timer, POST /api/jobs/pii-reseal), not here.
CREATE TABLE IF NOT EXISTS pii_vault (
    id_index TEXT PRIMARY KEY,                -- HMAC-SHA256 of the number (hex)
    sealed   TEXT NOT NULL                    -- <kid>:<base64(nonce ‖ ciphertext ‖ tag)>
);
