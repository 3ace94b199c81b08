//! 挂图作战 — what the overview and the ledger pages show, computed once per data version and
//! as-of date and shared by every request: every item of the year with its status, the
//! monthly trend and the problems. A write through the app drops it at once; a write from
//! elsewhere (the CLI) is noticed within a second.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use duban_core::{Account, Colour, Item, ProblemCategory, ProblemState, Status, Thresholds};
use duban_store::{ItemFilter, Problem, ProblemFilter, Store, StoreError};
use rust_decimal::Decimal;
use serde::Serialize;

/// Every item of the year with its status, and what the overview adds up.
pub struct Snapshot {
    pub as_of: NaiveDate,
    pub version: i64,
    /// Items in code order, each with its status.
    pub rows: Vec<(Item, Status)>,
    pub by_code: HashMap<String, usize>,
    /// Year-to-date investment of all items at each month end up to `as_of` (万元 as yuan).
    pub trend: Vec<(u32, i64, i64)>,
    pub problems: Vec<Problem>,
}

impl Snapshot {
    pub fn status_of(&self, code: &str) -> Option<&(Item, Status)> {
        self.by_code.get(code).map(|i| &self.rows[*i])
    }
}

struct Cached {
    snapshot: Arc<Snapshot>,
    checked: Instant,
}

/// The shared snapshot, rebuilt when the data or the date changes.
#[derive(Default)]
pub struct StatusCache {
    inner: tokio::sync::Mutex<Option<Cached>>,
}

/// How often the database is asked whether anything changed.
const RECHECK: Duration = Duration::from_secs(1);

impl StatusCache {
    pub async fn get(&self, store: &Store, as_of: NaiveDate) -> Result<Arc<Snapshot>, StoreError> {
        let mut guard = self.inner.lock().await;
        if let Some(c) = guard.as_mut()
            && c.snapshot.as_of == as_of
        {
            if c.checked.elapsed() < RECHECK {
                return Ok(c.snapshot.clone());
            }
            if store.data_version().await? == c.snapshot.version {
                c.checked = Instant::now();
                return Ok(c.snapshot.clone());
            }
        }
        let snapshot = Arc::new(build(store, as_of).await?);
        *guard = Some(Cached {
            snapshot: snapshot.clone(),
            checked: Instant::now(),
        });
        Ok(snapshot)
    }

    /// Drops the snapshot (after a write through the app).
    pub async fn invalidate(&self) {
        *self.inner.lock().await = None;
    }
}

async fn build(store: &Store, as_of: NaiveDate) -> Result<Snapshot, StoreError> {
    let version = store.data_version().await?;
    let year = as_of.year();
    let items = store
        .items(&ItemFilter {
            year: Some(year),
            ..Default::default()
        })
        .await?;
    let inputs = store.status_inputs(year, None).await?;
    let mut trend: Vec<(u32, i64, i64)> = Vec::new();
    let plan: i64 = items
        .iter()
        .filter_map(|i| i.annual_plan.map(|w| w.yuan()))
        .sum();
    let last_month = if as_of.day() == duban_core::date::month_end(year, as_of.month()).day() {
        as_of.month()
    } else {
        as_of.month().saturating_sub(1)
    };
    for m in 1..=last_month {
        let end = duban_core::date::month_end(year, m);
        let ytd: i64 = inputs
            .iter()
            .filter_map(|i| i.trail.ytd.iter().rev().find(|(d, _)| *d <= end))
            .map(|(_, w)| w.yuan())
            .sum();
        trend.push((m, ytd, plan));
    }
    let judged = store.judge(inputs, as_of, &Thresholds::default()).await?;
    let mut status: HashMap<String, Status> =
        judged.into_iter().map(|(i, s)| (i.code, s)).collect();
    let rows: Vec<(Item, Status)> = items
        .into_iter()
        .filter_map(|i| status.remove(&i.code).map(|s| (i, s)))
        .collect();
    let by_code = rows
        .iter()
        .enumerate()
        .map(|(n, (i, _))| (i.code.clone(), n))
        .collect();
    let problems = store.problems(&ProblemFilter::default()).await?;
    Ok(Snapshot {
        as_of,
        version,
        rows,
        by_code,
        trend,
        problems,
    })
}

/// The figures of the 总览 page for what one account may see.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub as_of: NaiveDate,
    pub total: usize,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    /// Per region: (name, completion %, 序时进度 %), by completion.
    pub regions: Vec<RegionBar>,
    /// (month, year-to-date % of the annual plan).
    pub trend: Vec<(u32, f64)>,
    /// Red items, most behind first.
    pub attention: Vec<Attention>,
    /// (category label, counts by state label).
    pub problems_by_category: Vec<(String, usize)>,
    pub problems_by_state: Vec<(String, usize)>,
    pub overdue_problems: usize,
}

#[derive(Debug, Serialize)]
pub struct RegionBar {
    pub region: String,
    pub completion: f64,
    pub schedule: f64,
    pub items: usize,
}

#[derive(Debug, Serialize)]
pub struct Attention {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub lag: Option<f64>,
    pub reasons: Vec<String>,
}

fn f(d: Decimal) -> f64 {
    d.round_dp(1).to_string().parse().unwrap_or(0.0)
}

/// Adds up the snapshot for `account`.
pub fn overview(s: &Snapshot, account: &Account) -> Overview {
    let visible: Vec<&(Item, Status)> = s.rows.iter().filter(|(i, _)| account.can_see(i)).collect();
    let count = |c: Colour| visible.iter().filter(|(_, st)| st.colour == c).count();
    // Completion and schedule weighted by the annual plan, per region.
    let mut regions: BTreeMap<String, (Decimal, Decimal, Decimal, usize)> = BTreeMap::new();
    for (i, st) in &visible {
        let (Some(plan), Some(p)) = (i.annual_plan, st.p) else {
            continue;
        };
        let w = Decimal::from(plan.yuan());
        let e = regions
            .entry(i.region.clone().unwrap_or_else(|| "市直".into()))
            .or_default();
        e.0 += w * p;
        e.1 += w * st.t;
        e.2 += w;
        e.3 += 1;
    }
    let mut regions: Vec<RegionBar> = regions
        .into_iter()
        .filter(|(_, v)| !v.2.is_zero())
        .map(|(region, (p, t, w, n))| RegionBar {
            region,
            completion: f(p / w),
            schedule: f(t / w),
            items: n,
        })
        .collect();
    regions.sort_by(|a, b| b.completion.total_cmp(&a.completion));
    let all = account.visibility() == duban_core::Visibility::All;
    let trend = if all {
        s.trend
            .iter()
            .filter(|(_, _, plan)| *plan > 0)
            .map(|(m, ytd, plan)| (*m, ((*ytd as f64) * 1000.0 / (*plan as f64)).round() / 10.0))
            .collect()
    } else {
        Vec::new()
    };
    let mut attention: Vec<&(Item, Status)> = visible
        .iter()
        .copied()
        .filter(|(_, st)| st.colour == Colour::Red)
        .collect();
    attention.sort_by_key(|a| std::cmp::Reverse(a.1.lag));
    let attention = attention
        .into_iter()
        .take(15)
        .map(|(i, st)| Attention {
            code: i.code.clone(),
            name: i.name.clone(),
            unit: i.lead_unit.clone(),
            lag: st.lag.map(f),
            reasons: st.reasons.iter().map(|r| r.text.clone()).collect(),
        })
        .collect();
    let problems: Vec<&Problem> = s
        .problems
        .iter()
        .filter(|p| {
            s.status_of(&p.code)
                .is_some_and(|(i, _)| account.can_see(i))
                || (account.unit.is_some() && p.assigned_unit == account.unit)
        })
        .collect();
    let problems_by_category = ProblemCategory::ALL
        .iter()
        .map(|c| {
            (
                c.label().to_string(),
                problems.iter().filter(|p| p.category == *c).count(),
            )
        })
        .collect();
    let problems_by_state = ProblemState::ALL
        .iter()
        .map(|st| {
            (
                st.label().to_string(),
                problems.iter().filter(|p| p.state == *st).count(),
            )
        })
        .collect();
    Overview {
        as_of: s.as_of,
        total: visible.len(),
        red: count(Colour::Red),
        yellow: count(Colour::Yellow),
        green: count(Colour::Green),
        regions,
        trend,
        attention,
        problems_by_category,
        problems_by_state,
        overdue_problems: problems.iter().filter(|p| p.overdue(s.as_of)).count(),
    }
}
