//! 挂图作战 — what the overview and the ledger pages show, computed once per data version and
//! as-of date and shared by every request: every item of the year with its status, the
//! monthly trend and the problems. A write through the app drops it at once; a write from
//! elsewhere (the CLI) is noticed within a second.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use crate::features::overview::{Overview, compute};
use chrono::{Datelike, NaiveDate};
use duban_core::rates::{Progress, RateFacts, tally_item};
use duban_core::{Account, Item, Period, ReportState, Status, Thresholds, UnitKind};
use duban_store::{Problem, ProblemFilter, Store, StoreError};

/// Every item of the year with its status, and what the overview adds up.
pub struct Snapshot {
    pub as_of: NaiveDate,
    pub version: i64,
    /// Items in code order, each with its status.
    pub rows: Vec<(Item, Status)>,
    /// Row numbers most urgent first (red, then yellow, by lag) and by name.
    pub by_urgency: Vec<u32>,
    pub by_name: Vec<u32>,
    /// Per row, code and name in lower case, for searching.
    pub search_keys: Vec<String>,
    /// Per row, what the list filters on, packed (a scan reads 16 bytes a row, not the rows).
    pub index: Index,
    /// Year-to-date investment of all items at each month end up to `as_of` (万元 as yuan).
    pub trend: Vec<(u32, i64, i64)>,
    /// The period the overview reports on: the last month whose reports are due by `as_of`
    /// (what the 排名 and the 通报 show by default), if it is of `as_of`'s year.
    pub period: Option<Period>,
    /// Per row, its investment against the plan at that period's end, as the ranking counts
    /// it (zero when it was not on the ledger yet).
    pub progress: Vec<Progress>,
    /// The regions of the directory: an item without a 所在地 led by one counts there, as the
    /// ranking counts it.
    pub regions: HashSet<String>,
    /// The unit directory, for finding a unit by alias or prefix in a filter.
    pub units: Vec<duban_core::Unit>,
    /// Per row, the year-to-date last reported by `as_of` (累计完成).
    pub ytd: Vec<Option<duban_core::Wan>>,
    /// Per row, its year-to-date at each month end (what the trend adds up; kept for a
    /// refresh).
    pub(crate) months: Vec<[i64; 12]>,
    pub problems: Vec<Problem>,
    /// The overview of everything (office, judges, viewers), computed once.
    overview_all: OnceLock<Arc<Overview>>,
    /// Ledger tables already rendered, by who may see them and the query.
    tables: Memo<Table>,
    /// Lists of rows already picked (the rows a reporter may report in a period), by key.
    lists: Memo<Picked>,
}

/// A rendered ledger table: its HTML and how many rows match in all.
type Table = (Arc<str>, usize);

/// Row numbers picked, in code order, with a count made with them (how many are reported),
/// and what they were picked from besides the snapshot: held, so that its address in the key
/// names it alone while the entry lives.
type Picked = (Arc<[u32]>, usize, Arc<dyn std::any::Any + Send + Sync>);

/// Values made from a snapshot, kept with it by key: at most `entries` of them and `bytes`
/// in all (then it starts again); a value larger than an eighth of that is not kept.
pub struct Memo<V> {
    /// The values, and the bytes they hold.
    kept: std::sync::Mutex<(HashMap<String, V>, usize)>,
    entries: usize,
    bytes: usize,
}

impl<V: Clone> Memo<V> {
    fn new(entries: usize, bytes: usize) -> Memo<V> {
        Memo {
            kept: Default::default(),
            entries,
            bytes,
        }
    }

    /// The value kept under `key`, or made now by `make` (with its size in bytes) and kept.
    fn get_or<E>(&self, key: String, make: impl FnOnce() -> Result<(V, usize), E>) -> Result<V, E> {
        if let Some(hit) = self.kept.lock().expect("memo").0.get(&key) {
            return Ok(hit.clone());
        }
        let (made, size) = make()?;
        let size = size + key.len();
        if size > self.bytes / 8 {
            return Ok(made);
        }
        let mut kept = self.kept.lock().expect("memo");
        let (map, held) = &mut *kept;
        if map.len() >= self.entries || *held + size > self.bytes {
            map.clear();
            *held = 0;
        }
        *held += size;
        map.insert(key, made.clone());
        Ok(made)
    }
}

/// Rendered tables kept per snapshot at most, and their bytes in all.
const TABLES: usize = 2_000;
const TABLE_BYTES: usize = 32 * 1024 * 1024;

/// Lists of rows kept per snapshot at most, and their bytes in all (the office's list of a
/// million items is 4 MB).
const LISTS: usize = 1_000;
const LIST_BYTES: usize = 64 * 1024 * 1024;

fn memos() -> (Memo<Table>, Memo<Picked>) {
    (Memo::new(TABLES, TABLE_BYTES), Memo::new(LISTS, LIST_BYTES))
}

impl Snapshot {
    /// A ledger table rendered before for this key, or rendered now by `render` and kept.
    pub fn table<E>(
        &self,
        key: String,
        render: impl FnOnce() -> Result<(String, usize), E>,
    ) -> Result<Table, E> {
        self.tables.get_or(key, || {
            let (html, total) = render()?;
            let size = html.len();
            Ok(((Arc::from(html), total), size))
        })
    }

    /// The rows picked before under this key from `from` (and the snapshot), with the count
    /// made with them; or picked and counted now by `pick` (row numbers, in code order) and
    /// kept. What `from` holds may change apart from the snapshot (the codes reported, read
    /// once per data version): rows picked from another `from` are not reused.
    pub fn rows_picked<T: Send + Sync + 'static>(
        &self,
        key: &str,
        from: &Arc<T>,
        pick: impl FnOnce(&T) -> (Vec<u32>, usize),
    ) -> (Arc<[u32]>, usize) {
        let key = format!("{key}|{:p}", Arc::as_ptr(from));
        let picked = self.lists.get_or(key, || {
            let (rows, count) = pick(from);
            let size = rows.len() * 4;
            let held: Arc<dyn std::any::Any + Send + Sync> = from.clone();
            Ok::<_, std::convert::Infallible>(((rows.into(), count, held), size))
        });
        match picked {
            Ok((rows, count, _)) => (rows, count),
            Err(never) => match never {},
        }
    }

    pub fn status_of(&self, code: &str) -> Option<&(Item, Status)> {
        self.row_of(code).map(|n| &self.rows[n])
    }

    /// The row of the item `code` (the rows are in code order).
    pub fn row_of(&self, code: &str) -> Option<usize> {
        self.rows
            .binary_search_by(|(i, _)| i.code.as_str().cmp(code))
            .ok()
    }

    /// The overview for an account: shared when it sees everything.
    pub fn overview(&self, account: &Account) -> Arc<Overview> {
        if account.visibility() == duban_core::Visibility::All {
            self.overview_all
                .get_or_init(|| Arc::new(compute(self, account)))
                .clone()
        } else {
            Arc::new(compute(self, account))
        }
    }
}

/// The snapshots, rebuilt when the data changes. Today's view — what nearly every request
/// asks for — has a slot of its own that nothing else evicts; other dates (a user looking
/// back) share [`OTHER_DATES`] slots, built one at a time, so switching between dates costs
/// only the one who switches. Requests read a snapshot without waiting; one rebuilds a slot
/// at a time.
#[derive(Default)]
pub struct StatusCache {
    today: Slot,
    others: [Slot; OTHER_DATES],
    /// Builds of other dates: one at a time.
    other_builds: tokio::sync::Mutex<()>,
}

/// Snapshots kept for dates other than today.
const OTHER_DATES: usize = 2;

#[derive(Default)]
struct Slot {
    current: RwLock<Option<(Arc<Snapshot>, Instant)>>,
    rebuild: tokio::sync::Mutex<()>,
    /// What this server knows of the snapshot kept in the database.
    kept: Arc<Keeping>,
}

/// The snapshot kept in the database as this server knows it (see [`crate::kept`]).
#[derive(Default)]
struct Keeping {
    /// The day and data version of the one this server last kept or read (or tried to
    /// keep), if any, and when.
    version: std::sync::Mutex<Option<(NaiveDate, i64, Instant)>>,
    /// One keeping at a time.
    busy: std::sync::atomic::AtomicBool,
}

/// How a snapshot was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Made {
    /// The one before, unchanged.
    Same,
    /// Every item judged.
    Judged,
    /// Read from the one kept in the database at this data version (then brought up to date).
    Kept(i64),
    /// The one before, with the items written since judged again.
    Refreshed,
}

/// Items written since the kept snapshot from which a server keeps its own instead: a server
/// starting then judges at most about this many (over [`REFRESH_AT_MOST`], every item).
const KEEP_AFTER: usize = 1_000;

/// How long a server waits after keeping before it keeps a refreshed snapshot again (a
/// million items' status is 190 MB to write).
const KEEP_EVERY: Duration = Duration::from_secs(10 * 60);

/// How often the database is asked whether anything changed (at once after a write through
/// this server: see [`StatusCache::written`]).
const RECHECK: Duration = Duration::from_secs(1);

impl Slot {
    fn fresh(&self, as_of: NaiveDate) -> Option<Arc<Snapshot>> {
        let guard = self.current.read().expect("snapshot lock");
        guard
            .as_ref()
            .filter(|(s, checked)| s.as_of == as_of && checked.elapsed() < RECHECK)
            .map(|(s, _)| s.clone())
    }

    fn holds(&self, as_of: NaiveDate) -> bool {
        self.current
            .read()
            .expect("snapshot lock")
            .as_ref()
            .is_some_and(|(s, _)| s.as_of == as_of)
    }

    /// When the slot was last checked (a never-filled slot is the oldest).
    fn checked(&self) -> Option<Instant> {
        self.current
            .read()
            .expect("snapshot lock")
            .as_ref()
            .map(|(_, at)| *at)
    }

    async fn get(
        &self,
        store: &Store,
        as_of: NaiveDate,
        keeps: bool,
    ) -> Result<Arc<Snapshot>, StoreError> {
        if let Some(s) = self.fresh(as_of) {
            return Ok(s);
        }
        let _one = self.rebuild.lock().await;
        if let Some(s) = self.fresh(as_of) {
            return Ok(s);
        }
        let kept = self
            .current
            .read()
            .expect("snapshot lock")
            .as_ref()
            .filter(|(s, _)| s.as_of == as_of)
            .map(|(s, _)| s.clone());
        let version = store.data_version().await?;
        let (snapshot, made) = match kept {
            Some(s) if s.version == version => (s, Made::Same),
            kept => {
                let _one = crate::views::one_at_a_time().await;
                // The old snapshot leaves the slot (requests meanwhile wait for this one): a
                // refresh can then take its rows rather than copy them, and a build never
                // holds two provinces at once.
                drop(kept);
                let old = self
                    .current
                    .write()
                    .expect("snapshot lock")
                    .take()
                    .map(|(s, _)| s)
                    .filter(|s| s.as_of == as_of);
                // A few items written: those judged again, the rest kept.
                let refreshed = match old {
                    Some(s) => refresh(store, s, version).await?,
                    None => None,
                };
                match refreshed {
                    Some(s) => (Arc::new(s), Made::Refreshed),
                    None => {
                        let (s, made) = build(store, as_of, version).await?;
                        (Arc::new(s), made)
                    }
                }
            }
        };
        *self.current.write().expect("snapshot lock") = Some((snapshot.clone(), Instant::now()));
        if keeps {
            self.keep(store, &snapshot, made);
        }
        Ok(snapshot)
    }

    /// Keeps `s` in the database in the background when it is worth it: every item was
    /// judged for it, or more than [`KEEP_AFTER`] items were written since the one kept and
    /// [`KEEP_EVERY`] has passed.
    fn keep(&self, store: &Store, s: &Arc<Snapshot>, made: Made) {
        let kept = self.kept.clone();
        // What is known of the one kept for this snapshot's day.
        let known = kept
            .version
            .lock()
            .expect("kept version")
            .filter(|(day, ..)| *day == s.as_of);
        match made {
            Made::Same => return,
            Made::Kept(v) => {
                *kept.version.lock().expect("kept version") = Some((s.as_of, v, Instant::now()));
                return;
            }
            Made::Refreshed if known.is_some_and(|(.., at)| at.elapsed() < KEEP_EVERY) => return,
            Made::Judged | Made::Refreshed => {}
        }
        if known.is_some_and(|(_, v, _)| v >= s.version) || kept.busy.swap(true, Ordering::AcqRel) {
            return;
        }
        let known = known.map(|(_, v, _)| v);
        let (store, s) = (store.clone(), s.clone());
        tokio::spawn(async move {
            let worth = match (made, known) {
                (Made::Refreshed, Some(v)) => {
                    matches!(store.changed_since(v, KEEP_AFTER).await, Ok(None))
                }
                _ => true,
            };
            if worth {
                let (day, version) = (s.as_of, s.version);
                // Failed, it is tried again after KEEP_EVERY (not after every write).
                let tried = match crate::kept::keep(&store, s).await {
                    Ok(_) => version,
                    Err(e) => {
                        tracing::warn!(error = %e, "keeping the status failed");
                        known.unwrap_or(i64::MIN)
                    }
                };
                *kept.version.lock().expect("kept version") = Some((day, tried, Instant::now()));
            }
            kept.busy.store(false, Ordering::Release);
        });
    }

    fn recheck(&self) {
        if let Some((_, at)) = self.current.write().expect("snapshot lock").as_mut() {
            *at = Instant::now() - RECHECK;
        }
    }
}

impl StatusCache {
    /// The snapshot as of `as_of`.
    pub async fn get(&self, store: &Store, as_of: NaiveDate) -> Result<Arc<Snapshot>, StoreError> {
        if as_of == crate::today() {
            return self.today.get(store, as_of, true).await;
        }
        if let Some(s) = self.others.iter().find_map(|s| s.fresh(as_of)) {
            return Ok(s);
        }
        let _one = self.other_builds.lock().await;
        let slot = self
            .others
            .iter()
            .find(|s| s.holds(as_of))
            .or_else(|| self.others.iter().min_by_key(|s| s.checked()))
            .unwrap_or(&self.today);
        slot.get(store, as_of, false).await
    }

    /// Something was written through this server: the next request asks the database for
    /// the data version at once (writes from elsewhere are noticed within [`RECHECK`]). The
    /// one place the cache learns of writes, called for every state-changing request.
    pub fn written(&self) {
        self.today.recheck();
        self.others.iter().for_each(Slot::recheck);
    }
}

/// One item as the snapshot keeps it while building: itself, its status, its year-to-date at
/// each month end, its investment at the period's end and its year-to-date by `as_of`.
pub(crate) type Judged = (Item, Status, [i64; 12], Progress, Option<duban_core::Wan>);

/// Row numbers most urgent first, and by name (see [`Snapshot::by_urgency`]).
pub(crate) type Orders = (Vec<u32>, Vec<u32>);

/// Judged rows as the snapshot holds them: one column per part of a row, in code order;
/// with their orders when they were kept with them, and their search keys and filter index
/// when those were made as the rows were read.
pub(crate) struct Columns {
    pub rows: Vec<(Item, Status)>,
    pub months: Vec<[i64; 12]>,
    pub progress: Vec<Progress>,
    pub ytd: Vec<Option<duban_core::Wan>>,
    pub search_keys: Option<Vec<String>>,
    pub orders: Option<Orders>,
    pub index: Option<Index>,
}

impl Columns {
    /// Room for `rows` rows in every column.
    pub fn with_capacity(rows: usize) -> Columns {
        Columns {
            rows: Vec::with_capacity(rows),
            months: Vec::with_capacity(rows),
            progress: Vec::with_capacity(rows),
            ytd: Vec::with_capacity(rows),
            search_keys: None,
            orders: None,
            index: None,
        }
    }

    /// Rows judged in any order, sorted by code and split into columns.
    fn of(mut judged: Vec<Judged>) -> Columns {
        judged.sort_unstable_by(|a, b| a.0.code.cmp(&b.0.code));
        let mut c = Columns::with_capacity(judged.len());
        for (item, status, months, progress, ytd) in judged {
            c.rows.push((item, status));
            c.months.push(months);
            c.progress.push(progress);
            c.ytd.push(ytd);
        }
        c
    }
}

/// Judges every item of `as_of`'s year (or only those written after data version `after`)
/// as it is read; kept: the lean item with its region, leader and co-operating units, its
/// status, its year-to-date at each month end (for the trend), its investment at the
/// period's end and its year-to-date by `as_of`.
async fn judge(
    store: &Store,
    as_of: NaiveDate,
    after: Option<i64>,
) -> Result<Vec<Judged>, StoreError> {
    let year = as_of.year();
    let period = period_of(as_of);
    let keep = move |input: duban_store::StatusInput, status: Status| {
        let progress = match period {
            Some(p) if p.lists(input.listed_on) => {
                let facts = RateFacts {
                    item: &input.item,
                    milestones: &input.milestones,
                    ytd: &input.trail.ytd,
                    report: ReportState::NotDue,
                };
                tally_item(&facts, p.last_day()).progress()
            }
            _ => Progress::default(),
        };
        let mut months = [0i64; 12];
        for (m, slot) in months.iter_mut().enumerate() {
            let end = duban_core::date::month_end(year, m as u32 + 1);
            *slot = input
                .trail
                .ytd
                .iter()
                .rev()
                .find(|(d, _)| *d <= end)
                .map_or(0, |(_, w)| w.yuan());
        }
        let ytd = input
            .trail
            .ytd
            .iter()
            .rev()
            .find(|(d, _)| *d <= as_of)
            .map(|(_, w)| *w);
        (input.item, status, months, progress, ytd)
    };
    let th = Thresholds::default();
    let judging = async {
        match after {
            None => store.judge_each(year, None, as_of, &th, keep).await,
            Some(v) => store.judge_changed(year, v, as_of, &th, keep).await,
        }
    };
    // Who each item belongs to: what the ledger list shows and visibility needs (the item page
    // reads the whole item). Read beside the judging, on a connection of its own.
    let (mut judged, mut refs) = tokio::try_join!(judging, store.item_refs(year, after))?;
    for (i, ..) in judged.iter_mut() {
        if let Some(r) = refs.remove(&i.code) {
            i.region = r.region;
            i.leader = r.leader;
            i.co_units = r.co_units;
            i.tags = r.tags;
            if let Some(m) = r.meeting {
                i.extra.insert("会议来源".into(), m);
            }
        }
    }
    Ok(judged)
}

/// The period the overview reports on as of a date (see [`Snapshot::period`]).
fn period_of(as_of: NaiveDate) -> Option<Period> {
    Some(duban_store::Schedule::default().last_closed(as_of)).filter(|p| p.year() == as_of.year())
}

/// The snapshot as of `as_of` at data version `version`: the one kept in the database for
/// that day brought up to date, or, if there is none (or too much was written since), every
/// item judged.
async fn build(
    store: &Store,
    as_of: NaiveDate,
    version: i64,
) -> Result<(Snapshot, Made), StoreError> {
    let started = Instant::now();
    // Read only a kept status that can be brought up to date (decoding a million items takes
    // seconds; if too much was written since, every item is judged anyway).
    let worth_reading = match crate::kept::kept_version(store, as_of).await {
        Ok(Some(kept)) if kept == version => true,
        Ok(Some(kept)) if kept < version => {
            matches!(
                store.changed_since(kept, REFRESH_AT_MOST).await,
                Ok(Some(_))
            )
        }
        _ => false,
    };
    if worth_reading
        && let Some((kept, rows)) = crate::kept::load(store, as_of).await
        && kept <= version
    {
        let read = started.elapsed();
        let s = assemble(store, as_of, kept, rows, None).await?;
        let assembled = started.elapsed();
        let s = match kept == version {
            true => Some(s),
            false => refresh(store, Arc::new(s), version).await?,
        };
        tracing::debug!(
            kept,
            version,
            read_ms = read.as_millis() as u64,
            assemble_ms = (assembled - read).as_millis() as u64,
            refresh_ms = (started.elapsed() - assembled).as_millis() as u64,
            "snapshot made from the kept status"
        );
        if let Some(s) = s {
            return Ok((s, Made::Kept(kept)));
        }
    }
    Ok((anew(store, as_of, version).await?, Made::Judged))
}

/// The snapshot with every item judged.
async fn anew(store: &Store, as_of: NaiveDate, version: i64) -> Result<Snapshot, StoreError> {
    let judged = judge(store, as_of, None).await?;
    assemble(store, as_of, version, Columns::of(judged), None).await
}

/// Items written since a snapshot was made at most, for it to be refreshed rather than made
/// again (a ledger import or a year of reports is made again).
const REFRESH_AT_MOST: usize = 5_000;

/// The snapshot `old` brought up to data version `version`: only the items written since
/// judged again, the others kept as they were. `None` when everything must be judged again
/// (many items written, or units, leaders, calendars or settings changed).
async fn refresh(
    store: &Store,
    old: Arc<Snapshot>,
    version: i64,
) -> Result<Option<Snapshot>, StoreError> {
    let started = std::time::Instant::now();
    let Some(touched) = store.changed_since(old.version, REFRESH_AT_MOST).await? else {
        return Ok(None);
    };
    let fresh = judge(store, old.as_of, Some(old.version)).await?;
    let judged = started.elapsed();
    let (as_of, old_version) = (old.as_of, old.version);
    // Items touched are replaced: by their new row, or by none (archived, moved to another
    // year); an item written while this was read is in `fresh` even if not in `touched`.
    let replaced: HashSet<String> = touched
        .into_iter()
        .chain(fresh.iter().map(|(i, ..)| i.code.clone()))
        .collect();
    // Units changed make a whole build, so the directory is the old one.
    let units = old.units.clone();
    let old = match owned(old).await {
        Ok(s) if in_place(&s, &replaced, &fresh) => {
            let judged_again = fresh.len();
            let snapshot = patch(store, s, version, fresh).await?;
            tracing::debug!(
                old_version,
                judged_again,
                judge_ms = judged.as_secs_f64() * 1000.0,
                patch_ms = (started.elapsed() - judged).as_secs_f64() * 1000.0,
                "snapshot patched"
            );
            return Ok(Some(snapshot));
        }
        other => other,
    };
    let mut rows = kept_rows(old, &replaced);
    let judged_again = fresh.len();
    rows.extend(fresh);
    let kept = started.elapsed();
    let snapshot = assemble(store, as_of, version, Columns::of(rows), Some(units)).await?;
    tracing::debug!(
        old_version,
        judged_again,
        judge_ms = judged.as_secs_f64() * 1000.0,
        keep_ms = (kept - judged).as_secs_f64() * 1000.0,
        assemble_ms = (started.elapsed() - kept).as_secs_f64() * 1000.0,
        "snapshot refreshed"
    );
    Ok(Some(snapshot))
}

/// The snapshot itself once no request holds it any more (they finish within milliseconds),
/// or, if one still does, the shared one.
async fn owned(mut old: Arc<Snapshot>) -> Result<Snapshot, Arc<Snapshot>> {
    for _ in 0..20 {
        match Arc::try_unwrap(old) {
            Ok(s) => return Ok(s),
            Err(shared) => old = shared,
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Err(old)
}

/// Can the items judged again replace their rows where they are: every item written is
/// still in the year (none archived or moved away) and none is new?
fn in_place(s: &Snapshot, replaced: &HashSet<String>, fresh: &[Judged]) -> bool {
    fresh.len() == replaced.len() && fresh.iter().all(|(i, ..)| s.row_of(&i.code).is_some())
}

/// The snapshot with the rows of `fresh` replaced where they stand (see [`in_place`]): the
/// orders sorted again only if a name, colour or lag moved, the trend added up again and the
/// problems read again. What a few reports in a day cost: milliseconds, not a rebuild.
async fn patch(
    store: &Store,
    mut s: Snapshot,
    version: i64,
    fresh: Vec<Judged>,
) -> Result<Snapshot, StoreError> {
    let (mut names_moved, mut urgency_moved) = (false, false);
    for (item, status, months, progress, ytd) in fresh {
        let Some(n) = s.row_of(&item.code) else {
            continue; // not so: `in_place` found every code
        };
        let (was, was_status) = &s.rows[n];
        names_moved |= was.name != item.name;
        urgency_moved |= was_status.colour != status.colour || was_status.lag != status.lag;
        s.search_keys[n] = search_key(&item);
        s.index.set(n, &item, &status);
        s.rows[n] = (item, status);
        s.months[n] = months;
        s.progress[n] = progress;
        s.ytd[n] = ytd;
    }
    if names_moved {
        s.by_name = by_name(&s.rows);
    }
    if urgency_moved {
        s.by_urgency = by_urgency(&s.rows);
    }
    s.trend = trend(s.as_of, &s.rows, &s.months);
    s.problems = store.problems(&ProblemFilter::default()).await?;
    s.version = version;
    s.overview_all = OnceLock::new();
    (s.tables, s.lists) = memos();
    Ok(s)
}

/// The rows of a snapshot that are not replaced, taken from it when it is ours alone, else
/// copied.
fn kept_rows(old: Result<Snapshot, Arc<Snapshot>>, replaced: &HashSet<String>) -> Vec<Judged> {
    match old {
        Ok(s) => s
            .rows
            .into_iter()
            .zip(s.months)
            .zip(s.progress)
            .zip(s.ytd)
            .filter(|((((i, _), _), _), _)| !replaced.contains(&i.code))
            .map(|((((i, st), m), p), y)| (i, st, m, p, y))
            .collect(),
        Err(s) => s
            .rows
            .iter()
            .enumerate()
            .filter(|(_, (i, _))| !replaced.contains(&i.code))
            .map(|(n, (i, st))| (i.clone(), st.clone(), s.months[n], s.progress[n], s.ytd[n]))
            .collect(),
    }
}

/// The snapshot of judged rows (in code order): indexed, added up, with the problems and the
/// unit directory. The orders, the search keys and the filter index (unless made as the
/// rows were read) are made side by side (a million rows: about half a second each on one
/// core).
async fn assemble(
    store: &Store,
    as_of: NaiveDate,
    version: i64,
    columns: Columns,
    units: Option<Vec<duban_core::Unit>>,
) -> Result<Snapshot, StoreError> {
    let directory = async {
        match units {
            Some(u) => Ok(u),
            None => Ok(store.units().await?.into_iter().map(|u| u.unit).collect()),
        }
    };
    let every_problem = ProblemFilter::default();
    let (problems, units): (_, Vec<duban_core::Unit>) =
        tokio::try_join!(store.problems(&every_problem), directory)?;
    let Columns {
        rows,
        months,
        progress,
        ytd,
        search_keys,
        orders,
        index,
    } = columns;
    let (orders, search_keys, (index, trend)) = std::thread::scope(|scope| {
        let orders = scope.spawn(|| orders.unwrap_or_else(|| (by_urgency(&rows), by_name(&rows))));
        let keys = scope.spawn(|| {
            search_keys.unwrap_or_else(|| rows.iter().map(|(i, _)| search_key(i)).collect())
        });
        let index = index.unwrap_or_else(|| Index::new(&rows));
        (
            joined(orders),
            joined(keys),
            (index, trend(as_of, &rows, &months)),
        )
    });
    let (by_urgency, by_name) = orders;
    let regions = units
        .iter()
        .filter(|u| u.kind == UnitKind::Region)
        .map(|u| u.name.clone())
        .collect();
    let (tables, lists) = memos();
    Ok(Snapshot {
        as_of,
        version,
        rows,
        by_urgency,
        by_name,
        search_keys,
        index,
        trend,
        period: period_of(as_of),
        progress,
        months,
        regions,
        units,
        ytd,
        problems,
        overview_all: OnceLock::new(),
        tables,
        lists,
    })
}

/// What a thread made (its panic, if it panicked, carried on).
fn joined<T>(t: std::thread::ScopedJoinHandle<'_, T>) -> T {
    t.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Year-to-date investment of all items at each month end up to `as_of`, against the
/// plan of all (see [`Snapshot::trend`]).
fn trend(as_of: NaiveDate, rows: &[(Item, Status)], months: &[[i64; 12]]) -> Vec<(u32, i64, i64)> {
    let year = as_of.year();
    let last_month = if as_of.day() == duban_core::date::month_end(year, as_of.month()).day() {
        as_of.month()
    } else {
        as_of.month().saturating_sub(1)
    };
    let plan: i64 = rows
        .iter()
        .filter_map(|(i, _)| i.annual_plan.map(|w| w.yuan()))
        .sum();
    (1..=last_month)
        .map(|m| (m, months.iter().map(|ys| ys[m as usize - 1]).sum(), plan))
        .collect()
}

/// Row numbers most urgent first: red, then yellow, then green, each by lag (code order
/// among equals).
fn by_urgency(rows: &[(Item, Status)]) -> Vec<u32> {
    // The keys gathered first: sorting then reads one small array, not a million rows.
    let mut keyed: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(n, (_, st))| (std::cmp::Reverse((st.colour, st.lag)), n as u32))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, n)| n).collect()
}

/// Row numbers by name (code order among equals).
fn by_name(rows: &[(Item, Status)]) -> Vec<u32> {
    let mut keyed: Vec<(&str, u32)> = rows
        .iter()
        .enumerate()
        .map(|(n, (i, _))| (i.name.as_str(), n as u32))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, n)| n).collect()
}

/// What a search matches a row on: its code and name in lower case.
pub(crate) fn search_key(i: &Item) -> String {
    let mut key = String::with_capacity(i.code.len() + 1 + i.name.len());
    key.push_str(&i.code);
    key.push(' ');
    key.push_str(&i.name);
    // ASCII letters (codes such as `XM-2026-001`) are lowered in place; the key is made again
    // only when some other letter changes (Chinese names rarely have one), and the CJK block
    // is answered without Unicode's tables.
    let changes_beyond_ascii = |c: char| match c {
        _ if c.is_ascii() => false,
        '\u{3000}'..='\u{9fff}' => false,
        _ => {
            let mut lower = c.to_lowercase();
            !(lower.next() == Some(c) && lower.next().is_none())
        }
    };
    if key.chars().any(changes_beyond_ascii) {
        key = key.to_lowercase();
    } else {
        key.make_ascii_lowercase();
    }
    key
}

/// No unit, region or leader.
pub const NONE: u32 = u32::MAX;

/// The names `part` numbered, numbered in `all` as well (those new to it after the others,
/// in the part's order): each of the part's numbers' number in `all`.
fn renumbered<K: std::hash::Hash + Eq>(
    all: &mut HashMap<K, u32>,
    part: HashMap<K, u32>,
) -> Vec<u32> {
    let mut names: Vec<(u32, K)> = part.into_iter().map(|(k, n)| (n, k)).collect();
    names.sort_unstable_by_key(|(n, _)| *n);
    names
        .into_iter()
        .map(|(_, k)| {
            let next = all.len() as u32;
            *all.entry(k).or_insert(next)
        })
        .collect()
}

/// What the ledger list filters on, per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowKey {
    pub kind: u8,
    /// `u8::MAX` without a stage.
    pub stage: u8,
    pub colour: u8,
    pub lead: u32,
    pub region: u32,
    pub leader: u32,
}

/// The rows' filter keys with the names behind the numbers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Index {
    pub keys: Vec<RowKey>,
    /// Co-operating units per row (mostly empty).
    pub co: Vec<Box<[u32]>>,
    pub units: HashMap<String, u32>,
    pub leaders: HashMap<duban_core::Leader, u32>,
}

fn position<T: PartialEq>(all: &[T], x: &T) -> u8 {
    all.iter().position(|a| a == x).map_or(u8::MAX, |p| p as u8)
}

impl Index {
    pub(crate) fn new(rows: &[(Item, Status)]) -> Index {
        let mut ix = Index::default();
        for (i, st) in rows {
            ix.push(i, st);
        }
        ix
    }

    /// Adds the next row, `i` with status `st`.
    pub(crate) fn push(&mut self, i: &Item, st: &Status) {
        let (key, co) = self.key(i, st);
        self.keys.push(key);
        self.co.push(co);
    }

    /// The index of rows indexed in parts, one after another: the same as if indexed at once
    /// (names are numbered in the order first met).
    pub(crate) fn joined(parts: Vec<Index>) -> Index {
        let mut all = Index::default();
        for part in parts {
            let units = renumbered(&mut all.units, part.units);
            let leaders = renumbered(&mut all.leaders, part.leaders);
            let unit = |n: u32| units.get(n as usize).copied().unwrap_or(NONE);
            for mut k in part.keys {
                (k.lead, k.region) = (unit(k.lead), unit(k.region));
                k.leader = leaders.get(k.leader as usize).copied().unwrap_or(NONE);
                all.keys.push(k);
            }
            all.co.extend(
                part.co
                    .into_iter()
                    .map(|co| co.iter().map(|&n| unit(n)).collect()),
            );
        }
        all
    }

    /// Row `n` is now `i` with status `st` (a unit or leader not met before is numbered).
    fn set(&mut self, n: usize, i: &Item, st: &Status) {
        let (key, co) = self.key(i, st);
        self.keys[n] = key;
        self.co[n] = co;
    }

    /// The filter key of an item and its co-operating units, numbering names met anew.
    fn key(&mut self, i: &Item, st: &Status) -> (RowKey, Box<[u32]>) {
        let unit = |units: &mut HashMap<String, u32>, name: &str| -> u32 {
            if let Some(n) = units.get(name) {
                return *n;
            }
            let n = units.len() as u32;
            units.insert(name.to_string(), n);
            n
        };
        let lead = unit(&mut self.units, &i.lead_unit);
        let region = i
            .region
            .as_deref()
            .map_or(NONE, |r| unit(&mut self.units, r));
        let co: Box<[u32]> = i
            .co_units
            .iter()
            .map(|c| unit(&mut self.units, c))
            .collect();
        let leader = i.leader.as_ref().map_or(NONE, |l| {
            if let Some(n) = self.leaders.get(l) {
                return *n;
            }
            let n = self.leaders.len() as u32;
            self.leaders.insert(l.clone(), n);
            n
        });
        let key = RowKey {
            kind: position(duban_core::ItemKind::ALL, &i.kind),
            stage: i
                .stage
                .map_or(u8::MAX, |s| position(duban_core::Stage::ALL, &s)),
            colour: st.colour as u8,
            lead,
            region,
            leader,
        };
        (key, co)
    }

    /// The number of a unit, `NONE` if no row names it.
    pub fn unit(&self, name: &str) -> u32 {
        self.units.get(name).copied().unwrap_or(NONE)
    }

    /// Does row `n` belong to unit `u` (leads it, lies in it, or co-operates)?
    pub fn involves(&self, n: usize, u: u32) -> bool {
        let k = &self.keys[n];
        u != NONE && (k.lead == u || k.region == u || self.co[n].contains(&u))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use duban_store::testing::TestDb;
    use duban_store::{ImportOptions, LedgerEntry};

    /// Rows indexed part by part (as the kept status is read) number their units and
    /// leaders as rows indexed at once do: in the order first met.
    #[test]
    fn an_index_joined_from_parts_is_the_index_made_at_once() {
        let row = |lead: &str, region: Option<&str>, co: &[&str], leader: Option<&str>| {
            let mut i = Item::new(2026, duban_core::ItemKind::Project, "某项目", lead);
            i.region = region.map(String::from);
            i.co_units = co.iter().map(|c| c.to_string()).collect();
            i.leader = leader.map(|name| duban_core::Leader {
                name: name.into(),
                title: Some("副市长".into()),
            });
            let status = Status {
                t: "50".parse().unwrap(),
                p: None,
                lag: None,
                colour: duban_core::Colour::Green,
                flags: vec![],
                reasons: vec![],
                projection: None,
            };
            (i, status)
        };
        let rows = [
            row("甲局", Some("东区"), &[], Some("张三")),
            row("乙局", None, &["甲局"], None),
            row("丙局", Some("西区"), &["丁局", "东区"], Some("李四")),
            row("甲局", Some("西区"), &["戊局"], Some("张三")),
            row("己局", None, &[], Some("王五")),
        ];
        let at_once = Index::new(&rows);
        let number = |name: &str| at_once.unit(name);
        let numbers = [
            "甲局", "东区", "乙局", "丙局", "西区", "丁局", "戊局", "己局",
        ]
        .map(number);
        assert_eq!(numbers, [0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(at_once.co[2][..], [5, 1]);
        assert_eq!(at_once.keys[3].leader, 0);
        assert_eq!(at_once.keys[4].leader, 2);
        for cuts in [vec![5], vec![2, 5], vec![1, 3, 4, 5], vec![0, 5]] {
            let mut parts = Vec::new();
            let mut from = 0;
            for to in cuts {
                parts.push(Index::new(&rows[from..to]));
                from = to;
            }
            assert_eq!(Index::joined(parts), at_once);
        }
    }

    #[test]
    fn search_keys_are_code_and_name_in_lower_case() {
        let key = |code: &str, name: &str| {
            let mut i = Item::new(2026, duban_core::ItemKind::Project, name, "白水县");
            i.code = code.into();
            search_key(&i)
        };
        assert_eq!(key("XM01", "白水县供水工程"), "xm01 白水县供水工程");
        // Latin, full-width and Greek letters lowered as str::to_lowercase lowers them.
        assert_eq!(
            key("xm02", "G312改扩建（ＡＢ段）"),
            "xm02 g312改扩建（ａｂ段）"
        );
        assert_eq!(key("xm03", "ΟΔΟΣ"), "xm03 ΟΔΟΣ".to_lowercase());
        assert_eq!(key("xm04", "㎞数据"), "xm04 ㎞数据");
        assert_eq!(key("JT-07", "G5京昆高速Ⅱ标"), "jt-07 g5京昆高速ⅱ标");
    }

    pub(crate) async fn one_item(store: &Store, code: &str) {
        let mut i = Item::new(
            crate::today().year(),
            duban_core::ItemKind::Project,
            format!("项目{code}"),
            "白水县",
        );
        i.code = code.into();
        store
            .import_ledger(
                vec![LedgerEntry::whole(i, None)],
                &ImportOptions {
                    actor: "test".into(),
                    dry_run: false,
                },
            )
            .await
            .unwrap();
    }

    /// A user switching between two other dates rebuilds only the slots for other dates:
    /// today's snapshot is the same one throughout; a write anywhere is seen once the cache
    /// is told (or within a second).
    #[tokio::test]
    async fn other_dates_never_evict_today_and_writes_are_seen() {
        let db = TestDb::sqlite();
        let store = db.open().await;
        one_item(&store, "XM1").await;
        let cache = StatusCache::default();
        let today = crate::today();
        let first = cache.get(&store, today).await.unwrap();
        let (a, b, c) = (
            today - chrono::Duration::days(40),
            today - chrono::Duration::days(80),
            today - chrono::Duration::days(120),
        );
        for _ in 0..3 {
            for d in [a, b, c] {
                assert_eq!(cache.get(&store, d).await.unwrap().as_of, d);
            }
        }
        let again = cache.get(&store, today).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again), "today's snapshot was kept");
        // Two of the three other dates are kept at most.
        let kept = cache
            .others
            .iter()
            .filter(|s| s.checked().is_some())
            .count();
        assert_eq!(kept, OTHER_DATES);

        // A write (here straight to the store, as another server or the CLI would).
        one_item(&store, "XM2").await;
        cache.written();
        let after = cache.get(&store, today).await.unwrap();
        assert!(after.version > first.version);
        assert!(after.row_of("XM2").is_some());
    }

    async fn items(store: &Store, codes: std::ops::Range<u32>) {
        let year = crate::today().year();
        let entries = codes
            .map(|n| {
                let mut i = Item::new(
                    year,
                    duban_core::ItemKind::Project,
                    format!("项目{n}"),
                    if n % 2 == 0 {
                        "白水县"
                    } else {
                        "市交通局"
                    },
                );
                i.code = format!("XM{n:02}");
                i.total_investment = Some(wan(n * 1000 + 500));
                i.annual_plan = Some(wan(n * 100 + 100));
                // Milestones due across the year; items with an even number finished the first.
                let milestones = ["开工", "主体施工", "设备安装", "竣工"]
                    .iter()
                    .enumerate()
                    .map(|(k, name)| {
                        let planned = NaiveDate::from_ymd_opt(year, 3 * k as u32 + 2, 15);
                        duban_core::Milestone {
                            name: name.to_string(),
                            planned,
                            actual: (k == 0 && n % 2 == 0).then_some(planned).flatten(),
                            baseline: planned,
                        }
                    })
                    .collect();
                LedgerEntry::whole(i, Some(milestones))
            })
            .collect();
        store
            .import_ledger(
                entries,
                &ImportOptions {
                    actor: "test".into(),
                    dry_run: false,
                },
            )
            .await
            .unwrap();
    }

    fn wan(n: u32) -> duban_core::Wan {
        duban_core::Wan::parse(&n.to_string(), duban_core::MoneyUnit::Wan).unwrap()
    }

    /// What a refresh after a few writes makes is what judging everything again makes: the
    /// rows, their statuses, the trend and the sort orders.
    #[tokio::test]
    async fn a_refreshed_snapshot_is_the_snapshot_made_anew() {
        refreshed_is_made_anew(TestDb::sqlite()).await;
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL"]
    async fn a_refreshed_snapshot_is_the_snapshot_made_anew_on_postgres() {
        refreshed_is_made_anew(TestDb::postgres().await).await;
    }

    /// The year-to-date of `code` for the last closed period, reported today.
    async fn report_ytd(store: &Store, code: &str, wan_amount: u32) {
        let today = crate::today();
        let period = duban_store::Schedule::default().last_closed(today);
        let report = duban_core::ReportDraft {
            ytd: Some(wan(wan_amount)),
            ..Default::default()
        };
        let submission = duban_store::Submission {
            code: code.into(),
            period,
            report,
            reason: None,
            submitted_on: today,
        };
        store.submit_report("test", submission).await.unwrap();
    }

    /// A report that turns an item red, an item renamed to sort first and moved to a unit no
    /// row named before: `old` patched where the rows stand is what judging everything again
    /// makes, down to the orders, the trend, the filter keys and the problems.
    async fn patched_in_place_equals_made_anew(store: &Store, old: &Snapshot) {
        let today = old.as_of;
        let copy = anew(store, today, old.version).await.unwrap();
        assert_eq!(copy.rows, old.rows);
        report_ytd(store, "XM04", 0).await;
        let mut moved = store.item("XM06").await.unwrap().unwrap().item;
        moved.name = "阿拉善项目".into();
        moved.lead_unit = "市水利局".into();
        store
            .save_item(
                "test",
                LedgerEntry::whole(moved, None),
                "改名并调整牵头单位",
            )
            .await
            .unwrap();
        let version = store.data_version().await.unwrap();
        let fresh = judge(store, today, Some(old.version)).await.unwrap();
        let replaced: HashSet<String> = fresh.iter().map(|(i, ..)| i.code.clone()).collect();
        assert_eq!(replaced.len(), 2, "{replaced:?}");
        assert!(in_place(&copy, &replaced, &fresh));
        let patched = patch(store, copy, version, fresh).await.unwrap();
        let anew = anew(store, today, version).await.unwrap();
        assert_eq!(patched.rows, anew.rows);
        assert_eq!(patched.by_name, anew.by_name);
        assert_eq!(
            patched.by_name[0] as usize,
            anew.row_of("XM06").unwrap(),
            "renamed to sort first"
        );
        assert_eq!(patched.by_urgency, anew.by_urgency);
        assert_eq!(patched.search_keys, anew.search_keys);
        assert_eq!(patched.trend, anew.trend);
        assert_eq!(
            (&patched.ytd, &patched.progress, &patched.months),
            (&anew.ytd, &anew.progress, &anew.months)
        );
        assert_eq!(patched.problems, anew.problems);
        let involving = |s: &Snapshot, unit: &str| -> Vec<usize> {
            let u = s.index.unit(unit);
            (0..s.rows.len())
                .filter(|n| s.index.involves(*n, u))
                .collect()
        };
        for unit in ["白水县", "市交通局", "市水利局"] {
            assert_eq!(involving(&patched, unit), involving(&anew, unit), "{unit}");
        }
        assert_eq!(
            involving(&patched, "市水利局"),
            [anew.row_of("XM06").unwrap()]
        );
        let colours = |s: &Snapshot| s.index.keys.iter().map(|k| k.colour).collect::<Vec<_>>();
        assert_eq!(colours(&patched), colours(&anew));
    }

    /// A server starting reads the status another kept instead of judging every item, and
    /// judges again only the items written since: what it shows is what judging every item
    /// shows. Rows that cannot be read are judged again.
    #[tokio::test]
    async fn a_server_starting_reads_the_kept_status() {
        kept_status_is_read(TestDb::sqlite()).await;
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL"]
    async fn a_server_starting_reads_the_kept_status_on_postgres() {
        kept_status_is_read(TestDb::postgres().await).await;
    }

    /// The version of the status kept for `as_of`, once the server has kept it.
    async fn kept_version(store: &Store, as_of: NaiveDate) -> i64 {
        for _ in 0..200 {
            if let Some(k) = store
                .kept_snapshot(as_of, &crate::kept::FORMAT)
                .await
                .unwrap()
            {
                return k.version;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nothing kept within 10 s");
    }

    /// A new day's status is kept even when nothing was written since the day before's
    /// (the same data version).
    #[tokio::test]
    async fn each_day_is_kept_at_the_same_version() {
        let db = TestDb::sqlite();
        let store = db.open().await;
        items(&store, 0..3).await;
        let cache = StatusCache::default();
        let today = crate::today();
        let tomorrow = today + chrono::Duration::days(1);
        let first = cache.today.get(&store, today, true).await.unwrap();
        assert_eq!(kept_version(&store, today).await, first.version);
        while cache.today.kept.busy.load(Ordering::Acquire) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let next = cache.today.get(&store, tomorrow, true).await.unwrap();
        assert_eq!(next.version, first.version);
        assert_eq!(kept_version(&store, tomorrow).await, first.version);
    }

    fn same(a: &Snapshot, b: &Snapshot) {
        assert_eq!(a.rows, b.rows);
        assert_eq!(
            (&a.months, &a.progress, &a.ytd),
            (&b.months, &b.progress, &b.ytd)
        );
        assert_eq!((&a.by_urgency, &a.by_name), (&b.by_urgency, &b.by_name));
        assert_eq!((&a.trend, &a.search_keys), (&b.trend, &b.search_keys));
    }

    async fn kept_status_is_read(db: TestDb) {
        let store = db.open().await;
        items(&store, 0..20).await;
        report_ytd(&store, "XM02", 120).await;
        let today = crate::today();
        let first = StatusCache::default().get(&store, today).await.unwrap();
        let version = kept_version(&store, today).await;
        assert_eq!(version, first.version);
        let (v, rows) = crate::kept::load(&store, today).await.expect("kept");
        assert_eq!(v, version);
        assert_eq!(rows.rows, first.rows);
        assert_eq!(
            (&rows.months, &rows.progress, &rows.ytd),
            (&first.months, &first.progress, &first.ytd)
        );
        assert_eq!(rows.ytd[2].map(|w| w.to_string()), Some("120".into()));
        // Nothing written since: a server starting takes the kept rows with their orders and
        // search keys as they were.
        let again = StatusCache::default().get(&store, today).await.unwrap();
        same(&again, &first);
        assert_eq!(again.index, first.index);

        // Written since: a report and a new item. A server starting reads the kept rows and
        // judges those two again.
        report_ytd(&store, "XM03", 250).await;
        items(&store, 30..31).await;
        let restarted = StatusCache::default();
        let now = restarted.get(&store, today).await.unwrap();
        assert_eq!(
            restarted
                .today
                .kept
                .version
                .lock()
                .unwrap()
                .map(|(_, v, _)| v),
            Some(version),
            "made from the kept rows"
        );
        let anew = anew(&store, today, now.version).await.unwrap();
        same(&now, &anew);
        assert_eq!(now.rows.len(), 21);
        assert_ne!(
            now.rows[now.row_of("XM03").unwrap()].1,
            first.rows[first.row_of("XM03").unwrap()].1,
            "the report written since changed its status"
        );

        // Rows that cannot be read (another server's, damaged): every item judged again.
        let current = store.data_version().await.unwrap();
        let garbage = vec![vec![9u8; 64], lz4_flex::compress_prepend_size(b"\x93\x01")];
        assert!(
            store
                .keep_snapshot(today, current, &crate::kept::FORMAT, &garbage)
                .await
                .unwrap()
        );
        assert!(crate::kept::load(&store, today).await.is_none());
        let another = StatusCache::default();
        same(&another.get(&store, today).await.unwrap(), &anew);
        // … and keeps rows it can read in their place.
        for _ in 0..200 {
            if crate::kept::load(&store, today).await.is_some() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the damaged rows were not replaced within 10 s");
    }

    async fn refreshed_is_made_anew(db: TestDb) {
        let store = db.open().await;
        items(&store, 0..20).await;
        let cache = StatusCache::default();
        let today = crate::today();
        let first = cache.get(&store, today).await.unwrap();
        assert_eq!(first.rows.len(), 20);

        // A report, an archived item, a new item, a plan changed.
        report_ytd(&store, "XM03", 250).await;
        store
            .archive_item("test", "XM05", duban_store::Archiving::Archive, "项目取消")
            .await
            .unwrap();
        items(&store, 30..31).await;
        let mut plan = store.milestones_of("XM07").await.unwrap();
        plan.truncate(2);
        store
            .set_milestones("test", "XM07", plan, duban_store::PlanAuthority::Office)
            .await
            .unwrap();
        let touched = store.changed_since(first.version, 100).await.unwrap();
        let mut touched = touched.expect("a few items, not everything");
        touched.sort();
        assert_eq!(touched, ["XM03", "XM05", "XM07", "XM30"]);

        cache.written();
        let refreshed = cache.get(&store, today).await.unwrap();
        let anew = anew(&store, today, refreshed.version).await.unwrap();
        assert_eq!(refreshed.rows, anew.rows);
        assert_eq!(refreshed.rows.len(), 20, "one archived, one new");
        assert!(refreshed.row_of("XM30").is_some() && refreshed.row_of("XM05").is_none());
        assert_eq!(refreshed.trend, anew.trend);
        assert_eq!(refreshed.ytd, anew.ytd);
        assert_eq!(refreshed.by_urgency, anew.by_urgency);
        assert_eq!(refreshed.by_name, anew.by_name);
        assert_eq!(refreshed.search_keys, anew.search_keys);
        assert_ne!(
            refreshed.rows[refreshed.row_of("XM03").unwrap()].1,
            first.rows[first.row_of("XM03").unwrap()].1,
            "the report changed its status"
        );

        // Items only changed where they stand: patched in place, equal to one made anew.
        patched_in_place_equals_made_anew(&store, &refreshed).await;

        // A unit renamed: every item is judged again.
        let v = store.data_version().await.unwrap();
        store
            .update_unit(
                "test",
                "白水县",
                duban_store::UnitEdit {
                    name: "白水区".into(),
                    kind: UnitKind::Region,
                    parent: None,
                    sort_order: 0,
                    aliases: vec![],
                },
                "撤县设区",
            )
            .await
            .unwrap();
        assert_eq!(store.changed_since(v, 100).await.unwrap(), None);
        cache.written();
        let renamed = cache.get(&store, today).await.unwrap();
        assert_eq!(
            renamed.rows[renamed.row_of("XM02").unwrap()].0.lead_unit,
            "白水区"
        );
    }
}
