//! The bulletin composed from hand-computed figures reads the same in every format: its
//! sentences in the model, its tables in Markdown and HTML.

use chrono::NaiveDate;
use duban_core::bulletin::{Block, Bulletin, BulletinFacts, DEFAULT_REQUIREMENTS, compose};
use duban_core::ranking::{RankingRules, rank, with_previous};
use duban_core::rates::{Rate, RateFacts, Tally, tally_item};
use duban_core::{Item, ItemKind, Period, PlanDate, ReportState, Stage, Wan};
use rust_decimal::Decimal;

fn june() -> Period {
    Period::month(2025, 6).unwrap()
}

fn paragraphs(b: &Bulletin) -> Vec<&str> {
    b.parts
        .iter()
        .flat_map(|p| &p.blocks)
        .filter_map(|b| match b {
            Block::Paragraph { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// A continued project spanning the whole year (序时进度 50% at the end of June) with its
/// annual plan and June's year-to-date, in 万元.
fn tally(items: &[(i64, i64)]) -> Tally {
    let mut t = Tally::default();
    for (annual, ytd) in items {
        let mut item = Item::new(2025, ItemKind::Project, "项目", "x");
        item.stage = Some(Stage::UnderConstruction);
        item.planned_start = PlanDate::month(2024, 3);
        item.planned_end = PlanDate::month(2026, 6);
        item.annual_plan = Some(Wan::from_yuan(annual * 10_000));
        let trail = [(june().last_day(), Wan::from_yuan(ytd * 10_000))];
        let f = RateFacts {
            item: &item,
            milestones: &[],
            ytd: &trail,
            report: ReportState::OnTime,
        };
        t.add(&tally_item(&f, june().last_day()));
    }
    t
}

#[test]
fn sentences_match_hand_computed_figures() {
    // A县 764/2000 = 38.2%; B区 700/2000 = 35.0%; C县 and D县 600/1000 = 60.0% (a tie);
    // E县 has no items. City: 2664/6000 万元... scaled ×100: 26.64亿元, 44.4%.
    let regions: Vec<(String, Tally)> = vec![
        ("A县".into(), tally(&[(100_000, 40_000), (100_000, 36_400)])),
        ("B区".into(), tally(&[(200_000, 70_000)])),
        ("C县".into(), tally(&[(100_000, 60_000)])),
        ("D县".into(), tally(&[(100_000, 60_000)])),
        ("E县".into(), Tally::default()),
    ];
    let mut overall = Tally::default();
    for (_, t) in &regions {
        overall.add(t);
    }
    let rules = RankingRules::default();
    let values = |m: duban_core::ranking::Measure| -> Vec<(String, Option<Decimal>)> {
        regions
            .iter()
            .map(|(u, t)| (u.clone(), m.value(t, &rules)))
            .collect()
    };
    let investment = rank(
        &values(duban_core::ranking::Measure::Rate(Rate::Investment)),
        true,
    );
    let before = rank(
        &[("A县", 1), ("B区", 2), ("C县", 3), ("D县", 4)]
            .map(|(u, v)| (u.to_string(), Some(Decimal::from(v)))),
        true,
    );
    let investment = with_previous(investment, &before);
    let composite = with_previous(
        rank(&values(duban_core::ranking::Measure::COMPOSITE), true),
        &before,
    );
    let called_in = vec!["B区".to_string()];
    let facts = BulletinFacts {
        city: "示范市",
        issuer: "示范市人民政府督查室",
        period: june(),
        date: NaiveDate::from_ymd_opt(2025, 7, 8).unwrap(),
        rules: &rules,
        overall: &overall,
        regions: &regions,
        composite: &composite,
        investment: &investment,
        called_in: &called_in,
        red_count: 0,
        red_items: &[],
        problems: &[],
        escalated_count: 0,
        escalated: &[],
        indicators: &[],
        requirements: "",
    };
    let b = compose(&facts);
    assert_eq!(b.title, "关于2025年1—6月全市重点项目推进情况的通报");
    let p = paragraphs(&b);
    assert_eq!(
        p[0],
        "1—6月，全市纳入调度的重点项目和重点工作共5个，累计完成投资26.64亿元，占年度计划的44.4%，低于序时进度5.6个百分点（截至6月30日序时进度为50.0%）。"
    );
    assert!(p[1].starts_with("暂无新开工项目应开工；"), "{}", p[1]);
    assert!(
        p[1].contains("应报送进度5个、按时报送5个，报送及时率100.0%"),
        "{}",
        p[1]
    );
    let well = p
        .iter()
        .find(|s| s.starts_with("投资完成率排名前三位"))
        .unwrap();
    assert!(
        well.starts_with("投资完成率排名前三位的是：C县（60.0%）、D县（60.0%）、A县（38.2%）。"),
        "{well}"
    );
    assert!(
        well.contains("投资完成率达到或超过序时进度的有：C县（60.0%）、D县（60.0%）"),
        "{well}"
    );
    let lag = p.iter().find(|s| s.starts_with("投资完成率低于")).unwrap();
    assert!(
        lag.starts_with("投资完成率低于全市平均水平（44.4%）的有：A县（38.2%）、B区（35.0%）。"),
        "{lag}"
    );
    assert!(lag.contains("E县本期无可计算投资完成率的项目"), "{lag}");
    assert!(
        lag.contains(
            "B区连续2期投资完成率排名后3位，按规定由示范市人民政府督查室约谈其主要负责同志。"
        ),
        "{lag}"
    );
    // The table: ranked regions first, E县 last with no data; movement against before.
    let table = b.parts[1]
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap();
    assert!(table.rows.iter().all(|r| r.len() == table.header.len()));
    assert_eq!(table.header[0], "地区");
    let row = |u: &str| table.rows.iter().find(|r| r[0] == u).unwrap();
    // Last period D县 was first, C县 second, B区 third, A县 fourth.
    assert_eq!(row("C县")[10..], ["1".to_string(), "↑1".into()]);
    assert_eq!(row("D县")[10..], ["1".to_string(), "—".into()]);
    assert_eq!(row("B区")[10..], ["4".to_string(), "↓1".into()]);
    assert_eq!(row("A县")[4..6], ["38.2%".to_string(), "50.0%".into()]);
    assert_eq!(row("A县")[10..], ["3".to_string(), "↑1".into()]);
    assert_eq!(
        table.rows.last().unwrap()[0..5],
        [
            "E县".to_string(),
            "0".into(),
            "—".into(),
            "—".into(),
            "无数据".into()
        ]
    );
    assert_eq!(row("E县")[10], "—");
    // The default requirements close it, and every format carries the same words.
    assert_eq!(b.parts.last().unwrap().heading, "六、下步工作要求");
    assert_eq!(b.requirements(), DEFAULT_REQUIREMENTS);
    assert!(
        duban_app::bulletin::markdown(&b).contains("| C县 | 1 | 10.00 | 6.00 | 60.0% |"),
        "{}",
        duban_app::bulletin::markdown(&b)
    );
    assert!(duban_app::bulletin::html(&b).contains("<td>A县</td>"));
    assert!(
        duban_app::bulletin::html(&b)
            .contains("投资完成率低于全市平均水平（44.4%）的有：A县（38.2%）、B区（35.0%）。")
    );
}
