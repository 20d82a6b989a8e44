use super::*;
use rstest::rstest;

fn env_of<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
}

fn value(text: &str, env: &[(&str, &str)], key: &str) -> Lookup {
    EnvFile::parse(text, &env_of(env)).get(key)
}

fn is(v: &str) -> Lookup {
    Lookup::Value(Zeroizing::new(v.to_string()))
}

/// Docker compose's reading of each line. Where python-dotenv (the web app's alembic
/// `env.py`) reads it otherwise, the case says so: the database URL that production uses is
/// built by compose, so compose's rules decide.
#[rstest]
#[case::earlier_line("A=1\nB=${A}", &[], "B", "1")]
#[case::from_environment("B=${A}", &[("A", "x")], "B", "x")]
#[case::environment_wins_over_the_file("A=file\nB=${A}", &[("A", "env")], "B", "env")]
#[case::default_when_unset("B=${A:-def}", &[], "B", "def")]
// python-dotenv: "" (its :- only replaces an unset variable).
#[case::colon_default_when_empty("A=\nB=${A:-def}", &[], "B", "def")]
#[case::dash_default_only_when_unset("A=\nB=${A-def}", &[], "B", "")]
#[case::alternative_when_set("A=1\nB=${A:+yes}", &[], "B", "yes")]
#[case::alternative_when_unset("B=${A:+yes}", &[], "B", "")]
#[case::double_quotes("A=\"x y\"", &[], "A", "x y")]
// python-dotenv: "1" (it expands inside single quotes too).
#[case::single_quotes_are_literal("A='${B}'", &[("B", "1")], "A", "${B}")]
#[case::double_quotes_expand("A=\"${B}\"", &[("B", "1")], "A", "1")]
#[case::export_prefix("export A=1", &[], "A", "1")]
#[case::yaml_style("A: 1", &[], "A", "1")]
#[case::spaces_around_the_sign("A = 1", &[], "A", "1")]
#[case::inline_comment("A=abc #c", &[], "A", "abc")]
#[case::hash_inside_a_value("A=abc#c", &[], "A", "abc#c")]
#[case::comment_after_quotes("A=\"1\" # comment", &[], "A", "1")]
#[case::quotes_span_lines("A=\"multi\nline\"\nB=2", &[], "A", "multi\nline")]
#[case::after_a_multiline_value("A=\"multi\nline\"\nB=2", &[], "B", "2")]
#[case::escaped_quote("A=\"a\\\"b\"", &[], "A", "a\"b")]
#[case::newline_escape("A=\"a\\nb\"", &[], "A", "a\nb")]
#[case::unset_is_empty("A=x ${UNSET} y", &[], "A", "x  y")]
// python-dotenv: "${C}" (no nesting).
#[case::nested_default("A=${B:-${C}}", &[("C", "1")], "A", "1")]
#[case::later_line_wins("A=1\nA=2", &[], "A", "2")]
// python-dotenv: "$A" (it expands only the braced form).
#[case::unbraced("A=1\nB=$A", &[], "B", "1")]
#[case::dollar_dollar_is_a_dollar("A=pa$$word", &[], "A", "pa$word")]
#[case::escaped_dollar_in_double_quotes("A=\"pa\\$word\"", &[], "A", "pa$word")]
#[case::bare_key_inherits("A", &[("A", "1")], "A", "1")]
#[case::byte_order_mark("\u{feff}A=1", &[], "A", "1")]
#[case::crlf("A=1\r\nB=2\r\n", &[], "A", "1")]
#[case::comment_lines("# A=0\n  # B=0\nA=1", &[], "A", "1")]
#[case::production_layout(
    "SKRIPTOTEKET_DB_PASSWORD=s3cret\nDATABASE_URL=postgresql+asyncpg://skriptoteket:${SKRIPTOTEKET_DB_PASSWORD}@shared-postgres:5432/skriptoteket",
    &[],
    "DATABASE_URL",
    "postgresql+asyncpg://skriptoteket:s3cret@shared-postgres:5432/skriptoteket"
)]
fn reads_like_compose(
    #[case] text: &str,
    #[case] env: &[(&str, &str)],
    #[case] key: &str,
    #[case] expected: &str,
) {
    assert_eq!(value(text, env, key), is(expected), "{text:?}");
}

#[rstest]
#[case::unterminated_quote("A=\"abc\nB=2", "A", 1, EntryError::Unterminated)]
#[case::required_and_unset("X=1\nA=${B:?needed}", "A", 2, EntryError::Required)]
#[case::lone_dollar("A=a$ b", "A", 1, EntryError::BadTemplate)]
#[case::brace_never_closed("A=${B", "A", 1, EntryError::BadTemplate)]
#[case::uses_a_bad_line("P=\"open\nA=${P}", "A", 2, EntryError::UsesBadLine)]
fn a_bad_line_says_which(
    #[case] text: &str,
    #[case] key: &str,
    #[case] line: usize,
    #[case] why: EntryError,
) {
    assert_eq!(value(text, &[], key), Lookup::Bad { line, why });
}

#[test]
fn a_bad_line_spoils_only_itself() {
    let f = EnvFile::parse("A=\"open\nBROKEN LINE x\nB=2\nC!=3\nD=4", &|_| None);
    assert_eq!(f.get("B"), is("2"));
    assert_eq!(f.get("D"), is("4"));
    assert_eq!(f.get("C"), Lookup::Missing);
    assert_eq!(f.keys().collect::<Vec<_>>(), ["A", "B", "D"]);
}

#[test]
fn nothing_of_the_file_is_in_an_error() {
    let f = EnvFile::parse("DATABASE_URL=\"postgres://u:pw-secret@h/db\nOTHER=1", &|_| None);
    let Lookup::Bad { line, why } = f.get("DATABASE_URL") else { panic!("a bad line") };
    let text = format!("line {line}: {}", why.describe());
    assert!(!text.contains("pw-secret"), "{text}");
}

/// Found by the fuzzer (fuzz/fuzz_targets/envfile.rs): each `A=${A}${A}` line doubles the
/// value, so 4 KB of them took minutes and all memory. A value past 64 KiB is a bad line
/// (its own and those that use it); the file reads at once.
#[test]
fn a_value_that_doubles_line_after_line_is_cut_off() {
    let text = format!("A=x\n{}B=${{A}}\nC=short $$A\n", "A=${A}${A}\n".repeat(4000));
    let started = std::time::Instant::now();
    let f = EnvFile::parse(&text, &|_| None);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(matches!(
        f.get("A"),
        Lookup::Bad { why: EntryError::TooLong, .. } | Lookup::Bad { why: EntryError::UsesBadLine, .. }
    ));
    assert!(matches!(f.get("B"), Lookup::Bad { why: EntryError::UsesBadLine, .. }));
    assert_eq!(f.get("C"), is("short $A"));
    assert_eq!(
        value(&format!("L={}", "y".repeat(MAX_VALUE_BYTES)), &[], "L"),
        is(&"y".repeat(MAX_VALUE_BYTES))
    );
    assert!(matches!(
        value(&format!("L={}", "y".repeat(MAX_VALUE_BYTES + 1)), &[], "L"),
        Lookup::Bad { why: EntryError::TooLong, .. }
    ));
}
