//! The 督办通知单 / 催办单 as a Word file: a package that opens, its title, 标识 and 文号, the
//! level's colour in the document, and every matter in the table, the most overdue first.

use std::io::{Cursor, Read};

use chrono::NaiveDate;
use duban_core::notice::{NOTICE_TABLE_HEADER, Notice, NoticeMatter};
use duban_core::{MatterKind, ReminderLevel};
use duban_office::notice_docx::notice_docx;

/// A day of March 2026; the notices are dated Monday the 9th.
fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn matter(kind: MatterKind, title: &str, due: NaiveDate, leader: Option<&str>) -> NoticeMatter {
    NoticeMatter {
        kind,
        title: title.into(),
        due,
        days_late: (day(9) - due).num_days(),
        leader: leader.map(String::from),
    }
}

/// A 催办单: two matters overdue, one due today, one ahead, given in no particular order.
fn pressing() -> Notice {
    Notice::compose(
        "示范市人民政府督查室",
        "白水县人民政府",
        day(9),
        vec![
            matter(
                MatterKind::Report,
                "XM202600012 城北污水处理厂扩建 2026年2月进度",
                day(12),
                None,
            ),
            matter(
                MatterKind::Problem,
                "白水县工业园区标准化厂房用地手续未办结",
                day(2),
                Some("李明"),
            ),
            matter(
                MatterKind::Task,
                "督办〔2026〕5号 农村公路安全隐患排查整治",
                day(9),
                Some("王芳"),
            ),
            matter(
                MatterKind::Milestone,
                "XM202600031 白水河生态治理工程 开工 & 进场",
                NaiveDate::from_ymd_opt(2026, 2, 20).unwrap(),
                Some("李明"),
            ),
        ],
    )
    .numbered(3)
    .with_contact("张敏，0913-2100123")
}

/// The package's `word/document.xml`, after checking that the package is a zip with its
/// content types.
fn document(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
    assert!(zip.by_name("[Content_Types].xml").is_ok(), "content types");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("UTF-8");
    xml
}

/// The text of each `<w:t>` run, in order, unescaped.
fn runs(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<w:t") {
        rest = &rest[at + 4..];
        // `<w:tbl>`, `<w:tr>`, `<w:tc>` … are other elements.
        if !rest.starts_with('>') && !rest.starts_with(' ') {
            continue;
        }
        let open = rest.find('>').expect("a tag's end");
        if rest[..open].ends_with('/') {
            out.push(String::new());
            continue;
        }
        let close = rest.find("</w:t>").expect("a closed run");
        out.push(
            rest[open + 1..close]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &rest[close..];
    }
    out
}

fn coloured(xml: &str, rgb: &str) -> usize {
    xml.matches(&format!(r#"<w:color w:val="{rgb}" />"#))
        .count()
}

#[test]
fn a_pressing_notice_opens_with_its_title_colour_and_matters() {
    let n = pressing();
    assert_eq!(n.level, ReminderLevel::Press);
    let bytes = notice_docx(&n).expect("written");
    let xml = document(&bytes);
    docx_rs::read_docx(&bytes).expect("docx-rs reads it back");

    // Every text in reading order: 标识, title, 文号, 主送, body, the table, 落款, 附注, 抄送.
    let mut expected = vec![
        "红色催办单".to_string(),
        "催办单".into(),
        "催办〔2026〕3号".into(),
        "白水县人民政府：".into(),
    ];
    expected.extend(n.body());
    expected.push("事项清单（共4项）".into());
    expected.extend(NOTICE_TABLE_HEADER.map(String::from));
    let rows = [
        [
            "1",
            "项目节点",
            "XM202600031 白水河生态治理工程 开工 & 进场",
            "2026年2月20日",
            "逾期17天",
        ],
        [
            "2",
            "问题整改",
            "白水县工业园区标准化厂房用地手续未办结",
            "2026年3月2日",
            "逾期7天",
        ],
        [
            "3",
            "交办办结",
            "督办〔2026〕5号 农村公路安全隐患排查整治",
            "2026年3月9日",
            "今日到期",
        ],
        [
            "4",
            "进度报送",
            "XM202600012 城北污水处理厂扩建 2026年2月进度",
            "2026年3月12日",
            "还有3天",
        ],
    ];
    expected.extend(rows.iter().flatten().map(|s| s.to_string()));
    expected.extend([
        "示范市人民政府督查室".to_string(),
        "2026年3月9日".into(),
        "（联系人及电话：张敏，0913-2100123）".into(),
        "抄送：李明同志。".into(),
    ]);
    assert_eq!(runs(&xml), expected);
    assert!(n.body()[0].contains("2项已超过办理时限，1项今日到期，1项即将到期"));

    // Red: the 标识, the title and the two overdue matters' 逾期天数; yellow the one due today,
    // blue the one ahead.
    assert_eq!(coloured(&xml, ReminderLevel::Press.colour()), 4);
    assert_eq!(coloured(&xml, ReminderLevel::Urge.colour()), 1);
    assert_eq!(coloured(&xml, ReminderLevel::Notice.colour()), 1);
    let title_run = xml.find(">催办单<").expect("the title");
    let run_start = xml[..title_run].rfind("<w:r>").expect("the title's run");
    assert!(xml[run_start..title_run].contains(r#"<w:color w:val="C00000" />"#));
    assert!(xml[run_start..title_run].contains(r#"w:eastAsia="方正小标宋简体""#));

    // The official page: A4, the GB/T 9704 margins, the fixed line, a header row repeated.
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#));
    assert!(xml.contains(r#"w:top="2098""#) && xml.contains(r#"w:left="1588""#));
    assert!(xml.contains(r#"w:line="579" w:lineRule="exact""#));
    assert_eq!(xml.matches("<w:tblHeader />").count(), 1);
}

#[test]
fn each_level_has_its_title_and_colour() {
    for (due, level, title, mark) in [
        (day(9), ReminderLevel::Urge, "督办通知单", "黄色督办单"),
        (day(16), ReminderLevel::Notice, "提示单", "蓝色提示单"),
    ] {
        let n = Notice::compose(
            "示范市人民政府督查室",
            "市交通运输局",
            day(9),
            vec![matter(
                MatterKind::Task,
                "国省干线公路养护工程",
                due,
                Some("李明"),
            )],
        )
        .numbered(8);
        assert_eq!(n.level, level);
        let xml = document(&notice_docx(&n).expect("written"));
        let texts = runs(&xml);
        assert_eq!(
            texts[..3],
            [mark, title, &format!("{}〔2026〕8号", level.label())]
        );
        // 标识, title and the matter's 逾期天数 in the level's colour, and no other colour.
        assert_eq!(coloured(&xml, level.colour()), 3, "{title}");
        assert_eq!(xml.matches("<w:color ").count(), 3, "{title}");
        // Not overdue: nobody is copied.
        assert!(!texts.iter().any(|t| t.starts_with("抄送")), "{title}");
    }
}

#[test]
fn lines_it_does_not_have_are_left_out() {
    let mut n = pressing();
    n.number.clear();
    n.contact = None;
    for m in &mut n.matters {
        m.leader = None;
    }
    let texts = runs(&document(&notice_docx(&n).expect("written")));
    assert_eq!(texts[..3], ["红色催办单", "催办单", "白水县人民政府："]);
    assert_eq!(texts.last().map(String::as_str), Some("2026年3月9日"));
}
