//! `list`: the accounts as a table, JSON or CSV.

use super::CliError;
use super::args::Format;
use crate::domain::Role;
use crate::domain::account::Account;
use crate::domain::filter::UserFilter;
use crate::domain::roster::Roster;
use crate::domain::sanitize::clean;
use crate::export;
use crate::store::users::{self, ListFilter};
use crate::store::{Store, UserRow, stream};
use crate::tui::view::text::{safe_truncate, width};
use time::OffsetDateTime;

pub async fn users(
    store: &Store,
    role: Option<&str>,
    search: Option<String>,
    filter: Option<&str>,
    format: Format,
) -> Result<(), CliError> {
    let filter = crate::domain::filter::UserFilter::parse(filter.unwrap_or(""), OffsetDateTime::now_utc())
        .map_err(|e| CliError::Usage(format!("--filter {e}")))?;
    let role = role
        .map(|r| r.parse().map_err(|e: crate::domain::role::UnknownRole| CliError::Usage(e.to_string())))
        .transpose()?;
    if format != Format::Table {
        return stream_out(store, role, search.as_deref(), &filter, format).await;
    }
    let spin = super::progress::spinner("reading the accounts".into());
    let rows = users::list(store, &ListFilter { role, search }).await;
    spin.finish_and_clear();
    let mut rows = rows?;
    if !filter.is_empty() {
        rows.retain(|r| filter.keeps(r, r.email.to_lowercase().as_bytes()));
    }
    super::emit(&table_rows(&rows))
}

/// `list` as CSV, JSON or JSON Lines: the table read packed (`store::stream`), only the
/// rows the filters keep, sorted by email (byte order, as everywhere), with their profiles
/// (packed, `domain::profile::Profiles`), each written as it is turned back into a row; a
/// million accounts take ~170 MiB, not the gigabytes of the whole text at once.
async fn stream_out(
    store: &Store,
    role: Option<Role>,
    search: Option<&str>,
    filter: &UserFilter,
    format: Format,
) -> Result<(), CliError> {
    let search = search.map(str::to_lowercase).filter(|s| !s.is_empty());
    let search = search.as_deref().map(memchr::memmem::Finder::new);
    let mut kept = Roster::default();
    let mut full = None;
    let spin = super::progress::spinner("reading the accounts".into());
    let mut read = 0usize;
    let streamed = stream::table(store, |chunk| {
        read += chunk.rows.len();
        spin.set_message(format!("reading the accounts: {read}"));
        for (_, r) in chunk.rows.iter() {
            let keep = role.is_none_or(|x| x == r.role())
                && search.as_ref().is_none_or(|f| f.find(r.email_lower()).is_some())
                && filter.keeps(&r, r.email_lower());
            if keep && let Err(e) = kept.push(r.to_new()) {
                full = Some(e);
                return false;
            }
        }
        true
    })
    .await;
    spin.finish_and_clear();
    streamed?;
    if let Some(e) = full {
        return Err(CliError::Failed(e.to_string()));
    }
    let mut order: Vec<u32> = (0..kept.len() as u32).collect();
    let email = |p: &u32| kept.get(*p).map(|r| r.email_bytes()).unwrap_or_default();
    if !order.is_sorted_by_key(email) {
        order.sort_unstable_by_key(email);
    }
    let format = match format {
        Format::Csv => export::FileFormat::Csv,
        Format::Jsonl => export::FileFormat::JsonLines,
        _ => export::FileFormat::Json,
    };
    let ids: Vec<uuid::Uuid> = order.iter().filter_map(|&p| kept.get(p)).map(|r| r.id()).collect();
    let spin = super::progress::spinner("reading the names".into());
    let profiles = users::profiles(store, &ids).await;
    spin.finish_and_clear();
    let profiles = profiles?;
    drop(ids);
    let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut w = export::RowWriter::new(format, out);
    for r in order.iter().filter_map(|&p| kept.get(p)) {
        let row = r.to_user_row();
        if let Err(e) = w.write(&row, profiles.get(&row.id).as_ref()) {
            return written(Err(e));
        }
    }
    written(w.finish().map(|_| ()))
}

/// A closed pipe (`| head`) ends the output quietly; any other failure to write is one.
fn written(res: std::io::Result<()>) -> Result<(), CliError> {
    match res {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Failed(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

pub(super) fn short(t: Option<OffsetDateTime>) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.and_then(|t| t.format(&f).ok()).unwrap_or_else(|| "-".into())
}

/// The email column of the table: as wide as the widest email up to this, longer ones cut
/// with "…" (JSON and CSV carry them whole).
const TABLE_EMAIL_MAX: usize = 40;

fn table_rows(rows: &[UserRow]) -> String {
    let w = rows.iter().map(|u| width(&clean(&u.email))).max().unwrap_or(5).clamp(5, TABLE_EMAIL_MAX);
    // Padded by display width, so wide (CJK) characters keep the columns aligned.
    let email = |e: &str| {
        let cut = safe_truncate(e, w);
        let pad = w.saturating_sub(width(&cut));
        format!("{cut}{}", " ".repeat(pad))
    };
    let mut out = format!(
        "{}  {:<11}  {:<10}  {:>8}  {:<16}  {:<16}\n",
        email("EMAIL"),
        "ROLE",
        "STATUS",
        "SESSIONS",
        "LAST LOGIN",
        "CREATED"
    );
    for u in rows {
        out.push_str(&format!(
            "{}  {:<11}  {:<10}  {:>8}  {:<16}  {:<16}\n",
            email(&u.email),
            u.role.as_str(),
            u.status().as_str(),
            u.active_sessions,
            short(u.last_login_at),
            short(Some(u.created_at)),
        ));
    }
    out.push_str(&format!("{} user{}\n", rows.len(), if rows.len() == 1 { "" } else { "s" }));
    out
}
