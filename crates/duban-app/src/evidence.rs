//! 附件 — evidence as a user uploads it: photos of the site (形象进度照片) and documents,
//! checked by what the bytes are (never by the name alone), bounded in size and number,
//! photos given a thumbnail; kept in the database or in a configured directory. Nothing is
//! written until every file passed.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use duban_store::NewAttachment;
use sha2::{Digest, Sha256};

use crate::{AppError, AppResult};

/// The largest file accepted (a phone photo is 2–6 MB).
pub const MAX_FILE: usize = 10 * 1024 * 1024;
/// The most files on one report, problem or request.
pub const MAX_FILES: usize = 6;
/// A thumbnail's longest side, in pixels.
const THUMB: u32 = 320;
/// The largest photo decoded for a thumbnail, in pixels a side and bytes of memory.
const MAX_SIDE: u32 = 12_000;
const MAX_DECODE: u64 = 256 * 1024 * 1024;

/// What the user sent: a file's name and its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// 附件存放 — where the bytes go.
#[derive(Debug, Clone, Default)]
pub enum Storage {
    /// In the database (both backends): one file to back up.
    #[default]
    Database,
    /// In a directory, each file named by its SHA-256.
    Directory(PathBuf),
}

/// The kinds accepted, named for the user.
const ACCEPTED: &str = "JPG、PNG 照片，PDF、Word（.docx）、Excel（.xlsx）文件";

/// What the bytes are: its media type, and whether it is a photo.
fn media_type(name: &str, b: &[u8]) -> Option<(&'static str, bool)> {
    let lower = name.to_lowercase();
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", true))
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", true))
    } else if b.starts_with(b"%PDF-") {
        Some(("application/pdf", false))
    } else if b.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        Some((
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            false,
        ))
    } else if b.starts_with(b"PK\x03\x04") && lower.ends_with(".xlsx") {
        Some((
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            false,
        ))
    } else {
        None
    }
}

/// A JPEG thumbnail of a photo, decoded within bounds.
fn thumbnail(name: &str, bytes: &[u8]) -> AppResult<Vec<u8>> {
    let bad = || {
        AppError::Invalid(format!(
            "附件“{name}”：照片无法读取（文件可能已损坏），请重新拍摄或导出后上传"
        ))
    };
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| bad())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => AppError::Invalid(format!(
            "附件“{name}”：照片太大（每边不超过 {MAX_SIDE} 像素）"
        )),
        _ => bad(),
    })?;
    let small = img.thumbnail(THUMB, THUMB).into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .map_err(|_| bad())?;
    Ok(out)
}

/// The name as the user gave it, without any folder and bounded in length.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if base.is_empty() {
        "附件".into()
    } else {
        base
    }
}

/// Checks every upload and prepares it for the store (thumbnails made, bytes written to the
/// directory if that is where they go). Empty uploads (a file field left blank) are skipped.
/// Blocking: call it off the async threads.
pub fn prepare(uploads: Vec<Upload>, storage: &Storage) -> AppResult<Vec<NewAttachment>> {
    let uploads: Vec<Upload> = uploads
        .into_iter()
        .filter(|u| !u.bytes.is_empty())
        .collect();
    if uploads.len() > MAX_FILES {
        return Err(AppError::Invalid(format!(
            "附件：一次最多 {MAX_FILES} 个（选了 {} 个）",
            uploads.len()
        )));
    }
    let mut out = Vec::with_capacity(uploads.len());
    for u in uploads {
        let name = clean_name(&u.file_name);
        if u.bytes.len() > MAX_FILE {
            return Err(AppError::Invalid(format!(
                "附件“{name}”：{:.1} MB，超过每个文件 {} MB 的上限",
                u.bytes.len() as f64 / 1_048_576.0,
                MAX_FILE / 1_048_576
            )));
        }
        let (media, photo) = media_type(&name, &u.bytes).ok_or_else(|| {
            AppError::Invalid(format!(
                "附件“{name}”：不是可接受的文件类型；只接受 {ACCEPTED}"
            ))
        })?;
        let thumb = if photo {
            Some(thumbnail(&name, &u.bytes)?)
        } else {
            None
        };
        let sha256 = format!("{:x}", Sha256::digest(&u.bytes));
        let size = u.bytes.len() as i64;
        let (content, stored_path) = match storage {
            Storage::Database => (Some(u.bytes), None),
            Storage::Directory(dir) => (None, Some(keep_in(dir, &sha256, &u.bytes)?)),
        };
        out.push(NewAttachment {
            file_name: name,
            media_type: media.to_string(),
            size,
            sha256,
            content,
            thumbnail: thumb,
            stored_path,
        });
    }
    Ok(out)
}

/// Writes the bytes to `dir`, named by their hash (the same file twice is kept once); the
/// name stored.
fn keep_in(dir: &Path, sha256: &str, bytes: &[u8]) -> AppResult<String> {
    let path = dir.join(sha256);
    if !path.exists() {
        std::fs::create_dir_all(dir)
            .and_then(|()| {
                let tmp = dir.join(format!("{sha256}.part"));
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, &path)
            })
            .map_err(|e| {
                AppError::Store(duban_store::StoreError::Invalid(format!(
                    "附件无法保存到附件目录：{e}"
                )))
            })?;
    }
    Ok(sha256.to_string())
}

/// The bytes of a stored attachment: from the database, or from `storage`'s directory
/// (checked against the hash written with it).
pub fn read(body: &duban_store::AttachmentBody, storage: &Storage) -> AppResult<Vec<u8>> {
    if let Some(b) = &body.content {
        return Ok(b.clone());
    }
    let (Some(name), Storage::Directory(dir)) = (&body.stored_path, storage) else {
        return Err(AppError::NotFound(
            "附件内容不在本服务器的附件目录中".into(),
        ));
    };
    let bytes = std::fs::read(dir.join(name))
        .map_err(|_| AppError::NotFound("附件文件已不在附件目录中".into()))?;
    if format!("{:x}", Sha256::digest(&bytes)) != body.sha256 {
        return Err(AppError::NotFound(
            "附件文件已被改动，与上传时不一致".into(),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_photo_gets_a_thumbnail_no_larger_than_its_bound() {
        let up = Upload {
            file_name: "C:\\现场\\照片.png".into(),
            bytes: png(1200, 600),
        };
        let done = prepare(vec![up], &Storage::Database).unwrap();
        assert_eq!(done[0].file_name, "照片.png", "the folder is dropped");
        assert_eq!(done[0].media_type, "image/png");
        let t = image::load_from_memory(done[0].thumbnail.as_ref().unwrap()).unwrap();
        assert_eq!((t.width(), t.height()), (320, 160));
    }

    #[test]
    fn a_renamed_program_is_refused_by_what_it_is() {
        let up = Upload {
            file_name: "照片.jpg".into(),
            bytes: b"MZ\x90\x00 not a photo".to_vec(),
        };
        let e = prepare(vec![up], &Storage::Database)
            .unwrap_err()
            .to_string();
        assert!(e.contains("照片.jpg") && e.contains("只接受"), "{e}");
    }

    #[test]
    fn a_broken_photo_and_a_huge_one_are_refused() {
        let mut broken = png(50, 50);
        broken.truncate(40);
        let e = prepare(
            vec![Upload {
                file_name: "a.png".into(),
                bytes: broken,
            }],
            &Storage::Database,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("无法读取"), "{e}");
        let big = Upload {
            file_name: "b.pdf".into(),
            bytes: [b"%PDF-".as_slice(), &vec![0u8; MAX_FILE]].concat(),
        };
        let e = prepare(vec![big], &Storage::Database)
            .unwrap_err()
            .to_string();
        assert!(e.contains("10 MB"), "{e}");
        let many = (0..7)
            .map(|i| Upload {
                file_name: format!("{i}.pdf"),
                bytes: b"%PDF-1.4".to_vec(),
            })
            .collect();
        let e = prepare(many, &Storage::Database).unwrap_err().to_string();
        assert!(e.contains("最多 6 个"), "{e}");
    }

    #[test]
    fn a_directory_keeps_the_bytes_by_their_hash_and_reads_them_back() {
        let dir = std::env::temp_dir().join(format!("duban-evidence-{}", std::process::id()));
        let storage = Storage::Directory(dir.clone());
        let done = prepare(
            vec![Upload {
                file_name: "整改报告.pdf".into(),
                bytes: b"%PDF-1.7 x".to_vec(),
            }],
            &storage,
        )
        .unwrap();
        assert!(done[0].content.is_none());
        let body = duban_store::AttachmentBody {
            item_id: 1,
            code: "X".into(),
            file_name: done[0].file_name.clone(),
            media_type: done[0].media_type.clone(),
            sha256: done[0].sha256.clone(),
            content: None,
            thumbnail: None,
            stored_path: done[0].stored_path.clone(),
        };
        assert_eq!(read(&body, &storage).unwrap(), b"%PDF-1.7 x");
        std::fs::write(dir.join(&done[0].sha256), b"%PDF-1.7 changed").unwrap();
        assert!(
            read(&body, &storage).is_err(),
            "a changed file is not served"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
