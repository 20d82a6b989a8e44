//! Resident memory of the real release binary with every user loaded, idle: started in a
//! 120x40 pseudo-terminal, logged in by typing, left alone once the table is drawn, then
//! `VmRSS` read from /proc.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use sqlx::PgPool;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Rss {
    pub rss_kib: u64,
    pub hwm_kib: u64,
    /// Enter at the log-in form to the first rows on screen (includes the argon2
    /// verification).
    pub login_to_table: Duration,
    /// Enter at the log-in form to "N users loaded" (every row in).
    pub login_to_all: Duration,
    /// The table's first email (or "users loaded") was seen on the screen.
    pub table_seen: bool,
}

/// What to start and how to log in.
#[derive(Clone, Copy)]
pub struct Setup<'a> {
    pub binary: &'a str,
    pub url: &'a str,
    pub db: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    /// Text the loaded table shows (the first email of the list).
    pub expect_on_screen: &'a str,
    pub idle: Duration,
}

pub async fn run(setup: &Setup<'_>, pool: &PgPool) -> Result<Rss, String> {
    let Setup { binary, url, db, email, password, expect_on_screen, idle } = *setup;
    let pair = native_pty_system()
        .openpty(PtySize { rows: 40, cols: 120, pixel_width: 0, pixel_height: 0 })
        .map_err(|e| e.to_string())?;
    let state = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut cmd = CommandBuilder::new(binary);
    cmd.args(["--database-url", url]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("XDG_STATE_HOME", state.path());
    cmd.env_remove("DATABASE_URL");
    cmd.cwd(state.path());
    let mut child = pair.slave.spawn_command(cmd).map_err(|e| e.to_string())?;
    drop(pair.slave);
    let pid = child.process_id().ok_or("no pid")?;
    let mut reader = pair.master.try_clone_reader().map_err(|e| e.to_string())?;
    let mut writer = pair.master.take_writer().map_err(|e| e.to_string())?;
    let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
    let p = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut p) = p.lock() {
                p.process(&buf[..n]);
            }
        }
    });
    let screen = || parser.lock().map(|p| p.screen().contents()).unwrap_or_default();

    let result = async {
        // Connected: the worker has asked whether a superuser exists, so the login form is up.
        wait_for_query(pool, db, "%role = 'superuser'%", Duration::from_secs(20)).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut send = |s: &str| -> Result<(), String> {
            writer.write_all(s.as_bytes()).map_err(|e| e.to_string())?;
            writer.flush().map_err(|e| e.to_string())?;
            std::thread::sleep(Duration::from_millis(15));
            Ok(())
        };
        for c in email.chars() {
            send(&c.to_string())?;
        }
        send("\t")?;
        for c in password.chars() {
            send(&c.to_string())?;
        }
        let start = Instant::now();
        send("\r")?;
        // The list query has run once its connection is idle again; then wait for the screen.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut table_seen = false;
        let mut login_to_table = Duration::ZERO;
        while Instant::now() < deadline {
            let s = screen();
            // The table's bottom border counts the marks; the log-in form has no such line
            // (and may show the first email, typed into it).
            let table = s.contains(" marked ");
            if !table_seen && table && (s.contains(expect_on_screen) || s.contains("users loaded")) {
                table_seen = true;
                login_to_table = start.elapsed();
            }
            if s.contains("users loaded") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let login_to_all = start.elapsed();
        tokio::time::sleep(idle).await;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        if !table_seen {
            eprintln!("rss: the table never showed {expect_on_screen:?}; screen:\n{}", screen());
        }
        // Ctrl-c quits from anywhere.
        send("\x03")?;
        Ok(Rss {
            rss_kib: field("VmRSS:"),
            hwm_kib: field("VmHWM:"),
            login_to_table,
            login_to_all,
            table_seen,
        })
    }
    .await;

    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return result;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Waits until a console connection to `db` has run a query like `pattern` and is idle.
async fn wait_for_query(pool: &PgPool, db: &str, pattern: &str, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE application_name = 'skriptoteket-admin' AND datname = $1
               AND state = 'idle' AND query LIKE $2",
        )
        .bind(db)
        .bind(pattern)
        .fetch_one(pool)
        .await
        .map_err(|e| e.to_string())?;
        if n > 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err(format!("timed out waiting for the console to run a query like {pattern}"))
}
