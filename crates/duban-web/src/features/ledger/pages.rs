//! 项目台账 as pages: the list (its table rendered once per data version and query, and
//! shared), the item page, and the list exported as the office's .xlsx.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Datelike;
use duban_core::{ItemKind, Stage};
use duban_store::ItemFilter;
use minijinja::{Value, context};

use super::visible_item;
use crate::error::ApiError;
use crate::page::{PageError, PageResult, Visitor, encode, page, pct, render, ser, wan, xlsx};
use crate::select::{ItemQuery, SortKey, as_of_for, select};
use crate::templates::script_json;
use crate::{AppState, today};

/// The query as a URL query string; without `sort` when `with_sort` is false (the column
/// headers add their own).
fn query_string(q: &ItemQuery, with_sort: bool) -> String {
    let none = None;
    let pairs = [
        ("search", &q.search),
        ("kind", &q.kind),
        ("stage", &q.stage),
        ("colour", &q.colour),
        ("unit", &q.unit),
        ("leader", &q.leader),
        ("year", &q.year),
        ("meeting", &q.meeting),
        ("tag", &q.tag),
        ("sort", if with_sort { &q.sort } else { &none }),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(super) async fn items_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<ItemQuery>,
) -> PageResult {
    let snap = s.status.get(&s.store, as_of_for(&q, today())?).await?;
    let query = query_string(&q, true);
    let base = query_string(&q, false);
    let (sort, desc) = SortKey::parse(q.sort.as_deref())?;
    // The sortable headers: a click sorts by the column, a second click the other way.
    let headers: Vec<Value> = [
        ("灯", "lag", ""),
        ("项目编号", "code", ""),
        ("项目名称", "name", ""),
        ("类型", "kind", "hide-narrow"),
        ("责任单位", "unit", ""),
        ("包抓领导", "leader", "hide-narrow"),
        ("阶段", "stage", "hide-narrow"),
        ("总投资（万元）", "total", "num hide-narrow"),
        ("年度计划（万元）", "plan", "num"),
        ("序时进度", "t", "num"),
        ("完成进度", "p", "num"),
    ]
    .iter()
    .map(|&(label, key, class)| {
        let this = SortKey::parse(Some(key)).map(|k| k.0).ok() == Some(sort);
        let next = if this && !desc {
            format!("-{key}")
        } else {
            key.to_string()
        };
        let sep = if base.is_empty() { "" } else { "&" };
        context! { label, class, query => format!("{base}{sep}sort={next}"),
        mark => if this { if desc { "▼" } else { "▲" } } else { "" } }
    })
    .collect();
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
            context! { rows, headers, page => p.page, pages => p.total.div_ceil(p.per_page).max(1),
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
            unit => &q.unit, leader => &q.leader, year => &q.year, meeting => &q.meeting,
            tag => &q.tag, sort => &q.sort },
        query,
        kinds => ItemKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
        stages => Stage::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(), ..ctx },
    )
}

pub(super) async fn export(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<ItemQuery>,
) -> PageResult<Response> {
    let snap = s.status.get(&s.store, as_of_for(&q, today())?).await?;
    // The rows as the page lists them (filter and order), each with its status as officials
    // print it beside the ledger: 灯, 序时进度, 累计完成, 完成率, 形象进度, 存在问题.
    let order: Vec<String> = select(&snap, &c.account, &q, false)?
        .rows
        .iter()
        .map(|(i, _)| i.code.clone())
        .collect();
    // The rows shown, read by code; most of the year, the year at once.
    let read = if order.len() <= snap.rows.len() / 2 {
        let codes: Vec<&str> = order.iter().map(String::as_str).collect();
        s.store.item_records_of(&codes).await?
    } else {
        s.store
            .item_records(&ItemFilter {
                year: Some(snap.as_of.year()),
                ..Default::default()
            })
            .await?
    };
    let mut records: std::collections::HashMap<String, duban_store::ItemRecord> =
        read.into_iter().map(|r| (r.item.code.clone(), r)).collect();
    let records: Vec<duban_store::ItemRecord> =
        order.iter().filter_map(|c| records.remove(c)).collect();
    let texts = s
        .store
        .latest_report_texts(snap.as_of.year(), snap.as_of)
        .await?;
    let status: Vec<duban_office::StatusCells> = records
        .iter()
        .map(|r| status_cells(&snap, &r.item.code, texts.get(&r.item.code)))
        .collect();
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = dir.path().join("台账.xlsx");
    let title = duban_app::ledger_io::export_with_status(&path, records, &status, today())
        .map_err(ApiError::internal)?;
    let bytes = std::fs::read(&path).map_err(ApiError::internal)?;
    Ok(xlsx(bytes, &format!("{title}.xlsx")))
}

/// One item's status cells for the export, from the snapshot, its open problems and what it
/// last reported.
fn status_cells(
    snap: &crate::dashboard::Snapshot,
    code: &str,
    texts: Option<&(Option<String>, Option<String>)>,
) -> duban_office::StatusCells {
    let Some(n) = snap.row_of(code) else {
        return duban_office::StatusCells::default();
    };
    let st = &snap.rows[n].1;
    let open: Vec<&str> = snap
        .problems
        .iter()
        .filter(|p| p.code == code && p.state != duban_core::ProblemState::Closed)
        .map(|p| p.description.as_str())
        .collect();
    let percent = |d: Option<rust_decimal::Decimal>| {
        duban_core::rates::format_percent(d).replace("无数据", "")
    };
    duban_office::StatusCells {
        lamp: match st.colour {
            duban_core::Colour::Red => "红",
            duban_core::Colour::Yellow => "黄",
            duban_core::Colour::Green => "绿",
        }
        .into(),
        time_progress: percent(Some(st.t)),
        done: snap.ytd[n],
        completion: percent(st.p),
        progress: texts.and_then(|t| t.0.clone()).unwrap_or_default(),
        problems: if open.is_empty() {
            texts.and_then(|t| t.1.clone()).unwrap_or_default()
        } else {
            open.join("；")
        },
    }
}

pub(super) async fn item_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Path(code): Path<String>,
) -> PageResult {
    let record = visible_item(&s, &c, &code).await?;
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
        .map(|a| ser(duban_app::changes::readable(&a)))
        .collect();
    let as_of = snap.as_of;
    let milestones: Vec<Value> = record
        .milestones
        .iter()
        .map(|m| {
            context! { name => &m.name, planned => m.planned.map(|d| d.to_string()), actual => m.actual.map(|d| d.to_string()),
                baseline => m.baseline.map(|d| d.to_string()), extended => m.extended(),
                overdue => m.actual.is_none() && m.planned.is_some_and(|p| p < as_of) }
        })
        .collect();
    let chart_json = script_json(&serde_json::json!({
        "milestones": milestones,
        "start": record.item.planned_start.map(|d| d.first_day()),
    }));
    let work = super::work::context(&s, &c, &record).await?;
    let i = &record.item;
    let ctx = page(&c, &i.name, "items", true);
    render(
        &s,
        "item.html",
        context! {
        work, item => ser(i), status => ser(&status), reports => ser(&reports), problems, audit, milestones, chart_json,
        kind => i.kind.label(), stage => i.stage.map(|s| s.label()).unwrap_or("—"),
        nature => i.nature.map(|n| n.label()).unwrap_or("—"),
        leader => i.leader.as_ref().map(|l| l.to_string()).unwrap_or_else(|| "—".into()),
        total => wan(i.total_investment), plan => wan(i.annual_plan),
        in_statistics => match i.in_statistics { Some(true) => "是", Some(false) => "否", None => "—" }, ..ctx },
    )
}
