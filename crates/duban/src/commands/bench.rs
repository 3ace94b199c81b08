//! `duban bench import` — the province-scale import benchmark, run with the real command in a
//! child process so that its wall time and peak memory are those a user would see.

use std::process::{Command, ExitCode};
use std::time::Instant;

use chrono::Datelike;
use duban_core::demo::{Scale, generate};
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
pub async fn status(args: crate::cli::BenchStatusArgs) -> anyhow::Result<ExitCode> {
    use duban_core::Period;
    use duban_store::{ImportOptions, LedgerEntry, Store};

    let dir = tempfile::tempdir()?;
    let year = today().year() - 1;
    let t = Instant::now();
    let mut demo = generate(Scale::Province, 1, year);
    demo.items.truncate(args.items);
    let reports =
        duban_core::demo::reports(&demo, 1, Period::month(year, 12).expect("a demo year"));
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("status.db").display()
    ))
    .await?;
    store.ensure_units("bench", &demo.units).await?;
    let entries = demo
        .items
        .into_iter()
        .map(|(i, m)| LedgerEntry::whole(i, Some(m)))
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
    println!(
        "准备：{} 项，{} 条月报（{year} 年 1–12 月），用时 {:.1} s",
        args.items,
        n_reports,
        t.elapsed().as_secs_f64()
    );
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
    walls.sort_by(f64::total_cmp);
    println!(
        "中位数 {:.3} s，{:.0} 项/秒；目标 < 1 s（SQLite）。",
        walls[walls.len() / 2],
        args.items as f64 / walls[walls.len() / 2]
    );
    Ok(ExitCode::SUCCESS)
}
