//! The export dialog: a file for the rows the table shows, and, when that file exists,
//! whether to overwrite it.

use crate::tui::event::RequestId;
use tui_input::Input;

#[derive(Debug, Clone, Default)]
pub struct ExportForm {
    /// The file, as typed: its extension picks the format.
    pub path: Input,
    /// Why the last Enter wrote nothing.
    pub error: Option<String>,
    /// The write in flight, whose answer this dialog waits for.
    pub request: Option<RequestId>,
    /// The file exists (as resolved): y overwrites it, n goes back to the name.
    pub exists: Option<String>,
}

impl ExportForm {
    pub fn new(path: &str) -> ExportForm {
        ExportForm { path: Input::new(path.to_string()), ..ExportForm::default() }
    }
}
