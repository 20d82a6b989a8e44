//! `admin_audit_log`: newest first, written only by committed changes; and every change
//! refused with NeedsMigrate where the table is missing.

mod common;

use rstest::rstest;

use common::*;
use skriptoteket_admin::domain::Change;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::targets::Target;
use skriptoteket_admin::store::{self, StoreError};

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn recent_returns_newest_first(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let created = store::create::provision(
        &store,
        &su,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("u@example.se"),
        Role::User,
        password_hash(),
    )
    .await
    .unwrap();
    let other = insert_user(pool, "other@example.se", Role::User).await;
    apply(&store, &su, &[Target::email("u@example.se")], &Change::SetRole(Role::Contributor)).await.unwrap();
    apply(&store, &su, &[Target::email("other@example.se")], &Change::SetActive(false)).await.unwrap();
    apply(&store, &su, &[Target::email("u@example.se")], &Change::SetActive(false)).await.unwrap();

    let all = store::audit::recent(&store, 100, None).await.unwrap();
    let actions: Vec<&str> = all.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["deactivate", "deactivate", "set_role", "create_user"]);
    assert!(all.windows(2).all(|w| (w[0].at, w[0].id) > (w[1].at, w[1].id)), "strictly newest first");
    assert!(all.iter().all(|r| r.actor_email == "root@example.se"));
    assert_eq!(all[1].target_id, Some(other));

    let limited = store::audit::recent(&store, 2, None).await.unwrap();
    assert_eq!(limited, all[..2].to_vec());

    let mine = store::audit::recent(&store, 100, Some(created.id)).await.unwrap();
    assert_eq!(
        mine.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        ["deactivate", "set_role", "create_user"]
    );
    assert_eq!(
        skriptoteket_admin::domain::audit::describe_change(&mine[1].before, &mine[1].after),
        "role=user → role=contributor"
    );
    // Several rows of one change share their `at`; `id` keeps them newest first too.
    apply(
        &store,
        &su,
        &[Target::email("u@example.se"), Target::email("other@example.se")],
        &Change::SetActive(true),
    )
    .await
    .unwrap();
    let top = store::audit::recent(&store, 2, None).await.unwrap();
    assert_eq!(top[0].at, top[1].at);
    assert!(top[0].id > top[1].id);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn refused_or_rolled_back_changes_leave_no_audit_row(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let admin = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let u = insert_user(pool, "u@example.se", Role::User).await;
    insert_user(pool, "peer@example.se", Role::Admin).await;
    // Refused by the rules.
    let _ = apply(
        &store,
        &admin,
        &[Target::email("u@example.se"), Target::email("peer@example.se")],
        &Change::SetActive(false),
    )
    .await
    .expect_err("refused");
    let _ = store::create::provision(
        &store,
        &admin,
        &skriptoteket_admin::domain::Stamp::new(None),
        &email("new@example.se"),
        Role::Superuser,
        password_hash(),
    )
    .await
    .expect_err("refused");
    // Failing in the database: a change whose UPDATE violates a constraint rolls back
    // and leaves no audit row.
    sqlx::raw_sql("ALTER TABLE users ADD CONSTRAINT no_contributors CHECK (role <> 'contributor') NOT VALID")
        .execute(pool)
        .await
        .unwrap();
    let err = apply(&store, &admin, &[Target::email("u@example.se")], &Change::SetRole(Role::Contributor))
        .await
        .expect_err("check constraint");
    assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    assert_eq!(role_of(pool, u).await, "user");
    assert!(is_active(pool, u).await);
    assert_eq!(audit_count(pool).await, 0);
    assert!(store::audit::recent(&store, 10, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_audit_write_that_fails_rolls_back_the_change() {
    let (db, store) = old_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let u = insert_user(pool, "u@example.se", Role::User).await;
    db.exec("ALTER TABLE skriptoteket_admin.admin_audit_log ADD CONSTRAINT no_set_role CHECK (action <> 'set_role')").await;
    let before = snapshot(pool).await;
    let err = apply(&store, &su, &[Target::email("u@example.se")], &Change::SetRole(Role::Admin))
        .await
        .expect_err("audit insert fails");
    assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    assert_eq!(snapshot(pool).await, before);
    assert_eq!(role_of(pool, u).await, "user");
}

#[tokio::test]
async fn an_audit_insert_a_trigger_swallows_rolls_back_the_change() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let u = insert_user(pool, "u@example.se", Role::User).await;
    db.exec(
        "CREATE FUNCTION swallow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
         CREATE TRIGGER swallow BEFORE INSERT ON skriptoteket_admin.admin_audit_log FOR EACH ROW EXECUTE FUNCTION swallow();",
    )
    .await;
    let before = snapshot(pool).await;
    let err = apply(&store, &su, &[Target::email("u@example.se")], &Change::SetRole(Role::Admin))
        .await
        .expect_err("an unaudited change must not commit");
    assert!(err.to_string().contains("audit log took 0 of 1 rows"), "{err}");
    assert_eq!(snapshot(pool).await, before);
    assert_eq!(role_of(pool, u).await, "user");
}

/// The web app's first migration by hand, without the console's audit table.
const USERS_AND_SESSIONS: &str = "
    CREATE TABLE users (id uuid PRIMARY KEY, email varchar(255) NOT NULL UNIQUE,
        role varchar(32) NOT NULL, auth_provider varchar(32) NOT NULL, external_id varchar(255),
        password_hash varchar(255), is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE sessions (id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token varchar(255) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL, revoked_at timestamptz);";

#[tokio::test]
async fn every_change_needs_the_audit_table() {
    let db = TestDb::new().await;
    db.exec(USERS_AND_SESSIONS).await;
    let store = db.store().await;
    assert!(store.schema.users && !store.schema.audit_log);
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let u = insert_user(pool, "u@example.se", Role::User).await;
    insert_session(pool, u, SessionKind::Active).await;
    let before = snapshot(pool).await;
    let target = [Target::email("u@example.se")];

    let needs = |r: Result<(), StoreError>, what: &str| match r {
        Err(StoreError::NeedsMigrate) => {}
        other => panic!("{what}: {other:?}"),
    };
    needs(
        store::create::provision(
            &store,
            &su,
            &skriptoteket_admin::domain::Stamp::new(None),
            &email("n@example.se"),
            Role::User,
            password_hash(),
        )
        .await
        .map(drop),
        "provision",
    );
    needs(
        store::create::bootstrap(
            &store,
            &skriptoteket_admin::domain::Stamp::new(None),
            &email("n@example.se"),
            password_hash(),
        )
        .await
        .map(drop),
        "bootstrap",
    );
    for change in [
        Change::SetRole(Role::Admin),
        Change::SetActive(false),
        Change::Unlock,
        Change::RevokeSessions,
        Change::VerifyEmail,
        Change::ResetPassword { revoke_sessions: true },
    ] {
        needs(
            apply_with_hash(&store, &su, &target, &change, Some(password_hash())).await.map(drop),
            &format!("{change:?}"),
        );
    }
    needs(
        store::delete::delete(&store, &su, &skriptoteket_admin::domain::Stamp::new(None), &target)
            .await
            .map(drop),
        "delete",
    );
    needs(store::audit::recent(&store, 10, None).await.map(drop), "audit::recent");
    assert_eq!(snapshot(pool).await, before, "nothing written");
    assert!(
        StoreError::NeedsMigrate.to_string().contains("skriptoteket-admin migrate"),
        "the message says what to run"
    );

    // Reading still works: list, sign-in and the delete plan.
    assert_eq!(store::users::list(&store, &Default::default()).await.unwrap().len(), 2);
    store::login::authenticate(
        &store,
        "root@example.se",
        &secret(PASSWORD),
        &skriptoteket_admin::store::login::Origin::current("tests"),
    )
    .await
    .expect("sign in");
    store::delete::plan(&store, &su, &target).await.expect("plan");
}

/// One filter language, one meaning: for every filter text, the entries the store's SQL
/// returns are exactly those the console's audit viewer keeps in memory.
#[tokio::test]
async fn the_audit_filter_means_the_same_in_sql_and_in_the_viewer() {
    use skriptoteket_admin::domain::audit_filter::AuditFilter;
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let lena = seed_actor(pool, "lena.lund@example.se", Role::Admin).await;
    insert_user(pool, "anna_100%@example.se", Role::User).await;
    insert_user(pool, "bo@example.se", Role::User).await;
    let stamp = |r: &str| {
        skriptoteket_admin::domain::Stamp::new(skriptoteket_admin::domain::Reason::parse(r, false).unwrap())
    };
    let anna = [Target::email("anna_100%@example.se")];
    store::change::apply(
        &store,
        &su,
        &stamp("autumn course"),
        &anna,
        &Change::SetRole(Role::Contributor),
        None,
    )
    .await
    .unwrap();
    store::change::apply(
        &store,
        &lena,
        &stamp("left the school"),
        &[Target::email("bo@example.se")],
        &Change::SetActive(false),
        None,
    )
    .await
    .unwrap();
    store::change::apply(&store, &su, &stamp(""), &anna, &Change::Unlock, None).await.ok();
    store::login::authenticate(
        &store,
        "root@example.se",
        &secret(PASSWORD),
        &store::login::Origin::current("test"),
    )
    .await
    .unwrap();
    let all = store::audit::query(&store, &AuditFilter { sign_ins: true, ..Default::default() }, 1000)
        .await
        .unwrap();
    assert!(all.len() >= 3, "{all:?}");
    let change =
        all.iter().find(|r| r.action == "set_role").and_then(|r| r.change_id).unwrap().simple().to_string();
    let now = time::OffsetDateTime::now_utc();
    for text in [
        "",
        "signins",
        "actor:lena",
        "actor:LENA.LUND",
        "target:anna_100%",
        "target:100",
        "target:_",
        "action:role",
        "action:sign",
        "action:deactivate,set_role",
        &format!("change:{}", &change[..8]),
        &format!("change:{change}"),
        "since:1h",
        "until:2000-01-01",
        "autumn",
        "school lena",
        "contributor",
        "is_active",
        &change[..6],
        "nothing-matches-this",
    ] {
        let filter = AuditFilter::parse(text, Some(now)).unwrap_or_else(|e| panic!("{text}: {e}"));
        let from_sql: Vec<i64> =
            store::audit::query(&store, &filter, 1000).await.unwrap().iter().map(|r| r.id).collect();
        let in_memory: Vec<i64> = all.iter().filter(|r| filter.shows(r)).map(|r| r.id).collect();
        assert_eq!(from_sql, in_memory, "{text:?}");
    }
}

/// The viewer's list: a change of many accounts is one row with its count; a filter that
/// keeps some of its entries says how many of how many; sign-ins stay hidden unless asked
/// for; entries written before changes had ids are a row each; the limit counts changes.
#[tokio::test]
async fn changes_are_one_row_each_however_many_accounts_they_touch() {
    use skriptoteket_admin::domain::audit_filter::AuditFilter;
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let su = seed_actor(pool, "root@example.se", Role::Superuser).await;
    let mut targets = Vec::new();
    for i in 0..12 {
        let e = format!("u{i:02}@example.se");
        insert_user(pool, &e, Role::User).await;
        targets.push(Target::email(&e));
    }
    apply(&store, &su, &targets, &Change::SetRole(Role::Contributor)).await.unwrap();
    apply(&store, &su, &targets[..1], &Change::SetActive(false)).await.unwrap();
    store::login::authenticate(
        &store,
        "root@example.se",
        &secret(PASSWORD),
        &store::login::Origin::current("test"),
    )
    .await
    .unwrap();
    // Two entries of an older version: no change id.
    sqlx::query("UPDATE skriptoteket_admin.admin_audit_log SET change_id = NULL WHERE action = 'deactivate'")
        .execute(pool)
        .await
        .unwrap();
    apply(&store, &su, &targets[1..2], &Change::SetActive(false)).await.unwrap();
    sqlx::query(
        "UPDATE skriptoteket_admin.admin_audit_log SET change_id = NULL
         WHERE action = 'deactivate' AND change_id IS NOT NULL",
    )
    .execute(pool)
    .await
    .unwrap();

    let all = store::audit::changes(&store, &AuditFilter::default(), 100).await.unwrap();
    let rows: Vec<(&str, i64, i64)> =
        all.iter().map(|c| (c.first.action.as_str(), c.matching, c.accounts)).collect();
    assert_eq!(rows, [("deactivate", 1, 1), ("deactivate", 1, 1), ("set_role", 12, 12)], "{all:?}");
    assert_eq!(all[2].what(), "12 accounts");
    assert_eq!(all[0].what(), "u01@example.se");

    let one = AuditFilter::parse("target:u03", None).unwrap();
    let some = store::audit::changes(&store, &one, 100).await.unwrap();
    assert_eq!(some.len(), 1);
    assert_eq!((some[0].matching, some[0].accounts), (1, 12));
    assert_eq!(some[0].what(), "1 of 12 accounts");
    assert_eq!(
        some[0].first.target_email.as_deref(),
        Some("u03@example.se"),
        "the first entry the filter kept"
    );

    let with_sign_ins = AuditFilter { sign_ins: true, ..AuditFilter::default() };
    let signed = store::audit::changes(&store, &with_sign_ins, 100).await.unwrap();
    assert_eq!(signed.len(), 4);
    assert!(signed.iter().any(|c| c.first.action == "sign_in"));

    let newest = store::audit::changes(&store, &AuditFilter::default(), 2).await.unwrap();
    assert_eq!(newest, all[..2].to_vec());
    let bulk = all[2].first.change_id.unwrap();
    let entries = store::audit::of_change(&store, bulk).await.unwrap();
    assert_eq!(entries.len(), 12);
    // The viewer opens the first entries of a change only, in the order written.
    let first = store::audit::first_of_change(&store, bulk, 5).await.unwrap();
    assert_eq!(first, entries[..5].to_vec());
}
