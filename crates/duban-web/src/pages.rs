//! 页面 — the Chinese UI: 总览, 项目台账, the item page, 进度填报, 问题清单 and the
//! administration pages. Server-rendered; htmx sends the forms (with the CSRF header) and
//! swaps in the answer; the same checks as the API apply, through the same functions.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Datelike;
use duban_core::{ItemKind, Stage};
use duban_store::{ImportOptions, ItemFilter};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::api;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::page::{
    PageError, PageResult, Visitor, about_upload, encode, page, pct, render, ser, upload, wan, xlsx,
};
use crate::select::{ItemQuery, select};
use crate::templates::script_json;
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items", get(items))
        .route("/items/export.xlsx", get(export))
        .route("/items/import", post(import_dry_run))
        .route("/items/import/confirm", post(import_confirm))
        .route("/items/{code}", get(item))
}

// ---- 项目台账 ----

fn query_string(q: &ItemQuery) -> String {
    let pairs = [
        ("search", &q.search),
        ("kind", &q.kind),
        ("stage", &q.stage),
        ("colour", &q.colour),
        ("unit", &q.unit),
        ("sort", &q.sort),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn items(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<ItemQuery>,
) -> PageResult {
    let snap = s.status.get(&s.store, today()).await?;
    let query = query_string(&q);
    // The table depends only on what the account may see and the query: rendered once
    // per data version and shared.
    let key = format!(
        "{:?}|{query}|{:?}|{:?}",
        c.account.visibility(),
        q.page,
        q.per_page
    );
    let (table, total) = snap.table(key, || {
        let p = select(&snap, &c.account, &q, true)?;
        let rows: Vec<Value> = p
            .rows
            .iter()
            .map(|(i, st)| {
                context! {
                    code => &i.code, name => &i.name, kind => i.kind.label(),
                    unit => &i.lead_unit,
                    leader => i.leader.as_ref().map(|l| l.to_string()).unwrap_or_default(),
                    stage => i.stage.map(|s| s.label()).unwrap_or("—"),
                    total => wan(i.total_investment), plan => wan(i.annual_plan),
                    t => pct(Some(st.t)), p => pct(st.p),
                    colour => ser(st.colour), colour_label => st.colour.label(),
                }
            })
            .collect();
        let html = render(
            &s,
            "items_table.html",
            context! { rows, page => p.page, pages => p.total.div_ceil(p.per_page).max(1),
            query => &query },
        )?;
        Ok::<_, PageError>((html.0, p.total))
    })?;
    let ctx = page(&c, "项目台账", "items", false);
    render(
        &s,
        "items.html",
        context! { table => &*table, total, as_of => snap.as_of.to_string(),
        q => context!{
            search => &q.search, kind => &q.kind, stage => &q.stage, colour => &q.colour,
            unit => &q.unit, sort => &q.sort },
        query,
        kinds => ItemKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
        stages => Stage::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(), ..ctx },
    )
}

async fn export(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<ItemQuery>,
) -> PageResult<Response> {
    let snap = s.status.get(&s.store, today()).await?;
    let codes: std::collections::HashSet<String> = select(&snap, &c.account, &q, false)?
        .rows
        .iter()
        .map(|(i, _)| i.code.clone())
        .collect();
    let records: Vec<_> = s
        .store
        .item_records(&ItemFilter {
            year: Some(snap.as_of.year()),
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|r| codes.contains(&r.item.code))
        .collect();
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = dir.path().join("台账.xlsx");
    let title =
        duban_app::ledger_io::export(&path, &records, None, today()).map_err(ApiError::internal)?;
    let bytes = std::fs::read(&path).map_err(ApiError::internal)?;
    Ok(xlsx(bytes, &format!("{title}.xlsx")))
}

/// Reads a ledger and imports it (or checks it, with `dry_run`); the summary in words.
async fn import_file(
    s: &AppState,
    c: &Caller,
    path: &std::path::Path,
    dry_run: bool,
) -> ApiResult<Result<String, Vec<String>>> {
    let opts = duban_office::ReadOptions {
        sheet: None,
        year: None,
        kind: None,
        fallback_year: today().year(),
    };
    let path_owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || {
        duban_office::read_ledger(&path_owned, &opts, &mut |_, _| {})
    })
    .await
    .map_err(ApiError::internal)?;
    let mut read = match read {
        Ok(r) => r,
        Err(e) => return Ok(Err(vec![about_upload(e, path)])),
    };
    if !read.errors.is_empty() {
        return Ok(Err(read
            .errors
            .iter()
            .map(|e| about_upload(e, path))
            .collect()));
    }
    let entries = duban_app::ledger_io::ledger_entries(&mut read, today());
    let options = ImportOptions {
        actor: c.actor(),
        dry_run,
    };
    let summary = crate::detached(s.store.clone(), move |store| async move {
        store.import_ledger(entries, &options).await
    })
    .await?;
    Ok(Ok(format!(
        "{}新增 {} 项，更新 {} 项，未变化 {} 项；新建单位 {} 个，新建包抓领导 {} 位{}",
        if dry_run {
            "检查通过（尚未写入）：将"
        } else {
            "导入完成："
        },
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.new_units.len(),
        summary.new_leaders.len(),
        if summary.reports > 0 {
            format!("；累计完成投资记为进度报告 {} 条", summary.reports)
        } else {
            String::new()
        }
    )))
}

async fn import_dry_run(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    form: Multipart,
) -> PageResult {
    c.require_admin()?;
    let (dir, path, _) = upload(form).await?;
    let result = import_file(&s, &c, &path, true).await?;
    let (summary, errors, upload) = match result {
        Ok(summary) => {
            let id = duban_store::secret();
            s.pending
                .lock()
                .expect("pending uploads")
                .insert(id.clone(), (dir, path, c.account.username.clone()));
            (summary, Vec::new(), Some(id))
        }
        Err(errors) => (String::new(), errors, None),
    };
    render(
        &s,
        "import_result.html",
        context! { summary, errors, upload },
    )
}

#[derive(Deserialize)]
struct ConfirmForm {
    upload: String,
}

async fn import_confirm(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Form(f): Form<ConfirmForm>,
) -> PageResult {
    c.require_admin()?;
    let (_dir, path, owner) = s
        .pending
        .lock()
        .expect("pending uploads")
        .remove(&f.upload)
        .ok_or_else(|| ApiError::not_found("上传的文件已失效，请重新选择文件试导入"))?;
    if owner != c.account.username {
        return Err(ApiError::forbidden("只能确认自己上传的文件").into());
    }
    let result = import_file(&s, &c, &path, false).await?;
    let (summary, errors) = match result {
        Ok(summary) => (summary, Vec::new()),
        Err(errors) => (String::new(), errors),
    };
    render(&s, "import_result.html", context! { summary, errors })
}

// ---- the item page ----

async fn item(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
) -> PageResult {
    let record = api::visible_item(&s, &c, &code).await?;
    let snap = s.status.get(&s.store, today()).await?;
    let status = snap.status_of(&code).map(|(i, st)| st.row(i));
    let reports = s.store.report_history(&code).await?;
    let problems: Vec<Value> = s
        .store
        .problems(&duban_store::ProblemFilter {
            code: Some(code.clone()),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|p| {
            context! { id => p.id, category => p.category.label(), description => p.description,
                listed => p.listed, state => p.state.label(), unit => &p.assigned_unit, due => p.due.map(|d| d.to_string()) }
        })
        .collect();
    let audit: Vec<Value> = s
        .store
        .audit_trail("item", &code)
        .await?
        .into_iter()
        .rev()
        .take(30)
        .map(|a| {
            let change = a.after.as_ref().map(|v| {
                let t = v.to_string();
                t.chars().take(160).collect::<String>()
            });
            context! { at => a.at, actor => a.actor, action => a.action, change }
        })
        .collect();
    let as_of = snap.as_of;
    let milestones: Vec<Value> = record
        .milestones
        .iter()
        .map(|m| {
            context! { name => &m.name, planned => m.planned.map(|d| d.to_string()), actual => m.actual.map(|d| d.to_string()),
                overdue => m.actual.is_none() && m.planned.is_some_and(|p| p < as_of) }
        })
        .collect();
    let chart_json = script_json(&serde_json::json!({
        "milestones": milestones,
        "start": record.item.planned_start.map(|d| d.first_day()),
    }));
    let i = &record.item;
    let ctx = page(&c, &i.name, "items", true);
    render(
        &s,
        "item.html",
        context! {
        item => ser(i), status => ser(&status), reports => ser(&reports), problems, audit, milestones, chart_json,
        kind => i.kind.label(), stage => i.stage.map(|s| s.label()).unwrap_or("—"),
        nature => i.nature.map(|n| n.label()).unwrap_or("—"),
        leader => i.leader.as_ref().map(|l| l.to_string()).unwrap_or_else(|| "—".into()),
        total => wan(i.total_investment), plan => wan(i.annual_plan),
        in_statistics => match i.in_statistics { Some(true) => "是", Some(false) => "否", None => "—" }, ..ctx },
    )
}
