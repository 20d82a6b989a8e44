//! The export dialog: a file for the rows the table shows, and, when that file exists,
//! whether to overwrite it.

use crate::domain::UserRow;
use crate::domain::profile::Profiles;
use crate::export::FileFormat;
use crate::tui::event::RequestId;
use std::sync::Arc;
use tui_input::Input;

#[derive(Debug, Clone, Default)]
pub struct ExportForm {
    /// The file, as typed: its extension picks the format.
    pub path: Input,
    /// Why the last Enter wrote nothing.
    pub error: Option<String>,
    /// The request in flight (the profiles read, then the write), whose answer this
    /// dialog waits for.
    pub request: Option<RequestId>,
    /// What Enter took: the rows as the table showed them then, and once read their
    /// profiles. An overwrite after y writes these, not the table as it is by then.
    pub job: Option<ExportJob>,
    /// The file exists (as resolved): y overwrites it, n goes back to the name.
    pub exists: Option<String>,
}

/// One export, from Enter on.
#[derive(Debug, Clone)]
pub struct ExportJob {
    pub path: String,
    pub format: FileFormat,
    pub rows: Arc<Vec<UserRow>>,
    /// `None` while the worker reads them.
    pub profiles: Option<Arc<Profiles>>,
}

impl ExportForm {
    pub fn new(path: &str) -> ExportForm {
        ExportForm { path: Input::new(path.to_string()), ..ExportForm::default() }
    }

    /// Reading the profiles, before anything is written.
    pub fn reading(&self) -> bool {
        self.request.is_some() && self.job.as_ref().is_some_and(|j| j.profiles.is_none())
    }
}
