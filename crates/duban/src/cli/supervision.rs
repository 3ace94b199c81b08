//! The commands of supervision and urging (督办、催办): tasks handed down, the reminder job,
//! its rules, the holiday calendar, the contact directory, notices and to-dos.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use duban_core::task::{Deadline, FeedbackCadence, TaskSource, TaskState};

use super::ShowFormat;

fn parse_source(s: &str) -> Result<TaskSource, String> {
    TaskSource::parse(s).map_err(|e| e.to_string())
}

fn parse_task_state(s: &str) -> Result<TaskState, String> {
    TaskState::parse(s).map_err(|e| e.to_string())
}

fn parse_cadence(s: &str) -> Result<FeedbackCadence, String> {
    FeedbackCadence::parse(s).map_err(|e| e.to_string())
}

/// 交办事项: `task add|list|show|sign|feedback|request-close|close|send-back|withdraw`.
#[derive(Debug, Args)]
pub struct TaskArgs {
    /// Acting as (角色): office (督查室) or unit:NAME (a responsible unit).
    #[arg(
        long = "as",
        global = true,
        env = "DUBAN_ROLE",
        default_value = "office"
    )]
    pub role: String,
    /// The day of the move (办理日期); today by default.
    #[arg(long, global = true)]
    pub on: Option<NaiveDate>,
    #[command(subcommand)]
    pub command: TaskCommand,
}

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Hand a task down (交办; office): prints its number (督办〔年〕N号).
    Add {
        /// 事项名称
        #[arg(long)]
        title: String,
        /// 交办内容
        #[arg(long)]
        content: String,
        /// 牵头单位 (name or alias)
        #[arg(long)]
        lead: String,
        /// 配合单位, comma-separated
        #[arg(long, value_delimiter = ',')]
        co: Vec<String>,
        /// 包抓领导 (the leader in charge, or who gave the instruction)
        #[arg(long)]
        leader: Option<String>,
        /// 来源: 会议议定事项|领导批示|审计督察整改|来文来函|其他交办
        #[arg(long, value_parser = parse_source, default_value = "其他交办")]
        source: TaskSource,
        /// 来源文件 (批示件, meeting, audit report)
        #[arg(long)]
        source_ref: Option<String>,
        /// 办理期限: a date (2026-12-31) or working days ("10个工作日")
        #[arg(long, value_parser = Deadline::parse)]
        deadline: Deadline,
        /// 签收时限 in working days
        #[arg(long, default_value_t = duban_core::task::DEFAULT_SIGN_WITHIN)]
        sign_within: u32,
        /// 反馈频次: 办结时反馈|每周反馈|每半月反馈|每月反馈
        #[arg(long, value_parser = parse_cadence, default_value = "办结时反馈")]
        cadence: FeedbackCadence,
        /// 督办编号 (default: the next 督办〔年〕N号)
        #[arg(long)]
        number: Option<String>,
        /// 关联项目 (item code)
        #[arg(long)]
        item: Option<String>,
    },
    /// List tasks (交办事项列表).
    List {
        #[arg(long, value_parser = parse_task_state)]
        state: Option<TaskState>,
        /// Led or co-operated on by this unit.
        #[arg(long)]
        unit: Option<String>,
        /// Only those late on --on (逾期).
        #[arg(long)]
        overdue: bool,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Show one task and its moves (by id or 督办编号).
    Show {
        task: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Sign for it (签收; the lead unit).
    Sign { task: String },
    /// Feed back what was done (反馈; the lead or a co unit).
    Feedback {
        task: String,
        #[arg(long)]
        note: String,
    },
    /// Ask to close it with the 办结报告 (申请办结; the lead unit).
    RequestClose {
        task: String,
        #[arg(long)]
        report: String,
    },
    /// Close it after checking (办结; office).
    Close { task: String },
    /// Refuse the closure (退回; office).
    SendBack {
        task: String,
        #[arg(long)]
        reason: String,
    },
    /// Withdraw it (撤销; office).
    Withdraw {
        task: String,
        #[arg(long)]
        reason: String,
    },
}

/// 催办: `remind run|rules|log`.
#[derive(Debug, Subcommand)]
pub enum RemindCommand {
    /// Run the reminder job once (for cron and tests): what is due, the stage each matter
    /// reached, told once, then the queued emails and robot messages sent; prints what went to
    /// whom.
    Run {
        /// The day to judge (默认今天).
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Show what would be sent; write and send nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// The reminder rules (催办规则) as TOML: `rules show`, `rules set FILE`.
    #[command(subcommand)]
    Rules(RemindRulesCommand),
    /// The reminders recorded (催办记录), newest first.
    Log {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum RemindRulesCommand {
    Show,
    Set { file: PathBuf },
}

/// 节假日: `holidays show|set`.
#[derive(Debug, Subcommand)]
pub enum HolidaysCommand {
    /// The working-day calendar in force as TOML (the shipped notices and the office's years).
    Show,
    /// Set the years of a TOML file (`[[year]]` tables, as `holidays show` prints them).
    Set { file: PathBuf },
}

/// 通讯录: `contacts import|list`.
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Import an .xlsx (单位, 联络员, 手机, 邮箱, 群机器人 — by alias), all rows or none.
    Import { file: PathBuf },
    /// List the contacts.
    List {
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

/// 督办通知单 / 催办单 of one unit as .docx.
#[derive(Debug, Args)]
pub struct NoticeArgs {
    /// The unit (name, alias or unique prefix).
    #[arg(long)]
    pub unit: String,
    /// The day of the notice (默认今天).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Where to write the Word file.
    #[arg(short, long)]
    pub output: PathBuf,
}

/// 待办 of a unit, a leader or the office.
#[derive(Debug, Args)]
pub struct TodosArgs {
    /// office, unit:NAME or leader:NAME.
    #[arg(long = "as", default_value = "office")]
    pub role: String,
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}
