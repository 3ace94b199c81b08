//! `duban remind run|rules|log`, `duban holidays`, `duban contacts`, `duban notice`,
//! `duban todos`.

use std::process::ExitCode;

use anyhow::Context;
use duban_app::{contacts, notices, reminders, todos};
use duban_core::calendar::WorkCalendar;

use super::{Ctx, today};
use crate::cli::{
    ContactsCommand, HolidaysCommand, NoticeArgs, RemindCommand, RemindRulesCommand, ShowFormat,
    TodosArgs,
};
use crate::render::{or_dash, print_json, table};

pub async fn remind(ctx: &Ctx, c: RemindCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match c {
        RemindCommand::Run {
            as_of,
            dry_run,
            format,
        } => {
            let as_of = as_of.unwrap_or_else(today);
            let channels = duban_app::notify::Channels::from_env()?;
            let server = format!("cli-{}", std::process::id());
            let (run, sent) =
                reminders::run_and_deliver(&store, &channels, &server, as_of, dry_run).await?;
            match format {
                ShowFormat::Json => print_json(
                    &serde_json::json!({ "reminders": run, "deliveries": sent.map(|s| s.lines) }),
                )?,
                ShowFormat::Table => {
                    for l in run.lines() {
                        println!("{l}");
                    }
                    if let Some(s) = &sent {
                        for l in &s.lines {
                            println!("{l}");
                        }
                        println!(
                            "外发：已发送 {}，待重试 {}，发送失败 {}（{}）",
                            s.sent,
                            s.retrying,
                            s.failed,
                            channels.summary()
                        );
                    }
                    println!(
                        "{}{as_of}：待办事项 {} 项，到达提醒阶段 {} 项，新提醒 {} 项（已提醒过 {} 项），消息 {} 条",
                        if dry_run {
                            "（预演，未写入、未发送）"
                        } else {
                            ""
                        },
                        run.matters,
                        run.reached,
                        run.recorded.new.len(),
                        run.recorded.already,
                        run.recorded.messages.len()
                    );
                }
            }
        }
        RemindCommand::Rules(RemindRulesCommand::Show) => {
            print!("{}", reminders::rules(&store).await?.to_toml())
        }
        RemindCommand::Rules(RemindRulesCommand::Set { file }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("无法读取 {}", file.display()))?;
            let rules = reminders::set_rules(&store, &ctx.office(), &ctx.actor, &text).await?;
            println!("已设置催办规则 {} 条", rules.rules.len());
        }
        RemindCommand::Log { limit, format } => {
            let rows = store.reminder_log(None, limit, 0).await?;
            match format {
                ShowFormat::Json => print_json(&rows)?,
                ShowFormat::Table => {
                    let mut t =
                        table(&["日期", "级别", "规则", "事项", "截止", "责任单位", "升级"]);
                    for r in &rows {
                        t.add_row(vec![
                            r.run_on.clone(),
                            duban_core::ReminderLevel::parse(&r.level)
                                .map(|l| l.label().to_string())
                                .unwrap_or_else(|_| r.level.clone()),
                            r.rule.clone(),
                            r.title.clone(),
                            r.due.clone(),
                            r.owner_name.clone(),
                            if r.escalated != 0 {
                                or_dash(r.leader.clone())
                            } else {
                                String::new()
                            },
                        ]);
                    }
                    println!("{t}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn holidays(ctx: &Ctx, c: HolidaysCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match c {
        HolidaysCommand::Show => print!("{}", store.work_calendar().await?.to_toml()),
        HolidaysCommand::Set { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("无法读取 {}", file.display()))?;
            let calendar = WorkCalendar::from_toml(&text)?;
            let mut years = 0;
            for y in calendar.years() {
                store.set_holiday_year(&ctx.actor, y).await?;
                years += 1;
            }
            println!("已设置 {years} 个年份的节假日安排");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn contacts(ctx: &Ctx, c: ContactsCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match c {
        ContactsCommand::Import { file } => {
            let n = contacts::import(&store, &ctx.office(), &ctx.actor, &file).await?;
            println!("已导入通讯录 {n} 条");
        }
        ContactsCommand::List { format } => {
            let list = store.contacts().await?;
            match format {
                ShowFormat::Json => print_json(&list)?,
                ShowFormat::Table => {
                    let mut t = table(&["单位/领导", "联络员", "手机", "邮箱", "群机器人"]);
                    for (of, c) in &list {
                        t.add_row(vec![
                            of.name().to_string(),
                            or_dash(c.liaison.clone()),
                            or_dash(c.phone.clone()),
                            or_dash(c.email.clone()),
                            or_dash(
                                c.robot
                                    .as_ref()
                                    .map(|r| format!("{} {}", r.kind.label(), r.url)),
                            ),
                        ]);
                    }
                    println!("{t}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn notice(ctx: &Ctx, a: NoticeArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let day = a.as_of.unwrap_or_else(today);
    let (notice, bytes) = notices::issue(&store, &ctx.office(), &ctx.actor, &a.unit, day).await?;
    std::fs::write(&a.output, bytes).with_context(|| format!("无法写入 {}", a.output.display()))?;
    println!(
        "已开具{} {}（{}，{} 项事项）：{}",
        notice.title(),
        notice.number,
        notice.unit,
        notice.matters.len(),
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn todos(ctx: &Ctx, a: TodosArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let account = ctx.acting_as(&a.role);
    let day = a.as_of.unwrap_or_else(today);
    let list = todos::todos(&store, &account, day).await?;
    match a.format {
        ShowFormat::Json => print_json(&list)?,
        ShowFormat::Table => {
            let mut t = table(&["办理", "类别", "事项", "责任单位", "截止", "逾期"]);
            for i in &list.items {
                t.add_row(vec![
                    i.action.to_string(),
                    i.kind_label.to_string(),
                    i.title.clone(),
                    i.owner.clone(),
                    i.due.to_string(),
                    match i.days_late {
                        d if d > 0 => format!("逾期 {d} 天"),
                        0 => "今日到期".into(),
                        d => format!("还有 {} 天", -d),
                    },
                ]);
            }
            println!("{t}");
            println!("待办 {} 项，其中逾期 {} 项", list.total, list.overdue);
        }
    }
    Ok(ExitCode::SUCCESS)
}
