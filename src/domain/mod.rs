//! Rules of the web app that hold everywhere: no I/O in this module.

pub mod email;
pub mod password;
pub mod permissions;
pub mod role;
pub mod sanitize;

pub use email::{Email, EmailError};
pub use password::{PasswordError, Secret};
pub use permissions::{Action, Denied};
pub use role::Role;
