//! The live table's look (`store::live::look`) on a seeded database: while nothing
//! changed (the statistics counters only), and after 100 rows changed (the counters, then
//! the scan of the rows stamped since); and what merging those 100 rows costs the console's
//! thread with the whole table loaded. Times are wall time on loopback: the server's time
//! plus one or two round trips.

use super::keys::loaded_app;
use super::stats::Summary;
use skriptoteket_admin::store::live::{self, Look, Mark};
use skriptoteket_admin::store::{Actor, Store, UserRow};
use skriptoteket_admin::tui::event::{Answer, DbEvent, Effect, Event, Job};
use std::time::{Duration, Instant};
use uuid::Uuid;

pub struct LiveBench {
    /// Looks that found the counters unchanged (no scan).
    pub quiet: Summary,
    /// Looks after 100 rows changed (each scanned).
    pub hundred: Summary,
    /// Rows those scans returned (the 100, and any stamped within the overlap).
    pub rows_returned: usize,
    /// The console's update on the look's answer: the 100 rows found and merged.
    pub merge: Summary,
    /// The same merge with a filter set (`role:user`, most of the table shown).
    pub merge_filtered: Summary,
    /// A cursor step right after that merge.
    pub key_after: Summary,
}

/// Changes `ids`' `updated_at` (to now, or back by ten minutes: out of every later look's
/// overlap) on one connection, and has its statistics reported at once.
async fn stamp(store: &Store, ids: &[Uuid], now: bool) {
    let mut conn = store.pool.acquire().await.expect("connection");
    let sql = if now {
        "UPDATE users SET updated_at = now() WHERE id = ANY($1)"
    } else {
        "UPDATE users SET updated_at = updated_at - interval '10 minutes' WHERE id = ANY($1)"
    };
    sqlx::query(sql).bind(ids).execute(&mut *conn).await.expect("stamp");
    sqlx::query("SELECT pg_stat_force_next_flush()").execute(&mut *conn).await.expect("flush");
    sqlx::query("SELECT 1").execute(&mut *conn).await.expect("after the flush");
}

/// A mark the next look finds nothing new against (the counters as they settle).
async fn settled_mark(store: &Store) -> Mark {
    for _ in 0..30 {
        let mark = live::mark_now(&store.schema, &store.pool).await.expect("mark");
        if live::look(store, &mark).await.expect("look").scan.is_none() {
            return mark;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the statistics counters kept moving for 15 s: something else writes to this database");
}

pub async fn run(store: &Store, rows: Vec<UserRow>, actor: &Actor, target: &str, runs: usize) -> LiveBench {
    let runs = runs.max(1);
    let mark = settled_mark(store).await;
    let mut quiet = Vec::new();
    for i in 0..runs * 10 {
        let start = Instant::now();
        let look = live::look(store, &mark).await.expect("look");
        let took = start.elapsed();
        if look.scan.is_none() {
            quiet.push(took);
        }
        if took > Duration::from_millis(20) {
            eprintln!("   quiet look {i}: {took:?} (scanned: {})", look.scan.is_some());
        }
    }
    let mut hundred = Vec::new();
    let mut looks: Vec<Look> = Vec::new();
    let mut rows_returned = 0;
    for run in 0..runs {
        let ids: Vec<Uuid> = rows.iter().skip(1000 + run * 100).take(100).map(|r| r.id).collect();
        let mark = settled_mark(store).await;
        stamp(store, &ids, true).await;
        let start = Instant::now();
        let look = live::look(store, &mark).await.expect("look");
        hundred.push(start.elapsed());
        let scan = look.scan.as_ref().expect("100 rows changed: the look scans");
        rows_returned = rows_returned.max(scan.rows.len());
        looks.push(look);
        stamp(store, &ids, false).await;
    }
    // The console with the whole table, answered each look in turn.
    let mut app = loaded_app(rows, actor.clone(), target);
    app.live.every = Some(1);
    let (mut merge, mut key_after, mut merge_filtered) = (Vec::new(), Vec::new(), Vec::new());
    let answer = |app: &mut skriptoteket_admin::tui::App, look: Look| {
        app.live.mark = Some(mark);
        let id = app
            .update(Event::Tick)
            .into_iter()
            .find_map(|e| match e {
                Effect::Db(r) if matches!(r.job, Job::Look(_)) => Some(r.id),
                _ => None,
            })
            .expect("a tick sends a look");
        let start = Instant::now();
        app.update(Event::Db(DbEvent::Answer { id, answer: Answer::Looked(Ok(look)) }));
        let took = start.elapsed();
        app.live.check_ids = false;
        took
    };
    for look in looks.clone() {
        merge.push(answer(&mut app, look));
        let start = Instant::now();
        app.update(Event::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Down)));
        key_after.push(start.elapsed());
    }
    // The same rows once more, with a filter: each look's rows differ again (their stamps
    // were put back since), so each is merged again.
    app.users.set_filter("role:user", time::OffsetDateTime::now_utc());
    for mut look in looks {
        if let Some(scan) = &mut look.scan {
            for r in &mut scan.rows {
                r.updated_at -= time::Duration::minutes(10);
            }
        }
        merge_filtered.push(answer(&mut app, look));
    }
    LiveBench {
        quiet: Summary::of(&quiet),
        hundred: Summary::of(&hundred),
        rows_returned,
        merge: Summary::of(&merge),
        merge_filtered: Summary::of(&merge_filtered),
        key_after: Summary::of(&key_after),
    }
}
