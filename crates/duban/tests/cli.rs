//! The `duban` command as a user runs it, on SQLite and on PostgreSQL.

#[path = "../../duban-office/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

use duban_store::testing::TestDb;
use serde_json::Value;

fn duban(db: &TestDb, args: &[&str]) -> Output {
    duban_on(db, "2025-07-01", args)
}

fn duban_on(db: &TestDb, today: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .env("DUBAN_DATABASE_URL", &db.url)
        .env("DUBAN_TODAY", today)
        .env("DUBAN_ACTOR", "测试员")
        .output()
        .expect("run duban")
}

/// Runs duban as if today were `today` (for on-time and late reports).
/// One unit's row of a by-unit JSON table.
fn unit_row(rows: &Value, unit: &str) -> Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap_or_else(|| panic!("no row for {unit}: {rows}"))
        .clone()
}

fn ok_on(db: &TestDb, today: &str, args: &[&str]) -> String {
    let out = duban_on(db, today, args);
    assert!(
        out.status.success(),
        "duban {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ok(db: &TestDb, args: &[&str]) -> String {
    let out = duban(db, args);
    assert!(
        out.status.success(),
        "duban {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &TestDb, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).unwrap()
}

/// `report compliance` for a month, judged on a date, as JSON.
fn compliance(db: &TestDb, period: &str, as_of: &str) -> Value {
    json(
        db,
        &[
            "report",
            "compliance",
            "--period",
            period,
            "--as-of",
            as_of,
            "--format",
            "json",
        ],
    )
}

/// Everything a user could see of the database.
fn snapshot(db: &TestDb) -> (Value, Value) {
    (
        json(db, &["items", "list", "--format", "json"]),
        json(db, &["units", "list", "--format", "json"]),
    )
}

async fn quick_start_demo_then_list(db: &TestDb) {
    let out = ok(db, &["demo"]);
    assert!(out.contains("新增 2000 项"), "{out}");
    let table = ok(db, &["items", "list"]);
    assert!(table.contains("共 2000 项，显示前 50 项"), "{table}");
    assert!(table.contains("项目编号") && table.contains("包抓领导"));
    let items = json(db, &["items", "list", "--format", "json"]);
    assert_eq!(items.as_array().unwrap().len(), 2000);
    let first = &items[0];
    for key in [
        "code",
        "year",
        "kind",
        "name",
        "lead_unit",
        "co_units",
        "leader",
        "total_investment",
        "extra",
    ] {
        assert!(first.get(key).is_some(), "JSON item has {key}: {first}");
    }
    let csv = ok(
        db,
        &["items", "list", "--kind", "民生实事", "--format", "csv"],
    );
    assert!(
        csv.starts_with("\u{feff}序号,项目编号,项目名称"),
        "{}",
        &csv[..80]
    );
    assert!(csv.lines().count() > 50);
    let units = json(db, &["units", "list", "--format", "json"]);
    assert_eq!(units.as_array().unwrap().len(), 41);
    let code = first["code"].as_str().unwrap();
    let shown = json(db, &["items", "show", code, "--format", "json"]);
    assert_eq!(shown["code"], code);
    assert!(shown["milestones"].as_array().is_some());
    // The --actor given, and beside it the operating-system user who ran the command.
    let actor = shown["audit"][0]["actor"].as_str().unwrap();
    assert!(actor.starts_with("测试员（cli"), "{actor}");
    assert_eq!(shown["audit"][0]["intact"], true);
    // The demo carries problems in every state, and reports that colour the items.
    let problems = json(db, &["problem", "list", "--format", "json"]);
    let states: std::collections::BTreeSet<&str> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 6, "{states:?}");
    let status = json(
        db,
        &[
            "status",
            "--as-of",
            "2025-07-01",
            "--year",
            "2025",
            "--format",
            "json",
        ],
    );
    let colours: std::collections::BTreeSet<&str> = status
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["colour"].as_str().unwrap())
        .collect();
    assert_eq!(colours.len(), 3, "green, yellow and red items: {colours:?}");
    // Only the office closes; a unit cannot.
    let id = problems[0]["id"].to_string();
    let out = duban(db, &["problem", "close", &id, "--as", "unit:某县"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("只有督查室可以销号"));
    // Running the demo again changes nothing.
    let again = ok(db, &["demo"]);
    assert!(again.contains("未变化 2000 项"), "{again}");
}

async fn real_shaped_ledgers_import_exactly(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let wan = support::wan_ledger(dir.path());
    let out = ok(db, &["import", "ledger", wan.to_str().unwrap()]);
    assert!(out.contains("新增 5 项"), "{out}");
    assert!(out.contains("1 项无编号，已自动编号"), "{out}");
    assert!(
        out.contains("新建单位（5）：白水县、市发改委、市工信局、云台县、市交通运输局"),
        "{out}"
    );
    assert!(
        out.contains("新建包抓领导（2）：王某（副市长）、李某（副市长）"),
        "{out}"
    );
    assert!(out.contains("已跳过"), "{out}");
    let yi = support::yi_ledger(dir.path());
    let out = ok(db, &["import", "ledger", yi.to_str().unwrap()]);
    assert!(out.contains("新增 2 项"), "{out}");
    assert!(out.contains("金额单位 亿元"), "{out}");

    let items = json(db, &["items", "list", "--format", "json"]);
    let by_name = |n: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == n)
            .unwrap()
            .clone()
    };
    let a = by_name("白水县新型建材产业园项目");
    assert_eq!(a["code"], "XM2025001");
    assert_eq!(a["total_investment"], "52000");
    assert_eq!(a["annual_plan"], "18000.5");
    assert_eq!(a["planned_start"], "2025-03-15");
    assert_eq!(a["planned_end"], "2026-10");
    assert_eq!(a["co_units"], serde_json::json!(["市发改委", "市工信局"]));
    assert_eq!(
        a["leader"],
        serde_json::json!({"name": "王某", "title": "副市长"})
    );
    assert_eq!(a["extra"]["资金来源"], "企业自筹");
    let road = by_name("云台县农村公路提质改造工程");
    assert_eq!(road["code"], "XM202500001", "a code was assigned");
    assert_eq!(road["region"], "云台县");
    let school = by_name("城区新建公办幼儿园");
    assert_eq!(
        (school["kind"].as_str(), school["total_investment"].as_str()),
        (Some("livelihood"), Some("12500"))
    );
    assert_eq!(school["annual_plan"], "3000");

    // The same files again: nothing changes, nothing is duplicated.
    let out = ok(db, &["import", "ledger", wan.to_str().unwrap()]);
    assert!(out.contains("新增 0 项，更新 0 项，未变化 5 项"), "{out}");
    assert_eq!(
        json(db, &["items", "list", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        7
    );
}

/// Imports the 万元 sample ledger (5 items) and returns what the command printed.
fn import_sample(db: &TestDb, dir: &Path) -> String {
    ok(
        db,
        &[
            "import",
            "ledger",
            support::wan_ledger(dir).to_str().unwrap(),
            // The year's ledger, in force since January though imported in July.
            "--listed-on",
            "2025-01-01",
        ],
    )
}

fn expect_refused(db: &TestDb, file: &Path, needles: &[&str]) {
    let before = snapshot(db);
    let out = duban(db, &["import", "ledger", file.to_str().unwrap()]);
    assert!(
        !out.status.success(),
        "{} should be refused",
        file.display()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    for n in needles {
        assert!(stderr.contains(n), "message names {n:?}:\n{stderr}");
    }
    assert_eq!(
        snapshot(db),
        before,
        "database unchanged after {}",
        file.display()
    );
}

async fn bad_input_leaves_database_unchanged(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_sample(db, dir.path());
    let headers = [
        "项目编号",
        "项目名称",
        "责任单位",
        "总投资（万元）",
        "年度计划投资（万元）",
        "开工时间",
    ];
    let d = dir.path();
    // Each bad file also has a good row naming a new unit: it must not be created either.
    let good: &[&str] = &["Z1", "好项目", "新设县", "100", "50", "2025-03"];
    let missing = support::simple_ledger(
        d,
        "missing.xlsx",
        &["项目名称", "总投资"],
        &[&["甲项目", "100"]],
    );
    expect_refused(
        db,
        &missing,
        &["缺少必需的列", "牵头单位/责任单位", "第 2 行"],
    );
    let date = support::simple_ledger(
        d,
        "date.xlsx",
        &headers,
        &[good, &["Z2", "坏日期", "新设县", "1", "1", "下半年"]],
    );
    expect_refused(
        db,
        &date,
        &[
            "第 4 行 F 列（开工时间）",
            "无法识别的日期“下半年”",
            "未写入任何数据",
        ],
    );
    let negative = support::simple_ledger(
        d,
        "neg.xlsx",
        &headers,
        &[good, &["Z2", "负数", "新设县", "-5", "", ""]],
    );
    expect_refused(
        db,
        &negative,
        &["第 4 行 D 列（总投资（万元））", "不能为负数"],
    );
    let dup = support::simple_ledger(
        d,
        "dup.xlsx",
        &headers,
        &[good, &["Z1", "重复", "新设县", "", "", ""]],
    );
    expect_refused(db, &dup, &["第 4 行 A 列（项目编号）", "与第 3 行重复"]);
    let not_xlsx = d.join("台账.xlsx");
    std::fs::write(&not_xlsx, "项目名称,责任单位\n甲,乙\n").unwrap();
    expect_refused(db, &not_xlsx, &["不是 .xlsx 文件"]);
    let bytes = std::fs::read(support::yi_ledger(d)).unwrap();
    let truncated = d.join("truncated.xlsx");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    expect_refused(db, &truncated, &["已损坏或不完整"]);
    expect_refused(db, &d.join("nowhere.xlsx"), &["找不到文件"]);

    // --skip-invalid writes the good row and reports the bad one.
    let out = duban(
        db,
        &["import", "ledger", date.to_str().unwrap(), "--skip-invalid"],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("这些行未导入"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("新增 1 项"));
}

async fn dry_run_writes_nothing(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let before = snapshot(db);
    let out = ok(
        db,
        &[
            "import",
            "ledger",
            support::wan_ledger(dir.path()).to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(
        out.contains("试导入（未写入任何数据）：将新增 5 项"),
        "{out}"
    );
    assert!(out.contains("新建单位（5）"), "{out}");
    assert_eq!(snapshot(db), before);
}

async fn export_then_import_round_trip(db: &TestDb) {
    ok(db, &["demo", "--seed", "5"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("台账.xlsx");
    let out = ok(db, &["export", "ledger", "-o", file.to_str().unwrap()]);
    assert!(out.contains("已导出 2000 项"), "{out}");
    let fresh = TestDb::new(db.backend).await;
    let out = ok(&fresh, &["import", "ledger", file.to_str().unwrap()]);
    assert!(out.contains("新增 2000 项"), "{out}");
    assert_eq!(
        json(&fresh, &["items", "list", "--format", "json"]),
        json(db, &["items", "list", "--format", "json"]),
        "the same ledger comes back"
    );
    let code = json(
        db,
        &[
            "items", "list", "--format", "json", "--stage", "在建", "--limit", "1",
        ],
    )[0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (a, b) = (
        json(db, &["items", "show", &code, "--format", "json"]),
        json(&fresh, &["items", "show", &code, "--format", "json"]),
    );
    assert_eq!(a["milestones"], b["milestones"]);
    assert!(!a["milestones"].as_array().unwrap().is_empty());
}

async fn a_narrower_sheet_updates_only_its_columns(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_sample(db, dir.path());
    // A monthly progress sheet: code, name, unit and stage only.
    let narrow = support::simple_ledger(
        dir.path(),
        "6月进度.xlsx",
        &["项目编号", "项目名称", "责任单位", "项目阶段"],
        &[&[
            "XM2025002",
            "白水县城区污水处理厂提标改造工程",
            "白水县",
            "在建",
        ]],
    );
    let out = ok(db, &["import", "ledger", narrow.to_str().unwrap()]);
    assert!(out.contains("更新 1 项"), "{out}");
    let item = json(db, &["items", "show", "XM2025002", "--format", "json"]);
    assert_eq!(
        item["stage"], "under_construction",
        "the stated column is updated"
    );
    assert_eq!(
        item["total_investment"], "12345.67",
        "columns the sheet lacks are kept"
    );
    assert_eq!(item["leader"]["name"], "李某");
    assert_eq!(item["extra"]["资金来源"], "专项债");
    let change = &item["audit"].as_array().unwrap().last().unwrap()["after"];
    assert_eq!(
        change,
        &serde_json::json!({"stage": "under_construction"}),
        "only the stage changed"
    );
}

async fn reverse_scheduling_from_the_cli(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_sample(db, dir.path());
    let out = ok(
        db,
        &["milestones", "plan", "XM2025001", "--target", "2026-10-31"],
    );
    assert!(out.contains("倒排至 2026-10-31"), "{out}");
    let shown = json(db, &["items", "show", "XM2025001", "--format", "json"]);
    let ms = shown["milestones"].as_array().unwrap();
    assert_eq!(ms.len(), 7);
    assert_eq!(ms[6]["name"], "投产");
    assert_eq!(ms[6]["planned"], "2026-10-31");
    assert_eq!(ms[5]["planned"], "2026-10-01");
    assert_eq!(shown["audit"].as_array().unwrap().len(), 2);
}

async fn report_then_status_shows_the_change(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_sample(db, dir.path());
    // XM2025001: planned 2025-03-15 to 2026-10, annual plan 18,000.5 万元. On 30 June its
    // window (15 March – 31 December, 292 days) is 108 days gone: t = 36.99%.
    let status = |db: &TestDb| {
        let all = json(db, &["status", "--as-of", "2025-06-30", "--format", "json"]);
        all.as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "XM2025001")
            .unwrap()
            .clone()
    };
    let out = ok(
        db,
        &[
            "report",
            "submit",
            "XM2025001",
            "--period",
            "2025-06",
            "--ytd",
            "1000",
            "--progress",
            "基础施工",
        ],
    );
    assert!(out.contains("已报送（第 1 版）"), "{out}");
    let s = status(db);
    assert_eq!(
        (s["colour"].as_str(), s["t"].as_f64()),
        (Some("red"), Some(36.99))
    );
    assert_eq!(s["p"].as_f64(), Some(5.56));
    assert!(
        s["reasons"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("序时进度 37.0%，完成 5.6%"),
        "{s}"
    );

    // Submitted reports are immutable; a correction with a reason is a new version.
    let again = duban(
        db,
        &[
            "report",
            "submit",
            "XM2025001",
            "--period",
            "2025-06",
            "--ytd",
            "6000",
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("更正须说明原因"));
    ok(
        db,
        &[
            "report",
            "submit",
            "XM2025001",
            "--period",
            "2025-06",
            "--ytd",
            "6000",
            "--reason",
            "补报设备采购款",
        ],
    );
    assert_eq!(status(db)["colour"], "green");
    let history = json(db, &["report", "history", "XM2025001", "--format", "json"]);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[1]["reason"], "补报设备采购款");

    // An invalid report names the field and writes nothing.
    let bad = duban(
        db,
        &[
            "report",
            "submit",
            "XM2025001",
            "--period",
            "2025-07",
            "--ytd",
            "60000",
        ],
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("累计完成投资") && !bad.status.success());
    assert_eq!(
        json(db, &["report", "history", "XM2025001", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// A unit fills in its reporting sheet: the template's title, note and header rows are kept,
/// and `fill` gives the cells typed into each item's row (by code), by header.
fn fill_template(template: &Path, out: &Path, fill: &[(&str, &[(&str, &str)])]) {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(template).unwrap();
    let range = book.worksheet_range("进度填报").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = &rows[2];
    let mut w = rust_xlsxwriter::Workbook::new();
    let s = w.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            s.write(r as u32, c as u16, v.as_str()).unwrap();
        }
        if let Some((_, cells)) = fill
            .iter()
            .find(|(code, _)| row.first().map(String::as_str) == Some(*code))
        {
            for (h, v) in cells.iter() {
                let c = header
                    .iter()
                    .position(|x| x.starts_with(h))
                    .unwrap_or_else(|| panic!("no column {h}"));
                s.write(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    w.save(out).unwrap();
}

async fn reporting_sheet_out_fill_in_import_and_status_changes(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_sample(db, dir.path());
    let template = dir.path().join("白水县6月填报.xlsx");
    let out = ok(
        db,
        &[
            "report",
            "template",
            "--unit",
            "白水县",
            "--period",
            "2025-06",
            "-o",
            template.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("3 个项目") && out.contains("报送截止 2025-07-05"),
        "{out}"
    );
    let status_of = |db: &TestDb, code: &str| {
        let all = json(db, &["status", "--as-of", "2025-06-30", "--format", "json"]);
        all.as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(status_of(db, "XM2025001")["p"].as_f64(), Some(0.0));

    // A cell that is not a number: the row and column are named, nothing is written.
    let bad = dir.path().join("bad.xlsx");
    fill_template(
        &template,
        &bad,
        &[("XM2025001", &[("1-6月累计完成投资", "九千")])],
    );
    let o = duban(db, &["report", "import", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("第 4 行 E 列") && err.contains("不是数字"),
        "{err}"
    );
    // A figure above the total investment: named by row, and the good row is not written either.
    let over = dir.path().join("over.xlsx");
    fill_template(
        &template,
        &over,
        &[
            ("XM2025001", &[("1-6月累计完成投资", "9000")]),
            ("XM2025002", &[("1-6月累计完成投资", "99999")]),
        ],
    );
    let o = duban(db, &["report", "import", over.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("第 5 行（XM2025002）") && err.contains("超过总投资"),
        "{err}"
    );
    assert!(
        json(db, &["report", "history", "XM2025001", "--format", "json"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The milestone the sheet reports must exist: plan the chain first.
    ok(
        db,
        &[
            "milestones",
            "plan",
            "XM2025001",
            "--start",
            "2025-06-01",
            "--target",
            "2026-10-31",
        ],
    );
    let good = dir.path().join("good.xlsx");
    fill_template(
        &template,
        &good,
        &[
            (
                "XM2025001",
                &[
                    ("1-6月累计完成投资", "9000"),
                    ("形象进度", "主体施工"),
                    ("本期完成节点", "开工"),
                    ("节点完成时间", "2025-06-18"),
                ],
            ),
            ("XM2025002", &[("本期（6月）完成投资", "3,000")]),
        ],
    );
    let out = ok(db, &["report", "import", good.to_str().unwrap()]);
    assert!(out.contains("已报送：2025-06 进度 2 条"), "{out}");
    let s = status_of(db, "XM2025001");
    assert_eq!(
        (s["p"].as_f64(), s["colour"].as_str()),
        (Some(50.0), Some("green"))
    );
    assert_eq!(
        status_of(db, "XM2025002")["p"].as_f64(),
        Some(50.0),
        "3,000 of 6,000"
    );
    let history = json(db, &["report", "history", "XM2025002", "--format", "json"]);
    assert_eq!(history[0]["ytd"], "3000");
}

/// Items built to sit exactly on the edges of every rule, with hand-computed expectations.
async fn status_scenario_on_every_edge(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let mut headers = vec![
        "项目编号",
        "项目名称",
        "责任单位",
        "总投资",
        "年度计划投资",
        "计划开工时间",
        "项目阶段",
        "是否纳入统计",
    ];
    let months: Vec<String> = (1..=12).map(|m| format!("1-{m}月累计计划投资")).collect();
    headers.extend(months.iter().map(String::as_str));
    // E's plan is back-loaded: 5 a month to June (30 = 25% of 120), then 15 a month.
    let e_plan: Vec<String> = (1..=12)
        .map(|m: i32| (if m <= 6 { 5 * m } else { 30 + 15 * (m - 6) }).to_string())
        .collect();
    let mut e_row = vec![
        "XE",
        "E按月计划项目",
        "甲县",
        "1000",
        "120",
        "",
        "在建",
        "是",
    ];
    e_row.extend(e_plan.iter().map(String::as_str));
    let rows: Vec<Vec<&str>> = vec![
        vec!["XA", "A项目", "甲县", "1000", "100", "", "在建", "是"],
        vec!["XB", "B项目", "甲县", "1000", "100", "", "在建", "是"],
        vec!["XC", "C项目", "甲县", "1000", "100", "", "在建", "是"],
        vec!["XD", "D项目", "甲县", "1000", "100", "", "在建", "是"],
        e_row,
        vec![
            "XF",
            "F未开工项目",
            "甲县",
            "",
            "",
            "2025-03",
            "拟开工",
            "否",
        ],
        vec!["XG", "G节点项目", "甲县", "1000", "100", "", "在建", "是"],
        vec!["XH", "H入统项目", "甲县", "1000", "100", "", "在建", "否"],
    ];
    let row_refs: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let ledger = support::simple_ledger(dir.path(), "edges.xlsx", &headers, &row_refs);
    // In force since January (imported on 1 July, it is asked for May's and June's reports).
    let ledger = ledger.to_str().unwrap();
    ok(
        db,
        &["import", "ledger", ledger, "--listed-on", "2025-01-01"],
    );
    // G: every milestone due 31 May. H: 开工 on 1 May, the next step in July.
    ok(
        db,
        &[
            "milestones",
            "plan",
            "XG",
            "--start",
            "2025-05-31",
            "--target",
            "2025-05-31",
        ],
    );
    ok(
        db,
        &[
            "milestones",
            "plan",
            "XH",
            "--start",
            "2025-05-01",
            "--target",
            "2026-06-30",
        ],
    );

    let submit = |today: &str, code: &str, period: &str, ytd: &str, extra: &[&str]| {
        let mut args = vec!["report", "submit", code, "--period", period, "--ytd", ytd];
        args.extend_from_slice(extra);
        ok_on(db, today, &args);
    };
    submit("2025-06-03", "XA", "2025-05", "30", &[]); // on time (due 5 June)
    submit("2025-06-10", "XB", "2025-05", "30", &[]); // late
    submit(
        "2025-06-03",
        "XH",
        "2025-05",
        "100",
        &["--milestone", "开工=2025-05-01"],
    );
    for (code, ytd) in [
        ("XA", "40"),
        ("XB", "39.99"),
        ("XC", "20"),
        ("XD", "19.99"),
        ("XE", "18"),
        ("XG", "100"),
    ] {
        submit("2025-07-01", code, "2025-06", ytd, &[]);
    }

    let status = |as_of: &str| -> std::collections::HashMap<String, Value> {
        let all = json(db, &["status", "--as-of", as_of, "--format", "json"]);
        all.as_array()
            .unwrap()
            .iter()
            .map(|s| (s["code"].as_str().unwrap().to_string(), s.clone()))
            .collect()
    };
    let flags = |s: &Value| -> Vec<String> {
        s["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    };
    let june = status("2025-06-30");
    let expect =
        |code: &str, colour: &str, t: f64, p: Option<f64>, lag: Option<f64>, fl: &[&str]| {
            let s = &june[code];
            assert_eq!(s["colour"], colour, "{code}: {s}");
            assert_eq!(s["t"].as_f64(), Some(t), "{code} t");
            assert_eq!(s["p"].as_f64(), p, "{code} p");
            assert_eq!(s["lag"].as_f64(), lag, "{code} lag");
            assert_eq!(flags(s), fl, "{code} flags");
        };
    // 时间过半: t = 50 on 30 June; lag 10 is still green, 30 still yellow.
    expect("XA", "green", 50.0, Some(40.0), Some(10.0), &[]);
    expect(
        "XB",
        "yellow",
        50.0,
        Some(39.99),
        Some(10.01),
        &["lagging", "reported_late"],
    );
    expect(
        "XC",
        "yellow",
        50.0,
        Some(20.0),
        Some(30.0),
        &["lagging", "not_reported"],
    );
    expect(
        "XD",
        "red",
        50.0,
        Some(19.99),
        Some(30.01),
        &["lagging", "not_reported"],
    );
    // The monthly plan, not the calendar: 25% due, 15% done.
    expect(
        "XE",
        "green",
        25.0,
        Some(15.0),
        Some(10.0),
        &["not_reported"],
    );
    // Planned to start in March (passed on 31 March): 91 days on 30 June.
    assert_eq!(
        (june["XF"]["colour"].as_str(), flags(&june["XF"])),
        (
            Some("red"),
            vec![
                "not_started_on_time".to_string(),
                "not_reported".to_string()
            ]
        )
    );
    assert_eq!(
        status("2025-06-29")["XF"]["colour"],
        "yellow",
        "90 days late is yellow"
    );
    // Milestones due 31 May: 30 days overdue is yellow, 31 red.
    assert_eq!(
        (june["XG"]["colour"].as_str(), flags(&june["XG"])),
        (
            Some("yellow"),
            vec!["milestone_overdue".to_string(), "not_reported".to_string()]
        )
    );
    assert_eq!(status("2025-07-01")["XG"]["colour"], "red");
    // Started 1 May, not registered in statistics: a month is fine, then yellow, then red.
    assert_eq!(status("2025-05-31")["XH"]["colour"], "green");
    assert_eq!(status("2025-06-01")["XH"]["colour"], "yellow");
    assert_eq!(
        (june["XH"]["colour"].as_str(), flags(&june["XH"])),
        (Some("yellow"), vec!["not_in_statistics".to_string()])
    );
    assert_eq!(status("2025-07-01")["XH"]["colour"], "red");

    // 报送情况 for May: XA and XH on time, XB late, the other five missing.
    let c = compliance(db, "2025-05", "2025-06-30");
    let jia = &c.as_array().unwrap()[0];
    assert_eq!(
        (
            jia["unit"].as_str(),
            jia["required"].as_i64(),
            jia["on_time"].as_i64(),
            jia["late"].as_i64(),
            jia["missing"].as_i64()
        ),
        (Some("甲县"), Some(8), Some(2), Some(1), Some(5))
    );
    assert_eq!(jia["on_time_rate"].as_f64(), Some(25.0));

    // Thresholds are configurable: with yellow above 5 points, XA's 10 is yellow.
    let th = dir.path().join("thresholds.toml");
    std::fs::write(&th, "yellow_lag = 5\n").unwrap();
    let all = json(
        db,
        &[
            "status",
            "--as-of",
            "2025-06-30",
            "--thresholds",
            th.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let xa = all
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "XA")
        .unwrap();
    assert_eq!(xa["colour"], "yellow");
}

async fn a_ledgers_year_to_date_column_is_that_months_report(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let headers = [
        "项目编号",
        "项目名称",
        "责任单位",
        "总投资",
        "年度计划投资",
        "1-6月完成投资",
    ];
    let file = support::simple_ledger(
        dir.path(),
        "6月台账.xlsx",
        &headers,
        &[&["XM1", "甲项目", "甲县", "1000", "100", "45"]],
    );
    let out = ok(db, &["import", "ledger", file.to_str().unwrap()]);
    assert!(out.contains("累计完成投资列已记为进度报告：1 条"), "{out}");
    let history = json(db, &["report", "history", "XM1", "--format", "json"]);
    assert_eq!(
        (history[0]["period"].as_str(), history[0]["ytd"].as_str()),
        (Some("2025-06"), Some("45"))
    );
    // The same sheet again adds nothing; a changed figure is a correction.
    ok(db, &["import", "ledger", file.to_str().unwrap()]);
    assert_eq!(
        json(db, &["report", "history", "XM1", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let changed = support::simple_ledger(
        dir.path(),
        "6月台账2.xlsx",
        &headers,
        &[&["XM1", "甲项目", "甲县", "1000", "100", "50"]],
    );
    ok(db, &["import", "ledger", changed.to_str().unwrap()]);
    let history = json(db, &["report", "history", "XM1", "--format", "json"]);
    assert_eq!(
        (
            history[1]["revision"].as_i64(),
            history[1]["reason"].as_str()
        ),
        (Some(2), Some("台账导入"))
    );
    // A figure above the total is refused with the row, and nothing of the sheet is written.
    let bad = support::simple_ledger(
        dir.path(),
        "坏.xlsx",
        &headers,
        &[&["XM2", "乙项目", "甲县", "10", "5", "45"]],
    );
    let o = duban(db, &["import", "ledger", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("第 3 行") && err.contains("超过总投资"),
        "{err}"
    );
    assert!(json(db, &["items", "show", "XM1", "--format", "json"])["code"] == "XM1");
    assert!(
        !String::from_utf8_lossy(&duban(db, &["items", "show", "XM2"]).stdout).contains("乙项目")
    );
}

async fn calendars_set_due_days_and_closed_months_take_no_reports(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_sample(db, dir.path());
    // Submitted on 8 June: late against the 5th, on time once projects are due on the 10th.
    ok_on(
        db,
        "2025-06-08",
        &[
            "report",
            "submit",
            "XM2025001",
            "--period",
            "2025-05",
            "--ytd",
            "100",
        ],
    );
    let on_time = |db: &TestDb| {
        unit_row(&compliance(db, "2025-05", "2025-06-30"), "白水县")["on_time"].as_i64()
    };
    assert_eq!(on_time(db), Some(0));
    let out = ok(
        db,
        &[
            "report",
            "calendar",
            "--kind",
            "重点项目",
            "--due-day",
            "10",
        ],
    );
    assert!(out.contains("次月 10 日"), "{out}");
    assert_eq!(on_time(db), Some(1));

    // A closed month takes nothing, not even a correction, until it is opened again.
    ok(db, &["report", "period", "close", "--period", "2025-06"]);
    let o = duban(
        db,
        &[
            "report",
            "submit",
            "XM2025001",
            "--period",
            "2025-06",
            "--ytd",
            "200",
        ],
    );
    assert!(
        !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("填报期 2025-06 已关闭")
    );
    assert!(ok(db, &["report", "period", "list"]).contains("2025-06"));
    ok(db, &["report", "period", "open", "--period", "2025-06"]);
    ok(
        db,
        &[
            "report",
            "submit",
            "XM2025001",
            "--period",
            "2025-06",
            "--ytd",
            "200",
        ],
    );
}

/// 重点项目 switched to weekly reports: monthly periods are refused with the right example, the
/// weekly sheet goes out and comes back, a late and a missing week show in the compliance table
/// and as flags, year-to-date still only grows; then quarterly.
async fn weekly_and_quarterly_cadences(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_sample(db, dir.path());
    let out = ok(
        db,
        &[
            "report",
            "calendar",
            "--kind",
            "重点项目",
            "--cadence",
            "weekly",
        ],
    );
    assert!(out.contains("重点项目改为每周，次周一前报送"), "{out}");
    let submit = |db: &TestDb, today: &str, period: &str, ytd: &str| {
        duban_on(
            db,
            today,
            &[
                "report",
                "submit",
                "XM2025001",
                "--period",
                period,
                "--ytd",
                ytd,
            ],
        )
    };
    let o = submit(db, "2025-07-01", "2025-06", "100");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("重点项目每周填报，填报期应为周（如 2025-W27）"),
        "{err}"
    );

    let template = dir.path().join("第23周.xlsx");
    let out = ok(
        db,
        &[
            "report",
            "template",
            "--unit",
            "白水县",
            "--period",
            "2025年第23周",
            "-o",
            template.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("2025-W23") && out.contains("报送截止 2025-06-09"),
        "{out}"
    );
    let filled = dir.path().join("filled.xlsx");
    fill_template(
        &template,
        &filled,
        &[("XM2025001", &[("截至6月8日累计完成投资", "500")])],
    );
    let out = ok_on(
        db,
        "2025-06-09",
        &["report", "import", filled.to_str().unwrap()],
    );
    assert!(out.contains("已报送：2025-W23 进度 1 条"), "{out}");
    // Week 24 is due Monday 16 June; submitted on the 17th it is late.
    assert!(submit(db, "2025-06-17", "2025-W24", "800").status.success());
    let o = submit(db, "2025-06-24", "2025-W25", "700");
    assert!(
        !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("累计数只能增加"),
        "year-to-date goes down across weeks"
    );

    let baishui = unit_row(&compliance(db, "2025-W24", "2025-06-30"), "白水县");
    assert_eq!(
        (
            baishui["on_time"].as_i64(),
            baishui["late"].as_i64(),
            baishui["missing"].as_i64()
        ),
        (Some(0), Some(1), Some(2)),
        "{baishui}"
    );
    let status = json(db, &["status", "--as-of", "2025-06-17", "--format", "json"]);
    let flags_of = |code: &str| -> Vec<String> {
        status
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    };
    assert!(flags_of("XM2025001").contains(&"reported_late".to_string()));
    assert!(flags_of("XM2025002").contains(&"not_reported".to_string()));
    let history = json(db, &["report", "history", "XM2025001", "--format", "json"]);
    let periods: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2025-W23", "2025-W24"]);
    assert_eq!(
        history[1]["this_period"], "300",
        "800 minus the week before"
    );

    // Quarterly from now on: the second quarter takes the half-year figure.
    let out = ok(
        db,
        &[
            "report",
            "calendar",
            "--kind",
            "重点项目",
            "--cadence",
            "季报",
        ],
    );
    assert!(out.contains("每季度，季后首月 5 日前"), "{out}");
    assert!(submit(db, "2025-07-03", "2025-Q2", "900").status.success());
    let c = compliance(db, "2025-Q2", "2025-07-31");
    let baishui = unit_row(&c, "白水县");
    assert_eq!(
        (baishui["on_time"].as_i64(), baishui["missing"].as_i64()),
        (Some(1), Some(2)),
        "{c}"
    );
    let o = duban(db, &["report", "compliance", "--period", "2025-W24"]);
    assert!(
        !o.status.success()
            && String::from_utf8_lossy(&o.stderr).contains("没有每周填报的事项类型")
    );
}

/// An indicator sheet as a statistics bureau sends it: a title, a units note, 全市 first.
fn indicator_sheet(path: &Path, rows: &[(&str, &str, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("规上工业增加值增速").unwrap();
    ws.write_string(0, 0, "2025年1-6月各县区规上工业增加值增速")
        .unwrap();
    ws.write_string(1, 0, "单位：%").unwrap();
    for (c, h) in ["县（市、区）", "增速", "目标"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (r, (region, value, target)) in rows.iter().enumerate() {
        for (c, v) in [region, value, target].iter().enumerate() {
            ws.write_string(3 + r as u32, c as u16, **v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// The office ranks June, imports indicators, drafts and issues the bulletin; a later
/// correction changes the ranking but not the issued bulletin.
async fn rank_indicators_and_the_bulletin(db: &TestDb) {
    let today = "2025-07-10";
    ok_on(db, today, &["demo"]);
    let ranking = |by: &str| -> Value {
        serde_json::from_str(&ok_on(
            db,
            today,
            &[
                "rank", "--period", "2025-06", "--by", by, "--format", "json",
            ],
        ))
        .unwrap()
    };
    let r = ranking("region");
    let rows = r["table"]["rows"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        10,
        "every region, the city itself not among them"
    );
    let dec = |v: &Value| v.as_str().map(|s| s.parse::<f64>().unwrap());
    // Ranks follow the composite: never better for a lower score; ties share a rank.
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0]["composite"], &pair[1]["composite"]);
        assert!(dec(&a["value"]) >= dec(&b["value"]), "{a} {b}");
        assert!(a["rank"].as_u64() <= b["rank"].as_u64());
    }
    // Every cell: numerator ≤ denominator for counts, "no data" exactly when nothing is due.
    let mut invested = 0.0;
    for row in rows {
        for cell in row["rates"].as_array().unwrap() {
            let (n, d) = (
                dec(&cell["numerator"]).unwrap(),
                dec(&cell["denominator"]).unwrap(),
            );
            assert_eq!(cell["percent"].is_null(), d == 0.0, "{cell}");
            if cell["rate"] != "investment" && cell["rate"] != "funds" {
                assert!(n <= d, "{cell}");
            }
            if cell["rate"] == "investment" {
                invested += n;
            }
        }
    }
    let city = &r["table"]["overall"][1];
    assert_eq!(city["rate"], "investment");
    assert!(
        (dec(&city["numerator"]).unwrap() - invested).abs() < 0.01,
        "the city is the sum of its regions"
    );
    let sheet = std::env::temp_dir().join(format!("duban-rank-{}.xlsx", std::process::id()));
    ok_on(
        db,
        today,
        &[
            "rank",
            "--period",
            "2025-06",
            "--xlsx",
            sheet.to_str().unwrap(),
        ],
    );
    assert!(
        std::fs::read(&sheet).unwrap().starts_with(b"PK"),
        "the ranking as .xlsx"
    );
    let _ = std::fs::remove_file(&sheet);
    let d = ranking("department");
    assert!(
        d["table"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["unit"] == "市财政局")
    );

    // The rules: a bad key is named and nothing changes.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("规则.toml");
    std::fs::write(&bad, "[weights]\ninvestment = 60\nspeed = 40\n[talk]\nmeasure = \"investment\"\nbottom = 3\nperiods = 2\n").unwrap();
    let out = duban_on(db, today, &["rules", "set", bad.to_str().unwrap()]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("speed"));
    assert!(
        ok_on(db, today, &["rules", "show"]).contains("investment = 40"),
        "the defaults stay"
    );

    // Indicators: an unknown region refuses the whole file; then the right one is compared.
    let sheet = dir.path().join("指标.xlsx");
    indicator_sheet(
        &sheet,
        &[
            ("全市", "6.2", "6.5"),
            ("青山区", "7.1%", "6.5"),
            ("火星县", "5", "6"),
        ],
    );
    let out = duban_on(db, today, &["indicator", "import", sheet.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("第6行") && err.contains("火星县"),
        "{err}"
    );
    indicator_sheet(
        &sheet,
        &[
            ("全市", "6.2", "6.5"),
            ("青山区", "7.1%", "6.5"),
            ("龙泉县", "4.9", "6.0"),
        ],
    );
    assert!(
        ok_on(db, today, &["indicator", "import", sheet.to_str().unwrap()]).contains("已导入 3 条")
    );
    let list = ok_on(db, today, &["indicator", "list", "--period", "2025-06"]);
    assert!(
        list.contains("全市6.2") && list.contains("未完成目标、落后全市"),
        "{list}"
    );

    // The bulletin: a draft, then issued; issuing twice is refused.
    let docx = dir.path().join("通报.docx");
    let md = dir.path().join("通报.md");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    ok_on(
        db,
        today,
        &[
            "bulletin",
            "--period",
            "2025-06",
            "--format",
            "docx",
            "-o",
            &path(&docx),
        ],
    );
    assert!(std::fs::read(&docx).unwrap().starts_with(b"PK"));
    let said = ok_on(
        db,
        today,
        &[
            "bulletin",
            "--period",
            "2025-06",
            "--format",
            "md",
            "-o",
            &path(&md),
            "--issue",
        ],
    );
    assert!(said.contains("2025年第1期"), "{said}");
    let issued = std::fs::read_to_string(&md).unwrap();
    assert!(
        issued.starts_with("# 关于2025年1—6月全市重点项目推进情况的通报"),
        "{issued}"
    );
    assert!(
        issued.contains(
            "规上工业增加值增速：全市6.2%（目标6.5%）。未完成目标的有：龙泉县（4.9%，目标6.0%）"
        ),
        "{issued}"
    );
    let again = duban_on(
        db,
        today,
        &[
            "bulletin",
            "--period",
            "2025-06",
            "--format",
            "md",
            "-o",
            &path(&md),
            "--issue",
        ],
    );
    assert!(
        !again.status.success() && String::from_utf8_lossy(&again.stderr).contains("不能重复印发")
    );
    // A correction moves the figures; the issued bulletin stays as it was.
    let code = rows[0]["unit"].as_str().unwrap().to_string();
    let items = json(
        db,
        &[
            "items",
            "list",
            "--unit",
            &code,
            "--kind",
            "重点项目",
            "--format",
            "json",
        ],
    );
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["annual_plan"].is_string())
        .unwrap();
    let total = dec(&item["total_investment"]).unwrap();
    ok_on(
        db,
        today,
        &[
            "report",
            "submit",
            item["code"].as_str().unwrap(),
            "--period",
            "2025-06",
            "--ytd",
            &format!("{}", total.floor()),
            "--reason",
            "统计口径更正",
            "--actor",
            "office",
        ],
    );
    assert_ne!(
        ranking("region")["table"]["rows"],
        r["table"]["rows"],
        "the ranking moved"
    );
    ok_on(
        db,
        today,
        &[
            "bulletin",
            "--period",
            "2025-06",
            "--format",
            "md",
            "-o",
            &path(&md),
        ],
    );
    assert_eq!(
        std::fs::read_to_string(&md).unwrap(),
        issued,
        "the issued bulletin is a snapshot"
    );
}

/// The demo reminded on 15 January 2026: every task not signed for is urged to its lead unit
/// (签收) and, past its deadline, to finish it; every open task past its deadline is urged to
/// its lead unit; every closure request waits on the office; every overdue problem is urged to
/// the unit it was assigned to; each recipient gets one message; a second run tells nothing new.
async fn the_demo_is_reminded_once(db: &TestDb) {
    let today = "2026-01-15";
    let demo = ok_on(db, today, &["demo", "--year", "2025"]);
    assert!(
        demo.contains("交办事项：40 项") && demo.contains("通讯录："),
        "{demo}"
    );
    let read = |args: &[&str]| -> Value { serde_json::from_str(&ok_on(db, today, args)).unwrap() };
    let tasks = read(&["task", "list", "--format", "json"]);
    let problems = read(&[
        "problem",
        "list",
        "--overdue",
        "--as-of",
        today,
        "--format",
        "json",
    ]);
    let run = read(&["remind", "run", "--format", "json"]);
    let new = run["reminders"]["new"].as_array().unwrap();
    let told = |kind: &str, key: &Value, owner: &str| {
        new.iter().any(|r| {
            r["kind"] == kind
                && r["matter"] == key.to_string().trim_matches('"')
                && r["owner"]["name"].as_str().unwrap_or("督查室") == owner
        })
    };
    let mut states = std::collections::BTreeSet::new();
    for t in tasks.as_array().unwrap() {
        let (id, lead) = (&t["id"], t["lead_unit"].as_str().unwrap());
        let late = t["due"].as_str().unwrap() < today;
        let state = t["state"].as_str().unwrap();
        states.insert(state.to_string());
        match state {
            "assigned" => assert!(
                told("task_sign", id, lead) && (!late || told("task", id, lead)),
                "{t}"
            ),
            "in_progress" => assert!(!late || told("task", id, lead), "{t}"),
            "close_requested" => assert!(told("verification", id, "督查室"), "{t}"),
            _ => assert!(
                !new.iter()
                    .any(|r| r["matter"].as_str().and_then(|m| m.parse::<i64>().ok())
                        == id.as_i64()
                        && r["kind"].as_str().unwrap().starts_with("task")),
                "a closed task is not urged: {t}"
            ),
        }
    }
    assert!(
        states.len() >= 4,
        "the demo's tasks are in every state: {states:?}"
    );
    let mut urged = 0;
    for p in problems.as_array().unwrap() {
        if p["state"] != "closure_requested" && p["state"] != "raised" {
            urged += 1;
            assert!(
                told("problem", &p["id"], p["assigned_unit"].as_str().unwrap()),
                "{p}"
            );
        }
    }
    assert!(urged > 10, "{urged} overdue problems");
    assert!(
        new.iter()
            .any(|r| r["kind"] == "report" && r["escalated"] == true)
    );
    // One message per recipient (the unit, and its leader when escalated).
    let mut recipients = std::collections::BTreeSet::new();
    for r in new {
        recipients.insert(r["owner"].to_string());
        if r["escalated"] == true {
            recipients
                .insert(serde_json::json!({"kind": "leader", "name": r["leader"]}).to_string());
        }
    }
    let messages = run["reminders"]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), recipients.len());
    let again = read(&["remind", "run", "--format", "json"]);
    assert_eq!(again["reminders"]["new"].as_array().unwrap().len(), 0);
    assert_eq!(
        again["reminders"]["already"].as_u64().unwrap() as usize,
        new.len()
    );
}

/// A tour scored on paper by five judges: dropping each project's highest and lowest totals
/// turns the order round. Averaged whole XM1 (100+70+72+74+99 = 415/5 = 83) would lead XM2
/// (82+81+83+60+84 = 390/5 = 78); kept, XM2 has (82+81+83)/3 = 82 and XM1 (72+74+99)/3 =
/// 81.67. A sheet over a criterion's full marks writes nothing.
async fn a_tour_scored_on_paper(db: &TestDb) {
    ok(db, &["demo", "--year", "2025"]);
    let items = json(db, &["items", "list", "--format", "json"]);
    let codes: Vec<String> = items.as_array().unwrap()[..2]
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    let id = ok(
        db,
        &[
            "tour",
            "create",
            "上半年重点项目观摩评比",
            "--date",
            "2025-07-10",
            "--items",
            &codes.join(","),
            "--criteria",
            "形象进度:40,投资完成:60",
        ],
    );
    let id = id.trim();
    assert!(id.parse::<i64>().is_ok(), "prints the id: {id}");
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("评分.xlsx");
    let write = |rows: &[(&str, &str, f64, f64)]| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["评委", "项目编号", "形象进度", "投资完成"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, (judge, project, a, b)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, *judge).unwrap();
            ws.write_string(r, 1, *project).unwrap();
            ws.write_number(r, 2, *a).unwrap();
            ws.write_number(r, 3, *b).unwrap();
        }
        wb.save(&sheet).unwrap();
    };
    let (xm1, xm2) = (codes[0].as_str(), codes[1].as_str());
    let mut rows = Vec::new();
    for (j, (a, b)) in ["甲", "乙", "丙", "丁", "戊"].iter().zip([
        ((40.0, 60.0), (30.0, 52.0)),
        ((30.0, 40.0), (31.0, 50.0)),
        ((32.0, 40.0), (33.0, 50.0)),
        ((34.0, 40.0), (20.0, 40.0)),
        ((39.0, 60.0), (34.0, 50.0)),
    ]) {
        rows.push((*j, xm1, a.0, a.1));
        rows.push((*j, xm2, b.0, b.1));
    }
    let bad: Vec<_> = rows
        .iter()
        .map(|r| {
            if r.0 == "甲" && r.1 == xm1 {
                (r.0, r.1, 41.0, r.3)
            } else {
                *r
            }
        })
        .collect();
    write(&bad);
    let refused = duban(db, &["tour", "import-scores", id, sheet.to_str().unwrap()]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("“形象进度”41 分不在 0–40 分之间"), "{err}");
    write(&rows);
    let out = ok(db, &["tour", "import-scores", id, sheet.to_str().unwrap()]);
    assert!(out.contains("评分表 10 张"), "{out}");
    let r = json(db, &["tour", "result", id, "--format", "json"]);
    let projects = r["projects"].as_array().unwrap();
    let row = |i: usize| {
        (
            projects[i]["code"].as_str().unwrap().to_string(),
            projects[i]["average"].as_str().unwrap().to_string(),
            projects[i]["rank"].as_u64().unwrap(),
            projects[i]["kept"].as_array().unwrap().len(),
        )
    };
    assert_eq!(row(0), (xm2.to_string(), "82".to_string(), 1, 3));
    assert_eq!(row(1), (xm1.to_string(), "81.67".to_string(), 2, 3));
    let table = ok(db, &["tour", "result", id]);
    assert!(table.contains("(100)") && table.contains("(70)"), "{table}");
    // Closed, no sheet changes; published only once closed, and once.
    let early = duban(db, &["tour", "publish", id]);
    assert!(String::from_utf8_lossy(&early.stderr).contains("先结束评分"));
    ok(db, &["tour", "close", id]);
    let late = duban(db, &["tour", "import-scores", id, sheet.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&late.stderr).contains("评分已结束"));
    assert!(ok(db, &["tour", "publish", id]).contains("已公布"));
    assert!(!duban(db, &["tour", "publish", id]).status.success());
}

/// The half-year assessment of the demo under the shipped scheme: each unit's inputs are the
/// published figures of `duban rank` for June (投资完成率 38.12% → 38.1), every criterion is
/// its base plus its terms, every total the sum of its criteria, the ranks follow the totals;
/// the .xlsx carries the explanation.
async fn the_half_year_assessment_explains_every_point(db: &TestDb) {
    let today = "2026-01-20";
    ok_on(db, today, &["demo", "--year", "2025"]);
    let read = |args: &[&str]| -> Value { serde_json::from_str(&ok_on(db, today, args)).unwrap() };
    let a = read(&[
        "assess", "--from", "2025-01", "--to", "2025-06", "--format", "json",
    ]);
    let rank = read(&["rank", "--period", "2025-06", "--format", "json"]);
    let d = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    let scores = a["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 10, "the demo's ten regions");
    for row in rank["table"]["rows"].as_array().unwrap() {
        let unit = row["unit"].as_str().unwrap();
        let cell = row["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["rate"] == "investment")
            .unwrap();
        let published = (d(&cell["percent"]) * 10.0).round() / 10.0;
        assert_eq!(
            d(&a["inputs"][unit]["investment_rate"]),
            published,
            "{unit}"
        );
    }
    // Reports not on time: each month's 报送及时率 denominator less its numerator, summed.
    let mut late: std::collections::BTreeMap<String, f64> = Default::default();
    for m in 1..=6 {
        let r = read(&[
            "rank",
            "--period",
            &format!("2025-0{m}"),
            "--format",
            "json",
        ]);
        for row in r["table"]["rows"].as_array().unwrap() {
            if let Some(c) = row["rates"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["rate"] == "on_time")
            {
                *late
                    .entry(row["unit"].as_str().unwrap().into())
                    .or_default() += d(&c["denominator"]) - d(&c["numerator"]);
            }
        }
    }
    assert!(late.values().any(|n| *n > 0.0), "{late:?}");
    for (unit, n) in &late {
        assert_eq!(d(&a["inputs"][unit]["reports_not_on_time"]), *n, "{unit}");
    }
    let mut last = f64::MAX;
    for u in scores {
        let mut sum = 0.0;
        for c in u["criteria"].as_array().unwrap() {
            let terms: f64 = c["terms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| d(&t["points"]))
                .sum();
            assert!(
                (d(&c["points"]) - d(&c["base"]) - terms).abs() < 1e-9,
                "{c}"
            );
            sum += d(&c["points"]);
        }
        assert!((d(&u["total"]) - sum).abs() < 1e-9, "{u}");
        assert!(d(&u["total"]) <= last, "ranked by total");
        last = d(&u["total"]);
    }
    assert_eq!(scores[0]["rank"], 1);
    // 加减分 by hand: the last unit's total moves by exactly the points, with its reason.
    let bottom = scores.last().unwrap();
    let unit = bottom["unit"].as_str().unwrap();
    let adjusted = read(&[
        "assess",
        "--from",
        "2025-01",
        "--to",
        "2025-06",
        "--format",
        "json",
        "--adjust",
        &format!("{unit}:-5:被市政府通报批评"),
    ]);
    let again = adjusted["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap();
    assert!((d(&again["total"]) - (d(&bottom["total"]) - 5.0)).abs() < 1e-9);
    assert_eq!(again["adjustments"][0]["reason"], "被市政府通报批评");
    let wrong = duban_on(
        db,
        today,
        &[
            "assess",
            "--from",
            "2025-01",
            "--to",
            "2025-06",
            "--adjust",
            "不存在县:-5:理由",
        ],
    );
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("不在本次考核的县区中"));
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("考核.xlsx");
    ok_on(
        db,
        today,
        &[
            "assess",
            "--from",
            "2025-01",
            "--to",
            "2025-06",
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
    );
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
    let range = book.worksheet_range("考核结果").unwrap();
    let text: String = range
        .rows()
        .flatten()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join("|");
    assert!(
        text.contains("投资完成·投资完成率") && text.contains(scores[0]["unit"].as_str().unwrap()),
        "{text}"
    );
    // Published: a snapshot, its first places proposed for 绩效库 and its last for 负面清单.
    let out = ok_on(
        db,
        today,
        &[
            "assess",
            "--from",
            "2025-01",
            "--to",
            "2025-06",
            "--publish",
        ],
    );
    assert!(out.contains("已发布考核结果"), "{out}");
    let proposed = read(&[
        "accountability",
        "list",
        "--state",
        "proposed",
        "--format",
        "json",
    ]);
    let proposed = proposed.as_array().unwrap();
    let first = scores[0]["unit"].as_str().unwrap();
    let of = |kind: &str, unit: &str| {
        proposed
            .iter()
            .find(|e| e["kind"] == kind && e["unit"] == unit)
            .map(|e| e["id"].as_i64().unwrap())
    };
    assert!(of("merit", first).is_some(), "{proposed:?}");
    let negative = of("negative", unit).expect("the last unit proposed for 负面清单");
    assert!(of("negative", first).is_none() && of("merit", unit).is_none());
    ok_on(
        db,
        today,
        &["accountability", "confirm", &negative.to_string()],
    );
    let twice = duban_on(
        db,
        today,
        &["accountability", "dismiss", &negative.to_string()],
    );
    assert!(!twice.status.success());
    // A 约谈 needs when and by whom.
    let bare = duban_on(
        db,
        today,
        &[
            "accountability",
            "record",
            "约谈",
            unit,
            "--reason",
            "上半年考核末位",
        ],
    );
    assert!(String::from_utf8_lossy(&bare.stderr).contains("约谈日期和约谈人"));
    ok_on(
        db,
        today,
        &[
            "accountability",
            "record",
            "约谈",
            unit,
            "--reason",
            "上半年考核末位",
            "--on",
            "2026-01-19",
            "--by",
            "常务副市长",
            "--outcome",
            "表态整改",
        ],
    );
    let register = read(&[
        "accountability",
        "list",
        "--unit",
        unit,
        "--state",
        "confirmed",
        "--format",
        "json",
    ]);
    let kinds: Vec<&str> = register
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["talk", "negative"]);
    // The year's scheme: the default until the office sets one; a term reading an unknown
    // figure refused.
    let shown = duban_on(db, today, &["scheme", "show", "2025"]);
    assert!(String::from_utf8_lossy(&shown.stderr).contains("尚未制定"));
    let toml = String::from_utf8_lossy(&shown.stdout).to_string();
    assert!(toml.contains("[[criterion]]"));
    let file = dir.path().join("方案.toml");
    std::fs::write(&file, toml.replace("tour_average", "tours_average")).unwrap();
    let refused = duban_on(
        db,
        today,
        &["scheme", "set", "2025", file.to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("tours_average"));
    std::fs::write(&file, toml.replacen("base = ", "base = 1", 1)).unwrap();
    ok_on(
        db,
        today,
        &["scheme", "set", "2025", file.to_str().unwrap()],
    );
    let shown = ok_on(db, today, &["scheme", "show", "2025"]);
    assert!(shown.contains("base = 1"), "{shown}");
}

duban_store::both_backends!(
    extract_a_speech,
    the_half_year_assessment_explains_every_point,
    a_tour_scored_on_paper,
    the_demo_is_reminded_once,
    rank_indicators_and_the_bulletin,
    quick_start_demo_then_list,
    real_shaped_ledgers_import_exactly,
    bad_input_leaves_database_unchanged,
    dry_run_writes_nothing,
    export_then_import_round_trip,
    a_narrower_sheet_updates_only_its_columns,
    reverse_scheduling_from_the_cli,
    report_then_status_shows_the_change,
    reporting_sheet_out_fill_in_import_and_status_changes,
    status_scenario_on_every_edge,
    a_ledgers_year_to_date_column_is_that_months_report,
    calendars_set_due_days_and_closed_months_take_no_reports,
    weekly_and_quarterly_cadences,
);

/// A speech of our own, saved as GB18030 text and as Word, extracted to JSONL with its
/// actors matched to the demo's directory.
async fn extract_a_speech(db: &TestDb) {
    ok(db, &["demo"]);
    let dir = tempfile::tempdir().unwrap();
    let speech = "在2025年全市项目建设推进会上的讲话\n同志们：\n由市发改委牵头，国土、财政等部门配合，10月底前完成储备项目梳理；各县（市、区）要在×月×日前上报开工计划。\n市统计局要按月通报入统情况。各级各部门要进一步提高认识。\n";
    let txt = dir.path().join("讲话.txt");
    std::fs::write(&txt, encoding_rs::GB18030.encode(speech).0).unwrap();
    let docx = dir.path().join("讲话.docx");
    let mut doc = docx_rs::Docx::new();
    for line in speech.lines() {
        doc = doc
            .add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text(line)));
    }
    doc.build()
        .pack(std::fs::File::create(&docx).unwrap())
        .unwrap();
    // Notepad's "Unicode": UTF-16 with its byte-order mark, blank lines before the title.
    let utf16 = dir.path().join("讲话（Unicode）.txt");
    let mut bytes = vec![0xFF, 0xFE];
    for u in format!("\n\n{speech}").encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    std::fs::write(&utf16, bytes).unwrap();
    for file in [&txt, &docx] {
        let out = ok(
            db,
            &["extract", file.to_str().unwrap(), "--format", "jsonl"],
        );
        let rows: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 3, "{out}");
        let first = &rows[0];
        assert_eq!(first["line"], 3);
        assert_eq!(first["tier"], "A");
        assert_eq!(first["deadline_text"], "10月底前");
        assert_eq!(
            first["deadline"], "2025-10-31",
            "the year read from the title"
        );
        assert_eq!(first["actors"][0]["name"], "市发改委");
        assert_eq!(first["actors"][0]["role"], "lead");
        assert_eq!(first["actors"][0]["unit"], "市发展和改革委员会");
        assert_eq!(first["actors"][1]["role"], "co");
        assert_eq!(first["actors"][1]["unit"], "市自然资源和规划局");
        let counties = &rows[1];
        assert_eq!(counties["deadline_text"], "×月×日前");
        assert_eq!(counties["deadline"], Value::Null);
        assert_eq!(counties["actors"][0]["units"].as_array().unwrap().len(), 10);
        assert_eq!(rows[2]["cadence"], "monthly");
        assert_eq!(rows[2]["actors"][0]["unit"], "市统计局");
    }
    let out = ok(
        db,
        &["extract", utf16.to_str().unwrap(), "--format", "jsonl"],
    );
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert_eq!(rows[0]["line"], 5, "two blank lines first");
    assert_eq!(
        rows[0]["deadline"], "2025-10-31",
        "the year found past the blank lines"
    );
    let bad_year = duban(db, &["extract", txt.to_str().unwrap(), "--year", "25"]);
    assert!(!bad_year.status.success());
    let table = ok(db, &["extract", txt.to_str().unwrap(), "--year", "2026"]);
    assert!(
        table.contains("2026-10-31") && table.contains("议定事项 3 条"),
        "{table}"
    );
    let bad = duban(
        db,
        &["extract", dir.path().join("讲话.doc").to_str().unwrap()],
    );
    assert!(!bad.status.success());
    // A file of two speeches of different years: each read in its own.
    let two = dir.path().join("两篇.txt");
    std::fs::write(
        &two,
        "第一篇\n在2023年全市经济工作会议上的讲话\n同志们：\n市统计局要在年底前完成普查。\n第二篇\n在2024年全市项目建设会议上的讲话\n同志们：\n市统计局要在6月底前完成核查。\n",
    )
    .unwrap();
    let out = ok(db, &["extract", two.to_str().unwrap(), "--format", "jsonl"]);
    let dates: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["deadline"].to_string())
        .collect();
    assert_eq!(dates, ["\"2023-12-31\"", "\"2024-06-30\""], "{out}");
    // A deployment's lexicon: a post this province uses is an actor.
    let words = dir.path().join("词表.toml");
    std::fs::write(&words, "posts = [\"驻村第一书记\"]\n").unwrap();
    let line = dir.path().join("驻村.txt");
    std::fs::write(&line, "驻村第一书记要在9月底前完成入户走访。\n").unwrap();
    let read = |lexicon: Option<&std::path::Path>| -> Value {
        let mut c = Command::new(env!("CARGO_BIN_EXE_duban"));
        c.args([
            "extract",
            line.to_str().unwrap(),
            "--format",
            "jsonl",
            "--year",
            "2025",
        ])
        .env("DUBAN_DATABASE_URL", &db.url)
        .env("DUBAN_TODAY", "2025-07-01");
        if let Some(p) = lexicon {
            c.env("DUBAN_ACTORS", p);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap()
    };
    assert_eq!(read(None)["tier"], "B", "unknown post: no one named");
    let with = read(Some(&words));
    assert_eq!(with["tier"], "A");
    assert_eq!(with["actors"][0]["name"], "驻村第一书记");
}

#[test]
fn help_explains_the_domain_words() {
    let out = Command::new(env!("CARGO_BIN_EXE_duban"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for word in ["台账", "责任单位", "包抓领导", "倒排工期", "万元"] {
        assert!(help.contains(word), "--help explains {word}");
    }
}

/// A dry run on a database file that does not exist yet reads the ledger against an empty
/// directory in memory: every try succeeds (it once failed with "no such table" when the
/// in-memory database was opened on several connections) and no file is created.
#[test]
fn a_dry_run_on_a_new_file_always_succeeds_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = support::wan_ledger(dir.path());
    for i in 0..5 {
        let db = dir.path().join(format!("new{i}.db"));
        let out = Command::new(env!("CARGO_BIN_EXE_duban"))
            .args(["import", "ledger", ledger.to_str().unwrap(), "--dry-run"])
            .env("DUBAN_DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("DUBAN_TODAY", "2025-07-01")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "try {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!db.exists(), "try {i}: a dry run creates no database");
    }
}

/// `items list --format csv`: a cell a spreadsheet would run as a formula comes out as text.
#[tokio::test]
async fn csv_cells_never_run_as_formulas() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    let mut item = duban_core::Item::new(2025, duban_core::ItemKind::Task, "=1+1", "白水县");
    item.code = "GZ1".into();
    item.owner = Some("+cmd|' /C calc'!A0".into());
    store
        .import_ledger(
            vec![duban_store::LedgerEntry::whole(item, None)],
            &duban_store::ImportOptions {
                actor: "test".into(),
                dry_run: false,
            },
        )
        .await
        .unwrap();
    store.close().await;
    let csv = ok(&db, &["items", "list", "--format", "csv"]);
    assert!(csv.contains("'=1+1"), "{csv}");
    assert!(!csv.contains(",=1+1"), "{csv}");
    assert!(!csv.contains(",+cmd"), "{csv}");
}

/// `duban items list | head -1`: the reader stops after the first line and duban ends
/// quietly (by the pipe's signal), not with a crash report on the terminal.
#[tokio::test]
async fn a_reader_that_stops_early_ends_the_listing_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let db = TestDb::sqlite();
    ok(&db, &["demo"]);
    let mut list = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["items", "list", "--format", "csv"])
        .env("DUBAN_DATABASE_URL", &db.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run duban");
    let mut first = [0u8; 64];
    list.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader is gone; 2,000 items' lines are more than the pipe holds.
    let out = list.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{err}");
}

/// The demo's units told by email through a real SMTP server (aiosmtpd): every message to a
/// unit with a mailbox in the 通讯录 arrives there once, with the message's title as subject;
/// a second run sends nothing.
#[tokio::test]
#[ignore = "needs python3-aiosmtpd"]
async fn the_demo_units_are_mailed_once() {
    use duban_testkit::smtp::{free_port, maildir, python, smtp_server};
    let python = python().expect("python3-aiosmtpd is needed");
    let db = TestDb::sqlite();
    let today = "2026-01-15";
    ok_on(&db, today, &["demo", "--year", "2025"]);
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("Maildir");
    let port = free_port();
    let _smtp = smtp_server(python, port, &mail).await;
    let remind = || {
        let out = Command::new(env!("CARGO_BIN_EXE_duban"))
            .args(["remind", "run", "--format", "json"])
            .env("DUBAN_DATABASE_URL", &db.url)
            .env("DUBAN_TODAY", today)
            .env("DUBAN_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let run = remind();
    let mut expected: Vec<(String, String)> = Vec::new();
    for m in run["reminders"]["messages"].as_array().unwrap() {
        for o in m["outbound"].as_array().unwrap() {
            if o["channel"] == "email" {
                expected.push((
                    o["address"].as_str().unwrap().to_string(),
                    m["title"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    expected.sort();
    assert!(
        expected.len() > 20 && expected.iter().all(|(a, _)| a.ends_with("@example.gov.cn")),
        "{expected:?}"
    );
    let mut got: Vec<(String, String)> = maildir(python, &mail)
        .iter()
        .map(|m| {
            (
                m["rcpt"].as_str().unwrap().to_string(),
                m["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);
    let again = remind();
    assert_eq!(again["reminders"]["new"].as_array().unwrap().len(), 0);
    assert_eq!(
        maildir(python, &mail).len(),
        expected.len(),
        "nothing sent twice"
    );
}
