//! duban-extract — turning a meeting speech into the tasks it hands out (会议议定事项分解,
//! domain.md §11). Plain synchronous Rust with no IO: text in, findings out, every finding
//! with its place in the text as character offsets.
//!
//! Built so far: `clean` (web-page pinyin notes, stray spaces and full-width digits removed,
//! with a map back to the original; sentences cut at their ends) and `timing` (a clause's
//! deadline (时间节点) normalised to a date, its cadences (每月, 按季, 半年一次) and its
//! quantified target (不低于X亿元, 清零)). `simplify` (traditional → simplified through OpenCC's dictionaries, the map kept).
//! `actors` (a first cut: bodies by their endings from their tier, tiers of territory, named
//! and redacted counties, posts, generic actors). Still to come (issue 6): clauses and roles, directives with tiers and confidence, matching units.

pub mod actors;
pub mod chars;
pub mod clean;
pub mod directive;
pub mod meeting;
pub mod quality;
pub mod simplify;
pub mod timing;
pub mod units;

pub use actors::{Actor, ActorKind, find_actors};
pub use clean::{Clean, clean, sentences};
pub use directive::{Directive, NamedActor, Role, Tier, extract, extract_line, task_name};
pub use meeting::{meeting_title, meeting_year};
pub use simplify::simplified;
pub use timing::{Cadence, Deadline, Found, find_cadences, find_deadline, find_target};
pub use units::match_actor;
