//! End to end in headless Chromium: a unit reporter signs in and reports on the 进度填报 page;
//! the office signs in and sees the item turn from red to green on the dashboard and the
//! ledger, with the charts drawn. Screenshots go to target/screenshots.

mod support;

use duban_store::testing::TestDb;
use support::webdriver::Browser;
use support::{App, PASSWORD};

async fn sign_in(b: &mut Browser, base: &str, user: &str) {
    b.delete_cookies().await;
    b.goto(&format!("{base}/login")).await;
    b.type_into("#username", user).await;
    b.type_into("#password", PASSWORD).await;
    b.click("#login-button").await;
    b.wait_text("#who", user).await;
}

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

    sign_in(&mut b, &base, "admin").await;
    let red_before: u32 = b.text("#count-red").await.parse().unwrap();
    assert_eq!(
        lamp_of(&mut b, &base, "XM1").await,
        "red",
        "nothing reported by late November"
    );

    // The reporter of 白水县 reports October's year-to-date for XM1 on the phone-sized form.
    sign_in(&mut b, &base, "baishui").await;
    b.goto(&format!("{base}/report?period=2025-10")).await;
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

    sign_in(&mut b, &base, "admin").await;
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
        sign_in(&mut b, &base, user).await;
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
            menu.contains("进度填报"),
            user == "admin" || user == "baishui",
            "{user}'s menu: {menu}"
        );
    }
    b.quit().await;
}
