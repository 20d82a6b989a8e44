//! The file writes the terminal loop carries out for the console (`Effect::WriteFile`):
//! on tokio's blocking pool, so a large export holds up neither the frames nor the
//! database worker; the result comes back as `Event::Written`.

use super::event::{Event, Exported, FileWrite};
use crate::domain::sanitize::clean;
use crate::export::WriteError;

/// Writes `w` and says how it went.
pub async fn write(w: FileWrite) -> Event {
    let FileWrite { id, path, format, rows, profiles, overwrite } = w;
    let n = rows.len();
    let written = tokio::task::spawn_blocking(move || {
        crate::export::write_file(&path, &rows, &profiles, format, overwrite)
    })
    .await
    .unwrap_or_else(|e| Err(WriteError::Failed(format!("the export stopped: {e}"))));
    match &written {
        Ok(p) => {
            let path = clean(&p.display().to_string()).into_owned();
            tracing::info!(rows = n, format = format.name(), %path, "exported");
        }
        Err(WriteError::Exists(_)) => tracing::info!("export: the file exists; asking"),
        Err(WriteError::Failed(m)) => tracing::warn!(message = %clean(m), "export not written"),
    }
    let result = written.map(|p| Exported { path: p.display().to_string(), rows: n, format });
    Event::Written { id, result }
}
