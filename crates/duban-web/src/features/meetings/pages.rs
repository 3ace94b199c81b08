//! 会议议定事项 as pages: the speech form, the review table (rows picked at first: tier A
//! with a lead unit matched), the confirmation that names errors by the row shown, the list of
//! meetings and each meeting's 督办清单 (also as .xlsx).

use axum::Form;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use duban_app::meetings::Proposal;
use duban_core::ItemKind;
use duban_extract::{ActorKind, Role, Tier};
use duban_store::{ItemFilter, MeetingTask, MeetingTasks};
use minijinja::{Value, context};

use super::{WhichMeeting, confirm_tasks, items_of, read_speech, year_of};
use crate::error::{ApiError, ApiResult};
use crate::page::{PageResult, Visitor, download, page, render};
use crate::{AppState, today};

/// 督办清单 as Excel, for the office to send on.
pub(super) async fn export_list(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(w): Query<WhichMeeting>,
) -> PageResult<Response> {
    c.require_admin()?;
    let items = items_of(&s, &w).await?;
    let title = format!("{}督办清单", w.meeting);
    let note = format!(
        "{} 年度，共 {} 项；截至 {}",
        items[0].year,
        items.len(),
        today()
    );
    let rows: Vec<Vec<String>> = items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            vec![
                (n + 1).to_string(),
                i.code.clone(),
                i.name.clone(),
                i.lead_unit.clone(),
                i.co_units.join("、"),
                i.deadline
                    .map(|d| d.to_string())
                    .or_else(|| i.deadline_text.clone())
                    .unwrap_or_default(),
                state(i).to_string(),
                i.done.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let sheet = duban_office::TableSheet {
        sheet: "督办清单",
        title: &title,
        note: &note,
        columns: &[
            ("序号", 6.0),
            ("编号", 14.0),
            ("事项名称", 40.0),
            ("牵头/责任单位", 20.0),
            ("配合单位", 24.0),
            ("完成时限", 12.0),
            ("状态", 8.0),
            ("完成时间", 12.0),
        ],
    };
    let bytes = duban_office::write_table(&sheet, &rows).map_err(ApiError::internal)?;
    Ok(download(
        bytes,
        &format!("{title}.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ))
}

/// 督办清单 — one meeting's items and where each stands.
pub(super) async fn list_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Query(w): Query<WhichMeeting>,
) -> PageResult {
    c.require_admin()?;
    let items = items_of(&s, &w).await?;
    let done = items.iter().filter(|i| i.done.is_some()).count();
    let overdue = items.iter().filter(|i| i.overdue).count();
    let year = items[0].year;
    let ctx = page(&c, "督办清单", "meetings", false);
    render(
        &s,
        "meeting_list.html",
        context! { meeting => &w.meeting, year, done, overdue, today => today().to_string(),
        items => items.iter().map(|i| context! { code => &i.code, name => &i.name,
            lead_unit => &i.lead_unit, co_units => &i.co_units, overdue => i.overdue,
            state => state(i),
            deadline => i.deadline.map(|d| d.to_string()), deadline_text => &i.deadline_text,
            done => i.done.map(|d| d.to_string()) }).collect::<Vec<_>>(), ..ctx },
    )
}

pub(super) async fn meetings_page(State(s): State<AppState>, Visitor(c): Visitor) -> PageResult {
    c.require_admin()?;
    let ctx = page(&c, "会议议定事项", "meetings", false);
    let meetings = s.store.meetings(today()).await?;
    render(
        &s,
        "meetings.html",
        context! { year => today().year(), meetings => meetings.iter().map(|m| context! {
        meeting => &m.meeting, year => m.year, items => m.items, done => m.done,
        overdue => m.overdue }).collect::<Vec<_>>(), ..ctx },
    )
}

/// What the speech form sent: the text (pasted, or read from the uploaded file), and the
/// meeting and year when given.
struct SpeechForm {
    text: String,
    meeting: Option<String>,
    year: Option<i32>,
    /// The uploaded file's name, when the text was read from one.
    file: Option<String>,
}

async fn speech_form(mut form: Multipart) -> ApiResult<SpeechForm> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        ApiError::invalid(format!("上传内容无法读取：{e}"))
    };
    let mut f = SpeechForm {
        text: String::new(),
        meeting: None,
        year: None,
        file: None,
    };
    let mut upload: Option<(String, Bytes)> = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(unreadable)?;
                if !bytes.is_empty() {
                    upload = Some((name, bytes));
                }
            }
            "text" => f.text = field.text().await.map_err(unreadable)?,
            "meeting" => f.meeting = crate::page::field(field.text().await.ok()),
            "year" => {
                if let Some(y) = crate::page::field(field.text().await.ok()) {
                    f.year = Some(year_of(&y)?);
                }
            }
            _ => {}
        }
    }
    // A chosen file wins over the text box.
    if let Some((name, bytes)) = upload {
        let shown = name.clone();
        f.text = tokio::task::spawn_blocking(move || duban_office::speech_text(&bytes, &name))
            .await
            .map_err(ApiError::internal)?
            .map_err(|e| ApiError::invalid(e.to_string()))?;
        f.file = Some(shown);
    }
    Ok(f)
}

/// Unit names in order, once each.
fn push_unique(into: &mut Vec<String>, names: impl IntoIterator<Item = String>) {
    for n in names {
        if !into.contains(&n) {
            into.push(n);
        }
    }
}

/// Whether a row is picked when the table is shown: tier A with a lead unit matched (the
/// others need the office's eye first).
fn picked_at_first(p: &Proposal) -> bool {
    p.directive.tier == Tier::A
        && p.matched
            .iter()
            .any(|m| m.role != Role::Co && !m.units.is_empty())
}

/// One row of the review table.
fn review_row(seq: usize, p: &Proposal) -> Value {
    let d = &p.directive;
    let (mut lead, mut co) = (Vec::new(), Vec::new());
    // Actors no unit matched: (name, generic) — shown, never dropped.
    let (mut lead_missing, mut co_missing) = (Vec::new(), Vec::new());
    for m in &p.matched {
        let (units, missing) = match m.role {
            Role::Lead | Role::Owner => (&mut lead, &mut lead_missing),
            Role::Co => (&mut co, &mut co_missing),
        };
        if m.units.is_empty() {
            missing.push(context! { name => &m.name, generic => m.kind == ActorKind::Generic });
        } else {
            push_unique(units, m.units.iter().cloned());
        }
    }
    co.retain(|u| !lead.contains(u));
    context! {
        seq, line => d.line, text => &d.text, plain => &d.plain,
        lead, co, lead_missing, co_missing, no_actor => d.actors.is_empty(),
        deadline => d.deadline.map(|x| x.to_string()), deadline_text => &d.deadline_text,
        cadence => d.cadence.map(|c| c.label()), target => &d.target,
        tier => match d.tier { Tier::A => "A", Tier::B => "B" },
        confidence => format!("{:.0}%", d.confidence * 100.0),
        low => d.confidence < 0.6, picked => picked_at_first(p),
    }
}

/// 识别议定事项 on the page: the review table of the speech sent.
pub(super) async fn extract_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    form: Multipart,
) -> PageResult {
    c.require_admin()?;
    let f = speech_form(form).await?;
    let read = read_speech(&s, f.text, f.year, f.meeting).await?;
    let rows: Vec<Value> = read
        .proposals
        .iter()
        .enumerate()
        .map(|(i, p)| review_row(i + 1, p))
        .collect();
    let tier_a = read
        .proposals
        .iter()
        .filter(|p| p.directive.tier == Tier::A)
        .count();
    let picked = read.proposals.iter().filter(|p| picked_at_first(p)).count();
    let units: Vec<String> = s
        .store
        .unit_directory()
        .await?
        .into_iter()
        .map(|u| u.name)
        .collect();
    render(
        &s,
        "meetings_review.html",
        context! { meeting => read.meeting, year => read.year, tier_a, picked,
        tier_b => read.proposals.len() - tier_a, units, file => f.file, rows,
        next_seq => read.proposals.len() + 1,
        speeches => (read.speeches.len() > 1).then(|| read.speeches.iter().map(|s| context! {
            title => s.title.clone(), year => s.year, from => s.from, to => s.to - 1 }).collect::<Vec<_>>()),
        unclaimed => read.unclaimed.iter().map(|u| context! { line => u.line, text => u.text.clone() }).collect::<Vec<_>>() },
    )
}

/// The picked rows of the review form as tasks, with the 序号 of each (in the order posted).
fn tasks_of(fields: &[(String, String)]) -> ApiResult<(MeetingTasks, Vec<usize>)> {
    let one = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let all = |k: &str| {
        let mut out = Vec::new();
        push_unique(
            &mut out,
            fields
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty()),
        );
        out
    };
    let year = match one("year") {
        Some(y) => year_of(&y)?,
        None => today().year(),
    };
    let seqs: Vec<usize> = all("pick")
        .iter()
        .map(|p| {
            p.parse()
                .map_err(|_| ApiError::invalid(format!("选中的行“{p}”无法识别")))
        })
        .collect::<ApiResult<_>>()?;
    let tasks = seqs
        .iter()
        .map(|seq| {
            let deadline = one(&format!("deadline_{seq}"))
                .map(|d| {
                    d.parse::<NaiveDate>().map_err(|_| {
                        ApiError::invalid(format!(
                            "第 {seq} 条：完成时限“{d}”应为日期（YYYY-MM-DD）"
                        ))
                    })
                })
                .transpose()?;
            Ok(MeetingTask {
                text: one(&format!("text_{seq}")).unwrap_or_default(),
                name: None,
                lead_units: all(&format!("lead_{seq}")),
                co_units: all(&format!("co_{seq}")),
                deadline,
                deadline_text: one(&format!("deadline_text_{seq}")),
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok((
        MeetingTasks {
            meeting: one("meeting").unwrap_or_default(),
            year,
            tasks,
        },
        seqs,
    ))
}

/// The store names a task by its place among those sent ("第 2 条：…；第 5 条：…"); the page
/// names it by the 序号 of its row.
fn by_row(mut e: ApiError, seqs: &[usize]) -> ApiError {
    let mut out = String::with_capacity(e.detail.len());
    let mut rest = e.detail.as_str();
    while let Some(at) = rest.find("第 ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "第 ".len()..];
        let renamed = after.split_once(" 条").and_then(|(n, tail)| {
            let seq = seqs.get(n.parse::<usize>().ok()?.checked_sub(1)?)?;
            Some((format!("第 {seq} 条"), tail))
        });
        match renamed {
            Some((name, tail)) => {
                out.push_str(&name);
                rest = tail;
            }
            None => {
                out.push_str("第 ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    e.detail = out;
    e
}

/// 确认选中事项 on the page: the items written, linked; or the error, the table kept as it is.
pub(super) async fn confirm_page(
    State(s): State<AppState>,
    Visitor(c): Visitor,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    c.require_admin()?;
    let (tasks, seqs) = tasks_of(&fields)?;
    let (meeting, year) = (tasks.meeting.trim().to_string(), tasks.year);
    let done = confirm_tasks(&s, &c, tasks)
        .await
        .map_err(|e| by_row(e, &seqs))?;
    let items: Vec<Value> = s
        .store
        .items(&ItemFilter {
            kind: Some(ItemKind::Task),
            year: Some(year),
            ..ItemFilter::default()
        })
        .await?
        .into_iter()
        .filter(|i| done.codes.contains(&i.code))
        .map(|i| {
            context! { code => i.code, name => i.name, lead => i.lead_unit, co => i.co_units.join("、"),
                deadline => i.planned_end.map(|d| d.to_string()), deadline_text => i.extra.get("时限").cloned() }
        })
        .collect();
    let html = render(
        &s,
        "meetings_result.html",
        context! { created => done.created, updated => done.updated, meeting, year, items },
    )?;
    // The answer replaces the whole review; an error stays under the table.
    let mut r = html.into_response();
    r.headers_mut()
        .insert("hx-retarget", HeaderValue::from_static("#review"));
    r.headers_mut()
        .insert("hx-reswap", HeaderValue::from_static("innerHTML"));
    Ok(r)
}

/// Where an item of a meeting stands, in words.
fn state(i: &duban_store::MeetingItem) -> &'static str {
    match (i.done, i.overdue) {
        (Some(_), _) => "已完成",
        (None, true) => "逾期",
        (None, false) => "推进中",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn picked_rows_become_tasks_in_order() {
        let (m, seqs) = tasks_of(&f(&[
            ("meeting", " 全市推进会 "),
            ("year", "2025"),
            ("pick", "3"),
            ("pick", "1"),
            ("text_1", "甲"),
            ("lead_1", "白水县"),
            ("lead_1", "白水县"),
            ("co_1", "市财政局"),
            ("deadline_1", "2025-10-31"),
            ("text_2", "不选"),
            ("text_3", "乙"),
            ("lead_3", "云台县"),
            ("deadline_3", ""),
            ("deadline_text_3", "×月×日前"),
        ]))
        .unwrap();
        assert_eq!(seqs, [3, 1]);
        assert_eq!(m.meeting, "全市推进会");
        assert_eq!(m.year, 2025);
        assert_eq!(m.tasks.len(), 2);
        assert_eq!(m.tasks[0].text, "乙");
        assert_eq!(m.tasks[0].deadline, None);
        assert_eq!(m.tasks[0].deadline_text.as_deref(), Some("×月×日前"));
        assert_eq!(m.tasks[1].lead_units, ["白水县"], "once each");
        assert_eq!(m.tasks[1].co_units, ["市财政局"]);
        assert_eq!(m.tasks[1].deadline, NaiveDate::from_ymd_opt(2025, 10, 31));
        let bad = tasks_of(&f(&[("pick", "2"), ("deadline_2", "十月底")])).unwrap_err();
        assert!(
            bad.detail.starts_with("第 2 条：完成时限"),
            "{}",
            bad.detail
        );
        assert!(tasks_of(&f(&[("year", "25")])).is_err());
    }

    #[test]
    fn errors_name_the_row_shown() {
        let e = by_row(
            ApiError::invalid("第 2 条：单位“火星局”不在单位名录中"),
            &[4, 7],
        );
        assert_eq!(e.detail, "第 7 条：单位“火星局”不在单位名录中");
        let e = by_row(ApiError::invalid("没有选中的议定事项"), &[]);
        assert_eq!(e.detail, "没有选中的议定事项");
        let e = by_row(ApiError::invalid("第 3 条：工作内容为空"), &[4]);
        assert_eq!(e.detail, "第 3 条：工作内容为空", "out of range: as said");
        let e = by_row(
            ApiError::invalid("第 1 条：未指定牵头/责任单位；第 2 条：工作内容为空"),
            &[4, 7],
        );
        assert_eq!(
            e.detail,
            "第 4 条：未指定牵头/责任单位；第 7 条：工作内容为空"
        );
    }
}
