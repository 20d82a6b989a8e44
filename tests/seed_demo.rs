//! The demo data: a fresh database gets the live schema, the console's tables and
//! realistic users, and seeding twice adds nothing.

mod common;

use common::{TestDb, scalar_i64};
use skriptoteket_admin::store::seed;
use skriptoteket_admin::store::{self, users};

#[tokio::test]
async fn seeding_builds_a_live_shaped_demo_once() {
    let db = TestDb::new().await;
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
