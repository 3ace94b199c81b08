//! What the fuzz targets share: the readers take a path, so each input is written to one
//! file per process (in /dev/shm when there is one), and read back.

use std::path::{Path, PathBuf};

use duban_office::LedgerError;

fn scratch() -> PathBuf {
    let dir = Path::new("/dev/shm");
    let dir = if dir.is_dir() {
        dir.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("duban-fuzz-{}.xlsx", std::process::id()))
}

/// Writes `data` to this process's scratch file and hands its path to `read`.
pub fn with_file(data: &[u8], read: impl FnOnce(&Path)) {
    thread_local! {
        static PATH: PathBuf = scratch();
    }
    PATH.with(|path| {
        std::fs::write(path, data).expect("the scratch file is writable");
        read(path);
    });
}

/// A reader's error must be one a person can act on: never the internal one (a worker
/// thread that stopped), never empty.
pub fn check(e: &LedgerError) {
    assert!(!matches!(e, LedgerError::Internal(_)), "{e}");
    assert!(!e.to_string().trim().is_empty());
}
