-- 增量刷新 (issue 18): what changed since a version, so a server refreshes only the items a
-- write touched instead of judging a province again. items.touched: the data version of the
-- last write to the item or to what its status reads (its milestones, progress, reports,
-- co-operating units). data_version.whole: the version of the last write to what every
-- item's status or the ledger reads (units and their aliases, leaders, the reporting
-- calendars) or of an item deleted: then everything is judged again.
ALTER TABLE items ADD COLUMN touched BIGINT NOT NULL DEFAULT 0;
CREATE INDEX items_touched ON items (touched);
ALTER TABLE data_version ADD COLUMN whole BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER items_touched_insert AFTER INSERT ON items BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER items_touched_update AFTER UPDATE ON items WHEN NEW.touched = OLD.touched BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE id = NEW.id AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER items_deleted AFTER DELETE ON items BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER milestones_touch_insert AFTER INSERT ON milestones BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = NEW.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER milestones_touch_update AFTER UPDATE ON milestones BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = NEW.item_id OR id = OLD.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER milestones_touch_delete AFTER DELETE ON milestones BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = OLD.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER item_progress_touch_insert AFTER INSERT ON item_progress BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = NEW.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER item_progress_touch_update AFTER UPDATE ON item_progress BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = NEW.item_id OR id = OLD.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER item_progress_touch_delete AFTER DELETE ON item_progress BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = OLD.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER item_co_units_touch_insert AFTER INSERT ON item_co_units BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = NEW.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER item_co_units_touch_update AFTER UPDATE ON item_co_units BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = NEW.item_id OR id = OLD.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER item_co_units_touch_delete AFTER DELETE ON item_co_units BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = OLD.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER reports_touch_insert AFTER INSERT ON reports BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = NEW.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER reports_touch_update AFTER UPDATE ON reports BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = NEW.item_id OR id = OLD.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER reports_touch_delete AFTER DELETE ON reports BEGIN
    UPDATE items SET touched = (SELECT version FROM data_version WHERE id = 1) WHERE (id = OLD.item_id) AND touched <> (SELECT version FROM data_version WHERE id = 1);
END;
CREATE TRIGGER units_whole_insert AFTER INSERT ON units BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER units_whole_update AFTER UPDATE ON units BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER units_whole_delete AFTER DELETE ON units BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER unit_aliases_whole_insert AFTER INSERT ON unit_aliases BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER unit_aliases_whole_update AFTER UPDATE ON unit_aliases BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER unit_aliases_whole_delete AFTER DELETE ON unit_aliases BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER leaders_whole_insert AFTER INSERT ON leaders BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER leaders_whole_update AFTER UPDATE ON leaders BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER leaders_whole_delete AFTER DELETE ON leaders BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER report_calendars_whole_insert AFTER INSERT ON report_calendars BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER report_calendars_whole_update AFTER UPDATE ON report_calendars BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
CREATE TRIGGER report_calendars_whole_delete AFTER DELETE ON report_calendars BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
