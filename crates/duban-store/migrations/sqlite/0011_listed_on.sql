-- 纳入日期 (issue 14) — the day an item entered the ledger (Beijing date). An item counts,
-- and is asked for a report, from the period it was listed in: a period that was over before
-- it existed keeps its figures when items are added later. Written once, when the item is
-- created, and never by a re-import. Items created before this migration have no date and
-- count in every period of their year, as they did (their created_at is the clock of the
-- machine, not the day the office put them on the ledger).
ALTER TABLE items ADD COLUMN listed_on TEXT;
CREATE INDEX items_listed_on ON items (listed_on);
