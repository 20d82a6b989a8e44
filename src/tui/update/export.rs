//! The export (`E` on the table): the rows the table shows, filter and sort applied, with
//! their profiles (names and locale, which the table does not hold: the worker reads them
//! at Enter), into a file of the admin's. The terminal loop writes it (`Effect::WriteFile`)
//! and answers; a file that exists is overwritten only after y.

use crate::domain::UserRow;
use crate::domain::profile::Profiles;
use crate::export::{FileFormat, WriteError};
use crate::tui::event::{Effect, Exported, Failure, FileWrite, Job, Request, RequestId};
use crate::tui::keymap::{self, ConfirmAction, FormAction};
use crate::tui::model::App;
use crate::tui::model::dialog::Dialog;
use crate::tui::model::export::{ExportForm, ExportJob};
use crossterm::event::KeyEvent;
use std::sync::Arc;

impl App {
    /// `E`: asks for the file, with a name to start from.
    pub(super) fn start_export(&mut self) {
        if let Some(p) = self.users.loading() {
            // The file would hold only the rows in so far, and say nothing of the rest.
            let of = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
            self.error(format!(
                "the table is still loading ({}{of} users in): export when it has loaded",
                p.received
            ));
            return;
        }
        let day = time::macros::format_description!("[year]-[month]-[day]");
        let name = match self.wall.and_then(|now| now.format(day).ok()) {
            Some(d) => format!("users-{d}.csv"),
            None => "users.csv".to_string(),
        };
        self.dialog = Some(Dialog::Export(ExportForm::new(&name)));
    }

    /// The rows an export writes: those the table shows, in its order (filter and sort
    /// applied, marks ignored). The one place an export's rows are gathered (unpacked:
    /// ~230 bytes a row while the worker writes them).
    pub(super) fn shown_rows(&self) -> Vec<UserRow> {
        self.users.shown_rows().map(|r| r.to_user_row()).collect()
    }

    pub(super) fn export_key(
        &mut self,
        key: KeyEvent,
        mut f: ExportForm,
        out: &mut Vec<Effect>,
    ) -> Option<Dialog> {
        if f.exists.is_some() {
            match keymap::confirm(&key) {
                Some(ConfirmAction::Yes) => {
                    f.exists = None;
                    self.write_export(&mut f, true, out);
                }
                Some(ConfirmAction::Cancel) => {
                    f.exists = None;
                    f.job = None;
                    f.error = Some("not overwritten: that file is as it was; give another name".into());
                }
                _ => {}
            }
            return Some(Dialog::Export(f));
        }
        if f.request.is_some() {
            if keymap::form(&key) != Some(FormAction::Cancel) {
                return Some(Dialog::Export(f));
            }
            if f.reading() {
                // Nothing is written yet: Esc ends it (the names' answer is dropped).
                self.info("export cancelled; nothing written");
            } else {
                // Writing: Esc closes the dialog; the answer still comes, to the status line.
                self.info("the export goes on; the status line says when it is written");
            }
            return None;
        }
        match keymap::form(&key) {
            Some(FormAction::Cancel) => {
                self.info("export cancelled; nothing written");
                return None;
            }
            Some(FormAction::Submit) => self.start_export_job(&mut f, out),
            Some(FormAction::Empty) => {
                f.path.reset();
                f.error = None;
            }
            _ => {
                if super::edit(&mut f.path, key) {
                    f.error = None;
                }
            }
        }
        Some(Dialog::Export(f))
    }

    /// Enter: the rows as the table shows them now, and a request for their profiles; a
    /// name whose extension is no format is refused here.
    fn start_export_job(&mut self, f: &mut ExportForm, out: &mut Vec<Effect>) {
        let path = f.path.value().trim().to_string();
        match FileFormat::of_path(&path) {
            Err(e) => f.error = Some(e),
            Ok(format) => {
                let rows = Arc::new(self.shown_rows());
                let ids = Arc::new(rows.iter().map(|r| r.id).collect());
                f.error = None;
                f.job = Some(ExportJob { path, format, rows, profiles: None });
                let id = self.next_id();
                out.push(Effect::Db(Request { id, job: Job::LoadProfiles(ids) }));
                f.request = Some(id);
            }
        }
    }

    /// The profiles for the export `id` are in: the file is written next.
    pub(super) fn on_profiles(
        &mut self,
        id: RequestId,
        res: Result<Arc<Profiles>, Failure>,
        out: &mut Vec<Effect>,
    ) {
        let Some(Dialog::Export(f)) = &mut self.dialog else { return };
        if f.request != Some(id) {
            return;
        }
        f.request = None;
        match res {
            Ok(profiles) => {
                if let Some(job) = &mut f.job {
                    job.profiles = Some(profiles);
                }
                let mut f = std::mem::take(f);
                self.write_export(&mut f, false, out);
                self.dialog = Some(Dialog::Export(f));
            }
            Err(e) => {
                f.job = None;
                let msg = format!("the names could not be read, nothing was written: {e}");
                f.error = Some(msg.clone());
                self.error(msg);
            }
        }
    }

    /// Hands the write of the export Enter took to the terminal loop.
    fn write_export(&mut self, f: &mut ExportForm, overwrite: bool, out: &mut Vec<Effect>) {
        let Some(ExportJob { path, format, rows, profiles: Some(profiles) }) = f.job.clone() else { return };
        let id = self.next_id();
        out.push(Effect::WriteFile(FileWrite { id, path, format, rows, profiles, overwrite }));
        f.request = Some(id);
    }

    /// The worker's answer. The dialog that asked takes it (the name again after an
    /// error, the question after "it exists"); once closed, the status line does.
    pub(super) fn on_exported(&mut self, id: RequestId, res: Result<Exported, WriteError>) {
        let asked = match &mut self.dialog {
            Some(Dialog::Export(f)) if f.request == Some(id) => {
                f.request = None;
                true
            }
            _ => false,
        };
        let form = |app: &mut App| match &mut app.dialog {
            Some(Dialog::Export(f)) if asked => Some(std::mem::take(f)),
            _ => None,
        };
        match res {
            Ok(done) => {
                if asked {
                    self.dialog = None;
                }
                self.ok(format!(
                    "wrote {} to {} ({}, readable by you only)",
                    crate::plural::count(done.rows as i64, "user"),
                    done.path,
                    done.format.name()
                ));
            }
            Err(WriteError::Exists(path)) => match form(self) {
                Some(mut f) => {
                    f.exists = Some(path.display().to_string());
                    self.dialog = Some(Dialog::Export(f));
                }
                None => {
                    self.error(format!("{} exists; nothing was written (E to export again)", path.display()))
                }
            },
            Err(WriteError::Failed(msg)) => {
                if let Some(mut f) = form(self) {
                    f.job = None;
                    f.error = Some(msg.clone());
                    self.dialog = Some(Dialog::Export(f));
                }
                self.error(msg);
            }
        }
    }
}
