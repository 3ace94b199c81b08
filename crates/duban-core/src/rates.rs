//! 比率 — the rates the office ranks regions and departments on (domain.md §8), each kept as
//! a numerator over a denominator so every figure can be checked, and "no data" (a zero
//! denominator) kept apart from 0%.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::item::{Item, ItemKind, Stage};
use crate::milestone::Milestone;
use crate::money::Wan;
use crate::status::{ReportState, time_progress};

crate::labelled_enum! {
    /// 比率 — one of the rates of domain.md §8.
    pub enum Rate ("比率") {
        /// 开工率 — started over planned to start by the date (this year's planned starts).
        Start = "start", "开工率", ["开工"],
        /// 投资完成率 — year-to-date investment over the annual plan (万元), read against 序时进度.
        Investment = "investment", "投资完成率", ["投资", "完成率"],
        /// 竣工率 — completed over planned to complete by the date.
        Completion = "completion", "竣工率", ["竣工"],
        /// 节点完成率 — milestones done on time over milestones due by the date.
        Milestone = "milestone", "节点完成率", ["节点"],
        /// 报送及时率 — reports on time over reports required.
        OnTime = "on_time", "报送及时率", ["报送", "及时率"],
        /// 问题销号率 — problems closed over problems due (and closed early).
        ProblemClosure = "problem_closure", "问题销号率", ["销号率", "销号"],
        /// 签约率 — 招商项目 signed over the year's 招商项目 (the target).
        Signing = "signing", "签约率", ["签约"],
        /// 履约率 — signed 招商项目 with every obligation due met, over those signed.
        Performance = "performance", "履约率", ["履约"],
        /// 资金到位率 — funds in place (reported year-to-date, 万元) over the funds contracted
        /// for the year (annual plan) of signed 招商项目.
        Funds = "funds", "资金到位率", ["资金到位", "到位率"],
    }
}

impl Rate {
    fn index(self) -> usize {
        Rate::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }

    /// Whether the numerator and denominator are money (万元) rather than counts.
    pub fn is_money(self) -> bool {
        matches!(self, Rate::Investment | Rate::Funds)
    }
}

/// A numerator over a denominator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Ratio {
    /// 分子
    pub numerator: Decimal,
    /// 分母 — zero means "no data" (无数据), never 0%.
    pub denominator: Decimal,
}

impl Ratio {
    pub fn new(numerator: impl Into<Decimal>, denominator: impl Into<Decimal>) -> Ratio {
        Ratio {
            numerator: numerator.into(),
            denominator: denominator.into(),
        }
    }

    /// In percent, unrounded; `None` when there is nothing to measure.
    pub fn percent(self) -> Option<Decimal> {
        (!self.denominator.is_zero())
            .then(|| self.numerator * Decimal::ONE_HUNDRED / self.denominator)
    }

    /// In percent to one decimal, as published (38.2%); ties are judged on this figure.
    pub fn shown(self) -> Option<Decimal> {
        self.percent().map(one_decimal)
    }

    fn add(&mut self, other: Ratio) {
        self.numerator += other.numerator;
        self.denominator += other.denominator;
    }
}

/// Rounds to one decimal, half away from zero (38.25 → 38.3), as figures are published.
pub fn one_decimal(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

/// 万元 → 亿元 to two decimals, half away from zero (1,234.5678 亿 → 1234.57).
pub fn yi(wan: Decimal) -> Decimal {
    (wan / Decimal::from(10_000)).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// "38.2%", or "无数据".
pub fn format_percent(value: Option<Decimal>) -> String {
    match value {
        Some(v) => format!("{:.1}%", one_decimal(v)),
        None => "无数据".to_string(),
    }
}

/// The rates of one group of items (a region, a department, the whole city), summed item by
/// item and problem by problem.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    /// 事项数
    pub items: usize,
    ratios: [Ratio; 9],
    /// Σ annual plan × 序时进度: what should have been invested by the date, 万元.
    planned_by_now: Decimal,
}

impl Tally {
    pub fn ratio(&self, rate: Rate) -> Ratio {
        self.ratios[rate.index()]
    }

    /// 序时进度 of the group — the plan due by the date over the annual plan, in percent.
    pub fn time_progress(&self) -> Option<Decimal> {
        self.progress().time_progress()
    }

    /// 投资进度 — invested, the annual plan and the plan due by the date: what the overview
    /// charts, the same figures the ranking and the bulletin show.
    pub fn progress(&self) -> Progress {
        let r = self.ratio(Rate::Investment);
        Progress {
            invested: r.numerator,
            annual: r.denominator,
            planned_by_now: self.planned_by_now,
        }
    }

    /// 累计完成投资 (万元).
    pub fn invested(&self) -> Decimal {
        self.ratio(Rate::Investment).numerator
    }

    /// 年度计划投资 (万元).
    pub fn annual_plan(&self) -> Decimal {
        self.ratio(Rate::Investment).denominator
    }

    pub fn add(&mut self, other: &Tally) {
        self.items += other.items;
        for (mine, theirs) in self.ratios.iter_mut().zip(other.ratios) {
            mine.add(theirs);
        }
        self.planned_by_now += other.planned_by_now;
    }

    fn count(&mut self, rate: Rate, done: bool) {
        self.ratios[rate.index()].add(Ratio::new(u32::from(done), 1));
    }

    /// Adds one problem: counted when its due date has come by `as_of` or it is closed (as
    /// the office judges it now: "截至目前"); done when closed.
    pub fn add_problem(&mut self, due: Option<NaiveDate>, closed: bool, as_of: NaiveDate) {
        if closed || due.is_some_and(|d| d <= as_of) {
            self.count(Rate::ProblemClosure, closed);
        }
    }
}

/// 投资进度 — a group's investment against its plan and its 序时进度 (万元), summed item by
/// item like a [`Tally`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// 累计完成投资
    pub invested: Decimal,
    /// 年度计划投资
    pub annual: Decimal,
    /// Σ annual plan × 序时进度: what should have been invested by the date.
    pub planned_by_now: Decimal,
}

impl Progress {
    pub fn add(&mut self, other: Progress) {
        self.invested += other.invested;
        self.annual += other.annual;
        self.planned_by_now += other.planned_by_now;
    }

    /// 投资完成率 in percent (the ranking's), `None` without an annual plan.
    pub fn completion(&self) -> Option<Decimal> {
        Ratio::new(self.invested, self.annual).percent()
    }

    /// 序时进度 in percent, `None` without an annual plan.
    pub fn time_progress(&self) -> Option<Decimal> {
        Ratio::new(self.planned_by_now, self.annual).percent()
    }
}

/// What the rates read of one item.
#[derive(Debug, Clone, Copy)]
pub struct RateFacts<'a> {
    pub item: &'a Item,
    pub milestones: &'a [Milestone],
    /// (period end, year-to-date) of each period reported, ascending.
    pub ytd: &'a [(NaiveDate, Wan)],
    /// How the item's report for the ranked period stands.
    pub report: ReportState,
}

fn milestone_done(milestones: &[Milestone], name: &str, as_of: NaiveDate) -> Option<bool> {
    milestones
        .iter()
        .find(|m| m.name == name)
        .and_then(|m| m.actual)
        .map(|d| d <= as_of)
}

fn stage_at_least(item: &Item, stages: &[Stage]) -> bool {
    item.stage.is_some_and(|s| stages.contains(&s))
}

const STARTED: &[Stage] = &[
    Stage::UnderConstruction,
    Stage::Completed,
    Stage::InOperation,
];
const COMPLETED: &[Stage] = &[Stage::Completed, Stage::InOperation];
const SIGNED: &[Stage] = &[
    Stage::ToStart,
    Stage::UnderConstruction,
    Stage::Completed,
    Stage::InOperation,
];

/// One item's part of its group's rates on `as_of`.
pub fn tally_item(f: &RateFacts, as_of: NaiveDate) -> Tally {
    let mut t = Tally::default();
    t.add_item(&item_tally(f, as_of));
    t
}

/// One item's part of its group's rates on a date, packed: a year's periods of a province
/// are kept item by item between reviews (about 50 bytes each, where a [`Tally`] takes 300).
/// [`ItemTally::default`] is an item not counted at all (not yet on the ledger). Kept between
/// server starts (serde, by position).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemTally {
    /// Counted in 事项数.
    listed: bool,
    /// The count rates that count the item, and those it meets: a bit per [`Rate`] index.
    counted: u16,
    done: u16,
    /// 节点: this year's milestones due by the date, and those done on time.
    milestones_due: u32,
    milestones_done: u32,
    money: Option<ItemMoney>,
}

/// An item's money in its tally (only with an annual plan).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct ItemMoney {
    ytd: Wan,
    annual: Wan,
    /// annual plan × 序时进度, 万元.
    planned_by_now: Decimal,
    /// Counted in 资金到位率 (a signed 招商项目).
    funds: bool,
}

impl ItemTally {
    fn count(&mut self, rate: Rate, done: bool) {
        let bit = 1u16 << rate.index();
        self.counted |= bit;
        if done {
            self.done |= bit;
        }
    }
}

impl Tally {
    /// Adds one item's packed part: the same sums as adding its [`tally_item`].
    pub fn add_item(&mut self, t: &ItemTally) {
        let mut sum = ItemSum::default();
        sum.add(t);
        self.add_sum(&sum);
    }

    /// Adds items' packed parts summed in whole numbers: the same figures, written with the
    /// same decimals, as adding each with [`Tally::add_item`].
    pub fn add_sum(&mut self, s: &ItemSum) {
        self.items += s.items;
        for (i, ratio) in self.ratios.iter_mut().enumerate() {
            if s.counted[i] > 0 {
                ratio.add(Ratio::new(s.done[i], s.counted[i]));
            }
        }
        if s.milestones_due > 0 {
            self.ratios[Rate::Milestone.index()]
                .add(Ratio::new(s.milestones_done, s.milestones_due));
        }
        if let Some(money) = s.investment.ratio() {
            self.ratios[Rate::Investment.index()].add(money);
        }
        if let Some(money) = s.funds.ratio() {
            self.ratios[Rate::Funds.index()].add(money);
        }
        self.planned_by_now += s.planned_by_now;
    }
}

/// Items' packed parts added up in whole numbers (yuan, counts): adding a province's items
/// for a year's periods in decimals took most of a cold ranking. Only the plan due by the
/// date, a product with 序时进度, stays a decimal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemSum {
    items: usize,
    counted: [u64; 9],
    done: [u64; 9],
    milestones_due: u64,
    milestones_done: u64,
    investment: MoneySum,
    funds: MoneySum,
    planned_by_now: Decimal,
}

/// Year-to-date over annual plan, in yuan, with the most decimals (of 万元) any addend was
/// written with: what adding them as decimals would have kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct MoneySum {
    added: bool,
    ytd: i128,
    annual: i128,
    ytd_scale: u32,
    annual_scale: u32,
}

impl MoneySum {
    fn add(&mut self, ytd: Wan, annual: Wan) {
        self.added = true;
        self.ytd += i128::from(ytd.yuan());
        self.annual += i128::from(annual.yuan());
        self.ytd_scale = self.ytd_scale.max(ytd.decimals());
        self.annual_scale = self.annual_scale.max(annual.decimals());
    }

    fn absorb(&mut self, other: &MoneySum) {
        self.added |= other.added;
        self.ytd += other.ytd;
        self.annual += other.annual;
        self.ytd_scale = self.ytd_scale.max(other.ytd_scale);
        self.annual_scale = self.annual_scale.max(other.annual_scale);
    }

    fn ratio(&self) -> Option<Ratio> {
        let wan = |yuan: i128, scale: u32| {
            let mut d = Decimal::from_i128_with_scale(yuan, 4);
            d.rescale(scale);
            d
        };
        self.added.then(|| {
            Ratio::new(
                wan(self.ytd, self.ytd_scale),
                wan(self.annual, self.annual_scale),
            )
        })
    }
}

impl ItemSum {
    /// Adds one item's packed part.
    pub fn add(&mut self, t: &ItemTally) {
        if !t.listed {
            return;
        }
        self.items += 1;
        for i in 0..Rate::ALL.len() {
            let bit = 1u16 << i;
            if t.counted & bit != 0 {
                self.counted[i] += 1;
                self.done[i] += u64::from(t.done & bit != 0);
            }
        }
        self.milestones_due += u64::from(t.milestones_due);
        self.milestones_done += u64::from(t.milestones_done);
        if let Some(m) = &t.money {
            self.investment.add(m.ytd, m.annual);
            if m.funds {
                self.funds.add(m.ytd, m.annual);
            }
            self.planned_by_now += m.planned_by_now;
        }
    }

    /// Adds the items another sum added: the sum of both sets of items, as if each had been
    /// added here one by one (only the plan due by the date may differ in its last of 28
    /// decimals, being added in another order).
    pub fn absorb(&mut self, other: &ItemSum) {
        self.items += other.items;
        for i in 0..Rate::ALL.len() {
            self.counted[i] += other.counted[i];
            self.done[i] += other.done[i];
        }
        self.milestones_due += other.milestones_due;
        self.milestones_done += other.milestones_done;
        self.investment.absorb(&other.investment);
        self.funds.absorb(&other.funds);
        self.planned_by_now += other.planned_by_now;
    }
}

/// One item's part of its group's rates on `as_of`, packed.
pub fn item_tally(f: &RateFacts, as_of: NaiveDate) -> ItemTally {
    let item = f.item;
    let mut t = ItemTally {
        listed: true,
        ..ItemTally::default()
    };
    let this_year = |d: NaiveDate| d.year() == item.year && d <= as_of;
    let builds = item.kind != ItemKind::Task && item.stage != Some(Stage::Reserve);
    if builds && item.planned_start.is_some_and(|d| this_year(d.last_day())) {
        let started = milestone_done(f.milestones, "开工", as_of)
            .unwrap_or_else(|| stage_at_least(item, STARTED));
        t.count(Rate::Start, started);
    }
    if builds && item.planned_end.is_some_and(|d| this_year(d.last_day())) {
        let completed = milestone_done(f.milestones, "竣工", as_of)
            .unwrap_or_else(|| stage_at_least(item, COMPLETED));
        t.count(Rate::Completion, completed);
    }
    let ytd = f
        .ytd
        .iter()
        .rev()
        .find(|(d, _)| *d <= as_of)
        .map(|(_, w)| *w)
        .unwrap_or_default();
    if let Some(annual) = item.annual_plan.filter(|a| !a.is_zero()) {
        t.money = Some(ItemMoney {
            ytd,
            annual,
            planned_by_now: annual.as_decimal() * time_progress(item, as_of) / Decimal::ONE_HUNDRED,
            funds: false,
        });
    }
    for m in f.milestones {
        if let Some(planned) = m.planned.filter(|d| this_year(*d)) {
            t.milestones_due += 1;
            t.milestones_done += u32::from(m.actual.is_some_and(|a| a <= planned));
        }
    }
    match f.report {
        ReportState::OnTime => t.count(Rate::OnTime, true),
        ReportState::Late | ReportState::Missing => t.count(Rate::OnTime, false),
        ReportState::NotDue => {}
    }
    if item.kind == ItemKind::Investment {
        let signed = milestone_done(f.milestones, "签约", as_of)
            .unwrap_or_else(|| stage_at_least(item, SIGNED));
        t.count(Rate::Signing, signed);
        if signed {
            let kept = f
                .milestones
                .iter()
                .filter(|m| m.planned.is_some_and(|p| p <= as_of))
                .all(|m| m.actual.is_some_and(|a| a <= as_of));
            t.count(Rate::Performance, kept);
            if let Some(money) = t.money.as_mut() {
                money.funds = true;
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PlanDate;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    fn project(start: u32, end: u32, annual: i64) -> Item {
        let mut i = Item::new(2025, ItemKind::Project, "测试项目", "白水县");
        i.stage = Some(Stage::ToStart);
        i.planned_start = PlanDate::month(2025, start);
        i.planned_end = PlanDate::month(2025, end);
        i.annual_plan = Some(Wan::from_yuan(annual * 10_000));
        i
    }

    /// A county's items added item by item in decimals and summed in whole numbers give the
    /// same figures written the same way: 0.5 + 0.5 万元 is "1.0", as the decimals keep it.
    #[test]
    fn whole_number_sums_are_the_decimal_sums() {
        let mut by_item = Tally::default();
        let mut sum = ItemSum::default();
        let mut parts = Vec::new();
        // Annual plans of 1,000 万, 0.5 万 (5,000 yuan) and 1,234.5678 万; one without a plan.
        for (n, annual_yuan) in [10_000_000, 5_000, 12_345_678, 0].into_iter().enumerate() {
            let mut item = project(3, 9, 0);
            item.annual_plan = Some(Wan::from_yuan(annual_yuan));
            if n == 2 {
                item.kind = ItemKind::Investment;
            }
            let ms = [Milestone {
                baseline: None,
                name: "开工".into(),
                planned: Some(day(3, 15)),
                actual: (n % 2 == 0).then(|| day(3, 10)),
            }];
            let ytd = [(day(5, 31), Wan::from_yuan(annual_yuan / 2))];
            let f = RateFacts {
                item: &item,
                milestones: &ms,
                ytd: &ytd,
                report: if n == 1 {
                    ReportState::Missing
                } else {
                    ReportState::OnTime
                },
            };
            parts.push(item_tally(&f, day(6, 30)));
        }
        parts.push(ItemTally::default());
        for p in &parts {
            by_item.add_item(p);
            sum.add(p);
        }
        let mut summed = Tally::default();
        summed.add_sum(&sum);
        assert_eq!(format!("{summed:?}"), format!("{by_item:?}"));
        assert_eq!(summed.items, 4, "the one not listed is not counted");
        // 1,000 + 0.5 + 1,234.5678 万 planned; half of each done (0.25 万 is 2,500 yuan).
        assert_eq!(summed.annual_plan().to_string(), "2235.0678");
        assert_eq!(summed.invested().to_string(), "1117.5339");
        assert_eq!(summed.ratio(Rate::OnTime), Ratio::new(3, 4));
        assert_eq!(
            summed.ratio(Rate::Start),
            Ratio::new(2, 4),
            "started: the first and third"
        );
        // Two plans of 0.5 万: "1.0" 万, as decimals added one by one are written.
        let mut halves = ItemSum::default();
        halves.add(&parts[1]);
        halves.add(&parts[1]);
        let mut t = Tally::default();
        t.add_sum(&halves);
        assert_eq!(t.annual_plan().to_string(), "1.0");
        assert_eq!(t.annual_plan().to_string(), {
            let half = Wan::from_yuan(5_000).as_decimal();
            (half + half).to_string()
        });
        // Two groups added up apart and then together: the county's figures again, the
        // decimals of the finer plan (1,234.5678 万) kept though the other group has none.
        let (mut first, mut rest) = (ItemSum::default(), ItemSum::default());
        parts[..2].iter().for_each(|p| first.add(p));
        parts[2..].iter().for_each(|p| rest.add(p));
        first.absorb(&rest);
        let mut grouped = Tally::default();
        grouped.add_sum(&first);
        assert_eq!(format!("{grouped:?}"), format!("{by_item:?}"));
        assert_eq!(grouped.annual_plan().to_string(), "2235.0678");
        let mut empty = ItemSum::default();
        empty.absorb(&ItemSum::default());
        let mut none = Tally::default();
        none.add_sum(&empty);
        assert_eq!(
            none.ratio(Rate::Investment),
            Ratio::default(),
            "no plan: no data"
        );
    }

    #[test]
    fn a_zero_denominator_is_no_data_not_zero() {
        let r = Ratio::new(0, 0);
        assert_eq!(r.percent(), None);
        assert_eq!(format_percent(r.shown()), "无数据");
        assert_eq!(format_percent(Ratio::new(0, 4).shown()), "0.0%");
        assert_eq!(format_percent(Ratio::new(1, 3).shown()), "33.3%");
        assert_eq!(one_decimal(Decimal::new(3825, 2)), Decimal::new(383, 1));
    }

    #[test]
    fn an_item_counts_where_its_dates_have_come() {
        let item = project(3, 9, 1_000);
        let ms = vec![
            Milestone {
                baseline: None,
                name: "开工".into(),
                planned: Some(day(3, 15)),
                actual: Some(day(3, 20)),
            },
            Milestone {
                baseline: None,
                name: "主体框架".into(),
                planned: Some(day(5, 31)),
                actual: Some(day(5, 30)),
            },
            Milestone {
                baseline: None,
                name: "封顶".into(),
                planned: Some(day(6, 20)),
                actual: None,
            },
            Milestone {
                baseline: None,
                name: "竣工".into(),
                planned: Some(day(9, 30)),
                actual: None,
            },
        ];
        let ytd = [
            (day(5, 31), Wan::from_yuan(3_000_000)),
            (day(6, 30), Wan::from_yuan(4_500_000)),
        ];
        let f = RateFacts {
            item: &item,
            milestones: &ms,
            ytd: &ytd,
            report: ReportState::Late,
        };
        let t = tally_item(&f, day(6, 30));
        assert_eq!(t.ratio(Rate::Start), Ratio::new(1, 1));
        // 开工 was five days late; 主体框架 on time; 封顶 overdue; 竣工 not due yet.
        assert_eq!(t.ratio(Rate::Milestone), Ratio::new(1, 3));
        assert_eq!(
            t.ratio(Rate::Completion),
            Ratio::default(),
            "not due by June"
        );
        assert_eq!(t.ratio(Rate::Investment).percent(), Some(Decimal::from(45)));
        // 序时进度 over the item's own window, 1 March – 30 September: 122 of 214 days.
        assert_eq!(
            t.time_progress(),
            Some(Decimal::from(122 * 100) / Decimal::from(214))
        );
        assert_eq!(t.ratio(Rate::OnTime), Ratio::new(0, 1));
        assert_eq!(t.ratio(Rate::Signing), Ratio::default(), "not a 招商项目");
        // At the end of May only May's figure counts.
        let t = tally_item(&f, day(5, 31));
        assert_eq!(t.ratio(Rate::Investment).percent(), Some(Decimal::from(30)));
    }

    #[test]
    fn investment_attraction_rates_follow_signing() {
        let mut item = project(8, 12, 2_000);
        item.kind = ItemKind::Investment;
        let ms = vec![
            Milestone {
                baseline: None,
                name: "签约".into(),
                planned: Some(day(4, 30)),
                actual: Some(day(4, 28)),
            },
            Milestone {
                baseline: None,
                name: "开工".into(),
                planned: Some(day(6, 1)),
                actual: None,
            },
        ];
        let ytd = [(day(6, 30), Wan::from_yuan(5_000_000))];
        let f = RateFacts {
            item: &item,
            milestones: &ms,
            ytd: &ytd,
            report: ReportState::NotDue,
        };
        let t = tally_item(&f, day(6, 30));
        assert_eq!(t.ratio(Rate::Signing), Ratio::new(1, 1));
        assert_eq!(t.ratio(Rate::Performance), Ratio::new(0, 1), "开工 overdue");
        assert_eq!(t.ratio(Rate::Funds).percent(), Some(Decimal::from(25)));
        assert_eq!(t.ratio(Rate::OnTime), Ratio::default());
        let t = tally_item(&f, day(3, 31));
        assert_eq!(t.ratio(Rate::Signing), Ratio::new(0, 1));
        assert_eq!(t.ratio(Rate::Performance), Ratio::default());
    }

    #[test]
    fn problems_count_when_due_or_closed() {
        let mut t = Tally::default();
        t.add_problem(Some(day(5, 1)), false, day(6, 30)); // overdue
        t.add_problem(Some(day(5, 1)), true, day(6, 30)); // closed
        t.add_problem(Some(day(9, 1)), true, day(6, 30)); // closed early
        t.add_problem(Some(day(9, 1)), false, day(6, 30)); // not due
        t.add_problem(None, false, day(6, 30)); // no due date
        assert_eq!(t.ratio(Rate::ProblemClosure), Ratio::new(2, 3));
    }
}
