//! 批示 — a leader's comment or instruction on an item or one of its problems, recorded and
//! shown to the unit on the item's page.

use serde::Serialize;
use sqlx::FromRow;

use crate::audit::{self, AuditRecord};
use crate::evidence::item_id;
use crate::{Result, Store, StoreError};

/// 批示
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Instruction {
    pub id: i64,
    /// 项目编号
    pub code: String,
    /// 关于问题 — the problem it is about, if any.
    pub problem_id: Option<i64>,
    /// 批示人
    pub author: String,
    /// 批示内容
    pub body: String,
    pub at: String,
}

/// Longest instruction, in characters.
pub const MAX_INSTRUCTION: usize = 2000;

const SELECT: &str = "SELECT n.id, i.code, n.problem_id, n.author, n.body, n.at \
     FROM instructions n JOIN items i ON i.id = n.item_id";

impl Store {
    /// Records `author`'s instruction on item `code` (about problem `problem_id` of it, if
    /// given), audited.
    pub async fn instruct(
        &self,
        author: &str,
        code: &str,
        problem_id: Option<i64>,
        body: &str,
    ) -> Result<Instruction> {
        let body = body.trim();
        if body.is_empty() {
            return Err(StoreError::Invalid("批示内容：不能为空".into()));
        }
        if body.chars().count() > MAX_INSTRUCTION {
            return Err(StoreError::Invalid(format!(
                "批示内容：最多 {MAX_INSTRUCTION} 字"
            )));
        }
        let mut tx = self.write_tx().await?;
        let item = item_id(&mut tx, code).await?;
        if let Some(p) = problem_id {
            let on_item: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM problems WHERE id = $1 AND item_id = $2")
                    .bind(p)
                    .bind(item)
                    .fetch_one(&mut *tx)
                    .await?;
            if on_item == 0 {
                return Err(StoreError::Invalid(format!(
                    "问题：项目 {code} 没有编号为 {p} 的问题"
                )));
            }
        }
        let at = audit::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO instructions (item_id, problem_id, author, body, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(item)
        .bind(problem_id)
        .bind(author)
        .bind(crate::sql::stored_text(body.to_string()))
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                author,
                &at,
                "instruct",
                "item",
                code.trim(),
                None,
                Some(serde_json::json!({ "problem": problem_id, "instruction": body })),
            )],
        )
        .await?;
        let out = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE n.id = $1")))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The instructions on item `code`, newest first.
    pub async fn instructions(&self, code: &str) -> Result<Vec<Instruction>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE i.code = $1 ORDER BY n.id DESC"
        )))
        .bind(code.trim())
        .fetch_all(&self.pool)
        .await?)
    }
}
