//! 通讯录导入 — each unit's (or leader's) liaison, mobile, email and group robot from .xlsx:
//! the header found by name below any title rows (单位, 联络员, 手机, 邮箱, 群机器人, and
//! 机器人类型, 加签密钥 when given), blank and note rows skipped, every bad cell named.

use std::path::Path;

use duban_core::text::compact;

use crate::error::{CellError, ErrorList, LedgerError};
use crate::grid::column_letter;
use crate::workbook::Workbook;

/// Most contacts one file may hold.
const MAX_CONTACTS: usize = 20_000;

/// One row as read: the texts, checked by the caller against the directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadContact {
    /// "通讯录.xlsx 工作表“Sheet1”第3行"
    pub place: String,
    /// 单位 (or a leader's name)
    pub name: String,
    pub liaison: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub robot: Option<String>,
    /// 机器人类型 as written (企业微信, 钉钉, webhook)
    pub robot_kind: Option<String>,
    /// 加签密钥
    pub secret: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Name,
    Liaison,
    Phone,
    Email,
    Robot,
    RobotKind,
    Secret,
}

const ALIASES: &[(Col, &[&str])] = &[
    (
        Col::Name,
        &[
            "单位",
            "单位名称",
            "责任单位",
            "部门",
            "县区",
            "名称",
            "领导",
            "单位(领导)",
        ],
    ),
    (
        Col::Liaison,
        &["联络员", "联系人", "联络人", "联络员姓名", "姓名"],
    ),
    (
        Col::Phone,
        &["手机", "手机号", "手机号码", "联系电话", "电话", "移动电话"],
    ),
    (Col::Email, &["邮箱", "电子邮箱", "邮件", "email", "e-mail"]),
    (
        Col::Robot,
        &[
            "群机器人",
            "机器人",
            "机器人地址",
            "webhook",
            "群机器人地址",
            "机器人webhook",
        ],
    ),
    (Col::RobotKind, &["机器人类型", "类型", "平台"]),
    (Col::Secret, &["加签密钥", "密钥", "secret", "签名密钥"]),
];

fn column_of(header: &str) -> Option<Col> {
    let c = compact(header).to_lowercase();
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&c.as_str()))
        .map(|(col, _)| *col)
}

fn skipped(name: &str) -> bool {
    name.is_empty()
        || ["注", "备注", "说明", "填报", "制表", "合计", "小计"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// Reads the first sheet of `path` with a contact header.
pub fn read_contacts(path: &Path) -> Result<Vec<ReadContact>, LedgerError> {
    let mut book = Workbook::open(path)?;
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut errors = ErrorList::default();
    for sheet in book.sheet_names().to_vec() {
        let grid = book.grid(&sheet, false)?;
        let Some((first, last)) = grid.rows() else {
            continue;
        };
        let Some(header) = (first..(first + 15).min(last + 1)).find(|r| {
            let cols: Vec<Col> = grid
                .row_texts(*r)
                .iter()
                .filter_map(|(_, t)| column_of(t))
                .collect();
            cols.contains(&Col::Name) && cols.iter().any(|c| *c != Col::Name)
        }) else {
            continue;
        };
        let mut columns: Vec<(u32, Col)> = Vec::new();
        for (c, t) in grid.row_texts(header) {
            if let Some(col) = column_of(&t)
                && !columns.iter().any(|(_, k)| *k == col)
            {
                columns.push((c, col));
            }
        }
        let at = |col: Col| columns.iter().find(|(_, k)| *k == col).map(|(c, _)| *c);
        let mut out = Vec::new();
        for r in header + 1..=last {
            let text = |col: Col| {
                at(col)
                    .map(|c| grid.text(r, c).trim().to_string())
                    .filter(|t| !t.is_empty())
            };
            let name = text(Col::Name).unwrap_or_default();
            if skipped(&compact(&name)) {
                continue;
            }
            if out.len() >= MAX_CONTACTS {
                return Err(LedgerError::TooLarge {
                    path: path.to_path_buf(),
                    sheet: sheet.clone(),
                    detail: format!("通讯录超过 {MAX_CONTACTS} 行，请拆分后分别导入"),
                });
            }
            let mut bad = |col: Col, field: &str, value: String, message: String| {
                errors.push(CellError {
                    sheet: sheet.clone(),
                    row: r + 1,
                    column: at(col).map(column_letter).unwrap_or_default(),
                    field: field.into(),
                    value,
                    message,
                })
            };
            // Mobiles are often numbers in the sheet: "13800000000" or "1.38e10" as text.
            let phone = text(Col::Phone).map(|p| p.trim_end_matches(".0").to_string());
            if let Some(p) = &phone
                && p.chars().filter(char::is_ascii_digit).count() < 7
            {
                bad(
                    Col::Phone,
                    "手机",
                    p.clone(),
                    "不是电话号码（应为如 13800000000 的号码）".into(),
                );
            }
            let email = text(Col::Email);
            if let Some(e) = &email
                && (e.matches('@').count() != 1 || e.chars().any(char::is_whitespace))
            {
                bad(
                    Col::Email,
                    "邮箱",
                    e.clone(),
                    "不是邮箱地址（应为如 name@example.gov.cn）".into(),
                );
            }
            let robot = text(Col::Robot);
            if let Some(u) = &robot
                && !(u.starts_with("https://") || u.starts_with("http://"))
            {
                bad(
                    Col::Robot,
                    "群机器人",
                    u.clone(),
                    "不是网址（应为群机器人的 Webhook 地址，以 https:// 开头）".into(),
                );
            }
            out.push(ReadContact {
                place: format!("{file} 工作表“{sheet}”第{}行", r + 1),
                name,
                liaison: text(Col::Liaison),
                phone,
                email,
                robot,
                robot_kind: text(Col::RobotKind),
                secret: text(Col::Secret),
            });
        }
        if !errors.is_empty() {
            return Err(LedgerError::Rows(errors.finish()));
        }
        return Ok(out);
    }
    Err(LedgerError::NoContactHeader {
        path: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn write(path: &Path, rows: &[Vec<&str>]) {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        wb.save(path).unwrap();
    }

    #[test]
    fn a_sheet_with_a_title_and_aliases_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("通讯录.xlsx");
        write(
            &path,
            &[
                vec!["2026年督办联络员通讯录"],
                vec![
                    "序号",
                    "单位名称",
                    "联系人",
                    "手机号码",
                    "电子邮箱",
                    "群机器人",
                ],
                vec![
                    "1",
                    "白水县",
                    "王五",
                    "13800000001",
                    "bs@example.gov.cn",
                    "",
                ],
                vec![
                    "2",
                    "市发改委",
                    "赵六",
                    "",
                    "",
                    "https://oapi.dingtalk.com/robot/send?access_token=x",
                ],
                vec!["", "", "", "", "", ""],
                vec!["注：请各单位及时更新"],
            ],
        );
        let got = read_contacts(&path).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "白水县");
        assert_eq!(got[0].liaison.as_deref(), Some("王五"));
        assert_eq!(got[0].phone.as_deref(), Some("13800000001"));
        assert_eq!(got[0].email.as_deref(), Some("bs@example.gov.cn"));
        assert_eq!(got[0].place, "通讯录.xlsx 工作表“Sheet1”第3行");
        assert!(got[1].robot.as_deref().unwrap().contains("dingtalk"));
    }

    #[test]
    fn bad_cells_are_named_and_nothing_is_returned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("坏.xlsx");
        write(
            &path,
            &[
                vec!["单位", "联络员", "手机", "邮箱", "群机器人"],
                vec![
                    "白水县",
                    "王五",
                    "138",
                    "bs.example.gov.cn",
                    "oapi.dingtalk.com",
                ],
            ],
        );
        let e = read_contacts(&path).unwrap_err().to_string();
        assert!(e.contains("3 行无法导入"), "{e}");
        assert!(e.contains("第2行") || e.contains("2"), "{e}");
        assert!(
            e.contains("不是电话号码") && e.contains("不是邮箱地址") && e.contains("不是网址"),
            "{e}"
        );
    }

    #[test]
    fn a_sheet_without_the_header_says_what_is_needed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("无表头.xlsx");
        write(&path, &[vec!["项目名称", "总投资"], vec!["某项目", "100"]]);
        let e = read_contacts(&path).unwrap_err().to_string();
        assert!(e.contains("找不到通讯录表头"), "{e}");
    }
}
