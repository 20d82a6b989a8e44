//! The forms over the table: a new user, and a password reset.

use super::dialog::{box_width, show};
use super::palette::Palette;
use super::widgets::{self, Body};
use crate::domain::Role;
use crate::tui::keymap::{FormAction, KeyAction};
use crate::tui::model::forms::{NewUserField, NewUserForm, PasswordMode, ResetField, ResetForm};
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
    if (0..roles.len()).any(|i| !offered(i)) {
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
    let who = format!("{} ({})", f.target.email, f.target.role);
    for line in widgets::value_lines("Account", &who, iw, p.bold(), p) {
        body.push(line);
    }
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
    let mut revoke = widgets::label("", f.focus == ResetField::RevokeSessions, p);
    let x = if f.revoke_sessions { "x" } else { " " };
    revoke.push(Span::styled(
        format!("revoke sessions: [{x}]"),
        if f.focus == ResetField::RevokeSessions { p.bold() } else { p.plain() },
    ));
    revoke.push(Span::styled(format!("   {}", toggle_hint()), p.dim()));
    body.push(Line::from(revoke));
    body.blank();
    body.text("A reset cannot be undone: the old password is not kept.", p.dim(), iw);
    error_line(&mut body, f.error.as_deref(), iw, p);
    body.footer = Some(widgets::form_hints("reset", "cancel", p));
    show(frame, area, w, "Reset password", body, p);
}
