//! What this database offers beyond the web app's first migration, read from the catalog
//! once at start: live deployments have more columns and tables than old ones.

use sqlx::PgPool;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    /// `users` exists at all (false on an empty database before `migrate`).
    pub users: bool,
    pub sessions: bool,
    pub user_profiles: bool,
    /// `failed_login_attempts` and `locked_until`.
    pub lockout: bool,
    pub last_login_at: bool,
    pub last_failed_login_at: bool,
    /// `users.email_verified`: the web app refuses login while it is false.
    pub email_verified: bool,
    /// The web app's `email_verification_tokens` (the emailed links of unverified accounts).
    pub verification_tokens: bool,
    /// The web app's `login_events` table, where console sign-ins are recorded too.
    pub login_events: bool,
    /// This tool's audit table (in its own schema, `skriptoteket_admin`), with every column
    /// this version writes. An earlier version's table in the default schema does not
    /// count: `migrate` moves it.
    pub audit_log: bool,
}

impl Schema {
    pub async fn detect(pool: &PgPool) -> Result<Schema, sqlx::Error> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE (table_schema = current_schema()
                    AND table_name IN ('users', 'sessions', 'user_profiles', 'login_events',
                                       'email_verification_tokens'))
                OR (table_schema = 'skriptoteket_admin' AND table_name = 'admin_audit_log')",
        )
        .fetch_all(pool)
        .await?;
        let has = |t: &str, c: Option<&str>| rows.iter().any(|(tt, cc)| tt == t && c.is_none_or(|c| cc == c));
        Ok(Schema {
            users: has("users", None),
            sessions: has("sessions", None),
            user_profiles: has("user_profiles", None),
            lockout: has("users", Some("locked_until")) && has("users", Some("failed_login_attempts")),
            last_login_at: has("users", Some("last_login_at")),
            last_failed_login_at: has("users", Some("last_failed_login_at")),
            email_verified: has("users", Some("email_verified")),
            verification_tokens: has("email_verification_tokens", Some("verified_at"))
                && has("email_verification_tokens", Some("user_id")),
            // Every column the sign-in writes (all there since the table's first migration).
            login_events: [
                "id",
                "user_id",
                "status",
                "failure_code",
                "ip_address",
                "user_agent",
                "auth_provider",
                "correlation_id",
                "created_at",
            ]
            .into_iter()
            .all(|c| has("login_events", Some(c))),
            // As `migrate` leaves it now: an older tool's table lacks the change ids.
            audit_log: ["change_id", "operator", "reason", "reverts"]
                .into_iter()
                .all(|c| has("admin_audit_log", Some(c))),
        })
    }
}
