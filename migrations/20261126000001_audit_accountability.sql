-- Accountability: every change gets an id shared by all its rows (so a caller that lost
-- the connection can ask whether exactly that change committed, and a revert can name
-- it), the person at the keyboard (OS user, sudo, SSH client, host, tool version), the
-- admin's reason, and for a revert the change it reverts.
-- The index build reads the whole log: no statement timeout for this migration.
SET LOCAL statement_timeout = 0;

ALTER TABLE admin_audit_log
    ADD COLUMN IF NOT EXISTS change_id uuid,
    ADD COLUMN IF NOT EXISTS operator jsonb,
    ADD COLUMN IF NOT EXISTS reason text,
    ADD COLUMN IF NOT EXISTS reverts uuid;

CREATE INDEX IF NOT EXISTS ix_admin_audit_log_change ON admin_audit_log (change_id);
CREATE INDEX IF NOT EXISTS ix_admin_audit_log_reverts ON admin_audit_log (reverts) WHERE reverts IS NOT NULL;
