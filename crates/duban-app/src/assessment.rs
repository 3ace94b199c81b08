//! 考核 — the scheme applied to a range of periods: each unit's figures gathered (the rates
//! of the last period, the monthly composite averaged over the range, the tasks it closed on
//! time or late, sent back or left overdue, its tours' averages), then scored and explained by
//! `duban_core::assessment`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use duban_core::assessment::{Adjustment, Inputs, Scheme, UnitScore, assess};
use duban_core::rates::one_decimal;
use duban_core::task::TaskState;
use duban_core::{Account, Period, Thresholds};
use duban_store::{Grouping, Store, TaskFilter};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{AppError, AppResult};

/// Most periods one assessment spans (a year of weeks).
const MAX_PERIODS: usize = 53;

/// 考核结果
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub from: Period,
    pub to: Period,
    pub grouping: Grouping,
    pub scheme: Scheme,
    /// Each unit's figures, by input key.
    pub inputs: Inputs,
    /// Ranked, every point explained.
    pub scores: Vec<UnitScore>,
}

/// What to assess: the units of `grouping` from `from` to `to` under `scheme`.
#[derive(Debug, Clone)]
pub struct AssessRequest {
    pub from: Period,
    pub to: Period,
    pub grouping: Grouping,
    pub scheme: Scheme,
    /// 加减分 by hand, each with its reason.
    pub adjustments: Vec<Adjustment>,
    pub today: NaiveDate,
    pub thresholds: Thresholds,
}

/// Assesses as the office asks.
pub async fn run(store: &Store, account: &Account, r: AssessRequest) -> AppResult<Assessment> {
    let AssessRequest {
        from,
        to,
        grouping,
        scheme,
        adjustments,
        today,
        thresholds: th,
    } = r;
    let th = &th;
    if !account.is_admin() {
        return Err(AppError::Forbidden("考核只对督查室开放".into()));
    }
    if from.cadence() != to.cadence() || from > to {
        return Err(AppError::Invalid(format!(
            "考核期间应从 {from} 到不早于它的同类期间，而不是 {to}"
        )));
    }
    let mut periods = vec![from];
    while *periods.last().unwrap_or(&to) < to {
        if periods.len() >= MAX_PERIODS {
            return Err(AppError::Invalid(format!("考核期间最多 {MAX_PERIODS} 期")));
        }
        let next = periods.last().map_or(to, |p| p.next());
        periods.push(next);
    }
    let mut inputs: Inputs = BTreeMap::new();
    // One read of the range: the tables of every period, latest first.
    let tables = store
        .rank_tables(to, periods.len() - 1, grouping, today, th)
        .await?;
    // The rates of the last period (year to date), as published.
    if let Some(last) = tables.first() {
        for row in &last.rows {
            let figures = inputs.entry(row.unit.clone()).or_default();
            for cell in &row.rates {
                if let Some(p) = cell.percent {
                    figures.insert(format!("{}_rate", cell.rate.code()), one_decimal(p));
                }
            }
        }
    }
    // The monthly composite, averaged over the periods that have one.
    let mut composite: BTreeMap<String, Vec<Decimal>> = BTreeMap::new();
    for t in tables {
        for row in t.rows {
            if let Some(v) = row.composite.value {
                composite.entry(row.unit).or_default().push(v);
            }
        }
    }
    for (unit, vs) in composite {
        let avg = vs.iter().copied().sum::<Decimal>() / Decimal::from(vs.len());
        inputs
            .entry(unit)
            .or_default()
            .insert("composite".into(), avg.round_dp(2));
    }
    let (first_day, last_day) = (from.first_day(), to.last_day());
    // Tasks led by the unit: closed in the range on time or late, sent back in it, overdue
    // and open at its end.
    let mut tasks = Vec::new();
    loop {
        let page = store
            .tasks(&TaskFilter {
                limit: Some(duban_store::MAX_LIST),
                offset: Some(tasks.len() as i64),
                ..Default::default()
            })
            .await?;
        let done = (page.len() as i64) < duban_store::MAX_LIST;
        tasks.extend(page);
        if done {
            break;
        }
    }
    for unit in inputs.keys().cloned().collect::<Vec<_>>() {
        let figures = inputs.entry(unit.clone()).or_default();
        for key in [
            "tasks_on_time",
            "tasks_late",
            "tasks_sent_back",
            "tasks_overdue",
        ] {
            figures.insert(key.into(), Decimal::ZERO);
        }
    }
    for t in &tasks {
        let Some(figures) = inputs.get_mut(&t.lead_unit) else {
            continue;
        };
        let mut add = |key: &str| {
            *figures.entry(key.into()).or_default() += Decimal::ONE;
        };
        match (t.state, t.closed_on) {
            (TaskState::Closed, Some(day)) if day >= first_day && day <= last_day => {
                add(if day <= t.due {
                    "tasks_on_time"
                } else {
                    "tasks_late"
                })
            }
            (TaskState::Closed | TaskState::Withdrawn, _) => {}
            _ if t.due < last_day && t.assigned_on <= last_day => add("tasks_overdue"),
            _ => {}
        }
        for e in store.task_events(t.id).await? {
            let day: Option<NaiveDate> = e.on_day.parse().ok();
            if e.action == "send_back" && day.is_some_and(|d| d >= first_day && d <= last_day) {
                add("tasks_sent_back");
            }
        }
    }
    // 观摩评比: the unit's average over the tours held in the range.
    let mut tours: BTreeMap<String, Vec<Decimal>> = BTreeMap::new();
    for id in store.tours_between(first_day, last_day).await? {
        let (_, result) = store.tour_result(id).await?;
        for u in result.units {
            tours.entry(u.unit).or_default().push(u.average);
        }
    }
    for (unit, vs) in tours {
        if let Some(figures) = inputs.get_mut(&unit) {
            let avg = vs.iter().copied().sum::<Decimal>() / Decimal::from(vs.len());
            figures.insert("tour_average".into(), avg.round_dp(2));
        }
    }
    if let Some(a) = adjustments.iter().find(|a| !inputs.contains_key(&a.unit)) {
        return Err(AppError::Invalid(format!(
            "加减分的单位“{}”不在本次考核的{}中（{}）",
            a.unit,
            grouping.label(),
            inputs.keys().cloned().collect::<Vec<_>>().join("、")
        )));
    }
    let scores = assess(&scheme, &inputs, &adjustments);
    Ok(Assessment {
        from,
        to,
        grouping,
        scheme,
        inputs,
        scores,
    })
}
