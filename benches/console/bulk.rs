//! Bulk role change: `store::change::apply` with `Change::SetRole` on up to 10,000 users in
//! one transaction with its audit rows, against the runbook's way: one autocommitted
//! `UPDATE` per user through `psql -f`.

use super::stats::Summary;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::domain::{Change, Done};
use skriptoteket_admin::store;
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{Actor, Store};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Bulk {
    /// How many users each run changed.
    pub users: usize,
    pub apply: Summary,
    pub psql: Summary,
}

/// `runs` applies and `psql_runs` psql files, each flipping the same users between
/// contributor and user, so every run changes every row; all of them are users again
/// afterwards, the audit rows the runs wrote are removed and the tables vacuumed.
pub async fn run(store: &Store, actor: &Actor, max_users: i64, runs: usize, psql_runs: usize) -> Bulk {
    let emails: Vec<String> = sqlx::query_scalar(
        "SELECT email FROM users WHERE role = 'user' AND email ~ '^[a-z0-9._@-]+$' ORDER BY email LIMIT $1",
    )
    .bind(max_users)
    .fetch_all(&store.pool)
    .await
    .expect("pick targets");
    let audit_mark: i64 =
        sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM skriptoteket_admin.admin_audit_log")
            .fetch_one(&store.pool)
            .await
            .expect("audit mark");
    let targets: Vec<Target> = emails.iter().map(|e| Target::email(e)).collect();
    let role = |i: usize| if i.is_multiple_of(2) { Role::Contributor } else { Role::User };

    let mut apply = Vec::new();
    for i in 0..runs {
        let start = Instant::now();
        let done = store::change::apply(
            store,
            actor,
            &skriptoteket_admin::domain::Stamp::new(None),
            &targets,
            &Change::SetRole(role(i)),
            None,
        )
        .await
        .expect("apply");
        let Done::Changed(applied) = done else { panic!("a role change reports changed rows") };
        apply.push(start.elapsed());
        assert!(applied.iter().all(|a| a.changed), "every run must change every row");
    }
    restore(store, &emails).await;

    let mut psql = Vec::new();
    for i in 0..psql_runs {
        let file = update_file(&emails, role(i));
        psql.push(psql_file(store.target.url(), file.path()));
    }
    restore(store, &emails).await;
    sqlx::query("DELETE FROM skriptoteket_admin.admin_audit_log WHERE id > $1")
        .bind(audit_mark)
        .execute(&store.pool)
        .await
        .expect("remove the bench's audit rows");
    // Every run left 10,000 dead row versions: clean up so the next run starts alike.
    sqlx::query("VACUUM ANALYZE users, skriptoteket_admin.admin_audit_log")
        .execute(&store.pool)
        .await
        .expect("vacuum");
    Bulk { users: emails.len(), apply: Summary::of(&apply), psql: Summary::of(&psql) }
}

async fn restore(store: &Store, emails: &[String]) {
    sqlx::query("UPDATE users SET role = 'user' WHERE email = ANY($1)")
        .bind(emails)
        .execute(&store.pool)
        .await
        .expect("restore roles");
}

/// The runbook: one statement per user, each its own transaction.
fn update_file(emails: &[String], role: Role) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    let mut text = String::new();
    for e in emails {
        let e = e.replace('\'', "''");
        text.push_str(&format!(
            "UPDATE users SET role = '{role}', updated_at = now() WHERE email = '{e}';\n",
            role = role.as_str()
        ));
    }
    f.write_all(text.as_bytes()).expect("write sql file");
    f.flush().expect("flush sql file");
    f
}

fn psql_file(url: &str, path: &std::path::Path) -> Duration {
    let start = Instant::now();
    let status = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("psql must be installed");
    let took = start.elapsed();
    assert!(status.success(), "psql -f failed: {status}");
    took
}
