//! Account lifecycle through the real binary: `deactivate-dormant` for cron.

mod common;

use common::{
    PASSWORD, SessionKind, TestDb, active_sessions, insert_session, insert_user, live_store, scalar_i64,
    snapshot,
};
use skriptoteket_admin::domain::exclude::Exclusions;
use skriptoteket_admin::domain::{Role, UserRow};
use skriptoteket_admin::store::Actor;
use skriptoteket_admin::store::dormant::{Dormancy, Spared, Verdict};
use std::process::{Command, Output, Stdio};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn run(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skriptoteket-admin"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("SKRIPTOTEKET_ACTOR_PASSWORD", PASSWORD)
        .env_remove("SKRIPTOTEKET_ADMIN_REQUIRE_REASON")
        .env_remove("SKRIPTOTEKET_ADMIN_PROTECTED")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Sets when the account last signed in (`None`: never) and when it was created, in days ago.
async fn aged(pool: &sqlx::PgPool, email: &str, last_login_days: Option<i32>, created_days: i32) {
    sqlx::query(
        "UPDATE users SET last_login_at = CASE WHEN $2::int IS NULL THEN NULL ELSE now() - make_interval(days => $2) END,
                          created_at = now() - make_interval(days => $3)
         WHERE email = $1",
    )
    .bind(email)
    .bind(last_login_days)
    .bind(created_days)
    .execute(pool)
    .await
    .expect("age the account");
}

#[tokio::test]
async fn dormant_accounts_are_deactivated_in_one_revertable_change_sparing_admins_and_the_excluded() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    for (email, role, last, created) in [
        ("old@x.se", Role::User, Some(200), 400),
        ("recent@x.se", Role::User, Some(10), 400),
        ("never.old@x.se", Role::Contributor, None, 300),
        ("never.new@x.se", Role::User, None, 1),
        ("admin.old@x.se", Role::Admin, Some(300), 400),
        ("keep@x.se", Role::User, Some(300), 400),
    ] {
        insert_user(&pool, email, role).await;
        aged(&pool, email, last, created).await;
    }
    let old = sqlx::query_scalar::<_, Uuid>("SELECT id FROM users WHERE email = 'old@x.se'")
        .fetch_one(&pool)
        .await
        .expect("id");
    insert_session(&pool, old, SessionKind::Active).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let exclude = dir.path().join("keep.txt");
    std::fs::write(&exclude, "# the caretaker's account\nKEEP@x.se\n\n").expect("write");
    let exclude = exclude.to_string_lossy().into_owned();
    let base =
        ["deactivate-dormant", "--actor-email", "boss@x.se", "--days", "180", "--exclude-file", &exclude];

    let before = snapshot(&pool).await;
    let mut dry = base.to_vec();
    dry.push("--dry-run");
    let o = run(&db, &dry);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).starts_with("dry run: nothing was changed\ndeactivate on 2 accounts"), "{}", out(&o));
    assert_eq!(snapshot(&pool).await, before);

    let o = run(&db, &base);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("old@x.se: deactivated (1 session revoked)"), "{text}");
    assert!(text.contains("never.old@x.se: deactivated"), "{text}");
    let inactive: Vec<String> =
        sqlx::query_scalar("SELECT email::text FROM users WHERE NOT is_active ORDER BY email")
            .fetch_all(&pool)
            .await
            .expect("read");
    assert_eq!(inactive, ["never.old@x.se", "old@x.se"]);
    assert_eq!(active_sessions(&pool, old).await, 0);
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(DISTINCT change_id) FROM skriptoteket_admin.admin_audit_log WHERE action = 'deactivate'"
        )
        .await,
        1
    );
    let id = text
        .lines()
        .find(|l| l.starts_with("change "))
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("id")
        .to_string();

    // Again: nothing dormant is left active.
    let o = run(&db, &base);
    assert!(out(&o).contains("no dormant accounts"), "{}", out(&o));
    // One revert undoes the whole run.
    let o = run(&db, &["revert", "--actor-email", "boss@x.se", &id]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(scalar_i64(&pool, "SELECT count(*) FROM users WHERE NOT is_active").await, 0);
    // Admins only when asked for, as JSON for a machine.
    let mut with_admins = base.to_vec();
    with_admins.extend(["--include-admins", "--format", "json"]);
    let o = run(&db, &with_admins);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let mut emails: Vec<&str> =
        v["accounts"].as_array().expect("accounts").iter().filter_map(|a| a["email"].as_str()).collect();
    emails.sort();
    assert_eq!(emails, ["admin.old@x.se", "never.old@x.se", "old@x.se"]);
    let o = run(&db, &["deactivate-dormant", "--actor-email", "boss@x.se", "--days", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let o = run(
        &db,
        &[
            "deactivate-dormant",
            "--actor-email",
            "boss@x.se",
            "--days",
            "9",
            "--exclude-file",
            "/no/such/file",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "a missing exclude file never means 'exclude nothing': {}", err(&o));
}

/// Issue 23 point 4: an exclude file spares what it lists, whatever made it: a byte order
/// mark, a CSV from `list --format csv` (quoted cells, a header). An entry that is no email
/// refuses the run (exit 1, naming its lines, nothing changed); an email no account has is
/// named; the dry run names each account spared, and why.
#[tokio::test]
async fn an_exclude_file_is_read_as_written_and_its_mistakes_are_named() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    for (email, role) in [
        ("old@x.se", Role::User),
        ("keep.bom@x.se", Role::User),
        ("keep.csv@x.se", Role::Contributor),
        ("admin.old@x.se", Role::Admin),
    ] {
        insert_user(&pool, email, role).await;
        aged(&pool, email, Some(300), 400).await;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = |name: &str, text: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    let dormant = |exclude: &str, extra: &[&str]| {
        let mut args = vec![
            "deactivate-dormant",
            "--actor-email",
            "boss@x.se",
            "--days",
            "180",
            "--exclude-file",
            exclude,
        ];
        args.extend(extra);
        run(&db, &args)
    };

    // A byte order mark before the first email (Notepad writes one).
    let bom = file("bom.txt", "\u{feff}KEEP.bom@x.se\r\n# and nobody else\r\n".as_bytes());
    let o = dormant(&bom, &["--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.starts_with("dry run: nothing was changed\ndeactivate on 2 accounts"), "{text}");
    assert!(text.contains("  keep.bom@x.se: listed in the exclude file (line 1)"), "{text}");
    assert!(text.contains("  admin.old@x.se: admin (spared unless --include-admins)"), "{text}");
    assert!(!text.contains("  keep.csv@x.se: listed"), "{text}");
    let o = dormant(&bom, &["--dry-run", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let spared = v["spared"].as_array().expect("spared");
    assert!(
        spared.iter().any(|s| s["email"] == "keep.bom@x.se" && s["why"] == "excluded" && s["line"] == 1),
        "{v}"
    );

    // What `list --format csv` wrote, as it wrote it.
    let listed = run(&db, &["list", "--search", "keep", "--format", "csv"]);
    assert!(listed.status.success(), "{}", err(&listed));
    let csv = file("keep.csv", &listed.stdout);
    let before = snapshot(&pool).await;
    let o = dormant(&csv, &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).is_empty(), "both match accounts: {}", err(&o));
    let inactive: Vec<String> =
        sqlx::query_scalar("SELECT email::text FROM users WHERE NOT is_active ORDER BY email")
            .fetch_all(&pool)
            .await
            .expect("read");
    assert_eq!(inactive, ["old@x.se"], "the listed accounts spared");
    assert_ne!(snapshot(&pool).await, before);
    let o = run(&db, &["activate", "--actor-email", "boss@x.se", "old@x.se"]);
    assert!(o.status.success(), "{}", err(&o));

    // Entries that are not emails: refused, naming the lines, nothing changed.
    let bad = file("bad.txt", b"keep.bom@x.se\nKeep CSV\n\nkeep.csv@x.se;old@x.se\n");
    let before = snapshot(&pool).await;
    let o = dormant(&bad, &[]);
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    let e = err(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("line 2 (\"Keep CSV\")"), "{e}");
    assert!(e.contains("line 4") && e.contains("nothing was changed"), "{e}");
    assert_eq!(snapshot(&pool).await, before);

    // An email no account has: named, and the run goes on.
    let ghost = file("ghost.txt", b"keep.bom@x.se\nkeep.csv@x.se\ngone@x.se\n");
    let o = dormant(&ghost, &["--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(err(&o).trim(), "warning: --exclude-file line 3: no account has the email gone@x.se");
}

#[test]
fn dormancy_is_judged_on_the_row_as_it_is_now() {
    let now = OffsetDateTime::now_utc();
    let actor = Actor { id: Uuid::new_v4(), email: "boss@x.se".into(), role: Role::Superuser };
    let exclude = Exclusions::parse("keep@x.se\n").expect("an exclude file");
    let rule = Dormancy { days: 30, include_admins: false, exclude };
    let mut r = UserRow::sample("a@x.se", Role::User);
    r.created_at = now - Duration::days(90);
    assert!(rule.holds(&r, &actor, now), "never signed in, created long ago");
    r.last_login_at = Some(now - Duration::minutes(1));
    assert!(!rule.holds(&r, &actor, now), "signed in meanwhile: left alone");
    r.last_login_at = Some(now - Duration::days(31));
    assert!(rule.holds(&r, &actor, now));
    r.role = Role::Admin;
    assert!(!rule.holds(&r, &actor, now), "admins spared");
    r.role = Role::User;
    r.email = "Keep@x.se".into();
    assert!(!rule.holds(&r, &actor, now), "excluded, whatever the case");
    assert_eq!(rule.judge(&r, &actor, now), Verdict::Spared(Spared::Excluded { line: 1 }));
    r.email = "a@x.se".into();
    r.is_active = false;
    assert!(!rule.holds(&r, &actor, now));
    r.is_active = true;
    r.id = actor.id;
    assert!(!rule.holds(&r, &actor, now), "never the actor");
}

#[tokio::test]
async fn import_reports_each_line_creates_all_or_nothing_and_hands_out_the_passwords_once() {
    let (db, store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "taken@x.se", Role::User).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("autumn.csv");
    std::fs::write(
        &file,
        "email,role,first_name,last_name\nNy.Larare@Skola.se,contributor,Ny,Lärare\ntaken@x.se,user,,\nelev1@skola.se,user,Elev,Ett\nnot-an-email,user,,\n",
    )
    .expect("write");
    let file = file.to_string_lossy().into_owned();
    // Signed in once, as the subcommand will: the snapshot then compares what the import did.
    common::signed_in(&store, "boss@x.se").await;
    let before = snapshot(&pool).await;
    let o = run(&db, &["import", "--actor-email", "boss@x.se", &file, "--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "an invalid line: {}", err(&o));
    let text = out(&o);
    assert!(text.contains("line 2: Ny.Larare@Skola.se: create (contributor)"), "{text}");
    assert!(text.contains("line 3: taken@x.se: exists, skipped"), "{text}");
    assert!(text.contains("line 5: not-an-email: invalid"), "{text}");
    let o = run(&db, &["import", "--actor-email", "boss@x.se", &file]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("1 line invalid; nothing was created"), "{}", err(&o));
    assert_eq!(snapshot(&pool).await, before, "nothing created, nothing audited");

    // Fixed: the two new accounts are created in one change; the passwords go to a new file.
    let good = dir.path().join("fixed.csv");
    std::fs::write(&good, "email,role,first_name,last_name\nNy.Larare@Skola.se,contributor,Ny,Lärare\ntaken@x.se,user,,\nelev1@skola.se,user,Elev,Ett\n").expect("write");
    let good = good.to_string_lossy().into_owned();
    let secrets = dir.path().join("passwords.csv");
    let secrets_arg = secrets.to_string_lossy().into_owned();
    let o = run(&db, &["import", "--actor-email", "boss@x.se", &good, "--passwords-out", &secrets_arg]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("2 accounts created"), "{}", out(&o));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&secrets).expect("file").permissions().mode() & 0o777, 0o600);
    let mut r = csv::Reader::from_path(&secrets).expect("read passwords");
    let pairs: Vec<(String, String)> = r
        .records()
        .map(|x| {
            let x = x.expect("record");
            (x[0].to_string(), x[1].to_string())
        })
        .collect();
    assert_eq!(pairs.len(), 2);
    for (email, pw) in &pairs {
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&pool)
            .await
            .expect("hash");
        assert!(skriptoteket_admin::auth::hasher::verify(
            &skriptoteket_admin::domain::Secret::from(pw.as_str()),
            &hash
        ));
    }
    assert_eq!(
        scalar_i64(&pool, "SELECT count(*) FROM users u JOIN user_profiles p ON p.user_id = u.id
                           WHERE u.email = 'ny.larare@skola.se' AND p.last_name = 'Lärare' AND u.email_verified").await,
        1
    );
    assert_eq!(
        scalar_i64(
            &pool,
            "SELECT count(DISTINCT change_id) FROM skriptoteket_admin.admin_audit_log WHERE action = 'create_user'"
        )
        .await,
        1
    );
    // Never overwrites the passwords file; an admin imports only users and contributors.
    let o = run(&db, &["import", "--actor-email", "boss@x.se", &good, "--passwords-out", &secrets_arg]);
    assert!(o.status.success() && out(&o).contains("nothing to create"), "{}{}", out(&o), err(&o));
    let promo = dir.path().join("promo.csv");
    std::fs::write(&promo, "email,role\nchef@x.se,admin\n").expect("write");
    let o = run(&db, &["import", "--actor-email", "admin@x.se", &promo.to_string_lossy(), "--dry-run"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("Insufficient permissions"), "{}", out(&o));
    // Without --passwords-out, stdout holds only JSON with the passwords.
    std::fs::write(&promo, "email,role\nchef@x.se,user\n").expect("write");
    let o = run(&db, &["import", "--actor-email", "admin@x.se", &promo.to_string_lossy()]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON alone on stdout");
    assert_eq!(v["created"][0]["email"], "chef@x.se");
    assert!(v["created"][0]["password"].as_str().is_some_and(|p| p.len() >= 16));
}

/// The profile of `email`: first, last and display name, locale (None: no profile row).
async fn profile_of(
    pool: &sqlx::PgPool,
    email: &str,
) -> Option<(Option<String>, Option<String>, Option<String>, String)> {
    sqlx::query_as(
        "SELECT p.first_name, p.last_name, p.display_name, p.locale FROM user_profiles p
           JOIN users u ON u.id = p.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .expect("profile")
}

#[tokio::test]
async fn import_update_edits_names_and_locales_all_or_nothing_and_reverts_as_one_change() {
    let (db, store) = live_store().await;
    let pool = db.pool().await;
    insert_user(&pool, "admin@x.se", Role::Admin).await;
    insert_user(&pool, "boss@x.se", Role::Superuser).await;
    let anna = insert_user(&pool, "anna@x.se", Role::User).await;
    let berit = insert_user(&pool, "berit@x.se", Role::Contributor).await;
    insert_user(&pool, "cilla@x.se", Role::User).await;
    sqlx::query(
        "INSERT INTO user_profiles (user_id, first_name, last_name, display_name, locale, created_at, updated_at)
         VALUES ($1, 'Berit', 'Ek', NULL, 'sv-SE', now(), now())",
    )
    .bind(berit)
    .execute(&pool)
    .await
    .expect("berit's profile");
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    common::signed_in(&store, "admin@x.se").await;
    let before = snapshot(&pool).await;

    // Every kind of bad line is named by its line, and nothing changes.
    let long = "n".repeat(101);
    let bad = write(
        "bad.csv",
        &format!(
            "email,first_name,last_name,locale\nanna@x.se,Anna,,fi-FI\nnobody@x.se,No,,\nboss@x.se,Big,,\n\
             berit@x.se,,{long},\nAnna@X.se,,Berg,\nadmin@x.se,Me,,\n"
        ),
    );
    let o = run(&db, &["import", "--update", "--actor-email", "admin@x.se", &bad, "--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let text = out(&o);
    for (line, why) in [
        (2, "not a locale the web app supports"),
        (3, "nobody@x.se"),
        (4, "Insufficient permissions"),
        (5, "longer than 100 characters"),
        (6, "the same account is on line 2"),
        (7, "your own account"),
    ] {
        let shown = text.lines().find(|l| l.starts_with(&format!("line {line}: "))).unwrap_or_default();
        assert!(shown.contains("invalid") && shown.contains(why), "line {line}: {text}");
    }
    let o = run(&db, &["import", "--update", "--actor-email", "admin@x.se", &bad]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("6 lines invalid; nothing was changed"), "{}", err(&o));
    // Roles are not changed this way: a role column is a check, refused where it differs.
    let roles = write("roles.csv", "email,role\nanna@x.se,admin\n");
    let o = run(&db, &["import", "--update", "--actor-email", "admin@x.se", &roles]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("line 2: anna@x.se: invalid: the file says role admin"), "{}", err(&o));
    // A column it does not know is refused by its position.
    let unknown = write("unknown.csv", "email,password\nanna@x.se,x\n");
    let o = run(&db, &["import", "--update", "--actor-email", "admin@x.se", &unknown]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("line 1, column 2 is not a column of an import --update"), "{}", err(&o));
    // By id, the email beside it must be the account's.
    let wrong =
        write("wrong.csv", &format!("id,email,first_name\n{anna},berit@x.se,Anna\n{},,X\n", Uuid::nil()));
    let o = run(&db, &["import", "--update", "--actor-email", "admin@x.se", &wrong, "--dry-run"]);
    assert!(out(&o).contains("line 2: ") && out(&o).contains("is anna@x.se now"), "{}", out(&o));
    assert!(out(&o).contains("line 3: ") && out(&o).contains("no account has this id"), "{}", out(&o));
    assert_eq!(snapshot(&pool).await, before, "refusals and dry runs change nothing");

    // A good file: Anna (no profile row yet) gets names and a locale, Berit a display name,
    // Cilla's blank line and Berit's unchanged last name leave them as they are.
    let good = write(
        "good.csv",
        &format!(
            "id,email,first_name,last_name,display_name,locale\n{anna},anna@x.se,Anna,Berg,,en-US\n\
             {berit},,,Ek,Bea,\n{},cilla@x.se,,,,\n",
            scalar_uuid(&pool, "SELECT id FROM users WHERE email = 'cilla@x.se'").await
        ),
    );
    let o = run(&db, &["import", "--update", "--actor-email", "admin@x.se", &good, "--reason", "names"]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("2 accounts updated, 1 unchanged"), "{text}");
    assert!(text.contains("line 4: cilla@x.se: unchanged"), "{text}");
    assert_eq!(
        profile_of(&pool, "anna@x.se").await,
        Some((Some("Anna".into()), Some("Berg".into()), None, "en-US".into()))
    );
    assert_eq!(
        profile_of(&pool, "berit@x.se").await,
        Some((Some("Berit".into()), Some("Ek".into()), Some("Bea".into()), "sv-SE".into()))
    );
    assert_eq!(profile_of(&pool, "cilla@x.se").await, None, "a blank line makes no profile row");
    let (rows, changes): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT change_id) FROM skriptoteket_admin.admin_audit_log
          WHERE action = 'edit_account' AND reason = 'names'",
    )
    .fetch_one(&pool)
    .await
    .expect("audit");
    assert_eq!((rows, changes), (2, 1), "an audit row per account, one change");

    // One revert puts every field back.
    let change: Uuid = scalar_uuid(
        &pool,
        "SELECT change_id FROM skriptoteket_admin.admin_audit_log WHERE action = 'edit_account' LIMIT 1",
    )
    .await;
    let o = run(&db, &["revert", "--actor-email", "admin@x.se", &change.to_string()]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(profile_of(&pool, "anna@x.se").await, Some((None, None, None, "sv-SE".into())));
    assert_eq!(
        profile_of(&pool, "berit@x.se").await,
        Some((Some("Berit".into()), Some("Ek".into()), None, "sv-SE".into()))
    );
}

async fn scalar_uuid(pool: &sqlx::PgPool, sql: &str) -> Uuid {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await.expect("a uuid")
}

#[tokio::test]
async fn list_filter_speaks_the_filter_language_and_refuses_typos() {
    let (db, _store) = live_store().await;
    let pool = db.pool().await;
    for (email, role, last, created) in [
        ("old@x.se", Role::User, Some(200), 400),
        ("recent@x.se", Role::Contributor, Some(10), 400),
        ("never@x.se", Role::User, None, 300),
        ("boss@x.se", Role::Superuser, Some(300), 900),
    ] {
        insert_user(&pool, email, role).await;
        aged(&pool, email, last, created).await;
    }
    let emails = |filter: &str| -> Vec<String> {
        let o = run(&db, &["list", "--format", "jsonl", "--filter", filter]);
        assert!(o.status.success(), "{filter}: {}", err(&o));
        let mut v: Vec<String> = out(&o)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("JSON")["email"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(emails("last_login:older:180d"), ["boss@x.se", "old@x.se"]);
    assert_eq!(emails("last_login:older:180d -role:admin,superuser"), ["old@x.se"]);
    assert_eq!(emails("never_logged_in"), ["never@x.se"]);
    assert_eq!(emails("role:user,contributor !never_logged_in"), ["old@x.se", "recent@x.se"]);
    assert_eq!(emails("created:<2025-01-01 x.se"), ["boss@x.se"]);
    let o = run(&db, &["list", "--filter", "rol:admin"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("the keys are"), "{}", err(&o));
}
