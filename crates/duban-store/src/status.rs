//! 状态 — every item's colour on a date: the store reads what the rules need, the pure rules of
//! duban-core judge every item on every core.

use chrono::NaiveDate;
use duban_core::status::assess;
use duban_core::{Facts, Item, ReportState, Stage, Status, Thresholds};

use crate::periods::Schedule;
use crate::progress::ReportTrail;
use crate::{Result, Store, StoreError};

/// How the report for the last closed period stands for an item.
fn report_state(
    item: &Item,
    trail: &ReportTrail,
    as_of: NaiveDate,
    schedule: Schedule,
) -> ReportState {
    let period = schedule.last_closed(as_of);
    if period.year() != item.year || item.stage == Some(Stage::Reserve) {
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
        let inputs = self.status_inputs(year, unit).await?;
        self.judge(inputs, as_of, th).await
    }

    /// Judges inputs already read (the caller keeps what else it needs of them).
    pub async fn judge(
        &self,
        inputs: Vec<crate::StatusInput>,
        as_of: NaiveDate,
        th: &Thresholds,
    ) -> Result<Vec<(Item, Status)>> {
        let calendar = self.calendar().await?;
        judge_all(inputs, &calendar, as_of, th)
    }
}

fn judge_all(
    inputs: Vec<crate::StatusInput>,
    calendar: &crate::Calendar,
    as_of: NaiveDate,
    th: &Thresholds,
) -> Result<Vec<(Item, Status)>> {
    let judge = |input: crate::StatusInput| {
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
                as_of,
                calendar.schedule(input.item.kind),
            ),
        };
        let status = assess(&facts, as_of, th);
        (input.item, status)
    };
    // The rules are pure: judge the items on every core.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = inputs.len().div_ceil(threads).max(1);
    let mut inputs = inputs;
    let mut parts = Vec::new();
    while !inputs.is_empty() {
        let rest = inputs.split_off(chunk.min(inputs.len()));
        parts.push(std::mem::replace(&mut inputs, rest));
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(|| part.into_iter().map(judge).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| StoreError::Invalid("内部错误：计算状态的线程意外中止".into()))
            })
            .collect::<Result<Vec<_>>>()
            .map(|v| v.into_iter().flatten().collect())
    })
}
