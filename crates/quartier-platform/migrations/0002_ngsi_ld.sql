-- NGSI-LD entities (the town's services and assets): one row per entity, the whole entity as
-- normalized NGSI-LD JSON with Smart Data Models attribute names, plus its `location` point
-- copied out for geo-queries.
--
-- `pk` is an explicit INTEGER PRIMARY KEY rather than the implicit rowid because the R*Tree
-- refers to it, and VACUUM may renumber an implicit rowid.
CREATE TABLE entities (
    pk          INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    lon         REAL,
    lat         REAL,
    data        TEXT NOT NULL,
    modified_at TEXT NOT NULL
) STRICT;

-- Queries filter by type and page in id order.
CREATE INDEX entities_type_id ON entities (type, id);

-- Bounding-box prefilter for `near` and `within`; the exact distance or polygon test follows.
CREATE VIRTUAL TABLE entities_rtree USING rtree (pk, min_lon, max_lon, min_lat, max_lat);

-- Keep the R*Tree in step with `entities` whoever writes it.
CREATE TRIGGER entities_rtree_insert AFTER INSERT ON entities
WHEN NEW.lon IS NOT NULL AND NEW.lat IS NOT NULL
BEGIN
    INSERT INTO entities_rtree (pk, min_lon, max_lon, min_lat, max_lat)
    VALUES (NEW.pk, NEW.lon, NEW.lon, NEW.lat, NEW.lat);
END;

CREATE TRIGGER entities_rtree_update AFTER UPDATE OF lon, lat ON entities
BEGIN
    DELETE FROM entities_rtree WHERE pk = OLD.pk;
    INSERT INTO entities_rtree (pk, min_lon, max_lon, min_lat, max_lat)
    SELECT NEW.pk, NEW.lon, NEW.lon, NEW.lat, NEW.lat
    WHERE NEW.lon IS NOT NULL AND NEW.lat IS NOT NULL;
END;

CREATE TRIGGER entities_rtree_delete AFTER DELETE ON entities
BEGIN
    DELETE FROM entities_rtree WHERE pk = OLD.pk;
END;
