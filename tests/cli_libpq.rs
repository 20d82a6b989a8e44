//! libpq's conventions, as `psql` uses them: `PGHOST`/`PGPORT`/`PGUSER`/`PGDATABASE` name the
//! server, and the password comes from `PGPASSWORD` or `.pgpass` (`PGPASSFILE`), also for a
//! URL without one. The test server trusts every local connection, so a stand-in server on
//! loopback asks for the password in clear and records what arrives.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

/// A server that speaks just enough of PostgreSQL's protocol to be sent a password:
/// startup, a request for the password in clear, then "wrong password".
struct PasswordTaker {
    port: u16,
    got: Arc<Mutex<Vec<(String, String)>>>,
}

impl PasswordTaker {
    fn start() -> PasswordTaker {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let seen = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(pair) = take_password(stream)
                    && let Ok(mut g) = seen.lock()
                {
                    g.push(pair);
                }
            }
        });
        PasswordTaker { port, got }
    }

    /// (user, password) of each connection so far.
    fn passwords(&self) -> Vec<(String, String)> {
        self.got.lock().map(|g| g.clone()).unwrap_or_default()
    }
}

fn read_exact(s: &mut TcpStream, n: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf).ok()?;
    Some(buf)
}

fn be32(b: &[u8]) -> usize {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
}

fn take_password(mut s: TcpStream) -> Option<(String, String)> {
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).ok()?;
    // SSLRequest / GSSENCRequest first, maybe: refused with 'N'.
    let startup = loop {
        let len = be32(&read_exact(&mut s, 4)?);
        let body = read_exact(&mut s, len.checked_sub(4)?)?;
        if len == 8 && matches!(be32(&body), 80877103 | 80877104) {
            s.write_all(b"N").ok()?;
            continue;
        }
        break body;
    };
    let fields: Vec<String> =
        startup[4..].split(|b| *b == 0).map(|f| String::from_utf8_lossy(f).into_owned()).collect();
    let user =
        fields.iter().position(|f| f == "user").and_then(|i| fields.get(i + 1)).cloned().unwrap_or_default();
    // AuthenticationCleartextPassword.
    s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]).ok()?;
    let kind = read_exact(&mut s, 1)?;
    if kind != b"p" {
        return None;
    }
    let len = be32(&read_exact(&mut s, 4)?);
    let body = read_exact(&mut s, len.checked_sub(4)?)?;
    let password = String::from_utf8_lossy(body.strip_suffix(&[0]).unwrap_or(&body)).into_owned();
    let mut err = Vec::new();
    for (code, text) in
        [(b'S', "FATAL"), (b'V', "FATAL"), (b'C', "28P01"), (b'M', "password authentication failed")]
    {
        err.push(code);
        err.extend_from_slice(text.as_bytes());
        err.push(0);
    }
    err.push(0);
    let mut msg = vec![b'E'];
    msg.extend_from_slice(&((err.len() + 4) as u32).to_be_bytes());
    msg.extend_from_slice(&err);
    let _ = s.write_all(&msg);
    Some((user, password))
}

/// The tool in a folder of its own, with only `env` of the PG* variables set.
fn run(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"));
    cmd.args(args).current_dir(dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for k in [
        "DATABASE_URL",
        "PGHOST",
        "PGHOSTADDR",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
        "PGPASSWORD",
        "PGPASSFILE",
        "PGSERVICE",
        "PGSSLMODE",
        "COMPOSE_FILE",
    ] {
        cmd.env_remove(k);
    }
    cmd.env("HOME", dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the tool")
}

/// A `.pgpass` for the stand-in server, owner-only as libpq requires.
fn pgpass(dir: &std::path::Path, port: u16, password: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("pgpass");
    std::fs::write(&path, format!("# admin's file\n127.0.0.1:{port}:skriptoteket:skriptoteket:{password}\n"))
        .expect("write pgpass");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path.display().to_string()
}

#[test]
fn pg_variables_name_the_server_and_pgpass_gives_the_password() {
    let server = PasswordTaker::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let port = server.port.to_string();
    let file = pgpass(dir.path(), server.port, "from-pgpass-Qx7");
    let env = [
        ("PGHOST", "127.0.0.1"),
        ("PGPORT", port.as_str()),
        ("PGUSER", "skriptoteket"),
        ("PGDATABASE", "skriptoteket"),
        ("PGPASSFILE", file.as_str()),
    ];

    let o = run(dir.path(), &["--print-database"], &env);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains(&format!("database: 127.0.0.1:{port}/skriptoteket")), "{out}");
    assert!(out.contains("user: skriptoteket"), "{out}");
    assert!(out.contains("from: libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSFILE)"), "{out}");

    let o = run(dir.path(), &["list"], &env);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "the server refused the password, the settings must change: {err}");
    assert!(err.contains("password authentication failed") && !err.contains("from-pgpass-Qx7"), "{err}");
    assert_eq!(server.passwords(), [("skriptoteket".to_string(), "from-pgpass-Qx7".to_string())]);
}

#[test]
fn a_url_without_a_password_takes_it_from_pgpass() {
    let server = PasswordTaker::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = pgpass(dir.path(), server.port, "url-pgpass-Lm3");
    std::fs::write(
        dir.path().join(".env"),
        format!("DATABASE_URL=postgresql+asyncpg://skriptoteket@127.0.0.1:{}/skriptoteket\n", server.port),
    )
    .expect("write .env");
    let o = run(dir.path(), &["list"], &[("PGPASSFILE", file.as_str())]);
    assert_eq!(o.status.code(), Some(2), "the server refused the password: the settings must change");
    assert_eq!(server.passwords(), [("skriptoteket".to_string(), "url-pgpass-Lm3".to_string())]);
}

#[test]
fn pgpassword_wins_over_pgpass_as_in_libpq() {
    let server = PasswordTaker::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let port = server.port.to_string();
    let file = pgpass(dir.path(), server.port, "not-this-one");
    let env = [
        ("PGHOST", "127.0.0.1"),
        ("PGPORT", port.as_str()),
        ("PGUSER", "skriptoteket"),
        ("PGDATABASE", "skriptoteket"),
        ("PGPASSFILE", file.as_str()),
        ("PGPASSWORD", "env-pw-Yt5"),
    ];
    let o = run(dir.path(), &["list"], &env);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("env-pw-Yt5"));
    assert_eq!(server.passwords(), [("skriptoteket".to_string(), "env-pw-Yt5".to_string())]);
}

#[test]
fn an_env_file_url_wins_over_pg_variables() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".env"),
        "SKRIPTOTEKET_DB_PASSWORD=pw\nDATABASE_URL=postgresql+asyncpg://skriptoteket:${SKRIPTOTEKET_DB_PASSWORD}@db.example:5432/sk\n",
    )
    .expect("write .env");
    let o = run(dir.path(), &["--print-database"], &[("PGHOST", "elsewhere.example")]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("database: db.example:5432/sk") && out.contains("from: DATABASE_URL in .env"),
        "{out}"
    );
    assert!(out.contains("password: in the URL") && !out.contains("pw\n"), "{out}");
}

#[test]
fn pgservice_is_refused_with_what_to_set_instead() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(dir.path(), &["list"], &[("PGDATABASE", "sk"), ("PGSERVICE", "prod")]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("PGSERVICE") && err.contains("PGHOST"), "{err}");
}
