//! Administration (issue 14), every test on SQLite and on PostgreSQL: the office edits and
//! disables units and accounts, each change with its reason in the audit trail and refusals
//! writing nothing; a disabled account cannot sign in and its sessions and tokens end; the
//! audit trail is read filtered and paged, newest first.

use std::time::Duration;

use duban_core::{
    AccountRole, Item, ItemKind, Leader, MoneyUnit, Period, ReportDraft, Unit, UnitKind, Wan,
};
use duban_store::testing::TestDb;
use duban_store::{
    AccountEdit, AuditQuery, ImportOptions, LedgerEntry, NewAccount, PasswordCheck, Store,
    Submission, UnitEdit,
};

fn wan(s: &str) -> Wan {
    Wan::parse(s, MoneyUnit::Wan).unwrap()
}

fn region(name: &str, parent: Option<&str>) -> Unit {
    let mut u = Unit::new(name, UnitKind::Region);
    u.parent = parent.map(str::to_string);
    u
}

/// 某市 with 白水县 and 云台县 under it, 市财政局 (财政局) and 市发展和改革委员会 (市发改委); XM1
/// led by 白水县 (王某) and XM2 by 市财政局, imported by web:admin.
async fn directory(db: &TestDb) -> Store {
    let store = db.open().await;
    let mut finance = Unit::new("市财政局", UnitKind::Department);
    finance.aliases = vec!["财政局".into()];
    let mut reform = Unit::new("市发展和改革委员会", UnitKind::Department);
    reform.aliases = vec!["市发改委".into()];
    store
        .ensure_units(
            "office",
            &[
                region("某市", None),
                region("白水县", Some("某市")),
                region("云台县", Some("某市")),
                finance,
                reform,
            ],
        )
        .await
        .unwrap();
    let item = |code: &str, lead: &str| {
        let mut i = Item::new(2025, ItemKind::Project, format!("{lead}项目"), lead);
        i.code = code.into();
        i.annual_plan = Some(wan("1200"));
        i.leader = Leader::parse_list("王某（副市长）").into_iter().next();
        LedgerEntry::whole(i, None)
    };
    store
        .import_ledger(
            vec![item("XM1", "白水县"), item("XM2", "市财政局")],
            &ImportOptions {
                actor: "web:admin".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    store
}

fn account(name: &str, role: AccountRole, unit: Option<&str>) -> NewAccount {
    NewAccount {
        username: name.into(),
        display_name: format!("{name}姓名"),
        role,
        unit: unit.map(str::to_string),
        leader: None,
        password: "good-pass-1".into(),
    }
}

fn edit_of(u: &duban_store::UnitListing) -> UnitEdit {
    UnitEdit {
        name: u.unit.name.clone(),
        kind: u.unit.kind,
        parent: u.unit.parent.clone(),
        sort_order: u.sort_order,
        aliases: u.unit.aliases.clone(),
    }
}

async fn listing(store: &Store, name: &str) -> duban_store::UnitListing {
    store
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.unit.name == name)
        .unwrap_or_else(|| panic!("{name} listed"))
}

async fn a_unit_is_edited_with_its_reason_and_refusals_write_nothing(db: &TestDb) {
    let store = directory(db).await;
    let reform = listing(&store, "市发展和改革委员会").await;
    let old_sort = reform.sort_order;

    // Refusals, each naming the field and what is valid; nothing written by any of them.
    let version = store.data_version().await.unwrap();
    let rows = store.audit_count().await.unwrap();
    let mut taken = edit_of(&reform);
    taken.name = "财政局".into();
    let mut self_parent = edit_of(&listing(&store, "某市").await);
    self_parent.parent = Some("白水县".into());
    let mut bad_sort = edit_of(&reform);
    bad_sort.sort_order = -1;
    let mut alias_taken = edit_of(&reform);
    alias_taken.aliases.push("云台县".into());
    for (unit, edit, reason, says) in [
        (
            "市发展和改革委员会",
            edit_of(&reform),
            "  ",
            "修改原因：请写明为什么修改（会记入审计记录）",
        ),
        (
            "市发展和改革委员会",
            taken,
            "更名",
            "单位名称：“财政局”已是单位“市财政局”的名称或简称",
        ),
        (
            "某市",
            self_parent,
            "调整",
            "上级单位：“白水县”是本单位或其下级单位，不能作为上级",
        ),
        (
            "市发展和改革委员会",
            bad_sort,
            "调整",
            "排序：应为 0 至 99999 的整数",
        ),
        (
            "市发展和改革委员会",
            alias_taken,
            "调整",
            "简称：“云台县”已是单位“云台县”的名称或简称",
        ),
    ] {
        let e = store
            .update_unit("web:admin", unit, edit, reason)
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(e, says);
    }
    let e = store
        .update_unit("web:admin", "市住建局", edit_of(&reform), "调整")
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, "未找到单位：市住建局");
    assert_eq!(store.data_version().await.unwrap(), version);
    assert_eq!(store.audit_count().await.unwrap(), rows);

    // Nothing changed: nothing written.
    assert!(
        !store
            .update_unit("web:admin", "市发改委", edit_of(&reform), "核对")
            .await
            .unwrap()
    );
    assert_eq!(store.audit_count().await.unwrap(), rows);

    // Renamed (found by its short name), placed first, put under 某市: the old name stays a
    // short name, so a ledger written before still matches it.
    let mut e = edit_of(&reform);
    e.name = "市发展改革委".into();
    e.sort_order = 0;
    e.parent = Some("某市".into());
    assert!(
        store
            .update_unit("web:admin", "市发改委", e, "机构改革更名")
            .await
            .unwrap()
    );
    let renamed = listing(&store, "市发展改革委").await;
    assert_eq!(renamed.unit.aliases, ["市发展和改革委员会", "市发改委"]);
    assert_eq!(renamed.unit.parent.as_deref(), Some("某市"));
    assert_eq!(renamed.sort_order, 0);
    let trail = store.audit_trail("unit", "市发展改革委").await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.actor.as_str(),
            last.reason.as_deref()
        ),
        ("update", "web:admin", Some("机构改革更名"))
    );
    assert_eq!(
        last.before,
        Some(serde_json::json!({
            "name": "市发展和改革委员会", "parent": null, "sort_order": old_sort,
            "aliases": ["市发改委"],
        }))
    );
    assert_eq!(
        last.after,
        Some(serde_json::json!({
            "name": "市发展改革委", "parent": "某市", "sort_order": 0,
            "aliases": ["市发展和改革委员会", "市发改委"],
        }))
    );
    // The reason is part of the chain.
    assert!(last.intact);
    assert!(store.verify_audit().await.unwrap().intact());
}

async fn a_disabled_unit_is_kept_but_not_offered(db: &TestDb) {
    let store = directory(db).await;
    store
        .add_account(
            "office",
            account("baishui", AccountRole::Reporter, Some("白水县")),
        )
        .await
        .unwrap();
    let e = store
        .set_unit_disabled("web:admin", "白水县", true, "")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("修改原因"), "{e}");
    let in_use = store
        .set_unit_disabled("web:admin", "白水县", true, "撤县设区")
        .await
        .unwrap();
    assert_eq!(in_use, 1, "baishui still belongs to it");
    let e = store
        .set_unit_disabled("web:admin", "白水县", true, "再停用")
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, "单位“白水县”已经停用");
    // Kept: in the directory (marked), in its item, in its account.
    assert!(listing(&store, "白水县").await.disabled);
    assert_eq!(listing(&store, "白水县").await.lead_items, 1);
    assert_eq!(
        store.item("XM1").await.unwrap().unwrap().item.lead_unit,
        "白水县"
    );
    assert_eq!(
        store.user("baishui").await.unwrap().account.unit.as_deref(),
        Some("白水县")
    );
    // Not offered: not to new tasks, not to new accounts, not to an account moved to it.
    let offered: Vec<String> = store
        .unit_directory()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert!(!offered.contains(&"白水县".to_string()), "{offered:?}");
    assert!(offered.contains(&"云台县".to_string()));
    let e = store
        .add_account(
            "office",
            account("bs2", AccountRole::Reporter, Some("白水县")),
        )
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, "所属单位：“白水县”已停用，请选择在用的单位");
    store
        .add_account(
            "office",
            account("yt", AccountRole::Reporter, Some("云台县")),
        )
        .await
        .unwrap();
    let e = store
        .update_account(
            "web:admin",
            "yt",
            AccountEdit {
                display_name: "云台".into(),
                role: AccountRole::Reporter,
                unit: Some("白水县".into()),
                leader: None,
            },
            "调岗",
        )
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, "所属单位：“白水县”已停用，请选择在用的单位");
    // An account of a disabled unit may still be edited in other ways.
    let (a, changed) = store
        .update_account(
            "web:admin",
            "baishui",
            AccountEdit {
                display_name: "白水县填报员".into(),
                role: AccountRole::Reporter,
                unit: Some("白水县".into()),
                leader: None,
            },
            "改名",
        )
        .await
        .unwrap();
    assert!(changed && a.display_name == "白水县填报员");
    // Enabled again, offered again.
    assert_eq!(
        store
            .set_unit_disabled("web:admin", "白水县", false, "恢复")
            .await
            .unwrap(),
        1
    );
    store
        .add_account(
            "office",
            account("bs2", AccountRole::Reporter, Some("白水县")),
        )
        .await
        .unwrap();
    let trail = store.audit_trail("unit", "白水县").await.unwrap();
    let moves: Vec<(&str, Option<&str>)> = trail
        .iter()
        .skip(1)
        .map(|e| (e.action.as_str(), e.reason.as_deref()))
        .collect();
    assert_eq!(
        moves,
        [("disable", Some("撤县设区")), ("enable", Some("恢复"))]
    );
    assert_eq!(
        trail[1].after,
        Some(serde_json::json!({ "status": "disabled" }))
    );
}

async fn a_disabled_account_cannot_sign_in_and_its_sessions_and_tokens_end(db: &TestDb) {
    let store = directory(db).await;
    store
        .add_account("office", account("office1", AccountRole::Admin, None))
        .await
        .unwrap();
    store
        .add_account(
            "office",
            account("tian", AccountRole::Reporter, Some("白水县")),
        )
        .await
        .unwrap();
    let PasswordCheck::Valid(tian) = store.check_sign_in("Tian", "good-pass-1").await.unwrap()
    else {
        panic!("tian signs in")
    };
    let keys = store
        .open_session(&tian, Duration::from_secs(3600))
        .await
        .unwrap();
    let token = store
        .issue_token("office", "tian", "脚本", 30)
        .await
        .unwrap();
    assert!(store.session(&keys.token).await.unwrap().is_some());
    assert!(store.token_account(&token).await.unwrap().is_some());

    store
        .set_account_disabled("web:office1", "tian", true, "调离岗位")
        .await
        .unwrap();
    assert!(store.session(&keys.token).await.unwrap().is_none());
    assert!(store.token_account(&token).await.unwrap().is_none());
    assert!(matches!(
        store.check_sign_in("tian", "good-pass-1").await.unwrap(),
        PasswordCheck::Disabled(_)
    ));
    assert_eq!(
        store.check_sign_in("tian", "wrong-pass-1").await.unwrap(),
        PasswordCheck::Wrong,
        "a wrong password is just wrong"
    );
    assert_eq!(
        store.verify_password("tian", "good-pass-1").await.unwrap(),
        None
    );
    assert!(store.user("tian").await.unwrap().disabled);
    store
        .set_account_disabled("web:office1", "tian", false, "返岗")
        .await
        .unwrap();
    assert!(matches!(
        store.check_sign_in("tian", "good-pass-1").await.unwrap(),
        PasswordCheck::Valid(_)
    ));
    assert!(
        store.token_account(&token).await.unwrap().is_none(),
        "tokens stay ended: new ones are issued"
    );

    // Moved to 云台县, from the directory; bad units and roles refused, nothing written.
    let rows = store.audit_count().await.unwrap();
    for (unit, role, says) in [
        (
            Some("不存在的局"),
            AccountRole::Reporter,
            "所属单位：没有名为“不存在的局”的单位（请从单位名录中选择）",
        ),
        (
            None,
            AccountRole::Reporter,
            "所属单位：责任单位填报员必须属于一个单位",
        ),
        (
            None,
            AccountRole::Leader,
            "包抓领导：领导账号须对应台账中的一位包抓领导",
        ),
    ] {
        let e = store
            .update_account(
                "web:office1",
                "tian",
                AccountEdit {
                    display_name: "田".into(),
                    role,
                    unit: unit.map(str::to_string),
                    leader: None,
                },
                "调岗",
            )
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(e, says);
    }
    assert_eq!(store.audit_count().await.unwrap(), rows);
    let (tian, changed) = store
        .update_account(
            "web:office1",
            "tian",
            AccountEdit {
                display_name: "tian姓名".into(),
                role: AccountRole::Reporter,
                unit: Some("云台县".into()),
                leader: None,
            },
            "调往云台县",
        )
        .await
        .unwrap();
    assert!(changed);
    assert_eq!(tian.unit.as_deref(), Some("云台县"));
    let last = store
        .audit_trail("user", "tian")
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.reason.as_deref(), Some("调往云台县"));
    assert_eq!(last.before, Some(serde_json::json!({ "unit": "白水县" })));
    assert_eq!(last.after, Some(serde_json::json!({ "unit": "云台县" })));
    // A leader account takes a leader of the ledger.
    let (wang, _) = store
        .update_account(
            "web:office1",
            "tian",
            AccountEdit {
                display_name: "王某".into(),
                role: AccountRole::Leader,
                unit: None,
                leader: Leader::parse_list("王某（副市长）").into_iter().next(),
            },
            "改为领导账号",
        )
        .await
        .unwrap();
    assert_eq!(
        wang.leader.map(|l| l.to_string()).as_deref(),
        Some("王某（副市长）")
    );

    // The last administrator in use stays one and stays in use.
    let e = store
        .set_account_disabled("web:office1", "office1", true, "离职")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("“office1”是唯一在用的督查室管理员"), "{e}");
    let e = store
        .update_account(
            "web:office1",
            "office1",
            AccountEdit {
                display_name: "督查室".into(),
                role: AccountRole::Viewer,
                unit: None,
                leader: None,
            },
            "降级",
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("唯一在用的督查室管理员"), "{e}");
    store
        .add_account("office", account("office2", AccountRole::Admin, None))
        .await
        .unwrap();
    store
        .set_account_disabled("web:office2", "office1", true, "离职")
        .await
        .unwrap();

    // The office resets a password: the old one fails, the new one works, the reason kept.
    let e = store
        .reset_password("web:office2", "tian", "short", "忘记密码")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("密码："), "{e}");
    store
        .reset_password("web:office2", "tian", "new-pass-42", "忘记密码")
        .await
        .unwrap();
    assert_eq!(
        store.check_sign_in("tian", "good-pass-1").await.unwrap(),
        PasswordCheck::Wrong
    );
    assert!(matches!(
        store.check_sign_in("tian", "new-pass-42").await.unwrap(),
        PasswordCheck::Valid(_)
    ));
    let last = store
        .audit_trail("user", "tian")
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (last.action.as_str(), last.reason.as_deref()),
        ("password", Some("忘记密码"))
    );
    assert!(store.verify_audit().await.unwrap().intact());
}

async fn the_audit_log_is_filtered_and_paged_newest_first(db: &TestDb) {
    let store = directory(db).await;
    // By web:admin: the import (7 rows: 5 units by "office" came first; then XM1, XM2 and the
    // leader 王某 by web:admin). Then a report on XM1 and a unit edit by others.
    store
        .submit_report(
            "web:baishui",
            Submission {
                code: "XM1".into(),
                period: Period::parse("2025-06").unwrap(),
                report: ReportDraft {
                    ytd: Some(wan("300")),
                    ..Default::default()
                },
                reason: None,
                submitted_on: chrono::NaiveDate::from_ymd_opt(2025, 7, 3).unwrap(),
            },
        )
        .await
        .unwrap();
    store
        .set_unit_disabled("web:office", "云台县", true, "合并")
        .await
        .unwrap();
    let all = store
        .audit_log(&AuditQuery {
            page: 1,
            per_page: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<(String, String, String)> = all
        .entries
        .iter()
        .map(|e| (e.actor.clone(), e.entity.clone(), e.entity_key.clone()))
        .collect();
    assert_eq!(all.total, 10, "{actions:?}");
    assert_eq!(
        actions[..2],
        [
            ("web:office".into(), "unit".into(), "云台县".into()),
            ("web:baishui".into(), "report".into(), "XM1/2025-06".into()),
        ],
        "newest first"
    );
    // Who: the account's name finds its web actions.
    let by_admin = store
        .audit_log(&AuditQuery {
            actor: Some("admin".into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_admin.total, 3, "XM1, XM2 and the leader");
    assert!(by_admin.entries.iter().all(|e| e.actor == "web:admin"));
    // Which item: its own rows and its reports'.
    let xm1 = store
        .audit_log(&AuditQuery {
            item: Some("XM1".into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let keys: Vec<&str> = xm1.entries.iter().map(|e| e.entity_key.as_str()).collect();
    assert_eq!(keys, ["XM1/2025-06", "XM1"]);
    // What: entity and action.
    let disabled = store
        .audit_log(&AuditQuery {
            entity: Some("unit".into()),
            action: Some("disable".into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(disabled.total, 1);
    assert_eq!(disabled.entries[0].reason.as_deref(), Some("合并"));
    // When: nothing since tomorrow, everything until then.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT00:00:00.000Z")
        .to_string();
    let none = store
        .audit_log(&AuditQuery {
            since: Some(tomorrow.clone()),
            page: 1,
            per_page: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((none.total, none.entries.len()), (0, 0));
    let until = store
        .audit_log(&AuditQuery {
            until: Some(tomorrow),
            page: 1,
            per_page: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(until.total, 10);
    // Pages of 4: the third holds the oldest two, the first units added by "office".
    let third = store
        .audit_log(&AuditQuery {
            page: 3,
            per_page: 4,
            ..Default::default()
        })
        .await
        .unwrap();
    let keys: Vec<&str> = third
        .entries
        .iter()
        .map(|e| e.entity_key.as_str())
        .collect();
    assert_eq!((third.total, keys), (10, vec!["白水县", "某市"]));
}

duban_store::both_backends!(
    a_unit_is_edited_with_its_reason_and_refusals_write_nothing,
    a_disabled_unit_is_kept_but_not_offered,
    a_disabled_account_cannot_sign_in_and_its_sessions_and_tokens_end,
    the_audit_log_is_filtered_and_paged_newest_first,
);
