//! The API's answers are the domain's JSON: each typed response is compared, on both
//! backends, with the domain value read from the store as serde writes it (what the API sent
//! before it had response types) — same fields, same nesting, same nulls.

use duban_testkit::harness as support;

use chrono::Datelike;
use duban_core::{Period, Thresholds};
use duban_store::testing::TestDb;
use duban_store::{Grouping, ProblemFilter};
use serde_json::{Value, json};
use support::App;

fn domain<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap()
}

async fn answers_are_the_domain_json(db: &TestDb) {
    let app = App::start(db).await;
    support::add_reform_commission(&app.store).await;
    let store = &app.store;
    let today = duban_web::today();
    let year = today.year();
    let mut admin = app.signed_in("admin").await;
    let mut get = async |path: &str| {
        let a = admin.get(path).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", a.text());
        a.json()
    };

    // Accounts and units.
    let accounts = store.accounts().await.unwrap();
    let me = get("/api/me").await;
    let admin_account = accounts.iter().find(|a| a.username == "admin").unwrap();
    assert_eq!(me["user"], domain(admin_account));
    assert_eq!(
        get("/api/users").await,
        domain(store.users().await.unwrap())
    );
    assert_eq!(
        get("/api/units").await,
        domain(store.units().await.unwrap())
    );

    // An item with milestones and its record of changes.
    let item = get("/api/items/XM3").await;
    assert_eq!(item["item"], domain(store.item("XM3").await.unwrap()));
    assert_eq!(
        item["audit"],
        domain(store.audit_trail("item", "XM3").await.unwrap())
    );
    assert!(item["status"]["code"] == "XM3", "{}", item["status"]);

    // Reports, problems, the calendar, compliance.
    let period = format!("{year}-01");
    let mut admin = app.signed_in("admin").await;
    let sent = admin
        .post_json(
            "/api/items/XM3/reports",
            &json!({ "period": period, "ytd": "300.5", "progress_text": "主体施工",
                     "progress_percent": "12.5", "narrative": "正常",
                     "milestones": [{ "name": "开工", "date": format!("{year}-01-10") }] }),
        )
        .await
        .unwrap();
    assert_eq!(sent.status, 200, "{}", sent.text());
    let history = store.report_history("XM3").await.unwrap();
    assert_eq!(sent.json(), domain(history.last().unwrap()));
    let mut get = async |path: &str| {
        let a = admin.get(path).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", a.text());
        a.json()
    };
    assert_eq!(get("/api/items/XM3/reports").await, domain(&history));
    let p = Period::parse(&period).unwrap();
    assert_eq!(
        get(&format!("/api/compliance?period={period}")).await,
        domain(store.compliance(p, today).await.unwrap())
    );

    let mut admin = app.signed_in("admin").await;
    let raised = admin
        .post_json(
            "/api/items/XM1/problems",
            &json!({ "category": "用地", "escalation": "county", "description": "用地指标未落实", "listed": true }),
        )
        .await
        .unwrap()
        .json();
    let moved = admin
        .post_json(
            &format!("/api/problems/{}/moves", raised["id"]),
            &json!({ "action": "assign", "unit": "白水县", "due": format!("{year}-01-02") }),
        )
        .await
        .unwrap()
        .json();
    let stored = store.problems(&ProblemFilter::default()).await.unwrap();
    let problem = stored.iter().find(|p| json!(p.id) == raised["id"]).unwrap();
    assert_eq!(moved, domain(problem));
    let listed = admin.get("/api/problems").await.unwrap().json();
    let mut expected = domain(problem);
    expected["overdue"] = json!(problem.overdue(today));
    assert_eq!(listed["items"][0], expected);
    assert_eq!(listed["total"], 1);

    // Rankings, indicators, bulletins.
    let imported = admin
        .post_json(
            "/api/indicators",
            &json!({ "indicators": [{ "name": "规上工业增加值增速", "unit": "%", "higher_is_better": true }],
                     "values": [{ "indicator": "规上工业增加值增速", "region": "白水县", "period": period, "value": "7.1", "target": "6" },
                                { "indicator": "规上工业增加值增速", "region": "云台县", "period": period, "value": 5 }] }),
        )
        .await
        .unwrap()
        .json();
    assert_eq!(
        imported,
        json!({ "new_indicators": ["规上工业增加值增速"], "values": 2 })
    );
    let issued = admin
        .post_json(&format!("/api/bulletins/{period}/issue"), &json!({}))
        .await
        .unwrap();
    assert_eq!(issued.status, 200, "{}", issued.text());
    let stored = store.issued_bulletin(p).await.unwrap().unwrap();
    assert_eq!(issued.json(), domain(&stored));
    let mut get = async |path: &str| {
        let a = admin.get(path).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", a.text());
        a.json()
    };
    let table = store
        .rank_table(p, Grouping::Region, today, &Thresholds::default())
        .await
        .unwrap();
    assert_eq!(
        get(&format!("/api/rankings?period={period}")).await,
        json!({ "period": period, "by": "region", "table": domain(&table) })
    );
    let city = store.city_name().await.unwrap();
    assert_eq!(
        get(&format!("/api/indicators?period={period}")).await,
        domain(store.indicator_comparisons(p, &city).await.unwrap())
    );
    assert_eq!(
        get(&format!("/api/bulletins/{period}")).await,
        json!({ "issued": { "at": stored.issued_at, "by": stored.issued_by },
                "bulletin": domain(&stored.bulletin) })
    );
    let list = get("/api/bulletins").await;
    assert_eq!(
        list,
        json!([{ "period": period, "number": stored.bulletin.number, "title": stored.bulletin.title,
                 "issued_at": stored.issued_at, "issued_by": stored.issued_by }])
    );

    // A meeting read, confirmed and followed.
    let speech = support::meeting_speech(year);
    let mut admin = app.signed_in("admin").await;
    let read = admin
        .post_json(
            "/api/meetings/extract",
            &json!({ "text": speech, "meeting": "调度会" }),
        )
        .await
        .unwrap()
        .json();
    let lexicon = duban_app::meetings::lexicon(&store.unit_directory().await.unwrap()).unwrap();
    let directives = duban_extract::extract_speeches(&speech, None, year, &lexicon);
    let unclaimed = duban_extract::unclaimed(&speech, &directives, 300);
    let proposals = duban_app::meetings::propose(store, directives)
        .await
        .unwrap();
    assert_eq!(
        read,
        json!({ "meeting": "调度会", "year": year, "directives": domain(&proposals),
                "speeches": domain(duban_extract::speeches(&speech)),
                "unclaimed": domain(&unclaimed) })
    );
    let confirmed = admin
        .post_json(
            "/api/meetings/confirm",
            &json!({ "meeting": "调度会", "year": year, "tasks": [
                { "text": "完成储备项目梳理", "lead_units": ["市发展和改革委员会"], "co_units": ["市财政局"],
                  "deadline": format!("{year}-10-31") }] }),
        )
        .await
        .unwrap()
        .json();
    assert_eq!(confirmed["created"], 1, "{confirmed}");
    let mut get = async |path: &str| {
        let a = admin.get(path).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", a.text());
        a.json()
    };
    assert_eq!(
        get("/api/meetings").await,
        domain(store.meetings(today).await.unwrap())
    );
    assert_eq!(
        get(&format!("/api/meetings/items?meeting=调度会&year={year}")).await,
        domain(store.meeting_items(today).await.unwrap())
    );

    // A task handed down and signed for, the lead unit's to-dos and inbox.
    let mut admin = app.signed_in("admin").await;
    let handed = admin
        .post_json(
            "/api/tasks",
            &json!({ "title": "产业园供水", "content": "拿出方案", "source": "instruction",
                     "lead_unit": "白水县", "co_units": ["市财政局"], "leader": "王某",
                     "deadline": "10个工作日", "cadence": "weekly" }),
        )
        .await
        .unwrap()
        .json();
    let id = handed["id"].as_i64().unwrap();
    let mut bs = app.signed_in("baishui").await;
    let signed = bs
        .post_json(
            &format!("/api/tasks/{id}/moves"),
            &json!({ "action": "sign" }),
        )
        .await
        .unwrap()
        .json();
    let calendar = store.work_calendar().await.unwrap();
    let view = duban_app::tasks::TaskView::new(store.task(id).await.unwrap(), &calendar, today);
    let mut task = signed.clone();
    let o = task.as_object_mut().unwrap();
    assert_eq!(o.remove("lamp"), Some(json!(view.lamp())));
    let events = o.remove("events").unwrap();
    assert_eq!(o.remove("source_files"), Some(json!([])));
    assert_eq!(task, domain(&view));
    let mut stored_events = domain(store.task_events(id).await.unwrap());
    for (e, answered) in stored_events
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(events.as_array().unwrap())
    {
        e["label"] = answered["label"].clone();
        e["files"] = json!([]);
    }
    assert_eq!(events, stored_events);
    let account = store
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username == "baishui")
        .unwrap();
    let a = bs.get("/api/todos").await.unwrap();
    assert_eq!(
        a.json(),
        domain(
            duban_app::todos::todos(store, &account, today)
                .await
                .unwrap()
        )
    );
    let inbox = bs.get("/api/messages").await.unwrap().json();
    assert_eq!(
        inbox["items"],
        domain(
            duban_app::todos::inbox(store, &account, false, 50, 0)
                .await
                .unwrap()
        )
    );
}

duban_store::both_backends!(answers_are_the_domain_json);
