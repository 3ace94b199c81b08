//! 催办规则 — reminders before, on and after a due date: a 提示 before it, a 督办 notice on it,
//! a 催办 notice after it that escalates to the leader in charge and puts the matter on the
//! bulletin's list of overdue matters. The office configures the rules; each matter gets the
//! latest stage it has reached, once (the store keeps who was told what).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{DayCount, WorkCalendar};

crate::labelled_enum! {
    /// 提醒级别 — and the colour of its notice.
    pub enum ReminderLevel ("提醒级别") {
        /// 提示 (blue) — before the due date.
        Notice = "notice", "提示", ["提示单", "蓝色"],
        /// 督办 (yellow) — on the due date.
        Urge = "urge", "督办", ["督办单", "黄色"],
        /// 催办 (red) — after it.
        Press = "press", "催办", ["催办单", "红色"],
    }
}

impl ReminderLevel {
    /// 提示单 / 督办单 / 催办单
    pub fn notice_name(self) -> &'static str {
        match self {
            ReminderLevel::Notice => "提示单",
            ReminderLevel::Urge => "督办单",
            ReminderLevel::Press => "催办单",
        }
    }

    /// The colour of its notice: blue, yellow, red (RGB hex).
    pub fn colour(self) -> &'static str {
        match self {
            ReminderLevel::Notice => "1F4E9D",
            ReminderLevel::Urge => "C68A00",
            ReminderLevel::Press => "C00000",
        }
    }

    /// The level a matter `days_late` days past its due date deserves (negative: before it).
    pub fn for_lateness(days_late: i64) -> ReminderLevel {
        match days_late {
            ..0 => ReminderLevel::Notice,
            0 => ReminderLevel::Urge,
            _ => ReminderLevel::Press,
        }
    }
}

crate::labelled_enum! {
    /// 事项类别 — what a reminder is about.
    pub enum MatterKind ("事项类别") {
        /// 进度报送 — a report due for a period.
        Report = "report", "进度报送", ["报送", "填报"],
        /// 交办事项签收
        TaskSign = "task_sign", "交办签收", ["签收"],
        /// 交办事项反馈
        TaskFeedback = "task_feedback", "交办反馈", ["反馈"],
        /// 交办事项办结
        Task = "task", "交办办结", ["交办事项", "办结"],
        /// 问题整改
        Problem = "problem", "问题整改", ["问题", "整改"],
        /// 项目节点
        Milestone = "milestone", "项目节点", ["节点"],
        /// 待审核 — closure, extension and plan requests waiting for the office.
        Verification = "verification", "待审核事项", ["审核", "待审核"],
    }
}

/// 收件方 — who a reminder is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Recipient {
    /// 督查室
    Office,
    /// 责任单位, by name.
    Unit(String),
    /// 包抓领导, by name.
    Leader(String),
}

impl Recipient {
    pub fn name(&self) -> &str {
        match self {
            Recipient::Office => "督查室",
            Recipient::Unit(n) | Recipient::Leader(n) => n,
        }
    }
}

/// A matter with a due date that nobody has dealt with yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueMatter {
    pub kind: MatterKind,
    /// Stable within its kind: "XM202500001/2025-06", a task's or a problem's id, …
    pub key: String,
    /// What it is, in words ("XM202500001 某某项目 2025年6月进度").
    pub title: String,
    /// Who must act: a unit, or the office for a verification.
    pub owner: Recipient,
    /// 包抓领导 — told when the reminder escalates.
    pub leader: Option<String>,
    /// 截止日期 — the last day.
    pub due: NaiveDate,
}

/// 催办规则 — one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRule {
    /// 规则名称, unique: part of what makes a reminder "already sent".
    pub name: String,
    /// 适用事项 — empty: every kind.
    #[serde(default)]
    pub kinds: Vec<MatterKind>,
    /// Days from the due date: negative before it, 0 on it, positive after it.
    pub offset: i32,
    /// 计日方式 — calendar or working days.
    #[serde(default)]
    pub count: DayCount,
    pub level: ReminderLevel,
    /// 升级 — tell the leader in charge too, and list the matter in the bulletin.
    #[serde(default)]
    pub escalate: bool,
}

impl ReminderRule {
    fn applies_to(&self, kind: MatterKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }

    /// The day this stage is reached for a matter due on `due`.
    pub fn fires_on(&self, calendar: &WorkCalendar, due: NaiveDate) -> NaiveDate {
        self.count.add(calendar, due, i64::from(self.offset))
    }

    /// "截止前 3 个工作日", "截止当日", "逾期 5 个工作日".
    pub fn describe(&self) -> String {
        let unit = match self.count {
            DayCount::Calendar => "天",
            DayCount::Working => "个工作日",
        };
        match self.offset {
            0 => "截止当日".to_string(),
            n if n < 0 => format!("截止前 {} {unit}", -n),
            n => format!("逾期 {n} {unit}"),
        }
    }
}

/// 催办规则 — the office's stages, with how long it has to verify a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRules {
    /// 审核时限 — working days the office has to verify a closure or extension request.
    #[serde(default = "default_verify_within")]
    pub verify_within: u32,
    #[serde(default, rename = "rule")]
    pub rules: Vec<ReminderRule>,
}

fn default_verify_within() -> u32 {
    3
}

/// Most rules.
const MAX_RULES: usize = 20;

impl Default for ReminderRules {
    /// 提示 three working days before, 督办 on the day, 催办 the next working day, and after
    /// five working days 催办 again to the leader in charge.
    fn default() -> Self {
        let rule = |name: &str, offset, level, escalate| ReminderRule {
            name: name.into(),
            kinds: Vec::new(),
            offset,
            count: DayCount::Working,
            level,
            escalate,
        };
        ReminderRules {
            verify_within: default_verify_within(),
            rules: vec![
                rule("到期提示", -3, ReminderLevel::Notice, false),
                rule("到期督办", 0, ReminderLevel::Urge, false),
                rule("逾期催办", 1, ReminderLevel::Press, false),
                rule("逾期升级催办", 5, ReminderLevel::Press, true),
            ],
        }
    }
}

/// Why a set of rules is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("催办规则不是有效的 TOML：{0}")]
    Syntax(String),
    #[error("催办规则“{0}”：{1}")]
    Rule(String, String),
    #[error("催办规则最多 {MAX_RULES} 条，至少 1 条")]
    Count,
    #[error("审核时限应在 1—60 个工作日之间")]
    VerifyWithin,
}

impl ReminderRules {
    pub fn from_toml(text: &str) -> Result<ReminderRules, RulesError> {
        let rules: ReminderRules =
            toml::from_str(text).map_err(|e| RulesError::Syntax(e.message().to_string()))?;
        rules.validate()?;
        Ok(rules)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    pub fn validate(&self) -> Result<(), RulesError> {
        if self.rules.is_empty() || self.rules.len() > MAX_RULES {
            return Err(RulesError::Count);
        }
        if !(1..=60).contains(&self.verify_within) {
            return Err(RulesError::VerifyWithin);
        }
        for (i, r) in self.rules.iter().enumerate() {
            let bad = |why: &str| Err(RulesError::Rule(r.name.clone(), why.to_string()));
            if r.name.trim().is_empty() || r.name.chars().count() > 30 {
                return Err(RulesError::Rule(
                    format!("第 {} 条", i + 1),
                    "名称不能为空，最多 30 字".into(),
                ));
            }
            if self.rules[..i].iter().any(|o| o.name == r.name) {
                return bad("名称重复");
            }
            if !(-60..=120).contains(&r.offset) {
                return bad("天数应在截止前 60 天到逾期 120 天之间");
            }
            let expected = ReminderLevel::for_lateness(i64::from(r.offset));
            if r.level != expected {
                return bad(match expected {
                    ReminderLevel::Notice => "截止前的提醒级别应为“提示”",
                    ReminderLevel::Urge => "截止当日的提醒级别应为“督办”",
                    ReminderLevel::Press => "逾期后的提醒级别应为“催办”",
                });
            }
            if r.escalate && r.offset <= 0 {
                return bad("升级到包抓领导只能在逾期之后");
            }
        }
        Ok(())
    }
}

/// A reminder to send: the latest stage a matter has reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder<'a> {
    pub matter: &'a DueMatter,
    pub rule: &'a ReminderRule,
    /// The day the stage was reached.
    pub fires_on: NaiveDate,
    /// Calendar days past the due date on `as_of` (negative: before it).
    pub days_late: i64,
}

impl Reminder<'_> {
    /// What makes this reminder itself: never sent twice.
    pub fn event_key(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.matter.kind.code(),
            self.matter.key,
            self.matter.due,
            self.rule.name
        )
    }

    /// Who it goes to: the owner, and the leader in charge when it escalates.
    pub fn recipients(&self) -> Vec<Recipient> {
        let mut to = vec![self.matter.owner.clone()];
        if self.rule.escalate
            && let Some(l) = &self.matter.leader
        {
            to.push(Recipient::Leader(l.clone()));
        }
        to
    }
}

/// For each matter, the latest stage of `rules` reached by `as_of` (none if no stage has been
/// reached yet). A stage reached on a day the job did not run is sent on the next run; an
/// earlier stage superseded by a later one is not sent any more.
pub fn reminders_due<'a>(
    matters: &'a [DueMatter],
    rules: &'a ReminderRules,
    calendar: &WorkCalendar,
    as_of: NaiveDate,
) -> Vec<Reminder<'a>> {
    let mut stages = Stages::new(rules, calendar, as_of);
    matters
        .iter()
        .filter_map(|matter| {
            let (fires_on, rule) = stages.reached(matter.kind, matter.due)?;
            Some(Reminder {
                matter,
                rule,
                fires_on,
                days_late: (as_of - matter.due).num_days(),
            })
        })
        .collect()
}

/// 催办阶段 — the latest stage of the rules a matter has reached on a day. Every matter of one
/// kind due on one day has reached the same stage, and many share a due date (a month's
/// reports, milestones planned at month ends): each rule's day is counted through the
/// calendar once per date.
pub struct Stages<'a, 'c> {
    rules: &'a ReminderRules,
    calendar: &'c WorkCalendar,
    as_of: NaiveDate,
    /// The day each rule fires for each due date met: at most the rules × the dates asked.
    days: std::collections::HashMap<(usize, NaiveDate), NaiveDate>,
}

impl<'a, 'c> Stages<'a, 'c> {
    pub fn new(rules: &'a ReminderRules, calendar: &'c WorkCalendar, as_of: NaiveDate) -> Self {
        Stages {
            rules,
            calendar,
            as_of,
            days: std::collections::HashMap::new(),
        }
    }

    /// The latest stage a matter of `kind` due on `due` has reached by the day asked, and the
    /// day it was reached; none if no stage has been reached yet.
    pub fn reached(
        &mut self,
        kind: MatterKind,
        due: NaiveDate,
    ) -> Option<(NaiveDate, &'a ReminderRule)> {
        let mut best: Option<(NaiveDate, &'a ReminderRule)> = None;
        for (n, rule) in self.rules.rules.iter().enumerate() {
            if !rule.applies_to(kind) {
                continue;
            }
            let fires_on = *self
                .days
                .entry((n, due))
                .or_insert_with(|| rule.fires_on(self.calendar, due));
            if fires_on <= self.as_of && best.is_none_or(|(b, _)| fires_on >= b) {
                best = Some((fires_on, rule));
            }
        }
        best
    }

    /// Whether a matter of `kind` due on `due` has been escalated to the leader in charge:
    /// the latest stage it reached is one that tells him.
    pub fn escalated(&mut self, kind: MatterKind, due: NaiveDate) -> bool {
        self.reached(kind, due).is_some_and(|(_, r)| r.escalate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn matter(due: &str) -> DueMatter {
        DueMatter {
            kind: MatterKind::Problem,
            key: "7".into(),
            title: "问题 7".into(),
            owner: Recipient::Unit("白水县".into()),
            leader: Some("李明".into()),
            due: d(due),
        }
    }

    /// Due Friday 10 October 2025 under the default rules: 提示 three working days before
    /// (counted back: 9 October, then 1–8 October are holidays, 30 and 29 September → Monday
    /// 29 September), 督办 on the 10th, 催办 the next working day (Saturday 11 October, worked
    /// in exchange), 升级 five working days after (11, 13, 14, 15, 16 → Thursday 16 October).
    #[test]
    fn each_stage_on_its_day() {
        let c = WorkCalendar::shipped();
        let rules = ReminderRules::default();
        let m = [matter("2025-10-10")];
        let stage = |day: &str| {
            reminders_due(&m, &rules, &c, d(day))
                .first()
                .map(|r| (r.rule.name.clone(), r.fires_on.to_string()))
        };
        assert_eq!(stage("2025-09-28"), None);
        assert_eq!(
            stage("2025-09-29"),
            Some(("到期提示".into(), "2025-09-29".into()))
        );
        assert_eq!(
            stage("2025-10-09"),
            Some(("到期提示".into(), "2025-09-29".into()))
        );
        assert_eq!(
            stage("2025-10-10"),
            Some(("到期督办".into(), "2025-10-10".into()))
        );
        assert_eq!(
            stage("2025-10-11"),
            Some(("逾期催办".into(), "2025-10-11".into()))
        );
        assert_eq!(
            stage("2025-10-15"),
            Some(("逾期催办".into(), "2025-10-11".into()))
        );
        assert_eq!(
            stage("2025-10-16"),
            Some(("逾期升级催办".into(), "2025-10-16".into()))
        );
        // A run months later sends the last stage only.
        assert_eq!(
            stage("2026-03-01"),
            Some(("逾期升级催办".into(), "2025-10-16".into()))
        );
    }

    #[test]
    fn escalation_adds_the_leader_and_keys_are_stable() {
        let c = WorkCalendar::shipped();
        let rules = ReminderRules::default();
        let m = [matter("2025-10-10")];
        let r = &reminders_due(&m, &rules, &c, d("2025-10-11"))[0];
        assert_eq!(r.recipients(), vec![Recipient::Unit("白水县".into())]);
        assert_eq!(r.event_key(), "problem:7:2025-10-10:逾期催办");
        assert_eq!(r.days_late, 1);
        let r = &reminders_due(&m, &rules, &c, d("2025-10-20"))[0];
        assert_eq!(
            r.recipients(),
            vec![
                Recipient::Unit("白水县".into()),
                Recipient::Leader("李明".into())
            ]
        );
    }

    #[test]
    fn rules_apply_to_their_kinds_only() {
        let c = WorkCalendar::shipped();
        let mut rules = ReminderRules::default();
        rules.rules[0].kinds = vec![MatterKind::Report];
        let m = [matter("2025-10-10")];
        assert!(reminders_due(&m, &rules, &c, d("2025-10-09")).is_empty());
    }

    #[test]
    fn rules_round_trip_and_refuse_nonsense() {
        let rules = ReminderRules::default();
        assert_eq!(ReminderRules::from_toml(&rules.to_toml()).unwrap(), rules);
        let mut bad = rules.clone();
        bad.rules[0].level = ReminderLevel::Press;
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "催办规则“到期提示”：截止前的提醒级别应为“提示”"
        );
        let mut bad = rules.clone();
        bad.rules[1].escalate = true;
        assert!(bad.validate().unwrap_err().to_string().contains("升级"));
        let mut bad = rules.clone();
        bad.rules[3].name = "到期提示".into();
        assert!(bad.validate().unwrap_err().to_string().contains("名称重复"));
        assert!(matches!(
            ReminderRules::from_toml("rule = 3"),
            Err(RulesError::Syntax(_))
        ));
    }

    #[test]
    fn levels_follow_lateness() {
        assert_eq!(ReminderLevel::for_lateness(-2), ReminderLevel::Notice);
        assert_eq!(ReminderLevel::for_lateness(0), ReminderLevel::Urge);
        assert_eq!(ReminderLevel::for_lateness(9), ReminderLevel::Press);
        assert_eq!(ReminderLevel::Press.notice_name(), "催办单");
    }
}
