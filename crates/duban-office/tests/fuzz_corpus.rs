//! The fuzz seeds (fuzz/corpus/<target>/, read by the cargo-fuzz targets in fuzz/) replayed
//! on stable, and then mutated with a fixed-seed generator: every reader must return, with
//! what it read or with an error a person can act on — never panic, never the internal error.
//! The seeds are written by the `fuzz_seeds` example (crashers found by fuzzing are added by
//! hand, and kept).

#[path = "support/forge.rs"]
mod forge;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use duban_office::{LedgerError, ReadOptions, read_indicators, read_ledger, read_report_sheet};
use forge::Part;

const XLSX_TARGETS: [&str; 3] = ["xlsx_ledger", "xlsx_report_sheet", "xlsx_indicators"];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// An error of a reader must name the file when it is about the file, and never be the
/// internal one (a worker thread that stopped: a panic).
fn check(e: &LedgerError, path: &Path) {
    let message = e.to_string();
    assert!(!message.trim().is_empty());
    match e {
        LedgerError::Internal(_) => panic!("{}: {message}", path.display()),
        LedgerError::MissingColumn { .. } | LedgerError::Rows(_) => {}
        _ => {
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(message.contains(name.as_ref()), "{message}");
        }
    }
}

/// Runs reader `which` (0: ledger, 1: reporting sheet, 2: indicators) on `path`; true if it
/// read the file.
fn read(which: usize, path: &Path) -> bool {
    let r = match which {
        0 => {
            let opts = ReadOptions {
                fallback_year: 2025,
                ..Default::default()
            };
            read_ledger(path, &opts, &mut |_, _| {}).map(|_| ())
        }
        1 => read_report_sheet(path, None).map(|_| ()),
        _ => read_indicators(path, None, "全市").map(|_| ()),
    };
    match r {
        Ok(()) => true,
        Err(e) => {
            check(&e, path);
            false
        }
    }
}

fn speech(bytes: &[u8], name: &str) -> bool {
    match duban_office::speech_text(bytes, name) {
        Ok(text) => {
            assert!(!text.trim().is_empty());
            true
        }
        Err(e) => {
            assert!(e.to_string().contains(name), "{e}");
            false
        }
    }
}

#[test]
fn every_seed_is_read_or_refused_clearly() {
    quiet_calamine();
    let mut tried = 0;
    let mut read_ok = 0;
    for target in XLSX_TARGETS {
        for path in files(&corpus().join(target)) {
            for which in 0..3 {
                tried += 1;
                read_ok += usize::from(read(which, &path));
            }
        }
    }
    for path in files(&corpus().join("speech_text")) {
        let bytes = std::fs::read(&path).unwrap();
        for name in ["讲话.docx", "讲话.txt"] {
            tried += 1;
            read_ok += usize::from(speech(&bytes, name));
        }
    }
    eprintln!("{tried} readings of the seeds, {read_ok} read");
    assert!(tried >= 100, "the seed corpus is missing: {tried} readings");
    assert!(read_ok >= 10, "the legitimate seeds should read: {read_ok}");
}

/// SplitMix64: a fixed sequence, the same on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces of the hostile shapes, spliced into the XML of a part.
const TOKENS: &[&str] = &[
    "XFD1048576",
    "1048577",
    "<c r=\"ZZ999999\"><v>1</v></c>",
    "<c r=\"A1\" t=\"s\"><v>4294967295</v></c>",
    "<mergeCell ref=\"A1:XFD1048576\"/>",
    "<mergeCell ref=\"C3:A1\"/>",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "uniqueCount=\"4294967295\"",
    "<si/>",
    "<![CDATA[<<<]]>",
    "<!-- > -->",
    "&amp;&#x4E2D;&#0;",
    "<row r=\"0\">",
    "t=\"inlineStr\"><is><t>",
    "\"",
    "<",
    ">",
    "项目名称",
    "1e308",
    "-0",
];

fn mutate(d: &mut Dice, bytes: &mut Vec<u8>) {
    for _ in 0..1 + d.below(4) {
        let at = d.below(bytes.len() + 1);
        match d.below(6) {
            0 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << d.below(8);
            }
            1 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = [0, 0xFF, b'<', b'>', b'"', b'9', b'A', b'/'][d.below(8)];
            }
            2 => {
                let end = (at + 1 + d.below(16)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            3 if !bytes.is_empty() => {
                let from = d.below(bytes.len());
                let len = (1 + d.below(64)).min(bytes.len() - from);
                let piece = bytes[from..from + len].to_vec();
                bytes.splice(at..at, piece);
            }
            4 if bytes.len() >= 4 => {
                let i = at.min(bytes.len() - 4);
                let v: u32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1000_0000][d.below(5)];
                bytes[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
            _ => {
                let t = TOKENS[d.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, t.iter().copied());
            }
        }
    }
}

/// The parts of a zip: (name, content).
type Parts = Vec<(String, Vec<u8>)>;

/// The parts of a zip (each up to 1 MiB), or None if it is not one that unpacks.
fn unzip(bytes: &[u8]) -> Option<Parts> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).ok()?;
        let mut data = Vec::new();
        (&mut f).take(1 << 20).read_to_end(&mut data).ok()?;
        parts.push((f.name().to_string(), data));
    }
    Some(parts)
}

/// calamine's own panics (overflow checks of a debug build, turned into errors by the
/// readers) are not printed: a backtrace each would make the run slow.
fn quiet_calamine() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info
                .location()
                .is_some_and(|l| l.file().contains("calamine"))
            {
                default(info);
            }
        }));
    });
}

#[test]
fn mutated_seeds_are_read_or_refused_clearly() {
    const MUTANTS: usize = 2_000;
    quiet_calamine();
    let dir = tempfile::tempdir().unwrap();
    // The seeds of one target (the others hold the same shapes), small once unzipped.
    let mut xlsx: Vec<(Vec<u8>, Option<Parts>)> = Vec::new();
    for target in XLSX_TARGETS {
        for path in files(&corpus().join(target)) {
            let bytes = std::fs::read(&path).unwrap();
            let parts = unzip(&bytes);
            let unzipped: usize = parts.iter().flatten().map(|(_, d)| d.len()).sum();
            if bytes.len() <= 16 * 1024 && unzipped <= 16 * 1024 {
                xlsx.push((bytes, parts));
            }
        }
    }
    let speeches: Vec<Vec<u8>> = files(&corpus().join("speech_text"))
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .filter(|b| b.len() <= 64 * 1024)
        .collect();
    assert!(xlsx.len() >= 10 && speeches.len() >= 4);
    let mut d = Dice(0x6475_6261_6e5f_667a);
    let t = Instant::now();
    let (mut read_ok, mut whole, mut in_parts) = (0, 0, 0);
    for i in 0..MUTANTS {
        if i % 4 == 3 {
            let mut bytes = speeches[d.below(speeches.len())].clone();
            mutate(&mut d, &mut bytes);
            let name = ["讲话.docx", "讲话.txt"][i % 2];
            read_ok += usize::from(speech(&bytes, name));
            continue;
        }
        let (bytes, parts) = &xlsx[d.below(xlsx.len())];
        // Half the time the zip as bytes; half the time one part's XML, zipped again.
        let mutant = match parts {
            Some(parts) if d.below(2) == 0 => {
                in_parts += 1;
                let k = d.below(parts.len());
                let parts: Vec<Part> = parts
                    .iter()
                    .enumerate()
                    .map(|(j, (name, data))| {
                        let mut data = data.clone();
                        if j == k {
                            mutate(&mut d, &mut data);
                        }
                        Part::stored(name, data)
                    })
                    .collect();
                forge::zip(&parts)
            }
            _ => {
                whole += 1;
                let mut bytes = bytes.clone();
                mutate(&mut d, &mut bytes);
                bytes
            }
        };
        let path = dir.path().join(format!("变异{}.xlsx", i % 7));
        std::fs::write(&path, &mutant).unwrap();
        read_ok += usize::from(read(i % 3, &path));
    }
    eprintln!(
        "{MUTANTS} mutants ({whole} of whole files, {in_parts} of one part, {} speeches) in {:.1} s; {read_ok} read",
        MUTANTS / 4,
        t.elapsed().as_secs_f64()
    );
    assert!(read_ok > 0);
}
