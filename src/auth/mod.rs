//! Password hashing compatible with the web app.
pub mod hasher;
