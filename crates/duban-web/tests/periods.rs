//! Periods on the pages, on a fixed day (20 November 2025, `DUBAN_TODAY`, set once for this
//! whole test program before any app starts): the overview, the ranking and the bulletin of
//! the same period show the same figures and say which period and which 序时进度 they use; an
//! issued bulletin shows one date, as its 印发日期 and under its signature; and the ledger as
//! people work in it: filters, sortable columns and the export's status columns.

use duban_core::{Period, ReportDraft};
use duban_store::Submission;
use duban_store::testing::TestDb;
use duban_testkit::harness::{App, wan};

/// 20 November 2025: October is the last month whose reports are due (5 November).
fn fixed_day() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before this program's first app or clock read; every test calls this
    // first and the value never changes.
    ONCE.call_once(|| unsafe { std::env::set_var("DUBAN_TODAY", "2025-11-20") });
}

async fn october(app: &App) {
    let oct = Period::month(2025, 10).unwrap();
    for (code, unit, ytd) in [
        ("XM1", "白水县", "600"),
        ("XM2", "云台县", "960"),
        ("XM3", "市财政局", "300"),
    ] {
        let s = Submission {
            code: code.into(),
            period: oct,
            report: ReportDraft {
                ytd: Some(wan(ytd)),
                ..Default::default()
            },
            reason: None,
            submitted_on: chrono::NaiveDate::from_ymd_opt(2025, 11, 3).unwrap(),
        };
        app.store.submit_report(unit, s).await.unwrap();
    }
}

/// Every seeded item plans 1,200 万元 for the whole year: by 31 October 10/12 of it is due
/// (序时进度 83.3%). 白水县 has done 600 of 1,200 (50.0%); 云台县 960 + 300 of 2,400 (52.5%,
/// XM3 is there though 市财政局 leads it). On the 20th the overview is of October, not of
/// 20 November (88.9%), and agrees with October's ranking and bulletin.
async fn overview_ranking_and_bulletin_agree_on_the_period(db: &TestDb) {
    fixed_day();
    let app = App::start(db).await;
    october(&app).await;
    let mut office = app.signed_in("admin").await;
    let o = office.get("/api/dashboard").await.unwrap().json();
    assert_eq!(o["period"], "2025-10", "{o}");
    assert_eq!(o["period_end"], "2025-10-31");
    assert_eq!(o["schedule"], 83.3);
    let bar = |r: &str| {
        let b = o["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["region"] == r)
            .unwrap_or_else(|| panic!("{r}: {o}"))
            .clone();
        (
            b["completion"].as_f64().unwrap(),
            b["schedule"].as_f64().unwrap(),
        )
    };
    assert_eq!(bar("白水县"), (50.0, 83.3));
    assert_eq!(bar("云台县"), (52.5, 83.3));

    let t = office
        .get("/api/rankings?period=2025-10")
        .await
        .unwrap()
        .json();
    let row = |r: &str| {
        t["table"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["unit"] == r)
            .unwrap_or_else(|| panic!("{r}: {t}"))
            .clone()
    };
    for (region, completion) in [("白水县", "50.0"), ("云台县", "52.5")] {
        let r = row(region);
        let investment = r["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["rate"] == "investment")
            .unwrap()
            .clone();
        let one = |v: &serde_json::Value| {
            let d: rust_decimal::Decimal = v.as_str().unwrap().parse().unwrap();
            format!("{:.1}", duban_core::rates::one_decimal(d))
        };
        assert_eq!(one(&investment["percent"]), completion, "{r}");
        assert_eq!(one(&r["time_progress"]), "83.3", "{r}");
    }

    let page = office.get("/").await.unwrap().text();
    assert!(
        page.contains("统计期 <b>2025年10月</b>") && page.contains("全市 83.3%"),
        "{page}"
    );
    let page = office.get("/rankings?period=2025-10").await.unwrap().text();
    assert!(page.contains("截至 2025-10-31 应完成"), "{page}");
    let page = office.get("/bulletin?period=2025-10").await.unwrap().text();
    assert!(
        page.contains("占年度计划的51.7%") && page.contains("截至10月31日序时进度为83.3%"),
        "the city: 1,860 of 3,600; {page}"
    );
}

/// Issued on 20 November 2025: the page's 印发日期, the list's and the signature say so.
async fn an_issued_bulletin_has_one_date(db: &TestDb) {
    fixed_day();
    let app = App::start(db).await;
    october(&app).await;
    let mut office = app.signed_in("admin").await;
    let a = office
        .post_form("/bulletin/issue", &[("period", "2025-10")])
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.text().contains("印发日期 2025年11月20日"), "{}", a.text());
    let page = office.get("/bulletin?period=2025-10").await.unwrap().text();
    assert!(
        page.contains(r#"印发日期 <span id="issued-on">2025年11月20日</span>"#),
        "{page}"
    );
    assert!(
        page.contains("<td>2025年11月20日</td>"),
        "the list of issued bulletins: {page}"
    );
    // The signature: the issuer, then the date.
    assert!(page.contains("督查室<br>2025年11月20日</p>"), "{page}");
    let machine = chrono::Utc::now().date_naive();
    if machine != chrono::NaiveDate::from_ymd_opt(2025, 11, 20).unwrap() {
        assert!(
            !page.contains(&machine.format("%Y-%m-%d").to_string()),
            "no other date of issue (the machine's clock): {page}"
        );
    }
}

/// 青山区's project (李某, 专项债, 3,000 万元 planned) and a task 市发改委 was handed at a
/// meeting, beside the seeded three.
async fn more_items(app: &App) {
    use duban_core::{Item, ItemKind, Leader, Unit, UnitKind};
    let mut fgw = Unit::new("市发展和改革委员会", UnitKind::Department);
    fgw.aliases = vec!["市发改委".into()];
    app.store
        .ensure_units("test", &[fgw, Unit::new("青山区", UnitKind::Region)])
        .await
        .unwrap();
    let mut xm4 = Item::new(2025, ItemKind::Project, "青山区污水处理厂", "青山区");
    xm4.code = "XM4".into();
    xm4.region = Some("青山区".into());
    xm4.leader = Some(Leader::new("李某", Some("副市长")));
    xm4.tags = vec!["专项债".into()];
    xm4.total_investment = Some(wan("8000"));
    xm4.annual_plan = Some(wan("3000"));
    let mut gz1 = Item::new(2025, ItemKind::Task, "储备项目梳理", "市发改委");
    gz1.code = "GZ1".into();
    gz1.extra
        .insert("会议来源".into(), "全市项目建设调度会".into());
    let entries = vec![
        duban_store::LedgerEntry::whole(xm4, None),
        duban_store::LedgerEntry::whole(gz1, None),
    ];
    let options = duban_store::ImportOptions {
        actor: "test".into(),
        dry_run: false,
    };
    app.store.import_ledger(entries, &options).await.unwrap();
}

/// The codes of the ledger page's rows, in order.
fn codes(page: &str) -> Vec<String> {
    page.split("<td><a href=\"/items/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The ledger found by what people call units (发改委, 青山), by leader, year, meeting and tag;
/// sorted by a click on a column; exported with the status columns officials print.
async fn the_ledger_filters_sorts_and_exports_as_officials_print_it(db: &TestDb) {
    fixed_day();
    let app = App::start(db).await;
    more_items(&app).await;
    // XM1 reported October with words; a problem is open on it.
    let s = Submission {
        code: "XM1".into(),
        period: Period::month(2025, 10).unwrap(),
        report: ReportDraft {
            ytd: Some(wan("600")),
            progress_text: Some("主体结构完工".into()),
            problems: Some("资金未到位".into()),
            ..Default::default()
        },
        reason: None,
        submitted_on: chrono::NaiveDate::from_ymd_opt(2025, 11, 3).unwrap(),
    };
    app.store.submit_report("白水县", s).await.unwrap();
    let problem = duban_store::NewProblem {
        code: "XM1".into(),
        category: duban_core::ProblemCategory::Land,
        escalation: duban_core::Escalation::County,
        description: "用地手续未办结".into(),
        listed: false,
    };
    app.store
        .raise_problem("test", &duban_core::Role::Office, problem)
        .await
        .unwrap();
    let mut office = app.signed_in("admin").await;
    let mut list = async |q: &str| {
        let a = office.get(&format!("/items?{q}")).await.unwrap();
        (a.status.as_u16(), a.text())
    };
    for (q, want) in [
        ("unit=发改委", vec!["GZ1"]),
        ("unit=青山", vec!["XM4"]),
        ("leader=李某", vec!["XM2", "XM4"]),
        ("leader=王某（副市长）", vec!["XM1", "XM3"]),
        ("meeting=调度会", vec!["GZ1"]),
        ("tag=专项债", vec!["XM4"]),
        ("year=2025&unit=云台县", vec!["XM2", "XM3"]),
        ("year=2024", vec![]),
        ("sort=-plan", vec!["XM4", "XM1", "XM2", "XM3", "GZ1"]),
        ("sort=-code", vec!["XM4", "XM3", "XM2", "XM1", "GZ1"]),
    ] {
        let (status, page) = list(&encode_query(q)).await;
        assert_eq!(status, 200, "{q}: {page}");
        assert_eq!(codes(&page), want, "{q}");
    }
    // The headers sort: 年度计划 sorted ascending offers descending next.
    let (_, page) = list("sort=plan").await;
    assert!(
        page.contains("href=\"/items?sort=-plan\"") && page.contains("年度计划（万元）▲"),
        "{page}"
    );
    let (_, page) = list(&encode_query("unit=青山&sort=-plan")).await;
    let qs = duban_testkit::client::encode("青山");
    assert!(
        page.contains(&format!("href=\"/items?unit={qs}&amp;sort=plan\""))
            && page.contains("年度计划（万元）▼"),
        "the filter is kept, the direction turns: {page}"
    );
    // Refusals inside the layout, in words.
    let (status, page) = list("sort=drop%20table").await;
    assert_eq!(status, 422);
    assert!(page.contains("不能按") && page.contains("<nav"), "{page}");
    let (status, page) = list(&encode_query("unit=火星县")).await;
    assert_eq!(status, 422);
    assert!(page.contains("单位目录中没有“火星县”"), "{page}");

    // XM1's plan and XM2's (another unit's), due after today: the lamps stay as they are.
    for code in ["XM1", "XM2"] {
        let plan = vec![duban_core::Milestone {
            name: format!("{code}竣工验收"),
            planned: chrono::NaiveDate::from_ymd_opt(2025, 12, 31),
            actual: None,
            baseline: None,
        }];
        app.store
            .set_milestones("office", code, plan, duban_store::PlanAuthority::Office)
            .await
            .unwrap();
    }

    // The export: the rows listed, then 灯, 序时进度, 累计完成, 完成率, 形象进度, 存在问题.
    let x = office
        .get(&format!(
            "/items/export.xlsx?{}",
            encode_query("unit=白水县")
        ))
        .await
        .unwrap();
    assert_eq!(x.status, 200);
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(x.body.clone())).unwrap();
    let (rows, header) = sheet(&mut book, "台账", "项目名称");
    let h = &rows[header];
    let tail: Vec<&str> = h[h.len() - 6..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "灯",
            "序时进度",
            "累计完成（万元）",
            "完成率",
            "形象进度",
            "存在问题"
        ]
    );
    assert_eq!(rows.len(), header + 2, "白水县 has XM1 only");
    let xm1 = &rows[header + 1];
    // 20 November: 序时进度 (10 + 20/30) / 12 = 88.9%; 600 of 1,200 done: 50.0%, red.
    let cells: Vec<&str> = xm1[xm1.len() - 6..].iter().map(String::as_str).collect();
    assert_eq!(
        cells,
        [
            "红",
            "88.9%",
            "600",
            "50.0%",
            "主体结构完工",
            "用地手续未办结"
        ]
    );
    // Its 节点计划: XM1's chain alone.
    let (plan, at) = sheet(&mut book, "节点计划", "节点名称");
    let listed: Vec<(&str, &str)> = plan[at + 1..]
        .iter()
        .filter(|r| !r[0].is_empty())
        .map(|r| (r[0].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(listed, [("XM1", "XM1竣工验收")]);
}

/// A sheet of a workbook as text, and the row of its header (the one with `label`).
fn sheet<R: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<R>,
    name: &str,
    label: &str,
) -> (Vec<Vec<String>>, usize) {
    let range = calamine::Reader::worksheet_range(book, name).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = rows
        .iter()
        .position(|r| r.iter().any(|c| c == label))
        .unwrap();
    (rows, header)
}

/// A query string with its values percent-encoded.
fn encode_query(q: &str) -> String {
    q.split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => format!("{k}={}", duban_testkit::client::encode(v)),
            None => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

duban_store::both_backends!(
    overview_ranking_and_bulletin_agree_on_the_period,
    an_issued_bulletin_has_one_date,
    the_ledger_filters_sorts_and_exports_as_officials_print_it,
);
