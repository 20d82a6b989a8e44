//! `demo`: a local database shaped like a live deployment, full of users, and the console
//! opened on it.

use super::CliError;
use super::args::DemoArgs;
use crate::store::Store;
use crate::store::seed;

pub async fn run(args: &DemoArgs) -> Result<(), CliError> {
    let (target, created) = seed::create_database(&args.server, &args.name, args.reset).await?;
    let mut store = Store::connect(&target).await?;
    seed::prepare_schema(&mut store).await?;
    let n = seed::seed(&store, args.users).await?;
    let what = if created || args.reset { "created" } else { "reused" };
    eprintln!("demo database {} {what}: {n} users", target.describe);
    eprintln!(
        "log in as {} or {} with password {}",
        seed::DEMO_SUPERUSER,
        seed::DEMO_ADMIN,
        seed::DEMO_PASSWORD
    );
    if args.no_console {
        return Ok(());
    }
    crate::tui::run(
        target,
        crate::tui::Options {
            login_hint: Some(seed::DEMO_SUPERUSER.to_string()),
            demo_password_hint: true,
            ..Default::default()
        },
    )
    .await
    .map(drop)
    .map_err(|e| CliError::Failed(e.to_string()))
}
