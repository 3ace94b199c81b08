//! 项目列 — the one table of an item's stored columns. The select list, the column list of
//! inserts and updates, the row mapper and the bound values are all derived from `COLUMNS`;
//! adding a field to items is one row here (the other places are listed in ARCHITECTURE.md,
//! "Adding a field to items").

use std::sync::LazyLock;

use duban_core::{Item, ItemKind, Leader, Level, MonthlyPlan, Nature, PlanDate, Stage, Wan};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::Val;
use crate::{Result, StoreError};

/// Ids of the units and the leader an item refers to.
pub(crate) struct ItemRefs {
    pub region: Option<i64>,
    pub lead: i64,
    pub leader: Option<i64>,
}

/// One stored field of an item.
pub(crate) struct ItemColumn {
    /// The column of `items` written (`None`: read through a join only).
    pub column: Option<&'static str>,
    /// What the select list reads for it.
    pub select: &'static str,
    /// Sets the field from a row.
    pub read: fn(&AnyRow, &mut Item) -> Result<()>,
    /// The value written.
    pub write: fn(&Item, &ItemRefs) -> Val,
}

fn corrupt(col: &str, e: impl ToString) -> StoreError {
    StoreError::corrupt(format!("items.{col}"), e)
}

fn parsed<T>(r: &AnyRow, col: &str, f: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| f(&s).map_err(|e| corrupt(col, e))).transpose()
}

fn json<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<T> {
    let s: String = r.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| corrupt(col, e))
}

fn money(r: &AnyRow, col: &str) -> Result<Option<Wan>> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(Wan::from_yuan))
}

/// A free-text field stored as itself.
macro_rules! text {
    ($field:ident) => {
        ItemColumn {
            column: Some(stringify!($field)),
            select: concat!("i.", stringify!($field)),
            read: |r, i| {
                i.$field = r.try_get(stringify!($field))?;
                Ok(())
            },
            write: |i, _| Val::Text(i.$field.clone()),
        }
    };
}

/// A field of a closed set stored by its code (`Nature`, `Level`, `Stage`).
macro_rules! coded {
    ($field:ident, $ty:ty) => {
        ItemColumn {
            column: Some(stringify!($field)),
            select: concat!("i.", stringify!($field)),
            read: |r, i| {
                i.$field = parsed(r, stringify!($field), |s| {
                    <$ty>::parse(s).map_err(|e| e.to_string())
                })?;
                Ok(())
            },
            write: |i, _| Val::Text(i.$field.map(|v| v.code().to_string())),
        }
    };
}

/// 万元 stored as whole yuan.
macro_rules! money {
    ($field:ident) => {
        ItemColumn {
            column: Some(stringify!($field)),
            select: concat!("i.", stringify!($field)),
            read: |r, i| {
                i.$field = money(r, stringify!($field))?;
                Ok(())
            },
            write: |i, _| Val::Int(i.$field.map(Wan::yuan)),
        }
    };
}

/// A month or a day, stored as ISO text (`2025-03`, `2025-03-15`).
macro_rules! plan_date {
    ($field:ident) => {
        ItemColumn {
            column: Some(stringify!($field)),
            select: concat!("i.", stringify!($field)),
            read: |r, i| {
                i.$field = parsed(r, stringify!($field), |s| {
                    PlanDate::parse(s).map_err(|e| e.to_string())
                })?;
                Ok(())
            },
            write: |i, _| Val::Text(i.$field.map(|d| d.to_string())),
        }
    };
}

/// A list or map stored as JSON text.
macro_rules! json {
    ($field:ident, $empty:literal) => {
        ItemColumn {
            column: Some(stringify!($field)),
            select: concat!("i.", stringify!($field)),
            read: |r, i| {
                i.$field = json(r, stringify!($field))?;
                Ok(())
            },
            write: |i, _| {
                serde_json::to_string(&i.$field)
                    .unwrap_or_else(|_| $empty.into())
                    .into()
            },
        }
    };
}

/// Every stored field of an item, in write order. Co-operating units live in their own table
/// (`item_co_units`), milestones in theirs.
pub(crate) static COLUMNS: &[ItemColumn] = &[
    ItemColumn {
        column: Some("code"),
        select: "i.code",
        read: |r, i| {
            i.code = r.try_get("code")?;
            Ok(())
        },
        write: |i, _| i.code.as_str().into(),
    },
    ItemColumn {
        column: Some("year"),
        select: "i.year",
        read: |r, i| {
            i.year = i32::try_from(r.try_get::<i64, _>("year")?).map_err(|e| corrupt("year", e))?;
            Ok(())
        },
        write: |i, _| i64::from(i.year).into(),
    },
    ItemColumn {
        column: Some("kind"),
        select: "i.kind",
        read: |r, i| {
            let kind: String = r.try_get("kind")?;
            i.kind = ItemKind::parse(&kind).map_err(|e| corrupt("kind", e))?;
            Ok(())
        },
        write: |i, _| i.kind.code().into(),
    },
    ItemColumn {
        column: Some("name"),
        select: "i.name",
        read: |r, i| {
            i.name = r.try_get("name")?;
            Ok(())
        },
        write: |i, _| i.name.as_str().into(),
    },
    text!(owner),
    coded!(nature, Nature),
    text!(location),
    text!(scale),
    text!(category),
    coded!(level, Level),
    coded!(stage, Stage),
    money!(total_investment),
    money!(annual_plan),
    ItemColumn {
        column: Some("monthly_plan"),
        select: "i.monthly_plan",
        read: |r, i| {
            let monthly: Option<String> = r.try_get("monthly_plan")?;
            i.monthly_plan = monthly
                .map(|s| {
                    serde_json::from_str::<Vec<i64>>(&s)
                        .map(|v| MonthlyPlan(v.into_iter().map(Wan::from_yuan).collect()))
                })
                .transpose()
                .map_err(|e| corrupt("monthly_plan", e))?;
            Ok(())
        },
        write: |i, _| {
            Val::Text(i.monthly_plan.as_ref().map(|p| {
                serde_json::to_string(&p.0.iter().map(|w| w.yuan()).collect::<Vec<_>>())
                    .unwrap_or_default()
            }))
        },
    },
    plan_date!(planned_start),
    plan_date!(planned_end),
    ItemColumn {
        column: Some("region_id"),
        select: "r.name AS region_name",
        read: |r, i| {
            i.region = r.try_get("region_name")?;
            Ok(())
        },
        write: |_, refs| refs.region.into(),
    },
    ItemColumn {
        column: Some("lead_unit_id"),
        select: "l.name AS lead_name",
        read: |r, i| {
            i.lead_unit = r.try_get("lead_name")?;
            Ok(())
        },
        write: |_, refs| refs.lead.into(),
    },
    ItemColumn {
        column: Some("leader_id"),
        select: "ld.name AS leader_name, ld.title AS leader_title",
        read: |r, i| {
            let name: Option<String> = r.try_get("leader_name")?;
            i.leader = name.map(|name| Leader {
                name,
                title: r
                    .try_get::<Option<String>, _>("leader_title")
                    .ok()
                    .flatten()
                    .filter(|t| !t.is_empty()),
            });
            Ok(())
        },
        write: |_, refs| refs.leader.into(),
    },
    ItemColumn {
        column: Some("in_statistics"),
        select: "i.in_statistics",
        read: |r, i| {
            i.in_statistics = r
                .try_get::<Option<i64>, _>("in_statistics")?
                .map(|v| v != 0);
            Ok(())
        },
        write: |i, _| Val::Int(i.in_statistics.map(i64::from)),
    },
    json!(tags, "[]"),
    text!(notes),
    json!(extra, "{}"),
];

/// The columns written for an item, in the order of [`values`], ending with `updated_at`.
pub(crate) static WRITTEN: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    COLUMNS
        .iter()
        .filter_map(|c| c.column)
        .chain(["updated_at"])
        .collect()
});

/// `SELECT …` of every item field with its units and leader joined (the id first).
pub(crate) static SELECT: LazyLock<String> = LazyLock::new(|| {
    let list: Vec<&str> = COLUMNS.iter().map(|c| c.select).collect();
    format!(
        "SELECT i.id, {} FROM items i JOIN units l ON l.id = i.lead_unit_id \
         LEFT JOIN units r ON r.id = i.region_id LEFT JOIN leaders ld ON ld.id = i.leader_id",
        list.join(", ")
    )
});

/// Reads one item row (without its co-operating units) and its id.
pub(crate) fn item_from_row(r: &AnyRow) -> Result<(i64, Item)> {
    let mut item = Item::new(0, ItemKind::Project, "", "");
    for c in COLUMNS {
        (c.read)(r, &mut item)?;
    }
    Ok((r.try_get("id")?, item))
}

/// The values of [`WRITTEN`] for `item`, stamped `now`.
pub(crate) fn values(item: &Item, refs: &ItemRefs, now: &str) -> Vec<Val> {
    COLUMNS
        .iter()
        .filter(|c| c.column.is_some())
        .map(|c| (c.write)(item, refs))
        .chain([now.into()])
        .collect()
}
