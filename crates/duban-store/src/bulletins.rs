//! 通报 — drafting a period's bulletin from the data, issuing it as a stored snapshot, and the
//! settings the office edits for it (排名规则, 下步工作要求).

use chrono::NaiveDate;
use duban_core::bulletin::{self, Bulletin, BulletinFacts, OpenProblem};
use duban_core::indicator::{IndicatorComparison, compare};
use duban_core::ranking::{Measure, RankingRules, ranking, with_published};
use duban_core::rates::Rate;
use duban_core::{Period, ProblemState, Thresholds};
use serde::Serialize;

use crate::audit::{self, AuditRecord};
use crate::{Grouping, Result, Store, StoreError};

const RULES_KEY: &str = "ranking_rules";

fn requirements_key(period: Period) -> String {
    format!("bulletin_requirements:{period}")
}

/// An issued bulletin as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuedBulletin {
    pub period: Period,
    /// 期号 within the year.
    pub number: i64,
    /// When the row was written (UTC, the machine's clock): a record, not what is shown.
    pub issued_at: String,
    pub issued_by: String,
    pub bulletin: Bulletin,
}

impl IssuedBulletin {
    /// 印发日期 — the bulletin's own date (成文日期, the day it was issued): the one date every
    /// page, file and message shows for it, "2025年7月8日".
    pub fn issued_on(&self) -> String {
        self.bulletin.date_text()
    }
}

impl Store {
    /// A setting's value, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets a setting, recorded in the audit trail.
    pub async fn set_setting(&self, actor: &str, key: &str, value: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(key)
        .bind(value)
        .bind(audit::now())
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        let at = audit::now();
        audit::record(
            &mut tx,
            vec![AuditRecord::new(
                actor,
                &at,
                "update",
                "setting",
                key,
                before,
                Some(value.to_string()),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 排名规则 — the office's rules, or the defaults.
    pub async fn ranking_rules(&self) -> Result<RankingRules> {
        match self.setting(RULES_KEY).await? {
            Some(text) => RankingRules::from_toml(&text)
                .map_err(|e| StoreError::corrupt("settings.ranking_rules", e)),
            None => Ok(RankingRules::default()),
        }
    }

    /// Checks and keeps new ranking rules (TOML).
    pub async fn set_ranking_rules(&self, actor: &str, toml: &str) -> Result<RankingRules> {
        let rules = RankingRules::from_toml(toml).map_err(StoreError::Invalid)?;
        self.set_setting(actor, RULES_KEY, toml).await?;
        Ok(rules)
    }

    /// 下步工作要求 drafted for `period` ('' when none yet).
    pub async fn bulletin_requirements(&self, period: Period) -> Result<String> {
        Ok(self
            .setting(&requirements_key(period))
            .await?
            .unwrap_or_default())
    }

    pub async fn set_bulletin_requirements(
        &self,
        actor: &str,
        period: Period,
        text: &str,
    ) -> Result<()> {
        self.set_setting(actor, &requirements_key(period), text.trim())
            .await
    }

    /// The city the ledger is of: the region other regions belong to ("全市" when none).
    pub async fn city_name(&self) -> Result<String> {
        let units = self.units().await?;
        Ok(units
            .iter()
            .filter(|u| u.unit.kind == duban_core::UnitKind::Region)
            .find_map(|u| u.unit.parent.clone())
            .unwrap_or_else(|| "全市".to_string()))
    }

    /// The bulletin for `period` as the data stand on `today`: the issued snapshot if there
    /// is one, else a fresh draft.
    pub async fn bulletin(
        &self,
        period: Period,
        today: NaiveDate,
        th: &Thresholds,
    ) -> Result<Bulletin> {
        if let Some(issued) = self.issued_bulletin(period).await? {
            return Ok(issued.bulletin);
        }
        self.draft_bulletin(period, today, th).await
    }

    /// Writes the bulletin for `period` from the data as they stand on `today`.
    pub async fn draft_bulletin(
        &self,
        period: Period,
        today: NaiveDate,
        th: &Thresholds,
    ) -> Result<Bulletin> {
        let started = std::time::Instant::now();
        let rules = self.ranking_rules().await?;
        // The two long reads at once, on their own connections.
        let (review, escalated) = tokio::join!(
            async {
                let review = self.review(period, rules.lookback(), today, th).await;
                (review, started.elapsed())
            },
            async {
                let escalated = self.escalated_matters(today).await;
                (escalated, started.elapsed())
            }
        );
        tracing::debug!(
            review_ms = review.1.as_millis() as u64,
            escalated_ms = escalated.1.as_millis() as u64,
            "bulletin's figures read"
        );
        let (review, escalated) = (review.0?, escalated.0?);
        let boards: Vec<&[(String, duban_core::rates::Tally)]> = review
            .boards(Grouping::Region)
            .iter()
            .map(|b| b.units.as_slice())
            .collect();
        let mut composite = ranking(&boards, Measure::COMPOSITE, &rules);
        if let Some(published) = self.published_ranks(period).await? {
            composite.standings = with_published(composite.standings, &published);
        }
        let investment = ranking(&boards, Measure::Rate(Rate::Investment), &rules);
        let talk = ranking(&boards, rules.talk.measure, &rules);
        let problems: Vec<OpenProblem> = self
            .problems(&Default::default())
            .await?
            .into_iter()
            .filter(|p| p.state != ProblemState::Closed && (p.listed || p.overdue(today)))
            .map(|p| OpenProblem {
                overdue: p.overdue(today),
                item: p.item_name,
                unit: p.assigned_unit.unwrap_or_else(|| "未交办".into()),
                category: p.category.label().to_string(),
                description: p.description,
                due: p.due,
                listed: p.listed,
            })
            .collect();
        let city = self.city_name().await?;
        let indicators = self.indicator_comparisons(period, &city).await?;
        let requirements = self.bulletin_requirements(period).await?;
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            "bulletin's facts read"
        );
        let board = &review.by_region[0];
        let issuer = format!("{city}人民政府督查室");
        Ok(bulletin::compose(&BulletinFacts {
            city: &city,
            issuer: &issuer,
            period,
            date: today,
            rules: &rules,
            overall: &board.overall,
            regions: &board.units,
            composite: &composite.standings,
            investment: &investment.standings,
            called_in: &talk.called_in,
            red_count: review.red_count,
            red_items: &review.red_items,
            problems: &problems,
            escalated_count: escalated.count,
            escalated: &escalated.longest_overdue,
            indicators: &indicators,
            requirements: &requirements,
        }))
    }

    /// Issues the bulletin for `period` (印发): numbered within its year and stored whole, so
    /// it reads the same later whatever the data become. A period is issued once.
    /// The bulletin's date (成文日期) is the day it is issued: `b` is drafted that day.
    pub async fn issue_bulletin(
        &self,
        actor: &str,
        period: Period,
        mut b: Bulletin,
    ) -> Result<IssuedBulletin> {
        let mut tx = self.write_tx().await?;
        if sqlx::query("SELECT id FROM bulletins WHERE period = $1")
            .bind(period.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Err(StoreError::Invalid(format!(
                "{}的通报已印发，不能重复印发",
                period.label()
            )));
        }
        let year = period.year().to_string();
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bulletins WHERE period LIKE $1")
            .bind(format!("{year}%"))
            .fetch_one(&mut *tx)
            .await?;
        let number = count + 1;
        b.number = Some(format!("{}年第{number}期", period.year()));
        let content = serde_json::to_string(&b).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let at = audit::now();
        sqlx::query("INSERT INTO bulletins (period, number, content, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(period.to_string())
            .bind(number)
            .bind(&content)
            .bind(&at)
            .bind(actor)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                // Issued at the same moment by someone else: the period's row exists now.
                sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Invalid(format!(
                    "{}的通报已印发，不能重复印发",
                    period.label()
                )),
                _ => StoreError::from(e),
            })?;
        audit::record(
            &mut tx,
            vec![AuditRecord::new(
                actor,
                &at,
                "issue",
                "bulletin",
                &period.to_string(),
                None,
                Some(format!(
                    "{}（{}）",
                    b.title,
                    b.number.clone().unwrap_or_default()
                )),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedBulletin {
            period,
            number,
            issued_at: at,
            issued_by: actor.to_string(),
            bulletin: b,
        })
    }

    /// The regions' composite ranks as the bulletin of the period before `period` (in the same
    /// year) published them, if it was issued.
    pub async fn published_ranks(
        &self,
        period: Period,
    ) -> Result<Option<Vec<(String, Option<usize>)>>> {
        let before = period.previous();
        if before.year() != period.year() {
            return Ok(None);
        }
        Ok(self
            .issued_bulletin(before)
            .await?
            .map(|i| i.bulletin.ranks)
            .filter(|r| !r.is_empty()))
    }

    /// Drafts the bulletin of `period` from the data as they stand on `today` and issues it.
    pub async fn issue_current(
        &self,
        actor: &str,
        period: Period,
        today: NaiveDate,
        th: &Thresholds,
    ) -> Result<IssuedBulletin> {
        let draft = self.draft_bulletin(period, today, th).await?;
        self.issue_bulletin(actor, period, draft).await
    }

    /// The issued bulletin of `period`, if issued.
    pub async fn issued_bulletin(&self, period: Period) -> Result<Option<IssuedBulletin>> {
        let sql = format!("{ISSUED} WHERE period = $1");
        sqlx::query_as::<_, IssuedRow>(sqlx::AssertSqlSafe(sql))
            .bind(period.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(IssuedBulletin::try_from)
            .transpose()
    }

    /// Every issued bulletin, newest first.
    pub async fn issued_bulletins(&self) -> Result<Vec<IssuedBulletin>> {
        let sql = format!("{ISSUED} ORDER BY period DESC");
        sqlx::query_as::<_, IssuedRow>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(IssuedBulletin::try_from)
            .collect()
    }

    /// Every indicator with figures for `period`, compared across the regions: for each, its
    /// latest period of the year ending by `period`'s end (a quarterly GDP figure in June's
    /// bulletin is the second quarter's).
    pub async fn indicator_comparisons(
        &self,
        period: Period,
        city: &str,
    ) -> Result<Vec<IndicatorComparison>> {
        let values = self.indicator_values(None).await?;
        let mut regions: Vec<String> = self
            .units()
            .await?
            .into_iter()
            .filter(|u| u.unit.kind == duban_core::UnitKind::Region)
            .map(|u| u.unit.name)
            .collect();
        regions.retain(|r| r != city);
        Ok(self
            .indicators()
            .await?
            .iter()
            .filter_map(|i| {
                let latest = values
                    .iter()
                    .filter(|v| {
                        v.indicator == i.name
                            && v.period.year() == period.year()
                            && v.period.last_day() <= period.last_day()
                    })
                    .map(|v| v.period)
                    .max_by_key(|p| p.last_day())?;
                Some(compare(i, latest, &values, city, &regions))
            })
            .collect())
    }
}

/// The issued bulletins.
const ISSUED: &str = "SELECT period, number, content, issued_at, issued_by FROM bulletins";

/// A row of [`ISSUED`], as stored.
#[derive(sqlx::FromRow)]
struct IssuedRow {
    period: String,
    number: i64,
    content: String,
    issued_at: String,
    issued_by: String,
}

impl TryFrom<IssuedRow> for IssuedBulletin {
    type Error = StoreError;

    fn try_from(r: IssuedRow) -> Result<IssuedBulletin> {
        Ok(IssuedBulletin {
            period: Period::parse(&r.period)
                .map_err(|e| StoreError::corrupt("bulletins.period", e))?,
            number: r.number,
            issued_at: r.issued_at,
            issued_by: r.issued_by,
            bulletin: serde_json::from_str(&r.content)
                .map_err(|e| StoreError::corrupt("bulletins.content", e))?,
        })
    }
}
