//! A Word file printed to PDF by LibreOffice and read back with poppler, and the checks of the
//! official-document layout (GB/T 9704) on what was printed — shared by the print tests
//! (`#[path]`-included). Needs `libreoffice` (libreoffice-writer-nogui) and poppler's
//! `pdfinfo`, `pdftotext` and `pdftoppm`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A millimetre in points.
pub const MM: f64 = 72.0 / 25.4;
/// A4 in points.
pub const WIDTH: f64 = 595.3;
pub const HEIGHT: f64 = 841.9;

/// A word of the PDF: its page (from 1), its text and its box (points from the top left).
pub type Word = (usize, String, [f64; 4]);

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Writes `docx` as `dir/name.docx`, prints it with LibreOffice (its own profile in `dir`) and
/// returns the PDF, checking that its pages are A4.
pub fn print(docx: &[u8], dir: &Path, name: &str) -> PathBuf {
    let file = dir.join(format!("{name}.docx"));
    std::fs::write(&file, docx).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.display());
    run(Command::new("libreoffice")
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(&file));
    let pdf = dir.join(format!("{name}.pdf"));
    let info = run(Command::new("pdfinfo").arg(&pdf));
    assert!(
        info.contains("595.") && info.contains("841."),
        "A4 pages: {info}"
    );
    pdf
}

/// How many pages the PDF has.
pub fn pages(pdf: &Path) -> usize {
    run(Command::new("pdfinfo").arg(pdf))
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

/// Every word of the PDF with its page and box (points from the top left).
pub fn words(pdf: &Path) -> Vec<Word> {
    let html = run(Command::new("pdftotext").arg("-bbox").arg(pdf).arg("-"));
    let mut out = Vec::new();
    let mut page = 0;
    for line in html.lines() {
        if line.contains("<page ") {
            page += 1;
        }
        let Some(start) = line.find("<word ") else {
            continue;
        };
        let attr = |name: &str| -> f64 {
            let at = line[start..].find(&format!("{name}=\"")).unwrap() + start + name.len() + 2;
            line[at..at + line[at..].find('"').unwrap()]
                .parse()
                .unwrap()
        };
        let text = line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()].to_string();
        out.push((
            page,
            text,
            [attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")],
        ));
    }
    out
}

/// Full-width marks that may end a line hanging in the right margin.
const HANGING: &str = "，。、；：！？）”’》」";
/// 三号 — the body's em, in points.
const BODY_EM: f64 = 16.0;

/// The official layout on every one of `pages`: "— N —" centred in the bottom margin, and
/// every other word inside the 版心 — 28 mm left, 26 mm right, 37 mm top, 35 mm bottom —
/// but a comma or stop ending a line, which may hang one character into the right margin
/// (标点溢出边界: Word's default for Chinese and LibreOffice's, which reads
/// `w:overflowPunct` inverted, so no one setting keeps it inside in both).
pub fn assert_official_layout(pages: usize, words: &[Word]) {
    for p in 1..=pages {
        let number = words
            .iter()
            .find(|(page, t, b)| *page == p && t == &p.to_string() && b[1] > HEIGHT - 35.0 * MM)
            .unwrap_or_else(|| panic!("page {p} has no page number at its foot"));
        let centre = (number.2[0] + number.2[2]) / 2.0;
        assert!(
            (centre - WIDTH / 2.0).abs() < 15.0,
            "page {p}'s number is centred: {centre}"
        );
    }
    for (p, t, b) in words
        .iter()
        .filter(|(_, t, b)| b[1] < HEIGHT - 35.0 * MM && !t.is_empty())
    {
        assert!(
            b[0] >= 28.0 * MM - 2.0,
            "page {p}: “{t}” starts left of the margin at {}",
            b[0]
        );
        let hangs = t.ends_with(|c| HANGING.contains(c));
        assert!(
            b[2] <= WIDTH - 26.0 * MM + 2.0 + if hangs { BODY_EM } else { 0.0 },
            "page {p}: “{t}” runs into the right margin at {}",
            b[2]
        );
        assert!(
            b[1] >= 37.0 * MM - 4.0,
            "page {p}: “{t}” is in the top margin at {}",
            b[1]
        );
    }
}

/// The text of page `page`, its words run together.
pub fn page_text(words: &[Word], page: usize) -> String {
    words
        .iter()
        .filter(|(p, ..)| *p == page)
        .map(|(_, t, _)| t.as_str())
        .collect()
}

/// How many pixels of page `page`, rendered at 100 dpi, are within a few steps of `rgb` (hex,
/// "C00000") in each channel.
pub fn pixels_of(pdf: &Path, page: usize, rgb: &str) -> usize {
    let want: Vec<i32> = (0..3)
        .map(|i| i32::from_str_radix(&rgb[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let out = Command::new("pdftoppm")
        .args([
            "-r",
            "100",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("pdftoppm: {e}"));
    assert!(out.status.success(), "pdftoppm failed");
    // P6: "P6", width, height, maximum value, each after white space, then RGB bytes.
    let ppm = out.stdout;
    let mut fields = 0;
    let mut at = 0;
    while fields < 4 {
        while ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        while !ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields += 1;
    }
    ppm[at + 1..]
        .chunks_exact(3)
        .filter(|px| (0..3).all(|i| (i32::from(px[i]) - want[i]).abs() <= 24))
        .count()
}
