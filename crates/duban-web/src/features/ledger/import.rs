//! 台账导入 — the office uploads a ledger; it is read and checked as a dry run (what would be
//! created, updated, left alone), kept for a while, and written when the same person
//! confirms. A file that cannot be read writes nothing and says why, row by row.

use axum::Form;
use axum::extract::{Multipart, State};
use chrono::Datelike;
use duban_store::ImportOptions;
use minijinja::context;
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::page::{PageResult, Visitor, about_upload, render, upload};
use crate::{AppState, today};

/// Reads a ledger and imports it (or checks it, with `dry_run`); the summary in words.
async fn import_file(
    s: &AppState,
    c: &Caller,
    path: &std::path::Path,
    dry_run: bool,
) -> ApiResult<Result<String, Vec<String>>> {
    let opts = duban_office::ReadOptions {
        sheet: None,
        year: None,
        kind: None,
        fallback_year: today().year(),
    };
    let path_owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || {
        duban_office::read_ledger(&path_owned, &opts, &mut |_, _| {})
    })
    .await
    .map_err(ApiError::internal)?;
    let mut read = match read {
        Ok(r) => r,
        Err(e) => return Ok(Err(vec![about_upload(e, path)])),
    };
    if !read.errors.is_empty() {
        return Ok(Err(read
            .errors
            .iter()
            .map(|e| about_upload(e, path))
            .collect()));
    }
    let entries = duban_app::ledger_io::ledger_entries(&mut read, today());
    let options = ImportOptions {
        actor: c.actor(),
        dry_run,
    };
    let summary = crate::detached(s.store.clone(), move |store| async move {
        store.import_ledger(entries, &options).await
    })
    .await?;
    Ok(Ok(format!(
        "{}新增 {} 项，更新 {} 项，未变化 {} 项；新建单位 {} 个，新建包抓领导 {} 位{}",
        if dry_run {
            "检查通过（尚未写入）：将"
        } else {
            "导入完成："
        },
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.new_units.len(),
        summary.new_leaders.len(),
        if summary.reports > 0 {
            format!("；累计完成投资记为进度报告 {} 条", summary.reports)
        } else {
            String::new()
        }
    )))
}

pub(super) async fn import_dry_run(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    form: Multipart,
) -> PageResult {
    c.require_admin()?;
    let (_dir, path, _) = upload(form).await?;
    let result = import_file(&s, &c, &path, true).await?;
    let (summary, errors, upload) = match result {
        Ok(summary) => {
            // Kept in the database: the confirmation may reach another server.
            let kept = duban_store::PendingUpload {
                owner: c.account.username.clone(),
                file_name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "ledger.xlsx".into()),
                content: tokio::fs::read(&path).await.map_err(ApiError::internal)?,
            };
            let id = s.store.keep_pending_upload(&kept).await?;
            (summary, Vec::new(), Some(id))
        }
        Err(errors) => (String::new(), errors, None),
    };
    render(
        &s,
        "import_result.html",
        context! { summary, errors, upload },
    )
}

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    pub upload: String,
}

pub(super) async fn import_confirm(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Form(f): Form<ConfirmForm>,
) -> PageResult {
    c.require_admin()?;
    let kept = s
        .store
        .take_pending_upload(&f.upload)
        .await?
        .ok_or_else(|| ApiError::not_found("上传的文件已失效，请重新选择文件试导入"))?;
    if kept.owner != c.account.username {
        return Err(ApiError::forbidden("只能确认自己上传的文件").into());
    }
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    // Only the name's last part: the name was ours, but it is read back from the database.
    let name = std::path::Path::new(&kept.file_name)
        .file_name()
        .map_or_else(|| "ledger.xlsx".into(), |n| n.to_owned());
    let path = dir.path().join(name);
    tokio::fs::write(&path, &kept.content)
        .await
        .map_err(ApiError::internal)?;
    let result = import_file(&s, &c, &path, false).await?;
    let (summary, errors) = match result {
        Ok(summary) => (summary, Vec::new()),
        Err(errors) => (String::new(), errors),
    };
    render(&s, "import_result.html", context! { summary, errors })
}
