//! 排名 — ranking units on a rate or on a weighted composite: ties share a rank and the next
//! rank is skipped (1, 1, 3); movement against the previous period; and the 约谈 rule that
//! names the units at the bottom on a key rate several periods running.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::{Deserialize, Serialize};

use crate::rates::{Rate, Tally, one_decimal};

/// What a ranking is on: one rate or the composite (综合).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Measure {
    Rate(Rate),
    /// 综合得分 — the weighted composite.
    Composite(CompositeTag),
}

/// The name the composite goes by in rules and the API: "composite".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CompositeTag {
    #[serde(rename = "composite")]
    Composite,
}

impl Measure {
    pub const COMPOSITE: Measure = Measure::Composite(CompositeTag::Composite);

    pub fn label(self) -> &'static str {
        match self {
            Measure::Rate(r) => r.label(),
            Measure::Composite(_) => "综合得分",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Measure::Rate(r) => r.code(),
            Measure::Composite(_) => "composite",
        }
    }

    /// A rate's code or label, or "composite"/"综合".
    pub fn parse(text: &str) -> Result<Measure, String> {
        if matches!(text.trim(), "composite" | "综合" | "综合得分" | "综合排名") {
            return Ok(Measure::COMPOSITE);
        }
        Rate::parse(text)
            .map(Measure::Rate)
            .map_err(|e| format!("{e}，或“综合”"))
    }

    /// The measure's value for a group, in percent (or points for the composite).
    pub fn value(self, tally: &Tally, rules: &RankingRules) -> Option<Decimal> {
        match self {
            Measure::Rate(r) => tally.ratio(r).percent(),
            Measure::Composite(_) => rules.composite(tally),
        }
    }
}

/// 约谈规则 — units in the bottom `bottom` on `measure` in each of the last `periods`
/// periods (this one included) are flagged to be called in for a talk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TalkRule {
    pub measure: Measure,
    pub bottom: usize,
    pub periods: usize,
}

/// 排名规则 — the composite's weights and the 约谈 rule, read from TOML:
///
/// ```toml
/// [weights]          # 综合得分权重: rate code = weight
/// investment = 40
/// start = 20
/// [talk]             # 约谈: bottom 3 on 投资完成率 two periods running
/// measure = "investment"
/// bottom = 3
/// periods = 2
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingRules {
    pub weights: BTreeMap<Rate, f64>,
    pub talk: TalkRule,
}

impl Default for RankingRules {
    fn default() -> RankingRules {
        RankingRules {
            weights: [
                (Rate::Investment, 40.0),
                (Rate::Start, 20.0),
                (Rate::Completion, 10.0),
                (Rate::Milestone, 10.0),
                (Rate::OnTime, 10.0),
                (Rate::ProblemClosure, 10.0),
            ]
            .into_iter()
            .collect(),
            talk: TalkRule {
                measure: Measure::Rate(Rate::Investment),
                bottom: 3,
                periods: 2,
            },
        }
    }
}

impl RankingRules {
    /// Reads rules from TOML text and checks them; an error names what is wrong and where.
    pub fn from_toml(text: &str) -> Result<RankingRules, String> {
        let rules: RankingRules = toml::from_str(text).map_err(|e| format!("排名规则有误：{e}"))?;
        rules.check()?;
        Ok(rules)
    }

    /// The rules as TOML, as `from_toml` reads them.
    pub fn to_toml(&self) -> String {
        let mut out =
            String::from("# 排名规则 — 综合得分权重（比率代码 = 权重）与约谈规则\n[weights]\n");
        for (rate, w) in &self.weights {
            out.push_str(&format!("{} = {w}  # {}\n", rate.code(), rate.label()));
        }
        out.push_str(&format!(
            "\n# 约谈：连续 periods 期 {} 排名后 bottom 位\n[talk]\nmeasure = \"{}\"\nbottom = {}\nperiods = {}\n",
            self.talk.measure.label(),
            self.talk.measure.code(),
            self.talk.bottom,
            self.talk.periods
        ));
        out
    }

    /// How many periods before the ranked one the rankings need: one for movement, and as
    /// many as the 约谈 rule looks back.
    pub fn lookback(&self) -> usize {
        self.talk.periods.max(2) - 1
    }

    /// The 约谈 rule in words: "连续2期投资完成率排名后3位", "本期综合得分排名后3位".
    pub fn talk_text(&self) -> String {
        let t = &self.talk;
        let when = if t.periods == 1 {
            "本期".to_string()
        } else {
            format!("连续{}期", t.periods)
        };
        format!("{when}{}排名后{}位", t.measure.label(), t.bottom)
    }

    /// Checks the weights and the rule make sense.
    pub fn check(&self) -> Result<(), String> {
        if let Some((r, w)) = self
            .weights
            .iter()
            .find(|(_, w)| !w.is_finite() || **w < 0.0)
        {
            return Err(format!(
                "权重 {}（{}）应为不小于 0 的数，而不是 {w}",
                r.code(),
                r.label()
            ));
        }
        if self.weights.values().all(|w| *w == 0.0) {
            return Err("[weights] 至少要有一项比率的权重大于 0".into());
        }
        if self.talk.bottom == 0 || self.talk.periods == 0 {
            return Err("[talk] 的 bottom 和 periods 应为正整数".into());
        }
        Ok(())
    }

    /// 综合得分 — the weighted mean of the group's rates that have data, each capped at 100%
    /// (over-fulfilling one rate does not hide another); `None` when none has data.
    pub fn composite(&self, tally: &Tally) -> Option<Decimal> {
        let mut sum = Decimal::ZERO;
        let mut weights = Decimal::ZERO;
        for (rate, w) in &self.weights {
            let (Some(p), Some(w)) = (tally.ratio(*rate).percent(), Decimal::from_f64(*w)) else {
                continue;
            };
            if w.is_zero() {
                continue;
            }
            sum += p.min(Decimal::ONE_HUNDRED) * w;
            weights += w;
        }
        (!weights.is_zero()).then(|| sum / weights)
    }
}

/// Percentages go out to two decimals (they are computed exactly and ranked on one).
fn two_decimals<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    v.map(|d| d.round_dp(2)).serialize(s)
}

/// One unit's place in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub unit: String,
    /// The value ranked on, in percent (points for the composite); `None` is "no data".
    #[serde(serialize_with = "two_decimals")]
    pub value: Option<Decimal>,
    /// 名次 — `None` when there is no data to rank.
    pub rank: Option<usize>,
    /// 上期名次
    pub previous: Option<usize>,
}

impl Standing {
    /// 升降 — places gained (positive) or lost against the previous period.
    pub fn movement(&self) -> Option<i64> {
        Some(self.previous? as i64 - self.rank? as i64)
    }

    /// "↑2", "↓1", "—" (unchanged) or "" (no previous rank).
    pub fn movement_label(&self) -> String {
        match self.movement() {
            Some(0) => "—".into(),
            Some(m) if m > 0 => format!("↑{m}"),
            Some(m) => format!("↓{}", -m),
            None => String::new(),
        }
    }
}

/// Ranks `values` (unit, value): best first; equal values as published (one decimal) share
/// a rank and the next rank is skipped; units without data follow, unranked, in the order
/// given.
pub fn rank(values: &[(String, Option<Decimal>)], higher_is_better: bool) -> Vec<Standing> {
    let mut ranked: Vec<(&String, Decimal, Decimal)> = values
        .iter()
        .filter_map(|(u, v)| v.map(|v| (u, v, one_decimal(v))))
        .collect();
    // By the published figure; within a tie (same rank) by the exact one, so a list never
    // shows a lower score above a higher.
    ranked.sort_by(|a, b| {
        let order = a.2.cmp(&b.2).then(a.1.cmp(&b.1));
        if higher_is_better {
            order.reverse()
        } else {
            order
        }
    });
    let mut out = Vec::with_capacity(values.len());
    for (i, (unit, value, shown)) in ranked.iter().enumerate() {
        let rank = match out.last() {
            Some(Standing { rank: Some(r), .. }) if i > 0 && ranked[i - 1].2 == *shown => *r,
            _ => i + 1,
        };
        out.push(Standing {
            unit: (*unit).clone(),
            value: Some(*value),
            rank: Some(rank),
            previous: None,
        });
    }
    out.extend(
        values
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(u, _)| Standing {
                unit: u.clone(),
                value: None,
                rank: None,
                previous: None,
            }),
    );
    out
}

/// Fills in each standing's previous rank from the previous period's ranking.
pub fn with_previous(mut now: Vec<Standing>, before: &[Standing]) -> Vec<Standing> {
    for s in &mut now {
        s.previous = before
            .iter()
            .find(|b| b.unit == s.unit)
            .and_then(|b| b.rank);
    }
    now
}

/// Takes the previous ranks from a published list (unit, rank) instead: movement is counted
/// from what the last bulletin said, whatever the data have become since.
pub fn with_published(
    mut now: Vec<Standing>,
    published: &[(String, Option<usize>)],
) -> Vec<Standing> {
    for s in &mut now {
        s.previous = published
            .iter()
            .find(|(u, _)| *u == s.unit)
            .and_then(|(_, r)| *r);
    }
    now
}

impl RankTable {
    /// The composite's previous ranks and movement from a published list (see `with_published`).
    pub fn with_published(mut self, published: &[(String, Option<usize>)]) -> RankTable {
        for row in &mut self.rows {
            row.composite.previous = published
                .iter()
                .find(|(u, _)| *u == row.unit)
                .and_then(|(_, r)| *r);
            row.movement = row.composite.movement_label();
        }
        self
    }
}

/// The units in the bottom `n` of a ranking: the `n` worst ranked, and any tied with the last
/// of them — but never a unit ranked first, and no one when no more than `n` are ranked (with
/// three counties, "the bottom three" would be everyone).
pub fn bottom(standings: &[Standing], n: usize) -> Vec<&str> {
    let ranked: Vec<&Standing> = standings.iter().filter(|s| s.rank.is_some()).collect();
    if ranked.len() <= n || n == 0 {
        return Vec::new();
    }
    let threshold = ranked[ranked.len() - n].rank.max(Some(2));
    ranked
        .iter()
        .filter(|s| s.rank >= threshold)
        .map(|s| s.unit.as_str())
        .collect()
}

/// 约谈 — the units in the bottom of every one of `rankings` (the latest first, one per
/// period, as many as the rule's periods), in the latest ranking's order. Fewer rankings
/// than the rule needs flag no one.
pub fn called_in<'a>(rankings: &'a [Vec<Standing>], rule: &TalkRule) -> Vec<&'a str> {
    if rankings.len() < rule.periods || rule.periods == 0 {
        return Vec::new();
    }
    let sets: Vec<Vec<&str>> = rankings[..rule.periods]
        .iter()
        .map(|r| bottom(r, rule.bottom))
        .collect();
    sets[0]
        .iter()
        .copied()
        .filter(|u| sets[1..].iter().all(|s| s.contains(u)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: &str) -> Option<Decimal> {
        Some(v.parse().unwrap())
    }

    fn values(xs: &[(&str, Option<Decimal>)]) -> Vec<(String, Option<Decimal>)> {
        xs.iter().map(|(u, v)| (u.to_string(), *v)).collect()
    }

    fn ranks(s: &[Standing]) -> Vec<(&str, Option<usize>)> {
        s.iter().map(|s| (s.unit.as_str(), s.rank)).collect()
    }

    #[test]
    fn ties_share_a_rank_and_skip_the_next() {
        let v = values(&[
            ("A县", d("38.2")),
            ("B区", d("45.04")),
            ("C县", None),
            ("D县", d("45.0")),
            ("E县", d("12")),
        ]);
        let r = rank(&v, true);
        assert_eq!(
            ranks(&r),
            [
                ("B区", Some(1)),
                ("D县", Some(1)),
                ("A县", Some(3)),
                ("E县", Some(4)),
                ("C县", None)
            ]
        );
        // Lower is better (e.g. a count of overdue problems): the order turns round.
        let r = rank(&v, false);
        assert_eq!(r[0].unit, "E县");
        assert_eq!(r[2].rank, Some(3));
        assert_eq!(r[3].rank, Some(3));
    }

    #[test]
    fn movement_against_the_previous_period() {
        let before = rank(
            &values(&[("A", d("1")), ("B", d("2")), ("C", d("3"))]),
            true,
        );
        let now = rank(
            &values(&[("A", d("3")), ("B", d("2")), ("C", d("1")), ("N", d("0"))]),
            true,
        );
        let now = with_previous(now, &before);
        let m: Vec<(&str, String)> = now
            .iter()
            .map(|s| (s.unit.as_str(), s.movement_label()))
            .collect();
        assert_eq!(
            m,
            [
                ("A", "↑2".to_string()),
                ("B", "—".into()),
                ("C", "↓2".into()),
                ("N", "".into())
            ]
        );
    }

    #[test]
    fn bottom_three_takes_ties_and_skips_no_data() {
        let r = rank(
            &values(&[
                ("A", d("90")),
                ("B", d("80")),
                ("C", d("70")),
                ("D", d("70")),
                ("E", d("60")),
                ("F", None),
            ]),
            true,
        );
        assert_eq!(bottom(&r, 3), ["C", "D", "E"]);
        assert_eq!(
            bottom(&r, 2),
            ["C", "D", "E"],
            "C and D tie for the second-last place"
        );
        assert!(
            bottom(&r, 5).is_empty(),
            "five ranked: the bottom five would be everyone"
        );
        let tied = rank(
            &values(&[
                ("A", d("50")),
                ("B", d("50")),
                ("C", d("40")),
                ("D", d("30")),
            ]),
            true,
        );
        assert_eq!(
            bottom(&tied, 3),
            ["C", "D"],
            "the first place is never the bottom"
        );
    }

    #[test]
    fn called_in_only_when_at_the_bottom_every_period() {
        let rule = TalkRule {
            measure: Measure::Rate(Rate::Investment),
            bottom: 2,
            periods: 2,
        };
        let now = rank(
            &values(&[("A", d("90")), ("B", d("20")), ("C", d("10"))]),
            true,
        );
        let before = rank(
            &values(&[("A", d("5")), ("B", d("80")), ("C", d("10"))]),
            true,
        );
        assert_eq!(called_in(&[now.clone(), before], &rule), ["C"]);
        assert!(
            called_in(&[now], &rule).is_empty(),
            "one period is not two running"
        );
    }

    #[test]
    fn composite_is_the_weighted_mean_of_rates_with_data() {
        let rules: RankingRules = RankingRules {
            weights: [
                (Rate::Investment, 60.0),
                (Rate::Start, 40.0),
                (Rate::Completion, 10.0),
            ]
            .into_iter()
            .collect(),
            ..RankingRules::default()
        };
        let mut t = Tally::default();
        assert_eq!(rules.composite(&t), None, "no data at all");
        let mut item = crate::Item::new(2025, crate::ItemKind::Project, "x", "A县");
        item.annual_plan = Some(crate::Wan::from_yuan(1_000_000));
        item.stage = Some(crate::Stage::UnderConstruction);
        item.planned_start = crate::PlanDate::month(2025, 2);
        let ytd = [(
            chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
            crate::Wan::from_yuan(1_500_000),
        )];
        let f = crate::rates::RateFacts {
            item: &item,
            milestones: &[],
            ytd: &ytd,
            report: crate::ReportState::NotDue,
        };
        t.add(&crate::rates::tally_item(
            &f,
            chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        ));
        // 投资 150% capped at 100, 开工 100%, 竣工 no data: (100×60 + 100×40) / 100.
        assert_eq!(rules.composite(&t), d("100"));
        let mut later = item.clone();
        later.stage = Some(crate::Stage::ToStart);
        let mut t = Tally::default();
        let f = crate::rates::RateFacts { item: &later, ..f };
        t.add(&crate::rates::tally_item(
            &f,
            chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        ));
        // 开工 0%: 100×60 / 100 = 60.
        assert_eq!(rules.composite(&t), d("60"));
    }

    #[test]
    fn rules_read_from_toml_shape() {
        let rules = RankingRules::default();
        assert!(rules.check().is_ok());
        assert_eq!(RankingRules::from_toml(&rules.to_toml()), Ok(rules.clone()));
        let custom = RankingRules::from_toml(
            "[weights]\ninvestment = 70\non_time = 30\n[talk]\nmeasure = \"composite\"\nbottom = 2\nperiods = 3\n",
        )
        .unwrap();
        assert_eq!(custom.weights.len(), 2);
        assert_eq!(custom.talk.measure, Measure::COMPOSITE);
        let err = RankingRules::from_toml(
            "[weights]\nspeed = 1\n[talk]\nmeasure = \"start\"\nbottom = 1\nperiods = 1\n",
        )
        .unwrap_err();
        assert!(err.contains("speed"), "{err}");
        let bad = RankingRules {
            weights: BTreeMap::new(),
            ..RankingRules::default()
        };
        assert!(bad.check().unwrap_err().contains("weights"));
        assert_eq!(Measure::parse("综合"), Ok(Measure::COMPOSITE));
        assert_eq!(
            Measure::parse("投资完成率"),
            Ok(Measure::Rate(Rate::Investment))
        );
        assert!(Measure::parse("速度").unwrap_err().contains("开工率"));
    }
}

/// A ranking of one measure for a period with the movement against the period before and
/// the units the 约谈 rule names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    pub measure: Measure,
    pub standings: Vec<Standing>,
    /// 约谈 — named under the rule (only on the rule's measure).
    pub called_in: Vec<String>,
}

/// Ranks every unit of `boards` (one per period, latest first; each unit with its tally) on
/// `measure`; movement from the second board; the 约谈 rule applied when `measure` is its
/// measure.
pub fn ranking(boards: &[&[(String, Tally)]], measure: Measure, rules: &RankingRules) -> Ranking {
    let series: Vec<Vec<Standing>> = boards
        .iter()
        .map(|b| {
            let values: Vec<(String, Option<Decimal>)> = b
                .iter()
                .map(|(u, t)| (u.clone(), measure.value(t, rules)))
                .collect();
            rank(&values, true)
        })
        .collect();
    let called_in = if rules.talk.measure == measure {
        called_in(&series, &rules.talk)
            .into_iter()
            .map(String::from)
            .collect()
    } else {
        Vec::new()
    };
    let standings = match series.get(1) {
        Some(before) => with_previous(series[0].clone(), before),
        None => series.into_iter().next().unwrap_or_default(),
    };
    Ranking {
        measure,
        standings,
        called_in,
    }
}

/// One rate of one unit as shown: numerator, denominator, percent (None: 无数据) and rank.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateCell {
    pub rate: Rate,
    pub label: &'static str,
    pub numerator: Decimal,
    pub denominator: Decimal,
    #[serde(serialize_with = "two_decimals")]
    pub percent: Option<Decimal>,
    pub rank: Option<usize>,
}

/// One unit's line of the ranking table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankRow {
    pub unit: String,
    pub items: usize,
    /// 序时进度 of its items with money, in percent.
    #[serde(serialize_with = "two_decimals")]
    pub time_progress: Option<Decimal>,
    pub rates: Vec<RateCell>,
    /// 综合得分 with its rank and last period's.
    pub composite: Standing,
    /// "↑2", "↓1", "—" or "".
    pub movement: String,
    /// 约谈 under the rule.
    pub called_in: bool,
}

/// The ranking table of a period: every unit with every rate and the composite, in
/// composite order (units without data last).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankTable {
    pub rows: Vec<RankRow>,
    /// The city as a whole, for the 全市 line.
    pub overall: Vec<RateCell>,
    pub overall_items: usize,
    #[serde(serialize_with = "two_decimals")]
    pub overall_time_progress: Option<Decimal>,
    pub called_in: Vec<String>,
    pub rules: RankingRules,
}

fn cells(tally: &Tally, rankings: &[Ranking], unit: Option<&str>) -> Vec<RateCell> {
    Rate::ALL
        .iter()
        .map(|r| {
            let ratio = tally.ratio(*r);
            let rank = unit.and_then(|u| {
                rankings
                    .iter()
                    .find(|k| k.measure == Measure::Rate(*r))
                    .and_then(|k| k.standings.iter().find(|s| s.unit == u))
                    .and_then(|s| s.rank)
            });
            RateCell {
                rate: *r,
                label: r.label(),
                numerator: ratio.numerator,
                denominator: ratio.denominator,
                percent: ratio.percent(),
                rank,
            }
        })
        .collect()
}

/// Builds the table from boards (one per period, latest first) and the city's tally.
pub fn rank_table(
    boards: &[&[(String, Tally)]],
    overall: &Tally,
    rules: &RankingRules,
) -> RankTable {
    let rankings: Vec<Ranking> = Rate::ALL
        .iter()
        .map(|r| ranking(boards, Measure::Rate(*r), rules))
        .collect();
    let composite = ranking(boards, Measure::COMPOSITE, rules);
    // The 约谈 rule's measure is one of those just ranked.
    let talk = match rules.talk.measure {
        Measure::Rate(r) => rankings.iter().find(|k| k.measure == Measure::Rate(r)),
        Measure::Composite(_) => Some(&composite),
    }
    .cloned()
    .unwrap_or_else(|| ranking(boards, rules.talk.measure, rules));
    let latest = boards.first().copied().unwrap_or_default();
    let rows = composite
        .standings
        .iter()
        .filter_map(|s| {
            let (_, t) = latest.iter().find(|(u, _)| *u == s.unit)?;
            Some(RankRow {
                unit: s.unit.clone(),
                items: t.items,
                time_progress: t.time_progress(),
                rates: cells(t, &rankings, Some(&s.unit)),
                composite: s.clone(),
                movement: s.movement_label(),
                called_in: talk.called_in.contains(&s.unit),
            })
        })
        .collect();
    RankTable {
        rows,
        overall: cells(overall, &rankings, None),
        overall_items: overall.items,
        overall_time_progress: overall.time_progress(),
        called_in: talk.called_in,
        rules: rules.clone(),
    }
}
