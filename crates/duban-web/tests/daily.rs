//! A working day of each role through the pages' forms, as the browser sends them (multipart
//! with files, or URL-encoded), on both backends: the unit reports figures, a milestone and a
//! photo, raises a problem, asks for 销号 with its 整改情况 and evidence, asks for an
//! extension; the office approves it, edits, archives and restores an item; the leader
//! instructs and the unit reads it. Baselined milestones stay out of the unit's reach.

use duban_testkit::harness as support;

use chrono::{Datelike, Days, NaiveDate};
use duban_store::testing::TestDb;
use duban_testkit::client::post_multipart;
use support::App;

/// A small PNG photo of the site.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(640, 480, image::Rgb([120, 160, 90]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// The month before today, and a day in it.
fn last_month() -> (String, NaiveDate) {
    let first = duban_web::today().with_day(1).unwrap();
    let day = first - Days::new(3);
    (format!("{}-{:02}", day.year(), day.month()), day)
}

async fn a_units_day(db: &TestDb) {
    let app = App::start(db).await;
    let (period, done_on) = last_month();
    // 市财政局 leads XM3, whose construction chain the office planned (and so approved).
    let mut cz = app.signed_in("caizheng").await;
    let page = cz
        .get(&format!("/report?period={period}"))
        .await
        .unwrap()
        .text();
    assert!(
        page.contains("row-XM3") && page.contains("ms:开工"),
        "the open milestones are on the form"
    );
    let a = post_multipart(
        &mut cz,
        "/report/XM3",
        &[
            ("period", &period),
            ("ytd", "300"),
            ("progress_text", "场地平整"),
            ("ms:开工", &done_on.to_string()),
            ("problems", "征地拆迁还有三户未签约"),
            ("problem_category", "征迁"),
        ],
        &[("现场.png", &photo())],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let said = a.text();
    assert!(
        said.contains(&format!("节点完成：开工 {done_on}")),
        "{said}"
    );
    assert!(
        said.contains("hx-swap-oob") && said.contains("lamp-XM3"),
        "the row's lamp is refreshed: {said}"
    );
    assert!(said.contains("登记为问题 #"), "{said}");
    let record = app.store.item("XM3").await.unwrap().unwrap();
    assert_eq!(record.milestones[0].actual, Some(done_on));
    let problems = app
        .store
        .problems(&duban_store::ProblemFilter {
            code: Some("XM3".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].category,
        duban_core::ProblemCategory::Relocation
    );
    // The photo is kept with a thumbnail, served to those who see the item only.
    let files = app.store.attachments("XM3").await.unwrap();
    assert_eq!(files.len(), 1);
    assert!(files[0].has_thumbnail.0);
    let got = cz
        .get(&format!("/attachments/{}", files[0].id))
        .await
        .unwrap();
    assert_eq!(
        (got.status.as_u16(), got.header("content-type")),
        (200, Some("image/png"))
    );
    let thumb = cz
        .get(&format!("/attachments/{}/thumb", files[0].id))
        .await
        .unwrap();
    assert_eq!(thumb.header("content-type"), Some("image/jpeg"));
    let mut bs = app.signed_in("baishui").await;
    assert_eq!(
        bs.get(&format!("/attachments/{}", files[0].id))
            .await
            .unwrap()
            .status,
        404
    );
    // A file that is not what it says is refused, and nothing of the report is written.
    let a = post_multipart(
        &mut cz,
        "/report/XM3",
        &[("period", &period), ("ytd", "400"), ("reason", "补报")],
        &[("照片.jpg", b"MZ not a photo")],
    )
    .await;
    assert_eq!(a.status, 422);
    assert!(a.text().contains("只接受"), "{}", a.text());
    assert_eq!(app.store.report_history("XM3").await.unwrap().len(), 1);

    // 白水县 raises a problem on its item from the item page, with a document.
    let a = post_multipart(
        &mut bs,
        "/items/XM1/problems",
        &[
            ("category", "用地"),
            ("escalation", "市领导"),
            ("description", "用地指标未下达"),
        ],
        &[("说明.pdf", b"%PDF-1.4 test")],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let blank = post_multipart(
        &mut bs,
        "/items/XM1/problems",
        &[("category", "用地"), ("description", " ")],
        &[],
    )
    .await;
    assert_eq!(blank.status, 422);
    let id = app
        .store
        .problems(&duban_store::ProblemFilter {
            code: Some("XM1".into()),
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    // The office assigns it from the board (the unit chosen from the directory) …
    let mut admin = app.signed_in("admin").await;
    let due = (duban_web::today() + Days::new(20)).to_string();
    let board = admin
        .post_form(
            &format!("/problems/{id}/assign"),
            &[("unit", "白水县"), ("due", &due)],
        )
        .await
        .unwrap();
    assert_eq!(board.status, 200);
    let text = board.text();
    assert!(
        text.contains("问题 #") && text.contains("已交办") && !text.contains("已已"),
        "{text}"
    );
    assert!(in_column(&text, "assigned", id), "the card moved to 已交办");
    // Written by hand through the API, a short name is found, an unknown one named.
    let via_api = admin
        .post_json(
            &format!("/api/problems/{id}/moves"),
            &serde_json::json!({ "action": "assign", "unit": "白水", "due": due }),
        )
        .await
        .unwrap();
    assert_eq!(via_api.status, 200, "{}", via_api.text());
    assert_eq!(via_api.json()["assigned_unit"], "白水县");
    let unknown = admin
        .post_json(
            &format!("/api/problems/{id}/moves"),
            &serde_json::json!({ "action": "assign", "unit": "青山", "due": due }),
        )
        .await
        .unwrap();
    assert_eq!(unknown.status, 422);
    assert!(
        unknown.json()["detail"]
            .as_str()
            .unwrap()
            .contains("单位目录中没有“青山”")
    );
    // … the unit rectifies and asks for 销号: an empty 整改情况 is refused, the board kept.
    assert_eq!(
        bs.post_form(&format!("/problems/{id}/start"), &[])
            .await
            .unwrap()
            .status,
        200
    );
    let refused = post_multipart(
        &mut bs,
        &format!("/problems/{id}/request-close"),
        &[("note", "")],
        &[],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text().contains("整改情况"), "{}", refused.text());
    let asked = post_multipart(
        &mut bs,
        &format!("/problems/{id}/request-close"),
        &[("note", "指标已于本月下达，用地手续办结")],
        &[("整改后.png", &photo())],
    )
    .await;
    assert_eq!(asked.status, 200, "{}", asked.text());
    // The office sees what was done and the evidence on the card, in its new column.
    let board = admin.get("/problems").await.unwrap().text();
    assert!(in_column(&board, "closure_requested", id));
    assert!(
        board.contains("整改情况：</b>指标已于本月下达"),
        "the 整改情况 is shown"
    );
    assert!(board.contains("/thumb"), "the evidence is shown");
    assert_eq!(
        admin
            .post_form(&format!("/problems/{id}/close"), &[])
            .await
            .unwrap()
            .status,
        200
    );
    assert!(in_column(
        &admin.get("/problems").await.unwrap().text(),
        "closed",
        id
    ));
}

/// The office plans XM1 one milestone, 土地摘牌, due yesterday: overdue now. Its date.
async fn overdue_on_xm1(app: &App) -> NaiveDate {
    let yesterday = duban_web::today() - Days::new(1);
    let plan = vec![duban_core::Milestone {
        name: "土地摘牌".into(),
        planned: Some(yesterday),
        actual: None,
        baseline: None,
    }];
    app.store
        .set_milestones("test", "XM1", plan, duban_store::PlanAuthority::Office)
        .await
        .unwrap();
    yesterday
}

/// Whether problem `id`'s card is in the board's column `state`.
fn in_column(board: &str, state: &str, id: i64) -> bool {
    let Some(start) = board.find(&format!("id=\"col-{state}\"")) else {
        return false;
    };
    let rest = &board[start..];
    let end = rest[10..].find("id=\"col-").map_or(rest.len(), |e| e + 10);
    rest[..end].contains(&format!("id=\"problem-{id}\""))
}

async fn baselines_and_extensions(db: &TestDb) {
    let app = App::start(db).await;
    let mut cz = app.signed_in("caizheng").await;
    let before = app.store.item("XM3").await.unwrap().unwrap().milestones;
    // The plan the office wrote is approved: the unit cannot re-plan it, by API or page.
    let target = (duban_web::today() + Days::new(900)).to_string();
    let a = cz
        .post_json(
            "/api/items/XM3/milestones",
            &serde_json::json!({ "template": "建设", "target": target }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 403, "{}", a.text());
    assert!(a.json()["detail"].as_str().unwrap().contains("延期申请"));
    let a = cz
        .post_form(
            "/items/XM3/milestones",
            &[("name", "开工"), ("planned", &target)],
        )
        .await
        .unwrap();
    assert_eq!(a.status, 403);
    assert_eq!(
        app.store.item("XM3").await.unwrap().unwrap().milestones,
        before,
        "nothing moved"
    );
    // It asks for an extension of 正负零 instead; the office approves it.
    let old = before[1].planned.unwrap();
    let asked = old + Days::new(45);
    let a = post_multipart(
        &mut cz,
        "/items/XM3/extension",
        &[
            ("milestone", "正负零"),
            ("requested", &asked.to_string()),
            ("reason", "设计变更，需重新审图"),
        ],
        &[],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let earlier = post_multipart(
        &mut cz,
        "/items/XM3/extension",
        &[
            ("milestone", "封顶"),
            ("requested", "2000-01-01"),
            ("reason", "x"),
        ],
        &[],
    )
    .await;
    assert_eq!(earlier.status, 422, "a date not later is refused");
    let pending = app
        .store
        .extension_requests(Some("XM3"), true)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        cz.post_form(&format!("/extensions/{}/approve", pending[0].id), &[])
            .await
            .unwrap()
            .status,
        403
    );
    let mut admin = app.signed_in("admin").await;
    assert!(
        admin
            .get("/extensions")
            .await
            .unwrap()
            .text()
            .contains("设计变更")
    );
    let a = admin
        .post_form(&format!("/extensions/{}/approve", pending[0].id), &[])
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let ms = app.store.item("XM3").await.unwrap().unwrap().milestones;
    assert_eq!((ms[1].planned, ms[1].baseline), (Some(asked), Some(old)));
    assert!(ms[1].extended() && !ms[0].extended());
    let page = cz.get("/items/XM3").await.unwrap().text();
    assert!(
        page.contains(&format!("原计划 <s>{old}</s> / 调整后 {asked}")) && page.contains("已延期")
    );
    // An overdue milestone extended: the status follows the new date, marked as extended.
    let yesterday = overdue_on_xm1(&app).await;
    let mut bs = app.signed_in("baishui").await;
    let overdue = format!("节点“土地摘牌”计划 {yesterday} 完成，已逾期");
    assert!(
        bs.get("/items/XM1")
            .await
            .unwrap()
            .text()
            .contains(&overdue)
    );
    let later = yesterday + Days::new(30);
    let a = post_multipart(
        &mut bs,
        "/items/XM1/extension",
        &[
            ("milestone", "土地摘牌"),
            ("requested", &later.to_string()),
            ("reason", "指标待省厅下达"),
        ],
        &[],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let id = app
        .store
        .extension_requests(Some("XM1"), true)
        .await
        .unwrap()[0]
        .id;
    assert_eq!(
        admin
            .post_form(&format!("/extensions/{id}/approve"), &[])
            .await
            .unwrap()
            .status,
        200
    );
    let page = bs.get("/items/XM1").await.unwrap().text();
    assert!(
        !page.contains(&overdue),
        "no longer overdue against the approved date"
    );
    assert!(
        page.contains(&format!("原计划 <s>{yesterday}</s> / 调整后 {later}"))
            && page.contains("已延期")
    );
    // Refusing needs a reason.
    let a = post_multipart(
        &mut cz,
        "/items/XM3/extension",
        &[
            ("milestone", "封顶"),
            (
                "requested",
                &(ms[3].planned.unwrap() + Days::new(10)).to_string(),
            ),
            ("reason", "雨季"),
        ],
        &[],
    )
    .await;
    assert_eq!(a.status, 200);
    let id = app
        .store
        .extension_requests(Some("XM3"), true)
        .await
        .unwrap()[0]
        .id;
    assert_eq!(
        admin
            .post_form(&format!("/extensions/{id}/refuse"), &[])
            .await
            .unwrap()
            .status,
        422
    );
    assert_eq!(
        admin
            .post_form(
                &format!("/extensions/{id}/refuse"),
                &[("note", "工期不能后延")]
            )
            .await
            .unwrap()
            .status,
        200
    );
    let ms2 = app.store.item("XM3").await.unwrap().unwrap().milestones;
    assert_eq!(
        ms2[3].planned, ms[3].planned,
        "a refused request moves nothing"
    );
}

async fn the_office_and_the_leader(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    // A unit typed by hand is refused: units come from the directory.
    let form = |unit: &'static str| {
        vec![
            ("name", "白水县智慧农业示范园"),
            ("kind", "重点项目"),
            ("year", "2026"),
            ("lead_unit", unit),
            ("annual_plan", "800"),
            ("total_investment", "3000"),
            ("reason", "县政府常务会新增"),
        ]
    };
    let a = admin.post_form("/items/new", &form("青山")).await.unwrap();
    assert_eq!(a.status, 422);
    assert!(a.text().contains("不在单位名录中"), "{}", a.text());
    let a = admin
        .post_form("/items/new", &form("白水县"))
        .await
        .unwrap();
    let to = a.header("hx-redirect").unwrap_or_default().to_string();
    assert!(to.starts_with("/items/XM2026"), "{} {}", a.status, a.text());
    let code = to.trim_start_matches("/items/").to_string();
    let (last, _) = last_month();
    let mut bs = app.signed_in("baishui").await;
    let report = bs
        .get(&format!("/report?period={last}"))
        .await
        .unwrap()
        .text();
    assert!(
        report.contains("row-XM1") && !report.contains(&format!("row-{code}")),
        "an item added today is not on last month's report page"
    );
    let page = admin.get(&format!("/items/{code}")).await.unwrap().text();
    assert!(
        !page.contains("上一期进度未报送"),
        "an item added today is not asked for last period's report"
    );
    let trail = app.store.audit_trail("item", &code).await.unwrap();
    assert_eq!(
        (trail[0].action.as_str(), trail[0].reason.as_deref()),
        ("create", Some("县政府常务会新增")),
        "the reason is kept on the audit row"
    );
    // Edited with a reason; the plan over the total is refused as an import refuses it.
    let mut edit = form("白水县");
    edit[4] = ("annual_plan", "9000");
    let a = admin
        .post_form(&format!("/items/{code}/edit"), &edit)
        .await
        .unwrap();
    assert_eq!(a.status, 422, "{}", a.text());
    edit[4] = ("annual_plan", "1000");
    assert_eq!(
        admin
            .post_form(&format!("/items/{code}/edit"), &edit)
            .await
            .unwrap()
            .status,
        200
    );
    let item = app.store.item(&code).await.unwrap().unwrap().item;
    assert_eq!(item.annual_plan, Some(support::wan("1000")));
    // 倒排工期 on the item page, then archived (out of the ledger) and restored.
    let target = (duban_web::today() + Days::new(400)).to_string();
    let a = admin
        .post_form(
            &format!("/items/{code}/plan"),
            &[("template", "建设"), ("target", &target)],
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        app.store
            .item(&code)
            .await
            .unwrap()
            .unwrap()
            .milestones
            .len(),
        7
    );
    assert_eq!(
        admin
            .post_form(&format!("/items/{code}/archive"), &[])
            .await
            .unwrap()
            .status,
        422,
        "a reason is required"
    );
    assert_eq!(
        admin
            .post_form(&format!("/items/{code}/archive"), &[("reason", "项目取消")])
            .await
            .unwrap()
            .status,
        200
    );
    let listed = admin.get("/api/items?per_page=100").await.unwrap().json();
    assert!(
        !listed.to_string().contains(&code),
        "an archived item leaves the ledger"
    );
    assert_eq!(
        admin
            .post_form(&format!("/items/{code}/restore"), &[("reason", "恢复建设")])
            .await
            .unwrap()
            .status,
        200
    );
    assert!(
        admin
            .get("/api/items?per_page=100")
            .await
            .unwrap()
            .json()
            .to_string()
            .contains(&code)
    );

    // The leader reads his page and instructs on his item; the unit sees it.
    let yesterday = overdue_on_xm1(&app).await;
    let mut wang = app.signed_in("wang").await;
    let page = wang.get("/leader").await.unwrap().text();
    assert!(
        page.contains("土地摘牌") && page.contains(&yesterday.to_string()),
        "his overdue milestone is listed"
    );
    assert!(
        page.contains("白水县产业园") && !page.contains("云台县物流园"),
        "only his items"
    );
    let a = wang
        .post_form(
            "/items/XM1/instructions",
            &[("body", "请本周内协调解决用地问题")],
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        wang.post_form("/items/XM2/instructions", &[("body", "x")])
            .await
            .unwrap()
            .status,
        404
    );
    let mut bs = app.signed_in("baishui").await;
    assert_eq!(
        bs.post_form("/items/XM1/instructions", &[("body", "x")])
            .await
            .unwrap()
            .status,
        403
    );
    let page = bs.get("/items/XM1").await.unwrap().text();
    assert!(
        page.contains("请本周内协调解决用地问题") && page.contains("王某（副市长）"),
        "the unit reads the instruction"
    );
}

duban_store::both_backends!(
    a_units_day,
    baselines_and_extensions,
    the_office_and_the_leader
);
