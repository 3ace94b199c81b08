//! duban-app — the application layer: one function per use case (submit a report as a caller,
//! raise or move a problem, propose and confirm a meeting's tasks, read a ledger file into
//! entries, render a bulletin in a format), taking the caller and the store.
//! The web app and the command line both call these; neither holds a use case of its own.
//! The clock lives here too (`clock`): the core is given "today", never reads it.

pub mod accountability;
pub mod assessment;
pub mod bulletin;
pub mod changes;
pub mod clock;
pub mod contacts;
mod error;
pub mod evidence;
pub mod extensions;
pub mod instructions;
pub mod items;
pub mod ledger_io;
pub mod meetings;
pub mod notices;
pub mod notify;
pub mod problems;
pub mod reminders;
pub mod reporting;
pub mod tasks;
pub mod todos;
pub mod tours;

pub use error::{AppError, AppResult};
