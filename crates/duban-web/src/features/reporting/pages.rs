//! 进度填报 as pages: the period open now, one form per item the unit may report (the
//! previous year-to-date beside it), the unit's sheet to download, fill in and upload (every
//! row checked before anything is written).

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use duban_core::{AccountRole, ItemKind, MilestoneReached, Period, ReportDraft, Stage, Wan};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::error::ApiError;
use crate::features::evidence::{FormData, prepared};
use crate::features::ledger::visible_item;
use crate::page::{
    PageResult, Visitor, about_upload, message, page, render, ser, upload, wan, xlsx,
};
use crate::{AppState, today};

#[derive(Deserialize, Default)]
pub(super) struct ReportQuery {
    period: Option<String>,
    unit: Option<String>,
    /// 搜索 — part of the code or the name.
    q: Option<String>,
    /// unreported（未报送）| red（红灯）
    only: Option<String>,
    page: Option<usize>,
}

/// Items per page of the report page (a phone scrolls through one page).
const PER_PAGE: usize = 20;

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

/// Words that say "no problem" in a report's 存在问题 (nothing to raise).
fn says_none(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['。', '.']);
    matches!(
        t,
        "无" | "暂无" | "没有" | "无问题" | "暂无问题" | "/" | "-" | "—" | "否" | "正常"
    )
}

type ReportedCodes = std::collections::HashSet<String>;

/// The codes reported in a period (of a unit, or all) and the codes put on the ledger after
/// it (not asked for its report), read once per data version.
async fn reported_and_later(
    s: &AppState,
    period: Period,
    unit: Option<&str>,
) -> Result<std::sync::Arc<(ReportedCodes, ReportedCodes)>, ApiError> {
    let key = format!("reported|{period}|{}", unit.unwrap_or("*"));
    s.views
        .get(&s.store, key, || async {
            let reported = s.store.reported_codes(period, unit).await?;
            let later = s.store.listed_after(period).await?;
            Ok::<_, ApiError>((reported, later))
        })
        .await
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
    // The list from the snapshot (cached), 已报 in one read, details only for the rows shown.
    let snap = s.status.get(&s.store, today()).await?;
    let codes = reported_and_later(&s, period, unit.as_deref()).await?;
    // Who may report what depends on the role and the unit only: picked once per snapshot
    // and set of codes reported, with how many of them are reported.
    let key = format!(
        "report|{period}|{unit:?}|{:?}|{:?}",
        c.account.role, c.account.unit
    );
    let reported_in = |i: &duban_core::Item| codes.0.contains(&i.code);
    let (picked, reported) = snap.rows_picked(&key, &codes, |(reported_codes, not_yet)| {
        let rows: Vec<u32> = (0..snap.rows.len() as u32)
            .filter(|&r| {
                let i = &snap.rows[r as usize].0;
                i.year == period.year()
                    && !not_yet.contains(&i.code)
                    && calendar.schedule(i.kind).cadence == period.cadence()
                    && c.account.can_report(i)
                    && i.stage != Some(Stage::Reserve)
                    && unit
                        .as_deref()
                        .is_none_or(|u| i.lead_unit == u || i.region.as_deref() == Some(u))
            })
            .collect();
        let reported = rows
            .iter()
            .filter(|&&r| reported_codes.contains(&snap.rows[r as usize].0.code))
            .count();
        (rows, reported)
    });
    let search = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let only = q.only.as_deref().unwrap_or("");
    let shown: Vec<&(duban_core::Item, duban_core::Status)> = picked
        .iter()
        .map(|&r| &snap.rows[r as usize])
        .filter(|(i, _)| search.is_none_or(|t| i.code.contains(t) || i.name.contains(t)))
        .filter(|(i, st)| match only {
            "unreported" => !reported_in(i),
            "red" => st.colour == duban_core::Colour::Red,
            _ => true,
        })
        .collect();
    let pages = shown.len().div_ceil(PER_PAGE).max(1);
    let page_no = q.page.unwrap_or(1).clamp(1, pages);
    let mut rows: Vec<Value> = Vec::with_capacity(PER_PAGE);
    for (i, st) in shown.iter().skip((page_no - 1) * PER_PAGE).take(PER_PAGE) {
        let history = s.store.report_history(&i.code).await?;
        // The latest revision's year-to-date of the last period before this one, and of this.
        let ytd_before = |before: chrono::NaiveDate| {
            history
                .iter()
                .filter(|r| r.period.last_day() < before && r.report.ytd.is_some())
                .max_by_key(|r| (r.period.last_day(), r.revision))
                .and_then(|r| r.report.ytd)
        };
        let previous = ytd_before(period.first_day());
        let reported_ytd = history
            .iter()
            .filter(|r| r.period == period)
            .max_by_key(|r| r.revision)
            .and_then(|r| r.report.ytd);
        let milestones = s.store.milestones_of(&i.code).await?;
        let open: Vec<Value> = milestones
            .iter()
            .filter(|m| m.actual.is_none())
            .take(8)
            .map(|m| {
                context! { name => &m.name, planned => m.planned.map(|d| d.to_string()),
                baseline => m.extended().then(|| m.baseline.map(|d| d.to_string())).flatten() }
            })
            .collect();
        rows.push(context! {
            code => &i.code, name => &i.name, plan => wan(i.annual_plan),
            previous => wan(previous), reported => reported_in(i), reported_ytd => reported_ytd.map(|w| w.to_string()),
            colour => ser(st.colour), open,
        });
    }
    let categories: Vec<&str> = duban_core::ProblemCategory::ALL
        .iter()
        .map(|c| c.label())
        .collect();
    let ctx = page(&c, "进度填报", "report", false);
    render(
        &s,
        "report.html",
        context! { rows, total => picked.len(), reported, matching => shown.len(), pages, page_no,
        q => search, only, categories,
        period => period.to_string(), period_label => period.label(), due => schedule.due(period).to_string(), unit, ..ctx },
    )
}

/// The report form's figures, read from the multipart form.
struct ReportForm<'a>(&'a FormData);

impl ReportForm<'_> {
    /// The draft (with the milestones reported done: fields `ms:<name>` holding a date), or
    /// every field that is wrong, by its label.
    fn draft(&self) -> Result<ReportDraft, Vec<String>> {
        let f = self.0;
        let mut errors = Vec::new();
        let mut money = |label: &str, v: Option<String>| {
            v.and_then(|t| match Wan::parse(&t, duban_core::MoneyUnit::Wan) {
                Ok(w) => Some(w),
                Err(e) => {
                    errors.push(format!("{label}：{e}"));
                    None
                }
            })
        };
        let ytd = money("累计完成投资", f.text("ytd"));
        let this_period = money("本期完成投资", f.text("this_period"));
        let progress_percent =
            f.text("progress_percent")
                .and_then(|t| match t.trim_end_matches('%').parse() {
                    Ok(d) => Some(d),
                    Err(_) => {
                        errors.push(format!("形象进度（%）：“{t}”不是数字"));
                        None
                    }
                });
        let mut milestones = Vec::new();
        let mut names: Vec<&String> = f.fields.keys().filter(|k| k.starts_with("ms:")).collect();
        names.sort();
        for k in names {
            let Some(date) = f.text(k) else { continue };
            let name = k.trim_start_matches("ms:").to_string();
            match date.parse::<chrono::NaiveDate>() {
                Ok(date) => milestones.push(MilestoneReached { name, date }),
                Err(_) => errors.push(format!("节点“{name}”完成日期：应为日期，如 2025-06-18")),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ReportDraft {
            ytd,
            this_period,
            progress_text: f.text("progress_text"),
            progress_percent,
            milestones,
            narrative: f.text("narrative"),
            problems: f.text("problems"),
        })
    }
}

pub(super) async fn report_submit(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    f: FormData,
) -> PageResult {
    let report = ReportForm(&f)
        .draft()
        .map_err(|errors| ApiError::invalid(errors.join("\n")))?;
    // 存在问题 that names a problem is raised as one (its category chosen on the form).
    let raise = report
        .problems
        .clone()
        .filter(|p| !says_none(p))
        .map(|description| -> Result<_, ApiError> {
            let category = f.text("problem_category").unwrap_or_else(|| "其他".into());
            duban_core::ProblemCategory::parse(&category)
                .map_err(|e| ApiError::invalid(format!("问题类别：{e}")))?;
            Ok((category, description))
        })
        .transpose()?;
    let evidence = prepared(&s, f.files.clone()).await?;
    let period = f.text("period").unwrap_or_default();
    let input = duban_app::reporting::ReportInput {
        period,
        report,
        reason: f.text("reason"),
        evidence,
    };
    let r = duban_app::reporting::submit(&s.store, &c.account, &c.actor(), &code, input, today())
        .await?;
    let mut said = vec![format!(
        "已{}（第 {} 版）：累计完成 {} 万元，本期 {} 万元{}",
        if r.revision == 1 { "报送" } else { "更正" },
        r.revision,
        wan(r.report.ytd),
        wan(r.report.this_period),
        if r.report.milestones.is_empty() {
            String::new()
        } else {
            format!(
                "；节点完成：{}",
                r.report
                    .milestones
                    .iter()
                    .map(|m| format!("{} {}", m.name, m.date))
                    .collect::<Vec<_>>()
                    .join("、")
            )
        }
    )];
    if let Some((category, description)) = raise {
        let input = duban_app::problems::ProblemInput {
            category,
            escalation: None,
            description,
            listed: false,
            evidence: Vec::new(),
        };
        let p = duban_app::problems::raise(&s.store, &c.account, &c.actor(), &code, input).await?;
        said.push(format!(
            "存在问题已登记为问题 #{}（{}），在“问题清单”跟踪",
            p.id,
            p.category.label()
        ));
    }
    // The row's lamp and state as they are now.
    let snap = s.status.get(&s.store, today()).await?;
    let colour = snap
        .status_of(&code)
        .map(|(_, st)| ser(st.colour))
        .unwrap_or_default();
    render(
        &s,
        "report_done.html",
        context! { ok => true, messages => said, code, colour },
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
