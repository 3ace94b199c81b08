//! 预警 — the status engine of domain.md §5: time progress (序时进度) against task progress,
//! the lag in percentage points, the colour, the flags, the reasons in Chinese, and a
//! projection of year-end completion. Pure: every fact and "today" are arguments.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::month_end;
use crate::item::{Item, Stage};
use crate::milestone::Milestone;
use crate::money::Wan;

/// 预警等级 — green 正常, yellow 滞后, red 严重滞后. Ordered: green < yellow < red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    Green,
    Yellow,
    Red,
}

impl Colour {
    pub fn label(self) -> &'static str {
        match self {
            Colour::Green => "正常",
            Colour::Yellow => "滞后",
            Colour::Red => "严重滞后",
        }
    }
}

/// 预警阈值 — the thresholds, configurable; the defaults are those of domain.md §5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Lag above this many points is yellow (default 10).
    #[serde(deserialize_with = "number")]
    pub yellow_lag: Decimal,
    /// Lag above this many points is red (default 30).
    #[serde(deserialize_with = "number")]
    pub red_lag: Decimal,
    /// Not started this many days after the planned start is red (default 90).
    pub start_red_days: i64,
    /// A milestone overdue by more than this many days is red (default 30).
    pub milestone_red_days: i64,
    /// Started but not registered in statistics after this many days is yellow (default 30) …
    pub statistics_yellow_days: i64,
    /// … and red after this many (default 60).
    pub statistics_red_days: i64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            yellow_lag: Decimal::from(10),
            red_lag: Decimal::from(30),
            start_red_days: 90,
            milestone_red_days: 30,
            statistics_yellow_days: 30,
            statistics_red_days: 60,
        }
    }
}

/// Reads a number written as an integer, a decimal or a string ("10", 10, 12.5), exactly.
fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Int(i64),
        Float(f64),
        Text(String),
    }
    let text = match N::deserialize(d)? {
        N::Int(i) => i.to_string(),
        N::Float(f) => format!("{f}"),
        N::Text(s) => s,
    };
    text.trim()
        .parse()
        .map_err(|_| serde::de::Error::custom(format!("“{text}”不是数字")))
}

/// 报送情况 — how the report for the last closed period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Submitted by the due date.
    OnTime,
    /// 迟报 — submitted after the due date.
    Late,
    /// 未报送 — not submitted.
    Missing,
    /// No period has closed yet, or the item needs no report.
    NotDue,
}

/// What is known of an item besides its ledger line.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub item: &'a Item,
    pub milestones: &'a [Milestone],
    /// 实际开工时间, if known.
    pub started_on: Option<NaiveDate>,
    /// 入统时间 — when it was registered in the statistics system, if it was.
    pub registered_on: Option<NaiveDate>,
    /// 累计完成投资 — year-to-date investment as reported, by period end, ascending; only
    /// points on or before the as-of date count.
    pub ytd: &'a [(NaiveDate, Wan)],
    pub last_report: ReportState,
}

/// 预警标记 — stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// 进度滞后
    Lagging,
    /// 未按期开工
    NotStartedOnTime,
    /// 节点逾期
    MilestoneOverdue,
    /// 未入统
    NotInStatistics,
    /// 未报送
    NotReported,
    /// 迟报
    ReportedLate,
}

impl Flag {
    pub fn label(self) -> &'static str {
        match self {
            Flag::Lagging => "进度滞后",
            Flag::NotStartedOnTime => "未按期开工",
            Flag::MilestoneOverdue => "节点逾期",
            Flag::NotInStatistics => "未入统",
            Flag::NotReported => "未报送",
            Flag::ReportedLate => "迟报",
        }
    }
}

/// 原因 — why an item has its colour: a stable code, the colour this reason alone gives, and a
/// sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: Flag,
    pub colour: Colour,
    pub text: String,
}

/// The status of one item on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// 序时进度 t, in percent of the annual plan.
    pub t: Decimal,
    /// 完成进度 p, in percent; None when there is nothing to measure (no plan, no milestones).
    pub p: Option<Decimal>,
    /// 滞后 t − p, in percentage points (None with p).
    pub lag: Option<Decimal>,
    pub colour: Colour,
    pub flags: Vec<Flag>,
    pub reasons: Vec<Reason>,
    /// 预计全年完成率 — year-end completion projected from the trajectory, in percent.
    pub projection: Option<Decimal>,
}

/// One item's status as the CLI's and the API's JSON give it (docs/json.md): numbers in percent.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub unit: &'a str,
    pub t: Option<f64>,
    pub p: Option<f64>,
    pub lag: Option<f64>,
    pub colour: Colour,
    pub flags: &'a [Flag],
    pub reasons: &'a [Reason],
    pub projection: Option<f64>,
}

fn float(d: Option<Decimal>) -> Option<f64> {
    d.and_then(|d| d.to_string().parse().ok())
}

impl Status {
    /// The JSON row of `item` with this status.
    pub fn row<'a>(&'a self, item: &'a Item) -> StatusRow<'a> {
        StatusRow {
            code: &item.code,
            name: &item.name,
            unit: &item.lead_unit,
            t: float(Some(self.t)),
            p: float(self.p),
            lag: float(self.lag),
            colour: self.colour,
            flags: &self.flags,
            reasons: &self.reasons,
            projection: float(self.projection),
        }
    }
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

fn pct(d: Decimal) -> String {
    format!("{:.1}%", d.round_dp(1))
}

/// The part of the year `year` an item is planned to work in: its own window if shorter.
fn window(item: &Item, year: i32) -> (NaiveDate, NaiveDate) {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
    let start = item
        .planned_start
        .map(|d| d.first_day())
        .filter(|d| *d > jan1 && *d <= dec31)
        .unwrap_or(jan1);
    let end = item
        .planned_end
        .map(|d| d.last_day())
        .filter(|d| *d < dec31 && *d >= start)
        .unwrap_or(dec31);
    (start, end)
}

/// 序时进度 — the share of the annual plan that should be done by `as_of`, in percent.
pub fn time_progress(item: &Item, as_of: NaiveDate) -> Decimal {
    let year = item.year;
    if as_of.year() < year {
        return Decimal::ZERO;
    }
    if as_of.year() > year {
        return HUNDRED;
    }
    let month = as_of.month();
    if let (Some(plan), Some(annual)) = (&item.monthly_plan, item.annual_plan)
        && plan.0.len() == 12
        && !annual.is_zero()
    {
        // The cumulative plan share, straight-line within the month.
        let before = if month == 1 {
            Decimal::ZERO
        } else {
            Decimal::from(plan.0[month as usize - 2].yuan())
        };
        let at_end = Decimal::from(plan.0[month as usize - 1].yuan());
        let days = Decimal::from(month_end(year, month).day());
        let done = Decimal::from(as_of.day());
        let planned = before + (at_end - before) * done / days;
        return (planned / Decimal::from(annual.yuan()) * HUNDRED).min(HUNDRED);
    }
    let (start, end) = window(item, year);
    let whole_year = start.ordinal() == 1 && end.month() == 12 && end.day() == 31;
    if whole_year {
        // Months elapsed / 12 at a month's end (June → 50%); between month ends, by the day
        // within the month. (Elapsed days / days of the year would fall from 50% on 30 June
        // to 49.9% on 1 July: a later date must never look better.)
        let days = Decimal::from(month_end(year, month).day());
        let months = Decimal::from(month - 1) + Decimal::from(as_of.day()) / days;
        return months * HUNDRED / Decimal::from(12);
    }
    if as_of < start {
        return Decimal::ZERO;
    }
    if as_of >= end {
        return HUNDRED;
    }
    let elapsed = (as_of - start).num_days() + 1;
    let span = (end - start).num_days() + 1;
    Decimal::from(elapsed) * HUNDRED / Decimal::from(span)
}

/// The last reported year-to-date figure on or before `as_of`.
fn ytd_at(ytd: &[(NaiveDate, Wan)], as_of: NaiveDate) -> Option<(NaiveDate, Wan)> {
    ytd.iter().rev().find(|(d, _)| *d <= as_of).copied()
}

/// 完成进度 — year-to-date investment over the annual plan, or for an item without money the
/// share of its milestones done; in percent.
pub fn task_progress(facts: &Facts, as_of: NaiveDate) -> Option<Decimal> {
    match facts.item.annual_plan {
        Some(annual) if !annual.is_zero() => {
            let done = ytd_at(facts.ytd, as_of)
                .map(|(_, w)| w)
                .unwrap_or(Wan::ZERO);
            Some(Decimal::from(done.yuan()) * HUNDRED / Decimal::from(annual.yuan()))
        }
        _ if !facts.milestones.is_empty() => {
            let done = facts
                .milestones
                .iter()
                .filter(|m| m.actual.is_some_and(|d| d <= as_of))
                .count();
            Some(
                Decimal::from(done as u64) * HUNDRED / Decimal::from(facts.milestones.len() as u64),
            )
        }
        _ => None,
    }
}

/// 预计全年完成率 — year-to-date plus the average monthly pace of the last three reports
/// carried to the year end, over the annual plan.
pub fn projection(facts: &Facts, as_of: NaiveDate) -> Option<Decimal> {
    let annual = facts.item.annual_plan.filter(|a| !a.is_zero())?;
    let points: Vec<(NaiveDate, Wan)> = facts
        .ytd
        .iter()
        .filter(|(d, _)| *d <= as_of)
        .copied()
        .collect();
    let (last_date, last) = *points.last()?;
    if last_date.year() != facts.item.year {
        return None;
    }
    let first = points.len().saturating_sub(4);
    let (from_date, from) = if points.len() >= 2 {
        points[first]
    } else {
        // One report: the pace since the start of the year.
        (
            NaiveDate::from_ymd_opt(facts.item.year - 1, 12, 31)?,
            Wan::ZERO,
        )
    };
    let months = Decimal::from(
        (last_date.year() - from_date.year()) * 12 + last_date.month() as i32
            - from_date.month() as i32,
    );
    if months <= Decimal::ZERO {
        return None;
    }
    let pace = Decimal::from(last.yuan() - from.yuan()) / months;
    let remaining = Decimal::from(12 - last_date.month() as i64);
    let year_end = Decimal::from(last.yuan()) + pace.max(Decimal::ZERO) * remaining;
    Some((year_end * HUNDRED / Decimal::from(annual.yuan())).round_dp(1))
}

fn is_started(facts: &Facts, as_of: NaiveDate) -> bool {
    facts.started_on.is_some_and(|d| d <= as_of)
        || matches!(
            facts.item.stage,
            Some(Stage::UnderConstruction | Stage::Completed | Stage::InOperation)
        )
        || facts
            .milestones
            .iter()
            .any(|m| m.name == "开工" && m.actual.is_some_and(|d| d <= as_of))
}

/// The status of an item on `as_of`.
pub fn assess(facts: &Facts, as_of: NaiveDate, th: &Thresholds) -> Status {
    let item = facts.item;
    let t = time_progress(item, as_of);
    let p = task_progress(facts, as_of);
    let lag = p.map(|p| t - p);
    let mut reasons: Vec<Reason> = Vec::new();
    let mut reason = |code, colour, text: String| reasons.push(Reason { code, colour, text });

    // 时间过半、任务过半: the lag.
    if let (Some(p), Some(lag)) = (p, lag) {
        let colour = if lag > th.red_lag {
            Colour::Red
        } else if lag > th.yellow_lag {
            Colour::Yellow
        } else {
            Colour::Green
        };
        if colour > Colour::Green {
            reason(
                Flag::Lagging,
                colour,
                format!(
                    "序时进度 {}，完成 {}，滞后 {:.1} 个百分点",
                    pct(t),
                    pct(p),
                    lag.round_dp(1)
                ),
            );
        }
    }

    // Start on time.
    let started = is_started(facts, as_of);
    if let Some(planned) = item.planned_start
        && !started
        && as_of > planned.last_day()
    {
        let late = (as_of - planned.last_day()).num_days();
        let colour = if late > th.start_red_days {
            Colour::Red
        } else {
            Colour::Yellow
        };
        reason(
            Flag::NotStartedOnTime,
            colour,
            format!("计划 {planned} 开工，至今未开工，已逾期 {late} 天"),
        );
    }

    // Milestones.
    for m in facts.milestones {
        if let Some(planned) = m.planned
            && as_of > planned
            && m.actual.is_none_or(|a| a > as_of)
        {
            let late = (as_of - planned).num_days();
            let colour = if late > th.milestone_red_days {
                Colour::Red
            } else {
                Colour::Yellow
            };
            reason(
                Flag::MilestoneOverdue,
                colour,
                format!(
                    "节点“{}”计划 {} 完成，已逾期 {late} 天",
                    m.name,
                    planned.format("%Y-%m-%d")
                ),
            );
        }
    }

    // Statistics registration (入统).
    if let Some(start) = facts.started_on.filter(|d| *d <= as_of)
        && facts.registered_on.is_none_or(|r| r > as_of)
        && item.in_statistics != Some(true)
    {
        let days = (as_of - start).num_days();
        let colour = if days > th.statistics_red_days {
            Some(Colour::Red)
        } else if days > th.statistics_yellow_days {
            Some(Colour::Yellow)
        } else {
            None
        };
        if let Some(colour) = colour {
            reason(
                Flag::NotInStatistics,
                colour,
                format!("{} 开工，{days} 天仍未纳入统计", start.format("%Y-%m-%d")),
            );
        }
    }

    let colour = reasons
        .iter()
        .map(|r| r.colour)
        .max()
        .unwrap_or(Colour::Green);
    let mut flags: Vec<Flag> = reasons.iter().map(|r| r.code).collect();
    match facts.last_report {
        ReportState::Missing => {
            flags.push(Flag::NotReported);
            reasons.push(Reason {
                code: Flag::NotReported,
                colour: Colour::Green,
                text: "上一期进度未报送".into(),
            });
        }
        ReportState::Late => {
            flags.push(Flag::ReportedLate);
            reasons.push(Reason {
                code: Flag::ReportedLate,
                colour: Colour::Green,
                text: "上一期进度迟报".into(),
            });
        }
        ReportState::OnTime | ReportState::NotDue => {}
    }
    flags.sort();
    flags.dedup();
    Status {
        t: t.round_dp(2),
        p: p.map(|p| p.round_dp(2)),
        lag: lag.map(|l| l.round_dp(2)),
        colour,
        flags,
        reasons,
        projection: projection(facts, as_of),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ItemKind, MoneyUnit, MonthlyPlan, PlanDate};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn wan(s: &str) -> Wan {
        Wan::parse(s, MoneyUnit::Wan).unwrap()
    }

    fn project(annual: &str) -> Item {
        let mut i = Item::new(2025, ItemKind::Project, "某项目", "甲县");
        i.annual_plan = Some(wan(annual));
        i.stage = Some(Stage::UnderConstruction);
        i
    }

    fn facts<'a>(item: &'a Item, ms: &'a [Milestone], ytd: &'a [(NaiveDate, Wan)]) -> Facts<'a> {
        Facts {
            item,
            milestones: ms,
            started_on: None,
            registered_on: None,
            ytd,
            last_report: ReportState::OnTime,
        }
    }

    fn colour_with(ytd: &str, as_of: &str) -> (Colour, Option<Decimal>) {
        let item = project("100");
        let points = [(d("2025-06-30"), wan(ytd))];
        let s = assess(
            &facts(&item, &[], &points),
            d(as_of),
            &Thresholds::default(),
        );
        (s.colour, s.lag)
    }

    #[test]
    fn time_progress_by_the_calendar() {
        let item = project("100");
        assert_eq!(time_progress(&item, d("2025-06-30")), Decimal::from(50));
        assert_eq!(time_progress(&item, d("2025-12-31")), Decimal::from(100));
        assert_eq!(time_progress(&item, d("2025-03-31")), Decimal::from(25));
        // 15 July: 6 months and 15/31 of July, of 12.
        let t = time_progress(&item, d("2025-07-15"));
        assert_eq!(t.round_dp(4), Decimal::new(540323, 4));
        assert!(time_progress(&item, d("2025-07-01")) > time_progress(&item, d("2025-06-30")));
        assert_eq!(time_progress(&item, d("2024-12-31")), Decimal::ZERO);
        assert_eq!(time_progress(&item, d("2026-01-01")), Decimal::from(100));
    }

    #[test]
    fn time_progress_by_the_monthly_plan() {
        let mut item = project("120");
        // Back-loaded: 5 a month for six months, then 15.
        let mut acc = 0;
        let plan: Vec<Wan> = (1..=12)
            .map(|m| {
                acc += if m <= 6 { 5 } else { 15 };
                wan(&acc.to_string())
            })
            .collect();
        item.monthly_plan = Some(MonthlyPlan(plan));
        assert_eq!(
            time_progress(&item, d("2025-06-30")),
            Decimal::from(25),
            "30 of 120, not 50%"
        );
        assert_eq!(time_progress(&item, d("2025-12-31")), Decimal::from(100));
        // Halfway through a 30-day September: 60 by August, + 15 × 15/30 = 67.5 of 120.
        assert_eq!(time_progress(&item, d("2025-09-15")), Decimal::new(5625, 2));
    }

    #[test]
    fn time_progress_in_a_shorter_window() {
        let mut item = project("100");
        item.planned_start = Some(PlanDate::parse("2025-07").unwrap());
        item.planned_end = Some(PlanDate::parse("2025-10-31").unwrap());
        // 1 July – 31 October is 123 days; 31 August is day 62.
        assert_eq!(
            time_progress(&item, d("2025-08-31")),
            Decimal::from(62 * 100) / Decimal::from(123)
        );
        assert_eq!(time_progress(&item, d("2025-06-30")), Decimal::ZERO);
        assert_eq!(time_progress(&item, d("2025-11-15")), Decimal::from(100));
    }

    #[test]
    fn lag_thresholds_at_their_edges() {
        // 30 June: t = 50.
        assert_eq!(
            colour_with("40", "2025-06-30"),
            (Colour::Green, Some(Decimal::from(10)))
        );
        assert_eq!(colour_with("39.99", "2025-06-30").0, Colour::Yellow);
        assert_eq!(
            colour_with("20", "2025-06-30"),
            (Colour::Yellow, Some(Decimal::from(30)))
        );
        assert_eq!(colour_with("19.99", "2025-06-30").0, Colour::Red);
        assert_eq!(
            colour_with("80", "2025-06-30"),
            (Colour::Green, Some(Decimal::from(-30)))
        );
    }

    #[test]
    fn lag_reason_reads_like_a_bulletin() {
        let item = project("100");
        let points = [(d("2025-06-30"), wan("35"))];
        let s = assess(
            &facts(&item, &[], &points),
            d("2025-06-30"),
            &Thresholds::default(),
        );
        assert_eq!(s.flags, vec![Flag::Lagging]);
        assert_eq!(
            s.reasons[0].text,
            "序时进度 50.0%，完成 35.0%，滞后 15.0 个百分点"
        );
    }

    #[test]
    fn not_started_on_time() {
        let mut item = project("100");
        item.stage = Some(Stage::ToStart);
        item.planned_start = Some(PlanDate::parse("2025-03").unwrap());
        let f = facts(&item, &[], &[]);
        let th = Thresholds::default();
        let at = |s: &str| assess(&f, d(s), &th);
        assert!(
            !at("2025-03-31").flags.contains(&Flag::NotStartedOnTime),
            "not passed on its last day"
        );
        let s = at("2025-04-01");
        assert!(s.flags.contains(&Flag::NotStartedOnTime));
        assert!(
            s.reasons
                .iter()
                .any(|r| r.code == Flag::NotStartedOnTime && r.colour == Colour::Yellow)
        );
        // 90 days after 31 March is 29 June: still yellow; the 91st day is red.
        assert!(
            at("2025-06-29")
                .reasons
                .iter()
                .any(|r| r.code == Flag::NotStartedOnTime && r.colour == Colour::Yellow)
        );
        assert!(
            at("2025-06-30")
                .reasons
                .iter()
                .any(|r| r.code == Flag::NotStartedOnTime && r.colour == Colour::Red)
        );
        // Started (a 开工 milestone reached): no flag.
        let ms = [Milestone {
            baseline: None,
            name: "开工".into(),
            planned: Some(d("2025-03-31")),
            actual: Some(d("2025-05-01")),
        }];
        let f = facts(&item, &ms, &[]);
        assert!(
            !assess(&f, d("2025-06-30"), &th)
                .flags
                .contains(&Flag::NotStartedOnTime)
        );
    }

    #[test]
    fn milestones_overdue() {
        let item = project("100");
        let ms = [Milestone {
            baseline: None,
            name: "主体封顶".into(),
            planned: Some(d("2025-05-31")),
            actual: None,
        }];
        let points = [(d("2025-06-30"), wan("100"))];
        let f = facts(&item, &ms, &points);
        let th = Thresholds::default();
        let s = assess(&f, d("2025-06-30"), &th);
        assert_eq!(
            (s.colour, s.flags.clone()),
            (Colour::Yellow, vec![Flag::MilestoneOverdue])
        );
        assert_eq!(
            s.reasons[0].text,
            "节点“主体封顶”计划 2025-05-31 完成，已逾期 30 天"
        );
        assert_eq!(assess(&f, d("2025-07-01"), &th).colour, Colour::Red);
        let done = [Milestone {
            baseline: None,
            actual: Some(d("2025-06-10")),
            ..ms[0].clone()
        }];
        assert_eq!(
            assess(&facts(&item, &done, &points), d("2025-07-01"), &th).colour,
            Colour::Green
        );
    }

    #[test]
    fn statistics_registration() {
        let item = project("100");
        let points = [(d("2025-03-31"), wan("100"))];
        let mut f = facts(&item, &[], &points);
        f.started_on = Some(d("2025-03-01"));
        let th = Thresholds::default();
        assert_eq!(
            assess(&f, d("2025-03-31"), &th).colour,
            Colour::Green,
            "30 days"
        );
        assert_eq!(
            assess(&f, d("2025-04-01"), &th).colour,
            Colour::Yellow,
            "31 days"
        );
        assert_eq!(
            assess(&f, d("2025-04-30"), &th).colour,
            Colour::Yellow,
            "60 days"
        );
        let s = assess(&f, d("2025-05-01"), &th);
        assert_eq!(
            (s.colour, s.flags.clone()),
            (Colour::Red, vec![Flag::NotInStatistics])
        );
        f.registered_on = Some(d("2025-04-15"));
        assert_eq!(assess(&f, d("2025-05-01"), &th).colour, Colour::Green);
    }

    #[test]
    fn missing_and_late_reports_are_flags_not_colours() {
        let item = project("100");
        let points = [(d("2025-06-30"), wan("60"))];
        let mut f = facts(&item, &[], &points);
        f.last_report = ReportState::Missing;
        let s = assess(&f, d("2025-07-10"), &Thresholds::default());
        assert_eq!(
            (s.colour, s.flags.clone()),
            (Colour::Green, vec![Flag::NotReported])
        );
        f.last_report = ReportState::Late;
        assert_eq!(
            assess(&f, d("2025-07-10"), &Thresholds::default()).flags,
            vec![Flag::ReportedLate]
        );
    }

    #[test]
    fn a_task_without_money_is_measured_by_milestones() {
        let mut item = Item::new(2025, ItemKind::Task, "某工作", "市发改委");
        item.planned_end = Some(PlanDate::parse("2025-12").unwrap());
        let ms: Vec<Milestone> = ["方案", "实施", "督查", "验收"]
            .iter()
            .enumerate()
            .map(|(i, n)| Milestone {
                baseline: None,
                name: (*n).into(),
                planned: Some(month_end(2025, 3 * (i as u32 + 1))),
                actual: (i < 2).then(|| month_end(2025, 3 * (i as u32 + 1))),
            })
            .collect();
        let s = assess(
            &facts(&item, &ms, &[]),
            d("2025-06-30"),
            &Thresholds::default(),
        );
        assert_eq!(
            (s.t, s.p, s.colour),
            (Decimal::from(50), Some(Decimal::from(50)), Colour::Green)
        );
    }

    #[test]
    fn projection_carries_the_recent_pace_to_the_year_end() {
        let item = project("120");
        let points: Vec<(NaiveDate, Wan)> = (1..=6)
            .map(|m| (month_end(2025, m), wan(&(m * 10).to_string())))
            .collect();
        let s = assess(
            &facts(&item, &[], &points),
            d("2025-06-30"),
            &Thresholds::default(),
        );
        assert_eq!(s.projection, Some(Decimal::from(100)));
        // A stalled item: nothing since March.
        let stalled: Vec<(NaiveDate, Wan)> = (1..=6)
            .map(|m| (month_end(2025, m), wan(&(m.min(3) * 10).to_string())))
            .collect();
        let s = assess(
            &facts(&item, &[], &stalled),
            d("2025-06-30"),
            &Thresholds::default(),
        );
        assert_eq!(s.projection, Some(Decimal::from(25)));
    }

    #[test]
    fn thresholds_read_from_toml_like_json() {
        let th: Thresholds =
            serde_json::from_str(r#"{"yellow_lag": 5, "red_lag": 20.5, "start_red_days": 60}"#)
                .unwrap();
        assert_eq!(
            (th.yellow_lag, th.red_lag, th.start_red_days),
            (Decimal::from(5), Decimal::new(205, 1), 60)
        );
        assert_eq!(th.milestone_red_days, 30, "the rest keep their defaults");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn item_strategy() -> impl Strategy<Value = Item> {
            (1u32..=12, 0u32..=12, 1u64..100_000, any::<bool>()).prop_map(
                |(start, len, annual, plan)| {
                    let mut i = project(&annual.to_string());
                    i.stage = Some(Stage::ToStart);
                    i.planned_start = PlanDate::month(2025, start);
                    i.planned_end = PlanDate::month(2025, (start + len).min(12));
                    if plan {
                        i.monthly_plan = Some(MonthlyPlan(
                            (1..=12u64)
                                .map(|m| Wan::from_yuan((annual * 10_000 * m / 12) as i64))
                                .collect(),
                        ));
                    }
                    i
                },
            )
        }

        fn day(n: u32) -> NaiveDate {
            d("2025-01-01") + chrono::Days::new(u64::from(n))
        }

        proptest! {
            #[test]
            fn more_investment_never_worsens_the_colour(
                item in item_strategy(), a in 0u64..200_000, extra in 0u64..200_000, when in 0u32..365,
            ) {
                let as_of = day(when);
                let ms = [Milestone { baseline: None,  name: "开工".into(), planned: item.planned_start.map(|p| p.last_day()), actual: None }];
                let less = [(as_of, Wan::from_yuan((a * 10_000) as i64))];
                let more = [(as_of, Wan::from_yuan(((a + extra) * 10_000) as i64))];
                let th = Thresholds::default();
                let c1 = assess(&facts(&item, &ms, &less), as_of, &th).colour;
                let c2 = assess(&facts(&item, &ms, &more), as_of, &th).colour;
                prop_assert!(c2 <= c1, "{:?} then {:?}", c1, c2);
            }

            #[test]
            fn a_later_date_without_a_new_report_never_looks_better(
                item in item_strategy(), a in 0u64..200_000, when in 0u32..300, later in 0u32..65,
                started in proptest::option::of(0u32..300),
            ) {
                let reported = day(when);
                let points = [(reported, Wan::from_yuan((a * 10_000) as i64))];
                let ms = [Milestone { baseline: None,  name: "节点".into(), planned: Some(day(when / 2)), actual: None }];
                let mut f = facts(&item, &ms, &points);
                f.started_on = started.map(day).filter(|s| *s <= reported);
                let th = Thresholds::default();
                let c1 = assess(&f, reported, &th).colour;
                let c2 = assess(&f, reported + chrono::Days::new(u64::from(later)), &th).colour;
                prop_assert!(c2 >= c1, "{:?} then {:?}", c1, c2);
            }
        }
    }
}
