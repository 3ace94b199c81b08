//! The closed word lists a directive is read by: role and action markers after a subject,
//! fillers, handing words before it, clause openers, joiners, exhortations, sentence and
//! clause ends; and skipping them.

use crate::chars::{Firsts, longest};

use super::Role;

/// Words after a subject that make it one, and the role they give. Longest match wins.
pub(super) const ROLE_MARKS: &[(&str, Role)] = &[
    ("牵头负责", Role::Lead),
    ("具体负责", Role::Lead),
    ("总负责", Role::Lead),
    ("负总责", Role::Lead),
    ("负责", Role::Lead),
    ("牵头", Role::Lead),
    ("主抓", Role::Lead),
    ("会同", Role::Lead),
    ("联合", Role::Lead),
    ("为牵头单位", Role::Lead),
    ("为责任单位", Role::Lead),
    ("为责任主体", Role::Lead),
    ("为配合单位", Role::Co),
    ("配合", Role::Co),
    ("协助", Role::Co),
    ("协同", Role::Co),
    ("参与", Role::Co),
];
/// Words after a subject that ask it to act.
pub(super) const ACTION_MARKS: &[&str] = &[
    "要",
    "必须",
    "务必",
    "须",
    "需要",
    "需",
    "应当",
    "应",
    "一定要",
    "抓紧",
    "尽快",
    "立即",
    "迅速",
    "马上",
    "确保",
    "力争",
    "切实",
    "全力",
    "进一步",
    "继续",
    "严格",
    "督促",
    "将",
    "尽早",
    "提前",
    "限期",
    "每月",
    "每周",
    "每季",
    "按月",
    "按季",
];
/// Words that may stand between a subject and its marker.
pub(super) const FILLERS: &[&str] = &[
    "也", "还", "都", "均", "一定", "今年", "今后", "近期", "会后", "同时", "再", "亦", "各自",
    "分别", "具体", "共同",
];
/// Words before units that work with the lead: 会同, 联合.
pub(super) const CO_WITH: &[&str] = &["会同", "联合"];
/// Words before a subject that hand it a task.
pub(super) const HANDING: &[&str] = &[
    "并由", "再由", "由", "请", "要求", "责成", "督促", "希望", "提出",
];
/// Words opening a clause that are not part of it: enumerations and connectives.
pub(super) const OPENERS: &[&str] = &[
    "此项工作",
    "该项工作",
    "这项工作",
    "上述工作",
    "以上工作",
    "此项任务",
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
    "六是",
    "七是",
    "八是",
    "九是",
    "十是",
    "一要",
    "二要",
    "三要",
    "四要",
    "五要",
    "第一",
    "第二",
    "第三",
    "第四",
    "首先",
    "其次",
    "再次",
    "最后",
    "同时",
    "另外",
    "此外",
    "对此",
    "会后",
    "今后",
    "特别是",
    "尤其是",
    "其中",
    "并且",
    "并",
    "还",
    "也",
];
/// Words joining the actors of one subject.
pub(super) const JOINERS: &[&str] = &["、", "和", "及", "以及", "与", "同", ",", "，"];
/// A list of fields ending in one of these names each field as a body: 国土、财政等部门.
pub(super) const FIELD_LIST_ENDS: &[&str] = &[
    "等有关部门",
    "等相关部门",
    "等执法部门",
    "等职能部门",
    "等主管部门",
    "等行业主管部门",
    "等监管部门",
    "等部门",
    "等单位",
];
pub(super) const FIELD_LIST_FIRSTS: Firsts = Firsts::of(&[FIELD_LIST_ENDS]);
/// What is asked when nothing concrete is: exhortations.
pub(super) const EXHORTATIONS: &[&str] = &[
    "高度重视",
    "提高认识",
    "提高站位",
    "统一思想",
    "思想认识",
    "认清形势",
    "坚定信心",
    "鼓足干劲",
    "再鼓干劲",
    "增强",
    "意识",
    "责任感",
    "紧迫感",
    "使命感",
    "担当",
    "扛起",
    "负起责任",
    "真抓实干",
    "主动作为",
    "克服",
    "松懈",
    "厌战",
    "自我加压",
    "奋力",
    "不折不扣",
    "以身作则",
];

pub(super) const CLAUSE_ENDS: &str = "，,：:";
pub(super) const SENTENCE_ENDS: &str = "。！？；!?;.．";

/// Words asking for speed without naming a date: kept as the time node's text, no date.
pub(super) const VAGUE_TIMES: &[&str] = &["尽快", "近期", "立即", "马上", "会后"];

/// What closes a subject's group of actors: 国土、财政等部门.
pub(super) const SUBJECT_ENDS: &[&str] = &[
    "等有关部门",
    "等相关部门",
    "等执法部门",
    "等职能部门",
    "等主管部门",
    "等行业主管部门",
    "等监管部门",
    "等部门",
    "等单位",
    "等",
];

/// Skips `words` at `i` as long as one is there.
pub(super) fn skip(t: &[char], mut i: usize, words: &[&str]) -> usize {
    while let Some(n) = longest(t, i, words) {
        i += n;
    }
    i
}
