//! 指标 — region-level economic indicators per period with targets (domain.md §7): each
//! region compared with its target and with the city figure (全市) or, without one, the
//! average of the regions; and ranked.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ranking::{Standing, rank};
use crate::report::Period;

/// 指标 — what is measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// 指标名称 — "规上工业增加值增速".
    pub name: String,
    /// 计量单位 — "%", "亿元", "家".
    pub unit: String,
    /// 越高越好 — false for e.g. energy use per unit of GDP.
    pub higher_is_better: bool,
}

/// One region's figure and target for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub indicator: String,
    /// The region, or the city itself for the city figure (全市).
    pub region: String,
    pub period: Period,
    /// 完成值
    pub value: Option<Decimal>,
    /// 目标值
    pub target: Option<Decimal>,
}

/// How one region stands on one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionStanding {
    pub region: String,
    pub value: Option<Decimal>,
    pub target: Option<Decimal>,
    /// 与目标差 — value − target, in the indicator's unit.
    pub vs_target: Option<Decimal>,
    /// 与全市差 — value − the city figure (or the average).
    pub vs_city: Option<Decimal>,
    pub rank: Option<usize>,
}

impl RegionStanding {
    /// Whether the region is worse than its target.
    pub fn below_target(&self, ind: &Indicator) -> bool {
        self.vs_target.is_some_and(|d| worse(d, ind))
    }

    /// Whether the region is worse than the city figure (or the average).
    pub fn below_city(&self, ind: &Indicator) -> bool {
        self.vs_city.is_some_and(|d| worse(d, ind))
    }
}

fn worse(diff: Decimal, ind: &Indicator) -> bool {
    if ind.higher_is_better {
        diff.is_sign_negative() && !diff.is_zero()
    } else {
        diff > Decimal::ZERO
    }
}

/// One indicator for one period across the regions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorComparison {
    pub indicator: Indicator,
    pub period: Period,
    /// The figure regions are compared with.
    pub city: Option<Decimal>,
    /// 全市 when the city's own figure was given, 平均 when it is the regions' average.
    pub basis: &'static str,
    pub city_target: Option<Decimal>,
    /// Best first; regions without a figure last.
    pub regions: Vec<RegionStanding>,
}

/// Compares the regions' figures for `period`; `city` names the row holding the city's own
/// figure, if any. Every region in `regions` appears, with or without a figure.
pub fn compare(
    indicator: &Indicator,
    period: Period,
    values: &[IndicatorValue],
    city: &str,
    regions: &[String],
) -> IndicatorComparison {
    let of = |r: &str| {
        values
            .iter()
            .find(|v| v.region == r && v.period == period && v.indicator == indicator.name)
    };
    let figures: Vec<(String, Option<Decimal>)> = regions
        .iter()
        .filter(|r| r.as_str() != city)
        .map(|r| (r.clone(), of(r).and_then(|v| v.value)))
        .collect();
    let own = of(city);
    let (city_figure, basis) = match own.and_then(|v| v.value) {
        Some(v) => (Some(v), "全市"),
        None => {
            let known: Vec<Decimal> = figures.iter().filter_map(|(_, v)| *v).collect();
            let avg = (!known.is_empty()).then(|| {
                (known.iter().sum::<Decimal>() / Decimal::from(known.len() as u64)).round_dp(2)
            });
            (avg, "平均")
        }
    };
    let standings: Vec<Standing> = rank(&figures, indicator.higher_is_better);
    let regions = standings
        .into_iter()
        .map(|s| {
            let target = of(&s.unit).and_then(|v| v.target);
            RegionStanding {
                vs_target: s.value.zip(target).map(|(v, t)| v - t),
                vs_city: s.value.zip(city_figure).map(|(v, c)| v - c),
                region: s.unit,
                value: s.value,
                target,
                rank: s.rank,
            }
        })
        .collect();
    IndicatorComparison {
        indicator: indicator.clone(),
        period,
        city: city_figure,
        basis,
        city_target: own.and_then(|v| v.target),
        regions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(region: &str, value: Option<&str>, target: Option<&str>) -> IndicatorValue {
        IndicatorValue {
            indicator: "规上工业增加值增速".into(),
            region: region.into(),
            period: Period::month(2025, 6).unwrap(),
            value: value.map(|x| x.parse().unwrap()),
            target: target.map(|x| x.parse().unwrap()),
        }
    }

    fn growth() -> Indicator {
        Indicator {
            name: "规上工业增加值增速".into(),
            unit: "%".into(),
            higher_is_better: true,
        }
    }

    #[test]
    fn compared_with_the_average_when_the_city_gives_none() {
        let regions: Vec<String> = ["示范市", "A县", "B县", "C县", "D县"]
            .map(String::from)
            .into();
        let values = [
            v("A县", Some("6.0"), Some("6.5")),
            v("B县", Some("8.0"), Some("7.0")),
            v("C县", Some("7.0"), None),
        ];
        let c = compare(
            &growth(),
            Period::month(2025, 6).unwrap(),
            &values,
            "示范市",
            &regions,
        );
        assert_eq!(c.basis, "平均");
        assert_eq!(c.city, Some("7".parse().unwrap()));
        let names: Vec<(&str, Option<usize>)> = c
            .regions
            .iter()
            .map(|r| (r.region.as_str(), r.rank))
            .collect();
        assert_eq!(
            names,
            [
                ("B县", Some(1)),
                ("C县", Some(2)),
                ("A县", Some(3)),
                ("D县", None)
            ]
        );
        let ind = growth();
        let below: Vec<&str> = c
            .regions
            .iter()
            .filter(|r| r.below_city(&ind))
            .map(|r| r.region.as_str())
            .collect();
        assert_eq!(below, ["A县"]);
        let short: Vec<&str> = c
            .regions
            .iter()
            .filter(|r| r.below_target(&ind))
            .map(|r| r.region.as_str())
            .collect();
        assert_eq!(short, ["A县"], "C县 has no target, D县 no figure");
        assert_eq!(c.regions[2].vs_target, Some("-0.5".parse().unwrap()));
    }

    #[test]
    fn the_city_figure_wins_and_lower_can_be_better() {
        let regions: Vec<String> = ["示范市", "A县", "B县"].map(String::from).into();
        let values = [
            v("示范市", Some("5.0"), Some("5.5")),
            v("A县", Some("4.0"), None),
            v("B县", Some("6.0"), None),
        ];
        let energy = Indicator {
            name: "规上工业增加值增速".into(),
            unit: "%".into(),
            higher_is_better: false,
        };
        let c = compare(
            &energy,
            Period::month(2025, 6).unwrap(),
            &values,
            "示范市",
            &regions,
        );
        assert_eq!((c.basis, c.city), ("全市", Some("5.0".parse().unwrap())));
        assert_eq!(c.regions[0].region, "A县", "lower is better here");
        assert!(
            c.regions[1].below_city(&energy),
            "B县 is above the city on a lower-is-better indicator"
        );
        assert!(!c.regions[0].below_city(&energy));
    }
}
