//! 考核 — the office's schemes (考核方案, one per year and object, written as TOML on the page
//! with the rules read back in words), the half-year and year-end assessment run over a range
//! of periods with every point explained, exported as .xlsx and as the official .docx, and
//! published as a snapshot that is never recomputed. Pages and the JSON API side by side.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use duban_app::assessment::{self, AssessRequest, Assessment};
use duban_core::assessment::{Adjustment, Rule, Scheme};
use duban_core::{Period, Thresholds};
use duban_store::Grouping;
use minijinja::{Value, context};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::FormData;
use crate::page::{PageResult, Visitor, download, page, render, xlsx};
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(assessment_page).post(publish_page))
        .route("/assessment/download", get(download_page))
        .route(
            "/assessment/scheme",
            get(scheme_page).post(save_scheme_page),
        )
        .route("/assessment/{id}", get(published_page))
        .route("/assessment/{id}/download", get(published_download))
        .route(
            "/api/assessment/schemes/{year}",
            get(scheme).put(put_scheme),
        )
        .route("/api/assessment/run", post(run))
        .route("/api/assessments", get(published_list))
        .route("/api/assessments/{id}", get(published_one))
}

/// 考核方案
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeView {
    pub year: i32,
    /// region 县区 | department 部门
    pub by: String,
    /// 方案原文（TOML）
    pub toml: String,
    /// 督查室是否已制定（否：使用系统默认方案）
    pub saved: bool,
    /// 方案解读：各项指标的基础分和计分规则
    #[schema(value_type = Object)]
    pub scheme: serde_json::Value,
}

/// 保存考核方案
#[derive(Debug, Deserialize, ToSchema)]
pub struct SchemeRequest {
    /// 方案原文（TOML）
    pub toml: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ByQuery {
    /// region 县区 | department 部门
    by: Option<String>,
}

/// 加减分
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdjustmentRequest {
    pub unit: String,
    #[schema(value_type = f64)]
    pub points: Decimal,
    pub reason: String,
}

/// 进行考核
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssessRunRequest {
    /// 起始期间，如 2026-01
    pub from: String,
    /// 截止期间，同类，如 2026-06
    pub to: String,
    /// region 县区 | department 部门
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub adjustments: Vec<AdjustmentRequest>,
    /// 同时发布（保存为不再重算的结果，并建议列入绩效库、负面清单）
    #[serde(default)]
    pub publish: bool,
}

/// 考核结果
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentView {
    /// 已发布的编号（未发布时无）
    pub id: Option<i64>,
    pub title: String,
    /// 建议列入绩效库、负面清单的条数（发布时）
    pub proposed: usize,
    /// 各单位的总分、名次和每一分的来历（scores[].criteria[].terms[].why）
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
}

/// 已发布的考核
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedView {
    pub id: i64,
    pub title: String,
    pub from: String,
    pub to: String,
    pub by: String,
    pub published_by: String,
    pub published_at: String,
}

fn by_code(g: Grouping) -> &'static str {
    match g {
        Grouping::Region => "region",
        Grouping::Department => "department",
    }
}

fn grouping_of(text: Option<&str>) -> ApiResult<Grouping> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Grouping::parse(t).map_err(ApiError::invalid),
        None => Ok(Grouping::Region),
    }
}

fn period(text: &str, what: &str) -> ApiResult<Period> {
    Period::parse(text.trim()).map_err(|e| ApiError::invalid(format!("{what}：{e}")))
}

/// A rule in words, for the office reading its scheme back.
fn rule_words(rule: &Rule) -> String {
    let n = |d: &Decimal| d.normalize().to_string();
    let range = |from: &Option<Decimal>, to: &Option<Decimal>| match (from, to) {
        (Some(f), Some(t)) => format!("{}–{}", n(f), n(t)),
        (Some(f), None) => format!("{} 以上", n(f)),
        (None, Some(t)) => format!("低于 {}", n(t)),
        (None, None) => "任意".into(),
    };
    let cap = |c: &Option<Decimal>| {
        c.as_ref()
            .map_or(String::new(), |c| format!("，最多 ±{}", n(c)))
    };
    match rule {
        Rule::Segments {
            anchor,
            segments,
            cap: c,
        } => {
            let parts: Vec<String> = segments
                .iter()
                .map(|s| format!("{} 每 1 点 {} 分", range(&s.from, &s.to), n(&s.per)))
                .collect();
            format!(
                "以 {} 为基准分段计分：{}{}",
                n(anchor),
                parts.join("；"),
                cap(c)
            )
        }
        Rule::PerUnit { per, cap: c } => format!("每个 {} 分{}", n(per), cap(c)),
        Rule::Threshold { at_least, points } => {
            format!("达到 {} 得 {} 分", n(at_least), n(points))
        }
        Rule::Bands { bands } => {
            let parts: Vec<String> = bands
                .iter()
                .map(|b| format!("{} 得 {} 分", range(&b.from, &b.to), n(&b.points)))
                .collect();
            format!("分档：{}", parts.join("；"))
        }
        Rule::Rank { ranks } => {
            let parts: Vec<String> = ranks
                .iter()
                .map(|r| format!("第 {}–{} 名 {} 分", r.from, r.to, n(&r.points)))
                .collect();
            format!("名次得分：{}", parts.join("；"))
        }
    }
}

fn scheme_value(scheme: &Scheme) -> Value {
    let criteria: Vec<Value> = scheme
        .criteria
        .iter()
        .map(|c| {
            context! { name => c.name.clone(), base => c.base.normalize().to_string(),
            terms => c.terms.iter().map(|t| context! { label => t.label.clone(), input => t.input.clone(),
                rule => rule_words(&t.rule) }).collect::<Vec<_>>() }
        })
        .collect();
    context! { name => scheme.name.clone(), criteria }
}

/// The assessment of a range, computed once per data version, day and set of adjustments
/// (the office only).
async fn assess(
    s: &AppState,
    c: &Caller,
    (from, to, grouping): (Period, Period, Grouping),
    adjustments: Vec<Adjustment>,
) -> ApiResult<std::sync::Arc<Assessment>> {
    c.require_admin()?;
    let today = today();
    let key = format!("assessment|{from}|{to}|{grouping:?}|{today}|{adjustments:?}");
    // Light: the store takes the turn itself when it reads the year afresh.
    s.views
        .light(&s.store, key, || async {
            let (scheme, _, _) = assessment::scheme_for(&s.store, to.year(), grouping).await?;
            Ok::<_, ApiError>(
                assessment::run(
                    &s.store,
                    &c.account,
                    AssessRequest {
                        from,
                        to,
                        grouping,
                        scheme,
                        adjustments,
                        today,
                        thresholds: Thresholds::default(),
                    },
                )
                .await?,
            )
        })
        .await
}

fn view(id: Option<i64>, proposed: usize, a: &Assessment) -> ApiResult<AssessmentView> {
    Ok(AssessmentView {
        id,
        title: assessment::title(a),
        proposed,
        result: serde_json::to_value(a).map_err(ApiError::internal)?,
    })
}

#[utoipa::path(get, path = "/api/assessment/schemes/{year}", tag = "考核评比",
    params(("year" = i32, Path, description = "年份"), ByQuery),
    responses((status = 200, description = "该年的考核方案（未制定时为系统默认方案）", body = SchemeView),
              (status = 422, body = ApiError)))]
async fn scheme(
    State(s): State<AppState>,
    _c: Caller,
    Path(year): Path<i32>,
    Query(q): Query<ByQuery>,
) -> ApiResult<Json<SchemeView>> {
    let grouping = grouping_of(q.by.as_deref())?;
    let (scheme, toml, saved) = assessment::scheme_for(&s.store, year, grouping).await?;
    Ok(Json(SchemeView {
        year,
        by: by_code(grouping).into(),
        toml,
        saved,
        scheme: serde_json::to_value(&scheme).map_err(ApiError::internal)?,
    }))
}

#[utoipa::path(put, path = "/api/assessment/schemes/{year}", tag = "考核评比", request_body = SchemeRequest,
    params(("year" = i32, Path, description = "年份"), ByQuery),
    responses((status = 200, description = "已保存", body = SchemeView),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn put_scheme(
    State(s): State<AppState>,
    c: Caller,
    Path(year): Path<i32>,
    Query(q): Query<ByQuery>,
    Json(b): Json<SchemeRequest>,
) -> ApiResult<Json<SchemeView>> {
    let grouping = grouping_of(q.by.as_deref())?;
    let scheme =
        assessment::save_scheme(&s.store, &c.account, &c.actor(), year, grouping, &b.toml).await?;
    Ok(Json(SchemeView {
        year,
        by: by_code(grouping).into(),
        toml: b.toml,
        saved: true,
        scheme: serde_json::to_value(&scheme).map_err(ApiError::internal)?,
    }))
}

#[utoipa::path(post, path = "/api/assessment/run", tag = "考核评比", request_body = AssessRunRequest,
    responses((status = 200, description = "考核结果，每一分都有来历；publish 时同时发布", body = AssessmentView),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn run(
    State(s): State<AppState>,
    c: Caller,
    Json(b): Json<AssessRunRequest>,
) -> ApiResult<Json<AssessmentView>> {
    let range = (
        period(&b.from, "from")?,
        period(&b.to, "to")?,
        grouping_of(b.by.as_deref())?,
    );
    if b.adjustments.len() > 200 {
        return Err(ApiError::invalid("加减分最多 200 条"));
    }
    let adjustments = b
        .adjustments
        .into_iter()
        .map(|a| Adjustment {
            unit: a.unit,
            points: a.points,
            reason: a.reason,
        })
        .collect();
    let a = assess(&s, &c, range, adjustments).await?;
    if b.publish {
        let (id, proposed) = assessment::publish(&s.store, &c.account, &c.actor(), &a).await?;
        return Ok(Json(view(Some(id), proposed, &a)?));
    }
    Ok(Json(view(None, 0, &a)?))
}

fn published_view(p: duban_store::PublishedAssessment) -> PublishedView {
    PublishedView {
        id: p.id,
        title: p.title,
        from: p.from,
        to: p.to,
        by: by_code(p.grouping).into(),
        published_by: p.published_by,
        published_at: p.published_at,
    }
}

#[utoipa::path(get, path = "/api/assessments", tag = "考核评比",
    responses((status = 200, description = "已发布的考核（最近的在前）", body = Vec<PublishedView>)))]
async fn published_list(
    State(s): State<AppState>,
    _c: Caller,
) -> ApiResult<Json<Vec<PublishedView>>> {
    let list = s.store.published_assessments().await?;
    Ok(Json(list.into_iter().map(published_view).collect()))
}

#[utoipa::path(get, path = "/api/assessments/{id}", tag = "考核评比",
    params(("id" = i64, Path, description = "考核编号")),
    responses((status = 200, description = "发布时的考核结果（不再重算）", body = AssessmentView),
              (status = 404, body = ApiError)))]
async fn published_one(
    State(s): State<AppState>,
    _c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<AssessmentView>> {
    let (_, a) = assessment::published(&s.store, id).await?;
    Ok(Json(view(Some(id), 0, &a)?))
}

// ---- the pages ----

#[derive(Debug, Default, Deserialize)]
struct RunQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
    /// 加减分, one per line: 单位:分值:理由.
    adjust: Option<String>,
    format: Option<String>,
}

/// The range the page shows: as asked, else the first half of this year or, from July, the
/// year to its last closed month.
fn range_of(q: &RunQuery) -> ApiResult<(Period, Period, Grouping)> {
    let t = today();
    let last_month = Period::parse(&format!(
        "{}-{:02}",
        if t.month() == 1 {
            t.year() - 1
        } else {
            t.year()
        },
        if t.month() == 1 { 12 } else { t.month() - 1 }
    ))
    .map_err(ApiError::invalid)?;
    let from = match q.from.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(v) => period(v, "起始期间")?,
        None => period(&format!("{}-01", last_month.year()), "起始期间")?,
    };
    let to = match q.to.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(v) => period(v, "截止期间")?,
        None => last_month,
    };
    Ok((from, to, grouping_of(q.by.as_deref())?))
}

fn adjustments_of(text: Option<&str>) -> ApiResult<Vec<Adjustment>> {
    let lines: Vec<&str> = text
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > 200 {
        return Err(ApiError::invalid("加减分最多 200 条"));
    }
    lines
        .into_iter()
        .map(|l| Adjustment::parse(l).map_err(|e| ApiError::invalid(format!("加减分 {e}"))))
        .collect()
}

fn result_value(a: &Assessment) -> Value {
    let rows: Vec<Value> = a
        .scores
        .iter()
        .map(|u| {
            context! { rank => u.rank, unit => u.unit.clone(), total => u.total.normalize().to_string(),
            criteria => u.criteria.iter().map(|c| c.points.normalize().to_string()).collect::<Vec<_>>(),
            why => assessment::explanation(u) }
        })
        .collect();
    context! { title => assessment::title(a), scheme => a.scheme.name.clone(),
    criteria => a.scheme.criteria.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
    by_label => a.grouping.label(), rows, last => a.scores.last().map(|u| u.unit.clone()) }
}

async fn assessment_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<RunQuery>,
) -> PageResult {
    let published: Vec<PublishedView> = s
        .store
        .published_assessments()
        .await?
        .into_iter()
        .map(published_view)
        .collect();
    let ctx = page(&c, "考核", "assessment", false);
    if !c.account.is_admin() {
        return render(
            &s,
            "assessment.html",
            context! { published => crate::page::ser(&published), ..ctx },
        );
    }
    let range = range_of(&q)?;
    let adjust = q.adjust.clone().unwrap_or_default();
    let a = assess(&s, &c, range, adjustments_of(Some(&adjust))?).await?;
    let query = format!(
        "from={}&to={}&by={}&adjust={}",
        range.0,
        range.1,
        by_code(range.2),
        crate::page::encode(&adjust)
    );
    render(
        &s,
        "assessment.html",
        context! { published => crate::page::ser(&published), result => result_value(&a),
        from => range.0.to_string(), to => range.1.to_string(), by => by_code(range.2), adjust, query,
        ..ctx },
    )
}

/// The assessment as a file: .xlsx, or the .docx issued by `issuer` on `on`.
fn file(
    a: &Assessment,
    format: Option<&str>,
    issuer: &str,
    on: chrono::NaiveDate,
) -> ApiResult<Response> {
    let name = assessment::title(a);
    match format.unwrap_or("docx") {
        "xlsx" => Ok(xlsx(assessment::xlsx(a)?, &format!("{name}.xlsx"))),
        "docx" => Ok(download(
            assessment::docx(a, issuer, on)?,
            &format!("{name}.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )),
        other => Err(ApiError::invalid(format!(
            "导出格式“{other}”不支持（可选 xlsx、docx）"
        ))),
    }
}

async fn issuer(s: &AppState) -> ApiResult<String> {
    Ok(format!("{}人民政府督查室", s.store.city_name().await?))
}

async fn download_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<RunQuery>,
) -> PageResult<Response> {
    let range = range_of(&q)?;
    let a = assess(&s, &c, range, adjustments_of(q.adjust.as_deref())?).await?;
    Ok(file(&a, q.format.as_deref(), &issuer(&s).await?, today())?)
}

async fn publish_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    f: FormData,
) -> PageResult<Response> {
    let q = RunQuery {
        from: f.text("from"),
        to: f.text("to"),
        by: f.text("by"),
        adjust: f.text("adjust"),
        format: None,
    };
    let range = range_of(&q)?;
    let a = assess(&s, &c, range, adjustments_of(q.adjust.as_deref())?).await?;
    let (id, _) = assessment::publish(&s.store, &c.account, &c.actor(), &a).await?;
    Ok(([("hx-redirect", format!("/assessment/{id}"))], "已发布").into_response())
}

async fn published_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(id): Path<i64>,
) -> PageResult {
    let (p, a) = assessment::published(&s.store, id).await?;
    let ctx = page(&c, &p.title, "assessment", false);
    render(
        &s,
        "assessment_published.html",
        context! { id, published_by => crate::page::who(&p.published_by), published_at => p.published_at,
        result => result_value(&a), ..ctx },
    )
}

#[derive(Debug, Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

async fn published_download(
    State(s): State<AppState>,
    Visitor(_c): Visitor,
    Path(id): Path<i64>,
    Query(q): Query<FormatQuery>,
) -> PageResult<Response> {
    let (p, a) = assessment::published(&s.store, id).await?;
    let on = p
        .published_at
        .get(..10)
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(today);
    // A published assessment downloads as Excel when asked, else as its 通报.
    let format = if q.format.as_deref() == Some("xlsx") {
        "xlsx"
    } else {
        "docx"
    };
    Ok(file(&a, Some(format), &issuer(&s).await?, on)?)
}

async fn scheme_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<SchemeQuery>,
) -> PageResult {
    c.require_admin()?;
    let year = q.year.unwrap_or_else(|| today().year());
    let grouping = grouping_of(q.by.as_deref())?;
    let (scheme, toml, saved) = assessment::scheme_for(&s.store, year, grouping).await?;
    let ctx = page(&c, "考核方案", "scheme", false);
    render(
        &s,
        "scheme.html",
        context! { year, by => by_code(grouping), by_label => grouping.label(), toml, saved,
        scheme => scheme_value(&scheme), just_saved => q.saved.is_some(),
        inputs => assessment::INPUTS.iter().map(|(k, v)| context! { key => *k, label => *v }).collect::<Vec<_>>(), ..ctx },
    )
}

#[derive(Debug, Default, Deserialize)]
struct SchemeQuery {
    year: Option<i32>,
    by: Option<String>,
    saved: Option<String>,
}

async fn save_scheme_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    f: FormData,
) -> PageResult<Response> {
    let year: i32 = f
        .text("year")
        .and_then(|y| y.parse().ok())
        .ok_or_else(|| ApiError::invalid("年份应是四位数字"))?;
    let grouping = grouping_of(f.text("by").as_deref())?;
    let toml = f.fields.get("toml").cloned().unwrap_or_default();
    assessment::save_scheme(&s.store, &c.account, &c.actor(), year, grouping, &toml).await?;
    Ok((
        [(
            "hx-redirect",
            format!(
                "/assessment/scheme?year={year}&by={}&saved=1",
                by_code(grouping)
            ),
        )],
        "已保存",
    )
        .into_response())
}
