//! Everything the extractor says about the speeches given: each directive, the task name of
//! its text, the meeting's title and year. Two builds that dump the same say the same.

fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("readable speech");
        println!("== {path}");
        println!(
            "title {:?} year {:?}",
            duban_extract::meeting_title(&text),
            duban_extract::meeting_year(&text)
        );
        for d in duban_extract::extract(&text, 2025) {
            println!("{d:?}");
            println!("  task {:?}", duban_extract::task_name(&d.text));
        }
        for (n, line) in text.lines().enumerate() {
            let name = duban_extract::task_name(line);
            if !name.is_empty() {
                println!("line {n} task {name:?}");
            }
        }
    }
}
