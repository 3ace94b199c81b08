//! 批示 — a leader comments on or instructs about an item he is in charge of, or one of its
//! problems; the office may too. The unit sees it on the item's page.

use duban_core::{Account, AccountRole};
use duban_store::{Instruction, Store};

use crate::items::visible_item;
use crate::{AppError, AppResult};

/// Records `account`'s instruction on item `code` (about problem `problem`, if given).
pub async fn instruct(
    store: &Store,
    account: &Account,
    author: &str,
    code: &str,
    problem: Option<i64>,
    body: &str,
) -> AppResult<Instruction> {
    let record = visible_item(store, account, code).await?;
    // A leader sees only the items he is in charge of.
    let in_charge = account.role == AccountRole::Leader && account.can_see(&record.item);
    if !(account.is_admin() || in_charge) {
        return Err(AppError::Forbidden(format!(
            "只有包抓领导{}和督查室可以对“{}”作出批示",
            record
                .item
                .leader
                .as_ref()
                .map(|l| format!("“{}”", l.name))
                .unwrap_or_default(),
            record.item.name
        )));
    }
    Ok(store
        .instruct(author, &record.item.code, problem, body)
        .await?)
}
