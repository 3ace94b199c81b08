//! 待办 and 消息 — what waits for the signed-in user (a unit's reports due, tasks to sign for
//! and feed back, problems to rectify; a leader's late matters; the office's requests to verify
//! and overdue tasks to urge) and the inbox of its unit, leader or the office, marked read one
//! by one or all at once. Their counts head every page (one call each per page shown).

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_app::todos::{Todo, Todos};
use duban_core::Account;
use duban_core::reminder::MatterKind;
use duban_store::Message;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::page::{Badges, PageResult, Visitor, page, render};
use crate::schema::{Date, MatterKindCode, ReminderLevelCode, Timestamp};
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/todos", get(todos_page))
        .route("/messages", get(messages_page))
        .route("/messages/read", post(read_all_page))
        .route("/messages/{id}/read", post(read_page))
        .route("/api/todos", get(todos))
        .route("/api/messages", get(messages))
        .route("/api/messages/read", post(read_all))
        .route("/api/messages/{id}/read", post(read))
}

/// The counts of a page's header: to-dos (and how many are overdue) and unread messages; none
/// for an account without an inbox (judges, viewers). A failure to count leaves them out
/// rather than failing the page.
pub(crate) async fn badges(s: &AppState, account: &Account) -> Option<Badges> {
    duban_app::todos::scope(account)?;
    // The to-dos follow the data: counted once per data version and day for each account.
    // Messages read are not data: the unread count is read again after a second, or at
    // once after anything is written through this server (a message read, one sent).
    let today = today();
    let key = format!("badges|{}|{today}", account.id);
    let todos = s
        .views
        .light(&s.store, key, || async {
            duban_app::todos::todos(&s.store, account, today)
                .await
                .map(|t| (t.total, t.overdue))
        })
        .await;
    let unread = match s.unread.get(&account.id) {
        Some(n) => Ok(n),
        None => duban_app::todos::unread(&s.store, account)
            .await
            .inspect(|n| {
                s.unread.put(account.id, *n);
            }),
    };
    match (todos, unread) {
        (Ok(t), Ok(unread)) => Some(Badges {
            todos: t.0,
            overdue: t.1,
            unread,
        }),
        (t, u) => {
            tracing::warn!(todos = ?t.err(), unread = ?u.err(), "the header's counts");
            None
        }
    }
}

// ---- what the API answers ----

/// 待办事项
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Todo)]
pub struct TodoView {
    #[schema(value_type = MatterKindCode)]
    pub kind: MatterKind,
    /// 事项类别
    pub kind_label: String,
    /// 要做什么：报送、签收、反馈、办结、整改、推进、审核、催办
    pub action: String,
    pub title: String,
    /// 责任单位
    pub owner: String,
    /// 截止日期
    #[schema(value_type = Date)]
    pub due: NaiveDate,
    /// 逾期天数（负数：还有几天）
    pub days_late: i64,
    /// 去办理的页面
    pub link: String,
}

impl From<Todo> for TodoView {
    fn from(t: Todo) -> Self {
        let Todo {
            kind,
            kind_label,
            action,
            title,
            owner,
            due,
            days_late,
            link,
        } = t;
        TodoView {
            kind,
            kind_label: kind_label.to_string(),
            action: action.to_string(),
            title,
            owner,
            due,
            days_late,
            link,
        }
    }
}

/// 待办 — most overdue first (at most 300 listed; the counts cover them all).
#[derive(Debug, Serialize, ToSchema)]
pub struct TodosView {
    pub total: usize,
    /// 其中逾期的
    pub overdue: usize,
    pub items: Vec<TodoView>,
}

impl From<Todos> for TodosView {
    fn from(t: Todos) -> Self {
        TodosView {
            total: t.total,
            overdue: t.overdue,
            items: t.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// 消息
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Message)]
pub struct MessageView {
    pub id: i64,
    /// 收件方：office | unit | leader
    pub to_kind: String,
    pub to_name: String,
    /// 催办消息的级别；其他消息为空
    #[schema(value_type = Option<ReminderLevelCode>)]
    pub level: Option<String>,
    pub title: String,
    pub body: String,
    /// 去办理的页面
    pub link: Option<String>,
    #[schema(value_type = Timestamp)]
    pub created_at: String,
    /// 已读时间；未读为空
    #[schema(value_type = Option<Timestamp>)]
    pub read_at: Option<String>,
}

impl From<Message> for MessageView {
    fn from(m: Message) -> Self {
        let Message {
            id,
            to_kind,
            to_name,
            level,
            title,
            body,
            link,
            created_at,
            read_at,
        } = m;
        MessageView {
            id,
            to_kind,
            to_name,
            level,
            title,
            body,
            link,
            created_at,
            read_at,
        }
    }
}

/// 消息（最新的在前）
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    /// 未读消息数
    pub unread: i64,
    pub items: Vec<MessageView>,
    pub page: usize,
    pub per_page: usize,
}

/// 标为已读
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// 这次标为已读的消息数（已读过的、不是自己的不计）
    pub marked: u64,
    /// 还有几条未读
    pub unread: i64,
}

/// 消息筛选
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MessageQuery {
    /// 只看未读
    pub unread: Option<String>,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
}

impl MessageQuery {
    fn unread_only(&self) -> bool {
        matches!(self.unread.as_deref(), Some("true" | "1" | "on" | "yes"))
    }

    fn paging(&self) -> (usize, usize) {
        (
            self.page.unwrap_or(1).max(1),
            self.per_page.unwrap_or(50).clamp(1, 200),
        )
    }
}

async fn inbox(s: &AppState, caller: &Caller, q: &MessageQuery) -> ApiResult<Vec<Message>> {
    let (page, per_page) = q.paging();
    Ok(duban_app::todos::inbox(
        &s.store,
        &caller.account,
        q.unread_only(),
        per_page as i64,
        ((page - 1) * per_page) as i64,
    )
    .await?)
}

// ---- the API ----

#[utoipa::path(get, path = "/api/todos", tag = "待办与消息",
    responses((status = 200, description = "调用者的待办（最逾期的在前）", body = TodosView)))]
async fn todos(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<TodosView>> {
    let t = duban_app::todos::todos(&s.store, &caller.account, today()).await?;
    Ok(Json(t.into()))
}

#[utoipa::path(get, path = "/api/messages", tag = "待办与消息", params(MessageQuery),
    responses((status = 200, description = "调用者所在单位（或领导、督查室）的消息，最新的在前", body = MessagePage)))]
async fn messages(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<MessageQuery>,
) -> ApiResult<Json<MessagePage>> {
    let items = inbox(&s, &caller, &q).await?;
    let (page, per_page) = q.paging();
    Ok(Json(MessagePage {
        unread: duban_app::todos::unread(&s.store, &caller.account).await?,
        items: items.into_iter().map(Into::into).collect(),
        page,
        per_page,
    }))
}

/// Marks message `id` (or all) of the account's inbox read; the header's unread count is
/// read again at once.
async fn mark_read(s: &AppState, account: &Account, id: Option<i64>) -> ApiResult<u64> {
    let marked = duban_app::todos::mark_read(&s.store, account, id).await;
    s.unread.forget(&account.id);
    Ok(marked?)
}

async fn mark(s: &AppState, caller: &Caller, id: Option<i64>) -> ApiResult<MarkedRead> {
    let marked = mark_read(s, &caller.account, id).await?;
    Ok(MarkedRead {
        marked,
        unread: duban_app::todos::unread(&s.store, &caller.account).await?,
    })
}

#[utoipa::path(post, path = "/api/messages/{id}/read", tag = "待办与消息",
    params(("id" = i64, Path, description = "消息编号")),
    responses((status = 200, description = "已标为已读", body = MarkedRead)))]
async fn read(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<MarkedRead>> {
    Ok(Json(mark(&s, &caller, Some(id)).await?))
}

#[utoipa::path(post, path = "/api/messages/read", tag = "待办与消息",
    responses((status = 200, description = "全部标为已读", body = MarkedRead)))]
async fn read_all(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<MarkedRead>> {
    Ok(Json(mark(&s, &caller, None).await?))
}

// ---- the pages ----

/// "逾期 3 天", "今日到期", "还有 5 天".
pub(crate) fn days_words(days_late: i64) -> String {
    match days_late {
        0 => "今日到期".to_string(),
        n if n > 0 => format!("逾期 {n} 天"),
        n => format!("还有 {} 天", -n),
    }
}

/// 待办
async fn todos_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    let t = duban_app::todos::todos(&s.store, &c.account, today()).await?;
    let has_inbox = duban_app::todos::scope(&c.account).is_some();
    let rows: Vec<Value> = t
        .items
        .iter()
        .map(|i| {
            context! {
                kind => i.kind_label, action => i.action, title => &i.title, owner => &i.owner,
                due => i.due.to_string(), days => days_words(i.days_late),
                late => i.days_late > 0, today => i.days_late == 0, link => &i.link,
            }
        })
        .collect();
    let ctx = page(&c, "待办", "todos", false);
    render(
        &s,
        "todos.html",
        context! { rows, total => t.total, overdue => t.overdue, has_inbox,
        office => c.account.is_admin(), as_of => today().to_string(), ..ctx },
    )
}

/// The inbox as the page lists it.
async fn message_list(s: &AppState, c: &Caller, q: &MessageQuery) -> PageResult<Value> {
    let items = inbox(s, c, q).await?;
    let (page_no, per_page) = q.paging();
    let unread = duban_app::todos::unread(&s.store, &c.account).await?;
    let more = items.len() == per_page;
    let rows: Vec<Value> = items
        .iter()
        .map(|m| {
            context! {
                id => m.id, title => &m.title, body => &m.body, link => &m.link,
                level => &m.level, at => duban_app::clock::beijing(&m.created_at),
                unread => m.read_at.is_none(),
            }
        })
        .collect();
    Ok(context! {
        rows, unread, page_no, more, unread_only => q.unread_only(),
        filter => if q.unread_only() { "&unread=true" } else { "" },
    })
}

/// 消息
async fn messages_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<MessageQuery>,
) -> PageResult {
    let list = message_list(&s, &c, &q).await?;
    let has_inbox = duban_app::todos::scope(&c.account).is_some();
    let ctx = page(&c, "消息", "messages", false);
    render(
        &s,
        "messages.html",
        context! { has_inbox, ..context! { ..list, ..ctx } },
    )
}

/// The list again after marking, with the header's count (out of band).
async fn marked_list(s: &AppState, c: &Caller, q: &MessageQuery) -> PageResult {
    let list = message_list(s, c, q).await?;
    let counts = badges(s, &c.account).await;
    let ctx = page(c, "消息", "messages", false);
    render(
        s,
        "messages_list.html",
        context! { oob => true, badges => counts.map(crate::page::ser), ..context! { ..list, ..ctx } },
    )
}

async fn read_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(id): Path<i64>,
    Query(q): Query<MessageQuery>,
) -> PageResult {
    mark_read(&s, &c.account, Some(id)).await?;
    marked_list(&s, &c, &q).await
}

async fn read_all_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<MessageQuery>,
) -> PageResult {
    mark_read(&s, &c.account, None).await?;
    marked_list(&s, &c, &q).await
}
