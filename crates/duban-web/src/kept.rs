//! 留存的全部状态 — a snapshot's judged rows kept in the database ([`Store::keep_snapshot`])
//! and read back by a server starting, which then judges again only the items written since
//! (a million items: every item judged takes both cores for 13 s; read back, a second or two).
//! Encoded as MessagePack (fields by position) in parts of [`ROWS_PER_PART`] rows, each
//! compressed with LZ4, and decoded on every core. A kept snapshot made by another build of
//! duban is not read: its rules, or its rows, may differ.

use std::sync::{Arc, LazyLock};

use chrono::NaiveDate;
use duban_core::rates::Progress;
use duban_core::{Item, Status, Wan};
use duban_store::Store;
use serde::{Deserialize, Serialize};

use crate::dashboard::{Judged, Snapshot};

/// Rows per part: a part is a few MB, decoded by one core.
const ROWS_PER_PART: usize = 20_000;

/// The most one part may unpack to, whatever its header says.
const PART_AT_MOST: usize = 256 << 20;

/// The encoding and the build of duban that judged (the executable's size and time): rows
/// kept by another build are judged again.
pub static FORMAT: LazyLock<String> = LazyLock::new(|| {
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let at = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{at}", m.len())
        })
        .unwrap_or_default();
    format!("duban {} {build}; msgpack+lz4 3", env!("CARGO_PKG_VERSION"))
});

#[derive(Serialize)]
struct RowOut<'a> {
    item: &'a Item,
    status: &'a Status,
    months: &'a [i64; 12],
    progress: &'a Progress,
    ytd: &'a Option<Wan>,
}

#[derive(Deserialize)]
struct RowIn {
    item: Item,
    status: Status,
    months: [i64; 12],
    progress: Progress,
    ytd: Option<Wan>,
}

/// The snapshot's rows, in code order, as parts to keep.
pub fn encode(s: &Snapshot) -> Result<Vec<Vec<u8>>, rmp_serde::encode::Error> {
    let rows: Vec<RowOut> = s
        .rows
        .iter()
        .enumerate()
        .map(|(n, (item, status))| RowOut {
            item,
            status,
            months: &s.months[n],
            progress: &s.progress[n],
            ytd: &s.ytd[n],
        })
        .collect();
    rows.chunks(ROWS_PER_PART).map(pack).collect()
}

/// One part: its rows compressed.
fn pack(rows: &[RowOut]) -> Result<Vec<u8>, rmp_serde::encode::Error> {
    Ok(lz4_flex::compress_prepend_size(&rmp_serde::to_vec(rows)?))
}

/// The rows of one part.
fn unpack(part: &[u8]) -> Result<Vec<Judged>, String> {
    let (size, _) = lz4_flex::block::uncompressed_size(part).map_err(|e| e.to_string())?;
    if size > PART_AT_MOST {
        return Err(format!("一部分声称{size}字节，超过上限"));
    }
    let bytes = lz4_flex::decompress_size_prepended(part).map_err(|e| e.to_string())?;
    let rows: Vec<RowIn> = rmp_serde::from_slice(&bytes).map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .map(|r| (r.item, r.status, r.months, r.progress, r.ytd))
        .collect())
}

/// The rows kept in `parts`, in their order; decoded on every core.
#[cfg(test)]
fn decode(parts: &[Vec<u8>]) -> Result<Vec<Judged>, String> {
    let mut decoder = Decoder::start();
    for part in parts {
        decoder.give(part.clone());
    }
    decoder.finish()
}

/// A part and its place among the parts.
type Numbered<T> = (usize, T);

/// Where a core is given its parts, and what it decoded from them.
type Core = (
    std::sync::mpsc::Sender<Numbered<Vec<u8>>>,
    std::thread::JoinHandle<Result<Vec<Numbered<Vec<Judged>>>, String>>,
);

/// Parts decoded as they come, on every core: the n-th part given goes to core n mod cores.
struct Decoder {
    cores: Vec<Core>,
    given: usize,
}

impl Decoder {
    fn start() -> Decoder {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let cores = (0..cores)
            .map(|_| {
                let (give, parts) = std::sync::mpsc::channel::<Numbered<Vec<u8>>>();
                let decoding = std::thread::spawn(move || {
                    let mut decoded = Vec::new();
                    for (n, part) in parts {
                        decoded.push((n, unpack(&part)?));
                    }
                    Ok(decoded)
                });
                (give, decoding)
            })
            .collect();
        Decoder { cores, given: 0 }
    }

    fn give(&mut self, part: Vec<u8>) {
        let n = self.given;
        self.given += 1;
        // A core that stopped (a part it could not read) reports it when finished.
        let _ = self.cores[n % self.cores.len()].0.send((n, part));
    }

    /// Every row given, in the order of the parts.
    fn finish(self) -> Result<Vec<Judged>, String> {
        let mut parts: Vec<Numbered<Vec<Judged>>> = Vec::with_capacity(self.given);
        for (give, decoding) in self.cores {
            drop(give);
            let decoded = decoding
                .join()
                .unwrap_or_else(|_| Err("解码线程异常退出".into()))?;
            parts.extend(decoded);
        }
        parts.sort_unstable_by_key(|(n, _)| *n);
        let mut rows = Vec::with_capacity(parts.iter().map(|(_, r)| r.len()).sum());
        for (_, some) in parts {
            rows.extend(some);
        }
        Ok(rows)
    }
}

/// The rows kept as of `as_of` by this build, with the data version they were judged at;
/// `None` when none are kept, or they cannot be read (then every item is judged, as if none
/// were kept). Each part is decoded as soon as the database has sent it.
pub async fn load(store: &Store, as_of: NaiveDate) -> Option<(i64, Vec<Judged>)> {
    let started = std::time::Instant::now();
    let mut decoder = Decoder::start();
    let version = store
        .read_kept_snapshot(as_of, &FORMAT, |part| decoder.give(part))
        .await;
    // Not whole, or not read: what was given is dropped, not waited for.
    let version = match version {
        Ok(Some(v)) => v,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(error = %e, "reading the kept status failed");
            return None;
        }
    };
    let fetched = started.elapsed();
    let decoded = tokio::task::spawn_blocking(move || decoder.finish()).await;
    tracing::debug!(
        fetch_ms = fetched.as_millis() as u64,
        decode_ms = (started.elapsed() - fetched).as_millis() as u64,
        "kept status read"
    );
    match decoded {
        Ok(Ok(rows)) if rows.is_sorted_by(|a, b| a.0.code < b.0.code) => Some((version, rows)),
        Ok(Ok(_)) => {
            tracing::warn!("the kept status is out of code order; every item is judged again");
            None
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "the kept status cannot be read; every item is judged again");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "reading the kept status failed");
            None
        }
    }
}

/// Keeps `s` in the database (encoded on a blocking thread); whether it was kept (not when a
/// newer one is kept already).
pub async fn keep(store: &Store, s: Arc<Snapshot>) -> Result<bool, String> {
    let (as_of, version) = (s.as_of, s.version);
    let parts = tokio::task::spawn_blocking(move || encode(&s))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    store
        .keep_snapshot(as_of, version, &FORMAT, &parts)
        .await
        .map_err(|e| e.to_string())
}

/// The data version of the status kept as of `as_of` by this build, if one is.
pub async fn kept_version(
    store: &Store,
    as_of: NaiveDate,
) -> Result<Option<i64>, duban_store::StoreError> {
    store.kept_snapshot_version(as_of, &FORMAT).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_core::{ItemKind, Leader, MoneyUnit};

    /// Every field an item and its status may carry comes back as it was: a leader without a
    /// title (a field left out) before fields that follow, other columns, amounts and reasons.
    #[test]
    fn rows_come_back_as_they_were_kept() {
        let mut a = Item::new(2026, ItemKind::Project, "甲项目", "白水县");
        a.code = "XM1".into();
        a.leader = Some(Leader {
            name: "张三".into(),
            title: None,
        });
        a.co_units = vec!["市交通局".into(), "市水利局".into()];
        a.tags = vec!["省重点".into()];
        a.annual_plan = Some(Wan::parse("1234.5", MoneyUnit::Wan).unwrap());
        a.extra.insert("备注二".into(), "其他列".into());
        a.region = Some("白水县".into());
        let mut b = a.clone();
        b.code = "XM2".into();
        b.leader = Some(Leader {
            name: "李四".into(),
            title: Some("副市长".into()),
        });
        b.notes = Some("说明".into());
        let status = |t: &str, lag: Option<&str>| Status {
            t: t.parse().unwrap(),
            p: Some("12.5".parse().unwrap()),
            lag: lag.map(|l| l.parse().unwrap()),
            colour: duban_core::Colour::Yellow,
            flags: vec![duban_core::Flag::Lagging],
            reasons: vec![duban_core::Reason {
                code: duban_core::Flag::Lagging,
                colour: duban_core::Colour::Yellow,
                text: "滞后 29.2 个百分点".into(),
            }],
            projection: Some("80.25".parse().unwrap()),
        };
        let (sa, sb) = (status("50", None), status("41.67", Some("29.17")));
        let progress = Progress {
            invested: "100.5".parse().unwrap(),
            annual: "1234.5".parse().unwrap(),
            planned_by_now: "600".parse().unwrap(),
        };
        let months = [1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, -4];
        let ytd = Some(Wan::parse("0.01", MoneyUnit::Wan).unwrap());
        let rows = [
            RowOut {
                item: &a,
                status: &sa,
                months: &months,
                progress: &progress,
                ytd: &ytd,
            },
            RowOut {
                item: &b,
                status: &sb,
                months: &[0; 12],
                progress: &Progress::default(),
                ytd: &None,
            },
        ];
        let parts = vec![pack(&rows[..1]).unwrap(), pack(&rows[1..]).unwrap()];
        let back = decode(&parts).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!((&back[0].0, &back[0].1), (&a, &sa));
        assert_eq!((back[0].2, back[0].3, back[0].4), (months, progress, ytd));
        assert_eq!((&back[1].0, &back[1].1), (&b, &sb));
        assert_eq!(back[1].4, None);
        // A damaged part is an error, not a panic or a huge allocation.
        let mut bad = parts[0].clone();
        bad[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(unpack(&bad).is_err());
        assert!(unpack(&parts[0][..parts[0].len() / 2]).is_err());
    }
}
