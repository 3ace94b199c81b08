//! 日期 — the planned dates of a ledger: a whole month ("2025年3月") or a day.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// 年度 — the years a ledger, a report or a meeting may be in.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The first year written in `text` as four digits (not part of a longer number) followed by
/// one of `then`: "2025年" with `['年']`, "2021-02-25" with `['-']`; only years in [`YEARS`].
pub fn year_written(text: &str, then: &[char]) -> Option<i32> {
    let t: Vec<char> = text.chars().collect();
    t.windows(5).enumerate().find_map(|(i, w)| {
        let alone = i == 0 || !t[i - 1].is_ascii_digit();
        (alone && w[..4].iter().all(|c| c.is_ascii_digit()) && then.contains(&w[4]))
            .then(|| w[..4].iter().collect::<String>().parse().ok())
            .flatten()
            .filter(|y| YEARS.contains(y))
    })
}

/// 计划时间 — a planned date as precise as the ledger states it: a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanDate {
    Month { year: i32, month: u32 },
    Day(NaiveDate),
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "无法识别的日期“{0}”（可用格式：2025-03-15、2025-03、2025年3月、2025年3月15日、2025.3、2025/3/15 或 Excel 日期）"
)]
pub struct DateError(pub String);

impl PlanDate {
    pub fn month(year: i32, month: u32) -> Option<PlanDate> {
        ((1..=12).contains(&month) && (1900..=2200).contains(&year))
            .then_some(PlanDate::Month { year, month })
    }

    /// The first day the date stands for.
    pub fn first_day(self) -> NaiveDate {
        match self {
            PlanDate::Month { year, month } => {
                NaiveDate::from_ymd_opt(year, month, 1).expect("valid month")
            }
            PlanDate::Day(d) => d,
        }
    }

    /// The last day the date stands for: month-end for a month.
    pub fn last_day(self) -> NaiveDate {
        match self {
            PlanDate::Month { year, month } => month_end(year, month),
            PlanDate::Day(d) => d,
        }
    }

    pub fn year(self) -> i32 {
        self.first_day().year()
    }

    /// Converts an Excel date serial (days since 1899-12-30, the 1900 system). Only dates
    /// from 1950 to 2149 are taken: a smaller number in a date column is a typing error.
    pub fn from_excel_serial(serial: f64) -> Option<PlanDate> {
        if !(18_264.0..=91_310.0).contains(&serial) {
            return None;
        }
        let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
        base.checked_add_days(chrono::Days::new(serial.floor() as u64))
            .map(PlanDate::Day)
    }

    /// Reads a number typed into a date column: an Excel serial, or "2025.3" typed as a
    /// number (year.month).
    pub fn from_number(value: f64) -> Result<PlanDate, DateError> {
        if (1900.0..2200.0).contains(&value) && value.fract() != 0.0 {
            let text = format!("{value}");
            // Excel keeps "2025.10" typed into a number cell as 2025.1: January or October?
            if text.ends_with(".1") {
                return Err(DateError(format!(
                    "{text}（数字单元格中的 {text} 可能是 1 月，也可能是输入 {text}0 后被 Excel 去掉了末尾的 0，请写成“{y}年1月”或“{y}年10月”）",
                    y = value.trunc()
                )));
            }
            return PlanDate::parse(&text);
        }
        PlanDate::from_excel_serial(value).ok_or_else(|| DateError(format!("{value}")))
    }

    /// Reads the text forms seen in ledgers.
    pub fn parse(text: &str) -> Result<PlanDate, DateError> {
        // The canonical forms first ("2025-03", "2025-03-15"), as stored.
        if let Some(d) = parse_iso_day(text) {
            return Ok(PlanDate::Day(d));
        }
        let b = text.as_bytes();
        if b.len() == 7
            && b[4] == b'-'
            && let (Ok(y), Ok(m)) = (text[..4].parse(), text[5..].parse())
            && let Some(p) = PlanDate::month(y, m)
        {
            return Ok(p);
        }
        let norm = crate::text::normalize_width(text);
        let t = norm.trim();
        let err = || DateError(text.trim().to_string());
        // A span ("2025年3-6月", "2025.3-2025.6") is not one date.
        if t.contains(['~', '～', '至', '—', '–']) || (t.contains('年') && t.contains('-')) {
            return Err(DateError(format!(
                "{}（这是一个时间段，请只填一个日期）",
                text.trim()
            )));
        }
        // Split into numeric fields on any of the usual separators.
        let cleaned = t.trim_end_matches(['日', '号', '底', '末']);
        let fields: Vec<&str> = cleaned
            .split(['年', '月', '-', '.', '/'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if fields.is_empty()
            || fields
                .iter()
                .any(|f| !f.chars().all(|c| c.is_ascii_digit()))
        {
            // A bare serial written as text ("45731").
            if let Ok(n) = t.parse::<f64>() {
                return PlanDate::from_number(n);
            }
            return Err(err());
        }
        let num = |s: &str| s.parse::<u32>().map_err(|_| err());
        match fields.as_slice() {
            [y, m] if y.len() == 4 => PlanDate::month(num(y)? as i32, num(m)?).ok_or_else(err),
            [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?)
                .map(PlanDate::Day)
                .ok_or_else(err),
            [n] if n.len() == 8 => {
                // 20250315
                let (y, m, d) = (&n[..4], &n[4..6], &n[6..]);
                NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?)
                    .map(PlanDate::Day)
                    .ok_or_else(err)
            }
            [n] if n.len() == 6 && t.chars().all(|c| c.is_ascii_digit()) => {
                PlanDate::month(num(&n[..4])? as i32, num(&n[4..])?).ok_or_else(err)
            }
            [n] => {
                let v: f64 = n.parse().map_err(|_| err())?;
                PlanDate::from_number(v)
            }
            _ => Err(err()),
        }
    }
}

/// Reads exactly "YYYY-MM-DD", quickly (the database's own form).
pub fn parse_iso_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(&b[..4])? as i32, num(&b[5..7])?, num(&b[8..])?)
}

/// The last day of a month.
pub fn month_end(year: i32, month: u32) -> NaiveDate {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .expect("valid month")
}

impl fmt::Display for PlanDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanDate::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            PlanDate::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl FromStr for PlanDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<PlanDate, DateError> {
        PlanDate::parse(s)
    }
}

impl Serialize for PlanDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for PlanDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PlanDate, D::Error> {
        let s = String::deserialize(d)?;
        PlanDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> PlanDate {
        PlanDate::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn text_forms_of_ledgers() {
        let march = PlanDate::Month {
            year: 2025,
            month: 3,
        };
        for s in [
            "2025年3月",
            "2025.3",
            "2025-03",
            "2025/3",
            "2025年03月",
            "202503",
            "２０２５年３月",
        ] {
            assert_eq!(PlanDate::parse(s).unwrap(), march, "{s}");
        }
        for s in [
            "2025-03-15",
            "2025年3月15日",
            "2025.3.15",
            "2025/03/15",
            "20250315",
        ] {
            assert_eq!(PlanDate::parse(s).unwrap(), day(2025, 3, 15), "{s}");
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(PlanDate::from_number(45731.0).unwrap(), day(2025, 3, 15));
        assert_eq!(PlanDate::parse("45731").unwrap(), day(2025, 3, 15));
        // "2025.3" typed into a number cell.
        assert_eq!(
            PlanDate::from_number(2025.3).unwrap(),
            PlanDate::Month {
                year: 2025,
                month: 3
            }
        );
        assert_eq!(
            PlanDate::from_number(2025.12).unwrap(),
            PlanDate::Month {
                year: 2025,
                month: 12
            }
        );
        let e = PlanDate::from_number(2025.1).unwrap_err().to_string();
        assert!(
            e.contains("2025年10月"),
            "2025.1 in a number cell is ambiguous: {e}"
        );
        assert_eq!(
            PlanDate::parse("2025.1").unwrap(),
            PlanDate::Month {
                year: 2025,
                month: 1
            },
            "as text it is January"
        );
    }

    #[test]
    fn nonsense_is_rejected_with_the_forms_that_would_work() {
        for s in [
            "下半年",
            "2025-13",
            "2025-02-30",
            "3月",
            "2025",
            "2025年3-6月",
            "2025.3-2025.6",
        ] {
            let e = PlanDate::parse(s).unwrap_err();
            assert!(e.to_string().contains("2025年3月"), "{e}");
        }
    }

    #[test]
    fn month_spans() {
        let feb = PlanDate::Month {
            year: 2024,
            month: 2,
        };
        assert_eq!(
            feb.last_day(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(feb.to_string(), "2024-02");
        assert_eq!(
            month_end(2025, 12),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
    }
}
