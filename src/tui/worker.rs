//! The database worker: one tokio task that takes `Command`s over a channel, runs each in
//! its own transaction (argon2 on the blocking pool), and answers with `DbEvent`s. When the
//! connection drops it reconnects by itself and says whether an interrupted change applied.

use super::event::{Command, DbEvent, Details, Edit, OpError, Outcome};
use crate::auth::hasher;
use crate::config::DbTarget;
use crate::domain::Action;
use crate::domain::{Role, Secret, password};
use crate::plural::count;
use crate::store::delete;
use crate::store::mutate::{self, Applied, Change};
use crate::store::targets::{Expected, Target};
use crate::store::{self, Actor, Store, StoreError, audit, dependents, sessions, users};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use uuid::Uuid;

struct Worker {
    store: Store,
    actor: Option<Actor>,
    tx: UnboundedSender<DbEvent>,
}

/// Runs until the command channel closes (the console quit).
pub async fn run(target: DbTarget, mut rx: UnboundedReceiver<Command>, tx: UnboundedSender<DbEvent>) {
    let store = connect_until_up(&target, &tx).await;
    let has_superuser = users::superuser_exists(&store).await.unwrap_or(true);
    let _ = tx.send(DbEvent::Connected { has_superuser });
    let mut w = Worker { store, actor: None, tx };
    while let Some(cmd) = rx.recv().await {
        w.handle(cmd).await;
    }
}

/// Connects, retrying with a message every second or so while the server is down or the
/// database has no `users` table yet.
async fn connect_until_up(target: &DbTarget, tx: &UnboundedSender<DbEvent>) -> Store {
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let message = match Store::connect(target).await {
            Ok(s) if s.schema.users => return s,
            Ok(_) => "the database has no users table yet: run `skriptoteket-admin migrate`".to_string(),
            Err(e) => e.to_string(),
        };
        tracing::warn!(attempt, %message, "database not ready");
        let _ = tx.send(DbEvent::Waiting { target: target.describe.clone(), message, attempt });
        tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(5)) * 400)).await;
    }
}

async fn hash_off_thread(pw: Secret) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || hasher::hash(&pw))
        .await
        .map_err(|e| StoreError::Db(format!("hashing failed: {e}")))?
        .map_err(StoreError::from)
}

impl Worker {
    fn send(&self, ev: DbEvent) {
        let _ = self.tx.send(ev);
    }

    /// Waits until a trivial query works again.
    async fn reconnect(&self, message: String) {
        tracing::warn!(%message, "connection lost");
        self.send(DbEvent::ConnectionLost { message });
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.store.ping().await {
                Ok(_) => break,
                Err(e) => self.send(DbEvent::Waiting {
                    target: self.store.target.describe.clone(),
                    message: e.to_string(),
                    attempt,
                }),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        self.send(DbEvent::Reconnected);
    }

    async fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Quit | Command::CopyToClipboard(_) => {}
            Command::Login { email, password } => {
                let ev = match self
                    .retry(|s| {
                        let (email, pw) = (email.clone(), password.clone());
                        async move { store::login::authenticate(&s, &email, &pw).await }
                    })
                    .await
                {
                    Ok(actor) => {
                        tracing::info!(actor = %crate::domain::sanitize::clean(&actor.email), "signed in");
                        self.actor = Some(actor.clone());
                        DbEvent::LoggedIn(actor)
                    }
                    Err(e) => DbEvent::LoginFailed(e.to_string()),
                };
                self.send(ev);
            }
            Command::Bootstrap { email, password } => {
                let res = async {
                    let hash = hash_off_thread(password.clone()).await?;
                    store::create::bootstrap(&self.store, &email, &hash).await
                }
                .await;
                match res {
                    Ok(row) => {
                        let actor = Actor { id: row.id, email: row.email, role: Role::Superuser };
                        self.actor = Some(actor.clone());
                        self.send(DbEvent::LoggedIn(actor));
                    }
                    Err(e) => self.send(DbEvent::LoginFailed(e.to_string())),
                }
            }
            Command::LoadUsers => {
                let res = self.retry(|s| async move { users::list(&s, &Default::default()).await }).await;
                match res {
                    Ok(rows) => self.send(DbEvent::Users(rows)),
                    Err(e) => self.send(DbEvent::Error(e.to_string())),
                }
            }
            Command::LoadDetails(id) => {
                let res = self.retry(|s| async move { details(&s, id).await }).await;
                self.send(DbEvent::Details(Box::new(res.map_err(|e| e.to_string()))));
            }
            Command::LoadAudit => {
                let res = self.retry(|s| async move { audit::recent(&s, 1000, None).await }).await;
                self.send(DbEvent::Audit(res.map_err(|e| e.to_string())));
            }
            Command::PlanDelete(targets) => {
                let Some(actor) = self.actor.clone() else { return };
                let t = seen(&targets);
                let res = self
                    .retry(|s| {
                        let (a, t) = (actor.clone(), t.clone());
                        async move { delete::plan(&s, &a, &t).await }
                    })
                    .await;
                self.send(DbEvent::DeletePlan(res.map_err(|e| e.to_string())));
            }
            Command::Edit { targets, edit } => {
                let op = edit.op();
                let change = match edit {
                    Edit::SetRole(r) => Change::SetRole(r),
                    Edit::SetActive(a) => Change::SetActive(a),
                    Edit::Unlock => Change::Unlock,
                    Edit::RevokeSessions => Change::RevokeSessions,
                };
                let outcome = self.change(op, &targets, change, None).await;
                self.send(DbEvent::Done(outcome));
            }
            Command::ResetPassword { target, password, revoke_sessions } => {
                let generated = password.is_none();
                let password = password.unwrap_or_else(password::generate);
                let outcome = match hash_off_thread(password.clone()).await {
                    Ok(hash) => {
                        let change = Change::ResetPassword { hash, revoke_sessions };
                        let shown = generated.then(|| (target.email.clone(), password));
                        self.change(Action::ResetPassword, std::slice::from_ref(&target), change, shown).await
                    }
                    Err(e) => failed(Action::ResetPassword, e),
                };
                self.send(DbEvent::Done(outcome));
            }
            Command::CreateUser { email, role, password } => {
                let generated = password.is_none();
                let password = password.unwrap_or_else(password::generate);
                let outcome = self.create(email, role, password, generated).await;
                self.send(DbEvent::Done(outcome));
            }
            Command::Delete(targets) => {
                let outcome = self.delete(&targets).await;
                self.send(DbEvent::Done(outcome));
            }
        }
    }

    /// Runs a read; if the connection drops, reconnects and tries once more.
    async fn retry<T, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        F: Fn(Store) -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        match f(self.store.clone()).await {
            Err(e) if e.is_connection() => {
                self.reconnect(e.to_string()).await;
                f(self.store.clone()).await
            }
            other => other,
        }
    }

    /// The affected rows as they are now, for the table to merge: ids missing from the
    /// answer were deleted. If the read fails, nothing is merged (a reload follows).
    async fn fresh_rows(&self, ids: Vec<Uuid>) -> (Vec<Uuid>, Vec<crate::store::UserRow>) {
        match users::by_ids(&self.store, &ids).await {
            Ok(rows) => (ids, rows),
            Err(_) => (Vec::new(), Vec::new()),
        }
    }

    /// The newest audit id before a change (see `audit::latest_id`).
    async fn audit_mark(&self) -> Result<i64, StoreError> {
        audit::latest_id(&self.store).await
    }

    async fn applied_since(&self, mark: i64, action: &str) -> Option<bool> {
        let actor = self.actor.as_ref()?;
        audit::written_since(&self.store, mark, actor.id, action).await.ok()
    }

    /// Turns a change's error into what the admin reads; after a lost connection, waits
    /// for it to come back and finds out whether the change committed.
    async fn settle(&self, op: Action, action: &str, mark: Option<i64>, e: StoreError) -> OpError {
        match e {
            e if e.is_connection() => {
                let message = format!("{} interrupted", op.label());
                self.reconnect(e.to_string()).await;
                let applied = match mark {
                    Some(m) => self.applied_since(m, action).await,
                    None => Some(false),
                };
                OpError::Interrupted { applied, message }
            }
            StoreError::Stale { .. } => OpError::Stale(e.to_string()),
            other => OpError::Failed(other.to_string()),
        }
    }

    async fn change(
        &self,
        op: Action,
        targets: &[Expected],
        change: Change,
        shown: Option<(String, Secret)>,
    ) -> Outcome {
        let Some(actor) = self.actor.clone() else { return failed(op, StoreError::InvalidCredentials) };
        let ids: Vec<Uuid> = targets.iter().map(|t| t.id).collect();
        let action = change.action().audit_name();
        let mark = self.audit_mark().await;
        let result = match mark {
            Ok(m) => match mutate::apply(&self.store, &actor, &seen(targets), &change).await {
                Ok(done) => Ok(summary(op, &change, &done)),
                Err(e) => Err(self.settle(op, action, Some(m), e).await),
            },
            Err(e) => Err(self.settle(op, action, None, e).await),
        };
        let (affected, refreshed) = self.fresh_rows(ids).await;
        tracing::info!(actor = %crate::domain::sanitize::clean(&actor.email), op = op.label(), n = affected.len(), ok = result.is_ok(), "change");
        let generated = keep_generated(&result, shown);
        Outcome { op, affected, refreshed, result, generated }
    }

    async fn create(
        &self,
        email: crate::domain::Email,
        role: Role,
        password: Secret,
        generated: bool,
    ) -> Outcome {
        let op = Action::Create;
        let Some(actor) = self.actor.clone() else { return failed(op, StoreError::InvalidCredentials) };
        let hash = match hash_off_thread(password.clone()).await {
            Ok(h) => h,
            Err(e) => return failed(op, e),
        };
        let mark = match self.audit_mark().await {
            Ok(m) => m,
            Err(e) => {
                return nothing_changed(op, self.settle(op, "create_user", None, e).await);
            }
        };
        match store::create::provision(&self.store, &actor, &email, role, &hash).await {
            Ok(row) => Outcome {
                op,
                affected: vec![row.id],
                result: Ok(format!("created {} ({})", row.email, row.role)),
                generated: generated.then(|| (row.email.clone(), password)),
                refreshed: vec![row],
            },
            Err(e) => {
                let err = self.settle(op, "create_user", Some(mark), e).await;
                // After an interrupted create, show the row if it exists.
                let refreshed = users::list(
                    &self.store,
                    &users::ListFilter { role: None, search: Some(email.to_string()) },
                )
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|r| r.email == email.as_str())
                .collect::<Vec<_>>();
                Outcome {
                    op,
                    affected: refreshed.iter().map(|r| r.id).collect(),
                    refreshed,
                    generated: keep_generated(
                        &Err(err.clone()),
                        generated.then(|| (email.to_string(), password)),
                    ),
                    result: Err(err),
                }
            }
        }
    }

    async fn delete(&self, targets: &[Expected]) -> Outcome {
        let op = Action::Delete;
        let Some(actor) = self.actor.clone() else { return failed(op, StoreError::InvalidCredentials) };
        let ids: Vec<Uuid> = targets.iter().map(|t| t.id).collect();
        let mark = match self.audit_mark().await {
            Ok(m) => m,
            Err(e) => {
                return nothing_changed(op, self.settle(op, "delete_user", None, e).await);
            }
        };
        let result = match delete::delete(&self.store, &actor, &seen(targets)).await {
            Ok((plan, rows)) => {
                let also = plan
                    .effects
                    .iter()
                    .map(|d| format!("{} {} {}", d.rows, d.table, d.on_delete.describe()))
                    .collect::<Vec<_>>()
                    .join(", ");
                let n = rows.len();
                Ok(if also.is_empty() {
                    format!("deleted {}", count(n as i64, "user"))
                } else {
                    format!("deleted {} ({also})", count(n as i64, "user"))
                })
            }
            Err(e) => Err(self.settle(op, "delete_user", Some(mark), e).await),
        };
        let (affected, refreshed) = self.fresh_rows(ids).await;
        Outcome { op, affected, refreshed, result, generated: None }
    }
}

/// A generated password is shown unless the change is known not to have happened: after
/// a lost connection the account may well have it now, and nobody else knows it.
fn keep_generated(
    result: &Result<String, OpError>,
    shown: Option<(String, Secret)>,
) -> Option<(String, Secret)> {
    match result {
        Ok(_) | Err(OpError::Interrupted { applied: Some(true) | None, .. }) => shown,
        Err(_) => None,
    }
}

fn seen(targets: &[Expected]) -> Vec<Target> {
    targets.iter().cloned().map(Target::Seen).collect()
}

fn failed(op: Action, e: StoreError) -> Outcome {
    nothing_changed(op, OpError::Failed(e.to_string()))
}

/// An outcome with no rows to refresh.
fn nothing_changed(op: Action, error: OpError) -> Outcome {
    Outcome { op, refreshed: Vec::new(), affected: Vec::new(), result: Err(error), generated: None }
}

fn summary(op: Action, change: &Change, done: &[Applied]) -> String {
    let changed = done.iter().filter(|a| a.changed).count();
    let same = done.len() - changed;
    let revoked: u64 = done.iter().map(|a| a.sessions_revoked).sum();
    let what = match change {
        Change::SetRole(r) => format!("role set to {r} for {}", count(changed as i64, "user")),
        Change::ResetPassword { .. } => match done.first() {
            Some(a) => format!("password of {} reset", a.email),
            None => "password reset".into(),
        },
        _ => format!("{}: {}", op.label(), count(changed as i64, "user")),
    };
    let mut s = what;
    if same > 0 {
        s.push_str(&format!(", {same} already so"));
    }
    if revoked > 0 {
        s.push_str(&format!(", {revoked} sessions revoked"));
    }
    s
}

async fn details(store: &Store, id: Uuid) -> Result<Details, StoreError> {
    let user = users::by_ids(store, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Db("the account was deleted meanwhile".into()))?;
    let profile = users::profile(store, id).await?;
    let sessions = sessions::active_for(store, id).await?;
    let mut conn = store.pool.acquire().await?;
    let dependents = dependents::count(&mut conn, &[id]).await?;
    let audit = if store.schema.audit_log { audit::recent(store, 20, Some(id)).await? } else { Vec::new() };
    Ok(Details { user, profile, sessions, dependents, audit })
}
