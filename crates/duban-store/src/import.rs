//! 台账写入 — the one write path for items: create or update a batch of items in one
//! transaction, matched by code or else by name + lead unit, with every change audited.

use std::collections::{HashMap, HashSet};

use std::sync::Arc;

use duban_core::{Item, Milestone, StatedFields};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::AnyConnection;

use crate::audit::{self, AuditRecord, diff};
use crate::bulk;
use crate::item_columns::{self, ItemRefs};
use crate::items;
use crate::sql::{Val, bind, insert_many};
use crate::units::{LeaderBook, UnitDirectory};
use crate::{Result, Store, StoreError};

/// One item to write, with its milestones (`None` leaves stored milestones as they are).
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub item: Item,
    pub milestones: Option<Vec<Milestone>>,
    /// What the source states (`None`: every field). When it updates a stored item, the
    /// fields it does not state keep their stored values.
    pub stated: Option<Arc<StatedFields>>,
    /// 来源 — where the entry comes from, for messages ("工作表“台账”第 12 行").
    pub source: Option<String>,
    /// 累计完成 — a ledger's year-to-date column ("1-6月完成投资"): written as the report of
    /// that month, submitted on the given day, in the same transaction.
    pub reported: Option<Reported>,
    /// 原因 — why the office wrote it (an edit on the item page), kept on its audit row.
    pub reason: Option<String>,
    /// 纳入日期 — the day a new item is put on the ledger (the caller's today, or an older
    /// day for a ledger carried over): the item counts from that period on. Written when the
    /// item is created, never changed by a later import; `None`: not known, it counts in every
    /// period of its year.
    pub listed_on: Option<chrono::NaiveDate>,
}

impl LedgerEntry {
    /// An entry that states every field.
    pub fn whole(item: Item, milestones: Option<Vec<Milestone>>) -> LedgerEntry {
        LedgerEntry {
            item,
            milestones,
            stated: None,
            source: None,
            reported: None,
            reason: None,
            listed_on: None,
        }
    }
}

/// A year-to-date figure from a ledger: the month, the amount, the day it was submitted.
type Reported = (duban_core::Period, duban_core::Wan, chrono::NaiveDate);

/// What a ledger write may write: brought up to date after a bulk one (the rest of a large
/// database is left alone).
const WRITTEN: &[&str] = &[
    "items",
    "item_co_units",
    "milestones",
    "units",
    "unit_aliases",
    "leaders",
    "reports",
    "item_progress",
    "audit_log",
];

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// 操作人 — recorded in the audit trail.
    pub actor: String,
    /// 试导入 — do everything, report it, write nothing.
    pub dry_run: bool,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    /// 新增
    pub created: usize,
    /// 更新
    pub updated: usize,
    /// 未变化
    pub unchanged: usize,
    /// 新建单位 — units the ledger named that the directory did not know.
    pub new_units: Vec<String>,
    /// 新建领导
    pub new_leaders: Vec<String>,
    /// 自动编号 — items that had no code and were given one.
    pub codes_assigned: usize,
    /// 进度报告 — reports written from a year-to-date column (1-N月完成投资).
    pub reports: usize,
    pub dry_run: bool,
}

/// The next free sequence number per code prefix ("XM2025").
struct CodeBook {
    next: HashMap<String, u64>,
    taken: HashSet<String>,
    /// Prefixes whose stored codes are noted (read when a code of theirs is first assigned).
    read: HashSet<String>,
}

impl CodeBook {
    fn new<'a>(codes: impl Iterator<Item = &'a str>) -> CodeBook {
        let mut book = CodeBook {
            next: HashMap::new(),
            taken: HashSet::new(),
            read: HashSet::new(),
        };
        for c in codes {
            book.note(c);
        }
        book
    }

    fn prefix(item: &Item) -> String {
        format!("{}{}", item.kind.code_prefix(), item.year)
    }

    /// Notes the stored codes that begin as `item`'s would, once per prefix: what
    /// [`CodeBook::assign`] must not give again.
    async fn read_stored(&mut self, conn: &mut AnyConnection, item: &Item) -> Result<()> {
        let prefix = CodeBook::prefix(item);
        if self.read.contains(&prefix) {
            return Ok(());
        }
        // A prefix is letters and digits: no LIKE wildcard in it.
        let stored: Vec<String> = sqlx::query_scalar("SELECT code FROM items WHERE code LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_all(&mut *conn)
            .await?;
        for c in &stored {
            self.note(c);
        }
        self.read.insert(prefix);
        Ok(())
    }

    fn split(code: &str) -> Option<(&str, u64)> {
        let digits = code.len() - code.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits < 5 {
            return None;
        }
        let (prefix, seq) = code.split_at(code.len() - 5);
        Some((prefix, seq.parse().ok()?))
    }

    fn note(&mut self, code: &str) {
        self.taken.insert(code.to_string());
        if let Some((prefix, seq)) = CodeBook::split(code) {
            let n = self.next.entry(prefix.to_string()).or_insert(1);
            *n = (*n).max(seq + 1);
        }
    }

    fn assign(&mut self, item: &Item) -> String {
        let prefix = CodeBook::prefix(item);
        loop {
            let n = self.next.entry(prefix.clone()).or_insert(1);
            let code = format!("{prefix}{:05}", *n);
            *n += 1;
            if !self.taken.contains(&code) {
                self.taken.insert(code.clone());
                return code;
            }
        }
    }
}

/// A created item as the audit trail records it: its fields and its milestones.
#[derive(Serialize)]
struct Created<'a> {
    #[serde(flatten)]
    item: &'a Item,
    #[serde(skip_serializing_if = "Option::is_none")]
    milestones: Option<&'a [Milestone]>,
    /// 纳入日期
    #[serde(skip_serializing_if = "Option::is_none")]
    listed_on: Option<chrono::NaiveDate>,
}

fn item_json(item: &Item) -> Value {
    serde_json::to_value(item).unwrap_or(json!(null))
}

fn milestones_json(ms: &[Milestone]) -> Value {
    serde_json::to_value(ms).unwrap_or(json!(null))
}

impl Store {
    /// Creates or updates items in one transaction. An item is matched to a stored one by
    /// code, else by name + lead unit; unknown units and leaders are created. Every created or
    /// changed item, unit and leader is written to the audit trail. With `dry_run`, all of it
    /// is done and reported, then rolled back.
    pub async fn import_ledger(
        &self,
        entries: Vec<LedgerEntry>,
        opts: &ImportOptions,
    ) -> Result<ImportSummary> {
        self.write_ledger(entries, opts, PlanAuthority::Office)
            .await
    }

    /// [`Store::import_ledger`] with the plans written by `authority`.
    async fn write_ledger(
        &self,
        entries: Vec<LedgerEntry>,
        opts: &ImportOptions,
        authority: PlanAuthority,
    ) -> Result<ImportSummary> {
        let mut tx = self.write_tx().await?;
        let summary = import_in(&mut tx, entries, opts, authority).await?;
        if opts.dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
            let rows = summary.created + summary.updated + summary.reports;
            self.after_bulk_write_to(rows, WRITTEN).await?;
        }
        Ok(summary)
    }

    /// 倒排工期 — plans an item's standard chain back from `target` (or spread between `start`
    /// and `target`), keeping the actual dates already reached; the chain as stored.
    pub async fn plan_milestones(
        &self,
        actor: &str,
        code: &str,
        template: duban_core::MilestoneTemplate,
        start: Option<chrono::NaiveDate>,
        target: chrono::NaiveDate,
        authority: PlanAuthority,
    ) -> Result<Vec<Milestone>> {
        if let Some(start) = start
            && start > target
        {
            return Err(StoreError::Invalid(format!(
                "开始日期 {start} 晚于目标日期 {target}"
            )));
        }
        let record = self.item(code).await?.ok_or_else(|| StoreError::NotFound {
            what: "项目",
            key: code.to_string(),
        })?;
        let mut plan = match start {
            Some(start) => template.schedule_between(start, target),
            None => template.schedule_back(target),
        };
        for m in plan.iter_mut() {
            if let Some(old) = record.milestones.iter().find(|o| o.name == m.name) {
                m.actual = old.actual;
            }
        }
        self.set_milestones(actor, &record.item.code, plan, authority)
            .await?;
        Ok(self
            .item(code)
            .await?
            .map(|r| r.milestones)
            .unwrap_or_default())
    }

    /// Replaces an item's milestones (e.g. after reverse scheduling), audited; baselined as
    /// `authority` says (whether a unit may replace an approved plan is the caller's rule).
    pub async fn set_milestones(
        &self,
        actor: &str,
        code: &str,
        milestones: Vec<Milestone>,
        authority: PlanAuthority,
    ) -> Result<()> {
        let record = self.item(code).await?.ok_or_else(|| StoreError::NotFound {
            what: "项目",
            key: code.to_string(),
        })?;
        let entry = LedgerEntry::whole(record.item, Some(milestones));
        self.write_ledger(
            vec![entry],
            &ImportOptions {
                actor: actor.to_string(),
                dry_run: false,
            },
            authority,
        )
        .await?;
        Ok(())
    }
}

/// 计划权限 — who writes a milestone plan. The office's plan is approved as written: its
/// dates become the baseline (原计划), a date it leaves unchanged keeps its baseline (and an
/// approved extension stays marked). A unit's plan is a draft, without a baseline, until the
/// office approves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanAuthority {
    /// 督查室
    Office,
    /// 责任单位
    Unit,
}

/// Gives each milestone of a plan written by `authority` its baseline, against the stored
/// plan `old`.
fn settle_baselines(plan: &mut [Milestone], old: &[Milestone], authority: PlanAuthority) {
    for m in plan.iter_mut().filter(|m| m.baseline.is_none()) {
        m.baseline = match authority {
            PlanAuthority::Unit => None,
            PlanAuthority::Office => old
                .iter()
                .find(|o| o.name == m.name && o.planned == m.planned && o.baseline.is_some())
                .map_or(m.planned, |o| o.baseline),
        };
    }
}

/// 归档 or 恢复 — whether an archive write takes an item out of the ledger or brings it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archiving {
    Archive,
    Restore,
}

impl Store {
    /// Writes one item as the office edits it (created when its code is new or empty),
    /// validated as an import row, audited with `reason`.
    pub async fn save_item(
        &self,
        actor: &str,
        mut entry: LedgerEntry,
        reason: &str,
    ) -> Result<(ImportSummary, String)> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid("修改原因：不能为空".into()));
        }
        entry.reason = Some(reason.to_string());
        let mut tx = self.write_tx().await?;
        let (given, name) = (entry.item.code.clone(), entry.item.name.clone());
        let opts = ImportOptions {
            actor: actor.to_string(),
            dry_run: false,
        };
        let summary = import_in(&mut tx, vec![entry], &opts, PlanAuthority::Office).await?;
        // The code it has now: as given, or the one assigned to the newest item of its name.
        let code: String = if given.trim().is_empty() {
            sqlx::query_scalar("SELECT code FROM items WHERE name = $1 ORDER BY id DESC LIMIT 1")
                .bind(&name)
                .fetch_one(&mut *tx)
                .await?
        } else {
            given.trim().to_string()
        };
        tx.commit().await?;
        Ok((summary, code))
    }

    /// 归档 / 恢复 an item, audited with `reason`: archived, it leaves the ledger, the status
    /// and the rankings; its reports, problems and history stay.
    pub async fn archive_item(
        &self,
        actor: &str,
        code: &str,
        how: Archiving,
        reason: &str,
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(match how {
                Archiving::Archive => "归档原因：不能为空".into(),
                Archiving::Restore => "恢复原因：不能为空".into(),
            }));
        }
        let mut tx = self.write_tx().await?;
        let archived: Option<Option<String>> =
            sqlx::query_scalar("SELECT archived_at FROM items WHERE code = $1")
                .bind(code.trim())
                .fetch_optional(&mut *tx)
                .await?;
        let archived = archived.ok_or_else(|| StoreError::NotFound {
            what: "项目",
            key: code.to_string(),
        })?;
        let at = audit::now();
        match (how, archived.is_some()) {
            (Archiving::Archive, true) => {
                return Err(StoreError::Invalid(format!("项目 {code} 已经归档")));
            }
            (Archiving::Restore, false) => {
                return Err(StoreError::Invalid(format!(
                    "项目 {code} 没有归档，无需恢复"
                )));
            }
            _ => {}
        }
        let stamp = (how == Archiving::Archive).then(|| at.clone());
        sqlx::query("UPDATE items SET archived_at = $1 WHERE code = $2")
            .bind(stamp)
            .bind(code.trim())
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            vec![
                AuditRecord::values(
                    actor,
                    &at,
                    match how {
                        Archiving::Archive => "archive",
                        Archiving::Restore => "restore",
                    },
                    "item",
                    code.trim(),
                    None,
                    None,
                )
                .with_reason(reason),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

struct Existing {
    id: i64,
    item: Item,
    milestones: Vec<Milestone>,
}

async fn import_in(
    conn: &mut AnyConnection,
    entries: Vec<LedgerEntry>,
    opts: &ImportOptions,
    authority: PlanAuthority,
) -> Result<ImportSummary> {
    let actor = opts.actor.as_str();
    let at = audit::now();
    let mut entries = entries;
    for e in &mut entries {
        e.item.strip_controls();
        for m in e.milestones.iter_mut().flatten() {
            m.name = duban_core::text::without_controls(&m.name).into_owned();
        }
    }
    let mut log: Vec<AuditRecord> = Vec::new();
    let mut summary = ImportSummary {
        dry_run: opts.dry_run,
        ..Default::default()
    };

    // Guard the rules here too: nothing invalid reaches the tables, whoever calls.
    let mut seen_codes = HashSet::new();
    for e in &entries {
        check(&e.item, e.source.as_deref())?;
        if !e.item.code.is_empty() && !seen_codes.insert(e.item.code.clone()) {
            return Err(StoreError::Invalid(format!(
                "{}项目编号“{}”在本次导入中出现了不止一次",
                place(e.source.as_deref()),
                e.item.code
            )));
        }
    }

    bulk::plan_once(conn, entries.len()).await?;
    // The trail grows by about an entry a row.
    let audit_aside = bulk::set_aside(conn, "audit_log", entries.len(), &[]).await?;
    let mut dir = UnitDirectory::load(conn).await?;
    let mut leaders = LeaderBook::load(conn).await?;

    // What is stored that these entries may match, and no more.
    let stored = stored_matches(conn, &entries).await?;
    let ids: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
    let mut stored_ms = items::milestones_among(conn, &ids).await?;
    let existing: Vec<Existing> = stored
        .into_iter()
        .map(|(id, item)| Existing {
            id,
            milestones: stored_ms.remove(&id).unwrap_or_default(),
            item,
        })
        .collect();
    let by_code: HashMap<&str, usize> = existing
        .iter()
        .enumerate()
        .map(|(i, e)| (e.item.code.as_str(), i))
        .collect();
    let by_name: HashMap<(&str, &str, i32), usize> = existing
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                (e.item.name.as_str(), e.item.lead_unit.as_str(), e.item.year),
                i,
            )
        })
        .collect();
    let mut codes = CodeBook::new(
        existing
            .iter()
            .map(|e| e.item.code.as_str())
            .chain(seen_codes.iter().map(String::as_str)),
    );

    let mut inserts: Vec<New> = Vec::new();
    let mut to_report: Vec<(String, Option<String>, Reported)> = Vec::new();
    let mut matched: HashSet<usize> = HashSet::new();
    for LedgerEntry {
        mut item,
        mut milestones,
        stated,
        source,
        reported,
        reason,
        listed_on,
    } in entries
    {
        // Canonical unit names (aliases resolved, unknown units created).
        item.lead_unit = dir
            .ensure(conn, &item.lead_unit, &mut log, actor, &at)
            .await?;
        if let Some(r) = item.region.take() {
            item.region = Some(dir.ensure(conn, &r, &mut log, actor, &at).await?);
        }
        let mut co = Vec::with_capacity(item.co_units.len());
        for u in std::mem::take(&mut item.co_units) {
            let c = dir.ensure(conn, &u, &mut log, actor, &at).await?;
            if c != item.lead_unit && !co.contains(&c) {
                co.push(c);
            }
        }
        item.co_units = co;
        if let Some(l) = item.leader.take() {
            item.leader = Some(leaders.ensure(conn, &l, &mut log, actor, &at).await?);
        }
        let found = by_code
            .get(item.code.as_str())
            .or_else(|| by_name.get(&(item.name.as_str(), item.lead_unit.as_str(), item.year)))
            .copied();
        match found {
            Some(i) => {
                if !matched.insert(i) {
                    return Err(StoreError::Invalid(format!(
                        "{}“{}”（{}）与本次导入的另一行对应同一个已有项目 {}",
                        place(source.as_deref()),
                        item.name,
                        item.lead_unit,
                        existing[i].item.code
                    )));
                }
                let old = &existing[i];
                if let Some(plan) = milestones.as_mut() {
                    settle_baselines(plan, &old.milestones, authority);
                }
                if item.code.is_empty() {
                    item.code = old.item.code.clone();
                }
                if let Some(r) = reported {
                    to_report.push((item.code.clone(), source.clone(), r));
                }
                if let Some(stated) = &stated {
                    item.keep_unstated(&old.item, stated);
                    // What the sheet states must fit what it keeps (年度计划 ≤ 总投资, …).
                    check(&item, source.as_deref())?;
                }
                let refs = item_refs(&item, &dir, &leaders)?;
                let item_change = diff(&item_json(&old.item), &item_json(&item));
                let ms_change = milestones
                    .as_ref()
                    .filter(|m| **m != old.milestones)
                    .map(|m| (milestones_json(&old.milestones), milestones_json(m)));
                if item_change.is_none() && ms_change.is_none() {
                    summary.unchanged += 1;
                    continue;
                }
                if item_change.is_some() {
                    update_item(conn, old.id, &item, &refs, &at).await?;
                }
                if let Some(m) = &milestones
                    && ms_change.is_some()
                {
                    sqlx::query("DELETE FROM milestones WHERE item_id = $1")
                        .bind(old.id)
                        .execute(&mut *conn)
                        .await?;
                    insert_many(
                        conn,
                        "milestones",
                        MILESTONE_COLUMNS,
                        milestone_rows(old.id, m),
                    )
                    .await?;
                }
                let (mut before, mut after) = item_change.unwrap_or((json!({}), json!({})));
                if let Some((mb, ma)) = ms_change {
                    before["milestones"] = mb;
                    after["milestones"] = ma;
                }
                // Keyed by the item's code as it is now; a changed code shows in the diff.
                log.push(
                    AuditRecord::values(
                        actor,
                        &at,
                        "update",
                        "item",
                        &item.code,
                        Some(before),
                        Some(after),
                    )
                    .with_reason(reason.as_deref().unwrap_or_default()),
                );
                summary.updated += 1;
            }
            None => {
                if let Some(plan) = milestones.as_mut() {
                    settle_baselines(plan, &[], authority);
                }
                let refs = item_refs(&item, &dir, &leaders)?;
                if item.code.is_empty() {
                    codes.read_stored(conn, &item).await?;
                    item.code = codes.assign(&item);
                    summary.codes_assigned += 1;
                }
                if let Some(r) = reported {
                    to_report.push((item.code.clone(), source.clone(), r));
                }
                // Its audit entry is made as the trail is written, after the rows.
                inserts.push(New {
                    item,
                    refs,
                    milestones,
                    listed_on,
                    reason,
                });
                summary.created += 1;
            }
        }
        // The trail is written as it grows (a province's created items are 62 MB of it).
        if log.len() >= AUDIT_CHUNK {
            audit::record(conn, std::mem::take(&mut log)).await?;
        }
    }

    insert_items(conn, &inserts, &at).await?;
    audit::record(conn, log).await?;
    // The created items' entries are made a statement's worth at a time, each while the
    // database writes the one before (a province's are 62 MB).
    audit::record(conn, inserts.iter().map(|n| n.audit_record(actor, &at))).await?;
    drop(inserts);
    for (code, source, (period, ytd, on)) in to_report {
        if report_from_ledger(conn, &opts.actor, &code, source, period, ytd, on).await? {
            summary.reports += 1;
        }
    }
    summary.new_units = dir.created;
    summary.new_leaders = leaders.created;
    audit_aside.restore(conn).await?;
    Ok(summary)
}

/// The stored items, archived or not, that `entries` may match: those of their codes, and
/// those named as an entry without a stored code is (the lead unit and the year are
/// compared by the caller). Read for the entries alone: an item edited in a ledger of a
/// million is one or two lookups, not the ledger.
async fn stored_matches(
    conn: &mut AnyConnection,
    entries: &[LedgerEntry],
) -> Result<Vec<(i64, Item)>> {
    let codes: Vec<&str> = entries
        .iter()
        .map(|e| e.item.code.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    let mut found = items::matching(conn, items::Lookup::Code, &codes).await?;
    let names: Vec<&str> = {
        let known: HashSet<&str> = found.iter().map(|(_, i)| i.code.as_str()).collect();
        let names: HashSet<&str> = entries
            .iter()
            .filter(|e| !known.contains(e.item.code.as_str()))
            .map(|e| e.item.name.as_str())
            .collect();
        names.into_iter().collect()
    };
    let ids: HashSet<i64> = found.iter().map(|(id, _)| *id).collect();
    let by_name = items::matching(conn, items::Lookup::Name, &names).await?;
    found.extend(by_name.into_iter().filter(|(id, _)| !ids.contains(id)));
    Ok(found)
}

/// Audit entries written at once while an import goes on.
const AUDIT_CHUNK: usize = 5_000;

/// A ledger's year-to-date figure as the report of its month: nothing if the month already
/// has that figure, a correction (reason 台账导入) if it has another.
async fn report_from_ledger(
    conn: &mut AnyConnection,
    actor: &str,
    code: &str,
    source: Option<String>,
    period: duban_core::Period,
    ytd: duban_core::Wan,
    on: chrono::NaiveDate,
) -> Result<bool> {
    let latest: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT r.ytd FROM reports r JOIN items i ON i.id = r.item_id WHERE i.code = $1 AND r.period = $2 \
         ORDER BY r.revision DESC LIMIT 1",
    )
    .bind(code)
    .bind(period.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    if latest == Some(Some(ytd.yuan())) {
        return Ok(false);
    }
    let s = crate::Submission {
        code: code.to_string(),
        period,
        report: duban_core::ReportDraft {
            ytd: Some(ytd),
            ..Default::default()
        },
        reason: latest.is_some().then(|| "台账导入".to_string()),
        submitted_on: on,
    };
    crate::reports::submit_in(conn, actor, s, crate::reports::Scheduled::MonthEndSnapshot)
        .await
        .map(|_| true)
        .map_err(|e| match e {
            StoreError::Invalid(m) => StoreError::Invalid(format!(
                "{}{period} 累计完成投资：{m}",
                place(source.as_deref())
            )),
            other => other,
        })
}

/// "工作表“台账”第 12 行：" for messages, or nothing.
fn place(source: Option<&str>) -> String {
    source.map(|s| format!("{s}：")).unwrap_or_default()
}

/// The item's own rules, as an error naming where it came from.
fn check(item: &Item, source: Option<&str>) -> Result<()> {
    match item.validate().first() {
        Some(p) => Err(StoreError::Invalid(format!(
            "{}{}（{}）{}：{}",
            place(source),
            item.name,
            if item.code.is_empty() {
                "无编号"
            } else {
                &item.code
            },
            p.field,
            p.message
        ))),
        None => Ok(()),
    }
}

/// The ids of the units and the leader an item names (all resolved already).
fn item_refs(item: &Item, dir: &UnitDirectory, leaders: &LeaderBook) -> Result<ItemRefs> {
    Ok(ItemRefs {
        region: item.region.as_deref().and_then(|r| dir.id(r)),
        lead: dir
            .id(&item.lead_unit)
            .ok_or_else(|| StoreError::corrupt("units", &item.lead_unit))?,
        leader: item.leader.as_ref().and_then(|l| leaders.id(l)),
    })
}

const MILESTONE_COLUMNS: &[&str] = &[
    "item_id", "position", "name", "planned", "actual", "baseline",
];

/// The rows of an item's milestones, made as they are sent (a province's 293,000 rows made
/// at once held 55 MB).
fn milestone_rows(item_id: i64, ms: &[Milestone]) -> impl Iterator<Item = Vec<Val>> + '_ {
    // YYYY-MM-DD (a date's Display; formatting through a pattern is slower).
    let day = |d: Option<chrono::NaiveDate>| Val::Text(d.map(|d| d.to_string()));
    ms.iter().enumerate().map(move |(i, m)| {
        vec![
            item_id.into(),
            (i as i64).into(),
            m.name.as_str().into(),
            day(m.planned),
            day(m.actual),
            day(m.baseline),
        ]
    })
}

/// A new item, as the import creates it.
struct New {
    item: Item,
    refs: ItemRefs,
    /// 节点 — `None` when the file has no milestone sheet.
    milestones: Option<Vec<Milestone>>,
    /// 纳入日期
    listed_on: Option<chrono::NaiveDate>,
    /// 原因 — the reason given for the row, if any.
    reason: Option<String>,
}

impl New {
    fn milestones(&self) -> &[Milestone] {
        self.milestones.as_deref().unwrap_or_default()
    }

    /// Its "create" entry in the audit trail: its fields and its milestones.
    fn audit_record(&self, actor: &str, at: &str) -> AuditRecord {
        let created = Created {
            item: &self.item,
            milestones: self.milestones.as_deref(),
            listed_on: self.listed_on,
        };
        let after = serde_json::to_string(&created).ok();
        AuditRecord::new(actor, at, "create", "item", &self.item.code, None, after)
            .with_reason(self.reason.as_deref().unwrap_or_default())
    }
}

async fn insert_items(conn: &mut AnyConnection, inserts: &[New], at: &str) -> Result<()> {
    if inserts.is_empty() {
        return Ok(());
    }
    let mut columns: Vec<&str> = item_columns::WRITTEN.clone();
    columns.extend(["created_at", "listed_on", "touched"]);
    // The write's data version, as the items' insert trigger would set it.
    let version: i64 = sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    // Rows are built chunk by chunk as they are sent, not all at once.
    let rows = inserts.iter().map(|n| {
        let mut v = item_columns::values(&n.item, &n.refs, at);
        v.push(at.into());
        let listed_on = n.listed_on.map(|d| d.format("%Y-%m-%d").to_string());
        v.push(Val::Text(listed_on));
        v.push(version.into());
        v
    });
    // The rows carry their `touched`: the trigger that sets it (SQLite's, PostgreSQL's) is idle.
    let items_aside = bulk::set_aside(
        conn,
        "items",
        inserts.len(),
        &["items_touched_insert", "items_touched"],
    )
    .await?;
    insert_many(conn, "items", &columns, rows).await?;
    items_aside.restore(conn).await?;
    // The ids the database gave the new items.
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(inserts.len());
    for (id, code) in
        sqlx::query_as::<_, (i64, String)>("SELECT id, code FROM items WHERE created_at = $1")
            .bind(at)
            .fetch_all(&mut *conn)
            .await?
    {
        ids.insert(code, id);
    }
    let item_ids: Vec<i64> = inserts
        .iter()
        .map(|n| {
            ids.get(&n.item.code)
                .copied()
                .ok_or_else(|| StoreError::corrupt("items", &n.item.code))
        })
        .collect::<Result<_>>()?;
    let mut co_rows = Vec::new();
    for (n, id) in inserts.iter().zip(&item_ids) {
        // Co-units are stored by id; resolve them through the lead query below.
        for (pos, unit) in n.item.co_units.iter().enumerate() {
            co_rows.push((*id, pos as i64, unit.clone()));
        }
    }
    // Every row below is of an item created in this write, whose `touched` is this write's
    // version already: the triggers that would set it again change nothing.
    let co_aside = bulk::set_aside(
        conn,
        "item_co_units",
        co_rows.len(),
        &["item_co_units_touch_insert"],
    )
    .await?;
    insert_co_units(conn, co_rows).await?;
    co_aside.restore(conn).await?;
    let count = inserts.iter().map(|n| n.milestones().len()).sum();
    let ms_aside = bulk::set_aside(conn, "milestones", count, &["milestones_touch_insert"]).await?;
    let ms_rows = inserts
        .iter()
        .zip(&item_ids)
        .flat_map(|(n, id)| milestone_rows(*id, n.milestones()));
    insert_many(conn, "milestones", MILESTONE_COLUMNS, ms_rows).await?;
    ms_aside.restore(conn).await?;
    Ok(())
}

async fn insert_co_units(conn: &mut AnyConnection, rows: Vec<(i64, i64, String)>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut unit_ids: HashMap<String, i64> = HashMap::new();
    for (id, name) in sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM units")
        .fetch_all(&mut *conn)
        .await?
    {
        unit_ids.insert(name, id);
    }
    let rows = rows
        .into_iter()
        .map(|(item, pos, unit)| {
            let uid = *unit_ids
                .get(&unit)
                .ok_or_else(|| StoreError::corrupt("units", &unit))?;
            Ok(vec![Val::from(item), uid.into(), pos.into()])
        })
        .collect::<Result<Vec<_>>>()?;
    insert_many(
        conn,
        "item_co_units",
        &["item_id", "unit_id", "position"],
        rows,
    )
    .await
}

async fn update_item(
    conn: &mut AnyConnection,
    id: i64,
    item: &Item,
    refs: &ItemRefs,
    at: &str,
) -> Result<()> {
    let sets: Vec<String> = item_columns::WRITTEN
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE items SET {} WHERE id = ${}",
        sets.join(", "),
        item_columns::WRITTEN.len() + 1
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
    for v in item_columns::values(item, refs, at) {
        q = bind(q, v);
    }
    q.bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM item_co_units WHERE item_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let co = item
        .co_units
        .iter()
        .enumerate()
        .map(|(p, u)| (id, p as i64, u.clone()))
        .collect();
    insert_co_units(conn, co).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_core::ItemKind;

    #[test]
    fn codes_continue_after_the_highest_stored() {
        let mut book = CodeBook::new(["XM202500007", "XM202500003", "GZ202500001"].into_iter());
        let item = Item::new(2025, ItemKind::Project, "x", "甲县");
        assert_eq!(book.assign(&item), "XM202500008");
        assert_eq!(book.assign(&item), "XM202500009");
        let task = Item::new(2026, ItemKind::Task, "y", "甲县");
        assert_eq!(book.assign(&task), "GZ202600001");
    }
}
