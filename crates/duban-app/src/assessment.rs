//! 考核 — the scheme applied to a range of periods: each unit's figures gathered (the rates
//! of the last period, the monthly composite averaged over the range, the tasks it closed on
//! time or late, sent back or left overdue, its tours' averages), then scored and explained by
//! `duban_core::assessment`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use duban_core::accountability::from_assessment;
use duban_core::assessment::{Adjustment, Inputs, Scheme, UnitScore, assess};
use duban_core::rates::{Rate, one_decimal};
use duban_core::task::TaskState;
use duban_core::{Account, Period, Thresholds};
use duban_store::{Grouping, PublishedAssessment, Store, TaskFilter};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{AppError, AppResult};

/// Most periods one assessment spans (a year of weeks).
const MAX_PERIODS: usize = 53;

/// 考核结果
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    // Reports not on time (迟报 or 漏报), each period's counted: what the on-time rate missed.
    let mut composite: BTreeMap<String, Vec<Decimal>> = BTreeMap::new();
    let mut not_on_time: BTreeMap<String, Decimal> = BTreeMap::new();
    for t in tables {
        for row in t.rows {
            if let Some(c) = row.rates.iter().find(|c| c.rate == Rate::OnTime) {
                *not_on_time.entry(row.unit.clone()).or_default() += c.denominator - c.numerator;
            }
            if let Some(v) = row.composite.value {
                composite.entry(row.unit).or_default().push(v);
            }
        }
    }
    for (unit, n) in not_on_time {
        inputs
            .entry(unit)
            .or_default()
            .insert("reports_not_on_time".into(), n);
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

/// The scheme of `year` for `grouping`: the one the office saved, else duban's default.
/// Returns it with its TOML and whether it was saved.
pub async fn scheme_for(
    store: &Store,
    year: i32,
    grouping: Grouping,
) -> AppResult<(Scheme, String, bool)> {
    match store.assessment_scheme(year, grouping).await? {
        Some(saved) => {
            let scheme = Scheme::from_toml(&saved.toml)
                .map_err(|e| AppError::Invalid(format!("{year} 年考核方案：{e}")))?;
            Ok((scheme, saved.toml, true))
        }
        None => Ok((
            Scheme::default(),
            duban_core::assessment::DEFAULT_SCHEME.to_string(),
            false,
        )),
    }
}

/// The figures a scheme's terms may read, with what they are.
pub const INPUTS: &[(&str, &str)] = &[
    ("investment_rate", "投资完成率（%，截止期间的年度累计）"),
    ("start_rate", "开工率（%）"),
    ("completion_rate", "竣工率（%）"),
    ("milestone_rate", "节点完成率（%）"),
    ("on_time_rate", "报送及时率（%）"),
    ("problem_closure_rate", "问题销号率（%）"),
    ("composite", "月度综合得分（期间平均）"),
    (
        "reports_not_on_time",
        "未按时报送的进度报告（迟报、漏报，期间合计，份）",
    ),
    ("tasks_on_time", "按期办结的督办事项（件）"),
    ("tasks_late", "逾期办结的督办事项（件）"),
    ("tasks_sent_back", "被退回的督办事项（次）"),
    ("tasks_overdue", "期末仍逾期未办结的督办事项（件）"),
    ("tour_average", "观摩评比平均分"),
];

/// Saves the office's scheme of `year` for `grouping` after checking it: every term reads a
/// figure duban computes ([`INPUTS`]).
pub async fn save_scheme(
    store: &Store,
    account: &Account,
    actor: &str,
    year: i32,
    grouping: Grouping,
    toml: &str,
) -> AppResult<Scheme> {
    if !account.is_admin() {
        return Err(AppError::Forbidden("考核方案由督查室制定".into()));
    }
    let scheme = Scheme::from_toml(toml).map_err(|e| AppError::Invalid(e.to_string()))?;
    for c in &scheme.criteria {
        for t in &c.terms {
            if !INPUTS.iter().any(|(key, _)| *key == t.input) {
                let known: Vec<&str> = INPUTS.iter().map(|(k, _)| *k).collect();
                return Err(AppError::Invalid(format!(
                    "考核指标“{}”的计分项“{}”：没有数据来源“{}”（可选：{}）",
                    c.name,
                    t.label,
                    t.input,
                    known.join("、")
                )));
            }
        }
    }
    Ok(store
        .set_assessment_scheme(actor, year, grouping, toml)
        .await?)
}

/// The heading an assessment is published under: "2026年1月至2026年6月县区考核".
pub fn title(a: &Assessment) -> String {
    format!(
        "{}至{}{}考核",
        a.from.label(),
        a.to.label(),
        a.grouping.label()
    )
}

/// 发布 — keeps `a` as published (a snapshot, never recomputed) and proposes its first
/// places for 绩效库 and its last for 负面清单. Returns its id and how many were proposed.
pub async fn publish(
    store: &Store,
    account: &Account,
    actor: &str,
    a: &Assessment,
) -> AppResult<(i64, usize)> {
    if !account.is_admin() {
        return Err(AppError::Forbidden("考核结果由督查室发布".into()));
    }
    let title = title(a);
    let proposals = from_assessment(&title, &a.scores);
    let json = serde_json::to_string(a)
        .map_err(|e| AppError::Invalid(format!("考核结果无法保存：{e}")))?;
    let id = store
        .publish_assessment(
            actor,
            (&title, &a.from.to_string(), &a.to.to_string(), a.grouping),
            &json,
            &proposals,
        )
        .await?;
    Ok((id, proposals.len()))
}

/// A published assessment as it was published. Every role may read it.
pub async fn published(store: &Store, id: i64) -> AppResult<(PublishedAssessment, Assessment)> {
    let p = match store.published_assessment(id).await {
        Ok(p) => p,
        Err(duban_store::StoreError::NotFound { .. }) => {
            return Err(AppError::NotFound(format!("没有编号为 {id} 的考核结果")));
        }
        Err(e) => return Err(e.into()),
    };
    let a: Assessment = serde_json::from_str(&p.result).map_err(|e| {
        AppError::Store(duban_store::StoreError::Corrupt {
            what: format!("考核结果 {id}"),
            detail: e.to_string(),
        })
    })?;
    Ok((p, a))
}

/// Each unit's row: 名次, the unit, 总分 and each criterion's points.
pub fn rows(a: &Assessment) -> Vec<Vec<String>> {
    a.scores
        .iter()
        .map(|u| {
            let mut row = vec![
                u.rank.to_string(),
                u.unit.clone(),
                u.total.normalize().to_string(),
            ];
            row.extend(u.criteria.iter().map(|c| c.points.normalize().to_string()));
            row
        })
        .collect()
}

/// Every point of `u` in words, one line per term and adjustment.
pub fn explanation(u: &UnitScore) -> Vec<String> {
    u.criteria
        .iter()
        .flat_map(|c| {
            c.terms
                .iter()
                .map(move |t| format!("{}·{}：{}", c.name, t.label, t.why))
        })
        .chain(
            u.adjustments
                .iter()
                .map(|a| format!("加减分 {}：{}", a.points.normalize(), a.reason)),
        )
        .collect()
}

/// The assessment as an .xlsx: the ranked table with each unit's points explained.
pub fn xlsx(a: &Assessment) -> AppResult<Vec<u8>> {
    let label = a.grouping.label();
    let names: Vec<&str> = a.scheme.criteria.iter().map(|c| c.name.as_str()).collect();
    let mut columns: Vec<(&str, f64)> = vec![("名次", 6.0), (label, 24.0), ("总分", 10.0)];
    columns.extend(names.iter().map(|n| (*n, 12.0)));
    columns.push(("计分说明", 90.0));
    let explained: Vec<Vec<String>> = a
        .scores
        .iter()
        .zip(rows(a))
        .map(|(u, mut row)| {
            row.push(explanation(u).join("\n"));
            row
        })
        .collect();
    let title = format!(
        "{}（{} 至 {}）",
        a.scheme.name,
        a.from.label(),
        a.to.label()
    );
    duban_office::write_table(
        &duban_office::TableSheet {
            sheet: "考核结果",
            title: &title,
            note: "总分 = 各项考核指标得分之和（含加减分）；每项指标 = 基础分 + 各计分项",
            columns: &columns,
        },
        &explained,
    )
    .map_err(|e| AppError::Invalid(e.to_string()))
}

/// The assessment as an official .docx (the bulletin's layout), issued by `issuer` on `on`.
pub fn docx(a: &Assessment, issuer: &str, on: NaiveDate) -> AppResult<Vec<u8>> {
    let doc = duban_core::assessment::document(
        &a.scheme,
        &a.scores,
        issuer,
        (a.from, a.to),
        a.grouping.label(),
        on,
    );
    duban_office::bulletin_docx::bulletin_docx(&doc).map_err(|e| AppError::Invalid(e.to_string()))
}
