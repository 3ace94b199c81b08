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
    /// 排序: code|lag|name
    pub sort: Option<String>,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
    /// 统计日期 YYYY-MM-DD (default today)
    #[param(value_type = Option<String>)]
    pub as_of: Option<NaiveDate>,
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
    let unit = blank(&q.unit).map(|u| ix.unit(&u));
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
            && search
                .as_deref()
                .is_none_or(|q| snap.search_keys[n].contains(q))
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
        && search.is_none();
    let mut rows = Vec::new();
    let total = match q.sort.as_deref() {
        Some("lag") => page_of(
            snap.by_urgency.iter().map(|n| *n as usize),
            unfiltered,
            &wanted,
            skip,
            per_page,
            snap,
            &mut rows,
        ),
        Some("name") => page_of(
            snap.by_name.iter().map(|n| *n as usize),
            unfiltered,
            &wanted,
            skip,
            per_page,
            snap,
            &mut rows,
        ),
        _ => page_of(
            0..snap.rows.len(),
            unfiltered,
            &wanted,
            skip,
            per_page,
            snap,
            &mut rows,
        ),
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
