//! Random keys, resizes and database answers fed to `App` (thousands of sequences): no
//! panic, and the invariants hold after every event, including while drawing at tiny and
//! huge sizes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use skriptoteket_admin::domain::permissions::{self, ActorView, TargetView};
use skriptoteket_admin::domain::references::{DeletePlan, Dependent, OnDelete};
use skriptoteket_admin::domain::{Change, Done, Role, Secret, UserRow};
use skriptoteket_admin::store::{Actor, StoreError};
use skriptoteket_admin::tui::event::{Answer, DbEvent, Effect, Event, Job, OpError, Outcome};
use skriptoteket_admin::tui::model::Screen;
use skriptoteket_admin::tui::{App, Options, view};
use std::sync::Arc;
use time::macros::datetime;
use uuid::Uuid;

const EMAILS: [&str; 6] = ["a@x.se", "b@x.se", "c\u{1b}[2J@x.se", "漢字@x.se", "e@x.se", "f@x.se"];

fn row(n: u8, role: Role, active: bool) -> UserRow {
    let mut r = UserRow::sample(&(EMAILS[usize::from(n) % EMAILS.len()].to_string() + &n.to_string()), role);
    r.id = Uuid::from_u128(u128::from(n));
    r.auth_provider = if n % 7 == 3 { "huleedu".into() } else { "local".into() };
    r.is_active = active;
    r.email_verified = n % 4 != 1;
    r.created_at = datetime!(2025-01-01 0:00 UTC);
    r.updated_at = datetime!(2025-01-01 0:00 UTC);
    r.locked = n.is_multiple_of(5);
    r.active_sessions = i64::from(n % 3);
    r
}

/// An answer to request `id`: random ids from a small range answer the console's own
/// requests sometimes, and stray ones the rest of the time.
fn answer(id: u64, answer: Answer) -> Event {
    Event::Db(DbEvent::Answer { id, answer })
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::User), Just(Role::Contributor), Just(Role::Admin), Just(Role::Superuser)]
}

fn rows() -> impl Strategy<Value = Vec<UserRow>> {
    prop::collection::vec((0u8..40, role(), any::<bool>()), 0..25).prop_map(|v| {
        let mut seen = std::collections::HashSet::new();
        v.into_iter().filter(|(n, _, _)| seen.insert(*n)).map(|(n, r, a)| row(n, r, a)).collect()
    })
}

fn key_event() -> impl Strategy<Value = Event> {
    let chars = prop::sample::select(vec![
        'j', 'k', 'g', 'G', '/', ' ', '*', 'n', 'r', 'p', 'd', 'x', 'a', 'u', 'v', 's', 'S', 'L', '?', 'y',
        'n', 'c', '1', '2', '3', '4', 'q', 'e', '@', '.', '%', '_', '\\', 'å',
    ]);
    let codes = prop::sample::select(vec![
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Backspace,
        KeyCode::Delete,
    ]);
    prop_oneof![
        6 => chars.prop_map(|c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))),
        3 => codes.prop_map(|c| Event::Key(KeyEvent::new(c, KeyModifiers::NONE))),
        1 => prop::sample::select(vec!['u', 'd', 'r']).prop_map(|c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))),
    ]
}

fn db_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (0u64..40, rows()).prop_map(|(id, r)| answer(id, Answer::Users(Ok(r)))),
        (0u64..40, rows(), prop::collection::vec(0u8..40, 0..5), any::<bool>(), any::<bool>()).prop_map(
            |(id, fresh, gone, ok, generated)| {
                let affected = gone
                    .into_iter()
                    .map(|n| Uuid::from_u128(u128::from(n)))
                    .chain(fresh.iter().map(|r| r.id))
                    .collect();
                answer(
                    id,
                    Answer::Applied(Box::new(Outcome {
                        stamp: skriptoteket_admin::domain::Stamp::new(None),
                        change: Change::SetRole(Role::User),
                        refreshed: fresh,
                        affected,
                        result: if ok {
                            Ok(Done::Changed(vec![]))
                        } else {
                            Err(OpError::Stale(Arc::new(StoreError::Stale {
                                email: "a@x.se".into(),
                                what: "changed".into(),
                            })))
                        },
                        generated: generated
                            .then(|| ("a@x.se".to_string(), Secret::from("Generated-Pw-123"))),
                    })),
                )
            }
        ),
        (0u64..40, any::<bool>()).prop_map(|(id, blocked)| answer(
            id,
            Answer::DeletePlan(Ok(DeletePlan {
                blocked_emails: vec![],
                emails: vec!["a@x.se".into()],
                blockers: if blocked {
                    vec![Dependent {
                        table: "t".into(),
                        column: "c".into(),
                        on_delete: OnDelete::Restrict,
                        rows: 1,
                    }]
                } else {
                    vec![]
                },
                effects: vec![],
            }))
        )),
        Just(Event::Db(DbEvent::ConnectionLost {
            error: Arc::new(StoreError::ConnectionLost("gone".into()))
        })),
        Just(Event::Db(DbEvent::Reconnected)),
        Just(answer(1, Answer::LoginFailed(Arc::new(StoreError::InvalidCredentials)))),
        (0u64..40).prop_map(|id| answer(id, Answer::Users(Err(Arc::new(StoreError::Db("boom".into())))))),
        Just(Event::Tick),
    ]
}

/// One moment all generated times count from.
fn base() -> std::time::Instant {
    static BASE: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *BASE.get_or_init(std::time::Instant::now)
}

/// Frames drawn and keys stamped at random moments (so confirmations arm, or not), and
/// pastes of a few lines.
fn time_or_paste() -> impl Strategy<Value = Event> {
    prop_oneof![
        (0u64..3000)
            .prop_map(|ms| Event::Drawn(base() + std::time::Duration::from_millis(ms), Default::default())),
        (0u64..3000).prop_map(|ms| Event::Clock(base() + std::time::Duration::from_millis(ms))),
        "[a-z@. \n]{0,16}".prop_map(Event::Paste),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        12 => key_event(),
        3 => db_event(),
        4 => time_or_paste(),
        1 => (prop_oneof![Just(1u16), Just(20), 40..90u16, Just(400)], prop_oneof![Just(1u16), Just(5), 10..50u16, Just(300)])
            .prop_map(|(w, h)| Event::Resize(w, h)),
    ]
}

/// The effect is one the actor's permissions allow, judged by the rows the app holds.
fn check_effect(actor: &Actor, effect: &Effect) -> Result<(), String> {
    let me = ActorView { id: actor.id, role: actor.role };
    let Effect::Db(request) = effect else { return Ok(()) };
    let check = |change: &Change, id: Uuid, role: Role| {
        permissions::check(me, change, Some(TargetView { id, role })).map_err(|e| format!("{request:?}: {e}"))
    };
    match &request.job {
        Job::Apply { change: change @ Change::Create { .. }, .. } => {
            permissions::check(me, change, None).map_err(|e| e.to_string())
        }
        Job::Apply { change, targets, .. } => targets.iter().try_for_each(|t| check(change, t.id, t.role)),
        Job::PlanDelete(ts) => ts.iter().try_for_each(|t| check(&Change::Delete, t.id, t.role)),
        _ => Ok(()),
    }
}

fn invariants(app: &App) -> Result<(), String> {
    let n = app.users.visible_len();
    if (n == 0 && app.users.cursor != 0) || (n > 0 && app.users.cursor >= n) {
        return Err(format!("cursor {} outside {n} rows", app.users.cursor));
    }
    for m in app.users.marked_ids() {
        if app.users.by_id(m).is_none() {
            return Err(format!("mark on missing row {m}"));
        }
    }
    if app.dialog.is_some() && !matches!(app.screen, Screen::Users) {
        return Err("a dialog outside the users screen".into());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_keep_the_invariants(
        actor_role in prop_oneof![Just(Role::Admin), Just(Role::Superuser)],
        initial in rows(),
        events in prop::collection::vec(event(), 1..120),
    ) {
        let actor_row = row(200, actor_role, true);
        let actor = Actor { id: actor_row.id, email: actor_row.email.clone(), role: actor_role };
        let mut app = App::new(Options::default(), 80, 24);
        app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
        app.update(answer(0, Answer::LoggedIn(actor.clone())));
        let mut with_me = initial;
        with_me.push(actor_row);
        app.update(answer(app.users_request.unwrap_or(0), Answer::Users(Ok(with_me))));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        for ev in events {
            if let Event::Resize(w, h) = ev {
                terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            }
            let cmds = app.update(ev);
            let quit = cmds.iter().any(|c| matches!(c, Effect::Quit));
            for c in &cmds {
                prop_assert!(check_effect(&actor, c).is_ok(), "{:?}", check_effect(&actor, c));
            }
            prop_assert!(invariants(&app).is_ok(), "{:?}", invariants(&app));
            let mut measured = Default::default();
            terminal.draw(|f| measured = view::draw(f, &app)).unwrap();
            app.update(Event::Drawn(base(), measured));
            if quit { break; }
        }
    }
}
