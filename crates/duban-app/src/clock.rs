//! 时钟 — the one place duban reads the clock: "today" in the city's time zone (China, UTC+8)
//! and stored UTC stamps shown in Beijing time. The core never reads it; everything else asks
//! here.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

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

/// 此刻 — the wall clock's instant (UTC): what a run of the reminders and deliveries is
/// given as "now", and what a signed request carries.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// A stored UTC timestamp in Beijing time, to the minute: "2025-11-03 09:30".
pub fn beijing(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&beijing_zone()))
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| at.to_string())
}

/// The UTC stamp (RFC 3339, as the audit trail stores them) at which `day` begins in Beijing:
/// a day's entries are those from its start to the next day's.
pub fn beijing_day_start(day: NaiveDate) -> String {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(beijing_zone()).single())
        .map(|t| {
            t.with_timezone(&Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_beijing_day_starts_at_four_in_the_afternoon_utc_the_day_before() {
        let d = NaiveDate::from_ymd_opt(2025, 11, 3).unwrap();
        assert_eq!(beijing_day_start(d), "2025-11-02T16:00:00.000Z");
    }

    #[test]
    fn a_utc_stamp_is_shown_in_beijing_time() {
        // 16:30 UTC on 2 November is 00:30 on 3 November in Beijing.
        assert_eq!(beijing("2025-11-02T16:30:00Z"), "2025-11-03 00:30");
        assert_eq!(beijing("not a time"), "not a time");
    }
}
