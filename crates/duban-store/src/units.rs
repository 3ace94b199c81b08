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

/// Every unit's name and kind, and whether it is disabled.
const UNIT_KEYS: &str = "SELECT id, name, kind, disabled_at FROM units";

/// A row of [`UNIT_KEYS`], as stored.
#[derive(sqlx::FromRow)]
struct UnitKeyRow {
    id: i64,
    name: String,
    kind: String,
    disabled_at: Option<String>,
}

/// The unit directory loaded inside a transaction: resolves names and aliases to ids and
/// creates the units it does not know.
pub(crate) struct UnitDirectory {
    by_name: HashMap<String, (i64, UnitKind)>,
    alias: HashMap<String, String>,
    /// 已停用 — units no longer offered for new accounts and tasks (canonical names).
    disabled: std::collections::HashSet<String>,
    /// Units created through this directory, in the order they were met.
    pub created: Vec<String>,
}

impl UnitDirectory {
    pub async fn load(conn: &mut AnyConnection) -> Result<UnitDirectory> {
        let mut by_name = HashMap::new();
        let mut disabled = std::collections::HashSet::new();
        for r in sqlx::query_as::<_, UnitKeyRow>(UNIT_KEYS)
            .fetch_all(&mut *conn)
            .await?
        {
            let kind = parse_kind(&r.kind)?;
            if r.disabled_at.is_some() {
                disabled.insert(r.name.clone());
            }
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
            disabled,
            created: Vec::new(),
        })
    }

    /// Is the unit (canonical name) disabled?
    pub fn is_disabled(&self, canonical: &str) -> bool {
        self.disabled.contains(canonical)
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
    /// 排序 — its place among the units of its kind.
    pub sort_order: i64,
    /// 已停用 — not offered for new accounts and tasks; kept in what it is part of.
    pub disabled: bool,
    /// 牵头事项数 — items it leads.
    pub lead_items: i64,
}

/// The directory as [`Store::units`] lists it: regions first, then departments, each in the
/// order they were added.
/// The items are counted in one pass (a count per unit was 41 scans of a province).
const UNIT_LISTING: &str = "SELECT u.id, u.name, u.kind, p.name AS parent, u.sort_order, \
        u.disabled_at, COALESCE(c.n, 0) AS lead_items \
    FROM units u LEFT JOIN units p ON p.id = u.parent_id \
    LEFT JOIN (SELECT lead_unit_id, COUNT(*) AS n FROM items GROUP BY lead_unit_id) c \
        ON c.lead_unit_id = u.id \
    ORDER BY CASE u.kind WHEN 'region' THEN 0 ELSE 1 END, u.sort_order, u.id";

/// A row of [`UNIT_LISTING`], as stored.
#[derive(sqlx::FromRow)]
struct UnitListingRow {
    id: i64,
    name: String,
    kind: String,
    parent: Option<String>,
    sort_order: i64,
    disabled_at: Option<String>,
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
            sort_order: r.sort_order,
            disabled: r.disabled_at.is_some(),
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

/// 单位修改 — what the office may change about a unit of the directory.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitEdit {
    /// 单位名称
    pub name: String,
    pub kind: UnitKind,
    /// 上级单位 (name or alias; None: none)
    pub parent: Option<String>,
    /// 排序 (0–99999)
    pub sort_order: i64,
    /// 简称/别名
    pub aliases: Vec<String>,
}

/// The highest sort order accepted.
pub const MAX_SORT_ORDER: i64 = 99_999;

/// A unit as its audit rows show it.
#[derive(sqlx::FromRow)]
struct UnitStateRow {
    id: i64,
    name: String,
    kind: String,
    parent_id: Option<i64>,
    sort_order: i64,
    disabled_at: Option<String>,
}

/// What changed about a unit, as the audit trail records it.
fn unit_json(e: &UnitEdit) -> serde_json::Value {
    json!({
        "name": e.name,
        "kind": e.kind.code(),
        "parent": e.parent,
        "sort_order": e.sort_order,
        "aliases": e.aliases,
    })
}

/// A unit's row by name or alias, or NotFound.
async fn unit_row(
    conn: &mut AnyConnection,
    dir: &UnitDirectory,
    name: &str,
) -> Result<UnitStateRow> {
    let id = dir
        .canonical(name)
        .and_then(|c| dir.id(c))
        .ok_or_else(|| StoreError::NotFound {
            what: "单位",
            key: name.trim().to_string(),
        })?;
    Ok(sqlx::query_as::<_, UnitStateRow>(
        "SELECT id, name, kind, parent_id, sort_order, disabled_at FROM units WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?)
}

impl Store {
    /// Changes a unit: its name, kind, parent, place and short names, with the reason in the
    /// audit trail. A new name keeps the old one as a short name (ledgers written before still
    /// match); a name or short name another unit has is refused, as is a parent that is the
    /// unit itself or below it. Nothing is written when nothing changes (false).
    pub async fn update_unit(
        &self,
        actor: &str,
        name: &str,
        edit: UnitEdit,
        reason: &str,
    ) -> Result<bool> {
        let reason = audit::required_reason(reason)?;
        let mut edit = edit;
        edit.name = duban_core::text::without_controls(edit.name.trim()).to_string();
        if edit.name.is_empty() {
            return Err(StoreError::Invalid("单位名称：不能为空".into()));
        }
        if edit.name.chars().count() > 64 {
            return Err(StoreError::Invalid("单位名称：不能超过 64 个字".into()));
        }
        if !(0..=MAX_SORT_ORDER).contains(&edit.sort_order) {
            return Err(StoreError::Invalid(format!(
                "排序：应为 0 至 {MAX_SORT_ORDER} 的整数"
            )));
        }
        let mut tx = self.write_tx().await?;
        let dir = UnitDirectory::load(&mut tx).await?;
        let row = unit_row(&mut tx, &dir, name).await?;
        let parents: HashMap<i64, Option<i64>> =
            sqlx::query_as::<_, (i64, Option<i64>)>("SELECT id, parent_id FROM units")
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        let names: HashMap<i64, String> = dir
            .by_name
            .iter()
            .map(|(n, (id, _))| (*id, n.clone()))
            .collect();
        let own_aliases: Vec<String> =
            sqlx::query_scalar("SELECT alias FROM unit_aliases WHERE unit_id = $1 ORDER BY alias")
                .bind(row.id)
                .fetch_all(&mut *tx)
                .await?;
        let before = UnitEdit {
            name: row.name.clone(),
            kind: parse_kind(&row.kind)?,
            parent: row.parent_id.and_then(|p| names.get(&p).cloned()),
            sort_order: row.sort_order,
            aliases: own_aliases,
        };
        // Whose name or short name is this, if another unit's?
        let taken =
            |n: &str| -> Option<&str> { dir.canonical(n).filter(|c| *c != row.name.as_str()) };
        if let Some(other) = taken(&edit.name) {
            return Err(StoreError::Invalid(format!(
                "单位名称：“{}”已是单位“{other}”的名称或简称",
                edit.name
            )));
        }
        let parent_id = match edit
            .parent
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(p) => {
                let canonical = dir
                    .canonical(p)
                    .ok_or_else(|| StoreError::Invalid(format!("上级单位：没有名为“{p}”的单位")))?;
                let id = dir.id(canonical).unwrap_or_default();
                // Up the chain from the chosen parent: meeting the unit is a loop.
                let mut at = Some(id);
                let mut steps = 0;
                while let Some(u) = at {
                    if u == row.id {
                        return Err(StoreError::Invalid(format!(
                            "上级单位：“{canonical}”是本单位或其下级单位，不能作为上级"
                        )));
                    }
                    at = parents.get(&u).copied().flatten();
                    steps += 1;
                    if steps > parents.len() {
                        break;
                    }
                }
                if dir.is_disabled(canonical) && Some(id) != row.parent_id {
                    return Err(StoreError::Invalid(format!(
                        "上级单位：“{canonical}”已停用，请选择在用的单位"
                    )));
                }
                edit.parent = Some(canonical.to_string());
                Some(id)
            }
        };
        if parent_id.is_none() {
            edit.parent = None;
        }
        // Short names: cleaned, each once, never the unit's own name; a new name keeps the
        // old one as a short name.
        let mut aliases: Vec<String> = Vec::new();
        let mut wanted: Vec<String> = edit.aliases.clone();
        if edit.name != row.name {
            wanted.push(row.name.clone());
        }
        for a in wanted {
            let a = duban_core::text::without_controls(a.trim()).to_string();
            if a.is_empty() || a == edit.name || aliases.contains(&a) {
                continue;
            }
            if a.chars().count() > 64 {
                return Err(StoreError::Invalid(format!("简称：“{a}”超过 64 个字")));
            }
            if let Some(other) = taken(&a) {
                return Err(StoreError::Invalid(format!(
                    "简称：“{a}”已是单位“{other}”的名称或简称"
                )));
            }
            aliases.push(a);
        }
        aliases.sort();
        edit.aliases = aliases;
        let Some((b, a)) = audit::diff(&unit_json(&before), &unit_json(&edit)) else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE units SET name = $1, kind = $2, parent_id = $3, sort_order = $4 WHERE id = $5",
        )
        .bind(&edit.name)
        .bind(edit.kind.code())
        .bind(parent_id)
        .bind(edit.sort_order)
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM unit_aliases WHERE unit_id = $1")
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        for alias in &edit.aliases {
            sqlx::query("INSERT INTO unit_aliases (alias, unit_id) VALUES ($1, $2)")
                .bind(alias)
                .bind(row.id)
                .execute(&mut *tx)
                .await?;
        }
        let at = audit::now();
        audit::record(
            &mut tx,
            vec![
                AuditRecord::values(actor, &at, "update", "unit", &edit.name, Some(b), Some(a))
                    .with_reason(&reason),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Disables a unit (or enables it again), with the reason in the audit trail. A disabled
    /// unit stays in every item, report and figure it is part of, and in the accounts that
    /// belong to it; it is no longer offered for new accounts and new tasks. How many
    /// accounts in use still belong to it (the office may move them).
    pub async fn set_unit_disabled(
        &self,
        actor: &str,
        name: &str,
        disabled: bool,
        reason: &str,
    ) -> Result<i64> {
        let reason = audit::required_reason(reason)?;
        let mut tx = self.write_tx().await?;
        let dir = UnitDirectory::load(&mut tx).await?;
        let row = unit_row(&mut tx, &dir, name).await?;
        if row.disabled_at.is_some() == disabled {
            return Err(StoreError::Invalid(format!(
                "单位“{}”{}",
                row.name,
                if disabled {
                    "已经停用"
                } else {
                    "在用，无需启用"
                }
            )));
        }
        let at = audit::now();
        sqlx::query("UPDATE units SET disabled_at = $1 WHERE id = $2")
            .bind(disabled.then(|| at.clone()))
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        let accounts: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE unit_id = $1 AND disabled_at IS NULL",
        )
        .bind(row.id)
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            vec![audit::disabling(
                actor,
                &at,
                ("unit", &row.name),
                disabled,
                &reason,
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(accounts)
    }
}
