-- Accounts (账号): who signs in, their role, their unit or the leader they are; browser
-- sessions and API tokens, both kept only as SHA-256 hashes of the secret.
CREATE TABLE users (
    id             BIGSERIAL PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE,
    display_name   TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('admin', 'leader', 'reporter', 'judge', 'viewer')),
    unit_id        BIGINT    REFERENCES units (id),
    leader_id      BIGINT    REFERENCES leaders (id),
    password_hash  TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf        TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL
);

CREATE TABLE api_tokens (
    token_hash  TEXT    PRIMARY KEY,
    user_id     BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
