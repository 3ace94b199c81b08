//! duban-office — the office files officials exchange: the ledger (台账) as .xlsx, read
//! tolerantly from the shapes real ledgers take, and written in a clean official template; and the
//! bulletin (通报) and the notices to units (督办通知单 / 催办单) as Word documents in the
//! official-document layout.

pub mod bulletin_docx;
pub mod notice_docx;

mod columns;
mod contacts_import;
mod error;
mod grid;
mod indicator_import;
mod ledger_export;
mod ledger_import;
mod official;
mod package;
mod ranking_export;
mod report_sheet;
mod score_import;
mod speech;
mod table_export;
mod workbook;

pub use columns::Field;
pub use contacts_import::{ReadContact, read_contacts};
pub use error::{CellError, LedgerError};
pub use indicator_import::{ReadIndicators, read_indicators};
pub use ledger_export::{
    ExportOptions, STATUS_HEADERS, StatusCells, ledger_table, write_ledger,
    write_ledger_with_status,
};
pub use ledger_import::{LedgerRow, ReadLedger, ReadOptions, read_ledger};
pub use ranking_export::write_ranking;
pub use report_sheet::{ReadReports, TemplateRow, read_report_sheet, write_report_template};
pub use score_import::{ReadScore, read_scores};
pub use speech::{SpeechError, TextEncoding, docx_text, speech_text, text_from_bytes};
pub use table_export::{TableSheet, write_table};
