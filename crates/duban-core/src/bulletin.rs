//! 通报 — the monthly bulletin: its parts written from the data in the words officials use
//! (domain.md §9), as a plain document model that is stored when issued and rendered as
//! Markdown, HTML (here) or Word (duban-office).

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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Every red item (the bulletin lists the worst `LISTED` of them).
    pub red_items: &'a [RedItem],
    /// Problems overdue or listed for supervision (挂牌督办), not closed.
    pub problems: &'a [OpenProblem],
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
        (Some(done), Some(due)) => text.push_str(&format!(
            "，累计完成投资{}，占年度计划的{:.1}%，{}。",
            yi(t.invested()),
            one_decimal(done),
            against_schedule(done, due)
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
    let n = f.red_items.len();
    let mut items: Vec<&RedItem> = f.red_items.iter().collect();
    items.sort_by_key(|r| std::cmp::Reverse(r.lag));
    let shown = &items[..n.min(LISTED)];
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

fn day(d: NaiveDate) -> String {
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
        return Part {
            heading: "五、逾期问题和挂牌督办事项".into(),
            blocks: vec![Block::Paragraph { text }],
        };
    }
    let mut list: Vec<&OpenProblem> = f.problems.iter().collect();
    list.sort_by_key(|p| (!p.listed, p.due));
    if list.len() > LISTED {
        text.push_str(&format!("，以下列出挂牌督办和逾期最久的{LISTED}个。"));
    } else {
        text.push_str("，清单如下。");
    }
    let rows = list
        .iter()
        .take(LISTED)
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
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
        })
        .collect();
    Part {
        heading: "五、逾期问题和挂牌督办事项".into(),
        blocks: vec![
            Block::Paragraph { text },
            Block::Table(Table {
                title: "逾期问题和挂牌督办事项清单".into(),
                header: [
                    "序号",
                    "所属项目",
                    "责任单位",
                    "类别",
                    "问题描述",
                    "整改时限",
                    "情形",
                ]
                .map(String::from)
                .to_vec(),
                rows,
            }),
        ],
    }
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

    /// As Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", self.title);
        if let Some(n) = &self.number {
            out.push_str(&format!("{}　{n}\n\n", self.issuer));
        }
        out.push_str(&format!("{}\n\n", self.recipients));
        for part in &self.parts {
            out.push_str(&format!("## {}\n\n", part.heading));
            for b in &part.blocks {
                match b {
                    Block::Paragraph { text } => out.push_str(&format!("{text}\n\n")),
                    Block::Heading { text } => out.push_str(&format!("### {text}\n\n")),
                    Block::Table(t) => {
                        out.push_str(&format!("**{}**\n\n", t.title));
                        let cell = |s: &str| s.replace('|', "\\|").replace(['\r', '\n'], " ");
                        out.push_str(&format!(
                            "| {} |\n",
                            t.header
                                .iter()
                                .map(|h| cell(h))
                                .collect::<Vec<_>>()
                                .join(" | ")
                        ));
                        out.push_str(&format!("|{}\n", "---|".repeat(t.header.len())));
                        for r in &t.rows {
                            out.push_str(&format!(
                                "| {} |\n",
                                r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                            ));
                        }
                        out.push('\n');
                    }
                }
            }
        }
        out.push_str(&format!("{}\n\n{}\n", self.issuer, self.date_text()));
        out
    }

    /// As an HTML fragment (an `<article>`), escaped; styled by the page that shows it.
    pub fn to_html(&self) -> String {
        let e = escape;
        let mut out = String::from("<article class=\"bulletin\">\n");
        if let Some(n) = &self.number {
            out.push_str(&format!("<p class=\"bulletin-number\">{}</p>\n", e(n)));
        }
        out.push_str(&format!(
            "<h1>{}</h1>\n<p class=\"recipients\">{}</p>\n",
            e(&self.title),
            e(&self.recipients)
        ));
        for part in &self.parts {
            out.push_str(&format!("<h2>{}</h2>\n", e(&part.heading)));
            for b in &part.blocks {
                match b {
                    Block::Paragraph { text } => out.push_str(&format!("<p>{}</p>\n", e(text))),
                    Block::Heading { text } => out.push_str(&format!("<h3>{}</h3>\n", e(text))),
                    Block::Table(t) => {
                        out.push_str(&format!(
                            "<table>\n<caption>{}</caption>\n<thead><tr>",
                            e(&t.title)
                        ));
                        for h in &t.header {
                            out.push_str(&format!("<th>{}</th>", e(h)));
                        }
                        out.push_str("</tr></thead>\n<tbody>\n");
                        for r in &t.rows {
                            out.push_str("<tr>");
                            for c in r {
                                out.push_str(&format!("<td>{}</td>", e(c)));
                            }
                            out.push_str("</tr>\n");
                        }
                        out.push_str("</tbody>\n</table>\n");
                    }
                }
            }
        }
        out.push_str(&format!(
            "<p class=\"signature\">{}<br>{}</p>\n</article>\n",
            e(&self.issuer),
            e(&self.date_text())
        ));
        out
    }
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranking::{rank, with_previous};
    use crate::rates::{RateFacts, tally_item};
    use crate::{Item, ItemKind, PlanDate, ReportState, Stage, Wan};

    fn june() -> Period {
        Period::month(2025, 6).unwrap()
    }

    /// A continued project spanning the whole year (序时进度 50% at the end of June) with its
    /// annual plan and June's year-to-date, in 万元.
    fn tally(items: &[(i64, i64)]) -> Tally {
        let mut t = Tally::default();
        for (annual, ytd) in items {
            let mut item = Item::new(2025, ItemKind::Project, "项目", "x");
            item.stage = Some(Stage::UnderConstruction);
            item.planned_start = PlanDate::month(2024, 3);
            item.planned_end = PlanDate::month(2026, 6);
            item.annual_plan = Some(Wan::from_yuan(annual * 10_000));
            let trail = [(june().last_day(), Wan::from_yuan(ytd * 10_000))];
            let f = RateFacts {
                item: &item,
                milestones: &[],
                ytd: &trail,
                report: ReportState::OnTime,
            };
            t.add(&tally_item(&f, june().last_day()));
        }
        t
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
    fn sentences_match_hand_computed_figures() {
        // A县 764/2000 = 38.2%; B区 700/2000 = 35.0%; C县 and D县 600/1000 = 60.0% (a tie);
        // E县 has no items. City: 2664/6000 万元... scaled ×100: 26.64亿元, 44.4%.
        let regions: Vec<(String, Tally)> = vec![
            ("A县".into(), tally(&[(100_000, 40_000), (100_000, 36_400)])),
            ("B区".into(), tally(&[(200_000, 70_000)])),
            ("C县".into(), tally(&[(100_000, 60_000)])),
            ("D县".into(), tally(&[(100_000, 60_000)])),
            ("E县".into(), Tally::default()),
        ];
        let mut overall = Tally::default();
        for (_, t) in &regions {
            overall.add(t);
        }
        let rules = RankingRules::default();
        let values = |m: crate::ranking::Measure| -> Vec<(String, Option<Decimal>)> {
            regions
                .iter()
                .map(|(u, t)| (u.clone(), m.value(t, &rules)))
                .collect()
        };
        let investment = rank(
            &values(crate::ranking::Measure::Rate(Rate::Investment)),
            true,
        );
        let before = rank(
            &[("A县", 1), ("B区", 2), ("C县", 3), ("D县", 4)]
                .map(|(u, v)| (u.to_string(), Some(Decimal::from(v)))),
            true,
        );
        let investment = with_previous(investment, &before);
        let composite = with_previous(
            rank(&values(crate::ranking::Measure::COMPOSITE), true),
            &before,
        );
        let called_in = vec!["B区".to_string()];
        let facts = BulletinFacts {
            city: "示范市",
            issuer: "示范市人民政府督查室",
            period: june(),
            date: NaiveDate::from_ymd_opt(2025, 7, 8).unwrap(),
            rules: &rules,
            overall: &overall,
            regions: &regions,
            composite: &composite,
            investment: &investment,
            called_in: &called_in,
            red_items: &[],
            problems: &[],
            indicators: &[],
            requirements: "",
        };
        let b = compose(&facts);
        assert_eq!(b.title, "关于2025年1—6月全市重点项目推进情况的通报");
        assert_eq!(covers(Period::month(2025, 1).unwrap()), "2025年1月");
        assert_eq!(
            covers(Period::parse("2025-W23").unwrap()),
            "2025年第23周（6月2日—6月8日）"
        );
        assert_eq!(covers(Period::parse("2025-Q2").unwrap()), "2025年1—6月");
        let p = paragraphs(&b);
        assert_eq!(
            p[0],
            "1—6月，全市纳入调度的重点项目和重点工作共5个，累计完成投资26.64亿元，占年度计划的44.4%，低于序时进度5.6个百分点。"
        );
        assert!(p[1].starts_with("暂无新开工项目应开工；"), "{}", p[1]);
        assert!(
            p[1].contains("应报送进度5个、按时报送5个，报送及时率100.0%"),
            "{}",
            p[1]
        );
        let well = p
            .iter()
            .find(|s| s.starts_with("投资完成率排名前三位"))
            .unwrap();
        assert!(
            well.starts_with(
                "投资完成率排名前三位的是：C县（60.0%）、D县（60.0%）、A县（38.2%）。"
            ),
            "{well}"
        );
        assert!(
            well.contains("投资完成率达到或超过序时进度的有：C县（60.0%）、D县（60.0%）"),
            "{well}"
        );
        let lag = p.iter().find(|s| s.starts_with("投资完成率低于")).unwrap();
        assert!(
            lag.starts_with(
                "投资完成率低于全市平均水平（44.4%）的有：A县（38.2%）、B区（35.0%）。"
            ),
            "{lag}"
        );
        assert!(lag.contains("E县本期无可计算投资完成率的项目"), "{lag}");
        assert!(
            lag.contains(
                "B区连续2期投资完成率排名后3位，按规定由示范市人民政府督查室约谈其主要负责同志。"
            ),
            "{lag}"
        );
        // The table: ranked regions first, E县 last with no data; movement against before.
        let table = b.parts[1]
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .unwrap();
        assert!(table.rows.iter().all(|r| r.len() == table.header.len()));
        assert_eq!(table.header[0], "地区");
        let row = |u: &str| table.rows.iter().find(|r| r[0] == u).unwrap();
        // Last period D县 was first, C县 second, B区 third, A县 fourth.
        assert_eq!(row("C县")[10..], ["1".to_string(), "↑1".into()]);
        assert_eq!(row("D县")[10..], ["1".to_string(), "—".into()]);
        assert_eq!(row("B区")[10..], ["4".to_string(), "↓1".into()]);
        assert_eq!(row("A县")[4..6], ["38.2%".to_string(), "50.0%".into()]);
        assert_eq!(row("A县")[10..], ["3".to_string(), "↑1".into()]);
        assert_eq!(
            table.rows.last().unwrap()[0..5],
            [
                "E县".to_string(),
                "0".into(),
                "—".into(),
                "—".into(),
                "无数据".into()
            ]
        );
        assert_eq!(row("E县")[10], "—");
        // The default requirements close it, and every format carries the same words.
        assert_eq!(b.parts.last().unwrap().heading, "六、下步工作要求");
        assert_eq!(b.requirements(), DEFAULT_REQUIREMENTS);
        assert!(
            b.to_markdown()
                .contains("| C县 | 1 | 10.00 | 6.00 | 60.0% |"),
            "{}",
            b.to_markdown()
        );
        assert!(b.to_html().contains("<td>A县</td>"));
        assert!(
            b.to_html()
                .contains("投资完成率低于全市平均水平（44.4%）的有：A县（38.2%）、B区（35.0%）。")
        );
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
            red_items: &red,
            problems: &problems,
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
        assert_eq!(b.requirements(), "第一条要求\n第二条要求");
        assert!(p.contains(&"本期暂无可排名的地区。"));
    }
}
