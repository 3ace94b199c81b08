//! 考核评比 through the API, on both backends: a tour set by the office and scored by three
//! judges — a judge sees only the tours he judges, writes only his own sheets, sees nobody
//! else's scores before the tour is closed, cannot correct after —; the result with the
//! highest and lowest totals dropped; publishing proposes 绩效库 and 负面清单 entries that only
//! the office confirms; a 约谈 recorded; the scheme saved and refused when wrong; the
//! assessment published as a snapshot; who reads which entries of the register.

use duban_testkit::harness as support;

use chrono::{Datelike, Months};
use duban_core::AccountRole;
use duban_store::NewAccount;
use duban_store::testing::TestDb;
use duban_testkit::client::{Answer, Client};
use serde_json::{Value, json};
use support::{App, PASSWORD};

async fn put_json(c: &mut Client, path: &str, body: &Value) -> Answer {
    c.send(
        hyper::Method::PUT,
        path,
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    )
    .await
    .unwrap()
}

/// Two more judges besides the harness's `judge`.
async fn add_judges(app: &App) {
    for name in ["judge2", "judge3"] {
        app.store
            .add_account(
                "test",
                NewAccount {
                    username: name.into(),
                    display_name: name.into(),
                    role: AccountRole::Judge,
                    unit: None,
                    leader: None,
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
    }
}

/// A judge's sheet of `project`: 形象进度 and 建设管理.
fn sheet(project: &str, image: u32, management: u32) -> Value {
    json!({ "project": project, "scores": { "形象进度": image, "建设管理": management } })
}

async fn a_tour_judged_closed_and_published(db: &TestDb) {
    let app = App::start(db).await;
    add_judges(&app).await;
    let mut admin = app.signed_in("admin").await;
    let today = duban_web::today();
    let tour = |name: &str, judges: &[&str]| {
        json!({ "name": name, "held_on": today.to_string(), "items": ["XM1", "XM2", "XM3"],
                "judges": judges,
                "criteria": [{ "name": "形象进度", "max": 60 }, { "name": "建设管理", "max": 40 }] })
    };
    let a = admin
        .post_json(
            "/api/tours",
            &tour("上半年观摩评比", &["judge", "judge2", "judge3"]),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 201, "{}", a.text());
    let id = a.json()["id"].as_i64().unwrap();
    let other = admin
        .post_json("/api/tours", &tour("另一次观摩", &["judge2"]))
        .await
        .unwrap()
        .json()["id"]
        .as_i64()
        .unwrap();
    // Nobody else sets a tour.
    let mut judge = app.signed_in("judge").await;
    let a = judge
        .post_json("/api/tours", &tour("越权", &["judge"]))
        .await
        .unwrap();
    assert_eq!(a.status, 403);

    // A judge sees only the tours he judges.
    let listed = judge.get("/api/tours").await.unwrap().json();
    let ids: Vec<i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![id]);
    assert_eq!(
        judge
            .get(&format!("/api/tours/{other}"))
            .await
            .unwrap()
            .status,
        404
    );
    // A reporter does not see an open tour.
    let mut baishui = app.signed_in("baishui").await;
    assert_eq!(
        baishui
            .get(&format!("/api/tours/{id}"))
            .await
            .unwrap()
            .status,
        404
    );

    // Three judges score; judge corrects XM1 from 95 to 90.
    // XM1: 90, 80, 70 → 80;  XM2: 60, 65, 95 → 65;  XM3: 85, 88, 75 → 85.
    let scores = [
        ("judge", [(55, 40), (35, 25), (50, 35)]),
        ("judge2", [(50, 30), (40, 25), (52, 36)]),
        ("judge3", [(40, 30), (57, 38), (45, 30)]),
    ];
    for (user, s) in scores {
        let mut c = app.signed_in(user).await;
        let sheets: Vec<Value> = ["XM1", "XM2", "XM3"]
            .iter()
            .zip(s)
            .map(|(p, (a, b))| sheet(p, a, b))
            .collect();
        let a = put_json(
            &mut c,
            &format!("/api/tours/{id}/sheets"),
            &json!({ "sheets": sheets }),
        )
        .await;
        assert_eq!(a.status, 200, "{user}: {}", a.text());
        assert_eq!(a.json()["saved"], 3);
        // Before the tour closes, a judge sees his own sheets and no result.
        let v = c.get(&format!("/api/tours/{id}")).await.unwrap().json();
        assert!(v["result"].is_null(), "{user} sees no result while open");
        assert_eq!(v["my_sheets"].as_array().unwrap().len(), 3);
        assert!(
            v["my_sheets"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["judge"] == user)
        );
    }
    let a = put_json(
        &mut judge,
        &format!("/api/tours/{id}/sheets"),
        &json!({ "sheets": [sheet("XM1", 55, 35)] }),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    // A judge writes no other judge's sheet, scores within full marks, no stranger scores.
    let a = put_json(
        &mut judge,
        &format!("/api/tours/{id}/sheets"),
        &json!({ "sheets": [{ "judge": "judge2", "project": "XM1", "scores": { "形象进度": 1, "建设管理": 1 } }] }),
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.text());
    let a = put_json(
        &mut judge,
        &format!("/api/tours/{id}/sheets"),
        &json!({ "sheets": [sheet("XM1", 61, 35)] }),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text());
    let mut viewer = app.signed_in("viewer").await;
    let a = put_json(
        &mut viewer,
        &format!("/api/tours/{id}/sheets"),
        &json!({ "sheets": [sheet("XM1", 50, 30)] }),
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.text());

    // The office sees the result while open; publishing needs closing first.
    let v = admin.get(&format!("/api/tours/{id}")).await.unwrap().json();
    let averages: Vec<(String, String)> = v["result"]["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_string(),
                p["average"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [("XM3", "85"), ("XM1", "80"), ("XM2", "65")];
    for (got, want) in averages.iter().zip(want) {
        assert_eq!(got.0, want.0);
        assert_eq!(
            got.1.parse::<f64>().unwrap(),
            want.1.parse::<f64>().unwrap()
        );
    }
    let a = admin
        .post_json(&format!("/api/tours/{id}/publish"), &json!({}))
        .await
        .unwrap();
    assert_eq!(a.status, 422, "published before closing: {}", a.text());
    let a = judge
        .post_json(&format!("/api/tours/{id}/close"), &json!({}))
        .await
        .unwrap();
    assert_eq!(a.status, 403);
    let a = admin
        .post_json(&format!("/api/tours/{other}/close"), &json!({}))
        .await
        .unwrap();
    assert_eq!(a.status, 422, "nobody scored it: {}", a.text());
    let a = admin
        .post_json(&format!("/api/tours/{id}/close"), &json!({}))
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["state"], "closed");
    // Closed: no correction; the judges see the result.
    let a = put_json(
        &mut judge,
        &format!("/api/tours/{id}/sheets"),
        &json!({ "sheets": [sheet("XM2", 60, 40)] }),
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.text());
    let v = judge.get(&format!("/api/tours/{id}")).await.unwrap().json();
    assert_eq!(v["result"]["projects"][0]["code"], "XM3");
    assert_eq!(
        v["result"]["projects"][0]["kept"].as_array().unwrap().len(),
        1
    );

    // Published: XM3 (市财政局, 王某) proposed for 绩效库, XM2 (云台县, 李某) for 负面清单.
    let a = admin
        .post_json(&format!("/api/tours/{id}/publish"), &json!({}))
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["proposed"], 2);
    assert_eq!(
        baishui
            .get(&format!("/api/tours/{id}"))
            .await
            .unwrap()
            .status,
        200,
        "a published tour is seen by every role"
    );
    let proposed = admin
        .get("/api/accountability?state=proposed")
        .await
        .unwrap()
        .json();
    let entries: Vec<(String, String, String)> = proposed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["unit"].as_str().unwrap().to_string(),
                e["leader"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        entries.contains(&("merit".into(), "市财政局".into(), "王某".into())),
        "{entries:?}"
    );
    assert!(
        entries.contains(&("negative".into(), "云台县".into(), "李某".into())),
        "{entries:?}"
    );
    assert_eq!(entries.len(), 2);
    let negative = proposed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "negative")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        proposed.as_array().unwrap()[0]["source"],
        format!("tour:{id}")
    );
    // The unit cannot confirm; before confirmation it does not see the entry.
    let mut yuntai = app.signed_in("yuntai").await;
    let a = yuntai
        .post_json(
            &format!("/api/accountability/{negative}/decision"),
            &json!({ "confirm": true }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 403);
    let seen = yuntai.get("/api/accountability").await.unwrap().json();
    assert!(seen.as_array().unwrap().is_empty(), "{seen}");
    let a = admin
        .post_json(
            &format!("/api/accountability/{negative}/decision"),
            &json!({ "confirm": true }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["state"], "confirmed");
    let a = admin
        .post_json(
            &format!("/api/accountability/{negative}/decision"),
            &json!({ "confirm": false }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 422, "decided once: {}", a.text());
    // A 约谈 of 云台县, with who and when.
    let a = admin
        .post_json(
            "/api/accountability",
            &json!({ "kind": "talk", "unit": "云台县", "reason": "观摩评比末位",
                     "source": format!("tour:{id}"), "evidence": "平均 65 分，第 3/3 名" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 422, "a 约谈 needs its date and who: {}", a.text());
    let a = admin
        .post_json(
            "/api/accountability",
            &json!({ "kind": "约谈", "unit": "云台县", "reason": "观摩评比末位",
                     "source": format!("tour:{id}"), "evidence": "平均 65 分，第 3/3 名",
                     "held_on": today.to_string(), "held_by": "副市长 李某",
                     "outcome": "县长表态，一个月内整改到位" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 201, "{}", a.text());
    assert_eq!(a.json()["kind"], "talk");
    let a = admin
        .post_json(
            "/api/accountability",
            &json!({ "kind": "talk", "unit": "不存在县", "reason": "x",
                     "held_on": today.to_string(), "held_by": "y" }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 422, "{}", a.text());
    // 云台县 reads its two confirmed entries; 白水县 none; 王某 his 绩效库 entry once confirmed.
    let seen = yuntai.get("/api/accountability").await.unwrap().json();
    let kinds: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["talk", "negative"]);
    let seen = baishui.get("/api/accountability").await.unwrap().json();
    assert!(seen.as_array().unwrap().is_empty());
    let mut wang = app.signed_in("wang").await;
    assert!(
        wang.get("/api/accountability")
            .await
            .unwrap()
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let merit = entries_of(&mut admin, "merit").await;
    admin
        .post_json(
            &format!("/api/accountability/{merit}/decision"),
            &json!({ "confirm": true }),
        )
        .await
        .unwrap();
    let seen = wang.get("/api/accountability").await.unwrap().json();
    assert_eq!(seen[0]["kind"], "merit");
    assert_eq!(seen[0]["leader"], "王某");
}

async fn entries_of(c: &mut Client, kind: &str) -> i64 {
    c.get(&format!("/api/accountability?kind={kind}"))
        .await
        .unwrap()
        .json()[0]["id"]
        .as_i64()
        .unwrap()
}

async fn a_scheme_saved_and_an_assessment_published(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    let year = duban_web::today().year();
    let a = admin
        .get(&format!("/api/assessment/schemes/{year}?by=region"))
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["saved"],
        false,
        "the default until the office saves one"
    );
    let scheme = r#"name = "县区重点工作考核"

[[criterion]]
name = "督办落实"
base = 20

[[criterion.term]]
label = "按期办结"
input = "tasks_on_time"
rule = "per_unit"
per = 1
cap = 10
"#;
    let bad = scheme.replace("per_unit", "per_item");
    let a = put_json(
        &mut admin,
        &format!("/api/assessment/schemes/{year}?by=region"),
        &json!({ "toml": bad }),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text());
    let mut viewer = app.signed_in("viewer").await;
    let a = put_json(
        &mut viewer,
        &format!("/api/assessment/schemes/{year}?by=region"),
        &json!({ "toml": scheme }),
    )
    .await;
    assert_eq!(a.status, 403);
    let a = put_json(
        &mut admin,
        &format!("/api/assessment/schemes/{year}?by=region"),
        &json!({ "toml": scheme }),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["saved"], true);

    // The half-year under the saved scheme: nobody closed a task, so each region has the
    // base 20 and nothing more; 白水县 gets −5 by hand.
    let to = duban_web::today().with_day(1).unwrap() - chrono::Days::new(1);
    let from = to.checked_sub_months(Months::new(5)).unwrap();
    let range = (
        from.format("%Y-%m").to_string(),
        to.format("%Y-%m").to_string(),
    );
    let a = admin
        .post_json(
            "/api/assessment/run",
            &json!({ "from": range.0, "to": range.1, "by": "region",
                     "adjustments": [{ "unit": "白水县", "points": -5, "reason": "被市政府通报批评" }] }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    assert!(v["id"].is_null(), "computed, not published");
    let scores = v["result"]["scores"].as_array().unwrap();
    let totals: Vec<(String, f64)> = scores
        .iter()
        .map(|s| {
            (
                s["unit"].as_str().unwrap().to_string(),
                s["total"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        vec![("云台县".to_string(), 20.0), ("白水县".to_string(), 15.0)]
    );
    assert_eq!(v["result"]["scheme"]["name"], "县区重点工作考核");
    let a = admin
        .post_json(
            "/api/assessment/run",
            &json!({ "from": range.0, "to": range.1, "by": "region", "publish": true,
                     "adjustments": [{ "unit": "白水县", "points": -5, "reason": "被市政府通报批评" }] }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let id = a.json()["id"].as_i64().unwrap();
    assert_eq!(a.json()["proposed"], 2);
    // The scheme changes after; the published result does not.
    put_json(
        &mut admin,
        &format!("/api/assessment/schemes/{year}?by=region"),
        &json!({ "toml": scheme.replace("base = 20", "base = 50") }),
    )
    .await;
    let mut reader = app.signed_in("baishui").await;
    let v = reader
        .get(&format!("/api/assessments/{id}"))
        .await
        .unwrap()
        .json();
    assert_eq!(v["result"]["scores"][0]["total"], "20");
    let listed = reader.get("/api/assessments").await.unwrap().json();
    assert_eq!(listed[0]["id"], id);
    let a = reader
        .post_json(
            "/api/assessment/run",
            &json!({ "from": range.0, "to": range.1 }),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 403);
    // The proposals: 云台县 first (绩效库), 白水县 last (负面清单).
    let proposed = admin
        .get("/api/accountability?state=proposed")
        .await
        .unwrap()
        .json();
    let got: Vec<(&str, &str)> = proposed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["unit"].as_str().unwrap()))
        .collect();
    assert_eq!(got, vec![("negative", "白水县"), ("merit", "云台县")]);
    // The pages open, the downloads are Word and Excel files.
    for path in [
        format!("/assessment/{id}"),
        "/assessment/scheme".to_string(),
        "/accountability".to_string(),
        "/tours".to_string(),
        format!("/assessment?from={}&to={}", range.0, range.1),
    ] {
        let a = admin.get(&path).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", a.text());
    }
    let a = admin
        .get(&format!("/assessment/{id}/download?format=docx"))
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    assert!(a.body.starts_with(b"PK"));
    let a = admin
        .get(&format!("/assessment/{id}/download?format=xlsx"))
        .await
        .unwrap();
    assert!(a.body.starts_with(b"PK"));
}

duban_store::both_backends!(
    a_tour_judged_closed_and_published,
    a_scheme_saved_and_an_assessment_published,
);
