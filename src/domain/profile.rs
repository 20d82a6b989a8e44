//! What an export carries of an account's `user_profiles` row: the names and the language
//! the web app shows, so that a file written by `list` or the console's `E` can be edited
//! in a spreadsheet and read back by `import --update`.

use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One account's profile fields, as the database holds them (`None`: NULL, or no profile
/// row at all).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub locale: Option<String>,
}

/// Profiles by account id. An account without an entry has no profile row (or the
/// database has no `user_profiles` table).
pub type Profiles = HashMap<Uuid, Profile>;
