//! Rows in other tables that point at users, found from the catalog at run time: live
//! deployments have foreign keys that no fixed list predicts.

pub use crate::domain::references::{Dependent, OnDelete};
use sqlx::{Executor, Postgres, Row};
use uuid::Uuid;

/// A single-column foreign key that references `users(id)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    /// The referencing table as Postgres names it (schema-qualified when not on the path).
    pub table: String,
    pub column: String,
    pub on_delete: OnDelete,
}

/// Every foreign key that references `users`.
pub async fn foreign_keys<'e, E: Executor<'e, Database = Postgres>>(
    ex: E,
) -> Result<Vec<ForeignKey>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.conrelid::regclass::text AS tbl, quote_ident(a.attname) AS col,
                c.confdeltype::text AS del
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass
           AND array_length(c.conkey, 1) = 1
           AND c.confkey[1] = (SELECT attnum FROM pg_attribute
                               WHERE attrelid = 'users'::regclass AND attname = 'id')
         ORDER BY 1, 2",
    )
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            let del: String = r.try_get("del")?;
            Ok(ForeignKey {
                table: r.try_get("tbl")?,
                column: r.try_get("col")?,
                on_delete: OnDelete::from_code(&del),
            })
        })
        .collect()
}

/// Whether deleting a row of `users` can, through a chain of ON DELETE CASCADE keys, delete
/// rows of `users` again (a key from `users` to itself, or to a table the chain empties).
/// No such chain exists in the web app's schema; a deployment may add one.
pub async fn cascade_reaches_users<'e, E: Executor<'e, Database = Postgres>>(
    ex: E,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "WITH RECURSIVE reach(rel) AS (
             SELECT c.conrelid FROM pg_constraint c
             WHERE c.contype = 'f' AND c.confdeltype = 'c' AND c.confrelid = 'users'::regclass
             UNION
             SELECT c.conrelid FROM pg_constraint c JOIN reach r ON c.confrelid = r.rel
             WHERE c.contype = 'f' AND c.confdeltype = 'c'
         )
         SELECT EXISTS (SELECT 1 FROM reach WHERE rel = 'users'::regclass)",
    )
    .fetch_one(ex)
    .await
}

/// Counts the rows behind each foreign key that point at `ids` (tables with none are left
/// out). One query: a UNION ALL of one count per key.
pub async fn count(conn: &mut sqlx::PgConnection, ids: &[Uuid]) -> Result<Vec<Dependent>, sqlx::Error> {
    let keys = foreign_keys(&mut *conn).await?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    // Table names come from regclass::text and columns from quote_ident: both are quoted
    // by Postgres itself, so they are safe to splice.
    let sql = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("SELECT {i} AS k, count(*) AS n FROM {} WHERE {} = ANY($1)", k.table, k.column))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(&mut *conn).await?;
    let mut out = Vec::new();
    for r in rows {
        let k: i32 = r.try_get("k")?;
        let n: i64 = r.try_get("n")?;
        if n > 0
            && let Some(key) = keys.get(k as usize)
        {
            out.push(Dependent {
                table: key.table.clone(),
                column: key.column.clone(),
                on_delete: key.on_delete,
                rows: n,
            });
        }
    }
    Ok(out)
}

/// The users among `ids` that a RESTRICT / NO ACTION reference holds: the ones whose delete
/// would fail.
pub async fn restricted_users(conn: &mut sqlx::PgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>, sqlx::Error> {
    let keys: Vec<ForeignKey> =
        foreign_keys(&mut *conn).await?.into_iter().filter(|k| k.on_delete == OnDelete::Restrict).collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    // Quoted by Postgres itself (regclass::text, quote_ident): safe to splice.
    let sql = keys
        .iter()
        .map(|k| format!("SELECT {} AS id FROM {} WHERE {} = ANY($1)", k.column, k.table, k.column))
        .collect::<Vec<_>>()
        .join(" UNION ");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(&mut *conn).await
}
