#![no_main]

use libfuzzer_sys::fuzz_target;

// Directive extraction over any text: no panic, and every span within its line.
fuzz_target!(|text: &str| {
    let lines: Vec<&str> = text.lines().collect();
    for d in duban_extract::extract(text, 2025) {
        assert!(d.line >= 1 && d.line <= lines.len(), "line {}", d.line);
        let chars = lines[d.line - 1].chars().count();
        assert!(
            d.start <= d.end && d.end <= chars,
            "{}..{} of {chars}",
            d.start,
            d.end
        );
        assert!((0.0..=1.0).contains(&d.confidence), "{}", d.confidence);
    }
});
