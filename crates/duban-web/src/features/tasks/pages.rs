//! 督办事项 as pages: the list with its filters, the office's 交办 form (units and leaders from
//! the directory, the source document uploaded with it), a task's page — its dates, its record
//! with each move's evidence, and the moves the visitor may make now — and the task's files,
//! served only to those who may see the task.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duban_app::tasks::{TaskInput, TaskView};
use duban_core::task::{FeedbackCadence, TaskMove, TaskSource, TaskState};
use duban_store::{Attachment, AttachmentBody};
use minijinja::{Value, context};

use super::{
    Record, TaskMoveRequest, TaskQuery, deadline, listed, make_move, moves_for, record_of, visible,
};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::{FormData, prepared, served};
use crate::page::{PageResult, Visitor, encode, page, render, who};
use crate::{AppState, today};

pub fn routes() -> axum::Router<AppState> {
    Router::new()
        .route("/tasks", get(tasks_page))
        .route("/tasks/new", get(new_page).post(save_new))
        .route("/tasks/{id}", get(task_page))
        .route("/tasks/{id}/moves/{action}", post(move_page))
        .route("/tasks/{id}/attachments/{att}", get(attachment))
        .route("/tasks/{id}/attachments/{att}/thumb", get(thumbnail))
}

/// Rows a list page shows.
const PER_PAGE: usize = 50;

/// The lateness of a task in words: "逾期未签收、逾期未反馈".
fn lateness_words(v: &TaskView) -> String {
    v.lateness
        .iter()
        .map(|l| l.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// One row of the list.
fn row(v: &TaskView) -> Value {
    let t = &v.task;
    context! {
        id => t.id, number => &t.number, title => &t.title, lead_unit => &t.lead_unit,
        co_units => t.co_units.join("、"), source => t.source.label(), lamp => v.lamp(),
        due => t.due.to_string(), deadline => t.deadline.describe(), state => t.state.label(),
        state_code => t.state.code(), late => lateness_words(v),
    }
}

/// The query as a URL query string, for the pager.
fn query_string(q: &TaskQuery) -> String {
    [
        ("state", &q.state),
        ("source", &q.source),
        ("unit", &q.unit),
        ("q", &q.q),
        ("overdue", &q.overdue),
        ("year", &q.year),
    ]
    .iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| format!("{k}={}", encode(v)))
    })
    .collect::<Vec<_>>()
    .join("&")
}

/// 督办事项 — the list, the overdue counted; the office's 交办 button.
async fn tasks_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<TaskQuery>,
) -> PageResult {
    let (views, _) = listed(&s, &c, &q).await?;
    let overdue = views.iter().filter(|v| !v.lateness.is_empty()).count();
    let total = views.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_no = q.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<Value> = views
        .iter()
        .skip((page_no - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(row)
        .collect();
    // A unit sees its own tasks: no unit to choose.
    let units = if c.account.unit.is_some() && !c.account.is_admin() {
        Vec::new()
    } else {
        crate::page::unit_names(&s).await?
    };
    let ctx = page(&c, "督办事项", "tasks", false);
    render(
        &s,
        "tasks.html",
        context! {
            rows, total, overdue, page_no, pages, query => query_string(&q),
            q => context! {
                state => q.state.as_deref().unwrap_or(""), source => q.source.as_deref().unwrap_or(""),
                unit => q.unit.as_deref().unwrap_or(""), q => q.q.as_deref().unwrap_or(""),
                overdue => q.overdue_only(),
            },
            states => TaskState::ALL.iter().map(|st| (st.code(), st.label())).collect::<Vec<_>>(),
            sources => TaskSource::ALL.iter().map(|st| (st.code(), st.label())).collect::<Vec<_>>(),
            units, ..ctx
        },
    )
}

/// 交办 — the office's form.
async fn new_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    if !c.account.is_admin() {
        return Err(ApiError::forbidden("只有督查室可以交办事项").into());
    }
    let leaders: Vec<String> = s
        .store
        .leaders()
        .await?
        .iter()
        .map(|l| l.to_string())
        .collect();
    let ctx = page(&c, "交办事项", "tasks", false);
    render(
        &s,
        "task_new.html",
        context! {
            units => crate::page::unit_names(&s).await?, leaders,
            sources => TaskSource::ALL.iter().map(|st| (st.code(), st.label())).collect::<Vec<_>>(),
            cadences => FeedbackCadence::ALL.iter().map(|st| (st.code(), st.label())).collect::<Vec<_>>(),
            default_sign => duban_core::task::DEFAULT_SIGN_WITHIN,
            today => today().to_string(), ..ctx
        },
    )
}

/// The 交办 form sent: the task written, its source document kept; to its page.
async fn save_new(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    f: FormData,
) -> PageResult<Response> {
    if !c.account.is_admin() {
        return Err(ApiError::forbidden("只有督查室可以交办事项").into());
    }
    let source = TaskSource::parse(&f.text("source").unwrap_or_default())
        .map_err(|e| ApiError::invalid(format!("交办来源：{e}")))?;
    let deadline = match (f.text("due_date"), f.text("due_days")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("办理期限：日期和工作日数只填一项").into());
        }
        (Some(d), None) => deadline(&d)?,
        (None, Some(n)) => deadline(&format!("{n}个工作日"))?,
        (None, None) => {
            return Err(ApiError::invalid("办理期限：请选择日期，或填写几个工作日内办结").into());
        }
    };
    let sign_within = f
        .text("sign_within")
        .map(|v| {
            v.parse::<u32>()
                .map_err(|_| ApiError::invalid(format!("签收时限：“{v}”应为工作日数，如 1")))
        })
        .transpose()?;
    let cadence = match f.text("cadence") {
        Some(v) => {
            FeedbackCadence::parse(&v).map_err(|e| ApiError::invalid(format!("反馈频次：{e}")))?
        }
        None => FeedbackCadence::Once,
    };
    let lead_unit = f
        .text("lead_unit")
        .ok_or_else(|| ApiError::invalid("牵头单位：请选择"))?;
    let input = TaskInput {
        number: f.text("number"),
        title: f.text("title").unwrap_or_default(),
        content: f.text("content").unwrap_or_default(),
        source,
        source_ref: f.text("source_ref"),
        item_code: None,
        co_units: f
            .list("co_units")
            .into_iter()
            .filter(|u| !u.is_empty() && *u != lead_unit)
            .collect(),
        lead_unit,
        leader: f.text("leader"),
        deadline,
        sign_within,
        cadence,
        source_files: prepared(&s, f.files).await?,
    };
    let t = duban_app::tasks::hand_down(&s.store, &c.account, &c.actor(), input, today()).await?;
    let said = format!("已交办 {}：{}", t.number, t.title);
    Ok(([("hx-redirect", format!("/tasks/{}", t.id))], said).into_response())
}

/// A file of the task for a template.
fn file(task: i64, a: &Attachment) -> Value {
    context! {
        url => format!("/tasks/{task}/attachments/{}", a.id), name => &a.file_name,
        photo => a.has_thumbnail.0,
    }
}

/// What the task's page shows below its title: the fields, the dates, the record, the moves.
async fn body(s: &AppState, c: &Caller, v: &TaskView, done: Option<String>) -> PageResult<Value> {
    let t = &v.task;
    let Record {
        events,
        source,
        mut by_event,
    } = record_of(s, t.id).await?;
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            let files: Vec<Value> = by_event
                .remove(&e.id)
                .unwrap_or_default()
                .iter()
                .map(|a| file(t.id, a))
                .collect();
            context! {
                id => e.id, action => &e.action, label => e.label(),
                by => e.unit.clone().unwrap_or_else(|| "督查室".into()), actor => who(&e.actor),
                on_day => &e.on_day, at => duban_app::clock::beijing(&e.at), note => &e.note, files,
            }
        })
        .collect();
    let moves: Vec<Value> = moves_for(&c.account, t)
        .iter()
        .map(|m: &TaskMove| context! { code => m.code(), label => m.label() })
        .collect();
    let open = matches!(
        t.state,
        TaskState::Assigned | TaskState::InProgress | TaskState::CloseRequested
    );
    Ok(context! {
        t => context! {
            id => t.id, number => &t.number, title => &t.title, content => &t.content,
            source => t.source.label(), source_ref => &t.source_ref, item_code => &t.item_code,
            lead_unit => &t.lead_unit, co_units => t.co_units.join("、"),
            leader => t.leader.as_ref().map(|l| l.to_string()),
            assigned_on => t.assigned_on.to_string(), assigned_by => who(&t.assigned_by),
            due => t.due.to_string(), deadline => t.deadline.describe(),
            sign_within => t.sign_within, sign_due => v.sign_due.to_string(),
            signed_on => t.signed_on.map(|d| d.to_string()),
            cadence => t.cadence.label(), once => t.cadence == FeedbackCadence::Once,
            feedback_due => v.feedback_due.map(|d| d.to_string()),
            last_feedback => t.last_feedback.map(|d| d.to_string()),
            requested_on => t.requested_on.map(|d| d.to_string()),
            closed_on => t.closed_on.map(|d| d.to_string()),
            state => t.state.label(), state_code => t.state.code(), lamp => v.lamp(),
            late => lateness_words(v), open,
        },
        source_files => source.iter().map(|a| file(t.id, a)).collect::<Vec<_>>(),
        events, moves, done,
        notice => c.account.is_admin() && open,
    })
}

/// A task's page.
async fn task_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(id): Path<i64>,
) -> PageResult {
    let v = visible(&s, &c, id).await?;
    let b = body(&s, &c, &v, None).await?;
    let ctx = page(&c, &v.task.title, "tasks", false);
    render(&s, "task.html", context! { ..b, ..ctx })
}

/// A move from the task's page: the page's body again with what was done said at its top (an
/// error is shown above it, the body untouched).
async fn move_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path((id, action)): Path<(i64, String)>,
    f: FormData,
) -> PageResult {
    // Not found whatever is asked, and not a byte of the evidence kept, for a task the
    // visitor may not see.
    visible(&s, &c, id).await?;
    let mv = TaskMoveRequest {
        action,
        note: f.text("note"),
        report: f.text("report"),
        reason: f.text("reason"),
    }
    .into_move()?;
    let label = mv.label();
    let evidence = prepared(&s, f.files).await?;
    let v = make_move(&s, &c, id, mv, evidence).await?;
    let done = format!(
        "已{label}：{}，现为“{}”",
        v.task.number,
        v.task.state.label()
    );
    let b = body(&s, &c, &v, Some(done)).await?;
    let ctx = page(&c, &v.task.title, "tasks", false);
    render(&s, "task_body.html", context! { ..b, ..ctx })
}

/// The file `att` of task `id`, if `caller` may see the task (else not found, as if it did not
/// exist).
async fn task_file(s: &AppState, caller: &Caller, id: i64, att: i64) -> ApiResult<AttachmentBody> {
    let not_found = || ApiError::not_found(format!("没有编号为 {att} 的附件"));
    visible(s, caller, id).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::NOT_FOUND {
            not_found()
        } else {
            e
        }
    })?;
    match s.store.task_attachment(att).await? {
        Some((task, body)) if task == id => Ok(body),
        _ => Err(not_found()),
    }
}

/// 附件 — a task's file as uploaded.
async fn attachment(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, att)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let body = task_file(&s, &caller, id, att).await?;
    let storage = s.evidence.clone();
    let (media, name) = (body.media_type.clone(), body.file_name.clone());
    let bytes = tokio::task::spawn_blocking(move || duban_app::evidence::read(&body, &storage))
        .await
        .map_err(ApiError::internal)??;
    Ok(served(bytes, &media, &name))
}

/// 缩略图 — a photo's thumbnail (JPEG).
async fn thumbnail(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, att)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let body = task_file(&s, &caller, id, att).await?;
    let thumb = body
        .thumbnail
        .ok_or_else(|| ApiError::not_found(format!("附件 {att} 不是照片，没有缩略图")))?;
    Ok(served(
        thumb,
        "image/jpeg",
        &format!("缩略图-{}.jpg", body.file_name),
    ))
}
