-- When each entity was created (NGSI-LD `createdAt`, 4.8), shown with `options=sysAttrs` beside
-- `modifiedAt`. An entity stored before this column existed takes its last modification time:
-- the earliest the platform can vouch for.
ALTER TABLE entities ADD COLUMN created_at TEXT;

UPDATE entities SET created_at = modified_at;
