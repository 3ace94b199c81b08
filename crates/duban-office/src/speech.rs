//! 讲话稿 — the text of a speech from the files officials keep it in: plain text (UTF-8, or
//! GB18030 as Windows Notepad and WPS save it) or a Word document (.docx), one line per
//! paragraph.

use std::io::Read;
use std::path::Path;

use quick_xml::events::Event;

/// Why a speech cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error(
        "{path}：不支持的文件类型（请使用 .txt 或 .docx；.doc 请先在 Word/WPS 中另存为 .docx）"
    )]
    Unsupported { path: String },
    #[error("{path} 不是有效的 Word 文档（.docx）：{detail}")]
    NotDocx { path: String, detail: String },
    #[error("{path} 中没有文字")]
    Empty { path: String },
    #[error("{path} 过大，无法读取：{detail}")]
    TooLarge { path: String, detail: String },
}

/// A speech file: a speech is tens of kilobytes; a Word document with pictures a few
/// megabytes.
pub const MAX_SPEECH_BYTES: usize = 32 * 1024 * 1024;
/// The text of a Word document (word/document.xml), unzipped.
pub const MAX_DOCUMENT_XML: u64 = 64 * 1024 * 1024;
/// Parts in a Word document (a few dozen, one per picture more), and the bytes of its
/// central directory.
pub const MAX_DOCX_ENTRIES: usize = 10_000;
pub const MAX_DOCX_DIRECTORY: u64 = 4 * 1024 * 1024;

/// How a text file is encoded, judged once from its beginning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// Windows Notepad's "ANSI" and WPS on a Chinese system.
    Gb18030,
    /// Notepad's "Unicode" (a byte-order mark FF FE or FE FF).
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    /// Judged from the first bytes: a UTF-16 byte-order mark; UTF-8 when they are valid UTF-8
    /// (a character cut at the end of the sample allowed); else GB18030.
    pub fn sniff(head: &[u8]) -> TextEncoding {
        if head.starts_with(b"\xFF\xFE") {
            return TextEncoding::Utf16Le;
        }
        if head.starts_with(b"\xFE\xFF") {
            return TextEncoding::Utf16Be;
        }
        match std::str::from_utf8(head) {
            Ok(_) => TextEncoding::Utf8,
            Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
            Err(_) => TextEncoding::Gb18030,
        }
    }

    /// `bytes` as text (a byte-order mark dropped).
    pub fn decode(self, bytes: &[u8]) -> String {
        let encoding = match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        };
        encoding.decode(bytes).0.into_owned()
    }
}

/// Plain text in whichever encoding it was saved (UTF-8, GB18030, UTF-16 with its mark).
pub fn text_from_bytes(bytes: &[u8]) -> String {
    TextEncoding::sniff(&bytes[..bytes.len().min(64 * 1024)]).decode(bytes)
}

/// The paragraphs of a .docx, one per line (tabs as spaces, line breaks kept).
///
/// Bounded whatever the bytes: the zip's central directory is counted (parts, bytes) before
/// it is read, the text part must declare at most [`MAX_DOCUMENT_XML`] and is unpacked no
/// further than that (a part that unpacks to more than it declares is refused).
pub fn docx_text(bytes: &[u8], path: &str) -> Result<String, SpeechError> {
    let not_docx = |detail: String| SpeechError::NotDocx {
        path: path.to_string(),
        detail,
    };
    let too_large = |detail: String| SpeechError::TooLarge {
        path: path.to_string(),
        detail,
    };
    if bytes.len() > MAX_SPEECH_BYTES {
        return Err(too_large(too_long(bytes.len())));
    }
    let dir = crate::package::scan_directory(bytes).map_err(|e| not_docx(e.to_string()))?;
    if dir.headers > MAX_DOCX_ENTRIES || dir.header_bytes > MAX_DOCX_DIRECTORY {
        return Err(too_large(format!(
            "压缩包中有 {} 个部件、目录 {} MB，超过 {} 个、{} MB（Word 文档通常只有几十个部件）。文件可能已损坏或被篡改：请在 Word 或 WPS 中打开后另存为 .docx 再提取",
            crate::workbook::thousands(dir.headers as u64),
            crate::workbook::megabytes(dir.header_bytes),
            crate::workbook::thousands(MAX_DOCX_ENTRIES as u64),
            MAX_DOCX_DIRECTORY / 1024 / 1024
        )));
    }
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| not_docx(e.to_string()))?;
    let mut xml = String::new();
    let part = zip
        .by_name("word/document.xml")
        .map_err(|e| not_docx(format!("缺少 word/document.xml（{e}）")))?;
    let declared = part.size();
    if declared > MAX_DOCUMENT_XML {
        return Err(too_large(format!(
            "正文（word/document.xml）解压后有 {} MB，超过 {} MB（一篇讲话稿的正文通常不到 1 MB）。这可能是“压缩炸弹”：请确认选择的文件是否正确",
            crate::workbook::megabytes(declared),
            MAX_DOCUMENT_XML / 1024 / 1024
        )));
    }
    part.take(declared + 1)
        .read_to_string(&mut xml)
        .map_err(|e| not_docx(e.to_string()))?;
    if xml.len() as u64 > declared {
        return Err(not_docx(
            "正文解压后比它声明的大小更大，文件已损坏或被篡改".into(),
        ));
    }
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    // Text boxes are written twice (mc:Choice and mc:Fallback): the fallback is skipped.
    let mut fallback = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| not_docx(e.to_string()))?;
        match &event {
            Event::Start(e) if e.name().as_ref() == b"mc:Fallback" => fallback += 1,
            Event::End(e) if e.name().as_ref() == b"mc:Fallback" => {
                fallback = fallback.saturating_sub(1);
                continue;
            }
            Event::Eof => break,
            _ => {}
        }
        if fallback > 0 {
            continue;
        }
        match event {
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == b"w:p" => out.push('\n'),
            Event::Empty(e) if e.name().as_ref() == b"w:tab" => out.push(' '),
            Event::Empty(e) if e.name().as_ref() == b"w:br" => out.push('\n'),
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| not_docx(e.to_string()))?;
                out.push_str(
                    &quick_xml::escape::unescape(&s).map_err(|e| not_docx(e.to_string()))?,
                );
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().map_err(|e| not_docx(e.to_string()))?;
                let entity = format!("&{name};");
                out.push_str(
                    &quick_xml::escape::unescape(&entity).map_err(|e| not_docx(e.to_string()))?,
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn too_long(len: usize) -> String {
    format!(
        "文件有 {} MB，超过讲话稿的上限 {} MB（一篇讲话稿通常只有几十 KB）：请确认选择的文件是否正确，或把讲话稿分成几篇分别提取",
        crate::workbook::megabytes(len as u64),
        MAX_SPEECH_BYTES / 1024 / 1024
    )
}

/// The text of a speech file by its extension (.txt, .docx); `name` is used in messages.
/// At most [`MAX_SPEECH_BYTES`] are read.
pub fn speech_text(bytes: &[u8], name: &str) -> Result<String, SpeechError> {
    if bytes.len() > MAX_SPEECH_BYTES {
        return Err(SpeechError::TooLarge {
            path: name.to_string(),
            detail: too_long(bytes.len()),
        });
    }
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let text = match ext.as_str() {
        "txt" | "text" | "md" | "" => text_from_bytes(bytes),
        "docx" => docx_text(bytes, name)?,
        _ => {
            return Err(SpeechError::Unsupported {
                path: name.to_string(),
            });
        }
    };
    if text.trim().is_empty() {
        return Err(SpeechError::Empty {
            path: name.to_string(),
        });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb18030_text_and_a_word_document() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("市财政局负责资金保障。");
        assert_eq!(text_from_bytes(&gbk), "市财政局负责资金保障。");
        assert_eq!(text_from_bytes("\u{feff}同志们：".as_bytes()), "同志们：");
        let mut le = vec![0xFF, 0xFE];
        for u in "各县区要抓落实。".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        assert_eq!(
            text_from_bytes(&le),
            "各县区要抓落实。",
            "Notepad's Unicode"
        );
        // Short GB18030 text that happens to be valid UTF-8 is judged on the whole sample.
        let (gbk, _, _) = encoding_rs::GB18030.encode("同志们：\n谢谢\n市财政局负责资金保障。");
        assert_eq!(TextEncoding::sniff(&gbk), TextEncoding::Gb18030);

        // A real .docx written by docx-rs: two paragraphs, the second in two runs.
        let doc = docx_rs::Docx::new()
            .add_paragraph(
                docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text("同志们：")),
            )
            .add_paragraph(
                docx_rs::Paragraph::new()
                    .add_run(docx_rs::Run::new().add_text("由市发改委牵头，"))
                    .add_run(docx_rs::Run::new().add_text("R&D 中心配合。")),
            );
        let mut buf = std::io::Cursor::new(Vec::new());
        doc.build().pack(&mut buf).unwrap();
        let text = speech_text(buf.get_ref(), "讲话.docx").unwrap();
        assert_eq!(text, "同志们：\n由市发改委牵头，R&D 中心配合。\n");
        let err = speech_text(b"not a zip", "讲话.docx")
            .unwrap_err()
            .to_string();
        assert!(err.contains("讲话.docx") && err.contains("Word"), "{err}");
        let err = speech_text(b"x", "讲话.doc").unwrap_err().to_string();
        assert!(err.contains("另存为 .docx"), "{err}");
    }
}
