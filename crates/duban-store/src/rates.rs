//! 比率 — the rates of every region and department for a period and the periods before it,
//! read in one pass over the ledger, the reports and the problems, with the period's red items.

use std::collections::HashMap;

use chrono::NaiveDate;
use duban_core::bulletin::{self, RedItem};
use duban_core::rates::{ItemSum, Tally};
use duban_core::{Period, ProblemState, Thresholds, UnitKind};
use serde::{Deserialize, Serialize};

use crate::tallies::GroupSum;
use crate::{Result, Store, StoreError};

/// 排名对象 — whether units are regions (by where the item is) or departments (by the lead
/// unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// 县区 — counties, districts and zones.
    #[default]
    Region,
    /// 部门 — city departments leading items.
    Department,
}

impl Grouping {
    pub fn label(self) -> &'static str {
        match self {
            Grouping::Region => "县区",
            Grouping::Department => "部门",
        }
    }

    pub fn parse(text: &str) -> std::result::Result<Grouping, String> {
        match text.trim() {
            "region" | "县区" | "地区" | "区域" => Ok(Grouping::Region),
            "department" | "部门" => Ok(Grouping::Department),
            other => Err(format!(
                "无法识别的排名对象“{other}”（可选：region 县区、department 部门）"
            )),
        }
    }
}

/// The rates of one period for every unit of one grouping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateBoard {
    pub period: Period,
    /// The date progress is measured at: the period's last day.
    pub as_of: NaiveDate,
    pub grouping: Grouping,
    /// The whole city (every item, whatever its unit).
    pub overall: Tally,
    /// Every unit of the grouping in directory order, those with no items too.
    pub units: Vec<(String, Tally)>,
}

/// What a review of a period reads: boards for it and the periods before it (latest first),
/// by region and by department, and its red items.
#[derive(Debug, Clone)]
pub struct Review {
    pub by_region: Vec<RateBoard>,
    pub by_department: Vec<RateBoard>,
    /// How many items are red on the period's last day.
    pub red_count: usize,
    /// The worst of them with their red reasons: the [`bulletin::LISTED`] most behind, in code
    /// order among equals: what a bulletin lists.
    pub red_items: Vec<RedItem>,
}

impl Review {
    pub fn boards(&self, g: Grouping) -> &[RateBoard] {
        match g {
            Grouping::Region => &self.by_region,
            Grouping::Department => &self.by_department,
        }
    }
}

/// What a review was made for, and the data version it was made at.
#[derive(Debug, Clone, PartialEq)]
struct ReviewKey {
    period: Period,
    back: usize,
    today: NaiveDate,
    th: Thresholds,
    version: i64,
}

/// The last review made: the rankings by region and by department and the bulletin of one
/// period ask for the same one, and get it without adding up the province again.
#[derive(Debug, Default)]
pub(crate) struct LastReview(std::sync::Mutex<Option<(ReviewKey, Review)>>);

impl LastReview {
    fn get(&self, key: &ReviewKey) -> Option<Review> {
        let last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        last.as_ref()
            .filter(|(k, _)| k == key)
            .map(|(_, r)| r.clone())
    }

    fn keep(&self, key: ReviewKey, review: Review) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, review));
    }
}

/// The unit directory as rankings need it.
struct Directory {
    regions: Vec<String>,
    departments: Vec<String>,
    kinds: HashMap<String, UnitKind>,
}

impl Directory {
    /// Regions exclude the city itself (a region that is another region's parent).
    async fn load(store: &Store) -> Result<Directory> {
        let units = store.units().await?;
        let parents: Vec<&str> = units
            .iter()
            .filter(|u| u.unit.kind == UnitKind::Region)
            .filter_map(|u| u.unit.parent.as_deref())
            .collect();
        let pick = |k: UnitKind| -> Vec<String> {
            units
                .iter()
                .filter(|u| u.unit.kind == k && !parents.contains(&u.unit.name.as_str()))
                .map(|u| u.unit.name.clone())
                .collect()
        };
        Ok(Directory {
            regions: pick(UnitKind::Region),
            departments: pick(UnitKind::Department),
            kinds: units
                .iter()
                .map(|u| (u.unit.name.clone(), u.unit.kind))
                .collect(),
        })
    }

    fn key(&self, g: Grouping, region: Option<&str>, lead: &str) -> Option<String> {
        let kind = self.kinds.get(lead).copied();
        match g {
            Grouping::Region => region
                .map(str::to_string)
                .or_else(|| (kind == Some(UnitKind::Region)).then(|| lead.to_string())),
            Grouping::Department => (kind == Some(UnitKind::Department)).then(|| lead.to_string()),
        }
    }

    fn names(&self, g: Grouping) -> &[String] {
        match g {
            Grouping::Region => &self.regions,
            Grouping::Department => &self.departments,
        }
    }
}

/// A problem as the rates count it.
struct ProblemLine {
    region: Option<String>,
    lead: String,
    assigned: Option<String>,
    due: Option<NaiveDate>,
    closed: bool,
}

/// Every problem with the region and lead unit of its item and the unit it is assigned to.
const PROBLEM_LINES: &str = "SELECT r.name AS region, l.name AS lead, a.name AS assigned, p.due, p.state \
    FROM problems p JOIN items i ON i.id = p.item_id \
    JOIN units l ON l.id = i.lead_unit_id \
    LEFT JOIN units r ON r.id = i.region_id \
    LEFT JOIN units a ON a.id = p.assigned_unit_id";

/// A row of [`PROBLEM_LINES`], as stored.
#[derive(sqlx::FromRow)]
struct ProblemLineRow {
    region: Option<String>,
    lead: String,
    assigned: Option<String>,
    due: Option<String>,
    state: String,
}

impl TryFrom<ProblemLineRow> for ProblemLine {
    type Error = StoreError;

    fn try_from(r: ProblemLineRow) -> Result<ProblemLine> {
        Ok(ProblemLine {
            region: r.region,
            lead: r.lead,
            assigned: r.assigned,
            due: r.due.as_deref().and_then(duban_core::date::parse_iso_day),
            closed: ProblemState::parse(&r.state)
                .map_err(|e| StoreError::corrupt("problems.state", e))?
                == ProblemState::Closed,
        })
    }
}

impl Store {
    /// The rates for `period` and up to `back` periods before it in the same year (latest
    /// first; a year's rankings start afresh in its first period), by region and by
    /// department, with `period`'s red items; reports judged on `today`.
    pub async fn review(
        &self,
        period: Period,
        back: usize,
        today: NaiveDate,
        th: &Thresholds,
    ) -> Result<Review> {
        // A period is ranked, bulletined and its 约谈 list drawn only once it is over: before,
        // its reports are not even due and every unit would look behind.
        if today <= period.last_day() {
            return Err(StoreError::Invalid(format!(
                "{}尚未结束（今天是 {today}），不能排名或通报；请选择已结束的期间",
                period.label()
            )));
        }
        let mut periods = vec![period];
        while periods.len() <= back {
            let p = periods.last().copied().unwrap_or(period).previous();
            if p.year() != period.year() {
                break;
            }
            periods.push(p);
        }
        let kept = self
            .year_tallies(period.year(), &periods, period, today, th)
            .await?;
        let key = ReviewKey {
            period,
            back,
            today,
            th: th.clone(),
            version: kept.version(),
        };
        if let Some(review) = self.last_review.get(&key) {
            return Ok(review);
        }
        // Read after the version: a review is never kept under a version older than its data.
        let dir = Directory::load(self).await?;
        let columns: Vec<usize> = periods.iter().filter_map(|p| kept.column(*p)).collect();
        let (red_count, red_items) = kept.red_on(period);
        let problems = self.problem_lines(period.year()).await?;
        let boards = |g| boards(&dir, g, &periods, &columns, kept.sums(), &problems);
        let review = Review {
            by_region: boards(Grouping::Region),
            by_department: boards(Grouping::Department),
            red_count,
            red_items,
        };
        self.last_review.keep(key, review.clone());
        Ok(review)
    }

    /// The ranking table of `period` for `grouping` under the office's rules: every rate, the
    /// composite, movement and the units the 约谈 rule names.
    pub async fn rank_table(
        &self,
        period: Period,
        grouping: Grouping,
        today: NaiveDate,
        th: &Thresholds,
    ) -> Result<duban_core::ranking::RankTable> {
        let rules = self.ranking_rules().await?;
        let review = self.review(period, rules.lookback(), today, th).await?;
        let boards = review.boards(grouping);
        let units: Vec<&[(String, Tally)]> = boards.iter().map(|b| b.units.as_slice()).collect();
        let t = duban_core::ranking::rank_table(&units, &boards[0].overall, &rules);
        match (grouping, self.published_ranks(period).await?) {
            (Grouping::Region, Some(published)) => Ok(t.with_published(&published)),
            _ => Ok(t),
        }
    }

    /// The ranking tables of `period` and of the `back` periods before it, latest first, from
    /// one read of the year (movement against the published ranks left out).
    pub async fn rank_tables(
        &self,
        period: Period,
        back: usize,
        grouping: Grouping,
        today: NaiveDate,
        th: &Thresholds,
    ) -> Result<Vec<duban_core::ranking::RankTable>> {
        let rules = self.ranking_rules().await?;
        let review = self
            .review(period, back + rules.lookback(), today, th)
            .await?;
        let boards = review.boards(grouping);
        let units: Vec<&[(String, Tally)]> = boards.iter().map(|b| b.units.as_slice()).collect();
        Ok((0..=back.min(boards.len().saturating_sub(1)))
            .map(|i| duban_core::ranking::rank_table(&units[i..], &boards[i].overall, &rules))
            .collect())
    }

    /// Where each item of `year` (written after a data version, if given) is (所在地), by code.
    pub(crate) async fn regions_by_code(
        &self,
        year: i32,
        touched_after: Option<i64>,
    ) -> Result<HashMap<String, String>> {
        // A number written into the statement: the few items written since, through the
        // index on touched.
        let since = touched_after
            .map(|v| format!(" AND i.id IN (SELECT id FROM items WHERE touched > {v})"))
            .unwrap_or_default();
        let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT i.code, r.name FROM items i JOIN units r ON r.id = i.region_id WHERE i.year = $1{since}"
        )))
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Every problem on the items of `year`, with where it belongs and whether it is closed.
    async fn problem_lines(&self, year: i32) -> Result<Vec<ProblemLine>> {
        let sql = format!("{PROBLEM_LINES} WHERE i.year = $1");
        sqlx::query_as::<_, ProblemLineRow>(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(ProblemLine::try_from)
            .collect()
    }
}

/// The [`bulletin::LISTED`] most behind of `red` (given in code order), most behind first and
/// in code order among equals, as the bulletin lists them; without copying a million.
pub(crate) fn worst(red: Vec<&RedItem>) -> Vec<RedItem> {
    let mut red: Vec<(usize, &RedItem)> = red.into_iter().enumerate().collect();
    let rank = |(n, r): &(usize, &RedItem)| (std::cmp::Reverse(r.lag), *n);
    if red.len() > bulletin::LISTED {
        red.select_nth_unstable_by_key(bulletin::LISTED - 1, rank);
        red.truncate(bulletin::LISTED);
    }
    red.sort_unstable_by_key(rank);
    red.into_iter().map(|(_, r)| r.clone()).collect()
}

/// The boards of `g` for each of `periods` (the groups' sums at `columns`): every unit's
/// tally and the whole city's, the items' groups first in the order of their keys, then the
/// problems.
fn boards<'a>(
    dir: &Directory,
    g: Grouping,
    periods: &[Period],
    columns: &[usize],
    groups: impl Iterator<Item = GroupSum<'a>>,
    problems: &[ProblemLine],
) -> Vec<RateBoard> {
    let names = dir.names(g);
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut units: Vec<Vec<ItemSum>> = vec![vec![ItemSum::default(); names.len()]; columns.len()];
    let mut overall = vec![ItemSum::default(); columns.len()];
    for (region, lead, sums) in groups {
        let slot = dir
            .key(g, region, lead)
            .and_then(|k| index.get(k.as_str()).copied());
        for (i, c) in columns.iter().enumerate() {
            let sum = &sums[*c];
            overall[i].absorb(sum);
            if let Some(s) = slot {
                units[i][s].absorb(sum);
            }
        }
    }
    let tally = |sum: &ItemSum| {
        let mut t = Tally::default();
        t.add_sum(sum);
        t
    };
    periods
        .iter()
        .zip(units)
        .zip(overall)
        .map(|((period, units), overall)| {
            let mut units: Vec<(String, Tally)> =
                names.iter().cloned().zip(units.iter().map(tally)).collect();
            let mut overall = tally(&overall);
            let as_of = period.last_day();
            for p in problems {
                overall.add_problem(p.due, p.closed, as_of);
                // A department answers for the problems assigned to it (交办), and for those
                // on the items it leads while they are assigned to no one; not for one handed
                // to a county. A region answers for those on its items.
                let key = match g {
                    Grouping::Department => match &p.assigned {
                        Some(a) => {
                            (dir.kinds.get(a) == Some(&UnitKind::Department)).then(|| a.clone())
                        }
                        None => dir.key(g, None, &p.lead),
                    },
                    Grouping::Region => dir.key(g, p.region.as_deref(), &p.lead),
                };
                if let Some(i) = key.and_then(|k| index.get(k.as_str()).copied()) {
                    units[i].1.add_problem(p.due, p.closed, as_of);
                }
            }
            RateBoard {
                period: *period,
                as_of,
                grouping: g,
                overall,
                units,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    /// The worst thirty of forty red items: most behind first, code order among equals,
    /// those without a lag last — the first thirty the bulletin would list of them all.
    #[test]
    fn the_worst_red_items_are_those_the_bulletin_lists() {
        let red: Vec<RedItem> = (0..40)
            .map(|i| RedItem {
                name: format!("项目{i}"),
                unit: "甲县".into(),
                lag: (i < 38).then(|| Decimal::from(i % 10)),
                reasons: String::new(),
            })
            .collect();
        let names = |items: &[RedItem]| items.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        let shown = worst(red.iter().collect());
        assert_eq!(shown.len(), bulletin::LISTED);
        // Lag 9: items 9, 19 and 29; then lag 8: 8, 18 and 28 (38 has none).
        assert_eq!(names(&shown[..4]), ["项目9", "项目19", "项目29", "项目8"]);
        let mut stable: Vec<&RedItem> = red.iter().collect();
        stable.sort_by_key(|r| std::cmp::Reverse(r.lag));
        let expected: Vec<RedItem> = stable[..30].iter().map(|r| (*r).clone()).collect();
        assert_eq!(shown, expected);
        assert!(shown.iter().all(|r| r.lag.is_some()), "no lag: listed last");
        assert_eq!(
            names(&worst(red[..3].iter().collect())),
            ["项目2", "项目1", "项目0"]
        );
    }
}
