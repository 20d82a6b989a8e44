//! The terminal loop: raw mode and the alternate screen in, events to `App::update`,
//! effects out (database requests to the worker, file writes, the clipboard, quitting),
//! frames out; and
//! the terminal restored on every way out (quit, error, panic via ratatui's hook, SIGTERM,
//! SIGHUP, SIGINT, SIGQUIT) and around a suspension (SIGTSTP).

use super::event::{DbEvent, Effect, Event, Request};
use super::model::{App, Options};
use super::{file_write, view, worker};
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
    /// The database cannot be used as configured: this line goes to stderr, exit 1.
    Failed(String),
}

/// Opens the console on `target` until the admin quits or a signal arrives.
pub async fn run(target: DbTarget, mut options: Options) -> anyhow::Result<ExitCode> {
    options.target = target.describe.clone();
    options.target_via = target.source.short();
    options.no_job_control = !job_control();
    let (request_tx, request_rx) = mpsc::unbounded_channel();
    let (db_tx, mut db_rx) = mpsc::unbounded_channel();
    let worker = tokio::spawn(worker::run(target, request_rx, db_tx));
    let mut signals = Signals::new()?;

    let mut terminal = init()?;
    let result = event_loop(&mut terminal, options, &request_tx, &mut db_rx, &mut signals).await;
    restore();
    worker.abort();
    tracing::info!("console closed");
    match result? {
        Exit::Quit => Ok(ExitCode::SUCCESS),
        Exit::Signal(n) => Ok(ExitCode::from(128 + n as u8)),
        Exit::Failed(message) => {
            // After the restore, so it stays on the screen the admin returns to.
            eprintln!("error: {}", crate::domain::sanitize::clean(&message));
            Ok(ExitCode::from(1))
        }
    }
}

/// Raw mode and the alternate screen (ratatui's `try_init`, whose panic hook restores
/// them), then bracketed paste: pasted text arrives as one `Paste` event, never as keys. Our
/// own hook, around ratatui's, turns paste mode off again on a panic.
fn init() -> std::io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste)?;
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        ratatui_hook(info);
    }));
    Ok(terminal)
}

/// The terminal as it was: paste mode off, the alternate screen emptied, then ratatui's
/// restore (raw mode off, main screen, cursor shown). Emptied first because tmux, after a
/// resize while the console ran, shows what the alternate screen held on the main one.
fn restore() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::event::DisableBracketedPaste,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    );
    ratatui::restore();
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

/// Whether a job-control shell can bring the console back after a stop: the first
/// ancestor outside the console's process group is in its session (the group is not
/// orphaned). Under `ssh -t host skriptoteket-admin` the parent is sshd, of another
/// session, and a stop would freeze the session until the process is killed.
fn job_control() -> bool {
    fn parent(pid: i32) -> Option<i32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) S ppid ...": the fields after the last ')'.
        stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
    }
    // SAFETY: these calls only read the process's own ids and those of its ancestors.
    let (group, session, mut pid) = unsafe { (libc::getpgrp(), libc::getsid(0), libc::getpid()) };
    for _ in 0..64 {
        let Some(up) = parent(pid).filter(|p| *p > 1) else { return false };
        // SAFETY: as above.
        let (up_group, up_session) = unsafe { (libc::getpgid(up), libc::getsid(up)) };
        if up_group != group {
            return up_session == session;
        }
        pid = up;
    }
    false
}

/// Ctrl-z (raw mode reads it as a key) or `kill -TSTP`: leave the screen as it was
/// before, stop, and on `fg` come back into raw mode and the alternate screen and draw
/// everything again.
fn suspend(terminal: &mut DefaultTerminal) -> std::io::Result<()> {
    restore();
    // SAFETY: raise only signals this process; SIGSTOP cannot be caught, so this stops
    // here until SIGCONT, as the default action of SIGTSTP would have.
    unsafe { libc::raise(libc::SIGSTOP) };
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // The next frame must be drawn whole: a blank frame first makes ratatui's diff write
    // every cell of it. (`Terminal::clear` would ask the terminal for the cursor position
    // while the key reader owns stdin.)
    terminal.draw(|f| f.render_widget(ratatui::widgets::Clear, f.area()))?;
    Ok(())
}

/// The most input events handled between two frames, and the longest time spent on them:
/// a burst (a 3,000-character paste) costs a few frames, not one frame per key, and the
/// screen still moves while a huge one is worked through.
const DRAIN_MAX_EVENTS: usize = 1024;
const DRAIN_MAX_TIME: Duration = Duration::from_millis(16);

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
    let nudge = InputNudge::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    // Work the loop hands off (file writes) comes back here when done.
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let outside = Outside { requests: request_tx, done: &done_tx };
    let mut dirty = true;
    loop {
        if dirty {
            let mut measured = Default::default();
            terminal.draw(|f| measured = view::draw(f, &app))?;
            // What is open now has been seen from this moment (a confirmation arms later),
            // and keys clamp against what this frame measured.
            app.update(Event::Drawn(std::time::Instant::now(), measured));
        }
        let (event, from_keys) = tokio::select! {
            k = keys.next() => match k {
                Some(Ok(ev)) => (input(ev), true),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(Exit::Quit),
            },
            Some(db) = db_rx.recv() => (Some(Event::Db(db)), false),
            Some(done) = done_rx.recv() => (Some(done), false),
            _ = tick.tick() => (Some(Event::Tick), false),
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
        if let Some(event) = event {
            dirty = !matches!(event, Event::Tick) || app.animating();
            if let Some(exit) = handle(terminal, &mut app, event, &outside)? {
                return Ok(exit);
            }
        }
        if !from_keys {
            continue;
        }
        // Everything the terminal has already sent is handled before the next frame.
        let started = std::time::Instant::now();
        for _ in 1..DRAIN_MAX_EVENTS {
            if started.elapsed() >= DRAIN_MAX_TIME {
                break;
            }
            let Some(next) = waiting_input(&mut keys).await else { break };
            let Some(event) = input(next?) else { continue };
            dirty = true;
            if let Some(exit) = handle(terminal, &mut app, event, &outside)? {
                return Ok(exit);
            }
        }
        nudge.if_input_is_left_unread();
    }
}

/// The console's event for a terminal event (mouse and focus events are not used).
fn input(ev: CtEvent) -> Option<Event> {
    match ev {
        CtEvent::Key(k) => Some(Event::Key(k)),
        CtEvent::Paste(text) => Some(Event::Paste(text)),
        CtEvent::Resize(w, h) => Some(Event::Resize(w, h)),
        _ => None,
    }
}

/// The next terminal event if one is ready now, without waiting: `None` when there is
/// none (or the stream ended; the next `select!` sees that). Polled with this task's own
/// waker, unlike `now_or_never`: when nothing is ready, `EventStream` hands the waker it
/// was polled with to its helper thread, once, and that thread wakes only that waker when
/// input arrives. A no-op waker there (an earlier attempt drained with `now_or_never`)
/// leaves this task asleep with keys waiting, until the next tick.
async fn waiting_input(keys: &mut EventStream) -> Option<std::io::Result<CtEvent>> {
    std::future::poll_fn(|cx| match keys.poll_next_unpin(cx) {
        std::task::Poll::Ready(Some(ev)) => std::task::Poll::Ready(Some(ev)),
        _ => std::task::Poll::Ready(None),
    })
    .await
}

/// Where effects go that the loop does not carry out on its own thread.
struct Outside<'a> {
    /// To the database worker.
    requests: &'a mpsc::UnboundedSender<Request>,
    /// Back into the loop, when work handed off is done.
    done: &'a mpsc::UnboundedSender<Event>,
}

/// Feeds one event to the app and carries out its effects; `Some` when the console ends.
fn handle(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    event: Event,
    outside: &Outside,
) -> anyhow::Result<Option<Exit>> {
    #[cfg(debug_assertions)]
    test_panic_hook(&event);
    if matches!(event, Event::Key(_) | Event::Paste(_)) {
        app.update(Event::Clock(std::time::Instant::now()));
        app.update(Event::WallClock(time::OffsetDateTime::now_utc()));
    }
    for effect in app.update(event) {
        match effect {
            Effect::Quit => return Ok(Some(Exit::Quit)),
            Effect::Fail(message) => return Ok(Some(Exit::Failed(message))),
            Effect::Clipboard(secret) => copy_osc52(terminal, &secret)?,
            Effect::Suspend => suspend(terminal)?,
            Effect::Db(request) => {
                if outside.requests.send(request).is_err() {
                    anyhow::bail!("the database worker stopped unexpectedly");
                }
            }
            Effect::WriteFile(write) => {
                let done = outside.done.clone();
                tokio::spawn(async move {
                    // The loop holds the receiver until it ends; after that nobody waits.
                    let _ = done.send(file_write::write(write).await);
                });
            }
        }
    }
    Ok(None)
}

/// Works around crossterm 0.29 leaving input unread (its PR #1057, not released): it
/// watches the terminal with edge-triggered epoll (mio) but reads only until its parser
/// has one event, at most 1 KiB. The rest of a burst stays in the kernel, and since no new
/// byte arrives, epoll never reports it: a 3,000-character paste stopped after the first
/// KiB until the admin pressed more keys (which is why draining alone, or a reader thread,
/// did not help). When bytes are left unread (`FIONREAD`), setting the terminal's own
/// attributes again (`TCSANOW`, nothing changes, no input is discarded) makes Linux's tty
/// layer wake its readers (`n_tty_set_termios`), which epoll reports as a new edge, and
/// crossterm reads on.
struct InputNudge {
    fd: Option<std::os::fd::RawFd>,
}

impl InputNudge {
    fn new() -> InputNudge {
        // crossterm reads stdin when it is a terminal (the console needs one).
        // SAFETY: isatty only inspects the descriptor.
        let tty = unsafe { libc::isatty(libc::STDIN_FILENO) } == 1;
        InputNudge { fd: tty.then_some(libc::STDIN_FILENO) }
    }

    fn if_input_is_left_unread(&self) {
        let Some(fd) = self.fd else { return };
        // SAFETY: FIONREAD writes one int we own; tcgetattr fills a termios we own, and
        // tcsetattr sets back exactly what it read; fd is stdin, open for the process.
        unsafe {
            let mut unread: libc::c_int = 0;
            if libc::ioctl(fd, libc::FIONREAD, &mut unread) != 0 || unread <= 0 {
                return;
            }
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut t) == 0 {
                libc::tcsetattr(fd, libc::TCSANOW, &t);
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
