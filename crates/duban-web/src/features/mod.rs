//! 功能 — the application by feature: each module holds its pages and its JSON API side by
//! side, over the shared infrastructure (the [`Visitor`](crate::page::Visitor) and
//! [`PageError`](crate::page::PageError) of the pages, the API's [`ApiError`](crate::error::ApiError),
//! the [`Caller`](crate::auth::Caller), the snapshot of [`dashboard`](crate::dashboard)).

use axum::Router;

use crate::AppState;

pub(crate) mod accountability;
pub(crate) mod accounts;
pub(crate) mod admin;
pub(crate) mod assessment;
pub(crate) mod bulletins;
pub(crate) mod contacts;
pub(crate) mod evidence;
pub(crate) mod extensions;
pub(crate) mod holidays;
pub(crate) mod inbox;
pub(crate) mod leaders;
pub(crate) mod ledger;
pub(crate) mod meetings;
pub(crate) mod overview;
pub(crate) mod problems;
pub(crate) mod rankings;
pub(crate) mod reminders;
pub(crate) mod reporting;
pub(crate) mod system;
pub(crate) mod tasks;
pub(crate) mod tours;

/// Every feature's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(system::routes())
        .merge(meetings::routes())
        .merge(rankings::routes())
        .merge(bulletins::routes())
        .merge(ledger::routes())
        .merge(reporting::routes())
        .merge(problems::routes())
        .merge(overview::routes())
        .merge(admin::routes())
        .merge(accounts::routes())
        .merge(evidence::routes())
        .merge(extensions::routes())
        .merge(leaders::routes())
        .merge(tasks::routes())
        .merge(inbox::routes())
        .merge(reminders::routes())
        .merge(contacts::routes())
        .merge(holidays::routes())
        .merge(tours::routes())
        .merge(assessment::routes())
        .merge(accountability::routes())
}
