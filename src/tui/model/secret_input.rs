//! A password field: typed characters go into a zeroizing buffer and are drawn as dots.

use crate::domain::Secret;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::Zeroizing;

#[derive(Default, Clone)]
pub struct SecretInput(Zeroizing<String>);

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretInput({} chars)", self.len())
    }
}

impl SecretInput {
    /// Edits the field; returns false for keys it does not use.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => self.0.clear(),
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                if self.len() < crate::domain::password::MAX_PASSWORD_CHARS {
                    self.0.push(c)
                }
            }
            KeyCode::Backspace => {
                self.0.pop();
            }
            _ => return false,
        }
        true
    }

    /// Appends pasted text (one line, already cleaned); false, and nothing added, when the
    /// result would be longer than a password may be.
    pub fn paste(&mut self, text: &str) -> bool {
        if self.len() + text.chars().count() > crate::domain::password::MAX_PASSWORD_CHARS {
            return false;
        }
        self.0.push_str(text);
        true
    }

    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What the screen shows: one dot per character.
    pub fn masked(&self) -> String {
        "•".repeat(self.len())
    }

    pub fn secret(&self) -> Secret {
        Secret::new(self.0.as_str().to_string())
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_masks_and_erases() {
        let mut s = SecretInput::default();
        for c in "hemligt1".chars() {
            s.handle(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(s.masked(), "••••••••");
        assert_eq!(s.secret().expose(), "hemligt1");
        assert!(!format!("{s:?}").contains("hemligt"));
        s.handle(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(s.len(), 7);
        s.handle(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert!(s.is_empty());
    }
}
