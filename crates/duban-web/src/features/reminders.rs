//! 催办管理 — the office's reminders: its rules (提示 before a due date, 督办 on it, 催办 after
//! it, escalated to the leader in charge), the record of every reminder sent, a run of the job
//! now (or its preview, which writes nothing), and a unit's 督办通知单 / 催办单 issued as a Word
//! document.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use duban_app::reminders::ReminderRun;
use duban_core::reminder::{MatterKind, ReminderLevel, ReminderRule, ReminderRules};
use duban_core::{DayCount, Recipient};
use duban_store::{PostedMessage, ReminderRow};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::FormData;
use crate::page::{PageResult, Visitor, download, message, page, render};
use crate::schema::{Date, DayCountCode, MatterKindCode, RecipientKindCode, ReminderLevelCode};
use crate::{AppState, today};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reminders", get(reminders_page))
        .route("/reminders/rules", post(rules_page))
        .route("/reminders/run", post(run_page))
        .route("/notices", post(notice))
        .route("/api/reminders/rules", get(rules).put(set_rules))
        .route("/api/reminders", get(log))
        .route("/api/reminders/run", post(run))
}

fn office(c: &Caller) -> ApiResult<()> {
    if c.account.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("催办管理只对督查室开放"))
    }
}

// ---- what the API answers and takes ----

/// 催办规则 — one stage.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = ReminderRule)]
pub struct RuleView {
    /// 规则名称（唯一）
    pub name: String,
    /// 适用事项；空：全部
    #[serde(default)]
    #[schema(value_type = Vec<MatterKindCode>)]
    pub kinds: Vec<String>,
    /// 距截止日的天数：负数在截止前，0 为截止当日，正数为逾期后
    pub offset: i32,
    /// 计日方式（默认 calendar 自然日）
    #[serde(default)]
    #[schema(value_type = Option<DayCountCode>)]
    pub count: Option<String>,
    #[schema(value_type = ReminderLevelCode)]
    pub level: String,
    /// 升级：同时告知包抓领导，并列入通报的逾期事项
    #[serde(default)]
    pub escalate: bool,
    /// 时点的说法：“截止前 3 个工作日”（只读）
    #[serde(default, skip_deserializing)]
    pub describe: String,
}

impl From<&ReminderRule> for RuleView {
    fn from(r: &ReminderRule) -> Self {
        RuleView {
            name: r.name.clone(),
            kinds: r.kinds.iter().map(|k| k.code().to_string()).collect(),
            offset: r.offset,
            count: Some(
                match r.count {
                    DayCount::Calendar => "calendar",
                    DayCount::Working => "working",
                }
                .to_string(),
            ),
            level: r.level.code().to_string(),
            escalate: r.escalate,
            describe: r.describe(),
        }
    }
}

impl RuleView {
    fn into_rule(self) -> ApiResult<ReminderRule> {
        let bad = |what: &str, e: String| {
            ApiError::invalid(format!("催办规则“{}”：{what}{e}", self.name))
        };
        let kinds = self
            .kinds
            .iter()
            .map(|k| MatterKind::parse(k).map_err(|e| bad("适用事项：", e.to_string())))
            .collect::<ApiResult<Vec<_>>>()?;
        let count = match self.count.as_deref().map(str::trim) {
            None | Some("" | "calendar" | "自然日") => DayCount::Calendar,
            Some("working" | "工作日") => DayCount::Working,
            Some(other) => {
                return Err(bad(
                    "计日方式：",
                    format!("无法识别“{other}”（可选：calendar 自然日、working 工作日）"),
                ));
            }
        };
        let level = ReminderLevel::parse(&self.level).map_err(|e| bad("级别：", e.to_string()))?;
        Ok(ReminderRule {
            name: self.name,
            kinds,
            offset: self.offset,
            count,
            level,
            escalate: self.escalate,
        })
    }
}

/// 催办规则 — the office's stages and how long it has to verify a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesView {
    /// 审核时限（工作日）：督查室审核办结、销号、延期申请的期限
    pub verify_within: u32,
    pub rules: Vec<RuleView>,
    /// 同一规则的 TOML 写法
    pub toml: String,
}

impl From<&ReminderRules> for RulesView {
    fn from(r: &ReminderRules) -> Self {
        RulesView {
            verify_within: r.verify_within,
            rules: r.rules.iter().map(Into::into).collect(),
            toml: r.to_toml(),
        }
    }
}

/// 设置催办规则：TOML（toml），或逐条（verify_within 和 rules）
#[derive(Debug, Deserialize, ToSchema)]
pub struct RulesRequest {
    /// 整套规则的 TOML 写法（给出时不看其他字段）
    pub toml: Option<String>,
    /// 审核时限（工作日，默认 3）
    pub verify_within: Option<u32>,
    pub rules: Option<Vec<RuleView>>,
}

/// 催办记录 — one stage of one matter, recorded once.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReminderRecord)]
pub struct ReminderLogView {
    pub id: i64,
    #[schema(value_type = MatterKindCode)]
    pub kind: String,
    /// 事项的键：项目编号/期间、督办事项或问题的编号
    pub matter: String,
    pub title: String,
    /// 规则名称
    pub rule: String,
    #[schema(value_type = ReminderLevelCode)]
    pub level: String,
    #[schema(value_type = Date)]
    pub due: String,
    /// 责任单位
    pub owner_name: String,
    /// 包抓领导
    pub leader: Option<String>,
    /// 已升级告知包抓领导
    pub escalated: bool,
    /// 运行时逾期天数（负数：还有几天）
    pub days_late: i64,
    /// 运行日期
    #[schema(value_type = Date)]
    pub run_on: String,
}

impl From<ReminderRow> for ReminderLogView {
    fn from(r: ReminderRow) -> Self {
        let ReminderRow {
            id,
            kind,
            matter,
            title,
            rule,
            level,
            due,
            owner_name,
            leader,
            escalated,
            days_late,
            run_on,
        } = r;
        ReminderLogView {
            id,
            kind,
            matter,
            title,
            rule,
            level,
            due,
            owner_name,
            leader,
            escalated: escalated != 0,
            days_late,
            run_on,
        }
    }
}

/// 催办记录筛选
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct LogQuery {
    /// 只看这个单位的
    pub unit: Option<String>,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
}

/// 外发渠道
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboundView {
    /// email | wecom | dingtalk | webhook
    pub channel: String,
    pub address: String,
}

/// 一次运行写给（或将写给）一个收件方的消息
#[derive(Debug, Serialize, ToSchema)]
pub struct PostedMessageView {
    pub id: i64,
    #[schema(value_type = RecipientKindCode)]
    pub to_kind: String,
    pub to_name: String,
    #[schema(value_type = ReminderLevelCode)]
    pub level: String,
    pub title: String,
    pub body: String,
    /// 同时外发到
    pub outbound: Vec<OutboundView>,
}

impl From<PostedMessage> for PostedMessageView {
    fn from(m: PostedMessage) -> Self {
        let (to_kind, to_name) = match &m.to {
            Recipient::Office => ("office", m.to.name().to_string()),
            Recipient::Unit(n) => ("unit", n.clone()),
            Recipient::Leader(n) => ("leader", n.clone()),
        };
        PostedMessageView {
            id: m.id,
            to_kind: to_kind.to_string(),
            to_name,
            level: m.level.code().to_string(),
            title: m.title,
            body: m.body,
            outbound: m
                .outbound
                .into_iter()
                .map(|o| OutboundView {
                    channel: o.channel.to_string(),
                    address: o.address,
                })
                .collect(),
        }
    }
}

/// 一次催办运行
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderRunView {
    #[schema(value_type = Date)]
    pub as_of: NaiveDate,
    /// 预览：什么也没写
    pub dry_run: bool,
    /// 到期未办的事项
    pub matters: usize,
    /// 到了某一提醒时点的事项
    pub reached: usize,
    /// 这次新记下（并告知）的提醒
    pub new: usize,
    /// 之前已告知过的
    pub already: usize,
    pub messages: Vec<PostedMessageView>,
    /// 每条消息一行：“催办 → 白水县（站内消息、邮件 a@b.cn）：…”
    pub lines: Vec<String>,
}

impl From<ReminderRun> for ReminderRunView {
    fn from(r: ReminderRun) -> Self {
        let lines = r.lines();
        ReminderRunView {
            as_of: r.as_of,
            dry_run: r.dry_run,
            matters: r.matters,
            reached: r.reached,
            new: r.recorded.new.len(),
            already: r.recorded.already,
            messages: r.recorded.messages.into_iter().map(Into::into).collect(),
            lines,
        }
    }
}

/// 运行催办
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RunRequest {
    /// 按哪天运行（默认今天；发送时不能晚于今天）
    #[schema(value_type = Option<Date>)]
    pub as_of: Option<NaiveDate>,
    /// 只预览，不记录、不发送
    pub dry_run: Option<bool>,
}

// ---- shared ----

/// Sets the rules from TOML, as `caller`.
async fn save_rules(s: &AppState, c: &Caller, toml: &str) -> ApiResult<ReminderRules> {
    Ok(duban_app::reminders::set_rules(&s.store, &c.account, &c.actor(), toml).await?)
}

/// Runs the job as of `as_of` (a real run not later than today).
async fn run_as(
    s: &AppState,
    c: &Caller,
    as_of: NaiveDate,
    dry_run: bool,
) -> ApiResult<ReminderRun> {
    office(c)?;
    if !dry_run && as_of > today() {
        return Err(ApiError::invalid(format!(
            "不能按将来的日期（{as_of}）发送催办；可以先预览"
        )));
    }
    Ok(duban_app::reminders::run(&s.store, as_of, dry_run, &s.channels).await?)
}

/// Rows of the log a page shows.
const LOG_PAGE: usize = 50;

// ---- the API ----

#[utoipa::path(get, path = "/api/reminders/rules", tag = "催办",
    responses((status = 200, description = "催办规则（未设置时为默认规则）", body = RulesView), (status = 403, body = ApiError)))]
async fn rules(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<RulesView>> {
    office(&caller)?;
    let r = duban_app::reminders::rules(&s.store).await?;
    Ok(Json((&r).into()))
}

#[utoipa::path(put, path = "/api/reminders/rules", tag = "催办", request_body = RulesRequest,
    responses((status = 200, description = "已保存", body = RulesView), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn set_rules(
    State(s): State<AppState>,
    caller: Caller,
    Json(b): Json<RulesRequest>,
) -> ApiResult<Json<RulesView>> {
    office(&caller)?;
    let toml = match b.toml {
        Some(t) => t,
        None => {
            let rules = b
                .rules
                .ok_or_else(|| ApiError::invalid("请给出 toml，或 rules（逐条规则）"))?
                .into_iter()
                .map(RuleView::into_rule)
                .collect::<ApiResult<Vec<_>>>()?;
            ReminderRules {
                verify_within: b
                    .verify_within
                    .unwrap_or(ReminderRules::default().verify_within),
                rules,
            }
            .to_toml()
        }
    };
    let r = save_rules(&s, &caller, &toml).await?;
    Ok(Json((&r).into()))
}

#[utoipa::path(get, path = "/api/reminders", tag = "催办", params(LogQuery),
    responses((status = 200, description = "催办记录（最新的在前）", body = Vec<ReminderLogView>), (status = 403, body = ApiError)))]
async fn log(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<LogQuery>,
) -> ApiResult<Json<Vec<ReminderLogView>>> {
    office(&caller)?;
    let per_page = q.per_page.unwrap_or(LOG_PAGE).clamp(1, 500);
    let offset = (q.page.unwrap_or(1).max(1) - 1) * per_page;
    let owner = q
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| Recipient::Unit(u.to_string()));
    let rows = s
        .store
        .reminder_log(owner.as_ref(), per_page as i64, offset as i64)
        .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/reminders/run", tag = "催办", request_body = RunRequest,
    responses((status = 200, description = "运行结果：告知了谁、什么", body = ReminderRunView), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn run(
    State(s): State<AppState>,
    caller: Caller,
    body: Option<Json<RunRequest>>,
) -> ApiResult<Json<ReminderRunView>> {
    let b = body.map(|Json(b)| b).unwrap_or_default();
    let r = run_as(
        &s,
        &caller,
        b.as_of.unwrap_or_else(today),
        b.dry_run.unwrap_or(false),
    )
    .await?;
    Ok(Json(r.into()))
}

// ---- the pages ----

fn log_row(r: &ReminderRow) -> Value {
    let level = ReminderLevel::parse(&r.level).ok();
    context! {
        run_on => &r.run_on, level => level.map(|l| l.label()), level_code => &r.level,
        kind => MatterKind::parse(&r.kind).map(|k| k.label()).unwrap_or("—"),
        title => &r.title, owner => &r.owner_name, leader => &r.leader, due => &r.due,
        days => crate::features::inbox::days_words(r.days_late), rule => &r.rule,
        escalated => r.escalated != 0,
    }
}

#[derive(Deserialize, Default)]
struct LogPage {
    page: Option<usize>,
}

/// 催办管理 — the rules, a run now or its preview, a unit's notice, and the record.
async fn reminders_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(q): Query<LogPage>,
) -> PageResult {
    office(&c)?;
    let rules = duban_app::reminders::rules(&s.store).await?;
    let page_no = q.page.unwrap_or(1).max(1);
    let rows = s
        .store
        .reminder_log(None, LOG_PAGE as i64, ((page_no - 1) * LOG_PAGE) as i64)
        .await?;
    let units = crate::page::unit_names(&s).await?;
    let ctx = page(&c, "催办管理", "reminders", false);
    render(
        &s,
        "reminders.html",
        context! {
            verify_within => rules.verify_within, toml => rules.to_toml(),
            rules => rules.rules.iter().map(|r| context! {
                name => &r.name, when => r.describe(), count => r.count.label(), level => r.level.label(),
                level_code => r.level.code(), escalate => r.escalate,
                kinds => if r.kinds.is_empty() { "全部事项".to_string() } else {
                    r.kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、") },
            }).collect::<Vec<_>>(),
            log => rows.iter().map(log_row).collect::<Vec<_>>(), more => rows.len() == LOG_PAGE,
            page_no, units, today => today().to_string(), ..ctx
        },
    )
}

/// The rules' TOML saved from the page.
async fn rules_page(State(s): State<AppState>, Visitor(c): Visitor, f: FormData) -> PageResult {
    let r = save_rules(&s, &c, &f.text("toml").unwrap_or_default()).await?;
    message(
        &s,
        vec![format!(
            "已保存催办规则：{} 条，审核时限 {} 个工作日。刷新本页可看到新的规则表。",
            r.rules.len(),
            r.verify_within
        )],
    )
}

/// 立即运行 or 预览 from the page: what was (or would be) told, one line per message.
async fn run_page(State(s): State<AppState>, Visitor(c): Visitor, f: FormData) -> PageResult {
    let dry_run = f.text("dry_run").is_some_and(|v| v == "true");
    let as_of = match f.text("as_of") {
        Some(d) => d
            .parse::<NaiveDate>()
            .map_err(|_| ApiError::invalid(format!("运行日期：“{d}”不是日期")))?,
        None => today(),
    };
    let r = run_as(&s, &c, as_of, dry_run).await?;
    let lines = r.lines();
    let head = format!(
        "{}（按 {} 计）：到期未办 {} 项，到达提醒时点 {} 项；{} {} 条提醒{}。",
        if dry_run {
            "预览，未发送"
        } else {
            "已运行"
        },
        r.as_of,
        r.matters,
        r.reached,
        if dry_run { "将新发" } else { "新发" },
        r.recorded.new.len(),
        if r.recorded.already > 0 {
            format!("，{} 条之前已发过", r.recorded.already)
        } else {
            String::new()
        }
    );
    render(&s, "reminder_run.html", context! { head, lines, dry_run })
}

/// 打印催办单 — the notice of a unit, numbered and recorded, as a Word document.
async fn notice(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    f: FormData,
) -> PageResult<Response> {
    let unit = f
        .text("unit")
        .ok_or_else(|| ApiError::invalid("请选择单位"))?;
    let (n, bytes) =
        duban_app::notices::issue(&s.store, &c.account, &c.actor(), &unit, today()).await?;
    let name = format!("{}-{}-{}.docx", n.title(), n.unit, n.number);
    Ok(download(
        bytes,
        &name,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    .into_response())
}
