//! Drives the real binary in a pseudo-terminal: keys typed as a person would, the screen
//! read back through a vt100 parser, and every byte the program wrote kept for checks.
#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test "reads" what it waited for before the next key: longer than the 150 ms
/// a confirmation needs on screen before it takes a key.
const READING_TIME: Duration = Duration::from_millis(200);

pub struct Console {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    _state: tempfile::TempDir,
}

impl Console {
    /// Starts `skriptoteket-admin ARGS` in a `cols`x`rows` terminal.
    pub fn start(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Console {
        Console::start_at(None, args, cols, rows, env)
    }

    /// Starts it in the folder `dir` (a deployment folder, say).
    pub fn start_in(
        dir: &std::path::Path,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Console {
        Console::start_at(Some(dir), args, cols, rows, env)
    }

    fn start_at(
        dir: Option<&std::path::Path>,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Console {
        let pair = native_pty_system()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .expect("openpty");
        let state = tempfile::tempdir().expect("tempdir");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_skriptoteket-admin"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        // A UTF-8 terminal unless a test says otherwise (whatever the machine running the tests has).
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("LC_ALL");
        cmd.env_remove("LC_CTYPE");
        cmd.env("XDG_STATE_HOME", state.path());
        cmd.env_remove("DATABASE_URL");
        cmd.env_remove("NO_COLOR");
        for k in ["PGHOST", "PGHOSTADDR", "PGDATABASE", "COMPOSE_FILE"] {
            cmd.env_remove(k);
        }
        cmd.cwd(dir.unwrap_or(state.path()));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn console");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut p) = p.lock() {
                    p.process(&buf[..n]);
                }
                if let Ok(mut r) = r.lock() {
                    r.extend_from_slice(&buf[..n]);
                }
            }
        });
        Console { master: pair.master, writer, child, parser, raw, _state: state }
    }

    /// `XDG_STATE_HOME` of the console (its log is `skriptoteket-admin/console.log` below).
    pub fn state_dir(&self) -> &std::path::Path {
        self._state.path()
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.parser.lock().map(|p| p.screen().contents()).unwrap_or_default()
    }

    /// Every byte the program has written so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Waits until the screen shows `text`, then as long as a person takes to read it (a
    /// confirmation takes keys only once it has been on screen for 150 ms); panics with
    /// the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                std::thread::sleep(READING_TIME);
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("timed out waiting for {text:?}; screen:\n{}", self.screen());
    }

    /// Waits until `pred` holds for the screen (then [`READING_TIME`]); panics with the
    /// screen after `secs`.
    pub fn wait_until(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if pred(&self.screen()) {
                std::thread::sleep(READING_TIME);
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.screen());
    }

    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
        // Give the console a moment, so a lone ESC is not read as Alt+next key.
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Sends `text` as a bracketed paste, as a terminal does when the admin pastes.
    pub fn paste(&mut self, text: &str) {
        self.send(&format!("\x1b[200~{text}\x1b[201~"));
    }

    /// Types text one key at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(&c.to_string());
        }
    }

    pub fn enter(&mut self) {
        self.send("\r");
    }

    pub fn esc(&mut self) {
        self.send("\x1b");
        std::thread::sleep(Duration::from_millis(100));
    }

    pub fn tab(&mut self) {
        self.send("\t");
    }

    pub fn pid(&self) -> i32 {
        self.child.process_id().map(|p| p as i32).unwrap_or(0)
    }

    /// Waits for the program to exit; returns its exit code.
    pub fn wait_exit(&mut self, secs: u64) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(100)); // let the reader drain
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        let _ = self.child.kill();
        panic!("console did not exit; screen:\n{}", self.screen());
    }

    /// True when the terminal is back in cooked mode (canonical input and echo on), as it
    /// was before the console started.
    pub fn cooked_mode(&self) -> bool {
        let Some(fd) = self.master.as_raw_fd() else { return false };
        // SAFETY: tcgetattr only fills the struct we own; fd is the live pty master.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut t) != 0 {
                return false;
            }
            (t.c_lflag & libc::ICANON) != 0 && (t.c_lflag & libc::ECHO) != 0
        }
    }

    /// The console turned bracketed paste on, and off again after it last turned it on.
    pub fn paste_mode_restored(&self) -> bool {
        let raw = self.raw();
        let last = |pat: &[u8]| raw.windows(pat.len()).rposition(|w| w == pat);
        matches!((last(b"\x1b[?2004h"), last(b"\x1b[?2004l")), (Some(on), Some(off)) if off > on)
    }

    /// The console left the alternate screen and showed the cursor after it last entered.
    pub fn screen_restored(&self) -> bool {
        let raw = self.raw();
        let last = |pat: &[u8]| raw.windows(pat.len()).rposition(|w| w == pat);
        match (last(b"\x1b[?1049h"), last(b"\x1b[?1049l"), last(b"\x1b[?25h")) {
            (Some(enter), Some(leave), Some(show)) => leave > enter && show > enter,
            _ => false,
        }
    }
}

impl Console {
    /// The alternate screen was emptied just before the console left it (tmux shows its
    /// content on the main screen after a resize otherwise).
    pub fn alternate_screen_emptied(&self) -> bool {
        let raw = self.raw();
        let leave = raw.windows(8).rposition(|w| w == b"\x1b[?1049l");
        leave.is_some_and(|at| raw[..at].ends_with(b"\x1b[2J"))
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
