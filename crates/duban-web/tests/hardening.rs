//! Hardening (issue 12) through the running server, on SQLite and on PostgreSQL: reporters
//! submitting at once all succeed, the login throttle and its audit, the server's limits on
//! slow and oversized requests, errors as problem+json, no caching of anyone's data.

use duban_testkit::harness as support;

use std::time::Duration;

use chrono::Datelike;
use duban_core::{AccountRole, Item, ItemKind};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, LedgerEntry, NewAccount};
use serde_json::{Value, json};
use support::{App, PASSWORD};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn this_month(m: u32) -> String {
    format!("{}-{m:02}", duban_web::today().year())
}

/// Eight counties, each with four items and a reporter (r1…r8).
async fn eight_counties(app: &App) {
    let year = duban_web::today().year();
    let mut entries = Vec::new();
    for c in 1..=8 {
        for k in 1..=4 {
            let mut i = Item::new(
                year,
                ItemKind::Project,
                format!("第{c}县项目{k}"),
                format!("第{c}县"),
            );
            i.code = format!("XC{c}{k}");
            i.total_investment = Some(support::wan("1000"));
            i.annual_plan = Some(support::wan("500"));
            entries.push(LedgerEntry::whole(i, None));
        }
    }
    app.store
        .import_ledger(
            entries,
            &ImportOptions {
                actor: "test".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    for c in 1..=8 {
        app.store
            .add_account(
                "test",
                NewAccount {
                    username: format!("r{c}"),
                    display_name: format!("填报员{c}"),
                    role: AccountRole::Reporter,
                    unit: Some(format!("第{c}县")),
                    leader: None,
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
    }
}

async fn eight_reporters_submitting_at_once_all_succeed(db: &TestDb) {
    let app = App::start(db).await;
    eight_counties(&app).await;
    let mut clients = Vec::new();
    for c in 1..=8 {
        clients.push(app.signed_in(&format!("r{c}")).await);
    }
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(n, mut client)| {
            tokio::spawn(async move {
                let mut answers = Vec::new();
                for month in 1..=2u32 {
                    for k in 1..=4 {
                        let code = format!("XC{}{k}", n + 1);
                        let body = json!({ "period": this_month(month), "ytd": format!("{}", 10 * month), "progress_text": "主体施工" });
                        let a = client
                            .post_json(&format!("/api/items/{code}/reports"), &body)
                            .await
                            .unwrap();
                        answers.push((code, month, a.status.as_u16(), a.text()));
                    }
                }
                answers
            })
        })
        .collect();
    let mut failed = Vec::new();
    let mut acknowledged = Vec::new();
    for t in tasks {
        for (code, month, status, text) in t.await.unwrap() {
            if status == 200 {
                acknowledged.push((code, month));
            } else {
                failed.push(format!("{code} {month}: {status} {text}"));
            }
        }
    }
    assert_eq!(failed, Vec::<String>::new());
    assert_eq!(acknowledged.len(), 64);
    for (code, month) in acknowledged {
        let history = app.store.report_history(&code).await.unwrap();
        assert!(
            history
                .iter()
                .any(|r| r.period.to_string() == this_month(month)),
            "{code} {month} is stored"
        );
    }
}

async fn the_throttle_counts_the_name_as_compared_and_sign_ins_are_audited(db: &TestDb) {
    let app = App::start(db).await;
    let mut guess = app.client();
    for typed in [" viewer", "viewer\t", "\u{3000}VIEWER", "Viewer", "viewer "] {
        let a = guess.login(typed, "wrong-password").await.unwrap();
        assert_eq!(a.status, 401, "{typed:?}");
    }
    let a = guess.login("viewer", PASSWORD).await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.json()["code"].as_str()),
        (429, Some("throttled")),
        "five failures under five spellings lock the one name"
    );
    // An unknown name and a known one are refused alike.
    let a = guess.login("nobody-here", "wrong-password").await.unwrap();
    assert_eq!(a.status, 401);

    let mut c = app.signed_in("judge").await;
    let out = c
        .send(axum::http::Method::DELETE, "/api/session", None)
        .await
        .unwrap();
    assert_eq!(out.status, 204);
    let viewer: Vec<String> = app
        .store
        .audit_trail("user", "viewer")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        viewer.iter().filter(|a| *a == "login_failed").count(),
        5,
        "{viewer:?}"
    );
    let judge: Vec<String> = app
        .store
        .audit_trail("user", "judge")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        judge.ends_with(&["login".to_string(), "logout".to_string()]),
        "{judge:?}"
    );
    assert!(app.store.verify_audit().await.unwrap().intact());
    // The office sees the chain's state; others do not see the page.
    let mut admin = app.signed_in("admin").await;
    let page = admin.get("/admin/audit").await.unwrap();
    assert_eq!(page.status, 200);
    assert!(page.text().contains("审计链完好"), "{}", page.text());
    assert!(page.text().contains("login_failed"));
    let mut viewer = app.signed_in("judge").await;
    assert_eq!(viewer.get("/admin/audit").await.unwrap().status, 403);
}

async fn answers_are_not_cached_and_errors_are_problem_json(db: &TestDb) {
    let app = App::start(db).await;
    let mut c = app.signed_in("admin").await;
    let me = c.get("/api/me").await.unwrap();
    assert_eq!(me.header("cache-control"), Some("no-store"));
    let page = c.get("/").await.unwrap();
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let css = c.get("/static/app.css").await.unwrap();
    assert_eq!(css.status, 200);
    assert_ne!(
        css.header("cache-control"),
        Some("no-store"),
        "assets may be kept"
    );
    // A body that is not JSON, a missing field, a wrong content type: problem+json.
    for (ct, body, status) in [
        ("application/json", b"{not json".to_vec(), 400),
        ("application/json", br#"{"username": "x"}"#.to_vec(), 422),
        ("text/plain", b"hello".to_vec(), 415),
    ] {
        let a = app
            .client()
            .send(axum::http::Method::POST, "/api/session", Some((ct, body)))
            .await
            .unwrap();
        assert_eq!(a.status.as_u16(), status, "{ct}: {}", a.text());
        assert_eq!(a.header("content-type"), Some("application/problem+json"));
        let v: Value = a.json();
        assert_eq!(v["status"], status);
        assert!(v["title"].as_str().is_some_and(|t| !t.is_ascii()), "{v}");
    }
    let a = c.get("/api/nothing-here").await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.header("content-type")),
        (404, Some("application/problem+json"))
    );
}

async fn a_viewer_cannot_upload_a_report_sheet_and_an_empty_one_is_refused(db: &TestDb) {
    let app = App::start(db).await;
    let boundary = "XyZ";
    let multipart = |bytes: &[u8]| {
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        body
    };
    let ct = format!("multipart/form-data; boundary={boundary}");
    let mut viewer = app.signed_in("viewer").await;
    let a = viewer
        .send(
            axum::http::Method::POST,
            "/report/upload",
            Some((&ct, multipart(b"PK\x03\x04"))),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 403, "{}", a.text());
    // An empty reporting sheet by a reporter: refused, nothing counted as reported.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("白水县.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "项目编号").unwrap();
    sheet.write_string(0, 1, "项目名称").unwrap();
    sheet
        .write_string(0, 2, "1至本月累计完成投资（万元）")
        .unwrap();
    sheet.write_string(1, 0, "XM1").unwrap();
    sheet.write_string(1, 1, "白水县产业园").unwrap();
    book.save(&path).unwrap();
    let before = app.store.data_version().await.unwrap();
    let mut reporter = app.signed_in("baishui").await;
    let a = reporter
        .send(
            axum::http::Method::POST,
            "/report/upload",
            Some((&ct, multipart(&std::fs::read(&path).unwrap()))),
        )
        .await
        .unwrap();
    assert!(a.status.is_client_error(), "{}: {}", a.status, a.text());
    assert!(
        !a.text().contains("/tmp"),
        "no server path in messages: {}",
        a.text()
    );
    assert_eq!(
        app.store.data_version().await.unwrap(),
        before,
        "nothing written"
    );
}

/// Reads until the server closes the connection (or `within` passes): what it sent.
async fn until_closed(stream: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read).await.ok()?;
    Some(String::from_utf8_lossy(&got).into_owned())
}

async fn slow_idle_and_oversized_requests_are_cut_off(db: &TestDb) {
    let limits = duban_web::server::Limits {
        header_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(1),
        max_connections: 64,
        ..Default::default()
    };
    let app = App::start_with(db, limits).await;
    // Half-sent headers.
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        until_closed(&mut s, Duration::from_secs(10))
            .await
            .is_some(),
        "closed"
    );
    // An idle kept-alive connection after one answer.
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let got = until_closed(&mut s, Duration::from_secs(10))
        .await
        .expect("closed when idle");
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    // 10 GB declared: refused before a byte of it is read.
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(
        b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n",
    )
    .await
    .unwrap();
    let got = until_closed(&mut s, Duration::from_secs(10))
        .await
        .expect("answered and closed");
    assert!(got.starts_with("HTTP/1.1 413"), "{got}");
    assert!(got.contains("application/problem+json"), "{got}");
    // A body that stalls: the request ends.
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(
        b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user",
    )
    .await
    .unwrap();
    let got = until_closed(&mut s, Duration::from_secs(10))
        .await
        .expect("ended");
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    // The server still serves.
    assert_eq!(app.client().get("/api/health").await.unwrap().status, 200);
}

async fn a_control_character_breaks_no_view_and_writes_elsewhere_are_seen(db: &TestDb) {
    let app = App::start(db).await;
    let mut admin = app.signed_in("admin").await;
    assert_eq!(admin.get("/api/status").await.unwrap().status, 200);
    // A task named with control characters, written past the app (as a meeting confirm or
    // an import would).
    let mut i = Item::new(
        duban_web::today().year(),
        ItemKind::Task,
        "推进\u{1d}数字\u{1c}政府",
        "白水县",
    );
    i.code = "GZ1".into();
    app.store
        .import_ledger(
            vec![LedgerEntry::whole(i, None)],
            &ImportOptions {
                actor: "test".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    // The write is seen (the data version follows commits, checked at least every second).
    let mut seen = false;
    for _ in 0..40 {
        let a = admin.get("/api/status").await.unwrap();
        assert_eq!(a.status, 200, "{}", a.text());
        if a.text().contains("推进数字政府") {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "the new task appears");
    for path in [
        "/",
        "/items",
        "/api/dashboard",
        "/api/items",
        "/rankings",
        "/bulletin",
        "/api/rankings",
    ] {
        let a = admin.get(path).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", a.text());
    }
}

duban_store::both_backends!(
    eight_reporters_submitting_at_once_all_succeed,
    the_throttle_counts_the_name_as_compared_and_sign_ins_are_audited,
    answers_are_not_cached_and_errors_are_problem_json,
    a_viewer_cannot_upload_a_report_sheet_and_an_empty_one_is_refused,
    slow_idle_and_oversized_requests_are_cut_off,
    a_control_character_breaks_no_view_and_writes_elsewhere_are_seen,
);
