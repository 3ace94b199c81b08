//! 催办 — what is due and not done (reports, tasks, problems, milestones, requests waiting for
//! the office), the reminders sent for them, and the inbox they land in. A reminder's event key
//! (matter, due date, stage) is unique in the table: inserting it is the claim, so no event is
//! told twice, across restarts and across servers on one database.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use duban_core::calendar::WorkCalendar;
use duban_core::reminder::{DueMatter, MatterKind, Recipient, ReminderLevel, ReminderRules};
use duban_core::task::TaskState;
use duban_core::{ItemKind, Period};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::deliveries::{
    Contact, NewDelivery, contacts_by_recipient, enqueue_deliveries, post_message, shown_address,
};
use crate::packed::{Unpack, counted};
use crate::tasks::TaskFilter;
use crate::{Result, Store, StoreError};

/// Where the office's reminder rules are kept (a setting, as TOML).
pub const REMINDER_RULES_KEY: &str = "reminder_rules";

pub(crate) fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn day_of(stamp: &str) -> Option<NaiveDate> {
    stamp.get(..10).and_then(duban_core::date::parse_iso_day)
}

/// A reminder to record: one stage of one matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReminder {
    pub event_key: String,
    pub kind: MatterKind,
    pub matter: String,
    pub title: String,
    /// 规则名称
    pub rule: String,
    pub level: ReminderLevel,
    pub due: NaiveDate,
    pub owner: Recipient,
    pub leader: Option<String>,
    /// 升级 — the leader in charge is told too.
    pub escalated: bool,
    pub days_late: i64,
}

impl NewReminder {
    /// Who is told.
    pub fn recipients(&self) -> Vec<Recipient> {
        let mut to = vec![self.owner.clone()];
        if self.escalated
            && let Some(l) = &self.leader
        {
            to.push(Recipient::Leader(l.clone()));
        }
        to
    }

    /// One line of a message: "【催办】问题整改 … 截止 2025-10-10，已逾期 3 天".
    pub fn line(&self) -> String {
        let when = match self.days_late {
            d if d < 0 => format!("还有 {} 天", -d),
            0 => "今日到期".to_string(),
            d => format!("已逾期 {d} 天"),
        };
        format!(
            "【{}】{}：{}，截止 {}，{when}",
            self.level.label(),
            self.kind.label(),
            self.title,
            self.due
        )
    }
}

/// An external delivery to queue for each message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outbound {
    /// email, wecom, dingtalk, webhook
    pub channel: &'static str,
    pub address: String,
}

/// A message a run wrote (or would write).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostedMessage {
    pub id: i64,
    pub to: Recipient,
    pub level: ReminderLevel,
    pub title: String,
    pub body: String,
    /// 外发 — where it is also sent.
    pub outbound: Vec<Outbound>,
}

/// What a recording wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordedRun {
    /// Reminders not recorded before (only these are told).
    pub new: Vec<NewReminder>,
    /// Reminders already recorded by an earlier run.
    pub already: usize,
    pub messages: Vec<PostedMessage>,
}

/// Most lines a message lists; the rest are counted.
const MESSAGE_LINES: usize = 30;
/// Reminders recorded per statement (a JSON parameter of about 300 bytes a row).
const RECORD_CHUNK: usize = 5_000;

/// 消息
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Message {
    pub id: i64,
    pub to_kind: String,
    pub to_name: String,
    /// notice, urge, press — none for a message that is not a reminder.
    pub level: Option<String>,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A recorded reminder, as the log lists it.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct ReminderRow {
    pub id: i64,
    pub kind: String,
    pub matter: String,
    pub title: String,
    pub rule: String,
    pub level: String,
    pub due: String,
    pub owner_name: String,
    pub leader: Option<String>,
    pub escalated: i64,
    pub days_late: i64,
    pub run_on: String,
}

fn audience(to: &[Recipient]) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    for r in to {
        let (kind, name) = match r {
            Recipient::Office => ("office", "督查室".to_string()),
            Recipient::Unit(n) => ("unit", n.clone()),
            Recipient::Leader(n) => ("leader", n.clone()),
        };
        binds.push(kind.to_string());
        binds.push(name);
        parts.push(format!(
            "(to_kind = ${} AND to_name = ${})",
            binds.len() - 1,
            binds.len()
        ));
    }
    if parts.is_empty() {
        ("1 = 0".to_string(), binds)
    } else {
        (format!("({})", parts.join(" OR ")), binds)
    }
}

#[derive(FromRow)]
pub(crate) struct ItemMatter {
    code: String,
    name: String,
    unit: String,
    leader: Option<String>,
}

impl ItemMatter {
    /// The report of `period` this item owes, due on `due`.
    pub(crate) fn report(self, period: Period, due: NaiveDate) -> DueMatter {
        DueMatter {
            kind: MatterKind::Report,
            key: format!("{}/{period}", self.code),
            title: format!(
                "{} {}（{} 进度）",
                self.code,
                self.name,
                period_words(period)
            ),
            owner: Recipient::Unit(self.unit),
            leader: self.leader,
            due,
        }
    }
}

/// What an [`ItemMatter`] is read from.
pub(crate) const ITEM_MATTER: &str = "SELECT i.code, i.name, u.name AS unit, l.name AS leader";

/// The items that owe the report of a period: `$1` the kind, `$2` the year, `$3` the period's
/// last day (items listed after it owe nothing), `$4` the period; `i` the item, `u` its lead
/// unit, `l` its leader.
pub(crate) const REPORT_MATTERS: &str = "FROM items i JOIN units u ON u.id = i.lead_unit_id \
     LEFT JOIN leaders l ON l.id = i.leader_id \
     WHERE i.kind = $1 AND i.year = $2 AND i.archived_at IS NULL \
       AND (i.stage IS NULL OR i.stage <> 'reserve') \
       AND (i.listed_on IS NULL OR i.listed_on <= $3) \
       AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.item_id = i.id AND r.period = $4)";

/// Binds [`REPORT_MATTERS`]' first four parameters.
pub(crate) fn bind_report_period<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    kind: ItemKind,
    period: Period,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    q.bind(kind.code())
        .bind(i64::from(period.year()))
        .bind(iso(period.last_day()))
        .bind(period.to_string())
}

/// The reports due by `until` as of `as_of`: of each kind, the last period closed and the
/// next, with the day each is due.
pub(crate) fn report_periods(
    schedules: &crate::Calendar,
    as_of: NaiveDate,
    until: NaiveDate,
) -> Vec<(ItemKind, Period, NaiveDate)> {
    let mut out = Vec::new();
    for kind in ItemKind::ALL.iter().copied() {
        let s = schedules.schedule(kind);
        let last = s.last_closed(as_of);
        for period in [last, last.next()] {
            let due = s.due(period);
            if due <= until {
                out.push((kind, period, due));
            }
        }
    }
    out
}

/// Whose matters to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatterScope {
    /// Everyone's (the reminder job).
    All,
    /// What waits for the office: requests to verify, and tasks overdue to urge.
    Office,
    /// A unit's: its items' reports and milestones (as lead unit or region), the problems
    /// assigned to it, the tasks it leads or works on.
    Unit(String),
    /// A leader's: the items, problems and tasks in his charge.
    Leader(String),
}

impl MatterScope {
    /// The condition on an item `i` (with its leader `l`) and its bind, if any.
    fn item_condition(&self, unit_id: Option<i64>, n: usize) -> (String, Option<crate::sql::Val>) {
        use crate::sql::Val;
        match (self, unit_id) {
            (MatterScope::Unit(_), Some(id)) => (
                format!(" AND (i.lead_unit_id = ${n} OR i.region_id = ${n})"),
                Some(Val::Int(Some(id))),
            ),
            (MatterScope::Leader(name), _) => (
                format!(" AND l.name = ${n}"),
                Some(Val::Text(Some(name.clone()))),
            ),
            _ => (String::new(), None),
        }
    }
}

impl Store {
    /// Every matter due by `until` that is not done, as of `as_of`: reports of the last period
    /// due and the next, open milestones, problems and tasks, and requests the office has not
    /// verified (due `rules.verify_within` working days after they were made).
    pub async fn due_matters(
        &self,
        as_of: NaiveDate,
        until: NaiveDate,
        calendar: &WorkCalendar,
        rules: &ReminderRules,
        scope: &MatterScope,
    ) -> Result<Vec<DueMatter>> {
        // Read before the connection below is taken: a request never holds one connection
        // while waiting for another (eight at once would wait on each other's).
        let schedules = self.calendar().await?;
        let mut conn = self.pool.acquire().await?;
        let unit_id = match scope {
            MatterScope::Unit(u) => Some(crate::items::resolve_unit(&mut conn, u).await?),
            _ => None,
        };
        let mut out = Vec::new();
        if *scope != MatterScope::Office {
            Self::report_matters(
                &mut conn, &schedules, as_of, until, scope, unit_id, &mut out,
            )
            .await?;
            milestone_matters(&mut conn, as_of, until, scope, unit_id, &mut out).await?;
        }
        problem_matters(&mut conn, until, calendar, rules, scope, unit_id, &mut out).await?;
        drop(conn);
        self.task_matters(as_of, until, calendar, rules, scope, &mut out)
            .await?;
        Ok(out)
    }

    async fn report_matters(
        conn: &mut AnyConnection,
        schedules: &crate::Calendar,
        as_of: NaiveDate,
        until: NaiveDate,
        scope: &MatterScope,
        unit_id: Option<i64>,
        out: &mut Vec<DueMatter>,
    ) -> Result<()> {
        let (cond, bind) = scope.item_condition(unit_id, 5);
        for (kind, period, due) in report_periods(schedules, as_of, until) {
            let sql = format!("{ITEM_MATTER} {REPORT_MATTERS}{cond}");
            let mut q = bind_report_period(
                sqlx::query_as::<_, ItemMatter>(sqlx::AssertSqlSafe(sql)),
                kind,
                period,
            );
            if let Some(b) = bind.clone() {
                q = crate::sql::bind_as(q, b);
            }
            let rows = q.fetch_all(&mut *conn).await?;
            out.extend(rows.into_iter().map(|r| r.report(period, due)));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn task_matters(
        &self,
        as_of: NaiveDate,
        until: NaiveDate,
        calendar: &WorkCalendar,
        rules: &ReminderRules,
        scope: &MatterScope,
        out: &mut Vec<DueMatter>,
    ) -> Result<()> {
        let mut filter = TaskFilter {
            open: true,
            ..TaskFilter::default()
        };
        match scope {
            MatterScope::Unit(u) => filter.unit = Some(u.clone()),
            MatterScope::Leader(l) => filter.leader = Some(l.clone()),
            MatterScope::All | MatterScope::Office => {}
        }
        let tasks = self.tasks(&filter).await?;
        let office = *scope == MatterScope::Office;
        let before = out.len();
        for t in tasks {
            let clock = t.clock();
            let title = format!("{} {}", t.number, t.title);
            let leader = t.leader.as_ref().map(|l| l.name.clone());
            let mut push = |kind, owner: Recipient, due: NaiveDate| {
                if due <= until {
                    out.push(DueMatter {
                        kind,
                        key: t.id.to_string(),
                        title: title.clone(),
                        owner,
                        leader: leader.clone(),
                        due,
                    });
                }
            };
            let lead = Recipient::Unit(t.lead_unit.clone());
            match t.state {
                TaskState::Assigned => {
                    push(MatterKind::TaskSign, lead.clone(), clock.sign_due(calendar));
                    push(MatterKind::Task, lead, t.due);
                }
                TaskState::InProgress => {
                    if let Some(d) = clock.feedback_due() {
                        push(MatterKind::TaskFeedback, lead.clone(), d);
                    }
                    push(MatterKind::Task, lead, t.due);
                }
                TaskState::CloseRequested => {
                    if let Some(asked) = t.requested_on {
                        let due = calendar.add_working_days(asked, i64::from(rules.verify_within));
                        push(MatterKind::Verification, Recipient::Office, due);
                    }
                }
                TaskState::Closed | TaskState::Withdrawn => {}
            }
        }
        if office {
            // The office verifies requests, and urges what is overdue.
            let mut i = before;
            while i < out.len() {
                if out[i].kind == MatterKind::Verification || out[i].due < as_of {
                    i += 1;
                } else {
                    out.swap_remove(i);
                }
            }
        } else if !matches!(scope, MatterScope::All) {
            let mut i = before;
            while i < out.len() {
                if out[i].kind == MatterKind::Verification {
                    out.swap_remove(i);
                } else {
                    i += 1;
                }
            }
        }
        Ok(())
    }

    /// Records `reminders` (those recorded before are skipped), writes one message per
    /// recipient listing its new ones, and queues each message for the recipient's email and
    /// group robot and for `extra` (the configured webhook); email only when `email` (an SMTP
    /// server is configured). A dry run does all of it and rolls back.
    pub async fn record_reminders(
        &self,
        as_of: NaiveDate,
        reminders: Vec<NewReminder>,
        extra: &[NewDelivery],
        email: bool,
        dry_run: bool,
    ) -> Result<RecordedRun> {
        let total = reminders.len();
        // No figure changes: the web's caches are not rebuilt for a run.
        let mut tx = self.write_tx_quiet().await?;
        let at = crate::audit::now();
        // Each chunk goes as one JSON parameter: one statement, whatever its size, on both
        // backends; the rows inserted (not recorded before) come back with their ids.
        let mut inserted: std::collections::HashMap<String, i64> = Default::default();
        let sql = match self.backend {
            crate::Backend::Postgres => {
                "INSERT INTO reminders (event_key, kind, matter, title, rule, level, due, owner_kind, \
                 owner_name, leader, escalated, days_late, run_on, created_at) \
                 SELECT x.k, x.kind, x.m, x.t, x.r, x.l, x.d, x.ok, x.o, x.ld, x.e, x.late, $2, $3 \
                 FROM json_to_recordset($1::json) AS x(k text, kind text, m text, t text, r text, \
                 l text, d text, ok text, o text, ld text, e bigint, late bigint) \
                 ON CONFLICT (event_key) DO NOTHING RETURNING event_key, id"
            }
            crate::Backend::Sqlite => {
                "INSERT INTO reminders (event_key, kind, matter, title, rule, level, due, owner_kind, \
                 owner_name, leader, escalated, days_late, run_on, created_at) \
                 SELECT value ->> 'k', value ->> 'kind', value ->> 'm', value ->> 't', value ->> 'r', \
                 value ->> 'l', value ->> 'd', value ->> 'ok', value ->> 'o', value ->> 'ld', \
                 value ->> 'e', value ->> 'late', $2, $3 FROM json_each($1) WHERE true \
                 ON CONFLICT (event_key) DO NOTHING RETURNING event_key, id"
            }
        };
        for chunk in reminders.chunks(RECORD_CHUNK) {
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .map(|r| {
                    let (kind, name) = match &r.owner {
                        Recipient::Office => ("office", "督查室"),
                        Recipient::Unit(n) => ("unit", n.as_str()),
                        Recipient::Leader(n) => ("leader", n.as_str()),
                    };
                    serde_json::json!({
                        "k": r.event_key, "kind": r.kind.code(), "m": r.matter,
                        "t": crate::sql::stored_text(r.title.clone()), "r": r.rule,
                        "l": r.level.code(), "d": iso(r.due), "ok": kind, "o": name,
                        "ld": r.leader, "e": i64::from(r.escalated), "late": r.days_late,
                    })
                })
                .collect();
            let found: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(serde_json::Value::Array(rows).to_string())
                .bind(iso(as_of))
                .bind(at.clone())
                .fetch_all(&mut *tx)
                .await?;
            inserted.extend(found);
        }
        let (new, ids): (Vec<NewReminder>, Vec<i64>) = reminders
            .into_iter()
            .filter_map(|r| inserted.get(&r.event_key).map(|&id| (r, id)))
            .unzip();
        // One message per recipient.
        let mut by_recipient: BTreeMap<Recipient, Vec<usize>> = BTreeMap::new();
        for (i, r) in new.iter().enumerate() {
            for to in r.recipients() {
                by_recipient.entry(to).or_default().push(i);
            }
        }
        let recipients: Vec<Recipient> = by_recipient.keys().cloned().collect();
        let contacts = contacts_by_recipient(&mut tx, &recipients).await?;
        let link_sql = match self.backend {
            crate::Backend::Postgres => {
                "INSERT INTO message_reminders (message_id, reminder_id) \
                 SELECT $1, x::bigint FROM json_array_elements_text($2::json) AS x"
            }
            crate::Backend::Sqlite => {
                "INSERT INTO message_reminders (message_id, reminder_id) \
                 SELECT $1, value FROM json_each($2)"
            }
        };
        let mut messages = Vec::new();
        for (to, mut list) in by_recipient {
            list.sort_by_key(|&i| (std::cmp::Reverse(new[i].days_late), i));
            let level = list
                .iter()
                .map(|&i| new[i].level)
                .max()
                .unwrap_or(ReminderLevel::Notice);
            let late = list.iter().filter(|&&i| new[i].days_late > 0).count();
            let title = match (level, late) {
                (ReminderLevel::Press, n) => format!("催办：{} 有 {n} 项事项已逾期", to.name()),
                (ReminderLevel::Urge, _) => {
                    format!("督办：{} 有 {} 项事项今日到期", to.name(), list.len())
                }
                (ReminderLevel::Notice, _) => {
                    format!("提示：{} 有 {} 项事项即将到期", to.name(), list.len())
                }
            };
            let mut body: Vec<String> = list
                .iter()
                .take(MESSAGE_LINES)
                .map(|&i| new[i].line())
                .collect();
            if list.len() > MESSAGE_LINES {
                body.push(format!(
                    "另有 {} 项，请登录督办系统查看。",
                    list.len() - MESSAGE_LINES
                ));
            }
            let body = body.join("\n");
            let id = post_message(
                &mut tx,
                &to,
                Some(level),
                &title,
                &body,
                Some("/todos"),
                &at,
            )
            .await?;
            // Its reminders, as one JSON array of ids: one prepared statement for every message.
            let linked: Vec<i64> = list.iter().map(|&i| ids[i]).collect();
            sqlx::query(link_sql)
                .bind(id)
                .bind(serde_json::to_string(&linked).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
            let mut outbound: Vec<NewDelivery> = contacts
                .get(&to)
                .map(Contact::deliveries)
                .unwrap_or_default();
            outbound.retain(|d| email || d.channel != crate::Channel::Email);
            outbound.extend(extra.iter().cloned());
            enqueue_deliveries(&mut tx, id, &outbound, &at).await?;
            let outbound = outbound
                .into_iter()
                .map(|d| Outbound {
                    channel: d.channel.code(),
                    address: shown_address(d.channel, &d.address),
                })
                .collect();
            messages.push(PostedMessage {
                id,
                to,
                level,
                title,
                body,
                outbound,
            });
        }
        let already = total - new.len();
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
            self.after_bulk_write_to(
                new.len(),
                &["reminders", "messages", "message_reminders", "deliveries"],
            )
            .await?;
        }
        Ok(RecordedRun {
            new,
            already,
            messages,
        })
    }

    /// The inbox of `to` (a user's unit, leader or the office), newest first.
    pub async fn messages(
        &self,
        to: &[Recipient],
        unread_only: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Message>> {
        let (cond, binds) = audience(to);
        let unread = if unread_only {
            " AND read_at IS NULL"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id, to_kind, to_name, level, title, body, link, created_at, read_at FROM messages \
             WHERE {cond}{unread} ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 500),
            offset.max(0)
        );
        let mut q = sqlx::query_as::<_, Message>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// 未读消息 — how many messages of `to` are unread.
    pub async fn unread_messages(&self, to: &[Recipient]) -> Result<i64> {
        let (cond, binds) = audience(to);
        let sql = format!("SELECT COUNT(*) FROM messages WHERE {cond} AND read_at IS NULL");
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        Ok(q.fetch_one(&self.pool).await?)
    }

    /// Marks message `id` (or, with none, every message) of `to` read by `who`: how many.
    pub async fn mark_read(&self, to: &[Recipient], id: Option<i64>, who: &str) -> Result<u64> {
        let (cond, binds) = audience(to);
        let n = binds.len();
        let one = id
            .map(|_| format!(" AND id = ${}", n + 3))
            .unwrap_or_default();
        let sql = format!(
            "UPDATE messages SET read_at = ${}, read_by = ${} WHERE {cond} AND read_at IS NULL{one}",
            n + 1,
            n + 2
        );
        let mut tx = self.write_tx_quiet().await?;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        q = q.bind(crate::audit::now()).bind(who.to_string());
        if let Some(id) = id {
            q = q.bind(id);
        }
        let done = q.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(done)
    }

    /// The reminders recorded, newest first, optionally those of one recipient.
    pub async fn reminder_log(
        &self,
        owner: Option<&Recipient>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ReminderRow>> {
        let (cond, binds) = match owner {
            Some(r) => {
                let (c, b) = audience(std::slice::from_ref(r));
                (
                    format!(
                        " WHERE {}",
                        c.replace("to_kind", "owner_kind")
                            .replace("to_name", "owner_name")
                    ),
                    b,
                )
            }
            None => (String::new(), Vec::new()),
        };
        let sql = format!(
            "SELECT id, kind, matter, title, rule, level, due, owner_name, leader, escalated, days_late, run_on \
             FROM reminders{cond} ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 500),
            offset.max(0)
        );
        let mut q = sqlx::query_as::<_, ReminderRow>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// 催办规则 — the office's (the setting `reminder_rules`), or the defaults.
    pub async fn reminder_rules(&self) -> Result<ReminderRules> {
        match self.setting(REMINDER_RULES_KEY).await? {
            Some(text) => ReminderRules::from_toml(&text)
                .map_err(|e| StoreError::Invalid(format!("已保存的催办规则无法读取：{e}"))),
            None => Ok(ReminderRules::default()),
        }
    }
}

/// A period as a report's title names it: 2026年11月 for a month, its code otherwise.
fn period_words(p: Period) -> String {
    match p.cadence() {
        duban_core::Cadence::Monthly => format!("{}年{}月", p.year(), p.last_day().month()),
        _ => p.to_string(),
    }
}

async fn milestone_matters(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    until: NaiveDate,
    scope: &MatterScope,
    unit_id: Option<i64>,
    out: &mut Vec<DueMatter>,
) -> Result<()> {
    let (cond, bind) = scope.item_condition(unit_id, 3);
    // Packed, a few hundred milestones a row: a province has tens of thousands overdue, and
    // SQLite hands rows across threads one at a time.
    let line = [
        counted("i.code"),
        counted("i.name"),
        counted("u.name"),
        counted("COALESCE(l.name, '')"),
        counted("m.name"),
        counted("m.planned"),
    ]
    .join(" || ");
    let sql = format!(
        "SELECT string_agg(line, '') AS batch FROM (SELECT m.id, {line} AS line \
         {MILESTONE_MATTERS}{cond}) x GROUP BY x.id / {MILESTONES_A_ROW}"
    );
    let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql))
        .bind(iso(until))
        .bind(i64::from(as_of.year() - 1));
    if let Some(b) = bind {
        q = crate::sql::bind_as(q, b);
    }
    for (batch,) in q.fetch_all(&mut *conn).await? {
        let mut u = Unpack::new(&batch, "milestone matters");
        while !u.is_empty() {
            let (code, name, unit, leader) = (
                u.next_value()?,
                u.next_value()?,
                u.next_value()?,
                u.next_value()?,
            );
            let (milestone, due) = (u.next_value()?, u.next_value()?);
            let Some(due) = duban_core::date::parse_iso_day(due) else {
                continue;
            };
            out.push(milestone_matter(code, name, unit, leader, milestone, due));
        }
    }
    Ok(())
}

/// The open milestones planned by `$1` of items of the year `$2` and after: `m` the milestone,
/// `i` its item, `u` the item's lead unit, `l` its leader.
pub(crate) const MILESTONE_MATTERS: &str = "FROM milestones m JOIN items i ON i.id = m.item_id \
     JOIN units u ON u.id = i.lead_unit_id LEFT JOIN leaders l ON l.id = i.leader_id \
     WHERE m.actual IS NULL AND m.planned IS NOT NULL AND m.planned <= $1 \
       AND i.archived_at IS NULL AND i.year >= $2";

/// The milestone `name` of an item, planned for `due`.
pub(crate) fn milestone_matter(
    code: &str,
    name: &str,
    unit: &str,
    leader: &str,
    milestone: &str,
    due: NaiveDate,
) -> DueMatter {
    DueMatter {
        kind: MatterKind::Milestone,
        key: format!("{code}/{milestone}"),
        title: format!("{code} {name}：{milestone}"),
        owner: Recipient::Unit(unit.to_string()),
        leader: (!leader.is_empty()).then(|| leader.to_string()),
        due,
    }
}

/// Milestone matters packed into one row (by id range).
const MILESTONES_A_ROW: usize = 512;

#[derive(FromRow)]
struct ProblemMatter {
    id: i64,
    state: String,
    description: String,
    code: String,
    unit: Option<String>,
    leader: Option<String>,
    due: Option<String>,
    asked: Option<String>,
}

pub(crate) async fn problem_matters(
    conn: &mut AnyConnection,
    until: NaiveDate,
    calendar: &WorkCalendar,
    rules: &ReminderRules,
    scope: &MatterScope,
    unit_id: Option<i64>,
    out: &mut Vec<DueMatter>,
) -> Result<()> {
    use crate::sql::Val;
    let (states, cond, bind) = match (scope, unit_id) {
        (MatterScope::All, _) => (
            "'assigned', 'rectifying', 'sent_back', 'closure_requested'",
            String::new(),
            None,
        ),
        (MatterScope::Office, _) => ("'closure_requested'", String::new(), None),
        (MatterScope::Unit(_), Some(id)) => (
            "'assigned', 'rectifying', 'sent_back'",
            " AND p.assigned_unit_id = $1".to_string(),
            Some(Val::Int(Some(id))),
        ),
        (MatterScope::Leader(n), _) => (
            "'assigned', 'rectifying', 'sent_back'",
            " AND l.name = $1".to_string(),
            Some(Val::Text(Some(n.clone()))),
        ),
        (MatterScope::Unit(_), None) => return Ok(()),
    };
    let sql = format!(
        "SELECT p.id, p.state, p.description, i.code, u.name AS unit, l.name AS leader, p.due, \
         (SELECT MAX(e.at) FROM problem_events e WHERE e.problem_id = p.id AND e.to_state = 'closure_requested') AS asked \
         FROM problems p JOIN items i ON i.id = p.item_id LEFT JOIN units u ON u.id = p.assigned_unit_id \
         LEFT JOIN leaders l ON l.id = i.leader_id \
         WHERE p.state IN ({states}) AND i.archived_at IS NULL{cond}"
    );
    let mut q = sqlx::query_as::<_, ProblemMatter>(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind {
        q = crate::sql::bind_as(q, b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    for r in rows {
        let short: String = r.description.chars().take(30).collect();
        let title = format!("问题 {}：{short}（{}）", r.id, r.code);
        if r.state == "closure_requested" {
            if let Some(asked) = r.asked.as_deref().and_then(day_of) {
                let due = calendar.add_working_days(asked, i64::from(rules.verify_within));
                if due <= until {
                    out.push(DueMatter {
                        kind: MatterKind::Verification,
                        key: format!("problem/{}", r.id),
                        title: format!("销号申请 · {title}"),
                        owner: Recipient::Office,
                        leader: None,
                        due,
                    });
                }
            }
            continue;
        }
        let (Some(unit), Some(due)) = (r.unit, r.due.as_deref().and_then(day_of)) else {
            continue;
        };
        if due <= until {
            out.push(DueMatter {
                kind: MatterKind::Problem,
                key: r.id.to_string(),
                title,
                owner: Recipient::Unit(unit),
                leader: r.leader,
                due,
            });
        }
    }
    if !matches!(scope, MatterScope::All | MatterScope::Office) {
        return Ok(());
    }
    let pending: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT e.id, i.code, e.milestone, e.requested_at FROM extension_requests e \
         JOIN items i ON i.id = e.item_id WHERE e.state = 'pending'",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (id, code, milestone, at) in pending {
        let Some(asked) = day_of(&at) else { continue };
        let due = calendar.add_working_days(asked, i64::from(rules.verify_within));
        if due <= until {
            out.push(DueMatter {
                kind: MatterKind::Verification,
                key: format!("extension/{id}"),
                title: format!("延期申请 · {code}：{milestone}"),
                owner: Recipient::Office,
                leader: None,
                due,
            });
        }
    }
    Ok(())
}
