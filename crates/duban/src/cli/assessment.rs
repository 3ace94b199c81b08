//! The commands of assessment (考核) and inspection tours (观摩评比).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

use super::ShowFormat;

/// 观摩评比: `tour create|import-scores|result`.
#[derive(Debug, Subcommand)]
pub enum TourCommand {
    /// Set a tour (新建观摩评比): its date, the projects visited (by code, in route order),
    /// optionally its judges and the score sheet's criteria; prints the tour's id.
    Create {
        /// 评比名称, e.g. "上半年重点项目观摩评比".
        name: String,
        /// 观摩日期 (YYYY-MM-DD).
        #[arg(long)]
        date: NaiveDate,
        /// 观摩项目: codes separated by commas (XM202500001,XM202500002).
        #[arg(long, value_delimiter = ',', required = true)]
        items: Vec<String>,
        /// 评委: names or user names separated by commas; none: any judge's sheet counts.
        #[arg(long, value_delimiter = ',')]
        judges: Vec<String>,
        /// 评分项 as NAME:FULL-MARKS separated by commas (形象进度:40,投资完成:60); none: a
        /// 总分 out of 100.
        #[arg(long, value_delimiter = ',')]
        criteria: Vec<String>,
        /// How many of each project's highest totals are dropped (去掉最高分).
        #[arg(long, default_value_t = 1)]
        drop_highest: usize,
        /// How many of each project's lowest totals are dropped (去掉最低分).
        #[arg(long, default_value_t = 1)]
        drop_lowest: usize,
    },
    /// Import score sheets scored on paper (.xlsx: 评委, 项目, a column per criterion or 总分),
    /// all or none.
    ImportScores { tour: i64, file: PathBuf },
    /// Close the scoring (结束评分): no sheet is written or corrected after it.
    Close { tour: i64 },
    /// Publish the result (公布结果) of a closed tour.
    Publish { tour: i64 },
    /// The result (评比结果): each project's kept totals, average and rank, and its unit's.
    Result {
        tour: i64,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
}

/// 考核方案: `scheme show|set`.
#[derive(Debug, Subcommand)]
pub enum SchemeCommand {
    /// Print the scheme of a year as TOML: the office's, else the shipped default.
    Show {
        year: i32,
        #[arg(long, value_enum, default_value_t = super::RankBy::Region)]
        by: super::RankBy,
    },
    /// Save the scheme of a year from a TOML file (checked: every term reads a figure duban
    /// computes).
    Set {
        year: i32,
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = super::RankBy::Region)]
        by: super::RankBy,
    },
}

/// 问责台账: `accountability list|record|confirm|dismiss`.
#[derive(Debug, Subcommand)]
pub enum AccountabilityCommand {
    /// The register, latest first: 约谈, 问责, 绩效库, 负面清单 (proposed ones included).
    List {
        /// talk 约谈 | sanction 问责 | merit 绩效库 | negative 负面清单
        #[arg(long)]
        kind: Option<String>,
        /// proposed 待确认 | confirmed 已确认 | dismissed 不予采纳
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Record a 约谈 (needs --on and --by), a 问责 (needs --outcome) or an entry by hand.
    Record {
        /// talk 约谈 | sanction 问责 | merit 绩效库 | negative 负面清单
        kind: String,
        /// The unit (as in the directory).
        unit: String,
        /// 事由
        #[arg(long)]
        reason: String,
        /// 依据: the ranking or events, in words.
        #[arg(long, default_value = "")]
        evidence: String,
        /// 来源: assessment:ID, tour:ID or ranking:PERIOD.
        #[arg(long, default_value = "")]
        source: String,
        /// The leader concerned.
        #[arg(long)]
        leader: Option<String>,
        /// 约谈日期 / 决定日期 (YYYY-MM-DD).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// 约谈人 / 决定机关.
        #[arg(long)]
        by: Option<String>,
        /// 约谈结果 / 问责决定.
        #[arg(long)]
        outcome: Option<String>,
        /// 文号.
        #[arg(long)]
        document: Option<String>,
    },
    /// Confirm an entry duban proposed (确认).
    Confirm { id: i64 },
    /// Set aside an entry duban proposed (不予采纳).
    Dismiss { id: i64 },
}

/// How an assessment is written.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum AssessFormat {
    /// 名次、单位、总分 and each criterion's points.
    Table,
    /// Every unit's inputs and every point explained.
    Json,
    /// The ranked table with each criterion and the explanation, as .xlsx (needs -o).
    Xlsx,
    /// 考核结果通报 in the official layout of the bulletin, as .docx (needs -o).
    Docx,
}

/// 考核: the scheme applied from one period to another.
#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// The first period (2025-01, 2025-Q1 or 2025-W01).
    #[arg(long)]
    pub from: String,
    /// The last period, of the same kind.
    #[arg(long)]
    pub to: String,
    /// The scheme as TOML (考核方案); else the office's scheme of the year, else the default.
    #[arg(long)]
    pub scheme: Option<PathBuf>,
    /// Assess regions (县区) or departments (部门).
    #[arg(long, value_enum, default_value_t = super::RankBy::Region)]
    pub by: super::RankBy,
    /// 加减分 by hand: UNIT:POINTS:REASON (白水县:-5:被市政府通报批评); repeatable.
    #[arg(long = "adjust")]
    pub adjustments: Vec<String>,
    /// The warning thresholds (预警阈值) as TOML, as for `duban status`.
    #[arg(long, env = "DUBAN_THRESHOLDS")]
    pub thresholds: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = AssessFormat::Table)]
    pub format: AssessFormat,
    /// Where to write the .xlsx or .docx.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// 发布: keep the result as published (a snapshot) and propose 绩效库 and 负面清单 entries.
    #[arg(long)]
    pub publish: bool,
}
