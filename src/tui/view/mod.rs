//! Drawing only: every function here reads `&App` and writes to a ratatui `Frame`.
//!
//! `draw` picks the screen; the table, the forms and the dialogs each have a file. Every
//! string that comes from the database passes through `domain::sanitize::clean` (see
//! `text::safe`) before it reaches the buffer, and a last pass over the buffer replaces
//! anything unsafe that slipped through.

mod dialog;
mod forms;
mod help;
pub use help::max_scroll as help_max_scroll;
mod login;
pub mod palette;
mod table;
pub mod text;
mod viewers;
mod widgets;

use super::model::{App, MIN_HEIGHT, MIN_WIDTH, Screen};
use crate::domain::sanitize::{REPLACEMENT, is_unsafe};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn draw(frame: &mut Frame, app: &App) {
    let p = palette::current();
    let area = frame.area();
    if app.too_small() || area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, p);
    } else {
        match &app.screen {
            Screen::Connecting { message } => login::connecting(frame, area, app, message, p),
            Screen::Login(form) => login::login(frame, area, app, form, p),
            Screen::Bootstrap(form) => login::bootstrap(frame, area, app, form, p),
            Screen::Users => {
                table::draw(frame, area, app, p);
                if let Some(dialog) = &app.dialog {
                    dialog::draw(frame, area, app, dialog, p);
                }
            }
        }
    }
    scrub(frame);
}

fn too_small(frame: &mut Frame, area: Rect, p: palette::Palette) {
    let lines = vec![
        Line::from(Span::styled(
            format!("terminal too small: need at least {MIN_WIDTH}x{MIN_HEIGHT}"),
            p.warn(),
        )),
        Line::from(format!("now {}x{}; make the window larger (Ctrl-c quits)", area.width, area.height)),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

/// Defence in depth: whatever a view forgot to clean never reaches the terminal.
fn scrub(frame: &mut Frame) {
    for cell in frame.buffer_mut().content.iter_mut() {
        if cell.symbol().chars().any(is_unsafe) {
            let mut buf = [0u8; 4];
            cell.set_symbol(REPLACEMENT.encode_utf8(&mut buf));
        }
    }
}
