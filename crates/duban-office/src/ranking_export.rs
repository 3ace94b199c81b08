//! 排名表 — a period's ranking as an .xlsx the office can pass on: every unit with its rank,
//! movement, composite and, for every rate, the percentage (an Excel percentage) with its
//! numerator and denominator, then the city's line.

use duban_core::ranking::{RankTable, RateCell};
use duban_core::rates::Rate;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::ledger_export::Styles;

/// Columns before the rates: 名次, 升降, the unit, 综合得分, 事项数, 序时进度.
const LEAD: u16 = 6;

fn number(v: rust_decimal::Decimal) -> f64 {
    v.to_f64().unwrap_or_default()
}

/// Writes a rate's three cells: the rate (or 无数据), numerator, denominator.
fn rate_cells(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    c: &RateCell,
    s: &Styles,
    percent: &Format,
) -> Result<(), XlsxError> {
    match c.percent {
        Some(p) => sheet.write_number_with_format(row, col, number(p) / 100.0, percent)?,
        None => sheet.write_string_with_format(row, col, "无数据", &s.center)?,
    };
    sheet.write_number_with_format(row, col + 1, number(c.numerator), &s.money)?;
    sheet.write_number_with_format(row, col + 2, number(c.denominator), &s.money)?;
    Ok(())
}

/// The ranking as an .xlsx file: `title` ("2025年6月县区排名") over the table; `unit` heads the
/// unit column (县区 or 部门).
pub fn write_ranking(t: &RankTable, title: &str, unit: &str) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let percent = s.center.clone().set_num_format("0.0%");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("排名")?;
    let last = LEAD + 3 * Rate::ALL.len() as u16 - 1;
    sheet.merge_range(0, 0, 0, last, title, &s.title)?;
    sheet.set_row_height(0, 32)?;
    let note = format!(
        "综合得分权重：{}；约谈规则：{}。金额单位：万元；“无数据”为分母为0，不是0%。",
        t.rules
            .weights
            .iter()
            .map(|(r, w)| format!("{}{w}", r.label()))
            .collect::<Vec<_>>()
            .join("、"),
        t.rules.talk_text()
    );
    sheet.merge_range(1, 0, 1, last, &note, &s.note)?;
    for (i, h) in ["名次", "升降", unit, "综合得分", "事项数", "序时进度"]
        .iter()
        .enumerate()
    {
        sheet.merge_range(2, i as u16, 3, i as u16, h, &s.header)?;
    }
    for (k, r) in Rate::ALL.iter().enumerate() {
        let col = LEAD + 3 * k as u16;
        sheet.merge_range(2, col, 2, col + 2, r.label(), &s.header)?;
        for (j, h) in ["比率", "分子", "分母"].iter().enumerate() {
            sheet.write_string_with_format(3, col + j as u16, *h, &s.header)?;
        }
    }
    let mut row = 4;
    for r in &t.rows {
        match r.composite.rank {
            Some(n) => sheet.write_number_with_format(row, 0, n as f64, &s.center)?,
            None => sheet.write_string_with_format(row, 0, "—", &s.center)?,
        };
        sheet.write_string_with_format(row, 1, &r.movement, &s.center)?;
        let name = if r.called_in {
            format!("{}（约谈）", r.unit)
        } else {
            r.unit.clone()
        };
        sheet.write_string_with_format(row, 2, &name, &s.wrap)?;
        match r.composite.value {
            Some(v) => sheet.write_number_with_format(row, 3, number(v.round_dp(1)), &s.money)?,
            None => sheet.write_string_with_format(row, 3, "无数据", &s.center)?,
        };
        sheet.write_number_with_format(row, 4, r.items as f64, &s.center)?;
        match r.time_progress {
            Some(p) => sheet.write_number_with_format(row, 5, number(p) / 100.0, &percent)?,
            None => sheet.write_string_with_format(row, 5, "无数据", &s.center)?,
        };
        for (k, c) in r.rates.iter().enumerate() {
            rate_cells(sheet, row, LEAD + 3 * k as u16, c, &s, &percent)?;
        }
        row += 1;
    }
    for col in [0, 1, 3] {
        sheet.write_string_with_format(row, col, "", &s.center)?;
    }
    sheet.write_string_with_format(row, 2, "全市", &s.header)?;
    sheet.write_number_with_format(row, 4, t.overall_items as f64, &s.center)?;
    match t.overall_time_progress {
        Some(p) => sheet.write_number_with_format(row, 5, number(p) / 100.0, &percent)?,
        None => sheet.write_string_with_format(row, 5, "无数据", &s.center)?,
    };
    for (k, c) in t.overall.iter().enumerate() {
        rate_cells(sheet, row, LEAD + 3 * k as u16, c, &s, &percent)?;
    }
    sheet.set_column_width(2, 20)?;
    sheet.set_column_range_width(LEAD, last, 10)?;
    sheet.set_freeze_panes(4, 3)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};
    use duban_core::ranking::{RankingRules, rank_table};
    use duban_core::rates::{RateFacts, Tally, tally_item};
    use duban_core::{Item, ItemKind, PlanDate, ReportState, Stage, Wan};

    use super::*;

    fn tally(annual: i64, ytd: i64) -> Tally {
        let mut item = Item::new(2025, ItemKind::Project, "项目", "x");
        item.stage = Some(Stage::UnderConstruction);
        item.planned_start = PlanDate::month(2024, 3);
        item.annual_plan = Some(Wan::from_yuan(annual * 10_000));
        let june = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let trail = [(june, Wan::from_yuan(ytd * 10_000))];
        let f = RateFacts {
            item: &item,
            milestones: &[],
            ytd: &trail,
            report: ReportState::OnTime,
        };
        tally_item(&f, june)
    }

    #[test]
    fn the_ranking_sheet_holds_every_rate_with_its_numbers() {
        let board = vec![
            ("甲县".to_string(), tally(1000, 382)),
            ("乙县".to_string(), Tally::default()),
        ];
        let mut overall = Tally::default();
        board.iter().for_each(|(_, t)| overall.add(t));
        let t = rank_table(&[board.as_slice()], &overall, &RankingRules::default());
        let bytes = write_ranking(&t, "2025年6月县区排名", "县区").unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("排名").unwrap();
        let at = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(at(0, 0), Data::String("2025年6月县区排名".into()));
        assert_eq!(at(2, 6), Data::String("开工率".into()));
        assert_eq!(at(2, 9), Data::String("投资完成率".into()));
        assert_eq!(at(4, 2), Data::String("甲县".into()));
        assert_eq!(
            at(4, 6),
            Data::String("无数据".into()),
            "nothing planned to start"
        );
        assert_eq!(at(4, 9), Data::Float(0.382), "an Excel percentage");
        assert_eq!(
            (at(4, 10), at(4, 11)),
            (Data::Float(382.0), Data::Float(1000.0))
        );
        assert_eq!(at(5, 2), Data::String("乙县".into()));
        assert_eq!(at(5, 9), Data::String("无数据".into()), "no data is not 0%");
        assert_eq!(at(6, 2), Data::String("全市".into()));
    }
}
