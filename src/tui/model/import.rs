//! The import dialog (`I`): the file and where its passwords go, the plan the worker made
//! of it (what would be created, skipped, refused), and the import running.

use crate::provision::{FilePlan, StopFlag};
use crate::tui::event::RequestId;
use std::sync::Arc;
use tui_input::Input;

#[derive(Debug, Clone, Default)]
pub struct ImportDialog {
    /// The CSV file, as typed (relative to the folder the console started in).
    pub file: Input,
    /// The new file for the generated passwords; empty: beside the import file.
    pub passwords: Input,
    /// The name the console put in `passwords` (beside the file): while it stands as
    /// put, a changed file name brings a new one.
    pub suggested: Option<String>,
    pub focus: ImportField,
    /// Why the last Enter went no further.
    pub error: Option<String>,
    pub step: ImportStep,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImportField {
    #[default]
    File,
    Passwords,
}

#[derive(Debug, Clone, Default)]
pub enum ImportStep {
    /// The names are typed.
    #[default]
    Names,
    /// The worker reads the file and looks up which accounts exist.
    Planning(RequestId),
    /// The plan, to confirm (when it can run) or to go back from.
    Plan(Arc<FilePlan>),
    Running(Running),
    /// How it ended, in full (the path of the passwords above all), until closed.
    Done(Ended),
}

/// The end of an import, as the dialog shows it.
#[derive(Debug, Clone)]
pub struct Ended {
    pub ok: bool,
    /// What happened, in one sentence.
    pub said: String,
    /// Where the passwords are, when they are (or may be) the accounts'.
    pub passwords: Option<std::path::PathBuf>,
}

/// An import sent to the worker.
#[derive(Debug, Clone)]
pub struct Running {
    pub request: RequestId,
    pub plan: Arc<FilePlan>,
    pub total: usize,
    pub hashed: usize,
    pub created: usize,
    /// Raised by Esc while passwords are hashed: the worker stops between two, or before
    /// it creates anything, and then nothing is created.
    pub stop: StopFlag,
}

impl ImportDialog {
    pub fn new(file: &str) -> ImportDialog {
        ImportDialog { file: Input::new(file.to_string()), ..ImportDialog::default() }
    }

    /// The field with the focus.
    pub fn focused(&mut self) -> &mut Input {
        match self.focus {
            ImportField::File => &mut self.file,
            ImportField::Passwords => &mut self.passwords,
        }
    }
}
