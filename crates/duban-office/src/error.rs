//! Errors of reading and writing office files, each naming where the problem is.

use std::fmt;
use std::path::PathBuf;

/// A cell (or a row) that cannot be read: sheet, row, column, field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CellError {
    /// 工作表
    pub sheet: String,
    /// 行号 — as Excel shows it (1-based).
    pub row: u32,
    /// 列 — the column letter ("F"), empty for a whole-row problem.
    pub column: String,
    /// 字段 — the header of the column as written in the sheet.
    pub field: String,
    /// 原值
    pub value: String,
    /// 原因 — what is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "工作表“{}”第 {} 行", self.sheet, self.row)?;
        if !self.column.is_empty() {
            write!(f, " {} 列", self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, "（{}）", self.field)?;
        }
        write!(f, "：{}", self.message)
    }
}

/// Why a ledger file as a whole cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("找不到文件 {0}")]
    NotFound(PathBuf),
    #[error(
        "{path} 不是 .xlsx 文件（{detail}）。请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx）后再导入"
    )]
    NotXlsx { path: PathBuf, detail: String },
    #[error(
        "{path} 已损坏或不完整，无法读取（{detail}）。请确认文件已完整下载，或重新保存为 .xlsx"
    )]
    Unreadable { path: PathBuf, detail: String },
    #[error("{path} 中没有名为“{sheet}”的工作表（现有：{available}）")]
    NoSuchSheet {
        path: PathBuf,
        sheet: String,
        available: String,
    },
    #[error(
        "{path}{sheet}前 {scanned} 行中找不到台账表头（至少需要“项目名称”列以及“责任单位”“总投资”等列中的一列）"
    )]
    NoHeader {
        path: PathBuf,
        sheet: String,
        scanned: usize,
    },
    #[error(
        "{path} 中找不到指标表头：需要“地区”（或“县（市、区）”）列和“完成值”（或“增速”“累计”）列，可选“指标名称”“期间”“目标值”“计量单位”；表头应在前 15 行内"
    )]
    NoIndicatorHeader { path: PathBuf },
    #[error(
        "{path} 中找不到通讯录表头：需要“单位”列，以及“联络员”“手机”“邮箱”“群机器人”中的至少一列；表头应在前 15 行内"
    )]
    NoContactHeader { path: PathBuf },
    #[error(
        "{path} 中找不到评分表头：需要“评委”列和“项目”（或“项目编号”“项目名称”）列，以及“总分”列或与评分项同名的列（{criteria}）；表头应在前 15 行内"
    )]
    NoScoreHeader { path: PathBuf, criteria: String },
    #[error(
        "工作表“{sheet}”缺少必需的列“{field}”（表头在第 {header_row} 行；可用的列名：{aliases}）"
    )]
    MissingColumn {
        sheet: String,
        header_row: u32,
        field: String,
        aliases: String,
    },
    #[error("{} 行无法导入，未写入任何数据：\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<CellError>),
    #[error("内部错误：{0}")]
    Internal(String),
    #[error("写入 {path} 失败：{detail}")]
    Write { path: PathBuf, detail: String },
    /// Beyond what can be read safely: which file, which sheet (empty for the file as a
    /// whole), where, the limit and what to do — all in `detail`.
    #[error("{path} {}过大，无法读取：{detail}", in_sheet(.sheet))]
    TooLarge {
        path: PathBuf,
        sheet: String,
        detail: String,
    },
}

fn in_sheet(sheet: &str) -> String {
    if sheet.is_empty() {
        String::new()
    } else {
        format!("的工作表“{sheet}”")
    }
}

/// At most this many cell errors are listed (per sheet); the rest are counted in one more
/// line. Nobody reads further, and a sheet of garbage must not make a list of millions.
pub(crate) const MAX_LISTED_ERRORS: usize = 10_000;

/// Cell errors: the first [`MAX_LISTED_ERRORS`] pushed are kept, the rest only counted.
#[derive(Debug, Default)]
pub(crate) struct ErrorList {
    list: Vec<CellError>,
    more: usize,
    /// Sheet and row of the first error not kept (the lowest row, when lists are joined).
    first_more: Option<(String, u32)>,
}

impl ErrorList {
    pub fn push(&mut self, e: CellError) {
        if self.list.len() < MAX_LISTED_ERRORS {
            self.list.push(e);
        } else {
            self.count_more(1, e.sheet, e.row);
        }
    }

    fn count_more(&mut self, n: usize, sheet: String, row: u32) {
        self.more += n;
        if self.first_more.as_ref().is_none_or(|(_, r)| row < *r) {
            self.first_more = Some((sheet, row));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.more == 0
    }

    /// Adds the errors of another list (a worker's), keeping the cap.
    pub fn append(&mut self, other: ErrorList) {
        for e in other.list {
            self.push(e);
        }
        if let Some((sheet, row)) = other.first_more {
            self.count_more(other.more, sheet, row);
        }
    }

    /// The errors kept, in row order, and a last line for those not listed.
    pub fn finish(self) -> Vec<CellError> {
        let mut list = self.list;
        list.sort_by_key(|e| e.row);
        if let Some((sheet, row)) = self.first_more {
            list.push(CellError {
                sheet,
                row,
                column: String::new(),
                field: String::new(),
                value: String::new(),
                message: format!(
                    "另有 {} 处错误未逐一列出（每个工作表最多列出 {} 处，未列出的第一处在这一行）；请先改正以上错误后重新导入",
                    self.more, MAX_LISTED_ERRORS
                ),
            });
        }
        list
    }
}
