//! 考核评比 in headless Chromium, as the office and the judges would do it: the office writes
//! the year's scheme in the page (a wrong one refused with the reason), sets a tour with a
//! score sheet and three judges; each judge, on a 390 px phone, scores every project on site
//! (one corrects a score) and sees nobody else's scores; the office closes and publishes the
//! tour, runs the half-year assessment, publishes it, confirms the 负面清单 entries duban
//! proposes, records a 约谈 for the bottom unit, and downloads the .docx, which LibreOffice
//! prints within the official margins. Screenshots go to target/screenshots.

#[path = "../../duban-office/tests/support/pdf.rs"]
mod pdf;

use duban_testkit::harness as support;

use chrono::{Datelike, Months};
use duban_core::AccountRole;
use duban_store::NewAccount;
use duban_store::testing::TestDb;
use support::webdriver::Browser;
use support::{App, PASSWORD};

/// The page does not scroll sideways on a phone.
async fn fits_a_phone(b: &mut Browser, what: &str) {
    let width = b.scroll_width().await;
    assert!(width <= 400, "{what} fits a phone's width ({width} px)");
}

const SCHEME: &str = r#"name = "县区重点工作考核方案"

[[criterion]]
name = "项目推进"
base = 60

[[criterion.term]]
label = "观摩评比"
input = "tour_average"
rule = "bands"
bands = [
  { from = 80, points = 20 },
  { from = 70, to = 80, points = 10 },
  { to = 70, points = 0 },
]

[[criterion]]
name = "督办落实"
base = 20

[[criterion.term]]
label = "逾期未办结"
input = "tasks_overdue"
rule = "per_unit"
per = -2
cap = 10
"#;

#[tokio::test]
#[ignore = "needs Chromium and LibreOffice"]
async fn the_office_and_three_judges_run_a_tour_and_the_half_year_assessment() {
    let db = TestDb::new(duban_store::Backend::Sqlite).await;
    let app = App::start(&db).await;
    let base = format!("http://{}", app.addr);
    for name in ["judge2", "judge3"] {
        app.store
            .add_account(
                "test",
                NewAccount {
                    username: name.into(),
                    display_name: format!("评委{name}"),
                    role: AccountRole::Judge,
                    unit: None,
                    leader: None,
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
    }
    let today = duban_web::today();
    // The half year: the six months to the last one closed; the tour in its last month.
    let to = today.with_day(1).unwrap() - chrono::Days::new(1);
    let from = to
        .with_day(1)
        .unwrap()
        .checked_sub_months(Months::new(5))
        .unwrap();
    let (from_p, to_p) = (
        from.format("%Y-%m").to_string(),
        to.format("%Y-%m").to_string(),
    );
    let toured_on = to.with_day(15).unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let mut b = Browser::start().await;
    b.resize(1400, 1000).await;

    // The office writes the year's scheme; a misspelt rule is refused, saying where.
    b.sign_in(&base, "admin", PASSWORD).await;
    b.goto(&format!(
        "{base}/assessment/scheme?year={}&by=region",
        to.year()
    ))
    .await;
    b.wait_text("main", "尚未制定").await;
    b.set_value("#scheme-text", &SCHEME.replace("per_unit", "per_item"))
        .await;
    b.click("#scheme-form button[type=submit]").await;
    b.wait_text("#scheme-error", "per_item").await;
    b.set_value(
        "#scheme-text",
        &SCHEME.replace("tasks_overdue", "overdue_tasks"),
    )
    .await;
    b.click("#scheme-form button[type=submit]").await;
    let error = b.wait_text("#scheme-error", "overdue_tasks").await;
    assert!(
        error.contains("督办落实") && error.contains("tasks_overdue"),
        "{error}"
    );
    b.set_value("#scheme-text", SCHEME).await;
    b.click("#scheme-form button[type=submit]").await;
    b.wait_text("#scheme-saved", "已保存").await;
    let reading = b.text("#scheme-reading").await;
    assert!(
        reading.contains("县区重点工作考核方案") && reading.contains("每个 -2 分"),
        "{reading}"
    );
    b.screenshot("office-scheme").await;

    // The office sets the tour: three projects, three judges, a two-part score sheet.
    b.goto(&format!("{base}/tours")).await;
    b.click("#new-tour summary").await;
    b.type_into("#tour-form input[name=name]", "上半年重点项目观摩评比")
        .await;
    b.set_value("#tour-form input[name=held_on]", &toured_on.to_string())
        .await;
    b.type_into("#tour-form textarea[name=items]", "XM1, XM2, XM3")
        .await;
    for j in ["judge", "judge2", "judge3"] {
        b.click(&format!("#tour-form input[name=judges][value={j}]"))
            .await;
    }
    b.set_value(
        "#tour-form textarea[name=criteria]",
        "形象进度 60\n建设管理 40",
    )
    .await;
    b.screenshot("office-tour-form").await;
    b.click("#tour-form button[type=submit]").await;
    b.wait_text("h1", "上半年重点项目观摩评比").await;
    let url = b
        .execute("return location.pathname", serde_json::json!([]))
        .await;
    let tour = url
        .as_str()
        .unwrap()
        .trim_start_matches("/tours/")
        .to_string();
    assert!(b.text("#tour-admin").await.contains("0 / 9"));

    // Three judges on their phones. XM1: 90, 80, 70 → 80; XM2: 60, 65, 95 → 65;
    // XM3: 85, 88, 75 → 85 (each project's highest and lowest dropped).
    b.resize(390, 844).await;
    let sheets = [
        ("judge", [(55, 40), (35, 25), (50, 35)]),
        ("judge2", [(50, 30), (40, 25), (52, 36)]),
        ("judge3", [(40, 30), (57, 38), (45, 30)]),
    ];
    for (judge, scores) in sheets {
        b.sign_in(&base, judge, PASSWORD).await;
        b.goto(&format!("{base}/tours")).await;
        b.wait_text("#tour-list", "上半年重点项目观摩评比").await;
        b.click(&format!("#tour-list a[href='/tours/{tour}']"))
            .await;
        b.wait_text("h1", "上半年重点项目观摩评比").await;
        for (i, (code, (image, management))) in ["XM1", "XM2", "XM3"].iter().zip(scores).enumerate()
        {
            let form = format!("#sheet-{code}");
            b.type_into(
                &format!("{form} input[name='score:形象进度']"),
                &image.to_string(),
            )
            .await;
            b.type_into(
                &format!("{form} input[name='score:建设管理']"),
                &management.to_string(),
            )
            .await;
            b.click(&format!("{form} button[type=submit]")).await;
            b.wait_text(
                &format!("#saved-{}", i + 1),
                &format!("合计 {} 分", image + management),
            )
            .await;
        }
        // Nobody else's scores while the tour is open.
        let html = b
            .execute(
                "return document.querySelector('#tour-result') === null",
                serde_json::json!([]),
            )
            .await;
        assert_eq!(html, serde_json::json!(true), "{judge} sees no result");
        fits_a_phone(&mut b, "the score sheets").await;
        b.screenshot(&format!("phone-{judge}-scores")).await;
    }
    // judge corrects XM1's 形象进度 from 55 to 45 (XM1: 80, 80, 70 → 80 still), then back.
    b.sign_in(&base, "judge", PASSWORD).await;
    b.goto(&format!("{base}/tours/{tour}")).await;
    b.clear("#sheet-XM1 input[name='score:形象进度']").await;
    b.type_into("#sheet-XM1 input[name='score:形象进度']", "61")
        .await;
    b.click("#sheet-XM1 button[type=submit]").await;
    b.wait_text("#saved-1", "0–60").await;
    b.clear("#sheet-XM1 input[name='score:形象进度']").await;
    b.type_into("#sheet-XM1 input[name='score:形象进度']", "45")
        .await;
    b.click("#sheet-XM1 button[type=submit]").await;
    b.wait_text("#saved-1", "合计 85 分").await;
    b.clear("#sheet-XM1 input[name='score:形象进度']").await;
    b.type_into("#sheet-XM1 input[name='score:形象进度']", "55")
        .await;
    b.click("#sheet-XM1 button[type=submit]").await;
    b.wait_text("#saved-1", "合计 95 分").await;
    b.clear("#sheet-XM1 input[name='score:建设管理']").await;
    b.type_into("#sheet-XM1 input[name='score:建设管理']", "35")
        .await;
    b.click("#sheet-XM1 button[type=submit]").await;
    b.wait_text("#saved-1", "合计 90 分").await;

    // The office closes and publishes the tour.
    b.resize(1400, 1000).await;
    b.sign_in(&base, "admin", PASSWORD).await;
    b.goto(&format!("{base}/tours/{tour}")).await;
    assert!(b.text("#tour-admin").await.contains("9 / 9"));
    b.click("#close-tour").await;
    b.accept_alert().await;
    b.wait_text("#tour-state", "评分已结束").await;
    b.click("#publish-tour").await;
    b.accept_alert().await;
    b.wait_text("#tour-state", "结果已公布").await;
    let result = b.text("#tour-result").await;
    let order: Vec<usize> = ["市级财政项目", "白水县产业园", "云台县物流园"]
        .iter()
        .map(|n| result.find(n).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{result}");
    assert!(result.contains("85") && result.contains("80") && result.contains("65"));
    b.screenshot("office-tour-result").await;

    // The half-year assessment: 白水县 60 + 20 (its tour average 80) + 20 = 100; 云台县
    // 60 + 0 (65) + 20 = 80.
    b.goto(&format!(
        "{base}/assessment?from={from_p}&to={to_p}&by=region"
    ))
    .await;
    let table = b.wait_text("#assessment-result", "白水县").await;
    let rows: Vec<String> = table.lines().map(str::to_string).collect();
    assert!(
        table.find("白水县").unwrap() < table.find("云台县").unwrap(),
        "{table}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("白水县") && r.contains("100")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("云台县") && r.contains("80")),
        "{rows:?}"
    );
    b.screenshot("office-assessment").await;
    b.click("#publish-assessment").await;
    b.accept_alert().await;
    b.wait_text("main", "已发布，不再重算").await;
    let published = b
        .execute("return location.pathname", serde_json::json!([]))
        .await;
    let published = published.as_str().unwrap().to_string();
    b.screenshot("office-assessment-published").await;

    // The proposals: confirm every 负面清单 entry (云台县, from the tour and the assessment).
    b.goto(&format!(
        "{base}/accountability?state=proposed&kind=negative"
    ))
    .await;
    let ids = b
        .execute(
            "return [...document.querySelectorAll('tr[data-kind=negative]')].map(r => r.id.replace('entry-', ''))",
            serde_json::json!([]),
        )
        .await;
    let ids: Vec<String> = ids
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2, "one from the tour, one from the assessment");
    for id in &ids {
        b.click(&format!("#confirm-{id}")).await;
        b.wait_text(&format!("#decide-{id}"), "已确认").await;
    }
    b.screenshot("office-proposals").await;

    // A 约谈 for the bottom unit, from the published assessment.
    b.goto(&format!("{base}{published}")).await;
    b.click("#talk-last").await;
    b.wait_text("h1", "问责台账").await;
    b.type_into("#record-form input[name=held_by]", "副市长 李某")
        .await;
    b.type_into(
        "#record-form textarea[name=outcome]",
        "县长表态：一个月内整改到位",
    )
    .await;
    b.click("#record-form button[type=submit]").await;
    let register = b.wait_text("main table.records", "副市长 李某").await;
    assert!(
        register.contains("云台县") && register.contains("约谈"),
        "{register}"
    );
    let entries = app
        .store
        .accountability(&duban_store::RecordFilter {
            unit: Some("云台县".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let kinds: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.kind.code(), e.state.code()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("talk", "confirmed"),
            ("negative", "confirmed"),
            ("negative", "confirmed")
        ]
    );
    assert!(entries[0].source.starts_with("assessment:"));
    b.screenshot("office-talk").await;
    // The unit's page shows them.
    b.goto(&format!(
        "{base}/admin/units/{}",
        duban_testkit::client::encode("云台县")
    ))
    .await;
    let records = b.wait_text("main table.records", "负面清单").await;
    assert!(records.contains("约谈"), "{records}");

    // The .docx of the published assessment, printed by LibreOffice within the margins.
    b.allow_downloads(downloads.path()).await;
    b.goto(&format!("{base}{published}")).await;
    b.click("#published-docx").await;
    let file = b.downloaded(downloads.path(), ".docx").await;
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(name.contains("考核"), "{name}");
    let printed = tempfile::tempdir().unwrap();
    let pdf = pdf::print(&std::fs::read(&file).unwrap(), printed.path(), "考核通报");
    let pages = pdf::pages(&pdf);
    let words = pdf::words(&pdf);
    pdf::assert_official_layout(pages, &words);
    let text = pdf::page_text(&words, 1);
    assert!(text.contains("白水县") && text.contains("云台县"), "{text}");
    b.quit().await;
}
