//! The OpenAPI 3.1 document of the API and the Swagger UI that shows it (served from the
//! binary: utoipa-swagger-ui's `vendored` assets).

use axum::Router;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "duban 督办 API",
        description = "重点项目、重点工作督办系统的接口。用会话 Cookie（浏览器；修改类请求须带 X-CSRF-Token）\
                       或 API 令牌（Authorization: Bearer，由 `duban user token` 签发）认证。\
                       错误以 application/problem+json 返回，code 为稳定的错误代码。"
    ),
    paths(
        crate::features::system::health,
        crate::features::accounts::login,
        crate::features::accounts::logout,
        crate::features::accounts::me,
        crate::features::admin::units,
        crate::features::admin::edit_unit,
        crate::features::admin::disable_unit,
        crate::features::admin::enable_unit,
        crate::features::admin::audit,
        crate::features::accounts::users,
        crate::features::accounts::add_user,
        crate::features::accounts::edit_user,
        crate::features::accounts::disable_user,
        crate::features::accounts::enable_user,
        crate::features::accounts::reset_password,
        crate::features::ledger::items,
        crate::features::ledger::item,
        crate::features::reporting::reports,
        crate::features::reporting::submit_report,
        crate::features::ledger::status,
        crate::features::overview::overview,
        crate::features::reporting::compliance,
        crate::features::reporting::calendar,
        crate::features::reporting::set_calendar,
        crate::features::reporting::close_period,
        crate::features::problems::problems,
        crate::features::problems::raise_problem,
        crate::features::ledger::plan_milestones,
        crate::features::problems::move_problem,
        crate::features::rankings::rankings,
        crate::features::bulletins::bulletins,
        crate::features::bulletins::bulletin,
        crate::features::bulletins::issue,
        crate::features::bulletins::set_requirements,
        crate::features::rankings::indicators,
        crate::features::rankings::import_indicators,
        crate::features::meetings::extract,
        crate::features::meetings::confirm,
        crate::features::meetings::meetings,
        crate::features::meetings::meeting_items,
        crate::features::tasks::tasks,
        crate::features::tasks::hand_down,
        crate::features::tasks::task,
        crate::features::tasks::move_task,
        crate::features::inbox::todos,
        crate::features::inbox::messages,
        crate::features::inbox::read,
        crate::features::inbox::read_all,
        crate::features::contacts::contacts,
        crate::features::contacts::put_contacts,
        crate::features::holidays::holidays,
        crate::features::holidays::set_year,
        crate::features::reminders::rules,
        crate::features::reminders::set_rules,
        crate::features::reminders::log,
        crate::features::reminders::run,
        crate::features::tours::list,
        crate::features::tours::create,
        crate::features::tours::tour,
        crate::features::tours::score,
        crate::features::tours::close,
        crate::features::tours::publish,
        crate::features::assessment::scheme,
        crate::features::assessment::put_scheme,
        crate::features::assessment::run,
        crate::features::assessment::published_list,
        crate::features::assessment::published_one,
        crate::features::accountability::list,
        crate::features::accountability::record,
        crate::features::accountability::decide,
    ),
    components(schemas(
        crate::error::ApiError,
        // What the operations answer (nested types are collected from these).
        crate::features::system::Health,
        crate::features::accounts::Session,
        crate::features::accounts::Me,
        crate::features::accounts::AccountView,
        crate::features::accounts::UserView,
        crate::features::accounts::EditUserRequest,
        crate::features::accounts::ReasonRequest,
        crate::features::accounts::PasswordRequest,
        crate::features::accounts::PasswordReset,
        crate::features::admin::UnitView,
        crate::features::admin::EditUnitRequest,
        crate::features::admin::UnitReasonRequest,
        crate::features::admin::AuditLogView,
        crate::features::admin::AuditRecordView,
        crate::features::admin::FieldChangeView,
        crate::features::ledger::ItemPage,
        crate::features::ledger::ItemDetail,
        crate::features::ledger::StatusPage,
        crate::features::ledger::MilestoneView,
        crate::features::reporting::ReportView,
        crate::features::reporting::ComplianceView,
        crate::features::reporting::CalendarView,
        crate::features::reporting::ScheduleView,
        crate::features::reporting::PeriodState,
        crate::features::overview::Overview,
        crate::features::problems::ProblemPage,
        crate::features::problems::ProblemView,
        crate::features::rankings::RankingView,
        crate::features::rankings::IndicatorComparisonView,
        crate::features::rankings::IndicatorImportView,
        crate::features::bulletins::IssuedListing,
        crate::features::bulletins::BulletinAnswer,
        crate::features::bulletins::IssuedBulletinView,
        crate::features::meetings::ExtractAnswer,
        crate::features::meetings::ConfirmedView,
        crate::features::meetings::MeetingSummaryView,
        crate::features::meetings::MeetingItemView,
        crate::features::tasks::TaskPage,
        crate::features::tasks::TaskDetail,
        crate::features::inbox::TodosView,
        crate::features::inbox::MessagePage,
        crate::features::inbox::MarkedRead,
        crate::features::contacts::ContactView,
        crate::features::holidays::HolidayYearView,
        crate::features::reminders::RulesView,
        crate::features::reminders::ReminderLogView,
        crate::features::reminders::ReminderRunView,
        crate::features::tours::TourSummaryView,
        crate::features::tours::TourDetailView,
        crate::features::tours::SheetsSaved,
        crate::features::tours::TourPublished,
        crate::features::assessment::SchemeView,
        crate::features::assessment::AssessmentView,
        crate::features::assessment::PublishedView,
        crate::features::accountability::RecordView,
        // What they take.
        crate::features::bulletins::RequirementsRequest,
        crate::features::rankings::IndicatorImportRequest,
        crate::features::meetings::ExtractRequest,
        crate::features::meetings::MeetingTasksRequest,
        crate::features::meetings::MeetingTaskRequest,
        crate::features::tasks::TaskRequest,
        crate::features::tasks::TaskMoveRequest,
        crate::features::contacts::ContactRequest,
        crate::features::holidays::HolidayYearRequest,
        crate::features::reminders::RulesRequest,
        crate::features::reminders::RunRequest,
        crate::features::tours::TourRequest,
        crate::features::tours::SheetsRequest,
        crate::features::assessment::SchemeRequest,
        crate::features::assessment::AssessRunRequest,
        crate::features::accountability::RecordRequest,
        crate::features::accountability::DecisionRequest,
    )),
    modifiers(&Security, &Problems),
    security(("token" = []), ("session" = []))
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every operation's error answers, as they are sent: `application/problem+json` with the
/// [`ApiError`](crate::error::ApiError) body — those an operation declares, and those any
/// request can meet (bad JSON 400, not signed in 401, timeout 408, too large 413, wrong
/// media type 415, the server's own failure 500).
struct Problems;

impl utoipa::Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder, path::HttpMethod};
        let problem = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ApiError")))
                .build()
        };
        let common = [
            ("400", "请求无法解析"),
            ("401", "未登录或令牌无效"),
            ("408", "请求超时"),
            ("413", "请求体过大"),
            ("415", "请求格式不对"),
            ("500", "服务器内部错误"),
        ];
        for item in openapi.paths.paths.values_mut() {
            for method in [
                HttpMethod::Get,
                HttpMethod::Post,
                HttpMethod::Put,
                HttpMethod::Delete,
                HttpMethod::Patch,
            ] {
                let op = match method {
                    HttpMethod::Get => item.get.as_mut(),
                    HttpMethod::Post => item.post.as_mut(),
                    HttpMethod::Put => item.put.as_mut(),
                    HttpMethod::Delete => item.delete.as_mut(),
                    HttpMethod::Patch => item.patch.as_mut(),
                    _ => None,
                };
                let Some(op) = op else { continue };
                for (status, response) in op.responses.responses.iter_mut() {
                    let utoipa::openapi::RefOr::T(r) = response else {
                        continue;
                    };
                    let is_error = status.starts_with('4') || status.starts_with('5');
                    if is_error && let Some(c) = r.content.shift_remove("application/json") {
                        r.content.insert("application/problem+json".into(), c);
                    }
                }
                // Anything that takes input can find it wrong.
                let takes_input = op.request_body.is_some()
                    || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let invalid = takes_input.then_some(("422", "数据不符合要求"));
                for (status, description) in common.into_iter().chain(invalid) {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| {
                            ResponseBuilder::new()
                                .description(description)
                                .content("application/problem+json", problem())
                                .build()
                                .into()
                        });
                }
            }
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer of 2xx with a body declares what the body is: a schema with a type or a
    /// reference, never the empty schema that allows anything.
    #[test]
    fn every_success_declares_its_schema() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, answer) in op["responses"].as_object().unwrap() {
                    if !status.starts_with('2') {
                        continue;
                    }
                    let Some(content) = answer["content"].as_object() else {
                        assert_eq!(status, "204", "{method} {path} {status} has no body");
                        continue;
                    };
                    for (media, c) in content {
                        let schema = &c["schema"];
                        assert!(
                            schema.get("$ref").is_some()
                                || schema.get("type").is_some()
                                || schema.get("items").is_some(),
                            "{method} {path} {status} {media}: {schema}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 30, "{checked}");
    }
}
