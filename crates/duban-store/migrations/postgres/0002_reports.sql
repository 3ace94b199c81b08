-- Progress reports (进度填报): one row per item, period and revision. Revision 1 is the report
-- as first submitted; a correction adds a revision with its reason, so history is kept.
CREATE TABLE reports (
    id                BIGSERIAL PRIMARY KEY,
    item_id           BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    period            TEXT    NOT NULL,
    revision          BIGINT  NOT NULL,
    ytd               BIGINT  CHECK (ytd >= 0),
    this_period       BIGINT,
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

-- A read model for the status engine, kept by every write of reports: per item and year, the
-- year-to-date of the latest revision for each month and the first submission date of each
-- month's report, as JSON arrays of 12 (null where there is none).
CREATE TABLE item_progress (
    item_id          BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    year             BIGINT  NOT NULL,
    ytd              TEXT    NOT NULL,
    first_submitted  TEXT    NOT NULL,
    PRIMARY KEY (item_id, year)
);
