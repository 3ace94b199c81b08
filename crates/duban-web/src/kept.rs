//! 留存的全部状态 — a snapshot's judged rows kept in the database ([`Store::keep_snapshot`])
//! and read back by a server starting, which then judges again only the items written since
//! (a million items: every item judged takes both cores for 13 s; read back, a second or two).
//! A head part (how many rows, how many in a part, and the snapshot's two orders) is followed
//! by the rows, encoded as MessagePack (fields by position) in parts of [`ROWS_PER_PART`]
//! rows; each part is compressed with LZ4, and the rows are decoded on every core straight
//! into the snapshot's columns, with their search keys and each part's filter index. A kept
//! snapshot made by another build of duban is not read: its rules, or its rows, may differ.

use std::mem::MaybeUninit;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, LazyLock};

use chrono::NaiveDate;
use duban_core::rates::Progress;
use duban_core::{Item, Status, Wan};
use duban_store::Store;
use serde::{Deserialize, Serialize};

use crate::dashboard::{Columns, Index, Orders, Snapshot, search_key};

/// Rows per part: a part is a few MB, decoded by one core.
const ROWS_PER_PART: usize = 20_000;

/// The most rows a kept status may hold: its columns are allocated before its parts are read.
const ROWS_AT_MOST: usize = 5_000_000;

/// The encoding and the build of duban that judged (the executable's size and time): rows
/// kept by another build are judged again.
pub static FORMAT: LazyLock<String> =
    LazyLock::new(|| format!("{}; msgpack+lz4 4", duban_store::this_build()));

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

/// The snapshot's orders and rows, in code order, as parts to keep.
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
    pack_all(&rows, ROWS_PER_PART, (&s.by_urgency, &s.by_name))
}

/// The head part, then the rows in parts of `per_part`.
fn pack_all(
    rows: &[RowOut],
    per_part: usize,
    (by_urgency, by_name): (&[u32], &[u32]),
) -> Result<Vec<Vec<u8>>, rmp_serde::encode::Error> {
    let mut head = Vec::with_capacity(16 + 8 * rows.len());
    head.extend((rows.len() as u64).to_le_bytes());
    head.extend((per_part as u64).to_le_bytes());
    for n in by_urgency.iter().chain(by_name) {
        head.extend(n.to_le_bytes());
    }
    let mut parts = vec![lz4_flex::compress_prepend_size(&head)];
    for some in rows.chunks(per_part) {
        parts.push(duban_store::pack_part(some)?);
    }
    Ok(parts)
}

/// What the head part says: how many rows, how many in a part, and the two orders (each a
/// permutation of the rows, checked).
fn head_of(part: &[u8]) -> Result<(usize, usize, Orders), String> {
    let mut bytes = Vec::new();
    duban_store::unpack_part(part, &mut bytes)?;
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .map(|w| u64::from_le_bytes(w.try_into().expect("eight bytes")))
            .ok_or("头部不完整")
    };
    let (rows, per_part) = (word(0)?, word(8)?);
    let rows = usize::try_from(rows)
        .ok()
        .filter(|r| *r <= ROWS_AT_MOST && bytes.len() == 16 + 8 * r)
        .ok_or("头部所记行数与其长度不符或超过上限")?;
    let per_part = usize::try_from(per_part)
        .ok()
        .filter(|p| (1..=ROWS_AT_MOST).contains(p))
        .ok_or("头部所记每部分行数无效")?;
    let mut numbers = bytes[16..]
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes(w.try_into().expect("four bytes")));
    let by_urgency: Vec<u32> = numbers.by_ref().take(rows).collect();
    let by_name: Vec<u32> = numbers.collect();
    for order in [&by_urgency, &by_name] {
        let mut seen = vec![false; rows];
        for &n in order {
            match seen.get_mut(n as usize) {
                Some(s) if !*s => *s = true,
                _ => return Err("头部所记顺序不是各行的一种排列".into()),
            }
        }
    }
    Ok((rows, per_part, (by_urgency, by_name)))
}

/// Where one part's rows go: its place in each column, not yet written.
struct Slot<'a> {
    rows: &'a mut [MaybeUninit<(Item, Status)>],
    months: &'a mut [MaybeUninit<[i64; 12]>],
    progress: &'a mut [MaybeUninit<Progress>],
    ytd: &'a mut [MaybeUninit<Option<Wan>>],
    search_keys: &'a mut [MaybeUninit<String>],
}

/// Decodes a part's rows straight into its slot, counting them as they are written (a row
/// is never copied again), and makes their search keys and filter index.
struct Filling<'s, 'a> {
    slot: &'s mut Slot<'a>,
    written: &'s mut usize,
    index: &'s mut Index,
}

impl<'de> serde::de::Visitor<'de> for Filling<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("留存状态的各行")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(r) = seq.next_element::<RowIn>()? {
            let n = *self.written;
            if n == self.slot.rows.len() {
                return Err(serde::de::Error::custom("一部分的行数多于头部所记"));
            }
            self.slot.search_keys[n].write(search_key(&r.item));
            self.index.push(&r.item, &r.status);
            self.slot.rows[n].write((r.item, r.status));
            self.slot.months[n].write(r.months);
            self.slot.progress[n].write(r.progress);
            self.slot.ytd[n].write(r.ytd);
            *self.written += 1;
        }
        Ok(())
    }
}

/// Decodes `part` into `slot` (unpacked in `bytes`), indexing its rows in `index`; how many
/// rows were written, even when it fails part way.
fn fill(
    slot: &mut Slot,
    part: &[u8],
    bytes: &mut Vec<u8>,
    index: &mut Index,
) -> (usize, Result<(), String>) {
    let mut written = 0;
    let done = duban_store::unpack_part(part, bytes).and_then(|()| {
        let mut de = rmp_serde::Deserializer::from_read_ref(&bytes[..]);
        serde::Deserializer::deserialize_seq(
            &mut de,
            Filling {
                slot,
                written: &mut written,
                index,
            },
        )
        .map_err(|e| e.to_string())
    });
    match done {
        Ok(()) if written < slot.rows.len() => (written, Err("一部分的行数少于头部所记".into())),
        done => (written, done),
    }
}

/// What became of the k-th part of rows: how many rows it wrote at its slot, whether it was
/// read whole, and its rows' filter index.
type Filled = (usize, usize, Result<(), String>, Index);

/// The head part and the parts of rows sent on `parts` (`count` in all, as the database
/// says) decoded into columns allocated once; part k of rows is decoded on core k mod
/// cores, into rows k × its rows per part onwards.
fn decode_all(count: usize, parts: Receiver<Vec<u8>>) -> Result<Columns, String> {
    let mut parts = parts.into_iter();
    let head = parts.next().ok_or("留存的状态没有头部")?;
    let (rows, per_part, orders) = head_of(&head)?;
    let slots = rows.div_ceil(per_part);
    if count != slots + 1 {
        return Err(format!("留存的状态应有{}部分，实有{count}部分", slots + 1));
    }
    let mut out = Columns::with_capacity(rows);
    let mut keys: Vec<String> = Vec::with_capacity(rows);
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(slots.max(1));
    let mut filled: Vec<Filled> = std::thread::scope(|scope| {
        let Columns {
            rows: items,
            months,
            progress,
            ytd,
            ..
        } = &mut out;
        let mut slots = items.spare_capacity_mut()[..rows]
            .chunks_mut(per_part)
            .zip(months.spare_capacity_mut()[..rows].chunks_mut(per_part))
            .zip(progress.spare_capacity_mut()[..rows].chunks_mut(per_part))
            .zip(ytd.spare_capacity_mut()[..rows].chunks_mut(per_part))
            .zip(keys.spare_capacity_mut()[..rows].chunks_mut(per_part))
            .map(|((((rows, months), progress), ytd), search_keys)| Slot {
                rows,
                months,
                progress,
                ytd,
                search_keys,
            });
        let cores: Vec<_> = (0..cores)
            .map(|_| {
                let (give, take) = channel::<(usize, Slot, Vec<u8>)>();
                let decoding = scope.spawn(move || {
                    let mut bytes = Vec::new();
                    take.into_iter()
                        .map(|(k, mut slot, part)| {
                            let mut index = Index::default();
                            let (written, done) = fill(&mut slot, &part, &mut bytes, &mut index);
                            (k, written, done, index)
                        })
                        .collect::<Vec<Filled>>()
                });
                (give, decoding)
            })
            .collect();
        let mut filled: Vec<Filled> = Vec::with_capacity(count);
        for (k, part) in parts.enumerate() {
            let Some(slot) = slots.next() else {
                let more = Err("留存的状态多于头部所记".into());
                filled.push((usize::MAX, 0, more, Index::default()));
                break;
            };
            // A core that stopped (it panicked) is found when joined.
            let _ = cores[k % cores.len()].0.send((k, slot, part));
        }
        for (give, decoding) in cores {
            drop(give);
            match decoding.join() {
                Ok(some) => filled.extend(some),
                Err(_) => {
                    let panicked = Err("解码线程异常退出".into());
                    filled.push((usize::MAX, 0, panicked, Index::default()));
                }
            }
        }
        filled
    });
    filled.sort_unstable_by_key(|(k, ..)| *k);
    let whole = filled.len() == slots && filled.iter().all(|(_, _, done, _)| done.is_ok());
    // SAFETY: part k of rows wrote its first `written` rows at row k × per_part in every
    // column, and nothing else was written; read whole, every part wrote every row of its
    // slot, so rows 0..rows are written. Otherwise those written are dropped (the other
    // columns hold plain values).
    unsafe {
        if whole {
            out.rows.set_len(rows);
            out.months.set_len(rows);
            out.progress.set_len(rows);
            out.ytd.set_len(rows);
            keys.set_len(rows);
        } else {
            for (k, written, ..) in &filled {
                if *k < slots {
                    let at = k * per_part;
                    drop_written(&mut out.rows, at, *written);
                    drop_written(&mut keys, at, *written);
                }
            }
        }
    }
    if let Some(e) = filled
        .iter_mut()
        .find_map(|(_, _, done, _)| done.as_mut().err())
    {
        return Err(std::mem::take(e));
    }
    if !whole {
        return Err("留存的状态不完整".into());
    }
    let index = Index::joined(filled.into_iter().map(|(.., index)| index).collect());
    Ok(Columns {
        search_keys: Some(keys),
        orders: Some(orders),
        index: Some(index),
        ..out
    })
}

/// Drops the `n` values written at `at` in `v`'s spare room.
///
/// # Safety
/// The values at `at..at + n` are written and not yet dropped, and `at + n ≤ capacity`.
unsafe fn drop_written<T>(v: &mut Vec<T>, at: usize, n: usize) {
    // SAFETY: as the caller promises.
    unsafe {
        std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(
            v.as_mut_ptr().add(at),
            n,
        ))
    };
}

/// The rows kept in `parts`, in their order; decoded on every core.
#[cfg(test)]
fn decode(parts: &[Vec<u8>]) -> Result<Columns, String> {
    let mut decoder = Decoder::default();
    for part in parts {
        decoder.give(parts.len(), part.clone());
    }
    decoder.finish()
}

/// The thread decoding the parts given.
type Decoding = std::thread::JoinHandle<Result<Columns, String>>;

/// Parts decoded as they come, on every core, into the snapshot's columns.
#[derive(Default)]
struct Decoder {
    /// Where parts are given, and what decodes them: started with the first part.
    started: Option<(Sender<Vec<u8>>, Decoding)>,
}

impl Decoder {
    /// Gives the next part of `count`.
    fn give(&mut self, count: usize, part: Vec<u8>) {
        let (give, _) = self.started.get_or_insert_with(|| {
            let (give, take) = channel();
            (give, std::thread::spawn(move || decode_all(count, take)))
        });
        // A decoder that stopped (too many parts) reports it when finished.
        let _ = give.send(part);
    }

    /// Every row given, in the order of the parts.
    fn finish(self) -> Result<Columns, String> {
        let Some((give, decoding)) = self.started else {
            return Err("留存的状态没有头部".into());
        };
        drop(give);
        decoding
            .join()
            .unwrap_or_else(|_| Err("解码线程异常退出".into()))
    }
}

/// The rows kept as of `as_of` by this build, with the data version they were judged at;
/// `None` when none are kept, or they cannot be read (then every item is judged, as if none
/// were kept). Each part is decoded as soon as the database has sent it.
pub async fn load(store: &Store, as_of: NaiveDate) -> Option<(i64, Columns)> {
    let started = std::time::Instant::now();
    let mut decoder = Decoder::default();
    let version = store
        .read_kept_snapshot(as_of, &FORMAT, |count, part| decoder.give(count, part))
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
        Ok(Ok(rows)) if rows.rows.is_sorted_by(|a, b| a.0.code < b.0.code) => Some((version, rows)),
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
        // The head, then two parts of one row each.
        let orders = (vec![1, 0], vec![0, 1]);
        let parts = pack_all(&rows, 1, (&orders.0, &orders.1)).unwrap();
        assert_eq!(parts.len(), 3);
        let back = decode(&parts).unwrap();
        let both = vec![(a.clone(), sa.clone()), (b.clone(), sb.clone())];
        assert_eq!(back.rows, both);
        assert_eq!(
            (back.months[0], back.progress[0], back.ytd[0]),
            (months, progress, ytd)
        );
        assert_eq!((back.months[1], back.ytd[1]), ([0; 12], None));
        assert_eq!(back.orders, Some(orders.clone()));
        let keys = ["xm1 甲项目", "xm2 甲项目"].map(String::from).to_vec();
        assert_eq!(back.search_keys, Some(keys));
        assert_eq!(back.index, Some(crate::dashboard::Index::new(&both)));
        // Both rows in one part read the same.
        let one = pack_all(&rows, 2, (&orders.0, &orders.1)).unwrap();
        assert_eq!(one.len(), 2);
        assert_eq!(decode(&one).unwrap().rows, both);

        // A damaged part is an error, not a panic or a huge allocation, whichever part it is
        // (the rows decoded before it are dropped).
        let mut bad = parts[1].clone();
        bad[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let cut = parts[1][..parts[1].len() / 2].to_vec();
        for damaged in [bad, cut] {
            let [head, first, second] = [0, 1, 2].map(|n| parts[n].clone());
            assert!(decode(&[damaged.clone(), first.clone(), second.clone()]).is_err());
            assert!(decode(&[head.clone(), damaged.clone(), second]).is_err());
            assert!(decode(&[head, first, damaged]).is_err());
        }
        // Parts missing or more than the head says; a part of more rows, or fewer.
        assert!(decode(&parts[..2]).is_err());
        assert!(decode(&[&parts[..], &parts[2..]].concat()).is_err());
        let two = one[1].clone();
        assert!(decode(&[parts[0].clone(), two, parts[2].clone()]).is_err());
        assert!(decode(&[one[0].clone(), parts[1].clone()]).is_err());
        // A head that does not add up: no rows per part, or more rows than it has orders for.
        let mut head = Vec::new();
        for word in [1u64, 0] {
            head.extend(word.to_le_bytes());
        }
        head.extend([0u8; 8]);
        let no_rows_per_part = lz4_flex::compress_prepend_size(&head);
        assert!(decode(&[no_rows_per_part, parts[1].clone()]).is_err());
        head[..8].copy_from_slice(&2u64.to_le_bytes());
        head[8..16].copy_from_slice(&1u64.to_le_bytes());
        let short = lz4_flex::compress_prepend_size(&head);
        assert!(decode(&[short, parts[1].clone(), parts[2].clone()]).is_err());
        // Orders that are not orders of the rows.
        for wrong in [[0, 0], [0, 2]] {
            assert!(decode(&pack_all(&rows, 1, (&wrong, &orders.1)).unwrap()).is_err());
            assert!(decode(&pack_all(&rows, 1, (&orders.0, &wrong)).unwrap()).is_err());
        }
    }
}
