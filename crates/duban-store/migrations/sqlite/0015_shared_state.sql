-- What several servers on one database share (issue 18): nothing a later request may need
-- lives in one server's memory.

-- 待确认的导入: a ledger the office tried (dry run) and may confirm, through any server.
-- Kept an hour at most.
CREATE TABLE pending_uploads (
    id          TEXT   PRIMARY KEY,
    owner       TEXT   NOT NULL,
    file_name   TEXT   NOT NULL,
    content     BLOB  NOT NULL,
    created_ms  BIGINT NOT NULL
);
CREATE INDEX pending_uploads_created ON pending_uploads (created_ms);

-- 登录失败计数: failed sign-ins by key (a name from an address, a name, an address) in the
-- current window, which began at since_ms.
CREATE TABLE login_failures (
    key       TEXT   PRIMARY KEY,
    failures  BIGINT NOT NULL,
    since_ms  BIGINT NOT NULL
);
CREATE INDEX login_failures_since ON login_failures (since_ms);
