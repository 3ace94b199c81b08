-- An item whose code changes is, to a kept snapshot or a kept set of tallies, an item gone and
-- another come: everything is judged again (they key items by code).
CREATE TRIGGER items_code_whole AFTER UPDATE OF code ON items
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION duban_whole();
