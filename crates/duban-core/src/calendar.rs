//! 工作日 — the working-day calendar: Saturdays and Sundays off, except the weekend days worked
//! in exchange (调休上班), and the public holidays (法定节假日) of the State Council's yearly
//! notice. Every rule that counts days says whether it counts calendar or working days
//! (`DayCount`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The holiday notices shipped with duban (2024–2026).
pub const SHIPPED: &str = include_str!("../data/holidays.toml");

/// Most holiday ranges in one year, and the longest range, in days.
const MAX_RANGES: usize = 40;
const MAX_RANGE_DAYS: i64 = 31;
/// Most years in one calendar.
const MAX_YEARS: usize = 200;

/// 放假 — a run of days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 节日名称
    pub name: String,
}

/// 节假日安排 — one year's notice: its holidays and its exchanged workdays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    pub year: i32,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    /// 调休上班 — weekend days worked.
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CalendarFile {
    #[serde(default)]
    year: Vec<YearSchedule>,
}

/// Why a holiday schedule is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("节假日安排不是有效的 TOML：{0}")]
    Syntax(String),
    #[error("{year} 年：{problem}")]
    Year { year: i32, problem: String },
    #[error("年份 {0} 出现了两次")]
    Repeated(i32),
    #[error("最多 {MAX_YEARS} 个年份")]
    TooManyYears,
}

impl YearSchedule {
    /// Checks the notice: dates inside its year, ranges in order and short, an exchanged
    /// workday on a weekend and outside the holidays.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let bad = |problem: String| {
            Err(CalendarError::Year {
                year: self.year,
                problem,
            })
        };
        if !(1900..=2200).contains(&self.year) {
            return bad("年份应在 1900—2200 之间".into());
        }
        if self.holidays.len() > MAX_RANGES {
            return bad(format!("最多 {MAX_RANGES} 段假期"));
        }
        for h in &self.holidays {
            if h.from.year() != self.year || h.to.year() != self.year {
                return bad(format!("假期“{}”的日期不在本年内", h.name));
            }
            if h.to < h.from {
                return bad(format!("假期“{}”的结束日期早于开始日期", h.name));
            }
            if (h.to - h.from).num_days() >= MAX_RANGE_DAYS {
                return bad(format!("假期“{}”超过 {MAX_RANGE_DAYS} 天", h.name));
            }
            if h.name.trim().is_empty() || h.name.chars().count() > 30 {
                return bad("假期名称不能为空，最多 30 字".into());
            }
        }
        if self.workdays.len() > MAX_RANGES {
            return bad(format!("最多 {MAX_RANGES} 个调休上班日"));
        }
        for w in &self.workdays {
            if w.year() != self.year {
                return bad(format!("调休上班日 {w} 不在本年内"));
            }
            if !is_weekend(*w) {
                return bad(format!("调休上班日 {w} 不是周六或周日"));
            }
            if self.holidays.iter().any(|h| (h.from..=h.to).contains(w)) {
                return bad(format!("调休上班日 {w} 在假期之内"));
            }
        }
        Ok(())
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// 计日方式 — whether a rule counts calendar days (自然日) or working days (工作日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// 自然日
    #[default]
    Calendar,
    /// 工作日
    Working,
}

impl DayCount {
    pub fn label(self) -> &'static str {
        match self {
            DayCount::Calendar => "自然日",
            DayCount::Working => "工作日",
        }
    }

    /// `n` days of this kind after `day` (before it when negative). Working days: the n-th
    /// working day after `day`, `day` itself not counted; with n = 0, `day` itself.
    pub fn add(self, calendar: &WorkCalendar, day: NaiveDate, n: i64) -> NaiveDate {
        match self {
            DayCount::Calendar => {
                if n >= 0 {
                    day.checked_add_days(Days::new(n as u64)).unwrap_or(day)
                } else {
                    day.checked_sub_days(Days::new(n.unsigned_abs()))
                        .unwrap_or(day)
                }
            }
            DayCount::Working => calendar.add_working_days(day, n),
        }
    }
}

/// 工作日历 — which days are worked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearSchedule>,
    off: BTreeMap<NaiveDate, usize>,
    names: Vec<String>,
    on: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// The notices shipped with duban.
    pub fn shipped() -> WorkCalendar {
        WorkCalendar::from_toml(SHIPPED).expect("the shipped holidays are valid")
    }

    /// Reads notices written as `[[year]]` tables (the shipped file's format).
    pub fn from_toml(text: &str) -> Result<WorkCalendar, CalendarError> {
        let file: CalendarFile =
            toml::from_str(text).map_err(|e| CalendarError::Syntax(e.message().to_string()))?;
        WorkCalendar::from_years(file.year)
    }

    /// A calendar of these notices, each checked.
    pub fn from_years(years: Vec<YearSchedule>) -> Result<WorkCalendar, CalendarError> {
        if years.len() > MAX_YEARS {
            return Err(CalendarError::TooManyYears);
        }
        let mut calendar = WorkCalendar::default();
        for y in years {
            y.validate()?;
            if calendar.years.contains_key(&y.year) {
                return Err(CalendarError::Repeated(y.year));
            }
            calendar.years.insert(y.year, y);
        }
        calendar.index();
        Ok(calendar)
    }

    fn index(&mut self) {
        self.off.clear();
        self.on.clear();
        self.names.clear();
        for y in self.years.values() {
            for h in &y.holidays {
                self.names.push(h.name.clone());
                let mut d = h.from;
                while d <= h.to {
                    self.off.insert(d, self.names.len() - 1);
                    d = d.succ_opt().expect("a date inside its year");
                }
            }
            self.on.extend(y.workdays.iter().copied());
        }
    }

    /// The notices, by year.
    pub fn years(&self) -> impl Iterator<Item = &YearSchedule> {
        self.years.values()
    }

    /// One year's notice, if it is known.
    pub fn year(&self, year: i32) -> Option<&YearSchedule> {
        self.years.get(&year)
    }

    /// Replaces (or adds) one year's notice.
    pub fn set_year(&mut self, schedule: YearSchedule) -> Result<(), CalendarError> {
        schedule.validate()?;
        self.years.insert(schedule.year, schedule);
        self.index();
        Ok(())
    }

    /// Whether the notice of `year` is known (without it only weekends are off).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The notices as TOML, in the shipped file's format.
    pub fn to_toml(&self) -> String {
        let file = CalendarFile {
            year: self.years.values().cloned().collect(),
        };
        toml::to_string(&file).unwrap_or_default()
    }

    /// 节日 — the holiday `day` belongs to, if any.
    pub fn holiday(&self, day: NaiveDate) -> Option<&str> {
        self.off.get(&day).map(|&i| self.names[i].as_str())
    }

    /// Whether `day` is worked.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.on.contains(&day) {
            return true;
        }
        !self.off.contains_key(&day) && !is_weekend(day)
    }

    /// The n-th working day after `day` (before it when n < 0), `day` itself not counted;
    /// with n = 0, `day` itself.
    pub fn add_working_days(&self, day: NaiveDate, n: i64) -> NaiveDate {
        let mut d = day;
        let mut left = n.unsigned_abs();
        while left > 0 {
            let next = if n > 0 { d.succ_opt() } else { d.pred_opt() };
            let Some(next) = next else { return d };
            d = next;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in (from, to]: 0 when `to` is not after `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let mut count = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().expect("a date before `to`");
            if self.is_working_day(d) {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_shipped_notices_read_and_know_their_days() {
        let c = WorkCalendar::shipped();
        assert!(c.covers(2024) && c.covers(2025) && c.covers(2026));
        assert!(!c.covers(2027));
        // 2025 National Day and Mid-Autumn: 1–8 October off, Sunday 28 September and
        // Saturday 11 October worked.
        assert_eq!(c.holiday(d("2025-10-08")), Some("国庆节、中秋节"));
        assert!(!c.is_working_day(d("2025-10-03")));
        assert!(c.is_working_day(d("2025-09-28")));
        assert!(c.is_working_day(d("2025-10-11")));
        assert!(!c.is_working_day(d("2025-10-12")));
        // An ordinary Saturday and Wednesday.
        assert!(!c.is_working_day(d("2025-06-14")));
        assert!(c.is_working_day(d("2025-06-11")));
    }

    #[test]
    fn working_days_skip_holidays_and_count_exchanged_weekends() {
        let c = WorkCalendar::shipped();
        // Tuesday 30 September 2025 + 1 working day: 1–8 October off → Thursday 9 October.
        assert_eq!(c.add_working_days(d("2025-09-30"), 1), d("2025-10-09"));
        // + 3: 9 (Thu), 10 (Fri), 11 (Sat, worked).
        assert_eq!(c.add_working_days(d("2025-09-30"), 3), d("2025-10-11"));
        // Friday 26 September + 2: Sunday 28 (worked), Monday 29.
        assert_eq!(c.add_working_days(d("2025-09-26"), 2), d("2025-09-29"));
        // Backwards: 3 working days before Thursday 9 October 2025: 30 September (Tue), 29
        // (Mon), 28 (Sunday, worked in exchange).
        assert_eq!(c.add_working_days(d("2025-10-09"), -3), d("2025-09-28"));
        assert_eq!(c.add_working_days(d("2025-10-09"), 0), d("2025-10-09"));
        assert_eq!(c.working_days_between(d("2025-09-30"), d("2025-10-11")), 3);
        assert_eq!(c.working_days_between(d("2025-10-11"), d("2025-09-30")), 0);
    }

    #[test]
    fn a_year_without_a_notice_rests_on_weekends_only() {
        let c = WorkCalendar::shipped();
        assert!(c.is_working_day(d("2027-01-01"))); // a Friday, not known as a holiday
        assert!(!c.is_working_day(d("2027-01-02")));
        assert_eq!(c.add_working_days(d("2027-01-01"), 1), d("2027-01-04"));
    }

    #[test]
    fn calendar_and_working_counts() {
        let c = WorkCalendar::shipped();
        assert_eq!(
            DayCount::Calendar.add(&c, d("2025-09-30"), 3),
            d("2025-10-03")
        );
        assert_eq!(
            DayCount::Working.add(&c, d("2025-09-30"), 3),
            d("2025-10-11")
        );
        assert_eq!(
            DayCount::Calendar.add(&c, d("2025-10-03"), -3),
            d("2025-09-30")
        );
    }

    #[test]
    fn bad_notices_are_refused_with_the_reason() {
        let text = "[[year]]\nyear = 2025\nworkdays = [\"2025-10-09\"]\n";
        let e = WorkCalendar::from_toml(text).unwrap_err().to_string();
        assert!(e.contains("不是周六或周日"), "{e}");
        let text = "[[year]]\nyear = 2025\nholidays = [{ from = \"2025-10-08\", to = \"2025-10-01\", name = \"国庆节\" }]\n";
        let e = WorkCalendar::from_toml(text).unwrap_err().to_string();
        assert!(e.contains("结束日期早于开始日期"), "{e}");
        let text = "[[year]]\nyear = 2025\n[[year]]\nyear = 2025\n";
        assert_eq!(
            WorkCalendar::from_toml(text).unwrap_err(),
            CalendarError::Repeated(2025)
        );
        assert!(matches!(
            WorkCalendar::from_toml("year = ["),
            Err(CalendarError::Syntax(_))
        ));
    }

    #[test]
    fn a_calendar_survives_its_toml() {
        let c = WorkCalendar::shipped();
        let again = WorkCalendar::from_toml(&c.to_toml()).unwrap();
        assert_eq!(c, again);
    }
}
