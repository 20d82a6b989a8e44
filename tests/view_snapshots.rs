//! The view layer: every screen and dialog rendered into a `TestBackend` at 80x24 and
//! 120x40 and compared with a reviewed snapshot, plus checks that do not need a picture:
//! hostile text is inert, columns stay aligned, 100,000 rows cost one window, NO_COLOR
//! means no colour, and typed passwords never appear.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use skriptoteket_admin::domain::account::Account;
use skriptoteket_admin::domain::audit::{AuditRow, ChangeSummary};
use skriptoteket_admin::domain::references::{DeletePlan, Dependent, OnDelete};
use skriptoteket_admin::domain::sanitize::{REPLACEMENT, is_unsafe};
use skriptoteket_admin::domain::sign_ins::{Overview, Span};
use skriptoteket_admin::domain::{Role, Secret, UserRow};
use skriptoteket_admin::store::Actor;
use skriptoteket_admin::store::sessions::{LoginEvent, SessionRow};
use skriptoteket_admin::store::targets::Seen;
use skriptoteket_admin::tui::event::{Details, Event};
use skriptoteket_admin::tui::model::audit_view::{AuditView, ListCursor, OpenChange};
use skriptoteket_admin::tui::model::dialog::{Dialog, Loading};
use skriptoteket_admin::tui::model::export::ExportForm;
use skriptoteket_admin::tui::model::filter_line::FilterLine;
use skriptoteket_admin::tui::model::forms::{NewUserField, NewUserForm, PasswordMode, ResetField, ResetForm};
use skriptoteket_admin::tui::model::live::{Cells, Lit};
use skriptoteket_admin::tui::model::login::{BootstrapField, BootstrapForm, LoginField, LoginForm};
use skriptoteket_admin::tui::model::secret_input::SecretInput;
use skriptoteket_admin::tui::model::sign_ins::SignInsView;
use skriptoteket_admin::tui::model::table::SortKey;
use skriptoteket_admin::tui::model::{Screen, StatusKind, StatusLine as Status};
use skriptoteket_admin::tui::view::{self, palette};
use skriptoteket_admin::tui::{App, Options};
use std::time::{Duration, Instant};
use time::macros::datetime;
use tui_input::Input;
use uuid::Uuid;

mod console_support;
use console_support::key;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const HOSTILE: &str = "mallory\u{1b}]2;PWNED\u{7}\u{202e}@evil.test";

/// The shared row, with dates a table shows (created, changed, last signed in).
fn row(n: u128, email: &str, role: Role) -> UserRow {
    let mut r = console_support::row(n, email, role);
    r.created_at = datetime!(2024-09-01 08:30 UTC);
    r.updated_at = datetime!(2025-01-15 12:00 UTC);
    r.last_login_at = Some(datetime!(2025-11-20 14:05 UTC));
    r
}

fn long_email() -> String {
    format!("{}@long.example", "x".repeat(255 - "@long.example".len()))
}

fn people() -> Vec<UserRow> {
    let mut rows = vec![
        row(1, "admin@skriptoteket.test", Role::Superuser),
        row(2, "lena.lund@skriptoteket.test", Role::Admin),
        row(3, "anna.andersson1@skola.se", Role::User),
        row(4, "erik.berg22@larare.se", Role::Contributor),
        row(5, "maria.holm7@gymnasium.se", Role::User),
        row(6, "karin.ek@kommun.se", Role::User),
        row(7, "extern.larare@huleedu.test", Role::User),
        row(8, HOSTILE, Role::User),
        row(9, &long_email(), Role::User),
        row(10, "漢字テスト@wide.example", Role::Contributor),
        row(11, "per.persson@edu.se", Role::Admin),
    ];
    rows[4].is_active = false;
    rows[5].locked = true;
    rows[5].locked_until = Some(datetime!(2025-11-24 10:15 UTC));
    rows[5].failed_login_attempts = 5;
    rows[6].auth_provider = "huleedu".into();
    rows[2].last_login_at = None;
    rows[2].email_verified = false; // self-registered, never followed the link
    rows[7].last_login_at = None;
    rows[1].active_sessions = 3;
    rows[3].active_sessions = 0;
    rows[9].created_at = datetime!(2025-06-30 23:59 UTC);
    rows
}

fn options() -> Options {
    Options {
        login_hint: None,
        demo_password_hint: false,
        target: "db.skola.se:5432/skriptoteket".into(),
        target_via: String::new(),
        deployment: Default::default(),
        no_job_control: false,
    }
}

/// Signed in as the superuser, every person loaded, cursor on the first row.
fn users_app(w: u16, h: u16) -> App {
    let mut app = App::new(options(), w, h);
    app.screen = Screen::Users;
    app.actor = Some(Actor {
        id: Uuid::from_u128(1),
        email: "admin@skriptoteket.test".into(),
        role: Role::Superuser,
    });
    app.users.set_rows(people());
    app.loaded = true;
    app.status = Some(Status { kind: StatusKind::Info, text: "11 users loaded".into() });
    app
}

fn by_email(app: &App, email: &str) -> Seen {
    let row = app.users.shown_rows().find(|r| r.email() == email).expect("user in fixture");
    Seen::of(&row)
}

fn typed(text: &str) -> SecretInput {
    let mut s = SecretInput::default();
    for c in text.chars() {
        s.handle(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    s
}

fn render(app: &App) -> Terminal<TestBackend> {
    palette::set_color_override(Some(false));
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).expect("test terminal");
    terminal
        .draw(|f| {
            view::draw(f, app);
        })
        .expect("draw");
    terminal
}

/// The whole buffer as text, one line per row (the cell hidden behind a wide character
/// is left out, as a terminal shows it).
fn screen_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut x = 0;
        while x < buf.area.width {
            let symbol = buf[(x, y)].symbol();
            out.push_str(symbol);
            x += (unicode_width::UnicodeWidthStr::width(symbol) as u16).max(1);
        }
        out.push('\n');
    }
    out
}

/// Renders `make(w, h)` at both sizes and snapshots each as `name_WxH`.
fn snap(name: &str, make: impl Fn(u16, u16) -> App) {
    for (w, h) in SIZES {
        let app = make(w, h);
        let terminal = render(&app);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

// ---------------------------------------------------------------- screens

#[test]
fn connecting() {
    snap("connecting", |w, h| {
        let mut app = App::new(options(), w, h);
        app.screen = Screen::Connecting {
            message: "waiting for the database at db.skola.se:5432/skriptoteket: connection refused \
                      (attempt 3, retrying)"
                .into(),
        };
        app.spinner = 3;
        app
    });
}

#[test]
fn read_only_on_a_named_deployment() {
    snap("readonly_named", |w, h| {
        let mut app = users_app(w, h);
        app.options.deployment = skriptoteket_admin::config::Deployment {
            readonly: true,
            name: Some("prod-skola".into()),
            color: Some("red".into()),
            ..Default::default()
        };
        app
    });
}

#[test]
fn a_protected_deployment_asks_for_its_name_before_a_bulk_delete() {
    snap("protected_reason", |w, h| {
        let mut app = users_app(w, h);
        app.options.deployment = skriptoteket_admin::config::Deployment {
            name: Some("prod-skola".into()),
            protected: true,
            ..Default::default()
        };
        app.update(key(' '));
        app.update(key(' '));
        app.update(key('x'));
        // The confirmation was drawn and read before y (it takes no key typed ahead).
        let t = std::time::Instant::now();
        app.update(Event::Drawn(t, Default::default()));
        app.update(Event::Clock(t + std::time::Duration::from_secs(1)));
        app.update(key('y'));
        app
    });
}

#[test]
fn an_ascii_terminal_gets_ascii_borders_and_look_alikes() {
    palette::set_ascii_override(Some(true));
    let mut app = users_app(80, 24);
    app.users.toggle_mark();
    let terminal = render(&app);
    palette::set_ascii_override(None);
    let text = screen_text(terminal.backend().buffer());
    assert!(text.is_ascii(), "{text}");
    assert!(text.contains("+--") || text.contains("--"), "{text}");
    insta::assert_snapshot!("ascii_users_80x24", text);
    assert!(skriptoteket_admin::tui::view::palette::ascii_from(Some("en_US.ISO-8859-1"), Some("xterm")));
    assert!(skriptoteket_admin::tui::view::palette::ascii_from(Some("C"), None));
    assert!(skriptoteket_admin::tui::view::palette::ascii_from(None, Some("vt100")));
    assert!(!skriptoteket_admin::tui::view::palette::ascii_from(Some("sv_SE.UTF-8"), Some("xterm-256color")));
    assert!(
        !skriptoteket_admin::tui::view::palette::ascii_from(None, Some("linux")),
        "an unset locale is UTF-8"
    );
}

#[test]
fn login_with_error_and_demo_hint() {
    snap("login_error", |w, h| {
        let mut app = App::new(Options { demo_password_hint: true, ..options() }, w, h);
        app.screen = Screen::Login(LoginForm {
            email: Input::new("admin@skriptoteket.test".into()),
            password: typed("wrong-password"),
            focus: LoginField::Password,
            error: Some("wrong email or password".into()),
            busy: false,
        });
        app
    });
}

/// On the production host the database is a container found through compose: the form
/// says which, on a line of its own.
#[test]
fn login_on_a_database_found_through_compose() {
    snap("login_via_compose", |w, h| {
        let o = Options {
            target: "172.18.0.3:5432/skriptoteket".into(),
            target_via: "container shared-postgres on hule-network".into(),
            ..options()
        };
        let mut app = App::new(o, w, h);
        app.screen = Screen::Login(LoginForm {
            email: Input::new(String::new()),
            password: typed(""),
            focus: LoginField::Email,
            error: None,
            busy: false,
        });
        app
    });
}

#[test]
fn login_busy() {
    snap("login_busy", |w, h| {
        let mut app = App::new(options(), w, h);
        app.screen = Screen::Login(LoginForm {
            email: Input::new("admin@skriptoteket.test".into()),
            password: typed("demo-password-1"),
            focus: LoginField::Password,
            error: None,
            busy: true,
        });
        app
    });
}

#[test]
fn bootstrap() {
    snap("bootstrap", |w, h| {
        let mut app = App::new(options(), w, h);
        app.screen = Screen::Bootstrap(BootstrapForm {
            email: Input::new("first.admin@skola.se".into()),
            password: typed("long enough"),
            confirm: typed("long enoug"),
            focus: BootstrapField::Confirm,
            error: Some("the two passwords differ".into()),
            busy: false,
        });
        app
    });
}

/// The key bar at the widths admins use: every job it shows is whole (key and word), the
/// audit log, verify, undo and export are on it from 80 columns, and it takes a second
/// line rather than drop them.
#[test]
fn the_key_bar_at_80_100_and_160_columns() {
    for (w, h) in [(80u16, 24u16), (100, 30), (160, 45)] {
        let app = users_app(w, h);
        let terminal = render(&app);
        insta::assert_snapshot!(format!("key_bar_{w}x{h}"), terminal.backend());
        let text = screen_text(terminal.backend().buffer());
        let rows: Vec<&str> = text.lines().collect();
        let bar = format!("{} {}", rows[rows.len() - 2], rows[rows.len() - 1]);
        for job in ["L audit", "v verify", "z undo", "E export", "/ filter", "? help", "q quit"] {
            assert!(bar.contains(job), "{w}x{h}: {job:?} missing from the key bar: {bar:?}");
        }
        assert!(!bar.contains('…'), "{w}x{h}: a cut word: {bar:?}");
    }
}

#[test]
fn users_table_with_marks() {
    snap("users_marks", |w, h| {
        let mut app = users_app(w, h);
        app.users.mark_id(Uuid::from_u128(3));
        app.users.mark_id(Uuid::from_u128(4));
        app.users.move_by(2);
        app.status =
            Some(Status { kind: StatusKind::Ok, text: "role of 2 users changed to contributor".into() });
        app
    });
}

#[test]
fn users_table_sorted_by_last_login_busy() {
    snap("users_sorted_busy", |w, h| {
        let mut app = users_app(w, h);
        app.users.set_sort(SortKey::LastLogin, true);
        app.users_request = Some(1);
        app.spinner = 5;
        app
    });
}

#[test]
fn users_table_filter_editing() {
    snap("users_filter_editing", |w, h| {
        let mut app = users_app(w, h);
        app.filter.editing = true;
        app.filter.input = Input::new("se role:user".into());
        app.users.set_filter("se role:user", time::OffsetDateTime::UNIX_EPOCH);
        app
    });
}

#[test]
fn users_table_filter_kept_and_invalid_token() {
    snap("users_filter_invalid", |w, h| {
        let mut app = users_app(w, h);
        app.filter.input = Input::new("anna status:sleeping".into());
        app.users.set_filter("anna status:sleeping", time::OffsetDateTime::UNIX_EPOCH);
        app
    });
}

#[test]
fn users_table_error_status() {
    snap("users_error", |w, h| {
        let mut app = users_app(w, h);
        app.status = Some(Status {
            kind: StatusKind::Error,
            text: format!("{HOSTILE}: refused: only a superuser may change a superuser"),
        });
        app
    });
}

#[test]
fn users_table_connection_lost() {
    snap("users_connection_lost", |w, h| {
        let mut app = users_app(w, h);
        app.connection_lost =
            Some("connection lost, retrying: server closed the connection unexpectedly".into());
        app.spinner = 1;
        app
    });
}

#[test]
fn users_table_scrolled_to_the_end() {
    snap("users_scrolled", |w, h| {
        let mut app = users_app(w, h);
        let more: Vec<UserRow> =
            (100..160).map(|i| row(i, &format!("user{i:03}@skola.se"), Role::User)).collect();
        let mut all = people();
        all.extend(more);
        app.users.set_rows(all);
        app.users.bottom();
        app.users.scroll_into_view(app.page_size());
        app
    });
}

#[test]
fn too_small() {
    for (w, h) in [(59, 24), (80, 14)] {
        let app = users_app(w, h);
        let terminal = render(&app);
        insta::assert_snapshot!(format!("too_small_{w}x{h}"), terminal.backend());
        assert!(screen_text(terminal.backend().buffer()).contains("terminal too small: need at least 60x15"));
    }
}

// ---------------------------------------------------------------- dialogs

#[test]
fn new_user_generate() {
    snap("new_user_generate", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::NewUser(NewUserForm {
            email: Input::new("ny.larare@skola.se".into()),
            role: Role::Contributor,
            focus: NewUserField::Role,
            ..NewUserForm::default()
        }));
        app
    });
}

#[test]
fn new_user_typed_with_error() {
    snap("new_user_typed", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::NewUser(NewUserForm {
            email: Input::new("ny.larare@skola.se".into()),
            role: Role::User,
            mode: PasswordMode::Type,
            password: typed("short"),
            confirm: SecretInput::default(),
            focus: NewUserField::Password,
            error: Some("password must be at least 8 characters".into()),
            role_refused: None,
        }));
        app
    });
}

/// Issue 24 point 3: the chosen role in brackets (no colour needed), and a refused role
/// key's reason under the role line.
#[test]
fn new_user_role_refused_beside_the_field() {
    snap("new_user_role_refused", |w, h| {
        let mut app = users_app(w, h);
        if let Some(a) = &mut app.actor {
            a.role = Role::Admin;
        }
        app.dialog = Some(Dialog::NewUser(NewUserForm {
            email: Input::new("ny.larare@skola.se".into()),
            role: Role::Contributor,
            focus: NewUserField::Role,
            role_refused: Some(
                "admin is not offered: Insufficient permissions: an admin may only assign the user and contributor roles. (still contributor)".into(),
            ),
            ..NewUserForm::default()
        }));
        app
    });
}

#[test]
fn a_live_table_with_a_dialog_whose_account_changed_underneath() {
    snap("live_underneath", |w, h| {
        let mut app = users_app(w, h);
        app.live.every = Some(50);
        let anna = by_email(&app, "anna.andersson1@skola.se");
        let anna_id = anna.id;
        app.live.lit.insert(anna.id, Lit { cells: Cells::default().with(SortKey::Role), ticks: 30 });
        app.live.underneath = Some((anna_id, "⚠ changed meanwhile: anna.andersson1@skola.se".into()));
        app.dialog = Some(Dialog::PickRole { targets: vec![anna], selected: 1 });
        app
    });
}

#[test]
fn a_changed_cell_is_marked_without_colour_too() {
    let mut app = users_app(100, 30);
    app.live.every = Some(50);
    app.live.paused = true;
    let anna = by_email(&app, "anna.andersson1@skola.se");
    app.live.lit.insert(anna.id, Lit { cells: Cells::default().with(SortKey::Role), ticks: 30 });
    let terminal = render(&app);
    let buf = terminal.backend().buffer();
    let text = screen_text(buf);
    assert!(text.lines().nth(1).is_some_and(|l| l.contains(" paused ")), "{text}");
    let y = text.lines().position(|l| l.contains("anna.andersson1@skola.se")).expect("anna's row") as u16;
    let line: Vec<_> = (0..buf.area.width).map(|x| &buf[(x, y)]).collect();
    let row_text: String = line.iter().map(|c| c.symbol()).collect();
    let role_at = row_text.find(" user ").expect("the role cell") as u16 + 1;
    let email_at = row_text.find("anna").expect("the email cell") as u16;
    let lit = |x: u16| buf[(x, y)].modifier.contains(Modifier::UNDERLINED | Modifier::BOLD);
    assert!(lit(role_at), "the changed role is bold and underlined without colour");
    assert!(!lit(email_at), "the unchanged email is not");
}

fn overview() -> Overview {
    use skriptoteket_admin::domain::sign_ins::{
        AccountAttempts, Bucket, Finding, Locked, Report, Source, Thresholds, Totals,
    };
    let until = datetime!(2025-11-20 14:00 UTC);
    let since = until - time::Duration::hours(24);
    let karin = Uuid::from_u128(5);
    let bars = (0..24)
        .map(|i: i64| Bucket { succeeded: 10 + (i * 7) % 23, failed: if i == 22 { 40 } else { i % 3 } })
        .collect();
    let report = Report {
        since,
        thresholds: Thresholds::default(),
        totals: Totals { succeeded: 391, failed: 78, by_this_tool: 2 },
        findings: vec![
            Finding::Spraying { ip_address: Some("45.155.205.233".into()), accounts: 40, failed: 40 },
            Finding::BruteForce {
                email: Some("karin.ek@kommun.se".into()),
                user_id: karin,
                addresses: 6,
                failed: 12,
            },
        ],
        sources: Some(vec![
            Source {
                ip_address: Some("45.155.205.233".into()),
                failed: 40,
                succeeded: 0,
                accounts: 40,
                unknown_accounts: 3,
                last: until - time::Duration::minutes(70),
            },
            Source {
                ip_address: Some("192.0.2.4".into()),
                failed: 2,
                succeeded: 5,
                accounts: 1,
                unknown_accounts: 0,
                last: until - time::Duration::hours(2),
            },
        ]),
        accounts: Some(vec![AccountAttempts {
            user_id: karin,
            email: Some("karin.ek@kommun.se".into()),
            failed: 12,
            succeeded: 0,
            addresses: 6,
            locked_until: Some(until + time::Duration::minutes(9)),
            last: until - time::Duration::minutes(6),
        }]),
        locked: Some(vec![Locked {
            user_id: karin,
            email: "karin.ek@kommun.se".into(),
            locked_until: until + time::Duration::minutes(9),
            failed_login_attempts: 12,
        }]),
    };
    Overview { report, bars, until }
}

fn sign_ins_app(w: u16, h: u16) -> App {
    let mut app = users_app(w, h);
    let mut view = SignInsView::new(Span::Day, 7);
    view.data = Loading::Ready(Box::new(overview()));
    app.dialog = Some(Dialog::SignIns(Box::new(view)));
    app
}

#[test]
fn the_sign_ins_view() {
    snap("sign_ins", sign_ins_app);
}

#[test]
fn the_sign_ins_chart_tells_its_two_series_apart_without_colour_and_with() {
    let app = sign_ins_app(120, 40);
    let plain = render(&app);
    let buf = plain.backend().buffer();
    assert!(
        buf.content().iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "NO_COLOR: no colour"
    );
    let symbols: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(symbols.contains('▀') || symbols.contains('▄') || symbols.contains('█'), "failures as bars");
    assert!(symbols.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)), "successes as a braille line");
    palette::set_color_override(Some(true));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    terminal
        .draw(|f| {
            view::draw(f, &app);
        })
        .expect("draw");
    palette::set_color_override(Some(false));
    let colours: Vec<Color> = terminal.backend().buffer().content().iter().map(|c| c.fg).collect();
    assert!(
        colours.contains(&Color::Green) && colours.contains(&Color::Red),
        "successes green, failures red"
    );
}

#[test]
fn pick_role() {
    snap("pick_role", |w, h| {
        let mut app = users_app(w, h);
        let targets = vec![by_email(&app, "anna.andersson1@skola.se"), by_email(&app, "karin.ek@kommun.se")];
        app.dialog = Some(Dialog::PickRole { targets, selected: 1 });
        app
    });
}

#[test]
fn confirm_edit_from_keys() {
    snap("confirm_edit", |w, h| {
        let mut app = users_app(w, h);
        // Mark two users, press r, choose 3 (admin): the app writes the confirmation lines.
        app.users.move_by(2);
        app.update(key(' '));
        app.update(key(' '));
        app.update(key('r'));
        app.update(key('3'));
        assert!(matches!(app.dialog, Some(Dialog::Confirm { .. })), "{:?}", app.status);
        app
    });
}

#[test]
fn reset_password() {
    snap("reset_password", |w, h| {
        let mut app = users_app(w, h);
        let mut form = ResetForm::new(by_email(&app, "anna.andersson1@skola.se"));
        form.mode = PasswordMode::Type;
        form.password = typed("nytt-losenord-1");
        form.confirm = typed("nytt-losen");
        form.focus = ResetField::Confirm;
        form.error = Some("the two passwords differ".into());
        app.dialog = Some(Dialog::ResetPassword(form));
        app
    });
}

#[test]
fn reset_password_generate() {
    snap("reset_password_generate", |w, h| {
        let mut app = users_app(w, h);
        let mut form = ResetForm::new(by_email(&app, &long_email()));
        form.focus = ResetField::RevokeSessions;
        app.dialog = Some(Dialog::ResetPassword(form));
        app
    });
}

#[test]
fn show_password() {
    snap("show_password", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::ShowPassword {
            email: "ny.larare@skola.se".into(),
            secret: Secret::from("Xk7-pQ2mZr9@bT4wLs_e"),
            copied: true,
        });
        app
    });
}

fn delete_targets(app: &App) -> Vec<Seen> {
    ["anna.andersson1@skola.se", "erik.berg22@larare.se"].iter().map(|e| by_email(app, e)).collect()
}

#[test]
fn confirm_delete_pending() {
    snap("delete_pending", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::ConfirmDelete {
            request: 1,
            targets: delete_targets(&app),
            plan: Loading::Pending,
            typed: String::new(),
        });
        app
    });
}

fn dep(table: &str, column: &str, on_delete: OnDelete, rows: i64) -> Dependent {
    Dependent { table: table.into(), column: column.into(), on_delete, rows }
}

#[test]
fn confirm_delete_ready() {
    snap("delete_ready", |w, h| {
        let mut app = users_app(w, h);
        let targets = delete_targets(&app);
        let plan = DeletePlan {
            blocked_emails: vec![],
            emails: targets.iter().map(|t| t.email.clone()).collect(),
            blockers: vec![],
            effects: vec![
                dep("sessions", "user_id", OnDelete::Cascade, 4),
                dep("user_profiles", "user_id", OnDelete::Cascade, 2),
                dep("login_events", "user_id", OnDelete::SetNull, 17),
            ],
        };
        app.dialog = Some(Dialog::ConfirmDelete {
            targets,
            request: 1,
            plan: Loading::Ready(plan),
            typed: String::new(),
        });
        app
    });
}

#[test]
fn confirm_delete_blocked_many() {
    snap("delete_blocked", |w, h| {
        let mut app = users_app(w, h);
        let targets: Vec<Seen> = app.users.shown_rows().skip(1).map(|r| Seen::of(&r)).collect();
        let plan = DeletePlan {
            blocked_emails: vec![],
            emails: targets.iter().map(|t| t.email.clone()).collect(),
            blockers: vec![dep("tool_versions", "created_by_user_id", OnDelete::Restrict, 3)],
            effects: vec![dep("sessions", "user_id", OnDelete::Cascade, 9)],
        };
        app.dialog = Some(Dialog::ConfirmDelete {
            targets,
            request: 1,
            plan: Loading::Ready(plan),
            typed: String::new(),
        });
        app
    });
}

/// Blocked for some of several: `r` deletes the others.
#[test]
fn confirm_delete_blocked_for_some() {
    snap("delete_blocked_some", |w, h| {
        let mut app = users_app(w, h);
        let targets: Vec<Seen> = app.users.shown_rows().skip(1).map(|r| Seen::of(&r)).collect();
        let plan = DeletePlan {
            blocked_emails: vec![targets[1].email.clone(), targets[4].email.clone()],
            emails: targets.iter().map(|t| t.email.clone()).collect(),
            blockers: vec![dep("tool_runs", "requested_by_user_id", OnDelete::Restrict, 12)],
            effects: vec![dep("sessions", "user_id", OnDelete::Cascade, 9)],
        };
        app.dialog = Some(Dialog::ConfirmDelete {
            targets,
            request: 1,
            plan: Loading::Ready(plan),
            typed: String::new(),
        });
        app
    });
}

#[test]
fn export_dialog() {
    snap("export", |w, h| {
        let mut app = users_app(w, h);
        let mut f = ExportForm::new("users-2025-11-24.xlsx");
        f.error = Some(
            "a .xlsx file is not a format of this export: end the name in .csv (CSV), .jsonl (JSON Lines) or .json (one JSON array)"
                .into(),
        );
        app.dialog = Some(Dialog::Export(f));
        app
    });
}

/// An import's plan: what is created (by role), what exists, the admin in it flagged,
/// the first lines, and where the passwords go; a plan with a refused line says so first.
#[test]
fn import_plans() {
    use skriptoteket_admin::domain::import::{ImportLine, NewAccount};
    use skriptoteket_admin::provision::{FilePlan, Plan};
    use skriptoteket_admin::tui::model::import::{ImportDialog, ImportStep};
    let line = |n: u64, email: &str, role: Role| ImportLine {
        line: n,
        email: email.into(),
        outcome: skriptoteket_admin::domain::Email::parse(email)
            .map(|email| NewAccount { email, role, first_name: None, last_name: None, display_name: None })
            .map_err(|e| e.to_string()),
    };
    let plan = |lines: Vec<ImportLine>| {
        let mut d = ImportDialog::new("teachers.csv");
        d.step = ImportStep::Plan(std::sync::Arc::new(FilePlan {
            file: "/home/anna/in/teachers.csv".into(),
            passwords: "/home/anna/in/teachers-passwords-2026-12-02.csv".into(),
            separator: b';',
            plan: Plan { lines, taken: ["anna@x.se".to_string()].into_iter().collect() },
        }));
        Dialog::Import(d)
    };
    snap("import_plan", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(plan(vec![
            line(2, "ny.larare@skola.se", Role::User),
            line(3, "anna@x.se", Role::User),
            line(4, "rektor@skola.se", Role::Admin),
            line(5, "kurs@skola.se", Role::Contributor),
        ]));
        app
    });
    snap("import_plan_refused", |w, h| {
        let mut app = users_app(w, h);
        app.dialog =
            Some(plan(vec![line(2, "ny@skola.se", Role::User), line(3, "not-an-email", Role::User)]));
        app
    });
}

#[test]
fn export_overwrite_question() {
    snap("export_exists", |w, h| {
        let mut app = users_app(w, h);
        let mut f = ExportForm::new("users.csv");
        f.exists = Some("/home/anna/users.csv".into());
        app.dialog = Some(Dialog::Export(f));
        app
    });
}

#[test]
fn confirm_delete_failed() {
    snap("delete_failed", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::ConfirmDelete {
            request: 1,
            targets: delete_targets(&app),
            plan: Loading::Failed("refused: you cannot delete your own account".into()),
            typed: String::new(),
        });
        app
    });
}

fn audit_rows() -> Vec<AuditRow> {
    let at = |m: i64| datetime!(2025-11-24 09:00 UTC) - time::Duration::minutes(m);
    let entry = |id: i64, actor: &str, action: &str, target: &str, before, after| AuditRow {
        id,
        at: at(id * 7),
        actor_email: actor.into(),
        action: action.into(),
        target_id: Some(Uuid::from_u128(id as u128)),
        target_email: Some(target.into()),
        before,
        after,
        actor_id: None,
        change_id: Some(Uuid::from_u128((0xc0ffee00 + id as u128) << 96)),
        operator: Some(
            serde_json::json!({"os_user": "deploy", "sudo_user": "anna", "ssh_client": "192.0.2.17"}),
        ),
        reason: (id == 1).then(|| "ticket 4711".to_string()),
        reverts: None,
    };
    use serde_json::json;
    vec![
        entry(
            1,
            "admin@skriptoteket.test",
            "set_role",
            "anna.andersson1@skola.se",
            Some(json!({"role": "user"})),
            Some(json!({"role": "admin"})),
        ),
        entry(
            2,
            "lena.lund@skriptoteket.test",
            "deactivate",
            "maria.holm7@gymnasium.se",
            Some(json!({"is_active": true})),
            Some(json!({"is_active": false})),
        ),
        entry(
            3,
            "admin@skriptoteket.test",
            "reset_password",
            HOSTILE,
            None,
            Some(json!({"sessions_revoked": 2})),
        ),
        entry(
            4,
            "admin@skriptoteket.test",
            "delete",
            "gone.user@skola.se",
            Some(json!({"email": "gone.user@skola.se", "role": "user"})),
            None,
        ),
        entry(
            5,
            "lena.lund@skriptoteket.test",
            "create",
            "ny.larare@skola.se",
            None,
            Some(json!({"role": "contributor", "note": "x\u{1b}[31mred"})),
        ),
        entry(
            6,
            "admin@skriptoteket.test",
            "unlock",
            "karin.ek@kommun.se",
            Some(json!({"failed_login_attempts": 5})),
            Some(json!({"failed_login_attempts": 0})),
        ),
    ]
}

fn karin_details() -> Details {
    let mut user = people()[5].clone();
    user.email = "karin.ek@kommun.se".into();
    Details {
        user,
        profile: vec![
            ("first_name".into(), "Karin".into()),
            ("last_name".into(), "Ek".into()),
            ("display_name".into(), "-".into()),
            ("bio".into(), "hej\u{1b}[2J\u{202e}da".into()),
        ],
        sessions: vec![
            SessionRow {
                id: Uuid::from_u128(0x3f0c_1a2b_0000_4000_8000_0000_0000_0077),
                created_at: Some(datetime!(2025-11-23 08:00 UTC)),
                expires_at: datetime!(2025-11-30 08:00 UTC),
                revoked_at: None,
                active: true,
            },
            SessionRow {
                id: Uuid::from_u128(0x9d41_77e0_0000_4000_8000_0000_0000_0078),
                created_at: Some(datetime!(2025-11-01 08:00 UTC)),
                expires_at: datetime!(2025-11-08 08:00 UTC),
                revoked_at: Some(datetime!(2025-11-02 09:30 UTC)),
                active: false,
            },
        ],
        logins: vec![
            LoginEvent {
                at: datetime!(2025-11-23 08:00 UTC),
                success: true,
                failure_code: None,
                ip_address: Some("192.0.2.17".into()),
                user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0".into()),
            },
            LoginEvent {
                at: datetime!(2025-11-22 23:10 UTC),
                success: false,
                failure_code: Some("INVALID_CREDENTIALS".into()),
                ip_address: Some("185.220.101.4".into()),
                user_agent: Some("python-requests/2.32.3\u{1b}[2J".into()),
            },
        ],
        dependents: vec![
            dep("sessions", "user_id", OnDelete::Cascade, 1),
            dep("tool_versions", "reviewed_by_user_id", OnDelete::Restrict, 2),
        ],
        audit: audit_rows().into_iter().filter(|a| a.action == "unlock").collect(),
    }
}

fn details_app(w: u16, h: u16) -> App {
    let mut app = users_app(w, h);
    app.dialog = Some(Dialog::Details {
        id: Uuid::from_u128(6),
        request: 1,
        data: Loading::Ready(Box::new(karin_details())),
        scroll: 0,
        session: None,
        reveal: false,
        note: None,
    });
    app
}

#[test]
fn details() {
    snap("details", details_app);
}

/// Tab twice selects the revoked session (scrolled into view); `x` on it says why nothing
/// is revoked, in the box.
#[test]
fn details_with_a_session_selected() {
    snap("details_session", |w, h| {
        let mut app = details_app(w, h);
        let tab = Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        app.update(tab.clone());
        app.update(tab);
        app.update(key('x'));
        app
    });
}

/// The audit rows as the viewer lists them: the first a change of 101 accounts, the
/// second 3 of 40 accounts kept by a filter, the rest one account each.
fn audit_changes() -> Vec<ChangeSummary> {
    audit_rows()
        .into_iter()
        .enumerate()
        .map(|(i, first)| match i {
            0 => ChangeSummary { first, matching: 101, accounts: 101 },
            1 => ChangeSummary { first, matching: 3, accounts: 40 },
            _ => ChangeSummary::single(first),
        })
        .collect()
}

fn audit_view(filter: FilterLine, cursor: usize, open: Option<OpenChange>) -> AuditView {
    AuditView {
        request: 1,
        changes: Loading::Ready(audit_changes()),
        filter,
        cursor: ListCursor { at: cursor, top: 0 },
        open,
    }
}

#[test]
fn audit_log() {
    snap("audit", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::Audit(audit_view(FilterLine::default(), 0, None)));
        app
    });
}

/// The first change opened to its accounts, the second account selected.
fn opened_change(entry: Option<u16>) -> OpenChange {
    let first = audit_changes().remove(0);
    let entries: Vec<AuditRow> = (0..101)
        .map(|i| {
            let mut r = first.first.clone();
            r.id = 100 + i;
            r.target_email = Some(format!("larare{i}@skola.se"));
            r
        })
        .collect();
    OpenChange {
        summary: first,
        request: 2,
        entries: Loading::Ready(entries),
        cursor: ListCursor { at: 1, top: 0 },
        entry,
    }
}

#[test]
fn an_audit_change_opened_to_its_accounts() {
    snap("audit_change", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::Audit(audit_view(FilterLine::default(), 0, Some(opened_change(None)))));
        app
    });
}

#[test]
fn an_audit_entry_in_full() {
    snap("audit_entry", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::Audit(audit_view(FilterLine::default(), 0, Some(opened_change(Some(0))))));
        app
    });
}

#[test]
fn audit_log_filter_editing_with_the_cursor_lower() {
    snap("audit_filter", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::Audit(audit_view(FilterLine::typing("admin@"), 2, None)));
        app
    });
}

#[test]
fn help() {
    snap("help", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::Help { scroll: 0 });
        app
    });
}

#[test]
fn help_scrolled_past_the_end_stays_on_the_last_page() {
    snap("help_end", |w, h| {
        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::Help { scroll: 500 });
        app
    });
}

// ---------------------------------------------------------------- properties

/// Every cell symbol of every screen that can show the hostile email is inert.
#[test]
fn hostile_text_never_reaches_the_buffer() {
    let mut apps = Vec::new();
    for (w, h) in SIZES {
        let mut app = users_app(w, h);
        app.status = Some(Status { kind: StatusKind::Error, text: format!("{HOSTILE}: refused") });
        app.in_flight = Some(skriptoteket_admin::tui::model::InFlight {
            id: 1,
            label: format!("delete: {HOSTILE}"),
            command: String::new(),
            back: None,
        });
        app.connection_lost = Some(format!("lost: {HOSTILE}"));
        apps.push(app);

        let mut app = users_app(w, h);
        let targets = vec![by_email(&app, HOSTILE)];
        let plan = DeletePlan {
            blocked_emails: vec![],
            emails: vec![HOSTILE.into()],
            blockers: vec![dep("evil\u{1b}[2Jtable", "col\u{202e}", OnDelete::Restrict, 1)],
            effects: vec![dep("x\u{9b}31m", "y", OnDelete::Cascade, 1)],
        };
        app.dialog = Some(Dialog::ConfirmDelete {
            targets,
            request: 1,
            plan: Loading::Ready(plan),
            typed: String::new(),
        });
        apps.push(app);

        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::Audit(audit_view(FilterLine::typing("\u{1b}"), 2, None)));
        apps.push(app);

        // The hostile account's change opened to its accounts.
        let mut app = users_app(w, h);
        let hostile = audit_changes().remove(2);
        let open = OpenChange {
            entries: Loading::Ready(vec![hostile.first.clone()]),
            summary: hostile,
            request: 2,
            cursor: ListCursor::default(),
            entry: None,
        };
        app.dialog = Some(Dialog::Audit(audit_view(FilterLine::default(), 2, Some(open))));
        apps.push(app);

        let mut app = users_app(w, h);
        app.dialog = Some(Dialog::ResetPassword(ResetForm::new(by_email(&app, HOSTILE))));
        apps.push(app);

        let mut app = users_app(w, h);
        app.dialog =
            Some(Dialog::ShowPassword { email: HOSTILE.into(), secret: Secret::from("abc"), copied: false });
        apps.push(app);

        let mut app =
            App::new(Options { target: "host\u{1b}]0;x\u{7}:5432/db".to_string(), ..options() }, w, h);
        app.screen = Screen::Login(LoginForm {
            error: Some(format!("{HOSTILE} is not an admin")),
            email: Input::new(HOSTILE.into()),
            ..LoginForm::default()
        });
        apps.push(app);
    }
    for app in &apps {
        let terminal = render(app);
        let buf = terminal.backend().buffer();
        for cell in &buf.content {
            assert!(!cell.symbol().chars().any(is_unsafe), "unsafe symbol {:?}", cell.symbol());
        }
        let text = screen_text(buf);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'));
    }
    // The table shows the replacement character where the controls were: cleaned at the
    // source (ratatui alone would silently drop them and hide that something is odd).
    let terminal = render(&users_app(120, 40));
    assert!(
        screen_text(terminal.backend().buffer())
            .contains(&format!("mallory{REPLACEMENT}]2;PWNED{REPLACEMENT}{REPLACEMENT}@evil.test"))
    );
}

/// The x where `needle` starts on row `y`, by cell.
fn find_in_row(buf: &Buffer, y: u16, needle: &str) -> Option<u16> {
    let n = needle.chars().count() as u16;
    (0..buf.area.width.saturating_sub(n))
        .find(|&x| needle.chars().enumerate().all(|(i, c)| buf[(x + i as u16, y)].symbol() == c.to_string()))
}

#[test]
fn long_and_wide_emails_keep_the_role_column_aligned() {
    for (w, h) in SIZES {
        let app = users_app(w, h);
        let terminal = render(&app);
        let buf = terminal.backend().buffer();
        // Header: top line is the app header, then the table's top edge, then titles.
        let role_x = find_in_row(buf, 2, "Role").expect("Role title");
        let mut seen = 0;
        for y in 3..(3 + app.users.visible_len() as u16) {
            let found = ["superuser", "contributor", "admin", "user"]
                .iter()
                .any(|r| find_in_row(buf, y, r) == Some(role_x) && buf[(role_x - 1, y)].symbol() == " ");
            assert!(found, "{w}x{h}: row {y} role not at x={role_x}:\n{}", screen_text(buf));
            seen += 1;
        }
        assert_eq!(seen, 11);
        let text = screen_text(buf);
        assert!(text.contains("漢字テスト@wide.example"), "{text}");
        assert!(text.contains("xxxx…"), "{text}");
    }
}

#[test]
fn a_hundred_thousand_rows_draw_only_the_window() {
    let base = datetime!(2025-01-01 0:00 UTC);
    let rows: Vec<UserRow> = (0..100_000u128)
        .map(|i| {
            let mut r = row(1000 + i, &format!("user{i:06}@skola.se"), Role::User);
            r.created_at = base - time::Duration::minutes(i as i64);
            r
        })
        .collect();
    let mut app = users_app(120, 40);
    app.users.set_rows(rows);

    let terminal = render(&app);
    let text = screen_text(terminal.backend().buffer());
    assert!(text.contains("user000000@skola.se"));
    assert!(!text.contains("user099999@skola.se"), "the last row is off screen");
    assert!(text.contains("100000 of 100000 users"), "{text}");

    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    palette::set_color_override(Some(false));
    let start = Instant::now();
    for _ in 0..20 {
        terminal
            .draw(|f| {
                view::draw(f, &app);
            })
            .expect("draw");
    }
    let per_draw = start.elapsed() / 20;
    assert!(per_draw < Duration::from_millis(100), "one draw of 100k rows took {per_draw:?}");

    app.users.bottom();
    app.users.scroll_into_view(app.page_size());
    let terminal = render(&app);
    let text = screen_text(terminal.backend().buffer());
    assert!(text.contains("user099999@skola.se"), "cursor row is drawn");
    assert!(!text.contains("user000000@skola.se"));
}

fn any_colour(buf: &Buffer) -> bool {
    buf.content.iter().any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
}

#[test]
fn no_color_draws_no_colour_but_keeps_emphasis() {
    let mut apps = Vec::new();
    let mut app = users_app(120, 40);
    app.users.mark_id(Uuid::from_u128(3));
    app.status = Some(Status { kind: StatusKind::Error, text: "boom".into() });
    app.connection_lost = Some("connection lost".into());
    apps.push(app);
    let mut app = users_app(80, 24);
    app.dialog = Some(Dialog::NewUser(NewUserForm { role: Role::Admin, ..NewUserForm::default() }));
    apps.push(app);
    let mut app = users_app(80, 24);
    app.dialog = Some(Dialog::Help { scroll: 0 });
    apps.push(app);

    for app in &apps {
        palette::set_color_override(Some(false));
        let mut t = Terminal::new(TestBackend::new(app.width, app.height)).expect("terminal");
        t.draw(|f| {
            view::draw(f, app);
        })
        .expect("draw");
        let buf = t.backend().buffer();
        assert!(!any_colour(buf), "NO_COLOR: a cell has a colour");
        assert!(buf.content.iter().any(|c| c.modifier.contains(Modifier::BOLD)));

        palette::set_color_override(Some(true));
        let mut t = Terminal::new(TestBackend::new(app.width, app.height)).expect("terminal");
        t.draw(|f| {
            view::draw(f, app);
        })
        .expect("draw");
        assert!(any_colour(t.backend().buffer()), "with colour on, something is coloured");
    }
    palette::set_color_override(None);
}

#[test]
fn cursor_marks_and_chosen_options_are_visible_without_colour() {
    let mut app = users_app(80, 24);
    app.users.mark_id(Uuid::from_u128(2));
    let terminal = render(&app);
    let buf = terminal.backend().buffer();
    // Row 3 is the first body row: the cursor, reversed.
    assert!(buf[(5, 3)].modifier.contains(Modifier::REVERSED));
    let lena_y = (3..24).find(|&y| find_in_row(buf, y, "lena.lund").is_some()).expect("lena row");
    assert_eq!(buf[(0, lena_y)].symbol(), "●");
    assert!(buf[(5, lena_y)].modifier.contains(Modifier::BOLD));

    let mut app = users_app(80, 24);
    app.dialog = Some(Dialog::NewUser(NewUserForm {
        role: Role::Admin,
        focus: NewUserField::Role,
        ..NewUserForm::default()
    }));
    let terminal = render(&app);
    let buf = terminal.backend().buffer();
    // In brackets, which need no colour or attribute at all (issue 24 point 3), and
    // highlighted.
    let y = (0..24)
        .find(|&y| find_in_row(buf, y, "user/contributor/[admin]/superuser").is_some())
        .expect("roles, the chosen one in brackets");
    let x = find_in_row(buf, y, "/[admin]/").expect("admin") + 2;
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED), "chosen role highlighted");
    assert!(!buf[(x - 3, y)].modifier.contains(Modifier::REVERSED), "others are not");
}

#[test]
fn typed_passwords_show_only_dots() {
    let secret = "hemligt-losen-9";
    let mut screens = Vec::new();
    let mut app = App::new(options(), 80, 24);
    app.screen = Screen::Login(LoginForm {
        password: typed(secret),
        focus: LoginField::Password,
        ..LoginForm::default()
    });
    screens.push(app);
    let mut app = App::new(options(), 80, 24);
    app.screen = Screen::Bootstrap(BootstrapForm {
        password: typed(secret),
        confirm: typed(secret),
        ..BootstrapForm::default()
    });
    screens.push(app);
    let mut app = users_app(80, 24);
    app.dialog = Some(Dialog::NewUser(NewUserForm {
        mode: PasswordMode::Type,
        password: typed(secret),
        confirm: typed(secret),
        ..NewUserForm::default()
    }));
    screens.push(app);
    let mut app = users_app(80, 24);
    let mut form = ResetForm::new(by_email(&app, "karin.ek@kommun.se"));
    form.mode = PasswordMode::Type;
    form.password = typed(secret);
    app.dialog = Some(Dialog::ResetPassword(form));
    screens.push(app);
    for app in &screens {
        let text = screen_text(render(app).backend().buffer());
        assert!(!text.contains("hemligt"), "{text}");
        assert!(text.contains(&"•".repeat(secret.len())), "{text}");
    }
}

#[test]
fn dates_follow_the_width() {
    let text = screen_text(render(&users_app(80, 24)).backend().buffer());
    assert!(text.contains("2025-11-20 ") && !text.contains("2025-11-20 14:05"), "{text}");
    assert!(text.contains("never"));
    let text = screen_text(render(&users_app(120, 40)).backend().buffer());
    assert!(text.contains("2025-11-20 14:05"), "{text}");
}

#[test]
fn the_text_cursor_sits_in_the_focused_field() {
    // Login: focus on the email, cursor after its last character.
    let mut app = App::new(options(), 80, 24);
    app.screen = Screen::Login(LoginForm { email: Input::new("anna@x.se".into()), ..LoginForm::default() });
    let terminal = render(&app);
    let buf = terminal.backend().buffer();
    let y = (0..24).find(|&y| find_in_row(buf, y, "anna@x.se").is_some()).expect("email row");
    let x = find_in_row(buf, y, "anna@x.se").expect("email") + 9;
    assert!(terminal.backend().cursor_visible());
    assert_eq!(terminal.backend().cursor_position(), (x, y).into());

    // Filter: cursor after the typed text on the table's bottom edge.
    let mut app = users_app(80, 24);
    app.filter.editing = true;
    app.filter.input = Input::new("anna".into());
    app.users.set_filter("anna", time::OffsetDateTime::UNIX_EPOCH);
    let terminal = render(&app);
    let buf = terminal.backend().buffer();
    // The bottom edge is above the status line and the key bar's two lines at 80 columns.
    let x = find_in_row(buf, 20, "/anna").expect("filter on the bottom edge") + 5;
    assert_eq!(terminal.backend().cursor_position(), (x, 20).into());

    // No field, no cursor.
    let terminal = render(&users_app(80, 24));
    assert!(!terminal.backend().cursor_visible());
}

#[test]
fn a_blocked_delete_always_shows_what_blocks_it_and_the_keys() {
    let mut app = users_app(80, 24);
    let targets: Vec<Seen> = app.users.shown_rows().map(|r| Seen::of(&r)).collect();
    let effects = (0..15).map(|i| dep(&format!("table_{i}"), "user_id", OnDelete::Cascade, i)).collect();
    let plan = DeletePlan {
        blocked_emails: vec![targets[1].email.clone()],
        emails: targets.iter().map(|t| t.email.clone()).collect(),
        blockers: vec![dep("tool_versions", "created_by_user_id", OnDelete::Restrict, 3)],
        effects,
    };
    let held = format!("held: {}", targets[1].email);
    app.dialog =
        Some(Dialog::ConfirmDelete { targets, request: 1, plan: Loading::Ready(plan), typed: String::new() });
    let text = screen_text(render(&app).backend().buffer());
    assert!(text.contains("BLOCKED by: 3 rows in tool_versions (created_by_user_id)"), "{text}");
    assert!(text.contains(&held), "the held account is named: {text}");
    assert!(text.contains("a: deactivate all 11   r: delete the 10 not held   n/Esc: cancel"), "{text}");
    assert!(text.contains("r deletes the others, keeping these"), "{text}");
    assert!(text.contains("more"), "{text}");
}

/// The footer fits every width by priority and always ends with `? help`; at 120 columns
/// every everyday job shows.
#[test]
fn the_footer_always_ends_with_help_and_keeps_the_main_jobs() {
    for w in [60u16, 70, 80, 100, 120, 160, 200] {
        let app = users_app(w, 24);
        let text = screen_text(render(&app).backend().buffer());
        let rows: Vec<&str> = text.lines().collect();
        // One line, or two where one cannot hold every job.
        let first = rows.iter().rposition(|r| r.starts_with("/ filter")).unwrap_or(rows.len() - 1);
        let footer = rows[first..].iter().map(|r| r.trim_end()).collect::<Vec<_>>().join(" ");
        assert!(rows.len() - first <= 2, "{w}: {footer:?}");
        assert!(footer.ends_with("? help"), "{w}: {footer:?}");
        assert!(!footer.contains('…'), "{w}: a cut word in {footer:?}");
        assert!(footer.starts_with("/ filter"), "{w}: {footer:?}");
        if w >= 120 {
            for job in ["x revoke", "u unlock", "L audit", "* all", "s sort", "q quit"] {
                assert!(footer.contains(job), "{w}: {job} missing from {footer:?}");
            }
        }
    }
}

/// The message history shows each message in full, newest first.
#[test]
fn message_history() {
    snap("messages", |w, h| {
        let mut app = users_app(w, h);
        app.history
            .push_back(Status { kind: StatusKind::Ok, text: "role set to contributor for 5 users".into() });
        app.history.push_back(Status {
            kind: StatusKind::Error,
            text: "refused: an admin may not change the role of another admin or a superuser \
                   (a.very.long.address.that.would.be.cut.off@skolverket-exempel.se)"
                .into(),
        });
        app.dialog = Some(Dialog::Messages { scroll: 0 });
        app
    });
}

/// An admin sees admin and superuser disabled, with the reason, in the picker and the form.
#[test]
fn an_admin_is_offered_only_what_they_may_give() {
    let as_admin = |w, h| {
        let mut app = users_app(w, h);
        app.actor = Some(Actor {
            id: Uuid::from_u128(1),
            email: "admin@skriptoteket.test".into(),
            role: Role::Admin,
        });
        app
    };
    snap("pick_role_as_admin", |w, h| {
        let mut app = as_admin(w, h);
        let targets = vec![by_email(&app, "anna.andersson1@skola.se")];
        app.dialog = Some(Dialog::PickRole { targets, selected: 0 });
        app
    });
    snap("new_user_as_admin", |w, h| {
        let mut app = as_admin(w, h);
        app.dialog = Some(Dialog::NewUser(NewUserForm {
            email: Input::new("ny.larare@skola.se".into()),
            focus: NewUserField::Role,
            ..NewUserForm::default()
        }));
        app
    });
}

/// Short emails leave the creation date on screen at 80 columns, and the email column
/// takes no more than its longest email at 120.
#[test]
fn short_emails_keep_every_column() {
    snap("users_short_emails", |w, h| {
        let mut app = users_app(w, h);
        app.users.set_rows(
            people()
                .into_iter()
                .filter(|r| unicode_width::UnicodeWidthStr::width(r.email.as_str()) <= 21)
                .collect(),
        );
        app
    });
}
