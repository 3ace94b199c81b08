//! Timing of extraction on hostile inputs, at a size and four times it: linear extraction
//! takes about four times as long. `cargo run --release -p duban-extract --example hostile
//! [-- SHAPE [N]]`; without a shape every shape is run at its default size. What is timed is
//! `extract` (the whole text), `task_name` and `meeting_title`/`meeting_year` of it; a hash of
//! the directives is printed so that two builds can be compared on the same input.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

#[path = "../tests/support/words.rs"]
mod support;
use support::{RULE_WORDS, words};

/// A hostile shape: a name, its default size, and the text of size `n`.
type Shape = (&'static str, usize, fn(usize) -> String);

const SHAPES: &[Shape] = &[
    ("blanks", 100_000, |n| "×".repeat(n)),
    ("blank-lines", 500_000, |n| "\n".repeat(n)),
    ("subjects", 20_000, |n| "市发改委负责".repeat(n)),
    ("subjects-commas", 20_000, |n| "市发改委负责，".repeat(n)),
    ("no-punctuation", 1_000_000, no_punctuation),
    ("semicolons", 200_000, |n| "；".repeat(n)),
    ("digits", 200_000, |n| "7".repeat(n)),
    ("brackets", 200_000, |n| "（".repeat(n)),
    ("ge", 200_000, |n| "各".repeat(n)),
    ("yao", 200_000, |n| "要".repeat(n)),
    ("field-lists", 20_000, |n| "财政、国土等部门".repeat(n)),
    ("openers-then-subjects", 20_000, |n| {
        "并".repeat(n) + &"市发改委负责".repeat(n)
    }),
    ("spaced-latin", 200_000, |n| "a ".repeat(n)),
    ("pinyin", 100_000, |n| "建(shè)".repeat(n)),
    ("mixed", 1_000_000, mixed),
];

/// A line of `n` characters with no punctuation, from the words the rules look for.
fn no_punctuation(n: usize) -> String {
    words(n, RULE_WORDS)
}

/// `no_punctuation` with commas, enumerations, full stops and line ends among the words.
fn mixed(n: usize) -> String {
    let punctuation: &[&str] = &[
        "，", "、", "。", "；", "\n", "（", "）", "(", "shè", ")", " ", "１２", "1.5", "截至",
        "会同", "请",
    ];
    words(n, &[RULE_WORDS, punctuation].concat())
}

fn run(name: &str, text: &str) {
    let started = Instant::now();
    let ds = duban_extract::extract(text, 2025);
    let extract = started.elapsed();
    let started = Instant::now();
    let first_line = text.lines().next().unwrap_or("");
    let task = duban_extract::task_name(first_line);
    let title = duban_extract::meeting_title(text);
    let year = duban_extract::meeting_year(text);
    let rest = started.elapsed();
    let mut h = DefaultHasher::new();
    format!("{ds:?}").hash(&mut h);
    task.hash(&mut h);
    title.hash(&mut h);
    year.hash(&mut h);
    println!(
        "{name:<24} {:>9} chars  extract {:>9.3} s  task_name+meeting {:>8.3} s  {:>6} directives  hash {:016x}",
        text.chars().count(),
        extract.as_secs_f64(),
        rest.as_secs_f64(),
        ds.len(),
        h.finish()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only = args.first().map(String::as_str);
    let size: Option<usize> = args.get(1).and_then(|n| n.parse().ok());
    for (name, default, make) in SHAPES {
        if only.is_some_and(|o| o != *name) {
            continue;
        }
        let n = size.unwrap_or(*default);
        run(name, &make(n));
        if size.is_none() {
            run(name, &make(4 * n));
        }
    }
}
