//! 节假日 — the working-day calendar every deadline in working days is counted by: per year,
//! the public holidays and the weekend days worked in exchange (调休上班), as the State
//! Council's notice sets them. The years shipped with duban are shown as such; the office
//! sets a year's notice (a new year, or a correction), audited.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use duban_core::WorkCalendar;
use duban_core::calendar::{Holiday, YearSchedule};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::FormData;
use crate::page::{PageResult, Visitor, page, render};
use crate::schema::Date;
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/holidays", get(holidays_page))
        .route("/holidays/{year}", post(save_page))
        .route("/api/holidays", get(holidays))
        .route("/api/holidays/{year}", axum::routing::put(set_year))
}

/// 放假
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = Holiday)]
pub struct HolidayView {
    /// 节日名称
    pub name: String,
    #[schema(value_type = Date)]
    pub from: NaiveDate,
    #[schema(value_type = Date)]
    pub to: NaiveDate,
}

/// 一年的节假日安排
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HolidayYear)]
pub struct HolidayYearView {
    pub year: i32,
    /// shipped 随系统发布 | office 督查室设置（含修改过的发布年份）
    pub source: String,
    pub holidays: Vec<HolidayView>,
    /// 调休上班的周末
    #[schema(value_type = Vec<Date>)]
    pub workdays: Vec<NaiveDate>,
}

/// 设置一年的节假日安排（整年替换）
#[derive(Debug, Deserialize, ToSchema)]
pub struct HolidayYearRequest {
    #[serde(default)]
    pub holidays: Vec<HolidayView>,
    /// 调休上班的周末
    #[serde(default)]
    #[schema(value_type = Vec<Date>)]
    pub workdays: Vec<NaiveDate>,
}

/// Whether the year's notice is the one shipped with duban.
fn shipped(shipped: &WorkCalendar, y: &YearSchedule) -> bool {
    shipped.year(y.year) == Some(y)
}

fn view(y: &YearSchedule, shipped_calendar: &WorkCalendar) -> HolidayYearView {
    HolidayYearView {
        year: y.year,
        source: if shipped(shipped_calendar, y) {
            "shipped"
        } else {
            "office"
        }
        .into(),
        holidays: y
            .holidays
            .iter()
            .map(|h| HolidayView {
                name: h.name.clone(),
                from: h.from,
                to: h.to,
            })
            .collect(),
        workdays: y.workdays.clone(),
    }
}

/// Sets `schedule` as `caller` (the office).
async fn save(s: &AppState, c: &Caller, schedule: &YearSchedule) -> ApiResult<()> {
    c.require_admin()?;
    s.store.set_holiday_year(&c.actor(), schedule).await?;
    Ok(())
}

#[utoipa::path(get, path = "/api/holidays", tag = "催办",
    responses((status = 200, description = "各年的节假日安排（按年份）", body = Vec<HolidayYearView>)))]
async fn holidays(
    State(s): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<HolidayYearView>>> {
    let calendar = s.store.work_calendar().await?;
    let shipped = WorkCalendar::shipped();
    Ok(Json(calendar.years().map(|y| view(y, &shipped)).collect()))
}

#[utoipa::path(put, path = "/api/holidays/{year}", tag = "催办", request_body = HolidayYearRequest,
    params(("year" = i32, Path, description = "年份")),
    responses((status = 200, description = "已保存", body = HolidayYearView), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn set_year(
    State(s): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
    Json(b): Json<HolidayYearRequest>,
) -> ApiResult<Json<HolidayYearView>> {
    let schedule = YearSchedule {
        year,
        holidays: b
            .holidays
            .into_iter()
            .map(|h| Holiday {
                from: h.from,
                to: h.to,
                name: h.name.trim().to_string(),
            })
            .collect(),
        workdays: b.workdays,
    };
    save(&s, &caller, &schedule).await?;
    Ok(Json(view(&schedule, &WorkCalendar::shipped())))
}

// ---- the page ----

#[derive(Debug, Default, Deserialize, IntoParams)]
struct HolidaysQuery {
    /// A year to add (its editor opened).
    year: Option<i32>,
    /// The year just saved.
    saved: Option<i32>,
}

/// Blank rows under a year's holidays and exchanged workdays, to add to them.
const BLANK_HOLIDAYS: usize = 3;
const BLANK_WORKDAYS: usize = 2;

fn year_value(y: &YearSchedule, source: &str, open: bool) -> Value {
    let holidays: Vec<Value> = y
        .holidays
        .iter()
        .map(|h| {
            context! { name => &h.name, from => h.from.to_string(), to => h.to.to_string(),
            days => (h.to - h.from).num_days() + 1 }
        })
        .collect();
    context! {
        year => y.year, source, open, holidays,
        workdays => y.workdays.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        blank_holidays => (0..BLANK_HOLIDAYS).collect::<Vec<_>>(),
        blank_workdays => (0..BLANK_WORKDAYS).collect::<Vec<_>>(),
    }
}

async fn holidays_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<HolidaysQuery>,
) -> PageResult {
    c.require_admin()?;
    let calendar = s.store.work_calendar().await?;
    let shipped_calendar = WorkCalendar::shipped();
    let mut shown: Vec<&YearSchedule> = calendar.years().collect();
    shown.reverse();
    let mut years: Vec<Value> = shown
        .into_iter()
        .map(|y| {
            let source = match (
                shipped(&shipped_calendar, y),
                shipped_calendar.covers(y.year),
            ) {
                (true, _) => "随系统发布",
                (false, true) => "督查室已修改",
                (false, false) => "督查室设置",
            };
            year_value(y, source, q.year == Some(y.year))
        })
        .collect();
    if let Some(new) = q.year.filter(|y| !calendar.covers(*y)) {
        let blank = YearSchedule {
            year: new,
            holidays: Vec::new(),
            workdays: Vec::new(),
        };
        years.insert(0, year_value(&blank, "尚未设置", true));
    }
    let this = today().year();
    let missing: Vec<i32> = [this, this + 1]
        .into_iter()
        .filter(|y| !calendar.covers(*y))
        .collect();
    let ctx = page(&c, "节假日", "holidays", false);
    render(
        &s,
        "holidays.html",
        context! { years, missing, saved => q.saved, next => this + 1, ..ctx },
    )
}

/// A year's notice from the page's rows: blank rows left out, each row checked.
fn schedule_from(year: i32, f: &FormData) -> ApiResult<YearSchedule> {
    let date = |what: &str, v: &str| {
        v.parse::<NaiveDate>()
            .map_err(|_| ApiError::invalid(format!("{what}：“{v}”不是日期")))
    };
    let (names, froms, tos) = (f.list("name"), f.list("from"), f.list("to"));
    let mut holidays = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let from = froms.get(i).map(String::as_str).unwrap_or("");
        let to = tos.get(i).map(String::as_str).unwrap_or("");
        if name.is_empty() && from.is_empty() && to.is_empty() {
            continue;
        }
        if name.is_empty() {
            return Err(ApiError::invalid(format!(
                "第 {} 行假期：请填写节日名称",
                i + 1
            )));
        }
        let from = date(&format!("{name}的开始日期"), from)?;
        let to = if to.is_empty() {
            from
        } else {
            date(&format!("{name}的结束日期"), to)?
        };
        holidays.push(Holiday {
            from,
            to,
            name: name.clone(),
        });
    }
    let workdays = f
        .list("workday")
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| date("调休上班日", v))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(YearSchedule {
        year,
        holidays,
        workdays,
    })
}

async fn save_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(year): Path<i32>,
    f: FormData,
) -> PageResult<Response> {
    let schedule = schedule_from(year, &f)?;
    save(&s, &c, &schedule).await?;
    Ok((
        [("hx-redirect", format!("/holidays?saved={year}#year-{year}"))],
        format!("已保存 {year} 年节假日安排"),
    )
        .into_response())
}
