//! 金额 — exact money in 万元 (10,000 CNY), kept to the yuan (4 decimal places of 万元).
//!
//! Amounts are never floats. Ledgers state money in 万元 or 亿元; both convert exactly.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// 万元 — an exact amount in units of 10,000 yuan, stored as whole yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Wan {
    yuan: i64,
}

/// 金额单位 — the unit a sheet or a column states its money in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MoneyUnit {
    /// 万元
    #[default]
    Wan,
    /// 亿元 (= 10,000 万元)
    Yi,
    /// 元
    Yuan,
}

impl MoneyUnit {
    /// How many yuan one of this unit is.
    pub fn yuan_factor(self) -> i64 {
        match self {
            MoneyUnit::Wan => 10_000,
            MoneyUnit::Yi => 100_000_000,
            MoneyUnit::Yuan => 1,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Wan => "万元",
            MoneyUnit::Yi => "亿元",
            MoneyUnit::Yuan => "元",
        }
    }

    /// Finds a money unit named in a header or a note: "（亿元）", "单位：万元".
    pub fn find_in(text: &str) -> Option<MoneyUnit> {
        if text.contains("亿元") || text.contains("亿") {
            Some(MoneyUnit::Yi)
        } else if text.contains("万元") || text.contains('万') {
            Some(MoneyUnit::Wan)
        } else if text.contains('元') {
            Some(MoneyUnit::Yuan)
        } else {
            None
        }
    }
}

/// Why an amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("不是数字：“{0}”（应为数字，如 1234.5 或 1,234.5）")]
    NotANumber(String),
    #[error("金额不能为负数：{0}")]
    Negative(String),
    #[error("金额过大：{0}")]
    TooLarge(String),
}

impl Wan {
    pub const ZERO: Wan = Wan { yuan: 0 };

    pub fn from_yuan(yuan: i64) -> Wan {
        Wan { yuan }
    }

    pub fn yuan(self) -> i64 {
        self.yuan
    }

    /// The amount as a decimal number of 万元 (4 places at most).
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.yuan, 4).normalize()
    }

    /// The decimals of 万元 [`Wan::as_decimal`] writes (0–4), counted without dividing.
    pub fn decimals(self) -> u32 {
        let mut yuan = self.yuan;
        let mut places = 4;
        while places > 0 && yuan % 10 == 0 {
            yuan /= 10;
            places -= 1;
        }
        places
    }

    /// Converts a decimal amount stated in `unit` exactly, rounding anything finer than a yuan
    /// (such as the binary noise of a spreadsheet float) half away from zero.
    pub fn from_decimal(value: Decimal, unit: MoneyUnit) -> Result<Wan, MoneyError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative(value.normalize().to_string()));
        }
        let yuan = value
            .checked_mul(Decimal::from(unit.yuan_factor()))
            .ok_or_else(|| MoneyError::TooLarge(value.to_string()))?
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        let yuan: i64 = yuan
            .try_into()
            .map_err(|_| MoneyError::TooLarge(value.to_string()))?;
        Ok(Wan { yuan })
    }

    /// Reads an amount typed as text: "12,345.6", "１２３４５", " 3.5 亿元", "1 234".
    /// A unit written in the text ("亿元", "万元") wins over `unit`.
    pub fn parse(text: &str, unit: MoneyUnit) -> Result<Wan, MoneyError> {
        let normal = crate::text::normalize_width(text);
        let mut s = normal.trim().to_string();
        let mut unit = unit;
        for (suffix, u) in [
            ("亿元", MoneyUnit::Yi),
            ("万元", MoneyUnit::Wan),
            ("亿", MoneyUnit::Yi),
            ("万", MoneyUnit::Wan),
            ("元", MoneyUnit::Yuan),
        ] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.trim().to_string();
                unit = u;
                break;
            }
        }
        let cleaned: String = s
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '_' | '\''))
            .collect();
        if cleaned.is_empty() {
            return Err(MoneyError::NotANumber(text.to_string()));
        }
        let value = Decimal::from_str(&cleaned)
            .or_else(|_| Decimal::from_scientific(&cleaned))
            .map_err(|_| MoneyError::NotANumber(text.trim().to_string()))?;
        Wan::from_decimal(value, unit)
    }

    /// Converts a spreadsheet number (an f64) stated in `unit`: the shortest decimal that
    /// round-trips the float is taken, so 12345.6 stays 12345.6.
    pub fn from_f64(value: f64, unit: MoneyUnit) -> Result<Wan, MoneyError> {
        if !value.is_finite() {
            return Err(MoneyError::NotANumber(value.to_string()));
        }
        let text = format!("{value}");
        let d = Decimal::from_str(&text)
            .or_else(|_| Decimal::from_scientific(&format!("{value:e}")))
            .map_err(|_| MoneyError::TooLarge(text.clone()))?;
        Wan::from_decimal(d, unit)
    }

    /// The amount as a float for a spreadsheet cell. Exact for every amount below 10^11 万元.
    pub fn to_f64(self) -> f64 {
        // Decimal → string → f64 gives the nearest float to the exact decimal.
        self.as_decimal().to_string().parse().unwrap_or(0.0)
    }

    pub fn checked_add(self, other: Wan) -> Option<Wan> {
        self.yuan.checked_add(other.yuan).map(Wan::from_yuan)
    }

    pub fn saturating_sub(self, other: Wan) -> Wan {
        Wan::from_yuan(self.yuan.saturating_sub(other.yuan))
    }

    pub fn is_zero(self) -> bool {
        self.yuan == 0
    }
}

impl std::iter::Sum for Wan {
    fn sum<I: Iterator<Item = Wan>>(iter: I) -> Wan {
        Wan::from_yuan(iter.map(|w| w.yuan).sum())
    }
}

impl fmt::Display for Wan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_decimal())
    }
}

impl FromStr for Wan {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Wan, MoneyError> {
        Wan::parse(s, MoneyUnit::Wan)
    }
}

/// Serialised as a decimal string of 万元 ("12345.6"), so JSON never carries a float; in a
/// binary encoding (not human-readable: the status a server keeps) as whole yuan, read back
/// without parsing.
impl Serialize for Wan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.to_string())
        } else {
            s.serialize_i64(self.yuan)
        }
    }
}

impl<'de> Deserialize<'de> for Wan {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Wan, D::Error> {
        if !d.is_human_readable() {
            return Ok(Wan::from_yuan(i64::deserialize(d)?));
        }
        let s = String::deserialize(d)?;
        Wan::parse(&s, MoneyUnit::Wan).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_those_the_decimal_is_written_with() {
        for (yuan, places) in [
            (0, 0),
            (10_000, 0),
            (-30_000, 0),
            (5_000, 1),
            (12_345_600, 2),
            (1_230, 3),
            (1, 4),
            (-12_345_678, 4),
        ] {
            let w = Wan::from_yuan(yuan);
            assert_eq!(w.decimals(), places, "{yuan} yuan");
            assert_eq!(w.as_decimal().scale(), places, "{yuan} yuan");
        }
    }

    #[test]
    fn yi_converts_exactly_to_wan() {
        let w = Wan::parse("3.25", MoneyUnit::Yi).unwrap();
        assert_eq!(w.to_string(), "32500");
        assert_eq!(
            Wan::parse("0.00012345", MoneyUnit::Yi).unwrap().to_string(),
            "1.2345"
        );
    }

    #[test]
    fn text_numbers_with_separators_and_full_width_digits() {
        assert_eq!(
            Wan::parse("12,345.6", MoneyUnit::Wan).unwrap().to_string(),
            "12345.6"
        );
        assert_eq!(
            Wan::parse("１２，３４５", MoneyUnit::Wan)
                .unwrap()
                .to_string(),
            "12345"
        );
        assert_eq!(
            Wan::parse(" 1.5亿元 ", MoneyUnit::Wan).unwrap().to_string(),
            "15000"
        );
        assert_eq!(
            Wan::parse("1 234", MoneyUnit::Wan).unwrap().to_string(),
            "1234"
        );
    }

    #[test]
    fn negative_and_garbage_are_rejected() {
        assert!(matches!(
            Wan::parse("-5", MoneyUnit::Wan),
            Err(MoneyError::Negative(_))
        ));
        assert!(matches!(
            Wan::parse("约五千", MoneyUnit::Wan),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Wan::parse("", MoneyUnit::Wan),
            Err(MoneyError::NotANumber(_))
        ));
    }

    #[test]
    fn float_noise_is_rounded_to_the_yuan() {
        let w = Wan::from_f64(36.900000000000006, MoneyUnit::Wan).unwrap();
        assert_eq!(w.to_string(), "36.9");
        assert_eq!(
            Wan::from_f64(0.1 + 0.2, MoneyUnit::Yi).unwrap().to_string(),
            "3000"
        );
    }

    #[test]
    fn float_round_trip_is_exact() {
        for s in ["0.0001", "12345.6789", "98765432.1234", "1"] {
            let w = Wan::parse(s, MoneyUnit::Wan).unwrap();
            assert_eq!(Wan::from_f64(w.to_f64(), MoneyUnit::Wan).unwrap(), w, "{s}");
        }
    }

    #[test]
    fn json_is_a_decimal_string() {
        let w = Wan::parse("1200.5", MoneyUnit::Wan).unwrap();
        assert_eq!(serde_json::to_string(&w).unwrap(), "\"1200.5\"");
        let back: Wan = serde_json::from_str("\"1200.5\"").unwrap();
        assert_eq!(back, w);
    }
}
