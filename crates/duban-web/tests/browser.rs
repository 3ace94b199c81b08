//! End to end in headless Chromium: a unit reporter signs in and reports on the 进度填报 page;
//! the office signs in and sees the item turn from red to green on the dashboard and the
//! ledger, with the charts drawn; the office reads a speech into 会议议定事项, reviews and
//! confirms them. Screenshots go to target/screenshots.

use duban_testkit::harness as support;

use chrono::Datelike;
use duban_store::testing::TestDb;
use serde_json::json;
use support::webdriver::Browser;
use support::{App, PASSWORD};

async fn lamp_of(b: &mut Browser, base: &str, code: &str) -> String {
    let mut colour = String::new();
    for c in ["red", "yellow", "green"] {
        b.goto(&format!("{base}/items?search={code}&colour={c}"))
            .await;
        if b.text("#ledger").await.contains(code) {
            colour = c.to_string();
        }
    }
    colour
}

/// 会议议定事项, nothing lost: the office pastes a speech; a request that produced no directive
/// is listed and added as a row (then dropped), a task the extractor missed is added by
/// selecting its words in the speech, given its unit; confirming asks first with the count.
async fn a_missed_task_added_from_the_text(b: &mut Browser, base: &str) {
    let year = duban_web::today().year();
    b.goto(&format!("{base}/meetings")).await;
    let speech = format!(
        "在{year}年全市重点工作推进会上的讲话\n同志们：\n市财政局要在9月底前拨付专项资金。\n大家要齐心协力，把各项工作抓实抓细。\n城区停车难的问题，交通部门近期拿出整治方案。\n"
    );
    b.type_into("#speech", &speech).await;
    b.click("#extract").await;
    b.wait_text("#directives", "拨付专项资金").await;
    let unclaimed = b.wait_text("#unclaimed", "齐心协力").await;
    assert!(!unclaimed.contains("拨付专项资金"), "{unclaimed}");
    // The listed request added as a row, then judged no task and dropped.
    b.click("#unclaimed [data-action=add-unclaimed]").await;
    let added = b
        .execute(
            "return document.querySelector('#row-2 textarea').value",
            json!([]),
        )
        .await;
    assert_eq!(added, "大家要齐心协力，把各项工作抓实抓细。");
    b.click("#row-2 [data-action=drop]").await;
    // The missed task: its words selected in the speech, added, given its unit.
    b.execute(
        "var box = document.getElementById('speech'); var at = box.value.indexOf(arguments[0]); \
         box.focus(); box.setSelectionRange(at, at + arguments[0].length);",
        json!(["交通部门近期拿出整治方案"]),
    )
    .await;
    b.click("#add-selection").await;
    let row = b
        .execute(
            "return document.querySelector('#row-3 textarea').value + '|' + \
             document.querySelector('#row-3 input[name=pick]').checked + '|' + \
             document.querySelector('#row-3 [data-line]').textContent",
            json!([]),
        )
        .await;
    assert_eq!(row, "交通部门近期拿出整治方案|true|5");
    b.type_into("#row-3 td[data-kind=lead] .add-unit", "云台县\u{E007}")
        .await;
    b.wait_text("#row-3 td[data-kind=lead] .chips", "云台县")
        .await;
    b.screenshot("meetings-added-from-text").await;
    b.click("#confirm").await;
    assert_eq!(b.alert_text().await, "将生成 2 项重点工作，确定？");
    b.accept_alert().await;
    let done = b.wait_text("#review", "已生成").await;
    assert!(done.contains("已生成 2 项重点工作"), "{done}");
}

/// 会议议定事项: the office pastes a speech, reads the review table, drops a row, edits a
/// text and a deadline, adds a unit, merges a row into the one above and confirms; the items
/// are in the ledger.
async fn meeting_tasks(b: &mut Browser, base: &str, app: &App) {
    support::add_reform_commission(&app.store).await;
    let year = duban_web::today().year();
    b.goto(&format!("{base}/meetings")).await;
    b.type_into(
        "#speech",
        &format!(
            "在{year}年全市项目建设调度会上的讲话\n同志们：\n由市发改委牵头，市财政局配合，10月底前完成储备项目梳理；各县（市、区）要在×月×日前上报开工计划。\n市考核办要每月通报一次进展，确保全年完成率不低于95%。\n要在年底前全面完成项目入库工作。"
        ),
    )
    .await;
    b.click("#extract").await;
    let table = b.wait_text("#directives", "储备项目梳理").await;
    assert!(
        table.contains("未匹配：市考核办") && table.contains("×月×日前（日期待定）"),
        "{table}"
    );
    assert_eq!(
        b.text("#picked-count").await,
        "2",
        "tier A rows with a unit matched are picked; 市考核办's is left for the office"
    );
    b.screenshot("meetings").await;
    // Row 3 (市考核办, not in the directory) dropped.
    b.click("#row-3 [data-action=drop]").await;
    assert_eq!(b.text("#picked-count").await, "2");
    // Row 1: the text and the deadline edited.
    b.clear("#row-1 textarea").await;
    b.type_into(
        "#row-1 textarea",
        "由市发改委牵头，市财政局配合，10月20日前完成储备项目梳理",
    )
    .await;
    let deadline = format!("{year}-10-20");
    b.execute(
        "var d = document.querySelector('#row-1 input[type=date]'); d.value = arguments[0]; \
         d.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([deadline]),
    )
    .await;
    // Row 2: 市财政局 added as a co-operating unit; row 4 (no one named, unpicked) merged in.
    b.type_into("#row-2 td[data-kind=co] .add-unit", "市财政局\u{E007}")
        .await;
    b.wait_text("#row-2 td[data-kind=co] .chips", "市财政局")
        .await;
    b.click("#row-4 [data-action=merge]").await;
    let merged = b
        .execute(
            "return document.querySelector('#row-2 textarea').value + '|' + \
             document.querySelector('#row-2 input[type=date]').value + '|' + \
             document.querySelectorAll('#directives tbody tr').length;",
            json!([]),
        )
        .await;
    assert_eq!(
        merged,
        format!(
            "各县（市、区）要在×月×日前上报开工计划；要在年底前全面完成项目入库工作|{year}-12-31|2"
        ),
        "texts joined, the known deadline kept, the row gone"
    );
    b.screenshot("meetings-edited").await;
    b.click("#confirm").await;
    assert_eq!(b.alert_text().await, "将生成 3 项重点工作，确定？");
    b.accept_alert().await;
    let done = b.wait_text("#review", "已生成").await;
    assert!(done.contains("已生成 3 项重点工作"), "{done}");
    let listed = b.text("#created-items").await;
    assert!(
        listed.contains(&deadline) && listed.contains("市发展和改革委员会"),
        "{listed}"
    );
    b.screenshot("meetings-confirmed").await;
    // In the ledger, as 重点工作, with the edits.
    b.goto(&format!("{base}/items?kind=重点工作")).await;
    let ledger = b.text("#ledger").await;
    assert!(
        ledger.contains("完成储备项目梳理")
            && ledger.contains("上报开工计划")
            && ledger.contains("白水县")
            && ledger.contains("云台县"),
        "{ledger}"
    );
    let items = app
        .store
        .items(&duban_store::ItemFilter {
            kind: Some(duban_core::ItemKind::Task),
            year: Some(year),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(items.len(), 3, "{items:?}");
    for i in &items {
        assert_eq!(
            i.extra.get("会议来源").map(String::as_str),
            Some(format!("在{year}年全市项目建设调度会上的讲话").as_str())
        );
        if i.lead_unit == "市发展和改革委员会" {
            assert_eq!(i.planned_end.map(|d| d.to_string()), Some(deadline.clone()));
            assert_eq!(
                i.scale.as_deref(),
                Some("由市发改委牵头，市财政局配合，10月20日前完成储备项目梳理"),
                "the text as edited is the item's 工作内容"
            );
        } else {
            assert_eq!(i.co_units, ["市财政局"], "{i:?}");
            assert_eq!(
                i.planned_end.map(|d| d.to_string()),
                Some(format!("{year}-12-31"))
            );
        }
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver"]
async fn a_reporter_reports_and_the_office_sees_the_colour_change() {
    // A fixed date (this test binary holds only this test): late November, October closed.
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe { std::env::set_var("DUBAN_TODAY", "2025-11-24") };
    let db = TestDb::new(duban_store::Backend::Sqlite).await;
    let app = App::start(&db).await;
    let base = format!("http://{}", app.addr);
    let mut b = Browser::start().await;

    b.sign_in(&base, "admin", PASSWORD).await;
    let red_before: u32 = b.text("#count-red").await.parse().unwrap();
    assert_eq!(
        lamp_of(&mut b, &base, "XM1").await,
        "red",
        "nothing reported by late November"
    );

    // The reporter of 白水县 reports October's year-to-date for XM1 on the phone-sized form.
    b.sign_in(&base, "baishui", PASSWORD).await;
    b.goto(&format!("{base}/report?period=2025-10")).await;
    b.click("#row-XM1 summary").await;
    b.type_into("#row-XM1 input[name=ytd]", "1,150").await;
    b.type_into("#row-XM1 input[name=progress_text]", "主体封顶")
        .await;
    b.click("#row-XM1 button[type=submit]").await;
    let said = b.wait_text("#result-XM1", "已报送").await;
    assert!(said.contains("1150"), "{said}");
    b.screenshot("report-submitted").await;
    // A bad figure gets a field message in place, nothing written.
    b.type_into("#row-XM1 input[name=ytd]", "九千").await;
    b.click("#row-XM1 button[type=submit]").await;
    b.wait_text("#result-XM1", "累计完成投资").await;

    b.sign_in(&base, "admin", PASSWORD).await;
    b.find("#chart-regions[data-rendered=true]").await;
    b.find("#chart-colours[data-rendered=true]").await;
    let red_after: u32 = b.text("#count-red").await.parse().unwrap();
    assert_eq!(
        red_after + 1,
        red_before,
        "one red item fewer on the dashboard"
    );
    let shot = b.screenshot("dashboard").await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 20_000,
        "a drawn dashboard"
    );
    assert_eq!(lamp_of(&mut b, &base, "XM1").await, "green");
    b.goto(&format!("{base}/items/XM1")).await;
    b.wait_text("#history", "主体封顶").await;
    b.goto(&format!("{base}/items/XM3")).await;
    b.find("#chart-gantt[data-rendered=true]").await;
    b.screenshot("item").await;
    b.goto(&format!("{base}/problems")).await;
    b.find("#board").await;
    b.screenshot("problems").await;

    // 排名: the office ranks the regions of October, with the charts drawn.
    b.goto(&format!("{base}/rankings?period=2025-10")).await;
    b.find("#chart-ranking[data-rendered=true]").await;
    b.find("#chart-ranking-investment[data-rendered=true]")
        .await;
    let table = b.text("#ranking").await;
    assert!(
        table.contains("白水县") && table.contains("云台县") && table.contains("全市"),
        "{table}"
    );
    b.screenshot("rankings").await;
    // 通报: edit the requirements, see them in the preview, issue, download.
    b.goto(&format!("{base}/bulletin?period=2025-10")).await;
    b.wait_text("#preview", "关于2025年1—10月全市重点项目推进情况的通报")
        .await;
    b.clear("#requirements").await;
    b.type_into("#requirements", "请各地十一月底前补齐漏报数据。")
        .await;
    b.click("#requirements-form button[type=submit]").await;
    b.wait_text("#preview", "请各地十一月底前补齐漏报数据。")
        .await;
    b.click("#issue").await;
    b.accept_alert().await;
    b.wait_text("#issue-result", "已印发").await;
    b.goto(&format!("{base}/bulletin?period=2025-10")).await;
    b.wait_text("#bulletin-state", "2025年第1期").await;
    b.screenshot("bulletin").await;
    meeting_tasks(&mut b, &base, &app).await;
    a_missed_task_added_from_the_text(&mut b, &base).await;

    // Every role signs in and every page of its menu opens, charts drawn, without an error.
    for (user, pages) in [
        (
            "admin",
            &[
                "/",
                "/items",
                "/report?unit=%E7%99%BD%E6%B0%B4%E5%8E%BF",
                "/problems",
                "/admin/units",
                "/admin/users",
                "/rankings",
                "/bulletin",
                "/meetings",
            ][..],
        ),
        (
            "baishui",
            &[
                "/",
                "/items",
                "/report",
                "/problems",
                "/rankings",
                "/bulletin",
            ][..],
        ),
        ("wang", &["/", "/items", "/problems", "/rankings"][..]),
        ("judge", &["/", "/items", "/problems", "/bulletin"][..]),
        (
            "viewer",
            &["/", "/items", "/problems", "/rankings", "/bulletin"][..],
        ),
    ] {
        b.sign_in(&base, user, PASSWORD).await;
        for page in pages {
            b.goto(&format!("{base}{page}")).await;
            let body = b.text("main").await;
            assert!(
                !body.contains("服务器内部错误") && !body.contains("无权"),
                "{user} {page}: {body}"
            );
            if *page == "/" {
                b.find("#chart-regions[data-rendered=true]").await;
                b.screenshot(&format!("overview-{user}")).await;
            }
        }
        let menu = b.text("nav.menu").await;
        assert_eq!(
            menu.contains("用户管理"),
            user == "admin",
            "{user}'s menu: {menu}"
        );
        assert_eq!(
            menu.contains("会议议定事项"),
            user == "admin",
            "{user}'s menu: {menu}"
        );
        assert_eq!(
            menu.contains("进度填报"),
            user == "admin" || user == "baishui",
            "{user}'s menu: {menu}"
        );
    }
    b.quit().await;
}
