//! Reading users: the table the console shows and `list` prints.

use super::{Schema, Store, StoreError, UserRow};
use crate::domain::Role;
use crate::domain::profile::{Profile, Profiles};
use crate::domain::roster::NewRow;
use futures::TryStreamExt;
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// Active sessions of `u`, counted per row.
pub(crate) const SESSIONS_SUBQUERY: &str = "(SELECT count(*) FROM sessions s
     WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > now())";

/// The select list for `UserRow`, from `users u`, adapted to the optional columns. The
/// order of the columns is what [`decode`] reads by position.
/// `sessions` is the expression for the active-session count: [`SESSIONS_SUBQUERY`] for a
/// few rows, a joined aggregate for the whole table.
pub(crate) fn user_columns(schema: &Schema, sessions: &str) -> String {
    let last_login = if schema.last_login_at { "u.last_login_at" } else { "NULL::timestamptz" };
    let (locked_until, failed) = if schema.lockout {
        ("u.locked_until", "u.failed_login_attempts")
    } else {
        ("NULL::timestamptz", "0")
    };
    let sessions = if schema.sessions { sessions } else { "0::bigint" };
    let verified = if schema.email_verified { "u.email_verified" } else { "true" };
    format!(
        "u.id, u.email::text AS email, u.role::text AS role, u.auth_provider::text AS auth_provider,
         u.is_active, u.created_at, u.updated_at, {last_login} AS last_login_at,
         {locked_until} AS locked_until, COALESCE({locked_until} > now(), false) AS locked,
         {failed}::int4 AS failed_login_attempts, {sessions} AS active_sessions,
         {verified} AS email_verified"
    )
}

/// Decodes a row whose select list starts with [`user_columns`], by position (a lookup by
/// name costs a hash per column per row, which shows at 100,000 rows).
pub(crate) fn decode(row: &PgRow) -> Result<UserRow, StoreError> {
    decode_borrowed(row).map(UserRow::from)
}

/// [`decode`] with the text borrowed from the wire row: what the streamed table packs
/// (`store::stream`) without allocating per row.
pub(crate) fn decode_borrowed(row: &PgRow) -> Result<NewRow<'_>, StoreError> {
    let role_text: &str = row.try_get(2)?;
    Ok(NewRow {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        // A role the web app does not know stays visible as `unknown`, with no rights.
        role: Role::from_db(role_text),
        auth_provider: row.try_get(3)?,
        is_active: row.try_get(4)?,
        created_at: row.try_get(5)?,
        updated_at: row.try_get(6)?,
        last_login_at: row.try_get(7)?,
        locked_until: row.try_get(8)?,
        locked: row.try_get(9)?,
        failed_login_attempts: row.try_get(10)?,
        active_sessions: row.try_get(11)?,
        email_verified: row.try_get(12)?,
    })
}

/// What `list` narrows by; the console filters in memory instead.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub role: Option<Role>,
    /// Case-insensitive substring of the email, matched literally (`%`, `_`, `\` are text).
    pub search: Option<String>,
}

/// Every user (or those the filter keeps), ordered by email (byte order, as the console
/// sorts). Session counts come from one grouped scan, so 100k users cost one query. Gives
/// up after [`super::ANSWER_TIMEOUT`] (a network gone silent) as a lost connection.
pub async fn list(store: &Store, filter: &ListFilter) -> Result<Vec<UserRow>, StoreError> {
    super::within(super::ANSWER_TIMEOUT, list_now(store, filter)).await
}

async fn list_now(store: &Store, filter: &ListFilter) -> Result<Vec<UserRow>, StoreError> {
    let schema = &store.schema;
    if !schema.users {
        return Err(StoreError::NoUsersTable);
    }
    let cols = user_columns(schema, "COALESCE(sc.n, 0)");
    let join = if schema.sessions {
        "LEFT JOIN (SELECT user_id, count(*) AS n FROM sessions
                    WHERE revoked_at IS NULL AND expires_at > now() GROUP BY user_id) sc
               ON sc.user_id = u.id"
    } else {
        ""
    };
    // No ORDER BY: the server would sort everything before sending the first row; sorted
    // here instead (by bytes, as the console does), the rows stream while the scan runs.
    let sql = format!(
        "SELECT {cols} FROM users u {join}
         WHERE ($1::text IS NULL OR u.role = $1)
           AND ($2::text IS NULL OR strpos(lower(u.email), lower($2)) > 0)"
    );
    // Decoded as the rows stream in: the wire rows never pile up next to the decoded ones.
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(filter.role.map(|r| r.as_str()))
        .bind(filter.search.as_deref())
        .fetch(&store.pool);
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await? {
        out.push(decode(&row)?);
    }
    // Emails are unique, so an unstable sort gives the one order (and needs no scratch).
    out.sort_unstable_by(|a, b| a.email.cmp(&b.email));
    Ok(out)
}

/// The users with these ids, as they are now (missing ids are simply absent).
pub async fn by_ids(store: &Store, ids: &[Uuid]) -> Result<Vec<UserRow>, StoreError> {
    let sql = format!(
        "SELECT {} FROM users u WHERE u.id = ANY($1) ORDER BY u.email",
        user_columns(&store.schema, SESSIONS_SUBQUERY)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(&store.pool).await?;
    rows.iter().map(decode).collect()
}

/// Whether any superuser exists, active or not: bootstrap is refused while one does, so the
/// console offers bootstrap only when this is false.
pub async fn superuser_exists(store: &Store) -> Result<bool, StoreError> {
    if !store.schema.users {
        return Ok(false);
    }
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'superuser'")
        .fetch_one(&store.pool)
        .await?;
    Ok(n > 0)
}

/// Above this many accounts [`profiles`] reads the whole table once instead of asking by
/// id: a million ids asked 10,000 at a time took 7 s, one scan of the table about 1 s.
const PROFILES_BY_ID_MAX: usize = 20_000;

/// The profiles (names and locale) of the accounts `ids`, for an export: those that have
/// a profile row, none where the database has no `user_profiles` table.
pub async fn profiles(store: &Store, ids: &[Uuid]) -> Result<Profiles, StoreError> {
    type Row = (Uuid, Option<String>, Option<String>, Option<String>, Option<String>);
    let mut out = Profiles::with_capacity(ids.len());
    if !store.schema.user_profiles || ids.is_empty() {
        return Ok(out);
    }
    const COLUMNS: &str =
        "SELECT user_id, first_name, last_name, display_name, locale::text FROM user_profiles";
    let wanted: Option<std::collections::HashSet<Uuid>> =
        (ids.len() > PROFILES_BY_ID_MAX).then(|| ids.iter().copied().collect());
    let mut rows = match &wanted {
        Some(_) => sqlx::query_as::<_, Row>(COLUMNS).fetch(&store.pool),
        None => sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE user_id = ANY($1)")))
            .bind(ids)
            .fetch(&store.pool),
    };
    while let Some((id, first_name, last_name, display_name, locale)) = rows.try_next().await? {
        if wanted.as_ref().is_none_or(|w| w.contains(&id)) {
            out.insert(id, &Profile { first_name, last_name, display_name, locale });
        }
    }
    Ok(out)
}

/// The user's `user_profiles` row as label/value pairs, where that table exists.
pub async fn profile(store: &Store, id: Uuid) -> Result<Vec<(String, String)>, StoreError> {
    if !store.schema.user_profiles {
        return Ok(Vec::new());
    }
    let row = sqlx::query("SELECT to_jsonb(p) AS j FROM user_profiles p WHERE p.user_id = $1")
        .bind(id)
        .fetch_optional(&store.pool)
        .await?;
    let Some(row) = row else { return Ok(Vec::new()) };
    let j: serde_json::Value = row.try_get("j")?;
    let mut out = Vec::new();
    if let serde_json::Value::Object(map) = j {
        for (k, v) in map {
            if k == "user_id" {
                continue;
            }
            let text = match v {
                serde_json::Value::Null => "-".to_string(),
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            out.push((k, text));
        }
    }
    Ok(out)
}
