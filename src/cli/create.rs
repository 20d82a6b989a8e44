//! `bootstrap-superuser` and `provision-user`.

use super::CliError;
use super::args::NewPassword;
use super::secrets;
use crate::auth::hasher;
use crate::domain::permissions::{self, ActorView};
use crate::domain::sanitize::clean;
use crate::domain::{Change, Email, Role};
use crate::store::{self, Actor, Store};

pub async fn bootstrap(store: &Store, email: &str, password: &NewPassword) -> Result<(), CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Failed(e.to_string()))?;
    let new = secrets::new_password(password, email.as_str())?;
    let hash =
        hasher::hash_off_thread(new.secret.clone()).await.map_err(|e| CliError::Failed(e.to_string()))?;
    let row = store::create::bootstrap(store, &email, &hash).await?;
    println!("created superuser {} ({})", clean(&row.email), row.id);
    new.print_if_generated();
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
    let change = Change::Create { email: email.clone(), role };
    // Refuse before asking for (or hashing) a password when the rules already say no.
    permissions::check(ActorView { id: actor.id, role: actor.role }, &change, None)
        .map_err(|e| CliError::Failed(format!("{email}: {e}")))?;
    let new = secrets::new_password(password, email.as_str())?;
    super::change::apply(store, actor, &[], change, Some(new)).await
}
