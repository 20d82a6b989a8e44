//! Password hashing compatible with the web app.
pub mod bulk;
pub mod hasher;
