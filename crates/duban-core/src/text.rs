//! 文本规整 — small text rules shared by every reader of officials' spreadsheets.

/// Folds full-width ASCII forms (“１２，３”, “（ ）”) and the ideographic space to their
/// half-width equivalents. Chinese punctuation without an ASCII twin (、。) is kept.
pub fn normalize_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A header or a label reduced to what matters for matching: half-width, no white space,
/// no line breaks, no stray asterisks or colons.
pub fn compact(text: &str) -> String {
    normalize_width(text)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | ':' | '：'))
        .collect()
}

/// Splits a cell naming several units or tags: "市发改委、市财政局，甲县; 乙县".
pub fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| {
        matches!(c, '、' | '，' | ',' | ';' | '；' | '/' | '／' | '\n' | '\r') || c.is_whitespace()
    })
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .map(str::to_string)
    .collect()
}

/// Trims a cell and turns the usual "nothing here" marks (empty, "-", "—", "/", "无") into `None`.
pub fn non_blank(text: &str) -> Option<&str> {
    let t = text.trim();
    match t {
        "" | "-" | "—" | "－" | "——" | "/" | "／" | "无" | "暂无" | "N/A" => None,
        _ => Some(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_folds() {
        assert_eq!(normalize_width("（１２３）ＡＢ　c"), "(123)AB c");
    }

    #[test]
    fn lists_split_on_all_usual_separators() {
        assert_eq!(
            split_list("市发改委、市财政局，甲县; 乙县；丙区,丁区"),
            vec!["市发改委", "市财政局", "甲县", "乙县", "丙区", "丁区"]
        );
    }

    #[test]
    fn compact_drops_spaces_and_breaks() {
        assert_eq!(compact("总 投 资\n（万元）*"), "总投资(万元)");
    }
}
