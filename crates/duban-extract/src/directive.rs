//! 议定事项 — the directives of a speech: who is to do what, by when.
//!
//! A line is cleaned and read as simplified characters, cut into sentences, and each sentence
//! into the runs of clauses its subjects govern: a subject is a group of actors at the start
//! of a clause (or after 由/请/要求) followed by what they are to do (要, 必须, 负责, 牵头,
//! 配合, 抓紧 …). Each subject starts a directive that runs to the next subject; co-operating
//! units (配合, 协助) after a lead join the lead's directive. What comes before a sentence's
//! first subject is a directive of no one in particular when it asks for something with a
//! time node, a cadence or a target. Every directive keeps its place in the original line.
//!
//! `words` holds the closed word lists, `subjects` finds a sentence's subjects, `judge`
//! decides whether a span is a directive, `naming` names its task.

mod judge;
mod naming;
mod subjects;
mod words;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::actors::ActorKind;
use crate::clean::{clean, sentences};
use crate::lexicon::Lexicon;
use crate::timing::{Cadence, find_deadline};

pub use naming::task_name;

use judge::directive;
use subjects::{Subject, clause_starts, join_co_units, subjects};
use words::{CLAUSE_ENDS, SENTENCE_ENDS};

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

/// The directives of one line of a speech (`line` 1-based), read in `year`.
pub fn extract_line(line: usize, original: &str, year: i32) -> Vec<Directive> {
    extract_line_in(line, original, year, Lexicon::shipped())
}

/// The directives of one line, its actors recognised by the words of `lex`.
pub fn extract_line_in(line: usize, original: &str, year: i32, lex: &Lexicon) -> Vec<Directive> {
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
        let merged = join_co_units(subjects(st, &clause_start, year, lex));
        // Runs: before the first subject, then one per subject.
        let mut cuts: Vec<(usize, Option<&Subject>)> = Vec::new();
        let first = merged.first().map_or(st.len(), |m| clause_start[m.start]);
        // "6月中下旬，市政府将…，各县区要…": a time node alone before the first subject.
        let opening: String = st[..first].iter().collect();
        let sentence_time = find_deadline(&opening, year)
            .filter(|d| d.found.start <= 1 && opening.chars().count() <= d.found.end + 2)
            .map(|d| (d.found.text, d.date))
            // "近期，各县区…": a vague time word opening the sentence is recorded for each.
            .or_else(|| {
                words::VAGUE_TIMES
                    .iter()
                    .find(|w| opening.starts_with(**w) && opening.chars().count() <= 3)
                    .map(|w| (w.to_string(), None))
            });
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

/// 未生成议定事项的要求 — a sentence that asks something of someone (a modal such as 要, 必须,
/// 务必, 确保, or a role such as 负责, 牵头) yet produced no directive: shown to the office so
/// that nothing is dropped unseen. Offsets in the original line, as a directive's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unclaimed {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Words that make a sentence a request: modals and roles.
const REQUEST_MARKS: &[&str] = &[
    "必须", "务必", "确保", "力争", "负责", "牵头", "配合", "抓紧", "尽快", "应当", "要",
];
/// Words 要 is part of without asking anything: 重要, 主要, 需要 …
const NOT_ASKING_YAO: &[&str] = &[
    "重要", "主要", "需要", "只要", "纲要", "摘要", "紧要", "要素", "要点", "要件", "要闻", "首要",
    "要求", "险要", "概要", "要害",
];

fn requests(plain: &str) -> bool {
    REQUEST_MARKS.iter().any(|m| {
        if *m != "要" {
            return plain.contains(m);
        }
        let t: Vec<char> = plain.chars().collect();
        (0..t.len()).any(|i| {
            t[i] == '要'
                && !NOT_ASKING_YAO.iter().any(|w| {
                    let w: Vec<char> = w.chars().collect();
                    let k = w.iter().position(|c| *c == '要').unwrap_or(0);
                    i >= k && t.get(i - k..i - k + w.len()) == Some(&w[..])
                })
        })
    })
}

/// The sentences of `text` that ask something yet are covered by none of `found`, at most
/// `limit` of them.
pub fn unclaimed(text: &str, found: &[Directive], limit: usize) -> Vec<Unclaimed> {
    let mut out = Vec::new();
    for (n, original) in text.lines().enumerate() {
        let line = n + 1;
        let here: Vec<&Directive> = found.iter().filter(|d| d.line == line).collect();
        let c = clean(original).simplify();
        let original_chars: Vec<char> = original.chars().collect();
        for s in sentences(&c.text) {
            if out.len() >= limit {
                return out;
            }
            let plain: String = c.text.chars().skip(s.start).take(s.end - s.start).collect();
            if plain.chars().count() < 6 || !requests(&plain) {
                continue;
            }
            let (start, end) = c.original(s.start, s.end);
            if here.iter().any(|d| d.start < end && start < d.end) {
                continue;
            }
            out.push(Unclaimed {
                line,
                start,
                end,
                text: original_chars[start..end].iter().collect(),
            });
        }
    }
    out
}

/// The directives of a file that may hold several speeches, each read in its own year: the
/// year given (`year`), else the one its own first lines state, else `fallback`. Lines are
/// numbered in the whole file.
pub fn extract_speeches(
    text: &str,
    year: Option<i32>,
    fallback: i32,
    lex: &Lexicon,
) -> Vec<Directive> {
    let lines: Vec<&str> = text.lines().collect();
    crate::meeting::speeches(text)
        .into_iter()
        .flat_map(|s| {
            let y = year.or(s.year).unwrap_or(fallback);
            (s.from..s.to)
                .filter_map(|n| lines.get(n - 1).map(|l| (n, *l)))
                .flat_map(move |(n, l)| extract_line_in(n, l, y, lex))
                .collect::<Vec<_>>()
        })
        .collect()
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
    use chrono::Datelike;

    fn date(m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2025, m, d)
    }

    /// Each directive's actors, by name.
    fn actor_names(ds: &[Directive]) -> Vec<Vec<&str>> {
        ds.iter()
            .map(|d| d.actors.iter().map(|a| a.name.as_str()).collect())
            .collect()
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
    fn actors_in_the_forms_speeches_name_them() {
        // A wish addressed to fields: 希望 is no part of their names.
        let ds = extract("希望文旅、商务等部门要在国庆节前推出消费券。", 2025);
        assert_eq!(who(&ds[0]), [("文旅", Role::Owner), ("商务", Role::Owner)]);
        // Parks named before 园区, a post with its 常务副, a body's members, role compounds.
        let ds = extract(
            "青石园区要加快标准厂房建设。常务副县（市、区）长要抓好调度。防汛指挥部各成员单位要落实值班制度。有关职能部门要派专人跟踪。",
            2025,
        );
        let names: Vec<&str> = ds.iter().map(|d| d.actors[0].name.as_str()).collect();
        assert_eq!(
            names,
            [
                "青石园区",
                "常务副县（市、区）长",
                "防汛指挥部各成员单位",
                "有关职能部门"
            ]
        );
        assert!(ds.iter().all(|d| d.tier == Tier::A));
        // A list summed up by 等 and a post: the places are the actors; a qualifier before
        // them ends in 的.
        let ds = extract(
            "上半年签约项目仍为零的东岭县、西坪县和新区等县（区）长要亲自推动，10月底前实现零的突破。",
            2025,
        );
        assert_eq!(
            who(&ds[0]),
            [
                ("东岭县", Role::Owner),
                ("西坪县", Role::Owner),
                ("新区", Role::Owner)
            ]
        );
        assert_eq!(ds[0].deadline, date(10, 31));
        // Redacted people, leading bodies' members, role compounds, enforcement fields.
        let ds = extract(
            "XX同志要牵头抓好征迁工作。领导班子成员要在10月底前各联系一个项目。项目牵头单位要每月报送进度。城管、市场监管等执法部门要在国庆节前完成整治。同志们要鼓足干劲。",
            2025,
        );
        let names = actor_names(&ds);
        assert_eq!(
            names,
            [
                vec!["XX同志"],
                vec!["领导班子成员"],
                vec!["项目牵头单位"],
                vec!["城管", "市场监管"]
            ]
        );
        // Handed by 提出, tier words with 每个.
        let ds = extract("另外，我们提出每个乡镇都要建成一个便民服务中心。", 2025);
        assert_eq!(who(&ds[0]), [("每个乡镇", Role::Owner)]);
    }

    #[test]
    fn each_speech_of_a_file_in_its_own_year() {
        let text = "第一篇\n在2023年全县经济工作会议上的讲话\n同志们：\n各乡镇要在年底前完成征迁。\n第二篇\n在2024年全县项目建设观摩会上的讲话\n同志们：\n各乡镇要在6月底前完成征迁。\n";
        let ds = extract_speeches(text, None, 2030, Lexicon::shipped());
        let dates: Vec<_> = ds.iter().map(|d| (d.line, d.deadline)).collect();
        assert_eq!(
            dates,
            [
                (4, NaiveDate::from_ymd_opt(2023, 12, 31)),
                (8, NaiveDate::from_ymd_opt(2024, 6, 30))
            ]
        );
        // The year given holds for all.
        let ds = extract_speeches(text, Some(2025), 2030, Lexicon::shipped());
        assert!(
            ds.iter()
                .all(|d| d.deadline.is_some_and(|d| d.year() == 2025))
        );
    }

    #[test]
    fn requests_that_produced_no_directive_are_shown() {
        let text = "各乡镇要在6月底前完成征迁。这是一项重要工作。\n大家要齐心协力，把好事办好。";
        let found = extract(text, 2025);
        assert_eq!(found.len(), 1);
        let left = unclaimed(text, &found, 100);
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].line, 2);
        assert_eq!(left[0].text, "大家要齐心协力，把好事办好。");
        assert!(unclaimed(text, &found, 0).is_empty(), "bounded");
    }

    #[test]
    fn bodies_by_their_abbreviations_county_level_cities_and_the_directory() {
        let ds = extract(
            "交通局要在8月底前完成路网规划。教体局负责校舍改造。县委办、政府办要在月底前报送督查通报。兴平市要加快园区建设。",
            2025,
        );
        let names = actor_names(&ds);
        assert_eq!(
            names,
            [
                vec!["交通局"],
                vec!["教体局"],
                vec!["县委办", "政府办"],
                vec!["兴平市"]
            ]
        );
        // Words that end like a bureau are not one; a listed company is no city.
        assert!(extract("要顾全大局，服务大局。", 2025).is_empty());
        assert!(crate::find_actors("推动企业上市，繁荣城市经济").is_empty());
        // A unit of the directory named as the directory writes it.
        let lex = Lexicon::shipped().with_units(["青禾农场"]);
        let ds = extract_line_in(1, "青禾农场要在10月底前完成秋收。", 2025, &lex);
        assert_eq!(ds[0].actors[0].name, "青禾农场");
        assert_eq!(ds[0].tier, Tier::A);
    }

    #[test]
    fn sentence_shapes_a_comma_before_yao_and_one_who_urges() {
        let ds = extract("交通局，要在9月底前完成路网规划。", 2025);
        assert_eq!(who(&ds[0]), [("交通局", Role::Owner)]);
        assert_eq!(ds[0].tier, Tier::A);
        let ds = extract("市住建局要督促各县区在6月底前完成排查。", 2025);
        assert_eq!(ds.len(), 1, "{ds:#?}");
        assert_eq!(who(&ds[0]), [("市住建局", Role::Owner)]);
        assert_eq!(ds[0].deadline, date(6, 30));
    }

    #[test]
    fn vague_times_the_meeting_itself_and_quoted_documents() {
        // A vague time word opening the sentence is recorded, but times nothing.
        let ds = extract("近期，各县区要对在建项目进行一次排查。", 2025);
        assert_eq!(ds[0].deadline_text.as_deref(), Some("近期"));
        assert_eq!(ds[0].deadline, None);
        assert!(extract("会后，各部门要抓好落实。", 2025).is_empty());
        // Talk about the meeting, and what a document says, ask nothing at this meeting.
        assert!(
            extract(
                "今天召开的这次会议，是一次动员会，目的是确保完成全年目标任务。",
                2025
            )
            .is_empty()
        );
        assert!(extract("《实施意见》提出，到年底前全面完成老旧小区改造。", 2025).is_empty());
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
