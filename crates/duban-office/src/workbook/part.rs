//! 部件 — a part of the package read with the very zip reader calamine uses: listed from the
//! central directory, read or scanned up to its declared size (one byte more tells it lied),
//! measured for its longest text and tag, and refused with a reason ([`Refusal`]).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::LedgerError;
use crate::package::{ScanFor, XmlScan, scan_xml};

use super::messages::REDO;
use super::{MAX_TOKEN_BYTES, MIB, unreadable};

/// The package as a zip, read with the very `zip` crate calamine uses: a forged file with
/// several central directories (or one hidden after another zip) is then seen here as
/// calamine will see it. (That crate also refuses to unpack a part past its declared size;
/// the reads here stop there too.)
pub(super) type Zip = zip9::ZipArchive<BufReader<File>>;

/// A part of the zip, read up to its declared size (one byte more tells it lied).
pub(super) fn read_part(zip: &mut Zip, name: &str, declared: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    zip.by_name(name)
        .map_err(|e| format!("{name}：{e}"))?
        .take(declared + 1)
        .read_to_end(&mut out)
        .map_err(|e| read_error(name, &e))?;
    if out.len() as u64 > declared {
        return Err(lied(name));
    }
    Ok(out)
}

/// A read that failed: the zip reader stops a part at its declared size with an error of its
/// own, said here in the words of [`lied`].
fn read_error(name: &str, e: &std::io::Error) -> String {
    if e.to_string().contains("declared uncompressed size") {
        lied(name)
    } else {
        format!("{name}：{e}")
    }
}

/// A reader that ends early once `stop` is set.
struct Stoppable<'a, R> {
    inner: R,
    stop: Option<&'a AtomicBool>,
}

impl<R: Read> Read for Stoppable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

fn lied(name: &str) -> String {
    format!("部件 {name} 解压后比它声明的大小更大，文件已损坏或被篡改")
}

/// A raw pass over a part (see [`scan_xml`]), stopping at its declared size (or when `stop`
/// is set: the result is then discarded).
fn scan_part(
    zip: &mut Zip,
    name: &str,
    declared: u64,
    what: &ScanFor,
    stop: Option<&AtomicBool>,
) -> Result<XmlScan, String> {
    let entry = zip.by_name(name).map_err(|e| format!("{name}：{e}"))?;
    let reader = Stoppable {
        inner: entry.take(declared + 1),
        stop,
    };
    let scan = scan_xml(reader, what).map_err(|e| read_error(name, &e))?;
    if scan.bytes > declared {
        return Err(lied(name));
    }
    Ok(scan)
}

/// The parts of the package: lower-cased name (as calamine looks them up) → (name, size).
pub(super) struct Parts(pub(super) HashMap<String, (String, u64)>);

impl Parts {
    pub(super) fn get(&self, name: &str) -> Option<&(String, u64)> {
        self.0.get(&name.replace('\\', "/").to_ascii_lowercase())
    }
}

impl Parts {
    /// Every part the central directory of `zip` lists, without reading any.
    pub(super) fn list(zip: &mut Zip) -> Result<Parts, String> {
        let mut parts = HashMap::new();
        for i in 0..zip.len() {
            // The central directory's record, without reading the part.
            let f = zip.by_index_data(i).map_err(|e| e.to_string())?;
            let name = f.name().map_err(|e| e.to_string())?.into_owned();
            parts.insert(
                name.replace('\\', "/").to_ascii_lowercase(),
                (name, f.size()),
            );
        }
        Ok(Parts(parts))
    }
}

/// Why a part is refused before calamine reads it.
pub(super) enum Refusal {
    TooLarge(String),
    Unreadable(String),
}

impl Refusal {
    pub(super) fn into_error(self, path: &Path, sheet: &str) -> LedgerError {
        match self {
            Refusal::TooLarge(detail) => LedgerError::TooLarge {
                path: path.to_path_buf(),
                sheet: sheet.into(),
                detail,
            },
            Refusal::Unreadable(detail) => unreadable(path, &detail),
        }
    }
}

impl ScanFor<'_> {
    pub(super) const NOTHING: ScanFor<'static> = ScanFor {
        count: &[],
        capture: &[],
        stop_over: MAX_TOKEN_BYTES,
    };
}

/// A raw pass over a part, refusing one whose longest text or tag an XML reader could not
/// hold safely.
pub(super) fn measure(
    zip: &mut Zip,
    name: &str,
    size: u64,
    what: &ScanFor,
) -> Result<XmlScan, Refusal> {
    measure_stoppable(zip, name, size, what, None)
}

pub(super) fn measure_stoppable(
    zip: &mut Zip,
    name: &str,
    size: u64,
    what: &ScanFor,
    stop: Option<&AtomicBool>,
) -> Result<XmlScan, Refusal> {
    let scan = scan_part(zip, name, size, what, stop).map_err(Refusal::Unreadable)?;
    if scan.longest_text.max(scan.longest_tag) > MAX_TOKEN_BYTES {
        return Err(Refusal::TooLarge(format!(
            "部件 {name} 中有一段超过 {} MB 的文字或标记（Excel 单元格最多 32,767 个字符）。文件可能已损坏或被篡改：{REDO}",
            MAX_TOKEN_BYTES / MIB
        )));
    }
    Ok(scan)
}
