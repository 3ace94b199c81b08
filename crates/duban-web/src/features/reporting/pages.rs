//! 进度填报 as pages: the period open now, one form per item the unit may report (the
//! previous year-to-date beside it), the unit's sheet to download, fill in and upload (every
//! row checked before anything is written).

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use duban_core::{AccountRole, ItemKind, Period, ReportDraft, Stage, Wan};
use minijinja::{Value, context};
use serde::Deserialize;

use super::{ReportRequest, submit_as};
use crate::error::ApiError;
use crate::features::ledger::visible_item;
use crate::page::{
    PageResult, Visitor, about_upload, field, message, page, render, ser, upload, wan, xlsx,
};
use crate::{AppState, today};

#[derive(Deserialize, Default)]
pub(super) struct ReportQuery {
    period: Option<String>,
    unit: Option<String>,
}

/// The period units report now: the last one while its due date has not passed, else the
/// current one.
fn open_period(cadence: duban_core::Cadence, due_day: u32) -> Period {
    let now = Period::of(today(), cadence);
    let previous = now.previous();
    if today() <= previous.due(due_day) {
        previous
    } else {
        now
    }
}

pub(super) async fn report_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    if !matches!(c.account.role, AccountRole::Admin | AccountRole::Reporter) {
        return Err(ApiError::forbidden("只有督查室和责任单位填报员可以填报进度").into());
    }
    let calendar = s.store.calendar().await?;
    let schedule = calendar.schedule(ItemKind::Project);
    let period = match q.period.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => Period::parse(p).map_err(|e| ApiError::invalid(format!("填报期：{e}")))?,
        None => open_period(schedule.cadence, schedule.due_day),
    };
    let unit = if c.account.is_admin() {
        q.unit.clone().filter(|u| !u.trim().is_empty())
    } else {
        c.account.unit.clone()
    };
    let snap = s.status.get(&s.store, today()).await?;
    let inputs = s
        .store
        .status_inputs(period.year(), unit.as_deref())
        .await?;
    let reportable: Vec<&duban_store::StatusInput> = inputs
        .iter()
        .filter(|i| calendar.schedule(i.item.kind).cadence == period.cadence())
        .filter(|i| {
            snap.status_of(&i.item.code)
                .is_some_and(|(full, _)| c.account.can_report(full))
                && i.item.stage != Some(Stage::Reserve)
        })
        .collect();
    let rows: Vec<Value> = reportable
        .iter()
        .take(100)
        .map(|i| {
            let previous = i
                .trail
                .ytd
                .iter()
                .rev()
                .find(|(d, _)| *d < period.first_day())
                .map(|(_, w)| *w);
            let reported = i
                .trail
                .ytd
                .iter()
                .find(|(d, _)| *d == period.last_day())
                .map(|(_, w)| *w);
            context! {
                code => &i.item.code, name => &i.item.name, plan => wan(i.item.annual_plan),
                previous => wan(previous), reported => reported.map(|w| w.to_string()),
                colour => snap.status_of(&i.item.code).map(|(_, st)| ser(st.colour)),
            }
        })
        .collect();
    let ctx = page(&c, "进度填报", "report", false);
    render(
        &s,
        "report.html",
        context! { rows, total => reportable.len(), period => period.to_string(),
        period_label => period.label(), due => schedule.due(period).to_string(), unit, ..ctx },
    )
}

#[derive(Deserialize)]
pub(super) struct ReportForm {
    period: String,
    ytd: Option<String>,
    this_period: Option<String>,
    progress_text: Option<String>,
    progress_percent: Option<String>,
    narrative: Option<String>,
    problems: Option<String>,
    reason: Option<String>,
}

impl ReportForm {
    /// The draft, or every field that is not a number, by name.
    fn draft(self) -> Result<(String, ReportDraft, Option<String>), Vec<String>> {
        let mut errors = Vec::new();
        let mut money = |label: &str, v: Option<String>| {
            field(v).and_then(|t| match Wan::parse(&t, duban_core::MoneyUnit::Wan) {
                Ok(w) => Some(w),
                Err(e) => {
                    errors.push(format!("{label}：{e}"));
                    None
                }
            })
        };
        let ytd = money("累计完成投资", self.ytd);
        let this_period = money("本期完成投资", self.this_period);
        let progress_percent =
            field(self.progress_percent).and_then(|t| match t.trim_end_matches('%').parse() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(format!("形象进度（%）：“{t}”不是数字"));
                    None
                }
            });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((
            self.period,
            ReportDraft {
                ytd,
                this_period,
                progress_text: field(self.progress_text),
                progress_percent,
                milestones: Vec::new(),
                narrative: field(self.narrative),
                problems: field(self.problems),
            },
            field(self.reason),
        ))
    }
}

pub(super) async fn report_submit(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    Form(f): Form<ReportForm>,
) -> PageResult {
    let (period, report, reason) = f
        .draft()
        .map_err(|errors| ApiError::invalid(errors.join("\n")))?;
    let request = ReportRequest {
        period,
        report,
        reason,
    };
    let r = submit_as(&s, &c, &code, request).await?;
    message(
        &s,
        vec![format!(
            "已{}（第 {} 版）：累计完成 {} 万元，本期 {} 万元",
            if r.revision == 1 { "报送" } else { "更正" },
            r.revision,
            wan(r.report.ytd),
            wan(r.report.this_period)
        )],
    )
}

pub(super) async fn report_template(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<ReportQuery>,
) -> PageResult<Response> {
    let unit = if c.account.is_admin() {
        q.unit.clone()
    } else {
        c.account.unit.clone()
    }
    .ok_or_else(|| ApiError::invalid("请指定单位"))?;
    if !matches!(c.account.role, AccountRole::Admin | AccountRole::Reporter) {
        return Err(ApiError::forbidden("只有督查室和责任单位填报员可以下载填报表").into());
    }
    let period = Period::parse(q.period.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::invalid(format!("填报期：{e}")))?;
    let (rows, due) = duban_app::ledger_io::report_sheet(&s.store, &unit, period, false)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "“{unit}”在 {} 年没有{}填报的牵头项目",
                period.year(),
                period.cadence().label()
            ))
        })?;
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = dir.path().join("填报表.xlsx");
    duban_office::write_report_template(&path, &unit, period, due, &rows)
        .map_err(ApiError::internal)?;
    let bytes = std::fs::read(&path).map_err(ApiError::internal)?;
    Ok(xlsx(
        bytes,
        &format!("{unit}{}进度填报表.xlsx", period.label()),
    ))
}

pub(super) async fn report_upload(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    form: Multipart,
) -> PageResult {
    // The role first: a file is read only for someone who may report.
    if !matches!(c.account.role, AccountRole::Admin | AccountRole::Reporter) {
        return Err(ApiError::forbidden("只有责任单位填报员和督查室管理员可以报送进度").into());
    }
    let (_dir, path, fields) = upload(form).await?;
    let period = fields
        .iter()
        .find(|(k, _)| k == "period")
        .and_then(|(_, v)| Period::parse(v).ok());
    let sheet = path.clone();
    let read = tokio::task::spawn_blocking(move || duban_office::read_report_sheet(&sheet, period))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::invalid(about_upload(e, &path)))?;
    if read.rows.is_empty() {
        return Err(ApiError::invalid(
            "表中没有填报任何进度（累计完成投资、形象进度、节点等都是空的），未报送",
        )
        .into());
    }
    if !read.errors.is_empty() {
        return Err(ApiError::invalid(format!(
            "以下 {} 处无法读取，未写入任何数据：\n{}",
            read.errors.len(),
            read.errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ))
        .into());
    }
    // Every row must be an item this account may report.
    for (row, code, _) in &read.rows {
        let record = visible_item(&s, &c, code).await.map_err(|_| {
            ApiError::not_found(format!(
                "第 {row} 行：没有编号为“{code}”的项目，未写入任何数据"
            ))
        })?;
        if !c.account.can_report(&record.item) {
            return Err(ApiError::forbidden(format!(
                "第 {row} 行：“{code}”不是本单位牵头的项目，未写入任何数据"
            ))
            .into());
        }
    }
    let period = read.period;
    let batch = duban_app::ledger_io::report_batch(read, today());
    let done = s.store.submit_reports(&c.actor(), batch, false).await?;
    message(
        &s,
        vec![format!("已报送：{} 进度 {} 条", period, done.len())],
    )
}
