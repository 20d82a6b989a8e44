//! The console's export (`E`): the state machine asks for the file, takes the rows the
//! table shows, asks the worker for their profiles (answered here as the worker would) and
//! builds the job; the loop's `file_write::write` writes it (real files in a temporary
//! folder, no database): 0600, the header and the rows in the table's order with their
//! names, and a file that exists is overwritten only after y.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skriptoteket_admin::domain::UserRow;
use skriptoteket_admin::domain::account::Account;
use skriptoteket_admin::domain::profile::{Profile, Profiles};
use skriptoteket_admin::export::{FileFormat, WriteError};
use skriptoteket_admin::tui::event::{Answer, Effect, Event, FileWrite, Job, Request};
use skriptoteket_admin::tui::model::dialog::Dialog;
use skriptoteket_admin::tui::{App, file_write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
mod console_support;
use console_support::{answer, code, key, press, signed_in_with, status, typed};

/// `export::write_file` of rows without profiles.
fn write_file(
    path: &str,
    rows: &[UserRow],
    format: FileFormat,
    overwrite: bool,
) -> Result<std::path::PathBuf, WriteError> {
    skriptoteket_admin::export::write_file(path, rows, &Profiles::new(), format, overwrite)
}

/// The first name the worker stand-in gives the account `id`.
fn first_name(id: Uuid) -> String {
    format!("First {}", id.as_u128())
}

/// The profiles the worker would read: a first name for each account but the first.
fn profiles_of(ids: &[Uuid]) -> Profiles {
    ids.iter()
        .skip(1)
        .map(|&id| {
            (
                id,
                Profile {
                    first_name: Some(first_name(id)),
                    locale: Some("sv-SE".into()),
                    ..Profile::default()
                },
            )
        })
        .collect()
}

/// The standard people, one with an email a spreadsheet would read as a formula.
fn people() -> Vec<UserRow> {
    let mut rows = console_support::people();
    rows[3].email = "=bertil@x.se".into();
    rows
}

fn signed_in() -> App {
    signed_in_with(1, people())
}

/// `E`, the file name typed over the suggested one, Enter: the write asked for, if any.
fn export_to(app: &mut App, path: &Path) -> Option<FileWrite> {
    if app.dialog.is_none() {
        press(app, key('E'));
    }
    assert!(matches!(app.dialog, Some(Dialog::Export(_))), "{:?}", app.dialog);
    press(app, Event::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
    typed(app, &path.display().to_string());
    enter(app)
}

fn enter(app: &mut App) -> Option<FileWrite> {
    let effects = press(app, code(KeyCode::Enter));
    written(app, effects)
}

/// The file write among `effects`, after the profiles it asks for first are answered.
fn written(app: &mut App, effects: Vec<Effect>) -> Option<FileWrite> {
    for e in effects {
        match e {
            Effect::WriteFile(w) => return Some(w),
            Effect::Db(Request { id, job: Job::LoadProfiles(ids) }) => {
                assert_eq!(app.busy().as_deref(), Some("reading the names for the export"));
                let effects = app.update(answer(id, Answer::Profiles(Ok(Arc::new(profiles_of(&ids))))));
                return written(app, effects);
            }
            _ => {}
        }
    }
    None
}

/// Writes the file as the terminal loop does and hands the result to the console.
async fn work(app: &mut App, write: FileWrite) {
    app.update(file_write::write(write).await);
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

fn emails_in_csv(path: &Path) -> (Vec<String>, Vec<String>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let header = r.headers().expect("header").iter().map(str::to_string).collect();
    let emails = r.records().map(|x| x.expect("record")[1].to_string()).collect();
    (header, emails)
}

#[tokio::test]
async fn the_shown_rows_go_to_a_new_private_file_in_the_tables_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = signed_in();
    // Filter and sort as an admin would: users only, emails descending.
    press(&mut app, key('/'));
    typed(&mut app, "role:user");
    press(&mut app, code(KeyCode::Enter));
    press(&mut app, key('S'));
    let shown: Vec<String> = app.users.shown_rows().map(|r| r.email().to_string()).collect();
    assert_eq!(shown, ["david@x.se", "anna@x.se", "=bertil@x.se"]);

    let file = dir.path().join("users.csv");
    let job = export_to(&mut app, &file).expect("a job");
    let FileWrite { format, rows, overwrite, .. } = &job;
    assert_eq!((*format, *overwrite), (FileFormat::Csv, false));
    assert_eq!(rows.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(), shown);
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(app.busy().as_deref(), Some("writing the export"));
    work(&mut app, job).await;
    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    assert_eq!(status(&app), format!("wrote 3 users to {} (CSV, readable by you only)", file.display()));
    assert_eq!(mode(&file), 0o600);
    let (header, emails) = emails_in_csv(&file);
    assert_eq!(header, skriptoteket_admin::export::COLUMNS, "the fields of list --format csv");
    assert_eq!(emails, ["david@x.se", "anna@x.se", "'=bertil@x.se"], "in order, formula made inert");
    // Each row with its own profile (the first has none: empty cells).
    let mut r = csv::Reader::from_path(&file).expect("csv");
    let cells: Vec<(String, String, String)> = r
        .records()
        .map(|x| x.expect("record"))
        .map(|x| (x[0].to_string(), x[2].to_string(), x[5].to_string()))
        .collect();
    let want_names: Vec<(String, String, String)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| match i {
            0 => (id.clone(), String::new(), String::new()),
            _ => (id.clone(), first_name(Uuid::parse_str(id).expect("uuid")), "sv-SE".to_string()),
        })
        .collect();
    assert_eq!(cells, want_names);

    // JSON Lines: one object per shown row, same order.
    let file = dir.path().join("users.JSONL");
    let job = export_to(&mut app, &file).expect("a job");
    work(&mut app, job).await;
    let text = std::fs::read_to_string(&file).expect("read");
    let emails: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["email"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(emails, ["david@x.se", "anna@x.se", "=bertil@x.se"]);
    assert_eq!(mode(&file), 0o600);
}

#[tokio::test]
async fn an_existing_file_is_overwritten_only_after_yes_and_stays_private() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("users.csv");
    std::fs::write(&file, "keep me\n").expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let mut app = signed_in();
    let job = export_to(&mut app, &file).expect("a job");
    assert!(!job.overwrite);
    work(&mut app, job).await;
    let Some(Dialog::Export(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(f.exists.as_deref(), Some(file.display().to_string().as_str()), "it asks");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "keep me\n", "untouched before y");
    // A y typed before the question was seen does nothing.
    assert!(app.update(key('y')).is_empty());
    // n: back to the name, nothing written.
    assert!(press(&mut app, key('n')).is_empty());
    let Some(Dialog::Export(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(f.exists.is_none() && f.error.as_deref().is_some_and(|e| e.contains("not overwritten")));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "keep me\n");
    // Enter again, then y: overwritten, 0600 again.
    let job = enter(&mut app).expect("a job");
    work(&mut app, job).await;
    let effects = press(&mut app, key('y'));
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::Db(_))),
        "y writes what Enter took, names read then included: {effects:?}"
    );
    let job = written(&mut app, effects).expect("y sends the overwrite");
    assert!(job.overwrite);
    work(&mut app, job).await;
    assert!(app.dialog.is_none(), "{:?}", app.dialog);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(emails_in_csv(&file).1.len(), 6, "every shown row, nothing of the old text");

    // A symbolic link is never written through: refused without asking, and an overwrite
    // asked for anyway is refused too.
    let target = dir.path().join("elsewhere.txt");
    std::fs::write(&target, "precious\n").expect("write");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let job = export_to(&mut app, &link).expect("a job");
    work(&mut app, job).await;
    let Some(Dialog::Export(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(f.exists.is_none(), "not asked");
    assert!(f.error.as_deref().is_some_and(|e| e.contains("symbolic link")), "{:?}", f.error);
    let res = write_file(&link.display().to_string(), &people(), FileFormat::Csv, true);
    assert!(matches!(&res, Err(WriteError::Failed(e)) if e.contains("symbolic link")), "{res:?}");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "precious\n");
}

/// Issue 23 point 3: a file that is not the caller's own is never written, whoever the
/// caller is: not root's rewrite of `nobody`'s file in a 1777 folder (which, made 0600,
/// would leave `nobody` the owner of the whole user list), not a second name (a hard
/// link) of another file. Refused at once, in one line, without asking; a new file is the
/// caller's. Nothing is chowned.
#[tokio::test]
async fn a_file_that_is_not_the_callers_own_is_never_written() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).expect("chmod 1777");
    let mut app = signed_in();
    let refused_at_once = |app: &App, what: &str| {
        let Some(Dialog::Export(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
        assert!(f.exists.is_none(), "not asked whether to overwrite");
        let e = f.error.as_deref().unwrap_or_default();
        assert!(e.contains(what) && e.ends_with("; it was not changed") && !e.contains('\n'), "{e:?}");
    };

    // A hard link to a file of one's own: anyone can make one to a file they may not write.
    let own = dir.path().join("own.txt");
    std::fs::write(&own, "precious\n").expect("write");
    let linked = dir.path().join("linked.csv");
    std::fs::hard_link(&own, &linked).expect("hard link");
    let job = export_to(&mut app, &linked).expect("a job");
    work(&mut app, job).await;
    refused_at_once(&app, "other names (hard links)");
    let res = write_file(&linked.display().to_string(), &people(), FileFormat::Csv, true);
    assert!(matches!(&res, Err(WriteError::Failed(e)) if e.contains("hard links")), "{res:?}");
    assert_eq!(std::fs::read_to_string(&own).expect("read"), "precious\n");

    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped the rest: only root can give a file to another user");
        return;
    }
    let theirs = dir.path().join("users.csv");
    std::fs::write(&theirs, "nobody's\n").expect("write");
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).expect("chown to nobody");
    press(&mut app, code(KeyCode::Esc));
    let job = export_to(&mut app, &theirs).expect("a job");
    work(&mut app, job).await;
    refused_at_once(&app, "it belongs to another user (uid 65534)");
    let res = write_file(&theirs.display().to_string(), &people(), FileFormat::Csv, true);
    assert!(matches!(&res, Err(WriteError::Failed(e)) if e.contains("uid 65534")), "{res:?}");
    let meta = std::fs::metadata(&theirs).expect("metadata");
    assert_eq!((meta.uid(), meta.mode() & 0o777), (65534, 0o644), "not chowned, not narrowed");
    assert_eq!(std::fs::read_to_string(&theirs).expect("read"), "nobody's\n");

    // A new file in the same folder is root's, 0600.
    let new = dir.path().join("new.csv");
    write_file(&new.display().to_string(), &people(), FileFormat::Csv, false).expect("written");
    let meta = std::fs::metadata(&new).expect("metadata");
    assert_eq!((meta.uid(), meta.mode() & 0o777), (0, 0o600));
}

/// The names are read before anything is written: Esc then ends the export (a late
/// answer writes nothing), and a failed read is one line with nothing written.
#[test]
fn no_file_is_written_without_its_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("users.csv");
    let mut app = signed_in();
    let reading = |app: &mut App| -> u64 {
        press(app, key('E'));
        press(app, Event::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        typed(app, &file.display().to_string());
        let effects = press(app, code(KeyCode::Enter));
        match effects.as_slice() {
            [Effect::Db(Request { id, job: Job::LoadProfiles(ids) })] => {
                assert_eq!(ids.len(), 6, "the profiles of every shown row");
                *id
            }
            other => panic!("{other:?}"),
        }
    };
    let id = reading(&mut app);
    press(&mut app, code(KeyCode::Esc));
    assert!(app.dialog.is_none());
    assert_eq!(status(&app), "export cancelled; nothing written");
    let late = app.update(answer(id, Answer::Profiles(Ok(Arc::new(Profiles::new())))));
    assert!(late.is_empty(), "{late:?}");
    assert!(app.busy().is_none());

    let id = reading(&mut app);
    let lost = Arc::new(skriptoteket_admin::store::StoreError::Db("connection reset".into()));
    let effects = app.update(answer(id, Answer::Profiles(Err(lost))));
    assert!(effects.is_empty(), "{effects:?}");
    let Some(Dialog::Export(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    let e = f.error.as_deref().unwrap_or_default();
    assert!(e.starts_with("the names could not be read, nothing was written: ") && !e.contains('\n'), "{e}");
    assert!(!file.exists());
}

#[tokio::test]
async fn a_bad_name_or_a_missing_folder_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = signed_in();
    assert!(export_to(&mut app, &dir.path().join("users.xlsx")).is_none(), "no job for an unknown format");
    let Some(Dialog::Export(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(
        f.error.as_deref().is_some_and(|e| e.contains(".csv (CSV), .jsonl (JSON Lines)")),
        "{:?}",
        f.error
    );
    let missing = dir.path().join("no-such-folder").join("users.csv");
    let job = export_to(&mut app, &missing).expect("a job");
    work(&mut app, job).await;
    let want = format!(
        "cannot write {}: the folder {} does not exist; nothing was written",
        missing.display(),
        dir.path().join("no-such-folder").display()
    );
    let Some(Dialog::Export(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(f.error.as_deref(), Some(want.as_str()), "the name stays to be fixed");
    assert_eq!(status(&app), want, "and in the history");
    assert!(!want.contains('\n'));
    // Esc cancels; the export works in read-only mode too (it changes no account).
    press(&mut app, code(KeyCode::Esc));
    assert!(app.dialog.is_none());
    app.options.deployment.readonly = true;
    let file = dir.path().join("ro.json");
    let job = export_to(&mut app, &file).expect("a job");
    work(&mut app, job).await;
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(6));
}

/// A named pipe where the file should be: the overwrite fails at once with one line (it
/// would otherwise wait for a reader, and the worker with it).
#[test]
fn overwriting_a_named_pipe_fails_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("users.csv");
    let c_path = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("no NUL");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
    let path = fifo.to_string_lossy().into_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(write_file(&path, &people(), FileFormat::Csv, true));
    });
    let res =
        rx.recv_timeout(Duration::from_secs(10)).expect("the write returns instead of waiting for a reader");
    assert!(res.is_err(), "{res:?}");
}
