-- Open311 GeoReport v2 (routes/open311.rs). The service catalogue is code (routes/open311/
-- catalogue.rs), not tables: a town changes it with a release, and requests keep their
-- service_code even if a service is later withdrawn.

-- One service request (a resident's report). The resident API's `GET /api/v1/me/reports` reads it
-- with `WHERE resident_id = ?` (index below); everything else goes through the Open311 routes.
CREATE TABLE open311_requests (
    -- `service_request_id` on the wire, always sent as a string.
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    service_code       TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    -- Free text from the town's agents (French in the demo); NULL until they write one.
    status_notes       TEXT,
    description        TEXT,
    agency_responsible TEXT,
    service_notice     TEXT,
    -- Instants are Unix seconds (UTC); the API prints them as W3C datetimes.
    requested_at       INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    expected_at        INTEGER,
    -- Location: lat/long, an address, or an address_id; at least one (checked by the route).
    address            TEXT,
    address_id         TEXT,
    zipcode            TEXT,
    lat                REAL,
    long               REAL,
    -- An external photo URL given by the client; a photo uploaded with the request is in
    -- open311_media instead, and its URL is derived from media_id.
    media_url          TEXT,
    media_id           INTEGER REFERENCES open311_media (id),
    -- Extension: the NGSI-LD entity the report is about (`urn:ngsi-ld:Streetlight:BSL-000123`),
    -- from the form field `asset_id`.
    asset_id           TEXT,
    -- Answers to the service definition's attributes: a JSON object, code -> string (string,
    -- number, datetime, text, singlevaluelist) or array of strings (multivaluelist).
    attributes         TEXT    NOT NULL DEFAULT '{}',
    -- Contact fields of the spec, as given; never sent back by the public GET routes.
    email              TEXT,
    device_id          TEXT,
    account_id         TEXT,
    first_name         TEXT,
    last_name          TEXT,
    phone              TEXT,
    -- The signed-in resident who made the report (residents.id of migration 0004), or NULL for an
    -- anonymous one. No FOREIGN KEY: the residents table comes in a later migration.
    resident_id        INTEGER
) STRICT;

CREATE INDEX open311_requests_by_resident ON open311_requests (resident_id, requested_at);
CREATE INDEX open311_requests_by_time ON open311_requests (requested_at);

-- Photos uploaded with a request (multipart `media` part), already re-encoded without metadata.
-- Served at GET /open311/v2/media/{id}.
CREATE TABLE open311_media (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    content_type TEXT    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes        BLOB    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- `Idempotency-Key` of POST requests: the first response, replayed as is for a retry with the
-- same key. Written in the same transaction as the request it created.
CREATE TABLE open311_idempotency (
    key          TEXT    PRIMARY KEY NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    request_id   INTEGER NOT NULL REFERENCES open311_requests (id),
    created_at   INTEGER NOT NULL
) STRICT;
