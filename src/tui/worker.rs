//! The database worker: one tokio task that takes `Request`s over a channel, runs each in
//! its own transaction (argon2 on the blocking pool), and answers with data tagged with the
//! request's id. When the connection drops it reconnects by itself and finds out whether an
//! interrupted change applied.

use super::event::{
    AUDIT_CHANGES, Answer, CHANGE_ENTRIES, DbEvent, Details, ImportError, ImportFailure, ImportOutcome,
    Imported, Job, OpError, Outcome, Request, RequestId,
};
use crate::auth::hasher;
use crate::config::DbTarget;
use crate::domain::import::{DEFAULT_MAX_ROWS, NewAccount};
use crate::domain::permissions::ActorView;
use crate::domain::{Change, Done, Reason, Role, Secret, Stamp, UserRow, password};
use crate::provision::{self, FilePlan, HandOutError, Passwords, PlanError, StopFlag, Unclaimed};
use crate::store::login::Origin;
use crate::store::targets::{Seen, Target};
use crate::store::{self, Actor, Store, StoreError, audit, delete, dependents, sessions, stream, users};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use uuid::Uuid;

struct Worker {
    store: Store,
    actor: Option<Actor>,
    tx: UnboundedSender<DbEvent>,
}

/// Runs until the request channel closes (the console quit), or stops at once when the
/// database cannot be used as configured.
pub async fn run(target: DbTarget, mut rx: UnboundedReceiver<Request>, tx: UnboundedSender<DbEvent>) {
    let Some(store) = connect_until_up(&target, &tx).await else { return };
    let has_superuser = users::superuser_exists(&store).await.unwrap_or(true);
    let _ = tx.send(DbEvent::Connected { has_superuser, audit_log: store.schema.audit_log });
    let mut w = Worker { store, actor: None, tx };
    while let Some(Request { id, job }) = rx.recv().await {
        if let Some(answer) = w.handle(id, job).await {
            w.send(DbEvent::Answer { id, answer });
        }
    }
}

/// Connects, retrying with a message every second or so while the server is down or
/// unreachable (refused, reset, timed out). A database that answers but cannot be used as
/// configured (no such database, role or password, no `users` table) is reported as
/// `Unusable` at once, and `None` is returned: retrying would wait for ever.
async fn connect_until_up(target: &DbTarget, tx: &UnboundedSender<DbEvent>) -> Option<Store> {
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let err = match Store::connect(target).await {
            Ok(s) if s.schema.users => return Some(s),
            Ok(_) => StoreError::NoUsersTable,
            Err(e) => e,
        };
        if err.is_permanent() {
            tracing::error!(message = %err, "database unusable");
            let _ = tx.send(DbEvent::Unusable { target: target.label(), error: Arc::new(err) });
            return None;
        }
        tracing::warn!(attempt, message = %err, "database not ready");
        let _ = tx.send(DbEvent::Waiting { target: target.label(), error: Arc::new(err), attempt });
        tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(5)) * 400)).await;
    }
}

impl Worker {
    fn send(&self, ev: DbEvent) {
        let _ = self.tx.send(ev);
    }

    /// Runs `migrate` on a connection of its own, then re-reads what the schema offers.
    /// The migrator's future cannot be proven `Send` for every lifetime (sqlx's `Acquire`
    /// bound), which a spawned worker needs: it runs on a blocking thread instead.
    async fn migrate(&mut self) -> Result<(), StoreError> {
        let target = self.store.target.clone();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            runtime.block_on(async move {
                let mut store = Store::connect(&target).await?;
                let res = store::migrate::run(&mut store).await;
                store.pool.close().await;
                res
            })
        })
        .await
        .map_err(|e| StoreError::Migrate(format!("the migration stopped: {e}")))??;
        self.store.refresh_schema().await
    }

    /// Waits until a trivial query works again.
    async fn reconnect(&self, error: StoreError) {
        tracing::warn!(message = %error, "connection lost");
        self.send(DbEvent::ConnectionLost { error: Arc::new(error) });
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.store.ping().await {
                Ok(_) => break,
                Err(e) => self.send(DbEvent::Waiting {
                    target: self.store.target.label(),
                    error: Arc::new(e),
                    attempt,
                }),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        self.send(DbEvent::Reconnected);
    }

    /// Runs one job; its answer, or `None` when the job sent its answers itself.
    async fn handle(&mut self, id: RequestId, job: Job) -> Option<Answer> {
        Some(match job {
            Job::LoadUsers => {
                return self.load_users(id).await.err().map(|e| Answer::UserChunk(Err(Arc::new(e))));
            }
            Job::Look(mark) => Answer::Looked(
                self.retry(|s| async move { store::live::look(&s, &mark).await }).await.map_err(Arc::new),
            ),
            Job::Reconcile(mine) => Answer::Reconciled(
                self.retry(|s| {
                    let mine = mine.clone();
                    async move { store::live::reconcile(&s, &mine).await }
                })
                .await
                .map_err(Arc::new),
            ),
            Job::LoadSignIns { span, thresholds } => Answer::SignIns(
                self.retry(|s| async move {
                    let until = time::OffsetDateTime::now_utc();
                    store::sign_ins::overview(&s, span, thresholds, until).await.map(Box::new)
                })
                .await
                .map_err(Arc::new),
            ),
            Job::SourceAccounts { since, ip_address } => Answer::SourceAccounts(
                self.retry(|s| {
                    let ip = ip_address.clone();
                    async move {
                        let w = store::sign_ins::Window { since, web_only: false };
                        store::sign_ins::accounts_of(&s, w, ip.as_deref()).await
                    }
                })
                .await
                .map_err(Arc::new),
            ),
            Job::Login { email, password } => {
                let res = self
                    .retry(|s| {
                        let (email, pw) = (email.clone(), password.clone());
                        async move {
                            store::login::authenticate(&s, &email, &pw, &Origin::current("console")).await
                        }
                    })
                    .await;
                match res {
                    Ok(actor) => {
                        tracing::info!(actor = %crate::domain::sanitize::clean(&actor.email), "signed in");
                        self.actor = Some(actor.clone());
                        Answer::LoggedIn(actor)
                    }
                    Err(e) => Answer::LoginFailed(Arc::new(e)),
                }
            }
            Job::Bootstrap { email, password } => {
                let res = async {
                    let hash = hasher::hash_off_thread(password).await?;
                    store::create::bootstrap(&self.store, &Stamp::new(None), &email, &hash).await
                }
                .await;
                match res {
                    Ok(row) => {
                        let actor = Actor { id: row.id, email: row.email, role: Role::Superuser };
                        self.actor = Some(actor.clone());
                        Answer::LoggedIn(actor)
                    }
                    Err(e) => Answer::LoginFailed(Arc::new(e)),
                }
            }
            Job::Migrate => {
                let res = self.migrate().await;
                if let Err(e) = &res {
                    tracing::error!(message = %e, "migration from the console failed");
                }
                Answer::Migrated(res.map_err(Arc::new))
            }
            Job::LoadDetails(id) => {
                let res = self.retry(|s| async move { details(&s, id).await }).await;
                Answer::Details(Box::new(res.map_err(Arc::new)))
            }
            Job::LoadEditable(id) => {
                let res = self.retry(|s| async move { store::edit::current(&s, id).await }).await;
                Answer::Editable(res.map_err(Arc::new))
            }
            Job::LoadProfiles(ids) => {
                let res = self
                    .retry(|s| {
                        let ids = ids.clone();
                        async move { users::profiles(&s, &ids).await }
                    })
                    .await;
                Answer::Profiles(res.map(Arc::new).map_err(Arc::new))
            }
            Job::LoadAudit(filter) => {
                let res = self
                    .retry(|s| {
                        let filter = filter.clone();
                        async move { audit::changes(&s, &filter, AUDIT_CHANGES).await }
                    })
                    .await;
                Answer::AuditChanges(res.map_err(Arc::new))
            }
            Job::FindChange(prefix) => {
                let res = self
                    .retry(|s| {
                        let filter = crate::domain::audit_filter::AuditFilter {
                            change: Some(prefix.clone()),
                            sign_ins: true,
                            ..Default::default()
                        };
                        async move { audit::changes(&s, &filter, 2).await }
                    })
                    .await;
                Answer::ChangesFound(res.map_err(Arc::new))
            }
            Job::LoadChange(id) => {
                let res =
                    self.retry(|s| async move { audit::first_of_change(&s, id, CHANGE_ENTRIES).await }).await;
                Answer::ChangeEntries(res.map_err(Arc::new))
            }
            Job::PlanDelete(targets) => {
                let Some(actor) = self.actor.clone() else {
                    return Some(Answer::DeletePlan(Err(Arc::new(StoreError::InvalidCredentials))));
                };
                let t = as_targets(&targets);
                let res = self
                    .retry(|s| {
                        let (a, t) = (actor.clone(), t.clone());
                        async move { delete::plan(&s, &a, &t).await }
                    })
                    .await;
                Answer::DeletePlan(res.map_err(Arc::new))
            }
            Job::Apply { change, targets, password, reason } => {
                Answer::Applied(Box::new(self.apply(change, targets, password, reason).await))
            }
            Job::PlanImport { file, passwords } => {
                Answer::ImportPlan(self.plan_import(&file, &passwords).await.map(Arc::new).map_err(Arc::new))
            }
            Job::Import { accounts, passwords, reason, stop } => {
                Answer::Imported(Box::new(self.import(id, &accounts, passwords, reason, &stop).await))
            }
        })
    }

    /// Streams the whole table to the console, chunk by chunk as each is decoded. After a
    /// lost connection it reconnects and reads it once more from the start (the console
    /// starts over on a first chunk).
    async fn load_users(&self, id: RequestId) -> Result<(), StoreError> {
        let send = |chunk| self.tx.send(DbEvent::Answer { id, answer: Answer::UserChunk(Ok(chunk)) }).is_ok();
        match stream::table(&self.store, send).await {
            Err(e) if e.is_connection() => {
                self.reconnect(e).await;
                stream::table(&self.store, send).await
            }
            other => other,
        }
    }

    /// Runs a read; if the connection drops (or no answer comes within
    /// [`store::ANSWER_TIMEOUT`]), reconnects and tries once more.
    async fn retry<T, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        F: Fn(Store) -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        match store::within(store::ANSWER_TIMEOUT, f(self.store.clone())).await {
            Err(e) if e.is_connection() => {
                self.reconnect(e).await;
                store::within(store::ANSWER_TIMEOUT, f(self.store.clone())).await
            }
            other => other,
        }
    }

    /// Reads and checks an import file as the signed-in admin may import it; after a lost
    /// connection, once more.
    async fn plan_import(&self, file: &Path, passwords: &Path) -> Result<FilePlan, PlanError> {
        let Some(actor) = &self.actor else { return Err(StoreError::InvalidCredentials.into()) };
        let view = ActorView { id: actor.id, role: actor.role };
        match provision::plan_file(&self.store, view, file, passwords, DEFAULT_MAX_ROWS).await {
            Err(PlanError::Store(e)) if e.is_connection() => {
                self.reconnect(e).await;
                provision::plan_file(&self.store, view, file, passwords, DEFAULT_MAX_ROWS).await
            }
            other => other,
        }
    }

    /// Runs an import: a password per account generated, hashed and written to the new
    /// file `passwords` (progress sent as it goes; `stop` asked between two), then every
    /// account created in one transaction. The file is removed unless the passwords are
    /// (or, after a lost connection, may be) the accounts'.
    async fn import(
        &self,
        id: RequestId,
        accounts: &[NewAccount],
        passwords: PathBuf,
        reason: Option<Reason>,
        stop: &StopFlag,
    ) -> ImportOutcome {
        let stamp = Stamp::new(reason);
        let mut outcome = ImportOutcome {
            stamp: stamp.clone(),
            accounts: accounts.len(),
            passwords: passwords.clone(),
            result: Err(ImportFailure::Failed(Arc::new(StoreError::InvalidCredentials.into()))),
        };
        let Some(actor) = self.actor.clone() else { return outcome };
        let progress = |hashed, created| {
            self.send(DbEvent::Answer { id, answer: Answer::ImportProgress { hashed, created } })
        };
        let todo: Vec<&NewAccount> = accounts.iter().collect();
        let mut out = match Passwords::file(&passwords) {
            Ok(out) => out,
            Err(e) => {
                // Not this import's file (it may be someone's): left as it is.
                outcome.result = Err(ImportFailure::Failed(Arc::new(HandOutError::from(e).into())));
                return outcome;
            }
        };
        // Removed if this stops before the accounts are created: on an error, a stop, or
        // the console quitting (which drops this future).
        let unclaimed = Unclaimed::new(&passwords);
        let mut hashed = |n| progress(n, 0);
        let handed_out = provision::hash_and_hand_out(&todo, &mut out, &mut hashed, &|| stop.raised()).await;
        let handed_out =
            handed_out.and_then(|h| if stop.raised() { Err(HandOutError::Stopped) } else { Ok(h) });
        let hashes = match handed_out {
            Ok(h) => h,
            Err(HandOutError::Stopped) => {
                outcome.result = Err(ImportFailure::Stopped);
                return outcome;
            }
            Err(e) => {
                outcome.result = Err(ImportFailure::Failed(Arc::new(e.into())));
                return outcome;
            }
        };
        // From here on the accounts may exist: the file stays unless they are known not to.
        unclaimed.keep();
        let pairs: Vec<(NewAccount, String)> = accounts.iter().cloned().zip(hashes).collect();
        let created = |n| progress(pairs.len(), n);
        // One transaction of many rows: the answer may take much longer than one
        // statement's (~10 ms an account allowed on top).
        let limit = store::ANSWER_TIMEOUT + Duration::from_millis(10 * pairs.len() as u64);
        let create = store::create::provision_many(&self.store, &actor, &stamp, &pairs, &created);
        outcome.result = match store::within(limit, create).await {
            Ok(_) => Ok(Imported { after_loss: false }),
            Err(e) => match self.settle(stamp.change_id, e).await {
                OpError::Interrupted { applied: Some(true) } => Ok(Imported { after_loss: true }),
                OpError::Interrupted { applied } => Err(ImportFailure::Interrupted { applied }),
                OpError::Failed(e) | OpError::Stale(e) => {
                    Err(ImportFailure::Failed(Arc::new(ImportError::Refused(e))))
                }
            },
        };
        // Passwords of accounts that do not exist are nobody's: their file goes.
        if matches!(
            outcome.result,
            Err(ImportFailure::Failed(_) | ImportFailure::Interrupted { applied: Some(false) })
        ) {
            let _ = std::fs::remove_file(&passwords);
        }
        tracing::info!(actor = %crate::domain::sanitize::clean(&actor.email), change = "import",
                       n = accounts.len(), ok = outcome.result.is_ok(), "change");
        outcome
    }

    /// Applies one change: hashes its password (generating one when none was typed),
    /// runs it, and reads the affected rows back for the table.
    async fn apply(
        &self,
        change: Change,
        targets: Vec<Seen>,
        typed: Option<Secret>,
        reason: Option<Reason>,
    ) -> Outcome {
        let mut outcome = Outcome {
            change,
            stamp: Stamp::new(reason),
            refreshed: Vec::new(),
            affected: Vec::new(),
            result: Err(OpError::Failed(Arc::new(StoreError::InvalidCredentials))),
            generated: None,
        };
        let Some(actor) = self.actor.clone() else { return outcome };
        let change = &outcome.change;
        let mut generated = None;
        let mut hash = None;
        if change.needs_password() {
            let secret = match typed {
                Some(s) => s,
                None => {
                    let s = password::generate();
                    let email = match (change, targets.first()) {
                        (Change::Create { email, .. }, _) => email.to_string(),
                        (_, Some(t)) => t.email.clone(),
                        (_, None) => String::new(),
                    };
                    generated = Some((email, s.clone()));
                    s
                }
            };
            match hasher::hash_off_thread(secret).await {
                Ok(h) => hash = Some(h),
                Err(e) => {
                    outcome.result = Err(OpError::Failed(Arc::new(StoreError::Hash(e))));
                    return outcome;
                }
            }
        }
        let stamp = &outcome.stamp;
        let seen_targets = as_targets(&targets);
        // A silent network must not hold the console for ever: past the answer timeout the
        // change counts as interrupted, and its id settles whether it applied.
        let apply = store::change::apply(&self.store, &actor, stamp, &seen_targets, change, hash.as_deref());
        let result = match store::within(store::ANSWER_TIMEOUT, apply).await {
            Ok(done) => Ok(done),
            Err(e) => Err(self.settle(stamp.change_id, e).await),
        };
        let (affected, refreshed) = match (&result, change) {
            (Ok(Done::Created(row)), _) => (vec![row.id], vec![row.clone()]),
            // A revert names no targets: its rows are the reverted change's.
            (Ok(Done::Changed(applied)), Change::Revert(_)) => {
                self.fresh_rows(applied.iter().map(|a| a.id).collect()).await
            }
            // After an interrupted create, show the row if it exists.
            (Err(_), Change::Create { email, .. }) => {
                let rows = self.rows_with_email(email.as_str()).await;
                (rows.iter().map(|r| r.id).collect(), rows)
            }
            _ => self.fresh_rows(targets.iter().map(|t| t.id).collect()).await,
        };
        tracing::info!(actor = %crate::domain::sanitize::clean(&actor.email), change = change.label(),
                       n = targets.len(), ok = result.is_ok(), "change");
        // A generated password is shown unless the change is known not to have happened:
        // after a lost connection the account may well have it now, and nobody else knows it.
        outcome.generated = match &result {
            Ok(_) | Err(OpError::Interrupted { applied: Some(true) | None }) => generated,
            Err(_) => None,
        };
        outcome.result = result;
        outcome.affected = affected;
        outcome.refreshed = refreshed;
        outcome
    }

    /// The affected rows as they are now, for the table to merge: ids missing from the
    /// answer were deleted. If the read fails, nothing is merged (a reload follows).
    async fn fresh_rows(&self, ids: Vec<Uuid>) -> (Vec<Uuid>, Vec<UserRow>) {
        match users::by_ids(&self.store, &ids).await {
            Ok(rows) => (ids, rows),
            Err(_) => (Vec::new(), Vec::new()),
        }
    }

    async fn rows_with_email(&self, email: &str) -> Vec<UserRow> {
        let filter = users::ListFilter { role: None, search: Some(email.to_string()) };
        let rows = users::list(&self.store, &filter).await.unwrap_or_default();
        rows.into_iter().filter(|r| r.email == email).collect()
    }

    /// Turns a change's error into what the console shows; after a lost connection, waits
    /// for it to come back and asks whether this very change (by its id) committed: its
    /// audit rows commit with it.
    async fn settle(&self, change_id: Uuid, e: StoreError) -> OpError {
        match e {
            e if e.is_connection() => {
                self.reconnect(e).await;
                let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
                let applied = audit::settled(&self.store, change_id, deadline).await.ok();
                OpError::Interrupted { applied }
            }
            StoreError::Stale { .. } => OpError::Stale(Arc::new(e)),
            other => OpError::Failed(Arc::new(other)),
        }
    }
}

fn as_targets(targets: &[Seen]) -> Vec<Target> {
    targets.iter().cloned().map(Target::Seen).collect()
}

async fn details(store: &Store, id: Uuid) -> Result<Details, StoreError> {
    let user = users::by_ids(store, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Db("the account was deleted meanwhile".into()))?;
    let profile = users::profile(store, id).await?;
    let sessions = sessions::recent_for(store, id, 20).await?;
    let logins = sessions::logins_for(store, id, 20).await?;
    let mut conn = store.pool.acquire().await?;
    let dependents = dependents::count(&mut conn, &[id]).await?;
    let audit = if store.schema.audit_log { audit::recent(store, 20, Some(id)).await? } else { Vec::new() };
    Ok(Details { user, profile, sessions, logins, dependents, audit })
}
