-- Administration (issue 14): units and accounts are disabled, never deleted, and every change
-- the office makes carries its reason in the audit trail.
--
-- 停用 — when a unit or an account was disabled (NULL: in use). A disabled unit stays in the
-- items, reports and figures it is part of, and is no longer offered for new accounts or new
-- tasks; a disabled account cannot sign in, and its sessions and API tokens end.
ALTER TABLE units ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN disabled_at TEXT;

-- 原因 — why the change was made (the office states it when it edits, disables or resets).
-- Covered by the row's hash when present; rows without one hash as before.
ALTER TABLE audit_log ADD COLUMN reason TEXT;

-- The 审计 page filters by who and by what, newest first.
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_action ON audit_log (entity, action);
