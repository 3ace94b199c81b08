//! 催办 — one run of the reminder job: every matter due and not done, the stage each has
//! reached under the office's rules, recorded once (a second run tells nobody again) and put
//! in the recipients' inboxes and delivery queues. `duban remind run` and `duban serve` call
//! it; tests call it directly with their own day.

use chrono::{Days, NaiveDate};
use duban_core::reminder::{ReminderRules, reminders_due};
use duban_core::{Account, DayCount};
use duban_store::{MatterScope, NewReminder, REMINDER_RULES_KEY, RecordedRun, Store};
use serde::Serialize;

use crate::notify::{Channels, DeliveryRun, deliver_pending, deliveries_for};
use crate::{AppError, AppResult};

/// 催办规则 — the office's, or the defaults.
pub async fn rules(store: &Store) -> AppResult<ReminderRules> {
    Ok(store.reminder_rules().await?)
}

/// Sets the rules from TOML (checked first), as the office.
pub async fn set_rules(
    store: &Store,
    account: &Account,
    actor: &str,
    toml: &str,
) -> AppResult<ReminderRules> {
    if !account.is_admin() {
        return Err(AppError::Forbidden("只有督查室可以设置催办规则".into()));
    }
    let rules = ReminderRules::from_toml(toml).map_err(|e| AppError::Invalid(e.to_string()))?;
    store
        .set_setting(actor, REMINDER_RULES_KEY, &rules.to_toml())
        .await?;
    Ok(rules)
}

/// What one run found and told.
#[derive(Debug, Clone, Serialize)]
pub struct ReminderRun {
    pub as_of: NaiveDate,
    pub dry_run: bool,
    /// 待办事项 — matters due by the furthest 提示 and not done.
    pub matters: usize,
    /// Matters that have reached a stage.
    pub reached: usize,
    #[serde(flatten)]
    pub recorded: RecordedRun,
}

impl ReminderRun {
    /// One line per message: "催办 → 白水县（邮件 a@b.cn）：白水县 有 3 项事项已逾期".
    pub fn lines(&self) -> Vec<String> {
        self.recorded
            .messages
            .iter()
            .map(|m| {
                let out: Vec<String> = m
                    .outbound
                    .iter()
                    .map(|o| format!("{} {}", channel_label(o.channel), o.address))
                    .collect();
                let via = if out.is_empty() {
                    "站内消息".to_string()
                } else {
                    format!("站内消息、{}", out.join("、"))
                };
                format!(
                    "{} → {}（{via}）：{}",
                    m.level.label(),
                    m.to.name(),
                    m.title
                )
            })
            .collect()
    }
}

/// 邮件, 企业微信, 钉钉, Webhook
pub fn channel_label(code: &str) -> &'static str {
    match code {
        "email" => "邮件",
        "wecom" => "企业微信",
        "dingtalk" => "钉钉",
        _ => "Webhook",
    }
}

/// Runs the job for `as_of`: what is due, the stage each matter reached, recorded once, a
/// message per recipient queued for its email, its robot and the configured webhook. A dry run
/// writes nothing.
pub async fn run(
    store: &Store,
    as_of: NaiveDate,
    dry_run: bool,
    channels: &Channels,
) -> AppResult<ReminderRun> {
    let rules = rules(store).await?;
    let calendar = store.work_calendar().await?;
    // The furthest a 提示 looks ahead, as a day.
    let ahead = rules
        .rules
        .iter()
        .filter(|r| r.offset < 0)
        .map(|r| match r.count {
            DayCount::Calendar => i64::from(-r.offset),
            DayCount::Working => {
                (calendar.add_working_days(as_of, i64::from(-r.offset)) - as_of).num_days()
            }
        })
        .max()
        .unwrap_or(0);
    let until = as_of
        .checked_add_days(Days::new(ahead.max(0) as u64))
        .unwrap_or(as_of);
    let matters = store
        .due_matters(as_of, until, &calendar, &rules, &MatterScope::All)
        .await?;
    let due = reminders_due(&matters, &rules, &calendar, as_of);
    let reached = due.len();
    let reminders: Vec<NewReminder> = due
        .iter()
        .map(|r| NewReminder {
            event_key: r.event_key(),
            kind: r.matter.kind,
            matter: r.matter.key.clone(),
            title: r.matter.title.clone(),
            rule: r.rule.name.clone(),
            level: r.rule.level,
            due: r.matter.due,
            owner: r.matter.owner.clone(),
            leader: r.matter.leader.clone(),
            escalated: r.rule.escalate,
            days_late: r.days_late,
        })
        .collect();
    let recorded = store
        .record_reminders(
            as_of,
            reminders,
            &deliveries_for(None, channels),
            channels.has_email(),
            dry_run,
        )
        .await?;
    Ok(ReminderRun {
        as_of,
        dry_run,
        matters: matters.len(),
        reached,
        recorded,
    })
}

/// One round of the job as `duban serve` and `duban remind run` make it: the reminders of
/// `as_of`, then every queued delivery that is due sent by this `server` (none on a dry run).
pub async fn run_and_deliver(
    store: &Store,
    channels: &Channels,
    server: &str,
    as_of: NaiveDate,
    dry_run: bool,
) -> AppResult<(ReminderRun, Option<DeliveryRun>)> {
    let run = run(store, as_of, dry_run, channels).await?;
    if dry_run {
        return Ok((run, None));
    }
    let sent = deliver_pending(store, channels, server, crate::clock::now()).await?;
    Ok((run, Some(sent)))
}
