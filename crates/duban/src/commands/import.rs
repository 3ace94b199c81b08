//! `duban import ledger FILE` — read, validate, report, then write all or nothing.

use std::process::ExitCode;
use std::time::Instant;

use duban_office::{ReadOptions, read_ledger};
use duban_store::ImportOptions;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::{Ctx, today};
use crate::cli::{ImportLedgerArgs, ReportFormat};
use crate::render::print_json;
use chrono::Datelike;

pub async fn ledger(ctx: &Ctx, args: ImportLedgerArgs) -> anyhow::Result<ExitCode> {
    let text = args.format == ReportFormat::Text;
    let started = Instant::now();
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} 读取 {msg} [{bar:30}] {pos}/{len} 行")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(args.file.display().to_string());
    if !text {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let opts = ReadOptions {
        sheet: args.sheet.clone(),
        year: args.year,
        kind: args.kind,
        fallback_year: today().year(),
    };
    let read = read_ledger(&args.file, &opts, &mut |done, total| {
        bar.set_length(u64::from(total));
        bar.set_position(u64::from(done));
    });
    bar.finish_and_clear();
    let mut read = read?;
    let read_ms = started.elapsed().as_millis();

    if text {
        println!(
            "读取：{}，工作表“{}”，表头第 {}{} 行，金额单位 {}",
            args.file.display(),
            read.sheet,
            read.header_rows.0,
            if read.header_rows.1 > read.header_rows.0 {
                format!("–{}", read.header_rows.1)
            } else {
                String::new()
            },
            read.money_unit
        );
        let matched: Vec<String> = read
            .columns
            .iter()
            .filter_map(|c| {
                c.field.as_ref().map(|f| {
                    if *f == c.header {
                        f.clone()
                    } else {
                        format!("{}→{}", c.header, f)
                    }
                })
            })
            .collect();
        println!("识别的列：{}", matched.join("、"));
        println!("年度：{}", read.year_source);
        if !read.other_sheets.is_empty() {
            println!(
                "注意：本文件还有工作表 {}，未导入（需要时用 --sheet 分别导入）",
                read.other_sheets
                    .iter()
                    .map(|s| format!("“{s}”"))
                    .collect::<Vec<_>>()
                    .join("、")
            );
        }
        let kept: Vec<&str> = read
            .columns
            .iter()
            .filter(|c| c.field.is_none())
            .map(|c| c.header.as_str())
            .collect();
        if !kept.is_empty() {
            println!("其他列（原样保存）：{}", kept.join("、"));
        }
        let mut skipped: std::collections::BTreeMap<&str, usize> = Default::default();
        for s in &read.skipped {
            *skipped.entry(s.reason).or_default() += 1;
        }
        let skipped: Vec<String> = skipped.iter().map(|(k, v)| format!("{k} {v} 行")).collect();
        println!(
            "数据行：{} 行可导入，{} 行有错误{}",
            read.rows.len(),
            read.errors.len(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!("；已跳过 {}", skipped.join("、"))
            }
        );
    }

    if !read.errors.is_empty() && !args.skip_invalid {
        if text {
            eprintln!("\n以下 {} 处无法导入，未写入任何数据：", read.errors.len());
            for e in &read.errors {
                eprintln!("  {e}");
            }
            eprintln!("\n请修改后重新导入；或加 --skip-invalid 只导入无误的行。");
        } else {
            print_json(&json!({ "ok": false, "read": read_report(&read), "summary": null }))?;
        }
        return Ok(ExitCode::FAILURE);
    }

    // A dry run against a database that does not exist yet must not create it.
    let store = if args.dry_run && ctx.is_missing_sqlite_file() {
        duban_store::Store::open("sqlite::memory:").await?
    } else {
        ctx.store().await?
    };
    let report = read_report(&read);
    let errors = std::mem::take(&mut read.errors);
    let mut entries = duban_app::ledger_io::ledger_entries(&mut read, today());
    if let Some(on) = args.listed_on {
        if on > today() {
            anyhow::bail!("--listed-on {on}：纳入日期不能晚于今天（{}）", today());
        }
        for e in &mut entries {
            e.listed_on = Some(on);
        }
    }
    let spinner =
        ProgressBar::new_spinner().with_message(format!("写入数据库（{} 项）…", entries.len()));
    if text {
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    } else {
        spinner.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let write_started = Instant::now();
    let summary = store
        .import_ledger(
            entries,
            &ImportOptions {
                actor: ctx.actor.clone(),
                dry_run: args.dry_run,
            },
        )
        .await;
    spinner.finish_and_clear();
    let summary = summary?;
    let write_ms = write_started.elapsed().as_millis();
    store.close().await;

    if text {
        if !errors.is_empty() {
            eprintln!("\n以下 {} 处有错误，这些行未导入：", errors.len());
            for e in &errors {
                eprintln!("  {e}");
            }
        }
        println!(
            "{}新增 {} 项，更新 {} 项，未变化 {} 项{}",
            if args.dry_run {
                "试导入（未写入任何数据）：将"
            } else {
                "导入完成："
            },
            summary.created,
            summary.updated,
            summary.unchanged,
            if summary.codes_assigned > 0 {
                format!("；{} 项无编号，已自动编号", summary.codes_assigned)
            } else {
                String::new()
            }
        );
        if summary.reports > 0 {
            println!("累计完成投资列已记为进度报告：{} 条", summary.reports);
        }
        if !summary.new_units.is_empty() {
            println!(
                "新建单位（{}）：{}",
                summary.new_units.len(),
                summary.new_units.join("、")
            );
        }
        if !summary.new_leaders.is_empty() {
            println!(
                "新建包抓领导（{}）：{}",
                summary.new_leaders.len(),
                summary.new_leaders.join("、")
            );
        }
    } else {
        print_json(&json!({
            "ok": true,
            "read": report,
            "summary": summary,
            "timings_ms": { "read": read_ms, "write": write_ms },
            "peak_rss_mib": super::peak_rss_mib("self"),
        }))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What was read, without the rows themselves (a province ledger has 50,000).
fn read_report(read: &duban_office::ReadLedger) -> serde_json::Value {
    json!({
        "sheet": read.sheet,
        "title": read.title,
        "header_rows": [read.header_rows.0, read.header_rows.1],
        "money_unit": read.money_unit,
        "columns": read.columns,
        "rows": read.rows.len(),
        "skipped": read.skipped,
        "errors": read.errors,
        "year_source": read.year_source,
        "other_sheets": read.other_sheets,
    })
}
