//! `duban items list` and `duban items show CODE`.

use std::process::ExitCode;

use duban_core::{Item, Wan};
use serde_json::json;

use super::Ctx;
use crate::cli::{ItemsListArgs, ItemsShowArgs, ListFormat, ShowFormat};
use crate::render::{or_dash, print_csv, print_json, table};

fn money(w: Option<Wan>) -> String {
    w.map(|w| w.to_string()).unwrap_or_else(|| "—".into())
}

pub async fn list(ctx: &Ctx, args: ItemsListArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let mut filter = args.filter.to_filter();
    let total = usize::try_from(store.count_filtered(&filter).await?).unwrap_or(0);
    let limit = match (args.limit, args.format) {
        (Some(0), _) | (None, ListFormat::Json | ListFormat::Csv) => None,
        (Some(n), _) => Some(n),
        (None, ListFormat::Table) => Some(50),
    };
    filter.limit = limit;
    let items = if limit.is_some_and(|l| (l as usize) < total) {
        store.items(&filter).await?
    } else {
        filter.limit = None;
        store.items(&filter).await?
    };
    store.close().await;
    match args.format {
        ListFormat::Json => print_json(&items)?,
        ListFormat::Csv => {
            let (headers, rows) = duban_office::ledger_table(&items);
            print_csv(&headers, &rows)?;
        }
        ListFormat::Table => {
            let mut t = table(&[
                "项目编号",
                "项目名称",
                "类型",
                "阶段",
                "牵头单位",
                "总投资(万元)",
                "年度计划(万元)",
                "计划竣工",
                "包抓领导",
            ]);
            for i in &items {
                t.add_row(vec![
                    i.code.clone(),
                    i.name.clone(),
                    i.kind.label().to_string(),
                    or_dash(i.stage.map(|s| s.label().to_string())),
                    i.lead_unit.clone(),
                    money(i.total_investment),
                    money(i.annual_plan),
                    or_dash(i.planned_end.map(|d| d.to_string())),
                    or_dash(i.leader.as_ref().map(ToString::to_string)),
                ]);
            }
            println!("{t}");
            if items.len() < total {
                println!(
                    "共 {total} 项，显示前 {} 项（--limit 0 显示全部，--format csv 可导出）",
                    items.len()
                );
            } else {
                println!("共 {total} 项");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn fields(i: &Item) -> Vec<(&'static str, String)> {
    let opt = |s: &Option<String>| or_dash(s.clone());
    let mut v = vec![
        ("项目编号", i.code.clone()),
        ("项目名称", i.name.clone()),
        ("事项类型", i.kind.label().to_string()),
        ("年度", i.year.to_string()),
        ("项目阶段", or_dash(i.stage.map(|s| s.label().to_string()))),
        ("建设单位", opt(&i.owner)),
        ("建设性质", or_dash(i.nature.map(|s| s.label().to_string()))),
        ("建设地点", opt(&i.location)),
        ("所属区域", opt(&i.region)),
        ("建设规模及内容", opt(&i.scale)),
        ("项目类别", opt(&i.category)),
        ("项目级别", or_dash(i.level.map(|s| s.label().to_string()))),
        ("总投资（万元）", money(i.total_investment)),
        ("年度计划投资（万元）", money(i.annual_plan)),
        (
            "计划开工时间",
            or_dash(i.planned_start.map(|d| d.to_string())),
        ),
        (
            "计划竣工时间",
            or_dash(i.planned_end.map(|d| d.to_string())),
        ),
        ("牵头单位", i.lead_unit.clone()),
        ("配合单位", or_dash(Some(i.co_units.join("、")))),
        (
            "包抓领导",
            or_dash(i.leader.as_ref().map(ToString::to_string)),
        ),
        (
            "是否纳入统计",
            or_dash(
                i.in_statistics
                    .map(|b| if b { "是" } else { "否" }.to_string()),
            ),
        ),
        ("标签", or_dash(Some(i.tags.join("、")))),
        ("备注", opt(&i.notes)),
    ];
    if let Some(p) = &i.monthly_plan {
        let months: Vec<String> =
            p.0.iter()
                .enumerate()
                .map(|(m, w)| format!("{}月 {w}", m + 1))
                .collect();
        v.push(("1–N月累计计划（万元）", months.join("，")));
    }
    for (k, val) in &i.extra {
        v.push(("其他", format!("{k}：{val}")));
    }
    v
}

pub async fn show(ctx: &Ctx, args: ItemsShowArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let Some(record) = store.item(&args.code).await? else {
        anyhow::bail!(
            "没有编号为“{}”的项目（用 duban items list --search 关键词 查找）",
            args.code
        );
    };
    let audit = store.audit_trail("item", &record.item.code).await?;
    store.close().await;
    match args.format {
        ShowFormat::Json => {
            let mut v = serde_json::to_value(&record)?;
            v["audit"] = json!(audit);
            print_json(&v)?;
        }
        ShowFormat::Table => {
            let mut t = table(&["字段", "内容"]);
            for (k, v) in fields(&record.item) {
                t.add_row(vec![k.to_string(), v]);
            }
            println!("{t}");
            if !record.milestones.is_empty() {
                let mut t = table(&["节点", "计划完成", "实际完成"]);
                for m in &record.milestones {
                    t.add_row(vec![
                        m.name.clone(),
                        or_dash(m.planned.map(|d| d.to_string())),
                        or_dash(m.actual.map(|d| d.to_string())),
                    ]);
                }
                println!("节点计划\n{t}");
            }
            let mut t = table(&["时间 (UTC)", "操作人", "操作", "变更"]);
            for a in &audit {
                let change = match (&a.before, &a.after) {
                    (Some(_), Some(after)) => after
                        .as_object()
                        .map(|o| o.keys().cloned().collect::<Vec<_>>().join("、"))
                        .unwrap_or_default(),
                    (None, Some(_)) => "新建".into(),
                    _ => String::new(),
                };
                t.add_row(vec![
                    a.at.clone(),
                    a.actor.clone(),
                    a.action.clone(),
                    change,
                ]);
            }
            println!("修改记录\n{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
