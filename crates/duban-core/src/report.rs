//! 进度填报 — reporting periods and the rules a progress report must satisfy (domain.md §4
//! and §12): year-to-date investment never goes down and never exceeds the total; this
//! period's figure is year-to-date minus the previous year-to-date; dates fall inside the
//! period; percentages are 0–100.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::month_end;
use crate::item::FieldProblem;
use crate::money::Wan;

crate::labelled_enum! {
    /// 填报周期 — how often an item kind reports.
    pub enum Cadence ("填报周期") {
        /// 周报 — ISO weeks, Monday to Sunday.
        Weekly = "weekly", "每周", ["周报", "按周", "周"],
        /// 月报
        Monthly = "monthly", "每月", ["月报", "按月", "月"],
        /// 季报
        Quarterly = "quarterly", "每季度", ["季报", "按季", "按季度", "季度", "季"],
    }
}

impl Cadence {
    /// The default due day: the Monday after a week, the 5th of the month after a month or
    /// a quarter.
    pub fn default_due_day(self) -> u32 {
        match self {
            Cadence::Weekly => 1,
            Cadence::Monthly | Cadence::Quarterly => DEFAULT_DUE_DAY,
        }
    }

    /// The due days that make sense: 1–7 (days after the week's Sunday), else 1–31.
    pub fn due_day_range(self) -> std::ops::RangeInclusive<u32> {
        match self {
            Cadence::Weekly => 1..=7,
            Cadence::Monthly | Cadence::Quarterly => 1..=31,
        }
    }

    /// How its due day reads: "次周一", "次月 5 日".
    pub fn describe_due(self, due_day: u32) -> String {
        match self {
            Cadence::Weekly => {
                const DAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
                format!("次周{}", DAYS[(due_day.clamp(1, 7) - 1) as usize])
            }
            Cadence::Monthly => format!("次月 {due_day} 日"),
            Cadence::Quarterly => format!("季后首月 {due_day} 日"),
        }
    }
}

/// 填报期 — a week ("2025-W23"), a month ("2025-06") or a quarter ("2025-Q2"). Periods
/// order by their first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    first: NaiveDate,
    cadence: Cadence,
}

/// The default due day of monthly reports: the 5th of the next month.
pub const DEFAULT_DUE_DAY: u32 = 5;

const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];

fn in_range(year: i32) -> bool {
    crate::date::YEARS.contains(&year)
}

impl Period {
    /// A calendar month.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        in_range(year)
            .then(|| NaiveDate::from_ymd_opt(year, month, 1))
            .flatten()
            .map(|first| Period {
                first,
                cadence: Cadence::Monthly,
            })
    }

    /// A quarter (1–4).
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        ((1..=4).contains(&quarter))
            .then(|| Period::month(year, quarter * 3 - 2))
            .flatten()
            .map(|p| Period {
                cadence: Cadence::Quarterly,
                ..p
            })
    }

    /// An ISO week (Monday to Sunday) of an ISO week-year.
    pub fn week(year: i32, week: u32) -> Option<Period> {
        in_range(year)
            .then(|| NaiveDate::from_isoywd_opt(year, week, Weekday::Mon))
            .flatten()
            .map(|first| Period {
                first,
                cadence: Cadence::Weekly,
            })
    }

    /// The period of `cadence` a date falls in.
    pub fn of(date: NaiveDate, cadence: Cadence) -> Period {
        let first = match cadence {
            Cadence::Weekly => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            Cadence::Monthly => date.with_day(1).expect("day 1"),
            Cadence::Quarterly => {
                NaiveDate::from_ymd_opt(date.year(), (date.month() - 1) / 3 * 3 + 1, 1)
                    .expect("quarter start")
            }
        };
        Period { first, cadence }
    }

    pub fn cadence(self) -> Cadence {
        self.cadence
    }

    /// The year whose year-to-date figures the period's report carries: the year of its
    /// last day (a week across New Year belongs to the new year).
    pub fn year(self) -> i32 {
        self.last_day().year()
    }

    /// Reads "2025-06", "2025年6月", "2025.6", "202506" (months); "2025-Q2", "2025Q2",
    /// "2025年第二季度", "2025年2季度" (quarters); "2025-W23", "2025W23", "2025年第23周"
    /// (ISO weeks).
    pub fn parse(text: &str) -> Result<Period, String> {
        let t = crate::text::compact(text).to_uppercase();
        let bad = || {
            format!(
                "无法识别的填报期“{}”（应为月份如 2025-06、季度如 2025-Q2 或周如 2025-W23）",
                text.trim()
            )
        };
        let out_of_range = || format!("填报期“{}”超出范围", text.trim());
        let year_and = |rest_markers: &[&str]| -> Option<(i32, String)> {
            let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let mut rest = t[4..].to_string();
            for m in rest_markers {
                rest = rest.replace(m, "");
            }
            Some((digits.parse().ok()?, rest))
        };
        if t.contains('Q') || t.contains('季') {
            let (year, rest) =
                year_and(&["年", "-", "第", "Q", "季度", "季", "."]).ok_or_else(bad)?;
            let q = QUARTERS
                .iter()
                .position(|c| rest == *c)
                .map(|i| i as u32 + 1)
                .or_else(|| rest.parse().ok())
                .ok_or_else(bad)?;
            return Period::quarter(year, q).ok_or_else(out_of_range);
        }
        if t.contains('W') || t.contains('周') {
            let (year, rest) = year_and(&["年", "-", "第", "W", "周", "."]).ok_or_else(bad)?;
            let w: u32 = rest.parse().map_err(|_| bad())?;
            return Period::week(year, w).ok_or_else(out_of_range);
        }
        match crate::PlanDate::parse(text) {
            Ok(crate::PlanDate::Month { year, month }) => {
                Period::month(year, month).ok_or_else(out_of_range)
            }
            _ => Err(bad()),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        self.first
    }

    pub fn last_day(self) -> NaiveDate {
        match self.cadence {
            Cadence::Weekly => self.first + Days::new(6),
            Cadence::Monthly => month_end(self.first.year(), self.first.month()),
            Cadence::Quarterly => month_end(self.first.year(), self.first.month() + 2),
        }
    }

    pub fn next(self) -> Period {
        Period::of(self.last_day() + Days::new(1), self.cadence)
    }

    pub fn previous(self) -> Period {
        Period::of(self.first - Days::new(1), self.cadence)
    }

    /// 报送截止日 — for a week, `due_day` days after its Sunday (1 = the next Monday); for a
    /// month or a quarter, day `due_day` of the following month (its last day if shorter).
    pub fn due(self, due_day: u32) -> NaiveDate {
        let after = self.last_day() + Days::new(1);
        match self.cadence {
            Cadence::Weekly => self.last_day() + Days::new(u64::from(due_day.clamp(1, 7))),
            Cadence::Monthly | Cadence::Quarterly => {
                let last = month_end(after.year(), after.month()).day();
                after
                    .with_day(due_day.clamp(1, last))
                    .expect("valid due date")
            }
        }
    }

    /// 上一个已截止的填报期 — the latest period of `cadence` whose due date has passed by
    /// `as_of`.
    pub fn last_closed(as_of: NaiveDate, cadence: Cadence, due_day: u32) -> Period {
        let mut p = Period::of(as_of, cadence).previous();
        while p.due(due_day) >= as_of {
            p = p.previous();
        }
        p
    }

    /// 纳入台账 — whether an item listed (put on the ledger) on `listed_on` counts in this
    /// period: from the period it was listed in on. A period that was over before the item
    /// existed neither counts it nor asks it for a report, so its figures stay what they were
    /// when items are added later. `None` (listed before the day was kept) counts everywhere.
    pub fn lists(self, listed_on: Option<NaiveDate>) -> bool {
        listed_on.is_none_or(|d| d <= self.last_day())
    }

    /// How a year-to-date column is headed: "1-6月", "截至6月8日".
    pub fn ytd_label(self) -> String {
        let last = self.last_day();
        match self.cadence {
            Cadence::Weekly => format!("截至{}月{}日", last.month(), last.day()),
            Cadence::Monthly | Cadence::Quarterly => format!("1-{}月", last.month()),
        }
    }

    /// The period in words, without the year: "6月", "二季度", "第23周".
    pub fn short_label(self) -> String {
        match self.cadence {
            Cadence::Weekly => format!("第{}周", self.first.iso_week().week()),
            Cadence::Monthly => format!("{}月", self.first.month()),
            Cadence::Quarterly => format!("{}季度", QUARTERS[(self.first.month() / 3) as usize]),
        }
    }

    /// The period in words: "2025年6月", "2025年二季度", "2025年第23周（6月2日—6月8日）".
    pub fn label(self) -> String {
        match self.cadence {
            Cadence::Weekly => {
                let (f, l) = (self.first, self.last_day());
                format!(
                    "{}年{}（{}月{}日—{}月{}日）",
                    self.first.iso_week().year(),
                    self.short_label(),
                    f.month(),
                    f.day(),
                    l.month(),
                    l.day()
                )
            }
            _ => format!("{}年{}", self.first.year(), self.short_label()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first;
        match self.cadence {
            Cadence::Weekly => {
                let w = d.iso_week();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            Cadence::Monthly => write!(f, "{:04}-{:02}", d.year(), d.month()),
            Cadence::Quarterly => write!(f, "{:04}-Q{}", d.year(), d.month().div_ceil(3)),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// 节点完成 — a milestone reached, with its actual date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneReached {
    pub name: String,
    pub date: NaiveDate,
}

/// 进度报告 — what a unit reports for an item and a period. Either money figure may be left
/// out; [`check_report`] derives it from the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReportDraft {
    /// 1至本月累计完成投资（万元）
    #[serde(default)]
    pub ytd: Option<Wan>,
    /// 本月完成投资（万元）
    #[serde(default)]
    pub this_period: Option<Wan>,
    /// 形象进度
    #[serde(default)]
    pub progress_text: Option<String>,
    /// 形象进度（%）
    #[serde(default)]
    pub progress_percent: Option<Decimal>,
    /// 本期完成的节点
    #[serde(default)]
    pub milestones: Vec<MilestoneReached>,
    /// 进展情况
    #[serde(default)]
    pub narrative: Option<String>,
    /// 存在问题
    #[serde(default)]
    pub problems: Option<String>,
}

/// What the rules need to know besides the draft.
#[derive(Debug, Clone, Copy)]
pub struct ReportContext {
    pub period: Period,
    /// The latest year-to-date figure reported for an earlier period of the same year.
    pub previous_ytd: Option<Wan>,
    /// 总投资 of the item.
    pub total_investment: Option<Wan>,
}

/// Checks a draft and fills in the missing money figure. Every broken rule is named by field.
pub fn check_report(
    draft: &ReportDraft,
    ctx: &ReportContext,
) -> Result<ReportDraft, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut bad =
        |field: &'static str, message: String| problems.push(FieldProblem { field, message });
    let blank = |t: &Option<String>| t.as_deref().is_none_or(|t| t.trim().is_empty());
    if draft.ytd.is_none()
        && draft.this_period.is_none()
        && draft.progress_percent.is_none()
        && draft.milestones.is_empty()
        && blank(&draft.progress_text)
        && blank(&draft.narrative)
        && blank(&draft.problems)
    {
        bad(
            "报告内容",
            "报告是空的：请至少填写累计完成投资、本期完成投资、形象进度、完成的节点或进展情况中的一项"
                .into(),
        );
    }
    let previous = ctx.previous_ytd.unwrap_or(Wan::ZERO);
    let mut out = draft.clone();
    match (draft.ytd, draft.this_period) {
        (Some(ytd), Some(this)) => {
            if ytd.saturating_sub(previous) != this || ytd < previous {
                bad(
                    "本期完成投资",
                    format!(
                        "本期完成 {this} 万元与累计 {ytd} 万元不一致：累计减去上期累计 {previous} 万元应为 {}",
                        Wan::from_yuan(ytd.yuan() - previous.yuan())
                    ),
                );
            }
        }
        (Some(ytd), None) => out.this_period = Some(Wan::from_yuan(ytd.yuan() - previous.yuan())),
        (None, Some(this)) => out.ytd = previous.checked_add(this),
        (None, None) => {}
    }
    if let Some(ytd) = out.ytd {
        if ytd < previous {
            bad(
                "累计完成投资",
                format!("累计完成投资 {ytd} 万元少于上期累计 {previous} 万元；累计数只能增加"),
            );
        }
        if let Some(total) = ctx.total_investment
            && ytd > total
        {
            bad(
                "累计完成投资",
                format!("累计完成投资 {ytd} 万元超过总投资 {total} 万元"),
            );
        }
    }
    if let Some(p) = draft.progress_percent
        && (p < Decimal::ZERO || p > Decimal::ONE_HUNDRED)
    {
        bad("形象进度（%）", format!("形象进度 {p}% 应在 0 到 100 之间"));
    }
    for m in &draft.milestones {
        if m.date < ctx.period.first_day() || m.date > ctx.period.last_day() {
            bad(
                "节点完成时间",
                format!(
                    "节点“{}”的完成时间 {} 不在填报期 {} 内",
                    m.name, m.date, ctx.period
                ),
            );
        }
        if m.name.trim().is_empty() {
            bad("节点名称", "节点名称不能为空".into());
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MoneyUnit;

    fn wan(s: &str) -> Wan {
        Wan::parse(s, MoneyUnit::Wan).unwrap()
    }

    fn june(previous: Option<&str>) -> ReportContext {
        ReportContext {
            period: Period::month(2025, 6).unwrap(),
            previous_ytd: previous.map(wan),
            total_investment: Some(wan("1000")),
        }
    }

    #[test]
    fn an_item_counts_from_the_period_it_was_listed_in() {
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d);
        let sept = Period::month(2025, 9).unwrap();
        assert!(sept.lists(None), "listed before the day was kept");
        assert!(sept.lists(day(1, 1)));
        assert!(sept.lists(day(9, 30)), "listed on the period's last day");
        assert!(!sept.lists(day(10, 1)));
        assert!(
            !sept.lists(day(10, 3)),
            "before September's due date, but after September"
        );
        let q3 = Period::quarter(2025, 3).unwrap();
        assert!(q3.lists(day(8, 15)) && !q3.lists(day(11, 20)));
    }

    #[test]
    fn an_empty_report_is_refused() {
        let empty = ReportDraft {
            progress_text: Some("  ".into()),
            narrative: Some(String::new()),
            ..ReportDraft::default()
        };
        let problems = check_report(&empty, &june(None)).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "报告内容");
        // Any one thing reported is a report: a task's progress in words, or a milestone.
        let words = ReportDraft {
            progress_text: Some("已完成方案编制".into()),
            ..ReportDraft::default()
        };
        assert!(check_report(&words, &june(None)).is_ok());
        let milestone = ReportDraft {
            milestones: vec![MilestoneReached {
                name: "开工".into(),
                date: chrono::NaiveDate::from_ymd_opt(2025, 6, 10).unwrap(),
            }],
            ..ReportDraft::default()
        };
        assert!(check_report(&milestone, &june(None)).is_ok());
    }

    #[test]
    fn periods_and_due_dates() {
        let june = Period::parse("2025年6月").unwrap();
        assert_eq!(june.to_string(), "2025-06");
        assert_eq!(
            june.due(DEFAULT_DUE_DAY),
            NaiveDate::from_ymd_opt(2025, 7, 5).unwrap()
        );
        assert_eq!(
            Period::parse("2025-12").unwrap().due(5),
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
        );
        assert_eq!(
            Period::month(2025, 1).unwrap().due(31),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            Period::last_closed(d("2025-07-06"), Cadence::Monthly, 5),
            june
        );
        assert_eq!(
            Period::last_closed(d("2025-07-05"), Cadence::Monthly, 5),
            Period::month(2025, 5).unwrap(),
            "due today: still open"
        );
        assert!(Period::parse("下个月").is_err());
    }

    #[test]
    fn weeks_and_quarters() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let w = Period::parse("2025年第23周").unwrap();
        assert_eq!(w.to_string(), "2025-W23");
        assert_eq!(Period::parse("2025-w23").unwrap(), w);
        assert_eq!(
            (w.first_day(), w.last_day()),
            (d("2025-06-02"), d("2025-06-08"))
        );
        assert_eq!(w.due(1), d("2025-06-09"), "the Monday after");
        assert_eq!(w.label(), "2025年第23周（6月2日—6月8日）");
        assert_eq!(w.next().to_string(), "2025-W24");
        assert_eq!(
            Period::week(2025, 1).unwrap().previous().to_string(),
            "2024-W52"
        );
        // ISO week 1 of 2026 starts on 2025-12-29; its figures are 2026's.
        let w1 = Period::parse("2026-W01").unwrap();
        assert_eq!((w1.first_day(), w1.year()), (d("2025-12-29"), 2026));
        assert_eq!(Period::of(d("2025-12-31"), Cadence::Weekly), w1);
        assert!(Period::parse("2025-W54").is_err());

        let q = Period::parse("2025年第二季度").unwrap();
        assert_eq!(q.to_string(), "2025-Q2");
        for t in ["2025-Q2", "2025q2", "2025年2季度", "2025年二季度"] {
            assert_eq!(Period::parse(t).unwrap(), q, "{t}");
        }
        assert_eq!(
            (q.first_day(), q.last_day()),
            (d("2025-04-01"), d("2025-06-30"))
        );
        assert_eq!(q.due(5), d("2025-07-05"));
        assert_eq!(q.ytd_label(), "1-6月");
        assert_eq!(
            Period::quarter(2025, 4).unwrap().next().to_string(),
            "2026-Q1"
        );
        assert_eq!(
            Period::of(d("2025-08-15"), Cadence::Quarterly).to_string(),
            "2025-Q3"
        );
        assert!(Period::parse("2025-Q5").is_err());

        assert_eq!(
            Period::last_closed(d("2025-06-10"), Cadence::Weekly, 1),
            Period::week(2025, 23).unwrap()
        );
        assert_eq!(
            Period::last_closed(d("2025-06-09"), Cadence::Weekly, 1),
            Period::week(2025, 22).unwrap(),
            "due today: still open"
        );
        assert_eq!(
            Period::last_closed(d("2025-07-06"), Cadence::Quarterly, 5),
            q
        );
        assert_eq!(
            Period::last_closed(d("2025-07-05"), Cadence::Quarterly, 5).to_string(),
            "2025-Q1"
        );
    }

    #[test]
    fn either_figure_gives_the_other() {
        let d = ReportDraft {
            ytd: Some(wan("300")),
            ..Default::default()
        };
        assert_eq!(
            check_report(&d, &june(Some("200"))).unwrap().this_period,
            Some(wan("100"))
        );
        let d = ReportDraft {
            this_period: Some(wan("50")),
            ..Default::default()
        };
        assert_eq!(
            check_report(&d, &june(Some("200"))).unwrap().ytd,
            Some(wan("250"))
        );
        let d = ReportDraft {
            this_period: Some(wan("50")),
            ..Default::default()
        };
        assert_eq!(
            check_report(&d, &june(None)).unwrap().ytd,
            Some(wan("50")),
            "first report of the year"
        );
    }

    #[test]
    fn broken_rules_are_named_by_field() {
        let fields = |d: ReportDraft, ctx: ReportContext| -> Vec<&'static str> {
            check_report(&d, &ctx)
                .unwrap_err()
                .iter()
                .map(|p| p.field)
                .collect()
        };
        let down = ReportDraft {
            ytd: Some(wan("150")),
            ..Default::default()
        };
        assert_eq!(fields(down, june(Some("200"))), vec!["累计完成投资"]);
        let over = ReportDraft {
            ytd: Some(wan("1000.01")),
            ..Default::default()
        };
        assert_eq!(fields(over, june(None)), vec!["累计完成投资"]);
        let disagree = ReportDraft {
            ytd: Some(wan("300")),
            this_period: Some(wan("90")),
            ..Default::default()
        };
        assert_eq!(fields(disagree, june(Some("200"))), vec!["本期完成投资"]);
        let pct = ReportDraft {
            progress_percent: Some(Decimal::from(101)),
            ..Default::default()
        };
        assert_eq!(fields(pct, june(None)), vec!["形象进度（%）"]);
        let outside = ReportDraft {
            milestones: vec![MilestoneReached {
                name: "封顶".into(),
                date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            }],
            ..Default::default()
        };
        assert_eq!(fields(outside, june(None)), vec!["节点完成时间"]);
        let ok = ReportDraft {
            ytd: Some(wan("300")),
            this_period: Some(wan("100")),
            ..Default::default()
        };
        assert!(check_report(&ok, &june(Some("200"))).is_ok());
    }
}
