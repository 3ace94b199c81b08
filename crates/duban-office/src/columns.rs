//! 列 — the columns of a ledger: one table, [`COLUMNS`], from which the import and the export
//! of every field derive; headers are matched by alias rather than position, with the money
//! unit a header states ("总投资（亿元）").
//!
//! **Adding a field: one row here.** A row, `Variant => Column { … }`, holds
//! - the [`Field`] variant (the enum is declared by the rows);
//! - `names`: the header duban writes, then the aliases real ledgers use;
//! - `states`: the [`ItemField`] a sheet with the column states (re-importing a narrower sheet
//!   keeps what it does not state);
//! - `read`: how a cell is read into the item — a kind ([`Read`]: text, name, money, date,
//!   yes/no, list, a labelled enum) and the item's field, `slot!(field)` —, or `Special`;
//! - `write`: how the export writes it — the cells' [`Look`] and the column's width —, or `None`.
//!
//! The rest follows from the rows: matching headers ([`match_field`]) and the aliases named in
//! messages, the fields a sheet states (`ledger_import::summary`), reading a cell
//! (`ledger_import::values`), the export and `ledger_table` in the rows' order
//! (`ledger_export`), the column a validation problem is placed at (`ledger_import::item`).
//!
//! The special fields are `Read::Special`, read and written by code of their own because
//! their logic is their own: 序号, 项目编号, 项目名称, 事项类型 and 年度 make the item (a
//! 类型 cell that is no kind is a category; year and kind fall back on the options, the title
//! and sections); a lead-unit cell may name co-operating units, and with none the region or
//! the section leads; a 包抓领导 cell keeps its first leader and the others as an extra column;
//! the twelve month columns make one monthly plan, and the latest year-to-date column a
//! report. Sections also stand in for region, stage and category (`ledger_import::item`).
//! Outside this crate a new field is also a field of `duban_core::Item` and an `ItemField`.

use std::fmt::Display;
use std::str::FromStr;

use duban_core::text::compact;
use duban_core::{Item, ItemField, MoneyUnit, PlanDate, Wan};

/// Declares [`Field`] and [`COLUMNS`] from one list of rows, `Variant => row`, in the order
/// duban writes the columns. A month field (`Variant(u8)`) has one row for every month and is
/// listed with month 0.
macro_rules! ledger_columns {
    ($( $(#[$doc:meta])* $variant:ident $(($month:ty))? => $row:expr ),* $(,)?) => {
        /// A ledger field a column can hold: one per row of the columns table (`COLUMNS`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field {
            $( $(#[$doc])* $variant $(($month))?, )*
        }

        /// Every column duban knows, in the order it writes them.
        pub(crate) static COLUMNS: &[(Field, Column)] = &[
            $( (Field::$variant $((0 as $month))?, $row), )*
        ];
    };
}

/// The [`Slot`] of the item's field `$field`.
macro_rules! slot {
    ($field:ident) => {
        Slot {
            get: |item| &item.$field,
            set: |item| &mut item.$field,
        }
    };
}

ledger_columns! {
    /// 序号 — a running number, not kept.
    Seq => Column {
        names: &["序号", "编码序号", "No", "NO"],
        states: None,
        read: Read::Special,
        write: Some((Look::Center, 6.0)),
    },
    Code => Column {
        names: &["项目编号", "编号", "项目代码", "事项编号", "项目编码", "代码"],
        states: None,
        read: Read::Special,
        write: Some((Look::Center, 14.0)),
    },
    Name => Column {
        names: &[
            "项目名称", "名称", "事项名称", "工作任务", "重点工作", "任务名称", "工作名称",
            "重点项目名称", "项目(工作)名称", "实事名称", "民生实事", "项目(事项)名称", "重点任务",
        ],
        states: None,
        read: Read::Special,
        write: Some((Look::Wrap, 36.0)),
    },
    Kind => Column {
        names: &["事项类型", "类型", "项目类型"],
        states: Some(ItemField::Kind),
        read: Read::Special,
        write: Some((Look::Center, 10.0)),
    },
    Year => Column {
        names: &["年度", "年份"],
        states: Some(ItemField::Year),
        read: Read::Special,
        write: Some((Look::Center, 7.0)),
    },
    Owner => Column {
        names: &[
            "建设单位", "项目业主", "业主单位", "项目单位", "实施主体", "建设主体", "项目法人",
            "项目业主单位",
        ],
        states: Some(ItemField::Owner),
        read: Read::Text(slot!(owner)),
        write: Some((Look::Wrap, 22.0)),
    },
    Nature => Column {
        names: &["建设性质", "性质"],
        states: Some(ItemField::Nature),
        read: Read::Choice(&slot!(nature)),
        write: Some((Look::Center, 8.0)),
    },
    Location => Column {
        names: &["建设地点", "项目地点", "地点", "建设地址", "所在地"],
        states: Some(ItemField::Location),
        read: Read::Text(slot!(location)),
        write: Some((Look::Wrap, 18.0)),
    },
    Region => Column {
        names: &[
            "所属区域", "所在县区", "县区", "所属县区", "区域", "县(市、区)", "县市区", "属地",
            "所属县(市、区)",
        ],
        states: Some(ItemField::Region),
        read: Read::Name(slot!(region)),
        write: Some((Look::Center, 14.0)),
    },
    Scale => Column {
        names: &[
            "建设规模及内容", "建设内容及规模", "建设规模及主要建设内容", "建设内容",
            "主要建设内容", "建设规模", "工作内容", "主要内容", "目标任务", "主要任务",
        ],
        states: Some(ItemField::Scale),
        read: Read::Text(slot!(scale)),
        write: Some((Look::Wrap, 40.0)),
    },
    Category => Column {
        names: &["项目类别", "类别", "行业类别", "产业类别", "项目分类"],
        states: Some(ItemField::Category),
        read: Read::Text(slot!(category)),
        write: Some((Look::Center, 10.0)),
    },
    Level => Column {
        names: &["项目级别", "级别", "项目层级"],
        states: Some(ItemField::Level),
        read: Read::Choice(&slot!(level)),
        write: Some((Look::Center, 8.0)),
    },
    Stage => Column {
        names: &["项目阶段", "阶段", "建设阶段", "进展阶段"],
        states: Some(ItemField::Stage),
        read: Read::Choice(&slot!(stage)),
        write: Some((Look::Center, 8.0)),
    },
    TotalInvestment => Column {
        names: &["总投资", "计划总投资", "项目总投资", "估算总投资", "总投资额"],
        states: Some(ItemField::TotalInvestment),
        read: Read::Money(slot!(total_investment)),
        write: Some((Look::Money, 14.0)),
    },
    AnnualPlan => Column {
        names: &[
            "年度计划投资", "计划投资", "年计划投资", "本年计划投资", "年度投资计划", "投资计划",
            "年度计划",
        ],
        states: Some(ItemField::AnnualPlan),
        read: Read::Money(slot!(annual_plan)),
        write: Some((Look::Money, 14.0)),
    },
    /// 1–N月累计计划投资 — twelve columns, written when an item has a monthly plan.
    PlanToMonth(u8) => Column {
        names: &[],
        states: Some(ItemField::MonthlyPlan),
        read: Read::Special,
        write: Some((Look::Money, 12.0)),
    },
    /// 1–N月累计完成投资 — imported as the report for month N.
    DoneToMonth(u8) => Column {
        names: &[],
        states: None,
        read: Read::Special,
        write: None,
    },
    PlannedStart => Column {
        names: &["计划开工时间", "开工时间", "开工日期", "计划开工日期", "开工年月", "计划开工"],
        states: Some(ItemField::PlannedStart),
        read: Read::Date(slot!(planned_start)),
        write: Some((Look::Center, 12.0)),
    },
    PlannedEnd => Column {
        names: &[
            "计划竣工时间", "竣工时间", "完工时间", "计划完成时间", "完成时限", "完成时间",
            "竣工日期", "计划竣工日期", "时限", "办结时限", "计划竣工",
        ],
        states: Some(ItemField::PlannedEnd),
        read: Read::Date(slot!(planned_end)),
        write: Some((Look::Center, 12.0)),
    },
    /// The lead unit; a cell may name co-operating units too.
    LeadUnit => Column {
        names: &[
            "牵头单位", "责任单位", "主责单位", "责任部门", "牵头部门", "牵头责任单位",
            "主要责任单位", "市级责任单位", "责任主体", "牵头单位(责任单位)",
        ],
        states: Some(ItemField::CoUnits),
        read: Read::Special,
        write: Some((Look::Wrap, 18.0)),
    },
    CoUnits => Column {
        names: &["配合单位", "协办单位", "配合部门", "协助单位", "参与单位", "协同单位"],
        states: Some(ItemField::CoUnits),
        read: Read::Special,
        write: Some((Look::Wrap, 24.0)),
    },
    /// The first leader of the cell; the others are kept as an extra column.
    Leader => Column {
        names: &[
            "包抓领导", "市级包抓领导", "分包领导", "责任领导", "牵头领导", "市级领导", "包联领导",
            "分管领导", "包抓市领导", "市级分包领导", "包抓市级领导",
        ],
        states: Some(ItemField::Leader),
        read: Read::Special,
        write: Some((Look::Wrap, 16.0)),
    },
    InStatistics => Column {
        names: &[
            "是否纳入统计", "是否入统", "纳入统计", "是否入库", "入统情况", "是否纳统",
            "是否入统入库",
        ],
        states: Some(ItemField::InStatistics),
        read: Read::YesNo(slot!(in_statistics)),
        write: Some((Look::Center, 8.0)),
    },
    Tags => Column {
        names: &["标签"],
        states: Some(ItemField::Tags),
        read: Read::List(slot!(tags)),
        write: Some((Look::Wrap, 12.0)),
    },
    Notes => Column {
        names: &["备注", "说明"],
        states: Some(ItemField::Notes),
        read: Read::Text(slot!(notes)),
        write: Some((Look::Wrap, 20.0)),
    },
}

/// One row of [`COLUMNS`]: what duban knows of a column besides its [`Field`].
pub(crate) struct Column {
    /// The header duban writes, then the aliases real ledgers use (compacted, without unit).
    /// Empty for the month columns, which are matched by their pattern.
    pub(crate) names: &'static [&'static str],
    /// The item field a sheet with this column states: re-importing a sheet without it keeps
    /// the stored value.
    pub(crate) states: Option<ItemField>,
    /// How a cell is read into the item.
    pub(crate) read: Read,
    /// How duban writes the column — the cells' look and the column's width —, if it does.
    pub(crate) write: Option<(Look, f64)>,
}

/// Where a field lives in an item: to read a cell into and to write it from.
pub(crate) struct Slot<T: 'static> {
    pub(crate) get: fn(&Item) -> &T,
    pub(crate) set: fn(&mut Item) -> &mut T,
}

/// How a column's cell is read into the item (`ledger_import::values`); the kind also says how
/// the value is written (`ledger_export`).
pub(crate) enum Read {
    /// By code of its own: the fields that identify the item or are read across columns or
    /// into more than one field (序号, 编号, 名称, 类型, 年度, 月度, 单位, 领导).
    Special,
    /// Text, trimmed.
    Text(Slot<Option<String>>),
    /// A name: white space removed.
    Name(Slot<Option<String>>),
    /// Money in the column's unit, else the sheet's.
    Money(Slot<Option<Wan>>),
    /// A month or a day, in every form seen in the wild.
    Date(Slot<Option<PlanDate>>),
    /// 是/否, 已/未, √/×.
    YesNo(Slot<Option<bool>>),
    /// A list: "甲、乙，丙".
    List(Slot<Vec<String>>),
    /// A labelled enum (建设性质, 项目级别, 项目阶段): its label, code or an alias.
    Choice(&'static dyn LabelledSlot),
}

/// The [`Slot`] of a labelled enum, its type forgotten so that rows of different enums are
/// all [`Read::Choice`].
pub(crate) trait LabelledSlot: Sync {
    /// Reads `text` (a label, code or alias) into the item; else the enum's message.
    fn read(&self, item: &mut Item, text: &str) -> Result<(), String>;
    /// The item's value as its label, or nothing.
    fn label(&self, item: &Item) -> String;
}

impl<T> LabelledSlot for Slot<Option<T>>
where
    T: FromStr + Display,
    T::Err: Display,
{
    fn read(&self, item: &mut Item, text: &str) -> Result<(), String> {
        *(self.set)(item) = Some(text.parse().map_err(|e: T::Err| e.to_string())?);
        Ok(())
    }

    fn label(&self, item: &Item) -> String {
        (self.get)(item)
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}

/// How the cells of a written column look: wrapped text, centred, or money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    Wrap,
    Center,
    Money,
}

impl Field {
    /// The field's row of [`COLUMNS`].
    pub(crate) fn column(self) -> &'static Column {
        let kind = std::mem::discriminant(&self);
        COLUMNS
            .iter()
            .find(|(f, _)| std::mem::discriminant(f) == kind)
            .map(|(_, c)| c)
            .expect("every field has a row")
    }

    /// The header duban writes for the field.
    pub fn header(self) -> String {
        match self {
            Field::PlanToMonth(m) => format!("1-{m}月累计计划投资"),
            Field::DoneToMonth(m) => format!("1-{m}月累计完成投资"),
            _ => self.column().names[0].to_string(),
        }
    }

    /// The aliases a column of this field may carry, for messages.
    pub fn aliases(self) -> String {
        self.column().names.join("、")
    }

    /// Whether the field holds money (its header may state a unit).
    pub fn is_money(self) -> bool {
        matches!(self, Field::PlanToMonth(_) | Field::DoneToMonth(_))
            || matches!(self.column().read, Read::Money(_))
    }
}

/// A header as read: its base name (unit and year prefix removed) and the money unit it states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderText {
    pub base: String,
    pub unit: Option<MoneyUnit>,
}

/// Reduces a header to its base name: "2025年度计划投资\n（亿元）" → ("年度计划投资", 亿元).
pub fn parse_header(raw: &str) -> HeaderText {
    let c = compact(raw);
    let mut unit = None;
    // Remove parenthesised parts that state a unit; keep others ("县(市、区)").
    let mut base = String::new();
    let mut rest = c.as_str();
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|i| open + i) else {
            break;
        };
        let inner = &rest[open + 1..close];
        base.push_str(&rest[..open]);
        if let Some(u) = unit_word(inner) {
            unit = Some(u);
        } else {
            base.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    base.push_str(rest);
    // A unit written without parentheses: "总投资万元", "总投资/亿元".
    for (suffix, u) in [("亿元", MoneyUnit::Yi), ("万元", MoneyUnit::Wan)] {
        if let Some(b) = base.strip_suffix(suffix) {
            base = b.trim_end_matches(['/', '_', '-']).to_string();
            unit = Some(u);
        }
    }
    // "2025年计划投资", "2025年度计划投资" → "年度计划投资"-like names.
    let digits = base.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 4 && base[4..].starts_with('年') {
        let after = &base[4 + '年'.len_utf8()..];
        base = if after.starts_with('度') {
            format!("年{after}")
        } else {
            after.to_string()
        };
    }
    HeaderText { base, unit }
}

fn unit_word(inner: &str) -> Option<MoneyUnit> {
    let t = inner
        .trim_start_matches("单位")
        .trim_start_matches([':', '：']);
    match t {
        "万元" | "万" => Some(MoneyUnit::Wan),
        "亿元" | "亿" => Some(MoneyUnit::Yi),
        "元" => Some(MoneyUnit::Yuan),
        _ => None,
    }
}

/// Matches a header base name to a field.
pub fn match_field(base: &str) -> Option<Field> {
    if let Some(m) = plan_to_month(base) {
        return Some(Field::PlanToMonth(m));
    }
    if let Some(m) = done_to_month(base) {
        return Some(Field::DoneToMonth(m));
    }
    COLUMNS
        .iter()
        .find(|(_, c)| c.names.contains(&base))
        .map(|(f, _)| *f)
}

/// "1-6月累计计划投资", "1—6月计划投资", "1至6月计划" → 6.
fn plan_to_month(base: &str) -> Option<u8> {
    to_month(base, &["计划", "计划投资", "计划完成投资"])
}

/// "1-6月完成投资", "1—6月累计完成投资", "1至6月实际完成投资" → 6.
fn done_to_month(base: &str) -> Option<u8> {
    to_month(base, &["完成投资", "实际完成投资", "完成", "完成额"])
}

fn to_month(base: &str, tails: &[&str]) -> Option<u8> {
    let rest = base.strip_prefix('1')?;
    let rest = rest.strip_prefix(['-', '—', '–', '~', '至', '到'])?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let m: u8 = digits.parse().ok()?;
    let tail = rest[digits.len()..].strip_prefix('月')?;
    let tail = tail.strip_prefix("累计").unwrap_or(tail);
    tails
        .contains(&tail)
        .then_some(m)
        .filter(|m| (1..=12).contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_with_units_and_years() {
        assert_eq!(
            parse_header("总投资（亿元）"),
            HeaderText {
                base: "总投资".into(),
                unit: Some(MoneyUnit::Yi)
            }
        );
        assert_eq!(
            parse_header("总投资\n(万元)"),
            HeaderText {
                base: "总投资".into(),
                unit: Some(MoneyUnit::Wan)
            }
        );
        assert_eq!(parse_header("总投资亿元").unit, Some(MoneyUnit::Yi));
        assert_eq!(parse_header("2025年计划投资").base, "计划投资");
        assert_eq!(parse_header("2025年度计划投资(万元)").base, "年度计划投资");
        assert_eq!(parse_header("县（市、区）").base, "县(市、区)");
    }

    #[test]
    fn aliases_match() {
        for (h, f) in [
            ("项目名称", Field::Name),
            ("名称", Field::Name),
            ("责任单位", Field::LeadUnit),
            ("牵头单位", Field::LeadUnit),
            ("市级包抓领导", Field::Leader),
            ("项目业主", Field::Owner),
            ("是否纳入统计", Field::InStatistics),
        ] {
            assert_eq!(match_field(&parse_header(h).base), Some(f), "{h}");
        }
        assert_eq!(
            match_field(&parse_header("总投资(亿元)").base),
            Some(Field::TotalInvestment)
        );
        assert_eq!(
            match_field(&parse_header("2025年计划投资（万元）").base),
            Some(Field::AnnualPlan)
        );
        assert_eq!(
            match_field("1-6月累计计划投资"),
            Some(Field::PlanToMonth(6))
        );
        assert_eq!(match_field("1—12月计划"), Some(Field::PlanToMonth(12)));
        assert_eq!(match_field("1-6月完成投资"), Some(Field::DoneToMonth(6)));
        assert_eq!(
            match_field("1—11月累计完成投资"),
            Some(Field::DoneToMonth(11))
        );
        assert_eq!(match_field("资金来源"), None);
    }

    #[test]
    fn written_headers_read_back() {
        for f in [
            Field::Code,
            Field::Name,
            Field::LeadUnit,
            Field::CoUnits,
            Field::PlanToMonth(7),
            Field::Notes,
        ] {
            assert_eq!(match_field(&parse_header(&f.header()).base), Some(f));
        }
    }

    /// Each field's twelve months, or the field.
    fn every_field() -> Vec<Field> {
        COLUMNS
            .iter()
            .flat_map(|(f, _)| match f {
                Field::PlanToMonth(_) => (1..=12).map(Field::PlanToMonth).collect(),
                Field::DoneToMonth(_) => (1..=12).map(Field::DoneToMonth).collect(),
                f => vec![*f],
            })
            .collect()
    }

    #[test]
    fn every_header_written_reads_back_as_its_field() {
        for f in every_field() {
            assert_eq!(
                match_field(&parse_header(&f.header()).base),
                Some(f),
                "{f:?}"
            );
        }
    }

    #[test]
    fn every_name_belongs_to_one_column_and_is_matched_as_written() {
        let mut seen = std::collections::HashMap::new();
        for (f, c) in COLUMNS {
            for name in c.names {
                assert_eq!(seen.insert(*name, *f), None, "{name} in two rows");
                assert_eq!(
                    parse_header(name).base,
                    *name,
                    "{name} is not a header's base"
                );
            }
        }
    }

    #[test]
    fn rows_are_consistent() {
        for (f, c) in COLUMNS {
            // A field read into the item must be stated, or a re-import would keep the stored
            // value over the sheet's.
            if !matches!(c.read, Read::Special) {
                assert!(c.states.is_some(), "{f:?} is read but states nothing");
            }
            // Money is written as money, and only money.
            if let Some((look, width)) = c.write {
                assert_eq!(look == Look::Money, f.is_money(), "{f:?}");
                assert!(width > 0.0, "{f:?}");
            }
        }
    }
}
