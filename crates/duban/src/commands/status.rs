//! `duban status` — every item's colour on a date, with its reasons.

use std::process::ExitCode;

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};

use chrono::Datelike;
use duban_core::{Colour, Item, Status};

use super::{Ctx, today};
use crate::cli::{ShowFormat, StatusArgs};
use crate::render::{or_dash, print_json, table};

fn lamp(c: Colour) -> &'static str {
    match c {
        Colour::Green => "● 绿",
        Colour::Yellow => "● 黄",
        Colour::Red => "● 红",
    }
}

pub async fn run(ctx: &Ctx, a: StatusArgs) -> anyhow::Result<ExitCode> {
    let as_of = a.as_of.unwrap_or_else(today);
    let year = a.year.unwrap_or(as_of.year());
    let wanted = match a.colour.as_deref() {
        None => None,
        Some("red" | "红") => Some(Colour::Red),
        Some("yellow" | "黄") => Some(Colour::Yellow),
        Some("green" | "绿") => Some(Colour::Green),
        Some(other) => anyhow::bail!("--colour “{other}” 应为 red、yellow 或 green"),
    };
    let store = ctx.store().await?;
    let th = super::thresholds(a.thresholds.as_deref())?;
    match a.format {
        ShowFormat::Json => {
            let mut rows = store.status(year, a.unit.as_deref(), as_of, &th).await?;
            store.close().await;
            if let Some(c) = wanted {
                rows.retain(|(_, s)| s.colour == c);
            }
            let out: Vec<_> = rows.iter().map(|(i, s)| s.row(i)).collect();
            print_json(&out)?;
        }
        ShowFormat::Table => {
            let limit = match a.limit {
                Some(0) => usize::MAX,
                Some(n) => n,
                None => 50,
            };
            // Judged as read: only the counts and the most urgent rows are kept.
            let urgent = Arc::new(Mutex::new(Urgent::new(limit, wanted)));
            let keeper = urgent.clone();
            store
                .judge_each(year, a.unit.as_deref(), as_of, &th, move |input, status| {
                    keeper
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .offer(input.item, status)
                })
                .await?;
            store.close().await;
            let urgent = std::mem::take(&mut *urgent.lock().unwrap_or_else(|e| e.into_inner()));
            let (counts, matching) = (urgent.counts, urgent.matching);
            let rows = urgent.rows();
            let mut t = table(&[
                "预警",
                "项目编号",
                "项目名称",
                "牵头单位",
                "序时进度",
                "完成",
                "滞后",
                "预计全年",
                "原因",
            ]);
            let pct = |d: Option<rust_decimal::Decimal>| {
                or_dash(d.map(|d| format!("{:.1}%", d.round_dp(1))))
            };
            for (i, s) in &rows {
                t.add_row(vec![
                    lamp(s.colour).to_string(),
                    i.code.clone(),
                    i.name.clone(),
                    i.lead_unit.clone(),
                    pct(Some(s.t)),
                    pct(s.p),
                    or_dash(s.lag.map(|l| format!("{:.1}", l.round_dp(1)))),
                    pct(s.projection),
                    s.reasons
                        .iter()
                        .map(|r| r.text.as_str())
                        .collect::<Vec<_>>()
                        .join("；"),
                ]);
            }
            println!("{t}");
            println!(
                "截至 {as_of}（{year} 年）：红 {} 项，黄 {} 项，绿 {} 项{}",
                counts[0],
                counts[1],
                counts[2],
                if matching > rows.len() {
                    format!("；显示前 {} 项（--limit 0 显示全部）", rows.len())
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The table's rows while items are judged: how many of each colour, and the `limit` most
/// urgent of the colour asked for (red first, then yellow, each by lag; code order among
/// equals), so that a million items are never held at once.
#[derive(Default)]
struct Urgent {
    limit: usize,
    wanted: Option<Colour>,
    /// 红、黄、绿
    counts: [usize; 3],
    /// Items of the colour asked for.
    matching: usize,
    /// The least urgent kept on top.
    kept: BinaryHeap<ByUrgency>,
}

/// An item ordered most urgent first.
struct ByUrgency(Item, Status);

impl Ord for ByUrgency {
    fn cmp(&self, other: &Self) -> Ordering {
        let (x, y) = (&self.1, &other.1);
        y.colour
            .cmp(&x.colour)
            .then(y.lag.cmp(&x.lag))
            .then_with(|| self.0.code.cmp(&other.0.code))
    }
}

impl PartialOrd for ByUrgency {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ByUrgency {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ByUrgency {}

impl Urgent {
    fn new(limit: usize, wanted: Option<Colour>) -> Urgent {
        Urgent {
            limit,
            wanted,
            ..Default::default()
        }
    }

    fn offer(&mut self, item: Item, status: Status) {
        self.counts[match status.colour {
            Colour::Red => 0,
            Colour::Yellow => 1,
            Colour::Green => 2,
        }] += 1;
        if self.wanted.is_some_and(|c| c != status.colour) {
            return;
        }
        self.matching += 1;
        if self.limit == 0 {
            return;
        }
        let candidate = ByUrgency(item, status);
        if self.kept.len() >= self.limit {
            match self.kept.peek() {
                Some(least) if candidate < *least => {
                    self.kept.pop();
                }
                _ => return,
            }
        }
        self.kept.push(candidate);
    }

    /// The rows kept, most urgent first.
    fn rows(self) -> Vec<(Item, Status)> {
        self.kept
            .into_sorted_vec()
            .into_iter()
            .map(|ByUrgency(i, s)| (i, s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn judged(code: &str, colour: Colour, lag: Option<i64>) -> (Item, Status) {
        let mut item = Item::new(2025, duban_core::ItemKind::Project, code, "白水县");
        item.code = code.into();
        let status = Status {
            t: Decimal::ZERO,
            p: None,
            lag: lag.map(Decimal::from),
            colour,
            flags: vec![],
            reasons: vec![],
            projection: None,
        };
        (item, status)
    }

    /// What is kept while judging is what sorting every row and taking the first would show.
    #[test]
    fn the_most_urgent_are_kept_as_a_full_sort_shows_them() {
        use Colour::*;
        let all = [
            judged("A1", Green, Some(1)),
            judged("A2", Red, Some(5)),
            judged("A3", Yellow, Some(30)),
            judged("A4", Red, Some(20)),
            judged("A5", Red, Some(5)),
            judged("A6", Yellow, None),
            judged("A7", Red, None),
        ];
        let codes =
            |rows: &[(Item, Status)]| rows.iter().map(|(i, _)| i.code.clone()).collect::<Vec<_>>();
        // Offered in another order than the codes: the order of parts read in parallel.
        let mut u = Urgent::new(3, None);
        for n in [6, 2, 0, 4, 1, 5, 3] {
            let (i, s) = all[n].clone();
            u.offer(i, s);
        }
        assert_eq!(u.counts, [4, 2, 1]);
        assert_eq!(u.matching, 7);
        // Red by lag (20, then the two of 5 in code order), a red without a lag last.
        assert_eq!(codes(&u.rows()), ["A4", "A2", "A5"]);

        let mut yellow = Urgent::new(50, Some(Yellow));
        for (i, s) in all.iter().cloned() {
            yellow.offer(i, s);
        }
        assert_eq!((yellow.matching, yellow.counts), (2, [4, 2, 1]));
        assert_eq!(codes(&yellow.rows()), ["A3", "A6"]);
    }
}
