//! 节点 — milestones, the standard chains of domain.md §3 and reverse scheduling (倒排工期).

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// 节点 — a dated milestone of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// 节点名称
    pub name: String,
    /// 计划完成时间
    #[serde(default)]
    pub planned: Option<NaiveDate>,
    /// 实际完成时间
    #[serde(default)]
    pub actual: Option<NaiveDate>,
    /// 原计划 — the date the office approved (the baseline); `None` while the plan is a unit's
    /// draft. When it differs from `planned`, the milestone was extended (延期).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<NaiveDate>,
}

impl Milestone {
    /// 已延期 — moved from its approved date by an approved extension.
    pub fn extended(&self) -> bool {
        self.baseline.is_some() && self.baseline != self.planned
    }
}

crate::labelled_enum! {
    /// 节点模板 — a standard chain of milestones.
    pub enum MilestoneTemplate ("节点模板") {
        /// 建设节点: 开工 → 正负零 → 主体框架 → 封顶 → 设备安装 → 竣工 → 投产
        Construction = "construction", "建设", ["施工", "建设节点", "工程"],
        /// 前期节点: 立项 → 可研 → 用地 → 环评 → 施工许可
        Preparation = "preparation", "前期", ["前期手续", "前期节点", "手续"],
    }
}

impl MilestoneTemplate {
    /// The chain: each step with the usual days from the previous step to it.
    pub fn steps(self) -> &'static [(&'static str, u64)] {
        match self {
            MilestoneTemplate::Construction => &[
                ("开工", 0),
                ("正负零", 60),
                ("主体框架", 90),
                ("封顶", 60),
                ("设备安装", 60),
                ("竣工", 90),
                ("投产", 30),
            ],
            MilestoneTemplate::Preparation => &[
                ("立项", 0),
                ("可研", 30),
                ("用地", 45),
                ("环评", 30),
                ("施工许可", 30),
            ],
        }
    }

    /// The standard span of the whole chain in days.
    pub fn span_days(self) -> u64 {
        self.steps().iter().map(|(_, d)| d).sum()
    }

    /// 倒排工期 — plans the chain backwards so that its last step falls on `target`, with
    /// the standard gaps between steps.
    pub fn schedule_back(self, target: NaiveDate) -> Vec<Milestone> {
        let mut date = target;
        let mut out: Vec<Milestone> = Vec::with_capacity(self.steps().len());
        // Walk from the last step back to the first.
        let mut gap_to_next = 0;
        for (name, gap) in self.steps().iter().rev() {
            date = date - Days::new(gap_to_next);
            out.push(Milestone {
                baseline: None,
                name: (*name).to_string(),
                planned: Some(date),
                actual: None,
            });
            gap_to_next = *gap;
        }
        out.reverse();
        out
    }

    /// Plans the chain between a first and a last date, stretching or shrinking the standard
    /// gaps in proportion (whole days, rounded down; the last step lands on `target`).
    pub fn schedule_between(self, start: NaiveDate, target: NaiveDate) -> Vec<Milestone> {
        let window = (target - start).num_days().max(0) as u64;
        let span = self.span_days().max(1);
        let mut elapsed = 0u64;
        let steps = self.steps();
        steps
            .iter()
            .enumerate()
            .map(|(i, (name, gap))| {
                elapsed += gap;
                let planned = if i + 1 == steps.len() {
                    target
                } else {
                    start + Days::new(elapsed * window / span)
                };
                Milestone {
                    baseline: None,
                    name: (*name).to_string(),
                    planned: Some(planned),
                    actual: None,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn reverse_scheduling_ends_on_the_target() {
        let plan = MilestoneTemplate::Construction.schedule_back(d("2025-12-31"));
        let names: Vec<_> = plan.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "开工",
                "正负零",
                "主体框架",
                "封顶",
                "设备安装",
                "竣工",
                "投产"
            ]
        );
        assert_eq!(plan[6].planned, Some(d("2025-12-31")));
        assert_eq!(plan[5].planned, Some(d("2025-12-01")));
        // 390 days of standard span before the target.
        assert_eq!(plan[0].planned, Some(d("2024-12-06")));
        assert!(plan.windows(2).all(|w| w[0].planned <= w[1].planned));
    }

    #[test]
    fn preparation_chain() {
        let plan = MilestoneTemplate::Preparation.schedule_back(d("2025-06-30"));
        assert_eq!(plan.first().unwrap().name, "立项");
        assert_eq!(plan.first().unwrap().planned, Some(d("2025-02-15")));
        assert_eq!(plan.last().unwrap().name, "施工许可");
    }

    #[test]
    fn scheduling_between_two_dates_fits_the_window() {
        let plan =
            MilestoneTemplate::Construction.schedule_between(d("2025-03-01"), d("2025-12-31"));
        assert_eq!(plan[0].planned, Some(d("2025-03-01")));
        assert_eq!(plan[6].planned, Some(d("2025-12-31")));
        assert!(plan.windows(2).all(|w| w[0].planned <= w[1].planned));
    }
}
