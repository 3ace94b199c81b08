//! 项目/事项 — the items of the ledger (台账): key projects, key work, livelihood projects
//! and investment-attraction projects.

use crate::stated::StatedFields;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::PlanDate;
use crate::leader::Leader;
use crate::money::Wan;

crate::labelled_enum! {
    /// 事项类型 — what kind of item this is.
    pub enum ItemKind ("事项类型") {
        /// 重点项目 — a key (construction) project.
        Project = "project", "重点项目", ["项目", "重大项目", "重点建设项目"],
        /// 重点工作 — a key task without construction.
        Task = "task", "重点工作", ["工作", "重点任务", "任务"],
        /// 民生实事 — a livelihood project promised to citizens.
        Livelihood = "livelihood", "民生实事", ["民生项目", "为民办实事", "民生工程"],
        /// 招商项目 — an investment-attraction project.
        Investment = "investment", "招商项目", ["招商引资项目", "招商引资"],
    }
}

impl ItemKind {
    /// The prefix of generated item codes.
    pub fn code_prefix(self) -> &'static str {
        match self {
            ItemKind::Project => "XM",
            ItemKind::Task => "GZ",
            ItemKind::Livelihood => "MS",
            ItemKind::Investment => "ZS",
        }
    }

    /// Finds a kind named in a sheet title ("2025年民生实事台账").
    pub fn find_in_title(title: &str) -> Option<ItemKind> {
        let t = crate::text::compact(title);
        ItemKind::ALL
            .iter()
            .copied()
            .find(|k| t.contains(k.label()))
    }
}

crate::labelled_enum! {
    /// 建设性质 — new, continued, expansion or renovation.
    pub enum Nature ("建设性质") {
        /// 新建
        New = "new", "新建", ["新开工"],
        /// 续建
        Continued = "continued", "续建", ["续建项目"],
        /// 扩建
        Expansion = "expansion", "扩建", [],
        /// 改建
        Renovation = "renovation", "改建", ["改扩建", "技改", "技术改造", "提标改造"],
    }
}

crate::labelled_enum! {
    /// 项目级别 — whose key list the item is on.
    pub enum Level ("项目级别") {
        /// 省重点
        Provincial = "provincial", "省重点", ["省级", "省级重点", "省重点项目", "省级重点项目"],
        /// 市重点
        Municipal = "municipal", "市重点", ["市级", "市级重点", "市重点项目", "市级重点项目"],
        /// 县重点
        County = "county", "县重点", ["县级", "县级重点", "县重点项目", "区重点", "县级重点项目", "县区重点"],
    }
}

crate::labelled_enum! {
    /// 项目阶段 — where the item stands in the pipeline 储备 → 投产.
    pub enum Stage ("项目阶段") {
        /// 储备 — in reserve.
        Reserve = "reserve", "储备", ["储备项目", "谋划", "谋划储备"],
        /// 前期 — preparation: approvals, land, funds.
        Preparation = "preparation", "前期", ["前期项目", "前期工作", "预备"],
        /// 拟开工 — to start (新开工).
        ToStart = "to_start", "拟开工", ["新开工", "计划新开工", "待开工", "未开工"],
        /// 在建 — under construction (续建).
        UnderConstruction = "under_construction", "在建", ["续建", "在建项目", "施工", "建设中", "已开工"],
        /// 竣工 — completed.
        Completed = "completed", "竣工", ["建成", "已竣工", "完工", "竣工验收"],
        /// 投产 — in operation (投用).
        InOperation = "in_operation", "投产", ["投用", "投运", "运营", "达产", "已投产"],
    }
}

/// 月度计划 — the cumulative planned investment by the end of each month (1–12月累计).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MonthlyPlan(pub Vec<Wan>);

/// Declares [`Item`] with, for each field a ledger may or may not carry, its [`ItemField`]
/// (`[Variant]` before the field) and what a re-import of a narrower sheet keeps: adding a
/// field to items is one line here. Code, name, lead unit and the extra columns identify the
/// item or are kept otherwise, and have no `ItemField`.
macro_rules! item {
    (
        $(#[$attr:meta])*
        pub struct Item {
            $( $(#[$fattr:meta])* $([$variant:ident])? pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$attr])*
        pub struct Item {
            $( $(#[$fattr])* pub $field: $ty, )*
        }

        /// A field of an item that a ledger may or may not carry. Code, name and lead unit
        /// identify the item and are always stated.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ItemField {
            $( $($variant,)? )*
        }

        impl Item {
            /// Takes from `stored` every field with an [`ItemField`] that `stated` does not state.
            pub(crate) fn keep_unstated_fields(&mut self, stored: &Item, stated: &StatedFields) {
                $( $( if !stated.states(ItemField::$variant) { self.$field = stored.$field.clone(); } )? )*
            }
        }
    };
}

item! {
/// 项目/事项 — one line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// 项目编号 — unique; empty until the store assigns one to an imported item without a code.
    pub code: String,
    /// 年度 — stated by a column, the title or the caller; otherwise a re-import keeps it.
    [Year] pub year: i32,
    /// 事项类型 — likewise.
    [Kind] pub kind: ItemKind,
    /// 项目名称
    pub name: String,
    /// 建设单位/项目业主
    #[serde(default)]
    [Owner] pub owner: Option<String>,
    /// 建设性质
    #[serde(default)]
    [Nature] pub nature: Option<Nature>,
    /// 建设地点
    #[serde(default)]
    [Location] pub location: Option<String>,
    /// 建设规模及内容
    #[serde(default)]
    [Scale] pub scale: Option<String>,
    /// 项目类别 — 产业/基础设施/社会民生/生态环保 or the city's own.
    #[serde(default)]
    [Category] pub category: Option<String>,
    /// 项目级别
    #[serde(default)]
    [Level] pub level: Option<Level>,
    /// 项目阶段
    #[serde(default)]
    [Stage] pub stage: Option<Stage>,
    /// 总投资（万元）
    #[serde(default)]
    [TotalInvestment] pub total_investment: Option<Wan>,
    /// 年度计划投资（万元）
    #[serde(default)]
    [AnnualPlan] pub annual_plan: Option<Wan>,
    /// 1–12月累计计划投资（万元）
    #[serde(default)]
    [MonthlyPlan] pub monthly_plan: Option<MonthlyPlan>,
    /// 计划开工时间 — a month or a day.
    #[serde(default)]
    [PlannedStart] pub planned_start: Option<PlanDate>,
    /// 计划竣工时间 — a month or a day.
    #[serde(default)]
    [PlannedEnd] pub planned_end: Option<PlanDate>,
    /// 所属区域 — the region (县区) the item counts for in regional rankings.
    #[serde(default)]
    [Region] pub region: Option<String>,
    /// 牵头单位/责任单位 — the lead responsible unit.
    pub lead_unit: String,
    /// 配合单位 — co-operating units.
    #[serde(default)]
    [CoUnits] pub co_units: Vec<String>,
    /// 包抓领导
    #[serde(default)]
    [Leader] pub leader: Option<Leader>,
    /// 是否纳入统计 — registered in the statistics system (入统/入库).
    #[serde(default)]
    [InStatistics] pub in_statistics: Option<bool>,
    /// 标签
    #[serde(default)]
    [Tags] pub tags: Vec<String>,
    /// 备注
    #[serde(default)]
    [Notes] pub notes: Option<String>,
    /// 其他列 — columns of an imported ledger that duban has no field for, kept as written.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}
}

/// A field-level complaint about an item, named by its ledger header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's Chinese header, e.g. "年度计划投资".
    pub field: &'static str,
    pub message: String,
}

impl Item {
    /// Takes control characters out of every text field (`text::without_controls`): what
    /// every write of an item does first, whatever the source (a sheet, a form, the API).
    pub fn strip_controls(&mut self) {
        fn clean(s: &mut String) {
            if let std::borrow::Cow::Owned(c) = crate::text::without_controls(s) {
                *s = c;
            }
        }
        for s in [&mut self.code, &mut self.name, &mut self.lead_unit] {
            clean(s);
        }
        for s in [
            &mut self.owner,
            &mut self.location,
            &mut self.scale,
            &mut self.category,
            &mut self.region,
            &mut self.notes,
        ]
        .into_iter()
        .flatten()
        {
            clean(s);
        }
        self.co_units
            .iter_mut()
            .chain(&mut self.tags)
            .for_each(clean);
        if let Some(l) = &mut self.leader {
            clean(&mut l.name);
            l.title.iter_mut().for_each(clean);
        }
        if self.extra.iter().any(|(k, v)| {
            matches!(crate::text::without_controls(k), std::borrow::Cow::Owned(_))
                || matches!(crate::text::without_controls(v), std::borrow::Cow::Owned(_))
        }) {
            self.extra = std::mem::take(&mut self.extra)
                .into_iter()
                .map(|(k, v)| {
                    (
                        crate::text::without_controls(&k).into_owned(),
                        crate::text::without_controls(&v).into_owned(),
                    )
                })
                .collect();
        }
    }

    /// A minimal item; the rest of the fields are empty.
    pub fn new(
        year: i32,
        kind: ItemKind,
        name: impl Into<String>,
        lead_unit: impl Into<String>,
    ) -> Item {
        Item {
            code: String::new(),
            year,
            kind,
            name: name.into(),
            owner: None,
            nature: None,
            location: None,
            scale: None,
            category: None,
            level: None,
            stage: None,
            total_investment: None,
            annual_plan: None,
            monthly_plan: None,
            planned_start: None,
            planned_end: None,
            region: None,
            lead_unit: lead_unit.into(),
            co_units: Vec::new(),
            leader: None,
            in_statistics: None,
            tags: Vec::new(),
            notes: None,
            extra: BTreeMap::new(),
        }
    }

    /// The rules every item must satisfy, each broken rule named by field.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut bad =
            |field: &'static str, message: String| out.push(FieldProblem { field, message });
        if self.name.trim().is_empty() {
            bad("项目名称", "项目名称不能为空".into());
        }
        if self.lead_unit.trim().is_empty() {
            bad(
                "责任单位",
                "责任单位不能为空（每个项目都要有一个牵头/责任单位）".into(),
            );
        }
        if !crate::date::YEARS.contains(&self.year) {
            bad("年度", format!("年度 {} 不在 2000–2100 之间", self.year));
        }
        if let (Some(total), Some(annual)) = (self.total_investment, self.annual_plan)
            && annual > total
        {
            bad(
                "年度计划投资",
                format!("年度计划投资 {annual} 万元超过总投资 {total} 万元"),
            );
        }
        if let (Some(s), Some(e)) = (self.planned_start, self.planned_end)
            && e.last_day() < s.first_day()
        {
            bad(
                "计划竣工时间",
                format!("计划竣工时间 {e} 早于计划开工时间 {s}"),
            );
        }
        if let Some(plan) = &self.monthly_plan {
            if plan.0.len() != 12 {
                bad(
                    "月度计划",
                    format!("月度计划应有 12 个月，实有 {} 个", plan.0.len()),
                );
            } else if let Some(m) = plan.0.windows(2).position(|w| w[1] < w[0]) {
                bad(
                    "月度计划",
                    format!(
                        "1–{}月累计计划 {} 少于 1–{}月的 {}",
                        m + 2,
                        plan.0[m + 1],
                        m + 1,
                        plan.0[m]
                    ),
                );
            } else if let (Some(annual), Some(dec)) = (self.annual_plan, plan.0.last())
                && *dec > annual
            {
                bad(
                    "月度计划",
                    format!("1–12月累计计划 {dec} 万元超过年度计划投资 {annual} 万元"),
                );
            }
        }
        if self.co_units.iter().any(|u| u == &self.lead_unit) {
            bad(
                "配合单位",
                format!("“{}”既是牵头单位又是配合单位", self.lead_unit),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MoneyUnit;

    fn wan(s: &str) -> Wan {
        Wan::parse(s, MoneyUnit::Wan).unwrap()
    }

    #[test]
    fn stage_aliases_of_real_ledgers() {
        assert_eq!(Stage::parse("续建").unwrap(), Stage::UnderConstruction);
        assert_eq!(Stage::parse("新开工").unwrap(), Stage::ToStart);
        assert_eq!(Stage::parse("投用").unwrap(), Stage::InOperation);
        assert_eq!(
            Stage::parse("under_construction").unwrap(),
            Stage::UnderConstruction
        );
        assert!(
            Stage::parse("快完了")
                .unwrap_err()
                .to_string()
                .contains("储备、前期、拟开工、在建、竣工、投产")
        );
    }

    #[test]
    fn json_uses_stable_codes() {
        assert_eq!(
            serde_json::to_string(&ItemKind::Livelihood).unwrap(),
            "\"livelihood\""
        );
        assert_eq!(
            serde_json::to_string(&Level::Provincial).unwrap(),
            "\"provincial\""
        );
    }

    #[test]
    fn annual_plan_cannot_exceed_total() {
        let mut item = Item::new(2025, ItemKind::Project, "某项目", "甲县");
        item.total_investment = Some(wan("100"));
        item.annual_plan = Some(wan("120"));
        let problems = item.validate();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "年度计划投资");
        item.annual_plan = Some(wan("100"));
        assert!(item.validate().is_empty());
    }

    #[test]
    fn end_before_start_and_empty_lead_unit() {
        let mut item = Item::new(2025, ItemKind::Project, "某项目", "");
        item.planned_start = Some(PlanDate::parse("2025-06").unwrap());
        item.planned_end = Some(PlanDate::parse("2025-05-31").unwrap());
        let fields: Vec<_> = item.validate().iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["责任单位", "计划竣工时间"]);
        item.planned_end = Some(PlanDate::parse("2025-06").unwrap());
        item.lead_unit = "甲县".into();
        assert!(item.validate().is_empty());
    }

    #[test]
    fn monthly_plan_must_be_cumulative() {
        let mut item = Item::new(2025, ItemKind::Project, "某项目", "甲县");
        let mut months: Vec<Wan> = (1..=12).map(|m| wan(&(m * 10).to_string())).collect();
        item.annual_plan = Some(wan("120"));
        item.monthly_plan = Some(MonthlyPlan(months.clone()));
        assert!(item.validate().is_empty());
        months[5] = wan("10");
        item.monthly_plan = Some(MonthlyPlan(months));
        assert_eq!(item.validate()[0].field, "月度计划");
    }

    #[test]
    fn kind_found_in_titles() {
        assert_eq!(
            ItemKind::find_in_title("2025年全市民生实事台账"),
            Some(ItemKind::Livelihood)
        );
        assert_eq!(
            ItemKind::find_in_title("2025年重点项目推进表"),
            Some(ItemKind::Project)
        );
        assert_eq!(ItemKind::find_in_title("台账"), None);
    }
}
