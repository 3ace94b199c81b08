//! How the refusals write figures and places: thousands separators, megabytes, cell
//! addresses, and the two pieces of advice they end with.

use crate::grid::column_letter;

use super::MIB;

/// A figure with thousands separators, as the messages write them.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Bytes as MB, one decimal (or "超过 …" for a size no file has).
pub fn megabytes(n: u64) -> String {
    if n == u64::MAX {
        return "无法确定的".into();
    }
    format!("{:.1}", n as f64 / MIB as f64)
}

/// An Excel cell address: (0, 0) → "A1".
pub fn address(row: u32, col: u32) -> String {
    format!("{}{}", column_letter(col), u64::from(row) + 1)
}

pub(super) const REDO: &str =
    "请在 Excel 或 WPS 中打开后另存为 .xlsx（或只把数据复制到新工作簿）再导入";
pub(super) const TRIM: &str = "请删除数据区以外多余的行和列（或只把数据复制到新工作表）后重新导入";
