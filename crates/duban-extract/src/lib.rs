//! duban-extract — turning a meeting speech into the tasks it hands out (会议议定事项分解,
//! domain.md §11). Plain synchronous Rust with no IO: text in, directives out, every one with
//! its place in the original text as character offsets.
//!
//! `clean` (web-page pinyin notes, stray spaces, full-width digits removed, with a map back to
//! the original; sentences) and `simplify` (traditional → simplified through OpenCC's
//! dictionaries, the map kept) prepare a line; `actors` finds who it names (bodies, territories
//! and tiers, posts, generic actors), `timing` its time node, cadence and target; `directive`
//! cuts it into one directive per subject with roles, tier and confidence (`extract`,
//! `extract_line`, `task_name`); `units` matches actors to the unit directory; `meeting` reads
//! the title and year; `quality` scores directives against labels.

pub mod actors;
pub mod chars;
pub mod clean;
pub mod directive;
pub mod lexicon;
pub mod meeting;
pub mod quality;
pub mod simplify;
pub mod timing;
pub mod units;

pub use actors::{Actor, ActorKind, find_actors, find_actors_in};
pub use clean::{Clean, clean, sentences};
pub use directive::{
    Directive, NamedActor, Role, Tier, Unclaimed, extract, extract_line, extract_line_in,
    extract_speeches, task_name, unclaimed,
};
pub use lexicon::Lexicon;
pub use meeting::{Speech, meeting_title, meeting_year, speeches};
pub use simplify::simplified;
pub use timing::{Cadence, Deadline, Found, find_cadences, find_deadline, find_target};
pub use units::match_actor;
