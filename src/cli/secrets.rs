//! Where passwords come from in scripts: never argv. The actor's from the environment or a
//! hidden prompt; a new one from stdin, a hidden prompt asked twice, or the generator.

use super::CliError;
use super::args::NewPassword;
use crate::domain::password::{self, PasswordError, Secret, check_policy};
use std::io::{BufRead, IsTerminal};
use zeroize::Zeroizing;

pub const ACTOR_PASSWORD_ENV: &str = "SKRIPTOTEKET_ACTOR_PASSWORD";

/// The acting admin's password: `$SKRIPTOTEKET_ACTOR_PASSWORD`, else a prompt on the terminal.
pub fn actor_password(actor_email: &str) -> Result<Secret, CliError> {
    if let Ok(pw) = std::env::var(ACTOR_PASSWORD_ENV) {
        return Ok(Secret::new(pw));
    }
    rpassword::prompt_password(format!("Password for {actor_email}: ")).map(Secret::new).map_err(|_| {
        CliError::Usage(format!("no actor password: set {ACTOR_PASSWORD_ENV} or run on a terminal"))
    })
}

/// How the new password was obtained; a generated one must be printed once at the end.
pub struct NewSecret {
    pub secret: Secret,
    pub generated: bool,
}

/// Reads or makes the new password of `account` the flags ask for, and checks the policy.
impl NewSecret {
    /// A generated password goes alone on the last line of stdout, once: scripts read it
    /// from there. A typed one is never printed. Best effort: for the output that must
    /// not be lost, see [`NewSecret::line`].
    pub fn print_if_generated(&self) {
        if let Some(line) = self.line() {
            let _ = super::emit_strict(&line);
        }
    }

    /// The generated password's line of output (`None` for a typed one).
    pub fn line(&self) -> Option<zeroize::Zeroizing<String>> {
        self.generated.then(|| zeroize::Zeroizing::new(format!("{}\n", self.secret.expose())))
    }
}

pub fn new_password(opts: &NewPassword, account: &str) -> Result<NewSecret, CliError> {
    let (secret, generated) = if opts.generate_password {
        (password::generate(), true)
    } else if opts.password_stdin {
        (read_stdin_line()?, false)
    } else if std::io::stdin().is_terminal() {
        (prompt_twice(account)?, false)
    } else {
        return Err(CliError::Usage(
            "no new password: use --password-stdin, --generate-password, or run on a terminal".into(),
        ));
    };
    check_policy(&secret).map_err(|e| CliError::Failed(e.to_string()))?;
    Ok(NewSecret { secret, generated })
}

/// The first line of stdin without its line ending; must be UTF-8.
fn read_stdin_line() -> Result<Secret, CliError> {
    let mut buf = Zeroizing::new(Vec::new());
    std::io::stdin()
        .lock()
        .read_until(b'\n', &mut buf)
        .map_err(|e| CliError::Failed(PasswordError::Unreadable(e.to_string()).to_string()))?;
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    let text = std::str::from_utf8(&buf)
        .map_err(|_| CliError::Failed("password on stdin is not valid UTF-8".into()))?;
    if text.is_empty() {
        return Err(CliError::Failed("no password on stdin".into()));
    }
    Ok(Secret::new(text.to_string()))
}

fn prompt_twice(account: &str) -> Result<Secret, CliError> {
    let read = |label: &str| {
        rpassword::prompt_password(label)
            .map(Secret::new)
            .map_err(|e| CliError::Failed(PasswordError::Unreadable(e.to_string()).to_string()))
    };
    let account = crate::domain::sanitize::clean(account);
    let first = read(&format!("New password for {account}: "))?;
    check_policy(&first).map_err(|e| CliError::Failed(e.to_string()))?;
    let second = read(&format!("Repeat the new password for {account}: "))?;
    if first != second {
        return Err(CliError::Failed(PasswordError::Mismatch.to_string()));
    }
    Ok(first)
}
