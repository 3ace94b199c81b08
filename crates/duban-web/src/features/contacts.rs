//! 通讯录 — how the office reaches each unit and leader: the 联络员, a mobile, an email address
//! and a group robot (企业微信, 钉钉 or a webhook) that reminders are also sent to. The office
//! keeps it row by row on the page, uploads an .xlsx (单位, 联络员, 手机, 邮箱, 群机器人 — all or
//! none, each bad row named), or writes many at once through the API (all or none); a
//! robot's 加签密钥 is never shown again once set, and is kept when left blank.

use axum::extract::Multipart;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use duban_core::Recipient;
use duban_store::{Channel, Contact, Robot, robot_channel};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::evidence::FormData;
use crate::page::{PageResult, Visitor, about_upload, page, render, upload};
use crate::schema::RobotKindCode;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(contacts_page).post(save_page))
        .route("/contacts/import", post(import_page))
        .route("/api/contacts", get(contacts).put(put_contacts))
}

fn office(c: &Caller) -> ApiResult<()> {
    if c.account.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("通讯录只对督查室开放"))
    }
}

/// 群机器人
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Robot)]
pub struct RobotView {
    #[schema(value_type = RobotKindCode)]
    pub kind: String,
    pub url: String,
    /// 已设置加签密钥（密钥本身不返回）
    pub has_secret: bool,
}

/// 联系方式
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Contact)]
pub struct ContactView {
    /// unit 单位 | leader 领导
    pub kind: String,
    /// 单位或领导的名称
    pub name: String,
    /// 联络员
    pub liaison: Option<String>,
    /// 手机
    pub phone: Option<String>,
    /// 邮箱
    pub email: Option<String>,
    pub robot: Option<RobotView>,
}

impl From<(Recipient, Contact)> for ContactView {
    fn from((of, c): (Recipient, Contact)) -> Self {
        let Contact {
            liaison,
            phone,
            email,
            robot,
        } = c;
        let (kind, name) = match of {
            Recipient::Unit(n) => ("unit", n),
            Recipient::Leader(n) => ("leader", n),
            Recipient::Office => ("office", "督查室".to_string()),
        };
        ContactView {
            kind: kind.to_string(),
            name,
            liaison,
            phone,
            email,
            robot: robot.map(|r| RobotView {
                kind: r.kind.code().to_string(),
                url: r.url,
                has_secret: r.secret.is_some(),
            }),
        }
    }
}

/// 一条联系方式：空的项清除；群机器人的加签密钥不填则保留原有的
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContactRequest {
    /// unit 单位 | leader 领导
    pub kind: String,
    /// 单位或领导的名称
    pub name: String,
    pub liaison: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 群机器人地址（https://…）
    pub robot_url: Option<String>,
    /// 群机器人类型；不填按地址判断
    #[schema(value_type = Option<RobotKindCode>)]
    pub robot_kind: Option<String>,
    /// 加签密钥（钉钉）
    pub robot_secret: Option<String>,
}

fn blank(v: Option<String>) -> Option<String> {
    v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl ContactRequest {
    /// The contact it describes, a secret left blank taken from `known` for the same robot.
    fn contact(self, known: &[(Recipient, Contact)]) -> ApiResult<(Recipient, Contact)> {
        let name = self.name.trim().to_string();
        let of = match self.kind.trim() {
            "unit" | "单位" => Recipient::Unit(name),
            "leader" | "领导" => Recipient::Leader(name),
            other => {
                return Err(ApiError::invalid(format!(
                    "类型：无法识别“{other}”（可选：unit 单位、leader 领导）"
                )));
            }
        };
        let robot = match blank(self.robot_url) {
            None => None,
            Some(url) => {
                let kind = match blank(self.robot_kind) {
                    Some(k) => match Channel::parse(&k) {
                        Ok(Channel::Email) | Err(_) => {
                            return Err(ApiError::invalid(format!(
                                "群机器人类型：无法识别“{k}”（可选：企业微信、钉钉、Webhook）"
                            )));
                        }
                        Ok(c) => c,
                    },
                    None => robot_channel(&url),
                };
                let secret = blank(self.robot_secret).or_else(|| {
                    known
                        .iter()
                        .find(|(o, _)| *o == of)
                        .and_then(|(_, c)| c.robot.as_ref())
                        .filter(|r| r.url == url)
                        .and_then(|r| r.secret.clone())
                });
                Some(Robot { kind, url, secret })
            }
        };
        Ok((
            of,
            Contact {
                liaison: blank(self.liaison),
                phone: blank(self.phone),
                email: blank(self.email),
                robot,
            },
        ))
    }
}

#[utoipa::path(get, path = "/api/contacts", tag = "催办",
    responses((status = 200, description = "通讯录（单位在前）", body = Vec<ContactView>), (status = 403, body = ApiError)))]
async fn contacts(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<ContactView>>> {
    office(&caller)?;
    let all = s.store.contacts().await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

#[utoipa::path(put, path = "/api/contacts", tag = "催办", request_body = Vec<ContactRequest>,
    responses((status = 200, description = "已写入（全部成功或全部不写）；整个通讯录", body = Vec<ContactView>),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn put_contacts(
    State(s): State<AppState>,
    caller: Caller,
    Json(b): Json<Vec<ContactRequest>>,
) -> ApiResult<Json<Vec<ContactView>>> {
    office(&caller)?;
    if b.len() > 5000 {
        return Err(ApiError::invalid("一次最多写入 5000 条联系方式"));
    }
    let known = s.store.contacts().await?;
    let written = b
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            c.contact(&known)
                .map_err(|e| ApiError::invalid(format!("第 {} 条：{}", i + 1, e.detail)))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    s.store.import_contacts(&caller.actor(), &written).await?;
    let all = s.store.contacts().await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

// ---- the page ----

/// A row of the page: a unit or a leader and how it is reached.
fn row(kind: &str, name: &str, label: &str, c: Option<&Contact>) -> Value {
    let robot = c.and_then(|c| c.robot.as_ref());
    context! {
        kind, name, label,
        liaison => c.and_then(|c| c.liaison.clone()), phone => c.and_then(|c| c.phone.clone()),
        email => c.and_then(|c| c.email.clone()),
        robot_url => robot.map(|r| r.url.clone()), robot_kind => robot.map(|r| r.kind.code()),
        robot_label => robot.map(|r| r.kind.label()), has_secret => robot.is_some_and(|r| r.secret.is_some()),
        key => format!("{kind}-{name}"),
    }
}

/// Every unit of the directory and every leader, each with its contact (or none yet).
async fn rows(s: &AppState) -> ApiResult<Vec<Value>> {
    let known = s.store.contacts().await?;
    let find = |of: Recipient| known.iter().find(|(o, _)| *o == of).map(|(_, c)| c);
    let mut out = Vec::new();
    for u in s.store.unit_directory().await? {
        let c = find(Recipient::Unit(u.name.clone()));
        out.push(row("unit", &u.name, &u.name, c));
    }
    for l in s.store.leaders().await? {
        let c = find(Recipient::Leader(l.name.clone()));
        out.push(row("leader", &l.name, &l.to_string(), c));
    }
    Ok(out)
}

async fn contacts_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    office(&c)?;
    let rows = rows(&s).await?;
    let set = rows
        .iter()
        .filter(|r| {
            r.get_attr("phone").is_ok_and(|v| !v.is_none())
                || r.get_attr("email").is_ok_and(|v| !v.is_none())
                || r.get_attr("robot_url").is_ok_and(|v| !v.is_none())
        })
        .count();
    let ctx = page(&c, "通讯录", "contacts", false);
    render(
        &s,
        "contacts.html",
        context! { rows, set, kinds => [("wecom", "企业微信"), ("dingtalk", "钉钉"), ("webhook", "Webhook")], ..ctx },
    )
}

/// A row saved from the page: the row again, as it now is.
async fn save_page(State(s): State<AppState>, Visitor(c): Visitor, f: FormData) -> PageResult {
    office(&c)?;
    let known = s.store.contacts().await?;
    let req = ContactRequest {
        kind: f.text("kind").unwrap_or_default(),
        name: f.text("name").unwrap_or_default(),
        liaison: f.text("liaison"),
        phone: f.text("phone"),
        email: f.text("email"),
        robot_url: f.text("robot_url"),
        robot_kind: f.text("robot_kind"),
        robot_secret: f.text("robot_secret"),
    };
    let (of, contact) = req.contact(&known)?;
    s.store.set_contact(&c.actor(), &of, &contact).await?;
    let label = match &of {
        Recipient::Leader(n) => s
            .store
            .leaders()
            .await?
            .into_iter()
            .find(|l| &l.name == n)
            .map(|l| l.to_string())
            .unwrap_or_else(|| n.clone()),
        other => other.name().to_string(),
    };
    let (kind, name) = match &of {
        Recipient::Leader(n) => ("leader", n.clone()),
        other => ("unit", other.name().to_string()),
    };
    let r = row(kind, &name, &label, Some(&contact));
    let ctx = page(&c, "通讯录", "contacts", false);
    render(
        &s,
        "contact_row.html",
        context! { r, saved => true, kinds => [("wecom", "企业微信"), ("dingtalk", "钉钉"), ("webhook", "Webhook")], ..ctx },
    )
}

/// An uploaded 通讯录 .xlsx, written all or none: how many contacts changed, or every bad row.
async fn import_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    form: Multipart,
) -> PageResult {
    office(&c)?;
    let (_dir, path, _) = upload(form).await?;
    let (summary, errors) =
        match duban_app::contacts::import(&s.store, &c.account, &c.actor(), &path).await {
            Ok(n) => (
                format!("导入完成：{n} 个单位或领导的联系方式有变化，刷新页面即可看到。"),
                Vec::new(),
            ),
            Err(duban_app::AppError::Invalid(m)) => (
                String::new(),
                m.lines()
                    .skip(usize::from(m.lines().count() > 1))
                    .map(|l| about_upload(l.trim(), &path))
                    .collect(),
            ),
            Err(e) => return Err(ApiError::from(e).into()),
        };
    render(&s, "import_result.html", context! { summary, errors })
}
