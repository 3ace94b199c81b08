//! duban-store — the one storage API of duban. SQLite (embedded, the default) and PostgreSQL
//! (at scale) sit behind the same [`Store`]: the backend is chosen from the database URL, each
//! backend has its own embedded migrations, applied on open, and both run the same SQL through
//! sqlx's `Any` driver. Every write records who, when and what changed in `audit_log`.

mod accountability;
mod accounts;
mod audit;
mod bulk;
mod bulletins;
mod chain;
mod compliance;
mod contacts;
mod deliveries;
mod error;
mod escalation;
mod evidence;
mod extensions;
mod groups;
mod holidays;
mod import;
mod indicators;
mod instructions;
mod item_columns;
mod items;
mod kept;
mod kept_tallies;
mod meetings;
mod packed;
mod password;
mod periods;
mod problems;
mod progress;
mod rates;
mod reminders;
mod reports;
mod scratch;
mod shared;
mod sql;
mod status;
mod tallies;
mod tasks;
mod tours;
mod turn;
mod units;
mod write;

#[cfg(feature = "test-support")]
pub mod testing;

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use accountability::{
    AccountabilityRecord, MAX_RECORD_TEXT, MAX_RECORDS, MAX_SCHEME, NewRecord, PublishedAssessment,
    RecordFilter, SavedScheme,
};
pub use accounts::{
    AccountEdit, MAX_PASSWORD, MAX_TOKEN_DAYS, MAX_USERNAME, MIN_PASSWORD, NewAccount,
    PasswordCheck, SessionKeys, SignIn, TOKEN_DAYS, TokenListing, UserListing, check_password,
    fresh_password, secret, username_key,
};
pub use audit::{AuditEntry, AuditPage, AuditQuery, ChainReport, MAX_REASON};
pub use bulletins::IssuedBulletin;
pub use chain::ChainBreak;
pub use compliance::UnitCompliance;
pub use contacts::robot_channel;
pub use deliveries::{
    Channel, Contact, DeliveryCounts, DeliveryFilter, DeliveryLog, DeliveryRow, DeliveryState,
    MAX_CLAIM, MAX_DELIVERY_ERROR, NewDelivery, PendingDelivery, Robot, contacts_by_recipient,
    enqueue_deliveries, post_message, shown_address, stamp,
};
pub use error::StoreError;
pub use escalation::Escalated;
pub use evidence::{Attachment, AttachmentBody, EvidenceOf, NewAttachment};
pub use extensions::{ExtensionRequest, ExtensionState, NewExtension};
pub use import::{Archiving, ImportOptions, ImportSummary, LedgerEntry, PlanAuthority};
pub use indicators::{IndicatorImport, IndicatorRow};
pub use instructions::{Instruction, MAX_INSTRUCTION};
pub use items::{ArchiveScope, ItemFilter, ItemRecord, OverdueMilestone};
pub use kept::{KeptSnapshot, pack_part, this_build, unpack_part};
pub use meetings::{Confirmed, MeetingItem, MeetingSummary, MeetingTask, MeetingTasks};
pub use periods::{Calendar, Schedule};
pub use problems::{NewProblem, Problem, ProblemEvent, ProblemFilter};
pub use progress::{ItemRefs, ReportTrail, StatusInput};
pub use rates::{Grouping, RateBoard, Review};
pub use reminders::{
    MatterScope, Message, NewReminder, Outbound, PostedMessage, REMINDER_RULES_KEY, RecordedRun,
    ReminderRow,
};
pub use reports::{StoredReport, Submission};
pub use scratch::ScratchDatabase;
pub use shared::{PendingUpload, now_ms};
pub use tasks::{MAX_CONTENT, MAX_LIST, MAX_TITLE, NewTask, TaskEvent, TaskFilter, TaskRecord};
pub use tours::{MAX_CRITERIA, MAX_JUDGES, MAX_TOUR_ITEMS, NewTour, TourItem, TourRecord};
pub use turn::one_at_a_time;
pub use units::{MAX_SORT_ORDER, UnitEdit, UnitListing};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://duban.db";

impl Backend {
    /// Picks the backend from a URL: `sqlite://FILE`, `sqlite::memory:`,
    /// `postgres://…` / `postgresql://…`. A bare path is an SQLite file.
    pub fn from_url(url: &str) -> Result<(Backend, String)> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok((Backend::Postgres, url.to_string()))
        } else if url.starts_with("sqlite:") {
            let mut u = url.to_string();
            if !u.contains("memory") && !u.contains("mode=") {
                u.push_str(if u.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            }
            Ok((Backend::Sqlite, u))
        } else if !url.contains("://") && !url.is_empty() {
            Backend::from_url(&format!("sqlite://{url}"))
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Every SQLite connection: foreign keys, write-ahead log, writers waiting their turn.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -2000;";

/// The store: a connection pool on one backend.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    writers: write::WriterQueue,
    /// Every item's tallies of the periods last reviewed (see [`tallies`]).
    tallies: std::sync::Arc<tallies::KeptTallies>,
    /// The last review made (see [`rates`]).
    last_review: std::sync::Arc<rates::LastReview>,
}

impl Store {
    /// Opens (creating an SQLite file if needed) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = Backend::from_url(url)?;
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Connect {
                url: redact(&url),
                source: e,
            })?
            .disable_statement_logging();
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        // An in-memory database lives in its connection: the pool keeps exactly one, forever.
        let memory = backend == Backend::Sqlite && url.contains("memory");
        if backend == Backend::Sqlite && !memory {
            // A fresh file is set up on one connection before the pool opens others: pooled
            // connections opened while another switches the file to WAL and creates the
            // tables could miss them ("no such table" on the first command).
            use sqlx::{Connection, Executor};
            let mut first = sqlx::AnyConnection::connect_with(&options)
                .await
                .map_err(|e| StoreError::Connect {
                    url: redact(&url),
                    source: e,
                })?;
            first.execute(SQLITE_PRAGMAS).await?;
            migrator.run(&mut first).await?;
            first.close().await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite if memory => 1,
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .min_connections(u32::from(memory))
            .idle_timeout((!memory).then_some(std::time::Duration::from_secs(600)))
            .max_lifetime((!memory).then_some(std::time::Duration::from_secs(1800)))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    match backend {
                        Backend::Sqlite => conn.execute(SQLITE_PRAGMAS).await?,
                        // PostgreSQL compiles a query it estimates as costly (the status read
                        // of a province, the unit list's counts) before running it: 7–50 ms
                        // more on every such read of a few hundred milliseconds at most.
                        Backend::Postgres => conn.execute("SET jit = off").await?,
                    };
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Connect {
                url: redact(&url),
                source: e,
            })?;
        if backend == Backend::Postgres || memory {
            migrator.run(&pool).await?;
        }
        crate::progress::rebuild_if_empty(&mut *pool.acquire().await?).await?;
        let store = Store {
            pool,
            backend,
            writers: write::WriterQueue::default(),
            tallies: std::sync::Arc::default(),
            last_review: std::sync::Arc::default(),
        };
        store.chain_existing().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A read transaction whose statements all see the database as of one moment: a
    /// repeatable-read one on PostgreSQL (read committed, its default, gives each statement
    /// its own view); SQLite's reads in one transaction already do.
    pub(crate) async fn consistent_read(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A URL with its password hidden, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap().0,
            Backend::Postgres
        );
        let (b, u) = Backend::from_url("duban.db").unwrap();
        assert_eq!(
            (b, u.as_str()),
            (Backend::Sqlite, "sqlite://duban.db?mode=rwc")
        );
        assert!(Backend::from_url("mysql://x").is_err());
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }
}
