-- The access log narrowed by period or by service (GET /api/v1/me/access-log?from=&to=&service=),
-- newest first by time, and the distinct services of a resident's log read from an index alone.
-- An index holds the rowid (`id`) after its columns, so `(resident_id, at)` also serves
-- `ORDER BY at DESC, id DESC`, which replaces the order by id of the first index.
CREATE INDEX access_log_by_resident_time ON access_log (resident_id, at);
CREATE INDEX access_log_by_resident_service ON access_log (resident_id, service, at);
DROP INDEX access_log_by_resident;
