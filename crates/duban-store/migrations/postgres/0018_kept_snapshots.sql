-- 留存的全部状态 (issue 18): every item's status as of a day, judged once by a server and kept
-- here, so that a server starting (or a second one behind the load balancer) reads it and
-- judges again only the items written since, instead of every item. One is kept: the newest.
-- Not data: written in quiet transactions, the data version left as it is.
CREATE TABLE kept_snapshots (
    id       BIGSERIAL PRIMARY KEY,
    as_of    TEXT    NOT NULL,
    version  BIGINT  NOT NULL,
    format   TEXT    NOT NULL,
    parts    INTEGER NOT NULL,
    bytes    BIGINT  NOT NULL,
    made_ms  BIGINT  NOT NULL
);

CREATE TABLE kept_snapshot_parts (
    snapshot_id  BIGINT  NOT NULL,
    part         INTEGER NOT NULL,
    body         BYTEA   NOT NULL,
    PRIMARY KEY (snapshot_id, part)
);
