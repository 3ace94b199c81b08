//! duban-testkit — what the tests of the web app and the command line share, and nothing
//! production code may depend on (a test in crates/duban/tests/architecture.rs guards it):
//! `harness` (a fresh database on either backend with a small ledger and an account for every
//! role, the app on a free port), `client` (an HTTP client keeping the session), `webdriver`
//! (headless Chromium through chromedriver), `smtp` (aiosmtpd and its Maildir).

pub mod client;
pub mod harness;
pub mod smtp;
pub mod webdriver;
