//! 催办升级事项 — the matters escalated to their leader in charge, as the bulletin reports them:
//! how many, and the longest overdue it lists. Reports and milestones are most of the matters
//! (a million-item ledger has hundreds of thousands overdue), and every one of a kind due on one
//! day has reached the same stage: they are counted by due date in the database, and only those
//! that can be among the longest overdue are read. What was counted is kept in the database
//! for the day and the data version (`Kind::Escalated`): a server starting, or another behind
//! the load balancer, reads it back instead of counting again (at a million items the counts
//! take seconds).

use chrono::{Datelike, NaiveDate};
use duban_core::bulletin::{EscalatedMatter, LISTED, longest_overdue};
use duban_core::reminder::{DueMatter, MatterKind, Stages, reminders_due};
use duban_core::{ItemKind, Period};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::kept::{Kind, Parts};
use crate::reminders::{
    ITEM_MATTER, ItemMatter, MILESTONE_MATTERS, MatterScope, REPORT_MATTERS, bind_report_period,
    iso, milestone_matter, problem_matters, report_periods,
};
use crate::sql::code_point_order;
use crate::{Result, Store};

/// 催办升级事项 as a bulletin reports them: how many, and the longest overdue it lists
/// (see [`duban_core::bulletin::longest_overdue`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Escalated {
    pub count: usize,
    pub longest_overdue: Vec<EscalatedMatter>,
}

/// Escalated matters counted together: one period's reports of a kind, or a day's milestones.
struct Counted {
    due: NaiveDate,
    reports: Option<(ItemKind, Period)>,
    count: usize,
}

/// Date ranges of milestones one query reads (two parameters each).
const RANGES_A_QUERY: usize = 32;

/// What the escalated matters are kept as: the build that counted them (its rules may differ).
fn format() -> String {
    format!("{}; escalated 1", crate::this_build())
}

impl Store {
    /// 催办升级事项 — every matter not done on `as_of` whose latest stage reached is one that
    /// tells the leader: how many, and the longest overdue the bulletin lists. Those kept for
    /// the day and the data version as it stands, or counted now and kept.
    pub async fn escalated_matters(&self, as_of: NaiveDate) -> Result<Escalated> {
        // Read before counting: what is counted is never older than the version it is kept as.
        let version = self.data_version().await?;
        if let Some(kept) = self.kept_escalated(as_of, version).await? {
            return Ok(kept);
        }
        let counted = self.count_escalated(as_of).await?;
        // Kept or not, what was counted is right: a failure is logged.
        let kept = match crate::pack_part(&counted) {
            Ok(part) => {
                self.keep(Kind::Escalated, as_of, version, &format(), &[part])
                    .await
            }
            Err(e) => Err(crate::StoreError::Invalid(e.to_string())),
        };
        if let Err(e) = kept {
            tracing::warn!(error = %e, "keeping the escalated matters failed");
        }
        Ok(counted)
    }

    /// The escalated matters kept for `as_of` at data version `version`, if they are and read
    /// whole (a part that cannot be read is logged and counted again).
    async fn kept_escalated(&self, as_of: NaiveDate, version: i64) -> Result<Option<Escalated>> {
        let mut part = None;
        let kept = self
            .read_kept(Kind::Escalated, as_of, &format(), Parts::All, |n, p| {
                part = (n == 1).then_some(p)
            })
            .await?;
        let (Some(kept), Some(part)) = (kept, part) else {
            return Ok(None);
        };
        if kept != version {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        let read = crate::unpack_part(&part, &mut bytes)
            .and_then(|()| rmp_serde::from_slice::<Escalated>(&bytes).map_err(|e| e.to_string()));
        match read {
            Ok(e) if e.longest_overdue.len() <= e.count => Ok(Some(e)),
            Ok(_) => {
                tracing::warn!("the kept escalated matters list more than they count");
                Ok(None)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the kept escalated matters are not read");
                Ok(None)
            }
        }
    }

    /// The escalated matters as of `as_of`, counted in the database.
    async fn count_escalated(&self, as_of: NaiveDate) -> Result<Escalated> {
        let rules = self.reminder_rules().await?;
        if !rules.rules.iter().any(|r| r.escalate) {
            return Ok(Escalated::default());
        }
        let calendar = self.work_calendar().await?;
        // A matter escalates N days after its due date at the earliest (N working days are
        // at least N calendar days): those due later cannot have, and are not read.
        let earliest = rules
            .rules
            .iter()
            .filter(|r| r.escalate)
            .map(|r| i64::from(r.offset.max(0)))
            .min()
            .unwrap_or(0);
        let until = as_of - chrono::Duration::days(earliest);
        let mut stages = Stages::new(&rules, &calendar, as_of);
        let schedules = self.calendar().await?;
        // Tasks first, on a connection of their own: a request never holds one connection
        // while waiting for another.
        let mut tasks = Vec::new();
        self.task_matters(
            as_of,
            until,
            &calendar,
            &rules,
            &MatterScope::All,
            &mut tasks,
        )
        .await?;

        // The counts and the matters listed are read in one consistent view, so a write
        // committed meanwhile cannot make the list disagree with the count.
        let mut conn = self.consistent_read().await?;
        let mut counted = Vec::new();
        for (kind, period, due) in report_periods(&schedules, as_of, until) {
            if stages.escalated(MatterKind::Report, due) {
                let count = count_reports(&mut conn, kind, period).await?;
                if count > 0 {
                    counted.push(Counted {
                        due,
                        reports: Some((kind, period)),
                        count,
                    });
                }
            }
        }
        let milestone_days: Vec<(NaiveDate, bool)> = milestone_days(&mut conn, as_of, until)
            .await?
            .into_iter()
            .map(|(due, count)| {
                let escalated = stages.escalated(MatterKind::Milestone, due);
                if escalated {
                    counted.push(Counted {
                        due,
                        reports: None,
                        count,
                    });
                }
                (due, escalated)
            })
            .collect();
        // Problems, tasks and requests waiting for the office are few: read whole.
        let mut others = Vec::new();
        problem_matters(
            &mut conn,
            until,
            &calendar,
            &rules,
            &MatterScope::All,
            None,
            &mut others,
        )
        .await?;
        others.extend(tasks);
        others.retain(|m| stages.escalated(m.kind, m.due));
        let count = counted.iter().map(|c| c.count).sum::<usize>() + others.len();

        // Read only what can be listed, in the order the matters were always met: reports,
        // milestones, then the rest.
        let cut = listed_by(
            counted
                .iter()
                .map(|c| (c.due, c.count))
                .chain(others.iter().map(|m| (m.due, 1)))
                .collect(),
        );
        let mut listed = Vec::new();
        for c in counted.iter().filter(|c| c.due <= cut) {
            if let Some((kind, period)) = c.reports {
                listed.extend(first_reports(&mut conn, kind, period, c.due).await?);
            }
        }
        let ranges = runs(milestone_days.iter().filter(|(due, _)| *due <= cut));
        for some in ranges.chunks(RANGES_A_QUERY) {
            listed.extend(first_milestones(&mut conn, as_of, some).await?);
        }
        conn.commit().await?;
        listed.extend(others.into_iter().filter(|m| m.due <= cut));

        let escalated: Vec<_> = reminders_due(&listed, &rules, &calendar, as_of)
            .into_iter()
            .filter(|r| r.rule.escalate)
            .collect();
        let longest = longest_overdue(escalated, |r| (r.days_late, r.matter.owner.name()));
        Ok(Escalated {
            count,
            longest_overdue: longest
                .into_iter()
                .map(|r| EscalatedMatter {
                    kind: r.matter.kind.label().to_string(),
                    title: r.matter.title.clone(),
                    owner: r.matter.owner.name().to_string(),
                    leader: r.matter.leader.clone(),
                    due: r.matter.due,
                    days_late: r.days_late,
                })
                .collect(),
        })
    }
}

/// The day by which the matters due (a due date and how many), oldest first, fill the
/// bulletin's list: none due later can be on it. The latest day there is when they do not.
fn listed_by(mut dues: Vec<(NaiveDate, usize)>) -> NaiveDate {
    dues.sort_unstable();
    let mut n = 0;
    for (due, count) in dues {
        n += count;
        if n >= LISTED {
            return due;
        }
    }
    NaiveDate::MAX
}

/// The runs of consecutive escalated days among `days` (in order, escalated or not), as
/// first and last day.
fn runs<'a>(days: impl Iterator<Item = &'a (NaiveDate, bool)>) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut open = false;
    for &(day, escalated) in days {
        match (escalated, open) {
            (true, true) => {
                if let Some(run) = out.last_mut() {
                    run.1 = day;
                }
            }
            (true, false) => out.push((day, day)),
            (false, _) => {}
        }
        open = escalated;
    }
    out
}

async fn count_reports(conn: &mut AnyConnection, kind: ItemKind, period: Period) -> Result<usize> {
    let sql = format!("SELECT COUNT(*) {REPORT_MATTERS}");
    let (n,): (i64,) = bind_report_period(sqlx::query_as(sqlx::AssertSqlSafe(sql)), kind, period)
        .fetch_one(&mut *conn)
        .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The first [`LISTED`] items owing `period`'s report, by lead unit and code.
async fn first_reports(
    conn: &mut AnyConnection,
    kind: ItemKind,
    period: Period,
    due: NaiveDate,
) -> Result<Vec<DueMatter>> {
    let order = code_point_order(conn);
    let sql = format!(
        "{ITEM_MATTER} {REPORT_MATTERS} \
         ORDER BY u.name{order}, i.code{order} LIMIT {LISTED}"
    );
    let rows = bind_report_period(
        sqlx::query_as::<_, ItemMatter>(sqlx::AssertSqlSafe(sql)),
        kind,
        period,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.report(period, due)).collect())
}

/// Each day open milestones are planned for, by `until`, and how many.
async fn milestone_days(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<(NaiveDate, usize)>> {
    let sql = format!("SELECT m.planned, COUNT(*) {MILESTONE_MATTERS} GROUP BY m.planned");
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(iso(until))
        .bind(i64::from(as_of.year() - 1))
        .fetch_all(&mut *conn)
        .await?;
    let mut days: Vec<(NaiveDate, usize)> = rows
        .into_iter()
        .filter_map(|(day, n)| {
            Some((
                duban_core::date::parse_iso_day(&day)?,
                usize::try_from(n).ok()?,
            ))
        })
        .collect();
    days.sort_unstable();
    Ok(days)
}

/// The first [`LISTED`] open milestones planned within `ranges` (first and last day): by
/// day, lead unit, then as entered.
async fn first_milestones(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    ranges: &[(NaiveDate, NaiveDate)],
) -> Result<Vec<DueMatter>> {
    let Some(&(_, last)) = ranges.last() else {
        return Ok(Vec::new());
    };
    let within = (0..ranges.len())
        .map(|n| format!("m.planned BETWEEN ${} AND ${}", 3 + 2 * n, 4 + 2 * n))
        .collect::<Vec<_>>()
        .join(" OR ");
    let order = code_point_order(conn);
    let sql = format!(
        "SELECT i.code, i.name, u.name, COALESCE(l.name, ''), m.name, m.planned \
         {MILESTONE_MATTERS} AND ({within}) ORDER BY m.planned, u.name{order}, m.id LIMIT {LISTED}"
    );
    let mut q = sqlx::query_as::<_, (String, String, String, String, String, String)>(
        sqlx::AssertSqlSafe(sql),
    )
    .bind(iso(last))
    .bind(i64::from(as_of.year() - 1));
    for &(first, last) in ranges {
        q = q.bind(iso(first)).bind(iso(last));
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, name, unit, leader, milestone, planned)| {
            let due = duban_core::date::parse_iso_day(&planned)?;
            Some(milestone_matter(
                &code, &name, &unit, &leader, &milestone, due,
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// 12 due on 1 March, 15 on 3 March, 9 on 5 March: the list of 30 is full with 3 of the
    /// 5 March ones; fewer than 30 in all, every one is listed.
    #[test]
    fn the_list_is_full_by_the_day_its_thirtieth_matter_is_due() {
        let dues = vec![
            (d("2026-03-05"), 9),
            (d("2026-03-01"), 12),
            (d("2026-03-03"), 15),
        ];
        assert_eq!(listed_by(dues), d("2026-03-05"));
        let dues = vec![(d("2026-03-03"), 18), (d("2026-03-01"), 12)];
        assert_eq!(listed_by(dues), d("2026-03-03"));
        assert_eq!(listed_by(vec![(d("2026-03-01"), 29)]), NaiveDate::MAX);
    }

    /// Escalated on the 1st, 2nd and 4th, not on the 3rd: two runs.
    #[test]
    fn escalated_days_are_read_as_runs() {
        let days = [
            (d("2026-03-01"), true),
            (d("2026-03-02"), true),
            (d("2026-03-03"), false),
            (d("2026-03-04"), true),
        ];
        assert_eq!(
            runs(days.iter()),
            vec![
                (d("2026-03-01"), d("2026-03-02")),
                (d("2026-03-04"), d("2026-03-04"))
            ]
        );
        assert!(runs([(d("2026-03-01"), false)].iter()).is_empty());
    }
}
