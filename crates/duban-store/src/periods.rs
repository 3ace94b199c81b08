//! 填报周期 — each kind's cadence (weekly, monthly, quarterly) and due day, and the periods
//! the office closed (a closed period takes no report, first or corrected, until it is
//! reopened).

use std::collections::HashMap;

use duban_core::{Cadence, ItemKind, Period};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::audit::{self, AuditRecord};
use crate::{Result, Store, StoreError};

/// 填报周期 — how often a kind reports and when each period's report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub cadence: Cadence,
    /// Days after a week's Sunday (1–7), or the day of the month after a month or quarter.
    pub due_day: u32,
}

impl Default for Schedule {
    /// Monthly, due the 5th of the next month.
    fn default() -> Schedule {
        Schedule {
            cadence: Cadence::Monthly,
            due_day: Cadence::Monthly.default_due_day(),
        }
    }
}

impl Schedule {
    /// The due date of a period.
    pub fn due(self, period: Period) -> chrono::NaiveDate {
        period.due(self.due_day)
    }

    /// The latest period whose due date has passed by `as_of`.
    pub fn last_closed(self, as_of: chrono::NaiveDate) -> Period {
        Period::last_closed(as_of, self.cadence, self.due_day)
    }

    /// "每月，次月 5 日前".
    pub fn describe(self) -> String {
        format!(
            "{}，{}前",
            self.cadence.label(),
            self.cadence.describe_due(self.due_day)
        )
    }
}

/// The reporting calendar: the schedule of each kind (monthly, due the 5th, by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calendar {
    pub schedules: HashMap<ItemKind, Schedule>,
}

impl Calendar {
    pub fn schedule(&self, kind: ItemKind) -> Schedule {
        self.schedules.get(&kind).copied().unwrap_or_default()
    }

    /// Checks that `period` has the cadence `kind` reports at.
    pub fn check_period(&self, kind: ItemKind, period: Period) -> Result<()> {
        let cadence = self.schedule(kind).cadence;
        if period.cadence() == cadence {
            return Ok(());
        }
        let example = Period::of(period.last_day(), cadence);
        Err(StoreError::Invalid(format!(
            "填报期：{}{}填报，填报期应为{}（如 {example}），而不是 {period}",
            kind.label(),
            cadence.label(),
            match cadence {
                Cadence::Weekly => "周",
                Cadence::Monthly => "月份",
                Cadence::Quarterly => "季度",
            }
        )))
    }
}

/// The schedule of each kind the office has set.
const CALENDARS: &str = "SELECT kind, cadence, due_day FROM report_calendars";

/// A row of [`CALENDARS`], as stored.
#[derive(sqlx::FromRow)]
struct CalendarRow {
    kind: String,
    cadence: String,
    due_day: i64,
}

impl TryFrom<CalendarRow> for (ItemKind, Schedule) {
    type Error = StoreError;

    fn try_from(r: CalendarRow) -> Result<(ItemKind, Schedule)> {
        let bad = |e: String| StoreError::corrupt("report_calendars", e);
        let kind = ItemKind::parse(&r.kind).map_err(|e| bad(e.to_string()))?;
        let cadence = Cadence::parse(&r.cadence).map_err(|e| bad(e.to_string()))?;
        let due_day = r.due_day as u32;
        Ok((kind, Schedule { cadence, due_day }))
    }
}

pub(crate) async fn calendar_in(conn: &mut AnyConnection) -> Result<Calendar> {
    let schedules = sqlx::query_as::<_, CalendarRow>(CALENDARS)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(<(ItemKind, Schedule)>::try_from)
        .collect::<Result<HashMap<_, _>>>()?;
    Ok(Calendar { schedules })
}

pub(crate) async fn is_closed(conn: &mut AnyConnection, period: Period) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM closed_periods WHERE period = $1")
        .bind(period.to_string())
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

impl Store {
    /// The schedule of every kind.
    pub async fn calendar(&self) -> Result<Calendar> {
        calendar_in(&mut *self.pool.acquire().await?).await
    }

    /// Sets how often a kind reports and the day its reports are due.
    pub async fn set_schedule(
        &self,
        actor: &str,
        kind: ItemKind,
        schedule: Schedule,
    ) -> Result<()> {
        let range = schedule.cadence.due_day_range();
        if !range.contains(&schedule.due_day) {
            return Err(StoreError::Invalid(format!(
                "截止日：{}填报的截止日 {} 应在 {} 到 {} 之间",
                schedule.cadence.label(),
                schedule.due_day,
                range.start(),
                range.end()
            )));
        }
        let mut tx = self.write_tx().await?;
        let before = calendar_in(&mut tx).await?.schedule(kind);
        sqlx::query("DELETE FROM report_calendars WHERE kind = $1")
            .bind(kind.code())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO report_calendars (kind, cadence, due_day) VALUES ($1, $2, $3)")
            .bind(kind.code())
            .bind(schedule.cadence.code())
            .bind(i64::from(schedule.due_day))
            .execute(&mut *tx)
            .await?;
        let at = audit::now();
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "update",
                "calendar",
                kind.code(),
                serde_json::to_value(before).ok(),
                serde_json::to_value(schedule).ok(),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes (or with `open`, reopens) a reporting period.
    pub async fn set_period_closed(&self, actor: &str, period: Period, closed: bool) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let was = is_closed(&mut tx, period).await?;
        if was == closed {
            return Err(StoreError::Invalid(format!(
                "填报期 {period} 已经是{}状态",
                if closed { "关闭" } else { "开放" }
            )));
        }
        let at = audit::now();
        if closed {
            sqlx::query(
                "INSERT INTO closed_periods (period, closed_at, closed_by) VALUES ($1, $2, $3)",
            )
            .bind(period.to_string())
            .bind(&at)
            .bind(actor)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("DELETE FROM closed_periods WHERE period = $1")
                .bind(period.to_string())
                .execute(&mut *tx)
                .await?;
        }
        let state = |c: bool| serde_json::json!({ "state": if c { "closed" } else { "open" } });
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                if closed { "close" } else { "reopen" },
                "period",
                &period.to_string(),
                Some(state(was)),
                Some(state(closed)),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The closed periods, oldest first.
    pub async fn closed_periods(&self) -> Result<Vec<Period>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT period FROM closed_periods ORDER BY period")
                .fetch_all(&self.pool)
                .await?;
        let mut out = rows
            .iter()
            .map(|p| Period::parse(p).map_err(|e| StoreError::corrupt("closed_periods", e)))
            .collect::<Result<Vec<_>>>()?;
        out.sort();
        Ok(out)
    }
}
