//! Editing an account: its email and its profile (first, last and display name, locale),
//! by the web app's own rules (its ChangeEmailHandler and UpdateProfileHandler):
//! - names are trimmed; a first or last name given must not be empty; a display name given
//!   empty clears it; each at most 100 characters;
//! - the locale is `sv-SE` or `en-US`, exactly;
//! - a new email is normalised and validated like any other, must differ from the current
//!   one and be nobody else's (the store checks that, case twins included).
//!
//! Stricter than the web app: control, bidi and default-ignorable characters are refused in
//! names as they are in emails, since every name is drawn on admins' terminals.

use super::Email;
use super::sanitize::is_unsafe;
use serde_json::{Map, Value, json};

/// The longest name (`user_profiles.*_name`, varchar(100)), in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The locales the web app accepts.
pub const LOCALES: [&str; 2] = ["sv-SE", "en-US"];
/// The locale of a profile row made for an account that has none (the column's default).
pub const DEFAULT_LOCALE: &str = "sv-SE";

/// What an edit sets; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edit {
    pub email: Option<Email>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `Some(None)` clears the display name.
    pub display_name: Option<Option<String>>,
    pub locale: Option<String>,
    /// With a new email: the admin vouches for the address, so it stays verified (else it
    /// is unverified, as the web app leaves a changed email).
    pub vouch: bool,
    /// End the account's sessions too.
    pub revoke_sessions: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the {0} cannot be empty")]
    Empty(&'static str),
    #[error("the {0} is longer than {MAX_NAME_CHARS} characters")]
    TooLong(&'static str),
    #[error("the {0} holds a control or invisible character")]
    Unsafe(&'static str),
    #[error("'{0}' is not a locale the web app supports (sv-SE or en-US)")]
    Locale(String),
    #[error("nothing to edit: give at least one of the email, first name, last name, display name, locale")]
    Nothing,
    #[error("{0} is already the account's email")]
    SameEmail(String),
    /// Another account has the address, or one that differs from it only in case.
    #[error("{email} is already registered: {other} has it")]
    Taken { email: String, other: String },
    #[error("{0} signs in through an external provider, which owns its email: it cannot be changed here")]
    External(String),
}

/// A first or last name as the web app takes it: trimmed, not empty, at most 100 characters.
pub fn name(field: &'static str, raw: &str) -> Result<String, EditError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(EditError::Empty(field));
    }
    checked(field, v).map(str::to_string)
}

/// A display name: trimmed; empty clears it.
pub fn display_name(raw: &str) -> Result<Option<String>, EditError> {
    let v = raw.trim();
    if v.is_empty() { Ok(None) } else { checked("display name", v).map(|v| Some(v.to_string())) }
}

fn checked<'a>(field: &'static str, v: &'a str) -> Result<&'a str, EditError> {
    if v.chars().count() > MAX_NAME_CHARS {
        return Err(EditError::TooLong(field));
    }
    if v.chars().any(is_unsafe) {
        return Err(EditError::Unsafe(field));
    }
    Ok(v)
}

/// One of [`LOCALES`], exactly as written (the web app compares exactly).
pub fn locale(raw: &str) -> Result<String, EditError> {
    let v = raw.trim();
    if LOCALES.contains(&v) {
        Ok(v.to_string())
    } else {
        Err(EditError::Locale(super::sanitize::clean(v).into_owned()))
    }
}

/// The values of one account an edit can change, as they are: the users row's email and
/// verified flag, and its profile row (`None` names when there is no row, or they are NULL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editable {
    pub email: String,
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub locale: String,
    /// The account has a profile row (else the edit makes one).
    pub has_profile: bool,
}

/// Field values to write, by field; what an edit sets and what a revert puts back. Keyed
/// by column: `email`, `email_verified`, `first_name`, `last_name`, `display_name`,
/// `locale`; a name's value is a string or null.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields(pub Map<String, Value>);

/// The columns an edit knows, in the order they are shown.
pub const FIELDS: [&str; 6] =
    ["email", "email_verified", "first_name", "last_name", "display_name", "locale"];

impl Editable {
    /// The current value of `field` (null for an unknown field).
    pub fn get(&self, field: &str) -> Value {
        match field {
            "email" => json!(self.email),
            "email_verified" => json!(self.email_verified),
            "first_name" => json!(self.first_name),
            "last_name" => json!(self.last_name),
            "display_name" => json!(self.display_name),
            "locale" => json!(self.locale),
            _ => Value::Null,
        }
    }

    /// These values with `fields` written over them.
    pub fn with(&self, fields: &Fields) -> Editable {
        let mut e = self.clone();
        for (k, v) in &fields.0 {
            let text = v.as_str().map(str::to_string);
            match k.as_str() {
                "email" => e.email = text.unwrap_or_default(),
                "email_verified" => e.email_verified = v.as_bool().unwrap_or(e.email_verified),
                "first_name" => e.first_name = text,
                "last_name" => e.last_name = text,
                "display_name" => e.display_name = text,
                "locale" => e.locale = text.unwrap_or_else(|| DEFAULT_LOCALE.to_string()),
                _ => {}
            }
        }
        e
    }

    /// The same fields as `fields`, with the values they have now: an audit row's "before".
    pub fn pick(&self, fields: &Fields) -> Fields {
        Fields(fields.0.keys().map(|k| (k.clone(), self.get(k))).collect())
    }

    /// Whether every field of `fields` has that value now (a revert's check).
    pub fn holds(&self, fields: &Fields) -> bool {
        fields.0.iter().all(|(k, v)| self.get(k) == *v)
    }
}

impl Edit {
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.first_name.is_none()
            && self.last_name.is_none()
            && self.display_name.is_none()
            && self.locale.is_none()
    }

    /// What the edit writes over `now`: only the fields whose value it changes. A new email
    /// also sets the verified flag (kept when the admin vouches, else false).
    pub fn fields(&self, now: &Editable) -> Fields {
        let mut out = Map::new();
        let mut set = |k: &str, v: Value| {
            if now.get(k) != v {
                out.insert(k.to_string(), v);
            }
        };
        if let Some(e) = &self.email {
            set("email", json!(e.as_str()));
            if e.as_str() != now.email {
                set("email_verified", json!(self.vouch));
            }
        }
        if let Some(v) = &self.first_name {
            set("first_name", json!(v));
        }
        if let Some(v) = &self.last_name {
            set("last_name", json!(v));
        }
        if let Some(v) = &self.display_name {
            set("display_name", json!(v));
        }
        if let Some(v) = &self.locale {
            set("locale", json!(v));
        }
        Fields(out)
    }

    /// The subcommand's arguments after `edit EMAIL`.
    pub fn cli_args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(e) = &self.email {
            a.extend(["--email".to_string(), e.to_string()]);
            a.push(if self.vouch { "--vouch" } else { "--unverified" }.to_string());
        }
        let display = self.display_name.as_ref().map(|d| d.clone().unwrap_or_default());
        for (flag, v) in [
            ("--first-name", &self.first_name),
            ("--last-name", &self.last_name),
            ("--display-name", &display),
            ("--locale", &self.locale),
        ] {
            if let Some(v) = v {
                a.extend([flag.to_string(), v.clone()]);
            }
        }
        if self.revoke_sessions {
            a.push("--revoke-sessions".to_string());
        }
        a
    }
}

impl Fields {
    /// An audit row's values, when they are an edit's (every key one of [`FIELDS`]).
    pub fn from_values(v: &Value) -> Option<Fields> {
        let m = v.as_object()?;
        let known: Map<String, Value> = m
            .iter()
            .filter(|(k, _)| FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (!known.is_empty()).then_some(Fields(known))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A changed email, if these fields set one.
    pub fn email(&self) -> Option<&str> {
        self.0.get("email").and_then(Value::as_str)
    }

    /// Whether a users-row column is among them (else only the profile changes).
    pub fn touches_user(&self) -> bool {
        self.0.contains_key("email") || self.0.contains_key("email_verified")
    }

    pub fn touches_profile(&self) -> bool {
        ["first_name", "last_name", "display_name", "locale"].iter().any(|k| self.0.contains_key(*k))
    }

    /// "first name Anna → Anne", one line per field, `before` as it was.
    pub fn lines(&self, before: &Editable) -> Vec<String> {
        FIELDS
            .iter()
            .filter_map(|k| {
                let after = self.0.get(*k)?;
                Some(format!("  {:<14} {} → {}", label(k), shown(&before.get(k)), shown(after)))
            })
            .collect()
    }
}

/// How a field is named to the admin.
pub fn label(field: &str) -> &str {
    match field {
        "email_verified" => "email verified",
        "first_name" => "first name",
        "last_name" => "last name",
        "display_name" => "display name",
        other => other,
    }
}

/// A value as the admin reads it.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "(none)".to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anna() -> Editable {
        Editable {
            email: "anna.bergg@skola.se".into(),
            email_verified: true,
            first_name: Some("Anna".into()),
            last_name: Some("Bergg".into()),
            display_name: None,
            locale: "sv-SE".into(),
            has_profile: true,
        }
    }

    #[test]
    fn names_follow_the_web_apps_rules_and_refuse_what_fools_a_terminal() {
        assert_eq!(name("first name", "  Anna "), Ok("Anna".into()));
        assert_eq!(name("first name", "   "), Err(EditError::Empty("first name")));
        assert_eq!(name("last name", &"x".repeat(100)), Ok("x".repeat(100)));
        assert_eq!(name("last name", &"x".repeat(101)), Err(EditError::TooLong("last name")));
        // Characters, not bytes: 100 å are allowed.
        assert!(name("last name", &"å".repeat(100)).is_ok());
        assert_eq!(name("first name", "An\u{202e}na"), Err(EditError::Unsafe("first name")));
        assert_eq!(display_name(" "), Ok(None), "an empty display name clears it");
        assert_eq!(display_name(" Anna B "), Ok(Some("Anna B".into())));
        assert_eq!(locale("en-US"), Ok("en-US".into()));
        assert!(matches!(locale("en-us"), Err(EditError::Locale(_))), "exactly as the web app compares");
        assert!(matches!(locale("fi-FI"), Err(EditError::Locale(_))));
    }

    #[test]
    fn an_edit_writes_only_what_it_changes_and_a_new_email_sets_verified() {
        let edit = Edit {
            email: Some(Email::parse("Anna.Berg@skola.se").expect("email")),
            first_name: Some("Anna".into()),
            last_name: Some("Berg".into()),
            ..Edit::default()
        };
        let f = edit.fields(&anna());
        assert_eq!(
            f.0,
            json!({"email": "anna.berg@skola.se", "email_verified": false, "last_name": "Berg"})
                .as_object()
                .cloned()
                .expect("object")
        );
        let vouched = Edit { vouch: true, ..edit.clone() }.fields(&anna());
        assert!(!vouched.0.contains_key("email_verified"), "verified, and it stays so: nothing to write");
        let before = anna().pick(&f);
        assert_eq!(before.0.get("email"), Some(&json!("anna.bergg@skola.se")));
        let after = anna().with(&f);
        assert!(after.holds(&f) && !anna().holds(&f));
        assert!(after.with(&before) == anna(), "the before values put everything back");
        assert_eq!(
            f.lines(&anna()),
            [
                "  email          anna.bergg@skola.se → anna.berg@skola.se",
                "  email verified yes → no",
                "  last name      Bergg → Berg",
            ]
        );
    }

    #[test]
    fn fields_read_back_from_an_audit_row_and_other_rows_are_not_edits() {
        let v = json!({"first_name": "Anna", "display_name": null});
        let f = Fields::from_values(&v).expect("an edit's values");
        assert!(f.touches_profile() && !f.touches_user());
        assert!(Fields::from_values(&json!({"role": "admin"})).is_none());
    }
}
