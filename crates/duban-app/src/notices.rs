//! 督办通知单 / 催办单 — a notice to one unit listing its matters due within three days or
//! overdue, numbered when the office issues it (提示〔2026〕1号, 督办〔2026〕4号, 催办〔2026〕7号, a
//! series per level and year), as an official Word document.

use chrono::{Datelike, Days, NaiveDate};
use duban_core::notice::{Notice, NoticeMatter};
use duban_core::{Account, unit::find_unit};
use duban_store::{MatterScope, Store};

use crate::{AppError, AppResult};

/// Matters due this many calendar days ahead are listed too (as 提示).
const AHEAD: u64 = 3;

/// The notice unit `unit` would get on `today` (not numbered yet); the office only.
pub async fn unit_notice(
    store: &Store,
    account: &Account,
    unit: &str,
    today: NaiveDate,
) -> AppResult<Notice> {
    if !account.is_admin() {
        return Err(AppError::Forbidden(
            "只有督查室可以开具督办、催办通知单".into(),
        ));
    }
    let units: Vec<duban_core::Unit> = store.units().await?.into_iter().map(|u| u.unit).collect();
    let unit = find_unit(&units, unit)
        .map(|u| u.name.clone())
        .map_err(AppError::NotFound)?;
    let rules = crate::reminders::rules(store).await?;
    let calendar = store.work_calendar().await?;
    let until = today.checked_add_days(Days::new(AHEAD)).unwrap_or(today);
    let matters = store
        .due_matters(
            today,
            until,
            &calendar,
            &rules,
            &MatterScope::Unit(unit.clone()),
        )
        .await?;
    if matters.is_empty() {
        return Err(AppError::Invalid(format!(
            "{unit}目前没有到期或逾期的事项，不需要开具通知单"
        )));
    }
    let listed: Vec<NoticeMatter> = matters
        .iter()
        .filter(|m| matches!(&m.owner, duban_core::Recipient::Unit(u) if *u == unit))
        .map(|m| NoticeMatter::from_due(m, today))
        .collect();
    let city = store.city_name().await?;
    Ok(Notice::compose(
        format!("{city}人民政府督查室"),
        unit,
        today,
        listed,
    ))
}

/// Issues the notice of `unit` on `today`: the next number of its level and year, recorded,
/// and the Word document.
pub async fn issue(
    store: &Store,
    account: &Account,
    actor: &str,
    unit: &str,
    today: NaiveDate,
) -> AppResult<(Notice, Vec<u8>)> {
    let notice = unit_notice(store, account, unit, today).await?;
    let key = format!("notice_serial:{}:{}", today.year(), notice.level.code());
    let serial = store
        .setting(&key)
        .await?
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(0)
        + 1;
    store.set_setting(actor, &key, &serial.to_string()).await?;
    let notice = notice.numbered(serial);
    let bytes = duban_office::notice_docx::notice_docx(&notice)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((notice, bytes))
}
