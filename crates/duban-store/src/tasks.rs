//! 交办事项 — tasks handed down by the office (from a meeting, a leader's instruction, an audit
//! or inspection finding, a letter, or by hand), each move of them recorded with its evidence.
//! Who may make a move is `duban_core::task::apply`; the store checks it again under the write
//! lock against the state as stored, so two moves at once cannot both pass.

use std::collections::HashMap;

use chrono::NaiveDate;
use duban_core::calendar::WorkCalendar;
use duban_core::reminder::Recipient;
use duban_core::task::{
    self, Deadline, FeedbackCadence, TaskClock, TaskMove, TaskSource, TaskState,
};
use duban_core::{Leader, Role};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::audit::{self, AuditRecord};
use crate::evidence::{Attachment, AttachmentBody, EvidenceOf, NewAttachment, insert_files};
use crate::items::resolve_unit;
use crate::{Result, Store, StoreError};

/// A task to hand down.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// 督办编号 — given, or the next "督办〔年〕N号" of the year.
    pub number: Option<String>,
    /// 事项名称
    pub title: String,
    /// 交办内容
    pub content: String,
    pub source: TaskSource,
    /// 来源文件 — the instruction's document, the meeting, the audit report.
    pub source_ref: Option<String>,
    /// The ledger item it is tracked as (a meeting's 重点工作), by code.
    pub item_code: Option<String>,
    /// 牵头单位
    pub lead_unit: String,
    /// 配合单位
    pub co_units: Vec<String>,
    /// 包抓领导 (the leader who gave the instruction, or is in charge)
    pub leader: Option<Leader>,
    pub deadline: Deadline,
    /// 签收时限 in working days.
    pub sign_within: u32,
    pub cadence: FeedbackCadence,
    /// 交办日期
    pub assigned_on: NaiveDate,
}

/// Longest title and content, in characters.
pub const MAX_TITLE: usize = 200;
pub const MAX_CONTENT: usize = 4000;

/// 交办事项 as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRecord {
    pub id: i64,
    /// 督办编号
    pub number: String,
    pub year: i32,
    pub title: String,
    pub content: String,
    pub source: TaskSource,
    pub source_ref: Option<String>,
    /// 关联项目
    pub item_code: Option<String>,
    pub lead_unit: String,
    pub co_units: Vec<String>,
    pub leader: Option<Leader>,
    pub deadline: Deadline,
    /// 办理期限 (the deadline resolved to a day)
    pub due: NaiveDate,
    pub sign_within: u32,
    pub cadence: FeedbackCadence,
    pub state: TaskState,
    pub assigned_on: NaiveDate,
    pub assigned_by: String,
    pub signed_on: Option<NaiveDate>,
    pub last_feedback: Option<NaiveDate>,
    /// 申请办结日期
    pub requested_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

impl TaskRecord {
    /// Its dates, as the rules need them.
    pub fn clock(&self) -> TaskClock {
        TaskClock {
            state: self.state,
            assigned_on: self.assigned_on,
            sign_within: self.sign_within,
            due: self.due,
            cadence: self.cadence,
            signed_on: self.signed_on,
            last_feedback: self.last_feedback,
        }
    }

    /// Whether `unit` leads it or works on it.
    pub fn involves(&self, unit: &str) -> bool {
        self.lead_unit == unit || self.co_units.iter().any(|u| u == unit)
    }
}

/// 办理记录 — one move.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct TaskEvent {
    pub id: i64,
    /// sign, feedback, request_close, close, send_back, withdraw, assign
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    /// The unit that made it (none for the office).
    pub unit: Option<String>,
    /// 反馈内容, 办结报告 or 理由
    pub note: Option<String>,
    pub on_day: String,
    pub at: String,
}

impl TaskEvent {
    /// The action in words.
    pub fn label(&self) -> &'static str {
        match self.action.as_str() {
            "assign" => "交办",
            "sign" => "签收",
            "feedback" => "反馈",
            "request_close" => "申请办结",
            "close" => "办结",
            "send_back" => "退回",
            "withdraw" => "撤销",
            _ => "办理",
        }
    }
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub state: Option<TaskState>,
    /// Led by or co-operated on by this unit.
    pub unit: Option<String>,
    /// In the charge of this leader (by name).
    pub leader: Option<String>,
    pub source: Option<TaskSource>,
    pub year: Option<i32>,
    /// Open only (待签收, 办理中, 申请办结).
    pub open: bool,
    /// Words in the number, title or content.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Most rows one list returns.
pub const MAX_LIST: i64 = 2000;

#[derive(FromRow)]
struct TaskRow {
    id: i64,
    number: String,
    year: i64,
    title: String,
    content: String,
    source: String,
    source_ref: Option<String>,
    item_code: Option<String>,
    lead_unit: String,
    leader_name: Option<String>,
    leader_title: Option<String>,
    deadline: String,
    due: String,
    sign_within: i64,
    cadence: String,
    state: String,
    assigned_on: String,
    assigned_by: String,
    signed_on: Option<String>,
    last_feedback: Option<String>,
    requested_on: Option<String>,
    closed_on: Option<String>,
}

const SELECT: &str = "SELECT t.id, t.number, t.year, t.title, t.content, t.source, t.source_ref, \
     i.code AS item_code, u.name AS lead_unit, l.name AS leader_name, l.title AS leader_title, \
     t.deadline, t.due, t.sign_within, t.cadence, t.state, t.assigned_on, t.assigned_by, \
     t.signed_on, t.last_feedback, t.requested_on, t.closed_on \
     FROM tasks t JOIN units u ON u.id = t.lead_unit_id \
     LEFT JOIN items i ON i.id = t.item_id LEFT JOIN leaders l ON l.id = t.leader_id";

fn day(what: &str, s: &str) -> Result<NaiveDate> {
    duban_core::date::parse_iso_day(s)
        .ok_or_else(|| StoreError::corrupt(format!("tasks.{what}"), s))
}

fn opt_day(what: &str, s: Option<String>) -> Result<Option<NaiveDate>> {
    s.map(|s| day(what, &s)).transpose()
}

fn coded<T>(
    what: &str,
    s: &str,
    parse: fn(&str) -> std::result::Result<T, duban_core::label::LabelError>,
) -> Result<T> {
    parse(s).map_err(|_| StoreError::corrupt(format!("tasks.{what}"), s))
}

impl TaskRow {
    fn into_record(self, co_units: Vec<String>) -> Result<TaskRecord> {
        Ok(TaskRecord {
            id: self.id,
            number: self.number,
            year: self.year as i32,
            title: self.title,
            content: self.content,
            source: coded("source", &self.source, TaskSource::parse)?,
            source_ref: self.source_ref,
            item_code: self.item_code,
            lead_unit: self.lead_unit,
            co_units,
            leader: self.leader_name.map(|name| Leader {
                name,
                title: self.leader_title.filter(|t| !t.is_empty()),
            }),
            deadline: serde_json::from_str(&self.deadline)
                .map_err(|e| StoreError::corrupt("tasks.deadline", e))?,
            due: day("due", &self.due)?,
            sign_within: self.sign_within as u32,
            cadence: coded("cadence", &self.cadence, FeedbackCadence::parse)?,
            state: coded("state", &self.state, TaskState::parse)?,
            assigned_on: day("assigned_on", &self.assigned_on)?,
            assigned_by: self.assigned_by,
            signed_on: opt_day("signed_on", self.signed_on)?,
            last_feedback: opt_day("last_feedback", self.last_feedback)?,
            requested_on: opt_day("requested_on", self.requested_on)?,
            closed_on: opt_day("closed_on", self.closed_on)?,
        })
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Reads tasks by a WHERE clause over `t` and their co units.
async fn read(
    conn: &mut AnyConnection,
    where_sql: &str,
    binds: Vec<crate::sql::Val>,
) -> Result<Vec<TaskRecord>> {
    let sql = format!("{SELECT}{where_sql}");
    let mut q = sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(sql));
    for v in binds {
        q = crate::sql::bind_as(q, v);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut co: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in rows.chunks(500) {
        let ids: Vec<String> = chunk.iter().map(|r| r.id.to_string()).collect();
        let sql = format!(
            "SELECT c.task_id, u.name FROM task_co_units c JOIN units u ON u.id = c.unit_id \
             WHERE c.task_id IN ({}) ORDER BY c.task_id, c.position",
            ids.join(",")
        );
        let pairs: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await?;
        for (t, u) in pairs {
            co.entry(t).or_default().push(u);
        }
    }
    rows.into_iter()
        .map(|r| {
            let units = co.remove(&r.id).unwrap_or_default();
            r.into_record(units)
        })
        .collect()
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<TaskRecord> {
    read(
        conn,
        " WHERE t.id = $1",
        vec![crate::sql::Val::Int(Some(id))],
    )
    .await?
    .pop()
    .ok_or_else(|| StoreError::NotFound {
        what: "交办事项",
        key: id.to_string(),
    })
}

/// The leader named `leader` (by name and title, or by name when only one has it).
async fn leader_id(conn: &mut AnyConnection, leader: &Leader) -> Result<i64> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, title FROM leaders WHERE name = $1")
        .bind(leader.name.trim())
        .fetch_all(&mut *conn)
        .await?;
    let found = match &leader.title {
        Some(t) => rows.iter().find(|(_, title)| title == t),
        None if rows.len() == 1 => rows.first(),
        None => None,
    };
    found
        .map(|(id, _)| *id)
        .ok_or_else(|| StoreError::NotFound {
            what: "领导",
            key: leader.to_string(),
        })
}

fn check_text(what: &str, text: &str, max: usize) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid(format!("{what}：不能为空")));
    }
    if t.chars().count() > max {
        return Err(StoreError::Invalid(format!("{what}：最多 {max} 字")));
    }
    Ok(crate::sql::stored_text(t.to_string()))
}

/// Writes the in-app message of a move to one recipient.
async fn post(
    conn: &mut AnyConnection,
    to: &Recipient,
    title: &str,
    body: &str,
    link: &str,
    at: &str,
) -> Result<i64> {
    crate::deliveries::post_message(conn, to, None, title, body, Some(link), at).await
}

impl Store {
    /// 交办 — writes a task handed down on `new.assigned_on`, numbered, its deadline resolved by
    /// `calendar`, its source document attached; tells its units in their inboxes.
    pub async fn hand_down_task(
        &self,
        actor: &str,
        new: NewTask,
        calendar: &WorkCalendar,
        source_files: Vec<NewAttachment>,
    ) -> Result<TaskRecord> {
        let mut tx = self.write_tx().await?;
        let id = hand_down_in(&mut tx, actor, &new, calendar).await?;
        let at = audit::now();
        if !source_files.is_empty() {
            insert_files(
                &mut tx,
                actor,
                None,
                (EvidenceOf::Task, id),
                source_files,
                &at,
            )
            .await?;
        }
        let task = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(task)
    }

    /// One task.
    pub async fn task(&self, id: i64) -> Result<TaskRecord> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// One task by its 督办编号.
    pub async fn task_by_number(&self, number: &str) -> Result<TaskRecord> {
        let mut conn = self.pool.acquire().await?;
        read(
            &mut conn,
            " WHERE t.number = $1",
            vec![crate::sql::Val::Text(Some(number.trim().to_string()))],
        )
        .await?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            what: "交办事项",
            key: number.to_string(),
        })
    }

    /// Tasks a filter selects, newest first (at most [`MAX_LIST`]).
    pub async fn tasks(&self, f: &TaskFilter) -> Result<Vec<TaskRecord>> {
        use crate::sql::Val;
        let mut conn = self.pool.acquire().await?;
        let mut wheres = Vec::new();
        let mut binds = Vec::new();
        let arg = |v: Val, binds: &mut Vec<Val>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(s) = f.state {
            wheres.push(format!(
                "t.state = {}",
                arg(Val::Text(Some(s.code().into())), &mut binds)
            ));
        }
        if f.open {
            wheres.push("t.state IN ('assigned', 'in_progress', 'close_requested')".to_string());
        }
        if let Some(s) = f.source {
            wheres.push(format!(
                "t.source = {}",
                arg(Val::Text(Some(s.code().into())), &mut binds)
            ));
        }
        if let Some(y) = f.year {
            wheres.push(format!(
                "t.year = {}",
                arg(Val::Int(Some(i64::from(y))), &mut binds)
            ));
        }
        if let Some(u) = &f.unit {
            let id = resolve_unit(&mut conn, u).await?;
            let p = arg(Val::Int(Some(id)), &mut binds);
            wheres.push(format!(
                "(t.lead_unit_id = {p} OR t.id IN (SELECT task_id FROM task_co_units WHERE unit_id = {p}))"
            ));
        }
        if let Some(l) = &f.leader {
            wheres.push(format!(
                "l.name = {}",
                arg(Val::Text(Some(l.trim().into())), &mut binds)
            ));
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let p = arg(
                Val::Text(Some(format!("%{}%", q.replace(['%', '_'], "")))),
                &mut binds,
            );
            wheres.push(format!(
                "(t.number LIKE {p} OR t.title LIKE {p} OR t.content LIKE {p})"
            ));
        }
        let mut sql = String::new();
        if !wheres.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&wheres.join(" AND "));
        }
        let limit = f.limit.unwrap_or(MAX_LIST).clamp(1, MAX_LIST);
        sql.push_str(&format!(
            " ORDER BY t.id DESC LIMIT {limit} OFFSET {}",
            f.offset.unwrap_or(0).max(0)
        ));
        read(&mut conn, &sql, binds).await
    }

    /// The codes of the items a task tracks.
    pub async fn items_with_tasks(&self) -> Result<std::collections::HashSet<String>> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT i.code FROM tasks t JOIN items i ON i.id = t.item_id")
                .fetch_all(&self.pool)
                .await?;
        Ok(codes.into_iter().collect())
    }

    /// The moves of a task, oldest first.
    pub async fn task_events(&self, id: i64) -> Result<Vec<TaskEvent>> {
        Ok(sqlx::query_as(
            "SELECT id, action, from_state, to_state, actor, unit, note, on_day, at \
             FROM task_events WHERE task_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The attachments of a task: its source document and each move's evidence.
    pub async fn task_attachments(&self, id: i64) -> Result<Vec<Attachment>> {
        Ok(sqlx::query_as(
            "SELECT a.id, t.number AS code, a.owner, a.owner_id, a.file_name, a.media_type, a.size, \
             a.uploaded_by, a.uploaded_at, CASE WHEN a.thumbnail IS NULL THEN 0 ELSE 1 END AS has_thumbnail \
             FROM attachments a JOIN tasks t ON t.id = $1 \
             WHERE (a.owner = 'task' AND a.owner_id = $1) \
                OR (a.owner = 'task_event' AND a.owner_id IN (SELECT id FROM task_events WHERE task_id = $1)) \
             ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One attachment of a task, with the task's id (none if it is not a task's).
    pub async fn task_attachment(&self, id: i64) -> Result<Option<(i64, AttachmentBody)>> {
        let task: Option<i64> = sqlx::query_scalar(
            "SELECT CASE WHEN a.owner = 'task' THEN a.owner_id \
                    ELSE (SELECT e.task_id FROM task_events e WHERE e.id = a.owner_id) END \
             FROM attachments a WHERE a.id = $1 AND a.owner IN ('task', 'task_event')",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .flatten();
        let Some(task) = task else { return Ok(None) };
        let body: Option<AttachmentBody> = sqlx::query_as(
            "SELECT 0 AS item_id, t.number AS code, a.file_name, a.media_type, a.sha256, a.content, a.thumbnail, a.stored_path \
             FROM attachments a JOIN tasks t ON t.id = $2 WHERE a.id = $1",
        )
        .bind(id)
        .bind(task)
        .fetch_optional(&self.pool)
        .await?;
        Ok(body.map(|b| (task, b)))
    }

    /// Makes `mv` on task `id` as `who` on `on_day`, with its evidence; the rules are checked
    /// against the state under the write lock. Tells the other side in its inbox.
    pub async fn move_task(
        &self,
        actor: &str,
        id: i64,
        who: &Role,
        mv: &TaskMove,
        on_day: NaiveDate,
        evidence: Vec<NewAttachment>,
    ) -> Result<TaskRecord> {
        let mut tx = self.write_tx().await?;
        let before = load(&mut tx, id).await?;
        let after = task::apply(before.state, &before.lead_unit, &before.co_units, who, mv)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let today = iso(on_day);
        let column = match mv {
            TaskMove::Sign => Some("signed_on"),
            TaskMove::Feedback { .. } => Some("last_feedback"),
            TaskMove::RequestClose { .. } => Some("requested_on"),
            TaskMove::Close => Some("closed_on"),
            TaskMove::SendBack { .. } | TaskMove::Withdraw { .. } => None,
        };
        let set_day = column.map(|c| format!(", {c} = $3")).unwrap_or_default();
        let sql = format!("UPDATE tasks SET state = $1{set_day} WHERE id = $2");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after.code())
            .bind(id);
        if column.is_some() {
            q = q.bind(&today);
        }
        q.execute(&mut *tx).await?;
        let at = audit::now();
        let unit = match who {
            Role::Unit(u) => Some(u.clone()),
            Role::Office => None,
        };
        let note = mv
            .note()
            .map(|n| crate::sql::stored_text(n.trim().to_string()));
        let event: i64 = sqlx::query_scalar(
            "INSERT INTO task_events (task_id, action, from_state, to_state, actor, unit, note, on_day, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(id)
        .bind(mv.code())
        .bind(before.state.code())
        .bind(after.code())
        .bind(actor)
        .bind(&unit)
        .bind(&note)
        .bind(&today)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        let files = if evidence.is_empty() {
            Vec::new()
        } else {
            insert_files(
                &mut tx,
                actor,
                None,
                (EvidenceOf::TaskEvent, event),
                evidence,
                &at,
            )
            .await?
        };
        let link = format!("/tasks/{id}");
        let headline = format!("{} {}", before.number, before.title);
        match mv {
            TaskMove::RequestClose { .. } => {
                post(
                    &mut tx,
                    &Recipient::Office,
                    &format!("申请办结：{headline}"),
                    &format!("{}申请办结，请审核。", before.lead_unit),
                    &link,
                    &at,
                )
                .await?;
            }
            TaskMove::Close | TaskMove::SendBack { .. } | TaskMove::Withdraw { .. } => {
                let body = match mv.note() {
                    Some(n) => format!("督查室{}：{n}", mv.label()),
                    None => format!("督查室已确认{}。", mv.label()),
                };
                post(
                    &mut tx,
                    &Recipient::Unit(before.lead_unit.clone()),
                    &format!("{}：{headline}", mv.label()),
                    &body,
                    &link,
                    &at,
                )
                .await?;
            }
            TaskMove::Sign | TaskMove::Feedback { .. } => {}
        }
        let mut after_json = serde_json::json!({ "state": after.label() });
        if let Some(n) = &note {
            after_json["note"] = serde_json::json!(n);
        }
        if !files.is_empty() {
            after_json["files"] = serde_json::json!(files);
        }
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                mv.code(),
                "task",
                &before.number,
                Some(serde_json::json!({ "state": before.state.label() })),
                Some(after_json),
            )],
        )
        .await?;
        let task = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(task)
    }
}

/// Hands down one task in the caller's transaction: its id.
pub(crate) async fn hand_down_in(
    conn: &mut AnyConnection,
    actor: &str,
    new: &NewTask,
    calendar: &WorkCalendar,
) -> Result<i64> {
    let title = check_text("事项名称", &new.title, MAX_TITLE)?;
    let content = check_text("交办内容", &new.content, MAX_CONTENT)?;
    if new.sign_within == 0 || new.sign_within > 30 {
        return Err(StoreError::Invalid("签收时限：应为 1—30 个工作日".into()));
    }
    let due = new.deadline.due(calendar, new.assigned_on);
    if due < new.assigned_on {
        return Err(StoreError::Invalid(format!(
            "办理期限：{due} 早于交办日期 {}",
            new.assigned_on
        )));
    }
    let lead = resolve_unit(conn, &new.lead_unit)
        .await
        .map_err(|_| StoreError::Invalid(format!("牵头单位：单位名录中没有“{}”", new.lead_unit)))?;
    let mut co = Vec::new();
    for u in &new.co_units {
        let id = resolve_unit(conn, u)
            .await
            .map_err(|_| StoreError::Invalid(format!("配合单位：单位名录中没有“{u}”")))?;
        if id != lead && !co.contains(&id) {
            co.push(id);
        }
    }
    let leader = match &new.leader {
        Some(l) => Some(
            leader_id(conn, l)
                .await
                .map_err(|_| StoreError::Invalid(format!("包抓领导：领导名录中没有“{l}”")))?,
        ),
        None => None,
    };
    let item = match &new.item_code {
        Some(code) => Some(crate::evidence::item_id(conn, code).await?),
        None => None,
    };
    let year = chrono::Datelike::year(&new.assigned_on);
    let seq: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM tasks WHERE year = $1")
            .bind(i64::from(year))
            .fetch_one(&mut *conn)
            .await?;
    let number = match new
        .number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) if n.chars().count() <= 60 => crate::sql::stored_text(n.to_string()),
        Some(_) => return Err(StoreError::Invalid("督办编号：最多 60 字".into())),
        None => task::number("督办", year, seq),
    };
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE number = $1")
        .bind(&number)
        .fetch_one(&mut *conn)
        .await?;
    if taken > 0 {
        return Err(StoreError::Invalid(format!("督办编号：“{number}”已被使用")));
    }
    let source_ref = new
        .source_ref
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| crate::sql::stored_text(s.chars().take(200).collect()));
    let at = audit::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (number, year, seq, title, content, source, source_ref, item_id, lead_unit_id, \
         leader_id, deadline, due, sign_within, cadence, state, assigned_on, assigned_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'assigned', $15, $16, $17) RETURNING id",
    )
    .bind(&number)
    .bind(i64::from(year))
    .bind(seq)
    .bind(&title)
    .bind(&content)
    .bind(new.source.code())
    .bind(&source_ref)
    .bind(item)
    .bind(lead)
    .bind(leader)
    .bind(serde_json::to_string(&new.deadline).unwrap_or_default())
    .bind(iso(due))
    .bind(i64::from(new.sign_within))
    .bind(new.cadence.code())
    .bind(iso(new.assigned_on))
    .bind(actor)
    .bind(&at)
    .fetch_one(&mut *conn)
    .await?;
    for (pos, u) in co.iter().enumerate() {
        sqlx::query("INSERT INTO task_co_units (task_id, unit_id, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(*u)
            .bind(pos as i64)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "INSERT INTO task_events (task_id, action, from_state, to_state, actor, unit, note, on_day, at) \
         VALUES ($1, 'assign', NULL, 'assigned', $2, NULL, NULL, $3, $4)",
    )
    .bind(id)
    .bind(actor)
    .bind(iso(new.assigned_on))
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    let task = load(conn, id).await?;
    let link = format!("/tasks/{id}");
    let body = format!(
        "{}交办：{}。办理期限 {}（{}），请于 {} 前签收。",
        task.source.label(),
        task.title,
        task.due,
        task.deadline.describe(),
        task.clock().sign_due(calendar)
    );
    post(
        conn,
        &Recipient::Unit(task.lead_unit.clone()),
        &format!("新交办事项：{}", task.number),
        &body,
        &link,
        &at,
    )
    .await?;
    for u in &task.co_units {
        post(
            conn,
            &Recipient::Unit(u.clone()),
            &format!("新交办事项（配合）：{}", task.number),
            &body,
            &link,
            &at,
        )
        .await?;
    }
    audit::record(
        conn,
        vec![AuditRecord::values(
            actor,
            &at,
            "create",
            "task",
            &task.number,
            None,
            Some(serde_json::to_value(&task).unwrap_or_default()),
        )],
    )
    .await?;
    Ok(id)
}
