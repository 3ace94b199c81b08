//! 节假日安排 — the working-day calendar as the office keeps it: the notices shipped with
//! duban, each year replaced by the office's own when it sets one (audited).

use duban_core::calendar::{WorkCalendar, YearSchedule};

use crate::audit::{self, AuditRecord};
use crate::{Result, Store, StoreError};

impl Store {
    /// The working-day calendar: the shipped notices, overlaid by the years the office set.
    pub async fn work_calendar(&self) -> Result<WorkCalendar> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT year, schedule FROM holiday_years ORDER BY year")
                .fetch_all(&self.pool)
                .await?;
        let mut calendar = WorkCalendar::shipped();
        for (year, json) in rows {
            let schedule: YearSchedule = serde_json::from_str(&json)
                .map_err(|e| StoreError::corrupt(format!("holiday_years {year}"), e))?;
            calendar
                .set_year(schedule)
                .map_err(|e| StoreError::corrupt("holiday_years", e))?;
        }
        Ok(calendar)
    }

    /// Sets one year's notice (checked first), recorded in the audit trail.
    pub async fn set_holiday_year(&self, actor: &str, schedule: &YearSchedule) -> Result<()> {
        schedule
            .validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let json =
            serde_json::to_string(schedule).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = self.write_tx().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT schedule FROM holiday_years WHERE year = $1")
                .bind(i64::from(schedule.year))
                .fetch_optional(&mut *tx)
                .await?;
        let at = audit::now();
        sqlx::query(
            "INSERT INTO holiday_years (year, schedule, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET schedule = excluded.schedule, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(i64::from(schedule.year))
        .bind(&json)
        .bind(actor)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            vec![AuditRecord::new(
                actor,
                &at,
                "update",
                "holidays",
                &schedule.year.to_string(),
                before,
                Some(json),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
