//! Ledger fixtures shaped like the ones cities really keep, written as real .xlsx files.
//! Shared by the office tests and the CLI tests (`#[path]`-included). Made for duban; no
//! sentence or figure here comes from a real ledger.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A county ledger in 万元: title and note rows, a two-row header with merged cells, section
/// rows, a subtotal and a total, dates in five forms, numbers typed as text, footnotes.
pub fn wan_ledger(dir: &Path) -> PathBuf {
    let path = dir.join("2025年重点项目台账（万元）.xlsx");
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("重点项目").unwrap();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let plain = Format::new();
    s.merge_range(0, 0, 0, 14, "2025年全市重点项目建设推进台账", &plain)
        .unwrap();
    s.write(1, 0, "填报单位：市重点项目推进办").unwrap();
    s.write(1, 13, "单位：万元").unwrap();
    // Two-row header: most cells merged down, two groups merged across.
    let down = [
        "序号",
        "项目编号",
        "项目名称",
        "建设单位",
        "建设性质",
        "建设规模及内容",
    ];
    for (c, h) in down.iter().enumerate() {
        s.merge_range(2, c as u16, 3, c as u16, h, &plain).unwrap();
    }
    s.merge_range(2, 6, 2, 7, "投资情况", &plain).unwrap();
    s.write(3, 6, "总投资").unwrap();
    s.write(3, 7, "2025年计划投资").unwrap();
    s.merge_range(2, 8, 2, 9, "建设年限", &plain).unwrap();
    s.write(3, 8, "开工时间").unwrap();
    s.write(3, 9, "竣工时间").unwrap();
    for (c, h) in [
        (10, "责任单位"),
        (11, "市级包抓领导"),
        (12, "项目阶段"),
        (13, "是否纳入统计"),
        (14, "资金来源"),
    ] {
        s.merge_range(2, c, 3, c, h, &plain).unwrap();
    }
    s.merge_range(4, 0, 4, 14, "一、白水县（3个）", &plain)
        .unwrap();
    // Row 6 (index 5): a serial date, numbers as numbers.
    s.write(5, 0, 1).unwrap();
    s.write(5, 1, "XM2025001").unwrap();
    s.write(5, 2, "白水县新型建材产业园项目").unwrap();
    s.write(5, 3, "白水建材有限公司").unwrap();
    s.write(5, 4, "新建").unwrap();
    s.write(5, 5, "建设厂房8万平方米，年产建材50万吨").unwrap();
    s.write(5, 6, 52000).unwrap();
    s.write(5, 7, 18000.5).unwrap();
    s.write_datetime_with_format(
        5,
        8,
        ExcelDateTime::from_ymd(2025, 3, 15).unwrap(),
        &date_fmt,
    )
    .unwrap();
    s.write(5, 9, "2026年10月").unwrap();
    s.write(5, 10, "白水县、市发改委，市工信局").unwrap();
    s.write(5, 11, "王某（副市长）").unwrap();
    s.write(5, 12, "在建").unwrap();
    s.write(5, 13, "是").unwrap();
    s.write(5, 14, "企业自筹").unwrap();
    // Row 7: numbers typed as text with separators, "2025.4" as text, "2025-12" month.
    s.write(6, 0, 2).unwrap();
    s.write(6, 1, "XM2025002").unwrap();
    s.write(6, 2, "白水县城区污水处理厂提标改造工程").unwrap();
    s.write(6, 3, "白水水务公司").unwrap();
    s.write(6, 4, "改建").unwrap();
    s.write(6, 6, "12,345.67").unwrap();
    s.write(6, 7, " 6,000 ").unwrap();
    s.write(6, 8, "2025.4").unwrap();
    s.write(6, 9, "2025-12").unwrap();
    s.write(6, 10, "白水县").unwrap();
    s.write(6, 11, "李某(副市长)").unwrap();
    s.write(6, 12, "新开工").unwrap();
    s.write(6, 13, "否").unwrap();
    s.write(6, 14, "专项债").unwrap();
    // Row 8: "2025-03-15" text day, "2025.3" typed as a number.
    s.write(7, 0, 3).unwrap();
    s.write(7, 1, "XM2025003").unwrap();
    s.write(7, 2, "白水县人民医院新院区建设项目").unwrap();
    s.write(7, 4, "续建").unwrap();
    s.write(7, 6, 80000).unwrap();
    s.write(7, 7, 20000).unwrap();
    s.write(7, 8, 2024.3).unwrap();
    s.write(7, 9, "2025-12-31").unwrap();
    s.write(7, 10, "白水县").unwrap();
    s.write(7, 11, "王某（副市长）").unwrap();
    s.write(7, 12, "续建").unwrap();
    s.write(7, 13, "是").unwrap();
    s.write(8, 2, "小计").unwrap();
    s.write(8, 6, 144345.67).unwrap();
    s.write(8, 7, 44000.5).unwrap();
    s.merge_range(9, 0, 9, 14, "二、云台县（2个）", &plain)
        .unwrap();
    // Row 11: no code; the section gives the region and the unit column names co-units.
    s.write(10, 0, 1).unwrap();
    s.write(10, 2, "云台县农村公路提质改造工程").unwrap();
    s.write(10, 6, "3,600").unwrap();
    s.write(10, 7, "1,200").unwrap();
    s.write(10, 8, "2025年5月").unwrap();
    s.write(10, 9, "2025年11月").unwrap();
    s.write(10, 10, "云台县；市交通运输局").unwrap();
    s.write(10, 12, "拟开工").unwrap();
    s.write(11, 0, 2).unwrap();
    s.write(11, 1, "XM2025005").unwrap();
    s.write(11, 2, "云台县光伏储能一体化项目").unwrap();
    s.write(11, 6, 150000).unwrap();
    s.write(11, 7, 30000).unwrap();
    s.write(11, 10, "云台县").unwrap();
    s.write(11, 12, "前期").unwrap();
    s.write(12, 2, "云台县小计").unwrap();
    s.write(12, 6, 153600).unwrap();
    s.merge_range(13, 0, 13, 1, "合计", &plain).unwrap();
    s.write(13, 6, 297945.67).unwrap();
    s.merge_range(
        15,
        0,
        15,
        14,
        "注：1.本表金额单位为万元；2.项目阶段按月底实际情况填写。",
        &plain,
    )
    .unwrap();
    s.write(16, 0, "填表人：张某").unwrap();
    book.save(&path).unwrap();
    path
}

/// A livelihood ledger in 亿元 with a one-row header and other aliases.
pub fn yi_ledger(dir: &Path) -> PathBuf {
    let path = dir.join("2025年民生实事（亿元）.xlsx");
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("民生实事").unwrap();
    s.write(0, 0, "2025年全市民生实事项目推进表").unwrap();
    s.write(1, 0, "（单位：亿元）").unwrap();
    let headers = [
        "序号",
        "名称",
        "总投资（亿元）",
        "年度计划投资(亿元)",
        "牵头单位",
        "配合单位",
        "包抓领导",
        "开工时间",
        "完成时限",
        "备注",
    ];
    for (c, h) in headers.iter().enumerate() {
        s.write(2, c as u16, *h).unwrap();
    }
    s.write(3, 0, 1).unwrap();
    s.write(3, 1, "城区新建公办幼儿园").unwrap();
    s.write(3, 2, 1.25).unwrap();
    s.write(3, 3, "0.3").unwrap();
    s.write(3, 4, "市教育局").unwrap();
    s.write(3, 5, "市财政局、市自然资源和规划局").unwrap();
    s.write(3, 6, "副市长 李某").unwrap();
    s.write(3, 7, "2025/4/1").unwrap();
    s.write(3, 8, "2025年12月底").unwrap();
    s.write(3, 9, "新增学位1080个").unwrap();
    s.write(4, 0, 2).unwrap();
    s.write(4, 1, "老旧小区改造").unwrap();
    s.write(4, 2, "0.0875").unwrap();
    s.write(4, 3, 0.0875).unwrap();
    s.write(4, 4, "市住建局").unwrap();
    s.write(4, 7, "2025.3").unwrap();
    s.write(4, 8, "2025-10-31").unwrap();
    s.write(5, 1, "合计").unwrap();
    s.write(5, 2, 1.3375).unwrap();
    book.save(&path).unwrap();
    path
}

/// A one-row ledger sheet from header texts and rows of cell texts (numbers stay text).
pub fn simple_ledger(dir: &Path, file: &str, headers: &[&str], rows: &[&[&str]]) -> PathBuf {
    let path = dir.join(file);
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.write(0, 0, "2025年重点项目台账").unwrap();
    for (c, h) in headers.iter().enumerate() {
        s.write(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write(2 + r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    path
}

/// The awkward shapes real ledgers also take: a unit note inside a title that mentions 亿元, a
/// header cell merged across two columns in a one-row header, sections written as 一 in 序号
/// with the county and its count in 项目名称 (and sums beside them), "其中" rows, names
/// starting with 第, padded and bracketed unit names, a 类型 column holding categories, an
/// extra column without a header and two extra columns with the same header.
pub fn tricky_ledger(dir: &Path) -> PathBuf {
    let path = dir.join("tricky.xlsx");
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let plain = Format::new();
    s.merge_range(
        0,
        0,
        0,
        9,
        "2025年全市亿元以上重点项目台账（单位：万元）",
        &plain,
    )
    .unwrap();
    let headers = [
        "序号",
        "项目名称",
        "类型",
        "总投资",
        "责任单位",
        "包抓领导",
        "资金来源",
        "资金来源",
    ];
    for (c, h) in headers.iter().enumerate() {
        s.write(1, c as u16, *h).unwrap();
    }
    // 建设规模及内容 merged across I:J within the one header row.
    s.merge_range(1, 8, 1, 9, "建设规模及内容", &plain).unwrap();
    s.write(2, 0, "一").unwrap();
    s.write(2, 1, "城区（2个）").unwrap();
    s.write(2, 3, 30000).unwrap();
    s.write(3, 0, 1).unwrap();
    s.write(3, 1, "第二污水处理厂提标改造工程").unwrap();
    s.write(3, 2, "基础设施类").unwrap();
    s.write(3, 3, 10000).unwrap();
    s.write(3, 4, "城　区").unwrap();
    s.write(3, 5, "王　伟（副市长）").unwrap();
    s.write(3, 6, "专项债").unwrap();
    s.write(3, 7, "中央预算内").unwrap();
    s.write(3, 8, "日处理污水5万吨").unwrap();
    s.write(3, 10, "已完成招标").unwrap();
    s.write(4, 0, 2).unwrap();
    s.write(4, 1, "城区公共卫生服务中心").unwrap();
    s.write(4, 3, 20000).unwrap();
    s.write(4, 4, "城区、各县（市、区）人民政府").unwrap();
    s.write(4, 5, "王伟（县长）").unwrap();
    s.write(5, 1, "其中：新开工项目").unwrap();
    s.write(5, 3, 20000).unwrap();
    book.save(&path).unwrap();
    path
}
