//! `store::change::apply` with RevokeSessions, SetActive and Unlock, and `sessions::active_for`.

mod common;

use rstest::rstest;

use common::*;
use serde_json::json;
use skriptoteket_admin::domain::Change;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{self, StoreError};

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn revoke_sessions_revokes_only_active_ones(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let a = insert_user(pool, "a@example.se", Role::User).await;
    let b = insert_user(pool, "b@example.se", Role::Contributor).await;
    let c = insert_user(pool, "c@example.se", Role::User).await;
    let (a_active, a_expired, a_revoked) = insert_sessions(pool, a).await;
    insert_session(pool, b, SessionKind::Active).await;
    insert_session(pool, b, SessionKind::Active).await;
    let c_active = insert_session(pool, c, SessionKind::Active).await;
    age_updated_at(pool, &[a, b]).await;
    let listed = store::sessions::recent_for(&store, b, 20).await.unwrap();
    assert_eq!(listed.iter().filter(|s| s.active).count(), 2);
    let of_a = store::sessions::recent_for(&store, a, 20).await.unwrap();
    assert_eq!(of_a.len(), 3, "sessions of every state are listed");
    assert_eq!(of_a.iter().filter(|s| s.revoked_at.is_some()).count(), 1);

    let applied = apply(
        &store,
        &admin,
        &[Target::email("a@example.se"), Target::email("b@example.se")],
        &Change::RevokeSessions,
    )
    .await
    .expect("revoke");
    assert_eq!(applied.iter().map(|x| (x.id, x.sessions_revoked)).collect::<Vec<_>>(), [(a, 1), (b, 2)]);
    assert!(revoked_at(pool, a_active).await.is_some());
    assert_eq!(revoked_at(pool, a_expired).await, None);
    assert_eq!(revoked_at(pool, a_revoked).await.as_deref(), Some("2001-02-03 04:05:06"));
    assert_eq!(active_sessions(pool, b).await, 0);
    assert_eq!(revoked_at(pool, c_active).await, None, "other users keep their sessions");
    assert!(
        store::sessions::recent_for(&store, b, 20)
            .await
            .unwrap()
            .iter()
            .all(|s| !s.active && s.revoked_at.is_some())
    );
    // The account itself is not otherwise touched.
    assert!(!updated_recently(pool, a).await);
    assert!(is_active(pool, a).await);

    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|r| r.0 == "revoke_sessions" && r.1 == Some(admin.id)));
    let for_b = audit.iter().find(|r| r.2 == Some(b)).unwrap();
    assert_eq!(for_b.3.clone().unwrap(), json!({"active_sessions": 2}));
    assert_eq!(for_b.4.clone().unwrap(), json!({"sessions_revoked": 2}));

    // Nothing left to revoke: a no-op, no audit row.
    let applied =
        apply(&store, &admin, &[Target::email("a@example.se")], &Change::RevokeSessions).await.unwrap();
    assert!(!applied[0].changed);
    assert_eq!(audit_count(pool).await, 2);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn deactivate_revokes_sessions_and_activate_restores(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let u = insert_user(pool, "u@example.se", Role::Admin).await;
    let (active, expired, revoked) = insert_sessions(pool, u).await;
    age_updated_at(pool, &[u]).await;

    let applied = apply(&store, &su, &[Target::email("u@example.se")], &Change::SetActive(false))
        .await
        .expect("deactivate");
    assert_eq!(applied[0].sessions_revoked, 1);
    assert!(!is_active(pool, u).await);
    assert!(updated_recently(pool, u).await);
    assert!(revoked_at(pool, active).await.is_some());
    assert_eq!(revoked_at(pool, expired).await, None);
    assert_eq!(revoked_at(pool, revoked).await.as_deref(), Some("2001-02-03 04:05:06"));
    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "deactivate");
    assert_eq!(audit[0].3.clone().unwrap(), json!({"is_active": true, "active_sessions": 1}));
    assert_eq!(audit[0].4.clone().unwrap(), json!({"is_active": false, "sessions_revoked": 1}));
    // The deactivated admin cannot sign in any more.
    let err = store::login::authenticate(
        &store,
        "u@example.se",
        &secret(PASSWORD),
        &skriptoteket_admin::store::login::Origin::current("tests"),
    )
    .await
    .expect_err("inactive");
    assert!(
        matches!(err, StoreError::InvalidCredentials),
        "the web app says invalid credentials for an inactive account: {err:?}"
    );

    // Deactivating again: a no-op...
    let applied =
        apply(&store, &su, &[Target::email("u@example.se")], &Change::SetActive(false)).await.unwrap();
    assert!(!applied[0].changed);
    assert_eq!(audit_count(pool).await, 1);
    // ...unless a session was left on the inactive account (made behind our back): then
    // deactivating again revokes it.
    let left = insert_session(pool, u, SessionKind::Active).await;
    let applied =
        apply(&store, &su, &[Target::email("u@example.se")], &Change::SetActive(false)).await.unwrap();
    assert!(applied[0].changed);
    assert_eq!(applied[0].sessions_revoked, 1);
    assert!(revoked_at(pool, left).await.is_some());
    assert_eq!(audit_count(pool).await, 2);

    age_updated_at(pool, &[u]).await;
    let sessions_before = table_json(pool, "sessions").await;
    let applied = apply(&store, &su, &[Target::email("u@example.se")], &Change::SetActive(true))
        .await
        .expect("activate");
    assert!(applied[0].changed);
    assert_eq!(applied[0].sessions_revoked, 0);
    assert!(is_active(pool, u).await);
    assert!(updated_recently(pool, u).await);
    assert_eq!(table_json(pool, "sessions").await, sessions_before, "activation touches no session");
    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 3);
    assert_eq!(audit[2].0, "activate");
    assert_eq!(audit[2].4.clone().unwrap()["is_active"], json!(true));
    store::login::authenticate(
        &store,
        "u@example.se",
        &secret(PASSWORD),
        &skriptoteket_admin::store::login::Origin::current("tests"),
    )
    .await
    .expect("active again");
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn nobody_deactivates_themselves(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    insert_user(pool, "root2@example.se", Role::Superuser).await;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    insert_session(pool, su.id, SessionKind::Active).await;
    insert_session(pool, admin.id, SessionKind::Active).await;
    let before = snapshot(pool).await;
    for actor in [&su, &admin] {
        let err = apply(&store, actor, &[Target::email(&actor.email)], &Change::SetActive(false))
            .await
            .expect_err("self");
        assert!(matches!(err, StoreError::Denied { .. }), "{err:?}");
    }
    assert_eq!(snapshot(pool).await, before);
    // A superuser may revoke their own sessions (an admin's own account is an admin
    // account, which admins do not act on).
    let applied = apply(&store, &su, &[Target::email("root@example.se")], &Change::RevokeSessions)
        .await
        .expect("own sessions");
    assert_eq!(applied[0].sessions_revoked, 1);
    assert_eq!(active_sessions(pool, su.id).await, 0);
    assert_eq!(active_sessions(pool, admin.id).await, 1);
}

#[tokio::test]
async fn unlock_resets_the_lockout_columns() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let locked = insert_user(pool, "locked@example.se", Role::User).await;
    let counting = insert_user(pool, "counting@example.se", Role::User).await;
    let fine = insert_user(pool, "fine@example.se", Role::User).await;
    sqlx::query(
        "UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '15 minutes',
                          last_failed_login_at = now()
         WHERE id = $1",
    )
    .bind(locked)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE users SET failed_login_attempts = 2 WHERE id = $1")
        .bind(counting)
        .execute(pool)
        .await
        .unwrap();
    age_updated_at(pool, &[locked, counting, fine]).await;
    let listed = store::users::by_ids(&store, &[locked]).await.unwrap();
    assert!(listed[0].locked);
    assert_eq!(listed[0].status().as_str(), "locked");

    let applied = apply(
        &store,
        &admin,
        &[
            Target::email("locked@example.se"),
            Target::email("counting@example.se"),
            Target::email("fine@example.se"),
        ],
        &Change::Unlock,
    )
    .await
    .expect("unlock");
    assert_eq!(
        applied.iter().map(|x| (x.id, x.changed)).collect::<Vec<_>>(),
        [(locked, true), (counting, true), (fine, false)]
    );
    let rows: Vec<(uuid::Uuid, i32, Option<time::OffsetDateTime>)> =
        sqlx::query_as("SELECT id, failed_login_attempts, locked_until FROM users WHERE id = ANY($1)")
            .bind([locked, counting])
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    for (id, failed, until) in rows {
        assert_eq!(failed, 0, "{id}");
        assert_eq!(until, None, "{id}");
        assert!(updated_recently(pool, id).await);
    }
    assert!(!updated_recently(pool, fine).await);
    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 2);
    let for_locked = audit.iter().find(|r| r.2 == Some(locked)).unwrap();
    assert_eq!(for_locked.0, "unlock");
    let before = for_locked.3.clone().unwrap();
    assert_eq!((&before["failed_login_attempts"], &before["locked"]), (&json!(5), &json!(true)));
    assert!(before["locked_until"].is_string(), "the lock's end is kept for a revert: {before}");
    assert_eq!(
        for_locked.4.clone().unwrap(),
        json!({"failed_login_attempts": 0, "locked": false, "locked_until": null})
    );
    assert!(!store::users::by_ids(&store, &[locked]).await.unwrap()[0].locked);
}

#[tokio::test]
async fn unlock_on_a_database_without_lockout_columns_is_a_no_op() {
    let (_db, store) = old_store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    insert_user(pool, "u@example.se", Role::User).await;
    let before = snapshot(pool).await;
    let applied =
        apply(&store, &admin, &[Target::email("u@example.se")], &Change::Unlock).await.expect("unlock");
    assert!(!applied[0].changed);
    assert_eq!(snapshot(pool).await, before);
}

/// The details view's sign-in history reads the web app's `login_events`, newest first.
#[tokio::test]
async fn sign_ins_are_listed_newest_first_with_their_outcome() {
    let (_db, store) = common::live_store().await;
    let pool = &store.pool;
    let id = insert_user(pool, "boss@example.se", Role::Superuser).await;
    let origin = store::login::Origin::current("tests");
    let wrong = skriptoteket_admin::domain::Secret::from("not the password");
    store::login::authenticate(&store, "boss@example.se", &wrong, &origin).await.expect_err("wrong");
    common::signed_in(&store, "boss@example.se").await;
    let events = store::sessions::logins_for(&store, id, 20).await.expect("read");
    assert_eq!(events.len(), 2);
    assert!(events[0].success && events[0].failure_code.is_none());
    assert!(!events[1].success && events[1].failure_code.as_deref() == Some("INVALID_CREDENTIALS"));
    assert!(events[0].user_agent.as_deref().is_some_and(|a| a.contains("(tests)")));
}

/// The details' `x`: one session, by its id, of its one account; audited with the
/// session's id; refused (nothing written) unless that session is the account's and
/// active; not revertable; refused in read-only mode.
#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn one_session_is_revoked_by_its_id_only_while_active(#[case] shape: Shape) {
    let (db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let a = insert_user(pool, "a@example.se", Role::User).await;
    let b = insert_user(pool, "b@example.se", Role::User).await;
    let boss = insert_user(pool, "boss@example.se", Role::Superuser).await;
    let (a_active, a_expired, a_revoked) = insert_sessions(pool, a).await;
    let a_other = insert_session(pool, a, SessionKind::Active).await;
    let b_active = insert_session(pool, b, SessionKind::Active).await;
    let boss_active = insert_session(pool, boss, SessionKind::Active).await;
    let of_a = [Target::email("a@example.se")];

    // The dry run says what it would do and writes nothing.
    let plan = store::change::plan(&store, &admin, &of_a, &Change::RevokeSession(a_active)).await.unwrap();
    assert!(plan.could_run(), "{plan:?}");
    assert_eq!(plan.action, "revoke_session");
    assert_eq!(revoked_at(pool, a_active).await, None);

    let stamp = skriptoteket_admin::domain::Stamp::new(None);
    let done = store::change::apply(&store, &admin, &stamp, &of_a, &Change::RevokeSession(a_active), None)
        .await
        .expect("revoke one session");
    let skriptoteket_admin::domain::Done::Changed(applied) = done else { panic!("{done:?}") };
    assert_eq!(
        applied.iter().map(|x| (x.id, x.changed, x.sessions_revoked)).collect::<Vec<_>>(),
        [(a, true, 1)]
    );
    assert!(revoked_at(pool, a_active).await.is_some());
    assert_eq!(revoked_at(pool, a_other).await, None, "the account's other sessions stay");
    assert_eq!(revoked_at(pool, b_active).await, None);
    assert_eq!(active_sessions(pool, a).await, 1);
    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 1);
    assert_eq!((audit[0].0.as_str(), audit[0].1, audit[0].2), ("revoke_session", Some(admin.id), Some(a)));
    assert_eq!(audit[0].3.clone().unwrap(), json!({"session_id": a_active, "active_sessions": 2}));
    assert_eq!(audit[0].4.clone().unwrap(), json!({"session_id": a_active, "sessions_revoked": 1}));

    // Revoked, expired, another account's, unknown: refused, naming the state, no audit row.
    let refused = |session| {
        let store = &store;
        let admin = &admin;
        async move {
            let e = apply(store, admin, &[Target::email("a@example.se")], &Change::RevokeSession(session))
                .await
                .expect_err("refused");
            assert!(matches!(e, StoreError::SessionNotActive { .. }), "{e:?}");
            e.to_string()
        }
    };
    assert!(refused(a_active).await.contains("was revoked already"));
    assert!(refused(a_revoked).await.contains("was revoked already (2001-02-03 04:05 UTC)"));
    let expired = refused(a_expired).await;
    assert!(expired.contains("has expired") && expired.ends_with("nothing was changed."), "{expired}");
    assert!(refused(b_active).await.contains("is another account's"));
    assert!(refused(uuid::Uuid::new_v4()).await.contains("does not exist"));
    assert_eq!(revoked_at(pool, b_active).await, None);
    let plan = store::change::plan(&store, &admin, &of_a, &Change::RevokeSession(a_expired)).await.unwrap();
    assert!(plan.refused.as_deref().is_some_and(|r| r.contains("has expired")), "{plan:?}");
    // One account only; an admin keeps off a superuser's sessions.
    let two = [Target::email("a@example.se"), Target::email("b@example.se")];
    assert!(apply(&store, &admin, &two, &Change::RevokeSession(a_other)).await.is_err());
    let e = apply(&store, &admin, &[Target::email("boss@example.se")], &Change::RevokeSession(boss_active))
        .await
        .expect_err("an admin may not");
    assert!(matches!(e, StoreError::Denied { .. }), "{e:?}");
    assert_eq!(revoked_at(pool, boss_active).await, None);
    assert_eq!(audit_count(pool).await, 1);

    // Not revertable.
    let e =
        store::revert::revert(&store, &admin, &skriptoteket_admin::domain::Stamp::new(None), stamp.change_id)
            .await
            .expect_err("a revoked session stays revoked");
    assert!(matches!(e, StoreError::NotRevertable { .. }), "{e:?}");

    // Read-only mode refuses it before any SQL.
    let ro = store::Store::connect(&db.target().clone().read_only()).await.expect("connect read-only");
    let e = apply(&ro, &admin, &of_a, &Change::RevokeSession(a_other)).await.expect_err("read-only");
    assert!(matches!(e, StoreError::ReadOnly), "{e:?}");
    assert_eq!(revoked_at(pool, a_other).await, None);
}
