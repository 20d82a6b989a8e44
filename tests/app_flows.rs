//! The console's state machine, driven by events as a person and the worker would produce
//! them: no terminal, no database. Each test asserts state and the commands emitted.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skriptoteket_admin::domain::account::Account;
use skriptoteket_admin::domain::audit::AuditRow;
use skriptoteket_admin::domain::references::{DeletePlan, Dependent, OnDelete};
use skriptoteket_admin::domain::{Applied, Change, Done, Role, Secret, Stamp, UserRow};
use skriptoteket_admin::store::sessions::SessionRow;
use skriptoteket_admin::store::{Actor, StoreError};
use skriptoteket_admin::tui::event::{
    Answer, DbEvent, Details, Effect, Event, Job, OpError, Outcome, RequestId,
};
use skriptoteket_admin::tui::model::dialog::{Dialog, Loading};
use skriptoteket_admin::tui::model::forms::ResetField;
use skriptoteket_admin::tui::model::{Screen, StatusKind};
use skriptoteket_admin::tui::{App, Options};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::macros::datetime;
use uuid::Uuid;

use rstest::rstest;

mod console_support;
use console_support::{
    answer, code, ctrl, drawn, jobs, key, people, press, row, signed_in_with, status, typed,
};

/// The id of the (last) database request among `effects`.
fn request_id(effects: &[Effect]) -> RequestId {
    effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Db(r) => Some(r.id),
            _ => None,
        })
        .expect("a database request")
}

/// The worker's answer to the change in flight.
fn applied(app: &App, o: Outcome) -> Event {
    answer(app.in_flight.as_ref().map_or(0, |f| f.id), Answer::Applied(Box::new(o)))
}

/// The worker's answer to the newest user-list request.
fn users(app: &App, rows: Vec<UserRow>) -> Event {
    answer(app.users_request.unwrap_or(0), Answer::Users(Ok(rows)))
}

/// The worker's answer to the open delete dialog's plan request.
fn plan(app: &App, p: DeletePlan) -> Event {
    let Some(Dialog::ConfirmDelete { request, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    answer(*request, Answer::DeletePlan(Ok(p)))
}

/// A plan that deletes `emails` and nothing blocks.
fn plan_for(emails: &[&str]) -> DeletePlan {
    DeletePlan {
        blocked_emails: vec![],
        emails: emails.iter().map(|e| e.to_string()).collect(),
        blockers: vec![],
        effects: vec![],
    }
}

/// Every id changed, none already so.
fn all_changed(ids: &[Uuid]) -> Done {
    Done::Changed(
        ids.iter()
            .map(|id| Applied {
                id: *id,
                email: String::new(),
                changed: true,
                sessions_revoked: 0,
                unlocked: false,
            })
            .collect(),
    )
}

/// An app signed in as user `actor_n` with the standard people loaded, cursor on row 0.
fn signed_in(actor_n: u128) -> App {
    signed_in_with(actor_n, people())
}

/// Answers the reason dialog that deletes and changes to several accounts open: types
/// `text`, presses Enter, and returns the jobs sent.
fn give_reason(app: &mut App, text: &str) -> Vec<Job> {
    assert!(matches!(app.dialog, Some(Dialog::Reason(_))), "expected the reason dialog: {:?}", app.dialog);
    typed(app, text);
    jobs(press(app, code(KeyCode::Enter)))
}

/// Every change ends in the reason dialog: the key that confirmed it (its `effects`) sends
/// nothing yet; Enter there, the reason left empty, sends it. The jobs sent.
fn sent_after_reason(app: &mut App, effects: Vec<Effect>) -> Vec<Job> {
    let early = jobs(effects);
    assert!(!early.iter().any(|j| matches!(j, Job::Apply { .. })), "sent before the reason: {early:?}");
    give_reason(app, "")
}

/// The screen as drawn now, as text.
fn drawn_text(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.width, app.height))
        .expect("test terminal");
    terminal
        .draw(|f| {
            skriptoteket_admin::tui::view::draw(f, app);
        })
        .expect("draw");
    format!("{}", terminal.backend())
}

fn cursor_email(app: &App) -> String {
    app.users.cursor_row().map(|r| r.email().to_string()).unwrap_or_default()
}

fn go_to(app: &mut App, email: &str) {
    press(app, key('g'));
    for _ in 0..app.users.visible_len() {
        if cursor_email(app) == email {
            return;
        }
        press(app, key('j'));
    }
    panic!("{email} not in table");
}

#[test]
fn login_sends_credentials_and_keeps_the_email_on_failure() {
    let mut app = App::new(Options::default(), 80, 24);
    assert!(matches!(app.screen, Screen::Connecting { .. }));
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    assert!(matches!(app.screen, Screen::Login(_)));
    typed(&mut app, "boss@x.se");
    press(&mut app, code(KeyCode::Tab));
    typed(&mut app, "hemligt-lösen");
    let cmds = jobs(press(&mut app, code(KeyCode::Enter)));
    match cmds.as_slice() {
        [Job::Login { email, password }] => {
            assert_eq!(email, "boss@x.se");
            assert_eq!(password.expose(), "hemligt-lösen");
        }
        other => panic!("{other:?}"),
    }
    // While the hash is checked, keys do nothing and nothing is sent twice.
    assert!(press(&mut app, code(KeyCode::Enter)).is_empty());
    app.update(answer(1, Answer::LoginFailed(Arc::new(StoreError::InvalidCredentials))));
    let Screen::Login(f) = &app.screen else { panic!() };
    assert_eq!(f.email.value(), "boss@x.se");
    assert!(f.password.is_empty());
    assert!(f.error.as_deref().is_some_and(|e| e.starts_with("Wrong email or password.")), "{:?}", f.error);
}

#[test]
fn a_database_without_superuser_offers_bootstrap() {
    let mut app = App::new(Options::default(), 80, 24);
    app.update(Event::Db(DbEvent::Connected { has_superuser: false, audit_log: true }));
    assert!(matches!(app.screen, Screen::Bootstrap(_)));
    typed(&mut app, "Root@X.se");
    press(&mut app, code(KeyCode::Tab));
    typed(&mut app, "longpassword");
    press(&mut app, code(KeyCode::Tab));
    typed(&mut app, "longpassworX");
    assert!(press(&mut app, code(KeyCode::Enter)).is_empty());
    let Screen::Bootstrap(f) = &app.screen else { panic!() };
    assert_eq!(f.error.as_deref(), Some("the two passwords differ"));
    typed(&mut app, "longpassword");
    let cmds = jobs(press(&mut app, code(KeyCode::Enter)));
    match cmds.as_slice() {
        [Job::Bootstrap { email, password }] => {
            assert_eq!(email.as_str(), "root@x.se");
            assert_eq!(password.expose(), "longpassword");
        }
        other => panic!("{other:?}"),
    }
}

/// No superuser and no audit log: the migration is offered (Enter) before any form; a
/// failed one says why and can be tried again; read-only mode refuses it.
#[test]
fn a_database_without_audit_log_offers_the_migration_first() {
    let mut app = App::new(Options::default(), 80, 24);
    app.update(Event::Db(DbEvent::Connected { has_superuser: false, audit_log: false }));
    assert!(matches!(app.screen, Screen::Migrate(_)), "{:?}", app.screen);
    assert!(jobs(press(&mut app, key('x'))).is_empty(), "no field to type into");
    let cmds = press(&mut app, code(KeyCode::Enter));
    assert!(matches!(jobs(cmds.clone()).as_slice(), [Job::Migrate]));
    assert!(jobs(press(&mut app, code(KeyCode::Enter))).is_empty(), "one migration at a time");
    app.update(answer(request_id(&cmds), Answer::Migrated(Err(Arc::new(StoreError::ReadOnly)))));
    let Screen::Migrate(m) = &app.screen else { panic!("{:?}", app.screen) };
    assert!(!m.busy && m.error.is_some());
    let cmds = press(&mut app, code(KeyCode::Enter));
    app.update(answer(request_id(&cmds), Answer::Migrated(Ok(()))));
    assert!(matches!(app.screen, Screen::Bootstrap(_)), "{:?}", app.screen);

    // With a superuser the log-in comes first, as before: signing in needs no audit log.
    let mut app = App::new(Options::default(), 80, 24);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: false }));
    assert!(matches!(app.screen, Screen::Login(_)));

    let mut app = App::new(Options::default(), 80, 24);
    app.options.deployment.readonly = true;
    app.update(Event::Db(DbEvent::Connected { has_superuser: false, audit_log: false }));
    assert!(jobs(press(&mut app, code(KeyCode::Enter))).is_empty());
    let Screen::Migrate(m) = &app.screen else { panic!() };
    assert!(m.error.as_deref().is_some_and(|e| e.starts_with("read-only mode")), "{:?}", m.error);
    assert!(press(&mut app, code(KeyCode::Esc)).iter().any(|e| matches!(e, Effect::Quit)));
}

#[test]
fn moving_paging_and_sorting_keep_the_cursor_in_range() {
    let mut app = signed_in(1);
    assert_eq!(cursor_email(&app), "admin@x.se");
    press(&mut app, key('G'));
    assert_eq!(cursor_email(&app), "david@x.se");
    press(&mut app, key('j'));
    assert_eq!(cursor_email(&app), "david@x.se");
    press(&mut app, key('g'));
    press(&mut app, code(KeyCode::PageDown));
    assert_eq!(app.users.cursor, 5);
    press(&mut app, ctrl('u'));
    assert_eq!(app.users.cursor, 0);
    press(&mut app, key('s'));
    press(&mut app, key('2')); // by role
    assert_eq!(cursor_email(&app), "admin@x.se", "cursor stays on its user");
    press(&mut app, key('S'));
    assert!(app.users.reverse);
}

#[test]
fn filter_narrows_by_text_role_and_status_and_esc_clears() {
    let mut app = signed_in(1);
    press(&mut app, key('/'));
    typed(&mut app, "role:user");
    assert_eq!(app.users.visible_len(), 3);
    typed(&mut app, " an");
    assert_eq!(app.users.visible_len(), 1);
    assert_eq!(cursor_email(&app), "anna@x.se");
    press(&mut app, code(KeyCode::Enter));
    assert!(!app.filter.editing);
    assert_eq!(app.users.visible_len(), 1, "Enter keeps the filter");
    press(&mut app, key('/'));
    press(&mut app, ctrl('u'));
    assert_eq!(app.users.visible_len(), 6);
    typed(&mut app, "%_");
    assert_eq!(app.users.visible_len(), 0, "metacharacters are literal");
    // Esc in an edit cancels the edit: the filter as it was when `/` opened it.
    press(&mut app, code(KeyCode::Esc));
    assert!(!app.filter.editing);
    assert_eq!(app.filter.input.value(), "role:user an");
    assert_eq!(app.users.visible_len(), 1);
    assert!(status(&app).contains("filter edit cancelled"), "{}", status(&app));
    // The next Esc clears the filter.
    press(&mut app, code(KeyCode::Esc));
    assert_eq!(app.users.visible_len(), 6);
    assert_eq!(status(&app), "filter cleared");
}

#[test]
fn bulk_role_change_confirms_counts_then_sends_one_command() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key(' '));
    press(&mut app, key(' ')); // bertil
    go_to(&mut app, "cissi@x.se");
    press(&mut app, key(' '));
    assert_eq!(app.users.marks_len(), 3);
    assert!(press(&mut app, key('r')).is_empty());
    assert!(matches!(app.dialog, Some(Dialog::PickRole { .. })));
    press(&mut app, key('3'));
    let Some(Dialog::Confirm { lines, targets, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(targets.len(), 3);
    let text = lines.join("\n");
    assert!(text.contains("3 users to admin"), "{text}");
    assert!(text.contains("2 user → admin"), "{text}");
    assert!(text.contains("1 contributor → admin"), "{text}");
    assert!(press(&mut app, key('y')).is_empty(), "a change to several accounts asks why first");
    let cmds = give_reason(&mut app, "  autumn course  ");
    let [Job::Apply { targets, change: Change::SetRole(Role::Admin), password: None, reason }] =
        cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(targets.len(), 3);
    assert_eq!(reason.as_ref().map(|r| r.as_str()), Some("autumn course"));
    assert!(app.dialog.is_none());
    // A second change cannot start while the first runs; the cursor still moves.
    assert!(press(&mut app, key('r')).is_empty());
    assert!(app.dialog.is_none());
    assert_eq!(app.status.as_ref().map(|s| s.kind), Some(StatusKind::Error));
    press(&mut app, key('k'));
    let ids: Vec<Uuid> = targets.iter().map(|t| t.id).collect();
    let refreshed: Vec<UserRow> = people()
        .into_iter()
        .filter(|r| ids.contains(&r.id))
        .map(|mut r| {
            r.role = Role::Admin;
            r
        })
        .collect();
    let cursor_before = app.users.cursor_id();
    app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::SetRole(Role::Admin),
            refreshed,
            result: Ok(all_changed(&ids)),
            affected: ids,
            generated: None,
        },
    ));
    assert!((app.users.marks_len() == 0), "marks clear after success");
    assert_eq!(app.users.cursor_id(), cursor_before, "cursor stays on the same user");
    assert_eq!(app.users.all().filter(|r| r.role() == Role::Admin).count(), 4);
    let status = app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Ok);
    assert_eq!(status.text, "role set to admin for 3 users · z undoes · c: as a command");
    assert!(!app.change_in_flight());
}

/// A change to one account, applied with `stamp`: what `z` and `c` then work on.
fn apply_one(app: &mut App, email: &str, key_char: char, stamp: &Stamp) {
    go_to(app, email);
    press(app, key(key_char));
    let confirmed = press(app, key('y'));
    let cmds = sent_after_reason(app, confirmed);
    let [Job::Apply { change, targets, .. }] = cmds.as_slice() else { panic!("{cmds:?}") };
    let ids: Vec<Uuid> = targets.iter().map(|t| t.id).collect();
    let o = Outcome {
        stamp: stamp.clone(),
        change: change.clone(),
        refreshed: vec![],
        result: Ok(all_changed(&ids)),
        affected: ids,
        generated: None,
    };
    app.update(applied(app, o));
}

#[test]
fn z_undoes_the_last_change_after_asking_and_c_shows_it_as_a_command() {
    let mut app = signed_in(1);
    press(&mut app, key('z'));
    assert!(app.dialog.is_none());
    assert!(app.status.clone().unwrap().text.contains("nothing to undo"));
    let stamp = Stamp::new(None);
    apply_one(&mut app, "anna@x.se", 'a', &stamp);
    press(&mut app, key('c'));
    let Some(Dialog::Command { text }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(text, "skriptoteket-admin deactivate anna@x.se --actor-email boss@x.se");
    press(&mut app, code(KeyCode::Esc));
    press(&mut app, key('z'));
    let Some(Dialog::Confirm { change, lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(*change, Change::Revert(stamp.change_id));
    assert!(lines[0].starts_with("Undo deactivate: anna@x.se"), "{lines:?}");
    assert!(press(&mut app, key('y')).is_empty(), "a revert asks why, as a change to many accounts");
    let cmds = give_reason(&mut app, "wrong person");
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::Revert(id), targets, .. }] if *id == stamp.change_id && targets.is_empty()),
        "{cmds:?}"
    );
}

#[test]
fn changes_that_cannot_be_undone_say_so_before_and_after() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('x'));
    let Some(Dialog::Confirm { lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(lines.last().map(String::as_str), Some("  This cannot be undone."));
    press(&mut app, code(KeyCode::Esc));
    press(&mut app, key('a'));
    let Some(Dialog::Confirm { lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(lines.last().map(String::as_str), Some("  z undoes it afterwards."));
    press(&mut app, code(KeyCode::Esc));
    apply_one(&mut app, "anna@x.se", 'x', &Stamp::new(None));
    assert!(app.status.clone().unwrap().text.contains("cannot be undone"));
    press(&mut app, key('z'));
    assert!(app.dialog.is_none());
    let status = app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("cannot be undone"), "{}", status.text);
}

#[test]
fn the_reason_dialog_cancels_with_esc_and_a_required_reason_must_be_given() {
    let mut app = signed_in(1);
    app.options.deployment.require_reason = true;
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('a'));
    assert!(press(&mut app, key('y')).is_empty(), "a required reason is asked for every change");
    assert!(give_reason(&mut app, "").is_empty(), "an empty reason is refused");
    let Some(Dialog::Reason(p)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(p.error.as_deref().is_some_and(|e| e.contains("required")), "{:?}", p.error);
    press(&mut app, code(KeyCode::Esc));
    assert!(app.dialog.is_none() && !app.change_in_flight(), "cancelled, nothing sent");
    press(&mut app, key('a'));
    press(&mut app, key('y'));
    let cmds = give_reason(&mut app, "left the school");
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { reason: Some(r), .. }] if r.as_str() == "left the school"),
        "{cmds:?}"
    );
}

#[test]
fn read_only_mode_still_reads() {
    let mut app = signed_in(1);
    app.options.deployment.readonly = true;
    go_to(&mut app, "anna@x.se");
    assert!(matches!(jobs(press(&mut app, code(KeyCode::Enter))).as_slice(), [Job::LoadDetails(_)]));
}

/// Every key that would change an account, in read-only mode: refused in the status line,
/// nothing sent, no dialog.
#[rstest]
fn read_only_mode_refuses_every_change_key(#[values('a', 'x', 'u', 'v', 'r', 'p', 'd', 'n')] k: char) {
    let mut app = signed_in(1);
    app.options.deployment.readonly = true;
    go_to(&mut app, "anna@x.se");
    let cmds = jobs(press(&mut app, key(k)));
    assert!(cmds.is_empty() && app.dialog.is_none(), "{cmds:?} {:?}", app.dialog);
    let status = app.status.clone().expect("a status");
    assert!(status.kind == StatusKind::Error && status.text.contains("read-only"), "{}", status.text);
}

#[test]
fn a_protected_deployment_wants_its_name_typed_before_a_destructive_bulk_change() {
    let mut app = signed_in(1);
    app.options.deployment.name = Some("prod-skola".into());
    app.options.deployment.protected = true;
    for who in ["anna@x.se", "bertil@x.se"] {
        go_to(&mut app, who);
        press(&mut app, key(' '));
    }
    press(&mut app, key('x'));
    press(&mut app, key('y'));
    let Some(Dialog::Reason(p)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(p.confirm_name.as_deref(), Some("prod-skola"));
    typed(&mut app, "prod-skol");
    assert!(press(&mut app, code(KeyCode::Enter)).is_empty(), "a wrong name sends nothing");
    let Some(Dialog::Reason(p)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(p.error.as_deref().is_some_and(|e| e.contains("prod-skola")), "{:?}", p.error);
    typed(&mut app, "a");
    press(&mut app, code(KeyCode::Tab));
    typed(&mut app, "end of term");
    let cmds = jobs(press(&mut app, code(KeyCode::Enter)));
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::RevokeSessions, reason: Some(r), .. }] if r.as_str() == "end of term"),
        "{cmds:?}"
    );
    // One account is no bulk change: no name asked.
    let mut app = signed_in(1);
    app.options.deployment.name = Some("prod-skola".into());
    app.options.deployment.protected = true;
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('x'));
    let confirmed = press(&mut app, key('y'));
    assert!(matches!(sent_after_reason(&mut app, confirmed).as_slice(), [Job::Apply { .. }]));
}

/// An audit row of `action` on `target`, `minutes` before a fixed moment, in change `n`.
fn audit_row(n: u128, action: &str, target: &str, minutes: i64) -> AuditRow {
    AuditRow {
        id: n as i64,
        at: datetime!(2026-11-20 12:00 UTC) - time::Duration::minutes(minutes),
        actor_id: Some(Uuid::from_u128(1)),
        actor_email: "boss@x.se".into(),
        action: action.into(),
        target_id: Some(Uuid::from_u128(3)),
        target_email: Some(target.into()),
        before: Some(serde_json::json!({"role": "user"})),
        after: Some(serde_json::json!({"role": "admin"})),
        change_id: Some(Uuid::from_u128(0xabc0 + n)),
        operator: None,
        reason: None,
        reverts: None,
    }
}

/// The audit viewer lists changes (one row each, however many accounts), moves a cursor
/// over them, opens the selected one to its accounts and one account's entry in full, and
/// reverts the selected change; its filter is read with the wall clock and asked of the
/// database when kept, and one that cannot be read asks nothing.
#[test]
fn the_audit_viewer_lists_changes_opens_the_selected_one_and_reverts_it() {
    use skriptoteket_admin::domain::audit::ChangeSummary;
    use skriptoteket_admin::domain::audit_filter::AuditFilter;
    let mut app = signed_in(1);
    let opened = press(&mut app, key('L'));
    assert!(matches!(jobs(opened.clone()).as_slice(), [Job::LoadAudit(f)] if *f == AuditFilter::default()));
    let bulk =
        ChangeSummary { first: audit_row(2, "set_role", "anna@x.se", 2), matching: 101, accounts: 101 };
    let delete = ChangeSummary::single(audit_row(3, "delete_user", "david@x.se", 60 * 24 * 10));
    app.update(answer(request_id(&opened), Answer::AuditChanges(Ok(vec![bulk.clone(), delete]))));
    let view = |app: &App| -> skriptoteket_admin::tui::model::dialog::AuditView {
        let Some(Dialog::Audit(v)) = &app.dialog else { panic!("{:?}", app.dialog) };
        v.clone()
    };
    assert_eq!(view(&app).cursor.at, 0);
    // The cursor picks the change z acts on: a delete cannot be reverted.
    press(&mut app, key('j'));
    assert_eq!(view(&app).cursor.at, 1);
    press(&mut app, key('j'));
    assert_eq!(view(&app).cursor.at, 1, "the cursor stays on the last row");
    press(&mut app, key('z'));
    assert!(status(&app).contains("cannot be reverted"), "{}", status(&app));
    assert!(matches!(app.dialog, Some(Dialog::Audit(_))));

    // Enter opens the selected change: its accounts are asked for.
    press(&mut app, key('k'));
    let asked = jobs(press(&mut app, code(KeyCode::Enter)));
    assert!(matches!(asked.as_slice(), [Job::LoadChange(id)] if *id == Uuid::from_u128(0xabc2)), "{asked:?}");
    let request = view(&app).open.expect("opened").request;
    let accounts = vec![audit_row(2, "set_role", "anna@x.se", 2), audit_row(4, "set_role", "bertil@x.se", 2)];
    app.update(answer(request, Answer::ChangeEntries(Ok(accounts))));
    press(&mut app, key('j'));
    press(&mut app, code(KeyCode::Enter));
    let open = view(&app).open.expect("still open");
    assert_eq!(open.entry, Some(0), "the entry in full");
    assert_eq!(open.selected().map(|r| r.id), Some(4));
    // Esc goes back one level at a time.
    press(&mut app, code(KeyCode::Esc));
    assert_eq!(view(&app).open.expect("the accounts").entry, None);
    press(&mut app, code(KeyCode::Esc));
    assert!(view(&app).open.is_none());

    // The filter is read with the wall clock when kept, and asked of the database.
    app.update(Event::WallClock(datetime!(2026-11-20 12:30 UTC)));
    press(&mut app, key('/'));
    typed(&mut app, "since:1d action:set_role");
    assert!(matches!(app.dialog, Some(Dialog::Audit(_))));
    let kept = jobs(press(&mut app, code(KeyCode::Enter)));
    let [Job::LoadAudit(f)] = kept.as_slice() else { panic!("{kept:?}") };
    assert_eq!(f.since, Some(datetime!(2026-11-19 12:30 UTC)));
    assert_eq!(f.actions, ["set_role"]);
    assert!(matches!(view(&app).changes, Loading::Pending));
    assert_eq!(
        view(&app).filter.history,
        ["since:1d action:set_role"],
        "a filter read goes into the history"
    );
    // A filter that cannot be read asks nothing and stays open, saying why.
    press(&mut app, key('/'));
    typed(&mut app, " colour:red");
    assert!(jobs(press(&mut app, code(KeyCode::Enter))).is_empty());
    assert!(view(&app).filter.editing);
    assert!(status(&app).contains("colour:"), "{}", status(&app));
    assert_eq!(view(&app).filter.history.len(), 1, "a filter that cannot be read is not remembered");
    press(&mut app, code(KeyCode::Esc));
    // An answer to the first request is stale now; the newest one fills the list.
    app.update(answer(request_id(&opened), Answer::AuditChanges(Ok(vec![]))));
    assert!(matches!(view(&app).changes, Loading::Pending));
    let Some(Dialog::Audit(v)) = &app.dialog else { panic!() };
    let newest = v.request;
    app.update(answer(newest, Answer::AuditChanges(Ok(vec![bulk]))));
    press(&mut app, key('z'));
    let Some(Dialog::Confirm { change, lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(*change, Change::Revert(Uuid::from_u128(0xabc2)));
    assert!(lines[0].contains("101 accounts"), "{lines:?}");
    // The filters kept come back with ↑ in the next viewer of the session.
    press(&mut app, code(KeyCode::Esc));
    press(&mut app, key('L'));
    press(&mut app, key('/'));
    press(&mut app, code(KeyCode::Up));
    assert_eq!(view(&app).filter.value(), "since:1d action:set_role");
}

#[test]
fn the_table_filter_speaks_the_filter_language_counting_ages_from_the_wall_clock() {
    let mut app = signed_in(1);
    let now = datetime!(2026-11-26 12:00 UTC);
    app.update(Event::WallClock(now));
    let mut rows = people();
    for r in &mut rows {
        r.last_login_at = Some(now - time::Duration::days(10));
    }
    rows[2].last_login_at = Some(now - time::Duration::days(400)); // anna
    rows[3].last_login_at = None; // bertil
    app.update(ctrl('r'));
    app.update(users(&app, rows));
    app.update(key('/'));
    typed(&mut app, "last_login:older:180d");
    let shown: Vec<String> = (0..app.users.visible_len())
        .filter_map(|i| app.users.visible_row(i).map(|r| r.email().to_string()))
        .collect();
    assert_eq!(shown, ["anna@x.se"]);
    app.update(ctrl('u'));
    typed(&mut app, "never_logged_in");
    assert_eq!(app.users.visible_len(), 1);
    app.update(ctrl('u'));
    typed(&mut app, "-role:user,contributor");
    assert_eq!(app.users.visible_len(), 2, "boss and admin");
    app.update(ctrl('u'));
    typed(&mut app, "rol:admin");
    assert_eq!(app.users.visible_len(), 0);
    assert!(app.users.filter.invalid.as_deref().is_some_and(|e| e.contains("the keys are")));
}

#[test]
fn an_admin_is_refused_before_any_query() {
    let mut app = signed_in(2);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('r'));
    // Roles an admin may not give are shown disabled: picking one refuses in place,
    // and moving skips them.
    press(&mut app, key('4'));
    assert!(matches!(app.dialog, Some(Dialog::PickRole { .. })), "an admin cannot assign superuser");
    assert_eq!(
        status(&app),
        "superuser is not offered: Insufficient permissions: an admin may only assign the user and contributor roles."
    );
    for _ in 0..3 {
        press(&mut app, key('j'));
    }
    let Some(Dialog::PickRole { selected, .. }) = app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(Role::ALL[selected], Role::Contributor);
    press(&mut app, code(KeyCode::Esc));
}

/// An admin on the superuser's row: every change key refused before a query, naming the
/// account first, in full.
#[rstest]
fn an_admin_is_refused_on_a_superuser_before_any_query(#[values('r', 'p', 'd', 'x', 'a', 'u', 'v')] k: char) {
    let mut app = signed_in(2);
    go_to(&mut app, "boss@x.se");
    assert!(press(&mut app, key(k)).is_empty());
    assert!(app.dialog.is_none());
    let s = app.status.clone().expect("a status");
    assert_eq!(s.kind, StatusKind::Error);
    assert!(s.text.starts_with("boss@x.se: Insufficient permissions"), "{}", s.text);
}

#[test]
fn nobody_deactivates_themselves_and_the_last_superuser_stays() {
    let mut app = signed_in(1);
    go_to(&mut app, "boss@x.se");
    assert!(press(&mut app, key('a')).is_empty());
    assert!(app.status.clone().unwrap().text.contains("own account"));
    assert!(press(&mut app, key('d')).is_empty());
    assert!(app.dialog.is_none());
}

#[test]
fn password_reset_generates_shows_once_and_copies() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('p'));
    let Some(Dialog::ResetPassword(f)) = &app.dialog else { panic!() };
    assert!(f.revoke_sessions, "revoking sessions is the default");
    let submitted = press(&mut app, code(KeyCode::Enter));
    let cmds = sent_after_reason(&mut app, submitted);
    let [
        Job::Apply {
            targets, change: Change::ResetPassword { revoke_sessions: true }, password: None, ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}: generating is the default, and the worker generates")
    };
    assert_eq!(targets[0].email, "anna@x.se");
    let password = &Secret::from("Generated-By-Worker-9");
    app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::ResetPassword { revoke_sessions: true },
            refreshed: vec![row(3, "anna@x.se", Role::User)],
            affected: vec![Uuid::from_u128(3)],
            result: Ok(all_changed(&[Uuid::from_u128(3)])),
            generated: Some(("anna@x.se".into(), password.clone())),
        },
    ));
    let Some(Dialog::ShowPassword { secret, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(secret, password);
    let cmds = press(&mut app, key('c'));
    assert!(matches!(cmds.as_slice(), [Effect::Clipboard(s)] if s == password));
    // Nothing claims the copy worked: OSC 52 is fire-and-forget.
    assert!(status(&app).starts_with("sent to the terminal's clipboard (OSC 52); paste to check"));
    // A reflexive Esc does not lose the password; Enter closes it.
    press(&mut app, code(KeyCode::Esc));
    assert!(matches!(app.dialog, Some(Dialog::ShowPassword { .. })));
    assert!(status(&app).contains("stays until you close it with Enter"), "{}", status(&app));
    press(&mut app, code(KeyCode::Enter));
    assert!(app.dialog.is_none());
}

#[test]
fn typed_password_must_match_and_meet_policy() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('p'));
    press(&mut app, key(' ')); // mode: type
    press(&mut app, code(KeyCode::Tab));
    typed(&mut app, "short");
    assert!(press(&mut app, code(KeyCode::Enter)).is_empty());
    let Some(Dialog::ResetPassword(f)) = &app.dialog else { panic!() };
    assert!(f.error.as_deref().unwrap().contains("at least 8"));
    assert_eq!(f.focus, ResetField::Password, "the password field has the focus again");
    press(&mut app, ctrl('u'));
    typed(&mut app, "long enough pw");
    press(&mut app, code(KeyCode::Tab));
    typed(&mut app, "long enough pw");
    let submitted = press(&mut app, code(KeyCode::Enter));
    let cmds = sent_after_reason(&mut app, submitted);
    let [Job::Apply { password: Some(p), change: Change::ResetPassword { revoke_sessions: true }, .. }] =
        cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(p.expose(), "long enough pw");
}

#[test]
fn new_user_form_validates_then_creates() {
    let mut app = signed_in(2);
    press(&mut app, key('n'));
    typed(&mut app, "not-an-email");
    assert!(press(&mut app, code(KeyCode::Enter)).is_empty());
    let Some(Dialog::NewUser(f)) = &app.dialog else { panic!() };
    assert!(f.error.is_some());
    press(&mut app, ctrl('u'));
    typed(&mut app, "Ny.Larare@Skola.se");
    press(&mut app, code(KeyCode::Tab));
    press(&mut app, key('3')); // admin: an admin may not provision it, so it is not offered
    let Some(Dialog::NewUser(f)) = &app.dialog else { panic!() };
    assert_eq!(f.role, Role::User);
    assert_eq!(
        f.role_refused.as_deref(),
        Some(
            "admin is not offered: Insufficient permissions: an admin may only assign the user and contributor roles. (still user)"
        ),
        "beside the role, not at the form's foot"
    );
    // Space cycles through the offered roles only.
    press(&mut app, key(' '));
    press(&mut app, key(' '));
    let Some(Dialog::NewUser(f)) = &app.dialog else { panic!() };
    assert_eq!(f.role, Role::User);
    press(&mut app, key('2'));
    let submitted = press(&mut app, code(KeyCode::Enter));
    let cmds = sent_after_reason(&mut app, submitted);
    let [Job::Apply { change: Change::Create { email, role: Role::Contributor }, password: None, .. }] =
        cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(email.as_str(), "ny.larare@skola.se");
}

#[test]
fn blocked_delete_offers_deactivation_instead() {
    let mut app = signed_in(1);
    go_to(&mut app, "cissi@x.se");
    let cmds = jobs(press(&mut app, key('d')));
    assert!(matches!(cmds.as_slice(), [Job::PlanDelete(t)] if t.len() == 1));
    assert!(press(&mut app, key('y')).is_empty(), "no delete before the plan is known");
    let blocker = Dependent {
        table: "tool_versions".into(),
        column: "created_by".into(),
        on_delete: OnDelete::Restrict,
        rows: 3,
    };
    app.update(plan(
        &app,
        DeletePlan {
            blocked_emails: vec![],
            emails: vec!["cissi@x.se".into()],
            blockers: vec![blocker],
            effects: vec![],
        },
    ));
    assert!(press(&mut app, key('y')).is_empty(), "y does not confirm a blocked delete");
    assert!(matches!(app.dialog, Some(Dialog::ConfirmDelete { .. })));
    assert!(press(&mut app, key('a')).is_empty());
    let Some(Dialog::Confirm { change: Change::SetActive(false), .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    let confirmed = press(&mut app, key('y'));
    let cmds = sent_after_reason(&mut app, confirmed);
    assert!(matches!(cmds.as_slice(), [Job::Apply { change: Change::SetActive(false), .. }]));
}

#[test]
fn unblocked_delete_sends_delete() {
    let mut app = signed_in(1);
    go_to(&mut app, "david@x.se");
    press(&mut app, key('d'));
    app.update(plan(&app, plan_for(&["david@x.se"])));
    assert!(press(&mut app, key('y')).is_empty());
    let cmds = give_reason(&mut app, "");
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::Delete, targets, reason: None, .. }] if targets[0].email == "david@x.se")
    );
    app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::Delete,
            refreshed: vec![],
            affected: vec![Uuid::from_u128(6)],
            result: Ok(Done::Deleted { rows: vec![row(6, "david@x.se", Role::User)], effects: vec![] }),
            generated: None,
        },
    ));
    assert_eq!(app.status.clone().unwrap().text, "deleted 1 user · cannot be undone · c: as a command");
    assert_eq!(app.users.len(), 5);
    assert!(app.users.visible_len() <= 5 && app.users.cursor < app.users.visible_len());
}

#[test]
fn stale_or_interrupted_changes_reload_and_say_why() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('x'));
    press(&mut app, key('y'));
    give_reason(&mut app, "");
    let cmds = jobs(app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::RevokeSessions,
            refreshed: vec![],
            affected: vec![],
            result: Err(OpError::Stale(Arc::new(StoreError::Stale {
                email: "anna@x.se".into(),
                what: "its role is now admin".into(),
            }))),
            generated: None,
        },
    )));
    assert!(matches!(cmds.as_slice(), [Job::LoadUsers]));
    assert!(app.status.clone().unwrap().text.contains("someone else"));
    let closed = StoreError::ConnectionLost("server closed the connection".into());
    app.update(Event::Db(DbEvent::ConnectionLost { error: Arc::new(closed) }));
    assert!(app.connection_lost.is_some());
    assert!(press(&mut app, key('x')).is_empty(), "no change starts while the connection is down");
    press(&mut app, key('/'));
    typed(&mut app, "ann");
    assert_eq!(app.filter.input.value(), "ann", "typing still works");
    press(&mut app, code(KeyCode::Enter));
    app.update(Event::Db(DbEvent::Reconnected));
    assert!(app.connection_lost.is_none());
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('r'));
    press(&mut app, key('2'));
    press(&mut app, key('y'));
    give_reason(&mut app, "");
    let cmds = jobs(app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::SetRole(Role::Contributor),
            refreshed: vec![],
            affected: vec![],
            result: Err(OpError::Interrupted { applied: Some(false) }),
            generated: None,
        },
    )));
    assert!(matches!(cmds.as_slice(), [Job::LoadUsers]));
    assert!(app.status.clone().unwrap().text.contains("NOT applied"));
    assert_eq!(app.filter.input.value(), "ann");
}

#[test]
fn viewers_open_and_close_and_quit_quits() {
    let mut app = signed_in(1);
    press(&mut app, key('?'));
    assert!(matches!(app.dialog, Some(Dialog::Help { .. })));
    press(&mut app, key('j'));
    press(&mut app, code(KeyCode::Esc));
    assert!(app.dialog.is_none());
    let cmds = jobs(press(&mut app, code(KeyCode::Enter)));
    assert!(matches!(cmds.as_slice(), [Job::LoadDetails(_)]));
    press(&mut app, code(KeyCode::Esc));
    let cmds = jobs(press(&mut app, key('L')));
    assert!(matches!(cmds.as_slice(), [Job::LoadAudit(_)]));
    press(&mut app, key('q'));
    assert!(app.dialog.is_none());
    let cmds = press(&mut app, key('q'));
    assert!(matches!(cmds.as_slice(), [Effect::Quit]));
}

#[test]
fn mark_all_marks_only_what_the_filter_shows_and_esc_clears() {
    let mut app = signed_in(1);
    press(&mut app, key('/'));
    typed(&mut app, "status:active role:user");
    press(&mut app, code(KeyCode::Enter));
    press(&mut app, key('*'));
    assert_eq!(app.users.marks_len(), 3);
    // One thing per Esc, each said: the filter first (the marks stay), then the marks.
    press(&mut app, code(KeyCode::Esc));
    assert_eq!(app.users.marks_len(), 3);
    assert_eq!(app.users.visible_len(), 6);
    assert_eq!(status(&app), "filter cleared; 3 marks kept (Esc again clears them)");
    press(&mut app, code(KeyCode::Esc));
    assert!((app.users.marks_len() == 0));
    assert_eq!(status(&app), "3 marks cleared; U restores them");
    press(&mut app, code(KeyCode::Esc));
    assert_eq!(status(&app), "nothing to clear: no filter, no marks");
    // U takes the clearing back.
    press(&mut app, key('U'));
    assert_eq!(app.users.marks_len(), 3);
    assert_eq!(status(&app), "3 marks restored; 3 users marked now");
    press(&mut app, key('U'));
    assert_eq!(status(&app), "no cleared marks to restore");
}

#[test]
fn keys_do_nothing_while_the_terminal_is_too_small() {
    let mut app = signed_in(1);
    go_to(&mut app, "david@x.se");
    press(&mut app, key('d'));
    app.update(plan(&app, plan_for(&["david@x.se"])));
    app.update(Event::Resize(30, 8));
    assert!(press(&mut app, key('y')).is_empty(), "a hidden dialog must not be confirmed");
    assert!(press(&mut app, key('j')).is_empty());
    app.update(Event::Resize(120, 40));
    assert!(matches!(app.dialog, Some(Dialog::ConfirmDelete { .. })), "the dialog is still there");
    press(&mut app, key('y'));
    let cmds = give_reason(&mut app, "");
    assert!(matches!(cmds.as_slice(), [Job::Apply { change: Change::Delete, .. }]));
    app.update(Event::Resize(30, 8));
    assert!(matches!(press(&mut app, key('q')).as_slice(), [Effect::Quit]));
}

/// Issue 24 point 5: the habit `y` Enter must not send the Enter to the table (it opened
/// another user's details): a key that comes right after a confirmation closed, before
/// the table has been on screen for the arming time, does nothing and says so. After a
/// cancel the next key is deliberate and acts.
#[test]
fn a_key_right_after_a_confirmation_closes_does_not_act_on_the_table() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('a'));
    assert!(matches!(app.dialog, Some(Dialog::Confirm { .. })), "{:?}", app.dialog);
    let mut sent = jobs(press(&mut app, key('y')));
    if matches!(app.dialog, Some(Dialog::Reason(_))) {
        sent = give_reason(&mut app, "left");
    }
    assert!(matches!(sent.as_slice(), [Job::Apply { change: Change::SetActive(false), .. }]), "{sent:?}");
    assert!(app.dialog.is_none());
    // The Enter of `y` Enter, before the table was drawn again.
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    assert!(app.dialog.is_none(), "no details opened: {:?}", app.dialog);
    assert!(
        status(&app).starts_with("key Enter ignored: it came right after a dialog closed"),
        "{}",
        status(&app)
    );
    // Other keys are no habit: `/` opens the filter at once.
    assert!(app.update(key('/')).is_empty());
    assert!(app.filter.editing, "/ acts at once");
    press(&mut app, code(KeyCode::Esc));
    // Once the table has been seen, Enter opens the details.
    let effects = press(&mut app, code(KeyCode::Enter));
    assert!(matches!(app.dialog, Some(Dialog::Details { .. })), "{effects:?}");
    press(&mut app, code(KeyCode::Esc));

    // Cancelled: the next key acts at once.
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('a'));
    press(&mut app, key('n'));
    app.update(key('j'));
    assert_ne!(cursor_email(&app), "anna@x.se", "j moved the cursor");
}

/// Issue 24 point 8: Ctrl-z suspends from anywhere; Esc typed quickly before a letter
/// (the bytes of Alt+letter) is the two keys outside text fields, and Alt+letter stays
/// the text field's own inside one.
#[test]
fn ctrl_z_suspends_and_esc_then_a_letter_is_two_keys() {
    let alt = |c: char| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT));
    let mut app = signed_in(1);
    assert!(matches!(press(&mut app, ctrl('z')).as_slice(), [Effect::Suspend]));
    press(&mut app, key('?'));
    assert!(matches!(press(&mut app, ctrl('z')).as_slice(), [Effect::Suspend]));
    assert!(matches!(app.dialog, Some(Dialog::Help { .. })), "the dialog is there after fg");
    let first = cursor_email(&app);
    press(&mut app, alt('j'));
    assert!(app.dialog.is_none(), "Esc closed the help");
    assert_ne!(cursor_email(&app), first, "then j moved the cursor");
    press(&mut app, key('n'));
    press(&mut app, alt('b'));
    assert!(matches!(app.dialog, Some(Dialog::NewUser(_))), "in a text field Alt+b is the field's");
    press(&mut app, code(KeyCode::Esc));
    // A capital comes with Shift too: Esc then E opens the export.
    press(&mut app, Event::Key(KeyEvent::new(KeyCode::Char('E'), KeyModifiers::ALT | KeyModifiers::SHIFT)));
    assert!(matches!(app.dialog, Some(Dialog::Export(_))), "{:?}", app.dialog);
    press(&mut app, code(KeyCode::Esc));

    // Esc then a letter that opens a confirmation: that one is new, and a y typed ahead
    // (before it was drawn) does not confirm it.
    press(&mut app, key('a'));
    assert!(matches!(app.dialog, Some(Dialog::Confirm { .. })));
    press(&mut app, alt('x'));
    assert!(
        matches!(&app.dialog, Some(Dialog::Confirm { change: Change::RevokeSessions, .. })),
        "{:?}",
        app.dialog
    );
    assert!(jobs(app.update(key('y'))).is_empty(), "typed ahead: ignored");
    assert!(status(&app).starts_with("key y ignored"), "{}", status(&app));
    press(&mut app, key('n'));

    // Where no shell could bring it back, or while a change runs, Ctrl-z says why instead.
    let mut app = signed_in(1);
    app.options.no_job_control = true;
    assert!(press(&mut app, ctrl('z')).is_empty());
    assert!(status(&app).contains("no shell here could bring the console back"), "{}", status(&app));
}

/// Issue 24 point 2: a change of several accounts that includes admins or superusers
/// says so, and Tab makes it the same change of the others only, asked afresh; a delete
/// is planned again for those.
#[test]
fn a_bulk_change_names_the_admins_among_its_accounts_and_tab_leaves_them_out() {
    let mut app = signed_in(1);
    for who in ["admin@x.se", "anna@x.se", "bertil@x.se"] {
        go_to(&mut app, who);
        press(&mut app, key(' '));
    }
    press(&mut app, key('a'));
    let Some(Dialog::Confirm { lines, targets, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(targets.len(), 3);
    assert_eq!(lines[1], "  Includes 1 admin. Tab leaves them out.", "{lines:?}");
    assert!(press(&mut app, code(KeyCode::Tab)).is_empty());
    let Some(Dialog::Confirm { lines, targets, change, .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert_eq!(*change, Change::SetActive(false));
    let emails: Vec<&str> = targets.iter().map(|t| t.email.as_str()).collect();
    assert_eq!(emails, ["anna@x.se", "bertil@x.se"]);
    assert!(lines.iter().all(|l| !l.contains("Includes")), "{lines:?}");
    assert_eq!(status(&app), "1 admin left out; confirm the others");
    // Tab again has nothing to leave out.
    assert!(press(&mut app, code(KeyCode::Tab)).is_empty());
    assert!(matches!(&app.dialog, Some(Dialog::Confirm { targets, .. }) if targets.len() == 2));
    press(&mut app, key('n'));

    // Only admins and superusers: said, but Tab would leave nothing, so it is not offered.
    let mut rows = people();
    rows.push(console_support::row(7, "backup.super@x.se", Role::Superuser));
    let mut app = console_support::signed_in_with(1, rows);
    for who in ["admin@x.se", "backup.super@x.se"] {
        go_to(&mut app, who);
        press(&mut app, key(' '));
    }
    press(&mut app, key('a'));
    let Some(Dialog::Confirm { lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(lines[1], "  Includes 1 superuser and 1 admin.", "{lines:?}");
    press(&mut app, key('n'));

    // A delete: planned again without them.
    let mut app = signed_in(1);
    for who in ["admin@x.se", "anna@x.se", "bertil@x.se"] {
        go_to(&mut app, who);
        press(&mut app, key(' '));
    }
    let cmds = jobs(press(&mut app, key('d')));
    assert!(matches!(cmds.as_slice(), [Job::PlanDelete(t)] if t.len() == 3), "{cmds:?}");
    let cmds = jobs(press(&mut app, code(KeyCode::Tab)));
    let [Job::PlanDelete(rest)] = cmds.as_slice() else { panic!("{cmds:?}") };
    assert_eq!(rest.iter().map(|t| t.email.as_str()).collect::<Vec<_>>(), ["anna@x.se", "bertil@x.se"]);
    assert!(matches!(&app.dialog, Some(Dialog::ConfirmDelete { targets, .. }) if targets.len() == 2));
}

#[test]
fn deleting_several_users_needs_their_number_typed() {
    let mut app = signed_in(1);
    for who in ["anna@x.se", "bertil@x.se", "cissi@x.se"] {
        go_to(&mut app, who);
        press(&mut app, key(' '));
    }
    let cmds = jobs(press(&mut app, key('d')));
    assert!(matches!(cmds.as_slice(), [Job::PlanDelete(t)] if t.len() == 3), "{cmds:?}");
    app.update(plan(&app, plan_for(&["anna@x.se", "bertil@x.se", "cissi@x.se"])));
    assert!(press(&mut app, key('y')).is_empty(), "y alone deletes nothing in bulk");
    assert!(press(&mut app, key('2')).is_empty());
    assert!(press(&mut app, code(KeyCode::Enter)).is_empty(), "the wrong number deletes nothing");
    press(&mut app, code(KeyCode::Backspace));
    press(&mut app, key('3'));
    assert!(press(&mut app, code(KeyCode::Enter)).is_empty());
    let cmds = give_reason(&mut app, "left the school");
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::Delete, targets, .. }] if targets.len() == 3),
        "{cmds:?}"
    );
}

#[test]
fn a_refused_create_keeps_the_form_and_a_created_user_gets_the_cursor() {
    let mut app = signed_in(1);
    press(&mut app, key('n'));
    typed(&mut app, "anna@x.se");
    let submitted = press(&mut app, code(KeyCode::Enter));
    let cmds = sent_after_reason(&mut app, submitted);
    let [Job::Apply { change: create @ Change::Create { .. }, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: create.clone(),
            refreshed: vec![],
            affected: vec![],
            result: Err(OpError::Failed(Arc::new(StoreError::AlreadyExists("anna@x.se".into())))),
            generated: None,
        },
    ));
    let Some(Dialog::NewUser(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(f.email.value(), "anna@x.se");
    assert!(f.error.as_deref().unwrap().contains("already exists"));
    press(&mut app, ctrl('u'));
    typed(&mut app, "zed@x.se");
    let submitted = press(&mut app, code(KeyCode::Enter));
    let cmds = sent_after_reason(&mut app, submitted);
    let [Job::Apply { change: create @ Change::Create { .. }, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let zed = row(9, "zed@x.se", Role::User);
    app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: create.clone(),
            refreshed: vec![zed.clone()],
            affected: vec![zed.id],
            result: Ok(Done::Created(zed)),
            generated: Some(("zed@x.se".into(), Secret::from("Generated-Pw-1"))),
        },
    ));
    assert_eq!(cursor_email(&app), "zed@x.se");
    assert_eq!(
        app.status.clone().unwrap().text,
        "created zed@x.se (user) · cannot be undone · c: as a command"
    );
    assert!(matches!(app.dialog, Some(Dialog::ShowPassword { .. })));
}

#[test]
fn confirmations_name_the_accounts_and_marks_the_filter_hides() {
    let mut app = signed_in(1);
    for who in ["anna@x.se", "bertil@x.se", "david@x.se"] {
        go_to(&mut app, who);
        press(&mut app, key(' '));
    }
    press(&mut app, key('/'));
    typed(&mut app, "anna");
    press(&mut app, code(KeyCode::Enter));
    press(&mut app, key('x'));
    let Some(Dialog::Confirm { lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    let text = lines.join("\n");
    assert!(text.contains("bertil@x.se") && text.contains("david@x.se"), "{text}");
    assert!(text.contains("2 of them are marked but hidden by the current filter"), "{text}");
}

#[test]
fn status_locked_finds_inactive_locked_accounts_and_reactivation_says_so() {
    let mut app = signed_in(1);
    let mut rows = people();
    rows[3].is_active = false; // bertil
    rows[3].locked = true;
    app.update(Event::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    app.update(users(&app, rows));
    press(&mut app, key('/'));
    typed(&mut app, "status:locked");
    press(&mut app, code(KeyCode::Enter));
    assert_eq!(cursor_email(&app), "bertil@x.se");
    assert_eq!(app.users.visible_len(), 1);
    press(&mut app, key('a'));
    let Some(Dialog::Confirm { lines, change: Change::SetActive(true), .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert!(lines.join("\n").contains("still locked"), "{lines:?}");
}

#[test]
fn a_delete_plan_for_another_selection_is_ignored() {
    let mut app = signed_in(1);
    go_to(&mut app, "david@x.se");
    let davids = request_id(&press(&mut app, key('d')));
    press(&mut app, code(KeyCode::Esc));
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('d'));
    // The first plan (david's) arrives late: it must not stand for anna's delete.
    app.update(answer(davids, Answer::DeletePlan(Ok(plan_for(&["david@x.se"])))));
    assert!(press(&mut app, key('y')).is_empty(), "no delete on a plan for someone else");
    app.update(plan(&app, plan_for(&["anna@x.se"])));
    press(&mut app, key('y'));
    let cmds = give_reason(&mut app, "");
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::Delete, targets, .. }] if targets[0].email == "anna@x.se")
    );
}

#[test]
fn an_interrupted_reset_that_may_have_applied_still_shows_the_password() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('p'));
    press(&mut app, code(KeyCode::Enter));
    give_reason(&mut app, "");
    app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::ResetPassword { revoke_sessions: true },
            refreshed: vec![],
            affected: vec![],
            result: Err(OpError::Interrupted { applied: Some(true) }),
            generated: Some(("anna@x.se".into(), Secret::from("Generated-Pw-2"))),
        },
    ));
    assert!(matches!(app.dialog, Some(Dialog::ShowPassword { .. })));
    assert!(app.status.clone().unwrap().text.contains("WAS applied"));
    // An Enter typed before the password was ever drawn does not close it.
    app.update(code(KeyCode::Enter));
    assert!(matches!(app.dialog, Some(Dialog::ShowPassword { .. })));
    assert!(status(&app).starts_with("key Enter ignored"), "{}", status(&app));
}

#[test]
fn an_answer_to_a_change_nobody_waits_for_is_dropped() {
    let mut app = signed_in(1);
    app.update(answer(
        77,
        Answer::Applied(Box::new(Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::Delete,
            refreshed: vec![],
            affected: vec![Uuid::from_u128(6)],
            result: Ok(Done::Deleted { rows: vec![], effects: vec![] }),
            generated: None,
        })),
    ));
    assert_eq!(app.users.len(), 6, "a stray answer changes nothing");
}

#[test]
fn verify_email_confirms_then_sends_one_change() {
    let mut app = signed_in(2);
    let mut rows = people();
    rows[2].email_verified = false; // anna
    app.update(Event::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    app.update(users(&app, rows));
    press(&mut app, key('/'));
    typed(&mut app, "status:unverified");
    press(&mut app, code(KeyCode::Enter));
    assert_eq!(app.users.visible_len(), 1);
    assert_eq!(cursor_email(&app), "anna@x.se");
    press(&mut app, key('v'));
    let Some(Dialog::Confirm { lines, change: Change::VerifyEmail, .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert!(lines[0].contains("anna@x.se"), "{lines:?}");
    let confirmed = press(&mut app, key('y'));
    let cmds = sent_after_reason(&mut app, confirmed);
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::VerifyEmail, targets, .. }] if targets.len() == 1)
    );
}

#[test]
fn quitting_during_a_change_asks_for_a_second_q() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('x'));
    let confirmed = press(&mut app, key('y'));
    assert!(matches!(sent_after_reason(&mut app, confirmed).as_slice(), [Job::Apply { .. }]));
    assert!(press(&mut app, key('q')).is_empty(), "the first q only warns");
    assert!(app.status.clone().unwrap().text.contains("press q again"));
    assert!(matches!(press(&mut app, key('q')).as_slice(), [Effect::Quit]));
}

#[test]
fn the_spinner_follows_what_is_still_unanswered() {
    let mut app = signed_in(1);
    assert_eq!(app.busy(), None);
    go_to(&mut app, "david@x.se");
    press(&mut app, key('d'));
    assert!(app.busy().is_some_and(|b| b.contains("checking")));
    // Cancelled before its plan came: nothing is pending any more.
    press(&mut app, code(KeyCode::Esc));
    assert_eq!(app.busy(), None);
    // A change and a reload at once: the change's text while it runs, then the reload's.
    go_to(&mut app, "anna@x.se");
    press(&mut app, key('x'));
    press(&mut app, key('y'));
    give_reason(&mut app, "");
    let reload = request_id(&press(&mut app, ctrl('r')));
    assert_eq!(app.busy().as_deref(), Some("revoke sessions: anna@x.se"));
    app.update(answer(reload, Answer::Users(Ok(people()))));
    assert_eq!(
        app.busy().as_deref(),
        Some("revoke sessions: anna@x.se"),
        "the reload's answer leaves the change's"
    );
    app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::RevokeSessions,
            refreshed: vec![],
            affected: vec![],
            result: Ok(Done::Changed(vec![])),
            generated: None,
        },
    ));
    assert_eq!(app.busy(), None);
}

#[test]
fn a_huge_paste_into_a_field_stops_at_its_limit() {
    let mut app = App::new(Options::default(), 80, 24);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    for _ in 0..50_000 {
        press(&mut app, key('a'));
    }
    let Screen::Login(f) = &app.screen else { panic!() };
    assert_eq!(f.email.value().len(), 1024, "cut at the field's limit");
    let mut app = signed_in(1);
    press(&mut app, key('/'));
    typed(&mut app, &"x".repeat(5_000));
    assert_eq!(app.filter.input.value().len(), 1024);
}

#[test]
fn a_database_that_cannot_be_used_ends_the_console_and_waiting_spins() {
    let mut app = App::new(Options::default(), 80, 24);
    assert!(matches!(app.screen, Screen::Connecting { .. }));
    // While it waits for a server that is down, the spinner moves with the ticks.
    let refused =
        Arc::new(StoreError::Connect { target: "h/db".into(), reason: "connection refused".into() });
    let waiting = DbEvent::Waiting { target: "h/db".into(), error: refused, attempt: 2 };
    app.update(Event::Db(waiting));
    let before = app.spinner;
    app.update(Event::Tick);
    app.update(Event::Tick);
    assert_eq!(app.spinner, before + 2);
    assert!(matches!(&app.screen, Screen::Connecting { message } if message.contains("attempt 2, retrying")));
    // A database it cannot use as configured ends the console with the reason.
    let why = "cannot connect to h/db: database \"db\" does not exist".to_string();
    let missing =
        StoreError::Misconfigured { target: "h/db".into(), reason: "database \"db\" does not exist".into() };
    let out = app.update(Event::Db(DbEvent::Unusable { target: "h/db".into(), error: Arc::new(missing) }));
    assert!(matches!(out.as_slice(), [Effect::Fail(m)] if *m == why), "{out:?}");
}

#[test]
fn a_paste_on_the_table_is_text_never_keys() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    // "xy" typed would revoke anna's sessions; pasted it does nothing but say so.
    let out = app.update(Event::Paste("xy".into()));
    assert!(out.is_empty(), "{out:?}");
    assert!(app.dialog.is_none());
    assert!(status(&app).starts_with("paste ignored (2 characters)"), "{}", status(&app));
    assert!(!status(&app).contains("xy"), "a note never repeats the paste");
}

#[test]
fn a_paste_into_the_filter_is_one_line_or_refused() {
    let mut app = signed_in(1);
    press(&mut app, key('/'));
    // Two lines: the second would have run as keys (a, y). Refused whole.
    let out = app.update(Event::Paste("anna\nay".into()));
    assert!(out.is_empty());
    assert!(app.filter.editing && app.dialog.is_none());
    assert_eq!(app.filter.input.value(), "");
    assert!(status(&app).contains("2 lines"), "{}", status(&app));
    // One line with its line break: taken as text, the break dropped.
    app.update(Event::Paste("anna\r\n".into()));
    assert!(app.filter.editing);
    assert_eq!(app.filter.input.value(), "anna");
    assert_eq!(app.users.visible_len(), 1);
    // Past the field's limit: refused, the field as it was.
    app.update(Event::Paste("x".repeat(skriptoteket_admin::tui::MAX_FIELD_BYTES)));
    assert_eq!(app.filter.input.value(), "anna");
    assert!(status(&app).contains("would not fit"), "{}", status(&app));
}

#[test]
fn a_pasted_password_goes_in_masked_and_is_never_echoed() {
    let mut app = App::new(Options::default(), 120, 40);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    typed(&mut app, "boss@x.se");
    press(&mut app, code(KeyCode::Tab));
    app.update(Event::Paste("Gen3rated-Secret!\n".into()));
    let Screen::Login(f) = &app.screen else { panic!("{:?}", app.screen) };
    assert_eq!(f.password.secret().expose(), "Gen3rated-Secret!");
    assert!(!format!("{:?}", app.screen).contains("Gen3rated"));
    let jobs = jobs(press(&mut app, code(KeyCode::Enter)));
    assert!(matches!(&jobs[..], [Job::Login { email, password }]
        if email == "boss@x.se" && password.expose() == "Gen3rated-Secret!"));
}

#[test]
fn keys_typed_ahead_never_confirm_a_dialog_not_yet_seen() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    // r2y typed in one burst: the confirmation opened by 2 was never drawn.
    let mut out = Vec::new();
    for c in "r2y".chars() {
        out.extend(app.update(key(c)));
    }
    assert!(jobs(out).is_empty(), "nothing may be sent");
    assert!(matches!(app.dialog, Some(Dialog::Confirm { .. })), "{:?}", app.dialog);
    assert!(status(&app).starts_with("key y ignored"), "{}", status(&app));
    // Drawn, but the key comes 100 ms later: still too soon.
    let t = Instant::now();
    app.update(Event::Drawn(t, Default::default()));
    app.update(Event::Clock(t + Duration::from_millis(100)));
    assert!(jobs(app.update(key('y'))).is_empty());
    // A later frame does not restart the clock; 150 ms after the first one, y acts.
    app.update(Event::Drawn(t + Duration::from_millis(120), Default::default()));
    app.update(Event::Clock(t + Duration::from_millis(150)));
    assert!(jobs(app.update(key('y'))).is_empty(), "y leads to the reason step");
    assert!(matches!(app.dialog, Some(Dialog::Reason(_))), "{:?}", app.dialog);
    // The Enter of a habitual y Enter, typed at once, waits for the reason dialog's frame.
    assert!(jobs(app.update(code(KeyCode::Enter))).is_empty());
    assert!(matches!(app.dialog, Some(Dialog::Reason(_))), "{:?}", app.dialog);
    let sent = jobs(press(&mut app, code(KeyCode::Enter)));
    assert!(matches!(&sent[..], [Job::Apply { change: Change::SetRole(Role::Contributor), .. }]), "{sent:?}");
}

#[test]
fn cancelling_a_confirmation_never_waits() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    app.update(key('x'));
    // Cancelling is always safe: no wait.
    app.update(code(KeyCode::Esc));
    assert!(app.dialog.is_none());
    assert_eq!(status(&app), "cancelled; nothing changed");
}

#[test]
fn messages_belong_to_their_action_and_the_history_keeps_them() {
    let mut app = signed_in(1);
    press(&mut app, key('*'));
    assert_eq!(status(&app), "6 users marked");
    press(&mut app, key('j'));
    assert_eq!(status(&app), "", "the next action clears the last one's message");
    press(&mut app, code(KeyCode::Esc));
    press(&mut app, key('m'));
    assert!(matches!(app.dialog, Some(Dialog::Messages { .. })));
    let texts: Vec<&str> = app.history.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts[texts.len() - 2..], ["6 users marked", "6 marks cleared; U restores them"]);
    press(&mut app, code(KeyCode::Esc));
    assert!(app.dialog.is_none());
}

#[test]
fn an_unbound_key_points_to_help() {
    let mut app = signed_in(1);
    press(&mut app, key('w'));
    assert_eq!(status(&app), "w does nothing here; press ? for keys");
}

#[test]
fn esc_on_a_half_typed_login_clears_it_and_only_then_quits() {
    let mut app = App::new(Options::default(), 80, 24);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    typed(&mut app, "boss@x");
    press(&mut app, code(KeyCode::Tab));
    typed(&mut app, "hem");
    assert!(press(&mut app, code(KeyCode::Esc)).is_empty(), "the first Esc does not quit");
    let Screen::Login(f) = &app.screen else { panic!() };
    assert!(f.email.value().is_empty() && f.password.is_empty());
    assert_eq!(f.error.as_deref(), Some("form cleared; Esc again quits"));
    let out = press(&mut app, code(KeyCode::Esc));
    assert!(matches!(out.as_slice(), [Effect::Quit]));
}

#[test]
fn a_wrong_password_warns_of_the_lock_without_telling_whether_the_email_exists() {
    use skriptoteket_admin::tui::login_refusal;
    assert_eq!(
        login_refusal(&StoreError::InvalidCredentials),
        "Wrong email or password. After 5 failed attempts in a row an account is locked for 15 minutes."
    );
    let locked = StoreError::AccountLocked { email: "boss@x.se".into(), until: "14:05 UTC".into() };
    assert!(login_refusal(&locked).contains("until 14:05 UTC"), "a lock says until when");
}

#[test]
fn a_change_that_would_change_nothing_says_so_instead_of_asking() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    // anna is a user already: the picker's 1 asks nothing.
    press(&mut app, key('r'));
    assert!(press(&mut app, key('1')).is_empty());
    assert!(app.dialog.is_none());
    assert_eq!(status(&app), "nothing to do: anna@x.se is already user");
    // Two users, both unlocked without failed logins.
    press(&mut app, key(' '));
    press(&mut app, key(' '));
    press(&mut app, key('u'));
    assert!(app.dialog.is_none());
    assert_eq!(status(&app), "nothing to do: both users are already unlocked, with no failed login");
}

#[test]
fn help_pages_and_g_lands_on_its_last_page() {
    let mut app = signed_in(1);
    app.update(Event::Resize(80, 24));
    press(&mut app, key('?'));
    press(&mut app, code(KeyCode::PageDown));
    let Some(Dialog::Help { scroll: paged }) = app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(paged, 19, "a page is the lines the box showed when drawn");
    press(&mut app, key('G'));
    let Some(Dialog::Help { scroll: last }) = app.dialog else { panic!() };
    assert!(last > paged && last < 200, "G stops at the last page: {last}");
    // One k from the end moves at once (it no longer has thousands of lines to climb).
    press(&mut app, key('k'));
    let Some(Dialog::Help { scroll }) = app.dialog else { panic!() };
    assert_eq!(scroll, last - 1);
    press(&mut app, code(KeyCode::End));
    press(&mut app, code(KeyCode::PageDown));
    let Some(Dialog::Help { scroll }) = app.dialog else { panic!() };
    assert_eq!(scroll, last);
}

#[test]
fn esc_in_the_audit_filter_edit_puts_the_filter_back() {
    let mut app = signed_in(1);
    press(&mut app, key('L'));
    press(&mut app, key('/'));
    typed(&mut app, "actor:boss");
    press(&mut app, code(KeyCode::Enter));
    press(&mut app, key('/'));
    typed(&mut app, " oops");
    press(&mut app, code(KeyCode::Esc));
    let Some(Dialog::Audit(v)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(!v.filter.editing);
    assert_eq!(v.filter.value(), "actor:boss");
    // A paste into the audit filter is text too.
    press(&mut app, key('/'));
    app.update(Event::Paste(" signins\n".into()));
    let Some(Dialog::Audit(v)) = &app.dialog else { panic!() };
    assert_eq!(v.filter.value(), "actor:boss signins");
}

fn session(n: u128, active: bool, revoked: bool) -> SessionRow {
    SessionRow {
        id: Uuid::from_u128(n),
        created_at: Some(datetime!(2025-11-20 8:00 UTC)),
        expires_at: datetime!(2025-11-27 8:00 UTC),
        revoked_at: revoked.then_some(datetime!(2025-11-21 9:30 UTC)),
        active,
    }
}

fn details_of(user: UserRow, sessions: Vec<SessionRow>) -> Details {
    Details { user, profile: vec![], sessions, logins: vec![], dependents: vec![], audit: vec![] }
}

/// The worker's answer to the open details' request.
fn details_answer(app: &App, d: Details) -> Event {
    let Some(Dialog::Details { request, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    answer(*request, Answer::Details(Box::new(Ok(d))))
}

/// The details' selected session and the note in their box.
fn details_state(app: &App) -> (Option<Uuid>, String) {
    let Some(Dialog::Details { session, note, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    (*session, note.as_ref().map(|n| n.text.clone()).unwrap_or_default())
}

#[test]
fn a_session_is_selected_in_the_details_and_revoked_after_asking() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    let anna = people()[2].clone();
    let cmds = jobs(press(&mut app, code(KeyCode::Enter)));
    assert!(matches!(cmds.as_slice(), [Job::LoadDetails(id)] if *id == anna.id), "{cmds:?}");
    let sessions = vec![session(31, true, false), session(32, false, true), session(33, false, false)];
    app.update(details_answer(&app, details_of(anna.clone(), sessions.clone())));

    // x with nothing selected says how to select, in the box (the status line is under it).
    assert!(jobs(press(&mut app, key('x'))).is_empty());
    assert_eq!(details_state(&app), (None, "select a session first (Tab moves through them)".into()));
    // Tab, Tab: the revoked one, which x refuses; Shift-Tab from the first goes round.
    press(&mut app, code(KeyCode::Tab));
    press(&mut app, code(KeyCode::Tab));
    assert_eq!(details_state(&app), (Some(Uuid::from_u128(32)), String::new()), "a key clears the note");
    assert!(jobs(press(&mut app, key('x'))).is_empty());
    assert_eq!(details_state(&app).1, "session 00000000 was revoked 2025-11-21 09:30: nothing to revoke");
    press(&mut app, code(KeyCode::Tab));
    press(&mut app, key('x'));
    assert_eq!(details_state(&app).1, "session 00000000 expired 2025-11-27 08:00: nothing to revoke");
    press(&mut app, code(KeyCode::BackTab));
    press(&mut app, code(KeyCode::BackTab));
    assert_eq!(details_state(&app).0, Some(Uuid::from_u128(31)));

    // x on the active one asks y/n, says it cannot be undone; n goes back to the details.
    assert!(jobs(press(&mut app, key('x'))).is_empty(), "nothing is sent before y");
    let Some(Dialog::Confirm { change, targets, lines, .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert_eq!(*change, Change::RevokeSession(Uuid::from_u128(31)));
    assert_eq!(targets.iter().map(|t| t.id).collect::<Vec<_>>(), [anna.id]);
    assert_eq!(lines[0], "Revoke session 00000000 of anna@x.se?");
    assert_eq!(lines.last().map(String::as_str), Some("  This cannot be undone."));
    let cmds = jobs(press(&mut app, key('n')));
    assert!(matches!(cmds.as_slice(), [Job::LoadDetails(id)] if *id == anna.id), "{cmds:?}");
    assert_eq!(details_state(&app), (Some(Uuid::from_u128(31)), "cancelled; nothing changed".into()));
    app.update(details_answer(&app, details_of(anna.clone(), sessions.clone())));

    // y sends one change, no reason asked (one account), and keeps the table's marks.
    press(&mut app, code(KeyCode::Esc));
    press(&mut app, key(' '));
    go_to(&mut app, "anna@x.se");
    press(&mut app, code(KeyCode::Enter));
    app.update(details_answer(&app, details_of(anna.clone(), sessions.clone())));
    press(&mut app, code(KeyCode::Tab));
    press(&mut app, key('x'));
    let confirmed = press(&mut app, key('y'));
    let cmds = sent_after_reason(&mut app, confirmed);
    let [Job::Apply { change: Change::RevokeSession(s), targets, reason: None, password: None }] =
        cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!((*s, targets[0].id), (Uuid::from_u128(31), anna.id));
    assert_eq!(app.busy().as_deref(), Some("revoke session: anna@x.se"));
    let mut fresh = anna.clone();
    fresh.active_sessions = 0;
    let effects = app.update(applied(
        &app,
        Outcome {
            stamp: Stamp::new(None),
            change: Change::RevokeSession(Uuid::from_u128(31)),
            refreshed: vec![fresh],
            affected: vec![anna.id],
            result: Ok(Done::Changed(vec![Applied {
                id: anna.id,
                email: anna.email.clone(),
                changed: true,
                sessions_revoked: 1,
                unlocked: false,
            }])),
            generated: None,
        },
    ));
    // Back in the details, refreshed, with what happened in the box.
    assert!(matches!(jobs(effects).as_slice(), [Job::LoadDetails(id)] if *id == anna.id));
    let (selected, note) = details_state(&app);
    assert_eq!(selected, Some(Uuid::from_u128(31)));
    assert_eq!(note, "session 00000000 of anna@x.se revoked · cannot be undone · c: as a command");
    assert_eq!(app.users.marks_len(), 1, "the table's marks were not the change's");
    assert_eq!(app.users.by_id(anna.id).map(|r| r.active_sessions()), Some(0));
    let last = app.last_change.clone().expect("the last change");
    assert!(!last.undoable);
    assert_eq!(
        last.command,
        format!(
            "skriptoteket-admin revoke-sessions --session {} anna@x.se --actor-email boss@x.se",
            Uuid::from_u128(31)
        )
    );
}

#[test]
fn read_only_mode_and_a_running_change_refuse_a_sessions_revoke() {
    let mut app = signed_in(1);
    app.options.deployment.readonly = true;
    go_to(&mut app, "anna@x.se");
    let anna = people()[2].clone();
    press(&mut app, code(KeyCode::Enter));
    app.update(details_answer(&app, details_of(anna.clone(), vec![session(31, true, false)])));
    press(&mut app, code(KeyCode::Tab));
    assert!(jobs(press(&mut app, key('x'))).is_empty());
    let (selected, note) = details_state(&app);
    assert_eq!(selected, Some(Uuid::from_u128(31)), "still the details");
    assert!(note.starts_with("read-only mode"), "{note}");
    assert!(status(&app).starts_with("read-only mode"), "and in the history");
    // An admin may not revoke a session of another admin.
    let mut app = signed_in(2);
    go_to(&mut app, "boss@x.se");
    press(&mut app, code(KeyCode::Enter));
    app.update(details_answer(&app, details_of(people()[0].clone(), vec![session(31, true, false)])));
    press(&mut app, code(KeyCode::Tab));
    assert!(jobs(press(&mut app, key('x'))).is_empty());
    assert!(details_state(&app).1.contains("Insufficient permissions"), "{:?}", details_state(&app));
}

/// A plan blocked for the `held` among `emails` (by tool runs).
fn plan_held(emails: &[&str], held: &[&str]) -> DeletePlan {
    DeletePlan {
        blocked_emails: held.iter().map(|e| e.to_string()).collect(),
        emails: emails.iter().map(|e| e.to_string()).collect(),
        blockers: vec![Dependent {
            table: "tool_runs".into(),
            column: "requested_by_user_id".into(),
            on_delete: OnDelete::Restrict,
            rows: 4,
        }],
        effects: vec![],
    }
}

#[test]
fn a_blocked_delete_of_several_deletes_the_ones_not_held_after_asking_again() {
    let mut app = signed_in(1);
    app.options.deployment.name = Some("prod-skola".into());
    app.options.deployment.protected = true;
    let four = ["anna@x.se", "bertil@x.se", "cissi@x.se", "david@x.se"];
    for who in four {
        go_to(&mut app, who);
        press(&mut app, key(' '));
    }
    press(&mut app, key('d'));
    app.update(plan(&app, plan_held(&four, &["bertil@x.se", "david@x.se"])));
    assert!(press(&mut app, key('y')).is_empty(), "y never deletes a blocked delete");
    // r: a new delete of the two not held, planned afresh (the plan may differ now).
    let cmds = jobs(press(&mut app, key('r')));
    let [Job::PlanDelete(rest)] = cmds.as_slice() else { panic!("{cmds:?}") };
    assert_eq!(rest.iter().map(|t| t.email.as_str()).collect::<Vec<_>>(), ["anna@x.se", "cissi@x.se"]);
    assert_eq!(status(&app), "2 accounts held kept out; checking the delete of the other 2");
    let Some(Dialog::ConfirmDelete { targets, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(targets.len(), 2);
    assert!(press(&mut app, key('y')).is_empty(), "nothing before the new plan");
    app.update(plan(&app, plan_for(&["anna@x.se", "cissi@x.se"])));
    // The usual bulk delete: the number typed, the deployment's name, the reason.
    assert!(press(&mut app, key('y')).is_empty());
    press(&mut app, key('2'));
    assert!(press(&mut app, code(KeyCode::Enter)).is_empty());
    let Some(Dialog::Reason(p)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(p.confirm_name.as_deref(), Some("prod-skola"));
    typed(&mut app, "prod-skola");
    press(&mut app, code(KeyCode::Tab));
    let cmds = give_reason(&mut app, "left the school");
    let [Job::Apply { change: Change::Delete, targets, reason: Some(_), .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(targets.iter().map(|t| t.email.as_str()).collect::<Vec<_>>(), ["anna@x.se", "cissi@x.se"]);
}

#[test]
fn the_rest_is_not_offered_when_every_account_or_the_only_one_is_held() {
    let mut app = signed_in(1);
    for who in ["anna@x.se", "bertil@x.se"] {
        go_to(&mut app, who);
        press(&mut app, key(' '));
    }
    press(&mut app, key('d'));
    app.update(plan(&app, plan_held(&["anna@x.se", "bertil@x.se"], &["anna@x.se", "bertil@x.se"])));
    assert!(press(&mut app, key('r')).is_empty());
    assert!(matches!(&app.dialog, Some(Dialog::ConfirmDelete { targets, .. }) if targets.len() == 2));
    let mut app = signed_in(1);
    go_to(&mut app, "cissi@x.se");
    press(&mut app, key('d'));
    app.update(plan(&app, plan_held(&["cissi@x.se"], &["cissi@x.se"])));
    assert!(press(&mut app, key('r')).is_empty());
    assert!(matches!(&app.dialog, Some(Dialog::ConfirmDelete { targets, .. }) if targets.len() == 1));
}

/// The first load's chunks, the first of them only: the table shows them and goes on
/// loading.
fn first_chunk_only(rows: &[UserRow], total: u64) -> (App, RequestId) {
    use skriptoteket_admin::domain::roster::Roster;
    use skriptoteket_admin::store::stream::Chunk;
    let mut app = App::new(Options::default(), 120, 40);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true, audit_log: true }));
    app.update(answer(
        0,
        Answer::LoggedIn(Actor { id: Uuid::from_u128(1), email: "boss@x.se".into(), role: Role::Superuser }),
    ));
    let id = app.users_request.expect("a load");
    let mut chunk = Roster::default();
    for r in rows {
        chunk.push(r.into()).expect("fits");
    }
    app.update(answer(
        id,
        Answer::UserChunk(Ok(Chunk {
            rows: chunk,
            total: Some(total),
            first: true,
            done: false,
            live: None,
        })),
    ));
    assert!(app.users.loading().is_some());
    (app, id)
}

#[test]
fn while_the_table_loads_export_and_reload_wait_and_superusers_not_in_yet_are_not_counted() {
    // Only the other superuser has arrived; the actor (boss@x.se) is still to come.
    let other = row(7, "carl@x.se", Role::Superuser);
    let (mut app, id) = first_chunk_only(std::slice::from_ref(&other), 7);
    press(&mut app, key('E'));
    assert!(app.dialog.is_none(), "no export of a part of the table");
    assert!(status(&app).contains("still loading (1 of 7 users in)"), "{}", status(&app));
    let effects = press(&mut app, ctrl('r'));
    assert!(jobs(effects).is_empty(), "no second read while the first runs");
    assert_eq!(app.users_request, Some(id));
    // Demoting the one superuser loaded so far is not refused early: the others are coming
    // (the store checks the rule on the locked rows).
    press(&mut app, key('r'));
    press(&mut app, key('1'));
    assert!(matches!(app.dialog, Some(Dialog::Confirm { .. })), "{:?} {}", app.dialog, status(&app));
}

/// Tab to a session below the box's edge: the next frame scrolls it into view (the draw
/// measures, `update` never lays out), and a scroll key then starts from what was shown.
#[test]
fn a_session_selected_below_the_edge_is_scrolled_into_view_by_the_draw() {
    let mut app = signed_in(1);
    app.update(Event::Resize(80, 24));
    go_to(&mut app, "anna@x.se");
    let anna = people()[2].clone();
    press(&mut app, code(KeyCode::Enter));
    let sessions: Vec<SessionRow> = (0..30).map(|n| session(100 + n, true, false)).collect();
    app.update(details_answer(&app, details_of(anna, sessions)));
    for _ in 0..30 {
        press(&mut app, code(KeyCode::Tab));
    }
    let shown = drawn(&app);
    app.update(Event::Drawn(Instant::now(), shown));
    let Some(Dialog::Details { scroll, reveal, session, .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert_eq!(*session, Some(Uuid::from_u128(129)), "the last session");
    assert!(!reveal, "revealed once");
    assert!(*scroll > 0 && Some(*scroll) == shown.revealed, "scrolled to it: {scroll} {shown:?}");
    let at = *scroll;
    press(&mut app, key('k'));
    let Some(Dialog::Details { scroll, .. }) = &app.dialog else { panic!() };
    assert_eq!(*scroll, at - 1, "k moves up from what was shown");
}

#[test]
fn the_edit_form_starts_from_the_accounts_values_and_confirms_each_change() {
    use skriptoteket_admin::domain::edit::{Edit, Editable};
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    let job = jobs(press(&mut app, key('e')));
    assert!(matches!(job.as_slice(), [Job::LoadEditable(id)] if *id == Uuid::from_u128(3)), "{job:?}");
    assert_eq!(app.busy().as_deref(), Some("loading the account"));
    let Some(Dialog::Edit(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    let now = Editable {
        email: "anna@x.se".into(),
        email_verified: true,
        first_name: Some("Anna".into()),
        last_name: None,
        display_name: None,
        locale: "sv-SE".into(),
        has_profile: true,
    };
    app.update(answer(f.request, Answer::Editable(Ok(now))));
    // Unchanged: Enter says so instead of asking.
    press(&mut app, code(KeyCode::Enter));
    assert!(matches!(app.dialog, Some(Dialog::Edit(_))));
    let Some(Dialog::Edit(f)) = &app.dialog else { panic!() };
    assert!(f.error.as_deref().is_some_and(|e| e.starts_with("nothing changed")), "{:?}", f.error);
    // A bad email is refused in the form, with the email in focus.
    press(&mut app, ctrl('u'));
    typed(&mut app, "anna@");
    press(&mut app, code(KeyCode::Enter));
    let Some(Dialog::Edit(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(f.error.as_deref().is_some_and(|e| e.contains("not a valid email")), "{:?}", f.error);
    // A good one, the locale switched: the confirmation names each field before → after.
    typed(&mut app, "y.se");
    press(&mut app, code(KeyCode::Tab)); // the verified choice
    press(&mut app, code(KeyCode::Tab)); // first name
    press(&mut app, code(KeyCode::Tab)); // last name
    press(&mut app, code(KeyCode::Tab)); // display name
    press(&mut app, code(KeyCode::Tab)); // locale
    press(&mut app, key(' '));
    press(&mut app, code(KeyCode::Enter));
    let Some(Dialog::Confirm { lines, change, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    let want = Edit {
        email: Some(skriptoteket_admin::domain::Email::parse("anna@y.se").expect("email")),
        locale: Some("en-US".into()),
        ..Edit::default()
    };
    assert_eq!(change, &Change::Edit(Box::new(want)), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("email") && l.contains("anna@x.se → anna@y.se")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("sv-SE → en-US")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("cannot log in until they verify it")), "{lines:?}");
    let confirmed = press(&mut app, key('y'));
    let sent = sent_after_reason(&mut app, confirmed);
    assert!(matches!(sent.as_slice(), [Job::Apply { change: Change::Edit(_), .. }]), "{sent:?}");
}

/// `s` then a column's number sorts by it (the header numbers the columns meanwhile); `s s`
/// is the next column as `s` once was; any other key keeps the order and does nothing else.
#[test]
fn s_then_a_number_chooses_the_sort_column() {
    use skriptoteket_admin::tui::model::table::SortKey;
    let mut app = signed_in(1);
    press(&mut app, key('s'));
    assert!(app.choosing_sort);
    let header = drawn_text(&app);
    assert!(header.contains("1 Email") && header.contains("2 Role"), "{header}");
    press(&mut app, key('5'));
    assert!(!app.choosing_sort);
    assert_eq!(app.users.sort, SortKey::LastLogin);
    assert_eq!(status(&app), "sorted by last login");
    press(&mut app, key('s'));
    press(&mut app, key('s'));
    assert_eq!(app.users.sort, SortKey::Created, "s s: the next column");
    press(&mut app, key('s'));
    let cursor = app.users.cursor;
    // A key that is no column: nothing sorts, and j does not move the cursor either.
    press(&mut app, key('j'));
    assert_eq!(app.users.sort, SortKey::Created);
    assert_eq!(app.users.cursor, cursor);
    assert!(status(&app).starts_with("the order is as it was"), "{}", status(&app));
}

/// `y` on the table sends the cursor's email to the clipboard (OSC 52) and says so
/// honestly; ↑ in a filter line brings back the filters kept before, ↓ goes forward to
/// the text being typed.
#[test]
fn y_copies_the_email_and_the_filter_remembers_what_was_kept() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    let out = press(&mut app, key('y'));
    assert!(out.iter().any(|e| matches!(e, Effect::Clipboard(s) if s.expose() == "anna@x.se")), "{out:?}");
    assert_eq!(status(&app), "anna@x.se: sent to the clipboard (OSC 52; paste to check)");

    for text in ["role:user", "lund", "lund"] {
        press(&mut app, key('/'));
        press(&mut app, ctrl('u'));
        typed(&mut app, text);
        press(&mut app, code(KeyCode::Enter));
    }
    assert_eq!(app.filter.history, ["role:user", "lund"], "a repeat is kept once");
    press(&mut app, key('/'));
    press(&mut app, ctrl('u'));
    typed(&mut app, "an");
    press(&mut app, code(KeyCode::Up));
    assert_eq!(app.filter.value(), "lund");
    press(&mut app, code(KeyCode::Up));
    assert_eq!(app.filter.value(), "role:user");
    press(&mut app, code(KeyCode::Up));
    assert_eq!(app.filter.value(), "role:user", "the oldest stays");
    assert!(app.users.visible_len() < app.users.len(), "the recalled filter applies as typed");
    press(&mut app, code(KeyCode::Down));
    press(&mut app, code(KeyCode::Down));
    assert_eq!(app.filter.value(), "an", "back to what was typed");
    press(&mut app, code(KeyCode::Esc));
}

/// `:` takes the subcommands' words: Tab completes, Enter runs the same job as the key
/// (the same confirmation), a typo is named and the line stays, a change id's start is
/// looked up before its revert is confirmed.
#[test]
fn the_command_line_speaks_the_subcommands_words() {
    use skriptoteket_admin::tui::model::table::SortKey;
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    press(&mut app, key(':'));
    assert!(app.command.is_some() && app.takes_text());
    typed(&mut app, "set-role con");
    press(&mut app, code(KeyCode::Tab));
    assert_eq!(
        app.command.as_ref().map(|c| c.input.value().to_string()).as_deref(),
        Some("set-role contributor")
    );
    press(&mut app, code(KeyCode::Enter));
    assert!(app.command.is_none());
    let Some(Dialog::Confirm { change, targets, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(*change, Change::SetRole(Role::Contributor));
    assert_eq!(targets[0].email, "anna@x.se");
    press(&mut app, code(KeyCode::Esc));

    press(&mut app, key(':'));
    typed(&mut app, "de");
    press(&mut app, code(KeyCode::Enter));
    let line = app.command.as_ref().expect("the line stays open");
    assert!(line.error.as_deref().is_some_and(|e| e.contains("deactivate or delete")), "{:?}", line.error);
    press(&mut app, ctrl('u'));
    typed(&mut app, "sort created");
    press(&mut app, code(KeyCode::Enter));
    assert_eq!(app.users.sort, SortKey::Created);

    press(&mut app, key(':'));
    typed(&mut app, "revert 1A2B3C4D");
    let asked = press(&mut app, code(KeyCode::Enter));
    assert!(matches!(jobs(asked.clone()).as_slice(), [Job::FindChange(p)] if p == "1a2b3c4d"));
    let id = Uuid::from_u128(0x1a2b3c4d_0000_0000_0000_000000000001);
    let found = |id: Uuid| {
        let mut first = audit_row(2, "set_role", "anna@x.se", 2);
        first.change_id = Some(id);
        skriptoteket_admin::domain::audit::ChangeSummary { first, matching: 1, accounts: 12 }
    };
    app.update(answer(request_id(&asked), Answer::ChangesFound(Ok(vec![found(id)]))));
    let Some(Dialog::Confirm { change, lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(*change, Change::Revert(id));
    assert!(lines[0].contains("set_role of 12 accounts"), "{lines:?}");
    press(&mut app, code(KeyCode::Esc));

    // An answer that comes while another dialog is open only says so.
    press(&mut app, key(':'));
    typed(&mut app, "revert 1a2b3c4d");
    let asked = press(&mut app, code(KeyCode::Enter));
    press(&mut app, key('?'));
    app.update(answer(request_id(&asked), Answer::ChangesFound(Ok(vec![found(id)]))));
    assert!(matches!(app.dialog, Some(Dialog::Help { .. })), "{:?}", app.dialog);
    assert!(status(&app).contains("type :revert again"), "{}", status(&app));
    press(&mut app, code(KeyCode::Esc));

    press(&mut app, key(':'));
    typed(&mut app, "revert 1a2b3c4d");
    let asked = press(&mut app, code(KeyCode::Enter));
    app.update(answer(
        request_id(&asked),
        Answer::ChangesFound(Ok(vec![found(id), found(Uuid::from_u128(7))])),
    ));
    assert!(app.dialog.is_none());
    assert!(status(&app).contains("type more of the id"), "{}", status(&app));
    // Esc leaves the line without doing anything.
    press(&mut app, key(':'));
    typed(&mut app, "delete");
    press(&mut app, code(KeyCode::Esc));
    assert!(app.command.is_none() && app.dialog.is_none());
}

/// Esc in the reason step of a new user goes back to the form as typed (Esc there cancels);
/// two Escs typed at once (one Alt+Esc event) are two presses.
#[test]
fn esc_in_a_forms_reason_step_goes_back_to_the_form_and_esc_esc_is_two_presses() {
    let mut app = signed_in(1);
    press(&mut app, key('n'));
    typed(&mut app, "zed@x.se");
    press(&mut app, code(KeyCode::Enter));
    assert!(matches!(app.dialog, Some(Dialog::Reason(_))), "{:?}", app.dialog);
    press(&mut app, code(KeyCode::Esc));
    let Some(Dialog::NewUser(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(f.email.value(), "zed@x.se", "the form as typed");
    press(&mut app, code(KeyCode::Esc));
    assert!(app.dialog.is_none());

    // A filter edit and then the filter itself: Esc Esc typed quickly clears both.
    press(&mut app, key('/'));
    typed(&mut app, "anna");
    press(&mut app, code(KeyCode::Enter));
    press(&mut app, key('/'));
    typed(&mut app, "x");
    press(&mut app, Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::ALT)));
    assert!(!app.filter.editing);
    assert_eq!(app.filter.value(), "", "the edit cancelled, then the filter cleared");
}

/// `saved:NAME` in the table's filter is the deployment's saved words; an unknown name
/// keeps nothing and says which names there are.
#[test]
fn a_saved_filter_is_used_by_name_in_the_table_filter() {
    use skriptoteket_admin::domain::filter::SavedFilters;
    let mut app = signed_in(1);
    app.users.saved = SavedFilters(vec![("annas".into(), "anna".into())]);
    press(&mut app, key('/'));
    typed(&mut app, "saved:annas");
    assert_eq!(app.users.visible_len(), 1);
    assert_eq!(cursor_email(&app), "anna@x.se");
    press(&mut app, ctrl('u'));
    typed(&mut app, "saved:bertils");
    assert_eq!(app.users.visible_len(), 0);
    assert!(
        app.users.filter.invalid.as_deref().is_some_and(|e| e.contains("saved are annas")),
        "{:?}",
        app.users.filter.invalid
    );
}

/// `:columns` chooses the table's columns after the email, in that order; `:columns all`
/// brings every column back.
#[test]
fn columns_by_command_line() {
    let mut app = signed_in(1);
    press(&mut app, key(':'));
    typed(&mut app, "columns last_login,role");
    press(&mut app, code(KeyCode::Enter));
    assert_eq!(status(&app), "columns: email, last login, role");
    let header = drawn_text(&app).lines().nth(2).unwrap_or_default().to_string();
    let (login, role) = (header.find("Last login"), header.find("Role"));
    assert!(login.is_some() && role.is_some() && login < role && !header.contains("Status"), "{header}");
    press(&mut app, key(':'));
    typed(&mut app, "columns all");
    press(&mut app, code(KeyCode::Enter));
    assert!(drawn_text(&app).contains("Status"));
}
