//! Reads one file with one of the readers and prints what came back, for measuring time and
//! peak memory (`/usr/bin/time -v`) on large and hostile files:
//!
//! ```text
//! cargo run --release -p duban-office --example read_office_file -- ledger|report|indicators|speech FILE
//! cargo run --release -p duban-office --example read_office_file -- province FILE [ROWS]
//! ```
//! `province` writes the province-scale demo ledger (50,000 items and their milestones).

use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(what), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: read_office_file ledger|report|indicators|speech|province FILE");
        std::process::exit(2);
    };
    let path = Path::new(file);
    let t = Instant::now();
    match what.as_str() {
        "province" => {
            let rows: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(50_000);
            let mut demo = duban_demo::generate(duban_demo::Scale::Province, 1, 2025);
            demo.items.truncate(rows);
            let items: Vec<_> = demo.items.iter().map(|(i, _)| i.clone()).collect();
            let milestones: Vec<_> = demo
                .items
                .iter()
                .map(|(i, m)| (i.code.clone(), m.clone()))
                .collect();
            let opts = duban_office::ExportOptions {
                title: "2025年全省重点项目台账".into(),
                exported_on: "2025-06-30".into(),
            };
            duban_office::write_ledger(path, &items, &milestones, &opts).expect("written");
            println!(
                "wrote {} items, {} milestones",
                items.len(),
                milestones.iter().map(|(_, m)| m.len()).sum::<usize>()
            );
        }
        "ledger" => {
            let opts = duban_office::ReadOptions {
                fallback_year: 2025,
                ..Default::default()
            };
            match duban_office::read_ledger(path, &opts, &mut |_, _| {}) {
                Ok(l) => println!(
                    "ok: {} rows, {} errors, {} with milestones",
                    l.rows.len(),
                    l.errors.len(),
                    l.rows.iter().filter(|r| r.milestones.is_some()).count()
                ),
                Err(e) => println!("error: {e}"),
            }
        }
        "report" => match duban_office::read_report_sheet(path, None) {
            Ok(r) => println!("ok: {} rows, {} errors", r.rows.len(), r.errors.len()),
            Err(e) => println!("error: {e}"),
        },
        "indicators" => match duban_office::read_indicators(path, None, "全市") {
            Ok(r) => println!(
                "ok: {} indicators, {} values",
                r.indicators.len(),
                r.rows.len()
            ),
            Err(e) => println!("error: {e}"),
        },
        "speech" => {
            let bytes = std::fs::read(path).expect("readable");
            match duban_office::speech_text(&bytes, file) {
                Ok(t) => println!("ok: {} chars", t.chars().count()),
                Err(e) => println!("error: {e}"),
            }
        }
        _ => {
            eprintln!("unknown reader {what}");
            std::process::exit(2);
        }
    }
    println!("{:.2} s", t.elapsed().as_secs_f64());
}
