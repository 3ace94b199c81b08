//! The scoring rules of real schemes (domain.md), written as a scheme and computed by hand.

use super::*;

/// The rules of domain.md as an office would write them.
const SCHEME: &str = r#"
name = "重点项目考核（示例）"

[[criterion]]
name = "计划完成"
base = 40

[[criterion.term]]
label = "投资完成率"
input = "investment_rate"
rule = "segments"
anchor = 100
cap = 10
segments = [
  { to = 100, per = 0.1 },
  { from = 100, to = 130, per = 0.2 },
  { from = 130, per = 0.1 },
]

[[criterion.term]]
label = "完成率名次"
input = "investment_rate"
rule = "rank"
ranks = [
  { from = 1, to = 3, points = 7 },
  { from = 4, to = 6, points = 5 },
  { from = 7, to = 10, points = 3 },
]

[[criterion]]
name = "项目开工"
base = 25

[[criterion.term]]
label = "开工项目"
input = "started"
rule = "per_unit"
per = 1
cap = 10

[[criterion.term]]
label = "开工率"
input = "start_rate"
rule = "threshold"
at_least = 80
points = 5

[[criterion.term]]
label = "未按时开工或入库"
input = "not_started"
rule = "per_unit"
per = -3

[[criterion]]
name = "督办落实"

[[criterion.term]]
label = "按时办结"
input = "tasks_on_time"
rule = "per_unit"
per = 1

[[criterion.term]]
label = "逾期办结"
input = "tasks_late"
rule = "per_unit"
per = -1

[[criterion.term]]
label = "被退回"
input = "tasks_sent_back"
rule = "per_unit"
per = -2

[[criterion.term]]
label = "未报送"
input = "reports_missing"
rule = "per_unit"
per = -10

[[criterion]]
name = "项目体量"

[[criterion.term]]
label = "年度计划投资"
input = "annual_plan_yi"
rule = "bands"
bands = [
  { from = 10, points = 20 },
  { from = 5, to = 10, points = 10 },
  { from = 1, to = 5, points = 6 },
  { to = 1, points = 3 },
]
"#;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn inputs(rows: &[(&str, &[(&str, &str)])]) -> Inputs {
    rows.iter()
        .map(|(u, fs)| {
            (
                u.to_string(),
                fs.iter().map(|(k, v)| (k.to_string(), d(v))).collect(),
            )
        })
        .collect()
}

fn unit<'a>(scores: &'a [UnitScore], name: &str) -> &'a UnitScore {
    scores.iter().find(|u| u.unit == name).unwrap()
}

fn criterion<'a>(u: &'a UnitScore, name: &str) -> &'a CriterionScore {
    u.criteria.iter().find(|c| c.name == name).unwrap()
}

fn term<'a>(u: &'a UnitScore, label: &str) -> &'a TermScore {
    u.criteria
        .iter()
        .flat_map(|c| &c.terms)
        .find(|t| t.label == label)
        .unwrap()
}

/// Six units at the edges of each rule:
/// - 投资完成率 130 → +30×0.2 = +6; 95 → −5×0.1 = −0.5; 150 → +6 +20×0.1 = +8;
///   250 → +6 +120×0.1 = +18, held at +10; 0 → −100×0.1 = −10 (the cap, exactly); 甲 and
///   己 both 130.
/// - Ranks by the rate: 丁 1, 丙 2, 甲 and 己 3 (tied; both 7), 乙 5 (5), 戊 6 (5).
/// - 开工 for 甲: 12 started → +10 (cap), rate 80 → +5 (the threshold exactly), 2 not started
///   → −6; for 乙: 3 → +3, rate 79.9 → 0.
/// - 督办 for 甲: 4 on time +4, 1 late −1, 1 sent back −2, 1 report missing −10 → −9.
/// - 体量: 甲 12亿 → 20; 乙 10亿 → 20 (from is inclusive); 丙 9.99 → 10; 丁 1 → 6;
///   戊 0.5 → 3; 己 none → 0.
/// - 乙 −5 by hand (通报批评).
#[test]
fn domain_rules_at_their_edges() {
    let scheme = Scheme::from_toml(SCHEME).unwrap();
    let rate = |v| ("investment_rate", v);
    let plan = |v| ("annual_plan_yi", v);
    let inputs = inputs(&[
        (
            "甲县",
            &[
                rate("130"),
                ("started", "12"),
                ("start_rate", "80"),
                ("not_started", "2"),
                ("tasks_on_time", "4"),
                ("tasks_late", "1"),
                ("tasks_sent_back", "1"),
                ("reports_missing", "1"),
                plan("12"),
            ],
        ),
        (
            "乙县",
            &[
                rate("95"),
                ("started", "3"),
                ("start_rate", "79.9"),
                ("not_started", "0"),
                plan("10"),
            ],
        ),
        ("丙县", &[rate("150"), plan("9.99")]),
        ("丁县", &[rate("250"), plan("1")]),
        ("戊县", &[rate("0"), plan("0.5")]),
        ("己县", &[rate("130")]),
    ]);
    let adjustments = [Adjustment {
        unit: "乙县".into(),
        points: d("-5"),
        reason: "被市政府通报批评".into(),
    }];
    let scores = assess(&scheme, &inputs, &adjustments);

    let plan_points = |u: &str| criterion(unit(&scores, u), "计划完成").points;
    assert_eq!(plan_points("甲县"), d("53"));
    assert_eq!(plan_points("乙县"), d("44.5"));
    assert_eq!(plan_points("丙县"), d("55"));
    assert_eq!(plan_points("丁县"), d("57"));
    assert_eq!(plan_points("戊县"), d("35"));
    assert_eq!(plan_points("己县"), d("53"));
    assert!(
        term(unit(&scores, "丁县"), "投资完成率")
            .why
            .contains("封顶")
    );
    assert!(
        !term(unit(&scores, "戊县"), "投资完成率")
            .why
            .contains("封顶")
    );
    let rank = term(unit(&scores, "己县"), "完成率名次");
    assert_eq!(rank.points, d("7"));
    assert!(
        rank.why.contains("第 3 名") && rank.why.contains("并列"),
        "{}",
        rank.why
    );
    assert_eq!(term(unit(&scores, "乙县"), "完成率名次").points, d("5"));
    assert!(
        term(unit(&scores, "乙县"), "完成率名次")
            .why
            .contains("第 5 名")
    );

    let starts = |u: &str| criterion(unit(&scores, u), "项目开工").points;
    assert_eq!(starts("甲县"), d("34"));
    assert_eq!(starts("乙县"), d("28"));
    assert_eq!(starts("丙县"), d("25"), "no figures: the base alone");
    assert_eq!(
        term(unit(&scores, "丙县"), "开工项目").why,
        "无数据，不计分"
    );

    assert_eq!(criterion(unit(&scores, "甲县"), "督办落实").points, d("-9"));
    let size = |u: &str| criterion(unit(&scores, u), "项目体量").points;
    assert_eq!(
        ["甲县", "乙县", "丙县", "丁县", "戊县", "己县"].map(size),
        ["20", "20", "10", "6", "3", "0"].map(d)
    );

    // Totals: 甲 53+34−9+20 = 98; 乙 44.5+28+0+20−5 = 87.5; 丙 55+25+10 = 90;
    // 丁 57+25+6 = 88; 戊 35+25+3 = 63; 己 53+25 = 78.
    let table: Vec<(&str, Decimal, u32)> = scores
        .iter()
        .map(|u| (u.unit.as_str(), u.total, u.rank))
        .collect();
    assert_eq!(
        table,
        [
            ("甲县", d("98"), 1),
            ("丙县", d("90"), 2),
            ("丁县", d("88"), 3),
            ("乙县", d("87.5"), 4),
            ("己县", d("78"), 5),
            ("戊县", d("63"), 6),
        ]
    );
    // Every point explained: the terms make each criterion, the criteria and adjustments the
    // total.
    for u in &scores {
        for c in &u.criteria {
            assert_eq!(
                c.points,
                c.base + c.terms.iter().map(|t| t.points).sum::<Decimal>()
            );
            assert!(c.terms.iter().all(|t| !t.why.is_empty()));
        }
        let sum = u.criteria.iter().map(|c| c.points).sum::<Decimal>()
            + u.adjustments.iter().map(|a| a.points).sum::<Decimal>();
        assert_eq!(u.total, sum, "{}", u.unit);
    }
    assert_eq!(
        unit(&scores, "乙县").adjustments[0].reason,
        "被市政府通报批评"
    );
}

#[test]
fn equal_totals_share_a_rank() {
    let scheme = Scheme::from_toml(SCHEME).unwrap();
    let scores = assess(
        &scheme,
        &inputs(&[
            ("甲县", &[("tasks_on_time", "2")]),
            ("乙县", &[("tasks_on_time", "2")]),
            ("丙县", &[("tasks_on_time", "1")]),
        ]),
        &[],
    );
    let ranks: Vec<(&str, u32)> = scores.iter().map(|u| (u.unit.as_str(), u.rank)).collect();
    assert_eq!(ranks, [("乙县", 1), ("甲县", 1), ("丙县", 3)]);
}

#[test]
fn a_wrong_scheme_is_named() {
    let bad = SCHEME.replace(
        "{ from = 100, to = 130, per = 0.2 }",
        "{ from = 130, to = 100, per = 0.2 }",
    );
    let e = Scheme::from_toml(&bad).unwrap_err().to_string();
    assert!(
        e.contains("计划完成") && e.contains("投资完成率") && e.contains("from < to"),
        "{e}"
    );
    let e = Scheme::from_toml("name = \"空\"").unwrap_err().to_string();
    assert!(e.contains("没有考核指标"), "{e}");
    let e = Scheme::from_toml(&SCHEME.replace("per = -10", "per = \"十\"")).unwrap_err();
    assert!(e.to_string().contains("无法读取"), "{e}");
    // Written back and read again, the same scheme.
    let s = Scheme::from_toml(SCHEME).unwrap();
    assert_eq!(Scheme::from_toml(&s.to_toml()).unwrap(), s);
}

#[test]
fn the_shipped_scheme_reads() {
    let s = Scheme::default();
    assert_eq!(s.criteria.len(), 4);
    assert_eq!(
        s.criteria.iter().map(|c| c.base).sum::<Decimal>(),
        d("85"),
        "40 + 25 + 20 + 0 before the terms"
    );
}

#[test]
fn the_document_ranks_and_explains() {
    let scheme = Scheme::from_toml(SCHEME).unwrap();
    let scores = assess(
        &scheme,
        &inputs(&[
            ("甲县", &[("tasks_on_time", "2")]),
            ("乙县", &[("tasks_on_time", "1")]),
        ]),
        &[],
    );
    let p = |s| crate::Period::parse(s).unwrap();
    let doc = document(
        &scheme,
        &scores,
        "示范市人民政府督查室",
        (p("2025-01"), p("2025-06")),
        "县区",
        chrono::NaiveDate::from_ymd_opt(2025, 7, 10).unwrap(),
    );
    assert_eq!(
        doc.title,
        "关于2025年1月至2025年6月重点项目考核（示例）结果的通报"
    );
    let crate::bulletin::Block::Table(t) = &doc.parts[0].blocks[1] else {
        panic!("the table");
    };
    assert_eq!(t.header[..3], ["名次", "县区", "总分"]);
    // 甲县 65 + 2 = 67 (40 + 25 + 2 + 0 without figures), 乙县 66.
    assert_eq!(t.rows[0][..3], ["1", "甲县", "67"]);
    assert_eq!(t.rows[1][..3], ["2", "乙县", "66"]);
    let text = serde_json::to_string(&doc.parts[1]).unwrap();
    assert!(
        text.contains("（一）甲县：67 分") && text.contains("按时办结：2 个 × +1 = +2"),
        "{text}"
    );
    assert_eq!(chinese_ordinal(12), "十二");
    assert_eq!(chinese_ordinal(30), "三十");
}

#[test]
fn a_scheme_with_open_bounds_survives_a_published_snapshot() {
    // A published assessment keeps its scheme as JSON, where a missing bound is `null`.
    let s = Scheme::from_toml(
        r#"name = "观摩"
[[criterion]]
name = "项目推进"
base = 60
[[criterion.term]]
label = "观摩评比"
input = "tour_average"
rule = "bands"
bands = [{ from = 80, points = 20 }, { to = 80, points = 0 }]
"#,
    )
    .unwrap();
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("null"), "{json}");
    let back: Scheme = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    let default = Scheme::default();
    let back: Scheme = serde_json::from_str(&serde_json::to_string(&default).unwrap()).unwrap();
    assert_eq!(back, default);
}
