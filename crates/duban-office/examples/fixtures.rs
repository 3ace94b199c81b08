//! Writes the real-shaped sample ledgers used by the tests into a folder, for trying
//! `duban import ledger` by hand: `cargo run -p duban-office --example fixtures -- examples/ledgers`.

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "examples/ledgers".into()),
    );
    std::fs::create_dir_all(&dir).expect("create the folder");
    for path in [
        support::wan_ledger(&dir),
        support::yi_ledger(&dir),
        support::tricky_ledger(&dir),
    ] {
        println!("{}", path.display());
    }
}
