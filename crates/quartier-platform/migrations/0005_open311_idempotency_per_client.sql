-- Idempotency keys belong to a client (the signed-in resident, else the api_key's hash, else
-- the client's address): another client's key is never replayed. Each keeps the SHA-256 of the
-- request it came with, so the same key with another request is refused instead of replayed,
-- and expires 24 hours after `created_at` (swept as new keys are written). The keys of 0003 had
-- no client and are dropped: they were retry tokens, not data.

DROP TABLE open311_idempotency;

CREATE TABLE open311_idempotency (
    client       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,                -- hex SHA-256 of the form and photo
    status       INTEGER NOT NULL,
    content_type TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    request_id   INTEGER NOT NULL REFERENCES open311_requests (id),
    created_at   INTEGER NOT NULL,                -- Unix seconds
    PRIMARY KEY (client, key)
) STRICT;

CREATE INDEX open311_idempotency_created_at ON open311_idempotency (created_at);
