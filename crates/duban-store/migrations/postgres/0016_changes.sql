-- 增量刷新 (issue 18): what changed since a version, so a server refreshes only the items a
-- write touched instead of judging a province again. items.touched: the data version of the
-- last write to the item or to what its status reads (its milestones, progress, reports,
-- co-operating units). data_version.whole: the version of the last write to what every
-- item's status or the ledger reads (units and their aliases, leaders, the reporting
-- calendars) or of an item deleted: then everything is judged again.
ALTER TABLE items ADD COLUMN touched BIGINT NOT NULL DEFAULT 0;
CREATE INDEX items_touched ON items (touched);
ALTER TABLE data_version ADD COLUMN whole BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION duban_item_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.touched := (SELECT version FROM data_version WHERE id = 1);
    RETURN NEW;
END $$;
CREATE TRIGGER items_touched BEFORE INSERT OR UPDATE ON items
    FOR EACH ROW EXECUTE FUNCTION duban_item_touched();

CREATE FUNCTION duban_whole() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER items_deleted AFTER DELETE ON items
    FOR EACH STATEMENT EXECUTE FUNCTION duban_whole();

-- Rows written by one statement touch their items in one update (a ledger import writes
-- hundreds of thousands of milestones).
CREATE FUNCTION duban_touch_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1)
     WHERE id IN (SELECT item_id FROM new_rows) AND touched <> (SELECT version FROM data_version WHERE id = 1);
    RETURN NULL;
END $$;
CREATE FUNCTION duban_touch_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1)
     WHERE id IN (SELECT item_id FROM old_rows) AND touched <> (SELECT version FROM data_version WHERE id = 1);
    RETURN NULL;
END $$;
CREATE FUNCTION duban_touch_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1)
     WHERE id IN (SELECT item_id FROM new_rows UNION SELECT item_id FROM old_rows)
       AND touched <> (SELECT version FROM data_version WHERE id = 1);
    RETURN NULL;
END $$;
CREATE TRIGGER milestones_touch_insert AFTER INSERT ON milestones REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_new();
CREATE TRIGGER milestones_touch_update AFTER UPDATE ON milestones REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_both();
CREATE TRIGGER milestones_touch_delete AFTER DELETE ON milestones REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_old();
CREATE TRIGGER item_progress_touch_insert AFTER INSERT ON item_progress REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_new();
CREATE TRIGGER item_progress_touch_update AFTER UPDATE ON item_progress REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_both();
CREATE TRIGGER item_progress_touch_delete AFTER DELETE ON item_progress REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_old();
CREATE TRIGGER item_co_units_touch_insert AFTER INSERT ON item_co_units REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_new();
CREATE TRIGGER item_co_units_touch_update AFTER UPDATE ON item_co_units REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_both();
CREATE TRIGGER item_co_units_touch_delete AFTER DELETE ON item_co_units REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_old();
CREATE TRIGGER reports_touch_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_new();
CREATE TRIGGER reports_touch_update AFTER UPDATE ON reports REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_both();
CREATE TRIGGER reports_touch_delete AFTER DELETE ON reports REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duban_touch_old();
CREATE TRIGGER units_whole AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION duban_whole();
CREATE TRIGGER unit_aliases_whole AFTER INSERT OR UPDATE OR DELETE ON unit_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION duban_whole();
CREATE TRIGGER leaders_whole AFTER INSERT OR UPDATE OR DELETE ON leaders
    FOR EACH STATEMENT EXECUTE FUNCTION duban_whole();
CREATE TRIGGER report_calendars_whole AFTER INSERT OR UPDATE OR DELETE ON report_calendars
    FOR EACH STATEMENT EXECUTE FUNCTION duban_whole();
