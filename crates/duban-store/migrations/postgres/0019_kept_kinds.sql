-- 留存的种类 (issue 18): besides every item's status, the year's tallies that the rankings, the
-- bulletin and the assessment add up are kept the same way, so that a server starting reads
-- them instead of reading and tallying the whole year. One of each kind is kept.
ALTER TABLE kept_snapshots ADD COLUMN kind TEXT NOT NULL DEFAULT 'status';
