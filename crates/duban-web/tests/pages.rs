//! The UI's forms as a browser sends them (htmx posts with the CSRF header), on both backends:
//! ledger import with its dry run, the reporting form, the problem board, user administration,
//! the reporting sheet.

use duban_testkit::harness as support;

use chrono::Datelike;
use duban_core::{Item, ItemKind};
use duban_store::testing::TestDb;
use duban_testkit::client::Client;
use support::{App, wan};

/// A multipart form with one file and text fields.
fn multipart(file: (&str, &[u8]), fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----duban-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend(file.1);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    c: &mut Client,
    path: &str,
    file: (&str, &[u8]),
    fields: &[(&str, &str)],
) -> duban_testkit::client::Answer {
    let (ct, body) = multipart(file, fields);
    c.send(hyper::Method::POST, path, Some((&ct, body)))
        .await
        .unwrap()
}

fn ledger_file(dir: &std::path::Path) -> Vec<u8> {
    let mut item = Item::new(
        duban_web::today().year(),
        ItemKind::Project,
        "白水县新材料产业园",
        "白水县",
    );
    item.code = "XM9".into();
    item.total_investment = Some(wan("8000"));
    item.annual_plan = Some(wan("2000"));
    let path = dir.join("台账.xlsx");
    duban_office::write_ledger(
        &path,
        &[item],
        &[],
        &duban_office::ExportOptions {
            title: "新增项目台账".into(),
            exported_on: "2025-11-01".into(),
        },
    )
    .unwrap();
    std::fs::read(path).unwrap()
}

async fn ledger_import_shows_the_dry_run_then_writes(db: &TestDb) {
    let app = App::start(db).await;
    let dir = tempfile::tempdir().unwrap();
    let file = ledger_file(dir.path());
    let mut admin = app.signed_in("admin").await;
    let before = app.store.data_version().await.unwrap();
    let a = upload(&mut admin, "/items/import", ("台账.xlsx", &file), &[]).await;
    let html = a.text();
    assert!(
        a.status == 200 && html.contains("检查通过（尚未写入）：将新增 1 项"),
        "{html}"
    );
    assert_eq!(
        app.store.data_version().await.unwrap(),
        before,
        "the dry run writes nothing"
    );
    let id = html
        .split("name=\"upload\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let a = admin
        .post_form("/items/import/confirm", &[("upload", id)])
        .await
        .unwrap();
    assert!(a.text().contains("导入完成：新增 1 项"), "{}", a.text());
    assert_eq!(admin.get("/api/items/XM9").await.unwrap().status, 200);
    // The same upload cannot be confirmed twice.
    let a = admin
        .post_form("/items/import/confirm", &[("upload", id)])
        .await
        .unwrap();
    assert_eq!(a.status, 404);

    // A file that is not a ledger: the reason is shown, nothing written.
    let before = app.store.data_version().await.unwrap();
    let a = upload(
        &mut admin,
        "/items/import",
        ("notes.xlsx", b"not a workbook"),
        &[],
    )
    .await;
    assert!(
        a.status == 200 && a.text().contains("import-errors"),
        "{}",
        a.text()
    );
    assert_eq!(app.store.data_version().await.unwrap(), before);
    // Only the office imports.
    let mut bs = app.signed_in("baishui").await;
    let a = upload(&mut bs, "/items/import", ("台账.xlsx", &file), &[]).await;
    assert_eq!(a.status, 403);
}

/// The 进度填报 page of a period as `c` sees it.
async fn report_page(c: &mut Client, period: &str) -> String {
    c.get(&format!("/report?period={period}"))
        .await
        .unwrap()
        .text()
}

async fn the_reporting_form_and_sheet(db: &TestDb) {
    let app = App::start(db).await;
    let period = format!("{}-01", duban_web::today().year());
    let mut bs = app.signed_in("baishui").await;
    let page = report_page(&mut bs, &period).await;
    assert!(
        page.contains("row-XM1") && !page.contains("row-XM2"),
        "only its own items"
    );
    assert!(
        page.contains("本期应报 1 个，已报 0 个，未报 1 个"),
        "{page}"
    );
    let a = bs
        .post_form("/report/XM1", &[("period", &period), ("ytd", "九千")])
        .await
        .unwrap();
    assert!(
        a.status == 422 && a.text().contains("累计完成投资"),
        "{}",
        a.text()
    );
    let a = bs
        .post_form(
            "/report/XM1",
            &[
                ("period", &period),
                ("ytd", "1,000"),
                ("progress_text", "主体施工"),
            ],
        )
        .await
        .unwrap();
    assert!(
        a.status == 200 && a.text().contains("已报送（第 1 版）：累计完成 1000 万元"),
        "{}",
        a.text()
    );
    // The page's counts follow the report at once (its list is kept with the data it was
    // picked from).
    let page = report_page(&mut bs, &period).await;
    assert!(
        page.contains("本期应报 1 个，已报 1 个，未报 0 个"),
        "{page}"
    );
    let a = bs
        .post_form(
            "/report/XM1",
            &[
                ("period", &period),
                ("ytd", "1100"),
                ("reason", "补报设备款"),
            ],
        )
        .await
        .unwrap();
    assert!(a.text().contains("已更正（第 2 版）"), "{}", a.text());
    let mut yt = app.signed_in("yuntai").await;
    let a = yt
        .post_form("/report/XM1", &[("period", &period), ("ytd", "5")])
        .await
        .unwrap();
    assert_eq!(a.status, 404);
    // Without the CSRF header a form post is refused.
    yt.csrf = None;
    let a = yt
        .post_form("/report/XM2", &[("period", &period), ("ytd", "5")])
        .await
        .unwrap();
    assert_eq!(a.status, 403);

    // The sheet: downloaded with the unit's items, uploaded back with nothing filled in:
    // refused, and nothing counts as reported.
    let sheet = bs
        .get(&format!("/report/template.xlsx?period={period}"))
        .await
        .unwrap();
    assert_eq!(sheet.status, 200);
    assert!(sheet.body.starts_with(b"PK"));
    let a = upload(
        &mut bs,
        "/report/upload",
        ("填报表.xlsx", &sheet.body),
        &[("period", &period)],
    )
    .await;
    assert!(
        a.status == 422 && a.text().contains("没有填报任何进度"),
        "{}",
        a.text()
    );
}

async fn the_problem_board_and_user_administration(db: &TestDb) {
    let app = App::start(db).await;
    let mut bs = app.signed_in("baishui").await;
    let id = bs
        .post_json(
            "/api/items/XM1/problems",
            &serde_json::json!({ "category": "征迁", "description": "征迁补偿未到位" }),
        )
        .await
        .unwrap()
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut admin = app.signed_in("admin").await;
    let board = admin.get("/problems").await.unwrap().text();
    assert!(
        board.contains(&format!("/problems/{id}/assign")),
        "the office may assign"
    );
    let board = bs.get("/problems").await.unwrap().text();
    assert!(
        !board.contains(&format!("/problems/{id}/assign")),
        "a unit may not"
    );
    let a = admin
        .post_form(
            &format!("/problems/{id}/assign"),
            &[("unit", "白水县"), ("due", "2099-12-31")],
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let board = bs.get("/problems").await.unwrap().text();
    assert!(
        board.contains(&format!("/problems/{id}/start")),
        "now the unit may start"
    );
    let a = bs
        .post_form(&format!("/problems/{id}/start"), &[])
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let a = bs
        .post_form(&format!("/problems/{id}/close"), &[])
        .await
        .unwrap();
    assert_eq!(a.status, 422, "only the office closes");

    let a = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "lisi"),
                ("display_name", "李四"),
                ("role", "reporter"),
                ("unit", "云台县"),
                ("leader", ""),
                ("password", "short"),
            ],
        )
        .await
        .unwrap();
    assert!(
        a.status == 422 && a.text().contains("至少 8 个字符"),
        "{}",
        a.text()
    );
    let a = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "lisi"),
                ("display_name", "李四"),
                ("role", "reporter"),
                ("unit", "云台县"),
                ("leader", ""),
                ("password", "long-enough-1"),
            ],
        )
        .await
        .unwrap();
    assert!(a.text().contains("已创建用户 lisi"), "{}", a.text());
    let mut lisi = app.signed_in_with("lisi", "long-enough-1").await;
    assert_eq!(lisi.get("/api/items/XM2").await.unwrap().status, 200);
    assert_eq!(lisi.get("/api/items/XM1").await.unwrap().status, 404);
    // Units: the office adds one with its short names; a duplicate is refused.
    let unit = [
        ("name", "市发展和改革委员会"),
        ("kind", "department"),
        ("parent", ""),
        ("aliases", "市发改委、发改委"),
    ];
    let a = admin.post_form("/admin/units", &unit).await.unwrap();
    assert!(a.text().contains("已新增单位"), "{}", a.text());
    let a = admin
        .post_form(
            "/admin/units",
            &[("name", "市发改委"), ("kind", "department")],
        )
        .await
        .unwrap();
    assert_eq!(a.status, 422, "{}", a.text());
    assert!(
        admin
            .get("/admin/units")
            .await
            .unwrap()
            .text()
            .contains("市发改委")
    );
    assert_eq!(
        bs.post_form("/admin/units", &unit).await.unwrap().status,
        403
    );

    let a = bs
        .post_form(
            "/admin/users",
            &[
                ("username", "x"),
                ("display_name", "x"),
                ("role", "admin"),
                ("password", "long-enough-1"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(a.status, 403);
}

/// A statistics sheet of one indicator, with the city's row first.
fn indicator_file(period: &str, rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("规上工业增加值增速").unwrap();
    ws.write_string(0, 0, format!("{period} 各县区规上工业增加值增速"))
        .unwrap();
    for (c, h) in ["地区", "增速(%)", "目标"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, (region, v, t)) in rows.iter().enumerate() {
        for (c, x) in [region, v, t].iter().enumerate() {
            ws.write_string(2 + r as u32, c as u16, **x).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The office uploads indicators on the 排名 page; a unit may not; a bad sheet writes nothing.
async fn indicators_uploaded_on_the_ranking_page(db: &TestDb) {
    let app = App::start(db).await;
    let period = format!("{}-01", duban_web::today().year());
    let good = indicator_file(
        &period,
        &[("白水县", "6.5", "7.0"), ("云台县", "8.1", "7.0")],
    );
    let bad = indicator_file(
        &period,
        &[("白水县", "六点五", "7.0"), ("火星县", "8.1", "7.0")],
    );
    let mut bs = app.signed_in("baishui").await;
    let a = upload(
        &mut bs,
        "/rankings/indicators",
        ("指标.xlsx", &good),
        &[("period", &period)],
    )
    .await;
    assert_eq!(a.status, 403);
    let mut office = app.signed_in("admin").await;
    let a = upload(
        &mut office,
        "/rankings/indicators",
        ("指标.xlsx", &bad),
        &[("period", &period)],
    )
    .await;
    assert_eq!(a.status, 422);
    assert!(
        a.text().contains("第 3 行") && a.text().contains("六点五"),
        "{}",
        a.text()
    );
    let page = office
        .get(&format!("/rankings?period={period}"))
        .await
        .unwrap()
        .text();
    assert!(page.contains("本期没有指标数据"), "nothing written");
    let a = upload(
        &mut office,
        "/rankings/indicators",
        ("指标.xlsx", &good),
        &[("period", &period)],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.text().contains("已导入 2 条指标数值"), "{}", a.text());
    let page = office
        .get(&format!("/rankings?period={period}"))
        .await
        .unwrap()
        .text();
    assert!(
        page.contains("规上工业增加值增速") && page.contains("8.1"),
        "{page}"
    );
}

/// 会议议定事项 on the page: the office sends a speech (pasted, or as a file) and gets the
/// review table; confirming the picked rows writes 重点工作 items and links them; an error
/// names the row by its 序号 and writes nothing; other roles may not use the page.
async fn meeting_tasks_reviewed_and_confirmed(db: &TestDb) {
    let app = App::start(db).await;
    support::add_reform_commission(&app.store).await;
    let year = duban_web::today().year();
    let speech = support::meeting_speech(year);
    let mut bs = app.signed_in("baishui").await;
    assert_eq!(bs.get("/meetings").await.unwrap().status, 403);
    let a = upload(
        &mut bs,
        "/meetings/extract",
        ("", b""),
        &[("text", &speech)],
    )
    .await;
    assert_eq!(a.status, 403);
    let menu = bs.get("/").await.unwrap().text();
    assert!(!menu.contains("会议议定事项"), "not in a unit's menu");

    let mut office = app.signed_in("admin").await;
    let page = office.get("/meetings").await.unwrap().text();
    assert!(
        page.contains("识别议定事项") && page.contains("/static/meetings.js"),
        "{page}"
    );
    // Pasted: no file chosen (the browser sends an empty file part).
    let a = upload(
        &mut office,
        "/meetings/extract",
        ("", b""),
        &[("text", &speech), ("meeting", ""), ("year", "")],
    )
    .await;
    let review = a.text();
    assert_eq!(a.status, 200, "{review}");
    for want in [
        format!("value=\"在{year}年全市项目建设调度会上的讲话\""),
        format!("name=\"year\" id=\"review-year\" value=\"{year}\""),
        "name=\"pick\" value=\"1\" checked".to_string(),
        "name=\"lead_1\" value=\"市发展和改革委员会\"".to_string(),
        "name=\"co_1\" value=\"市财政局\"".to_string(),
        format!("name=\"deadline_1\" value=\"{year}-10-31\""),
        "name=\"lead_2\" value=\"白水县\"".to_string(),
        "×月×日前（日期待定）".to_string(),
        "未匹配：市考核办".to_string(),
        "每月".to_string(),
        "<option value=\"云台县\">".to_string(),
        "确认选中事项，生成重点工作".to_string(),
    ] {
        assert!(review.contains(&want), "{want} in {review}");
    }
    // 市考核办 is not in the directory: tier A, but left for the office to pick.
    let row3 = review.split("id=\"row-3\"").nth(1).expect("a third row");
    assert!(
        row3.contains("tier A") && !row3.contains("name=\"pick\" value=\"3\" checked"),
        "{row3}"
    );
    // 要在年底前…: no one named — tier B, not picked.
    let row4 = review.split("id=\"row-4\"").nth(1).expect("a fourth row");
    assert!(
        row4.contains("tier B") && !row4.contains("name=\"pick\" value=\"4\" checked"),
        "{row4}"
    );
    // The same speech as a file; the meeting's name given wins over the first line.
    let a = upload(
        &mut office,
        "/meetings/extract",
        ("讲话.txt", speech.as_bytes()),
        &[("text", ""), ("meeting", "全市项目建设调度会")],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(
        a.text().contains("讲话.txt") && a.text().contains("value=\"全市项目建设调度会\""),
        "{}",
        a.text()
    );
    let a = upload(
        &mut office,
        "/meetings/extract",
        ("讲话.pdf", b"%PDF-1.4"),
        &[],
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text());
    assert!(a.text().contains("不支持的文件类型"), "{}", a.text());

    // A unit not in the directory on row 3: the message names row 3, nothing written.
    let before = app.store.data_version().await.unwrap();
    let deadline = format!("{year}-10-20");
    let y = year.to_string();
    let mut form = vec![
        ("meeting", "全市项目建设调度会"),
        ("year", y.as_str()),
        ("pick", "1"),
        ("pick", "3"),
        (
            "text_1",
            "由市发改委牵头，市财政局配合，10月20日前完成储备项目梳理",
        ),
        ("lead_1", "市发展和改革委员会"),
        ("co_1", "市财政局"),
        ("deadline_1", deadline.as_str()),
        ("deadline_text_1", "10月底前"),
        ("text_2", "各县（市、区）要在×月×日前上报开工计划"),
        ("lead_2", "白水县"),
        ("lead_2", "云台县"),
        ("deadline_text_2", "×月×日前"),
        ("text_3", "市考核办要每月通报一次进展"),
        ("lead_3", "市考核办"),
    ];
    let a = office.post_form("/meetings/confirm", &form).await.unwrap();
    assert_eq!(a.status, 422, "{}", a.text());
    assert!(
        a.text().contains("第 3 条：单位“市考核办”不在单位名录中"),
        "{}",
        a.text()
    );
    assert_eq!(app.store.data_version().await.unwrap(), before);
    // Row 3 dropped, row 2 picked: written, linked.
    form.retain(|(k, v)| !(*k == "pick" && *v == "3"));
    form.push(("pick", "2"));
    let a = office.post_form("/meetings/confirm", &form).await.unwrap();
    let done = a.text();
    assert_eq!(a.status, 200, "{done}");
    assert_eq!(a.header("hx-retarget"), Some("#review"));
    assert!(done.contains("已生成 3 项重点工作"), "{done}");
    assert!(
        done.contains(&deadline) && done.contains("×月×日前"),
        "{done}"
    );
    let codes: Vec<&str> = done
        .split("href=\"/items/")
        .skip(1)
        .map(|t| t.split('"').next().unwrap())
        .collect();
    assert_eq!(codes.len(), 3, "{done}");
    for code in codes {
        let item = office.get(&format!("/items/{code}")).await.unwrap();
        assert_eq!(item.status, 200);
        let text = item.text();
        assert!(text.contains("重点工作"), "{text}");
        assert!(
            text.contains("<dt>会议来源</dt><dd>全市项目建设调度会</dd>")
                && text.contains("会议议定事项"),
            "the item shows the meeting it comes from: {text}"
        );
    }
    let a = office
        .post_form("/meetings/confirm", &[("meeting", "x"), ("year", &y)])
        .await
        .unwrap();
    assert_eq!(a.status, 422);
    assert!(a.text().contains("没有选中的议定事项"), "{}", a.text());
    // The meeting is listed on the page, with its 督办清单 a click away.
    let page = office.get("/meetings").await.unwrap().text();
    let link = format!(
        "/meetings/list?meeting={}&amp;year={y}",
        duban_testkit::client::encode("全市项目建设调度会")
    );
    assert!(
        page.contains("已分解的会议") && page.contains(&link),
        "{link} in {page}"
    );
    let list = office.get(&link.replace("&amp;", "&")).await.unwrap();
    assert_eq!(list.status, 200);
    let list = list.text();
    assert!(
        list.contains("督办清单")
            && list.contains("共 3 项，已完成 0 项")
            && list.contains("推进中")
            && list.contains("市发展和改革委员会"),
        "{list}"
    );
    // …and as Excel, to send on.
    let xlsx = office
        .get(
            &link
                .replace("&amp;", "&")
                .replace("/meetings/list?", "/meetings/list.xlsx?"),
        )
        .await
        .unwrap();
    assert_eq!(xlsx.status, 200);
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(xlsx.body.clone())).unwrap();
    let range = calamine::Reader::worksheet_range(&mut book, "督办清单").unwrap();
    assert_eq!(
        range.get_value((0, 0)).unwrap().to_string(),
        "全市项目建设调度会督办清单"
    );
    assert_eq!(range.height(), 3 + 3, "title, note, header and three items");
    assert_eq!(
        range.get_value((3, 3)).unwrap().to_string(),
        "市发展和改革委员会"
    );
    assert_eq!(
        range.get_value((4, 6)).unwrap().to_string(),
        "推进中",
        "a county's task, without a date, is in progress"
    );
}

/// A page's error is shown inside the layout — the menu, the visitor — with the error's
/// status; for htmx (a form's answer) the message alone, swapped in where the answer goes.
async fn page_errors_shown_in_the_layout(db: &TestDb) {
    let app = App::start(db).await;
    let mut bs = app.signed_in("baishui").await;
    let a = bs.get("/admin/units").await.unwrap();
    assert_eq!(a.status, 403);
    let page = a.text();
    assert!(
        page.contains("<title>无权操作")
            && page.contains("<nav class=\"menu\">")
            && page.contains("只有督查室管理员可以进行此操作"),
        "{page}"
    );
    let a = bs.get("/items?kind=火箭").await.unwrap();
    assert_eq!(a.status, 422);
    assert!(a.text().contains("<nav class=\"menu\">"), "{}", a.text());

    // The same through htmx: the message alone.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let cookie = bs.cookie.clone().unwrap();
    tcp.write_all(
        format!(
            "GET /admin/units HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nHX-Request: true\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8_lossy(&raw).to_lowercase();
    assert!(
        raw.starts_with("http/1.1 403")
            && raw.contains("hx-reswap: innerhtml")
            && raw.contains("只有督查室管理员可以进行此操作")
            && !raw.contains("<nav"),
        "{raw}"
    );
}

duban_store::both_backends!(
    page_errors_shown_in_the_layout,
    meeting_tasks_reviewed_and_confirmed,
    indicators_uploaded_on_the_ranking_page,
    ledger_import_shows_the_dry_run_then_writes,
    the_reporting_form_and_sheet,
    the_problem_board_and_user_administration,
);
