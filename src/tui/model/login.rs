//! The screens before the table: signing in, creating the first superuser of a database
//! that has none, and (before that) creating this tool's audit log where it is missing.

use super::fields::Field;
use super::secret_input::SecretInput;
use tui_input::Input;

/// The fields of the log-in form, in tab order.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum LoginField {
    #[default]
    Email,
    Password,
}

impl Field for LoginField {
    const ORDER: &'static [Self] = &[LoginField::Email, LoginField::Password];
}

#[derive(Debug, Default, Clone)]
pub struct LoginForm {
    pub email: Input,
    pub password: SecretInput,
    pub focus: LoginField,
    pub error: Option<String>,
    /// A sign-in is running; keys wait.
    pub busy: bool,
}

/// The fields of the first-superuser form, in tab order.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum BootstrapField {
    #[default]
    Email,
    Password,
    Confirm,
}

impl Field for BootstrapField {
    const ORDER: &'static [Self] =
        &[BootstrapField::Email, BootstrapField::Password, BootstrapField::Confirm];
}

/// First-superuser form, shown when the database has none.
#[derive(Debug, Default, Clone)]
pub struct BootstrapForm {
    pub email: Input,
    pub password: SecretInput,
    pub confirm: SecretInput,
    pub focus: BootstrapField,
    pub error: Option<String>,
    pub busy: bool,
}

/// Shown instead of the first-superuser form on a database without this tool's audit log
/// (or with one older than this tool): the superuser could not be created there, so the
/// console offers the migration first rather than asking for a form it would refuse.
#[derive(Debug, Default, Clone)]
pub struct MigrateScreen {
    /// The migration is running; keys wait.
    pub busy: bool,
    /// Why the last attempt failed.
    pub error: Option<String>,
}
