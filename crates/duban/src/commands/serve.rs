//! `duban serve [--addr A] [--demo]` — the web application, with graceful shutdown on Ctrl-C
//! or SIGTERM.

use std::process::ExitCode;

use duban_core::AccountRole;
use duban_store::{NewAccount, Store};

use super::Ctx;
use crate::cli::{DemoArgs, ServeArgs};

/// A demo account for every role, with fresh passwords; (role, user name, password).
async fn demo_accounts(
    store: &Store,
    actor: &str,
) -> anyhow::Result<Vec<(AccountRole, String, String)>> {
    let units = store.units().await?;
    let reporter_unit = units
        .iter()
        .find(|u| u.lead_items > 0 && u.unit.kind == duban_core::UnitKind::Region)
        .or_else(|| units.iter().find(|u| u.lead_items > 0))
        .map(|u| u.unit.name.clone());
    let leader = store
        .items(&duban_store::ItemFilter {
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .into_iter()
        .find_map(|i| i.leader);
    let plan = [
        (AccountRole::Admin, "admin", "督查室管理员", None, None),
        (
            AccountRole::Leader,
            "leader",
            "包抓领导",
            None,
            leader.clone(),
        ),
        (
            AccountRole::Reporter,
            "reporter",
            "填报员",
            reporter_unit.clone(),
            None,
        ),
        (AccountRole::Judge, "judge", "观摩评委", None, None),
        (AccountRole::Viewer, "viewer", "只读用户", None, None),
    ];
    let mut out = Vec::new();
    for (role, username, name, unit, leader) in plan {
        if role == AccountRole::Leader && leader.is_none() {
            continue;
        }
        let password = duban_store::fresh_password();
        let display = match (&unit, &leader) {
            (Some(u), _) => format!("{u}{name}"),
            (_, Some(l)) => l.name.clone(),
            _ => name.to_string(),
        };
        store
            .add_account(
                actor,
                NewAccount {
                    username: username.to_string(),
                    display_name: display,
                    role,
                    unit,
                    leader,
                    password: password.clone(),
                },
            )
            .await?;
        out.push((role, username.to_string(), password));
    }
    Ok(out)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

pub async fn run(ctx: &Ctx, a: ServeArgs) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DUBAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_target(false)
        .init();
    // With --demo: a fresh database in a temporary folder, gone when the server stops.
    let demo_dir = if a.demo {
        Some(tempfile::tempdir()?)
    } else {
        None
    };
    let url = match &demo_dir {
        Some(d) => format!("sqlite://{}", d.path().join("demo.db").display()),
        None => ctx.database_url.clone(),
    };
    let store = Store::open(&url).await?;
    let mut accounts = Vec::new();
    if a.demo {
        let args = DemoArgs {
            scale: a.scale,
            items: None,
            seed: 1,
            year: None,
        };
        for l in super::demo::load(&store, &ctx.actor, &args, "临时演示数据库").await? {
            println!("{l}");
        }
        accounts = demo_accounts(&store, &ctx.actor).await?;
    }
    // Before the address: whoever reads only up to the address line may then close our stdout.
    let channels = duban_app::notify::Channels::from_env()?;
    println!("催办：{}", channels.summary());
    let listener = tokio::net::TcpListener::bind(a.addr).await?;
    let addr = listener.local_addr()?;
    println!("duban 已启动：http://{addr}/    接口文档：http://{addr}/api/docs");
    if !accounts.is_empty() {
        println!("演示账号（密码每次启动重新生成）：");
        for (role, user, password) in &accounts {
            println!("  {:<14} 用户名 {user:<10} 密码 {password}", role.label());
        }
    }
    use std::io::Write;
    std::io::stdout().flush()?;
    let mut state = duban_web::AppState::new(store, a.secure_cookies);
    if let Some(dir) = a.attachment_dir.clone() {
        state = state.with_evidence_dir(dir);
    }
    state = state.with_channels(channels);
    if a.remind_every > 0 {
        tokio::spawn(remind_job(
            state.store.clone(),
            state.channels.clone(),
            std::time::Duration::from_secs(a.remind_every * 60),
        ));
    }
    state.warm_up();
    let limits = duban_web::server::Limits {
        trusted_proxies: Vec::leak(a.trusted_proxy.clone()),
        ..Default::default()
    };
    duban_web::serve_limited(state, listener, limits, shutdown_signal()).await?;
    drop(demo_dir);
    Ok(ExitCode::SUCCESS)
}

/// The reminder job on a schedule: each round records the day's reminders (once, whichever
/// server gets there first) and sends what is queued. A round that fails is reported and the
/// next one tries again.
async fn remind_job(
    store: std::sync::Arc<duban_store::Store>,
    channels: std::sync::Arc<duban_app::notify::Channels>,
    every: std::time::Duration,
) {
    let server = format!(
        "serve-{}-{}",
        std::process::id(),
        duban_store::secret().chars().take(8).collect::<String>()
    );
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let today = duban_app::clock::today();
        match duban_app::reminders::run_and_deliver(&store, &channels, &server, today, false).await
        {
            Ok((run, sent)) => {
                let sent = sent.unwrap_or_default();
                if !run.recorded.new.is_empty() || sent.sent + sent.failed + sent.retrying > 0 {
                    eprintln!(
                        "催办 {today}：新提醒 {} 项，消息 {} 条；外发已发送 {}，待重试 {}，失败 {}",
                        run.recorded.new.len(),
                        run.recorded.messages.len(),
                        sent.sent,
                        sent.retrying,
                        sent.failed
                    );
                }
            }
            Err(e) => eprintln!("催办任务出错（下一轮再试）：{e}"),
        }
    }
}
