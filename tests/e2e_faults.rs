//! The real console in a pseudo-terminal under faults: the server is not there at start, the
//! connection is killed during a bulk change, a signal arrives while a query runs, a panic.
//! The terminal always comes back and no change is half-applied.

mod common;
mod e2e_support;
mod pty;

use e2e_support::{Setup, log_in};
use pty::Console;
use skriptoteket_admin::domain::Role;
use sqlx::Connection;
use std::time::Duration;

fn setup() -> Setup {
    let team: Vec<String> = (1..=20).map(|i| format!("u{i:02}@team.test")).collect();
    Setup::live(&team.iter().map(|e| (e.as_str(), Role::User)).collect::<Vec<_>>())
}

/// What only the fault tests need: a lock that holds a change before its commit.
trait Faults {
    fn lock_audit(&self) -> sqlx::PgConnection;
    fn wait_for_blocked_backend(&self) -> i64;
}

impl Faults for Setup {
    /// Opens a transaction holding `admin_audit_log` locked: changes block before commit.
    fn lock_audit(&self) -> sqlx::PgConnection {
        self.rt.block_on(async {
            let mut conn = sqlx::PgConnection::connect(self.db.url()).await.unwrap();
            sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
            sqlx::query("LOCK TABLE skriptoteket_admin.admin_audit_log IN EXCLUSIVE MODE")
                .execute(&mut conn)
                .await
                .unwrap();
            conn
        })
    }

    fn wait_for_blocked_backend(&self) -> i64 {
        for _ in 0..400 {
            let n = self.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                   AND application_name = 'skriptoteket-admin' AND wait_event_type = 'Lock'",
            );
            if n > 0 {
                return n;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("the console's change never blocked on the lock");
    }
}

fn log_in_and_mark_team(s: &Setup, cols: u16, rows: u16, env: &[(&str, &str)]) -> Console {
    let mut c = s.start(cols, rows, env);
    log_in(&mut c, "u01@team.test");
    c.send("/");
    c.type_text("team");
    c.enter();
    c.send("*");
    c
}

#[test]
fn killed_connection_during_bulk_change_applies_nothing_and_recovers() {
    let s = setup();
    let mut c = log_in_and_mark_team(&s, 120, 40, &[]);
    let mut locker = s.lock_audit();
    c.send("r");
    c.send("2");
    // A confirmation takes y only once it has been seen.
    c.wait_for("z undoes", 10);
    c.send("y");
    c.wait_for("Reason", 10);
    c.enter();
    s.wait_for_blocked_backend();
    s.scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'skriptoteket-admin'
            AND wait_event_type = 'Lock') t",
    );
    c.wait_for("NOT applied", 20);
    s.rt.block_on(async { sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap() });
    assert_eq!(s.scalar("SELECT count(*) FROM users WHERE role = 'contributor'"), 0);
    assert_eq!(
        s.scalar("SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action NOT LIKE 'sign_in%'"),
        0
    );
    // What the admin typed is still there, and the console works again.
    assert!(c.screen().contains("team"), "filter kept:\n{}", c.screen());
    c.send("*");
    c.send("r");
    c.send("2");
    // A confirmation takes y only once it has been seen.
    c.wait_for("z undoes", 10);
    c.send("y");
    c.wait_for("Reason", 10);
    c.enter();
    c.wait_for("role set to contributor for 20 users", 20);
    assert_eq!(s.scalar("SELECT count(*) FROM users WHERE role = 'contributor'"), 20);
    c.send("q");
    assert_eq!(c.wait_exit(10), 0);
    assert!(c.cooked_mode() && c.screen_restored());
}

#[test]
fn sigterm_while_a_change_waits_leaves_nothing_half_written() {
    let s = setup();
    let mut c = log_in_and_mark_team(&s, 100, 30, &[]);
    let mut locker = s.lock_audit();
    c.send("r");
    c.send("3");
    // A confirmation takes y only once it has been seen.
    c.wait_for("z undoes", 10);
    c.send("y");
    c.wait_for("Reason", 10);
    c.enter();
    s.wait_for_blocked_backend();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(c.pid(), libc::SIGTERM) };
    assert_eq!(c.wait_exit(10), 128 + 15);
    assert!(c.cooked_mode() && c.screen_restored());
    s.rt.block_on(async { sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap() });
    // The server notices the closed connection and rolls its transaction back.
    for _ in 0..100 {
        if s.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'skriptoteket-admin' AND state <> 'idle'") == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(s.scalar("SELECT count(*) FROM users WHERE role = 'admin'"), 0);
    assert_eq!(
        s.scalar("SELECT count(*) FROM skriptoteket_admin.admin_audit_log WHERE action NOT LIKE 'sign_in%'"),
        0
    );
}

#[test]
fn a_panic_restores_the_terminal_and_prints_after_it() {
    let s = setup();
    let mut c = log_in_and_mark_team(&s, 80, 24, &[("SKA_TEST_PANIC", "1")]);
    c.send("\x1b[24~"); // F12
    let code = c.wait_exit(10);
    assert_ne!(code, 0);
    assert!(c.cooked_mode());
    assert!(c.screen_restored());
    let raw = c.raw();
    let leave = raw.windows(8).rposition(|w| w == b"\x1b[?1049l").expect("left the alternate screen");
    let msg = raw.windows(10).rposition(|w| w == b"test panic").expect("panic message printed");
    assert!(msg > leave, "the message comes after the terminal is restored");
}

#[test]
fn a_server_that_is_down_at_start_gets_a_clear_message() {
    let mut c =
        Console::start(&["--database-url", "postgres://postgres:pw@127.0.0.1:1/skriptoteket"], 100, 30, &[]);
    c.wait_for("waiting for the database at 127.0.0.1:1/skriptoteket", 20);
    assert!(!c.screen().contains("pw@"), "no password on screen");
    assert!(!c.screen().contains("panicked"));
    // A refused connection is retried, counting the attempts, and the spinner moves.
    let compact = |s: &str| s.chars().filter(|ch| !ch.is_whitespace() && *ch != '│').collect::<String>();
    c.wait_until("a second attempt", 20, |s| {
        let s = compact(s);
        s.contains("retrying)") && s.contains("(attempt") && !s.contains("(attempt1,")
    });
    let mut glyphs = std::collections::HashSet::new();
    for _ in 0..10 {
        glyphs.extend(c.screen().chars().filter(|ch| ('\u{2800}'..='\u{28ff}').contains(ch)));
        std::thread::sleep(Duration::from_millis(120));
    }
    assert!(glyphs.len() >= 3, "the spinner should move: {glyphs:?}");
    c.send("q");
    assert_eq!(c.wait_exit(10), 0);
    assert!(c.cooked_mode() && c.screen_restored());
}

/// The test server's URL with another user and database.
fn server_url(user: &str, database: &str) -> String {
    let mut url = url::Url::parse(&common::admin_url()).expect("test server URL");
    url.set_username(user).expect("a user");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

/// A database that answers but cannot be used as configured (no such database or role, no
/// `users` table) is not retried: the console restores the terminal, prints the cause on
/// one line and exits 1.
#[test]
fn a_database_that_cannot_be_used_fails_fast_with_its_cause() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let empty = rt.block_on(common::TestDb::new());
    let missing = format!("ska_missing_{}", uuid::Uuid::new_v4().simple());
    let (_, password) = common::without_password(&common::admin_url());
    // A server that wants a password (the throwaway cluster) does not say whether a role
    // exists.
    let no_role = match password {
        None => "role \"ska_no_such_role\" does not exist",
        Some(_) => "password authentication failed for user \"ska_no_such_role\"",
    };
    let cases = [
        (server_url("postgres", &missing), format!("database \"{missing}\" does not exist")),
        (server_url("ska_no_such_role", "postgres"), no_role.to_string()),
        (empty.url().to_string(), "the database has no users table".to_string()),
    ];
    for (url, cause) in cases {
        let (url, password) = common::without_password(&url);
        let env: Vec<(&str, &str)> = password.iter().map(|p| ("PGPASSWORD", p.as_str())).collect();
        let mut c = Console::start(&["--database-url", &url], 200, 30, &env);
        assert_eq!(c.wait_exit(20), 1, "{url}: exit 1; screen:\n{}", c.screen());
        assert!(c.cooked_mode() && c.screen_restored(), "{url}: terminal restored");
        let screen = c.screen();
        let line = screen.lines().find(|l| l.starts_with("error: ")).unwrap_or_default();
        assert!(line.contains(&cause), "{url}: expected {cause:?} in {screen}");
        assert!(!screen.contains("retrying"), "{url}: not retried");
    }
}

/// A TCP proxy to the test Postgres that can be stopped (every connection cut, the port
/// closed) and started again on the same port: a server restart as the console sees it.
struct Proxy {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    conns: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    /// Host and port of the test server behind `url`.
    fn upstream(url: &str) -> String {
        let url = url::Url::parse(url).expect("test database URL");
        format!("{}:{}", url.host_str().expect("a host"), url.port().unwrap_or(5432))
    }

    fn start(port: u16, upstream: &str) -> Proxy {
        let upstream = upstream.to_string();
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind proxy");
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let conns = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (st, cs) = (stop.clone(), conns.clone());
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = std::net::TcpStream::connect(&upstream) else { continue };
                        let pipe = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut from, &mut to);
                                let _ = to.shutdown(std::net::Shutdown::Both);
                            });
                        };
                        if let Ok(mut list) = cs.lock() {
                            list.push(client.try_clone().unwrap());
                            list.push(server.try_clone().unwrap());
                        }
                        pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                        pipe(server, client);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Proxy { stop, conns, thread: Some(thread) }
    }

    /// Cuts every connection and closes the port.
    fn stop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Ok(mut list) = self.conns.lock() {
            for c in list.drain(..) {
                let _ = c.shutdown(std::net::Shutdown::Both);
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn a_server_restart_mid_session_shows_retrying_and_recovers_keeping_input() {
    let s = setup();
    let port = Proxy::free_port();
    let upstream = Proxy::upstream(s.db.url());
    let mut url = url::Url::parse(s.db.url()).expect("test database URL");
    url.set_port(Some(port)).expect("a port");
    let (url, password) = common::without_password(url.as_str());
    let env: Vec<(&str, &str)> = password.iter().map(|p| ("PGPASSWORD", p.as_str())).collect();
    // Down at start: the console waits with a clear message.
    let mut c = Console::start(&["--database-url", &url], 120, 40, &env);
    c.wait_for("waiting for the database", 20);
    let mut proxy = Proxy::start(port, &upstream);
    log_in(&mut c, "u01@team.test");
    // The server goes away mid-session.
    proxy.stop();
    c.send("\x12"); // Ctrl-r: reload
    c.wait_for("connection lost", 20);
    c.send("/");
    c.type_text("u0");
    c.enter();
    proxy = Proxy::start(port, &upstream);
    // Back: the banner goes, the reload that failed is retried and the table is fresh.
    c.wait_until("the reconnect and the reload", 30, |s| {
        !s.contains("connection lost") && s.contains("21 users loaded")
    });
    c.wait_for("u09@team.test", 20);
    assert!(
        !c.screen().contains("u10@team.test"),
        "the filter typed while down still applies:\n{}",
        c.screen()
    );
    c.send("q");
    assert_eq!(c.wait_exit(10), 0);
    assert!(c.cooked_mode() && c.screen_restored());
    drop(proxy);
}
