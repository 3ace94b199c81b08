//! 指标 — indicator definitions and their region × period values and targets; an import
//! writes all its rows or none.

use duban_core::Period;
use duban_core::indicator::{Indicator, IndicatorValue};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::audit::{self, AuditRecord};
use crate::units::UnitDirectory;
use crate::{Result, Store, StoreError};

/// An indicator value to import and where it came from ("指标.xlsx 工作表“指标” 第5行").
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub source: String,
    pub value: IndicatorValue,
}

/// What an indicator import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IndicatorImport {
    /// 新定义的指标
    pub new_indicators: Vec<String>,
    /// 写入的数值
    pub values: usize,
}

fn decimal(text: Option<String>, what: &str) -> Result<Option<Decimal>> {
    text.map(|t| {
        t.parse::<Decimal>()
            .map_err(|e| StoreError::corrupt(format!("indicator_values.{what}"), e))
    })
    .transpose()
}

/// Every indicator's definition.
const INDICATORS: &str = "SELECT name, unit, higher_is_better FROM indicators";

/// A row of [`INDICATORS`], as stored.
#[derive(sqlx::FromRow)]
struct IndicatorDefRow {
    name: String,
    unit: String,
    higher_is_better: i64,
}

impl From<IndicatorDefRow> for Indicator {
    fn from(r: IndicatorDefRow) -> Indicator {
        Indicator {
            name: r.name,
            unit: r.unit,
            higher_is_better: r.higher_is_better != 0,
        }
    }
}

/// Every value with its indicator's and region's names.
const VALUES: &str = "SELECT i.name AS indicator, u.name AS region, v.period, v.value, v.target \
    FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN units u ON u.id = v.unit_id";

/// A row of [`VALUES`], as stored.
#[derive(sqlx::FromRow)]
struct IndicatorValueRow {
    indicator: String,
    region: String,
    period: String,
    value: Option<String>,
    target: Option<String>,
}

impl TryFrom<IndicatorValueRow> for IndicatorValue {
    type Error = StoreError;

    fn try_from(r: IndicatorValueRow) -> Result<IndicatorValue> {
        Ok(IndicatorValue {
            indicator: r.indicator,
            region: r.region,
            period: Period::parse(&r.period)
                .map_err(|e| StoreError::corrupt("indicator_values.period", e))?,
            value: decimal(r.value, "value")?,
            target: decimal(r.target, "target")?,
        })
    }
}

impl Store {
    /// Every indicator, in the order defined.
    pub async fn indicators(&self) -> Result<Vec<Indicator>> {
        let sql = format!("{INDICATORS} ORDER BY id");
        Ok(
            sqlx::query_as::<_, IndicatorDefRow>(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(Indicator::from)
                .collect(),
        )
    }

    /// Values of every indicator (of one period), by indicator, period and region.
    pub async fn indicator_values(&self, period: Option<Period>) -> Result<Vec<IndicatorValue>> {
        let mut sql = String::from(VALUES);
        if period.is_some() {
            sql.push_str(" WHERE v.period = $1");
        }
        sql.push_str(" ORDER BY i.id, v.period, u.sort_order, u.id");
        let mut q = sqlx::query_as::<_, IndicatorValueRow>(sqlx::AssertSqlSafe(sql));
        if let Some(p) = period {
            q = q.bind(p.to_string());
        }
        q.fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(IndicatorValue::try_from)
            .collect()
    }

    /// Defines the indicators in `defs` not known yet and writes `rows` (replacing the value
    /// and target a region already had for that indicator and period). Every region must be
    /// in the unit directory (by name or alias) and every indicator defined; otherwise
    /// nothing is written and the error names each bad row.
    pub async fn import_indicators(
        &self,
        actor: &str,
        defs: &[Indicator],
        rows: &[IndicatorRow],
    ) -> Result<IndicatorImport> {
        self.import_indicators_checked(actor, defs, rows, false)
            .await
    }

    /// As `import_indicators`; with `dry_run` everything is checked and written, then rolled
    /// back, so the answer is exactly what a real import would do.
    pub async fn import_indicators_checked(
        &self,
        actor: &str,
        defs: &[Indicator],
        rows: &[IndicatorRow],
        dry_run: bool,
    ) -> Result<IndicatorImport> {
        // Read before the transaction takes its connection: never one held while waiting for
        // another.
        let known = self.indicators().await?;
        let mut tx = self.write_tx().await?;
        let dir = UnitDirectory::load(&mut tx).await?;
        let mut errors = Vec::new();
        let mut resolved = Vec::with_capacity(rows.len());
        let mut seen: std::collections::HashMap<(&str, &str, Period), &str> = Default::default();
        for r in rows {
            let v = &r.value;
            let key = (v.indicator.as_str(), v.region.as_str(), v.period);
            if let Some(first) = seen.insert(key, r.source.as_str()) {
                errors.push(format!(
                    "{}：{}{}“{}”的数值与{}重复（同一指标、地区和期间只能有一行）",
                    r.source,
                    v.region,
                    v.period.label(),
                    v.indicator,
                    first
                ));
            }
            if !known.iter().chain(defs).any(|i| i.name == v.indicator) {
                errors.push(format!(
                    "{}：指标“{}”未定义（在“指标”列或工作表名中给出名称）",
                    r.source, v.indicator
                ));
            }
            match dir.canonical(&v.region).and_then(|c| dir.id(c)) {
                Some(id) => resolved.push((id, v)),
                None => errors.push(format!(
                    "{}：地区“{}”不在单位名录中（先在单位名录中添加，或改用名录中的名称或简称）",
                    r.source, v.region
                )),
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(format!(
                "指标导入未写入任何数据，共 {} 处错误：\n{}",
                errors.len(),
                errors.join("\n")
            )));
        }
        let at = audit::now();
        let mut out = IndicatorImport::default();
        for d in defs
            .iter()
            .filter(|d| !known.iter().any(|k| k.name == d.name))
        {
            if out.new_indicators.contains(&d.name) {
                continue;
            }
            sqlx::query(
                "INSERT INTO indicators (name, unit, higher_is_better) VALUES ($1, $2, $3)",
            )
            .bind(&d.name)
            .bind(&d.unit)
            .bind(i64::from(d.higher_is_better))
            .execute(&mut *tx)
            .await?;
            out.new_indicators.push(d.name.clone());
        }
        let mut audits = Vec::new();
        for (unit_id, v) in resolved {
            let id: i64 = sqlx::query_scalar("SELECT id FROM indicators WHERE name = $1")
                .bind(&v.indicator)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO indicator_values (indicator_id, unit_id, period, value, target) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (indicator_id, unit_id, period) DO UPDATE SET \
                 value = COALESCE(excluded.value, indicator_values.value), \
                 target = COALESCE(excluded.target, indicator_values.target)",
            )
            .bind(id)
            .bind(unit_id)
            .bind(v.period.to_string())
            .bind(v.value.map(|d| d.to_string()))
            .bind(v.target.map(|d| d.to_string()))
            .execute(&mut *tx)
            .await?;
            out.values += 1;
            audits.push(AuditRecord::new(
                actor,
                &at,
                "import",
                "indicator_value",
                &format!("{}/{}/{}", v.indicator, v.region, v.period),
                None,
                Some(format!(
                    "完成值 {}，目标值 {}",
                    v.value.map_or("—".into(), |d| d.to_string()),
                    v.target.map_or("—".into(), |d| d.to_string())
                )),
            ));
        }
        audit::record(&mut tx, audits).await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(out)
    }
}
