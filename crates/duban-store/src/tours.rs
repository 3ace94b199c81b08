//! 观摩评比 — a tour (the projects visited, its judges, its score sheet's criteria), the
//! judges' score sheets — written all or none, corrected until the tour is closed — and its
//! result computed by `duban_core::tour`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use duban_core::accountability::Proposal;
use duban_core::tour::{ScoreSheet, SheetCriterion, TourResult, Trim};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::accountability::insert_proposals;
use crate::audit::{self, AuditRecord};
use crate::evidence::item_id;
use crate::{Result, Store, StoreError};

/// Most projects, judges and criteria one tour may have.
pub const MAX_TOUR_ITEMS: usize = 500;
pub const MAX_JUDGES: usize = 100;
pub const MAX_CRITERIA: usize = 30;

/// 新建观摩评比
#[derive(Debug, Clone, PartialEq)]
pub struct NewTour {
    pub name: String,
    pub held_on: NaiveDate,
    /// 观摩项目, by code, in the order of the route.
    pub items: Vec<String>,
    /// 评委 (user names, or names for a tour scored on paper); none: anyone's sheets count.
    pub judges: Vec<String>,
    /// 评分项; none: each sheet gives only its 总分 (out of 100).
    pub criteria: Vec<SheetCriterion>,
    pub trim: Trim,
}

/// 观摩项目
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TourItem {
    pub code: String,
    pub name: String,
    /// 责任单位
    pub unit: String,
}

/// 观摩评比 as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TourRecord {
    pub id: i64,
    pub name: String,
    pub held_on: NaiveDate,
    pub criteria: Vec<SheetCriterion>,
    pub trim: Trim,
    /// open 评分中 | closed 已结束 | published 已公布
    pub state: String,
    pub items: Vec<TourItem>,
    pub judges: Vec<String>,
    pub created_by: String,
}

impl TourRecord {
    /// The criteria sheets are checked against: the tour's, or a 总分 out of 100.
    pub fn sheet_criteria(&self) -> Vec<SheetCriterion> {
        if self.criteria.is_empty() {
            vec![SheetCriterion {
                name: "总分".into(),
                max: Decimal::from(100),
            }]
        } else {
            self.criteria.clone()
        }
    }
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

impl Store {
    /// 新建观摩评比 — the tour's id. Every project must be on the ledger.
    pub async fn create_tour(&self, actor: &str, new: &NewTour) -> Result<i64> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("评比名称不能为空，最多 200 字"));
        }
        if new.items.is_empty() || new.items.len() > MAX_TOUR_ITEMS {
            return Err(invalid(format!(
                "观摩项目：至少 1 个，至多 {MAX_TOUR_ITEMS} 个"
            )));
        }
        if new.judges.len() > MAX_JUDGES || new.criteria.len() > MAX_CRITERIA {
            return Err(invalid(format!(
                "评委至多 {MAX_JUDGES} 位，评分项至多 {MAX_CRITERIA} 项"
            )));
        }
        for c in &new.criteria {
            if c.name.trim().is_empty() || c.max <= Decimal::ZERO {
                return Err(invalid(format!(
                    "评分项“{}”：须有名称，满分须大于 0",
                    c.name
                )));
            }
        }
        let mut tx = self.write_tx().await?;
        let mut ids = Vec::with_capacity(new.items.len());
        for code in &new.items {
            let id = item_id(&mut tx, code)
                .await
                .map_err(|_| invalid(format!("观摩项目“{code}”不在台账中（请填项目编号）")))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let at = audit::now();
        let criteria = serde_json::to_string(&new.criteria).unwrap_or_default();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tours (name, held_on, criteria, drop_highest, drop_lowest, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
        )
        .bind(name.to_string())
        .bind(new.held_on.to_string())
        .bind(criteria)
        .bind(new.trim.highest as i64)
        .bind(new.trim.lowest as i64)
        .bind(actor.to_string())
        .bind(at.clone())
        .fetch_one(&mut *tx)
        .await?;
        for (i, item) in ids.iter().enumerate() {
            sqlx::query("INSERT INTO tour_items (tour_id, item_id, position) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(*item)
                .bind(i as i64)
                .execute(&mut *tx)
                .await?;
        }
        let mut judges: Vec<String> = new.judges.iter().map(|j| j.trim().to_string()).collect();
        judges.retain(|j| !j.is_empty());
        judges.dedup();
        for j in &judges {
            sqlx::query(
                "INSERT INTO tour_judges (tour_id, judge) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(j.clone())
            .execute(&mut *tx)
            .await?;
        }
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "create",
                "tour",
                &id.to_string(),
                None,
                Some(serde_json::json!({
                    "name": name, "held_on": new.held_on, "items": new.items, "judges": judges,
                })),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The tours held from `from` to `to` (inclusive), by date: their ids.
    pub async fn tours_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM tours WHERE held_on >= $1 AND held_on <= $2 ORDER BY held_on, id",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?)
    }

    /// The latest tours (at most 200), or those `judge` is listed on.
    pub async fn tours(&self, judge: Option<&str>) -> Result<Vec<TourRecord>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM tours WHERE $1 IS NULL OR id IN \
             (SELECT tour_id FROM tour_judges WHERE judge = $1) ORDER BY held_on DESC, id DESC LIMIT 200",
        )
        .bind(judge.map(str::to_string))
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(load(&mut conn, id).await?);
        }
        Ok(out)
    }

    /// One tour.
    pub async fn tour(&self, id: i64) -> Result<TourRecord> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// 评分 — writes `sheets` (a judge's sheet of a project replaces the one before), all or
    /// none: each names a project of the tour (by code or name) and, when the tour lists its
    /// judges, one of them; each score within its criterion's full marks. Refused once the
    /// tour is closed. Returns how many were written.
    pub async fn save_score_sheets(
        &self,
        actor: &str,
        tour: i64,
        sheets: &[ScoreSheet],
    ) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        let t = load(&mut tx, tour).await?;
        if t.state != "open" {
            return Err(invalid(format!("“{}”评分已结束，不能再修改评分", t.name)));
        }
        let criteria = t.sheet_criteria();
        let mut rows = Vec::with_capacity(sheets.len());
        let mut errors = Vec::new();
        for s in sheets {
            let wanted = s.project.trim();
            let Some(item) = t
                .items
                .iter()
                .find(|i| i.code == wanted || i.name == wanted)
            else {
                errors.push(format!(
                    "项目“{wanted}”不是本次观摩的项目（{}）",
                    t.items
                        .iter()
                        .map(|i| i.code.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ));
                continue;
            };
            if !t.judges.is_empty() && !t.judges.iter().any(|j| j == s.judge.trim()) {
                errors.push(format!(
                    "“{}”不是本次观摩的评委（评委：{}）",
                    s.judge,
                    t.judges.join("、")
                ));
                continue;
            }
            let mut sheet = s.clone();
            sheet.project = item.code.clone();
            sheet.judge = s.judge.trim().to_string();
            if t.criteria.is_empty() && sheet.total.is_none() {
                sheet.total = sheet.scores.get("总分").copied();
                sheet.scores.clear();
            }
            if let Err(e) = sheet.check(&criteria) {
                errors.push(e);
                continue;
            }
            rows.push(sheet);
        }
        if !errors.is_empty() {
            return Err(invalid(format!(
                "{} 张评分表无法写入，未写入任何评分：\n  {}",
                errors.len(),
                errors.join("\n  ")
            )));
        }
        let at = audit::now();
        for s in &rows {
            let item = item_id(&mut tx, &s.project).await?;
            sqlx::query(
                "INSERT INTO tour_sheets (tour_id, judge, item_id, scores, total, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (tour_id, judge, item_id) DO UPDATE SET scores = excluded.scores, \
                 total = excluded.total, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(tour)
            .bind(s.judge.clone())
            .bind(item)
            .bind(serde_json::to_string(&s.scores).unwrap_or_default())
            .bind(s.total.map(|t| t.to_string()))
            .bind(actor.to_string())
            .bind(at.clone())
            .execute(&mut *tx)
            .await?;
        }
        audit::record(
            &mut tx,
            vec![AuditRecord::values(
                actor,
                &at,
                "score",
                "tour",
                &tour.to_string(),
                None,
                Some(serde_json::json!({ "sheets": rows.len() })),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// 结束评分 (`closed`) or 公布结果 (`published`): a tour moves open → closed → published,
    /// one step at a time; once closed no sheet is written or corrected.
    /// Publishing records duban's `proposals` (绩效库, 负面清单) for the office to confirm.
    pub async fn set_tour_state(
        &self,
        actor: &str,
        tour: i64,
        state: &str,
        proposals: &[Proposal],
    ) -> Result<TourRecord> {
        let mut tx = self.write_tx().await?;
        let t = load(&mut tx, tour).await?;
        let allowed = matches!(
            (t.state.as_str(), state),
            ("open", "closed") | ("closed", "published")
        );
        if !allowed {
            let word = |s: &str| match s {
                "open" => "评分中",
                "closed" => "评分已结束",
                "published" => "结果已公布",
                _ => "未知状态",
            };
            return Err(invalid(format!(
                "“{}”当前{}，不能改为“{}”（先结束评分，再公布结果）",
                t.name,
                word(&t.state),
                word(state)
            )));
        }
        sqlx::query("UPDATE tours SET state = $1 WHERE id = $2")
            .bind(state.to_string())
            .bind(tour)
            .execute(&mut *tx)
            .await?;
        let at = audit::now();
        let mut audits = vec![AuditRecord::values(
            actor,
            &at,
            if state == "closed" { "close" } else { "issue" },
            "tour",
            &tour.to_string(),
            Some(serde_json::json!({ "state": t.state })),
            Some(serde_json::json!({ "state": state })),
        )];
        if state == "published" {
            audits.extend(
                insert_proposals(&mut tx, actor, &at, &format!("tour:{tour}"), proposals).await?,
            );
        }
        audit::record(&mut tx, audits).await?;
        let t = load(&mut tx, tour).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Every score sheet of a tour.
    pub async fn score_sheets(&self, tour: i64) -> Result<Vec<ScoreSheet>> {
        let mut conn = self.pool.acquire().await?;
        sheets(&mut conn, tour).await
    }

    /// 评比结果 — from the sheets as they are.
    pub async fn tour_result(&self, tour: i64) -> Result<(TourRecord, TourResult)> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, tour).await?;
        let sheets = sheets(&mut conn, tour).await?;
        let projects: Vec<(String, String)> = t
            .items
            .iter()
            .map(|i| (i.code.clone(), i.unit.clone()))
            .collect();
        let result = duban_core::tour::result(&projects, &sheets, t.trim);
        Ok((t, result))
    }
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<TourRecord> {
    type Row = (String, String, String, i64, i64, String, String);
    let row: Option<Row> = sqlx::query_as(
        "SELECT name, held_on, criteria, drop_highest, drop_lowest, state, created_by FROM tours WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((name, held_on, criteria, high, low, state, created_by)) = row else {
        return Err(StoreError::NotFound {
            what: "观摩评比",
            key: id.to_string(),
        });
    };
    let corrupt = |d: String| StoreError::Corrupt {
        what: format!("观摩评比 {id}"),
        detail: d,
    };
    let items: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT i.code, i.name, u.name FROM tour_items t JOIN items i ON i.id = t.item_id \
         JOIN units u ON u.id = i.lead_unit_id WHERE t.tour_id = $1 ORDER BY t.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let judges: Vec<String> =
        sqlx::query_scalar("SELECT judge FROM tour_judges WHERE tour_id = $1 ORDER BY judge")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(TourRecord {
        id,
        name,
        held_on: held_on.parse().map_err(|e| corrupt(format!("{e}")))?,
        criteria: serde_json::from_str(&criteria).map_err(|e| corrupt(e.to_string()))?,
        trim: Trim {
            highest: high.max(0) as usize,
            lowest: low.max(0) as usize,
        },
        state,
        items: items
            .into_iter()
            .map(|(code, name, unit)| TourItem { code, name, unit })
            .collect(),
        judges,
        created_by,
    })
}

async fn sheets(conn: &mut AnyConnection, tour: i64) -> Result<Vec<ScoreSheet>> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT s.judge, i.code, s.scores, s.total FROM tour_sheets s JOIN items i ON i.id = s.item_id \
         WHERE s.tour_id = $1 ORDER BY i.code, s.judge",
    )
    .bind(tour)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(judge, project, scores, total)| {
            let corrupt = |d: String| StoreError::Corrupt {
                what: format!("评分表 {judge}/{project}"),
                detail: d,
            };
            let scores: BTreeMap<String, Decimal> =
                serde_json::from_str(&scores).map_err(|e| corrupt(e.to_string()))?;
            let total = total
                .map(|t| t.parse::<Decimal>())
                .transpose()
                .map_err(|e| corrupt(e.to_string()))?;
            Ok(ScoreSheet {
                judge,
                project,
                scores,
                total,
            })
        })
        .collect()
}
