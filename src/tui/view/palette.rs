//! Every style the views use, in one place. Colours are the 16 named ANSI colours only
//! (they follow the admin's terminal theme). With `NO_COLOR` set and non-empty
//! (<https://no-color.org>) no colour is drawn at all: emphasis comes from bold, reversed
//! and underline instead, and every state is also spelled out in text.

use crate::domain::Status;
use ratatui::style::{Color, Modifier, Style};
use std::cell::Cell;
use std::sync::OnceLock;

/// Whether the environment allows colour; read once per process.
fn env_allows_color() -> bool {
    static ALLOWS: OnceLock<bool> = OnceLock::new();
    *ALLOWS.get_or_init(|| std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
}

thread_local! {
    static OVERRIDE: Cell<Option<bool>> = const { Cell::new(None) };
    static ASCII_OVERRIDE: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Whether the terminal can show only ASCII: a locale set to a charset other than UTF-8
/// (`LANG=C`, `en_US.ISO-8859-1`; the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set
/// decides), or a terminal type from before UTF-8 (`vt100`, `vt220`, `ansi`, `dumb`). An
/// unset locale is taken as UTF-8, as terminals of today are. Colours are the 16 ANSI ones
/// in every case, which such terminals have.
pub fn ascii_from(locale: Option<&str>, term: Option<&str>) -> bool {
    let old_term = term.is_some_and(|t| ["vt100", "vt102", "vt220", "ansi", "dumb"].contains(&t));
    let narrow_locale = locale.is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        !(l.contains("utf-8") || l.contains("utf8"))
    });
    old_term || narrow_locale
}

fn env_ascii() -> bool {
    static ASCII: OnceLock<bool> = OnceLock::new();
    *ASCII.get_or_init(|| {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        ascii_from(locale.as_deref(), std::env::var("TERM").ok().as_deref())
    })
}

/// Forces ASCII drawing on or off for this thread (tests), or back to the environment.
pub fn set_ascii_override(ascii: Option<bool>) {
    ASCII_OVERRIDE.with(|o| o.set(ascii));
}

/// Whether to draw ASCII only now.
pub fn ascii() -> bool {
    ASCII_OVERRIDE.with(Cell::get).unwrap_or_else(env_ascii)
}

/// Forces colour on (`Some(true)`) or off (`Some(false)`) for drawing on this thread, or
/// back to what `NO_COLOR` says (`None`). For tests: per thread, so parallel tests that
/// force different modes do not disturb each other.
pub fn set_color_override(color: Option<bool>) {
    OVERRIDE.with(|o| o.set(color));
}

/// The palette to draw with now.
pub fn current() -> Palette {
    Palette { color: OVERRIDE.with(Cell::get).unwrap_or_else(env_allows_color) }
}

/// Styles, with or without colour.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Palette {
    pub color: bool,
}

const BOLD: Modifier = Modifier::BOLD;

impl Palette {
    fn pick(self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    pub fn plain(self) -> Style {
        Style::new()
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(BOLD)
    }

    /// Titles of screens, dialogs and sections.
    pub fn title(self) -> Style {
        self.pick(Style::new().fg(Color::Cyan).add_modifier(BOLD), Style::new().add_modifier(BOLD))
    }

    /// Lines and frames.
    pub fn border(self) -> Style {
        self.pick(Style::new().fg(Color::Blue), Style::new())
    }

    /// Secondary text: hints, labels of values.
    pub fn dim(self) -> Style {
        self.pick(Style::new().fg(Color::Gray), Style::new())
    }

    /// A key name in a footer or the help.
    pub fn key(self) -> Style {
        self.pick(Style::new().fg(Color::Cyan).add_modifier(BOLD), Style::new().add_modifier(BOLD))
    }

    pub fn ok(self) -> Style {
        self.pick(Style::new().fg(Color::Green).add_modifier(BOLD), Style::new().add_modifier(BOLD))
    }

    pub fn error(self) -> Style {
        self.pick(
            Style::new().fg(Color::Red).add_modifier(BOLD),
            Style::new().add_modifier(BOLD | Modifier::UNDERLINED),
        )
    }

    pub fn warn(self) -> Style {
        self.pick(Style::new().fg(Color::Yellow).add_modifier(BOLD), Style::new().add_modifier(BOLD))
    }

    /// The connection-lost banner: impossible to overlook.
    pub fn banner(self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(BOLD),
            Style::new().add_modifier(BOLD | Modifier::REVERSED),
        )
    }

    /// The blocked line of a delete confirmation.
    /// The deployment's name in the header, in the colour the deployment chose
    /// (`SKRIPTOTEKET_ADMIN_COLOR`; bold yellow when it chose none).
    pub fn deployment(self, color: Option<&str>) -> Style {
        let c = match color {
            Some("red") => Color::Red,
            Some("green") => Color::Green,
            Some("blue") => Color::Blue,
            Some("magenta") => Color::Magenta,
            Some("cyan") => Color::Cyan,
            _ => Color::Yellow,
        };
        self.pick(Style::new().fg(c).add_modifier(BOLD), Style::new().add_modifier(BOLD))
    }

    pub fn alarm(self) -> Style {
        self.pick(
            Style::new().fg(Color::White).bg(Color::Red).add_modifier(BOLD),
            Style::new().add_modifier(BOLD | Modifier::REVERSED),
        )
    }

    /// The table row under the cursor.
    pub fn cursor(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A marked row (the mark column also shows a symbol).
    pub fn marked(self) -> Style {
        self.pick(Style::new().fg(Color::Yellow).add_modifier(BOLD), Style::new().add_modifier(BOLD))
    }

    /// A cell another admin, the web app or a user changed moments ago (the live table).
    pub fn changed(self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::LightYellow),
            Style::new().add_modifier(BOLD | Modifier::UNDERLINED),
        )
    }

    /// Column titles of tables.
    pub fn header(self) -> Style {
        self.pick(
            Style::new().fg(Color::Cyan).add_modifier(BOLD),
            Style::new().add_modifier(BOLD | Modifier::UNDERLINED),
        )
    }

    /// The label of the focused form field.
    pub fn focus(self) -> Style {
        self.pick(Style::new().fg(Color::Yellow).add_modifier(BOLD), Style::new().add_modifier(BOLD))
    }

    /// An input field's text area (shows its extent).
    pub fn field(self, focused: bool) -> Style {
        let base = Style::new().add_modifier(Modifier::UNDERLINED);
        if focused { base.add_modifier(BOLD) } else { base }
    }

    /// The chosen option of a choice (role, password mode).
    pub fn chosen(self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(BOLD),
            Style::new().add_modifier(BOLD | Modifier::REVERSED),
        )
    }

    /// A password shown in clear (the one place that happens).
    pub fn secret(self) -> Style {
        self.pick(Style::new().fg(Color::Yellow).add_modifier(BOLD), Style::new().add_modifier(BOLD))
    }

    /// The account status word: active, unverified, locked or inactive.
    pub fn status(self, status: Status) -> Style {
        match status {
            Status::Active => self.pick(Style::new().fg(Color::Green), Style::new()),
            Status::Locked => {
                self.pick(Style::new().fg(Color::Yellow).add_modifier(BOLD), Style::new().add_modifier(BOLD))
            }
            Status::Unverified => {
                self.pick(Style::new().fg(Color::Magenta), Style::new().add_modifier(Modifier::ITALIC))
            }
            Status::Inactive => {
                self.pick(Style::new().fg(Color::Red), Style::new().add_modifier(Modifier::UNDERLINED))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_means_no_colour_anywhere() {
        let p = Palette { color: false };
        let all = [
            p.title(),
            p.border(),
            p.dim(),
            p.key(),
            p.ok(),
            p.error(),
            p.warn(),
            p.banner(),
            p.alarm(),
            p.cursor(),
            p.marked(),
            p.header(),
            p.focus(),
            p.field(true),
            p.chosen(),
            p.secret(),
            p.status(Status::Active),
            p.status(Status::Inactive),
            p.status(Status::Locked),
        ];
        for s in all {
            assert_eq!(s.fg, None, "{s:?}");
            assert_eq!(s.bg, None, "{s:?}");
        }
    }

    #[test]
    fn override_is_per_thread() {
        set_color_override(Some(false));
        assert!(!current().color);
        std::thread::spawn(|| {
            set_color_override(Some(true));
            assert!(current().color);
        })
        .join()
        .expect("the thread ran");
        assert!(!current().color);
        set_color_override(None);
    }
}
