//! One module per command.

mod accountability;
mod assess;
mod audit;
mod bench;
mod bench_web;
mod bulletin;
pub(crate) mod cluster;
mod demo;
mod demo_supervision;
mod export;
mod extract;
mod import;
mod indicator;
mod items;
mod load_client;
mod milestones;
mod problem;
mod rank;
mod remind;
mod report;
mod serve;
mod status;
mod task;
mod tour;
mod units;
mod user;

use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use duban_store::Store;

use crate::cli::{
    BenchCommand, Cli, Command, ExportCommand, ImportCommand, IndicatorCommand, ItemsCommand,
    MilestonesCommand, ReportCommand, UnitsCommand,
};

/// What every command gets: the store (opened lazily) and who acts.
pub struct Ctx {
    pub database_url: String,
    pub actor: String,
}

impl Ctx {
    /// The account the command line acts as: the office (督查室), which may do everything;
    /// the audit trail records `actor`, the OS user beside it.
    pub fn office(&self) -> duban_core::Account {
        duban_core::Account {
            id: 0,
            username: "cli".into(),
            display_name: self.actor.clone(),
            role: duban_core::AccountRole::Admin,
            unit: None,
            leader: None,
        }
    }

    /// The account `--as` names: office (督查室), unit:NAME (a unit's reporter) or
    /// leader:NAME (a leader).
    pub fn acting_as(&self, role: &str) -> duban_core::Account {
        let t = role.trim();
        let mut account = self.office();
        if let Some(name) = t.strip_prefix("leader:") {
            account.role = duban_core::AccountRole::Leader;
            account.leader = Some(duban_core::Leader::new(name.trim(), None));
        } else if let duban_core::Role::Unit(u) = duban_core::Role::parse(t) {
            account.role = duban_core::AccountRole::Reporter;
            account.unit = Some(u);
        }
        account
    }

    /// Whether the database is an SQLite file that does not exist yet.
    pub fn is_missing_sqlite_file(&self) -> bool {
        match duban_store::Backend::from_url(&self.database_url) {
            Ok((duban_store::Backend::Sqlite, url)) => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                !path.contains(":memory:") && !std::path::Path::new(path).exists()
            }
            _ => false,
        }
    }

    pub async fn store(&self) -> anyhow::Result<Store> {
        Store::open(&self.database_url)
            .await
            .with_context(|| "打开数据库失败".to_string())
    }
}

/// The warning thresholds from a TOML file, or the defaults.
pub fn thresholds(path: Option<&std::path::Path>) -> anyhow::Result<duban_core::Thresholds> {
    let Some(path) = path else {
        return Ok(duban_core::Thresholds::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("--thresholds {}：{e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("--thresholds {}：{e}", path.display()))
}

/// The period asked for, or the last monthly period whose reports are due by today.
pub fn period_or_last(text: Option<&str>) -> anyhow::Result<duban_core::Period> {
    match text {
        Some(t) => duban_core::Period::parse(t).map_err(|e| anyhow::anyhow!("--period：{e}")),
        None => Ok(duban_store::Schedule::default().last_closed(today())),
    }
}

/// Peak resident memory of a process ("self" or a pid; Linux), MiB — for the benchmarks.
pub fn peak_rss_mib(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

/// Today in the city's time zone (Asia/Shanghai, UTC+8); `DUBAN_TODAY=YYYY-MM-DD` overrides it.
pub fn today() -> NaiveDate {
    duban_app::clock::today()
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // The operating-system user is always recorded: an --actor is what the operator says,
    // not who signed in, so it is kept beside the account that ran the command.
    let os_user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|_| "cli".into());
    let actor = match cli
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(given) => format!("{given}（{os_user}）"),
        None => os_user,
    };
    let ctx = Ctx {
        database_url: cli.database_url.clone(),
        actor,
    };
    match cli.command {
        Command::Import(ImportCommand::Ledger(a)) => import::ledger(&ctx, a).await,
        Command::Export(ExportCommand::Ledger(a)) => export::ledger(&ctx, a).await,
        Command::Items(ItemsCommand::List(a)) => items::list(&ctx, a).await,
        Command::Items(ItemsCommand::Show(a)) => items::show(&ctx, a).await,
        Command::Units(UnitsCommand::List { format }) => units::list(&ctx, format).await,
        Command::Milestones(MilestonesCommand::Plan(a)) => milestones::plan(&ctx, a).await,
        Command::Report(ReportCommand::Submit(a)) => report::submit(&ctx, a).await,
        Command::Report(ReportCommand::History { code, format }) => {
            report::history(&ctx, &code, format).await
        }
        Command::Report(ReportCommand::Template {
            unit,
            period,
            output,
        }) => report::template(&ctx, &unit, &period, &output).await,
        Command::Report(ReportCommand::Import {
            file,
            period,
            dry_run,
        }) => report::import(&ctx, &file, period.as_deref(), dry_run).await,
        Command::Report(ReportCommand::Compliance {
            period,
            as_of,
            format,
        }) => report::compliance(&ctx, &period, as_of, format).await,
        Command::Report(ReportCommand::Calendar {
            kind,
            cadence,
            due_day,
        }) => report::calendar(&ctx, kind, cadence, due_day).await,
        Command::Report(ReportCommand::Period { action, period }) => {
            report::period(&ctx, &action, period.as_deref()).await
        }
        Command::Status(a) => status::run(&ctx, a).await,
        Command::Problem(a) => problem::run(&ctx, a).await,
        Command::Task(a) => task::run(&ctx, a).await,
        Command::Tour(c) => tour::run(&ctx, c).await,
        Command::Assess(a) => assess::run(&ctx, a).await,
        Command::Scheme(c) => accountability::scheme(&ctx, c).await,
        Command::Accountability(c) => accountability::run(&ctx, c).await,
        Command::Remind(c) => remind::remind(&ctx, c).await,
        Command::Holidays(c) => remind::holidays(&ctx, c).await,
        Command::Contacts(c) => remind::contacts(&ctx, c).await,
        Command::Notice(a) => remind::notice(&ctx, a).await,
        Command::Todos(a) => remind::todos(&ctx, a).await,
        Command::Demo(a) => demo::run(&ctx, a).await,
        Command::Serve(a) => serve::run(&ctx, a).await,
        Command::User(c) => user::run(&ctx, c).await,
        Command::Audit(crate::cli::AuditCommand::Verify { format }) => {
            audit::verify(&ctx, format).await
        }
        Command::Bench(BenchCommand::Import(a)) => bench::import(&ctx, a).await,
        Command::Bench(BenchCommand::Status(a)) => bench::status(a).await,
        Command::Bench(BenchCommand::Bulletin(a)) => bench::bulletin(a).await,
        Command::Bench(BenchCommand::Remind(a)) => bench::remind(a).await,
        Command::Bench(BenchCommand::Web(a)) => bench_web::run(a, &ctx.database_url).await,
        Command::Rank(a) => rank::run(&ctx, a).await,
        Command::Rules(c) => rank::rules(&ctx, c).await,
        Command::Indicator(IndicatorCommand::Import(a)) => indicator::import(&ctx, a).await,
        Command::Indicator(IndicatorCommand::List { period, format }) => {
            indicator::list(&ctx, period.as_deref(), format).await
        }
        Command::Bulletin(a) => bulletin::run(&ctx, a).await,
        Command::Extract(a) => extract::run(&ctx, a).await,
        Command::Bench(BenchCommand::Extract(a)) => extract::bench(a),
    }
}
