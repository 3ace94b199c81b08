//! 会议议定事项 — a speech's directives matched to the unit directory, and the ones the
//! office confirms written as tracked items of kind 重点工作, the meeting as their source.

use std::collections::HashMap;

use chrono::NaiveDate;
use duban_core::{Item, ItemField, ItemKind, Milestone, PlanDate, StatedFields, Unit, UnitKind};
use serde::{Deserialize, Serialize};

use crate::import::{ImportOptions, LedgerEntry};
use crate::{Result, Store, StoreError};

/// 会议议定事项 — one task the office confirms, as reviewed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingTask {
    /// 工作内容 — the directive's text as reviewed.
    pub text: String,
    /// 事项名称 — a short name; the whole text when empty (duban-app names it from the text first).
    #[serde(default)]
    pub name: Option<String>,
    /// 牵头/责任单位 — one item is written per lead unit (各县区 → every region).
    pub lead_units: Vec<String>,
    /// 配合单位
    #[serde(default)]
    pub co_units: Vec<String>,
    /// 完成时限 (a date), and the time node as written when there is no date (×月×日前).
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    pub deadline_text: Option<String>,
}

/// The tasks of one meeting to confirm (有错则一项不写，“第 N 条”即 tasks 的第 N 项).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingTasks {
    /// 会议名称 — the source of every item.
    pub meeting: String,
    pub year: i32,
    pub tasks: Vec<MeetingTask>,
}

/// What a confirmation wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Confirmed {
    /// 新增 / 更新 — a task confirmed again updates its item instead of adding another.
    pub created: usize,
    pub updated: usize,
    /// Every item of the meeting, by code.
    pub codes: Vec<String>,
}

/// 完成 — the one milestone of a task: done by its deadline.
fn done_by(deadline: NaiveDate) -> Milestone {
    Milestone {
        baseline: None,
        name: "完成".to_string(),
        planned: Some(deadline),
        actual: None,
    }
}

/// A task's milestones with 完成 moved to `deadline` (added if missing), the rest as they are.
fn moved(mut milestones: Vec<Milestone>, deadline: NaiveDate) -> Vec<Milestone> {
    match milestones.iter_mut().find(|m| m.name == "完成") {
        Some(m) => m.planned = Some(deadline),
        None => milestones.push(done_by(deadline)),
    }
    milestones
}

impl Store {
    /// The unit directory as units, without the disabled ones (not offered for new tasks).
    pub async fn unit_directory(&self) -> Result<Vec<Unit>> {
        Ok(self
            .units()
            .await?
            .into_iter()
            .filter(|l| !l.disabled)
            .map(|l| l.unit)
            .collect())
    }

    /// The year's 重点工作 items.
    async fn tasks_of_year(&self, year: i32) -> Result<Vec<Item>> {
        self.items(&crate::ItemFilter {
            kind: Some(ItemKind::Task),
            year: Some(year),
            ..crate::ItemFilter::default()
        })
        .await
    }

    /// Writes the confirmed tasks as items of kind 重点工作, one per lead unit, in one
    /// transaction: every unit must be in the directory, every task must have a lead unit.
    pub async fn confirm_meeting_tasks(
        &self,
        m: &MeetingTasks,
        actor: &str,
        today: NaiveDate,
    ) -> Result<Confirmed> {
        let directory = self.unit_directory().await?;
        let known = |name: &str| directory.iter().find(|u| u.answers_to(name));
        let meeting = m.meeting.trim();
        if meeting.is_empty() {
            return Err(StoreError::Invalid("请填写会议名称（事项来源）".into()));
        }
        if m.tasks.is_empty() {
            return Err(StoreError::Invalid("没有选中的议定事项".into()));
        }
        // Confirming again updates what the meeting states and keeps the rest: the milestone
        // as reported done, the stage, notes and tags the office added since.
        let stated = std::sync::Arc::new(StatedFields {
            fields: [
                ItemField::Year,
                ItemField::Kind,
                ItemField::Scale,
                ItemField::PlannedEnd,
                ItemField::Region,
                ItemField::CoUnits,
            ]
            .into_iter()
            .collect(),
            extra: ["会议来源", "时限"].into_iter().map(String::from).collect(),
        });
        // What the year holds, by name and lead unit (how the ledger matches items).
        let existing: HashMap<(String, String), (String, ItemKind)> = self
            .items(&crate::ItemFilter {
                year: Some(m.year),
                ..crate::ItemFilter::default()
            })
            .await?
            .into_iter()
            .map(|i| ((i.name, i.lead_unit), (i.code, i.kind)))
            .collect();
        // The rows of this batch by the item they make: two rows may not make one item.
        let mut made: HashMap<(String, String), usize> = HashMap::new();
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for (i, t) in m.tasks.iter().enumerate() {
            let row = i + 1;
            // Every row is checked and every problem named, so that one pass fixes them all.
            let mut wrong = Vec::new();
            if t.text.trim().is_empty() {
                wrong.push("工作内容为空".to_string());
            }
            if t.lead_units.is_empty() {
                wrong.push("未指定牵头/责任单位（请从单位名录中选择）".to_string());
            }
            let unknown: Vec<&String> = t
                .lead_units
                .iter()
                .chain(&t.co_units)
                .filter(|n| known(n).is_none())
                .collect();
            if !unknown.is_empty() {
                let names: Vec<String> = unknown.iter().map(|n| format!("“{n}”")).collect();
                wrong.push(format!(
                    "单位{}不在单位名录中或已停用（请从名录中选择在用的单位，或先在“单位”中添加）",
                    names.join("、")
                ));
            }
            if !wrong.is_empty() {
                errors.push(format!("第 {row} 条：{}", wrong.join("，")));
                continue;
            }
            let co: Vec<String> = t
                .co_units
                .iter()
                .filter_map(|n| known(n).map(|u| u.name.clone()))
                .collect();
            let name = t
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| t.text.trim().to_string());
            let mut leads: Vec<&Unit> = Vec::new();
            for lead in t.lead_units.iter().filter_map(|n| known(n)) {
                if !leads.iter().any(|l| l.name == lead.name) {
                    leads.push(lead);
                }
            }
            for lead in leads {
                let key = (name.clone(), lead.name.clone());
                if let Some(first) = made.insert(key.clone(), row) {
                    errors.push(format!(
                        "第 {row} 条与第 {first} 条生成同一项重点工作（“{name}”，牵头/责任单位“{}”），请合并这两条或修改工作内容",
                        lead.name
                    ));
                    continue;
                }
                let stored = existing.get(&key);
                if let Some((code, kind)) = stored.filter(|(_, k)| *k != ItemKind::Task) {
                    errors.push(format!(
                        "第 {row} 条：{}已有{}“{name}”（{code}），请修改工作内容以免覆盖",
                        lead.name,
                        kind.label()
                    ));
                    continue;
                }
                let mut item = Item::new(m.year, ItemKind::Task, name.clone(), lead.name.clone());
                item.scale = Some(t.text.trim().to_string());
                item.co_units = co.iter().filter(|c| **c != lead.name).cloned().collect();
                item.planned_end = t.deadline.map(PlanDate::Day);
                if lead.kind == UnitKind::Region {
                    item.region = Some(lead.name.clone());
                }
                item.tags = vec!["会议议定事项".to_string()];
                item.extra
                    .insert("会议来源".to_string(), meeting.to_string());
                if let Some(dt) = t.deadline_text.as_deref().filter(|_| t.deadline.is_none()) {
                    item.extra.insert("时限".to_string(), dt.to_string());
                }
                // One milestone at the deadline: past it and not done, the status engine warns.
                // Confirmed again, the deadline moves and what was reported stays.
                let milestones = match stored {
                    None => t.deadline.map(|d| vec![done_by(d)]),
                    Some((code, _)) => match (t.deadline, self.item(code).await?) {
                        (Some(d), Some(record)) => Some(moved(record.milestones, d)),
                        _ => None,
                    },
                };
                let mut entry = LedgerEntry::whole(item, milestones);
                if stored.is_some() {
                    entry.stated = Some(stated.clone());
                }
                entry.source = Some(format!("{meeting} 第 {row} 条"));
                // A task is on the ledger from the day it is confirmed (an update keeps its day).
                entry.listed_on = Some(today);
                entries.push(entry);
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors.join("；")));
        }
        let summary = self
            .import_ledger(
                entries,
                &ImportOptions {
                    actor: actor.to_string(),
                    dry_run: false,
                },
            )
            .await?;
        let mut codes: Vec<String> = self
            .tasks_of_year(m.year)
            .await?
            .into_iter()
            .filter(|i| i.extra.get("会议来源").map(String::as_str) == Some(meeting))
            .map(|i| i.code)
            .collect();
        codes.sort();
        Ok(Confirmed {
            created: summary.created,
            updated: summary.updated,
            codes,
        })
    }
}

/// 督办清单 — one item made from a meeting, and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingItem {
    pub meeting: String,
    pub year: i32,
    pub code: String,
    pub name: String,
    pub lead_unit: String,
    pub co_units: Vec<String>,
    /// 完成时限: the date, or the time node as written.
    pub deadline: Option<NaiveDate>,
    pub deadline_text: Option<String>,
    /// 完成 — when its 完成 milestone was done.
    pub done: Option<NaiveDate>,
    /// 逾期 — past its deadline and not done.
    pub overdue: bool,
}

/// 会议 — a meeting whose tasks were confirmed, and how far they are.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingSummary {
    pub meeting: String,
    pub year: i32,
    /// 事项数
    pub items: usize,
    /// 已完成
    pub done: usize,
    /// 逾期未完成
    pub overdue: usize,
}

impl Store {
    /// Every item made from a meeting (tagged with its 会议来源), as of `today`, by meeting
    /// and code.
    pub async fn meeting_items(&self, today: NaiveDate) -> Result<Vec<MeetingItem>> {
        let tasks = self
            .items(&crate::ItemFilter {
                kind: Some(ItemKind::Task),
                from_meeting: true,
                ..crate::ItemFilter::default()
            })
            .await?;
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT i.code, m.actual FROM milestones m JOIN items i ON i.id = m.item_id \
             WHERE m.name = $1 AND i.kind = $2 AND i.extra LIKE $3",
        )
        .bind("完成")
        .bind(ItemKind::Task.code())
        .bind(crate::items::NAMES_A_MEETING)
        .fetch_all(&mut *conn)
        .await?;
        let mut done: HashMap<String, NaiveDate> = HashMap::new();
        for (code, actual) in rows {
            if let Some(d) = actual.and_then(|a| NaiveDate::parse_from_str(&a, "%Y-%m-%d").ok()) {
                done.insert(code, d);
            }
        }
        let mut out: Vec<MeetingItem> = tasks
            .into_iter()
            .filter_map(|i| {
                let meeting = i.extra.get("会议来源")?.clone();
                let deadline = i.planned_end.map(|d| d.last_day());
                let finished = done.get(&i.code).copied();
                Some(MeetingItem {
                    meeting,
                    year: i.year,
                    overdue: finished.is_none() && deadline.is_some_and(|d| d < today),
                    deadline,
                    deadline_text: i.extra.get("时限").cloned(),
                    done: finished,
                    code: i.code,
                    name: i.name,
                    lead_unit: i.lead_unit,
                    co_units: i.co_units,
                })
            })
            .collect();
        out.sort_by(|a, b| (b.year, &a.meeting, &a.code).cmp(&(a.year, &b.meeting, &b.code)));
        Ok(out)
    }

    /// The meetings whose tasks were confirmed, latest year first, with their counts.
    pub async fn meetings(&self, today: NaiveDate) -> Result<Vec<MeetingSummary>> {
        let mut out: Vec<MeetingSummary> = Vec::new();
        for i in self.meeting_items(today).await? {
            let at = match out
                .iter()
                .position(|m| m.meeting == i.meeting && m.year == i.year)
            {
                Some(at) => at,
                None => {
                    out.push(MeetingSummary {
                        meeting: i.meeting.clone(),
                        year: i.year,
                        items: 0,
                        done: 0,
                        overdue: 0,
                    });
                    out.len() - 1
                }
            };
            let m = &mut out[at];
            m.items += 1;
            m.done += usize::from(i.done.is_some());
            m.overdue += usize::from(i.overdue);
        }
        Ok(out)
    }
}
