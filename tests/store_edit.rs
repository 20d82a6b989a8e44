//! `apply(Edit)`: an account's email and profile changed by the web app's rules, in one
//! transaction with its audit row; what the web app's login then says; refusals that
//! change nothing; and the revert that puts every field back.

mod common;

use common::*;
use serde_json::json;
use skriptoteket_admin::domain::edit::{Edit, EditError};
use skriptoteket_admin::domain::{Change, Denied, Role, Stamp};
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{self, Store, StoreError};
use sqlx::PgPool;
use uuid::Uuid;

fn edit(e: Edit) -> Change {
    Change::Edit(Box::new(e))
}

fn new_email(to: &str, vouch: bool) -> Edit {
    Edit { email: Some(email(to)), vouch, ..Edit::default() }
}

async fn profile(
    pool: &PgPool,
    id: Uuid,
) -> Option<(Option<String>, Option<String>, Option<String>, String)> {
    sqlx::query_as("SELECT first_name, last_name, display_name, locale FROM user_profiles WHERE user_id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .expect("profile")
}

async fn email_of(pool: &PgPool, id: Uuid) -> (String, bool) {
    sqlx::query_as("SELECT email, email_verified FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("user")
}

async fn login(store: &Store, email: &str) -> Result<store::Actor, StoreError> {
    let origin = store::login::Origin::current("tests");
    store::login::authenticate(store, email, &secret(PASSWORD), &origin).await
}

async fn last_change(pool: &PgPool) -> Uuid {
    sqlx::query_scalar(
        "SELECT change_id FROM skriptoteket_admin.admin_audit_log WHERE action = 'edit_account' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("an edit's audit row")
}

async fn revert(store: &Store, actor: &store::Actor, id: Uuid) -> Result<(), StoreError> {
    store::change::apply(store, actor, &Stamp::new(None), &[], &Change::Revert(id), None).await.map(|_| ())
}

#[tokio::test]
async fn a_vouched_email_change_logs_in_with_the_new_address_and_not_the_old() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    // An admin, so that this tool's own sign-in (the web app's steps, then "admins only")
    // lets her in once the web app's steps pass.
    let anna = insert_user(pool, "anna.bergg@skola.se", Role::Admin).await;
    // A verification link still pending, sent to the old address.
    sqlx::query(
        "INSERT INTO email_verification_tokens (id, user_id, token, expires_at, created_at)
         VALUES (gen_random_uuid(), $1, 'tok-old', now() + interval '1 day', now())",
    )
    .bind(anna)
    .execute(pool)
    .await
    .expect("token");

    let applied = apply(
        &store,
        &su,
        &[Target::email("anna.bergg@skola.se")],
        &edit(new_email("Anna.Berg@Skola.se", true)),
    )
    .await
    .expect("edited");
    assert!(applied[0].changed);
    assert_eq!(email_of(pool, anna).await, ("anna.berg@skola.se".into(), true), "normalised, still verified");
    assert_eq!(
        scalar_i64(pool, "SELECT count(*) FROM email_verification_tokens WHERE verified_at IS NULL").await,
        0
    );
    // The web app's login steps: the new address works, the old one is unknown.
    assert_eq!(login(&store, "anna.berg@skola.se").await.expect("signs in").id, anna);
    assert!(matches!(login(&store, "anna.bergg@skola.se").await, Err(StoreError::InvalidCredentials)));
    let (action, actor, target, before, after) =
        audit_rows(pool).await.into_iter().find(|r| r.0 == "edit_account").expect("row");
    assert_eq!((action.as_str(), actor, target), ("edit_account", Some(su.id), Some(anna)));
    assert_eq!(before, Some(json!({"email": "anna.bergg@skola.se"})));
    assert_eq!(after, Some(json!({"email": "anna.berg@skola.se"})));
}

#[tokio::test]
async fn an_email_change_not_vouched_for_is_refused_by_the_login_until_verified() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let anna = insert_user(pool, "anna@skola.se", Role::User).await;
    apply(&store, &su, &[Target::email("anna@skola.se")], &edit(new_email("anna.b@skola.se", false)))
        .await
        .expect("edited");
    assert_eq!(email_of(pool, anna).await, ("anna.b@skola.se".into(), false));
    // The web app's step 4 refuses it before any rule of this tool is asked.
    assert!(matches!(login(&store, "anna.b@skola.se").await, Err(StoreError::EmailNotVerified(_))));
    let (.., before, after) =
        audit_rows(pool).await.into_iter().find(|r| r.0 == "edit_account").expect("row");
    assert_eq!(before, Some(json!({"email": "anna@skola.se", "email_verified": true})));
    assert_eq!(after, Some(json!({"email": "anna.b@skola.se", "email_verified": false})));
}

#[tokio::test]
async fn duplicates_case_twins_look_alikes_and_bad_values_are_refused_changing_nothing() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    insert_user(pool, "anna@skola.se", Role::User).await;
    insert_user(pool, "berit@skola.se", Role::User).await;
    // An older row whose email predates normalisation: a case twin of what is typed.
    let twin = insert_user(pool, "cecilia@skola.se", Role::User).await;
    sqlx::query("UPDATE users SET email = 'Cecilia.B@Skola.se' WHERE id = $1")
        .bind(twin)
        .execute(pool)
        .await
        .expect("twin");
    let before = snapshot(pool).await;
    let anna = [Target::email("anna@skola.se")];

    let refused = apply(&store, &su, &anna, &edit(new_email("berit@skola.se", true))).await;
    assert!(
        matches!(&refused, Err(StoreError::Edit(EditError::Taken { other, .. })) if other == "berit@skola.se"),
        "{refused:?}"
    );
    let refused = apply(&store, &su, &anna, &edit(new_email("cecilia.b@skola.se", true))).await;
    assert!(
        matches!(&refused, Err(StoreError::Edit(EditError::Taken { other, .. })) if other == "Cecilia.B@Skola.se"),
        "the case twin is named: {refused:?}"
    );
    let refused = apply(&store, &su, &anna, &edit(new_email("ANNA@skola.se", true))).await;
    assert!(matches!(refused, Err(StoreError::Edit(EditError::SameEmail(_)))), "{refused:?}");
    // A look-alike with an invisible character never becomes an Email at all.
    assert!(skriptoteket_admin::domain::Email::parse("an\u{200b}na@skola.se").is_err());
    // The domain refuses a long name before the store sees it; the store refuses an empty edit.
    assert!(skriptoteket_admin::domain::edit::name("first name", &"x".repeat(101)).is_err());
    let refused = apply(&store, &su, &anna, &edit(Edit::default())).await;
    assert!(matches!(refused, Err(StoreError::Edit(EditError::Nothing))), "{refused:?}");
    assert!(skriptoteket_admin::domain::edit::locale("de-DE").is_err());
    assert_eq!(snapshot(pool).await, before, "nothing changed");
    assert_eq!(audit_count(pool).await, 0);
}

#[tokio::test]
async fn names_and_locale_go_to_the_profile_made_if_missing_and_a_revert_restores_every_field() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let anna = insert_user(pool, "anna@skola.se", Role::User).await;
    sqlx::query("DELETE FROM user_profiles WHERE user_id = $1")
        .bind(anna)
        .execute(pool)
        .await
        .expect("no profile");
    let e = Edit {
        email: Some(email("anna.berg@skola.se")),
        vouch: false,
        first_name: Some("Anna".into()),
        last_name: Some("Berg".into()),
        display_name: Some(Some("Anna B".into())),
        locale: Some("en-US".into()),
        revoke_sessions: false,
    };
    apply(&store, &su, &[Target::email("anna@skola.se")], &edit(e)).await.expect("edited");
    assert_eq!(
        profile(pool, anna).await,
        Some((Some("Anna".into()), Some("Berg".into()), Some("Anna B".into()), "en-US".into())),
        "a profile row made"
    );
    let change = last_change(pool).await;
    revert(&store, &su, change).await.expect("reverted");
    assert_eq!(email_of(pool, anna).await, ("anna@skola.se".into(), true), "email and verified back");
    assert_eq!(profile(pool, anna).await, Some((None, None, None, "sv-SE".into())), "every field back");

    // An edit whose field changed since is refused as stale, changing nothing.
    apply(
        &store,
        &su,
        &[Target::email("anna@skola.se")],
        &edit(Edit { first_name: Some("Ann".into()), ..Edit::default() }),
    )
    .await
    .expect("edited");
    let change = last_change(pool).await;
    sqlx::query("UPDATE user_profiles SET first_name = 'Annie' WHERE user_id = $1")
        .bind(anna)
        .execute(pool)
        .await
        .expect("moved on");
    let refused = revert(&store, &su, change).await;
    assert!(matches!(&refused, Err(StoreError::RevertStale(_))), "{refused:?}");
    assert_eq!(profile(pool, anna).await.map(|p| p.0), Some(Some("Annie".into())));
}

#[tokio::test]
async fn ranks_hold_nobody_edits_themselves_and_sessions_end_only_when_asked() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    insert_user(pool, "boss@example.se", Role::Superuser).await;
    let user = insert_user(pool, "user@example.se", Role::User).await;
    insert_sessions(pool, user).await;
    let names = Edit { first_name: Some("Ulla".into()), ..Edit::default() };
    let refused = apply(&store, &admin, &[Target::email("boss@example.se")], &edit(names.clone())).await;
    assert!(
        matches!(refused, Err(StoreError::Denied { reason: Denied::TargetRole { .. }, .. })),
        "{refused:?}"
    );
    let refused = apply(&store, &admin, &[Target::email("admin@example.se")], &edit(names.clone())).await;
    assert!(matches!(refused, Err(StoreError::Denied { reason: Denied::OnSelf(_), .. })), "{refused:?}");
    let sessions = active_sessions(pool, user).await;
    assert!(sessions > 0);
    apply(&store, &admin, &[Target::email("user@example.se")], &edit(new_email("u2@example.se", true)))
        .await
        .expect("edited");
    assert_eq!(active_sessions(pool, user).await, sessions, "an email change leaves the sessions");
    let applied = apply(
        &store,
        &admin,
        &[Target::email("u2@example.se")],
        &edit(Edit { last_name: Some("Lund".into()), revoke_sessions: true, ..Edit::default() }),
    )
    .await
    .expect("edited");
    assert_eq!(applied[0].sessions_revoked, sessions as u64);
    assert_eq!(active_sessions(pool, user).await, 0);
}

#[tokio::test]
async fn a_dry_run_plans_each_field_and_writes_nothing() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    insert_user(pool, "anna@skola.se", Role::User).await;
    let before = snapshot(pool).await;
    let plan = store::change::plan(
        &store,
        &su,
        &[Target::email("anna@skola.se")],
        &edit(Edit { locale: Some("en-US".into()), ..Edit::default() }),
    )
    .await
    .expect("plan");
    assert_eq!(plan.refused, None);
    assert_eq!(plan.targets[0].before, json!({"locale": "sv-SE"}));
    assert_eq!(plan.targets[0].after, json!({"locale": "en-US"}));
    assert_eq!(snapshot(pool).await, before);
}

/// `import --update`'s store half: many accounts in one transaction, refused as a whole when
/// one of them moved since it was checked; its revert refused as a whole when one of them
/// has been edited since, naming it.
#[tokio::test]
async fn many_edits_are_one_change_refused_whole_when_an_account_moved() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let anna = insert_user(pool, "anna@skola.se", Role::User).await;
    let berit = insert_user(pool, "berit@skola.se", Role::User).await;
    let named = |first: &str| Edit { first_name: Some(first.into()), ..Edit::default() };
    let items = |anna_first: &str| {
        vec![
            (Target::email("anna@skola.se"), named(anna_first)),
            (Target::email("berit@skola.se"), named("Berit")),
        ]
    };
    let checked = store::edit::check_many(&store, &su, &items("Anna")).await.expect("checked");
    let seen: Vec<(Target, Edit)> = checked
        .iter()
        .zip(items("Anna"))
        .map(|(c, (_, e))| (Target::Seen(store::targets::Seen::of(&c.as_ref().expect("found").row)), e))
        .collect();
    // Berit is made a contributor after the check: nothing is written, Anna included.
    sqlx::query("UPDATE users SET role = 'contributor' WHERE id = $1")
        .bind(berit)
        .execute(pool)
        .await
        .expect("role");
    let before = snapshot(pool).await;
    let refused = store::edit::apply_many(&store, &su, &Stamp::new(None), &seen).await;
    assert!(
        matches!(&refused, Err(StoreError::Stale { email, .. }) if email == "berit@skola.se"),
        "{refused:?}"
    );
    assert_eq!(snapshot(pool).await, before);

    let applied =
        store::edit::apply_many(&store, &su, &Stamp::new(None), &items("Anna")).await.expect("applied");
    assert!(applied.iter().all(|a| a.changed));
    assert_eq!(profile(pool, anna).await.and_then(|p| p.0).as_deref(), Some("Anna"));
    assert_eq!(profile(pool, berit).await.and_then(|p| p.0).as_deref(), Some("Berit"));
    let change = last_change(pool).await;
    // Anna is renamed since: the revert of both is refused, naming her, and changes nothing.
    apply(&store, &su, &[Target::email("anna@skola.se")], &edit(named("Annie"))).await.expect("renamed");
    let before = snapshot(pool).await;
    let refused = revert(&store, &su, change).await;
    assert!(
        matches!(&refused, Err(StoreError::RevertStale(v)) if v.len() == 1 && v[0].starts_with("anna@skola.se")),
        "{refused:?}"
    );
    assert_eq!(snapshot(pool).await, before);
    assert_eq!(profile(pool, berit).await.and_then(|p| p.0).as_deref(), Some("Berit"));
}
