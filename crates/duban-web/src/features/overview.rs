//! 总览（挂图作战）— the overview page and `/api/dashboard`: how many items are red, yellow
//! and green, each region's completion against its 序时进度, the monthly trend, the red items
//! to look at and the problems by category and state — for what the caller may see. Computed
//! from the snapshot (shared when the caller sees everything).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_core::rates::{Progress, one_decimal};
use duban_core::{Account, Colour, Item, ProblemCategory, ProblemState, Status};
use duban_store::Problem;
use minijinja::context;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::dashboard::Snapshot;
use crate::error::ApiResult;
use crate::page::{PageResult, Visitor, page, render, ser};
use crate::schema::Date;
use crate::templates::script_json;
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview_page))
        .route("/api/dashboard", get(overview))
}

#[utoipa::path(get, path = "/api/dashboard", tag = "预警",
    responses((status = 200, description = "挂图作战：红黄绿数量、各地完成与序时进度、趋势、需关注项目、问题分布", body = Overview)))]
async fn overview(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Overview>> {
    let snap = s.status.get(&s.store, today()).await?;
    Ok(Json(Overview::clone(&snap.overview(&caller.account))))
}

// ---- the pages ----

async fn overview_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    let snap = s.status.get(&s.store, today()).await?;
    let o = snap.overview(&c.account);
    let chart_json = script_json(&*o);
    let mut ctx = page(&c, "总览", "overview", true);
    ctx = context! { o => ser(&*o), chart_json, ..ctx };
    render(&s, "overview.html", ctx)
}

/// 挂图作战 — the figures of the 总览 page for what one account may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    /// 统计日期
    #[schema(value_type = Date)]
    pub as_of: NaiveDate,
    /// 项目数, and how many are red, yellow and green.
    pub total: usize,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    /// 统计期 — the period the regions' figures are of: the last month whose reports are due
    /// (the 排名 and the 通报 of the same period show the same figures); null early in the
    /// year, before January's reports are due.
    pub period: Option<String>,
    /// "2025年10月"
    pub period_label: Option<String>,
    /// Its last day: completion is the year-to-date reported for it, 序时进度 the share of the
    /// plan due by then.
    #[schema(value_type = Option<Date>)]
    pub period_end: Option<NaiveDate>,
    /// The city's 投资完成率 and 序时进度 for the period, in percent (one decimal).
    pub completion: Option<f64>,
    pub schedule: Option<f64>,
    /// Per region: 投资完成率 and 序时进度 for the period, as the ranking has them, by completion.
    pub regions: Vec<RegionBar>,
    /// (month, year-to-date investment in % of the annual plan) — for those who see
    /// everything; empty otherwise.
    pub trend: Vec<(u32, f64)>,
    /// Red items, most behind first (at most 15).
    pub attention: Vec<Attention>,
    /// (category label, problems).
    pub problems_by_category: Vec<(String, usize)>,
    /// (state label, problems).
    pub problems_by_state: Vec<(String, usize)>,
    /// 逾期问题
    pub overdue_problems: usize,
}

/// One region: 投资完成率 and 序时进度 of the period in percent (one decimal, as the ranking
/// shows them): the sums of its items' figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionBar {
    pub region: String,
    pub completion: f64,
    pub schedule: f64,
    /// Items with an annual plan.
    pub items: usize,
}

/// A red item to look at: its lag in percentage points and the reasons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attention {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub lag: Option<f64>,
    pub reasons: Vec<String>,
}

/// Red items the overview names.
const ATTENTION: usize = 15;

/// A percentage as published: one decimal, half away from zero.
fn f(d: Decimal) -> f64 {
    one_decimal(d).to_string().parse().unwrap_or(0.0)
}

/// Adds up the snapshot for `account`.
pub(crate) fn compute(s: &Snapshot, account: &Account) -> Overview {
    let vis = account.visibility();
    // One pass over the rows the account sees: the lamps counted, the red kept aside, and
    // the period's investment against its 序时进度 per region, summed as the ranking sums it:
    // where the item is, or the region that leads it. Keyed by the rows' own names: a million
    // items are not a million names copied.
    let mut lamps = [0usize; 3];
    let mut red: Vec<(usize, &(Item, Status))> = Vec::new();
    let mut regions: BTreeMap<&str, (Progress, usize)> = BTreeMap::new();
    let mut city = Progress::default();
    for (n, row) in s.rows.iter().enumerate() {
        let (i, st) = row;
        if !vis.admits(i) {
            continue;
        }
        lamps[st.colour as usize] += 1;
        if st.colour == Colour::Red {
            red.push((n, row));
        }
        let p = s.progress[n];
        if p.annual.is_zero() {
            continue;
        }
        city.add(p);
        let region = i
            .region
            .as_deref()
            .or_else(|| {
                s.regions
                    .contains(&i.lead_unit)
                    .then_some(i.lead_unit.as_str())
            })
            .unwrap_or("市直");
        let e = regions.entry(region).or_default();
        e.0.add(p);
        e.1 += 1;
    }
    let mut regions: Vec<RegionBar> = regions
        .into_iter()
        .filter_map(|(region, (p, n))| {
            Some(RegionBar {
                region: region.to_string(),
                completion: f(p.completion()?),
                schedule: f(p.time_progress()?),
                items: n,
            })
        })
        .collect();
    regions.sort_by(|a, b| b.completion.total_cmp(&a.completion));
    let all = vis == duban_core::Visibility::All;
    let trend = if all {
        s.trend
            .iter()
            .filter(|(_, _, plan)| *plan > 0)
            .map(|(m, ytd, plan)| (*m, ((*ytd as f64) * 1000.0 / (*plan as f64)).round() / 10.0))
            .collect()
    } else {
        Vec::new()
    };
    // The most behind first, in ledger order among equals: the first 15 picked, then sorted.
    let rank = |(n, (_, st)): &(usize, &(Item, Status))| (std::cmp::Reverse(st.lag), *n);
    if red.len() > ATTENTION {
        red.select_nth_unstable_by_key(ATTENTION - 1, rank);
        red.truncate(ATTENTION);
    }
    red.sort_unstable_by_key(rank);
    let attention = red
        .into_iter()
        .map(|(_, (i, st))| Attention {
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
            s.status_of(&p.code).is_some_and(|(i, _)| vis.admits(i))
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
        period: s.period.map(|p| p.to_string()),
        period_label: s.period.map(|p| p.label()),
        period_end: s.period.map(|p| p.last_day()),
        completion: city.completion().map(f),
        schedule: city.time_progress().map(f),
        total: lamps.iter().sum(),
        red: lamps[Colour::Red as usize],
        yellow: lamps[Colour::Yellow as usize],
        green: lamps[Colour::Green as usize],
        regions,
        trend,
        attention,
        problems_by_category,
        problems_by_state,
        overdue_problems: problems.iter().filter(|p| p.overdue(s.as_of)).count(),
    }
}
