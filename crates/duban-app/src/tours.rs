//! 观摩评比 — who may see and do what on a tour: the office sets, closes and publishes it and
//! sees every sheet; a judge sees only the tours he judges, scores them while they are open,
//! and sees nobody else's scores before the tour is closed; other roles see published results.
//! Publishing proposes 绩效库 and 负面清单 entries from the result.

use std::collections::BTreeMap;

use duban_core::Account;
use duban_core::account::AccountRole;
use duban_core::accountability::from_tour;
use duban_core::tour::{ScoreSheet, TourResult};
use duban_store::{NewTour, Store, TourRecord};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{AppError, AppResult};

/// One tour as `account` may see it.
#[derive(Debug, Clone, Serialize)]
pub struct TourView {
    pub tour: TourRecord,
    /// The result, once the caller may see it: the office always; the judges and readers
    /// once scoring has closed; everyone once published.
    pub result: Option<TourResult>,
    /// The caller's own sheets (a judge's).
    pub my_sheets: Vec<ScoreSheet>,
    /// Whether the caller may score it now.
    pub may_score: bool,
}

fn office(account: &Account) -> AppResult<()> {
    if account.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("观摩评比由督查室设置和管理".into()))
    }
}

fn judges(t: &TourRecord, account: &Account) -> bool {
    t.judges.contains(&account.username)
}

/// Whether `account` may see `t` at all (not seeing is "not found", so nothing leaks).
fn may_see(t: &TourRecord, account: &Account) -> bool {
    match account.role {
        AccountRole::Admin | AccountRole::Viewer => true,
        AccountRole::Judge => judges(t, account),
        AccountRole::Leader | AccountRole::Reporter => t.state == "published",
    }
}

/// The tours `account` may see, latest first.
pub async fn visible(store: &Store, account: &Account) -> AppResult<Vec<TourRecord>> {
    let judge = (account.role == AccountRole::Judge).then_some(account.username.as_str());
    let mut tours = store.tours(judge).await?;
    tours.retain(|t| may_see(t, account));
    Ok(tours)
}

/// One tour as `account` may see it.
pub async fn view(store: &Store, account: &Account, id: i64) -> AppResult<TourView> {
    let not_found = || AppError::NotFound(format!("没有编号为 {id} 的观摩评比"));
    let tour = match store.tour(id).await {
        Ok(t) => t,
        Err(duban_store::StoreError::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    if !may_see(&tour, account) {
        return Err(not_found());
    }
    let sees_result = account.is_admin() || tour.state != "open";
    let sheets = store.score_sheets(id).await?;
    let my_sheets: Vec<ScoreSheet> = sheets
        .iter()
        .filter(|s| s.judge == account.username)
        .cloned()
        .collect();
    let result = sees_result.then(|| {
        let projects: Vec<(String, String)> = tour
            .items
            .iter()
            .map(|i| (i.code.clone(), i.unit.clone()))
            .collect();
        duban_core::tour::result(&projects, &sheets, tour.trim)
    });
    let may_score = tour.state == "open" && judges(&tour, account);
    Ok(TourView {
        tour,
        result,
        my_sheets,
        may_score,
    })
}

/// 新建观摩评比 (the office).
pub async fn create(
    store: &Store,
    account: &Account,
    actor: &str,
    new: &NewTour,
) -> AppResult<i64> {
    office(account)?;
    Ok(store.create_tour(actor, new).await?)
}

/// 评分 — a judge's sheet of one project (his own; he must be listed on the tour), or sheets
/// the office enters for judges who scored on paper.
pub async fn score(
    store: &Store,
    account: &Account,
    actor: &str,
    id: i64,
    sheets: &[ScoreSheet],
) -> AppResult<usize> {
    let v = view(store, account, id).await?;
    if !account.is_admin() {
        if !v.may_score {
            return Err(AppError::Forbidden(format!(
                "“{}”{}",
                v.tour.name,
                if v.tour.state == "open" {
                    "的评委名单中没有您"
                } else {
                    "评分已结束，不能再修改"
                }
            )));
        }
        if sheets.iter().any(|s| s.judge != account.username) {
            return Err(AppError::Forbidden("评委只能填写自己的评分表".into()));
        }
    }
    Ok(store.save_score_sheets(actor, id, sheets).await?)
}

/// 结束评分 (the office): no sheet is written or corrected after.
pub async fn close(
    store: &Store,
    account: &Account,
    actor: &str,
    id: i64,
) -> AppResult<TourRecord> {
    office(account)?;
    if store.score_sheets(id).await?.is_empty() {
        let t = store.tour(id).await?;
        return Err(AppError::Invalid(format!(
            "“{}”还没有任何评分表，不能结束评分（评委在页面评分，或导入纸质评分表）",
            t.name
        )));
    }
    Ok(store.set_tour_state(actor, id, "closed", &[]).await?)
}

/// 公布结果 (the office): the result published, its first and last projects' units and
/// leaders proposed for 绩效库 and 负面清单. Returns the tour and how many were proposed.
pub async fn publish(
    store: &Store,
    account: &Account,
    actor: &str,
    id: i64,
) -> AppResult<(TourRecord, usize)> {
    office(account)?;
    let (t, result) = store.tour_result(id).await?;
    let mut names = BTreeMap::new();
    let mut leaders = BTreeMap::new();
    for i in &t.items {
        names.insert(i.code.clone(), i.name.clone());
        if let Some(item) = store.item(&i.code).await?
            && let Some(l) = item.item.leader
        {
            leaders.insert(i.code.clone(), l.name);
        }
    }
    let proposals = from_tour(&format!("“{}”", t.name), &result, &names, &leaders);
    let t = store
        .set_tour_state(actor, id, "published", &proposals)
        .await?;
    Ok((t, proposals.len()))
}

/// 评比结果 as JSON: each project with its code, name, unit, every judge's total, the totals
/// kept, its average and its rank; then the units.
pub fn result_json(t: &TourRecord, r: &TourResult) -> serde_json::Value {
    let projects: Vec<serde_json::Value> = r
        .projects
        .iter()
        .map(|p| {
            let kept: Vec<Decimal> = p
                .totals
                .iter()
                .filter(|s| s.dropped.is_none())
                .map(|s| s.total)
                .collect();
            let name = t
                .items
                .iter()
                .find(|i| i.code == p.project)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            serde_json::json!({
                "code": p.project, "name": name, "unit": p.unit,
                "scores": p.totals, "kept": kept,
                "average": p.average, "rank": p.rank,
            })
        })
        .collect();
    serde_json::json!({
        "tour": { "id": t.id, "name": t.name, "held_on": t.held_on, "state": t.state },
        "projects": projects,
        "units": r.units,
    })
}
