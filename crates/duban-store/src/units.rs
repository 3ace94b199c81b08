//! 单位与领导 — the unit directory and the leaders, as the store keeps them.

use std::collections::HashMap;

use duban_core::{Leader, Unit, UnitKind};
use serde_json::json;
use sqlx::AnyConnection;

use crate::audit::{self, AuditRecord};
use crate::{Result, Store, StoreError};

fn parse_kind(kind: &str) -> Result<UnitKind> {
    UnitKind::parse(kind).map_err(|e| StoreError::corrupt("units.kind", e))
}

/// Every unit's name and kind.
const UNIT_KEYS: &str = "SELECT id, name, kind FROM units";

/// A row of [`UNIT_KEYS`], as stored.
#[derive(sqlx::FromRow)]
struct UnitKeyRow {
    id: i64,
    name: String,
    kind: String,
}

/// The unit directory loaded inside a transaction: resolves names and aliases to ids and
/// creates the units it does not know.
pub(crate) struct UnitDirectory {
    by_name: HashMap<String, (i64, UnitKind)>,
    alias: HashMap<String, String>,
    /// Units created through this directory, in the order they were met.
    pub created: Vec<String>,
}

impl UnitDirectory {
    pub async fn load(conn: &mut AnyConnection) -> Result<UnitDirectory> {
        let mut by_name = HashMap::new();
        for r in sqlx::query_as::<_, UnitKeyRow>(UNIT_KEYS)
            .fetch_all(&mut *conn)
            .await?
        {
            let kind = parse_kind(&r.kind)?;
            by_name.insert(r.name, (r.id, kind));
        }
        // (alias, canonical name)
        let alias: HashMap<String, String> = sqlx::query_as(
            "SELECT a.alias, u.name FROM unit_aliases a JOIN units u ON u.id = a.unit_id",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
        Ok(UnitDirectory {
            by_name,
            alias,
            created: Vec::new(),
        })
    }

    /// The canonical name for a name or alias, if the unit is known.
    pub fn canonical(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        if let Some((k, _)) = self.by_name.get_key_value(name) {
            return Some(k.as_str());
        }
        self.alias.get(name).map(String::as_str)
    }

    pub fn id(&self, canonical: &str) -> Option<i64> {
        self.by_name.get(canonical).map(|(id, _)| *id)
    }

    /// Resolves a name, creating the unit (kind guessed from the name) when it is unknown.
    /// Returns the canonical name.
    pub async fn ensure(
        &mut self,
        conn: &mut AnyConnection,
        name: &str,
        audit: &mut Vec<AuditRecord>,
        actor: &str,
        at: &str,
    ) -> Result<String> {
        if let Some(c) = self.canonical(name) {
            return Ok(c.to_string());
        }
        let unit = Unit::new(name.trim(), UnitKind::guess(name));
        self.insert(conn, &unit, None, audit, actor, at).await?;
        self.created.push(unit.name.clone());
        Ok(unit.name)
    }

    pub async fn insert(
        &mut self,
        conn: &mut AnyConnection,
        unit: &Unit,
        parent_id: Option<i64>,
        audit: &mut Vec<AuditRecord>,
        actor: &str,
        at: &str,
    ) -> Result<i64> {
        let sort = self.by_name.len() as i64;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (name, kind, parent_id, sort_order) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&unit.name)
        .bind(unit.kind.code())
        .bind(parent_id)
        .bind(sort)
        .fetch_one(&mut *conn)
        .await?;
        for a in &unit.aliases {
            if self.canonical(a).is_some() {
                return Err(StoreError::Invalid(format!(
                    "简称“{a}”已被单位“{}”使用",
                    self.canonical(a).unwrap_or_default()
                )));
            }
            sqlx::query("INSERT INTO unit_aliases (alias, unit_id) VALUES ($1, $2)")
                .bind(a)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            self.alias.insert(a.clone(), unit.name.clone());
        }
        self.by_name.insert(unit.name.clone(), (id, unit.kind));
        audit.push(AuditRecord::values(
            actor,
            at,
            "create",
            "unit",
            &unit.name,
            None,
            Some(serde_json::to_value(unit).unwrap_or(json!(null))),
        ));
        Ok(id)
    }
}

/// Every leader.
const LEADERS: &str = "SELECT id, name, title FROM leaders";

/// A row of [`LEADERS`], as stored.
#[derive(sqlx::FromRow)]
struct LeaderRow {
    id: i64,
    name: String,
    title: String,
}

/// The leaders loaded inside a transaction. A leader is a name with a title: two people of
/// the same name with different posts stay two leaders, and a cell without a title takes the
/// only leader of that name, if there is just one.
pub(crate) struct LeaderBook {
    ids: HashMap<(String, String), i64>,
    titles: HashMap<String, Vec<String>>,
    pub created: Vec<String>,
}

impl LeaderBook {
    pub async fn load(conn: &mut AnyConnection) -> Result<LeaderBook> {
        let mut book = LeaderBook {
            ids: HashMap::new(),
            titles: HashMap::new(),
            created: Vec::new(),
        };
        for r in sqlx::query_as::<_, LeaderRow>(LEADERS)
            .fetch_all(&mut *conn)
            .await?
        {
            book.note(r.name, r.title, r.id);
        }
        Ok(book)
    }

    fn note(&mut self, name: String, title: String, id: i64) {
        self.titles
            .entry(name.clone())
            .or_default()
            .push(title.clone());
        self.ids.insert((name, title), id);
    }

    /// The id of a leader as `ensure` returned it.
    pub fn id(&self, leader: &Leader) -> Option<i64> {
        self.ids
            .get(&(
                leader.name.clone(),
                leader.title.clone().unwrap_or_default(),
            ))
            .copied()
    }

    /// Finds or creates the leader; returns it as stored.
    pub async fn ensure(
        &mut self,
        conn: &mut AnyConnection,
        leader: &Leader,
        audit: &mut Vec<AuditRecord>,
        actor: &str,
        at: &str,
    ) -> Result<Leader> {
        let title = match (
            &leader.title,
            self.titles.get(&leader.name).map(Vec::as_slice),
        ) {
            (Some(t), _) => t.clone(),
            (None, Some([only])) => only.clone(),
            (None, _) => String::new(),
        };
        let found = Leader {
            name: leader.name.clone(),
            title: (!title.is_empty()).then(|| title.clone()),
        };
        if self.ids.contains_key(&(leader.name.clone(), title.clone())) {
            return Ok(found);
        }
        let id: i64 =
            sqlx::query_scalar("INSERT INTO leaders (name, title) VALUES ($1, $2) RETURNING id")
                .bind(&leader.name)
                .bind(&title)
                .fetch_one(&mut *conn)
                .await?;
        self.note(leader.name.clone(), title, id);
        self.created.push(found.to_string());
        audit.push(AuditRecord::values(
            actor,
            at,
            "create",
            "leader",
            &found.to_string(),
            None,
            Some(serde_json::to_value(&found).unwrap_or(json!(null))),
        ));
        Ok(found)
    }
}

/// A unit of the directory with the number of items it leads.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnitListing {
    #[serde(flatten)]
    pub unit: Unit,
    /// 牵头事项数 — items it leads.
    pub lead_items: i64,
}

/// The directory as [`Store::units`] lists it: regions first, then departments, each in the
/// order they were added.
const UNIT_LISTING: &str = "SELECT u.id, u.name, u.kind, p.name AS parent, \
        (SELECT COUNT(*) FROM items i WHERE i.lead_unit_id = u.id) AS lead_items \
    FROM units u LEFT JOIN units p ON p.id = u.parent_id \
    ORDER BY CASE u.kind WHEN 'region' THEN 0 ELSE 1 END, u.sort_order, u.id";

/// A row of [`UNIT_LISTING`], as stored.
#[derive(sqlx::FromRow)]
struct UnitListingRow {
    id: i64,
    name: String,
    kind: String,
    parent: Option<String>,
    lead_items: i64,
}

/// The listing without its aliases (read separately).
impl TryFrom<UnitListingRow> for UnitListing {
    type Error = StoreError;

    fn try_from(r: UnitListingRow) -> Result<UnitListing> {
        Ok(UnitListing {
            unit: Unit {
                name: r.name,
                kind: parse_kind(&r.kind)?,
                parent: r.parent,
                aliases: Vec::new(),
            },
            lead_items: r.lead_items,
        })
    }
}

impl Store {
    /// The unit directory: regions first, then departments, each in the order they were added.
    pub async fn units(&self) -> Result<Vec<UnitListing>> {
        let rows = sqlx::query_as::<_, UnitListingRow>(UNIT_LISTING)
            .fetch_all(&self.pool)
            .await?;
        let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
        for (unit_id, alias) in sqlx::query_as::<_, (i64, String)>(
            "SELECT unit_id, alias FROM unit_aliases ORDER BY alias",
        )
        .fetch_all(&self.pool)
        .await?
        {
            aliases.entry(unit_id).or_default().push(alias);
        }
        rows.into_iter()
            .map(|r| {
                let id = r.id;
                let mut listing = UnitListing::try_from(r)?;
                listing.unit.aliases = aliases.remove(&id).unwrap_or_default();
                Ok(listing)
            })
            .collect()
    }

    /// Adds the units of `units` that the directory does not know yet (by name or alias),
    /// parents before children. Returns the names added.
    pub async fn ensure_units(&self, actor: &str, units: &[Unit]) -> Result<Vec<String>> {
        let mut tx = self.write_tx().await?;
        let mut dir = UnitDirectory::load(&mut tx).await?;
        let at = audit::now();
        let mut log = Vec::new();
        let mut added = Vec::new();
        for unit in units {
            if dir.canonical(&unit.name).is_some() {
                continue;
            }
            let parent_id = match &unit.parent {
                Some(p) => Some(dir.canonical(p).and_then(|c| dir.id(c)).ok_or_else(|| {
                    StoreError::NotFound {
                        what: "上级单位",
                        key: p.clone(),
                    }
                })?),
                None => None,
            };
            dir.insert(&mut tx, unit, parent_id, &mut log, actor, &at)
                .await?;
            added.push(unit.name.clone());
        }
        audit::record(&mut tx, log).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// The leaders, by name.
    pub async fn leaders(&self) -> Result<Vec<Leader>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, title FROM leaders ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(name, title)| Leader {
                name,
                title: (!title.is_empty()).then_some(title),
            })
            .collect())
    }
}
