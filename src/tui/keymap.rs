//! Every key binding of the console, one per line. The help overlay and the footers are
//! generated from this table, and every key handler looks its keys up here, so the three
//! cannot disagree. Each context has its own action enum, so a handler's `match` is
//! exhaustive: a binding without a handler does not compile.

use crate::domain::Role;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Context {
    Table,
    Filter,
    Form,
    RolePicker,
    Confirm,
    Password,
    Viewer,
}

impl Context {
    /// The contexts in the order the help overlay lists them.
    pub const ALL: [Context; 7] = [
        Context::Table,
        Context::Filter,
        Context::Form,
        Context::RolePicker,
        Context::Confirm,
        Context::Password,
        Context::Viewer,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Table => "User table",
            Context::Filter => "Filter (/)",
            Context::Form => "Forms (log in, new user, password)",
            Context::RolePicker => "Role picker (r)",
            Context::Confirm => "Confirmations",
            Context::Password => "Generated password",
            Context::Viewer => "Details, audit log, help",
        }
    }
}

/// Keys on the user table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TableAction {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Filter,
    Mark,
    MarkAll,
    /// Marks the shown rows that are not marked and unmarks the rest: keep these, act on
    /// the others.
    InvertMarks,
    ClearMarks,
    RestoreMarks,
    New,
    Role,
    Password,
    Delete,
    Revoke,
    ToggleActive,
    Unlock,
    VerifyEmail,
    Sort,
    SortReverse,
    Reload,
    Details,
    Audit,
    Export,
    Undo,
    Command,
    Messages,
    Help,
    Quit,
}

/// Keys while a filter line is edited (the table's, the audit log's).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FilterAction {
    Keep,
    Clear,
    Empty,
}

/// Keys in forms (log in, first superuser, new user, password reset).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FormAction {
    NextField,
    PrevField,
    Submit,
    Toggle,
    Empty,
    Cancel,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PickerAction {
    Pick(Role),
    Down,
    Up,
    Submit,
    Cancel,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConfirmAction {
    Yes,
    Cancel,
    /// Enter: confirms a delete of several accounts once their number is typed.
    Submit,
    /// What a blocked delete offers instead: deactivation.
    Alternative,
    /// A blocked delete of several, some of them not held: delete just those.
    DeleteRest,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PasswordAction {
    Copy,
    Close,
}

/// Keys in the read-only dialogs: details, audit log, help.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ViewerAction {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Filter,
    Revert,
    Open,
    /// Details: select the next / previous session listed.
    NextSession,
    PrevSession,
    /// Details: revoke the selected session.
    RevokeSession,
    Close,
}

/// What a key does, in its context.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KeyAction {
    Table(TableAction),
    Filter(FilterAction),
    Form(FormAction),
    Picker(PickerAction),
    Confirm(ConfirmAction),
    Password(PasswordAction),
    Viewer(ViewerAction),
}

impl KeyAction {
    pub fn context(self) -> Context {
        match self {
            KeyAction::Table(_) => Context::Table,
            KeyAction::Filter(_) => Context::Filter,
            KeyAction::Form(_) => Context::Form,
            KeyAction::Picker(_) => Context::RolePicker,
            KeyAction::Confirm(_) => Context::Confirm,
            KeyAction::Password(_) => Context::Password,
            KeyAction::Viewer(_) => Context::Viewer,
        }
    }
}

/// A key as written in the table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: KeyAction,
    pub help: &'static str,
}

const fn bind(keys: &'static [Key], action: KeyAction, help: &'static str) -> Binding {
    Binding { keys, action, help }
}

use ConfirmAction as Cf;
use FilterAction as Fi;
use FormAction as Fo;
use Key::{Char as C, Code, Ctrl};
use KeyAction::{
    Confirm as Conf, Filter as Filt, Form as Frm, Password as Pw, Picker as Pick, Table as Tab,
    Viewer as View,
};
use KeyCode::{BackTab, Delete, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab as TabKey, Up};
use PickerAction as Pi;
use TableAction as Ta;
use ViewerAction as Vi;

#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    bind(&[C('j'), Code(Down)], Tab(Ta::Down), "move down"),
    bind(&[C('k'), Code(Up)], Tab(Ta::Up), "move up"),
    bind(&[C('g'), Code(Home)], Tab(Ta::Top), "first row"),
    bind(&[C('G'), Code(End)], Tab(Ta::Bottom), "last row"),
    bind(&[Code(PageDown), Ctrl('d')], Tab(Ta::PageDown), "page down"),
    bind(&[Code(PageUp), Ctrl('u')], Tab(Ta::PageUp), "page up"),
    bind(&[C('/')], Tab(Ta::Filter), "filter: text, role:a,b status: last_login:>180d never_logged_in -word (README)"),
    bind(&[C(' ')], Tab(Ta::Mark), "mark / unmark row, move down"),
    bind(&[C('*')], Tab(Ta::MarkAll), "mark every row the filter shows"),
    bind(&[C('i')], Tab(Ta::InvertMarks), "invert marks on the shown rows (act on the rest)"),
    bind(&[Code(Esc)], Tab(Ta::ClearMarks), "clear one thing: the filter, then the marks"),
    bind(&[C('U')], Tab(Ta::RestoreMarks), "restore the marks Esc cleared"),
    bind(&[C('n')], Tab(Ta::New), "new user"),
    bind(&[C('r')], Tab(Ta::Role), "change role of marked (or cursor) users"),
    bind(&[C('p')], Tab(Ta::Password), "reset password of cursor user"),
    bind(&[C('d'), Code(Delete)], Tab(Ta::Delete), "delete marked (or cursor) users"),
    bind(&[C('x')], Tab(Ta::Revoke), "revoke all sessions of marked (or cursor) users"),
    bind(&[C('a')], Tab(Ta::ToggleActive), "deactivate / reactivate"),
    bind(&[C('u')], Tab(Ta::Unlock), "unlock a locked account"),
    bind(&[C('v')], Tab(Ta::VerifyEmail), "mark email verified (you vouch for the address)"),
    bind(&[C('s')], Tab(Ta::Sort), "sort by next column"),
    bind(&[C('S')], Tab(Ta::SortReverse), "reverse sort order"),
    bind(&[Ctrl('r')], Tab(Ta::Reload), "reload from the database"),
    bind(&[Code(Enter)], Tab(Ta::Details), "details of cursor user"),
    bind(&[C('L')], Tab(Ta::Audit), "audit log"),
    bind(&[C('E')], Tab(Ta::Export), "export what the table shows to a .csv, .jsonl or .json file"),
    bind(&[C('z')], Tab(Ta::Undo), "undo your last change (reverts it; asks first)"),
    bind(&[C('c')], Tab(Ta::Command), "your last change as a subcommand, to copy"),
    bind(&[C('m')], Tab(Ta::Messages), "message history (the last 50, in full)"),
    bind(&[C('?')], Tab(Ta::Help), "this help"),
    bind(&[C('q'), Ctrl('c')], Tab(Ta::Quit), "quit"),

    bind(&[Code(Enter)], Filt(Fi::Keep), "keep the filter"),
    bind(&[Code(Esc)], Filt(Fi::Clear), "cancel the edit (the filter as it was)"),
    bind(&[Ctrl('u')], Filt(Fi::Empty), "empty the field"),

    bind(&[Code(TabKey), Code(Down)], Frm(Fo::NextField), "next field"),
    bind(&[Code(BackTab), Code(Up)], Frm(Fo::PrevField), "previous field"),
    bind(&[Code(Enter)], Frm(Fo::Submit), "submit"),
    bind(&[C(' ')], Frm(Fo::Toggle), "toggle the option under the cursor (role: 1-4)"),
    bind(&[Ctrl('u')], Frm(Fo::Empty), "empty the field"),
    bind(&[Code(Esc)], Frm(Fo::Cancel), "cancel; at log-in: clear the form, then quit (Ctrl-c quits)"),

    bind(&[C('1')], Pick(Pi::Pick(Role::User)), "user"),
    bind(&[C('2')], Pick(Pi::Pick(Role::Contributor)), "contributor"),
    bind(&[C('3')], Pick(Pi::Pick(Role::Admin)), "admin"),
    bind(&[C('4')], Pick(Pi::Pick(Role::Superuser)), "superuser"),
    bind(&[C('j'), Code(Down)], Pick(Pi::Down), "next role"),
    bind(&[C('k'), Code(Up)], Pick(Pi::Up), "previous role"),
    bind(&[Code(Enter)], Pick(Pi::Submit), "choose"),
    bind(&[Code(Esc), C('n')], Pick(Pi::Cancel), "cancel"),

    bind(&[C('y'), C('Y')], Conf(Cf::Yes), "yes, do it"),
    bind(&[C('n'), Code(Esc)], Conf(Cf::Cancel), "no, cancel"),
    bind(&[Code(Enter)], Conf(Cf::Submit), "delete several users: type their number, then Enter"),
    bind(&[C('a')], Conf(Cf::Alternative), "blocked delete: deactivate them instead"),
    bind(&[C('r')], Conf(Cf::DeleteRest), "blocked delete of several: delete only those not held (asks again)"),

    bind(&[C('c')], Pw(PasswordAction::Copy), "send to the terminal's clipboard (OSC 52)"),
    bind(&[Code(Enter)], Pw(PasswordAction::Close), "close; the password is then gone"),

    bind(&[C('j'), Code(Down)], View(Vi::Down), "scroll down"),
    bind(&[C('k'), Code(Up)], View(Vi::Up), "scroll up"),
    bind(&[Code(PageDown), Ctrl('d'), C(' ')], View(Vi::PageDown), "page down"),
    bind(&[Code(PageUp), Ctrl('u')], View(Vi::PageUp), "page up"),
    bind(&[C('g'), Code(Home)], View(Vi::Top), "top"),
    bind(&[C('G'), Code(End)], View(Vi::Bottom), "bottom"),
    bind(&[C('/')], View(Vi::Filter), "filter the audit log (actor: target: action: change: signins)"),
    bind(&[C('z')], View(Vi::Revert), "revert the top audit entry's change (asks first)"),
    bind(&[Code(Enter)], View(Vi::Open), "open the top audit entry in full (Esc: back)"),
    bind(&[Code(TabKey)], View(Vi::NextSession), "details: select the next session"),
    bind(&[Code(BackTab)], View(Vi::PrevSession), "details: select the previous session"),
    bind(&[C('x')], View(Vi::RevokeSession), "details: revoke the selected session (asks first)"),
    bind(&[Code(Esc), C('q')], View(Vi::Close), "close"),
];

impl Key {
    fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match (self, ev.code) {
            (Key::Ctrl(c), KeyCode::Char(k)) => ctrl && k.eq_ignore_ascii_case(&c),
            (Key::Char(c), KeyCode::Char(k)) => !ctrl && !ev.modifiers.contains(KeyModifiers::ALT) && k == c,
            (Key::Code(code), k) => !ctrl && code == k,
            _ => false,
        }
    }

    /// How a status message names the key that was pressed.
    pub fn describe(ev: &KeyEvent) -> String {
        let key = match ev.code {
            KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL) => Key::Ctrl(c),
            KeyCode::Char(c) => Key::Char(c),
            code => Key::Code(code),
        };
        key.label()
    }

    /// How the help overlay writes the key.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{c}"),
            Key::Code(code) => match code {
                KeyCode::Down => "↓".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::Delete => "Del".into(),
                other => other.to_string(),
            },
        }
    }
}

/// The action bound to `ev` in `context`, if any.
pub fn lookup(context: Context, ev: &KeyEvent) -> Option<KeyAction> {
    BINDINGS
        .iter()
        .find(|b| b.action.context() == context && b.keys.iter().any(|k| k.matches(ev)))
        .map(|b| b.action)
}

/// The table action of `ev`.
pub fn table(ev: &KeyEvent) -> Option<TableAction> {
    if let Some(KeyAction::Table(a)) = lookup(Context::Table, ev) { Some(a) } else { None }
}

pub fn filter(ev: &KeyEvent) -> Option<FilterAction> {
    if let Some(KeyAction::Filter(a)) = lookup(Context::Filter, ev) { Some(a) } else { None }
}

pub fn form(ev: &KeyEvent) -> Option<FormAction> {
    if let Some(KeyAction::Form(a)) = lookup(Context::Form, ev) { Some(a) } else { None }
}

pub fn picker(ev: &KeyEvent) -> Option<PickerAction> {
    if let Some(KeyAction::Picker(a)) = lookup(Context::RolePicker, ev) { Some(a) } else { None }
}

pub fn confirm(ev: &KeyEvent) -> Option<ConfirmAction> {
    if let Some(KeyAction::Confirm(a)) = lookup(Context::Confirm, ev) { Some(a) } else { None }
}

pub fn password(ev: &KeyEvent) -> Option<PasswordAction> {
    if let Some(KeyAction::Password(a)) = lookup(Context::Password, ev) { Some(a) } else { None }
}

pub fn viewer(ev: &KeyEvent) -> Option<ViewerAction> {
    if let Some(KeyAction::Viewer(a)) = lookup(Context::Viewer, ev) { Some(a) } else { None }
}

/// "j/↓" style label of every key bound to `action` (for footers and hints).
pub fn keys_for(action: KeyAction) -> String {
    BINDINGS
        .iter()
        .filter(|b| b.action == action)
        .flat_map(|b| b.keys.iter().map(|k| k.label()))
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[rstest]
    #[case::j(KeyCode::Char('j'), KeyModifiers::NONE, Some(Ta::Down))]
    #[case::arrow_down(KeyCode::Down, KeyModifiers::NONE, Some(Ta::Down))]
    #[case::shift_g(KeyCode::Char('G'), KeyModifiers::SHIFT, Some(Ta::Bottom))]
    #[case::ctrl_u_pages(KeyCode::Char('u'), KeyModifiers::CONTROL, Some(Ta::PageUp))]
    #[case::u_unlocks(KeyCode::Char('u'), KeyModifiers::NONE, Some(Ta::Unlock))]
    #[case::v_verifies(KeyCode::Char('v'), KeyModifiers::NONE, Some(Ta::VerifyEmail))]
    #[case::ctrl_r_reloads(KeyCode::Char('r'), KeyModifiers::CONTROL, Some(Ta::Reload))]
    #[case::ctrl_c_quits(KeyCode::Char('c'), KeyModifiers::CONTROL, Some(Ta::Quit))]
    #[case::del_deletes(KeyCode::Delete, KeyModifiers::NONE, Some(Ta::Delete))]
    #[case::alt_d_is_not_d(KeyCode::Char('d'), KeyModifiers::ALT, None)]
    #[case::z_undoes(KeyCode::Char('z'), KeyModifiers::NONE, Some(Ta::Undo))]
    #[case::shift_e_exports(KeyCode::Char('E'), KeyModifiers::SHIFT, Some(Ta::Export))]
    #[case::unbound(KeyCode::Char('w'), KeyModifiers::NONE, None)]
    fn table_keys_resolve(
        #[case] code: KeyCode,
        #[case] mods: KeyModifiers,
        #[case] want: Option<TableAction>,
    ) {
        assert_eq!(table(&key(code, mods)), want);
    }

    #[rstest]
    #[case::confirm_y(Context::Confirm, KeyCode::Char('y'), Some(Conf(Cf::Yes)))]
    #[case::confirm_esc(Context::Confirm, KeyCode::Esc, Some(Conf(Cf::Cancel)))]
    #[case::picker_3(Context::RolePicker, KeyCode::Char('3'), Some(Pick(Pi::Pick(Role::Admin))))]
    #[case::form_tab(Context::Form, KeyCode::Tab, Some(Frm(Fo::NextField)))]
    #[case::form_letters_are_text(Context::Form, KeyCode::Char('q'), None)]
    #[case::filter_enter(Context::Filter, KeyCode::Enter, Some(Filt(Fi::Keep)))]
    #[case::viewer_end(Context::Viewer, KeyCode::End, Some(View(Vi::Bottom)))]
    #[case::viewer_tab(Context::Viewer, KeyCode::Tab, Some(View(Vi::NextSession)))]
    #[case::viewer_x(Context::Viewer, KeyCode::Char('x'), Some(View(Vi::RevokeSession)))]
    fn keys_resolve_in_their_context(
        #[case] context: Context,
        #[case] code: KeyCode,
        #[case] want: Option<KeyAction>,
    ) {
        assert_eq!(lookup(context, &key(code, KeyModifiers::NONE)), want);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for ctx in Context::ALL {
            let keys: Vec<Key> = BINDINGS
                .iter()
                .filter(|b| b.action.context() == ctx)
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(k), "{k:?} twice in {ctx:?}");
            }
        }
    }

    #[test]
    fn hints_join_every_key_of_an_action() {
        assert_eq!(keys_for(Conf(Cf::Cancel)), "n/Esc");
        assert_eq!(keys_for(Tab(Ta::Bottom)), "G/End");
    }
}
