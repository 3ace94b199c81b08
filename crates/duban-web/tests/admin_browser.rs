//! 管理 end to end in headless Chromium (issue 14): the office moves a user to another unit by
//! choosing it from the select, disables the user, and the user can no longer sign in; the 审计
//! page filtered by the office's name shows the change in words and in Beijing time — on a
//! desktop window and on a 390 px phone. Screenshots go to target/screenshots.

use duban_testkit::harness as support;

use duban_store::testing::TestDb;
use support::webdriver::Browser;
use support::{App, PASSWORD};

async fn sign_in(b: &mut Browser, base: &str, user: &str) {
    b.delete_cookies().await;
    b.goto(&format!("{base}/login")).await;
    b.type_into("#username", user).await;
    b.type_into("#password", PASSWORD).await;
    b.click("#login-button").await;
}

/// Does the page fit the window's width (no sideways scrolling of the page itself)?
async fn fits(b: &mut Browser) -> bool {
    b.execute(
        "return document.documentElement.scrollWidth <= window.innerWidth;",
        serde_json::json!([]),
    )
    .await
        == serde_json::json!(true)
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver"]
async fn the_office_moves_and_disables_a_user_and_reads_it_in_the_audit() {
    let db = TestDb::new(duban_store::Backend::Sqlite).await;
    let app = App::start(&db).await;
    let base = format!("http://{}", app.addr);
    let mut b = Browser::start().await;

    sign_in(&mut b, &base, "admin").await;
    b.wait_text("#who", "admin").await;
    b.goto(&format!("{base}/admin/users")).await;
    b.click("#user-baishui a.edit").await;
    b.wait_text("h1", "用户 baishui").await;
    // The unit is chosen from the directory's select.
    b.click("#unit option[value='云台县']").await;
    b.type_into("#edit-reason", "调往云台县").await;
    b.click("#save-user").await;
    b.wait_text("#done", "已保存修改").await;
    let selected = b
        .execute(
            "return document.querySelector('#unit').value;",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(selected, "云台县");
    b.screenshot("admin-user-moved").await;

    // Disabled, confirming the dialog.
    b.type_into("#state-reason", "调离岗位").await;
    b.click("#disable-user").await;
    b.accept_alert().await;
    b.wait_text("#done", "已停用该用户").await;
    b.wait_text("h1", "已停用").await;
    b.screenshot("admin-user-disabled").await;

    // The user can no longer sign in, and is told why.
    sign_in(&mut b, &base, "baishui").await;
    let said = b.wait_text("#login-error", "已停用").await;
    assert_eq!(said, "该账号已停用，不能登录；如需恢复，请联系督查室");
    b.screenshot("admin-disabled-login").await;

    // The audit page, filtered by the office's name: the change in words, in Beijing time.
    let moved = app
        .store
        .audit_trail("user", "baishui")
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "update")
        .unwrap();
    let beijing = (chrono::DateTime::parse_from_rfc3339(&moved.at)
        .unwrap()
        .naive_utc()
        + chrono::Duration::hours(8))
    .format("%Y-%m-%d %H:%M")
    .to_string();
    sign_in(&mut b, &base, "admin").await;
    b.wait_text("#who", "admin").await;
    b.goto(&format!("{base}/admin/audit")).await;
    b.type_into("#audit-filters input[name=actor]", "admin")
        .await;
    b.click("#audit-filters button[type=submit]").await;
    let table = b
        .wait_text("#audit-entries", "所属单位：白水县 → 云台县")
        .await;
    assert!(
        table.contains(&beijing)
            && table.contains("调往云台县")
            && table.contains("状态：在用 → 已停用"),
        "{beijing}: {table}"
    );
    assert!(!table.contains(&moved.at), "no UTC stamp: {table}");
    b.screenshot("admin-audit").await;

    // On a phone, 390 px wide: the pages fit, their tables scroll inside.
    b.resize(390, 844).await;
    for (page, shot) in [
        ("/admin/audit?actor=admin", "admin-audit-phone"),
        ("/admin/users/baishui", "admin-user-phone"),
        ("/admin/units", "admin-units-phone"),
    ] {
        b.goto(&format!("{base}{page}")).await;
        b.find("main h1").await;
        assert!(fits(&mut b).await, "{page} fits a phone");
        b.screenshot(shot).await;
    }
    b.quit().await;
}
