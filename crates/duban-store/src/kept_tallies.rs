//! 留存的各期合计 — the year's tallies kept in the database, as every item's status is
//! (`kept`): a server starting reads them instead of reading and tallying the whole year
//! (a million items: 10 s and 2.5 GB before its first ranking).
//!
//! The first part, the head, is what a review reads: the key the tallies were made for, the
//! groups' sums of every period, and for each period whose red items are kept how many
//! there were and the worst of them. A server starting reads only it.
//! The other parts are every item's part, in code order, 20,000 to a part: they are read
//! when a write since asks for some items to be tallied again (the groups they left or
//! joined are added up again from them). Every count, number and order read is checked
//! before it is trusted; anything that does not fit is set aside, and the year is read and
//! tallied afresh.

use duban_core::bulletin::RedItem;
use duban_core::{Period, Thresholds};
use serde::{Deserialize, Serialize};

use crate::groups::Groups;
use crate::kept::{Kind, Parts};
use crate::tallies::{ItemPart, Key, ListedReds, YearTallies};
use crate::{Result, Store};

/// Items per part after the head.
const ITEMS_PER_PART: usize = 20_000;

/// The most items kept tallies may hold.
const ITEMS_AT_MOST: u64 = 5_000_000;

/// The encoding, after the build that tallied.
fn format() -> String {
    format!("{}; tallies msgpack+lz4 1", crate::kept::this_build())
}

/// The head as written (borrowed) and as read (owned): the same fields in the same order.
#[derive(Serialize)]
struct HeadOut<'a> {
    year: i32,
    th: &'a Thresholds,
    periods: &'a [Period],
    heads: &'a [Period],
    items: u64,
    groups: &'a Groups,
    reds: Vec<(Period, usize, Vec<RedItem>)>,
}

#[derive(Deserialize)]
struct Head {
    year: i32,
    th: Thresholds,
    periods: Vec<Period>,
    heads: Vec<Period>,
    items: u64,
    groups: Groups,
    reds: Vec<ListedReds>,
}

/// The parts of `t`: its head, then every item's part.
fn pack(t: &YearTallies) -> std::result::Result<Vec<Vec<u8>>, rmp_serde::encode::Error> {
    let head = HeadOut {
        year: t.key.year,
        th: &t.key.th,
        periods: &t.periods,
        heads: &t.heads,
        items: t.parts.len() as u64,
        groups: &t.groups,
        reds: t
            .heads
            .iter()
            .map(|h| {
                let (count, worst) = t.red_on(*h);
                (*h, count, worst)
            })
            .collect(),
    };
    let mut parts = vec![crate::pack_part(&head)?];
    for some in t.parts.chunks(ITEMS_PER_PART) {
        parts.push(crate::pack_part(some)?);
    }
    Ok(parts)
}

/// What the head says, if it was made for `key` (`None`: for another year or other
/// thresholds): the tallies without the items' parts (`whole` false), and how many items the
/// other parts hold. An error when it is damaged or does not fit.
fn head_of(
    part: &[u8],
    key: &Key,
    version: i64,
) -> std::result::Result<Option<YearTallies>, String> {
    let mut bytes = Vec::new();
    crate::unpack_part(part, &mut bytes)?;
    let head: Head = rmp_serde::from_slice(&bytes).map_err(|e| e.to_string())?;
    if head.year != key.year || head.th != key.th {
        return Ok(None);
    }
    if head.items > ITEMS_AT_MOST || !head.groups.fits(head.periods.len()) {
        return Err("项目数或分组合计与期间数不符".into());
    }
    let listed = head.reds.len() == head.heads.len()
        && head
            .reds
            .iter()
            .zip(&head.heads)
            .all(|((p, count, worst), h)| {
                p == h && worst.len() <= (*count).min(duban_core::bulletin::LISTED)
            });
    if !listed {
        return Err("红灯项目与所留期间不符".into());
    }
    Ok(Some(YearTallies {
        key: key.clone(),
        version,
        periods: head.periods,
        heads: head.heads,
        parts: Vec::new(),
        groups: head.groups,
        whole: false,
        items: head.items as usize,
        listed_reds: head.reds,
    }))
}

/// Every item's part, from the parts after the head of `light`: in code order, each of the
/// head's periods and in one of its groups, as many as the head says.
fn parts_of(light: &YearTallies, packed: &[Vec<u8>]) -> std::result::Result<Vec<ItemPart>, String> {
    let mut parts: Vec<ItemPart> = Vec::with_capacity(light.items);
    let mut bytes = Vec::new();
    for part in packed {
        crate::unpack_part(part, &mut bytes)?;
        let some: Vec<ItemPart> = rmp_serde::from_slice(&bytes).map_err(|e| e.to_string())?;
        if parts.len() + some.len() > light.items {
            return Err("项目数多于头部所记".into());
        }
        parts.extend(some);
    }
    if parts.len() != light.items {
        return Err("项目数少于头部所记".into());
    }
    let groups = light.groups.len() as u32;
    let fits = |p: &ItemPart| p.tallies.len() == light.periods.len() && p.group < groups;
    if !parts.iter().all(fits) || !parts.windows(2).all(|w| w[0].code < w[1].code) {
        return Err("项目的合计与头部不符或未按编号排列".into());
    }
    Ok(parts)
}

impl Store {
    /// Keeps `t` (made anew for its key at its data version) in the database, when its groups'
    /// sums are kept (a server reading it serves reviews from them alone). A failure is
    /// logged, not returned: the tallies made are good whether kept or not.
    pub(crate) async fn keep_tallies(&self, t: &YearTallies) {
        if !t.whole || !t.groups.kept() {
            return;
        }
        let kept = match pack(t) {
            Ok(parts) => {
                self.keep(Kind::Tallies, t.key.today, t.version, &format(), &parts)
                    .await
            }
            Err(e) => Err(crate::StoreError::Invalid(e.to_string())),
        };
        if let Err(e) = kept {
            tracing::warn!(error = %e, "keeping the year's tallies failed");
        }
    }

    /// The tallies kept for `key`, their head only (see [`head_of`]), if there are.
    pub(crate) async fn kept_tallies_head(&self, key: &Key) -> Result<Option<YearTallies>> {
        let mut head = None;
        let version = self
            .read_kept(Kind::Tallies, key.today, &format(), Parts::Head, |_, p| {
                head = Some(p)
            })
            .await?;
        let (Some(version), Some(head)) = (version, head) else {
            return Ok(None);
        };
        Ok(head_of(&head, key, version)
            .inspect_err(|e| tracing::warn!(error = %e, "the kept tallies are not read"))
            .ok()
            .flatten())
    }

    /// `light` (a head read by [`Store::kept_tallies_head`]) with every item's part, read from
    /// the parts kept with it; `None` when they are no longer kept or do not fit it.
    pub(crate) async fn kept_tallies_whole(
        &self,
        light: &YearTallies,
    ) -> Result<Option<YearTallies>> {
        let mut packed = Vec::new();
        let version = self
            .read_kept(
                Kind::Tallies,
                light.key.today,
                &format(),
                Parts::Rest(light.version),
                |_, p| packed.push(p),
            )
            .await?;
        if version.is_none() {
            return Ok(None);
        }
        let parts = match parts_of(light, &packed) {
            Ok(parts) => parts,
            Err(e) => {
                tracing::warn!(error = %e, "the kept tallies are not read");
                return Ok(None);
            }
        };
        Ok(Some(YearTallies {
            key: light.key.clone(),
            version: light.version,
            periods: light.periods.clone(),
            heads: light.heads.clone(),
            items: parts.len(),
            parts,
            groups: light.groups.clone(),
            whole: true,
            listed_reds: Vec::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use duban_core::rates::{RateFacts, item_tally};
    use duban_core::{Item, ItemKind, ReportState, Wan};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    /// A project of `annual` 万 with a quarter of it done by May, tallied at the end of June
    /// and of September.
    fn part(code: &str, region: Option<&str>, lead: &str, annual: i64) -> ItemPart {
        let mut item = Item::new(2025, ItemKind::Project, code, lead);
        item.annual_plan = Some(Wan::from_yuan(annual * 10_000));
        let ytd = [(day(5, 31), Wan::from_yuan(annual * 2_500))];
        let tallies = [day(6, 30), day(9, 30)].map(|on| {
            let facts = RateFacts {
                item: &item,
                milestones: &[],
                ytd: &ytd,
                report: ReportState::OnTime,
            };
            item_tally(&facts, on)
        });
        ItemPart::of(code, region, lead, tallies.to_vec())
    }

    /// Three items in two groups, the second red in September.
    fn tallies() -> YearTallies {
        let mut parts = vec![
            part("XM1", Some("甲县"), "市住建局", 100),
            part("XM2", Some("甲县"), "市住建局", 300),
            part("XM3", None, "乙县", 50),
        ];
        let september = Period::month(2025, 9).unwrap();
        parts[1].reds = vec![(
            september,
            RedItem {
                name: "甲县XM2项目".into(),
                unit: "市住建局".into(),
                lag: Some("30.5".parse().unwrap()),
                reasons: "投资进度滞后".into(),
            },
        )];
        let groups = Groups::of(&mut parts, 2);
        YearTallies {
            key: Key {
                year: 2025,
                today: day(10, 10),
                th: Thresholds::default(),
            },
            version: 7,
            periods: vec![Period::month(2025, 6).unwrap(), september],
            heads: vec![september],
            items: parts.len(),
            parts,
            groups,
            whole: true,
            listed_reds: Vec::new(),
        }
    }

    /// The head gives back the groups' sums and the red items alone; the other parts give
    /// back every item's part as it was. What does not fit is refused, never trusted.
    #[test]
    fn tallies_come_back_as_they_were_kept() {
        let t = tallies();
        let packed = pack(&t).unwrap();
        assert_eq!(packed.len(), 2, "the head and one part of three items");
        let light = head_of(&packed[0], &t.key, 7).unwrap().unwrap();
        assert!(!light.whole);
        assert_eq!((light.items, light.version), (3, 7));
        assert_eq!((&light.periods, &light.heads), (&t.periods, &t.heads));
        assert!(light.parts.is_empty(), "no item's part");
        let september = t.heads[0];
        assert_eq!(
            light.red_on(september),
            (1, vec![t.parts[1].reds[0].1.clone()])
        );
        assert_eq!(light.red_on(september), t.red_on(september));
        assert_eq!(
            light.red_on(t.periods[0]),
            (0, vec![]),
            "June's are not kept"
        );
        let groups = |t: &YearTallies| {
            t.groups
                .iter()
                .map(|(r, l, s)| (r.map(str::to_string), l.to_string(), s.to_vec()))
                .collect::<Vec<_>>()
        };
        assert_eq!(groups(&light), groups(&t));
        assert_eq!(groups(&t).len(), 2);
        assert_eq!(parts_of(&light, &packed[1..]).unwrap(), t.parts);

        // Made for another year or other thresholds: not these, and not damaged either.
        let mut other = t.key.clone();
        other.year = 2026;
        assert_eq!(
            head_of(&packed[0], &other, 7).map(|h| h.is_none()),
            Ok(true)
        );
        let mut other = t.key.clone();
        other.th.yellow_lag += rust_decimal::Decimal::ONE;
        assert_eq!(
            head_of(&packed[0], &other, 7).map(|h| h.is_none()),
            Ok(true)
        );
        assert!(head_of(b"damaged", &t.key, 7).is_err());

        // Fewer items than the head says, more, or a damaged part.
        assert!(parts_of(&light, &[]).is_err());
        assert!(parts_of(&light, &[packed[1].clone(), packed[1].clone()]).is_err());
        assert!(parts_of(&light, &[b"damaged".to_vec()]).is_err());
        let repacked = |parts: &[ItemPart]| vec![crate::pack_part(parts).unwrap()];
        // Out of code order, in a group that does not exist, or with a period too few.
        let mut shuffled = t.parts.clone();
        shuffled.swap(0, 2);
        assert!(parts_of(&light, &repacked(&shuffled)).is_err());
        let mut far = t.parts.clone();
        far[0].group = 2;
        assert!(parts_of(&light, &repacked(&far)).is_err());
        let mut short = t.parts.clone();
        short[2].tallies = short[2].tallies[..1].into();
        assert!(parts_of(&light, &repacked(&short)).is_err());
    }
}
