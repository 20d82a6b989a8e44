//! Reading an import file: a CSV whose header names `email` and `role`, and any of
//! `first_name`, `last_name`, `display_name`. Each line becomes an account to create or a
//! reason why not; whether the email exists already is the store's to say.

use super::permissions::{self, ActorView};
use super::{Change, Email, Role};

/// The longest name the web app's `user_profiles` columns take.
pub const MAX_NAME_CHARS: usize = 100;

/// One account to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub email: Email,
    pub role: Role,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
}

/// One data line of the file (line numbers count the header as line 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportLine {
    pub line: usize,
    /// The email as written (for the report).
    pub email: String,
    pub outcome: Result<NewAccount, String>,
}

/// Parses the whole file; a file whose header lacks `email` or `role`, or names a column
/// this tool does not know, is refused as a whole.
pub fn parse(text: &str, actor: ActorView) -> Result<Vec<ImportLine>, String> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(false).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the header line cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    const KNOWN: [&str; 5] = ["email", "role", "first_name", "last_name", "display_name"];
    if let Some(unknown) = header.iter().find(|h| !KNOWN.contains(&h.as_str())) {
        return Err(format!("the header names {unknown:?}; the columns are {}", KNOWN.join(", ")));
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(email_col), Some(role_col)) = (col("email"), col("role")) else {
        return Err("the header line must name the columns email and role".into());
    };
    let names = [col("first_name"), col("last_name"), col("display_name")];
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let field = |c: usize| record.get(c).unwrap_or("").to_string();
        let raw = field(email_col);
        let outcome = (|| {
            let email = Email::parse(&raw).map_err(|e| e.to_string())?;
            let role: Role = field(role_col).parse().map_err(|e: super::role::UnknownRole| e.to_string())?;
            if !seen.insert(email.as_str().to_string()) {
                return Err("the same email is on an earlier line".to_string());
            }
            permissions::check(actor, &Change::Create { email: email.clone(), role }, None)
                .map_err(|e| e.to_string())?;
            let name = |c: Option<usize>| -> Result<Option<String>, String> {
                let Some(v) = c.map(&field).filter(|v| !v.is_empty()) else { return Ok(None) };
                if v.chars().count() > MAX_NAME_CHARS {
                    return Err(format!("a name is longer than {MAX_NAME_CHARS} characters"));
                }
                if v.chars().any(super::sanitize::is_unsafe) {
                    return Err("a name holds a control or invisible character".into());
                }
                Ok(Some(v))
            };
            Ok(NewAccount {
                email,
                role,
                first_name: name(names[0])?,
                last_name: name(names[1])?,
                display_name: name(names[2])?,
            })
        })();
        out.push(ImportLine { line, email: raw, outcome });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn admin() -> ActorView {
        ActorView { id: Uuid::nil(), role: Role::Admin }
    }

    #[test]
    fn lines_become_accounts_or_reasons() {
        let text = "Email, Role ,first_name\nAnna@X.se,user,Anna\nbad-email,user,\nb@x.se,boss,\nc@x.se,admin,\nanna@x.se,user,\n";
        let lines = parse(text, admin()).expect("parsed");
        assert_eq!(lines.len(), 5);
        let a = lines[0].outcome.as_ref().expect("anna");
        assert_eq!(
            (a.email.as_str(), a.role, a.first_name.as_deref()),
            ("anna@x.se", Role::User, Some("Anna"))
        );
        assert!(lines[1].outcome.is_err());
        assert!(lines[2].outcome.as_ref().is_err_and(|e| e.contains("boss")), "{:?}", lines[2]);
        assert!(
            lines[3].outcome.as_ref().is_err_and(|e| e.contains("permissions")),
            "an admin imports no admins"
        );
        assert!(lines[4].outcome.as_ref().is_err_and(|e| e.contains("earlier line")));
        assert_eq!(lines[4].line, 6);
        assert!(parse("mail,role\n", admin()).is_err());
        assert!(parse("email\n", admin()).is_err());
    }
}
