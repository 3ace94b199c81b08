//! 通讯录 — the office keeps how each unit and leader is reached; an .xlsx (单位, 联络员, 手机,
//! 邮箱, 群机器人) imports all or none, each name matched to the directory (a unit by its name,
//! alias or unique prefix, else a leader by name).

use std::path::Path;

use duban_core::reminder::Recipient;
use duban_core::{Account, Unit, unit::find_unit};
use duban_office::ReadContact;
use duban_store::{Channel, Contact, Robot, Store, robot_channel};

use crate::{AppError, AppResult};

fn office_only(account: &Account) -> AppResult<()> {
    if account.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("只有督查室可以维护通讯录".into()))
    }
}

/// Turns a read row into a contact of a unit or leader of the directory.
fn contact_of(
    row: ReadContact,
    units: &[Unit],
    leaders: &[duban_core::Leader],
) -> Result<(Recipient, Contact), String> {
    let of = match find_unit(units, &row.name) {
        Ok(u) => Recipient::Unit(u.name.clone()),
        Err(_) => match leaders.iter().find(|l| l.name == row.name.trim()) {
            Some(l) => Recipient::Leader(l.name.clone()),
            None => {
                return Err(format!(
                    "{}：“{}”既不是单位名录中的单位，也不是领导名录中的领导",
                    row.place, row.name
                ));
            }
        },
    };
    let robot = match row.robot {
        Some(url) => {
            let kind = match row.robot_kind.as_deref() {
                Some(k) => match Channel::parse(k) {
                    Ok(Channel::Email) | Err(_) => {
                        return Err(format!(
                            "{}：机器人类型“{k}”无法识别（应为 企业微信、钉钉 或 Webhook）",
                            row.place
                        ));
                    }
                    Ok(c) => c,
                },
                None => robot_channel(&url),
            };
            Some(Robot {
                kind,
                url,
                secret: row.secret,
            })
        }
        None => None,
    };
    let contact = Contact {
        liaison: row.liaison,
        phone: row.phone,
        email: row.email,
        robot,
    };
    Ok((of, contact))
}

/// Imports the contacts of `path`, all or none: every bad row named. Returns how many changed.
pub async fn import(
    store: &Store,
    account: &Account,
    actor: &str,
    path: &Path,
) -> AppResult<usize> {
    office_only(account)?;
    let rows = duban_office::read_contacts(path).map_err(|e| AppError::Invalid(e.to_string()))?;
    let units: Vec<Unit> = store.units().await?.into_iter().map(|u| u.unit).collect();
    let leaders = store.leaders().await?;
    let mut contacts = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for row in rows {
        match contact_of(row, &units, &leaders) {
            Ok(c) => contacts.push(c),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(format!(
            "{} 行无法导入，未写入任何数据：\n  {}",
            errors.len(),
            errors.join("\n  ")
        )));
    }
    Ok(store.import_contacts(actor, &contacts).await?)
}

/// Sets the contact of one unit or leader, as the office: whether anything changed.
pub async fn set(
    store: &Store,
    account: &Account,
    actor: &str,
    of: &Recipient,
    contact: &Contact,
) -> AppResult<bool> {
    office_only(account)?;
    Ok(store.set_contact(actor, of, contact).await?)
}
