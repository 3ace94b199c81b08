//! 筛选 — the ledger's filtering engine: the snapshot rows a caller may see that match a
//! query, in the asked order, one page at a time; and paging of any list.

use chrono::NaiveDate;
use duban_core::{Account, Colour, Item, ItemKind, Stage};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::dashboard::Snapshot;
use crate::error::{ApiError, ApiResult};

/// 分页 — one page of a list.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// Page numbers start at 1; at most 500 rows a page (default 50).
pub fn paginate<T>(all: Vec<T>, page: Option<usize>, per_page: Option<usize>) -> Page<T> {
    let per_page = per_page.unwrap_or(50).clamp(1, 500);
    let total = all.len();
    let pages = total.div_ceil(per_page).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let start = (page - 1) * per_page;
    Page {
        items: all.into_iter().skip(start).take(per_page).collect(),
        total,
        page,
        per_page,
    }
}

/// 台账筛选
#[derive(Debug, Default, Deserialize, IntoParams, Clone)]
pub struct ItemQuery {
    /// 单位 (name or alias)
    pub unit: Option<String>,
    /// 类型: 重点项目|重点工作|民生实事|招商项目
    pub kind: Option<String>,
    /// 阶段
    pub stage: Option<String>,
    /// 名称或编号包含
    pub search: Option<String>,
    /// red|yellow|green
    pub colour: Option<String>,
    /// 包抓领导 (name, with or without the title)
    pub leader: Option<String>,
    /// 年度 (default this year; a past year is shown as at its year end)
    #[param(value_type = Option<i32>)]
    pub year: Option<String>,
    /// 会议来源 contains
    pub meeting: Option<String>,
    /// 标签
    pub tag: Option<String>,
    /// 排序: code|name|kind|unit|leader|stage|total|plan|t|p|lag, "-" before for descending
    pub sort: Option<String>,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
    /// 统计日期 YYYY-MM-DD (default today)
    #[param(value_type = Option<String>)]
    pub as_of: Option<NaiveDate>,
}

/// 排序列 — what the ledger may be sorted on (a whitelist: anything else is refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Code,
    Name,
    Kind,
    Unit,
    Leader,
    Stage,
    Total,
    Plan,
    /// 序时进度
    Time,
    /// 完成进度
    Progress,
    /// 预警: red, then yellow, by lag.
    Lag,
}

impl SortKey {
    pub const ALL: [(SortKey, &'static str); 11] = [
        (SortKey::Code, "code"),
        (SortKey::Name, "name"),
        (SortKey::Kind, "kind"),
        (SortKey::Unit, "unit"),
        (SortKey::Leader, "leader"),
        (SortKey::Stage, "stage"),
        (SortKey::Total, "total"),
        (SortKey::Plan, "plan"),
        (SortKey::Time, "t"),
        (SortKey::Progress, "p"),
        (SortKey::Lag, "lag"),
    ];

    /// "plan" or "-plan" (descending); `None` and "" sort by code.
    pub fn parse(text: Option<&str>) -> ApiResult<(SortKey, bool)> {
        let t = text.map(str::trim).unwrap_or_default();
        if t.is_empty() {
            return Ok((SortKey::Code, false));
        }
        let (name, desc) = match t.strip_prefix('-') {
            Some(n) => (n, true),
            None => (t, false),
        };
        SortKey::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| (*k, desc))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "sort：不能按“{t}”排序（可选：{}）",
                    SortKey::ALL.map(|(_, n)| n).join("、")
                ))
            })
    }

    /// Orders rows `a` and `b` of the snapshot (ties keep code order).
    fn cmp(self, snap: &Snapshot, a: usize, b: usize) -> std::cmp::Ordering {
        let ((x, xs), (y, ys)) = (&snap.rows[a], &snap.rows[b]);
        match self {
            SortKey::Code => a.cmp(&b),
            SortKey::Name => x.name.cmp(&y.name),
            SortKey::Kind => x.kind.cmp(&y.kind),
            SortKey::Unit => x.lead_unit.cmp(&y.lead_unit),
            SortKey::Leader => x
                .leader
                .as_ref()
                .map(|l| &l.name)
                .cmp(&y.leader.as_ref().map(|l| &l.name)),
            SortKey::Stage => x.stage.cmp(&y.stage),
            SortKey::Total => x.total_investment.cmp(&y.total_investment),
            SortKey::Plan => x.annual_plan.cmp(&y.annual_plan),
            SortKey::Time => xs.t.cmp(&ys.t),
            SortKey::Progress => xs.p.cmp(&ys.p),
            SortKey::Lag => ys.colour.cmp(&xs.colour).then(ys.lag.cmp(&xs.lag)),
        }
    }
}

/// The year a query asks for, if it names one: "2024" or "2024年".
pub fn year_of(q: &ItemQuery) -> ApiResult<Option<i32>> {
    let Some(t) = q.year.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    t.trim_end_matches('年')
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .map(Some)
        .ok_or_else(|| ApiError::invalid(format!("year：“{t}”不是年份（如 2025）")))
}

/// The day a query's statuses are judged on: its `as_of`, else for a past year its last day
/// (a future year's first), else `today`.
pub fn as_of_for(q: &ItemQuery, today: NaiveDate) -> ApiResult<NaiveDate> {
    use chrono::Datelike;
    if let Some(d) = q.as_of {
        return Ok(d);
    }
    Ok(match year_of(q)? {
        Some(y) if y < today.year() => NaiveDate::from_ymd_opt(y, 12, 31),
        Some(y) if y > today.year() => NaiveDate::from_ymd_opt(y, 1, 1),
        _ => None,
    }
    .unwrap_or(today))
}

/// One page of the snapshot rows a caller may see that match a query, in the asked order.
pub struct Selection<'a> {
    pub rows: Vec<&'a (Item, duban_core::Status)>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// The rows a caller may see that match a query, in the asked order; `page` of `per_page`
/// (all of them with `None`). One pass, nothing sorted per request.
pub fn select<'a>(
    snap: &'a Snapshot,
    account: &Account,
    q: &ItemQuery,
    paged: bool,
) -> ApiResult<Selection<'a>> {
    let blank = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let kind = blank(&q.kind)
        .map(|k| ItemKind::parse(&k).map_err(|e| ApiError::invalid(format!("kind：{e}"))))
        .transpose()?;
    let stage = blank(&q.stage)
        .map(|k| Stage::parse(&k).map_err(|e| ApiError::invalid(format!("stage：{e}"))))
        .transpose()?;
    let colour = match blank(&q.colour).as_deref() {
        None => None,
        Some("red" | "红") => Some(Colour::Red),
        Some("yellow" | "黄") => Some(Colour::Yellow),
        Some("green" | "绿") => Some(Colour::Green),
        Some(o) => {
            return Err(ApiError::invalid(format!(
                "colour：“{o}”应为 red、yellow 或 green"
            )));
        }
    };
    let search = blank(&q.search).map(|s| s.to_lowercase());
    let ix = &snap.index;
    // A unit by its name, an alias (发改委) or the beginning of its name (青山).
    let unit = blank(&q.unit)
        .map(|u| {
            duban_core::unit::find_unit(&snap.units, &u)
                .map(|found| ix.unit(&found.name))
                .map_err(|e| ApiError::invalid(format!("单位：{e}")))
        })
        .transpose()?;
    // A leader by name, with or without the title: every leader of that name.
    let leader: Option<Vec<u32>> = blank(&q.leader).map(|l| {
        let name = l
            .split(['（', '('])
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        ix.leaders
            .iter()
            .filter(|(k, _)| k.name == name || k.to_string() == l)
            .map(|(_, n)| *n)
            .collect()
    });
    let meeting = blank(&q.meeting);
    let tag = blank(&q.tag);
    let (sort, desc) = SortKey::parse(q.sort.as_deref())?;
    // Who may see what, in the index's numbers.
    enum Scope {
        All,
        Unit(u32),
        Leader(u32),
        Nothing,
    }
    let scope = match account.visibility() {
        duban_core::Visibility::All => Scope::All,
        duban_core::Visibility::Unit(u) => Scope::Unit(ix.unit(&u)),
        duban_core::Visibility::Leader(l) => ix
            .leaders
            .get(&l)
            .map_or(Scope::Nothing, |n| Scope::Leader(*n)),
        duban_core::Visibility::Nothing => Scope::Nothing,
    };
    let kind = kind.map(|k| ItemKind::ALL.iter().position(|x| *x == k).unwrap_or(0) as u8);
    let stage = stage.map(|k| Stage::ALL.iter().position(|x| *x == k).unwrap_or(0) as u8);
    let colour = colour.map(|c| c as u8);
    let wanted = |n: usize| {
        let k = &ix.keys[n];
        (match scope {
            Scope::All => true,
            Scope::Unit(u) => ix.involves(n, u),
            Scope::Leader(l) => k.leader == l,
            Scope::Nothing => false,
        }) && kind.is_none_or(|x| k.kind == x)
            && stage.is_none_or(|x| k.stage == x)
            && colour.is_none_or(|x| k.colour == x)
            && unit.is_none_or(|u| ix.involves(n, u))
            && leader.as_ref().is_none_or(|ls| ls.contains(&k.leader))
            && search
                .as_deref()
                .is_none_or(|q| snap.search_keys[n].contains(q))
            && tag
                .as_deref()
                .is_none_or(|t| snap.rows[n].0.tags.iter().any(|x| x == t))
            && meeting.as_deref().is_none_or(|m| {
                snap.rows[n]
                    .0
                    .extra
                    .get("会议来源")
                    .is_some_and(|x| x.contains(m))
            })
    };
    let per_page = if paged {
        q.per_page.unwrap_or(50).clamp(1, 500)
    } else {
        usize::MAX
    };
    let page = if paged { q.page.unwrap_or(1).max(1) } else { 1 };
    let skip = (page - 1).saturating_mul(per_page);
    let unfiltered = matches!(scope, Scope::All)
        && kind.is_none()
        && stage.is_none()
        && colour.is_none()
        && unit.is_none()
        && leader.is_none()
        && tag.is_none()
        && meeting.is_none()
        && search.is_none();
    let mut rows = Vec::new();
    // Code, name and urgency are kept in order in the snapshot; other columns are sorted
    // here, the matching rows only.
    let total = match (sort, desc) {
        (SortKey::Code, false) => page_of(
            0..snap.rows.len(),
            unfiltered,
            &wanted,
            skip,
            per_page,
            snap,
            &mut rows,
        ),
        (SortKey::Code, true) => page_of(
            (0..snap.rows.len()).rev(),
            unfiltered,
            &wanted,
            skip,
            per_page,
            snap,
            &mut rows,
        ),
        (SortKey::Lag, false) => page_of(
            snap.by_urgency.iter().map(|n| *n as usize),
            unfiltered,
            &wanted,
            skip,
            per_page,
            snap,
            &mut rows,
        ),
        (SortKey::Name, false) => page_of(
            snap.by_name.iter().map(|n| *n as usize),
            unfiltered,
            &wanted,
            skip,
            per_page,
            snap,
            &mut rows,
        ),
        (key, desc) => {
            let mut matched: Vec<usize> = (0..snap.rows.len()).filter(|n| wanted(*n)).collect();
            matched.sort_by(|a, b| {
                let o = key.cmp(snap, *a, *b);
                (if desc { o.reverse() } else { o }).then(a.cmp(b))
            });
            page_of(
                matched.into_iter(),
                true,
                &wanted,
                skip,
                per_page,
                snap,
                &mut rows,
            )
        }
    };
    Ok(Selection {
        rows,
        total,
        page,
        per_page,
    })
}

/// Collects one page of the rows `order` gives that are `wanted`; how many there are in all.
/// Without filters the page is taken directly.
fn page_of<'a>(
    order: impl ExactSizeIterator<Item = usize>,
    unfiltered: bool,
    wanted: &impl Fn(usize) -> bool,
    skip: usize,
    per_page: usize,
    snap: &'a Snapshot,
    rows: &mut Vec<&'a (Item, duban_core::Status)>,
) -> usize {
    if unfiltered {
        let total = order.len();
        rows.extend(order.skip(skip).take(per_page).map(|n| &snap.rows[n]));
        return total;
    }
    let mut total = 0;
    for n in order {
        if wanted(n) {
            if total >= skip && rows.len() < per_page {
                rows.push(&snap.rows[n]);
            }
            total += 1;
        }
    }
    total
}
