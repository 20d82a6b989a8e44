//! Rules of the web app that hold everywhere: no I/O in this module.

pub mod account;
pub mod audit;
pub mod audit_filter;
pub mod change;
pub mod edit;
pub mod email;
pub mod exclude;
pub mod filter;
pub mod import;
pub mod import_update;
pub mod password;
pub mod permissions;
pub mod plan;
pub mod profile;
pub mod references;
pub mod revert;
pub mod role;
pub mod roster;
pub mod sanitize;
pub mod sign_ins;
pub mod stamp;
pub mod when;

pub use account::{Status, UserRow};
pub use change::{Applied, Change, Done};
pub use email::{Email, EmailError};
pub use password::{PasswordError, Secret};
pub use permissions::Denied;
pub use plan::{Plan, PlanItem};
pub use role::Role;
pub use stamp::{Reason, ReasonError, Stamp};
