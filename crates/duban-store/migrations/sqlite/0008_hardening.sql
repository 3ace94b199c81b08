-- Hardening (issue 12).
--
-- 数据版本 — one row that every write transaction bumps first: its lock serialises writers
-- (PostgreSQL) and its value follows commit order, so a cache of derived figures learns of
-- every committed write. It also holds the head of the audit chain: the hash of the last
-- audit row and how many rows the chain has, so that a deleted last row is noticed too.
CREATE TABLE data_version (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     BIGINT  NOT NULL,
    audit_head  TEXT    NOT NULL DEFAULT '',
    audit_rows  BIGINT  NOT NULL DEFAULT 0,
    chained     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO data_version (id, version) VALUES (1, COALESCE((SELECT MAX(id) FROM audit_log), 0));

-- 审计链 — each audit row's place in the chain and its hash (SHA-256 of the previous row's
-- hash and this row's fields). Rows written before this migration are chained on open.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE INDEX audit_log_seq ON audit_log (seq);

-- 账号 — names compared without case (Admin and admin are one account: checked on every new
-- account, a plain index so that a database holding both still opens); API tokens end.
ALTER TABLE users ADD COLUMN username_key TEXT;
UPDATE users SET username_key = lower(username);
CREATE INDEX users_by_key ON users (username_key);
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
