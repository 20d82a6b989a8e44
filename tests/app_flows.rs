//! The console's state machine, driven by events as a person and the worker would produce
//! them: no terminal, no database. Each test asserts state and the commands emitted.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skriptoteket_admin::domain::references::{DeletePlan, Dependent, OnDelete};
use skriptoteket_admin::domain::{Applied, Change, Done, Role, Secret, Stamp, UserRow};
use skriptoteket_admin::store::Actor;
use skriptoteket_admin::store::audit::AuditRow;
use skriptoteket_admin::tui::event::{Answer, DbEvent, Effect, Event, Job, OpError, Outcome, RequestId};
use skriptoteket_admin::tui::model::dialog::Dialog;
use skriptoteket_admin::tui::model::forms::ResetField;
use skriptoteket_admin::tui::model::{Screen, StatusKind};
use skriptoteket_admin::tui::{App, Options};
use time::macros::datetime;
use uuid::Uuid;

fn row(n: u128, email: &str, role: Role) -> UserRow {
    let mut r = UserRow::sample(email, role);
    r.id = Uuid::from_u128(n);
    r.created_at = datetime!(2025-01-01 0:00 UTC);
    r.updated_at = datetime!(2025-01-01 0:00 UTC);
    r.active_sessions = 1;
    r
}

/// The database jobs among `effects`, in order.
fn jobs(effects: Vec<Effect>) -> Vec<Job> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Db(r) => Some(r.job),
            _ => None,
        })
        .collect()
}

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

fn answer(id: RequestId, answer: Answer) -> Event {
    Event::Db(DbEvent::Answer { id, answer })
}

/// The worker's answer to the change in flight.
fn applied(app: &App, o: Outcome) -> Event {
    answer(app.in_flight.unwrap_or(0), Answer::Applied(Box::new(o)))
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
            .map(|id| Applied { id: *id, email: String::new(), changed: true, sessions_revoked: 0 })
            .collect(),
    )
}

fn people() -> Vec<UserRow> {
    vec![
        row(1, "boss@x.se", Role::Superuser),
        row(2, "admin@x.se", Role::Admin),
        row(3, "anna@x.se", Role::User),
        row(4, "bertil@x.se", Role::User),
        row(5, "cissi@x.se", Role::Contributor),
        row(6, "david@x.se", Role::User),
    ]
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}
fn code(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}
fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}
fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| app.update(key(c))).collect()
}

/// An app signed in as `actor_row` with the standard people loaded, cursor on row 0.
fn signed_in(actor_n: u128) -> App {
    let mut app = App::new(Options::default(), 120, 40);
    app.update(Event::Db(DbEvent::Connected { has_superuser: true }));
    let me = people().into_iter().find(|r| r.id == Uuid::from_u128(actor_n)).unwrap();
    let cmds = app.update(answer(0, Answer::LoggedIn(Actor { id: me.id, email: me.email, role: me.role })));
    assert!(matches!(jobs(cmds).as_slice(), [Job::LoadUsers]));
    app.update(users(&app, people()));
    app
}

/// Answers the reason dialog that deletes and changes to several accounts open: types
/// `text`, presses Enter, and returns the jobs sent.
fn give_reason(app: &mut App, text: &str) -> Vec<Job> {
    assert!(matches!(app.dialog, Some(Dialog::Reason(_))), "expected the reason dialog: {:?}", app.dialog);
    typed(app, text);
    jobs(app.update(code(KeyCode::Enter)))
}

fn cursor_email(app: &App) -> String {
    app.users.cursor_row().map(|r| r.email.clone()).unwrap_or_default()
}

fn go_to(app: &mut App, email: &str) {
    app.update(key('g'));
    for _ in 0..app.users.visible_len() {
        if cursor_email(app) == email {
            return;
        }
        app.update(key('j'));
    }
    panic!("{email} not in table");
}

#[test]
fn login_sends_credentials_and_keeps_the_email_on_failure() {
    let mut app = App::new(Options::default(), 80, 24);
    assert!(matches!(app.screen, Screen::Connecting { .. }));
    app.update(Event::Db(DbEvent::Connected { has_superuser: true }));
    assert!(matches!(app.screen, Screen::Login(_)));
    typed(&mut app, "boss@x.se");
    app.update(code(KeyCode::Tab));
    typed(&mut app, "hemligt-lösen");
    let cmds = jobs(app.update(code(KeyCode::Enter)));
    match cmds.as_slice() {
        [Job::Login { email, password }] => {
            assert_eq!(email, "boss@x.se");
            assert_eq!(password.expose(), "hemligt-lösen");
        }
        other => panic!("{other:?}"),
    }
    // While the hash is checked, keys do nothing and nothing is sent twice.
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    app.update(answer(1, Answer::LoginFailed("Invalid admin credentials.".into())));
    let Screen::Login(f) = &app.screen else { panic!() };
    assert_eq!(f.email.value(), "boss@x.se");
    assert!(f.password.is_empty());
    assert_eq!(f.error.as_deref(), Some("Invalid admin credentials."));
}

#[test]
fn a_database_without_superuser_offers_bootstrap() {
    let mut app = App::new(Options::default(), 80, 24);
    app.update(Event::Db(DbEvent::Connected { has_superuser: false }));
    assert!(matches!(app.screen, Screen::Bootstrap(_)));
    typed(&mut app, "Root@X.se");
    app.update(code(KeyCode::Tab));
    typed(&mut app, "longpassword");
    app.update(code(KeyCode::Tab));
    typed(&mut app, "longpassworX");
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    let Screen::Bootstrap(f) = &app.screen else { panic!() };
    assert_eq!(f.error.as_deref(), Some("the two passwords differ"));
    typed(&mut app, "longpassword");
    let cmds = jobs(app.update(code(KeyCode::Enter)));
    match cmds.as_slice() {
        [Job::Bootstrap { email, password }] => {
            assert_eq!(email.as_str(), "root@x.se");
            assert_eq!(password.expose(), "longpassword");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn moving_paging_and_sorting_keep_the_cursor_in_range() {
    let mut app = signed_in(1);
    assert_eq!(cursor_email(&app), "admin@x.se");
    app.update(key('G'));
    assert_eq!(cursor_email(&app), "david@x.se");
    app.update(key('j'));
    assert_eq!(cursor_email(&app), "david@x.se");
    app.update(key('g'));
    app.update(code(KeyCode::PageDown));
    assert_eq!(app.users.cursor, 5);
    app.update(ctrl('u'));
    assert_eq!(app.users.cursor, 0);
    app.update(key('s')); // by role
    assert_eq!(cursor_email(&app), "admin@x.se", "cursor stays on its user");
    app.update(key('S'));
    assert!(app.users.reverse);
}

#[test]
fn filter_narrows_by_text_role_and_status_and_esc_clears() {
    let mut app = signed_in(1);
    app.update(key('/'));
    typed(&mut app, "role:user");
    assert_eq!(app.users.visible_len(), 3);
    typed(&mut app, " an");
    assert_eq!(app.users.visible_len(), 1);
    assert_eq!(cursor_email(&app), "anna@x.se");
    app.update(code(KeyCode::Enter));
    assert!(!app.filter_editing);
    assert_eq!(app.users.visible_len(), 1, "Enter keeps the filter");
    app.update(key('/'));
    app.update(ctrl('u'));
    assert_eq!(app.users.visible_len(), 6);
    typed(&mut app, "%_");
    assert_eq!(app.users.visible_len(), 0, "metacharacters are literal");
    app.update(code(KeyCode::Esc));
    assert_eq!(app.users.visible_len(), 6);
}

#[test]
fn bulk_role_change_confirms_counts_then_sends_one_command() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    app.update(key(' '));
    app.update(key(' ')); // bertil
    go_to(&mut app, "cissi@x.se");
    app.update(key(' '));
    assert_eq!(app.users.marks.len(), 3);
    assert!(app.update(key('r')).is_empty());
    assert!(matches!(app.dialog, Some(Dialog::PickRole { .. })));
    app.update(key('3'));
    let Some(Dialog::Confirm { lines, targets, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(targets.len(), 3);
    let text = lines.join("\n");
    assert!(text.contains("3 users to admin"), "{text}");
    assert!(text.contains("2 user → admin"), "{text}");
    assert!(text.contains("1 contributor → admin"), "{text}");
    assert!(app.update(key('y')).is_empty(), "a change to several accounts asks why first");
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
    assert!(app.update(key('r')).is_empty());
    assert!(app.dialog.is_none());
    assert_eq!(app.status.as_ref().map(|s| s.kind), Some(StatusKind::Error));
    app.update(key('k'));
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
    assert!(app.users.marks.is_empty(), "marks clear after success");
    assert_eq!(app.users.cursor_id(), cursor_before, "cursor stays on the same user");
    assert_eq!(app.users.rows().iter().filter(|r| r.role == Role::Admin).count(), 4);
    let status = app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Ok);
    assert_eq!(status.text, "role set to admin for 3 users · z undoes · c: as a command");
    assert!(!app.change_in_flight());
}

/// A change to one account, applied with `stamp`: what `z` and `c` then work on.
fn apply_one(app: &mut App, email: &str, key_char: char, stamp: &Stamp) {
    go_to(app, email);
    app.update(key(key_char));
    let cmds = jobs(app.update(key('y')));
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
    app.update(key('z'));
    assert!(app.dialog.is_none());
    assert!(app.status.clone().unwrap().text.contains("nothing to undo"));
    let stamp = Stamp::new(None);
    apply_one(&mut app, "anna@x.se", 'a', &stamp);
    app.update(key('c'));
    let Some(Dialog::Command { text }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(text, "skriptoteket-admin deactivate anna@x.se --actor-email boss@x.se");
    app.update(code(KeyCode::Esc));
    app.update(key('z'));
    let Some(Dialog::Confirm { change, lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(*change, Change::Revert(stamp.change_id));
    assert!(lines[0].starts_with("Undo deactivate: anna@x.se"), "{lines:?}");
    assert!(app.update(key('y')).is_empty(), "a revert asks why, as a change to many accounts");
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
    app.update(key('x'));
    let Some(Dialog::Confirm { lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(lines.last().map(String::as_str), Some("  This cannot be undone."));
    app.update(code(KeyCode::Esc));
    app.update(key('a'));
    let Some(Dialog::Confirm { lines, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(lines.last().map(String::as_str), Some("  z undoes it afterwards."));
    app.update(code(KeyCode::Esc));
    apply_one(&mut app, "anna@x.se", 'x', &Stamp::new(None));
    assert!(app.status.clone().unwrap().text.contains("cannot be undone"));
    app.update(key('z'));
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
    app.update(key('a'));
    assert!(app.update(key('y')).is_empty(), "a required reason is asked for every change");
    assert!(give_reason(&mut app, "").is_empty(), "an empty reason is refused");
    let Some(Dialog::Reason(p)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(p.error.as_deref().is_some_and(|e| e.contains("required")), "{:?}", p.error);
    app.update(code(KeyCode::Esc));
    assert!(app.dialog.is_none() && !app.change_in_flight(), "cancelled, nothing sent");
    app.update(key('a'));
    app.update(key('y'));
    let cmds = give_reason(&mut app, "left the school");
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { reason: Some(r), .. }] if r.as_str() == "left the school"),
        "{cmds:?}"
    );
}

#[test]
fn read_only_mode_refuses_every_change_key_and_still_reads() {
    let mut app = signed_in(1);
    app.options.deployment.readonly = true;
    go_to(&mut app, "anna@x.se");
    for k in ['a', 'x', 'u', 'v', 'r', 'p', 'd', 'n'] {
        let cmds = jobs(app.update(key(k)));
        assert!(cmds.is_empty() && app.dialog.is_none(), "{k}: {cmds:?} {:?}", app.dialog);
        let status = app.status.clone().unwrap();
        assert!(
            status.kind == StatusKind::Error && status.text.contains("read-only"),
            "{k}: {}",
            status.text
        );
    }
    assert!(matches!(jobs(app.update(code(KeyCode::Enter))).as_slice(), [Job::LoadDetails(_)]));
}

#[test]
fn a_protected_deployment_wants_its_name_typed_before_a_destructive_bulk_change() {
    let mut app = signed_in(1);
    app.options.deployment.name = Some("prod-skola".into());
    app.options.deployment.protected = true;
    for who in ["anna@x.se", "bertil@x.se"] {
        go_to(&mut app, who);
        app.update(key(' '));
    }
    app.update(key('x'));
    app.update(key('y'));
    let Some(Dialog::Reason(p)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(p.confirm_name.as_deref(), Some("prod-skola"));
    typed(&mut app, "prod-skol");
    assert!(app.update(code(KeyCode::Enter)).is_empty(), "a wrong name sends nothing");
    let Some(Dialog::Reason(p)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert!(p.error.as_deref().is_some_and(|e| e.contains("prod-skola")), "{:?}", p.error);
    typed(&mut app, "a");
    app.update(code(KeyCode::Tab));
    typed(&mut app, "end of term");
    let cmds = jobs(app.update(code(KeyCode::Enter)));
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::RevokeSessions, reason: Some(r), .. }] if r.as_str() == "end of term"),
        "{cmds:?}"
    );
    // One account is no bulk change: no name asked.
    let mut app = signed_in(1);
    app.options.deployment.name = Some("prod-skola".into());
    app.options.deployment.protected = true;
    go_to(&mut app, "anna@x.se");
    app.update(key('x'));
    assert!(matches!(jobs(app.update(key('y'))).as_slice(), [Job::Apply { .. }]));
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

#[test]
fn the_audit_viewer_hides_sign_ins_filters_by_field_opens_an_entry_and_reverts_its_change() {
    let mut app = signed_in(1);
    let id = request_id(&app.update(key('L')));
    let rows = vec![
        audit_row(1, "sign_in", "boss@x.se", 1),
        audit_row(2, "set_role", "anna@x.se", 2),
        audit_row(3, "delete_user", "david@x.se", 60 * 24 * 10),
    ];
    app.update(answer(id, Answer::Audit(Ok(rows))));
    let shown = |app: &App| -> Vec<i64> {
        let Some(Dialog::Audit(v)) = &app.dialog else { panic!("{:?}", app.dialog) };
        v.filtered().iter().map(|r| r.id).collect()
    };
    assert_eq!(shown(&app), [2, 3], "sign-ins hidden");
    app.update(key('/'));
    typed(&mut app, "signins");
    assert_eq!(shown(&app), [1, 2, 3]);
    app.update(ctrl('u'));
    typed(&mut app, "action:set target:ANNA");
    assert_eq!(shown(&app), [2]);
    app.update(ctrl('u'));
    typed(&mut app, "since:2026-11-15");
    assert_eq!(shown(&app), [2], "the delete was ten days before");
    app.update(ctrl('u'));
    typed(&mut app, "until:2026-11-15 change:0000");
    assert_eq!(shown(&app), [3]);
    app.update(code(KeyCode::Enter));
    // Enter opens the top entry in full; Esc goes back to the list, not out.
    app.update(code(KeyCode::Enter));
    assert!(matches!(&app.dialog, Some(Dialog::Audit(v)) if v.open == Some(0)));
    app.update(code(KeyCode::Esc));
    assert!(matches!(&app.dialog, Some(Dialog::Audit(v)) if v.open.is_none()));
    // A delete cannot be reverted; a role change can.
    app.update(key('z'));
    assert!(app.status.clone().unwrap().text.contains("cannot be reverted"));
    app.update(key('/'));
    app.update(ctrl('u'));
    app.update(code(KeyCode::Enter));
    app.update(key('z'));
    let Some(Dialog::Confirm { change, .. }) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(*change, Change::Revert(Uuid::from_u128(0xabc2)));
}

#[test]
fn an_admin_is_refused_before_any_query() {
    let mut app = signed_in(2);
    go_to(&mut app, "boss@x.se");
    for k in ['r', 'p', 'd', 'x', 'a', 'u', 'v'] {
        assert!(app.update(key(k)).is_empty(), "{k}");
        assert!(app.dialog.is_none(), "{k}");
        let s = app.status.clone().unwrap();
        assert_eq!(s.kind, StatusKind::Error);
        assert!(s.text.contains("Insufficient permissions"), "{}", s.text);
    }
    go_to(&mut app, "anna@x.se");
    app.update(key('r'));
    app.update(key('4'));
    assert!(app.dialog.is_none(), "an admin cannot assign superuser");
    assert!(app.status.unwrap().text.contains("assign"));
}

#[test]
fn nobody_deactivates_themselves_and_the_last_superuser_stays() {
    let mut app = signed_in(1);
    go_to(&mut app, "boss@x.se");
    assert!(app.update(key('a')).is_empty());
    assert!(app.status.clone().unwrap().text.contains("own account"));
    assert!(app.update(key('d')).is_empty());
    assert!(app.dialog.is_none());
}

#[test]
fn password_reset_generates_shows_once_and_copies() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    app.update(key('p'));
    let Some(Dialog::ResetPassword(f)) = &app.dialog else { panic!() };
    assert!(f.revoke_sessions, "revoking sessions is the default");
    let cmds = jobs(app.update(code(KeyCode::Enter)));
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
    let cmds = app.update(key('c'));
    assert!(matches!(cmds.as_slice(), [Effect::Clipboard(s)] if s == password));
    app.update(code(KeyCode::Esc));
    assert!(app.dialog.is_none());
}

#[test]
fn typed_password_must_match_and_meet_policy() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    app.update(key('p'));
    app.update(key(' ')); // mode: type
    app.update(code(KeyCode::Tab));
    typed(&mut app, "short");
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    let Some(Dialog::ResetPassword(f)) = &app.dialog else { panic!() };
    assert!(f.error.as_deref().unwrap().contains("at least 8"));
    assert_eq!(f.focus, ResetField::Password, "the password field has the focus again");
    app.update(ctrl('u'));
    typed(&mut app, "long enough pw");
    app.update(code(KeyCode::Tab));
    typed(&mut app, "long enough pw");
    let cmds = jobs(app.update(code(KeyCode::Enter)));
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
    app.update(key('n'));
    typed(&mut app, "not-an-email");
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    let Some(Dialog::NewUser(f)) = &app.dialog else { panic!() };
    assert!(f.error.is_some());
    app.update(ctrl('u'));
    typed(&mut app, "Ny.Larare@Skola.se");
    app.update(code(KeyCode::Tab));
    app.update(key('3')); // admin: an admin may not provision it
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    let Some(Dialog::NewUser(f)) = &app.dialog else { panic!() };
    assert_eq!(f.error.as_deref(), Some("Insufficient permissions to provision that user."));
    app.update(key('2'));
    let cmds = jobs(app.update(code(KeyCode::Enter)));
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
    let cmds = jobs(app.update(key('d')));
    assert!(matches!(cmds.as_slice(), [Job::PlanDelete(t)] if t.len() == 1));
    assert!(app.update(key('y')).is_empty(), "no delete before the plan is known");
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
    assert!(app.update(key('y')).is_empty(), "y does not confirm a blocked delete");
    assert!(matches!(app.dialog, Some(Dialog::ConfirmDelete { .. })));
    assert!(app.update(key('a')).is_empty());
    let Some(Dialog::Confirm { change: Change::SetActive(false), .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    let cmds = jobs(app.update(key('y')));
    assert!(matches!(cmds.as_slice(), [Job::Apply { change: Change::SetActive(false), .. }]));
}

#[test]
fn unblocked_delete_sends_delete() {
    let mut app = signed_in(1);
    go_to(&mut app, "david@x.se");
    app.update(key('d'));
    app.update(plan(&app, plan_for(&["david@x.se"])));
    assert!(app.update(key('y')).is_empty());
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
    app.update(key('x'));
    app.update(key('y'));
    let cmds = jobs(app.update(applied(
        &app,
        Outcome {
            stamp: skriptoteket_admin::domain::Stamp::new(None),
            change: Change::RevokeSessions,
            refreshed: vec![],
            affected: vec![],
            result: Err(OpError::Stale(
                "anna@x.se was changed by someone else (its role is now admin)".into(),
            )),
            generated: None,
        },
    )));
    assert!(matches!(cmds.as_slice(), [Job::LoadUsers]));
    assert!(app.status.clone().unwrap().text.contains("someone else"));
    app.update(Event::Db(DbEvent::ConnectionLost { message: "server closed the connection".into() }));
    assert!(app.connection_lost.is_some());
    assert!(app.update(key('x')).is_empty(), "no change starts while the connection is down");
    app.update(key('/'));
    typed(&mut app, "ann");
    assert_eq!(app.filter_input.value(), "ann", "typing still works");
    app.update(code(KeyCode::Enter));
    app.update(Event::Db(DbEvent::Reconnected));
    assert!(app.connection_lost.is_none());
    go_to(&mut app, "anna@x.se");
    app.update(key('r'));
    app.update(key('2'));
    app.update(key('y'));
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
    assert_eq!(app.filter_input.value(), "ann");
}

#[test]
fn viewers_open_and_close_and_quit_quits() {
    let mut app = signed_in(1);
    app.update(key('?'));
    assert!(matches!(app.dialog, Some(Dialog::Help { .. })));
    app.update(key('j'));
    app.update(code(KeyCode::Esc));
    assert!(app.dialog.is_none());
    let cmds = jobs(app.update(code(KeyCode::Enter)));
    assert!(matches!(cmds.as_slice(), [Job::LoadDetails(_)]));
    app.update(code(KeyCode::Esc));
    let cmds = jobs(app.update(key('L')));
    assert!(matches!(cmds.as_slice(), [Job::LoadAudit]));
    app.update(key('q'));
    assert!(app.dialog.is_none());
    let cmds = app.update(key('q'));
    assert!(matches!(cmds.as_slice(), [Effect::Quit]));
    assert!(app.quit);
}

#[test]
fn mark_all_marks_only_what_the_filter_shows_and_esc_clears() {
    let mut app = signed_in(1);
    app.update(key('/'));
    typed(&mut app, "status:active role:user");
    app.update(code(KeyCode::Enter));
    app.update(key('*'));
    assert_eq!(app.users.marks.len(), 3);
    app.update(code(KeyCode::Esc));
    assert!(app.users.marks.is_empty());
}

#[test]
fn keys_do_nothing_while_the_terminal_is_too_small() {
    let mut app = signed_in(1);
    go_to(&mut app, "david@x.se");
    app.update(key('d'));
    app.update(plan(&app, plan_for(&["david@x.se"])));
    app.update(Event::Resize(30, 8));
    assert!(app.update(key('y')).is_empty(), "a hidden dialog must not be confirmed");
    assert!(app.update(key('j')).is_empty());
    app.update(Event::Resize(120, 40));
    assert!(matches!(app.dialog, Some(Dialog::ConfirmDelete { .. })), "the dialog is still there");
    app.update(key('y'));
    let cmds = give_reason(&mut app, "");
    assert!(matches!(cmds.as_slice(), [Job::Apply { change: Change::Delete, .. }]));
    app.update(Event::Resize(30, 8));
    assert!(matches!(app.update(key('q')).as_slice(), [Effect::Quit]));
}

#[test]
fn deleting_several_users_needs_their_number_typed() {
    let mut app = signed_in(1);
    for who in ["anna@x.se", "bertil@x.se", "cissi@x.se"] {
        go_to(&mut app, who);
        app.update(key(' '));
    }
    let cmds = jobs(app.update(key('d')));
    assert!(matches!(cmds.as_slice(), [Job::PlanDelete(t)] if t.len() == 3), "{cmds:?}");
    app.update(plan(&app, plan_for(&["anna@x.se", "bertil@x.se", "cissi@x.se"])));
    assert!(app.update(key('y')).is_empty(), "y alone deletes nothing in bulk");
    assert!(app.update(key('2')).is_empty());
    assert!(app.update(code(KeyCode::Enter)).is_empty(), "the wrong number deletes nothing");
    app.update(code(KeyCode::Backspace));
    app.update(key('3'));
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    let cmds = give_reason(&mut app, "left the school");
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::Delete, targets, .. }] if targets.len() == 3),
        "{cmds:?}"
    );
}

#[test]
fn a_refused_create_keeps_the_form_and_a_created_user_gets_the_cursor() {
    let mut app = signed_in(1);
    app.update(key('n'));
    typed(&mut app, "anna@x.se");
    let cmds = jobs(app.update(code(KeyCode::Enter)));
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
            result: Err(OpError::Failed("User already exists for that email. (anna@x.se)".into())),
            generated: None,
        },
    ));
    let Some(Dialog::NewUser(f)) = &app.dialog else { panic!("{:?}", app.dialog) };
    assert_eq!(f.email.value(), "anna@x.se");
    assert!(f.error.as_deref().unwrap().contains("already exists"));
    app.update(ctrl('u'));
    typed(&mut app, "zed@x.se");
    let cmds = jobs(app.update(code(KeyCode::Enter)));
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
        app.update(key(' '));
    }
    app.update(key('/'));
    typed(&mut app, "anna");
    app.update(code(KeyCode::Enter));
    app.update(key('x'));
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
    app.update(key('/'));
    typed(&mut app, "status:locked");
    app.update(code(KeyCode::Enter));
    assert_eq!(cursor_email(&app), "bertil@x.se");
    assert_eq!(app.users.visible_len(), 1);
    app.update(key('a'));
    let Some(Dialog::Confirm { lines, change: Change::SetActive(true), .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert!(lines.join("\n").contains("still locked"), "{lines:?}");
}

#[test]
fn a_delete_plan_for_another_selection_is_ignored() {
    let mut app = signed_in(1);
    go_to(&mut app, "david@x.se");
    let davids = request_id(&app.update(key('d')));
    app.update(code(KeyCode::Esc));
    go_to(&mut app, "anna@x.se");
    app.update(key('d'));
    // The first plan (david's) arrives late: it must not stand for anna's delete.
    app.update(answer(davids, Answer::DeletePlan(Ok(plan_for(&["david@x.se"])))));
    assert!(app.update(key('y')).is_empty(), "no delete on a plan for someone else");
    app.update(plan(&app, plan_for(&["anna@x.se"])));
    app.update(key('y'));
    let cmds = give_reason(&mut app, "");
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::Delete, targets, .. }] if targets[0].email == "anna@x.se")
    );
}

#[test]
fn an_interrupted_reset_that_may_have_applied_still_shows_the_password() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    app.update(key('p'));
    app.update(code(KeyCode::Enter));
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
    assert!(app.status.unwrap().text.contains("WAS applied"));
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
    app.update(key('/'));
    typed(&mut app, "status:unverified");
    app.update(code(KeyCode::Enter));
    assert_eq!(app.users.visible_len(), 1);
    assert_eq!(cursor_email(&app), "anna@x.se");
    app.update(key('v'));
    let Some(Dialog::Confirm { lines, change: Change::VerifyEmail, .. }) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert!(lines[0].contains("anna@x.se"), "{lines:?}");
    let cmds = jobs(app.update(key('y')));
    assert!(
        matches!(cmds.as_slice(), [Job::Apply { change: Change::VerifyEmail, targets, .. }] if targets.len() == 1)
    );
}

#[test]
fn quitting_during_a_change_asks_for_a_second_q() {
    let mut app = signed_in(1);
    go_to(&mut app, "anna@x.se");
    app.update(key('x'));
    assert!(matches!(jobs(app.update(key('y'))).as_slice(), [Job::Apply { .. }]));
    assert!(app.update(key('q')).is_empty(), "the first q only warns");
    assert!(app.status.clone().unwrap().text.contains("press q again"));
    assert!(matches!(app.update(key('q')).as_slice(), [Effect::Quit]));
}

#[test]
fn the_spinner_follows_what_is_still_unanswered() {
    let mut app = signed_in(1);
    assert_eq!(app.busy(), None);
    go_to(&mut app, "david@x.se");
    app.update(key('d'));
    assert!(app.busy().is_some_and(|b| b.contains("checking")));
    // Cancelled before its plan came: nothing is pending any more.
    app.update(code(KeyCode::Esc));
    assert_eq!(app.busy(), None);
    // A change and a reload at once: the change's text while it runs, then the reload's.
    go_to(&mut app, "anna@x.se");
    app.update(key('x'));
    app.update(key('y'));
    let reload = request_id(&app.update(ctrl('r')));
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
    app.update(Event::Db(DbEvent::Connected { has_superuser: true }));
    for _ in 0..50_000 {
        app.update(key('a'));
    }
    let Screen::Login(f) = &app.screen else { panic!() };
    assert_eq!(f.email.value().len(), 1024, "cut at the field's limit");
    let mut app = signed_in(1);
    app.update(key('/'));
    typed(&mut app, &"x".repeat(5_000));
    assert_eq!(app.filter_input.value().len(), 1024);
}

#[test]
fn a_database_that_cannot_be_used_ends_the_console_and_waiting_spins() {
    let mut app = App::new(Options::default(), 80, 24);
    assert!(matches!(app.screen, Screen::Connecting { .. }));
    // While it waits for a server that is down, the spinner moves with the ticks.
    let waiting =
        DbEvent::Waiting { target: "h/db".into(), message: "connection refused".into(), attempt: 2 };
    app.update(Event::Db(waiting));
    let before = app.spinner;
    app.update(Event::Tick);
    app.update(Event::Tick);
    assert_eq!(app.spinner, before + 2);
    assert!(matches!(&app.screen, Screen::Connecting { message } if message.contains("attempt 2, retrying")));
    // A database it cannot use as configured ends the console with the reason.
    let why = "cannot connect to h/db: database \"db\" does not exist".to_string();
    let out = app.update(Event::Db(DbEvent::Unusable { message: why.clone() }));
    assert!(matches!(out.as_slice(), [Effect::Fail(m)] if *m == why), "{out:?}");
}
