//! 台账导入 — reads a ledger sheet the way a person would: past title and note rows, through
//! one- or two-row merged headers matched by alias, skipping section, subtotal and footnote
//! rows, converting 亿元 and 万元 exactly and reading dates in every form seen in the wild.
//! Every cell that cannot be read is reported with sheet, row, column and reason.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use calamine::Data;
use duban_core::text::{compact, non_blank, split_list};
use duban_core::{
    Item, ItemField, ItemKind, Leader, Level, Milestone, MoneyUnit, MonthlyPlan, Nature, PlanDate,
    Stage, StatedFields, UnitKind, Wan,
};
use serde::Serialize;

use crate::columns::{Field, match_field, parse_header};
use crate::error::{CellError, ErrorList, LedgerError};
use crate::grid::{Grid, cell_text, column_letter};
use crate::ledger_export::{MILESTONE_HEADERS, MILESTONE_SHEET};
use crate::workbook::{Workbook, thousands};

/// How to read a ledger.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// 工作表 — the sheet to read; by default the first sheet with a ledger header.
    pub sheet: Option<String>,
    /// 年度 — for rows without a year column (else the year in the title, else `fallback_year`).
    pub year: Option<i32>,
    /// 事项类型 — for rows without a type column (else the title's, else 重点项目).
    pub kind: Option<ItemKind>,
    /// The year to use when nothing else says (the caller's "this year").
    pub fallback_year: i32,
}

/// One data row, read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRow {
    /// 行号 — as Excel shows it.
    pub row: u32,
    pub item: Item,
    /// 节点 — from the milestone sheet (节点计划) when the file has one; `None` otherwise.
    pub milestones: Option<Vec<Milestone>>,
    /// 1–N月累计完成投资 — a year-to-date column, imported as the report for month N.
    pub done_to_month: Option<(u8, Wan)>,
}

/// A column as understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    pub column: String,
    /// The header as written (two-row headers joined with "/").
    pub header: String,
    /// The field it was matched to (its standard header), or None: kept as an extra column.
    pub field: Option<String>,
    pub unit: Option<&'static str>,
}

/// A row that is not an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedRow {
    pub row: u32,
    /// 分组行 section, 小计行 subtotal, 注释行 footnote, 空行 blank
    pub reason: &'static str,
    pub text: String,
}

/// A ledger sheet, read.
#[derive(Debug, Clone, Serialize)]
pub struct ReadLedger {
    pub sheet: String,
    pub title: Option<String>,
    /// 表头行 — first and last header row, as Excel numbers them.
    pub header_rows: (u32, u32),
    /// 金额单位 — the sheet's unit note, 万元 if none.
    pub money_unit: &'static str,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<LedgerRow>,
    pub skipped: Vec<SkippedRow>,
    pub errors: Vec<CellError>,
    /// 表中有的字段 — what the sheet states; a re-import keeps the stored value of the rest.
    #[serde(skip)]
    pub stated: StatedFields,
    /// 年度来源 — where the year of rows without a year column came from, for the summary.
    pub year_source: String,
    /// 其他工作表 — sheets of the file that were not read.
    pub other_sheets: Vec<String>,
}

const SCAN_ROWS: u32 = 30;

/// Items one file may hold: the province (50,000) and a fifth more. Reading a ledger takes
/// about 4 KB an item at its peak (the grid, the items and their texts); 60,000 items of 20
/// columns peak near 230 MB.
const MAX_ITEMS: usize = 60_000;

/// Reads the ledger in `path`. File-level problems are errors; row problems are listed in
/// [`ReadLedger::errors`] with the rows that could be read in [`ReadLedger::rows`].
pub fn read_ledger(
    path: &Path,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<ReadLedger, LedgerError> {
    let mut book = Workbook::open(path)?;
    let names = book.sheet_names().to_vec();
    let candidates: Vec<String> = match &opts.sheet {
        Some(s) => {
            if !names.contains(s) {
                return Err(LedgerError::NoSuchSheet {
                    path: path.to_path_buf(),
                    sheet: s.clone(),
                    available: names.join("、"),
                });
            }
            vec![s.clone()]
        }
        None => names.clone(),
    };
    for name in &candidates {
        let grid = book.grid(name, true)?;
        if let Some(header) = find_header(&grid) {
            let mut ledger = read_sheet(path, name, &grid, header, opts, progress)?;
            drop(grid);
            ledger.other_sheets = names
                .iter()
                .filter(|n| *n != name && n.as_str() != MILESTONE_SHEET)
                .cloned()
                .collect();
            if name != MILESTONE_SHEET && names.iter().any(|n| n == MILESTONE_SHEET) {
                let grid = book.grid(MILESTONE_SHEET, false)?;
                drop(book);
                read_milestones(&grid, &mut ledger);
            }
            return Ok(ledger);
        }
    }
    Err(LedgerError::NoHeader {
        path: path.to_path_buf(),
        sheet: match &opts.sheet {
            Some(s) => format!("的工作表“{s}”"),
            None => "各工作表".into(),
        },
        scanned: SCAN_ROWS as usize,
    })
}

/// Where the header is and what each column holds.
struct Header {
    first: u32,
    last: u32,
    columns: Vec<(u32, String, Option<Field>, Option<MoneyUnit>)>,
}

fn single_row_fields(grid: &Grid, row: u32) -> Vec<(u32, Field)> {
    grid.row_texts(row)
        .into_iter()
        .filter_map(|(c, t)| match_field(&parse_header(&t).base).map(|f| (c, f)))
        .collect()
}

fn find_header(grid: &Grid) -> Option<Header> {
    let (r0, r1) = grid.rows()?;
    for r in r0..=(r0 + SCAN_ROWS).min(r1) {
        let fields = single_row_fields(grid, r);
        let has_name = fields.iter().any(|(_, f)| *f == Field::Name);
        let distinct: std::collections::HashSet<_> = fields
            .iter()
            .map(|(_, f)| *f)
            .filter(|f| *f != Field::Seq)
            .collect();
        if !has_name || distinct.len() < 2 {
            continue;
        }
        let name_col = fields
            .iter()
            .find(|(_, f)| *f == Field::Name)
            .map(|(c, _)| *c)?;
        let two_rows = r < r1 && is_sub_header(grid, r, name_col);
        return Some(build_header(grid, r, if two_rows { r + 1 } else { r }));
    }
    None
}

/// Whether the row below a header row continues the header: a merge in the header row spans
/// into or across it, or it has header words where the name column is blank.
fn is_sub_header(grid: &Grid, r: u32, name_col: u32) -> bool {
    let Some((c0, c1)) = grid.cols() else {
        return false;
    };
    let merged = (c0..=c1).any(|c| {
        grid.merge_at(r, c).is_some_and(|m| {
            m.start.0 == r && (m.end.0 > r || (m.end.1 > m.start.1 && m.end.0 == r))
        })
    });
    let below = grid.row_texts(r + 1);
    // A data row has a name of its own and numbers or dates; a header row has neither.
    let name_below = grid.text(r + 1, name_col);
    let no_name = name_below.is_empty() || name_below == grid.text(r, name_col);
    let only_words = !below.is_empty()
        && below.iter().all(|(c, t)| {
            !matches!(
                grid.cell(r + 1, *c),
                Data::Float(_) | Data::Int(_) | Data::DateTime(_)
            ) && t.parse::<f64>().is_err()
        });
    if merged {
        return no_name && only_words;
    }
    name_below.is_empty()
        && only_words
        && below
            .iter()
            .any(|(_, t)| match_field(&parse_header(t).base).is_some())
}

fn build_header(grid: &Grid, first: u32, last: u32) -> Header {
    let (c0, c1) = grid.cols().unwrap_or((0, 0));
    let mut taken = std::collections::HashSet::new();
    let mut columns = Vec::new();
    for c in c0..=c1 {
        let top = grid.text(first, c).into_owned();
        let sub = if last > first {
            grid.text(last, c).into_owned()
        } else {
            String::new()
        };
        if top.is_empty() && sub.is_empty() {
            // No header, but data may sit below it: keep it under the column letter.
            columns.push((c, format!("{}列", column_letter(c)), None, None));
            continue;
        }
        let (display, candidates): (String, Vec<String>) = if sub.is_empty() || sub == top {
            (top.clone(), vec![top.clone()])
        } else if top.is_empty() {
            (sub.clone(), vec![sub.clone()])
        } else {
            let (t, s) = (parse_header(&top).base, parse_header(&sub).base);
            (
                format!("{top}/{sub}"),
                vec![
                    format!("{t}{s}"),
                    format!("{s}{t}"),
                    sub.clone(),
                    top.clone(),
                ],
            )
        };
        let field = candidates
            .iter()
            .filter_map(|cand| match_field(&parse_header(cand).base))
            .find(|f| !taken.contains(f));
        if let Some(f) = field {
            taken.insert(f);
        }
        let unit = parse_header(&sub).unit.or(parse_header(&top).unit);
        columns.push((c, display, field, unit));
    }
    // Two extra columns with the same header must not overwrite each other.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for col in columns.iter_mut().filter(|c| c.2.is_none()) {
        let n = seen.entry(col.1.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            col.1 = format!("{}（{}）", col.1, n);
        }
    }
    // A monthly plan needs all twelve months; otherwise those columns are kept as written.
    let months = columns
        .iter()
        .filter(|(_, _, f, _)| matches!(f, Some(Field::PlanToMonth(_))))
        .count();
    if months != 12 {
        for col in columns.iter_mut() {
            if matches!(col.2, Some(Field::PlanToMonth(_))) {
                col.2 = None;
            }
        }
    }
    Header {
        first,
        last,
        columns,
    }
}

/// Defaults that section rows ("一、甲县（3个）", "（一）新开工项目") set for the rows below.
#[derive(Debug, Clone, Default)]
struct Section {
    region: Option<String>,
    lead: Option<String>,
    stage: Option<Stage>,
    kind: Option<ItemKind>,
    category: Option<String>,
}

impl Section {
    fn over(&self, outer: &Section) -> Section {
        Section {
            region: self.region.clone().or_else(|| outer.region.clone()),
            lead: self.lead.clone().or_else(|| outer.lead.clone()),
            stage: self.stage.or(outer.stage),
            kind: self.kind.or(outer.kind),
            category: self.category.clone().or_else(|| outer.category.clone()),
        }
    }

    fn from_label(label: &str) -> Option<Section> {
        let mut s = Section::default();
        let plain = label.trim_end_matches("项目").trim_end_matches('类');
        if let Ok(stage) = Stage::parse(label).or_else(|_| Stage::parse(plain)) {
            s.stage = Some(stage);
        } else if let Some(kind) =
            ItemKind::find_in_title(label).or_else(|| ItemKind::parse(label).ok())
        {
            s.kind = Some(kind);
        } else if let Some(cat) = ["基础设施", "社会民生", "生态环保", "产业"]
            .iter()
            .find(|c| label.contains(*c))
        {
            s.category = Some((*cat).to_string());
        } else if UnitKind::guess(label) == UnitKind::Region {
            s.region = Some(label.to_string());
        } else if [
            "局", "委", "办", "院", "中心", "公司", "集团", "政府", "部", "厅", "站", "所", "会",
        ]
        .iter()
        .any(|e| label.ends_with(e))
        {
            s.lead = Some(label.to_string());
        } else {
            return None;
        }
        Some(s)
    }
}

const CN_NUM: &str = "一二三四五六七八九十百零";

/// "一、甲县（3个）" → (1, "甲县"); "（二）新开工项目" → (2, "新开工项目").
fn section_label(text: &str) -> Option<(u8, String)> {
    let t = duban_core::text::normalize_width(text.trim());
    let (level, rest) = if let Some(inner) = t.strip_prefix('(') {
        let close = inner.find(')')?;
        let num = &inner[..close];
        if num.is_empty() || !num.chars().all(|c| CN_NUM.contains(c)) {
            return None;
        }
        (2, inner[close + 1..].to_string())
    } else {
        let n = t.chars().take_while(|c| CN_NUM.contains(*c)).count();
        if n == 0 {
            // "第一部分 …", "第二批：…" — but not "第二污水处理厂…".
            let rest = t.strip_prefix('第')?;
            let n = rest.chars().take_while(|c| CN_NUM.contains(*c)).count();
            if n == 0 {
                return None;
            }
            let after: String = rest.chars().skip(n).collect();
            let after = ["部分", "类", "批", "篇", "章"]
                .iter()
                .find_map(|w| after.strip_prefix(w))?;
            (
                1,
                after.trim_start_matches([' ', '、', ':', '：']).to_string(),
            )
        } else {
            let after: String = t.chars().skip(n).collect();
            let after = after.strip_prefix(['、', '.', '．', ' '])?;
            (1, after.to_string())
        }
    };
    let mut label = rest.trim().trim_end_matches([':', '：']).to_string();
    // Drop a count: "甲县(3个)", "甲县 共3项", "甲县:5个".
    if let Some(open) = label.rfind('(')
        && label.ends_with(')')
        && label[open..].chars().any(|c| c.is_ascii_digit())
    {
        label.truncate(open);
    }
    if let Some(i) = label.find('共')
        && label[i + '共'.len_utf8()..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
    {
        label.truncate(i);
    }
    let label = label.trim().to_string();
    (!label.is_empty()).then_some((level, label))
}

/// "甲县（15个）" — a name that is a count of the rows below it.
fn counted_label(text: &str) -> Option<String> {
    let t = duban_core::text::normalize_width(text.trim());
    let inner = t.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let count = inner[open + 1..].trim();
    let digits = count.trim_end_matches(['个', '项', '件', '类']);
    (digits.len() < count.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| inner[..open].trim().to_string())
        .filter(|l| !l.is_empty())
}

/// The money unit a note states: "单位：万元", "（单位：亿元）", in a title or alone. Only the
/// words right after "单位" count, so "亿元以上项目" or "填报单位：元氏县" are not notes.
fn unit_note(text: &str) -> Option<MoneyUnit> {
    let c = compact(text);
    let mut rest = c.as_str();
    while let Some(i) = rest.find("单位") {
        let after = &rest[i + "单位".len()..];
        for (word, unit) in [("万元", MoneyUnit::Wan), ("亿元", MoneyUnit::Yi)] {
            if after.starts_with(word) {
                return Some(unit);
            }
        }
        if after == "元"
            || after.starts_with("元)")
            || after.starts_with("元,")
            || after.starts_with("元;")
        {
            return Some(MoneyUnit::Yuan);
        }
        rest = after;
    }
    None
}

fn is_subtotal(text: &str) -> bool {
    let t = compact(text);
    if t.starts_with("其中") {
        return true;
    }
    ["合计", "小计", "总计", "共计"]
        .iter()
        .any(|w| t.starts_with(w) || t.ends_with(w))
        || t == "其中"
}

fn is_footnote(text: &str) -> bool {
    let norm = duban_core::text::normalize_width(text);
    let t = norm.trim();
    if t.starts_with(['*', '※']) {
        return true;
    }
    [
        "注",
        "说明",
        "备注",
        "填表人",
        "制表人",
        "制表",
        "审核人",
        "审核",
        "联系人",
        "联系电话",
        "数据来源",
        "填报人",
        "填报单位",
        "资料来源",
    ]
    .iter()
    .any(|p| {
        t.strip_prefix(p)
            .is_some_and(|rest| rest.trim_start().starts_with([':', '1', '①']))
    })
}

fn find_year(text: &str) -> Option<i32> {
    duban_core::date::year_written(text, &['年'])
}

fn read_sheet(
    path: &Path,
    sheet: &str,
    grid: &Grid,
    header: Header,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<ReadLedger, LedgerError> {
    let (r0, r1) = grid.rows().unwrap_or((0, 0));
    // Title, year and unit note from the rows above the header.
    let mut title = None;
    let mut money_unit = MoneyUnit::Wan;
    for r in r0..header.first {
        for (_, t) in grid.row_texts(r) {
            if let Some(u) = unit_note(&t) {
                money_unit = u;
            }
            let rest = compact(&t);
            let is_note_only = rest.starts_with("单位") || rest.starts_with("(单位");
            if title.is_none() && !is_note_only && t.chars().count() >= 4 {
                title = Some(t.clone());
            }
        }
    }
    let title_year = title.as_deref().and_then(find_year);
    let title_kind = title.as_deref().and_then(ItemKind::find_in_title);

    let col_of = |f: Field| header.columns.iter().find(|c| c.2 == Some(f)).map(|c| c.0);
    let name_col = col_of(Field::Name).expect("header has a name column");
    let has_lead = col_of(Field::LeadUnit).is_some() || col_of(Field::Region).is_some();

    let mut out = ReadLedger {
        sheet: sheet.to_string(),
        title: title.clone().map(|t| t.into_owned()),
        header_rows: (header.first + 1, header.last + 1),
        money_unit: money_unit.label(),
        columns: header
            .columns
            .iter()
            .map(|(c, h, f, u)| ColumnInfo {
                column: column_letter(*c),
                header: h.clone(),
                field: f.map(Field::header),
                unit: f
                    .filter(|f| f.is_money())
                    .map(|_| u.unwrap_or(money_unit).label()),
            })
            .collect(),
        rows: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
        stated: stated_by_columns(&header),
        year_source: match (col_of(Field::Year), opts.year, title_year) {
            (Some(c), _, _) => format!(
                "取自“{}”列（{}列）",
                header
                    .columns
                    .iter()
                    .find(|x| x.0 == c)
                    .map(|x| x.1.as_str())
                    .unwrap_or("年度"),
                column_letter(c)
            ),
            (None, Some(y), _) => format!("{y}（--year）"),
            (None, None, Some(y)) => format!("{y}（取自标题）"),
            (None, None, None) => format!("{}（表中未注明，按今年）", opts.fallback_year),
        },
        other_sheets: Vec::new(),
    };
    if col_of(Field::Year).is_some() || opts.year.is_some() || title_year.is_some() {
        out.stated.fields.insert(ItemField::Year);
    }
    if col_of(Field::Kind).is_some() || opts.kind.is_some() || title_kind.is_some() {
        out.stated.fields.insert(ItemField::Kind);
    }

    let mut errors = ErrorList::default();
    // Pass 1, in order: classify rows; section rows set the defaults of the rows below.
    let mut outer = Section::default();
    let mut inner = Section::default();
    let mut sections: Vec<Section> = vec![inner.over(&outer)];
    let mut jobs: Vec<(u32, usize)> = Vec::new();
    let mut any_section_lead = false;
    let seq_col = col_of(Field::Seq);
    let total = r1.saturating_sub(header.last);
    for r in header.last + 1..=r1 {
        if (r - header.last).is_multiple_of(2000) {
            progress((r - header.last) / 2, total);
        }
        let texts = grid.row_texts(r);
        let Some((_, first)) = texts.first() else {
            continue; // blank row
        };
        let name_text = grid.text(r, name_col);
        let lead_text = if name_text.is_empty() {
            first.clone()
        } else {
            name_text.clone()
        };
        let excel_row = r + 1;
        let skip = |reason, text: &str| SkippedRow {
            row: excel_row,
            reason,
            text: text.to_string(),
        };
        if is_footnote(first) {
            out.skipped.push(skip("注释行", first));
            continue;
        }
        if is_subtotal(&lead_text) || is_subtotal(first) {
            out.skipped.push(skip("小计行", &lead_text));
            continue;
        }
        let distinct: std::collections::HashSet<&str> =
            texts.iter().map(|(_, t)| t.as_ref()).collect();
        let seq_text = seq_col.map(|c| grid.text(r, c)).unwrap_or_default();
        let section = section_label(&lead_text)
            .or_else(|| section_label(first))
            .or_else(|| {
                // "一" or "（一）" in 序号 and the label in 项目名称.
                let seq = duban_core::text::normalize_width(seq_text.trim());
                let level = if !seq.is_empty() && seq.chars().all(|c| CN_NUM.contains(c)) {
                    1
                } else if seq.starts_with('(') && seq.ends_with(')') && seq.len() > 2 {
                    2
                } else {
                    return None;
                };
                let label = counted_label(&name_text).unwrap_or_else(|| name_text.to_string());
                (!label.is_empty()).then_some((level, label))
            })
            .or_else(|| counted_label(&lead_text).map(|l| (1, l)))
            .or_else(|| {
                // A row merged across with one text and no numbering is a section too.
                (distinct.len() == 1 && texts.len() > 1).then(|| (1, first.to_string()))
            });
        if let Some((level, label)) = section {
            // A new section replaces the defaults of its level, even one that sets none.
            let s = Section::from_label(&label);
            out.skipped.push(skip(
                if s.is_some() {
                    "分组行"
                } else {
                    "说明行"
                },
                &lead_text,
            ));
            let s = s.unwrap_or_default();
            any_section_lead |= s.region.is_some() || s.lead.is_some();
            if level == 1 {
                outer = s;
                inner = Section::default();
            } else {
                inner = s;
            }
            sections.push(inner.over(&outer));
            continue;
        }
        if name_text.is_empty() {
            if texts.iter().all(|(c, _)| Some(*c) == seq_col) {
                continue; // an empty numbered row of a template
            }
            errors.push(CellError {
                sheet: sheet.into(),
                row: excel_row,
                column: column_letter(name_col),
                field: header
                    .columns
                    .iter()
                    .find(|c| c.0 == name_col)
                    .map(|c| c.1.clone())
                    .unwrap_or_default(),
                value: String::new(),
                message: "项目名称为空（这一行有其他数据，但没有项目名称）".into(),
            });
            continue;
        }
        jobs.push((r, sections.len() - 1));
    }
    if jobs.len() > MAX_ITEMS {
        let (first, last) = (jobs[0].0, jobs[jobs.len() - 1].0);
        return Err(LedgerError::TooLarge {
            path: path.to_path_buf(),
            sheet: sheet.into(),
            detail: format!(
                "第 {}–{} 行有 {} 个项目，超过一次可导入的 {} 个（全省台账约 5 万个）。请按地区或类别把台账拆成几个文件分别导入",
                first + 1,
                last + 1,
                thousands(jobs.len() as u64),
                thousands(MAX_ITEMS as u64)
            ),
        });
    }

    // Pass 2, on every core: read the data rows.
    let ctx = |row| RowContext {
        sheet,
        grid,
        row,
        money_unit,
        header: &header,
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let chunk = jobs.len().div_ceil(threads).max(1);
    // Each worker keeps the first errors of its rows (see `ErrorList`) and marks the rows
    // that have some; its rows are kept apart, and freed as pass 3 takes their items.
    let results: Vec<Vec<(u32, Option<RowRead>, bool)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                let (sections, ctx) = (&sections, &ctx);
                scope.spawn(move || {
                    let mut kept = ErrorList::default();
                    let rows = part
                        .iter()
                        .map(|&(r, sec)| {
                            let mut errors = Vec::new();
                            let item = ctx(r).read_item(
                                &sections[sec],
                                opts,
                                title_year,
                                title_kind,
                                &mut errors,
                            );
                            let bad = !errors.is_empty();
                            for e in errors {
                                kept.push(e);
                            }
                            (r, item, bad)
                        })
                        .collect::<Vec<_>>();
                    (rows, kept)
                })
            })
            .collect();
        let mut all = Vec::with_capacity(handles.len());
        for h in handles {
            // A worker that stopped must not leave rows silently unread.
            let (rows, kept) = h
                .join()
                .map_err(|_| LedgerError::Internal("读取数据行的线程意外中止".into()))?;
            all.push(rows);
            errors.append(kept);
        }
        Ok::<_, LedgerError>(all)
    })?;
    progress(total * 3 / 4, total);

    // Pass 3, in order: collect, and catch duplicates within the file.
    let mut seen_codes: HashMap<String, u32> = HashMap::new();
    let mut seen_names: HashMap<(String, String), u32> = HashMap::new();
    out.rows.reserve_exact(jobs.len());
    for (r, item, bad) in results.into_iter().flatten() {
        let excel_row = r + 1;
        if bad {
            continue;
        }
        let Some((item, done)) = item else { continue };
        let ctx = ctx(r);
        if !item.code.is_empty() {
            if let Some(prev) = seen_codes.insert(item.code.clone(), excel_row) {
                errors.push(ctx.error(
                    col_of(Field::Code),
                    "项目编号",
                    &item.code,
                    format!("项目编号与第 {prev} 行重复；每个项目编号只能出现一次"),
                ));
                continue;
            }
        } else if let Some(prev) =
            seen_names.insert((item.name.clone(), item.lead_unit.clone()), excel_row)
        {
            errors.push(ctx.error(
                Some(name_col),
                "项目名称",
                &item.name,
                format!(
                    "与第 {prev} 行的项目名称和责任单位相同；请填写项目编号加以区分或删除重复行"
                ),
            ));
            continue;
        }
        out.rows.push(LedgerRow {
            row: excel_row,
            item,
            milestones: None,
            done_to_month: done,
        });
    }
    out.errors = errors.finish();
    for s in &sections {
        if s.kind.is_some() {
            out.stated.fields.insert(ItemField::Kind);
        }
        let by_section = [
            (s.region.is_some(), ItemField::Region),
            (s.stage.is_some(), ItemField::Stage),
            (s.category.is_some(), ItemField::Category),
        ];
        out.stated
            .fields
            .extend(by_section.iter().filter(|(set, _)| *set).map(|(_, f)| *f));
    }
    progress(total, total);
    if !has_lead && !any_section_lead {
        return Err(LedgerError::MissingColumn {
            sheet: sheet.into(),
            header_row: header.first + 1,
            field: "牵头单位/责任单位".into(),
            aliases: Field::LeadUnit.aliases(),
        });
    }
    Ok(out)
}

/// An item read from a row, with its year-to-date figure (month, amount) if the sheet has one.
type RowRead = (Item, Option<(u8, Wan)>);

struct RowContext<'a> {
    sheet: &'a str,
    grid: &'a Grid,
    row: u32,
    money_unit: MoneyUnit,
    header: &'a Header,
}

impl RowContext<'_> {
    fn error(&self, col: Option<u32>, field: &str, value: &str, message: String) -> CellError {
        CellError {
            sheet: self.sheet.to_string(),
            row: self.row + 1,
            column: col.map(column_letter).unwrap_or_default(),
            field: field.to_string(),
            value: value.to_string(),
            message,
        }
    }

    fn read_item(
        &self,
        defaults: &Section,
        opts: &ReadOptions,
        title_year: Option<i32>,
        title_kind: Option<ItemKind>,
        errors: &mut Vec<CellError>,
    ) -> Option<RowRead> {
        let mut v = Values::default();
        for (col, header, field, unit) in &self.header.columns {
            let data = self.grid.cell(self.row, *col);
            let text = cell_text(data);
            let Some(field) = field else {
                if !text.is_empty() {
                    v.extra.insert(header.clone(), text.into_owned());
                }
                continue;
            };
            if non_blank(&text).is_none() {
                continue;
            }
            let unit = unit.unwrap_or(self.money_unit);
            if let Err(message) = v.set(*field, data, &text, unit) {
                errors.push(self.error(Some(*col), header, &text, message));
            }
        }
        let year = v
            .year
            .or(opts.year)
            .or(title_year)
            .unwrap_or(opts.fallback_year);
        let kind = v
            .kind
            .or(opts.kind)
            .or(defaults.kind)
            .or(title_kind)
            .unwrap_or(ItemKind::Project);
        let region = v.region.clone().or_else(|| defaults.region.clone());
        let mut units = v.lead_units.clone();
        let lead = if units.is_empty() {
            v.region
                .clone()
                .or_else(|| defaults.lead.clone())
                .or_else(|| defaults.region.clone())
                .unwrap_or_default()
        } else {
            units.remove(0)
        };
        let mut item = Item::new(year, kind, v.name.clone().unwrap_or_default(), lead);
        item.code = v.code.clone().unwrap_or_default();
        item.owner = v.owner.take();
        item.nature = v.nature;
        item.location = v.location.take();
        item.scale = v.scale.take();
        item.category = v
            .category
            .take()
            .or_else(|| v.kind_as_category.take())
            .or_else(|| defaults.category.clone());
        item.level = v.level;
        item.stage = v.stage.or(defaults.stage);
        item.total_investment = v.total;
        item.annual_plan = v.annual;
        item.planned_start = v.start;
        item.planned_end = v.end;
        item.region = region;
        for u in units.into_iter().chain(v.co_units.drain(..)) {
            if u != item.lead_unit && !item.co_units.contains(&u) {
                item.co_units.push(u);
            }
        }
        let mut leaders = std::mem::take(&mut v.leaders);
        if !leaders.is_empty() {
            item.leader = Some(leaders.remove(0));
            if !leaders.is_empty() {
                let rest: Vec<String> = leaders.iter().map(ToString::to_string).collect();
                v.extra.insert(OTHER_LEADERS.into(), rest.join("、"));
            }
        }
        item.in_statistics = v.in_statistics;
        item.tags = std::mem::take(&mut v.tags);
        item.notes = v.notes.take();
        item.extra = std::mem::take(&mut v.extra);
        if !v.months.is_empty() {
            if v.months.len() == 12 {
                item.monthly_plan = Some(MonthlyPlan(v.months.values().copied().collect()));
            } else {
                let missing: Vec<String> = (1..=12u8)
                    .filter(|m| !v.months.contains_key(m))
                    .map(|m| format!("1-{m}月"))
                    .collect();
                errors.push(self.error(
                    None,
                    "月度计划",
                    "",
                    format!("月度累计计划不完整，缺少 {}", missing.join("、")),
                ));
            }
        }
        for p in item.validate() {
            let col = problem_field(p.field)
                .and_then(|f| self.header.columns.iter().find(|c| c.2 == Some(f)));
            errors.push(CellError {
                sheet: self.sheet.to_string(),
                row: self.row + 1,
                column: col.map(|c| column_letter(c.0)).unwrap_or_default(),
                field: col
                    .map(|c| c.1.clone())
                    .unwrap_or_else(|| p.field.to_string()),
                value: String::new(),
                message: p.message,
            });
        }
        Some((item, v.done))
    }
}

/// Reads the milestone sheet (as `export` writes it) into the rows it names by code.
fn read_milestones(grid: &Grid, ledger: &mut ReadLedger) {
    let Some((r0, r1)) = grid.rows() else { return };
    let Some(header) = (r0..=(r0 + SCAN_ROWS).min(r1)).find(|r| {
        let texts: Vec<String> = grid
            .row_texts(*r)
            .into_iter()
            .map(|(_, t)| compact(&t))
            .collect();
        texts.iter().any(|t| t == MILESTONE_HEADERS[0])
            && texts.iter().any(|t| t == MILESTONE_HEADERS[3])
    }) else {
        return;
    };
    let col = |h: &str| {
        grid.row_texts(header)
            .into_iter()
            .find(|(_, t)| compact(t) == h)
            .map(|(c, _)| c)
    };
    let (Some(c_code), Some(c_name)) = (col(MILESTONE_HEADERS[0]), col(MILESTONE_HEADERS[3]))
    else {
        return;
    };
    let (c_plan, c_done) = (col(MILESTONE_HEADERS[4]), col(MILESTONE_HEADERS[5]));
    let mut by_code: HashMap<String, Vec<Milestone>> = HashMap::new();
    let mut first_row: HashMap<String, u32> = HashMap::new();
    let mut errors = ErrorList::default();
    for r in header + 1..=r1 {
        let code = grid.text(r, c_code);
        let name = grid.text(r, c_name);
        if code.is_empty() && name.is_empty() {
            continue;
        }
        let mut day = |c: Option<u32>, field: &str| -> Option<chrono::NaiveDate> {
            let c = c?;
            let text = grid.text(r, c);
            non_blank(&text)?;
            match date(grid.cell(r, c), &text) {
                Ok(PlanDate::Day(d)) => Some(d),
                Ok(month) => Some(month.last_day()),
                Err(message) => {
                    errors.push(CellError {
                        sheet: MILESTONE_SHEET.into(),
                        row: r + 1,
                        column: column_letter(c),
                        field: field.into(),
                        value: text.into_owned(),
                        message,
                    });
                    None
                }
            }
        };
        let planned = day(c_plan, MILESTONE_HEADERS[4]);
        let actual = day(c_done, MILESTONE_HEADERS[5]);
        first_row.entry(code.to_string()).or_insert(r + 1);
        by_code
            .entry(code.into_owned())
            .or_default()
            .push(Milestone {
                name: name.into_owned(),
                planned,
                actual,
            });
    }
    for row in ledger.rows.iter_mut().filter(|r| !r.item.code.is_empty()) {
        row.milestones = Some(by_code.remove(&row.item.code).unwrap_or_default());
    }
    let mut unknown: Vec<String> = by_code.into_keys().collect();
    unknown.sort_by_key(|c| first_row.get(c).copied().unwrap_or(0));
    for code in unknown {
        errors.push(CellError {
            sheet: MILESTONE_SHEET.into(),
            row: first_row.get(&code).copied().unwrap_or(0),
            column: column_letter(c_code),
            field: MILESTONE_HEADERS[0].into(),
            value: code.clone(),
            message: format!("节点计划中的项目编号“{code}”在台账中不存在"),
        });
    }
    ledger.errors.extend(errors.finish());
}

/// The fields the header's columns state, and its extra columns.
fn stated_by_columns(header: &Header) -> StatedFields {
    let mut stated = StatedFields::default();
    for (_, display, field, _) in &header.columns {
        let f = match field {
            None => {
                stated.extra.insert(display.clone());
                continue;
            }
            Some(f) => *f,
        };
        let item_field = match f {
            Field::Owner => ItemField::Owner,
            Field::Nature => ItemField::Nature,
            Field::Location => ItemField::Location,
            Field::Scale => ItemField::Scale,
            Field::Category => ItemField::Category,
            Field::Level => ItemField::Level,
            Field::Stage => ItemField::Stage,
            Field::TotalInvestment => ItemField::TotalInvestment,
            Field::AnnualPlan => ItemField::AnnualPlan,
            Field::PlanToMonth(_) => ItemField::MonthlyPlan,
            Field::PlannedStart => ItemField::PlannedStart,
            Field::PlannedEnd => ItemField::PlannedEnd,
            Field::Region => ItemField::Region,
            // A lead-unit cell may name co-operating units too.
            Field::LeadUnit | Field::CoUnits => ItemField::CoUnits,
            Field::Leader => {
                stated.extra.insert(OTHER_LEADERS.to_string());
                ItemField::Leader
            }
            Field::InStatistics => ItemField::InStatistics,
            Field::Tags => ItemField::Tags,
            Field::Notes => ItemField::Notes,
            Field::Seq
            | Field::Code
            | Field::Name
            | Field::Kind
            | Field::Year
            | Field::DoneToMonth(_) => continue,
        };
        stated.fields.insert(item_field);
    }
    stated
}

/// The extra column that keeps the leaders after the first of a 包抓领导 cell.
const OTHER_LEADERS: &str = "其他包抓领导";

fn problem_field(name: &str) -> Option<Field> {
    Some(match name {
        "项目名称" => Field::Name,
        "责任单位" => Field::LeadUnit,
        "年度" => Field::Year,
        "年度计划投资" => Field::AnnualPlan,
        "计划竣工时间" => Field::PlannedEnd,
        "配合单位" => Field::CoUnits,
        "月度计划" => Field::PlanToMonth(12),
        _ => return None,
    })
}

/// The values of one row as they are read, field by field.
#[derive(Default)]
struct Values {
    code: Option<String>,
    name: Option<String>,
    kind: Option<ItemKind>,
    kind_as_category: Option<String>,
    year: Option<i32>,
    owner: Option<String>,
    nature: Option<Nature>,
    location: Option<String>,
    region: Option<String>,
    scale: Option<String>,
    category: Option<String>,
    level: Option<Level>,
    stage: Option<Stage>,
    total: Option<Wan>,
    annual: Option<Wan>,
    months: BTreeMap<u8, Wan>,
    done: Option<(u8, Wan)>,
    start: Option<PlanDate>,
    end: Option<PlanDate>,
    lead_units: Vec<String>,
    co_units: Vec<String>,
    leaders: Vec<Leader>,
    in_statistics: Option<bool>,
    tags: Vec<String>,
    notes: Option<String>,
    extra: BTreeMap<String, String>,
}

fn money(data: &Data, text: &str, unit: MoneyUnit) -> Result<Wan, String> {
    match data {
        Data::Float(f) => Wan::from_f64(*f, unit),
        Data::Int(i) => Wan::from_f64(*i as f64, unit),
        _ => Wan::parse(text, unit),
    }
    .map_err(|e| e.to_string())
}

pub(crate) fn date(data: &Data, text: &str) -> Result<PlanDate, String> {
    match data {
        Data::DateTime(dt) => {
            PlanDate::from_excel_serial(dt.as_f64()).ok_or_else(|| format!("日期超出范围：{text}"))
        }
        Data::Float(f) => PlanDate::from_number(*f).map_err(|e| e.to_string()),
        Data::Int(i) => PlanDate::from_number(*i as f64).map_err(|e| e.to_string()),
        _ => PlanDate::parse(text.split(['T', ' ']).next().unwrap_or(text))
            .map_err(|e| e.to_string()),
    }
}

fn yes_no(text: &str) -> Result<bool, String> {
    let t = compact(text);
    if ["是", "已", "√", "✓", "Y", "y", "1", "TRUE", "true", "纳入"]
        .iter()
        .any(|p| t.starts_with(p))
    {
        Ok(true)
    } else if ["否", "未", "不", "×", "✗", "N", "n", "0", "FALSE", "false"]
        .iter()
        .any(|p| t.starts_with(p))
    {
        Ok(false)
    } else {
        Err(format!(
            "无法识别“{}”（应为 是/否、已入统/未入统 或 √/×）",
            text.trim()
        ))
    }
}

/// Splits a units cell; a unit marked "（牵头）" goes first.
fn unit_list(text: &str) -> Vec<String> {
    let mut lead = Vec::new();
    let mut rest = Vec::new();
    for u in split_list(text) {
        // "甲县（牵头）", "市发改委牵头", "牵头单位：市发改委" lead; "（配合）", "配合" co-operate.
        let mut name = u.as_str();
        let mut leads = false;
        for prefix in ["牵头单位：", "牵头单位:", "责任单位：", "责任单位:"] {
            if let Some(r) = name.strip_prefix(prefix) {
                name = r;
                leads = true;
            }
        }
        for prefix in ["配合单位：", "配合单位:"] {
            name = name.strip_prefix(prefix).unwrap_or(name);
        }
        for (suffix, is_lead) in [
            ("（牵头）", true),
            ("(牵头)", true),
            ("（主责）", true),
            ("(主责)", true),
            ("牵头", true),
            ("（配合）", false),
            ("(配合)", false),
            ("配合", false),
        ] {
            if let Some(r) = name.strip_suffix(suffix).filter(|r| !r.is_empty()) {
                name = r;
                leads |= is_lead;
                break;
            }
        }
        if leads {
            lead.push(name.to_string());
        } else {
            rest.push(name.to_string());
        }
    }
    lead.extend(rest);
    lead.retain(|u| !u.is_empty());
    lead
}

impl Values {
    fn set(
        &mut self,
        field: Field,
        data: &Data,
        text: &str,
        unit: MoneyUnit,
    ) -> Result<(), String> {
        let own = || Some(text.trim().to_string());
        match field {
            Field::Seq => {}
            Field::Code => self.code = own(),
            Field::Name => self.name = own(),
            // "类型" columns often hold a category ("产业项目", "基础设施类") instead.
            Field::Kind => match ItemKind::parse(text) {
                Ok(k) => self.kind = Some(k),
                Err(_) => self.kind_as_category = Some(text.trim().to_string()),
            },
            Field::Year => {
                let t = compact(text);
                let y: i32 = t
                    .trim_end_matches('年')
                    .parse()
                    .map_err(|_| format!("年度应为四位数年份，如 2025，而不是“{text}”"))?;
                self.year = Some(y);
            }
            Field::Owner => self.owner = own(),
            Field::Nature => self.nature = Some(Nature::parse(text).map_err(|e| e.to_string())?),
            Field::Location => self.location = own(),
            Field::Region => self.region = Some(duban_core::text::name(text)),
            Field::Scale => self.scale = own(),
            Field::Category => self.category = own(),
            Field::Level => self.level = Some(Level::parse(text).map_err(|e| e.to_string())?),
            Field::Stage => self.stage = Some(Stage::parse(text).map_err(|e| e.to_string())?),
            Field::TotalInvestment => self.total = Some(money(data, text, unit)?),
            Field::AnnualPlan => self.annual = Some(money(data, text, unit)?),
            Field::PlanToMonth(m) => {
                self.months.insert(m, money(data, text, unit)?);
            }
            // The latest month given wins.
            Field::DoneToMonth(m) => {
                let w = money(data, text, unit)?;
                if self.done.is_none_or(|(d, _)| d < m) {
                    self.done = Some((m, w));
                }
            }
            Field::PlannedStart => self.start = Some(date(data, text)?),
            Field::PlannedEnd => self.end = Some(date(data, text)?),
            Field::LeadUnit => self.lead_units = unit_list(text),
            Field::CoUnits => self.co_units = unit_list(text),
            Field::Leader => self.leaders = Leader::parse_list(text),
            Field::InStatistics => self.in_statistics = Some(yes_no(text)?),
            Field::Tags => self.tags = split_list(text),
            Field::Notes => self.notes = own(),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_labels() {
        assert_eq!(section_label("一、甲县（3个）"), Some((1, "甲县".into())));
        assert_eq!(
            section_label("（二）新开工项目"),
            Some((2, "新开工项目".into()))
        );
        assert_eq!(
            section_label("十二、市直部门 共5项"),
            Some((1, "市直部门".into()))
        );
        assert_eq!(
            section_label("第一部分 产业项目"),
            Some((1, "产业项目".into()))
        );
        assert_eq!(section_label("一中扩建项目"), None);
        assert_eq!(section_label("第二污水处理厂提标改造工程"), None);
        assert_eq!(section_label("第一中学迁建项目"), None);
        assert_eq!(
            section_label("第二批：续建项目"),
            Some((1, "续建项目".into()))
        );
        assert_eq!(
            section_label("（三）公共服务类"),
            Some((2, "公共服务类".into()))
        );
        assert_eq!(counted_label("甲县（15个）"), Some("甲县".into()));
        assert_eq!(counted_label("年产15万吨（一期）"), None);
        assert_eq!(section_label("甲县新材料项目"), None);
    }

    #[test]
    fn sections_set_defaults() {
        assert_eq!(
            Section::from_label("甲县").unwrap().region.as_deref(),
            Some("甲县")
        );
        assert_eq!(
            Section::from_label("新开工项目").unwrap().stage,
            Some(Stage::ToStart)
        );
        assert_eq!(
            Section::from_label("续建").unwrap().stage,
            Some(Stage::UnderConstruction)
        );
        assert_eq!(
            Section::from_label("民生实事").unwrap().kind,
            Some(ItemKind::Livelihood)
        );
        assert_eq!(
            Section::from_label("基础设施类")
                .unwrap()
                .category
                .as_deref(),
            Some("基础设施")
        );
        assert_eq!(
            Section::from_label("市发改委").unwrap().lead.as_deref(),
            Some("市发改委")
        );
    }

    #[test]
    fn subtotals_and_footnotes() {
        assert!(is_subtotal("合计"));
        assert!(is_subtotal("甲县小计"));
        assert!(is_subtotal("全市合计"));
        assert_eq!(unit_note("单位：万元"), Some(MoneyUnit::Wan));
        assert_eq!(unit_note("（单位：亿元）"), Some(MoneyUnit::Yi));
        assert_eq!(
            unit_note("2025年全市亿元以上重点项目台账（单位：万元）"),
            Some(MoneyUnit::Wan)
        );
        assert_eq!(unit_note("填报单位：元氏县发改局"), None);
        assert_eq!(unit_note("2025年亿元以上项目"), None);
        assert!(is_subtotal("其中：新开工项目"));
        assert!(!is_subtotal("甲县合作产业园项目"));
        assert!(is_footnote("注：1.总投资单位为万元"));
        assert!(is_footnote("填表人：张某"));
        assert!(!is_footnote("注塑件生产线项目"));
    }

    #[test]
    fn unit_cells() {
        assert_eq!(
            unit_list("市发改委、市财政局，甲县"),
            vec!["市发改委", "市财政局", "甲县"]
        );
        assert_eq!(
            unit_list("市财政局、甲县（牵头）"),
            vec!["甲县", "市财政局"]
        );
        assert_eq!(
            unit_list("市发改委牵头，市财政局配合"),
            vec!["市发改委", "市财政局"]
        );
        assert_eq!(
            unit_list("配合单位：市财政局；牵头单位：市发改委"),
            vec!["市发改委", "市财政局"]
        );
    }

    #[test]
    fn years_in_titles() {
        assert_eq!(find_year("2025年全市重点项目台账"), Some(2025));
        assert_eq!(find_year("重点项目台账"), None);
    }
}
