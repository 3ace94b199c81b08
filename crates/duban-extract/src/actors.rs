//! 责任主体 — who a clause names: a body or office (市发改委, 州金融办, 纪检监察部门), a
//! territory or tier (各县（市、区）, 各乡镇, a named county), a post (县市长, 分管副市长,
//! 包抓领导), or only a generic actor (各级各部门, 大家). Found by their endings and read
//! leftwards to where the name starts.

use serde::Serialize;

use crate::chars::{Found, found, longest, starts};
use crate::lexicon::Lexicon;

/// What kind of actor a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// 机关、部门 — a named body or office.
    Body,
    /// 地区、层级 — a named territory or a tier of them.
    Territory,
    /// 职务 — a named post.
    Post,
    /// 泛指 — everyone and no one in particular.
    Generic,
}

/// An actor named in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub found: Found,
}

/// How an office's name starts: its tier (市财政局, 州金融办, 省政府, 国家发改委).
const TIER_MARKS: &str = "市县区州省乡镇旗";
/// Characters that start verbs and prepositions before a body's name (落实市委, 推进县委, 向区政府).
const VERB_CHARS: &str =
    "落贯执按根报提服配协请经向由对给让把将使在为与和及同跟推加抓做搞促实确力争强深进";
/// Area words that end in 区 without naming a place (园区, 社区, 地区).
const AREA_WORDS: &str = "地园社城景片辖矿厂校小湾";
/// First characters of words that are not place names (本地区, 每个县, 推进国家高新区).
const NOT_PLACE_STARTS: &str = "本每各全加推总持大老深这那该其个两三四五六七八九十一";

/// Characters a name never contains: where reading leftwards stops.
const STOPS: &str = "个有但除我由要和及与、，,。；;：:在对请让向将把被等的了是为从同并且也都就还再已需应须（）()“”\"' \n";

/// Where a name ending just before `end` starts, reading leftwards over at most `max`
/// characters; `None` when it is too short to be a name.
fn name_start(t: &[char], end: usize, ending: usize, max: usize) -> Option<usize> {
    let mut s = end - ending;
    while s > 0 && end - s < max && !STOPS.contains(t[s - 1]) {
        s -= 1;
    }
    (end - s > ending).then_some(s)
}

/// Endings a body is called by without its tier (交通局, 发改委, 政府办, 安委会).
const ABBREVIATED_ENDS: &[&str] = &["局", "委", "办", "委会"];
/// Characters before 局 that make a word, not a bureau (大局, 格局, 布局, 全局 …).
const NOT_BUREAU: &str = "大格布全结当开终残骗赌饭";

/// Whether `t[start..end]` (ending `n` long) is a body called by its abbreviation: two to
/// four characters before the ending, at the start of a clause, not a verb or a word.
fn abbreviation(t: &[char], start: usize, end: usize, n: usize) -> bool {
    let ending: String = t[end - n..end].iter().collect();
    let before = end - n - start;
    ABBREVIATED_ENDS.contains(&ending.as_str())
        && (2..=4).contains(&before)
        && (start == 0 || "，,。；;、：:\n".contains(t[start - 1]))
        && !VERB_CHARS.contains(t[start])
        && !NOT_PLACE_STARTS.contains(t[start])
        && !"马网快再多".contains(t[start])
        && !(ending == "局" && NOT_BUREAU.contains(t[end - n - 1]))
}

/// The body named by `t[start..end]` (ending `n` characters long), if it is one.
fn body(t: &[char], start: usize, end: usize, n: usize) -> Option<Actor> {
    let fields = ["部门", "机关", "系统"]
        .iter()
        .any(|w| starts(t, end - n, w));
    let name: String = t[start..end].iter().collect();
    if fields && (name.starts_with('各') || name.starts_with("相关") || name.starts_with("有关"))
    {
        return Some(Actor {
            kind: ActorKind::Generic,
            found: found(t, start, end),
        });
    }
    let from = (start..end - n).find(|k| TIER_MARKS.contains(t[*k]));
    let start = match from {
        // 云川县政府, 北塘区住建局: a two-character place name before its tier is the name's.
        Some(k)
            if k == start + 2
                && matches!(t[k], '县' | '区')
                && !t[start..k].iter().any(|c| VERB_CHARS.contains(*c)) =>
        {
            start
        }
        Some(k) => k,
        // 纪检监察部门, 金融部门: a field of two to four characters.
        None if fields && (2..=4).contains(&(end - n - start)) => start,
        // 交通局, 教体局, 政府办: an abbreviation standing at the start of a clause.
        None if abbreviation(t, start, end, n) => start,
        None => return None,
    };
    (end - start > n).then(|| Actor {
        kind: ActorKind::Body,
        found: found(t, start, end),
    })
}

/// Where the name of a body ending just before `end` starts (reading no further left than
/// `floor`), if one does: 安委会 before 各成员单位.
fn body_before(lex: &Lexicon, t: &[char], end: usize, floor: usize) -> Option<usize> {
    let n = (1..=3)
        .filter(|n| end >= floor + n)
        .filter(|n| {
            let w: String = t[end - n..end].iter().collect();
            lex.body_ends.contains(&w) && !matches!(w.as_str(), "办" | "所" | "站" | "队" | "院")
        })
        .max()?;
    let start = name_start(t, end, n, 8)?.max(floor);
    (end - start > n && !VERB_CHARS.contains(t[start])).then_some(start)
}

/// Every actor named in `text`, left to right, not overlapping, by the shipped lexicon.
pub fn find_actors(text: &str) -> Vec<Actor> {
    find_actors_in(text, Lexicon::shipped())
}

/// The kind of a unit named in the directory: a place, or a body.
fn unit_kind(name: &str) -> ActorKind {
    if name.ends_with(['县', '区', '市', '州', '旗', '镇', '乡']) {
        ActorKind::Territory
    } else {
        ActorKind::Body
    }
}

/// Every actor named in `text`, left to right, not overlapping, by the words of `lex`.
pub fn find_actors_in(text: &str, lex: &Lexicon) -> Vec<Actor> {
    let t: Vec<char> = text.chars().collect();
    let mut out: Vec<Actor> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let whole = [
            (None, lex.units_at(&t, i)),
            (Some(ActorKind::Generic), lex.generic.as_slice()),
            (Some(ActorKind::Territory), lex.tiers.as_slice()),
            (Some(ActorKind::Post), lex.posts.as_slice()),
        ]
        .iter()
        .filter(|_| lex.whole_firsts.has(t[i]))
        .find_map(|(k, words)| {
            let n = longest(&t, i, words)?;
            let kind = k.unwrap_or_else(|| unit_kind(&t[i..i + n].iter().collect::<String>()));
            Some((kind, n))
        });
        if let Some((kind, n)) = whole {
            // 各县区政府, 各乡镇党委: a tier's governments are the tier.
            let n = match kind {
                ActorKind::Territory | ActorKind::Generic => {
                    n + longest(&t, i + n, &lex.tier_bodies).unwrap_or(0)
                }
                ActorKind::Body | ActorKind::Post => n,
            };
            // 市级包抓领导, 各级河长: the tier a post is at is part of its name.
            if kind == ActorKind::Post
                && out.last().is_some_and(|a| {
                    a.kind == ActorKind::Generic
                        && a.found.end == i
                        && matches!(a.found.text.as_str(), "各级" | "各")
                })
            {
                let prev = out.pop().map_or(i, |a| a.found.start);
                out.push(Actor {
                    kind,
                    found: found(&t, prev, i + n),
                });
                i += n;
                continue;
            }
            let floor = out.last().map_or(0, |a| a.found.end);
            let start = match kind {
                ActorKind::Post => {
                    let start = lex
                        .post_tiers
                        .iter()
                        .find(|p| {
                            let len = p.chars().count();
                            i >= floor + len && starts(&t, i - len, p)
                        })
                        .map_or(i, |p| i - p.chars().count());
                    // 安委会各成员单位, 县政府主要负责同志: the body a post belongs to is part of
                    // its name, tier or not.
                    body_before(lex, &t, start, floor).unwrap_or(start)
                }
                _ => i,
            };
            out.push(Actor {
                kind,
                found: found(&t, start, i + n),
            });
            i += n;
            continue;
        }
        // A body: its ending here, its name read leftwards (not into an actor already found)
        // and starting at its tier (落实市委 → 市委); "X部门" names a field's departments.
        if lex.body_end_firsts.has(t[i])
            && let Some(n) = longest(&t, i, &lex.body_ends)
        {
            let end = i + n;
            let floor = out.last().map_or(0, |a| a.found.end);
            // 市自然资源和规划局: a 和 inside the name when the part after it has no tier.
            let read = name_start(&t, end, n, 10).map(|s| s.max(floor));
            let with_and = read.and_then(|s| {
                let mut s = s.checked_sub(1).filter(|s| t[*s] == '和' && *s > floor)?;
                while s > floor && end - s < 14 && !STOPS.contains(t[s - 1]) {
                    s -= 1;
                }
                body(&t, s, end, n).filter(|a| a.found.text.contains('和'))
            });
            if let Some(mut actor) = with_and.or_else(|| read.and_then(|s| body(&t, s, end, n))) {
                // 市政府督查室: the office within the body.
                let end = end + longest(&t, end, &lex.offices).unwrap_or(0);
                actor.found = found(&t, actor.found.start, end);
                // 各级农业农村部门: the tiers of one field are that field's bodies.
                if let Some(prev) = out.last()
                    && prev.kind == ActorKind::Generic
                    && prev.found.end == actor.found.start
                    && matches!(prev.found.text.as_str(), "各级" | "各")
                {
                    actor.found = found(&t, prev.found.start, end);
                    out.pop();
                }
                out.push(actor);
                i = end;
                continue;
            }
        }
        // "XX同志", "×××同志", "王某同志": a person named (or redacted) before 同志.
        if starts(&t, i, "同志")
            && t.get(i + 2) != Some(&'们')
            && let Some(start) = name_start(&t, i + 2, 2, 5)
            && out.last().is_none_or(|a| a.found.end <= start)
            && !NOT_PLACE_STARTS.contains(t[start])
        {
            out.push(Actor {
                kind: ActorKind::Post,
                found: found(&t, start, i + 2),
            });
            i += 2;
            continue;
        }
        // A named territory: 白水县, 青山区, 高新区 (two to six characters before 县/区/市/州).
        if matches!(t[i], '县' | '区' | '州' | '旗' | '市')
            && !matches!(t.get(i + 1), Some('委' | '政' | '长' | '级' | '区' | '市' | '场' | '民'))
            && i > 0
            && let Some(start) = name_start(&t, i + 1, 1, 6)
            // 兴平市: a county-level city has a name of two or more before 市 (not 上市, 城市).
            && (t[i] != '市'
                || (start + 2 <= i
                    && t
                        .get(i + 1)
                        .is_none_or(|c| STOPS.contains(*c) || "负牵配主协".contains(*c))))
            // 园区, 社区: an area word, unless a name stands before it (梁园区, 高新园区).
            && !(AREA_WORDS.contains(t[i - 1]) && start + 1 >= i)
            && !NOT_PLACE_STARTS.contains(t[start])
            // 县区, 市区, 县市区: tier words, not a place.
            && !"县市区".contains(t[i - 1])
            // "负责老旧城区", "牵头开发区": a role word is no part of a place's name.
            && !["负责", "牵头", "配合", "协助", "主抓"]
                .iter()
                .any(|w| t[start..i].iter().collect::<String>().contains(w))
            && out.last().is_none_or(|a| a.found.end <= start)
        {
            out.push(Actor {
                kind: ActorKind::Territory,
                found: found(&t, start, i + 1),
            });
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(ActorKind, String)> {
        find_actors(text)
            .into_iter()
            .map(|a| (a.kind, a.found.text))
            .collect()
    }

    #[test]
    fn full_names_places_before_bodies_and_posts_with_their_tier() {
        use ActorKind::*;
        assert_eq!(
            names("市自然资源和规划局、市人力资源和社会保障局配合"),
            [
                (Body, "市自然资源和规划局".into()),
                (Body, "市人力资源和社会保障局".into())
            ],
            "和 inside a full name"
        );
        assert_eq!(
            names("市财政局和市住建局要配合"),
            [(Body, "市财政局".into()), (Body, "市住建局".into())],
            "和 between two bodies"
        );
        assert_eq!(
            names("云川县政府负责征迁，落实县委部署"),
            [(Body, "云川县政府".into()), (Body, "县委".into())]
        );
        assert_eq!(
            names("市级包抓领导、各级河长和县市区长"),
            [
                (Post, "市级包抓领导".into()),
                (Post, "各级河长".into()),
                (Post, "县市区长".into())
            ]
        );
        assert_eq!(
            names("县经开区要加快建设"),
            [(Territory, "县经开区".into())]
        );
        assert!(names("部分县区进展缓慢").is_empty(), "县区 is no place");
    }

    #[test]
    fn bodies_territories_posts_and_generic_actors() {
        use ActorKind::*;
        assert_eq!(
            names("由市发改委牵头，市财政局配合"),
            [(Body, "市发改委".into()), (Body, "市财政局".into())]
        );
        assert_eq!(names("州金融办要抓紧制定方案"), [(Body, "州金融办".into())]);
        assert_eq!(
            names("市政府召开这次推进会，落实市委部署"),
            [(Body, "市政府".into()), (Body, "市委".into())],
            "a body starts at its tier; a verb before it is not its name"
        );
        assert_eq!(
            names("加强政府债务管理，马上办、网上办"),
            [],
            "no tier: not a body"
        );
        assert_eq!(
            names("有×个县未完成，但×区进展较快"),
            [(Territory, "×区".into())],
            "a count of counties is no actor; a redacted county is"
        );
        assert_eq!(
            names("纪检监察部门要严肃问责"),
            [(Body, "纪检监察部门".into())]
        );
        assert_eq!(
            names("各县（市、区）要在9月底前完成"),
            [(Territory, "各县（市、区）".into())]
        );
        assert_eq!(names("白水县要加快征迁"), [(Territory, "白水县".into())]);
        assert_eq!(names("分管副市长要亲自调度"), [(Post, "分管副市长".into())]);
        assert_eq!(
            names("各级各部门要高度重视"),
            [(Generic, "各级各部门".into())]
        );
        assert!(names("要进一步提高认识").is_empty());
    }

    #[test]
    fn spans_point_into_the_text() {
        let text = "会后，由市住建局牵头，各乡镇配合";
        for a in find_actors(text) {
            let t: String = text
                .chars()
                .skip(a.found.start)
                .take(a.found.end - a.found.start)
                .collect();
            assert_eq!(t, a.found.text);
        }
        assert_eq!(names(text).len(), 2);
    }
}
