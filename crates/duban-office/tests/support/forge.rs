//! Hand-made .xlsx packages for the hostile-file tests and the fuzz seeds: a zip written
//! byte by byte (so that a part can declare any size, and a deflated part can unpack a
//! thousandfold), and the few XML parts a workbook needs. Made for duban.
#![allow(dead_code)]

/// A part of a zip.
pub struct Part {
    pub name: String,
    /// The bytes stored in the zip: the content itself (stored) or a raw deflate stream.
    pub data: Vec<u8>,
    pub deflated: bool,
    /// The unzipped size and CRC the headers declare.
    pub size: u64,
    pub crc: u32,
}

impl Part {
    /// A part stored as is, declaring its true size and CRC.
    pub fn stored(name: &str, content: impl Into<Vec<u8>>) -> Part {
        let data = content.into();
        Part {
            name: name.into(),
            size: data.len() as u64,
            crc: crc32(&data),
            data,
            deflated: false,
        }
    }

    /// A part whose content is `prefix`, `unit` repeated `times`, and `suffix`, deflated with
    /// back-references (a few hundred times smaller than its content).
    /// Its CRC is computed for contents up to 16 MiB (larger ones are refused before their
    /// end is read, where the CRC is checked); see [`Part::repeated_checked`].
    pub fn repeated(name: &str, prefix: &[u8], unit: &[u8], times: usize, suffix: &[u8]) -> Part {
        let crc = unit.len() * times <= 16 << 20;
        let (data, size, crc) = deflate_repeat(prefix, unit, times, suffix, crc);
        Part {
            name: name.into(),
            data,
            deflated: true,
            size,
            crc,
        }
    }

    /// [`Part::repeated`] with its CRC, whatever its size.
    pub fn repeated_checked(
        name: &str,
        prefix: &[u8],
        unit: &[u8],
        times: usize,
        suffix: &[u8],
    ) -> Part {
        let (data, size, crc) = deflate_repeat(prefix, unit, times, suffix, true);
        Part {
            name: name.into(),
            data,
            deflated: true,
            size,
            crc,
        }
    }

    /// The same part declaring another unzipped size (a lie).
    pub fn declaring(mut self, size: u64) -> Part {
        self.size = size;
        self
    }
}

/// The zip of `parts`, in order.
pub fn zip(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        let method: u16 = if p.deflated { 8 } else { 0 };
        let size32 = p.size.min(u64::from(u32::MAX)) as u32;
        let name = p.name.as_bytes();
        let flags: u16 = if p.name.is_ascii() { 0 } else { 0x0800 };
        // Local header.
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
        out.extend_from_slice(&p.crc.to_le_bytes());
        out.extend_from_slice(&(p.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&size32.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&p.data);
        // Central header.
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&flags.to_le_bytes());
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0, 0, 0x21, 0]);
        central.extend_from_slice(&p.crc.to_le_bytes());
        central.extend_from_slice(&(p.data.len() as u32).to_le_bytes());
        central.extend_from_slice(&size32.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
        central.extend_from_slice(&[0; 4]); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

pub const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// A workbook of `sheets` (name, sheet part) and any `extra` parts (shared strings, styles —
/// named as they are in the zip), the sheets' parts `xl/worksheets/sheetN.xml`.
pub fn workbook(sheets: Vec<(&str, Part)>, extra: Vec<Part>) -> Vec<u8> {
    let mut content_types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut listed = String::new();
    let mut rels = String::new();
    for (i, _) in sheets.iter().enumerate() {
        content_types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
            i + 1
        ));
    }
    content_types.push_str("</Types>");
    for (i, (name, _)) in sheets.iter().enumerate() {
        listed.push_str(&format!(
            r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#,
            escape(name),
            i + 1,
            i + 1
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{}" Type="{REL}/worksheet" Target="worksheets/sheet{}.xml"/>"#,
            i + 1,
            i + 1
        ));
    }
    let mut parts = vec![
        Part::stored("[Content_Types].xml", content_types),
        Part::stored(
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        Part::stored(
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>{listed}</sheets></workbook>"#
            ),
        ),
        Part::stored(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG}">{rels}</Relationships>"#
            ),
        ),
    ];
    for (i, (_, mut part)) in sheets.into_iter().enumerate() {
        part.name = format!("xl/worksheets/sheet{}.xml", i + 1);
        parts.push(part);
    }
    parts.extend(extra);
    zip(&parts)
}

/// A cell of a forged sheet.
pub enum Cell<'a> {
    /// An inline string.
    Text(&'a str),
    Number(f64),
    /// An index into the shared strings.
    Shared(usize),
}

/// A worksheet part: an optional declared `<dimension>`, the cells (address, value) in the
/// order given, and merged ranges.
pub fn sheet(dimension: Option<&str>, cells: &[(&str, Cell)], merges: &[&str]) -> Part {
    Part::stored("sheet", sheet_xml(dimension, cells, merges))
}

pub fn sheet_xml(dimension: Option<&str>, cells: &[(&str, Cell)], merges: &[&str]) -> String {
    let mut x = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS}">"#
    );
    if let Some(d) = dimension {
        x.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    x.push_str("<sheetData>");
    let mut row = String::new();
    for (addr, cell) in cells {
        let r: String = addr.chars().filter(char::is_ascii_digit).collect();
        if r != row {
            if !row.is_empty() {
                x.push_str("</row>");
            }
            x.push_str(&format!(r#"<row r="{r}">"#));
            row = r;
        }
        match cell {
            Cell::Text(t) => x.push_str(&format!(
                r#"<c r="{addr}" t="inlineStr"><is><t>{}</t></is></c>"#,
                escape(t)
            )),
            Cell::Number(n) => x.push_str(&format!(r#"<c r="{addr}"><v>{n}</v></c>"#)),
            Cell::Shared(i) => x.push_str(&format!(r#"<c r="{addr}" t="s"><v>{i}</v></c>"#)),
        }
    }
    if !row.is_empty() {
        x.push_str("</row>");
    }
    x.push_str("</sheetData>");
    if !merges.is_empty() {
        x.push_str(&format!(r#"<mergeCells count="{}">"#, merges.len()));
        for m in merges {
            x.push_str(&format!(r#"<mergeCell ref="{m}"/>"#));
        }
        x.push_str("</mergeCells>");
    }
    x.push_str("</worksheet>");
    x
}

/// A shared strings part of `strings`.
pub fn shared_strings(strings: &[&str]) -> Part {
    let mut x = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{NS}" count="{0}" uniqueCount="{0}">"#,
        strings.len()
    );
    for s in strings {
        x.push_str(&format!("<si><t>{}</t></si>", escape(s)));
    }
    x.push_str("</sst>");
    Part::stored("xl/sharedStrings.xml", x)
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A small ledger sheet's cells: a header and two items.
pub fn ledger_cells() -> Vec<(&'static str, Cell<'static>)> {
    vec![
        ("A1", Cell::Text("项目名称")),
        ("B1", Cell::Text("责任单位")),
        ("C1", Cell::Text("总投资（万元）")),
        ("A2", Cell::Text("白水县新型建材产业园项目")),
        ("B2", Cell::Text("白水县")),
        ("C2", Cell::Number(52000.0)),
        ("A3", Cell::Text("城区污水处理厂提标改造工程")),
        ("B3", Cell::Text("市住建局")),
        ("C3", Cell::Number(8000.0)),
    ]
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut c = Crc::new();
    c.update(data);
    c.finish()
}

/// CRC-32 (IEEE), a table at a time.
pub struct Crc {
    table: [u32; 256],
    value: u32,
}

impl Crc {
    pub fn new() -> Crc {
        let mut table = [0u32; 256];
        for (i, t) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *t = c;
        }
        Crc {
            table,
            value: 0xFFFF_FFFF,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.value =
                self.table[((self.value ^ u32::from(b)) & 0xFF) as usize] ^ (self.value >> 8);
        }
    }

    pub fn finish(&self) -> u32 {
        self.value ^ 0xFFFF_FFFF
    }
}

/// Bits written least significant first, as deflate wants.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let mut rev = 0;
        for i in 0..len {
            rev |= ((code >> i) & 1) << (len - 1 - i);
        }
        self.put(rev, len);
    }

    fn literal(&mut self, b: u8) {
        if b < 144 {
            self.code(0x30 + u32::from(b), 8);
        } else {
            self.code(0x190 + u32::from(b) - 144, 9);
        }
    }

    fn symbol(&mut self, sym: u32) {
        if sym < 280 {
            self.code(sym - 256, 7);
        } else {
            self.code(0xC0 + sym - 280, 8);
        }
    }

    fn length(&mut self, len: u32) {
        const BASE: [u32; 29] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
            115, 131, 163, 195, 227, 258,
        ];
        const EXTRA: [u32; 29] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ];
        let i = BASE.iter().rposition(|&b| b <= len).expect("length ≥ 3");
        self.symbol(257 + i as u32);
        self.put(len - BASE[i], EXTRA[i]);
    }

    fn distance(&mut self, dist: u32) {
        const BASE: [u32; 30] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
            1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ];
        let i = BASE.iter().rposition(|&b| b <= dist).expect("distance ≥ 1");
        let extra = if i < 4 { 0 } else { (i as u32 - 2) / 2 };
        self.code(i as u32, 5);
        self.put(dist - BASE[i], extra);
    }
}

/// A raw deflate stream (one block, fixed codes) of `prefix`, `unit` × `times`, `suffix`;
/// with the content's size and CRC.
pub fn deflate_repeat(
    prefix: &[u8],
    unit: &[u8],
    times: usize,
    suffix: &[u8],
    with_crc: bool,
) -> (Vec<u8>, u64, u32) {
    assert!(!unit.is_empty() && unit.len() <= 32_768);
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // the last block
    bits.put(1, 2); // fixed Huffman codes
    let mut crc = Crc::new();
    for &b in prefix {
        bits.literal(b);
    }
    crc.update(prefix);
    if times > 0 {
        for &b in unit {
            bits.literal(b);
        }
        // The bits of the full-length reference, once.
        let full = {
            let mut b = Bits {
                out: Vec::new(),
                acc: 0,
                n: 0,
            };
            b.length(258);
            b.distance(unit.len() as u32);
            let mut value = b.acc;
            for byte in b.out.iter().rev() {
                value = (value << 8) | u64::from(*byte);
            }
            (value as u32, b.n + 8 * b.out.len() as u32)
        };
        let mut left = (times - 1) * unit.len();
        while left > 0 {
            if left >= 258 + 3 {
                bits.put(full.0, full.1);
                left -= 258;
                continue;
            }
            if left < 3 {
                let done = times * unit.len() - left;
                for i in 0..left {
                    bits.literal(unit[(done + i) % unit.len()]);
                }
                break;
            }
            let len = left.min(258);
            // Keep at least 3 for the next reference.
            let len = if left - len > 0 && left - len < 3 {
                len - 3
            } else {
                len
            };
            bits.length(len as u32);
            bits.distance(unit.len() as u32);
            left -= len;
        }
        // The CRC of the repetitions, a unit at a time.
        if with_crc {
            for _ in 0..times {
                crc.update(unit);
            }
        }
    }
    for &b in suffix {
        bits.literal(b);
    }
    crc.update(suffix);
    bits.symbol(256);
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    let size = (prefix.len() + unit.len() * times + suffix.len()) as u64;
    (bits.out, size, crc.finish())
}
