//! The interactive console: a pure state machine (`app`), views that draw it (`view`), a
//! database worker task (`worker`) and the terminal loop (`terminal`) that connects them.

mod actions;
pub mod app;
pub mod dialog;
mod dialogs;
pub mod event;
pub mod keymap;
pub mod secret_input;
pub mod terminal;
pub mod user_list;
pub mod view;
pub mod worker;

pub use app::{App, Options};
pub use terminal::{run, run_from_cli};
