//! 排名 — every region or department on every rate (numerator over denominator), the weighted
//! composite, movement against the previous period and the units named for a talk (约谈):
//! the 排名 page (with its .xlsx) and `/api/rankings`; and the regions' economic indicators
//! against their targets and the city, imported by the office (a sheet on the page, JSON
//! through `/api/indicators`). Everyone signed in reads rankings; only the office imports.
//! The API here, the page in [`pages`].

mod pages;

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use duban_core::indicator::{Indicator, IndicatorComparison, IndicatorValue, RegionStanding};
use duban_core::ranking::{RankRow, RankTable, RankingRules, RateCell, Standing, TalkRule};
use duban_core::rates::Rate;
use duban_core::{Period, Thresholds};
use duban_store::{Grouping, IndicatorImport, IndicatorRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::schema::{self, GroupingCode, MeasureCode, RateCode};
use duban_app::clock::today;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rankings", get(pages::rankings_page))
        .route("/rankings/indicators", post(pages::upload_indicators))
        .route("/rankings/export.xlsx", get(pages::export_rankings))
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

pub(super) fn grouping_of(text: Option<&str>) -> ApiResult<Grouping> {
    text.map(Grouping::parse)
        .transpose()
        .map(Option::unwrap_or_default)
        .map_err(ApiError::invalid)
}

/// The ranking of a period, computed once per data version and day.
pub(super) async fn table(
    s: &AppState,
    period: Period,
    grouping: Grouping,
) -> ApiResult<std::sync::Arc<RankTable>> {
    let today = today();
    let key = format!("rankings|{period}|{grouping:?}|{today}");
    // Light: the store takes the turn itself when it reads the year afresh.
    s.views
        .light(&s.store, key, || async {
            Ok::<_, ApiError>(
                s.store
                    .rank_table(period, grouping, today, &Thresholds::default())
                    .await?,
            )
        })
        .await
}

#[utoipa::path(get, path = "/api/rankings", tag = "排名通报", params(PeriodQuery),
    responses((status = 200, description = "各县区或部门的各项比率（分子、分母、百分比、名次）、综合得分、升降和约谈名单", body = RankingView),
              (status = 422, body = ApiError)))]
pub(crate) async fn rankings(
    State(s): State<AppState>,
    _c: Caller,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<RankingView>> {
    let period = period_of(q.period.as_deref())?;
    let grouping = grouping_of(q.by.as_deref())?;
    let t = table(&s, period, grouping).await?;
    Ok(Json(RankingView {
        period,
        by: grouping,
        table: RankTable::clone(&t).into(),
    }))
}

#[utoipa::path(get, path = "/api/indicators", tag = "排名通报", params(PeriodQuery),
    responses((status = 200, description = "该期各指标：各地区完成值、目标值、与目标差、与全市（或平均）差、名次", body = Vec<IndicatorComparisonView>),
              (status = 422, description = "填报期无法识别", body = ApiError)))]
pub(crate) async fn indicators(
    State(s): State<AppState>,
    _c: Caller,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<Vec<IndicatorComparisonView>>> {
    let period = period_of(q.period.as_deref())?;
    let city = s.store.city_name().await?;
    let comparisons = s.store.indicator_comparisons(period, &city).await?;
    Ok(Json(comparisons.into_iter().map(Into::into).collect()))
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
    responses((status = 200, description = "已导入（督查室）；有错则一条不写，并逐条说明", body = IndicatorImportView),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub(crate) async fn import_indicators(
    State(s): State<AppState>,
    c: Caller,
    Json(r): Json<IndicatorImportRequest>,
) -> ApiResult<Json<IndicatorImportView>> {
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
    let done = s
        .store
        .import_indicators(&c.actor(), &r.indicators, &rows)
        .await?;
    Ok(Json(done.into()))
}

// ---- what the API answers ----

/// Percentages go out to two decimals (computed exactly, ranked on one), as the core writes
/// them.
fn two_decimals(v: Option<Decimal>) -> Option<Decimal> {
    v.map(|d| d.round_dp(2))
}

/// 排名 — the table of one period, by region or by department.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Ranking)]
pub struct RankingView {
    #[schema(value_type = schema::Period)]
    pub period: Period,
    #[schema(value_type = GroupingCode)]
    pub by: Grouping,
    pub table: RankTableView,
}

/// 排名表 — every unit with every rate and the composite, in composite order (units without
/// data last); the city as a whole; the 约谈 names and the rules applied.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RankTable)]
pub struct RankTableView {
    pub rows: Vec<RankRowView>,
    /// 全市
    pub overall: Vec<RateCellView>,
    pub overall_items: usize,
    /// 序时进度 of the city's items with money, in percent.
    #[schema(value_type = Option<schema::Decimal>)]
    pub overall_time_progress: Option<Decimal>,
    /// 约谈
    pub called_in: Vec<String>,
    pub rules: RulesView,
}

impl From<RankTable> for RankTableView {
    fn from(t: RankTable) -> Self {
        let RankTable {
            rows,
            overall,
            overall_items,
            overall_time_progress,
            called_in,
            rules,
        } = t;
        RankTableView {
            rows: rows.into_iter().map(Into::into).collect(),
            overall: overall.into_iter().map(Into::into).collect(),
            overall_items,
            overall_time_progress: two_decimals(overall_time_progress),
            called_in,
            rules: rules.into(),
        }
    }
}

/// One unit's line: its items, 序时进度, every rate, the composite with its rank and last
/// period's, the movement ("↑2", "↓1", "—" or "") and whether it is named for a talk.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RankRow)]
pub struct RankRowView {
    pub unit: String,
    pub items: usize,
    #[schema(value_type = Option<schema::Decimal>)]
    pub time_progress: Option<Decimal>,
    pub rates: Vec<RateCellView>,
    pub composite: StandingView,
    pub movement: String,
    pub called_in: bool,
}

impl From<RankRow> for RankRowView {
    fn from(r: RankRow) -> Self {
        let RankRow {
            unit,
            items,
            time_progress,
            rates,
            composite,
            movement,
            called_in,
        } = r;
        RankRowView {
            unit,
            items,
            time_progress: two_decimals(time_progress),
            rates: rates.into_iter().map(Into::into).collect(),
            composite: composite.into(),
            movement,
            called_in,
        }
    }
}

/// 比率 — numerator over denominator, the percent (null: 无数据) and the rank.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RateCell)]
pub struct RateCellView {
    #[schema(value_type = RateCode)]
    pub rate: Rate,
    pub label: String,
    #[schema(value_type = schema::Decimal)]
    pub numerator: Decimal,
    #[schema(value_type = schema::Decimal)]
    pub denominator: Decimal,
    #[schema(value_type = Option<schema::Decimal>)]
    pub percent: Option<Decimal>,
    pub rank: Option<usize>,
}

impl From<RateCell> for RateCellView {
    fn from(c: RateCell) -> Self {
        let RateCell {
            rate,
            label,
            numerator,
            denominator,
            percent,
            rank,
        } = c;
        RateCellView {
            rate,
            label: label.to_string(),
            numerator,
            denominator,
            percent: two_decimals(percent),
            rank,
        }
    }
}

/// 名次 — the value ranked on (percent, or points for the composite; null: no data), the rank
/// and last period's.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Standing)]
pub struct StandingView {
    pub unit: String,
    #[schema(value_type = Option<schema::Decimal>)]
    pub value: Option<Decimal>,
    pub rank: Option<usize>,
    /// 上期名次
    pub previous: Option<usize>,
}

impl From<Standing> for StandingView {
    fn from(s: Standing) -> Self {
        let Standing {
            unit,
            value,
            rank,
            previous,
        } = s;
        StandingView {
            unit,
            value: two_decimals(value),
            rank,
            previous,
        }
    }
}

/// 排名规则 — the composite's weights by rate code, and the 约谈 rule.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RankingRules)]
pub struct RulesView {
    /// rate code → weight
    #[schema(value_type = BTreeMap<String, f64>)]
    pub weights: BTreeMap<Rate, f64>,
    pub talk: TalkRuleView,
}

impl From<RankingRules> for RulesView {
    fn from(r: RankingRules) -> Self {
        let RankingRules { weights, talk } = r;
        RulesView {
            weights,
            talk: talk.into(),
        }
    }
}

/// 约谈规则 — the bottom `bottom` on `measure` in each of the last `periods` periods.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TalkRule)]
pub struct TalkRuleView {
    #[schema(value_type = MeasureCode)]
    pub measure: duban_core::ranking::Measure,
    pub bottom: usize,
    pub periods: usize,
}

impl From<TalkRule> for TalkRuleView {
    fn from(t: TalkRule) -> Self {
        let TalkRule {
            measure,
            bottom,
            periods,
        } = t;
        TalkRuleView {
            measure,
            bottom,
            periods,
        }
    }
}

/// 指标 — one indicator of one period across the regions: the city figure (全市) or the
/// regions' average (平均) they are compared with, and each region best first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IndicatorComparison)]
pub struct IndicatorComparisonView {
    pub indicator: IndicatorView,
    #[schema(value_type = schema::Period)]
    pub period: Period,
    #[schema(value_type = Option<schema::Decimal>)]
    pub city: Option<Decimal>,
    /// 全市 or 平均
    pub basis: String,
    #[schema(value_type = Option<schema::Decimal>)]
    pub city_target: Option<Decimal>,
    pub regions: Vec<RegionStandingView>,
}

impl From<IndicatorComparison> for IndicatorComparisonView {
    fn from(c: IndicatorComparison) -> Self {
        let IndicatorComparison {
            indicator,
            period,
            city,
            basis,
            city_target,
            regions,
        } = c;
        IndicatorComparisonView {
            indicator: indicator.into(),
            period,
            city,
            basis: basis.to_string(),
            city_target,
            regions: regions.into_iter().map(Into::into).collect(),
        }
    }
}

/// 指标定义
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Indicator)]
pub struct IndicatorView {
    /// 指标名称
    pub name: String,
    /// 计量单位
    pub unit: String,
    /// 越高越好
    pub higher_is_better: bool,
}

impl From<Indicator> for IndicatorView {
    fn from(i: Indicator) -> Self {
        let Indicator {
            name,
            unit,
            higher_is_better,
        } = i;
        IndicatorView {
            name,
            unit,
            higher_is_better,
        }
    }
}

/// One region on one indicator: value, target, the differences and the rank.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RegionStanding)]
pub struct RegionStandingView {
    pub region: String,
    #[schema(value_type = Option<schema::Decimal>)]
    pub value: Option<Decimal>,
    #[schema(value_type = Option<schema::Decimal>)]
    pub target: Option<Decimal>,
    /// 与目标差
    #[schema(value_type = Option<schema::Decimal>)]
    pub vs_target: Option<Decimal>,
    /// 与全市差
    #[schema(value_type = Option<schema::Decimal>)]
    pub vs_city: Option<Decimal>,
    pub rank: Option<usize>,
}

impl From<RegionStanding> for RegionStandingView {
    fn from(r: RegionStanding) -> Self {
        let RegionStanding {
            region,
            value,
            target,
            vs_target,
            vs_city,
            rank,
        } = r;
        RegionStandingView {
            region,
            value,
            target,
            vs_target,
            vs_city,
            rank,
        }
    }
}

/// What an indicator import wrote: the indicators newly defined and the values.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IndicatorImport)]
pub struct IndicatorImportView {
    pub new_indicators: Vec<String>,
    pub values: usize,
}

impl From<IndicatorImport> for IndicatorImportView {
    fn from(i: IndicatorImport) -> Self {
        let IndicatorImport {
            new_indicators,
            values,
        } = i;
        IndicatorImportView {
            new_indicators,
            values,
        }
    }
}
