-- The scalar values of every top-level attribute, one row each, so that a `q` term on one
-- attribute (`status=="defectiveLamp"`, `fillingLevel>0.9`: what layers filter and colour by)
-- is an index lookup instead of parsing every entity's JSON.
--
-- The rows are what a `q` term compares with: the attribute's `value` (a Property) or `object`
-- (a Relationship) when it is a scalar, or the elements of an array. A JSON object value is
-- compared member by member (`address[addressLocality]`), through the JSON, so its members need
-- no rows. Only texts, numbers and booleans, each with its kind, so that `"5"` never equals 5 and
-- text never orders against numbers (as the JSON path of the query does).
CREATE TABLE entity_values (
    attr  TEXT NOT NULL,
    kind  TEXT NOT NULL,
    value ANY NOT NULL,
    pk    INTEGER NOT NULL,
    PRIMARY KEY (attr, kind, value, pk)
) STRICT, WITHOUT ROWID;

-- What `entity_values` holds for each entity. Each attribute's own JSON is parsed, not the whole
-- entity's again for every attribute.
CREATE VIEW entity_values_of AS
SELECT e.pk AS pk,
       a.key AS attr,
       CASE v.type WHEN 'text' THEN 'text' WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number'
                   ELSE 'bool' END AS kind,
       v.value AS value
FROM entities AS e,
     json_each(e.data) AS a,
     json_each(CASE WHEN a.type = 'object' THEN a.value ELSE '{}' END) AS member,
     json_each(CASE WHEN a.type = 'object' THEN a.value ELSE '{}' END,
               CASE member.key WHEN 'value' THEN '$.value' WHEN 'object' THEN '$.object' END) AS v
WHERE member.type <> 'object'
  AND v.type IN ('text', 'integer', 'real', 'true', 'false');

INSERT OR IGNORE INTO entity_values (pk, attr, kind, value)
SELECT pk, attr, kind, value FROM entity_values_of;

-- Rows are removed by their whole key, computed from the entity before it changes, so the table
-- needs no second index on `pk`.
CREATE TRIGGER entity_values_insert AFTER INSERT ON entities
BEGIN
    INSERT OR IGNORE INTO entity_values (pk, attr, kind, value)
    SELECT pk, attr, kind, value FROM entity_values_of WHERE pk = NEW.pk;
END;

CREATE TRIGGER entity_values_before_update BEFORE UPDATE OF data ON entities
BEGIN
    DELETE FROM entity_values WHERE (attr, kind, value, pk) IN
        (SELECT attr, kind, value, pk FROM entity_values_of WHERE pk = OLD.pk);
END;

CREATE TRIGGER entity_values_after_update AFTER UPDATE OF data ON entities
BEGIN
    INSERT OR IGNORE INTO entity_values (pk, attr, kind, value)
    SELECT pk, attr, kind, value FROM entity_values_of WHERE pk = NEW.pk;
END;

CREATE TRIGGER entity_values_delete BEFORE DELETE ON entities
BEGIN
    DELETE FROM entity_values WHERE (attr, kind, value, pk) IN
        (SELECT attr, kind, value, pk FROM entity_values_of WHERE pk = OLD.pk);
END;
