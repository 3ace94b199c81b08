//! 问责台账 — the consequences of the figures: 约谈 (a unit's head called in), 问责 (a decision
//! holding someone accountable), and entries in the leaders' 绩效库 (performance record) and on
//! the 负面清单 (negative list). duban proposes 绩效库 and 负面清单 entries from a published
//! assessment or tour — the first and the last places — and the office confirms or sets each
//! aside; 约谈 and 问责 are recorded by the office, each with the ranking or events behind it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::assessment::UnitScore;
use crate::tour::TourResult;

crate::labelled_enum! {
    /// 台账类别
    pub enum RecordKind ("台账类别") {
        /// 约谈 — called in by a leader.
        Talk = "talk", "约谈", ["约谈记录"],
        /// 问责 — a decision holding someone accountable.
        Sanction = "sanction", "问责", ["问责决定"],
        /// 绩效库 — a good result in the leaders' performance record.
        Merit = "merit", "绩效库", ["绩效", "绩效库入库"],
        /// 负面清单 — a bad result on the negative list.
        Negative = "negative", "负面清单", ["负面"],
    }
}

crate::labelled_enum! {
    /// 台账状态 — proposed by duban, then confirmed or set aside by the office.
    pub enum RecordState ("台账状态") {
        Proposed = "proposed", "待确认", ["建议"],
        Confirmed = "confirmed", "已确认", ["确认"],
        Dismissed = "dismissed", "不予采纳", ["不采纳"],
    }
}

/// An entry duban proposes: for whom, why, and the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub kind: RecordKind,
    pub unit: String,
    /// 包抓领导, when the entry is about a project he leads.
    pub leader: Option<String>,
    pub reason: String,
    /// 依据 — the place and figures, in words.
    pub evidence: String,
}

/// How many of the first and of the last places are proposed: three, or a third of the field
/// when it is smaller than nine (at least one once there are two).
pub fn places_proposed(field: usize) -> usize {
    (field / 3).clamp(usize::from(field >= 2), 3)
}

/// Which of `ranks` (competition ranks, best first, one per entrant) are proposed for 绩效库 and
/// which for 负面清单: the first `k` places and every entrant tied with them, the last `k`
/// places and every entrant tied with them; an entrant is never on both.
fn split(ranks: &[u32]) -> (Vec<usize>, Vec<usize>) {
    let k = places_proposed(ranks.len());
    if k == 0 {
        return (Vec::new(), Vec::new());
    }
    let top_rank = ranks[k - 1];
    let top: Vec<usize> = (0..ranks.len()).filter(|&i| ranks[i] <= top_rank).collect();
    let bottom_rank = ranks[ranks.len() - k];
    let bottom: Vec<usize> = (0..ranks.len())
        .filter(|&i| ranks[i] >= bottom_rank && ranks[i] > top_rank)
        .collect();
    (top, bottom)
}

fn points(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The proposals of a published assessment titled `title`.
pub fn from_assessment(title: &str, scores: &[UnitScore]) -> Vec<Proposal> {
    let ranks: Vec<u32> = scores.iter().map(|s| s.rank).collect();
    let (top, bottom) = split(&ranks);
    let n = scores.len();
    let entry = |kind: RecordKind, i: usize| {
        let s = &scores[i];
        Proposal {
            kind,
            unit: s.unit.clone(),
            leader: None,
            reason: format!(
                "{title}第 {} 名（共 {n} 个），{}",
                s.rank,
                if kind == RecordKind::Merit {
                    "列入绩效库"
                } else {
                    "列入负面清单"
                }
            ),
            evidence: format!("{title}：总分 {}，第 {}/{n} 名", points(s.total), s.rank),
        }
    };
    top.into_iter()
        .map(|i| entry(RecordKind::Merit, i))
        .chain(bottom.into_iter().map(|i| entry(RecordKind::Negative, i)))
        .collect()
}

/// The proposals of a published tour named `tour`: its best and worst projects' units and
/// leaders (`leaders`: 包抓领导 by project code), projects nobody scored left out.
pub fn from_tour(
    tour: &str,
    result: &TourResult,
    names: &BTreeMap<String, String>,
    leaders: &BTreeMap<String, String>,
) -> Vec<Proposal> {
    let scored: Vec<_> = result
        .projects
        .iter()
        .filter_map(|p| Some((p, p.rank?, p.average?)))
        .collect();
    let ranks: Vec<u32> = scored.iter().map(|(_, r, _)| *r).collect();
    let (top, bottom) = split(&ranks);
    let n = scored.len();
    let entry = |kind: RecordKind, i: usize| {
        let (p, rank, average) = scored[i];
        let name = names.get(&p.project).cloned().unwrap_or_default();
        Proposal {
            kind,
            unit: p.unit.clone(),
            leader: leaders.get(&p.project).cloned(),
            reason: format!(
                "{tour}中项目“{name}”第 {rank} 名（共 {n} 个），{}",
                if kind == RecordKind::Merit {
                    "列入绩效库"
                } else {
                    "列入负面清单"
                }
            ),
            evidence: format!(
                "{tour}：{} {name}，平均 {} 分，第 {rank}/{n} 名",
                p.project,
                points(average)
            ),
        }
    };
    top.into_iter()
        .map(|i| entry(RecordKind::Merit, i))
        .chain(bottom.into_iter().map(|i| entry(RecordKind::Negative, i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_and_last_three_places_or_a_third_of_a_small_field() {
        assert_eq!(places_proposed(0), 0);
        assert_eq!(places_proposed(1), 0);
        assert_eq!(places_proposed(2), 1);
        assert_eq!(places_proposed(5), 1);
        assert_eq!(places_proposed(6), 2);
        assert_eq!(places_proposed(9), 3);
        assert_eq!(places_proposed(40), 3);
    }

    #[test]
    fn ties_at_the_edge_come_in_together_and_nobody_is_on_both_lists() {
        // 10 entrants: ranks 1 2 3 3 5 6 7 8 8 8 → k = 3.
        let ranks = [1, 2, 3, 3, 5, 6, 7, 8, 8, 8];
        let (top, bottom) = split(&ranks);
        assert_eq!(top, vec![0, 1, 2, 3]);
        assert_eq!(bottom, vec![7, 8, 9]);
        // Everyone equal: all first, nobody last.
        let (top, bottom) = split(&[1, 1, 1]);
        assert_eq!(top, vec![0, 1, 2]);
        assert!(bottom.is_empty());
    }

    fn score(unit: &str, total: i64, rank: u32) -> UnitScore {
        UnitScore {
            unit: unit.into(),
            total: Decimal::from(total),
            rank,
            criteria: Vec::new(),
            adjustments: Vec::new(),
        }
    }

    #[test]
    fn an_assessment_proposes_its_first_for_merit_and_its_last_for_the_negative_list() {
        let scores = [
            score("甲县", 95, 1),
            score("乙县", 90, 2),
            score("丙县", 80, 3),
            score("丁县", 70, 4),
            score("戊县", 60, 5),
            score("己县", 50, 6),
        ];
        let p = from_assessment("2026年上半年考核", &scores);
        let got: Vec<(RecordKind, &str)> = p.iter().map(|p| (p.kind, p.unit.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (RecordKind::Merit, "甲县"),
                (RecordKind::Merit, "乙县"),
                (RecordKind::Negative, "戊县"),
                (RecordKind::Negative, "己县"),
            ]
        );
        assert_eq!(p[3].evidence, "2026年上半年考核：总分 50，第 6/6 名");
    }
}
