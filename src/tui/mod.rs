//! The interactive console, in the Elm architecture: `model` (the state), `update` (keys
//! and database answers change it, returning `Effect`s), `view` (draws it), the database
//! `worker` task and the `terminal` loop that connects them (and writes files for it,
//! `file_write`). `event` holds the messages,
//! `keymap` every key binding.

pub mod event;
pub mod file_write;
pub mod keymap;
pub mod model;
pub mod terminal;
mod update;
pub mod view;
pub mod worker;

pub use model::{App, Options};
pub use terminal::run;
pub use update::{MAX_FIELD_BYTES, login_refusal};
