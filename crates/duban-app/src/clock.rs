//! 时钟 — the one place duban reads the clock: "today" in the city's time zone (China, UTC+8)
//! and stored UTC stamps shown in Beijing time. The core never reads it; everything else asks
//! here.

use chrono::{FixedOffset, NaiveDate, Utc};

/// 北京时间 — UTC+8, the time zone of every date duban shows or judges.
fn beijing_zone() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// 今天 — the date in China (UTC+8), or `DUBAN_TODAY` (YYYY-MM-DD) when set (tests, demos).
pub fn today() -> NaiveDate {
    if let Some(d) = std::env::var("DUBAN_TODAY")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return d;
    }
    Utc::now().with_timezone(&beijing_zone()).date_naive()
}

/// A stored UTC timestamp in Beijing time, to the minute: "2025-11-03 09:30".
pub fn beijing(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&beijing_zone()))
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_stamp_is_shown_in_beijing_time() {
        // 16:30 UTC on 2 November is 00:30 on 3 November in Beijing.
        assert_eq!(beijing("2025-11-02T16:30:00Z"), "2025-11-03 00:30");
        assert_eq!(beijing("not a time"), "not a time");
    }
}
