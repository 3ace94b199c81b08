//! The command line: every command, flag and the domain words they use.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod assessment;
mod supervision;
pub use assessment::*;
pub use supervision::*;

const GLOSSARY: &str = "\
duban（督办）keeps the ledger of a city's key projects and key work and pushes it to completion.

Words used here:
  台账 ledger            the list of items the supervision office follows, usually kept in Excel
  事项类型 kind          重点项目 key project | 重点工作 key task | 民生实事 livelihood project |
                         招商项目 investment-attraction project
  责任单位 / 牵头单位    the lead responsible unit; 配合单位 are the co-operating units
  单位 unit              a region (县区: county, district, development zone) or a department (部门)
  包抓领导 leader        the city leader in charge of an item, e.g. 王某（副市长）
  项目阶段 stage         储备 reserve → 前期 preparation → 拟开工 to start → 在建 under construction
                         → 竣工 completed → 投产 in operation
  建设性质 nature        新建 new | 续建 continued | 扩建 expansion | 改建 renovation
  项目级别 level         省重点 | 市重点 | 县重点
  节点 milestone         a dated step: 开工 → 正负零 → 主体框架 → 封顶 → 设备安装 → 竣工 → 投产
  倒排工期               reverse scheduling: planning milestones backwards from a target date
  万元 / 亿元            money is kept exactly in 万元 (10,000 yuan); 1 亿元 = 10,000 万元

The database is an SQLite file (duban.db in the current folder) unless --database-url or
DUBAN_DATABASE_URL names another file or a PostgreSQL database (postgres://user@host/db).";

#[derive(Debug, Parser)]
#[command(name = "duban", version, about = "督办 — key projects and key work, pushed to completion", long_about = GLOSSARY)]
pub struct Cli {
    /// Database: an SQLite file (sqlite://duban.db, or a path) or postgres://user@host/db.
    #[arg(long, global = true, env = "DUBAN_DATABASE_URL", default_value = duban_store::DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Who is acting, recorded in the audit trail (操作人). Default: cli:$USER.
    #[arg(long, global = true, env = "DUBAN_ACTOR")]
    pub actor: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a file (导入): `import ledger FILE`.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export a file (导出): `export ledger -o FILE`.
    #[command(subcommand)]
    Export(ExportCommand),
    /// The items of the ledger (项目/事项): list and show.
    #[command(subcommand)]
    Items(ItemsCommand),
    /// The unit directory (单位): regions and departments.
    #[command(subcommand)]
    Units(UnitsCommand),
    /// Milestones (节点): plan a standard chain backwards from a target date (倒排工期).
    #[command(subcommand)]
    Milestones(MilestonesCommand),
    /// Progress reports (进度填报): submit, correct, history.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Status and warnings (预警): 序时进度 against completion, colours and their reasons.
    Status(StatusArgs),
    /// The problem list (问题清单): raise, assign (交办), rectify, request closure (申请销号),
    /// close (销号) or send back (退回). Who may do what is enforced: the office (督查室)
    /// assigns, closes and sends back; the assigned unit rectifies and requests closure.
    Problem(ProblemArgs),
    /// Tasks handed down (交办事项): the office hands down (交办) a meeting's, a leader's
    /// instruction's (批示), an audit's or anyone's task with a number, lead and co units, a
    /// deadline (a date or N working days) and a feedback cadence; the lead unit signs (签收),
    /// feeds back (反馈) and asks to close (申请办结); the office closes (办结) or sends back (退回).
    Task(TaskArgs),
    /// Reminders (催办): `remind run [--as-of D] [--dry-run]` runs the job once; `remind rules`
    /// the stages (提示 before, 督办 on, 催办 after the due date, escalating to the leader).
    #[command(subcommand)]
    Remind(RemindCommand),
    /// The holiday calendar (节假日 and 调休) working days are counted by.
    #[command(subcommand)]
    Holidays(HolidaysCommand),
    /// The contact directory (通讯录): each unit's liaison, mobile, email and group robot.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Assessment (考核): a scheme of weighted criteria applied from one period to another
    /// — rates, the monthly composite, tasks on time, late or sent back, tours — every point
    /// explained, ranked.
    Assess(AssessArgs),
    /// Inspection tours (观摩评比): set a tour, import the judges' score sheets, the result
    /// (the highest and lowest totals dropped, the rest averaged, projects and units ranked).
    #[command(subcommand)]
    Tour(TourCommand),
    /// Assessment schemes (考核方案), one per year and object, as TOML.
    #[command(subcommand)]
    Scheme(SchemeCommand),
    /// The register of 约谈, 问责, 绩效库 and 负面清单 (问责台账): list, record, confirm what duban
    /// proposed from published assessments and tours.
    #[command(subcommand)]
    Accountability(AccountabilityCommand),
    /// A unit's 督办通知单 / 催办单 (.docx, official layout), numbered as it is issued.
    Notice(NoticeArgs),
    /// What waits for a unit, a leader or the office (待办).
    Todos(TodosArgs),
    /// Fill the database with a deterministic, realistic demo ledger (演示数据).
    Demo(DemoArgs),
    /// Serve the web application (Web 服务): the Chinese UI and the JSON API (/api/docs).
    Serve(ServeArgs),
    /// Accounts (用户): add, change a password, list, issue an API token.
    #[command(subcommand)]
    User(UserCommand),
    /// Rankings (排名): every region or department on every rate (numerator/denominator) and
    /// the weighted composite, ties sharing a rank, movement against the previous period and
    /// the units named for a talk (约谈) under the rules (`duban rules`).
    Rank(RankArgs),
    /// The ranking rules (排名规则) as TOML: composite weights and the 约谈 rule.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Indicators (指标): import region × period figures and targets from .xlsx, list them.
    #[command(subcommand)]
    Indicator(IndicatorCommand),
    /// The bulletin (通报) of a period as Word (.docx, official-document layout), HTML or
    /// Markdown; `--issue` issues it (印发): stored as it is, numbered, never recomputed.
    Bulletin(BulletinArgs),
    /// Meeting decisions (会议议定事项): the directives of a speech (.txt or .docx) — who is
    /// to do what by when — with actors and roles (牵头/配合/责任), deadlines read in the
    /// meeting's year, cadences, targets, tier (A: a named actor; B: only a time node or
    /// target) and confidence; actors matched to the unit directory when a database exists.
    Extract(ExtractArgs),
    /// Benchmarks (性能测试), e.g. `bench import`.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// The audit trail (审计): `audit verify` walks the hash chain and names the first row
    /// altered, inserted or deleted outside duban.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole audit chain; exit code 1 if it is broken.
    Verify {
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The speech: a .txt file (UTF-8 or GB18030) or a Word document (.docx).
    pub file: PathBuf,
    /// The meeting's year, for deadlines such as 9月底前; default: the year the speech's
    /// first lines name, else this year.
    #[arg(long, value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub year: Option<i32>,
    #[arg(long, value_enum, default_value_t = ExtractFormat::Table)]
    pub format: ExtractFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExtractFormat {
    Table,
    Json,
    /// One directive per line, written as it is found.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Start on a fresh demo database (a temporary SQLite file, removed on exit) with a demo
    /// account for every role; the accounts and passwords are printed.
    #[arg(long)]
    pub demo: bool,
    /// The demo's size (with --demo).
    #[arg(long, value_enum, default_value_t = DemoScale::City)]
    pub scale: DemoScale,
    /// Behind a TLS-terminating proxy: session cookies get `Secure`.
    #[arg(long, env = "DUBAN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Keep uploaded evidence (photos, documents) in this directory instead of the database
    /// (附件目录; each file named by its SHA-256)
    #[arg(long, env = "DUBAN_ATTACHMENT_DIR")]
    pub attachment_dir: Option<std::path::PathBuf>,
    /// Run the reminder job (催办) every so many minutes: reminders recorded once, queued
    /// email and robot messages sent (0: never; then run `duban remind run` from cron).
    #[arg(long, env = "DUBAN_REMIND_EVERY", default_value_t = 10)]
    pub remind_every: u64,
    /// A load balancer in front (its address; repeat, or commas in the variable): the client
    /// is read from its X-Forwarded-For, for the sign-in throttle and the log
    #[arg(long, env = "DUBAN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input unless --password is given.
    Add {
        username: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// admin (督查室) | leader (包抓领导) | reporter (责任单位填报员) | judge (观摩评委) | viewer
        #[arg(long, value_parser = parse_role)]
        role: duban_core::AccountRole,
        /// 所属单位 — required for a reporter.
        #[arg(long)]
        unit: Option<String>,
        /// 包抓领导 as the ledger names them, e.g. "王某（副市长）" — required for a leader.
        #[arg(long)]
        leader: Option<String>,
        #[arg(long)]
        password: Option<String>,
    },
    /// Set a new password (read from standard input unless --password is given); the
    /// account's sessions end.
    Passwd {
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// List the accounts.
    List {
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Issue an API token for scripts (Authorization: Bearer …); shown once. Tokens end after
    /// --days, when revoked (--revoke) and when the user's password changes.
    Token {
        username: String,
        /// What the token is for (with --revoke: only the tokens of this name).
        #[arg(long)]
        name: Option<String>,
        /// Days the token is valid (1–366).
        #[arg(long, default_value_t = duban_store::TOKEN_DAYS)]
        days: i64,
        /// Revoke the user's tokens (all of them, or those named --name) instead of issuing one.
        #[arg(long, conflicts_with_all = ["days", "list"])]
        revoke: bool,
        /// List the user's tokens (never their secrets).
        #[arg(long)]
        list: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a ledger (台账) from .xlsx. Headers are matched by name (项目名称/名称, 总投资（亿元）,
    /// 责任单位/牵头单位, …); title, note, section (一、甲县), subtotal (小计/合计) and footnote rows
    /// are skipped. Items are matched by 项目编号, else by name + lead unit, and updated; nothing
    /// is written if any row is invalid.
    Ledger(ImportLedgerArgs),
}

#[derive(Debug, Args)]
pub struct ImportLedgerArgs {
    /// The .xlsx file.
    pub file: PathBuf,
    /// The sheet to read (工作表); default: the first sheet with a ledger header.
    #[arg(long)]
    pub sheet: Option<String>,
    /// Check and report everything, write nothing (试导入).
    #[arg(long)]
    pub dry_run: bool,
    /// Year (年度) of rows without a year column; default: the year in the title, else this year.
    #[arg(long)]
    pub year: Option<i32>,
    /// Kind (事项类型) of rows without a kind column: 重点项目, 重点工作, 民生实事, 招商项目.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<duban_core::ItemKind>,
    /// Import the valid rows even when others are invalid (by default nothing is written).
    #[arg(long)]
    pub skip_invalid: bool,
    /// 纳入日期 (YYYY-MM-DD) of the items this import creates, when the ledger was in force
    /// before today (a ledger carried over from paper); default today. An item counts in the
    /// rates, and is asked for reports, from the period of that day on.
    #[arg(long)]
    pub listed_on: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export the ledger (台账) to .xlsx in the official template, milestones on a second sheet.
    Ledger(ExportLedgerArgs),
}

#[derive(Debug, Args)]
pub struct ExportLedgerArgs {
    /// The .xlsx file to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Title (标题) above the table; default from the year and kinds exported.
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Which items (all when empty).
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// A unit (单位), by name or short name: items it leads, co-operates on or that lie in it.
    #[arg(long)]
    pub unit: Option<String>,
    /// Kind (事项类型): 重点项目|重点工作|民生实事|招商项目 (or project|task|livelihood|investment).
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<duban_core::ItemKind>,
    /// Stage (项目阶段): 储备|前期|拟开工|在建|竣工|投产.
    #[arg(long, value_parser = parse_stage)]
    pub stage: Option<duban_core::Stage>,
    /// Year (年度).
    #[arg(long)]
    pub year: Option<i32>,
    /// Part of the name or code (名称/编号包含).
    #[arg(long)]
    pub search: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ItemsCommand {
    /// List items (项目列表), ordered by code.
    List(ItemsListArgs),
    /// Show one item (项目详情) with its milestones and audit trail.
    Show(ItemsShowArgs),
}

#[derive(Debug, Args)]
pub struct ItemsListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// At most this many rows (0: all). Default: 50 for a table, all for json and csv.
    #[arg(long)]
    pub limit: Option<i64>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ItemsShowArgs {
    /// The item code (项目编号).
    pub code: String,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// List units (单位列表): regions first, then departments.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum MilestonesCommand {
    /// Plan an item's milestones from a standard chain (节点模板) so that the last step falls on
    /// the target date (倒排工期); with --start, the chain is fitted between the two dates.
    /// Actual dates already recorded for steps of the same name are kept.
    Plan(MilestonesPlanArgs),
}

#[derive(Debug, Args)]
pub struct MilestonesPlanArgs {
    /// The item code (项目编号).
    pub code: String,
    /// 建设 construction (开工 … 投产) or 前期 preparation (立项 … 施工许可).
    #[arg(long, value_parser = parse_template, default_value = "建设")]
    pub template: duban_core::MilestoneTemplate,
    /// Date of the last step, e.g. 2026-06-30.
    #[arg(long)]
    pub target: chrono::NaiveDate,
    /// Date of the first step; without it the standard gaps are used.
    #[arg(long)]
    pub start: Option<chrono::NaiveDate>,
}

// Parsed once per run; the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Submit an item's report for a month (填报). Give the year-to-date (--ytd) or this
    /// month's figure (--this-period), or both (they must agree). A period already reported
    /// can only be corrected with --reason; the first version is kept.
    Submit(ReportSubmitArgs),
    /// Write a unit's reporting sheet for a month (填报模板), pre-filled with its items and
    /// last figures.
    Template {
        /// The unit (单位) whose items to list: those it leads.
        #[arg(long)]
        unit: String,
        /// The month (填报期), e.g. 2025-06.
        #[arg(long)]
        period: String,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Submit a filled-in reporting sheet (批量报送): every row checked, all or nothing.
    Import {
        file: PathBuf,
        /// The month, if the sheet does not say (填报期：2025-06).
        #[arg(long)]
        period: Option<String>,
        /// Check everything, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Who reported a month on time, late (迟报) or not at all (漏报), by unit (报送情况).
    Compliance {
        /// The month (填报期), e.g. 2025-06.
        #[arg(long)]
        period: String,
        /// Judged on this date (default today): a report after the due date is late.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// The reporting calendar (填报周期): how often each kind reports (weekly, monthly,
    /// quarterly; default monthly) and when (default the 5th of the next month, the Monday
    /// after a week). Without flags, lists it.
    Calendar {
        /// 重点项目|重点工作|民生实事|招商项目.
        #[arg(long, value_parser = parse_kind)]
        kind: Option<duban_core::ItemKind>,
        /// weekly|monthly|quarterly (每周|每月|每季度); unchanged if not given.
        #[arg(long, value_parser = parse_cadence, requires = "kind")]
        cadence: Option<duban_core::Cadence>,
        /// Weekly: days after the week's Sunday (1 = Monday … 7). Monthly and quarterly: the
        /// day of the following month (1–31; a shorter month uses its last day).
        #[arg(long, requires = "kind")]
        due_day: Option<u32>,
    },
    /// Close a reporting period (no more reports or corrections) or open it again (office).
    Period {
        #[arg(value_parser = ["close", "open", "list"])]
        action: String,
        /// The period: a month 2025-06, a quarter 2025-Q2 or a week 2025-W23 (not needed
        /// for list).
        #[arg(long)]
        period: Option<String>,
    },
    /// Every report of an item, with all revisions (填报记录).
    History {
        /// The item code (项目编号).
        code: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

#[derive(Debug, Args)]
pub struct ReportSubmitArgs {
    /// The item code (项目编号).
    pub code: String,
    /// The period reported (填报期): a month 2025-06, a quarter 2025-Q2 or a week 2025-W23,
    /// as the item's kind reports.
    #[arg(long)]
    pub period: String,
    /// 年初至本期末累计完成投资（万元）.
    #[arg(long)]
    pub ytd: Option<String>,
    /// 本期完成投资（万元）.
    #[arg(long)]
    pub this_period: Option<String>,
    /// 形象进度 as text.
    #[arg(long)]
    pub progress: Option<String>,
    /// 形象进度 in percent, 0–100.
    #[arg(long)]
    pub percent: Option<rust_decimal::Decimal>,
    /// A milestone reached this period: 名称=YYYY-MM-DD (repeatable).
    #[arg(long = "milestone")]
    pub milestones: Vec<String>,
    /// 进展情况.
    #[arg(long)]
    pub narrative: Option<String>,
    /// 存在问题.
    #[arg(long)]
    pub problems: Option<String>,
    /// 更正原因 — required to correct a period already reported.
    #[arg(long)]
    pub reason: Option<String>,
    /// Read the report from a JSON file (- for standard input) instead of the flags above:
    /// {"ytd": "350", "progress_text": "…", "milestones": [{"name": "开工", "date": "2025-06-18"}]}.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProblemArgs {
    /// Acting as (角色): office (督查室) or unit:NAME (a responsible unit). Until accounts
    /// exist this is declared, not authenticated.
    #[arg(
        long = "as",
        global = true,
        env = "DUBAN_ROLE",
        default_value = "office"
    )]
    pub role: String,
    #[command(subcommand)]
    pub command: ProblemCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProblemCommand {
    /// Raise a problem on an item (提出问题).
    Add {
        /// The item code (项目编号).
        code: String,
        /// 手续|用地|征迁|资金|环保|要素保障|其他.
        #[arg(long, value_parser = parse_category)]
        category: duban_core::ProblemCategory,
        /// What is wrong (问题描述).
        #[arg(long)]
        description: String,
        /// Who must solve it (协调层级): 县级|市直部门|市领导|协调调度会.
        #[arg(long, value_parser = parse_escalation, default_value = "县级")]
        level: duban_core::Escalation,
        /// 挂牌督办 — listed for supervision.
        #[arg(long)]
        listed: bool,
    },
    /// Assign to a unit with a due date (交办; office).
    Assign {
        id: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        due: chrono::NaiveDate,
    },
    /// Start rectifying (开始整改; the assigned unit).
    Start { id: i64 },
    /// Report it solved and ask for closure (申请销号; the assigned unit).
    RequestClose {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Close it after checking (销号; office).
    Close { id: i64 },
    /// Refuse the closure (退回; office).
    SendBack {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// List problems (问题列表); --overdue for those past their due date.
    List {
        #[arg(long, value_parser = parse_problem_state)]
        state: Option<duban_core::ProblemState>,
        #[arg(long)]
        unit: Option<String>,
        /// Only problems past their due date (逾期) on --as-of (default today).
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// A problem with every move made (问题详情).
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

fn parse_category(s: &str) -> Result<duban_core::ProblemCategory, String> {
    duban_core::ProblemCategory::parse(s).map_err(|e| e.to_string())
}

fn parse_escalation(s: &str) -> Result<duban_core::Escalation, String> {
    duban_core::Escalation::parse(s).map_err(|e| e.to_string())
}

fn parse_problem_state(s: &str) -> Result<duban_core::ProblemState, String> {
    duban_core::ProblemState::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The warning thresholds (预警阈值) as TOML, e.g. `yellow_lag = 10`, `red_lag = 30`,
    /// `start_red_days = 90`, `milestone_red_days = 30`, `statistics_yellow_days = 30`,
    /// `statistics_red_days = 60` (any left out keep these defaults).
    #[arg(long, env = "DUBAN_THRESHOLDS")]
    pub thresholds: Option<PathBuf>,
    /// The date to judge on (截至日期); default today.
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The ledger year; default the year of --as-of.
    #[arg(long)]
    pub year: Option<i32>,
    /// A unit (单位), by name or short name.
    #[arg(long)]
    pub unit: Option<String>,
    /// Only items of this colour: red, yellow or green.
    #[arg(long)]
    pub colour: Option<String>,
    /// At most this many rows in a table (0: all). Default 50.
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

/// The period to rank or report on; default the last monthly period whose reports are due.
#[derive(Debug, Args)]
pub struct PeriodArg {
    /// 期间: a month (2025-06), a quarter (2025-Q2) or a week (2025-W23).
    #[arg(long)]
    pub period: Option<String>,
    /// The warning thresholds (预警阈值) as TOML, as for `duban status`.
    #[arg(long, env = "DUBAN_THRESHOLDS")]
    pub thresholds: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RankArgs {
    #[command(flatten)]
    pub period: PeriodArg,
    /// Rank regions (县区, by where items are) or departments (部门, by lead unit).
    #[arg(long, value_enum, default_value_t = RankBy::Region)]
    pub by: RankBy,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
    /// Also write the ranking as an .xlsx file (every rate with its numerator and denominator).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RankBy {
    Region,
    Department,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print the rules in force as TOML (the defaults until set).
    Show,
    /// Check and keep rules from a TOML file.
    Set { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum IndicatorCommand {
    /// Import figures and targets from .xlsx: a sheet per indicator (named after it) or one
    /// sheet with 指标名称/地区/期间/完成值/目标值 columns. All rows or none are written.
    Import(IndicatorImportArgs),
    /// List the indicators of a period, each region against its target and the city.
    List {
        #[arg(long)]
        period: Option<String>,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

#[derive(Debug, Args)]
pub struct IndicatorImportArgs {
    pub file: PathBuf,
    /// The period of rows without a 期间 column (else the period in the sheet's title,
    /// "2025年1-6月…", is used).
    #[arg(long)]
    pub period: Option<String>,
    /// Check only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct BulletinArgs {
    #[command(flatten)]
    pub period: PeriodArg,
    #[arg(long, value_enum, default_value_t = BulletinFormat::Docx)]
    pub format: BulletinFormat,
    /// Where to write it.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
    /// 下步工作要求 from this text file (a paragraph a line), kept for the period.
    #[arg(long)]
    pub requirements: Option<PathBuf>,
    /// Issue it (印发): store it as it is now; later renderings read the stored copy.
    #[arg(long)]
    pub issue: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BulletinFormat {
    Docx,
    Html,
    Md,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// city: ~2,000 items; province: ~50,000 items; national: 1,000,000 items. All: 10
    /// counties/districts, 30 departments.
    #[arg(long, value_enum, default_value_t = DemoScale::City)]
    pub scale: DemoScale,
    /// Exactly this many items (instead of the scale's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=5_000_000))]
    pub items: Option<u32>,
    /// The same seed always gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The ledger year; default: this year.
    #[arg(long)]
    pub year: Option<i32>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Import a province-scale .xlsx ledger into a fresh database with the real `import ledger`
    /// command; reports rows/s and peak memory (see docs/benchmarks.md).
    Import(BenchImportArgs),
    /// The status of every item of the province demo with a full year of monthly reports
    /// (50,000 items × 12 reports): load and assess times (see docs/benchmarks.md).
    Status(BenchStatusArgs),
    /// The bulletin (通报) of the province demo's June: drafted from the data and written as
    /// .docx, HTML and Markdown; then issued and written again from the snapshot.
    Bulletin(BenchStatusArgs),
    /// The reminder job (催办) over the province demo in mid-December: what is due, a dry run,
    /// the first run, the same day again and the next day, timed, with peak memory.
    Remind(BenchRemindArgs),
    /// Meeting-speech extraction (会议议定事项): throughput over a large corpus made of the
    /// sample speeches repeated, at two sizes to show memory stays flat; with `--labels`, the
    /// quality against labelled speeches.
    Extract(BenchExtractArgs),
    /// The web application under load at province scale: requests/s and latency (p50, p99) of
    /// the ledger list and the dashboard with many connections on loopback, and peak memory.
    Web(BenchWebArgs),
}

#[derive(Debug, Args)]
pub struct BenchExtractArgs {
    /// The speeches to repeat (every .txt file in it).
    #[arg(
        long,
        env = "DUBAN_SPEECHES",
        default_value = "/work/shared/corpus/speeches"
    )]
    pub speeches: PathBuf,
    /// The corpus size in MB (the second run is five times larger).
    #[arg(long, default_value_t = 10)]
    pub megabytes: usize,
    /// Labels (*.jsonl, see crates/duban-extract/tests/labels) to score the speeches against.
    #[arg(long)]
    pub labels: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchWebArgs {
    /// Concurrent connections (each a signed-in browser keeping its connection alive).
    #[arg(long, default_value_t = 200)]
    pub connections: usize,
    /// Seconds of load per page.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// The demo's size: province (50,000 items), city (2,000) or national (1,000,000).
    #[arg(long, value_enum, default_value_t = DemoScale::Province)]
    pub scale: DemoScale,
    /// Exactly this many items (instead of the scale's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=5_000_000))]
    pub items: Option<u32>,
    /// Users opening each page at the same time.
    #[arg(long, default_value_t = 8)]
    pub users: usize,
    /// Servers (`duban serve` processes) on the one database; more than one: nginx in front.
    #[arg(long, default_value_t = 1)]
    pub servers: usize,
}

#[derive(Debug, Args)]
pub struct BenchRemindArgs {
    /// Items (the province demo has 50,000).
    #[arg(long, default_value_t = 50_000)]
    pub items: usize,
    /// An empty database to fill and run in; default: a fresh SQLite file in a temporary
    /// folder.
    #[arg(long)]
    pub target_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct BenchStatusArgs {
    /// Items (the province demo has 50,000).
    #[arg(long, default_value_t = 50_000)]
    pub items: usize,
    /// Timed runs over the same database (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

#[derive(Debug, Args)]
pub struct BenchImportArgs {
    /// Rows in the ledger (the province demo has 50,000).
    #[arg(long, default_value_t = 50_000)]
    pub rows: usize,
    /// An empty database to import into (then one run); default: a fresh SQLite file in a
    /// temporary folder for every run.
    #[arg(long)]
    pub target_url: Option<String>,
    /// How many imports into an empty database to time (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Keep the generated .xlsx here.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DemoScale {
    City,
    Province,
    National,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShowFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Json,
}

fn parse_kind(s: &str) -> Result<duban_core::ItemKind, String> {
    duban_core::ItemKind::parse(s).map_err(|e| e.to_string())
}

fn parse_role(s: &str) -> Result<duban_core::AccountRole, String> {
    duban_core::AccountRole::parse(s).map_err(|e| e.to_string())
}

fn parse_cadence(s: &str) -> Result<duban_core::Cadence, String> {
    duban_core::Cadence::parse(s).map_err(|e| e.to_string())
}

fn parse_stage(s: &str) -> Result<duban_core::Stage, String> {
    duban_core::Stage::parse(s).map_err(|e| e.to_string())
}

fn parse_template(s: &str) -> Result<duban_core::MilestoneTemplate, String> {
    duban_core::MilestoneTemplate::parse(s).map_err(|e| e.to_string())
}

impl FilterArgs {
    pub fn to_filter(&self) -> duban_store::ItemFilter {
        duban_store::ItemFilter {
            unit: self.unit.clone(),
            kind: self.kind,
            stage: self.stage,
            year: self.year,
            search: self.search.clone(),
            ..Default::default()
        }
    }
}
