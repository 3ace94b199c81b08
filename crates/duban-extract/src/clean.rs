//! 文本清理 — the noise real speeches carry, removed with a map back to the original: pinyin
//! pasted after characters by web pages (建設(shè)), spaces between Chinese characters, and
//! full-width digits and letters (read as ASCII). Sentences are cut at their ending marks.
//! Every position found in the clean text maps back to a character offset in the original.

use crate::timing::Found;

/// A text made clean, and for each of its characters where it was in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clean {
    pub text: String,
    origin: Vec<usize>,
    original_len: usize,
}

impl Clean {
    /// Another text over the same original: `from[i]` is the index in this text each new
    /// character comes from (`None`: one for one).
    pub(crate) fn with_text(&self, text: String, from: Option<Vec<usize>>) -> Clean {
        let origin = match from {
            None => self.origin.clone(),
            Some(from) => from.iter().map(|i| self.origin[*i]).collect(),
        };
        Clean {
            text,
            origin,
            original_len: self.original_len,
        }
    }

    /// The original character range of the clean range `start..end` (character offsets).
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        let at = |i: usize| self.origin.get(i).copied().unwrap_or(self.original_len);
        let last = if end > start {
            at(end - 1) + 1
        } else {
            at(start)
        };
        (at(start), last)
    }
}

pub(crate) fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Letters pinyin is written with, tone marks included.
fn is_pinyin(c: char) -> bool {
    c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ".contains(c)
}

/// A pinyin note starting at `i` — "(shè)", "（jìn）" — and where it ends.
fn pinyin_note(t: &[char], i: usize) -> Option<usize> {
    let close = match t.get(i)? {
        '(' => ')',
        '（' => '）',
        _ => return None,
    };
    // At most 8 letters are read: a note has 1 to 7.
    let mut j = i + 1;
    while j <= i + 8 && t.get(j).is_some_and(|c| is_pinyin(*c)) {
        j += 1;
    }
    let letters = j - i - 1;
    let after_cjk = i > 0 && is_cjk(t[i - 1]);
    (after_cjk && (1..=7).contains(&letters) && t.get(j) == Some(&close)).then_some(j + 1)
}

/// Spaces of every kind within a line (no-break, ideographic, zero-width, tabs).
fn is_space(c: char) -> bool {
    c != '\n' && c != '\r' && (c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}'))
}

/// Full-width digits and Latin letters as ASCII; everything else as it is.
fn narrow(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

/// Cleans `text`: pinyin notes and spaces between Chinese characters dropped, full-width
/// digits and letters narrowed.
pub fn clean(text: &str) -> Clean {
    let t: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        if let Some(end) = pinyin_note(&t, i) {
            i = end;
            continue;
        }
        let c = t[i];
        if is_space(c) {
            let prev = out.chars().next_back();
            let mut j = i;
            while t.get(j).is_some_and(|c| is_space(*c)) {
                j += 1;
            }
            let next = t.get(j).copied();
            if prev.is_none_or(|p| !p.is_ascii_alphanumeric())
                || next.is_none_or(|n| !n.is_ascii_alphanumeric())
            {
                i = j;
                continue;
            }
        }
        out.push(narrow(c));
        origin.push(i);
        i += 1;
    }
    Clean {
        text: out,
        origin,
        original_len: t.len(),
    }
}

/// The sentences of `text` (cut after 。！？；!?; and a full stop that is no decimal point, and
/// at line ends), trimmed, as spans of it.
pub fn sentences(text: &str) -> Vec<Found> {
    let t: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..=t.len() {
        // A full stop written as "." or "．" ends a sentence unless it is a decimal point.
        let stop = |k: usize| {
            matches!(t[k], '.' | '．')
                && !(k > 0
                    && t[k - 1].is_ascii_digit()
                    && t.get(k + 1).is_some_and(|c| c.is_ascii_digit()))
        };
        let end_here = i == t.len()
            || matches!(t[i], '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n')
            || stop(i);
        if !end_here {
            continue;
        }
        let stop = if i < t.len() && t[i] != '\n' {
            i + 1
        } else {
            i
        };
        let (mut a, mut b) = (start, stop);
        while a < b && t[a].is_whitespace() {
            a += 1;
        }
        while b > a && t[b - 1].is_whitespace() {
            b -= 1;
        }
        if b > a {
            out.push(Found {
                start: a,
                end: b,
                text: t[a..b].iter().collect(),
            });
        }
        start = stop.max(i + 1).min(t.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_notes_and_spaces_go_and_positions_map_back() {
        let original = "項目建設(shè)要抓 緊，（一）目標(biāo)任務(wù)９月底前完成";
        let c = clean(original);
        assert_eq!(c.text, "項目建設要抓緊，（一）目標任務9月底前完成");
        // "9月底前" in the clean text is "９月底前" in the original.
        let at = c.text.chars().position(|ch| ch == '9').unwrap();
        let (a, b) = c.original(at, at + 4);
        assert_eq!(
            original.chars().skip(a).take(b - a).collect::<String>(),
            "９月底前"
        );
        // "（一）" is not pinyin; Latin words keep their spaces.
        assert_eq!(clean("PPP 项目 和 EPC 模式").text, "PPP项目和EPC模式");
        assert_eq!(clean("open source code").text, "open source code");
    }

    #[test]
    fn sentences_are_cut_at_their_ends() {
        let text = "一要抓开工。二要抓投资；\n  三要抓服务！最后一句";
        let s: Vec<String> = sentences(text).into_iter().map(|f| f.text).collect();
        assert_eq!(
            s,
            ["一要抓开工。", "二要抓投资；", "三要抓服务！", "最后一句"]
        );
        let f = &sentences(text)[2];
        assert_eq!(
            text.chars()
                .skip(f.start)
                .take(f.end - f.start)
                .collect::<String>(),
            "三要抓服务！"
        );
    }
}
