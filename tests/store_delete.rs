//! Deleting accounts: the plan read from the catalog, blockers, cascades, SET NULL, audit,
//! all-or-nothing bulk deletes.

mod common;

use rstest::rstest;

use common::*;
use serde_json::json;
use skriptoteket_admin::domain::{Denied, Role};
use skriptoteket_admin::store::dependents::{Dependent, OnDelete};
use skriptoteket_admin::store::targets::{Seen, Target};
use skriptoteket_admin::store::{self, StoreError};
use sqlx::PgPool;
use uuid::Uuid;

/// A tool, owned (tools.owner_user_id is RESTRICT) by an account of its own, so the tool
/// never holds the users a test deletes.
async fn tool(pool: &PgPool) -> Uuid {
    let id = Uuid::new_v4();
    let owner = insert_user(pool, &format!("owner-{}@example.se", id.simple()), Role::Contributor).await;
    sqlx::query("INSERT INTO tools (id, slug, title, owner_user_id) VALUES ($1, $2, 'A tool', $3)")
        .bind(id)
        .bind(id.simple().to_string())
        .bind(owner)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// A live user with everything that cascades or is set to NULL: 2 sessions, 1 favourite,
/// a profile and 2 login events.
async fn rich_user(pool: &PgPool, email: &str) -> Uuid {
    let id = insert_user(pool, email, Role::User).await;
    insert_session(pool, id, SessionKind::Active).await;
    insert_session(pool, id, SessionKind::Expired).await;
    let t = tool(pool).await;
    sqlx::query("INSERT INTO user_favorite_tools (user_id, tool_id) VALUES ($1, $2)")
        .bind(id)
        .bind(t)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO user_profiles (user_id, first_name) VALUES ($1, 'Rich')")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    for (status, code) in [("success", None), ("failure", Some("INVALID_CREDENTIALS"))] {
        sqlx::query(
            "INSERT INTO login_events (id, user_id, status, failure_code, auth_provider, user_agent)
             VALUES ($1, $2, $3, $4, 'local', $5)",
        )
        .bind(Uuid::new_v4())
        .bind(id)
        .bind(status)
        .bind(code)
        .bind(format!("test browser of {email}"))
        .execute(pool)
        .await
        .unwrap();
    }
    id
}

/// `n` tool versions authored by `author`.
async fn author_versions(pool: &PgPool, author: Uuid, n: i32) {
    let t = tool(pool).await;
    for v in 0..n {
        insert_version(pool, t, v + 1, author, None).await;
    }
}

/// A tool version (`archived`: a tool has at most one active version).
async fn insert_version(pool: &PgPool, tool: Uuid, number: i32, author: Uuid, reviewer: Option<Uuid>) {
    sqlx::query(
        "INSERT INTO tool_versions (id, tool_id, version_number, state, source_code, entrypoint, content_hash,
                                    created_by_user_id, reviewed_by_user_id)
         VALUES ($1, $2, $3, 'archived', 'print(1)', 'main', md5($3::text), $4, $5)",
    )
    .bind(Uuid::new_v4())
    .bind(tool)
    .bind(number)
    .bind(author)
    .bind(reviewer)
    .execute(pool)
    .await
    .unwrap();
}

fn dep(table: &str, column: &str, on_delete: OnDelete, rows: i64) -> Dependent {
    Dependent { table: table.into(), column: column.into(), on_delete, rows }
}

async fn count_for(pool: &PgPool, table: &str, column: &str, id: Uuid) -> i64 {
    let sql = format!("SELECT count(*) FROM {table} WHERE {column} = $1");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn plan_lists_cascades_and_set_null_from_the_catalog() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    rich_user(pool, "rich@example.se").await;
    let before = snapshot(pool).await;
    let plan = store::delete::plan(&store, &su, &[Target::email("rich@example.se")]).await.expect("plan");
    assert_eq!(plan.emails, ["rich@example.se"]);
    assert!(plan.blockers.is_empty(), "{plan:?}");
    assert!(!plan.is_blocked());
    assert_eq!(
        plan.effects,
        [
            dep("login_events", "user_id", OnDelete::SetNull, 2),
            dep("sessions", "user_id", OnDelete::Cascade, 2),
            dep("user_favorite_tools", "user_id", OnDelete::Cascade, 1),
            dep("user_profiles", "user_id", OnDelete::Cascade, 1),
        ]
    );
    assert_eq!(snapshot(pool).await, before, "planning changes nothing");
}

#[tokio::test]
async fn delete_cascades_sets_null_and_audits_in_one_transaction() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let rich = rich_user(pool, "rich@example.se").await;
    let keep = rich_user(pool, "keep@example.se").await;

    let (plan, rows) = store::delete::delete(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("Rich@Example.se")],
    )
    .await
    .expect("delete");
    assert!(!plan.is_blocked());
    assert_eq!(plan.effects.len(), 4);
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), [rich]);

    assert!(!user_exists(pool, rich).await);
    for (table, column) in
        [("sessions", "user_id"), ("user_favorite_tools", "user_id"), ("user_profiles", "user_id")]
    {
        assert_eq!(count_for(pool, table, column, rich).await, 0, "{table} cascaded");
        assert!(count_for(pool, table, column, keep).await > 0, "{table} of others kept");
    }
    assert_eq!(
        scalar_i64(
            pool,
            "SELECT count(*) FROM login_events WHERE user_id IS NULL AND user_agent = 'test browser of rich@example.se'"
        )
        .await,
        2,
        "login events kept, user set to NULL"
    );
    assert_eq!(count_for(pool, "login_events", "user_id", keep).await, 2);
    assert!(user_exists(pool, keep).await);

    let audit = audit_rows(pool).await;
    assert_eq!(audit.len(), 1);
    let (action, actor, target, before, after) = &audit[0];
    assert_eq!(action, "delete_user");
    assert_eq!(*actor, Some(su.id));
    assert_eq!(*target, Some(rich), "the audit row outlives the account");
    let before = before.clone().unwrap();
    assert_eq!(before["email"], json!("rich@example.se"));
    assert_eq!(before["role"], json!("user"));
    assert_eq!(before["active_sessions"], json!(1));
    assert!(after.as_ref().is_none_or(|v| v.is_null()));
    let recent = store::audit::recent(&store, 10, Some(rich)).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].target_email.as_deref(), Some("rich@example.se"));
}

#[tokio::test]
async fn delete_on_an_empty_database_cascades_sessions() {
    let (_db, store) = old_store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let u = insert_user(pool, "u@example.se", Role::Contributor).await;
    insert_sessions(pool, u).await;
    let plan = store::delete::plan(&store, &admin, &[Target::email("u@example.se")]).await.unwrap();
    assert_eq!(plan.effects, [dep("sessions", "user_id", OnDelete::Cascade, 3)]);
    store::delete::delete(
        &store,
        &admin,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("u@example.se")],
    )
    .await
    .expect("delete");
    assert!(!user_exists(pool, u).await);
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM sessions").await, 0);
    assert_eq!(audit_count(pool).await, 1);
}

#[tokio::test]
async fn the_fixture_has_every_key_to_users_at_the_web_apps_head() {
    let (_db, store) = live_store().await;
    let keys = scalar_i64(
        &store.pool,
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'users'::regclass",
    )
    .await;
    assert_eq!(keys, 22);
}

#[tokio::test]
async fn a_sandbox_snapshot_blocks_the_delete_of_its_creator() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let author = insert_user(pool, "sandboxer@example.se", Role::Contributor).await;
    let t = tool(pool).await;
    insert_version(pool, t, 1, su.id, None).await;
    sqlx::query(
        "INSERT INTO sandbox_snapshots (id, tool_id, draft_head_id, created_by_user_id, entrypoint,
                                        source_code, payload_bytes, expires_at)
         SELECT $1, $2, id, $3, 'main', 'print(1)', 8, now() + interval '1 day' FROM tool_versions WHERE tool_id = $2",
    )
    .bind(Uuid::new_v4())
    .bind(t)
    .bind(author)
    .execute(pool)
    .await
    .expect("a snapshot");
    let before = snapshot(pool).await;

    let plan = store::delete::plan(&store, &su, &[Target::email("sandboxer@example.se")]).await.unwrap();
    assert_eq!(plan.blockers, [dep("sandbox_snapshots", "created_by_user_id", OnDelete::Restrict, 1)]);
    let err = store::delete::delete(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("sandboxer@example.se")],
    )
    .await
    .expect_err("blocked");
    assert!(err.to_string().contains("sandbox_snapshots (created_by_user_id)"), "{err}");
    assert_eq!(snapshot(pool).await, before, "nothing deleted");
}

#[tokio::test]
async fn a_restricting_reference_blocks_the_delete_and_names_the_table() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let author = rich_user(pool, "author@example.se").await;
    author_versions(pool, author, 3).await;
    let before = snapshot(pool).await;

    let plan = store::delete::plan(&store, &su, &[Target::email("author@example.se")]).await.unwrap();
    assert_eq!(plan.blockers, [dep("tool_versions", "created_by_user_id", OnDelete::Restrict, 3)]);
    assert!(plan.is_blocked());
    assert_eq!(plan.effects.len(), 4, "effects are still listed");

    let err = store::delete::delete(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("author@example.se")],
    )
    .await
    .expect_err("blocked");
    let StoreError::DeleteBlocked(p) = &err else { panic!("{err:?}") };
    assert_eq!(p.blockers, plan.blockers);
    let msg = err.to_string();
    assert!(
        msg.contains("author@example.se") && msg.contains("3 rows in tool_versions (created_by_user_id)"),
        "{msg}"
    );
    assert!(msg.contains("Nothing was deleted"), "{msg}");
    assert_eq!(snapshot(pool).await, before, "nothing deleted, no audit row");
    assert!(user_exists(pool, author).await);
    assert_eq!(audit_count(pool).await, 0);
}

#[tokio::test]
async fn no_action_and_maintainer_references_block_too() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let author = insert_user(pool, "author@example.se", Role::Contributor).await;
    let reviewer = insert_user(pool, "reviewer@example.se", Role::Admin).await;
    let maintainer = insert_user(pool, "maint@example.se", Role::User).await;
    let noter = insert_user(pool, "noter@example.se", Role::User).await;
    let t = tool(pool).await;
    insert_version(pool, t, 1, author, Some(reviewer)).await;
    // A deployment's own table whose key says nothing (NO ACTION) blocks like RESTRICT.
    db.exec(&format!(
        "CREATE TABLE local_notes (id serial PRIMARY KEY, author_id uuid NOT NULL REFERENCES users(id));
         INSERT INTO local_notes (author_id) VALUES ('{noter}');"
    ))
    .await;
    sqlx::query("INSERT INTO tool_maintainers (tool_id, user_id) VALUES ($1, $2)")
        .bind(t)
        .bind(maintainer)
        .execute(pool)
        .await
        .unwrap();
    let before = snapshot(pool).await;
    for (email, table, column) in [
        ("reviewer@example.se", "tool_versions", "reviewed_by_user_id"),
        ("maint@example.se", "tool_maintainers", "user_id"),
        ("noter@example.se", "local_notes", "author_id"),
    ] {
        let err = store::delete::delete(
            &store,
            &su,
            &skriptoteket_admin::domain::Stamp::new(None),
            &[Target::email(email)],
        )
        .await
        .expect_err("blocked");
        let StoreError::DeleteBlocked(p) = &err else { panic!("{email}: {err:?}") };
        assert_eq!(p.blockers, [dep(table, column, OnDelete::Restrict, 1)], "{email}");
    }
    assert_eq!(snapshot(pool).await, before);
}

#[tokio::test]
async fn bulk_delete_with_one_blocked_target_deletes_none() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let a = rich_user(pool, "a@example.se").await;
    let b = rich_user(pool, "b@example.se").await;
    let c = rich_user(pool, "c@example.se").await;
    author_versions(pool, b, 2).await;
    let before = snapshot(pool).await;
    let targets =
        [Target::email("a@example.se"), Target::email("b@example.se"), Target::email("c@example.se")];

    let plan = store::delete::plan(&store, &su, &targets).await.unwrap();
    assert_eq!(plan.emails, ["a@example.se", "b@example.se", "c@example.se"]);
    assert_eq!(plan.blockers, [dep("tool_versions", "created_by_user_id", OnDelete::Restrict, 2)]);
    assert!(plan.effects.contains(&dep("sessions", "user_id", OnDelete::Cascade, 6)), "{plan:?}");

    let err = store::delete::delete(&store, &su, &skriptoteket_admin::domain::Stamp::new(None), &targets)
        .await
        .expect_err("blocked");
    assert!(matches!(err, StoreError::DeleteBlocked(_)), "{err:?}");
    assert!(err.to_string().starts_with("Cannot delete 3 users"), "{err}");
    assert_eq!(snapshot(pool).await, before);
    for id in [a, b, c] {
        assert!(user_exists(pool, id).await);
    }

    // Without the blocked one, both go in one transaction.
    store::delete::delete(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("a@example.se"), Target::email("c@example.se")],
    )
    .await
    .expect("delete two");
    assert!(!user_exists(pool, a).await && !user_exists(pool, c).await && user_exists(pool, b).await);
    assert_eq!(audit_count(pool).await, 2);
}

#[tokio::test]
async fn a_second_level_restriction_is_reported_as_blocked() {
    // A cascade that reaches a row something else restricts: no catalog count predicts it
    // from users(id), the delete itself fails and is reported as blocked.
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let u = rich_user(pool, "u@example.se").await;
    db.exec(
        "CREATE TABLE session_notes (id serial PRIMARY KEY,
             session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE RESTRICT);
         INSERT INTO session_notes (session_id) SELECT id FROM sessions;",
    )
    .await;
    let before = snapshot(pool).await;
    let err = store::delete::delete(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("u@example.se")],
    )
    .await
    .expect_err("blocked by a second-level reference");
    let StoreError::DeleteBlocked(p) = &err else { panic!("{err:?}") };
    assert!(p.is_blocked());
    assert!(err.to_string().contains("session_notes"), "{err}");
    assert_eq!(snapshot(pool).await, before);
    assert!(user_exists(pool, u).await);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn delete_follows_the_permission_rules(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    insert_user(pool, "peer@example.se", Role::Admin).await;
    insert_user(pool, "u@example.se", Role::User).await;
    let before = snapshot(pool).await;
    let err = store::delete::delete(
        &store,
        &admin,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("u@example.se"), Target::email("peer@example.se")],
    )
    .await
    .expect_err("admin may not delete an admin");
    assert!(matches!(err, StoreError::Denied { reason: Denied::TargetRole { .. }, .. }), "{err:?}");
    let err =
        store::delete::plan(&store, &admin, &[Target::email("peer@example.se")]).await.expect_err("plan too");
    assert!(matches!(err, StoreError::Denied { .. }), "{err:?}");
    let err = store::delete::delete(
        &store,
        &admin,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("admin@example.se")],
    )
    .await
    .expect_err("self");
    assert!(matches!(err, StoreError::Denied { reason: Denied::OnSelf(_), .. }), "{err:?}");
    let err = store::delete::delete(
        &store,
        &admin,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("ghost@example.se")],
    )
    .await
    .expect_err("unknown");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn delete_of_a_row_changed_since_seen_is_stale(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let u = insert_user(pool, "u@example.se", Role::User).await;
    let row = store::users::by_ids(&store, &[u]).await.unwrap().remove(0);
    sqlx::query("UPDATE users SET email = 'renamed@example.se' WHERE id = $1")
        .bind(u)
        .execute(pool)
        .await
        .unwrap();
    let before = snapshot(pool).await;
    let err = store::delete::delete(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::Seen(Seen::of(&row))],
    )
    .await
    .expect_err("stale");
    assert!(matches!(&err, StoreError::Stale { what, .. } if what.contains("renamed@example.se")), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
}

/// A deployment's own key from `users` to `users` with ON DELETE CASCADE: deleting one
/// account takes others along. Those pass the same rules as the targets (an admin cannot
/// sweep a superuser away, nobody their own account; behind those, the last-superuser
/// check) and are audited, or nothing happens.
#[tokio::test]
async fn accounts_a_cascade_would_take_along_pass_the_same_rules_and_are_audited() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    db.exec("ALTER TABLE users ADD COLUMN invited_by uuid REFERENCES users(id) ON DELETE CASCADE").await;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let root = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let host = insert_user(pool, "host@example.se", Role::User).await;
    let guest = insert_user(pool, "guest@example.se", Role::User).await;
    let boss = insert_user(pool, "boss@example.se", Role::Superuser).await;
    for (who, by) in [(guest, host), (boss, host), (root.id, boss)] {
        sqlx::query("UPDATE users SET invited_by = $2 WHERE id = $1")
            .bind(who)
            .bind(by)
            .execute(pool)
            .await
            .unwrap();
    }
    let before = snapshot(pool).await;
    // The admin's delete of a plain user would take two superusers along: refused.
    let err = store::delete::delete(
        &store,
        &admin,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("host@example.se")],
    )
    .await
    .expect_err("swept");
    assert!(
        matches!(&err, StoreError::Denied { email, .. } if email == "boss@example.se" || email == "root@example.se"),
        "{err:?}"
    );
    assert_eq!(snapshot(pool).await, before, "nothing deleted");

    // A superuser's delete that would sweep the superuser away itself: refused, naming it.
    let err = store::delete::delete(
        &store,
        &root,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("host@example.se")],
    )
    .await
    .expect_err("self");
    assert!(
        matches!(&err, StoreError::Denied { email, reason: Denied::OnSelf(_) } if email == "root@example.se"),
        "{err:?}"
    );
    assert_eq!(snapshot(pool).await, before);

    // Without the superusers in the chain, the swept account goes too, audited.
    sqlx::query("UPDATE users SET invited_by = NULL WHERE id = $1").bind(boss).execute(pool).await.unwrap();
    let (_, rows) = store::delete::delete(
        &store,
        &admin,
        &skriptoteket_admin::domain::Stamp::new(None),
        &[Target::email("host@example.se")],
    )
    .await
    .expect("delete");
    assert_eq!(rows.len(), 2);
    assert!(!user_exists(pool, guest).await && user_exists(pool, boss).await);
    let audit = audit_rows(pool).await;
    assert_eq!(audit.iter().filter(|a| a.0 == "delete_user").count(), 2);
    let swept = audit.iter().find(|a| a.2 == Some(guest)).expect("the swept account is audited");
    assert_eq!(swept.3.clone().unwrap()["cascaded_from"], json!("host@example.se"));
}
