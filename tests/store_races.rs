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
    sqlx::raw_sql("DELETE FROM users; DELETE FROM admin_audit_log;").execute(&store.pool).await.unwrap();
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
        store::delete::delete(&store, &actor, &[target]).await.map(drop)
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
            tokio::spawn(async move { store::delete::delete(&store, &actor, &[target]).await.map(drop) })
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
        sqlx::raw_sql("DELETE FROM users; DELETE FROM admin_audit_log;").execute(&a.pool).await.unwrap();
        let (e1, e2) = (email("first@example.se"), email("second@example.se"));
        let (r1, r2) = tokio::join!(
            store::create::bootstrap(&a, &e1, password_hash()),
            store::create::bootstrap(&b, &e2, password_hash()),
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
        let (r1, r2) = tokio::join!(
            store::create::provision(&a, &s1, &e1, Role::User, password_hash()),
            store::create::provision(&b, &s2, &e2, Role::Contributor, password_hash()),
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
