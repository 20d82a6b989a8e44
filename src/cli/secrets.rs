//! Where passwords come from in scripts: never argv. The actor's from a private file, a
//! systemd credential, the environment or a hidden prompt; a new one from stdin, a hidden
//! prompt asked twice, or the generator.

use super::CliError;
use super::args::{ActorArg, NewPassword};
use crate::domain::password::{self, PasswordError, Secret, check_policy};
use std::io::{BufRead, IsTerminal};
use zeroize::Zeroizing;

pub const ACTOR_PASSWORD_ENV: &str = "SKRIPTOTEKET_ACTOR_PASSWORD";
/// The name of the systemd credential (`LoadCredential=skriptoteket-actor-password:PATH`)
/// that holds the acting admin's password; systemd puts it in `$CREDENTIALS_DIRECTORY`.
pub const ACTOR_CREDENTIAL: &str = "skriptoteket-actor-password";
/// The longest password file read (a password is far shorter; a wrong file is refused).
const MAX_PASSWORD_FILE: u64 = 4096;

/// The acting admin's password: `--actor-password-file`, else the systemd credential,
/// else `$SKRIPTOTEKET_ACTOR_PASSWORD`, else a prompt on the terminal.
pub fn actor_password(actor: &ActorArg) -> Result<Secret, CliError> {
    if let Some(path) = &actor.actor_password_file {
        return read_password_file(path, true);
    }
    if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
        let path = std::path::Path::new(&dir).join(ACTOR_CREDENTIAL);
        // systemd made the folder and the file readable by this service alone.
        if path.exists() {
            return read_password_file(&path, false);
        }
    }
    if let Ok(pw) = std::env::var(ACTOR_PASSWORD_ENV) {
        return Ok(Secret::new(pw));
    }
    rpassword::prompt_password(format!("Password for {}: ", actor.actor_email)).map(Secret::new).map_err(
        |_| {
            CliError::Usage(format!(
                "no actor password: use --actor-password-file, a systemd credential {ACTOR_CREDENTIAL}, \
             {ACTOR_PASSWORD_ENV}, or run on a terminal"
            ))
        },
    )
}

/// The first line of the file at `path`, without its line ending. `private`: refused unless
/// it is the caller's own regular file (not a link to one) that nobody else can read.
fn read_password_file(path: &std::path::Path, private: bool) -> Result<Secret, CliError> {
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;
    let refuse = |why: String| CliError::Usage(format!("{}: {why}", path.display()));
    let (file, meta) = super::import::open_regular(path).map_err(refuse)?;
    if private {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(refuse("is not owned by you: a password file must be your own".into()));
        }
        if meta.mode() & 0o077 != 0 {
            return Err(refuse(format!(
                "is readable by others (mode {:04o}): `chmod 600` it first",
                meta.mode() & 0o7777
            )));
        }
    }
    // Read into memory allocated once and wiped on drop: a growing Vec would leave copies.
    let mut buf = Zeroizing::new(vec![0u8; MAX_PASSWORD_FILE as usize + 1]);
    let mut len = 0;
    let mut file = file;
    while len < buf.len() {
        match file.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(k) => len += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(refuse(format!("cannot be read: {}", e.kind()))),
        }
    }
    if len as u64 > MAX_PASSWORD_FILE {
        return Err(refuse("is too long to be a password file".into()));
    }
    let read = &buf[..len];
    let end = read.iter().position(|&b| b == b'\n').unwrap_or(len);
    let mut line = &read[..end];
    if let Some(stripped) = line.strip_suffix(b"\r") {
        line = stripped;
    }
    let text = std::str::from_utf8(line).map_err(|_| refuse("does not hold UTF-8 text".into()))?;
    if text.is_empty() {
        return Err(refuse("holds no password on its first line".into()));
    }
    Ok(Secret::new(text.to_string()))
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
