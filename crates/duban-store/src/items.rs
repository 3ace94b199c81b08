//! 台账读取 — reading items and their milestones; the mapping between `Item` and table rows.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use duban_core::date::parse_iso_day;
use duban_core::{Item, ItemKind, Milestone, Stage};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::item_columns;
use crate::packed::{Unpack, counted};
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
    /// 归档 — active items (the default), archived ones, or both.
    pub archive: ArchiveScope,
    /// Only items written after this data version (themselves or what their status reads).
    pub touched_after: Option<i64>,
    /// 会议来源 — only items that may have come from a meeting (their other columns name
    /// one); the caller reads the column itself. A meeting's tasks among a million items.
    pub from_meeting: bool,
}

/// What an item's other columns (stored as JSON text) hold when they name its meeting.
pub(crate) const NAMES_A_MEETING: &str = "%\"会议来源\"%";

/// 归档范围 — which items a read includes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ArchiveScope {
    /// 在册 — items not archived.
    #[default]
    Active,
    /// 已归档
    Archived,
    /// 全部
    All,
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
    /// 已归档 — out of the ledger, the status and the rankings until restored.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
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
    match f.archive {
        ArchiveScope::Active => conds.push("i.archived_at IS NULL".to_string()),
        ArchiveScope::Archived => conds.push("i.archived_at IS NOT NULL".to_string()),
        ArchiveScope::All => {}
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
    if let Some(v) = f.touched_after {
        // As a subquery: the planner then reads the few rows through the index on touched,
        // not every item of the year through the index on year.
        conds.push(format!(
            "i.id IN (SELECT id FROM items WHERE touched > {})",
            next(v.into(), &mut vals)
        ));
    }
    if f.from_meeting {
        conds.push(format!(
            "i.extra LIKE {}",
            next(NAMES_A_MEETING.into(), &mut vals)
        ));
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

/// Up to how many items read their co-operating units by id (numbers written into the
/// statement); more are read by the filter that selected them.
const CO_UNITS_BY_ID: usize = 1_000;

/// Attaches co-operating units to items, read by their ids or with the same filter.
async fn attach_co_units(
    conn: &mut AnyConnection,
    items: &mut [(i64, Item)],
    where_sql: &str,
    vals: &[Val],
) -> Result<()> {
    // A page of items: theirs, by id (a page of a million items read every item's before).
    let page = items.len() <= CO_UNITS_BY_ID;
    let among = if page {
        let ids: Vec<String> = items.iter().map(|(id, _)| id.to_string()).collect();
        if ids.is_empty() {
            return Ok(());
        }
        ids.join(",")
    } else {
        format!("SELECT i.id FROM items i{where_sql}")
    };
    let sql = format!(
        "SELECT c.item_id, u.name FROM item_co_units c JOIN units u ON u.id = c.unit_id \
         WHERE c.item_id IN ({among}) ORDER BY c.item_id, c.position"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
    if !page {
        for v in vals {
            q = bind(q, v.clone());
        }
    }
    let mut co: HashMap<i64, Vec<String>> = HashMap::new();
    let mut rows = q.fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        let (item_id, name) = <(i64, String)>::from_row(&r)?;
        co.entry(item_id).or_default().push(name);
    }
    drop(rows);
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
    let mut page = String::new();
    if let Some(l) = f.limit {
        page.push_str(&format!(" LIMIT {}", l.max(0)));
        if let Some(o) = f.offset {
            page.push_str(&format!(" OFFSET {}", o.max(0)));
        }
    }
    list_where(conn, &where_sql, vals, &page).await
}

/// Up to how many codes or names one statement looks up (well inside both backends'
/// parameter limits).
const LOOKUP_CHUNK: usize = 5_000;

/// Which column [`matching`] looks items up by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lookup {
    /// 项目编号
    Code,
    /// 项目名称
    Name,
}

/// The items, archived or not, whose code (or name) is one of `keys`, ordered by code within
/// each statement: what a write of a few rows may match, read without reading the ledger
/// (a million items and their milestones are gigabytes).
pub(crate) async fn matching(
    conn: &mut AnyConnection,
    by: Lookup,
    keys: &[&str],
) -> Result<Vec<(i64, Item)>> {
    let column = match by {
        Lookup::Code => "i.code",
        Lookup::Name => "i.name",
    };
    let mut out = Vec::new();
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        let where_sql = format!(
            " WHERE {column} IN ({})",
            crate::sql::placeholders(conn, chunk.len())
        );
        let vals = chunk.iter().map(|k| Val::from(k.to_string())).collect();
        out.extend(list_where(conn, &where_sql, vals, "").await?);
    }
    Ok(out)
}

/// Items with their ids and co-operating units: those `where_sql` selects (with `vals`
/// bound), ordered by code, then `page` (LIMIT/OFFSET, or nothing).
async fn list_where(
    conn: &mut AnyConnection,
    where_sql: &str,
    vals: Vec<Val>,
    page: &str,
) -> Result<Vec<(i64, Item)>> {
    let sql = format!("{}{where_sql} ORDER BY i.code{page}", *item_columns::SELECT);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
    for v in &vals {
        q = bind(q, v.clone());
    }
    // Row by row: a province ledger read at once would hold every row twice.
    let mut items = Vec::new();
    let mut rows = q.fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        items.push(item_columns::item_from_row(&r)?);
    }
    drop(rows);
    attach_co_units(conn, &mut items, where_sql, &vals).await?;
    Ok(items)
}

/// Milestones of one item, by item id, in chain order. Chains are read packed, one row an
/// item (SQLite hands rows one by one through sqlx's `Any` driver; the province's
/// 293,000 milestones come as 50,000 rows).
pub(crate) async fn milestones(
    conn: &mut AnyConnection,
    item_id: i64,
) -> Result<HashMap<i64, Vec<Milestone>>> {
    let mut out = HashMap::new();
    chains(conn, " WHERE m.item_id = $1", Some(item_id), None, &mut out).await?;
    Ok(out)
}

/// Reads into `out` the milestone chains of the items `where_sql` selects (with `id` bound
/// as its one parameter, if given), of those only the `wanted` ones if given (the others are
/// passed over unread).
async fn chains(
    conn: &mut AnyConnection,
    where_sql: &str,
    id: Option<i64>,
    wanted: Option<&HashSet<i64>>,
    out: &mut HashMap<i64, Vec<Milestone>>,
) -> Result<()> {
    let chain = packed_milestone("m", true);
    let sql = format!(
        "SELECT m.item_id, string_agg({chain}, '' ORDER BY m.position) AS chain \
         FROM milestones m{where_sql} GROUP BY m.item_id"
    );
    let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
    if let Some(id) = id {
        q = q.bind(id);
    }
    let mut rows = q.fetch(&mut *conn);
    while let Some((id, chain)) = rows.try_next().await? {
        if wanted.is_none_or(|w| w.contains(&id)) {
            out.insert(id, parse_chain(&chain, true)?);
        }
    }
    Ok(())
}

/// Milestones of the items `ids`, by item id, in chain order (as [`milestones`]), a chunk of
/// ids at a time.
pub(crate) async fn milestones_among(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Milestone>>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        // Numbers, written into the statement.
        let among: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let where_sql = format!(" WHERE m.item_id IN ({})", among.join(","));
        chains(conn, &where_sql, None, None, &mut out).await?;
    }
    Ok(out)
}

/// A milestone row, as stored.
#[derive(sqlx::FromRow)]
struct MilestoneRow {
    name: String,
    planned: Option<String>,
    actual: Option<String>,
    baseline: Option<String>,
}

/// The milestone, without its item.
impl TryFrom<MilestoneRow> for Milestone {
    type Error = StoreError;

    fn try_from(r: MilestoneRow) -> Result<Milestone> {
        let day = |s: Option<String>| s.as_deref().map(stored_day).transpose();
        Ok(Milestone {
            name: r.name,
            planned: day(r.planned)?,
            actual: day(r.actual)?,
            baseline: day(r.baseline)?,
        })
    }
}

/// A milestone's date as stored ("YYYY-MM-DD").
fn stored_day(s: &str) -> Result<NaiveDate> {
    parse_iso_day(s).ok_or_else(|| StoreError::corrupt("milestones", s))
}

/// SQL packing the milestone `m` (an alias of `milestones`) for [`parse_chain`]: its name,
/// planned and actual dates and, with `baseline`, its baseline, each counted.
pub(crate) fn packed_milestone(m: &str, baseline: bool) -> String {
    let mut fields = vec![
        counted(&format!("{m}.name")),
        counted(&format!("COALESCE({m}.planned, '')")),
        counted(&format!("COALESCE({m}.actual, '')")),
    ];
    if baseline {
        fields.push(counted(&format!("COALESCE({m}.baseline, '')")));
    }
    fields.join(" || ")
}

/// Reads a chain of milestones packed by [`packed_milestone`] (with `baseline` as packed;
/// without, the baselines are left empty).
pub(crate) fn parse_chain(chain: &str, baseline: bool) -> Result<Vec<Milestone>> {
    let day = |s: &str| (!s.is_empty()).then(|| stored_day(s)).transpose();
    let mut u = Unpack::new(chain, "milestones");
    let mut out = Vec::new();
    while !u.is_empty() {
        let name = u.next_value()?;
        let planned = day(u.next_value()?)?;
        let actual = day(u.next_value()?)?;
        let baseline = if baseline {
            day(u.next_value()?)?
        } else {
            None
        };
        out.push(Milestone {
            name: name.to_string(),
            planned,
            actual,
            baseline,
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
        let (n,) = <(i64,)>::from_row(&q.fetch_one(&mut *conn).await?)?;
        Ok(n)
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
        let sql = format!("{} WHERE i.code = $1", *item_columns::SELECT);
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(code.trim())
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let (id, mut item) = item_columns::item_from_row(&row)?;
        let co_units: Vec<String> = sqlx::query_scalar(
            "SELECT u.name FROM item_co_units c JOIN units u ON u.id = c.unit_id WHERE c.item_id = $1 ORDER BY c.position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        item.co_units.extend(co_units);
        let milestones = milestones(&mut conn, id)
            .await?
            .remove(&id)
            .unwrap_or_default();
        let archived_at: Option<String> =
            sqlx::query_scalar("SELECT archived_at FROM items WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        Ok(Some(ItemRecord {
            item,
            milestones,
            archived: archived_at.is_some(),
        }))
    }

    /// One item's milestones by its code, in chain order (one read).
    pub async fn milestones_of(&self, code: &str) -> Result<Vec<Milestone>> {
        sqlx::query_as::<_, MilestoneRow>(
            "SELECT m.name, m.planned, m.actual, m.baseline FROM milestones m \
             JOIN items i ON i.id = m.item_id WHERE i.code = $1 ORDER BY m.position",
        )
        .bind(code.trim())
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Milestone::try_from)
        .collect()
    }

    /// Items with their milestones (for the ledger export).
    pub async fn item_records(&self, filter: &ItemFilter) -> Result<Vec<ItemRecord>> {
        let mut conn = self.pool.acquire().await?;
        let items = list(&mut conn, filter).await?;
        with_milestones(&mut conn, items, filter.archive == ArchiveScope::Archived).await
    }

    /// The items of `codes`, archived or not, with their milestones, in code order (a unit's
    /// export from a ledger of a million reads its rows, not the ledger).
    pub async fn item_records_of(&self, codes: &[&str]) -> Result<Vec<ItemRecord>> {
        let mut conn = self.pool.acquire().await?;
        let mut items = matching(&mut conn, Lookup::Code, codes).await?;
        items.sort_unstable_by(|a, b| a.1.code.cmp(&b.1.code));
        with_milestones(&mut conn, items, false).await
    }
}

/// Up to how many items always read their milestones by id (a query or two).
const MILESTONES_BY_ID: usize = LOOKUP_CHUNK;

/// More items read theirs by id while they are at most this share of the ledger; a larger
/// share reads every chain at once (one scan, cheaper than many lookups) and keeps only
/// theirs. A unit's 100,000 items of a million read every chain before and held them all:
/// 570 MB, and PostgreSQL packed 5.8 million milestones in 2.8 s against 0.56 s for theirs.
const BY_ID_UP_TO_SHARE: usize = 3;

/// `items` with their milestones, marked `archived` or not.
async fn with_milestones(
    conn: &mut AnyConnection,
    items: Vec<(i64, Item)>,
    archived: bool,
) -> Result<Vec<ItemRecord>> {
    let by_id = items.len() <= MILESTONES_BY_ID || {
        let all: i64 = sqlx::query_scalar("SELECT count(*) FROM items")
            .fetch_one(&mut *conn)
            .await?;
        items.len().saturating_mul(BY_ID_UP_TO_SHARE) <= usize::try_from(all).unwrap_or(0)
    };
    let mut ms = if by_id {
        let ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
        milestones_among(conn, &ids).await?
    } else {
        let wanted: HashSet<i64> = items.iter().map(|(id, _)| *id).collect();
        let mut out = HashMap::with_capacity(wanted.len());
        chains(conn, "", None, Some(&wanted), &mut out).await?;
        out
    };
    Ok(items
        .into_iter()
        .map(|(id, item)| ItemRecord {
            item,
            milestones: ms.remove(&id).unwrap_or_default(),
            archived,
        })
        .collect())
}

/// 逾期节点 — a milestone past its date and not reached, with its item.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OverdueMilestone {
    /// 项目编号, 项目名称
    pub code: String,
    pub item_name: String,
    /// 节点
    pub milestone: String,
    /// 计划时间 (YYYY-MM-DD)
    pub planned: String,
}

impl Store {
    /// The milestones of `leader`'s active items past their date on `as_of` and not reached,
    /// the longest overdue first, at most `limit`.
    pub async fn overdue_milestones(
        &self,
        leader: &duban_core::Leader,
        as_of: chrono::NaiveDate,
        limit: i64,
    ) -> Result<Vec<OverdueMilestone>> {
        Ok(sqlx::query_as(
            "SELECT i.code, i.name AS item_name, m.name AS milestone, m.planned \
             FROM milestones m JOIN items i ON i.id = m.item_id \
             WHERE i.leader_id IN (SELECT id FROM leaders WHERE name = $1 AND title = $2) \
               AND i.archived_at IS NULL AND m.actual IS NULL AND m.planned < $3 \
             ORDER BY m.planned, i.code LIMIT $4",
        )
        .bind(&leader.name)
        .bind(leader.title.clone().unwrap_or_default())
        .bind(as_of.format("%Y-%m-%d").to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
