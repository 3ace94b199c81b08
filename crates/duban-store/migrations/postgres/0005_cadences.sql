-- Weekly and quarterly reporting (填报周期): each kind's calendar gets a cadence, and every
-- report its period's last day, which orders reports of any cadence within a year. The
-- progress read model changes shape (a list of dated points) and is rebuilt on open.
ALTER TABLE report_calendars ADD COLUMN cadence TEXT NOT NULL DEFAULT 'monthly';
ALTER TABLE reports ADD COLUMN period_end TEXT;
UPDATE reports SET period_end = to_char(
    to_date(period || '-01', 'YYYY-MM-DD') + INTERVAL '1 month' - INTERVAL '1 day', 'YYYY-MM-DD');
CREATE INDEX reports_item_end ON reports (item_id, period_end);
CREATE INDEX reports_end ON reports (period_end);
DELETE FROM item_progress;
