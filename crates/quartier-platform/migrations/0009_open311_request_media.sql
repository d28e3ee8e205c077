-- Every photo uploaded with a request, in the order sent (at most
-- quartier_api::validation::PHOTOS_MAX: the route counts). `open311_requests.media_id` keeps the
-- first one, so that `media_url` means what it did for whoever reads that column; the photos of
-- requests made before this table are copied in as their first.
CREATE TABLE open311_request_media (
    request_id INTEGER NOT NULL REFERENCES open311_requests (id),
    position   INTEGER NOT NULL CHECK (position >= 0),   -- 0 is the first photo
    media_id   INTEGER NOT NULL UNIQUE REFERENCES open311_media (id),
    PRIMARY KEY (request_id, position)
) STRICT, WITHOUT ROWID;

INSERT INTO open311_request_media (request_id, position, media_id)
SELECT id, 0, media_id FROM open311_requests WHERE media_id IS NOT NULL;
