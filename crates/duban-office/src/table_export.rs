//! 清单表 — a list as an .xlsx in the office's style: a title over the table, a note, a header
//! row repeated on every printed page, text cells that wrap, frozen under the header.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::ledger_export::Styles;

/// A list to write: its sheet name, title, note and columns (header, width in characters).
pub struct TableSheet<'a> {
    pub sheet: &'a str,
    pub title: &'a str,
    pub note: &'a str,
    pub columns: &'a [(&'a str, f64)],
}

/// `rows` (one string per column) under the title and the header, as an .xlsx file.
pub fn write_table(t: &TableSheet, rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(t.sheet)?;
    let last = t.columns.len().saturating_sub(1) as u16;
    sheet.merge_range(0, 0, 0, last, t.title, &s.title)?;
    sheet.set_row_height(0, 32)?;
    sheet.merge_range(1, 0, 1, last, t.note, &s.note)?;
    for (c, (header, width)) in t.columns.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *header, &s.header)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string_with_format(3 + r as u32, c as u16, cell, &s.wrap)?;
        }
    }
    sheet.set_freeze_panes(3, 0)?;
    sheet.set_repeat_rows(2, 2)?;
    sheet.set_landscape();
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_reads_back_as_written() {
        use calamine::{Reader, Xlsx};
        let bytes = write_table(
            &TableSheet {
                sheet: "督办清单",
                title: "全市推进会督办清单",
                note: "截至2025-11-05",
                columns: &[("编号", 14.0), ("事项名称", 40.0), ("状态", 8.0)],
            },
            &[
                vec![
                    "GZ202500001".into(),
                    "完成储备项目梳理".into(),
                    "逾期".into(),
                ],
                vec!["GZ202500002".into(), "上报开工计划".into(), "已完成".into()],
            ],
        )
        .unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("督办清单").unwrap();
        assert_eq!(
            range.get_value((0, 0)).unwrap().to_string(),
            "全市推进会督办清单"
        );
        assert_eq!(range.get_value((2, 1)).unwrap().to_string(), "事项名称");
        assert_eq!(range.get_value((4, 2)).unwrap().to_string(), "已完成");
        assert_eq!(range.height(), 5);
    }
}
