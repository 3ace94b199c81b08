//! 进度填报 — a report submitted by a caller for one item and period.

use chrono::NaiveDate;
use duban_core::{Account, Period, ReportDraft};
use duban_store::{NewAttachment, Store, StoredReport, Submission};

use crate::items::visible_item;
use crate::{AppError, AppResult};

/// What a caller reports for one item.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// 填报期 as written: 2025-06, 2025-Q2 or 2025-W23.
    pub period: String,
    pub report: ReportDraft,
    /// 更正原因 — required to correct a period already reported; blank is none.
    pub reason: Option<String>,
    /// 附件 — 形象进度照片 and documents, already checked ([`crate::evidence::prepare`]).
    pub evidence: Vec<NewAttachment>,
}

/// Submits a report as `account`: not found if it may not see the item, forbidden if it may
/// not report on it (only the lead unit, the item's region and the office may).
pub async fn submit(
    store: &Store,
    account: &Account,
    actor: &str,
    code: &str,
    input: ReportInput,
    today: NaiveDate,
) -> AppResult<StoredReport> {
    let record = visible_item(store, account, code).await?;
    if !account.can_report(&record.item) {
        return Err(AppError::Forbidden(format!(
            "只有牵头单位“{}”或项目所在地可以报送“{}”的进度",
            record.item.lead_unit, record.item.name
        )));
    }
    let period =
        Period::parse(&input.period).map_err(|e| AppError::Invalid(format!("填报期：{e}")))?;
    Ok(store
        .submit_report_with(
            actor,
            Submission {
                code: record.item.code.clone(),
                period,
                report: input.report,
                reason: input.reason.filter(|r| !r.trim().is_empty()),
                submitted_on: today,
            },
            input.evidence,
        )
        .await?)
}
