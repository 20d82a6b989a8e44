//! The forms over the table: a new user, a password reset, an account edit.

use super::dialog::{box_width, show};
use super::palette::Palette;
use super::widgets::{self, Body};
use crate::domain::Role;
use crate::tui::keymap::{FormAction, KeyAction};
use crate::tui::model::dialog::Loading;
use crate::tui::model::forms::{
    EditField, EditForm, NewUserField, NewUserForm, PasswordMode, ResetField, ResetForm,
};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const MODES: [&str; 2] = ["generate (recommended)", "type"];

fn mode_index(m: PasswordMode) -> usize {
    match m {
        PasswordMode::Generate => 0,
        PasswordMode::Type => 1,
    }
}

fn toggle_hint() -> String {
    format!("{} toggles", widgets::keys(KeyAction::Form(FormAction::Toggle)))
}

pub(super) fn new_user(frame: &mut Frame, area: Rect, f: &NewUserForm, actor: Role, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    body.field(widgets::input("Email", &f.email, f.focus == NewUserField::Email, iw, p));
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let offered = |i: usize| crate::domain::permissions::may_assign(actor, Role::ALL[i]).is_ok();
    let role_hint = format!("{} or 1-4", widgets::keys(KeyAction::Form(FormAction::Toggle)));
    body.push(widgets::choice_of(
        "Role",
        &roles,
        f.role.index(),
        f.focus == NewUserField::Role,
        &role_hint,
        offered,
        p,
    ));
    if let Some(why) = &f.role_refused {
        body.text(why, p.error(), iw);
    }
    // The refusal of a key says it already; the standing note is for before one.
    if f.role_refused.is_none() && (0..roles.len()).any(|i| !offered(i)) {
        let not: Vec<&str> = (0..roles.len()).filter(|i| !offered(*i)).map(|i| roles[i]).collect();
        body.text(&format!("{}: not offered, only a superuser creates them", not.join(", ")), p.dim(), iw);
    }
    body.push(widgets::choice(
        "Password",
        &MODES,
        mode_index(f.mode),
        f.focus == NewUserField::Mode,
        &toggle_hint(),
        p,
    ));
    if f.mode == PasswordMode::Type {
        body.field(widgets::secret("Type it", &f.password, f.focus == NewUserField::Password, iw, p));
        body.field(widgets::secret("Again", &f.confirm, f.focus == NewUserField::Confirm, iw, p));
    }
    body.blank();
    error_line(&mut body, f.error.as_deref(), iw, p);
    body.footer = Some(widgets::form_hints("create", "cancel", p));
    show(frame, area, w, "New user", body, p);
}

/// The "Account  anna@x.se (user)" lines the reset and edit forms open with.
fn account(body: &mut Body, target: &crate::store::targets::Seen, iw: usize, p: Palette) {
    let who = format!("{} ({})", target.email, target.role);
    for line in widgets::value_lines("Account", &who, iw, p.bold(), p) {
        body.push(line);
    }
}

/// The "revoke sessions: [x]" checkbox of the reset and edit forms.
fn revoke_sessions(on: bool, focused: bool, p: Palette) -> Line<'static> {
    let mut spans = widgets::label("", focused, p);
    let x = if on { "x" } else { " " };
    spans.push(Span::styled(format!("revoke sessions: [{x}]"), if focused { p.bold() } else { p.plain() }));
    spans.push(Span::styled(format!("   {}", toggle_hint()), p.dim()));
    Line::from(spans)
}

fn error_line(body: &mut Body, error: Option<&str>, w: usize, p: Palette) {
    match error {
        Some(e) => body.text(e, p.error(), w),
        None => body.blank(),
    }
}

pub(super) fn reset(frame: &mut Frame, area: Rect, f: &ResetForm, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    account(&mut body, &f.target, iw, p);
    body.blank();
    body.push(widgets::choice(
        "Password",
        &MODES,
        mode_index(f.mode),
        f.focus == ResetField::Mode,
        &toggle_hint(),
        p,
    ));
    if f.mode == PasswordMode::Type {
        body.field(widgets::secret("Type it", &f.password, f.focus == ResetField::Password, iw, p));
        body.field(widgets::secret("Again", &f.confirm, f.focus == ResetField::Confirm, iw, p));
    }
    body.push(revoke_sessions(f.revoke_sessions, f.focus == ResetField::RevokeSessions, p));
    body.blank();
    body.text("A reset cannot be undone: the old password is not kept.", p.dim(), iw);
    error_line(&mut body, f.error.as_deref(), iw, p);
    body.footer = Some(widgets::form_hints("reset", "cancel", p));
    show(frame, area, w, "Reset password", body, p);
}

/// The edit form: the account's values as read, each editable; the new email checked as it
/// is typed, and whether the admin vouches for it.
pub(super) fn edit(frame: &mut Frame, area: Rect, app: &crate::tui::model::App, f: &EditForm, p: Palette) {
    let w = box_width(area);
    let iw = widgets::inner_width(w);
    let mut body = Body::default();
    body.blank();
    account(&mut body, &f.target, iw, p);
    body.blank();
    match &f.current {
        Loading::Pending => body.push(super::viewers::spinning(app, "loading the account…", p)),
        Loading::Failed(e) => body.text(&format!("could not read the account: {e}"), p.error(), iw),
        Loading::Ready(_) => edit_fields(&mut body, f, iw, p),
    }
    body.blank();
    error_line(&mut body, f.error.as_deref(), iw, p);
    body.footer = Some(widgets::form_hints("review the changes", "cancel", p));
    show(frame, area, w, "Edit account", body, p);
}

fn edit_fields(body: &mut Body, f: &EditForm, iw: usize, p: Palette) {
    body.field(widgets::input("Email", &f.email, f.focus == EditField::Email, iw, p));
    if f.email_changed() {
        // What the web app would refuse, as it is typed.
        match crate::domain::Email::parse(f.email.value()) {
            Err(e) => body.text(&format!("  {e}"), p.error(), iw),
            Ok(_) => body.push(widgets::choice(
                "New email",
                &VERIFIED,
                usize::from(!f.vouch),
                f.focus == EditField::Vouch,
                &toggle_hint(),
                p,
            )),
        }
    }
    body.field(widgets::input("First", &f.first_name, f.focus == EditField::FirstName, iw, p));
    body.field(widgets::input("Last", &f.last_name, f.focus == EditField::LastName, iw, p));
    body.field(widgets::input("Display", &f.display_name, f.focus == EditField::DisplayName, iw, p));
    body.push(widgets::choice(
        "Locale",
        &crate::domain::edit::LOCALES,
        f.locale,
        f.focus == EditField::Locale,
        &toggle_hint(),
        p,
    ));
    body.push(revoke_sessions(f.revoke_sessions, f.focus == EditField::RevokeSessions, p));
}

/// The choice for a new email: vouched for (stays verified) or not.
const VERIFIED: [&str; 2] = ["I vouch: verified", "unverified (user verifies)"];
