-- Indicators (指标) with region × period values and targets; issued bulletins (通报) kept as
-- snapshots; and settings the office edits (排名规则, the draft requirements of a bulletin).
CREATE TABLE indicators (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE,
    unit              TEXT    NOT NULL DEFAULT '',
    higher_is_better  INTEGER NOT NULL DEFAULT 1
);

-- value and target are decimal TEXT (exact); period as the reports keep it ('2025-06').
CREATE TABLE indicator_values (
    indicator_id  INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    period        TEXT    NOT NULL,
    value         TEXT,
    target        TEXT,
    PRIMARY KEY (indicator_id, unit_id, period)
);

-- An issued bulletin: the whole document as JSON, rendered again from it and never recomputed.
CREATE TABLE bulletins (
    id         INTEGER PRIMARY KEY,
    period     TEXT    NOT NULL UNIQUE,
    number     INTEGER NOT NULL,
    content    TEXT    NOT NULL,
    issued_at  TEXT    NOT NULL,
    issued_by  TEXT    NOT NULL
);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);
