//! Crash safety: `duban serve` is killed with SIGKILL while reporters submit, three times; after
//! each kill every acknowledged report is in the database, SQLite's integrity check passes and
//! the audit chain is intact — on SQLite and on PostgreSQL.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use duban_core::{AccountRole, Item, ItemKind, MoneyUnit, Wan};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, LedgerEntry, NewAccount};
use duban_testkit::client::Client;

const PASSWORD: &str = "crash-test-1";
const ROUNDS: usize = 3;
/// Items per round, each reported for twelve months.
const ITEMS: usize = 8;

fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

async fn prepare(db: &TestDb) {
    let store = db.open().await;
    let entries = (0..ROUNDS * ITEMS)
        .map(|i| {
            let mut item = Item::new(2025, ItemKind::Project, format!("项目{i}"), "白水县");
            item.code = format!("XM{i:03}");
            item.total_investment = Some(wan("100000"));
            LedgerEntry::whole(item, None)
        })
        .collect();
    store
        .import_ledger(
            entries,
            &ImportOptions {
                actor: "test".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    store
        .add_account(
            "test",
            NewAccount {
                username: "baishui".into(),
                display_name: "白水县填报员".into(),
                role: AccountRole::Reporter,
                unit: Some("白水县".into()),
                leader: None,
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    store.close().await;
}

/// Starts the server on a free port; its address once it listens.
fn start(db: &TestDb) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("DUBAN_DATABASE_URL", &db.url)
        .env("DUBAN_TODAY", "2025-12-20")
        .env("DUBAN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start duban serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    (child, addr)
}

async fn acknowledged_reports_survive_kill_9(db: &TestDb) {
    prepare(db).await;
    let mut total_acknowledged = 0;
    for round in 0..ROUNDS {
        let (mut child, addr) = start(db);
        let acks = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        // Four reporters, two items each, January to December in order.
        for r in 0..4 {
            let acks = acks.clone();
            tasks.push(tokio::spawn(async move {
                let mut c = Client::new(addr);
                let mut done: Vec<(String, u32)> = Vec::new();
                match c.login("baishui", PASSWORD).await {
                    Ok(a) if a.status == 200 => {}
                    _ => return done,
                }
                for month in 1..=12u32 {
                    for k in 0..2 {
                        let code = format!("XM{:03}", round * ITEMS + r * 2 + k);
                        let body = serde_json::json!({
                            "period": format!("2025-{month:02}"),
                            "ytd": format!("{}", month * 10),
                        });
                        match c
                            .post_json(&format!("/api/items/{code}/reports"), &body)
                            .await
                        {
                            Ok(a) if a.status == 200 => {
                                done.push((code, month));
                                acks.fetch_add(1, Ordering::SeqCst);
                            }
                            Ok(a) => panic!("{code} {month}: {} {}", a.status, a.text()),
                            Err(_) => return done,
                        }
                    }
                }
                done
            }));
        }
        // Kill in the middle of the load: after a third of the round's 96 reports.
        while acks.load(Ordering::SeqCst) < 32 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let mut acknowledged = Vec::new();
        for t in tasks {
            acknowledged.extend(t.await.unwrap());
        }
        assert!(acknowledged.len() >= 32);
        total_acknowledged += acknowledged.len();

        // Every acknowledged report is there after the crash.
        let store = db.open().await;
        for (code, month) in &acknowledged {
            let history = store.report_history(code).await.unwrap();
            assert!(
                history
                    .iter()
                    .any(|h| h.period.to_string() == format!("2025-{month:02}")),
                "round {round}: {code} 2025-{month:02} was acknowledged and is lost"
            );
        }
        let chain = store.verify_audit().await.unwrap();
        assert!(chain.intact(), "round {round}: {:?}", chain.first_break);
        assert_eq!(
            store.integrity_check().await.unwrap(),
            "ok",
            "round {round}"
        );
        store.close().await;
    }
    assert!(total_acknowledged >= ROUNDS * 32);
    // And the server starts again on what is left.
    let (mut child, addr) = start(db);
    let health = Client::new(addr).get("/api/health").await.unwrap();
    assert_eq!(health.status, 200);
    child.kill().ok();
    child.wait().ok();
}

duban_store::both_backends!(acknowledged_reports_survive_kill_9);
