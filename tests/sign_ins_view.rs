//! The console's sign-ins view (`A`) on hand-built `login_events` with known answers: the
//! chart's bars, spraying and brute force named, a source's accounts marked on the table
//! and acted on with the table's keys, an account's details and back. The worker's jobs
//! are answered here with the store functions the worker calls.

mod common;
mod console_support;

use common::*;
use console_support::{answer, code, jobs, key, press};
use crossterm::event::KeyCode;
use skriptoteket_admin::domain::Role;
use skriptoteket_admin::domain::sign_ins::{Span, Thresholds};
use skriptoteket_admin::store::users::ListFilter;
use skriptoteket_admin::store::{Actor, Store, sign_ins, users};
use skriptoteket_admin::tui::event::{Answer, DbEvent, Event, Job};
use skriptoteket_admin::tui::model::dialog::Dialog;
use skriptoteket_admin::tui::model::sign_ins::Section;
use skriptoteket_admin::tui::{App, Options};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

async fn event(pool: &sqlx::PgPool, user: Option<Uuid>, ok: bool, ip: &str, at: OffsetDateTime) {
    login_event(pool, user, ok, ip, "Mozilla/5.0", at).await;
}

struct Seeded {
    _db: TestDb,
    store: Store,
    actor: Actor,
    anna: Uuid,
    sprayed: Vec<Uuid>,
    now: OffsetDateTime,
}

/// 203.0.113.9 fails once on each of six accounts 10-15 minutes ago (spraying); anna fails
/// from six addresses, one an hour from 1 to 6 hours ago, and is locked (brute force); bo
/// signs in twice 3 hours ago; 198.51.100.1 failed on the six two days ago.
async fn seeded() -> Seeded {
    let (db, store) = live_store().await;
    let pool = store.pool.clone();
    let now = OffsetDateTime::now_utc();
    let actor = seed_actor(&pool, "admin@x.se", Role::Admin).await;
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    let bo = insert_user(&pool, "bo@x.se", Role::User).await;
    sqlx::query("UPDATE users SET locked_until = now() + interval '15 minutes', failed_login_attempts = 6 WHERE id = $1")
        .bind(anna)
        .execute(&pool)
        .await
        .expect("lock anna");
    let mut sprayed = Vec::new();
    for i in 0..6 {
        let id = insert_user(&pool, &format!("t{i}@x.se"), Role::User).await;
        event(&pool, Some(id), false, "203.0.113.9", now - Duration::minutes(10 + i)).await;
        event(&pool, Some(id), false, "198.51.100.1", now - Duration::days(2)).await;
        sprayed.push(id);
    }
    for a in 1..=6 {
        event(
            &pool,
            Some(anna),
            false,
            &format!("192.0.2.{a}"),
            now - Duration::hours(a) + Duration::minutes(1),
        )
        .await;
    }
    for _ in 0..2 {
        event(&pool, Some(bo), true, "10.0.0.5", now - Duration::hours(3)).await;
    }
    Seeded { _db: db, store, actor, anna, sprayed, now }
}

#[tokio::test]
async fn the_chart_counts_each_attempt_once_in_its_bar_and_a_source_names_its_accounts() {
    let s = seeded().await;
    let o = sign_ins::overview(&s.store, Span::Day, Thresholds::default(), s.now).await.expect("overview");
    assert_eq!(o.bars.len(), 24);
    let (ok, failed): (i64, i64) = o.bars.iter().fold((0, 0), |(a, b), x| (a + x.succeeded, b + x.failed));
    assert_eq!((ok, failed), (o.report.totals.succeeded, o.report.totals.failed));
    assert_eq!((ok, failed), (2, 12), "two days ago is outside the last 24 hours");
    assert_eq!(
        o.bars[23].failed,
        6 + 1,
        "the spraying, 10-15 minutes ago, and anna's newest, in the last hour"
    );
    assert_eq!(o.bars[21].succeeded, 2, "bo, 3 hours ago: 21 hours into the window");
    let kinds: Vec<String> = o.report.findings.iter().map(|f| f.describe()).collect();
    assert!(kinds.iter().any(|k| k.starts_with("spraying: 203.0.113.9")), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.starts_with("brute force: anna@x.se")), "{kinds:?}");

    let w = sign_ins::Window { since: o.report.since, web_only: false };
    let mut of_source = sign_ins::accounts_of(&s.store, w, Some("203.0.113.9")).await.expect("accounts");
    of_source.sort();
    let mut want = s.sprayed.clone();
    want.sort();
    assert_eq!(of_source, want);
    assert!(
        sign_ins::accounts_of(&s.store, w, Some("10.0.0.5")).await.expect("accounts").is_empty(),
        "no failures"
    );

    let month =
        sign_ins::overview(&s.store, Span::Month, Thresholds::default(), s.now).await.expect("overview");
    assert_eq!(month.bars.len(), 30);
    assert_eq!(month.bars[28].failed, 6, "two days ago: 28 days into the window");
}

/// A console signed in as the seeded admin, its table read.
async fn console(s: &Seeded) -> App {
    let mut app = App::new(Options::default(), 120, 40);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    app.update(answer(0, Answer::LoggedIn(s.actor.clone())));
    let id = app.users_request.expect("the table is asked for");
    let rows = users::list(&s.store, &ListFilter::default()).await.expect("list");
    app.update(answer(id, Answer::Users(Ok(rows))));
    app
}

/// Answers the sign-ins view's one job in `effects`, as the worker does.
async fn serve(s: &Seeded, app: &mut App, effects: Vec<skriptoteket_admin::tui::event::Effect>) {
    for e in effects {
        let skriptoteket_admin::tui::event::Effect::Db(req) = e else { continue };
        let a = match req.job {
            Job::LoadSignIns { span, thresholds } => Answer::SignIns(
                sign_ins::overview(&s.store, span, thresholds, s.now).await.map(Box::new).map_err(Arc::new),
            ),
            Job::SourceAccounts { since, ip_address } => Answer::SourceAccounts(
                sign_ins::accounts_of(
                    &s.store,
                    sign_ins::Window { since, web_only: false },
                    ip_address.as_deref(),
                )
                .await
                .map_err(Arc::new),
            ),
            _ => continue,
        };
        app.update(answer(req.id, a));
    }
}

fn view(app: &App) -> &skriptoteket_admin::tui::model::sign_ins::SignInsView {
    match &app.dialog {
        Some(Dialog::SignIns(v)) => v,
        other => panic!("the sign-ins view is not open: {other:?}"),
    }
}

fn note(app: &App) -> String {
    view(app).note.as_ref().map(|n| n.text.clone()).unwrap_or_default()
}

#[tokio::test]
async fn a_spraying_source_marks_its_accounts_and_the_tables_keys_act_on_them() {
    let s = seeded().await;
    let mut app = console(&s).await;
    let effects = press(&mut app, key('A'));
    assert!(matches!(jobs(effects.clone()).as_slice(), [Job::LoadSignIns { span: Span::Day, .. }]));
    serve(&s, &mut app, effects).await;
    assert_eq!(view(&app).section, Section::Sources);
    let first = view(&app).source().expect("a source selected").clone();
    assert_eq!(first.ip_address.as_deref(), Some("203.0.113.9"), "the most failures first");

    let effects = press(&mut app, key(' '));
    assert!(matches!(jobs(effects.clone()).as_slice(), [Job::SourceAccounts { .. }]));
    serve(&s, &mut app, effects).await;
    assert_eq!(app.users.marks_len(), 6);
    assert!(s.sprayed.iter().all(|id| app.users.is_marked(*id)));
    assert!(note(&app).starts_with("6 accounts marked"), "{}", note(&app));

    // a: the view closes and the deactivation of the six is asked, as from the table.
    press(&mut app, key('a'));
    match &app.dialog {
        Some(Dialog::Confirm { targets, change, .. }) => {
            assert_eq!(targets.len(), 6);
            assert_eq!(change.label(), "deactivate");
        }
        other => panic!("expected the deactivation's confirmation, got {other:?}"),
    }
}

#[tokio::test]
async fn an_accounts_details_open_from_the_view_and_esc_comes_back_to_it() {
    let s = seeded().await;
    let mut app = console(&s).await;
    let effects = press(&mut app, key('A'));
    serve(&s, &mut app, effects).await;
    press(&mut app, code(KeyCode::Tab));
    assert_eq!(view(&app).section, Section::Accounts);
    assert_eq!(view(&app).account().map(|a| a.id), Some(s.anna), "anna failed most");
    let effects = press(&mut app, code(KeyCode::Enter));
    assert!(matches!(jobs(effects).as_slice(), [Job::LoadDetails(id)] if *id == s.anna));
    assert!(matches!(app.dialog, Some(Dialog::Details { .. })));
    press(&mut app, code(KeyCode::Esc));
    assert_eq!(view(&app).section, Section::Accounts, "back to the view as it was");
    assert!(view(&app).rows(Section::Locked) == 1, "its data kept");

    // Without marks, u unlocks the selected account: the cursor goes to it first.
    press(&mut app, key('u'));
    assert_eq!(app.users.cursor_id(), Some(s.anna));
    assert!(matches!(&app.dialog, Some(Dialog::Confirm { targets, .. }) if targets.len() == 1));

    // The window: 4 asks for 30 days.
    press(&mut app, code(KeyCode::Esc));
    let effects = press(&mut app, key('A'));
    serve(&s, &mut app, effects).await;
    let effects = press(&mut app, key('4'));
    assert!(matches!(jobs(effects).as_slice(), [Job::LoadSignIns { span: Span::Month, .. }]));
}
