//! 演示数据 — a deterministic, realistic demo ledger: a fictional city with its counties and
//! districts, 30 departments, city leaders and a year of key items with milestones.
//!
//! The same seed and year always give the same ledger, on every machine and every version of
//! the dependencies (the generator is a fixed SplitMix64, not `rand`).

use chrono::{Datelike, NaiveDate};

use duban_core::PlanDate;
use duban_core::item::{Item, ItemKind, Level, MonthlyPlan, Nature, Stage};
use duban_core::leader::Leader;
use duban_core::milestone::{Milestone, MilestoneTemplate};
use duban_core::money::Wan;
use duban_core::unit::{Unit, UnitKind};

mod supervision;
pub use supervision::{DemoContact, DemoTask, DemoTaskMove, contacts, tasks};

/// 规模 — how large a demo ledger to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// 市级 — about 2,000 items.
    City,
    /// 省级 — about 50,000 items.
    Province,
    /// 全国 — a national programme, or a province's every county-level ledger together:
    /// 1,000,000 items.
    National,
    /// 指定项数 — exactly this many items.
    Items(usize),
}

impl Scale {
    pub fn item_count(self) -> usize {
        match self {
            Scale::City => 2_000,
            Scale::Province => 50_000,
            Scale::National => 1_000_000,
            Scale::Items(n) => n,
        }
    }
}

/// The city the demo describes (fictional).
pub const DEMO_CITY: &str = "示范市";

/// A demo ledger: the unit directory, then the items with their milestones.
#[derive(Debug, Clone)]
pub struct DemoLedger {
    pub units: Vec<Unit>,
    pub items: Vec<(Item, Vec<Milestone>)>,
    /// 纳入日期 by code — the day each item was put on the ledger: the year's ledger on 20
    /// December before it, and a quarter of the key tasks (会议议定事项) during the year, each
    /// counted and asked for reports only from that month on.
    pub listed: std::collections::HashMap<String, NaiveDate>,
}

impl DemoLedger {
    /// The day `code` was put on the ledger.
    pub fn listed_on(&self, code: &str) -> Option<NaiveDate> {
        self.listed.get(code).copied()
    }
}

/// A fixed pseudo-random sequence (SplitMix64).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const REGIONS: &[&str] = &[
    "青山区",
    "白水县",
    "云台县",
    "龙泉县",
    "石门县",
    "清河县",
    "桃源县",
    "凤鸣区",
    "高新技术产业开发区",
    "经济技术开发区",
];

/// (full name, aliases)
const DEPARTMENTS: &[(&str, &[&str])] = &[
    ("市发展和改革委员会", &["市发改委", "发改"]),
    ("市财政局", &["财政"]),
    ("市自然资源和规划局", &["市自然资源局", "国土", "自然资源"]),
    ("市生态环境局", &["生态环境", "环保"]),
    ("市住房和城乡建设局", &["市住建局", "住建"]),
    ("市交通运输局", &["市交通局", "交通"]),
    ("市水利局", &["水利"]),
    ("市商务局", &["商务"]),
    ("市统计局", &["统计"]),
    ("市工业和信息化局", &["市工信局", "工信"]),
    ("市教育局", &["教育"]),
    ("市卫生健康委员会", &["市卫健委", "卫健"]),
    ("市农业农村局", &["农业农村"]),
    ("市文化和旅游局", &["市文旅局", "文旅"]),
    ("市应急管理局", &["应急"]),
    ("市市场监督管理局", &["市市场监管局", "市场监管"]),
    ("市城市管理局", &["市城管局", "城管"]),
    ("市科学技术局", &["市科技局", "科技"]),
    ("市人力资源和社会保障局", &["市人社局", "人社"]),
    ("市民政局", &["民政"]),
    ("市公安局", &["公安"]),
    ("市审计局", &["审计"]),
    ("市林业局", &["林业"]),
    ("市能源局", &["能源"]),
    ("市投资促进局", &["市投促局", "投促"]),
    ("市行政审批服务局", &["市审批局", "审批"]),
    ("市人民政府国有资产监督管理委员会", &["市国资委", "国资"]),
    ("市地方金融管理局", &["市金融办", "金融"]),
    ("市医疗保障局", &["市医保局", "医保"]),
    ("市数据局", &["市大数据局", "数据"]),
];

const LEADERS: &[(&str, &str)] = &[
    ("周明远", "市长"),
    ("陈立新", "常务副市长"),
    ("李文博", "副市长"),
    ("王海峰", "副市长"),
    ("赵晓雯", "副市长"),
    ("孙建平", "副市长"),
    ("刘志刚", "副市长"),
    ("杨秀兰", "副市长"),
    ("吴国华", "市政府秘书长"),
];

/// Town stems; each region gets its own towns (城关镇, 东关镇, …).
const TOWNS: &[&str] = &[
    "城关镇",
    "东关镇",
    "西关镇",
    "南湖镇",
    "北山镇",
    "河口镇",
    "柳林镇",
    "杨庄镇",
    "马坊镇",
    "石桥镇",
    "新集镇",
    "高庙镇",
    "永安镇",
    "双河镇",
    "太平镇",
    "黄堡镇",
    "龙门镇",
    "白沙镇",
    "红星街道",
    "滨河街道",
];
const PHASES: &[&str] = &[
    "", "二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期", "十期",
];

const INDUSTRY: &[&str] = &[
    "新型建材",
    "高端装备制造",
    "新能源电池",
    "光伏组件",
    "生物医药",
    "绿色食品加工",
    "智能终端",
    "精细化工",
    "纺织服装",
    "汽车零部件",
    "电子信息",
    "新材料",
    "冷链物流",
    "数据中心",
];
const INFRA: &[&str] = &[
    "城区污水处理厂提标改造工程",
    "快速路建设工程",
    "综合管廊工程",
    "供水管网改造工程",
    "农村公路提质改造工程",
    "老旧小区改造工程",
    "城市更新片区项目",
    "水库除险加固工程",
    "河道综合治理工程",
    "天然气管网工程",
    "220千伏输变电工程",
    "物流园区基础设施项目",
];
const SOCIAL: &[&str] = &[
    "人民医院新院区",
    "第一中学扩建",
    "职业教育实训基地",
    "养老服务中心",
    "妇幼保健院",
    "全民健身中心",
    "保障性租赁住房",
    "文化艺术中心",
    "公共卫生应急中心",
    "社区服务综合体",
];
const TASKS: &[&str] = &[
    "优化营商环境专项行动",
    "招商引资攻坚行动",
    "“四上”企业培育",
    "专项债券项目储备和申报",
    "土地要素保障攻坚",
    "重点项目审批提速",
    "闲置低效用地清理处置",
    "规上工业企业提质增效",
    "城乡环境综合整治",
    "农村人居环境整治提升",
    "数字政府建设",
    "稳就业促增收行动",
];
const LIVELIHOOD: &[&str] = &[
    "新建城区公办幼儿园",
    "城区停车位建设",
    "农村饮水安全巩固提升",
    "老年助餐点建设",
    "公共充电桩建设",
    "背街小巷改造",
    "口袋公园建设",
    "公厕提升改造",
    "校园食堂明厨亮灶",
];
const INVESTMENT: &[&str] = &[
    "年产5万吨锂电池正极材料",
    "智能制造产业园",
    "预制菜产业园",
    "光伏储能一体化",
    "冷链物流中心",
    "文旅综合体",
    "半导体封装测试",
    "新能源汽车零部件产业园",
];
const CATEGORIES: &[&str] = &["产业", "基础设施", "社会民生", "生态环保"];

fn wan(yuan_wan: u64) -> Wan {
    Wan::from_yuan(yuan_wan as i64 * 10_000)
}

/// Builds the demo ledger for `year`.
pub fn generate(scale: Scale, seed: u64, year: i32) -> DemoLedger {
    let mut dice = Dice(seed ^ 0x6475_6261_6e00_0000);
    let mut units = vec![Unit::new(DEMO_CITY, UnitKind::Region)];
    for r in REGIONS {
        let mut u = Unit::new(*r, UnitKind::Region);
        u.parent = Some(DEMO_CITY.into());
        if let Some(short) = r.strip_suffix("技术产业开发区") {
            u.aliases.push(format!("{short}区"));
        } else if let Some(short) = r.strip_suffix("技术开发区") {
            u.aliases.push(format!("{short}开发区"));
            u.aliases.push("经开区".into());
        }
        units.push(u);
    }
    for (name, aliases) in DEPARTMENTS {
        let mut u = Unit::new(*name, UnitKind::Department);
        u.parent = Some(DEMO_CITY.into());
        u.aliases = aliases.iter().map(|a| a.to_string()).collect();
        units.push(u);
    }

    let n = scale.item_count();
    let mut items = Vec::with_capacity(n);
    let mut listed = std::collections::HashMap::with_capacity(n);
    let ledger_day = NaiveDate::from_ymd_opt(year - 1, 12, 20).expect("valid date");
    let mut seq = [0usize; 4];
    let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for _ in 0..n {
        let kind = match dice.below(100) {
            0..=69 => ItemKind::Project,
            70..=84 => ItemKind::Task,
            85..=92 => ItemKind::Livelihood,
            _ => ItemKind::Investment,
        };
        let k = ItemKind::ALL.iter().position(|x| *x == kind).unwrap_or(0);
        seq[k] += 1;
        let code = format!("{}{}{:05}", kind.code_prefix(), year, seq[k]);
        let region = *dice.pick(REGIONS);
        let dept = dice.pick(DEPARTMENTS).0;
        let (leader_name, leader_title) = *dice.pick(LEADERS);
        let town = *dice.pick(TOWNS);
        let (stem, category) = match kind {
            ItemKind::Project => match dice.below(3) {
                0 => (format!("{region}{town}{}项目", dice.pick(INDUSTRY)), "产业"),
                1 => (format!("{region}{town}{}", dice.pick(INFRA)), "基础设施"),
                _ => (format!("{region}{}项目", dice.pick(SOCIAL)), "社会民生"),
            },
            ItemKind::Task => (format!("{region}{}", dice.pick(TASKS)), "重点工作"),
            ItemKind::Livelihood => (
                format!("{region}{town}{}", dice.pick(LIVELIHOOD)),
                "社会民生",
            ),
            ItemKind::Investment => (
                format!("{region}{town}{}项目", dice.pick(INVESTMENT)),
                "产业",
            ),
        };
        // A name met again is the next phase (二期, 三期, …), then a numbered batch.
        let n = names.entry(stem.clone()).or_insert(0usize);
        *n += 1;
        let name = match (*n, kind) {
            (1, _) => stem,
            (k, ItemKind::Project | ItemKind::Investment) if k <= PHASES.len() => {
                format!("{stem}（{}）", PHASES[k - 1])
            }
            (k, _) => format!("{stem}（第{k}批）"),
        };
        // Departments lead half the key tasks and some city infrastructure (市住建局's roads).
        let lead = if (kind == ItemKind::Task && dice.chance(50))
            || (category == "基础设施" && dice.chance(25))
        {
            dept
        } else {
            region
        };
        let mut item = Item::new(year, kind, name, lead);
        item.code = code;
        item.region = Some(region.to_string());
        item.category = Some(
            if kind == ItemKind::Task {
                *dice.pick(CATEGORIES)
            } else {
                category
            }
            .into(),
        );
        item.leader = Some(Leader::new(leader_name, Some(leader_title)));
        if lead == region && dice.chance(60) {
            let co = dice.pick(DEPARTMENTS).0;
            item.co_units.push(co.to_string());
            let co2 = dice.pick(DEPARTMENTS).0;
            if co2 != co && dice.chance(40) {
                item.co_units.push(co2.to_string());
            }
        }
        item.level = Some(match dice.below(10) {
            0 => Level::Provincial,
            1..=6 => Level::Municipal,
            _ => Level::County,
        });
        let mut milestones = Vec::new();
        if kind != ItemKind::Task {
            // Total investment between 500 万元 and 80 亿元, skewed small.
            let total = 500 + dice.below(20_000) * dice.below(40) + dice.below(5_000);
            // Livelihood projects are small: schools, parking, water — mostly under 2 亿元.
            let total = if kind == ItemKind::Livelihood {
                200 + total / 20
            } else {
                total
            };
            let stage = match dice.below(100) {
                0..=4 => Stage::Reserve,
                5..=19 => Stage::Preparation,
                20..=44 => Stage::ToStart,
                45..=84 => Stage::UnderConstruction,
                85..=94 => Stage::Completed,
                _ => Stage::InOperation,
            };
            let share = 20 + dice.below(60); // annual plan as a share of the total, %
            let annual = total * share / 100;
            item.total_investment = Some(wan(total));
            item.annual_plan = Some(wan(annual));
            item.stage = Some(stage);
            item.nature = Some(match stage {
                Stage::UnderConstruction | Stage::Completed | Stage::InOperation => {
                    if dice.chance(80) {
                        Nature::Continued
                    } else {
                        Nature::Expansion
                    }
                }
                _ => {
                    if dice.chance(85) {
                        Nature::New
                    } else {
                        Nature::Renovation
                    }
                }
            });
            item.owner = Some(format!("{}有限公司", item_owner(&mut dice, region)));
            item.location = Some(format!(
                "{region}{}",
                dice.pick(&["城区", "工业园区", "新区", "北部片区", "南部片区"])
            ));
            item.scale = Some(format!(
                "总建筑面积约{}万平方米，主要建设{}等",
                1 + dice.below(30),
                dice.pick(&[
                    "生产厂房、仓储及配套设施",
                    "主体工程及附属设施",
                    "道路、管网及绿化",
                    "综合楼、实训楼及运动场"
                ])
            ));
            let start_month = 1 + dice.below(9) as u32;
            let start = match stage {
                Stage::UnderConstruction | Stage::Completed | Stage::InOperation => {
                    PlanDate::month(year - 1, 3 + dice.below(9) as u32)
                }
                _ => PlanDate::month(year, start_month),
            }
            .expect("valid month");
            let months = 6 + dice.below(30) as u32;
            let end_index =
                start.year() * 12 + start.first_day().month() as i32 - 1 + months as i32;
            let end =
                PlanDate::month(end_index / 12, (end_index % 12) as u32 + 1).expect("valid month");
            item.planned_start = Some(if dice.chance(30) {
                PlanDate::Day(start.first_day() + chrono::Days::new(dice.below(28)))
            } else {
                start
            });
            item.planned_end = Some(end);
            item.in_statistics = Some(
                matches!(
                    stage,
                    Stage::UnderConstruction | Stage::Completed | Stage::InOperation
                ) || dice.chance(20),
            );
            if dice.chance(40) {
                item.monthly_plan = Some(monthly_plan(&mut dice, annual));
            }
            if matches!(
                stage,
                Stage::ToStart | Stage::UnderConstruction | Stage::Completed | Stage::InOperation
            ) {
                let from = start.first_day();
                let to = end.last_day();
                milestones = MilestoneTemplate::Construction.schedule_between(from, to);
                mark_done(&mut dice, &mut milestones, year);
                // Registered in the statistics system once started, mostly.
                if milestones.first().is_some_and(|m| m.actual.is_some()) && dice.chance(92) {
                    item.in_statistics = Some(true);
                }
            } else if stage == Stage::Preparation {
                let target = PlanDate::month(year, 6 + dice.below(6) as u32)
                    .expect("valid")
                    .last_day();
                milestones = MilestoneTemplate::Preparation.schedule_back(target);
                mark_done(&mut dice, &mut milestones, year);
            }
        } else {
            // A quarter of the tasks come from meetings during the year (2月–10月), due
            // three to six months after.
            let from = if dice.chance(25) {
                let day = NaiveDate::from_ymd_opt(year, 2 + dice.below(9) as u32, 1)
                    .expect("valid date")
                    + chrono::Days::new(dice.below(28));
                listed.insert(item.code.clone(), day);
                day.month()
            } else {
                0
            };
            let last = (from + 3 + dice.below(4) as u32).min(12);
            let due_month = if from == 0 {
                6 + dice.below(7) as u32
            } else {
                last
            };
            let due = PlanDate::month(year, due_month).expect("valid");
            item.planned_end = Some(due);
            for (idx, step) in ["制定方案", "组织实施", "总结验收"].iter().enumerate() {
                let m = from + (due_month - from) * (idx as u32 + 1) / 3;
                milestones.push(Milestone {
                    baseline: None,
                    name: (*step).to_string(),
                    planned: Some(PlanDate::month(year, m.max(1)).expect("valid").last_day()),
                    actual: None,
                });
            }
            mark_done(&mut dice, &mut milestones, year);
            if let Some(day) = listed.get(&item.code) {
                for m in &mut milestones {
                    m.actual = m.actual.map(|a| a.max(*day));
                }
            }
        }
        if dice.chance(15) {
            item.tags.push(
                dice.pick(&["专项债", "省市县联动", "新开工", "招商引资", "民生"])
                    .to_string(),
            );
        }
        if dice.chance(10) {
            item.notes = Some(
                dice.pick(&[
                    "需协调用地指标",
                    "资金已落实",
                    "列入年度考核",
                    "涉及跨区域协调",
                ])
                .to_string(),
            );
        }
        listed.entry(item.code.clone()).or_insert(ledger_day);
        items.push((item, milestones));
    }
    DemoLedger {
        units,
        items,
        listed,
    }
}

fn item_owner(dice: &mut Dice, region: &str) -> String {
    let stem: String = region.chars().take(2).collect();
    format!(
        "{stem}{}",
        dice.pick(&[
            "城市建设投资",
            "产业发展",
            "交通投资",
            "水务",
            "新能源科技",
            "实业",
            "文化旅游发展"
        ])
    )
}

/// A cumulative monthly plan summing to `annual`, heavier in the second half (as real ones are).
fn monthly_plan(dice: &mut Dice, annual: u64) -> MonthlyPlan {
    let weights: Vec<u64> = (1..=12u64).map(|m| 4 + m + dice.below(4)).collect();
    let sum: u64 = weights.iter().sum();
    let annual_yuan = annual as i64 * 10_000;
    let mut acc = 0u64;
    let mut out = Vec::with_capacity(12);
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        let cumulative = if i == 11 {
            annual_yuan
        } else {
            annual_yuan * acc as i64 / sum as i64
        };
        out.push(Wan::from_yuan(cumulative));
    }
    MonthlyPlan(out)
}

/// Marks the milestones planned before November of the demo year as reached, most on time,
/// some late, some not at all.
fn mark_done(dice: &mut Dice, milestones: &mut [Milestone], year: i32) {
    let cutoff = NaiveDate::from_ymd_opt(year, 11, 1).expect("valid date");
    for m in milestones.iter_mut() {
        let Some(planned) = m.planned else { continue };
        if planned >= cutoff {
            break;
        }
        match dice.below(40) {
            0 => break, // stalled here
            1..=6 => m.actual = Some(planned + chrono::Days::new(5 + dice.below(40))),
            _ => m.actual = Some(planned - chrono::Days::new(dice.below(10))),
        }
        if m.actual.is_some_and(|a| a >= cutoff) {
            m.actual = None;
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ledger() {
        let a = generate(Scale::City, 7, 2025);
        let b = generate(Scale::City, 7, 2025);
        assert_eq!(a.items, b.items);
        let c = generate(Scale::City, 8, 2025);
        assert_ne!(a.items, c.items);
    }

    #[test]
    fn city_demo_is_valid_and_realistic() {
        let d = generate(Scale::City, 1, 2025);
        assert_eq!(d.items.len(), 2_000);
        let regions = d
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Region)
            .count();
        let depts = d
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Department)
            .count();
        assert_eq!((regions, depts), (11, 30));
        let mut codes = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for (item, milestones) in &d.items {
            assert!(
                item.validate().is_empty(),
                "{} {:?}",
                item.code,
                item.validate()
            );
            assert!(
                codes.insert(item.code.clone()),
                "duplicate code {}",
                item.code
            );
            assert!(
                names.insert(item.name.clone()),
                "duplicate name {}",
                item.name
            );
            assert!(milestones.windows(2).all(|w| w[0].planned <= w[1].planned));
            assert!(d.units.iter().any(|u| u.answers_to(&item.lead_unit)));
        }
        let kinds: std::collections::HashSet<_> = d.items.iter().map(|(i, _)| i.kind).collect();
        assert_eq!(kinds.len(), 4);
        assert!(d.items.iter().any(|(i, _)| i.monthly_plan.is_some()));
        assert!(d.items.iter().filter(|(_, m)| !m.is_empty()).count() > 1_000);
    }
}

/// A demo progress report: item, month, year-to-date (items with money) or the progress in
/// words (key tasks), and the day it was submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    pub code: String,
    pub period: duban_core::Period,
    pub ytd: Option<Wan>,
    /// 形象进度
    pub progress: Option<String>,
    pub submitted_on: NaiveDate,
}

/// When a report for `period` was submitted (most on time, some late), or `None` (漏报).
fn submitted(dice: &mut Dice, period: duban_core::Period) -> Option<NaiveDate> {
    let roll = dice.below(100);
    if roll < 4 {
        return None;
    }
    let due = period.due(duban_core::report::DEFAULT_DUE_DAY);
    Some(if roll < 12 {
        due + chrono::Days::new(1 + dice.below(10)) // 迟报
    } else {
        due - chrono::Days::new(dice.below(5))
    })
}

/// A year of monthly reports for the demo's items with money, from January to `until`: most
/// items on track, some lagging, some stalled after a few months, a few never started; most
/// reports on time, some late (迟报), some missing (漏报).
pub fn reports(ledger: &DemoLedger, seed: u64, until: duban_core::Period) -> Vec<DemoReport> {
    let mut dice = Dice(seed ^ 0x7265_706f_7274_7300);
    let mut out = Vec::new();
    for (item, milestones) in &ledger.items {
        if matches!(item.stage, Some(Stage::Reserve)) || until.year() < item.year {
            continue;
        }
        let last = if until.year() > item.year {
            12
        } else {
            until.last_day().month()
        };
        // Reports start with the month the item was put on the ledger.
        let first = match ledger.listed_on(&item.code) {
            Some(d) if d.year() == item.year => d.month(),
            Some(d) if d.year() > item.year => continue,
            _ => 1,
        };
        let (Some(annual), Some(total)) = (item.annual_plan, item.total_investment) else {
            // A key task reports its progress in words: the milestones reached so far.
            for month in first..=last {
                let period = duban_core::Period::month(item.year, month).expect("month 1-12");
                let Some(submitted_on) = submitted(&mut dice, period) else {
                    continue;
                };
                let end = period.last_day();
                let done = milestones
                    .iter()
                    .filter(|m| m.actual.is_some_and(|a| a <= end))
                    .count();
                out.push(DemoReport {
                    code: item.code.clone(),
                    period,
                    ytd: None,
                    progress: Some(match milestones.get(done) {
                        _ if done == milestones.len() => "已全部完成".to_string(),
                        Some(next) => format!("已完成{done}个节点，正在推进“{}”", next.name),
                        None => "按计划推进".to_string(),
                    }),
                    submitted_on,
                });
            }
            continue;
        };
        // Pace against the plan, in percent, and the month it stalls after.
        let (pace, stall_after) = match dice.below(100) {
            0..=59 => (95 + dice.below(30), 13),
            60..=84 => (50 + dice.below(35), 13),
            85..=94 => (80 + dice.below(30), 2 + dice.below(5) as u32),
            _ => (0, 0),
        };
        let mut ytd = 0i64;
        for month in 1..=last {
            let effective = month.min(stall_after);
            // The plan by the month's end, as the status engine reckons it (序时进度).
            let planned = if effective == 0 {
                0
            } else {
                let t = duban_core::status::time_progress(
                    item,
                    duban_core::date::month_end(item.year, effective),
                );
                (rust_decimal::Decimal::from(annual.yuan()) * t
                    / rust_decimal::Decimal::ONE_HUNDRED)
                    .try_into()
                    .unwrap_or(0i64)
            };
            ytd = ytd.max(planned * pace as i64 / 100).min(total.yuan());
            let period = duban_core::Period::month(item.year, month).expect("month 1-12");
            if month < first {
                continue;
            }
            let Some(submitted_on) = submitted(&mut dice, period) else {
                continue; // 漏报
            };
            out.push(DemoReport {
                code: item.code.clone(),
                period,
                ytd: Some(Wan::from_yuan(ytd)),
                progress: None,
                submitted_on,
            });
        }
    }
    out
}

#[cfg(test)]
mod report_tests {
    use super::*;

    #[test]
    fn demo_reports_are_valid_and_mixed() {
        let ledger = generate(Scale::City, 1, 2025);
        let until = duban_core::Period::month(2025, 10).unwrap();
        let reports = reports(&ledger, 1, until);
        assert!(reports.len() > 10_000, "{}", reports.len());
        assert_eq!(reports, super::reports(&ledger, 1, until), "deterministic");
        let totals: std::collections::HashMap<&str, Wan> = ledger
            .items
            .iter()
            .filter_map(|(i, _)| i.total_investment.map(|t| (i.code.as_str(), t)))
            .collect();
        let mut last: std::collections::HashMap<&str, Wan> = Default::default();
        let mut late = 0;
        let mut tasks = 0;
        for r in &reports {
            assert!(
                ledger.listed_on(&r.code).unwrap() <= r.period.last_day(),
                "{} reports {} before it was listed",
                r.code,
                r.period
            );
            late += usize::from(r.submitted_on > r.period.due(duban_core::report::DEFAULT_DUE_DAY));
            let Some(ytd) = r.ytd else {
                assert!(r.progress.is_some(), "a task reports in words");
                tasks += 1;
                continue;
            };
            assert!(ytd <= totals[r.code.as_str()]);
            let prev = last.insert(r.code.as_str(), ytd).unwrap_or(Wan::ZERO);
            assert!(ytd >= prev, "year-to-date never goes down");
        }
        assert!(late > 100 && late < reports.len() / 5, "{late} late");
        assert!(tasks > 1_000, "key tasks report too: {tasks}");
    }

    #[test]
    fn items_are_listed_before_the_year_or_when_a_meeting_hands_them_down() {
        let ledger = generate(Scale::City, 1, 2025);
        let before = NaiveDate::from_ymd_opt(2024, 12, 20).unwrap();
        let mut during = 0;
        for (item, milestones) in &ledger.items {
            let on = ledger.listed_on(&item.code).unwrap();
            if on == before {
                continue;
            }
            during += 1;
            assert_eq!((item.kind, on.year()), (ItemKind::Task, 2025));
            assert!(
                milestones
                    .iter()
                    .all(|m| m.planned.unwrap() >= on && m.actual.is_none_or(|a| a >= on)),
                "{}: nothing planned or done before it was listed",
                item.code
            );
        }
        assert!(
            (30..150).contains(&during),
            "{during} listed during the year"
        );
        // Departments lead key tasks and some infrastructure.
        let departments: Vec<&str> = DEPARTMENTS.iter().map(|(n, _)| *n).collect();
        let led = |k: ItemKind| {
            ledger
                .items
                .iter()
                .filter(|(i, _)| i.kind == k && departments.contains(&i.lead_unit.as_str()))
                .count()
        };
        assert!(led(ItemKind::Task) > 100 && led(ItemKind::Project) > 50);
    }
}

/// A demo problem and the state the demo drives it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoProblem {
    pub code: String,
    /// The item's lead unit, who raises it.
    pub unit: String,
    /// Who it is assigned to (交办): the lead unit, or for some a co-operating department.
    pub assigned: String,
    pub category: duban_core::ProblemCategory,
    pub escalation: duban_core::Escalation,
    pub description: String,
    pub listed: bool,
    pub due: NaiveDate,
    pub state: duban_core::ProblemState,
}

/// Problems on about one item in twelve (at most 400), in every state, some overdue by
/// `as_of`.
pub fn problems(ledger: &DemoLedger, seed: u64, as_of: NaiveDate) -> Vec<DemoProblem> {
    use duban_core::{Escalation, ProblemCategory as C, ProblemState as S};
    let mut dice = Dice(seed ^ 0x7072_6f62_6c65_6d00);
    let texts: &[(C, &str)] = &[
        (C::Approvals, "施工许可证尚未办理，需协调加快审批"),
        (C::Land, "用地指标未落实，影响开工"),
        (C::Relocation, "红线内尚有住户未签订征收协议"),
        (C::Funding, "专项债资金未及时拨付到位"),
        (C::Environment, "环评批复尚未取得"),
        (C::Factors, "施工用电未接入，需协调供电部门"),
        (C::Other, "设计方案需调整，等待专家论证"),
    ];
    let states = [
        S::Raised,
        S::Assigned,
        S::Rectifying,
        S::Rectifying,
        S::ClosureRequested,
        S::Closed,
        S::Closed,
        S::SentBack,
    ];
    let mut out = Vec::new();
    for (item, _) in &ledger.items {
        if out.len() >= 400 || !dice.chance(8) {
            continue;
        }
        let (category, text) = *dice.pick(texts);
        let due = as_of - chrono::Days::new(40) + chrono::Days::new(dice.below(90));
        let assigned = match item.co_units.first() {
            Some(co) if dice.chance(40) => co.clone(),
            _ => item.lead_unit.clone(),
        };
        out.push(DemoProblem {
            code: item.code.clone(),
            unit: item.lead_unit.clone(),
            assigned,
            category,
            escalation: *dice.pick(Escalation::ALL),
            description: text.to_string(),
            listed: dice.chance(15),
            due,
            state: *dice.pick(&states),
        });
    }
    out
}
