//! Administration in the browser and the API (issue 14), on both backends: the office edits a
//! user (the unit chosen from the directory), disables and enables them (a disabled user's
//! session and token stop at once, and they cannot sign in), resets a password; edits,
//! disables and enables units; reads the audit trail filtered and paged, each change in words
//! and in Beijing time — and so does the item page's 修改记录.

use duban_testkit::harness as support;

use duban_store::testing::TestDb;
use duban_testkit::client::{Client, encode};
use serde_json::json;
use support::{App, PASSWORD};

/// A stored UTC stamp as Beijing reads it (UTC+8), computed here by hand.
fn in_beijing(at: &str) -> String {
    (chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .naive_utc()
        + chrono::Duration::hours(8))
    .format("%Y-%m-%d %H:%M")
    .to_string()
}

/// A form posted as htmx posts it.
async fn htmx(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
) -> duban_testkit::client::Answer {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    c.send(
        hyper::Method::POST,
        path,
        Some(("application/x-www-form-urlencoded", body.into_bytes())),
    )
    .await
    .unwrap()
}

fn edit(unit: &str, reason: &str) -> Vec<(&'static str, String)> {
    vec![
        ("display_name", "白水县填报员".to_string()),
        ("role", "reporter".to_string()),
        ("unit", unit.to_string()),
        ("leader", String::new()),
        ("reason", reason.to_string()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn the_office_edits_and_disables_a_user_who_then_cannot_sign_in(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    let mut bs = app.signed_in("baishui").await;
    let mut script = app.client();
    script.bearer = Some(
        app.store
            .issue_token("test", "baishui", "脚本", 30)
            .await
            .unwrap(),
    );
    assert_eq!(script.get("/api/me").await.unwrap().status, 200);

    // The user's page: the unit is chosen from the directory, never typed.
    let page = admin.get("/admin/users/baishui").await.unwrap();
    let html = page.text();
    assert_eq!(page.status, 200);
    assert!(
        html.contains(r#"<select name="unit" id="unit">"#)
            && html.contains(r#"<option value="白水县" selected>白水县（县区）</option>"#)
            && html.contains(r#"<option value="云台县" >云台县（县区）</option>"#)
            && !html.contains(r#"<input name="unit""#),
        "{html}"
    );
    let users = admin.get("/admin/users").await.unwrap().text();
    assert!(
        users.contains(r#"<select name="unit"><option value="">（无）</option>"#)
            && users.contains(r#"<select name="leader"><option value="">（无）</option><option value="王某（副市长）">"#),
        "{users}"
    );

    // Bad input: the field named, what is valid said, nothing written.
    let version = app.store.data_version().await.unwrap();
    for (fields, says) in [
        (
            edit("不存在的局", "调岗"),
            "所属单位：没有名为“不存在的局”的单位（请从单位名录中选择）",
        ),
        (
            edit("云台县", " "),
            "修改原因：请写明为什么修改（会记入审计记录）",
        ),
        (edit("", "调岗"), "所属单位：责任单位填报员必须属于一个单位"),
    ] {
        let a = htmx(&mut admin, "/admin/users/baishui", &pairs(&fields)).await;
        assert_eq!(a.status, 422, "{}", a.text());
        assert!(a.text().contains(says), "{says}: {}", a.text());
    }
    let mut bad_role = edit("云台县", "调岗");
    bad_role[1].1 = "boss".into();
    let a = htmx(&mut admin, "/admin/users/baishui", &pairs(&bad_role)).await;
    assert!(
        a.status == 422
            && a.text()
                .contains("角色：无法识别的角色“boss”（可选：督查室管理员、"),
        "{}",
        a.text()
    );
    assert_eq!(app.store.data_version().await.unwrap(), version);

    // Moved to 云台县: the user's next request sees it (no waiting for a cache).
    let a = htmx(
        &mut admin,
        "/admin/users/baishui",
        &pairs(&edit("云台县", "调往云台县")),
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.text());
    assert_eq!(
        a.header("hx-redirect"),
        Some("/admin/users/baishui?done=saved")
    );
    let me = bs.get("/api/me").await.unwrap().json();
    assert_eq!(me["user"]["unit"], "云台县");
    assert_eq!(bs.get("/api/items/XM2").await.unwrap().status, 200);
    assert_eq!(bs.get("/api/items/XM1").await.unwrap().status, 404);
    let shown = admin
        .get("/admin/users/baishui?done=saved")
        .await
        .unwrap()
        .text();
    assert!(
        shown.contains("已保存修改，已记入审计记录")
            && shown.contains(r#"<span class="field">所属单位</span>：<span class="old">白水县</span> → <span class="new">云台县</span>"#)
            && shown.contains("调往云台县"),
        "{shown}"
    );

    // The office may not disable itself, nor take its own admin role away.
    let a = htmx(
        &mut admin,
        "/admin/users/admin/disable",
        &[("reason", "测试")],
    )
    .await;
    assert!(
        a.status == 422 && a.text().contains("不能停用自己的账号"),
        "{}",
        a.text()
    );
    let a = htmx(
        &mut admin,
        "/admin/users/admin",
        &[
            ("display_name", "admin"),
            ("role", "viewer"),
            ("unit", ""),
            ("leader", ""),
            ("reason", "测试"),
        ],
    )
    .await;
    assert!(
        a.status == 422 && a.text().contains("不能取消自己的管理员角色"),
        "{}",
        a.text()
    );

    // Disabled: the session and the token stop at once; signing in is refused, saying why.
    let a = htmx(
        &mut admin,
        "/admin/users/baishui/disable",
        &[("reason", "")],
    )
    .await;
    assert!(
        a.status == 422 && a.text().contains("修改原因"),
        "{}",
        a.text()
    );
    assert_eq!(
        bs.get("/api/me").await.unwrap().status,
        200,
        "nothing done yet"
    );
    let a = htmx(
        &mut admin,
        "/admin/users/baishui/disable",
        &[("reason", "调离岗位")],
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.text());
    assert_eq!(bs.get("/api/me").await.unwrap().status, 401);
    assert_eq!(
        bs.get("/report").await.unwrap().status,
        303,
        "pages send it to the login"
    );
    assert_eq!(script.get("/api/me").await.unwrap().status, 401);
    let mut again = app.client();
    let a = again.login("baishui", PASSWORD).await.unwrap();
    assert_eq!(a.status, 403, "{}", a.text());
    assert_eq!(
        a.json()["detail"],
        "该账号已停用，不能登录；如需恢复，请联系督查室"
    );
    let a = again.login("baishui", "wrong-password-1").await.unwrap();
    assert_eq!(a.status, 401, "a wrong password says only that");
    let list = admin.get("/admin/users").await.unwrap().text();
    assert!(
        list.contains(r#"<tr id="user-baishui" class="disabled"><td>baishui</td><td>白水县填报员</td><td>责任单位填报员</td><td>云台县</td><td>—</td><td>已停用</td>"#),
        "{list}"
    );
    let api = admin.get("/api/users").await.unwrap().json();
    let row = api
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "baishui")
        .unwrap();
    assert_eq!(
        (row["disabled"].clone(), row["unit"].clone()),
        (json!(true), json!("云台县"))
    );

    // Enabled again through the API: signs in again; the old token stays ended.
    let a = admin
        .post_json("/api/users/baishui/enable", &json!({ "reason": "返岗" }))
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_u16(), a.json()["disabled"].clone()),
        (200, json!(false))
    );
    app.signed_in("baishui").await;
    assert_eq!(script.get("/api/me").await.unwrap().status, 401);

    // A password reset: generated and shown once; the old password no longer works.
    let a = htmx(
        &mut admin,
        "/admin/users/yuntai/password",
        &[("password", ""), ("reason", "本人忘记密码")],
    )
    .await;
    let text = a.text();
    let generated: String = text
        .split("新密码：")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"))
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    assert_eq!(generated.len(), 12, "{text}");
    assert_eq!(
        app.client().login("yuntai", PASSWORD).await.unwrap().status,
        401
    );
    app.signed_in_with("yuntai", &generated).await;
    // One the office sets follows the policy.
    let a = admin
        .post_json(
            "/api/users/yuntai/password",
            &json!({ "password": "12345678", "reason": "重置" }),
        )
        .await
        .unwrap();
    assert!(
        a.status == 422 && a.json()["detail"].as_str().unwrap().starts_with("密码："),
        "{}",
        a.text()
    );
    let a = admin
        .post_json(
            "/api/users/yuntai/password",
            &json!({ "password": "yun-tai-2025!", "reason": "重置" }),
        )
        .await
        .unwrap();
    assert_eq!(
        a.json(),
        json!({ "username": "yuntai", "generated_password": null })
    );
    app.signed_in_with("yuntai", "yun-tai-2025!").await;

    // Nobody else may do any of it, and a refused request writes nothing.
    let version = app.store.data_version().await.unwrap();
    for user in ["viewer", "judge", "wang", "caizheng"] {
        let mut c = app.signed_in(user).await;
        for (path, body) in [
            ("/api/users/yuntai/disable", json!({ "reason": "x" })),
            ("/api/users/yuntai/password", json!({ "reason": "x" })),
            ("/api/units/白水县/disable", json!({ "reason": "x" })),
        ] {
            let a = c
                .post_json(&path.replace("白水县", &encode("白水县")), &body)
                .await
                .unwrap();
            assert_eq!(a.status, 403, "{user} {path}");
        }
        let a = c
            .send(
                hyper::Method::PUT,
                "/api/users/yuntai",
                Some((
                    "application/json",
                    json!({ "display_name": "x", "role": "admin", "reason": "x" })
                        .to_string()
                        .into_bytes(),
                )),
            )
            .await
            .unwrap();
        assert_eq!(a.status, 403, "{user} PUT");
        assert_eq!(c.get("/admin/users/yuntai").await.unwrap().status, 403);
        assert_eq!(c.get("/admin/audit").await.unwrap().status, 403);
        assert_eq!(c.get("/admin/audit/chain").await.unwrap().status, 403);
        assert_eq!(c.get("/api/audit").await.unwrap().status, 403);
    }
    assert_eq!(app.store.data_version().await.unwrap(), version);
}

async fn units_are_edited_and_disabled(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    let baishui = format!("/admin/units/{}", encode("白水县"));
    let page = admin.get(&baishui).await.unwrap();
    assert_eq!(page.status, 200, "{}", page.text());
    let version = app.store.data_version().await.unwrap();
    let form = |order: &'static str, reason: &'static str| {
        vec![
            ("name", "白水区"),
            ("kind", "region"),
            ("parent", ""),
            ("sort_order", order),
            ("aliases", "白水"),
            ("reason", reason),
        ]
    };
    let a = htmx(&mut admin, &baishui, &form("第一", "撤县设区")).await;
    assert!(
        a.status == 422
            && a.text()
                .contains("排序：“第一”不是整数（应为 0 至 99999 的整数，小的在前）"),
        "{}",
        a.text()
    );
    let a = htmx(&mut admin, &baishui, &form("1", "")).await;
    assert!(
        a.status == 422 && a.text().contains("修改原因"),
        "{}",
        a.text()
    );
    assert_eq!(app.store.data_version().await.unwrap(), version);
    let a = htmx(&mut admin, &baishui, &form("1", "撤县设区")).await;
    assert_eq!(a.status, 204, "{}", a.text());
    assert_eq!(
        a.header("hx-redirect"),
        Some(format!("/admin/units/{}?done=saved", encode("白水区")).as_str())
    );
    // Items, accounts and visibility follow the unit; the old name is a short name now.
    let mut bs = app.signed_in("baishui").await;
    assert_eq!(
        bs.get("/api/me").await.unwrap().json()["user"]["unit"],
        "白水区"
    );
    assert_eq!(bs.get("/api/items/XM1").await.unwrap().status, 200);
    let units = admin.get("/api/units").await.unwrap().json();
    let row = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "白水区")
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["aliases"].clone(),
            row["sort_order"].clone(),
            row["disabled"].clone(),
            row["lead_items"].clone()
        ),
        (json!(["白水", "白水县"]), json!(1), json!(false), json!(1))
    );

    // Through the API: 云台县 disabled; kept, marked, no longer offered for a new account,
    // still shown as its own accounts' unit.
    let a = admin
        .post_json(
            &format!("/api/units/{}/disable", encode("云台县")),
            &json!({ "reason": "区划调整" }),
        )
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_u16(), a.json()["disabled"].clone()),
        (200, json!(true)),
        "{}",
        a.text()
    );
    let users = admin.get("/admin/users").await.unwrap().text();
    assert!(!users.contains(r#"<option value="云台县""#), "{users}");
    let yuntai = admin.get("/admin/users/yuntai").await.unwrap().text();
    assert!(
        yuntai.contains(r#"<option value="云台县" selected>云台县（已停用）</option>"#),
        "{yuntai}"
    );
    let a = htmx(
        &mut admin,
        "/admin/users",
        &[
            ("username", "yt2"),
            ("display_name", "云台二"),
            ("role", "reporter"),
            ("unit", "云台县"),
            ("leader", ""),
            ("password", "long-enough-1"),
        ],
    )
    .await;
    assert!(
        a.status == 422
            && a.text()
                .contains("所属单位：“云台县”已停用，请选择在用的单位"),
        "{}",
        a.text()
    );
    assert!(
        admin
            .get("/admin/units")
            .await
            .unwrap()
            .text()
            .contains(r#"<tr class="disabled"><td>云台县</td><td>县区</td>"#),
        "listed, marked"
    );
    let a = admin
        .send(
            hyper::Method::PUT,
            &format!("/api/units/{}", encode("市财政局")),
            Some((
                "application/json",
                json!({ "name": "市财政局", "kind": "department", "parent": "云台县",
                        "sort_order": "3", "aliases": "财政局", "reason": "调整" })
                .to_string()
                .into_bytes(),
            )),
        )
        .await
        .unwrap();
    assert!(
        a.status == 422 && a.json()["detail"] == "上级单位：“云台县”已停用，请选择在用的单位",
        "{}",
        a.text()
    );
    let a = admin
        .post_json(
            &format!("/api/units/{}/enable", encode("云台县")),
            &json!({ "reason": "恢复" }),
        )
        .await
        .unwrap();
    assert_eq!(a.json()["disabled"], json!(false));
}

async fn the_audit_page_reads_changes_in_words_and_beijing_time(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    let a = htmx(
        &mut admin,
        "/admin/users/baishui",
        &pairs(&edit("云台县", "调往云台县")),
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.text());
    let stored = app
        .store
        .audit_trail("user", "baishui")
        .await
        .unwrap()
        .pop()
        .unwrap();
    let beijing = in_beijing(&stored.at);

    let page = admin.get("/admin/audit?actor=admin").await.unwrap();
    let html = page.text();
    assert_eq!(page.status, 200);
    assert!(html.contains("审计链完好"), "the chain's state stays");
    // The chain's panel alone (what the page asks for when the check outlasts it).
    let panel = admin.get("/admin/audit/chain").await.unwrap();
    assert_eq!(panel.status, 200);
    let panel = panel.text();
    assert!(
        panel.contains("审计链完好")
            && panel.contains(r#"id="audit-chain""#)
            && !panel.contains("<html"),
        "{panel}"
    );
    // Its edit and its sign-in.
    assert!(html.contains("共 2 条，新的在前；第 1/1 页"), "{html}");
    let row = format!(
        r#"<tr><td class="nowrap">{beijing}</td><td>admin</td><td class="nowrap">修改</td><td>用户 baishui</td><td><ul class="changes"><li><span class="field">姓名</span>：<span class="old">baishui</span> → <span class="new">白水县填报员</span></li><li><span class="field">所属单位</span>：<span class="old">白水县</span> → <span class="new">云台县</span></li></ul></td><td>调往云台县</td></tr>"#
    );
    assert!(html.contains(&row), "{row}\n{html}");
    assert!(
        !html.contains(&stored.at) && !html.contains("{&quot;"),
        "no UTC stamps, no JSON"
    );

    // Filters: what, which item, when; bad dates refused in the layout, naming the field.
    let who = admin
        .get("/admin/audit?entity=user&action=update")
        .await
        .unwrap()
        .text();
    assert!(who.contains("共 1 条"), "{who}");
    let xm1 = admin.get("/admin/audit?item=XM1").await.unwrap().text();
    assert!(
        xm1.contains("共 1 条")
            && xm1.contains("<td>事项 XM1</td>")
            && xm1.contains("项目名称</span>：<span class=\"new\">白水县产业园"),
        "{xm1}"
    );
    let today = duban_web::today();
    let none = admin
        .get(&format!("/admin/audit?from={}", today.succ_opt().unwrap()))
        .await
        .unwrap()
        .text();
    assert!(
        none.contains("共 0 条") && none.contains("没有记录"),
        "{none}"
    );
    let bad = admin.get("/admin/audit?from=2025-13-01").await.unwrap();
    assert_eq!(bad.status, 422);
    assert!(
        bad.text()
            .contains("起始日期：“2025-13-01”不是日期（应为 年-月-日，如 2025-11-03）")
            && bad.text().contains(r#"<nav class="menu">"#),
        "{}",
        bad.text()
    );
    let bad = admin
        .get("/admin/audit?from=2025-06-02&to=2025-06-01")
        .await
        .unwrap();
    assert!(
        bad.status == 422
            && bad
                .text()
                .contains("截止日期：2025-06-01 早于起始日期 2025-06-02")
    );
    // Pages of 5, newest first: 3 units, 2 leaders, 3 items, 7 accounts, admin's sign-in
    // and the edit = 17 rows, 4 pages; the last holds the first two units.
    let all = admin
        .get("/api/audit?per_page=5&page=4")
        .await
        .unwrap()
        .json();
    assert_eq!(
        (
            all["total"].clone(),
            all["entries"].as_array().unwrap().len()
        ),
        (json!(17), 2),
        "{all}"
    );
    assert_eq!(
        (
            all["entries"][0]["entity_key"].clone(),
            all["entries"][1]["entity_key"].clone()
        ),
        (json!("市财政局"), json!("白水县"))
    );
    let first = admin.get("/admin/audit?per_page=5").await.unwrap().text();
    assert!(
        first.contains("第 1/4 页")
            && first.contains(r#"href="&#x2f;admin&#x2f;audit?per_page=5&amp;page=2" id="next""#),
        "{first}"
    );

    // The API: the entry as stored (UTC), its time in Beijing, its changes in words.
    let api = admin
        .get("/api/audit?actor=admin&entity=user")
        .await
        .unwrap()
        .json();
    let e = &api["entries"][0];
    assert_eq!(e["at"], json!(stored.at));
    assert_eq!(e["at_beijing"], json!(beijing));
    assert_eq!(e["reason"], "调往云台县");
    assert_eq!(
        e["changes"][1],
        json!({ "field": "所属单位", "before": "白水县", "after": "云台县" })
    );
    let a = admin.get("/api/audit?action=drop").await.unwrap();
    assert!(
        a.status == 422
            && a.json()["detail"]
                .as_str()
                .unwrap()
                .starts_with("操作：无法识别“drop”（可选：create 新建、"),
        "{}",
        a.text()
    );

    // The item page's 修改记录: the bug report said it showed raw JSON and UTC stamps.
    let created = app.store.audit_trail("item", "XM1").await.unwrap();
    let item = admin.get("/items/XM1").await.unwrap().text();
    let log = &item[item.find(r#"id="changes""#).unwrap()..];
    let log = &log[..log.find("</table>").unwrap()];
    assert!(
        log.contains(&format!(r#"<td class="nowrap">{}</td><td>test</td><td class="nowrap">新建</td>"#, in_beijing(&created[0].at)))
            && log.contains(r#"<li><span class="field">项目名称</span>：<span class="new">白水县产业园</span></li>"#)
            && log.contains(r#"<li><span class="field">年度计划投资（万元）</span>：<span class="new">1200</span></li>"#)
            && log.contains(r#"<li><span class="field">包抓领导</span>：<span class="new">王某（副市长）</span></li>"#),
        "{log}"
    );
    assert!(
        !log.contains("{&quot;") && !log.contains(&created[0].at),
        "no JSON, no UTC: {log}"
    );
}

/// A user's page lists its changes (filed under the name as written, "LiSi") and its
/// sign-ins (under the name as compared, "lisi"), newest first.
async fn a_users_page_shows_its_changes_and_sign_ins(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    let a = htmx(
        &mut admin,
        "/admin/users",
        &[
            ("username", "LiSi"),
            ("display_name", "李四"),
            ("role", "viewer"),
            ("unit", ""),
            ("leader", ""),
            ("password", "long-enough-1"),
        ],
    )
    .await;
    assert!(a.text().contains("已创建用户 LiSi"), "{}", a.text());
    app.signed_in_with("lisi", "long-enough-1").await;
    let a = htmx(
        &mut admin,
        "/admin/users/lisi",
        &[
            ("display_name", "李四（督查科）"),
            ("role", "viewer"),
            ("unit", "市财政局"),
            ("leader", ""),
            ("reason", "补填单位"),
        ],
    )
    .await;
    assert_eq!(
        a.header("hx-redirect"),
        Some("/admin/users/LiSi?done=saved")
    );
    let page = admin.get("/admin/users/LiSi").await.unwrap().text();
    let log = &page[page.find(r#"id="user-history""#).unwrap()..];
    let actions: Vec<&str> = log
        .split(r#"<td class="nowrap">"#)
        .skip(1)
        .filter_map(|c| c.split("</td>").next())
        .filter(|c| !c.contains(':'))
        .collect();
    assert_eq!(actions, ["修改", "登录", "新建"], "{log}");
    assert!(log.contains("姓名</span>：<span class=\"old\">李四</span> → <span class=\"new\">李四（督查科）</span>"), "{log}");
}

duban_store::both_backends!(
    a_users_page_shows_its_changes_and_sign_ins,
    the_office_edits_and_disables_a_user_who_then_cannot_sign_in,
    units_are_edited_and_disabled,
    the_audit_page_reads_changes_in_words_and_beijing_time,
);
