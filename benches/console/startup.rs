//! Start to first table: connect, read the first chunk, hand it to the console and draw
//! it, then the rest of the table; in-process, against psql running the same query into
//! /dev/null.

use super::keys::{self, HEIGHT, WIDTH};
use super::stats::Summary;
use skriptoteket_admin::config::{self, DbTarget};
use skriptoteket_admin::store::{Actor, Store, stream};
use skriptoteket_admin::tui::event::{Answer, DbEvent, Event};
use skriptoteket_admin::tui::{App, Options};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The query `store::stream::table` reads the whole table with on a live-shaped schema
/// (through a cursor, in email order), so psql does the same work on the server.
pub const LIST_SQL: &str = "SELECT u.id, u.email::text AS email, u.role::text AS role,
 u.auth_provider::text AS auth_provider, u.is_active, u.created_at, u.updated_at,
 u.last_login_at AS last_login_at, u.locked_until AS locked_until,
 COALESCE(u.locked_until > now(), false) AS locked,
 u.failed_login_attempts::int4 AS failed_login_attempts, COALESCE(sc.n, 0) AS active_sessions,
 u.email_verified AS email_verified
FROM users u LEFT JOIN (SELECT user_id, count(*) AS n FROM sessions
 WHERE revoked_at IS NULL AND expires_at > now() GROUP BY user_id) sc ON sc.user_id = u.id
ORDER BY u.email";

/// Medians of the parts, and the spread of the wholes.
pub struct Startup {
    /// Start to the first rows on screen: connect, the first chunk read and decoded, the
    /// console state, the first frame.
    pub total: Summary,
    /// Start to every row in the console's state (the last chunk applied) and drawn.
    pub all: Summary,
    pub connect: Summary,
    /// Connected to the first chunk decoded.
    pub first_chunk: Summary,
    pub app: Summary,
    pub draw: Summary,
    pub psql: Summary,
    /// `skriptoteket-admin list --format json > /dev/null` (the release binary), process
    /// start to exit: the CLI's whole table against psql's.
    pub list_json: Summary,
    /// The same start with `sslmode=disable`: what TLS (and the 40 ms Nagle stalls in its
    /// handshake) costs.
    pub no_tls: Summary,
}

/// `runs` in-process starts and `runs` psql runs, alternated.
pub async fn run(target: &DbTarget, actor: &Actor, runs: usize) -> Startup {
    let (mut total, mut all, mut connect, mut first, mut app, mut draw, mut psql, mut list_json) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // One unmeasured round of each warms the server's caches the same way for both.
    once(target, actor).await;
    psql_once(target.url());
    for _ in 0..runs {
        let p = once(target, actor).await;
        total.push(p.connect + p.first_chunk + p.app + p.draw);
        all.push(p.all);
        connect.push(p.connect);
        first.push(p.first_chunk);
        app.push(p.app);
        draw.push(p.draw);
        psql.push(psql_once(target.url()));
        list_json.push(list_json_once(target.url()));
    }
    let plain = config::parse(&format!("{}?sslmode=disable", target.url())).expect("url");
    let mut no_tls = Vec::new();
    for _ in 0..runs {
        let p = once(&plain, actor).await;
        no_tls.push(p.connect + p.first_chunk + p.app + p.draw);
    }
    Startup {
        no_tls: Summary::of(&no_tls),
        total: Summary::of(&total),
        all: Summary::of(&all),
        connect: Summary::of(&connect),
        first_chunk: Summary::of(&first),
        app: Summary::of(&app),
        draw: Summary::of(&draw),
        psql: Summary::of(&psql),
        list_json: Summary::of(&list_json),
    }
}

struct Parts {
    connect: Duration,
    first_chunk: Duration,
    app: Duration,
    draw: Duration,
    all: Duration,
}

/// Connect; stream the table into the console as `store::stream` hands it over (the
/// first chunk drawn at once, the last one applied and drawn at the end).
async fn once(target: &DbTarget, actor: &Actor) -> Parts {
    let t0 = Instant::now();
    let store = Store::connect(target).await.expect("connect");
    let t1 = Instant::now();
    let mut console =
        App::new(Options { target: target.describe.clone(), ..Default::default() }, WIDTH, HEIGHT);
    console.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    console.update(Event::Db(DbEvent::Answer { id: 0, answer: Answer::LoggedIn(actor.clone()) }));
    let id = console.users_request.unwrap_or(0);
    let mut term = keys::terminal();
    let mut first: Option<(Duration, Duration, Duration)> = None;
    let mut last = t1;
    stream::table(&store, |chunk| {
        let got = Instant::now();
        let is_first = first.is_none();
        console.update(Event::Db(DbEvent::Answer { id, answer: Answer::UserChunk(Ok(chunk)) }));
        let applied = Instant::now();
        if is_first {
            keys::draw(&mut term, &console);
            first = Some((got - last, applied - got, applied.elapsed()));
        }
        last = Instant::now();
        true
    })
    .await
    .expect("stream the table");
    keys::draw(&mut term, &console);
    let all = t0.elapsed();
    assert!(console.users_request.is_none(), "the console took the last chunk");
    let (first_chunk, app, draw) = first.expect("a first chunk");
    drop(console);
    store.pool.close().await;
    Parts { connect: t1 - t0, first_chunk, app, draw, all }
}

/// `skriptoteket-admin --database-url URL list --format json > /dev/null`, process start
/// to exit.
fn list_json_once(url: &str) -> Duration {
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"))
        .args(["--database-url", url, "list", "--format", "json"])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .status()
        .expect("the release binary runs");
    let took = start.elapsed();
    assert!(status.success(), "list failed: {status}");
    took
}

/// `psql -X -q URL -c LIST_SQL > /dev/null`, process start to exit.
fn psql_once(url: &str) -> Duration {
    let start = Instant::now();
    let status = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", LIST_SQL])
        .stdout(Stdio::null())
        .status()
        .expect("psql must be installed");
    let took = start.elapsed();
    assert!(status.success(), "psql failed: {status}");
    took
}
