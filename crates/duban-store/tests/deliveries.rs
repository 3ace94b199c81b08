//! Messages and their deliveries (issue 15), on SQLite and on PostgreSQL: contacts set and
//! audited, a message written with its deliveries, claimed by one server at a time, recorded
//! as sent or failed only by the server holding it, retried when due, read back in the
//! delivery log; two stores on one database never claim the same row.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use duban_core::{Item, ItemKind, Leader, Recipient, ReminderLevel, Unit, UnitKind};
use duban_store::testing::TestDb;
use duban_store::{
    AuditQuery, Channel, Contact, DeliveryFilter, DeliveryState, ImportOptions, LedgerEntry,
    NewDelivery, Robot, Store,
};

const LEASE: Duration = Duration::from_secs(300);
const DING: &str = "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789";

/// 市发展和改革委员会 (市发改委) and 白水县; XM1 led by 白水县 with 王某（副市长）in charge.
async fn directory(db: &TestDb) -> Store {
    let store = db.open().await;
    let mut reform = Unit::new("市发展和改革委员会", UnitKind::Department);
    reform.aliases = vec!["市发改委".into()];
    store
        .ensure_units("office", &[reform, Unit::new("白水县", UnitKind::Region)])
        .await
        .unwrap();
    let mut item = Item::new(2025, ItemKind::Project, "白水县项目", "白水县");
    item.code = "XM1".into();
    item.leader = Leader::parse_list("王某（副市长）").into_iter().next();
    store
        .import_ledger(
            vec![LedgerEntry::whole(item, None)],
            &ImportOptions {
                actor: "office".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    store
}

fn reform() -> Recipient {
    Recipient::Unit("市发展和改革委员会".into())
}

fn email(address: &str) -> NewDelivery {
    NewDelivery {
        channel: Channel::Email,
        address: address.into(),
    }
}

fn later(t: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    t + chrono::Duration::minutes(minutes)
}

async fn contacts_are_set_audited_and_read(db: &TestDb) {
    let store = directory(db).await;
    let contact = Contact {
        liaison: Some("张三".into()),
        phone: Some("13800000000".into()),
        email: Some("fgw@city.gov.cn".into()),
        robot: Some(Robot {
            kind: Channel::DingTalk,
            url: DING.into(),
            secret: Some("SECxyz".into()),
        }),
    };
    // By its short name; the contact is the unit's.
    assert!(
        store
            .set_contact("office", &Recipient::Unit("市发改委".into()), &contact)
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_contact("office", &reform(), &contact)
            .await
            .unwrap(),
        "unchanged: nothing written"
    );
    let read = store.contact_for(&reform()).await.unwrap().unwrap();
    assert_eq!(read, contact);
    assert_eq!(read.secret_for(DING), Some("SECxyz"));

    let leader = Recipient::Leader("王某".into());
    let mine = Contact {
        email: Some("wang@city.gov.cn".into()),
        ..Contact::default()
    };
    store.set_contact("office", &leader, &mine).await.unwrap();
    let both = store
        .contacts_by_recipient(&[reform(), leader.clone(), Recipient::Office])
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
    assert_eq!(both[&leader], mine);

    // Refused, writing nothing.
    let store = &store;
    let refused = |c: Contact| async move {
        store
            .set_contact("office", &reform(), &c)
            .await
            .unwrap_err()
            .to_string()
    };
    let bad_email = refused(Contact {
        email: Some("not an address".into()),
        ..Contact::default()
    })
    .await;
    assert!(bad_email.contains("邮箱"), "{bad_email}");
    let secret_on_wecom = refused(Contact {
        robot: Some(Robot {
            kind: Channel::WeCom,
            url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k".into(),
            secret: Some("s".into()),
        }),
        ..Contact::default()
    })
    .await;
    assert!(secret_on_wecom.contains("钉钉"), "{secret_on_wecom}");
    let not_a_url = refused(Contact {
        robot: Some(Robot {
            kind: Channel::Webhook,
            url: "ftp://x".into(),
            secret: None,
        }),
        ..Contact::default()
    })
    .await;
    assert!(not_a_url.contains("http"), "{not_a_url}");
    assert!(
        store
            .set_contact("office", &Recipient::Office, &mine)
            .await
            .is_err()
    );
    assert!(
        store
            .set_contact("office", &Recipient::Unit("无此单位".into()), &mine)
            .await
            .is_err()
    );
    assert_eq!(
        store.contact_for(&reform()).await.unwrap().unwrap(),
        contact
    );

    // The audit trail has the contact, its secret only as set.
    let log = store
        .audit_log(&AuditQuery {
            entity: Some("contact".into()),
            page: 1,
            per_page: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(log.total, 2);
    let unit = log
        .entries
        .iter()
        .find(|e| e.entity_key == "unit:市发展和改革委员会")
        .unwrap();
    let after = unit.after.as_ref().unwrap().to_string();
    assert!(
        after.contains("已设置") && !after.contains("SECxyz"),
        "{after}"
    );
    assert!(!after.contains("abcdef0123456789"), "{after}");
    assert!(store.verify_audit().await.unwrap().intact());
}

async fn deliveries_are_claimed_sent_failed_and_logged(db: &TestDb) {
    let store = directory(db).await;
    store
        .set_contact(
            "office",
            &reform(),
            &Contact {
                liaison: Some("张三".into()),
                email: Some("fgw@city.gov.cn".into()),
                robot: Some(Robot {
                    kind: Channel::DingTalk,
                    url: DING.into(),
                    secret: Some("SECxyz".into()),
                }),
                ..Contact::default()
            },
        )
        .await
        .unwrap();
    let version = store.data_version().await.unwrap();
    let contact = store.contact_for(&reform()).await.unwrap().unwrap();
    let mut deliveries = contact.deliveries();
    deliveries.push(email("fgw@city.gov.cn")); // the same twice is one
    let id = store
        .send_message(
            &reform(),
            Some(ReminderLevel::Press),
            "关于XM1 2025年6月进度的催办单",
            "请于今日内报送。\n逾期将通报。",
            Some("/items/XM1"),
            &deliveries,
        )
        .await
        .unwrap();
    let office = store
        .send_message(
            &Recipient::Office,
            None,
            "待审核事项",
            "有 2 份延期申请待审批",
            None,
            &[email("dcs@city.gov.cn")],
        )
        .await
        .unwrap();
    assert!(
        store.data_version().await.unwrap() > version,
        "a message is news"
    );

    let now = Utc::now();
    let version = store.data_version().await.unwrap();
    let claimed = store.claim_deliveries("a", now, LEASE, 2).await.unwrap();
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "claims are bookkeeping"
    );
    assert_eq!(claimed.len(), 2, "{claimed:?}");
    let first = &claimed[0];
    assert_eq!(
        (first.message_id, first.channel, first.address.as_str()),
        (id, Channel::Email, "fgw@city.gov.cn")
    );
    assert_eq!(first.recipient, reform());
    assert_eq!(first.level, Some(ReminderLevel::Press));
    assert_eq!(first.title, "关于XM1 2025年6月进度的催办单");
    assert_eq!(first.body, "请于今日内报送。\n逾期将通报。");
    assert_eq!(first.link.as_deref(), Some("/items/XM1"));
    assert_eq!(first.attempts, 0);
    assert_eq!(first.secret(), None, "the secret is the robot's");
    let ding = &claimed[1];
    assert_eq!(
        (ding.channel, ding.secret()),
        (Channel::DingTalk, Some("SECxyz"))
    );
    assert_eq!(
        ding.contact.as_ref().unwrap().liaison.as_deref(),
        Some("张三")
    );

    // Held: another server gets only the third row; once the lease is over, a row is free.
    let other = store.claim_deliveries("b", now, LEASE, 10).await.unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(
        (
            other[0].message_id,
            other[0].recipient.clone(),
            other[0].contact.clone()
        ),
        (office, Recipient::Office, None)
    );
    assert!(
        store
            .claim_deliveries("b", now, LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let after_lease = later(now, 6);
    let reclaimed = store
        .claim_deliveries("b", after_lease, LEASE, 10)
        .await
        .unwrap();
    assert_eq!(reclaimed.len(), 3, "every lease has run out");
    // "a" lost them: its outcomes are not recorded.
    assert!(!store.delivery_sent(first.id, "a", now).await.unwrap());
    assert!(
        !store
            .delivery_failed(ding.id, "a", "x", now, None)
            .await
            .unwrap()
    );

    // "b" sends the email, fails the robot (retry in 1 minute) and gives up the office's.
    let t = after_lease;
    assert!(store.delivery_sent(first.id, "b", t).await.unwrap());
    assert!(
        !store.delivery_sent(first.id, "b", t).await.unwrap(),
        "once"
    );
    assert!(
        store
            .delivery_failed(
                ding.id,
                "b",
                "钉钉返回错误 errcode=310000：sign not match",
                t,
                Some(later(t, 1))
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .delivery_failed(other[0].id, "b", "邮件发送失败：550 no such user", t, None)
            .await
            .unwrap()
    );
    // Not due yet; then due, with its attempt counted.
    assert!(
        store
            .claim_deliveries("a", t, LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retry = store
        .claim_deliveries("a", later(t, 1), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!((retry[0].id, retry[0].attempts), (ding.id, 1));

    // The log: newest first, counts per state, keys cut short, errors kept.
    let log = store
        .delivery_log(&DeliveryFilter {
            page: 1,
            per_page: 10,
            ..DeliveryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(log.total, 3);
    assert_eq!(
        (log.counts.pending, log.counts.sent, log.counts.failed),
        (1, 1, 1)
    );
    let ids: Vec<i64> = log.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![other[0].id, ding.id, first.id]);
    let row = &log.rows[1];
    assert_eq!(row.state, DeliveryState::Pending);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.claimed_by.as_deref(), Some("a"));
    assert_eq!(
        row.last_error.as_deref(),
        Some("钉钉返回错误 errcode=310000：sign not match")
    );
    assert_eq!(row.next_attempt_at, duban_store::stamp(later(t, 1)));
    assert_eq!(
        row.address,
        "https://oapi.dingtalk.com/robot/send?access_token=abcd…"
    );
    assert_eq!(log.rows[2].state, DeliveryState::Sent);
    assert_eq!(
        log.rows[2].sent_at.as_deref(),
        Some(duban_store::stamp(t).as_str())
    );
    assert_eq!(log.rows[0].state, DeliveryState::Failed);
    assert_eq!(log.rows[0].recipient, Recipient::Office);

    let failed = store
        .delivery_log(&DeliveryFilter {
            state: Some(DeliveryState::Failed),
            page: 1,
            per_page: 10,
            ..DeliveryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!((failed.total, failed.rows.len()), (1, 1));
    let mine = store
        .delivery_log(&DeliveryFilter {
            channel: Some(Channel::Email),
            recipient: Some("市发展和改革委员会".into()),
            page: 1,
            per_page: 10,
            ..DeliveryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.total, 1);
    assert_eq!(mine.rows[0].id, first.id);
    assert_eq!((mine.counts.sent, mine.counts.pending), (1, 0));
    // Paged: at most 200 a page, pages from 1.
    let page = store
        .delivery_log(&DeliveryFilter {
            page: 2,
            per_page: 1,
            ..DeliveryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].id, ding.id);
    let big = store
        .delivery_log(&DeliveryFilter {
            page: 0,
            per_page: 100_000,
            ..DeliveryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!((big.page, big.per_page), (1, 200));
}

async fn two_stores_never_claim_the_same_delivery(db: &TestDb) {
    let first = directory(db).await;
    let second = db.open().await;
    const N: usize = 300;
    for i in 0..N / 3 {
        first
            .send_message(
                &reform(),
                Some(ReminderLevel::Notice),
                &format!("提示 {i}"),
                "正文",
                None,
                &[
                    email(&format!("u{i}@city.gov.cn")),
                    NewDelivery {
                        channel: Channel::WeCom,
                        address: format!("https://wecom.example/send?key={i}"),
                    },
                    NewDelivery {
                        channel: Channel::Webhook,
                        address: "https://oa.example/hook".into(),
                    },
                ],
            )
            .await
            .unwrap();
    }
    let now = Utc::now();
    let run = |store: Store, server: &'static str| async move {
        let mut mine = Vec::new();
        loop {
            let batch = store.claim_deliveries(server, now, LEASE, 7).await.unwrap();
            if batch.is_empty() {
                break;
            }
            for d in batch {
                assert!(store.delivery_sent(d.id, server, now).await.unwrap());
                mine.push(d.id);
            }
        }
        mine
    };
    let (a, b) = tokio::join!(
        tokio::spawn(run(first.clone(), "a")),
        tokio::spawn(run(second.clone(), "b"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let sa: HashSet<i64> = a.iter().copied().collect();
    let sb: HashSet<i64> = b.iter().copied().collect();
    assert_eq!(sa.len() + sb.len(), N, "a {} b {}", a.len(), b.len());
    assert!(sa.is_disjoint(&sb));
    let log = first
        .delivery_log(&DeliveryFilter {
            page: 1,
            per_page: 1,
            ..DeliveryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(log.counts.sent, N as i64);
    second.close().await;
}

async fn messages_and_deliveries_are_checked(db: &TestDb) {
    let store = directory(db).await;
    let blank = store
        .send_message(&reform(), None, "  ", "正文", None, &[])
        .await
        .unwrap_err();
    assert!(blank.to_string().contains("标题"), "{blank}");
    let no_address = store
        .send_message(&reform(), None, "标题", "正文", None, &[email(" ")])
        .await
        .unwrap_err();
    assert!(no_address.to_string().contains("邮件"), "{no_address}");
    // Nothing of either was written.
    let log = store
        .delivery_log(&DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(log.total, 0);
}

duban_store::both_backends!(
    contacts_are_set_audited_and_read,
    deliveries_are_claimed_sent_failed_and_logged,
    two_stores_never_claim_the_same_delivery,
    messages_and_deliveries_are_checked,
);
