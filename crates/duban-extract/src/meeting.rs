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
        .filter(|l| !l.is_empty())
        // "第二篇" numbers a speech; its title is the line after.
        .skip_while(|l| l.starts_with('第') && l.ends_with('篇') && l.chars().count() <= 6);
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

/// 一篇讲话 — one speech of a file that may hold several: its title, its year (as its own
/// first lines state it) and its lines, `from`..`to` (1-based, `to` exclusive).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Speech {
    pub title: Option<String>,
    pub year: Option<i32>,
    pub from: usize,
    pub to: usize,
}

/// Whether `line` (cleaned, simplified, trimmed) opens a speech: "第二篇", or a short title
/// line naming a speech at a meeting ("在2024年全县项目建设观摩会上的讲话").
fn opens_a_speech(line: &str) -> bool {
    let n = line.chars().count();
    if n == 0 || n > 60 {
        return false;
    }
    let numbered = line.starts_with('第')
        && line
            .chars()
            .nth(1)
            .is_some_and(|c| "一二三四五六七八九十0123456789".contains(c))
        && (line.contains('篇') || line.contains("讲话"));
    let titled = (line.ends_with("讲话") || line.ends_with("讲话稿") || line.ends_with("讲话提纲"))
        && (line.contains("会议") || line.contains('会') || line.starts_with('在'))
        && !line.contains('，')
        && !line.contains('。');
    numbered || titled
}

/// Whether the original line `raw` opens a speech (see `opens_a_speech`); only a short line
/// is cleaned and simplified to tell.
pub fn opens_speech(raw: &str) -> bool {
    let raw = raw.trim();
    raw.chars().nth(80).is_none() && opens_a_speech(&simplified(&crate::clean::clean(raw).text))
}

/// Whether the original line `raw` is body text of a speech (a long line or a sentence),
/// after which a title line starts the next speech.
pub fn is_body(raw: &str) -> bool {
    raw.chars().nth(80).is_some() || raw.contains('。')
}

/// The speeches of `text`, in order: a file of one speech is one; a new speech starts at a
/// title line ("第X篇", "在…会议上的讲话") after some text of the one before.
pub fn speeches(text: &str) -> Vec<Speech> {
    let all: Vec<&str> = text.lines().collect();
    let mut starts = vec![0usize];
    let mut body_since = 0usize;
    for (i, raw) in all.iter().enumerate() {
        if body_since > 0 && opens_speech(raw) {
            starts.push(i);
            body_since = 0;
        } else if is_body(raw) {
            body_since += 1;
        }
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(all.len()))
        .collect();
    starts
        .iter()
        .zip(ends)
        .map(|(&from, to)| {
            let part = all[from..to].join("\n");
            Speech {
                title: meeting_title(&part),
                year: meeting_year(&part),
                from: from + 1,
                to: to + 1,
            }
        })
        .collect()
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

    #[test]
    fn a_file_of_several_speeches_each_with_its_title_and_year() {
        let text = "第一篇\n在2023年全县经济工作会议上的讲话\n同志们：\n今年要抓好项目建设，年底前全部开工。\n\n第二篇\n在2024年全县项目建设观摩会上的讲话\n同志们：\n各乡镇要在6月底前完成征迁。\n";
        let s = speeches(text);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!((s[0].from, s[0].to, s[0].year), (1, 6, Some(2023)));
        assert_eq!((s[1].from, s[1].to, s[1].year), (6, 10, Some(2024)));
        assert_eq!(
            s[1].title.as_deref(),
            Some("在2024年全县项目建设观摩会上的讲话"),
            "a speech's number is not its title"
        );
        // One speech, a title and no body before it: one.
        let one = speeches("在全市项目推进会议上的讲话\n同志们：\n各县区要抓落实。");
        assert_eq!(one.len(), 1);
        // A line quoting a speech inside the text does not split it.
        let quoted = speeches(
            "在全市会议上的讲话\n同志们：\n我们认真学习了省长在全省会议上的讲话，要抓好落实。\n",
        );
        assert_eq!(quoted.len(), 1);
    }
}
