-- Progress reports (进度填报): one row per item, period and revision. Revision 1 is the report
-- as first submitted; a correction adds a revision with its reason, so history is kept.
CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    item_id           INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    period            TEXT    NOT NULL,
    revision          INTEGER NOT NULL,
    ytd               INTEGER CHECK (ytd >= 0),
    this_period       INTEGER,
    progress_text     TEXT,
    progress_percent  TEXT,
    milestones        TEXT    NOT NULL DEFAULT '[]',
    narrative         TEXT,
    problems          TEXT,
    reason            TEXT,
    submitted_on      TEXT    NOT NULL,
    submitted_at      TEXT    NOT NULL,
    submitted_by      TEXT    NOT NULL,
    UNIQUE (item_id, period, revision)
);
CREATE INDEX reports_period ON reports (period);
