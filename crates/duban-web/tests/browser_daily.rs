//! Each role's working day in headless Chromium, without leaving the UI: the reporter of 市财政局
//! on a 390 px phone reports figures, a milestone and a photo, raises a problem with a photo,
//! asks for an extension, rectifies and asks for 销号 with evidence; the office approves the
//! extension, assigns and closes the problem, adds an item and plans it backwards; the leader
//! reads his page and instructs, and the unit reads the instruction. Screenshots go to
//! target/screenshots.

use duban_testkit::harness as support;

use chrono::{Datelike, Days};
use duban_store::testing::TestDb;
use support::webdriver::Browser;
use support::{App, PASSWORD};

/// A photo of the site on disk, for the file inputs.
fn photo(dir: &std::path::Path) -> String {
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 90])
    });
    let path = dir.join("现场照片.png");
    img.save(&path).unwrap();
    path.display().to_string()
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver"]
async fn each_role_does_its_day_in_the_browser() {
    let db = TestDb::new(duban_store::Backend::Sqlite).await;
    let app = App::start(&db).await;
    let base = format!("http://{}", app.addr);
    let dir = tempfile::tempdir().unwrap();
    let photo = photo(dir.path());
    let today = duban_web::today();
    let last = today.with_day(1).unwrap() - Days::new(1);
    let period = format!("{}-{:02}", last.year(), last.month());
    let mut b = Browser::start().await;

    // The reporter, on a phone.
    b.resize(390, 844).await;
    b.sign_in(&base, "caizheng", PASSWORD).await;
    b.goto(&format!("{base}/report?period={period}")).await;
    let width: i64 = b
        .execute(
            "return document.documentElement.scrollWidth;",
            serde_json::json!([]),
        )
        .await
        .as_i64()
        .unwrap();
    assert!(
        width <= 400,
        "the report page fits a phone's width ({width} px)"
    );
    let height: i64 = b
        .execute(
            "return document.documentElement.scrollHeight;",
            serde_json::json!([]),
        )
        .await
        .as_i64()
        .unwrap();
    assert!(
        height < 3000,
        "the report page is short on a phone ({height} px)"
    );
    b.click("#row-XM3 summary").await;
    b.type_into("#row-XM3 input[name=ytd]", "260").await;
    b.type_into("#row-XM3 input[name=progress_text]", "场地平整完成")
        .await;
    b.set_value(
        "#row-XM3 input[name='ms:开工']",
        &(last - Days::new(2)).to_string(),
    )
    .await;
    b.type_into("#row-XM3 input[name=files]", &photo).await;
    b.screenshot("phone-report-form").await;
    b.click("#row-XM3 button[type=submit]").await;
    let said = b.wait_text("#result-XM3", "已报送").await;
    assert!(said.contains("节点完成：开工"), "{said}");
    assert_eq!(
        b.text("#state-XM3").await,
        "已报",
        "the row says it is reported at once"
    );
    b.screenshot("phone-report-done").await;

    // A problem raised from the item page with a photo, and an extension asked for.
    b.goto(&format!("{base}/items/XM3")).await;
    b.click("#raise summary").await;
    b.set_value("#raise select[name=category]", "征迁").await;
    b.type_into(
        "#raise textarea[name=description]",
        "还有三户未签约，需要县里协调",
    )
    .await;
    b.type_into("#raise input[name=files]", &photo).await;
    b.click("#raise button[type=submit]").await;
    b.wait_text("#raise-result", "已登记问题").await;
    b.click("#extension summary").await;
    b.set_value("#extension select[name=milestone]", "正负零")
        .await;
    let ms = app.store.item("XM3").await.unwrap().unwrap().milestones;
    let asked = ms[1].planned.unwrap() + Days::new(30);
    b.set_value("#extension input[name=requested]", &asked.to_string())
        .await;
    b.type_into("#extension textarea[name=reason]", "设计变更，需重新审图")
        .await;
    b.click("#extension button[type=submit]").await;
    b.wait_text("#extension-result", "待督查室审批").await;
    b.screenshot("phone-item").await;

    // The office, at a desk: approves the extension, assigns the problem.
    b.resize(1400, 1000).await;
    b.sign_in(&base, "admin", PASSWORD).await;
    b.goto(&format!("{base}/extensions")).await;
    b.click("#extension-list button[id^=approve-]").await;
    b.wait_text("#extension-list", "已批准").await;
    let id = app.store.problems(&Default::default()).await.unwrap()[0].id;
    b.goto(&format!("{base}/problems")).await;
    // A refused move shows why above the board; the card stays where it was.
    b.execute(
        "document.querySelector(arguments[0]).removeAttribute('required');",
        serde_json::json!([format!("#problem-{id} input[name=due]")]),
    )
    .await;
    b.set_value(&format!("#problem-{id} select[name=unit]"), "市财政局")
        .await;
    b.click(&format!("#problem-{id} button[type=submit]")).await;
    b.wait_text("#board-error", "整改时限").await;
    assert!(
        b.text("#col-raised").await.contains("还有三户未签约"),
        "the card is still in its column"
    );
    b.set_value(
        &format!("#problem-{id} input[name=due]"),
        &(today + Days::new(15)).to_string(),
    )
    .await;
    b.click(&format!("#problem-{id} button[type=submit]")).await;
    b.wait_text("#board-done", "已交办").await;
    b.screenshot("office-board").await;
    let column = b.text("#col-assigned").await;
    assert!(
        column.contains("还有三户未签约"),
        "the card moved to 已交办: {column}"
    );

    // The unit rectifies and asks for 销号 with evidence, on the phone.
    b.resize(390, 844).await;
    b.sign_in(&base, "caizheng", PASSWORD).await;
    b.goto(&format!("{base}/items/XM3")).await;
    let page = b.text("#milestones").await;
    assert!(page.contains("调整后") && page.contains("已延期"), "{page}");
    b.goto(&format!("{base}/problems")).await;
    b.click(&format!("#problem-{id} button[type=submit]")).await;
    b.wait_text("#board-done", "整改中").await;
    // (An empty 整改情况 is stopped by the form itself; the server refuses it too: daily.rs.)
    b.type_into(
        &format!("#problem-{id} textarea[name=note]"),
        "三户已签约，场地已交付",
    )
    .await;
    b.type_into(&format!("#problem-{id} input[name=files]"), &photo)
        .await;
    b.click(&format!("#problem-{id} button[type=submit]")).await;
    b.wait_text("#board-done", "申请销号").await;
    b.screenshot("phone-problems").await;

    // The office closes it, adds an item and plans it backwards.
    b.resize(1400, 1000).await;
    b.sign_in(&base, "admin", PASSWORD).await;
    b.goto(&format!("{base}/problems")).await;
    assert!(
        b.text(&format!("#problem-{id}"))
            .await
            .contains("整改情况：三户已签约")
    );
    b.click(&format!("#problem-{id} button[type=submit]")).await;
    b.wait_text("#board-done", "已销号").await;
    b.goto(&format!("{base}/items/new")).await;
    b.type_into("#item-form input[name=name]", "白水县智慧农业示范园")
        .await;
    b.set_value("#item-form select[name=lead_unit]", "白水县")
        .await;
    b.set_value("#item-form select[name=leader]", "王某（副市长）")
        .await;
    b.type_into("#item-form input[name=total_investment]", "3000")
        .await;
    b.type_into("#item-form input[name=annual_plan]", "800")
        .await;
    b.type_into("#item-form input[name=reason]", "县政府常务会议新增")
        .await;
    b.click("#item-form button[type=submit]").await;
    b.wait_text("h1", "白水县智慧农业示范园").await;
    // … edits it with a reason …
    b.click("#edit-item").await;
    b.clear("#item-form input[name=annual_plan]").await;
    b.type_into("#item-form input[name=annual_plan]", "900")
        .await;
    b.type_into("#item-form input[name=reason]", "年度计划调增")
        .await;
    b.click("#item-form button[type=submit]").await;
    b.wait_text("h1", "白水县智慧农业示范园").await;
    b.wait_text("dl.fields", "900").await;
    b.click("#milestones details summary").await;
    b.set_value(
        "#plan-form input[name=target]",
        &(today + Days::new(400)).to_string(),
    )
    .await;
    b.click("#plan-form button[type=submit]").await;
    b.wait_text("#plan-result", "已倒排工期").await;
    b.screenshot("office-item").await;
    // Printed, the item page is the record alone: no menu, no forms.
    b.print_media(true).await;
    let hidden = b
        .execute(
            "return ['.menu', '.topbar', '#office-tools', '#plan-form'].map(function (c) { \
               var e = document.querySelector(c); return e ? getComputedStyle(e).display : 'none'; });",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(
        hidden,
        serde_json::json!(["none", "none", "none", "none"]),
        "print hides the menu and the forms"
    );
    b.screenshot("office-item-print").await;
    b.print_media(false).await;

    // The leader reads his page and instructs; the unit reads it.
    b.sign_in(&base, "wang", PASSWORD).await;
    b.goto(&format!("{base}/leader")).await;
    assert!(b.text("#leader-items").await.contains("白水县产业园"));
    b.screenshot("leader-page").await;
    b.goto(&format!("{base}/items/XM1")).await;
    b.type_into(
        "#instruct-form textarea[name=body]",
        "请白水县本周内拿出解决方案",
    )
    .await;
    b.click("#instruct-form button[type=submit]").await;
    b.wait_text("#instruct-result", "已批示").await;
    b.resize(390, 844).await;
    b.sign_in(&base, "baishui", PASSWORD).await;
    b.goto(&format!("{base}/items/XM1")).await;
    assert!(
        b.text("#instructions")
            .await
            .contains("请白水县本周内拿出解决方案")
    );
    b.screenshot("phone-instruction").await;
    b.quit().await;
}
