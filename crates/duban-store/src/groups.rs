//! 分组合计 — the items' parts of a year's rates added up by where each item is and which
//! unit leads it (所在地, 牵头单位). Every board of a review — by region, by department, the
//! whole city — is a sum of these few hundred groups instead of a million items, and a write
//! adds up again only the groups whose items it touched.

use std::collections::HashMap;

use duban_core::rates::ItemSum;
use serde::{Deserialize, Serialize};

use crate::tallies::ItemPart;

/// Group sums kept at most (group × period, about 260 bytes each): the groups of a directory of
/// 90,000 units over a year of months. With more, each review adds up the items themselves.
pub(crate) const MAX_GROUP_CELLS: usize = 1_000_000;

/// The groups of a year's items and their sums for each period kept. Kept between server
/// starts with the tallies (serde, by position; the numbers by lead unit are made again and
/// everything read is checked, see [`KeptGroups`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "KeptGroups")]
pub(crate) struct Groups {
    /// Each group's region (所在地, none for an item that names none) and lead unit.
    keys: Vec<(Option<String>, String)>,
    /// Group numbers by lead unit, then region: a part is placed without allocating.
    #[serde(skip)]
    numbers: HashMap<String, Vec<(Option<String>, u32)>>,
    /// The group numbers in key order: what the boards add up in, so that a board adds the
    /// same decimals in the same order however its groups were numbered.
    order: Vec<u32>,
    /// Each group's sum per period, in the order of the tallies' periods.
    sums: Vec<Box<[ItemSum]>>,
    columns: usize,
}

/// Groups as kept: everything but the numbers by lead unit.
#[derive(Deserialize)]
struct KeptGroups {
    keys: Vec<(Option<String>, String)>,
    order: Vec<u32>,
    sums: Vec<Box<[ItemSum]>>,
    columns: usize,
}

impl TryFrom<KeptGroups> for Groups {
    type Error = String;

    /// Groups read back: each key once, the order a permutation of them in key order, and a
    /// sum of every period for each group (or none at all).
    fn try_from(k: KeptGroups) -> Result<Groups, String> {
        let mut groups = Groups {
            columns: k.columns,
            ..Groups::default()
        };
        for key in k.keys {
            let n = groups.keys.len() as u32;
            let same = groups.numbers.entry(key.1.clone()).or_default();
            if same.iter().any(|(r, _)| *r == key.0) {
                return Err("分组重复".into());
            }
            same.push((key.0.clone(), n));
            groups.keys.push(key);
        }
        let keys = &groups.keys;
        let in_order = k.order.len() == keys.len()
            && k.order.iter().all(|n| (*n as usize) < keys.len())
            && k.order
                .windows(2)
                .all(|w| keys[w[0] as usize] < keys[w[1] as usize]);
        let summed = (k.sums.is_empty() || k.sums.len() == keys.len())
            && k.sums.iter().all(|s| s.len() == k.columns);
        if !in_order || !summed {
            return Err("分组的次序或合计与分组不符".into());
        }
        groups.order = k.order;
        groups.sums = k.sums;
        Ok(groups)
    }
}

impl Groups {
    /// Are the sums of `columns` periods kept for every group?
    pub(crate) fn fits(&self, columns: usize) -> bool {
        self.columns == columns && self.kept()
    }

    /// The groups of `parts` over `columns` periods, each part told its group; their sums
    /// kept unless there are too many (see [`MAX_GROUP_CELLS`]).
    pub(crate) fn of(parts: &mut [ItemPart], columns: usize) -> Groups {
        let mut groups = Groups {
            columns,
            ..Groups::default()
        };
        for part in parts.iter_mut() {
            part.group = groups.place(part).0;
        }
        // Put in key order once (numbering a million groups in order one by one would move
        // the order at each).
        let keys = &groups.keys;
        groups.order = (0..keys.len() as u32).collect();
        groups
            .order
            .sort_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]));
        groups.refresh(parts, &[]);
        groups
    }

    /// How many groups there are.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The number of the group `part` belongs to; a group not met before is numbered and put
    /// in its place in key order.
    pub(crate) fn number(&mut self, part: &ItemPart) -> u32 {
        let (n, new) = self.place(part);
        if new {
            let key = &self.keys[n as usize];
            let at = self
                .order
                .partition_point(|m| self.keys[*m as usize] < *key);
            self.order.insert(at, n);
        }
        n
    }

    /// The number of `part`'s group, and whether it is new (not yet in `order`).
    fn place(&mut self, part: &ItemPart) -> (u32, bool) {
        let region = part.region.as_deref();
        if let Some(n) = self
            .numbers
            .get(part.lead.as_str())
            .and_then(|rs| rs.iter().find(|(r, _)| r.as_deref() == region))
            .map(|(_, n)| *n)
        {
            return (n, false);
        }
        let n = self.keys.len() as u32;
        self.numbers
            .entry(part.lead.clone())
            .or_default()
            .push((part.region.clone(), n));
        self.keys.push((part.region.clone(), part.lead.clone()));
        (n, true)
    }

    /// The kept sums brought up to `parts` (every part numbered by [`Groups::number`]): the
    /// groups marked in `again` (by number) and those numbered since are added up again.
    /// With too many groups to keep, none is kept.
    pub(crate) fn refresh(&mut self, parts: &[ItemPart], again: &[bool]) {
        self.refresh_within(parts, again, MAX_GROUP_CELLS);
    }

    fn refresh_within(&mut self, parts: &[ItemPart], again: &[bool], cells: usize) {
        if self.keys.len().saturating_mul(self.columns) > cells {
            self.sums = Vec::new();
            return;
        }
        self.add_up(parts, |g| again.get(g as usize).copied().unwrap_or(true));
    }

    /// Are the groups' sums kept (not too many groups)?
    pub(crate) fn kept(&self) -> bool {
        self.sums.len() == self.keys.len()
    }

    /// The groups `again` picks (and any without a sum yet) added up afresh from `parts`.
    fn add_up(&mut self, parts: &[ItemPart], again: impl Fn(u32) -> bool) {
        let columns = self.columns;
        let empty = || vec![ItemSum::default(); columns].into_boxed_slice();
        let summed = self.sums.len();
        self.sums.resize_with(self.keys.len(), empty);
        let again = |g: u32| g as usize >= summed || again(g);
        for (g, sums) in self.sums.iter_mut().enumerate() {
            if again(g as u32) {
                *sums = empty();
            }
        }
        for part in parts.iter().filter(|p| again(p.group)) {
            let sums = &mut self.sums[part.group as usize];
            for (c, sum) in sums.iter_mut().enumerate() {
                sum.add(part.tally(c));
            }
        }
    }

    /// Every group in key order: its region, its lead unit and its sum per period (only when
    /// [`Groups::kept`]).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Option<&str>, &str, &[ItemSum])> {
        self.order.iter().map(|n| {
            let (region, lead) = &self.keys[*n as usize];
            (region.as_deref(), lead.as_str(), &*self.sums[*n as usize])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use duban_core::rates::{RateFacts, Tally, item_tally};
    use duban_core::{Item, ItemKind, ReportState, Wan};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    /// A project of `annual` 万 led by `lead` in `region`, its report on time or missing,
    /// tallied at the end of June and of September.
    fn part(code: &str, region: Option<&str>, lead: &str, annual: i64, on_time: bool) -> ItemPart {
        let mut item = Item::new(2025, ItemKind::Project, code, lead);
        item.annual_plan = Some(Wan::from_yuan(annual * 10_000));
        let ytd = [(day(5, 31), Wan::from_yuan(annual * 2_500))];
        let tallies = [day(6, 30), day(9, 30)].map(|on| {
            item_tally(
                &RateFacts {
                    item: &item,
                    milestones: &[],
                    ytd: &ytd,
                    report: if on_time {
                        ReportState::OnTime
                    } else {
                        ReportState::Missing
                    },
                },
                on,
            )
        });
        ItemPart::of(code, region, lead, tallies.to_vec())
    }

    /// Each group's tally per period, in key order.
    fn boards(groups: &Groups) -> Vec<(Option<String>, String, Vec<Tally>)> {
        groups
            .iter()
            .map(|(region, lead, sums)| {
                let tallies = sums
                    .iter()
                    .map(|s| {
                        let mut t = Tally::default();
                        t.add_sum(s);
                        t
                    })
                    .collect();
                (region.map(str::to_string), lead.to_string(), tallies)
            })
            .collect()
    }

    /// The same parts' tallies added item by item.
    fn by_item(parts: &[&ItemPart]) -> Vec<Tally> {
        (0..2)
            .map(|c| {
                let mut t = Tally::default();
                parts.iter().for_each(|p| t.add_item(p.tally(c)));
                t
            })
            .collect()
    }

    /// Items are added up by where they are and who leads them, each group as adding its
    /// items one by one; a project moved to another county leaves one group and joins
    /// another; with too many groups to keep, the sums are made when asked, the same.
    #[test]
    fn items_are_added_up_by_region_and_lead_unit() {
        let mut parts = vec![
            part("XM1", Some("甲县"), "市住建局", 100, true),
            part("XM2", Some("甲县"), "市住建局", 200, false),
            part("XM3", None, "乙县", 50, true),
            part("XM4", Some("乙县"), "市住建局", 300, false),
        ];
        let mut groups = Groups::of(&mut parts, 2);
        assert_eq!(groups.len(), 3);
        let made = boards(&groups);
        let keys: Vec<_> = made
            .iter()
            .map(|(r, l, _)| (r.clone(), l.clone()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "groups in key order");
        let of = |region: Option<&str>, lead: &str| {
            made.iter()
                .find(|(r, l, _)| r.as_deref() == region && l == lead)
                .map(|(.., t)| t.clone())
                .unwrap()
        };
        assert_eq!(
            of(Some("甲县"), "市住建局"),
            by_item(&[&parts[0], &parts[1]])
        );
        assert_eq!(of(None, "乙县"), by_item(&[&parts[2]]));
        let jia = of(Some("甲县"), "市住建局");
        assert_eq!(jia[0].items, 2);
        assert_eq!(jia[0].annual_plan().to_string(), "300", "100 + 200 万");
        assert_eq!(
            jia[0].invested().to_string(),
            "75",
            "a quarter of each by May"
        );

        // XM4 moves from 乙县 to 甲县: its old group and its new one are added up again.
        let mut again = vec![false; groups.len()];
        again[parts[3].group as usize] = true;
        parts[3].region = Some("甲县".into());
        parts[3].group = groups.number(&parts[3]);
        again[parts[3].group as usize] = true;
        groups.refresh(&parts, &again);
        let made = boards(&groups);
        let jia = made
            .iter()
            .find(|(r, l, _)| r.as_deref() == Some("甲县") && l == "市住建局")
            .unwrap();
        assert_eq!(jia.2, by_item(&[&parts[0], &parts[1], &parts[3]]));
        assert_eq!(jia.2[1].annual_plan().to_string(), "600");
        let left = made
            .iter()
            .find(|(r, l, _)| r.as_deref() == Some("乙县") && l == "市住建局")
            .unwrap();
        assert_eq!(left.2[0].items, 0, "the group XM4 left is empty");

        // Too many to keep: nothing kept (a review then adds up each part, see
        // `YearTallies::sums`); within the bound again, the same sums.
        let kept = boards(&groups);
        groups.refresh_within(&parts, &[], 0);
        assert!(!groups.kept());
        groups.refresh(&parts, &[]);
        assert!(groups.kept());
        assert_eq!(boards(&groups), kept);
    }

    /// Groups kept and read back add up as they did and number a part as before; groups
    /// whose keys repeat, whose order is not their key order, or with a sum missing are
    /// refused.
    #[test]
    fn groups_read_back_are_checked() {
        let mut parts = vec![
            part("XM1", Some("甲县"), "市住建局", 100, true),
            part("XM3", None, "乙县", 50, false),
        ];
        let groups = Groups::of(&mut parts, 2);
        let back: Groups = rmp_serde::from_slice(&rmp_serde::to_vec(&groups).unwrap()).unwrap();
        assert_eq!(boards(&back), boards(&groups));
        let mut back = back;
        assert_eq!(back.number(&parts[1]), parts[1].group);
        assert_eq!(back.len(), 2, "no group added");

        let key = |r: Option<&str>, l: &str| (r.map(str::to_string), l.to_string());
        let (jia, yi) = (key(Some("甲县"), "市住建局"), key(None, "乙县"));
        let sum = || vec![ItemSum::default(); 2].into_boxed_slice();
        let read = |keys: Vec<(Option<String>, String)>, order: Vec<u32>, sums: usize| {
            let kept = (keys, order, vec![sum(); sums], 2usize);
            rmp_serde::from_slice::<Groups>(&rmp_serde::to_vec(&kept).unwrap())
        };
        // (None, 乙县) sorts before (Some(甲县), 市住建局).
        assert!(read(vec![jia.clone(), yi.clone()], vec![1, 0], 2).is_ok());
        assert!(
            read(vec![jia.clone(), yi.clone()], vec![1, 0], 0).is_ok(),
            "none kept"
        );
        assert!(read(vec![jia.clone(), jia.clone()], vec![0, 1], 2).is_err());
        assert!(read(vec![jia.clone(), yi.clone()], vec![0, 1], 2).is_err());
        assert!(read(vec![jia.clone(), yi.clone()], vec![1, 1], 2).is_err());
        assert!(read(vec![jia.clone(), yi.clone()], vec![1, 2], 2).is_err());
        assert!(read(vec![jia, yi], vec![1, 0], 1).is_err());
    }
}
