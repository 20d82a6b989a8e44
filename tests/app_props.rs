//! Random keys, resizes and database answers fed to `App` (thousands of sequences): no
//! panic, and the invariants hold after every event, including while drawing at tiny and
//! huge sizes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use skriptoteket_admin::domain::permissions::{self, Action, ActorView, TargetView};
use skriptoteket_admin::domain::{Role, Secret};
use skriptoteket_admin::store::delete::DeletePlan;
use skriptoteket_admin::store::dependents::{Dependent, OnDelete};
use skriptoteket_admin::store::{Actor, UserRow};
use skriptoteket_admin::tui::app::Screen;
use skriptoteket_admin::tui::event::{Command, DbEvent, Edit, Event, OpError, Outcome};
use skriptoteket_admin::tui::{App, Options, view};
use time::macros::datetime;
use uuid::Uuid;

const EMAILS: [&str; 6] = ["a@x.se", "b@x.se", "c\u{1b}[2J@x.se", "漢字@x.se", "e@x.se", "f@x.se"];

fn row(n: u8, role: Role, active: bool) -> UserRow {
    UserRow {
        id: Uuid::from_u128(u128::from(n)),
        email: EMAILS[usize::from(n) % EMAILS.len()].to_string() + &n.to_string(),
        role,
        auth_provider: if n % 7 == 3 { "huleedu".into() } else { "local".into() },
        is_active: active,
        created_at: datetime!(2025-01-01 0:00 UTC),
        updated_at: datetime!(2025-01-01 0:00 UTC),
        last_login_at: None,
        locked: n.is_multiple_of(5),
        locked_until: None,
        failed_login_attempts: 0,
        active_sessions: i64::from(n % 3),
    }
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
        'j', 'k', 'g', 'G', '/', ' ', '*', 'n', 'r', 'p', 'd', 'x', 'a', 'u', 's', 'S', 'L', '?', 'y', 'n',
        'c', '1', '2', '3', '4', 'q', 'e', '@', '.', '%', '_', '\\', 'å',
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
        rows().prop_map(|r| Event::Db(DbEvent::Users(r))),
        (rows(), prop::collection::vec(0u8..40, 0..5), any::<bool>(), any::<bool>()).prop_map(
            |(fresh, gone, ok, generated)| {
                let affected = gone
                    .into_iter()
                    .map(|n| Uuid::from_u128(u128::from(n)))
                    .chain(fresh.iter().map(|r| r.id))
                    .collect();
                Event::Db(DbEvent::Done(Outcome {
                    op: Action::SetRole,
                    refreshed: fresh,
                    affected,
                    result: if ok { Ok("done".into()) } else { Err(OpError::Stale("changed".into())) },
                    generated: generated.then(|| ("a@x.se".to_string(), Secret::from("Generated-Pw-123"))),
                }))
            }
        ),
        any::<bool>().prop_map(|blocked| Event::Db(DbEvent::DeletePlan(Ok(DeletePlan {
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
        })))),
        Just(Event::Db(DbEvent::ConnectionLost { message: "gone".into() })),
        Just(Event::Db(DbEvent::Reconnected)),
        Just(Event::Db(DbEvent::LoginFailed("Invalid admin credentials.".into()))),
        Just(Event::Db(DbEvent::Error("boom".into()))),
        Just(Event::Tick),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        12 => key_event(),
        3 => db_event(),
        1 => (prop_oneof![Just(1u16), Just(20), 40..90u16, Just(400)], prop_oneof![Just(1u16), Just(5), 10..50u16, Just(300)])
            .prop_map(|(w, h)| Event::Resize(w, h)),
    ]
}

/// The command is one the actor's permissions allow, judged by the rows the app holds.
fn check_command(actor: &Actor, cmd: &Command) -> Result<(), String> {
    let me = ActorView { id: actor.id, role: actor.role };
    let check = |action: Action, id: Uuid, role: Role, new_role: Option<Role>| {
        permissions::check(me, action, Some(TargetView { id, role }), new_role)
            .map_err(|e| format!("{cmd:?}: {e}"))
    };
    match cmd {
        Command::Edit { targets, edit } => {
            for t in targets {
                let (action, new_role) = match edit {
                    Edit::SetRole(r) => (Action::SetRole, Some(*r)),
                    Edit::SetActive(true) => (Action::Activate, None),
                    Edit::SetActive(false) => (Action::Deactivate, None),
                    Edit::Unlock => (Action::Unlock, None),
                    Edit::RevokeSessions => (Action::RevokeSessions, None),
                };
                check(action, t.id, t.role, new_role)?;
            }
            Ok(())
        }
        Command::ResetPassword { target, .. } => check(Action::ResetPassword, target.id, target.role, None),
        Command::Delete(ts) | Command::PlanDelete(ts) => {
            ts.iter().try_for_each(|t| check(Action::Delete, t.id, t.role, None))
        }
        Command::CreateUser { role, .. } => {
            permissions::check(me, Action::Create, None, Some(*role)).map_err(|e| e.to_string())
        }
        _ => Ok(()),
    }
}

fn invariants(app: &App) -> Result<(), String> {
    let n = app.users.visible_len();
    if (n == 0 && app.users.cursor != 0) || (n > 0 && app.users.cursor >= n) {
        return Err(format!("cursor {} outside {n} rows", app.users.cursor));
    }
    for m in &app.users.marks {
        if app.users.by_id(*m).is_none() {
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
        app.update(Event::Db(DbEvent::Connected { has_superuser: true }));
        app.update(Event::Db(DbEvent::LoggedIn(actor.clone())));
        let mut with_me = initial;
        with_me.push(actor_row);
        app.update(Event::Db(DbEvent::Users(with_me)));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        for ev in events {
            if let Event::Resize(w, h) = ev {
                terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            }
            let cmds = app.update(ev);
            for c in &cmds {
                prop_assert!(check_command(&actor, c).is_ok(), "{:?}", check_command(&actor, c));
            }
            prop_assert!(invariants(&app).is_ok(), "{:?}", invariants(&app));
            terminal.draw(|f| view::draw(f, &app)).unwrap();
            if app.quit { break; }
        }
    }
}
