//! Delivering messages against real servers: a local HTTP receiver playing 企业微信, 钉钉 (it
//! checks the signature as 钉钉 does) and the generic webhook; a real SMTP server (Debian's
//! python3-aiosmtpd, its Maildir read back with Python's email parser). Failures are retried
//! with back-off and given up after the last attempt; two servers on one database deliver
//! each message exactly once. On SQLite and PostgreSQL.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use duban_app::notify::{Channels, DEFAULT_FROM, deliver_pending, deliveries_for};
use duban_core::{Recipient, ReminderLevel, Unit, UnitKind};
use duban_store::testing::TestDb;
use duban_store::{
    Channel, Contact, DeliveryFilter, DeliveryLog, DeliveryState, Robot, Store, stamp,
};
use serde_json::{Value, json};

mod support;
use support::*;

const TITLE: &str = "关于XM1 2025年6月进度的催办单";
const BODY: &str =
    "市发展和改革委员会：\n项目XM1 2025年6月进度已逾期 2 个工作日未报送，请于今日内报送。";

fn reform() -> Recipient {
    Recipient::Unit("市发展和改革委员会".into())
}

fn baishui() -> Recipient {
    Recipient::Unit("白水县".into())
}

/// 市发展和改革委员会 with an email address and a 企业微信 robot; 白水县 with a signed 钉钉
/// robot.
async fn directory(db: &TestDb, addr: SocketAddr) -> Store {
    let store = db.open().await;
    store
        .ensure_units(
            "office",
            &[
                Unit::new("市发展和改革委员会", UnitKind::Department),
                Unit::new("白水县", UnitKind::Region),
            ],
        )
        .await
        .unwrap();
    let contact = Contact {
        liaison: Some("张三".into()),
        phone: Some("13800000000".into()),
        email: Some("fgw@city.gov.cn".into()),
        robot: Some(Robot {
            kind: Channel::WeCom,
            url: format!("http://{addr}/wecom?key=693a91f6-7xxx"),
            secret: None,
        }),
    };
    store
        .set_contact("office", &reform(), &contact)
        .await
        .unwrap();
    let ding = Contact {
        liaison: Some("李四".into()),
        robot: Some(Robot {
            kind: Channel::DingTalk,
            url: format!("http://{addr}/dingtalk?access_token=bs0123456789abcdef"),
            secret: Some(SECRET.into()),
        }),
        ..Contact::default()
    };
    store
        .set_contact("office", &baishui(), &ding)
        .await
        .unwrap();
    store
}

/// Writes a 催办单 to `to` with what its contact and the channels say to deliver.
async fn urge(store: &Store, channels: &Channels, to: &Recipient) -> i64 {
    let contact = store.contact_for(to).await.unwrap();
    store
        .send_message(
            to,
            Some(ReminderLevel::Press),
            TITLE,
            BODY,
            Some("https://duban.city.gov.cn/items/XM1"),
            &deliveries_for(contact.as_ref(), channels),
        )
        .await
        .unwrap()
}

async fn log(store: &Store) -> DeliveryLog {
    store
        .delivery_log(&DeliveryFilter {
            page: 1,
            per_page: 200,
            ..DeliveryFilter::default()
        })
        .await
        .unwrap()
}

fn minutes(t: DateTime<Utc>, m: i64) -> DateTime<Utc> {
    t + chrono::Duration::minutes(m)
}

async fn robots_and_the_webhook_receive_each_message(db: &TestDb) {
    let (r, addr) = receiver().await;
    let store = directory(db, addr).await;
    let hook = format!("http://{addr}/hook");
    // No SMTP server: no email is queued (the in-app message stands), the robots are sent.
    let channels = Channels::new(None, DEFAULT_FROM, Some(&hook)).unwrap();
    let first = urge(&store, &channels, &reform()).await;
    let second = urge(&store, &channels, &baishui()).await;

    let now = Utc::now();
    let run = deliver_pending(&store, &channels, "web-1", now)
        .await
        .unwrap();
    assert_eq!((run.sent, run.retrying, run.failed), (4, 0, 0), "{run:#?}");
    assert_eq!(run.lines.len(), 4);
    assert!(
        !run.lines.iter().any(|l| l.contains("邮件")),
        "{:?}",
        run.lines
    );
    assert!(
        run.lines[0].starts_with("已发送　企业微信 → 市发展和改革委员会（http://"),
        "{:?}",
        run.lines
    );
    assert!(
        !run.lines.iter().any(|l| l.contains("693a91f6-7xxx")),
        "keys are not printed: {:?}",
        run.lines
    );

    // 企业微信: Markdown with the notice, the recipient and the text.
    let wecom = r.got("wecom");
    assert_eq!(wecom.len(), 1);
    assert_eq!(wecom[0].query["key"], "693a91f6-7xxx");
    assert_eq!(wecom[0].body["msgtype"], "markdown");
    let content = wecom[0].body["markdown"]["content"].as_str().unwrap();
    assert!(content.contains(&format!("【催办单】{TITLE}")), "{content}");
    assert!(content.contains("收件：市发展和改革委员会"), "{content}");
    assert!(content.contains("请于今日内报送"), "{content}");
    assert!(
        content.contains("[查看详情](https://duban.city.gov.cn/items/XM1)"),
        "{content}"
    );

    // 钉钉: signed (the receiver refuses a bad signature), Markdown with a title.
    let ding = r.got("dingtalk");
    assert_eq!(ding.len(), 1);
    assert_eq!(ding[0].query["access_token"], "bs0123456789abcdef");
    assert_eq!(ding[0].body["msgtype"], "markdown");
    assert_eq!(
        ding[0].body["markdown"]["title"],
        format!("【催办单】{TITLE}")
    );
    let text = ding[0].body["markdown"]["text"].as_str().unwrap();
    assert!(text.contains("收件：白水县"), "{text}");

    // The webhook: every message, with its recipient and contact.
    let mut hooked: Vec<Value> = r.got("hook").into_iter().map(|g| g.body).collect();
    hooked.sort_by_key(|b| b["id"].as_i64());
    assert_eq!(hooked.len(), 2);
    let created = hooked[0]["created_at"].as_str().unwrap().to_string();
    assert!(DateTime::parse_from_rfc3339(&created).is_ok(), "{created}");
    assert_eq!(
        hooked[0],
        json!({
            "id": first,
            "level": "press",
            "title": TITLE,
            "body": BODY,
            "link": "https://duban.city.gov.cn/items/XM1",
            "recipient": {"kind": "unit", "name": "市发展和改革委员会"},
            "contact": {"liaison": "张三", "phone": "13800000000", "email": "fgw@city.gov.cn"},
            "created_at": created,
        })
    );
    assert_eq!(hooked[1]["id"], second);
    assert_eq!(
        hooked[1]["contact"],
        json!({"liaison": "李四", "phone": null, "email": null})
    );

    // The log: the four sent, no email; nothing more is due now.
    let l = log(&store).await;
    assert_eq!(
        (l.counts.sent, l.counts.pending, l.counts.failed),
        (4, 0, 0)
    );
    assert!(!l.rows.iter().any(|d| d.channel == Channel::Email));
    let again = deliver_pending(&store, &channels, "web-1", now)
        .await
        .unwrap();
    assert_eq!((again.sent, again.retrying, again.failed), (0, 0, 0));
    assert_eq!(r.got("hook").len(), 2, "nothing is sent twice");
}

async fn a_refusing_robot_is_retried_with_back_off_then_given_up(db: &TestDb) {
    let (r, addr) = receiver().await;
    let store = directory(db, addr).await;
    let channels = Channels::robots_only().unwrap();
    let to = Recipient::Leader("无通讯录".into());
    // Only the robot: the email has no server here, so leave it out.
    store
        .send_message(
            &reform(),
            Some(ReminderLevel::Urge),
            TITLE,
            BODY,
            None,
            &[duban_store::NewDelivery {
                channel: Channel::WeCom,
                address: format!("http://{addr}/wecom?key=693a91f6-7xxx"),
            }],
        )
        .await
        .unwrap();
    // A message to nobody reachable is delivered nowhere.
    assert!(deliveries_for(None, &channels).is_empty());
    assert_eq!(store.contact_for(&to).await.unwrap(), None);

    r.refuse.store(true, Ordering::SeqCst);
    let t0 = Utc::now();
    let run = deliver_pending(&store, &channels, "web-1", t0)
        .await
        .unwrap();
    assert_eq!((run.sent, run.retrying, run.failed), (0, 1, 0));
    assert!(
        run.lines[0].contains("第 1 次失败")
            && run.lines[0].contains("企业微信返回错误 errcode=310000：keywords not in content"),
        "{:?}",
        run.lines
    );
    let row = log(&store).await.rows.remove(0);
    assert_eq!(row.state, DeliveryState::Pending);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.next_attempt_at, stamp(minutes(t0, 1)));
    assert_eq!(
        row.last_error.as_deref(),
        Some("企业微信返回错误 errcode=310000：keywords not in content")
    );
    assert_eq!(row.claimed_by, None);

    // Not due before its time.
    let early = deliver_pending(
        &store,
        &channels,
        "web-1",
        minutes(t0, 0) + chrono::Duration::seconds(30),
    )
    .await
    .unwrap();
    assert_eq!(early, Default::default());

    // 1, 5, 30, 120 and 720 minutes later it fails again; the sixth failure gives up.
    let mut t = t0;
    for (attempt, wait) in [(2, 1), (3, 5), (4, 30), (5, 120)] {
        t = minutes(t, wait);
        let run = deliver_pending(&store, &channels, "web-2", t)
            .await
            .unwrap();
        assert_eq!((run.retrying, run.failed), (1, 0), "attempt {attempt}");
        let row = log(&store).await.rows.remove(0);
        assert_eq!(row.attempts, attempt);
    }
    let row = log(&store).await.rows.remove(0);
    assert_eq!(row.next_attempt_at, stamp(minutes(t, 720)));
    t = minutes(t, 720);
    let last = deliver_pending(&store, &channels, "web-1", t)
        .await
        .unwrap();
    assert_eq!((last.sent, last.retrying, last.failed), (0, 0, 1));
    assert!(
        last.lines[0].starts_with("发送失败　企业微信")
            && last.lines[0].contains("第 6 次失败，不再重试"),
        "{:?}",
        last.lines
    );
    let l = log(&store).await;
    assert_eq!((l.counts.failed, l.counts.pending), (1, 0));
    assert_eq!(l.rows[0].attempts, 6);
    assert!(r.got("wecom").is_empty());

    // A second message, refused once, then accepted on a later run past its next attempt.
    store
        .send_message(
            &reform(),
            None,
            "第二条",
            "正文",
            None,
            &[duban_store::NewDelivery {
                channel: Channel::WeCom,
                address: format!("http://{addr}/wecom?key=second"),
            }],
        )
        .await
        .unwrap();
    let t1 = Utc::now();
    let run = deliver_pending(&store, &channels, "web-1", t1)
        .await
        .unwrap();
    assert_eq!(run.retrying, 1);
    r.refuse.store(false, Ordering::SeqCst);
    let run = deliver_pending(&store, &channels, "web-1", minutes(t1, 1))
        .await
        .unwrap();
    assert_eq!((run.sent, run.retrying, run.failed), (1, 0, 0));
    let got = r.got("wecom");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].query["key"], "second");
    let row = log(&store).await.rows.remove(0);
    assert_eq!(row.state, DeliveryState::Sent);
    assert_eq!(row.attempts, 2);
    assert_eq!(row.sent_at.as_deref(), Some(stamp(minutes(t1, 1)).as_str()));
    assert_eq!(
        row.last_error.as_deref(),
        Some("企业微信返回错误 errcode=310000：keywords not in content"),
        "the last error is kept"
    );
}

async fn two_servers_deliver_each_message_exactly_once(db: &TestDb) {
    const N: usize = 200;
    let (r, addr) = receiver().await;
    let first = directory(db, addr).await;
    let second = db.open().await;
    let hook = format!("http://{addr}/hook");
    let channels = Channels::new(None, DEFAULT_FROM, Some(&hook)).unwrap();
    for i in 0..N {
        first
            .send_message(
                &Recipient::Office,
                Some(ReminderLevel::Notice),
                &format!("待审核事项 {i}"),
                "有延期申请待审批",
                None,
                &deliveries_for(None, &channels),
            )
            .await
            .unwrap();
    }
    let now = Utc::now();
    let other = Channels::new(None, DEFAULT_FROM, Some(&hook)).unwrap();
    let (a, b) = tokio::join!(
        deliver_pending(&first, &channels, "server-a", now),
        deliver_pending(&second, &other, "server-b", now),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    eprintln!("server-a sent {}, server-b sent {}", a.sent, b.sent);
    assert_eq!(a.sent + b.sent, N, "a {} b {}", a.sent, b.sent);
    assert_eq!(a.retrying + a.failed + b.retrying + b.failed, 0);
    let mut ids: Vec<i64> = r
        .got("hook")
        .iter()
        .map(|g| g.body["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), N, "each message once");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), N, "no message twice");
    assert_eq!(log(&first).await.counts.sent, N as i64);
    second.close().await;
}

duban_store::both_backends!(
    robots_and_the_webhook_receive_each_message,
    a_refusing_robot_is_retried_with_back_off_then_given_up,
    two_servers_deliver_each_message_exactly_once,
);

// ---------------------------------------------------------------------------------------
// A real SMTP server.

#[tokio::test]
#[ignore = "needs python3-aiosmtpd"]
async fn email_is_retried_until_the_smtp_server_answers() {
    let python = python().expect("python3-aiosmtpd is needed (apt-get install python3-aiosmtpd)");
    let db = TestDb::sqlite();
    let (_, addr) = receiver().await;
    let store = directory(&db, addr).await;
    let port = free_port();
    let channels = Channels::new(
        Some(&format!("smtp://127.0.0.1:{port}")),
        "督查室 <dcs@city.gov.cn>",
        None,
    )
    .unwrap();
    assert!(channels.summary().contains(&format!("127.0.0.1:{port}")));
    store
        .send_message(
            &reform(),
            Some(ReminderLevel::Press),
            TITLE,
            BODY,
            Some("https://duban.city.gov.cn/items/XM1"),
            &[duban_store::NewDelivery {
                channel: Channel::Email,
                address: "fgw@city.gov.cn".into(),
            }],
        )
        .await
        .unwrap();

    // Nothing listens yet: refused, retried a minute later.
    let t0 = Utc::now();
    let run = deliver_pending(&store, &channels, "web-1", t0)
        .await
        .unwrap();
    assert_eq!((run.sent, run.retrying, run.failed), (0, 1, 0), "{run:?}");
    let row = log(&store).await.rows.remove(0);
    assert_eq!((row.state, row.attempts), (DeliveryState::Pending, 1));
    assert_eq!(row.next_attempt_at, stamp(minutes(t0, 1)));
    let error = row.last_error.unwrap();
    assert!(
        error.starts_with(&format!("邮件发送失败（smtp://127.0.0.1:{port}）")),
        "{error}"
    );

    // The server comes up; the email goes on the first run past its next attempt.
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("Maildir");
    let _server = smtp_server(python, port, &mail).await;
    let early = deliver_pending(
        &store,
        &channels,
        "web-1",
        t0 + chrono::Duration::seconds(30),
    )
    .await
    .unwrap();
    assert_eq!(early.sent, 0);
    let run = deliver_pending(&store, &channels, "web-1", minutes(t0, 2))
        .await
        .unwrap();
    assert_eq!((run.sent, run.retrying, run.failed), (1, 0, 0), "{run:?}");
    assert_eq!(
        run.lines,
        vec![format!(
            "已发送　邮件 → 市发展和改革委员会（fgw@city.gov.cn）：{TITLE}"
        )]
    );

    let got = maildir(python, &mail);
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["subject"], TITLE);
    assert_eq!(m["rcpt"], "fgw@city.gov.cn");
    assert_eq!(m["to"], "市发展和改革委员会 <fgw@city.gov.cn>");
    assert_eq!(m["from"], "督查室 <dcs@city.gov.cn>");
    assert_eq!(m["charset"], "utf-8");
    // Lines end in CRLF on the wire.
    let text = m["text"].as_str().unwrap().replace("\r\n", "\n");
    assert!(text.starts_with(BODY), "{text:?}");
    assert!(
        text.contains("详情：https://duban.city.gov.cn/items/XM1"),
        "{text}"
    );
    let row = log(&store).await.rows.remove(0);
    assert_eq!((row.state, row.attempts), (DeliveryState::Sent, 2));

    // An address that is none is given up at once.
    store
        .send_message(
            &reform(),
            None,
            "无效地址",
            "正文",
            None,
            &[duban_store::NewDelivery {
                channel: Channel::Email,
                address: "not an address".into(),
            }],
        )
        .await
        .unwrap();
    let run = deliver_pending(&store, &channels, "web-1", minutes(t0, 3))
        .await
        .unwrap();
    assert_eq!((run.sent, run.retrying, run.failed), (0, 0, 1), "{run:?}");
    assert!(
        run.lines[0].contains("邮箱地址“not an address”无效"),
        "{:?}",
        run.lines
    );
}
