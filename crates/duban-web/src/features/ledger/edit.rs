//! 项目维护 — the office adds, edits, archives and restores one item in the browser, and
//! keeps its milestones: edited as a table, planned backwards (倒排工期) from a template and a
//! target date, and a unit's draft plan approved. Every unit and leader is chosen from the
//! directory; every change is validated as an import row and audited with its reason.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use duban_core::{Item, ItemKind, Leader, Milestone, MoneyUnit, PlanDate, Stage, Wan};
use duban_store::Archiving;
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::features::ledger::visible_item;
use crate::page::{PageResult, Visitor, field, message, page, render, ser};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items/new", get(new_page).post(save_new))
        .route("/items/{code}/edit", get(edit_page).post(save_edit))
        .route("/items/{code}/archive", post(archive))
        .route("/items/{code}/restore", post(restore))
        .route("/items/{code}/milestones", post(save_milestones))
        .route("/items/{code}/plan", post(plan))
        .route("/items/{code}/plan/approve", post(approve_plan))
}

/// The choices of the form: units and leaders from the directory, kinds and stages.
async fn choices(s: &AppState) -> PageResult<minijinja::Value> {
    let units = s.store.units().await?;
    let leaders = s.store.leaders().await?;
    Ok(context! {
        units => units.iter().map(|u| u.unit.name.clone()).collect::<Vec<_>>(),
        regions => units.iter().filter(|u| u.unit.kind == duban_core::UnitKind::Region).map(|u| u.unit.name.clone()).collect::<Vec<_>>(),
        leaders => leaders.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
        kinds => ItemKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
        stages => Stage::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
    })
}

fn office_only(c: &crate::auth::Caller) -> PageResult<()> {
    if c.account.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("只有督查室可以新增、修改和归档项目").into())
    }
}

async fn form_page(s: &AppState, c: &crate::auth::Caller, item: Option<&Item>) -> PageResult {
    office_only(c)?;
    let title = if item.is_some() {
        "修改项目"
    } else {
        "新增项目"
    };
    let ctx = page(c, title, "items", false);
    let choices = choices(s).await?;
    render(
        s,
        "item_edit.html",
        context! {
            item => item.map(ser), choices,
            kind => item.map(|i| i.kind.label()), stage => item.and_then(|i| i.stage.map(|s| s.label())),
            leader => item.and_then(|i| i.leader.as_ref().map(|l| l.to_string())),
            total => item.and_then(|i| i.total_investment.map(|w| w.to_string())),
            plan => item.and_then(|i| i.annual_plan.map(|w| w.to_string())),
            start => item.and_then(|i| i.planned_start.map(|d| d.to_string())),
            end => item.and_then(|i| i.planned_end.map(|d| d.to_string())),
            year => item.map(|i| i.year).unwrap_or_else(|| chrono::Datelike::year(&crate::today())),
            ..ctx
        },
    )
}

async fn new_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    form_page(&s, &c, None).await
}

async fn edit_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
) -> PageResult {
    let record = visible_item(&s, &c, &code).await?;
    form_page(&s, &c, Some(&record.item)).await
}

/// The fields of the item form (all text, as browsers send them).
#[derive(Deserialize, Default)]
struct ItemForm {
    name: Option<String>,
    kind: Option<String>,
    year: Option<String>,
    lead_unit: Option<String>,
    region: Option<String>,
    leader: Option<String>,
    stage: Option<String>,
    owner: Option<String>,
    scale: Option<String>,
    total_investment: Option<String>,
    annual_plan: Option<String>,
    planned_start: Option<String>,
    planned_end: Option<String>,
    tags: Option<String>,
    notes: Option<String>,
    reason: Option<String>,
}

impl ItemForm {
    /// The item the form describes (over `base`, whose other fields stay), or every field
    /// that is wrong, by its label. Units and leaders must be in the directory.
    fn item(
        self,
        base: Option<Item>,
        units: &[String],
        leaders: &[Leader],
    ) -> Result<(Item, String), Vec<String>> {
        let mut errors = Vec::new();
        let mut bad = |label: &str, e: String| errors.push(format!("{label}：{e}"));
        let name = field(self.name).unwrap_or_default();
        if name.is_empty() {
            bad("项目名称", "不能为空".into());
        }
        let kind = match field(self.kind).map(|k| ItemKind::parse(&k)) {
            Some(Ok(k)) => k,
            Some(Err(e)) => {
                bad("类型", e.to_string());
                ItemKind::Project
            }
            None => base.as_ref().map_or(ItemKind::Project, |b| b.kind),
        };
        let year = match field(self.year).map(|y| y.parse::<i32>()) {
            Some(Ok(y)) if (2000..=2100).contains(&y) => y,
            Some(_) => {
                bad("年度", "应为四位年份，如 2025".into());
                2000
            }
            None => base.as_ref().map_or(2000, |b| b.year),
        };
        let in_directory =
            |label: &str, v: Option<String>, errors: &mut Vec<String>| -> Option<String> {
                let v = field(v)?;
                if units.contains(&v) {
                    Some(v)
                } else {
                    errors.push(format!("{label}：“{v}”不在单位名录中，请从列表中选择"));
                    None
                }
            };
        let lead_unit = in_directory("牵头单位", self.lead_unit, &mut errors);
        if lead_unit.is_none() && errors.iter().all(|e| !e.starts_with("牵头单位")) {
            errors.push("牵头单位：请从单位名录中选择".into());
        }
        let region = in_directory("所在县区", self.region, &mut errors);
        let leader = match field(self.leader) {
            None => None,
            Some(l) => match leaders.iter().find(|x| x.to_string() == l) {
                Some(x) => Some(x.clone()),
                None => {
                    errors.push(format!("包抓领导：“{l}”不在领导名录中，请从列表中选择"));
                    None
                }
            },
        };
        let mut money = |label: &str, v: Option<String>| {
            field(v).and_then(|t| match Wan::parse(&t, MoneyUnit::Wan) {
                Ok(w) => Some(w),
                Err(e) => {
                    errors.push(format!("{label}：{e}"));
                    None
                }
            })
        };
        let total = money("总投资（万元）", self.total_investment);
        let plan = money("年度计划投资（万元）", self.annual_plan);
        let mut date = |label: &str, v: Option<String>| {
            field(v).and_then(|t| match PlanDate::parse(&t) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(format!("{label}：{e}"));
                    None
                }
            })
        };
        let start = date("计划开工", self.planned_start);
        let end = date("计划竣工", self.planned_end);
        let stage = match field(self.stage).map(|s| Stage::parse(&s)) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                errors.push(format!("项目阶段：{e}"));
                None
            }
            None => None,
        };
        let reason = field(self.reason).unwrap_or_default();
        if reason.is_empty() {
            errors.push("修改原因：请说明为什么新增或修改".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut item = base.unwrap_or_else(|| Item::new(year, kind, "", ""));
        item.name = name;
        item.kind = kind;
        item.year = year;
        item.lead_unit = lead_unit.unwrap_or_default();
        item.region = region;
        item.leader = leader;
        item.stage = stage;
        item.owner = field(self.owner);
        item.scale = field(self.scale);
        item.total_investment = total;
        item.annual_plan = plan;
        item.planned_start = start;
        item.planned_end = end;
        item.tags = field(self.tags)
            .map(|t| {
                t.split(['、', ',', '，', ';', '；'])
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        item.notes = field(self.notes);
        // The item's own rules, as an import checks them.
        if let Some(p) = item.validate().first() {
            return Err(vec![format!("{}：{}", p.field, p.message)]);
        }
        Ok((item, reason))
    }
}

async fn save(
    s: &AppState,
    c: &crate::auth::Caller,
    base: Option<Item>,
    f: ItemForm,
) -> PageResult<Response> {
    office_only(c)?;
    let units: Vec<String> = s
        .store
        .units()
        .await?
        .into_iter()
        .map(|u| u.unit.name)
        .collect();
    let leaders = s.store.leaders().await?;
    let (item, reason) = f
        .item(base, &units, &leaders)
        .map_err(|e| ApiError::invalid(format!("未保存，请改正：\n{}", e.join("\n"))))?;
    let (account, actor) = (c.account.clone(), c.actor());
    // The ledger's write path runs on a thread of its own (see `detached`).
    let code = crate::detached(s.store.clone(), move |store| async move {
        duban_app::items::save(&store, &account, &actor, item, &reason).await
    })
    .await?;
    // htmx goes on to the item's page (a redirect would be followed by the request itself).
    let said = message(s, vec![format!("已保存 {code}")])?;
    Ok(([("hx-redirect", format!("/items/{code}"))], said).into_response())
}

async fn save_new(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Form(f): Form<ItemForm>,
) -> PageResult<Response> {
    save(&s, &c, None, f).await
}

async fn save_edit(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    Form(f): Form<ItemForm>,
) -> PageResult<Response> {
    let record = visible_item(&s, &c, &code).await?;
    save(&s, &c, Some(record.item), f).await
}

#[derive(Deserialize)]
struct ReasonForm {
    reason: Option<String>,
}

async fn archive_as(
    s: &AppState,
    c: &crate::auth::Caller,
    code: &str,
    how: Archiving,
    f: ReasonForm,
) -> PageResult {
    duban_app::items::archive(
        &s.store,
        &c.account,
        &c.actor(),
        code,
        how,
        &field(f.reason).unwrap_or_default(),
    )
    .await?;
    message(
        s,
        vec![match how {
            Archiving::Archive => {
                format!("已归档 {code}：不再列入台账、预警和排名，记录保留，可随时恢复")
            }
            Archiving::Restore => format!("已恢复 {code}：重新列入台账"),
        }],
    )
}

async fn archive(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    archive_as(&s, &c, &code, Archiving::Archive, f).await
}

async fn restore(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    archive_as(&s, &c, &code, Archiving::Restore, f).await
}

/// The milestone table as the browser sends it: `name`, `planned`, `actual` repeated per row.
async fn save_milestones(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let mut plan: Vec<Milestone> = Vec::new();
    let mut errors = Vec::new();
    let day = |label: &str, v: &str, row: usize, errors: &mut Vec<String>| -> Option<NaiveDate> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        v.parse()
            .map_err(|_| errors.push(format!("第 {row} 行 {label}：应为日期，如 2025-10-31")))
            .ok()
    };
    for (k, v) in &pairs {
        match k.as_str() {
            "name" => plan.push(Milestone {
                name: v.trim().to_string(),
                planned: None,
                actual: None,
                baseline: None,
            }),
            "planned" | "actual" => {
                let row = plan.len();
                let d = day(
                    if k == "planned" {
                        "计划时间"
                    } else {
                        "实际时间"
                    },
                    v,
                    row,
                    &mut errors,
                );
                if let Some(m) = plan.last_mut() {
                    if k == "planned" {
                        m.planned = d
                    } else {
                        m.actual = d
                    }
                }
            }
            _ => {}
        }
    }
    plan.retain(|m| !(m.name.is_empty() && m.planned.is_none() && m.actual.is_none()));
    if !errors.is_empty() {
        return Err(ApiError::invalid(format!("节点计划未保存：\n{}", errors.join("\n"))).into());
    }
    let (account, actor) = (c.account.clone(), c.actor());
    let saved = crate::detached(s.store.clone(), move |store| async move {
        duban_app::items::set_milestones(&store, &account, &actor, &code, plan).await
    })
    .await?;
    message(&s, vec![format!("已保存节点计划：{} 个节点", saved.len())])
}

#[derive(Deserialize)]
struct PlanForm {
    template: Option<String>,
    target: Option<String>,
    start: Option<String>,
}

/// 倒排工期 from the item page.
async fn plan(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
    Form(f): Form<PlanForm>,
) -> PageResult {
    let target = field(f.target)
        .ok_or_else(|| ApiError::invalid("目标日期：请选择节点链的最后期限"))?
        .parse::<NaiveDate>()
        .map_err(|_| ApiError::invalid("目标日期：应为日期，如 2026-06-30"))?;
    let start = field(f.start)
        .map(|d| d.parse::<NaiveDate>())
        .transpose()
        .map_err(|_| ApiError::invalid("开始日期：应为日期，如 2025-03-01"))?;
    let (account, actor) = (c.account.clone(), c.actor());
    let template = field(f.template).unwrap_or_else(|| "建设".into());
    let plan = crate::detached(s.store.clone(), move |store| async move {
        duban_app::items::plan_milestones(&store, &account, &actor, &code, &template, start, target)
            .await
    })
    .await?;
    message(
        &s,
        vec![format!(
            "已倒排工期：{}",
            plan.iter()
                .map(|m| format!(
                    "{} {}",
                    m.name,
                    m.planned.map(|d| d.to_string()).unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join("，")
        )],
    )
}

async fn approve_plan(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
) -> PageResult {
    let (account, actor) = (c.account.clone(), c.actor());
    let plan = crate::detached(s.store.clone(), move |store| async move {
        duban_app::items::approve_plan(&store, &account, &actor, &code).await
    })
    .await?;
    message(
        &s,
        vec![format!(
            "已审定节点计划（{} 个节点），此后调整须经延期审批",
            plan.len()
        )],
    )
}
