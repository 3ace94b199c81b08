//! 压缩包 — the zip a workbook or a Word document is, looked at before anything is unpacked:
//! the central directory (how many parts, how large each says it is once unzipped), and a raw
//! pass over an XML part that measures what an XML parser would have to hold at once (the
//! longest text and the longest tag) and counts the elements that become collections.
//!
//! Both passes use a fixed-size buffer, whatever the file holds: they are the checks that
//! let the real readers (calamine, quick-xml) run on a file only once it is known not to
//! make them allocate without bound.

use std::io::{self, Read};

use calamine::Dimensions;

/// A central directory header: `PK\x01\x02`.
const CENTRAL_HEADER: &[u8; 4] = b"PK\x01\x02";
/// The fixed part of a central directory header.
const CENTRAL_FIXED: usize = 46;
/// A central directory header with its name, extra field and comment at their largest.
const CENTRAL_MAX: usize = CENTRAL_FIXED + 3 * 65_535;

/// What the central directory headers in a file declare.
#[derive(Debug, Default, Clone)]
pub(crate) struct Directory {
    /// Every `PK\x01\x02` in the file, whichever central directory a zip reader settles on.
    pub headers: usize,
    /// Their bytes (fixed part, name, extra field, comment): what a zip reader keeps of them.
    pub header_bytes: u64,
    /// The unzipped size they declare, summed (stored and deflated parts only: the only
    /// methods the readers can unpack).
    pub total: u64,
    /// The part declaring the largest unzipped size, and that size.
    pub largest: Option<(String, u64)>,
}

/// Reads `r` to its end once, through a fixed buffer, and adds up every central directory
/// header in it. Counting every header signature in the file (not only those of the directory
/// the end record points to) makes the figures an upper bound on what any zip reader could
/// take from the file, however its end records lie. A signature that happens to occur inside
/// compressed data adds at most one header's bytes; its declared size is only counted when
/// the compression method is one a reader can unpack.
pub(crate) fn scan_directory(mut r: impl Read) -> io::Result<Directory> {
    const CHUNK: usize = 1 << 20;
    let mut d = Directory::default();
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + CENTRAL_MAX);
    let mut eof = false;
    while !eof {
        // Fill up to one chunk past what is carried over.
        let target = buf.len() + CHUNK;
        while buf.len() < target {
            let start = buf.len();
            buf.resize(target, 0);
            let n = loop {
                match r.read(&mut buf[start..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            buf.truncate(start + n);
            if n == 0 {
                eof = true;
                break;
            }
        }
        // Headers starting here can be read whole (or the file ends).
        let limit = if eof {
            buf.len()
        } else {
            buf.len().saturating_sub(CENTRAL_MAX)
        };
        let mut i = 0;
        while i < limit {
            let Some(at) = find(&buf[i..], CENTRAL_HEADER) else {
                break;
            };
            let p = i + at;
            if p >= limit {
                break;
            }
            add_header(&mut d, &buf[p..]);
            i = p + 4;
        }
        buf.drain(..limit);
    }
    Ok(d)
}

fn add_header(d: &mut Directory, h: &[u8]) {
    d.headers += 1;
    if h.len() < CENTRAL_FIXED {
        d.header_bytes += CENTRAL_FIXED as u64;
        return;
    }
    let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]) as usize;
    let method = u16_at(10);
    let size32 = u32::from_le_bytes([h[24], h[25], h[26], h[27]]);
    let (name_len, extra_len, comment_len) = (u16_at(28), u16_at(30), u16_at(32));
    d.header_bytes += (CENTRAL_FIXED + name_len + extra_len + comment_len) as u64;
    if method != 0 && method != 8 {
        return;
    }
    let name_end = (CENTRAL_FIXED + name_len).min(h.len());
    let extra = &h[name_end..(name_end + extra_len).min(h.len())];
    let size = if size32 == u32::MAX {
        zip64_size(extra).unwrap_or(u64::MAX)
    } else {
        u64::from(size32)
    };
    d.total = d.total.saturating_add(size);
    if d.largest.as_ref().is_none_or(|(_, s)| size > *s) {
        let name = String::from_utf8_lossy(&h[CENTRAL_FIXED..name_end]).into_owned();
        d.largest = Some((name, size));
    }
}

/// The unzipped size in a ZIP64 extra field (tag 1, whose first value it is when the header
/// says 0xFFFFFFFF).
fn zip64_size(mut extra: &[u8]) -> Option<u64> {
    while extra.len() >= 4 {
        let tag = u16::from_le_bytes([extra[0], extra[1]]);
        let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
        let data = extra.get(4..4 + len)?;
        if tag == 1 {
            return Some(u64::from_le_bytes(data.get(..8)?.try_into().ok()?));
        }
        extra = &extra[4 + len..];
    }
    None
}

/// Where `needle` first occurs in `hay` (memchr's vectorised substring search: the directory
/// scan looks through the whole file, a ledger's 30 MB, for `PK\x01\x02`).
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// What a raw pass over an XML part found.
#[derive(Debug, Default, Clone)]
pub(crate) struct XmlScan {
    /// Bytes read (unzipped).
    pub bytes: u64,
    /// The longest stretch between two element tags (text, with any CDATA and comments in
    /// it): what an XML reader gathers into one value.
    pub longest_text: u64,
    /// The longest markup (a tag, a comment, a CDATA section...): what it reads at once.
    pub longest_tag: u64,
    /// For each name asked about: how many start tags have that local name, and the
    /// longest of them.
    pub counts: Vec<(u64, u64)>,
    /// For each name asked to capture: the first `keep` such tags, whole (up to 4 KiB each).
    pub captured: Vec<Vec<Vec<u8>>>,
}

/// What to look for in a part.
pub(crate) struct ScanFor<'a> {
    /// Local names to count (start and empty-element tags).
    pub count: &'a [&'a str],
    /// Local names whose tags to keep, and how many at most.
    pub capture: &'a [(&'a str, usize)],
    /// Stop reading once a text or a tag is longer than this (the part is refused anyway).
    pub stop_over: u64,
}

const CAPTURE_MAX: usize = 4096;
const NAME_MAX: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// Just after `<`.
    Open,
    /// In an element tag; the quote it is inside, if any.
    Tag(Option<u8>),
    /// After `<!`: how many of `--` or `[CDATA[` have matched so far is not needed, only
    /// which kind it turns into.
    Bang,
    /// `<!-- … -->`: trailing `-` seen (0–2).
    Comment(u8),
    /// `<![CDATA[ … ]]>`: trailing `]` seen (0–2).
    CData(u8),
    /// `<? … ?>`: `?` just seen.
    Pi(bool),
    /// `<!DOCTYPE … >`: bracket depth.
    Decl(u32),
}

/// Reads `r` to its end through a fixed buffer and measures it as an XML reader would see
/// it. Not a validating parser: it only has to bound what a real one would allocate, and
/// for a well-formed part it sees the same tags. Each state runs in its own tight loop
/// (text up to '<', a name up to its end, attributes up to the '>' outside quotes), and
/// positions are kept instead of lengths.
pub(crate) fn scan_xml(mut r: impl Read, what: &ScanFor) -> io::Result<XmlScan> {
    let mut s = XmlScan {
        counts: vec![(0, 0); what.count.len()],
        captured: vec![Vec::new(); what.capture.len()],
        ..XmlScan::default()
    };
    let mut state = State::Text;
    // Where the last element tag ended (one past its '>'), and where the current markup began.
    let mut text_from: u64 = 0;
    let mut tag_from: u64 = 0;
    // The current element tag: its name (local part) and, when captured, its bytes.
    let mut name: Vec<u8> = Vec::with_capacity(NAME_MAX);
    let mut name_done = false;
    let mut closing = false;
    let mut capture: Option<usize> = None;
    let mut tag_bytes: Vec<u8> = Vec::with_capacity(CAPTURE_MAX);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        // Stop once the open text or markup is past the limit: the part is refused anyway.
        let open_text = s.bytes - text_from;
        if open_text > what.stop_over {
            s.longest_text = s.longest_text.max(open_text);
            return Ok(s);
        }
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let base = s.bytes;
        s.bytes += n as u64;
        let chunk = &buf[..n];
        let mut i = 0;
        while i < n {
            match state {
                State::Text => match chunk[i..].iter().position(|&b| b == b'<') {
                    Some(k) => {
                        i += k;
                        tag_from = base + i as u64;
                        state = State::Open;
                        i += 1;
                    }
                    None => i = n,
                },
                State::Open => {
                    match chunk[i] {
                        b'!' => state = State::Bang,
                        b'?' => state = State::Pi(false),
                        b => {
                            state = State::Tag(None);
                            name.clear();
                            name_done = false;
                            closing = b == b'/';
                            capture = None;
                            if !closing {
                                // The name's first byte: read by the name loop.
                                continue;
                            }
                        }
                    }
                    i += 1;
                }
                State::Tag(mut quote) => {
                    if !name_done {
                        while i < n {
                            let b = chunk[i];
                            if b.is_ascii_whitespace() || b == b'/' || b == b'>' {
                                break;
                            }
                            if name.len() < NAME_MAX {
                                name.push(b);
                            }
                            i += 1;
                        }
                        if i == n {
                            break;
                        }
                        name_done = true;
                        if !closing {
                            let local = local_name(&name);
                            for (k, want) in what.count.iter().enumerate() {
                                if local == want.as_bytes() {
                                    s.counts[k].0 += 1;
                                }
                            }
                            capture = what
                                .capture
                                .iter()
                                .position(|(want, _)| local == want.as_bytes())
                                .filter(|&k| s.captured[k].len() < what.capture[k].1);
                            if capture.is_some() {
                                tag_bytes.clear();
                                tag_bytes.push(b'<');
                                tag_bytes.extend_from_slice(&name);
                            }
                        }
                    }
                    // The attributes, up to the '>' outside quotes.
                    let start = i;
                    while i < n {
                        let b = chunk[i];
                        match quote {
                            Some(q) => {
                                if b == q {
                                    quote = None;
                                }
                            }
                            None => {
                                if b == b'"' || b == b'\'' {
                                    quote = Some(b);
                                } else if b == b'>' {
                                    break;
                                }
                            }
                        }
                        i += 1;
                    }
                    if capture.is_some() {
                        let room = CAPTURE_MAX.saturating_sub(tag_bytes.len());
                        let upto = (i + 1).min(n);
                        tag_bytes
                            .extend_from_slice(&chunk[start..upto][..(upto - start).min(room)]);
                    }
                    state = State::Tag(quote);
                    if i == n {
                        break;
                    }
                    // The '>' ending an element tag.
                    let end = base + i as u64 + 1;
                    let len = end - tag_from;
                    s.longest_tag = s.longest_tag.max(len);
                    // An element tag ends the text before it.
                    s.longest_text = s.longest_text.max(tag_from - text_from);
                    text_from = end;
                    if !closing {
                        let local = local_name(&name);
                        for (k, want) in what.count.iter().enumerate() {
                            if local == want.as_bytes() {
                                s.counts[k].1 = s.counts[k].1.max(len);
                            }
                        }
                    }
                    if let Some(k) = capture.take() {
                        s.captured[k].push(tag_bytes.clone());
                    }
                    state = State::Text;
                    i += 1;
                }
                // Comments, CDATA, processing instructions, declarations: rare, a byte at a
                // time; their end counts as markup, the text goes on.
                other => {
                    let b = chunk[i];
                    state = match other {
                        State::Bang => match b {
                            b'-' => State::Comment(0),
                            b'[' => State::CData(0),
                            _ => State::Decl(0),
                        },
                        State::Comment(dashes) => match b {
                            b'-' => State::Comment((dashes + 1).min(2)),
                            b'>' if dashes == 2 => State::Text,
                            _ => State::Comment(0),
                        },
                        State::CData(brackets) => match b {
                            b']' => State::CData((brackets + 1).min(2)),
                            b'>' if brackets == 2 => State::Text,
                            _ => State::CData(0),
                        },
                        State::Pi(q) => match b {
                            b'?' => State::Pi(true),
                            b'>' if q => State::Text,
                            _ => State::Pi(false),
                        },
                        State::Decl(depth) => match b {
                            b'[' => State::Decl(depth + 1),
                            b']' => State::Decl(depth.saturating_sub(1)),
                            b'>' if depth == 0 => State::Text,
                            _ => State::Decl(depth),
                        },
                        State::Text | State::Open | State::Tag(_) => other,
                    };
                    if state == State::Text {
                        s.longest_tag = s.longest_tag.max(base + i as u64 + 1 - tag_from);
                    }
                    i += 1;
                }
            }
        }
    }
    if state != State::Text {
        s.longest_tag = s.longest_tag.max(s.bytes - tag_from);
    }
    s.longest_text = s.longest_text.max(s.bytes - text_from);
    Ok(s)
}

fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The value of attribute `attr` in a captured tag (not unescaped: references and numbers).
pub(crate) fn attribute<'a>(tag: &'a [u8], attr: &str) -> Option<&'a str> {
    let mut i = 0;
    let attr = attr.as_bytes();
    while let Some(at) = find(&tag[i..], attr) {
        let p = i + at;
        let before_ok = p > 0 && tag[p - 1].is_ascii_whitespace();
        let mut j = p + attr.len();
        while j < tag.len() && tag[j].is_ascii_whitespace() {
            j += 1;
        }
        if before_ok && tag.get(j) == Some(&b'=') {
            j += 1;
            while j < tag.len() && tag[j].is_ascii_whitespace() {
                j += 1;
            }
            let q = *tag.get(j)?;
            if q == b'"' || q == b'\'' {
                let rest = &tag[j + 1..];
                let end = rest.iter().position(|&b| b == q)?;
                return std::str::from_utf8(&rest[..end]).ok();
            }
            return None;
        }
        i = p + 1;
    }
    None
}

/// A cell reference ("B7", "$B$7") as (row, column), 0-based.
pub(crate) fn cell_ref(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('$');
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for b in s[..letters].bytes() {
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let digits = s[letters..].trim_start_matches('$');
    if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 {
        return None;
    }
    Some((row - 1, col - 1))
}

/// A range reference ("A1:O1", or one cell) as its corners, ordered.
pub(crate) fn range_ref(s: &str) -> Option<Dimensions> {
    let (a, b) = s.split_once(':').unwrap_or((s, s));
    let (a, b) = (cell_ref(a)?, cell_ref(b)?);
    Some(Dimensions::new(
        (a.0.min(b.0), a.1.min(b.1)),
        (a.0.max(b.0), a.1.max(b.1)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("$B$7"), Some((6, 1)));
        assert_eq!(cell_ref("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("1A"), None);
        let d = range_ref("C3:A1").unwrap();
        assert_eq!((d.start, d.end), ((0, 0), (2, 2)), "corners ordered");
        assert_eq!(range_ref("B2").unwrap().start, (1, 1));
    }

    #[test]
    fn xml_scan_measures_text_tags_and_counts() {
        let xml = br#"<?xml version="1.0"?><!-- a comment with <tags> --><sst uniqueCount="3" count="5"><si><t>abc</t></si><x:si><t><![CDATA[a<b]]>de</t></x:si><si/><mergeCell ref="A1:B2"/><mergeCells count="1"></sst>"#;
        let s = scan_xml(
            &xml[..],
            &ScanFor {
                count: &["si", "mergeCell"],
                capture: &[("sst", 1), ("mergeCell", 10)],
                stop_over: u64::MAX,
            },
        )
        .unwrap();
        assert_eq!(s.bytes, xml.len() as u64);
        assert_eq!(
            s.counts[0].0, 3,
            "si, x:si and si/ — not mergeCells nor </si>"
        );
        assert_eq!(s.counts[1].0, 1);
        assert_eq!(
            attribute(&s.captured[0][0], "uniqueCount"),
            Some("3"),
            "{:?}",
            String::from_utf8_lossy(&s.captured[0][0])
        );
        assert_eq!(attribute(&s.captured[1][0], "ref"), Some("A1:B2"));
        // Comments, CDATA and declarations count as text: the longest stretch without an
        // element tag is the prolog, 21 + 30 bytes (the CDATA and its text are 17).
        assert_eq!(s.longest_text, 51);
        // A quoted '>' does not end a tag.
        let s = scan_xml(
            &br#"<a b=">>>>>>>>>>">x</a>"#[..],
            &ScanFor {
                count: &[],
                capture: &[],
                stop_over: u64::MAX,
            },
        )
        .unwrap();
        assert_eq!(s.longest_tag, 18);
        assert_eq!(s.longest_text, 1);
    }

    #[test]
    fn xml_scan_stops_past_the_limit() {
        // 10 MB of one text: the pass stops after the first chunk past 1 KB.
        let mut xml = b"<t>".to_vec();
        xml.resize(10_000_000, b'a');
        let s = scan_xml(
            &xml[..],
            &ScanFor {
                count: &[],
                capture: &[],
                stop_over: 1024,
            },
        )
        .unwrap();
        assert!(s.bytes <= 2 * 65_536, "{}", s.bytes);
        assert!(s.longest_text > 1024);
    }

    #[test]
    fn directory_scan_counts_headers_across_chunks() {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..3 {
            zip.start_file(format!("part{i}.xml"), opts).unwrap();
            std::io::Write::write_all(&mut zip, &vec![b'a'; 1000 * (i + 1)]).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        let d = scan_directory(&bytes[..]).unwrap();
        assert_eq!(d.headers, 3);
        assert_eq!(d.total, 6000);
        assert_eq!(d.largest, Some(("part2.xml".into(), 3000)));
        // Padding before the zip (2.5 chunks) moves every header across chunk borders.
        let mut padded = vec![0u8; 2_621_440 + 17];
        padded.extend_from_slice(&bytes);
        assert_eq!(scan_directory(&padded[..]).unwrap().headers, 3);
    }
}
