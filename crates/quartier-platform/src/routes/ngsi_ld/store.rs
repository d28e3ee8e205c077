//! Runs an [`EntityQuery`] against the `entities` table.
//!
//! `type`, `id` and `q` become SQL (`q` through SQLite's JSON functions on the stored entity), so
//! counting and paging stay in the database. A geo-query, an `idPattern` or a `scopeQ` adds a
//! step in Rust: the R*Tree gives the candidates in the query geometry's bounding box, then the
//! exact test (haversine distance, point in polygon), the regex and the scope test run on
//! `(id, lon, lat, scope)` only, and just the requested page's JSON is read. `orderBy` sorts both
//! paths in SQL.

use quartier_api::ngsi_ld::write::{NewEntity, point_of};
use rusqlite::{Connection, params, params_from_iter, types::Value as SqlValue};
use serde_json::{Map, Value};

use super::{
    geo,
    query::{AttrPath, EntityQuery, Expr, Literal, Op, Operand, Term, TypeExpr, View},
};
use crate::error::AppError;
use quartier_api::ngsi_ld::query::{OrderKey, OrderMember};

/// The system attributes (4.8) kept in columns beside the entity's JSON and set into it as it is
/// read, for `options=sysAttrs`; the renderer leaves them out otherwise.
pub const CREATED_AT: &str = "createdAt";
pub const MODIFIED_AT: &str = "modifiedAt";

/// The columns [`read_row`] takes, in its order.
const READ_COLUMNS: &str = "e.data, coalesce(e.created_at, e.modified_at), e.modified_at";

/// One page of entities (stored JSON, parsed) and the total when `count=true`.
#[derive(Debug)]
pub struct Page {
    pub entities: Vec<Value>,
    pub total: Option<usize>,
}

/// SQL `WHERE` conditions with their parameters, built together so they cannot drift apart.
#[derive(Default)]
struct Filter {
    conditions: Vec<String>,
    params: Vec<SqlValue>,
}

impl Filter {
    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    fn any_of(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let marks = vec!["?"; values.len()].join(", ");
        self.conditions.push(format!("{column} IN ({marks})"));
        self.params
            .extend(values.iter().map(|v| SqlValue::Text(v.clone())));
    }
}

pub fn run(conn: &Connection, query: &EntityQuery) -> Result<Page, AppError> {
    let mut filter = Filter::default();
    if let Some(types) = &query.types {
        let multi_typed: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM entity_other_types)")?
            .query_row([], |r| r.get(0))?;
        match types.names() {
            Some(names) if !multi_typed => filter.any_of("e.type", &names),
            _ => {
                let sql = type_sql(types, multi_typed, &mut filter.params);
                filter.conditions.push(sql);
            }
        }
    }
    filter.any_of("e.id", &query.ids);
    if let Some(q) = &query.q {
        let mut params = Vec::new();
        let sql = expr_sql(q, &mut params);
        filter.conditions.push(sql);
        filter.params.extend(params);
    }
    if let Some(attrs) = &query.view.attrs {
        // `attrs` alone selects the entities that have at least one of them (6.4.3.2).
        if query.types.is_none() && query.ids.is_empty() && query.q.is_none() {
            let any = attrs
                .iter()
                .map(|a| {
                    filter.params.push(SqlValue::Text(json_key(a, &[])));
                    "json_type(e.data, ?) IS NOT NULL".to_owned()
                })
                .collect::<Vec<_>>()
                .join(" OR ");
            filter.conditions.push(format!("({any})"));
        }
    }
    if query.geo.is_some() || query.id_pattern.is_some() || query.scope_q.is_some() {
        run_filtered_in_rust(conn, query, filter)
    } else {
        run_in_sql(conn, query, &filter)
    }
}

/// The SQL of a type selection (4.17). `multi_typed`: some entity has several types, so a name
/// is also looked for among their other types, and `A;B` finds an entity of both. Otherwise that
/// lookup is left out, so that a layer's query keeps to the type index (and `A;B` holds only
/// when `A` and `B` are the same type).
fn type_sql(expr: &TypeExpr, multi_typed: bool, params: &mut Vec<SqlValue>) -> String {
    let join = |items: &[TypeExpr], glue: &str, params: &mut Vec<SqlValue>| {
        let parts: Vec<String> = items
            .iter()
            .map(|i| type_sql(i, multi_typed, params))
            .collect();
        format!("({})", parts.join(glue))
    };
    match expr {
        TypeExpr::Name(name) => {
            params.push(SqlValue::Text(name.clone()));
            if !multi_typed {
                return "e.type = ?".to_owned();
            }
            params.push(SqlValue::Text(name.clone()));
            "(e.type = ? OR e.pk IN (SELECT pk FROM entity_other_types WHERE type = ?))".to_owned()
        }
        TypeExpr::Or(items) => join(items, " OR ", params),
        TypeExpr::And(items) => join(items, " AND ", params),
    }
}

fn run_in_sql(conn: &Connection, query: &EntityQuery, filter: &Filter) -> Result<Page, AppError> {
    let where_sql = filter.sql();
    let total = if query.count {
        let n: i64 = conn.query_row(
            &format!("SELECT count(*) FROM entities e{where_sql}"),
            params_from_iter(filter.params.iter()),
            |r| r.get(0),
        )?;
        Some(usize::try_from(n).unwrap_or(0))
    } else {
        None
    };
    if query.limit == 0 {
        return Ok(Page {
            entities: Vec::new(),
            total,
        });
    }
    let mut params = filter.params.clone();
    let order = order_sql(&query.order_by, &mut params);
    params.push(SqlValue::Integer(to_i64(query.limit)));
    params.push(SqlValue::Integer(to_i64(query.offset)));
    let mut statement = conn.prepare(&format!(
        "SELECT {READ_COLUMNS} FROM entities e{where_sql} ORDER BY {order} LIMIT ? OFFSET ?"
    ))?;
    let entities = statement
        .query_map(params_from_iter(params.iter()), read_row)?
        .map(|row| parse_read(row?))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { entities, total })
}

fn run_filtered_in_rust(
    conn: &Connection,
    query: &EntityQuery,
    mut filter: Filter,
) -> Result<Page, AppError> {
    // The GeoProperty a geo-query tests is the view's (`geoproperty`, `location` by default).
    let geoproperty = query.view.geoproperty.as_str();
    let (lon, lat) = match &query.geo {
        Some(_) if geoproperty != "location" => {
            // Only `location` is copied into columns; another GeoProperty is read from the JSON
            // (Points only, which is what this platform stores).
            let key = json_key(geoproperty, &[]);
            filter.conditions.push(format!(
                "json_extract(e.data, '{key}.value.type') = 'Point'"
            ));
            (
                format!("json_extract(e.data, '{key}.value.coordinates[0]')"),
                format!("json_extract(e.data, '{key}.value.coordinates[1]')"),
            )
        }
        _ => ("e.lon".to_owned(), "e.lat".to_owned()),
    };
    if let Some(g) = &query.geo
        && geoproperty == "location"
        && let Some(bbox) = geo::prefilter_bbox(g)
    {
        filter.conditions.push(
            "e.pk IN (SELECT pk FROM entities_rtree \
             WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?)"
                .to_owned(),
        );
        filter.params.extend(
            [bbox.min_lon, bbox.max_lon, bbox.min_lat, bbox.max_lat]
                .into_iter()
                .map(SqlValue::Real),
        );
    }
    let where_sql = filter.sql();
    let order = order_sql(&query.order_by, &mut filter.params);
    // The scope only when `scopeQ` tests it, as JSON (a scope or a list of them).
    let scope = if query.scope_q.is_some() {
        "e.data -> '$.scope'"
    } else {
        "NULL"
    };
    let mut statement = conn.prepare(&format!(
        "SELECT e.pk, e.id, {lon}, {lat}, {scope} FROM entities e{where_sql} ORDER BY {order}"
    ))?;
    let mut rows = statement.query(params_from_iter(filter.params.iter()))?;
    let mut matched: Vec<i64> = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(1)?;
        if query
            .id_pattern
            .as_ref()
            .is_some_and(|pattern| !pattern.is_match(&id))
        {
            continue;
        }
        if let Some(scope_q) = &query.scope_q {
            let scope = row
                .get::<_, Option<String>>(4)?
                .and_then(|json| serde_json::from_str::<Value>(&json).ok());
            if !scope_q.matches(scope.as_ref()) {
                continue;
            }
        }
        if let Some(g) = &query.geo {
            let point = match (row.get::<_, Option<f64>>(2)?, row.get::<_, Option<f64>>(3)?) {
                (Some(lon), Some(lat)) => (lon, lat),
                // No such GeoProperty: the entity does not match a geo-query (disjoint neither).
                _ => continue,
            };
            if !geo::matches(g, point) {
                continue;
            }
        }
        matched.push(row.get(0)?);
    }
    let total = query.count.then_some(matched.len());
    let page: Vec<SqlValue> = matched
        .into_iter()
        .skip(query.offset)
        .take(query.limit)
        .map(SqlValue::Integer)
        .collect();
    if page.is_empty() {
        return Ok(Page {
            entities: Vec::new(),
            total,
        });
    }
    let marks = vec!["?"; page.len()].join(", ");
    let mut statement = conn.prepare(&format!(
        "SELECT e.pk, {READ_COLUMNS} FROM entities e WHERE e.pk IN ({marks})"
    ))?;
    let mut read: std::collections::HashMap<i64, Value> = statement
        .query_map(params_from_iter(page.iter()), |r| {
            Ok((r.get::<_, i64>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })?
        .map(|row| {
            let (pk, read) = row?;
            Ok((pk, parse_read(read)?))
        })
        .collect::<Result<_, AppError>>()?;
    // In the page's order, which the candidates' query sorted.
    let entities = page
        .iter()
        .filter_map(|pk| match pk {
            SqlValue::Integer(pk) => read.remove(pk),
            _ => None,
        })
        .collect();
    Ok(Page { entities, total })
}

/// `ORDER BY` for `orderBy`, its JSON paths as parameters (after the `WHERE`'s); ties, and a
/// query without `orderBy`, by id. Entities without the member come last either way.
fn order_sql(keys: &[OrderKey], params: &mut Vec<SqlValue>) -> String {
    let mut terms = Vec::new();
    for key in keys {
        let direction = if key.descending { "DESC" } else { "ASC" };
        match &key.member {
            OrderMember::Id => terms.push(format!("e.id {direction}")),
            OrderMember::Type => terms.push(format!("e.type {direction}")),
            OrderMember::CreatedAt => {
                // Seconds only: `pk` grows with each insert, so it orders ties by creation.
                terms.push(format!(
                    "coalesce(e.created_at, e.modified_at) {direction}, e.pk {direction}"
                ));
            }
            OrderMember::ModifiedAt => terms.push(format!("e.modified_at {direction}")),
            OrderMember::Attribute { attr, sub } => {
                let at = match sub {
                    Some(sub) => json_key(attr, &[sub]),
                    None => json_key(attr, &[]),
                };
                params.push(SqlValue::Text(format!("{at}.value")));
                params.push(SqlValue::Text(format!("{at}.object")));
                terms.push(format!(
                    "coalesce(json_extract(e.data, ?), json_extract(e.data, ?)) \
                     {direction} NULLS LAST"
                ));
            }
        }
    }
    terms.push("e.id".to_owned());
    terms.join(", ")
}

/// One entity by id, `None` if there is none.
pub fn by_id(conn: &Connection, id: &str) -> Result<Option<Value>, AppError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {READ_COLUMNS} FROM entities e WHERE e.id = ?1"
    ))?;
    let mut rows = statement.query([id])?;
    match rows.next()? {
        Some(row) => Ok(Some(parse_read(read_row(row)?)?)),
        None => Ok(None),
    }
}

/// The entities `roots` link to through the relationships `view` shows, to its `joinLevel`
/// (`join`), as stored, by id; at most [`MAX_LINKED`].
pub fn linked(
    conn: &Connection,
    roots: &[Value],
    view: &View,
) -> Result<super::render::Linked, AppError> {
    let mut found = super::render::Linked::new();
    if view.join.is_none() {
        return Ok(found);
    }
    let mut level: Vec<(Value, View)> = roots.iter().map(|r| (r.clone(), view.clone())).collect();
    while !level.is_empty() && found.len() < MAX_LINKED {
        let mut next = Vec::new();
        for (stored, view) in &level {
            if view.join_level == 0 {
                continue;
            }
            for (name, targets) in super::render::relationships(stored, view) {
                for target in targets {
                    if found.contains_key(&target) || found.len() >= MAX_LINKED {
                        continue;
                    }
                    if let Some(entity) = by_id(conn, &target)? {
                        found.insert(target, entity.clone());
                        next.push((entity, view.linked(&name)));
                    }
                }
            }
        }
        level = next;
    }
    Ok(found)
}

/// Most linked entities one answer reads.
const MAX_LINKED: usize = 1000;

/// Every entity type present, sorted, with a sample of attribute names for each.
pub fn types(conn: &Connection) -> Result<Vec<(String, Vec<String>)>, AppError> {
    let mut statement = conn.prepare(
        "SELECT type FROM entities UNION SELECT type FROM entity_other_types ORDER BY type",
    )?;
    let names = statement
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut sample = conn.prepare(
        "SELECT DISTINCT j.key FROM (SELECT data FROM entities WHERE type = ?1 OR pk IN \
         (SELECT pk FROM entity_other_types WHERE type = ?1) LIMIT 50) AS s, \
         json_each(s.data) AS j WHERE j.key NOT IN ('id', 'type', '@context') ORDER BY j.key",
    )?;
    names
        .into_iter()
        .map(|name| {
            let attributes = sample
                .query_map([&name], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((name, attributes))
        })
        .collect()
}

/// An entity as the writer connection reads it before changing it.
pub struct Stored {
    pub pk: i64,
    pub entity_type: String,
    pub data: Map<String, Value>,
}

/// The entity `id` for a change, `None` if there is none.
pub fn for_update(conn: &Connection, id: &str) -> Result<Option<Stored>, AppError> {
    let mut statement = conn.prepare_cached("SELECT pk, type, data FROM entities WHERE id = ?1")?;
    let mut rows = statement.query([id])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let data = match parse_stored(&row.get::<_, String>(2)?)? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Ok(Some(Stored {
        pk: row.get(0)?,
        entity_type: row.get(1)?,
        data,
    }))
}

/// Stores a new entity; `false` when one with its id exists already. The R*Tree and the value
/// index follow through their triggers, so queries see it at once.
pub fn insert(conn: &Connection, entity: &NewEntity, now: &str) -> Result<bool, AppError> {
    let (lon, lat) = entity.point().unzip();
    let data = Value::Object(entity.data.clone()).to_string();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO entities (id, type, lon, lat, data, created_at, modified_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![entity.id, entity.entity_type, lon, lat, data, now])?;
    Ok(inserted == 1)
}

/// Replaces a stored entity's attributes (and its type, for an upsert that replaces it).
pub fn replace(
    conn: &Connection,
    pk: i64,
    entity_type: &str,
    data: &Map<String, Value>,
    now: &str,
) -> Result<(), AppError> {
    let (lon, lat) = point_of(data).unzip();
    conn.prepare_cached(
        "UPDATE entities SET type = ?2, lon = ?3, lat = ?4, data = ?5, modified_at = ?6 \
         WHERE pk = ?1",
    )?
    .execute(params![
        pk,
        entity_type,
        lon,
        lat,
        Value::Object(data.clone()).to_string(),
        now
    ])?;
    Ok(())
}

/// Deletes an entity by key.
pub fn delete(conn: &Connection, pk: i64) -> Result<(), AppError> {
    conn.prepare_cached("DELETE FROM entities WHERE pk = ?1")?
        .execute([pk])?;
    Ok(())
}

/// Every attribute name with the entity types that have it, the NGSI-LD attribute types it
/// takes and how many entities have it (`GET attributes`, `GET types/{type}`); only entities
/// of `entity_type` when given.
pub fn attributes(
    conn: &Connection,
    entity_type: Option<&str>,
) -> Result<Vec<AttributeUse>, AppError> {
    let mut statement = conn.prepare(
        "SELECT j.key, e.type, \
                CASE j.type WHEN 'array' THEN json_extract(j.value, '$[0].type') \
                            ELSE json_extract(j.value, '$.type') END AS kind, \
                count(*) \
         FROM entities e, json_each(e.data) AS j \
         WHERE j.key NOT IN ('id', 'type', '@context', 'scope') AND (?1 IS NULL OR e.type = ?1) \
         GROUP BY j.key, e.type, kind ORDER BY j.key",
    )?;
    let rows = statement.query_map([entity_type], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out: Vec<AttributeUse> = Vec::new();
    for row in rows {
        let (name, entity_type, kind, count) = row?;
        if out.last().is_none_or(|last| last.name != name) {
            out.push(AttributeUse {
                name: name.clone(),
                ..AttributeUse::default()
            });
        }
        if let Some(last) = out.last_mut() {
            if !last.type_names.contains(&entity_type) {
                last.type_names.push(entity_type);
            }
            if let Some(kind) = kind
                && !last.attribute_types.contains(&kind)
            {
                last.attribute_types.push(kind);
            }
            last.count += usize::try_from(count).unwrap_or(0);
        }
    }
    for attribute in &mut out {
        attribute.type_names.sort();
        attribute.attribute_types.sort();
    }
    Ok(out)
}

/// How many entities of a type there are.
pub fn count_of_type(conn: &Connection, entity_type: &str) -> Result<usize, AppError> {
    let n: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM entities WHERE type = ?1) \
                + (SELECT count(*) FROM entity_other_types WHERE type = ?1)",
        [entity_type],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// One attribute name as the entities use it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttributeUse {
    pub name: String,
    /// The entity types that have it, sorted.
    pub type_names: Vec<String>,
    /// `Property`, `Relationship`, `GeoProperty`…, sorted.
    pub attribute_types: Vec<String>,
    /// How many entities have it.
    pub count: usize,
}

/// An entity's JSON and its system attributes, as [`READ_COLUMNS`] selects them.
type ReadRow = (String, String, String);

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ReadRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

/// The stored entity with its `createdAt` and `modifiedAt` (an entity written before they were
/// kept was created, as far as the platform knows, when it was last modified).
fn parse_read((data, created_at, modified_at): ReadRow) -> Result<Value, AppError> {
    let mut entity = parse_stored(&data)?;
    if let Value::Object(map) = &mut entity {
        map.insert(CREATED_AT.to_owned(), Value::String(created_at));
        map.insert(MODIFIED_AT.to_owned(), Value::String(modified_at));
    }
    Ok(entity)
}

fn parse_stored(text: &str) -> Result<Value, AppError> {
    serde_json::from_str(text).map_err(|e| {
        AppError::Internal(anyhow::Error::new(e).context("a stored entity is not valid JSON"))
    })
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `$."attr"` then `."member"`…: attribute names are checked by the parser (no quotes).
fn json_key(attr: &str, rest: &[&str]) -> String {
    let mut path = format!("$.\"{attr}\"");
    for part in rest {
        path.push_str(&format!(".\"{part}\""));
    }
    path
}

/// The JSON paths a term's attribute path may designate: a Property's `value` or a
/// Relationship's `object` (or a sub-attribute, or a member of a compound value).
fn term_paths(path: &AttrPath) -> Vec<String> {
    let members: Vec<&str> = path.members.iter().map(String::as_str).collect();
    match &path.sub {
        // Metadata members sit on the attribute itself, not in a value.
        Some(meta)
            if matches!(
                meta.as_str(),
                "observedAt" | "unitCode" | "datasetId" | "createdAt" | "modifiedAt"
            ) =>
        {
            vec![json_key(&path.attr, &[meta])]
        }
        Some(sub) => vec![
            join(json_key(&path.attr, &[sub, "value"]), &members),
            join(json_key(&path.attr, &[sub, "object"]), &members),
        ],
        None => vec![
            join(json_key(&path.attr, &["value"]), &members),
            join(json_key(&path.attr, &["object"]), &members),
        ],
    }
}

fn join(mut base: String, members: &[&str]) -> String {
    for m in members {
        base.push_str(&format!(".\"{m}\""));
    }
    base
}

fn literal(value: &Literal) -> SqlValue {
    match value {
        Literal::Text(t) => SqlValue::Text(t.clone()),
        Literal::Number(n) => SqlValue::Real(*n),
        Literal::Bool(b) => SqlValue::Integer(i64::from(*b)),
    }
}

/// A value of the same JSON kind: `"5"` never equals 5, and text never orders against numbers.
fn kind_check(value: &Literal) -> &'static str {
    match value {
        Literal::Text(_) => "j.type = 'text'",
        Literal::Number(_) => "j.type IN ('integer', 'real')",
        Literal::Bool(_) => "j.type IN ('true', 'false')",
    }
}

fn expr_sql(expr: &Expr, params: &mut Vec<SqlValue>) -> String {
    match expr {
        Expr::And(terms) => format!(
            "({})",
            terms
                .iter()
                .map(|t| expr_sql(t, params))
                .collect::<Vec<_>>()
                .join(" AND ")
        ),
        Expr::Or(terms) => format!(
            "({})",
            terms
                .iter()
                .map(|t| expr_sql(t, params))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
        Expr::Term(term) => term_sql(term, params),
    }
}

/// For `attr=="text"`: a substring test on the stored JSON that rows must pass before SQLite
/// parses them, which makes equality on a status a scan of bytes instead of JSON. Only for
/// plain ASCII values, whose JSON encoding is unique (no escapes), so it never drops a match.
fn text_prefilter(operand: &Operand, params: &mut Vec<SqlValue>) -> Option<String> {
    let Operand::Values(values) = operand else {
        return None;
    };
    let texts: Vec<&str> = values
        .iter()
        .map(|v| match v {
            Literal::Text(t)
                if !t.is_empty()
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b" _-.:/+@#".contains(&b)) =>
            {
                Some(t.as_str())
            }
            _ => None,
        })
        .collect::<Option<_>>()?;
    let any = texts
        .iter()
        .map(|t| {
            params.push(SqlValue::Text(format!("\"{t}\"")));
            "instr(e.data, ?) > 0"
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    Some(format!("({any})"))
}

/// A `q` term: through the index when it can be, else through the stored JSON.
fn term_sql(term: &Term, params: &mut Vec<SqlValue>) -> String {
    indexed_term_sql(term, params).unwrap_or_else(|| json_term_sql(term, params))
}

/// The kind `entity_values` files a value under (migration 0006).
fn kind(value: &Literal) -> &'static str {
    match value {
        Literal::Text(_) => "text",
        Literal::Number(_) => "number",
        Literal::Bool(_) => "bool",
    }
}

/// A term on a top-level attribute's value with `==` or an ordering, through the
/// `entity_values` index: the same rows the JSON path below would match (the table holds what
/// `json_each` yields on `value` and `object`), found by lookup instead of by parsing every entity.
fn indexed_term_sql(term: &Term, params: &mut Vec<SqlValue>) -> Option<String> {
    if term.path.sub.is_some() || !term.path.members.is_empty() {
        return None;
    }
    let (op, operand) = term.test.as_ref()?;
    let attr = &term.path.attr;
    let lookup = |params: &mut Vec<SqlValue>, kind: &'static str, test: String| {
        params.push(SqlValue::Text(attr.clone()));
        params.push(SqlValue::Text(kind.to_owned()));
        format!("e.pk IN (SELECT pk FROM entity_values WHERE attr = ? AND kind = ? AND {test})")
    };
    let sql = match (op, operand) {
        (Op::Ne, _) => return None,
        (Op::Eq, Operand::Values(values)) => {
            let mut kinds: Vec<&'static str> = values.iter().map(kind).collect();
            kinds.sort_unstable();
            kinds.dedup();
            let any = kinds
                .into_iter()
                .map(|k| {
                    let mut test_params = Vec::new();
                    let marks = values
                        .iter()
                        .filter(|v| kind(v) == k)
                        .map(|v| {
                            test_params.push(literal(v));
                            "?"
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = lookup(params, k, format!("value IN ({marks})"));
                    params.extend(test_params);
                    sql
                })
                .collect::<Vec<_>>()
                .join(" OR ");
            format!("({any})")
        }
        (Op::Eq, Operand::Range(low, high)) => {
            let sql = lookup(params, kind(low), "value BETWEEN ? AND ?".to_owned());
            params.push(literal(low));
            params.push(literal(high));
            sql
        }
        (Op::Gt | Op::Ge | Op::Lt | Op::Le, operand) => {
            let sign = match op {
                Op::Gt => ">",
                Op::Ge => ">=",
                Op::Lt => "<",
                _ => "<=",
            };
            let value = match operand {
                Operand::Values(values) => values.first()?,
                Operand::Range(low, _) => low,
            };
            let sql = lookup(params, kind(value), format!("value {sign} ?"));
            params.push(literal(value));
            sql
        }
    };
    Some(sql)
}

/// `json_each` on a path yields the value itself for a scalar and the elements for an array, so
/// `category=="onStreet"` matches `["onStreet", "forDisabled"]` as the spec asks; a JSON object
/// value matches no literal (its members are reached with `attr[member]`).
fn json_term_sql(term: &Term, params: &mut Vec<SqlValue>) -> String {
    let paths = term_paths(&term.path);
    let exists = |params: &mut Vec<SqlValue>| {
        let any = paths
            .iter()
            .map(|p| {
                params.push(SqlValue::Text(p.clone()));
                "json_type(e.data, ?) IS NOT NULL"
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        format!("({any})")
    };
    let matching = |params: &mut Vec<SqlValue>,
                    condition: &dyn Fn(&mut Vec<SqlValue>) -> String| {
        // An object value is compared member by member only through `attr[member]`.
        let any = paths
            .iter()
            .map(|p| {
                params.push(SqlValue::Text(p.clone()));
                params.push(SqlValue::Text(p.clone()));
                format!(
                    "(json_type(e.data, ?) <> 'object' AND \
                     EXISTS (SELECT 1 FROM json_each(e.data, ?) AS j WHERE {}))",
                    condition(params)
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        format!("({any})")
    };
    let Some((op, operand)) = &term.test else {
        return exists(params);
    };
    let equal = |params: &mut Vec<SqlValue>| -> String {
        match operand {
            Operand::Values(values) => {
                let alternatives = values
                    .iter()
                    .map(|v| {
                        params.push(literal(v));
                        format!("({} AND j.value = ?)", kind_check(v))
                    })
                    .collect::<Vec<_>>()
                    .join(" OR ");
                format!("({alternatives})")
            }
            Operand::Range(low, high) => {
                params.push(literal(low));
                params.push(literal(high));
                format!("({} AND j.value BETWEEN ? AND ?)", kind_check(low))
            }
        }
    };
    match op {
        Op::Eq => {
            let prefilter = text_prefilter(operand, params);
            let equal_sql = matching(params, &equal);
            match prefilter {
                Some(prefilter) => format!("({prefilter} AND {equal_sql})"),
                None => equal_sql,
            }
        }
        Op::Ne => {
            let present = exists(params);
            let equal_sql = matching(params, &equal);
            format!("({present} AND NOT {equal_sql})")
        }
        Op::Gt | Op::Ge | Op::Lt | Op::Le => {
            let sign = match op {
                Op::Gt => ">",
                Op::Ge => ">=",
                Op::Lt => "<",
                _ => "<=",
            };
            // The parser only lets single values reach an ordering operator.
            let value = match operand {
                Operand::Values(values) => values.first().cloned(),
                Operand::Range(low, _) => Some(low.clone()),
            };
            let Some(value) = value else {
                return "0".to_owned();
            };
            matching(params, &|params: &mut Vec<SqlValue>| {
                params.push(literal(&value));
                format!("({} AND j.value {sign} ?)", kind_check(&value))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quartier_api::ngsi_ld::query::parse_q;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::db::migrations()
            .to_latest(&mut conn)
            .expect("migrate");
        for (i, (kind, data)) in [
            ("T", r#"{"status":{"type":"Property","value":"ok"},"n":{"type":"Property","value":5}}"#),
            ("T", r#"{"status":{"type":"Property","value":"broken","observedAt":"2026-01-02T00:00:00Z"},"n":{"type":"Property","value":"5"}}"#),
            ("T", r#"{"category":{"type":"Property","value":["a","b"]},"n":{"type":"Property","value":7.5},"ref":{"type":"Relationship","object":"urn:x"}}"#),
            ("U", r#"{"address":{"type":"Property","value":{"city":"X"}},"flag":{"type":"Property","value":true}}"#),
        ]
        .into_iter()
        .enumerate()
        {
            conn.execute(
                "INSERT INTO entities (id, type, lon, lat, data, modified_at) VALUES (?1, ?2, 0, 0, ?3, 'now')",
                rusqlite::params![format!("urn:e:{i}"), kind, data],
            )
            .expect("insert");
        }
        conn
    }

    fn ids(conn: &Connection, q: &str) -> Vec<String> {
        let indexed = ids_with(conn, q, expr_sql);
        // The JSON path, for every term: the index must give the same entities.
        let scanned = ids_with(conn, q, json_expr_sql);
        assert_eq!(indexed, scanned, "{q}: the index and the JSON disagree");
        indexed
    }

    /// [`expr_sql`] without the index.
    fn json_expr_sql(expr: &Expr, params: &mut Vec<SqlValue>) -> String {
        match expr {
            Expr::And(terms) | Expr::Or(terms) => {
                let glue = if matches!(expr, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let parts: Vec<String> = terms.iter().map(|t| json_expr_sql(t, params)).collect();
                format!("({})", parts.join(glue))
            }
            Expr::Term(term) => json_term_sql(term, params),
        }
    }

    fn ids_with(
        conn: &Connection,
        q: &str,
        to_sql: fn(&Expr, &mut Vec<SqlValue>) -> String,
    ) -> Vec<String> {
        let mut params = Vec::new();
        let sql = to_sql(&parse_q(q).expect("q"), &mut params);
        let mut statement = conn
            .prepare(&format!(
                "SELECT id FROM entities e WHERE {sql} ORDER BY id"
            ))
            .expect("prepare");
        statement
            .query_map(params_from_iter(params.iter()), |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[test]
    fn the_value_index_follows_inserts_updates_and_deletes() {
        let conn = db();
        assert_eq!(ids(&conn, r#"status=="ok""#), ["urn:e:0"]);
        conn.execute(
            "UPDATE entities SET data = replace(data, '\"ok\"', '\"broken\"') WHERE id = 'urn:e:0'",
            [],
        )
        .expect("update");
        assert_eq!(ids(&conn, r#"status=="ok""#), Vec::<String>::new());
        assert_eq!(ids(&conn, r#"status=="broken""#), ["urn:e:0", "urn:e:1"]);
        conn.execute("DELETE FROM entities WHERE id = 'urn:e:1'", [])
            .expect("delete");
        assert_eq!(ids(&conn, r#"status=="broken""#), ["urn:e:0"]);
        let rows: i64 = conn
            .query_row(
                "SELECT count(*) FROM entity_values WHERE pk NOT IN (SELECT pk FROM entities)",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(rows, 0);
        // The query a layer makes reads the index, not every entity's JSON.
        let mut params = Vec::new();
        let sql = expr_sql(&parse_q(r#"status=="ok""#).expect("q"), &mut params);
        let mut explain = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT id FROM entities e WHERE e.type = 'T' AND {sql}"
            ))
            .expect("explain");
        let plan: Vec<String> = explain
            .query_map(params_from_iter(params.iter()), |r| r.get(3))
            .expect("plan")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert!(
            plan.iter()
                .any(|step| step.contains("entity_values") && step.contains("PRIMARY KEY")),
            "{plan:?}"
        );
    }

    #[test]
    fn q_terms_run_in_sql_with_strict_types() {
        let conn = db();
        assert_eq!(ids(&conn, r#"status=="ok""#), ["urn:e:0"]);
        assert_eq!(ids(&conn, r#"status!="ok""#), ["urn:e:1"]);
        assert_eq!(ids(&conn, "n==5"), ["urn:e:0"]);
        assert_eq!(ids(&conn, r#"n=="5""#), ["urn:e:1"]);
        assert_eq!(ids(&conn, "n>5"), ["urn:e:2"]);
        assert_eq!(ids(&conn, "n>=5"), ["urn:e:0", "urn:e:2"]);
        assert_eq!(ids(&conn, "n<6"), ["urn:e:0"]);
        assert_eq!(ids(&conn, "n==4..6"), ["urn:e:0"]);
        assert_eq!(ids(&conn, r#"category=="b""#), ["urn:e:2"]);
        assert_eq!(ids(&conn, r#"ref=="urn:x""#), ["urn:e:2"]);
        assert_eq!(ids(&conn, r#"address[city]=="X""#), ["urn:e:3"]);
        // A compound value is compared through its members only.
        assert_eq!(ids(&conn, r#"address=="X""#), Vec::<String>::new());
        assert_eq!(ids(&conn, "flag==true"), ["urn:e:3"]);
        assert_eq!(ids(&conn, "status"), ["urn:e:0", "urn:e:1"]);
        assert_eq!(
            ids(&conn, "status.observedAt>2026-01-01T00:00:00Z"),
            ["urn:e:1"]
        );
        assert_eq!(ids(&conn, r#"status=="ok"|n>7"#), ["urn:e:0", "urn:e:2"]);
        assert_eq!(ids(&conn, r#"status=="ok";n>7"#), Vec::<String>::new());
        assert_eq!(ids(&conn, r#"n==5,"5""#), ["urn:e:0", "urn:e:1"]);
        assert_eq!(ids(&conn, "n<=7.5;n>5"), ["urn:e:2"]);
        assert_eq!(ids(&conn, "flag==false"), Vec::<String>::new());
        assert_eq!(ids(&conn, r#"status>="broken""#), ["urn:e:0", "urn:e:1"]);
        assert_eq!(
            ids(&conn, r#"status=="ok","broken""#),
            ["urn:e:0", "urn:e:1"]
        );
    }
}
