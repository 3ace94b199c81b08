//! 督办事项 through the API and the pages' forms, on both backends: who may take every step of a
//! task (every role: the office, the leader in charge, the lead unit, a co unit, another unit,
//! a judge, a viewer) — refusals are 403, or 404 where the task is not theirs to see, and write
//! nothing —; the whole lifecycle with a send-back; the to-dos and the inbox of the units after
//! a hand-down; a task's files served only to those who see the task; and the office's pages of
//! 催办管理 (rules, a run, the notice, contacts, holidays).

use duban_testkit::harness as support;

use chrono::{Datelike, Days};
use duban_store::testing::TestDb;
use duban_testkit::client::{Answer, Client, multipart, post_multipart};
use serde_json::{Value, json};
use support::App;

/// Every role of the harness, the task's lead unit 白水县, its co unit 市财政局, its leader 王某.
const ROLES: [&str; 7] = [
    "admin", "wang", "baishui", "caizheng", "yuntai", "judge", "viewer",
];

async fn put_json(c: &mut Client, path: &str, body: &Value) -> Answer {
    c.send(
        hyper::Method::PUT,
        path,
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    )
    .await
    .unwrap()
}

/// A photo of the site.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(640, 480, image::Rgb([90, 140, 200]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A leader's instruction handed down by the office to 白水县 with 市财政局, in 王某's charge.
async fn hand_down(office: &mut Client, title: &str) -> Value {
    let a = office
        .post_json(
            "/api/tasks",
            &json!({
                "title": title,
                "content": "请白水县牵头，市财政局配合，尽快拿出解决方案并报结果。",
                "source": "领导批示",
                "source_ref": "市领导批示件第 35 号",
                "lead_unit": "白水县",
                "co_units": ["市财政局"],
                "leader": "王某（副市长）",
                "deadline": "10个工作日",
                "cadence": "weekly",
            }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()
}

/// Each role tries `mv` on task `id`; all but `allowed` are refused with the status given and
/// write nothing; then `allowed` makes it.
async fn step(
    app: &App,
    clients: &mut [(&str, Client)],
    id: i64,
    mv: &Value,
    refused: &[(&str, u16)],
    allowed: &str,
) -> Value {
    for (user, want) in refused {
        let c = &mut clients.iter_mut().find(|(u, _)| u == user).unwrap().1;
        let before = app.store.data_version().await.unwrap();
        let a = c
            .post_json(&format!("/api/tasks/{id}/moves"), mv)
            .await
            .unwrap();
        assert_eq!(a.status, *want, "{user} {mv}: {}", a.text());
        assert_eq!(a.header("content-type"), Some("application/problem+json"));
        assert_eq!(
            app.store.data_version().await.unwrap(),
            before,
            "{user} {mv} wrote nothing"
        );
    }
    let c = &mut clients.iter_mut().find(|(u, _)| *u == allowed).unwrap().1;
    let a = c
        .post_json(&format!("/api/tasks/{id}/moves"), mv)
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{allowed} {mv}: {}", a.text());
    a.json()
}

async fn every_step_by_every_role(db: &TestDb) {
    let app = App::start(db).await;
    let mut clients = Vec::new();
    for user in ROLES {
        clients.push((user, app.signed_in(user).await));
    }
    // Only the office hands down.
    for (user, c) in clients.iter_mut().skip(1) {
        let before = app.store.data_version().await.unwrap();
        let a = c
            .post_json(
                "/api/tasks",
                &json!({ "title": "越权交办", "content": "x", "source": "other",
                         "lead_unit": "白水县", "deadline": "5" }),
            )
            .await
            .unwrap();
        assert_eq!(a.status, 403, "{user} hands down: {}", a.text());
        assert_eq!(app.store.data_version().await.unwrap(), before);
    }
    let mut admin = app.signed_in("admin").await;
    let task = hand_down(&mut admin, "研究解决产业园用地问题").await;
    let id = task["id"].as_i64().unwrap();
    assert_eq!(task["state"], "assigned");
    assert_eq!(task["source"], "instruction");
    assert_eq!(
        task["deadline"],
        json!({ "kind": "working_days", "days": 10 })
    );
    assert_eq!(task["leader"]["name"], "王某");
    assert_eq!(task["events"][0]["action"], "assign");
    assert!(task["number"].as_str().unwrap().starts_with("督办〔"));

    // Who sees it: everyone but the other unit.
    for (user, c) in clients.iter_mut() {
        let want = if *user == "yuntai" { 404 } else { 200 };
        let a = c.get(&format!("/api/tasks/{id}")).await.unwrap();
        assert_eq!(a.status, want, "{user} reads the task");
        let listed = c.get("/api/tasks").await.unwrap().json();
        assert_eq!(
            listed["total"],
            if *user == "yuntai" { 0 } else { 1 },
            "{user} lists"
        );
    }

    // 签收: the lead unit only.
    let moved = step(
        &app,
        &mut clients,
        id,
        &json!({ "action": "sign" }),
        &[
            ("admin", 403),
            ("wang", 403),
            ("caizheng", 403),
            ("yuntai", 404),
            ("judge", 403),
            ("viewer", 403),
        ],
        "baishui",
    )
    .await;
    assert_eq!(moved["state"], "in_progress");
    assert_eq!(moved["signed_on"], duban_web::today().to_string());
    assert!(
        moved["feedback_due"].is_string(),
        "a weekly feedback is due"
    );
    // Signed once: a second time is a wrong state, refused with its reason.
    let mut bs = app.signed_in("baishui").await;
    let again = bs
        .post_json(
            &format!("/api/tasks/{id}/moves"),
            &json!({ "action": "sign" }),
        )
        .await
        .unwrap();
    assert_eq!(again.status, 422, "{}", again.text());
    assert!(again.json()["detail"].as_str().unwrap().contains("办理中"));

    // 反馈: the lead and the co unit.
    for (who, note) in [("baishui", "已召开专题会"), ("caizheng", "资金已安排")] {
        let refused: &[(&str, u16)] = if who == "baishui" {
            &[
                ("admin", 403),
                ("wang", 403),
                ("yuntai", 404),
                ("judge", 403),
                ("viewer", 403),
            ]
        } else {
            &[]
        };
        step(
            &app,
            &mut clients,
            id,
            &json!({ "action": "feedback", "note": note }),
            refused,
            who,
        )
        .await;
    }
    // A feedback without words is refused, saying what is missing.
    let blank = bs
        .post_json(
            &format!("/api/tasks/{id}/moves"),
            &json!({ "action": "feedback" }),
        )
        .await
        .unwrap();
    assert_eq!(blank.status, 422);
    assert!(
        blank.json()["detail"]
            .as_str()
            .unwrap()
            .contains("反馈内容")
    );

    // 申请办结: the lead unit only.
    let report = json!({ "action": "request_close", "report": "方案已报市政府，用地指标已落实" });
    let moved = step(
        &app,
        &mut clients,
        id,
        &report,
        &[
            ("admin", 403),
            ("wang", 403),
            ("caizheng", 403),
            ("yuntai", 404),
            ("judge", 403),
            ("viewer", 403),
        ],
        "baishui",
    )
    .await;
    assert_eq!(moved["state"], "close_requested");

    // 退回: the office only, with its reason; back to 办理中.
    let moved = step(
        &app,
        &mut clients,
        id,
        &json!({ "action": "send_back", "reason": "请补充用地批复文件" }),
        &[
            ("baishui", 403),
            ("caizheng", 403),
            ("wang", 403),
            ("yuntai", 404),
            ("judge", 403),
            ("viewer", 403),
        ],
        "admin",
    )
    .await;
    assert_eq!(moved["state"], "in_progress");
    step(&app, &mut clients, id, &report, &[], "baishui").await;

    // 办结: the office only.
    let moved = step(
        &app,
        &mut clients,
        id,
        &json!({ "action": "close" }),
        &[
            ("baishui", 403),
            ("caizheng", 403),
            ("wang", 403),
            ("yuntai", 404),
            ("judge", 403),
            ("viewer", 403),
        ],
        "admin",
    )
    .await;
    assert_eq!(moved["state"], "closed");
    assert_eq!(moved["lamp"], "grey");
    assert_eq!(moved["lateness"], json!([]));
    let actions: Vec<&str> = moved["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "assign",
            "sign",
            "feedback",
            "feedback",
            "request_close",
            "send_back",
            "request_close",
            "close"
        ]
    );
    let send_back = &moved["events"][5];
    assert_eq!(send_back["note"], "请补充用地批复文件");
    assert_eq!(send_back["unit"], Value::Null, "the office's move");
    assert_eq!(moved["events"][3]["unit"], "市财政局");
    // A closed task is not withdrawn.
    let a = admin
        .post_json(
            &format!("/api/tasks/{id}/moves"),
            &json!({ "action": "withdraw", "reason": "不再需要" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 422, "{}", a.text());

    // 撤销: the office only, with its reason.
    let other = hand_down(&mut admin, "清理拖欠企业账款").await;
    let other_id = other["id"].as_i64().unwrap();
    let blank = admin
        .post_json(
            &format!("/api/tasks/{other_id}/moves"),
            &json!({ "action": "withdraw" }),
        )
        .await
        .unwrap();
    assert_eq!(blank.status, 422, "a withdrawal says why");
    let moved = step(
        &app,
        &mut clients,
        other_id,
        &json!({ "action": "withdraw", "reason": "已并入其他事项" }),
        &[
            ("baishui", 403),
            ("caizheng", 403),
            ("wang", 403),
            ("yuntai", 404),
            ("judge", 403),
            ("viewer", 403),
        ],
        "admin",
    )
    .await;
    assert_eq!(moved["state"], "withdrawn");
    // An unknown action is refused with the choices.
    let a = admin
        .post_json(
            &format!("/api/tasks/{id}/moves"),
            &json!({ "action": "approve" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 422);
    assert!(a.json()["detail"].as_str().unwrap().contains("签收"));
    // The filters.
    let closed = admin.get("/api/tasks?state=closed").await.unwrap().json();
    assert_eq!(closed["total"], 1);
    let found = admin
        .get(&format!(
            "/api/tasks?q={}",
            duban_testkit::client::encode("拖欠")
        ))
        .await
        .unwrap()
        .json();
    assert_eq!(found["items"][0]["id"], other_id);
    let by_unit = admin
        .get(&format!(
            "/api/tasks?unit={}",
            duban_testkit::client::encode("市财政局")
        ))
        .await
        .unwrap()
        .json();
    assert_eq!(by_unit["total"], 2, "co-operated on");
    assert_eq!(
        admin.get("/api/tasks?state=nope").await.unwrap().status,
        422
    );
    let unknown = format!(
        "/api/tasks?unit={}",
        duban_testkit::client::encode("火星县")
    );
    assert_eq!(admin.get(&unknown).await.unwrap().status, 422);
    // Whatever is asked of a task it does not see, another unit finds nothing.
    let mut yt = app.signed_in("yuntai").await;
    let a = yt
        .post_json(
            &format!("/api/tasks/{id}/moves"),
            &json!({ "action": "approve" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 404);
}

/// The units' to-dos and inboxes after a hand-down; reading messages; the office's to-do
/// once a closure is asked for; the counts at the head of a page.
async fn todos_and_messages_after_a_hand_down(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    let mut bs = app.signed_in("baishui").await;
    let mut cz = app.signed_in("caizheng").await;
    let mut yt = app.signed_in("yuntai").await;
    let before = bs.get("/api/messages").await.unwrap().json()["unread"]
        .as_i64()
        .unwrap();
    let task = hand_down(&mut admin, "产业园水电配套").await;
    let id = task["id"].as_i64().unwrap();
    let number = task["number"].as_str().unwrap();
    let link = format!("/tasks/{id}");

    // The lead unit: 签收 and 办结 to do, and a message.
    let todos = bs.get("/api/todos").await.unwrap().json();
    let mine: Vec<&Value> = todos["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["link"] == link)
        .collect();
    let kinds: Vec<&str> = mine.iter().map(|t| t["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"task_sign"), "{todos}");
    let sign = mine.iter().find(|t| t["kind"] == "task_sign").unwrap();
    assert_eq!(sign["action"], "签收");
    assert!(sign["title"].as_str().unwrap().contains("产业园水电配套"));
    let inbox = bs.get("/api/messages").await.unwrap().json();
    assert_eq!(inbox["unread"].as_i64().unwrap(), before + 1, "{inbox}");
    let message = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["link"] == link)
        .expect("the hand-down in the lead unit's inbox")
        .clone();
    assert_eq!(message["title"], format!("新交办事项：{number}"));
    assert!(message["read_at"].is_null());
    // The co unit is told too; another unit is not, and cannot read or mark it.
    let co = cz.get("/api/messages").await.unwrap().json();
    assert!(
        co["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["title"] == format!("新交办事项（配合）：{number}")),
        "{co}"
    );
    let other = yt.get("/api/messages").await.unwrap().json();
    assert!(
        !other["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["link"] == link)
    );
    assert!(
        !yt.get("/api/todos").await.unwrap().json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["link"] == link)
    );
    let mid = message["id"].as_i64().unwrap();
    let a = yt
        .post_json(&format!("/api/messages/{mid}/read"), &json!({}))
        .await
        .unwrap();
    assert_eq!(a.json()["marked"], 0, "not its message");
    // The page heads with the counts, and lists the to-do and the message.
    let page = bs.get("/tasks").await.unwrap().text();
    assert!(page.contains("id=\"todo-count\""), "{page}");
    assert!(
        page.contains(&format!("消息 <b>{}</b>", before + 1)),
        "the unread count in the header"
    );
    let todo_page = bs.get("/todos").await.unwrap().text();
    assert!(
        todo_page.contains(&format!("{number} 产业园水电配套")) && todo_page.contains("交办签收"),
        "{todo_page}"
    );
    let inbox_page = bs.get("/messages").await.unwrap().text();
    assert!(inbox_page.contains(&format!("新交办事项：{number}")));

    // Read: one, then all.
    let a = bs
        .post_json(&format!("/api/messages/{mid}/read"), &json!({}))
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["marked"], 1);
    assert_eq!(a.json()["unread"].as_i64().unwrap(), before);
    let again = bs
        .post_json(&format!("/api/messages/{mid}/read"), &json!({}))
        .await
        .unwrap();
    assert_eq!(again.json()["marked"], 0, "read once");
    let unread = bs.get("/api/messages?unread=true").await.unwrap().json();
    assert!(
        !unread["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == mid)
    );
    // From the page: all read, the header's count refreshed with the list.
    let a = bs.post_form("/messages/read", &[]).await.unwrap();
    assert_eq!(a.status, 200);
    assert!(a.text().contains("未读 0 条"), "{}", a.text());
    assert!(a.text().contains("hx-swap-oob"), "the header's count too");
    assert_eq!(bs.get("/api/messages").await.unwrap().json()["unread"], 0);

    // Signed and asked to close: the lead unit's 签收 is done; the office has a
    // closure to verify, and a message.
    for mv in [
        json!({ "action": "sign" }),
        json!({ "action": "request_close", "report": "水电已接通" }),
    ] {
        let a = bs
            .post_json(&format!("/api/tasks/{id}/moves"), &mv)
            .await
            .unwrap();
        assert_eq!(a.status, 200, "{}", a.text());
    }
    let todos = bs.get("/api/todos").await.unwrap().json();
    assert!(
        !todos["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["link"] == link && t["kind"] == "task_sign")
    );
    let office = admin.get("/api/todos").await.unwrap().json();
    let verify = office["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["link"] == link)
        .unwrap_or_else(|| panic!("the office verifies: {office}"));
    assert_eq!(verify["kind"], "verification");
    assert_eq!(verify["action"], "审核");
    let office_inbox = admin.get("/api/messages").await.unwrap().json();
    assert!(
        office_inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["title"] == format!("申请办结：{number} 产业园水电配套"))
    );
    // Judges and viewers have no inbox: empty, not refused; no counts in their header.
    let mut judge = app.signed_in("judge").await;
    assert_eq!(judge.get("/api/todos").await.unwrap().json()["total"], 0);
    assert_eq!(
        judge.get("/api/messages").await.unwrap().json()["unread"],
        0
    );
    assert!(
        !judge
            .get("/tasks")
            .await
            .unwrap()
            .text()
            .contains("todo-count")
    );
}

/// The unread count in a page's header costs no query on every page: a message written
/// elsewhere (another server, a reminder run from the CLI) shows within a second, and one read
/// through this server leaves the count at once.
async fn the_header_counts_a_message_sent_elsewhere_within_a_second(db: &TestDb) {
    let app = App::start(db).await;
    let mut bs = app.signed_in("baishui").await;
    let unread_in_header = |page: &str| -> i64 {
        let at = page.find("消息 <b>").expect("the header's count") + "消息 <b>".len();
        page[at..page[at..].find('<').unwrap() + at]
            .parse()
            .unwrap()
    };
    let before = unread_in_header(&bs.get("/tasks").await.unwrap().text());
    let id = app
        .store
        .send_message(
            &duban_core::Recipient::Unit("白水县".into()),
            None,
            "另一台服务器发出的消息",
            "正文",
            None,
            &[],
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let page = bs.get("/tasks").await.unwrap().text();
    assert_eq!(unread_in_header(&page), before + 1, "seen within a second");
    // Read from the inbox page: the header's count swapped in with the list is already one
    // less, and so is the next page's.
    let a = bs
        .post_form(&format!("/messages/{id}/read"), &[])
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        unread_in_header(&a.text()),
        before,
        "read here: gone at once"
    );
    let page = bs.get("/tasks").await.unwrap().text();
    assert_eq!(unread_in_header(&page), before);
}

/// A task's files: the source document the office uploads with the form, the photo of a
/// feedback; served to those who see the task, to nobody else, under no other task.
async fn attachments_only_to_those_who_see_the_task(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    let due = (duban_web::today() + Days::new(30)).to_string();
    // The office's form: a date deadline and a source document.
    let a = post_multipart(
        &mut admin,
        "/tasks/new",
        &[
            ("source", "instruction"),
            ("title", "核查产业园欠薪问题"),
            ("content", "请核查并妥善处理"),
            ("source_ref", "批示件第 7 号"),
            ("lead_unit", "白水县"),
            ("co_units", "市财政局"),
            ("co_units", "云台县"),
            ("leader", "王某（副市长）"),
            ("due_date", &due),
            ("sign_within", "2"),
            ("cadence", "monthly"),
        ],
        &[("批示件.pdf", b"%PDF-1.4 instruction")],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let to = a.header("hx-redirect").unwrap().to_string();
    let id: i64 = to.trim_start_matches("/tasks/").parse().unwrap();
    let t = admin.get(&format!("/api/tasks/{id}")).await.unwrap().json();
    assert_eq!(
        t["co_units"],
        json!(["市财政局", "云台县"]),
        "a multiple select"
    );
    assert_eq!(t["due"], due);
    assert_eq!(t["sign_within"], 2);
    assert_eq!(t["source_files"][0]["file_name"], "批示件.pdf");
    let pdf = t["source_files"][0]["url"].as_str().unwrap().to_string();
    // A form without a deadline, or with both kinds, says so and writes nothing.
    let before = app.store.data_version().await.unwrap();
    for (fields, said) in [
        (vec![("due_days", "")], "请选择日期"),
        (
            vec![("due_days", "5"), ("due_date", due.as_str())],
            "只填一项",
        ),
    ] {
        let mut all = vec![
            ("source", "other"),
            ("title", "x"),
            ("content", "y"),
            ("lead_unit", "白水县"),
        ];
        all.extend(fields);
        let a = post_multipart(&mut admin, "/tasks/new", &all, &[]).await;
        assert_eq!(a.status, 422);
        assert!(a.text().contains(said), "{}", a.text());
    }
    assert_eq!(app.store.data_version().await.unwrap(), before);

    // The lead unit signs and feeds back with a photo from the task's page.
    let mut bs = app.signed_in("baishui").await;
    let page = bs.get(&format!("/tasks/{id}")).await.unwrap().text();
    assert!(page.contains("id=\"move-sign\""), "签收 offered");
    assert!(
        !page.contains("id=\"move-close\""),
        "办结 is not the unit's"
    );
    let a = post_multipart(&mut bs, &format!("/tasks/{id}/moves/sign"), &[], &[]).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.text().contains("已签收"), "{}", a.text());
    let a = post_multipart(
        &mut bs,
        &format!("/tasks/{id}/moves/feedback"),
        &[("note", "已核查 12 户，发放到位")],
        &[("现场.png", &photo())],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(
        a.text().contains("已核查 12 户") && a.text().contains("/thumb"),
        "the record shows the feedback and its photo"
    );
    let t = bs.get(&format!("/api/tasks/{id}")).await.unwrap().json();
    let feedback = &t["events"][2];
    assert_eq!(feedback["action"], "feedback");
    let png = feedback["files"][0]["url"].as_str().unwrap().to_string();
    let thumb = feedback["files"][0]["thumbnail_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(thumb.ends_with("/thumb"));

    // Served to the lead unit, the co units, the leader, the office.
    for user in ["baishui", "caizheng", "yuntai", "wang", "admin", "viewer"] {
        let mut c = app.signed_in(user).await;
        let got = c.get(&png).await.unwrap();
        assert_eq!(got.status, 200, "{user}");
        assert_eq!(got.header("content-type"), Some("image/png"));
        assert_eq!(
            c.get(&thumb).await.unwrap().header("content-type"),
            Some("image/jpeg")
        );
        assert_eq!(c.get(&pdf).await.unwrap().status, 200, "{user} pdf");
    }
    // Another task, led by 云台县 alone: its files are not the others'.
    let other = admin
        .post_json(
            "/api/tasks",
            &json!({ "title": "物流园道路", "content": "抓紧施工", "source": "meeting",
                     "lead_unit": "云台县", "deadline": "20个工作日" }),
        )
        .await
        .unwrap()
        .json();
    let other_id = other["id"].as_i64().unwrap();
    let mut yt = app.signed_in("yuntai").await;
    let a = post_multipart(&mut yt, &format!("/tasks/{other_id}/moves/sign"), &[], &[]).await;
    assert_eq!(a.status, 200);
    let a = post_multipart(
        &mut yt,
        &format!("/tasks/{other_id}/moves/feedback"),
        &[("note", "路基完成")],
        &[("路基.png", &photo())],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let files = app.store.task_attachments(other_id).await.unwrap();
    let att = files[0].id;
    for user in ["baishui", "caizheng", "wang"] {
        let mut c = app.signed_in(user).await;
        for path in [
            format!("/tasks/{other_id}/attachments/{att}"),
            format!("/tasks/{other_id}/attachments/{att}/thumb"),
            // Not under a task it may see either.
            format!("/tasks/{id}/attachments/{att}"),
            // Nor as an item's evidence.
            format!("/attachments/{att}"),
        ] {
            assert_eq!(c.get(&path).await.unwrap().status, 404, "{user} {path}");
        }
    }
    assert_eq!(
        admin
            .get(&format!("/tasks/{id}/attachments/{att}"))
            .await
            .unwrap()
            .status,
        404,
        "a file is served only under its own task"
    );
    let mut anon = app.client();
    assert_eq!(anon.get(&png).await.unwrap().status, 401);
    // A unit that does not see a task sends nothing to it, files and all.
    let before = app.store.data_version().await.unwrap();
    let a = post_multipart(
        &mut bs,
        &format!("/tasks/{other_id}/moves/feedback"),
        &[("note", "越权反馈")],
        &[("x.png", &photo())],
    )
    .await;
    assert_eq!(a.status, 404);
    assert_eq!(app.store.data_version().await.unwrap(), before);
    assert_eq!(app.store.task_attachments(other_id).await.unwrap().len(), 1);
}

/// The office's 催办管理: rules read and set (refused when wrong, and to others), a preview
/// that writes nothing and a run that tells the late unit once, the notice of a unit, the
/// contacts and the holidays; the pages.
async fn reminders_contacts_and_holidays(db: &TestDb) {
    let app = App::start(db).await;
    let today = duban_web::today();
    // An overdue task of 白水县, handed down a month ago.
    let calendar = app.store.work_calendar().await.unwrap();
    app.store
        .hand_down_task(
            "test",
            duban_store::NewTask {
                number: None,
                title: "拖欠工程款清理".into(),
                content: "限期清理".into(),
                source: duban_core::task::TaskSource::Audit,
                source_ref: None,
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
    let mut admin = app.signed_in("admin").await;
    let mut bs = app.signed_in("baishui").await;

    // Refused to a unit, everywhere, writing nothing.
    for path in [
        "/api/reminders/rules",
        "/api/reminders",
        "/api/contacts",
        "/reminders",
        "/contacts",
        "/holidays",
    ] {
        assert_eq!(bs.get(path).await.unwrap().status, 403, "{path}");
    }
    let before = app.store.data_version().await.unwrap();
    for (path, body) in [
        ("/api/reminders/run", json!({})),
        ("/api/reminders/run", json!({ "dry_run": true })),
    ] {
        assert_eq!(bs.post_json(path, &body).await.unwrap().status, 403);
    }
    assert_eq!(
        put_json(&mut bs, "/api/holidays/2030", &json!({ "holidays": [] }))
            .await
            .status,
        403
    );
    assert_eq!(
        put_json(&mut bs, "/api/reminders/rules", &json!({ "toml": "" }))
            .await
            .status,
        403
    );
    assert_eq!(
        put_json(&mut bs, "/api/contacts", &json!([])).await.status,
        403
    );
    assert_eq!(
        bs.post_form("/notices", &[("unit", "白水县")])
            .await
            .unwrap()
            .status,
        403
    );
    assert_eq!(app.store.data_version().await.unwrap(), before);

    // The rules: the defaults, set as rows, refused when wrong.
    let rules = admin.get("/api/reminders/rules").await.unwrap().json();
    assert_eq!(rules["rules"].as_array().unwrap().len(), 4, "{rules}");
    assert_eq!(rules["rules"][0]["describe"], "截止前 3 个工作日");
    let a = put_json(
        &mut admin,
        "/api/reminders/rules",
        &json!({ "verify_within": 2, "rules": [
            { "name": "到期督办", "offset": 0, "count": "working", "level": "urge" },
            { "name": "逾期催办", "offset": 1, "count": "working", "level": "press", "escalate": true },
        ] }),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["verify_within"], 2);
    let wrong = put_json(
        &mut admin,
        "/api/reminders/rules",
        &json!({ "rules": [{ "name": "提前", "offset": -2, "level": "press" }] }),
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("提示"), "{}", wrong.text());
    let page = admin
        .post_form("/reminders/rules", &[("toml", "rule = 3")])
        .await
        .unwrap();
    assert_eq!(page.status, 422);

    // A preview writes nothing; a run tells 白水县 once.
    let before = app.store.data_version().await.unwrap();
    let preview = admin
        .post_json("/api/reminders/run", &json!({ "dry_run": true }))
        .await
        .unwrap();
    assert_eq!(preview.status, 200, "{}", preview.text());
    let preview = preview.json();
    assert_eq!(preview["dry_run"], true);
    assert!(preview["new"].as_u64().unwrap() >= 1, "{preview}");
    assert!(
        preview["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("白水县")),
        "{preview}"
    );
    assert_eq!(app.store.data_version().await.unwrap(), before);
    let future = admin
        .post_json(
            "/api/reminders/run",
            &json!({ "as_of": (today + Days::new(3)).to_string() }),
        )
        .await
        .unwrap();
    assert_eq!(future.status, 422, "not sent for a day to come");
    let ran = admin
        .post_form("/reminders/run", &[("dry_run", "false")])
        .await
        .unwrap();
    assert_eq!(ran.status, 200, "{}", ran.text());
    assert!(
        ran.text().contains("已运行") && ran.text().contains("白水县"),
        "{}",
        ran.text()
    );
    let again = admin
        .post_json("/api/reminders/run", &json!({}))
        .await
        .unwrap()
        .json();
    assert_eq!(again["new"], 0, "told once: {again}");
    let log = admin.get("/api/reminders").await.unwrap().json();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|r| r["owner_name"] == "白水县" && r["level"] == "press"),
        "{log}"
    );
    let page = admin.get("/reminders").await.unwrap().text();
    assert!(page.contains("拖欠工程款清理") && page.contains("逾期催办"));
    assert!(
        bs.get("/api/messages").await.unwrap().json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["level"] == "press")
    );

    // The notice of 白水县 as a Word file; none for a unit with nothing due.
    let docx = admin
        .post_form("/notices", &[("unit", "白水县")])
        .await
        .unwrap();
    assert_eq!(docx.status, 200, "{}", docx.text());
    assert!(docx.body.starts_with(b"PK"), "a docx");
    assert!(
        docx.header("content-disposition")
            .unwrap()
            .contains(&duban_testkit::client::encode("白水县"))
    );
    support::add_reform_commission(&app.store).await;
    let none = admin
        .post_form("/notices", &[("unit", "市发展和改革委员会")])
        .await
        .unwrap();
    assert_eq!(none.status, 422);
    assert!(none.text().contains("不需要开具"), "{}", none.text());

    // Contacts: written all or none, a robot's secret never shown and kept when left blank.
    let a = put_json(
        &mut admin,
        "/api/contacts",
        &json!([
            { "kind": "unit", "name": "白水县", "liaison": "张敏", "phone": "13800000001",
              "email": "bs@example.gov.cn", "robot_url": "https://oapi.dingtalk.com/robot/send?access_token=x",
              "robot_secret": "SEC123" },
            { "kind": "leader", "name": "王某", "phone": "13900000002" },
        ]),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let all = a.json();
    let bsc = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "白水县")
        .unwrap();
    assert_eq!(bsc["robot"]["kind"], "dingtalk");
    assert_eq!(bsc["robot"]["has_secret"], true);
    assert!(!a.text().contains("SEC123"), "the secret is not shown");
    let before = app.store.data_version().await.unwrap();
    let bad = put_json(
        &mut admin,
        "/api/contacts",
        &json!([
            { "kind": "unit", "name": "云台县", "phone": "13800000003" },
            { "kind": "unit", "name": "白水县", "email": "not an email" },
        ]),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("第 2 条"), "{}", bad.text());
    assert_eq!(
        app.store.data_version().await.unwrap(),
        before,
        "all or none"
    );
    // Edited from the page, the secret left blank: kept.
    let row = admin
        .post_form(
            "/contacts",
            &[
                ("kind", "unit"),
                ("name", "白水县"),
                ("liaison", "李强"),
                ("phone", "13800000009"),
                (
                    "robot_url",
                    "https://oapi.dingtalk.com/robot/send?access_token=x",
                ),
            ],
        )
        .await
        .unwrap();
    assert_eq!(row.status, 200, "{}", row.text());
    assert!(row.text().contains("李强") && row.text().contains("已加签"));
    let stored = app
        .store
        .contact_for(&duban_core::Recipient::Unit("白水县".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.robot.unwrap().secret.as_deref(), Some("SEC123"));
    let page = admin.get("/contacts").await.unwrap().text();
    assert!(page.contains("李强") && page.contains("云台县"));

    // The 通讯录 uploaded as .xlsx: a bad row names itself and writes nothing; a good file is
    // matched by alias (白水) and written.
    let contacts_xlsx = |rows: &[[&str; 4]]| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["单位", "联络员", "手机", "邮箱"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    };
    let upload = |bytes: Vec<u8>| {
        let (ct, body) = multipart("file", &[], &[("通讯录.xlsx", &bytes)]);
        (ct, body)
    };
    let before = app.store.data_version().await.unwrap();
    let (ct, body) = upload(contacts_xlsx(&[
        ["云台县", "赵六", "13800000004", "yt@example.gov.cn"],
        ["不存在县", "钱七", "13800000005", ""],
    ]));
    let bad = admin
        .send(hyper::Method::POST, "/contacts/import", Some((&ct, body)))
        .await
        .unwrap();
    assert!(
        bad.text().contains("第3行") && bad.text().contains("不存在县"),
        "{}",
        bad.text()
    );
    assert_eq!(
        app.store.data_version().await.unwrap(),
        before,
        "nothing written"
    );
    let (ct, body) = upload(contacts_xlsx(&[
        ["云台县", "赵六", "13800000004", "yt@example.gov.cn"],
        ["白水", "李强", "13800000019", ""],
    ]));
    let good = admin
        .send(hyper::Method::POST, "/contacts/import", Some((&ct, body)))
        .await
        .unwrap();
    assert!(good.text().contains("导入完成：2 个"), "{}", good.text());
    let bs = app
        .store
        .contact_for(&duban_core::Recipient::Unit("白水县".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bs.phone.as_deref(), Some("13800000019"));

    // Holidays: the shipped years shown as such; a year set, refused when wrong.
    let years = admin.get("/api/holidays").await.unwrap().json();
    assert!(
        years
            .as_array()
            .unwrap()
            .iter()
            .any(|y| y["year"] == 2025 && y["source"] == "shipped"),
        "{years}"
    );
    let mut yt = app.signed_in("yuntai").await;
    assert_eq!(
        yt.get("/api/holidays").await.unwrap().status,
        200,
        "anyone reads it"
    );
    let a = put_json(
        &mut admin,
        "/api/holidays/2031",
        &json!({ "holidays": [{ "name": "元旦", "from": "2031-01-01", "to": "2031-01-01" }],
                 "workdays": ["2031-01-04"] }),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["source"], "office");
    let wrong = put_json(
        &mut admin,
        "/api/holidays/2031",
        &json!({ "workdays": ["2031-01-06"] }),
    )
    .await;
    assert_eq!(wrong.status, 422, "a Monday is no exchanged workday");
    let calendar = app.store.work_calendar().await.unwrap();
    assert!(calendar.is_working_day(chrono::NaiveDate::from_ymd_opt(2031, 1, 4).unwrap()));
    // From the page's rows: blank rows left out.
    let a = admin
        .post_form(
            "/holidays/2032",
            &[
                ("name", "春节"),
                ("from", "2032-02-10"),
                ("to", "2032-02-17"),
                ("name", ""),
                ("from", ""),
                ("to", ""),
                ("workday", ""),
            ],
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.header("hx-redirect").unwrap().contains("saved=2032"));
    let page = admin.get("/holidays").await.unwrap().text();
    assert!(page.contains("2032 年") && page.contains("随系统发布") && page.contains("督查室设置"));
    let this = today.year();
    assert!(page.contains(&format!("{this} 年")));

    // Documented, each answer typed.
    let doc = admin.get("/api/openapi.json").await.unwrap().json();
    for (path, method) in [
        ("/api/tasks", "get"),
        ("/api/tasks", "post"),
        ("/api/tasks/{id}", "get"),
        ("/api/tasks/{id}/moves", "post"),
        ("/api/todos", "get"),
        ("/api/messages", "get"),
        ("/api/messages/{id}/read", "post"),
        ("/api/messages/read", "post"),
        ("/api/contacts", "get"),
        ("/api/contacts", "put"),
        ("/api/holidays", "get"),
        ("/api/holidays/{year}", "put"),
        ("/api/reminders/rules", "get"),
        ("/api/reminders/rules", "put"),
        ("/api/reminders", "get"),
        ("/api/reminders/run", "post"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} documented");
        let ok = &op["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(
            ok.get("$ref").is_some() || ok.get("items").is_some(),
            "{method} {path}: {ok}"
        );
    }
}

/// Every page of the feature opens for the office, in the layout, with the menu.
async fn the_pages_open(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    let t = hand_down(&mut admin, "页面检查事项").await;
    let id = t["id"].as_i64().unwrap();
    for path in [
        "/tasks".to_string(),
        "/tasks/new".to_string(),
        format!("/tasks/{id}"),
        "/tasks?overdue=true&state=assigned&source=instruction".to_string(),
        "/todos".to_string(),
        "/messages".to_string(),
        "/messages?unread=true".to_string(),
        "/reminders".to_string(),
        "/contacts".to_string(),
        "/holidays".to_string(),
        "/holidays?year=2040".to_string(),
    ] {
        let a = admin.get(&path).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", a.text());
        let text = a.text();
        assert!(text.contains("<nav class=\"menu\">"), "{path}");
        assert!(text.contains("催办管理"), "{path}: the office's menu");
        assert!(!text.contains("duban "), "{path}: no command-line words");
    }
    let page = admin.get(&format!("/tasks/{id}")).await.unwrap().text();
    for offered in ["move-withdraw", "notice-form"] {
        assert!(page.contains(offered), "{offered}");
    }
    assert!(!page.contains("move-sign"), "the office does not sign");
    let mut bs = app.signed_in("baishui").await;
    assert_eq!(bs.get("/tasks/new").await.unwrap().status, 403);
    let menu = bs.get("/tasks").await.unwrap().text();
    assert!(menu.contains("督办事项") && menu.contains("待办") && !menu.contains("催办管理"));
    assert!(!menu.contains("id=\"hand-down\""), "交办 is the office's");
    let mut yt = app.signed_in("yuntai").await;
    let a = yt.get(&format!("/tasks/{id}")).await.unwrap();
    assert_eq!(a.status, 404);
    assert!(a.text().contains("<nav class=\"menu\">"), "in the layout");
}

duban_store::both_backends!(
    every_step_by_every_role,
    todos_and_messages_after_a_hand_down,
    the_header_counts_a_message_sent_elsewhere_within_a_second,
    attachments_only_to_those_who_see_the_task,
    reminders_contacts_and_holidays,
    the_pages_open,
);
