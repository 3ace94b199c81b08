-- 观摩评比 (issue 16): a tour, the projects visited, its judges and their score sheets.
--
-- criteria: the score sheet as JSON ([{"name": "形象进度", "max": "40"}, …]); how many of
-- each project's highest and lowest totals are dropped; state open → closed → published.
CREATE TABLE tours (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    held_on       TEXT    NOT NULL,
    criteria      TEXT    NOT NULL,
    drop_highest  BIGINT  NOT NULL,
    drop_lowest   BIGINT  NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('open', 'closed', 'published')),
    created_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);

-- 观摩项目, in the order of the route.
CREATE TABLE tour_items (
    tour_id   BIGINT NOT NULL REFERENCES tours (id) ON DELETE CASCADE,
    item_id   BIGINT NOT NULL REFERENCES items (id),
    position  BIGINT NOT NULL,
    PRIMARY KEY (tour_id, item_id)
);

-- 评委 (an account's user name, or a name for a tour scored on paper).
CREATE TABLE tour_judges (
    tour_id   BIGINT NOT NULL REFERENCES tours (id) ON DELETE CASCADE,
    judge     TEXT   NOT NULL,
    PRIMARY KEY (tour_id, judge)
);

-- 评分表: one per judge and project, corrected until the tour is closed.
CREATE TABLE tour_sheets (
    tour_id     BIGINT NOT NULL REFERENCES tours (id) ON DELETE CASCADE,
    judge       TEXT   NOT NULL,
    item_id     BIGINT NOT NULL REFERENCES items (id),
    scores      TEXT   NOT NULL,
    total       TEXT,
    updated_by  TEXT   NOT NULL,
    updated_at  TEXT   NOT NULL,
    PRIMARY KEY (tour_id, judge, item_id)
);
