//! 状态 — every item's colour on a date: the store reads what the rules need and the pure
//! rules of duban-core judge each item as it is read, in parallel parts.

use chrono::NaiveDate;
use duban_core::status::assess;
use duban_core::{Facts, Item, ReportState, Stage, Status, Thresholds};

use crate::periods::Schedule;
use crate::progress::ReportTrail;
use crate::{Result, Store};

/// How the report for the last closed period stands for an item: not due for a period that
/// was over before the item was put on the ledger.
fn report_state(
    item: &Item,
    trail: &ReportTrail,
    listed_on: Option<NaiveDate>,
    as_of: NaiveDate,
    schedule: Schedule,
) -> ReportState {
    let period = schedule.last_closed(as_of);
    if period.year() != item.year || item.stage == Some(Stage::Reserve) || !period.lists(listed_on)
    {
        return ReportState::NotDue;
    }
    match trail.submitted(period) {
        None => ReportState::Missing,
        Some(on) if on > schedule.due(period) => ReportState::Late,
        Some(_) => ReportState::OnTime,
    }
}

impl Store {
    /// The status of every item of `year` (of one unit) on `as_of`, in code order.
    pub async fn status(
        &self,
        year: i32,
        unit: Option<&str>,
        as_of: NaiveDate,
        th: &Thresholds,
    ) -> Result<Vec<(Item, Status)>> {
        self.judge_each(year, unit, as_of, th, |input, status| (input.item, status))
            .await
    }

    /// Judges every item of `year` (of one unit) on `as_of` as it is read, and keeps what
    /// `keep` makes of the input and its status (the inputs themselves are dropped as they
    /// go), in code order.
    pub async fn judge_each<T: Send + 'static>(
        &self,
        year: i32,
        unit: Option<&str>,
        as_of: NaiveDate,
        th: &Thresholds,
        keep: impl Fn(crate::StatusInput, Status) -> T + Send + Sync + 'static,
    ) -> Result<Vec<T>> {
        self.judge_where(year, unit, None, as_of, th, keep).await
    }

    /// As [`Store::judge_each`], of the items of `year` written after data version
    /// `after` only (what a snapshot refreshes after a write).
    pub async fn judge_changed<T: Send + 'static>(
        &self,
        year: i32,
        after: i64,
        as_of: NaiveDate,
        th: &Thresholds,
        keep: impl Fn(crate::StatusInput, Status) -> T + Send + Sync + 'static,
    ) -> Result<Vec<T>> {
        self.judge_where(year, None, Some(after), as_of, th, keep)
            .await
    }

    async fn judge_where<T: Send + 'static>(
        &self,
        year: i32,
        unit: Option<&str>,
        after: Option<i64>,
        as_of: NaiveDate,
        th: &Thresholds,
        keep: impl Fn(crate::StatusInput, Status) -> T + Send + Sync + 'static,
    ) -> Result<Vec<T>> {
        let calendar = self.calendar().await?;
        let th = th.clone();
        let map = move |input: crate::StatusInput| {
            let status = judge(&input, &calendar, as_of, &th);
            keep(input, status)
        };
        self.read_mapped_where(year, unit, after, std::sync::Arc::new(map))
            .await
    }

    /// What was written after data version `since`: the codes of the items touched (at
    /// most `at_most`), or `None` when more were, or when something every item's status
    /// reads changed (units and their aliases, leaders, the reporting calendars), or an item
    /// was deleted or given another code — then everything must be judged again.
    pub async fn changed_since(&self, since: i64, at_most: usize) -> Result<Option<Vec<String>>> {
        let whole: i64 = sqlx::query_scalar("SELECT whole FROM data_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        if whole > since {
            return Ok(None);
        }
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT code FROM items WHERE touched > $1 LIMIT $2")
                .bind(since)
                .bind(at_most as i64 + 1)
                .fetch_all(&self.pool)
                .await?;
        Ok((codes.len() <= at_most).then_some(codes))
    }
}

/// The status of one item.
pub(crate) fn judge(
    input: &crate::StatusInput,
    calendar: &crate::Calendar,
    as_of: NaiveDate,
    th: &Thresholds,
) -> Status {
    let facts = Facts {
        item: &input.item,
        milestones: &input.milestones,
        started_on: input
            .milestones
            .iter()
            .find(|m| m.name == "开工")
            .and_then(|m| m.actual),
        registered_on: None,
        ytd: &input.trail.ytd,
        last_report: report_state(
            &input.item,
            &input.trail,
            input.listed_on,
            as_of,
            calendar.schedule(input.item.kind),
        ),
    };
    assess(&facts, as_of, th)
}
