//! 观摩评比 — the office sets a tour (the projects visited, the judges, the score sheet), the
//! judges score each project on their phones while the tour is open, the office closes it and
//! publishes the result (each project's highest and lowest totals dropped, the rest
//! averaged, ranked). Pages and the JSON API side by side; who sees what is
//! `duban_app::tours`'.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_app::tours::{self, TourView};
use duban_core::account::AccountRole;
use duban_core::tour::{ScoreSheet, SheetCriterion, Trim};
use duban_store::{NewTour, TourRecord};
use minijinja::{Value, context};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::FormData;
use crate::page::{PageResult, Visitor, page, render, ser};
use crate::schema::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tours", get(tours_page).post(create_page))
        .route("/tours/{id}", get(tour_page))
        .route("/tours/{id}/sheets/{code}", post(score_page))
        .route("/tours/{id}/close", post(close_page))
        .route("/tours/{id}/publish", post(publish_page))
        .route("/api/tours", get(list).post(create))
        .route("/api/tours/{id}", get(tour))
        .route("/api/tours/{id}/sheets", put(score))
        .route("/api/tours/{id}/close", post(close))
        .route("/api/tours/{id}/publish", post(publish))
}

/// 评分项
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CriterionView {
    pub name: String,
    /// 满分
    #[schema(value_type = f64)]
    pub max: Decimal,
}

/// 观摩评比
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tour)]
pub struct TourSummaryView {
    pub id: i64,
    pub name: String,
    #[schema(value_type = Date)]
    pub held_on: NaiveDate,
    /// open 评分中 | closed 评分已结束 | published 结果已公布
    pub state: String,
    /// 观摩项目的编号
    pub items: Vec<String>,
    /// 评委（用户名）
    pub judges: Vec<String>,
    pub criteria: Vec<CriterionView>,
    /// 去掉几个最高分
    pub drop_highest: usize,
    /// 去掉几个最低分
    pub drop_lowest: usize,
}

/// 观摩评比详情：结果（可见时）与本人的评分表
#[derive(Debug, Serialize, ToSchema)]
pub struct TourDetailView {
    pub tour: TourSummaryView,
    /// 评比结果：projects（code、name、unit、scores、kept、average、rank）与 units；
    /// 评分中只有督查室可见，结束评分后评委可见
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// 本人的评分表
    pub my_sheets: Vec<SheetView>,
    /// 本人现在能否评分
    pub may_score: bool,
}

/// 评分表
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SheetView {
    /// 评委（用户名）；评委本人提交时可省略
    #[serde(default)]
    pub judge: Option<String>,
    /// 项目编号或名称
    pub project: String,
    /// 各评分项得分
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, f64>)]
    pub scores: BTreeMap<String, Decimal>,
    /// 总分（评分表只有总分时）
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub total: Option<Decimal>,
}

/// 新建观摩评比
#[derive(Debug, Deserialize, ToSchema)]
pub struct TourRequest {
    pub name: String,
    #[schema(value_type = Date)]
    pub held_on: NaiveDate,
    /// 观摩项目的编号，按路线顺序
    pub items: Vec<String>,
    /// 评委（用户名）
    #[serde(default)]
    pub judges: Vec<String>,
    /// 评分项；不填则只评总分（满分 100）
    #[serde(default)]
    pub criteria: Vec<CriterionView>,
    #[serde(default = "one")]
    pub drop_highest: usize,
    #[serde(default = "one")]
    pub drop_lowest: usize,
}

fn one() -> usize {
    1
}

/// 提交评分表
#[derive(Debug, Deserialize, ToSchema)]
pub struct SheetsRequest {
    pub sheets: Vec<SheetView>,
}

/// 已保存
#[derive(Debug, Serialize, ToSchema)]
pub struct SheetsSaved {
    pub saved: usize,
}

/// 已公布
#[derive(Debug, Serialize, ToSchema)]
pub struct TourPublished {
    pub tour: TourSummaryView,
    /// 建议列入绩效库、负面清单的条数（待督查室确认）
    pub proposed: usize,
}

fn summary(t: &TourRecord) -> TourSummaryView {
    TourSummaryView {
        id: t.id,
        name: t.name.clone(),
        held_on: t.held_on,
        state: t.state.clone(),
        items: t.items.iter().map(|i| i.code.clone()).collect(),
        judges: t.judges.clone(),
        criteria: t
            .criteria
            .iter()
            .map(|c| CriterionView {
                name: c.name.clone(),
                max: c.max,
            })
            .collect(),
        drop_highest: t.trim.highest,
        drop_lowest: t.trim.lowest,
    }
}

fn sheet_view(s: &ScoreSheet) -> SheetView {
    SheetView {
        judge: Some(s.judge.clone()),
        project: s.project.clone(),
        scores: s.scores.clone(),
        total: s.total,
    }
}

fn detail(v: &TourView) -> TourDetailView {
    TourDetailView {
        tour: summary(&v.tour),
        result: v.result.as_ref().map(|r| tours::result_json(&v.tour, r)),
        my_sheets: v.my_sheets.iter().map(sheet_view).collect(),
        may_score: v.may_score,
    }
}

async fn new_tour(s: &AppState, c: &Caller, b: TourRequest) -> ApiResult<i64> {
    let new = NewTour {
        name: b.name,
        held_on: b.held_on,
        items: b.items,
        judges: b.judges,
        criteria: b
            .criteria
            .into_iter()
            .map(|c| SheetCriterion {
                name: c.name.trim().to_string(),
                max: c.max,
            })
            .collect(),
        trim: Trim {
            highest: b.drop_highest.min(10),
            lowest: b.drop_lowest.min(10),
        },
    };
    Ok(tours::create(&s.store, &c.account, &c.actor(), &new).await?)
}

#[utoipa::path(get, path = "/api/tours", tag = "考核评比",
    responses((status = 200, description = "可见的观摩评比（评委只见自己参评的）", body = Vec<TourSummaryView>)))]
async fn list(State(s): State<AppState>, c: Caller) -> ApiResult<Json<Vec<TourSummaryView>>> {
    let tours = tours::visible(&s.store, &c.account).await?;
    Ok(Json(tours.iter().map(summary).collect()))
}

#[utoipa::path(post, path = "/api/tours", tag = "考核评比", request_body = TourRequest,
    responses((status = 201, description = "已设置", body = TourSummaryView),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn create(
    State(s): State<AppState>,
    c: Caller,
    Json(b): Json<TourRequest>,
) -> ApiResult<(StatusCode, Json<TourSummaryView>)> {
    let id = new_tour(&s, &c, b).await?;
    let t = s.store.tour(id).await?;
    Ok((StatusCode::CREATED, Json(summary(&t))))
}

#[utoipa::path(get, path = "/api/tours/{id}", tag = "考核评比",
    params(("id" = i64, Path, description = "评比编号")),
    responses((status = 200, description = "评比、结果（可见时）与本人的评分表", body = TourDetailView),
              (status = 404, body = ApiError)))]
async fn tour(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<TourDetailView>> {
    let v = tours::view(&s.store, &c.account, id).await?;
    Ok(Json(detail(&v)))
}

#[utoipa::path(put, path = "/api/tours/{id}/sheets", tag = "考核评比", request_body = SheetsRequest,
    params(("id" = i64, Path, description = "评比编号")),
    responses((status = 200, description = "已保存（全部或全不）", body = SheetsSaved),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn score(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<SheetsRequest>,
) -> ApiResult<Json<SheetsSaved>> {
    if b.sheets.len() > duban_store::MAX_TOUR_ITEMS * 4 {
        return Err(ApiError::invalid("一次提交的评分表太多"));
    }
    let sheets: Vec<ScoreSheet> = b
        .sheets
        .into_iter()
        .map(|v| ScoreSheet {
            judge: v
                .judge
                .filter(|j| !j.trim().is_empty())
                .unwrap_or_else(|| c.account.username.clone()),
            project: v.project,
            scores: v.scores,
            total: v.total,
        })
        .collect();
    let saved = tours::score(&s.store, &c.account, &c.actor(), id, &sheets).await?;
    Ok(Json(SheetsSaved { saved }))
}

#[utoipa::path(post, path = "/api/tours/{id}/close", tag = "考核评比",
    params(("id" = i64, Path, description = "评比编号")),
    responses((status = 200, description = "已结束评分", body = TourSummaryView),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn close(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<TourSummaryView>> {
    let t = tours::close(&s.store, &c.account, &c.actor(), id).await?;
    Ok(Json(summary(&t)))
}

#[utoipa::path(post, path = "/api/tours/{id}/publish", tag = "考核评比",
    params(("id" = i64, Path, description = "评比编号")),
    responses((status = 200, description = "已公布，并建议列入绩效库、负面清单", body = TourPublished),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn publish(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<TourPublished>> {
    let (t, proposed) = tours::publish(&s.store, &c.account, &c.actor(), id).await?;
    Ok(Json(TourPublished {
        tour: summary(&t),
        proposed,
    }))
}

// ---- the pages ----

fn state_label(state: &str) -> &'static str {
    match state {
        "open" => "评分中",
        "closed" => "评分已结束",
        _ => "结果已公布",
    }
}

async fn tours_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    let list = tours::visible(&s.store, &c.account).await?;
    let rows: Vec<Value> = list
        .iter()
        .map(|t| {
            context! { id => t.id, name => t.name.clone(), held_on => t.held_on.to_string(),
            state => t.state.clone(), state_label => state_label(&t.state), items => t.items.len(),
            judges => t.judges.len() }
        })
        .collect();
    let admin = c.account.is_admin();
    let (judges, items) = if admin {
        let judges: Vec<Value> = s
            .store
            .accounts()
            .await?
            .into_iter()
            .filter(|a| a.role == AccountRole::Judge)
            .map(|a| context! { username => a.username, name => a.display_name })
            .collect();
        (judges, Vec::new())
    } else {
        (Vec::new(), Vec::<Value>::new())
    };
    let ctx = page(&c, "观摩评比", "tours", false);
    render(
        &s,
        "tours.html",
        context! { rows, judges, items, today => crate::today().to_string(),
        is_judge => c.account.role == AccountRole::Judge, ..ctx },
    )
}

/// "形象进度 40" lines → the criteria.
fn criteria_from(text: &str) -> ApiResult<Vec<CriterionView>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, max) = l.rsplit_once([' ', ':', '：', '\t', '　']).ok_or_else(|| {
                ApiError::invalid(format!("评分项“{l}”应写作 名称 满分（如 形象进度 40）"))
            })?;
            let max: Decimal = max.trim().parse().map_err(|_| {
                ApiError::invalid(format!("评分项“{l}”的满分“{}”不是数", max.trim()))
            })?;
            Ok(CriterionView {
                name: name.trim().to_string(),
                max,
            })
        })
        .collect()
}

async fn create_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    f: FormData,
) -> PageResult<Response> {
    let count = |field: &str| -> ApiResult<usize> {
        f.text(field)
            .map(|v| {
                v.parse::<usize>()
                    .map_err(|_| ApiError::invalid(format!("去掉的分数个数“{v}”应是 0–10 的整数")))
            })
            .transpose()
            .map(|n| n.unwrap_or(1))
    };
    let held_on = f
        .text("held_on")
        .ok_or_else(|| ApiError::invalid("请填写观摩日期"))?;
    let held_on: NaiveDate = held_on
        .parse()
        .map_err(|_| ApiError::invalid(format!("观摩日期“{held_on}”不是日期")))?;
    let items: Vec<String> = f
        .text("items")
        .unwrap_or_default()
        .split([',', '，', '、', '\n', ' ', '\t'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let request = TourRequest {
        name: f.text("name").unwrap_or_default(),
        held_on,
        items,
        judges: f
            .list("judges")
            .into_iter()
            .filter(|j| !j.is_empty())
            .collect(),
        criteria: criteria_from(&f.text("criteria").unwrap_or_default())?,
        drop_highest: count("drop_highest")?,
        drop_lowest: count("drop_lowest")?,
    };
    let id = new_tour(&s, &c, request).await?;
    Ok(([("hx-redirect", format!("/tours/{id}"))], "已设置观摩评比").into_response())
}

async fn tour_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(id): Path<i64>,
) -> PageResult {
    let v = tours::view(&s.store, &c.account, id).await?;
    let t = &v.tour;
    let criteria = t.sheet_criteria();
    let mine: BTreeMap<&str, &ScoreSheet> = v
        .my_sheets
        .iter()
        .map(|s| (s.project.as_str(), s))
        .collect();
    let projects: Vec<Value> = t
        .items
        .iter()
        .map(|i| {
            let sheet = mine.get(i.code.as_str());
            let fields: Vec<Value> = criteria
                .iter()
                .map(|cr| {
                    let value = sheet.and_then(|s| {
                        s.scores
                            .get(&cr.name)
                            .copied()
                            .or(if cr.name == "总分" { s.total } else { None })
                    });
                    context! { name => cr.name.clone(), max => cr.max.normalize().to_string(),
                    value => value.map(|v| v.normalize().to_string()).unwrap_or_default() }
                })
                .collect();
            context! { code => i.code.clone(), name => i.name.clone(), unit => i.unit.clone(), fields,
            scored => sheet.is_some(), total => sheet.map(|s| s.total().normalize().to_string()) }
        })
        .collect();
    let result = v.result.as_ref().map(|r| tours::result_json(t, r));
    let sheets_in = if c.account.is_admin() {
        Some(s.store.score_sheets(id).await?.len())
    } else {
        None
    };
    let ctx = page(&c, &t.name, "tours", false);
    render(
        &s,
        "tour.html",
        context! { tour => context! { id => t.id, name => t.name.clone(), held_on => t.held_on.to_string(),
            state => t.state.clone(), state_label => state_label(&t.state), judges => t.judges.clone(),
            criteria => criteria.iter().map(|c| format!("{}（{} 分）", c.name, c.max.normalize())).collect::<Vec<_>>(),
            drop_highest => t.trim.highest, drop_lowest => t.trim.lowest },
        projects, may_score => v.may_score, result => result.map(ser), sheets_in,
        expected => t.judges.len() * t.items.len(), ..ctx },
    )
}

async fn score_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path((id, code)): Path<(i64, String)>,
    f: FormData,
) -> PageResult<Response> {
    let t = s.store.tour(id).await?;
    let mut scores = BTreeMap::new();
    let mut total = None;
    for cr in t.sheet_criteria() {
        let Some(v) = f.text(&format!("score:{}", cr.name)) else {
            return Err(ApiError::invalid(format!("请填写“{}”的得分", cr.name)).into());
        };
        let n: Decimal = v.parse().map_err(|_| {
            ApiError::invalid(format!(
                "“{}”的得分“{v}”不是数（0–{}）",
                cr.name,
                cr.max.normalize()
            ))
        })?;
        if t.criteria.is_empty() {
            total = Some(n);
        } else {
            scores.insert(cr.name.clone(), n);
        }
    }
    let sheet = ScoreSheet {
        judge: c.account.username.clone(),
        project: code.clone(),
        scores,
        total,
    };
    tours::score(
        &s.store,
        &c.account,
        &c.actor(),
        id,
        std::slice::from_ref(&sheet),
    )
    .await?;
    Ok(format!(
        "已保存：{} 合计 {} 分（评分结束前可修改）",
        code,
        sheet.total().normalize()
    )
    .into_response())
}

async fn close_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    tours::close(&s.store, &c.account, &c.actor(), id).await?;
    Ok(([("hx-redirect", format!("/tours/{id}"))], "已结束评分").into_response())
}

async fn publish_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    tours::publish(&s.store, &c.account, &c.actor(), id).await?;
    Ok(([("hx-redirect", format!("/tours/{id}"))], "已公布结果").into_response())
}
