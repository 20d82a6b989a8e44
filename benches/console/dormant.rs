//! `deactivate-dormant --days N` on a seeded database: the dry run (`store::dormant::plan`)
//! and the real run (`store::dormant::deactivate`, one transaction with an audit row per
//! account), then undone: the tool's own `revert` (timed too), and what a revert does not
//! put back (revoked sessions, `updated_at`) by hand; the audit rows the run wrote are
//! removed and the tables vacuumed, so the database stays reusable.

use super::stats::Summary;
use skriptoteket_admin::domain::Stamp;
use skriptoteket_admin::store::dormant::Dormancy;
use skriptoteket_admin::store::{self, Actor, Store};
use std::time::Instant;
use time::OffsetDateTime;
use uuid::Uuid;

pub struct Dormant {
    pub days: u32,
    /// Active accounts before, and how many of them the run deactivated.
    pub active: usize,
    pub accounts: usize,
    pub sessions_revoked: u64,
    pub plan: Summary,
    pub apply: Summary,
    pub revert: Summary,
}

/// `runs` rounds of dry run, real run and undo.
pub async fn run(store: &Store, actor: &Actor, days: u32, runs: usize) -> Dormant {
    let rule = Dormancy { days, include_admins: false, exclude: Default::default() };
    let (mut plans, mut applies, mut reverts) = (Vec::new(), Vec::new(), Vec::new());
    let (mut active, mut accounts, mut sessions_revoked) = (0, 0, 0);
    for _ in 0..runs.max(1) {
        let audit_mark: i64 =
            sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM skriptoteket_admin.admin_audit_log")
                .fetch_one(&store.pool)
                .await
                .expect("audit mark");
        // What the undo puts back beyond the revert.
        let (ids, updated): (Vec<Uuid>, Vec<OffsetDateTime>) =
            sqlx::query_as::<_, (Uuid, OffsetDateTime)>("SELECT id, updated_at FROM users WHERE is_active")
                .fetch_all(&store.pool)
                .await
                .expect("active users")
                .into_iter()
                .unzip();
        let live: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM sessions WHERE revoked_at IS NULL")
            .fetch_all(&store.pool)
            .await
            .expect("sessions");

        let start = Instant::now();
        let plan = store::dormant::plan(store, actor, &rule).await.expect("dry run").plan;
        plans.push(start.elapsed());
        assert!(plan.could_run(), "{:?}", plan.refused);

        let stamp = Stamp::new(None);
        let start = Instant::now();
        let applied = store::dormant::deactivate(store, actor, &stamp, &rule).await.expect("deactivate");
        applies.push(start.elapsed());
        assert_eq!(applied.len(), plan.targets.len(), "the run did what the dry run said");

        let start = Instant::now();
        let reverted =
            store::revert::revert(store, actor, &Stamp::new(None), stamp.change_id).await.expect("revert");
        reverts.push(start.elapsed());
        assert_eq!(reverted.applied.iter().filter(|a| a.changed).count(), applied.len());
        restore(store, &ids, &updated, &live, audit_mark).await;
        active = ids.len();
        accounts = applied.len();
        sessions_revoked = applied.iter().map(|a| a.sessions_revoked).sum();
    }
    Dormant {
        days,
        active,
        accounts,
        sessions_revoked,
        plan: Summary::of(&plans),
        apply: Summary::of(&applies),
        revert: Summary::of(&reverts),
    }
}

async fn restore(store: &Store, ids: &[Uuid], updated: &[OffsetDateTime], live: &[Uuid], audit_mark: i64) {
    let pool = &store.pool;
    sqlx::query("UPDATE sessions SET revoked_at = NULL WHERE id = ANY($1) AND revoked_at IS NOT NULL")
        .bind(live)
        .execute(pool)
        .await
        .expect("sessions back");
    sqlx::query(
        "UPDATE users u SET updated_at = b.t FROM unnest($1::uuid[], $2::timestamptz[]) AS b(id, t)
         WHERE u.id = b.id AND u.updated_at IS DISTINCT FROM b.t",
    )
    .bind(ids)
    .bind(updated)
    .execute(pool)
    .await
    .expect("updated_at back");
    let active: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE is_active")
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!(active, ids.len() as i64, "every account active again");
    sqlx::query("DELETE FROM skriptoteket_admin.admin_audit_log WHERE id > $1")
        .bind(audit_mark)
        .execute(pool)
        .await
        .expect("remove the bench's audit rows");
    sqlx::query("VACUUM ANALYZE users, sessions, skriptoteket_admin.admin_audit_log")
        .execute(pool)
        .await
        .expect("vacuum");
}
