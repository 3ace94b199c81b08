//! 通报 — the monthly bulletin: its parts written from the data in the words officials use
//! (domain.md §9), as a plain document model that is stored when issued and rendered as
//! Markdown, HTML (duban-app) or Word (duban-office).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::indicator::IndicatorComparison;
use crate::ranking::{RankingRules, Standing};
use crate::rates::{Rate, Tally, format_percent, one_decimal};
use crate::report::Cadence;
use crate::report::Period;

/// 通报 — a bulletin as a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bulletin {
    /// 标题 — "关于2025年1—6月全市重点项目推进情况的通报".
    pub title: String,
    /// 发文机关 — "示范市人民政府督查室".
    pub issuer: String,
    /// 期号 — "第3期", given when issued.
    pub number: Option<String>,
    pub period: Period,
    /// 成文日期
    pub date: NaiveDate,
    /// 主送机关 — "各县（市、区）人民政府，市政府各部门：".
    pub recipients: String,
    pub parts: Vec<Part>,
    /// 综合排名 of the regions as this bulletin publishes them, so that the next period's
    /// movement (↑2 / ↓1) is counted from what was published.
    #[serde(default)]
    pub ranks: Vec<(String, Option<usize>)>,
}

/// 一级标题 with what follows it ("一、总体情况").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// What a part is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// 正文段落
    Paragraph { text: String },
    /// 二级标题 ("（一）先进地区")
    Heading { text: String },
    /// 表格 with its title.
    Table(Table),
}

/// 表格
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A red item as the bulletin names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedItem {
    pub name: String,
    pub unit: String,
    /// lag in percentage points, for ordering (largest first)
    pub lag: Option<Decimal>,
    /// 原因 — the reasons in Chinese, joined.
    pub reasons: String,
}

/// An open problem as the bulletin names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenProblem {
    pub item: String,
    pub unit: String,
    pub category: String,
    pub description: String,
    pub due: Option<NaiveDate>,
    /// 挂牌督办
    pub listed: bool,
    pub overdue: bool,
}

/// 催办升级事项 — a matter past the reminder rule that tells its leader, still not done on the
/// bulletin's date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalatedMatter {
    /// 事项类别 in words ("交办办结", "问题整改", …).
    pub kind: String,
    pub title: String,
    /// 责任单位 (督查室 for a verification).
    pub owner: String,
    /// 包抓领导
    pub leader: Option<String>,
    pub due: NaiveDate,
    /// Calendar days past the due date on the bulletin's date.
    pub days_late: i64,
}

/// Everything a bulletin is written from.
#[derive(Debug, Clone)]
pub struct BulletinFacts<'a> {
    pub city: &'a str,
    pub issuer: &'a str,
    pub period: Period,
    pub date: NaiveDate,
    pub rules: &'a RankingRules,
    /// The whole city.
    pub overall: &'a Tally,
    /// Every region (those with no items too), in directory order.
    pub regions: &'a [(String, Tally)],
    /// The regions on the composite, with last period's ranks.
    pub composite: &'a [Standing],
    /// The regions on 投资完成率, with last period's ranks.
    pub investment: &'a [Standing],
    /// Named for a talk (约谈) under the rule.
    pub called_in: &'a [String],
    /// How many items are red.
    pub red_count: usize,
    /// The red items the bulletin may list: every one, or at least the worst [`LISTED`]
    /// (most behind first, the order given among equals); it lists the worst `LISTED`.
    pub red_items: &'a [RedItem],
    /// Problems overdue or listed for supervision (挂牌督办), not closed.
    pub problems: &'a [OpenProblem],
    /// How many matters are escalated to their leader by the reminder rules and still not
    /// done.
    pub escalated_count: usize,
    /// The escalated matters the bulletin may list: every one, or at least the longest
    /// overdue [`LISTED`] (see [`longest_overdue`]); it lists the longest overdue `LISTED`.
    pub escalated: &'a [EscalatedMatter],
    pub indicators: &'a [IndicatorComparison],
    /// 下步工作要求 — the office's own text; paragraphs are lines.
    pub requirements: &'a str,
}

/// How many red items and problems a bulletin lists by name; the rest are counted.
pub const LISTED: usize = 30;

/// The requirements written when the office has written none.
pub const DEFAULT_REQUIREMENTS: &str = "各县（市、区）、各有关部门要对照年度目标任务，逐项目梳理进度，对滞后项目倒排工期、挂图作战，确保按序时进度推进。\n各包抓领导要深入一线协调解决项目推进中的困难和问题，对逾期未销号问题和挂牌督办事项明确整改时限，按期销号。\n各责任单位要严格落实进度报送制度，确保数据真实准确、按时报送，杜绝迟报、漏报。";

/// "1—6月" for a month or quarter ("1月" in January), "截至6月8日" for a week.
fn span(period: Period) -> String {
    match (period.cadence(), period.last_day().month()) {
        (Cadence::Weekly, _) => period.ytd_label(),
        (_, 1) => "1月".into(),
        _ => period.ytd_label().replace('-', "—"),
    }
}

/// What the title says the bulletin covers: "2025年1—6月", "2025年第23周".
fn covers(period: Period) -> String {
    match period.cadence() {
        Cadence::Weekly => period.label(),
        _ => format!("{}年{}", period.year(), span(period)),
    }
}

/// 万元 → "12.34亿元".
fn yi(wan: Decimal) -> String {
    format!("{:.2}亿元", crate::rates::yi(wan))
}

fn pct(v: Option<Decimal>) -> String {
    format_percent(v)
}

/// "A县（38.2%）、B区（35.0%）", with one decimal always shown; `unit` is "%" or "分".
fn named(list: &[(&str, Option<Decimal>)], unit: &str) -> String {
    list.iter()
        .map(|(u, v)| match v {
            Some(v) => format!("{u}（{:.1}{unit}）", one_decimal(*v)),
            None => format!("{u}（无数据）"),
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// "低于序时进度3.5个百分点" / "高于…" / "与序时进度持平".
fn against_schedule(done: Decimal, due: Decimal) -> String {
    let gap = one_decimal(done) - one_decimal(due);
    match gap.cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Less => format!("低于序时进度{:.1}个百分点", -gap),
        std::cmp::Ordering::Greater => format!("高于序时进度{gap:.1}个百分点"),
        std::cmp::Ordering::Equal => "与序时进度持平".into(),
    }
}

/// "新开工项目应开工12个、已开工9个，开工率75.0%" or "暂无应开工项目".
fn counted(t: &Tally, rate: Rate, due: &str, done: &str) -> String {
    let r = t.ratio(rate);
    if r.denominator.is_zero() {
        return format!("暂无{due}");
    }
    format!(
        "{due}{}个、{done}{}个，{}{}",
        r.denominator,
        r.numerator,
        rate.label(),
        pct(r.percent())
    )
}

/// 一、总体情况
fn overall(f: &BulletinFacts) -> Part {
    let t = f.overall;
    let mut text = format!(
        "{}，全市纳入调度的重点项目和重点工作共{}个",
        span(f.period),
        t.items
    );
    match (t.ratio(Rate::Investment).percent(), t.time_progress()) {
        // Which 序时进度 is meant, said once: the share of the plan due by the period's end.
        (Some(done), Some(due)) => text.push_str(&format!(
            "，累计完成投资{}，占年度计划的{:.1}%，{}（截至{}序时进度为{:.1}%）。",
            yi(t.invested()),
            one_decimal(done),
            against_schedule(done, due),
            month_day(f.period.last_day()),
            one_decimal(due)
        )),
        _ => text.push_str("，暂无有年度投资计划的项目。"),
    }
    let mut counts = vec![
        counted(t, Rate::Start, "新开工项目应开工", "已开工"),
        counted(t, Rate::Completion, "计划竣工项目应竣工", "已竣工"),
        counted(t, Rate::Milestone, "到期节点", "按期完成"),
        counted(t, Rate::OnTime, "应报送进度", "按时报送"),
        counted(t, Rate::ProblemClosure, "应销号问题", "已销号"),
    ];
    if !t.ratio(Rate::Signing).denominator.is_zero() {
        counts.push(counted(t, Rate::Signing, "招商项目", "已签约"));
        counts.push(format!(
            "{}{}，{}{}",
            Rate::Performance.label(),
            pct(t.ratio(Rate::Performance).percent()),
            Rate::Funds.label(),
            pct(t.ratio(Rate::Funds).percent())
        ));
    }
    let second = counts.join("；") + "。";
    Part {
        heading: "一、总体情况".into(),
        blocks: vec![Block::Paragraph { text }, Block::Paragraph { text: second }],
    }
}

fn composite_of<'a>(f: &'a BulletinFacts, unit: &str) -> Option<&'a Standing> {
    f.composite.iter().find(|s| s.unit == unit)
}

/// The columns of the region table (二、各地区推进情况).
pub const REGION_TABLE_HEADER: [&str; 12] = [
    "地区",
    "项目数",
    "年度计划（亿元）",
    "累计完成（亿元）",
    "投资完成率",
    "序时进度",
    "开工率",
    "节点完成率",
    "报送及时率",
    "综合得分",
    "排名",
    "升降",
];

/// 二、各地区推进情况 — the table.
fn by_region(f: &BulletinFacts) -> Part {
    let header = REGION_TABLE_HEADER;
    let order: Vec<&str> = f.composite.iter().map(|s| s.unit.as_str()).collect();
    let mut regions: Vec<&(String, Tally)> = f.regions.iter().collect();
    regions.sort_by_key(|(u, _)| order.iter().position(|o| o == u).unwrap_or(usize::MAX));
    let rows = regions
        .iter()
        .map(|(unit, t)| {
            let s = composite_of(f, unit);
            let money = |v: Decimal| {
                if t.annual_plan().is_zero() {
                    "—".to_string()
                } else {
                    format!("{:.2}", crate::rates::yi(v))
                }
            };
            vec![
                unit.clone(),
                t.items.to_string(),
                money(t.annual_plan()),
                money(t.invested()),
                pct(t.ratio(Rate::Investment).percent()),
                pct(t.time_progress()),
                pct(t.ratio(Rate::Start).percent()),
                pct(t.ratio(Rate::Milestone).percent()),
                pct(t.ratio(Rate::OnTime).percent()),
                s.and_then(|s| s.value)
                    .map(|v| format!("{:.1}", one_decimal(v)))
                    .unwrap_or_else(|| "无数据".into()),
                s.and_then(|s| s.rank)
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "—".into()),
                s.map(|s| s.movement_label()).unwrap_or_default(),
            ]
        })
        .collect();
    let total: f64 = f.rules.weights.values().sum();
    let weights: Vec<String> = f
        .rules
        .weights
        .iter()
        .filter(|(_, w)| **w > 0.0)
        .map(|(r, w)| {
            let share = format!("{:.1}", w / total * 100.0);
            format!("{}{}%", r.label(), share.trim_end_matches(".0"))
        })
        .collect();
    Part {
        heading: "二、各地区推进情况".into(),
        blocks: vec![
            Block::Paragraph {
                text: format!(
                    "综合得分按{}加权计算（各项比率以100%封顶，无数据的比率不计入）。各地区情况如下表。",
                    weights.join("、")
                ),
            },
            Block::Table(Table {
                title: format!("{}各地区重点项目推进情况", span(f.period)),
                header: header.map(String::from).to_vec(),
                rows,
            }),
        ],
    }
}

fn top(standings: &[Standing], n: usize) -> Vec<(&str, Option<Decimal>)> {
    standings
        .iter()
        .filter(|s| s.rank.is_some_and(|r| r <= n))
        .map(|s| (s.unit.as_str(), s.value))
        .collect()
}

fn bottom_named(standings: &[Standing], n: usize) -> Vec<(&str, Option<Decimal>)> {
    let ranked: Vec<&Standing> = standings.iter().filter(|s| s.rank.is_some()).collect();
    let names = crate::ranking::bottom(standings, n);
    ranked
        .iter()
        .rev()
        .filter(|s| names.contains(&s.unit.as_str()))
        .map(|s| (s.unit.as_str(), s.value))
        .collect()
}

/// 三、先进与后进 — who did well, who lags, named with figures.
fn leaders_and_laggards(f: &BulletinFacts) -> Part {
    let mut blocks = vec![Block::Heading {
        text: "（一）进展较快的地区".into(),
    }];
    let city = f.overall.ratio(Rate::Investment).percent();
    let mut well = Vec::new();
    let best = top(f.investment, 3);
    if !best.is_empty() {
        well.push(format!("投资完成率排名前三位的是：{}", named(&best, "%")));
    }
    let best = top(f.composite, 3);
    if !best.is_empty() {
        well.push(format!("综合排名前三位的是：{}", named(&best, "分")));
    }
    let ahead: Vec<(&str, Option<Decimal>)> = f
        .regions
        .iter()
        .filter(
            |(_, t)| match (t.ratio(Rate::Investment).percent(), t.time_progress()) {
                (Some(done), Some(due)) => one_decimal(done) >= one_decimal(due),
                _ => false,
            },
        )
        .map(|(u, t)| (u.as_str(), t.ratio(Rate::Investment).percent()))
        .collect();
    if !ahead.is_empty() {
        well.push(format!(
            "投资完成率达到或超过序时进度的有：{}",
            named(&ahead, "%")
        ));
    }
    blocks.push(Block::Paragraph {
        text: if well.is_empty() {
            "本期暂无可排名的地区。".into()
        } else {
            well.join("。") + "。"
        },
    });
    blocks.push(Block::Heading {
        text: "（二）进展滞后的地区".into(),
    });
    let mut lag = Vec::new();
    if let Some(city) = city {
        let below: Vec<(&str, Option<Decimal>)> = f
            .investment
            .iter()
            .filter(|s| s.value.is_some_and(|v| one_decimal(v) < one_decimal(city)))
            .map(|s| (s.unit.as_str(), s.value))
            .collect();
        lag.push(if below.is_empty() {
            format!(
                "各地区投资完成率均不低于全市平均水平（{:.1}%）",
                one_decimal(city)
            )
        } else {
            format!(
                "投资完成率低于全市平均水平（{:.1}%）的有：{}",
                one_decimal(city),
                named(&below, "%")
            )
        });
    }
    let worst = bottom_named(f.composite, 3);
    if !worst.is_empty() && f.composite.iter().filter(|s| s.rank.is_some()).count() > 3 {
        lag.push(format!("综合排名后三位的是：{}", named(&worst, "分")));
    }
    let none: Vec<&str> = f
        .investment
        .iter()
        .filter(|s| s.rank.is_none())
        .map(|s| s.unit.as_str())
        .collect();
    if !none.is_empty() {
        lag.push(format!("{}本期无可计算投资完成率的项目", none.join("、")));
    }
    if !f.called_in.is_empty() {
        lag.push(format!(
            "{}{}，按规定由{}约谈其主要负责同志",
            f.called_in.join("、"),
            f.rules.talk_text(),
            f.issuer
        ));
    }
    blocks.push(Block::Paragraph {
        text: if lag.is_empty() {
            "本期暂无明显滞后的地区。".into()
        } else {
            lag.join("。") + "。"
        },
    });
    Part {
        heading: "三、先进与后进".into(),
        blocks,
    }
}

/// 四、红灯项目 — red items with their reasons.
fn red_items(f: &BulletinFacts) -> Part {
    let n = f.red_count;
    let mut items: Vec<&RedItem> = f.red_items.iter().collect();
    items.sort_by_key(|r| std::cmp::Reverse(r.lag));
    let shown = &items[..items.len().min(LISTED)];
    let mut text = format!(
        "截至{}，全市亮红灯（严重滞后）的项目共{n}个",
        day(f.period.last_day())
    );
    if n == 0 {
        text.push('。');
        return Part {
            heading: "四、严重滞后项目".into(),
            blocks: vec![Block::Paragraph { text }],
        };
    }
    if n > LISTED {
        text.push_str(&format!(
            "，以下列出滞后最多的{LISTED}个，完整清单见系统预警页面。"
        ));
    } else {
        text.push_str("，名单如下。");
    }
    let rows = shown
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.name.clone(),
                r.unit.clone(),
                r.lag
                    .map(|l| format!("{:.1}", one_decimal(l)))
                    .unwrap_or_else(|| "—".into()),
                r.reasons.clone(),
            ]
        })
        .collect();
    Part {
        heading: "四、严重滞后项目".into(),
        blocks: vec![
            Block::Paragraph { text },
            Block::Table(Table {
                title: "严重滞后项目名单".into(),
                header: ["序号", "项目名称", "责任单位", "滞后（百分点）", "原因"]
                    .map(String::from)
                    .to_vec(),
                rows,
            }),
        ],
    }
}

/// "6月30日".
fn month_day(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// "2025年7月8日".
pub(crate) fn day(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// 五、逾期问题和挂牌督办事项
fn problems(f: &BulletinFacts) -> Part {
    let overdue = f.problems.iter().filter(|p| p.overdue).count();
    let listed = f.problems.iter().filter(|p| p.listed).count();
    let both = f.problems.iter().filter(|p| p.listed && p.overdue).count();
    let mut text = format!(
        "截至{}，全市逾期未销号问题{overdue}个，挂牌督办未销号问题{listed}个（其中逾期{both}个）",
        day(f.date)
    );
    if f.problems.is_empty() {
        text.push('。');
        let mut blocks = vec![Block::Paragraph { text }];
        blocks.extend(escalated(f));
        return Part {
            heading: "五、逾期问题和挂牌督办事项".into(),
            blocks,
        };
    }
    let mut list: Vec<&OpenProblem> = f.problems.iter().collect();
    list.sort_by_key(|p| (!p.listed, p.due));
    let table = numbered_table(
        &mut text,
        &list,
        list.len(),
        &format!("挂牌督办和逾期最久的{LISTED}个"),
        "逾期问题和挂牌督办事项清单",
        &[
            "所属项目",
            "责任单位",
            "类别",
            "问题描述",
            "整改时限",
            "情形",
        ],
        |p| {
            vec![
                p.item.clone(),
                p.unit.clone(),
                p.category.clone(),
                p.description.clone(),
                p.due.map(day).unwrap_or_default(),
                match (p.listed, p.overdue) {
                    (true, true) => "挂牌督办、逾期",
                    (true, false) => "挂牌督办",
                    _ => "逾期",
                }
                .into(),
            ]
        },
    );
    let mut blocks = vec![Block::Paragraph { text }, table];
    blocks.extend(escalated(f));
    Part {
        heading: "五、逾期问题和挂牌督办事项".into(),
        blocks,
    }
}

/// 催办升级事项 — the paragraph and table after the problems (nothing when there are none).
fn escalated(f: &BulletinFacts) -> Vec<Block> {
    if f.escalated_count == 0 {
        return Vec::new();
    }
    let list = longest_overdue(f.escalated.iter().collect(), |m| {
        (m.days_late, m.owner.as_str())
    });
    let mut text = format!(
        "经催办仍未办理、已提请包抓领导督办的逾期事项{}项",
        f.escalated_count
    );
    let table = numbered_table(
        &mut text,
        &list,
        f.escalated_count,
        &format!("逾期最久的{LISTED}项"),
        "催办升级事项清单",
        &["类别", "事项", "责任单位", "包抓领导", "截止日期", "逾期"],
        |m| {
            vec![
                m.kind.clone(),
                m.title.clone(),
                m.owner.clone(),
                m.leader.clone().unwrap_or_default(),
                day(m.due),
                format!("{}天", m.days_late),
            ]
        },
    );
    vec![Block::Paragraph { text }, table]
}

/// The [`LISTED`] longest overdue of `list` as the bulletin lists them — most days late
/// first, then by 责任单位, then in the order given —, without sorting them all; `key` gives
/// a matter's days late and 责任单位.
pub fn longest_overdue<T>(list: Vec<T>, key: impl Fn(&T) -> (i64, &str)) -> Vec<T> {
    let mut list: Vec<(usize, T)> = list.into_iter().enumerate().collect();
    let rank = |a: &(usize, T), b: &(usize, T)| {
        let ((a_late, a_owner), (b_late, b_owner)) = (key(&a.1), key(&b.1));
        b_late
            .cmp(&a_late)
            .then(a_owner.cmp(b_owner))
            .then(a.0.cmp(&b.0))
    };
    if list.len() > LISTED {
        list.select_nth_unstable_by(LISTED - 1, rank);
        list.truncate(LISTED);
    }
    list.sort_unstable_by(rank);
    list.into_iter().map(|(_, m)| m).collect()
}

/// The first [`LISTED`] of `list` (the first of `total`) as a numbered table (序号 first);
/// `text` is finished with "，清单如下。" or, when some are left out, "，以下列出{shown}。".
fn numbered_table<T>(
    text: &mut String,
    list: &[T],
    total: usize,
    shown: &str,
    title: &str,
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> Block {
    if total.max(list.len()) > LISTED {
        text.push_str(&format!("，以下列出{shown}。"));
    } else {
        text.push_str("，清单如下。");
    }
    let rows = list
        .iter()
        .take(LISTED)
        .enumerate()
        .map(|(i, x)| {
            let mut cells = vec![(i + 1).to_string()];
            cells.extend(row(x));
            cells
        })
        .collect();
    Block::Table(Table {
        title: title.into(),
        header: std::iter::once("序号")
            .chain(header.iter().copied())
            .map(String::from)
            .collect(),
        rows,
    })
}

/// A figure in its unit: percentages with one decimal ("6.0%"), others as given ("12家").
fn figure(v: Decimal, unit: &str) -> String {
    if unit == "%" {
        format!("{:.1}%", one_decimal(v))
    } else {
        format!("{}{unit}", v.round_dp(2).normalize())
    }
}

/// 六、主要指标完成情况
fn indicators(f: &BulletinFacts) -> Option<Part> {
    if f.indicators.is_empty() {
        return None;
    }
    let mut blocks = Vec::new();
    for c in f.indicators {
        let ind = &c.indicator;
        let mut s = format!("{}：", ind.name);
        match c.city {
            Some(v) if c.basis == "全市" => s.push_str(&format!("全市{}", figure(v, &ind.unit))),
            Some(v) => s.push_str(&format!("各地区平均{}", figure(v, &ind.unit))),
            None => s.push_str("本期暂无数据"),
        }
        if let Some(t) = c.city_target {
            s.push_str(&format!("（目标{}）", figure(t, &ind.unit)));
        }
        let list = |pick: &dyn Fn(&crate::indicator::RegionStanding) -> bool, with_target: bool| {
            c.regions
                .iter()
                .filter(|r| pick(r))
                .map(|r| match (r.value, r.target, with_target) {
                    (Some(v), Some(t), true) => format!(
                        "{}（{}，目标{}）",
                        r.region,
                        figure(v, &ind.unit),
                        figure(t, &ind.unit)
                    ),
                    (Some(v), _, _) => format!("{}（{}）", r.region, figure(v, &ind.unit)),
                    _ => r.region.clone(),
                })
                .collect::<Vec<_>>()
        };
        let short = list(&|r| r.below_target(ind), true);
        let below = list(&|r| r.below_city(ind), false);
        let word = if ind.higher_is_better {
            "低于"
        } else {
            "高于"
        };
        if !short.is_empty() {
            s.push_str(&format!("。未完成目标的有：{}", short.join("、")));
        }
        if !below.is_empty() {
            let basis = if c.basis == "全市" {
                "全市"
            } else {
                "全市平均"
            };
            s.push_str(&format!("；{word}{basis}水平的有：{}", below.join("、")));
        }
        s.push('。');
        blocks.push(Block::Paragraph { text: s });
    }
    Some(Part {
        heading: "六、主要指标完成情况".into(),
        blocks,
    })
}

/// Writes the bulletin for `f`.
pub fn compose(f: &BulletinFacts) -> Bulletin {
    let mut parts = vec![
        overall(f),
        by_region(f),
        leaders_and_laggards(f),
        red_items(f),
        problems(f),
    ];
    parts.extend(indicators(f));
    let numbers = ["一", "二", "三", "四", "五", "六", "七", "八"];
    let requirements = if f.requirements.trim().is_empty() {
        DEFAULT_REQUIREMENTS
    } else {
        f.requirements
    };
    parts.push(Part {
        heading: format!("{}、下步工作要求", numbers[parts.len()]),
        blocks: requirements
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| Block::Paragraph {
                text: l.to_string(),
            })
            .collect(),
    });
    Bulletin {
        title: format!("关于{}全市重点项目推进情况的通报", covers(f.period)),
        issuer: f.issuer.to_string(),
        number: None,
        period: f.period,
        date: f.date,
        recipients: "各县（市、区）人民政府，市政府各部门：".into(),
        parts,
        ranks: f
            .composite
            .iter()
            .map(|s| (s.unit.clone(), s.rank))
            .collect(),
    }
}

impl Bulletin {
    /// 成文日期 in words: "2025年7月8日".
    pub fn date_text(&self) -> String {
        day(self.date)
    }

    /// The requirements part's paragraphs as one text, a line each (for editing).
    pub fn requirements(&self) -> String {
        self.parts
            .last()
            .map(|p| {
                p.blocks
                    .iter()
                    .filter_map(|b| match b {
                        Block::Paragraph { text } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn june() -> Period {
        Period::month(2025, 6).unwrap()
    }

    fn paragraphs(b: &Bulletin) -> Vec<&str> {
        b.parts
            .iter()
            .flat_map(|p| &p.blocks)
            .filter_map(|b| match b {
                Block::Paragraph { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_period_is_named_by_what_it_covers() {
        assert_eq!(covers(Period::month(2025, 1).unwrap()), "2025年1月");
        assert_eq!(
            covers(Period::parse("2025-W23").unwrap()),
            "2025年第23周（6月2日—6月8日）"
        );
        assert_eq!(covers(Period::parse("2025-Q2").unwrap()), "2025年1—6月");
    }

    #[test]
    fn red_items_and_problems_are_listed_worst_first_and_capped() {
        let rules = RankingRules::default();
        let red: Vec<RedItem> = (0..35)
            .map(|i| RedItem {
                name: format!("项目{i}"),
                unit: "A县".into(),
                lag: Some(Decimal::from(31 + i)),
                reasons: "投资滞后".into(),
            })
            .collect();
        let problems = vec![
            OpenProblem {
                item: "甲".into(),
                unit: "A县".into(),
                category: "用地".into(),
                description: "用地未批".into(),
                due: NaiveDate::from_ymd_opt(2025, 5, 1),
                listed: false,
                overdue: true,
            },
            OpenProblem {
                item: "乙".into(),
                unit: "B区".into(),
                category: "征迁".into(),
                description: "征迁未完".into(),
                due: NaiveDate::from_ymd_opt(2025, 9, 1),
                listed: true,
                overdue: false,
            },
        ];
        let escalated = vec![
            EscalatedMatter {
                kind: "交办办结".into(),
                title: "督办〔2025〕3号 修缮河堤".into(),
                owner: "A县".into(),
                leader: Some("李明".into()),
                due: NaiveDate::from_ymd_opt(2025, 6, 20).unwrap(),
                days_late: 18,
            },
            EscalatedMatter {
                kind: "待审核事项".into(),
                title: "甲 销号申请".into(),
                owner: "督查室".into(),
                leader: None,
                due: NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
                days_late: 36,
            },
        ];
        let overall = Tally::default();
        let f = BulletinFacts {
            city: "示范市",
            issuer: "示范市人民政府督查室",
            period: june(),
            date: NaiveDate::from_ymd_opt(2025, 7, 8).unwrap(),
            rules: &rules,
            overall: &overall,
            regions: &[],
            composite: &[],
            investment: &[],
            called_in: &[],
            red_count: red.len(),
            red_items: &red,
            problems: &problems,
            escalated_count: escalated.len(),
            escalated: &escalated,
            indicators: &[],
            requirements: "第一条要求\n\n第二条要求",
        };
        let b = compose(&f);
        let p = paragraphs(&b);
        assert!(p.contains(&"截至2025年6月30日，全市亮红灯（严重滞后）的项目共35个，以下列出滞后最多的30个，完整清单见系统预警页面。"));
        let tables: Vec<&Table> = b
            .parts
            .iter()
            .flat_map(|p| &p.blocks)
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(tables[1].rows.len(), 30);
        assert_eq!(tables[1].rows[0][1], "项目34", "the most behind first");
        assert!(p.contains(&"截至2025年7月8日，全市逾期未销号问题1个，挂牌督办未销号问题1个（其中逾期0个），清单如下。"));
        assert_eq!(tables[2].rows[0][1], "乙", "listed first");
        assert!(p.contains(&"经催办仍未办理、已提请包抓领导督办的逾期事项2项，清单如下。"));
        assert_eq!(tables[3].title, "催办升级事项清单");
        assert_eq!(
            tables[3].rows[0],
            [
                "1",
                "待审核事项",
                "甲 销号申请",
                "督查室",
                "",
                "2025年6月2日",
                "36天"
            ],
            "the longest overdue first"
        );
        assert_eq!(tables[3].rows[1][4], "李明");
        assert_eq!(b.requirements(), "第一条要求\n第二条要求");
        assert!(p.contains(&"本期暂无可排名的地区。"));
        // Given only the worst 30 of the 35 and the count, the same bulletin.
        let worst: Vec<RedItem> = red[5..].iter().rev().cloned().collect();
        let f = BulletinFacts {
            red_items: &worst,
            ..f
        };
        assert_eq!(compose(&f), b);

        // 45 escalated matters of which the store gives the 30 longest overdue: the count is
        // the 45, and the paragraph says only some are listed.
        let longest: Vec<EscalatedMatter> = (0..30)
            .map(|i| EscalatedMatter {
                days_late: 90 - i,
                ..escalated[0].clone()
            })
            .collect();
        let f = BulletinFacts {
            escalated_count: 45,
            escalated: &longest,
            ..f
        };
        let b = compose(&f);
        let p = paragraphs(&b);
        assert!(p.contains(
            &"经催办仍未办理、已提请包抓领导督办的逾期事项45项，以下列出逾期最久的30项。"
        ));
    }

    /// The longest overdue thirty of forty escalated matters: most days late first, then by
    /// unit, then as given — what sorting them all and taking thirty gives.
    #[test]
    fn the_longest_overdue_are_those_the_bulletin_lists() {
        let matters: Vec<EscalatedMatter> = (0..40)
            .map(|i| EscalatedMatter {
                kind: "项目节点".into(),
                title: format!("事项{i}"),
                owner: if i % 2 == 0 { "乙县" } else { "甲县" }.into(),
                leader: None,
                due: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
                days_late: i % 7,
            })
            .collect();
        fn key<'a>(m: &'a &EscalatedMatter) -> (i64, &'a str) {
            (m.days_late, m.owner.as_str())
        }
        let shown = longest_overdue(matters.iter().collect(), key);
        let titles: Vec<&str> = shown.iter().map(|m| m.title.as_str()).collect();
        // 6 days late: 6, 20, 34 (乙县, even) before 13, 27 (甲县).
        assert_eq!(
            titles[..5],
            ["事项6", "事项20", "事项34", "事项13", "事项27"]
        );
        let mut all: Vec<&EscalatedMatter> = matters.iter().collect();
        all.sort_by(|a, b| b.days_late.cmp(&a.days_late).then(a.owner.cmp(&b.owner)));
        assert_eq!(shown, all[..LISTED]);
        assert_eq!(longest_overdue(matters[..2].iter().collect(), key).len(), 2);
    }
}
