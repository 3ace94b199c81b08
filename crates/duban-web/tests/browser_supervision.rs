//! 督办 in headless Chromium, without leaving the UI: the office hands down a leader's
//! instruction with the form; the reporter of the lead unit, on a 390 px phone, finds it in 待办,
//! opens it, signs for it, feeds back with a photo and asks to close it; the office closes it;
//! the task list and the to-dos fit the phone's width; the office downloads the 催办单 of a unit
//! with an overdue task as a Word file. Screenshots go to target/screenshots.

use duban_testkit::harness as support;

use std::io::Read;

use chrono::Days;
use duban_store::testing::TestDb;
use support::webdriver::Browser;
use support::{App, PASSWORD};

/// A photo of the site on disk, for the file inputs.
fn photo(dir: &std::path::Path) -> String {
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 255) as u8, 120])
    });
    let path = dir.join("整改现场.png");
    img.save(&path).unwrap();
    path.display().to_string()
}

/// The page does not scroll sideways on a phone.
async fn fits_a_phone(b: &mut Browser, what: &str) {
    let width = b.scroll_width().await;
    assert!(width <= 400, "{what} fits a phone's width ({width} px)");
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_task_handed_down_signed_fed_back_and_closed_in_the_browser() {
    let db = TestDb::new(duban_store::Backend::Sqlite).await;
    let app = App::start(&db).await;
    let base = format!("http://{}", app.addr);
    let dir = tempfile::tempdir().unwrap();
    let photo = photo(dir.path());
    let downloads = tempfile::tempdir().unwrap();
    let today = duban_web::today();
    // An audit finding 白水县 should have settled five days ago.
    let calendar = app.store.work_calendar().await.unwrap();
    let overdue = app
        .store
        .hand_down_task(
            "test",
            duban_store::NewTask {
                number: None,
                title: "审计发现的拖欠工程款清理".into(),
                content: "限期清理完毕并报送结果".into(),
                source: duban_core::task::TaskSource::Audit,
                source_ref: Some("审计报告第 3 号".into()),
                item_code: None,
                lead_unit: "白水县".into(),
                co_units: Vec::new(),
                leader: None,
                deadline: duban_core::task::Deadline::Date {
                    date: today - Days::new(5),
                },
                sign_within: 1,
                cadence: duban_core::task::FeedbackCadence::Once,
                assigned_on: today - Days::new(30),
            },
            &calendar,
            Vec::new(),
        )
        .await
        .unwrap();
    let mut b = Browser::start().await;

    // The office hands down a leader's instruction with the form.
    b.sign_in(&base, "admin", PASSWORD).await;
    b.goto(&format!("{base}/tasks")).await;
    b.click("#hand-down").await;
    b.set_value("#task-form select[name=source]", "instruction")
        .await;
    b.type_into("#task-form input[name=title]", "研究解决产业园供水问题")
        .await;
    b.type_into(
        "#task-form textarea[name=content]",
        "请白水县牵头、市财政局配合，两周内拿出供水方案。",
    )
    .await;
    b.type_into("#task-form input[name=source_ref]", "市领导批示件第 35 号")
        .await;
    b.set_value("#task-form select[name=lead_unit]", "白水县")
        .await;
    b.select_many("#task-form select[name=co_units]", &["市财政局"])
        .await;
    b.set_value("#task-form select[name=leader]", "王某（副市长）")
        .await;
    b.type_into("#task-form input[name=due_days]", "10").await;
    b.set_value("#task-form select[name=cadence]", "weekly")
        .await;
    b.screenshot("office-task-form").await;
    b.click("#task-form button[type=submit]").await;
    b.wait_text("h1", "研究解决产业园供水问题").await;
    let fields = b.text("#task-fields").await;
    assert!(
        fields.contains("领导批示")
            && fields.contains("市财政局")
            && fields.contains("10 个工作日内"),
        "{fields}"
    );
    b.screenshot("office-task-handed-down").await;
    let id = app
        .store
        .tasks(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.title == "研究解决产业园供水问题")
        .unwrap()
        .id;

    // The reporter of 白水县, on a phone: 待办 from the header, the task, 签收.
    b.resize(390, 844).await;
    b.sign_in(&base, "baishui", PASSWORD).await;
    b.goto(&format!("{base}/")).await;
    b.wait_text("#todo-count", "待办").await;
    b.click("#todo-count").await;
    b.wait_text("#todo-list", "研究解决产业园供水问题").await;
    fits_a_phone(&mut b, "the to-dos").await;
    b.screenshot("phone-todos").await;
    b.click(&format!("#todo-list a[href='/tasks/{id}']")).await;
    b.wait_text("h1", "研究解决产业园供水问题").await;
    b.click("#move-sign button[type=submit]").await;
    b.wait_text("#task-done", "已签收").await;
    assert_eq!(b.text("#task-state").await, "办理中");
    // 反馈 with a photo of the site.
    b.type_into(
        "#move-feedback textarea[name=note]",
        "已踏勘水源地，供水管网设计已启动",
    )
    .await;
    b.type_into("#move-feedback input[name=files]", &photo)
        .await;
    b.click("#move-feedback button[type=submit]").await;
    b.wait_text("#task-done", "已反馈").await;
    b.find("#task-events li.event-feedback img.thumb").await;
    assert!(
        b.text("#task-events")
            .await
            .contains("已踏勘水源地，供水管网设计已启动")
    );
    // 申请办结 with the report.
    b.type_into(
        "#move-request_close textarea[name=report]",
        "供水方案已经县政府常务会审定，管网开工",
    )
    .await;
    b.type_into("#move-request_close input[name=files]", &photo)
        .await;
    b.click("#move-request_close button[type=submit]").await;
    b.wait_text("#task-done", "申请办结").await;
    fits_a_phone(&mut b, "the task's page").await;
    b.screenshot("phone-task").await;
    b.goto(&format!("{base}/tasks")).await;
    b.wait_text("#task-list", "研究解决产业园供水问题").await;
    fits_a_phone(&mut b, "the task list").await;
    b.screenshot("phone-tasks").await;

    // The office closes it.
    b.resize(1400, 1000).await;
    b.sign_in(&base, "admin", PASSWORD).await;
    b.goto(&format!("{base}/tasks/{id}")).await;
    assert!(
        b.text("#task-events")
            .await
            .contains("供水方案已经县政府常务会审定")
    );
    b.click("#move-close button[type=submit]").await;
    b.wait_text("#task-done", "已办结").await;
    assert_eq!(b.text("#task-state").await, "已办结");
    b.screenshot("office-task-closed").await;

    // The 催办单 of 白水县, for its overdue task, downloaded as a Word file.
    b.allow_downloads(downloads.path()).await;
    b.goto(&format!("{base}/tasks/{}", overdue.id)).await;
    let late = b.text("#task-late").await;
    assert!(late.contains("逾期未办结"), "{late}");
    b.click("#notice-form button[type=submit]").await;
    let file = b.downloaded(downloads.path(), ".docx").await;
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(name.contains("白水县") && name.contains("催办"), "{name}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("白水县"), "the unit is named in the notice");
    assert!(
        xml.contains("审计发现的拖欠工程款清理"),
        "its overdue matter listed"
    );
    b.screenshot("office-notice").await;

    // The office's other pages of 催办管理, as they look.
    for (path, shot) in [
        ("/reminders", "office-reminders"),
        ("/contacts", "office-contacts"),
        ("/holidays", "office-holidays"),
        ("/messages", "office-messages"),
    ] {
        b.goto(&format!("{base}{path}")).await;
        b.find("main h1").await;
        b.screenshot(shot).await;
    }
    b.goto(&format!("{base}/reminders")).await;
    b.click("#run-preview").await;
    b.wait_text("#run-head", "预览").await;
    b.screenshot("office-reminders-preview").await;
    // The unit's inbox on the phone: a message read from its list.
    b.resize(390, 844).await;
    b.sign_in(&base, "baishui", PASSWORD).await;
    b.goto(&format!("{base}/messages")).await;
    b.wait_text("#message-list", "办结").await;
    fits_a_phone(&mut b, "the inbox").await;
    b.screenshot("phone-messages").await;
    b.click("#read-all").await;
    b.wait_text("#unread-note", "未读 0 条").await;
    b.wait_text("#unread-count", "0").await;
    b.quit().await;
}
