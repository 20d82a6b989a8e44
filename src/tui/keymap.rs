//! Every key binding of the console, in one table. The help overlay is generated from it,
//! and every handler in `app` looks keys up here, so the two cannot disagree.

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

/// What a key does.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Act {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Filter,
    Mark,
    MarkAll,
    ClearMarks,
    New,
    Role,
    Password,
    Delete,
    Revoke,
    ToggleActive,
    Unlock,
    Sort,
    SortReverse,
    Reload,
    Details,
    Audit,
    Help,
    Quit,
    // filter
    KeepFilter,
    ClearFilter,
    EmptyField,
    // forms and dialogs
    NextField,
    PrevField,
    Submit,
    Cancel,
    Toggle,
    Yes,
    PickRole(u8),
    Copy,
    /// What a blocked delete offers instead: deactivation.
    Alternative,
}

/// A key as written in the table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
}

pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub act: Act,
    pub help: &'static str,
}

use Key::{Char as C, Code, Ctrl};

pub const BINDINGS: &[Binding] = &[
    Binding {
        context: Context::Table,
        keys: &[C('j'), Code(KeyCode::Down)],
        act: Act::Down,
        help: "move down",
    },
    Binding { context: Context::Table, keys: &[C('k'), Code(KeyCode::Up)], act: Act::Up, help: "move up" },
    Binding {
        context: Context::Table,
        keys: &[C('g'), Code(KeyCode::Home)],
        act: Act::Top,
        help: "first row",
    },
    Binding {
        context: Context::Table,
        keys: &[C('G'), Code(KeyCode::End)],
        act: Act::Bottom,
        help: "last row",
    },
    Binding {
        context: Context::Table,
        keys: &[Code(KeyCode::PageDown), Ctrl('d')],
        act: Act::PageDown,
        help: "page down",
    },
    Binding {
        context: Context::Table,
        keys: &[Code(KeyCode::PageUp), Ctrl('u')],
        act: Act::PageUp,
        help: "page up",
    },
    Binding {
        context: Context::Table,
        keys: &[C('/')],
        act: Act::Filter,
        help: "filter: text, role:NAME, status:active|inactive|locked",
    },
    Binding {
        context: Context::Table,
        keys: &[C(' ')],
        act: Act::Mark,
        help: "mark / unmark row, move down",
    },
    Binding {
        context: Context::Table,
        keys: &[C('*')],
        act: Act::MarkAll,
        help: "mark every row the filter shows",
    },
    Binding {
        context: Context::Table,
        keys: &[Code(KeyCode::Esc)],
        act: Act::ClearMarks,
        help: "clear marks (and filter)",
    },
    Binding { context: Context::Table, keys: &[C('n')], act: Act::New, help: "new user" },
    Binding {
        context: Context::Table,
        keys: &[C('r')],
        act: Act::Role,
        help: "change role of marked (or cursor) users",
    },
    Binding {
        context: Context::Table,
        keys: &[C('p')],
        act: Act::Password,
        help: "reset password of cursor user",
    },
    Binding {
        context: Context::Table,
        keys: &[C('d'), Code(KeyCode::Delete)],
        act: Act::Delete,
        help: "delete marked (or cursor) users",
    },
    Binding {
        context: Context::Table,
        keys: &[C('x')],
        act: Act::Revoke,
        help: "revoke all sessions of marked (or cursor) users",
    },
    Binding {
        context: Context::Table,
        keys: &[C('a')],
        act: Act::ToggleActive,
        help: "deactivate / reactivate",
    },
    Binding { context: Context::Table, keys: &[C('u')], act: Act::Unlock, help: "unlock a locked account" },
    Binding { context: Context::Table, keys: &[C('s')], act: Act::Sort, help: "sort by next column" },
    Binding { context: Context::Table, keys: &[C('S')], act: Act::SortReverse, help: "reverse sort order" },
    Binding {
        context: Context::Table,
        keys: &[Ctrl('r')],
        act: Act::Reload,
        help: "reload from the database",
    },
    Binding {
        context: Context::Table,
        keys: &[Code(KeyCode::Enter)],
        act: Act::Details,
        help: "details of cursor user",
    },
    Binding { context: Context::Table, keys: &[C('L')], act: Act::Audit, help: "audit log" },
    Binding { context: Context::Table, keys: &[C('?')], act: Act::Help, help: "this help" },
    Binding { context: Context::Table, keys: &[C('q'), Ctrl('c')], act: Act::Quit, help: "quit" },
    Binding {
        context: Context::Filter,
        keys: &[Code(KeyCode::Enter)],
        act: Act::KeepFilter,
        help: "keep the filter",
    },
    Binding {
        context: Context::Filter,
        keys: &[Code(KeyCode::Esc)],
        act: Act::ClearFilter,
        help: "clear the filter",
    },
    Binding { context: Context::Filter, keys: &[Ctrl('u')], act: Act::EmptyField, help: "empty the field" },
    Binding {
        context: Context::Form,
        keys: &[Code(KeyCode::Tab), Code(KeyCode::Down)],
        act: Act::NextField,
        help: "next field",
    },
    Binding {
        context: Context::Form,
        keys: &[Code(KeyCode::BackTab), Code(KeyCode::Up)],
        act: Act::PrevField,
        help: "previous field",
    },
    Binding { context: Context::Form, keys: &[Code(KeyCode::Enter)], act: Act::Submit, help: "submit" },
    Binding {
        context: Context::Form,
        keys: &[C(' ')],
        act: Act::Toggle,
        help: "toggle the option under the cursor (role: 1-4)",
    },
    Binding { context: Context::Form, keys: &[Ctrl('u')], act: Act::EmptyField, help: "empty the field" },
    Binding {
        context: Context::Form,
        keys: &[Code(KeyCode::Esc)],
        act: Act::Cancel,
        help: "cancel (Ctrl-c quits)",
    },
    Binding { context: Context::RolePicker, keys: &[C('1')], act: Act::PickRole(0), help: "user" },
    Binding { context: Context::RolePicker, keys: &[C('2')], act: Act::PickRole(1), help: "contributor" },
    Binding { context: Context::RolePicker, keys: &[C('3')], act: Act::PickRole(2), help: "admin" },
    Binding { context: Context::RolePicker, keys: &[C('4')], act: Act::PickRole(3), help: "superuser" },
    Binding {
        context: Context::RolePicker,
        keys: &[C('j'), Code(KeyCode::Down)],
        act: Act::Down,
        help: "next role",
    },
    Binding {
        context: Context::RolePicker,
        keys: &[C('k'), Code(KeyCode::Up)],
        act: Act::Up,
        help: "previous role",
    },
    Binding { context: Context::RolePicker, keys: &[Code(KeyCode::Enter)], act: Act::Submit, help: "choose" },
    Binding {
        context: Context::RolePicker,
        keys: &[Code(KeyCode::Esc), C('n')],
        act: Act::Cancel,
        help: "cancel",
    },
    Binding { context: Context::Confirm, keys: &[C('y'), C('Y')], act: Act::Yes, help: "yes, do it" },
    Binding {
        context: Context::Confirm,
        keys: &[C('n'), Code(KeyCode::Esc)],
        act: Act::Cancel,
        help: "no, cancel",
    },
    Binding {
        context: Context::Confirm,
        keys: &[Code(KeyCode::Enter)],
        act: Act::Submit,
        help: "delete several users: type their number, then Enter",
    },
    Binding {
        context: Context::Confirm,
        keys: &[C('a')],
        act: Act::Alternative,
        help: "blocked delete: deactivate them instead",
    },
    Binding {
        context: Context::Password,
        keys: &[C('c')],
        act: Act::Copy,
        help: "copy to your clipboard (OSC 52, works over SSH)",
    },
    Binding {
        context: Context::Password,
        keys: &[Code(KeyCode::Enter), Code(KeyCode::Esc)],
        act: Act::Cancel,
        help: "close (the password is then gone)",
    },
    Binding {
        context: Context::Viewer,
        keys: &[C('j'), Code(KeyCode::Down)],
        act: Act::Down,
        help: "scroll down",
    },
    Binding { context: Context::Viewer, keys: &[C('k'), Code(KeyCode::Up)], act: Act::Up, help: "scroll up" },
    Binding {
        context: Context::Viewer,
        keys: &[Code(KeyCode::PageDown), Ctrl('d')],
        act: Act::PageDown,
        help: "page down",
    },
    Binding {
        context: Context::Viewer,
        keys: &[Code(KeyCode::PageUp), Ctrl('u')],
        act: Act::PageUp,
        help: "page up",
    },
    Binding { context: Context::Viewer, keys: &[C('/')], act: Act::Filter, help: "filter (audit log)" },
    Binding {
        context: Context::Viewer,
        keys: &[Code(KeyCode::Esc), C('q')],
        act: Act::Cancel,
        help: "close",
    },
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
pub fn lookup(context: Context, ev: &KeyEvent) -> Option<Act> {
    BINDINGS.iter().find(|b| b.context == context && b.keys.iter().any(|k| k.matches(ev))).map(|b| b.act)
}

/// "j/↓" style label of every key bound to `act` in `context` (for footers).
pub fn keys_for(context: Context, act: Act) -> String {
    BINDINGS
        .iter()
        .filter(|b| b.context == context && b.act == act)
        .flat_map(|b| b.keys.iter().map(|k| k.label()))
        .collect::<Vec<_>>()
        .join("/")
}

/// The contexts in the order the help overlay lists them.
pub const CONTEXTS: [Context; 7] = [
    Context::Table,
    Context::Filter,
    Context::Form,
    Context::RolePicker,
    Context::Confirm,
    Context::Password,
    Context::Viewer,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn the_fixed_table_keys_resolve() {
        let none = KeyModifiers::NONE;
        assert_eq!(lookup(Context::Table, &key(KeyCode::Char('j'), none)), Some(Act::Down));
        assert_eq!(lookup(Context::Table, &key(KeyCode::Down, none)), Some(Act::Down));
        assert_eq!(lookup(Context::Table, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Act::Bottom));
        assert_eq!(
            lookup(Context::Table, &key(KeyCode::Char('u'), KeyModifiers::CONTROL)),
            Some(Act::PageUp)
        );
        assert_eq!(lookup(Context::Table, &key(KeyCode::Char('u'), none)), Some(Act::Unlock));
        assert_eq!(
            lookup(Context::Table, &key(KeyCode::Char('r'), KeyModifiers::CONTROL)),
            Some(Act::Reload)
        );
        assert_eq!(lookup(Context::Table, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Act::Quit));
        assert_eq!(lookup(Context::Table, &key(KeyCode::Delete, none)), Some(Act::Delete));
        assert_eq!(lookup(Context::Table, &key(KeyCode::Char('z'), none)), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for ctx in CONTEXTS {
            let keys: Vec<Key> =
                BINDINGS.iter().filter(|b| b.context == ctx).flat_map(|b| b.keys.iter().copied()).collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(k), "{k:?} twice in {ctx:?}");
            }
        }
    }
}
