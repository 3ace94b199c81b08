//! 台账读取 — reading items and their milestones; the mapping between `Item` and table rows.

use std::collections::HashMap;

use duban_core::{
    Item, ItemKind, Leader, Level, Milestone, MonthlyPlan, Nature, PlanDate, Stage, Wan,
};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::sql::{Val, bind};
use crate::{Result, Store, StoreError};

/// Which items to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// 单位 — a unit (name or alias): items it leads, co-operates on, or that lie in it (region).
    pub unit: Option<String>,
    pub kind: Option<ItemKind>,
    pub stage: Option<Stage>,
    pub year: Option<i32>,
    /// 名称包含 — part of the item name or code.
    pub search: Option<String>,
    /// 包抓领导 — items this leader is in charge of.
    pub leader: Option<duban_core::Leader>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl ItemFilter {
    /// Narrows the filter to what an account may read; `None` when it may read nothing.
    pub fn visible_to(mut self, account: &duban_core::Account) -> Option<ItemFilter> {
        match account.visibility() {
            duban_core::Visibility::All => {}
            duban_core::Visibility::Unit(u) => self.unit = Some(u),
            duban_core::Visibility::Leader(l) => self.leader = Some(l),
            duban_core::Visibility::Nothing => return None,
        }
        Some(self)
    }
}

/// An item with its milestones, as `items show` gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRecord {
    #[serde(flatten)]
    pub item: Item,
    /// 节点
    pub milestones: Vec<Milestone>,
}

pub(crate) const ITEM_SELECT: &str = "SELECT i.id, i.code, i.year, i.kind, i.name, i.owner, \
    i.nature, i.location, i.scale, i.category, i.level, i.stage, i.total_investment, \
    i.annual_plan, i.monthly_plan, i.planned_start, i.planned_end, r.name AS region_name, \
    l.name AS lead_name, ld.name AS leader_name, ld.title AS leader_title, i.in_statistics, \
    i.tags, i.notes, i.extra \
    FROM items i JOIN units l ON l.id = i.lead_unit_id \
    LEFT JOIN units r ON r.id = i.region_id LEFT JOIN leaders ld ON ld.id = i.leader_id";

fn corrupt(col: &str, e: impl ToString) -> StoreError {
    StoreError::corrupt(format!("items.{col}"), e)
}

fn opt_parse<T>(r: &AnyRow, col: &str, f: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| f(&s).map_err(|e| corrupt(col, e))).transpose()
}

fn json_col<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<T> {
    let s: String = r.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| corrupt(col, e))
}

/// Reads one item row (without its co-operating units).
pub(crate) fn item_from_row(r: &AnyRow) -> Result<(i64, Item)> {
    let kind: String = r.try_get("kind")?;
    let leader_name: Option<String> = r.try_get("leader_name")?;
    let monthly: Option<String> = r.try_get("monthly_plan")?;
    let monthly_plan = monthly
        .map(|s| {
            serde_json::from_str::<Vec<i64>>(&s)
                .map(|v| MonthlyPlan(v.into_iter().map(Wan::from_yuan).collect()))
        })
        .transpose()
        .map_err(|e| corrupt("monthly_plan", e))?;
    let item = Item {
        code: r.try_get("code")?,
        year: r.try_get::<i64, _>("year")? as i32,
        kind: ItemKind::parse(&kind).map_err(|e| corrupt("kind", e))?,
        name: r.try_get("name")?,
        owner: r.try_get("owner")?,
        nature: opt_parse(r, "nature", |s| Nature::parse(s).map_err(|e| e.to_string()))?,
        location: r.try_get("location")?,
        scale: r.try_get("scale")?,
        category: r.try_get("category")?,
        level: opt_parse(r, "level", |s| Level::parse(s).map_err(|e| e.to_string()))?,
        stage: opt_parse(r, "stage", |s| Stage::parse(s).map_err(|e| e.to_string()))?,
        total_investment: r
            .try_get::<Option<i64>, _>("total_investment")?
            .map(Wan::from_yuan),
        annual_plan: r
            .try_get::<Option<i64>, _>("annual_plan")?
            .map(Wan::from_yuan),
        monthly_plan,
        planned_start: opt_parse(r, "planned_start", |s| {
            PlanDate::parse(s).map_err(|e| e.to_string())
        })?,
        planned_end: opt_parse(r, "planned_end", |s| {
            PlanDate::parse(s).map_err(|e| e.to_string())
        })?,
        region: r.try_get("region_name")?,
        lead_unit: r.try_get("lead_name")?,
        co_units: Vec::new(),
        leader: leader_name.map(|name| Leader {
            name,
            title: r
                .try_get::<Option<String>, _>("leader_title")
                .ok()
                .flatten()
                .filter(|t| !t.is_empty()),
        }),
        in_statistics: r
            .try_get::<Option<i64>, _>("in_statistics")?
            .map(|v| v != 0),
        tags: json_col(r, "tags")?,
        notes: r.try_get("notes")?,
        extra: json_col(r, "extra")?,
    };
    Ok((r.try_get("id")?, item))
}

/// The item columns in write order, and their values.
pub(crate) const ITEM_COLUMNS: &[&str] = &[
    "code",
    "year",
    "kind",
    "name",
    "owner",
    "nature",
    "location",
    "scale",
    "category",
    "level",
    "stage",
    "total_investment",
    "annual_plan",
    "monthly_plan",
    "planned_start",
    "planned_end",
    "region_id",
    "lead_unit_id",
    "leader_id",
    "in_statistics",
    "tags",
    "notes",
    "extra",
    "updated_at",
];

/// Ids of the units and the leader an item refers to.
pub(crate) struct ItemRefs {
    pub region: Option<i64>,
    pub lead: i64,
    pub leader: Option<i64>,
}

pub(crate) fn item_values(item: &Item, refs: &ItemRefs, now: &str) -> Vec<Val> {
    let money = |w: Option<Wan>| Val::Int(w.map(Wan::yuan));
    let text = |s: &Option<String>| Val::Text(s.clone());
    vec![
        item.code.as_str().into(),
        i64::from(item.year).into(),
        item.kind.code().into(),
        item.name.as_str().into(),
        text(&item.owner),
        Val::Text(item.nature.map(|v| v.code().to_string())),
        text(&item.location),
        text(&item.scale),
        text(&item.category),
        Val::Text(item.level.map(|v| v.code().to_string())),
        Val::Text(item.stage.map(|v| v.code().to_string())),
        money(item.total_investment),
        money(item.annual_plan),
        Val::Text(item.monthly_plan.as_ref().map(|p| {
            serde_json::to_string(&p.0.iter().map(|w| w.yuan()).collect::<Vec<_>>())
                .unwrap_or_default()
        })),
        Val::Text(item.planned_start.map(|d| d.to_string())),
        Val::Text(item.planned_end.map(|d| d.to_string())),
        refs.region.into(),
        refs.lead.into(),
        refs.leader.into(),
        Val::Int(item.in_statistics.map(i64::from)),
        serde_json::to_string(&item.tags)
            .unwrap_or_else(|_| "[]".into())
            .into(),
        text(&item.notes),
        serde_json::to_string(&item.extra)
            .unwrap_or_else(|_| "{}".into())
            .into(),
        now.into(),
    ]
}

/// Builds the WHERE clause of a filter; the unit, if any, must already be resolved to an id.
pub(crate) fn filter_sql(f: &ItemFilter, unit_id: Option<i64>) -> (String, Vec<Val>) {
    let mut conds = Vec::new();
    let mut vals: Vec<Val> = Vec::new();
    let next = |v: Val, vals: &mut Vec<Val>| {
        vals.push(v);
        format!("${}", vals.len())
    };
    if let Some(id) = unit_id {
        let p = next(id.into(), &mut vals);
        conds.push(format!(
            "(i.lead_unit_id = {p} OR i.region_id = {p} OR EXISTS \
             (SELECT 1 FROM item_co_units c WHERE c.item_id = i.id AND c.unit_id = {p}))"
        ));
    }
    if let Some(l) = &f.leader {
        let name = next(l.name.clone().into(), &mut vals);
        let title = next(l.title.clone().unwrap_or_default().into(), &mut vals);
        conds.push(format!(
            "i.leader_id IN (SELECT id FROM leaders WHERE name = {name} AND title = {title})"
        ));
    }
    if let Some(k) = f.kind {
        conds.push(format!("i.kind = {}", next(k.code().into(), &mut vals)));
    }
    if let Some(s) = f.stage {
        conds.push(format!("i.stage = {}", next(s.code().into(), &mut vals)));
    }
    if let Some(y) = f.year {
        conds.push(format!("i.year = {}", next(i64::from(y).into(), &mut vals)));
    }
    if let Some(q) = f.search.as_deref().filter(|q| !q.trim().is_empty()) {
        let escaped = q
            .trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let p = next(format!("%{escaped}%").into(), &mut vals);
        conds.push(format!(
            "(LOWER(i.name) LIKE LOWER({p}) ESCAPE '\\' OR LOWER(i.code) LIKE LOWER({p}) ESCAPE '\\')"
        ));
    }
    let sql = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    (sql, vals)
}

/// Attaches co-operating units to items, read with the same filter.
async fn attach_co_units(
    conn: &mut AnyConnection,
    items: &mut [(i64, Item)],
    where_sql: &str,
    vals: &[Val],
) -> Result<()> {
    let sql = format!(
        "SELECT c.item_id, u.name FROM item_co_units c JOIN units u ON u.id = c.unit_id \
         WHERE c.item_id IN (SELECT i.id FROM items i{where_sql}) ORDER BY c.item_id, c.position"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
    for v in vals {
        q = bind(q, v.clone());
    }
    let mut co: HashMap<i64, Vec<String>> = HashMap::new();
    let mut rows = q.fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        co.entry(r.try_get("item_id")?)
            .or_default()
            .push(r.try_get("name")?);
    }
    for (id, item) in items.iter_mut() {
        if let Some(v) = co.remove(id) {
            item.co_units = v;
        }
    }
    Ok(())
}

/// Lists items with their ids, ordered by code.
pub(crate) async fn list(conn: &mut AnyConnection, f: &ItemFilter) -> Result<Vec<(i64, Item)>> {
    let unit_id = match &f.unit {
        Some(u) => Some(resolve_unit(conn, u).await?),
        None => None,
    };
    let (where_sql, vals) = filter_sql(f, unit_id);
    let mut sql = format!("{ITEM_SELECT}{where_sql} ORDER BY i.code");
    if let Some(l) = f.limit {
        sql.push_str(&format!(" LIMIT {}", l.max(0)));
        if let Some(o) = f.offset {
            sql.push_str(&format!(" OFFSET {}", o.max(0)));
        }
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
    for v in &vals {
        q = bind(q, v.clone());
    }
    // Row by row: a province ledger read at once would hold every row twice.
    let mut items = Vec::new();
    let mut rows = q.fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        items.push(item_from_row(&r)?);
    }
    drop(rows);
    attach_co_units(conn, &mut items, &where_sql, &vals).await?;
    Ok(items)
}

/// Milestones of all items (or of one), by item id, in chain order.
pub(crate) async fn milestones(
    conn: &mut AnyConnection,
    item_id: Option<i64>,
) -> Result<HashMap<i64, Vec<Milestone>>> {
    let sql = match item_id {
        Some(_) => {
            "SELECT item_id, name, planned, actual FROM milestones WHERE item_id = $1 ORDER BY item_id, position"
        }
        None => "SELECT item_id, name, planned, actual FROM milestones ORDER BY item_id, position",
    };
    let mut q = sqlx::query(sql);
    if let Some(id) = item_id {
        q = q.bind(id);
    }
    let day = |s: Option<String>| -> Result<Option<chrono::NaiveDate>> {
        s.map(|s| {
            chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map_err(|e| StoreError::corrupt("milestones", e))
        })
        .transpose()
    };
    let mut out: HashMap<i64, Vec<Milestone>> = HashMap::new();
    let mut rows = q.fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        out.entry(r.try_get("item_id")?)
            .or_default()
            .push(Milestone {
                name: r.try_get("name")?,
                planned: day(r.try_get("planned")?)?,
                actual: day(r.try_get("actual")?)?,
            });
    }
    Ok(out)
}

/// Resolves a unit name or alias to its id.
pub(crate) async fn resolve_unit(conn: &mut AnyConnection, name: &str) -> Result<i64> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM units WHERE name = $1 UNION SELECT unit_id FROM unit_aliases WHERE alias = $1",
    )
    .bind(name.trim())
    .fetch_optional(&mut *conn)
    .await?;
    id.ok_or_else(|| StoreError::NotFound {
        what: "单位",
        key: name.to_string(),
    })
}

impl Store {
    /// Lists items, ordered by code.
    pub async fn items(&self, filter: &ItemFilter) -> Result<Vec<Item>> {
        let mut conn = self.pool.acquire().await?;
        Ok(list(&mut conn, filter)
            .await?
            .into_iter()
            .map(|(_, i)| i)
            .collect())
    }

    /// Counts the items a filter selects (its limit and offset aside).
    pub async fn count_filtered(&self, filter: &ItemFilter) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        let unit_id = match &filter.unit {
            Some(u) => Some(resolve_unit(&mut conn, u).await?),
            None => None,
        };
        let (where_sql, vals) = filter_sql(filter, unit_id);
        let sql = format!("SELECT COUNT(*) AS n FROM items i{where_sql}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for v in &vals {
            q = bind(q, v.clone());
        }
        Ok(q.fetch_one(&mut *conn).await?.try_get("n")?)
    }

    /// Counts items.
    pub async fn count_items(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM items")
            .fetch_one(&self.pool)
            .await?)
    }

    /// One item by code, with its milestones.
    pub async fn item(&self, code: &str) -> Result<Option<ItemRecord>> {
        let mut conn = self.pool.acquire().await?;
        let sql = format!("{ITEM_SELECT} WHERE i.code = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(code.trim())
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let (id, mut item) = item_from_row(&row)?;
        for r in sqlx::query(
            "SELECT u.name FROM item_co_units c JOIN units u ON u.id = c.unit_id WHERE c.item_id = $1 ORDER BY c.position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        {
            item.co_units.push(r.try_get("name")?);
        }
        let milestones = milestones(&mut conn, Some(id))
            .await?
            .remove(&id)
            .unwrap_or_default();
        Ok(Some(ItemRecord { item, milestones }))
    }

    /// Items with their milestones (for the ledger export).
    pub async fn item_records(&self, filter: &ItemFilter) -> Result<Vec<ItemRecord>> {
        let mut conn = self.pool.acquire().await?;
        let items = list(&mut conn, filter).await?;
        let mut ms = milestones(&mut conn, None).await?;
        Ok(items
            .into_iter()
            .map(|(id, item)| ItemRecord {
                item,
                milestones: ms.remove(&id).unwrap_or_default(),
            })
            .collect())
    }
}
