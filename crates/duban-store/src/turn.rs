//! 轮候 — costly computations take turns: a whole ledger's status, or the year's tallies read
//! afresh, hold hundreds of megabytes at a million items, so a process runs one at a time.
//! What is cheap beside them (a review from tallies kept, counts in the database) does not
//! wait. A turn is never asked for while one is held: it would wait for itself.

use tokio::sync::{Semaphore, SemaphorePermit};

/// The one turn of this process.
static TURN: Semaphore = Semaphore::const_new(1);

/// Waits for the process's one turn for a costly computation: hold it while computing.
pub async fn one_at_a_time() -> SemaphorePermit<'static> {
    TURN.acquire().await.expect("the semaphore is never closed")
}
