//! Periods on the pages, on a fixed day (20 November 2025, `DUBAN_TODAY`, set once for this
//! whole test program before any app starts): the overview, the ranking and the bulletin of
//! the same period show the same figures and say which period and which 序时进度 they use; an
//! issued bulletin shows one date, as its 印发日期 and under its signature.

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

duban_store::both_backends!(
    overview_ranking_and_bulletin_agree_on_the_period,
    an_issued_bulletin_has_one_date,
);
