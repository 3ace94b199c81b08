//! `duban bench import` — the province-scale import benchmark, run with the real command in a
//! child process so that its wall time and peak memory are those a user would see.

use std::process::{Command, ExitCode};
use std::time::Instant;

use chrono::Datelike;
use duban_demo::{Scale, generate};
use duban_office::{ExportOptions, write_ledger};

use super::{Ctx, today};
use crate::cli::BenchImportArgs;

pub async fn import(_ctx: &Ctx, args: BenchImportArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let year = today().year();
    let t = Instant::now();
    let mut demo = generate(Scale::Province, 1, year);
    demo.items.truncate(args.rows);
    let items: Vec<_> = demo.items.iter().map(|(i, _)| i.clone()).collect();
    let file = match &args.keep {
        Some(p) => p.clone(),
        None => dir.path().join("province.xlsx"),
    };
    let opts = ExportOptions {
        title: format!("{year}年全省重点项目台账"),
        exported_on: today().to_string(),
    };
    write_ledger(&file, &items, &[], &opts)?;
    drop((demo, items));
    let size_mb = std::fs::metadata(&file)?.len() as f64 / 1_048_576.0;
    println!(
        "生成台账：{} 行，{:.1} MB，用时 {:.2} s（{}）",
        args.rows,
        size_mb,
        t.elapsed().as_secs_f64(),
        file.display()
    );

    let exe = std::env::current_exe()?;
    let import = |url: &str| -> anyhow::Result<(f64, serde_json::Value)> {
        let t = Instant::now();
        let out = Command::new(&exe)
            .args(["import", "ledger"])
            .arg(&file)
            .args([
                "--format",
                "json",
                "--database-url",
                url,
                "--actor",
                "bench",
            ])
            .output()?;
        let wall = t.elapsed().as_secs_f64();
        if !out.status.success() {
            anyhow::bail!("导入失败：{}", String::from_utf8_lossy(&out.stderr));
        }
        Ok((wall, serde_json::from_slice(&out.stdout)?))
    };
    let report = |what: &str, wall: f64, v: &serde_json::Value| {
        println!(
            "{what}：{wall:.2} s，{:.0} 行/秒（读取 {} ms，写入 {} ms；新增 {}，更新 {}，未变化 {}），峰值内存 {:.0} MiB",
            args.rows as f64 / wall,
            v["timings_ms"]["read"],
            v["timings_ms"]["write"],
            v["summary"]["created"],
            v["summary"]["updated"],
            v["summary"]["unchanged"],
            v["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
        );
    };
    let runs = if args.target_url.is_some() {
        1
    } else {
        args.runs.max(1)
    };
    let mut walls = Vec::new();
    let mut url = String::new();
    for run in 1..=runs {
        url = args.target_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                dir.path().join(format!("bench-{run}.db")).display()
            )
        });
        let (wall, v) = import(&url)?;
        report(&format!("首次导入（空库）第 {run} 次"), wall, &v);
        walls.push(wall);
    }
    let (wall, v) = import(&url)?;
    report("再次导入（全部未变化）", wall, &v);
    walls.sort_by(f64::total_cmp);
    println!(
        "首次导入 {runs} 次：中位数 {:.2} s（最快 {:.2} s，最慢 {:.2} s），{:.0} 行/秒。目标：< 3 s，峰值内存 < 300 MB。",
        walls[walls.len() / 2],
        walls[0],
        walls[walls.len() - 1],
        args.rows as f64 / walls[walls.len() / 2]
    );
    Ok(ExitCode::SUCCESS)
}

/// `duban bench status`: a fresh SQLite database with the province demo of last year and its
/// twelve monthly reports, then the status of every item, timed.
/// A province-scale SQLite database in `dir`: the demo's first `items` items of last year with
/// a year of monthly reports and, with `problems`, the demo's problems; its year.
async fn province_store(
    dir: &std::path::Path,
    items: usize,
    problems: bool,
) -> anyhow::Result<(duban_store::Store, i32)> {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    province_store_at(&url, items, problems).await
}

/// As [`province_store`], in the (empty) database at `url`.
async fn province_store_at(
    url: &str,
    items: usize,
    problems: bool,
) -> anyhow::Result<(duban_store::Store, i32)> {
    use duban_core::Period;
    use duban_store::{ImportOptions, LedgerEntry, Store};

    let year = today().year() - 1;
    let t = Instant::now();
    let mut demo = generate(Scale::Province, 1, year);
    demo.items.truncate(items);
    let reports = duban_demo::reports(&demo, 1, Period::month(year, 12).expect("a demo year"));
    let demo_problems = if problems {
        let year_end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
        duban_demo::problems(&demo, 1, year_end)
    } else {
        Vec::new()
    };
    let store = Store::open(url).await?;
    store.ensure_units("bench", &demo.units).await?;
    let listed = std::mem::take(&mut demo.listed);
    let entries = demo
        .items
        .into_iter()
        .map(|(i, m)| {
            let listed_on = listed.get(&i.code).copied();
            let mut e = LedgerEntry::whole(i, Some(m));
            e.listed_on = listed_on;
            e
        })
        .collect();
    store
        .import_ledger(
            entries,
            &ImportOptions {
                actor: "bench".into(),
                dry_run: false,
            },
        )
        .await?;
    let n_reports = reports.len();
    let submissions = super::demo::as_submissions(reports);
    store.import_reports("bench", submissions).await?;
    let n_problems = super::demo::drive_problems(&store, "bench", demo_problems).await?;
    println!(
        "准备：{items} 项，{n_reports} 条月报（{year} 年 1–12 月），{n_problems} 个问题，用时 {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok((store, year))
}

/// The median of timings, sorted in place.
fn median(walls: &mut [f64]) -> f64 {
    walls.sort_by(f64::total_cmp);
    walls[walls.len() / 2]
}

pub async fn status(args: crate::cli::BenchStatusArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let (store, year) = province_store(dir.path(), args.items, false).await?;
    let as_of = chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
    let mut walls = Vec::new();
    for run in 1..=args.runs.max(1) {
        let t = Instant::now();
        let rows = store
            .status(year, None, as_of, &duban_core::Thresholds::default())
            .await?;
        let wall = t.elapsed().as_secs_f64();
        let red = rows
            .iter()
            .filter(|(_, s)| s.colour == duban_core::Colour::Red)
            .count();
        println!(
            "第 {run} 次：{} 项的状态用时 {wall:.3} s（其中红 {red} 项）",
            rows.len()
        );
        walls.push(wall);
    }
    let m = median(&mut walls);
    println!(
        "中位数 {m:.3} s，{:.0} 项/秒；目标 < 1 s（SQLite）。",
        args.items as f64 / m
    );
    Ok(ExitCode::SUCCESS)
}

/// `duban bench bulletin` — the bulletin of the province demo's June, drafted from the data
/// (rates of two periods by region and department, red items, problems, indicators) and
/// written as .docx, HTML and Markdown; then issued and rendered again from the snapshot.
pub async fn bulletin(args: crate::cli::BenchStatusArgs) -> anyhow::Result<ExitCode> {
    use duban_core::Period;
    use duban_core::indicator::{Indicator, IndicatorValue};

    let dir = tempfile::tempdir()?;
    let (store, year) = province_store(dir.path(), args.items, true).await?;
    let period = Period::month(year, 6).expect("June");
    // Three indicators for every region, with targets, as an office would import them.
    let regions: Vec<String> = store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.unit.kind == duban_core::UnitKind::Region && u.unit.parent.is_some())
        .map(|u| u.unit.name)
        .collect();
    let defs: Vec<Indicator> = [
        ("规上工业增加值增速", "%"),
        ("固定资产投资增速", "%"),
        ("新增“四上”企业", "家"),
    ]
    .map(|(n, u)| Indicator {
        name: n.into(),
        unit: u.into(),
        higher_is_better: true,
    })
    .to_vec();
    let rows: Vec<duban_store::IndicatorRow> = defs
        .iter()
        .flat_map(|d| {
            regions
                .iter()
                .enumerate()
                .map(move |(i, r)| duban_store::IndicatorRow {
                    source: "bench".into(),
                    value: IndicatorValue {
                        indicator: d.name.clone(),
                        region: r.clone(),
                        period,
                        value: Some(rust_decimal::Decimal::new(40 + (i as i64 * 7) % 50, 1)),
                        target: Some(rust_decimal::Decimal::new(60, 1)),
                    },
                })
        })
        .collect();
    store.import_indicators("bench", &defs, &rows).await?;
    let today = chrono::NaiveDate::from_ymd_opt(year, 7, 8).expect("valid date");
    let th = duban_core::Thresholds::default();
    let mut walls = Vec::new();
    let mut drafts = Vec::new();
    let mut docx_size = 0;
    for run in 1..=args.runs.max(1) {
        let t = Instant::now();
        let b = store.draft_bulletin(period, today, &th).await?;
        let drafted = t.elapsed().as_secs_f64();
        let docx =
            duban_app::bulletin::bulletin_file(&b, duban_app::bulletin::BulletinFormat::Docx)
                .map_err(anyhow::Error::msg)?;
        let html =
            duban_app::bulletin::bulletin_file(&b, duban_app::bulletin::BulletinFormat::Html)
                .map_err(anyhow::Error::msg)?;
        let md = duban_app::bulletin::bulletin_file(&b, duban_app::bulletin::BulletinFormat::Md)
            .map_err(anyhow::Error::msg)?;
        let wall = t.elapsed().as_secs_f64();
        docx_size = docx.0.len();
        println!(
            "第 {run} 次：起草 {drafted:.3} s，连同 .docx（{} KB）、HTML（{} KB）、Markdown（{} KB）共 {wall:.3} s",
            docx.0.len() / 1024,
            html.0.len() / 1024,
            md.0.len() / 1024
        );
        walls.push(wall);
        drafts.push(drafted);
    }
    let t = Instant::now();
    let b = store.draft_bulletin(period, today, &th).await?;
    store.issue_bulletin("bench", period, b).await?;
    let issued = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = store.bulletin(period, today, &th).await?;
    duban_app::bulletin::bulletin_file(&again, duban_app::bulletin::BulletinFormat::Docx)
        .map_err(anyhow::Error::msg)?;
    let reread = t.elapsed().as_secs_f64();
    println!(
        "中位数：起草 {:.3} s，含三种格式 {:.3} s（.docx {} KB）；目标 < 2 s。印发 {issued:.3} s；已印发版本再导出 .docx {reread:.3} s。",
        median(&mut drafts),
        median(&mut walls),
        docx_size / 1024
    );
    Ok(ExitCode::SUCCESS)
}

/// `duban bench remind` — the reminder job over the province demo (its items, milestones,
/// monthly reports and problems) in mid-December: what is due, then a dry run, the first run
/// (every reminder recorded and put in an inbox), the same day again (nothing new) and the
/// next working day; each timed, with the process's peak memory after it.
pub async fn remind(args: crate::cli::BenchRemindArgs) -> anyhow::Result<ExitCode> {
    use duban_app::notify::Channels;
    use duban_app::reminders;

    let dir = tempfile::tempdir()?;
    let url = match &args.target_url {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let (store, year) = province_store_at(&url, args.items, true).await?;
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(year, 12, d).expect("valid date");
    let channels = Channels::new(None, duban_app::notify::DEFAULT_FROM, None)?;
    let rss = || super::peak_rss_mib("self").unwrap_or(f64::NAN);

    let t = Instant::now();
    let rules = reminders::rules(&store).await?;
    let calendar = store.work_calendar().await?;
    let matters = store
        .due_matters(
            day(15),
            day(20),
            &calendar,
            &rules,
            &duban_store::MatterScope::All,
        )
        .await?;
    println!(
        "待办事项：{} 项，读取用时 {:.3} s，峰值内存 {:.0} MiB",
        matters.len(),
        t.elapsed().as_secs_f64(),
        rss()
    );
    drop(matters);
    let mut worst: f64 = 0.0;
    for (what, as_of, dry_run) in [
        ("预演（不写入）", day(15), true),
        ("第一次运行", day(15), false),
        ("同日再运行", day(15), false),
        ("次日运行", day(16), false),
    ] {
        let t = Instant::now();
        let run = reminders::run(&store, as_of, dry_run, &channels).await?;
        let wall = t.elapsed().as_secs_f64();
        worst = worst.max(wall);
        println!(
            "{what} {as_of}：到达提醒阶段 {} 项，新提醒 {} 项，消息 {} 条，用时 {wall:.3} s，峰值内存 {:.0} MiB",
            run.reached,
            run.recorded.new.len(),
            run.recorded.messages.len(),
            rss()
        );
    }
    println!("最慢一次 {worst:.3} s；目标 < 2 s。");
    Ok(ExitCode::SUCCESS)
}
