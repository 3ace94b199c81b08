//! 督办演示 — the tasks the demo office hands down (领导批示、审计整改、来文、其他) and how far
//! each has gone by a day, and the 通讯录 of its units and leaders.

use chrono::{Days, NaiveDate};

use duban_core::leader::Leader;
use duban_core::task::{Deadline, FeedbackCadence, TaskSource};

use crate::{DEPARTMENTS, DemoLedger, Dice, LEADERS, REGIONS};

/// What the demo's tasks are about: (topic, what is asked).
const TOPICS: &[(&str, &str)] = &[
    (
        "重点项目用地报批",
        "梳理全市重点项目用地需求，逐项明确报批时限和责任人",
    ),
    (
        "专项债券项目申报",
        "做好下一批专项债券项目储备，确保手续齐全、按期申报",
    ),
    (
        "企业反映融资难问题",
        "会同金融机构逐户对接，提出解决办法并反馈企业",
    ),
    (
        "中央环保督察反馈问题整改",
        "对照整改清单逐项销号，整改材料报市督查室",
    ),
    (
        "审计发现的工程结算问题整改",
        "核实问题成因，完成整改并建立长效机制",
    ),
    ("城区道路积水点治理", "排查城区易积水点位，汛期前完成改造"),
    (
        "招商引资签约项目落地",
        "推动已签约项目按期开工，逐项明确包抓责任",
    ),
    ("群众反映的供暖问题", "调查核实情况，限期解决并向群众反馈"),
    (
        "安全生产隐患排查",
        "组织开展专项排查，建立隐患台账，整改到位",
    ),
    (
        "重点项目拖欠农民工工资问题",
        "督促建设单位足额支付，确保不发生欠薪",
    ),
];

/// A demo task and the moves it has had by the demo's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTask {
    pub title: String,
    pub content: String,
    pub source: TaskSource,
    /// 来源文件
    pub source_ref: Option<String>,
    pub lead_unit: String,
    pub co_units: Vec<String>,
    pub leader: Option<Leader>,
    pub deadline: Deadline,
    pub sign_within: u32,
    pub cadence: FeedbackCadence,
    pub assigned_on: NaiveDate,
    /// The moves made, in order, each with its day (all on or before the demo's day).
    pub moves: Vec<(DemoTaskMove, NaiveDate)>,
}

/// A move of a demo task (the office's or the lead unit's, as the rules say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoTaskMove {
    Sign,
    Feedback,
    RequestClose,
    Close,
    SendBack,
}

/// About one task per 50 items (at least 12, at most 150), handed down from February to a
/// few days before `as_of`: some not signed for, some fed back, some asking to close, some
/// closed and some sent back — none of them past `as_of`.
pub fn tasks(ledger: &DemoLedger, seed: u64, as_of: NaiveDate) -> Vec<DemoTask> {
    let mut dice = Dice(seed ^ 0x7461_736b_7300_0000);
    let count = (ledger.items.len() / 50).clamp(12, 150);
    let year = chrono::Datelike::year(&as_of);
    let first = NaiveDate::from_ymd_opt(year, 2, 1).unwrap_or(as_of);
    let span = (as_of - first).num_days().max(6) as u64 - 5;
    let units: Vec<&str> = REGIONS
        .iter()
        .copied()
        .chain(DEPARTMENTS.iter().map(|(n, _)| *n))
        .collect();
    let sources = [
        TaskSource::Instruction,
        TaskSource::Instruction,
        TaskSource::Audit,
        TaskSource::Letter,
        TaskSource::Other,
    ];
    let cadences = [
        FeedbackCadence::Once,
        FeedbackCadence::Weekly,
        FeedbackCadence::Fortnightly,
        FeedbackCadence::Monthly,
    ];
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let (topic, ask) = *dice.pick(TOPICS);
        let source = *dice.pick(&sources);
        let lead_unit = dice.pick(&units).to_string();
        let co_units: Vec<String> = (0..dice.below(3))
            .map(|_| dice.pick(&units).to_string())
            .filter(|u| *u != lead_unit)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let (leader_name, leader_title) = *dice.pick(LEADERS);
        let leader = Leader::new(leader_name, Some(leader_title));
        let assigned_on = first + Days::new(dice.below(span));
        let (title, source_ref) = match source {
            TaskSource::Instruction => (
                format!("{leader_name}同志关于{topic}的批示"),
                Some(format!("{leader_title}批示件（{}号）", n + 1)),
            ),
            TaskSource::Audit => (
                topic.to_string(),
                Some(format!("审计报告（{year}年第{}期）", n % 12 + 1)),
            ),
            TaskSource::Letter => (format!("关于{topic}的来函办理"), Some("来函".into())),
            _ => (topic.to_string(), None),
        };
        let deadline = if dice.chance(50) {
            Deadline::WorkingDays {
                days: *dice.pick(&[5, 10, 15, 20]),
            }
        } else {
            Deadline::Date {
                date: assigned_on + Days::new(30 + dice.below(60)),
            }
        };
        // How far it goes: never signed (1 in 8), or signed and then as far as its days allow.
        let mut moves = Vec::new();
        if !dice.chance(12) {
            let mut day = assigned_on + Days::new(dice.below(4));
            let mut plan = vec![(DemoTaskMove::Sign, day)];
            for _ in 0..dice.below(3) {
                day = day + Days::new(5 + dice.below(15));
                plan.push((DemoTaskMove::Feedback, day));
            }
            if dice.chance(65) {
                day = day + Days::new(5 + dice.below(20));
                plan.push((DemoTaskMove::RequestClose, day));
                if dice.chance(80) {
                    day = day + Days::new(1 + dice.below(5));
                    let end = if dice.chance(20) {
                        DemoTaskMove::SendBack
                    } else {
                        DemoTaskMove::Close
                    };
                    plan.push((end, day));
                }
            }
            moves = plan.into_iter().take_while(|(_, d)| *d <= as_of).collect();
        }
        out.push(DemoTask {
            title,
            content: format!("请{lead_unit}牵头{ask}。"),
            source,
            source_ref,
            lead_unit,
            co_units,
            leader: Some(leader),
            deadline,
            sign_within: 1 + dice.below(3) as u32,
            cadence: *dice.pick(&cadences),
            assigned_on,
            moves,
        });
    }
    out
}

/// 联系方式 — how the demo reaches a unit or a leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoContact {
    /// The unit's or the leader's name.
    pub name: String,
    pub leader: bool,
    /// 联络员
    pub liaison: Option<String>,
    pub phone: String,
    pub email: Option<String>,
}

const SURNAMES: &[&str] = &["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"];
const GIVEN: &[&str] = &["敏", "伟", "静", "磊", "洋", "芳", "勇", "娟", "涛", "超"];

/// A 联络员, a mobile and a mailbox (on the reserved example.gov.cn) for every region and
/// department, and a mobile for every leader.
pub fn contacts(seed: u64) -> Vec<DemoContact> {
    let mut dice = Dice(seed ^ 0x636f_6e74_6163_7400);
    let phone = |dice: &mut Dice| format!("1380000{:04}", dice.below(10_000));
    let mut out = Vec::new();
    let units = REGIONS
        .iter()
        .copied()
        .chain(DEPARTMENTS.iter().map(|(n, _)| *n));
    for (i, name) in units.enumerate() {
        out.push(DemoContact {
            name: name.to_string(),
            leader: false,
            liaison: Some(format!("{}{}", dice.pick(SURNAMES), dice.pick(GIVEN))),
            phone: phone(&mut dice),
            email: Some(format!("unit{:02}@example.gov.cn", i + 1)),
        });
    }
    for (name, _) in LEADERS {
        out.push(DemoContact {
            name: name.to_string(),
            leader: true,
            liaison: None,
            phone: phone(&mut dice),
            email: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn tasks_reach_every_state_and_never_pass_the_day() {
        let ledger = crate::generate(crate::Scale::City, 1, 2025);
        let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let list = tasks(&ledger, 1, as_of);
        assert_eq!(list.len(), 40, "2,000 items: one task per 50");
        assert_eq!(
            list,
            tasks(&ledger, 1, as_of),
            "the same seed, the same tasks"
        );
        let last = |t: &DemoTask| t.moves.last().map(|(m, _)| *m);
        for want in [
            None,
            Some(DemoTaskMove::Sign),
            Some(DemoTaskMove::Close),
            Some(DemoTaskMove::RequestClose),
        ] {
            assert!(list.iter().any(|t| last(t) == want), "{want:?}");
        }
        for t in &list {
            assert!(t.assigned_on <= as_of && !t.co_units.contains(&t.lead_unit));
            assert!(
                t.moves
                    .iter()
                    .all(|(_, d)| *d >= t.assigned_on && *d <= as_of)
            );
            assert!(t.moves.windows(2).all(|w| w[0].1 <= w[1].1));
        }
        let early = tasks(&ledger, 1, NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert!(
            early
                .iter()
                .all(|t| t.moves.iter().all(|(_, d)| d.month0() < 2))
        );
    }

    #[test]
    fn every_unit_and_leader_has_a_contact() {
        let list = contacts(1);
        assert_eq!(
            list.len(),
            REGIONS.len() + DEPARTMENTS.len() + LEADERS.len()
        );
        assert!(list.iter().all(|c| c.phone.len() == 11));
        assert!(list.iter().filter(|c| !c.leader).all(|c| {
            c.email
                .as_deref()
                .is_some_and(|e| e.ends_with("@example.gov.cn"))
        }));
    }
}
