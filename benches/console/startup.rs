//! Start to first table: connect, query, decode, hand the rows to the console and draw it,
//! in-process; against psql running the same query into /dev/null.

use super::keys::{self, HEIGHT, WIDTH};
use super::stats::Summary;
use skriptoteket_admin::config::{self, DbTarget};
use skriptoteket_admin::store::{Actor, Store, users};
use skriptoteket_admin::tui::event::{Answer, DbEvent, Event};
use skriptoteket_admin::tui::{App, Options};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The query `store::users::list` sends for the whole table on a live-shaped schema (no
/// filter; it sorts the rows itself), so psql does the same work on the server.
pub const LIST_SQL: &str = "SELECT u.id, u.email::text AS email, u.role::text AS role,
 u.auth_provider::text AS auth_provider, u.is_active, u.created_at, u.updated_at,
 u.last_login_at AS last_login_at, u.locked_until AS locked_until,
 COALESCE(u.locked_until > now(), false) AS locked,
 u.failed_login_attempts::int4 AS failed_login_attempts, COALESCE(sc.n, 0) AS active_sessions
FROM users u LEFT JOIN (SELECT user_id, count(*) AS n FROM sessions
 WHERE revoked_at IS NULL AND expires_at > now() GROUP BY user_id) sc ON sc.user_id = u.id";

/// Medians of the parts, and the spread of the whole.
pub struct Startup {
    pub total: Summary,
    pub connect: Summary,
    pub list: Summary,
    pub app: Summary,
    pub draw: Summary,
    pub psql: Summary,
    /// The same start with `sslmode=disable`: what TLS (and the 40 ms Nagle stalls in its
    /// handshake) costs.
    pub no_tls: Summary,
}

/// `runs` in-process starts and `runs` psql runs, alternated.
pub async fn run(target: &DbTarget, actor: &Actor, runs: usize) -> Startup {
    let (mut total, mut connect, mut list, mut app, mut draw, mut psql) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // One unmeasured round of each warms the server's caches the same way for both.
    once(target, actor).await;
    psql_once(target.url());
    for _ in 0..runs {
        let parts = once(target, actor).await;
        total.push(parts.iter().sum());
        connect.push(parts[0]);
        list.push(parts[1]);
        app.push(parts[2]);
        draw.push(parts[3]);
        psql.push(psql_once(target.url()));
    }
    let plain = config::parse(&format!("{}?sslmode=disable", target.url())).expect("url");
    let mut no_tls = Vec::new();
    for _ in 0..runs {
        no_tls.push(once(&plain, actor).await.iter().sum());
    }
    Startup {
        no_tls: Summary::of(&no_tls),
        total: Summary::of(&total),
        connect: Summary::of(&connect),
        list: Summary::of(&list),
        app: Summary::of(&app),
        draw: Summary::of(&draw),
        psql: Summary::of(&psql),
    }
}

/// Connect; list; the console state; the first table drawn.
async fn once(target: &DbTarget, actor: &Actor) -> [Duration; 4] {
    let t0 = Instant::now();
    let store = Store::connect(target).await.expect("connect");
    let t1 = Instant::now();
    let rows = users::list(&store, &Default::default()).await.expect("list users");
    let t2 = Instant::now();
    let mut console =
        App::new(Options { target: target.describe.clone(), ..Default::default() }, WIDTH, HEIGHT);
    console.update(Event::Db(DbEvent::Connected { has_superuser: true }));
    console.update(Event::Db(DbEvent::Answer { id: 0, answer: Answer::LoggedIn(actor.clone()) }));
    let id = console.users_request.unwrap_or(0);
    console.update(Event::Db(DbEvent::Answer { id, answer: Answer::Users(Ok(rows)) }));
    let t3 = Instant::now();
    let mut term = keys::terminal();
    keys::draw(&mut term, &console);
    let t4 = Instant::now();
    drop(console);
    store.pool.close().await;
    [t1 - t0, t2 - t1, t3 - t2, t4 - t3]
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
