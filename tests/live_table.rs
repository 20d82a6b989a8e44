//! The live table against a real PostgreSQL: another connection inserts, updates, locks,
//! deletes and opens or revokes sessions while the console is open; after its looks the
//! console's table equals a fresh load, marks kept on the accounts that remain. The looks
//! are answered here as the worker answers them (`store::live`).

mod common;
mod console_support;

use common::*;
use console_support::{answer, jobs};
use proptest::prelude::*;
use skriptoteket_admin::domain::{Role, UserRow};
use skriptoteket_admin::store::live::{self, SCAN_EVERY};
use skriptoteket_admin::store::users::ListFilter;
use skriptoteket_admin::store::{Actor, Store, stream, users};
use skriptoteket_admin::tui::event::{Answer, DbEvent, Effect, Event, Job};
use skriptoteket_admin::tui::model::live::Cells;
use skriptoteket_admin::tui::model::table::SortKey;
use skriptoteket_admin::tui::{App, Options};
use std::sync::Arc;
use uuid::Uuid;

/// A console signed in as `actor` whose table was read as the worker streams it, looking
/// on every tick.
async fn console(store: &Store, actor: &Actor) -> App {
    let mut options = Options::default();
    options.deployment.refresh = Some(std::time::Duration::from_millis(100));
    let mut app = App::new(options, 120, 40);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    let cmds = app.update(answer(0, Answer::LoggedIn(actor.clone())));
    assert!(matches!(jobs(cmds).as_slice(), [Job::LoadUsers]));
    let id = app.users_request.expect("the table is asked for");
    let mut chunks = Vec::new();
    stream::table(store, |c| {
        chunks.push(c);
        true
    })
    .await
    .expect("stream the table");
    for c in chunks {
        app.update(answer(id, Answer::UserChunk(Ok(c))));
    }
    assert!(app.loaded && app.live.mark.is_some(), "the load leaves the live table its mark");
    app
}

/// Runs what the console asked of the worker (looks and comparisons), as the worker does,
/// until it asks nothing more.
async fn serve(store: &Store, app: &mut App, mut effects: Vec<Effect>) {
    while !effects.is_empty() {
        let mut next = Vec::new();
        for e in effects {
            let Effect::Db(req) = e else { continue };
            let a = match req.job {
                Job::Look(mark) => Answer::Looked(live::look(store, &mark).await.map_err(Arc::new)),
                Job::Reconcile(mine) => {
                    Answer::Reconciled(live::reconcile(store, &mine).await.map_err(Arc::new))
                }
                other => panic!("the live table asked for {other:?}"),
            };
            next.extend(app.update(answer(req.id, a)));
        }
        effects = next;
    }
}

/// One look: ticks (the console looks on every tick here) answered until a look went out
/// and what it found is settled (the ids compared, when it asked for that, at the tick
/// after).
async fn look(store: &Store, app: &mut App) {
    let mut looked = false;
    for _ in 0..4 {
        let effects = app.update(Event::Tick);
        looked |= effects.iter().any(|e| matches!(e, Effect::Db(r) if matches!(r.job, Job::Look(_))));
        serve(store, app, effects).await;
        if looked && !app.live.check_ids {
            return;
        }
    }
    panic!("no look went out, or its comparison of ids never did");
}

/// Enough looks that one of them scanned after the last write, whatever the statistics
/// counters said (they may lag): every [`SCAN_EVERY`]th look scans.
async fn settle(store: &Store, app: &mut App) {
    for _ in 0..=SCAN_EVERY {
        look(store, app).await;
    }
}

fn by_email(mut rows: Vec<UserRow>) -> Vec<UserRow> {
    rows.sort_by(|a, b| a.email.cmp(&b.email));
    rows
}

fn table(app: &App) -> Vec<UserRow> {
    by_email(app.users.all().map(|r| r.to_user_row()).collect())
}

async fn fresh(store: &Store) -> Vec<UserRow> {
    by_email(users::list(store, &ListFilter::default()).await.expect("list"))
}

/// Runs `sql` on a connection of its own and has its statistics reported at once (so a
/// look's counters see it without waiting for the server's flush).
async fn write(db: &TestDb, sql: &str) {
    db.exec(&format!("{sql}; SELECT pg_stat_force_next_flush()")).await;
}

async fn add_session(db: &TestDb, user: Uuid) {
    write(
        db,
        &format!(
            "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at)
             VALUES (gen_random_uuid(), '{user}', 't', now(), now() + interval '1 day')"
        ),
    )
    .await;
}

#[tokio::test]
async fn changes_by_another_connection_reach_the_open_table_marks_and_cursor_kept() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let actor = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let anna = insert_user(pool, "anna@example.se", Role::User).await;
    let bo = insert_user(pool, "bo@example.se", Role::User).await;
    let cissi = insert_user(pool, "cissi@example.se", Role::User).await;
    let dan = insert_user(pool, "dan@example.se", Role::User).await;
    add_session(&db, bo).await;
    let mut app = console(&store, &actor).await;
    assert!(app.users.mark_id(cissi) && app.users.mark_id(dan));
    assert!(app.users.select(cissi));

    write(&db, &format!("UPDATE users SET role = 'contributor', updated_at = now() WHERE id = '{anna}'"))
        .await;
    write(&db, &format!("UPDATE sessions SET revoked_at = now() WHERE user_id = '{bo}'")).await;
    write(
        &db,
        &format!(
            "UPDATE users SET failed_login_attempts = 5, locked_until = now() + interval '15 minutes',
             updated_at = now() WHERE id = '{cissi}'"
        ),
    )
    .await;
    write(&db, &format!("DELETE FROM users WHERE id = '{dan}'")).await;
    let eva = insert_user_with(pool, &NewUser::local("eva@example.se", Role::User).unverified()).await;

    look(&store, &mut app).await;
    assert_eq!(table(&app), fresh(&store).await, "one look brings every change");
    assert!(app.users.is_marked(cissi), "a changed row keeps its mark");
    assert_eq!(app.users.marks_len(), 1, "the deleted row's mark is gone");
    assert_eq!(app.users.cursor_id(), Some(cissi), "the cursor stays on its account");
    let status = app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.contains("1 account deleted elsewhere (1 of them marked: unmarked)"), "{status}");
    assert!(app.live.lit(anna).has(SortKey::Role) && !app.live.lit(anna).has(SortKey::Email));
    assert!(app.live.lit(bo).has(SortKey::Sessions));
    assert!(app.live.lit(cissi).has(SortKey::Status));
    assert_eq!(app.live.lit(eva), Cells::ALL, "a new account is lit whole");

    // The highlight fades.
    for _ in 0..40 {
        app.live.paused = true;
        app.update(Event::Tick);
    }
    assert!(app.live.lit.is_empty());
}

#[tokio::test]
async fn a_look_reads_no_rows_while_nothing_changed_and_scans_every_so_often() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let _ = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let anna = insert_user(pool, "anna@example.se", Role::User).await;
    write(&db, "SELECT 1").await;
    let mut mark = live::mark_now(&store.schema, pool).await.expect("mark");
    let quiet = live::look(&store, &mark).await.expect("look");
    assert!(quiet.scan.is_none() && !quiet.deleted, "nothing changed: no scan");
    mark = quiet.mark;

    write(&db, &format!("UPDATE users SET is_active = false, updated_at = now() WHERE id = '{anna}'")).await;
    let changed = live::look(&store, &mark).await.expect("look");
    let scan = changed.scan.expect("the counters moved: a scan");
    // Rows stamped within the overlap before the last scan come again (the console drops
    // those it has as they are); the changed one is among them as it is now.
    assert!(scan.rows.iter().any(|r| r.id == anna && !r.is_active), "{:?}", scan.rows);
    assert_eq!(scan.total, Some(2), "users was read whole: its rows counted");
    mark = changed.mark;

    let mut scans = 0;
    for _ in 0..SCAN_EVERY {
        let l = live::look(&store, &mark).await.expect("look");
        scans += usize::from(l.scan.is_some());
        mark = l.mark;
    }
    assert_eq!(scans, 1, "unchanged, the rows are read once every {SCAN_EVERY} looks");
}

#[tokio::test]
async fn a_delete_and_an_insert_no_scan_finds_are_both_seen() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let actor = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let anna = insert_user(pool, "anna@example.se", Role::User).await;
    let mut app = console(&store, &actor).await;
    write(&db, &format!("DELETE FROM users WHERE id = '{anna}'")).await;
    // Stamped a day ago (a restore, say): no scan finds it, and the counts stay equal.
    write(
        &db,
        "INSERT INTO users (id, email, role, auth_provider, is_active, email_verified, created_at, updated_at)
         VALUES (gen_random_uuid(), 'bo@example.se', 'user', 'local', true, true,
                 now() - interval '1 day', now() - interval '1 day')",
    )
    .await;
    settle(&store, &mut app).await;
    assert_eq!(table(&app), fresh(&store).await, "the delete counter moved: the ids were compared");
}

#[tokio::test]
async fn an_open_dialog_says_when_its_account_changes_underneath() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let actor = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let anna = insert_user(pool, "anna@example.se", Role::User).await;
    let mut app = console(&store, &actor).await;
    assert!(app.users.select(anna));
    console_support::press(&mut app, console_support::key('r'));
    assert!(app.dialog.is_some(), "the role picker is open");
    write(&db, &format!("UPDATE users SET role = 'contributor', updated_at = now() WHERE id = '{anna}'"))
        .await;
    look(&store, &mut app).await;
    let note = app.live.underneath().unwrap_or_default().to_string();
    assert_eq!(note, "⚠ role changed meanwhile: anna@example.se");
    console_support::press(&mut app, console_support::code(crossterm::event::KeyCode::Esc));
    assert!(app.dialog.is_none() && app.live.underneath.is_none(), "the note goes with its dialog");
}

#[tokio::test]
async fn paused_the_table_sends_no_looks() {
    let (_db, store) = live_store().await;
    let actor = seed_actor(&store.pool, "admin@example.se", Role::Admin).await;
    let mut app = console(&store, &actor).await;
    console_support::press(&mut app, console_support::key('P'));
    assert_eq!(app.live.state(), Some("paused"));
    for _ in 0..20 {
        assert!(jobs(app.update(Event::Tick)).is_empty(), "no look while paused");
    }
    console_support::press(&mut app, console_support::key('P'));
    assert_eq!(app.live.state(), Some("live"));
    assert!(matches!(jobs(app.update(Event::Tick)).as_slice(), [Job::Look(_)]));
}

/// One change another connection makes, on the account numbered `.0` (modulo how many).
#[derive(Clone, Debug)]
enum Op {
    Insert,
    SetRole(usize, Role),
    Lock(usize),
    Deactivate(usize),
    Delete(usize),
    NewSession(usize),
    Revoke(usize),
    /// `updated_at` only: nothing the table shows changes.
    Touch(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let role = prop_oneof![Just(Role::User), Just(Role::Contributor)];
    prop_oneof![
        Just(Op::Insert),
        (0..50usize, role).prop_map(|(i, r)| Op::SetRole(i, r)),
        (0..50usize).prop_map(Op::Lock),
        (0..50usize).prop_map(Op::Deactivate),
        (0..50usize).prop_map(Op::Delete),
        (0..50usize).prop_map(Op::NewSession),
        (0..50usize).prop_map(Op::Revoke),
        (0..50usize).prop_map(Op::Touch),
    ]
}

/// Applies `op` without hurrying the statistics (the looks must cope with their lag).
async fn apply_op(db: &TestDb, ids: &mut Vec<Uuid>, n: &mut usize, op: &Op) {
    let pick = |i: usize| ids.get(i % ids.len().max(1)).copied();
    let sql = match op {
        Op::Insert => {
            *n += 1;
            let id = Uuid::new_v4();
            ids.push(id);
            format!(
                "INSERT INTO users (id, email, role, auth_provider, is_active, email_verified)
                 VALUES ('{id}', 'new{n}@example.se', 'user', 'local', true, false)"
            )
        }
        Op::SetRole(i, r) => match pick(*i) {
            Some(id) => {
                format!("UPDATE users SET role = '{}', updated_at = now() WHERE id = '{id}'", r.as_str())
            }
            None => return,
        },
        Op::Lock(i) => match pick(*i) {
            Some(id) => format!(
                "UPDATE users SET locked_until = now() + interval '15 minutes', failed_login_attempts = 5,
                 updated_at = now() WHERE id = '{id}'"
            ),
            None => return,
        },
        Op::Deactivate(i) => match pick(*i) {
            Some(id) => {
                format!("UPDATE users SET is_active = NOT is_active, updated_at = now() WHERE id = '{id}'")
            }
            None => return,
        },
        Op::Delete(i) => match pick(*i) {
            Some(id) => {
                ids.retain(|x| *x != id);
                format!("DELETE FROM users WHERE id = '{id}'")
            }
            None => return,
        },
        Op::NewSession(i) => match pick(*i) {
            Some(id) => format!(
                "INSERT INTO sessions (id, user_id, csrf_token, expires_at)
                 VALUES (gen_random_uuid(), '{id}', 't', now() + interval '1 day')"
            ),
            None => return,
        },
        Op::Revoke(i) => match pick(*i) {
            Some(id) => format!(
                "UPDATE sessions SET revoked_at = now() WHERE user_id = '{id}' AND revoked_at IS NULL"
            ),
            None => return,
        },
        Op::Touch(i) => match pick(*i) {
            Some(id) => format!("UPDATE users SET updated_at = now() WHERE id = '{id}'"),
            None => return,
        },
    };
    db.exec(&sql).await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Random changes by another connection, some while a look runs: after enough looks the
    /// table equals a fresh load, and the marks are on exactly the marked accounts that remain.
    #[test]
    fn the_live_table_ends_equal_to_a_fresh_load(
        ops in proptest::collection::vec(op(), 1..40),
        marked in proptest::collection::vec(0..12usize, 0..6),
        split in 0..40usize,
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        rt.block_on(async move {
            let (db, store) = live_store().await;
            let pool = &store.pool;
            let actor = seed_actor(pool, "admin@example.se", Role::Admin).await;
            let mut ids = Vec::new();
            for i in 0..12 {
                ids.push(insert_user(pool, &format!("u{i:02}@example.se"), Role::User).await);
            }
            let mut app = console(&store, &actor).await;
            let mut want_marked: Vec<Uuid> = marked.iter().map(|&i| ids[i]).collect();
            for id in &want_marked {
                app.users.mark_id(*id);
            }
            let mut n = 0;
            let (first, rest) = ops.split_at(split.min(ops.len()));
            for op in first {
                apply_op(&db, &mut ids, &mut n, op).await;
            }
            // The rest lands while a look runs.
            let effects = app.update(Event::Tick);
            let writes = async {
                for op in rest {
                    apply_op(&db, &mut ids, &mut n, op).await;
                }
            };
            tokio::join!(serve(&store, &mut app, effects), writes);
            settle(&store, &mut app).await;
            assert_eq!(table(&app), fresh(&store).await);
            want_marked.retain(|id| ids.contains(id));
            want_marked.sort();
            want_marked.dedup();
            let mut have: Vec<Uuid> = app.users.marked_ids().collect();
            have.sort();
            assert_eq!(have, want_marked);
        });
    }
}

#[tokio::test]
async fn a_lock_that_lapses_and_a_session_that_expires_show_without_any_write() {
    let (db, store) = live_store().await;
    let pool = &store.pool;
    let actor = seed_actor(pool, "admin@example.se", Role::Admin).await;
    let anna = insert_user(pool, "anna@example.se", Role::User).await;
    write(
        &db,
        &format!(
            "UPDATE users SET locked_until = now() + interval '1 second', failed_login_attempts = 5 WHERE id = '{anna}';
             INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at)
             VALUES (gen_random_uuid(), '{anna}', 't', now() - interval '1 hour', now() + interval '1 second')"
        ),
    )
    .await;
    let mut app = console(&store, &actor).await;
    let before = app.users.by_id(anna).map(|r| r.to_user_row()).expect("anna");
    assert!(before.locked && before.active_sessions == 1);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    settle(&store, &mut app).await;
    let after = app.users.by_id(anna).map(|r| r.to_user_row()).expect("anna");
    assert!(!after.locked && after.active_sessions == 0, "{after:?}");
    assert_eq!(table(&app), fresh(&store).await);
}

#[tokio::test]
async fn a_reload_that_fails_keeps_the_old_mark_and_the_next_look_reads_everything() {
    let (_db, store) = live_store().await;
    let actor = seed_actor(&store.pool, "admin@example.se", Role::Admin).await;
    let mut app = console(&store, &actor).await;
    let old = app.live.mark.expect("the load's mark");
    console_support::press(&mut app, console_support::ctrl('r'));
    let id = app.users_request.expect("a reload");
    // One row at a time: the first chunk (the one account) is not the last.
    let mut first = None;
    stream::table_in(&store, 1, 1, |c| {
        first = Some(c);
        false
    })
    .await
    .expect("stream");
    assert!(first.as_ref().is_some_and(|c| !c.done));
    app.update(answer(id, Answer::UserChunk(Ok(first.expect("a first chunk")))));
    let lost = skriptoteket_admin::store::StoreError::Db("the connection broke".into());
    app.update(answer(id, Answer::UserChunk(Err(Arc::new(lost)))));
    let mark = app.live.mark.expect("a mark still");
    assert_eq!(mark.at, old.at, "the table shows the old rows: looks go on from the old load");
    assert_eq!(mark.counters, None, "the next look reads both tables");
}
