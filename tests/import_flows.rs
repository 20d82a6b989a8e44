//! The console's import (`I`) as a state machine: the worker's plan and answers are given
//! here as the worker gives them (tests/e2e_import.rs runs the real thing in a terminal).
//! What is asserted: the jobs sent, the plan's confirmation guarded like every other, the
//! reason step, Esc at each step, and what the admin is told at the end.

use crossterm::event::KeyCode;
use skriptoteket_admin::domain::import::{ImportLine, NewAccount};
use skriptoteket_admin::domain::{Email, Role, Stamp};
use skriptoteket_admin::provision::{FilePlan, Plan, PlanError};
use skriptoteket_admin::tui::App;
use skriptoteket_admin::tui::event::Effect;
use skriptoteket_admin::tui::event::{Answer, Event, ImportFailure, ImportOutcome, Imported, Job};
use skriptoteket_admin::tui::model::dialog::Dialog;
use skriptoteket_admin::tui::model::import::{ImportField, ImportStep};
use std::path::PathBuf;
use std::sync::Arc;

mod console_support;
use console_support::{answer, code, jobs, key, people, press, signed_in_with, status, typed};

fn line(n: u64, email: &str, role: Role) -> ImportLine {
    let outcome = Email::parse(email).map(|email| NewAccount {
        email,
        role,
        first_name: None,
        last_name: None,
        display_name: None,
    });
    ImportLine { line: n, email: email.to_string(), outcome: outcome.map_err(|e| e.to_string()) }
}

/// A plan of `lines`, of which `taken` exist.
fn file_plan(lines: Vec<ImportLine>, taken: &[&str]) -> Arc<FilePlan> {
    Arc::new(FilePlan {
        file: PathBuf::from("/srv/in/class.csv"),
        passwords: PathBuf::from("/srv/in/class-passwords-2026-12-02.csv"),
        separator: b',',
        plan: Plan { lines, taken: taken.iter().map(|t| t.to_string()).collect() },
    })
}

/// `I`, the file typed, Enter: the plan request's id and job.
fn ask_plan(app: &mut App, file: &str) -> (u64, Job) {
    press(app, key('I'));
    assert!(matches!(app.dialog, Some(Dialog::Import(_))), "{:?}", app.dialog);
    typed(app, file);
    let out = press(app, code(KeyCode::Enter));
    let [Effect::Db(r)] = out.as_slice() else { panic!("one request: {out:?}") };
    (r.id, r.job.clone())
}

fn step(app: &App) -> &ImportStep {
    let Some(Dialog::Import(d)) = &app.dialog else { panic!("{:?}", app.dialog) };
    &d.step
}

#[test]
fn the_passwords_go_beside_the_file_unless_named_and_the_plan_is_asked_for_first() {
    let mut app = signed_in_with(1, people());
    app.update(Event::WallClock(time::macros::datetime!(2026-12-02 09:30 UTC)));
    let (_, job) = ask_plan(&mut app, "in/class.csv");
    let Job::PlanImport { file, passwords } = job else { panic!("{job:?}") };
    assert_eq!(file, PathBuf::from("in/class.csv"));
    let name = passwords.display().to_string();
    assert_eq!(name, "in/class-passwords-2026-12-02.csv");
    let Some(Dialog::Import(d)) = &app.dialog else { panic!() };
    assert_eq!(d.passwords.value(), name, "the suggested name is shown in its field");
    // Another file, the suggestion untouched: it follows the file. A name typed stays.
    let plan_of = |app: &mut App| match jobs(press(app, code(KeyCode::Enter))).as_slice() {
        [Job::PlanImport { passwords, .. }] => passwords.display().to_string(),
        other => panic!("{other:?}"),
    };
    press(&mut app, code(KeyCode::Esc));
    press(&mut app, console_support::ctrl('u'));
    typed(&mut app, "other.csv");
    assert_eq!(plan_of(&mut app), "other-passwords-2026-12-02.csv");
    press(&mut app, code(KeyCode::Esc));
    press(&mut app, code(KeyCode::Tab));
    press(&mut app, console_support::ctrl('u'));
    typed(&mut app, "mine.csv");
    press(&mut app, code(KeyCode::Tab));
    press(&mut app, console_support::ctrl('u'));
    typed(&mut app, "third.csv");
    assert_eq!(plan_of(&mut app), "mine.csv", "a name the admin typed is kept");

    // An empty file name asks for one, and sends nothing.
    let mut app = signed_in_with(1, people());
    press(&mut app, key('I'));
    assert!(jobs(press(&mut app, code(KeyCode::Enter))).is_empty());
    let Some(Dialog::Import(d)) = &app.dialog else { panic!() };
    assert!(d.error.as_deref().is_some_and(|e| e.contains("name the CSV file")), "{:?}", d.error);
}

#[test]
fn a_plan_is_confirmed_like_any_change_then_the_reason_then_the_import_runs() {
    let mut app = signed_in_with(1, people());
    let (id, _) = ask_plan(&mut app, "class.csv");
    let plan = file_plan(
        vec![
            line(2, "ny1@x.se", Role::User),
            line(3, "anna@x.se", Role::User),
            line(4, "ny2@x.se", Role::Admin),
        ],
        &["anna@x.se"],
    );
    app.update(answer(id, Answer::ImportPlan(Ok(plan))));
    assert!(matches!(step(&app), ImportStep::Plan(_)));
    // A y typed before the plan was drawn does not start it.
    assert!(jobs(app.update(key('y'))).is_empty());
    assert!(matches!(step(&app), ImportStep::Plan(_)), "typed ahead: ignored");
    // Seen, y asks why; Esc there goes back to the plan, not to the table.
    assert!(jobs(press(&mut app, key('y'))).is_empty(), "nothing is sent before the reason");
    let Some(Dialog::Reason(p)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(p.what, "importing 2 accounts");
    press(&mut app, code(KeyCode::Esc));
    assert!(matches!(step(&app), ImportStep::Plan(_)), "back to the plan");
    press(&mut app, key('y'));
    typed(&mut app, "class 7b");
    let sent = jobs(press(&mut app, code(KeyCode::Enter)));
    let [Job::Import { accounts, passwords, reason: Some(reason), .. }] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    let emails: Vec<&str> = accounts.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(emails, ["ny1@x.se", "ny2@x.se"], "the plan's accounts, the existing one skipped");
    assert_eq!(passwords, &PathBuf::from("/srv/in/class-passwords-2026-12-02.csv"));
    assert_eq!(reason.to_string(), "class 7b");
    assert!(app.change_in_flight(), "no other change starts meanwhile");
    let request = app.in_flight.as_ref().map(|f| f.id).expect("in flight");

    // Progress shows in the dialog; the end closes it, says where the passwords are,
    // and reads the table again.
    app.update(answer(request, Answer::ImportProgress { hashed: 1, created: 0 }));
    let ImportStep::Running(run) = step(&app) else { panic!() };
    assert_eq!((run.hashed, run.total), (1, 2));
    let stamp = Stamp::new(None);
    let done = ImportOutcome {
        stamp: stamp.clone(),
        accounts: 2,
        passwords: PathBuf::from("/srv/in/class-passwords-2026-12-02.csv"),
        result: Ok(Imported { after_loss: false }),
    };
    let out = jobs(app.update(answer(request, Answer::Imported(Box::new(done)))));
    assert!(matches!(out.as_slice(), [Job::LoadUsers]), "{out:?}");
    assert!(!app.change_in_flight());
    let ImportStep::Done(ended) = step(&app) else { panic!("{:?}", app.dialog) };
    assert_eq!(
        ended.passwords.as_deref(),
        Some(std::path::Path::new("/srv/in/class-passwords-2026-12-02.csv"))
    );
    let said = status(&app);
    assert!(
        said.contains("imported 2 accounts") && said.contains("/srv/in/class-passwords-2026-12-02.csv"),
        "{said}"
    );
    let rows = console_support::people();
    app.update(answer(app.users_request.expect("a reload"), Answer::Users(Ok(rows))));
    assert_eq!(status(&app), said, "the reload does not replace where the passwords are");
    app.update(code(KeyCode::Enter));
    assert!(matches!(step(&app), ImportStep::Done(_)), "an Enter typed before it was seen does not close it");
    press(&mut app, code(KeyCode::Enter));
    assert!(app.dialog.is_none(), "Enter closes it");
    let last = app.last_change.as_ref().expect("c shows it as a command");
    assert_eq!(last.id, stamp.change_id);
    assert!(
        last.command
            .contains("import /srv/in/class.csv --passwords-out /srv/in/class-passwords-2026-12-02.csv")
            && last.command.contains("--reason 'class 7b'"),
        "{}",
        last.command
    );
}

#[test]
fn a_plan_with_an_invalid_line_or_nothing_to_create_cannot_be_started() {
    for (lines, taken) in [
        (vec![line(2, "ny1@x.se", Role::User), line(3, "not-an-email", Role::User)], vec![]),
        (vec![line(2, "anna@x.se", Role::User)], vec!["anna@x.se"]),
    ] {
        let mut app = signed_in_with(1, people());
        let (id, _) = ask_plan(&mut app, "class.csv");
        app.update(answer(id, Answer::ImportPlan(Ok(file_plan(lines, &taken)))));
        assert!(jobs(press(&mut app, key('y'))).is_empty());
        assert!(matches!(step(&app), ImportStep::Plan(_)), "still the plan: {:?}", app.dialog);
        assert!(status(&app).contains("cannot run"), "{}", status(&app));
        press(&mut app, key('n'));
        assert!(matches!(step(&app), ImportStep::Names), "n: back to the names, to fix the file");
    }
}

#[test]
fn a_refused_plan_puts_the_reason_beside_the_field_it_is_about() {
    let mut app = signed_in_with(1, people());
    let (id, _) = ask_plan(&mut app, "class.csv");
    let refusal =
        PlanError::Passwords { path: "/srv/in/p.csv".into(), why: "exists: give another name".into() };
    app.update(answer(id, Answer::ImportPlan(Err(Arc::new(refusal)))));
    let Some(Dialog::Import(d)) = &app.dialog else { panic!() };
    assert!(matches!(d.step, ImportStep::Names));
    assert_eq!(d.focus, ImportField::Passwords);
    assert!(d.error.as_deref().is_some_and(|e| e.contains("exists")), "{:?}", d.error);
    // A plan's answer after Esc is dropped: the names stay.
    let (id, _) = {
        let out = press(&mut app, code(KeyCode::Enter));
        let [Effect::Db(r)] = out.as_slice() else { panic!("{out:?}") };
        (r.id, ())
    };
    press(&mut app, code(KeyCode::Esc));
    app.update(answer(id, Answer::ImportPlan(Ok(file_plan(vec![line(2, "ny@x.se", Role::User)], &[])))));
    assert!(matches!(step(&app), ImportStep::Names), "a late plan does not open");
}

#[test]
fn esc_while_hashing_stops_the_import_and_nothing_is_created() {
    let mut app = signed_in_with(1, people());
    let (id, _) = ask_plan(&mut app, "class.csv");
    app.update(answer(id, Answer::ImportPlan(Ok(file_plan(vec![line(2, "ny@x.se", Role::User)], &[])))));
    press(&mut app, key('y'));
    let sent = jobs(press(&mut app, code(KeyCode::Enter)));
    let [Job::Import { stop, .. }] = sent.as_slice() else { panic!("{sent:?}") };
    assert!(!stop.raised());
    // q asks first (as while any change runs); Esc stops it.
    let out = press(&mut app, key('q'));
    assert!(!out.iter().any(|e| matches!(e, Effect::Quit)), "{out:?}");
    assert!(status(&app).contains("q again quits; nothing is created"), "{}", status(&app));
    press(&mut app, code(KeyCode::Esc));
    assert!(stop.raised(), "the worker is told to stop between two passwords");
    let request = app.in_flight.as_ref().map(|f| f.id).expect("still in flight until it answers");
    let stopped = ImportOutcome {
        stamp: Stamp::new(None),
        accounts: 1,
        passwords: "/srv/in/p.csv".into(),
        result: Err(ImportFailure::Stopped),
    };
    let out = jobs(app.update(answer(request, Answer::Imported(Box::new(stopped)))));
    assert!(out.is_empty(), "nothing to reload: {out:?}");
    assert!(status(&app).contains("nothing was created"), "{}", status(&app));
    assert!(app.dialog.is_none() && !app.change_in_flight());
}

#[test]
fn import_is_offered_on_the_command_line_with_the_file() {
    let mut app = signed_in_with(1, people());
    press(&mut app, key(':'));
    typed(&mut app, "import /srv/in/class.csv");
    press(&mut app, code(KeyCode::Enter));
    let Some(Dialog::Import(d)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(d.file.value(), "/srv/in/class.csv");
}

#[test]
fn q_twice_while_an_import_runs_quits() {
    let mut app = signed_in_with(1, people());
    let (id, _) = ask_plan(&mut app, "class.csv");
    app.update(answer(id, Answer::ImportPlan(Ok(file_plan(vec![line(2, "ny@x.se", Role::User)], &[])))));
    press(&mut app, key('y'));
    press(&mut app, code(KeyCode::Enter));
    assert!(matches!(step(&app), ImportStep::Running(_)));
    press(&mut app, key('j'));
    assert!(status(&app).contains("the import is running"), "{}", status(&app));
    assert!(!press(&mut app, key('q')).iter().any(|e| matches!(e, Effect::Quit)));
    assert!(press(&mut app, key('q')).iter().any(|e| matches!(e, Effect::Quit)), "the second q quits");
}
