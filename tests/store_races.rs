//! Concurrent changes through separate pools: two superusers removing each other must
//! never leave the deployment without an active superuser; two bootstraps make one
//! superuser; two provisions of one email make one account.

mod common;

use rstest::rstest;

use common::*;
use skriptoteket_admin::domain::Change;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{self, Actor, Store, StoreError};

const ITERATIONS: usize = 50;

/// Empties `users` (and with it sessions and the profiles) and seeds two active superusers.
async fn reset(store: &Store) -> (Actor, Actor) {
    sqlx::raw_sql("DELETE FROM users; DELETE FROM skriptoteket_admin.admin_audit_log;")
        .execute(&store.pool)
        .await
        .unwrap();
    let s1 = seed_actor(&store.pool, "s1@example.se", Role::Superuser).await;
    let s2 = seed_actor(&store.pool, "s2@example.se", Role::Superuser).await;
    (s1, s2)
}

/// Two stores on their own pools (as two admins' consoles would be).
async fn two_stores(shape: Shape) -> (TestDb, Store, Store) {
    let (db, a) = shape.store().await;
    let b = db.store().await;
    (db, a, b)
}

/// The losing side of a race is refused for a reason, never silently applied.
fn assert_refused(err: &StoreError) {
    assert!(
        matches!(
            err,
            StoreError::InvalidCredentials | StoreError::Denied { .. } | StoreError::LastSuperuser(_)
        ),
        "unexpected error: {err:?}"
    );
}

async fn race<F, Fut>(shape: Shape, what: &str, op: F)
where
    F: Fn(Store, Actor, Target) -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    let (_db, a, b) = two_stores(shape).await;
    for i in 0..ITERATIONS {
        let (s1, s2) = reset(&a).await;
        let (r1, r2) = tokio::join!(
            op(a.clone(), s1.clone(), Target::email(&s2.email)),
            op(b.clone(), s2.clone(), Target::email(&s1.email)),
        );
        let left = active_superusers(&a.pool).await;
        assert!(left >= 1, "{what}, iteration {i}: no active superuser left ({r1:?}, {r2:?})");
        assert!(
            r1.is_ok() != r2.is_ok(),
            "{what}, iteration {i}: exactly one side must win ({r1:?}, {r2:?})"
        );
        for r in [&r1, &r2] {
            if let Err(e) = r {
                assert_refused(e);
            }
        }
        assert_eq!(audit_count(&a.pool).await, 1, "{what}, iteration {i}: one audit row, the winner's");
    }
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn two_superusers_demoting_each_other(#[case] shape: Shape) {
    race(shape, "demote", |store, actor, target| async move {
        apply(&store, &actor, &[target], &Change::SetRole(Role::Admin)).await.map(drop)
    })
    .await;
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn two_superusers_deactivating_each_other(#[case] shape: Shape) {
    race(shape, "deactivate", |store, actor, target| async move {
        apply(&store, &actor, &[target], &Change::SetActive(false)).await.map(drop)
    })
    .await;
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn two_superusers_deleting_each_other(#[case] shape: Shape) {
    race(shape, "delete", |store, actor, target| async move {
        store::delete::delete(&store, &actor, &skriptoteket_admin::domain::Stamp::new(None), &[target])
            .await
            .map(drop)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_removals_on_a_multi_threaded_runtime() {
    let (_db, a, b) = two_stores(Shape::Live).await;
    for i in 0..ITERATIONS {
        let (s1, s2) = reset(&a).await;
        let t1 = {
            let (store, actor, target) = (a.clone(), s1.clone(), Target::email(&s2.email));
            tokio::spawn(async move {
                store::delete::delete(
                    &store,
                    &actor,
                    &skriptoteket_admin::domain::Stamp::new(None),
                    &[target],
                )
                .await
                .map(drop)
            })
        };
        let t2 = {
            let (store, actor, target) = (b.clone(), s2.clone(), Target::email(&s1.email));
            tokio::spawn(async move {
                apply(&store, &actor, &[target], &Change::SetActive(false)).await.map(drop)
            })
        };
        let (r1, r2) = (t1.await.unwrap(), t2.await.unwrap());
        assert!(active_superusers(&a.pool).await >= 1, "iteration {i}: ({r1:?}, {r2:?})");
        assert!(r1.is_ok() != r2.is_ok(), "iteration {i}: ({r1:?}, {r2:?})");
    }
}

#[tokio::test]
async fn concurrent_bootstraps_make_one_superuser() {
    let (_db, a, b) = two_stores(Shape::Old).await;
    for i in 0..20 {
        sqlx::raw_sql("DELETE FROM users; DELETE FROM skriptoteket_admin.admin_audit_log;")
            .execute(&a.pool)
            .await
            .unwrap();
        let (e1, e2) = (email("first@example.se"), email("second@example.se"));
        let stamp = skriptoteket_admin::domain::Stamp::new(None);
        let (r1, r2) = tokio::join!(
            store::create::bootstrap(&a, &stamp, &e1, password_hash()),
            store::create::bootstrap(&b, &stamp, &e2, password_hash()),
        );
        assert!(r1.is_ok() != r2.is_ok(), "iteration {i}: ({r1:?}, {r2:?})");
        let loser = r1.err().or(r2.err()).expect("one side refused");
        assert!(matches!(loser, StoreError::SuperuserExists), "{loser:?}");
        assert_eq!(scalar_i64(&a.pool, "SELECT count(*) FROM users WHERE role = 'superuser'").await, 1);
        assert_eq!(audit_count(&a.pool).await, 1);
    }
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn concurrent_provisions_of_one_email_make_one_account(#[case] shape: Shape) {
    let (_db, a, b) = two_stores(shape).await;
    let s1 = seed_actor(&a.pool, "s1@example.se", Role::Superuser).await;
    let s2 = seed_actor(&a.pool, "s2@example.se", Role::Admin).await;
    for i in 0..20 {
        let addr = format!("new{i}@example.se");
        let (e1, e2) = (email(&addr), email(&addr.to_uppercase()));
        let stamp = skriptoteket_admin::domain::Stamp::new(None);
        let (r1, r2) = tokio::join!(
            store::create::provision(&a, &s1, &stamp, &e1, Role::User, password_hash()),
            store::create::provision(&b, &s2, &stamp, &e2, Role::Contributor, password_hash()),
        );
        assert!(r1.is_ok() != r2.is_ok(), "iteration {i}: ({r1:?}, {r2:?})");
        let loser = r1.err().or(r2.err()).expect("one side refused");
        assert!(matches!(loser, StoreError::AlreadyExists(_)), "{loser:?}");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email = $1")
            .bind(&addr)
            .fetch_one(&a.pool)
            .await
            .unwrap();
        assert_eq!(n, 1);
        if shape.is_live() {
            assert_eq!(
                scalar_i64(&a.pool, "SELECT count(*) FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE p.user_id IS NULL AND u.email LIKE 'new%'").await,
                0,
                "every new account has its profile"
            );
        }
    }
    assert_eq!(audit_count(&a.pool).await, 20);
}

/// An actor demoted while its change waits for a row lock acts with the role it has when
/// the change gets its locks, not the one it had when it asked (the actor's row is locked
/// and re-read with the targets). A locked actor can do nothing either.
#[tokio::test]
async fn an_actor_demoted_while_its_change_waits_is_refused() {
    let (db, store) = live_store().await;
    let pool = store.pool.clone();
    // The target's id sorts before the actor's, so the change waits on the target first.
    let target = uuid::Uuid::from_u128(1);
    let actor_id = uuid::Uuid::from_u128(u128::MAX);
    db.exec(&format!(
        "INSERT INTO users (id, email, role, auth_provider, password_hash, email_verified)
         VALUES ('{target}', 'victim@example.se', 'superuser', 'local', 'x', true),
                ('{actor_id}', 'boss@example.se', 'superuser', 'local', 'x', true);"
    ))
    .await;
    insert_user(&pool, "third@example.se", Role::Superuser).await;
    let actor = Actor { id: actor_id, email: "boss@example.se".into(), role: Role::Superuser };

    let mut holder = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .bind(target)
        .execute(&mut *holder)
        .await
        .unwrap();
    let s2 = store.clone();
    let waiting = tokio::spawn(async move {
        apply(&s2, &actor, &[Target::email("victim@example.se")], &Change::Unlock).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Demoted by someone else while the change waits.
    sqlx::query("UPDATE users SET role = 'user' WHERE id = $1").bind(actor_id).execute(&pool).await.unwrap();
    holder.rollback().await.unwrap();
    let err = waiting.await.unwrap().expect_err("the demoted actor is refused");
    assert!(matches!(err, StoreError::Denied { .. }), "{err:?}");
    assert_eq!(audit_count(&pool).await, 0);

    // A locked actor (after failed logins on the web) cannot act from an open console.
    sqlx::query(
        "UPDATE users SET role = 'superuser', locked_until = now() + interval '10 minutes' WHERE id = $1",
    )
    .bind(actor_id)
    .execute(&pool)
    .await
    .unwrap();
    let actor = Actor { id: actor_id, email: "boss@example.se".into(), role: Role::Superuser };
    let err = apply(&store, &actor, &[Target::email("victim@example.se")], &Change::Unlock)
        .await
        .expect_err("a locked actor is refused");
    assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
}

/// The audit row's time is when it was written, not when its transaction began (a change
/// that waited for a lock is logged when it happened).
#[tokio::test]
async fn audit_rows_carry_the_moment_of_the_write() {
    let (_db, store) = live_store().await;
    let pool = store.pool.clone();
    let su = seed_actor(&pool, "root@example.se", Role::Superuser).await;
    let u = insert_user(&pool, "u@example.se", Role::User).await;
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE").bind(u).execute(&mut *holder).await.unwrap();
    let started: time::OffsetDateTime = sqlx::query_scalar("SELECT now()").fetch_one(&pool).await.unwrap();
    let s2 = store.clone();
    let waiting = tokio::spawn(async move {
        apply(&s2, &su, &[Target::email("u@example.se")], &Change::SetActive(false)).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    holder.rollback().await.unwrap();
    waiting.await.unwrap().expect("deactivate");
    let at: time::OffsetDateTime =
        sqlx::query_scalar("SELECT at FROM skriptoteket_admin.admin_audit_log WHERE action = 'deactivate'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(at - started >= time::Duration::milliseconds(400), "logged at {at}, asked at {started}");
}
