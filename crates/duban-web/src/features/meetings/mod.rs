//! 会议议定事项 — a speech, pasted or uploaded (.txt, .docx), read into its directives with
//! their actors matched to the unit directory; the office reviews the table (edits the text,
//! the units and the deadline, drops or merges rows) and confirms the rows it picks as tracked
//! items of kind 重点工作, the meeting as their source. The API and the services shared with
//! the pages ([`pages`]); what a speech was read into, as the API answers it, in
//! [`directives`]. Only the office (督查室) uses either.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use duban_app::meetings::Proposal;
use duban_store::{Confirmed, MeetingItem, MeetingSummary, MeetingTask, MeetingTasks};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod directives;
mod pages;

pub use directives::ProposalView;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::schema::Date;
use crate::{AppState, today};

/// The largest speech accepted, pasted or uploaded (a .docx may carry pictures).
const SPEECH_LIMIT: usize = 16 * 1024 * 1024;

/// The longest speech text read (a long work report is 30,000 characters): extraction is
/// linear, so this bounds the time one request can keep a core busy — also after its client
/// has gone — to about a second.
const SPEECH_CHARS: usize = 1_000_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(pages::meetings_page))
        .route(
            "/meetings/extract",
            post(pages::extract_page).layer(DefaultBodyLimit::max(SPEECH_LIMIT)),
        )
        .route("/meetings/confirm", post(pages::confirm_page))
        .route("/meetings/list", get(pages::list_page))
        .route("/meetings/list.xlsx", get(pages::export_list))
        .route("/api/meetings", get(meetings))
        .route("/api/meetings/items", get(meeting_items))
        .route(
            "/api/meetings/extract",
            post(extract).layer(DefaultBodyLimit::max(SPEECH_LIMIT)),
        )
        .route("/api/meetings/confirm", post(confirm))
}

/// 识别议定事项：讲话稿全文
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExtractRequest {
    /// 讲话稿全文（纯文本）
    pub text: String,
    /// 会议年度：时限按此年份换算为日期（默认取讲话稿开头写明的年份，否则为今年）
    #[serde(default)]
    pub year: Option<i32>,
    /// 会议名称（默认取讲话稿首行）
    #[serde(default)]
    pub meeting: Option<String>,
}

/// A speech read: its meeting, year and directives, actors matched to the directory.
struct Reading {
    meeting: String,
    year: i32,
    proposals: Vec<Proposal>,
    /// The speeches of the text (several when a file holds more than one).
    speeches: Vec<duban_extract::Speech>,
    /// Sentences that ask something yet produced no directive.
    unclaimed: Vec<duban_extract::Unclaimed>,
}

/// Most unclaimed requests shown under a reading.
const MAX_UNCLAIMED: usize = 300;

fn year_of(text: &str) -> ApiResult<i32> {
    text.trim()
        .parse()
        .ok()
        .filter(|y| duban_core::date::YEARS.contains(y))
        .ok_or_else(|| ApiError::invalid(format!("会议年度：“{text}”应为四位年份，如 2025")))
}

/// Reads a speech: the year is `year`, else the one its first lines name, else this year; the
/// meeting is `meeting`, else the speech's first line.
async fn read_speech(
    s: &AppState,
    text: String,
    year: Option<i32>,
    meeting: Option<String>,
) -> ApiResult<Reading> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid(
            "请粘贴讲话稿全文，或上传讲话稿文件（.txt 或 .docx）",
        ));
    }
    let chars = text.chars().count();
    if chars > SPEECH_CHARS {
        return Err(ApiError::invalid(format!(
            "讲话稿共 {chars} 字，超过一次提取的上限 {SPEECH_CHARS} 字；请按篇分开提取"
        )));
    }
    let given = year.map(|y| year_of(&y.to_string())).transpose()?;
    let year = given
        .or_else(|| duban_extract::meeting_year(&text))
        .unwrap_or_else(|| today().year());
    let meeting = meeting
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .or_else(|| duban_extract::meeting_title(&text))
        .unwrap_or_default();
    // Each speech of the text in its own year, unless the office gave one; actors by the
    // deployment's lexicon and the unit directory.
    let lexicon = duban_app::meetings::lexicon(&s.store.unit_directory().await?)?;
    let (directives, speeches, unclaimed) = tokio::task::spawn_blocking(move || {
        let directives = duban_extract::extract_speeches(&text, given, year, &lexicon);
        let unclaimed = duban_extract::unclaimed(&text, &directives, MAX_UNCLAIMED);
        (directives, duban_extract::speeches(&text), unclaimed)
    })
    .await
    .map_err(ApiError::internal)?;
    let proposals = duban_app::meetings::propose(&s.store, directives).await?;
    Ok(Reading {
        meeting,
        year,
        proposals,
        speeches,
        unclaimed,
    })
}

/// Writes the tasks (all or none) as the signed-in account; the status cache is renewed.
async fn confirm_tasks(s: &AppState, c: &Caller, tasks: MeetingTasks) -> ApiResult<Confirmed> {
    c.require_admin()?;
    let actor = c.actor();
    let done = crate::detached(s.store.clone(), move |store| async move {
        duban_app::meetings::confirm(&store, tasks, &actor).await
    })
    .await?;
    Ok(done)
}

#[utoipa::path(post, path = "/api/meetings/extract", tag = "会议议定事项", request_body = ExtractRequest,
    responses((status = 200, description = "识别结果（督查室）：{meeting, year, directives}。每条议定事项含行号、原文与字符位置（text, start, end）、\
        清理后的文本（plain）、责任主体（actors）及其与单位名录的匹配（matched：name, kind, role 牵头 lead/配合 co/责任 owner, units；units 为空即未匹配）、\
        时限（deadline_text 原文，deadline 日期）、频次（cadence）、量化目标（target）、层级（tier：A 点名到单位，B 泛指）和置信度（confidence）。不写入任何数据", body = ExtractAnswer),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub(crate) async fn extract(
    State(s): State<AppState>,
    c: Caller,
    body: Bytes,
) -> ApiResult<Json<ExtractAnswer>> {
    // The role is checked before a large body is parsed.
    c.require_admin()?;
    let r: ExtractRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::invalid(format!(
            "请求内容应为 JSON {{\"text\": \"讲话稿全文\"}}：{e}"
        ))
    })?;
    let read = read_speech(&s, r.text, r.year, r.meeting).await?;
    Ok(Json(ExtractAnswer {
        meeting: read.meeting,
        year: read.year,
        directives: read.proposals.into_iter().map(Into::into).collect(),
        speeches: read
            .speeches
            .into_iter()
            .map(|s| SpeechView {
                title: s.title,
                year: s.year,
                from: s.from,
                to: s.to,
            })
            .collect(),
        unclaimed: read
            .unclaimed
            .into_iter()
            .map(|u| UnclaimedView {
                line: u.line,
                start: u.start,
                end: u.end,
                text: u.text,
            })
            .collect(),
    }))
}

/// 会议议定事项（确认）— the tasks of one meeting as reviewed (有错则一项不写，“第 N 条”即 tasks 的第 N 项).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = MeetingTasks)]
pub struct MeetingTasksRequest {
    /// 会议名称 — the source of every item.
    pub meeting: String,
    pub year: i32,
    pub tasks: Vec<MeetingTaskRequest>,
}

/// 议定事项 — one task as reviewed.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = MeetingTask)]
pub struct MeetingTaskRequest {
    /// 工作内容 — the directive's text as reviewed.
    pub text: String,
    /// 事项名称 — a short name; the text's first clause when empty.
    #[serde(default)]
    pub name: Option<String>,
    /// 牵头/责任单位 — one item is written per lead unit (各县区 → every region).
    pub lead_units: Vec<String>,
    /// 配合单位
    #[serde(default)]
    pub co_units: Vec<String>,
    /// 完成时限 (a date)
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
    /// The time node as written when there is no date (×月×日前).
    #[serde(default)]
    pub deadline_text: Option<String>,
}

impl From<MeetingTasksRequest> for MeetingTasks {
    fn from(r: MeetingTasksRequest) -> MeetingTasks {
        MeetingTasks {
            meeting: r.meeting,
            year: r.year,
            tasks: r
                .tasks
                .into_iter()
                .map(|t| MeetingTask {
                    text: t.text,
                    name: t.name,
                    lead_units: t.lead_units,
                    co_units: t.co_units,
                    deadline: t.deadline,
                    deadline_text: t.deadline_text,
                })
                .collect(),
        }
    }
}

#[utoipa::path(post, path = "/api/meetings/confirm", tag = "会议议定事项", request_body = MeetingTasksRequest,
    responses((status = 200, description = "已生成（督查室）：{created 新增, updated 更新, codes 本次会议的全部重点工作编号}。\
        每个牵头单位一项重点工作，配合单位、完成时限随之，会议名称记为来源；同一事项再次确认时更新而不重复生成", body = ConfirmedView),
              (status = 403, body = ApiError),
              (status = 422, description = "有错则一项不写：如“第 2 条：单位“…”不在单位名录中”", body = ApiError)))]
pub(crate) async fn confirm(
    State(s): State<AppState>,
    c: Caller,
    Json(r): Json<MeetingTasksRequest>,
) -> ApiResult<Json<ConfirmedView>> {
    Ok(Json(confirm_tasks(&s, &c, r.into()).await?.into()))
}

/// Which meeting's list: its name and year.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct WhichMeeting {
    /// 会议名称（生成事项时填写的）
    pub meeting: String,
    /// 会议年度
    pub year: Option<i32>,
}

/// The items of one meeting, as of today.
async fn items_of(s: &AppState, w: &WhichMeeting) -> ApiResult<Vec<duban_store::MeetingItem>> {
    let items: Vec<_> = s
        .store
        .meeting_items(today())
        .await?
        .into_iter()
        .filter(|i| i.meeting == w.meeting && w.year.is_none_or(|y| y == i.year))
        .collect();
    if items.is_empty() {
        return Err(ApiError::not_found(format!(
            "没有由会议“{}”生成的重点工作",
            w.meeting
        )));
    }
    Ok(items)
}

#[utoipa::path(get, path = "/api/meetings", tag = "会议议定事项",
    responses((status = 200, description = "已分解的会议（督查室）：[{meeting, year, items 事项数, done 已完成, overdue 逾期未完成}]，完成以事项的“完成”节点为准", body = Vec<MeetingSummaryView>),
              (status = 403, body = ApiError)))]
pub(crate) async fn meetings(
    State(s): State<AppState>,
    c: Caller,
) -> ApiResult<Json<Vec<MeetingSummaryView>>> {
    c.require_admin()?;
    let meetings = s.store.meetings(today()).await?;
    Ok(Json(meetings.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/meetings/items", tag = "会议议定事项", params(WhichMeeting),
    responses((status = 200, description = "一次会议的督办清单（督查室）：[{meeting, year, code, name, lead_unit, co_units, deadline, deadline_text, done 完成日期, overdue 逾期}]", body = Vec<MeetingItemView>),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub(crate) async fn meeting_items(
    State(s): State<AppState>,
    c: Caller,
    Query(w): Query<WhichMeeting>,
) -> ApiResult<Json<Vec<MeetingItemView>>> {
    c.require_admin()?;
    let items = items_of(&s, &w).await?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

// ---- what the API answers ----

/// 识别结果 — the meeting, its year and the directives found, each with its actors matched to
/// the directory. Nothing is written.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtractAnswer {
    pub meeting: String,
    pub year: i32,
    pub directives: Vec<ProposalView>,
    /// 讲话篇目：一个文件含多篇讲话时逐篇列出（标题、年度、起止行）
    pub speeches: Vec<SpeechView>,
    /// 含“要”“必须”“负责”等要求却未识别为议定事项的语句（最多 300 条），供核对补录
    pub unclaimed: Vec<UnclaimedView>,
}

/// 一篇讲话
#[derive(Debug, Serialize, ToSchema)]
pub struct SpeechView {
    pub title: Option<String>,
    pub year: Option<i32>,
    /// 起始行（含）
    pub from: usize,
    /// 结束行（不含）
    pub to: usize,
}

/// 未识别为议定事项的要求性语句
#[derive(Debug, Serialize, ToSchema)]
pub struct UnclaimedView {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// 已生成 — items created and updated, and every item of the meeting by code.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Confirmed)]
pub struct ConfirmedView {
    pub created: usize,
    pub updated: usize,
    pub codes: Vec<String>,
}

impl From<Confirmed> for ConfirmedView {
    fn from(c: Confirmed) -> Self {
        let Confirmed {
            created,
            updated,
            codes,
        } = c;
        ConfirmedView {
            created,
            updated,
            codes,
        }
    }
}

/// 会议 — a meeting whose tasks were confirmed: items, done, overdue.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MeetingSummary)]
pub struct MeetingSummaryView {
    pub meeting: String,
    pub year: i32,
    pub items: usize,
    pub done: usize,
    pub overdue: usize,
}

impl From<MeetingSummary> for MeetingSummaryView {
    fn from(m: MeetingSummary) -> Self {
        let MeetingSummary {
            meeting,
            year,
            items,
            done,
            overdue,
        } = m;
        MeetingSummaryView {
            meeting,
            year,
            items,
            done,
            overdue,
        }
    }
}

/// 督办清单 — one item made from a meeting: its deadline (a date, or the time node as
/// written), when its 完成 milestone was done, whether it is overdue.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MeetingItem)]
pub struct MeetingItemView {
    pub meeting: String,
    pub year: i32,
    pub code: String,
    pub name: String,
    pub lead_unit: String,
    pub co_units: Vec<String>,
    #[schema(value_type = Option<Date>)]
    pub deadline: Option<NaiveDate>,
    pub deadline_text: Option<String>,
    #[schema(value_type = Option<Date>)]
    pub done: Option<NaiveDate>,
    pub overdue: bool,
}

impl From<MeetingItem> for MeetingItemView {
    fn from(i: MeetingItem) -> Self {
        let MeetingItem {
            meeting,
            year,
            code,
            name,
            lead_unit,
            co_units,
            deadline,
            deadline_text,
            done,
            overdue,
        } = i;
        MeetingItemView {
            meeting,
            year,
            code,
            name,
            lead_unit,
            co_units,
            deadline,
            deadline_text,
            done,
            overdue,
        }
    }
}
