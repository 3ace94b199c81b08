//! 排名与通报 — the ranking page and API, the bulletin page (preview, requirements, issue,
//! download) and API, and indicators through the API. Everyone signed in reads rankings and
//! bulletins (they are published to every unit); only the office edits, issues and imports.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use duban_core::bulletin::Bulletin;
use duban_core::indicator::{Indicator, IndicatorValue};
use duban_core::ranking::RankTable;
use duban_core::rates::{Rate, format_percent, one_decimal};
use duban_core::{Period, Thresholds};
use duban_store::{Grouping, IndicatorRow};
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::page::{PageResult, Visitor, download, field, message, page, render, ser, upload};
use crate::templates::script_json;
use duban_app::bulletin::{BulletinFormat, bulletin_file};
use duban_app::clock::{beijing, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rankings", get(rankings_page))
        .route("/rankings/indicators", post(upload_indicators))
        .route("/rankings/export.xlsx", get(export_rankings))
        .route("/bulletin", get(bulletin_page))
        .route("/bulletin/requirements", post(save_requirements))
        .route("/bulletin/issue", post(issue_page))
        .route("/bulletin/download", get(download_page))
        .route("/api/rankings", get(rankings))
        .route("/api/bulletins", get(bulletins))
        .route("/api/bulletins/{period}", get(bulletin))
        .route("/api/bulletins/{period}/issue", post(issue))
        .route(
            "/api/bulletins/{period}/requirements",
            put(set_requirements),
        )
        .route("/api/indicators", get(indicators).post(import_indicators))
}

/// 期间查询
#[derive(Debug, Deserialize, IntoParams, Default)]
pub struct PeriodQuery {
    /// 期间: 2025-06, 2025-Q2 or 2025-W23 (default: the last month whose reports are due)
    pub period: Option<String>,
    /// region（县区）or department（部门）
    pub by: Option<String>,
    /// json, docx, html or md (bulletins)
    pub format: Option<String>,
}

fn period_of(text: Option<&str>) -> ApiResult<Period> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Period::parse(t).map_err(|e| ApiError::invalid(format!("period：{e}"))),
        None => Ok(duban_store::Schedule::default().last_closed(today())),
    }
}

fn grouping_of(text: Option<&str>) -> ApiResult<Grouping> {
    text.map(Grouping::parse)
        .transpose()
        .map(Option::unwrap_or_default)
        .map_err(ApiError::invalid)
}

async fn table(s: &AppState, period: Period, grouping: Grouping) -> ApiResult<RankTable> {
    Ok(s.store
        .rank_table(period, grouping, today(), &Thresholds::default())
        .await?)
}

#[utoipa::path(get, path = "/api/rankings", tag = "排名通报", params(PeriodQuery),
    responses((status = 200, description = "各县区或部门的各项比率（分子、分母、百分比、名次）、综合得分、升降和约谈名单", body = Value),
              (status = 422, body = ApiError)))]
pub(crate) async fn rankings(
    State(s): State<AppState>,
    _c: Caller,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let period = period_of(q.period.as_deref())?;
    let grouping = grouping_of(q.by.as_deref())?;
    let t = table(&s, period, grouping).await?;
    Ok(Json(
        json!({ "period": period, "by": grouping, "table": t }),
    ))
}

#[utoipa::path(get, path = "/api/bulletins", tag = "排名通报",
    responses((status = 200, description = "已印发的通报（期间、期号、标题、印发时间），新的在前", body = Value)))]
pub(crate) async fn bulletins(
    State(s): State<AppState>,
    _c: Caller,
) -> ApiResult<Json<serde_json::Value>> {
    let list: Vec<serde_json::Value> = s
        .store
        .issued_bulletins()
        .await?
        .into_iter()
        .map(|b| {
            json!({ "period": b.period, "number": b.bulletin.number, "title": b.bulletin.title,
            "issued_at": b.issued_at, "issued_by": b.issued_by })
        })
        .collect();
    Ok(Json(json!(list)))
}

/// The bulletin of `period`: as issued, or — for the office only — a draft from the data now.
/// Others are told it is not issued yet (a draft, with its 约谈 names, stays in the office).
async fn current(
    s: &AppState,
    c: &Caller,
    period: Period,
) -> ApiResult<(Bulletin, Option<duban_store::IssuedBulletin>)> {
    match s.store.issued_bulletin(period).await? {
        Some(i) => Ok((i.bulletin.clone(), Some(i))),
        None if c.account.is_admin() => Ok((
            s.store
                .draft_bulletin(period, today(), &Thresholds::default())
                .await?,
            None,
        )),
        None => Err(ApiError::not_found(format!(
            "{}的通报尚未印发",
            period.label()
        ))),
    }
}

fn format_of(text: Option<&str>) -> ApiResult<BulletinFormat> {
    BulletinFormat::parse(text.unwrap_or_default())
        .map_err(|e| ApiError::invalid(format!("format：{e}")))
}

fn file_response(b: &Bulletin, format: BulletinFormat) -> ApiResult<Response> {
    let (bytes, ext, content_type) = bulletin_file(b, format).map_err(ApiError::internal)?;
    Ok(download(bytes, &format!("{}.{ext}", b.title), content_type))
}

#[utoipa::path(get, path = "/api/bulletins/{period}", tag = "排名通报",
    params(("period" = String, Path, description = "期间，如 2025-06"), PeriodQuery),
    responses((status = 200, description = "该期通报：已印发的按印发时的原样；未印发的仅督查室可按当前数据查看草稿。format 选 json、docx、html、md", body = Value),
              (status = 404, description = "尚未印发（非督查室）", body = ApiError), (status = 422, body = ApiError)))]
pub(crate) async fn bulletin(
    State(s): State<AppState>,
    c: Caller,
    Path(period): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Response> {
    let period = period_of(Some(&period))?;
    let format = format_of(q.format.as_deref())?;
    let (b, issued) = current(&s, &c, period).await?;
    if format == BulletinFormat::Json {
        return Ok(Json(json!({ "issued": issued.as_ref().map(|i| json!({ "at": i.issued_at, "by": i.issued_by })), "bulletin": b })).into_response());
    }
    file_response(&b, format)
}

#[utoipa::path(post, path = "/api/bulletins/{period}/issue", tag = "排名通报",
    params(("period" = String, Path, description = "期间，如 2025-06")),
    responses((status = 200, description = "已印发（督查室）：按当前数据生成并存档，此后原样输出", body = Value),
              (status = 403, body = ApiError), (status = 422, description = "已印发过", body = ApiError)))]
pub(crate) async fn issue(
    State(s): State<AppState>,
    c: Caller,
    Path(period): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    c.require_admin()?;
    let period = period_of(Some(&period))?;
    let draft = s
        .store
        .draft_bulletin(period, today(), &Thresholds::default())
        .await?;
    let done = s.store.issue_bulletin(&c.actor(), period, draft).await?;
    Ok(Json(json!(done)))
}

/// 下步工作要求
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequirementsRequest {
    /// 一段一行
    pub text: String,
}

async fn keep_requirements(s: &AppState, c: &Caller, period: Period, text: &str) -> ApiResult<()> {
    c.require_admin()?;
    if s.store.issued_bulletin(period).await?.is_some() {
        return Err(ApiError::invalid(format!(
            "{}的通报已印发，不能再修改",
            period.label()
        )));
    }
    Ok(s.store
        .set_bulletin_requirements(&c.actor(), period, text)
        .await?)
}

#[utoipa::path(put, path = "/api/bulletins/{period}/requirements", tag = "排名通报",
    params(("period" = String, Path, description = "期间，如 2025-06")), request_body = RequirementsRequest,
    responses((status = 204, description = "已保存（督查室；印发前可改）"), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub(crate) async fn set_requirements(
    State(s): State<AppState>,
    c: Caller,
    Path(period): Path<String>,
    Json(r): Json<RequirementsRequest>,
) -> ApiResult<axum::http::StatusCode> {
    keep_requirements(&s, &c, period_of(Some(&period))?, &r.text).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/indicators", tag = "排名通报", params(PeriodQuery),
    responses((status = 200, description = "该期各指标：各地区完成值、目标值、与目标差、与全市（或平均）差、名次", body = Value),
              (status = 422, description = "填报期无法识别", body = ApiError)))]
pub(crate) async fn indicators(
    State(s): State<AppState>,
    _c: Caller,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let period = period_of(q.period.as_deref())?;
    let city = s.store.city_name().await?;
    Ok(Json(json!(
        s.store.indicator_comparisons(period, &city).await?
    )))
}

/// 指标导入：指标定义与各地区数值
#[derive(Debug, Deserialize, ToSchema)]
pub struct IndicatorImportRequest {
    /// 新指标的定义（已有的可省略）
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub indicators: Vec<Indicator>,
    /// {indicator, region, period, value, target}；数值为字符串或数字
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<IndicatorValue>,
}

#[utoipa::path(post, path = "/api/indicators", tag = "排名通报", request_body = IndicatorImportRequest,
    responses((status = 200, description = "已导入（督查室）；有错则一条不写，并逐条说明", body = Value),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub(crate) async fn import_indicators(
    State(s): State<AppState>,
    c: Caller,
    Json(r): Json<IndicatorImportRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    c.require_admin()?;
    let rows: Vec<IndicatorRow> = r
        .values
        .into_iter()
        .enumerate()
        .map(|(i, value)| IndicatorRow {
            source: format!("values[{i}]"),
            value,
        })
        .collect();
    Ok(Json(json!(
        s.store
            .import_indicators(&c.actor(), &r.indicators, &rows)
            .await?
    )))
}

/// A rate cell as the page shows it: "63.8%" over "38/57".
fn cell_view(c: &duban_core::ranking::RateCell) -> Value {
    let detail = if c.denominator.is_zero() {
        String::new()
    } else if c.rate.is_money() {
        format!(
            "{}/{}亿",
            duban_core::rates::yi(c.numerator),
            duban_core::rates::yi(c.denominator)
        )
    } else {
        format!("{}/{}", c.numerator, c.denominator)
    };
    context! { percent => format_percent(c.percent), detail, rank => c.rank, none => c.denominator.is_zero() }
}

async fn rankings_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(q.period.as_deref())?;
    let grouping = grouping_of(q.by.as_deref())?;
    let t = table(&s, period, grouping).await?;
    let city = s.store.city_name().await?;
    let comparisons = s.store.indicator_comparisons(period, &city).await?;
    let rows: Vec<Value> = t
        .rows
        .iter()
        .map(|r| {
            context! { unit => r.unit.clone(), items => r.items, rank => r.composite.rank, movement => r.movement.clone(),
                called_in => r.called_in, time_progress => format_percent(r.time_progress),
                composite => r.composite.value.map(|v| format!("{:.1}", one_decimal(v))),
                rates => r.rates.iter().map(cell_view).collect::<Vec<_>>() }
        })
        .collect();
    let chart = json!({
        "units": t.rows.iter().map(|r| &r.unit).collect::<Vec<_>>(),
        "composite": t.rows.iter().map(|r| r.composite.value.map(one_decimal)).collect::<Vec<_>>(),
        "investment": t.rows.iter().map(|r| r.rates.iter().find(|c| c.rate == Rate::Investment).and_then(|c| c.percent).map(one_decimal)).collect::<Vec<_>>(),
        "schedule": t.rows.iter().map(|r| r.time_progress.map(one_decimal)).collect::<Vec<_>>(),
    });
    let indicators: Vec<Value> = comparisons
        .iter()
        .map(|cmp| {
            let ind = &cmp.indicator;
            let fig = |v: Option<rust_decimal::Decimal>| v.map(|v| format!("{}", v.round_dp(2).normalize())).unwrap_or_else(|| "—".into());
            context! { name => ind.name.clone(), unit => ind.unit.clone(), higher => ind.higher_is_better, basis => cmp.basis, city => fig(cmp.city),
                regions => cmp.regions.iter().map(|r| context! { region => r.region.clone(), rank => r.rank, value => fig(r.value),
                    target => fig(r.target), vs_target => fig(r.vs_target), vs_city => fig(r.vs_city),
                    below_target => r.below_target(ind), below_city => r.below_city(ind) }).collect::<Vec<_>>() }
        })
        .collect();
    let ctx = page(&c, "排名", "rankings", true);
    render(
        &s,
        "rankings.html",
        context! {
        period => period.to_string(), period_label => period.label(), by => ser(grouping), by_label => grouping.label(),
        rates => Rate::ALL.iter().map(|r| r.label()).collect::<Vec<_>>(),
        rows, overall => t.overall.iter().map(cell_view).collect::<Vec<_>>(), overall_items => t.overall_items,
        overall_time => format_percent(t.overall_time_progress),
        called_in => t.called_in, rule => t.rules.talk_text(),
        weights => t.rules.weights.iter().map(|(r, w)| format!("{}{}", r.label(), w)).collect::<Vec<_>>().join("、"),
        indicators, chart_json => script_json(&chart), ..ctx },
    )
}

async fn bulletin_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(q.period.as_deref())?;
    let shown = match current(&s, &c, period).await {
        Ok(found) => Some(found),
        Err(e) if e.status() == axum::http::StatusCode::NOT_FOUND => None,
        Err(e) => return Err(e.into()),
    };
    let history: Vec<Value> = s
        .store
        .issued_bulletins()
        .await?
        .into_iter()
        .map(|i| context! { period => i.period.to_string(), number => i.bulletin.number, title => i.bulletin.title, at => beijing(&i.issued_at) })
        .collect();
    let ctx = page(&c, "通报", "bulletin", false);
    render(&s, "bulletin.html", {
        let (b, issued) = match shown {
            Some((b, issued)) => (Some(b), issued),
            None => (None, None),
        };
        context! {
        period => period.to_string(), period_label => period.label(), found => b.is_some(),
        issued => issued.map(|i| context! { at => beijing(&i.issued_at), by => i.issued_by, number => i.bulletin.number }),
        requirements => b.as_ref().map(Bulletin::requirements), preview => b.as_ref().map(duban_app::bulletin::html), history, ..ctx }
    })
}

#[derive(Deserialize)]
struct RequirementsForm {
    period: String,
    text: Option<String>,
}

async fn save_requirements(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Form(f): Form<RequirementsForm>,
) -> PageResult<Response> {
    let period = period_of(Some(&f.period))?;
    keep_requirements(&s, &c, period, &field(f.text).unwrap_or_default()).await?;
    Ok(([("hx-redirect", format!("/bulletin?period={period}"))], "").into_response())
}

#[derive(Deserialize)]
struct IssueForm {
    period: String,
}

async fn issue_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Form(f): Form<IssueForm>,
) -> PageResult {
    c.require_admin()?;
    let period = period_of(Some(&f.period))?;
    let draft = s
        .store
        .draft_bulletin(period, today(), &Thresholds::default())
        .await?;
    let done = s.store.issue_bulletin(&c.actor(), period, draft).await?;
    message(
        &s,
        vec![format!(
            "已印发：{}（{}）",
            done.bulletin.title,
            done.bulletin.number.unwrap_or_default()
        )],
    )
}

async fn download_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<PeriodQuery>,
) -> PageResult<Response> {
    let period = period_of(q.period.as_deref())?;
    let format = match format_of(q.format.as_deref())? {
        BulletinFormat::Json => BulletinFormat::Docx,
        f => f,
    };
    let (b, _) = current(&s, &c, period).await?;
    Ok(file_response(&b, format)?)
}

/// 指标导入 on the 排名 page: the office uploads a statistics sheet; all rows or none.
async fn upload_indicators(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    form: Multipart,
) -> PageResult {
    c.require_admin()?;
    let (_dir, path, fields) = upload(form).await?;
    let period = fields
        .iter()
        .find(|(k, v)| k == "period" && !v.trim().is_empty())
        .map(|(_, v)| period_of(Some(v)))
        .transpose()?;
    let city = s.store.city_name().await?;
    let sheet = path.clone();
    let read =
        tokio::task::spawn_blocking(move || duban_office::read_indicators(&sheet, period, &city))
            .await
            .map_err(ApiError::internal)?
            .map_err(|e| ApiError::invalid(crate::page::about_upload(e, &path)))?;
    let rows: Vec<IndicatorRow> = read
        .rows
        .into_iter()
        .map(|(source, value)| IndicatorRow { source, value })
        .collect();
    let done = s
        .store
        .import_indicators(&c.actor(), &read.indicators, &rows)
        .await?;
    let mut said = vec![format!("已导入 {} 条指标数值", done.values)];
    if !done.new_indicators.is_empty() {
        said.push(format!("新定义指标：{}", done.new_indicators.join("、")));
    }
    message(&s, said)
}

/// 导出 — the ranking shown as an .xlsx (every rate with its numerator and denominator).
async fn export_rankings(
    State(s): State<AppState>,
    Visitor(_c): Visitor,
    Query(q): Query<PeriodQuery>,
) -> PageResult<Response> {
    let period = period_of(q.period.as_deref())?;
    let grouping = grouping_of(q.by.as_deref())?;
    let t = table(&s, period, grouping).await?;
    let title = format!("{}{}排名", period.label(), grouping.label());
    let bytes =
        duban_office::write_ranking(&t, &title, grouping.label()).map_err(ApiError::internal)?;
    Ok(download(
        bytes,
        &format!("{title}.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ))
}
