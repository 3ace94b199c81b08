//! 填报周期 — the due day of each kind's monthly reports, and the periods the office closed
//! (a closed month takes no report, first or corrected, until it is reopened).

use std::collections::HashMap;

use duban_core::report::DEFAULT_DUE_DAY;
use duban_core::{ItemKind, Period};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, AuditRecord};
use crate::{Result, Store, StoreError};

/// The reporting calendar: the due day of each kind (the 5th of the next month by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calendar {
    pub due_days: HashMap<ItemKind, u32>,
}

impl Calendar {
    pub fn due_day(&self, kind: ItemKind) -> u32 {
        self.due_days.get(&kind).copied().unwrap_or(DEFAULT_DUE_DAY)
    }
}

pub(crate) async fn is_closed(conn: &mut AnyConnection, period: Period) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM closed_periods WHERE period = $1")
        .bind(period.to_string())
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

impl Store {
    /// The due day of every kind.
    pub async fn calendar(&self) -> Result<Calendar> {
        let mut due_days = HashMap::new();
        for r in sqlx::query("SELECT kind, due_day FROM report_calendars")
            .fetch_all(&self.pool)
            .await?
        {
            let kind = ItemKind::parse(&r.try_get::<String, _>("kind")?)
                .map_err(|e| StoreError::corrupt("report_calendars", e))?;
            due_days.insert(kind, r.try_get::<i64, _>("due_day")? as u32);
        }
        Ok(Calendar { due_days })
    }

    /// Sets the day of the next month a kind's monthly reports are due.
    pub async fn set_due_day(&self, actor: &str, kind: ItemKind, due_day: u32) -> Result<()> {
        if !(1..=31).contains(&due_day) {
            return Err(StoreError::Invalid(format!(
                "截止日 {due_day} 应在 1 到 31 之间"
            )));
        }
        let mut tx = self.pool.begin().await?;
        let before = self.calendar().await?.due_day(kind);
        sqlx::query("DELETE FROM report_calendars WHERE kind = $1")
            .bind(kind.code())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO report_calendars (kind, due_day) VALUES ($1, $2)")
            .bind(kind.code())
            .bind(i64::from(due_day))
            .execute(&mut *tx)
            .await?;
        let at = audit::now();
        let (b, a) = (
            serde_json::json!({ "due_day": before }),
            serde_json::json!({ "due_day": due_day }),
        );
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "update",
                "calendar",
                kind.code(),
                Some(b),
                Some(a),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes (or with `open`, reopens) a reporting month.
    pub async fn set_period_closed(&self, actor: &str, period: Period, closed: bool) -> Result<()> {
        let mut tx = self.pool.begin().await?;
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

    /// The closed months, oldest first.
    pub async fn closed_periods(&self) -> Result<Vec<Period>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT period FROM closed_periods ORDER BY period")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|p| Period::parse(p).map_err(|e| StoreError::corrupt("closed_periods", e)))
            .collect()
    }
}
