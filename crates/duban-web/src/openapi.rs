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
        crate::api::health,
        crate::api::login,
        crate::api::logout,
        crate::api::me,
        crate::api::units,
        crate::api::users,
        crate::api::add_user,
        crate::api::items,
        crate::api::item,
        crate::api::reports,
        crate::api::submit_report,
        crate::api::status,
        crate::api::overview,
        crate::api::compliance,
        crate::api::calendar,
        crate::api::set_calendar,
        crate::api::close_period,
        crate::api::problems,
        crate::api::raise_problem,
        crate::api::plan_milestones,
        crate::api::move_problem,
        crate::bulletins::rankings,
        crate::bulletins::bulletins,
        crate::bulletins::bulletin,
        crate::bulletins::issue,
        crate::bulletins::set_requirements,
        crate::bulletins::indicators,
        crate::bulletins::import_indicators,
        crate::meetings::extract,
        crate::meetings::confirm,
        crate::meetings::meetings,
        crate::meetings::meeting_items,
    ),
    components(schemas(crate::error::ApiError, crate::bulletins::RequirementsRequest, crate::bulletins::IndicatorImportRequest,
        crate::meetings::ExtractRequest, duban_store::MeetingTasks, duban_store::MeetingTask)),
    modifiers(&Security),
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

pub fn routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
