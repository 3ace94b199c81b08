//! 修改记录的读法 — an audit entry as people read it: when, in Beijing time; who; what was done
//! to what, in Chinese; and what changed, field by field, as "字段：旧值 → 新值" with the
//! fields' Chinese labels and coded values (stages, roles, states) in words — never the
//! stored JSON. The 审计 page, the item page's 修改记录 and the API's `changes` read it.

use duban_core::task::{Deadline, FeedbackCadence, TaskSource};
use duban_core::{
    AccountRole, Cadence, ItemKind, Level, Nature, ProblemCategory, ProblemState, Stage, UnitKind,
};
use duban_store::AuditEntry;
use serde::Serialize;
use serde_json::Value;

use crate::clock::beijing;

/// 操作 — every action the audit trail records, with its label, in the order the 审计 page
/// offers them.
pub const ACTIONS: &[(&str, &str)] = &[
    ("create", "新建"),
    ("update", "修改"),
    ("import", "导入"),
    ("disable", "停用"),
    ("enable", "启用"),
    ("submit", "报送"),
    ("correct", "更正"),
    ("move", "问题流转"),
    ("close", "关闭填报期、办结"),
    ("reopen", "重新开放填报期"),
    ("issue", "印发"),
    ("password", "重置密码"),
    ("token", "签发令牌"),
    ("revoke_token", "撤销令牌"),
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("login_refused", "登录被拒（账号已停用）"),
    ("logout", "退出"),
    ("archive", "归档"),
    ("restore", "恢复"),
    ("attach", "上传附件"),
    ("request_extension", "申请延期"),
    ("approve_extension", "批准延期"),
    ("refuse_extension", "不批准延期"),
    ("instruct", "批示"),
    ("sign", "签收"),
    ("feedback", "反馈"),
    ("request_close", "申请办结"),
    ("send_back", "退回"),
    ("withdraw", "撤回"),
    ("score", "评分"),
];

/// The actions whose word depends on what they are done to.
const ACTIONS_ON: &[((&str, &str), &str)] = &[
    (("period", "close"), "关闭填报期"),
    (("task", "close"), "办结"),
];

/// 对象 — every kind of record the audit trail is about, with its label.
pub const ENTITIES: &[(&str, &str)] = &[
    ("item", "事项"),
    ("report", "填报"),
    ("problem", "问题"),
    ("unit", "单位"),
    ("leader", "领导"),
    ("user", "用户"),
    ("calendar", "填报日历"),
    ("period", "填报期"),
    ("setting", "设置"),
    ("bulletin", "通报"),
    ("indicator_value", "指标"),
    ("contact", "通讯录"),
    ("task", "交办事项"),
    ("holidays", "节假日安排"),
    ("tour", "观摩评比"),
];

fn label_of(table: &[(&str, &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// The Chinese label of an action code done to an entity (the code itself if unknown).
pub fn action_label(entity: &str, code: &str) -> String {
    ACTIONS_ON
        .iter()
        .find(|((e, c), _)| *e == entity && *c == code)
        .map(|(_, l)| *l)
        .or_else(|| label_of(ACTIONS, code))
        .map_or_else(|| code.to_string(), str::to_string)
}

/// The Chinese label of an entity code (the code itself if unknown).
pub fn entity_label(code: &str) -> String {
    label_of(ENTITIES, code).map_or_else(|| code.to_string(), str::to_string)
}

/// 字段 — the Chinese label of every recorded field, in the order changes are listed.
const FIELDS: &[(&str, &str)] = &[
    // 事项 (Item, as its JSON names the fields)
    ("code", "项目编号"),
    ("name", "项目名称"),
    ("year", "年度"),
    ("kind", "事项类型"),
    ("owner", "建设单位"),
    ("nature", "建设性质"),
    ("location", "建设地点"),
    ("scale", "建设规模及内容"),
    ("category", "项目类别"),
    ("level", "项目级别"),
    ("stage", "项目阶段"),
    ("total_investment", "总投资（万元）"),
    ("annual_plan", "年度计划投资（万元）"),
    ("monthly_plan", "1–12月累计计划投资（万元）"),
    ("planned_start", "计划开工"),
    ("planned_end", "计划竣工"),
    ("region", "所属区域"),
    ("lead_unit", "牵头单位"),
    ("co_units", "配合单位"),
    ("leader", "包抓领导"),
    ("in_statistics", "是否纳入统计"),
    ("tags", "标签"),
    ("notes", "备注"),
    ("extra", "其他列"),
    ("milestones", "节点"),
    // 节点
    ("planned", "计划"),
    ("actual", "实际"),
    ("baseline", "原计划"),
    ("date", "完成日期"),
    // 填报
    ("period", "填报期"),
    ("revision", "版本"),
    ("ytd", "累计完成投资（万元）"),
    ("this_period", "本期完成投资（万元）"),
    ("progress_text", "形象进度"),
    ("progress_percent", "形象进度（%）"),
    ("narrative", "进展情况"),
    ("problems", "存在问题"),
    ("submitted_on", "报送日期"),
    ("submitted_at", "报送时间"),
    ("submitted_by", "报送人"),
    // 单位、用户
    ("parent", "上级单位"),
    ("sort_order", "排序"),
    ("aliases", "简称"),
    ("status", "状态"),
    ("username", "用户名"),
    ("display_name", "姓名"),
    ("role", "角色"),
    ("unit", "单位"),
    ("address", "登录地址"),
    ("token_name", "令牌名称"),
    ("expires_at", "到期时间"),
    ("revoked", "撤销数量"),
    // 问题、填报期、日历
    ("state", "状态"),
    ("cadence", "填报周期"),
    ("due_day", "截止日"),
    ("title", "职务"),
    // 附件、延期申请、批示
    ("evidence_of", "附件归属"),
    ("owner_id", "归属编号"),
    ("files", "文件"),
    ("file_name", "文件名"),
    ("size", "大小（字节）"),
    ("sha256", "校验值"),
    ("milestone", "节点"),
    ("from", "原计划日期"),
    ("requested", "申请延至"),
    ("decision", "审批意见"),
    ("problem", "关于问题"),
    ("instruction", "批示内容"),
    ("reason", "理由"),
    // 通讯录
    ("liaison", "联络员"),
    ("phone", "手机"),
    ("email", "邮箱"),
    ("robot_kind", "群机器人"),
    ("robot_url", "群机器人地址"),
    ("robot_secret", "加签密钥"),
    // 交办事项
    ("number", "督办编号"),
    ("content", "交办内容"),
    ("source", "交办来源"),
    ("source_ref", "来源文件"),
    ("item_code", "关联项目"),
    ("deadline", "办理时限"),
    ("due", "办理期限"),
    ("sign_within", "签收时限（工作日）"),
    ("assigned_on", "交办日期"),
    ("assigned_by", "交办人"),
    ("signed_on", "签收日期"),
    ("last_feedback", "最近反馈"),
    ("requested_on", "申请办结日期"),
    ("closed_on", "办结日期"),
    // 观摩评比
    ("held_on", "观摩日期"),
    ("judges", "评委"),
    ("sheets", "评分表（张）"),
    // 节假日安排
    ("holidays", "放假"),
    ("workdays", "调休上班"),
];

/// 字段 — the Chinese label of a recorded field of `entity`.
pub fn field_label(entity: &str, key: &str) -> Option<&'static str> {
    let by_entity = match (entity, key) {
        ("report", "milestones") => "完成节点",
        ("report", "reason") => "更正原因",
        ("unit", "name") => "单位名称",
        ("unit", "kind") => "单位类型",
        ("unit", "aliases") => "简称",
        ("leader", "name") => "姓名",
        ("leader", "title") => "职务",
        ("problem", "role") => "操作角色",
        ("problem", "action") => "操作",
        ("problem", "note") => "说明",
        ("user", "role") => "角色",
        ("user", "id") => "编号",
        ("user", "unit") => "所属单位",
        ("user", "leader") => "对应包抓领导",
        ("task", "id") => "编号",
        ("task", "title") => "标题",
        ("task", "cadence") => "反馈频次",
        ("task", "note") => "办理说明",
        ("tour", "name") => "评比名称",
        ("tour", "items") => "观摩项目",
        ("holidays", "from") => "自",
        ("holidays", "to") => "至",
        _ => "",
    };
    if !by_entity.is_empty() {
        return Some(by_entity);
    }
    label_of(FIELDS, key)
}

/// Where a field comes in a list of changes (as [`FIELDS`] orders them; unknown ones last).
fn rank(key: &str) -> usize {
    FIELDS
        .iter()
        .position(|(k, _)| *k == key)
        .unwrap_or(FIELDS.len())
}

/// A coded value in words: a stage, a role, a state.
fn coded(entity: &str, key: &str, code: &str) -> Option<String> {
    let label = match (entity, key) {
        ("item", "kind") | ("calendar", "kind") => ItemKind::parse(code).ok()?.label(),
        ("unit", "kind") => UnitKind::parse(code).ok()?.label(),
        (_, "stage") => Stage::parse(code).ok()?.label(),
        (_, "nature") => Nature::parse(code).ok()?.label(),
        (_, "level") => Level::parse(code).ok()?.label(),
        (_, "category") if entity == "problem" => ProblemCategory::parse(code).ok()?.label(),
        ("user", "role") => AccountRole::parse(code).ok()?.label(),
        ("contact", "robot_kind") => duban_store::Channel::parse(code).ok()?.label(),
        ("problem", "state") => ProblemState::parse(code).ok()?.label(),
        ("period", "state") => match code {
            "open" => "开放",
            "closed" => "已关闭",
            _ => return None,
        },
        (_, "status") => match code {
            "active" => "在用",
            "disabled" => "已停用",
            _ => return None,
        },
        ("task", "cadence") => FeedbackCadence::parse(code).ok()?.label(),
        ("task", "source") => TaskSource::parse(code).ok()?.label(),
        (_, "cadence") => Cadence::parse(code).ok()?.label(),
        (_, "expires_at" | "submitted_at") => return Some(beijing(code)),
        _ => return None,
    };
    Some(label.to_string())
}

/// "（空）" — how a value that is not there reads.
pub const EMPTY: &str = "（空）";

/// A recorded value in words.
fn words(entity: &str, key: &str, v: &Value) -> String {
    match v {
        Value::Null => EMPTY.to_string(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => EMPTY.to_string(),
        Value::String(s) => coded(entity, key, s).unwrap_or_else(|| s.clone()),
        Value::Array(a) if a.is_empty() => EMPTY.to_string(),
        Value::Array(a) => {
            let objects = a.iter().any(Value::is_object);
            let parts: Vec<String> = a.iter().map(|x| words(entity, key, x)).collect();
            parts.join(if objects { "；" } else { "、" })
        }
        Value::Object(o) if o.is_empty() => EMPTY.to_string(),
        Value::Object(_) if key == "deadline" => serde_json::from_value::<Deadline>(v.clone())
            .map_or_else(|_| v.to_string(), |d| d.describe()),
        Value::Object(o) => {
            // A leader reads "王某（副市长）"; a milestone "开工（计划 2025-03，实际 2025-03-10）".
            if let Some(Value::String(name)) = o.get("name") {
                let rest: Vec<String> = ordered(o)
                    .into_iter()
                    .filter(|(k, v)| *k != "name" && !v.is_null())
                    .map(|(k, v)| match k.as_str() {
                        "title" => words(entity, k, v),
                        _ => format!(
                            "{} {}",
                            field_label(entity, k).unwrap_or(k),
                            words(entity, k, v)
                        ),
                    })
                    .collect();
                return if rest.is_empty() {
                    name.clone()
                } else {
                    format!("{name}（{}）", rest.join("，"))
                };
            }
            // Other maps (the extra columns of a ledger) as "名：值".
            let parts: Vec<String> = ordered(o)
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}：{}",
                        field_label(entity, k).unwrap_or(k),
                        words(entity, k, v)
                    )
                })
                .collect();
            parts.join("；")
        }
    }
}

/// 字段变化 — one field as it was and as it is: "字段：旧值 → 新值" (a new record's fields
/// have no `before`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// 字段 — its Chinese label.
    pub field: String,
    /// 旧值 (absent on a new record)
    pub before: Option<String>,
    /// 新值
    pub after: String,
}

impl std::fmt::Display for FieldChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.before {
            Some(b) => write!(f, "{}：{} → {}", self.field, b, self.after),
            None => write!(f, "{}：{}", self.field, self.after),
        }
    }
}

/// 修改记录 — an audit entry in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadableEntry {
    /// 时间 — Beijing time, to the minute: "2025-11-03 09:30".
    pub at: String,
    /// 操作人 — the account's name for what was done on the web ("admin" for "web:admin").
    pub actor: String,
    /// 操作 — in words ("修改").
    pub action: String,
    /// 对象 — in words ("单位").
    pub entity: String,
    /// 对象标识 — the item code, the unit's name, …
    pub key: String,
    /// 原因
    pub reason: Option<String>,
    /// 字段变化, in the order of the record.
    pub changes: Vec<FieldChange>,
    /// 链校验
    pub intact: bool,
}

/// The actor as people know them: the account's name for the web ("web:admin" → "admin").
pub fn actor_name(actor: &str) -> &str {
    actor.strip_prefix("web:").unwrap_or(actor)
}

/// A record's fields in the order changes are listed.
fn ordered(o: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut fields: Vec<(&String, &Value)> = o.iter().collect();
    fields.sort_by_key(|(k, _)| rank(k));
    fields
}

/// The field changes of a record: each field of `after` with its value in `before` (an
/// update), or alone (a new record: the fields that have a value).
pub fn field_changes(
    entity: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Vec<FieldChange> {
    let label = |k: &str| field_label(entity, k).map_or_else(|| k.to_string(), str::to_string);
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = a.keys().collect();
            keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
            keys.sort_by_key(|k| rank(k));
            keys.into_iter()
                .map(|k| FieldChange {
                    field: label(k),
                    before: Some(words(entity, k, b.get(k).unwrap_or(&Value::Null))),
                    after: words(entity, k, a.get(k).unwrap_or(&Value::Null)),
                })
                .collect()
        }
        (None, Some(Value::Object(a))) => ordered(a)
            .into_iter()
            .filter(|(k, v)| {
                !(v.is_null()
                    || v.as_array().is_some_and(Vec::is_empty)
                    || v.as_object().is_some_and(|o| o.is_empty())
                    || *k == "id")
            })
            .map(|(k, v)| FieldChange {
                field: label(k),
                before: None,
                after: words(entity, k, v),
            })
            .collect(),
        (Some(Value::Object(b)), None) => ordered(b)
            .into_iter()
            .map(|(k, v)| FieldChange {
                field: label(k),
                before: Some(words(entity, k, v)),
                after: EMPTY.to_string(),
            })
            .collect(),
        (None, None) => Vec::new(),
        // A record kept as text (a setting, an issued bulletin, an indicator import).
        (b, a) => vec![FieldChange {
            field: "内容".into(),
            before: b.map(|v| words(entity, "", v)),
            after: a.map_or_else(|| EMPTY.to_string(), |v| words(entity, "", v)),
        }],
    }
}

/// An audit entry in words.
pub fn readable(e: &AuditEntry) -> ReadableEntry {
    ReadableEntry {
        at: beijing(&e.at),
        actor: actor_name(&e.actor).to_string(),
        action: action_label(&e.entity, &e.action),
        entity: entity_label(&e.entity),
        key: e.entity_key.clone(),
        reason: e.reason.clone(),
        changes: field_changes(&e.entity, e.before.as_ref(), e.after.as_ref()),
        intact: e.intact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(
        entity: &str,
        action: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> AuditEntry {
        AuditEntry {
            intact: true,
            at: "2025-11-02T16:30:00.000Z".into(),
            actor: "web:admin".into(),
            action: action.into(),
            entity: entity.into(),
            entity_key: "XM1".into(),
            before,
            after,
            reason: Some("核对台账".into()),
        }
    }

    fn lines(r: &ReadableEntry) -> Vec<String> {
        r.changes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn an_item_update_reads_field_by_field_in_beijing_time() {
        let r = readable(&entry(
            "item",
            "update",
            Some(
                json!({"annual_plan": "1200", "stage": "preparation", "co_units": [], "leader": {"name": "王某", "title": "副市长"}}),
            ),
            Some(
                json!({"annual_plan": "1500", "stage": "under_construction", "co_units": ["市财政局", "市住建局"], "leader": null}),
            ),
        ));
        assert_eq!(
            r.at, "2025-11-03 00:30",
            "16:30 UTC is half past midnight in Beijing"
        );
        assert_eq!(
            (r.actor.as_str(), r.action.as_str(), r.entity.as_str()),
            ("admin", "修改", "事项")
        );
        assert_eq!(
            lines(&r),
            [
                "项目阶段：前期 → 在建",
                "年度计划投资（万元）：1200 → 1500",
                "配合单位：（空） → 市财政局、市住建局",
                "包抓领导：王某（副市长） → （空）",
            ]
        );
    }

    #[test]
    fn tasks_and_holidays_read_in_words() {
        let r = readable(&entry(
            "task",
            "close",
            Some(json!({"state": "待核验"})),
            Some(json!({"state": "已办结", "note": "材料齐全"})),
        ));
        assert_eq!((r.action.as_str(), r.entity.as_str()), ("办结", "交办事项"));
        assert_eq!(
            lines(&r),
            ["状态：待核验 → 已办结", "办理说明：（空） → 材料齐全"]
        );
        assert_eq!(
            readable(&entry("period", "close", None, None)).action,
            "关闭填报期"
        );
        assert_eq!(readable(&entry("task", "sign", None, None)).action, "签收");
        let r = readable(&entry(
            "task",
            "create",
            None,
            Some(
                json!({"number": "督办〔2025〕12号", "source": "instruction", "cadence": "weekly", "deadline": {"kind": "working_days", "days": 10}}),
            ),
        ));
        assert_eq!(
            lines(&r),
            [
                "反馈频次：每周反馈",
                "督办编号：督办〔2025〕12号",
                "交办来源：领导批示",
                "办理时限：10 个工作日内",
            ]
        );
        let r = readable(&entry(
            "holidays",
            "update",
            None,
            Some(
                json!({"holidays": [{"name": "国庆节", "from": "2025-10-01", "to": "2025-10-08"}], "workdays": ["2025-09-28"]}),
            ),
        ));
        assert_eq!(r.entity, "节假日安排");
        assert_eq!(
            lines(&r),
            [
                "放假：国庆节（自 2025-10-01，至 2025-10-08）",
                "调休上班：2025-09-28"
            ]
        );
    }

    #[test]
    fn milestones_units_users_and_states_read_in_words() {
        let r = readable(&entry(
            "item",
            "update",
            Some(
                json!({"milestones": [{"name": "开工", "planned": "2025-03-01", "actual": null}]}),
            ),
            Some(
                json!({"milestones": [{"name": "开工", "planned": "2025-03-01", "actual": "2025-03-10"}]}),
            ),
        ));
        assert_eq!(
            lines(&r),
            ["节点：开工（计划 2025-03-01） → 开工（计划 2025-03-01，实际 2025-03-10）"]
        );
        let r = readable(&entry(
            "user",
            "update",
            Some(json!({"unit": "白水县", "role": "reporter"})),
            Some(json!({"unit": "云台县", "role": "viewer"})),
        ));
        assert_eq!(
            lines(&r),
            [
                "角色：责任单位填报员 → 只读用户",
                "所属单位：白水县 → 云台县"
            ]
        );
        let r = readable(&entry(
            "unit",
            "disable",
            Some(json!({"status": "active"})),
            Some(json!({"status": "disabled"})),
        ));
        assert_eq!(
            (r.action.as_str(), lines(&r)),
            ("停用", vec!["状态：在用 → 已停用".to_string()])
        );
        assert_eq!(
            lines(&readable(&entry(
                "unit",
                "update",
                Some(json!({"kind": "department"})),
                Some(json!({"kind": "region"}))
            ))),
            ["单位类型：部门 → 县区"]
        );
        assert_eq!(
            lines(&readable(&entry(
                "problem",
                "move",
                Some(json!({"state": "raised"})),
                Some(json!({"state": "assigned", "note": "请三日内办理"}))
            ))),
            ["状态：已提出 → 已交办", "说明：（空） → 请三日内办理"]
        );
    }

    #[test]
    fn a_new_record_lists_its_values_and_text_records_read_as_text() {
        let r = readable(&entry(
            "item",
            "create",
            None,
            Some(
                json!({"code": "XM1", "name": "白水县产业园", "kind": "project", "notes": null, "tags": [], "in_statistics": true}),
            ),
        ));
        assert_eq!(
            lines(&r),
            [
                "项目编号：XM1",
                "项目名称：白水县产业园",
                "事项类型：重点项目",
                "是否纳入统计：是"
            ]
        );
        let r = readable(&entry(
            "setting",
            "update",
            Some(json!("旧的要求")),
            Some(json!("新的要求")),
        ));
        assert_eq!(lines(&r), ["内容：旧的要求 → 新的要求"]);
        let r = readable(&entry("user", "password", None, None));
        assert_eq!(
            (r.action.as_str(), r.changes.len(), r.reason.as_deref()),
            ("重置密码", 0, Some("核对台账"))
        );
    }

    /// Every field an item, a report, an account and a unit record has a Chinese label: a
    /// field added to them without one fails here.
    #[test]
    fn every_recorded_field_has_a_label() {
        let mut item = duban_core::Item::new(2025, ItemKind::Project, "甲", "白水县");
        item.leader = duban_core::Leader::parse_list("王某（副市长）")
            .into_iter()
            .next();
        let report = duban_store::StoredReport {
            code: "XM1".into(),
            period: duban_core::Period::parse("2025-06").unwrap(),
            revision: 1,
            report: Default::default(),
            reason: None,
            submitted_on: chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            submitted_at: "2025-07-01T00:00:00.000Z".into(),
            submitted_by: "web:baishui".into(),
        };
        let account = duban_core::Account {
            id: 1,
            username: "a".into(),
            display_name: "甲".into(),
            role: AccountRole::Admin,
            unit: None,
            leader: None,
        };
        let unit = duban_core::Unit::new("白水县", UnitKind::Region);
        let milestone: duban_core::Milestone =
            serde_json::from_value(json!({"name": "开工", "planned": "2025-03-01"})).unwrap();
        for (entity, v) in [
            ("item", serde_json::to_value(&item).unwrap()),
            ("report", serde_json::to_value(&report).unwrap()),
            ("user", serde_json::to_value(&account).unwrap()),
            ("unit", serde_json::to_value(&unit).unwrap()),
            ("item", serde_json::to_value(&milestone).unwrap()),
        ] {
            for key in v.as_object().unwrap().keys() {
                assert!(
                    field_label(entity, key).is_some(),
                    "{entity}.{key} has no label"
                );
            }
        }
    }
}
