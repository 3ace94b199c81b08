//! 单元格取值 — one cell read into its field: by its kind (`columns::Read`) — text, names, money
//! in the sheet's or column's unit, dates in every form seen in the wild, yes/no, lists,
//! labelled enums —, or by code of its own for the special fields: unit lists with their lead
//! marked, leaders, years, kinds, months.

use std::collections::BTreeMap;

use calamine::Data;
use duban_core::text::{compact, split_list};
use duban_core::{Item, ItemKind, Leader, MoneyUnit, PlanDate, Wan};

use crate::columns::{Field, Read};

/// The values of one row's special fields as they are read (every other field is read
/// straight into the item, by its kind).
#[derive(Default)]
pub(super) struct Values {
    pub(super) code: Option<String>,
    pub(super) name: Option<String>,
    pub(super) kind: Option<ItemKind>,
    pub(super) kind_as_category: Option<String>,
    pub(super) year: Option<i32>,
    pub(super) months: BTreeMap<u8, Wan>,
    pub(super) done: Option<(u8, Wan)>,
    pub(super) lead_units: Vec<String>,
    pub(super) co_units: Vec<String>,
    pub(super) leaders: Vec<Leader>,
    pub(super) extra: BTreeMap<String, String>,
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
    /// Reads a cell of `field`: a special field into these values, any other into `item` as
    /// its row of the columns says.
    pub(super) fn set(
        &mut self,
        item: &mut Item,
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
            Field::LeadUnit => self.lead_units = unit_list(text),
            Field::CoUnits => self.co_units = unit_list(text),
            Field::Leader => self.leaders = Leader::parse_list(text),
            _ => read(&field.column().read, item, data, text, unit)?,
        }
        Ok(())
    }
}

/// Reads a cell into the item as `how` says.
fn read(
    how: &Read,
    item: &mut Item,
    data: &Data,
    text: &str,
    unit: MoneyUnit,
) -> Result<(), String> {
    match how {
        // Read by `Values::set`.
        Read::Special => {}
        Read::Text(slot) => *(slot.set)(item) = Some(text.trim().to_string()),
        Read::Name(slot) => *(slot.set)(item) = Some(duban_core::text::name(text)),
        Read::Money(slot) => *(slot.set)(item) = Some(money(data, text, unit)?),
        Read::Date(slot) => *(slot.set)(item) = Some(date(data, text)?),
        Read::YesNo(slot) => *(slot.set)(item) = Some(yes_no(text)?),
        Read::List(slot) => *(slot.set)(item) = split_list(text),
        Read::Choice(slot) => slot.read(item, text)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
