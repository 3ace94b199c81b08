//! 会议 — what a speech says about its meeting: the title and the year dates are read in.

use duban_core::date::year_written;

use crate::simplify::simplified;

/// What a web page copied with a speech puts around it: not the title.
const PAGE_NOISE: &[&str] = &[
    "小编",
    "供大家参考",
    "整理的",
    "发布时间",
    "来源:",
    "来源：",
    "点击:",
];

/// The speech's title: its first line with words in it that is not a web page's note
/// ("下面是小编为大家整理的…", "发布时间:…"), pinyin notes and spaces removed, simplified,
/// at most 60 characters.
pub fn meeting_title(text: &str) -> Option<String> {
    let mut lines = text
        .lines()
        .map(|l| simplified(&crate::clean::clean(l.trim()).text))
        .filter(|l| !l.is_empty());
    let first = lines.next()?;
    let title = std::iter::once(first.clone())
        .chain(lines.take(2))
        .find(|l| !PAGE_NOISE.iter().any(|n| l.contains(n)))
        .unwrap_or(first);
    Some(title.chars().take(60).collect())
}

/// The meeting's year as the speech states it near its top: "在2025年全市…会议上的讲话",
/// "发布时间:2021-02-25". `None` when the first lines name no year.
pub fn meeting_year(text: &str) -> Option<i32> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .find_map(|l| year_written(&crate::clean::clean(l).text, &['年', '-', '.', '/']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_and_year_from_the_top_of_the_speech() {
        let text = "\n 在2024年全县项目建设观摩会上的讲话\n同志们：\n2023年全县完成投资…";
        assert_eq!(
            meeting_title(text).as_deref(),
            Some("在2024年全县项目建设观摩会上的讲话")
        );
        assert_eq!(meeting_year(text), Some(2024));
        assert_eq!(
            meeting_year("在全市招商會議上的講話\n發布時間:2022-03-01 來源: 網\n"),
            Some(2022)
        );
        assert_eq!(
            meeting_year("同志们：\n今天开会。\n要抓落实。\n2019年如何"),
            None
        );
        assert_eq!(
            meeting_title("下面是小编为大家整理的2024年度推进会讲话，供大家参考。\n全县项目推进会讲话\n同志们：")
                .as_deref(),
            Some("全县项目推进会讲话"),
            "a web page's note is not the title"
        );
    }
}
