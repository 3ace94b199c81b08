//! duban-extract — turning a meeting speech into the tasks it hands out (会议议定事项分解,
//! domain.md §11). Plain synchronous Rust with no IO: text in, findings out, every finding
//! with its place in the text as character offsets.
//!
//! This first part reads the time words of a clause: the deadline (时间节点) normalised to a
//! date, the cadence (每月, 按季, 半年一次) and the quantified target (不低于X亿元, 清零).

pub mod timing;

pub use timing::{Cadence, Deadline, Found, find_cadences, find_deadline, find_target};
