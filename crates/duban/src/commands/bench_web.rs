//! `duban bench web` — the web application under load: a fresh SQLite database with the demo
//! (province scale by default), the app on a loopback port, and N signed-in connections
//! requesting the ledger list (varied pages and filters) and then the dashboard for a fixed
//! time each. Reports requests/s, p50/p99/max latency and the process's peak memory (server
//! and load generator together).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::load_client::Client;
use duban_core::AccountRole;
use duban_store::{NewAccount, Store};

use crate::cli::{BenchWebArgs, DemoArgs};

/// Pages of the ledger a user clicks through: pages, a colour, a search, a kind sorted by lag.
const LEDGER: &[&str] = &[
    "/items",
    "/items?page=2",
    "/items?page=37",
    "/items?colour=red",
    "/items?search=%E4%BA%A7%E4%B8%9A%E5%9B%AD",
    "/items?kind=%E9%87%8D%E7%82%B9%E9%A1%B9%E7%9B%AE&sort=lag",
    "/items?colour=yellow&page=3",
];

struct Result {
    requests: usize,
    rps: f64,
    p50: f64,
    p99: f64,
    max: f64,
}

/// The report page as a unit's reporter works through it.
const REPORT: &[&str] = &[
    "/report",
    "/report?page=2",
    "/report?only=unreported",
    "/report?only=red&page=2",
    "/report?q=%E9%A1%B9%E7%9B%AE",
];

async fn load(
    addr: std::net::SocketAddr,
    cookie: &str,
    paths: &'static [&'static str],
    connections: usize,
    seconds: u64,
) -> anyhow::Result<Result> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..connections {
        let cookie = cookie.to_string();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::new(addr);
            c.cookie = Some(cookie);
            let mut lat = Vec::new();
            let mut i = n;
            while Instant::now() < deadline {
                let path = paths[i % paths.len()];
                i += 1;
                let t = Instant::now();
                let a = c
                    .get(path)
                    .await
                    .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
                anyhow::ensure!(a.status == 200, "{path}: {}", a.status);
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let wall = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Ok(Result {
        requests: all.len(),
        rps: all.len() as f64 / wall,
        p50: at(0.50),
        p99: at(0.99),
        max: all[all.len() - 1],
    })
}

pub async fn run(args: BenchWebArgs) -> anyhow::Result<ExitCode> {
    use tokio::io::AsyncBufReadExt;

    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("web.db").display());
    let store = Store::open(&url).await?;
    let t = Instant::now();
    let demo = DemoArgs {
        scale: args.scale,
        seed: 1,
        year: None,
    };
    for l in super::demo::load(&store, "bench", &demo, "临时数据库").await? {
        println!("{l}");
    }
    store
        .add_account(
            "bench",
            NewAccount {
                username: "bench".into(),
                display_name: "压测".into(),
                role: AccountRole::Admin,
                unit: None,
                leader: None,
                password: "load-test-2025".into(),
            },
        )
        .await?;
    // The reporter of the unit whose ledger is nearest 200 items (a county's size).
    let unit = store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.lead_items > 0)
        .min_by_key(|u| (u.lead_items - 200).abs())
        .ok_or_else(|| anyhow::anyhow!("演示数据没有单位"))?;
    store
        .add_account(
            "bench",
            NewAccount {
                username: "reporter".into(),
                display_name: "填报员".into(),
                role: AccountRole::Reporter,
                unit: Some(unit.unit.name.clone()),
                leader: None,
                password: "load-test-2025".into(),
            },
        )
        .await?;
    store.close().await;
    println!("准备用时 {:.1} s", t.elapsed().as_secs_f64());

    // The server in its own process, so its memory is its own.
    let mut server = tokio::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &url])
        .env("DUBAN_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = server.id().map(|p| p.to_string()).unwrap_or_default();
    let mut lines = tokio::io::BufReader::new(server.stdout.take().expect("piped")).lines();
    let addr: std::net::SocketAddr = loop {
        let line = lines
            .next_line()
            .await?
            .ok_or_else(|| anyhow::anyhow!("服务未能启动"))?;
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap_or_default().parse()?;
        }
    };
    let mut c = Client::new(addr);
    let a = c
        .login("bench", "load-test-2025")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(a.status == 200, "login: {}", a.text());
    let cookie = c.cookie.clone().unwrap_or_default();
    let t = Instant::now();
    let first = c.get("/items").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(first.status == 200);
    println!(
        "首次打开台账（计算全部状态并缓存）：{:.2} s",
        t.elapsed().as_secs_f64()
    );
    for (name, paths) in [
        ("项目台账（分页、筛选、搜索）", LEDGER),
        ("总览（挂图作战）", &["/"][..]),
    ] {
        let r = load(addr, &cookie, paths, args.connections, args.seconds).await?;
        println!(
            "{name}：{} 个连接 {} s，{} 次请求，{:.0} 次/秒；延迟 p50 {:.1} ms，p99 {:.1} ms，最长 {:.1} ms",
            args.connections, args.seconds, r.requests, r.rps, r.p50, r.p99, r.max
        );
    }
    let mut reporter = Client::new(addr);
    let a = reporter
        .login("reporter", "load-test-2025")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(a.status == 200, "login: {}", a.text());
    let cookie = reporter.cookie.clone().unwrap_or_default();
    let r = load(
        addr,
        &cookie,
        REPORT,
        args.connections.min(20),
        args.seconds,
    )
    .await?;
    println!(
        "进度填报（{}，牵头 {} 项；分页、未报筛选、搜索）：{} 个连接 {} s，{} 次请求，{:.0} 次/秒；延迟 p50 {:.1} ms，p99 {:.1} ms，最长 {:.1} ms",
        unit.unit.name,
        unit.lead_items,
        args.connections.min(20),
        args.seconds,
        r.requests,
        r.rps,
        r.p50,
        r.p99,
        r.max
    );
    println!(
        "服务进程峰值内存：{:.0} MiB。目标：台账 p99 < 50 ms（200 连接），峰值内存 < 200 MB。",
        super::peak_rss_mib(&pid).unwrap_or(0.0)
    );
    let _ = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await;
    server.wait().await?;
    Ok(ExitCode::SUCCESS)
}
