//! 页面模板 — the Chinese pages, embedded in the binary (minijinja, HTML escaped).

use minijinja::Environment;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("overview.html", include_str!("../templates/overview.html")),
    ("items.html", include_str!("../templates/items.html")),
    (
        "items_table.html",
        include_str!("../templates/items_table.html"),
    ),
    (
        "import_result.html",
        include_str!("../templates/import_result.html"),
    ),
    ("item.html", include_str!("../templates/item.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("problems.html", include_str!("../templates/problems.html")),
    ("units.html", include_str!("../templates/units.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    (
        "audit_chain.html",
        include_str!("../templates/audit_chain.html"),
    ),
    ("users.html", include_str!("../templates/users.html")),
    ("user.html", include_str!("../templates/user.html")),
    ("unit.html", include_str!("../templates/unit.html")),
    ("changes.html", include_str!("../templates/changes.html")),
    ("rankings.html", include_str!("../templates/rankings.html")),
    ("bulletin.html", include_str!("../templates/bulletin.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("failure.html", include_str!("../templates/failure.html")),
    ("meetings.html", include_str!("../templates/meetings.html")),
    (
        "meetings_review.html",
        include_str!("../templates/meetings_review.html"),
    ),
    (
        "meetings_result.html",
        include_str!("../templates/meetings_result.html"),
    ),
    (
        "meeting_list.html",
        include_str!("../templates/meeting_list.html"),
    ),
    (
        "problems_board.html",
        include_str!("../templates/problems_board.html"),
    ),
    (
        "report_done.html",
        include_str!("../templates/report_done.html"),
    ),
    (
        "item_edit.html",
        include_str!("../templates/item_edit.html"),
    ),
    (
        "extensions.html",
        include_str!("../templates/extensions.html"),
    ),
    (
        "extension_decide.html",
        include_str!("../templates/extension_decide.html"),
    ),
    ("leader.html", include_str!("../templates/leader.html")),
    ("tasks.html", include_str!("../templates/tasks.html")),
    ("task_new.html", include_str!("../templates/task_new.html")),
    ("task.html", include_str!("../templates/task.html")),
    (
        "task_body.html",
        include_str!("../templates/task_body.html"),
    ),
    ("todos.html", include_str!("../templates/todos.html")),
    ("messages.html", include_str!("../templates/messages.html")),
    (
        "messages_list.html",
        include_str!("../templates/messages_list.html"),
    ),
    ("badges.html", include_str!("../templates/badges.html")),
    (
        "reminders.html",
        include_str!("../templates/reminders.html"),
    ),
    (
        "reminder_run.html",
        include_str!("../templates/reminder_run.html"),
    ),
    ("contacts.html", include_str!("../templates/contacts.html")),
    (
        "contact_row.html",
        include_str!("../templates/contact_row.html"),
    ),
    ("holidays.html", include_str!("../templates/holidays.html")),
    ("tours.html", include_str!("../templates/tours.html")),
    ("tour.html", include_str!("../templates/tour.html")),
    (
        "assessment.html",
        include_str!("../templates/assessment.html"),
    ),
    (
        "assessment_table.html",
        include_str!("../templates/assessment_table.html"),
    ),
    (
        "assessment_published.html",
        include_str!("../templates/assessment_published.html"),
    ),
    ("scheme.html", include_str!("../templates/scheme.html")),
    (
        "accountability.html",
        include_str!("../templates/accountability.html"),
    ),
    ("records.html", include_str!("../templates/records.html")),
];

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env
}

/// JSON for a `<script type="application/json">` block: `<` escaped so no text can end it.
pub fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
}
