//! 通报 — the monthly bulletin: composed from the figures, previewed by the office with its
//! 下步工作要求, issued once (stored as issued, never recomputed) and downloaded in any format —
//! the 通报 page and `/api/bulletins`. Everyone signed in reads issued bulletins; a draft stays
//! in the office.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use duban_core::bulletin::{Block, Bulletin, Part, Table};
use duban_core::{Period, Thresholds};
use duban_store::IssuedBulletin;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rankings::{PeriodQuery, period_of};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::page::{PageResult, Visitor, download, field, message, page, render};
use crate::schema::{self, Date, Timestamp};
use duban_app::bulletin::{BulletinFormat, bulletin_file};
use duban_app::clock::today;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bulletin", get(bulletin_page))
        .route("/bulletin/requirements", post(save_requirements))
        .route("/bulletin/issue", post(issue_page))
        .route("/bulletin/download", get(download_page))
        .route("/api/bulletins", get(bulletins))
        .route("/api/bulletins/{period}", get(bulletin))
        .route("/api/bulletins/{period}/issue", post(issue))
        .route(
            "/api/bulletins/{period}/requirements",
            put(set_requirements),
        )
}

#[utoipa::path(get, path = "/api/bulletins", tag = "排名通报",
    responses((status = 200, description = "已印发的通报（期间、期号、标题、印发时间），新的在前", body = Vec<IssuedListing>)))]
pub(crate) async fn bulletins(
    State(s): State<AppState>,
    _c: Caller,
) -> ApiResult<Json<Vec<IssuedListing>>> {
    let list = s
        .store
        .issued_bulletins()
        .await?
        .into_iter()
        .map(|b| IssuedListing {
            period: b.period,
            number: b.bulletin.number,
            title: b.bulletin.title,
            issued_at: b.issued_at,
            issued_by: b.issued_by,
        })
        .collect();
    Ok(Json(list))
}

/// The bulletin of `period`: as issued, or — for the office only — a draft from the data now.
/// Others are told it is not issued yet (a draft, with its 约谈 names, stays in the office).
/// The draft of a period as the data stand, computed once per data version and day. Light:
/// the store takes the turn itself when it reads the year afresh, and the escalated matters
/// are counted meanwhile.
async fn draft(s: &AppState, period: Period) -> ApiResult<std::sync::Arc<Bulletin>> {
    let today = today();
    s.views
        .light(&s.store, format!("bulletin|{period}|{today}"), || async {
            Ok::<_, ApiError>(
                s.store
                    .draft_bulletin(period, today, &Thresholds::default())
                    .await?,
            )
        })
        .await
}

/// A bulletin issued now: drafted afresh from the data as they stand at this moment.
async fn issue_now(s: &AppState, c: &Caller, period: Period) -> ApiResult<IssuedBulletin> {
    let draft = s
        .store
        .draft_bulletin(period, today(), &Thresholds::default())
        .await?;
    Ok(s.store.issue_bulletin(&c.actor(), period, draft).await?)
}

async fn current(
    s: &AppState,
    c: &Caller,
    period: Period,
) -> ApiResult<(Bulletin, Option<IssuedBulletin>)> {
    match s.store.issued_bulletin(period).await? {
        Some(i) => Ok((i.bulletin.clone(), Some(i))),
        None if c.account.is_admin() => Ok((Bulletin::clone(&*draft(s, period).await?), None)),
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
    responses((status = 200, description = "该期通报：已印发的按印发时的原样；未印发的仅督查室可按当前数据查看草稿。format 选 json、docx、html、md",
               content((BulletinAnswer = "application/json"),
                       (schema::Binary = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                       (String = "text/html"), (String = "text/markdown"))),
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
        let answer = BulletinAnswer {
            issued: issued.map(|i| Issued {
                at: i.issued_at,
                by: i.issued_by,
            }),
            bulletin: b.into(),
        };
        return Ok(Json(answer).into_response());
    }
    file_response(&b, format)
}

#[utoipa::path(post, path = "/api/bulletins/{period}/issue", tag = "排名通报",
    params(("period" = String, Path, description = "期间，如 2025-06")),
    responses((status = 200, description = "已印发（督查室）：按当前数据生成并存档，此后原样输出", body = IssuedBulletinView),
              (status = 403, body = ApiError), (status = 422, description = "已印发过", body = ApiError)))]
pub(crate) async fn issue(
    State(s): State<AppState>,
    c: Caller,
    Path(period): Path<String>,
) -> ApiResult<Json<IssuedBulletinView>> {
    c.require_admin()?;
    let period = period_of(Some(&period))?;
    Ok(Json(issue_now(&s, &c, period).await?.into()))
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

// ---- what the API answers ----

/// 已印发的通报 — one line of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedListing {
    #[schema(value_type = schema::Period)]
    pub period: Period,
    /// 期号 — "第3期"
    pub number: Option<String>,
    pub title: String,
    #[schema(value_type = Timestamp)]
    pub issued_at: String,
    pub issued_by: String,
}

/// 通报 — the bulletin as JSON, and when and by whom it was issued (null: a draft, which only
/// the office sees).
#[derive(Debug, Serialize, ToSchema)]
pub struct BulletinAnswer {
    pub issued: Option<Issued>,
    pub bulletin: BulletinView,
}

/// 印发 — when and by whom.
#[derive(Debug, Serialize, ToSchema)]
pub struct Issued {
    #[schema(value_type = Timestamp)]
    pub at: String,
    pub by: String,
}

/// 通报 — a bulletin as a document: its title, issuer, number, period, date, recipients and
/// parts, and the composite ranks of the regions it publishes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Bulletin)]
pub struct BulletinView {
    pub title: String,
    /// 发文机关
    pub issuer: String,
    /// 期号 — given when issued.
    pub number: Option<String>,
    #[schema(value_type = schema::Period)]
    pub period: Period,
    /// 成文日期
    #[schema(value_type = Date)]
    pub date: NaiveDate,
    /// 主送机关
    pub recipients: String,
    pub parts: Vec<PartView>,
    /// (region, composite rank)
    pub ranks: Vec<(String, Option<usize>)>,
}

impl From<Bulletin> for BulletinView {
    fn from(b: Bulletin) -> Self {
        let Bulletin {
            title,
            issuer,
            number,
            period,
            date,
            recipients,
            parts,
            ranks,
        } = b;
        BulletinView {
            title,
            issuer,
            number,
            period,
            date,
            recipients,
            parts: parts.into_iter().map(Into::into).collect(),
            ranks,
        }
    }
}

/// 一级标题 with what follows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Part)]
pub struct PartView {
    pub heading: String,
    pub blocks: Vec<BlockView>,
}

impl From<Part> for PartView {
    fn from(p: Part) -> Self {
        let Part { heading, blocks } = p;
        PartView {
            heading,
            blocks: blocks.into_iter().map(Into::into).collect(),
        }
    }
}

/// A paragraph, a second-level heading or a table, by `type`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[schema(as = Block)]
pub enum BlockView {
    /// 正文段落
    Paragraph { text: String },
    /// 二级标题
    Heading { text: String },
    /// 表格
    Table(TableView),
}

impl From<Block> for BlockView {
    fn from(b: Block) -> Self {
        match b {
            Block::Paragraph { text } => BlockView::Paragraph { text },
            Block::Heading { text } => BlockView::Heading { text },
            Block::Table(t) => BlockView::Table(t.into()),
        }
    }
}

/// 表格 with its title.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Table)]
pub struct TableView {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl From<Table> for TableView {
    fn from(t: Table) -> Self {
        let Table {
            title,
            header,
            rows,
        } = t;
        TableView {
            title,
            header,
            rows,
        }
    }
}

/// 已印发 — the bulletin as issued (stored, never recomputed), its number in the year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IssuedBulletin)]
pub struct IssuedBulletinView {
    #[schema(value_type = schema::Period)]
    pub period: Period,
    /// 期号 within the year.
    pub number: i64,
    #[schema(value_type = Timestamp)]
    pub issued_at: String,
    pub issued_by: String,
    pub bulletin: BulletinView,
}

impl From<IssuedBulletin> for IssuedBulletinView {
    fn from(i: IssuedBulletin) -> Self {
        let IssuedBulletin {
            period,
            number,
            issued_at,
            issued_by,
            bulletin,
        } = i;
        IssuedBulletinView {
            period,
            number,
            issued_at,
            issued_by,
            bulletin: bulletin.into(),
        }
    }
}

// ---- the pages ----

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
        .map(|i| context! { period => i.period.to_string(), number => i.bulletin.number.clone(), at => i.issued_on(), title => i.bulletin.title })
        .collect();
    let ctx = page(&c, "通报", "bulletin", false);
    render(&s, "bulletin.html", {
        let (b, issued) = match shown {
            Some((b, issued)) => (Some(b), issued),
            None => (None, None),
        };
        context! {
        period => period.to_string(), period_label => period.label(), found => b.is_some(),
        issued => issued.map(|i| context! { at => i.issued_on(), by => i.issued_by, number => i.bulletin.number }),
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
    let done = issue_now(&s, &c, period).await?;
    message(
        &s,
        vec![format!(
            "已印发：{}（{}），印发日期 {}",
            done.bulletin.title,
            done.bulletin.number.clone().unwrap_or_default(),
            done.issued_on()
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
