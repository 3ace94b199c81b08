//! `duban extract` — the directives of a meeting speech (会议议定事项), and `bench extract`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use duban_core::Unit;
use duban_extract::{
    ActorKind, Cadence, Directive, Lexicon, Role, Tier, extract_line_in, match_actor,
};
use serde::Serialize;

use super::{Ctx, today};
use crate::cli::{BenchExtractArgs, ExtractArgs, ExtractFormat};
use crate::render::{or_dash, print_json, table};

/// An actor as printed: matched units when there is a directory.
#[derive(Serialize)]
struct ActorOut<'a> {
    name: &'a str,
    kind: ActorKind,
    role: Role,
    /// The unit, when exactly one matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    /// Every unit matched (各县（市、区） → every region); empty: unmatched. Absent without a
    /// database.
    #[serde(skip_serializing_if = "Option::is_none")]
    units: Option<Vec<String>>,
}

/// A directive as printed (JSON, JSONL).
#[derive(Serialize)]
struct Record<'a> {
    line: usize,
    start: usize,
    end: usize,
    text: &'a str,
    plain: &'a str,
    actors: Vec<ActorOut<'a>>,
    deadline_text: Option<&'a str>,
    deadline: Option<NaiveDate>,
    cadence: Option<Cadence>,
    target: Option<&'a str>,
    tier: Tier,
    confidence: f32,
}

fn record<'a>(d: &'a Directive, units: &'a [Vec<String>], matched: bool) -> Record<'a> {
    Record {
        line: d.line,
        start: d.start,
        end: d.end,
        text: &d.text,
        plain: &d.plain,
        actors: d
            .actors
            .iter()
            .zip(units)
            .map(|(a, u)| ActorOut {
                name: &a.name,
                kind: a.kind,
                role: a.role,
                unit: (u.len() == 1).then(|| u[0].as_str()),
                units: matched.then(|| u.clone()),
            })
            .collect(),
        deadline_text: d.deadline_text.as_deref(),
        deadline: d.deadline,
        cadence: d.cadence,
        target: d.target.as_deref(),
        tier: d.tier,
        confidence: d.confidence,
    }
}

/// Reads `input` line by line, calling `each` with the directives of every line: memory
/// stays that of one line however long the speech. The encoding (UTF-8 or GB18030) is judged
/// once from the first 64 KB. A file may hold several speeches: each one's first three lines
/// with words are held until its year is known — `year`, else the one they name, else the
/// first speech's, else this year — and a title line after body text opens the next. Actors
/// are read by `lex`. Returns the first speech's year.
fn each_line<R: BufRead>(
    mut input: R,
    year: Option<i32>,
    lex: &Lexicon,
    mut each: impl FnMut(Vec<Directive>) -> anyhow::Result<()>,
) -> anyhow::Result<i32> {
    let encoding = duban_office::TextEncoding::sniff(input.fill_buf()?);
    let decode = |bytes: &[u8]| {
        encoding
            .decode(bytes)
            .trim_end_matches(['\n', '\r'])
            .to_string()
    };
    let mut buf = Vec::new();
    // The head of the speech being read, held until its year is known (counted as lines
    // come: a file opening with half a million blank lines is read once).
    let mut head: Vec<(usize, String)> = Vec::new();
    let mut with_words = 0;
    let mut holding = true;
    let mut first: Option<i32> = None;
    let mut current = year.unwrap_or_else(|| today().year());
    let mut body_seen = false;
    let mut n = 0;
    let settle = |head: &mut Vec<(usize, String)>,
                  first: &mut Option<i32>,
                  each: &mut dyn FnMut(Vec<Directive>) -> anyhow::Result<()>|
     -> anyhow::Result<i32> {
        let text: Vec<&str> = head.iter().map(|(_, l)| l.as_str()).collect();
        let y = year
            .or_else(|| duban_extract::meeting_year(&text.join("\n")))
            .or(*first)
            .unwrap_or_else(|| today().year());
        first.get_or_insert(y);
        for (k, line) in head.drain(..) {
            each(extract_line_in(k, &line, y, lex))?;
        }
        Ok(y)
    };
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        n += 1;
        let line = decode(&buf);
        if !holding && body_seen && duban_extract::meeting::opens_speech(&line) {
            holding = true;
            with_words = 0;
            body_seen = false;
        }
        if holding {
            if !line.trim().is_empty() {
                with_words += 1;
            }
            head.push((n, line));
            if with_words >= 3 {
                current = settle(&mut head, &mut first, &mut each)?;
                holding = false;
            }
            continue;
        }
        body_seen |= duban_extract::meeting::is_body(&line);
        each(extract_line_in(n, &line, current, lex))?;
    }
    if holding {
        settle(&mut head, &mut first, &mut each)?;
    }
    Ok(first.unwrap_or(current))
}

fn label_units(units: &[String]) -> String {
    match units.len() {
        0 => "未匹配".into(),
        1..=3 => units.join("、"),
        n => format!("{}等{n}个单位", units[..2].join("、")),
    }
}

pub async fn run(ctx: &Ctx, a: ExtractArgs) -> anyhow::Result<ExitCode> {
    let name = a.file.display().to_string();
    let file = std::fs::File::open(&a.file).map_err(|e| anyhow::anyhow!("{name}：{e}"))?;
    let directory: Option<Vec<Unit>> = if ctx.is_missing_sqlite_file() {
        eprintln!("（没有数据库，责任主体未与单位名录匹配；先 duban demo 或 duban import ledger）");
        None
    } else {
        let store = ctx.store().await?;
        let units = store.unit_directory().await?;
        store.close().await;
        Some(units)
    };
    let matched = directory.is_some();
    let match_all = |d: &Directive| -> Vec<Vec<String>> {
        d.actors
            .iter()
            .map(|x| {
                directory
                    .as_deref()
                    .map(|dir| match_actor(&x.name, x.kind, dir))
                    .unwrap_or_default()
            })
            .collect()
    };
    // Plain UTF-8 or GB18030 text is streamed by line.
    let plain_text = Path::new(&a.file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let mut reader: Box<dyn BufRead> = Box::new(BufReader::with_capacity(64 * 1024, file));
    let utf16 = matches!(
        duban_office::TextEncoding::sniff(reader.fill_buf()?),
        duban_office::TextEncoding::Utf16Le | duban_office::TextEncoding::Utf16Be
    );
    // Anything else — a Word document, UTF-16 text (whose lines are not cut at a byte) — is
    // read whole.
    if !plain_text || utf16 {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let text = duban_office::speech_text(&bytes, &name)?;
        reader = Box::new(std::io::Cursor::new(text.into_bytes()));
    }
    let mut all: Vec<(Directive, Vec<Vec<String>>)> = Vec::new();
    let mut out = std::io::stdout().lock();
    let lexicon = duban_app::meetings::lexicon(directory.as_deref().unwrap_or_default())?;
    let year = each_line(reader, a.year, &lexicon, |ds| {
        for d in ds {
            let units = match_all(&d);
            if a.format == ExtractFormat::Jsonl {
                serde_json::to_writer(&mut out, &record(&d, &units, matched))?;
                writeln!(out)?;
            } else {
                all.push((d, units));
            }
        }
        Ok(())
    })?;
    drop(out);
    match a.format {
        ExtractFormat::Jsonl => {}
        ExtractFormat::Json => {
            let directives: Vec<Record> = all.iter().map(|(d, u)| record(d, u, matched)).collect();
            print_json(&serde_json::json!({ "year": year, "directives": directives }))?;
        }
        ExtractFormat::Table => {
            let mut t = table(&[
                "序号",
                "行",
                "层级",
                "置信度",
                "责任主体",
                "时限",
                "频次",
                "目标",
                "内容",
            ]);
            for (i, (d, units)) in all.iter().enumerate() {
                let actors: Vec<String> = d
                    .actors
                    .iter()
                    .zip(units)
                    .map(|(x, u)| {
                        let unit = if matched && x.kind == ActorKind::Generic {
                            " → 泛指".to_string()
                        } else if matched {
                            format!(" → {}", label_units(u))
                        } else {
                            String::new()
                        };
                        format!("{}（{}）{unit}", x.name, x.role.label())
                    })
                    .collect();
                let deadline = match (&d.deadline_text, d.deadline) {
                    (Some(t), Some(date)) => format!("{t}（{date}）"),
                    (Some(t), None) => format!("{t}（日期待定）"),
                    _ => "—".into(),
                };
                t.add_row([
                    (i + 1).to_string(),
                    d.line.to_string(),
                    format!("{:?}", d.tier),
                    format!("{:.2}", d.confidence),
                    or_dash(Some(actors.join("\n"))),
                    deadline,
                    or_dash(d.cadence.map(|c| c.label().to_string())),
                    or_dash(d.target.clone()),
                    d.plain.clone(),
                ]);
            }
            println!("{t}");
            let a_count = all.iter().filter(|(d, _)| d.tier == Tier::A).count();
            let unmatched: usize = all
                .iter()
                .flat_map(|(d, u)| d.actors.iter().zip(u))
                .filter(|(x, u)| matched && x.kind != ActorKind::Generic && u.is_empty())
                .count();
            println!(
                "{year}年 · 议定事项 {} 条（A 类 {a_count} 条，B 类 {} 条）{}",
                all.len(),
                all.len() - a_count,
                if matched {
                    format!("；未匹配单位的责任主体 {unmatched} 个")
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes about `bytes` of speech text to `path`, the samples repeated.
fn write_corpus(path: &Path, samples: &[String], bytes: usize) -> anyhow::Result<usize> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut written = 0;
    while written < bytes {
        for s in samples {
            w.write_all(s.as_bytes())?;
            w.write_all(b"\n")?;
            written += s.len() + 1;
        }
    }
    w.flush()?;
    Ok(written)
}

pub fn bench(a: BenchExtractArgs) -> anyhow::Result<ExitCode> {
    let mut paths: Vec<_> = std::fs::read_dir(&a.speeches)
        .map_err(|e| anyhow::anyhow!("{}：{e}（--speeches）", a.speeches.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    anyhow::ensure!(
        !paths.is_empty(),
        "{} 中没有 .txt 讲话稿",
        a.speeches.display()
    );
    let samples: Vec<String> = paths
        .iter()
        .map(std::fs::read_to_string)
        .collect::<Result<_, _>>()?;
    let dir = tempfile::tempdir()?;
    println!(
        "样本 {} 篇（{} 字节），重复成语料，逐行读取、识别、写出 JSONL（与 duban extract --format jsonl 相同的路径）",
        samples.len(),
        samples.iter().map(String::len).sum::<usize>()
    );
    for size in [a.megabytes, a.megabytes * 5] {
        let path = dir.path().join(format!("corpus-{size}.txt"));
        let bytes = write_corpus(&path, &samples, size * 1_000_000)?;
        let input = BufReader::new(std::fs::File::open(&path)?);
        let mut sink = std::io::BufWriter::new(std::io::sink());
        let mut directives = 0usize;
        let started = Instant::now();
        each_line(input, Some(2025), Lexicon::shipped(), |ds| {
            for d in ds {
                directives += 1;
                let units = vec![Vec::new(); d.actors.len()];
                serde_json::to_writer(&mut sink, &record(&d, &units, false))?;
                sink.write_all(b"\n")?;
            }
            Ok(())
        })?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{:>5.1} MB：{directives} 条议定事项，{secs:.2} s，{:.2} MB/s，峰值内存 {:.1} MiB",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs,
            super::peak_rss_mib("self").unwrap_or(f64::NAN)
        );
    }
    if let Some(labels) = a.labels {
        quality(&a.speeches, &labels)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The speeches scored against their labels.
fn quality(speeches: &Path, labels: &Path) -> anyhow::Result<()> {
    use duban_extract::quality::{Labels, Score, score};
    let mut files: Vec<_> = std::fs::read_dir(labels)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut total = Score::default();
    let mut t = table(&[
        "讲话稿",
        "标注",
        "A类标注",
        "识别",
        "A类识别",
        "A类召回率",
        "A类准确率",
        "主体F1",
        "时限准确率",
    ]);
    for f in files {
        let l = Labels::parse(&std::fs::read_to_string(&f)?)
            .map_err(|e| anyhow::anyhow!("{}：{e}", f.display()))?;
        let text = std::fs::read_to_string(speeches.join(&l.speech))?;
        let s = score(&l, &duban_extract::extract(&text, l.year));
        t.add_row(row(&l.speech, &s));
        total.add(&s);
    }
    t.add_row(row("合计", &total));
    println!("{t}");
    Ok(())
}

fn row(name: &str, s: &duban_extract::quality::Score) -> Vec<String> {
    vec![
        name.to_string(),
        s.gold.to_string(),
        s.gold_a.to_string(),
        s.found.to_string(),
        s.found_a.to_string(),
        format!("{:.3}", s.recall()),
        format!("{:.3}", s.precision()),
        format!("{:.3}", s.actor_f1()),
        format!("{:.3}", s.deadline_accuracy()),
    ]
}
