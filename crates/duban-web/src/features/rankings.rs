//! 排名 — every region or department on every rate (numerator over denominator), the weighted
//! composite, movement against the previous period and the units named for a talk (约谈):
//! the 排名 page (with its .xlsx) and `/api/rankings`; and the regions' economic indicators
//! against their targets and the city, imported by the office (a sheet on the page, JSON
//! through `/api/indicators`). Everyone signed in reads rankings; only the office imports.

use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
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
use crate::page::{
    PageResult, Visitor, about_upload, download, message, page, render, ser, upload,
};
use crate::templates::script_json;
use duban_app::clock::today;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rankings", get(rankings_page))
        .route("/rankings/indicators", post(upload_indicators))
        .route("/rankings/export.xlsx", get(export_rankings))
        .route("/api/rankings", get(rankings))
        .route("/api/indicators", get(indicators).post(import_indicators))
}

/// 期间查询
#[derive(Debug, Deserialize, IntoParams, Default)]
pub(crate) struct PeriodQuery {
    /// 期间: 2025-06, 2025-Q2 or 2025-W23 (default: the last month whose reports are due)
    pub period: Option<String>,
    /// region（县区）or department（部门）
    pub by: Option<String>,
    /// json, docx, html or md (bulletins)
    pub format: Option<String>,
}

pub(crate) fn period_of(text: Option<&str>) -> ApiResult<Period> {
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
            .map_err(|e| ApiError::invalid(about_upload(e, &path)))?;
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
