//! 台账项目 — one item as a caller may see and plan it.

use chrono::NaiveDate;
use duban_core::{Account, Milestone, MilestoneTemplate};
use duban_store::{Archiving, ItemRecord, LedgerEntry, PlanAuthority, Store};

use crate::{AppError, AppResult};

/// An item `account` may see, or not found (an item it may not see is not there for it).
pub async fn visible_item(store: &Store, account: &Account, code: &str) -> AppResult<ItemRecord> {
    store
        .item(code)
        .await?
        .filter(|r| account.can_see(&r.item))
        .ok_or_else(|| AppError::NotFound(format!("没有编号为“{code}”的项目")))
}

/// Who plans an item's milestones: the office, whose plan is approved as written, or the lead
/// unit, which may only draft a plan the office has not approved yet (决不允许为了免责而拖延节点:
/// an approved date moves only by an approved extension).
fn plan_authority(account: &Account, record: &ItemRecord) -> AppResult<PlanAuthority> {
    if account.is_admin() {
        return Ok(PlanAuthority::Office);
    }
    if !account.can_report(&record.item) {
        return Err(AppError::Forbidden(
            "只有督查室和牵头单位可以排节点计划".into(),
        ));
    }
    if record.milestones.iter().any(|m| m.baseline.is_some()) {
        return Err(AppError::Forbidden(format!(
            "“{}”的节点计划已经督查室审定，责任单位不能自行调整；确需调整某个节点的，请提出延期申请",
            record.item.name
        )));
    }
    Ok(PlanAuthority::Unit)
}

/// 倒排工期 — the item's milestones planned back from `target` by a standard chain (spread from
/// `start` when given); milestones already done keep their actual dates. The office's plan is
/// approved at once; a unit's is a draft until the office approves it.
pub async fn plan_milestones(
    store: &Store,
    account: &Account,
    actor: &str,
    code: &str,
    template: &str,
    start: Option<NaiveDate>,
    target: NaiveDate,
) -> AppResult<Vec<Milestone>> {
    let record = visible_item(store, account, code).await?;
    let authority = plan_authority(account, &record)?;
    let template = MilestoneTemplate::parse(template)
        .map_err(|e| AppError::Invalid(format!("节点模板：{e}")))?;
    Ok(store
        .plan_milestones(actor, &record.item.code, template, start, target, authority)
        .await?)
}

/// Replaces an item's milestones as `account` writes them (the item page's milestone table):
/// the office's plan is approved as written; a unit may only draft an unapproved plan.
pub async fn set_milestones(
    store: &Store,
    account: &Account,
    actor: &str,
    code: &str,
    plan: Vec<Milestone>,
) -> AppResult<Vec<Milestone>> {
    let record = visible_item(store, account, code).await?;
    let authority = plan_authority(account, &record)?;
    let mut names = std::collections::HashSet::new();
    for (i, m) in plan.iter().enumerate() {
        if m.name.trim().is_empty() {
            return Err(AppError::Invalid(format!(
                "第 {} 个节点：节点名称不能为空",
                i + 1
            )));
        }
        if !names.insert(m.name.trim()) {
            return Err(AppError::Invalid(format!(
                "第 {} 个节点：节点“{}”重复",
                i + 1,
                m.name.trim()
            )));
        }
    }
    store
        .set_milestones(actor, &record.item.code, plan, authority)
        .await?;
    Ok(visible_item(store, account, code).await?.milestones)
}

/// 审定节点计划 — the office approves a unit's draft plan: every date becomes its baseline.
pub async fn approve_plan(
    store: &Store,
    account: &Account,
    actor: &str,
    code: &str,
) -> AppResult<Vec<Milestone>> {
    if !account.is_admin() {
        return Err(AppError::Forbidden("只有督查室可以审定节点计划".into()));
    }
    let record = visible_item(store, account, code).await?;
    store
        .set_milestones(
            actor,
            &record.item.code,
            record.milestones,
            PlanAuthority::Office,
        )
        .await?;
    Ok(visible_item(store, account, code).await?.milestones)
}

/// The office's edit of one item (created when `code` is empty): validated as an import row,
/// audited with `reason`. Milestones stay as they are unless `milestones` is given. The code
/// it has.
pub async fn save(
    store: &Store,
    account: &Account,
    actor: &str,
    item: duban_core::Item,
    reason: &str,
) -> AppResult<String> {
    if !account.is_admin() {
        return Err(AppError::Forbidden("只有督查室可以新增和修改项目".into()));
    }
    if !item.code.trim().is_empty() && store.item(&item.code).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "没有编号为“{}”的项目",
            item.code
        )));
    }
    // A new item is on the ledger from today: it is not asked for periods before it existed.
    let mut entry = LedgerEntry::whole(item, None);
    entry.listed_on = Some(crate::clock::today());
    let (_, code) = store.save_item(actor, entry, reason).await?;
    Ok(code)
}

/// 归档 / 恢复 — the office takes an item out of the ledger or brings it back, with a reason.
pub async fn archive(
    store: &Store,
    account: &Account,
    actor: &str,
    code: &str,
    how: Archiving,
    reason: &str,
) -> AppResult<()> {
    if !account.is_admin() {
        return Err(AppError::Forbidden("只有督查室可以归档或恢复项目".into()));
    }
    visible_item(store, account, code).await?;
    Ok(store.archive_item(actor, code, how, reason).await?)
}
