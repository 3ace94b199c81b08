-- An item whose code changes is, to a kept snapshot or a kept set of tallies, an item gone and
-- another come: everything is judged again (they key items by code).
CREATE TRIGGER items_code_whole AFTER UPDATE OF code ON items WHEN NEW.code <> OLD.code BEGIN
    UPDATE data_version SET whole = version WHERE id = 1;
END;
