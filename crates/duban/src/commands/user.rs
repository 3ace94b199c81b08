//! `duban user add|passwd|list|token` — accounts for the web application.

use std::io::BufRead;
use std::process::ExitCode;

use duban_core::Leader;
use duban_store::NewAccount;

use super::Ctx;
use crate::cli::{ShowFormat, UserCommand};
use crate::render::{or_dash, print_json, table};

/// The password from the flag, else the first line of standard input.
fn password(flag: Option<String>) -> anyhow::Result<String> {
    if let Some(p) = flag {
        return Ok(p);
    }
    eprintln!(
        "请输入密码（{}–{} 位，含字母、数字、符号中的至少两类），回车结束：",
        duban_store::MIN_PASSWORD,
        duban_store::MAX_PASSWORD
    );
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn run(ctx: &Ctx, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            unit,
            leader,
            password: p,
        } => {
            let leader = match leader.as_deref() {
                Some(l) => Some(
                    Leader::parse_list(l)
                        .into_iter()
                        .next()
                        .ok_or_else(|| anyhow::anyhow!("--leader：无法识别“{l}”"))?,
                ),
                None => None,
            };
            let a = store
                .add_account(
                    &ctx.actor,
                    NewAccount {
                        username,
                        display_name: name,
                        role,
                        unit,
                        leader,
                        password: password(p)?,
                    },
                )
                .await?;
            println!("已创建用户 {}（{}）", a.username, a.role.label());
        }
        UserCommand::Passwd {
            username,
            password: p,
        } => {
            store
                .set_password(&ctx.actor, &username, &password(p)?)
                .await?;
            println!("已修改 {username} 的密码；该用户已登录的会话全部失效");
        }
        UserCommand::List { format } => {
            let accounts = store.accounts().await?;
            match format {
                ShowFormat::Json => print_json(&accounts)?,
                ShowFormat::Table => {
                    let mut t = table(&["用户名", "姓名", "角色", "所属单位", "包抓领导"]);
                    for a in &accounts {
                        t.add_row(vec![
                            a.username.clone(),
                            a.display_name.clone(),
                            a.role.label().to_string(),
                            or_dash(a.unit.clone()),
                            or_dash(a.leader.as_ref().map(ToString::to_string)),
                        ]);
                    }
                    println!("{t}");
                }
            }
        }
        UserCommand::Token {
            username,
            name,
            revoke: true,
            ..
        } => {
            let n = store
                .revoke_tokens(&ctx.actor, &username, name.as_deref())
                .await?;
            println!("已撤销 {username} 的 {n} 个 API 令牌");
        }
        UserCommand::Token {
            username,
            list: true,
            ..
        } => {
            let mut t = table(&["用户名", "名称", "签发时间", "到期时间", "撤销时间"]);
            for k in store.tokens(Some(&username)).await? {
                t.add_row(vec![
                    k.username,
                    k.name,
                    k.created_at,
                    k.expires_at,
                    or_dash(k.revoked_at),
                ]);
            }
            println!("{t}");
        }
        UserCommand::Token {
            username,
            name,
            days,
            ..
        } => {
            let name = name.unwrap_or_else(|| "script".into());
            let token = store
                .issue_token(&ctx.actor, &username, &name, days)
                .await?;
            println!("{token}");
            eprintln!(
                "（API 令牌只显示这一次，{days} 天后失效；请求时放在 Authorization: Bearer 之后）"
            );
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
