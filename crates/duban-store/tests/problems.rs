//! The problem list, every test on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use duban_core::{Escalation, Item, ItemKind, Move, ProblemCategory, ProblemState, Role};
use duban_store::testing::TestDb;
use duban_store::{ImportOptions, LedgerEntry, NewProblem, ProblemFilter};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn problems_move_only_as_their_roles_allow(db: &TestDb) {
    let store = db.open().await;
    let mut item = Item::new(2025, ItemKind::Project, "某产业园项目", "白水县");
    item.code = "XM1".into();
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
    let office = Role::Office;
    let unit = Role::parse("unit:白水县");
    let stranger = Role::parse("unit:云台县");
    let new = |d: &str| NewProblem {
        code: "XM1".into(),
        category: ProblemCategory::Land,
        escalation: Escalation::Department,
        description: d.into(),
        listed: true,
    };
    let e = store
        .raise_problem("云台县", &stranger, new("用地指标未落实"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("不是项目 XM1 的责任单位"), "{e}");
    let p = store
        .raise_problem("白水县", &unit, new("用地指标未落实"))
        .await
        .unwrap();
    assert_eq!((p.state, p.listed), (ProblemState::Raised, true));

    let assign = Move::Assign {
        unit: "白水县".into(),
        due: d("2025-08-31"),
    };
    assert!(
        store
            .move_problem("白水县", &unit, p.id, assign.clone())
            .await
            .unwrap_err()
            .to_string()
            .contains("只有督查室")
    );
    let p2 = store
        .move_problem("督查室", &office, p.id, assign)
        .await
        .unwrap();
    assert_eq!(
        (p2.state, p2.assigned_unit.as_deref(), p2.due),
        (
            ProblemState::Assigned,
            Some("白水县"),
            Some(d("2025-08-31"))
        )
    );
    assert!(
        store
            .move_problem("云台县", &stranger, p.id, Move::Start)
            .await
            .is_err()
    );
    store
        .move_problem("白水县", &unit, p.id, Move::Start)
        .await
        .unwrap();
    store
        .move_problem(
            "白水县",
            &unit,
            p.id,
            Move::RequestClosure {
                note: Some("指标已下达".into()),
            },
        )
        .await
        .unwrap();
    store
        .move_problem(
            "督查室",
            &office,
            p.id,
            Move::SendBack {
                reason: "缺批复文件".into(),
            },
        )
        .await
        .unwrap();
    store
        .move_problem("白水县", &unit, p.id, Move::Start)
        .await
        .unwrap();
    store
        .move_problem(
            "白水县",
            &unit,
            p.id,
            Move::RequestClosure {
                note: Some("已完成整改".into()),
            },
        )
        .await
        .unwrap();
    let closed = store
        .move_problem("督查室", &office, p.id, Move::Close)
        .await
        .unwrap();
    assert_eq!(closed.state, ProblemState::Closed);
    assert!(!closed.overdue(d("2025-12-31")));

    let events = store.problem_events(p.id).await.unwrap();
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "提出",
            "交办",
            "开始整改",
            "申请销号",
            "退回",
            "开始整改",
            "申请销号",
            "销号"
        ]
    );
    assert_eq!(events[4].note.as_deref(), Some("缺批复文件"));

    let open = store
        .raise_problem("督查室", &office, new("电力接入滞后"))
        .await
        .unwrap();
    let open = store
        .move_problem(
            "督查室",
            &office,
            open.id,
            Move::Assign {
                unit: "白水县".into(),
                due: d("2025-06-30"),
            },
        )
        .await
        .unwrap();
    assert!(open.overdue(d("2025-07-01")));
    let listed = store
        .problems(&ProblemFilter {
            state: Some(ProblemState::Assigned),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        store
            .problems(&ProblemFilter {
                unit: Some("白水县".into()),
                ..Default::default()
            })
            .await
            .unwrap()
            .len(),
        2
    );
}

duban_store::both_backends!(problems_move_only_as_their_roles_allow);
