//! Hostile inputs at sizes where reading them quadratically takes minutes (issue 12, finding
//! 7: 100,000 "×" took 38 s, 20,000 "市发改委负责" 36 s) and reading them linearly well under
//! a second in a release build: each must finish, and say what the rules say it says. The
//! timings of the same shapes at a size and four times it are printed by `cargo run --release
//! -p duban-extract --example hostile`.

#[path = "support/words.rs"]
mod support;
use support::words;

use duban_extract::{
    ActorKind, Directive, Role, Tier, extract, extract_line, find_actors, find_deadline,
    find_target, meeting_title, meeting_year, task_name,
};

/// The sizes asked for, a quarter of them in a debug build (still minutes if quadratic).
fn size(n: usize) -> usize {
    if cfg!(debug_assertions) { n / 4 } else { n }
}

/// Every directive of `text` points into its line, in order and without overlapping, and so
/// does each of its actors. (An actor is not always within its directive's span: units of a
/// "会同X" that join a lead may stand after where the lead's directive is cut, before the
/// next subject in the same clause.)
fn spans_hold(text: &str, ds: &[Directive]) {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let mut last = (0, 0);
    for d in ds {
        let line = &lines[d.line - 1];
        assert!(d.start < d.end && d.end <= line.len(), "{d:?}");
        assert_eq!(line[d.start..d.end].iter().collect::<String>(), d.text);
        assert!((d.line, d.start) >= last, "directives in order");
        last = (d.line, d.end);
        for a in &d.actors {
            assert!(a.start < a.end && a.end <= line.len(), "{a:?} in {d:?}");
        }
    }
}

/// Nothing to extract, and nothing that reads as a title, year, date or target.
fn nothing_in(text: &str) {
    let ds = extract(text, 2025);
    assert!(ds.is_empty(), "{:?}", ds.first());
    assert_eq!(meeting_year(text), None);
    let line = text.lines().next().unwrap_or("");
    assert!(find_deadline(line, 2025).is_none());
    assert!(find_target(line).is_none());
}

#[test]
fn a_hundred_thousand_redaction_marks() {
    let text = "×".repeat(size(100_000));
    nothing_in(&text);
    assert_eq!(task_name(&text), "×".repeat(40));
    assert_eq!(meeting_title(&text), Some("×".repeat(60)));
    // A redacted deadline after the run is still read, as far as the run goes.
    let line = format!("{text}月底前完成");
    let d = find_deadline(&line, 2025).expect("a blanked deadline");
    assert_eq!((d.found.start, d.date), (0, None));
    assert!(d.found.text.ends_with("×月底前"));
}

#[test]
fn half_a_million_blank_lines() {
    let blank = "\n".repeat(size(500_000));
    nothing_in(&blank);
    assert_eq!(meeting_title(&blank), None);
    // The title and year after them are still found, and the directive's line counted.
    let text =
        format!("{blank}在2024年全市项目推进会上的讲话\n市发改委要在9月底前完成储备项目梳理。");
    assert_eq!(meeting_year(&text), Some(2024));
    assert_eq!(
        meeting_title(&text).as_deref(),
        Some("在2024年全市项目推进会上的讲话")
    );
    let ds = extract(&text, 2024);
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0].line, size(500_000) + 2);
}

#[test]
fn one_subject_read_twenty_thousand_times_in_one_clause() {
    let n = size(20_000);
    let text = "市发改委负责".repeat(n);
    // One clause: only the body opening it is a subject (each later one follows "负责", which
    // neither opens a clause nor hands it a task), so its directive runs to the line's end.
    let ds = extract(&text, 2025);
    assert_eq!(ds.len(), 1);
    let d = &ds[0];
    assert_eq!((d.start, d.end, d.tier), (0, 6 * n, Tier::A));
    let actors: Vec<(&str, Role)> = d.actors.iter().map(|a| (a.name.as_str(), a.role)).collect();
    assert_eq!(actors, [("市发改委", Role::Lead)]);
    assert_eq!(d.deadline_text, None);
    // Every body is found as an actor all the same.
    let found = find_actors(&text);
    assert_eq!(found.len(), n);
    assert!(
        found
            .iter()
            .all(|a| a.kind == ActorKind::Body && a.found.text == "市发改委")
    );
    // The task is what the first subject leads: all the rest.
    assert_eq!(
        task_name(&text),
        "市发改委负责"
            .repeat(7)
            .chars()
            .take(40)
            .collect::<String>()
    );
}

#[test]
fn twenty_thousand_subjects_each_in_its_clause() {
    let n = size(20_000);
    let text = "市发改委负责，".repeat(n);
    let ds = extract_line(1, &text, 2025);
    assert_eq!(ds.len(), n);
    assert!(
        ds.iter()
            .all(|d| d.plain == "市发改委负责" && d.tier == Tier::A)
    );
    spans_hold(&text, &ds);
    // No clause names a task: the name is the text itself.
    assert_eq!(task_name(&text), text.chars().take(40).collect::<String>());
}

#[test]
fn a_clause_opened_by_a_long_run_of_openers() {
    let n = size(20_000);
    let text = "并".repeat(n) + &"市发改委负责".repeat(n);
    let ds = extract(&text, 2025);
    assert_eq!(ds.len(), 1, "only the first body opens the clause");
    assert_eq!((ds[0].start, ds[0].end), (n, 7 * n));
}

#[test]
fn twenty_thousand_lists_of_fields() {
    let n = size(20_000);
    let text = "财政、国土等部门".repeat(n);
    // Fields with no marker after them are asked nothing.
    assert!(extract(&text, 2025).is_empty());
    let with_lead = format!("由市住建局牵头，{text}配合，9月底前完成。");
    let ds = extract(&with_lead, 2025);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].actors[0].name, "市住建局");
    assert!(ds[0].actors.len() > n, "the fields co-operate");
    spans_hold(&with_lead, &ds);
}

/// The rule words and a few more joining words.
fn rule_words() -> Vec<&'static str> {
    [support::RULE_WORDS, &["、", "会同", "请", "也", "今年"]].concat()
}

#[test]
fn a_megabyte_line_without_punctuation() {
    let text = words(size(1_000_000) / 3, &rule_words());
    let ds = extract(&text, 2025);
    assert!(!ds.is_empty());
    spans_hold(&text, &ds);
    assert!(task_name(&text).chars().count() <= 40);
    assert!(meeting_title(&text).is_some_and(|t| t.chars().count() == 60));
}

#[test]
fn long_runs_of_one_character() {
    let n = size(200_000);
    for c in [
        "；", "7", "（", "各", "要", "，", "、", "等", "一", "十", "第", "年", "a ", " ",
    ] {
        let text = c.repeat(n);
        nothing_in(&text);
        assert!(task_name(&text).chars().count() <= 40);
    }
}

#[test]
fn mixed_text_of_many_lines() {
    let mut vocabulary = rule_words();
    vocabulary.extend([
        "，",
        "，",
        "。",
        "；",
        "\n",
        "（",
        "）",
        "(",
        "shè",
        ")",
        " ",
        "１２",
        "1.5",
        "截至",
        "××",
        "县市长",
        "各县（市、区）",
        "财政、国土等部门",
    ]);
    let text = words(size(1_000_000), &vocabulary);
    let ds = extract(&text, 2025);
    assert!(ds.len() > 1000, "{}", ds.len());
    spans_hold(&text, &ds);
    for d in ds.iter().step_by(97) {
        assert!(task_name(&d.text).chars().count() <= 40);
    }
}
