//! 报送情况 — who reported a period on time, late (迟报) or not at all (漏报), by lead unit.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use duban_core::{ItemKind, Period, Stage};
use serde::Serialize;

use crate::{Result, Store, StoreError};

/// One unit's reports for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitCompliance {
    pub unit: String,
    pub period: Period,
    /// 应报 — its items that report at the period's cadence (reserve items do not).
    pub required: usize,
    pub on_time: usize,
    pub late: usize,
    /// 漏报 — not reported and past the due date.
    pub missing: usize,
    pub missing_items: Vec<String>,
    /// 报送及时率 in percent, one decimal; `None` when nothing was required ("no data" is not 0%).
    pub on_time_rate: Option<f64>,
}

impl Store {
    /// How every lead unit reported `period`, judged on `as_of`, by unit name.
    pub async fn compliance(
        &self,
        period: Period,
        as_of: NaiveDate,
    ) -> Result<Vec<UnitCompliance>> {
        let calendar = self.calendar().await?;
        if !ItemKind::ALL
            .iter()
            .any(|k| calendar.schedule(*k).cadence == period.cadence())
        {
            return Err(StoreError::Invalid(format!(
                "没有{}填报的事项类型（各类事项的填报周期见填报日历）",
                period.cadence().label()
            )));
        }
        let inputs = self.status_inputs(period.year(), None).await?;
        let mut by_unit: BTreeMap<String, UnitCompliance> = BTreeMap::new();
        for i in inputs.iter().filter(|i| {
            i.item.stage != Some(Stage::Reserve)
                && period.lists(i.listed_on)
                && calendar.schedule(i.item.kind).cadence == period.cadence()
        }) {
            let due = calendar.schedule(i.item.kind).due(period);
            let e = by_unit
                .entry(i.item.lead_unit.clone())
                .or_insert_with(|| UnitCompliance {
                    unit: i.item.lead_unit.clone(),
                    period,
                    required: 0,
                    on_time: 0,
                    late: 0,
                    missing: 0,
                    missing_items: Vec::new(),
                    on_time_rate: None,
                });
            e.required += 1;
            match i.trail.submitted(period) {
                Some(on) if on <= due => e.on_time += 1,
                Some(_) => e.late += 1,
                None if as_of > due => e.missing_items.push(i.item.code.clone()),
                None => {}
            }
        }
        Ok(by_unit
            .into_values()
            .map(|mut u| {
                u.missing = u.missing_items.len();
                u.on_time_rate = (u.on_time * 1000 + u.required / 2)
                    .checked_div(u.required)
                    .map(|r| r as f64 / 10.0);
                u
            })
            .collect())
    }
}
