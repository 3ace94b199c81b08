//! 时间节点、频次、量化目标 — the deadline, cadence and target of a clause.
//!
//! Text is read as characters; full-width digits count as digits and Chinese numerals (一 …
//! 十二) as numbers, so spans are character offsets into the text exactly as given. A
//! redacted number (×, X, x) keeps the deadline's text but gives no date.

use chrono::NaiveDate;
use serde::Serialize;

pub use crate::chars::Found;
use crate::chars::{Firsts, found, one_of, starts};

/// 时间节点 — a deadline as written and, when it names one, the date it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub found: Found,
    /// 月底前 → the month's last day; 年底前, 四季度内 → 31 December; 上/中/下旬 → the 10th,
    /// 20th or the month's end; `None` when the date is blanked (×月×日前).
    pub date: Option<NaiveDate>,
}

/// 频次 — how often something is to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// 每周
    Weekly,
    /// 每月
    Monthly,
    /// 每季度
    Quarterly,
    /// 每半年
    HalfYearly,
    /// 每年
    Yearly,
}

impl Cadence {
    pub fn label(self) -> &'static str {
        match self {
            Cadence::Weekly => "每周",
            Cadence::Monthly => "每月",
            Cadence::Quarterly => "每季度",
            Cadence::HalfYearly => "每半年",
            Cadence::Yearly => "每年",
        }
    }
}

/// What a number in the text is: a value, or a redaction (×, X, x).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    Value(u32),
    Blank,
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_blank(c: char) -> bool {
    matches!(c, '×' | 'X' | 'x' | 'Ｘ' | 'ｘ' | '*' | '＊' | '某')
}

fn chinese(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32)
        .or(match c {
            '两' => Some(2),
            _ => None,
        })
}

/// Reads a number at `i`: digits, a Chinese numeral up to 99 (十二, 二十, 二十五) or a blank;
/// the number and where it ends.
fn number(t: &[char], i: usize) -> Option<(Num, usize)> {
    let c = *t.get(i)?;
    if is_blank(c) {
        let mut j = i + 1;
        while t.get(j).is_some_and(|c| is_blank(*c)) {
            j += 1;
        }
        return Some((Num::Blank, j));
    }
    if digit(c).is_some() {
        let mut v: u32 = 0;
        let mut j = i;
        while let Some(d) = t.get(j).and_then(|c| digit(*c)) {
            // A telephone number is no date: saturate rather than overflow.
            v = v.saturating_mul(10).saturating_add(d);
            j += 1;
        }
        return Some((Num::Value(v), j));
    }
    // 十, 十二, 二十, 二十五, 三
    let tens_first = c == '十';
    let first = if tens_first { 1 } else { chinese(c)? };
    let mut j = i + 1;
    let mut v = first;
    if tens_first {
        v = 10;
        if let Some(u) = t.get(j).and_then(|c| chinese(*c)) {
            v += u;
            j += 1;
        }
    } else if t.get(j) == Some(&'十') {
        v = first * 10;
        j += 1;
        if let Some(u) = t.get(j).and_then(|c| chinese(*c)) {
            v += u;
            j += 1;
        }
    }
    Some((Num::Value(v), j))
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// What after a bare period (一季度, 上半年) says it is a time reviewed, not a deadline:
/// "三季度即将过去", "上半年以来", "一季一观摩".
const NOT_BY_THEN: &[&str] = &[
    "以来",
    "的",
    "一",
    "即将",
    "已",
    "过",
    "结束",
    "末以来",
    "工作",
    "经济",
    "情况",
    "全市",
    "全县",
    "累计",
    "同比",
];

/// Deadlines named by a holiday or by this month, and the day they mean when known.
const HOLIDAYS: &[(&str, Option<(u32, u32)>)] = &[
    ("国庆节前", Some((9, 30))),
    ("国庆前", Some((9, 30))),
    ("元旦前", Some((12, 31))),
    ("春节前", None),
    ("本月底前", None),
    ("本月内", None),
    ("月底前", None),
];

/// Words after a date that make it a deadline: 前, 之前, 以前, 内, 完成, 底前 ….
const BEFORE: &[&str] = &["之前", "以前", "前", "内", "止", "为限"];

/// Parts of the year a deadline names, and the month they end in.
const YEAR_PARTS: &[(&str, u32)] = &[
    ("今年年底", 12),
    ("今年底", 12),
    ("年底", 12),
    ("年末", 12),
    ("年内", 12),
    ("上半年", 6),
    ("年中", 6),
    ("下半年", 12),
];

/// What a deadline or the year before it may start with: the words above, 第 (第三季度),
/// 明年/次年/来年, and every digit, redaction mark and Chinese numeral `number` reads.
const DEADLINE_FIRSTS: Firsts = Firsts::of_pairs(YEAR_PARTS)
    .and(Firsts::of_pairs(HOLIDAYS))
    .and(Firsts::chars(
        "第明次来0123456789０１２３４５６７８９×XxＸｘ*＊某〇一二三四五六七八九两十",
    ));

/// A deadline starting at `i` (a month, a quarter, the year's end …), if one is written there.
fn deadline_at(t: &[char], i: usize, year: i32) -> Option<(usize, Option<NaiveDate>)> {
    // 年底前, 年内, 今年底, 年末前, 上半年, 下半年, 年中
    for &(word, m) in YEAR_PARTS {
        if starts(t, i, word) {
            let mut j = i + word.chars().count();
            // 上半年/下半年 stand alone ("上半年，完成投资要达到…"), unless they are a period
            // reviewed ("上半年以来", "上半年的").
            let needs_before = !matches!(word, "年内" | "上半年" | "下半年")
                || one_of(t, j, NOT_BY_THEN).is_some();
            // "年内计划开工项目": which projects, not by when.
            if word == "年内" && one_of(t, i + 2, &["计划", "的", "新开工", "开工项目"]).is_some()
            {
                continue;
            }
            match one_of(t, j, BEFORE) {
                Some(n) => j += n,
                None if needs_before && !starts(t, j, "完成") => continue,
                None => {}
            }
            return Some((j, month_end(year, m)));
        }
    }
    // Holidays and this month: 国庆节前, 元旦前; 春节前 and 本月底前 without a date (the
    // meeting's month and the lunar calendar are not known here).
    for (word, day) in HOLIDAYS {
        if starts(t, i, word) {
            let date = day.and_then(|(m, d)| NaiveDate::from_ymd_opt(year, m, d));
            return Some((i + word.chars().count(), date));
        }
    }
    // (第)一季度(内|末|前|底)
    let q0 = if t.get(i) == Some(&'第') { i + 1 } else { i };
    if t.get(i.wrapping_sub(1)) != Some(&'前')
        && let Some((Num::Value(q), j)) = number(t, q0)
        && (1..=4).contains(&q)
        && let Some(n) = one_of(t, j, &["季度", "季"])
    {
        let mut k = j + n;
        if let Some(m) = one_of(t, k, &["末", "底"]) {
            k += m;
        }
        match one_of(t, k, BEFORE) {
            Some(m) => k += m,
            None if t.get(q0.wrapping_sub(1)) == Some(&'第') || q0 != i => {}
            // "一季度新开工项目不少于×个": a quarter alone, not "一季一观摩" or "一季度以来".
            None if n == 2 && one_of(t, k, NOT_BY_THEN).is_none() => {}
            None => return None,
        }
        return Some((k, month_end(year, q * 3)));
    }
    // (M)月(底|末|上旬|中旬|下旬|中下旬)(前) / (M)月(D)日(前)
    let (m, j) = number(t, i)?;
    if t.get(j) != Some(&'月') {
        return None;
    }
    let month = match m {
        Num::Value(v) if (1..=12).contains(&v) => Some(v),
        Num::Value(_) => return None,
        Num::Blank => None,
    };
    let mut k = j + 1;
    let date;
    if let Some(n) = one_of(t, k, &["底", "末"]) {
        k += n;
        date = month.and_then(|m| month_end(year, m));
    } else if let Some(n) = one_of(t, k, &["上中旬", "上旬", "中下旬", "中旬", "下旬"])
    {
        let which: String = t[k..k + n].iter().collect();
        k += n;
        date = month.and_then(|m| match which.as_str() {
            "上旬" => NaiveDate::from_ymd_opt(year, m, 10),
            "中旬" | "上中旬" => NaiveDate::from_ymd_opt(year, m, 20),
            _ => month_end(year, m),
        });
    } else if let Some((d, e)) = number(t, k)
        && matches!(t.get(e), Some('日' | '号'))
    {
        k = e + 1;
        date = match (month, d) {
            (Some(m), Num::Value(d)) => NaiveDate::from_ymd_opt(year, m, d),
            _ => None,
        };
        // A day is a deadline only with 前/之前/以前 after it (else it is when something happens).
        let n = one_of(t, k, BEFORE)?;
        return Some((k + n, date));
    } else if t.get(k) == Some(&'份') {
        // "6月份": the month's end; not a range of months counted ("1-8月份新增…", "6月份以来").
        let ranged = i > 0 && "-—~～至到".contains(t[i - 1]);
        if ranged || one_of(t, k + 1, &["以来", "累计", "当月"]).is_some() {
            return None;
        }
        k += 1;
        if let Some(n) = one_of(t, k, BEFORE) {
            k += n;
        }
        return Some((k, month.and_then(|m| month_end(year, m))));
    } else if i > 0 && "在于".contains(t[i - 1]) && one_of(t, k, &["之前", "以前", "前"]).is_none()
    {
        // "在9月完成", "于9月建成": a bare month after 在/于 is its end.
        return Some((k, month.and_then(|m| month_end(year, m))));
    } else {
        // "6月前": before June.
        let n = one_of(t, k, &["之前", "以前", "前"])?;
        return Some((
            k + n,
            month.and_then(|m| NaiveDate::from_ymd_opt(year, m, 1)?.pred_opt()),
        ));
    }
    if let Some(n) = one_of(t, k, BEFORE) {
        k += n;
    }
    Some((k, date))
}

/// A year written at `i` ("2026年", "明年", "次年") and where a node after it may start: at
/// its 年 (年底前) or after it (6月底前).
fn year_written(t: &[char], i: usize, year: i32) -> Option<(i32, [usize; 2])> {
    for (word, y) in [("明年", year + 1), ("次年", year + 1), ("来年", year + 1)] {
        if starts(t, i, word) {
            return Some((y, [i + 1, i + 2]));
        }
    }
    let digits: String = t.get(i..i + 4)?.iter().collect();
    let y: i32 = digits.parse().ok()?;
    (duban_core::date::YEARS.contains(&y) && t.get(i + 4) == Some(&'年'))
        .then_some((y, [i + 4, i + 5]))
}

/// The first deadline written in `text`, read in `year` (the meeting's year).
pub fn find_deadline(text: &str, year: i32) -> Option<Deadline> {
    let t: Vec<char> = text.chars().collect();
    (0..t.len()).find_map(|i| {
        // A number is read from its first digit only, a redaction from its first mark: long
        // runs of either are read once.
        if i > 0 && (digit(t[i - 1]).is_some() || (is_blank(t[i - 1]) && is_blank(t[i]))) {
            return None;
        }
        if !DEADLINE_FIRSTS.has(t[i]) {
            return None;
        }
        // "2026年底前", "2026年6月底前", "明年一季度": a year written before the node.
        if let Some((y, from)) = year_written(&t, i, year)
            && let Some((end, date)) = from.iter().find_map(|k| deadline_at(&t, *k, y))
        {
            return Some(Deadline {
                found: found(&t, i, end),
                date,
            });
        }
        let as_of = i >= 2 && matches!(t[i - 2..i], ['截', '至' | '止']);
        deadline_at(&t, i, year)
            .filter(|(end, _)| !as_of || t[end - 1] == '前')
            .map(|(end, date)| Deadline {
                found: found(&t, i, end),
                date,
            })
    })
}

const CADENCES: &[(&str, Cadence)] = &[
    ("每周", Cadence::Weekly),
    ("一周一", Cadence::Weekly),
    ("按周", Cadence::Weekly),
    ("每月", Cadence::Monthly),
    ("按月", Cadence::Monthly),
    ("一月一", Cadence::Monthly),
    ("逐月", Cadence::Monthly),
    ("每季度", Cadence::Quarterly),
    ("每季", Cadence::Quarterly),
    ("按季", Cadence::Quarterly),
    ("一季一", Cadence::Quarterly),
    ("每半年", Cadence::HalfYearly),
    ("半年一次", Cadence::HalfYearly),
    ("每年", Cadence::Yearly),
    ("一年一次", Cadence::Yearly),
];

const CADENCE_FIRSTS: Firsts = Firsts::of_pairs(CADENCES);

/// Every cadence written in `text`, in order ("按月按季督查" gives monthly, then quarterly).
pub fn find_cadences(text: &str) -> Vec<(Cadence, Found)> {
    let t: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let here = CADENCE_FIRSTS.has(t[i]);
        match CADENCES.iter().find(|(w, _)| here && starts(&t, i, w)) {
            Some((w, c)) => {
                let n = w.chars().count();
                out.push((*c, found(&t, i, i + n)));
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

/// Words that open a quantified target: 不低于X亿元, 达到X%, 新增X家.
const TARGET_LEADS: &[&str] = &[
    "不低于",
    "不少于",
    "不小于",
    "不下于",
    "达到",
    "超过",
    "突破",
    "增长",
    "完成",
    "新增",
    "确保",
    "力争",
];
const UNITS: &[&str] = &[
    "亿元",
    "万元",
    "元",
    "个百分点",
    "%",
    "％",
    "个",
    "家",
    "项",
    "户",
    "亩",
    "公里",
    "千米",
    "万平方米",
    "平方米",
    "人",
    "次",
    "座",
    "所",
    "套",
    "处",
    "大箱",
    "箱",
    "吨",
    "千瓦",
    "辆",
    "台",
    "公顷",
];
/// Targets without a number: 清零, 全覆盖, 全部开工.
const WHOLE: &[&str] = &[
    "清零",
    "全覆盖",
    "全部开工",
    "全部完成",
    "全部到位",
    "全部销号",
    "全部建成",
    "全部竣工",
    "全部完工",
    "全部投产",
    "全部投用",
    "全部交地",
    "全部整改",
    "全部达标",
    "全部落实",
    "应开尽开",
    "应报尽报",
    "零容忍",
];

/// What a target may start with: a whole target, a lead, or a figure (`number`'s digits and
/// Chinese numerals).
const TARGET_FIRSTS: Firsts = Firsts::of(&[WHOLE, TARGET_LEADS]).and(Firsts::chars(
    "0123456789０１２３４５６７８９〇一二三四五六七八九两十",
));

/// The first quantified target written in `text`.
pub fn find_target(text: &str) -> Option<Found> {
    let t: Vec<char> = text.chars().collect();
    for i in 0..t.len() {
        if !TARGET_FIRSTS.has(t[i]) {
            continue;
        }
        if let Some(n) = one_of(&t, i, WHOLE) {
            return Some(found(&t, i, i + n));
        }
        let lead = one_of(&t, i, TARGET_LEADS).unwrap_or(0);
        // Without a lead a figure is read from its first digit, and a redaction is none: long
        // runs of either are not read again at each of their characters.
        if lead == 0 && ((i > 0 && digit(t[i - 1]).is_some()) || is_blank(t[i])) {
            continue;
        }
        let mut j = i + lead;
        // After a lead the figure may come a few words later: 新增规上企业30家.
        if lead > 0 {
            while j < t.len().min(i + lead + 10)
                && number(&t, j).is_none()
                && !"，。；、,;：:（）()".contains(t[j])
            {
                j += 1;
            }
        }
        // A blanked figure counts after a lead: 不低于×亿元.
        let mut e = match number(&t, j) {
            Some((Num::Value(_), e)) => e,
            Some((Num::Blank, e)) if lead > 0 => e,
            _ => continue,
        };
        // Decimals: 1.5亿元
        if matches!(t.get(e), Some('.' | '．')) && t.get(e + 1).and_then(|c| digit(*c)).is_some() {
            e = number(&t, e + 1).map(|(_, e)| e).unwrap_or(e);
        }
        j = e;
        // 10万亩, x万大箱: a multiplier before the unit.
        if t.get(j).is_some_and(|c| "万亿千百".contains(*c)) && one_of(&t, j + 1, UNITS).is_some()
        {
            j += 1;
        }
        if let Some(u) = one_of(&t, j, UNITS)
            && (lead > 0
                || t[i..j].iter().any(|c| digit(*c).is_some())
                    && matches!(t.get(j), Some('%' | '％')))
        {
            return Some(found(&t, i, j + u));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn deadline(text: &str) -> (String, Option<NaiveDate>) {
        let d = find_deadline(text, 2025).unwrap_or_else(|| panic!("no deadline in {text}"));
        assert_eq!(
            text.chars()
                .skip(d.found.start)
                .take(d.found.end - d.found.start)
                .collect::<String>(),
            d.found.text,
            "the span points into the text"
        );
        (d.found.text, d.date)
    }

    #[test]
    fn every_number_may_start_a_deadline_or_a_target() {
        for c in (0..=0xffff).filter_map(char::from_u32) {
            let starts_number = number(&[c], 0).is_some();
            assert!(!starts_number || DEADLINE_FIRSTS.has(c), "{c}");
            let figure = matches!(number(&[c], 0), Some((Num::Value(_), _)));
            assert!(!figure || TARGET_FIRSTS.has(c), "{c}");
        }
        for w in ["第一季度", "明年底前", "来年", "次年"] {
            assert!(DEADLINE_FIRSTS.has(w.chars().next().unwrap()), "{w}");
        }
    }

    #[test]
    fn a_year_written_before_the_node_is_its_year() {
        assert_eq!(
            deadline("力争2026年底前建成"),
            ("2026年底前".into(), day(2026, 12, 31))
        );
        assert_eq!(
            deadline("2026年6月底前完成"),
            ("2026年6月底前".into(), day(2026, 6, 30))
        );
        assert_eq!(
            deadline("明年一季度开工"),
            ("明年一季度".into(), day(2026, 3, 31))
        );
        assert_eq!(
            deadline("明年底前竣工"),
            ("明年底前".into(), day(2026, 12, 31))
        );
        // Long numbers are no dates and do not overflow.
        assert!(find_deadline("联系电话13912345678901234567890", 2025).is_none());
        assert!(find_target("编号99999999999999999999号").is_none());
    }

    #[test]
    fn quarters_halves_and_holidays_alone() {
        assert_eq!(
            deadline("确保一季度新开工项目不少于×个"),
            ("一季度".into(), day(2025, 3, 31))
        );
        assert!(find_deadline("坚持一季一观摩", 2025).is_none());
        assert!(find_deadline("一季度以来进展较快", 2025).is_none());
        assert!(find_deadline("三季度即将过去", 2025).is_none());
        assert!(find_deadline("一季度全市完成投资×亿元", 2025).is_none());
        assert_eq!(
            deadline("上半年，完成投资要达到55%以上"),
            ("上半年".into(), day(2025, 6, 30))
        );
        assert!(find_deadline("上半年以来，全市投资增长", 2025).is_none());
        assert_eq!(
            deadline("国庆节前完工"),
            ("国庆节前".into(), day(2025, 9, 30))
        );
        assert_eq!(deadline("春节前动态清零"), ("春节前".into(), None));
        assert_eq!(deadline("本月底前完成排查"), ("本月底前".into(), None));
        assert_eq!(
            deadline("确保6月份资金到位"),
            ("6月份".into(), day(2025, 6, 30))
        );
        assert_eq!(
            deadline("要在9月完成拨付"),
            ("9月".into(), day(2025, 9, 30))
        );
        assert_eq!(
            deadline("于十月份完成清算"),
            ("十月份".into(), day(2025, 10, 31))
        );
        assert!(
            find_deadline("1-8月份新增企业为零的县要在9月底前补齐", 2025)
                .is_some_and(|d| d.found.text == "9月底前"),
            "a range of months counted is no deadline"
        );
    }

    #[test]
    fn deadlines_normalise_to_dates() {
        assert_eq!(
            deadline("各县区要在9月底前完成征迁"),
            ("9月底前".into(), day(2025, 9, 30))
        );
        assert_eq!(
            deadline("确保年底前建成投用"),
            ("年底前".into(), day(2025, 12, 31))
        );
        assert_eq!(
            deadline("四季度内全面开工"),
            ("四季度内".into(), day(2025, 12, 31))
        );
        assert_eq!(
            deadline("力争第一季度实现签约"),
            ("第一季度".into(), day(2025, 3, 31))
        );
        assert_eq!(
            deadline("10月中旬前报送方案"),
            ("10月中旬前".into(), day(2025, 10, 20))
        );
        assert_eq!(
            deadline("十一月上旬启动"),
            ("十一月上旬".into(), day(2025, 11, 10))
        );
        assert_eq!(
            deadline("6月中下旬召开观摩会"),
            ("6月中下旬".into(), day(2025, 6, 30))
        );
        assert_eq!(deadline("２月末前"), ("２月末前".into(), day(2025, 2, 28)));
        assert_eq!(
            deadline("于7月15日前上报"),
            ("7月15日前".into(), day(2025, 7, 15))
        );
        assert_eq!(deadline("年内完成改造"), ("年内".into(), day(2025, 12, 31)));
        assert_eq!(
            deadline("上半年前完成"),
            ("上半年前".into(), day(2025, 6, 30))
        );
    }

    #[test]
    fn blanked_dates_keep_their_text_and_give_no_date() {
        assert_eq!(deadline("各部门×月×日前报送"), ("×月×日前".into(), None));
        assert_eq!(deadline("在x月x日前全面完成"), ("x月x日前".into(), None));
        assert_eq!(
            deadline("6月x日前将清单报市政府"),
            ("6月x日前".into(), None)
        );
    }

    #[test]
    fn dates_that_are_not_deadlines_are_left() {
        assert_eq!(
            find_deadline("6月18日召开推进会", 2025),
            None,
            "an event, not a deadline"
        );
        assert_eq!(
            find_deadline("前三季度全市实现生产总值", 2025),
            None,
            "a period reported on"
        );
        assert_eq!(find_deadline("年底的形势比较严峻", 2025), None);
    }

    #[test]
    fn cadences_in_order() {
        let c: Vec<Cadence> = find_cadences("重点工作实行按月按季督查，市优化办要每月通报一次")
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(c, [Cadence::Monthly, Cadence::Quarterly, Cadence::Monthly]);
        assert_eq!(
            find_cadences("一月一调度、半年一次观摩")[1].0,
            Cadence::HalfYearly
        );
        assert!(find_cadences("加快推进项目建设").is_empty());
    }

    #[test]
    fn targets_with_numbers_or_whole() {
        let t = |s: &str| find_target(s).map(|f| f.text);
        assert_eq!(
            t("全年完成投资不低于120亿元"),
            Some("完成投资不低于120亿元".into())
        );
        assert_eq!(t("签约率达到100%"), Some("达到100%".into()));
        assert_eq!(t("新增“四上”企业"), None, "no number");
        assert_eq!(
            t("力争新增规上企业30家"),
            Some("力争新增规上企业30家".into())
        );
        assert_eq!(t("确保年底前建成"), None);
        assert_eq!(t("问题清单年底前全部清零"), Some("清零".into()));
        assert_eq!(t("完成1.5亿元"), Some("完成1.5亿元".into()));
        assert_eq!(t("开工率95%以上"), Some("95%".into()));
        assert_eq!(t("抓紧推进"), None);
    }
}
