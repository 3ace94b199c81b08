//! 观摩评比 — the result of an inspection tour: each judge scores each project visited on a
//! score sheet (评分表); each project's highest and lowest totals are dropped (as many as the
//! tour says, when enough judges scored it), the rest averaged; the projects are ranked, and
//! their units by the average of their projects. Pure: the sheets in, the result out.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

/// 四舍五入 — how averages are rounded to two decimals.
const HALF_UP: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;
use serde::{Deserialize, Serialize};

use crate::assessment::competition_ranks;

/// 评分项 — a criterion of the score sheet and its full marks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetCriterion {
    pub name: String,
    /// 满分
    pub max: Decimal,
}

/// 去分规则 — how many of the highest and of the lowest totals each project drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trim {
    pub highest: usize,
    pub lowest: usize,
}

impl Default for Trim {
    /// 去掉一个最高分、一个最低分
    fn default() -> Self {
        Trim {
            highest: 1,
            lowest: 1,
        }
    }
}

/// 评分表 — one judge's scores of one project, by criterion (or only its 总分).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSheet {
    pub judge: String,
    /// 项目编号
    pub project: String,
    /// Scores by criterion name; empty when only the total was given.
    #[serde(default)]
    pub scores: BTreeMap<String, Decimal>,
    /// 总分 when the sheet gives only that.
    #[serde(default)]
    pub total: Option<Decimal>,
}

impl ScoreSheet {
    /// Its total: the given 总分, or the sum of its scores.
    pub fn total(&self) -> Decimal {
        self.total
            .unwrap_or_else(|| self.scores.values().copied().sum())
    }

    /// Why it cannot be counted against `criteria`, in words.
    pub fn check(&self, criteria: &[SheetCriterion]) -> Result<(), String> {
        let who = format!("评委“{}”对项目 {} 的评分", self.judge, self.project);
        for (name, v) in &self.scores {
            let Some(c) = criteria.iter().find(|c| &c.name == name) else {
                let names: Vec<&str> = criteria.iter().map(|c| c.name.as_str()).collect();
                return Err(format!(
                    "{who}：没有评分项“{name}”（评分项：{}）",
                    names.join("、")
                ));
            };
            if *v < Decimal::ZERO || *v > c.max {
                return Err(format!(
                    "{who}：“{name}”{} 分不在 0–{} 分之间",
                    v.normalize(),
                    c.max.normalize()
                ));
            }
        }
        let full: Decimal = criteria.iter().map(|c| c.max).sum();
        match self.total {
            Some(t) if t < Decimal::ZERO || (full > Decimal::ZERO && t > full) => Err(format!(
                "{who}：总分 {} 不在 0–{} 分之间",
                t.normalize(),
                full.normalize()
            )),
            None if self.scores.is_empty() => Err(format!("{who}：没有分数")),
            _ => Ok(()),
        }
    }
}

/// One judge's total of a project, and whether it was dropped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgedTotal {
    pub judge: String,
    pub total: Decimal,
    /// 去掉的最高分 / 最低分
    pub dropped: Option<&'static str>,
}

/// 项目得分
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectResult {
    pub project: String,
    pub unit: String,
    /// Every judge's total, highest first.
    pub totals: Vec<JudgedTotal>,
    /// 平均分 of the totals kept, to two decimals, 四舍五入 (none: nobody scored it).
    pub average: Option<Decimal>,
    pub rank: Option<u32>,
}

/// 单位得分 — the average of its projects' averages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    pub unit: String,
    pub projects: usize,
    pub average: Decimal,
    pub rank: u32,
}

/// 评比结果
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TourResult {
    pub projects: Vec<ProjectResult>,
    pub units: Vec<UnitResult>,
}

/// The tour's result: `projects` (code, unit) visited, the judges' `sheets`, the `trim`.
/// A project keeps every total when it has no more than `trim.highest + trim.lowest` of them.
pub fn result(projects: &[(String, String)], sheets: &[ScoreSheet], trim: Trim) -> TourResult {
    let mut out: Vec<ProjectResult> = projects
        .iter()
        .map(|(code, unit)| {
            let mut totals: Vec<JudgedTotal> = sheets
                .iter()
                .filter(|s| &s.project == code)
                .map(|s| JudgedTotal {
                    judge: s.judge.clone(),
                    total: s.total(),
                    dropped: None,
                })
                .collect();
            totals.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.judge.cmp(&b.judge)));
            if totals.len() > trim.highest + trim.lowest {
                let n = totals.len();
                for t in &mut totals[..trim.highest] {
                    t.dropped = Some("去掉最高分");
                }
                for t in &mut totals[n - trim.lowest..] {
                    t.dropped = Some("去掉最低分");
                }
            }
            let kept: Vec<Decimal> = totals
                .iter()
                .filter(|t| t.dropped.is_none())
                .map(|t| t.total)
                .collect();
            let average = (!kept.is_empty()).then(|| {
                (kept.iter().copied().sum::<Decimal>() / Decimal::from(kept.len()))
                    .round_dp_with_strategy(2, HALF_UP)
            });
            ProjectResult {
                project: code.clone(),
                unit: unit.clone(),
                totals,
                average,
                rank: None,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.average
            .cmp(&a.average)
            .then_with(|| a.project.cmp(&b.project))
    });
    let scored: Vec<Decimal> = out.iter().filter_map(|p| p.average).collect();
    for (p, r) in out.iter_mut().zip(competition_ranks(&scored)) {
        p.rank = Some(r);
    }
    let mut by_unit: BTreeMap<&str, Vec<Decimal>> = BTreeMap::new();
    for p in &out {
        if let Some(a) = p.average {
            by_unit.entry(p.unit.as_str()).or_default().push(a);
        }
    }
    let mut units: Vec<UnitResult> = by_unit
        .into_iter()
        .map(|(unit, avgs)| UnitResult {
            unit: unit.to_string(),
            projects: avgs.len(),
            average: (avgs.iter().copied().sum::<Decimal>() / Decimal::from(avgs.len()))
                .round_dp_with_strategy(2, HALF_UP),
            rank: 0,
        })
        .collect();
    units.sort_by(|a, b| b.average.cmp(&a.average).then_with(|| a.unit.cmp(&b.unit)));
    let avgs: Vec<Decimal> = units.iter().map(|u| u.average).collect();
    for (u, r) in units.iter_mut().zip(competition_ranks(&avgs)) {
        u.rank = r;
    }
    TourResult {
        projects: out,
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn sheets(project: &str, totals: &[&str]) -> Vec<ScoreSheet> {
        totals
            .iter()
            .enumerate()
            .map(|(i, t)| ScoreSheet {
                judge: format!("评委{}", i + 1),
                project: project.into(),
                scores: BTreeMap::new(),
                total: Some(d(t)),
            })
            .collect()
    }

    /// Five judges. Averaged whole, XM1 (415/5 = 83) leads XM2 (390/5 = 78); dropping each
    /// one's highest and lowest, XM2 (82+81+83 = 246/3 = 82) leads XM1 (72+74+99 = 245/3 =
    /// 81.67). XM3 of 甲县 was scored by two judges only: both kept, (90+80)/2 = 85.
    /// 甲县 = (81.67+85)/2 = 83.335 → 83.34 (四舍五入).
    #[test]
    fn dropping_the_highest_and_lowest_changes_the_order() {
        let projects = [
            ("XM1".to_string(), "甲县".to_string()),
            ("XM2".to_string(), "乙县".to_string()),
            ("XM3".to_string(), "甲县".to_string()),
            ("XM4".to_string(), "乙县".to_string()),
        ];
        let mut all = sheets("XM1", &["100", "70", "72", "74", "99"]);
        all.extend(sheets("XM2", &["82", "81", "83", "60", "84"]));
        all.extend(sheets("XM3", &["90", "80"]));
        let none = result(
            &projects,
            &all,
            Trim {
                highest: 0,
                lowest: 0,
            },
        );
        assert_eq!(
            none.projects
                .iter()
                .map(|p| (p.project.as_str(), p.average))
                .collect::<Vec<_>>(),
            [
                ("XM3", Some(d("85"))),
                ("XM1", Some(d("83"))),
                ("XM2", Some(d("78"))),
                ("XM4", None)
            ]
        );
        let r = result(&projects, &all, Trim::default());
        let table: Vec<(&str, Option<Decimal>, Option<u32>)> = r
            .projects
            .iter()
            .map(|p| (p.project.as_str(), p.average, p.rank))
            .collect();
        assert_eq!(
            table,
            [
                ("XM3", Some(d("85")), Some(1)),
                ("XM2", Some(d("82")), Some(2)),
                ("XM1", Some(d("81.67")), Some(3)),
                ("XM4", None, None),
            ]
        );
        let xm1 = r.projects.iter().find(|p| p.project == "XM1").unwrap();
        let dropped: Vec<(Decimal, Option<&str>)> =
            xm1.totals.iter().map(|t| (t.total, t.dropped)).collect();
        assert_eq!(
            dropped,
            [
                (d("100"), Some("去掉最高分")),
                (d("99"), None),
                (d("74"), None),
                (d("72"), None),
                (d("70"), Some("去掉最低分")),
            ]
        );
        assert!(
            r.projects[0].totals.iter().all(|t| t.dropped.is_none()),
            "two judges: all kept"
        );
        let units: Vec<(&str, Decimal, u32, usize)> = r
            .units
            .iter()
            .map(|u| (u.unit.as_str(), u.average, u.rank, u.projects))
            .collect();
        // 甲县 (81.67 + 85) / 2 = 83.335 → 83.34; 乙县 82.
        assert_eq!(units, [("甲县", d("83.34"), 1, 2), ("乙县", d("82"), 2, 1)]);
    }

    #[test]
    fn equal_highest_totals_drop_only_one() {
        let projects = [("XM1".to_string(), "甲县".to_string())];
        let r = result(
            &projects,
            &sheets("XM1", &["90", "90", "80", "70"]),
            Trim::default(),
        );
        // 90 and 70 dropped: (90 + 80) / 2 = 85.
        assert_eq!(r.projects[0].average, Some(d("85")));
        assert_eq!(
            r.projects[0]
                .totals
                .iter()
                .filter(|t| t.dropped.is_some())
                .count(),
            2
        );
    }

    #[test]
    fn sheets_are_checked_against_the_criteria() {
        let criteria = [
            SheetCriterion {
                name: "形象进度".into(),
                max: d("40"),
            },
            SheetCriterion {
                name: "投资完成".into(),
                max: d("60"),
            },
        ];
        let mut s = ScoreSheet {
            judge: "评委1".into(),
            project: "XM1".into(),
            scores: [
                ("形象进度".to_string(), d("38")),
                ("投资完成".to_string(), d("55.5")),
            ]
            .into_iter()
            .collect(),
            total: None,
        };
        assert_eq!(s.check(&criteria), Ok(()));
        assert_eq!(s.total(), d("93.5"));
        s.scores.insert("形象进度".into(), d("41"));
        assert!(
            s.check(&criteria)
                .unwrap_err()
                .contains("“形象进度”41 分不在 0–40 分之间")
        );
        s.scores.clear();
        s.total = Some(d("101"));
        assert!(
            s.check(&criteria)
                .unwrap_err()
                .contains("总分 101 不在 0–100 分之间")
        );
        s.total = None;
        assert!(s.check(&criteria).unwrap_err().contains("没有分数"));
    }
}
