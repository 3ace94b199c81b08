//! The reminder job end to end (催办): a small city with one overdue matter of each kind, the
//! job run for a day, the messages it writes to the expected units and leader, their emails
//! received by a real SMTP server (aiosmtpd) and their robot messages by a local HTTP
//! receiver; a second run tells nobody again; an email that fails is retried and then sent;
//! two servers running the job at once on one database tell each matter once.

mod support;

use std::time::Duration;

use chrono::NaiveDate;
use duban_app::notify::{Channels, DEFAULT_FROM, deliver_pending};
use duban_app::reminders;
use duban_core::task::{Deadline, FeedbackCadence, TaskSource};
use duban_core::{
    Escalation, Item, ItemKind, Leader, Milestone, Move, Period, ProblemCategory, Recipient,
    ReportDraft, Role, Stage,
};
use duban_store::testing::TestDb;
use duban_store::{
    Channel, Contact, ImportOptions, LedgerEntry, NewProblem, NewTask, Robot, Store, Submission,
};
use support::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// 甲县 and 乙县 under 示范市, and 市发展和改革委员会:
/// - XM1 (甲县, in the charge of 李明): its June report missing (due Saturday 5 July 2025) and
///   its milestone 开工 planned for 10 June not reached;
/// - XM2 (乙县): June reported; a problem assigned to 乙县 due 1 July, not solved;
/// - a task handed down to 市发展和改革委员会 on Tuesday 1 July with one working day to sign
///   for it (by 2 July), not signed; its deadline 31 July.
async fn city(store: &Store) {
    let units = duban_store::testing::city_directory(&["市发展和改革委员会"]);
    store.ensure_units("office", &units).await.unwrap();
    let mut entries = Vec::new();
    for (code, region, leader, milestones) in [
        (
            "XM1",
            "甲县",
            Some(Leader::new("李明", Some("副市长"))),
            vec![Milestone {
                baseline: None,
                name: "开工".into(),
                planned: Some(d("2025-06-10")),
                actual: None,
            }],
        ),
        ("XM2", "乙县", None, Vec::new()),
    ] {
        let mut item = Item::new(
            2025,
            ItemKind::Project,
            format!("{region}{code}项目"),
            region,
        );
        item.code = code.into();
        item.region = Some(region.into());
        item.stage = Some(Stage::UnderConstruction);
        item.leader = leader;
        entries.push(LedgerEntry::whole(item, Some(milestones)));
    }
    let options = ImportOptions {
        actor: "office".into(),
        dry_run: false,
    };
    store.import_ledger(entries, &options).await.unwrap();
    store
        .submit_report(
            "乙县",
            Submission {
                code: "XM2".into(),
                period: Period::month(2025, 6).unwrap(),
                report: ReportDraft {
                    progress_text: Some("主体施工".into()),
                    ..Default::default()
                },
                reason: None,
                submitted_on: d("2025-07-03"),
            },
        )
        .await
        .unwrap();
    let p = store
        .raise_problem(
            "office",
            &Role::Office,
            NewProblem {
                code: "XM2".into(),
                category: ProblemCategory::Land,
                escalation: Escalation::County,
                description: "用地指标未落实".into(),
                listed: false,
            },
        )
        .await
        .unwrap();
    store
        .move_problem(
            "office",
            &Role::Office,
            p.id,
            Move::Assign {
                unit: "乙县".into(),
                due: d("2025-07-01"),
            },
        )
        .await
        .unwrap();
    let calendar = store.work_calendar().await.unwrap();
    store
        .hand_down_task(
            "office",
            NewTask {
                number: None,
                title: "梳理储备项目".into(),
                content: "梳理明年储备项目并上报".into(),
                source: TaskSource::Instruction,
                source_ref: Some("市长批示".into()),
                item_code: None,
                lead_unit: "市发展和改革委员会".into(),
                co_units: Vec::new(),
                leader: None,
                deadline: Deadline::Date {
                    date: d("2025-07-31"),
                },
                sign_within: 1,
                cadence: FeedbackCadence::Once,
                assigned_on: d("2025-07-01"),
            },
            &calendar,
            Vec::new(),
        )
        .await
        .unwrap();
}

/// 甲县 and 李明 by email, 乙县 by 企业微信, 市发展和改革委员会 by a signed 钉钉 robot.
async fn contacts(store: &Store, receiver: std::net::SocketAddr) {
    let email = |e: &str| Contact {
        email: Some(e.into()),
        ..Contact::default()
    };
    let robot = |kind, path: &str, secret: Option<&str>| Contact {
        robot: Some(Robot {
            kind,
            url: format!("http://{receiver}/{path}?access_token=t"),
            secret: secret.map(String::from),
        }),
        ..Contact::default()
    };
    for (to, c) in [
        (Recipient::Unit("甲县".into()), email("jx@example.gov.cn")),
        (Recipient::Leader("李明".into()), email("lm@example.gov.cn")),
        (
            Recipient::Unit("乙县".into()),
            robot(Channel::WeCom, "wecom", None),
        ),
        (
            Recipient::Unit("市发展和改革委员会".into()),
            robot(Channel::DingTalk, "dingtalk", Some(SECRET)),
        ),
    ] {
        store.set_contact("office", &to, &c).await.unwrap();
    }
}

/// Who was told what, by title.
fn titles(run: &reminders::ReminderRun) -> Vec<(String, String)> {
    let mut t: Vec<(String, String)> = run
        .recorded
        .messages
        .iter()
        .map(|m| (m.to.name().to_string(), m.title.clone()))
        .collect();
    t.sort();
    t
}

/// On Monday 14 July 2025 every matter is five working days or more past its due date (the
/// report: 5 July + 5 working days = 11 July; the milestone long since; the problem: 1 July +
/// 5 = 8 July; the signature: 2 July + 5 = 9 July), so each reached 逾期升级催办: 甲县 is told of
/// two matters and so is 李明 (both are his item's), 乙县 of its problem, 市发展和改革委员会 of
/// the task it has not signed for.
#[tokio::test]
#[ignore = "needs python3-aiosmtpd"]
async fn the_job_tells_each_unit_and_leader_once_by_every_channel() {
    let python = python().expect("python3-aiosmtpd is needed (apt-get install python3-aiosmtpd)");
    let db = TestDb::sqlite();
    let store = db.open().await;
    city(&store).await;
    let (got, addr) = receiver().await;
    contacts(&store, addr).await;
    let port = free_port();
    let channels = Channels::new(
        Some(&format!("smtp://127.0.0.1:{port}")),
        DEFAULT_FROM,
        None,
    )
    .unwrap();
    let day = d("2025-07-14");

    // The SMTP server is down at first: the robots are sent, the emails wait.
    let (run, sent) = reminders::run_and_deliver(&store, &channels, "a", day, false)
        .await
        .unwrap();
    assert_eq!(run.recorded.new.len(), 4);
    assert!(run.recorded.new.iter().all(|r| r.rule == "逾期升级催办"));
    assert_eq!(
        titles(&run),
        [
            ("乙县".into(), "催办：乙县 有 1 项事项已逾期".into()),
            (
                "市发展和改革委员会".into(),
                "催办：市发展和改革委员会 有 1 项事项已逾期".into()
            ),
            ("李明".into(), "催办：李明 有 2 项事项已逾期".into()),
            ("甲县".into(), "催办：甲县 有 2 项事项已逾期".into()),
        ]
    );
    let sent = sent.unwrap();
    assert_eq!((sent.sent, sent.retrying, sent.failed), (2, 2, 0));
    let wecom = got.got("wecom");
    assert_eq!(wecom.len(), 1);
    assert!(
        wecom[0].body.to_string().contains("用地指标未落实"),
        "{:?}",
        wecom[0].body
    );
    let ding = got.got("dingtalk");
    assert_eq!(ding.len(), 1);
    assert!(ding[0].body.to_string().contains("梳理储备项目"));

    // The inboxes: 甲县's message lists the report and the milestone.
    let inbox = store
        .messages(&[Recipient::Unit("甲县".into())], true, 10, 0)
        .await
        .unwrap();
    assert_eq!(inbox.len(), 1);
    assert!(
        inbox[0].body.contains("XM1 甲县XM1项目（2025年6月 进度）"),
        "{}",
        inbox[0].body
    );
    assert!(
        inbox[0]
            .body
            .contains("开工，截止 2025-06-10，已逾期 34 天"),
        "{}",
        inbox[0].body
    );

    // The server comes up; the retry after the first back-off (1 minute) sends both emails.
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("Maildir");
    let _smtp = smtp_server(python, port, &mail).await;
    let later = duban_app::clock::now() + chrono::Duration::minutes(2);
    let retried = deliver_pending(&store, &channels, "a", later)
        .await
        .unwrap();
    assert_eq!((retried.sent, retried.failed), (2, 0));
    let mails = maildir(python, &mail);
    let mut subjects: Vec<(String, String)> = mails
        .iter()
        .map(|m| {
            (
                m["rcpt"].as_str().unwrap().to_string(),
                m["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            (
                "jx@example.gov.cn".into(),
                "催办：甲县 有 2 项事项已逾期".into()
            ),
            (
                "lm@example.gov.cn".into(),
                "催办：李明 有 2 项事项已逾期".into()
            ),
        ]
    );

    // The next round, and a run the next day: nothing new, nothing sent again.
    for day in [day, d("2025-07-15")] {
        let (again, sent) = reminders::run_and_deliver(&store, &channels, "b", day, false)
            .await
            .unwrap();
        assert!(again.recorded.new.is_empty() && again.recorded.messages.is_empty());
        assert_eq!(again.recorded.already, 4);
        assert_eq!(sent.unwrap().sent, 0);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(maildir(python, &mail).len(), 2);
    assert_eq!(got.got("wecom").len() + got.got("dingtalk").len(), 2);
}

/// The stages follow the days: on Thursday 3 July the signature (due 2 July) is one working day
/// late (逾期催办), the problem (due 1 July) too, the June report of XM1 (due 5 July) is within
/// three working days (到期提示: 2 July), and the May reports of both items (due 5 June, never
/// made) are long overdue (升级: 李明 is told of XM1's, and of its milestone).
async fn each_matter_gets_the_stage_of_its_day(db: &TestDb) {
    let store = db.open().await;
    city(&store).await;
    let channels = Channels::robots_only().unwrap();
    let run = reminders::run(&store, d("2025-07-03"), false, &channels)
        .await
        .unwrap();
    let mut stages: Vec<(String, String)> = run
        .recorded
        .new
        .iter()
        .map(|r| (r.kind.label().to_string(), r.rule.clone()))
        .collect();
    stages.sort();
    assert_eq!(
        stages,
        [
            ("交办签收".into(), "逾期催办".into()),
            ("进度报送".into(), "到期提示".into()),
            ("进度报送".into(), "逾期升级催办".into()),
            ("进度报送".into(), "逾期升级催办".into()),
            ("问题整改".into(), "逾期催办".into()),
            ("项目节点".into(), "逾期升级催办".into()),
        ]
    );
    assert!(run.recorded.messages.iter().any(|m| m.to.name() == "李明"));
    // The escalated matters are the bulletin's list of overdue matters: both May reports (due
    // 5 June, 28 days late) and XM1's milestone (planned 10 June, 23 days late), the longest
    // overdue first, then by unit.
    let escalated = store.escalated_matters(d("2025-07-03")).await.unwrap();
    assert_eq!(escalated.count, 3);
    let listed: Vec<(String, String, i64)> = escalated
        .longest_overdue
        .into_iter()
        .map(|m| (m.kind, m.owner, m.days_late))
        .collect();
    assert_eq!(
        listed,
        [
            ("进度报送".into(), "乙县".into(), 28),
            ("进度报送".into(), "甲县".into(), 28),
            ("项目节点".into(), "甲县".into(), 23),
        ]
    );
    let preview = reminders::run(&store, d("2025-07-14"), true, &channels)
        .await
        .unwrap();
    assert_eq!(
        preview.recorded.new.len(),
        3,
        "a dry run sees the later stages"
    );
    let after = reminders::run(&store, d("2025-07-03"), false, &channels)
        .await
        .unwrap();
    assert!(
        after.recorded.new.is_empty(),
        "the dry run wrote nothing and the day is told"
    );
}

/// Two servers (two stores on one database) run the job for the same day at once: each matter
/// is recorded once and each recipient gets one message.
async fn two_servers_tell_each_matter_once(db: &TestDb) {
    let a = db.open().await;
    city(&a).await;
    let b = db.open().await;
    let channels = Channels::robots_only().unwrap();
    let day = d("2025-07-14");
    let (ra, rb) = tokio::join!(
        reminders::run_and_deliver(&a, &channels, "a", day, false),
        reminders::run_and_deliver(&b, &channels, "b", day, false)
    );
    let (ra, rb) = (ra.unwrap().0, rb.unwrap().0);
    assert_eq!(ra.recorded.new.len() + rb.recorded.new.len(), 4);
    assert_eq!(ra.recorded.messages.len() + rb.recorded.messages.len(), 4);
    assert_eq!(a.reminder_log(None, 100, 0).await.unwrap().len(), 4);
    let mut inbox = 0;
    for to in ["甲县", "乙县", "市发展和改革委员会"] {
        inbox += a
            .messages(&[Recipient::Unit(to.into())], false, 100, 0)
            .await
            .unwrap()
            .iter()
            .filter(|m| m.level.is_some())
            .count();
    }
    assert_eq!(inbox, 3);
}

duban_store::both_backends!(
    each_matter_gets_the_stage_of_its_day,
    two_servers_tell_each_matter_once
);
