//! The `.env` reader (`config::envfile::EnvFile::parse`): compose's rules, `${VAR}`
//! expansion with its operators and nesting, quotes over several lines, comments.
//!
//! Input: the file's bytes (read as the tool reads a file: invalid UTF-8 replaced). The
//! environment holds `HOME=/home/admin` and an empty `EMPTY`.
//!
//! Asserts: never a panic or a hang (values that double line after line are cut off at
//! 64 KiB); every key is a non-empty run of key characters; every value is at most 64 KiB
//! (or a literal no longer than the file); a bad line's number is a line of the file; and
//! what a writer writes reads back: any text as a double-quoted value with `\`, `"` and `$`
//! escaped, a text without `'` or `\` single-quoted, and a text without white space or `$`
//! (not starting with a quote) unquoted, each as `KEY=...` alone in a file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skriptoteket_admin::config::envfile::{EnvFile, Lookup, MAX_VALUE_BYTES};

fn env(key: &str) -> Option<String> {
    match key {
        "HOME" => Some("/home/admin".into()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

fn double_quoted(v: &str) -> String {
    let mut out = String::from("\"");
    for c in v.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `v` written each way that can hold it reads back as `v`.
fn reads_back(v: &str) {
    if v.len() > MAX_VALUE_BYTES {
        return;
    }
    let mut ways = vec![double_quoted(v)];
    if !v.contains(['\'', '\\']) {
        ways.push(format!("'{v}'"));
    }
    if !v.is_empty() && !v.contains(|c: char| c.is_whitespace() || c == '$') && !v.starts_with(['"', '\'']) {
        ways.push(v.to_string());
    }
    for written in ways {
        let file = format!("ROUND_TRIP={written}\n");
        match EnvFile::parse(&file, &env).get("ROUND_TRIP") {
            Lookup::Value(got) => assert_eq!(got.as_str(), v, "{file:?}"),
            other => panic!("{file:?} reads as {other:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let f = EnvFile::parse(&text, &env);
    let lines = text.matches('\n').count() + 1;
    let keys: Vec<String> = f.keys().map(str::to_string).collect();
    for key in &keys {
        assert!(!key.is_empty(), "an empty key");
        assert!(
            key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']')),
            "{key:?}"
        );
        match f.get(key) {
            Lookup::Value(v) => {
                assert!(v.len() <= MAX_VALUE_BYTES.max(text.len()), "{key}: {} bytes", v.len())
            }
            Lookup::Bad { line, why } => {
                assert!((1..=lines).contains(&line), "{key}: line {line} of {lines}");
                assert!(!why.describe().is_empty());
            }
            Lookup::Missing => panic!("{key} is a key but has no entry"),
        }
    }
    reads_back(&text);
    for key in keys.iter().take(4) {
        if let Lookup::Value(v) = f.get(key) {
            reads_back(&v);
        }
    }
});
