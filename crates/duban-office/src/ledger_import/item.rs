//! 数据行 — one data row read into an [`Item`]: each cell into its field, then the defaults
//! (the read's options, the title, the section above), the lead and co units, the leaders, the
//! monthly plan; and the item's own checks, each error placed at its column.

use duban_core::text::non_blank;
use duban_core::{Item, ItemKind, MoneyUnit, MonthlyPlan, Wan};

use crate::columns::{Field, match_field};
use crate::error::CellError;
use crate::grid::{Grid, cell_text, column_letter};

use super::ReadOptions;
use super::header::Header;
use super::section::Section;
use super::values::Values;

/// An item read from a row, with its year-to-date figure (month, amount) if the sheet has one.
pub(super) type RowRead = (Item, Option<(u8, Wan)>);

/// What every data row of a sheet is read with: the sheet, its header and money unit, and the
/// defaults from outside the rows (the read's options, the title's year and kind).
pub(super) struct RowReader<'a> {
    pub(super) sheet: &'a str,
    pub(super) grid: &'a Grid,
    pub(super) header: &'a Header,
    pub(super) money_unit: MoneyUnit,
    pub(super) opts: &'a ReadOptions,
    pub(super) title_year: Option<i32>,
    pub(super) title_kind: Option<ItemKind>,
}

impl<'a> RowReader<'a> {
    /// Row `row` (0-based) of the sheet.
    pub(super) fn row(&self, row: u32) -> RowContext<'a> {
        RowContext {
            sheet: self.sheet,
            grid: self.grid,
            row,
            money_unit: self.money_unit,
            header: self.header,
        }
    }

    /// The item of row `row` under the section defaults `defaults`; its cell errors go to
    /// `errors`.
    pub(super) fn read(
        &self,
        row: u32,
        defaults: &Section,
        errors: &mut Vec<CellError>,
    ) -> Option<RowRead> {
        self.row(row).read_item(
            defaults,
            self.opts,
            self.title_year,
            self.title_kind,
            errors,
        )
    }
}

/// One row of the sheet.
pub(super) struct RowContext<'a> {
    sheet: &'a str,
    grid: &'a Grid,
    row: u32,
    money_unit: MoneyUnit,
    header: &'a Header,
}

impl RowContext<'_> {
    pub(super) fn error(
        &self,
        col: Option<u32>,
        field: &str,
        value: &str,
        message: String,
    ) -> CellError {
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
        // Fields read by their kind go straight into the item; year, kind, name and lead unit
        // are set once the row is read.
        let mut item = Item::new(0, ItemKind::Project, "", "");
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
            if let Err(message) = v.set(&mut item, *field, data, &text, unit) {
                errors.push(self.error(Some(*col), header, &text, message));
            }
        }
        item.year = v
            .year
            .or(opts.year)
            .or(title_year)
            .unwrap_or(opts.fallback_year);
        item.kind = v
            .kind
            .or(opts.kind)
            .or(defaults.kind)
            .or(title_kind)
            .unwrap_or(ItemKind::Project);
        item.name = v.name.take().unwrap_or_default();
        item.code = v.code.take().unwrap_or_default();
        // The region column, else the section's; with no lead unit, the region leads.
        let region_cell = item.region.take();
        item.region = region_cell.clone().or_else(|| defaults.region.clone());
        let mut units = std::mem::take(&mut v.lead_units);
        item.lead_unit = if units.is_empty() {
            region_cell
                .or_else(|| defaults.lead.clone())
                .or_else(|| defaults.region.clone())
                .unwrap_or_default()
        } else {
            units.remove(0)
        };
        item.category = item
            .category
            .take()
            .or_else(|| v.kind_as_category.take())
            .or_else(|| defaults.category.clone());
        item.stage = item.stage.or(defaults.stage);
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

/// The extra column that keeps the leaders after the first of a 包抓领导 cell.
pub(super) const OTHER_LEADERS: &str = "其他包抓领导";

/// The field of a problem [`Item::validate`] names by its header or an alias ("年度计划投资",
/// "责任单位"); the monthly plan's problems go to its last column.
fn problem_field(name: &str) -> Option<Field> {
    match name {
        "月度计划" => Some(Field::PlanToMonth(12)),
        _ => match_field(name),
    }
}
