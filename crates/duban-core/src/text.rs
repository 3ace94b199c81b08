//! 文本规整 — small text rules shared by every reader of officials' spreadsheets.

/// Text as it may be stored: C0 control characters (U+0000–U+001F) and DEL taken out, except
/// tab and line breaks. They carry no meaning in a ledger, a report or a name, and some
/// programs treat them as separators.
pub fn without_controls(text: &str) -> std::borrow::Cow<'_, str> {
    // Every control is one ASCII byte, and no byte of a longer UTF-8 sequence is ASCII: the
    // bytes are tested in blocks the compiler checks at once (an import passes its whole
    // audit trail, tens of megabytes of JSON, through here).
    let control_byte = |b: u8| (b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
    let control = |c: char| c.is_ascii() && control_byte(c as u8);
    let any_control = text
        .as_bytes()
        .chunks(32)
        .any(|block| block.iter().fold(false, |seen, &b| seen | control_byte(b)));
    if any_control {
        std::borrow::Cow::Owned(text.chars().filter(|&c| !control(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

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

/// Splits a cell naming several units or tags: "市发改委、市财政局，甲县; 乙县". Separators
/// inside brackets do not split ("各县（市、区）人民政府" is one name), and white space is
/// padding, not a separator ("城　区" is 城区).
pub fn split_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && matches!(c, '、' | '，' | ',' | ';' | '；' | '/' | '／' | '\n' | '\r')
        {
            out.push(std::mem::take(&mut current));
        } else if !c.is_whitespace() {
            current.push(c);
        }
    }
    out.push(current);
    out.retain(|s| !s.is_empty());
    out
}

/// A name as typed, without the padding spaces officials use to align two-character names
/// ("王　伟", "城  区").
pub fn name(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
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
    fn control_characters_are_taken_out_but_line_breaks_kept() {
        assert_eq!(without_controls("甲\u{1d}乙\u{0}丙\u{7f}"), "甲乙丙");
        assert_eq!(without_controls("一\n二\t三\r"), "一\n二\t三\r");
        assert!(matches!(
            without_controls("市发改委"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_control_is_found_anywhere_in_a_long_text() {
        // 12 three-byte characters (36 bytes), three times: the controls land in the first
        // block of 32 bytes and in the second.
        let long = "重点项目建设推进情况说明";
        for (at, control) in [(0, '\u{1}'), (31, '\u{1f}'), (32, '\u{7f}'), (33, '\u{0}')] {
            let mut bytes = long.repeat(3).into_bytes();
            // Put the control after the character that holds byte `at` (a char boundary).
            let cut = (at / 3 + 1) * 3;
            bytes.insert(cut, control as u8);
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(
                without_controls(&text),
                long.repeat(3),
                "control after byte {at}"
            );
        }
        let clean = format!("{}\n\t", long.repeat(5));
        assert!(matches!(
            without_controls(&clean),
            std::borrow::Cow::Borrowed(_)
        ));
    }

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
    fn brackets_and_padding_do_not_split() {
        assert_eq!(
            split_list("各县（市、区）人民政府、市财政局"),
            vec!["各县（市、区）人民政府", "市财政局"]
        );
        assert_eq!(split_list("城　区、高 新 区"), vec!["城区", "高新区"]);
        assert_eq!(name(" 王　伟 "), "王伟");
    }

    #[test]
    fn compact_drops_spaces_and_breaks() {
        assert_eq!(compact("总 投 资\n（万元）*"), "总投资(万元)");
    }
}
