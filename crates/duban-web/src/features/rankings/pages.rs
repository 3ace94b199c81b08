//! 排名 as a page: the table (every rate with its numerator and denominator, the composite,
//! movement, 约谈), the chart, the indicators against targets and the city; the table as
//! .xlsx; and the office's upload of an indicator sheet (all rows or none).

use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use duban_core::rates::{Rate, format_percent, one_decimal};
use duban_store::IndicatorRow;
use minijinja::{Value, context};
use serde_json::json;

use super::{PeriodQuery, grouping_of, period_of, table};
use crate::AppState;
use crate::error::ApiError;
use crate::page::{
    PageResult, Visitor, about_upload, download, message, page, render, ser, upload,
};
use crate::templates::script_json;

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

pub(super) async fn rankings_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(q.period.as_deref())?;
    let grouping = grouping_of(q.by.as_deref())?;
    let t = table(&s, period, grouping).await?;
    let comparisons = s
        .views
        .light(&s.store, format!("indicators|{period}"), || async {
            let city = s.store.city_name().await?;
            Ok::<_, ApiError>(s.store.indicator_comparisons(period, &city).await?)
        })
        .await?;
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
        period => period.to_string(), period_label => period.label(), period_end => period.last_day().to_string(), by => ser(grouping), by_label => grouping.label(),
        rates => Rate::ALL.iter().map(|r| r.label()).collect::<Vec<_>>(),
        rows, overall => t.overall.iter().map(cell_view).collect::<Vec<_>>(), overall_items => t.overall_items,
        overall_time => format_percent(t.overall_time_progress),
        called_in => t.called_in.clone(), rule => t.rules.talk_text(),
        weights => t.rules.weights.iter().map(|(r, w)| format!("{}{}", r.label(), w)).collect::<Vec<_>>().join("、"),
        indicators, chart_json => script_json(&chart), ..ctx },
    )
}

/// 指标导入 on the 排名 page: the office uploads a statistics sheet; all rows or none.
pub(super) async fn upload_indicators(
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
pub(super) async fn export_rankings(
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
