//! The `:` command line: the subcommands' own words (`set-role contributor`, `deactivate`,
//! `revert 1a2b3c4d`, ...) typed in the console, acting on the marked rows (or the cursor's)
//! exactly as their keys do: the same confirmation, the same reason step. Tab completes a
//! word; what the words mean is [`parse`], and nothing else reads them.

use crate::domain::Role;
use crate::tui::model::table::SortKey;
use tui_input::Input;

/// The line being typed, and why the last Enter did nothing.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    pub input: Input,
    pub error: Option<String>,
    /// What Tab could still complete to.
    pub choices: Option<String>,
}

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    SetRole(Role),
    Activate,
    Deactivate,
    Unlock,
    VerifyEmail,
    RevokeSessions,
    Delete,
    ResetPassword,
    Edit,
    ProvisionUser,
    /// A change by (the start of) its id, as `audit` and the viewer show it.
    Revert(String),
    Undo,
    Filter(String),
    Sort(SortKey),
    /// The table's columns besides the email (all of them: empty).
    Columns(Vec<SortKey>),
    Audit,
    Export,
    /// The import dialog, with this file named (else empty).
    Import(Option<String>),
    Reload,
    SignIns,
    Help,
    Quit,
}

/// Every command word, with what follows it (for completion and the refusal of a typo).
pub const WORDS: [(&str, &str); 22] = [
    ("set-role", "ROLE"),
    ("activate", ""),
    ("deactivate", ""),
    ("unlock", ""),
    ("verify-email", ""),
    ("revoke-sessions", ""),
    ("delete", ""),
    ("reset-password", ""),
    ("edit", ""),
    ("provision-user", ""),
    ("revert", "CHANGE-ID"),
    ("undo", ""),
    ("filter", "EXPR"),
    ("sort", "COLUMN"),
    ("columns", "COLUMN,COLUMN|all"),
    ("audit", ""),
    ("export", ""),
    ("import", "[FILE]"),
    ("reload", ""),
    ("sign-ins", ""),
    ("help", ""),
    ("quit", ""),
];

const ROLES: [&str; 4] = ["user", "contributor", "admin", "superuser"];
const COLUMNS: [(&str, SortKey); 6] = [
    ("email", SortKey::Email),
    ("role", SortKey::Role),
    ("status", SortKey::Status),
    ("sessions", SortKey::Sessions),
    ("last_login", SortKey::LastLogin),
    ("created", SortKey::Created),
];

/// Reads a command line; `Err` names what is wrong in one line (nothing is done then).
pub fn parse(text: &str) -> Result<Command, String> {
    let text = text.trim().trim_start_matches(':').trim_start();
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    if rest.split_whitespace().any(|w| w.starts_with("--")) {
        return Err(format!(
            "{word}: no flags here: the reason is asked after the confirmation; mark or filter the accounts first"
        ));
    }
    let none = |c: Command| {
        if rest.is_empty() {
            Ok(c)
        } else {
            Err(format!("{word} takes nothing after it (it acts on the marked rows, or the cursor's)"))
        }
    };
    match word {
        "" => Err("type a command: Tab lists them".into()),
        "set-role" => match rest {
            "" => Err(format!("set-role needs a role: {}", ROLES.join(", "))),
            r => r
                .parse::<Role>()
                .map(Command::SetRole)
                .map_err(|_| format!("set-role {r}: no such role; the roles are {}", ROLES.join(", "))),
        },
        "activate" => none(Command::Activate),
        "deactivate" => none(Command::Deactivate),
        "unlock" => none(Command::Unlock),
        "verify-email" => none(Command::VerifyEmail),
        "revoke-sessions" => none(Command::RevokeSessions),
        "delete" => none(Command::Delete),
        "reset-password" => none(Command::ResetPassword),
        "edit" => none(Command::Edit),
        "provision-user" => none(Command::ProvisionUser),
        "undo" => none(Command::Undo),
        "audit" => none(Command::Audit),
        "export" => none(Command::Export),
        "import" => Ok(Command::Import(Some(rest.to_string()).filter(|f| !f.is_empty()))),
        "reload" => none(Command::Reload),
        "sign-ins" => none(Command::SignIns),
        "help" => none(Command::Help),
        "quit" => none(Command::Quit),
        "revert" => {
            let hex: String = rest.chars().filter(|c| *c != '-').collect::<String>().to_lowercase();
            if hex.len() < 8 || hex.len() > 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                Err("revert needs a change id: 8 to 32 hex digits, as the audit log shows them".into())
            } else {
                Ok(Command::Revert(hex))
            }
        }
        "filter" => Ok(Command::Filter(rest.to_string())),
        "columns" => columns(rest).map(Command::Columns),
        "sort" => COLUMNS
            .iter()
            .find(|(name, _)| *name == rest)
            .map(|(_, k)| Command::Sort(*k))
            .ok_or_else(|| format!("sort by what? the columns are {}", names(&COLUMNS.map(|c| c.0)))),
        other => {
            let near: Vec<&str> = WORDS.iter().map(|w| w.0).filter(|w| w.starts_with(other)).collect();
            Err(match near.as_slice() {
                [] => format!("{other}: no such command; Tab lists them"),
                some => format!("{other}: did you mean {}? (Tab completes)", some.join(" or ")),
            })
        }
    }
}

/// `role,last_login` (the email always shows), or `all`.
fn columns(rest: &str) -> Result<Vec<SortKey>, String> {
    let all = || names(&COLUMNS.map(|c| c.0)[1..]);
    if rest == "all" {
        return Ok(Vec::new());
    }
    if rest.is_empty() {
        return Err(format!("columns: which? e.g. columns role,last_login (of {}), or columns all", all()));
    }
    let mut chosen = Vec::new();
    for name in rest.split([',', ' ']).filter(|n| !n.is_empty()) {
        match COLUMNS.iter().find(|(n, _)| *n == name) {
            Some((_, SortKey::Email)) => {}
            Some((_, k)) if !chosen.contains(k) => chosen.push(*k),
            Some(_) => {}
            None => return Err(format!("columns: {name} is no column; they are {}", all())),
        }
    }
    if chosen.is_empty() {
        return Err("columns: the email always shows; name the others, or all".into());
    }
    Ok(chosen)
}

fn names(list: &[&str]) -> String {
    list.join(", ")
}

/// Tab: the text with its last word completed as far as it is unambiguous, and the words
/// it could still become (empty when it is whole).
pub fn complete(text: &str) -> (String, Vec<&'static str>) {
    let (head, last) = match text.rsplit_once(' ') {
        Some((head, last)) => (format!("{head} "), last),
        None => (String::new(), text),
    };
    let first_word = head.split_whitespace().next();
    let choices: Vec<&'static str> = match first_word {
        None => WORDS.iter().map(|w| w.0).collect(),
        Some("set-role") => ROLES.to_vec(),
        Some("sort") => COLUMNS.iter().map(|c| c.0).collect(),
        Some("columns") => return complete_list(&head, last),
        Some(_) => Vec::new(),
    };
    let matching: Vec<&'static str> = choices.into_iter().filter(|c| c.starts_with(last)).collect();
    let completed = match matching.as_slice() {
        [] => return (text.to_string(), Vec::new()),
        [one] => {
            let takes_more = first_word.is_none() && WORDS.iter().any(|w| w.0 == *one && !w.1.is_empty());
            return (format!("{head}{one}{}", if takes_more { " " } else { "" }), Vec::new());
        }
        many => common_prefix(many),
    };
    (format!("{head}{completed}"), matching)
}

/// `columns role,la` + Tab: the part after the last comma completes as a column.
fn complete_list(head: &str, last: &str) -> (String, Vec<&'static str>) {
    let (done, part) = match last.rsplit_once(',') {
        Some((done, part)) => (format!("{done},"), part),
        None => (String::new(), last),
    };
    let matching: Vec<&'static str> =
        COLUMNS.iter().map(|c| c.0).filter(|c| *c != "email" && c.starts_with(part)).collect();
    match matching.as_slice() {
        [] => (format!("{head}{last}"), Vec::new()),
        [one] => (format!("{head}{done}{one}"), Vec::new()),
        many => (format!("{head}{done}{}", common_prefix(many)), matching),
    }
}

fn common_prefix(words: &[&str]) -> String {
    let first = words.first().copied().unwrap_or("");
    let mut end = first.len();
    for w in words {
        end = end.min(first.bytes().zip(w.bytes()).take_while(|(a, b)| a == b).count());
    }
    first.get(..end).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subcommands_words_parse_and_typos_are_named() {
        assert_eq!(parse(":set-role contributor"), Ok(Command::SetRole(Role::Contributor)));
        assert_eq!(parse("deactivate"), Ok(Command::Deactivate));
        assert_eq!(parse("revert 1A2B3C4D"), Ok(Command::Revert("1a2b3c4d".into())));
        assert_eq!(parse("sort last_login"), Ok(Command::Sort(SortKey::LastLogin)));
        assert_eq!(parse("filter role:user lund"), Ok(Command::Filter("role:user lund".into())));
        assert_eq!(
            parse("columns role,last_login"),
            Ok(Command::Columns(vec![SortKey::Role, SortKey::LastLogin]))
        );
        assert_eq!(parse("columns all"), Ok(Command::Columns(vec![])));
        assert!(parse("columns roles").is_err_and(|e| e.contains("roles is no column")));
        assert!(parse("set-role boss").is_err_and(|e| e.contains("the roles are user, contributor")));
        assert!(parse("revert 12").is_err_and(|e| e.contains("8 to 32 hex digits")));
        assert!(parse("de").is_err_and(|e| e.contains("deactivate or delete")), "{:?}", parse("de"));
        assert!(parse("deactivate anna@x.se").is_err_and(|e| e.contains("takes nothing after it")));
        assert!(parse("frobnicate").is_err_and(|e| e.contains("no such command")));
        assert!(parse("set-role contributor --reason x").is_err_and(|e| e.contains("no flags here")));
    }

    #[test]
    fn tab_completes_commands_then_their_values() {
        assert_eq!(complete("set-r"), ("set-role ".to_string(), vec![]));
        assert_eq!(complete("set-role con"), ("set-role contributor".to_string(), vec![]));
        assert_eq!(
            complete("re"),
            ("re".to_string(), vec!["revoke-sessions", "reset-password", "revert", "reload"])
        );
        assert_eq!(complete("rev"), ("rev".to_string(), vec!["revoke-sessions", "revert"]));
        assert_eq!(complete("sort l"), ("sort last_login".to_string(), vec![]));
        assert_eq!(complete("columns role,la"), ("columns role,last_login".to_string(), vec![]));
        assert_eq!(complete("deactivate x"), ("deactivate x".to_string(), vec![]));
        assert_eq!(complete("").1.len(), WORDS.len());
    }
}
