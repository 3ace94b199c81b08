//! 考核 — an assessment scheme (考核方案) as data, and the pure engine that applies it to the
//! figures duban computes for each unit, explaining every point.
//!
//! A scheme is a list of criteria (考核指标); each has a base (基础分) and terms, each term a
//! rule over one input figure of the unit (a rate in percent or a count): points per unit
//! away from an anchor in segments (分段计分, capped), points per item (按个数计分, capped),
//! points for reaching a threshold (达标得分), points by band (分档计分) or by rank among the
//! units (名次得分, ties sharing the better rank). Manual adjustments (加减分) carry a reason.
//! A unit's total is the sum of its criteria and adjustments; each criterion is its base plus
//! its terms; each term says its input, its rule and its points.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// 考核方案
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheme {
    /// 方案名称
    pub name: String,
    /// 考核指标
    #[serde(rename = "criterion", default)]
    pub criteria: Vec<Criterion>,
}

/// 考核指标 — a base and the terms added to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// 基础分
    #[serde(default, deserialize_with = "number")]
    pub base: Decimal,
    #[serde(rename = "term", default)]
    pub terms: Vec<Term>,
}

/// 计分项 — one rule over one input figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// 名称, as the explanation shows it.
    pub label: String,
    /// The figure it reads (a key of the unit's inputs, e.g. `investment_rate`).
    pub input: String,
    #[serde(flatten)]
    pub rule: Rule,
}

/// 计分规则
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// 分段计分 — points per unit between `anchor` and the figure, by segment (below the
    /// anchor they are lost), the sum held within ±`cap`.
    Segments {
        #[serde(deserialize_with = "number")]
        anchor: Decimal,
        segments: Vec<Segment>,
        #[serde(default, deserialize_with = "some_number")]
        cap: Option<Decimal>,
    },
    /// 按个数计分 — `per` points for each one (negative: a deduction), at most `cap` in all.
    PerUnit {
        #[serde(deserialize_with = "number")]
        per: Decimal,
        #[serde(default, deserialize_with = "some_number")]
        cap: Option<Decimal>,
    },
    /// 达标得分 — `points` when the figure is at least `at_least`.
    Threshold {
        #[serde(deserialize_with = "number")]
        at_least: Decimal,
        #[serde(deserialize_with = "number")]
        points: Decimal,
    },
    /// 分档计分 — the points of the band the figure falls in (from inclusive, to exclusive).
    Bands { bands: Vec<Band> },
    /// 名次得分 — by rank among the units with the figure, highest first; equal figures share
    /// the better rank.
    Rank { ranks: Vec<RankBand> },
}

/// A stretch of the figure and the points each unit of it is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    #[serde(default, deserialize_with = "some_number")]
    pub from: Option<Decimal>,
    #[serde(default, deserialize_with = "some_number")]
    pub to: Option<Decimal>,
    #[serde(deserialize_with = "number")]
    pub per: Decimal,
}

/// 档 — [from, to) and its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    #[serde(default, deserialize_with = "some_number")]
    pub from: Option<Decimal>,
    #[serde(default, deserialize_with = "some_number")]
    pub to: Option<Decimal>,
    #[serde(deserialize_with = "number")]
    pub points: Decimal,
}

/// 名次档 — ranks `from`..=`to` and their points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankBand {
    pub from: u32,
    pub to: u32,
    #[serde(deserialize_with = "number")]
    pub points: Decimal,
}

/// 加减分 — a manual addition or deduction with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    pub unit: String,
    pub points: Decimal,
    pub reason: String,
}

/// What is wrong with a scheme, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SchemeError(pub String);

/// 默认考核方案 as shipped, in TOML.
pub const DEFAULT_SCHEME: &str = include_str!("assessment_default.toml");

impl Default for Scheme {
    /// The shipped scheme (a test keeps it readable).
    fn default() -> Self {
        Scheme::from_toml(DEFAULT_SCHEME).expect("the shipped scheme reads")
    }
}

impl Scheme {
    /// Reads a scheme written as TOML, checked.
    pub fn from_toml(text: &str) -> Result<Scheme, SchemeError> {
        let s: Scheme =
            toml::from_str(text).map_err(|e| SchemeError(format!("考核方案无法读取：{e}")))?;
        s.check()?;
        Ok(s)
    }

    /// The scheme as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Every criterion named, every term reading a figure, bands and ranks in order.
    pub fn check(&self) -> Result<(), SchemeError> {
        let bad = |c: &Criterion, t: Option<&Term>, what: &str| {
            let at = t.map_or(String::new(), |t| format!("“{}”", t.label));
            Err(SchemeError(format!("考核指标“{}”{at}：{what}", c.name)))
        };
        if self.criteria.is_empty() {
            return Err(SchemeError("考核方案没有考核指标".into()));
        }
        for c in &self.criteria {
            if c.name.trim().is_empty() {
                return Err(SchemeError("考核指标缺少名称".into()));
            }
            for t in &c.terms {
                if t.input.trim().is_empty() {
                    return bad(c, Some(t), "缺少计分依据（input）");
                }
                let ordered = |from: Option<Decimal>, to: Option<Decimal>| match (from, to) {
                    (Some(f), Some(t)) => f < t,
                    _ => true,
                };
                match &t.rule {
                    Rule::Segments { segments, cap, .. } => {
                        if segments.is_empty() || segments.iter().any(|s| !ordered(s.from, s.to)) {
                            return bad(c, Some(t), "分段须写明起止（from < to）和每单位分值");
                        }
                        if cap.is_some_and(|c| c < Decimal::ZERO) {
                            return bad(c, Some(t), "封顶分值不能为负");
                        }
                    }
                    Rule::Bands { bands } => {
                        if bands.is_empty() || bands.iter().any(|b| !ordered(b.from, b.to)) {
                            return bad(c, Some(t), "分档须写明起止（from < to）和分值");
                        }
                    }
                    Rule::Rank { ranks } => {
                        if ranks.is_empty() || ranks.iter().any(|r| r.from == 0 || r.from > r.to) {
                            return bad(c, Some(t), "名次档须从第 1 名起，from ≤ to");
                        }
                    }
                    Rule::PerUnit { .. } | Rule::Threshold { .. } => {}
                }
            }
        }
        Ok(())
    }
}

/// 计分说明 — one term applied to one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermScore {
    pub label: String,
    pub input: String,
    /// The unit's figure (none: no data, no points).
    pub value: Option<Decimal>,
    pub points: Decimal,
    /// The rule as applied, in words.
    pub why: String,
}

/// 指标得分
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub name: String,
    pub base: Decimal,
    pub terms: Vec<TermScore>,
    /// base + the terms.
    pub points: Decimal,
}

/// 单位得分 — the total, its rank and every point explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScore {
    pub unit: String,
    pub total: Decimal,
    /// 名次 (equal totals share the better one).
    pub rank: u32,
    pub criteria: Vec<CriterionScore>,
    pub adjustments: Vec<Adjustment>,
}

impl Adjustment {
    /// Reads "白水县:-5:被市政府通报批评" (unit, points, reason; ':' or '：').
    pub fn parse(text: &str) -> Result<Adjustment, String> {
        let mut parts = text.splitn(3, [':', '：']);
        let (Some(unit), Some(points), Some(reason)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "“{text}”应写作 单位:分值:理由（如 白水县:-5:被市政府通报批评）"
            ));
        };
        let points: Decimal = points
            .trim()
            .parse()
            .map_err(|_| format!("“{text}”：分值“{}”不是数", points.trim()))?;
        if unit.trim().is_empty() || reason.trim().is_empty() {
            return Err(format!("“{text}”：加减分须写明单位和理由"));
        }
        Ok(Adjustment {
            unit: unit.trim().to_string(),
            points,
            reason: reason.trim().to_string(),
        })
    }
}

/// The figures of each unit, by input key.
pub type Inputs = BTreeMap<String, BTreeMap<String, Decimal>>;

/// Applies `scheme` to every unit of `inputs`, with the manual `adjustments`; ranked by
/// total, highest first (equal totals share a rank, then by name).
pub fn assess(scheme: &Scheme, inputs: &Inputs, adjustments: &[Adjustment]) -> Vec<UnitScore> {
    let mut out: Vec<UnitScore> = inputs
        .iter()
        .map(|(unit, figures)| {
            let criteria: Vec<CriterionScore> = scheme
                .criteria
                .iter()
                .map(|c| {
                    let terms: Vec<TermScore> = c
                        .terms
                        .iter()
                        .map(|t| term_score(t, figures.get(&t.input).copied(), inputs))
                        .collect();
                    let points = c.base + terms.iter().map(|t| t.points).sum::<Decimal>();
                    CriterionScore {
                        name: c.name.clone(),
                        base: c.base,
                        terms,
                        points,
                    }
                })
                .collect();
            let adjustments: Vec<Adjustment> = adjustments
                .iter()
                .filter(|a| &a.unit == unit)
                .cloned()
                .collect();
            let total = criteria.iter().map(|c| c.points).sum::<Decimal>()
                + adjustments.iter().map(|a| a.points).sum::<Decimal>();
            UnitScore {
                unit: unit.clone(),
                total,
                rank: 0,
                criteria,
                adjustments,
            }
        })
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.unit.cmp(&b.unit)));
    let totals: Vec<Decimal> = out.iter().map(|u| u.total).collect();
    for (u, r) in out.iter_mut().zip(competition_ranks(&totals)) {
        u.rank = r;
    }
    out
}

/// "1224" ranks of values already sorted highest first: equal values share the better rank
/// (exactly equal — `ranking::rank` instead ties on the published one-decimal figure).
pub(crate) fn competition_ranks(sorted: &[Decimal]) -> Vec<u32> {
    let mut ranks = Vec::with_capacity(sorted.len());
    for (i, v) in sorted.iter().enumerate() {
        let r = if i > 0 && sorted[i - 1] == *v {
            ranks[i - 1]
        } else {
            i as u32 + 1
        };
        ranks.push(r);
    }
    ranks
}

/// A number as people read it: "6", "0.5", "-10".
fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A signed number of points: "+6", "-0.5", "0".
fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", n(d))
    } else {
        n(d)
    }
}

fn span(from: Option<Decimal>, to: Option<Decimal>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("{}–{}", n(f), n(t)),
        (Some(f), None) => format!("{} 以上", n(f)),
        (None, Some(t)) => format!("{} 以下", n(t)),
        (None, None) => "全部".into(),
    }
}

fn term_score(t: &Term, value: Option<Decimal>, inputs: &Inputs) -> TermScore {
    let (points, why) = match value {
        None => (Decimal::ZERO, "无数据，不计分".to_string()),
        Some(v) => apply(&t.rule, &t.input, v, inputs),
    };
    TermScore {
        label: t.label.clone(),
        input: t.input.clone(),
        value,
        points,
        why,
    }
}

fn apply(rule: &Rule, input: &str, v: Decimal, inputs: &Inputs) -> (Decimal, String) {
    match rule {
        Rule::Segments {
            anchor,
            segments,
            cap,
        } => {
            // ∫ from the anchor to v of the segments' points per unit.
            let (lo, hi, sign) = if v >= *anchor {
                (*anchor, v, Decimal::ONE)
            } else {
                (v, *anchor, -Decimal::ONE)
            };
            let mut sum = Decimal::ZERO;
            let mut parts = Vec::new();
            for s in segments {
                let a = s.from.map_or(lo, |f| f.max(lo));
                let b = s.to.map_or(hi, |t| t.min(hi));
                if b > a {
                    let p = sign * (b - a) * s.per;
                    sum += p;
                    parts.push(format!(
                        "{}段 {} × {} = {}",
                        span(s.from, s.to),
                        n(b - a),
                        n(s.per),
                        signed(p)
                    ));
                }
            }
            let mut why = if parts.is_empty() {
                format!("{} 与基准 {} 相同，不加减分", n(v), n(*anchor))
            } else {
                format!("{}（基准 {}）：{}", n(v), n(*anchor), parts.join("；"))
            };
            if let Some(c) = cap
                && sum.abs() > *c
            {
                sum = sum.clamp(-*c, *c);
                why.push_str(&format!("；超过 ±{} 分封顶，计 {}", n(*c), signed(sum)));
            }
            (sum, why)
        }
        Rule::PerUnit { per, cap } => {
            let mut p = v * per;
            let mut why = format!("{} 个 × {} = {}", n(v), signed(*per), signed(p));
            if let Some(c) = cap
                && p.abs() > *c
            {
                p = p.clamp(-*c, *c);
                why.push_str(&format!("；以 {} 分为限，计 {}", n(*c), signed(p)));
            }
            (p, why)
        }
        Rule::Threshold { at_least, points } => {
            if v >= *at_least {
                (
                    *points,
                    format!("{} ≥ {}，{}", n(v), n(*at_least), signed(*points)),
                )
            } else {
                (
                    Decimal::ZERO,
                    format!("{} < {}，不得分", n(v), n(*at_least)),
                )
            }
        }
        Rule::Bands { bands } => {
            let hit = bands
                .iter()
                .find(|b| b.from.is_none_or(|f| v >= f) && b.to.is_none_or(|t| v < t));
            match hit {
                Some(b) => (
                    b.points,
                    format!(
                        "{} 在 {} 档，{}",
                        n(v),
                        span(b.from, b.to),
                        signed(b.points)
                    ),
                ),
                None => (Decimal::ZERO, format!("{} 不在任何一档，不计分", n(v))),
            }
        }
        Rule::Rank { ranks } => {
            let others: Vec<Decimal> = inputs
                .values()
                .filter_map(|f| f.get(input).copied())
                .collect();
            let rank = 1 + others.iter().filter(|o| **o > v).count() as u32;
            let tied = others.iter().filter(|o| **o == v).count();
            let of = others.len();
            let tie = if tied > 1 {
                format!("，与 {} 个单位并列", tied - 1)
            } else {
                String::new()
            };
            match ranks.iter().find(|r| rank >= r.from && rank <= r.to) {
                Some(r) => (
                    r.points,
                    format!(
                        "第 {rank} 名（共 {of} 个单位{tie}），第 {}–{} 名 {}",
                        r.from,
                        r.to,
                        signed(r.points)
                    ),
                ),
                None => (
                    Decimal::ZERO,
                    format!("第 {rank} 名（共 {of} 个单位{tie}），不得名次分"),
                ),
            }
        }
    }
}

/// 考核结果通报 — the assessment in the bulletin's document model, for the official layout:
/// the ranked table with each criterion's points, then each unit's points explained.
pub fn document(
    scheme: &Scheme,
    scores: &[UnitScore],
    issuer: &str,
    (from, to): (crate::Period, crate::Period),
    object: &str,
    date: chrono::NaiveDate,
) -> crate::bulletin::Bulletin {
    use crate::bulletin::{Block, Bulletin, Part, Table};
    let range = if from == to {
        from.label()
    } else {
        format!("{}至{}", from.label(), to.label())
    };
    let mut header = vec!["名次".to_string(), object.to_string(), "总分".to_string()];
    header.extend(scheme.criteria.iter().map(|c| c.name.clone()));
    let rows = scores
        .iter()
        .map(|u| {
            let mut row = vec![u.rank.to_string(), u.unit.clone(), n(u.total)];
            row.extend(u.criteria.iter().map(|c| n(c.points)));
            row
        })
        .collect();
    let mut explained = Vec::new();
    for (i, u) in scores.iter().enumerate() {
        explained.push(Block::Heading {
            text: format!(
                "（{}）{}：{} 分",
                chinese_ordinal(i + 1),
                u.unit,
                n(u.total)
            ),
        });
        for c in &u.criteria {
            let terms: Vec<String> = c
                .terms
                .iter()
                .map(|t| format!("{}：{}", t.label, t.why))
                .collect();
            explained.push(Block::Paragraph {
                text: format!(
                    "{}{} 分（基础分 {}）。{}。",
                    c.name,
                    n(c.points),
                    n(c.base),
                    terms.join("；")
                ),
            });
        }
        for a in &u.adjustments {
            explained.push(Block::Paragraph {
                text: format!("加减分 {}：{}。", signed(a.points), a.reason),
            });
        }
    }
    Bulletin {
        title: format!("关于{range}{}结果的通报", scheme.name),
        issuer: issuer.to_string(),
        number: None,
        period: to,
        date,
        recipients: "各县（市、区）人民政府，市政府各部门：".into(),
        parts: vec![
            Part {
                heading: "一、考核结果".into(),
                blocks: vec![
                    Block::Paragraph {
                        text: format!(
                            "按照《{}》，对{}个{object}{range}的工作进行了考核，结果如下。",
                            scheme.name,
                            scores.len()
                        ),
                    },
                    Block::Table(Table {
                        title: "考核结果".into(),
                        header,
                        rows,
                    }),
                ],
            },
            Part {
                heading: "二、计分说明".into(),
                blocks: explained,
            },
        ],
        ranks: Vec::new(),
    }
}

/// 一, 二, … 九十九 — for the numbered headings.
fn chinese_ordinal(i: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match i {
        1..=9 => DIGITS[i].to_string(),
        10..=19 => format!("十{}", DIGITS[i % 10]),
        20..=99 => format!("{}十{}", DIGITS[i / 10], DIGITS[i % 10]),
        _ => i.to_string(),
    }
}

/// Reads a number written as an integer, a decimal or a string ("0.1").
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("一个数（如 40、0.1 或 \"0.1\"）")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
            Decimal::from_str(&v.to_string()).map_err(E::custom)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
            Decimal::from_str(v.trim()).map_err(E::custom)
        }
    }
    d.deserialize_any(V)
}

/// A number, or nothing (`null` as JSON writes a missing bound back).
fn some_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Maybe {
        Nothing(()),
        #[serde(deserialize_with = "number")]
        Number(Decimal),
    }
    Ok(match Maybe::deserialize(d)? {
        Maybe::Nothing(()) => None,
        Maybe::Number(n) => Some(n),
    })
}

#[cfg(test)]
mod tests;
