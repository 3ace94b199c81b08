//! 接口模式 — how the domain's values are written in the API's JSON, for the OpenAPI document:
//! money and exact numbers as decimal strings, dates, months-or-days and periods as strings,
//! and every enum as its stable codes. The domain crates know nothing of OpenAPI, so these
//! schemas stand in for their types on the fields of the response types (`#[schema(value_type
//! = …)]`); the values themselves are still written by the domain's own serde. The codes of
//! an enum are read from the enum (its `ALL`, or each variant serialized), so they cannot
//! drift from what is sent.

use std::borrow::Cow;

use duban_core::{
    AccountRole, Cadence, Colour, Escalation, Flag, ItemKind, Level, Nature, ProblemCategory,
    ProblemState, Stage, UnitKind, rates::Rate,
};
use duban_extract::{ActorKind, Role, Tier};
use duban_store::Grouping;
use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// A string schema named `$name`, described by the doc comment, with an example.
macro_rules! string_schema {
    ($(#[doc = $doc:literal])+ $ty:ident = $name:literal, $format:expr, $example:literal) => {
        $(#[doc = $doc])+
        pub enum $ty {}

        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format($format)
                    .description(Some(concat!($($doc, "\n"),+).trim()))
                    .examples([$example])
                    .into()
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

string_schema! {
    /// 金额（万元）— exact, as a decimal string with up to 4 decimals (the yuan), e.g. "1234.5".
    Money = "Money", None, "1234.5"
}

string_schema! {
    /// 数值 — an exact decimal number as a string, e.g. "37.79".
    Decimal = "Decimal", None, "37.79"
}

string_schema! {
    /// 日期 — YYYY-MM-DD.
    Date = "Date", Some(SchemaFormat::KnownFormat(KnownFormat::Date)), "2025-06-30"
}

string_schema! {
    /// 计划时间 — a month (YYYY-MM) or a day (YYYY-MM-DD), as the ledger states it.
    PlanDate = "PlanDate", None, "2025-03"
}

string_schema! {
    /// 期间 — a month (2025-06), a quarter (2025-Q2) or an ISO week (2025-W23).
    Period = "Period", None, "2025-06"
}

string_schema! {
    /// 文件 — the bytes of a file (a Word document).
    Binary = "Binary", Some(SchemaFormat::KnownFormat(KnownFormat::Binary)), ""
}

string_schema! {
    /// 时间 — UTC, RFC 3339.
    Timestamp = "Timestamp", None, "2025-07-05T08:30:00.000Z"
}

/// The codes of an enum as serde writes them.
fn codes<T: Serialize>(all: impl IntoIterator<Item = T>) -> Vec<String> {
    all.into_iter()
        .filter_map(|v| match serde_json::to_value(v) {
            Ok(serde_json::Value::String(s)) => Some(s),
            _ => None,
        })
        .collect()
}

/// A string schema named `$name` whose values are `$codes`, described by the doc comment.
macro_rules! code_schema {
    ($(#[doc = $doc:literal])+ $ty:ident = $name:literal, $codes:expr) => {
        $(#[doc = $doc])+
        pub enum $ty {}

        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some($codes))
                    .description(Some(concat!($($doc, "\n"),+).trim()))
                    .into()
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

code_schema! {
    /// 事项类型: project 重点项目, task 重点工作, livelihood 民生实事, investment 招商项目.
    ItemKindCode = "ItemKind", codes(ItemKind::ALL)
}
code_schema! {
    /// 项目阶段: reserve 储备 → preparation 前期 → to_start 拟开工 → under_construction 在建 →
    /// completed 竣工 → in_operation 投产.
    StageCode = "Stage", codes(Stage::ALL)
}
code_schema! {
    /// 建设性质: new 新建, continued 续建, expansion 扩建, renovation 改建.
    NatureCode = "Nature", codes(Nature::ALL)
}
code_schema! {
    /// 项目级别: provincial 省重点, municipal 市重点, county 县重点.
    LevelCode = "Level", codes(Level::ALL)
}
code_schema! {
    /// 角色: admin 督查室, leader 包抓领导, reporter 责任单位填报员, judge 观摩评委, viewer 只读.
    AccountRoleCode = "AccountRole", codes(AccountRole::ALL)
}
code_schema! {
    /// 单位类型: region 县区, department 部门.
    UnitKindCode = "UnitKind", codes(UnitKind::ALL)
}
code_schema! {
    /// 问题类别.
    ProblemCategoryCode = "ProblemCategory", codes(ProblemCategory::ALL)
}
code_schema! {
    /// 协调层级: county 县级, department 部门, leader 包抓领导, meeting 联席会议.
    EscalationCode = "Escalation", codes(Escalation::ALL)
}
code_schema! {
    /// 问题状态: raised 已登记 → assigned 已交办 → rectifying 整改中 → closure_requested 申请销号
    /// → closed 已销号.
    ProblemStateCode = "ProblemState", codes(ProblemState::ALL)
}
code_schema! {
    /// 填报周期: weekly 每周, monthly 每月, quarterly 每季度.
    CadenceCode = "Cadence", codes(Cadence::ALL)
}
code_schema! {
    /// 比率.
    RateCode = "Rate", codes(Rate::ALL)
}
code_schema! {
    /// 排名指标: a rate's code, or composite 综合得分.
    MeasureCode = "Measure", codes(Rate::ALL).into_iter().chain(["composite".to_string()])
}
code_schema! {
    /// 预警等级: green 正常, yellow 滞后, red 严重滞后.
    ColourCode = "Colour", codes(every_colour())
}
code_schema! {
    /// 预警标记.
    FlagCode = "Flag", codes(every_flag())
}
code_schema! {
    /// 排名对象: region 县区, department 部门.
    GroupingCode = "Grouping", codes(every_grouping())
}
code_schema! {
    /// 责任主体的类型: body 机关部门, territory 地区, post 职务, generic 泛指.
    ActorKindCode = "ActorKind", codes(every_actor_kind())
}
code_schema! {
    /// 责任主体的角色: lead 牵头, co 配合, owner 责任.
    ActorRoleCode = "ActorRole", codes(every_actor_role())
}
code_schema! {
    /// 层级: A 点名到单位, B 泛指.
    TierCode = "Tier", codes(every_tier())
}
code_schema! {
    /// 频次: weekly, monthly, quarterly, half_yearly, yearly.
    DirectiveCadenceCode = "DirectiveCadence", codes(every_directive_cadence())
}

code_schema! {
    /// 交办来源: meeting 会议议定事项, instruction 领导批示, audit 审计督察整改, letter 来文来函,
    /// other 其他交办.
    TaskSourceCode = "TaskSource", codes(duban_core::task::TaskSource::ALL)
}
code_schema! {
    /// 办理状态: assigned 待签收 → in_progress 办理中 → close_requested 申请办结 → closed 已办结;
    /// withdrawn 已撤销.
    TaskStateCode = "TaskState", codes(duban_core::task::TaskState::ALL)
}
code_schema! {
    /// 反馈频次: once 办结时反馈, weekly 每周, fortnightly 每半月, monthly 每月.
    FeedbackCadenceCode = "FeedbackCadence", codes(duban_core::task::FeedbackCadence::ALL)
}
code_schema! {
    /// 逾期情况: not_signed 逾期未签收, no_feedback 逾期未反馈, not_done 逾期未办结.
    LatenessCode = "Lateness", codes(every_lateness())
}
code_schema! {
    /// 流转: sign 签收, feedback 反馈, request_close 申请办结, close 办结, send_back 退回,
    /// withdraw 撤销 (and assign 交办, the first event of every task).
    TaskActionCode = "TaskAction", every_task_action()
}
code_schema! {
    /// 事项类别: report 进度报送, task_sign 交办签收, task_feedback 交办反馈, task 交办办结,
    /// problem 问题整改, milestone 项目节点, verification 待审核事项.
    MatterKindCode = "MatterKind", codes(duban_core::reminder::MatterKind::ALL)
}
code_schema! {
    /// 提醒级别: notice 提示 (before the due date), urge 督办 (on it), press 催办 (after it).
    ReminderLevelCode = "ReminderLevel", codes(duban_core::reminder::ReminderLevel::ALL)
}
code_schema! {
    /// 计日方式: calendar 自然日, working 工作日.
    DayCountCode = "DayCount", codes(every_day_count())
}
code_schema! {
    /// 群机器人类型: wecom 企业微信, dingtalk 钉钉, webhook 通用 Webhook.
    RobotKindCode = "RobotKind", every_robot_kind().iter().map(|k| k.code().to_string()).collect::<Vec<_>>()
}
code_schema! {
    /// 收件方类型: office 督查室, unit 单位, leader 包抓领导.
    RecipientKindCode = "RecipientKind", ["office", "unit", "leader"].map(String::from).to_vec()
}

// Enums without a list of their values: each list is checked by a match that stops compiling
// when a variant is added.

fn every_colour() -> [Colour; 3] {
    let all = [Colour::Green, Colour::Yellow, Colour::Red];
    for c in all {
        match c {
            Colour::Green | Colour::Yellow | Colour::Red => {}
        }
    }
    all
}

fn every_flag() -> [Flag; 6] {
    use Flag::*;
    let all = [
        Lagging,
        NotStartedOnTime,
        MilestoneOverdue,
        NotInStatistics,
        NotReported,
        ReportedLate,
    ];
    for f in all {
        match f {
            Lagging | NotStartedOnTime | MilestoneOverdue | NotInStatistics | NotReported
            | ReportedLate => {}
        }
    }
    all
}

fn every_grouping() -> [Grouping; 2] {
    let all = [Grouping::Region, Grouping::Department];
    for g in all {
        match g {
            Grouping::Region | Grouping::Department => {}
        }
    }
    all
}

fn every_actor_kind() -> [ActorKind; 4] {
    use ActorKind::*;
    let all = [Body, Territory, Post, Generic];
    for k in all {
        match k {
            Body | Territory | Post | Generic => {}
        }
    }
    all
}

fn every_actor_role() -> [Role; 3] {
    let all = [Role::Lead, Role::Co, Role::Owner];
    for r in all {
        match r {
            Role::Lead | Role::Co | Role::Owner => {}
        }
    }
    all
}

fn every_tier() -> [Tier; 2] {
    let all = [Tier::A, Tier::B];
    for t in all {
        match t {
            Tier::A | Tier::B => {}
        }
    }
    all
}

fn every_directive_cadence() -> [duban_extract::Cadence; 5] {
    use duban_extract::Cadence::*;
    let all = [Weekly, Monthly, Quarterly, HalfYearly, Yearly];
    for c in all {
        match c {
            Weekly | Monthly | Quarterly | HalfYearly | Yearly => {}
        }
    }
    all
}

fn every_lateness() -> [duban_core::task::Lateness; 3] {
    use duban_core::task::Lateness::*;
    let all = [NotSigned, NoFeedback, NotDone];
    for l in all {
        match l {
            NotSigned | NoFeedback | NotDone => {}
        }
    }
    all
}

/// The codes of every move of a task, and of the hand-down that starts it.
fn every_task_action() -> Vec<String> {
    use duban_core::task::TaskMove::{self, *};
    let all = [
        Sign,
        Feedback {
            note: String::new(),
        },
        RequestClose {
            report: String::new(),
        },
        Close,
        SendBack {
            reason: String::new(),
        },
        Withdraw {
            reason: String::new(),
        },
    ];
    for m in &all {
        match m {
            Sign
            | Feedback { .. }
            | RequestClose { .. }
            | Close
            | SendBack { .. }
            | Withdraw { .. } => {}
        }
    }
    std::iter::once("assign".to_string())
        .chain(all.iter().map(|m: &TaskMove| m.code().to_string()))
        .collect()
}

fn every_day_count() -> [duban_core::DayCount; 2] {
    use duban_core::DayCount::*;
    let all = [Calendar, Working];
    for d in all {
        match d {
            Calendar | Working => {}
        }
    }
    all
}

/// The channels a group robot can be (email is not a robot).
fn every_robot_kind() -> Vec<duban_store::Channel> {
    duban_store::Channel::ALL
        .iter()
        .copied()
        .filter(|c| *c != duban_store::Channel::Email)
        .collect()
}

/// 包抓领导 — a person and their post (absent when not known).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Leader)]
pub struct LeaderView {
    /// 姓名
    pub name: String,
    /// 职务 — e.g. 副市长
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl From<duban_core::Leader> for LeaderView {
    fn from(l: duban_core::Leader) -> Self {
        let duban_core::Leader { name, title } = l;
        LeaderView { name, title }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: RefOr<Schema>) -> Vec<String> {
        let RefOr::T(Schema::Object(o)) = s else {
            panic!("a string schema")
        };
        o.enum_values
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn codes_are_what_serde_writes() {
        assert_eq!(
            values(ItemKindCode::schema()),
            ["project", "task", "livelihood", "investment"]
        );
        assert_eq!(values(ColourCode::schema()), ["green", "yellow", "red"]);
        assert_eq!(values(TierCode::schema()), ["A", "B"]);
        assert!(values(FlagCode::schema()).contains(&"not_started_on_time".to_string()));
        assert!(values(MeasureCode::schema()).contains(&"composite".to_string()));
        assert!(values(DirectiveCadenceCode::schema()).contains(&"half_yearly".to_string()));
        assert_eq!(
            values(LatenessCode::schema()),
            ["not_signed", "no_feedback", "not_done"]
        );
        assert_eq!(
            values(TaskActionCode::schema()),
            [
                "assign",
                "sign",
                "feedback",
                "request_close",
                "close",
                "send_back",
                "withdraw"
            ]
        );
        assert_eq!(values(DayCountCode::schema()), ["calendar", "working"]);
        assert_eq!(
            values(TaskStateCode::schema())[..2],
            ["assigned".to_string(), "in_progress".to_string()]
        );
    }
}
