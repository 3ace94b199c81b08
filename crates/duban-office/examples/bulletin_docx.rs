//! Writes a sample bulletin (通报) as .docx, to open in Word, WPS or LibreOffice and look at
//! the layout: `cargo run -p duban-office --example bulletin_docx -- /tmp/docxlook/sample.docx`.

use chrono::NaiveDate;
use duban_core::bulletin::{Block, Bulletin, DEFAULT_REQUIREMENTS, Part, Table};
use duban_core::report::Period;
use duban_office::bulletin_docx::bulletin_docx;

const REGIONS: [&str; 12] = [
    "东城区",
    "西湖县",
    "南山县",
    "北塘区",
    "青河县",
    "云岭县",
    "白沙县",
    "石门县",
    "长宁区",
    "新桥县",
    "高新技术产业开发区",
    "经济技术开发区",
];

/// How many red items the sample lists, as many as a bulletin names.
const RED_ITEMS: usize = 30;

const HEADER: [&str; 13] = [
    "序号",
    "地区",
    "项目数",
    "年度计划（亿元）",
    "累计完成（亿元）",
    "投资完成率",
    "序时进度",
    "开工率",
    "节点完成率",
    "报送及时率",
    "综合得分",
    "排名",
    "升降",
];

/// 二、各地区推进情况 — the 13-column region table, one row a region.
fn region_table() -> Table {
    let rows = REGIONS
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let plan = 40.0 - i as f64 * 1.7;
            let done = plan * (0.62 - i as f64 * 0.03);
            vec![
                (i + 1).to_string(),
                region.to_string(),
                (18 - i).to_string(),
                format!("{plan:.2}"),
                format!("{done:.2}"),
                format!("{:.1}%", done / plan * 100.0),
                "50%".into(),
                format!("{:.1}%", 100.0 - i as f64 * 4.5),
                format!("{:.1}%", 95.0 - i as f64 * 3.0),
                "100%".into(),
                format!("{:.1}", 92.0 - i as f64 * 2.6),
                (i + 1).to_string(),
                ["↑1", "↓1", "—", "↑2", "↓2", "—"][i % 6].into(),
            ]
        })
        .collect();
    Table {
        title: "1—6月各地区重点项目推进情况".into(),
        header: HEADER.map(String::from).to_vec(),
        rows,
    }
}

/// 四、严重滞后项目 — a table with running text in its last column, long enough to run onto
/// the next page (its header row repeats there).
fn red_table() -> Table {
    let reasons = [
        "征迁工作推进缓慢，用地手续尚未办结",
        "资金未到位",
        "设计方案调整，施工单位尚未进场，需协调市自然资源和规划局加快审批",
    ];
    Table {
        title: "严重滞后项目名单".into(),
        header: ["序号", "项目名称", "责任单位", "滞后（百分点）", "原因"]
            .map(String::from)
            .to_vec(),
        rows: (0..RED_ITEMS)
            .map(|i| {
                vec![
                    (i + 1).to_string(),
                    format!("{}城市更新改造项目（{}期）", REGIONS[i % 12], i / 12 + 1),
                    REGIONS[i % 12].into(),
                    format!("{:.1}", 72.5 - i as f64 * 1.3),
                    reasons[i % 3].into(),
                ]
            })
            .collect(),
    }
}

fn paragraph(text: &str) -> Block {
    Block::Paragraph { text: text.into() }
}

fn sample() -> Bulletin {
    Bulletin {
        title: "关于2025年1—6月全市重点项目推进情况的通报".into(),
        issuer: "示范市人民政府督查室".into(),
        number: Some("第3期".into()),
        period: Period::month(2025, 6).expect("June"),
        date: NaiveDate::from_ymd_opt(2025, 7, 8).expect("a date"),
        recipients: "各县（市、区）人民政府，市政府各部门：".into(),
        parts: vec![
            Part {
                heading: "一、总体情况".into(),
                blocks: vec![
                    paragraph(
                        "1—6月，全市纳入调度的重点项目和重点工作共186个，累计完成投资236.48亿元，占年度计划的47.2%，低于序时进度2.8个百分点。",
                    ),
                    paragraph(
                        "新开工项目应开工42个、已开工35个，开工率83.3%；计划竣工项目应竣工12个、已竣工9个，竣工率75%；到期节点318个、按期完成271个，节点完成率85.2%；应报进度186个、按时报送179个，报送及时率96.2%；到期问题64个、已销号51个，问题销号率79.7%。",
                    ),
                ],
            },
            Part {
                heading: "二、各地区推进情况".into(),
                blocks: vec![
                    paragraph(
                        "综合得分按投资完成率40%、开工率20%、节点完成率20%、报送及时率20%加权计算（各项比率以100%封顶，无数据的比率不计入）。各地区情况如下表。",
                    ),
                    Block::Table(region_table()),
                ],
            },
            Part {
                heading: "三、先进与后进".into(),
                blocks: vec![
                    Block::Heading {
                        text: "（一）进展较快的地区".into(),
                    },
                    paragraph(
                        "投资完成率排名前三位的是：东城区（62.0%）、西湖县（59.0%）、南山县（56.0%）。综合排名前三位的是：东城区（92.0分）、西湖县（89.4分）、南山县（86.8分）。",
                    ),
                    Block::Heading {
                        text: "（二）进展滞后的地区".into(),
                    },
                    paragraph(
                        "投资完成率低于全市平均水平（47.2%）的有：长宁区（35.0%）、新桥县（32.0%）、高新技术产业开发区（29.0%）、经济技术开发区（26.0%）。经济技术开发区连续2期投资完成率排名后3位，按规定由市政府督查室约谈其主要负责同志。",
                    ),
                ],
            },
            Part {
                heading: "四、严重滞后项目".into(),
                blocks: vec![
                    paragraph(&format!(
                        "截至2025年6月30日，全市亮红灯（严重滞后）的项目共{RED_ITEMS}个，名单如下。"
                    )),
                    Block::Table(red_table()),
                ],
            },
            Part {
                heading: "五、下步工作要求".into(),
                blocks: DEFAULT_REQUIREMENTS.lines().map(paragraph).collect(),
            },
        ],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bulletin-sample.docx".into());
    std::fs::write(&path, bulletin_docx(&sample())?)?;
    println!("{path}");
    Ok(())
}
