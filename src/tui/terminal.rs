//! The terminal loop: raw mode and the alternate screen in, events to `App::update`,
//! effects out (database requests to the worker, the clipboard, quitting), frames out; and
//! the terminal restored on every way out (quit, error, panic via ratatui's hook, SIGTERM,
//! SIGHUP, SIGINT, SIGQUIT) and around a suspension (SIGTSTP).

use super::event::{DbEvent, Effect, Event, Request};
use super::model::{App, Options};
use super::{view, worker};
use crate::config::DbTarget;
use crate::domain::Secret;
use base64::Engine;
use crossterm::event::{Event as CtEvent, EventStream};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc;
use zeroize::Zeroizing;

/// How the loop ended.
enum Exit {
    Quit,
    Signal(i32),
}

/// Opens the console on `target` until the admin quits or a signal arrives.
pub async fn run(target: DbTarget, mut options: Options) -> anyhow::Result<ExitCode> {
    options.target = target.describe.clone();
    let (request_tx, request_rx) = mpsc::unbounded_channel();
    let (db_tx, mut db_rx) = mpsc::unbounded_channel();
    let worker = tokio::spawn(worker::run(target, request_rx, db_tx));
    let mut signals = Signals::new()?;

    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, options, &request_tx, &mut db_rx, &mut signals).await;
    ratatui::restore();
    worker.abort();
    tracing::info!("console closed");
    match result? {
        Exit::Quit => Ok(ExitCode::SUCCESS),
        Exit::Signal(n) => Ok(ExitCode::from(128 + n as u8)),
    }
}

/// The signals the console answers itself: the ones that end it (the terminal is restored
/// first) and the one that suspends it.
struct Signals {
    term: Signal,
    hup: Signal,
    int: Signal,
    quit: Signal,
    tstp: Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
            quit: signal(SignalKind::quit())?,
            tstp: signal(SignalKind::from_raw(libc::SIGTSTP))?,
        })
    }
}

/// `kill -TSTP` (or a job-control shell): leave the screen as it was before, stop, and on
/// `fg` come back into raw mode and the alternate screen and draw everything again.
fn suspend(terminal: &mut DefaultTerminal) -> std::io::Result<()> {
    ratatui::restore();
    // SAFETY: raise only signals this process; SIGSTOP cannot be caught, so this stops
    // here until SIGCONT, as the default action of SIGTSTP would have.
    unsafe { libc::raise(libc::SIGSTOP) };
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // The next frame must be drawn whole: a blank frame first makes ratatui's diff write
    // every cell of it. (`Terminal::clear` would ask the terminal for the cursor position
    // while the key reader owns stdin.)
    terminal.draw(|f| f.render_widget(ratatui::widgets::Clear, f.area()))?;
    Ok(())
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    options: Options,
    request_tx: &mpsc::UnboundedSender<Request>,
    db_rx: &mut mpsc::UnboundedReceiver<DbEvent>,
    signals: &mut Signals,
) -> anyhow::Result<Exit> {
    let size = terminal.size()?;
    let mut app = App::new(options, size.width, size.height);
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| view::draw(f, &app))?;
        }
        let event = tokio::select! {
            k = keys.next() => match k {
                Some(Ok(CtEvent::Key(k))) => Event::Key(k),
                Some(Ok(CtEvent::Resize(w, h))) => Event::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(Exit::Quit),
            },
            Some(db) = db_rx.recv() => Event::Db(db),
            _ = tick.tick() => Event::Tick,
            _ = signals.term.recv() => return Ok(Exit::Signal(libc::SIGTERM)),
            _ = signals.hup.recv() => return Ok(Exit::Signal(libc::SIGHUP)),
            _ = signals.int.recv() => return Ok(Exit::Signal(libc::SIGINT)),
            _ = signals.quit.recv() => return Ok(Exit::Signal(libc::SIGQUIT)),
            _ = signals.tstp.recv() => {
                suspend(terminal)?;
                dirty = true;
                continue;
            }
        };
        #[cfg(debug_assertions)]
        test_panic_hook(&event);
        let animating = app.busy().is_some() || app.connection_lost.is_some();
        dirty = !matches!(event, Event::Tick) || animating;
        for effect in app.update(event) {
            match effect {
                Effect::Quit => return Ok(Exit::Quit),
                Effect::Clipboard(secret) => copy_osc52(terminal, &secret)?,
                Effect::Db(request) => {
                    if request_tx.send(request).is_err() {
                        anyhow::bail!("the database worker stopped unexpectedly");
                    }
                }
            }
        }
    }
}

/// Debug builds only: with `SKA_TEST_PANIC=1`, F12 panics, so the end-to-end tests can
/// prove the panic hook restores the terminal. Release builds have no such key.
#[cfg(debug_assertions)]
fn test_panic_hook(event: &Event) {
    if let Event::Key(k) = event
        && k.code == crossterm::event::KeyCode::F(12)
        && std::env::var_os("SKA_TEST_PANIC").is_some()
    {
        panic!("test panic requested with F12");
    }
}

/// Puts the secret on the admin's own clipboard with OSC 52, which terminals honour over
/// SSH; the encoded copy is wiped after writing.
fn copy_osc52(terminal: &mut DefaultTerminal, secret: &Secret) -> std::io::Result<()> {
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(secret.expose()));
    let seq = Zeroizing::new(format!("\x1b]52;c;{}\x07", encoded.as_str()));
    let out = terminal.backend_mut();
    out.write_all(seq.as_bytes())?;
    out.flush()
}
