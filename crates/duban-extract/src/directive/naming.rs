//! 事项名称 — a directive's task named by what is to be done: its first clauses without the
//! subject, role word, modal and time node.

use crate::clean::clean;
use crate::timing::find_deadline;

use super::subjects::{Mention, actors_of};
use super::words::{
    CLAUSE_ENDS, FILLERS, HANDING, JOINERS, OPENERS, SENTENCE_ENDS, SUBJECT_ENDS, skip,
};

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
    let actors = actors_of(&plain, &t, crate::lexicon::Lexicon::shipped());
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
            i = skip(&t[..end], i, SUBJECT_ENDS);
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
