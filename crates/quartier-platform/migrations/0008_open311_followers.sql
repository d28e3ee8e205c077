-- "+1, tell me when it's fixed" (POST /open311/v2/requests/{id}/follow.json): who follows a
-- request. One row per follower, so following twice counts once. `follower` is
-- `resident:<id>` for a signed-in resident, else `device:<hex SHA-256>` of the api_key's hash
-- and the opaque `follower` token the device chose: the database never holds a token.
CREATE TABLE open311_followers (
    request_id INTEGER NOT NULL REFERENCES open311_requests (id),
    follower   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,                  -- Unix seconds
    PRIMARY KEY (request_id, follower)
) STRICT, WITHOUT ROWID;
