//! What the end-to-end tests share: a live-shaped database with seeded accounts, a runtime
//! to check rows from synchronous tests, and the key sequences of signing in and filtering.
#![allow(dead_code)]

use crate::common::{PASSWORD, TestDb, insert_user, live_store, scalar_i64, without_password};
use crate::pty::Console;
use skriptoteket_admin::domain::Role;

/// The superuser every end-to-end test signs in as (password `common::PASSWORD`).
pub const BOSS: &str = "boss@e2e.test";

pub struct Setup {
    pub db: TestDb,
    pub rt: tokio::runtime::Runtime,
    pub pool: sqlx::PgPool,
}

impl Setup {
    /// A live-shaped database with [`BOSS`] and `users` seeded.
    pub fn live(users: &[(&str, Role)]) -> Setup {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let (db, pool) = rt.block_on(async {
            let (db, _store) = live_store().await;
            let pool = db.pool().await;
            insert_user(&pool, BOSS, Role::Superuser).await;
            for (email, role) in users {
                insert_user(&pool, email, *role).await;
            }
            (db, pool)
        });
        Setup { db, rt, pool }
    }

    pub fn scalar(&self, sql: &str) -> i64 {
        self.rt.block_on(scalar_i64(&self.pool, sql))
    }

    /// The console on this database in a `cols`x`rows` terminal (a password of the URL in
    /// `PGPASSWORD`, off the command line).
    pub fn start(&self, cols: u16, rows: u16, env: &[(&str, &str)]) -> Console {
        let (url, password) = without_password(self.db.url());
        let mut env = env.to_vec();
        if let Some(p) = &password {
            env.push(("PGPASSWORD", p));
        }
        Console::start(&["--database-url", &url], cols, rows, &env)
    }
}

/// Signs in as [`BOSS`] and waits until `first_row` shows in the table.
pub fn log_in(c: &mut Console, first_row: &str) {
    c.wait_for("Password", 20);
    c.type_text(BOSS);
    c.tab();
    c.type_text(PASSWORD);
    c.enter();
    c.wait_for(first_row, 20);
}

/// Replaces the filter with `text` and keeps it.
pub fn filter(c: &mut Console, text: &str) {
    c.send("/");
    c.send("\x15"); // Ctrl-u empties the field
    c.type_text(text);
    c.enter();
}
