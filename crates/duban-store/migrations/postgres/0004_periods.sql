-- Reporting calendars (填报周期) per item kind, and reporting periods the office has closed.
CREATE TABLE report_calendars (
    kind     TEXT    PRIMARY KEY,
    due_day  BIGINT  NOT NULL CHECK (due_day BETWEEN 1 AND 31)
);

CREATE TABLE closed_periods (
    period     TEXT PRIMARY KEY,
    closed_at  TEXT NOT NULL,
    closed_by  TEXT NOT NULL
);
