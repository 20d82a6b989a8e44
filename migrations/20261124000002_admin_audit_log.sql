-- The console's own audit trail. No foreign key to users: entries outlive the accounts
-- they describe, and must never block a delete.
CREATE TABLE IF NOT EXISTS admin_audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_id uuid,
    actor_email varchar(255) NOT NULL,
    action varchar(64) NOT NULL,
    target_id uuid,
    target_email varchar(255),
    before jsonb,
    after jsonb
);

CREATE INDEX IF NOT EXISTS ix_admin_audit_log_at ON admin_audit_log (at DESC);
CREATE INDEX IF NOT EXISTS ix_admin_audit_log_target ON admin_audit_log (target_id, at DESC);
