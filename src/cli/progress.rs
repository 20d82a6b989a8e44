//! Progress on stderr for long work, drawn only when stderr is a terminal (indicatif):
//! nothing at all in a pipe, a log or cron.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// From how many accounts a change shows that it is working.
pub const LONG: usize = 2_000;

/// Whether a change of `accounts` shows a spinner.
pub fn is_long(accounts: usize) -> bool {
    accounts >= LONG
}

fn on_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// A bar of `len` steps with the rate and the time left.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    if !on_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{msg} {pos}/{len} [{bar:30}] {per_sec}, {eta} left")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
        .with_style(style)
        .with_message(what.to_string())
}

/// A spinner with `what` and the time it has taken, for work of no known length (one
/// transaction, a read of every account); drawn at once, then ten times a second.
pub fn spinner(what: String) -> ProgressBar {
    if !on_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let s = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        .with_style(style)
        .with_message(what);
    s.tick();
    s.enable_steady_tick(Duration::from_millis(100));
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_long_changes_spin() {
        assert!(!super::is_long(super::LONG - 1));
        assert!(super::is_long(super::LONG));
    }
}
