//! The numbers in BENCHMARKS.md: keystroke to drawn frame, bytes per frame, start to first
//! table, bulk role change, argon2 against argon2-cffi, resident memory, `deactivate-dormant`
//! and `import`, on seeded databases of 1k, 10k and 100k users. A plain `main`
//! (`harness = false`); run it with `benches/run.sh` or `cargo bench --bench console`.
//! Prints markdown.
//!
//! Environment (all optional):
//! `SKA_BENCH_SERVER` maintenance URL (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! `SKA_BENCH_SIZES` (default `1000,10000,100000,1000000`), `SKA_BENCH_ONLY` a comma list of
//! `keys,startup,bulk,argon2,rss,dormant,import,audit,sign-ins,live` (`import`, `audit`,
//! `sign-ins` and `live` run only when named: import takes minutes, audit seeds a million
//! audit rows, sign-ins two million login events, live changes rows of each size's database), `SKA_BENCH_PAIRS` keystroke pairs per kind
//! (500), `SKA_BENCH_RUNS` start-up runs (7), `SKA_BENCH_BULK_RUNS` (6),
//! `SKA_BENCH_PSQL_RUNS` (3), `SKA_BENCH_FLOW_SAMPLES` (30), `SKA_BENCH_PYTHON` (python3),
//! `SKA_BENCH_DORMANT_DAYS` (60), `SKA_BENCH_DORMANT_RUNS` (3), `SKA_BENCH_IMPORT_ROWS`
//! (10000).

#[path = "console/argon.rs"]
mod argon;
#[path = "console/audit.rs"]
mod audit;
#[path = "console/bulk.rs"]
mod bulk;
#[path = "console/dormant.rs"]
mod dormant;
#[path = "console/import.rs"]
mod import;
#[path = "console/keys.rs"]
mod keys;
#[path = "console/live.rs"]
mod live;
#[path = "console/rss.rs"]
mod rss;
#[path = "console/sign_ins.rs"]
mod sign_ins;
#[path = "console/startup.rs"]
mod startup;
#[path = "console/stats.rs"]
mod stats;

use skriptoteket_admin::config::DbTarget;
use skriptoteket_admin::domain::Secret;
use skriptoteket_admin::store::seed;
use skriptoteket_admin::store::{Schema, Store, login, users};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use stats::{ms, thousands, verdict};
use std::str::FromStr;
use std::time::Duration;

/// Users `seed::seed` adds besides the `n` generated ones (the demo cast).
const SEED_CAST: i64 = 8;
const BULK_USERS: i64 = 10_000;

struct Config {
    server: String,
    sizes: Vec<u32>,
    only: Vec<String>,
    pairs: usize,
    startup_runs: usize,
    bulk_runs: usize,
    psql_runs: usize,
    flow_samples: usize,
    /// Users in the bulk change (`SKA_BENCH_BULK_USERS`; default 10,000, a tenth above 100,000).
    bulk_users: Option<i64>,
    dormant_days: u32,
    dormant_runs: usize,
    import_rows: usize,
}

impl Config {
    fn from_env() -> Config {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let num = |k: &str, d: usize| var(k).and_then(|v| v.trim().parse().ok()).unwrap_or(d);
        Config {
            server: var("SKA_BENCH_SERVER")
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into()),
            sizes: var("SKA_BENCH_SIZES")
                .unwrap_or_else(|| "1000,10000,100000,1000000".into())
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect(),
            only: var("SKA_BENCH_ONLY")
                .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default(),
            pairs: num("SKA_BENCH_PAIRS", 500),
            startup_runs: num("SKA_BENCH_RUNS", 7),
            bulk_runs: num("SKA_BENCH_BULK_RUNS", 6),
            psql_runs: num("SKA_BENCH_PSQL_RUNS", 3),
            flow_samples: num("SKA_BENCH_FLOW_SAMPLES", 30),
            bulk_users: var("SKA_BENCH_BULK_USERS").and_then(|v| v.trim().parse().ok()),
            dormant_days: u32::try_from(num("SKA_BENCH_DORMANT_DAYS", 60)).unwrap_or(60),
            dormant_runs: num("SKA_BENCH_DORMANT_RUNS", 3),
            import_rows: num("SKA_BENCH_IMPORT_ROWS", 10_000),
        }
    }

    fn wants(&self, section: &str) -> bool {
        self.only.is_empty() || self.named(section)
    }

    /// Sections too long for every run (`import` hashes 10,000 passwords: minutes) run
    /// only when `SKA_BENCH_ONLY` names them.
    fn named(&self, section: &str) -> bool {
        self.only.iter().any(|s| s == section)
    }
}

/// Everything measured on one database size.
struct SizeResult {
    n: u32,
    users: i64,
    keys: Vec<keys::KeyResult>,
    redraw: Option<keys::Redraw>,
    /// How many users were marked, and the two keys of a bulk role change.
    flow: Option<(usize, Vec<keys::KeyResult>)>,
    startup: Option<startup::Startup>,
    bulk: Option<bulk::Bulk>,
    dormant: Option<dormant::Dormant>,
    live: Option<live::LiveBench>,
}

fn main() {
    let cfg = Config::from_env();
    LOAD_AT_START.get_or_init(loadavg);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    rt.block_on(run(cfg));
}

async fn run(cfg: Config) {
    let mut results = Vec::new();
    let mut largest: Option<(DbTarget, String, String)> = None;
    let mut pg_version = String::new();
    for &n in &cfg.sizes {
        let name = format!("ska_bench_{n}");
        eprintln!("== {name}");
        let (target, users_now) = ensure_database(&cfg.server, &name, n).await;
        let store = bench_store(&target).await;
        pg_version =
            sqlx::query_scalar("SHOW server_version").fetch_one(&store.pool).await.unwrap_or_default();
        let actor = login::authenticate(
            &store,
            seed::DEMO_SUPERUSER,
            &Secret::from(seed::DEMO_PASSWORD),
            &skriptoteket_admin::store::login::Origin::current("tests"),
        )
        .await
        .expect("the seeded superuser logs in");
        let mut r = SizeResult {
            n,
            users: users_now,
            keys: Vec::new(),
            redraw: None,
            flow: None,
            startup: None,
            bulk: None,
            dormant: None,
            live: None,
        };
        if cfg.wants("keys") || cfg.wants("rss") {
            let rows = users::list(&store, &Default::default()).await.expect("list");
            let first = rows.iter().map(|r| r.email.as_str()).min().unwrap_or("").chars().take(12).collect();
            if cfg.wants("keys") {
                eprintln!("   keystrokes ({} pairs per kind)", cfg.pairs);
                r.keys = keys::run(&rows, &actor, &target.describe, cfg.pairs);
                r.redraw = Some(keys::redraw(&rows, &actor, &target.describe, cfg.pairs));
                r.flow = Some(keys::bulk_flow(&rows, &actor, &target.describe, cfg.flow_samples));
            }
            largest = Some((target.clone(), name.clone(), first));
        }
        if cfg.named("live") {
            eprintln!("   live table looks ({} runs)", cfg.bulk_runs);
            let rows = users::list(&store, &Default::default()).await.expect("list");
            r.live = Some(live::run(&store, rows, &actor, &target.describe, cfg.bulk_runs).await);
        }
        if cfg.wants("startup") {
            eprintln!("   start to first table ({} runs)", cfg.startup_runs);
            r.startup = Some(startup::run(&target, &actor, cfg.startup_runs).await);
        }
        if cfg.wants("bulk") {
            eprintln!("   bulk role change ({} runs, {} psql runs)", cfg.bulk_runs, cfg.psql_runs);
            // 10,000 of up to 100,000 users; a tenth of the table beyond that.
            let bulk_users =
                cfg.bulk_users.unwrap_or(if n > 100_000 { i64::from(n) / 10 } else { BULK_USERS });
            r.bulk = Some(bulk::run(&store, &actor, bulk_users, cfg.bulk_runs, cfg.psql_runs).await);
        }
        if cfg.wants("dormant") {
            eprintln!(
                "   deactivate-dormant --days {} ({} runs, each undone)",
                cfg.dormant_days, cfg.dormant_runs
            );
            r.dormant = Some(dormant::run(&store, &actor, cfg.dormant_days, cfg.dormant_runs).await);
        }
        store.pool.close().await;
        results.push(r);
    }
    let imported = if cfg.named("import") {
        eprintln!("== import of {} CSV rows into a fresh database (release binary)", cfg.import_rows);
        let binary = env!("CARGO_BIN_EXE_skriptoteket-admin");
        Some(import::run(&cfg.server, binary, cfg.import_rows).await)
    } else {
        None
    };
    let audited = if cfg.named("audit") {
        eprintln!("== the audit viewer on a log of a million rows (ska_bench_audit, made anew)");
        let (target, _) =
            seed::create_database(&cfg.server, "ska_bench_audit", true).await.expect("database");
        let mut store = Store::connect(&target).await.expect("connect");
        seed::prepare_schema(&mut store).await.expect("schema");
        let store = bench_store(&target).await;
        let a = audit::run(&store, cfg.bulk_runs).await;
        store.pool.close().await;
        Some(a)
    } else {
        None
    };
    let signed = if cfg.named("sign-ins") {
        eprintln!("== sign-ins over 2,000,000 login events (ska_bench_sign_ins, made anew)");
        let (target, _) =
            seed::create_database(&cfg.server, "ska_bench_sign_ins", true).await.expect("database");
        let mut store = Store::connect(&target).await.expect("connect");
        seed::prepare_schema(&mut store).await.expect("schema");
        seed::seed(&store, 1000).await.expect("users");
        sqlx::query("DELETE FROM login_events").execute(&store.pool).await.expect("empty the demo's");
        let store = bench_store(&target).await;
        let s = sign_ins::run(&store, cfg.bulk_runs).await;
        store.pool.close().await;
        Some(s)
    } else {
        None
    };
    let argon = cfg.wants("argon2").then(|| {
        eprintln!("== argon2 (3 rounds of 5, Rust then Python)");
        argon::run(3, 5)
    });
    let mut memory = None;
    if cfg.wants("rss")
        && let Some((target, name, first)) = &largest
    {
        eprintln!("== resident memory ({name})");
        let store = bench_store(target).await;
        let setup = rss::Setup {
            binary: env!("CARGO_BIN_EXE_skriptoteket-admin"),
            url: target.url(),
            db: name,
            email: seed::DEMO_SUPERUSER,
            password: seed::DEMO_PASSWORD,
            expect_on_screen: first,
            idle: Duration::from_secs(3),
        };
        memory = Some((name.clone(), rss::run(&setup, &store.pool).await));
        store.pool.close().await;
    }
    print_report(&cfg, &pg_version, &results, argon.as_ref(), memory.as_ref());
    if let Some(i) = &imported {
        print_import(i);
    }
    if let Some(a) = &audited {
        print_audit(a);
    }
    if let Some(s) = &signed {
        print_sign_ins(s);
    }
    for r in &results {
        if let Some(l) = &r.live {
            print_live(r.users, l);
        }
    }
}

fn print_live(users: i64, l: &live::LiveBench) {
    println!(
        "## the live table's look at {} users (wall time on loopback: server time plus the round trips)
",
        thousands(users as u64)
    );
    println!("| what | p50 | p99 | target |\n|---|---|---|---|");
    println!(
        "| a look, nothing changed (one query: the counters) | {} | {} | < 20 ms {} |",
        ms(l.quiet.p50),
        ms(l.quiet.p99),
        verdict(l.quiet.p99 < 20.0)
    );
    println!(
        "| a look after 100 rows changed (counters, then `users` read once; {} rows returned at most) | {} | {} | |",
        l.rows_returned,
        ms(l.hundred.p50),
        ms(l.hundred.p99)
    );
    println!(
        "| the console merging those rows (its thread; keys wait this long) | {} | {} | < 8 ms {} |",
        ms(l.merge.p50),
        ms(l.merge.p99),
        verdict(l.merge.p99 < 8.0)
    );
    println!(
        "| the same merge with a filter set (`role:user`) | {} | {} | < 8 ms {} |",
        ms(l.merge_filtered.p50),
        ms(l.merge_filtered.p99),
        verdict(l.merge_filtered.p99 < 8.0)
    );
    println!(
        "| a cursor step right after (update only) | {} | {} | |\n",
        ms(l.key_after.p50),
        ms(l.key_after.p99)
    );
}

fn print_sign_ins(s: &sign_ins::SignInsBench) {
    println!(
        "## sign-ins over {} login events
",
        thousands(s.events as u64)
    );
    println!("30 days of attempts over 1,000 accounts (each from four addresses of its own), one spraying source and one brute-forced account; the whole report (totals, findings, both tables, the locked accounts).
");
    println!(
        "| --since | p50 | p99 |
|---|---|---|"
    );
    for (since, t) in &s.windows {
        println!("| {since} | {} | {} |", ms(t.p50), ms(t.p99));
    }
    println!();
    println!(
        "| the console's view (`A`), opening: the report and the chart's bars | p50 | p99 | target |
|---|---|---|---|"
    );
    for (since, t) in &s.views {
        let target = if *since == "24h" { 300.0 } else { 2000.0 };
        println!("| {since} | {} | {} | < {} ms {} |", ms(t.p50), ms(t.p99), target, verdict(t.p99 < target));
    }
    println!();
}

fn print_audit(a: &audit::AuditBench) {
    println!(
        "## The audit viewer on a log of {} rows
",
        thousands(a.rows as u64)
    );
    println!("One sweep of 890,000 accounts, 20,000 single changes, 90,000 sign-ins; the viewer's list is the newest 500 changes.
");
    println!(
        "| typed in the viewer's filter | p50 | p99 |
|---|---|---|"
    );
    for (typed, s) in &a.lists {
        let typed = if typed.is_empty() { "(nothing: L)".to_string() } else { format!("`{typed}`") };
        println!("| {typed} | {} | {} |", ms(s.p50), ms(s.p99));
    }
    println!(
        "| Enter on the sweep: its first 5,000 accounts | {} | {} |
",
        ms(a.open_sweep.p50),
        ms(a.open_sweep.p99)
    );
}

/// Reuses `ska_bench_N` when it holds exactly the seeded users, else creates it anew.
async fn ensure_database(server: &str, name: &str, n: u32) -> (DbTarget, i64) {
    let want = i64::from(n) + SEED_CAST;
    let (target, _) = seed::create_database(server, name, false).await.expect("create database");
    let mut store = Store::connect(&target).await.expect("connect");
    let count: Option<i64> = if store.schema.users && store.schema.audit_log {
        sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&store.pool).await.ok()
    } else {
        None
    };
    if count == Some(want) {
        store.pool.close().await;
        eprintln!("   reused: {want} users");
        return (target, want);
    }
    store.pool.close().await;
    eprintln!("   seeding {n} users (found {count:?}, want {want})");
    let (target, _) = seed::create_database(server, name, true).await.expect("recreate database");
    store = Store::connect(&target).await.expect("connect");
    seed::prepare_schema(&mut store).await.expect("schema");
    let got = seed::seed(&store, n).await.expect("seed");
    sqlx::query("VACUUM ANALYZE").execute(&store.pool).await.expect("vacuum");
    store.pool.close().await;
    assert_eq!(got, want, "seed made an unexpected number of users");
    (target, got)
}

/// A store whose connections are named `ska-bench`, so they are never mistaken for the
/// console's own (the memory run watches `pg_stat_activity` for those).
async fn bench_store(target: &DbTarget) -> Store {
    let opts = PgConnectOptions::from_str(target.url()).expect("url").application_name("ska-bench");
    let pool = PgPoolOptions::new().max_connections(4).connect_with(opts).await.expect("bench pool");
    let schema = Schema::detect(&pool).await.expect("schema");
    Store { pool, schema, target: target.clone() }
}

static LOAD_AT_START: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// `/proc/loadavg`'s 1, 5 and 15 minute averages: other work on the machine shows here.
fn loadavg() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn machine() -> Vec<(String, String)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let meminfo = read("/proc/meminfo");
    let ram_kib: u64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let cmd = |c: &str, args: &[&str]| {
        std::process::Command::new(c)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let nproc = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let dirty = if cmd("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty() {
        ""
    } else {
        " (+ uncommitted changes)"
    };
    vec![
        ("date (UTC)".into(), cmd("date", &["-u", "+%Y-%m-%d %H:%M"])),
        ("nproc".into(), nproc.to_string()),
        (
            "load average (1/5/15 min), start / end".into(),
            format!("{} / {}", LOAD_AT_START.get().map(String::as_str).unwrap_or("?"), loadavg()),
        ),
        ("CPU".into(), cpu),
        ("RAM".into(), format!("{:.1} GiB", ram_kib as f64 / 1024.0 / 1024.0)),
        ("rustc".into(), cmd("rustc", &["-V"])),
        ("commit".into(), format!("{}{dirty}", cmd("git", &["rev-parse", "--short", "HEAD"]))),
    ]
}

fn print_report(
    cfg: &Config,
    pg_version: &str,
    results: &[SizeResult],
    argon: Option<&argon::Argon>,
    memory: Option<&(String, Result<rss::Rss, String>)>,
) {
    println!("## Machine and run\n");
    println!("| fact | value |\n|---|---|");
    for (k, v) in machine() {
        println!("| {k} | {v} |");
    }
    println!("| PostgreSQL | {pg_version} (127.0.0.1:5432) |");
    println!("| command | `benches/run.sh` (= `cargo bench --bench console`) |");
    println!(
        "| samples | {} keystroke pairs per kind, {} start-ups, {} bulk applies, {} psql bulk runs |",
        cfg.pairs, cfg.startup_runs, cfg.bulk_runs, cfg.psql_runs
    );
    println!();
    for r in results {
        print_size(r);
    }
    if results.len() > 1 {
        print_scaling(results);
    }
    if let Some(a) = argon {
        println!("## argon2id hash at m=65536, t=3, p=4\n");
        println!("| implementation | time per hash |\n|---|---|");
        println!("| `auth::hasher::hash` (Rust, argon2 0.6 `parallel`) | {} |", a.rust.spread());
        match (&a.python, &a.python_error) {
            (Some(p), _) => {
                println!("| argon2-cffi `PasswordHasher().hash` ({}) | {} |", a.python_params, p.spread());
                let ratio = a.rust.p50 / p.p50;
                println!(
                    "\nratio Rust/argon2-cffi (medians): **{ratio:.2}x** (target <= 1.0x: {})\n",
                    verdict(ratio <= 1.0)
                );
            }
            (None, Some(e)) => println!("| argon2-cffi | not measured: {e} |\n"),
            (None, None) => println!(),
        }
    }
    if let Some((name, m)) = memory {
        println!("## Resident memory, release binary, {name}, idle after the table is drawn\n");
        match m {
            Ok(m) => {
                let mib = |k: u64| k as f64 / 1024.0;
                let ok = m.rss_kib < 120 * 1024;
                println!(
                    "| VmRSS | VmHWM (peak) | Enter at log-in to first rows | to all loaded | table seen on screen | target < 120 MiB |"
                );
                println!("|---|---|---|---|---|---|");
                println!(
                    "| {:.1} MiB | {:.1} MiB | {} | {} | {} | {} |\n",
                    mib(m.rss_kib),
                    mib(m.hwm_kib),
                    ms(m.login_to_table.as_secs_f64() * 1e3),
                    ms(m.login_to_all.as_secs_f64() * 1e3),
                    if m.table_seen { "yes" } else { "no" },
                    verdict(ok)
                );
            }
            Err(e) => println!("not measured: {e}\n"),
        }
    }
}

/// A keystroke's budget: 4 ms up to 100,000 users (and a few more), 8 ms at a million.
fn key_budget_ms(users: i64) -> f64 {
    if users > 200_000 { 8.0 } else { 4.0 }
}

fn print_size(r: &SizeResult) {
    println!("## {} users (ska_bench_{})\n", thousands(r.users as u64), r.n);
    if !r.keys.is_empty() {
        println!(
            "Keystroke to drawn frame, 120x40 (`App::update` + `view::draw` into a byte-counting crossterm backend):\n"
        );
        println!(
            "| key | time (update + draw) | p50 update / draw | bytes written (p50 / max) | p99 < {} ms |\n|---|---|---|---|---|",
            key_budget_ms(r.users)
        );
        for k in &r.keys {
            println!(
                "| {} | {} | {} / {} | {} / {} | {} |",
                k.name,
                k.time.spread(),
                ms(k.update.p50),
                ms(k.draw.p50),
                thousands(k.bytes_p50),
                thousands(k.bytes_max),
                verdict(k.time.p99 < key_budget_ms(r.users))
            );
        }
        println!();
    }
    if let Some(d) = &r.redraw {
        println!(
            "Bytes for one cursor step: **{}** (target < 1,500: {}); full redraw of the same screen (clear + draw): {} ({:.1}x the step; redraw time {}).\n",
            thousands(d.step_bytes),
            verdict(d.step_bytes < 1500),
            thousands(d.full_bytes),
            d.full_bytes as f64 / d.step_bytes.max(1) as f64,
            d.full_time.spread()
        );
    }
    if let Some((marked, flow)) = &r.flow {
        println!(
            "Not a target: the keys of a bulk role change with {} users marked (`role:user`, `*`):\n",
            thousands(*marked as u64)
        );
        println!("| key | time (update + draw) | p50 update / draw |\n|---|---|---|");
        for k in flow {
            println!("| {} | {} | {} / {} |", k.name, k.time.spread(), ms(k.update.p50), ms(k.draw.p50));
        }
        println!();
    }
    if let Some(s) = &r.startup {
        let ratio = s.all.p50 / s.psql.p50;
        println!(
            "Start to first table (connect, first chunk read and decoded, console state, first frame), in-process:\n"
        );
        println!("| part | time |\n|---|---|");
        println!("| connect (`Store::connect`: pool + schema) | {} |", s.connect.spread());
        println!("| first chunk read + decoded (`store::stream::table`) | {} |", s.first_chunk.spread());
        println!("| console state (`App::update` with the chunk) | {} |", s.app.spread());
        println!("| first frame drawn | {} |", s.draw.spread());
        println!("| **first rows on screen** | {} |", s.total.spread());
        println!("| **every row loaded and drawn** | {} |", s.all.spread());
        println!("| `psql -X -q URL -c \"<the same SELECT>\" > /dev/null` | {} |", s.psql.spread());
        println!("| (diagnostic) first rows with `sslmode=disable` | {} |", s.no_tls.spread());
        println!("| `skriptoteket-admin list --format json > /dev/null` | {} |", s.list_json.spread());
        println!(
            "\nfirst rows p50 {} (target < 300 ms: {}); all loaded p50 {} (target < 2 s: {}); all loaded / psql **{ratio:.2}x** (target < 2: {})\n",
            ms(s.total.p50),
            verdict(s.total.p50 < 300.0),
            ms(s.all.p50),
            verdict(s.all.p50 < 2000.0),
            verdict(ratio < 2.0)
        );
        let list = s.list_json.p50 / s.psql.p50;
        println!("`list --format json` / psql **{list:.2}x** (target < 1: {})\n", verdict(list < 1.0));
    }
    if let Some(d) = &r.dormant {
        print_dormant(r.users, r.n, d);
    }
    if let Some(b) = &r.bulk {
        let ratio = b.psql.p50 / b.apply.p50;
        println!(
            "Bulk role change of {} users (contributor <-> user), with audit rows:\n",
            thousands(b.users as u64)
        );
        println!("| way | time |\n|---|---|");
        println!("| `store::change::apply(Change::SetRole)`, one transaction | {} |", b.apply.spread());
        println!(
            "| runbook: `psql -f` of one `UPDATE` per user, autocommit, no audit | {} |",
            b.psql.spread()
        );
        // 1 s for 10,000 users; 5 s for 100,000 (issue 13).
        let budget = if b.users > 10_000 { 5000.0 } else { 1000.0 };
        println!(
            "\napply p50 {} (target < {} s: {}); the runbook takes **{ratio:.1}x** as long\n",
            ms(b.apply.p50),
            budget / 1000.0,
            verdict(b.apply.p50 < budget)
        );
    }
}

fn print_dormant(users: i64, n: u32, d: &dormant::Dormant) {
    println!(
        "`deactivate-dormant --days {}` on {} users (ska_bench_{n}): {} of {} active accounts dormant \
         (admins and superusers spared), {} revoked; each run undone afterwards:\n",
        d.days,
        thousands(users as u64),
        thousands(d.accounts as u64),
        thousands(d.active as u64),
        skriptoteket_admin::plural::count(i64::try_from(d.sessions_revoked).unwrap_or(i64::MAX), "session")
    );
    println!("| step | time |\n|---|---|");
    println!(
        "| dry run (`store::dormant::plan`: find, then plan in a read-only transaction) | {} |",
        d.plan.spread()
    );
    println!(
        "| real run (`store::dormant::deactivate`: one transaction, an audit row per account) | {} |",
        d.apply.spread()
    );
    println!("| undo (`store::revert::revert` of that change, one transaction) | {} |", d.revert.spread());
    println!();
}

/// Milliseconds, or seconds from 10 s on.
fn long(d: Duration) -> String {
    if d.as_secs() >= 10 { format!("{:.1} s", d.as_secs_f64()) } else { ms(d.as_secs_f64() * 1e3) }
}

fn print_import(i: &import::Import) {
    println!("## import of {} CSV rows into a fresh database\n", thousands(i.rows as u64));
    println!(
        "The release binary, as an admin runs it; CPU is user + system time of the process (all its threads).\n"
    );
    println!("| run | wall | CPU | CPU / wall |\n|---|---|---|---|");
    for (what, r) in [("`import FILE --dry-run`", &i.dry), ("`import FILE --passwords-out F`", &i.real)] {
        println!("| {what} | {} | {} | {:.2} |", long(r.wall), long(r.cpu), r.cores_busy());
    }
    let per = |d: Duration| ms(d.as_secs_f64() * 1e3 / i.rows.max(1) as f64);
    println!(
        "\n{} accounts: {} of wall time and {} of CPU per account; CPU / wall {:.2} on {} cores ({} argon2id \
         hashes at m=65536, t=3, p=4, as many at a time as there are cores, each running its 4 lanes in \
         parallel: 2.0 would be both cores busy the whole time).\n",
        thousands(i.rows as u64),
        per(i.real.wall),
        per(i.real.cpu),
        i.real.cores_busy(),
        i.cores,
        thousands(i.rows as u64),
    );
}

fn print_scaling(results: &[SizeResult]) {
    let header: Vec<String> = results.iter().map(|r| thousands(r.users as u64)).collect();
    println!("## Scaling\n");
    println!("| what | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(results.len()));
    let row = |label: &str, f: &dyn Fn(&SizeResult) -> Option<String>| {
        let cells: Vec<String> = results.iter().map(|r| f(r).unwrap_or_else(|| "-".into())).collect();
        println!("| {label} | {} |", cells.join(" | "));
    };
    let key = |name: &'static str| {
        move |r: &SizeResult| {
            r.keys.iter().find(|k| k.name == name).map(|k| format!("{} / {}", ms(k.time.p50), ms(k.time.p99)))
        }
    };
    row("cursor step j, p50 / p99", &key("cursor step (j)"));
    row("page step PgDn, p50 / p99", &key("page step (PgDn)"));
    row("filter character, p50 / p99", &key("filter: type a character"));
    row("`*` mark all, p50 / p99", &key("`*` mark all filtered"));
    row("bytes per cursor step (full redraw)", &|r| {
        r.redraw.as_ref().map(|d| format!("{} ({})", thousands(d.step_bytes), thousands(d.full_bytes)))
    });
    row("first rows on screen p50 / all loaded p50 (psql p50, ratio all/psql)", &|r| {
        r.startup.as_ref().map(|s| {
            format!(
                "{} / {} ({}, {:.2}x)",
                ms(s.total.p50),
                ms(s.all.p50),
                ms(s.psql.p50),
                s.all.p50 / s.psql.p50
            )
        })
    });
    row("`list --format json` p50 (psql p50, ratio)", &|r| {
        r.startup.as_ref().map(|s| {
            format!("{} ({}, {:.2}x)", ms(s.list_json.p50), ms(s.psql.p50), s.list_json.p50 / s.psql.p50)
        })
    });
    row("bulk role change p50 (users; runbook p50, ratio)", &|r| {
        r.bulk.as_ref().map(|b| {
            format!(
                "{} ({}; {}, {:.1}x)",
                ms(b.apply.p50),
                thousands(b.users as u64),
                ms(b.psql.p50),
                b.psql.p50 / b.apply.p50
            )
        })
    });
    println!();
}
