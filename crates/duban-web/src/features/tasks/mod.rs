//! 督办事项 — tasks the office hands down (交办) besides the ledger's items: a leader's
//! instruction, a meeting's decision, an audit finding, a letter. The lead unit signs for it
//! (签收), it and its co units feed back (反馈), the lead unit asks to close it (申请办结) with
//! its report and evidence; the office closes it (办结), sends it back (退回) or withdraws it
//! (撤销). Who sees a task and who may make which move are duban-app's and the core's rules;
//! the pages offer each visitor exactly the moves those rules allow. The API here; the pages,
//! the form and the attachments in [`pages`].

mod pages;

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_app::tasks::{TaskInput, TaskView};
use duban_core::task::{Deadline, FeedbackCadence, Lateness, TaskMove, TaskSource, TaskState};
use duban_core::{Account, WorkCalendar};
use duban_store::{Attachment, TaskEvent, TaskFilter, TaskRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::schema::{
    Date, FeedbackCadenceCode, LatenessCode, LeaderView, TaskActionCode, TaskSourceCode,
    TaskStateCode, Timestamp,
};
use crate::select::paginate;
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .route("/api/tasks", get(tasks).post(hand_down))
        .route("/api/tasks/{id}", get(task))
        .route("/api/tasks/{id}/moves", post(move_task))
}

// ---- what the API answers ----

/// 办理期限 as the office wrote it: a date, or N working days from the hand-down.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Deadline)]
pub struct DeadlineView {
    /// date（限期）| working_days（N 个工作日内）
    pub kind: String,
    /// kind = date: 期限
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Date>)]
    pub date: Option<NaiveDate>,
    /// kind = working_days: 工作日数
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

impl From<Deadline> for DeadlineView {
    fn from(d: Deadline) -> Self {
        match d {
            Deadline::Date { date } => DeadlineView {
                kind: "date".into(),
                date: Some(date),
                days: None,
            },
            Deadline::WorkingDays { days } => DeadlineView {
                kind: "working_days".into(),
                date: None,
                days: Some(days),
            },
        }
    }
}

/// 督办事项 — a task with its dates and how it is late on the day asked.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Task)]
pub struct TaskItem {
    pub id: i64,
    /// 督办编号
    pub number: String,
    pub year: i32,
    /// 事项名称
    pub title: String,
    /// 交办内容
    pub content: String,
    #[schema(value_type = TaskSourceCode)]
    pub source: TaskSource,
    /// 来源文件（批示件、纪要、审计报告的文号）
    pub source_ref: Option<String>,
    /// 关联项目编号
    pub item_code: Option<String>,
    /// 牵头单位
    pub lead_unit: String,
    /// 配合单位
    pub co_units: Vec<String>,
    /// 包抓领导
    pub leader: Option<LeaderView>,
    /// 办理期限（交办时的写法）
    pub deadline: DeadlineView,
    /// 办理期限（日期）
    #[schema(value_type = Date)]
    pub due: NaiveDate,
    /// 签收时限（工作日）
    pub sign_within: u32,
    #[schema(value_type = FeedbackCadenceCode)]
    pub cadence: FeedbackCadence,
    #[schema(value_type = TaskStateCode)]
    pub state: TaskState,
    /// 交办日期
    #[schema(value_type = Date)]
    pub assigned_on: NaiveDate,
    pub assigned_by: String,
    /// 签收日期
    #[schema(value_type = Option<Date>)]
    pub signed_on: Option<NaiveDate>,
    /// 最近反馈日期
    #[schema(value_type = Option<Date>)]
    pub last_feedback: Option<NaiveDate>,
    /// 申请办结日期
    #[schema(value_type = Option<Date>)]
    pub requested_on: Option<NaiveDate>,
    /// 办结日期
    #[schema(value_type = Option<Date>)]
    pub closed_on: Option<NaiveDate>,
    /// 签收截止
    #[schema(value_type = Date)]
    pub sign_due: NaiveDate,
    /// 下次反馈截止（办理中、按频次反馈时）
    #[schema(value_type = Option<Date>)]
    pub feedback_due: Option<NaiveDate>,
    /// 逾期情况，最严重的在前；空：未逾期
    #[schema(value_type = Vec<LatenessCode>)]
    pub lateness: Vec<Lateness>,
    /// 灯：red 逾期，green 正常，grey 已办结或已撤销
    pub lamp: String,
}

impl From<TaskView> for TaskItem {
    fn from(v: TaskView) -> Self {
        let lamp = v.lamp().to_string();
        let TaskView {
            task,
            sign_due,
            feedback_due,
            lateness,
        } = v;
        let TaskRecord {
            id,
            number,
            year,
            title,
            content,
            source,
            source_ref,
            item_code,
            lead_unit,
            co_units,
            leader,
            deadline,
            due,
            sign_within,
            cadence,
            state,
            assigned_on,
            assigned_by,
            signed_on,
            last_feedback,
            requested_on,
            closed_on,
        } = task;
        TaskItem {
            id,
            number,
            year,
            title,
            content,
            source,
            source_ref,
            item_code,
            lead_unit,
            co_units,
            leader: leader.map(Into::into),
            deadline: deadline.into(),
            due,
            sign_within,
            cadence,
            state,
            assigned_on,
            assigned_by,
            signed_on,
            last_feedback,
            requested_on,
            closed_on,
            sign_due,
            feedback_due,
            lateness,
            lamp,
        }
    }
}

/// 附件 of a task: its source document or a move's evidence.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TaskAttachment)]
pub struct AttachmentView {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    /// 字节
    pub size: i64,
    /// 照片（有缩略图）
    pub has_thumbnail: bool,
    pub uploaded_by: String,
    #[schema(value_type = Timestamp)]
    pub uploaded_at: String,
    /// 下载地址
    pub url: String,
    /// 缩略图地址（照片）
    pub thumbnail_url: Option<String>,
}

impl AttachmentView {
    fn of(task: i64, a: Attachment) -> AttachmentView {
        let url = format!("/tasks/{task}/attachments/{}", a.id);
        AttachmentView {
            thumbnail_url: a.has_thumbnail.0.then(|| format!("{url}/thumb")),
            url,
            id: a.id,
            file_name: a.file_name,
            media_type: a.media_type,
            size: a.size,
            has_thumbnail: a.has_thumbnail.0,
            uploaded_by: a.uploaded_by,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// 办理记录 — one move of a task.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TaskEvent)]
pub struct TaskEventView {
    pub id: i64,
    #[schema(value_type = TaskActionCode)]
    pub action: String,
    /// 交办、签收、反馈、申请办结、办结、退回、撤销
    pub label: String,
    #[schema(value_type = Option<TaskStateCode>)]
    pub from_state: Option<String>,
    #[schema(value_type = TaskStateCode)]
    pub to_state: String,
    pub actor: String,
    /// 办理单位（督查室的操作为空）
    pub unit: Option<String>,
    /// 反馈内容、办结报告或理由
    pub note: Option<String>,
    #[schema(value_type = Date)]
    pub on_day: String,
    #[schema(value_type = Timestamp)]
    pub at: String,
    /// 随附材料
    pub files: Vec<AttachmentView>,
}

/// 督办事项 with its record: every move, oldest first, and the source documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: TaskItem,
    /// 办理记录（最早的在前）
    pub events: Vec<TaskEventView>,
    /// 来源文件（批示件等）
    pub source_files: Vec<AttachmentView>,
}

/// 分页的督办事项（最新交办的在前）
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskItem>,
    pub total: usize,
    /// 其中逾期的
    pub overdue: usize,
    pub page: usize,
    pub per_page: usize,
}

// ---- what the API takes ----

/// 督办事项筛选
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct TaskQuery {
    /// 办理状态: assigned|in_progress|close_requested|closed|withdrawn, or its label
    pub state: Option<String>,
    /// 交办来源: meeting|instruction|audit|letter|other, or its label
    pub source: Option<String>,
    /// 单位（牵头或配合）
    pub unit: Option<String>,
    /// 关键词（编号、名称、内容）
    pub q: Option<String>,
    /// 只看逾期
    pub overdue: Option<String>,
    /// 年度
    pub year: Option<String>,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
}

/// A query value, trimmed; `None` when blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl TaskQuery {
    fn filter(&self) -> ApiResult<TaskFilter> {
        let blank = given;
        Ok(TaskFilter {
            state: blank(&self.state)
                .map(|v| TaskState::parse(v).map_err(|e| ApiError::invalid(e.to_string())))
                .transpose()?,
            source: blank(&self.source)
                .map(|v| TaskSource::parse(v).map_err(|e| ApiError::invalid(e.to_string())))
                .transpose()?,
            unit: blank(&self.unit).map(str::to_string),
            q: blank(&self.q).map(str::to_string),
            year: blank(&self.year)
                .map(|v| {
                    v.parse::<i32>()
                        .map_err(|_| ApiError::invalid(format!("年度：“{v}”不是年份")))
                })
                .transpose()?,
            ..TaskFilter::default()
        })
    }

    fn overdue_only(&self) -> bool {
        matches!(
            self.overdue.as_deref().map(str::trim),
            Some("true" | "1" | "on" | "yes")
        )
    }
}

/// 交办
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskRequest {
    /// 督办编号 — 不填则按年度自动编号（督办〔2026〕N号）
    pub number: Option<String>,
    /// 事项名称
    pub title: String,
    /// 交办内容
    pub content: String,
    /// 交办来源（代码或名称）
    #[schema(value_type = TaskSourceCode)]
    pub source: String,
    /// 来源文件（批示件、纪要的文号）
    pub source_ref: Option<String>,
    /// 关联项目编号
    pub item_code: Option<String>,
    /// 牵头单位
    pub lead_unit: String,
    /// 配合单位
    #[serde(default)]
    pub co_units: Vec<String>,
    /// 包抓领导（姓名，或“姓名 职务”）
    pub leader: Option<String>,
    /// 办理期限：日期（2026-12-31）或工作日数（10个工作日）
    pub deadline: String,
    /// 签收时限（工作日，默认 1）
    pub sign_within: Option<u32>,
    /// 反馈频次（代码或名称，默认 once 办结时反馈）
    #[schema(value_type = Option<FeedbackCadenceCode>)]
    pub cadence: Option<String>,
}

/// 流转 — what to do, and what is written with it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskMoveRequest {
    /// sign|feedback|request_close|close|send_back|withdraw
    #[schema(value_type = TaskActionCode)]
    pub action: String,
    /// feedback: 反馈内容
    pub note: Option<String>,
    /// request_close: 办结报告
    pub report: Option<String>,
    /// send_back, withdraw: 理由
    pub reason: Option<String>,
}

impl TaskMoveRequest {
    /// The move, its text taken from the field its action names (or `note`).
    pub fn into_move(self) -> ApiResult<TaskMove> {
        let text = |v: Option<String>, note: Option<String>| v.or(note).unwrap_or_default();
        Ok(match self.action.trim() {
            "sign" | "签收" => TaskMove::Sign,
            "feedback" | "反馈" => TaskMove::Feedback {
                note: self.note.unwrap_or_default(),
            },
            "request_close" | "request-close" | "申请办结" => TaskMove::RequestClose {
                report: text(self.report, self.note),
            },
            "close" | "办结" => TaskMove::Close,
            "send_back" | "send-back" | "退回" => TaskMove::SendBack {
                reason: text(self.reason, self.note),
            },
            "withdraw" | "撤销" => TaskMove::Withdraw {
                reason: text(self.reason, self.note),
            },
            other => {
                return Err(ApiError::invalid(format!(
                    "无法识别的操作“{other}”（可选：sign 签收、feedback 反馈、request_close 申请办结、close 办结、send_back 退回、withdraw 撤销）"
                )));
            }
        })
    }
}

// ---- shared by the API and the pages ----

/// The tasks `caller` may see that `q` selects, with their dates, as of `today`: and the
/// working-day calendar they were judged by.
pub(crate) async fn listed(
    s: &AppState,
    caller: &Caller,
    q: &TaskQuery,
) -> ApiResult<(Vec<TaskView>, WorkCalendar)> {
    let filter = q.filter()?;
    let unit_asked = filter.unit.is_some();
    let tasks = duban_app::tasks::list(&s.store, &caller.account, filter)
        .await
        .map_err(|e| match ApiError::from(e) {
            // A unit to filter by that the directory does not know is a wrong filter.
            e if unit_asked && e.status() == axum::http::StatusCode::NOT_FOUND => {
                ApiError::invalid(format!("单位：{}", e.detail))
            }
            e => e,
        })?;
    let calendar = s.store.work_calendar().await?;
    let as_of = today();
    let overdue = q.overdue_only();
    let views = tasks
        .into_iter()
        .map(|t| TaskView::new(t, &calendar, as_of))
        .filter(|v| !overdue || !v.lateness.is_empty())
        .collect();
    Ok((views, calendar))
}

/// Task `id` if `caller` may see it, with its dates.
pub(crate) async fn visible(s: &AppState, caller: &Caller, id: i64) -> ApiResult<TaskView> {
    let task = duban_app::tasks::visible_task(&s.store, &caller.account, id).await?;
    let calendar = s.store.work_calendar().await?;
    Ok(TaskView::new(task, &calendar, today()))
}

/// A task's moves, oldest first, and its attachments.
pub(crate) struct Record {
    pub events: Vec<TaskEvent>,
    /// The task's own: its source documents (批示件).
    pub source: Vec<Attachment>,
    /// Each event's evidence, by the event's id.
    pub by_event: HashMap<i64, Vec<Attachment>>,
}

pub(crate) async fn record_of(s: &AppState, id: i64) -> ApiResult<Record> {
    let events = s.store.task_events(id).await?;
    let mut source = Vec::new();
    let mut by_event: HashMap<i64, Vec<Attachment>> = HashMap::new();
    for a in s.store.task_attachments(id).await? {
        if a.owner.0 == duban_store::EvidenceOf::Task {
            source.push(a);
        } else {
            by_event.entry(a.owner_id).or_default().push(a);
        }
    }
    Ok(Record {
        events,
        source,
        by_event,
    })
}

/// The moves `account` may make on `task` now, by the core's rules (any text will do to ask).
pub(crate) fn moves_for(account: &Account, task: &TaskRecord) -> Vec<TaskMove> {
    let Some(role) = account.problem_role() else {
        return Vec::new();
    };
    let text = || "—".to_string();
    [
        TaskMove::Sign,
        TaskMove::Feedback { note: text() },
        TaskMove::RequestClose { report: text() },
        TaskMove::Close,
        TaskMove::SendBack { reason: text() },
        TaskMove::Withdraw { reason: text() },
    ]
    .into_iter()
    .filter(|m| {
        duban_core::task::apply(task.state, &task.lead_unit, &task.co_units, &role, m).is_ok()
    })
    .collect()
}

/// Makes `mv` on task `id` as `caller`, with its evidence: the task as it now is.
pub(crate) async fn make_move(
    s: &AppState,
    caller: &Caller,
    id: i64,
    mv: TaskMove,
    evidence: Vec<duban_store::NewAttachment>,
) -> ApiResult<TaskView> {
    let task = duban_app::tasks::move_task(
        &s.store,
        &caller.account,
        &caller.actor(),
        id,
        mv,
        today(),
        evidence,
    )
    .await?;
    let calendar = s.store.work_calendar().await?;
    Ok(TaskView::new(task, &calendar, today()))
}

/// Reads a deadline: a date, or a number of working days.
pub(crate) fn deadline(text: &str) -> ApiResult<Deadline> {
    Deadline::parse(text).map_err(|e| ApiError::invalid(format!("办理期限：{e}")))
}

async fn detail(s: &AppState, v: TaskView) -> ApiResult<TaskDetail> {
    let id = v.task.id;
    let Record {
        events,
        source,
        mut by_event,
    } = record_of(s, id).await?;
    let events = events
        .into_iter()
        .map(|e| {
            let files = by_event.remove(&e.id).unwrap_or_default();
            TaskEventView {
                label: e.label().to_string(),
                id: e.id,
                action: e.action,
                from_state: e.from_state,
                to_state: e.to_state,
                actor: e.actor,
                unit: e.unit,
                note: e.note,
                on_day: e.on_day,
                at: e.at,
                files: files
                    .into_iter()
                    .map(|a| AttachmentView::of(id, a))
                    .collect(),
            }
        })
        .collect();
    Ok(TaskDetail {
        task: v.into(),
        events,
        source_files: source
            .into_iter()
            .map(|a| AttachmentView::of(id, a))
            .collect(),
    })
}

// ---- the API ----

#[utoipa::path(get, path = "/api/tasks", tag = "督办事项", params(TaskQuery),
    responses((status = 200, description = "调用者可见的督办事项（最新交办的在前），带签收、反馈截止和逾期情况", body = TaskPage)))]
async fn tasks(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Json<TaskPage>> {
    let (views, _) = listed(&s, &caller, &q).await?;
    let overdue = views.iter().filter(|v| !v.lateness.is_empty()).count();
    let page = paginate(views, q.page, q.per_page);
    Ok(Json(TaskPage {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        overdue,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[utoipa::path(post, path = "/api/tasks", tag = "督办事项", request_body = TaskRequest,
    responses((status = 200, description = "已交办：牵头单位和配合单位收到消息", body = TaskDetail),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn hand_down(
    State(s): State<AppState>,
    caller: Caller,
    Json(b): Json<TaskRequest>,
) -> ApiResult<Json<TaskDetail>> {
    caller.require_admin()?;
    let input = TaskInput {
        number: b.number,
        title: b.title,
        content: b.content,
        source: TaskSource::parse(&b.source)
            .map_err(|e| ApiError::invalid(format!("交办来源：{e}")))?,
        source_ref: b.source_ref,
        item_code: b.item_code,
        lead_unit: b.lead_unit,
        co_units: b.co_units,
        leader: b.leader.filter(|l| !l.trim().is_empty()),
        deadline: deadline(&b.deadline)?,
        sign_within: b.sign_within,
        cadence: match b
            .cadence
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => FeedbackCadence::parse(c)
                .map_err(|e| ApiError::invalid(format!("反馈频次：{e}")))?,
            None => FeedbackCadence::Once,
        },
        source_files: Vec::new(),
    };
    let t = duban_app::tasks::hand_down(&s.store, &caller.account, &caller.actor(), input, today())
        .await?;
    let calendar = s.store.work_calendar().await?;
    Ok(Json(
        detail(&s, TaskView::new(t, &calendar, today())).await?,
    ))
}

#[utoipa::path(get, path = "/api/tasks/{id}", tag = "督办事项",
    params(("id" = i64, Path, description = "督办事项编号")),
    responses((status = 200, description = "督办事项、办理记录和附件", body = TaskDetail), (status = 404, body = ApiError)))]
async fn task(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<TaskDetail>> {
    let v = visible(&s, &caller, id).await?;
    Ok(Json(detail(&s, v).await?))
}

#[utoipa::path(post, path = "/api/tasks/{id}/moves", tag = "督办事项", request_body = TaskMoveRequest,
    params(("id" = i64, Path, description = "督办事项编号")),
    responses((status = 200, description = "已办理：事项的新状态和办理记录", body = TaskDetail), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn move_task(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(b): Json<TaskMoveRequest>,
) -> ApiResult<Json<TaskDetail>> {
    // A task the caller may not see is not found, whatever is asked of it.
    visible(&s, &caller, id).await?;
    let mv = b.into_move()?;
    let v = make_move(&s, &caller, id, mv, Vec::new()).await?;
    Ok(Json(detail(&s, v).await?))
}
