//! `apply(SetRole)`: bulk all-or-nothing, permissions, stale views, audit rows,
//! and the rule that an active superuser always remains.

mod common;

use rstest::rstest;

use common::*;
use serde_json::json;
use skriptoteket_admin::domain::Change;
use skriptoteket_admin::domain::{Denied, Role};
use skriptoteket_admin::store::targets::{Seen, Target};
use skriptoteket_admin::store::{self, StoreError};
use uuid::Uuid;

fn by_email(e: &str) -> Target {
    Target::email(e)
}

async fn seen(store: &store::Store, id: Uuid) -> Target {
    let rows = store::users::by_ids(store, &[id]).await.unwrap();
    Target::Seen(Seen::of(&rows[0]))
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn bulk_set_role_changes_every_target_with_audit_rows(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let a = insert_user(pool, "a@example.se", Role::User).await;
    let b = insert_user(pool, "b@example.se", Role::User).await;
    let c = insert_user(pool, "c@example.se", Role::Admin).await;
    let other = insert_user(pool, "other@example.se", Role::User).await;
    age_updated_at(pool, &[a, b, c, other]).await;

    let targets = [by_email("A@Example.se"), seen(&store, b).await, by_email(" c@example.se ")];
    let applied = apply(&store, &su, &targets, &Change::SetRole(Role::Contributor))
        .await
        .expect("superuser sets roles");
    assert_eq!(applied.len(), 3);
    assert!(applied.iter().all(|x| x.changed && x.sessions_revoked == 0));
    assert_eq!(applied.iter().map(|x| x.id).collect::<Vec<_>>(), [a, b, c], "in the order asked");

    for id in [a, b, c] {
        assert_eq!(role_of(pool, id).await, "contributor");
        assert!(updated_recently(pool, id).await, "updated_at bumped");
    }
    assert_eq!(role_of(pool, other).await, "user");
    assert!(!updated_recently(pool, other).await, "others untouched");

    let mut audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 3);
    audit.sort_by_key(|r| r.2);
    let mut want = vec![(a, "user"), (b, "user"), (c, "admin")];
    want.sort_by_key(|w| Some(w.0));
    for ((action, actor, target, before, after), (id, old)) in audit.iter().zip(want) {
        assert_eq!(action, "set_role");
        assert_eq!(*actor, Some(su.id));
        assert_eq!(*target, Some(id));
        assert_eq!(before.clone().unwrap(), json!({"role": old}));
        assert_eq!(after.clone().unwrap(), json!({"role": "contributor"}));
    }
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn one_refused_target_changes_nothing(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    insert_user(pool, "a@example.se", Role::User).await;
    insert_user(pool, "boss@example.se", Role::Admin).await;
    insert_user(pool, "c@example.se", Role::User).await;
    let before = snapshot(pool).await;

    let targets = [by_email("a@example.se"), by_email("boss@example.se"), by_email("c@example.se")];
    let err = apply(&store, &admin, &targets, &Change::SetRole(Role::Contributor))
        .await
        .expect_err("admin may not touch another admin");
    assert!(
        matches!(&err, StoreError::Denied { email, reason: Denied::TargetRole { role: Role::Admin, .. } }
            if email == "boss@example.se"),
        "{err:?}"
    );
    assert_eq!(snapshot(pool).await, before, "no row changed, no audit row");
    assert_eq!(audit_count(pool).await, 0);

    // An unknown email in the list: also nothing.
    let targets = [by_email("a@example.se"), by_email("ghost@example.se"), by_email("c@example.se")];
    let err = apply(&store, &admin, &targets, &Change::SetRole(Role::Contributor))
        .await
        .expect_err("unknown email");
    assert!(matches!(&err, StoreError::NotFound(e) if e == "ghost@example.se"), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn admin_assigns_only_user_and_contributor(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let u = insert_user(pool, "u@example.se", Role::User).await;
    let before = snapshot(pool).await;
    for role in [Role::Admin, Role::Superuser] {
        let err = apply(&store, &admin, &[by_email("u@example.se")], &Change::SetRole(role))
            .await
            .expect_err("promotion refused");
        assert!(matches!(err, StoreError::Denied { reason: Denied::AssignRole, .. }), "{err:?}");
    }
    assert_eq!(snapshot(pool).await, before);

    apply(&store, &admin, &[by_email("u@example.se")], &Change::SetRole(Role::Contributor))
        .await
        .expect("admin may make a contributor");
    assert_eq!(role_of(pool, u).await, "contributor");
    apply(&store, &admin, &[by_email("u@example.se")], &Change::SetRole(Role::User)).await.expect("and back");
    assert_eq!(role_of(pool, u).await, "user");
    assert_eq!(audit_count(pool).await, 2);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn admin_cannot_touch_admin_or_superuser_accounts(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    insert_user(pool, "peer@example.se", Role::Admin).await;
    insert_user(pool, "root@example.se", Role::Superuser).await;
    let before = snapshot(pool).await;
    let changes = [
        Change::SetRole(Role::User),
        Change::SetActive(false),
        Change::RevokeSessions,
        Change::Unlock,
        Change::VerifyEmail,
        Change::ResetPassword { revoke_sessions: true },
    ];
    for target in ["peer@example.se", "root@example.se"] {
        for change in &changes {
            let err = apply_with_hash(&store, &admin, &[by_email(target)], change, Some(password_hash()))
                .await
                .expect_err("refused");
            assert!(
                matches!(&err, StoreError::Denied { reason: Denied::TargetRole { .. }, .. }),
                "{change:?} on {target}: {err:?}"
            );
        }
    }
    assert_eq!(snapshot(pool).await, before);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn nobody_changes_their_own_role(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    insert_user(pool, "root2@example.se", Role::Superuser).await;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let before = snapshot(pool).await;
    for (actor, role) in [(&su, Role::Admin), (&su, Role::User), (&admin, Role::User)] {
        let err = apply(&store, actor, &[by_email(&actor.email)], &Change::SetRole(role))
            .await
            .expect_err("own role");
        assert!(matches!(err, StoreError::Denied { reason: Denied::OnSelf(_), .. }), "{err:?}");
    }
    assert_eq!(snapshot(pool).await, before);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn same_role_is_a_no_op_without_audit(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let a = insert_user(pool, "a@example.se", Role::Contributor).await;
    let b = insert_user(pool, "b@example.se", Role::User).await;
    age_updated_at(pool, &[a, b]).await;
    let applied = apply(
        &store,
        &su,
        &[by_email("a@example.se"), by_email("b@example.se")],
        &Change::SetRole(Role::Contributor),
    )
    .await
    .unwrap();
    assert_eq!(applied.iter().map(|x| (x.id, x.changed)).collect::<Vec<_>>(), [(a, false), (b, true)]);
    assert!(!updated_recently(pool, a).await, "an unchanged row keeps its updated_at");
    assert!(updated_recently(pool, b).await);
    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].2, Some(b));
    // Naming one account twice changes it once.
    let applied = apply(
        &store,
        &su,
        &[by_email("a@example.se"), by_email("A@example.se")],
        &Change::SetRole(Role::User),
    )
    .await
    .unwrap();
    assert_eq!(applied.len(), 1);
    assert_eq!(audit_count(pool).await, 2);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn a_row_changed_since_it_was_seen_is_stale(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let a = insert_user(pool, "a@example.se", Role::User).await;
    let b = insert_user(pool, "b@example.se", Role::User).await;
    let seen_a = seen(&store, a).await;
    let seen_b = seen(&store, b).await;
    // Someone else promotes b meanwhile.
    sqlx::query("UPDATE users SET role = 'contributor' WHERE id = $1").bind(b).execute(pool).await.unwrap();
    let before = snapshot(pool).await;

    let err = apply(&store, &su, &[seen_a.clone(), seen_b.clone()], &Change::SetRole(Role::Admin))
        .await
        .expect_err("stale");
    assert!(
        matches!(&err, StoreError::Stale { email, what } if email == "b@example.se" && what.contains("contributor")),
        "{err:?}"
    );
    assert_eq!(snapshot(pool).await, before, "neither a nor b changed, no audit row");
    assert_eq!(role_of(pool, a).await, "user");
    assert_eq!(role_of(pool, b).await, "contributor");

    // Deactivated meanwhile: stale as well.
    sqlx::query("UPDATE users SET is_active = false WHERE id = $1").bind(a).execute(pool).await.unwrap();
    let err = apply(&store, &su, &[seen_a], &Change::RevokeSessions).await.expect_err("stale");
    assert!(matches!(&err, StoreError::Stale { what, .. } if what.contains("deactivated")), "{err:?}");
    assert_eq!(audit_count(pool).await, 0);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn a_row_deleted_since_it_was_seen_is_stale(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let a = insert_user(pool, "a@example.se", Role::User).await;
    let b = insert_user(pool, "b@example.se", Role::User).await;
    let seen_a = seen(&store, a).await;
    let seen_b = seen(&store, b).await;
    sqlx::query("DELETE FROM users WHERE id = $1").bind(b).execute(pool).await.unwrap();
    let before = snapshot(pool).await;
    let err =
        apply(&store, &su, &[seen_a, seen_b], &Change::SetRole(Role::Contributor)).await.expect_err("stale");
    assert!(
        matches!(&err, StoreError::Stale { email, what } if email == "b@example.se" && what.contains("deleted")),
        "{err:?}"
    );
    assert_eq!(snapshot(pool).await, before);
    assert_eq!(role_of(pool, a).await, "user");
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn a_stale_actor_can_do_nothing(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    insert_user(pool, "root2@example.se", Role::Superuser).await;
    insert_user(pool, "u@example.se", Role::User).await;
    // Demoted to admin after signing in: now only an admin's rights.
    sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1").bind(su.id).execute(pool).await.unwrap();
    let before = snapshot(pool).await;
    let err = apply(&store, &su, &[by_email("u@example.se")], &Change::SetRole(Role::Admin))
        .await
        .expect_err("no longer a superuser");
    assert!(matches!(err, StoreError::Denied { reason: Denied::AssignRole, .. }), "{err:?}");
    let err = apply(&store, &su, &[by_email("root2@example.se")], &Change::SetActive(false))
        .await
        .expect_err("no longer a superuser");
    assert!(matches!(err, StoreError::Denied { reason: Denied::TargetRole { .. }, .. }), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
    // Deleted after signing in.
    sqlx::query("DELETE FROM users WHERE id = $1").bind(su.id).execute(pool).await.unwrap();
    let before = snapshot(pool).await;
    let err = apply(&store, &su, &[by_email("u@example.se")], &Change::SetRole(Role::Contributor))
        .await
        .expect_err("gone");
    assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
    assert_eq!(audit_count(pool).await, 0);
}

// ---------------------------------------------------------------------------------------
// The last active superuser

/// The only active superuser (another superuser exists but is inactive) can be neither
/// demoted, deactivated nor deleted: not by itself, not by an admin.
#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn the_only_active_superuser_cannot_be_removed(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    insert_user_with(pool, &NewUser::local("sleeping@example.se", Role::Superuser).inactive()).await;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let before = snapshot(pool).await;
    let me = [by_email("root@example.se")];
    // The only active superuser is always the actor itself (an admin may not act on a
    // superuser), so the permission rules answer first; the LastSuperuser check behind
    // them is a second line of defence. store_races.rs checks the invariant under
    // concurrency.
    for change in [Change::SetRole(Role::Admin), Change::SetRole(Role::User), Change::SetActive(false)] {
        let err = apply(&store, &su, &me, &change).await.expect_err("refused");
        assert!(matches!(err, StoreError::Denied { reason: Denied::OnSelf(_), .. }), "{change:?}: {err:?}");
        let err = apply(&store, &admin, &me, &change).await.expect_err("refused");
        assert!(
            matches!(
                err,
                StoreError::Denied { reason: Denied::TargetRole { role: Role::Superuser, .. }, .. }
            ),
            "{change:?}: {err:?}"
        );
    }
    let err = store::delete::delete(&store, &su, &skriptoteket_admin::domain::Stamp::new(None), &me)
        .await
        .expect_err("refused");
    assert!(matches!(err, StoreError::Denied { reason: Denied::OnSelf(_), .. }), "{err:?}");
    let err = store::delete::delete(&store, &admin, &skriptoteket_admin::domain::Stamp::new(None), &me)
        .await
        .expect_err("refused");
    assert!(matches!(err, StoreError::Denied { reason: Denied::TargetRole { .. }, .. }), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
    assert_eq!(active_superusers(pool).await, 1);
}

/// With two active superusers one may remove the other; then the survivor is the last
/// one and the removal of it is refused.
#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn a_superuser_may_remove_another_while_one_remains(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let s1 = seed_actor(pool, "s1@example.se", Role::Superuser).await;
    let s2 = seed_actor(pool, "s2@example.se", Role::Superuser).await;
    let s3 = seed_actor(pool, "s3@example.se", Role::Superuser).await;
    apply(&store, &s1, &[by_email("s2@example.se")], &Change::SetRole(Role::Admin)).await.expect("demote s2");
    assert_eq!(role_of(pool, s2.id).await, "admin");
    apply(&store, &s1, &[by_email("s3@example.se")], &Change::SetActive(false)).await.expect("deactivate s3");
    assert!(!is_active(pool, s3.id).await);
    assert_eq!(active_superusers(pool).await, 1);
    // s3 (inactive superuser) does not count and cannot act.
    let err = apply(&store, &s3, &[by_email("s1@example.se")], &Change::SetRole(Role::User))
        .await
        .expect_err("inactive actor");
    assert!(matches!(err, StoreError::InvalidCredentials), "{err:?}");
    // Reactivating a superuser is never blocked, and then s1 may go.
    apply(&store, &s1, &[by_email("s3@example.se")], &Change::SetActive(true)).await.expect("reactivate s3");
    store::delete::delete(
        &store,
        &s3,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[by_email("s1@example.se")],
    )
    .await
    .expect("delete s1");
    assert!(!user_exists(pool, s1.id).await);
    assert_eq!(active_superusers(pool).await, 1);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn verify_email_marks_unverified_accounts_and_is_a_no_op_where_nothing_is_checked(
    #[case] shape: Shape,
) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let u = insert_user_with(pool, &NewUser::local("ny@example.se", Role::User).unverified()).await;
    age_updated_at(pool, &[u]).await;
    let applied =
        apply(&store, &admin, &[by_email("ny@example.se")], &Change::VerifyEmail).await.expect("verify");
    if shape.is_live() {
        assert!(applied[0].changed);
        assert!(updated_recently(pool, u).await);
        assert_eq!(scalar_i64(pool, "SELECT count(*) FROM users WHERE NOT email_verified").await, 0);
        assert_eq!(audit_count(pool).await, 1);
    } else {
        // An old deployment has no verified flag: its login never checked one.
        assert!(!applied[0].changed, "nothing to do");
        assert_eq!(audit_count(pool).await, 0);
    }
}

/// Old rows may hold emails that differ only in case: the email typed on the command line
/// acts on the row stored exactly so, an ambiguous one is refused naming the rows, and a
/// single old mixed-case row is still found by its normalised form.
#[tokio::test]
async fn an_email_acts_on_the_row_stored_exactly_so_and_an_ambiguous_one_is_refused() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let upper = insert_user(pool, "Victim.Case@x.se", Role::User).await;
    let lower = insert_user(pool, "victim.case@x.se", Role::User).await;
    let legacy = insert_user(pool, "Old.Case@x.se", Role::User).await;

    let done =
        apply(&store, &su, &[Target::email("Victim.Case@x.se")], &Change::SetActive(false)).await.unwrap();
    assert_eq!(done.iter().map(|a| a.id).collect::<Vec<_>>(), [upper]);
    assert!(!is_active(pool, upper).await && is_active(pool, lower).await, "the other row is untouched");

    let before = snapshot(pool).await;
    let err = apply(&store, &su, &[Target::email("VICTIM.CASE@x.se")], &Change::SetActive(false))
        .await
        .expect_err("ambiguous");
    let StoreError::AmbiguousEmail { emails, .. } = &err else { panic!("{err:?}") };
    assert_eq!(emails, &["Victim.Case@x.se", "victim.case@x.se"]);
    assert!(err.to_string().contains("Victim.Case@x.se, victim.case@x.se"), "{err}");
    assert_eq!(snapshot(pool).await, before, "nothing changed");

    let done =
        apply(&store, &su, &[Target::email("old.case@x.se")], &Change::SetActive(false)).await.unwrap();
    assert_eq!(done[0].id, legacy);
}

/// As the web app's own verification does, the account's pending links (sent, never used)
/// are removed in the same transaction; used links and other accounts' stay.
#[tokio::test]
async fn verify_email_voids_the_accounts_pending_links() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let u = insert_user_with(pool, &NewUser::local("ny@example.se", Role::User).unverified()).await;
    let other = insert_user_with(pool, &NewUser::local("annan@example.se", Role::User).unverified()).await;
    for (user, token, used) in
        [(u, "t-pending-1", false), (u, "t-pending-2", false), (u, "t-used", true), (other, "t-other", false)]
    {
        sqlx::query(
            "INSERT INTO email_verification_tokens (id, user_id, token, expires_at, verified_at)
             VALUES (gen_random_uuid(), $1, $2, now() + interval '1 day', CASE WHEN $3 THEN now() END)",
        )
        .bind(user)
        .bind(token)
        .bind(used)
        .execute(pool)
        .await
        .expect("token");
    }
    apply(&store, &admin, &[by_email("ny@example.se")], &Change::VerifyEmail).await.expect("verify");
    let left: Vec<String> =
        sqlx::query_scalar("SELECT token::text FROM email_verification_tokens ORDER BY token")
            .fetch_all(pool)
            .await
            .expect("tokens");
    assert_eq!(left, ["t-other", "t-used"]);
}
