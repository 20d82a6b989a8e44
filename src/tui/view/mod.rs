//! Drawing only: every function here reads `&App` and writes to a ratatui `Frame`.
//!
//! `draw` picks the screen; the table, the forms and the dialogs each have a file. Every
//! string that comes from the database passes through `domain::sanitize::clean` (see
//! `text::safe`) before it reaches the buffer, and a last pass over the buffer replaces
//! anything unsafe that slipped through.

mod audit;
mod dialog;
mod export;
mod forms;
mod help;
mod import;
mod login;
pub mod palette;
mod sign_ins;
mod table;
pub mod text;
mod viewers;
mod widgets;

use super::event::Measured;
use super::model::{App, MIN_HEIGHT, MIN_WIDTH, Screen};
use crate::domain::sanitize::{REPLACEMENT, is_unsafe};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Draws the whole screen and returns what it measured, for `Event::Drawn`.
pub fn draw(frame: &mut Frame, app: &App) -> Measured {
    let p = palette::current();
    let area = frame.area();
    let mut measured = Measured::default();
    if app.too_small() || area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, p);
    } else {
        match &app.screen {
            Screen::Connecting { message } => login::connecting(frame, area, app, message, p),
            Screen::Login(form) => login::login(frame, area, app, form, p),
            Screen::Migrate(m) => login::migrate(frame, area, app, m, p),
            Screen::Bootstrap(form) => login::bootstrap(frame, area, app, form, p),
            Screen::Users => {
                let table = table::draw(frame, area, app, p);
                if let Some(dialog) = &app.dialog {
                    let note = app.live.underneath();
                    measured = widgets::with_bottom_note(note, || dialog::draw(frame, area, app, dialog, p));
                }
                measured.table = table;
            }
        }
    }
    scrub(frame);
    measured
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

/// Defence in depth: whatever a view forgot to clean never reaches the terminal. On a
/// terminal that shows ASCII only ([`palette::ascii`]) every other character is drawn as
/// its nearest ASCII look-alike (borders as `+-|`), or `?`.
fn scrub(frame: &mut Frame) {
    let ascii = palette::ascii();
    let cells = &mut frame.buffer_mut().content;
    let mut i = 0;
    while i < cells.len() {
        if cells[i].symbol().chars().any(is_unsafe) {
            let mut buf = [0u8; 4];
            cells[i].set_symbol(REPLACEMENT.encode_utf8(&mut buf));
        }
        if ascii && !cells[i].symbol().is_ascii() {
            let wide = unicode_width::UnicodeWidthStr::width(cells[i].symbol()) > 1;
            let first = cells[i].symbol().chars().next().unwrap_or('?');
            cells[i].set_char(ascii_for(first));
            // A wide character's second column is drawn too now.
            if wide && i + 1 < cells.len() {
                cells[i + 1].set_char('?');
                i += 1;
            }
        }
        i += 1;
    }
}

/// The ASCII look-alike of a character the views draw.
pub fn ascii_for(c: char) -> char {
    match c {
        '─' | '━' | '═' | '╌' | '┄' => '-',
        '│' | '┃' | '║' | '╎' | '┆' => '|',
        '\u{2500}'..='\u{257F}' => '+',
        '…' => '~',
        '▸' | '▶' | '►' | '→' | '›' => '>',
        '◂' | '◀' | '←' | '‹' => '<',
        '▲' | '↑' => '^',
        '▼' | '↓' => 'v',
        '●' | '•' | '◆' | '★' => '*',
        '✓' | '✔' => '+',
        '✗' | '✘' | '×' => 'x',
        '·' => '.',
        '\u{2800}'..='\u{28FF}' => '*',
        _ => '?',
    }
}
