//! The 催办单's Word file opened by LibreOffice and printed to PDF: a unit with 40 matters, so
//! that the table runs on to a second page — A4 pages, the text inside the GB/T 9704 margins,
//! "— N —" page numbers at the foot, the title, 文号 and unit on the first page, the table's
//! header repeated, the most overdue matter first, the 落款 after the table, and the colours
//! printed: red for the title and the overdue, blue for the matters not yet due.
//! Needs `libreoffice` (libreoffice-writer-nogui) and poppler's `pdfinfo`/`pdftotext`/`pdftoppm`.

#[path = "support/pdf.rs"]
mod pdf;

use chrono::{Duration, NaiveDate};
use duban_core::notice::{Notice, NoticeMatter};
use duban_core::{MatterKind, ReminderLevel};

/// 40 matters of a county, due from 37 days before the notice's date to 2 days after it, not
/// given in order of lateness; four have a leader in charge, one of them not yet due.
fn notice() -> Notice {
    let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let kinds = [
        MatterKind::Report,
        MatterKind::Problem,
        MatterKind::Milestone,
        MatterKind::Task,
        MatterKind::TaskFeedback,
    ];
    let matters = (1..=40)
        .map(|i: i64| {
            let days_late = 39 - i - (i % 3);
            NoticeMatter {
                kind: kinds[i as usize % kinds.len()],
                title: format!("第{i}项 白水县重点项目推进中需要协调解决的用地、资金和手续问题"),
                due: date - Duration::days(days_late),
                days_late,
                leader: (i % 10 == 0)
                    .then(|| ["李明", "王芳", "赵强", "孙丽"][i as usize / 10 - 1].into()),
            }
        })
        .collect();
    Notice::compose("示范市人民政府督查室", "白水县人民政府", date, matters)
        .numbered(3)
        .with_contact("张敏，0913-2100123")
}

#[test]
#[ignore = "needs libreoffice and poppler-utils"]
fn libreoffice_prints_a_long_notice_in_the_official_layout() {
    let n = notice();
    assert_eq!(n.level, ReminderLevel::Press);
    let dir = tempfile::tempdir().unwrap();
    let docx = duban_office::notice_docx::notice_docx(&n).unwrap();
    let pdf = pdf::print(&docx, dir.path(), "notice");
    let pages = pdf::pages(&pdf);
    assert!(pages >= 2, "a 40-row table: {pages} pages");
    let words = pdf::words(&pdf);
    pdf::assert_official_layout(pages, &words);

    let first = pdf::page_text(&words, 1);
    for line in [
        "红色催办单",
        "催办单",
        "催办〔2026〕3号",
        "白水县人民政府：",
    ] {
        assert!(first.contains(line), "{line} on the first page: {first}");
    }
    // The table's header row is repeated on the page it runs on to.
    let headers = words.iter().filter(|(_, t, _)| t == "逾期天数").count();
    assert!(
        headers >= 2,
        "the table header on every page it spans ({headers})"
    );
    // Every matter printed, the most overdue first, each with its lateness.
    let all: String = (1..=pages).map(|p| pdf::page_text(&words, p)).collect();
    let mut at = 0;
    for m in &n.matters {
        let number = m.title.split(' ').next().unwrap();
        let found = all[at..]
            .find(number)
            .unwrap_or_else(|| panic!("{number} missing or out of order"));
        at += found + number.len();
        assert!(all[at..].contains(&m.lateness()), "{}", m.lateness());
    }
    assert_eq!(n.matters[0].lateness(), "逾期37天");
    assert!(all.contains("今日到期") && all.contains("还有1天"));
    // The 落款, 附注 and 抄送 after the table.
    for line in [
        "示范市人民政府督查室",
        "2026年3月9日",
        "（联系人及电话：张敏，0913-2100123）",
        "抄送：李明同志，王芳同志，赵强同志。",
    ] {
        let found = all[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{line} missing or out of order"));
        at += found + line.len();
    }
    // Printed in colour: on the first page the 标识, the title and the overdue matters' cells
    // in red, nothing in blue; blue where the matters not yet due are.
    let red = pdf::pixels_of(&pdf, 1, ReminderLevel::Press.colour());
    let blue = |page| pdf::pixels_of(&pdf, page, ReminderLevel::Notice.colour());
    let ahead = words
        .iter()
        .find(|(_, t, _)| t.starts_with("还有"))
        .unwrap()
        .0;
    assert!(red > 500, "red on the first page: {red} pixels");
    assert_eq!(blue(1), 0, "no blue on the first page");
    assert!(blue(ahead) > 50, "blue on page {ahead}");
}
