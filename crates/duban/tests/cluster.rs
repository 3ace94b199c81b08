//! Two `duban serve` on one PostgreSQL database behind nginx: whatever one server is told,
//! the other knows within a second — a problem raised, a ledger tried on one and confirmed on
//! the other, failed sign-ins counted across both, a session ended on one — and `bench web`
//! runs through the balancer.

#[path = "../src/commands/cluster.rs"]
#[allow(dead_code)]
mod cluster;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::Datelike;
use duban_core::{AccountRole, Item, ItemKind, MoneyUnit, Wan};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, LedgerEntry, NewAccount};
use duban_testkit::client::{Answer, Client, multipart};

const PASSWORD: &str = "cluster-test-1";

fn year() -> i32 {
    duban_app::clock::today().year()
}

fn item(code: &str, name: &str) -> Item {
    let mut item = Item::new(year(), ItemKind::Project, name, "白水县");
    item.code = code.into();
    item.total_investment = Some(Wan::parse("8000", MoneyUnit::Wan).unwrap());
    item.annual_plan = Some(Wan::parse("2000", MoneyUnit::Wan).unwrap());
    item
}

async fn prepare(db: &TestDb) {
    let store = db.open().await;
    store
        .import_ledger(
            vec![LedgerEntry::whole(item("XM1", "白水县新材料产业园"), None)],
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
                username: "office".into(),
                display_name: "督查室".into(),
                role: AccountRole::Admin,
                unit: None,
                leader: None,
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    store.close().await;
}

async fn signed_in(addr: SocketAddr) -> Client {
    let mut c = Client::new(addr);
    let a = c.login("office", PASSWORD).await.unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    c
}

/// Asks `path` until `seen` holds for the answer; how long that took (at most three seconds).
async fn until(c: &mut Client, path: &str, seen: impl Fn(&Answer) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let a = c.get(path).await.unwrap();
        if seen(&a) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{path} never showed the write: {} {}",
            a.status,
            a.text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ledger_file(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("台账.xlsx");
    duban_office::write_ledger(
        &path,
        &[item("XM2", "白水县冷链物流园")],
        &[],
        &duban_office::ExportOptions {
            title: "新增项目台账".into(),
            exported_on: "2026-11-01".into(),
        },
    )
    .unwrap();
    std::fs::read(path).unwrap()
}

#[tokio::test]
#[ignore = "needs PostgreSQL and nginx"]
async fn two_servers_behind_nginx_agree_within_a_second() {
    let db = TestDb::postgres().await;
    prepare(&db).await;
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_duban"));
    let cluster = cluster::Cluster::start(exe, &db.url, 2).await.unwrap();
    let (a, b) = (cluster.servers[0].0, cluster.servers[1].0);
    let mut on_a = signed_in(a).await;
    // A session opened on one server is good on the other and through the balancer.
    let mut on_b = Client::new(b);
    on_b.cookie = on_a.cookie.clone();
    on_b.csrf = on_a.csrf.clone();
    assert_eq!(on_b.get("/api/me").await.unwrap().status, 200);
    let mut through = Client::new(cluster.addr);
    through.cookie = on_a.cookie.clone();
    assert_eq!(through.get("/items").await.unwrap().status, 200);

    // The overview and the problem list of B, both cached there, show a problem raised on A.
    let open = |a: &Answer| a.json()["items"].as_array().map_or(0, Vec::len);
    assert_eq!(open(&on_b.get("/api/problems").await.unwrap()), 0);
    let overview = on_b.get("/").await.unwrap().text();
    let raised = on_a
        .post_json(
            "/api/items/XM1/problems",
            &serde_json::json!({ "category": "要素保障", "description": "用地指标未落实" }),
        )
        .await
        .unwrap();
    assert!(raised.status.is_success(), "{}", raised.text());
    let took = until(&mut on_b, "/api/problems", |a| open(a) == 1).await;
    assert!(took < Duration::from_millis(1500), "{took:?}");
    until(&mut on_b, "/", |a| a.text() != overview).await;

    // A ledger tried on A is confirmed on B.
    let dir = tempfile::tempdir().unwrap();
    let file = ledger_file(dir.path());
    let (ct, body) = multipart("file", &[], &[("台账.xlsx", &file)]);
    let tried = on_a
        .send(hyper::Method::POST, "/items/import", Some((&ct, body)))
        .await
        .unwrap();
    let html = tried.text();
    assert!(html.contains("检查通过（尚未写入）"), "{html}");
    let id = html
        .split("name=\"upload\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let done = on_b
        .post_form("/items/import/confirm", &[("upload", id)])
        .await
        .unwrap();
    assert!(
        done.text().contains("导入完成：新增 1 项"),
        "{}",
        done.text()
    );
    // Confirmed once: not again through A.
    let again = on_a
        .post_form("/items/import/confirm", &[("upload", id)])
        .await
        .unwrap();
    assert_eq!(again.status, 404);
    // The ledger of A, cached, lists it within a second.
    let took = until(&mut on_a, "/api/items?search=XM2", |a| {
        a.json()["total"] == 1
    })
    .await;
    assert!(took < Duration::from_millis(1500), "{took:?}");

    // Failed sign-ins are counted across both servers: five on A, the sixth refused on B
    // before the password is even checked.
    for _ in 0..5 {
        let a = Client::new(a).login("office", "wrong").await.unwrap();
        assert_eq!(a.status, 401);
    }
    let refused = Client::new(b).login("office", PASSWORD).await.unwrap();
    assert_eq!(refused.status, 429, "{}", refused.text());

    // Signed out on A: the session is refused on B within a second.
    let out = on_a
        .send(hyper::Method::DELETE, "/api/session", None)
        .await
        .unwrap();
    assert!(out.status.is_success(), "{}", out.text());
    let took = until(&mut on_b, "/api/me", |a| a.status == 401).await;
    assert!(took < Duration::from_millis(1500), "{took:?}");
    cluster.stop().await.unwrap();
}

/// `bench web` through nginx in front of two servers on PostgreSQL, at city scale, short.
#[test]
#[ignore = "needs PostgreSQL and nginx"]
fn bench_web_runs_through_the_balancer() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_duban"))
        .args([
            "bench",
            "web",
            "--scale",
            "city",
            "--servers",
            "2",
            "--seconds",
            "1",
            "--connections",
            "20",
            "--database-url",
            &duban_store::testing::pg_admin_url(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("2 台服务"), "{text}");
    for page in [
        "项目台账",
        "排名",
        "通报（草稿）",
        "进度填报（责任单位）",
        "考核",
    ] {
        assert!(text.contains(&format!("{page}：冷")), "{page}: {text}");
    }
    // Each server reports its memory.
    assert_eq!(text.matches("服务进程 ").count(), 2, "{text}");
}
