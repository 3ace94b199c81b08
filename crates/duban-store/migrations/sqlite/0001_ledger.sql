-- The ledger (台账): units, leaders, items, co-operating units, milestones, and the audit trail.
-- Money is BIGINT whole yuan (exact); dates are ISO-8601 TEXT ('2025-03' for a month,
-- '2025-03-15' for a day); lists and maps are JSON TEXT. The PostgreSQL schema has the same
-- meaning column for column.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL CHECK (kind IN ('region', 'department')),
    parent_id   INTEGER REFERENCES units (id),
    sort_order  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE unit_aliases (
    alias    TEXT    PRIMARY KEY,
    unit_id  INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE
);

CREATE TABLE leaders (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    -- '' when the ledger gave no title; a name with a title identifies a leader.
    title  TEXT NOT NULL DEFAULT '',
    UNIQUE (name, title)
);

CREATE TABLE items (
    id                INTEGER PRIMARY KEY,
    code              TEXT    NOT NULL UNIQUE,
    year              INTEGER NOT NULL,
    kind              TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    owner             TEXT,
    nature            TEXT,
    location          TEXT,
    scale             TEXT,
    category          TEXT,
    level             TEXT,
    stage             TEXT,
    total_investment  INTEGER CHECK (total_investment >= 0),
    annual_plan       INTEGER CHECK (annual_plan >= 0),
    monthly_plan      TEXT,
    planned_start     TEXT,
    planned_end       TEXT,
    region_id         INTEGER REFERENCES units (id),
    lead_unit_id      INTEGER NOT NULL REFERENCES units (id),
    leader_id         INTEGER REFERENCES leaders (id),
    in_statistics     INTEGER,
    tags              TEXT    NOT NULL DEFAULT '[]',
    notes             TEXT,
    extra             TEXT    NOT NULL DEFAULT '{}',
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE INDEX items_lead_unit ON items (lead_unit_id);
CREATE INDEX items_region ON items (region_id);
CREATE INDEX items_year_kind ON items (year, kind);

CREATE TABLE item_co_units (
    item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (item_id, unit_id)
);
CREATE INDEX item_co_units_unit ON item_co_units (unit_id);

CREATE TABLE milestones (
    id        INTEGER PRIMARY KEY,
    item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    planned   TEXT,
    actual    TEXT
);
CREATE INDEX milestones_item ON milestones (item_id, position);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_key  TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_key);
