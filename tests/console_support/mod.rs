//! What the console's tests without a database share: the standard rows, keys as a person
//! presses them (after a frame, so a confirmation is armed), and a signed-in console.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skriptoteket_admin::domain::{Role, UserRow};
use skriptoteket_admin::store::Actor;
use skriptoteket_admin::tui::event::{Answer, DbEvent, Effect, Event, Job, Measured, RequestId};
use skriptoteket_admin::tui::{App, Options};
use std::time::{Duration, Instant};
use time::macros::datetime;
use uuid::Uuid;

/// A user numbered `n` (its id), created and last changed on 2025-01-01, with one session.
pub fn row(n: u128, email: &str, role: Role) -> UserRow {
    let mut r = UserRow::sample(email, role);
    r.id = Uuid::from_u128(n);
    r.created_at = datetime!(2025-01-01 0:00 UTC);
    r.updated_at = datetime!(2025-01-01 0:00 UTC);
    r.active_sessions = 1;
    r
}

/// The six standard users: boss (1, superuser), admin (2), anna (3), bertil (4), cissi (5,
/// contributor), david (6), all @x.se.
pub fn people() -> Vec<UserRow> {
    vec![
        row(1, "boss@x.se", Role::Superuser),
        row(2, "admin@x.se", Role::Admin),
        row(3, "anna@x.se", Role::User),
        row(4, "bertil@x.se", Role::User),
        row(5, "cissi@x.se", Role::Contributor),
        row(6, "david@x.se", Role::User),
    ]
}

pub fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// A key pressed by a person who has seen the screen: a frame was drawn (and reported what
/// it measured, as the console's loop does), then the key comes a second later, so a
/// confirmation is armed. Type-ahead tests send raw events.
pub fn press(app: &mut App, ev: Event) -> Vec<Effect> {
    let t = Instant::now();
    let measured = drawn(app);
    app.update(Event::Drawn(t, measured));
    app.update(Event::Clock(t + Duration::from_secs(1)));
    app.update(ev)
}

/// Draws `app` into a test terminal of its size; what the draw measured.
pub fn drawn(app: &App) -> Measured {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.width, app.height))
        .expect("test terminal");
    let mut measured = Measured::default();
    terminal.draw(|f| measured = skriptoteket_admin::tui::view::draw(f, app)).expect("draw");
    measured
}

/// Each character of `text` pressed in turn; every effect they had.
pub fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| press(app, key(c))).collect()
}

pub fn answer(id: RequestId, answer: Answer) -> Event {
    Event::Db(DbEvent::Answer { id, answer })
}

/// The database jobs among `effects`, in order.
pub fn jobs(effects: Vec<Effect>) -> Vec<Job> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Db(r) => Some(r.job),
            _ => None,
        })
        .collect()
}

/// The status line's text ("" when none).
pub fn status(app: &App) -> String {
    app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

/// A console 120x40 signed in as the user numbered `actor_n` of `rows`, with `rows`
/// loaded and the cursor on the first.
pub fn signed_in_with(actor_n: u128, rows: Vec<UserRow>) -> App {
    let mut app = App::new(Options::default(), 120, 40);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    let me = rows.iter().find(|r| r.id == Uuid::from_u128(actor_n)).expect("the actor is one of the rows");
    let actor = Actor { id: me.id, email: me.email.clone(), role: me.role };
    let cmds = app.update(answer(0, Answer::LoggedIn(actor)));
    assert!(matches!(jobs(cmds).as_slice(), [Job::LoadUsers]), "signing in loads the table");
    let id = app.users_request.expect("the list is asked for");
    app.update(answer(id, Answer::Users(Ok(rows))));
    app
}
