-- 考核与问责 (issue 16): the office's schemes, the assessments it published, and the register
-- of 约谈, 问责, 绩效库 and 负面清单.

-- 考核方案: one per year and object (region | department), the TOML the office edits.
CREATE TABLE assessment_schemes (
    year        BIGINT NOT NULL,
    object      TEXT   NOT NULL CHECK (object IN ('region', 'department')),
    scheme      TEXT   NOT NULL,
    updated_by  TEXT   NOT NULL,
    updated_at  TEXT   NOT NULL,
    PRIMARY KEY (year, object)
);

-- 已发布的考核结果: the assessment as published (JSON), a snapshot never recomputed.
CREATE TABLE assessments (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    from_period   TEXT NOT NULL,
    to_period     TEXT NOT NULL,
    object        TEXT NOT NULL,
    result        TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL
);

-- 问责台账: an entry for a unit and, where known, its leader. kind: talk 约谈, sanction 问责,
-- merit 绩效库, negative 负面清单. source: what triggered it ('assessment:3', 'tour:2',
-- 'ranking:2026-06', 'manual'); evidence: the figures in words. held_on/held_by: when and by
-- whom the unit was called in or the decision taken; outcome: what came of it; document: the
-- decision's 文号.
CREATE TABLE accountability (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('talk', 'sanction', 'merit', 'negative')),
    unit        TEXT NOT NULL,
    leader      TEXT,
    state       TEXT NOT NULL CHECK (state IN ('proposed', 'confirmed', 'dismissed')),
    reason      TEXT NOT NULL,
    source      TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    held_on     TEXT,
    held_by     TEXT,
    outcome     TEXT,
    document    TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    decided_by  TEXT,
    decided_at  TEXT
);
CREATE INDEX accountability_unit ON accountability (unit, id);
CREATE INDEX accountability_leader ON accountability (leader, id);
