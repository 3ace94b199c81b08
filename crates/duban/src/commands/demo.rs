//! `duban demo` — a deterministic demo ledger written through the normal import path.

use std::process::ExitCode;
use std::time::Instant;

use chrono::Datelike;
use duban_core::{Period, ReportDraft};
use duban_demo::{DEMO_CITY, DemoProblem, Scale, generate, problems, reports};
use duban_store::{ImportOptions, LedgerEntry, Submission};
use indicatif::ProgressBar;

use super::{Ctx, today};
use crate::cli::{DemoArgs, DemoScale};

pub async fn run(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let lines = load(&store, &ctx.actor, &args, &ctx.database_url).await?;
    store.close().await;
    for l in lines {
        println!("{l}");
    }
    println!(
        "下一步：duban items list    duban status    duban units list    duban export ledger -o 台账.xlsx"
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the demo into `store`; what was written, in lines for people.
pub async fn load(
    store: &duban_store::Store,
    actor: &str,
    args: &DemoArgs,
    database: &str,
) -> anyhow::Result<Vec<String>> {
    let scale = match (args.items, args.scale) {
        (Some(n), _) => Scale::Items(n as usize),
        (None, DemoScale::City) => Scale::City,
        (None, DemoScale::Province) => Scale::Province,
        (None, DemoScale::National) => Scale::National,
    };
    let year = args.year.unwrap_or_else(|| today().year());
    let started = Instant::now();
    let mut demo = generate(scale, args.seed, year);
    let today = today();
    // A year of monthly reports, up to the last period closed by today.
    let until = match year.cmp(&today.year()) {
        std::cmp::Ordering::Less => Period::month(year, 12),
        std::cmp::Ordering::Equal => Some(duban_store::Schedule::default().last_closed(today)),
        std::cmp::Ordering::Greater => None,
    };
    let demo_reports = until
        .map(|u| reports(&demo, args.seed, u))
        .unwrap_or_default();
    let demo_problems = problems(
        &demo,
        args.seed,
        today.min(duban_core::date::month_end(year, 12)),
    );
    let demo_tasks = duban_demo::tasks(
        &demo,
        args.seed,
        today.min(duban_core::date::month_end(year, 12)),
    );
    let spinner = ProgressBar::new_spinner()
        .with_message(format!("写入演示数据（{} 项）…", demo.items.len()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let added = store.ensure_units(actor, &demo.units).await?;
    let listed = std::mem::take(&mut demo.listed);
    let entries: Vec<LedgerEntry> = demo
        .items
        .into_iter()
        .map(|(item, ms)| {
            let listed_on = listed.get(&item.code).copied();
            let mut e = LedgerEntry::whole(item, Some(ms));
            e.listed_on = listed_on;
            e
        })
        .collect();
    let summary = store
        .import_ledger(
            entries,
            &ImportOptions {
                actor: actor.to_string(),
                dry_run: false,
            },
        )
        .await;
    spinner.finish_and_clear();
    let summary = summary?;
    let reported = if store.count_reports().await? == 0 {
        let submissions = as_submissions(demo_reports);
        store.import_reports(actor, submissions).await?
    } else {
        0
    };
    let raised = if store.problems(&Default::default()).await?.is_empty() {
        drive_problems(store, actor, demo_problems).await?
    } else {
        0
    };
    let mut lines = vec![format!(
        "演示数据（{DEMO_CITY}，{year} 年，种子 {}）已写入 {}：新增 {} 项，更新 {} 项，未变化 {} 项；新建单位 {} 个；用时 {:.1} 秒",
        args.seed,
        database,
        summary.created,
        summary.updated,
        summary.unchanged,
        added.len() + summary.new_units.len(),
        started.elapsed().as_secs_f64()
    )];
    if raised > 0 {
        lines.push(format!("问题清单：{raised} 个（各种状态都有，部分逾期）"));
    }
    if reported > 0 {
        lines.push(format!(
            "进度报告：{reported} 条（1 月至 {}，含迟报和漏报）",
            until.map(|u| u.to_string()).unwrap_or_default()
        ));
    }
    // The meeting tasks among the items are handed down (会议交办), as a confirmation does.
    let handed = duban_app::meetings::hand_down_meeting_items(store, actor, today).await?;
    if handed > 0 {
        lines.push(format!("交办事项：{handed} 项（会议议定事项，待签收）"));
    }
    // Tasks of instructions, audits and letters, moved as far as their days allow.
    let tasks = super::demo_supervision::drive_tasks(store, actor, demo_tasks).await?;
    if tasks > 0 {
        lines.push(format!(
            "交办事项：{tasks} 项（领导批示、审计整改、来函等，有待签收、办理中、申请办结、已办结和退回的）"
        ));
    }
    let contacts =
        super::demo_supervision::write_contacts(store, actor, duban_demo::contacts(args.seed))
            .await?;
    if contacts > 0 {
        lines.push(format!(
            "通讯录：{contacts} 个单位和领导（联络员、手机、邮箱）"
        ));
    }
    Ok(lines)
}

/// Raises the demo problems and moves each to its state, through the same rules as users.
pub(crate) async fn drive_problems(
    store: &duban_store::Store,
    actor: &str,
    list: Vec<DemoProblem>,
) -> anyhow::Result<usize> {
    use duban_core::{Move, ProblemState as S, Role};
    let office = Role::Office;
    for p in &list {
        let lead = Role::Unit(p.unit.clone());
        let unit = Role::Unit(p.assigned.clone());
        let raised = store
            .raise_problem(
                actor,
                &lead,
                duban_store::NewProblem {
                    code: p.code.clone(),
                    category: p.category,
                    escalation: p.escalation,
                    description: p.description.clone(),
                    listed: p.listed,
                },
            )
            .await?;
        let path: &[(bool, Move)] = &[
            (
                true,
                Move::Assign {
                    unit: p.assigned.clone(),
                    due: p.due,
                },
            ),
            (false, Move::Start),
            (
                false,
                Move::RequestClosure {
                    note: Some("已按要求整改".into()),
                },
            ),
            (
                true,
                if p.state == S::SentBack {
                    Move::SendBack {
                        reason: "整改材料不全".into(),
                    }
                } else {
                    Move::Close
                },
            ),
        ];
        let steps = match p.state {
            S::Raised => 0,
            S::Assigned => 1,
            S::Rectifying => 2,
            S::ClosureRequested => 3,
            S::Closed | S::SentBack => 4,
        };
        for (by_office, mv) in path.iter().take(steps) {
            let who = if *by_office { &office } else { &unit };
            store
                .move_problem(actor, who, raised.id, mv.clone())
                .await?;
        }
    }
    Ok(list.len())
}

/// The demo's reports as submissions of their year-to-date figure.
pub fn as_submissions(reports: Vec<duban_demo::DemoReport>) -> Vec<Submission> {
    reports
        .into_iter()
        .map(|r| Submission {
            code: r.code,
            period: r.period,
            report: ReportDraft {
                ytd: r.ytd,
                progress_text: r.progress,
                ..Default::default()
            },
            reason: None,
            submitted_on: r.submitted_on,
        })
        .collect()
}
