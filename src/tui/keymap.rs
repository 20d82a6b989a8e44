//! Every key binding of the console, one per line. The help overlay and the footers are
//! generated from this table, and every key handler looks its keys up here, so the three
//! cannot disagree. Each context has its own action enum, so a handler's `match` is
//! exhaustive: a binding without a handler does not compile.

use crate::domain::Role;
use crate::tui::model::table::SortKey;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Context {
    Table,
    /// A filter line or the `:` command line being typed.
    Filter,
    Form,
    RolePicker,
    Confirm,
    /// A text to copy: the generated password, the last change as a command.
    Copy,
    /// The details of one account (Enter), beside the scroll keys.
    Details,
    /// The audit log (L), beside the scroll keys.
    Audit,
    /// The sign-ins across all accounts (A), beside the scroll keys.
    SignIns,
    /// Every viewer: details, audit log, help, messages.
    Scroll,
    /// After `s` on the table: which column to sort by.
    Sort,
}

impl Context {
    /// The contexts in the order the help overlay lists them.
    pub const ALL: [Context; 11] = [
        Context::Table,
        Context::Sort,
        Context::Filter,
        Context::Form,
        Context::RolePicker,
        Context::Confirm,
        Context::Copy,
        Context::Details,
        Context::Audit,
        Context::SignIns,
        Context::Scroll,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Table => "User table",
            Context::Filter => "Filter (/) and command line (:)",
            Context::Form => "Forms (log in, new user, password)",
            Context::RolePicker => "Role picker (r)",
            Context::Confirm => "Confirmations",
            Context::Copy => "Generated password, command (c)",
            Context::Details => "Details (Enter)",
            Context::Audit => "Audit log (L)",
            Context::SignIns => "Sign-ins (A)",
            Context::Scroll => "Every viewer: details, audit log, help, messages",
            Context::Sort => "Sort (s, then)",
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
    /// Edit the cursor's account: email, names, locale.
    Edit,
    Delete,
    Revoke,
    ToggleActive,
    Unlock,
    VerifyEmail,
    Sort,
    SortReverse,
    Reload,
    /// Pause or resume the live table (looking for changes by others).
    Live,
    Details,
    Audit,
    /// The sign-ins across all accounts: a chart, the sources of failures, the most-failed
    /// and the locked accounts.
    SignIns,
    Export,
    /// New accounts from a CSV file, each with a generated password.
    Import,
    Undo,
    Command,
    /// The cursor's email to the terminal's clipboard.
    CopyEmail,
    /// The `:` command line.
    CommandLine,
    Messages,
    Help,
    Quit,
}

/// Keys after `s`: the column to sort by (numbered as the table shows them from the left,
/// hidden ones too), or the next column as `s` alone once did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SortAction {
    By(SortKey),
    Next,
    Cancel,
}

/// Keys while a filter line is edited (the table's, the audit log's).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FilterAction {
    Keep,
    Clear,
    Empty,
    /// The filter kept before the one shown (this session's history).
    Older,
    Newer,
    /// The `:` command line: complete the word being typed.
    Complete,
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
    /// A change of several accounts with admins or superusers among them: the same change
    /// of the others only, confirmed afresh.
    LeaveOutAdmins,
}

/// Keys where a text is shown to copy: a generated password (shown once), a command.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CopyAction {
    Copy,
    Close,
}

/// Keys every viewer shares (details, audit log, help, messages).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ScrollAction {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Close,
}

/// Keys of the details besides scrolling.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DetailsAction {
    /// Select the next / previous session listed.
    NextSession,
    PrevSession,
    /// Revoke the selected session.
    RevokeSession,
}

/// Keys of the sign-ins view besides scrolling (j/k move the selection).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SignInsAction {
    Span(crate::domain::sign_ins::Span),
    NextSection,
    PrevSection,
    /// Mark the selected row's accounts on the table.
    Mark,
    /// The selected account's details.
    Details,
    /// Close the view and act on the marked (or the selected) accounts as on the table.
    Act(TableAction),
    Reload,
}

/// Keys of the audit log besides scrolling.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AuditAction {
    Filter,
    Revert,
    Open,
}

/// A key in a viewer: one of its own, or one of the scroll keys all viewers share.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum InViewer<A> {
    Own(A),
    Scroll(ScrollAction),
}

/// What a key does, in its context.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KeyAction {
    Table(TableAction),
    Filter(FilterAction),
    Form(FormAction),
    Picker(PickerAction),
    Confirm(ConfirmAction),
    Copy(CopyAction),
    Details(DetailsAction),
    Audit(AuditAction),
    SignIns(SignInsAction),
    Scroll(ScrollAction),
    Sort(SortAction),
}

impl KeyAction {
    pub fn context(self) -> Context {
        match self {
            KeyAction::Table(_) => Context::Table,
            KeyAction::Filter(_) => Context::Filter,
            KeyAction::Form(_) => Context::Form,
            KeyAction::Picker(_) => Context::RolePicker,
            KeyAction::Confirm(_) => Context::Confirm,
            KeyAction::Copy(_) => Context::Copy,
            KeyAction::Details(_) => Context::Details,
            KeyAction::Audit(_) => Context::Audit,
            KeyAction::SignIns(_) => Context::SignIns,
            KeyAction::Scroll(_) => Context::Scroll,
            KeyAction::Sort(_) => Context::Sort,
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
    /// What the help overlay says it does.
    pub help: &'static str,
    /// The word a footer shows beside the key ("filter"); empty where no footer names it.
    pub short: &'static str,
}

const fn bind(keys: &'static [Key], action: KeyAction, help: &'static str) -> Binding {
    Binding { keys, action, help, short: "" }
}

impl Binding {
    const fn short(self, short: &'static str) -> Binding {
        Binding { short, ..self }
    }
}

use crate::domain::sign_ins::Span as Sp;
use AuditAction as Au;
use ConfirmAction as Cf;
use DetailsAction as De;
use FilterAction as Fi;
use FormAction as Fo;
use Key::{Char as C, Code, Ctrl};
use KeyAction::{
    Audit as Aud, Confirm as Conf, Copy as Cp, Details as Det, Filter as Filt, Form as Frm, Picker as Pick,
    Scroll as Scr, SignIns as Sig, Sort as Srt, Table as Tab,
};
use KeyCode::{BackTab, Delete, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab as TabKey, Up};
use PickerAction as Pi;
use ScrollAction as Sc;
use SignInsAction as Si;
use TableAction as Ta;

#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    bind(&[C('j'), Code(Down)], Tab(Ta::Down), "move down"),
    bind(&[C('k'), Code(Up)], Tab(Ta::Up), "move up"),
    bind(&[C('g'), Code(Home)], Tab(Ta::Top), "first row"),
    bind(&[C('G'), Code(End)], Tab(Ta::Bottom), "last row"),
    bind(&[Code(PageDown), Ctrl('d')], Tab(Ta::PageDown), "page down"),
    bind(&[Code(PageUp), Ctrl('u')], Tab(Ta::PageUp), "page up"),
    bind(&[C('/')], Tab(Ta::Filter), "filter: text, role:a,b status: last_login:older:180d created:before:2025-01-01 never_logged_in -word saved:NAME (all words: the admin guide)").short("filter"),
    bind(&[C(' ')], Tab(Ta::Mark), "mark / unmark row, move down").short("mark"),
    bind(&[C('*')], Tab(Ta::MarkAll), "mark every row the filter shows").short("all"),
    bind(&[C('i')], Tab(Ta::InvertMarks), "invert marks on the shown rows (act on the rest)"),
    bind(&[Code(Esc)], Tab(Ta::ClearMarks), "clear one thing: the filter, then the marks"),
    bind(&[C('U')], Tab(Ta::RestoreMarks), "restore the marks Esc cleared"),
    bind(&[C('n')], Tab(Ta::New), "new user").short("new"),
    bind(&[C('r')], Tab(Ta::Role), "change role of marked (or cursor) users").short("role"),
    bind(&[C('p')], Tab(Ta::Password), "reset password of cursor user").short("password"),
    bind(&[C('e')], Tab(Ta::Edit), "edit email, names, locale of cursor user").short("edit"),
    bind(&[C('d'), Code(Delete)], Tab(Ta::Delete), "delete marked (or cursor) users").short("delete"),
    bind(&[C('x')], Tab(Ta::Revoke), "revoke all sessions of marked (or cursor) users").short("revoke"),
    bind(&[C('a')], Tab(Ta::ToggleActive), "deactivate / reactivate").short("on/off"),
    bind(&[C('u')], Tab(Ta::Unlock), "unlock a locked account").short("unlock"),
    bind(&[C('v')], Tab(Ta::VerifyEmail), "mark email verified (you vouch for the address)").short("verify"),
    bind(&[C('s')], Tab(Ta::Sort), "sort: then the column's number (1 email … 6 created), or s for the next").short("sort"),
    bind(&[C('S')], Tab(Ta::SortReverse), "reverse sort order"),
    bind(&[Ctrl('r')], Tab(Ta::Reload), "reload from the database"),
    bind(&[C('P')], Tab(Ta::Live), "pause / resume the live table (changes by others)"),
    bind(&[Code(Enter)], Tab(Ta::Details), "details of cursor user").short("details"),
    bind(&[C('L')], Tab(Ta::Audit), "audit log").short("audit"),
    bind(&[C('A')], Tab(Ta::SignIns), "sign-ins across all accounts: chart, sources of failures, spraying, brute force, locked").short("sign-ins"),
    bind(&[C('I')], Tab(Ta::Import), "import new accounts from a CSV file (a plan first; passwords to a new 0600 file)").short("import"),
    bind(&[C('E')], Tab(Ta::Export), "export what the table shows to a .csv, .jsonl or .json file").short("export"),
    bind(&[C('z')], Tab(Ta::Undo), "undo your last change (reverts it; asks first)").short("undo"),
    bind(&[C('c')], Tab(Ta::Command), "your last change as a subcommand, to copy").short("command"),
    bind(&[C('y')], Tab(Ta::CopyEmail), "send the cursor's email to the terminal's clipboard (OSC 52)"),
    bind(&[C(':')], Tab(Ta::CommandLine), "a command in the subcommands' words: set-role contributor, deactivate, revert 1a2b3c4d, sort created, … (Tab completes)").short("command line"),
    bind(&[C('m')], Tab(Ta::Messages), "message history (the last 50, in full)").short("messages"),
    bind(&[C('?')], Tab(Ta::Help), "this help").short("help"),
    bind(&[C('q'), Ctrl('c')], Tab(Ta::Quit), "quit").short("quit"),

    bind(&[Code(Enter)], Filt(Fi::Keep), "keep the filter").short("keep filter"),
    bind(&[Code(Esc)], Filt(Fi::Clear), "cancel the edit (the filter as it was)").short("cancel edit"),
    bind(&[Ctrl('u')], Filt(Fi::Empty), "empty the field").short("empty"),
    bind(&[Code(Up)], Filt(Fi::Older), "the filter kept before (this session's history)").short("history"),
    bind(&[Code(Down)], Filt(Fi::Newer), "the next newer filter, then back to what you typed"),
    bind(&[Code(TabKey)], Filt(Fi::Complete), "the command line (:): complete the word").short("complete"),

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
    bind(&[Code(Enter)], Pick(Pi::Submit), "choose").short("choose"),
    bind(&[Code(Esc), C('n')], Pick(Pi::Cancel), "cancel").short("cancel"),

    bind(&[C('y'), C('Y')], Conf(Cf::Yes), "yes, do it"),
    bind(&[C('n'), Code(Esc)], Conf(Cf::Cancel), "no, cancel"),
    bind(&[Code(Enter)], Conf(Cf::Submit), "delete several users: type their number, then Enter"),
    bind(&[C('a')], Conf(Cf::Alternative), "blocked delete: deactivate them instead"),
    bind(&[C('r')], Conf(Cf::DeleteRest), "blocked delete of several: delete only those not held (asks again)"),
    bind(&[Code(KeyCode::Tab)], Conf(Cf::LeaveOutAdmins), "a change of several with admins or superusers among them: leave those out (asks again)"),

    bind(&[C('c')], Cp(CopyAction::Copy), "send to the terminal's clipboard (OSC 52)").short("copy (OSC 52)"),
    bind(&[Code(Enter)], Cp(CopyAction::Close), "close; a generated password is then gone").short("close"),

    bind(&[Code(TabKey)], Det(De::NextSession), "select the next session"),
    bind(&[Code(BackTab)], Det(De::PrevSession), "select the previous session"),
    bind(&[C('x')], Det(De::RevokeSession), "revoke the selected session (asks first)"),

    bind(&[C('/')], Aud(Au::Filter), "filter (actor: action: since: …); Enter applies"),
    bind(&[Code(Enter)], Aud(Au::Open), "open the selected change, then an entry; Esc: back"),
    bind(&[C('z')], Aud(Au::Revert), "revert the selected change (asks first)"),

    bind(&[C('1')], Sig(Si::Span(Sp::Hour)), "the last hour").short("1h"),
    bind(&[C('2')], Sig(Si::Span(Sp::Day)), "the last 24 hours").short("24h"),
    bind(&[C('3')], Sig(Si::Span(Sp::Week)), "the last 7 days").short("7d"),
    bind(&[C('4')], Sig(Si::Span(Sp::Month)), "the last 30 days").short("30d"),
    bind(&[Code(TabKey)], Sig(Si::NextSection), "the next list (sources, accounts, locked)").short("list"),
    bind(&[Code(BackTab)], Sig(Si::PrevSection), "the previous list"),
    bind(&[C(' ')], Sig(Si::Mark), "mark the row's accounts on the table (a source: every account it failed on)").short("mark"),
    bind(&[Code(Enter)], Sig(Si::Details), "details of the selected account").short("details"),
    bind(&[C('u')], Sig(Si::Act(Ta::Unlock)), "unlock the marked (or selected) accounts, as on the table"),
    bind(&[C('a')], Sig(Si::Act(Ta::ToggleActive)), "deactivate the marked (or selected) accounts"),
    bind(&[C('x')], Sig(Si::Act(Ta::Revoke)), "revoke their sessions"),
    bind(&[C('p')], Sig(Si::Act(Ta::Password)), "reset the selected account's password"),
    bind(&[C('r')], Sig(Si::Reload), "read the sign-ins again"),

    bind(&[C('1')], Srt(SortAction::By(SortKey::Email)), "by email"),
    bind(&[C('2')], Srt(SortAction::By(SortKey::Role)), "by role"),
    bind(&[C('3')], Srt(SortAction::By(SortKey::Status)), "by status"),
    bind(&[C('4')], Srt(SortAction::By(SortKey::Sessions)), "by active sessions"),
    bind(&[C('5')], Srt(SortAction::By(SortKey::LastLogin)), "by last login"),
    bind(&[C('6')], Srt(SortAction::By(SortKey::Created)), "by creation"),
    bind(&[C('s')], Srt(SortAction::Next), "the next column (as s alone did)"),
    bind(&[Code(Esc)], Srt(SortAction::Cancel), "keep the order as it is"),

    bind(&[C('j'), Code(Down)], Scr(Sc::Down), "scroll down").short("down"),
    bind(&[C('k'), Code(Up)], Scr(Sc::Up), "scroll up").short("up"),
    bind(&[Code(PageDown), Ctrl('d'), C(' ')], Scr(Sc::PageDown), "page down").short("page"),
    bind(&[Code(PageUp), Ctrl('u')], Scr(Sc::PageUp), "page up"),
    bind(&[C('g'), Code(Home)], Scr(Sc::Top), "top"),
    bind(&[C('G'), Code(End)], Scr(Sc::Bottom), "bottom"),
    bind(&[Code(Esc), C('q')], Scr(Sc::Close), "close").short("close"),
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

pub fn sort(ev: &KeyEvent) -> Option<SortAction> {
    if let Some(KeyAction::Sort(a)) = lookup(Context::Sort, ev) { Some(a) } else { None }
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

pub fn copy(ev: &KeyEvent) -> Option<CopyAction> {
    if let Some(KeyAction::Copy(a)) = lookup(Context::Copy, ev) { Some(a) } else { None }
}

/// The scroll keys of every viewer (help and messages have no others).
pub fn scroll(ev: &KeyEvent) -> Option<ScrollAction> {
    if let Some(KeyAction::Scroll(a)) = lookup(Context::Scroll, ev) { Some(a) } else { None }
}

pub fn details(ev: &KeyEvent) -> Option<InViewer<DetailsAction>> {
    match lookup(Context::Details, ev) {
        Some(KeyAction::Details(a)) => Some(InViewer::Own(a)),
        _ => scroll(ev).map(InViewer::Scroll),
    }
}

pub fn sign_ins(ev: &KeyEvent) -> Option<InViewer<SignInsAction>> {
    match lookup(Context::SignIns, ev) {
        Some(KeyAction::SignIns(a)) => Some(InViewer::Own(a)),
        _ => scroll(ev).map(InViewer::Scroll),
    }
}

pub fn audit(ev: &KeyEvent) -> Option<InViewer<AuditAction>> {
    match lookup(Context::Audit, ev) {
        Some(KeyAction::Audit(a)) => Some(InViewer::Own(a)),
        _ => scroll(ev).map(InViewer::Scroll),
    }
}

/// The footer's word for `action` (empty when it has none).
pub fn short(action: KeyAction) -> &'static str {
    BINDINGS.iter().find(|b| b.action == action).map_or("", |b| b.short)
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
    #[case::viewer_end(Context::Scroll, KeyCode::End, Some(Scr(Sc::Bottom)))]
    #[case::details_tab(Context::Details, KeyCode::Tab, Some(Det(De::NextSession)))]
    #[case::details_x(Context::Details, KeyCode::Char('x'), Some(Det(De::RevokeSession)))]
    #[case::audit_z(Context::Audit, KeyCode::Char('z'), Some(Aud(Au::Revert)))]
    #[case::details_have_no_audit_keys(Context::Details, KeyCode::Char('z'), None)]
    fn keys_resolve_in_their_context(
        #[case] context: Context,
        #[case] code: KeyCode,
        #[case] want: Option<KeyAction>,
    ) {
        assert_eq!(lookup(context, &key(code, KeyModifiers::NONE)), want);
    }

    /// The keys a dialog reads: a viewer's own and the scroll keys together.
    #[test]
    fn no_key_is_bound_twice_where_it_is_read() {
        let read_together = Context::ALL.map(|c| match c {
            Context::Details | Context::Audit => vec![c, Context::Scroll],
            other => vec![other],
        });
        for contexts in read_together {
            let keys: Vec<Key> = BINDINGS
                .iter()
                .filter(|b| contexts.contains(&b.action.context()))
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(k), "{k:?} twice in {contexts:?}");
            }
        }
    }

    #[test]
    fn a_viewer_reads_its_own_keys_then_the_scroll_keys() {
        let k = |c: char| key(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(details(&k('x')), Some(InViewer::Own(De::RevokeSession)));
        assert_eq!(details(&k('j')), Some(InViewer::Scroll(Sc::Down)));
        assert_eq!(audit(&k('/')), Some(InViewer::Own(Au::Filter)));
        assert_eq!(audit(&k('q')), Some(InViewer::Scroll(Sc::Close)));
        assert_eq!(scroll(&k('x')), None, "help has no session to revoke");
    }

    #[test]
    fn hints_join_every_key_of_an_action() {
        assert_eq!(keys_for(Conf(Cf::Cancel)), "n/Esc");
        assert_eq!(keys_for(Tab(Ta::Bottom)), "G/End");
    }
}
