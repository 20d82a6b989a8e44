//! Drawing only: every function here reads `&App` and writes to a ratatui `Frame`.

use super::app::App;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, app: &App) {
    let _ = (frame, app);
}
