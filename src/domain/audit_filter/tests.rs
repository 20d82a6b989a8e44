use super::*;
use rstest::rstest;
use serde_json::json;
use time::macros::datetime;

fn row(action: &str, actor: &str, target: &str, minutes_ago: i64) -> AuditRow {
    AuditRow {
        id: 1,
        at: datetime!(2026-12-01 12:00 UTC) - time::Duration::minutes(minutes_ago),
        actor_id: Some(Uuid::from_u128(1)),
        actor_email: actor.into(),
        action: action.into(),
        target_id: Some(Uuid::from_u128(2)),
        target_email: Some(target.into()),
        before: Some(json!({"role": "user"})),
        after: Some(json!({"role": "admin"})),
        change_id: Some(Uuid::from_u128(0x1a2b3c4d_0000_0000_0000_000000000000)),
        operator: Some(json!({"os_user": "lena"})),
        reason: Some("Autumn course".into()),
        reverts: None,
    }
}

const NOW: OffsetDateTime = datetime!(2026-12-01 12:00 UTC);

fn shows(filter: &str, r: &AuditRow) -> bool {
    AuditFilter::parse(filter, Some(NOW)).expect("parses").shows(r)
}

#[rstest]
#[case::everything("", true)]
#[case::actor("actor:BOSS", true)]
#[case::actor_other("actor:lena", false)]
#[case::actor_by_id("actor:00000000-0000-0000-0000-000000000001", true)]
#[case::target("target:anna", true)]
#[case::action_exact("action:set_role", true)]
#[case::action_part("action:role", true)]
#[case::action_other("action:delete_user", false)]
#[case::change_prefix("change:1a2b3c4d", true)]
#[case::change_with_dashes("change:1a2b3c4d-0000", true)]
#[case::change_other("change:ffff", false)]
#[case::since_age("since:1h", true)]
#[case::since_age_too_short("since:5min", false)]
#[case::until_date("until:2026-12-02", true)]
#[case::until_time_with_colons("until:2026-12-01T11:00:00Z", false)]
#[case::word_in_reason("autumn", true)]
#[case::word_in_values("admin", true)]
#[case::word_in_operator("lena", true)]
#[case::word_as_change_start("1a2b", true)]
#[case::words_are_anded("autumn spring", false)]
fn a_set_role_entry(#[case] filter: &str, #[case] expected: bool) {
    let r = row("set_role", "boss@x.se", "anna@x.se", 30);
    assert_eq!(shows(filter, &r), expected, "{filter}");
}

#[test]
fn sign_ins_are_hidden_unless_asked_for_or_named() {
    let r = row("sign_in", "boss@x.se", "boss@x.se", 1);
    assert!(!shows("", &r));
    assert!(shows("signins", &r));
    assert!(shows("action:sign", &r));
    let f = AuditFilter::parse("action:sign", None).expect("parses");
    assert_eq!(f.actions, ["sign_in", "sign_in_failed"]);
}

#[rstest]
#[case::unknown_key("actr:boss", "actr: is no filter word (did you mean actor:?)")]
#[case::far_from_any_key("colour:red", "colour: is no filter word; the keys are")]
#[case::empty_value("actor:", "actor: needs a value")]
#[case::unknown_action("action:explode", "action:explode matches no action")]
#[case::bad_change("change:xyz", "change:xyz is not the start of a change id")]
#[case::bad_time("since:yesterday", "since:yesterday:")]
fn bad_words_are_refused_naming_them(#[case] text: &str, #[case] message: &str) {
    let e = AuditFilter::parse(text, Some(NOW)).expect_err("refused").to_string();
    assert!(e.starts_with(message), "{e}");
}

#[test]
fn an_age_needs_the_clock_and_colons_in_free_words_are_no_keys() {
    assert!(AuditFilter::parse("since:7d", None).is_err());
    assert!(AuditFilter::parse("since:2026-11-01", None).is_ok());
    let f = AuditFilter::parse("fe80::1 10.0.0.1:22", None).expect("free words");
    assert_eq!(f.words, ["fe80::1", "10.0.0.1:22"]);
}

#[test]
fn a_whole_change_id_is_one_change() {
    let id = Uuid::from_u128(42);
    let f = AuditFilter::parse(&format!("change:{id}"), None).expect("parses");
    assert_eq!(f.change_id(), Some(id));
    assert_eq!(AuditFilter::parse("change:1a2b3c4d", None).expect("parses").change_id(), None);
}
