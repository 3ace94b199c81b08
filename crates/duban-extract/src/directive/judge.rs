//! 是否成事项 — whether a span of a sentence is a directive: its time node, cadence and
//! target, what it asks, its tier and confidence, and its place in the original line.

use chrono::NaiveDate;

use crate::actors::ActorKind;
use crate::clean::Clean;
use crate::timing::{find_cadences, find_deadline, find_target};

use super::subjects::Subject;
use super::words::{EXHORTATIONS, VAGUE_TIMES};
use super::{Directive, NamedActor, Tier};

fn is_specific(kind: ActorKind) -> bool {
    kind != ActorKind::Generic
}

/// Whether `plain` asks for nothing concrete (an exhortation).
fn exhortation(plain: &str) -> bool {
    plain
        .split(['，', ',', '、'])
        .filter(|p| p.chars().count() > 1)
        .all(|p| EXHORTATIONS.iter().any(|w| p.contains(w)))
}

/// Whether `plain` asks for something (要, 必须, 确保 …).
fn asks(plain: &str) -> bool {
    const ASKING: &[&str] = &[
        "要",
        "必须",
        "务必",
        "确保",
        "力争",
        "负责",
        "牵头",
        "抓紧",
        "尽快",
        "前完成",
        "前报",
        "须",
        "应当",
        "督促",
        "落实",
        "将在",
        "将于",
    ];
    const IMPERATIVE_STARTS: &[&str] = &[
        "完成",
        "全面完成",
        "建成",
        "实现",
        "加快",
        "全面推进",
        "推进",
        "抓好",
        "做好",
        "进一步",
        "积极",
        "认真",
        "扎实",
        "强化",
        "加强",
        "持续",
        "大力",
        "深化",
        "启动",
        "开展",
        "争取",
        "严格",
        "全力",
    ];
    ASKING.iter().any(|w| plain.contains(w))
        || IMPERATIVE_STARTS.iter().any(|w| plain.starts_with(w))
}

/// `plain` with what is in brackets blanked: asides (完成年度投资不到×%) are not targets.
fn without_asides(plain: &str) -> String {
    let mut depth = 0usize;
    plain
        .chars()
        .map(|c| match c {
            '（' | '(' => {
                depth += 1;
                '　'
            }
            '）' | ')' => {
                depth = depth.saturating_sub(1);
                '　'
            }
            _ if depth > 0 => '　',
            _ => c,
        })
        .collect()
}

/// The directive of the clean span `at..until`, if it is one.
pub(super) fn directive(
    c: &Clean,
    original: &[char],
    line: usize,
    (at, until): (usize, usize),
    subject: Option<(&Subject, usize)>,
    t: &[char],
    (year, sentence_time): (i32, &Option<(String, Option<NaiveDate>)>),
) -> Option<Directive> {
    let plain: String = t[at..until].iter().collect();
    let mut deadline = find_deadline(&plain, year).map(|d| (d.found.text, d.date));
    let cadence = find_cadences(&plain).first().map(|(c, _)| *c);
    let target = find_target(&without_asides(&plain)).map(|f| f.text);
    // 今年/全年 with a target is by the year's end ("确保今年新增…不低于×亿元").
    if deadline.is_none() && target.is_some() {
        deadline = ["今年", "全年"]
            .iter()
            .find(|w| plain.contains(**w))
            .map(|w| (w.to_string(), NaiveDate::from_ymd_opt(year, 12, 31)));
    }
    // A time adverbial opening the sentence holds for each of its directives.
    if deadline.is_none() {
        deadline = sentence_time.clone();
    }
    // A vague time word (尽快, 会后) is recorded but times nothing.
    let timed_by_date = deadline
        .as_ref()
        .is_some_and(|d| !VAGUE_TIMES.contains(&d.0.as_str()));
    let timed = timed_by_date || cadence.is_some() || target.is_some();
    if deadline.is_none() {
        deadline = VAGUE_TIMES
            .iter()
            .find(|w| plain.contains(**w))
            .map(|w| (w.to_string(), None));
    }
    let mut actors = Vec::new();
    if let Some((sub, offset)) = subject {
        for ((name, kind, s, e), role) in &sub.actors {
            let (a, b) = c.original(s + offset, e + offset);
            actors.push(NamedActor {
                name: name.clone(),
                kind: *kind,
                role: *role,
                start: a,
                end: b,
            });
        }
    }
    let specific = actors.iter().any(|a| is_specific(a.kind));
    // What is asked: the text after the subject.
    let asked: String = match subject {
        Some((sub, offset)) => {
            let from = sub.actors.last().map_or(at, |a| a.0.3 + offset).min(until);
            t[from..until].iter().collect()
        }
        None => plain.clone(),
    };
    // Talk about the meeting itself, or what a document says (《…》提出), asks nothing of
    // anyone at this meeting.
    let first_clause = plain.split(['，', ',']).next().unwrap_or("");
    let about_meeting = first_clause.contains("会议")
        && ["今天", "这次", "本次"]
            .iter()
            .any(|w| first_clause.contains(w));
    let quoted = ["》提出", "》要求", "》明确", "》指出"]
        .iter()
        .any(|w| plain.contains(w));
    if !specific && (about_meeting || quoted) {
        return None;
    }
    let tier = if specific {
        if !timed && exhortation(&asked) {
            return None;
        }
        Tier::A
    } else {
        if !timed || !asks(&plain) {
            return None;
        }
        Tier::B
    };
    let explicit = subject.is_some_and(|(s, _)| s.explicit);
    let guessed = actors
        .iter()
        .all(|a| a.kind == ActorKind::Territory && !a.name.starts_with('各'));
    let confidence = match tier {
        Tier::A => {
            0.6 + if explicit { 0.15 } else { 0.05 }
                + if timed { 0.15 } else { 0.0 }
                + if guessed { 0.0 } else { 0.05 }
        }
        Tier::B => {
            0.35 + 0.1
                * [timed_by_date, cadence.is_some(), target.is_some()]
                    .iter()
                    .filter(|x| **x)
                    .count() as f32
                + if asked.chars().count() > 80 {
                    -0.05
                } else {
                    0.0
                }
        }
    };
    let (start, end) = c.original(at, until);
    Some(Directive {
        line,
        start,
        end,
        text: original[start..end].iter().collect(),
        plain,
        actors,
        deadline_text: deadline.as_ref().map(|d| d.0.clone()),
        deadline: deadline.and_then(|d| d.1),
        cadence,
        target,
        tier,
        confidence: (confidence * 100.0).round() / 100.0,
    })
}
