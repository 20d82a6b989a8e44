//! Keystroke to drawn frame: `App::update(key)` plus `view::draw` into a crossterm backend
//! whose writer only counts bytes, at a fixed 120x40 viewport (no tty is queried).

use super::stats::{Summary, median_u64};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{Backend, ClearType, CrosstermBackend};
use ratatui::layout::{Position, Rect};
use ratatui::{Terminal, TerminalOptions, Viewport};
use skriptoteket_admin::store::{Actor, UserRow};
use skriptoteket_admin::tui::event::{Answer, DbEvent, Event};
use skriptoteket_admin::tui::{App, Options, view};
use std::cell::Cell;
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub const WIDTH: u16 = 120;
pub const HEIGHT: u16 = 40;

/// A terminal that keeps nothing and counts every byte written to it (the count is shared,
/// as ratatui keeps the backend's writer to itself).
#[derive(Clone, Default)]
pub struct CountingWriter {
    pub bytes: Rc<Cell<u64>>,
}

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.set(self.bytes.get() + buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A 120x40 terminal and its byte count.
pub struct Term {
    pub terminal: Terminal<CrosstermBackend<CountingWriter>>,
    bytes: Rc<Cell<u64>>,
}

pub fn terminal() -> Term {
    let writer = CountingWriter::default();
    let bytes = writer.bytes.clone();
    let viewport = Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT));
    let terminal = Terminal::with_options(CrosstermBackend::new(writer), TerminalOptions { viewport })
        .expect("fixed viewport");
    Term { terminal, bytes }
}

pub fn written(t: &Term) -> u64 {
    t.bytes.get()
}

pub fn draw(t: &mut Term, app: &App) {
    t.terminal
        .draw(|f| {
            view::draw(f, app);
        })
        .expect("draw into a counting writer cannot fail");
}

/// The console as it is right after the first user list arrived.
pub fn loaded_app(rows: Vec<UserRow>, actor: Actor, target: &str) -> App {
    let mut app = App::new(Options { target: target.to_string(), ..Default::default() }, WIDTH, HEIGHT);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    app.update(Event::Db(DbEvent::Answer { id: 0, answer: Answer::LoggedIn(actor) }));
    let id = app.users_request.unwrap_or(0);
    app.update(Event::Db(DbEvent::Answer { id, answer: Answer::Users(Ok(rows)) }));
    app
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// One kind of keystroke: the key measured, the key that undoes it (measured too), and
/// keys pressed once before (not measured).
struct Kind {
    name: &'static str,
    back_name: &'static str,
    setup: Vec<KeyCode>,
    forth: KeyCode,
    back: KeyCode,
}

/// Timings and bytes of one key.
pub struct KeyResult {
    pub name: &'static str,
    pub time: Summary,
    /// The two parts of `time`: `App::update` alone, and the draw alone.
    pub update: Summary,
    pub draw: Summary,
    pub bytes_p50: u64,
    pub bytes_max: u64,
}

/// Bytes of one cursor step, and of a full redraw of the same screen.
pub struct Redraw {
    pub step_bytes: u64,
    pub full_bytes: u64,
    pub full_time: Summary,
}

fn kinds() -> Vec<Kind> {
    vec![
        Kind {
            name: "cursor step (j)",
            back_name: "cursor step (k)",
            setup: vec![],
            forth: KeyCode::Char('j'),
            back: KeyCode::Char('k'),
        },
        Kind {
            name: "page step (PgDn)",
            back_name: "page step (PgUp)",
            setup: vec![],
            forth: KeyCode::PageDown,
            back: KeyCode::PageUp,
        },
        Kind {
            name: "filter: type a character",
            back_name: "filter: Backspace",
            setup: vec![KeyCode::Char('/')],
            forth: KeyCode::Char('a'),
            back: KeyCode::Backspace,
        },
        Kind {
            name: "`*` mark all filtered",
            back_name: "Esc clear marks",
            setup: vec![],
            forth: KeyCode::Char('*'),
            back: KeyCode::Esc,
        },
    ]
}

/// Runs `pairs` forth/back pairs of every kind (after a warm-up), each on a fresh console.
pub fn run(rows: &[UserRow], actor: &Actor, target: &str, pairs: usize) -> Vec<KeyResult> {
    let mut out = Vec::new();
    for kind in kinds() {
        let mut app = loaded_app(rows.to_vec(), actor.clone(), target);
        let mut t = terminal();
        draw(&mut t, &app);
        for code in &kind.setup {
            app.update(key(*code));
            draw(&mut t, &app);
        }
        let warmup = (pairs / 10).max(5);
        let (mut forth, mut back) = (Vec::new(), Vec::new());
        for i in 0..warmup + pairs {
            let f = step(&mut app, &mut t, kind.forth);
            let b = step(&mut app, &mut t, kind.back);
            if i >= warmup {
                forth.push(f);
                back.push(b);
            }
        }
        out.push(result(kind.name, &forth));
        out.push(result(kind.back_name, &back));
    }
    out
}

/// One key: time of update plus draw, time of the update alone, bytes written.
struct Sample {
    total: Duration,
    update: Duration,
    bytes: u64,
}

fn step(app: &mut App, t: &mut Term, code: KeyCode) -> Sample {
    let before = written(t);
    let start = Instant::now();
    app.update(key(code));
    let updated = Instant::now();
    draw(t, app);
    let done = Instant::now();
    Sample { total: done - start, update: updated - start, bytes: written(t) - before }
}

fn result(name: &'static str, samples: &[Sample]) -> KeyResult {
    let total: Vec<Duration> = samples.iter().map(|s| s.total).collect();
    let update: Vec<Duration> = samples.iter().map(|s| s.update).collect();
    let draw: Vec<Duration> = samples.iter().map(|s| s.total - s.update).collect();
    let bytes: Vec<u64> = samples.iter().map(|s| s.bytes).collect();
    KeyResult {
        name,
        time: Summary::of(&total),
        update: Summary::of(&update),
        draw: Summary::of(&draw),
        bytes_p50: median_u64(&bytes),
        bytes_max: bytes.iter().copied().max().unwrap_or(0),
    }
}

/// Not a target, but the path a bulk role change takes in the console: with every user of
/// role `user` marked (filter `role:user`, then `*`), `r` opens the role picker and `2`
/// builds the confirmation; Esc cancels it (not measured) and the marks stay.
pub fn bulk_flow(rows: &[UserRow], actor: &Actor, target: &str, samples: usize) -> (usize, Vec<KeyResult>) {
    let mut app = loaded_app(rows.to_vec(), actor.clone(), target);
    let mut t = terminal();
    let setup = [KeyCode::Char('/')]
        .into_iter()
        .chain("role:user".chars().map(KeyCode::Char))
        .chain([KeyCode::Enter, KeyCode::Char('*')]);
    for code in setup {
        app.update(key(code));
    }
    draw(&mut t, &app);
    let marked = app.users.marks_len();
    let (mut open, mut pick) = (Vec::new(), Vec::new());
    for _ in 0..samples.max(1) {
        open.push(step(&mut app, &mut t, KeyCode::Char('r')));
        pick.push(step(&mut app, &mut t, KeyCode::Char('2')));
        assert!(app.dialog.is_some(), "the confirmation must be open: {:?}", app.status);
        step(&mut app, &mut t, KeyCode::Esc);
    }
    (
        marked,
        vec![result("`r` role picker, all users marked", &open), result("`2` confirmation built", &pick)],
    )
}

/// What one cursor step writes, against what `Terminal::clear` plus a draw of the same
/// screen writes (the clear sequence and every non-blank cell).
pub fn redraw(rows: &[UserRow], actor: &Actor, target: &str, samples: usize) -> Redraw {
    let mut app = loaded_app(rows.to_vec(), actor.clone(), target);
    let mut t = terminal();
    draw(&mut t, &app);
    let mut steps = Vec::new();
    for i in 0..samples.max(1) {
        let code = if i.is_multiple_of(2) { KeyCode::Char('j') } else { KeyCode::Char('k') };
        steps.push(step(&mut app, &mut t, code).bytes);
    }
    let mut full = Vec::new();
    let mut times = Vec::new();
    for _ in 0..samples.clamp(1, 50) {
        let mut fresh = terminal();
        let start = Instant::now();
        let backend = fresh.terminal.backend_mut();
        backend.set_cursor_position(Position::ORIGIN).expect("counting writer");
        backend.clear_region(ClearType::All).expect("counting writer");
        draw(&mut fresh, &app);
        times.push(start.elapsed());
        full.push(written(&fresh));
    }
    Redraw { step_bytes: median_u64(&steps), full_bytes: median_u64(&full), full_time: Summary::of(&times) }
}
