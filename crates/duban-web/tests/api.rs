//! The API on a real server and a real database (both backends): who may read and write what.

use duban_testkit::harness as support;

use chrono::Datelike;
use duban_store::testing::TestDb;
use serde_json::{Value, json};
use support::{ACCOUNTS, App};

fn codes(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

fn report(period: &str, ytd: &str) -> Value {
    json!({ "period": period, "ytd": ytd, "progress_text": "主体施工" })
}

fn this_january() -> String {
    format!("{}-01", duban_web::today().year())
}

/// Every endpoint × every role: reads narrowed to what the role may see, other units' items
/// answered 404, writes refused 403 — and nothing changes when a write is refused.
async fn authorization_matrix(db: &TestDb) {
    let app = App::start(db).await;

    // Without signing in: 401 everywhere but the health check.
    let mut anon = app.client();
    assert_eq!(anon.get("/api/health").await.unwrap().status, 200);
    for path in [
        "/api/me",
        "/api/units",
        "/api/users",
        "/api/items",
        "/api/items/XM1",
        "/api/items/XM1/reports",
        "/api/status",
        "/api/dashboard",
        "/api/problems",
    ] {
        let a = anon.get(path).await.unwrap();
        assert_eq!(a.status, 401, "{path}");
        assert_eq!(a.header("content-type"), Some("application/problem+json"));
        assert_eq!(a.json()["code"], "unauthorized");
    }
    let a = anon
        .post_json("/api/items/XM1/reports", &report(&this_january(), "10"))
        .await
        .unwrap();
    assert_eq!(a.status, 401);

    // Who sees which items.
    let sees: &[(&str, &[&str])] = &[
        ("admin", &["XM1", "XM2", "XM3"]),
        ("baishui", &["XM1"]),
        ("yuntai", &["XM2", "XM3"]),
        ("caizheng", &["XM1", "XM3"]),
        ("wang", &["XM1", "XM3"]),
        ("judge", &["XM1", "XM2", "XM3"]),
        ("viewer", &["XM1", "XM2", "XM3"]),
    ];
    assert_eq!(sees.len(), ACCOUNTS.len(), "every role in the matrix");
    for (user, expected) in sees {
        let mut c = app.signed_in(user).await;
        let list = c.get("/api/items").await.unwrap().json();
        assert_eq!(codes(&list), *expected, "{user} lists");
        let status = c.get("/api/status").await.unwrap().json();
        assert_eq!(codes(&status), *expected, "{user} status");
        for code in ["XM1", "XM2", "XM3"] {
            let want = if expected.contains(&code) { 200 } else { 404 };
            for path in [
                format!("/api/items/{code}"),
                format!("/api/items/{code}/reports"),
            ] {
                assert_eq!(
                    c.get(&path).await.unwrap().status,
                    want,
                    "{user} GET {path}"
                );
            }
        }
        let want = if *user == "admin" { 200 } else { 403 };
        assert_eq!(
            c.get("/api/users").await.unwrap().status,
            want,
            "{user} users"
        );
        assert_eq!(
            c.get("/api/dashboard").await.unwrap().json()["total"],
            expected.len(),
            "{user} dashboard"
        );
    }

    // Writes: who may report on which item. 404 where the item is not visible, 403 where it is
    // visible but not theirs; the data version proves nothing was written.
    // (user, item, answer to a report, answer to raising a problem)
    let writes: &[(&str, &str, u16, u16)] = &[
        ("baishui", "XM2", 404, 404),
        ("baishui", "XM3", 404, 404),
        ("yuntai", "XM1", 404, 404),
        ("wang", "XM1", 403, 403),
        ("judge", "XM1", 403, 403),
        ("viewer", "XM2", 403, 403),
        // A co-operating unit reads the item and may raise the problems it meets, but the
        // report is the lead unit's.
        ("caizheng", "XM1", 403, 200),
    ];
    for (user, code, status, raise) in writes {
        let mut c = app.signed_in(user).await;
        let before = app.store.data_version().await.unwrap();
        let a = c
            .post_json(
                &format!("/api/items/{code}/reports"),
                &report(&this_january(), "10"),
            )
            .await
            .unwrap();
        assert_eq!(a.status, *status, "{user} reports {code}: {}", a.text());
        assert_eq!(a.header("content-type"), Some("application/problem+json"));
        assert_eq!(
            app.store.data_version().await.unwrap(),
            before,
            "{user} changed nothing"
        );
        let a = c
            .post_json(
                &format!("/api/items/{code}/problems"),
                &json!({ "category": "用地", "description": "用地指标未落实" }),
            )
            .await
            .unwrap();
        assert_eq!(a.status, *raise, "{user} raises on {code}: {}", a.text());
        let before = app.store.data_version().await.unwrap();
        let a = c
            .post_json(
                "/api/users",
                &json!({ "username": "x", "display_name": "x", "role": "admin", "password": "password-xyz" }),
            )
            .await
            .unwrap();
        assert_eq!(a.status, 403, "{user} creates an admin");
        assert_eq!(
            app.store.data_version().await.unwrap(),
            before,
            "{user} changed nothing"
        );
    }
    assert!(app.store.report_history("XM2").await.unwrap().is_empty());

    // The owners may: 白水县 reports XM1, 云台县 reports XM3 (it lies in 云台县), the office anything.
    for (user, code) in [("baishui", "XM1"), ("yuntai", "XM3"), ("admin", "XM2")] {
        let mut c = app.signed_in(user).await;
        let a = c
            .post_json(
                &format!("/api/items/{code}/reports"),
                &report(&this_january(), "100"),
            )
            .await
            .unwrap();
        assert_eq!(a.status, 200, "{user} reports {code}: {}", a.text());
        assert_eq!(a.json()["submitted_by"], format!("web:{user}"));
    }
    // Invalid reports name the field; a second report of a period needs a reason.
    let mut bs = app.signed_in("baishui").await;
    let a = bs
        .post_json(
            "/api/items/XM1/reports",
            &report(&format!("{}-02", duban_web::today().year()), "99999"),
        )
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_u16(), a.json()["code"].as_str()),
        (422, Some("invalid"))
    );
    assert!(
        a.json()["detail"]
            .as_str()
            .unwrap()
            .contains("累计完成投资"),
        "{}",
        a.text()
    );
    let a = bs
        .post_json("/api/items/XM1/reports", &report(&this_january(), "120"))
        .await
        .unwrap();
    assert!(
        a.status == 422 && a.text().contains("更正须说明原因"),
        "{}",
        a.text()
    );

    // Compliance: the office sees every unit, a unit its own row.
    let mut admin = app.signed_in("admin").await;
    let all = admin
        .get(&format!("/api/compliance?period={}", this_january()))
        .await
        .unwrap()
        .json();
    assert!(all.as_array().unwrap().len() >= 2, "{all}");
    let own = bs
        .get(&format!("/api/compliance?period={}", this_january()))
        .await
        .unwrap()
        .json();
    assert_eq!(own.as_array().unwrap().len(), 1, "{own}");
    // January's report, submitted now: long after its due date.
    assert_eq!(
        (own[0]["unit"].as_str(), own[0]["late"].as_i64()),
        (Some("白水县"), Some(1)),
        "{own}"
    );

    // The calendar and closing periods are the office's.
    let close = format!("/api/periods/{}/close", this_january());
    assert_eq!(bs.post_json(&close, &json!({})).await.unwrap().status, 403);
    assert_eq!(
        admin.post_json(&close, &json!({})).await.unwrap().status,
        200
    );
    let a = bs
        .post_json(
            "/api/items/XM1/reports",
            &json!({ "period": this_january(), "ytd": "130", "reason": "补报" }),
        )
        .await
        .unwrap();
    assert!(
        a.status == 422 && a.text().contains("已关闭"),
        "{}",
        a.text()
    );
    let weekly = json!({ "kind": "重点工作", "cadence": "weekly" });
    assert_eq!(
        bs.post_json("/api/calendar", &weekly).await.unwrap().status,
        403
    );
    let a = admin.post_json("/api/calendar", &weekly).await.unwrap();
    assert_eq!(a.json()["describe"], "每周，次周一前", "{}", a.text());
    let cal = bs.get("/api/calendar").await.unwrap().json();
    assert_eq!(cal["closed_periods"][0], this_january());

    // Milestones (倒排工期): the office and the lead unit, not others.
    let plan = json!({ "template": "建设", "target": "2099-06-30" });
    let a = bs
        .post_json("/api/items/XM1/milestones", &plan)
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        a.json().as_array().unwrap().last().unwrap()["planned"],
        "2099-06-30"
    );
    let mut judge = app.signed_in("judge").await;
    assert_eq!(
        judge
            .post_json("/api/items/XM1/milestones", &plan)
            .await
            .unwrap()
            .status,
        403
    );
    assert_eq!(
        bs.post_json("/api/items/XM2/milestones", &plan)
            .await
            .unwrap()
            .status,
        404
    );
    let a = admin
        .post_json(
            "/api/items/XM2/milestones",
            &json!({ "template": "建设", "target": "2099-06-30", "start": "2100-01-01" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 422, "start after target");

    // Problems: the unit raises, the office assigns, another unit may not act on it.
    let raised = bs
        .post_json(
            "/api/items/XM1/problems",
            &json!({ "category": "用地", "description": "用地指标未落实", "listed": true }),
        )
        .await
        .unwrap();
    assert_eq!(raised.status, 200, "{}", raised.text());
    let id = raised.json()["id"].as_i64().unwrap();
    let a = admin
        .post_json(
            &format!("/api/problems/{id}/moves"),
            &json!({ "action": "assign", "unit": "白水县", "due": "2099-12-31" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let mut yt = app.signed_in("yuntai").await;
    let a = yt
        .post_json(
            &format!("/api/problems/{id}/moves"),
            &json!({ "action": "start" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 404, "another unit does not see it");
    let mut cz = app.signed_in("caizheng").await;
    let a = cz
        .post_json(
            &format!("/api/problems/{id}/moves"),
            &json!({ "action": "start" }),
        )
        .await
        .unwrap();
    assert_eq!(
        a.status, 403,
        "the co-operating unit sees it but is not assigned"
    );
    let a = bs
        .post_json(
            &format!("/api/problems/{id}/moves"),
            &json!({ "action": "close" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 422, "only the office closes: {}", a.text());
    let a = bs
        .post_json(
            &format!("/api/problems/{id}/moves"),
            &json!({ "action": "start" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        codes(&yt.get("/api/problems").await.unwrap().json()).len(),
        0,
        "云台县 lists none of 白水县's problems"
    );
}

/// Sessions need the CSRF token for writes; tokens work without; failed logins are throttled;
/// signing out ends the session.
async fn sessions_tokens_csrf_and_throttling(db: &TestDb) {
    let app = App::start(db).await;
    let mut c = app.signed_in("baishui").await;
    let set_cookie_checked = {
        let mut raw = app.client();
        let a = raw
            .post_json(
                "/api/session",
                &json!({ "username": "baishui", "password": support::PASSWORD }),
            )
            .await
            .unwrap();
        a.header("set-cookie").unwrap().to_string()
    };
    assert!(
        set_cookie_checked.contains("HttpOnly") && set_cookie_checked.contains("SameSite=Lax"),
        "{set_cookie_checked}"
    );
    // Without the token: refused, nothing written.
    let csrf = c.csrf.take();
    let before = app.store.data_version().await.unwrap();
    let a = c
        .post_json("/api/items/XM1/reports", &report(&this_january(), "10"))
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_u16(), a.json()["code"].as_str()),
        (403, Some("csrf"))
    );
    c.csrf = Some("wrong".into());
    let a = c
        .post_json("/api/items/XM1/reports", &report(&this_january(), "10"))
        .await
        .unwrap();
    assert_eq!(a.status, 403);
    assert_eq!(app.store.data_version().await.unwrap(), before);
    c.csrf = csrf;
    assert_eq!(
        c.post_json("/api/items/XM1/reports", &report(&this_january(), "10"))
            .await
            .unwrap()
            .status,
        200
    );

    // An API token: no cookie, no CSRF, the account's rights.
    let token = app
        .store
        .issue_token("test", "yuntai", "script", 30)
        .await
        .unwrap();
    let mut script = app.client();
    script.bearer = Some(token);
    assert_eq!(
        script.get("/api/me").await.unwrap().json()["user"]["username"],
        "yuntai"
    );
    assert_eq!(script.get("/api/items/XM1").await.unwrap().status, 404);
    assert_eq!(
        script
            .post_json("/api/items/XM2/reports", &report(&this_january(), "5"))
            .await
            .unwrap()
            .status,
        200
    );
    script.bearer = Some("0".repeat(64));
    assert_eq!(script.get("/api/me").await.unwrap().status, 401);

    // Five wrong passwords lock the name for a while, even with the right one.
    let mut guess = app.client();
    for _ in 0..5 {
        assert_eq!(
            guess
                .login("viewer", "wrong-password")
                .await
                .unwrap()
                .status,
            401
        );
    }
    let a = guess.login("viewer", support::PASSWORD).await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.json()["code"].as_str()),
        (429, Some("throttled"))
    );
    assert_eq!(
        app.client()
            .login("judge", support::PASSWORD)
            .await
            .unwrap()
            .status,
        200,
        "others unaffected"
    );

    // Signing out ends the session.
    assert_eq!(
        c.send(hyper::Method::DELETE, "/api/session", None)
            .await
            .unwrap()
            .status,
        204
    );
    assert_eq!(c.get("/api/me").await.unwrap().status, 401);
}

/// The OpenAPI document, Swagger UI, pages behind the login and the security headers.
async fn documents_pages_and_headers(db: &TestDb) {
    let app = App::start(db).await;
    let mut anon = app.client();
    let doc = anon.get("/api/openapi.json").await.unwrap().json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/items",
        "/api/items/{code}/reports",
        "/api/problems/{id}/moves",
        "/api/dashboard",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    let ui = anon.get("/api/docs/").await.unwrap();
    assert_eq!(ui.status, 200);
    assert!(
        ui.text().contains("swagger"),
        "Swagger UI served from the binary"
    );
    let a = anon.get("/items").await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.header("location")),
        (303, Some("/login"))
    );
    let login = anon.get("/login").await.unwrap();
    assert!(login.text().contains("重点项目督办系统"));
    let csp = login.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe"),
        "{csp}"
    );
    for asset in [
        "/static/htmx.min.js",
        "/static/echarts.min.js",
        "/static/app.css",
        "/static/LICENSE-echarts",
    ] {
        assert_eq!(anon.get(asset).await.unwrap().status, 200, "{asset}");
    }

    let mut admin = app.signed_in("admin").await;
    for (path, needle) in [
        ("/", "挂图作战"),
        ("/items", "XM2"),
        ("/items/XM1", "白水县产业园"),
        ("/report?unit=白水县", "XM1"),
        ("/problems", "问题清单"),
        ("/admin/units", "市财政局"),
        ("/admin/users", "baishui"),
    ] {
        let encoded = path.replace("白水县", &duban_testkit::client::encode("白水县"));
        let a = admin.get(&encoded).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", a.text());
        assert!(a.text().contains(needle), "{path} shows {needle}");
    }
    let mut bs = app.signed_in("baishui").await;
    let page = bs.get("/items").await.unwrap().text();
    assert!(
        page.contains("XM1") && !page.contains("XM2"),
        "a unit's ledger page has only its items"
    );
    assert_eq!(bs.get("/admin/users").await.unwrap().status, 403);
    let x = bs.get("/items/export.xlsx").await.unwrap();
    assert_eq!(x.status, 200);
    assert!(x.body.starts_with(b"PK"), "an .xlsx package");
}

/// 排名 and 通报 through the API: everyone reads; only the office issues, edits and imports;
/// an issued bulletin is answered as it was issued.
async fn rankings_bulletins_and_indicators(db: &TestDb) {
    let app = App::start(db).await;
    let year = duban_web::today().year();
    let period = format!("{year}-01");
    let mut viewer = app.signed_in("viewer").await;
    let a = viewer
        .get(&format!("/api/rankings?period={period}"))
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let rows = a.json()["table"]["rows"].as_array().unwrap().clone();
    let units: Vec<&str> = rows.iter().map(|r| r["unit"].as_str().unwrap()).collect();
    assert_eq!(units.len(), 2, "{units:?}");
    assert!(units.contains(&"白水县") && units.contains(&"云台县"));
    let investment = &rows[0]["rates"][1];
    assert_eq!(investment["rate"], "investment");
    assert!(investment["denominator"].is_string() || investment["denominator"].is_number());
    let by_dept = viewer
        .get(&format!("/api/rankings?period={period}&by=department"))
        .await
        .unwrap();
    assert_eq!(by_dept.json()["table"]["rows"][0]["unit"], "市财政局");
    assert_eq!(
        viewer.get("/api/rankings?by=county").await.unwrap().status,
        422
    );

    // A draft stays in the office: others learn it is not issued yet; only the office issues.
    let b = viewer
        .get(&format!("/api/bulletins/{period}"))
        .await
        .unwrap();
    assert_eq!(b.status, 404, "{}", b.text());
    assert!(b.json()["detail"].as_str().unwrap().contains("尚未印发"));
    assert_eq!(
        viewer
            .post_json(&format!("/api/bulletins/{period}/issue"), &json!({}))
            .await
            .unwrap()
            .status,
        403
    );
    let mut office = app.signed_in("admin").await;
    let b = office
        .get(&format!("/api/bulletins/{period}"))
        .await
        .unwrap();
    assert_eq!(b.status, 200);
    assert!(b.json()["issued"].is_null());
    let docx = office
        .get(&format!("/api/bulletins/{period}?format=docx"))
        .await
        .unwrap();
    assert!(docx.body.starts_with(b"PK"), "a Word package");
    assert!(
        docx.header("content-disposition")
            .unwrap()
            .contains(".docx")
    );
    let mut admin = app.signed_in("admin").await;
    let put = admin
        .send(
            hyper::Method::PUT,
            &format!("/api/bulletins/{period}/requirements"),
            Some((
                "application/json",
                json!({ "text": "一要抓开工。\n二要抓投资。" })
                    .to_string()
                    .into_bytes(),
            )),
        )
        .await
        .unwrap();
    assert_eq!(put.status, 204, "{}", put.text());
    let issued = admin
        .post_json(&format!("/api/bulletins/{period}/issue"), &json!({}))
        .await
        .unwrap();
    assert_eq!(issued.status, 200, "{}", issued.text());
    assert_eq!(
        issued.json()["bulletin"]["number"],
        format!("{year}年第1期")
    );
    let again = admin
        .post_json(&format!("/api/bulletins/{period}/issue"), &json!({}))
        .await
        .unwrap();
    assert_eq!(again.status, 422);
    let late = admin
        .send(
            hyper::Method::PUT,
            &format!("/api/bulletins/{period}/requirements"),
            Some(("application/json", br#"{"text":"x"}"#.to_vec())),
        )
        .await
        .unwrap();
    assert_eq!(late.status, 422, "issued: no more edits");
    let list = viewer.get("/api/bulletins").await.unwrap().json();
    assert_eq!(list[0]["period"], period);
    let md = viewer
        .get(&format!("/api/bulletins/{period}?format=md"))
        .await
        .unwrap()
        .text();
    assert!(
        md.contains("一要抓开工。") && md.contains(&format!("{year}年第1期")),
        "{md}"
    );

    // Indicators: the office imports, all or nothing.
    let value = |region: &str| json!({ "indicator": "规上工业增加值增速", "region": region, "period": period, "value": "6.5", "target": "7.0" });
    let defs = json!([{ "name": "规上工业增加值增速", "unit": "%", "higher_is_better": true }]);
    assert_eq!(
        viewer
            .post_json(
                "/api/indicators",
                &json!({ "indicators": defs, "values": [value("白水县")] })
            )
            .await
            .unwrap()
            .status,
        403
    );
    let bad = admin
        .post_json(
            "/api/indicators",
            &json!({ "indicators": defs, "values": [value("白水县"), value("火星县")] }),
        )
        .await
        .unwrap();
    assert_eq!(bad.status, 422);
    assert!(
        bad.json()["detail"]
            .as_str()
            .unwrap()
            .contains("values[1]：地区“火星县”不在单位名录中"),
        "{}",
        bad.text()
    );
    let got = viewer
        .get(&format!("/api/indicators?period={period}"))
        .await
        .unwrap()
        .json();
    assert_eq!(got, json!([]), "nothing written");
    let ok = admin
        .post_json(
            "/api/indicators",
            &json!({ "indicators": defs, "values": [value("白水县")] }),
        )
        .await
        .unwrap();
    assert_eq!(ok.status, 200, "{}", ok.text());
    let got = viewer
        .get(&format!("/api/indicators?period={period}"))
        .await
        .unwrap()
        .json();
    assert_eq!(got[0]["regions"][0]["region"], "白水县");
    assert_eq!(got[0]["regions"][0]["vs_target"], "-0.5");
}

/// 会议议定事项 through the API: the office reads a speech into directives matched to the
/// directory, confirms the ones it keeps as 重点工作 items; others may do neither; a unit not
/// in the directory writes nothing and names the task.
async fn meetings_through_the_api(db: &TestDb) {
    let app = App::start(db).await;
    support::add_reform_commission(&app.store).await;
    let year = duban_web::today().year();
    let speech = support::meeting_speech(year);
    let mut office = app.signed_in("admin").await;
    let a = office
        .post_json("/api/meetings/extract", &json!({ "text": speech }))
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let got = a.json();
    assert_eq!(
        got["meeting"],
        format!("在{year}年全市项目建设调度会上的讲话")
    );
    assert_eq!(got["year"], year, "the year the speech names");
    let ds = got["directives"].as_array().unwrap();
    let find = |needle: &str| {
        ds.iter()
            .find(|d| d["plain"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no directive with {needle}: {got}"))
            .clone()
    };
    let reserve = find("储备项目梳理");
    assert_eq!(reserve["tier"], "A");
    assert_eq!(reserve["deadline"], format!("{year}-10-31"));
    assert_eq!(reserve["matched"][0]["name"], "市发改委");
    assert_eq!(reserve["matched"][0]["role"], "lead");
    assert_eq!(
        reserve["matched"][0]["units"],
        json!(["市发展和改革委员会"])
    );
    assert_eq!(reserve["matched"][1]["role"], "co");
    assert_eq!(reserve["matched"][1]["units"], json!(["市财政局"]));
    let plans = find("开工计划");
    assert_eq!(plans["deadline_text"], "×月×日前");
    assert!(plans["deadline"].is_null(), "a blanked date stays open");
    let mut regions: Vec<&str> = plans["matched"][0]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    regions.sort();
    assert_eq!(
        regions,
        ["云台县", "白水县"],
        "各县（市、区） is every region"
    );
    let monthly = find("每月通报");
    assert_eq!(monthly["cadence"], "monthly");
    assert_eq!(
        monthly["matched"][0]["units"],
        json!([]),
        "市考核办 is not in the directory: unmatched, not dropped"
    );
    let before = app.store.data_version().await.unwrap();

    // No one but the office reads speeches or confirms tasks.
    let tasks = json!({ "meeting": "全市重点工作推进会", "year": year, "tasks": [
        { "text": reserve["plain"], "lead_units": ["市发展和改革委员会"], "co_units": ["市财政局"], "deadline": format!("{year}-10-31") },
        { "text": plans["plain"], "lead_units": ["白水县", "云台县"], "deadline_text": "×月×日前" },
    ]});
    for user in ["baishui", "caizheng", "wang", "judge", "viewer"] {
        let mut c = app.signed_in(user).await;
        let a = c
            .post_json("/api/meetings/extract", &json!({ "text": speech }))
            .await
            .unwrap();
        assert_eq!(a.status, 403, "{user} extracts: {}", a.text());
        let a = c.post_json("/api/meetings/confirm", &tasks).await.unwrap();
        assert_eq!(a.status, 403, "{user} confirms: {}", a.text());
        assert_eq!(a.json()["code"], "forbidden");
    }
    assert_eq!(app.store.data_version().await.unwrap(), before);

    // A unit not in the directory: nothing written, the task named.
    let mut bad = tasks.clone();
    bad["tasks"][1]["co_units"] = json!(["市考核办"]);
    let a = office
        .post_json("/api/meetings/confirm", &bad)
        .await
        .unwrap();
    assert_eq!(a.status, 422, "{}", a.text());
    let detail = a.json()["detail"].as_str().unwrap().to_string();
    assert!(
        detail.contains("第 2 条") && detail.contains("市考核办"),
        "{detail}"
    );
    assert_eq!(
        app.store.data_version().await.unwrap(),
        before,
        "all or nothing"
    );
    let a = office
        .post_json("/api/meetings/extract", &json!({ "text": "  " }))
        .await
        .unwrap();
    assert_eq!(a.status, 422);

    // Confirmed: one item per lead unit, 重点工作, the meeting as source.
    let a = office
        .post_json("/api/meetings/confirm", &tasks)
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let done = a.json();
    assert_eq!(done["created"], 3, "{done}");
    let codes: Vec<String> = done["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 3);
    let mut leads = Vec::new();
    for code in &codes {
        let got = office
            .get(&format!("/api/items/{code}"))
            .await
            .unwrap()
            .json();
        let item = &got["item"];
        assert_eq!(item["kind"], "task", "{got}");
        assert_eq!(item["year"], year);
        assert_eq!(item["extra"]["会议来源"], "全市重点工作推进会", "{got}");
        let lead = item["lead_unit"].as_str().unwrap().to_string();
        if lead == "市发展和改革委员会" {
            assert_eq!(item["planned_end"], format!("{year}-10-31"));
            assert_eq!(item["co_units"], json!(["市财政局"]));
            assert!(item["scale"].as_str().unwrap().contains("储备项目梳理"));
        } else {
            assert!(item["planned_end"].is_null());
            assert_eq!(item["extra"]["时限"], "×月×日前");
        }
        leads.push(lead);
    }
    leads.sort();
    assert_eq!(leads, ["云台县", "市发展和改革委员会", "白水县"]);
    // The 白水县 reporter sees the task of 白水县.
    let mut bs = app.signed_in("baishui").await;
    let list = bs
        .get(&format!(
            "/api/items?kind={}",
            duban_testkit::client::encode("重点工作")
        ))
        .await
        .unwrap()
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    // Confirmed again: updated, not doubled.
    let a = office
        .post_json("/api/meetings/confirm", &tasks)
        .await
        .unwrap();
    assert_eq!(a.json()["created"], 0, "{}", a.text());
    assert_eq!(a.json()["codes"].as_array().unwrap().len(), 3);

    // The meeting's 督办清单: three items, none done or overdue yet; the office only.
    let list = office.get("/api/meetings").await.unwrap().json();
    assert_eq!(list[0]["meeting"], "全市重点工作推进会", "{list}");
    assert_eq!(
        (list[0]["items"].as_u64(), list[0]["done"].as_u64()),
        (Some(3), Some(0))
    );
    let path = format!(
        "/api/meetings/items?meeting={}&year={year}",
        duban_testkit::client::encode("全市重点工作推进会")
    );
    let items = office.get(&path).await.unwrap().json();
    assert_eq!(items.as_array().unwrap().len(), 3, "{items}");
    assert_eq!(bs.get("/api/meetings").await.unwrap().status, 403);
    let none = format!(
        "/api/meetings/items?meeting={}",
        duban_testkit::client::encode("没开过的会")
    );
    assert_eq!(office.get(&none).await.unwrap().status, 404);

    // Documented.
    let doc = office.get("/api/openapi.json").await.unwrap().json();
    for path in ["/api/meetings/extract", "/api/meetings/confirm"] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} documented");
    }
    for path in ["/api/meetings", "/api/meetings/items"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    assert!(doc["components"]["schemas"]["MeetingTasks"].is_object());
}

duban_store::both_backends!(
    meetings_through_the_api,
    rankings_bulletins_and_indicators,
    authorization_matrix,
    sessions_tokens_csrf_and_throttling,
    documents_pages_and_headers,
);
