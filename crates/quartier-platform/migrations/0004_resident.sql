-- The resident API: accounts, sessions, personal data held by the town's services, the access
-- log, consent records (ISO/IEC TS 27560: one record per resident and purpose, events appended)
-- and erasure requests. Times are Unix seconds (UTC) unless the column says otherwise.

CREATE TABLE residents (
    id                 INTEGER PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash      TEXT NOT NULL,            -- Argon2id PHC string
    given_name         TEXT NOT NULL,
    family_name        TEXT NOT NULL,
    phone              TEXT,
    address            TEXT NOT NULL,
    district           TEXT NOT NULL,
    lat                REAL,
    lon                REAL,
    resident_since     TEXT NOT NULL,            -- YYYY-MM-DD
    preferred_language TEXT NOT NULL DEFAULT 'fr'
) STRICT;

CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY NOT NULL,       -- hex SHA-256 of the cookie value
    resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_resident ON sessions (resident_id);

-- Daily index of the resident's water meter (water utility).
CREATE TABLE water_readings (
    resident_id        INTEGER NOT NULL REFERENCES residents (id),
    day                TEXT NOT NULL,            -- YYYY-MM-DD
    meter_id           TEXT NOT NULL,
    index_litres       INTEGER NOT NULL,
    consumption_litres INTEGER NOT NULL,
    PRIMARY KEY (resident_id, day)
) STRICT, WITHOUT ROWID;

-- Each opening of a waste container with the household's badge (waste service).
CREATE TABLE waste_badge_uses (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents (id),
    used_at      INTEGER NOT NULL,
    container_id TEXT NOT NULL,
    waste_stream TEXT NOT NULL,                  -- residual | recyclable | glass | organic
    weight_kg    REAL
) STRICT;
CREATE INDEX waste_badge_uses_by_resident ON waste_badge_uses (resident_id, used_at);

-- Who read a resident's data. Written by the platform on every read of personal data.
CREATE TABLE access_log (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents (id),
    at          INTEGER NOT NULL,
    actor_type  TEXT NOT NULL CHECK (actor_type IN ('self', 'agent', 'service')),
    agent       TEXT NOT NULL,
    role        TEXT NOT NULL,
    service     TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    category    TEXT NOT NULL
) STRICT;
CREATE INDEX access_log_by_resident ON access_log (resident_id, id);

CREATE TABLE consent_records (
    record_id   TEXT PRIMARY KEY NOT NULL,
    resident_id INTEGER NOT NULL REFERENCES residents (id),
    purpose_id  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (resident_id, purpose_id)
) STRICT;

CREATE TABLE consent_events (
    id              INTEGER PRIMARY KEY,
    record_id       TEXT NOT NULL REFERENCES consent_records (record_id),
    event_type      TEXT NOT NULL CHECK (event_type IN ('given', 'withdrawn', 'refused')),
    at              INTEGER NOT NULL,
    method          TEXT NOT NULL,
    purpose_version TEXT NOT NULL
) STRICT;
CREATE INDEX consent_events_by_record ON consent_events (record_id, id);

-- A consent's history is evidence: it is appended to, never rewritten.
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent events are append-only');
END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent events are append-only');
END;

CREATE TABLE erasure_requests (
    id          TEXT PRIMARY KEY NOT NULL,
    resident_id INTEGER NOT NULL REFERENCES residents (id),
    created_at  INTEGER NOT NULL,
    categories  TEXT NOT NULL,                   -- JSON array of category ids; empty = all
    reason      TEXT,
    status      TEXT NOT NULL CHECK (status IN ('received', 'inProgress', 'completed', 'rejected'))
) STRICT;
CREATE INDEX erasure_requests_by_resident ON erasure_requests (resident_id, created_at);
