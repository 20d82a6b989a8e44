//! Many accounts in little memory: the console's table holds a million of them.
//!
//! A [`Roster`] keeps each account as one fixed 64-byte record and every email in one
//! shared byte arena, where a `Vec<UserRow>` pays ~230 bytes a row (two heap strings and
//! their allocator overhead). At 1,000,000 accounts that is ~95 MiB instead of ~245 MiB.
//! Rows are read through [`RowRef`], which is an [`Account`] like `UserRow`, so the filter,
//! statuses and confirmations run on either. A row's position never changes once pushed:
//! the table's order, filter result and marks are all lists or sets of positions.

use super::account::{Account, from_micros, micros};
use super::{Role, UserRow};
use time::OffsetDateTime;
use uuid::Uuid;

/// `last_login` / `locked_until` when the database has NULL.
const NONE: i64 = i64::MIN;

// The bits of `Packed::bits`: the role in the low three, then flags.
const ROLE_MASK: u8 = 0b0000_0111;
const ACTIVE: u8 = 1 << 3;
const VERIFIED: u8 = 1 << 4;
const LOCKED: u8 = 1 << 5;
/// The email has upper-case letters: its lower-case form follows it in the arena.
const FOLDED: u8 = 1 << 6;
/// The row was deleted (or replaced by a newer copy at another position).
const GONE: u8 = 1 << 7;

/// One account in 64 bytes. Times are microseconds since the epoch (PostgreSQL's own
/// resolution), `NONE` for NULL.
#[derive(Clone, Copy, Debug)]
struct Packed {
    id: Uuid,
    created: i64,
    updated: i64,
    last_login: i64,
    locked_until: i64,
    /// Where the email starts in the arena, and its length in bytes.
    email_at: u32,
    failed: i32,
    /// Active sessions (a count that does not fit is kept as `u32::MAX`).
    sessions: u32,
    email_len: u16,
    /// Index into `Roster::providers`.
    provider: u8,
    bits: u8,
}

const _: () = assert!(std::mem::size_of::<Packed>() == 64);

fn role_bits(r: Role) -> u8 {
    match r {
        Role::User => 0,
        Role::Contributor => 1,
        Role::Admin => 2,
        Role::Superuser => 3,
        Role::Unknown => 4,
    }
}

fn role_of(bits: u8) -> Role {
    match bits & ROLE_MASK {
        0 => Role::User,
        1 => Role::Contributor,
        2 => Role::Admin,
        3 => Role::Superuser,
        _ => Role::Unknown,
    }
}

/// One account to add, with borrowed text (the loader decodes into it without allocating).
#[derive(Clone, Copy, Debug)]
pub struct NewRow<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub role: Role,
    pub auth_provider: &'a str,
    pub is_active: bool,
    pub email_verified: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
    pub locked: bool,
    pub locked_until: Option<OffsetDateTime>,
    pub failed_login_attempts: i32,
    pub active_sessions: i64,
}

impl<'a> From<&'a UserRow> for NewRow<'a> {
    fn from(u: &'a UserRow) -> NewRow<'a> {
        NewRow {
            id: u.id,
            email: &u.email,
            role: u.role,
            auth_provider: &u.auth_provider,
            is_active: u.is_active,
            email_verified: u.email_verified,
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_login_at: u.last_login_at,
            locked: u.locked,
            locked_until: u.locked_until,
            failed_login_attempts: u.failed_login_attempts,
            active_sessions: u.active_sessions,
        }
    }
}

impl From<NewRow<'_>> for UserRow {
    fn from(n: NewRow<'_>) -> UserRow {
        UserRow {
            id: n.id,
            email: n.email.to_string(),
            role: n.role,
            auth_provider: n.auth_provider.to_string(),
            is_active: n.is_active,
            email_verified: n.email_verified,
            created_at: n.created_at,
            updated_at: n.updated_at,
            last_login_at: n.last_login_at,
            locked: n.locked,
            locked_until: n.locked_until,
            failed_login_attempts: n.failed_login_attempts,
            active_sessions: n.active_sessions,
        }
    }
}

/// Why a row cannot be kept (both far beyond what the web app's schema allows).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    #[error("an email of {0} bytes is longer than the console's table holds (65,535)")]
    EmailTooLong(usize),
    #[error("the table is larger than the console holds (4 billion rows or 4 GiB of emails)")]
    ArenaFull,
}

/// Accounts in packed rows; see the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    rows: Vec<Packed>,
    arena: Vec<u8>,
    /// The `auth_provider` values, each once (a deployment has two or three).
    providers: Vec<Box<str>>,
    /// Rows marked gone, which `live_len` leaves out.
    gone: usize,
}

impl Roster {
    pub fn with_capacity(rows: usize, email_bytes: usize) -> Roster {
        Roster { rows: Vec::with_capacity(rows), arena: Vec::with_capacity(email_bytes), ..Roster::default() }
    }

    /// Positions pushed so far, gone ones included: positions run `0..len()`.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rows that are not gone.
    pub fn live_len(&self) -> usize {
        self.rows.len() - self.gone
    }

    /// Bytes held (rows and arena, by capacity): what the table costs in memory.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<Packed>() + self.arena.capacity()
    }

    /// Adds a row at position `len()`; returns that position.
    pub fn push(&mut self, r: NewRow<'_>) -> Result<u32, RosterError> {
        let pos = u32::try_from(self.rows.len()).map_err(|_| RosterError::ArenaFull)?;
        let packed = self.pack(r, None)?;
        self.rows.push(packed);
        Ok(pos)
    }

    /// Replaces the row at `pos` with `r` (its email kept in place when unchanged).
    pub fn set(&mut self, pos: u32, r: NewRow<'_>) -> Result<(), RosterError> {
        let Some(old) = self.rows.get(pos as usize).copied() else { return Ok(()) };
        let same_email = self.email_bytes(&old) == r.email.as_bytes();
        let packed = self.pack(r, same_email.then_some(&old))?;
        let was_gone = old.bits & GONE != 0;
        self.rows[pos as usize] = packed;
        if was_gone {
            self.gone -= 1;
        }
        Ok(())
    }

    /// Marks the row at `pos` gone: it stays at its position but no longer counts.
    pub fn remove(&mut self, pos: u32) {
        if let Some(p) = self.rows.get_mut(pos as usize)
            && p.bits & GONE == 0
        {
            p.bits |= GONE;
            self.gone += 1;
        }
    }

    pub fn is_gone(&self, pos: u32) -> bool {
        self.rows.get(pos as usize).is_none_or(|p| p.bits & GONE != 0)
    }

    /// The row at `pos` (gone or not), if the position exists.
    pub fn get(&self, pos: u32) -> Option<RowRef<'_>> {
        self.rows.get(pos as usize).map(|p| RowRef { roster: self, p })
    }

    /// The position of the live row with this id (a scan: ~1 ms at a million rows).
    pub fn position(&self, id: Uuid) -> Option<u32> {
        self.rows.iter().position(|p| p.id == id && p.bits & GONE == 0).map(|i| i as u32)
    }

    /// Every live row with its position.
    pub fn iter(&self) -> impl Iterator<Item = (u32, RowRef<'_>)> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, p)| p.bits & GONE == 0)
            .map(|(i, p)| (i as u32, RowRef { roster: self, p }))
    }

    /// Appends every live row of `other`, in its order; returns the first new position.
    /// Copies the packed rows and the arena as they are (no row is packed again).
    pub fn append(&mut self, other: &Roster) -> Result<u32, RosterError> {
        let first = u32::try_from(self.rows.len()).map_err(|_| RosterError::ArenaFull)?;
        let base = u32::try_from(self.arena.len()).map_err(|_| RosterError::ArenaFull)?;
        u32::try_from(self.arena.len() + other.arena.len()).map_err(|_| RosterError::ArenaFull)?;
        let providers: Vec<u8> = other.providers.iter().map(|p| self.intern(p)).collect();
        self.arena.extend_from_slice(&other.arena);
        self.rows.reserve(other.live_len());
        for p in other.rows.iter().filter(|p| p.bits & GONE == 0) {
            let provider = providers.get(usize::from(p.provider)).copied().unwrap_or(p.provider);
            self.rows.push(Packed { email_at: p.email_at + base, provider, ..*p });
        }
        Ok(first)
    }

    fn pack(&mut self, r: NewRow<'_>, reuse: Option<&Packed>) -> Result<Packed, RosterError> {
        let email_len = u16::try_from(r.email.len()).map_err(|_| RosterError::EmailTooLong(r.email.len()))?;
        let folded = lower(r.email);
        let email_at = match reuse {
            Some(old) => old.email_at,
            None => {
                let at = u32::try_from(self.arena.len()).map_err(|_| RosterError::ArenaFull)?;
                self.arena.extend_from_slice(r.email.as_bytes());
                if let Some(l) = &folded {
                    let n = u16::try_from(l.len()).map_err(|_| RosterError::EmailTooLong(l.len()))?;
                    self.arena.extend_from_slice(&n.to_le_bytes());
                    self.arena.extend_from_slice(l.as_bytes());
                }
                u32::try_from(self.arena.len()).map_err(|_| RosterError::ArenaFull)?;
                at
            }
        };
        let mut bits = role_bits(r.role);
        for (on, bit) in [
            (r.is_active, ACTIVE),
            (r.email_verified, VERIFIED),
            (r.locked, LOCKED),
            (folded.is_some(), FOLDED),
        ] {
            if on {
                bits |= bit;
            }
        }
        Ok(Packed {
            id: r.id,
            created: micros(r.created_at),
            updated: micros(r.updated_at),
            last_login: r.last_login_at.map_or(NONE, micros),
            locked_until: r.locked_until.map_or(NONE, micros),
            email_at,
            failed: r.failed_login_attempts,
            sessions: u32::try_from(r.active_sessions.max(0)).unwrap_or(u32::MAX),
            email_len,
            provider: self.intern(r.auth_provider),
            bits,
        })
    }

    /// The index of `provider`, added when new. Past 255 distinct values (no deployment
    /// has more than a few) the last slot is shared and shows the first value given to it.
    fn intern(&mut self, provider: &str) -> u8 {
        if let Some(i) = self.providers.iter().position(|p| &**p == provider) {
            return i as u8;
        }
        if self.providers.len() < 256 {
            self.providers.push(provider.into());
        }
        (self.providers.len() - 1) as u8
    }

    fn email_bytes(&self, p: &Packed) -> &[u8] {
        let at = p.email_at as usize;
        self.arena.get(at..at + usize::from(p.email_len)).unwrap_or_default()
    }

    fn lower_bytes(&self, p: &Packed) -> &[u8] {
        if p.bits & FOLDED == 0 {
            return self.email_bytes(p);
        }
        let at = p.email_at as usize + usize::from(p.email_len);
        let n = match self.arena.get(at..at + 2) {
            Some(&[a, b]) => usize::from(u16::from_le_bytes([a, b])),
            _ => return &[],
        };
        self.arena.get(at + 2..at + 2 + n).unwrap_or_default()
    }
}

/// The lower-case form of `email`, when it differs.
fn lower(email: &str) -> Option<String> {
    if email.is_ascii() {
        email.bytes().any(|b| b.is_ascii_uppercase()).then(|| email.to_ascii_lowercase())
    } else {
        let l = email.to_lowercase();
        (l != email).then_some(l)
    }
}

/// One row of a [`Roster`], read in place.
#[derive(Clone, Copy)]
pub struct RowRef<'a> {
    roster: &'a Roster,
    p: &'a Packed,
}

impl<'a> RowRef<'a> {
    /// The email (always valid UTF-8: it was pushed as a `str`).
    pub fn email_str(&self) -> &'a str {
        std::str::from_utf8(self.roster.email_bytes(self.p)).unwrap_or("")
    }

    /// The email in lower case, as bytes: what the filter's words search.
    pub fn email_lower(&self) -> &'a [u8] {
        self.roster.lower_bytes(self.p)
    }

    /// The raw email bytes (sorting compares these: byte order is `str` order).
    pub fn email_bytes(&self) -> &'a [u8] {
        self.roster.email_bytes(self.p)
    }

    pub fn provider(&self) -> &'a str {
        self.roster.providers.get(usize::from(self.p.provider)).map_or("", |p| p)
    }

    pub fn is_local(&self) -> bool {
        self.provider() == "local"
    }

    pub fn created_at(&self) -> OffsetDateTime {
        from_micros(self.p.created)
    }

    pub fn updated_at(&self) -> OffsetDateTime {
        from_micros(self.p.updated)
    }

    pub fn last_login_at(&self) -> Option<OffsetDateTime> {
        (self.p.last_login != NONE).then(|| from_micros(self.p.last_login))
    }

    pub fn locked_until(&self) -> Option<OffsetDateTime> {
        (self.p.locked_until != NONE).then(|| from_micros(self.p.locked_until))
    }

    /// The same fields as [`RowRef::to_user_row`] without allocating.
    pub fn to_new(&self) -> NewRow<'a> {
        NewRow {
            id: self.p.id,
            email: self.email_str(),
            role: role_of(self.p.bits),
            auth_provider: self.provider(),
            is_active: self.p.bits & ACTIVE != 0,
            email_verified: self.p.bits & VERIFIED != 0,
            created_at: self.created_at(),
            updated_at: self.updated_at(),
            last_login_at: self.last_login_at(),
            locked: self.p.bits & LOCKED != 0,
            locked_until: self.locked_until(),
            failed_login_attempts: self.p.failed,
            active_sessions: i64::from(self.p.sessions),
        }
    }

    pub fn to_user_row(&self) -> UserRow {
        UserRow::from(self.to_new())
    }

    /// Raw sort keys, cheaper than the `Account` accessors in a million comparisons.
    pub fn last_login_raw(&self) -> i64 {
        self.p.last_login
    }

    pub fn created_raw(&self) -> i64 {
        self.p.created
    }
}

impl Account for RowRef<'_> {
    fn id(&self) -> Uuid {
        self.p.id
    }
    fn email(&self) -> &str {
        self.email_str()
    }
    fn role(&self) -> Role {
        role_of(self.p.bits)
    }
    fn auth_provider(&self) -> &str {
        self.provider()
    }
    fn is_active(&self) -> bool {
        self.p.bits & ACTIVE != 0
    }
    fn email_verified(&self) -> bool {
        self.p.bits & VERIFIED != 0
    }
    fn locked(&self) -> bool {
        self.p.bits & LOCKED != 0
    }
    fn failed_login_attempts(&self) -> i32 {
        self.p.failed
    }
    fn active_sessions(&self) -> i64 {
        i64::from(self.p.sessions)
    }
    fn created_micros(&self) -> i64 {
        self.p.created
    }
    fn last_login_micros(&self) -> Option<i64> {
        (self.p.last_login != NONE).then_some(self.p.last_login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn full(email: &str) -> UserRow {
        let mut u = UserRow::sample(email, Role::Admin);
        u.auth_provider = "huleedu".into();
        u.is_active = false;
        u.email_verified = false;
        u.locked = true;
        u.created_at = datetime!(2024-01-02 03:04:05.123456 UTC);
        u.updated_at = datetime!(2025-01-02 03:04:05.654321 UTC);
        u.last_login_at = Some(datetime!(2026-11-01 10:00:00.000001 UTC));
        u.locked_until = Some(datetime!(2026-11-26 12:30 UTC));
        u.failed_login_attempts = 7;
        u.active_sessions = 3;
        u
    }

    #[test]
    fn a_row_comes_back_exactly_as_it_went_in() {
        let mut r = Roster::default();
        let rows = [full("Ärla.Ek@Skola.se"), UserRow::sample("b@x.se", Role::Unknown), full("c@x.se")];
        for u in &rows {
            r.push(u.into()).expect("fits");
        }
        for (i, u) in rows.iter().enumerate() {
            let got = r.get(i as u32).expect("pushed");
            assert_eq!(&got.to_user_row(), u);
            assert_eq!(got.email_lower(), u.email.to_lowercase().as_bytes());
        }
        assert_eq!(r.providers.len(), 2, "providers are kept once each");
    }

    #[test]
    fn set_and_remove_keep_positions() {
        let mut r = Roster::default();
        let a = full("a@x.se");
        let b = UserRow::sample("b@x.se", Role::User);
        r.push((&a).into()).expect("fits");
        r.push((&b).into()).expect("fits");
        let mut a2 = a.clone();
        a2.role = Role::User;
        a2.email = "A2@x.se".into();
        r.set(0, (&a2).into()).expect("fits");
        assert_eq!(r.get(0).map(|x| x.to_user_row()), Some(a2.clone()));
        assert_eq!(r.get(0).map(|x| x.email_lower().to_vec()), Some(b"a2@x.se".to_vec()));
        r.remove(1);
        assert_eq!(r.live_len(), 1);
        assert_eq!(r.position(b.id), None);
        assert_eq!(r.position(a.id), Some(0));
        let mut copy = Roster::default();
        copy.append(&r).expect("fits");
        assert_eq!(copy.len(), 1, "gone rows are not carried over");
        assert_eq!(copy.get(0).map(|x| x.to_user_row()), Some(a2));
    }

    #[test]
    fn an_email_too_long_for_a_row_is_refused() {
        let mut r = Roster::default();
        let long = format!("{}@x.se", "a".repeat(70_000));
        let u = UserRow::sample(&long, Role::User);
        assert_eq!(r.push((&u).into()), Err(RosterError::EmailTooLong(long.len())));
        assert!(r.is_empty());
    }
}
