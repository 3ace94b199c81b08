//! 延期申请 — a unit asks to move one milestone of an approved plan; the office approves or
//! refuses. The only way an approved date moves.

use chrono::NaiveDate;
use duban_core::Account;
use duban_store::{ExtensionRequest, NewAttachment, NewExtension, Store};

use crate::items::visible_item;
use crate::{AppError, AppResult};

/// A request as a unit writes it.
#[derive(Debug, Clone)]
pub struct ExtensionInput {
    /// 节点名称
    pub milestone: String,
    /// 申请延至
    pub requested: NaiveDate,
    /// 延期理由
    pub reason: String,
    /// 附件 — already checked.
    pub evidence: Vec<NewAttachment>,
}

/// Asks, as `account`, to move a milestone of item `code`: only its lead unit (or the item's
/// region) may ask; the office changes dates itself.
pub async fn request(
    store: &Store,
    account: &Account,
    actor: &str,
    code: &str,
    input: ExtensionInput,
) -> AppResult<ExtensionRequest> {
    let record = visible_item(store, account, code).await?;
    if account.is_admin() {
        return Err(AppError::Forbidden(
            "督查室可以直接调整节点计划，不需要提出延期申请".into(),
        ));
    }
    if !account.can_report(&record.item) {
        return Err(AppError::Forbidden(format!(
            "只有牵头单位“{}”可以为“{}”申请延期",
            record.item.lead_unit, record.item.name
        )));
    }
    Ok(store
        .request_extension(
            actor,
            NewExtension {
                code: record.item.code,
                milestone: input.milestone,
                requested: input.requested,
                reason: input.reason,
            },
            input.evidence,
        )
        .await?)
}

/// The office approves (`approve`) or refuses (with `note`) request `id`.
pub async fn decide(
    store: &Store,
    account: &Account,
    actor: &str,
    id: i64,
    approve: bool,
    note: Option<String>,
) -> AppResult<ExtensionRequest> {
    if !account.is_admin() {
        return Err(AppError::Forbidden("只有督查室可以审批延期申请".into()));
    }
    store
        .extension_request(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("没有编号为 {id} 的延期申请")))?;
    Ok(store.decide_extension(actor, id, approve, note).await?)
}
