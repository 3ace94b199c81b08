-- The problem list (问题清单) and every move of each problem.
CREATE TABLE problems (
    id                INTEGER PRIMARY KEY,
    item_id           INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    category          TEXT    NOT NULL,
    escalation        TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    assigned_unit_id  INTEGER REFERENCES units (id),
    due               TEXT,
    listed            INTEGER NOT NULL DEFAULT 0,
    raised_by         TEXT    NOT NULL,
    raised_at         TEXT    NOT NULL
);
CREATE INDEX problems_item ON problems (item_id);
CREATE INDEX problems_state ON problems (state);

CREATE TABLE problem_events (
    id          INTEGER PRIMARY KEY,
    problem_id  INTEGER NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT    NOT NULL,
    note        TEXT
);
CREATE INDEX problem_events_problem ON problem_events (problem_id, id);
