//! Hardening (issue 12), every test on SQLite and on PostgreSQL: concurrent writers all
//! succeed, control characters cannot break a read, the audit chain catches plain-SQL
//! tampering, accounts and tokens follow the policy.

use chrono::NaiveDate;
use duban_core::{Item, ItemKind, MilestoneTemplate, MoneyUnit, Period, ReportDraft, Wan};
use duban_store::testing::TestDb;
use duban_store::{ChainBreak, ImportOptions, LedgerEntry, NewAccount, Submission};

fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn office() -> ImportOptions {
    ImportOptions {
        actor: "office".into(),
        dry_run: false,
    }
}

/// `n` items, XM2025000001…, of eight counties.
async fn ledger(db: &TestDb, n: usize) -> duban_store::Store {
    let store = db.open().await;
    let entries = (1..=n)
        .map(|i| {
            let mut item = Item::new(
                2025,
                ItemKind::Project,
                format!("项目{i}"),
                format!("县{}", i % 8),
            );
            item.code = format!("XM{:010}", i);
            item.total_investment = Some(wan("1000"));
            item.annual_plan = Some(wan("600"));
            let ms = MilestoneTemplate::Construction.schedule_back(d("2025-12-31"));
            LedgerEntry::whole(item, Some(ms))
        })
        .collect();
    store.import_ledger(entries, &office()).await.unwrap();
    store
}

fn report(code: &str, period: &str, ytd: &str) -> Submission {
    Submission {
        code: code.into(),
        period: Period::parse(period).unwrap(),
        report: ReportDraft {
            ytd: Some(wan(ytd)),
            progress_text: Some("主体施工".into()),
            ..Default::default()
        },
        reason: None,
        submitted_on: d("2025-07-03"),
    }
}

async fn raw(db: &TestDb, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

async fn eight_concurrent_reporters_all_succeed(db: &TestDb) {
    let store = ledger(db, 64).await;
    let before = store.data_version().await.unwrap();
    // Eight reporters, each submitting its own eight items at once, twice (May and June).
    let mut tasks = Vec::new();
    for r in 0..8usize {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for period in ["2025-05", "2025-06"] {
                for k in 0..8usize {
                    let code = format!("XM{:010}", r * 8 + k + 1);
                    let ytd = if period == "2025-05" { "100" } else { "200" };
                    if let Err(e) = store
                        .submit_report(&format!("reporter{r}"), report(&code, period, ytd))
                        .await
                    {
                        failures.push(format!("{code} {period}: {e}"));
                    }
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        failures.extend(t.await.unwrap());
    }
    assert_eq!(failures, Vec::<String>::new(), "every submission succeeds");
    // Every acknowledged report is there: 64 items × 2 periods.
    for i in 1..=64 {
        let h = store.report_history(&format!("XM{i:010}")).await.unwrap();
        assert_eq!(h.len(), 2, "XM{i:010} has May and June");
    }
    // 128 write transactions, each one version further.
    assert_eq!(store.data_version().await.unwrap(), before + 128);
    assert!(store.verify_audit().await.unwrap().intact());
}

/// A ledger larger than what the import writes of its trail at once: the trail is whole and
/// in one chain; an import that fails after writing part of its trail leaves none of it.
async fn a_large_import_writes_its_whole_trail_or_none(db: &TestDb) {
    let store = ledger(db, 10_001).await;
    let chain = store.verify_audit().await.unwrap();
    assert!(chain.intact(), "{:?}", chain.first_break);
    // Eight counties created, then 10,001 items.
    assert_eq!((chain.rows, chain.checked), (10_009, 10_009));
    for code in [
        "XM0000000001",
        "XM0000005000",
        "XM0000005001",
        "XM0000010001",
    ] {
        let trail = store.audit_trail("item", code).await.unwrap();
        assert_eq!(trail.len(), 1, "{code}: one create");
        assert_eq!(trail[0].action, "create");
    }

    // 6,000 new items, then two rows naming the same stored item: refused at the last row.
    let mut entries: Vec<LedgerEntry> = (1..=6_000)
        .map(|i| {
            let mut item = Item::new(2025, ItemKind::Project, format!("新项目{i}"), "新县");
            item.code = format!("XN{i:010}");
            LedgerEntry::whole(item, None)
        })
        .collect();
    for _ in 0..2 {
        entries.push(LedgerEntry::whole(
            Item::new(2025, ItemKind::Project, "项目1", "县1"),
            None,
        ));
    }
    let refused = store.import_ledger(entries, &office()).await;
    assert!(refused.is_err(), "the same stored item twice is refused");
    let after = store.verify_audit().await.unwrap();
    assert!(after.intact());
    assert_eq!(
        after.rows, 10_009,
        "none of the refused import's trail is kept"
    );
    assert!(
        store
            .audit_trail("item", "XN0000000001")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.audit_trail("unit", "新县").await.unwrap().is_empty());
}

async fn control_characters_cannot_break_the_status_read(db: &TestDb) {
    let store = db.open().await;
    let mut item = Item::new(
        2025,
        ItemKind::Task,
        "推进\u{1d}数字\u{1c}政府\u{1e}建设\u{1f}",
        "市发\u{0}改委",
    );
    item.code = "GZ2025\u{1f}001".into();
    let mut other = Item::new(2025, ItemKind::Project, "另一项目：12:34", "乙县");
    other.code = "XM2025000002".into();
    other.annual_plan = Some(wan("100"));
    let ms = MilestoneTemplate::Construction.schedule_back(d("2025-12-31"));
    store
        .import_ledger(
            vec![
                LedgerEntry::whole(item, None),
                LedgerEntry::whole(other, Some(ms)),
            ],
            &office(),
        )
        .await
        .unwrap();
    let inputs = store.status_inputs(2025, None).await.unwrap();
    let names: Vec<(&str, &str, &str)> = inputs
        .iter()
        .map(|i| {
            (
                i.item.code.as_str(),
                i.item.name.as_str(),
                i.item.lead_unit.as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("GZ2025001", "推进数字政府建设", "市发改委"),
            ("XM2025000002", "另一项目：12:34", "乙县"),
        ],
        "control characters are taken out on the way in; colons and digits stay"
    );
    let template = MilestoneTemplate::Construction.schedule_back(d("2025-12-31"));
    assert_eq!(inputs[1].milestones.len(), template.len());
    // Even a control character written past duban with plain SQL reads back whole.
    let chr = match db.backend {
        duban_store::Backend::Sqlite => "char",
        duban_store::Backend::Postgres => "chr",
    };
    raw(
        db,
        &format!("UPDATE milestones SET name = 'a' || {chr}(29) || 'b' WHERE position = 0"),
    )
    .await;
    let inputs = store.status_inputs(2025, None).await.unwrap();
    assert_eq!(inputs[1].milestones[0].name, "a\u{1d}b");
}

async fn the_audit_chain_catches_update_insert_and_delete(db: &TestDb) {
    let store = ledger(db, 3).await;
    store
        .submit_report("reporter", report("XM0000000001", "2025-05", "100"))
        .await
        .unwrap();
    let ok = store.verify_audit().await.unwrap();
    assert!(ok.intact(), "{:?}", ok.first_break);
    let rows = ok.rows;
    assert!(rows >= 4, "3 creates and a report: {rows}");
    assert_eq!(ok.checked, rows);

    // UPDATE: a forged actor on the second row.
    let forged = "UPDATE audit_log SET actor = 'nobody' \
                  WHERE entity = 'item' AND entity_key = 'XM0000000002'";
    raw(db, forged).await;
    let r = store.verify_audit().await.unwrap();
    assert!(
        matches!(r.first_break, Some(ChainBreak::Altered { .. })),
        "{r:?}"
    );
    // The item's own trail marks the row.
    let trail = store.audit_trail("item", "XM0000000002").await.unwrap();
    assert!(!trail[0].intact, "the forged row is marked");
    let trail = store.audit_trail("item", "XM0000000001").await.unwrap();
    assert!(trail[0].intact);
    raw(
        db,
        "UPDATE audit_log SET actor = 'office' \
         WHERE entity = 'item' AND entity_key = 'XM0000000002'",
    )
    .await;
    assert!(
        store.verify_audit().await.unwrap().intact(),
        "put back, it holds again"
    );

    // INSERT: a row made up with plain SQL.
    raw(
        db,
        "INSERT INTO audit_log (at, actor, action, entity, entity_key) \
         VALUES ('2025-06-01T00:00:00.000Z', 'office', 'update', 'item', 'XM0000000001')",
    )
    .await;
    let r = store.verify_audit().await.unwrap();
    assert!(
        matches!(r.first_break, Some(ChainBreak::Inserted { .. })),
        "{r:?}"
    );
    raw(db, "DELETE FROM audit_log WHERE seq IS NULL").await;
    assert!(store.verify_audit().await.unwrap().intact());

    // DELETE: a row in the middle, then the last one.
    raw(db, "DELETE FROM audit_log WHERE seq = 2").await;
    let r = store.verify_audit().await.unwrap();
    assert!(
        matches!(
            r.first_break,
            Some(ChainBreak::Deleted { from: 2, to: 2, .. })
        ),
        "{r:?}"
    );
    let db2 = TestDb::new(db.backend).await;
    let store2 = ledger(&db2, 2).await;
    raw(
        &db2,
        "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)",
    )
    .await;
    let r = store2.verify_audit().await.unwrap();
    assert!(
        matches!(
            r.first_break,
            Some(ChainBreak::Deleted {
                before_id: None,
                ..
            })
        ),
        "{r:?}"
    );
    // Writes after a break keep chaining (the break stays where it is).
    store2
        .submit_report("reporter", report("XM0000000001", "2025-05", "100"))
        .await
        .unwrap();
    assert!(!store2.verify_audit().await.unwrap().intact());
}

fn account(name: &str, password: &str) -> NewAccount {
    NewAccount {
        username: name.into(),
        display_name: "张三".into(),
        role: duban_core::AccountRole::Viewer,
        unit: None,
        leader: None,
        password: password.into(),
    }
}

async fn accounts_follow_the_policy_and_tokens_end(db: &TestDb) {
    let store = db.open().await;
    for (password, why) in [
        ("        ", "两类"),
        ("password", "常见"),
        ("12345678", "常见"),
        ("98765432", "两类"),
        ("Abc12345", "常见"),
        ("zhangsan-2025", "用户名"),
        ("short1!", "至少 8"),
    ] {
        let e = store
            .add_account("admin", account("ZhangSan", password))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains(why), "{password:?}: {e}");
    }
    let long = "x".repeat(5000);
    let e = store
        .add_account("admin", account(&long, "good-pass-1"))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("32"), "{e}");
    store
        .add_account("admin", account("ZhangSan", "good-pass-1"))
        .await
        .unwrap();
    let e = store
        .add_account("admin", account("zhangsan", "good-pass-2"))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("已存在"), "{e}");
    // Names compare without case and padding, every kind of space.
    for typed in ["zhangsan", " ZHANGSAN", "zhangsan\t", "\u{3000}ZhangSan"] {
        assert!(
            store
                .verify_password(typed, "good-pass-1")
                .await
                .unwrap()
                .is_some(),
            "{typed:?}"
        );
    }
    assert!(
        store
            .verify_password("nobody", "good-pass-1")
            .await
            .unwrap()
            .is_none()
    );

    // Tokens: live, revoked by name, ended by a password change, bounded life.
    let t1 = store
        .issue_token("admin", "zhangsan", "报表脚本", 30)
        .await
        .unwrap();
    let t2 = store
        .issue_token("admin", "zhangsan", "同步", 1)
        .await
        .unwrap();
    assert!(store.token_account(&t1).await.unwrap().is_some());
    assert_eq!(
        store
            .revoke_tokens("admin", "zhangsan", Some("报表脚本"))
            .await
            .unwrap(),
        1
    );
    assert!(store.token_account(&t1).await.unwrap().is_none());
    assert!(store.token_account(&t2).await.unwrap().is_some());
    store
        .set_password("admin", "zhangsan", "new-pass-22")
        .await
        .unwrap();
    assert!(
        store.token_account(&t2).await.unwrap().is_none(),
        "a new password ends tokens"
    );
    assert!(
        store
            .issue_token("admin", "zhangsan", "x", 0)
            .await
            .is_err()
    );
    assert!(
        store
            .issue_token("admin", "zhangsan", "x", 367)
            .await
            .is_err()
    );
    // A token past its time.
    let t3 = store
        .issue_token("admin", "zhangsan", "过期", 5)
        .await
        .unwrap();
    raw(
        db,
        "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE name = '过期'",
    )
    .await;
    assert!(store.token_account(&t3).await.unwrap().is_none());
    let listed = store.tokens(Some("ZHANGSAN")).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().filter(|t| t.revoked_at.is_some()).count() == 2);
}

/// The 审计 page reads every kind of record: settings are kept as plain text, not JSON.
async fn the_audit_reads_plain_text_records(db: &TestDb) {
    let store = db.open().await;
    store
        .set_setting("office", "bulletin.requirements", "按时报送")
        .await
        .unwrap();
    let recent = store.recent_audit(10).await.unwrap();
    let entry = recent
        .iter()
        .find(|e| e.entity == "setting")
        .expect("the setting's record is listed");
    assert_eq!(entry.after, Some(serde_json::json!("按时报送")));
    assert!(entry.intact);
    let trail = store
        .audit_trail("setting", "bulletin.requirements")
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
}

/// What the store refuses is shown on the web as well as on the command line: its words name
/// no command-line flag or command.
async fn refusals_name_no_command_line(db: &TestDb) {
    let store = db.open().await;
    let mut no_unit = account("tianbao", "tian-2025-x");
    no_unit.role = duban_core::AccountRole::Reporter;
    let mut unknown_unit = no_unit.clone();
    unknown_unit.unit = Some("不存在的局".into());
    let mut no_leader = account("lingdao", "ling-2025-x");
    no_leader.role = duban_core::AccountRole::Leader;
    for a in [no_unit, unknown_unit, no_leader] {
        let e = store
            .add_account("office", a)
            .await
            .unwrap_err()
            .to_string();
        assert!(!e.contains("--") && !e.contains("duban "), "{e}");
    }
}

duban_store::both_backends!(
    refusals_name_no_command_line,
    the_audit_reads_plain_text_records,
    eight_concurrent_reporters_all_succeed,
    a_large_import_writes_its_whole_trail_or_none,
    control_characters_cannot_break_the_status_read,
    the_audit_chain_catches_update_insert_and_delete,
    accounts_follow_the_policy_and_tokens_end,
);
