//! 督办通知单 / 催办单 — a notice to one unit listing its matters that are due or overdue, as a
//! plain document model: its title, mark and number by the most serious level among its
//! matters (提示单 blue, 督办通知单 yellow, 催办单 red; domain.md §13), the body in the words of
//! an official notice, and the table of matters, the most overdue first. Its Word form lives in
//! duban-office.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::bulletin::{Table, day};
use crate::reminder::{DueMatter, MatterKind, Recipient, ReminderLevel};

/// 反馈时限 — the working days a unit has to answer a 催办单.
pub const REPLY_WITHIN: u32 = 3;

/// 表头 of a notice's table of matters.
pub const NOTICE_TABLE_HEADER: [&str; 5] = ["序号", "事项类别", "事项", "截止日期", "逾期天数"];

/// 督办通知单 / 催办单 — a notice to one unit listing its matters that are due or overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// 级别 — the most serious level among its matters; its colour is the notice's.
    pub level: ReminderLevel,
    /// 文号 — "催办〔2026〕3号"; see [`Notice::numbered`].
    pub number: String,
    /// 发文机关 — "示范市人民政府督查室".
    pub issuer: String,
    /// 主送 — the unit it is addressed to.
    pub unit: String,
    /// 成文日期 — the day the lateness of its matters is counted on.
    pub date: NaiveDate,
    /// 事项 — the most overdue first.
    pub matters: Vec<NoticeMatter>,
    /// 联系人及电话 — "张敏，0913-2100123", printed under the date; `None`: no such line.
    pub contact: Option<String>,
}

/// One matter on a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeMatter {
    /// 事项类别
    pub kind: MatterKind,
    /// 事项 — what it is, in words.
    pub title: String,
    /// 截止日期 — the last day.
    pub due: NaiveDate,
    /// Calendar days past `due` on the notice's date; negative: before it.
    pub days_late: i64,
    /// 包抓领导 — a notice is copied (抄送) to the leader in charge of a matter past its due
    /// date; `None` where he is not to be told.
    pub leader: Option<String>,
}

impl NoticeMatter {
    /// A due matter as it stands on `date`.
    pub fn from_due(m: &DueMatter, date: NaiveDate) -> NoticeMatter {
        NoticeMatter {
            kind: m.kind,
            title: m.title.clone(),
            due: m.due,
            days_late: (date - m.due).num_days(),
            leader: m.leader.clone(),
        }
    }

    /// 提示 before its due date, 督办 on it, 催办 after it.
    pub fn level(&self) -> ReminderLevel {
        ReminderLevel::for_lateness(self.days_late)
    }

    /// "逾期5天", "今日到期", "还有3天".
    pub fn lateness(&self) -> String {
        match self.days_late {
            0 => "今日到期".to_string(),
            n if n > 0 => format!("逾期{n}天"),
            n => format!("还有{}天", -n),
        }
    }
}

/// Each unit's matters among `matters` as they stand on `date`, in the order each unit first
/// appears, each unit's the most overdue first — one notice's worth a unit. Matters for the
/// office or a leader are not a unit's and are left out.
pub fn by_unit(matters: &[DueMatter], date: NaiveDate) -> Vec<(String, Vec<NoticeMatter>)> {
    let mut out: Vec<(String, Vec<NoticeMatter>)> = Vec::new();
    for m in matters {
        let Recipient::Unit(unit) = &m.owner else {
            continue;
        };
        let matter = NoticeMatter::from_due(m, date);
        match out.iter_mut().find(|(u, _)| u == unit) {
            Some((_, list)) => list.push(matter),
            None => out.push((unit.clone(), vec![matter])),
        }
    }
    for (_, list) in &mut out {
        most_overdue_first(list);
    }
    out
}

/// The most overdue first; matters as late as each other keep their order.
fn most_overdue_first(matters: &mut [NoticeMatter]) {
    matters.sort_by_key(|m| std::cmp::Reverse(m.days_late));
}

impl Notice {
    /// The notice from `issuer` to `unit` on `date` about `matters`: its level the most
    /// serious among them (提示 for none), the matters the most overdue first. It has no
    /// number yet ([`Notice::numbered`]) and no contact line ([`Notice::with_contact`]).
    /// A notice is written for a unit that has matters: one of none has nothing to say.
    pub fn compose(
        issuer: impl Into<String>,
        unit: impl Into<String>,
        date: NaiveDate,
        mut matters: Vec<NoticeMatter>,
    ) -> Notice {
        most_overdue_first(&mut matters);
        Notice {
            level: matters
                .iter()
                .map(NoticeMatter::level)
                .max()
                .unwrap_or(ReminderLevel::Notice),
            number: String::new(),
            issuer: issuer.into(),
            unit: unit.into(),
            date,
            matters,
            contact: None,
        }
    }

    /// The notice with its 文号: the level's name, the year of its date and `serial` —
    /// "催办〔2026〕3号".
    pub fn numbered(self, serial: u32) -> Notice {
        Notice {
            number: format!("{}〔{}〕{serial}号", self.level.label(), self.date.year()),
            ..self
        }
    }

    /// The notice with a 联系人及电话 line.
    pub fn with_contact(self, contact: impl Into<String>) -> Notice {
        Notice {
            contact: Some(contact.into()),
            ..self
        }
    }

    /// 标题 — 提示单, 督办通知单 or 催办单.
    pub fn title(&self) -> &'static str {
        match self.level {
            ReminderLevel::Notice => "提示单",
            ReminderLevel::Urge => "督办通知单",
            ReminderLevel::Press => "催办单",
        }
    }

    /// 标识 — the level in its colour's name, at the top of the notice: "红色催办单".
    pub fn mark(&self) -> String {
        let colour = match self.level {
            ReminderLevel::Notice => "蓝色",
            ReminderLevel::Urge => "黄色",
            ReminderLevel::Press => "红色",
        };
        format!("{colour}{}", self.level.notice_name())
    }

    /// 主送 — "白水县人民政府：".
    pub fn recipient_line(&self) -> String {
        format!("{}：", self.unit)
    }

    /// 正文 — what the matters are, what the unit is to do and by when, and the closing
    /// ("特此催办。"), a paragraph each.
    pub fn body(&self) -> Vec<String> {
        let count =
            |keep: fn(i64) -> bool| self.matters.iter().filter(|m| keep(m.days_late)).count();
        let late = count(|d| d > 0);
        let today = count(|d| d == 0);
        let soon = count(|d| d < 0);
        let n = self.matters.len();
        let what = match (late, today, soon) {
            (_, 0, 0) => format!("你单位承办的下列{n}项事项已超过办理时限，至今尚未办理完毕。"),
            (0, _, 0) => format!("你单位承办的下列{n}项事项今日到期。"),
            (0, 0, _) => format!("你单位承办的下列{n}项事项即将到期。"),
            _ => {
                let parts: Vec<String> = [
                    (late, "已超过办理时限"),
                    (today, "今日到期"),
                    (soon, "即将到期"),
                ]
                .into_iter()
                .filter(|(k, _)| *k > 0)
                .map(|(k, words)| format!("{k}项{words}"))
                .collect();
                format!("你单位承办的下列{n}项事项中，{}。", parts.join("，"))
            }
        };
        let issuer = &self.issuer;
        let ask = match self.level {
            ReminderLevel::Press => format!(
                "请你单位高度重视，逐项查明原因、落实责任，于收到本单后{REPLY_WITHIN}个工作日内办理完毕；确实不能办结的，请在同一时限内将办理进展、逾期原因和下步措施书面报{issuer}。逾期仍未办理的，将报请包抓领导督办，并在督查通报中予以通报。"
            ),
            ReminderLevel::Urge => format!(
                "请你单位抓紧办理，确保在截止日期前办理完毕，并将办理情况书面报{issuer}；因故不能按期办结的，请在截止日期前说明原因，按程序申请延期。"
            ),
            ReminderLevel::Notice => "请你单位提前谋划、合理安排，确保在截止日期前办理完毕，并按要求反馈办理情况；因故不能按期办结的，请在截止日期前说明原因，按程序申请延期。".to_string(),
        };
        vec![
            format!("{what}{ask}"),
            format!("特此{}。", self.level.label()),
        ]
    }

    /// 事项清单 — 序号, 事项类别, 事项, 截止日期 and 逾期天数 ("逾期5天", "今日到期", "还有3天"),
    /// the most overdue first.
    pub fn table(&self) -> Table {
        Table {
            title: format!("事项清单（共{}项）", self.matters.len()),
            header: NOTICE_TABLE_HEADER.map(String::from).to_vec(),
            rows: self
                .matters
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    vec![
                        (i + 1).to_string(),
                        m.kind.label().to_string(),
                        m.title.clone(),
                        day(m.due),
                        m.lateness(),
                    ]
                })
                .collect(),
        }
    }

    /// 成文日期 in words: "2026年3月9日".
    pub fn date_text(&self) -> String {
        day(self.date)
    }

    /// 附注 — "（联系人及电话：张敏，0913-2100123）", if there is a contact.
    pub fn contact_line(&self) -> Option<String> {
        self.contact
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| format!("（联系人及电话：{c}）"))
    }

    /// 抄送 — the leaders in charge of the matters past their due date, each once, in the
    /// order of the table.
    pub fn copied_to(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in self.matters.iter().filter(|m| m.days_late > 0) {
            if let Some(l) = m.leader.as_deref()
                && !out.contains(&l)
            {
                out.push(l);
            }
        }
        out
    }

    /// "抄送：李明同志，王芳同志。", if the notice is copied to anyone.
    pub fn copy_line(&self) -> Option<String> {
        let to = self.copied_to();
        (!to.is_empty()).then(|| {
            let names: Vec<String> = to.iter().map(|l| format!("{l}同志")).collect();
            format!("抄送：{}。", names.join("，"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Monday 9 March 2026.
    fn today() -> NaiveDate {
        d("2026-03-09")
    }

    fn due(kind: MatterKind, key: &str, unit: &str, due: &str, leader: Option<&str>) -> DueMatter {
        DueMatter {
            kind,
            key: key.into(),
            title: format!("事项{key}"),
            owner: Recipient::Unit(unit.into()),
            leader: leader.map(String::from),
            due: d(due),
        }
    }

    fn matter(key: &str, due_on: &str) -> NoticeMatter {
        NoticeMatter::from_due(&due(MatterKind::Task, key, "白水县", due_on, None), today())
    }

    /// Days counted by hand from 9 March 2026: 27 February is 10 days before (1 day to the
    /// 28th — 2026 is not a leap year —, 1 to 1 March, 8 more to the 9th); 31 December 2025
    /// is 68 (31 of January, 28 of February, 9 of March); 12 March is 3 days ahead.
    #[test]
    fn lateness_is_counted_in_calendar_days_and_said_in_words() {
        let cases = [
            ("2025-12-31", 68, "逾期68天", ReminderLevel::Press),
            ("2026-02-27", 10, "逾期10天", ReminderLevel::Press),
            ("2026-03-08", 1, "逾期1天", ReminderLevel::Press),
            ("2026-03-09", 0, "今日到期", ReminderLevel::Urge),
            ("2026-03-12", -3, "还有3天", ReminderLevel::Notice),
        ];
        for (due_on, days, words, level) in cases {
            let m = matter("1", due_on);
            assert_eq!(m.days_late, days, "{due_on}");
            assert_eq!(m.lateness(), words, "{due_on}");
            assert_eq!(m.level(), level, "{due_on}");
        }
    }

    #[test]
    fn the_notice_takes_the_most_serious_level_among_its_matters() {
        let notice = |dues: &[&str]| {
            let matters = dues.iter().map(|due_on| matter("1", due_on)).collect();
            Notice::compose("示范市人民政府督查室", "白水县人民政府", today(), matters)
        };
        let n = notice(&["2026-03-12", "2026-03-10"]);
        assert_eq!(
            (n.level, n.title(), n.mark().as_str()),
            (ReminderLevel::Notice, "提示单", "蓝色提示单")
        );
        let n = notice(&["2026-03-12", "2026-03-09"]);
        assert_eq!(
            (n.level, n.title(), n.mark().as_str()),
            (ReminderLevel::Urge, "督办通知单", "黄色督办单")
        );
        let n = notice(&["2026-03-12", "2026-03-09", "2026-03-08"]);
        assert_eq!(
            (n.level, n.title(), n.mark().as_str()),
            (ReminderLevel::Press, "催办单", "红色催办单")
        );
        assert_eq!(n.numbered(3).number, "催办〔2026〕3号");
        assert_eq!(
            notice(&["2026-03-09"]).numbered(12).number,
            "督办〔2026〕12号"
        );
        assert_eq!(notice(&[]).level, ReminderLevel::Notice);
    }

    #[test]
    fn the_table_lists_the_most_overdue_first() {
        let matters = vec![
            matter("A", "2026-03-12"),
            matter("B", "2026-02-27"),
            matter("C", "2026-03-09"),
            matter("D", "2025-12-31"),
            matter("E", "2026-02-27"),
        ];
        let n = Notice::compose("示范市人民政府督查室", "白水县人民政府", today(), matters);
        let t = n.table();
        assert_eq!(t.header, NOTICE_TABLE_HEADER);
        assert_eq!(t.title, "事项清单（共5项）");
        let rows: Vec<Vec<&str>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            rows,
            [
                ["1", "交办办结", "事项D", "2025年12月31日", "逾期68天"],
                // As late as each other: in the order given.
                ["2", "交办办结", "事项B", "2026年2月27日", "逾期10天"],
                ["3", "交办办结", "事项E", "2026年2月27日", "逾期10天"],
                ["4", "交办办结", "事项C", "2026年3月9日", "今日到期"],
                ["5", "交办办结", "事项A", "2026年3月12日", "还有3天"],
            ]
        );
        assert_eq!(n.date_text(), "2026年3月9日");
        assert_eq!(n.recipient_line(), "白水县人民政府：");
    }

    #[test]
    fn the_body_says_how_many_are_late_and_what_to_do() {
        let compose = |matters| Notice::compose("示范市人民政府督查室", "白水县", today(), matters);
        let n = compose(vec![
            matter("A", "2026-03-12"),
            matter("B", "2026-02-27"),
            matter("C", "2026-03-09"),
            matter("D", "2025-12-31"),
        ]);
        let body = n.body();
        assert_eq!(body.len(), 2);
        assert!(
            body[0].starts_with(
                "你单位承办的下列4项事项中，2项已超过办理时限，1项今日到期，1项即将到期。请你单位高度重视"
            ),
            "{}",
            body[0]
        );
        assert!(body[0].contains("于收到本单后3个工作日内办理完毕"));
        assert!(body[0].contains("书面报示范市人民政府督查室"));
        assert_eq!(body[1], "特此催办。");

        let n = compose(vec![matter("B", "2026-02-27")]);
        assert!(
            n.body()[0].starts_with("你单位承办的下列1项事项已超过办理时限，至今尚未办理完毕。")
        );
        let n = compose(vec![matter("C", "2026-03-09"), matter("A", "2026-03-12")]);
        assert!(
            n.body()[0].starts_with(
                "你单位承办的下列2项事项中，1项今日到期，1项即将到期。请你单位抓紧办理"
            )
        );
        assert_eq!(n.body()[1], "特此督办。");
        let n = compose(vec![matter("A", "2026-03-12")]);
        assert!(n.body()[0].starts_with("你单位承办的下列1项事项即将到期。请你单位提前谋划"));
        assert_eq!(n.body()[1], "特此提示。");
    }

    #[test]
    fn overdue_matters_are_copied_to_their_leaders_once() {
        let m = |key, due_on, leader| {
            NoticeMatter::from_due(
                &due(MatterKind::Problem, key, "白水县", due_on, leader),
                today(),
            )
        };
        let n = Notice::compose(
            "示范市人民政府督查室",
            "白水县",
            today(),
            vec![
                m("1", "2026-03-01", Some("王芳")),
                m("2", "2026-02-01", Some("李明")),
                m("3", "2026-03-05", Some("李明")),
                // Not yet late: its leader is not told.
                m("4", "2026-03-09", Some("赵强")),
                m("5", "2026-03-02", None),
            ],
        );
        assert_eq!(n.copied_to(), ["李明", "王芳"]);
        assert_eq!(n.copy_line().as_deref(), Some("抄送：李明同志，王芳同志。"));
        assert_eq!(n.contact_line(), None);
        let n = n.with_contact(" 张敏，0913-2100123 ");
        assert_eq!(
            n.contact_line().as_deref(),
            Some("（联系人及电话：张敏，0913-2100123）")
        );
    }

    #[test]
    fn matters_are_grouped_by_their_unit() {
        let mut office = due(MatterKind::Verification, "9", "", "2026-03-01", None);
        office.owner = Recipient::Office;
        let matters = [
            due(MatterKind::Report, "1", "白水县", "2026-03-10", None),
            due(
                MatterKind::Milestone,
                "2",
                "市交通运输局",
                "2026-03-02",
                None,
            ),
            office,
            due(
                MatterKind::Problem,
                "3",
                "白水县",
                "2026-03-06",
                Some("李明"),
            ),
        ];
        let groups = by_unit(&matters, today());
        let shape: Vec<(&str, Vec<(&str, i64)>)> = groups
            .iter()
            .map(|(u, ms)| {
                (
                    u.as_str(),
                    ms.iter().map(|m| (m.title.as_str(), m.days_late)).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("白水县", vec![("事项3", 3), ("事项1", -1)]),
                ("市交通运输局", vec![("事项2", 7)]),
            ]
        );
        assert_eq!(groups[0].1[0].kind, MatterKind::Problem);
        assert_eq!(groups[0].1[0].leader.as_deref(), Some("李明"));
    }
}
