//! `bootstrap-superuser` and `provision-user`.

use super::CliError;
use super::args::NewPassword;
use super::secrets::{self, NewSecret};
use crate::auth::hasher;
use crate::domain::sanitize::clean;
use crate::domain::{Email, Role};
use crate::store::{self, Actor, Store};

/// Hashes off the async threads (argon2 takes ~64 MiB and tens of milliseconds).
pub(super) async fn hash(new: &NewSecret) -> Result<String, CliError> {
    let pw = new.secret.clone();
    tokio::task::spawn_blocking(move || hasher::hash(&pw))
        .await
        .map_err(|e| CliError::Failed(format!("hashing failed: {e}")))?
        .map_err(|e| CliError::Failed(e.to_string()))
}

/// Prints the generated password alone on the last line of stdout, once.
pub(super) fn print_generated(new: &NewSecret) {
    if new.generated {
        println!("{}", new.secret.expose());
    }
}

pub async fn bootstrap(store: &Store, email: &str, password: &NewPassword) -> Result<(), CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Failed(e.to_string()))?;
    let new = secrets::new_password(password, email.as_str())?;
    let hash = hash(&new).await?;
    let row = store::create::bootstrap(store, &email, &hash).await?;
    println!("created superuser {} ({})", clean(&row.email), row.id);
    print_generated(&new);
    Ok(())
}

pub async fn provision(
    store: &Store,
    actor: &Actor,
    email: &str,
    role: &str,
    password: &NewPassword,
) -> Result<(), CliError> {
    let role: Role =
        role.parse().map_err(|e: crate::domain::role::UnknownRole| CliError::Usage(e.to_string()))?;
    let email = Email::parse(email).map_err(|e| CliError::Failed(e.to_string()))?;
    // Refuse before asking for (or hashing) a password when the rules already say no.
    crate::domain::permissions::check(
        crate::domain::permissions::ActorView { id: actor.id, role: actor.role },
        crate::domain::Action::Create,
        None,
        Some(role),
    )
    .map_err(|e| CliError::Failed(format!("{email}: {e}")))?;
    let new = secrets::new_password(password, email.as_str())?;
    let hash = hash(&new).await?;
    let row = store::create::provision(store, actor, &email, role, &hash).await?;
    println!("created {} {} ({})", row.role, clean(&row.email), row.id);
    print_generated(&new);
    Ok(())
}
