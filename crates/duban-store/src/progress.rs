//! 进度读模型 — what the status engine reads: per item and year, the year-to-date at the end
//! of each reported period and when each period's report was first submitted
//! (`item_progress`, kept by every write of reports), with the items and their milestones, in
//! three streamed queries.

use chrono::NaiveDate;
use duban_core::date::parse_iso_day;
use duban_core::{Item, Milestone, Period, Wan};
use std::sync::Arc;

use futures_util::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Row};

use crate::items::{ItemFilter, filter_sql, packed_milestone, parse_chain, resolve_unit};
use crate::packed::{Unpack, counted};
use crate::sql::{Val, bind, insert_many};
use crate::{Result, Store, StoreError};

/// What the status engine needs of one item's reports in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTrail {
    pub year: i32,
    /// (period end, year-to-date) of the latest revision of each period reported, ascending.
    pub ytd: Vec<(NaiveDate, Wan)>,
    /// When each period's report was first submitted, by period.
    pub first_submitted: Vec<(Period, NaiveDate)>,
}

impl ReportTrail {
    pub fn new(year: i32) -> ReportTrail {
        ReportTrail {
            year,
            ytd: Vec::new(),
            first_submitted: Vec::new(),
        }
    }

    /// When the report for `period` was first submitted, if it was.
    pub fn submitted(&self, period: Period) -> Option<NaiveDate> {
        self.first_submitted
            .iter()
            .find(|(p, _)| *p == period)
            .map(|(_, d)| *d)
    }
}

/// One item with everything the status engine reads.
#[derive(Debug, Clone)]
pub struct StatusInput {
    /// The item (co-operating units are not loaded).
    pub item: Item,
    pub milestones: Vec<Milestone>,
    pub trail: ReportTrail,
    /// 纳入日期 — the day the item was put on the ledger (`None`: before the day was kept);
    /// it counts from that period on ([`Period::lists`]).
    pub listed_on: Option<NaiveDate>,
}

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::corrupt("item_progress", e)
}

/// An item's periods of a year as the read model keeps them: (period end, year-to-date of
/// the latest revision that has one) and (period, first submission day).
#[derive(Default)]
struct Points {
    ytd: Vec<(String, i64)>,
    first_submitted: Vec<(String, String)>,
}

/// Recomputes `item_progress` of `year` from the reports, for one item or for all.
pub(crate) async fn refresh(conn: &mut AnyConnection, year: i32, item: Option<i64>) -> Result<()> {
    let range = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let (delete, select) = match item {
        Some(_) => (
            "DELETE FROM item_progress WHERE year = $1 AND item_id = $2",
            "SELECT item_id, period, period_end, revision, ytd, submitted_on FROM reports \
             WHERE period_end >= $1 AND period_end <= $2 AND item_id = $3 \
             ORDER BY item_id, period_end, period, revision",
        ),
        None => (
            "DELETE FROM item_progress WHERE year = $1",
            "SELECT item_id, period, period_end, revision, ytd, submitted_on FROM reports \
             WHERE period_end >= $1 AND period_end <= $2 ORDER BY item_id, period_end, period, revision",
        ),
    };
    let mut q = sqlx::query(delete).bind(i64::from(year));
    if let Some(id) = item {
        q = q.bind(id);
    }
    q.execute(&mut *conn).await?;
    let mut q = sqlx::query(select).bind(range.0).bind(range.1);
    if let Some(id) = item {
        q = q.bind(id);
    }
    let mut trails: Vec<(i64, Points)> = Vec::new();
    let mut rows = q.fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        let id: i64 = r.try_get("item_id")?;
        let period: String = r.try_get("period")?;
        let end: String = r.try_get("period_end")?;
        if trails.last().is_none_or(|t| t.0 != id) {
            trails.push((id, Points::default()));
        }
        let t = &mut trails.last_mut().expect("pushed above").1;
        if let Some(ytd) = r.try_get::<Option<i64>, _>("ytd")? {
            match t.ytd.last_mut() {
                Some(last) if last.0 == end => last.1 = ytd,
                _ => t.ytd.push((end, ytd)),
            }
        }
        if t.first_submitted.last().is_none_or(|(p, _)| *p != period) {
            t.first_submitted.push((period, r.try_get("submitted_on")?));
        }
    }
    drop(rows);
    let rows = trails.into_iter().map(|(id, points)| {
        vec![
            Val::from(id),
            i64::from(year).into(),
            serde_json::to_string(&points.ytd)
                .unwrap_or_default()
                .into(),
            serde_json::to_string(&points.first_submitted)
                .unwrap_or_default()
                .into(),
        ]
    });
    insert_many(
        conn,
        "item_progress",
        &["item_id", "year", "ytd", "first_submitted"],
        rows,
    )
    .await
}

/// Rebuilds the read model of every year when it is empty but reports exist (after a
/// migration changed its shape).
pub(crate) async fn rebuild_if_empty(conn: &mut AnyConnection) -> Result<()> {
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM item_progress")
        .fetch_one(&mut *conn)
        .await?;
    if kept > 0 {
        return Ok(());
    }
    let years: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT substr(period_end, 1, 4) FROM reports WHERE period_end IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for y in years {
        refresh(conn, y.parse().map_err(|_| corrupt(&y))?, None).await?;
    }
    Ok(())
}

/// Status inputs are read in this many parts at once (each on its own connection): SQLite
/// hands rows over one by one, and several readers keep both cores busy.
const PARTS: usize = 2;

fn trail_from(year: i32, ytd: &str, submitted: &str) -> Result<ReportTrail> {
    let ytd: Vec<(&str, i64)> = serde_json::from_str(ytd).map_err(corrupt)?;
    let on: Vec<(&str, &str)> = serde_json::from_str(submitted).map_err(corrupt)?;
    let day = |s: &str| parse_iso_day(s).ok_or_else(|| corrupt(s));
    Ok(ReportTrail {
        year,
        ytd: ytd
            .into_iter()
            .map(|(end, y)| Ok((day(end)?, Wan::from_yuan(y))))
            .collect::<Result<_>>()?,
        first_submitted: on
            .into_iter()
            .map(|(p, d)| Ok((Period::parse(p).map_err(corrupt)?, day(d)?)))
            .collect::<Result<_>>()?,
    })
}

/// The WHERE clause and values selecting the items of a status run.
struct Selection {
    where_sql: String,
    vals: Vec<Val>,
    /// Narrows the milestones read with the items (a few items written since a version:
    /// their milestones, not every item's).
    milestones_sql: String,
}

impl Selection {
    fn query(
        &self,
        sql: String,
    ) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in &self.vals {
            q = bind(q, v.clone());
        }
        q
    }
}

/// What becomes of each input as it is read (the status engine judges it there and then, so
/// a province's inputs are never all held at once).
pub(crate) type Mapper<T> = Arc<dyn Fn(StatusInput) -> T + Send + Sync>;

/// Items of the selection whose id falls in `part` of `parts`, each with its lean columns,
/// its progress row and its milestones, read as one text line per item and one row per
/// `BATCH` items: SQLite hands rows across threads one at a time, so fewer rows is faster.
async fn read_part<T>(
    mut conn: PoolConnection<Any>,
    sel: Arc<Selection>,
    year: i32,
    ids: Ids,
    map: Mapper<T>,
) -> Result<Vec<(String, T)>> {
    let cond = if sel.where_sql.is_empty() {
        " WHERE ".to_string()
    } else {
        format!("{} AND ", sel.where_sql)
    };
    let txt = |c: &str| counted(&format!("COALESCE(CAST({c} AS TEXT), '')"));
    let line = [
        txt("i.code"),
        txt("i.year"),
        txt("i.kind"),
        txt("i.name"),
        txt("i.stage"),
        txt("i.total_investment"),
        txt("i.annual_plan"),
        txt("i.monthly_plan"),
        txt("i.planned_start"),
        txt("i.planned_end"),
        txt("i.in_statistics"),
        txt("l.name"),
        txt("p.ytd"),
        txt("p.first_submitted"),
        txt("mc.chain"),
        txt("i.listed_on"),
    ]
    .join(" || ");
    let milestone = packed_milestone("m", false);
    let Ids {
        from,
        until,
        batched,
    } = ids;
    let lines = format!(
        "SELECT i.id, {line} AS line \
         FROM items i JOIN units l ON l.id = i.lead_unit_id \
         LEFT JOIN item_progress p ON p.item_id = i.id AND p.year = {year} \
             AND p.item_id >= {from} AND p.item_id < {until} \
         LEFT JOIN (SELECT m.item_id, string_agg({milestone}, '' ORDER BY m.position) AS chain \
             FROM milestones m WHERE m.item_id >= {from} AND m.item_id < {until}{} \
             GROUP BY m.item_id) mc ON mc.item_id = i.id\
         {cond}i.id >= {from} AND i.id < {until}",
        sel.milestones_sql
    );
    let q = sel.query(if batched {
        format!("SELECT string_agg(line, '') AS batch FROM ({lines}) x GROUP BY x.id / {BATCH}")
    } else {
        format!("SELECT line AS batch FROM ({lines}) x")
    });
    let mut out = Vec::new();
    // PostgreSQL's parallel workers would each aggregate every milestone of the part again
    // (three times the work on two cores, where the parts already run side by side): one
    // process a part, in a read-only transaction so the setting ends with it.
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    if !batched {
        sqlx::query("SET LOCAL max_parallel_workers_per_gather = 0")
            .execute(&mut *tx)
            .await?;
    }
    let mut rows = q.fetch(&mut *tx);
    while let Some(row) = rows.try_next().await? {
        let batch: String = row.try_get("batch")?;
        let mut fields = Unpack::new(&batch, "status read");
        while !fields.is_empty() {
            let input = input_from_line(&mut fields, year)?;
            out.push((input.item.code.clone(), map(input)));
        }
    }
    drop(rows);
    tx.commit().await?;
    Ok(out)
}

/// Items per row of a status read on SQLite.
const BATCH: usize = 64;

/// The items one part of a status read reads: ids from `from` up to (not including)
/// `until`. Ranges, not every n-th id: PostgreSQL then estimates the rows well (a remainder
/// it guessed at 0.5 %, and sorted a million items on disk). `batched`: packed `BATCH` items
/// a row (SQLite, which hands rows across threads one at a time); PostgreSQL sends a row an
/// item, as it would have to sort them to pack them.
#[derive(Debug, Clone, Copy)]
struct Ids {
    from: i64,
    until: i64,
    batched: bool,
}

/// The ids of `items` split into `parts` ranges of equal width.
fn id_ranges(lowest: i64, highest: i64, parts: usize, batched: bool) -> Vec<Ids> {
    let parts = parts.max(1) as i64;
    let width = ((highest - lowest + 1).max(1) + parts - 1) / parts;
    (0..parts)
        .map(|p| Ids {
            from: lowest + p * width,
            until: if p == parts - 1 {
                highest + 1
            } else {
                lowest + (p + 1) * width
            },
            batched,
        })
        .collect()
}

/// An empty field is a NULL.
fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// The fields of one item's status line, as `read_part` packs them.
const LINE_FIELDS: usize = 16;

fn input_from_line(fields: &mut Unpack<'_>, year: i32) -> Result<StatusInput> {
    let mut f = [""; LINE_FIELDS];
    for v in &mut f {
        *v = fields.next_value()?;
    }
    let bad = |c: &str, e: String| StoreError::corrupt(format!("items.{c}"), e);
    let money = |s: &str| -> Result<Option<Wan>> {
        opt(s)
            .map(|v| {
                v.parse::<i64>()
                    .map(Wan::from_yuan)
                    .map_err(|e| bad("money", e.to_string()))
            })
            .transpose()
    };
    let date = |c: &str, s: &str| -> Result<Option<duban_core::PlanDate>> {
        opt(s)
            .map(|v| duban_core::PlanDate::parse(v).map_err(|e| bad(c, e.to_string())))
            .transpose()
    };
    let mut item = Item::new(
        f[1].parse().map_err(|_| bad("year", f[1].to_string()))?,
        duban_core::ItemKind::parse(f[2]).map_err(|e| bad("kind", e.to_string()))?,
        f[3],
        f[11],
    );
    item.code = f[0].to_string();
    item.stage = opt(f[4])
        .map(|v| duban_core::Stage::parse(v).map_err(|e| bad("stage", e.to_string())))
        .transpose()?;
    item.total_investment = money(f[5])?;
    item.annual_plan = money(f[6])?;
    item.monthly_plan = opt(f[7])
        .map(|v| {
            serde_json::from_str::<Vec<i64>>(v)
                .map(|m| duban_core::MonthlyPlan(m.into_iter().map(Wan::from_yuan).collect()))
        })
        .transpose()
        .map_err(|e| bad("monthly_plan", e.to_string()))?;
    item.planned_start = date("planned_start", f[8])?;
    item.planned_end = date("planned_end", f[9])?;
    item.in_statistics = opt(f[10]).map(|v| v != "0");
    let trail = match (opt(f[12]), opt(f[13])) {
        (Some(y), Some(s)) => trail_from(year, y, s)?,
        _ => ReportTrail::new(year),
    };
    let milestones = match opt(f[14]) {
        Some(c) => parse_chain(c, false)?,
        None => Vec::new(),
    };
    let listed_on = opt(f[15])
        .map(|v| parse_iso_day(v).ok_or_else(|| bad("listed_on", v.to_string())))
        .transpose()?;
    Ok(StatusInput {
        item,
        milestones,
        trail,
        listed_on,
    })
}

impl Store {
    /// Every item of `year` (of one unit, if given) with its milestones and report trail, in
    /// code order. Read as one row per item, in parts read at once on separate connections.
    pub async fn status_inputs(&self, year: i32, unit: Option<&str>) -> Result<Vec<StatusInput>> {
        self.read_mapped(year, unit, Arc::new(|i| i)).await
    }

    /// Reads the status inputs of `year` (of one unit) and maps each as it comes, in parts
    /// read and mapped in parallel tasks; the results in code order.
    pub(crate) async fn read_mapped<T: Send + 'static>(
        &self,
        year: i32,
        unit: Option<&str>,
        map: Mapper<T>,
    ) -> Result<Vec<T>> {
        self.read_mapped_where(year, unit, None, map).await
    }

    /// As [`Store::read_mapped`], of the items written after a data version only, if given.
    pub(crate) async fn read_mapped_where<T: Send + 'static>(
        &self,
        year: i32,
        unit: Option<&str>,
        touched_after: Option<i64>,
        map: Mapper<T>,
    ) -> Result<Vec<T>> {
        let unit_id = match unit {
            Some(u) => Some(resolve_unit(&mut *self.pool.acquire().await?, u).await?),
            None => None,
        };
        let filter = ItemFilter {
            year: Some(year),
            touched_after,
            ..Default::default()
        };
        let (where_sql, vals) = filter_sql(&filter, unit_id);
        // A number, written into the statement (the milestones' subquery has no parameters).
        let milestones_sql = touched_after
            .map(|v| format!(" AND m.item_id IN (SELECT id FROM items WHERE touched > {v})"))
            .unwrap_or_default();
        let sel = Arc::new(Selection {
            where_sql,
            vals,
            milestones_sql,
        });
        let parts = PARTS
            .min(self.pool.options().get_max_connections() as usize)
            .max(1);
        let (lowest, highest): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(id), MAX(id) FROM items")
                .fetch_one(&self.pool)
                .await?;
        let ranges = id_ranges(
            lowest.unwrap_or(0),
            highest.unwrap_or(0),
            parts,
            self.backend == crate::Backend::Sqlite,
        );
        let mut tasks = Vec::with_capacity(parts);
        for ids in ranges {
            let conn = self.pool.acquire().await?;
            tasks.push(tokio::spawn(read_part(
                conn,
                sel.clone(),
                year,
                ids,
                map.clone(),
            )));
        }
        let mut done = Vec::with_capacity(tasks.len());
        for t in tasks {
            done.push(
                t.await
                    .map_err(|e| StoreError::Invalid(format!("内部错误：{e}")))??,
            );
        }
        // Merged by code into one vector allocated once (a province is large).
        let mut all = Vec::with_capacity(done.iter().map(Vec::len).sum());
        for part in done {
            all.extend(part);
        }
        all.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        Ok(all.into_iter().map(|(_, t)| t).collect())
    }
}

/// Who an item belongs to, for deciding who may see it: 所在地, 包抓领导, 配合单位.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRefs {
    pub region: Option<String>,
    pub leader: Option<duban_core::Leader>,
    pub co_units: Vec<String>,
    /// 标签
    pub tags: Vec<String>,
    /// 会议来源 — the meeting a task was handed down at (its extra column).
    pub meeting: Option<String>,
}

impl Store {
    /// The region, leader, co-operating units, tags and source meeting of every item of
    /// `year` (written after a data version, if given), by code, in one streamed query (what
    /// the status inputs leave out).
    pub async fn item_refs(
        &self,
        year: i32,
        touched_after: Option<i64>,
    ) -> Result<std::collections::HashMap<String, ItemRefs>> {
        let mut conn = self.pool.acquire().await?;
        // A number written into the statement: the few items written since a version,
        // through the index on touched.
        let touched = touched_after
            .map(|v| format!(" IN (SELECT id FROM items WHERE touched > {v})"))
            .unwrap_or_default();
        let since = if touched.is_empty() {
            String::new()
        } else {
            format!(" AND i.id{touched}")
        };
        let co_since = if touched.is_empty() {
            String::new()
        } else {
            format!(" WHERE c.item_id{touched}")
        };
        // Each item's co-operating units are aggregated once, together: a subquery per item
        // took 3.2 s of a million items' 4.1 s on PostgreSQL, the join of the aggregates 1.2 s.
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT i.code, r.name AS region, ld.name AS leader, ld.title AS title, co.co, \
                    i.tags, i.extra \
             FROM items i LEFT JOIN units r ON r.id = i.region_id \
             LEFT JOIN leaders ld ON ld.id = i.leader_id \
             LEFT JOIN (SELECT c.item_id, \
                     string_agg(octet_length(u.name) || ':' || u.name, '' ORDER BY c.position) AS co \
                 FROM item_co_units c JOIN units u ON u.id = c.unit_id{co_since} GROUP BY c.item_id) co \
               ON co.item_id = i.id \
             WHERE i.year = $1{since}"
        )))
        .bind(i64::from(year))
        .fetch(&mut *conn);
        let mut out = std::collections::HashMap::new();
        while let Some(r) = rows.try_next().await? {
            let leader = r.try_get::<Option<String>, _>("leader")?.map(|name| {
                let title: Option<String> = r.try_get("title").ok().flatten();
                duban_core::Leader::new(name, title.as_deref().filter(|t| !t.is_empty()))
            });
            let co: Option<String> = r.try_get("co")?;
            let tags: String = r.try_get("tags")?;
            let extra: String = r.try_get("extra")?;
            let tags: Vec<String> = if tags == "[]" {
                Vec::new()
            } else {
                serde_json::from_str(&tags).map_err(|e| StoreError::corrupt("items.tags", e))?
            };
            let meeting = if extra == "{}" {
                None
            } else {
                serde_json::from_str::<std::collections::BTreeMap<String, String>>(&extra)
                    .map_err(|e| StoreError::corrupt("items.extra", e))?
                    .remove("会议来源")
            };
            out.insert(
                r.try_get("code")?,
                ItemRefs {
                    region: r.try_get("region")?,
                    leader,
                    co_units: match co {
                        Some(c) => {
                            let mut u = Unpack::new(&c, "item_co_units");
                            let mut names = Vec::new();
                            while !u.is_empty() {
                                names.push(u.next_value()?.to_string());
                            }
                            names
                        }
                        None => Vec::new(),
                    },
                    tags,
                    meeting,
                },
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::id_ranges;

    /// Every id from the lowest to the highest is read by exactly one part.
    #[test]
    fn the_parts_cover_every_id_once() {
        for (lowest, highest, parts) in [(1, 1_000_000, 2), (7, 10, 3), (5, 5, 2), (1, 3, 4)] {
            let ranges = id_ranges(lowest, highest, parts, false);
            assert_eq!(ranges.len(), parts);
            assert_eq!(ranges[0].from, lowest);
            assert_eq!(ranges[parts - 1].until, highest + 1);
            for pair in ranges.windows(2) {
                assert_eq!(
                    pair[0].until, pair[1].from,
                    "{lowest}..={highest} in {parts}"
                );
            }
        }
        // A million ids in two halves.
        let halves = id_ranges(1, 1_000_000, 2, true);
        assert_eq!((halves[0].until, halves[1].from), (500_001, 500_001));
    }
}
