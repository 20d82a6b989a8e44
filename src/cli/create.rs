//! `bootstrap-superuser` and `provision-user`.

use super::CliError;
use super::args::{NewPassword, OutFormat};
use super::secrets;
use crate::auth::hasher;
use crate::domain::permissions::{self, ActorView};
use crate::domain::sanitize::clean;
use crate::domain::{Change, Email, Role, Stamp};
use crate::store::{self, Actor, Store};

pub async fn bootstrap(store: &Store, email: &str, password: &NewPassword) -> Result<(), CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Failed(e.to_string()))?;
    let new = secrets::new_password(password, email.as_str())?;
    let hash =
        hasher::hash_off_thread(new.secret.clone()).await.map_err(|e| CliError::Failed(e.to_string()))?;
    let stamp = Stamp::new(None);
    let text = |row: &crate::store::UserRow| {
        format!(
            "created superuser {} ({})\n{}",
            clean(&row.email),
            row.id,
            super::change::change_line(stamp.change_id, None)
        )
    };
    // A generated password is written before the commit; a write that fails rolls back.
    let password = new.line();
    let mut before_commit = |row: &crate::store::UserRow| -> Result<(), String> {
        let Some(password) = &password else { return Ok(()) };
        let mut out = zeroize::Zeroizing::new(text(row));
        out.push_str(password);
        super::emit_strict(&out)
    };
    let row = store::create::bootstrap_then(store, &stamp, &email, &hash, &mut before_commit).await?;
    if password.is_some() { Ok(()) } else { super::emit_applied(&text(&row), stamp.change_id) }
}

fn parse(email: &str, role: &str) -> Result<Change, CliError> {
    let role: Role =
        role.parse().map_err(|e: crate::domain::role::UnknownRole| CliError::Usage(e.to_string()))?;
    let email = Email::parse(email).map_err(|e| CliError::Failed(e.to_string()))?;
    Ok(Change::Create { email, role })
}

/// `provision-user --dry-run`: what would be created, or why not.
pub async fn dry_run(
    store: &Store,
    actor: &Actor,
    email: &str,
    role: &str,
    format: OutFormat,
) -> Result<(), CliError> {
    let change = parse(email, role)?;
    super::change::dry_run(store, actor, &[], &change, format).await
}

pub async fn provision(
    store: &Store,
    actor: &Actor,
    stamp: &Stamp,
    email: &str,
    role: &str,
    password: &NewPassword,
    format: OutFormat,
) -> Result<(), CliError> {
    let change = parse(email, role)?;
    let Change::Create { email, .. } = &change else { return Err(CliError::Failed("not a create".into())) };
    // Refuse before asking for (or hashing) a password when the rules already say no.
    permissions::check(ActorView { id: actor.id, role: actor.role }, &change, None)
        .map_err(|e| CliError::Failed(format!("{email}: {e}")))?;
    let new = secrets::new_password(password, email.as_str())?;
    super::change::apply(store, actor, stamp, &[], change, Some(new), format).await
}
