//! The demo data: a fresh database gets the live schema, the console's tables and
//! realistic users, and seeding twice adds nothing.

mod common;

use common::{TestDb, admin_url, scalar_i64};
use skriptoteket_admin::store::seed;
use skriptoteket_admin::store::{self, users};

#[tokio::test]
async fn seeding_builds_a_live_shaped_demo_once() {
    let db = TestDb::new().await;
    db.exec(&format!("COMMENT ON DATABASE {} IS '{}'", db.name, seed::DEMO_MARK)).await;
    let mut store = db.store().await;
    seed::prepare_schema(&mut store).await.unwrap();
    assert!(store.schema.user_profiles && store.schema.lockout && store.schema.audit_log);
    assert_eq!(seed::seed(&store, 300).await.unwrap(), 308);
    assert_eq!(seed::seed(&store, 300).await.unwrap(), 308, "a second run adds nothing");
    seed::prepare_schema(&mut store).await.unwrap();
    let pool = db.pool().await;
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM user_profiles").await, 308);
    assert!(scalar_i64(&pool, "SELECT count(*) FROM tool_versions").await > 0, "some users block a delete");
    assert!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE locked_until > now()").await > 0);
    assert!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE NOT is_active").await > 0);
    // As on a live site: self-registered accounts that never verified, tool runs that keep
    // most active users from being deleted, and login events from real browsers.
    assert!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE NOT email_verified").await > 0);
    assert!(
        scalar_i64(&pool, "SELECT count(*) FROM email_verification_tokens").await > 0,
        "unverified accounts have their tokens"
    );
    let active = scalar_i64(&pool, "SELECT count(*) FROM users WHERE is_active").await;
    let runners = scalar_i64(&pool, "SELECT count(DISTINCT requested_by_user_id) FROM tool_runs").await;
    assert!(runners * 2 > active, "most active users ran tools: {runners} of {active}");
    assert!(
        scalar_i64(
            &pool,
            "SELECT count(*) FROM login_events WHERE ip_address IS NOT NULL AND user_agent IS NOT NULL
               AND status = 'failure' AND failure_code IS NOT NULL"
        )
        .await
            > 0
    );
    let rows = users::list(&store, &Default::default()).await.unwrap();
    assert_eq!(rows.len(), 308);
    let admin = store::login::authenticate(
        &store,
        seed::DEMO_SUPERUSER,
        &seed::DEMO_PASSWORD.into(),
        &skriptoteket_admin::store::login::Origin::current("tests"),
    )
    .await
    .unwrap();
    assert_eq!(admin.role, skriptoteket_admin::domain::Role::Superuser);
}

/// `demo --reset` drops only a database the demo made (it carries the mark), names are
/// taken as written (quoted), and the demo password never lands on another database.
#[tokio::test]
async fn the_demo_drops_and_seeds_only_its_own_databases() {
    let other = TestDb::new().await; // a database somebody else made
    let mut store = other.store().await;
    seed::prepare_schema(&mut store).await.unwrap();
    let err = seed::seed(&store, 10).await.expect_err("not a demo database");
    assert!(err.to_string().contains("did not make"), "{err}");
    let pool = other.pool().await;
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users").await, 0, "no demo password planted");

    let err = seed::create_database(&admin_url(), &other.name, true).await.expect_err("not ours");
    assert!(err.to_string().contains("not a demo database"), "{err}");
    assert_eq!(scalar_i64(&pool, "SELECT 1::bigint").await, 1, "still there");

    // Upper case is kept: `--name` of the same letters in upper case is another database.
    let upper = other.name.to_uppercase();
    let (target, created) = seed::create_database(&admin_url(), &upper, true).await.expect("create");
    assert!(created);
    assert_eq!(scalar_i64(&pool, "SELECT 1::bigint").await, 1, "the lower-case one was not dropped");
    let (_, created) = seed::create_database(&admin_url(), &upper, false).await.expect("reuse");
    assert!(!created, "its own database is reused");
    let (_, created) = seed::create_database(&admin_url(), &upper, true).await.expect("reset");
    assert!(created, "and dropped on reset");
    drop(target);
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url()).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE \"{upper}\" WITH (FORCE)")))
        .execute(&mut conn)
        .await
        .unwrap();
}
