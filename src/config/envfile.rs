//! A deployment's `.env`, read by docker compose's rules: the same values compose puts into
//! the compose file's `${VAR}`, so the tool finds the database the way the deployment does.
//!
//! - `KEY=value`, `export KEY=value`, `KEY: value`; `#` starts a comment at the start of a
//!   statement, and ` #` ends an unquoted value; a bare `KEY` takes `$KEY` from the
//!   environment.
//! - Unquoted and double-quoted values expand `$VAR`, `${VAR}`, `${VAR:-default}`,
//!   `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?}`, `${VAR?}` (nested in defaults
//!   too) and `$$` (a literal `$`). Single-quoted values are literal. Double quotes know the
//!   escapes `\n \r \t \" \\ \$`; quoted values may span lines.
//! - A variable is looked up in the process environment first, then in the lines above
//!   (the environment wins, as in compose); an unset variable is empty.
//!
//! The file holds the web app's secrets: values are kept in zeroizing strings, a line that
//! cannot be read only matters when its key is asked for, and no error quotes a line.

use zeroize::Zeroizing;

/// Why a statement could not be read. Never holds any of the file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryError {
    /// A quote opened and never closed.
    Unterminated,
    /// A character that cannot be in a key (the statement is skipped).
    BadKey,
    /// A `$` that starts nothing (`$` before a space, say) or a `${` never closed.
    BadTemplate,
    /// `${VAR:?}` or `${VAR?}` with the variable unset (or empty, for `:?`).
    Required,
    /// The value uses a variable whose own line cannot be read.
    UsesBadLine,
    /// The value expands to more than [`MAX_VALUE_BYTES`] (`B=${A}${A}` on line after line
    /// doubles a value each time).
    TooLong,
}

/// The longest value a statement may expand to: far above any setting of a deployment, far
/// below what a file of `X=${X}${X}` lines would grow to (2^lines bytes).
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

impl EntryError {
    pub fn describe(self) -> &'static str {
        match self {
            EntryError::Unterminated => "a quote not closed",
            EntryError::BadKey => "not a KEY=value line",
            EntryError::BadTemplate => "a $ that starts no ${VAR} (write $$ for a literal $)",
            EntryError::Required => "a ${VAR:?} whose variable is not set",
            EntryError::UsesBadLine => "it uses a variable whose line cannot be read",
            EntryError::TooLong => "its value expands to more than 64 KiB",
        }
    }
}

/// One statement of the file.
struct Entry {
    key: String,
    /// The 1-based line the statement starts on.
    line: usize,
    value: Result<Zeroizing<String>, EntryError>,
}

/// A parsed env file: every statement in order.
pub struct EnvFile {
    entries: Vec<Entry>,
}

/// A key's value, or why its (last) line cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Missing,
    Value(Zeroizing<String>),
    Bad { line: usize, why: EntryError },
}

impl EnvFile {
    /// Parses `text`, looking variables up with `env` (the process environment, in use).
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> EnvFile {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut p = Parser { rest: text, line: 1, entries: Vec::new() };
        p.run(env);
        EnvFile { entries: p.entries }
    }

    /// Reads and parses a file with the process environment.
    pub fn read(path: &std::path::Path) -> std::io::Result<EnvFile> {
        let bytes = Zeroizing::new(std::fs::read(path)?);
        // Bytes that are not UTF-8 only spoil the statements they are in.
        let text = Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned());
        Ok(EnvFile::parse(&text, &|k| std::env::var(k).ok()))
    }

    /// The last definition of `key` (a later line wins, as in a shell).
    pub fn get(&self, key: &str) -> Lookup {
        match self.entries.iter().rev().find(|e| e.key == key) {
            None => Lookup::Missing,
            Some(Entry { value: Ok(v), .. }) => Lookup::Value(v.clone()),
            Some(Entry { value: Err(why), line, .. }) => Lookup::Bad { line: *line, why: *why },
        }
    }

    /// Every key the file defines (for the check of unknown settings), in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }
}

struct Parser<'a> {
    rest: &'a str,
    line: usize,
    entries: Vec<Entry>,
}

impl<'a> Parser<'a> {
    fn run(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        loop {
            self.skip_blank_and_comments();
            if self.rest.is_empty() {
                return;
            }
            let line = self.line;
            match self.statement(env) {
                Some((key, value)) => self.entries.push(Entry { key, line, value }),
                None => self.skip_line(),
            }
        }
    }

    fn skip_blank_and_comments(&mut self) {
        loop {
            let trimmed = self.rest.trim_start_matches(|c: char| c.is_whitespace());
            self.line += self.rest[..self.rest.len() - trimmed.len()].matches('\n').count();
            self.rest = trimmed;
            if self.rest.starts_with('#') {
                self.skip_line();
            } else {
                return;
            }
        }
    }

    /// Moves past the end of the current line.
    fn skip_line(&mut self) {
        match self.rest.find('\n') {
            Some(i) => {
                self.rest = &self.rest[i + 1..];
                self.line += 1;
            }
            None => self.rest = "",
        }
    }

    /// One statement; `None` when not even a key can be read (the line is skipped).
    fn statement(
        &mut self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<(String, Result<Zeroizing<String>, EntryError>)> {
        if let Some(after) = self.rest.strip_prefix("export")
            && after.starts_with([' ', '\t'])
        {
            self.rest = after.trim_start_matches([' ', '\t']);
        }
        let end = self.rest.find(['=', ':', '\n']).unwrap_or(self.rest.len());
        let key = self.rest[..end].trim_end_matches(is_space);
        if key.is_empty() || !key.chars().all(is_key_char) {
            return None;
        }
        let key = key.to_string();
        if !self.rest[end..].starts_with(['=', ':']) {
            // A bare KEY: inherited from the environment, as compose does.
            self.skip_line();
            return Some((key.clone(), Ok(Zeroizing::new(env(&key).unwrap_or_default()))));
        }
        self.rest = self.rest[end + 1..].trim_start_matches(is_space);
        let value = match self.rest.chars().next() {
            Some(q @ ('"' | '\'')) => match self.quoted(q) {
                Ok(raw) if q == '"' => self.expand(&unescape(&raw), env),
                Ok(raw) => Ok(raw),
                Err(e) => {
                    // Never closed: only this line is lost, the next one is read as usual.
                    self.skip_line();
                    Err(e)
                }
            },
            _ => {
                let end = self.rest.find('\n').unwrap_or(self.rest.len());
                let raw = &self.rest[..end];
                let raw = raw.find(" #").map_or(raw, |i| &raw[..i]).trim_end();
                let v = self.expand(raw, env);
                self.skip_line();
                v
            }
        };
        Some((key, value))
    }

    /// A quoted value (the quotes gone, `\<quote>` unescaped, other escapes kept for
    /// [`unescape`]); the rest of its closing line is skipped.
    fn quoted(&mut self, quote: char) -> Result<Zeroizing<String>, EntryError> {
        let mut out = Zeroizing::new(String::new());
        let mut escaped = false;
        for (i, c) in self.rest.char_indices().skip(1) {
            if escaped {
                escaped = false;
                if c != quote {
                    out.push('\\');
                }
                out.push(c);
                continue;
            }
            match c {
                '\\' => escaped = true,
                c if c == quote => {
                    self.line += self.rest[..i].matches('\n').count();
                    // What follows the closing quote on its line (a comment) is skipped.
                    self.rest = &self.rest[i + 1..];
                    self.skip_line();
                    return Ok(out);
                }
                c => out.push(c),
            }
        }
        Err(EntryError::Unterminated)
    }

    /// Expands variables by compose's rules: the environment first, then the lines above.
    fn expand(
        &self,
        raw: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Zeroizing<String>, EntryError> {
        let lookup = |name: &str| -> Result<Option<Zeroizing<String>>, EntryError> {
            if let Some(v) = env(name) {
                return Ok(Some(Zeroizing::new(v)));
            }
            match self.entries.iter().rev().find(|e| e.key == name) {
                None => Ok(None),
                Some(Entry { value: Ok(v), .. }) => Ok(Some(v.clone())),
                Some(Entry { value: Err(_), .. }) => Err(EntryError::UsesBadLine),
            }
        };
        substitute(raw, &lookup)
    }
}

type VarLookup<'l> = dyn Fn(&str) -> Result<Option<Zeroizing<String>>, EntryError> + 'l;

/// `$VAR`, `${VAR...}` and `$$` in `raw`, by compose's template rules.
pub(crate) fn substitute(raw: &str, lookup: &VarLookup) -> Result<Zeroizing<String>, EntryError> {
    let mut out = Zeroizing::new(String::with_capacity(raw.len().min(MAX_VALUE_BYTES)));
    let mut rest = raw;
    while let Some(i) = rest.find('$') {
        if out.len() > MAX_VALUE_BYTES {
            return Err(EntryError::TooLong);
        }
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = rest.strip_prefix('{') {
            let close = matching_brace(r).ok_or(EntryError::BadTemplate)?;
            out.push_str(&braced(&r[..close], lookup)?);
            rest = &r[close + 1..];
        } else {
            let n = name_len(rest);
            if n == 0 {
                return Err(EntryError::BadTemplate);
            }
            out.push_str(&lookup(&rest[..n])?.unwrap_or_default());
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    if out.len() > MAX_VALUE_BYTES {
        return Err(EntryError::TooLong);
    }
    Ok(out)
}

/// The body of `${...}`: a name, then nothing or one of the operators.
fn braced(body: &str, lookup: &VarLookup) -> Result<Zeroizing<String>, EntryError> {
    let n = name_len(body);
    if n == 0 {
        return Err(EntryError::BadTemplate);
    }
    let (name, op) = body.split_at(n);
    let value = lookup(name)?;
    let set = value.is_some();
    let nonempty = value.as_ref().is_some_and(|v| !v.is_empty());
    let arg = |prefix: &str| op.strip_prefix(prefix);
    let pick = |use_value: bool, other: &str| -> Result<Zeroizing<String>, EntryError> {
        if use_value { Ok(value.clone().unwrap_or_default()) } else { substitute(other, lookup) }
    };
    if op.is_empty() {
        Ok(value.unwrap_or_default())
    } else if let Some(d) = arg(":-") {
        pick(nonempty, d)
    } else if let Some(d) = arg(":+") {
        if nonempty { substitute(d, lookup) } else { Ok(Zeroizing::new(String::new())) }
    } else if arg(":?").is_some() {
        if nonempty { Ok(value.unwrap_or_default()) } else { Err(EntryError::Required) }
    } else if let Some(d) = arg("-") {
        pick(set, d)
    } else if let Some(d) = arg("+") {
        if set { substitute(d, lookup) } else { Ok(Zeroizing::new(String::new())) }
    } else if arg("?").is_some() {
        if set { Ok(value.unwrap_or_default()) } else { Err(EntryError::Required) }
    } else {
        Err(EntryError::BadTemplate)
    }
}

/// The index of the `}` that closes a `${` whose body starts `s` (nested `${` counted).
fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The length of the variable name at the start of `s`: `[A-Za-z_][A-Za-z0-9_]*`.
fn name_len(s: &str) -> usize {
    let b = s.as_bytes();
    if !b.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
        return 0;
    }
    b.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count()
}

/// Double-quote escapes: `\n`, `\r`, `\t`, `\"`, `\\` and `\$` (kept as `$$`, a literal `$`
/// for [`substitute`]); any other backslash stays.
fn unescape(s: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len()));
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('$') => out.push_str("$$"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Spaces within a line (never the line break).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{a0}')
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']')
}

#[cfg(test)]
mod tests;
