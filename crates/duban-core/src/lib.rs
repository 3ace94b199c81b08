//! duban-core — the domain of duban (督办): units, leaders, items, milestones and the rules
//! about them. Plain synchronous Rust with no IO: no database, no HTTP, no files, no clock
//! ("today" is always an argument).

pub mod account;
pub mod accountability;
pub mod assessment;
pub mod bulletin;
pub mod calendar;
pub mod date;
pub mod indicator;
pub mod item;
pub mod label;
pub mod leader;
pub mod milestone;
pub mod money;
pub mod notice;
pub mod problem;
pub mod ranking;
pub mod rates;
pub mod reminder;
pub mod report;
pub mod stated;
pub mod status;
pub mod task;
pub mod text;
pub mod tour;
pub mod unit;

pub use account::{Account, AccountRole, Visibility};
pub use calendar::{DayCount, WorkCalendar};
pub use date::PlanDate;
pub use item::{FieldProblem, Item, ItemKind, Level, MonthlyPlan, Nature, Stage};
pub use leader::Leader;
pub use milestone::{Milestone, MilestoneTemplate};
pub use money::{MoneyUnit, Wan};
pub use notice::{Notice, NoticeMatter};
pub use problem::{Escalation, Move, ProblemCategory, ProblemState, Role};
pub use reminder::{DueMatter, MatterKind, Recipient, ReminderLevel, ReminderRule, ReminderRules};
pub use report::{Cadence, MilestoneReached, Period, ReportContext, ReportDraft, check_report};
pub use stated::{ItemField, StatedFields};
pub use status::{Colour, Facts, Flag, Reason, ReportState, Status, Thresholds};
pub use task::{Deadline, FeedbackCadence, TaskMove, TaskSource, TaskState};
pub use unit::{Unit, UnitKind};
