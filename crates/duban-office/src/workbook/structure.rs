//! 结构 — where the workbook's parts are, found the way calamine finds them: the package
//! relationships name the workbook part, its relationships name each sheet's part.

use std::collections::HashMap;

use super::MAX_SMALL_PART_BYTES;
use super::part::{Parts, Zip, read_part};

/// Where the workbook's parts are, found the way calamine finds them: the package
/// relationships name the workbook part, its relationships name each sheet's part.
pub(super) struct Structure {
    pub(super) xl_path: String,
    pub(super) workbook_part: String,
    pub(super) rels_part: String,
    /// (sheet name, part) in workbook order.
    pub(super) sheets: Vec<(String, String)>,
}

impl Structure {
    /// None when the structure cannot be read here; calamine then decides.
    pub(super) fn read(zip: &mut Zip, parts: &Parts) -> Option<Structure> {
        let small = |zip: &mut Zip, name: &str| -> Option<Vec<u8>> {
            let (real, size) = parts.get(name)?;
            if *size > MAX_SMALL_PART_BYTES {
                return None;
            }
            read_part(zip, real, *size).ok()
        };
        let rels = small(zip, "_rels/.rels")?;
        let target = relationships(&rels)
            .into_iter()
            .find(|(_, ty, _)| ty.ends_with("/relationships/officeDocument"))
            .map(|(_, _, target)| unescape(&target))?;
        let (dir, file) = match target.rfind('/') {
            Some(i) => target.split_at(i + 1),
            None => ("", target.as_str()),
        };
        let xl_path = dir.strip_prefix('/').unwrap_or(dir).to_string();
        let workbook_name = if file.is_empty() {
            "workbook.xml"
        } else {
            file
        };
        let workbook_part = format!("{xl_path}{workbook_name}");
        let rels_part = format!("{xl_path}_rels/{workbook_name}.rels");
        let by_id: HashMap<String, String> = relationships(&small(zip, &rels_part)?)
            .into_iter()
            .map(|(id, _, target)| (id, target))
            .collect();
        let workbook = small(zip, &workbook_part)?;
        let mut sheets = Vec::new();
        let mut reader = quick_xml::Reader::from_reader(&workbook[..]);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_event_into(&mut buf).ok()? {
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                    if e.local_name().as_ref() == b"sheet" =>
                {
                    let mut name = None;
                    let mut id = None;
                    for a in e.attributes().flatten() {
                        let key = a.key.as_ref();
                        let value = String::from_utf8_lossy(&a.value).into_owned();
                        if key == b"name" {
                            name = Some(unescape(&value));
                        } else if key == b"id" || key.ends_with(b":id") {
                            id = Some(value);
                        }
                    }
                    if let (Some(name), Some(target)) = (name, id.and_then(|i| by_id.get(&i))) {
                        let part = match target.strip_prefix('/') {
                            Some(abs) => abs.to_string(),
                            None => format!("{xl_path}{target}"),
                        };
                        sheets.push((name, part));
                    }
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        Some(Structure {
            xl_path,
            workbook_part,
            rels_part,
            sheets,
        })
    }
}

/// (Id, Type, Target) of each relationship in a relationships part.
fn relationships(xml: &[u8]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                if e.local_name().as_ref() == b"Relationship" =>
            {
                let mut rel = (String::new(), String::new(), String::new());
                for a in e.attributes().flatten() {
                    let value = String::from_utf8_lossy(&a.value).into_owned();
                    match a.key.as_ref() {
                        b"Id" => rel.0 = value,
                        b"Type" => rel.1 = value,
                        b"Target" => rel.2 = value,
                        _ => {}
                    }
                }
                out.push(rel);
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

fn unescape(s: &str) -> String {
    quick_xml::escape::unescape(s).map_or_else(|_| s.to_string(), |c| c.into_owned())
}
