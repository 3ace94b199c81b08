//! 问责台账 — who sees and changes the register: the office records 约谈 and 问责 and confirms
//! or sets aside what duban proposed; a unit's reporter reads his unit's entries, a leader his
//! own and his units'; viewers and judges read confirmed entries.

use duban_core::Account;
use duban_core::account::AccountRole;
use duban_core::accountability::RecordState;
use duban_store::{AccountabilityRecord, NewRecord, RecordFilter, Store};

use crate::{AppError, AppResult};

fn office(account: &Account) -> AppResult<()> {
    if account.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("问责台账由督查室登记和确认".into()))
    }
}

/// The register as `account` may read it, narrowed by `filter`: the office everything; a
/// reporter his unit's entries; a leader the entries naming him; others confirmed entries.
pub async fn register(
    store: &Store,
    account: &Account,
    mut filter: RecordFilter,
) -> AppResult<Vec<AccountabilityRecord>> {
    match account.role {
        AccountRole::Admin => {}
        AccountRole::Reporter => match &account.unit {
            Some(u) => filter.unit = Some(u.clone()),
            None => return Ok(Vec::new()),
        },
        AccountRole::Leader => match &account.leader {
            Some(l) => filter.leader = Some(l.name.clone()),
            None => return Ok(Vec::new()),
        },
        AccountRole::Judge | AccountRole::Viewer => {}
    }
    let mut entries = store.accountability(&filter).await?;
    if !account.is_admin() {
        entries.retain(|e| e.state == RecordState::Confirmed);
    }
    Ok(entries)
}

/// 登记 约谈, 问责 or an entry by hand (the office).
pub async fn record(
    store: &Store,
    account: &Account,
    actor: &str,
    new: &NewRecord,
) -> AppResult<i64> {
    office(account)?;
    Ok(store.record_accountability(actor, new).await?)
}

/// 确认 (`confirm`) or 不予采纳 an entry duban proposed (the office).
pub async fn decide(
    store: &Store,
    account: &Account,
    actor: &str,
    id: i64,
    confirm: bool,
) -> AppResult<AccountabilityRecord> {
    office(account)?;
    match store.decide_accountability(actor, id, confirm).await {
        Err(duban_store::StoreError::NotFound { .. }) => {
            Err(AppError::NotFound(format!("没有编号为 {id} 的台账条目")))
        }
        other => Ok(other?),
    }
}
