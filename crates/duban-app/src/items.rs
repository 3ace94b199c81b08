//! 台账项目 — one item as a caller may see and plan it.

use chrono::NaiveDate;
use duban_core::{Account, Milestone, MilestoneTemplate};
use duban_store::{ItemRecord, Store};

use crate::{AppError, AppResult};

/// An item `account` may see, or not found (an item it may not see is not there for it).
pub async fn visible_item(store: &Store, account: &Account, code: &str) -> AppResult<ItemRecord> {
    store
        .item(code)
        .await?
        .filter(|r| account.can_see(&r.item))
        .ok_or_else(|| AppError::NotFound(format!("没有编号为“{code}”的项目")))
}

/// 倒排工期 — the item's milestones planned back from `target` by a standard chain (spread from
/// `start` when given); milestones already done keep their actual dates.
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
    if !account.can_report(&record.item) {
        return Err(AppError::Forbidden(
            "只有督查室和牵头单位可以排节点计划".into(),
        ));
    }
    let template = MilestoneTemplate::parse(template)
        .map_err(|e| AppError::Invalid(format!("template：{e}")))?;
    Ok(store
        .plan_milestones(actor, &record.item.code, template, start, target)
        .await?)
}
