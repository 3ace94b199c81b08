//! 督办通知单 / 催办单 as a Word document — a notice laid out as an official document (GB/T
//! 9704) with the building blocks of `official`: its 标识 ("红色催办单") at the top left and its
//! title in the level's colour (blue, yellow, red), the 文号 under the title, the unit it is
//! addressed to, the body, the table of matters — each 逾期天数 in its own level's colour —,
//! the 落款, and the contact and 抄送 lines.

use docx_rs::{AlignmentType, Docx};
use duban_core::notice::{NOTICE_TABLE_HEADER, Notice};

pub use crate::official::DocxError;
use crate::official::{
    BODY, LINE, MARK, TITLE, document, exactly, indented, pack, signature, text, titled_table,
};

/// The column of the table that says how late a matter is (逾期天数): the last.
const LATENESS: usize = NOTICE_TABLE_HEADER.len() - 1;

/// Writes the notice as a Word document in the official-document layout (GB/T 9704).
pub fn notice_docx(n: &Notice) -> Result<Vec<u8>, DocxError> {
    let colour = n.level.colour();
    let mut docx = head(document(), n, colour);
    for p in n.body() {
        docx = docx.add_paragraph(indented(&p, BODY));
    }
    docx = titled_table(docx, &n.table(), |row, column| {
        let matter = n.matters.get(row).filter(|_| column == LATENESS);
        matter.map(|m| m.level().colour())
    });
    for p in signature(&n.issuer, &n.date_text()) {
        docx = docx.add_paragraph(p);
    }
    if let Some(contact) = n.contact_line() {
        docx = docx.add_paragraph(indented(&contact, BODY));
    }
    if let Some(copy) = n.copy_line() {
        docx = docx.add_paragraph(
            text(&copy, BODY)
                .align(AlignmentType::Both)
                .line_spacing(exactly(LINE).before(LINE as u32)),
        );
    }
    pack(docx, n.title())
}

/// 标识 at the top left and a blank line, the title in the level's colour, the 文号 (if it
/// has one) under it and a blank line, then 主送.
fn head(docx: Docx, n: &Notice, colour: &'static str) -> Docx {
    let then_a_blank_line = || exactly(LINE).after(LINE as u32);
    let mark = text(&n.mark(), MARK.coloured(Some(colour)))
        .align(AlignmentType::Left)
        .line_spacing(then_a_blank_line());
    let title = text(n.title(), TITLE.coloured(Some(colour))).align(AlignmentType::Center);
    let mut docx = docx.add_paragraph(mark);
    docx = if n.number.trim().is_empty() {
        docx.add_paragraph(title.line_spacing(then_a_blank_line()))
    } else {
        let number = text(&n.number, BODY)
            .align(AlignmentType::Center)
            .line_spacing(then_a_blank_line());
        docx.add_paragraph(title).add_paragraph(number)
    };
    docx.add_paragraph(text(&n.recipient_line(), BODY).align(AlignmentType::Both))
}
