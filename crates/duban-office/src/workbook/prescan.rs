//! 预扫 — the large sheet parts measured on another core from the moment the workbook opens,
//! in workbook order, so that measuring them overlaps opening the workbook and reading the
//! sheets before them.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use crate::package::{ScanFor, XmlScan};

use super::part::{Refusal, measure_stoppable};
use super::{MAX_TOKEN_BYTES, SHEET_LIMITS};

/// Large sheet parts measured in the background, in workbook order, so that the time of
/// measuring them overlaps opening the workbook and reading the sheets before them.
pub(super) struct Prescan {
    shared: Arc<(Mutex<Prescanned>, Condvar)>,
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
    parts: Vec<String>,
}

#[derive(Default)]
struct Prescanned {
    results: HashMap<String, Result<XmlScan, Refusal>>,
    finished: bool,
}

/// Marks the background pass finished however it ends (a panic included).
struct Finished(Arc<(Mutex<Prescanned>, Condvar)>);

impl Drop for Finished {
    fn drop(&mut self) {
        let (lock, cv) = &*self.0;
        lock.lock().unwrap_or_else(|e| e.into_inner()).finished = true;
        cv.notify_all();
    }
}

impl Prescan {
    pub(super) fn start(path: &Path, parts: Vec<(String, u64)>) -> Prescan {
        let shared = Arc::new((Mutex::new(Prescanned::default()), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let names = parts.iter().map(|(p, _)| p.clone()).collect();
        let (path, done, halt) = (path.to_path_buf(), shared.clone(), stop.clone());
        let handle = std::thread::Builder::new()
            .name("xlsx-prescan".into())
            .spawn(move || {
                let finished = Finished(done);
                let Ok(mut zip) = File::open(&path)
                    .map_err(drop)
                    .and_then(|f| zip9::ZipArchive::new(BufReader::new(f)).map_err(drop))
                else {
                    return;
                };
                for (part, size) in parts {
                    if halt.load(Ordering::Relaxed) {
                        break;
                    }
                    let r = measure_stoppable(&mut zip, &part, size, &MERGES_SCAN, Some(&halt));
                    let (lock, cv) = &*finished.0;
                    lock.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .results
                        .insert(part, r);
                    cv.notify_all();
                }
            })
            .ok();
        Prescan {
            shared,
            stop,
            handle,
            parts: names,
        }
    }

    /// The measure of `part`, waiting for it; None if it is not (or no longer) to be had.
    pub(super) fn take(&self, part: &str) -> Option<Result<XmlScan, Refusal>> {
        if self.handle.is_none() || !self.parts.iter().any(|p| p == part) {
            return None;
        }
        let (lock, cv) = &*self.shared;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(r) = state.results.remove(part) {
                return Some(r);
            }
            if state.finished {
                return None;
            }
            state = cv.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Prescan {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// What is looked for in a sheet part: its merged ranges.
const MERGES_SCAN: ScanFor<'static> = ScanFor {
    count: &["mergeCell"],
    capture: &[("mergeCell", SHEET_LIMITS.merges as usize)],
    stop_over: MAX_TOKEN_BYTES,
};
