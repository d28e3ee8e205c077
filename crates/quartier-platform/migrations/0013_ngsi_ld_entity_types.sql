-- An entity may have several types (`"type": ["Building", "TouristDestination"]`, 4.16). The
-- first is `entities.type`, which the type index and the map's layers use; the others are here,
-- one row each, so that `type=TouristDestination` finds it too. Kept by triggers, like
-- `entity_values`, whoever writes `entities`.
CREATE TABLE entity_other_types (
    pk   INTEGER NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (pk, type)
) STRICT, WITHOUT ROWID;

CREATE INDEX entity_other_types_type ON entity_other_types (type, pk);

CREATE VIEW entity_other_types_of AS
SELECT e.pk AS pk, t.value AS type
FROM entities AS e, json_each(e.data, '$.type') AS t
WHERE json_type(e.data, '$.type') = 'array' AND t.type = 'text' AND t.value <> e.type;

INSERT OR IGNORE INTO entity_other_types (pk, type) SELECT pk, type FROM entity_other_types_of;

CREATE TRIGGER entity_other_types_insert AFTER INSERT ON entities
WHEN json_type(NEW.data, '$.type') = 'array'
BEGIN
    INSERT OR IGNORE INTO entity_other_types (pk, type)
    SELECT pk, type FROM entity_other_types_of WHERE pk = NEW.pk;
END;

CREATE TRIGGER entity_other_types_update AFTER UPDATE OF type, data ON entities
BEGIN
    DELETE FROM entity_other_types WHERE pk = OLD.pk;
    INSERT OR IGNORE INTO entity_other_types (pk, type)
    SELECT pk, type FROM entity_other_types_of WHERE pk = NEW.pk;
END;

CREATE TRIGGER entity_other_types_delete BEFORE DELETE ON entities
BEGIN
    DELETE FROM entity_other_types WHERE pk = OLD.pk;
END;
