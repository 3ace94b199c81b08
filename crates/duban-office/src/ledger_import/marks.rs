//! 说明文字 — what a line of text says about the sheet rather than an item: a money unit
//! note ("单位：万元"), a year in a title, a subtotal row (合计, 小计, 其中), a footnote (注：…).

use duban_core::MoneyUnit;
use duban_core::text::compact;

/// The money unit a note states: "单位：万元", "（单位：亿元）", in a title or alone. Only the
/// words right after "单位" count, so "亿元以上项目" or "填报单位：元氏县" are not notes.
pub(super) fn unit_note(text: &str) -> Option<MoneyUnit> {
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

pub(super) fn is_subtotal(text: &str) -> bool {
    let t = compact(text);
    if t.starts_with("其中") {
        return true;
    }
    ["合计", "小计", "总计", "共计"]
        .iter()
        .any(|w| t.starts_with(w) || t.ends_with(w))
        || t == "其中"
}

pub(super) fn is_footnote(text: &str) -> bool {
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

pub(super) fn find_year(text: &str) -> Option<i32> {
    duban_core::date::year_written(text, &['年'])
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn years_in_titles() {
        assert_eq!(find_year("2025年全市重点项目台账"), Some(2025));
        assert_eq!(find_year("重点项目台账"), None);
    }
}
