//! `users::list` (filters, literal search, session counts, lock flag), `by_ids`,
//! `superuser_exists` and `profile`.

mod common;

use rstest::rstest;

use common::*;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::store::users::ListFilter;
use skriptoteket_admin::store::{self, StoreError};

fn search(s: &str) -> ListFilter {
    ListFilter { role: None, search: Some(s.to_string()) }
}

async fn emails(store: &store::Store, f: &ListFilter) -> Vec<String> {
    store::users::list(store, f).await.unwrap().into_iter().map(|r| r.email).collect()
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn list_filters_by_role_and_search(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    insert_user(pool, "anna@example.se", Role::Admin).await;
    insert_user(pool, "bertil@example.se", Role::User).await;
    insert_user(pool, "cecilia@skola.se", Role::User).await;
    insert_user(pool, "david@skola.se", Role::Superuser).await;

    assert_eq!(
        emails(&store, &ListFilter::default()).await,
        ["anna@example.se", "bertil@example.se", "cecilia@skola.se", "david@skola.se"],
        "everyone, ordered by email"
    );
    assert_eq!(
        emails(&store, &ListFilter { role: Some(Role::User), search: None }).await,
        ["bertil@example.se", "cecilia@skola.se"]
    );
    assert_eq!(
        emails(&store, &search("SKOLA")).await,
        ["cecilia@skola.se", "david@skola.se"],
        "case-insensitive"
    );
    assert_eq!(
        emails(&store, &ListFilter { role: Some(Role::User), search: Some("skola".into()) }).await,
        ["cecilia@skola.se"]
    );
    assert!(emails(&store, &ListFilter { role: Some(Role::Contributor), search: None }).await.is_empty());
    assert!(emails(&store, &search("nobody")).await.is_empty());
    let empty = emails(&store, &search("")).await;
    assert_eq!(empty.len(), 4, "an empty search keeps everyone");
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn search_wildcards_match_only_literally(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    for e in [
        "100%sure@example.se",
        "under_score@example.se",
        "underxscore@example.se",
        "back\\slash@example.se",
        "plain@example.se",
    ] {
        insert_user(pool, e, Role::User).await;
    }
    assert_eq!(emails(&store, &search("%")).await, ["100%sure@example.se"]);
    assert_eq!(emails(&store, &search("_")).await, ["under_score@example.se"]);
    assert_eq!(emails(&store, &search("r_s")).await, ["under_score@example.se"]);
    assert_eq!(emails(&store, &search("\\")).await, ["back\\slash@example.se"]);
    assert_eq!(emails(&store, &search("k\\s")).await, ["back\\slash@example.se"]);
    assert!(emails(&store, &search("%plain")).await.is_empty());
    assert!(emails(&store, &search("p_ain")).await.is_empty());
    assert!(emails(&store, &search("\\%")).await.is_empty());
    assert!(emails(&store, &search("'; DROP TABLE users; --")).await.is_empty());
    assert_eq!(scalar_i64(pool, "SELECT count(*) FROM users").await, 5);
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn active_sessions_count_only_active_ones(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let a = insert_user(pool, "a@example.se", Role::User).await;
    let b = insert_user(pool, "b@example.se", Role::User).await;
    let c = insert_user(pool, "c@example.se", Role::User).await;
    insert_sessions(pool, a).await;
    insert_session(pool, a, SessionKind::Active).await;
    insert_session(pool, b, SessionKind::Expired).await;
    insert_session(pool, b, SessionKind::Revoked).await;
    let rows = store::users::list(&store, &ListFilter::default()).await.unwrap();
    let counts: Vec<(uuid::Uuid, i64)> = rows.iter().map(|r| (r.id, r.active_sessions)).collect();
    assert_eq!(counts, [(a, 2), (b, 0), (c, 0)]);
    // by_ids counts the same way.
    let one = store::users::by_ids(&store, &[a, b]).await.unwrap();
    assert_eq!(one.iter().map(|r| r.active_sessions).collect::<Vec<_>>(), [2, 0]);
    let listed = store::sessions::recent_for(&store, a, 20).await.unwrap();
    let active: Vec<_> = listed.iter().filter(|s| s.active).collect();
    assert_eq!(active.len(), 2);
    assert!(active.iter().all(|s| s.expires_at > time::OffsetDateTime::now_utc()));
}

#[rstest]
#[case::old(Shape::Old)]
#[case::live(Shape::Live)]
#[tokio::test]
async fn rows_carry_what_the_console_shows(#[case] shape: Shape) {
    let (_db, store) = shape.store().await;
    let pool = &store.pool;
    let fed = insert_user_with(pool, &NewUser::federated("fed@example.se", Role::Contributor)).await;
    let off = insert_user_with(pool, &NewUser::local("off@example.se", Role::User).inactive()).await;
    let rows = store::users::list(&store, &ListFilter::default()).await.unwrap();
    let f = rows.iter().find(|r| r.id == fed).unwrap();
    assert_eq!(
        (f.role, f.auth_provider.as_str(), f.is_local(), f.status().as_str()),
        (Role::Contributor, "huleedu", false, "active")
    );
    let o = rows.iter().find(|r| r.id == off).unwrap();
    assert_eq!(
        (o.is_active, o.status().as_str(), o.locked, o.failed_login_attempts),
        (false, "inactive", false, 0)
    );
    assert_eq!(o.last_login_at, None);
}

#[tokio::test]
async fn locked_flag_follows_locked_until() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    let locked = insert_user(pool, "locked@example.se", Role::User).await;
    let expired = insert_user(pool, "expired@example.se", Role::User).await;
    let never = insert_user(pool, "never@example.se", Role::User).await;
    let locked_off =
        insert_user_with(pool, &NewUser::local("lockedoff@example.se", Role::User).inactive()).await;
    sqlx::query(
        "UPDATE users SET locked_until = now() + interval '15 minutes', failed_login_attempts = 5,
                          last_login_at = now() - interval '1 day'
         WHERE id = ANY($1)",
    )
    .bind([locked, locked_off])
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE users SET locked_until = now() - interval '1 minute', failed_login_attempts = 5 WHERE id = $1")
        .bind(expired)
        .execute(pool)
        .await
        .unwrap();
    let rows = store::users::list(&store, &ListFilter::default()).await.unwrap();
    let get = |id| rows.iter().find(|r| r.id == id).unwrap();
    assert!(get(locked).locked);
    assert_eq!(get(locked).status().as_str(), "locked");
    assert_eq!(get(locked).failed_login_attempts, 5);
    assert!(get(locked).locked_until.is_some());
    assert!(get(locked).last_login_at.is_some());
    assert!(!get(expired).locked);
    assert_eq!(get(expired).status().as_str(), "active");
    assert!(!get(never).locked);
    assert_eq!(get(never).locked_until, None);
    assert!(get(locked_off).locked);
    assert_eq!(get(locked_off).status().as_str(), "inactive", "inactive wins over locked");
}

#[tokio::test]
async fn superuser_exists_and_profile() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    assert!(!store::users::superuser_exists(&store).await.unwrap());
    let u = insert_user(pool, "u@example.se", Role::User).await;
    assert!(store::users::profile(&store, u).await.unwrap().is_empty(), "no profile row yet");
    sqlx::query("INSERT INTO user_profiles (user_id, first_name, display_name) VALUES ($1, 'Ulla', NULL)")
        .bind(u)
        .execute(pool)
        .await
        .unwrap();
    let profile = store::users::profile(&store, u).await.unwrap();
    let get = |k: &str| profile.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("first_name"), Some("Ulla"));
    assert_eq!(get("display_name"), Some("-"));
    assert_eq!(get("locale"), Some("sv-SE"));
    assert_eq!(get("user_id"), None);
    insert_user(pool, "root@example.se", Role::Superuser).await;
    assert!(store::users::superuser_exists(&store).await.unwrap());
}

#[tokio::test]
async fn list_on_a_database_without_users_says_to_run_the_web_apps_migrations() {
    let db = TestDb::new().await;
    let store = db.store().await;
    let err = store::users::list(&store, &ListFilter::default()).await.expect_err("no users table");
    assert!(matches!(err, StoreError::NoUsersTable), "{err:?}");
    assert!(!store::users::superuser_exists(&store).await.unwrap());
}

/// A stored role the web app does not know breaks nothing: the row lists as `unknown`, has
/// no rights, and roles match exactly everywhere (`'Admin '` is not an admin).
#[tokio::test]
async fn an_unknown_role_is_shown_as_such_with_no_rights() {
    let (_db, store) = live_store().await;
    let pool = &store.pool;
    insert_user(pool, "boss@example.se", Role::Superuser).await;
    insert_user_with(pool, &NewUser { role: "root", ..NewUser::local("root@example.se", Role::User) }).await;
    insert_user_with(pool, &NewUser { role: "Admin ", ..NewUser::local("spaced@example.se", Role::User) })
        .await;

    let rows = store::users::list(&store, &ListFilter::default()).await.expect("list works");
    let role = |e: &str| rows.iter().find(|r| r.email == e).map(|r| r.role);
    assert_eq!(role("root@example.se"), Some(Role::Unknown));
    assert_eq!(role("spaced@example.se"), Some(Role::Unknown));
    let admins =
        store::users::list(&store, &ListFilter { role: Some(Role::Admin), search: None }).await.unwrap();
    assert!(admins.is_empty(), "'Admin ' is not an admin: {admins:?}");

    let origin = store::login::Origin::current("tests");
    for who in ["root@example.se", "spaced@example.se"] {
        let err =
            store::login::authenticate(&store, who, &secret(PASSWORD), &origin).await.expect_err("no rights");
        assert!(matches!(err, StoreError::Denied { .. }), "{who}: {err:?}");
    }
}

/// The console's streamed table is the table `list` reads: same rows, same values, email
/// order, in chunks that say which is first and last and how many there are in all; fed to
/// the console they make the table one answer makes.
#[tokio::test]
async fn the_streamed_table_is_the_listed_table_in_chunks() {
    use skriptoteket_admin::domain::account::Account;
    use skriptoteket_admin::store::{seed, stream};
    use skriptoteket_admin::tui::event::{Answer, DbEvent, Event};
    use skriptoteket_admin::tui::{App, Options};

    let db = TestDb::new().await;
    db.exec(&format!("COMMENT ON DATABASE {} IS '{}'", db.name, seed::DEMO_MARK)).await;
    let mut store = db.store().await;
    seed::prepare_schema(&mut store).await.unwrap();
    let n = seed::seed(&store, 300).await.unwrap() as usize;
    let listed = store::users::list(&store, &ListFilter::default()).await.unwrap();
    assert_eq!(listed.len(), n);

    let mut chunks = Vec::new();
    stream::table_in(&store, 7, 100, |c| {
        chunks.push(c);
        true
    })
    .await
    .unwrap();
    assert_eq!(chunks.len(), 1 + (n - 7).div_ceil(100) + usize::from((n - 7).is_multiple_of(100)));
    assert!(chunks[0].first && chunks[1..].iter().all(|c| !c.first));
    assert!(chunks.last().is_some_and(|c| c.done) && chunks[..chunks.len() - 1].iter().all(|c| !c.done));
    assert_eq!(chunks[0].total, None, "counted after the first chunk is sent");
    assert!(chunks[1..].iter().all(|c| c.total == Some(n as u64)));
    let mut streamed: Vec<_> = chunks
        .iter()
        .flat_map(|c| (0..c.rows.len() as u32).filter_map(|p| c.rows.get(p)).map(|r| r.to_user_row()))
        .collect();
    // The stream comes in the server's collation order; `list` and the console use bytes.
    streamed.sort_by(|a, b| a.email.as_bytes().cmp(b.email.as_bytes()));
    assert_eq!(streamed, listed, "the same rows and values");
    assert!(listed.iter().any(|r| r.active_sessions > 0), "the demo has sessions to count");

    // The console fed chunk by chunk ends where one whole answer puts it.
    let me = listed.iter().find(|r| r.email == seed::DEMO_SUPERUSER).expect("the demo's superuser");
    let actor = store::Actor { id: me.id, email: me.email.clone(), role: Role::Superuser };
    let mut by_chunks = App::new(Options::default(), 120, 40);
    let mut at_once = App::new(Options::default(), 120, 40);
    for app in [&mut by_chunks, &mut at_once] {
        app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
        app.update(Event::Db(DbEvent::Answer { id: 0, answer: Answer::LoggedIn(actor.clone()) }));
    }
    let id = by_chunks.users_request.expect("a load was asked for");
    for c in chunks {
        by_chunks.update(Event::Db(DbEvent::Answer { id, answer: Answer::UserChunk(Ok(c)) }));
    }
    let id = at_once.users_request.expect("a load was asked for");
    at_once.update(Event::Db(DbEvent::Answer { id, answer: Answer::Users(Ok(listed)) }));
    let rows = |app: &App| app.users.shown_rows().map(|r| r.to_user_row()).collect::<Vec<_>>();
    assert_eq!(rows(&by_chunks), rows(&at_once));
    assert_eq!(by_chunks.users.len(), n);
    assert!(by_chunks.users.loading().is_none() && by_chunks.users_request.is_none());
    assert!(by_chunks.users.all().any(|r| r.role() == Role::Superuser));
}
