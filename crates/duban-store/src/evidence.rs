//! 附件 — evidence attached to a report, a problem, a closure request or an extension request
//! of an item: photos of the site (形象进度照片) and documents. Written in the transaction of
//! what they prove (a report and its photo are kept together or not at all); the bytes in the
//! database, or in a directory the caller chose (then only their path is stored).

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::audit::{self, AuditRecord};
use crate::{Result, Store, StoreError};

/// 附件归属 — what an attachment is evidence for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceOf {
    /// 进度报告
    Report,
    /// 问题
    Problem,
    /// 销号申请 — the 整改情况 of a problem.
    Closure,
    /// 延期申请
    Extension,
    /// 交办事项 — its source document (批示件, 审计报告).
    Task,
    /// 交办事项的办理记录 — a feedback or an 办结报告.
    TaskEvent,
}

impl EvidenceOf {
    pub fn code(self) -> &'static str {
        match self {
            EvidenceOf::Report => "report",
            EvidenceOf::Problem => "problem",
            EvidenceOf::Closure => "closure",
            EvidenceOf::Extension => "extension",
            EvidenceOf::Task => "task",
            EvidenceOf::TaskEvent => "task_event",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EvidenceOf::Report => "进度报告",
            EvidenceOf::Problem => "问题",
            EvidenceOf::Closure => "销号申请",
            EvidenceOf::Extension => "延期申请",
            EvidenceOf::Task => "交办事项",
            EvidenceOf::TaskEvent => "办理记录",
        }
    }

    fn parse(code: &str) -> Option<EvidenceOf> {
        [
            EvidenceOf::Report,
            EvidenceOf::Problem,
            EvidenceOf::Closure,
            EvidenceOf::Extension,
            EvidenceOf::Task,
            EvidenceOf::TaskEvent,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }
}

/// An attachment to write: checked by the caller (type, size) before anything is written.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// 文件名 as the user named it.
    pub file_name: String,
    /// image/jpeg, image/png, application/pdf, … — read from the bytes, not the name.
    pub media_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// The bytes, when kept in the database.
    pub content: Option<Vec<u8>>,
    /// 缩略图 (JPEG) of a photo.
    pub thumbnail: Option<Vec<u8>>,
    /// Where the bytes are, when kept in a directory.
    pub stored_path: Option<String>,
}

/// An attachment as listed (without its bytes).
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Attachment {
    pub id: i64,
    /// 项目编号
    pub code: String,
    #[sqlx(try_from = "String")]
    pub owner: EvidenceOfCode,
    pub owner_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    #[sqlx(try_from = "i64")]
    pub has_thumbnail: Flag,
}

/// [`EvidenceOf`] as read from a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct EvidenceOfCode(pub EvidenceOf);

impl TryFrom<String> for EvidenceOfCode {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Self> {
        EvidenceOf::parse(&s)
            .map(EvidenceOfCode)
            .ok_or_else(|| StoreError::corrupt("attachments", s))
    }
}

/// A 0/1 column as a bool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Flag(pub bool);

impl TryFrom<i64> for Flag {
    type Error = StoreError;
    fn try_from(n: i64) -> Result<Self> {
        Ok(Flag(n != 0))
    }
}

/// An attachment's bytes (or where they are) and its thumbnail.
#[derive(Debug, Clone, FromRow)]
pub struct AttachmentBody {
    pub item_id: i64,
    pub code: String,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub content: Option<Vec<u8>>,
    pub thumbnail: Option<Vec<u8>>,
    pub stored_path: Option<String>,
}

const LISTED: &str = "SELECT a.id, i.code, a.owner, a.owner_id, a.file_name, a.media_type, a.size, \
     a.uploaded_by, a.uploaded_at, CASE WHEN a.thumbnail IS NULL THEN 0 ELSE 1 END AS has_thumbnail \
     FROM attachments a JOIN items i ON i.id = a.item_id";

/// Writes `files` as evidence of `owner` `owner_id` on item `item_id`, audited, in the
/// caller's transaction.
pub(crate) async fn attach_in(
    conn: &mut AnyConnection,
    actor: &str,
    (item_id, code): (i64, &str),
    (owner, owner_id): (EvidenceOf, i64),
    files: Vec<NewAttachment>,
) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let at = audit::now();
    let names = insert_files(conn, actor, Some(item_id), (owner, owner_id), files, &at).await?;
    audit::record(
        conn,
        vec![AuditRecord::values(
            actor,
            &at,
            "attach",
            "item",
            code,
            None,
            Some(serde_json::json!({ "evidence_of": owner.label(), "owner_id": owner_id, "files": names })),
        )],
    )
    .await
}

/// Inserts the rows of `files` (on an item, or on none for a task's evidence) and returns what
/// the audit trail says of them.
pub(crate) async fn insert_files(
    conn: &mut AnyConnection,
    actor: &str,
    item_id: Option<i64>,
    (owner, owner_id): (EvidenceOf, i64),
    files: Vec<NewAttachment>,
    at: &str,
) -> Result<Vec<serde_json::Value>> {
    let mut names = Vec::with_capacity(files.len());
    for f in files {
        sqlx::query(
            "INSERT INTO attachments (item_id, owner, owner_id, file_name, media_type, size, sha256, \
             content, thumbnail, stored_path, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(item_id)
        .bind(owner.code())
        .bind(owner_id)
        .bind(crate::sql::stored_text(f.file_name.clone()))
        .bind(&f.media_type)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(f.content)
        .bind(f.thumbnail)
        .bind(f.stored_path)
        .bind(actor)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        names.push(
            serde_json::json!({ "file_name": f.file_name, "size": f.size, "sha256": f.sha256 }),
        );
    }
    Ok(names)
}

/// The id of item `code`, or not found.
pub(crate) async fn item_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT id FROM items WHERE code = $1")
        .bind(code.trim())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "项目",
            key: code.to_string(),
        })
}

impl Store {
    /// The attachments of item `code`, oldest first.
    pub async fn attachments(&self, code: &str) -> Result<Vec<Attachment>> {
        let sql = format!("{LISTED} WHERE i.code = $1 ORDER BY a.id");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(code.trim())
            .fetch_all(&self.pool)
            .await?)
    }

    /// The attachments of one report, problem or request.
    pub async fn attachments_of(
        &self,
        owner: EvidenceOf,
        owner_id: i64,
    ) -> Result<Vec<Attachment>> {
        let sql = format!("{LISTED} WHERE a.owner = $1 AND a.owner_id = $2 ORDER BY a.id");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(owner.code())
            .bind(owner_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// One attachment's bytes (or path) and thumbnail, with its item's code.
    pub async fn attachment(&self, id: i64) -> Result<Option<AttachmentBody>> {
        Ok(sqlx::query_as(
            "SELECT a.item_id, i.code, a.file_name, a.media_type, a.sha256, a.content, a.thumbnail, a.stored_path \
             FROM attachments a JOIN items i ON i.id = a.item_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
