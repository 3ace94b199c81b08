//! The harness: a fresh database with a small ledger and an account for every role, and the
//! app spawned on a free port; shut down when dropped.

use std::net::SocketAddr;

pub use crate::client::Client;
pub use crate::webdriver;
use chrono::Datelike;
use duban_core::{AccountRole, Item, ItemKind, Leader, MoneyUnit, Wan};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, LedgerEntry, NewAccount, Store};

pub const PASSWORD: &str = "password-123";

/// (user name, role, unit, leader)
pub const ACCOUNTS: &[(&str, AccountRole, Option<&str>, Option<&str>)] = &[
    ("admin", AccountRole::Admin, None, None),
    ("baishui", AccountRole::Reporter, Some("白水县"), None),
    ("yuntai", AccountRole::Reporter, Some("云台县"), None),
    ("caizheng", AccountRole::Reporter, Some("市财政局"), None),
    ("wang", AccountRole::Leader, None, Some("王某（副市长）")),
    ("judge", AccountRole::Judge, None, None),
    ("viewer", AccountRole::Viewer, None, None),
];

pub fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

fn item(code: &str, name: &str, lead: &str, region: &str, leader: &str, co: &[&str]) -> Item {
    let mut i = Item::new(
        duban_app::clock::today().year(),
        ItemKind::Project,
        name,
        lead,
    );
    i.code = code.into();
    i.region = Some(region.into());
    i.leader = Leader::parse_list(leader).into_iter().next();
    i.co_units = co.iter().map(|c| c.to_string()).collect();
    i.total_investment = Some(wan("5000"));
    i.annual_plan = Some(wan("1200"));
    i
}

/// XM1 白水县 (王某, co-operated by 市财政局), XM2 云台县 (李某), XM3 led by 市财政局 in 云台县 (王某).
pub async fn seed(store: &Store) {
    let items = vec![
        item(
            "XM1",
            "白水县产业园",
            "白水县",
            "白水县",
            "王某（副市长）",
            &["市财政局"],
        ),
        item(
            "XM2",
            "云台县物流园",
            "云台县",
            "云台县",
            "李某（副市长）",
            &[],
        ),
        item(
            "XM3",
            "市级财政项目",
            "市财政局",
            "云台县",
            "王某（副市长）",
            &[],
        ),
    ];
    // XM3 has the standard construction chain up to a completion late next year.
    let end =
        chrono::NaiveDate::from_ymd_opt(duban_app::clock::today().year() + 1, 12, 31).unwrap();
    let chain = duban_core::MilestoneTemplate::Construction.schedule_back(end);
    store
        .import_ledger(
            items
                .into_iter()
                .map(|i| {
                    let ms = (i.code == "XM3").then(|| chain.clone());
                    LedgerEntry::whole(i, ms)
                })
                .collect(),
            &ImportOptions {
                actor: "test".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    for (username, role, unit, leader) in ACCOUNTS {
        store
            .add_account(
                "test",
                NewAccount {
                    username: username.to_string(),
                    display_name: username.to_string(),
                    role: *role,
                    unit: unit.map(str::to_string),
                    leader: leader.and_then(|l| Leader::parse_list(l).into_iter().next()),
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
    }
}

/// A speech of our own, in the words officials use, given in `year`.
pub fn meeting_speech(year: i32) -> String {
    format!(
        "在{year}年全市项目建设调度会上的讲话\n同志们：\n由市发改委牵头，市财政局配合，10月底前完成储备项目梳理；各县（市、区）要在×月×日前上报开工计划。\n市考核办要每月通报一次进展。\n要在年底前全面完成项目入库工作。\n"
    )
}

/// 市发展和改革委员会 added to the seeded directory (speeches call it 市发改委).
pub async fn add_reform_commission(store: &Store) {
    store
        .ensure_units(
            "test",
            &[duban_core::Unit::new(
                "市发展和改革委员会",
                duban_core::UnitKind::Department,
            )],
        )
        .await
        .unwrap();
}

/// The app on a free port.
pub struct App {
    pub addr: SocketAddr,
    pub store: std::sync::Arc<Store>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl App {
    pub async fn start(db: &TestDb) -> App {
        App::start_with(db, duban_web::server::Limits::default()).await
    }

    /// The app with the server's limits set (short timeouts for the tests of them).
    pub async fn start_with(db: &TestDb, limits: duban_web::server::Limits) -> App {
        let store = db.open().await;
        seed(&store).await;
        let state = duban_web::AppState::new(store, false);
        let shared = state.store.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(duban_web::serve_limited(state, listener, limits, async {
            let _ = rx.await;
        }));
        App {
            addr,
            store: shared,
            stop: Some(tx),
        }
    }

    pub fn client(&self) -> Client {
        Client::new(self.addr)
    }

    /// A client signed in as `username`.
    pub async fn signed_in(&self, username: &str) -> Client {
        self.signed_in_with(username, PASSWORD).await
    }

    pub async fn signed_in_with(&self, username: &str, password: &str) -> Client {
        let mut c = self.client();
        let a = c.login(username, password).await.unwrap();
        assert_eq!(a.status, 200, "{username} signs in: {}", a.text());
        c
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
