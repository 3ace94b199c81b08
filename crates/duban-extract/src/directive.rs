//! 议定事项 — the directives of a speech: who is to do what, by when.
//!
//! A line is cleaned and read as simplified characters, cut into sentences, and each sentence
//! into the runs of clauses its subjects govern: a subject is a group of actors at the start
//! of a clause (or after 由/请/要求) followed by what they are to do (要, 必须, 负责, 牵头,
//! 配合, 抓紧 …). Each subject starts a directive that runs to the next subject; co-operating
//! units (配合, 协助) after a lead join the lead's directive. What comes before a sentence's
//! first subject is a directive of no one in particular when it asks for something with a
//! time node, a cadence or a target. Every directive keeps its place in the original line.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::actors::{ActorKind, find_actors};
use crate::chars::{Firsts, longest, starts};
use crate::clean::{Clean, clean, sentences};
use crate::timing::{Cadence, find_cadences, find_deadline, find_target};

/// 角色 — what part an actor plays in a directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 牵头/负责/主抓 — the lead.
    Lead,
    /// 配合/协助 — a co-operating unit.
    Co,
    /// 责任主体 — the plain subject ("各县区要…").
    Owner,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Lead => "牵头",
            Role::Co => "配合",
            Role::Owner => "责任",
        }
    }
}

/// 层级 — how sure a directive is to be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tier {
    /// A specific actor is named.
    A,
    /// Only a generic actor (or none), with a time node, cadence or target.
    B,
}

/// An actor of a directive: its name (simplified), kind, role and place in the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedActor {
    pub name: String,
    pub kind: ActorKind,
    pub role: Role,
    /// Character offsets in the original line.
    pub start: usize,
    pub end: usize,
}

/// 议定事项 — one directive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Directive {
    /// 1-based line of the original text.
    pub line: usize,
    /// Character offsets in the original line (end exclusive).
    pub start: usize,
    pub end: usize,
    /// The original text of the span.
    pub text: String,
    /// The same, cleaned and in simplified characters.
    pub plain: String,
    pub actors: Vec<NamedActor>,
    /// 时间节点 as written (simplified), and the date it means in the meeting's year.
    pub deadline_text: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub cadence: Option<Cadence>,
    /// 量化目标 as written (simplified).
    pub target: Option<String>,
    pub tier: Tier,
    /// 0–1: how likely this is a directive the office would track.
    pub confidence: f32,
}

/// Words after a subject that make it one, and the role they give. Longest match wins.
const ROLE_MARKS: &[(&str, Role)] = &[
    ("牵头负责", Role::Lead),
    ("具体负责", Role::Lead),
    ("总负责", Role::Lead),
    ("负总责", Role::Lead),
    ("负责", Role::Lead),
    ("牵头", Role::Lead),
    ("主抓", Role::Lead),
    ("会同", Role::Lead),
    ("联合", Role::Lead),
    ("为牵头单位", Role::Lead),
    ("为责任单位", Role::Lead),
    ("为责任主体", Role::Lead),
    ("为配合单位", Role::Co),
    ("配合", Role::Co),
    ("协助", Role::Co),
    ("协同", Role::Co),
    ("参与", Role::Co),
];
/// Words after a subject that ask it to act.
const ACTION_MARKS: &[&str] = &[
    "要",
    "必须",
    "务必",
    "须",
    "需要",
    "需",
    "应当",
    "应",
    "一定要",
    "抓紧",
    "尽快",
    "立即",
    "迅速",
    "马上",
    "确保",
    "力争",
    "切实",
    "全力",
    "进一步",
    "继续",
    "严格",
    "督促",
    "将",
    "尽早",
    "提前",
    "限期",
    "每月",
    "每周",
    "每季",
    "按月",
    "按季",
];
/// Words that may stand between a subject and its marker.
const FILLERS: &[&str] = &[
    "也", "还", "都", "均", "一定", "今年", "今后", "近期", "会后", "同时", "再", "亦", "各自",
    "分别", "具体", "共同",
];
/// Words before units that work with the lead: 会同, 联合.
const CO_WITH: &[&str] = &["会同", "联合"];
/// Words before a subject that hand it a task.
const HANDING: &[&str] = &["并由", "再由", "由", "请", "要求", "责成", "督促"];
/// Words opening a clause that are not part of it: enumerations and connectives.
const OPENERS: &[&str] = &[
    "此项工作",
    "该项工作",
    "这项工作",
    "上述工作",
    "以上工作",
    "此项任务",
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
    "六是",
    "七是",
    "八是",
    "九是",
    "十是",
    "一要",
    "二要",
    "三要",
    "四要",
    "五要",
    "第一",
    "第二",
    "第三",
    "第四",
    "首先",
    "其次",
    "再次",
    "最后",
    "同时",
    "另外",
    "此外",
    "对此",
    "会后",
    "今后",
    "特别是",
    "尤其是",
    "其中",
    "并且",
    "并",
    "还",
    "也",
];
/// Words joining the actors of one subject.
const JOINERS: &[&str] = &["、", "和", "及", "以及", "与", "同", ",", "，"];
/// A list of fields ending in one of these names each field as a body: 国土、财政等部门.
const FIELD_LIST_ENDS: &[&str] = &["等有关部门", "等相关部门", "等部门", "等单位"];
const FIELD_LIST_FIRSTS: Firsts = Firsts::of(&[FIELD_LIST_ENDS]);
/// What is asked when nothing concrete is: exhortations.
const EXHORTATIONS: &[&str] = &[
    "高度重视",
    "提高认识",
    "提高站位",
    "统一思想",
    "思想认识",
    "认清形势",
    "坚定信心",
    "鼓足干劲",
    "再鼓干劲",
    "增强",
    "意识",
    "责任感",
    "紧迫感",
    "使命感",
    "担当",
    "扛起",
    "负起责任",
    "真抓实干",
    "主动作为",
    "克服",
    "松懈",
    "厌战",
    "自我加压",
    "奋力",
    "不折不扣",
    "以身作则",
];

const CLAUSE_ENDS: &str = "，,：:";
const SENTENCE_ENDS: &str = "。！？；!?;.．";

fn is_specific(kind: ActorKind) -> bool {
    kind != ActorKind::Generic
}

/// An actor as found in a sentence: name, kind, offsets in the sentence.
type Mention = (String, ActorKind, usize, usize);

/// A subject: its actors with their roles, where it starts and the role it has.
#[derive(Debug)]
struct Subject {
    actors: Vec<(Mention, Role)>,
    /// Where the directive starts (由 included).
    start: usize,
    role: Role,
    /// Whether its marker is a role (牵头, 负责, 配合) or 由/请 handed it the task.
    explicit: bool,
}

/// The actors of `t`, with the fields of "国土、财政等部门" added as bodies.
fn actors_of(s: &str, t: &[char]) -> Vec<Mention> {
    let mut out: Vec<Mention> = find_actors(s)
        .into_iter()
        .map(|a| (a.found.text, a.kind, a.found.start, a.found.end))
        .collect();
    // What is taken so far, start → end: the actors do not overlap, nor do the fields added
    // (each is checked against all taken before), so whether a span is free is one look-up.
    let mut taken: BTreeMap<usize, usize> = out.iter().map(|a| (a.2, a.3)).collect();
    let overlaps = |taken: &BTreeMap<usize, usize>, start: usize, end: usize| {
        // Of disjoint spans, the last starting before `end` ends last among them.
        taken
            .range(..end)
            .next_back()
            .is_some_and(|(_, e)| *e > start)
    };
    for i in 0..t.len() {
        let Some(n) = Some(i)
            .filter(|i| FIELD_LIST_FIRSTS.has(t[*i]))
            .and_then(|i| longest(t, i, FIELD_LIST_ENDS))
        else {
            continue;
        };
        if overlaps(&taken, i, i + n) {
            continue;
        }
        let mut fields: Vec<Mention> = Vec::new();
        let mut end = i;
        loop {
            let mut start = end;
            while start > 0 && end - start < 6 && is_name_char(t[start - 1]) {
                start -= 1;
            }
            if end - start < 2 || overlaps(&taken, start, end) {
                break;
            }
            fields.push((t[start..end].iter().collect(), ActorKind::Body, start, end));
            if start > 0 && t[start - 1] == '、' {
                end = start - 1;
            } else {
                break;
            }
        }
        taken.extend(fields.iter().map(|a| (a.2, a.3)));
        out.extend(fields);
    }
    out.sort_by_key(|a| a.2);
    out
}

/// Characters a field's short name is written with (国土, 住建, 自然资源).
fn is_name_char(c: char) -> bool {
    crate::clean::is_cjk(c) && !"由和及与要的等在对请将把各有关相".contains(c)
}

/// Skips `words` at `i` as long as one is there.
fn skip(t: &[char], mut i: usize, words: &[&str]) -> usize {
    while let Some(n) = longest(t, i, words) {
        i += n;
    }
    i
}

/// How much of what stands before a subject in its clause is read (see `subjects`).
const BEFORE_READ: usize = 11;

/// Where the clause holding each position of `t` starts (and one past its end: the last
/// clause's start), read once for the sentence rather than back from each subject.
fn clause_starts(t: &[char]) -> Vec<usize> {
    let mut out = Vec::with_capacity(t.len() + 1);
    let mut start = 0;
    out.push(start);
    for (k, c) in t.iter().enumerate() {
        if CLAUSE_ENDS.contains(*c) {
            start = k + 1;
        }
        out.push(start);
    }
    out
}

/// The marker at `i` (after fillers and a time node): its role, whether explicit.
fn marker(t: &[char], i: usize, year: i32) -> Option<(Role, bool)> {
    // "牵头部门、责任单位，都要…": a comma before what the subject is to do.
    let i = if matches!(t.get(i), Some('，' | ',')) && longest(t, i + 1, FILLERS).is_some() {
        i + 1
    } else {
        i
    };
    let mut j = skip(t, i, FILLERS);
    // "各县区×月×日前要…", "在9月底前": a time node may come before the marker.
    let rest: String = t[j..t.len().min(j + 14)].iter().collect();
    let timed = find_deadline(&rest, year).filter(|d| d.found.start <= 1);
    if let Some(d) = &timed {
        j += d.found.end;
        j = skip(t, j, FILLERS);
    }
    if let Some((_, role)) = ROLE_MARKS
        .iter()
        .filter(|(w, _)| starts(t, j, w))
        .max_by_key(|(w, _)| w.chars().count())
    {
        return Some((*role, true));
    }
    if longest(t, j, ACTION_MARKS).is_some() {
        // A role word soon after ("要牵头", "要积极配合") still gives the role.
        let after: String = t[j..t.len().min(j + 8)].iter().collect();
        for (w, role) in ROLE_MARKS {
            if after.contains(w) && !after[..after.find(w).unwrap_or(0)].contains('，') {
                return Some((*role, true));
            }
        }
        return Some((Role::Owner, false));
    }
    // "市住建局在9月底前完成改造": a subject given a time node is asked whatever the verb.
    timed.map(|_| (Role::Owner, false))
}

/// The subjects of a sentence `t`, whose clauses start where `clause_starts` says.
fn subjects(t: &[char], clause_starts: &[usize], year: i32) -> Vec<Subject> {
    let s: String = t.iter().collect();
    let actors = actors_of(&s, t);
    let mut out: Vec<Subject> = Vec::new();
    // Where the openers of the clause starting at the key end (the subjects come in order, so
    // each clause's openers are read once).
    let mut opened_to: Option<(usize, usize)> = None;
    let mut k = 0;
    while k < actors.len() {
        // The group: actors joined by 、/和/及, then "等部门".
        let mut group = vec![actors[k].clone()];
        let mut end = actors[k].3;
        while k + 1 < actors.len() {
            let next = &actors[k + 1];
            // A joiner is at most four characters ("等" and a few): a longer gap is not read.
            if next.2 - end > 4 {
                break;
            }
            let gap: String = t[end..next.2].iter().collect();
            let joined = gap.is_empty()
                || JOINERS.contains(&gap.as_str())
                || (gap.starts_with('等') && gap.chars().count() <= 4);
            if !joined {
                break;
            }
            // A comma joins actors only when the next one is a subject too ("A，B要…" is rare).
            if matches!(gap.as_str(), "," | "，") {
                break;
            }
            group.push(next.clone());
            end = next.3;
            k += 1;
        }
        k += 1;
        let after = skip(
            t,
            end,
            &["等有关部门", "等相关部门", "等部门", "等单位", "等"],
        );
        let first = group[0].2;
        let from = clause_starts[first];
        // What stands before the subject in its clause: only its last words are looked at
        // (a handing word, 会同, or "…的" of at most ten characters), so no more is read.
        let before: String = t[from.max(first.saturating_sub(BEFORE_READ))..first]
            .iter()
            .collect();
        let before_len = first - from;
        // "牵头，会同市住建局、市交通局": the units a lead works with.
        if CO_WITH.iter().any(|w| before.ends_with(w)) {
            out.push(Subject {
                actors: group.into_iter().map(|m| (m, Role::Co)).collect(),
                start: first,
                role: Role::Co,
                explicit: true,
            });
            continue;
        }
        let handed = HANDING
            .iter()
            .find(|h| before.ends_with(**h))
            .map(|h| h.chars().count());
        // The clause opens with the subject, or with what the subject is of ("各项工作的牵头部门").
        let openers_end = match opened_to {
            Some((clause, end)) if clause == from => end,
            _ => {
                let end = skip(t, from, OPENERS);
                opened_to = Some((from, end));
                end
            }
        };
        let opened = openers_end >= first
            || (before.ends_with('的')
                && before_len <= 10
                && !ACTION_MARKS.iter().any(|m| before.contains(m)));
        let Some((role, explicit)) = marker(t, after, year).or(handed.map(|_| (Role::Owner, true)))
        else {
            continue;
        };
        if !opened && handed.is_none() {
            continue;
        }
        let start = first - handed.unwrap_or(0);
        let role = match (handed, role) {
            // 由X牵头/负责; "由X" and a verb: X leads.
            (Some(1), Role::Owner) if before.ends_with('由') => Role::Lead,
            _ => role,
        };
        out.push(Subject {
            actors: group.into_iter().map(|m| (m, role)).collect(),
            start,
            role,
            explicit: explicit || handed.is_some(),
        });
    }
    out
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

/// Words asking for speed without naming a date: kept as the time node's text, no date.
const VAGUE_TIMES: &[&str] = &["尽快", "近期", "立即", "马上"];

/// The directives of one line of a speech (`line` 1-based), read in `year`.
pub fn extract_line(line: usize, original: &str, year: i32) -> Vec<Directive> {
    let c = clean(original).simplify();
    let original_chars: Vec<char> = original.chars().collect();
    let t: Vec<char> = c.text.chars().collect();
    let mut out = Vec::new();
    for s in sentences(&c.text) {
        let st = &t[s.start..s.end];
        // The sentence without its end mark.
        let body_end = if st.last().is_some_and(|c| SENTENCE_ENDS.contains(*c)) {
            st.len() - 1
        } else {
            st.len()
        };
        let st = &st[..body_end];
        let clause_start = clause_starts(st);
        let mut subjects = subjects(st, &clause_start, year);
        // Co-operating units join the directive of the subject before them, which leads it
        // ("各县区要做好征迁，各乡镇配合": 各县区 lead, 各乡镇 co).
        let mut merged: Vec<Subject> = Vec::new();
        for sub in subjects.drain(..) {
            if sub.role == Role::Co
                && let Some(lead) = merged.last_mut()
                && lead.role != Role::Co
            {
                if lead.role == Role::Owner {
                    lead.role = Role::Lead;
                    for (_, role) in &mut lead.actors {
                        *role = Role::Lead;
                    }
                }
                lead.actors.extend(sub.actors);
                continue;
            }
            merged.push(sub);
        }
        // Runs: before the first subject, then one per subject.
        let mut cuts: Vec<(usize, Option<&Subject>)> = Vec::new();
        let first = merged.first().map_or(st.len(), |m| clause_start[m.start]);
        // "6月中下旬，市政府将…，各县区要…": a time node alone before the first subject.
        let opening: String = st[..first].iter().collect();
        let sentence_time = find_deadline(&opening, year)
            .filter(|d| d.found.start <= 1 && opening.chars().count() <= d.found.end + 2)
            .map(|d| (d.found.text, d.date));
        if first > 0 {
            cuts.push((0, None));
        }
        for m in &merged {
            cuts.push((m.start, Some(m)));
        }
        for (n, (start, subject)) in cuts.iter().enumerate() {
            let mut end = cuts
                .get(n + 1)
                .map_or(st.len(), |(next, _)| clause_start[*next]);
            if end <= *start {
                end = cuts.get(n + 1).map_or(st.len(), |(next, _)| *next);
            }
            while end > *start && (CLAUSE_ENDS.contains(st[end - 1]) || st[end - 1] == '、') {
                end -= 1;
            }
            if end <= *start {
                continue;
            }
            let at = s.start + start;
            let until = s.start + end;
            if let Some(d) = directive(
                &c,
                &original_chars,
                line,
                (at, until),
                subject.map(|m| (m, s.start)),
                &t,
                (year, &sentence_time),
            ) {
                out.push(d);
            }
        }
    }
    out
}

/// The directive of the clean span `at..until`, if it is one.
fn directive(
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
    let timed_by_date = deadline.is_some();
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

/// The actor starting at `i` among `actors` (in order, not overlapping).
fn actor_at(actors: &[Mention], i: usize) -> Option<&Mention> {
    let k = actors.partition_point(|a| a.2 < i);
    actors.get(k).filter(|a| a.2 == i)
}

/// 事项名称 — what a directive asks for, without who is asked: its first clause that says
/// what to do, the subject, its role word and modal (要, 必须) taken off, at most 40
/// characters. "由市发改委牵头，国土、财政等部门配合，10月底前完成储备项目梳理" → "10月底前完成储备项目梳理";
/// "各县区要对未开工项目逐个排查" → "对未开工项目逐个排查".
pub fn task_name(text: &str) -> String {
    let plain = clean(text).simplify().text;
    let t: Vec<char> = plain.chars().collect();
    let actors = actors_of(&plain, &t);
    let mut name = String::new();
    let mut from = 0;
    while from < t.len() {
        let end = (from..t.len())
            .find(|k| CLAUSE_ENDS.contains(t[*k]) || SENTENCE_ENDS.contains(t[*k]))
            .unwrap_or(t.len());
        let mut i = skip(&t[..end], from, OPENERS);
        i = skip(&t[..end], i, HANDING);
        // The subject: actors joined by 、/和/及, then 等部门.
        while let Some(a) = actor_at(&actors, i).filter(|a| a.3 <= end) {
            i = skip(&t[..end], a.3, JOINERS);
            i = skip(
                &t[..end],
                i,
                &["等有关部门", "等相关部门", "等部门", "等单位", "等"],
            );
        }
        i = skip(&t[..end], i, FILLERS);
        i = skip(
            &t[..end],
            i,
            &[
                "牵头负责",
                "具体负责",
                "负责",
                "牵头",
                "主抓",
                "配合",
                "协助",
            ],
        );
        i = skip(
            &t[..end],
            i,
            &["一定要", "必须", "务必", "要", "须", "需要", "应当", "应"],
        );
        // The time node has its own column: "在x月x日前", "6月底前将…" are left out of the name.
        let i = i.min(end);
        let rest: String = t[i..end].iter().collect();
        let i = match find_deadline(&rest, 2000) {
            Some(d) if d.found.start <= 1 => {
                let after = skip(&t[..end], i + d.found.end, FILLERS);
                skip(&t[..end], after, &["要", "将", "把"])
            }
            _ => i,
        };
        let clause: String = t[i.min(end)..end].iter().collect();
        if !clause.is_empty() {
            if !name.is_empty() {
                name.push('，');
            }
            name.push_str(&clause);
            if name.chars().count() >= 6 {
                break;
            }
        }
        from = end + 1;
    }
    let name = if name.is_empty() { plain } else { name };
    name.chars().take(40).collect()
}

/// The directives of a whole speech, line by line.
pub fn extract(text: &str, year: i32) -> Vec<Directive> {
    text.lines()
        .enumerate()
        .flat_map(|(i, l)| extract_line(i + 1, l, year))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2025, m, d)
    }

    fn who(d: &Directive) -> Vec<(&str, Role)> {
        d.actors.iter().map(|a| (a.name.as_str(), a.role)).collect()
    }

    #[test]
    fn one_directive_per_actor_and_action() {
        let ds = extract(
            "市财政局负责筹措配套资金，10月底前拨付到位；市自然资源局负责用地报批；各乡镇要做好征迁。",
            2025,
        );
        assert_eq!(ds.len(), 3, "{ds:#?}");
        assert_eq!(who(&ds[0]), [("市财政局", Role::Lead)]);
        assert_eq!(ds[0].deadline, date(10, 31));
        assert_eq!(ds[0].deadline_text.as_deref(), Some("10月底前"));
        assert_eq!(who(&ds[1]), [("市自然资源局", Role::Lead)]);
        assert_eq!(ds[1].deadline, None);
        assert_eq!(who(&ds[2]), [("各乡镇", Role::Owner)]);
        assert!(ds.iter().all(|d| d.tier == Tier::A));
        // Two subjects in one sentence cut at the comma before the second.
        let ds = extract(
            "由市发改委牵头拟定考核细则，各县区要逐个排查未开工项目，年内全部开工。",
            2025,
        );
        assert_eq!(ds.len(), 2, "{ds:#?}");
        assert_eq!(ds[0].plain, "由市发改委牵头拟定考核细则");
        assert_eq!(ds[1].target.as_deref(), Some("全部开工"));
        assert_eq!(ds[1].deadline, date(12, 31));
    }

    #[test]
    fn a_lead_with_co_operating_units_is_one_directive() {
        let ds = extract(
            "由市住建局牵头，交通、水利等部门配合，9月中旬前完成老旧管网改造方案。",
            2025,
        );
        assert_eq!(ds.len(), 1, "{ds:#?}");
        assert_eq!(
            who(&ds[0]),
            [
                ("市住建局", Role::Lead),
                ("交通", Role::Co),
                ("水利", Role::Co)
            ]
        );
        assert_eq!(ds[0].deadline, date(9, 20));
        let ds = extract("县商务局主抓，县税务局协助，按季报送招商台账。", 2025);
        assert_eq!(ds.len(), 1, "{ds:#?}");
        assert_eq!(
            who(&ds[0]),
            [("县商务局", Role::Lead), ("县税务局", Role::Co)]
        );
        assert_eq!(ds[0].cadence, Some(Cadence::Quarterly));
    }

    #[test]
    fn blanked_dates_cadences_and_targets() {
        let ds = extract(
            "各县（市、区）×月×日前要将储备项目清单报市发改委。市统计局要一月一调度，每月通报入统情况。",
            2025,
        );
        assert_eq!(ds.len(), 2, "{ds:#?}");
        assert_eq!(ds[0].deadline_text.as_deref(), Some("×月×日前"));
        assert_eq!(ds[0].deadline, None, "a blanked date gives no date");
        assert_eq!(who(&ds[0]), [("各县（市、区）", Role::Owner)]);
        assert_eq!(ds[1].cadence, Some(Cadence::Monthly));
        let ds = extract("白水县要确保全年固定资产投资不低于×亿元。", 2025);
        assert_eq!(ds[0].target.as_deref(), Some("不低于×亿元"));
    }

    #[test]
    fn generic_actors_need_a_time_node_or_target_and_exhortations_are_not_directives() {
        assert!(extract("各级各部门要进一步提高认识，增强责任意识。", 2025).is_empty());
        assert!(
            extract("各县区要高度重视。", 2025).is_empty(),
            "an exhortation, even of a named tier, asks for nothing concrete"
        );
        let ds = extract("各部门要在11月底前完成年度资金清算。", 2025);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].tier, Tier::B);
        assert_eq!(ds[0].deadline, date(11, 30));
        // Past results are not asked for.
        assert!(extract("截至9月底，全市完成投资×亿元，增长×%。", 2025).is_empty());
        // Recipients are not subjects: only the sender does something here.
        let ds = extract("市交通局要于6月底前将方案报市政府审定。", 2025);
        assert_eq!(who(&ds[0]), [("市交通局", Role::Owner)]);
        assert_eq!(ds[0].deadline, date(6, 30));
    }

    #[test]
    fn a_task_is_named_by_what_is_to_be_done() {
        assert_eq!(
            task_name("由市发改委牵头，国土、财政等部门配合，10月底前完成储备项目梳理"),
            "完成储备项目梳理"
        );
        assert_eq!(
            task_name("各县区要对未开工项目逐个排查，找准症结"),
            "对未开工项目逐个排查"
        );
        assert_eq!(task_name("市财政局负责，及时拨付资金"), "及时拨付资金");
        assert_eq!(task_name("一是市統計局要按月通報。"), "按月通报");
        assert_eq!(
            task_name("各县市区要在x月x日前，全面完成项目清理"),
            "全面完成项目清理",
            "the time node is a column of its own"
        );
        assert_eq!(
            task_name("市发改委6月底前将清理结果汇总上报"),
            "清理结果汇总上报"
        );
        assert_eq!(
            task_name("力争年底前全部建成投用"),
            "力争年底前全部建成投用"
        );
    }

    #[test]
    fn the_phrasings_of_official_speech() {
        // 会同: the lead's partners are co-operating units of the same directive.
        let ds = extract(
            "请市财政局牵头，会同市住建局、市交通局，于9月30日前拿出资金平衡方案。",
            2025,
        );
        assert_eq!(ds.len(), 1, "{ds:#?}");
        assert_eq!(
            who(&ds[0]),
            [
                ("市财政局", Role::Lead),
                ("市住建局", Role::Co),
                ("市交通局", Role::Co)
            ]
        );
        assert_eq!(ds[0].deadline, date(9, 30));
        // Enumerations open clauses; redacted counties are territories.
        let ds = extract(
            "一是市发改委要抓紧编制储备项目库；二是×县、×区要在第三季度末前完成征迁扫尾。",
            2025,
        );
        assert_eq!(ds.len(), 2, "{ds:#?}");
        assert_eq!(who(&ds[0]), [("市发改委", Role::Owner)]);
        assert_eq!(who(&ds[1]), [("×县", Role::Owner), ("×区", Role::Owner)]);
        assert_eq!(ds[1].deadline, date(9, 30));
        // A post is a specific actor; several time words: the first is the node.
        let ds = extract("县市长要亲自协调征地难题，8月20日前全部交地。", 2025);
        assert_eq!((ds[0].tier, ds[0].deadline), (Tier::A, date(8, 20)));
        assert_eq!(ds[0].target.as_deref(), Some("全部交地"));
        // No actor, a deadline and a target: tier B.
        let ds = extract("力争年底前全部建成投用。", 2025);
        assert_eq!(ds[0].tier, Tier::B);
        assert_eq!(ds[0].target.as_deref(), Some("全部建成"));
        // Headings and a topic before the subject.
        assert!(extract("（一）加快推进在建项目。", 2025).is_empty());
        let ds = extract(
            "对进度滞后的项目，市住建局要逐一约谈项目业主，每周通报一次。",
            2025,
        );
        assert_eq!(ds[0].plain, "市住建局要逐一约谈项目业主，每周通报一次");
        assert_eq!(ds[0].cadence, Some(Cadence::Weekly));
        // "A会同B", "A要会同B": A leads, B co-operates; a 配合 after a plain subject makes it lead.
        let ds = extract(
            "市住建局会同市财政局制定方案，9月底前完成；市人社局要会同市住建局，全面排查欠薪问题。各县区要做好征迁，各乡镇配合。",
            2025,
        );
        assert_eq!(ds.len(), 3, "{ds:#?}");
        assert_eq!(
            who(&ds[0]),
            [("市住建局", Role::Lead), ("市财政局", Role::Co)]
        );
        assert_eq!(ds[0].deadline, date(9, 30));
        assert_eq!(
            who(&ds[1]),
            [("市人社局", Role::Lead), ("市住建局", Role::Co)]
        );
        assert_eq!(who(&ds[2]), [("各县区", Role::Lead), ("各乡镇", Role::Co)]);
        // A time node after the subject asks whatever the verb; "X为牵头单位" leads.
        let ds = extract(
            "市城管局在9月底前完成背街小巷改造。此项工作市住建局为牵头单位，各街道为配合单位。",
            2025,
        );
        assert_eq!(ds.len(), 2, "{ds:#?}");
        assert_eq!(ds[0].deadline, date(9, 30));
        assert_eq!(
            who(&ds[1]),
            [("市住建局", Role::Lead), ("各街道", Role::Co)]
        );
        // A full stop written "." ends a sentence, a decimal point does not; a no-break space
        // is a space.
        let ds = extract(
            "市财政局负责筹措资金1.5亿元.市住建局\u{a0}负责老旧小区改造.",
            2025,
        );
        assert_eq!(ds.len(), 2, "{ds:#?}");
        assert_eq!(ds[0].plain, "市财政局负责筹措资金1.5亿元");
        assert_eq!(who(&ds[1]), [("市住建局", Role::Lead)]);
        // Half-width punctuation cuts clauses and sentences the same way.
        let ds = extract(
            "市水利局负责河道清淤,10月底前完成;各乡镇配合做好群众工作.",
            2025,
        );
        assert_eq!(ds.len(), 2, "{ds:#?}");
        assert_eq!(ds[0].deadline, date(10, 31));
    }

    #[test]
    fn traditional_text_with_pinyin_noise_maps_back_to_the_original() {
        let original = "同志們：\n由市發(fā)改委牽頭，財政、國土等部門配合，年底前完成項目清理；各縣(xiàn)區要在10月下旬前上報名單。";
        let ds = extract(original, 2025);
        assert_eq!(ds.len(), 2, "{ds:#?}");
        assert_eq!(ds[0].line, 2);
        assert_eq!(
            who(&ds[0]),
            [
                ("市发改委", Role::Lead),
                ("财政", Role::Co),
                ("国土", Role::Co)
            ]
        );
        assert_eq!(ds[0].deadline, date(12, 31));
        assert_eq!(ds[1].deadline, date(10, 31));
        let line: Vec<char> = original.lines().nth(1).unwrap().chars().collect();
        for d in &ds {
            assert_eq!(line[d.start..d.end].iter().collect::<String>(), d.text);
            for a in &d.actors {
                assert!(d.start <= a.start && a.end <= d.end);
            }
        }
        assert_eq!(
            ds[0].text,
            "由市發(fā)改委牽頭，財政、國土等部門配合，年底前完成項目清理"
        );
        assert_eq!(ds[1].text, "各縣(xiàn)區要在10月下旬前上報名單");
    }
}
