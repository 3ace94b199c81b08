-- Supervision and urging (督办、催办; issue 15).
--
-- 交办事项 — tasks the office hands down besides the ledger's items. The deadline as given
-- (JSON: a date or N working days) and resolved (due); the lifecycle in state, each move in
-- task_events.
CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY,
    number         TEXT    NOT NULL UNIQUE,
    year           BIGINT  NOT NULL,
    seq            BIGINT  NOT NULL,
    title          TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    source_ref     TEXT,
    item_id        BIGINT  REFERENCES items (id) ON DELETE SET NULL,
    lead_unit_id   BIGINT  NOT NULL REFERENCES units (id),
    leader_id      BIGINT  REFERENCES leaders (id),
    deadline       TEXT    NOT NULL,
    due            TEXT    NOT NULL,
    sign_within    BIGINT  NOT NULL,
    cadence        TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    assigned_on    TEXT    NOT NULL,
    assigned_by    TEXT    NOT NULL,
    signed_on      TEXT,
    last_feedback  TEXT,
    requested_on   TEXT,
    closed_on      TEXT,
    created_at     TEXT    NOT NULL
);
CREATE INDEX tasks_state ON tasks (state);
CREATE INDEX tasks_lead_unit ON tasks (lead_unit_id);
CREATE INDEX tasks_item ON tasks (item_id);

-- 配合单位
CREATE TABLE task_co_units (
    task_id   BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    unit_id   BIGINT NOT NULL REFERENCES units (id),
    position  BIGINT NOT NULL,
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX task_co_units_unit ON task_co_units (unit_id);

-- 办理记录 — every move: 交办, 签收, 反馈, 申请办结, 办结, 退回, 撤销.
CREATE TABLE task_events (
    id          INTEGER PRIMARY KEY,
    task_id     BIGINT  NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    action      TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    unit        TEXT,
    note        TEXT,
    on_day      TEXT    NOT NULL,
    at          TEXT    NOT NULL
);
CREATE INDEX task_events_task ON task_events (task_id);

-- Attachments may now prove a task (its source document, 批示件) or a move of it (feedback,
-- 办结报告): those have no item.
CREATE TABLE attachments_new (
    id           INTEGER PRIMARY KEY,
    item_id      BIGINT  REFERENCES items (id) ON DELETE CASCADE,
    owner        TEXT    NOT NULL CHECK (owner IN ('report', 'problem', 'closure', 'extension', 'task', 'task_event')),
    owner_id     BIGINT  NOT NULL,
    file_name    TEXT    NOT NULL,
    media_type   TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    content      BLOB,
    thumbnail    BLOB,
    stored_path  TEXT,
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TEXT    NOT NULL
);
INSERT INTO attachments_new SELECT id, item_id, owner, owner_id, file_name, media_type, size, sha256,
    content, thumbnail, stored_path, uploaded_by, uploaded_at FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE INDEX attachments_owner ON attachments (owner, owner_id);
CREATE INDEX attachments_item ON attachments (item_id);

-- 节假日安排 — a year's notice as the office set it (JSON); a year not here follows the notices
-- shipped with duban.
CREATE TABLE holiday_years (
    year        BIGINT PRIMARY KEY,
    schedule    TEXT   NOT NULL,
    updated_by  TEXT   NOT NULL,
    updated_at  TEXT   NOT NULL
);

-- 通讯录 — a unit's or a leader's contact: 联络员, 手机, 邮箱, 群机器人 (企业微信, 钉钉 or a
-- generic webhook; 钉钉's signing secret).
CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    unit_id       BIGINT REFERENCES units (id),
    leader_id     BIGINT REFERENCES leaders (id),
    liaison       TEXT,
    phone         TEXT,
    email         TEXT,
    robot_kind    TEXT,
    robot_url     TEXT,
    robot_secret  TEXT,
    updated_by    TEXT   NOT NULL,
    updated_at    TEXT   NOT NULL
);
CREATE UNIQUE INDEX contacts_unit ON contacts (unit_id);
CREATE UNIQUE INDEX contacts_leader ON contacts (leader_id);

-- 催办记录 — one row per event (a matter, its due date, the rule's stage): the unique key is
-- the claim, so no event is sent twice, across restarts and servers.
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    event_key   TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL,
    matter      TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    rule        TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    due         TEXT    NOT NULL,
    owner_kind  TEXT    NOT NULL,
    owner_name  TEXT    NOT NULL,
    leader      TEXT,
    escalated   BIGINT  NOT NULL,
    days_late   BIGINT  NOT NULL,
    run_on      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX reminders_owner ON reminders (owner_kind, owner_name);
CREATE INDEX reminders_escalated ON reminders (escalated, run_on);

-- 消息 — the in-app inbox of a unit, a leader or the office.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    to_kind     TEXT    NOT NULL CHECK (to_kind IN ('office', 'unit', 'leader')),
    to_name     TEXT    NOT NULL,
    level       TEXT,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    link        TEXT,
    created_at  TEXT    NOT NULL,
    read_at     TEXT,
    read_by     TEXT
);
CREATE INDEX messages_to ON messages (to_kind, to_name, id);

-- Which reminders a message carries.
CREATE TABLE message_reminders (
    message_id   BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    reminder_id  BIGINT NOT NULL REFERENCES reminders (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, reminder_id)
);
CREATE INDEX message_reminders_reminder ON message_reminders (reminder_id);

-- 发送记录 — a message to send outside the app: by email, a group robot or the webhook.
-- A server claims a row (claimed_by, claimed_until) before sending it; a failure is retried
-- at next_attempt_at with back-off, and gives up ('failed') after a number of attempts.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    message_id       BIGINT  NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    channel          TEXT    NOT NULL CHECK (channel IN ('email', 'wecom', 'dingtalk', 'webhook')),
    address          TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts         BIGINT  NOT NULL,
    next_attempt_at  TEXT    NOT NULL,
    claimed_by       TEXT,
    claimed_until    TEXT,
    last_error       TEXT,
    sent_at          TEXT,
    created_at       TEXT    NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_message ON deliveries (message_id);
