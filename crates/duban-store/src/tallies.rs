//! 各期合计 — every item's part of the rates of a year's periods, kept between reviews (the
//! rankings, the bulletin, the assessment) and refreshed for the items written since, as the
//! status snapshot is: the first review after a write reads and tallies again only the items
//! the write touched (`items.touched`), not the province.
//!
//! One set is kept per store, for one year, one day's judgement and one set of thresholds; it
//! grows to the union of the periods asked for (a year of months at most) and is not kept
//! when it would hold more than [`MAX_CELLS`] item-periods.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::NaiveDate;
use duban_core::bulletin::RedItem;
use duban_core::rates::{ItemSum, ItemTally, RateFacts, item_tally};
use duban_core::{Colour, Period, ReportState, Stage, Thresholds};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::groups::Groups;
use crate::periods::{Calendar, Schedule};
use crate::{Result, StatusInput, Store};

/// Item-periods kept at most (about 56 bytes each): a province's year of months is 600,000,
/// a million items' 12 million (about 700 MB). Past it every review after a write would read
/// and tally the whole year again (the assessment of a million items: 19 s each time).
const MAX_CELLS: usize = 12_000_000;

/// Items written since the last review above which everything is read again.
const REFRESH_AT_MOST: usize = 5_000;

/// What the kept tallies were made for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub(crate) year: i32,
    pub(crate) today: NaiveDate,
    pub(crate) th: Thresholds,
}

/// A group's region (所在地), lead unit and sum for each period kept.
pub(crate) type GroupSum<'a> = (Option<&'a str>, &'a str, Cow<'a, [ItemSum]>);

/// The one set a store keeps.
#[derive(Default)]
pub(crate) struct KeptTallies(Mutex<Option<Arc<YearTallies>>>);

impl std::fmt::Debug for KeptTallies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeptTallies")
    }
}

/// Every item's tallies of some periods of a year, in code order.
pub(crate) struct YearTallies {
    pub(crate) key: Key,
    /// The data version read before the items were.
    pub(crate) version: i64,
    /// The periods of each item's tallies, in this order.
    pub(crate) periods: Vec<Period>,
    /// The periods whose red items are kept.
    pub(crate) heads: Vec<Period>,
    /// Every item's part when `whole`; else none.
    pub(crate) parts: Vec<ItemPart>,
    /// The parts added up by region and lead unit.
    pub(crate) groups: Groups,
    /// Are every item's parts here? Tallies read from the head kept in the database are not
    /// (see `kept_tallies`): they serve reviews from the groups' sums, and are made whole
    /// from the database before any item is tallied again.
    pub(crate) whole: bool,
    /// How many items were tallied.
    pub(crate) items: usize,
    /// When not `whole`: for each of `heads`, how many items were red on its last day and
    /// the worst of them (what a bulletin lists).
    pub(crate) listed_reds: Vec<ListedReds>,
}

/// A period, how many items were red on its last day, and the worst of them.
pub(crate) type ListedReds = (Period, usize, Vec<RedItem>);

/// One item's part: its region and lead unit, a tally per period, and itself where red.
/// Kept between server starts (serde, by position).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ItemPart {
    pub(crate) code: String,
    pub(crate) region: Option<String>,
    pub(crate) lead: String,
    /// The number of its group of region and lead unit (see [`Groups`]).
    pub(crate) group: u32,
    pub(crate) tallies: Box<[ItemTally]>,
    pub(crate) reds: Vec<(Period, RedItem)>,
}

#[cfg(feature = "test-support")]
impl KeptTallies {
    /// Whether the set kept holds every item's part, if one is kept.
    pub(crate) async fn whole(&self) -> Option<bool> {
        self.0.lock().await.as_ref().map(|t| t.whole)
    }
}

impl ItemPart {
    #[cfg(test)]
    pub(crate) fn of(
        code: &str,
        region: Option<&str>,
        lead: &str,
        tallies: Vec<ItemTally>,
    ) -> Self {
        ItemPart {
            code: code.into(),
            region: region.map(str::to_string),
            lead: lead.into(),
            group: 0,
            tallies: tallies.into(),
            reds: Vec::new(),
        }
    }

    pub(crate) fn tally(&self, column: usize) -> &ItemTally {
        &self.tallies[column]
    }

    pub(crate) fn red(&self, head: Period) -> Option<&RedItem> {
        self.reds.iter().find(|(p, _)| *p == head).map(|(_, r)| r)
    }
}

impl YearTallies {
    /// The data version read before the items were.
    pub(crate) fn version(&self) -> i64 {
        self.version
    }

    /// Where `period`'s tallies are in each part.
    pub(crate) fn column(&self, period: Period) -> Option<usize> {
        self.periods.iter().position(|p| *p == period)
    }

    /// What the boards add up: the groups of region and lead unit with their sums for every
    /// period kept, in key order; or, with too many groups to keep, each part alone (its
    /// sums made as it is met, nothing held for all of them).
    pub(crate) fn sums(&self) -> Box<dyn Iterator<Item = GroupSum<'_>> + '_> {
        if self.groups.kept() {
            return Box::new(
                self.groups
                    .iter()
                    .map(|(region, lead, sums)| (region, lead, Cow::Borrowed(sums))),
            );
        }
        Box::new(self.parts.iter().map(|p| {
            let sums = p
                .tallies
                .iter()
                .map(|t| {
                    let mut sum = ItemSum::default();
                    sum.add(t);
                    sum
                })
                .collect();
            (p.region.as_deref(), p.lead.as_str(), Cow::Owned(sums))
        }))
    }

    /// How many items were red on `head`'s last day, and the worst of them (what a bulletin
    /// lists).
    pub(crate) fn red_on(&self, head: Period) -> (usize, Vec<RedItem>) {
        if !self.whole {
            return self
                .listed_reds
                .iter()
                .find(|(p, ..)| *p == head)
                .map(|(_, count, worst)| (*count, worst.clone()))
                .unwrap_or_default();
        }
        let red: Vec<&RedItem> = self.parts.iter().filter_map(|p| p.red(head)).collect();
        (red.len(), crate::rates::worst(red))
    }

    fn serves(&self, key: &Key, periods: &[Period], head: Period) -> bool {
        self.key == *key
            && self.heads.contains(&head)
            && periods.iter().all(|p| self.periods.contains(p))
    }
}

impl Store {
    /// Every item's tallies of `periods` of `year` (and its red reasons on `head`'s last
    /// day), reports judged on `today`: the kept set when nothing was written since, the kept
    /// set with the items written since read again, or everything read.
    pub(crate) async fn year_tallies(
        &self,
        year: i32,
        periods: &[Period],
        head: Period,
        today: NaiveDate,
        th: &Thresholds,
    ) -> Result<Arc<YearTallies>> {
        let key = Key {
            year,
            today,
            th: th.clone(),
        };
        let mut kept = self.tallies.0.lock().await;
        let version = self.data_version().await?;
        // What this process keeps, or else what a server kept in the database (its head).
        let mut found = kept.clone().filter(|k| k.serves(&key, periods, head));
        if found.is_none() {
            found = self
                .kept_tallies_head(&key)
                .await?
                .filter(|k| k.serves(&key, periods, head))
                .map(Arc::new);
        }
        if let Some(old) = found {
            if old.version == version {
                *kept = Some(old.clone());
                return Ok(old);
            }
            if let Some(touched) = self.changed_since(old.version, REFRESH_AT_MOST).await? {
                // Let go of the kept set, so that it can be taken instead of copied.
                *kept = None;
                let old = if old.whole {
                    Some(old)
                } else {
                    // Every item's part read back: a costly computation.
                    let _turn = crate::one_at_a_time().await;
                    self.kept_tallies_whole(&old).await?.map(Arc::new)
                };
                if let Some(old) = old {
                    // A review still reading the old set (begun before the write) would have
                    // it copied: costly, so it waits for the turn then (the count only falls).
                    let _turn = match Arc::strong_count(&old) {
                        1 => None,
                        _ => Some(crate::one_at_a_time().await),
                    };
                    let fresh = self
                        .read_tallies(&key, &old.periods, &old.heads, Some(old.version))
                        .await?;
                    let refreshed = Arc::new(merged(old, version, touched, fresh));
                    *kept = Some(refreshed.clone());
                    return Ok(refreshed);
                }
            }
        }
        // Everything again: for the periods kept so far and those asked for, and the year's
        // other periods over by today when they fit (the rankings, the bulletin and the
        // assessment of the year then all find theirs kept). A costly computation: it takes
        // the process's turn (a review from what is kept does not wait for one).
        let _turn = crate::one_at_a_time().await;
        let (mut all_periods, mut heads) = match kept.take() {
            Some(old) if old.key == key => (old.periods.clone(), old.heads.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        let mut wanted = periods.to_vec();
        let year_so_far = ended_in_year(head, today);
        let items: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE year = $1")
            .bind(i64::from(year))
            .fetch_one(&self.pool)
            .await?;
        let cells = usize::try_from(items).unwrap_or(usize::MAX);
        if cells.saturating_mul(year_so_far.len() + all_periods.len() + 1) <= MAX_CELLS {
            wanted.extend(year_so_far);
        }
        for p in wanted {
            if !all_periods.contains(&p) {
                all_periods.push(p);
            }
        }
        if !heads.contains(&head) {
            heads.push(head);
        }
        let mut parts = self.read_tallies(&key, &all_periods, &heads, None).await?;
        let groups = Groups::of(&mut parts, all_periods.len());
        let tallies = Arc::new(YearTallies {
            key,
            version,
            periods: all_periods,
            heads,
            items: parts.len(),
            parts,
            groups,
            whole: true,
            listed_reds: Vec::new(),
        });
        if tallies.parts.len() * tallies.periods.len() <= MAX_CELLS {
            *kept = Some(tallies.clone());
            self.keep_tallies(&tallies).await;
        }
        Ok(tallies)
    }

    /// The parts of the items of the key's year (written after a data version, if given), in
    /// code order, with where each is (所在地).
    async fn read_tallies(
        &self,
        key: &Key,
        periods: &[Period],
        heads: &[Period],
        touched_after: Option<i64>,
    ) -> Result<Vec<ItemPart>> {
        let calendar = self.calendar().await?;
        let (periods, heads) = (periods.to_vec(), heads.to_vec());
        let (today, th) = (key.today, key.th.clone());
        let map =
            move |input: StatusInput| item_part(&input, &calendar, &periods, &heads, today, &th);
        let mut parts = self
            .read_mapped_where(key.year, None, touched_after, Arc::new(map))
            .await?;
        // The status inputs leave out where an item is: read it beside them.
        let mut regions = self.regions_by_code(key.year, touched_after).await?;
        for part in &mut parts {
            part.region = regions.remove(&part.code);
        }
        Ok(parts)
    }
}

/// The periods of `head`'s kind in its year that are over by `today`, latest first.
fn ended_in_year(head: Period, today: NaiveDate) -> Vec<Period> {
    let mut first = head;
    while first.previous().year() == head.year() {
        first = first.previous();
    }
    let mut out = Vec::new();
    let mut p = first;
    while p.year() == head.year() && p.last_day() < today {
        out.push(p);
        p = p.next();
    }
    out.reverse();
    out
}

/// The kept set with the items touched (or read again) replaced by their fresh parts — by
/// none for an item archived or moved to another year —, and the groups they left or joined
/// added up again.
fn merged(
    old: Arc<YearTallies>,
    version: i64,
    touched: Vec<String>,
    mut fresh: Vec<ItemPart>,
) -> YearTallies {
    // Both in code order: the kept parts are walked once beside them, not each looked up.
    let mut replaced: Vec<String> = touched
        .into_iter()
        .chain(fresh.iter().map(|p| p.code.clone()))
        .collect();
    replaced.sort_unstable();
    replaced.dedup();
    let old = Arc::try_unwrap(old).unwrap_or_else(|shared| YearTallies {
        key: shared.key.clone(),
        version: shared.version,
        periods: shared.periods.clone(),
        heads: shared.heads.clone(),
        parts: shared.parts.clone(),
        groups: shared.groups.clone(),
        whole: shared.whole,
        items: shared.items,
        listed_reds: shared.listed_reds.clone(),
    });
    let YearTallies {
        key,
        periods,
        heads,
        parts: mut old_parts,
        mut groups,
        ..
    } = old;
    let mut again = vec![false; groups.len()];
    for part in &mut fresh {
        part.group = groups.number(part);
        again.resize(groups.len(), true);
        again[part.group as usize] = true;
    }
    // Every item written still in the year and none new (a report, a plan, an edit): the
    // parts are replaced where they stand instead of the million being moved.
    let places: Option<Vec<usize>> = (replaced.len() == fresh.len())
        .then(|| {
            fresh
                .iter()
                .map(|f| old_parts.binary_search_by(|p| p.code.cmp(&f.code)).ok())
                .collect()
        })
        .flatten();
    let parts = if let Some(places) = places {
        for (n, part) in places.into_iter().zip(fresh) {
            again[old_parts[n].group as usize] = true;
            old_parts[n] = part;
        }
        old_parts
    } else {
        let mut parts = Vec::with_capacity(old_parts.len() + fresh.len());
        let mut fresh = fresh.into_iter().peekable();
        let mut gone = replaced.iter().peekable();
        for part in old_parts {
            while gone.next_if(|code| **code < part.code).is_some() {}
            if gone.peek().is_some_and(|code| **code == part.code) {
                again[part.group as usize] = true;
                continue;
            }
            while let Some(f) = fresh.next_if(|f| f.code < part.code) {
                parts.push(f);
            }
            parts.push(part);
        }
        parts.extend(fresh);
        parts
    };
    groups.refresh(&parts, &again);
    YearTallies {
        key,
        version,
        periods,
        heads,
        items: parts.len(),
        parts,
        groups,
        whole: true,
        listed_reds: Vec::new(),
    }
}

/// The period of an item's cadence whose report counts for `period`: the latest one ending
/// by `period`'s last day.
fn counted_period(schedule: Schedule, period: Period) -> Period {
    let p = Period::of(period.last_day(), schedule.cadence);
    if p.last_day() > period.last_day() {
        p.previous()
    } else {
        p
    }
}

/// How an item's report for `period` stands, judged on `today`: missing only once due, and
/// never for a period over before the item was put on the ledger.
fn report_state(
    input: &StatusInput,
    schedule: Schedule,
    period: Period,
    today: NaiveDate,
) -> ReportState {
    let (item, trail) = (&input.item, &input.trail);
    let q = counted_period(schedule, period);
    if q.year() != item.year || item.stage == Some(Stage::Reserve) || !q.lists(input.listed_on) {
        return ReportState::NotDue;
    }
    let due = schedule.due(q);
    match trail.submitted(q) {
        Some(on) if on <= due => ReportState::OnTime,
        Some(_) => ReportState::Late,
        None if today > due => ReportState::Missing,
        None => ReportState::NotDue,
    }
}

fn item_part(
    input: &StatusInput,
    calendar: &Calendar,
    periods: &[Period],
    heads: &[Period],
    today: NaiveDate,
    th: &Thresholds,
) -> ItemPart {
    let schedule = calendar.schedule(input.item.kind);
    // A period over before the item was put on the ledger does not count it at all.
    let tallies = periods
        .iter()
        .map(|p| {
            if !p.lists(input.listed_on) {
                return ItemTally::default();
            }
            let f = RateFacts {
                item: &input.item,
                milestones: &input.milestones,
                ytd: &input.trail.ytd,
                report: report_state(input, schedule, *p, today),
            };
            item_tally(&f, p.last_day())
        })
        .collect();
    let reds = heads
        .iter()
        .filter(|p| p.lists(input.listed_on))
        .filter_map(|p| red_item(input, calendar, *p, th).map(|r| (*p, r)))
        .collect();
    ItemPart {
        code: input.item.code.clone(),
        region: None,
        lead: input.item.lead_unit.clone(),
        group: 0,
        tallies,
        reds,
    }
}

/// The item as the bulletin names it if it is red on `period`'s last day.
fn red_item(
    input: &StatusInput,
    calendar: &Calendar,
    period: Period,
    th: &Thresholds,
) -> Option<RedItem> {
    let status = crate::status::judge(input, calendar, period.last_day(), th);
    (status.colour == Colour::Red).then(|| RedItem {
        name: input.item.name.clone(),
        unit: input.item.lead_unit.clone(),
        lag: status.lag,
        reasons: {
            // The first red reason, and how many more: a bulletin row stays one line or two.
            let red: Vec<&str> = status
                .reasons
                .iter()
                .filter(|r| r.colour == Colour::Red)
                .map(|r| r.text.as_str())
                .collect();
            match red.len() {
                0 => String::new(),
                1 => red[0].to_string(),
                n => format!("{}（另有{}项）", red[0], n - 1),
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The periods kept with a review: every one of its kind in its year that is over.
    #[test]
    fn the_year_so_far_is_the_periods_of_its_kind_over_by_today() {
        let m = |n| Period::month(2025, n).unwrap();
        // 10 July: June is over, July is not; latest first.
        assert_eq!(
            ended_in_year(m(5), d("2025-07-10")),
            [m(6), m(5), m(4), m(3), m(2), m(1)]
        );
        // On 31 July July is not over yet; on 1 August it is.
        assert_eq!(ended_in_year(m(6), d("2025-07-31")).len(), 6);
        assert_eq!(ended_in_year(m(6), d("2025-08-01")).len(), 7);
        // A later year's days do not carry over: December is the last.
        assert_eq!(ended_in_year(m(11), d("2026-02-01")).len(), 12);
        let q = |n| Period::quarter(2025, n).unwrap();
        assert_eq!(ended_in_year(q(1), d("2025-07-10")), [q(2), q(1)]);
        // Weeks: every week of the year before today's, none of another year.
        let w = Period::week(2025, 10).unwrap();
        let weeks = ended_in_year(w, d("2025-03-20"));
        assert!(weeks.contains(&w));
        assert!(
            weeks
                .iter()
                .all(|p| p.year() == 2025 && p.last_day() < d("2025-03-20"))
        );
        assert_eq!(weeks.len(), 11, "weeks 1 to 11 of 2025 end by 16 March");
    }
}
