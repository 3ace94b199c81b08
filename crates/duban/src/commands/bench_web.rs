//! `duban bench web` — the web application under load, on either backend, on one server or
//! several behind nginx: the demo (province scale by default) written into a fresh database
//! (a temporary SQLite file, or a database of its own created on the PostgreSQL server of
//! `--database-url` and dropped afterwards), the servers started as their own processes, and
//! then, page by page: the first request after a write (cold), requests one at a time (warm),
//! a few users at once, and finally the ledger and the overview under many connections.
//! Reports latencies and every server's peak memory.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::cluster::Cluster;
use super::load_client::Client;
use duban_core::AccountRole;
use duban_store::{NewAccount, ScratchDatabase, Store};

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

/// The ledger through the API, as an integration pages through it.
const API_ITEMS: &[&str] = &[
    "/api/items",
    "/api/items?page=2",
    "/api/items?colour=red",
    "/api/items?search=%E4%BA%A7%E4%B8%9A%E5%9B%AD",
    "/api/status?page=3",
];

/// The report page as a unit's reporter works through it.
const REPORT: &[&str] = &[
    "/report",
    "/report?page=2",
    "/report?only=unreported",
    "/report?only=red&page=2",
    "/report?q=%E9%A1%B9%E7%9B%AE",
];

/// Who opens a page.
#[derive(Clone, Copy, PartialEq)]
enum Who {
    Office,
    Reporter,
}

/// Every page of the menu, as the office (or the unit's reporter) opens it.
const PAGES: &[(&str, Who, &[&str])] = &[
    ("总览（挂图作战）", Who::Office, &["/"]),
    ("项目台账", Who::Office, LEDGER),
    ("台账接口", Who::Office, API_ITEMS),
    (
        "排名",
        Who::Office,
        &["/rankings", "/rankings?by=department"],
    ),
    (
        "排名接口",
        Who::Office,
        &["/api/rankings", "/api/rankings?by=department"],
    ),
    ("通报（草稿）", Who::Office, &["/bulletin"]),
    (
        "进度填报（督查室，全部项目）",
        Who::Office,
        &["/report", "/report?page=2", "/report?only=unreported"],
    ),
    ("进度填报（责任单位）", Who::Reporter, REPORT),
    ("问题督办", Who::Office, &["/problems"]),
    ("督办任务", Who::Office, &["/tasks"]),
    ("待办", Who::Office, &["/todos"]),
    ("延期审批", Who::Office, &["/extensions"]),
    ("催办", Who::Office, &["/reminders"]),
    ("观摩评比", Who::Office, &["/tours"]),
    ("考核", Who::Office, &["/assessment"]),
    ("问责台账", Who::Office, &["/accountability"]),
];

/// Latencies of a run, in milliseconds.
struct Figures {
    requests: usize,
    rps: f64,
    p50: f64,
    p99: f64,
    max: f64,
}

impl Figures {
    fn of(mut ms: Vec<f64>, wall: f64) -> Figures {
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q) as usize).min(ms.len() - 1)];
        Figures {
            requests: ms.len(),
            rps: ms.len() as f64 / wall,
            p50: at(0.50),
            p99: at(0.99),
            max: ms[ms.len() - 1],
        }
    }
}

async fn get(c: &mut Client, path: &str) -> anyhow::Result<f64> {
    let t = Instant::now();
    let a = c
        .get(path)
        .await
        .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    anyhow::ensure!(a.status == 200, "{path}: {} {}", a.status, a.text());
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

/// `connections` clients, each on its own kept-alive connection, cycling through `paths`
/// for `seconds`.
async fn load(
    addr: SocketAddr,
    cookie: &str,
    paths: &'static [&'static str],
    connections: usize,
    seconds: u64,
) -> anyhow::Result<Figures> {
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
                lat.push(get(&mut c, paths[i % paths.len()]).await?);
                i += 1;
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Figures::of(all, started.elapsed().as_secs_f64()))
}

/// The database the benchmark writes: a temporary SQLite file, or a scratch database on the
/// PostgreSQL server named.
enum Target {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres(ScratchDatabase),
}

impl Target {
    async fn new(server: Option<&str>) -> anyhow::Result<Target> {
        match server {
            None => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("web.db").display());
                Ok(Target::Sqlite { _dir: dir, url })
            }
            Some(u) => Ok(Target::Postgres(
                ScratchDatabase::create(u, "duban_bench_web").await?,
            )),
        }
    }

    fn url(&self) -> &str {
        match self {
            Target::Sqlite { url, .. } => url,
            Target::Postgres(s) => &s.url,
        }
    }
}

/// With `--database-url postgres://…` the benchmark runs on that server, in a database of its
/// own; with an SQLite URL (the default) in a temporary file — never in the user's data.
pub async fn run(args: BenchWebArgs, database_url: &str) -> anyhow::Result<ExitCode> {
    let server = database_url.starts_with("postgres").then_some(database_url);
    let target = Target::new(server).await?;
    let result = measure(&args, target.url()).await;
    if let Target::Postgres(scratch) = target {
        scratch.drop_now().await?;
    }
    result
}

/// Signs in; the session cookie.
async fn sign_in(addr: SocketAddr, username: &str) -> anyhow::Result<String> {
    let mut c = Client::new(addr);
    let a = c
        .login(username, "load-test-2025")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(a.status == 200, "login: {}", a.text());
    Ok(c.cookie.unwrap_or_default())
}

/// The demo and the two accounts; the reporter's unit and its items.
async fn prepare(args: &BenchWebArgs, url: &str) -> anyhow::Result<(String, i64)> {
    let store = Store::open(url).await?;
    let demo = DemoArgs {
        scale: args.scale,
        items: args.items,
        seed: 1,
        year: None,
    };
    for l in super::demo::load(&store, "bench", &demo, "临时数据库").await? {
        println!("{l}");
    }
    let account = |username: &str, role, unit| NewAccount {
        username: username.into(),
        display_name: "压测".into(),
        role,
        unit,
        leader: None,
        password: "load-test-2025".into(),
    };
    store
        .add_account("bench", account("bench", AccountRole::Admin, None))
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
            account(
                "reporter",
                AccountRole::Reporter,
                Some(unit.unit.name.clone()),
            ),
        )
        .await?;
    store.close().await;
    Ok((unit.unit.name, unit.lead_items))
}

/// A write as a unit makes it all day — a report for the open period, here a correction of
/// one item's last report, its figures as they were — so the next view of every page is cold.
async fn write_something(store: &Store, n: usize) -> anyhow::Result<()> {
    let period = super::period_or_last(None)?;
    let projects = duban_store::ItemFilter {
        kind: Some(duban_core::ItemKind::Project),
        ..Default::default()
    };
    // A different project each time, wherever the ledger ends.
    let count = store.count_filtered(&projects).await?.max(1);
    let items = store
        .items(&duban_store::ItemFilter {
            offset: Some(n as i64 * 97 % count),
            limit: Some(1),
            ..projects
        })
        .await?;
    let item = items
        .first()
        .ok_or_else(|| anyhow::anyhow!("演示数据没有项目"))?;
    let last = store
        .report_history(&item.code)
        .await?
        .into_iter()
        .rfind(|r| r.period <= period);
    let report = duban_core::ReportDraft {
        ytd: last.as_ref().and_then(|r| r.report.ytd),
        progress_text: Some(format!("第 {n} 次更正：形象进度如前")),
        ..Default::default()
    };
    store
        .submit_report(
            "bench",
            duban_store::Submission {
                code: item.code.clone(),
                period: last.map_or(period, |r| r.period),
                report,
                reason: Some("基准测试：更正形象进度".into()),
                submitted_on: super::today(),
            },
        )
        .await?;
    Ok(())
}

/// The office's first view of the ledger through `addr`, in ms.
async fn first_ledger_view(addr: SocketAddr) -> anyhow::Result<f64> {
    let mut c = Client::new(addr);
    c.cookie = Some(sign_in(addr, "bench").await?);
    get(&mut c, "/items").await
}

/// Seconds until today's status is kept in the database (at most ten minutes).
async fn kept(url: &str) -> anyhow::Result<f64> {
    let store = Store::open(url).await?;
    let t = Instant::now();
    while duban_web::kept_version(&store, super::today())
        .await?
        .is_none()
    {
        anyhow::ensure!(t.elapsed().as_secs() < 600, "十分钟内状态未留存");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    store.close().await;
    Ok(t.elapsed().as_secs_f64())
}

async fn measure(args: &BenchWebArgs, url: &str) -> anyhow::Result<ExitCode> {
    let t = Instant::now();
    let (unit, unit_items) = prepare(args, url).await?;
    println!("准备用时 {:.1} s", t.elapsed().as_secs_f64());
    let exe = std::env::current_exe()?;
    let cluster = Cluster::start(&exe, url, args.servers).await?;
    let first = first_ledger_view(cluster.addr).await?;
    println!("首次打开台账（启动后，无留存状态，计算全部状态）：{first:.0} ms");
    // The status the servers judged is kept in the database: servers starting again read it.
    let kept_in = kept(url).await?;
    cluster.stop().await?;
    let cluster = Cluster::start(&exe, url, args.servers).await?;
    let again = first_ledger_view(cluster.addr).await?;
    println!(
        "重启后首次打开台账（读取留存的状态）：{again:.0} ms（首次打开后 {kept_in:.1} s 状态已留存）"
    );
    let addr = cluster.addr;
    if args.servers > 1 {
        println!(
            "{} 台服务（{}）经 nginx（{addr}）",
            args.servers,
            cluster
                .servers
                .iter()
                .map(|(a, _)| a.to_string())
                .collect::<Vec<_>>()
                .join("、")
        );
    }
    let office = sign_in(addr, "bench").await?;
    let reporter = sign_in(addr, "reporter").await?;
    let mut c = Client::new(addr);
    c.cookie = Some(office.clone());

    let writer = Store::open(url).await?;
    println!(
        "\n逐页（冷：一次写入后的第一次打开；热：逐个请求 20 次的中位数和最长；{} 人同时：{} s）",
        args.users, args.seconds
    );
    for (n, (name, who, paths)) in PAGES.iter().enumerate() {
        let cookie = if *who == Who::Reporter {
            &reporter
        } else {
            &office
        };
        let mut c = Client::new(addr);
        c.cookie = Some(cookie.clone());
        write_something(&writer, n).await?;
        // Another server notices a write within a second: wait that long, then ask.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let cold = get(&mut c, paths[0]).await?;
        let mut cold_rest = 0f64;
        for p in &paths[1..] {
            cold_rest = cold_rest.max(get(&mut c, p).await?);
        }
        let mut warm = Vec::new();
        for i in 0..20 {
            warm.push(get(&mut c, paths[i % paths.len()]).await?);
        }
        let warm = Figures::of(warm, 1.0);
        let busy = load(addr, cookie, paths, args.users, args.seconds).await?;
        let peak = cluster
            .servers
            .iter()
            .map(|(_, pid)| super::peak_rss_mib(&pid.to_string()).unwrap_or(0.0))
            .fold(0.0, f64::max);
        println!(
            "{name}：冷 {cold:.0} ms（其余查询首次最长 {cold_rest:.1} ms）；热 中位 {:.1} ms，最长 {:.1} ms；{} 人同时 {:.0} 次/秒，p50 {:.1} ms，p99 {:.1} ms，最长 {:.1} ms；服务峰值内存至此 {peak:.0} MiB",
            warm.p50, warm.max, args.users, busy.rps, busy.p50, busy.p99, busy.max
        );
    }
    writer.close().await;

    println!(
        "\n大量连接（{} 个，每页 {} s）",
        args.connections, args.seconds
    );
    for (name, paths) in [
        ("项目台账（分页、筛选、搜索）", LEDGER),
        ("总览（挂图作战）", &["/"][..]),
        ("台账接口", API_ITEMS),
    ] {
        // The views of the last write computed first: this measures the warm server.
        get(&mut c, paths[0]).await?;
        let r = load(addr, &office, paths, args.connections, args.seconds).await?;
        println!(
            "{name}：{} 个连接 {} s，{} 次请求，{:.0} 次/秒；延迟 p50 {:.1} ms，p99 {:.1} ms，最长 {:.1} ms",
            args.connections, args.seconds, r.requests, r.rps, r.p50, r.p99, r.max
        );
    }
    let r = load(
        addr,
        &reporter,
        REPORT,
        args.connections.min(20),
        args.seconds,
    )
    .await?;
    println!(
        "进度填报（{unit}，牵头 {unit_items} 项）：{} 个连接 {} s，{} 次请求，{:.0} 次/秒；延迟 p50 {:.1} ms，p99 {:.1} ms，最长 {:.1} ms",
        args.connections.min(20),
        args.seconds,
        r.requests,
        r.rps,
        r.p50,
        r.p99,
        r.max
    );
    for (addr, pid) in &cluster.servers {
        println!(
            "服务进程 {addr} 峰值内存：{:.0} MiB",
            super::peak_rss_mib(&pid.to_string()).unwrap_or(0.0)
        );
    }
    println!(
        "目标：每页热 < 20 ms、冷 < 300 ms；{} 人同时 p99 < 200 ms；台账 p99 < 50 ms（200 连接）；峰值内存 < 250 MB。",
        args.users
    );
    cluster.stop().await?;
    Ok(ExitCode::SUCCESS)
}
