-- Daily work in the browser (issue 14).
--
-- 附件 — evidence: photos of the site (形象进度照片) and documents, attached to a report, a
-- problem or a closure request (整改情况) of an item. The bytes are in the database, or in a
-- configured directory (stored_path, named by their SHA-256) with content left NULL.
CREATE TABLE attachments (
    id           BIGSERIAL PRIMARY KEY,
    item_id      BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    owner        TEXT    NOT NULL CHECK (owner IN ('report', 'problem', 'closure', 'extension')),
    owner_id     BIGINT  NOT NULL,
    file_name    TEXT    NOT NULL,
    media_type   TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    content      BYTEA,
    thumbnail    BYTEA,
    stored_path  TEXT,
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TEXT    NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner, owner_id);
CREATE INDEX attachments_item ON attachments (item_id);

-- 基线 — the milestone date the office approved (原计划); planned is the date in force
-- (调整后 after an approved extension). NULL: a plan not yet approved. Every plan written
-- before this migration came from the office's ledger: it is the approved plan.
ALTER TABLE milestones ADD COLUMN baseline TEXT;
UPDATE milestones SET baseline = planned;

-- 延期申请 — a unit asks to move a milestone; the office approves or refuses.
CREATE TABLE extension_requests (
    id            BIGSERIAL PRIMARY KEY,
    item_id       BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    milestone     TEXT    NOT NULL,
    from_date     TEXT    NOT NULL,
    requested     TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
    requested_by  TEXT    NOT NULL,
    requested_at  TEXT    NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    decision      TEXT
);
CREATE INDEX extension_requests_item ON extension_requests (item_id);
CREATE INDEX extension_requests_state ON extension_requests (state);

-- 批示 — a leader's comment or instruction on an item or one of its problems.
CREATE TABLE instructions (
    id          BIGSERIAL PRIMARY KEY,
    item_id     BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    problem_id  BIGINT  REFERENCES problems (id) ON DELETE CASCADE,
    author      TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    at          TEXT    NOT NULL
);
CREATE INDEX instructions_item ON instructions (item_id);

-- 归档 — an archived item leaves the ledger, the status and the rankings; restored, it returns.
ALTER TABLE items ADD COLUMN archived_at TEXT;
