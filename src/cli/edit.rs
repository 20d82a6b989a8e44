//! `edit`: the flags turned into one `Edit`, refused with a usage line when they say
//! nothing to do, break the web app's rules, or change an email without saying whether
//! the admin vouches for the new address.

use super::CliError;
use super::args::EditArgs;
use crate::domain::Email;
use crate::domain::edit::{self, Edit, EditError};

pub(super) fn from_args(a: &EditArgs) -> Result<Edit, CliError> {
    let usage = |e: EditError| CliError::Usage(e.to_string());
    let email = match &a.new_email {
        None => None,
        Some(raw) => Some(Email::parse(raw).map_err(|e| CliError::Usage(e.to_string()))?),
    };
    if email.is_some() && !a.vouch && !a.unverified {
        return Err(CliError::Usage(
            "--email needs --vouch (you know the address is right: it stays verified) or --unverified \
             (the user must verify it before logging in, as after a change in the web app)"
                .into(),
        ));
    }
    if email.is_none() && (a.vouch || a.unverified) {
        return Err(CliError::Usage("--vouch and --unverified are about a new email: give --email".into()));
    }
    let e = Edit {
        email,
        first_name: a
            .first_name
            .as_deref()
            .map(|v| edit::name("first name", v))
            .transpose()
            .map_err(usage)?,
        last_name: a.last_name.as_deref().map(|v| edit::name("last name", v)).transpose().map_err(usage)?,
        display_name: a.display_name.as_deref().map(edit::display_name).transpose().map_err(usage)?,
        locale: a.locale.as_deref().map(edit::locale).transpose().map_err(usage)?,
        vouch: a.vouch,
        revoke_sessions: a.revoke_sessions,
    };
    if e.is_empty() {
        return Err(usage(EditError::Nothing));
    }
    Ok(e)
}
