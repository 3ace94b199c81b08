//! 主体 — the subjects of a sentence: the actors at the start of a clause (or after 由/请/要求)
//! with the marker that makes them one (要, 负责, 牵头, 配合 …) and the role it gives; and the
//! co-operating units joined to the lead before them.

use std::collections::BTreeMap;

use crate::actors::{ActorKind, find_actors_in};
use crate::chars::{longest, starts};
use crate::lexicon::Lexicon;
use crate::timing::find_deadline;

use super::Role;
use super::words::{
    ACTION_MARKS, CLAUSE_ENDS, CO_WITH, FIELD_LIST_ENDS, FIELD_LIST_FIRSTS, FILLERS, HANDING,
    JOINERS, OPENERS, ROLE_MARKS, SUBJECT_ENDS, skip,
};

/// An actor as found in a sentence: name, kind, offsets in the sentence.
pub(super) type Mention = (String, ActorKind, usize, usize);

/// A subject: its actors with their roles, where it starts and the role it has.
#[derive(Debug)]
pub(super) struct Subject {
    pub(super) actors: Vec<(Mention, Role)>,
    /// Where the directive starts (由 included).
    pub(super) start: usize,
    pub(super) role: Role,
    /// Whether its marker is a role (牵头, 负责, 配合) or 由/请 handed it the task.
    pub(super) explicit: bool,
}

/// The actors of `t`, with the fields of "国土、财政等部门" added as bodies.
pub(super) fn actors_of(s: &str, t: &[char], lex: &Lexicon) -> Vec<Mention> {
    let mut out: Vec<Mention> = find_actors_in(s, lex)
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
    let found = out.len();
    // Actors a list's ending held, dropped once at the end (not one list at a time).
    let mut dropped: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for i in 0..t.len() {
        let Some(n) = Some(i)
            .filter(|i| FIELD_LIST_FIRSTS.has(t[*i]))
            .and_then(|i| longest(t, i, FIELD_LIST_ENDS))
        else {
            continue;
        };
        // "城管、市场监管等执法部门": the list's ending names no body of its own.
        let inside: Vec<usize> = taken.range(i..i + n).map(|(s, _)| *s).collect();
        if inside.iter().all(|s| taken[s] <= i + n) {
            for s in inside {
                taken.remove(&s);
                dropped.insert(s);
            }
        }
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
    if !dropped.is_empty() {
        // Only the actors found first (the fields come after them) can have been dropped.
        let mut k = 0;
        out.retain(|a| {
            k += 1;
            k > found || !dropped.contains(&a.2)
        });
    }
    out.sort_by_key(|a| a.2);
    out
}

/// Characters a field's short name is written with (国土, 住建, 自然资源).
fn is_name_char(c: char) -> bool {
    crate::clean::is_cjk(c) && !"由和及与要的等在对请将把各有关相希望".contains(c)
}

/// How much of what stands before a subject in its clause is read (see `subjects`).
const BEFORE_READ: usize = 11;

/// Where the clause holding each position of `t` starts (and one past its end: the last
/// clause's start), read once for the sentence rather than back from each subject.
pub(super) fn clause_starts(t: &[char]) -> Vec<usize> {
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
    // "交通局，要…": the comma between a subject and its 要.
    let i = if matches!(t.get(i), Some('，' | ','))
        && (longest(t, i + 1, FILLERS).is_some()
            || longest(t, i + 1, &["要", "必须", "务必"]).is_some())
    {
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
pub(super) fn subjects(
    t: &[char],
    clause_starts: &[usize],
    year: i32,
    lex: &Lexicon,
) -> Vec<Subject> {
    let s: String = t.iter().collect();
    let actors = actors_of(&s, t, lex);
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
            // "民权县、柘城县和示范区等县（区）长": the noun after 等 sums the list up.
            let sums_up = gap.starts_with('等')
                && group.len() > 1
                && matches!(next.1, ActorKind::Post | ActorKind::Territory);
            if !sums_up {
                group.push(next.clone());
            }
            end = next.3;
            k += 1;
        }
        k += 1;
        let after = skip(t, end, SUBJECT_ENDS);
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
        // "市住建局要督促各县区…": the task is the one who urges; those urged are its object.
        if before.ends_with("督促")
            && out
                .last()
                .is_some_and(|p| clause_starts[p.start.min(clause_starts.len() - 1)] == from)
        {
            continue;
        }
        // The clause opens with the subject, or with what the subject is of ("各项工作的牵头部门").
        let openers_end = match opened_to {
            Some((clause, end)) if clause == from => end,
            _ => {
                let end = skip(t, from, OPENERS);
                opened_to = Some((from, end));
                end
            }
        };
        // "…为零的民权县": a subject qualified by what it is (at most 30 characters).
        let qualified = first > 0 && t[first - 1] == '的' && before_len <= 30 && {
            let whole: String = t[from..first].iter().collect();
            !ACTION_MARKS.iter().any(|m| whole.contains(m))
        };
        let opened = openers_end >= first || qualified;
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

/// Co-operating units join the directive of the subject before them, which leads it
/// ("各县区要做好征迁，各乡镇配合": 各县区 lead, 各乡镇 co).
pub(super) fn join_co_units(subjects: Vec<Subject>) -> Vec<Subject> {
    let mut merged: Vec<Subject> = Vec::new();
    for sub in subjects {
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
    merged
}
