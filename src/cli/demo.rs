//! `demo`: a local database shaped like a live deployment, full of users, and the console
//! opened on it. The server is `--server`, else the development machines' PostgreSQL
//! (127.0.0.1:5432, user postgres, trust auth) when it is usable, else (or with
//! `--throwaway`) a throwaway cluster of the demo's own, removed when the demo ends.

use super::CliError;
use super::args::{DEMO_SERVER, DemoArgs};
use crate::store::Store;
use crate::store::seed;
use crate::throwaway::{Cluster, Owner};
use std::time::Duration;

/// How long the configured server may take to answer before the demo starts its own.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn run(args: &DemoArgs) -> Result<(), CliError> {
    // A throwaway cluster goes when `_cluster` does: on return, on an error, while a panic
    // unwinds. Killed outright, the demo leaves that to the cluster's keeper.
    let (server, _cluster) = server(args).await?;
    let (target, created) = seed::create_database(&server, &args.name, args.reset).await?;
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

/// The maintenance URL to create the demo database on, and the throwaway cluster serving it
/// (if one does).
async fn server(args: &DemoArgs) -> Result<(String, Option<DemoCluster>), CliError> {
    if let Some(server) = &args.server {
        return Ok((server.clone(), None));
    }
    if !args.throwaway {
        match seed::server_usable(DEMO_SERVER, PROBE_TIMEOUT).await {
            Ok(()) => return Ok((DEMO_SERVER.to_string(), None)),
            Err(why) => eprintln!("no usable PostgreSQL at 127.0.0.1:5432 ({why}); starting a throwaway one"),
        }
    }
    let cluster = tokio::task::spawn_blocking(|| Cluster::start(Owner::ThisProcess))
        .await
        .map_err(|e| CliError::Failed(format!("starting the throwaway PostgreSQL failed: {e}")))?
        .map_err(|e| CliError::Failed(e.to_string()))?;
    eprintln!(
        "throwaway {} on 127.0.0.1:{} (in {}), removed when the demo ends",
        cluster.version(),
        cluster.port(),
        cluster.dir().display()
    );
    Ok((cluster.url("postgres"), Some(DemoCluster(Some(cluster)))))
}

/// Stops the throwaway cluster when dropped, and says so.
struct DemoCluster(Option<Cluster>);

impl Drop for DemoCluster {
    fn drop(&mut self) {
        if let Some(cluster) = self.0.take() {
            cluster.stop();
            eprintln!("throwaway PostgreSQL stopped and removed");
        }
    }
}
