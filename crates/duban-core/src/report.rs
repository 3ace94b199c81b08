//! 进度填报 — reporting periods and the rules a progress report must satisfy (domain.md §4
//! and §12): year-to-date investment never goes down and never exceeds the total; this
//! period's figure is year-to-date minus the previous year-to-date; dates fall inside the
//! period; percentages are 0–100.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::month_end;
use crate::item::FieldProblem;
use crate::money::Wan;

/// 填报期 — a calendar month ("2025-06"); reports are due on `due_day` of the next month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

/// The default due day: the 5th of the next month.
pub const DEFAULT_DUE_DAY: u32 = 5;

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((1..=12).contains(&month) && (2000..=2100).contains(&year))
            .then_some(Period { year, month })
    }

    /// Reads "2025-06", "2025年6月", "2025.6", "202506".
    pub fn parse(text: &str) -> Result<Period, String> {
        match crate::PlanDate::parse(text) {
            Ok(crate::PlanDate::Month { year, month }) => {
                Period::new(year, month).ok_or_else(|| format!("填报期“{text}”超出范围"))
            }
            _ => Err(format!(
                "无法识别的填报期“{}”（应为月份，如 2025-06 或 2025年6月）",
                text.trim()
            )),
        }
    }

    /// The period a date falls in.
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid period")
    }

    pub fn last_day(self) -> NaiveDate {
        month_end(self.year, self.month)
    }

    pub fn next(self) -> Period {
        if self.month == 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> Period {
        if self.month == 1 {
            Period {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Period {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// 报送截止日 — `due_day` of the next month (the month's last day if shorter).
    pub fn due(self, due_day: u32) -> NaiveDate {
        let n = self.next();
        let last = month_end(n.year, n.month).day();
        NaiveDate::from_ymd_opt(n.year, n.month, due_day.clamp(1, last)).expect("valid due date")
    }

    /// 上一个已截止的填报期 — the latest period whose due date has passed by `as_of`.
    pub fn last_closed(as_of: NaiveDate, due_day: u32) -> Period {
        let mut p = Period::of(as_of).previous();
        while p.due(due_day) >= as_of {
            p = p.previous();
        }
        p
    }

    /// "1-6月" — how a year-to-date column is headed.
    pub fn ytd_label(self) -> String {
        format!("1-{}月", self.month)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
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
    let previous = ctx.previous_ytd.unwrap_or(Wan::ZERO);
    let mut out = draft.clone();
    match (draft.ytd, draft.this_period) {
        (Some(ytd), Some(this)) => {
            if ytd.saturating_sub(previous) != this || ytd < previous {
                bad(
                    "本月完成投资",
                    format!(
                        "本月完成 {this} 万元与累计 {ytd} 万元不一致：累计减去上期累计 {previous} 万元应为 {}",
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
            period: Period::new(2025, 6).unwrap(),
            previous_ytd: previous.map(wan),
            total_investment: Some(wan("1000")),
        }
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
            Period::new(2025, 1).unwrap().due(31),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Period::last_closed(d("2025-07-06"), 5), june);
        assert_eq!(
            Period::last_closed(d("2025-07-05"), 5),
            Period::new(2025, 5).unwrap(),
            "due today: still open"
        );
        assert!(Period::parse("下个月").is_err());
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
        assert_eq!(fields(disagree, june(Some("200"))), vec!["本月完成投资"]);
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
