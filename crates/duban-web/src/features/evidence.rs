//! 附件 — evidence uploaded with a report, a problem, a closure or an extension request
//! (形象进度照片, documents): the multipart forms that carry them, read within bounds, and the
//! files served back — only to those who may see the item.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use duban_app::evidence::{MAX_FILE, MAX_FILES, Upload};
use duban_store::NewAttachment;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::features::ledger::visible_item;
use crate::page::encode;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/attachments/{id}", get(attachment))
        .route("/attachments/{id}/thumb", get(thumbnail))
}

/// The longest text field of a form, in bytes.
const MAX_FIELD: usize = 64 * 1024;
/// The most text fields of a form (a report form has one per open milestone).
const MAX_FIELDS: usize = 200;

/// A multipart form: its text fields and its files (field `files`).
pub(crate) struct FormData {
    /// Each field's last value.
    pub fields: HashMap<String, String>,
    /// Every value of each field, in the order sent (a multiple select, repeated rows).
    pub lists: HashMap<String, Vec<String>>,
    pub files: Vec<Upload>,
    /// Values read so far.
    values: usize,
}

impl FormData {
    fn new() -> FormData {
        FormData {
            fields: HashMap::new(),
            lists: HashMap::new(),
            files: Vec::new(),
            values: 0,
        }
    }

    /// Adds a field's value; refused past [`MAX_FIELDS`] values in all.
    fn push(&mut self, name: String, value: String) -> ApiResult<()> {
        if self.values == MAX_FIELDS {
            return Err(ApiError::invalid("表单的栏目太多"));
        }
        self.values += 1;
        self.lists
            .entry(name.clone())
            .or_default()
            .push(value.clone());
        self.fields.insert(name, value);
        Ok(())
    }

    /// A text field, trimmed; `None` when blank or absent.
    pub fn text(&self, name: &str) -> Option<String> {
        self.fields
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Every value of a field, trimmed, as sent (blanks kept: rows of a table line up).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.lists
            .get(name)
            .map(|vs| vs.iter().map(|v| v.trim().to_string()).collect())
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = crate::page::PageError;

    /// A form as browsers send it: multipart (with files) or URL-encoded (without).
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            let form = Multipart::from_request(req, state)
                .await
                .map_err(|e| ApiError::invalid(format!("上传内容无法读取：{}", e.body_text())))?;
            Ok(read_form(form).await?)
        } else {
            let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|e| ApiError::invalid(format!("表单无法读取：{}", e.body_text())))?;
            if pairs.len() > MAX_FIELDS {
                return Err(ApiError::invalid("表单的栏目太多").into());
            }
            let mut form = FormData::new();
            for (k, v) in pairs {
                form.push(k, v)?;
            }
            Ok(form)
        }
    }
}

/// Reads a multipart form: each file bounded by [`MAX_FILE`] as it streams in, at most
/// [`MAX_FILES`] files and [`MAX_FIELDS`] fields.
pub(crate) async fn read_form(mut form: Multipart) -> ApiResult<FormData> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        ApiError::invalid(format!("上传内容无法读取：{}", e.body_text()))
    };
    let mut out = FormData::new();
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if field.file_name().is_some() || name == "files" {
            let file_name = field.file_name().unwrap_or("附件").to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if bytes.len() + chunk.len() > MAX_FILE {
                    return Err(ApiError::invalid(format!(
                        "附件“{file_name}”：超过每个文件 {} MB 的上限",
                        MAX_FILE / 1_048_576
                    )));
                }
                bytes.extend_from_slice(&chunk);
            }
            if bytes.is_empty() {
                continue;
            }
            if out.files.len() == MAX_FILES {
                return Err(ApiError::invalid(format!("附件：一次最多 {MAX_FILES} 个")));
            }
            out.files.push(Upload { file_name, bytes });
        } else {
            let text = field.text().await.map_err(unreadable)?;
            if text.len() > MAX_FIELD {
                return Err(ApiError::invalid(format!(
                    "“{name}”太长（最多 {} KB）",
                    MAX_FIELD / 1024
                )));
            }
            out.push(name, text)?;
        }
    }
    Ok(out)
}

/// Checks the uploads and makes their thumbnails, off the async threads.
pub(crate) async fn prepared(s: &AppState, files: Vec<Upload>) -> ApiResult<Vec<NewAttachment>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let storage = s.evidence.clone();
    Ok(
        tokio::task::spawn_blocking(move || duban_app::evidence::prepare(files, &storage))
            .await
            .map_err(ApiError::internal)??,
    )
}

/// The attachment's record, if `caller` may see its item.
async fn visible(s: &AppState, caller: &Caller, id: i64) -> ApiResult<duban_store::AttachmentBody> {
    let not_found = || ApiError::not_found(format!("没有编号为 {id} 的附件"));
    let body = s.store.attachment(id).await?.ok_or_else(not_found)?;
    visible_item(s, caller, &body.code)
        .await
        .map_err(|_| not_found())?;
    Ok(body)
}

/// Serves bytes as a file of `media` named `name`, never run by the browser as a page.
pub(crate) fn served(bytes: Vec<u8>, media: &str, name: &str) -> Response {
    let inline = media.starts_with("image/") || media == "application/pdf";
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        encode(name)
    );
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    r
}

/// 附件 — the file as uploaded.
async fn attachment(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let body = visible(&s, &caller, id).await?;
    let storage = s.evidence.clone();
    let (media, name) = (body.media_type.clone(), body.file_name.clone());
    let bytes = tokio::task::spawn_blocking(move || duban_app::evidence::read(&body, &storage))
        .await
        .map_err(ApiError::internal)??;
    Ok(served(bytes, &media, &name))
}

/// 缩略图 — a photo's thumbnail (JPEG).
async fn thumbnail(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let body = visible(&s, &caller, id).await?;
    let thumb = body
        .thumbnail
        .ok_or_else(|| ApiError::not_found(format!("附件 {id} 不是照片，没有缩略图")))?;
    Ok(served(
        thumb,
        "image/jpeg",
        &format!("缩略图-{}.jpg", body.file_name),
    ))
}
